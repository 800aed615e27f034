/*
 * hw/pci/pci.h: the PCI bus core (conventional PCI, type 0 functions on
 * bus 0), configuration mechanism #1, and the PC's PCI functions: the
 * i440FX host bridge, the PIIX3 ISA bridge (PIRQ router, reset control
 * 0xCF9), the PIIX4-style ACPI power-management function and QEMU's
 * pci-testdev.
 *
 * Spec: PCI Local Bus Specification 3.0 (ch. 6: configuration space, BARs,
 * capabilities list; 3.2.2.3.2: configuration mechanism #1).  Intel 82441FX
 * (i440FX PMC) and 82371SB (PIIX3) / 82371AB (PIIX4) datasheets.
 */
#ifndef SATORI_HW_PCI_H
#define SATORI_HW_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"

/* ---- configuration space layout (PCI 3.0, 6.1) -------------------------- */

#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define  PCI_COMMAND_IO         0x0001
#define  PCI_COMMAND_MEMORY     0x0002
#define  PCI_COMMAND_MASTER     0x0004
#define  PCI_COMMAND_SERR       0x0100
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS              0x06
#define  PCI_STATUS_INTERRUPT   0x0008
#define  PCI_STATUS_CAP_LIST    0x0010
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09
#define PCI_CLASS_DEVICE        0x0a
#define PCI_CACHE_LINE_SIZE     0x0c
#define PCI_LATENCY_TIMER       0x0d
#define PCI_HEADER_TYPE         0x0e
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BASE_ADDRESS_0      0x10
#define  PCI_BASE_ADDRESS_SPACE_IO     0x01
#define  PCI_BASE_ADDRESS_SPACE_MEMORY 0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_64  0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_ROM_ADDRESS         0x30
#define PCI_CAPABILITY_LIST     0x34
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d
#define PCI_CONFIG_HEADER_SIZE  0x40
#define PCI_CONFIG_SPACE_SIZE   0x100

#define PCI_NUM_BARS 6
#define PCI_BAR_UNMAPPED (~0ull)
#define PCI_DEVFN(slot, fn) (((slot) << 3) | (fn))
#define PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn) ((devfn) & 7)

struct pci_bus;
struct pci_dev;

struct pci_bar {
    uint64_t size;              /* 0: not implemented */
    uint8_t type;               /* PCI_BASE_ADDRESS_SPACE_IO, or memory type bits */
    const struct dev_ops *ops;
    void *opaque;
    const char *name;
    uint64_t mapped;            /* where it is on the bus, or PCI_BAR_UNMAPPED */
};

struct pci_dev {
    struct pci_bus *bus;
    uint8_t devfn;
    const char *name;
    uint8_t config[PCI_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCI_CONFIG_SPACE_SIZE];   /* bits the guest may write */
    uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE]; /* bits a written 1 clears */
    uint8_t config_poweron[PCI_CONFIG_SPACE_SIZE]; /* restored by pci_bus_reset */
    struct pci_bar bar[PCI_NUM_BARS];
    uint16_t cap_end;           /* first free byte for pci_add_capability */
    bool intx_level;            /* the device's INTx input, before INTx disable */
    /* Optional hooks: after the generic write; a read override. */
    void (*config_write)(struct pci_dev *d, unsigned off, uint32_t val, unsigned size);
    uint32_t (*config_read)(struct pci_dev *d, unsigned off, unsigned size);
    /* Optional: the device's own state back to power-on (after the config space). */
    void (*reset)(struct pci_dev *d);
    void *opaque;
};

/*
 * INTx router: the bus asks it to set (slot, pin 0..3 = INTA..INTD) to
 * level.  The PIIX3 installs one (swizzle to PIRQ, then to an ISA IRQ).
 */
typedef void (*pci_intx_fn)(void *opaque, int devfn, int pin, bool level);

/* A bus on the system bus sys (BARs are mapped there). */
struct pci_bus *pci_bus_new(struct bus *sys);
void pci_bus_free(struct pci_bus *b);
void pci_bus_set_intx_router(struct pci_bus *b, pci_intx_fn fn, void *opaque);
struct bus *pci_bus_sys(struct pci_bus *b);
struct pci_dev *pci_bus_dev(struct pci_bus *b, int devfn);

/*
 * Put d at devfn (0..255) with its identity; class is the 24-bit class
 * code (base << 16 | sub << 8 | prog-if).  Default write masks as QEMU's
 * (command IO/MEM/MASTER/SERR/INTx-disable, cache line, interrupt line,
 * and all of 0x40-0xff); the hooks and opaque are cleared, set them afterwards.
 * Returns 0, or -1 if devfn is taken.
 */
int pci_dev_init(struct pci_dev *d, struct pci_bus *b, int devfn, const char *name,
                 uint16_t vendor, uint16_t device, uint32_t class_code, uint8_t revision,
                 uint8_t header_type);
/* Declare BAR n (size a power of two; 64-bit memory BARs take n and n+1). */
void pci_register_bar(struct pci_dev *d, int n, uint8_t type, uint64_t size,
                      const struct dev_ops *ops, void *opaque, const char *name);
/* Append a capability of len bytes with ID id; returns its offset, or 0 if full. */
unsigned pci_add_capability(struct pci_dev *d, uint8_t id, unsigned len);
/* Drive the function's INTx line (the pin in PCI_INTERRUPT_PIN). */
void pci_set_irq(struct pci_dev *d, bool level);
/* Config accesses by devfn (for the host bridge and the board's BIOS step). */
uint32_t pci_config_read(struct pci_bus *b, int devfn, unsigned off, unsigned size);
void pci_config_write(struct pci_bus *b, int devfn, unsigned off, uint32_t val, unsigned size);

/*
 * Reset (PCI 3.0, 6.1: RST# puts every register in its default state):
 * pci_bus_power_on() records each function's configuration space once all
 * functions are built and before anything writes them; pci_bus_reset()
 * lowers every INTx line, restores those bytes (BARs, command, interrupt
 * line, the device's own registers), unmaps what no longer decodes and
 * calls each function's reset hook.
 */
void pci_bus_power_on(struct pci_bus *b);
void pci_bus_reset(struct pci_bus *b);

/* ---- configuration mechanism #1 (0xCF8 address, 0xCFC-0xCFF data) ---- */

/* Maps 0xcf8 (dword), 0xcfa-0xcfb and 0xcfc-0xcff; 0xcf9 stays free for
 * the PIIX3 reset control register.  -1 if a port is taken. */
int pci_host_init(struct pci_bus *b);

/* ---- the PC's functions -------------------------------------------------- */

/* i440FX host bridge at 00:00.0 (PAM and SMRAM registers). */
struct pci_dev *i440fx_new(struct pci_bus *b);

/*
 * PIIX3 ISA bridge at 00:01.0: PIRQ A-D route control (0x60-0x63), INTx
 * routing to gsi[0..15] (the ISA IRQs), reset control at 0xCF9.
 */
struct piix3;
struct piix3 *piix3_new(struct pci_bus *b, const struct irq_line *gsi);
void piix3_free(struct piix3 *p);
/* PIRQ (0..3) a device pin (0..3 = INTA..D) in slot lands on: the i440FX
 * board's swizzle. */
int piix3_slot_pirq(int slot, int pin);

/*
 * PIIX4 ACPI power-management function at 00:01.3: PM base register 0x40
 * (enabled by bit 0 of 0x80) decoding PM1a event, PM1a control and the
 * 24-bit PM timer; GPE0 at 0xafe0; the APM/SMI command port 0xb2 (0xf1
 * sets SCI_EN, 0xf0 clears it); SCI on sci.  S5 (SLP_TYP 0, or the S4
 * value 2) with SLP_EN calls poweroff(opaque).
 */
struct piix4_pm;
struct piix4_pm *piix4_pm_new(struct pci_bus *b, struct irq_line sci,
                              void (*poweroff)(void *opaque), void *opaque);
void piix4_pm_free(struct piix4_pm *pm);
/* The power button was pressed (PWRBTN_STS, SCI when enabled). */
void piix4_pm_power_button(struct piix4_pm *pm);
/* PM timer value now (24 bits), for tests and the monitor. */
uint32_t piix4_pm_timer(struct piix4_pm *pm);

#define PIIX4_PM_GPE0_BASE 0xafe0
#define PIIX4_PM_GPE0_LEN  4
#define APM_CNT_IOPORT     0xb2
#define ACPI_ENABLE_CMD    0xf1
#define ACPI_DISABLE_CMD   0xf0

/* QEMU's pci-testdev (1b36:0005): BAR0 4 KiB MMIO, BAR1 256 bytes I/O. */
struct pci_testdev;
struct pci_testdev *pci_testdev_new(struct pci_bus *b, int devfn);
void pci_testdev_free(struct pci_testdev *t);

/*
 * What SeaBIOS does before it boots a kernel: assign every BAR (I/O from
 * io_base upward, memory top-down below mem_end, largest first), enable
 * I/O and memory decoding, program PIRQ A-D to IRQs 10, 10, 11, 11 and
 * each function's interrupt line, set the PM base to pm_base and enable
 * it.  Returns 0, or -1 when the BARs do not fit.
 */
int pci_bios_setup(struct pci_bus *b, uint16_t io_base, uint64_t mem_end, uint16_t pm_base);

#endif
