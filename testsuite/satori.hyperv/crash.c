/*
 * testsuite/satori.hyperv/crash.c: guest crash MSRs (reference/hyperv.md
 * 3.2, 3.6).
 *
 * Run with -cpu qemu64,hv-vpindex,hv-crash.  CRASH_CTL reads bit 63
 * (CRASH_NOTIFY supported); P0-P4 are stored; writing CRASH_CTL with bit
 * 63 reports a guest panic with P0-P4.  With the default -action
 * panic=shutdown the run ends there (exit status 0); the .exp checks the
 * panic line.  With -action panic=none (and -append panic=none, so the
 * guest knows) the guest continues and checks the MSRs afterwards.
 */
#include "hv-guest.h"

#define CRASH_NOTIFY (1ull << 63)

int main(void)
{
    static const uint64_t param[5] = { 0x11, 0x22, 0x33, 0x44, 0x55 };
    bool expect_continue = hv_cmdline_has("panic=none");
    uint64_t v = 0;
    bool ok;

    hv_catch_faults();
    uint32_t regs[4];
    cpuid(0x40000003, 0, regs);
    reportf(regs[3] & (1u << 10), "CPUID 0x40000003.EDX bit 10 (crash MSRs) set (edx %x)", regs[3]);

    ok = rdmsr_safe(HV_MSR_CRASH_CTL, &v);
    reportf(ok && v == CRASH_NOTIFY, "CRASH_CTL reads 0x8000000000000000 (got %lx)", v);
    bool stored = true;
    for (unsigned i = 0; i < 5; i++) {
        ok = wrmsr_safe(HV_MSR_CRASH_P0 + i, param[i]);
        rdmsr_safe(HV_MSR_CRASH_P0 + i, &v);
        if (!ok || v != param[i])
            stored = false;
    }
    report("CRASH_P0-P4 store their values", stored);

    printf("writing CRASH_CTL = CRASH_NOTIFY\n");
    wrmsr_safe(HV_MSR_CRASH_CTL, CRASH_NOTIFY);
    if (!expect_continue) {
        printf("FAIL: still running after crash\n");
        exit(1);
    }

    report("continued after the crash notification with -action panic=none", true);
    rdmsr_safe(HV_MSR_CRASH_CTL, &v);
    reportf(v == CRASH_NOTIFY, "CRASH_CTL still reads 0x8000000000000000 (got %lx)", v);
    rdmsr_safe(HV_MSR_CRASH_P0 + 4, &v);
    reportf(v == 0x55, "CRASH_P4 kept its value (got %lx)", v);
    report_done();
}
