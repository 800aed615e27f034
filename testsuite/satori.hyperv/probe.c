/*
 * testsuite/satori.hyperv/probe.c: print everything a guest can observe of
 * the Hyper-V interface, one fact per line, so that probe.exp can compare
 * the output with the expected tables in tables/<set>.tbl (one per set of
 * -cpu hv-* flags).  Sections of reference/hyperv.md: 1 (CPUID), 3 (MSRs),
 * 4 (hypercalls), 4.9 (VMCALL before GUEST_OS_ID is set), 10.
 *
 * The guest checks nothing itself: it only prints, in this order,
 *
 *   cpuid 00000001 ecx31=N
 *   cpuid LLLLLLLL eax=XXXXXXXX ebx=XXXXXXXX ecx=XXXXXXXX edx=XXXXXXXX
 *   cpuid LLLLLLLL zero               all four registers 0
 *   cpuid LLLLLLLL =basic-max         same as CPUID(max basic leaf, 0), not 0
 *   kvmcall rax=XXXXXXXXXXXXXXXX ud=N VMCALL with RAX=0x1234, GUEST_OS_ID 0
 *   msr MMMMMMMM rd=ok val=VVVVVVVVVVVVVVVV wr=ok|gp|skip
 *   msr MMMMMMMM rd=ok val=varies wr=ok|gp|skip
 *   msr MMMMMMMM rd=gp wr=ok|gp|skip
 *   guestid wr=ok|gp
 *   hypercall-msr wr=ok|gp val=page|XXX | val=VVVVVVVVVVVVVVVV | val=gp
 *   hypercall-page bytes=xx xx xx xx
 *   hcall slow|fast CCCC[-CCCC] sSSSS[ reps=N] | ud
 *   hctl CCCC-<variant> sSSSS[ reps=N] | ud
 *   hcall cpl3 ud=N
 *   probe done
 *
 * All hex is lowercase and zero-padded; reps=N is decimal.  The written
 * value of an MSR is the value read (0 if the read faulted), except for
 * the MSRs listed in msr_write_value().  The hypercall scan issues every
 * call code slow (RDX/R8 = zeroed pages) and fast (RDX = R8 = 0) and
 * prints runs of codes with the same result.  The guest never uses SSE, so
 * XMM0-XMM5 (fast-call input) keep their reset value 0.
 */
#include "hv-guest.h"

/* Linux's guest OS id: 0x8100 << 48 | LINUX_VERSION_CODE (6.6.0) << 16 (11.1) */
#define PROBE_GUEST_ID 0x8100060600000000ull

#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE 0x0002
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST  0x0003
#define HVCALL_NOTIFY_LONG_SPIN_WAIT       0x0008

static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static uint8_t input_page[4096] __attribute__((aligned(4096)));
static uint8_t output_page[4096] __attribute__((aligned(4096)));

static const uint32_t probe_leaves[] = {
    0x40000000, 0x40000001, 0x40000002, 0x40000003, 0x40000004, 0x40000005,
    0x40000006, 0x40000007, 0x40000008, 0x40000009, 0x4000000a, 0x4000000b,
    0x40000080, 0x40000081, 0x40000082, 0x40000083,
    0x40000100, 0x40000101, 0x40000102,
    0x40000200,
};

static const uint32_t probe_msrs[] = {
    0x40000000, 0x40000001, 0x40000002, 0x40000003, 0x40000004, 0x4000000f,
    0x40000010, 0x40000011,
    0x40000020, 0x40000021, 0x40000022, 0x40000023, 0x40000024,
    0x40000070, 0x40000071, 0x40000072, 0x40000073,
    0x40000080, 0x40000081, 0x40000082, 0x40000083, 0x40000084, 0x40000085,
    0x40000090, 0x4000009f, 0x400000a0,
    0x400000b0, 0x400000b1, 0x400000b7, 0x400000b8,
    0x400000f0, 0x400000f1, 0x400000f2, 0x400000f3, 0x400000f4, 0x400000f5,
    0x400000ff,
    0x40000100, 0x40000101, 0x40000102, 0x40000103, 0x40000104, 0x40000105,
    0x40000106, 0x40000107, 0x40000108, 0x40000109,
    0x40000118,
    0x40001080,
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t gpa_of(const void *p)
{
    return (uint64_t)p; /* the runtime identity-maps the first 4 GiB */
}

static void probe_cpuid(void)
{
    uint32_t r[4], max[4];

    cpuid(1, 0, r);
    printf("cpuid 00000001 ecx31=%u\n", r[2] >> 31);
    /* Intel rule for leaves above a sub-class maximum (1.5): the highest
     * basic leaf's data, which is CPUID(CPUID.0.EAX, ECX) */
    cpuid(0, 0, r);
    cpuid(r[0], 0, max);
    for (size_t i = 0; i < ARRAY_SIZE(probe_leaves); i++) {
        uint32_t leaf = probe_leaves[i];

        cpuid(leaf, 0, r);
        if (!r[0] && !r[1] && !r[2] && !r[3])
            printf("cpuid %08x zero\n", leaf);
        else if (!memcmp(r, max, sizeof r))
            printf("cpuid %08x =basic-max\n", leaf);
        else
            printf("cpuid %08x eax=%08x ebx=%08x ecx=%08x edx=%08x\n", leaf, r[0], r[1],
                   r[2], r[3]);
    }
}

/* VMCALL as a KVM hypercall (4.9): number in RAX, arguments RBX, RCX, RDX,
 * RSI all 0.  Returns RAX; *ud is set if the instruction raised #UD. */
static uint64_t kvm_vmcall(uint64_t nr, bool *ud)
{
    uint64_t rax = nr;

    hv_fault_vector = -1;
    hv_fault_skip = 3;
    __asm__ volatile("vmcall" : "+a"(rax) : "b"(0ull), "c"(0ull), "d"(0ull), "S"(0ull) : "memory");
    *ud = hv_fault_vector == 6;
    return rax;
}

static bool msr_varies(uint32_t msr)
{
    return msr == HV_MSR_VP_RUNTIME || msr == HV_MSR_TIME_REF_COUNT;
}

/* What to write back: false means the write is skipped. */
static bool msr_write_value(uint32_t msr, uint64_t read, uint64_t *val)
{
    switch (msr) {
    case HV_MSR_GUEST_OS_ID:   /* written in probe_hypercall_setup() */
    case HV_MSR_HYPERCALL:
        return false;
    case HV_MSR_RESET:         /* 1 would reset the VM */
    case HV_MSR_CRASH_CTL:     /* bit 63 would report a crash */
    case HV_MSR_REFERENCE_TSC: /* bit 0 would publish a TSC page at 0 */
        *val = 0;
        return true;
    default:
        *val = read;
        return true;
    }
}

static void probe_msrs_all(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(probe_msrs); i++) {
        uint32_t msr = probe_msrs[i];
        uint64_t v = 0, w;
        bool rd = rdmsr_safe(msr, &v);

        if (!rd)
            v = 0;
        printf("msr %08x ", msr);
        if (!rd)
            printf("rd=gp ");
        else if (msr_varies(msr))
            printf("rd=ok val=varies ");
        else
            printf("rd=ok val=%016lx ", v);
        if (!msr_write_value(msr, v, &w))
            printf("wr=skip\n");
        else
            printf("wr=%s\n", wrmsr_safe(msr, w) ? "ok" : "gp");
    }
}

/* GUEST_OS_ID, then the hypercall page (3.2, 3.3). */
static void probe_hypercall_setup(void)
{
    uint64_t old = 0, v = 0;
    bool ok;

    printf("guestid wr=%s\n", wrmsr_safe(HV_MSR_GUEST_OS_ID, PROBE_GUEST_ID) ? "ok" : "gp");
    /* 0xcc shows a page the hypervisor did not write */
    memset(hypercall_page, 0xcc, sizeof hypercall_page);
    /* read first as a guest does (Linux keeps bits 11:1; they read 0 here) */
    rdmsr_safe(HV_MSR_HYPERCALL, &old);
    ok = wrmsr_safe(HV_MSR_HYPERCALL, gpa_of(hypercall_page) | (old & 0xffe) | 1);
    printf("hypercall-msr wr=%s ", ok ? "ok" : "gp");
    if (!rdmsr_safe(HV_MSR_HYPERCALL, &v))
        printf("val=gp\n");
    else if ((v & ~0xfffull) == gpa_of(hypercall_page))
        printf("val=page|%03lx\n", v & 0xfff);
    else
        printf("val=%016lx\n", v);
    printf("hypercall-page bytes=%02x %02x %02x %02x\n", hypercall_page[0], hypercall_page[1],
           hypercall_page[2], hypercall_page[3]);
}

/* A hypercall result reduced to what the tables show: -1 for #UD, else
 * status (bits 15:0) and reps completed (bits 43:32). */
static int64_t hcall_key(uint64_t control, bool fast)
{
    bool ud;
    uint64_t in = fast ? 0 : gpa_of(input_page);
    uint64_t out = fast ? 0 : gpa_of(output_page);
    uint64_t r = hv_vmcall(control, in, out, &ud);

    if (ud)
        return -1;
    return (int64_t)((r & 0xffff) | (r & 0x00000fff00000000ull));
}

static void print_key(int64_t key)
{
    if (key < 0) {
        printf("ud\n");
        return;
    }
    printf("s%04lx", (uint64_t)key & 0xffff);
    if ((uint64_t)key >> 32)
        printf(" reps=%lu", (uint64_t)key >> 32);
    printf("\n");
}

static void print_run(const char *mode, uint32_t first, uint32_t last, int64_t key)
{
    if (first == last)
        printf("hcall %s %04x ", mode, first);
    else
        printf("hcall %s %04x-%04x ", mode, first, last);
    print_key(key);
}

static void probe_hcall_scan(bool fast)
{
    const char *mode = fast ? "fast" : "slow";
    uint32_t first = 0;
    int64_t key = 0;

    memset(input_page, 0, sizeof input_page);
    memset(output_page, 0, sizeof output_page);
    for (uint32_t code = 0; code <= 0xffff; code++) {
        int64_t k = hcall_key(code | (fast ? HV_HCALL_FAST : 0), fast);

        if (code == 0) {
            key = k;
        } else if (k != key) {
            print_run(mode, first, code - 1, key);
            first = code;
            key = k;
        }
    }
    print_run(mode, first, 0xffff, key);
}

struct hctl_variant {
    const char *name;
    uint64_t bits;
};

/* Control-word checks (4.1 step 4, 4.3, 4.6), all slow. */
static const struct hctl_variant hctl_variants[] = {
    { "plain", 0 },
    { "rsvd27", 1ull << 27 },
    { "nested31", 1ull << 31 },
    { "rsvd44", 1ull << 44 },
    { "rsvd60", 1ull << 60 },
    { "repcnt1", HV_HCALL_REP_COUNT(1) },
    { "repstart1", HV_HCALL_REP_START(1) },
    { "varcnt1", HV_HCALL_VARHEAD(1) },
};

/* FlushVirtualAddressList needs a rep count, so its checks also run with one. */
static const struct hctl_variant hctl_list_variants[] = {
    { "repcnt1-rsvd27", HV_HCALL_REP_COUNT(1) | 1ull << 27 },
    { "repcnt1-repstart1", HV_HCALL_REP_COUNT(1) | HV_HCALL_REP_START(1) },
    { "repcnt1-varcnt1", HV_HCALL_REP_COUNT(1) | HV_HCALL_VARHEAD(1) },
    { "repcnt2", HV_HCALL_REP_COUNT(2) },
};

static void hctl_check(uint16_t code, const struct hctl_variant *v)
{
    memset(input_page, 0, sizeof input_page);
    printf("hctl %04x-%s ", code, v->name);
    print_key(hcall_key(code | v->bits, false));
}

static void probe_hctl(void)
{
    static const uint16_t codes[] = {
        HVCALL_NOTIFY_LONG_SPIN_WAIT,
        HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
        HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,
    };

    for (size_t c = 0; c < ARRAY_SIZE(codes); c++)
        for (size_t i = 0; i < ARRAY_SIZE(hctl_variants); i++)
            hctl_check(codes[c], &hctl_variants[i]);
    for (size_t i = 0; i < ARRAY_SIZE(hctl_list_variants); i++)
        hctl_check(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, &hctl_list_variants[i]);
}

/* HvNotifyLongSpinWait from CPL 3.  It touches no memory: only its page,
 * the next one and the stack are user-accessible.  run_user() maps both
 * pages read-only, so they hold nothing else (the kernel-mode #UD handler
 * writes hv_fault_vector, which must not share them); the handler skips
 * the 3-byte VMCALL. */
void probe_user_vmcall(void);
__asm__(".text\n"
        ".balign 4096\n"
        "probe_user_vmcall:\n"
        "  mov $0x8, %ecx\n"
        "  xor %edx, %edx\n"
        "  xor %r8d, %r8d\n"
        "  xor %eax, %eax\n"
        "  vmcall\n"
        "  ret\n"
        ".balign 4096\n"
        ".skip 4096\n");

static void probe_cpl3(void)
{
    hv_fault_vector = -1;
    hv_fault_skip = 3;
    run_user(probe_user_vmcall);
    printf("hcall cpl3 ud=%d\n", hv_fault_vector == 6);
}

int main(void)
{
    uint64_t rax;
    bool ud;

    hv_catch_faults();
    probe_cpuid();
    rax = kvm_vmcall(0x1234, &ud);
    printf("kvmcall rax=%016lx ud=%d\n", rax, ud);
    probe_msrs_all();
    probe_hypercall_setup();
    probe_hcall_scan(false);
    probe_hcall_scan(true);
    probe_hctl();
    probe_cpl3();
    printf("probe done\n");
    exit(0);
}
