/*
 * testsuite/satori.hyperv/hcall-page.c: the hypercall page and the
 * GUEST_OS_ID / HYPERCALL MSR pair (reference/hyperv.md 3.2, 3.3, 4.1).
 *
 * Run with -cpu qemu64,hv-vpindex.  Checks: a HYPERCALL write before
 * GUEST_OS_ID is set is ignored; once it is set, enabling the page writes
 * exactly VMCALL; RET (0F 01 C1 C3, GenuineIntel guest) at offset 0 and
 * nothing else; the MSR reads back verbatim (bits 11:1 too); calls through
 * the page return the statuses of 4.6; GUEST_OS_ID = 0 clears HYPERCALL
 * bit 0 and makes later HYPERCALL writes ignored again.
 */
#include "hv-guest.h"

#define GUEST_ID 0x8100000006080000ull   /* Linux-style id (section 11.1 #7) */

static uint8_t hc_page[4096] __attribute__((aligned(4096)));

static const uint8_t vmcall_ret[4] = { 0x0f, 0x01, 0xc1, 0xc3 };

/* True if bytes [from, 4096) of the page all hold v. */
static bool page_tail_is(size_t from, uint8_t v)
{
    for (size_t i = from; i < sizeof hc_page; i++)
        if (hc_page[i] != v)
            return false;
    return true;
}

int main(void)
{
    uint64_t pa = (uint64_t)hc_page;   /* identity mapped */
    uint64_t v = ~0ull, r;
    bool ok;

    hv_catch_faults();
    memset(hc_page, 0xcc, sizeof hc_page);

    /* Before GUEST_OS_ID: the write is accepted but ignored (3.2). */
    ok = rdmsr_safe(HV_MSR_GUEST_OS_ID, &v);
    reportf(ok && v == 0, "GUEST_OS_ID reads 0 at start (got %lx%s)", v, ok ? "" : ", #GP");
    ok = wrmsr_safe(HV_MSR_HYPERCALL, pa | 1);
    report("HYPERCALL write without GUEST_OS_ID does not #GP", ok);
    ok = rdmsr_safe(HV_MSR_HYPERCALL, &v);
    reportf(ok && v == 0, "HYPERCALL write without GUEST_OS_ID is ignored (reads %lx)", v);
    report("page untouched while GUEST_OS_ID is 0", page_tail_is(0, 0xcc));

    /* Enable the page. */
    ok = wrmsr_safe(HV_MSR_GUEST_OS_ID, GUEST_ID);
    rdmsr_safe(HV_MSR_GUEST_OS_ID, &v);
    reportf(ok && v == GUEST_ID, "GUEST_OS_ID reads back (got %lx)", v);
    ok = wrmsr_safe(HV_MSR_HYPERCALL, pa | 1);
    report("HYPERCALL enable does not #GP", ok);
    rdmsr_safe(HV_MSR_HYPERCALL, &v);
    reportf(v == (pa | 1), "HYPERCALL reads back %lx (got %lx)", pa | 1, v);
    reportf(memcmp(hc_page, vmcall_ret, 4) == 0,
            "page starts with 0f 01 c1 c3 (got %02x %02x %02x %02x)",
            hc_page[0], hc_page[1], hc_page[2], hc_page[3]);
    report("page bytes past offset 4 left untouched", page_tail_is(4, 0xcc));

    /* Bits 11:1 are stored verbatim (3.1); re-enabling rewrites only 4 bytes. */
    memset(hc_page, 0xcc, 4);
    wrmsr_safe(HV_MSR_HYPERCALL, pa | 0xaa1);
    rdmsr_safe(HV_MSR_HYPERCALL, &v);
    reportf(v == (pa | 0xaa1), "HYPERCALL keeps reserved bits 11:1 (wrote %lx, got %lx)",
            pa | 0xaa1, v);
    report("re-enable writes the code again",
           memcmp(hc_page, vmcall_ret, 4) == 0 && page_tail_is(4, 0xcc));

    /* Calls through the page (4.6). */
    if (memcmp(hc_page, vmcall_ret, 4) == 0) {
        r = hv_page_call(hc_page, 0x0008, 0, 0);
        reportf(r == HV_STATUS_SUCCESS, "page call HvNotifyLongSpinWait -> 0 (got %lx)", r);
        r = hv_page_call(hc_page, 0x0008 | HV_HCALL_FAST, 0, 0);
        reportf(r == HV_STATUS_SUCCESS, "page call HvNotifyLongSpinWait fast -> 0 (got %lx)", r);
        r = hv_page_call(hc_page, 0x0001, 0, 0);
        reportf(r == HV_STATUS_INVALID_HYPERCALL_CODE, "page call code 0x0001 -> 2 (got %lx)", r);
        r = hv_page_call(hc_page, 0x0008 | (1ull << 31), 0, 0);
        reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT,
                "page call with control bit 31 -> 3 (got %lx)", r);
    } else {
        report("page calls skipped: no code in the page", false);
    }

    /* Disabling keeps the page and the stored value (bit 0 clear). */
    wrmsr_safe(HV_MSR_HYPERCALL, pa);
    rdmsr_safe(HV_MSR_HYPERCALL, &v);
    reportf(v == pa, "HYPERCALL disable stored (got %lx)", v);
    report("disable leaves the page contents",
           memcmp(hc_page, vmcall_ret, 4) == 0 && page_tail_is(4, 0xcc));

    /* GUEST_OS_ID = 0 clears HYPERCALL bit 0 (3.2). */
    wrmsr_safe(HV_MSR_HYPERCALL, pa | 1);
    ok = wrmsr_safe(HV_MSR_GUEST_OS_ID, 0);
    rdmsr_safe(HV_MSR_HYPERCALL, &v);
    reportf(ok && v == pa, "GUEST_OS_ID=0 clears HYPERCALL bit 0 (got %lx, want %lx)", v, pa);

    /* ... and HYPERCALL writes are ignored again. */
    memset(hc_page, 0xcc, 4);
    wrmsr_safe(HV_MSR_HYPERCALL, pa | 0x1);
    rdmsr_safe(HV_MSR_HYPERCALL, &v);
    reportf(v == pa, "HYPERCALL write ignored again after GUEST_OS_ID=0 (got %lx)", v);
    report("page not rewritten after GUEST_OS_ID=0", page_tail_is(0, 0xcc));

    report_done();
}
