/*
 * hw/nvram/fw_cfg.c: QEMU's firmware configuration device as the PC has
 * it (QEMU docs/specs/fw_cfg.rst, "x86, x86_64: I/O ports").
 *
 *   0x510  selector, 16-bit write: the key to read (bit 15 = arch-local
 *          table, bit 14 = write channel, ignored); resets the offset.
 *   0x511  data, byte reads: the next byte of the selected item; 0 past
 *          its end or for a key that does not exist; writes are ignored.
 *   0x514  DMA, big-endian: a 32-bit write at 0x514 sets the high half
 *          of the guest-physical address of an FWCfgDmaAccess, one at
 *          0x518 the low half and starts the transfer.  Reading it gives
 *          the DMA signature "QEMU CFG".
 *
 * FWCfgDmaAccess (all big-endian): u32 control, u32 length, u64 address.
 * control bit 3 SELECT selects control >> 16 first; then bit 1 READ
 * copies length bytes of the item to address (zeros past the end), bit 4
 * WRITE is refused (no item is writable: ERROR), bit 2 SKIP advances the
 * offset.  When done the device writes control back as 0, or with bit 0
 * ERROR set if guest memory could not be reached.
 *
 * Items: FW_CFG_SIGNATURE "QEMU", FW_CFG_ID (bit 0 traditional interface,
 * bit 1 DMA), FW_CFG_FILE_DIR: big-endian u32 count, then per file
 * { u32 size, u16 select, u16 reserved, char name[56] }, sorted by name,
 * file keys FW_CFG_FILE_FIRST + position (QEMU's order for current
 * machine types).  The board adds the legacy keys and files with
 * fw_cfg_add_machine() and the ACPI files from hw/acpi/.
 */
#include "hw/nvram/fw_cfg.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define FW_CFG_MAX_ENTRY (FW_CFG_FILE_FIRST + FW_CFG_FILE_SLOTS)
#define FW_CFG_INVALID   0xffff

struct fw_cfg_entry {
    uint8_t *data;
    size_t len;
};

struct fw_cfg_file {
    char name[FW_CFG_MAX_FILE_PATH];
    struct fw_cfg_entry e;
};

struct fw_cfg {
    struct bus *bus;
    struct fw_cfg_entry entries[2][FW_CFG_MAX_ENTRY];
    struct fw_cfg_file files[FW_CFG_FILE_SLOTS];
    int nfiles;
    uint16_t cur_key;
    size_t cur_offset;
    uint64_t dma_addr;
};

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, (uint16_t)(v >> 16));
    put_be16(p + 2, (uint16_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static struct fw_cfg_entry *entry_of(struct fw_cfg *s, uint16_t key)
{
    unsigned idx = key & FW_CFG_ENTRY_MASK;

    if (idx >= FW_CFG_MAX_ENTRY)
        return NULL;
    return &s->entries[(key & FW_CFG_ARCH_LOCAL) ? 1 : 0][idx];
}

static void set_entry(struct fw_cfg_entry *e, const void *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);

    if (!copy)
        abort();
    if (len)
        memcpy(copy, data, len);
    free(e->data);
    e->data = copy;
    e->len = len;
}

void fw_cfg_add_bytes(struct fw_cfg *s, uint16_t key, const void *data, size_t len)
{
    struct fw_cfg_entry *e = entry_of(s, key);

    if (!e || (key & FW_CFG_ENTRY_MASK) >= FW_CFG_FILE_FIRST)
        abort(); /* a board bug: files go through fw_cfg_add_file */
    set_entry(e, data, len);
}

void fw_cfg_add_i16(struct fw_cfg *s, uint16_t key, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

    fw_cfg_add_bytes(s, key, b, sizeof b);
}

void fw_cfg_add_i32(struct fw_cfg *s, uint16_t key, uint32_t v)
{
    uint8_t b[4];

    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    fw_cfg_add_bytes(s, key, b, sizeof b);
}

void fw_cfg_add_i64(struct fw_cfg *s, uint16_t key, uint64_t v)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    fw_cfg_add_bytes(s, key, b, sizeof b);
}

/* Rebuild FW_CFG_FILE_DIR and the file keys from the sorted file list. */
static void rebuild_dir(struct fw_cfg *s)
{
    size_t len = 4 + (size_t)s->nfiles * 64;
    uint8_t *dir = calloc(1, len);

    if (!dir)
        abort();
    put_be32(dir, (uint32_t)s->nfiles);
    for (int i = 0; i < s->nfiles; i++) {
        uint8_t *f = dir + 4 + 64 * i;
        put_be32(f, (uint32_t)s->files[i].e.len);
        put_be16(f + 4, (uint16_t)(FW_CFG_FILE_FIRST + i));
        memcpy(f + 8, s->files[i].name, FW_CFG_MAX_FILE_PATH);
        s->entries[0][FW_CFG_FILE_FIRST + i] = s->files[i].e;
    }
    free(s->entries[0][FW_CFG_FILE_DIR].data);
    s->entries[0][FW_CFG_FILE_DIR] = (struct fw_cfg_entry){ dir, len };
}

int fw_cfg_add_file(struct fw_cfg *s, const char *name, const void *data, size_t len)
{
    int i;

    if (strlen(name) >= FW_CFG_MAX_FILE_PATH)
        return -1;
    for (i = 0; i < s->nfiles; i++) {
        if (!strcmp(s->files[i].name, name)) {
            set_entry(&s->files[i].e, data, len);
            rebuild_dir(s);
            return 0;
        }
    }
    if (s->nfiles == FW_CFG_FILE_SLOTS)
        return -1;
    for (i = s->nfiles; i > 0 && strcmp(name, s->files[i - 1].name) < 0; i--)
        s->files[i] = s->files[i - 1];
    memset(&s->files[i], 0, sizeof s->files[i]);
    strcpy(s->files[i].name, name);
    set_entry(&s->files[i].e, data, len);
    s->nfiles++;
    rebuild_dir(s);
    return 0;
}

const uint8_t *fw_cfg_file(struct fw_cfg *s, const char *name, size_t *len)
{
    for (int i = 0; i < s->nfiles; i++) {
        if (!strcmp(s->files[i].name, name)) {
            *len = s->files[i].e.len;
            return s->files[i].e.data;
        }
    }
    return NULL;
}

const uint8_t *fw_cfg_key(struct fw_cfg *s, uint16_t key, size_t *len)
{
    struct fw_cfg_entry *e = entry_of(s, key);

    if (!e || !e->data)
        return NULL;
    *len = e->len;
    return e->data;
}

/* ---- the guest interface ------------------------------------------------- */

static void fw_cfg_select(struct fw_cfg *s, uint16_t key)
{
    struct fw_cfg_entry *e = entry_of(s, key);

    s->cur_offset = 0;
    s->cur_key = e && e->data ? key : FW_CFG_INVALID;
}

static const struct fw_cfg_entry *cur_entry(struct fw_cfg *s)
{
    return s->cur_key == FW_CFG_INVALID ? NULL : entry_of(s, s->cur_key);
}

static uint8_t fw_cfg_read_byte(struct fw_cfg *s)
{
    const struct fw_cfg_entry *e = cur_entry(s);

    if (!e || s->cur_offset >= e->len)
        return 0;
    return e->data[s->cur_offset++];
}

static uint64_t io_read(void *opaque, uint64_t off, unsigned size)
{
    struct fw_cfg *s = opaque;

    if (off == 1 && size == 1)
        return fw_cfg_read_byte(s);
    return 0;
}

static void io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct fw_cfg *s = opaque;

    if (off == 0 && size == 2)
        fw_cfg_select(s, (uint16_t)val);
}

static const struct dev_ops io_ops = {
    .read = io_read, .write = io_write, .min_size = 1, .max_size = 2,
};

static void dma_transfer(struct fw_cfg *s)
{
    uint8_t acc[16], zeros[256] = { 0 };
    uint32_t control, length;
    uint64_t addr;
    const struct fw_cfg_entry *e;
    bool read = false, error = false;

    if (bus_phys_read(s->bus, s->dma_addr, acc, sizeof acc) < 0) {
        if (log_on(LOG_GUEST_ERRORS))
            log_printf("fw_cfg: DMA descriptor at 0x%llx is not in RAM\n",
                       (unsigned long long)s->dma_addr);
        return;
    }
    control = get_be32(acc);
    length = get_be32(acc + 4);
    addr = (uint64_t)get_be32(acc + 8) << 32 | get_be32(acc + 12);
    if (control & FW_CFG_DMA_CTL_SELECT)
        fw_cfg_select(s, (uint16_t)(control >> 16));
    e = cur_entry(s);
    if (control & FW_CFG_DMA_CTL_READ)
        read = true;
    else if (control & FW_CFG_DMA_CTL_WRITE)
        error = true;   /* nothing satori offers is writable */
    else if (!(control & FW_CFG_DMA_CTL_SKIP))
        length = 0;
    while (length && !error) {
        size_t avail = e && s->cur_offset < e->len ? e->len - s->cur_offset : 0;
        size_t n = avail ? (avail < length ? avail : length) : length;

        if (read) {
            const void *src = zeros;
            if (avail)
                src = e->data + s->cur_offset;
            else if (n > sizeof zeros)
                n = sizeof zeros;
            if (bus_phys_write(s->bus, addr, src, n) < 0)
                error = true;
        }
        if (avail)
            s->cur_offset += n;
        addr += n;
        length -= (uint32_t)n;
    }
    put_be32(acc, error ? FW_CFG_DMA_CTL_ERROR : 0);
    bus_phys_write(s->bus, s->dma_addr, acc, 4);
}

static uint64_t dma_read(void *opaque, uint64_t off, unsigned size)
{
    static const char sig[8] = "QEMU CFG";
    uint64_t v = 0;

    for (unsigned i = 0; i < size && off + i < 8; i++)
        v |= (uint64_t)(uint8_t)sig[off + i] << (8 * i);
    return v;
}

static uint32_t bswap32(uint32_t v)
{
    return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

static void dma_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct fw_cfg *s = opaque;

    if (size != 4)
        return;
    if (off == 0) {
        s->dma_addr = (uint64_t)bswap32((uint32_t)val) << 32;
    } else if (off == 4) {
        s->dma_addr |= bswap32((uint32_t)val);
        dma_transfer(s);
    }
}

static const struct dev_ops dma_ops = {
    .read = dma_read, .write = dma_write, .min_size = 1, .max_size = 4,
};

struct fw_cfg *fw_cfg_new(struct bus *bus)
{
    struct fw_cfg *s = calloc(1, sizeof *s);

    if (!s)
        abort();
    s->bus = bus;
    if (bus_map_io(bus, FW_CFG_IO_BASE, 2, &io_ops, s, "fwcfg") < 0
        || bus_map_io(bus, FW_CFG_DMA_IO_BASE, 8, &dma_ops, s, "fwcfg.dma") < 0) {
        free(s);
        return NULL;
    }
    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4);
    fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_VERSION | FW_CFG_VERSION_DMA);
    rebuild_dir(s);
    fw_cfg_reset(s);
    return s;
}

/*
 * Reset, as QEMU's: the signature item selected at offset 0; a DMA
 * address half written before the reset is forgotten.
 */
void fw_cfg_reset(struct fw_cfg *s)
{
    fw_cfg_select(s, FW_CFG_SIGNATURE);
    s->dma_addr = 0;
}

void fw_cfg_free(struct fw_cfg *s)
{
    if (!s)
        return;
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < FW_CFG_FILE_FIRST; i++)
            free(s->entries[t][i].data);
    for (int i = 0; i < s->nfiles; i++)
        free(s->files[i].e.data);
    free(s);
}

/* ---- what the board knows ------------------------------------------------ */

void fw_cfg_add_machine(struct fw_cfg *s, const struct fw_cfg_machine *m)
{
    uint8_t uuid[16] = { 0 };
    size_t numa_len = 8 * (1 + (size_t)m->max_cpus);
    uint8_t *numa = calloc(1, numa_len);
    size_t e820_len = 20 * (size_t)m->e820_n;
    uint8_t *e820 = calloc(1, e820_len ? e820_len : 1);
    uint8_t e820_reserve[4 + 128 * 20] = { 0 };   /* QEMU's legacy table: no entries */
    uint8_t no_acpi_tables[2] = { 0 };            /* no -acpitable */

    if (!numa || !e820)
        abort();
    fw_cfg_add_bytes(s, FW_CFG_UUID, uuid, sizeof uuid);
    fw_cfg_add_i16(s, FW_CFG_NOGRAPHIC, m->nographic);
    fw_cfg_add_i16(s, FW_CFG_BOOT_MENU, 0);
    fw_cfg_add_i64(s, FW_CFG_RAM_SIZE, m->ram_size);
    fw_cfg_add_i16(s, FW_CFG_NB_CPUS, m->nb_cpus);
    fw_cfg_add_i16(s, FW_CFG_MAX_CPUS, m->max_cpus);
    /* no NUMA: node count 0, then one word per APIC ID and none per node */
    fw_cfg_add_bytes(s, FW_CFG_NUMA, numa, numa_len);
    fw_cfg_add_bytes(s, FW_CFG_ACPI_TABLES, no_acpi_tables, sizeof no_acpi_tables);
    fw_cfg_add_i32(s, FW_CFG_IRQ0_OVERRIDE, 1);
    fw_cfg_add_bytes(s, FW_CFG_E820_TABLE, e820_reserve, sizeof e820_reserve);
    for (int i = 0; i < m->e820_n; i++) {
        uint8_t *p = e820 + 20 * i;
        for (int b = 0; b < 8; b++) {
            p[b] = (uint8_t)(m->e820[i].addr >> (8 * b));
            p[8 + b] = (uint8_t)(m->e820[i].len >> (8 * b));
        }
        for (int b = 0; b < 4; b++)
            p[16 + b] = (uint8_t)(m->e820[i].type >> (8 * b));
    }
    fw_cfg_add_file(s, "etc/e820", e820, e820_len);
    if (m->kernel) {
        fw_cfg_add_i32(s, FW_CFG_KERNEL_ADDR, m->kernel_addr);
        fw_cfg_add_i32(s, FW_CFG_KERNEL_SIZE, (uint32_t)m->kernel_len);
        fw_cfg_add_bytes(s, FW_CFG_KERNEL_DATA, m->kernel, m->kernel_len);
    }
    if (m->initrd) {
        fw_cfg_add_i32(s, FW_CFG_INITRD_ADDR, m->initrd_addr);
        fw_cfg_add_i32(s, FW_CFG_INITRD_SIZE, (uint32_t)m->initrd_len);
        fw_cfg_add_bytes(s, FW_CFG_INITRD_DATA, m->initrd, m->initrd_len);
    }
    if (m->setup) {
        fw_cfg_add_i32(s, FW_CFG_SETUP_ADDR, m->setup_addr);
        fw_cfg_add_i32(s, FW_CFG_SETUP_SIZE, (uint32_t)m->setup_len);
        fw_cfg_add_bytes(s, FW_CFG_SETUP_DATA, m->setup, m->setup_len);
    }
    if (m->cmdline) {
        size_t n = strlen(m->cmdline) + 1;
        fw_cfg_add_i32(s, FW_CFG_CMDLINE_ADDR, m->cmdline_addr);
        fw_cfg_add_i32(s, FW_CFG_CMDLINE_SIZE, (uint32_t)n);
        fw_cfg_add_bytes(s, FW_CFG_CMDLINE_DATA, m->cmdline, n);
    }
    free(numa);
    free(e820);
}
