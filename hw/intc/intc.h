/*
 * hw/intc/intc.h: the PC's interrupt controllers as the board wires them.
 *
 *  - struct lapic: one local APIC per vCPU (lapic.c), reached by its CPU
 *    through struct cpu_intc (cpu/cpu.h);
 *  - struct apic_bus: the APIC "bus" joining every local APIC and the
 *    IOAPIC: interrupt messages (IPIs, IOAPIC redirections) and EOI
 *    broadcasts travel over it; one per machine, no global;
 *  - struct ioapic: the 82093AA-style I/O APIC, 24 pins (ioapic.c);
 *  - struct i8259: the cascaded 8259A pair with the ELCR (i8259.c).
 *
 * Input pins are struct irq_line values (hw/hw.h) the board hands to
 * devices; outputs are irq_lines the board gives the controller.
 */
#ifndef SATORI_HW_INTC_H
#define SATORI_HW_INTC_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"

struct cpu;
struct lapic;
struct apic_bus;

/* Delivery modes of ICR, LVT and IOAPIC redirection entries (SDM 10.6.1). */
enum apic_delivery {
    APIC_DM_FIXED = 0,
    APIC_DM_LOWEST = 1,
    APIC_DM_SMI = 2,
    APIC_DM_NMI = 4,
    APIC_DM_INIT = 5,
    APIC_DM_STARTUP = 6,
    APIC_DM_EXTINT = 7,
};

enum apic_shorthand {
    APIC_DEST_NO_SHORTHAND = 0,
    APIC_DEST_SELF = 1,
    APIC_DEST_ALL_INCL_SELF = 2,
    APIC_DEST_ALL_EXCL_SELF = 3,
};

/* One interrupt message on the APIC bus. */
struct apic_msg {
    uint32_t dest;          /* 8-bit xAPIC or 32-bit x2APIC destination */
    bool logical;           /* destination mode */
    bool x2apic_format;     /* dest is x2APIC-format (broadcast 0xffffffff) */
    enum apic_delivery mode;
    uint8_t vector;
    bool level;             /* trigger mode: level */
    bool assert;            /* level: assert (an INIT de-assert has it clear) */
    enum apic_shorthand shorthand;
    struct lapic *src;      /* sender, for shorthands; NULL from the IOAPIC */
};

/* ---- APIC bus ------------------------------------------------------------ */

typedef void (*apic_eoi_fn)(void *opaque, uint8_t vector);

struct apic_bus *apic_bus_new(void);
void apic_bus_free(struct apic_bus *b);
/* Deliver a message to every local APIC it names (none: dropped). */
void apic_bus_deliver(struct apic_bus *b, const struct apic_msg *msg);
/* The IOAPIC's listener for EOIs of level-triggered vectors. */
void apic_bus_set_eoi_listener(struct apic_bus *b, apic_eoi_fn fn, void *opaque);

/* ---- local APIC ---------------------------------------------------------- */

#define LAPIC_VERSION 0x50014u   /* QEMU pc: version 0x14, max LVT entry 5 */
/* The timer counts a 1 GHz bus clock (1 tick per virtual ns) through the
 * divide configuration, as QEMU's APIC does. */
#define LAPIC_BUS_HZ 1000000000ull

/*
 * Create the local APIC of cpu on bus with the given initial APIC ID; the
 * BSP has IA32_APIC_BASE.BSP set.  Installs itself as the CPU's
 * struct cpu_intc.  Returns the APIC (aborts on out of memory).
 */
struct lapic *lapic_new(struct apic_bus *bus, struct cpu *cpu, uint32_t apic_id, bool bsp);
void lapic_free(struct lapic *s);
/* Power-on / machine reset state (SDM 10.4.7.1). */
void lapic_reset(struct lapic *s);
/*
 * The INTA cycle of an external 8259 (ExtINT through LINT0 or an ExtINT
 * message): returns the vector.  The board sets it for the BSP's APIC.
 */
void lapic_set_extint_ack(struct lapic *s, int (*ack)(void *opaque), void *opaque);
/* LINT0 (n = 0) and LINT1 (n = 1) input pins. */
struct irq_line lapic_lint(struct lapic *s, int n);
uint32_t lapic_id(const struct lapic *s);
/* Write an xAPIC register (MMIO offset) as the guest would: the board's
 * firmware hand-off state uses it. */
void lapic_write_reg(struct lapic *s, uint32_t off, uint32_t val);
/*
 * Hyper-V's HV_X64_MSR_EOI/ICR/TPR (the board hands these to hyperv/):
 * x2APIC semantics in either APIC mode, as KVM gives them.
 */
void lapic_hv_eoi(struct lapic *s);
void lapic_hv_icr_write(struct lapic *s, uint64_t icr);
uint64_t lapic_hv_icr_read(const struct lapic *s);
uint32_t lapic_hv_get_tpr(const struct lapic *s);
void lapic_hv_set_tpr(struct lapic *s, uint32_t tpr);
/* Hyper-V SynIC (hyperv/hv-synic.c): inject a SINT vector (false: the APIC
 * is disabled), and the SynIC's auto-EOI / EOI-watched vector bitmaps. */
bool lapic_hv_inject(struct lapic *s, uint8_t vector);
void lapic_hv_set_synic(struct lapic *s, const uint32_t auto_eoi[8], const uint32_t eoi_watch[8],
                        void (*eoi)(void *opaque, uint8_t vector), void *opaque);
/*
 * PV IPI and PV EOI (hyperv/hv-pv.c; PV IPIs use lapic_hv_inject): the
 * highest in-service vector when IRR is empty and that vector is
 * edge-triggered, else -1; a callback after every change of IRR/ISR/TPR
 * state.
 */
int lapic_hv_pv_eoi_vector(const struct lapic *s);
void lapic_hv_set_notify(struct lapic *s, void (*fn)(void *opaque), void *opaque);

/* ---- IOAPIC ---------------------------------------------------------------- */

#define IOAPIC_PINS 24
#define IOAPIC_VERSION 0x20u     /* QEMU pc; has the EOI register */
#define IOAPIC_DEFAULT_BASE 0xfec00000ull

struct ioapic;

/* Map an IOAPIC with the given ID at base; NULL if the range is taken. */
struct ioapic *ioapic_new(struct bus *bus, uint64_t base, uint8_t id, struct apic_bus *apics);
void ioapic_free(struct ioapic *s);
void ioapic_reset(struct ioapic *s);
/* Input pin n (0..23), level as the device drives it (active high). */
struct irq_line ioapic_pin(struct ioapic *s, int n);

/* ---- 8259A pair ------------------------------------------------------------ */

struct i8259;

/*
 * Map the master (0x20), slave (0xa0) and ELCR (0x4d0/0x4d1); intr is the
 * master's INT output.  NULL if a range is taken.
 */
struct i8259 *i8259_new(struct bus *bus, struct irq_line intr);
void i8259_free(struct i8259 *s);
void i8259_reset(struct i8259 *s);
/* ISA IRQ input n (0..15; 2 is the cascade and is not wired). */
struct irq_line i8259_pin(struct i8259 *s, int n);
/* INTA cycle: the vector of the highest-priority request (7/15 spurious). */
int i8259_ack(void *opaque);

#endif
