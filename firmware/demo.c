/*
 * firmware/demo.c: satori's built-in demo guest.  Prints what the CPU
 * tells about itself, shows the translator at work (self-modifying code,
 * a page fault handled and retried), reads the virtual TSC, takes a tour
 * of the hypervisor interface when there is one (Hyper-V enlightenments:
 * try -cpu qemu64,hv-relaxed,hv-vpindex,hv-runtime,hv-time,hv-frequencies),
 * and exits.
 */
#include "runtime.h"

static const char *const feat_1_edx[32] = {
    "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", 0, "sep", "mtrr",
    "pge", "mca", "cmov", "pat", "pse36", 0, "clflush", 0, 0, 0, "mmx", "fxsr", "sse", "sse2",
};
static const char *const feat_1_ecx[32] = {
    "sse3", 0, 0, 0, 0, 0, 0, 0, 0, "ssse3", 0, 0, 0, "cx16", 0, 0, 0, 0, 0, "sse4.1",
    "sse4.2", "x2apic", "movbe", "popcnt", 0, 0, "xsave", 0, "avx", 0, "rdrand", "hypervisor",
};
static const char *const feat_81_edx[32] = {
    [11] = "syscall", [20] = "nx", [26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm",
};

static void print_flags(const char *what, uint32_t v, const char *const names[32])
{
    printf("  %s:", what);
    for (int i = 0; i < 32; i++)
        if ((v >> i) & 1)
            printf(" %s", names[i] ? names[i] : "?");
    printf("\n");
}

static const char *const hv_features_eax[32] = {
    "VP_RUNTIME", "TIME_REF_COUNT", "SynIC", "synthetic timers", "APIC MSRs",
    "hypercall MSRs", "VP_INDEX", "RESET", "statistics", "reference TSC page", "guest idle",
    "frequency MSRs", "debug MSRs", "re-enlightenment", 0, "invariant TSC control",
};
static const char *const hv_features_edx[32] = {
    [3] = "dynamic partitioning", [4] = "XMM hypercall input", [8] = "frequency MSRs",
    [10] = "crash MSRs", [11] = "debug MSRs", [19] = "direct synthetic timers",
};
static const char *const hv_hints_eax[32] = {
    [2] = "hypercall TLB flush", [3] = "APIC MSRs", [5] = "relaxed timing",
    [9] = "no AutoEOI", [10] = "cluster IPI hypercall", [11] = "extended processor masks",
    [14] = "enlightened VMCS", [18] = "no non-architectural core sharing",
};

static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static uint8_t tsc_page[4096] __attribute__((aligned(4096)));

static void signature(uint32_t leaf, char out[13], uint32_t *max)
{
    uint32_t r[4];

    cpuid(leaf, 0, r);
    memcpy(out, &r[1], 4);
    memcpy(out + 4, &r[2], 4);
    memcpy(out + 8, &r[3], 4);
    out[12] = 0;
    *max = r[0];
}

/* A hypercall through the page: control in RCX, result in RAX. */
static uint64_t page_hypercall(uint64_t control)
{
    uint64_t rax;
    register uint64_t r8 __asm__("r8") = 0;

    __asm__ volatile("call *%[pg]" : "=a"(rax), "+r"(r8)
                     : [pg] "r"(hypercall_page), "c"(control), "d"(0ull)
                     : "memory", "r9", "r10", "r11");
    return rax;
}

/* Reference time from the TSC page (TLFS read protocol). */
static uint64_t tsc_page_time(void)
{
    volatile uint32_t *seqp = (volatile uint32_t *)tsc_page;
    volatile uint64_t *q = (volatile uint64_t *)tsc_page;
    uint32_t seq;
    uint64_t tsc, scale, offset;

    do {
        seq = *seqp;
        tsc = rdtsc();
        scale = q[1];
        offset = q[2];
    } while (*seqp != seq);
    return (uint64_t)(((unsigned __int128)tsc * scale) >> 64) + offset;
}

static void hyperv_tour(void)
{
    uint32_t r[4], max;
    char sig[13];

    cpuid(1, 0, r);
    if (!(r[2] >> 31)) {
        printf("no hypervisor interface (CPUID.1:ECX[31] clear)\n");
        return;
    }
    signature(0x40000000u, sig, &max);
    cpuid(0x40000001u, 0, r);
    if (r[0] != 0x31237648u) {  /* "Hv#1" */
        printf("hypervisor \"%s\", leaves up to 0x%x; no Hyper-V (add hv-* flags to -cpu)\n",
               sig, max);
        return;
    }
    printf("Hyper-V: vendor \"%s\", leaves up to 0x%x\n", sig, max);
    cpuid(0x40000002u, 0, r);
    printf("  version %u.%u build %u\n", r[1] >> 16, r[1] & 0xffff, r[0]);
    cpuid(0x40000003u, 0, r);
    uint32_t feat = r[0];
    print_flags("features (40000003.EAX)", feat, hv_features_eax);
    print_flags("features (40000003.EDX)", r[3], hv_features_edx);
    cpuid(0x40000004u, 0, r);
    print_flags("recommendations (40000004.EAX)", r[0], hv_hints_eax);
    if (r[1] != 0xffffffffu)
        printf("  notify the hypervisor after 0x%x spinlock retries\n", r[1]);
    char kvm[13];
    uint32_t kvm_max;
    signature(0x40000100u, kvm, &kvm_max);
    if (!memcmp(kvm, "KVMKVMKVM", 9))
        printf("  KVM signature at 0x40000100\n");
    if (feat & 0x40)
        printf("  this is virtual processor %lu\n", rdmsr(0x40000002u));
    if (feat & 0x800)
        printf("  TSC %lu Hz, APIC timer %lu Hz\n", rdmsr(0x40000022u), rdmsr(0x40000023u));
    if (feat & 0x20) {
        wrmsr(0x40000000u, 0x8100000000000000ull);     /* a Linux-style guest OS id */
        wrmsr(0x40000001u, (uint64_t)(uintptr_t)hypercall_page | 1);
        printf("  hypercall page: %02x %02x %02x %02x; HvNotifyLongSpinWait -> status 0x%lx\n",
               hypercall_page[0], hypercall_page[1], hypercall_page[2], hypercall_page[3],
               page_hypercall(0x0008) & 0xffff);
    }
    if (feat & 0x200) {
        wrmsr(0x40000021u, (uint64_t)(uintptr_t)tsc_page | 1);
        uint64_t a = tsc_page_time();
        volatile uint64_t sum = 0;
        for (int i = 0; i < 100000; i++)
            sum += i;
        uint64_t b = tsc_page_time();
        printf("  reference TSC page: sequence %u; a loop took %lu x 100 ns\n",
               *(volatile uint32_t *)tsc_page, b - a);
        if (feat & 0x2)
            printf("  reference counter (TIME_REF_COUNT) %lu x 100 ns since power-on\n",
                   rdmsr(0x40000020u));
    }
    if (feat & 0x1)
        printf("  this vCPU ran %lu x 100 ns (VP_RUNTIME)\n", rdmsr(0x40000010u));
}

static volatile int faults;

static void pf_handler(struct frame *f)
{
    faults++;
    map_page(read_cr2(), 0x300000, true, true, false);
}

static int patchable(void) __attribute__((noinline));
static int patchable(void)
{
    int v;
    __asm__ volatile(".globl demo_patch_site\n"
                     "demo_patch_site: movl $1, %0" : "=a"(v));
    return v;
}

int main(void)
{
    uint32_t r[4];
    char vendor[13], brand[49];

    printf("satori demo guest: hello from 64-bit mode\n");
    cpuid(0, 0, r);
    memcpy(vendor, &r[1], 4);
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[12] = 0;
    printf("CPU vendor: %s, max basic leaf 0x%x\n", vendor, r[0]);
    for (int i = 0; i < 3; i++) {
        cpuid(0x80000002u + i, 0, r);
        memcpy(brand + 16 * i, r, 16);
    }
    brand[48] = 0;
    printf("CPU brand: %s\n", brand);
    cpuid(1, 0, r);
    printf("family %u model %u stepping %u\n", (r[0] >> 8) & 15,
           ((r[0] >> 4) & 15) | (((r[0] >> 16) & 15) << 4), r[0] & 15);
    print_flags("features (1.EDX)", r[3], feat_1_edx);
    print_flags("features (1.ECX)", r[2], feat_1_ecx);
    cpuid(0x80000001u, 0, r);
    print_flags("features (80000001.EDX)", r[3], feat_81_edx);
    if (r[2] & 1)
        printf("  lahf_lm available\n");

    uint64_t t0 = rdtsc();
    volatile uint64_t sum = 0;
    for (int i = 0; i < 100000; i++)
        sum += (uint64_t)i * i;
    uint64_t t1 = rdtsc();
    printf("loop of 100000 iterations: checksum %lx, %lu TSC ticks\n", (uint64_t)sum, t1 - t0);

    extern unsigned char demo_patch_site[];
    int before = patchable();
    demo_patch_site[1] = 42; /* movl $imm32, %reg: the immediate follows the opcode */
    int after = patchable();
    printf("self-modifying code: %d then %d\n", before, after);

    handle_exception(14, pf_handler);
    map_page(0x40000000, 0x200000, false, true, false);
    volatile uint32_t *p = (volatile uint32_t *)0x40000000;
    *p = 0x1234;
    printf("page fault at 0x40000000 handled %d time(s), value %x\n", faults, *p);
    hyperv_tour();
    printf("demo done\n");
    return 0;
}
