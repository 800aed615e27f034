/*
 * testsuite/satori.hyperv/stimer.c: hv-stimer and hv-stimer-direct as KVM
 * gives them (reference/hyperv.md 6; KVM's stimer_set_config,
 * stimer_set_count, stimer_start, kvm_hv_process_stimers,
 * stimer_expiration, stimer_send_msg, stimer_notify_direct).
 *
 * Run with -cpu qemu64,hv-vpindex,hv-synic,hv-time,hv-stimer,
 * hv-stimer-direct.  Times are reference-counter units (100 ns).  Checks
 * that depend on how late an expiry is seen compare against windows, not
 * exact values, except where KVM's arithmetic fixes them (periodic expiry
 * times).  With "realtime" on the command line (no -icount): order and
 * bounds only (realtime() below).  No QEMU comparison (QEMU's TCG has no
 * Hyper-V).
 */
#include "hv-guest.h"

#define GUEST_ID 0x8100000006080000ull

#define CFG_ENABLE    (1ull << 0)
#define CFG_PERIODIC  (1ull << 1)
#define CFG_LAZY      (1ull << 2)
#define CFG_AUTO      (1ull << 3)
#define CFG_VECTOR(v) ((uint64_t)(v) << 4)
#define CFG_DIRECT    (1ull << 12)
#define CFG_SINT(s)   ((uint64_t)(s) << 16)
#define HVMSG_TIMER_EXPIRED 0x80000010u

#define TIMER_SINT 2
#define TIMER_VEC  0x52
#define SINT4_VEC  0x54
#define DIRECT_VEC 0x61
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100

static uint8_t msg_page[4096] __attribute__((aligned(4096)));
static volatile int sint_irqs, sint4_irqs, direct_irqs;
static volatile bool direct_isr;

struct timer_msg {
    volatile uint32_t type;
    volatile uint8_t size, flags;
    uint16_t reserved;
    uint64_t sender;
    volatile uint32_t timer_index, reserved2;
    volatile uint64_t expiration, delivery;
};

static struct timer_msg *slot(unsigned sint)
{
    return (struct timer_msg *)(msg_page + sint * 256);
}

static uint64_t config_msr(int t) { return HV_MSR_STIMER0_CONFIG + 2 * t; }
static uint64_t count_msr(int t) { return HV_MSR_STIMER0_COUNT + 2 * t; }

static uint64_t now(void)
{
    return rdmsr(HV_MSR_TIME_REF_COUNT);
}

static void on_sint(struct frame *f) { sint_irqs++; apic_eoi(); }
static void on_sint4(struct frame *f) { sint4_irqs++; apic_eoi(); }

static void on_direct(struct frame *f)
{
    direct_irqs++;
    direct_isr = apic_read(APIC_ISR + (DIRECT_VEC >> 5) * 0x10) >> (DIRECT_VEC & 31) & 1;
    apic_eoi();
}

/* Spin with interrupts on until *counter reaches want or the deadline
 * (no HLT: with nothing armed an idle -icount machine would never wake). */
static void wait_irqs(volatile int *counter, int want, uint64_t deadline)
{
    while (*counter < want && now() < deadline)
        __asm__ volatile("sti; pause; pause; cli" ::: "memory");
}

static void spin_until(uint64_t t)
{
    while (now() < t)
        __asm__ volatile("pause");
}

static void stop(int t)
{
    wrmsr(config_msr(t), 0);
    wrmsr(count_msr(t), 0);
}

static void config_rules(void)
{
    uint64_t v = 1;

    for (int t = 0; t < 4; t++)
        if (rdmsr(config_msr(t)) || rdmsr(count_msr(t)))
            v = 0;
    report("CONFIG and COUNT of all four timers read 0 after reset", v);

    /* stimer_set_config: enable with SINT 0 stays set when it was off ... */
    wrmsr(config_msr(1), CFG_ENABLE);
    v = rdmsr(config_msr(1));
    reportf(v == CFG_ENABLE, "enable with SINT 0 on a disabled timer is kept (%lx)", v);
    /* ... and is cleared when the timer was enabled before */
    wrmsr(config_msr(1), CFG_ENABLE);
    v = rdmsr(config_msr(1));
    reportf(v == 0, "enable with SINT 0 on an enabled timer is cleared (%lx)", v);
    /* stimer_set_count: 0 clears enable; auto_enable sets it */
    wrmsr(config_msr(1), CFG_ENABLE | CFG_SINT(TIMER_SINT));
    wrmsr(count_msr(1), 0);
    v = rdmsr(config_msr(1));
    reportf(v == CFG_SINT(TIMER_SINT), "COUNT 0 clears enable (%lx)", v);
    wrmsr(config_msr(1), CFG_AUTO | CFG_SINT(TIMER_SINT));
    wrmsr(count_msr(1), now() + 100000000ull);
    v = rdmsr(config_msr(1));
    reportf(v == (CFG_AUTO | CFG_SINT(TIMER_SINT) | CFG_ENABLE),
            "non-zero COUNT with auto_enable sets enable (%lx)", v);
    stop(1);
    /* every bit is stored, lazy included (6.1) */
    wrmsr(config_msr(1), 0xfff000000000e004ull | CFG_SINT(7));
    v = rdmsr(config_msr(1));
    reportf(v == (0xfff000000000e004ull | CFG_SINT(7)), "reserved and lazy bits stored (%lx)",
            v);
    wrmsr(count_msr(1), 0x123456789abcull);
    v = rdmsr(count_msr(1));
    reportf(v == 0x123456789abcull, "COUNT stored (%lx)", v);
    stop(1);
}

static void one_shot(void)
{
    struct timer_msg *m = slot(TIMER_SINT);
    uint64_t due, t0, v;

    /* absolute expiry: COUNT is a reference time (stimer_start) */
    wrmsr(config_msr(0), CFG_ENABLE | CFG_SINT(TIMER_SINT));
    t0 = now();
    due = t0 + 20000;           /* 2 ms */
    wrmsr(count_msr(0), due);
    reportf(m->type == 0, "nothing before the expiry");
    wait_irqs(&sint_irqs, 1, due + 100000);
    reportf(sint_irqs == 1, "one-shot: SINT2 interrupt (%d)", sint_irqs);
    reportf(m->type == HVMSG_TIMER_EXPIRED && m->size == 24 && m->flags == 0 &&
            m->timer_index == 0 && m->reserved2 == 0 && m->sender == 0,
            "timer message: type 0x80000010, 24 bytes, timer 0 (%x %u %u)", m->type, m->size,
            m->timer_index);
    reportf(m->expiration == due, "expiration_time = COUNT (%lu, %lu)", m->expiration, due);
    reportf(m->delivery >= due && m->delivery < due + 10000,
            "delivery_time at or just after it (%lu)", m->delivery - due);
    v = rdmsr(config_msr(0));
    reportf(v == CFG_SINT(TIMER_SINT), "delivered one-shot clears enable (%lx)", v);
    m->type = 0;

    /* in the past: expires at once (TLFS 15.3.1 as KVM cites it) */
    wrmsr(count_msr(0), 1);
    wrmsr(config_msr(0), CFG_ENABLE | CFG_SINT(TIMER_SINT));
    reportf(m->type == HVMSG_TIMER_EXPIRED && m->expiration == 1,
            "one-shot in the past: message written by the CONFIG write (%lu)", m->expiration);
    wait_irqs(&sint_irqs, 2, now() + 10000);
    reportf(sint_irqs == 2, "and its interrupt (%d)", sint_irqs);

    /* busy slot: msg_pending flag, timer stays enabled, EOM retries */
    wrmsr(count_msr(0), 1);
    wrmsr(config_msr(0), CFG_ENABLE | CFG_SINT(TIMER_SINT));
    reportf(m->expiration == 1 && (m->flags & 1),
            "slot busy: msg_pending set in the old message (flags %x)", m->flags);
    v = rdmsr(config_msr(0));
    reportf(v & CFG_ENABLE, "not delivered: still enabled (%lx)", v);
    m->type = 0;
    t0 = now();
    wrmsr(HV_MSR_EOM, 0);
    reportf(m->type == HVMSG_TIMER_EXPIRED && m->flags == 0 && m->delivery >= t0,
            "EOM: the pending message is delivered (flags %x)", m->flags);
    v = rdmsr(config_msr(0));
    reportf(v == CFG_SINT(TIMER_SINT), "and enable is cleared then (%lx)", v);
    wait_irqs(&sint_irqs, 3, now() + 10000);
    m->type = 0;

    /* SIMP off: pending with no slot; enabling alone does not deliver */
    wrmsr(HV_MSR_SIMP, (uint64_t)msg_page);
    wrmsr(count_msr(0), 1);
    wrmsr(config_msr(0), CFG_ENABLE | CFG_SINT(TIMER_SINT));
    wrmsr(HV_MSR_SIMP, (uint64_t)msg_page | 1);
    reportf(m->type == 0, "message page off at expiry: nothing written, even once it is on");
    wrmsr(HV_MSR_EOM, 0);
    reportf(m->type == HVMSG_TIMER_EXPIRED, "EOM retries it into the page");
    wait_irqs(&sint_irqs, 4, now() + 10000);
    m->type = 0;

    /* SINT masked: the message is written, no interrupt, and the timer
     * stays pending (synic_set_irq -ENOENT); EOM then finds its own
     * message in the slot, so the guest must free it first */
    wrmsr(HV_MSR_SINT0 + TIMER_SINT, TIMER_VEC | (1ull << 16));
    wrmsr(count_msr(0), 1);
    wrmsr(config_msr(0), CFG_ENABLE | CFG_SINT(TIMER_SINT));
    wait_irqs(&sint_irqs, 5, now() + 10000);
    v = rdmsr(config_msr(0));
    reportf(m->type == HVMSG_TIMER_EXPIRED && sint_irqs == 4 && (v & CFG_ENABLE),
            "masked SINT: message written, no interrupt, timer still pending (%d)", sint_irqs);
    wrmsr(HV_MSR_SINT0 + TIMER_SINT, TIMER_VEC);
    m->type = 0;
    t0 = now();
    wrmsr(HV_MSR_EOM, 0);
    wait_irqs(&sint_irqs, 5, now() + 10000);
    reportf(m->type == HVMSG_TIMER_EXPIRED && m->delivery >= t0 && sint_irqs == 5 &&
            rdmsr(config_msr(0)) == CFG_SINT(TIMER_SINT),
            "unmasked, slot freed, EOM: delivered again with its interrupt (%d)", sint_irqs);
    m->type = 0;
    stop(0);
}

static void periodic(void)
{
    struct timer_msg *m = slot(TIMER_SINT);
    const uint64_t period = 10000;     /* 1 ms */
    uint64_t e[3], t0, first;
    int base = sint_irqs;

    t0 = now();
    wrmsr(count_msr(2), period);
    wrmsr(config_msr(2), CFG_ENABLE | CFG_PERIODIC | CFG_SINT(TIMER_SINT));
    for (int i = 0; i < 3; i++) {
        wait_irqs(&sint_irqs, base + i + 1, t0 + 100 * period);
        e[i] = m->expiration;
        m->type = 0;
    }
    reportf(sint_irqs == base + 3 && m->timer_index == 0 + 2, "periodic: three ticks of timer 2");
    reportf(e[0] >= t0 + period && e[0] < t0 + period + 2000,
            "first expiry one period after the COUNT write (%lu)", e[0] - t0);
    reportf(e[1] - e[0] == period && e[2] - e[1] == period,
            "later expiries exactly one period apart (%lu, %lu)", e[1] - e[0], e[2] - e[1]);
    /* a busy slot drops periodic ticks (synic_deliver_msg with no_retry) */
    wait_irqs(&sint_irqs, base + 4, e[2] + 10 * period);
    first = m->expiration;           /* left in the slot: the next ticks find it busy */
    spin_until(first + 3 * period + period / 2);
    reportf(m->expiration == first && !(m->flags & 1),
            "busy slot: periodic ticks are dropped, no msg_pending (flags %x)", m->flags);
    t0 = now();
    m->type = 0;
    wait_irqs(&sint_irqs, base + 5, t0 + 10 * period);
    reportf(m->type == HVMSG_TIMER_EXPIRED && (m->expiration - first) % period == 0 &&
            m->expiration > t0 && m->expiration - t0 <= period,
            "after the guest frees the slot: the next period's tick (%lu periods on)",
            (m->expiration - first) / period);

    /* missed periods: with no message page a tick stays pending; once EOM
     * delivers it, stimer_start skips to the next period after now */
    m->type = 0;
    wrmsr(HV_MSR_SIMP, (uint64_t)msg_page);
    first = e[0];
    spin_until(now() + 3 * period + period / 2);
    wrmsr(HV_MSR_SIMP, (uint64_t)msg_page | 1);
    reportf(m->type == 0, "page off: the tick waits, nothing written");
    t0 = now();
    wrmsr(HV_MSR_EOM, 0);
    first = m->expiration;
    reportf(m->type == HVMSG_TIMER_EXPIRED && t0 - first > 2 * period && m->delivery >= t0,
            "EOM delivers the stale tick: expiration %lu periods ago",
            (t0 - first) / period);
    wait_irqs(&sint_irqs, base + 6, t0 + 10 * period);
    m->type = 0;
    wait_irqs(&sint_irqs, base + 7, t0 + 10 * period);
    reportf(sint_irqs == base + 7 && (m->expiration - first) % period == 0 &&
            m->expiration > t0 && m->expiration - t0 <= period,
            "next tick: the first period after the EOM, missed ones not replayed (%lu)",
            (m->expiration - first) / period);
    stop(2);
    m->type = 0;
    wait_irqs(&sint_irqs, 1000, now() + 3 * period);
    reportf(m->type == 0, "stopped: no more ticks");
}

static void two_timers(void)
{
    struct timer_msg *m2 = slot(TIMER_SINT), *m4 = slot(4);
    uint64_t t0 = now();
    int base = sint_irqs;

    wrmsr(HV_MSR_SINT0 + 4, SINT4_VEC);
    wrmsr(config_msr(3), CFG_ENABLE | CFG_SINT(4));
    wrmsr(count_msr(3), t0 + 30000);
    wrmsr(config_msr(1), CFG_ENABLE | CFG_SINT(TIMER_SINT));
    wrmsr(count_msr(1), t0 + 15000);
    wait_irqs(&sint4_irqs, 1, t0 + 200000);
    reportf(sint_irqs == base + 1 && sint4_irqs == 1, "timers 1 and 3 each fire once (%d %d)",
            sint_irqs - base, sint4_irqs);
    reportf(m2->timer_index == 1 && m2->expiration == t0 + 15000 && m4->timer_index == 3 &&
            m4->expiration == t0 + 30000, "each message names its timer and expiry");
    reportf(m2->delivery < m4->delivery, "timer 1 delivered before timer 3");
    m2->type = m4->type = 0;
}

static void direct(void)
{
    struct timer_msg *m = slot(0);
    uint64_t v, t0 = now();

    wrmsr(config_msr(0), CFG_ENABLE | CFG_DIRECT | CFG_VECTOR(DIRECT_VEC));
    wrmsr(count_msr(0), t0 + 20000);
    wait_irqs(&direct_irqs, 1, t0 + 200000);
    reportf(direct_irqs == 1 && direct_isr, "direct mode: vector 0x61 taken, in ISR (%d)",
            direct_irqs);
    reportf(m->type == 0 && slot(TIMER_SINT)->type == 0, "direct mode writes no message");
    v = rdmsr(config_msr(0));
    reportf(v == (CFG_DIRECT | CFG_VECTOR(DIRECT_VEC)), "direct one-shot clears enable (%lx)",
            v);
    /* direct + SINT 0 on an enabled timer keeps enable (the rule is for messages) */
    wrmsr(count_msr(0), now() + 100000000ull);
    wrmsr(config_msr(0), CFG_ENABLE | CFG_DIRECT | CFG_VECTOR(DIRECT_VEC));
    wrmsr(config_msr(0), CFG_ENABLE | CFG_DIRECT | CFG_VECTOR(DIRECT_VEC));
    v = rdmsr(config_msr(0));
    reportf(v & CFG_ENABLE, "direct mode, SINT 0, enabled before: enable kept (%lx)", v);
    stop(0);
    /* periodic direct */
    t0 = now();
    wrmsr(count_msr(0), 5000);
    wrmsr(config_msr(0), CFG_ENABLE | CFG_PERIODIC | CFG_DIRECT | CFG_VECTOR(DIRECT_VEC));
    wait_irqs(&direct_irqs, 4, t0 + 200000);
    stop(0);
    reportf(direct_irqs == 4, "periodic direct timer: three more interrupts (%d)", direct_irqs);
}

/*
 * "realtime": the same timers without -icount, on a host that may be
 * loaded.  Only what no host delay can change is asserted: the message's
 * expiration_time (KVM's arithmetic), order (no interrupt before its
 * expiry, deliveries in expiry order, periodic expiries on the period
 * grid and increasing), lower bounds, and upper bounds of seconds.  The
 * figures are printed only on failure, so that two runs print the same.
 */
static volatile uint64_t irq_at, direct_at;
static void on_sint_rt(struct frame *f) { irq_at = now(); sint_irqs++; apic_eoi(); }
static void on_direct_rt(struct frame *f) { direct_at = now(); direct_irqs++; apic_eoi(); }

#define SECOND 10000000ull      /* reference-time units */

static void check2(bool ok, const char *what, uint64_t a, uint64_t b)
{
    if (ok)
        reportf(true, "realtime: %s", what);
    else
        reportf(false, "realtime: %s (%lu, %lu)", what, a, b);
}

static void realtime(void)
{
    struct timer_msg *m = slot(TIMER_SINT), *m4 = slot(4);
    uint64_t t0, due, v;
    int base;

    handle_exception(TIMER_VEC, on_sint_rt);
    handle_exception(DIRECT_VEC, on_direct_rt);

    /* one-shot, 2 ms ahead */
    m->type = 0;
    base = sint_irqs;
    wrmsr(config_msr(0), CFG_ENABLE | CFG_SINT(TIMER_SINT));
    t0 = now();
    due = t0 + 20000;
    wrmsr(count_msr(0), due);
    wait_irqs(&sint_irqs, base + 1, due + 10 * SECOND);
    check2(sint_irqs == base + 1, "one-shot fires once", (uint64_t)(sint_irqs - base), 1);
    check2(irq_at >= due, "not before its expiry", irq_at, due);
    check2(m->type == HVMSG_TIMER_EXPIRED && m->expiration == due, "expiration_time = COUNT",
           m->expiration, due);
    check2(m->delivery >= due && m->delivery <= irq_at && m->delivery < due + 5 * SECOND,
           "delivery_time between the expiry and the interrupt", m->delivery, due);
    v = rdmsr(config_msr(0));
    check2(v == CFG_SINT(TIMER_SINT), "delivered one-shot clears enable", v, 0);
    m->type = 0;

    /* periodic, 1 ms: five ticks on the grid of the first, in order */
    const uint64_t period = 10000;
    uint64_t e[5] = { 0 }, d[5] = { 0 };
    bool grid = true, order = true, late_ok = true;
    base = sint_irqs;
    t0 = now();
    wrmsr(count_msr(2), period);
    wrmsr(config_msr(2), CFG_ENABLE | CFG_PERIODIC | CFG_SINT(TIMER_SINT));
    for (int i = 0; i < 5; i++) {
        wait_irqs(&sint_irqs, base + i + 1, t0 + 20 * SECOND);
        e[i] = m->expiration;
        d[i] = m->delivery;
        m->type = 0;            /* free the slot for the next tick */
    }
    stop(2);
    for (int i = 0; i < 5; i++) {
        if (d[i] < e[i])
            late_ok = false;
        if (i && ((e[i] - e[0]) % period || e[i] <= e[i - 1] || d[i] < d[i - 1]))
            order = grid = false;
    }
    check2(sint_irqs >= base + 5, "periodic: five ticks", (uint64_t)(sint_irqs - base), 5);
    check2(e[0] >= t0 + period, "first expiry at least one period after the COUNT write",
           e[0], t0 + period);
    check2(grid && order, "expiries on the period grid, increasing; deliveries in order",
           e[1] - e[0], e[4] - e[0]);
    check2(late_ok, "each delivery at or after its expiry", d[0], e[0]);

    /* two one-shots armed in reverse order are delivered in expiry order */
    m->type = m4->type = 0;
    base = sint_irqs;
    int base4 = sint4_irqs;
    t0 = now();
    wrmsr(HV_MSR_SINT0 + 4, SINT4_VEC);
    wrmsr(config_msr(3), CFG_ENABLE | CFG_SINT(4));
    wrmsr(count_msr(3), t0 + 30000);
    wrmsr(config_msr(1), CFG_ENABLE | CFG_SINT(TIMER_SINT));
    wrmsr(count_msr(1), t0 + 15000);
    wait_irqs(&sint4_irqs, base4 + 1, t0 + 10 * SECOND);
    wait_irqs(&sint_irqs, base + 1, t0 + 10 * SECOND);
    check2(sint_irqs == base + 1 && sint4_irqs == base4 + 1, "two timers fire once each",
           (uint64_t)(sint_irqs - base), (uint64_t)(sint4_irqs - base4));
    check2(m->expiration == t0 + 15000 && m4->expiration == t0 + 30000,
           "their messages carry their own expiry", m->expiration - t0, m4->expiration - t0);
    check2(m->delivery <= m4->delivery, "the earlier one is delivered first", m->delivery,
           m4->delivery);
    m->type = m4->type = 0;

    /* direct mode, 3 ms ahead */
    stop(0);                    /* timer 0's old COUNT is past: enabling it would fire at once */
    base = direct_irqs;
    t0 = now();
    due = t0 + 30000;
    wrmsr(count_msr(0), due);
    wrmsr(config_msr(0), CFG_ENABLE | CFG_DIRECT | CFG_VECTOR(DIRECT_VEC));
    wait_irqs(&direct_irqs, base + 1, due + 10 * SECOND);
    check2(direct_irqs == base + 1 && direct_at >= due, "direct mode: one interrupt, not early",
           direct_at, due);
    check2(m->type == 0, "direct mode writes no message", m->type, 0);
    stop(0);

    /* the reference counter keeps pace: 50 ms of it take at least 50 ms of TSC */
    uint64_t r0 = now(), c0 = rdtsc();
    spin_until(r0 + 500000);
    uint64_t c1 = rdtsc(), r1 = now();
    uint64_t hz = rdmsr(HV_MSR_TSC_FREQUENCY);
    check2(hz && (c1 - c0) * 10000000ull / hz + 1000 >= r1 - r0 - 1000 &&
           (c1 - c0) * 10000000ull / hz < (r1 - r0) + 5 * SECOND,
           "50 ms of reference time span 50 ms of TSC (no drift between the clocks)",
           (c1 - c0) * 10000000ull / hz, r1 - r0);
}

/* hv-enforce-cpuid without hv-stimer-direct: direct mode #GPs (2.2, 6.2) */
static void enforce_no_direct(void)
{
    uint64_t v = 0;

    reportf(!wrmsr_safe(config_msr(0), CFG_DIRECT | CFG_VECTOR(DIRECT_VEC)),
            "enforce, no 0x40000003.EDX bit 19: CONFIG with direct_mode #GPs");
    rdmsr_safe(config_msr(0), &v);
    reportf(v == 0, "and is not stored (%lx)", v);
    reportf(wrmsr_safe(config_msr(0), CFG_SINT(TIMER_SINT)), "CONFIG without it is accepted");
    reportf(wrmsr_safe(count_msr(0), 5), "COUNT is accepted");
    stop(0);
}

int main(void)
{
    hv_catch_faults();
    outb(0x21, 0xff);           /* 8259 masked: only APIC interrupts here */
    outb(0xa1, 0xff);
    apic_write(APIC_SVR, 0x1ff);
    handle_exception(TIMER_VEC, on_sint);
    handle_exception(SINT4_VEC, on_sint4);
    handle_exception(DIRECT_VEC, on_direct);
    wrmsr_safe(HV_MSR_GUEST_OS_ID, GUEST_ID);
    wrmsr(HV_MSR_SIMP, (uint64_t)msg_page | 1);
    wrmsr(HV_MSR_SCONTROL, 1);
    wrmsr(HV_MSR_SINT0 + TIMER_SINT, TIMER_VEC);

    if (hv_cmdline_has("enforce-nodirect")) {
        enforce_no_direct();
        return 0;
    }
    if (hv_cmdline_has("realtime")) {
        realtime();
        return 0;
    }
    config_rules();
    one_shot();
    periodic();
    two_timers();
    direct();
    return 0;
}
