/*
 * testsuite/satori.hw/pci-config.c: the PCI functions of QEMU's `pc` as a
 * guest sees them after the firmware: configuration mechanism #1
 * (enable bit, byte/word/dword data accesses), a scan of bus 0 listing
 * vendor, device, class, header type, command, interrupt pin and line of
 * every function (QEMU's PIIX3 IDE at 00:01.1 is skipped: satori has no
 * IDE), the PIIX3 registers (PIRQ routes as SeaBIOS programs them, reset
 * values), the PIIX4 PM base, and with -device pci-testdev its BARs:
 * sizing, decoding enabled and disabled by the command register, moving a
 * BAR.  Compared line by line with qemu-system-x86_64.
 */
#include "pci-guest.h"

static void scan(void)
{
    for (int devfn = 0; devfn < 256; devfn++) {
        uint32_t id = pci_read32(devfn, 0);
        uint32_t class = pci_read32(devfn, 8) >> 8;

        if (id == 0xffffffffu || (class >> 8) == 0x0101)
            continue;
        printf("pci %02x.%x %04x:%04x class %06x rev %02x hdr %02x cmd %04x pin %u line %u\n",
               devfn >> 3, devfn & 7, id & 0xffff, id >> 16, class, pci_read8(devfn, 8),
               pci_read8(devfn, 0x0e), pci_read16(devfn, 4), pci_read8(devfn, 0x3d),
               pci_read8(devfn, 0x3c));
    }
}

static void mechanism(void)
{
    uint32_t id = pci_read32(0, 0);

    outl(0xcf8, pci_addr(0, 0));
    reportf(inl(0xcf8) == 0x80000000u, "cf8 reads back 0x%x", inl(0xcf8));
    reportf(inw(0xcfc) == (id & 0xffff) && inw(0xcfe) == id >> 16, "word data accesses");
    reportf(inb(0xcfc) == (id & 0xff) && inb(0xcfd) == ((id >> 8) & 0xff)
            && inb(0xcfe) == ((id >> 16) & 0xff) && inb(0xcff) == id >> 24, "byte data accesses");
    outl(0xcf8, 0x00000000u);
    reportf(inl(0xcfc) == 0xffffffffu, "enable bit clear reads all ones (0x%x)", inl(0xcfc));
    outl(0xcf8, pci_addr(0x1f << 3, 0));
    reportf(inl(0xcfc) == 0xffffffffu, "absent device reads all ones");
    outl(0xcf8, 0x80000000u | 1u << 16);
    reportf(inl(0xcfc) == 0xffffffffu, "bus 1 reads all ones");
    /* the host bridge's cache line size is writable, its vendor ID is not */
    pci_write8(0, 0x0c, 0x10);
    pci_write16(0, 0, 0x1234);
    reportf(pci_read8(0, 0x0c) == 0x10 && pci_read32(0, 0) == id, "write masks");
    pci_write8(0, 0x0c, 0);
}

static void piix3(void)
{
    int isa = 1 << 3;

    printf("piix3 pirq %02x %02x %02x %02x\n", pci_read8(isa, 0x60), pci_read8(isa, 0x61),
           pci_read8(isa, 0x62), pci_read8(isa, 0x63));
    printf("piix3 4c %02x 4e %02x 69 %02x 70 %02x 76 %02x 78 %02x a0 %02x a8 %02x\n",
           pci_read8(isa, 0x4c), pci_read8(isa, 0x4e), pci_read8(isa, 0x69), pci_read8(isa, 0x70),
           pci_read8(isa, 0x76), pci_read8(isa, 0x78), pci_read8(isa, 0xa0), pci_read8(isa, 0xa8));
    pci_write8(isa, 0x61, 0x85);
    reportf(pci_read8(isa, 0x61) == 0x85, "PIRQB route register is writable");
    pci_write8(isa, 0x61, 0x0a);
    printf("pm base %08x misc %02x\n", pci_read32((1 << 3) | 3, 0x40),
           pci_read8((1 << 3) | 3, 0x80));
}

static void testdev_bars(void)
{
    int d = pci_find(0x1b36, 0x0005);
    uint32_t bar0, bar1, size0, size1;
    uint16_t cmd;

    if (d < 0) {
        printf("no pci-testdev\n");
        return;
    }
    bar0 = pci_read32(d, 0x10);
    bar1 = pci_read32(d, 0x14);
    cmd = pci_read16(d, 4);
    printf("testdev %02x.%x bar0 %08x bar1 %08x\n", d >> 3, d & 7, bar0, bar1);
    pci_write32(d, 0x10, 0xffffffffu);
    size0 = pci_read32(d, 0x10);
    pci_write32(d, 0x14, 0xffffffffu);
    size1 = pci_read32(d, 0x14);
    printf("testdev size masks %08x %08x\n", size0, size1);
    pci_write32(d, 0x10, bar0);
    pci_write32(d, 0x14, bar1);
    reportf(pci_read32(d, 0x10) == bar0 && pci_read32(d, 0x14) == bar1, "BARs restored");

    /* select mmio test 0 and read its name back through BAR0 */
    mmio_write8(bar0, 0);
    reportf(mmio_read8(bar0 + 16) == 'm', "BAR0 decodes (name byte 0x%x)", mmio_read8(bar0 + 16));
    pci_write16(d, 4, cmd & ~2u);
    /* nothing decodes there now (QEMU reads 0, satori all ones) */
    reportf(mmio_read8(bar0 + 16) != 'm', "memory decoding off: BAR0 gone");
    pci_write16(d, 4, cmd);
    reportf(mmio_read8(bar0 + 16) == 'm', "memory decoding back on");
    pci_write32(d, 0x10, bar0 - 0x10000);
    reportf(mmio_read8(bar0 + 16) != 'm' && mmio_read8(bar0 - 0x10000 + 16) == 'm',
            "BAR0 moved");
    pci_write32(d, 0x10, bar0);
    outb((uint16_t)(bar1 & ~3u), 0);
    reportf(inb((uint16_t)((bar1 & ~3u) + 16)) == 'p', "BAR1 decodes");
    pci_write16(d, 4, cmd & ~1u);
    reportf(inb((uint16_t)((bar1 & ~3u) + 16)) == 0xff, "I/O decoding off: BAR1 reads all ones");
    pci_write16(d, 4, cmd);
}

int main(void)
{
    mechanism();
    scan();
    piix3();
    testdev_bars();
    report_done();
}
