/*
 * tests/test-stimer.c: hyperv/'s SynIC and synthetic timers against a
 * recording stand-in for the local APIC (struct hv_apic_ops), with the
 * virtual clock moved by hand, so KVM's arithmetic can be checked to the
 * unit (reference/hyperv.md 5.2, 5.5, 5.6, 6.3, 6.4): a late periodic
 * tick carries its scheduled expiration and the next one is the first
 * period after "now" (stimer_start), the vector bitmaps the APIC gets
 * (synic_update_vector), and an EOI of a SINT vector retrying a pending
 * message (kvm_hv_notify_acked_sint).
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

#define SIMP      0x40000083u
#define EOM       0x40000084u
#define SINT0     0x40000090u
#define STIMER0_CONFIG 0x400000b0u
#define STIMER0_COUNT  0x400000b1u
#define TIME_REF_COUNT 0x40000020u
#define GUEST_OS_ID    0x40000000u

int failures;

/* the board requests: tests/board-stubs.c */

/* ---- the recording APIC ---- */
static int injected[256];
static uint32_t auto_eoi[8], watched[8];
static void (*eoi_fn)(void *, uint8_t);
static void *eoi_opaque;

static void fake_eoi(void *apic) {}
static void fake_icr_write(void *apic, uint64_t icr) {}
static uint64_t fake_icr_read(void *apic) { return 0; }
static uint32_t fake_tpr_get(void *apic) { return 0; }
static void fake_tpr_set(void *apic, uint32_t tpr) {}
static bool fake_inject(void *apic, uint8_t vector) { injected[vector]++; return true; }
static void fake_vectors(void *apic, const uint32_t a[8], const uint32_t w[8],
                         void (*eoi)(void *, uint8_t), void *opaque)
{
    memcpy(auto_eoi, a, sizeof auto_eoi);
    memcpy(watched, w, sizeof watched);
    eoi_fn = eoi;
    eoi_opaque = opaque;
}
static const struct hv_apic_ops fake_ops = {
    fake_eoi, fake_icr_write, fake_icr_read, fake_tpr_get, fake_tpr_set,
    .inject = fake_inject, .synic_vectors = fake_vectors,
};

static bool bit(const uint32_t *a, unsigned v) { return a[v >> 5] >> (v & 31) & 1; }

static uint8_t ram[0x10000];
static struct cpu_hv_hooks h;

static uint64_t rd(uint32_t msr)
{
    uint64_t v = 0;
    CHECK(h.rdmsr(h.opaque, msr, &v) == MSR_OK, "rdmsr 0x%x failed", msr);
    return v;
}

static void wr(uint32_t msr, uint64_t v)
{
    CHECK(h.wrmsr(h.opaque, msr, v) == MSR_OK, "wrmsr 0x%x = 0x%llx failed", msr,
          (unsigned long long)v);
}

/* Let virtual time reach ref (100 ns units from now) and run the timers. */
static void advance(uint64_t units)
{
    vclock_warp_to(vclock_ns() + (int64_t)units * 100);
    timers_run_expired();
}

static uint64_t slot_u64(unsigned sint, unsigned off)
{
    uint64_t v;
    memcpy(&v, ram + 0x2000 + sint * 256 + off, 8);
    return v;
}

static void clear_slot(unsigned sint) { memset(ram + 0x2000 + sint * 256, 0, 4); }

static void vectors_and_acks(void)
{
    wr(SINT0 + 2, 0x52);
    wr(SINT0 + 3, 0x53 | (1ull << 17));     /* auto-EOI */
    wr(SINT0 + 4, 0x54 | (1ull << 16));     /* masked */
    CHECK(bit(watched, 0x52) && bit(watched, 0x53) && !bit(watched, 0x54),
          "EOI-watched vectors are those of unmasked SINTs");
    CHECK(bit(auto_eoi, 0x53) && !bit(auto_eoi, 0x52), "auto-EOI bitmap has SINT3's vector only");

    /* a one-shot that finds SINT2's slot busy waits; the EOI of 0x52 retries it */
    memset(ram + 0x2000 + 2 * 256, 0, 256);
    memcpy(ram + 0x2000 + 2 * 256, "\x01\0\0\0", 4);
    int before = injected[0x52];
    uint64_t now = rd(TIME_REF_COUNT);
    wr(STIMER0_COUNT, now + 10);
    wr(STIMER0_CONFIG, 1 | 2ull << 16);
    advance(20);
    CHECK(injected[0x52] == before && (ram[0x2000 + 2 * 256 + 5] & 1),
          "busy slot: no interrupt, msg_pending set");
    clear_slot(2);
    CHECK(eoi_fn != NULL, "no EOI callback registered");
    eoi_fn(eoi_opaque, 0x52);
    CHECK(injected[0x52] == before + 1 && slot_u64(2, 24) == now + 10,
          "EOI of SINT2's vector delivered the pending message (exp %llu)",
          (unsigned long long)slot_u64(2, 24));
    CHECK(rd(STIMER0_CONFIG) == 2ull << 16, "delivered one-shot: enable cleared");
    clear_slot(2);
}

static void periodic_skips_missed_periods(void)
{
    uint64_t t0 = rd(TIME_REF_COUNT);
    int before = injected[0x52];

    wr(STIMER0_COUNT, 1000);
    wr(STIMER0_CONFIG, 1 | 2 | 2ull << 16);
    advance(1000);
    CHECK(injected[0x52] == before + 1 && slot_u64(2, 24) == t0 + 1000,
          "first tick at t0 + 1000 (exp %llu)", (unsigned long long)(slot_u64(2, 24) - t0));
    clear_slot(2);
    /* the vCPU "was away" for 10.5 periods: one late tick, then the next period */
    advance(10500);
    CHECK(injected[0x52] == before + 2, "one late tick, not ten (%d)",
          injected[0x52] - before);
    CHECK(slot_u64(2, 24) == t0 + 2000 && slot_u64(2, 32) == t0 + 11500,
          "the late tick carries its scheduled expiration and the real delivery time "
          "(%llu, %llu)", (unsigned long long)(slot_u64(2, 24) - t0),
          (unsigned long long)(slot_u64(2, 32) - t0));
    clear_slot(2);
    advance(499);
    CHECK(injected[0x52] == before + 2, "nothing before the next period boundary");
    advance(1);
    CHECK(injected[0x52] == before + 3 && slot_u64(2, 24) == t0 + 12000,
          "next tick at t0 + 12000: now + (count - (now - exp) %% count) (%llu)",
          (unsigned long long)(slot_u64(2, 24) - t0));
    wr(STIMER0_CONFIG, 0);
    clear_slot(2);
}

int main(void)
{
    struct cpu_config cc = { 0 };
    char err[256];
    static const char *const flags[] = { "hv-vpindex", "hv-synic", "hv-time", "hv-stimer", NULL };

    vclock_init(VCLOCK_ICOUNT, 0, VCLOCK_DEFAULT_TSC_HZ);
    struct bus *bus = bus_new();
    bus_map_ram(bus, 0, sizeof ram, ram, false, "ram");
    CHECK(cpu_config_model(&cc, "qemu64", err, sizeof err) == 0, "model: %s", err);
    cc.tsc_hz = VCLOCK_DEFAULT_TSC_HZ;
    struct cpu *cpu = cpu_new(bus, &cc, 0);
    struct hv_config *hc = hv_config_new();
    for (const char *const *f = flags; *f; f++)
        CHECK(hv_config_prop(hc, *f, NULL, err, sizeof err) == 0, "%s: %s", *f, err);
    CHECK(hv_config_finish(hc, err, sizeof err) == 0, "finish: %s", err);
    struct hv_partition *p = hv_partition_new(hc, bus, 1);
    struct hv_vcpu *v = hv_vcpu_new(p, cpu, 0);
    hv_vcpu_hooks(v, &h);
    hv_vcpu_set_apic(v, &fake_ops, NULL);
    cpu_reset(cpu);
    wr(GUEST_OS_ID, 1);
    wr(SIMP, 0x2000 | 1);

    vectors_and_acks();
    periodic_skips_missed_periods();

    hv_partition_free(p);
    hv_config_free(hc);
    cpu_free(cpu);
    bus_free(bus);
    if (failures)
        printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
