/*
 * hw/pci/pci.c: the PCI bus core and configuration mechanism #1.
 *
 * One bus (bus 0) of up to 32 slots x 8 functions, each a 256-byte type 0
 * configuration space with a write mask and a write-1-to-clear mask (as
 * QEMU models it).  Writes to a BAR or to the command register re-evaluate
 * where each BAR decodes and move it on the system bus (PCI 3.0, 6.2.5.1:
 * sizing by writing all ones and reading back the mask).  A BAR decodes
 * only while its space is enabled in the command register, its address is
 * non-zero and it does not wrap (I/O BARs below 64 KiB).
 *
 * Configuration mechanism #1 (PCI 3.0, 3.2.2.3.2): the dword at 0xCF8
 * holds enable (bit 31), bus (23:16), device (15:11), function (10:8) and
 * register (7:2); 0xCFC-0xCFF reach that dword with byte, word or dword
 * accesses.  Byte/word accesses to 0xCF8 itself are ignored (read all
 * ones), as on the i440FX, so 0xCF9 can be the PIIX3's reset register.
 *
 * Reset: the board records every function's configuration space once all
 * are built (pci_bus_power_on) and a machine reset puts those bytes back,
 * lowers INTx, moves the BARs off the bus and calls each function's reset
 * hook for its own state (PCI 3.0, 6.1: RST# sets the defaults).
 *
 * Deviations: no bus numbers other than 0 (no PCI-PCI bridges), no
 * expansion ROM BARs; a BAR placed over another device's range is left
 * unmapped with a -d guest_errors line (QEMU's memory priorities would let
 * it overlap).
 */
#include "hw/pci/pci.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

struct pci_bus {
    struct bus *sys;
    struct pci_dev *dev[256];
    pci_intx_fn intx;
    void *intx_opaque;
    uint32_t config_addr;       /* 0xCF8 */
};

struct pci_bus *pci_bus_new(struct bus *sys)
{
    struct pci_bus *b = calloc(1, sizeof *b);

    if (!b)
        abort();
    b->sys = sys;
    return b;
}

void pci_bus_free(struct pci_bus *b)
{
    free(b);
}

void pci_bus_set_intx_router(struct pci_bus *b, pci_intx_fn fn, void *opaque)
{
    b->intx = fn;
    b->intx_opaque = opaque;
}

struct bus *pci_bus_sys(struct pci_bus *b)
{
    return b->sys;
}

struct pci_dev *pci_bus_dev(struct pci_bus *b, int devfn)
{
    return devfn >= 0 && devfn < 256 ? b->dev[devfn] : NULL;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

int pci_dev_init(struct pci_dev *d, struct pci_bus *b, int devfn, const char *name,
                 uint16_t vendor, uint16_t device, uint32_t class_code, uint8_t revision,
                 uint8_t header_type)
{
    if (devfn < 0 || devfn > 255 || b->dev[devfn])
        return -1;
    memset(d->config, 0, sizeof d->config);
    memset(d->wmask, 0, sizeof d->wmask);
    memset(d->w1cmask, 0, sizeof d->w1cmask);
    memset(d->bar, 0, sizeof d->bar);
    for (int i = 0; i < PCI_NUM_BARS; i++)
        d->bar[i].mapped = PCI_BAR_UNMAPPED;
    d->bus = b;
    d->devfn = (uint8_t)devfn;
    d->name = name;
    d->intx_level = false;
    d->cap_end = PCI_CONFIG_HEADER_SIZE;
    d->config_write = NULL;
    d->config_read = NULL;
    d->reset = NULL;
    d->opaque = NULL;
    put16(d->config + PCI_VENDOR_ID, vendor);
    put16(d->config + PCI_DEVICE_ID, device);
    d->config[PCI_REVISION_ID] = revision;
    d->config[PCI_CLASS_PROG] = (uint8_t)class_code;
    put16(d->config + PCI_CLASS_DEVICE, (uint16_t)(class_code >> 8));
    d->config[PCI_HEADER_TYPE] = header_type;
    put16(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER
                                  | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    memset(d->wmask + PCI_CONFIG_HEADER_SIZE, 0xff,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);
    /* status: the error bits are write-1-to-clear (PCI 3.0, 6.2.3) */
    put16(d->w1cmask + PCI_STATUS, 0xf900);
    b->dev[devfn] = d;
    return 0;
}

void pci_register_bar(struct pci_dev *d, int n, uint8_t type, uint64_t size,
                      const struct dev_ops *ops, void *opaque, const char *name)
{
    struct pci_bar *bar = &d->bar[n];
    bool is64 = !(type & PCI_BASE_ADDRESS_SPACE_IO) && (type & PCI_BASE_ADDRESS_MEM_TYPE_64);
    uint64_t mask;

    if (n < 0 || n >= PCI_NUM_BARS || (size & (size - 1)) || size < 4 || (is64 && n == 5))
        abort(); /* a device model bug */
    if (!(type & PCI_BASE_ADDRESS_SPACE_IO) && size < 16)
        size = 16;
    bar->size = size;
    bar->type = type;
    bar->ops = ops;
    bar->opaque = opaque;
    bar->name = name;
    mask = ~(size - 1);
    put32(d->config + PCI_BASE_ADDRESS_0 + 4 * n, type);
    put32(d->wmask + PCI_BASE_ADDRESS_0 + 4 * n, (uint32_t)mask & ~0xfu);
    if (type & PCI_BASE_ADDRESS_SPACE_IO)
        put32(d->wmask + PCI_BASE_ADDRESS_0 + 4 * n, (uint32_t)mask & ~0x3u);
    if (is64)
        put32(d->wmask + PCI_BASE_ADDRESS_0 + 4 * (n + 1), (uint32_t)(mask >> 32));
}

unsigned pci_add_capability(struct pci_dev *d, uint8_t id, unsigned len)
{
    /* capabilities are dword aligned, after the header (PCI 3.0, 6.7) */
    unsigned off = (d->cap_end + 3u) & ~3u, last = 0;

    if (off < PCI_CONFIG_HEADER_SIZE)
        off = PCI_CONFIG_HEADER_SIZE;
    if (len < 2 || off + len > PCI_CONFIG_SPACE_SIZE)
        return 0;
    for (unsigned p = d->config[PCI_CAPABILITY_LIST]; p; p = d->config[p + 1])
        last = p;
    memset(d->config + off, 0, len);
    d->config[off] = id;
    memset(d->wmask + off, 0, len);  /* the device opens what is writable */
    if (last)
        d->config[last + 1] = (uint8_t)off;
    else
        d->config[PCI_CAPABILITY_LIST] = (uint8_t)off;
    d->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    d->cap_end = (uint16_t)(off + len);
    return off;
}

/* ---- BARs on the system bus -------------------------------------------- */

static uint64_t bar_address(const struct pci_dev *d, int n)
{
    const struct pci_bar *bar = &d->bar[n];
    uint16_t cmd = get16(d->config + PCI_COMMAND);
    uint64_t addr, last;

    if (bar->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO))
            return PCI_BAR_UNMAPPED;
        addr = get32(d->config + PCI_BASE_ADDRESS_0 + 4 * n) & ~(bar->size - 1) & ~3ull;
        last = addr + bar->size - 1;
        if (!addr || last > 0xffff)
            return PCI_BAR_UNMAPPED;
        return addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY))
        return PCI_BAR_UNMAPPED;
    addr = get32(d->config + PCI_BASE_ADDRESS_0 + 4 * n);
    if (bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64)
        addr |= (uint64_t)get32(d->config + PCI_BASE_ADDRESS_0 + 4 * (n + 1)) << 32;
    addr &= ~(bar->size - 1) & ~0xfull;
    last = addr + bar->size - 1;
    if (!addr || last < addr || (!(bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last > 0xffffffffull))
        return PCI_BAR_UNMAPPED;
    return addr;
}

static void update_bars(struct pci_dev *d)
{
    struct bus *sys = d->bus->sys;

    for (int n = 0; n < PCI_NUM_BARS; n++) {
        struct pci_bar *bar = &d->bar[n];
        uint64_t want;
        int r;

        if (!bar->size)
            continue;
        want = bar_address(d, n);
        if (want == bar->mapped)
            continue;
        if (bar->mapped != PCI_BAR_UNMAPPED) {
            if (bar->type & PCI_BASE_ADDRESS_SPACE_IO)
                bus_unmap_io(sys, (uint16_t)bar->mapped, bar->opaque);
            else
                bus_unmap_mmio(sys, bar->mapped, bar->opaque);
            bar->mapped = PCI_BAR_UNMAPPED;
        }
        if (want == PCI_BAR_UNMAPPED)
            continue;
        if (bar->type & PCI_BASE_ADDRESS_SPACE_IO)
            r = bus_map_io(sys, (uint16_t)want, (uint32_t)bar->size, bar->ops, bar->opaque,
                           bar->name);
        else
            r = bus_map_mmio(sys, want, bar->size, bar->ops, bar->opaque, bar->name);
        if (r < 0) {
            if (log_on(LOG_GUEST_ERRORS))
                log_printf("pci %02x.%x %s: BAR%d at 0x%llx overlaps another range; "
                           "left unmapped\n", PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
                           d->name, n, (unsigned long long)want);
            continue;
        }
        bar->mapped = want;
    }
}

/* ---- INTx ------------------------------------------------------------------ */

static void update_intx(struct pci_dev *d, bool old_out)
{
    uint16_t cmd = get16(d->config + PCI_COMMAND);
    bool out = d->intx_level && !(cmd & PCI_COMMAND_INTX_DISABLE);
    int pin = d->config[PCI_INTERRUPT_PIN];

    if (d->intx_level)
        d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    else
        d->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
    if (out != old_out && pin >= 1 && pin <= 4 && d->bus->intx)
        d->bus->intx(d->bus->intx_opaque, d->devfn, pin - 1, out);
}

static bool intx_out(const struct pci_dev *d)
{
    return d->intx_level && !(get16(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
}

void pci_set_irq(struct pci_dev *d, bool level)
{
    bool old = intx_out(d);

    d->intx_level = level;
    update_intx(d, old);
}

/* ---- configuration accesses ----------------------------------------------- */

uint32_t pci_config_read(struct pci_bus *b, int devfn, unsigned off, unsigned size)
{
    struct pci_dev *d = pci_bus_dev(b, devfn);
    uint32_t v = 0;

    if (!d || off + size > PCI_CONFIG_SPACE_SIZE)
        return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    if (d->config_read)
        return d->config_read(d, off, size);
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)d->config[off + i] << (8 * i);
    return v;
}

void pci_config_write(struct pci_bus *b, int devfn, unsigned off, uint32_t val, unsigned size)
{
    struct pci_dev *d = pci_bus_dev(b, devfn);
    bool old_intx;

    if (!d || off + size > PCI_CONFIG_SPACE_SIZE)
        return;
    old_intx = intx_out(d);
    for (unsigned i = 0; i < size; i++) {
        uint8_t byte = (uint8_t)(val >> (8 * i)), wm = d->wmask[off + i];
        uint8_t w1c = d->w1cmask[off + i];

        d->config[off + i] = (uint8_t)((d->config[off + i] & ~wm) | (byte & wm));
        d->config[off + i] &= (uint8_t)~(byte & w1c);
    }
    if ((off < PCI_BASE_ADDRESS_0 + 24 && off + size > PCI_BASE_ADDRESS_0)
        || (off < PCI_COMMAND + 2 && off + size > PCI_COMMAND))
        update_bars(d);
    if (off < PCI_COMMAND + 2 && off + size > PCI_COMMAND)
        update_intx(d, old_intx);
    if (d->config_write)
        d->config_write(d, off, val, size);
}

/* ---- reset ------------------------------------------------------------------ */

void pci_bus_power_on(struct pci_bus *b)
{
    for (int devfn = 0; devfn < 256; devfn++)
        if (b->dev[devfn])
            memcpy(b->dev[devfn]->config_poweron, b->dev[devfn]->config, PCI_CONFIG_SPACE_SIZE);
}

void pci_bus_reset(struct pci_bus *b)
{
    for (int devfn = 0; devfn < 256; devfn++) {
        struct pci_dev *d = b->dev[devfn];
        if (!d)
            continue;
        pci_set_irq(d, false);
        memcpy(d->config, d->config_poweron, PCI_CONFIG_SPACE_SIZE);
        update_bars(d);
        if (d->reset)
            d->reset(d);
    }
    b->config_addr = 0;
}

/* ---- configuration mechanism #1 ------------------------------------------ */

static uint64_t cfg_addr_read(void *opaque, uint64_t off, unsigned size)
{
    struct pci_bus *b = opaque;

    if (off != 0 || size != 4)
        return ~0ull >> (64 - 8 * size);
    return b->config_addr;
}

static void cfg_addr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pci_bus *b = opaque;

    if (off == 0 && size == 4)
        b->config_addr = (uint32_t)val & 0x80fffffcu;
}

static bool cfg_target(const struct pci_bus *b, int *devfn, unsigned *reg)
{
    if (!(b->config_addr & 0x80000000u) || ((b->config_addr >> 16) & 0xff) != 0)
        return false;
    *devfn = (b->config_addr >> 8) & 0xff;
    *reg = b->config_addr & 0xfc;
    return true;
}

static uint64_t cfg_data_read(void *opaque, uint64_t off, unsigned size)
{
    struct pci_bus *b = opaque;
    int devfn;
    unsigned reg;

    if (!cfg_target(b, &devfn, &reg) || off + size > 4)
        return ~0ull >> (64 - 8 * size);
    return pci_config_read(b, devfn, reg + (unsigned)off, size);
}

static void cfg_data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pci_bus *b = opaque;
    int devfn;
    unsigned reg;

    if (cfg_target(b, &devfn, &reg) && off + size <= 4)
        pci_config_write(b, devfn, reg + (unsigned)off, (uint32_t)val, size);
}

static const struct dev_ops cfg_addr_ops = {
    .read = cfg_addr_read, .write = cfg_addr_write, .min_size = 1, .max_size = 4,
};
static const struct dev_ops cfg_data_ops = {
    .read = cfg_data_read, .write = cfg_data_write, .min_size = 1, .max_size = 4,
};

int pci_host_init(struct pci_bus *b)
{
    if (bus_map_io(b->sys, 0xcf8, 1, &cfg_addr_ops, b, "pci-conf-idx") < 0
        || bus_map_io(b->sys, 0xcfa, 2, &cfg_addr_ops, b, "pci-conf-idx-hi") < 0
        || bus_map_io(b->sys, 0xcfc, 4, &cfg_data_ops, b, "pci-conf-data") < 0)
        return -1;
    return 0;
}
