/*
 * hw/timer/hpet.c: the High Precision Event Timer of QEMU's pc (IA-PC
 * HPET Specification 1.0a: 2.3 "Register Descriptions", 2.3.9 "Timer
 * behaviour"), at 0xfed00000.
 *
 * What the guest sees, as QEMU's: revision 1, vendor 0x8086, three
 * comparators, a 64-bit main counter at 100 MHz (COUNTER_CLK_PERIOD =
 * 10^7 fs), legacy replacement capable.  Every timer is periodic capable
 * and 64-bit capable; FSB delivery is not offered (Tn_FSB_INT_DEL_CAP = 0).
 * Tn_INT_ROUTE_CAP advertises IRQ 2 only (bit 2), as QEMU's pc (i440FX)
 * machine does; the route field itself accepts 0..23 and delivers to that
 * GSI as QEMU does.  In legacy replacement mode (LEG_RT_CNF) timer 0 drives
 * GSI 0 (IRQ 0 of the 8259, IOAPIC pin 2), timer 1 GSI 8 (IRQ 8), the PIT
 * is cut off IRQ 0 and the RTC off IRQ 8.
 *
 * Time: main counter = floor(virtual ns / 10) counted from the moment
 * ENABLE_CNF was set (exact integer math); each armed comparator is a timer
 * on the virtual clock at the nanosecond its match happens.
 *
 * A silent timer (edge-triggered, Tn_INT_ENB_CNF clear) is not put on the
 * timer queue: its comparator is brought up to date when the guest reads
 * or writes the HPET (see hpet_silent), so an idle guest costs nothing.
 *
 * Interrupts: level-triggered timers set their Tn_INT_STS bit and hold
 * the line high until software writes 1 to the bit; edge-triggered timers
 * pulse the line and leave the status bit 0 (as QEMU).  A timer with
 * Tn_INT_ENB_CNF clear still sets its status bit in level mode (spec
 * 2.3.8, Tn_INT_ENB_CNF note) but drives no line; QEMU 7.2 leaves the
 * bit clear there.
 *
 * Comparators: a match happens when the counter reaches the comparator
 * (all 64 bits, or the low 32 bits with Tn_32MODE_CNF).  A periodic timer
 * then adds its period (written through the comparator; Tn_VAL_SET_CNF
 * sets the comparator itself).  A 32-bit one-shot timer also interrupts
 * when the low 32 bits of the counter wrap before its match (spec 2.3.9.2.4,
 * as QEMU).  Deviation from QEMU: a comparator behind the counter matches
 * when the counter comes round to it (after the wrap), as the hardware
 * compares for equality; QEMU fires such a timer at once.  A 64-bit
 * access is one access (QEMU 7.2 splits it into 32-bit halves, so there
 * Tn_VAL_SET_CNF reaches only the low half of the comparator).
 */
#include "hw/timer/hpet.h"

#include <stdlib.h>
#include <string.h>

#include "timers/timers.h"

/* register offsets */
#define HPET_GCAP_ID   0x000
#define HPET_GEN_CONF  0x010
#define HPET_GINTR_STA 0x020
#define HPET_MAIN_CNT  0x0f0
#define HPET_TN_BASE   0x100
#define HPET_TN_STRIDE 0x20
#define HPET_TN_CONF   0x00
#define HPET_TN_CMP    0x08
#define HPET_TN_FSB    0x10

/* GCAP_ID fields */
#define HPET_REV_ID           0x01
#define HPET_NUM_TIM_CAP_SHIFT 8
#define HPET_COUNT_SIZE_CAP   (1u << 13)
#define HPET_LEG_RT_CAP       (1u << 15)
#define HPET_VENDOR_ID        0x8086u
#define HPET_CLK_PERIOD_FS    10000000ull   /* 10 ns: 100 MHz */
#define HPET_NS_PER_TICK      10

/* GEN_CONF */
#define ENABLE_CNF  (1u << 0)
#define LEG_RT_CNF  (1u << 1)

/* Tn_CONF_CAP */
#define Tn_INT_TYPE_CNF  (1u << 1)     /* 1 = level */
#define Tn_INT_ENB_CNF   (1u << 2)
#define Tn_TYPE_CNF      (1u << 3)     /* 1 = periodic */
#define Tn_PER_INT_CAP   (1u << 4)
#define Tn_SIZE_CAP      (1u << 5)
#define Tn_VAL_SET_CNF   (1u << 6)
#define Tn_32MODE_CNF    (1u << 8)
#define Tn_INT_ROUTE_SHIFT 9
#define Tn_INT_ROUTE_MASK  (0x1fu << Tn_INT_ROUTE_SHIFT)
#define Tn_FSB_EN_CNF    (1u << 14)
#define Tn_CONF_WRITABLE (Tn_INT_TYPE_CNF | Tn_INT_ENB_CNF | Tn_TYPE_CNF | Tn_VAL_SET_CNF \
                          | Tn_32MODE_CNF | Tn_INT_ROUTE_MASK)
#define HPET_INT_ROUTE_CAP (1ull << 2)    /* QEMU pc: IRQ 2 */

struct hpet;

struct hpet_timer {
    struct hpet *h;
    int n;
    uint64_t config;           /* writable bits of Tn_CONF_CAP */
    uint64_t cmp, period;
    uint64_t target;           /* absolute counter value of the armed event */
    bool wrap_pending;         /* the armed event is the 32-bit wrap */
    bool lazy;                 /* armed, but silent: not on the timer queue */
    int64_t lazy_ns;           /* ... when its event is due */
    int raised;                /* GSI held high (level), or -1 */
    struct timer *timer;
};

struct hpet {
    uint64_t config;           /* GEN_CONF */
    uint64_t isr;              /* GINTR_STA */
    uint64_t counter;          /* main counter while halted */
    uint64_t enable_cnt;       /* counter value when ENABLE_CNF was set */
    int64_t enable_ns;         /* ... and the virtual ns it was set at */
    struct hpet_timer t[HPET_NUM_TIMERS];
    struct irq_line gsi[HPET_NUM_GSI];
    struct irq_line pit_enable;
    int rtc_level;
};

static uint64_t hpet_counter_now(const struct hpet *h)
{
    if (!(h->config & ENABLE_CNF))
        return h->counter;
    return h->enable_cnt + (uint64_t)(vclock_ns() - h->enable_ns) / HPET_NS_PER_TICK;
}

static bool hpet_legacy(const struct hpet *h)
{
    return h->config & LEG_RT_CNF;
}

static int hpet_route(const struct hpet_timer *t)
{
    if (hpet_legacy(t->h) && t->n < 2)
        return t->n == 0 ? 0 : 8;
    int r = (int)((t->config & Tn_INT_ROUTE_MASK) >> Tn_INT_ROUTE_SHIFT);
    return r < HPET_NUM_GSI ? r : -1;
}

/* Drive a level-triggered timer's line from its status bit. */
static void hpet_update_line(struct hpet_timer *t)
{
    struct hpet *h = t->h;
    int want = -1;

    if ((h->isr & (1ull << t->n)) && (t->config & Tn_INT_ENB_CNF)
        && (t->config & Tn_INT_TYPE_CNF) && (h->config & ENABLE_CNF))
        want = hpet_route(t);
    if (want == t->raised)
        return;
    if (t->raised >= 0)
        irq_set(&h->gsi[t->raised], 0);
    t->raised = want;
    if (want >= 0)
        irq_set(&h->gsi[want], 1);
}

static void hpet_fire(struct hpet_timer *t)
{
    struct hpet *h = t->h;

    if (t->config & Tn_INT_TYPE_CNF) {
        h->isr |= 1ull << t->n;
        hpet_update_line(t);
    } else if (t->config & Tn_INT_ENB_CNF) {
        int r = hpet_route(t);
        if (r >= 0) {
            irq_set(&h->gsi[r], 1);
            irq_set(&h->gsi[r], 0);
        }
    }
}

static bool hpet_32bit(const struct hpet_timer *t)
{
    return t->config & Tn_32MODE_CNF;
}

/*
 * A silent timer (edge-triggered with Tn_INT_ENB_CNF clear) changes
 * nothing but its own comparator when it fires: Linux leaves its unused
 * HPET clockevent like that, periodic at HZ.  It is kept off the timer
 * queue, so an idle guest does not wake the host HZ times a second, and
 * brought up to date when the guest looks (hpet_catch_up).
 */
static bool hpet_silent(const struct hpet_timer *t)
{
    return !(t->config & (Tn_INT_ENB_CNF | Tn_INT_TYPE_CNF));
}

static void hpet_unschedule(struct hpet_timer *t)
{
    timer_del(t->timer);
    t->lazy = false;
}

/* Arm the virtual-clock timer at the counter value t->target. */
static void hpet_schedule(struct hpet_timer *t)
{
    struct hpet *h = t->h;
    uint64_t ticks = t->target - h->enable_cnt;

    if (ticks > (uint64_t)(INT64_MAX - h->enable_ns) / HPET_NS_PER_TICK) {
        hpet_unschedule(t);    /* beyond the end of virtual time */
        return;
    }
    int64_t when = h->enable_ns + (int64_t)ticks * HPET_NS_PER_TICK;
    if (hpet_silent(t)) {
        timer_del(t->timer);
        t->lazy = true;
        t->lazy_ns = when;
        return;
    }
    t->lazy = false;
    timer_mod(t->timer, when);
}

/* (Re)compute the next event of a timer from its comparator. */
static void hpet_arm(struct hpet_timer *t)
{
    struct hpet *h = t->h;
    uint64_t cur = hpet_counter_now(h), d;

    t->wrap_pending = false;
    if (!(h->config & ENABLE_CNF)) {
        hpet_unschedule(t);
        return;
    }
    if (hpet_32bit(t)) {
        d = (uint32_t)((uint32_t)t->cmp - (uint32_t)cur);
        uint64_t to_wrap = 0x100000000ull - (uint32_t)cur;
        if (!(t->config & Tn_TYPE_CNF) && d != 0 && to_wrap < d) {
            d = to_wrap;
            t->wrap_pending = true;
        }
    } else {
        if (t->cmp < cur) {
            hpet_unschedule(t);    /* matches after the 64-bit counter wraps */
            return;
        }
        d = t->cmp - cur;
    }
    t->target = cur + d;
    hpet_schedule(t);
}

static void hpet_timer_cb(void *opaque)
{
    struct hpet_timer *t = opaque;
    uint64_t cur = hpet_counter_now(t->h);

    if (t->wrap_pending) {
        hpet_fire(t);
        hpet_arm(t);           /* now for the match itself */
        return;
    }
    hpet_fire(t);
    if (!(t->config & Tn_TYPE_CNF) || t->period == 0)
        return;                /* one-shot: done until software rewrites it */
    uint64_t next = t->target + t->period;
    if (next <= cur)
        next = t->target + ((cur - t->target) / t->period + 1) * t->period;
    t->target = next;
    t->cmp = hpet_32bit(t) ? (uint32_t)next : next;
    hpet_schedule(t);
}

static uint64_t hpet_timer_conf(const struct hpet_timer *t)
{
    return t->config | Tn_PER_INT_CAP | Tn_SIZE_CAP | HPET_INT_ROUTE_CAP << 32;
}

/*
 * Timers run at slice boundaries; a guest polling the status or a
 * comparator must see events that are already due, so a read first runs
 * the callbacks whose deadline has passed.
 */
static void hpet_catch_up(struct hpet *h)
{
    int64_t now = vclock_ns();

    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        struct hpet_timer *t = &h->t[i];
        for (;;) {
            if (t->lazy && t->lazy_ns <= now) {
                t->lazy = false;
            } else if (timer_pending(t->timer) && timer_deadline(t->timer) <= now) {
                timer_del(t->timer);
            } else {
                break;
            }
            hpet_timer_cb(t);
        }
    }
}

static uint64_t hpet_read64(struct hpet *h, uint64_t reg)
{
    hpet_catch_up(h);
    if (reg >= HPET_TN_BASE && reg < HPET_TN_BASE + HPET_NUM_TIMERS * HPET_TN_STRIDE) {
        const struct hpet_timer *t = &h->t[(reg - HPET_TN_BASE) / HPET_TN_STRIDE];
        switch ((reg - HPET_TN_BASE) % HPET_TN_STRIDE) {
        case HPET_TN_CONF:
            return hpet_timer_conf(t);
        case HPET_TN_CMP:
            return t->cmp;
        default:
            return 0;          /* FSB route: FSB delivery not offered */
        }
    }
    switch (reg) {
    case HPET_GCAP_ID:
        return HPET_CLK_PERIOD_FS << 32 | HPET_VENDOR_ID << 16 | HPET_LEG_RT_CAP
               | HPET_COUNT_SIZE_CAP | (HPET_NUM_TIMERS - 1) << HPET_NUM_TIM_CAP_SHIFT
               | HPET_REV_ID;
    case HPET_GEN_CONF:
        return h->config;
    case HPET_GINTR_STA:
        return h->isr;
    case HPET_MAIN_CNT:
        return hpet_counter_now(h);
    }
    return 0;
}

static void hpet_write_conf(struct hpet *h, uint64_t v)
{
    uint64_t old = h->config;

    h->config = v & (ENABLE_CNF | LEG_RT_CNF);
    if ((old ^ h->config) & ENABLE_CNF) {
        if (h->config & ENABLE_CNF) {
            h->enable_cnt = h->counter;
            h->enable_ns = vclock_ns();
        } else {
            /* the counter halts at its current value */
            uint64_t c = h->enable_cnt + (uint64_t)(vclock_ns() - h->enable_ns) / HPET_NS_PER_TICK;
            h->counter = c;
        }
        for (int i = 0; i < HPET_NUM_TIMERS; i++)
            hpet_arm(&h->t[i]);
    }
    if ((old ^ h->config) & LEG_RT_CNF) {
        bool leg = h->config & LEG_RT_CNF;
        irq_set(&h->pit_enable, !leg);
        /* IRQ 8 belongs to timer 1 in legacy mode, to the RTC otherwise */
        if (h->rtc_level)
            irq_set(&h->gsi[8], !leg);
    }
    for (int i = 0; i < HPET_NUM_TIMERS; i++)
        hpet_update_line(&h->t[i]);
}

static void hpet_write_timer(struct hpet *h, struct hpet_timer *t, uint64_t reg, uint64_t v,
                             uint64_t mask)
{
    switch (reg) {
    case HPET_TN_CONF: {
        uint64_t old = t->config;
        t->config = ((old & ~mask) | (v & mask)) & Tn_CONF_WRITABLE;
        if (hpet_32bit(t)) {
            t->cmp = (uint32_t)t->cmp;
            t->period = (uint32_t)t->period;
        }
        if (!(t->config & Tn_INT_TYPE_CNF))
            h->isr &= ~(1ull << t->n);   /* edge mode: the status bit reads 0 */
        hpet_update_line(t);
        if ((old ^ t->config) & (Tn_TYPE_CNF | Tn_32MODE_CNF))
            hpet_arm(t);
        else if ((t->lazy || timer_pending(t->timer)) && hpet_silent(t) != t->lazy)
            hpet_schedule(t);   /* onto or off the timer queue, same event */
        break;
    }
    case HPET_TN_CMP: {
        if (hpet_32bit(t)) {
            mask &= 0xffffffffu;      /* the upper half does not exist */
            v &= 0xffffffffu;
        }
        /* In periodic mode a write sets the period, and the comparator
         * too only with Tn_VAL_SET_CNF (spec 2.3.9.2.2). */
        if (!(t->config & Tn_TYPE_CNF) || (t->config & Tn_VAL_SET_CNF))
            t->cmp = (t->cmp & ~mask) | (v & mask);
        t->period = (t->period & ~mask) | (v & mask);
        t->config &= ~(uint64_t)Tn_VAL_SET_CNF;
        hpet_arm(t);
        break;
    }
    default:
        break;                 /* FSB route: not offered */
    }
}

static void hpet_write64(struct hpet *h, uint64_t reg, uint64_t v, uint64_t mask)
{
    hpet_catch_up(h);           /* lazy timers up to date before anything changes */
    if (reg >= HPET_TN_BASE && reg < HPET_TN_BASE + HPET_NUM_TIMERS * HPET_TN_STRIDE) {
        struct hpet_timer *t = &h->t[(reg - HPET_TN_BASE) / HPET_TN_STRIDE];
        hpet_write_timer(h, t, (reg - HPET_TN_BASE) % HPET_TN_STRIDE, v, mask);
        return;
    }
    switch (reg) {
    case HPET_GEN_CONF:
        hpet_write_conf(h, (h->config & ~mask) | (v & mask));
        break;
    case HPET_GINTR_STA:
        /* level-triggered status: write 1 to clear */
        h->isr &= ~(v & mask);
        for (int i = 0; i < HPET_NUM_TIMERS; i++)
            hpet_update_line(&h->t[i]);
        break;
    case HPET_MAIN_CNT:
        /* writable only while halted (spec 2.3.7); ignored while counting */
        if (!(h->config & ENABLE_CNF))
            h->counter = (h->counter & ~mask) | (v & mask);
        break;
    default:
        break;                 /* read-only or reserved */
    }
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

uint64_t hpet_mmio_read(struct hpet *h, uint64_t off, unsigned size)
{
    unsigned shift = (unsigned)(off & 7) * 8;

    return (hpet_read64(h, off & ~7ull) >> shift) & size_mask(size);
}

void hpet_mmio_write(struct hpet *h, uint64_t off, uint64_t val, unsigned size)
{
    unsigned shift = (unsigned)(off & 7) * 8;
    uint64_t mask = size_mask(size);

    if (shift + size * 8 > 64)
        return;                /* straddles two registers: ignored */
    hpet_write64(h, off & ~7ull, (val & mask) << shift, mask << shift);
}

static uint64_t hpet_io_read(void *opaque, uint64_t off, unsigned size)
{
    return hpet_mmio_read(opaque, off, size);
}

static void hpet_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    hpet_mmio_write(opaque, off, val, size);
}

static const struct dev_ops hpet_ops = {
    .read = hpet_io_read, .write = hpet_io_write, .min_size = 1, .max_size = 8,
};

static void hpet_rtc_set(void *opaque, int n, int level)
{
    struct hpet *h = opaque;

    h->rtc_level = level != 0;
    if (!hpet_legacy(h))
        irq_set(&h->gsi[8], level);
}

struct irq_line hpet_rtc_irq_input(struct hpet *h)
{
    return (struct irq_line){ .set = hpet_rtc_set, .opaque = h, .n = 8 };
}

void hpet_reset(struct hpet *h)
{
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        struct hpet_timer *t = &h->t[i];
        hpet_unschedule(t);
        if (t->raised >= 0)
            irq_set(&h->gsi[t->raised], 0);
        t->raised = -1;
        t->config = 0;
        t->cmp = ~0ull;        /* comparators reset to all ones (spec 2.3.9.1) */
        t->period = 0;
        t->wrap_pending = false;
    }
    if (hpet_legacy(h))
        irq_set(&h->pit_enable, 1);
    h->config = 0;
    h->isr = 0;
    h->counter = 0;
}

struct hpet *hpet_new(struct bus *bus, const struct irq_line gsi[HPET_NUM_GSI],
                      struct irq_line pit_enable)
{
    struct hpet *h = calloc(1, sizeof *h);

    if (!h)
        abort();
    memcpy(h->gsi, gsi, sizeof h->gsi);
    h->pit_enable = pit_enable;
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        h->t[i].h = h;
        h->t[i].n = i;
        h->t[i].raised = -1;
        h->t[i].timer = timer_new(hpet_timer_cb, &h->t[i]);
    }
    hpet_reset(h);
    if (bus && bus_map_mmio(bus, HPET_BASE, HPET_LEN, &hpet_ops, h, "hpet") < 0) {
        hpet_free(h);
        return NULL;
    }
    return h;
}

void hpet_free(struct hpet *h)
{
    if (!h)
        return;
    for (int i = 0; i < HPET_NUM_TIMERS; i++)
        timer_free(h->t[i].timer);
    free(h);
}
