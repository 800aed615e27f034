/*
 * hyperv/ internals: the enlightenment table and the partition/vCPU state
 * shared by the files of this folder (never included outside hyperv/).
 *
 * hv-table.c      the one table: flags, CPUID bits, MSRs, hypercalls, deps
 * hv-config.c     -cpu hv-* properties, dependency check, passthrough
 * hv-cpuid.c      the hypervisor CPUID range (Hyper-V and KVM leaves)
 * hv-msr.c        synthetic MSRs, crash, reset, APIC MSRs, VP assist page
 * hv-time.c       reference counter and reference TSC page
 * hv-hcall.c      the hypercall ABI and every call code
 * hv-pv.c         PV TLB flush and IPI (sparse VP sets), PV EOI
 * hv-syndbg.c     the synthetic debugger MSRs and hypercalls
 * hv-partition.c  lifetime, reset, hooks, dump
 */
#ifndef SATORI_HV_INTERNAL_H
#define SATORI_HV_INTERNAL_H

#include "hw/hw.h"
#include "hyperv/hyperv.h"
#include "util/log.h"

/* Enlightenments in QEMU's table order (the dependency check walks it). */
enum hv_feat {
    HV_RELAXED, HV_VAPIC, HV_TIME, HV_CRASH, HV_RESET, HV_VPINDEX, HV_RUNTIME,
    HV_SYNIC, HV_STIMER, HV_FREQUENCIES, HV_REENLIGHTENMENT, HV_TLBFLUSH, HV_EVMCS,
    HV_IPI, HV_STIMER_DIRECT, HV_AVIC, HV_SYNDBG, HV_EMSR_BITMAP, HV_XMM_INPUT,
    HV_TLBFLUSH_EXT, HV_TLBFLUSH_DIRECT,
    HV_NFEAT,
    HV_BASE = HV_NFEAT, /* pseudo-row: what exists whenever Hyper-V is identified */
};

#define HV_BIT(f) (1u << (f))

/* CPUID registers */
enum { R_EAX, R_EBX, R_ECX, R_EDX };

/* One CPUID bit set (leaf, register, mask). */
struct hv_bits {
    uint32_t leaf;
    uint8_t reg;
    uint32_t mask;
};

struct hv_vcpu;
struct hv_msr;

typedef enum msr_result (*hv_msr_rd)(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                                     uint64_t *val);
typedef enum msr_result (*hv_msr_wr)(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                                     uint64_t val);

/* A synthetic MSR (or a run of numbered ones, e.g. CRASH_P0..P4). */
struct hv_msr {
    uint32_t first, last;
    const char *name;       /* HV_X64_MSR_..., an index is appended for runs */
    const char *what;       /* plain words for -d hyperv */
    struct hv_bits gate;    /* what hv-enforce-cpuid requires (reference 2.2) */
    bool partition_wide;
    hv_msr_rd rd;           /* NULL: reads #GP */
    hv_msr_wr wr;           /* NULL: guest writes #GP */
    const char *gp_why;     /* why a NULL handler #GPs, for the trace */
    size_t store;           /* 1 + offset of the stored value(s) in struct
                               hv_partition (partition_wide) or hv_vcpu; 0: none */
};

struct hv_hcall_ctx;
typedef uint64_t (*hv_hcall_fn)(struct hv_vcpu *v, struct hv_hcall_ctx *hc);

/* Enforce gating of a hypercall: all bits of gate (and of gate2). */
enum hv_gate_kind { GATE_NONE, GATE_BITS, GATE_SPINLOCK, GATE_SYNDBG };

struct hv_hcall {
    uint16_t first, last;
    const char *name;
    enum hv_gate_kind gate_kind;
    struct hv_bits gate, gate2;
    hv_hcall_fn fn;
    bool xmm_input;           /* fast form takes extra input from XMM0-5 */
};

/* One row of the table. */
struct hv_feature {
    const char *flag;         /* "hv-relaxed"; NULL for HV_BASE */
    const char *desc;         /* QEMU's description, used in errors */
    struct hv_bits bits[3];   /* CPUID bits the flag sets (mask 0 ends) */
    uint32_t deps;            /* HV_BIT()s of required enlightenments */
    const char *missing;      /* why satori cannot offer it yet, or NULL */
    bool skip_passthrough;
    const struct hv_msr *msrs;   /* terminated by name == NULL */
    const struct hv_hcall *hcalls; /* terminated by name == NULL */
};

extern const struct hv_feature hv_table[HV_NFEAT + 1];

/* Lookups over the table. */
const struct hv_msr *hv_find_msr(uint32_t msr, enum hv_feat *owner);
const struct hv_hcall *hv_find_hcall(uint16_t code);
/* Name for a trace: "HV_X64_MSR_CRASH_P2". */
void hv_msr_name(const struct hv_msr *m, uint32_t msr, char *buf, size_t len);

/* Reference TSC page status (KVM's states, reference 7.4). */
enum hv_tsc_page { TSC_PAGE_UNSET, TSC_PAGE_SET, TSC_PAGE_BROKEN };

enum hv_nonarch { NONARCH_OFF, NONARCH_ON, NONARCH_AUTO };

struct hv_config {
    uint32_t on, off;         /* explicitly requested on / off (HV_BIT) */
    uint32_t feats;           /* result after hv_config_finish() */
    uint32_t spinlocks;       /* 0x40000004.EBX */
    uint32_t vendor[3];
    uint32_t ver_build, ver_major, ver_minor, ver_spack, ver_sbranch, ver_snumber;
    uint32_t max_vps;
    enum hv_nonarch nonarch;
    bool passthrough, enforce, kvm;
    /* -device hv-syndbg (hv-syndbg.c): the debugger's UDP endpoint; fd -1
     * without the device.  host_ip and host_port in network byte order. */
    struct { int fd; uint32_t host_ip; uint16_t host_port; bool use_hcalls; } syndbg_dev;
};

#define HV_CPUID_MAX 24

struct hv_partition {
    struct hv_config cfg;
    struct bus *bus;
    int ncpus;
    struct hv_vcpu **vcpus;

    /* the hypervisor CPUID range as built at start-up */
    struct { uint32_t leaf, r[4]; } cpuid[HV_CPUID_MAX];
    int ncpuid;
    uint32_t hv_max;          /* 0x40000000.EAX, 0 without Hyper-V */
    uint32_t kvm_base;        /* KVM signature leaf, 0 without KVM leaves */
    uint32_t features_eax, features_ebx, features_edx, hints_eax, hints_ebx;

    /* partition-wide MSRs */
    uint64_t guest_os_id, hypercall, tsc_ref_msr;
    uint64_t crash_p[5], crash_ctl;
    uint64_t reenlightenment, tsc_emu_control, tsc_emu_status, invtsc_control;
    /* hv-syndbg.c: SYNDBG_* (partition-wide) */
    uint64_t syndbg_control, syndbg_status, syndbg_send_page, syndbg_recv_page;
    uint64_t syndbg_pending_page, syndbg_options, syndbg_controls;
    bool syndbg_pending;          /* a datagram waits on the device's socket */
    uint32_t syndbg_target_ip;    /* source of the last raw frame the guest posted */
    uint64_t syndbg_sent, syndbg_received;
    struct timer *syndbg_poll;    /* polls the socket on the virtual clock */

    /* reference time: ref = ((tsc * scale) >> 64) + offset, tsc of vCPU 0 */
    uint64_t tsc_scale;
    int64_t tsc_offset;
    int64_t tsc_delta_seen;   /* vCPU 0's guest TSC minus vclock TSC when last fitted */
    enum hv_tsc_page tsc_page;
    uint32_t tsc_seq;

    /* hv-synic.c: HvPostMessage / HvSignalEvent connections */
    struct hv_conn *conns;
    struct hv_sint_route *routes;
};

/* ---- SynIC and synthetic timers (hv-synic.c, hv-stimer.c) ---- */
#define HV_SINT_COUNT   16
#define HV_STIMER_COUNT 4

/* QEMU's private page shown over the guest page SIMP/SIEFP names
 * (reference 5.7): modelled by swapping contents with guest RAM. */
struct hv_overlay {
    uint64_t gpa;             /* 0: not shown (QEMU's "address 0") */
    bool ram;                 /* gpa is RAM (else nothing is shown) */
    uint8_t priv[4096];       /* the private page while not shown */
    uint8_t hidden[4096];     /* the guest RAM it hides while shown */
};

struct hv_synic {
    uint64_t control, evt_page, msg_page, sint[HV_SINT_COUNT];
    uint32_t vec_bitmap[8];       /* vectors of unmasked SINTs */
    uint32_t auto_eoi_bitmap[8];  /* ... of those with auto-EOI */
    struct hv_overlay msg_ov, evt_ov;
    uint64_t messages, events, acks;   /* counters for hv_dump */
};

struct hv_stimer {
    struct hv_vcpu *v;
    int index;
    uint64_t config, count;
    uint64_t exp_time;        /* reference time of the next expiry, 0: none */
    bool msg_pending;         /* expired, not yet delivered */
    struct timer *timer;      /* virtual-clock timer at exp_time */
    uint64_t expirations, retries;
};

struct hv_vcpu {
    struct hv_partition *p;
    struct cpu *cpu;
    int index;
    uint32_t vp_index;
    int64_t runtime_offset;   /* 100 ns units, set by reset (QEMU writes 0) */
    uint64_t vp_assist;
    const struct hv_apic_ops *apic_ops;  /* NULL: no local APIC */
    void *apic;
    struct hv_synic synic;    /* hv-synic.c */
    struct hv_stimer stimer[HV_STIMER_COUNT];  /* hv-stimer.c */
    uint64_t spin_yields;     /* HvNotifyLongSpinWait calls */
    uint64_t hypercalls;
    /* ---- hv-pv.c ---- */
    bool pv_eoi_pending;      /* satori set apic_assist bit 0 for the in-service vector */
    bool pv_eoi_busy;         /* inside the PV EOI sync (its own EOI updates the APIC) */
    uint64_t pv_eoi_gpa;      /* where it was set */
    uint64_t tlb_flushes;     /* flushes other vCPUs' (or its own) hypercalls asked for */
    uint64_t pv_ipis, pv_eois;
};

/* -d hyperv trace, prefixed with "hyperv: vpN " */
void hv_trace(const struct hv_vcpu *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* hv-cpuid.c */
void hv_cpuid_build(struct hv_partition *p);
bool hv_cpuid_hook(void *opaque, uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* Is this CPUID bit set in what the guest sees? */
bool hv_cpuid_has(const struct hv_partition *p, struct hv_bits b);
/* Features a KVM_GET_SUPPORTED_HV_CPUID of this satori reports (passthrough). */
uint32_t hv_supported_features(void);

/* hv-msr.c */
enum msr_result hv_rdmsr_hook(void *opaque, uint32_t msr, uint64_t *val);
enum msr_result hv_wrmsr_hook(void *opaque, uint32_t msr, uint64_t val);

/* hv-time.c */
void hv_time_init(struct hv_partition *p);
uint64_t hv_time_ref(struct hv_partition *p);
/* Guest wrote REFERENCE_TSC (enable bit set: publish now). */
void hv_time_msr_written(struct hv_partition *p);
void hv_time_tsc_changed(void *opaque);
enum msr_result hv_time_rd(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr, uint64_t *val);

/* ---- hv-synic.c / hv-stimer.c (SynIC, timers, PostMessage/SignalEvent) ---- */
/* Is the SynIC active (KVM_CAP_HYPERV_SYNIC2: hv-synic on)? */
bool hv_synic_active(const struct hv_partition *p);
void hv_synic_init(struct hv_vcpu *v);
void hv_synic_reset(struct hv_vcpu *v);
void hv_synic_free(struct hv_vcpu *v);
/* Connections and routes left when the partition goes. */
void hv_synic_partition_free(struct hv_partition *p);
void hv_synic_dump(struct hv_vcpu *v, FILE *out);
/* The APIC became known: hand it the SynIC's vector bitmaps. */
void hv_synic_apic_attached(struct hv_vcpu *v);
enum msr_result hv_synic_rd(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                            uint64_t *val);
enum msr_result hv_synic_wr(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                            uint64_t val);
/* Raise SINT sint: 0, -ENOENT masked, -EFAULT the APIC refused. */
int hv_synic_set_irq(struct hv_vcpu *v, unsigned sint);
/*
 * Write a message (header + payload, len bytes) into SINT sint's slot and
 * raise the SINT (synic_deliver_msg): 0 delivered; slot busy: 0 if
 * no_retry, else the pending flag is set and -EAGAIN; -ENOENT no message
 * page or SINT masked; -EFAULT the page is not RAM or the APIC refused.
 */
int hv_synic_deliver_msg(struct hv_vcpu *v, unsigned sint, const void *msg, size_t len,
                         bool no_retry);
void hv_stimer_init(struct hv_vcpu *v);
void hv_stimer_reset(struct hv_vcpu *v);
void hv_stimer_free(struct hv_vcpu *v);
void hv_stimer_dump(struct hv_vcpu *v, FILE *out);
/* The guest acknowledged SINT sint (EOM or EOI): retry pending messages. */
void hv_stimer_sint_acked(struct hv_vcpu *v, unsigned sint);
enum msr_result hv_stimer_rd(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                             uint64_t *val);
enum msr_result hv_stimer_wr(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                             uint64_t val);
/* The note an MSR handler leaves for its -d hyperv line (hv-msr.c). */
void hv_msr_note(const char *why);
struct hv_vcpu *hv_vcpu_by_vp_index(struct hv_partition *p, uint32_t vp_index);
/* HvPostMessage / HvSignalEvent after the control word (KVM then QEMU,
 * reference 4.7): the HV_STATUS_*; detail gets words for the trace. */
uint16_t hv_synic_post_message(struct hv_vcpu *v, bool fast, bool rep_or_varhead,
                               uint64_t ingpa, char *detail, size_t len);
uint16_t hv_synic_signal_event(struct hv_vcpu *v, bool fast, bool rep_or_varhead,
                               uint64_t ingpa, char *detail, size_t len);

/* hv-hcall.c */
enum hcall_result hv_hypercall_hook(void *opaque, struct cpu *cpu);

/* ---- the decoded hypercall (hv-hcall.c fills it for the call handlers) ---- */
#define ST_SUCCESS          0x0
#define ST_INVALID_CODE     0x2
#define ST_INVALID_INPUT    0x3
#define ST_INVALID_ALIGN    0x4
#define ST_INVALID_PARAM    0x5
#define ST_ACCESS_DENIED    0x6
#define ST_OPERATION_DENIED 0x8
#define ST_INVALID_PORT_ID  0x11
#define ST_INSUFFICIENT_MEMORY 0xb
#define ST_INVALID_CONNECTION_ID 0x12
#define ST_INSUFFICIENT_BUFFERS 0x13

#define XMM_HALVES 12

struct hv_hcall_ctx {
    uint64_t control, ingpa, outgpa;
    uint16_t code;
    bool fast, rep;
    unsigned var_cnt, rep_cnt, rep_idx;
    uint64_t xmm[XMM_HALVES];
    unsigned xmm_used;        /* halves consumed by parameters */
    size_t data_offset;       /* slow input: where variable data starts */
    char detail[256];         /* for the trace */
};

/* cnt qwords of variable input: fast from the XMM halves not yet used,
 * slow from the input page at data_offset.  0, or -1 (invalid input). */
int hv_hc_get_data(struct hv_vcpu *v, struct hv_hcall_ctx *hc, unsigned cnt, uint64_t *out);

/* hv-pv.c: PV EOI bookkeeping after every change of the vCPU's APIC state,
 * and when the VP assist page is enabled or disabled. */
void hv_pv_eoi_sync(void *opaque);
/* hv-syndbg.c: machine reset (SYNDBG_OPTIONS as QEMU writes it). */
void hv_syndbg_reset(struct hv_partition *p);
void hv_syndbg_init(struct hv_partition *p);
void hv_syndbg_free(struct hv_partition *p);
void hv_syndbg_dump(struct hv_partition *p, FILE *out);

#endif
