/*
 * firmware/demo.c: satori's built-in demo guest.  Prints what the CPU
 * tells about itself, shows the translator at work (self-modifying code,
 * a page fault handled and retried), reads the virtual TSC, and exits.
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
    printf("demo done\n");
    return 0;
}
