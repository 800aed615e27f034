/* Eight guest registers cached in host registers (cpu/native-regs.c:
 * r13 r14 r15 rbp and the caller-saved r8-r11).  One hot loop block uses
 * eleven guest registers, so every cache slot is taken, with byte and
 * word operands of them (r8b, r9w, r10b, r11w: the REX forms), a handler
 * call in the middle (BSWAP, after which every cached register is
 * reloaded), SETcc and ADC after it (the flags unknown: the condition and
 * carry helpers are called in the middle of the block, which must keep
 * r8-r11), a page-crossing store and load (soft-TLB misses: the slow
 * paths call the handler and reload), and a loop branch after a handler
 * call (a condition helper call, then round again in place, with the
 * cached registers still in host registers).  The same computation in C
 * gives the answers, and the output is compared with QEMU. */
#include "runtime.h"

static uint8_t page[8192] __attribute__((aligned(4096)));

struct regs {
    uint64_t a, c, d, s, di, r8, r9, r10, r11;
};

static uint64_t bswap64(uint64_t v)
{
    uint64_t r = 0;
    for (int i = 0; i < 8; i++)
        r = (r << 8) | ((v >> (8 * i)) & 0xff);
    return r;
}

/* the loop of run_asm(), one iteration, in C */
static void step(struct regs *g)
{
    g->c += g->a;
    g->d ^= g->c;
    g->s = g->s + 2 * g->d + 7;
    g->di += g->s;
    uint64_t old = g->r8;
    g->r8 += g->di;
    uint64_t cf = g->r8 < old;
    g->r9 = bswap64(g->r9);
    g->r10 = (g->r10 & ~0xffull) | cf;
    uint64_t res = g->r9 + g->r8 + cf;
    uint64_t cf2 = cf ? res <= g->r9 : res < g->r9;
    g->r9 = res;
    uint64_t s = g->s;
    g->s += cf2;
    uint64_t of = (~s & (s ^ g->s)) >> 63, sf = g->s >> 63;
    g->c = (g->c & ~0xffull) | (sf != of);
    g->r11 = g->r9 & 0xffff;                    /* through memory across the page end */
    g->r10 = (g->r10 & ~0xffull) | ((g->r10 + g->r8) & 0xff);
    g->r11 = (g->r11 + 1) & 0xffff;
    g->di = (g->di & ~0xffull) | ((g->di + g->c) & 0xff);
    g->r11 = (g->r11 & ~0xffffull) | ((g->r11 - g->c) & 0xffff);
    g->a -= g->r10;
    g->d = (uint64_t)(int64_t)(int8_t)g->di;
    g->r8 += g->r11;
    g->r10 = bswap64(g->r10);
}

static void run_asm(struct regs *g, uint64_t n)
{
    register uint64_t r8 __asm__("r8") = g->r8;
    register uint64_t r9 __asm__("r9") = g->r9;
    register uint64_t r10 __asm__("r10") = g->r10;
    register uint64_t r11 __asm__("r11") = g->r11;
    register uint64_t r12 __asm__("r12") = n;
    uint8_t *at = page + 4095;                  /* a word here crosses into the next page */

    __asm__ volatile("1:\n\t"
                     "add %%rax, %%rcx\n\t"
                     "xor %%rcx, %%rdx\n\t"
                     "lea 7(%%rsi,%%rdx,2), %%rsi\n\t"
                     "add %%rsi, %%rdi\n\t"
                     "add %%rdi, %%r8\n\t"
                     "bswap %%r9\n\t"
                     "setc %%r10b\n\t"
                     "adc %%r8, %%r9\n\t"
                     "adc $0, %%rsi\n\t"
                     "setl %%cl\n\t"
                     "movw %%r9w, (%%rbx)\n\t"
                     "movzwl (%%rbx), %%r11d\n\t"
                     "addb %%r8b, %%r10b\n\t"
                     "incw %%r11w\n\t"
                     "addb %%cl, %%dil\n\t"
                     "subw %%cx, %%r11w\n\t"
                     "sub %%r10, %%rax\n\t"
                     "movsbq %%dil, %%rdx\n\t"
                     "add %%r11, %%r8\n\t"
                     "dec %%r12\n\t"
                     "bswap %%r10\n\t"
                     "jnz 1b"
                     : "+a"(g->a), "+c"(g->c), "+d"(g->d), "+S"(g->s), "+D"(g->di),
                       "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11), "+r"(r12)
                     : "b"(at)
                     : "cc", "memory");
    g->r8 = r8;
    g->r9 = r9;
    g->r10 = r10;
    g->r11 = r11;
}

int main(void)
{
    static const uint64_t counts[] = { 1, 2, 3, 1000, 100000 };

    for (unsigned k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        struct regs seed = {
            0x0123456789abcdefull, 0xfedcba9876543210ull, 0x8000000000000001ull,
            0x00000000ffffffffull, 0x7fffffffffffffffull, 0xf0f0f0f0f0f0f0f0ull,
            0x1122334455667788ull, 0x99aabbccddeeff00ull, 0x0000ffff0000ffffull,
        };
        struct regs want = seed, got = seed;
        for (uint64_t i = 0; i < counts[k]; i++)
            step(&want);
        run_asm(&got, counts[k]);
        reportf(want.a == got.a && want.c == got.c && want.d == got.d && want.s == got.s
                && want.di == got.di && want.r8 == got.r8 && want.r9 == got.r9
                && want.r10 == got.r10 && want.r11 == got.r11,
                "%lu iterations: rax %lx rcx %lx rdx %lx rsi %lx rdi %lx r8 %lx r9 %lx "
                "r10 %lx r11 %lx", (unsigned long)counts[k], got.a, got.c, got.d, got.s,
                got.di, got.r8, got.r9, got.r10, got.r11);
        if (want.a != got.a || want.r8 != got.r8 || want.r9 != got.r9 || want.r10 != got.r10
            || want.r11 != got.r11)
            printf("  want: rax %lx rcx %lx rdx %lx rsi %lx rdi %lx r8 %lx r9 %lx r10 %lx "
                   "r11 %lx\n", want.a, want.c, want.d, want.s, want.di, want.r8, want.r9,
                   want.r10, want.r11);
    }
    report_done();
}
