/*
 * hw/pci/pci-bios.c: the PCI set-up SeaBIOS performs on QEMU's `pc`
 * before it boots a kernel, done by the board because satori loads
 * kernels directly (docs/design-notes.md, "No BIOS").
 *
 * What SeaBIOS does (its pciinit, observable from the guest under QEMU):
 *  - PIIX3 PIRQ A-D route to ISA IRQs 10, 10, 11, 11, and those IRQs are
 *    made level-triggered in the ELCR (0x4d0/0x4d1);
 *  - every function with an interrupt pin gets PCI_INTERRUPT_LINE = the
 *    IRQ its PIRQ routes to (slot swizzle as the i440FX board wires it),
 *    except the PIIX4 PM function, whose interrupt is the SCI: line 9;
 *  - I/O BARs are packed upward from 0xc000, memory BARs in one window
 *    that ends at 0xfec00000 (the IOAPIC), prefetchable ones at its top;
 *    within a window the largest BAR goes first, equal sizes in bus order;
 *  - I/O and memory decoding are enabled in every function's command
 *    register;
 *  - the PIIX4 PM base is set (SeaBIOS uses 0x600) and enabled.
 * 64-bit BARs are placed below 4 GiB like the others (SeaBIOS moves them
 * above 4 GiB only when the 32-bit window is full).
 */
#include "hw/pci/pci.h"

#include <stdlib.h>

static const uint8_t pirq_irq[4] = { 10, 10, 11, 11 };

struct bar_ref {
    struct pci_dev *d;
    int n;
};

/* Sort BARs of one kind: larger first, then bus order (stable). */
static void sort_bars(struct bar_ref *r, int n)
{
    for (int i = 1; i < n; i++) {
        struct bar_ref t = r[i];
        int j = i;
        while (j > 0 && r[j - 1].d->bar[r[j - 1].n].size < t.d->bar[t.n].size) {
            r[j] = r[j - 1];
            j--;
        }
        r[j] = t;
    }
}

static void write_bar(struct pci_bus *b, const struct bar_ref *r, uint64_t addr)
{
    const struct pci_bar *bar = &r->d->bar[r->n];
    unsigned off = PCI_BASE_ADDRESS_0 + 4 * (unsigned)r->n;

    pci_config_write(b, r->d->devfn, off, (uint32_t)addr, 4);
    if (!(bar->type & PCI_BASE_ADDRESS_SPACE_IO) && (bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64))
        pci_config_write(b, r->d->devfn, off + 4, (uint32_t)(addr >> 32), 4);
}

enum { KIND_IO, KIND_MEM, KIND_PREF, KIND_N };

static int bar_kind(const struct pci_bar *bar)
{
    if (bar->type & PCI_BASE_ADDRESS_SPACE_IO)
        return KIND_IO;
    return bar->type & PCI_BASE_ADDRESS_MEM_PREFETCH ? KIND_PREF : KIND_MEM;
}

int pci_bios_setup(struct pci_bus *b, uint16_t io_base, uint64_t mem_end, uint16_t pm_base)
{
    struct bar_ref refs[KIND_N][256 * PCI_NUM_BARS / 4];
    int count[KIND_N] = { 0 };
    uint64_t sum[KIND_N] = { 0 }, align[KIND_N] = { 1, 1, 1 };
    uint8_t elcr[2] = { 0, 0 };
    struct pci_dev *isa = pci_bus_dev(b, PCI_DEVFN(1, 0));
    struct pci_dev *pm = pci_bus_dev(b, PCI_DEVFN(1, 3));

    if (isa) {
        for (int i = 0; i < 4; i++) {
            pci_config_write(b, isa->devfn, 0x60 + (unsigned)i, pirq_irq[i], 1);
            elcr[pirq_irq[i] >> 3] |= (uint8_t)(1u << (pirq_irq[i] & 7));
        }
        bus_io_write(pci_bus_sys(b), 0x4d0, elcr[0], 1);
        bus_io_write(pci_bus_sys(b), 0x4d1, elcr[1], 1);
    }
    for (int devfn = 0; devfn < 256; devfn++) {
        struct pci_dev *d = pci_bus_dev(b, devfn);
        int pin;

        if (!d)
            continue;
        pin = d->config[PCI_INTERRUPT_PIN];
        if (d == pm)
            pci_config_write(b, devfn, PCI_INTERRUPT_LINE, 9, 1);
        else if (pin >= 1 && pin <= 4)
            pci_config_write(b, devfn, PCI_INTERRUPT_LINE,
                             pirq_irq[piix3_slot_pirq(PCI_SLOT(devfn), pin - 1)], 1);
        for (int n = 0; n < PCI_NUM_BARS; n++) {
            const struct pci_bar *bar = &d->bar[n];
            int k;

            if (!bar->size)
                continue;
            k = bar_kind(bar);
            if (count[k] == (int)(sizeof refs[k] / sizeof refs[k][0]))
                return -1;
            refs[k][count[k]++] = (struct bar_ref){ d, n };
            sum[k] += bar->size;
            if (bar->size > align[k])
                align[k] = bar->size;
        }
    }
    for (int k = 0; k < KIND_N; k++)
        sort_bars(refs[k], count[k]);

    /* windows: I/O upward from io_base; prefetchable at the top of the
     * memory window, plain memory below it */
    uint64_t base[KIND_N];
    base[KIND_IO] = io_base;
    base[KIND_PREF] = (mem_end - sum[KIND_PREF]) & ~(align[KIND_PREF] - 1);
    base[KIND_MEM] = (base[KIND_PREF] - sum[KIND_MEM]) & ~(align[KIND_MEM] - 1);
    if (base[KIND_IO] + sum[KIND_IO] > 0x10000 || base[KIND_MEM] > mem_end)
        return -1;
    for (int k = 0; k < KIND_N; k++) {
        uint64_t at = base[k];
        for (int i = 0; i < count[k]; i++) {
            write_bar(b, &refs[k][i], at);
            at += refs[k][i].d->bar[refs[k][i].n].size;
        }
    }
    for (int devfn = 0; devfn < 256; devfn++) {
        struct pci_dev *d = pci_bus_dev(b, devfn);
        if (d) {
            uint32_t cmd = pci_config_read(b, devfn, PCI_COMMAND, 2);
            pci_config_write(b, devfn, PCI_COMMAND,
                             cmd | PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_SERR, 2);
        }
    }
    if (pm) {
        pci_config_write(b, pm->devfn, 0x40, pm_base | 1u, 4);
        pci_config_write(b, pm->devfn, 0x80, 0x01, 1);
    }
    return 0;
}
