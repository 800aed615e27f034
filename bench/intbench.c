/*
 * bench/intbench.c: integer workload guest.  Four kernels written in
 * assembly so their instruction counts are known exactly: an ALU loop,
 * loads and stores, calls and returns, and a byte-copy loop.  Prints the
 * total number of guest instructions it executed (startup excluded) so the
 * runner can turn wall time into MIPS.
 */
#include "runtime.h"

#define ITER 20000000ul

static uint8_t src[4096], dst[4096];
static uint64_t table[512];

__asm__(".globl bench_leaf\nbench_leaf: ret\n");

int main(void)
{
    uint64_t n, insns = 0;

    /* ALU: 8 instructions per iteration */
    n = ITER;
    __asm__ volatile("xor %%eax, %%eax; mov $3, %%ebx\n"
                     "1: add %%rbx, %%rax\n xor $0x55, %%rax\n imul $7, %%rax, %%rax\n"
                     "   shr $1, %%rax\n sub %%rbx, %%rax\n and $0xffffff, %%rax\n"
                     "   dec %0\n jnz 1b"
                     : "+r"(n) :: "rax", "rbx", "cc");
    insns += 2 + ITER * 8;

    /* loads and stores: 7 instructions per iteration */
    n = ITER;
    __asm__ volatile("xor %%ecx, %%ecx\n"
                     "1: mov %%rcx, %%rax\n and $511, %%eax\n mov (%1,%%rax,8), %%rdx\n"
                     "   add %%rcx, %%rdx\n mov %%rdx, (%1,%%rax,8)\n inc %%rcx\n cmp %0, %%rcx\n"
                     "   jb 1b"
                     :: "r"(n), "r"(table) : "rax", "rcx", "rdx", "memory", "cc");
    insns += 1 + ITER * 8;

    /* calls: call, ret, dec, jnz = 4 per iteration */
    n = ITER;
    __asm__ volatile("1: call bench_leaf\n dec %0\n jnz 1b" : "+r"(n) :: "memory", "cc");
    insns += ITER * 4;

    /* byte copy: 5 instructions per byte */
    for (int r = 0; r < 2000; r++) {
        uint64_t i = 0;
        __asm__ volatile("1: mov (%1,%0), %%al\n mov %%al, (%2,%0)\n inc %0\n cmp $4096, %0\n jb 1b"
                         : "+r"(i) : "r"(src), "r"(dst) : "rax", "memory", "cc");
    }
    insns += 2000ul * 4096 * 5;
    printf("intbench: %lu instructions in the kernels\n", insns);
    return 0;
}
