/*
 * hw/intc/lapic.c: the local APIC, as QEMU's pc presents it (version
 * 0x50014), in xAPIC (MMIO page at IA32_APIC_BASE) and x2APIC (MSRs
 * 0x800-0x8ff) modes; the APIC bus joining all of them.  Intel SDM vol. 3,
 * chapter 10 (10.4 base and enable, 10.5 LVT, timer and ESR, 10.6 ICR,
 * 10.8 priorities, IRR/ISR, EOI, 10.9 spurious vector, 10.12 x2APIC).
 *
 * The CPU reaches its APIC only through struct cpu_intc (cpu/cpu.h): MSRs,
 * the xAPIC page, CR8 and the INTA cycle.  The APIC drives the CPU's INTR
 * line (cpu_set_intr) with "some vector in IRR beats PPR, or an ExtINT is
 * pending"; the CPU acknowledges at its interrupt window.
 * hyperv/'s HV_X64_MSR_EOI/ICR/TPR reach the same registers through the
 * lapic_hv_*() functions (x2APIC semantics in either mode, as KVM's); its
 * SynIC injects SINT vectors (lapic_hv_inject), has its auto-EOI vectors
 * accepted without ISR and hears EOIs of its vectors (lapic_hv_set_synic).
 *
 * The timer counts a 1 GHz bus clock (one tick per virtual ns, as QEMU's)
 * divided by the divide configuration; TSC-deadline mode compares the
 * vCPU's TSC (cpu_rdtsc) and arms a virtual-clock timer at the equivalent
 * instant.
 *
 * Deviations, each chosen to match QEMU where hardware leaves a choice:
 * no CMCI LVT (the version has six LVT entries);
 * SVR keeps bits 8:0 (no focus checking, no EOI-broadcast suppression: the
 * version does not advertise it, so directed EOI is the IOAPIC's EOI
 * register); the arbitration priority register reads as the SDM computes
 * it; a one-shot timer fires after exactly "initial count" ticks.  SMIs
 * are logged and dropped (no SMM).  The xAPIC page may be relocated
 * anywhere (QEMU keeps it at 0xfee00000).
 */
#include "hw/intc/intc.h"

#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "timers/timers.h"
#include "util/log.h"

#define APIC_BASE_BSP  (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN   (1ull << 11)
#define APIC_BASE_MASK 0xffffff000ull   /* 36 physical address bits */
#define APIC_BASE_ADDR_DEFAULT 0xfee00000ull

#define MSR_IA32_APIC_BASE    0x1b
#define MSR_IA32_TSC_DEADLINE 0x6e0

/* register index = MMIO offset >> 4 = x2APIC MSR - 0x800 */
enum {
    REG_ID = 0x02, REG_VERSION = 0x03, REG_TPR = 0x08, REG_APR = 0x09, REG_PPR = 0x0a,
    REG_EOI = 0x0b, REG_RRD = 0x0c, REG_LDR = 0x0d, REG_DFR = 0x0e, REG_SVR = 0x0f,
    REG_ISR = 0x10, REG_TMR = 0x18, REG_IRR = 0x20, REG_ESR = 0x28,
    REG_ICR = 0x30, REG_ICR2 = 0x31, REG_LVT_TIMER = 0x32, REG_LVT_THERMAL = 0x33,
    REG_LVT_PERF = 0x34, REG_LVT_LINT0 = 0x35, REG_LVT_LINT1 = 0x36, REG_LVT_ERROR = 0x37,
    REG_TIMER_ICR = 0x38, REG_TIMER_CCR = 0x39, REG_TIMER_DCR = 0x3e, REG_SELF_IPI = 0x3f,
};

/*
 * LVT slots, in register order.  Version 0x50014 says "max LVT entry 5":
 * six entries, no CMCI (its offset 0x2f0 is a reserved register, as on
 * QEMU's pc).
 */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_NUM };

#define LVT_MASKED          (1u << 16)
#define LVT_LEVEL           (1u << 15)
#define LVT_REMOTE_IRR      (1u << 14)
#define LVT_DELIVERY_STATUS (1u << 12)
#define LVT_TIMER_MODE_MASK (3u << 17)
#define LVT_TIMER_PERIODIC  (1u << 17)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)

#define SVR_APIC_ENABLED (1u << 8)

#define ESR_SEND_ILLEGAL_VECTOR     (1u << 5)
#define ESR_RECEIVE_ILLEGAL_VECTOR  (1u << 6)
#define ESR_ILLEGAL_REGISTER        (1u << 7)

#define ICR_DELIVERY_STATUS (1u << 12)
#define ICR_LEVEL_ASSERT    (1u << 14)
#define ICR_TRIGGER_LEVEL   (1u << 15)
#define ICR_DEST_LOGICAL    (1u << 11)
#define ICR_LO_MASK         0x000ccfffu  /* vector, mode, dest mode, level, trigger, shorthand */

#define MAX_APICS 256

struct apic_bus {
    struct lapic *apics[MAX_APICS];
    int n;
    apic_eoi_fn eoi;
    void *eoi_opaque;
};

struct lapic {
    struct apic_bus *bus;
    struct cpu *cpu;
    uint32_t initial_id;
    bool bsp;
    uint64_t base;              /* IA32_APIC_BASE */
    uint32_t id;                /* xAPIC: ID << 24 as the register reads */
    uint32_t tpr, ldr, dfr, svr;
    uint32_t esr, esr_pending;  /* ESR as read; errors since the last write */
    uint32_t isr[8], irr[8], tmr[8];
    uint32_t lvt[LVT_NUM];
    uint32_t icr_lo, icr_hi;
    uint32_t timer_initial, timer_dcr;
    unsigned timer_shift;       /* divide by 1 << timer_shift */
    int64_t timer_start_ns;     /* when the count was (re)loaded */
    bool oneshot_due;           /* one-shot count loaded, its interrupt not yet sent */
    uint64_t tsc_deadline;
    struct timer *timer;
    bool lint_level[2];
    bool extint_pending;        /* ExtINT message (IOAPIC) waiting for INTA */
    int (*extint_ack)(void *opaque);
    void *extint_opaque;
    /* Hyper-V SynIC (lapic_hv_set_synic): auto-EOI vectors, watched EOIs */
    uint32_t hv_auto_eoi[8], hv_eoi_watch[8];
    void (*hv_eoi)(void *opaque, uint8_t vector);
    void *hv_eoi_opaque;
    void (*hv_notify)(void *opaque);   /* hyperv/ PV EOI: after each state change */
    void *hv_notify_opaque;
};

static void lapic_update(struct lapic *s);
static void lapic_timer_arm(struct lapic *s);

/* ---- bit arrays and priorities (SDM 10.8.3.1) ------------------------ */

static void bit_set(uint32_t *a, unsigned v) { a[v >> 5] |= 1u << (v & 31); }
static void bit_clear(uint32_t *a, unsigned v) { a[v >> 5] &= ~(1u << (v & 31)); }
static bool bit_test(const uint32_t *a, unsigned v) { return a[v >> 5] >> (v & 31) & 1; }

/* Highest set vector, or -1 when none. */
static int highest(const uint32_t *a)
{
    for (int i = 7; i >= 0; i--)
        if (a[i])
            return i * 32 + 31 - __builtin_clz(a[i]);
    return -1;
}

static uint32_t lapic_ppr(const struct lapic *s)
{
    int isrv = highest(s->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

    return (s->tpr & 0xf0) >= isr_class ? s->tpr & 0xff : isr_class;
}

static uint32_t lapic_apr(const struct lapic *s)
{
    int isrv = highest(s->isr), irrv = highest(s->irr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    uint32_t irr_class = irrv < 0 ? 0 : (uint32_t)irrv & 0xf0;
    uint32_t tpr_class = s->tpr & 0xf0, m = tpr_class;

    if (tpr_class >= irr_class && tpr_class > isr_class)
        return s->tpr & 0xff;
    if (isr_class > m)
        m = isr_class;
    if (irr_class > m)
        m = irr_class;
    return m;
}

static bool hw_enabled(const struct lapic *s) { return s->base & APIC_BASE_EN; }
static bool x2apic_mode(const struct lapic *s) { return (s->base & APIC_BASE_EXTD) && hw_enabled(s); }
static bool sw_enabled(const struct lapic *s) { return s->svr & SVR_APIC_ENABLED; }

/* The highest IRR vector the CPU may take now, or -1. */
static int deliverable(const struct lapic *s)
{
    int v = highest(s->irr);

    if (v < 0 || !sw_enabled(s) || ((uint32_t)v & 0xf0) <= (lapic_ppr(s) & 0xf0))
        return -1;
    return v;
}

/* LINT0 in ExtINT mode passes the 8259's INT through (virtual wire). */
static bool extint_wire(const struct lapic *s)
{
    uint32_t l = s->lvt[LVT_LINT0];

    if (!hw_enabled(s))
        return s->lint_level[0];     /* no APIC: LINT0 is the INTR pin */
    return !(l & LVT_MASKED) && ((l >> 8) & 7) == APIC_DM_EXTINT && s->lint_level[0];
}

static void lapic_update(struct lapic *s)
{
    bool intr = extint_wire(s) || (hw_enabled(s) && (s->extint_pending || deliverable(s) >= 0));

    cpu_set_intr(s->cpu, intr);
    if (s->hv_notify)
        s->hv_notify(s->hv_notify_opaque);
}

static void lapic_error(struct lapic *s, uint32_t bits)
{
    uint32_t l = s->lvt[LVT_ERROR];

    s->esr_pending |= bits;
    if (!(l & LVT_MASKED) && (l & 0xff) >= 16) {
        bit_set(s->irr, l & 0xff);
        bit_clear(s->tmr, l & 0xff);
        lapic_update(s);
    }
}

/* Accept a fixed/lowest-priority vector (SDM 10.8.1). */
static void lapic_accept_vector(struct lapic *s, unsigned vector, bool level)
{
    if (vector < 16) {
        lapic_error(s, ESR_RECEIVE_ILLEGAL_VECTOR);
        return;
    }
    bit_set(s->irr, vector);
    if (level)
        bit_set(s->tmr, vector);
    else
        bit_clear(s->tmr, vector);
    lapic_update(s);
}

/* INIT: the APIC takes its power-up state but keeps its ID and base (SDM 10.4.7.3). */
static void lapic_init_state(struct lapic *s)
{
    s->tpr = s->ldr = 0;
    s->dfr = 0xffffffffu;
    s->svr = 0xff;
    s->esr = s->esr_pending = 0;
    memset(s->isr, 0, sizeof s->isr);
    memset(s->irr, 0, sizeof s->irr);
    memset(s->tmr, 0, sizeof s->tmr);
    for (int i = 0; i < LVT_NUM; i++)
        s->lvt[i] = LVT_MASKED;
    s->icr_lo = s->icr_hi = 0;
    s->timer_initial = s->timer_dcr = 0;
    s->oneshot_due = false;
    s->timer_shift = 1;
    s->tsc_deadline = 0;
    s->extint_pending = false;
    timer_del(s->timer);
    if (x2apic_mode(s))
        s->ldr = ((s->initial_id >> 4) << 16) | (1u << (s->initial_id & 15));
}

/* Message delivered to this APIC (SDM 10.6.1 delivery modes). */
static void lapic_receive(struct lapic *s, const struct apic_msg *m)
{
    if (!hw_enabled(s))
        return;
    switch (m->mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        lapic_accept_vector(s, m->vector, m->level);
        break;
    case APIC_DM_SMI:
        if (log_on(LOG_GUEST_ERRORS))
            log_printf("lapic %u: SMI ignored (no SMM)\n", s->initial_id);
        break;
    case APIC_DM_NMI:
        cpu_raise_nmi(s->cpu);
        break;
    case APIC_DM_INIT:
        if (m->level && !m->assert)
            break;      /* INIT level de-assert: only arbitration IDs change */
        lapic_init_state(s);
        lapic_update(s);
        cpu_init_signal(s->cpu);
        break;
    case APIC_DM_STARTUP:
        cpu_sipi(s->cpu, m->vector);
        break;
    case APIC_DM_EXTINT:
        s->extint_pending = true;
        lapic_update(s);
        break;
    default:
        if (log_on(LOG_GUEST_ERRORS))
            log_printf("lapic %u: reserved delivery mode %u dropped\n", s->initial_id, m->mode);
        break;
    }
}

/* ---- APIC bus: destinations (SDM 10.6.2) ----------------------------- */

struct apic_bus *apic_bus_new(void)
{
    struct apic_bus *b = calloc(1, sizeof *b);

    if (!b)
        abort();
    return b;
}

void apic_bus_free(struct apic_bus *b)
{
    free(b);
}

void apic_bus_set_eoi_listener(struct apic_bus *b, apic_eoi_fn fn, void *opaque)
{
    b->eoi = fn;
    b->eoi_opaque = opaque;
}

static bool lapic_matches(const struct lapic *s, const struct apic_msg *m)
{
    uint32_t bcast = m->x2apic_format ? 0xffffffffu : 0xffu;

    if (m->dest == bcast)
        return true;
    if (x2apic_mode(s)) {
        if (!m->logical)
            return m->dest == s->initial_id;
        if (!m->x2apic_format)     /* xAPIC-format logical: flat on bits 7:0 */
            return (s->ldr & 0xffff) & m->dest & 0xff;
        return (m->dest >> 16) == (s->ldr >> 16) && (m->dest & s->ldr & 0xffff);
    }
    if (!m->logical)
        return (m->dest & 0xff) == s->id >> 24;
    uint32_t ldr = s->ldr >> 24, d = m->dest & 0xff;
    if ((s->dfr >> 28) == 0xf)     /* flat model */
        return ldr & d;
    /* cluster model: cluster in 7:4 (15 = all clusters), members in 3:0 */
    return ((d >> 4) == (ldr >> 4) || (d >> 4) == 0xf) && (d & ldr & 0xf);
}

void apic_bus_deliver(struct apic_bus *b, const struct apic_msg *m)
{
    struct lapic *targets[MAX_APICS];
    int n = 0;

    for (int i = 0; i < b->n; i++) {
        struct lapic *s = b->apics[i];
        bool hit;
        switch (m->shorthand) {
        case APIC_DEST_SELF: hit = s == m->src; break;
        case APIC_DEST_ALL_INCL_SELF: hit = true; break;
        case APIC_DEST_ALL_EXCL_SELF: hit = s != m->src; break;
        default: hit = lapic_matches(s, m); break;
        }
        if (hit && hw_enabled(s))
            targets[n++] = s;
    }
    if (m->mode == APIC_DM_LOWEST && n > 1) {
        /* the lowest-priority target (by TPR, ties to the lowest APIC ID) */
        struct lapic *best = targets[0];
        for (int i = 1; i < n; i++)
            if ((targets[i]->tpr & 0xff) < (best->tpr & 0xff))
                best = targets[i];
        targets[0] = best;
        n = 1;
    }
    bool other = false;
    for (int i = 0; i < n; i++) {
        lapic_receive(targets[i], m);
        other |= targets[i] != m->src;
    }
    /*
     * An IPI to another vCPU ends the sender's slice (at its next block
     * boundary): the vCPUs take turns on one host thread, and the target
     * runs only after the sender's turn, which would otherwise last the
     * whole slice while the sender waits for the answer.
     */
    if (m->src && other)
        cpu_kick(m->src->cpu);
}

/* ---- local interrupts (SDM 10.5.1) ------------------------------------ */

static void lapic_local(struct lapic *s, int slot)
{
    uint32_t l = s->lvt[slot];
    unsigned mode = (l >> 8) & 7;

    if ((l & LVT_MASKED) || !hw_enabled(s))
        return;
    if (slot == LVT_TIMER || slot == LVT_ERROR)
        mode = APIC_DM_FIXED;
    switch (mode) {
    case APIC_DM_FIXED:
        if (slot <= LVT_LINT1 && slot >= LVT_LINT0 && (l & LVT_LEVEL))
            s->lvt[slot] |= LVT_REMOTE_IRR;
        lapic_accept_vector(s, l & 0xff, slot >= LVT_LINT0 && slot <= LVT_LINT1 && (l & LVT_LEVEL));
        break;
    case APIC_DM_NMI:
        cpu_raise_nmi(s->cpu);
        break;
    case APIC_DM_SMI:
        if (log_on(LOG_GUEST_ERRORS))
            log_printf("lapic %u: SMI from LVT %d ignored\n", s->initial_id, slot);
        break;
    case APIC_DM_INIT:
        lapic_init_state(s);
        cpu_init_signal(s->cpu);
        break;
    case APIC_DM_EXTINT:
        lapic_update(s);    /* level-sensitive: extint_wire() follows the pin */
        break;
    default:
        break;
    }
}

static void lapic_set_lint(void *opaque, int n, int level)
{
    struct lapic *s = opaque;
    bool old = s->lint_level[n];

    s->lint_level[n] = level != 0;
    if (n == 0 && (!hw_enabled(s) || ((s->lvt[LVT_LINT0] >> 8) & 7) == APIC_DM_EXTINT)) {
        lapic_update(s);
        return;
    }
    if (level && !old)
        lapic_local(s, LVT_LINT0 + n);
}

struct irq_line lapic_lint(struct lapic *s, int n)
{
    return (struct irq_line){ .set = lapic_set_lint, .opaque = s, .n = n & 1 };
}

/* ---- timer (SDM 10.5.4) --------------------------------------------------- */

static uint32_t timer_mode(const struct lapic *s) { return s->lvt[LVT_TIMER] & LVT_TIMER_MODE_MASK; }

static uint64_t timer_ticks(const struct lapic *s)
{
    int64_t d = vclock_ns() - s->timer_start_ns;

    return d <= 0 ? 0 : (uint64_t)d >> s->timer_shift;
}

static uint32_t timer_current(const struct lapic *s)
{
    if (!s->timer_initial || timer_mode(s) == LVT_TIMER_TSC_DEADLINE)
        return 0;
    uint64_t t = timer_ticks(s);
    if (timer_mode(s) == LVT_TIMER_PERIODIC)
        return s->timer_initial - (uint32_t)(t % s->timer_initial);
    return t >= s->timer_initial ? 0 : s->timer_initial - (uint32_t)t;
}

/* Virtual ns at which the vCPU's TSC reaches tsc (rounded up). */
static int64_t tsc_to_ns(struct lapic *s, uint64_t tsc)
{
    uint64_t now_tsc = cpu_rdtsc(s->cpu), hz = vclock_tsc_hz();
    int64_t now = vclock_ns();

    if (tsc <= now_tsc)
        return now;
    uint64_t d = tsc - now_tsc;
    uint64_t secs = d / hz, rem = d % hz;
    if (secs > 1000000000ull)     /* beyond ~30 years: never */
        return INT64_MAX;
    return now + (int64_t)(secs * 1000000000ull + (rem * 1000000000ull + hz - 1) / hz);
}

static void lapic_timer_arm(struct lapic *s)
{
    switch (timer_mode(s)) {
    case LVT_TIMER_TSC_DEADLINE:
        if (s->tsc_deadline)
            timer_mod(s->timer, tsc_to_ns(s, s->tsc_deadline));
        else
            timer_del(s->timer);
        return;
    case LVT_TIMER_PERIODIC:
        if (s->timer_initial) {
            uint64_t period = (uint64_t)s->timer_initial << s->timer_shift;
            uint64_t k = timer_ticks(s) / s->timer_initial + 1;
            timer_mod(s->timer, s->timer_start_ns + (int64_t)(k * period));
            return;
        }
        break;
    case 0:
        /* a count that ran out before this look (a count of 1 at divide
         * by 1 lasts 1 ns) still owes its interrupt: a deadline in the
         * past fires at once */
        if (s->timer_initial && (s->oneshot_due || timer_ticks(s) < s->timer_initial)) {
            timer_mod(s->timer, s->timer_start_ns
                      + (int64_t)((uint64_t)s->timer_initial << s->timer_shift));
            return;
        }
        break;
    default:
        break;
    }
    timer_del(s->timer);
}

static void lapic_timer_fire(void *opaque)
{
    struct lapic *s = opaque;

    if (timer_mode(s) == LVT_TIMER_TSC_DEADLINE) {
        if (cpu_rdtsc(s->cpu) < s->tsc_deadline) {  /* TSC written backwards meanwhile */
            lapic_timer_arm(s);
            return;
        }
        s->tsc_deadline = 0;    /* the deadline disarms once it fires */
    }
    if (timer_mode(s) == 0)
        s->oneshot_due = false;
    lapic_local(s, LVT_TIMER);
    if (timer_mode(s) == LVT_TIMER_PERIODIC)
        lapic_timer_arm(s);
}

static void timer_set_dcr(struct lapic *s, uint32_t v)
{
    uint32_t cur = timer_current(s);
    unsigned code = (v & 3) | ((v >> 1) & 4);

    s->timer_dcr = v & 0xb;
    s->timer_shift = (code + 1) & 7;        /* 111b: divide by 1 */
    if (s->timer_initial && timer_mode(s) != LVT_TIMER_TSC_DEADLINE && cur) {
        /* keep the count where it is; it goes on at the new rate */
        s->timer_start_ns = vclock_ns()
                            - (int64_t)((uint64_t)(s->timer_initial - cur) << s->timer_shift);
        lapic_timer_arm(s);
    }
}

/* ---- registers (SDM 10.4.1, table 10-1; x2APIC table 10-6) -------------- */

static uint32_t lvt_mask(int slot)
{
    switch (slot) {
    case LVT_TIMER: return 0xff | LVT_MASKED | LVT_TIMER_MODE_MASK;
    case LVT_LINT0: case LVT_LINT1: return 0x7ff | (1u << 13) | LVT_LEVEL | LVT_MASKED;
    case LVT_ERROR: return 0xff | LVT_MASKED;
    default: return 0x7ff | LVT_MASKED;
    }
}

static void lapic_eoi(struct lapic *s)
{
    int v = highest(s->isr);

    if (v < 0)
        return;
    bit_clear(s->isr, (unsigned)v);
    if (bit_test(s->tmr, (unsigned)v)) {
        /* a level-triggered LINT pin's Remote IRR waits for this EOI (SDM 10.5.1) */
        for (int i = LVT_LINT0; i <= LVT_LINT1; i++)
            if ((s->lvt[i] & 0xff) == (uint32_t)v)
                s->lvt[i] &= ~LVT_REMOTE_IRR;
        if (s->bus->eoi)
            s->bus->eoi(s->bus->eoi_opaque, (uint8_t)v);
    }
    lapic_update(s);
    /* SynIC: an EOI of a SINT's vector acknowledges the SINT (hyperv/) */
    if (s->hv_eoi && bit_test(s->hv_eoi_watch, (unsigned)v))
        s->hv_eoi(s->hv_eoi_opaque, (uint8_t)v);
}

static void lapic_send_ipi(struct lapic *s)
{
    struct apic_msg m = {
        .vector = s->icr_lo & 0xff,
        .mode = (s->icr_lo >> 8) & 7,
        .logical = s->icr_lo & ICR_DEST_LOGICAL,
        .level = s->icr_lo & ICR_TRIGGER_LEVEL,
        .assert = s->icr_lo & ICR_LEVEL_ASSERT,
        .shorthand = (s->icr_lo >> 18) & 3,
        .x2apic_format = x2apic_mode(s),
        .dest = x2apic_mode(s) ? s->icr_hi : s->icr_hi >> 24,
        .src = s,
    };

    if ((m.mode == APIC_DM_FIXED || m.mode == APIC_DM_LOWEST) && m.vector < 16) {
        lapic_error(s, ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    if (m.mode == APIC_DM_INIT && !m.assert && m.level)
        return;     /* INIT level de-assert: arbitration IDs only */
    if (m.mode != APIC_DM_FIXED && m.mode != APIC_DM_NMI && m.mode != APIC_DM_INIT
        && m.mode != APIC_DM_STARTUP && m.mode != APIC_DM_LOWEST && m.mode != APIC_DM_SMI)
        return;
    if (!m.level)
        m.assert = true;
    apic_bus_deliver(s->bus, &m);
}

/*
 * Read register idx; false when it does not exist (or is write-only in
 * x2APIC mode).
 */
static bool reg_read(struct lapic *s, unsigned idx, uint64_t *out)
{
    bool x2 = x2apic_mode(s);
    uint64_t v;

    switch (idx) {
    case REG_ID: v = x2 ? s->initial_id : s->id; break;
    case REG_VERSION: v = LAPIC_VERSION; break;
    case REG_TPR: v = s->tpr; break;
    case REG_APR: if (x2) return false; v = lapic_apr(s); break;
    case REG_PPR: v = lapic_ppr(s); break;
    case REG_EOI: if (x2) return false; v = 0; break;
    case REG_RRD: if (x2) return false; v = 0; break;
    case REG_LDR: v = s->ldr; break;
    case REG_DFR: if (x2) return false; v = s->dfr; break;
    case REG_SVR: v = s->svr; break;
    case REG_ESR: v = s->esr; break;
    case REG_ICR:
        v = s->icr_lo;
        if (x2)
            v |= (uint64_t)s->icr_hi << 32;
        break;
    case REG_ICR2: if (x2) return false; v = s->icr_hi; break;
    case REG_TIMER_ICR: v = s->timer_initial; break;
    case REG_TIMER_CCR: v = timer_current(s); break;
    case REG_TIMER_DCR: v = s->timer_dcr; break;
    case REG_SELF_IPI: return false;
    default:
        if (idx >= REG_ISR && idx < REG_ISR + 8)
            v = s->isr[idx - REG_ISR];
        else if (idx >= REG_TMR && idx < REG_TMR + 8)
            v = s->tmr[idx - REG_TMR];
        else if (idx >= REG_IRR && idx < REG_IRR + 8)
            v = s->irr[idx - REG_IRR];
        else if (idx >= REG_LVT_TIMER && idx <= REG_LVT_ERROR)
            v = s->lvt[idx - REG_LVT_TIMER];
        else
            return false;
        break;
    }
    *out = v;
    return true;
}

static void set_svr(struct lapic *s, uint32_t v)
{
    s->svr = v & 0x1ff;
    if (!sw_enabled(s))        /* software disable masks every LVT (SDM 10.4.7.2) */
        for (int i = 0; i < LVT_NUM; i++)
            s->lvt[i] |= LVT_MASKED;
    lapic_update(s);
}

static void set_lvt(struct lapic *s, int slot, uint32_t v)
{
    uint32_t old = s->lvt[slot];

    v &= lvt_mask(slot);
    if (!sw_enabled(s))
        v |= LVT_MASKED;
    if (slot == LVT_LINT0 || slot == LVT_LINT1)
        v |= old & LVT_REMOTE_IRR;
    s->lvt[slot] = v;
    if (slot == LVT_TIMER && ((old ^ v) & LVT_TIMER_MODE_MASK)) {
        s->oneshot_due = false;
        /* a switch into or out of TSC-deadline mode disarms the timer */
        if ((old & LVT_TIMER_MODE_MASK) == LVT_TIMER_TSC_DEADLINE
            || (v & LVT_TIMER_MODE_MASK) == LVT_TIMER_TSC_DEADLINE) {
            s->timer_initial = 0;
            s->tsc_deadline = 0;
        }
        lapic_timer_arm(s);
    }
    if (slot == LVT_LINT0)
        lapic_update(s);
}

/*
 * Write register idx; false when it does not exist or is read-only (a
 * #GP in x2APIC mode, an ESR "illegal register address" in xAPIC mode).
 */
static bool reg_write(struct lapic *s, unsigned idx, uint64_t v64)
{
    bool x2 = x2apic_mode(s);
    uint32_t v = (uint32_t)v64;

    switch (idx) {
    case REG_ID:
        if (x2)
            return false;
        s->id = v & 0xff000000u;
        return true;
    case REG_TPR:
        s->tpr = v & 0xff;
        lapic_update(s);
        return true;
    case REG_EOI:
        lapic_eoi(s);
        return true;
    case REG_LDR:
        if (x2)
            return false;
        s->ldr = v & 0xff000000u;
        return true;
    case REG_DFR:
        if (x2)
            return false;
        s->dfr = v | 0x0fffffffu;
        return true;
    case REG_SVR: set_svr(s, v); return true;
    case REG_ESR:
        s->esr = s->esr_pending;    /* write-before-read (SDM 10.5.3) */
        s->esr_pending = 0;
        return true;
    case REG_ICR:
        s->icr_lo = v & ICR_LO_MASK;
        if (x2)
            s->icr_hi = (uint32_t)(v64 >> 32);
        lapic_send_ipi(s);
        return true;
    case REG_ICR2:
        if (x2)
            return false;
        s->icr_hi = v & 0xff000000u;
        return true;
    case REG_TIMER_ICR:
        if (timer_mode(s) == LVT_TIMER_TSC_DEADLINE)
            return true;    /* ignored in TSC-deadline mode */
        s->timer_initial = v;
        s->timer_start_ns = vclock_ns();
        s->oneshot_due = v != 0 && timer_mode(s) == 0;
        lapic_timer_arm(s);
        return true;
    case REG_TIMER_DCR: timer_set_dcr(s, v); return true;
    case REG_SELF_IPI:
        if (!x2)
            return false;
        lapic_accept_vector(s, v & 0xff, false);
        return true;
    default:
        if (idx >= REG_LVT_TIMER && idx <= REG_LVT_ERROR) {
            set_lvt(s, idx - REG_LVT_TIMER, v);
            return true;
        }
        return false;   /* read-only or reserved */
    }
}

/* Reserved bits of x2APIC writes that raise #GP (SDM 10.12.1.2). */
static bool x2apic_write_reserved(unsigned idx, uint64_t v)
{
    switch (idx) {
    case REG_TPR: return v & ~0xffull;
    case REG_EOI: case REG_ESR: return v != 0;
    case REG_SVR: return v & ~0x3ffull;    /* no EOI-broadcast suppression (bit 12) */
    case REG_ICR: return v & 0xfff33000ull;  /* bits 31:20, 17:16, 13, 12 */
    case REG_SELF_IPI: return v & ~0xffull;
    case REG_TIMER_DCR: return v & ~0xbull;
    default:
        /* delivery status (12) and remote IRR (14) are read-only, not
         * reserved: written as 1 they are ignored, as KVM does (Linux's
         * disconnect_bsp_APIC writes LINT0 with both set) */
        if (idx >= REG_LVT_TIMER && idx <= REG_LVT_ERROR)
            return v & ~(uint64_t)(lvt_mask((int)(idx - REG_LVT_TIMER)) | 1u << 12 | 1u << 14);
        return idx != REG_ICR && (v >> 32);
    }
}

/* ---- the CPU's side (struct cpu_intc) --------------------------------- */

static uint32_t lapic_mmio_read(void *opaque, uint32_t off, unsigned size)
{
    struct lapic *s = opaque;
    uint64_t v;

    if (!reg_read(s, off >> 4, &v)) {
        lapic_error(s, ESR_ILLEGAL_REGISTER);
        return 0;
    }
    if (size < 4)   /* part of the register (hardware wants aligned dwords) */
        return (uint32_t)(v >> ((off & 3) * 8)) & (uint32_t)((1ull << (size * 8)) - 1);
    return (uint32_t)v;
}

static void lapic_mmio_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    struct lapic *s = opaque;

    if (size != 4 || (off & 0xf)) {
        if (log_on(LOG_GUEST_ERRORS))
            log_printf("lapic: %u-byte write at offset 0x%x ignored\n", size, off);
        return;
    }
    if (!reg_write(s, off >> 4, val))
        lapic_error(s, ESR_ILLEGAL_REGISTER);
}

/* IA32_APIC_BASE transitions (SDM 10.12.5, table 10-5). */
static enum msr_result set_apic_base(struct lapic *s, uint64_t v)
{
    uint64_t old = s->base;
    uint64_t ok = APIC_BASE_MASK | APIC_BASE_EN | APIC_BASE_BSP;
    uint32_t f[4];

    cpu_cpuid(s->cpu, 1, 0, f);
    if (f[2] & (1u << 21))
        ok |= APIC_BASE_EXTD;
    if ((v & ~ok) || (v & (APIC_BASE_EN | APIC_BASE_EXTD)) == APIC_BASE_EXTD)
        return MSR_GP;
    bool was_x2 = x2apic_mode(s), now_x2 = (v & APIC_BASE_EXTD) && (v & APIC_BASE_EN);
    if (was_x2 && !now_x2 && (v & APIC_BASE_EN))
        return MSR_GP;      /* x2APIC -> xAPIC only through disabled */
    if (!hw_enabled(s) && now_x2)
        return MSR_GP;      /* disabled -> x2APIC only through xAPIC */
    s->base = (v & ~APIC_BASE_BSP) | (s->bsp ? APIC_BASE_BSP : 0);
    if (!(v & APIC_BASE_EN)) {
        /* disabled: as without an APIC; it comes back in its power-up state */
        lapic_init_state(s);
        s->id = s->initial_id << 24;
    } else if (now_x2 && !was_x2) {
        s->ldr = ((s->initial_id >> 4) << 16) | (1u << (s->initial_id & 15));
    }
    cpu_set_apic_base(s->cpu, s->base);
    if ((old ^ s->base) & APIC_BASE_EN)
        lapic_update(s);
    return MSR_OK;
}

static enum msr_result lapic_rdmsr(void *opaque, uint32_t msr, uint64_t *val)
{
    struct lapic *s = opaque;

    if (msr == MSR_IA32_APIC_BASE) {
        *val = s->base;
        return MSR_OK;
    }
    if (msr == MSR_IA32_TSC_DEADLINE) {
        uint32_t f[4];
        cpu_cpuid(s->cpu, 1, 0, f);
        if (!(f[2] & (1u << 24)))
            return MSR_GP;
        *val = timer_mode(s) == LVT_TIMER_TSC_DEADLINE ? s->tsc_deadline : 0;
        return MSR_OK;
    }
    if (!x2apic_mode(s) || !reg_read(s, msr - 0x800, val))
        return MSR_GP;
    return MSR_OK;
}

static enum msr_result lapic_wrmsr(void *opaque, uint32_t msr, uint64_t val)
{
    struct lapic *s = opaque;
    unsigned idx = msr - 0x800;

    if (msr == MSR_IA32_APIC_BASE)
        return set_apic_base(s, val);
    if (msr == MSR_IA32_TSC_DEADLINE) {
        uint32_t f[4];
        cpu_cpuid(s->cpu, 1, 0, f);
        if (!(f[2] & (1u << 24)))
            return MSR_GP;
        if (timer_mode(s) == LVT_TIMER_TSC_DEADLINE) {  /* ignored in other modes */
            s->tsc_deadline = val;
            lapic_timer_arm(s);
            if (val && cpu_rdtsc(s->cpu) >= val)
                lapic_timer_fire(s);
        }
        return MSR_OK;
    }
    if (!x2apic_mode(s) || x2apic_write_reserved(idx, val))
        return MSR_GP;
    if (!reg_write(s, idx, val))
        return MSR_GP;
    return MSR_OK;
}

static unsigned lapic_get_tpr(void *opaque)
{
    return ((struct lapic *)opaque)->tpr;
}

static void lapic_set_tpr(void *opaque, unsigned tpr)
{
    struct lapic *s = opaque;

    s->tpr = tpr & 0xf0;    /* CR8 writes TPR[7:4] and clears TPR[3:0] */
    lapic_update(s);
}

/* INTA: the vector the CPU takes now (SDM 10.8.4; spurious 10.9). */
static int lapic_ack(void *opaque)
{
    struct lapic *s = opaque;
    int v;

    if (extint_wire(s) || (hw_enabled(s) && s->extint_pending)) {
        s->extint_pending = false;
        v = s->extint_ack ? s->extint_ack(s->extint_opaque) : -1;
        lapic_update(s);
        return v;
    }
    if (!hw_enabled(s))
        return -1;
    v = deliverable(s);
    if (v < 0) {
        lapic_update(s);
        return highest(s->irr) >= 0 && sw_enabled(s) ? (int)(s->svr & 0xff) : -1;
    }
    bit_clear(s->irr, (unsigned)v);
    /* SynIC auto-EOI vectors are taken without entering ISR (KVM) */
    if (!bit_test(s->hv_auto_eoi, (unsigned)v))
        bit_set(s->isr, (unsigned)v);
    lapic_update(s);
    return v;
}

/*
 * ---- Hyper-V's APIC MSRs (hyperv/, reference/hyperv.md 3.5) ---------------
 * KVM routes HV_X64_MSR_EOI/ICR/TPR to the same registers with x2APIC
 * semantics whatever the APIC's mode: EOI ignores the value, ICR is one
 * 64-bit write (busy bit ignored; destination from bits 63:32 in x2APIC
 * mode, 63:56 in xAPIC mode), TPR takes bits 7:0.  The callers check the
 * reserved high halves.
 */
void lapic_hv_eoi(struct lapic *s)
{
    lapic_eoi(s);
}

void lapic_hv_icr_write(struct lapic *s, uint64_t icr)
{
    s->icr_lo = (uint32_t)icr & ICR_LO_MASK;
    /* xAPIC mode: ICR2 keeps only its destination field, as its MMIO
     * register does, so the page never shows bits the hardware lacks */
    s->icr_hi = x2apic_mode(s) ? (uint32_t)(icr >> 32) : (uint32_t)(icr >> 32) & 0xff000000u;
    lapic_send_ipi(s);
}

uint64_t lapic_hv_icr_read(const struct lapic *s)
{
    return (uint64_t)s->icr_hi << 32 | s->icr_lo;
}

uint32_t lapic_hv_get_tpr(const struct lapic *s)
{
    return s->tpr;
}

void lapic_hv_set_tpr(struct lapic *s, uint32_t tpr)
{
    s->tpr = tpr & 0xff;
    lapic_update(s);
}

/*
 * ---- Hyper-V SynIC hooks (hyperv/hv-synic.c, reference/hyperv.md 5.6) -----
 * A SINT is a fixed, edge, self-directed interrupt, refused (false) when
 * the APIC is hardware- or software-disabled, as KVM's delivery counts it.
 * Vectors in auto_eoi are accepted without setting ISR; the EOI of a
 * vector in eoi_watch is reported to hyperv/ after the APIC has updated.
 */
bool lapic_hv_inject(struct lapic *s, uint8_t vector)
{
    if (!hw_enabled(s) || !sw_enabled(s))
        return false;
    lapic_accept_vector(s, vector, false);
    return true;
}

void lapic_hv_set_synic(struct lapic *s, const uint32_t auto_eoi[8], const uint32_t eoi_watch[8],
                        void (*eoi)(void *opaque, uint8_t vector), void *opaque)
{
    memcpy(s->hv_auto_eoi, auto_eoi, sizeof s->hv_auto_eoi);
    memcpy(s->hv_eoi_watch, eoi_watch, sizeof s->hv_eoi_watch);
    s->hv_eoi = eoi;
    s->hv_eoi_opaque = opaque;
}
/* ---- end of Hyper-V SynIC hooks ---- */

/* PV EOI: the in-service vector a lazy EOI may retire (see intc.h). */
int lapic_hv_pv_eoi_vector(const struct lapic *s)
{
    int v = highest(s->isr);

    if (v < 0 || highest(s->irr) >= 0 || bit_test(s->tmr, (unsigned)v))
        return -1;
    return v;
}

void lapic_hv_set_notify(struct lapic *s, void (*fn)(void *opaque), void *opaque)
{
    s->hv_notify = fn;
    s->hv_notify_opaque = opaque;
}

/* ---- lifetime ------------------------------------------------------------- */

void lapic_set_extint_ack(struct lapic *s, int (*ack)(void *opaque), void *opaque)
{
    s->extint_ack = ack;
    s->extint_opaque = opaque;
}

uint32_t lapic_id(const struct lapic *s)
{
    return s->initial_id;
}

void lapic_write_reg(struct lapic *s, uint32_t off, uint32_t val)
{
    if (!reg_write(s, off >> 4, val))
        abort();    /* the board named a register that does not exist */
}

void lapic_reset(struct lapic *s)
{
    s->base = APIC_BASE_ADDR_DEFAULT | APIC_BASE_EN | (s->bsp ? APIC_BASE_BSP : 0);
    s->id = s->initial_id << 24;
    lapic_init_state(s);
    cpu_set_apic_base(s->cpu, s->base);
    lapic_update(s);
}

struct lapic *lapic_new(struct apic_bus *bus, struct cpu *cpu, uint32_t apic_id, bool bsp)
{
    struct lapic *s = calloc(1, sizeof *s);

    if (!s || bus->n >= MAX_APICS)
        abort();
    s->bus = bus;
    s->cpu = cpu;
    s->initial_id = apic_id;
    s->bsp = bsp;
    s->timer = timer_new(lapic_timer_fire, s);
    bus->apics[bus->n++] = s;
    cpu_set_intc(cpu, &(struct cpu_intc){
        .opaque = s, .ack = lapic_ack, .rdmsr = lapic_rdmsr, .wrmsr = lapic_wrmsr,
        .mmio_read = lapic_mmio_read, .mmio_write = lapic_mmio_write,
        .get_tpr = lapic_get_tpr, .set_tpr = lapic_set_tpr,
    });
    lapic_reset(s);
    return s;
}

void lapic_free(struct lapic *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->bus->n; i++)
        if (s->bus->apics[i] == s) {
            s->bus->apics[i] = s->bus->apics[--s->bus->n];
            break;
        }
    timer_free(s->timer);
    free(s);
}
