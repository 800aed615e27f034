/*
 * testsuite/satori.hyperv/xmm.c: XMM fast hypercall input (hv-xmm-input;
 * reference/hyperv.md 4.1 step 5, 4.5, 2.2).  Fast calls 0x2, 0x3, 0x13,
 * 0x14 and 0x15 take their input from RDX, R8 and then XMM0-XMM5 (twelve
 * 64-bit halves, low first); the counts of KVM's kvm_hv_get_hc_data:
 * more banks or GVAs than the halves left -> status 3; a GVA list is only
 * read (so only checked) when it has at most 15 entries; the Ex "all"
 * format still skips its var_cnt banks before the GVAs.  CPUID
 * 0x40000003.EDX bit 4 is set by hv-xmm-input.  With hv-enforce-cpuid and
 * without that bit, those five fast calls raise #UD (not a status) while
 * fast 0xb (no XMM input) and memory-input calls do not.
 * Command line: "with-xmm-input" = hv-xmm-input given; "expect-ud" = expect the #UD.
 * No QEMU comparison (TCG has no Hyper-V).
 */
#include "hv-pv-guest.h"

#define VEC 0x50

static volatile int taken;
static uint64_t q[12];

static void on_vec(struct frame *f)
{
    taken++;
    apic_eoi();
}

static uint64_t fast(uint64_t control, uint64_t rdx, uint64_t r8, bool *ud)
{
    return hv_vmcall_xmm(control, rdx, r8, q, ud);
}

static void counts(void)
{
    uint64_t r;

    /* List: XMM0.lo mask, GVAs from XMM0.hi: 11 halves left */
    memset(q, 0, sizeof q);
    q[0] = 1;
    r = fast(HVCALL_FLUSH_LIST | HV_HCALL_REP_COUNT(11), 0, 0, NULL);
    reportf(hv_status(r) == 0 && hv_reps(r) == 11, "List, 11 GVAs in the 11 halves left: 11 reps (%lx)", r);
    r = fast(HVCALL_FLUSH_LIST | HV_HCALL_REP_COUNT(12), 0, 0, NULL);
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "List, 12 GVAs: more than the halves left, status 3 (%lx)", r);
    r = fast(HVCALL_FLUSH_LIST | HV_HCALL_REP_COUNT(15), 0, 0, NULL);
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "List, 15 GVAs (read, KVM queues up to 15): status 3 (%lx)", r);
    r = fast(HVCALL_FLUSH_LIST | HV_HCALL_REP_COUNT(16), 0, 0, NULL);
    reportf(hv_status(r) == 0 && hv_reps(r) == 16,
            "List, 16 GVAs: too many to queue, not read, whole flush: 16 reps (%lx)", r);

    /* ListEx sparse: XMM0 = format, valid mask; banks, then GVAs */
    memset(q, 0, sizeof q);
    q[1] = 0x1ff;
    r = fast(HVCALL_FLUSH_LIST_EX | HV_HCALL_VARHEAD(9) | HV_HCALL_REP_COUNT(1), 0, 0, NULL);
    reportf(hv_status(r) == 0 && hv_reps(r) == 1, "ListEx, 9 banks + 1 GVA = 10 halves after XMM0: 1 rep (%lx)", r);
    q[1] = 0x3ff;
    r = fast(HVCALL_FLUSH_LIST_EX | HV_HCALL_VARHEAD(10) | HV_HCALL_REP_COUNT(1), 0, 0, NULL);
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "ListEx, 10 banks + 1 GVA: no half left for the GVA, status 3 (%lx)", r);
    q[1] = 0x7ff;
    r = fast(HVCALL_FLUSH_SPACE_EX | HV_HCALL_VARHEAD(11), 0, 0, NULL);
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "SpaceEx, 11 banks in 10 halves: status 3 (%lx)", r);

    /* format ALL: the banks are skipped, the GVAs still come after them */
    q[0] = HV_GENERIC_SET_ALL;
    q[1] = 0x7;
    r = fast(HVCALL_FLUSH_LIST_EX | HV_HCALL_VARHEAD(3) | HV_HCALL_REP_COUNT(7), 0, 0, NULL);
    reportf(hv_status(r) == 0 && hv_reps(r) == 7, "ListEx ALL, 3 banks + 7 GVAs = all 12 halves: 7 reps (%lx)", r);
    r = fast(HVCALL_FLUSH_LIST_EX | HV_HCALL_VARHEAD(3) | HV_HCALL_REP_COUNT(8), 0, 0, NULL);
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "ListEx ALL, 3 banks + 8 GVAs: status 3 (%lx)", r);

    /* SendIpiEx: XMM0.lo valid mask, banks from XMM0.hi (11 halves) */
    memset(q, 0, sizeof q);
    q[0] = 0x7ff;
    r = fast(HVCALL_SEND_IPI_EX | HV_HCALL_VARHEAD(11), VEC, HV_GENERIC_SET_SPARSE_4K, NULL);
    reportf(r == 0, "SendIpiEx, 11 empty banks: status 0 (%lx)", r);
    q[0] = 0xfff;
    r = fast(HVCALL_SEND_IPI_EX | HV_HCALL_VARHEAD(12), VEC, HV_GENERIC_SET_SPARSE_4K, NULL);
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "SendIpiEx, 12 banks: status 3 (%lx)", r);

    /* the bank really comes from XMM0.hi: VP 0 (this CPU) takes the vector */
    q[0] = 1;
    q[1] = 1;
    taken = 0;
    r = fast(HVCALL_SEND_IPI_EX | HV_HCALL_VARHEAD(1), VEC, HV_GENERIC_SET_SPARSE_4K, NULL);
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
    reportf(r == 0 && taken == 1, "SendIpiEx, bank {0} in XMM0.hi: taken here (%lx, %d)", r, taken);
    q[1] = 2;
    r = fast(HVCALL_SEND_IPI_EX | HV_HCALL_VARHEAD(1), VEC, HV_GENERIC_SET_SPARSE_4K, NULL);
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
    reportf(r == 0 && taken == 1, "SendIpiEx, bank {1} in XMM0.hi: not here (%lx, %d)", r, taken);
}

static void enforce_ud(void)
{
    static const uint16_t codes[] = {
        HVCALL_FLUSH_SPACE, HVCALL_FLUSH_LIST, HVCALL_FLUSH_SPACE_EX, HVCALL_FLUSH_LIST_EX,
        HVCALL_SEND_IPI_EX,
    };
    bool ud;
    uint64_t r;

    memset(q, 0, sizeof q);
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        uint64_t c = codes[i] | (codes[i] == HVCALL_FLUSH_LIST || codes[i] == HVCALL_FLUSH_LIST_EX
                                 ? HV_HCALL_REP_COUNT(1) : 0);
        r = fast(c, VEC, 0, &ud);
        reportf(ud, "enforce without the XMM bit: fast 0x%04x raises #UD (%lx)", codes[i], r);
    }
    r = hv_vmcall(HVCALL_SEND_IPI | HV_HCALL_FAST, VEC, 0, &ud);
    reportf(!ud && r == 0, "fast 0x000b takes no XMM input: no #UD, status 0 (%lx)", r);
    static uint8_t page[4096] __attribute__((aligned(4096)));
    r = hv_vmcall(HVCALL_FLUSH_SPACE, (uint64_t)page, 0, &ud);
    reportf(!ud && r == 0, "memory-input 0x0002: no #UD, status 0 (%lx)", r);
}

int main(void)
{
    uint32_t c[4];

    hv_catch_faults();
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    handle_exception(VEC, on_vec);
    apic_write(0xf0, 0x1ff);
    cpuid(0x40000003, 0, c);
    bool want = hv_cmdline_has("with-xmm-input");
    reportf(!!(c[3] & 0x10) == want, "0x40000003.EDX bit 4 (XMM input) %s (%x)",
            want ? "set" : "clear", c[3]);
    hv_identify();
    if (hv_cmdline_has("expect-ud"))
        enforce_ud();
    else
        counts();
    report_done();
}
