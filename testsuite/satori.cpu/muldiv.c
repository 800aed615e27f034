/* MUL, IMUL, DIV, IDIV including #DE (SDM vol. 2). */
#include "runtime.h"

static volatile int de_count;
static volatile int de_len; /* length of the faulting divide */

static void de_handler(struct frame *f)
{
    de_count++;
    f->rip += (uint64_t)de_len;
}

int main(void)
{
    uint64_t lo, hi, f;

    __asm__ volatile("mulq %3; pushf; pop %2" : "=a"(lo), "=d"(hi), "=r"(f)
                     : "r"(0x100000000ul), "a"(0x100000000ul) : "cc");
    reportf(lo == 0 && hi == 1 && (f & 0x801) == 0x801, "mul 2^32*2^32 = %lx:%lx CF OF", hi, lo);
    __asm__ volatile("imulq %3" : "=a"(lo), "=d"(hi) : "a"(-3l), "r"(5ul) : "cc");
    reportf(lo == (uint64_t)-15 && hi == ~0ul, "imul -3*5 = %lx:%lx", hi, lo);
    int64_t s = 7;
    __asm__ volatile("imulq $-6, %0, %0" : "+r"(s) :: "cc");
    reportf(s == -42, "imul 3-operand = %ld", s);
    __asm__ volatile("mulb %b2" : "=a"(lo) : "a"(0xffu), "q"(0xffu) : "cc");
    reportf((lo & 0xffff) == 0xfe01, "mul 8-bit AX = %lx", lo & 0xffff);
    uint64_t q, r;
    __asm__ volatile("divq %4" : "=a"(q), "=d"(r) : "a"(100ul), "d"(1ul), "r"(7ul) : "cc");
    reportf(q == 0x24924924924924a0ul && r == 4, "div (2^64+100)/7 = %lx r %lx", q, r);
    __asm__ volatile("idivl %k4" : "=a"(q), "=d"(r) : "a"(-7l), "d"(~0ul), "r"(2ul) : "cc");
    reportf((uint32_t)q == (uint32_t)-3 && (uint32_t)r == (uint32_t)-1, "idiv -7/2 = %x r %x",
            (uint32_t)q, (uint32_t)r);

    handle_exception(0, de_handler);
    de_len = 3; /* divq %rcx */
    __asm__ volatile("xor %%edx, %%edx; divq %%rcx" :: "a"(1ul), "c"(0ul) : "rdx", "cc");
    reportf(de_count == 1, "div by zero raises #DE (%d)", de_count);
    __asm__ volatile("mov $0x8000000000000000, %%rax; cqo; idivq %%rcx" :: "c"(-1l) : "rax", "rdx", "cc");
    reportf(de_count == 2, "idiv INT64_MIN/-1 raises #DE (%d)", de_count);
    de_len = 2; /* divl %ecx */
    __asm__ volatile("mov $2, %%edx; divl %%ecx" :: "a"(0ul), "c"(1ul) : "rdx", "cc");
    reportf(de_count == 3, "quotient overflow raises #DE (%d)", de_count);
    report_done();
}
