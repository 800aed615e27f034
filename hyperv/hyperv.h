/*
 * hyperv/ public interface: the Hyper-V enlightenments (and KVM's
 * paravirtual signature leaves) as KVM + QEMU present them.
 *
 * One table (hv-table.c) describes every enlightenment; flag parsing,
 * dependency checks, CPUID construction, MSR and hypercall gating and the
 * -d hyperv trace all come from it.  The CPU reaches this module only
 * through struct cpu_hv_hooks (cpu/cpu.h); this module reaches the machine
 * through the bus (guest-physical pages), the CPU register accessors, the
 * virtual clock, and the board's request functions.
 */
#ifndef SATORI_HYPERV_H
#define SATORI_HYPERV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/cpu.h"

struct bus;
struct hv_config;
struct hv_partition;
struct hv_vcpu;

struct hv_config *hv_config_new(void);
void hv_config_free(struct hv_config *cfg);

/*
 * Offer one -cpu property (e.g. name "hv-spinlocks", value "0x1fff"; value
 * NULL for a bare flag; name "kvm" for kvm=on|off).  Returns 1 if the name
 * is not one of this module's (the caller tries cpu/), 0 if accepted, -1
 * with a message in err (bad value, or an enlightenment satori cannot
 * provide yet, saying so).
 */
int hv_config_prop(struct hv_config *cfg, const char *name, const char *value,
                   char *err, size_t errlen);
/* Dependency check after all properties: 0, or -1 naming both flags. */
int hv_config_finish(struct hv_config *cfg, char *err, size_t errlen);
/* Any Hyper-V enlightenment visible to the guest? */
bool hv_config_enabled(const struct hv_config *cfg);
/* Print the known hv-* flags (for errors and -cpu help). */
void hv_list_flags(FILE *out);

/* One partition per machine; one hv_vcpu per vCPU. */
struct hv_partition *hv_partition_new(const struct hv_config *cfg, struct bus *bus,
                                      int ncpus);
void hv_partition_free(struct hv_partition *p);
struct hv_vcpu *hv_vcpu_new(struct hv_partition *p, struct cpu *cpu, int index);
/* Fill the hooks to install with cpu_set_hv_hooks(). */
void hv_vcpu_hooks(struct hv_vcpu *v, struct cpu_hv_hooks *out);
/*
 * The vCPU's local APIC as HV_X64_MSR_EOI/ICR/TPR reach it (reference 3.5):
 * the board supplies these (x2APIC semantics in either APIC mode).
 * Without them the three MSRs #GP, as KVM's without an in-kernel LAPIC.
 */
struct hv_apic_ops {
    void (*eoi)(void *apic);
    void (*icr_write)(void *apic, uint64_t icr);
    uint64_t (*icr_read)(void *apic);
    uint32_t (*tpr_get)(void *apic);
    void (*tpr_set)(void *apic, uint32_t tpr);
    /* ---- PV IPI and PV EOI (hv-pv.c; reference 4.7, 3.4) ---- */
    /* A fixed, edge-triggered vector straight into this APIC whatever its
     * ID, mode or destination format; false when it is dropped because
     * the APIC is hardware- or software-disabled (as KVM drops it). */
    bool (*fixed_ipi)(void *apic, uint8_t vector);
    /* The highest in-service vector when nothing is pending in IRR and
     * that vector is edge-triggered (its EOI needs no I/O APIC
     * broadcast), else -1: the vector PV EOI may cover. */
    int (*pv_eoi_vector)(void *apic);
    /* Call fn(opaque) after every change of the APIC's IRR/ISR/TPR state. */
    void (*set_notify)(void *apic, void (*fn)(void *opaque), void *opaque);
};
void hv_vcpu_set_apic(struct hv_vcpu *v, const struct hv_apic_ops *ops, void *apic);
/* Machine reset: MSRs back to their reset values (QEMU's hyperv_init_vcpu). */
void hv_partition_reset(struct hv_partition *p);
/* 'info hyperv': the state of every enlightenment of every vCPU. */
void hv_dump(struct hv_partition *p, FILE *out);

#endif
