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
/*
 * -device hv-syndbg,host_ip=IP,host_port=N,use_hcalls=on|off (QEMU's
 * properties; props is what follows "hv-syndbg,"): the synthetic
 * debugger's host endpoint, a UDP socket connected to host_ip:host_port
 * (default port 50000).  hv_config_finish() refuses it unless hv-syndbg
 * is among the -cpu flags.  0, or -1 with a message in err.
 */
int hv_syndbg_device(struct hv_config *cfg, const char *props, char *err, size_t errlen);
void hv_syndbg_device_close(struct hv_config *cfg);
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
    /* ---- SynIC (hv-synic.c, hv-stimer.c; reference 5.6) ---- */
    /* A fixed, edge, self-directed interrupt: false if the APIC refuses it
     * (hardware- or software-disabled), as KVM's delivery returns 0. */
    bool (*inject)(void *apic, uint8_t vector);
    /* The SynIC's vectors: auto_eoi[] are accepted without setting ISR;
     * an EOI of a vector in eoi_watch[] calls eoi(opaque, vector). */
    void (*synic_vectors)(void *apic, const uint32_t auto_eoi[8], const uint32_t eoi_watch[8],
                          void (*eoi)(void *opaque, uint8_t vector), void *opaque);
    /* ---- PV IPI and PV EOI (hv-pv.c; reference 4.7, 3.4) ---- */
    /* (PV IPIs go through inject above: a fixed edge vector into this
     * APIC whatever its ID or mode, dropped when it is disabled.) */
    /* The highest in-service vector when nothing is pending in IRR and
     * that vector is edge-triggered (its EOI needs no I/O APIC
     * broadcast), else -1: the vector PV EOI may cover. */
    int (*pv_eoi_vector)(void *apic);
    /* Call fn(opaque) after every change of the APIC's IRR/ISR/TPR state. */
    void (*set_notify)(void *apic, void (*fn)(void *opaque), void *opaque);
};
void hv_vcpu_set_apic(struct hv_vcpu *v, const struct hv_apic_ops *ops, void *apic);
/*
 * ---- SynIC message and event routes (QEMU's hw/hyperv/hyperv.c model;
 * used by hw/misc/hyperv-testdev.c).  All return 0 or a negative errno.
 */
struct hv_sint_route;
#define HV_MESSAGE_SIZE 256
#define HV_MESSAGE_PAYLOAD_SIZE 240
/* HvPostMessage input as the guest passes it (TLFS; reference 4.7). */
struct hv_post_message_input {
    uint32_t connection_id, reserved, message_type, payload_size;
    uint8_t payload[HV_MESSAGE_PAYLOAD_SIZE];
};
/* A route to SINT sint of the vCPU with that VP index; ack (may be NULL)
 * learns how a posted message ended (0 delivered, -EAGAIN slot was busy
 * and the guest has since acknowledged, -ENXIO no message page).
 * NULL if there is no such vCPU or the SynIC is not active. */
struct hv_sint_route *hv_sint_route_new(struct hv_partition *p, uint32_t vp_index,
                                        unsigned sint, void (*ack)(void *opaque, int status),
                                        void *opaque);
void hv_sint_route_free(struct hv_sint_route *r);
/* Raise the SINT's interrupt (as a KVM irqfd would). */
int hv_sint_route_set_sint(struct hv_sint_route *r);
/* Stage a 256-byte message for the route's slot: -EAGAIN while the last
 * one is still staged (QEMU's hyperv_post_msg). */
int hv_sint_route_post(struct hv_sint_route *r, const void *msg);
/* Set event flag n in the route's SIEFP slot, raising the SINT on 0->1. */
int hv_sint_route_set_flag(struct hv_sint_route *r, unsigned n);
/* HvPostMessage handler for a connection id (fn NULL removes); returns an
 * HV_STATUS_* value for the guest.  -EEXIST / -ENOENT as QEMU's. */
int hv_set_msg_handler(struct hv_partition *p, uint32_t conn_id,
                       uint16_t (*fn)(void *opaque, const struct hv_post_message_input *m),
                       void *opaque);
/* HvSignalEvent target for a connection id (KVM's eventfd table). */
int hv_set_event_handler(struct hv_partition *p, uint32_t conn_id,
                         void (*fn)(void *opaque), void *opaque);

/* Machine reset: MSRs back to their reset values (QEMU's hyperv_init_vcpu). */
void hv_partition_reset(struct hv_partition *p);
/* 'info hyperv': the state of every enlightenment of every vCPU. */
void hv_dump(struct hv_partition *p, FILE *out);

#endif
