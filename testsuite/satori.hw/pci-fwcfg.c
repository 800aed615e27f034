/*
 * testsuite/satori.hw/pci-fwcfg.c: fw_cfg through its I/O ports (selector
 * 0x510, data 0x511) and its DMA interface (0x514): signature, ID, RAM
 * size, CPU counts, the file directory (sorted, the files a BIOS needs:
 * etc/e820, etc/acpi/rsdp, etc/acpi/tables, etc/table-loader), etc/e820
 * read both ways and compared, DMA skip, a DMA read of a missing key
 * (zeros), a refused DMA write (error bit), and the DMA signature.
 */
#include "pci-guest.h"

#define FW_CFG_CTL  0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_DMA  0x514

struct dma_access {
    uint32_t control, length;
    uint64_t address;
} __attribute__((packed, aligned(16)));

static uint32_t be32(uint32_t v)
{
    return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

static uint64_t be64(uint64_t v)
{
    return (uint64_t)be32((uint32_t)v) << 32 | be32((uint32_t)(v >> 32));
}

static void read_key(uint16_t key, void *buf, unsigned n)
{
    uint8_t *p = buf;

    outw(FW_CFG_CTL, key);
    for (unsigned i = 0; i < n; i++)
        p[i] = inb(FW_CFG_DATA);
}

static uint32_t dma(uint32_t control, void *buf, uint32_t len)
{
    static struct dma_access acc;
    uint64_t a = (uint64_t)&acc;

    acc.control = be32(control);
    acc.length = be32(len);
    acc.address = be64((uint64_t)buf);
    outl(FW_CFG_DMA, be32((uint32_t)(a >> 32)));
    __asm__ volatile("" ::: "memory");
    outl(FW_CFG_DMA + 4, be32((uint32_t)a));
    __asm__ volatile("" ::: "memory");    /* the device wrote acc and buf */
    return be32(*(volatile uint32_t *)&acc.control);
}

static uint8_t e820_io[256], e820_dma[256];

int main(void)
{
    char sig[5] = { 0 };
    uint32_t id, count;
    uint64_t ram;
    uint16_t cpus, max_cpus;
    int e820_key = -1, e820_size = 0, seen = 0;
    char prev[56] = { 0 };
    bool sorted = true;

    read_key(0x00, sig, 4);
    reportf(!strcmp(sig, "QEMU"), "signature '%s'", sig);
    read_key(0x01, &id, 4);
    reportf(id == 3, "ID 0x%x (traditional + DMA)", id);
    read_key(0x03, &ram, 8);
    printf("ram size 0x%llx\n", (unsigned long long)ram);
    read_key(0x05, &cpus, 2);
    read_key(0x0f, &max_cpus, 2);
    printf("nb_cpus %u max_cpus %u\n", cpus, max_cpus);
    reportf(inl(FW_CFG_DMA) == 0x554d4551u && inl(FW_CFG_DMA + 4) == 0x47464320u,
            "DMA signature QEMU CFG");

    read_key(0x19, &count, 4);
    count = be32(count);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t size;
        uint16_t sel, res;
        char name[56];

        for (int b = 0; b < 4; b++)
            ((uint8_t *)&size)[b] = inb(FW_CFG_DATA);
        for (int b = 0; b < 2; b++)
            ((uint8_t *)&sel)[b] = inb(FW_CFG_DATA);
        for (int b = 0; b < 2; b++)
            ((uint8_t *)&res)[b] = inb(FW_CFG_DATA);
        for (int b = 0; b < 56; b++)
            name[b] = (char)inb(FW_CFG_DATA);
        name[55] = 0;
        size = be32(size);
        sel = (uint16_t)(sel >> 8 | sel << 8);
        if (strcmp(prev, name) >= 0)
            sorted = false;
        memcpy(prev, name, 56);
        if (!strcmp(name, "etc/e820")) {
            e820_key = sel;
            e820_size = (int)size;
            seen |= 1;
        }
        if (!strcmp(name, "etc/acpi/rsdp"))
            seen |= 2;
        if (!strcmp(name, "etc/acpi/tables"))
            seen |= 4;
        if (!strcmp(name, "etc/table-loader"))
            seen |= 8;
    }
    report("file directory sorted by name", sorted);
    report("etc/e820 listed", seen & 1);
    report("etc/acpi/rsdp listed", seen & 2);
    report("etc/acpi/tables listed", seen & 4);
    report("etc/table-loader listed", seen & 8);
    if (e820_key < 0 || e820_size > 256 || e820_size % 20)
        report("etc/e820 usable", false);
    else {
        uint64_t a, l;
        uint32_t t;
        read_key((uint16_t)e820_key, e820_io, (unsigned)e820_size);
        reportf(dma((uint32_t)e820_key << 16 | 0x08 | 0x02, e820_dma, (uint32_t)e820_size) == 0,
                "DMA select+read completes");
        reportf(!memcmp(e820_io, e820_dma, (size_t)e820_size), "DMA read matches port read");
        /* the RAM entries (QEMU adds host-dependent reserved ones) */
        for (int i = 0; i < e820_size / 20; i++) {
            memcpy(&a, e820_io + 20 * i, 8);
            memcpy(&l, e820_io + 20 * i + 8, 8);
            memcpy(&t, e820_io + 20 * i + 16, 4);
            if (t == 1)
                printf("e820 ram 0x%llx+0x%llx\n", (unsigned long long)a, (unsigned long long)l);
        }
        /* skip the first entry's address, then read its length */
        memset(e820_dma, 0, sizeof e820_dma);
        dma((uint32_t)e820_key << 16 | 0x08 | 0x04, NULL, 8);
        dma(0x02, e820_dma, 8);
        reportf(!memcmp(e820_dma, e820_io + 8, 8), "DMA skip then read");
        (void)a;
        memset(e820_dma, 0xaa, 16);
        reportf(dma((uint32_t)0x3fff << 16 | 0x08 | 0x02, e820_dma, 16) == 0
                && e820_dma[0] == 0 && e820_dma[15] == 0, "DMA read of a missing key gives zeros");
        reportf(dma((uint32_t)e820_key << 16 | 0x08 | 0x10, e820_dma, 4) & 1,
                "DMA write to a read-only file sets the error bit");
    }
    report_done();
}
