/*
 * hyperv/hv-hcall.c: VMCALL/VMMCALL.  With Hyper-V identified and a guest
 * OS id set, the Hyper-V hypercall ABI (reference/hyperv.md 4): control
 * word, fast and memory input, rep counts, the check order of 4.1 and the
 * status KVM returns for every call code; otherwise KVM's own hypercall
 * path (4.9).  Hypercalls never write guest memory.
 */
#include "hyperv/hv-internal.h"

#include <string.h>

#define CTL_FAST        (1ull << 16)
#define CTL_RSVD_MASK   0xf000f000f8000000ull  /* bits 27-31, 44-47, 60-63 */

#define KVM_ENOSYS 1000
#define KVM_EPERM  1
#define KVM_HC_VAPIC_POLL_IRQ 1

static const char *status_name(uint16_t s)
{
    switch (s) {
    case ST_SUCCESS: return "HV_STATUS_SUCCESS";
    case ST_INVALID_CODE: return "HV_STATUS_INVALID_HYPERCALL_CODE";
    case ST_INVALID_INPUT: return "HV_STATUS_INVALID_HYPERCALL_INPUT";
    case ST_INVALID_ALIGN: return "HV_STATUS_INVALID_ALIGNMENT";
    case ST_INVALID_PARAM: return "HV_STATUS_INVALID_PARAMETER";
    case ST_ACCESS_DENIED: return "HV_STATUS_ACCESS_DENIED";
    case ST_INSUFFICIENT_MEMORY: return "HV_STATUS_INSUFFICIENT_MEMORY";
    case ST_INVALID_PORT_ID: return "HV_STATUS_INVALID_PORT_ID";
    case ST_INVALID_CONNECTION_ID: return "HV_STATUS_INVALID_CONNECTION_ID";
    case ST_INSUFFICIENT_BUFFERS: return "HV_STATUS_INSUFFICIENT_BUFFERS";
    default: return "HV_STATUS_?";
    }
}

/* Variable input: fast from the XMM halves left, slow from guest memory. */
int hv_hc_get_data(struct hv_vcpu *v, struct hv_hcall_ctx *hc, unsigned cnt, uint64_t *out)
{
    if (hc->fast) {
        if (cnt > XMM_HALVES - hc->xmm_used)
            return -1;
        memcpy(out, hc->xmm + hc->xmm_used, cnt * sizeof *out);
        return 0;
    }
    return bus_phys_read(v->p->bus, hc->ingpa + hc->data_offset, out, cnt * sizeof *out);
}

uint64_t hv_hc_spin_wait(struct hv_vcpu *v, struct hv_hcall_ctx *hc)
{
    if (hc->rep || hc->var_cnt)
        return ST_INVALID_INPUT;
    v->spin_yields++;
    cpu_kick(v->cpu);   /* give up the rest of the slice */
    snprintf(hc->detail, sizeof hc->detail, "vCPU yields; spin-wait yields: %llu",
             (unsigned long long)v->spin_yields);
    return ST_SUCCESS;
}

/* HvPostMessage and HvSignalEvent: hv-synic.c (reference 4.7, 5). */
uint64_t hv_hc_post_message(struct hv_vcpu *v, struct hv_hcall_ctx *hc)
{
    return hv_synic_post_message(v, hc->fast, hc->rep || hc->var_cnt, hc->ingpa, hc->detail,
                                 sizeof hc->detail);
}

uint64_t hv_hc_signal_event(struct hv_vcpu *v, struct hv_hcall_ctx *hc)
{
    return hv_synic_signal_event(v, hc->fast, hc->rep || hc->var_cnt, hc->ingpa, hc->detail,
                                 sizeof hc->detail);
}

/* HvPostDebugData, HvRetrieveDebugData, HvResetDebugSession: hv-syndbg.c. */

uint64_t hv_hc_extended(struct hv_vcpu *v, struct hv_hcall_ctx *hc)
{
    if (hc->fast)
        return ST_INVALID_PARAM;
    snprintf(hc->detail, sizeof hc->detail, "extended hypercalls are not implemented");
    return ST_INVALID_CODE;
}

static bool allowed(const struct hv_partition *p, const struct hv_hcall *h)
{
    if (!p->cfg.enforce || !h)
        return true;
    switch (h->gate_kind) {
    case GATE_NONE:
        return true;
    case GATE_BITS:
        return hv_cpuid_has(p, h->gate) && (!h->gate2.mask || hv_cpuid_has(p, h->gate2));
    case GATE_SPINLOCK:
        return p->hints_ebx && p->hints_ebx != 0xffffffffu;
    case GATE_SYNDBG:
        return !(p->cfg.feats & HV_BIT(HV_SYNDBG)) || hv_cpuid_has(p, h->gate);
    }
    return false;
}

/* KVM's own hypercall (RAX = number); satori offers none of the optional ones. */
static void kvm_hypercall(struct hv_vcpu *v, struct cpu *cpu)
{
    bool op64 = cpu_long_mode(cpu) && cpu_code_bits(cpu) == 64;
    uint64_t nr = cpu_reg(cpu, CPU_RAX);
    int64_t ret;

    if (!op64)
        nr &= 0xffffffffu;
    if (cpu_cpl(cpu) != 0)
        ret = -KVM_EPERM;
    else if (nr == KVM_HC_VAPIC_POLL_IRQ)
        ret = 0;
    else
        ret = -KVM_ENOSYS;
    cpu_set_reg(cpu, CPU_RAX, op64 ? (uint64_t)ret : (uint32_t)ret);
    hv_trace(v, "KVM hypercall %llu -> %lld%s", (unsigned long long)nr, (long long)ret,
             ret == -KVM_ENOSYS ? " (not implemented)" : ret == -KVM_EPERM ? " (CPL > 0)" : "");
}

enum hcall_result hv_hypercall_hook(void *opaque, struct cpu *cpu)
{
    struct hv_vcpu *v = opaque;
    struct hv_partition *p = v->p;
    struct hv_hcall_ctx hc = { 0 };
    uint64_t ret;

    if (!p->hv_max || !p->guest_os_id) {
        if (!p->hv_max && !p->cfg.kvm) {
            hv_trace(v, "VMCALL: no hypervisor interface is visible; #UD");
            return HCALL_UD;
        }
        kvm_hypercall(v, cpu);
        return HCALL_DONE;
    }
    if (cpu_cpl(cpu) != 0 || !(cpu_reg(cpu, CPU_CR0) & 1)) {
        hv_trace(v, "hypercall from CPL %d%s: #UD", cpu_cpl(cpu),
                 (cpu_reg(cpu, CPU_CR0) & 1) ? "" : " in real mode");
        return HCALL_UD;
    }
    bool op64 = cpu_long_mode(cpu) && cpu_code_bits(cpu) == 64;
    if (op64) {
        hc.control = cpu_reg(cpu, CPU_RCX);
        hc.ingpa = cpu_reg(cpu, CPU_RDX);
        hc.outgpa = cpu_reg(cpu, CPU_R8);
    } else {
        hc.control = (cpu_reg(cpu, CPU_RDX) & 0xffffffffu) << 32 |
                     (cpu_reg(cpu, CPU_RAX) & 0xffffffffu);
        hc.ingpa = (cpu_reg(cpu, CPU_RBX) & 0xffffffffu) << 32 |
                   (cpu_reg(cpu, CPU_RCX) & 0xffffffffu);
        hc.outgpa = (cpu_reg(cpu, CPU_RDI) & 0xffffffffu) << 32 |
                    (cpu_reg(cpu, CPU_RSI) & 0xffffffffu);
    }
    hc.code = (uint16_t)hc.control;
    hc.fast = hc.control & CTL_FAST;
    hc.var_cnt = (hc.control >> 17) & 0x3ff;
    hc.rep_cnt = (hc.control >> 32) & 0xfff;
    hc.rep_idx = (hc.control >> 48) & 0xfff;
    hc.rep = hc.rep_cnt || hc.rep_idx;

    const struct hv_hcall *h = hv_find_hcall(hc.code);
    if (!allowed(p, h)) {
        ret = ST_ACCESS_DENIED;
        snprintf(hc.detail, sizeof hc.detail, "not advertised in CPUID (hv-enforce-cpuid)");
    } else if (hc.control & CTL_RSVD_MASK) {
        ret = ST_INVALID_INPUT;
        snprintf(hc.detail, sizeof hc.detail, "reserved control bits set");
    } else {
        if (hc.fast && h && h->xmm_input) {
            if (p->cfg.enforce && !(p->features_edx & 0x10)) {
                hv_trace(v, "hypercall 0x%04x: XMM fast input not advertised; #UD", hc.code);
                return HCALL_UD;
            }
            for (int i = 0; i < 6; i++)
                cpu_xmm(cpu, i, hc.xmm + 2 * i);
        }
        if (h) {
            ret = h->fn(v, &hc);
        } else {
            ret = ST_INVALID_CODE;
            snprintf(hc.detail, sizeof hc.detail, "not a call KVM implements");
        }
    }
    v->hypercalls++;
    if (op64) {
        cpu_set_reg(cpu, CPU_RAX, ret);
    } else {
        cpu_set_reg(cpu, CPU_RAX, (uint32_t)ret);
        cpu_set_reg(cpu, CPU_RDX, ret >> 32);
    }
    if (log_on(LOG_HYPERV))
        hv_trace(v, "hypercall %s (0x%04x, %s, rep %u from %u, varhead %u) in=0x%llx "
                 "out=0x%llx -> %s (0x%llx)%s%s",
                 h ? h->name : "unknown", hc.code, hc.fast ? "fast" : "memory", hc.rep_cnt,
                 hc.rep_idx, hc.var_cnt, (unsigned long long)hc.ingpa,
                 (unsigned long long)hc.outgpa, status_name((uint16_t)ret),
                 (unsigned long long)ret, hc.detail[0] ? "; " : "", hc.detail);
    return HCALL_DONE;
}
