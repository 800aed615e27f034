/*
 * hw/pc/pc-pci.h: the part of the PC a BIOS would finish before a kernel
 * runs: PCI (i440FX, PIIX3, PIIX4 PM, optional pci-testdev), fw_cfg, the
 * ACPI tables in guest memory, and QEMU's pc-testdev.  The board calls
 * pc_pci_init() once every other device exists (the DSDT lists the ISA
 * devices it finds on the bus).
 */
#ifndef SATORI_HW_PC_PCI_H
#define SATORI_HW_PC_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"

struct pc_testdev;
/* QEMU's pc-testdev; gsi may be NULL (interrupt lines wired to nothing). */
struct pc_testdev *pc_testdev_new(struct bus *bus, const struct irq_line *gsi);
void pc_testdev_free(struct pc_testdev *t);

#define PC_ACPI_PM_BASE   0x600
#define PC_PCI_IO_BASE    0xc000
#define PC_PCI_MEM_END    0xfec00000ull
#define PC_BIOS_AREA      0xe0000ull    /* ACPI tables (HIGH zone) */
#define PC_BIOS_FSEG      0xf0000ull    /* RSDP (FSEG zone) */
#define PC_BIOS_END       0x100000ull

struct pc_pci_config {
    struct bus *bus;
    uint8_t *ram;                   /* host memory of guest RAM (for the BIOS area) */
    const struct irq_line *gsi;     /* 24 GSIs (ISA IRQs are 0-15), or NULL */
    uint64_t ram_size, below_4g, above_4g;
    int ncpus;
    const uint32_t *apic_ids;       /* ncpus entries */
    bool pci_testdev, pc_testdev;
    const char *cmdline;            /* -append, for fw_cfg */
    void (*poweroff)(void *opaque); /* ACPI S5 */
    void *poweroff_opaque;
};

struct pc_pci {
    struct pci_bus *pci;
    struct piix3 *piix3;
    struct piix4_pm *pm;
    struct fw_cfg *fw_cfg;
    struct pci_testdev *pci_testdev;
    struct pc_testdev *pc_testdev;
    uint64_t rsdp_addr;
};

/* 0, or -1 with the reason in err. */
int pc_pci_init(struct pc_pci *p, const struct pc_pci_config *c, char *err, size_t errlen);
/* Machine reset: PCI functions and fw_cfg to power-on, then the BIOS step. */
void pc_pci_reset(struct pc_pci *p);
void pc_pci_free(struct pc_pci *p);

#endif
