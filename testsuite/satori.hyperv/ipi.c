/*
 * testsuite/satori.hyperv/ipi.c: HvSendSyntheticClusterIpi (0xb) and its
 * Ex form (0x15) on four vCPUs (reference/hyperv.md 4.5-4.8), run with
 * -smp 4 -cpu qemu64,hv-vpindex,hv-ipi.
 *
 * The APs wait with interrupts enabled and count each vector they take;
 * after each call the BSP sends every AP an ordinary xAPIC fixed IPI with
 * a lower "marker" vector and waits until each counted it: a PV IPI is in
 * the target's IRR when the hypercall returns (KVM: kvm_apic_set_irq),
 * and the higher vector is taken first, so when the marker arrives the
 * counts are final.  Rules (KVM's kvm_hv_send_ipi): the targets are the
 * vCPUs whose VP index is in the mask / sparse set, or every vCPU for the
 * Ex format ALL; any other Ex format is sparse; vector outside 0x10-0xff
 * -> 3; fast 0xb with RDX bits 63:32 set -> 3; var_cnt != popcount(valid
 * bank mask) -> 3 even for ALL; a sparse set with no banks -> success
 * before the vector is looked at; a vCPU whose local APIC is
 * software-disabled drops the interrupt.  No QEMU comparison.
 */
#include "hv-guest.h"
#include "hv-pv-guest.h"
#include "smp.h"

#define NCPU 4
#define MARKER 0x30
#define APIC_SVR 0x0f0

static uint8_t in_page[4096] __attribute__((aligned(4096)));
static uint64_t *const in = (uint64_t *)in_page;
static volatile int counts[NCPU][256];
static volatile int stop;
static int seen[NCPU][256];     /* counts already checked */

static void on_vector(struct frame *f)
{
    counts[smp_cpu_index()][f->vector & 255]++;
    apic_eoi();
}

static void receive(void *arg)
{
    __asm__ volatile("sti" ::: "memory");
    while (!stop)
        __asm__ volatile("pause");
    __asm__ volatile("cli" ::: "memory");
}

static void start_receivers(void)
{
    stop = 0;
    for (int i = 1; i < NCPU; i++)
        smp_run_on(i, receive, NULL);
}

static void stop_receivers(void)
{
    stop = 1;
    for (int i = 1; i < NCPU; i++)
        smp_wait(i);
}

/* Let everything sent so far arrive: the BSP takes its own, each AP a marker. */
static void settle(void)
{
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
    for (int i = 1; i < NCPU; i++) {
        int before = counts[i][MARKER];
        apic_write(0x310, (uint32_t)i << 24);
        apic_write(0x300, MARKER);              /* fixed, physical, edge */
        uint64_t t0 = rdtsc();
        while (counts[i][MARKER] == before && rdtsc() - t0 < 20000000000ull)
            __asm__ volatile("pause");
    }
}

/* After a call: vector vec arrived once at exactly the CPUs in `want`, nothing else. */
static void check(const char *what, int vec, unsigned want)
{
    char got[NCPU + 1], exp[NCPU + 1];
    bool ok = true;

    settle();
    for (int i = 0; i < NCPU; i++) {
        int d = counts[i][vec] - seen[i][vec];
        got[i] = (char)('0' + (d > 9 ? 9 : d < 0 ? 0 : d));
        exp[i] = (want >> i) & 1 ? '1' : '0';
        ok &= got[i] == exp[i];
        for (int v = 0x10; v < 256; v++)
            if (v != MARKER && v != vec && counts[i][v] != seen[i][v])
                ok = false;     /* some other vector arrived */
        for (int v = 0; v < 256; v++)
            seen[i][v] = counts[i][v];
    }
    got[NCPU] = exp[NCPU] = 0;
    reportf(ok, "%s: vector 0x%x taken by CPUs 0-3 %s times (want %s)", what, vec, got, exp);
}

static uint64_t slow(uint64_t control)
{
    return hv_vmcall(control, (uint64_t)in_page, 0, NULL);
}

static void set_svr(void *arg)
{
    apic_write(APIC_SVR, (uint32_t)(uintptr_t)arg);
}

int main(void)
{
    uint64_t r, q[12];
    uint32_t c[4];

    hv_catch_faults();
    outb(0x21, 0xff);       /* the 8259s stay masked: only APIC vectors here */
    outb(0xa1, 0xff);
    for (int v = 0x10; v < 256; v++)
        handle_exception(v, on_vector);
    apic_write(APIC_SVR, 0x1ff);
    int up = smp_start(NCPU);
    reportf(up == NCPU, "%d CPUs running", up);
    cpuid(0x40000004, 0, c);
    reportf((c[0] & 0xc00) == 0xc00, "hv-ipi: 0x40000004.EAX bits 10 and 11 (%x)", c[0]);
    hv_identify();
    start_receivers();

    /* 0xb in memory: {u32 vector, u32 reserved, u64 cpu mask} */
    memset(in_page, 0, 64);
    in[0] = 0x40 | 0xffffffff00000000ull;   /* the reserved half is not checked */
    in[1] = (1u << 1) | (1u << 3);
    r = slow(HVCALL_SEND_IPI);
    reportf(r == 0, "SendSyntheticClusterIpi, mask {1,3}: status 0 (%lx)", r);
    check("mask {1,3}", 0x40, 0xa);

    /* 0xb fast: RDX = vector, R8 = mask */
    r = hv_vmcall(HVCALL_SEND_IPI | HV_HCALL_FAST, 0x41, 1u << 2, NULL);
    reportf(r == 0, "SendSyntheticClusterIpi fast, mask {2}: status 0 (%lx)", r);
    check("fast mask {2}", 0x41, 0x4);

    /* 0x15 in memory: {vector, reserved, format, valid bank mask, banks} */
    memset(in_page, 0, 64);
    in[0] = 0x42;
    in[1] = HV_GENERIC_SET_SPARSE_4K;
    in[2] = 1;
    in[3] = (1u << 1) | (1u << 2);
    r = slow(HVCALL_SEND_IPI_EX | HV_HCALL_VARHEAD(1));
    reportf(r == 0, "SendSyntheticClusterIpiEx, sparse {1,2}: status 0 (%lx)", r);
    check("Ex sparse {1,2}", 0x42, 0x6);

    /* 0x15 fast: RDX vector, R8 format, XMM0.lo valid bank mask, banks from XMM0.hi */
    memset(q, 0, sizeof q);
    r = hv_vmcall_xmm(HVCALL_SEND_IPI_EX, 0x43, HV_GENERIC_SET_ALL, q, NULL);
    reportf(r == 0, "SendSyntheticClusterIpiEx fast, format ALL: status 0 (%lx)", r);
    check("Ex ALL (the sender too)", 0x43, 0xf);
    q[0] = 1;
    q[1] = (1u << 0) | (1u << 3);
    r = hv_vmcall_xmm(HVCALL_SEND_IPI_EX | HV_HCALL_VARHEAD(1), 0x44, HV_GENERIC_SET_SPARSE_4K,
                      q, NULL);
    reportf(r == 0, "SendSyntheticClusterIpiEx fast, sparse {0,3} from XMM: status 0 (%lx)", r);
    check("Ex fast sparse {0,3}", 0x44, 0x9);

    /* any format other than ALL is a sparse set */
    memset(in_page, 0, 64);
    in[0] = 0x45;
    in[1] = 5;
    in[2] = 1;
    in[3] = 1u << 3;
    r = slow(HVCALL_SEND_IPI_EX | HV_HCALL_VARHEAD(1));
    reportf(r == 0, "SendSyntheticClusterIpiEx format 5, bank {3}: status 0 (%lx)", r);
    check("Ex format 5 = sparse {3}", 0x45, 0x8);

    /* invalid vectors */
    memset(in_page, 0, 64);
    in[0] = 0x0f;
    in[1] = 0xe;
    r = slow(HVCALL_SEND_IPI);
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "vector 0x0f: status 3 (%lx)", r);
    in[0] = 0x100;
    r = slow(HVCALL_SEND_IPI);
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "vector 0x100: status 3 (%lx)", r);
    r = hv_vmcall(HVCALL_SEND_IPI | HV_HCALL_FAST, 1ull << 32 | 0x46, 0xe, NULL);
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "fast, RDX bits 63:32 set: status 3 (%lx)", r);
    check("after the invalid vectors", 0x46, 0);
    memset(in_page, 0, 64);
    in[0] = 0x10;
    in[1] = 1u << 1;
    r = slow(HVCALL_SEND_IPI);
    reportf(r == 0, "vector 0x10 (lowest valid), mask {1}: status 0 (%lx)", r);
    check("vector 0x10", 0x10, 0x2);
    in[0] = 0xff;
    r = slow(HVCALL_SEND_IPI);
    reportf(r == 0, "vector 0xff (highest valid), mask {1}: status 0 (%lx)", r);
    check("vector 0xff", 0xff, 0x2);

    /* Ex checks */
    memset(in_page, 0, 64);
    in[0] = 0x05;
    in[1] = HV_GENERIC_SET_SPARSE_4K;
    r = slow(HVCALL_SEND_IPI_EX);
    reportf(r == 0, "Ex sparse with no banks, vector 0x05: status 0, vector not checked (%lx)", r);
    in[0] = 0x47;
    in[1] = HV_GENERIC_SET_ALL;
    r = slow(HVCALL_SEND_IPI_EX | HV_HCALL_VARHEAD(1));
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT,
            "Ex format ALL, var_cnt 1, valid bank mask 0: status 3 (%lx)", r);
    in[1] = HV_GENERIC_SET_SPARSE_4K;
    in[2] = 2;          /* bank 1: VPs 64-127 */
    in[3] = 0xf;
    r = slow(HVCALL_SEND_IPI_EX | HV_HCALL_VARHEAD(1));
    reportf(r == 0, "Ex sparse bank 1 (VPs 64-67, none exist): status 0 (%lx)", r);
    in[0] = 0x47;
    in[1] = 0;
    in[2] = 0;
    r = slow(HVCALL_SEND_IPI | HV_HCALL_VARHEAD(1));
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "0xb with var_cnt 1: status 3 (%lx)", r);
    r = slow(HVCALL_SEND_IPI | HV_HCALL_REP_COUNT(1));
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "0xb with rep count 1: status 3 (%lx)", r);
    r = hv_vmcall(HVCALL_SEND_IPI, 0x100000000000ull, 0, NULL);
    reportf(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "input GPA outside RAM: status 3 (%lx)", r);
    check("after the refused calls", 0x47, 0);

    /* a software-disabled local APIC drops it (KVM: apic_enabled() fails) */
    stop_receivers();
    smp_call(3, set_svr, (void *)0xffu);
    start_receivers();
    memset(in_page, 0, 64);
    in[0] = 0x48;
    in[1] = (1u << 2) | (1u << 3);
    r = slow(HVCALL_SEND_IPI);
    reportf(r == 0, "mask {2,3}, CPU 3's APIC software-disabled: status 0 (%lx)", r);
    stop_receivers();
    smp_call(3, set_svr, (void *)0x1ffu);
    start_receivers();
    check("CPU 3 dropped it, not held for later", 0x48, 0x4);

    stop_receivers();
    report_done();
}
