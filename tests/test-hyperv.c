/*
 * tests/test-hyperv.c: host-side tests of hyperv/ with a real vCPU, for
 * what a guest alone cannot show on a machine without interrupt sources:
 * VP_RUNTIME does not advance while the vCPU is halted, while the
 * partition reference counter does (reference/hyperv.md 3.2, 7.1).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "hw/hw.h"
#include "hyperv/hyperv.h"
#include "timers/timers.h"
#include "util/log.h"

#define VP_RUNTIME     0x40000010u
#define TIME_REF_COUNT 0x40000020u

static int failures;

#define CHECK(cond, ...) do {                                   \
    if (!(cond)) {                                              \
        failures++;                                             \
        printf("FAIL %s:%d: ", __FILE__, __LINE__);             \
        printf(__VA_ARGS__);                                    \
        printf("\n");                                           \
    }                                                           \
} while (0)

/* Board requests the hyperv code may make (none expected here). */
void machine_request_exit(int status) { CHECK(0, "unexpected exit request %d", status); }
void machine_request_reset(void) { CHECK(0, "unexpected reset request"); }
void machine_report_panic(const uint64_t params[5]) { CHECK(0, "unexpected panic"); }
bool machine_request_pending(void) { return false; }

static uint64_t icount(void *opaque) { return cpu_icount(opaque); }

static uint64_t rd(const struct cpu_hv_hooks *h, uint32_t msr)
{
    uint64_t v = 0;
    CHECK(h->rdmsr(h->opaque, msr, &v) == MSR_OK, "rdmsr 0x%x failed", msr);
    return v;
}

static void runtime_stops_while_halted(void)
{
    static uint8_t ram[0x10000];
    /* 32-bit code at 0x1000: mov ecx, 100000; 1: dec ecx; jnz 1b; hlt */
    static const uint8_t code[] = { 0xb9, 0xa0, 0x86, 0x01, 0x00, 0x49, 0x75, 0xfd, 0xf4 };
    struct cpu_config cc = { 0 };
    struct cpu_hv_hooks h;
    char err[256];

    vclock_init(VCLOCK_ICOUNT, 0, VCLOCK_DEFAULT_TSC_HZ);
    struct bus *b = bus_new();
    bus_map_ram(b, 0, sizeof ram, ram, false, "ram");
    memcpy(ram + 0x1000, code, sizeof code);
    CHECK(cpu_config_model(&cc, "qemu64", err, sizeof err) == 0, "model: %s", err);
    cc.tsc_hz = VCLOCK_DEFAULT_TSC_HZ;
    struct cpu *cpu = cpu_new(b, &cc, 0);
    vclock_set_icount_source(icount, cpu);

    struct hv_config *hc = hv_config_new();
    CHECK(hv_config_prop(hc, "hv-runtime", NULL, err, sizeof err) == 0, "hv-runtime: %s", err);
    CHECK(hv_config_prop(hc, "hv-time", NULL, err, sizeof err) == 0, "hv-time: %s", err);
    CHECK(hv_config_finish(hc, err, sizeof err) == 0, "finish: %s", err);
    struct hv_partition *p = hv_partition_new(hc, b, 1);
    struct hv_vcpu *v = hv_vcpu_new(p, cpu, 0);
    hv_vcpu_hooks(v, &h);
    cpu_set_hv_hooks(cpu, &h);
    cpu_reset(cpu);
    cpu_enter_multiboot(cpu, 0x1000, 0, 0);

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

    hv_partition_free(p);
    hv_config_free(hc);
    cpu_free(cpu);
    bus_free(b);
}

int main(void)
{
    runtime_stops_while_halted();
    if (failures)
        printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
