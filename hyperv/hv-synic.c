/*
 * hyperv/hv-synic.c: the synthetic interrupt controller (hv-synic) as KVM
 * and QEMU present it together (reference/hyperv.md 3.2, 4.7, 5; TLFS
 * "Virtual Interrupt Controller" / "SynIC").
 *
 *  - SCONTROL, SVERSION, SIEFP, SIMP, EOM, SINT0..15 with KVM's rules
 *    (synic_set_msr / synic_set_sint): every access #GPs unless the SynIC
 *    is active (hv-synic), SVERSION reads 1 and #GPs on write, a SINT with
 *    vector < 16 #GPs unless masked; values are stored whole.
 *  - SINT delivery: a fixed, edge, self-directed interrupt on the vCPU's
 *    local APIC; vectors of auto-EOI SINTs are accepted without ISR, an
 *    EOI of a vector an unmasked SINT uses is an "ack" of those SINTs, as
 *    is any EOM write (kvm_hv_notify_acked_sint): pending timer messages
 *    are retried and QEMU-side routes learn that their slot was freed.
 *  - The message page slots (5.3) and KVM's delivery (5.5): busy slot ->
 *    msg_pending flag, or dropped for periodic timers.
 *  - QEMU's overlay pages (5.7): with hv-synic QEMU shows a private page
 *    over the GPA SIMP/SIEFP name while enabled.  satori swaps the page's
 *    contents with guest RAM instead of remapping; the guest sees the same
 *    thing (the private contents while enabled, its own RAM after).
 *  - HvPostMessage / HvSignalEvent (4.7): KVM's checks, its event
 *    connection table, then QEMU's userspace handlers, with their status
 *    codes; SINT routes, staged messages and event flags as QEMU's
 *    hw/hyperv/hyperv.c offers them to its devices (hyperv-testdev).
 *
 * Deviations (docs/design-notes.md): QEMU posts a staged message from a
 * vCPU work item and completes it in a bottom half; satori does both at
 * once, so a second post right after a delivered one never finds the
 * staging area busy.  When the slot was busy QEMU runs the completion
 * callback before freeing the staging area (its test device would then
 * trip an assertion); satori frees it first.  A SIMP/SIEFP that is not
 * RAM shows nothing (QEMU would map its page over MMIO too).
 */
#include "hyperv/hv-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HV_SYNIC_VERSION        1
#define HV_SYNIC_CONTROL_ENABLE 1ull
#define HV_SYNIC_SIMP_ENABLE    1ull
#define HV_SYNIC_SIEFP_ENABLE   1ull
#define HV_SYNIC_SINT_MASKED    (1ull << 16)
#define HV_SYNIC_SINT_AUTO_EOI  (1ull << 17)
#define HV_SYNIC_SINT_VECTOR_MASK 0xffull
#define HV_SYNIC_FIRST_VALID_VECTOR 16
#define HV_MESSAGE_FLAG_PENDING 1u
#define HV_CONNECTION_ID_MASK   0xffffffull
#define HV_EVENT_FLAGS_COUNT    (256 * 8)

#define HV_X64_MSR_SCONTROL 0x40000080u
#define HV_X64_MSR_SVERSION 0x40000081u
#define HV_X64_MSR_SIEFP    0x40000082u
#define HV_X64_MSR_SIMP     0x40000083u
#define HV_X64_MSR_EOM      0x40000084u
#define HV_X64_MSR_SINT0    0x40000090u

#define HV_STATUS_SUCCESS                 0x0
#define HV_STATUS_INVALID_HYPERCALL_CODE  0x2
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x3
#define HV_STATUS_INVALID_ALIGNMENT       0x4
#define HV_STATUS_INSUFFICIENT_MEMORY     0xb
#define HV_STATUS_INVALID_PORT_ID         0x11
#define HV_STATUS_INVALID_CONNECTION_ID   0x12

static void bit_set(uint32_t *a, unsigned v) { a[v >> 5] |= 1u << (v & 31); }

bool hv_synic_active(const struct hv_partition *p)
{
    return p->cfg.feats & HV_BIT(HV_SYNIC);
}

struct hv_vcpu *hv_vcpu_by_vp_index(struct hv_partition *p, uint32_t vp_index)
{
    for (int i = 0; i < p->ncpus; i++)
        if (p->vcpus[i] && p->vcpus[i]->vp_index == vp_index)
            return p->vcpus[i];
    return NULL;
}

/* ---- overlay pages (reference 5.7) ------------------------------------ */

static void overlay_hide(struct hv_partition *p, struct hv_overlay *o)
{
    if (!o->gpa)
        return;
    if (o->ram) {
        bus_phys_read(p->bus, o->gpa, o->priv, sizeof o->priv);
        bus_phys_write(p->bus, o->gpa, o->hidden, sizeof o->hidden);
    }
    o->gpa = 0;
}

/* QEMU's synic_update_*_page_addr: the page moves to the new address. */
static void overlay_update(struct hv_partition *p, struct hv_overlay *o, uint64_t msr)
{
    uint64_t gpa = (msr & 1) ? msr & ~0xfffull : 0;

    if (gpa == o->gpa)
        return;
    overlay_hide(p, o);
    if (!gpa)
        return;
    o->gpa = gpa;
    o->ram = bus_phys_read(p->bus, gpa, o->hidden, sizeof o->hidden) == 0;
    if (o->ram)
        bus_phys_write(p->bus, gpa, o->priv, sizeof o->priv);
}

/* ---- SINT vectors and delivery (reference 5.2, 5.6) -------------------- */

static int sint_vector(uint64_t sint)
{
    unsigned vec = (unsigned)(sint & HV_SYNIC_SINT_VECTOR_MASK);

    if ((sint & HV_SYNIC_SINT_MASKED) || vec < HV_SYNIC_FIRST_VALID_VECTOR)
        return -1;
    return (int)vec;
}

static void synic_eoi(void *opaque, uint8_t vector);

/* KVM's synic_update_vector for all vectors: the bitmaps the APIC uses. */
static void update_vectors(struct hv_vcpu *v)
{
    struct hv_synic *s = &v->synic;

    memset(s->vec_bitmap, 0, sizeof s->vec_bitmap);
    memset(s->auto_eoi_bitmap, 0, sizeof s->auto_eoi_bitmap);
    for (int i = 0; i < HV_SINT_COUNT; i++) {
        int vec = sint_vector(s->sint[i]);
        if (vec < 0)
            continue;
        bit_set(s->vec_bitmap, (unsigned)vec);
        if (s->sint[i] & HV_SYNIC_SINT_AUTO_EOI)
            bit_set(s->auto_eoi_bitmap, (unsigned)vec);
    }
    if (v->apic_ops && v->apic_ops->synic_vectors)
        v->apic_ops->synic_vectors(v->apic, s->auto_eoi_bitmap, s->vec_bitmap, synic_eoi, v);
}

void hv_synic_apic_attached(struct hv_vcpu *v)
{
    update_vectors(v);
}

int hv_synic_set_irq(struct hv_vcpu *v, unsigned sint)
{
    int vec = sint_vector(v->synic.sint[sint]);

    if (vec < 0)
        return -ENOENT;
    if (!v->apic_ops || !v->apic_ops->inject || !v->apic_ops->inject(v->apic, (uint8_t)vec))
        return -EFAULT;
    return 0;
}

/* ---- SINT routes (QEMU's HvSintRoute) ---------------------------------- */

enum route_state { ROUTE_FREE, ROUTE_POSTED };

struct hv_sint_route {
    struct hv_partition *p;
    struct hv_vcpu *v;
    unsigned sint;
    void (*ack)(void *opaque, int status);
    void *opaque;
    enum route_state state;
    int status;
    uint8_t msg[HV_MESSAGE_SIZE];
    struct hv_sint_route *next;
};

struct hv_sint_route *hv_sint_route_new(struct hv_partition *p, uint32_t vp_index,
                                        unsigned sint, void (*ack)(void *opaque, int status),
                                        void *opaque)
{
    struct hv_vcpu *v = hv_vcpu_by_vp_index(p, vp_index);
    struct hv_sint_route *r;

    if (!v || sint >= HV_SINT_COUNT || !hv_synic_active(p))
        return NULL;
    if (!(r = calloc(1, sizeof *r)))
        abort();
    r->p = p;
    r->v = v;
    r->sint = sint;
    r->ack = ack;
    r->opaque = opaque;
    r->next = p->routes;
    p->routes = r;
    return r;
}

void hv_sint_route_free(struct hv_sint_route *r)
{
    if (!r)
        return;
    for (struct hv_sint_route **pp = &r->p->routes; *pp; pp = &(*pp)->next) {
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    }
    free(r);
}

int hv_sint_route_set_sint(struct hv_sint_route *r)
{
    int ret = hv_synic_set_irq(r->v, r->sint);

    hv_trace(r->v, "SINT%u raised by a device: %s", r->sint,
             ret == 0 ? "interrupt sent" : ret == -ENOENT ? "masked, nothing sent"
                                                           : "the local APIC refused it");
    return ret;
}

/* The staged message ended: the originator may post again. */
static void route_complete(struct hv_sint_route *r)
{
    int status = r->status;

    r->state = ROUTE_FREE;
    r->status = 0;
    if (r->ack)
        r->ack(r->opaque, status);
}

/* QEMU's cpu_post_msg: into the slot, or flag the busy slot as pending. */
static void route_deliver(struct hv_sint_route *r)
{
    struct hv_vcpu *v = r->v;
    uint64_t slot = v->synic.msg_ov.gpa + (uint64_t)r->sint * HV_MESSAGE_SIZE;
    uint32_t type;
    uint8_t flags;

    r->state = ROUTE_POSTED;
    if (!v->synic.msg_ov.gpa || !v->synic.msg_ov.ram) {
        r->status = -ENXIO;
    } else if (bus_phys_read(v->p->bus, slot, &type, sizeof type), type != 0) {
        bus_phys_read(v->p->bus, slot + 5, &flags, 1);
        flags |= HV_MESSAGE_FLAG_PENDING;
        bus_phys_write(v->p->bus, slot + 5, &flags, 1);
        r->status = -EAGAIN;
        hv_trace(v, "message for SINT%u staged: slot busy, pending flag set, waiting for EOM",
                 r->sint);
        return;
    } else {
        bus_phys_write(v->p->bus, slot, r->msg, sizeof r->msg);
        v->synic.messages++;
        memcpy(&type, r->msg, sizeof type);
        hv_trace(v, "message type 0x%x (%u bytes) written to the SINT%u slot", type,
                 r->msg[4], r->sint);
        hv_synic_set_irq(v, r->sint);
        r->status = 0;
    }
    route_complete(r);
}

int hv_sint_route_post(struct hv_sint_route *r, const void *msg)
{
    if (r->state != ROUTE_FREE)
        return -EAGAIN;
    memcpy(r->msg, msg, sizeof r->msg);
    route_deliver(r);
    return 0;
}

int hv_sint_route_set_flag(struct hv_sint_route *r, unsigned n)
{
    struct hv_vcpu *v = r->v;
    uint64_t addr;
    uint8_t byte;

    if (n > HV_EVENT_FLAGS_COUNT)
        return -EINVAL;
    if (!(v->synic.control & HV_SYNIC_CONTROL_ENABLE) || !v->synic.evt_ov.gpa ||
        !v->synic.evt_ov.ram)
        return -ENXIO;
    addr = v->synic.evt_ov.gpa + (uint64_t)r->sint * 256 + n / 8;
    bus_phys_read(v->p->bus, addr, &byte, 1);
    v->synic.events++;
    if (byte & (1u << (n % 8))) {
        hv_trace(v, "event flag %u of SINT%u already set: no interrupt", n, r->sint);
        return 0;
    }
    byte |= (uint8_t)(1u << (n % 8));
    bus_phys_write(v->p->bus, addr, &byte, 1);
    hv_trace(v, "event flag %u of SINT%u set", n, r->sint);
    return hv_synic_set_irq(v, r->sint);
}

/* Ack of SINT sint (EOM or EOI): KVM's kvm_hv_notify_acked_sint. */
static void sint_acked(struct hv_vcpu *v, unsigned sint)
{
    v->synic.acks++;
    hv_stimer_sint_acked(v, sint);
    for (struct hv_sint_route *r = v->p->routes, *next; r; r = next) {
        next = r->next;
        if (r->v == v && r->sint == sint && r->ack && r->state == ROUTE_POSTED &&
            r->status == -EAGAIN)
            route_complete(r);
    }
}

/* The local APIC's EOI of a vector some unmasked SINT uses. */
static void synic_eoi(void *opaque, uint8_t vector)
{
    struct hv_vcpu *v = opaque;

    for (unsigned i = 0; i < HV_SINT_COUNT; i++) {
        if (sint_vector(v->synic.sint[i]) == vector) {
            hv_trace(v, "EOI of vector 0x%x acknowledges SINT%u", vector, i);
            sint_acked(v, i);
        }
    }
}

/* ---- message delivery (reference 5.5, KVM's synic_deliver_msg) -------- */

int hv_synic_deliver_msg(struct hv_vcpu *v, unsigned sint, const void *msg, size_t len,
                         bool no_retry)
{
    struct hv_synic *s = &v->synic;
    uint64_t base = s->msg_page & ~0xfffull, slot = base + (uint64_t)sint * HV_MESSAGE_SIZE;
    uint32_t type;
    uint8_t flags = HV_MESSAGE_FLAG_PENDING;

    if (!(s->msg_page & HV_SYNIC_SIMP_ENABLE))
        return -ENOENT;
    if (bus_phys_read(v->p->bus, slot, &type, sizeof type) < 0)
        return -EFAULT;
    if (type != 0) {
        if (no_retry)
            return 0;
        if (bus_phys_write(v->p->bus, slot + 5, &flags, 1) < 0)
            return -EFAULT;
        return -EAGAIN;
    }
    if (bus_phys_write(v->p->bus, slot, msg, len) < 0)
        return -EFAULT;
    s->messages++;
    return hv_synic_set_irq(v, sint);
}

/* ---- MSRs (reference 3.2, 5.1, 5.2; KVM's synic_get_msr/synic_set_msr) - */

enum msr_result hv_synic_rd(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                            uint64_t *val)
{
    struct hv_synic *s = &v->synic;

    if (!hv_synic_active(v->p)) {
        hv_msr_note("the SynIC is not active (hv-synic is off)");
        return MSR_GP;
    }
    switch (msr) {
    case HV_X64_MSR_SCONTROL: *val = s->control; break;
    case HV_X64_MSR_SVERSION: *val = HV_SYNIC_VERSION; break;
    case HV_X64_MSR_SIEFP: *val = s->evt_page; break;
    case HV_X64_MSR_SIMP: *val = s->msg_page; break;
    case HV_X64_MSR_EOM: *val = 0; break;
    default: *val = s->sint[msr - HV_X64_MSR_SINT0]; break;
    }
    return MSR_OK;
}

static enum msr_result set_sint(struct hv_vcpu *v, unsigned n, uint64_t val)
{
    unsigned vec = (unsigned)(val & HV_SYNIC_SINT_VECTOR_MASK);

    /* KVM: vectors 0-15 are invalid unless masked (nested Hyper-V writes 0x10000) */
    if (vec < HV_SYNIC_FIRST_VALID_VECTOR && !(val & HV_SYNIC_SINT_MASKED)) {
        hv_msr_note("vector below 16 while not masked");
        return MSR_GP;
    }
    v->synic.sint[n] = val;
    update_vectors(v);
    hv_msr_note(val & HV_SYNIC_SINT_MASKED ? "masked"
                : val & HV_SYNIC_SINT_AUTO_EOI ? "connected to its vector, auto-EOI"
                : "connected to its vector");
    return MSR_OK;
}

/* SIMP / SIEFP: stored whole; QEMU's page follows the enable bit and GPA. */
static void set_page(struct hv_vcpu *v, uint64_t *msr, struct hv_overlay *o, uint64_t val,
                     const char *what)
{
    static char words[64];

    *msr = val;
    overlay_update(v->p, o, val);
    snprintf(words, sizeof words, "%s %s", what, !(val & 1) ? "disabled"
             : o->ram ? "shown at this address" : "enabled, but the address is not RAM");
    hv_msr_note(words);
}

enum msr_result hv_synic_wr(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                            uint64_t val)
{
    struct hv_synic *s = &v->synic;

    if (!hv_synic_active(v->p)) {
        hv_msr_note("the SynIC is not active (hv-synic is off)");
        return MSR_GP;
    }
    switch (msr) {
    case HV_X64_MSR_SCONTROL:
        s->control = val;
        hv_msr_note(val & HV_SYNIC_CONTROL_ENABLE ? "SynIC enabled" : "SynIC disabled");
        return MSR_OK;
    case HV_X64_MSR_SVERSION:
        hv_msr_note("read-only for the guest");
        return MSR_GP;
    case HV_X64_MSR_SIEFP:
        set_page(v, &s->evt_page, &s->evt_ov, val, "event flags page");
        return MSR_OK;
    case HV_X64_MSR_SIMP:
        set_page(v, &s->msg_page, &s->msg_ov, val, "message page");
        return MSR_OK;
    case HV_X64_MSR_EOM:
        hv_msr_note("end of message: every SINT acknowledged, pending messages retried");
        for (unsigned i = 0; i < HV_SINT_COUNT; i++)
            sint_acked(v, i);
        return MSR_OK;
    default:
        return set_sint(v, msr - HV_X64_MSR_SINT0, val);
    }
}

/* ---- HvPostMessage / HvSignalEvent (reference 4.7) --------------------- */

struct hv_conn {
    uint32_t conn_id;
    bool event;   /* SignalEvent target (KVM's eventfd), else a message handler */
    uint16_t (*msg_fn)(void *opaque, const struct hv_post_message_input *m);
    void (*evt_fn)(void *opaque);
    void *opaque;
    struct hv_conn *next;
};

static struct hv_conn *conn_find(struct hv_partition *p, uint32_t id, bool event)
{
    for (struct hv_conn *c = p->conns; c; c = c->next)
        if (c->conn_id == id && c->event == event)
            return c;
    return NULL;
}

static int conn_set(struct hv_partition *p, uint32_t id, bool event, struct hv_conn *proto)
{
    struct hv_conn *c = conn_find(p, id, event);

    if (id > HV_CONNECTION_ID_MASK)
        return -EINVAL;
    if (!proto) {
        if (!c)
            return -ENOENT;
        for (struct hv_conn **pp = &p->conns; *pp; pp = &(*pp)->next) {
            if (*pp == c) {
                *pp = c->next;
                break;
            }
        }
        free(c);
        return 0;
    }
    if (c)
        return -EEXIST;
    if (!(c = malloc(sizeof *c)))
        abort();
    *c = *proto;
    c->conn_id = id;
    c->event = event;
    c->next = p->conns;
    p->conns = c;
    return 0;
}

int hv_set_msg_handler(struct hv_partition *p, uint32_t conn_id,
                       uint16_t (*fn)(void *opaque, const struct hv_post_message_input *m),
                       void *opaque)
{
    return conn_set(p, conn_id, false,
                    fn ? &(struct hv_conn){ .msg_fn = fn, .opaque = opaque } : NULL);
}

int hv_set_event_handler(struct hv_partition *p, uint32_t conn_id, void (*fn)(void *opaque),
                         void *opaque)
{
    return conn_set(p, conn_id, true,
                    fn ? &(struct hv_conn){ .evt_fn = fn, .opaque = opaque } : NULL);
}

/* QEMU's hyperv_hcall_post_message. */
static uint16_t qemu_post_message(struct hv_vcpu *v, uint64_t gpa, bool fast, char *detail,
                                  size_t len)
{
    struct hv_post_message_input msg;
    struct hv_conn *c;

    if (fast) {
        snprintf(detail, len, "QEMU takes no fast PostMessage");
        return HV_STATUS_INVALID_HYPERCALL_CODE;
    }
    if (gpa & 3) {   /* __alignof__(struct hyperv_post_message_input) */
        snprintf(detail, len, "input not 4-byte aligned");
        return HV_STATUS_INVALID_ALIGNMENT;
    }
    if (bus_phys_read(v->p->bus, gpa, &msg, sizeof msg) < 0) {
        snprintf(detail, len, "input is not RAM");
        return HV_STATUS_INSUFFICIENT_MEMORY;
    }
    if (msg.payload_size > HV_MESSAGE_PAYLOAD_SIZE) {
        snprintf(detail, len, "payload size %u > 240", msg.payload_size);
        return HV_STATUS_INVALID_HYPERCALL_INPUT;
    }
    c = conn_find(v->p, msg.connection_id & HV_CONNECTION_ID_MASK, false);
    if (!c) {
        snprintf(detail, len, "connection 0x%x has no handler",
                 msg.connection_id & (uint32_t)HV_CONNECTION_ID_MASK);
        return HV_STATUS_INVALID_CONNECTION_ID;
    }
    snprintf(detail, len, "connection 0x%x: message type 0x%x, %u bytes handed to its device",
             msg.connection_id & (uint32_t)HV_CONNECTION_ID_MASK, msg.message_type,
             msg.payload_size);
    return c->msg_fn(c->opaque, &msg);
}

uint16_t hv_synic_post_message(struct hv_vcpu *v, bool fast, bool rep_or_varhead,
                               uint64_t ingpa, char *detail, size_t len)
{
    /* KVM hands the call to QEMU only with the SynIC active */
    if (rep_or_varhead || !hv_synic_active(v->p)) {
        snprintf(detail, len, rep_or_varhead ? "rep count or variable header set"
                                             : "the SynIC is not active");
        return HV_STATUS_INVALID_HYPERCALL_INPUT;
    }
    return qemu_post_message(v, ingpa, fast, detail, len);
}

/* QEMU's hyperv_hcall_signal_event. */
static uint16_t qemu_signal_event(struct hv_vcpu *v, uint64_t param, bool fast, char *detail,
                                  size_t len)
{
    if (!fast) {
        /*
         * KVM passes on the parameter it read in place of the input GPA,
         * and QEMU, seeing a memory call, reads it again as an address.
         */
        uint64_t addr = param;
        if (addr & 7) {
            snprintf(detail, len, "QEMU reads the parameter 0x%llx as an address: not aligned",
                     (unsigned long long)addr);
            return HV_STATUS_INVALID_ALIGNMENT;
        }
        if (bus_phys_read(v->p->bus, addr, &param, sizeof param) < 0)
            param = 0;
    }
    if (param & 0xffff00000000ull) {
        snprintf(detail, len, "flag number set");
        return HV_STATUS_INVALID_PORT_ID;
    }
    if (param & ~HV_CONNECTION_ID_MASK) {
        snprintf(detail, len, "reserved bits set");
        return HV_STATUS_INVALID_HYPERCALL_INPUT;
    }
    snprintf(detail, len, "connection 0x%llx has no event handler",
             (unsigned long long)param);
    return HV_STATUS_INVALID_CONNECTION_ID;
}

uint16_t hv_synic_signal_event(struct hv_vcpu *v, bool fast, bool rep_or_varhead,
                               uint64_t ingpa, char *detail, size_t len)
{
    uint64_t param = ingpa;
    struct hv_conn *c;

    if (rep_or_varhead) {
        snprintf(detail, len, "rep count or variable header set");
        return HV_STATUS_INVALID_HYPERCALL_INPUT;
    }
    /* KVM's kvm_hvcall_signal_event */
    if (!fast) {
        if ((ingpa & 7) || (ingpa & 0xfff) + 8 > 0x1000 ||
            bus_phys_read(v->p->bus, ingpa, &param, sizeof param) < 0) {
            snprintf(detail, len, "input not 8-byte aligned in one page, or not RAM");
            return HV_STATUS_INVALID_ALIGNMENT;
        }
    }
    if (!(param & 0xffff00000000ull)) {
        if (param & ~HV_CONNECTION_ID_MASK) {
            snprintf(detail, len, "reserved bits set");
            return HV_STATUS_INVALID_HYPERCALL_INPUT;
        }
        c = conn_find(v->p, (uint32_t)param, true);
        if (c) {
            snprintf(detail, len, "connection 0x%llx signalled", (unsigned long long)param);
            c->evt_fn(c->opaque);
            return HV_STATUS_SUCCESS;
        }
    }
    /* INVALID_PORT_ID in KVM: "maybe userspace knows this conn_id" */
    if (!hv_synic_active(v->p)) {
        snprintf(detail, len, "connection 0x%llx: no event connection, SynIC not active",
                 (unsigned long long)(param & HV_CONNECTION_ID_MASK));
        return HV_STATUS_INVALID_HYPERCALL_INPUT;
    }
    return qemu_signal_event(v, param, fast, detail, len);
}

/* ---- lifetime --------------------------------------------------------- */

void hv_synic_init(struct hv_vcpu *v)
{
    hv_synic_reset(v);
    hv_stimer_init(v);
}

/* QEMU's reset values (reference 2.3) and synic_reset: private pages zeroed. */
void hv_synic_reset(struct hv_vcpu *v)
{
    struct hv_synic *s = &v->synic;

    overlay_hide(v->p, &s->msg_ov);
    overlay_hide(v->p, &s->evt_ov);
    memset(s->msg_ov.priv, 0, sizeof s->msg_ov.priv);
    memset(s->evt_ov.priv, 0, sizeof s->evt_ov.priv);
    s->control = s->evt_page = s->msg_page = 0;
    for (int i = 0; i < HV_SINT_COUNT; i++)
        s->sint[i] = HV_SYNIC_SINT_MASKED;
    s->messages = s->events = s->acks = 0;
    update_vectors(v);
}

void hv_synic_free(struct hv_vcpu *v)
{
    hv_stimer_free(v);
}

void hv_synic_partition_free(struct hv_partition *p)
{
    while (p->conns) {
        struct hv_conn *c = p->conns;
        p->conns = c->next;
        free(c);
    }
    while (p->routes)
        hv_sint_route_free(p->routes);
}

void hv_synic_dump(struct hv_vcpu *v, FILE *out)
{
    struct hv_synic *s = &v->synic;

    if (!hv_synic_active(v->p))
        return;
    fprintf(out, "    SynIC: SCONTROL 0x%llx, SIMP 0x%llx, SIEFP 0x%llx; messages %llu, "
            "event flags %llu, acks %llu\n", (unsigned long long)s->control,
            (unsigned long long)s->msg_page, (unsigned long long)s->evt_page,
            (unsigned long long)s->messages, (unsigned long long)s->events,
            (unsigned long long)s->acks);
    for (int i = 0; i < HV_SINT_COUNT; i++)
        if (!(s->sint[i] & HV_SYNIC_SINT_MASKED))
            fprintf(out, "    SINT%d: vector 0x%02llx%s\n", i,
                    (unsigned long long)(s->sint[i] & 0xff),
                    (s->sint[i] & HV_SYNIC_SINT_AUTO_EOI) ? ", auto-EOI" : "");
    hv_stimer_dump(v, out);
}
