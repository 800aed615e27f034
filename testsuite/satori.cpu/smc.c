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
    report_done();
}
