/* REG_SEQ(seq, v, want): run the asm text seq with rbx = v (rcx, rdx, rsi
 * and the flags free to use) and report whether rbx ends as want. */
#ifndef SATORI_TEST_REGSEQ_H
#define SATORI_TEST_REGSEQ_H

#include "runtime.h"

#define REG_SEQ(seq, v, want) do {                                                \
    uint64_t r = (v);                                                             \
    __asm__ volatile("mov %0, %%rbx\n\t" seq "\n\tmov %%rbx, %0"                   \
                     : "+r"(r) : : "rbx", "rcx", "rdx", "rsi", "cc", "memory");   \
    reportf(r == (want), "%s: %lx -> %lx (want %lx)", seq, (uint64_t)(v), r,      \
            (uint64_t)(want));                                                    \
} while (0)

#endif
