/* Self-modifying code: patch an instruction that already ran; copy code to
 * a buffer at run time and execute it; patch code in the running block. */
#include "runtime.h"

extern unsigned char patch_imm[];
static uint32_t __attribute__((noinline)) patched(void)
{
    uint32_t v;
    __asm__ volatile("patch_imm: movl $0x11111111, %0" : "=a"(v));
    return v;
}

static unsigned char buf[64] __attribute__((aligned(16)));

/* a RET that returns into code which then changes */
__asm__(".globl leaf_ret\nleaf_ret: ret\n");
extern unsigned char ret_site[], leaf_ret[];
static void *leaf_ret_addr(void) { return leaf_ret; }
static uint32_t __attribute__((noinline)) call_then_read(void)
{
    uint32_t v;
    __asm__ volatile("call leaf_ret\n"
                     "ret_site: movl $0x55555555, %0" : "=a"(v) :: "memory");
    return v;
}

/* two physical pages holding "call leaf_ret; mov $imm, %eax; ret" for one virtual page */
#define REMAP_VA 0x40000000ul
static unsigned char code_a[4096] __attribute__((aligned(4096)));
static unsigned char code_b[4096] __attribute__((aligned(4096)));

static void make_caller(unsigned char *page, uint32_t imm)
{
    int32_t rel = (int32_t)((uint64_t)(uintptr_t)leaf_ret_addr() - (REMAP_VA + 5));
    page[0] = 0xe8;
    memcpy(page + 1, &rel, 4);
    page[5] = 0xb8;
    memcpy(page + 6, &imm, 4);
    page[10] = 0xc3;
}

int main(void)
{
    uint32_t a = patched();
    for (int i = 0; i < 4; i++)
        patch_imm[1 + i] = 0x22;
    uint32_t b = patched();
    reportf(a == 0x11111111 && b == 0x22222222, "patched immediate: %x then %x", a, b);

    /* mov $imm32, %eax; ret */
    static const unsigned char code[] = { 0xb8, 0x78, 0x56, 0x34, 0x12, 0xc3 };
    memcpy(buf, code, sizeof code);
    uint32_t (*fn)(void) = (uint32_t (*)(void))buf;
    uint32_t r1 = fn();
    buf[1] = 0x99;
    uint32_t r2 = fn();
    reportf(r1 == 0x12345678 && r2 == 0x12345699, "code written at run time: %x then %x", r1, r2);

    /* a store that modifies the next instruction of the same block */
    uint32_t r3;
    __asm__ volatile("lea 1f(%%rip), %%rdx\n"
                     "movb $0x33, 1(%%rdx)\n"
                     "1: movl $0x44, %%eax\n"
                     : "=a"(r3) :: "rdx", "memory");
    reportf(r3 == 0x33, "store into the running block takes effect: %x", r3);

    /* the same with a register store (MOV r/m8, r8) */
    uint32_t r3b;
    __asm__ volatile("lea 1f(%%rip), %%rdx\n"
                     "mov $0x35, %%ecx\n"
                     "movb %%cl, 1(%%rdx)\n"
                     "1: movl $0x44, %%eax\n"
                     : "=a"(r3b) :: "rcx", "rdx", "memory");
    reportf(r3b == 0x35, "register store into the running block takes effect: %x", r3b);
    /* a loop in one block that patches its own ADD immediate on the first pass:
     * 1 + 5 + 5, whether the store is an immediate or a register store */
    uint32_t l1, l2;
    __asm__ volatile("lea 1f(%%rip), %%rdx\n"
                     "mov $3, %%ecx\n"
                     "xor %%eax, %%eax\n"
                     "1: addl $1, %%eax\n"
                     "movb $5, 2(%%rdx)\n"
                     "dec %%ecx\n"
                     "jnz 1b\n"
                     : "=a"(l1) :: "rcx", "rdx", "memory", "cc");
    __asm__ volatile("lea 1f(%%rip), %%rdx\n"
                     "mov $3, %%ecx\n"
                     "mov $5, %%esi\n"
                     "xor %%eax, %%eax\n"
                     "1: addl $1, %%eax\n"
                     "mov %%sil, 2(%%rdx)\n"
                     "dec %%ecx\n"
                     "jnz 1b\n"
                     : "=a"(l2) :: "rcx", "rdx", "rsi", "memory", "cc");
    reportf(l1 == 11 && l2 == 11, "one-block loop patching itself: %u, %u", l1, l2);

    /* RET into a block it entered before, after that block's code changed */
    uint32_t r4 = 0;
    for (int i = 0; i < 4; i++)
        r4 = call_then_read();
    for (int i = 0; i < 4; i++)
        ret_site[1 + i] = 0x66;
    uint32_t r5 = call_then_read();
    reportf(r4 == 0x55555555 && r5 == 0x66666666, "return into patched code: %x then %x", r4, r5);

    /* RET into the same virtual address after its page was mapped elsewhere */
    make_caller(code_a, 0xaaaa);
    make_caller(code_b, 0xbbbb);
    uint32_t (*remapped)(void) = (uint32_t (*)(void))REMAP_VA;
    uint32_t r6 = 0;
    map_page(REMAP_VA, (uint64_t)(uintptr_t)code_a, true, false, false);
    for (int i = 0; i < 4; i++)
        r6 = remapped();
    map_page(REMAP_VA, (uint64_t)(uintptr_t)code_b, true, false, false);
    uint32_t r7 = remapped();
    reportf(r6 == 0xaaaa && r7 == 0xbbbb, "return into a remapped page: %x then %x", r6, r7);

    /* one physical page at two virtual addresses: "lea 0(%rip), %rax; ret" there
     * returns the address it runs at, so a block entered for the wrong one shows */
    static const unsigned char where_am_i[] = { 0x48, 0x8d, 0x05, 0, 0, 0, 0, 0xc3 };
    memcpy(code_a, where_am_i, sizeof where_am_i);
    map_page(REMAP_VA, (uint64_t)(uintptr_t)code_a, true, false, false);
    map_page(REMAP_VA + 0x1000, (uint64_t)(uintptr_t)code_a, true, false, false);
    uint64_t bad = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t va = REMAP_VA + (uint64_t)(i & 1) * 0x1000, got;
        __asm__ volatile("call *%1" : "=a"(got) : "r"(va) : "memory");
        if (got != va + 7)
            bad++;
    }
    reportf(bad == 0, "call through a register into one page mapped twice: %lu wrong", bad);
    report_done();
}
