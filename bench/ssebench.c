/*
 * bench/ssebench.c: the SSE2 idioms compilers emit for memcpy, memset and
 * strlen (MOVDQU/MOVDQA loads and stores, PXOR, PCMPEQB, PMOVMSKB), in
 * assembly so the instruction counts are known exactly.  Prints the total
 * number of guest instructions it executed, as intbench does.
 */
#include "runtime.h"

#define REPS 20000ul

static uint8_t src[4096] __attribute__((aligned(16))), dst[4096] __attribute__((aligned(16)));

int main(void)
{
    uint64_t insns = 0;

    write_cr4(read_cr4() | (1ul << 9) | (1ul << 10));      /* OSFXSR, OSXMMEXCPT */
    write_cr0(read_cr0() & ~0xcul);                         /* EM, TS clear */
    for (int i = 0; i < 4096; i++)
        src[i] = (uint8_t)(i % 255 + 1);
    /* memcpy: 5 instructions per 16 bytes */
    for (uint64_t r = 0; r < REPS; r++) {
        uint64_t i = 0;
        __asm__ volatile("1: movdqu (%1,%0), %%xmm0\n movdqu %%xmm0, (%2,%0)\n add $16, %0\n"
                         "   cmp $4096, %0\n jb 1b"
                         : "+r"(i) : "r"(src), "r"(dst) : "memory", "cc");
    }
    insns += REPS * 256 * 5;
    /* memset: pxor, then 4 instructions per 16 bytes */
    for (uint64_t r = 0; r < REPS; r++) {
        uint64_t i = 0;
        __asm__ volatile("pxor %%xmm0, %%xmm0\n"
                         "1: movdqa %%xmm0, (%1,%0)\n add $16, %0\n cmp $4096, %0\n jb 1b"
                         : "+r"(i) : "r"(dst) : "memory", "cc");
    }
    insns += REPS * (1 + 256 * 4);
    /* strlen's scan (no zero byte in src): pxor, then 8 instructions per 16 bytes */
    for (uint64_t r = 0; r < REPS; r++) {
        uint64_t i = 0;
        __asm__ volatile("pxor %%xmm1, %%xmm1\n"
                         "1: movdqa (%1,%0), %%xmm0\n pcmpeqb %%xmm1, %%xmm0\n"
                         "   pmovmskb %%xmm0, %%eax\n test %%eax, %%eax\n jnz 2f\n"
                         "   add $16, %0\n cmp $4096, %0\n jb 1b\n2:"
                         : "+r"(i) : "r"(src) : "rax", "memory", "cc");
    }
    insns += REPS * (1 + 256 * 8);
    printf("ssebench: %lu instructions in the kernels\n", insns);
    return 0;
}
