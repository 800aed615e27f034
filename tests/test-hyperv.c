/*
 * tests/test-hyperv.c: host-side tests of hyperv/ with a real vCPU, for
 * what a guest alone cannot show on a machine without interrupt sources:
 * VP_RUNTIME does not advance while the vCPU is halted, while the
 * partition reference counter does (reference/hyperv.md 3.2, 7.1); and
 * the 32-bit hypercall convention (4.2), which the 64-bit firmware cannot
 * reach easily.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "hw/hw.h"
#include "hyperv/hyperv.h"
#include "timers/timers.h"
#include "tests/unit.h"
#include "util/log.h"

#define VP_RUNTIME     0x40000010u
#define TIME_REF_COUNT 0x40000020u

int failures;

/* the board requests: tests/board-stubs.c */

static uint64_t icount(void *opaque) { return cpu_icount(opaque); }

static uint64_t rd(const struct cpu_hv_hooks *h, uint32_t msr)
{
    uint64_t v = 0;
    CHECK(h->rdmsr(h->opaque, msr, &v) == MSR_OK, "rdmsr 0x%x failed", msr);
    return v;
}

struct rig {
    struct bus *bus;
    struct cpu *cpu;
    struct hv_config *hc;
    struct hv_partition *p;
    struct cpu_hv_hooks h;
};

/* One vCPU in 32-bit flat protected mode at 0x1000 running code. */
static void rig_new(struct rig *r, uint8_t *ram, size_t ramlen, const uint8_t *code,
                    size_t len, const char *const *flags)
{
    struct cpu_config cc = { 0 };
    char err[256];

    vclock_init(VCLOCK_ICOUNT, 0, VCLOCK_DEFAULT_TSC_HZ);
    r->bus = bus_new();
    bus_map_ram(r->bus, 0, ramlen, ram, false, "ram");
    memcpy(ram + 0x1000, code, len);
    CHECK(cpu_config_model(&cc, "qemu64", err, sizeof err) == 0, "model: %s", err);
    cc.tsc_hz = VCLOCK_DEFAULT_TSC_HZ;
    r->cpu = cpu_new(r->bus, &cc, 0);
    vclock_set_icount_source(icount, r->cpu);
    r->hc = hv_config_new();
    for (; *flags; flags++)
        CHECK(hv_config_prop(r->hc, *flags, NULL, err, sizeof err) == 0, "%s: %s", *flags, err);
    CHECK(hv_config_finish(r->hc, err, sizeof err) == 0, "finish: %s", err);
    r->p = hv_partition_new(r->hc, r->bus, 1);
    hv_vcpu_hooks(hv_vcpu_new(r->p, r->cpu, 0), &r->h);
    cpu_set_hv_hooks(r->cpu, &r->h);
    cpu_reset(r->cpu);
    cpu_enter_multiboot(r->cpu, 0x1000, 0, 0);
}

static void rig_free(struct rig *r)
{
    hv_partition_free(r->p);
    hv_config_free(r->hc);
    cpu_free(r->cpu);
    bus_free(r->bus);
}

static void hypercall_32bit(void)
{
    static uint8_t ram[0x10000];
    static const uint8_t code[] = {
        0xb9, 0x00, 0x00, 0x00, 0x40,   /* mov ecx, HV_X64_MSR_GUEST_OS_ID */
        0xb8, 0x01, 0x00, 0x00, 0x00,   /* mov eax, 1 */
        0x31, 0xd2,                     /* xor edx, edx */
        0x0f, 0x30,                     /* wrmsr */
        0xb8, 0x08, 0x00, 0x01, 0x00,   /* mov eax, 0x10008: fast HvNotifyLongSpinWait */
        0x0f, 0x01, 0xc1,               /* vmcall (EDX:EAX = control) */
        0x89, 0xc6,                     /* mov esi, eax */
        0x89, 0xd7,                     /* mov edi, edx */
        0xb8, 0x08, 0x00, 0x00, 0x00,   /* mov eax, 8 */
        0xba, 0x01, 0x00, 0x00, 0x00,   /* mov edx, 1: rep count 1 (control bit 32) */
        0x0f, 0x01, 0xc1,               /* vmcall */
        0x89, 0xc5,                     /* mov ebp, eax */
        0xb8, 0x01, 0x00, 0x00, 0x00,   /* mov eax, 1: unknown code */
        0x31, 0xd2,                     /* xor edx, edx */
        0x0f, 0x01, 0xc1,               /* vmcall */
        0xf4,                           /* hlt */
    };
    static const char *const flags[] = { "hv-vpindex", NULL };
    struct rig r;

    rig_new(&r, ram, sizeof ram, code, sizeof code, flags);
    /* HvNotifyLongSpinWait yields: the slice ends early, so run until HLT */
    for (int i = 0; i < 10 && !cpu_halted(r.cpu); i++)
        cpu_run(r.cpu, 1000);
    CHECK(cpu_halted(r.cpu), "32-bit hypercall code did not reach HLT");
    CHECK(cpu_reg(r.cpu, CPU_RSI) == 0 && cpu_reg(r.cpu, CPU_RDI) == 0,
          "spin wait: EDX:EAX = %llx:%llx, expected 0:0 (success)",
          (unsigned long long)cpu_reg(r.cpu, CPU_RDI), (unsigned long long)cpu_reg(r.cpu, CPU_RSI));
    CHECK(cpu_reg(r.cpu, CPU_RBP) == 3, "spin wait with rep count 1 in EDX: status %llu, "
          "expected 3", (unsigned long long)cpu_reg(r.cpu, CPU_RBP));
    CHECK(cpu_reg(r.cpu, CPU_RAX) == 2 && cpu_reg(r.cpu, CPU_RDX) == 0,
          "unknown code: EDX:EAX = %llx:%llx, expected 0:2",
          (unsigned long long)cpu_reg(r.cpu, CPU_RDX), (unsigned long long)cpu_reg(r.cpu, CPU_RAX));
    rig_free(&r);
}

static void runtime_stops_while_halted(void)
{
    static uint8_t ram[0x10000];
    /* 32-bit code at 0x1000: mov ecx, 100000; 1: dec ecx; jnz 1b; hlt */
    static const uint8_t code[] = { 0xb9, 0xa0, 0x86, 0x01, 0x00, 0x49, 0x75, 0xfd, 0xf4 };
    static const char *const flags[] = { "hv-runtime", "hv-time", NULL };
    struct rig r;

    rig_new(&r, ram, sizeof ram, code, sizeof code, flags);
    struct cpu_hv_hooks h = r.h;
    struct cpu *cpu = r.cpu;
    struct hv_partition *p = r.p;

    uint64_t run0 = rd(&h, VP_RUNTIME), ref0 = rd(&h, TIME_REF_COUNT);
    CHECK(cpu_run(cpu, 1000000) == CPU_EXIT_HALTED, "the loop did not end in HLT");
    uint64_t run1 = rd(&h, VP_RUNTIME), ref1 = rd(&h, TIME_REF_COUNT);
    /* 200,003 instructions at -icount shift=0 are 200,003 ns: 2000 units */
    CHECK(run1 - run0 == 2000, "VP_RUNTIME advanced %llu units over the loop, expected 2000",
          (unsigned long long)(run1 - run0));
    CHECK(ref1 - ref0 == 2000, "TIME_REF_COUNT advanced %llu units over the loop",
          (unsigned long long)(ref1 - ref0));

    /* one second of virtual time passes while the vCPU sleeps */
    vclock_warp_to(vclock_ns() + 1000000000);
    CHECK(cpu_run(cpu, 1000) == CPU_EXIT_HALTED, "the vCPU woke up");
    uint64_t run2 = rd(&h, VP_RUNTIME), ref2 = rd(&h, TIME_REF_COUNT);
    CHECK(run2 == run1, "VP_RUNTIME advanced %llu units while halted",
          (unsigned long long)(run2 - run1));
    CHECK(ref2 - ref1 >= 9999999 && ref2 - ref1 <= 10000001,
          "TIME_REF_COUNT advanced %llu units in one second",
          (unsigned long long)(ref2 - ref1));

    /* a machine reset restarts VP_RUNTIME at 0 (QEMU writes 0) */
    hv_partition_reset(p);
    CHECK(rd(&h, VP_RUNTIME) == 0, "VP_RUNTIME not 0 after reset");
    CHECK(rd(&h, TIME_REF_COUNT) >= ref2, "reference time went back at reset");

    rig_free(&r);
}

int main(void)
{
    runtime_stops_while_halted();
    hypercall_32bit();
    if (failures)
        printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
