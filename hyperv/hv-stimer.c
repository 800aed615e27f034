/*
 * hyperv/hv-stimer.c: the four synthetic timers of each vCPU (hv-stimer,
 * hv-stimer-direct) as KVM implements them (reference/hyperv.md 6; TLFS
 * "Synthetic Timers"; KVM's stimer_set_config, stimer_set_count,
 * stimer_start, kvm_hv_process_stimers, stimer_expiration, stimer_send_msg,
 * stimer_notify_direct).
 *
 * Times are in 100 ns units of the partition reference counter
 * (hv-time.c), which derives from the virtual clock only; each timer arms
 * a virtual-clock timer (timers/timers.h) at its expiry, so expiries are
 * deterministic under -icount.  KVM defers "arm" and "expire" to the next
 * vCPU entry; satori does that work at once (after the MSR write, or when
 * the virtual-clock timer runs between slices), which the guest cannot
 * tell apart.
 *
 * Rules kept from KVM: CONFIG/COUNT writes #GP without an active SynIC
 * (reads do not); every write cancels and restarts the timer; enabling a
 * non-direct timer with SINT 0 clears enable only if it was enabled
 * before; COUNT 0 clears enable, a non-zero COUNT sets it under
 * auto_enable; lazy is stored and ignored; a one-shot timer in the past
 * expires at once; periodic timers skip missed periods; a periodic tick
 * that finds the slot busy is dropped, a one-shot stays pending until an
 * EOM/EOI of its SINT retries it; direct mode sends apic_vector to the
 * vCPU's own APIC and is never retried by acks.
 */
#include "hyperv/hv-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "timers/timers.h"

#define HV_STIMER_ENABLE      (1ull << 0)
#define HV_STIMER_PERIODIC    (1ull << 1)
#define HV_STIMER_AUTOENABLE  (1ull << 3)
#define HV_STIMER_DIRECT_MODE (1ull << 12)
#define HV_STIMER_DIRECT_MODE_AVAILABLE (1u << 19)   /* 0x40000003.EDX */
#define HVMSG_TIMER_EXPIRED   0x80000010u

#define HV_X64_MSR_STIMER0_CONFIG 0x400000b0u

static unsigned apic_vector(uint64_t config) { return (unsigned)(config >> 4) & 0xff; }
static unsigned sintx(uint64_t config) { return (unsigned)(config >> 16) & 0xf; }

static void stimer_process(struct hv_stimer *t);

/* stimer_cleanup: no timer, nothing pending, no expiry. */
static void stimer_cleanup(struct hv_stimer *t)
{
    timer_del(t->timer);
    t->msg_pending = false;
    t->exp_time = 0;
}

/* Arm the virtual-clock timer at reference time exp_time. */
static void stimer_arm(struct hv_stimer *t, uint64_t now)
{
    uint64_t delta = t->exp_time > now ? t->exp_time - now : 0;

    timer_mod(t->timer, vclock_ns() + (int64_t)(delta * 100));
}

/* stimer_start (reference 6.3) */
static void stimer_start(struct hv_stimer *t)
{
    uint64_t now = hv_time_ref(t->v->p);

    if (t->config & HV_STIMER_PERIODIC) {
        if (t->exp_time) {
            if (now >= t->exp_time)
                t->exp_time = now + (t->count - (now - t->exp_time) % t->count);
        } else {
            t->exp_time = now + t->count;
        }
        stimer_arm(t, now);
        return;
    }
    t->exp_time = t->count;
    if (now >= t->count) {
        /* TLFS: a one-shot in the past expires immediately */
        stimer_process(t);
        return;
    }
    stimer_arm(t, now);
}

/* stimer_send_msg: HVMSG_TIMER_EXPIRED into the slot of SINT sintx. */
static int stimer_send_msg(struct hv_stimer *t)
{
    struct {
        uint32_t message_type;
        uint8_t payload_size, message_flags;
        uint16_t reserved;
        uint64_t sender;
        uint32_t timer_index, reserved2;
        uint64_t expiration_time, delivery_time;
    } msg = {
        .message_type = HVMSG_TIMER_EXPIRED, .payload_size = 24,
        .timer_index = (uint32_t)t->index, .expiration_time = t->exp_time,
        .delivery_time = hv_time_ref(t->v->p),
    };
    _Static_assert(sizeof msg == 40, "timer message is 16 + 24 bytes");

    return hv_synic_deliver_msg(t->v, sintx(t->config), &msg, sizeof msg,
                                t->config & HV_STIMER_PERIODIC);
}

/* stimer_notify_direct */
static int stimer_notify_direct(struct hv_stimer *t)
{
    struct hv_vcpu *v = t->v;

    if (!v->apic_ops || !v->apic_ops->inject)
        return 0;       /* KVM without an in-kernel LAPIC: nothing, "delivered" */
    return v->apic_ops->inject(v->apic, (uint8_t)apic_vector(t->config)) ? 0 : -EFAULT;
}

static const char *delivery_words(int r, bool direct)
{
    if (direct)
        return r ? "the local APIC refused the direct interrupt: pending"
                 : "direct interrupt sent";
    switch (r) {
    case 0: return "message delivered (or a periodic tick dropped on a busy slot)";
    case -EAGAIN: return "slot busy: pending flag set, waiting for EOM";
    case -ENOENT: return "no message page or SINT masked: pending";
    default: return "message page is not RAM or the APIC refused: pending";
    }
}

/* stimer_expiration */
static void stimer_expiration(struct hv_stimer *t)
{
    bool direct = t->config & HV_STIMER_DIRECT_MODE;
    int r;

    t->msg_pending = true;
    t->expirations++;
    r = direct ? stimer_notify_direct(t) : stimer_send_msg(t);
    if (log_on(LOG_HYPERV)) {
        if (direct)
            hv_trace(t->v, "stimer%d expired (due %llu, now %llu): vector 0x%x: %s", t->index,
                     (unsigned long long)t->exp_time,
                     (unsigned long long)hv_time_ref(t->v->p), apic_vector(t->config),
                     delivery_words(r, true));
        else
            hv_trace(t->v, "stimer%d expired (due %llu, now %llu): SINT%u: %s", t->index,
                     (unsigned long long)t->exp_time,
                     (unsigned long long)hv_time_ref(t->v->p), sintx(t->config),
                     delivery_words(r, false));
    }
    if (!r) {
        t->msg_pending = false;
        if (!(t->config & HV_STIMER_PERIODIC))
            t->config &= ~HV_STIMER_ENABLE;
    }
}

/* kvm_hv_process_stimers for one timer. */
static void stimer_process(struct hv_stimer *t)
{
    if (!(t->config & HV_STIMER_ENABLE))
        return;
    if (t->exp_time && hv_time_ref(t->v->p) >= t->exp_time)
        stimer_expiration(t);
    if ((t->config & HV_STIMER_ENABLE) && t->count) {
        if (!t->msg_pending)
            stimer_start(t);
    } else {
        stimer_cleanup(t);
    }
}

static void stimer_fire(void *opaque)
{
    struct hv_stimer *t = opaque;

    /* the reference counter may trail the virtual clock by a fraction of a unit */
    if (t->exp_time && hv_time_ref(t->v->p) < t->exp_time) {
        timer_mod(t->timer, vclock_ns() + 100);
        return;
    }
    stimer_process(t);
}

void hv_stimer_sint_acked(struct hv_vcpu *v, unsigned sint)
{
    for (int i = 0; i < HV_STIMER_COUNT; i++) {
        struct hv_stimer *t = &v->stimer[i];
        if (t->msg_pending && (t->config & HV_STIMER_ENABLE) &&
            !(t->config & HV_STIMER_DIRECT_MODE) && sintx(t->config) == sint) {
            t->retries++;
            hv_trace(v, "stimer%d: SINT%u acknowledged, retrying its message", i, sint);
            stimer_process(t);
        }
    }
}

/* ---- MSRs (reference 6.2) --------------------------------------------- */

enum msr_result hv_stimer_rd(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                             uint64_t *val)
{
    struct hv_stimer *t = &v->stimer[(msr - HV_X64_MSR_STIMER0_CONFIG) / 2];

    *val = (msr - HV_X64_MSR_STIMER0_CONFIG) % 2 ? t->count : t->config;
    return MSR_OK;
}

static void set_config(struct hv_stimer *t, uint64_t config)
{
    stimer_cleanup(t);
    if ((t->config & HV_STIMER_ENABLE) && !(config & HV_STIMER_DIRECT_MODE) && !sintx(config)) {
        if (config & HV_STIMER_ENABLE)
            hv_msr_note("enable cleared: SINT 0 for a timer that was enabled");
        config &= ~HV_STIMER_ENABLE;
    }
    t->config = config;
}

static void set_count(struct hv_stimer *t, uint64_t count)
{
    stimer_cleanup(t);
    t->count = count;
    if (!count) {
        t->config &= ~HV_STIMER_ENABLE;
        hv_msr_note("count 0: timer disabled");
    } else if (t->config & HV_STIMER_AUTOENABLE) {
        t->config |= HV_STIMER_ENABLE;
        hv_msr_note("auto-enable: timer enabled");
    }
}

enum msr_result hv_stimer_wr(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                             uint64_t val)
{
    struct hv_partition *p = v->p;
    struct hv_stimer *t = &v->stimer[(msr - HV_X64_MSR_STIMER0_CONFIG) / 2];
    bool is_count = (msr - HV_X64_MSR_STIMER0_CONFIG) % 2;

    if (!hv_synic_active(p)) {
        hv_msr_note("the SynIC is not active (hv-synic is off)");
        return MSR_GP;
    }
    if (!is_count && p->cfg.enforce && (val & HV_STIMER_DIRECT_MODE) &&
        !(p->features_edx & HV_STIMER_DIRECT_MODE_AVAILABLE)) {
        hv_msr_note("direct mode not advertised (hv-enforce-cpuid)");
        return MSR_GP;
    }
    if (is_count)
        set_count(t, val);
    else
        set_config(t, val);
    if (t->config & HV_STIMER_ENABLE) {
        stimer_process(t);
        if (t->exp_time && timer_pending(t->timer))
            hv_trace(v, "stimer%d armed: %s, expiry at reference time %llu", t->index,
                     (t->config & HV_STIMER_PERIODIC) ? "periodic" : "one-shot",
                     (unsigned long long)t->exp_time);
    }
    return MSR_OK;
}

/* ---- lifetime --------------------------------------------------------- */

void hv_stimer_init(struct hv_vcpu *v)
{
    for (int i = 0; i < HV_STIMER_COUNT; i++) {
        struct hv_stimer *t = &v->stimer[i];
        t->v = v;
        t->index = i;
        t->timer = timer_new(stimer_fire, t);
    }
    hv_stimer_reset(v);
}

/* QEMU writes CONFIG and COUNT 0 at reset (reference 2.3). */
void hv_stimer_reset(struct hv_vcpu *v)
{
    for (int i = 0; i < HV_STIMER_COUNT; i++) {
        struct hv_stimer *t = &v->stimer[i];
        stimer_cleanup(t);
        t->config = t->count = 0;
        t->expirations = t->retries = 0;
    }
}

void hv_stimer_free(struct hv_vcpu *v)
{
    for (int i = 0; i < HV_STIMER_COUNT; i++) {
        timer_free(v->stimer[i].timer);
        v->stimer[i].timer = NULL;
    }
}

void hv_stimer_dump(struct hv_vcpu *v, FILE *out)
{
    for (int i = 0; i < HV_STIMER_COUNT; i++) {
        struct hv_stimer *t = &v->stimer[i];
        if (!t->config && !t->count && !t->expirations)
            continue;
        fprintf(out, "    stimer%d: config 0x%llx, count %llu, next expiry %llu%s; "
                "expirations %llu, retries %llu\n", i, (unsigned long long)t->config,
                (unsigned long long)t->count, (unsigned long long)t->exp_time,
                t->msg_pending ? " (message pending)" : "",
                (unsigned long long)t->expirations, (unsigned long long)t->retries);
    }
}
