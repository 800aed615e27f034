/* Deterministic time: with -icount the TSC is a function of the executed
 * instructions, so two runs print the same readings. */
#include "runtime.h"

int main(void)
{
    uint64_t sum = 0;
    for (int round = 0; round < 5; round++) {
        uint64_t t = rdtsc();
        for (int i = 0; i < 10000 * (round + 1); i++)
            sum = sum * 6364136223846793005ull + (uint64_t)i;
        printf("round %d tsc %lu checksum %lx\n", round, t, sum);
    }
    report_done();
}
