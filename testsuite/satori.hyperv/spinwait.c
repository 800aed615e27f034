/*
 * testsuite/satori.hyperv/spinwait.c: HvNotifyLongSpinWait and the
 * spin-lock retry hint (reference/hyperv.md 1.2, 4.6).
 *
 * Run with -cpu qemu64,hv-vpindex,hv-spinlocks=0x1fff -d hyperv -D LOG.
 * CPUID 0x40000004.EBX carries the retry count; the call (code 0x0008)
 * succeeds fast and slow and is refused with status 3 when it has a rep
 * count or a variable header.  The guest prints how many calls it made
 * and how many succeeded; the .exp compares that with the hyperv log,
 * which names every call and counts the yields.  The refused calls come
 * first so the last logged call is a successful one.
 */
#include "hv-guest.h"

#define GUEST_ID 0x8100000006080000ull
#define HVCALL_NOTIFY_LONG_SPIN_WAIT 0x0008
#define ROUNDS 5

int main(void)
{
    uint32_t regs[4];
    unsigned calls = 0, yields = 0;
    uint64_t r;
    bool ud;

    hv_catch_faults();
    cpuid(0x40000004, 0, regs);
    reportf(regs[1] == 0x1fff, "CPUID 0x40000004.EBX = 0x1fff (got %x)", regs[1]);
    wrmsr_safe(HV_MSR_GUEST_OS_ID, GUEST_ID);

    r = hv_vmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HCALL_FAST | HV_HCALL_REP_COUNT(1), 0, 0, &ud);
    calls++;
    reportf(!ud && r == HV_STATUS_INVALID_HYPERCALL_INPUT, "rep count 1 -> 3 (got %lx)", r);
    r = hv_vmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HCALL_VARHEAD(1), 0, 0, &ud);
    calls++;
    reportf(!ud && r == HV_STATUS_INVALID_HYPERCALL_INPUT, "var_cnt 1 -> 3 (got %lx)", r);

    bool fast_ok = true, slow_ok = true;
    for (int i = 0; i < ROUNDS; i++) {
        r = hv_vmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HCALL_FAST, 0, 0, &ud);
        calls++;
        if (!ud && r == HV_STATUS_SUCCESS)
            yields++;
        else
            fast_ok = false;
        r = hv_vmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT, 0, 0, &ud);
        calls++;
        if (!ud && r == HV_STATUS_SUCCESS)
            yields++;
        else
            slow_ok = false;
    }
    report("HvNotifyLongSpinWait fast -> 0", fast_ok);
    report("HvNotifyLongSpinWait slow -> 0", slow_ok);
    printf("spinwait: calls %u yields %u\n", calls, yields);
    report_done();
}
