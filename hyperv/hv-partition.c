/*
 * hyperv/hv-partition.c: partition and vCPU lifetime, the values QEMU
 * writes at creation and at every reset (reference/hyperv.md 2.3), the CPU
 * hooks, the -d hyperv trace and the state dump.
 */
#include "hyperv/hv-internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CRASH_NOTIFY (1ull << 63)

void hv_trace(const struct hv_vcpu *v, const char *fmt, ...)
{
    va_list ap;

    if (!log_on(LOG_HYPERV))
        return;
    log_printf("hyperv: vp%u ", v ? v->vp_index : 0);
    va_start(ap, fmt);
    log_vprintf(fmt, ap);
    va_end(ap);
    log_printf("\n");
}

struct hv_partition *hv_partition_new(const struct hv_config *cfg, struct bus *bus, int ncpus)
{
    struct hv_partition *p = calloc(1, sizeof *p);

    if (!p || !(p->vcpus = calloc((size_t)ncpus, sizeof *p->vcpus)))
        abort();
    p->cfg = *cfg;
    p->bus = bus;
    p->ncpus = ncpus;
    p->crash_ctl = CRASH_NOTIFY;
    hv_cpuid_build(p);
    hv_syndbg_init(p);
    return p;
}

void hv_partition_free(struct hv_partition *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->ncpus; i++)
        if (p->vcpus[i])
            hv_synic_free(p->vcpus[i]);
    for (int i = 0; i < p->ncpus; i++)
        free(p->vcpus[i]);
    hv_synic_partition_free(p);
    hv_syndbg_free(p);
    free(p->vcpus);
    free(p);
}

struct hv_vcpu *hv_vcpu_new(struct hv_partition *p, struct cpu *cpu, int index)
{
    struct hv_vcpu *v = calloc(1, sizeof *v);

    if (!v || index < 0 || index >= p->ncpus)
        abort();
    v->p = p;
    v->cpu = cpu;
    v->index = index;
    v->vp_index = (uint32_t)index;
    v->runtime_offset = -(int64_t)(cpu_runtime_ns(cpu) / 100);
    p->vcpus[index] = v;
    if (index == 0)
        hv_time_init(p);
    hv_synic_init(v);
    return v;
}

void hv_vcpu_hooks(struct hv_vcpu *v, struct cpu_hv_hooks *out)
{
    memset(out, 0, sizeof *out);
    out->opaque = v;
    out->cpuid = hv_cpuid_hook;
    out->rdmsr = hv_rdmsr_hook;
    out->wrmsr = hv_wrmsr_hook;
    out->hypercall = hv_hypercall_hook;
    out->tsc_changed = hv_time_tsc_changed;
    /* CPUID.1:ECX[31]: QEMU sets it under KVM whenever a hypervisor is there */
    out->present = v->p->hv_max || v->p->kvm_base;
}

void hv_vcpu_set_apic(struct hv_vcpu *v, const struct hv_apic_ops *ops, void *apic)
{
    v->apic_ops = ops;
    v->apic = apic;
    if (ops && ops->set_notify)
        ops->set_notify(apic, hv_pv_eoi_sync, v);   /* PV EOI (hv-pv.c) */
    hv_synic_apic_attached(v);
}

/*
 * Machine reset: what QEMU writes through KVM_SET_MSRS, under the same
 * conditions.  Reference time is not reset (it counts since creation).
 */
void hv_partition_reset(struct hv_partition *p)
{
    uint32_t f = p->cfg.feats;

    if (p->hv_max) {
        p->guest_os_id = 0;
        p->hypercall = 0;
    }
    if (f & HV_BIT(HV_TIME)) {
        p->tsc_ref_msr = 0;
        p->tsc_page = TSC_PAGE_UNSET;
    }
    if (f & HV_BIT(HV_REENLIGHTENMENT))
        p->reenlightenment = p->tsc_emu_control = p->tsc_emu_status = 0;
    memset(p->crash_p, 0, sizeof p->crash_p);
    p->crash_ctl = CRASH_NOTIFY;
    hv_syndbg_reset(p);
    for (int i = 0; i < p->ncpus; i++) {
        struct hv_vcpu *v = p->vcpus[i];
        if (!v)
            continue;
        v->runtime_offset = -(int64_t)(cpu_runtime_ns(v->cpu) / 100);
        v->vp_index = (uint32_t)v->index;
        if (f & HV_BIT(HV_VAPIC))
            v->vp_assist = 0;
        v->pv_eoi_pending = false;
        hv_stimer_reset(v);
        if (f & HV_BIT(HV_SYNIC))
            hv_synic_reset(v);
    }
}

void hv_dump(struct hv_partition *p, FILE *out)
{
    if (!p->hv_max) {
        fprintf(out, "Hyper-V: not identified to the guest%s\n",
                p->kvm_base ? " (KVM signature leaves only)" : "");
        return;
    }
    fprintf(out, "Hyper-V: enlightenments:");
    for (int f = 0; f < HV_NFEAT; f++)
        if (p->cfg.feats & HV_BIT(f))
            fprintf(out, " %s", hv_table[f].flag);
    fprintf(out, "%s\n", p->cfg.enforce ? " (hv-enforce-cpuid)" : "");
    fprintf(out, "  guest OS id 0x%llx, hypercall MSR 0x%llx, reference TSC MSR 0x%llx "
            "(page %s, sequence %u)\n", (unsigned long long)p->guest_os_id,
            (unsigned long long)p->hypercall, (unsigned long long)p->tsc_ref_msr,
            p->tsc_page == TSC_PAGE_SET ? "published" : p->tsc_page == TSC_PAGE_BROKEN ?
            "broken" : "off", p->tsc_seq);
    fprintf(out, "  reference time %llu (100 ns), scale 0x%016llx, offset %lld\n",
            (unsigned long long)hv_time_ref(p), (unsigned long long)p->tsc_scale,
            (long long)p->tsc_offset);
    hv_syndbg_dump(p, out);
    for (int i = 0; i < p->ncpus; i++) {
        struct hv_vcpu *v = p->vcpus[i];
        if (v) {
            fprintf(out, "  vp%u: hypercalls %llu, spin-wait yields %llu, VP assist 0x%llx, "
                    "TLB flushes %llu, PV IPIs %llu, PV EOIs %llu\n",
                    v->vp_index, (unsigned long long)v->hypercalls,
                    (unsigned long long)v->spin_yields, (unsigned long long)v->vp_assist,
                    (unsigned long long)v->tlb_flushes, (unsigned long long)v->pv_ipis,
                    (unsigned long long)v->pv_eois);
            hv_synic_dump(v, out);
        }
    }
}
