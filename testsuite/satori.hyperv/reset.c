/*
 * testsuite/satori.hyperv/reset.c: HV_X64_MSR_RESET (reference/hyperv.md
 * 3.2, 3.6, 2.3).
 *
 * Run with -cpu qemu64,hv-vpindex,hv-reset.  The guest keeps its state in
 * RAM above the image (a reset does not clear RAM, as on QEMU) and goes
 * through stages: writing RESET = 2 and RESET = 0 must not reset; writing
 * 1 resets the whole machine, which re-enters the guest at its entry
 * point; the second boot finds stage 3 and reports the reboot.  A reset
 * seen in any other stage is a failure.  The partition-wide MSRs are back
 * at their reset values (GUEST_OS_ID and HYPERCALL 0) on the second boot.
 * With -no-reboot the RESET write ends the run (status 0, no PASS for
 * the reboot).
 */
#include "hv-guest.h"

#define STATE_ADDR 0x800000ull
#define MAGIC      0x5441455345525648ull   /* "HVRESETA" */
#define GUEST_ID   0x8100000006080000ull

struct reset_state {
    volatile uint64_t magic;
    volatile uint64_t stage;
    volatile uint64_t boots;
};

static void second_boot(struct reset_state *s)
{
    uint64_t v = ~0ull;

    s->boots++;
    printf("boot %lu, stage %lu\n", s->boots, s->stage);
    switch (s->stage) {
    case 1:
        report("RESET = 2 did not reset", false);
        break;
    case 2:
        report("RESET = 0 did not reset", false);
        break;
    case 3:
        report("rebooted by HV_X64_MSR_RESET", true);
        rdmsr_safe(HV_MSR_GUEST_OS_ID, &v);
        reportf(v == 0, "GUEST_OS_ID is 0 after the reset (got %lx)", v);
        rdmsr_safe(HV_MSR_HYPERCALL, &v);
        reportf(v == 0, "HYPERCALL is 0 after the reset (got %lx)", v);
        break;
    default:
        reportf(false, "unexpected reset in stage %lu", s->stage);
        break;
    }
    s->magic = 0;
    report_done();
}

int main(void)
{
    struct reset_state *s = (struct reset_state *)STATE_ADDR;
    uint64_t v = ~0ull;
    bool ok;

    hv_catch_faults();
    if (s->magic == MAGIC)
        second_boot(s);

    s->magic = MAGIC;
    s->boots = 0;
    s->stage = 0;

    uint32_t regs[4];
    cpuid(0x40000003, 0, regs);
    reportf(regs[0] & (1u << 7), "CPUID 0x40000003.EAX bit 7 (RESET MSR) set (eax %x)", regs[0]);
    ok = rdmsr_safe(HV_MSR_RESET, &v);
    reportf(ok && v == 0, "RESET reads 0 (got %lx%s)", v, ok ? "" : ", #GP");
    wrmsr_safe(HV_MSR_GUEST_OS_ID, GUEST_ID);
    wrmsr_safe(HV_MSR_HYPERCALL, 0x7000);
    rdmsr_safe(HV_MSR_HYPERCALL, &v);
    reportf(v == 0x7000, "HYPERCALL holds 0x7000 before the reset (got %lx)", v);

    s->stage = 1;
    ok = wrmsr_safe(HV_MSR_RESET, 2);
    report("RESET = 2 is ignored without #GP", ok);
    s->stage = 2;
    ok = wrmsr_safe(HV_MSR_RESET, 0);
    report("RESET = 0 is ignored without #GP", ok);

    s->stage = 3;
    printf("writing RESET = 1\n");
    wrmsr_safe(HV_MSR_RESET, 1);
    s->stage = 4;
    s->magic = 0;
    report("still running after RESET = 1", false);
    report_done();
}
