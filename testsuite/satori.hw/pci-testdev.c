/*
 * testsuite/satori.hw/pci-testdev.c: QEMU's test devices (run with
 * -device pc-testdev -device pci-testdev).
 * pc-testdev: the scratch register at 0xe0 (dword, word and byte
 * accesses each reaching their bytes) and its byte-wise alias at 0xe8,
 * the flush port 0xe4, 64 KiB of scratch memory at 0xff000000.
 * pci-testdev: for each of its six tests (three through BAR0 memory,
 * three through BAR1 I/O) the header read back byte by byte (name,
 * width, offset, data), then writes at the test's offset: the
 * "wildcard" test counts any value, the others only the data byte, and
 * selecting a test resets its count.
 */
#include "pci-guest.h"

static void pc_testdev(void)
{
    volatile uint32_t *mem = (volatile uint32_t *)0xff000000ull;

    outl(0xe0, 0x12345678u);
    reportf(inl(0xe0) == 0x12345678u, "pc-testdev 0xe0 dword");
    outw(0xe2, 0xabcd);
    reportf(inl(0xe0) == 0xabcd5678u && inw(0xe0) == 0x5678 && inb(0xe3) == 0xab,
            "pc-testdev 0xe0 word and byte lanes (0x%x)", inl(0xe0));
    outb(0xe9, 0x11);
    reportf(inl(0xe8) == 0xabcd1178u && inl(0xe0) == 0xabcd1178u,
            "pc-testdev 0xe8 is the same register byte by byte (0x%x)", inl(0xe8));
    outl(0xe4, 0x100000);
    reportf(inl(0xe4) == 0, "pc-testdev flush port reads 0");
    mem[0] = 0xdeadbeefu;
    mem[0x3fff] = 0x01020304u;
    reportf(mem[0] == 0xdeadbeefu && mem[0x3fff] == 0x01020304u
            && *(volatile uint8_t *)0xff00fffcull == 0x04, "pc-testdev iomem");
}

static uint8_t rd(bool io, uint32_t base, uint32_t off)
{
    return io ? inb((uint16_t)(base + off)) : mmio_read8(base + off);
}

static void wr(bool io, uint32_t base, uint32_t off, uint8_t v)
{
    if (io)
        outb((uint16_t)(base + off), v);
    else
        mmio_write8(base + off, v);
}

static uint32_t rd32_bytes(bool io, uint32_t base, uint32_t off)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++)
        v |= (uint32_t)rd(io, base, off + (uint32_t)i) << (8 * i);
    return v;
}

static void pci_testdev(void)
{
    int d = pci_find(0x1b36, 0x0005);
    uint32_t bar[2];

    if (d < 0) {
        report("pci-testdev present", false);
        return;
    }
    bar[0] = pci_read32(d, 0x10) & ~0xfu;
    bar[1] = pci_read32(d, 0x14) & ~0x3u;
    for (int io = 0; io < 2; io++) {
        for (int t = 0; t < 3; t++) {
            char name[32];
            uint32_t off, count;
            uint8_t data;
            int i;

            wr(io, bar[io], 0, (uint8_t)t);
            for (i = 0; i < 31 && (name[i] = (char)rd(io, bar[io], 16 + (uint32_t)i)); i++)
                ;
            name[i] = 0;
            off = rd32_bytes(io, bar[io], 4);
            data = rd(io, bar[io], 8);
            printf("test %u: %s width %u offset %u data 0x%x\n", rd(io, bar[io], 0), name,
                   rd(io, bar[io], 1), off, data);
            wr(io, bar[io], off, data);
            wr(io, bar[io], off, (uint8_t)(data ^ 1));
            wr(io, bar[io], off + 1, data);
            count = rd32_bytes(io, bar[io], 12);
            printf("  count after data, other data, other offset: %u\n", count);
            wr(io, bar[io], 0, (uint8_t)t);
            reportf(rd32_bytes(io, bar[io], 12) == 0, "%s: selecting resets the count", name);
        }
    }
    wr(false, bar[0], 0, 7);
    reportf(rd(false, bar[0], 16) == 0, "no test selected: reads 0");
}

int main(void)
{
    pc_testdev();
    pci_testdev();
    report_done();
}
