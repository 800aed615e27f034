/*
 * hw/pci/piix3.c: the Intel 82371SB PIIX3 PCI-to-ISA bridge, function
 * 00:01.0 of QEMU's `pc`: 8086:7000, class ISA bridge (06 01 00),
 * multi-function header.
 *
 * Spec: 82371SB datasheet, 2.2: PIRQRC[A:D] at 0x60-0x63 (bit 7 = routing
 * disabled, bits 3:0 = ISA IRQ; reset value 0x80), the other reset values
 * QEMU gives (IORT 0x4c = 0x4d, XBCS 0x4e = 0x03, TOM 0x69 = 0x02, MBIRQ0
 * 0x70 = 0x80, MBDMA 0x76/0x77 = 0x0c, PCSC 0x78 = 0x02, SMICNTL 0xa0 =
 * 0x08, SMIEN 0xa8 = 0x0f); 4.1.4: the reset control register at I/O
 * 0xCF9 (bit 2 RST_CPU starts a reset, bit 1 SRST selects hard reset;
 * only bit 1 is kept).
 *
 * INTx routing (QEMU's i440FX board wiring): pin p (0 = INTA) of slot s
 * drives PIRQ (p + s - 1) mod 4; a PIRQ whose route register has bit 7
 * clear and an IRQ below 16 drives that ISA IRQ, level-high into the line
 * the board passes (the 8259 and IOAPIC input behind it, with the ELCR
 * set to level as the firmware does).  Several PIRQs may share one IRQ:
 * the IRQ is the OR of them.
 */
#include "hw/pci/pci.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define PIIX_PIRQRC 0x60
#define PIIX_RCR_IOPORT 0xcf9
#define RCR_SRST    0x02
#define RCR_RST_CPU 0x04

struct piix3 {
    struct pci_dev dev;
    struct irq_line isa[16];
    int pirq_count[4];          /* asserted device pins per PIRQ */
    bool isa_level[16];
    uint8_t rcr;
};

int piix3_slot_pirq(int slot, int pin)
{
    return (pin + slot - 1) & 3;
}

static void piix3_update(struct piix3 *p)
{
    bool want[16] = { false };

    for (int i = 0; i < 4; i++) {
        uint8_t route = p->dev.config[PIIX_PIRQRC + i];
        if (!(route & 0x80) && (route & 0x0f) < 16 && p->pirq_count[i] > 0)
            want[route & 0x0f] = true;
    }
    for (int irq = 0; irq < 16; irq++) {
        if (want[irq] != p->isa_level[irq]) {
            p->isa_level[irq] = want[irq];
            irq_set(&p->isa[irq], want[irq]);
        }
    }
}

static void piix3_intx(void *opaque, int devfn, int pin, bool level)
{
    struct piix3 *p = opaque;
    int pirq = piix3_slot_pirq(PCI_SLOT(devfn), pin);

    p->pirq_count[pirq] += level ? 1 : -1;
    if (p->pirq_count[pirq] < 0)
        abort(); /* the bus reported a lowering it never raised */
    piix3_update(p);
}

static void piix3_config_write(struct pci_dev *d, unsigned off, uint32_t val, unsigned size)
{
    if (off < PIIX_PIRQRC + 4 && off + size > PIIX_PIRQRC)
        piix3_update(d->opaque);
}

static uint64_t rcr_read(void *opaque, uint64_t off, unsigned size)
{
    struct piix3 *p = opaque;

    return p->rcr;
}

static void rcr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct piix3 *p = opaque;

    if (val & RCR_RST_CPU) {
        machine_request_reset();
        return;
    }
    p->rcr = val & RCR_SRST;
}

static const struct dev_ops rcr_ops = {
    .read = rcr_read, .write = rcr_write, .min_size = 1, .max_size = 1,
};

/* Reset: PIRQ routes back to disabled (restored config), SRST cleared. */
static void piix3_reset(struct pci_dev *d)
{
    struct piix3 *p = d->opaque;

    p->rcr = 0;
    piix3_update(p);
}

struct piix3 *piix3_new(struct pci_bus *b, const struct irq_line *gsi)
{
    struct piix3 *p = calloc(1, sizeof *p);
    uint8_t *c;

    if (!p)
        abort();
    if (pci_dev_init(&p->dev, b, PCI_DEVFN(1, 0), "PIIX3", 0x8086, 0x7000, 0x060100, 0,
                     PCI_HEADER_TYPE_MULTI_FUNCTION) < 0
        || bus_map_io(pci_bus_sys(b), PIIX_RCR_IOPORT, 1, &rcr_ops, p, "piix-reset-control") < 0) {
        free(p);
        return NULL;
    }
    memcpy(p->isa, gsi, sizeof p->isa);
    c = p->dev.config;
    c[PCI_STATUS + 1] = 0x02;  /* DEVSEL medium */
    c[0x4c] = 0x4d;
    c[0x4e] = 0x03;
    memset(c + PIIX_PIRQRC, 0x80, 4);
    c[0x69] = 0x02;
    c[0x70] = 0x80;
    c[0x76] = c[0x77] = 0x0c;
    c[0x78] = 0x02;
    c[0xa0] = 0x08;
    c[0xa8] = 0x0f;
    p->dev.opaque = p;
    p->dev.config_write = piix3_config_write;
    p->dev.reset = piix3_reset;
    pci_bus_set_intx_router(b, piix3_intx, p);
    return p;
}

void piix3_free(struct piix3 *p)
{
    free(p);
}
