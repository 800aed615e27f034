/*
 * hyperv/hv-time.c: the partition reference counter (TIME_REF_COUNT) and
 * the reference TSC page (reference/hyperv.md 7).
 *
 * Reference time is ((TSC * scale) >> 64) + offset with vCPU 0's guest TSC,
 * scale = floor(2^64 * 10^7 / TSC Hz) and offset chosen so that time is 0
 * when the partition is created (7.5).  The MSR and the page use the same
 * two numbers, so they agree with RDTSC to the last unit.  When the guest
 * changes its TSC, offset is refitted so that reference time stays
 * continuous, and a published page gets a new sequence (KVM's
 * HOST_CHANGED), unless TSC emulation control freezes it (7.4).
 */
#include "hyperv/hv-internal.h"

#include <string.h>

#include "timers/timers.h"

#define TSC_PAGE_ENABLE 1ull

static uint64_t scaled(const struct hv_partition *p, uint64_t tsc)
{
    return (uint64_t)(((unsigned __int128)tsc * p->tsc_scale) >> 64);
}

static struct cpu *cpu0(const struct hv_partition *p)
{
    return p->vcpus[0]->cpu;
}

void hv_time_init(struct hv_partition *p)
{
    uint64_t hz = vclock_tsc_hz();

    p->tsc_scale = (uint64_t)(((unsigned __int128)10000000u << 64) / hz);
    p->tsc_delta_seen = cpu_tsc_offset(cpu0(p));
    p->tsc_offset = -(int64_t)scaled(p, vclock_tsc() + (uint64_t)p->tsc_delta_seen);
    p->tsc_page = TSC_PAGE_UNSET;
}

/* Write the page: sequence 0, parameters, then the next valid sequence. */
static void publish(struct hv_partition *p)
{
    uint64_t gpa = p->tsc_ref_msr & ~0xfffull;
    uint32_t seq, zero = 0;
    struct {
        uint32_t seq, reserved;
        uint64_t scale;
        int64_t offset;
    } page = { 0, 0, p->tsc_scale, p->tsc_offset };

    if (bus_phys_read(p->bus, gpa, &seq, sizeof seq) < 0 ||
        bus_phys_write(p->bus, gpa, &zero, sizeof zero) < 0 ||
        bus_phys_write(p->bus, gpa, &page, sizeof page) < 0) {
        p->tsc_page = TSC_PAGE_BROKEN;
        return;
    }
    seq++;
    if (seq == 0 || seq == 0xffffffffu)
        seq = 1;
    bus_phys_write(p->bus, gpa, &seq, sizeof seq);
    p->tsc_seq = seq;
    p->tsc_page = TSC_PAGE_SET;
}

/* Re-enlightenment freeze: a valid page stays as the guest last saw it. */
static bool frozen(struct hv_partition *p)
{
    uint32_t seq;

    return p->tsc_emu_control && p->tsc_page == TSC_PAGE_SET &&
           bus_phys_read(p->bus, p->tsc_ref_msr & ~0xfffull, &seq, sizeof seq) == 0 && seq;
}

/* Follow a change of the guest's TSC offset. */
static void refit(struct hv_partition *p)
{
    int64_t delta = cpu_tsc_offset(cpu0(p));

    if (delta == p->tsc_delta_seen)
        return;
    if (!frozen(p)) {
        uint64_t vt = vclock_tsc();
        uint64_t now = scaled(p, vt + (uint64_t)p->tsc_delta_seen) + (uint64_t)p->tsc_offset;
        p->tsc_offset = (int64_t)(now - scaled(p, vt + (uint64_t)delta));
        if (p->tsc_page == TSC_PAGE_SET)
            publish(p);
    }
    p->tsc_delta_seen = delta;
}

uint64_t hv_time_ref(struct hv_partition *p)
{
    refit(p);
    return scaled(p, cpu_rdtsc(cpu0(p))) + (uint64_t)p->tsc_offset;
}

void hv_time_msr_written(struct hv_partition *p)
{
    refit(p);
    if (p->tsc_ref_msr & TSC_PAGE_ENABLE)
        publish(p);
    else
        p->tsc_page = TSC_PAGE_UNSET;   /* the page keeps what it holds */
}

void hv_time_tsc_changed(void *opaque)
{
    struct hv_vcpu *v = opaque;

    if (v->index == 0 && v->p->vcpus && v->p->vcpus[0] == v) {
        bool was_set = v->p->tsc_page == TSC_PAGE_SET;
        uint32_t seq = v->p->tsc_seq;
        refit(v->p);
        if (was_set && v->p->tsc_seq != seq)
            hv_trace(v, "guest TSC changed: reference TSC page republished (sequence %u)",
                     v->p->tsc_seq);
    }
}

enum msr_result hv_time_rd(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                           uint64_t *val)
{
    *val = hv_time_ref(v->p);
    return MSR_OK;
}
