/*
 * hyperv/hv-syndbg.c: hv-syndbg, the synthetic debugger interface Windows'
 * kernel debugger (KDNET over Hyper-V) uses, as far as KVM implements it
 * and as QEMU answers it without a debugger device (reference/hyperv.md
 * 1.3, 2.2, 3.2, 4.6).
 *
 *  - CPUID: 0x40000003.EDX bit 11, leaves 0x40000080-0x40000082 ("Microsoft
 *    VS", "VS#1", EAX bit 1 AllowKernelDebugging) and max leaf 0x40000082
 *    (hv-cpuid.c).
 *  - MSRs SYNDBG_CONTROL/STATUS/SEND_BUFFER/RECV_BUFFER/PENDING_BUFFER
 *    (0x400000F1-F5) and SYNDBG_OPTIONS (0x400000FF): partition-wide,
 *    stored whole and read back (KVM's syndbg_set_msr/get_msr); without
 *    0x40000082.EAX bit 1 (hv-syndbg off) every access #GPs.  A CONTROL or
 *    PENDING_BUFFER write is KVM's exit to QEMU: QEMU's
 *    kvm_hv_handle_exit passes it to its hv-syndbg device; with none
 *    (hyperv_syndbg_send/recv without a handler) a send or receive
 *    answers HV_SYNDBG_STATUS_INVALID, anything else success, all 0, and
 *    KVM stores that in SYNDBG_STATUS.
 *  - HvPostDebugData / HvRetrieveDebugData / HvResetDebugSession (0x69-
 *    0x6B): fast Post/Retrieve -> 5; hv-syndbg off -> 2; SYNDBG_OPTIONS
 *    bit 2 (use hypercalls) clear -> 8; else QEMU, which without a device
 *    answers 2.
 *  - Reset: QEMU writes SYNDBG_OPTIONS = the options its device reports,
 *    0 without one; the other syndbg MSRs keep their values (QEMU does not
 *    write them).
 *
 * Not implemented: QEMU's `-device hv-syndbg` (with its vmbus-bridge),
 * the host-side endpoint that sends the debugger's packets to a UDP
 * host_ip:host_port and receives the replies; so no data ever moves.
 */
#include "hyperv/hv-internal.h"

#define HV_X64_MSR_SYNDBG_CONTROL        0x400000f1u
#define HV_X64_MSR_SYNDBG_STATUS         0x400000f2u
#define HV_X64_MSR_SYNDBG_SEND_BUFFER    0x400000f3u
#define HV_X64_MSR_SYNDBG_RECV_BUFFER    0x400000f4u
#define HV_X64_MSR_SYNDBG_PENDING_BUFFER 0x400000f5u
#define HV_X64_MSR_SYNDBG_OPTIONS        0x400000ffu

#define HV_SYNDBG_CONTROL_SEND   (1u << 0)
#define HV_SYNDBG_CONTROL_RECV   (1u << 1)
#define HV_SYNDBG_STATUS_INVALID 0u
#define HV_X64_SYNDBG_OPTION_USE_HCALLS (1u << 2)

/* 0x40000082.EAX bit 1 is there exactly with hv-syndbg (KVM's kvm_hv_is_syndbg_enabled). */
static bool syndbg_on(const struct hv_partition *p)
{
    return p->cfg.feats & HV_BIT(HV_SYNDBG);
}

static uint64_t *syndbg_slot(struct hv_partition *p, uint32_t msr)
{
    switch (msr) {
    case HV_X64_MSR_SYNDBG_CONTROL: return &p->syndbg_control;
    case HV_X64_MSR_SYNDBG_STATUS: return &p->syndbg_status;
    case HV_X64_MSR_SYNDBG_SEND_BUFFER: return &p->syndbg_send_page;
    case HV_X64_MSR_SYNDBG_RECV_BUFFER: return &p->syndbg_recv_page;
    case HV_X64_MSR_SYNDBG_PENDING_BUFFER: return &p->syndbg_pending_page;
    case HV_X64_MSR_SYNDBG_OPTIONS: return &p->syndbg_options;
    }
    return NULL;
}

enum msr_result hv_rd_syndbg(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                             uint64_t *val)
{
    uint64_t *s = syndbg_slot(v->p, msr);

    if (!syndbg_on(v->p) || !s) {
        hv_msr_note("the synthetic debugger is off (0x40000082.EAX bit 1 clear)");
        return MSR_GP;
    }
    *val = *s;
    return MSR_OK;
}

enum msr_result hv_wr_syndbg(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                             uint64_t val)
{
    struct hv_partition *p = v->p;
    uint64_t *s = syndbg_slot(p, msr);

    if (!syndbg_on(p) || !s) {
        hv_msr_note("the synthetic debugger is off (0x40000082.EAX bit 1 clear)");
        return MSR_GP;
    }
    *s = val;
    if (msr == HV_X64_MSR_SYNDBG_CONTROL) {
        /* QEMU without an hv-syndbg device: send/receive invalid, else success (both 0) */
        p->syndbg_status = (val & (HV_SYNDBG_CONTROL_SEND | HV_SYNDBG_CONTROL_RECV))
                           ? HV_SYNDBG_STATUS_INVALID : ST_SUCCESS;
        hv_msr_note(val & HV_SYNDBG_CONTROL_SEND ? "send: no debugger device, status invalid (0)"
                    : val & HV_SYNDBG_CONTROL_RECV ? "receive: no debugger device, status 0"
                    : "no send or receive bit: status 0");
        p->syndbg_controls++;
    } else if (msr == HV_X64_MSR_SYNDBG_PENDING_BUFFER) {
        hv_msr_note("pending page noted; no debugger device will ever mark data pending");
    }
    return MSR_OK;
}

uint64_t hv_hc_debug(struct hv_vcpu *v, struct hv_hcall_ctx *hc)
{
    if (hc->fast && hc->code != 0x6b)
        return ST_INVALID_PARAM;
    if (!syndbg_on(v->p)) {
        snprintf(hc->detail, sizeof hc->detail, "the synthetic debugger is off");
        return ST_INVALID_CODE;
    }
    if (!(v->p->syndbg_options & HV_X64_SYNDBG_OPTION_USE_HCALLS)) {
        snprintf(hc->detail, sizeof hc->detail, "SYNDBG_OPTIONS bit 2 (use hypercalls) is clear");
        return ST_OPERATION_DENIED;
    }
    snprintf(hc->detail, sizeof hc->detail, "no debugger device behind it (QEMU answers 2)");
    return ST_INVALID_CODE;
}

void hv_syndbg_reset(struct hv_partition *p)
{
    if (syndbg_on(p))
        p->syndbg_options = 0;  /* what QEMU's hyperv_syndbg_query_options() gives without a device */
}

void hv_syndbg_dump(struct hv_partition *p, FILE *out)
{
    if (!syndbg_on(p))
        return;
    fprintf(out, "  synthetic debugger (no device): control 0x%llx (%llu writes), status 0x%llx, "
            "send 0x%llx, recv 0x%llx, pending 0x%llx, options 0x%llx\n",
            (unsigned long long)p->syndbg_control, (unsigned long long)p->syndbg_controls,
            (unsigned long long)p->syndbg_status, (unsigned long long)p->syndbg_send_page,
            (unsigned long long)p->syndbg_recv_page, (unsigned long long)p->syndbg_pending_page,
            (unsigned long long)p->syndbg_options);
}
