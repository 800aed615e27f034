/*
 * bench/hvbench.c: cost of the Hyper-V time and hypercall paths inside a
 * guest (reference/hyperv.md 4, 7).
 *
 * Run with -cpu qemu64,hv-vpindex,hv-time.  The multiboot command line
 * selects one operation (-append op=NAME); without one, all run in turn.
 * Each operation runs HVBENCH_ITERS times and prints
 *   op <name> iters <N> tsc <ticks>
 * where ticks is the guest's RDTSC delta (virtual 2.5 GHz TSC, not
 * converted).  Operations:
 *   empty    the bare loop (baseline for bench/run-hvbench)
 *   tscpage  a reference-time read through the TSC page (TLFS algorithm)
 *   refmsr   RDMSR TIME_REF_COUNT
 *   hcall    a fast hypercall with the unknown code 0x0001 (status 2, no
 *            side effect)
 *   cpuid    CPUID leaf 0
 */
#include "../testsuite/satori.hyperv/hv-guest.h"

#define HVBENCH_ITERS 1000000u
#define GUEST_ID      0x8100000006080000ull

static uint8_t tsc_page[4096] __attribute__((aligned(4096)));
static const struct hv_tsc_page *tp = (const struct hv_tsc_page *)tsc_page;
static volatile uint64_t sink;

static void op_empty(void)
{
    __asm__ volatile("" ::: "memory");
}

static void op_tscpage(void)
{
    uint64_t t = 0;

    tsc_page_read(tp, &t);
    sink = t;
}

static void op_refmsr(void)
{
    sink = rdmsr(HV_MSR_TIME_REF_COUNT);
}

static void op_hcall(void)
{
    uint64_t rax;
    register uint64_t r8 __asm__("r8") = 0;

    __asm__ volatile("vmcall" : "=a"(rax), "+r"(r8) : "c"(0x0001 | HV_HCALL_FAST), "d"(0ull)
                     : "memory");
    sink = rax;
}

static void op_cpuid(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);
    sink = r[0];
}

static const struct {
    const char *name;
    void (*fn)(void);
} ops[] = {
    { "empty", op_empty },
    { "tscpage", op_tscpage },
    { "refmsr", op_refmsr },
    { "hcall", op_hcall },
    { "cpuid", op_cpuid },
};

/* The value of "op=" in the command line, or NULL. */
static const char *cmdline_op(char *buf, size_t size)
{
    const char *s = multiboot_cmdline();

    for (; *s; s++) {
        if ((s == multiboot_cmdline() || s[-1] == ' ') && !memcmp(s, "op=", 3)) {
            size_t n = 0;
            for (s += 3; *s && *s != ' ' && n + 1 < size; s++)
                buf[n++] = *s;
            buf[n] = 0;
            return buf;
        }
    }
    return NULL;
}

static bool setup(void)
{
    wrmsr_safe(HV_MSR_GUEST_OS_ID, GUEST_ID);
    wrmsr_safe(HV_MSR_REFERENCE_TSC, (uint64_t)tsc_page | 1);
    if (tp->tsc_sequence == 0) {
        printf("hvbench: the TSC page is not valid (is hv-time on?)\n");
        return false;
    }
    bool ud;
    uint64_t r = hv_vmcall(0x0001 | HV_HCALL_FAST, 0, 0, &ud);
    if (ud || r != HV_STATUS_INVALID_HYPERCALL_CODE) {
        printf("hvbench: hypercall 0x0001 returned %lx%s, not 2\n", r, ud ? " (#UD)" : "");
        return false;
    }
    return true;
}

static void run(const char *name, void (*fn)(void))
{
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < HVBENCH_ITERS; i++)
        fn();
    uint64_t t1 = rdtsc();
    printf("op %s iters %u tsc %lu\n", name, HVBENCH_ITERS, t1 - t0);
}

int main(void)
{
    char buf[32];
    const char *want = cmdline_op(buf, sizeof buf);
    int found = 0;

    hv_catch_faults();
    if (!setup())
        return 2;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (want && strcmp(want, ops[i].name))
            continue;
        run(ops[i].name, ops[i].fn);
        found++;
    }
    if (!found) {
        printf("hvbench: unknown op '%s'\n", want);
        return 2;
    }
    return 0;
}
