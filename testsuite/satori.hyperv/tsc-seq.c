/*
 * testsuite/satori.hyperv/tsc-seq.c: the TSC page sequence protocol
 * across a change of the guest TSC (reference/hyperv.md 7.3, 7.4).
 *
 * Run with -cpu qemu64,hv-vpindex,hv-time.  Writing IA32_TSC to a much
 * smaller value changes the TSC -> reference time mapping, so the page
 * must be republished with a new sequence (not 0) and reference time read
 * through it must stay continuous: no step back, no step forward over
 * 1 ms.  Disabling the page (bit 0 = 0) leaves its contents alone, even
 * across a further TSC write (1 s forward, across which TIME_REF_COUNT
 * must not jump); re-enabling publishes with a new sequence.
 */
#include "hv-guest.h"

#define IA32_TSC 0x10u
#define ONE_MS   10000u          /* reference units are 100 ns */

static uint8_t tsc_page[4096] __attribute__((aligned(4096)));

static uint64_t ref_msr(void)
{
    uint64_t v = 0;

    rdmsr_safe(HV_MSR_TIME_REF_COUNT, &v);
    return v;
}

/* t1 follows t0 without a step back and at most max units forward. */
static bool continuous(uint64_t t0, uint64_t t1, uint64_t max)
{
    return t1 >= t0 && t1 - t0 <= max;
}

int main(void)
{
    const struct hv_tsc_page *p = (const struct hv_tsc_page *)tsc_page;
    uint64_t pa = (uint64_t)tsc_page;
    uint64_t t0 = 0, t1 = 0, m0, m1, tsc0, tsc1;
    uint8_t snap[24];

    hv_catch_faults();
    uint32_t regs[4];
    cpuid(0x40000003, 0, regs);
    reportf(regs[0] & (1u << 9), "CPUID 0x40000003.EAX bit 9 (REFERENCE_TSC) set (eax %x)",
            regs[0]);
    /* let the TSC grow well above the value written below */
    while (rdtsc() < 250000000ull)
        ;

    wrmsr_safe(HV_MSR_REFERENCE_TSC, pa | 1);
    uint32_t seq0 = p->tsc_sequence;
    reportf(seq0 != 0 && seq0 != 0xffffffffu, "page published (seq %x)", seq0);
    bool ok0, ok1, ok;

    /* warm up the code paths measured below */
    tsc_page_read(p, &t0);
    ref_msr();

    /*
     * 1. TSC write with the page enabled.  Real time passes on the host
     * between the two readings, so a host preemption can exceed 1 ms:
     * up to three attempts, each a fresh backward step of the TSC; every
     * one must republish and must not step back.
     */
    bool republished = true, back = false, fwd_ok = false, took = true, agree = true;
    for (int attempt = 0; attempt < 3 && !fwd_ok; attempt++) {
        uint32_t seq_before = p->tsc_sequence;
        ok0 = tsc_page_read(p, &t0);
        tsc0 = rdtsc();
        ok = wrmsr_safe(IA32_TSC, 1000000);
        tsc1 = rdtsc();
        ok1 = tsc_page_read(p, &t1);
        m1 = ref_msr();
        uint32_t seq_after = p->tsc_sequence;
        printf("attempt %d: tsc %lu -> %lu, seq %x -> %x, page time %lu -> %lu, msr %lu\n",
               attempt, tsc0, tsc1, seq_before, seq_after, t0, t1, m1);
        if (!ok || tsc1 >= tsc0 || tsc1 >= 100000000ull)
            took = false;
        if (seq_after == seq_before || seq_after == 0)
            republished = false;
        if (!ok0 || !ok1 || t1 < t0)
            back = true;
        else if (t1 - t0 <= ONE_MS)
            fwd_ok = true;
        if (!ok1 || t1 > m1 || m1 - t1 > 100000)
            agree = false;
    }
    report("IA32_TSC write took effect", took);
    report("TSC write republishes with a new sequence", republished);
    report("page time does not step back across the TSC write", !back);
    report("page time does not step forward over 1 ms across the TSC write", !back && fwd_ok);
    report("page time agrees with TIME_REF_COUNT after the TSC write", agree);

    /* 2. disable: page left as it was (7.4) */
    memcpy(snap, tsc_page, sizeof snap);
    ok = wrmsr_safe(HV_MSR_REFERENCE_TSC, pa);
    report("disable does not #GP", ok);
    report("disable leaves the page contents", memcmp(snap, tsc_page, sizeof snap) == 0);

    /*
     * a further TSC change while disabled, one second forward: page still
     * untouched, TIME_REF_COUNT continuous (10 ms allowed here: this is
     * not the check of the 1 ms rule, only of the absence of a jump)
     */
    m0 = ref_msr();
    wrmsr_safe(IA32_TSC, rdtsc() + 2500000000ull);
    m1 = ref_msr();
    report("page untouched by a TSC write while disabled",
           memcmp(snap, tsc_page, sizeof snap) == 0);
    reportf(continuous(m0, m1, 10 * ONE_MS),
            "TIME_REF_COUNT continuous across a TSC write 1 s forward (%lu -> %lu)", m0, m1);

    /* 3. re-enable: new sequence, agrees with the MSR */
    uint32_t seq2 = p->tsc_sequence;
    wrmsr_safe(HV_MSR_REFERENCE_TSC, pa | 1);
    uint32_t seq3 = p->tsc_sequence;
    reportf(seq3 != seq2 && seq3 != 0 && seq3 != 0xffffffffu,
            "re-enable publishes with a new sequence (%x -> %x)", seq2, seq3);
    ok = tsc_page_read(p, &t1);
    m1 = ref_msr();
    reportf(ok && continuous(m0, t1, 10 * ONE_MS) && t1 <= m1 && m1 - t1 <= 10 * ONE_MS,
            "page time after re-enable %lu within [%lu, %lu]", t1, m0, m1);

    report_done();
}
