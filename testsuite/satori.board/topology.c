/*
 * testsuite/satori.board/topology.c: the -smp topology as the BSP's CPUID
 * shows it (SDM vol. 2A, CPUID leaf 01H EBX[23:16] and EDX.HTT, leaf 04H
 * EAX[31:26] cores per package - 1 and EAX[25:14] logical processors
 * sharing the cache - 1), for the caches satori describes (subleaves 0-2);
 * topology.exp runs it with several -smp forms and compares with QEMU.
 */
#include "runtime.h"

int main(void)
{
    uint32_t r[4];

    cpuid(1, 0, r);
    printf("leaf 1: logical per package %u, HTT %u\n", (r[1] >> 16) & 0xff, (r[3] >> 28) & 1);
    for (uint32_t sub = 0; sub < 3; sub++) {
        cpuid(4, sub, r);
        printf("leaf 4.%u: level %u, cores per package %u, sharing %u\n", sub, (r[0] >> 5) & 7,
               (r[0] >> 26) + 1, ((r[0] >> 14) & 0xfff) + 1);
    }
    report("topology: printed", true);
    report_done();
}
