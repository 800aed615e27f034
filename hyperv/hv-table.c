/*
 * hyperv/hv-table.c: the one table of Hyper-V enlightenments.
 *
 * Each row is one QEMU flag with its CPUID bits (reference/hyperv.md 1.2),
 * dependencies (2.1), the synthetic MSRs it owns with their enforce gates
 * (2.2, 3.2) and the hypercalls it owns (4.6).  Flag parsing, the
 * dependency check, CPUID construction, MSR and hypercall gating and the
 * -d hyperv trace names all read this table.  The last row (HV_BASE) holds
 * what exists whenever Hyper-V is identified, whatever the flags.
 */
#include "hyperv/hv-internal.h"

#include <stddef.h>
#include <string.h>

/* CPUID leaves */
#define FEATURES 0x40000003u  /* privileges and features */
#define HINTS    0x40000004u  /* implementation recommendations */
#define NESTED   0x4000000Au

#define EAX_(leaf, m) { leaf, R_EAX, m }
#define EBX_(leaf, m) { leaf, R_EBX, m }
#define EDX_(leaf, m) { leaf, R_EDX, m }

/* ---- MSR handlers (hv-msr.c, hv-time.c) ---- */
enum msr_result hv_rd_stored(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t *);
enum msr_result hv_wr_stored(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t);
enum msr_result hv_wr_guest_os_id(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t);
enum msr_result hv_wr_hypercall(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t);
enum msr_result hv_rd_vp_index(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t *);
enum msr_result hv_rd_zero(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t *);
enum msr_result hv_wr_reset(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t);
enum msr_result hv_rd_vp_runtime(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t *);
enum msr_result hv_wr_ref_tsc(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t);
enum msr_result hv_rd_frequency(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t *);
enum msr_result hv_wr_vp_assist(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t);
enum msr_result hv_rd_apic(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t *);
enum msr_result hv_wr_apic(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t);
enum msr_result hv_wr_crash_ctl(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t);
enum msr_result hv_wr_tsc_emu_status(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t);
enum msr_result hv_wr_invtsc(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t);
enum msr_result hv_rd_syndbg(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t *);
enum msr_result hv_wr_syndbg(struct hv_vcpu *, const struct hv_msr *, uint32_t, uint64_t);

/* ---- hypercall handlers (hv-hcall.c; flush and IPI: hv-pv.c; debug: hv-syndbg.c) ---- */
uint64_t hv_hc_flush(struct hv_vcpu *, struct hv_hcall_ctx *);
uint64_t hv_hc_spin_wait(struct hv_vcpu *, struct hv_hcall_ctx *);
uint64_t hv_hc_send_ipi(struct hv_vcpu *, struct hv_hcall_ctx *);
uint64_t hv_hc_post_message(struct hv_vcpu *, struct hv_hcall_ctx *);
uint64_t hv_hc_signal_event(struct hv_vcpu *, struct hv_hcall_ctx *);
uint64_t hv_hc_debug(struct hv_vcpu *, struct hv_hcall_ctx *);
uint64_t hv_hc_extended(struct hv_vcpu *, struct hv_hcall_ctx *);

#define RW(rd, wr) rd, wr
#define READ_ONLY "read-only for the guest"
#define STORED RW(hv_rd_stored, hv_wr_stored)
#define PW(field) (offsetof(struct hv_partition, field) + 1)
#define VP(field) (offsetof(struct hv_vcpu, field) + 1)

static const struct hv_msr base_msrs[] = {
    { 0x40000000, 0x40000000, "HV_X64_MSR_GUEST_OS_ID", "guest OS identity",
      EAX_(FEATURES, 0x20), true, RW(hv_rd_stored, hv_wr_guest_os_id), NULL, PW(guest_os_id) },
    { 0x40000001, 0x40000001, "HV_X64_MSR_HYPERCALL", "hypercall page",
      EAX_(FEATURES, 0x20), true, RW(hv_rd_stored, hv_wr_hypercall), NULL, PW(hypercall) },
    { 0x40000118, 0x40000118, "HV_X64_MSR_TSC_INVARIANT_CONTROL", "invariant TSC exposure",
      EAX_(FEATURES, 0x8000), true, RW(hv_rd_stored, hv_wr_invtsc), NULL, PW(invtsc_control) },
    { 0 },
};

static const struct hv_msr vapic_msrs[] = {
    { 0x40000070, 0x40000070, "HV_X64_MSR_EOI", "APIC end of interrupt",
      EAX_(FEATURES, 0x10), false, RW(NULL, hv_wr_apic), "write-only (EOI is not readable)" },
    { 0x40000071, 0x40000071, "HV_X64_MSR_ICR", "APIC interrupt command",
      EAX_(FEATURES, 0x10), false, RW(hv_rd_apic, hv_wr_apic) },
    { 0x40000072, 0x40000072, "HV_X64_MSR_TPR", "APIC task priority",
      EAX_(FEATURES, 0x10), false, RW(hv_rd_apic, hv_wr_apic) },
    { 0x40000073, 0x40000073, "HV_X64_MSR_VP_ASSIST_PAGE", "VP assist page",
      EAX_(FEATURES, 0x10), false, RW(hv_rd_stored, hv_wr_vp_assist), NULL, VP(vp_assist) },
    { 0 },
};

static const struct hv_msr time_msrs[] = {
    { 0x40000020, 0x40000020, "HV_X64_MSR_TIME_REF_COUNT", "reference counter",
      EAX_(FEATURES, 0x2), true, RW(hv_time_rd, NULL), READ_ONLY },
    { 0x40000021, 0x40000021, "HV_X64_MSR_REFERENCE_TSC", "reference TSC page",
      EAX_(FEATURES, 0x200), true, RW(hv_rd_stored, hv_wr_ref_tsc), NULL, PW(tsc_ref_msr) },
    { 0 },
};

static const struct hv_msr crash_msrs[] = {
    { 0x40000100, 0x40000104, "HV_X64_MSR_CRASH_P", "crash parameter",
      EDX_(FEATURES, 0x400), true, STORED, NULL, PW(crash_p) },
    { 0x40000105, 0x40000105, "HV_X64_MSR_CRASH_CTL", "crash control",
      EDX_(FEATURES, 0x400), true, RW(hv_rd_stored, hv_wr_crash_ctl), NULL, PW(crash_ctl) },
    { 0 },
};

static const struct hv_msr reset_msrs[] = {
    { 0x40000003, 0x40000003, "HV_X64_MSR_RESET", "system reset",
      EAX_(FEATURES, 0x80), true, RW(hv_rd_zero, hv_wr_reset) },
    { 0 },
};

static const struct hv_msr vpindex_msrs[] = {
    { 0x40000002, 0x40000002, "HV_X64_MSR_VP_INDEX", "virtual processor index",
      EAX_(FEATURES, 0x40), false, RW(hv_rd_vp_index, NULL), READ_ONLY },
    { 0 },
};

static const struct hv_msr runtime_msrs[] = {
    { 0x40000010, 0x40000010, "HV_X64_MSR_VP_RUNTIME", "virtual processor run time",
      EAX_(FEATURES, 0x1), false, RW(hv_rd_vp_runtime, NULL), READ_ONLY },
    { 0 },
};

static const struct hv_msr synic_msrs[] = {
    { 0x40000080, 0x40000080, "HV_X64_MSR_SCONTROL", "SynIC control",
      EAX_(FEATURES, 0x4), false, RW(hv_synic_rd, hv_synic_wr) },
    { 0x40000081, 0x40000081, "HV_X64_MSR_SVERSION", "SynIC version",
      EAX_(FEATURES, 0x4), false, RW(hv_synic_rd, hv_synic_wr) },
    { 0x40000082, 0x40000082, "HV_X64_MSR_SIEFP", "SynIC event flags page",
      EAX_(FEATURES, 0x4), false, RW(hv_synic_rd, hv_synic_wr) },
    { 0x40000083, 0x40000083, "HV_X64_MSR_SIMP", "SynIC message page",
      EAX_(FEATURES, 0x4), false, RW(hv_synic_rd, hv_synic_wr) },
    { 0x40000084, 0x40000084, "HV_X64_MSR_EOM", "SynIC end of message",
      EAX_(FEATURES, 0x4), false, RW(hv_synic_rd, hv_synic_wr) },
    { 0x40000090, 0x4000009f, "HV_X64_MSR_SINT", "SynIC interrupt source",
      EAX_(FEATURES, 0x4), false, RW(hv_synic_rd, hv_synic_wr) },
    { 0 },
};

static const struct hv_msr stimer_msrs[] = {
    { 0x400000b0, 0x400000b7, "HV_X64_MSR_STIMER", "synthetic timer config/count",
      EAX_(FEATURES, 0x8), false, RW(hv_stimer_rd, hv_stimer_wr) },
    { 0 },
};

static const struct hv_msr frequency_msrs[] = {
    { 0x40000022, 0x40000022, "HV_X64_MSR_TSC_FREQUENCY", "TSC frequency",
      EAX_(FEATURES, 0x800), false, RW(hv_rd_frequency, NULL), READ_ONLY },
    { 0x40000023, 0x40000023, "HV_X64_MSR_APIC_FREQUENCY", "APIC timer frequency",
      EAX_(FEATURES, 0x800), false, RW(hv_rd_frequency, NULL), READ_ONLY },
    { 0 },
};

static const struct hv_msr reenlightenment_msrs[] = {
    { 0x40000106, 0x40000106, "HV_X64_MSR_REENLIGHTENMENT_CONTROL", "re-enlightenment control",
      EAX_(FEATURES, 0x2000), true, STORED, NULL, PW(reenlightenment) },
    { 0x40000107, 0x40000107, "HV_X64_MSR_TSC_EMULATION_CONTROL", "TSC emulation control",
      EAX_(FEATURES, 0x2000), true, STORED, NULL, PW(tsc_emu_control) },
    { 0x40000108, 0x40000108, "HV_X64_MSR_TSC_EMULATION_STATUS", "TSC emulation status",
      EAX_(FEATURES, 0x2000), true, RW(hv_rd_stored, hv_wr_tsc_emu_status), NULL, PW(tsc_emu_status) },
    { 0 },
};

static const struct hv_msr syndbg_msrs[] = {
    { 0x400000f1, 0x400000f5, "HV_X64_MSR_SYNDBG_", "synthetic debugger",
      EDX_(FEATURES, 0x800), true, RW(hv_rd_syndbg, hv_wr_syndbg) },
    { 0x400000ff, 0x400000ff, "HV_X64_MSR_SYNDBG_OPTIONS", "synthetic debugger options",
      EDX_(FEATURES, 0x800), true, RW(hv_rd_syndbg, hv_wr_syndbg) },
    { 0 },
};

static const struct hv_msr no_msrs[] = { { 0 } };

#define GATE(kind, g1, g2) kind, g1, g2

static const struct hv_hcall base_hcalls[] = {
    { 0x0008, 0x0008, "HvNotifyLongSpinWait", GATE(GATE_SPINLOCK, {0}, {0}), hv_hc_spin_wait },
    { 0x8001, 0x8041, "HvExtCall", GATE(GATE_BITS, EBX_(FEATURES, 1u << 20), {0}),
      hv_hc_extended },
    { 0 },
};

static const struct hv_hcall tlbflush_hcalls[] = {
    { 0x0002, 0x0002, "HvFlushVirtualAddressSpace", GATE(GATE_BITS, EAX_(HINTS, 0x4), {0}),
      hv_hc_flush, true },
    { 0x0003, 0x0003, "HvFlushVirtualAddressList", GATE(GATE_BITS, EAX_(HINTS, 0x4), {0}),
      hv_hc_flush, true },
    { 0x0013, 0x0013, "HvFlushVirtualAddressSpaceEx",
      GATE(GATE_BITS, EAX_(HINTS, 0x4), EAX_(HINTS, 0x800)), hv_hc_flush, true },
    { 0x0014, 0x0014, "HvFlushVirtualAddressListEx",
      GATE(GATE_BITS, EAX_(HINTS, 0x4), EAX_(HINTS, 0x800)), hv_hc_flush, true },
    { 0 },
};

static const struct hv_hcall ipi_hcalls[] = {
    { 0x000b, 0x000b, "HvSendSyntheticClusterIpi", GATE(GATE_BITS, EAX_(HINTS, 0x400), {0}),
      hv_hc_send_ipi },
    { 0x0015, 0x0015, "HvSendSyntheticClusterIpiEx",
      GATE(GATE_BITS, EAX_(HINTS, 0x400), EAX_(HINTS, 0x800)), hv_hc_send_ipi, true },
    { 0 },
};

static const struct hv_hcall synic_hcalls[] = {
    { 0x005c, 0x005c, "HvPostMessage", GATE(GATE_BITS, EBX_(FEATURES, 0x10), {0}),
      hv_hc_post_message },
    { 0x005d, 0x005d, "HvSignalEvent", GATE(GATE_BITS, EBX_(FEATURES, 0x20), {0}),
      hv_hc_signal_event },
    { 0 },
};

static const struct hv_hcall syndbg_hcalls[] = {
    { 0x0069, 0x0069, "HvPostDebugData", GATE(GATE_SYNDBG, EBX_(FEATURES, 0x800), {0}),
      hv_hc_debug },
    { 0x006a, 0x006a, "HvRetrieveDebugData", GATE(GATE_SYNDBG, EBX_(FEATURES, 0x800), {0}),
      hv_hc_debug },
    { 0x006b, 0x006b, "HvResetDebugSession", GATE(GATE_SYNDBG, EBX_(FEATURES, 0x800), {0}),
      hv_hc_debug },
    { 0 },
};

static const struct hv_hcall no_hcalls[] = { { 0 } };

#define NEEDS_VMX  "it needs nested VMX, which satori does not emulate"

const struct hv_feature hv_table[HV_NFEAT + 1] = {
    [HV_RELAXED] = { "hv-relaxed", "relaxed timing (hv-relaxed)",
        { EAX_(HINTS, 0x20) }, 0, NULL, false, no_msrs, no_hcalls },
    [HV_VAPIC] = { "hv-vapic", "virtual APIC (hv-vapic)",
        { EAX_(FEATURES, 0x10) }, 0, NULL, false, vapic_msrs, no_hcalls },
    [HV_TIME] = { "hv-time", "clocksources (hv-time)",
        { EAX_(FEATURES, 0x202) }, 0, NULL, false, time_msrs, no_hcalls },
    [HV_CRASH] = { "hv-crash", "crash MSRs (hv-crash)",
        { EDX_(FEATURES, 0x400) }, 0, NULL, false, crash_msrs, no_hcalls },
    [HV_RESET] = { "hv-reset", "reset MSR (hv-reset)",
        { EAX_(FEATURES, 0x80) }, 0, NULL, false, reset_msrs, no_hcalls },
    [HV_VPINDEX] = { "hv-vpindex", "VP_INDEX MSR (hv-vpindex)",
        { EAX_(FEATURES, 0x40) }, 0, NULL, false, vpindex_msrs, no_hcalls },
    [HV_RUNTIME] = { "hv-runtime", "VP_RUNTIME MSR (hv-runtime)",
        { EAX_(FEATURES, 0x1) }, 0, NULL, false, runtime_msrs, no_hcalls },
    [HV_SYNIC] = { "hv-synic", "synthetic interrupt controller (hv-synic)",
        { EAX_(FEATURES, 0x4) }, HV_BIT(HV_VPINDEX), NULL, false, synic_msrs,
        synic_hcalls },
    [HV_STIMER] = { "hv-stimer", "synthetic timers (hv-stimer)",
        { EAX_(FEATURES, 0x8) }, HV_BIT(HV_SYNIC) | HV_BIT(HV_TIME), NULL, false,
        stimer_msrs, no_hcalls },
    [HV_FREQUENCIES] = { "hv-frequencies", "frequency MSRs (hv-frequencies)",
        { EAX_(FEATURES, 0x800), EDX_(FEATURES, 0x100) }, 0, NULL, false, frequency_msrs,
        no_hcalls },
    [HV_REENLIGHTENMENT] = { "hv-reenlightenment", "reenlightenment MSRs (hv-reenlightenment)",
        { EAX_(FEATURES, 0x2000) }, 0, NULL, false, reenlightenment_msrs, no_hcalls },
    [HV_TLBFLUSH] = { "hv-tlbflush", "paravirtualized TLB flush (hv-tlbflush)",
        { EAX_(HINTS, 0x804) }, HV_BIT(HV_VPINDEX), NULL, false, no_msrs, tlbflush_hcalls },
    [HV_EVMCS] = { "hv-evmcs", "enlightened VMCS (hv-evmcs)",
        { EAX_(HINTS, 0x4000), EAX_(NESTED, 0x0101) }, HV_BIT(HV_VAPIC), NEEDS_VMX, false,
        no_msrs, no_hcalls },
    [HV_IPI] = { "hv-ipi", "paravirtualized IPI (hv-ipi)",
        { EAX_(HINTS, 0xc00) }, HV_BIT(HV_VPINDEX), NULL, false, no_msrs, ipi_hcalls },
    [HV_STIMER_DIRECT] = { "hv-stimer-direct", "direct mode synthetic timers (hv-stimer-direct)",
        { EDX_(FEATURES, 0x80000) }, HV_BIT(HV_STIMER), NULL, false, no_msrs, no_hcalls },
    [HV_AVIC] = { "hv-avic", "AVIC/APICv support (hv-avic/hv-apicv)",
        { EAX_(HINTS, 0x200) }, 0, NULL, false, no_msrs, no_hcalls },
    [HV_SYNDBG] = { "hv-syndbg", "Enable synthetic kernel debugger channel (hv-syndbg)",
        { EDX_(FEATURES, 0x800) }, HV_BIT(HV_SYNIC) | HV_BIT(HV_RELAXED), NULL, true,
        syndbg_msrs, syndbg_hcalls },
    [HV_EMSR_BITMAP] = { "hv-emsr-bitmap", "enlightened MSR-Bitmap (hv-emsr-bitmap)",
        { EAX_(NESTED, 0x80000) }, 0, NEEDS_VMX, false, no_msrs, no_hcalls },
    [HV_XMM_INPUT] = { "hv-xmm-input", "XMM fast hypercall input (hv-xmm-input)",
        { EDX_(FEATURES, 0x10) }, 0, NULL, false, no_msrs, no_hcalls },
    [HV_TLBFLUSH_EXT] = { "hv-tlbflush-ext",
        "Extended gva ranges for TLB flush hypercalls (hv-tlbflush-ext)",
        { EDX_(FEATURES, 0x4000) }, HV_BIT(HV_TLBFLUSH), NULL, false, no_msrs, no_hcalls },
    [HV_TLBFLUSH_DIRECT] = { "hv-tlbflush-direct", "direct TLB flush (hv-tlbflush-direct)",
        { EAX_(NESTED, 0x20000) }, HV_BIT(HV_VAPIC), NEEDS_VMX, false, no_msrs, no_hcalls },
    [HV_BASE] = { NULL, "hypercall interface",
        { EAX_(FEATURES, 0x20) }, 0, NULL, true, base_msrs, base_hcalls },
};

const struct hv_msr *hv_find_msr(uint32_t msr, enum hv_feat *owner)
{
    for (int f = 0; f <= HV_NFEAT; f++) {
        for (const struct hv_msr *m = hv_table[f].msrs; m->name; m++) {
            if (msr >= m->first && msr <= m->last) {
                if (owner)
                    *owner = (enum hv_feat)f;
                return m;
            }
        }
    }
    return NULL;
}

const struct hv_hcall *hv_find_hcall(uint16_t code)
{
    for (int f = 0; f <= HV_NFEAT; f++)
        for (const struct hv_hcall *h = hv_table[f].hcalls; h->name; h++)
            if (code >= h->first && code <= h->last)
                return h;
    return NULL;
}

void hv_msr_name(const struct hv_msr *m, uint32_t msr, char *buf, size_t len)
{
    static const char *const syndbg[] = {
        "CONTROL", "STATUS", "SEND_BUFFER", "RECV_BUFFER", "PENDING_BUFFER",
    };

    if (m->first == m->last)
        snprintf(buf, len, "%s", m->name);
    else if (m->first == 0x400000b0)
        snprintf(buf, len, "%s%u_%s", m->name, (msr - m->first) / 2,
                 (msr - m->first) % 2 ? "COUNT" : "CONFIG");
    else if (m->first == 0x400000f1)
        snprintf(buf, len, "%s%s", m->name, syndbg[msr - m->first]);
    else
        snprintf(buf, len, "%s%u", m->name, msr - m->first);
}
