/*
 * hw/pci/i440fx.c: the Intel 82441FX PCI and memory controller (PMC) as
 * function 00:00.0 of QEMU's `pc` machine: 8086:1237 revision 2, class
 * host bridge (06 00 00).
 *
 * Spec: Intel 440FX PCIset datasheet (82441FX), 3.2: PAM0-PAM6 at
 * 0x59-0x5F (read/write enables for the 0xC0000-0xFFFFF segments), SMRAM
 * at 0x72 (default 0x02).
 *
 * Deviation: the PAM registers hold what the guest writes but do not
 * remap memory; satori's board maps the BIOS area 0xE0000-0xFFFFF as
 * read-only RAM holding the ACPI tables, the state SeaBIOS leaves it in
 * (PAM0 = 0x10, F segment read-only) before it boots a kernel.
 */
#include "hw/pci/pci.h"

#include <stdlib.h>

#define I440FX_PAM0   0x59
#define I440FX_PAM_N  7
#define I440FX_SMRAM  0x72

static struct pci_dev i440fx;

struct pci_dev *i440fx_new(struct pci_bus *b)
{
    struct pci_dev *d = &i440fx;

    if (pci_dev_init(d, b, PCI_DEVFN(0, 0), "i440FX", 0x8086, 0x1237, 0x060000, 0x02, 0) < 0)
        return NULL;
    d->config[I440FX_SMRAM] = 0x02;
    for (int i = 0; i < I440FX_PAM_N; i++)
        d->config[I440FX_PAM0 + i] = 0;
    return d;
}
