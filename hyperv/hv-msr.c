/*
 * hyperv/hv-msr.c: the synthetic MSRs (reference/hyperv.md 3).  The hooks
 * route 0x40000000..0x400001ff here; the table says which numbers exist,
 * who owns them and what hv-enforce-cpuid requires.  Everything else in
 * the range, and everything while Hyper-V is not identified, is #GP, as
 * on KVM.  Values are stored whole, without reserved-bit checks, except
 * where a row says otherwise.
 */
#include "hyperv/hv-internal.h"

#include <stdlib.h>
#include <string.h>

#include "timers/timers.h"

#define HYPERCALL_ENABLE  1ull
#define CRASH_NOTIFY      (1ull << 63)
#define APIC_BUS_HZ       1000000000ull

/* The note the last handler left for the trace line. */
static const char *note;

void hv_msr_note(const char *why)
{
    note = why;
}

/* Where a plainly stored MSR lives (the table row says). */
static uint64_t *slot(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr)
{
    char *base = m->partition_wide ? (char *)v->p : (char *)v;

    if (!m->store)
        abort();
    return (uint64_t *)(base + m->store - 1) + (msr - m->first);
}

enum msr_result hv_rd_stored(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                             uint64_t *val)
{
    *val = *slot(v, m, msr);
    return MSR_OK;
}

enum msr_result hv_wr_stored(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                             uint64_t val)
{
    *slot(v, m, msr) = val;
    return MSR_OK;
}

enum msr_result hv_wr_guest_os_id(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                                  uint64_t val)
{
    v->p->guest_os_id = val;
    if (!val) {
        v->p->hypercall &= ~HYPERCALL_ENABLE;
        note = "guest OS identity cleared: hypercall page disabled, VMCALL is KVM's again";
    } else {
        note = "guest OS identified: Hyper-V hypercalls enabled";
    }
    return MSR_OK;
}

/* Write guest-physical memory the way KVM's host writes do. */
static int guest_write(struct hv_partition *p, uint64_t gpa, const void *buf, size_t len)
{
    return bus_phys_write(p->bus, gpa, buf, len);
}

enum msr_result hv_wr_hypercall(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                                uint64_t val)
{
    static const uint8_t vmcall[4] = { 0x0f, 0x01, 0xc1, 0xc3 };   /* VMCALL; RET */
    static const uint8_t vmmcall[4] = { 0x0f, 0x01, 0xd9, 0xc3 };  /* VMMCALL; RET */
    struct hv_partition *p = v->p;
    uint32_t r[4];

    if (!p->guest_os_id) {
        note = "ignored: GUEST_OS_ID is 0";
        return MSR_OK;
    }
    if (val & HYPERCALL_ENABLE) {
        /* the instruction of the guest's vendor, as KVM on a same-vendor host */
        cpu_cpuid(v->cpu, 0, 0, r);
        bool amd = r[1] == 0x68747541u || r[1] == 0x6f677948u;
        if (guest_write(p, val & ~0xfffull, amd ? vmmcall : vmcall, 4) < 0) {
            note = "page is not guest RAM";
            return MSR_GP;
        }
        note = amd ? "hypercall page enabled: VMMCALL; RET written at its start"
                   : "hypercall page enabled: VMCALL; RET written at its start";
    } else {
        note = "hypercall page disabled";
    }
    p->hypercall = val;
    return MSR_OK;
}

enum msr_result hv_rd_vp_index(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                               uint64_t *val)
{
    *val = v->vp_index;
    return MSR_OK;
}

enum msr_result hv_rd_zero(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                           uint64_t *val)
{
    *val = 0;
    return MSR_OK;
}

enum msr_result hv_wr_reset(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                            uint64_t val)
{
    if (val == 1) {
        note = "the guest asked for a system reset";
        machine_request_reset();
    } else {
        note = "ignored: only the value 1 resets";
    }
    return MSR_OK;
}

enum msr_result hv_rd_vp_runtime(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                                 uint64_t *val)
{
    *val = (uint64_t)((int64_t)(cpu_runtime_ns(v->cpu) / 100) + v->runtime_offset);
    note = "100 ns units this vCPU ran (not halted)";
    return MSR_OK;
}

enum msr_result hv_wr_ref_tsc(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                              uint64_t val)
{
    v->p->tsc_ref_msr = val;
    hv_time_msr_written(v->p);
    note = v->p->tsc_page == TSC_PAGE_SET ? "reference TSC page published"
         : v->p->tsc_page == TSC_PAGE_BROKEN ? "reference TSC page is not guest RAM: not published"
         : "reference TSC page updates stopped";
    return MSR_OK;
}

enum msr_result hv_rd_frequency(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                                uint64_t *val)
{
    *val = msr == 0x40000022 ? vclock_tsc_hz() / 1000 * 1000 : APIC_BUS_HZ;
    return MSR_OK;
}

enum msr_result hv_wr_vp_assist(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                                uint64_t val)
{
    static const uint32_t zero;

    if (val & 1) {
        /* clear only apic_assist; the rest of the page is the guest's */
        if (guest_write(v->p, val & ~0xfffull, &zero, sizeof zero) < 0) {
            note = "page is not guest RAM";
            return MSR_GP;
        }
        note = "VP assist page enabled (apic_assist cleared)";
    } else {
        note = "VP assist page disabled";
    }
    v->vp_assist = val;
    hv_pv_eoi_sync(v);  /* PV EOI follows the page (hv-pv.c) */
    return MSR_OK;
}

/*
 * HV_X64_MSR_EOI/ICR/TPR (reference 3.5, KVM's kvm_hv_vapic_msr_write/read):
 * the local APIC's EOI, ICR and TPR with x2APIC semantics in either APIC
 * mode.  EOI is write-only (the table row has no reader); ICR is one
 * 64-bit register; EOI and TPR #GP on bits 63:32.  No local APIC: #GP.
 */
#define HV_X64_MSR_EOI 0x40000070u
#define HV_X64_MSR_ICR 0x40000071u

static bool no_apic(const struct hv_vcpu *v)
{
    if (v->apic_ops)
        return false;
    note = "this machine has no local APIC";
    return true;
}

enum msr_result hv_rd_apic(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                           uint64_t *val)
{
    if (no_apic(v))
        return MSR_GP;
    *val = msr == HV_X64_MSR_ICR ? v->apic_ops->icr_read(v->apic) : v->apic_ops->tpr_get(v->apic);
    return MSR_OK;
}

enum msr_result hv_wr_apic(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                           uint64_t val)
{
    if (no_apic(v))
        return MSR_GP;
    if (msr == HV_X64_MSR_ICR) {
        v->apic_ops->icr_write(v->apic, val);
        note = "interprocessor interrupt sent (ICR2:ICR in one write)";
        return MSR_OK;
    }
    if (val >> 32) {
        note = "bits 63:32 are reserved";
        return MSR_GP;
    }
    if (msr == HV_X64_MSR_EOI) {
        v->apic_ops->eoi(v->apic);
        note = "end of interrupt for the highest in-service vector";
    } else {
        v->apic_ops->tpr_set(v->apic, (uint32_t)val);
    }
    return MSR_OK;
}

enum msr_result hv_wr_crash_ctl(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                                uint64_t val)
{
    struct hv_partition *p = v->p;

    if (!(val & CRASH_NOTIFY)) {
        note = "no crash notification (bit 63 clear); not stored";
        return MSR_OK;
    }
    note = "the guest reported a crash";
    hv_trace(v, "crash reported: P0=0x%llx P1=0x%llx P2=0x%llx P3=0x%llx P4=0x%llx",
             (unsigned long long)p->crash_p[0], (unsigned long long)p->crash_p[1],
             (unsigned long long)p->crash_p[2], (unsigned long long)p->crash_p[3],
             (unsigned long long)p->crash_p[4]);
    /* QEMU passes the parameters on only when hv-crash is on */
    machine_report_panic((p->cfg.feats & HV_BIT(HV_CRASH)) ? p->crash_p : NULL);
    return MSR_OK;
}

enum msr_result hv_wr_tsc_emu_status(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                                     uint64_t val)
{
    if (val) {
        note = "only 0 may be written";
        return MSR_GP;
    }
    v->p->tsc_emu_status = 0;
    return MSR_OK;
}

enum msr_result hv_wr_invtsc(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                             uint64_t val)
{
    if (val & ~1ull) {
        note = "only bit 0 exists";
        return MSR_GP;
    }
    if (v->p->invtsc_control && !val) {
        note = "cannot be turned off once on";
        return MSR_GP;
    }
    v->p->invtsc_control = val;
    return MSR_OK;
}

/* Common front: identification, table lookup, enforce gate. */
static const struct hv_msr *lookup(struct hv_vcpu *v, uint32_t msr, const char **why)
{
    struct hv_partition *p = v->p;
    const struct hv_msr *m;

    if (!p->hv_max) {
        *why = "Hyper-V is not identified to the guest";
        return NULL;
    }
    m = hv_find_msr(msr, NULL);
    if (!m) {
        *why = "not a synthetic MSR KVM implements";
        return NULL;
    }
    if (p->cfg.enforce && !hv_cpuid_has(p, m->gate)) {
        *why = "not advertised in CPUID (hv-enforce-cpuid)";
        return NULL;
    }
    return m;
}

static bool in_range(uint32_t msr)
{
    return msr >= 0x40000000u && msr <= 0x400001ffu;
}

enum msr_result hv_rdmsr_hook(void *opaque, uint32_t msr, uint64_t *val)
{
    struct hv_vcpu *v = opaque;
    const char *why = NULL;
    char name[48];

    if (!in_range(msr))
        return MSR_UNHANDLED;
    const struct hv_msr *m = lookup(v, msr, &why);
    if (!m || !m->rd) {
        if (m)
            why = m->gp_why ? m->gp_why : "not readable";
        if (m)
            hv_msr_name(m, msr, name, sizeof name);
        hv_trace(v, "rdmsr %s%s0x%08x: #GP (%s)", m ? name : "", m ? " " : "", msr, why);
        return MSR_GP;
    }
    note = NULL;
    enum msr_result r = m->rd(v, m, msr, val);
    if (log_on(LOG_HYPERV)) {
        hv_msr_name(m, msr, name, sizeof name);
        if (r == MSR_OK)
            hv_trace(v, "rdmsr %s (0x%08x, %s) -> 0x%llx%s%s", name, msr, m->what,
                     (unsigned long long)*val, note ? ": " : "", note ? note : "");
        else
            hv_trace(v, "rdmsr %s (0x%08x, %s): #GP (%s)", name, msr, m->what,
                     note ? note : "refused");
    }
    return r;
}

enum msr_result hv_wrmsr_hook(void *opaque, uint32_t msr, uint64_t val)
{
    struct hv_vcpu *v = opaque;
    const char *why = NULL;
    char name[48];

    if (!in_range(msr))
        return MSR_UNHANDLED;
    const struct hv_msr *m = lookup(v, msr, &why);
    if (!m || !m->wr) {
        if (m)
            why = m->gp_why ? m->gp_why : "not writable";
        if (m)
            hv_msr_name(m, msr, name, sizeof name);
        hv_trace(v, "wrmsr %s%s0x%08x = 0x%llx: #GP (%s)", m ? name : "", m ? " " : "", msr,
                 (unsigned long long)val, why);
        return MSR_GP;
    }
    note = NULL;
    if (log_on(LOG_HYPERV))
        hv_msr_name(m, msr, name, sizeof name);
    enum msr_result r = m->wr(v, m, msr, val);
    if (log_on(LOG_HYPERV)) {
        if (r == MSR_OK)
            hv_trace(v, "wrmsr %s (0x%08x, %s) = 0x%llx%s%s", name, msr, m->what,
                     (unsigned long long)val, note ? ": " : "", note ? note : "");
        else
            hv_trace(v, "wrmsr %s (0x%08x, %s) = 0x%llx: #GP (%s)", name, msr, m->what,
                     (unsigned long long)val, note ? note : "refused");
    }
    return r;
}
