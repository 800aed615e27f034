/*
 * testsuite/satori.hw/ipi-latency.c: an IPI to another vCPU is taken
 * while the sender waits for it, not after the sender's whole emulator
 * slice.  satori runs the vCPUs of -smp N round-robin on one host thread
 * (DESIGN.md: determinism), so the target can only run once the sender's
 * slice ends: a fixed IPI, an NMI or a PV IPI to another vCPU ends the
 * sender's slice at its next block boundary.  Run under -icount shift=0,
 * where the sender's wait is a count of instructions: CPU 1 idles in
 * STI; HLT, CPU 0 sends it 20 fixed IPIs (xAPIC ICR, physical destination
 * 1) and counts its own loop turns until CPU 1's handler has run.  A slice
 * is 200,000 instructions; the bound is 2,000 turns (about 8,000
 * instructions).  With "pv" on the command line (and -cpu ...,hv-vpindex,
 * hv-ipi) the IPIs are HvCallSendSyntheticClusterIpi fast hypercalls
 * (reference/hyperv.md: code 0x000b, RCX control, RDX vector, R8 VP set).
 */
#include "runtime.h"
#include "smp.h"
#include "../satori.hyperv/hv-guest.h"

#define VEC    0x50
#define ROUNDS 20

static volatile unsigned got;
static bool pv;
static uint8_t hcall_page[4096] __attribute__((aligned(4096)));

/* One IPI of VEC to CPU 1: xAPIC ICR, or the PV IPI hypercall. */
static bool send_to_1(void)
{
    if (!pv) {
        apic_write(0x310, 1u << 24);
        apic_write(0x300, VEC);             /* fixed, physical, no shorthand */
        return true;
    }
    uint64_t rax;
    register uint64_t r8 __asm__("r8") = 1u << 1;           /* VP set {1} */
    __asm__ volatile("vmcall" : "=a"(rax), "+r"(r8)
                     : "c"(0x000bull | (1ull << 16)), "d"((uint64_t)VEC) : "memory");
    return rax == 0;
}
static volatile int stop;

static void on_ipi(struct frame *f)
{
    (void)f;
    got++;
    apic_eoi();
}

static void idle_loop(void *arg)
{
    (void)arg;
    while (!stop)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
}

int main(void)
{
    unsigned worst = 0, missed = 0, failed = 0;

    if (smp_start(2) != 2) {
        report("CPU 1 started", false);
        report_done();
    }
    pv = hv_cmdline_has("pv");
    if (pv) {
        wrmsr(HV_MSR_GUEST_OS_ID, 0x8100000006080000ull);
        wrmsr(HV_MSR_HYPERCALL, (uint64_t)(uintptr_t)hcall_page | 1);
    }
    handle_exception(VEC, on_ipi);
    smp_run_on(1, idle_loop, NULL);
    for (int r = 0; r < ROUNDS; r++) {
        unsigned before = got, turns = 0;

        if (!send_to_1())
            failed++;
        while (got == before && turns < 10000000)
            { turns++; __asm__ volatile("pause"); }
        if (got == before)
            missed++;
        if (turns > worst)
            worst = turns;
    }
    reportf(failed == 0, "%s IPIs sent (%u failed)", pv ? "PV" : "ICR", failed);
    reportf(missed == 0, "CPU 1 took all %d IPIs (%u missed)", ROUNDS, missed);
    reportf(worst <= 2000, "the sender waited at most 2000 loop turns for each (worst %u)", worst);
    stop = 1;
    send_to_1();
    smp_wait(1);
    report_done();
}
