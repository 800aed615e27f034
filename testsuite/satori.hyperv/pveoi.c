/*
 * testsuite/satori.hyperv/pveoi.c: PV EOI through the VP assist page
 * (reference/hyperv.md 3.4), run with -cpu qemu64,hv-vpindex,hv-vapic.
 *
 * KVM (apic_sync_pv_eoi_to_guest / _from_guest): before entering the
 * guest it sets bit 0 of apic_assist ("no EOI required") when PV EOI is
 * on, nothing waits in IRR and the in-service vector is edge-triggered;
 * after the next exit, a bit the guest cleared means the guest did its
 * EOI lazily and KVM performs it, a bit still set is taken back.  The
 * guest side is Linux's hv_apic_eoi_write: exchange the word with 0 and
 * write HV_X64_MSR_EOI only if bit 0 was clear.  Checks: the bit is set
 * for a lone self-IPI; a lazy EOI retires the vector (the same vector is
 * taken again, and its ISR bit is clear after a synthetic MSR write, an
 * exit on KVM); with a second vector waiting in IRR the bit stays clear
 * for the first; a bit the guest did not use is gone after the next exit;
 * with the page disabled the bit is never set.  With -smp 2 (firmware/smp)
 * CPU 1 runs PV EOI on its own page: the MSR and the bit are per vCPU.
 * No QEMU comparison.
 */
#include "hv-pv-guest.h"
#include "smp.h"

#define VEC_LO 0x50
#define VEC_HI 0x51
#define VEC_AP 0x52
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100

static uint8_t assist_page[4096] __attribute__((aligned(4096)));
static volatile uint32_t *const apic_assist = (volatile uint32_t *)assist_page;

#define LOG_N 8
static volatile int nlog;
static volatile uint8_t log_vec[LOG_N], log_bit[LOG_N];
static volatile int mode;     /* 0: Linux's lazy EOI, 1: xAPIC EOI register, bit untouched */

static void on_vec(struct frame *f)
{
    int i = nlog++;

    if (i < LOG_N) {
        log_vec[i] = (uint8_t)f->vector;
        log_bit[i] = (uint8_t)(*apic_assist & 1);
    }
    if (mode == 1) {
        apic_eoi();
        return;
    }
    uint32_t old = __atomic_exchange_n(apic_assist, 0u, __ATOMIC_SEQ_CST);
    if (!(old & 1))
        wrmsr(HV_MSR_EOI, 0);
}

/* CPU 1: its own assist page, vector VEC_AP */
static uint8_t ap_page[4096] __attribute__((aligned(4096)));
static volatile uint32_t *const ap_assist = (volatile uint32_t *)ap_page;
static volatile int ap_taken;
static volatile uint8_t ap_bit[2];

static void on_ap_vec(struct frame *f)
{
    int i = ap_taken++;

    if (i < 2)
        ap_bit[i] = (uint8_t)(*ap_assist & 1);
    uint32_t old = __atomic_exchange_n(ap_assist, 0u, __ATOMIC_SEQ_CST);
    if (!(old & 1))
        wrmsr(HV_MSR_EOI, 0);
}

static void self_ipi(unsigned vec);
static void window(void);

static void ap_pveoi(void *arg)
{
    uint64_t *msr = arg;

    wrmsr(HV_MSR_VP_ASSIST_PAGE, (uint64_t)(uintptr_t)ap_page | 1);
    *msr = rdmsr(HV_MSR_VP_ASSIST_PAGE);
    self_ipi(VEC_AP);
    window();
    self_ipi(VEC_AP);      /* taken only if the lazy EOI retired the first */
    window();
}

static void self_ipi(unsigned vec)
{
    apic_write(0x300, 0x40000 | vec);    /* fixed, shorthand self */
}

static void window(void)
{
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
}

static bool isr_bit(unsigned v)
{
    return apic_read(APIC_ISR + (v >> 5) * 0x10) >> (v & 31) & 1;
}

/* A synthetic MSR write: a VM exit on KVM, where the PV EOI state syncs. */
static void exit_point(void)
{
    wrmsr(HV_MSR_TPR, 0);
}

int main(void)
{
    uint64_t gpa = (uint64_t)(uintptr_t)assist_page;

    hv_catch_faults();
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    handle_exception(VEC_LO, on_vec);
    handle_exception(VEC_HI, on_vec);
    handle_exception(VEC_AP, on_ap_vec);
    int up = smp_start(2);
    reportf(up == 2, "%d CPUs running", up);
    apic_write(APIC_SVR, 0x1ff);
    hv_identify();
    memset(assist_page, 0xff, 8);
    wrmsr(HV_MSR_VP_ASSIST_PAGE, gpa | 1);
    reportf(*apic_assist == 0, "enabling the page clears apic_assist (%x)", *apic_assist);

    /* a lone edge vector: the bit is set while it is in service */
    self_ipi(VEC_LO);
    window();
    reportf(nlog == 1 && log_bit[0] == 1, "lone vector 0x50: \"no EOI required\" set in its handler (%d, %d)",
            nlog, log_bit[0]);
    /* the lazy EOI (bit cleared, no EOI write) retired it: the same vector comes again */
    self_ipi(VEC_LO);
    window();
    reportf(nlog == 2 && log_vec[1] == VEC_LO && log_bit[1] == 1,
            "after the lazy EOI vector 0x50 is taken again (%d)", nlog);
    exit_point();
    reportf(!isr_bit(VEC_LO), "after an exit its ISR bit is clear: the hypervisor did the EOI");
    reportf(*apic_assist == 0, "and apic_assist stays 0 (%x)", *apic_assist);

    /* two vectors pending: the first taken (0x51) has 0x50 behind it in IRR */
    nlog = 0;
    __asm__ volatile("cli");
    self_ipi(VEC_LO);
    self_ipi(VEC_HI);
    window();
    reportf(nlog == 2 && log_vec[0] == VEC_HI && log_vec[1] == VEC_LO,
            "both taken, 0x51 first (%d: %x %x)", nlog, log_vec[0], log_vec[1]);
    reportf(log_bit[0] == 0, "0x51 with 0x50 waiting in IRR: bit clear, EOI through the MSR (%d)",
            log_bit[0]);
    reportf(log_bit[1] == 1, "then 0x50 alone: bit set (%d)", log_bit[1]);
    exit_point();
    reportf(!isr_bit(VEC_LO) && !isr_bit(VEC_HI), "both retired (ISR clear)");

    /* the guest ignores the bit and EOIs through the xAPIC register */
    nlog = 0;
    mode = 1;
    self_ipi(VEC_LO);
    window();
    exit_point();
    reportf(nlog == 1 && log_bit[0] == 1 && *apic_assist == 0 && !isr_bit(VEC_LO),
            "an unused bit is taken back at the next exit (%d, %x)", log_bit[0], *apic_assist);
    mode = 0;

    /* CPU 1, its own page: the VP assist page MSR and PV EOI are per vCPU */
    uint64_t ap_msr = 0;
    *apic_assist = 0;
    smp_call(1, ap_pveoi, &ap_msr);
    reportf(ap_msr == ((uint64_t)(uintptr_t)ap_page | 1) && rdmsr(HV_MSR_VP_ASSIST_PAGE) == (gpa | 1),
            "CPU 1 has its own VP_ASSIST_PAGE (%lx), CPU 0 keeps its own", ap_msr);
    reportf(ap_taken == 2 && ap_bit[0] == 1 && ap_bit[1] == 1,
            "CPU 1: bit set on its page, its lazy EOI retired the vector (%d: %d %d)", ap_taken,
            ap_bit[0], ap_bit[1]);
    reportf(*apic_assist == 0, "CPU 0's page untouched by CPU 1's interrupts (%x)", *apic_assist);

    /* PV EOI off with the page */
    wrmsr(HV_MSR_VP_ASSIST_PAGE, gpa);
    nlog = 0;
    self_ipi(VEC_LO);
    window();
    reportf(nlog == 1 && log_bit[0] == 0 && !isr_bit(VEC_LO),
            "page disabled: bit never set, EOI through the MSR (%d)", log_bit[0]);
    self_ipi(VEC_LO);
    window();
    reportf(nlog == 2, "and the vector is retired by that EOI (%d)", nlog);
    report_done();
}
