/*
 * hw/misc/pc-testdev.c: QEMU's pc-testdev (hw/misc/pc-testdev.c in QEMU),
 * the ISA device kvm-unit-tests' x86 tests use:
 *   I/O 0xe0-0xe3    a 32-bit scratch register, any access size, each
 *                    size reaching the bytes it covers
 *   I/O 0xe4-0xe7    "flush page": a 32-bit write names a guest-physical
 *                    page whose host mapping QEMU re-protects so KVM's
 *                    shadow/EPT entries are rebuilt.  satori has no host
 *                    mapping the guest could see change: the write is
 *                    accepted and has no guest-visible effect, as under
 *                    QEMU; reads give 0
 *   I/O 0xe8-0xeb    the same scratch register, implemented byte by byte
 *   I/O 0x2000-0x2017  byte writes set interrupt line n (0-23; non-zero
 *                    raises, zero lowers) of the board's GSI array; reads 0
 *   MMIO 0xff000000  64 KiB of scratch memory
 */
#include "hw/pc/pc-pci.h"

#include <stdlib.h>
#include <string.h>

#define PC_TESTDEV_IOMEM_BASE 0xff000000u
#define PC_TESTDEV_IOMEM_LEN  0x10000u
#define PC_TESTDEV_IRQ_BASE   0x2000
#define PC_TESTDEV_NIRQ       24

struct pc_testdev {
    uint32_t ioport_data;
    struct irq_line irq[PC_TESTDEV_NIRQ];
    uint8_t iomem[PC_TESTDEV_IOMEM_LEN];
};

static uint64_t ioport_read(void *opaque, uint64_t off, unsigned size)
{
    struct pc_testdev *t = opaque;

    return (t->ioport_data >> (8 * (off & 3))) & (0xffffffffu >> (32 - 8 * size));
}

static void ioport_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pc_testdev *t = opaque;
    unsigned sh = 8 * (unsigned)(off & 3);
    uint32_t mask = (0xffffffffu >> (32 - 8 * size)) << sh;

    t->ioport_data = (t->ioport_data & ~mask) | (((uint32_t)val << sh) & mask);
}

static const struct dev_ops ioport_ops = {
    .read = ioport_read, .write = ioport_write, .min_size = 1, .max_size = 4,
};
static const struct dev_ops ioport_byte_ops = {
    .read = ioport_read, .write = ioport_write, .min_size = 1, .max_size = 1,
};

static uint64_t flush_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static void flush_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
}

static const struct dev_ops flush_ops = {
    .read = flush_read, .write = flush_write, .min_size = 4, .max_size = 4,
};

static uint64_t irq_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static void irq_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pc_testdev *t = opaque;

    if (off < PC_TESTDEV_NIRQ)
        irq_set(&t->irq[off], (val & 0xff) != 0);
}

static const struct dev_ops irq_ops = {
    .read = irq_read, .write = irq_write, .min_size = 1, .max_size = 1,
};

static uint64_t iomem_read(void *opaque, uint64_t off, unsigned size)
{
    struct pc_testdev *t = opaque;
    uint64_t v = 0;

    if (off + size <= PC_TESTDEV_IOMEM_LEN)
        memcpy(&v, t->iomem + off, size);
    return v;
}

static void iomem_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pc_testdev *t = opaque;

    if (off + size <= PC_TESTDEV_IOMEM_LEN)
        memcpy(t->iomem + off, &val, size);
}

static const struct dev_ops iomem_ops = {
    .read = iomem_read, .write = iomem_write, .min_size = 1, .max_size = 8,
};

struct pc_testdev *pc_testdev_new(struct bus *bus, const struct irq_line *gsi)
{
    struct pc_testdev *t = calloc(1, sizeof *t);

    if (!t)
        abort();
    for (int i = 0; i < PC_TESTDEV_NIRQ; i++)
        t->irq[i] = gsi ? gsi[i] : (struct irq_line){ 0 };
    if (bus_map_io(bus, 0xe0, 4, &ioport_ops, t, "pc-testdev-ioport") < 0
        || bus_map_io(bus, 0xe4, 4, &flush_ops, t, "pc-testdev-flush-page") < 0
        || bus_map_io(bus, 0xe8, 4, &ioport_byte_ops, t, "pc-testdev-ioport-byte") < 0
        || bus_map_io(bus, PC_TESTDEV_IRQ_BASE, PC_TESTDEV_NIRQ, &irq_ops, t,
                      "pc-testdev-irq-line") < 0
        || bus_map_mmio(bus, PC_TESTDEV_IOMEM_BASE, PC_TESTDEV_IOMEM_LEN, &iomem_ops, t,
                        "pc-testdev-iomem") < 0) {
        free(t);
        return NULL;
    }
    return t;
}

void pc_testdev_free(struct pc_testdev *t)
{
    free(t);
}
