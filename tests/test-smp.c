/*
 * tests/test-smp.c: what the vCPUs of one machine share.
 *
 *  - cross_vcpu_store_invalidates_code: vCPU 0 translates and runs a
 *    block; vCPU 1 stores into that block's bytes; vCPU 0 running the same
 *    address again must execute the new bytes (each vCPU has its own block
 *    cache; cpu_set_group() makes invalidation reach all of them).  Linux
 *    patches its text (static calls, jump labels) on one CPU while others
 *    run it, so without this an SMP guest spins on stale code.
 *  - tsc_starts_together: after a reset of every vCPU and cpu_sync_tsc(),
 *    all TSCs read the same value at one instant (Linux's TSC-warp check).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "cpu/cpu-internal.h"
#include "hw/hw.h"
#include "tests/unit.h"
#include "timers/timers.h"

int failures;

static struct cpu *cpus[2];

static uint64_t icount(void *opaque)
{
    return (cpus[0] ? cpu_icount(cpus[0]) : 0) + (cpus[1] ? cpu_icount(cpus[1]) : 0);
}

/* Both vCPUs run 32-bit flat protected-mode code (the multiboot entry state). */
static uint8_t ram[0x10000];

static void cross_vcpu_store_invalidates_code(bool grouped)
{
    static const uint8_t code[] = {
        /* 1000: vCPU 0 */ 0xb8, 0x01, 0x00, 0x00, 0x00,             /* mov eax, 1 */
        /* 1005 */         0xf4,                                     /* hlt */
    };
    static const uint8_t writer[] = {
        /* 1010: vCPU 1 */ 0xc6, 0x05, 0x01, 0x10, 0x00, 0x00, 0x02, /* mov byte [0x1001], 2 */
        /* 1017 */         0xf4,                                     /* hlt */
    };
    struct cpu_config cc = { 0 };
    char err[256];
    struct bus *bus = bus_new();

    memset(ram, 0, sizeof ram);
    memcpy(ram + 0x1000, code, sizeof code);
    memcpy(ram + 0x1010, writer, sizeof writer);
    bus_map_ram(bus, 0, sizeof ram, ram, false, "ram");
    CHECK(cpu_config_model(&cc, "qemu64", err, sizeof err) == 0, "model: %s", err);
    cc.tsc_hz = VCLOCK_DEFAULT_TSC_HZ;
    for (int i = 0; i < 2; i++)
        cpus[i] = cpu_new(bus, &cc, i);
    if (grouped)
        cpu_set_group(cpus, 2);
    cpu_enter_multiboot(cpus[0], 0x1000, 0, 0);
    cpu_enter_multiboot(cpus[1], 0x1010, 0, 0);

    cpu_run(cpus[0], 100);
    CHECK(cpu_reg(cpus[0], CPU_RAX) == 1, "vCPU 0 first run: AX %llx",
          (unsigned long long)cpu_reg(cpus[0], CPU_RAX));
    cpu_run(cpus[1], 100);
    CHECK(ram[0x1001] == 2, "vCPU 1's store reached memory");

    cpu_set_halted(cpus[0], false);
    cpu_set_reg(cpus[0], CPU_RIP, 0x1000);
    cpu_run(cpus[0], 100);
    if (grouped)
        CHECK(cpu_reg(cpus[0], CPU_RAX) == 2,
              "vCPU 0 ran stale code after vCPU 1 rewrote it: AX %llx",
              (unsigned long long)cpu_reg(cpus[0], CPU_RAX));
    else
        /* the control case: what the group prevents (shows the test bites) */
        CHECK(cpu_reg(cpus[0], CPU_RAX) == 1, "ungrouped vCPUs unexpectedly shared invalidation");

    /* a group of one after the other leaves still works */
    cpu_free(cpus[1]);
    cpus[1] = NULL;
    ram[0x1001] = 3;
    cpu_invalidate_phys(cpus[0], 0x1001, 1);
    cpu_set_halted(cpus[0], false);
    cpu_set_reg(cpus[0], CPU_RIP, 0x1000);
    cpu_run(cpus[0], 100);
    CHECK(cpu_reg(cpus[0], CPU_RAX) == 3, "after the other vCPU left: AX %llx",
          (unsigned long long)cpu_reg(cpus[0], CPU_RAX));
    cpu_free(cpus[0]);
    cpus[0] = cpus[1] = NULL;
    bus_free(bus);
}

static void tsc_starts_together(void)
{
    struct cpu_config cc = { 0 };
    char err[256];
    struct bus *bus = bus_new();

    memset(ram, 0, sizeof ram);
    memcpy(ram + 0x1000, (const uint8_t[]){ 0x90, 0x90, 0xf4 }, 3);   /* nop; nop; hlt */
    bus_map_ram(bus, 0, sizeof ram, ram, false, "ram");
    CHECK(cpu_config_model(&cc, "qemu64", err, sizeof err) == 0, "model: %s", err);
    cc.tsc_hz = VCLOCK_DEFAULT_TSC_HZ;
    for (int i = 0; i < 2; i++)
        cpus[i] = cpu_new(bus, &cc, i);
    cpu_reset(cpus[0]);
    cpu_enter_multiboot(cpus[0], 0x1000, 0, 0);
    cpu_run(cpus[0], 50);       /* time (instructions, under -icount) passes between the resets */
    cpu_reset(cpus[1]);
    CHECK(cpu_rdtsc(cpus[0]) != cpu_rdtsc(cpus[1]), "resets at different times differ");
    cpu_sync_tsc(cpus[1], cpus[0]);
    CHECK(cpu_rdtsc(cpus[0]) == cpu_rdtsc(cpus[1]), "synchronised TSCs differ: %llu %llu",
          (unsigned long long)cpu_rdtsc(cpus[0]), (unsigned long long)cpu_rdtsc(cpus[1]));
    cpu_free(cpus[0]);
    cpu_free(cpus[1]);
    cpus[0] = cpus[1] = NULL;
    bus_free(bus);
}

int main(void)
{
    vclock_init(VCLOCK_ICOUNT, 0, VCLOCK_DEFAULT_TSC_HZ);
    vclock_set_icount_source(icount, NULL);
    cross_vcpu_store_invalidates_code(false);
    cross_vcpu_store_invalidates_code(true);
    tsc_starts_together();
    if (failures)
        printf("test-smp: %d failures\n", failures);
    return failures != 0;
}
