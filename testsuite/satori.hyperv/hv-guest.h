/*
 * testsuite/satori.hyperv/hv-guest.h: what the Hyper-V test guests share:
 * MSR numbers, #GP-safe RDMSR/WRMSR, and the hypercall helpers (VMCALL
 * directly or through the hypercall page).  Header-only: each guest is one
 * .c file plus the firmware runtime.
 */
#ifndef SATORI_HV_GUEST_H
#define SATORI_HV_GUEST_H

#include "runtime.h"

/* Synthetic MSRs (TLFS; reference/hyperv.md section 3.2) */
#define HV_MSR_GUEST_OS_ID        0x40000000u
#define HV_MSR_HYPERCALL          0x40000001u
#define HV_MSR_VP_INDEX           0x40000002u
#define HV_MSR_RESET              0x40000003u
#define HV_MSR_VP_RUNTIME         0x40000010u
#define HV_MSR_TIME_REF_COUNT     0x40000020u
#define HV_MSR_REFERENCE_TSC      0x40000021u
#define HV_MSR_TSC_FREQUENCY      0x40000022u
#define HV_MSR_APIC_FREQUENCY     0x40000023u
#define HV_MSR_EOI                0x40000070u
#define HV_MSR_ICR                0x40000071u
#define HV_MSR_TPR                0x40000072u
#define HV_MSR_VP_ASSIST_PAGE     0x40000073u
#define HV_MSR_SCONTROL           0x40000080u
#define HV_MSR_SVERSION           0x40000081u
#define HV_MSR_SIEFP              0x40000082u
#define HV_MSR_SIMP               0x40000083u
#define HV_MSR_EOM                0x40000084u
#define HV_MSR_SINT0              0x40000090u
#define HV_MSR_STIMER0_CONFIG     0x400000b0u
#define HV_MSR_STIMER0_COUNT      0x400000b1u
#define HV_MSR_SYNDBG_CONTROL     0x400000f1u
#define HV_MSR_SYNDBG_OPTIONS     0x400000ffu
#define HV_MSR_CRASH_P0           0x40000100u
#define HV_MSR_CRASH_CTL          0x40000105u
#define HV_MSR_REENLIGHTENMENT_CONTROL 0x40000106u
#define HV_MSR_TSC_EMULATION_CONTROL   0x40000107u
#define HV_MSR_TSC_EMULATION_STATUS    0x40000108u
#define HV_MSR_TSC_INVARIANT_CONTROL   0x40000118u

/* Hypercall status codes (section 4.8) */
#define HV_STATUS_SUCCESS                 0x0
#define HV_STATUS_INVALID_HYPERCALL_CODE  0x2
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x3
#define HV_STATUS_INVALID_ALIGNMENT       0x4
#define HV_STATUS_INVALID_PARAMETER       0x5
#define HV_STATUS_ACCESS_DENIED           0x6

/* Control word (section 4.3) */
#define HV_HCALL_FAST          (1ull << 16)
#define HV_HCALL_VARHEAD(n)    ((uint64_t)(n) << 17)
#define HV_HCALL_REP_COUNT(n)  ((uint64_t)(n) << 32)
#define HV_HCALL_REP_START(n)  ((uint64_t)(n) << 48)

/*
 * #GP/#UD catching: the probe handlers record the vector and skip the
 * faulting instruction, whose length the caller states in hv_fault_skip.
 */
static volatile int hv_fault_vector = -1;
static volatile int hv_fault_skip;

static void hv_fault_handler(struct frame *f)
{
    hv_fault_vector = (int)f->vector;
    f->rip += (uint64_t)hv_fault_skip;
}

static inline void hv_catch_faults(void)
{
    handle_exception(6, hv_fault_handler);   /* #UD */
    handle_exception(13, hv_fault_handler);  /* #GP */
}

/* Does the multiboot command line contain w? */
static inline bool hv_cmdline_has(const char *w)
{
    size_t n = strlen(w);

    for (const char *s = multiboot_cmdline(); *s; s++)
        if (!memcmp(s, w, n))
            return true;
    return false;
}

/* RDMSR that reports #GP instead of dying: true if it succeeded. */
static inline bool rdmsr_safe(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;

    hv_fault_vector = -1;
    hv_fault_skip = 2;
    __asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
    *val = lo | (uint64_t)hi << 32;
    return hv_fault_vector < 0;
}

static inline bool wrmsr_safe(uint32_t msr, uint64_t v)
{
    hv_fault_vector = -1;
    hv_fault_skip = 2;
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
                     : "memory");
    return hv_fault_vector < 0;
}

/*
 * 64-bit hypercall with VMCALL (3 bytes): control in RCX, input GPA (or
 * fast parameter 1) in RDX, output GPA (or fast parameter 2) in R8; the
 * result is RAX.  *ud is set when the instruction raised #UD.
 */
static inline uint64_t hv_vmcall(uint64_t control, uint64_t in, uint64_t out, bool *ud)
{
    uint64_t rax = 0xdeadbeefdeadbeefull;
    register uint64_t r8 __asm__("r8") = out;

    hv_fault_vector = -1;
    hv_fault_skip = 3;
    __asm__ volatile("vmcall" : "+a"(rax), "+r"(r8) : "c"(control), "d"(in) : "memory");
    if (ud)
        *ud = hv_fault_vector == 6;
    return rax;
}

/* The same through the hypercall page (a CALL to its first byte). */
static inline uint64_t hv_page_call(void *page, uint64_t control, uint64_t in, uint64_t out)
{
    uint64_t rax;
    register uint64_t r8 __asm__("r8") = out;

    __asm__ volatile("call *%[pg]" : "=a"(rax), "+r"(r8)
                     : [pg] "r"(page), "c"(control), "d"(in)
                     : "memory", "r9", "r10", "r11");
    return rax;
}

/* The reference TSC page (reference/hyperv.md 7.2). */
struct hv_tsc_page {
    volatile uint32_t tsc_sequence;
    uint32_t reserved;
    volatile uint64_t tsc_scale;
    volatile int64_t tsc_offset;
};

/*
 * Reference time from the page with the TLFS read protocol (7.3): retry
 * while the sequence changes; false when the sequence is 0 (page invalid,
 * use TIME_REF_COUNT).
 */
static inline bool tsc_page_read(const struct hv_tsc_page *p, uint64_t *t)
{
    uint32_t seq;
    uint64_t tsc, scale;
    int64_t offset;

    do {
        seq = p->tsc_sequence;
        if (seq == 0)
            return false;
        __asm__ volatile("" ::: "memory");
        tsc = rdtsc();
        scale = p->tsc_scale;
        offset = p->tsc_offset;
        __asm__ volatile("" ::: "memory");
    } while (p->tsc_sequence != seq);
    *t = (uint64_t)(((unsigned __int128)tsc * scale) >> 64) + (uint64_t)offset;
    return true;
}

#endif
