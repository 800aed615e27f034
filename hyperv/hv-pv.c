/*
 * hyperv/hv-pv.c: the paravirtual TLB flush and IPI hypercalls and PV EOI
 * through the VP assist page, as KVM implements them (reference/hyperv.md
 * 4.5-4.8, 3.4).
 *
 *  - HvFlushVirtualAddressSpace/List (0x2, 0x3) and their Ex forms (0x13,
 *    0x14): the target set is every vCPU (flags bit 0, a zero processor
 *    mask, or an Ex format other than sparse 4K) or a sparse VP set
 *    (valid bank mask + one 64-bit bank per set bit, matched against VP
 *    indices).  Each target's whole TLB is flushed, which is what KVM does
 *    on shadow paging and on FIFO overflow; address space and flags bits
 *    1-3 are ignored, as on KVM.  The GVA list is still read (and so
 *    validated) when KVM would queue it (at most 15 entries).  satori runs
 *    every vCPU on one host thread, so a target is never in the middle of
 *    guest code when another vCPU's hypercall flushes it: flushing at once
 *    is the same as KVM's "flush before the target next enters the guest".
 *    Translated code needs nothing more: a block is found through the
 *    code TLB's physical address, so a flushed TLB re-walks the page
 *    tables before any block of a changed mapping runs again.
 *  - HvSendSyntheticClusterIpi (0xb) and Ex (0x15): vector 0x10-0xff, a
 *    fixed edge interrupt into each target's local APIC whatever its APIC
 *    ID or mode; an APIC that is hardware- or software-disabled drops it.
 *  - PV EOI: with the VP assist page enabled, whenever the local APIC's
 *    state changes (the moments KVM exits and re-enters the guest) the
 *    "no EOI required" bit (byte 0 bit 0 of the page) is set if nothing
 *    waits in IRR and the highest in-service vector is edge-triggered;
 *    if the guest cleared it meanwhile, satori performs that EOI, exactly
 *    as KVM's apic_sync_pv_eoi_from_guest/to_guest pair.
 *
 * Known deviation: KVM clears the bit at every exit and sets it again at
 * entry; satori leaves a still-valid bit in place, which no guest
 * instruction can tell apart.
 */
#include "hyperv/hv-internal.h"

#include <string.h>

#define HV_FLUSH_ALL_PROCESSORS 1ull   /* flags bit 0 */
#define HV_GENERIC_SET_SPARSE_4K 0
#define HV_GENERIC_SET_ALL       1
#define MAX_BANKS 64
#define FLUSH_GVA_MAX 15               /* KVM's FIFO size - 1 */

/* A target set: every vCPU, or the sparse banks. */
struct vp_set {
    bool all;
    uint64_t valid;
    uint64_t banks[MAX_BANKS];
};

static unsigned popcount64(uint64_t x)
{
    return (unsigned)__builtin_popcountll(x);
}

/* VP n is in the set iff its bank is valid and its bit in that bank is set. */
static bool vp_in_set(const struct vp_set *s, uint32_t n)
{
    if (s->all)
        return true;
    if (n >= 64 * MAX_BANKS || !(s->valid & (1ull << (n / 64))))
        return false;
    unsigned k = popcount64(s->valid & ((1ull << (n / 64)) - 1));
    return (s->banks[k] >> (n % 64)) & 1;
}

/*
 * The first n fixed input qwords: fast from RDX, R8 and then the XMM
 * halves (4.5), slow from the input page; variable data follows them.
 */
static int read_header(struct hv_vcpu *v, struct hv_hcall_ctx *hc, uint64_t *hdr, unsigned n)
{
    if (hc->fast) {
        hdr[0] = hc->ingpa;
        hdr[1] = hc->outgpa;
        for (unsigned i = 2; i < n; i++)
            hdr[i] = hc->xmm[i - 2];
        hc->xmm_used = n - 2;
        return 0;
    }
    if (bus_phys_read(v->p->bus, hc->ingpa, hdr, n * sizeof *hdr) < 0)
        return -1;
    hc->data_offset = n * sizeof *hdr;
    return 0;
}

/*
 * The fixed header of an Ex call (n qwords ending in the HV_VP_SET's
 * format and valid bank mask) and the set's banks.  KVM reads the format
 * two ways: the flush calls take any format but sparse 4K as "every
 * vCPU" (all_unless_sparse), the IPI call only HV_GENERIC_SET_ALL.
 * var_cnt must equal the number of valid banks, checked even for "all".
 * Returns -1 (invalid input), 1 (sparse and empty: success, nothing to
 * do) or 0.
 */
static int read_ex_header(struct hv_vcpu *v, struct hv_hcall_ctx *hc, uint64_t *hdr, unsigned n,
                          bool all_unless_sparse, struct vp_set *s)
{
    if (read_header(v, hc, hdr, n) < 0)
        return -1;
    uint64_t format = hdr[n - 2];
    s->valid = hdr[n - 1];
    s->all = all_unless_sparse ? format != HV_GENERIC_SET_SPARSE_4K : format == HV_GENERIC_SET_ALL;
    if (hc->var_cnt != popcount64(s->valid))
        return -1;
    if (s->all)
        return 0;
    if (!hc->var_cnt)
        return 1;
    if (hc->var_cnt > MAX_BANKS || hv_hc_get_data(v, hc, hc->var_cnt, s->banks) < 0)
        return -1;
    return 0;
}

/* "vCPUs 1,3" / "every vCPU (4)" / "no vCPU" for the trace; returns the count. */
static int describe_set(const struct hv_partition *p, const struct vp_set *s, char *buf,
                        size_t len)
{
    int n = 0;
    size_t at = 0;

    buf[0] = 0;
    for (int i = 0; i < p->ncpus; i++) {
        const struct hv_vcpu *t = p->vcpus[i];
        if (!t || !vp_in_set(s, t->vp_index))
            continue;
        if (!s->all && at + 12 < len)
            at += (size_t)snprintf(buf + at, len - at, "%s%u", n ? "," : "vCPUs ", t->vp_index);
        n++;
    }
    if (s->all)
        snprintf(buf, len, "every vCPU (%d)", n);
    else if (!n)
        snprintf(buf, len, "no vCPU");
    return n;
}

/* ---- HvFlushVirtualAddress{Space,List}{,Ex} ---------------------------- */

uint64_t hv_hc_flush(struct hv_vcpu *v, struct hv_hcall_ctx *hc)
{
    struct hv_partition *p = v->p;
    bool ex = hc->code == 0x13 || hc->code == 0x14;
    bool list = hc->code == 0x03 || hc->code == 0x14;
    struct vp_set set = { .valid = 1 };
    uint64_t space, flags;
    char who[64];

    if (!ex && hc->var_cnt)
        return ST_INVALID_INPUT;
    if (list ? (!hc->rep_cnt || hc->rep_idx) : hc->rep)
        return ST_INVALID_INPUT;
    if (!ex) {
        uint64_t hdr[3];    /* address space, flags, processor mask */
        if (read_header(v, hc, hdr, 3) < 0)
            return ST_INVALID_INPUT;
        space = hdr[0];
        flags = hdr[1];
        /* flags bit 0, or mask 0 (KVM's workaround for WS2012): every vCPU */
        set.all = (flags & HV_FLUSH_ALL_PROCESSORS) || !hdr[2];
        set.banks[0] = hdr[2];
    } else {
        uint64_t hdr[4];    /* address space, flags, format, valid bank mask */
        int r = read_ex_header(v, hc, hdr, 4, true, &set);
        if (r < 0)
            return ST_INVALID_INPUT;
        space = hdr[0];
        flags = hdr[1];
        if (r > 0) {
            snprintf(hc->detail, sizeof hc->detail, "empty sparse VP set: nothing flushed");
            return ST_SUCCESS;
        }
        /* the GVA list follows the banks, even those of the "all" format */
        if (hc->fast)
            hc->xmm_used += hc->var_cnt;
        else
            hc->data_offset += hc->var_cnt * sizeof(uint64_t);
    }
    if (list && hc->rep_cnt <= FLUSH_GVA_MAX) {
        uint64_t gva[FLUSH_GVA_MAX];
        if (hv_hc_get_data(v, hc, hc->rep_cnt, gva) < 0)
            return ST_INVALID_INPUT;
    }
    int n = describe_set(p, &set, who, sizeof who);
    for (int i = 0; i < p->ncpus; i++) {
        struct hv_vcpu *t = p->vcpus[i];
        if (t && vp_in_set(&set, t->vp_index)) {
            cpu_tlb_flush(t->cpu);
            t->tlb_flushes++;
        }
    }
    snprintf(hc->detail, sizeof hc->detail,
             "whole TLB of %s flushed (%d in all; address space 0x%llx and flags 0x%llx bits 1-3 ignored)%s",
             who, n, (unsigned long long)space, (unsigned long long)flags,
             list ? (hc->rep_cnt > FLUSH_GVA_MAX ? "; GVA list too long to queue"
                                                 : "; GVA list read") : "");
    return ST_SUCCESS | (list ? (uint64_t)hc->rep_cnt << 32 : 0);
}

/* ---- HvSendSyntheticClusterIpi{,Ex} ------------------------------------ */

uint64_t hv_hc_send_ipi(struct hv_vcpu *v, struct hv_hcall_ctx *hc)
{
    struct hv_partition *p = v->p;
    struct vp_set set = { .valid = 1 };
    uint32_t vector;
    char who[64];

    if (hc->code == 0x0b && hc->var_cnt)
        return ST_INVALID_INPUT;
    if (hc->rep)
        return ST_INVALID_INPUT;
    if (hc->code == 0x0b) {
        uint64_t in[2];         /* vector + reserved, cpu mask */
        if (read_header(v, hc, in, 2) < 0)
            return ST_INVALID_INPUT;
        /* the reserved half is checked only in the fast form (RDX) */
        if (hc->fast && in[0] >> 32)
            return ST_INVALID_INPUT;
        vector = (uint32_t)in[0];
        set.banks[0] = in[1];
    } else {
        uint64_t in[3];         /* vector + reserved, format, valid bank mask */
        int r = read_ex_header(v, hc, in, 3, false, &set);
        if (r < 0)
            return ST_INVALID_INPUT;
        vector = (uint32_t)in[0];
        if (r > 0) {
            /* KVM returns before it looks at the vector */
            snprintf(hc->detail, sizeof hc->detail, "empty sparse VP set: no IPI");
            return ST_SUCCESS;
        }
    }
    if (vector < 0x10 || vector > 0xff) {
        snprintf(hc->detail, sizeof hc->detail, "vector 0x%x is outside 0x10-0xff", vector);
        return ST_INVALID_INPUT;
    }
    int n = describe_set(p, &set, who, sizeof who), sent = 0;
    for (int i = 0; i < p->ncpus; i++) {
        struct hv_vcpu *t = p->vcpus[i];
        if (!t || !vp_in_set(&set, t->vp_index))
            continue;
        if (t->apic_ops && t->apic_ops->inject(t->apic, (uint8_t)vector)) {
            t->pv_ipis++;
            sent++;
        }
    }
    if (sent == n)
        snprintf(hc->detail, sizeof hc->detail, "fixed vector 0x%x sent to %s", vector, who);
    else
        snprintf(hc->detail, sizeof hc->detail, "fixed vector 0x%x to %s: %d sent, %d dropped "
                 "(local APIC disabled)", vector, who, sent, n - sent);
    return ST_SUCCESS;
}

/* ---- PV EOI ------------------------------------------------------------- */

void hv_pv_eoi_sync(void *opaque)
{
    struct hv_vcpu *v = opaque;
    bool on = v->vp_assist & 1;
    uint64_t gpa = v->vp_assist & ~0xfffull;
    uint8_t b;

    if (v->pv_eoi_busy || (!on && !v->pv_eoi_pending) || !v->apic_ops)
        return;
    v->pv_eoi_busy = true;
    if (v->pv_eoi_pending) {
        /* where the bit was set: the page of the last sync */
        uint64_t at = v->pv_eoi_gpa;
        if (bus_phys_read(v->p->bus, at, &b, 1) < 0)
            b = 1;
        if (!(b & 1)) {
            /* the guest cleared it: its lazy EOI, done on its behalf */
            v->pv_eoi_pending = false;
            v->apic_ops->eoi(v->apic);
            v->pv_eois++;
            hv_trace(v, "PV EOI: the guest cleared \"no EOI required\"; EOI done for it");
        } else if (!on || at != gpa || v->apic_ops->pv_eoi_vector(v->apic) < 0) {
            /* no longer covered: take the bit back, the guest must EOI itself */
            b = 0;
            bus_phys_write(v->p->bus, at, &b, 1);
            v->pv_eoi_pending = false;
        }
    }
    if (!v->pv_eoi_pending && on) {
        int vec = v->apic_ops->pv_eoi_vector(v->apic);
        if (vec >= 0) {
            b = 1;
            if (bus_phys_write(v->p->bus, gpa, &b, 1) == 0) {
                v->pv_eoi_pending = true;
                v->pv_eoi_gpa = gpa;
                hv_trace(v, "PV EOI: \"no EOI required\" set for in-service vector 0x%x", vec);
            }
        }
    }
    v->pv_eoi_busy = false;
}
