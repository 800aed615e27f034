/*
 * testsuite/satori.hyperv/tsc-page.c: the reference TSC page
 * (reference/hyperv.md 7.2-7.5) against TIME_REF_COUNT and RDTSC.
 *
 * Run with -cpu qemu64,hv-vpindex,hv-time (virtual TSC 2.5 GHz).  Checks:
 * enabling publishes a valid sequence; scale is floor(2^64 * 10^7 / f)
 * for f = 2.5 GHz; the TLFS read algorithm (7.3) gives a value at most
 * TIME_REF_COUNT read just after and within 10 ms of it; page time and the
 * MSR both run at 10 MHz against the TSC (within 0.1 %); only the first
 * 24 bytes of the page are written; bits 11:1 of the MSR are stored.
 */
#include "hv-guest.h"

#define SCALE_2_5GHZ 0x010624dd2f1a9fbeul   /* 7.5 */
#define TSC_HZ       2500000000ull

static uint8_t tsc_page[4096] __attribute__((aligned(4096)));

/* |a - b| <= b / 1000 */
static bool within_permille(uint64_t a, uint64_t b)
{
    uint64_t d = a > b ? a - b : b - a;
    return d <= b / 1000;
}

/*
 * Reference time over a busy loop of the given TSC ticks, each reading
 * paired with an RDTSC just before it: r[0] = page delta * 250 against
 * r[1] = its TSC delta, r[2] = MSR delta * 250 against r[3].
 */
static void measure(const struct hv_tsc_page *p, uint64_t ticks, uint64_t r[4])
{
    uint64_t a0, a1, b0, b1, m0 = 0, m1 = 0, p0 = 0, p1 = 0;

    a0 = rdtsc();
    rdmsr_safe(HV_MSR_TIME_REF_COUNT, &m0);
    b0 = rdtsc();
    tsc_page_read(p, &p0);
    while (rdtsc() - b0 < ticks)
        ;
    a1 = rdtsc();
    rdmsr_safe(HV_MSR_TIME_REF_COUNT, &m1);
    b1 = rdtsc();
    tsc_page_read(p, &p1);
    r[0] = p1 > p0 ? (p1 - p0) * 250 : 0;
    r[1] = b1 - b0;
    r[2] = m1 > m0 ? (m1 - m0) * 250 : 0;
    r[3] = a1 - a0;
}

int main(void)
{
    const struct hv_tsc_page *p = (const struct hv_tsc_page *)tsc_page;
    uint64_t pa = (uint64_t)tsc_page;
    uint64_t v = 0, tp = 0, tm = 0, r[4];
    uint32_t regs[4];
    bool ok;

    hv_catch_faults();
    cpuid(0x40000003, 0, regs);
    reportf((regs[0] & 0x202) == 0x202,
            "CPUID 0x40000003.EAX has TIME_REF_COUNT and REFERENCE_TSC (eax %x)", regs[0]);
    memset(tsc_page + 24, 0xa5, sizeof tsc_page - 24);

    ok = wrmsr_safe(HV_MSR_REFERENCE_TSC, pa | 1);
    report("REFERENCE_TSC enable does not #GP", ok);
    rdmsr_safe(HV_MSR_REFERENCE_TSC, &v);
    reportf(v == (pa | 1), "REFERENCE_TSC reads back %lx (got %lx)", pa | 1, v);
    reportf(p->tsc_sequence != 0 && p->tsc_sequence != 0xffffffffu,
            "sequence is valid after enable (got %x)", p->tsc_sequence);
    reportf(p->tsc_scale == SCALE_2_5GHZ, "scale is %lx for 2.5 GHz (got %lx)",
            SCALE_2_5GHZ, p->tsc_scale);
    bool tail = true;
    for (size_t i = 24; i < sizeof tsc_page; i++)
        if (tsc_page[i] != 0xa5)
            tail = false;
    report("only the first 24 bytes of the page are written", tail);

    /* Page time vs TIME_REF_COUNT read right after (7.5: MSR >= page, < 10 ms). */
    ok = tsc_page_read(p, &tp);
    bool okm = rdmsr_safe(HV_MSR_TIME_REF_COUNT, &tm);
    report("TIME_REF_COUNT readable", okm);
    reportf(ok && okm && tp <= tm && tm - tp <= 100000,
            "page time %lu <= TIME_REF_COUNT %lu within 10 ms", tp, tm);
    reportf(ok && tp > 0 && tp < 600000000ull,
            "reference time counts from VM start (%lu units, under 60 s)", tp);

    /* Rates: 10 MHz reference time against the 2.5 GHz TSC. */
    measure(p, TSC_HZ / 1000, r);      /* warm-up: translate the code first */
    measure(p, TSC_HZ / 10, r);        /* 100 ms of virtual time */
    reportf(within_permille(r[0], r[1]),
            "page time runs at 10 MHz of TSC (ref*250 %lu vs tsc %lu)", r[0], r[1]);
    reportf(within_permille(r[2], r[3]),
            "TIME_REF_COUNT runs at 10 MHz of TSC (ref*250 %lu vs tsc %lu)", r[2], r[3]);

    /* Bits 11:1 are stored verbatim (3.1); the page stays valid. */
    uint32_t seq = p->tsc_sequence;
    ok = wrmsr_safe(HV_MSR_REFERENCE_TSC, pa | 0xffe | 1);
    rdmsr_safe(HV_MSR_REFERENCE_TSC, &v);
    reportf(ok && v == (pa | 0xfff), "REFERENCE_TSC keeps bits 11:1 (wrote %lx, got %lx)",
            pa | 0xfff, v);
    reportf(p->tsc_sequence != 0 && p->tsc_scale == SCALE_2_5GHZ,
            "page valid after rewrite (seq %x -> %x)", seq, p->tsc_sequence);
    ok = tsc_page_read(p, &tp);
    rdmsr_safe(HV_MSR_TIME_REF_COUNT, &tm);
    reportf(ok && tp <= tm && tm - tp <= 100000,
            "page time %lu <= TIME_REF_COUNT %lu after rewrite", tp, tm);

    report_done();
}
