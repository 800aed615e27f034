/*
 * bench/hvbench.c: cost of the Hyper-V enlightened paths inside a guest,
 * each beside the legacy PC path it replaces (reference/hyperv.md 3.3,
 * 3.4, 4, 6, 7; issue 11 acceptance 10).
 *
 * The multiboot command line selects one operation (op=NAME; without
 * one, every operation the CPU offers runs in turn), the iteration count
 * (iters=N; default per operation) and the timers' deadline (delay=NS,
 * default 10000).  Each operation prints
 *   op <name> iters <N> tsc <ticks> irqs <K> [lazy <L> eoi_tsc <E>] [bad <B>]
 * where ticks is the guest's RDTSC delta over the N iterations, K the
 * interrupts the round trips took (= N when every round trip happened),
 * L the PV EOIs completed without an EOI write, E the RDTSC ticks spent
 * in the EOI writes alone, B the failures (a PV IPI with a non-zero
 * status, an acknowledgement not seen within 1 s, a SINT interrupt with
 * no timer message in its slot).  An operation whose feature is not in CPUID
 * prints "op <name> skipped (<why>)".  The first line gives the TSC and
 * APIC-timer rates measured against the HPET, so the same image runs
 * under qemu-system-x86_64 (whose TSC is the host's) for the legacy ops.
 *
 * Operations (the legacy ones need no Hyper-V and also run under QEMU):
 *   empty        the bare loop (baseline for bench/run-hvbench)
 *   tscpage      reference time through the TSC page (TLFS algorithm)
 *   refmsr       RDMSR TIME_REF_COUNT
 *   hpet         read of the HPET main counter (MMIO 0xfed000f0)  [legacy]
 *   rdtsc        RDTSC                                            [legacy]
 *   hcall        fast hypercall, unknown code 1 (status 2, no effect)
 *   cpuid        CPUID leaf 0                                     [legacy]
 * Round trips of a self-IPI (xAPIC ICR write, shorthand self, except
 * eoi-x2apic: x2APIC ICR MSR), taken in an STI window, then EOI'd by:
 *   eoi-xapic    the xAPIC EOI register (MMIO 0xfee000b0)         [legacy]
 *   eoi-x2apic   the x2APIC EOI MSR 0x80b (x2APIC mode)           [legacy]
 *   eoi-msr      HV_X64_MSR_EOI (hv-vapic)
 *   eoi-pv       PV EOI through the VP assist page, Linux's way: clear
 *                apic_assist, write HV_X64_MSR_EOI only if bit 0 was 0
 * Round trips of an IPI to CPU 1 (-smp 2): send, CPU 1 takes it, counts
 * it and EOIs (xAPIC), the sender spins until it sees the count:
 *   ipi-pv       HvCallSendSyntheticClusterIpi, fast (0x000b, hv-ipi)
 *   ipi-xapic    xAPIC ICR (two MMIO writes: 0x310 then 0x300)    [legacy]
 *   ipi-x2apic   x2APIC ICR MSR 0x830 (the sender in x2APIC mode) [legacy]
 * Round trips of a timer: arm it delay ns ahead, STI;HLT until its
 * interrupt:
 *   stimer-direct  stimer0 one-shot, direct mode (auto-enable: one COUNT
 *                  write, from the TSC page time, per arm)
 *   stimer-msg     stimer0 one-shot, message mode through SINT2: the
 *                  handler frees the slot (EOM if msg_pending) and EOIs
 *   apic-oneshot   local APIC timer one-shot, divide by 1         [legacy]
 *   apic-tscdl     local APIC timer TSC-deadline mode             [legacy]
 * Deviations: no attempt is made to keep host noise out (run-hvbench takes
 * medians); the IPI round trips include CPU 1's handler and the sender's
 * polling, i.e. what a synchronous IPI costs a guest.  A timer round trip
 * whose interrupt is delivered between the STI and the HLT (an emulator
 * losing the STI shadow) leaves the guest halted for good; satori did
 * that now and then when this was written (docs/performance.md), which
 * bench/run-hvbench reports as a run that did not finish.
 */
#include "../testsuite/satori.hyperv/hv-pv-guest.h"
#include "smp.h"

#define GUEST_ID      0x8100000006080000ull

/* xAPIC register offsets (SDM vol. 3, table 10-1) */
#define APIC_EOI      0x0b0
#define APIC_SVR      0x0f0
#define APIC_ICR_LO   0x300
#define APIC_ICR_HI   0x310
#define APIC_LVT_TIMER 0x320
#define APIC_TMICT    0x380
#define APIC_TMCCT    0x390
#define APIC_TDCR     0x3e0
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN   (1ull << 11)
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define ICR_SELF      0x40000u        /* destination shorthand: self */
#define LVT_MASKED    0x10000u
#define LVT_TSC_DEADLINE (2u << 17)

/* HPET (IA-PC HPET spec 2.3) */
#define HPET_BASE     0xfed00000ul
#define HPET_GCAP_ID  0x000
#define HPET_GEN_CONF 0x010
#define HPET_MAIN_CNT 0x0f0

/* synthetic timer CONFIG bits (reference/hyperv.md 6.1) */
#define CFG_AUTO      (1ull << 3)
#define CFG_VECTOR(v) ((uint64_t)(v) << 4)
#define CFG_DIRECT    (1ull << 12)
#define CFG_SINT(s)   ((uint64_t)(s) << 16)
#define TIMER_SINT    2
#define HVMSG_TIMER_EXPIRED 0x80000010u

#define VEC_SELF   0x60
#define VEC_IPI    0x61
#define VEC_TIMER  0x62
#define VEC_STIMER 0x63
#define VEC_SINT   0x64

/* CPUID facts an operation may need */
enum {
    NEED_HV_TIME = 1 << 0,      /* 0x40000003.EAX bits 1, 9 */
    NEED_HV_VAPIC = 1 << 1,     /* .EAX bit 4 */
    NEED_HV_STIMER = 1 << 2,    /* .EAX bits 2, 3 */
    NEED_HV_DIRECT = 1 << 3,    /* .EDX bit 19 */
    NEED_HV_IPI = 1 << 4,       /* 0x40000004.EAX bit 10, VP index */
    NEED_HV = 1 << 5,           /* Hyper-V identified at all */
    NEED_X2APIC = 1 << 6,       /* CPUID.1:ECX bit 21 */
    NEED_TSCDL = 1 << 7,        /* CPUID.1:ECX bit 24 */
    NEED_SMP = 1 << 8,          /* a second CPU */
};

static uint8_t tsc_page[4096] __attribute__((aligned(4096)));
static uint8_t assist_page[4096] __attribute__((aligned(4096)));
static uint8_t msg_page[4096] __attribute__((aligned(4096)));
static const struct hv_tsc_page *tp = (const struct hv_tsc_page *)tsc_page;
static volatile uint32_t *const apic_assist = (volatile uint32_t *)assist_page;
static volatile uint64_t sink;
static unsigned have;           /* NEED_* bits the CPU offers */
static uint64_t tsc_khz, apic_khz;
static uint64_t delay_ns = 10000;
static uint64_t delay_tsc, delay_apic, delay_ref;

/* what the interrupt handlers count */
static volatile uint32_t irqs, lazy, bad;
static volatile uint64_t eoi_ticks;
static volatile int eoi_method;         /* enum eoi_how */
static volatile int ap_stop;
static volatile int ap_running;
static int cpus = 1;

enum eoi_how { EOI_XAPIC, EOI_X2APIC, EOI_MSR, EOI_PV };

/* ---- helpers ---- */

static uint64_t hpet_read(unsigned off)
{
    return *(volatile uint64_t *)(HPET_BASE + off);
}

static void hpet_write(unsigned off, uint64_t v)
{
    *(volatile uint64_t *)(HPET_BASE + off) = v;
}

static uint64_t ref_now(void)
{
    uint64_t t = 0;

    tsc_page_read(tp, &t);
    return t;
}

/* The value of key (e.g. "op=") in the command line, or NULL. */
static const char *cmdline_val(const char *key, char *buf, size_t size)
{
    const char *s = multiboot_cmdline();
    size_t k = strlen(key);

    for (; *s; s++) {
        if ((s == multiboot_cmdline() || s[-1] == ' ') && !memcmp(s, key, k)) {
            size_t n = 0;
            for (s += k; *s && *s != ' ' && n + 1 < size; s++)
                buf[n++] = *s;
            buf[n] = 0;
            return buf;
        }
    }
    return NULL;
}

/* A decimal number from the command line; def when absent, 0 if malformed. */
static uint64_t cmdline_num(const char *key, uint64_t def)
{
    char buf[24];
    const char *s = cmdline_val(key, buf, sizeof buf);
    uint64_t v = 0;

    if (!s)
        return def;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return v;
}

static bool in_x2apic(void)
{
    return rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_EXTD;
}

static void x2apic_enter(void)
{
    wrmsr(MSR_IA32_APIC_BASE, rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_EXTD);
}

/* x2APIC -> xAPIC goes through the disabled state (SDM vol. 3, 10.12.5). */
static void x2apic_leave(void)
{
    uint64_t b = rdmsr(MSR_IA32_APIC_BASE);

    wrmsr(MSR_IA32_APIC_BASE, b & ~(APIC_BASE_EXTD | APIC_BASE_EN));
    wrmsr(MSR_IA32_APIC_BASE, (b & ~APIC_BASE_EXTD) | APIC_BASE_EN);
    apic_write(APIC_SVR, 0x1ff);
}

static void eoi_by(int how)
{
    switch (how) {
    case EOI_X2APIC:
        wrmsr(MSR_X2APIC(APIC_EOI), 0);
        break;
    case EOI_MSR:
        wrmsr(HV_MSR_EOI, 0);
        break;
    case EOI_PV: {
        uint32_t old = __atomic_exchange_n(apic_assist, 0u, __ATOMIC_SEQ_CST);
        if (old & 1)
            lazy++;
        else
            wrmsr(HV_MSR_EOI, 0);
        break;
    }
    default:
        apic_eoi();
    }
}

/* ---- interrupt handlers ---- */

static void on_self(struct frame *f)
{
    uint64_t t0 = rdtsc();

    eoi_by(eoi_method);
    eoi_ticks += rdtsc() - t0;
    irqs++;
}

static void on_ipi(struct frame *f)       /* on CPU 1 */
{
    apic_eoi();
    __atomic_add_fetch(&irqs, 1, __ATOMIC_RELEASE);
}

static void on_timer(struct frame *f)
{
    irqs++;
    apic_eoi();
}

static void on_sint(struct frame *f)
{
    volatile uint32_t *type = (volatile uint32_t *)(msg_page + TIMER_SINT * 256);
    volatile uint8_t *flags = (volatile uint8_t *)(msg_page + TIMER_SINT * 256 + 5);

    irqs++;
    if (*type != HVMSG_TIMER_EXPIRED)
        bad++;
    *type = 0;                          /* free the slot (TLFS message protocol) */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (*flags & 1)
        wrmsr(HV_MSR_EOM, 0);
    apic_eoi();
}

/* ---- the measured operations ---- */

static void op_empty(void) { __asm__ volatile("" ::: "memory"); }
static void op_tscpage(void) { sink = ref_now(); }
static void op_refmsr(void) { sink = rdmsr(HV_MSR_TIME_REF_COUNT); }
static void op_hpet(void) { sink = hpet_read(HPET_MAIN_CNT); }
static void op_rdtsc(void) { sink = rdtsc(); }

static void op_hcall(void)
{
    uint64_t rax;
    register uint64_t r8 __asm__("r8") = 0;

    __asm__ volatile("vmcall" : "=a"(rax), "+r"(r8) : "c"(0x0001 | HV_HCALL_FAST), "d"(0ull)
                     : "memory");
    sink = rax;
}

static void op_cpuid(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);
    sink = r[0];
}

/* self-IPI, taken in the STI window, EOI'd by the handler's method */
static void window(void)
{
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
}

static void op_self_xapic(void)
{
    apic_write(APIC_ICR_LO, ICR_SELF | VEC_SELF);
    window();
}

static void op_self_x2apic(void)
{
    wrmsr(MSR_X2APIC(APIC_ICR_LO), ICR_SELF | VEC_SELF);
    window();
}

static void prep_eoi_xapic(void) { eoi_method = EOI_XAPIC; }
static void prep_eoi_msr(void) { eoi_method = EOI_MSR; }

static void prep_eoi_x2apic(void)
{
    x2apic_enter();
    eoi_method = EOI_X2APIC;
}

static void prep_eoi_pv(void)
{
    wrmsr(HV_MSR_VP_ASSIST_PAGE, (uint64_t)(uintptr_t)assist_page | 1);
    eoi_method = EOI_PV;
}

static void done_eoi(void)
{
    if (in_x2apic())
        x2apic_leave();
    if (eoi_method == EOI_PV)
        wrmsr(HV_MSR_VP_ASSIST_PAGE, 0);
    eoi_method = EOI_XAPIC;
}

/* IPI to CPU 1; wait until its handler counted it (bounded: 1 s of TSC) */
static void wait_ack(uint32_t want)
{
    uint64_t t0 = rdtsc();

    while (__atomic_load_n(&irqs, __ATOMIC_ACQUIRE) != want) {
        if (rdtsc() - t0 > tsc_khz * 1000) {
            bad++;
            return;
        }
        __asm__ volatile("pause");
    }
}

static void op_ipi_pv(void)
{
    uint32_t want = irqs + 1;
    uint64_t rax;
    register uint64_t r8 __asm__("r8") = 1u << 1;        /* VP set {1} */

    __asm__ volatile("vmcall" : "=a"(rax), "+r"(r8)
                     : "c"(HVCALL_SEND_IPI | HV_HCALL_FAST), "d"((uint64_t)VEC_IPI) : "memory");
    if (rax != HV_STATUS_SUCCESS)
        bad++;
    wait_ack(want);
}

static void op_ipi_xapic(void)
{
    uint32_t want = irqs + 1;

    apic_write(APIC_ICR_HI, 1u << 24);
    apic_write(APIC_ICR_LO, VEC_IPI);     /* fixed, physical, edge */
    wait_ack(want);
}

static void op_ipi_x2apic(void)
{
    uint32_t want = irqs + 1;

    wrmsr(MSR_X2APIC(APIC_ICR_LO), 1ull << 32 | VEC_IPI);
    wait_ack(want);
}

/* CPU 1: take interrupts until told to stop */
static void ap_receive(void *arg)
{
    __atomic_store_n(&ap_running, 1, __ATOMIC_RELEASE);
    __asm__ volatile("sti" ::: "memory");
    while (!__atomic_load_n(&ap_stop, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
    __asm__ volatile("cli" ::: "memory");
}

static void prep_ipi(void)
{
    ap_stop = 0;
    ap_running = 0;
    smp_run_on(1, ap_receive, NULL);
    while (!__atomic_load_n(&ap_running, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
}

static void prep_ipi_x2apic(void)
{
    prep_ipi();
    x2apic_enter();
}

static void done_ipi(void)
{
    if (in_x2apic())
        x2apic_leave();
    __atomic_store_n(&ap_stop, 1, __ATOMIC_RELEASE);
    smp_wait(1);
}

/* timers: arm, then HLT until the interrupt */
static void halt_until_irq(uint32_t want)
{
    while (irqs != want)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
}

static void op_apic_oneshot(void)
{
    uint32_t want = irqs + 1;

    apic_write(APIC_TMICT, (uint32_t)delay_apic);
    halt_until_irq(want);
}

static void op_apic_tscdl(void)
{
    uint32_t want = irqs + 1;

    wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + delay_tsc);
    halt_until_irq(want);
}

static void op_stimer(void)
{
    uint32_t want = irqs + 1;

    wrmsr(HV_MSR_STIMER0_COUNT, ref_now() + delay_ref);
    halt_until_irq(want);
}

static void prep_apic_oneshot(void)
{
    apic_write(APIC_TDCR, 0xb);                 /* divide by 1 */
    apic_write(APIC_LVT_TIMER, VEC_TIMER);      /* one-shot */
}

static void prep_apic_tscdl(void)
{
    apic_write(APIC_LVT_TIMER, VEC_TIMER | LVT_TSC_DEADLINE);
}

static void done_apic_timer(void)
{
    apic_write(APIC_TMICT, 0);
    apic_write(APIC_LVT_TIMER, LVT_MASKED);
}

static void prep_stimer_direct(void)
{
    wrmsr(HV_MSR_STIMER0_CONFIG, CFG_AUTO | CFG_DIRECT | CFG_VECTOR(VEC_STIMER));
}

static void prep_stimer_msg(void)
{
    memset(msg_page, 0, sizeof msg_page);
    wrmsr(HV_MSR_SIMP, (uint64_t)(uintptr_t)msg_page | 1);
    wrmsr(HV_MSR_SCONTROL, 1);
    wrmsr(HV_MSR_SINT0 + TIMER_SINT, VEC_SINT);
    wrmsr(HV_MSR_STIMER0_CONFIG, CFG_AUTO | CFG_SINT(TIMER_SINT));
}

static void done_stimer(void)
{
    wrmsr(HV_MSR_STIMER0_CONFIG, 0);
    wrmsr(HV_MSR_STIMER0_COUNT, 0);
}

enum op_kind { K_PLAIN, K_EOI, K_IRQ };

static const struct hvbench_op {
    const char *name;
    unsigned needs;
    uint32_t iters;             /* default iteration count */
    enum op_kind kind;
    void (*prep)(void);
    void (*fn)(void);
    void (*done)(void);
} ops[] = {
    { "empty", 0, 1000000, K_PLAIN, NULL, op_empty, NULL },
    { "tscpage", NEED_HV_TIME, 1000000, K_PLAIN, NULL, op_tscpage, NULL },
    { "refmsr", NEED_HV_TIME, 1000000, K_PLAIN, NULL, op_refmsr, NULL },
    { "hpet", 0, 1000000, K_PLAIN, NULL, op_hpet, NULL },
    { "rdtsc", 0, 1000000, K_PLAIN, NULL, op_rdtsc, NULL },
    { "hcall", NEED_HV, 1000000, K_PLAIN, NULL, op_hcall, NULL },
    { "cpuid", 0, 1000000, K_PLAIN, NULL, op_cpuid, NULL },
    { "eoi-xapic", 0, 200000, K_EOI, prep_eoi_xapic, op_self_xapic, done_eoi },
    { "eoi-msr", NEED_HV_VAPIC, 200000, K_EOI, prep_eoi_msr, op_self_xapic, done_eoi },
    { "eoi-pv", NEED_HV_VAPIC, 200000, K_EOI, prep_eoi_pv, op_self_xapic, done_eoi },
    { "eoi-x2apic", NEED_X2APIC, 200000, K_EOI, prep_eoi_x2apic, op_self_x2apic, done_eoi },
    { "stimer-direct", NEED_HV_STIMER | NEED_HV_DIRECT | NEED_HV_TIME, 20000, K_IRQ,
      prep_stimer_direct, op_stimer, done_stimer },
    { "stimer-msg", NEED_HV_STIMER | NEED_HV_TIME, 20000, K_IRQ, prep_stimer_msg, op_stimer,
      done_stimer },
    { "apic-oneshot", 0, 20000, K_IRQ, prep_apic_oneshot, op_apic_oneshot, done_apic_timer },
    { "apic-tscdl", NEED_TSCDL, 20000, K_IRQ, prep_apic_tscdl, op_apic_tscdl, done_apic_timer },
    { "ipi-pv", NEED_HV_IPI | NEED_SMP, 2000, K_IRQ, prep_ipi, op_ipi_pv, done_ipi },
    { "ipi-xapic", NEED_SMP, 2000, K_IRQ, prep_ipi, op_ipi_xapic, done_ipi },
    { "ipi-x2apic", NEED_X2APIC | NEED_SMP, 2000, K_IRQ, prep_ipi_x2apic, op_ipi_x2apic,
      done_ipi },
};

static const char *need_name(unsigned missing)
{
    static const char *const names[] = {
        "hv-time", "hv-vapic", "hv-synic,hv-stimer", "hv-stimer-direct", "hv-vpindex,hv-ipi",
        "Hyper-V", "x2apic", "tsc-deadline", "-smp 2",
    };

    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (missing & 1u << i)
            return names[i];
    return "?";
}

/* ---- setup ---- */

static void probe_cpuid(void)
{
    uint32_t r[4];

    cpuid(1, 0, r);
    if (r[2] & 1u << 21)
        have |= NEED_X2APIC;
    if (r[2] & 1u << 24)
        have |= NEED_TSCDL;
    if (!(r[2] & 1u << 31))
        return;
    cpuid(0x40000000, 0, r);
    if (r[0] < 0x40000005 || r[1] != 0x7263694d)    /* "Micr" of "Microsoft Hv" */
        return;
    have |= NEED_HV;
    cpuid(0x40000003, 0, r);
    if ((r[0] & 0x202) == 0x202)
        have |= NEED_HV_TIME;
    if (r[0] & 0x10)
        have |= NEED_HV_VAPIC;
    if ((r[0] & 0xc) == 0xc)
        have |= NEED_HV_STIMER;
    if (r[3] & 1u << 19)
        have |= NEED_HV_DIRECT;
    bool vpindex = r[0] & 0x40;
    cpuid(0x40000004, 0, r);
    if (vpindex && (r[0] & 1u << 10))
        have |= NEED_HV_IPI;
}

/* TSC and APIC-timer rates against the HPET over 2 ms; false without an HPET */
static bool calibrate(void)
{
    uint64_t period_fs = hpet_read(HPET_GCAP_ID) >> 32;

    if (period_fs == 0 || period_fs > 100000000u) {     /* spec: at most 100 ns */
        printf("hvbench: no HPET at 0x%lx (period %lu fs)\n", HPET_BASE, period_fs);
        return false;
    }
    uint64_t span = 2000000000000ull / period_fs;       /* 2 ms in HPET ticks */

    hpet_write(HPET_GEN_CONF, hpet_read(HPET_GEN_CONF) | 1);    /* ENABLE_CNF */
    apic_write(APIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
    apic_write(APIC_TDCR, 0xb);
    uint64_t h0 = hpet_read(HPET_MAIN_CNT);
    apic_write(APIC_TMICT, 0xffffffffu);
    uint64_t t0 = rdtsc();
    uint64_t h1;
    while ((h1 = hpet_read(HPET_MAIN_CNT)) - h0 < span)
        __asm__ volatile("pause");
    uint64_t t1 = rdtsc();
    uint32_t left = apic_read(APIC_TMCCT);
    apic_write(APIC_TMICT, 0);
    uint64_t ns = (h1 - h0) * period_fs / 1000000;
    tsc_khz = (t1 - t0) * 1000000 / ns;
    apic_khz = (0xffffffffull - left) * 1000000 / ns;
    delay_tsc = tsc_khz * delay_ns / 1000000;
    delay_apic = apic_khz * delay_ns / 1000000;
    delay_ref = delay_ns / 100;
    printf("hvbench: tsc %lu kHz, apic timer %lu kHz (HPET period %lu fs), delay %lu ns\n",
           tsc_khz, apic_khz, period_fs, delay_ns);
    return true;
}

static bool setup(void)
{
    outb(0x21, 0xff);           /* the 8259s stay masked: only APIC vectors here */
    outb(0xa1, 0xff);
    apic_write(APIC_SVR, 0x1ff);
    handle_exception(VEC_SELF, on_self);
    handle_exception(VEC_IPI, on_ipi);
    handle_exception(VEC_TIMER, on_timer);
    handle_exception(VEC_STIMER, on_timer);
    handle_exception(VEC_SINT, on_sint);
    probe_cpuid();
    if (!calibrate())
        return false;
    if (!tsc_khz || delay_apic == 0 || delay_apic > 0xffffffffu) {
        printf("hvbench: calibration failed (delay %lu ns)\n", delay_ns);
        return false;
    }
    if (have & NEED_HV) {
        wrmsr(HV_MSR_GUEST_OS_ID, GUEST_ID);
        if (have & NEED_HV_TIME) {
            wrmsr(HV_MSR_REFERENCE_TSC, (uint64_t)(uintptr_t)tsc_page | 1);
            if (tp->tsc_sequence == 0) {
                printf("hvbench: the TSC page is not valid\n");
                return false;
            }
        }
        bool ud;
        uint64_t r = hv_vmcall(0x0001 | HV_HCALL_FAST, 0, 0, &ud);
        if (ud || r != HV_STATUS_INVALID_HYPERCALL_CODE) {
            printf("hvbench: hypercall 0x0001 returned %lx%s, not 2\n", r, ud ? " (#UD)" : "");
            return false;
        }
    }
    return true;
}

static void run(const struct hvbench_op *op, uint32_t iters)
{
    unsigned missing = op->needs & ~have;

    if ((missing & NEED_SMP) && cpus < 2) {
        cpus = smp_start(2);
        if (cpus >= 2)
            have |= NEED_SMP, missing &= ~NEED_SMP;
    }
    if (missing) {
        printf("op %s skipped (needs %s)\n", op->name, need_name(missing));
        return;
    }
    irqs = lazy = bad = 0;
    eoi_ticks = 0;
    if (op->prep)
        op->prep();
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < iters; i++)
        op->fn();
    uint64_t t1 = rdtsc();
    if (op->done)
        op->done();
    printf("op %s iters %u tsc %lu irqs %u", op->name, iters, t1 - t0, irqs);
    if (op->kind == K_EOI)
        printf(" lazy %u eoi_tsc %lu", lazy, eoi_ticks);
    if (bad)
        printf(" bad %u", bad);
    printf("\n");
}

int main(void)
{
    char buf[32];
    const char *want = cmdline_val("op=", buf, sizeof buf);
    uint64_t iters = cmdline_num("iters=", 0);
    int found = 0;

    delay_ns = cmdline_num("delay=", delay_ns);
    if (delay_ns == 0 || delay_ns > 1000000000ull || cmdline_num("iters=", 1) == 0 ||
        iters > 0xffffffffull) {
        printf("hvbench: bad iters= or delay= (want 1..4294967295 and 1..1000000000 ns)\n");
        return 2;
    }
    hv_catch_faults();
    if (!setup())
        return 2;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (want && strcmp(want, ops[i].name))
            continue;
        run(&ops[i], iters ? (uint32_t)iters : ops[i].iters);
        found++;
    }
    if (!found) {
        printf("hvbench: unknown op '%s'\n", want);
        return 2;
    }
    return 0;
}
