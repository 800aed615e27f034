/*
 * testsuite/satori.hyperv/syndbg.c: hv-syndbg as KVM implements it and
 * QEMU answers it without a debugger device (reference/hyperv.md 1.3,
 * 2.2, 3.2, 4.6), run with -smp 2 -cpu qemu64,hv-vpindex,hv-synic,
 * hv-relaxed,hv-syndbg (command line "syndbg-on"), and without hv-syndbg.
 *
 * With it: max leaf 0x40000082, "Microsoft VS", "VS#1", 0x40000082.EAX =
 * 2, 0x40000003.EDX bit 11; the SYNDBG MSRs store whole values and are
 * partition-wide (CPU 1 reads what CPU 0 wrote, firmware/smp); a CONTROL
 * write sets STATUS to what QEMU's hyperv_syndbg_send/recv answer with no
 * device (0); SYNDBG_OPTIONS reads 0 at start (QEMU's reset value without
 * a device); the debug hypercalls: fast Post/Retrieve -> 5, options bit 2
 * clear -> 8, set -> 2 (QEMU has no handler).  Without it: every SYNDBG
 * MSR #GPs and the slow debug calls answer 2.  No QEMU comparison.
 */
#include "hv-pv-guest.h"
#include "smp.h"

#define SYNDBG_CONTROL 0x400000f1u
#define SYNDBG_STATUS  0x400000f2u
#define SYNDBG_SEND    0x400000f3u
#define SYNDBG_RECV    0x400000f4u
#define SYNDBG_PENDING 0x400000f5u
#define SYNDBG_OPTIONS 0x400000ffu
#define HV_STATUS_OPERATION_DENIED 0x8

static uint8_t in_page[4096] __attribute__((aligned(4096)));
static uint8_t out_page[4096] __attribute__((aligned(4096)));

struct msr_read { uint32_t msr; uint64_t val; bool ok; };

static void read_msr_on_ap(void *arg)
{
    struct msr_read *r = arg;
    r->ok = rdmsr_safe(r->msr, &r->val);
}

static uint64_t dbg_call(uint16_t code, bool fast)
{
    return hv_vmcall(code | (fast ? HV_HCALL_FAST : 0), (uint64_t)in_page, (uint64_t)out_page, NULL);
}

static void with_syndbg(void)
{
    static const uint32_t msrs[] = {
        SYNDBG_STATUS, SYNDBG_SEND, SYNDBG_RECV, SYNDBG_PENDING, SYNDBG_OPTIONS,
    };
    uint32_t c[4];
    uint64_t v;

    cpuid(0x40000000, 0, c);
    reportf(c[0] == 0x40000082, "max leaf 0x40000082 with hv-syndbg (%x)", c[0]);
    cpuid(0x40000080, 0, c);
    reportf(c[0] == 0 && c[1] == 0x7263694d && c[2] == 0x666f736f && c[3] == 0x53562074,
            "0x40000080: \"Microsoft VS\" (%x %x %x %x)", c[0], c[1], c[2], c[3]);
    cpuid(0x40000081, 0, c);
    reportf(c[0] == 0x31235356, "0x40000081: \"VS#1\" (%x)", c[0]);
    cpuid(0x40000082, 0, c);
    reportf(c[0] == 2, "0x40000082.EAX = 2 (AllowKernelDebugging) (%x)", c[0]);
    cpuid(0x40000003, 0, c);
    reportf((c[3] & 0x800) && !(c[1] & 0x800),
            "0x40000003.EDX bit 11 set, EBX bit 11 (Debugging) clear (%x, %x)", c[3], c[1]);

    bool ok = rdmsr_safe(SYNDBG_OPTIONS, &v);
    reportf(ok && v == 0, "SYNDBG_OPTIONS reads 0: QEMU's reset value with no device (%lx)", v);

    /* stored whole, and partition-wide */
    for (unsigned i = 0; i < sizeof msrs / sizeof msrs[0]; i++) {
        uint64_t want = 0x1234567800000000ull | (i << 12) | 0xabc;
        ok = wrmsr_safe(msrs[i], want) && rdmsr_safe(msrs[i], &v);
        struct msr_read r = { msrs[i], 0, false };
        smp_call(1, read_msr_on_ap, &r);
        reportf(ok && v == want && r.ok && r.val == want,
                "MSR %x stores 0x%lx; CPU 1 reads the same (%lx, %lx)", msrs[i], want, v, r.val);
    }
    /* a CONTROL write goes to QEMU; with no device STATUS becomes 0 */
    ok = wrmsr_safe(SYNDBG_STATUS, 0x5) && wrmsr_safe(SYNDBG_CONTROL, 1 | (64u << 16));
    rdmsr_safe(SYNDBG_STATUS, &v);
    reportf(ok && v == 0, "CONTROL send: STATUS = HV_SYNDBG_STATUS_INVALID (0) (%lx)", v);
    rdmsr_safe(SYNDBG_CONTROL, &v);
    reportf(v == (1 | (64u << 16)), "CONTROL reads back what was written (%lx)", v);
    wrmsr_safe(SYNDBG_STATUS, 0x5);
    wrmsr_safe(SYNDBG_CONTROL, 2);
    rdmsr_safe(SYNDBG_STATUS, &v);
    reportf(v == 0, "CONTROL receive: STATUS 0 (%lx)", v);
    wrmsr_safe(SYNDBG_STATUS, 0x5);
    wrmsr_safe(SYNDBG_CONTROL, 0);
    rdmsr_safe(SYNDBG_STATUS, &v);
    reportf(v == 0, "CONTROL with neither bit: STATUS = success (0) (%lx)", v);
    wrmsr_safe(SYNDBG_STATUS, 0x5);
    wrmsr_safe(SYNDBG_PENDING, (uint64_t)out_page);
    rdmsr_safe(SYNDBG_STATUS, &v);
    reportf(v == 5, "PENDING_BUFFER write leaves STATUS alone (%lx)", v);

    /* hypercalls */
    wrmsr_safe(SYNDBG_OPTIONS, 0);
    uint64_t r1 = dbg_call(0x69, false), r2 = dbg_call(0x6a, false), r3 = dbg_call(0x6b, false);
    reportf(r1 == HV_STATUS_OPERATION_DENIED && r2 == HV_STATUS_OPERATION_DENIED &&
            r3 == HV_STATUS_OPERATION_DENIED,
            "options bit 2 clear: Post/Retrieve/Reset -> 8 (%lx %lx %lx)", r1, r2, r3);
    r1 = dbg_call(0x69, true);
    r2 = dbg_call(0x6a, true);
    r3 = dbg_call(0x6b, true);
    reportf(r1 == HV_STATUS_INVALID_PARAMETER && r2 == HV_STATUS_INVALID_PARAMETER &&
            r3 == HV_STATUS_OPERATION_DENIED,
            "fast: Post/Retrieve -> 5 first, Reset -> 8 (%lx %lx %lx)", r1, r2, r3);
    wrmsr_safe(SYNDBG_OPTIONS, 4);
    r1 = dbg_call(0x69, false);
    r2 = dbg_call(0x6a, false);
    r3 = dbg_call(0x6b, false);
    reportf(r1 == HV_STATUS_INVALID_HYPERCALL_CODE && r2 == HV_STATUS_INVALID_HYPERCALL_CODE &&
            r3 == HV_STATUS_INVALID_HYPERCALL_CODE,
            "options bit 2 set: passed to QEMU, no device -> 2 (%lx %lx %lx)", r1, r2, r3);
    r3 = dbg_call(0x6b, true);
    reportf(r3 == HV_STATUS_INVALID_HYPERCALL_CODE, "fast Reset with bit 2 set -> 2 (%lx)", r3);
}

static void without_syndbg(void)
{
    static const uint32_t msrs[] = {
        SYNDBG_CONTROL, SYNDBG_STATUS, SYNDBG_SEND, SYNDBG_RECV, SYNDBG_PENDING, SYNDBG_OPTIONS,
    };
    uint64_t v;

    for (unsigned i = 0; i < sizeof msrs / sizeof msrs[0]; i++)
        reportf(!rdmsr_safe(msrs[i], &v) && !wrmsr_safe(msrs[i], 0),
                "no hv-syndbg: MSR %x #GPs both ways", msrs[i]);
    uint64_t r1 = dbg_call(0x69, false), r3 = dbg_call(0x6b, false), r4 = dbg_call(0x69, true);
    reportf(r1 == HV_STATUS_INVALID_HYPERCALL_CODE && r3 == HV_STATUS_INVALID_HYPERCALL_CODE &&
            r4 == HV_STATUS_INVALID_PARAMETER,
            "no hv-syndbg: slow debug calls -> 2, fast Post -> 5 (%lx %lx %lx)", r1, r3, r4);
}

int main(void)
{
    hv_catch_faults();
    int up = smp_start(2);
    reportf(up == 2, "%d CPUs running", up);
    hv_identify();
    if (hv_cmdline_has("syndbg-on"))
        with_syndbg();
    else
        without_syndbg();
    report_done();
}
