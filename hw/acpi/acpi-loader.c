/*
 * hw/acpi/acpi-loader.c: an executor for QEMU's BIOS linker-loader script
 * (etc/table-loader), doing what SeaBIOS's and OVMF's loaders do with it,
 * so satori's board can leave the tables in guest memory without a BIOS.
 *
 * Format (QEMU hw/acpi/bios-linker-loader.c, documented there): entries
 * of 128 bytes, a little-endian u32 command then
 *   ALLOCATE     (1): char file[56], u32 align, u8 zone (1 HIGH, 2 FSEG)
 *   ADD_POINTER  (2): char dest[56], char src[56], u32 offset, u8 size:
 *                     the size-byte little-endian value at dest+offset
 *                     gets the address of src added
 *   ADD_CHECKSUM (3): char file[56], u32 offset, u32 start, u32 length:
 *                     the byte at offset is lowered by the sum of
 *                     [start, start + length), so the range sums to 0
 * Unknown commands are skipped, as the firmware loaders do.  Files are
 * written to guest memory once every command has run.
 */
#include "hw/acpi/acpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rd32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

struct placed {
    struct acpi_loader_file *f;
    uint8_t *copy;
};

static struct placed *find(struct placed *p, int n, const uint8_t *name)
{
    char buf[57];

    memcpy(buf, name, 56);
    buf[56] = 0;
    for (int i = 0; i < n; i++)
        if (p[i].copy && !strcmp(p[i].f->name, buf))
            return &p[i];
    return NULL;
}

int acpi_loader_run(struct bus *bus, const uint8_t *script, size_t len,
                    struct acpi_loader_file *files, int nfiles,
                    uint64_t fseg_base, uint64_t fseg_end, uint64_t high_base, uint64_t high_end,
                    char *err, size_t errlen)
{
    struct placed *p = calloc((size_t)nfiles, sizeof *p);
    uint64_t next[3] = { 0, high_base, fseg_base }, end[3] = { 0, high_end, fseg_end };
    int ret = -1;

    if (!p)
        abort();
    for (int i = 0; i < nfiles; i++)
        p[i].f = &files[i];
    if (len % BIOS_LINKER_LOADER_ENTRY_SIZE) {
        snprintf(err, errlen, "table-loader: size %zu is not a multiple of 128", len);
        goto out;
    }
    for (size_t off = 0; off < len; off += BIOS_LINKER_LOADER_ENTRY_SIZE) {
        const uint8_t *e = script + off;
        uint32_t cmd = rd32(e);

        if (cmd == BIOS_LINKER_LOADER_COMMAND_ALLOCATE) {
            char name[57];
            uint32_t align = rd32(e + 60);
            uint8_t zone = e[64];
            struct placed *t = NULL;

            memcpy(name, e + 4, 56);
            name[56] = 0;
            for (int i = 0; i < nfiles; i++)
                if (!strcmp(files[i].name, name))
                    t = &p[i];
            if (!t || t->copy || (zone != BIOS_LINKER_LOADER_ALLOC_ZONE_HIGH
                                  && zone != BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG)
                || !align || (align & (align - 1))) {
                snprintf(err, errlen, "table-loader: bad ALLOCATE of '%s'", name);
                goto out;
            }
            t->f->addr = (next[zone] + align - 1) & ~(uint64_t)(align - 1);
            if (t->f->addr + t->f->len > end[zone]) {
                snprintf(err, errlen, "table-loader: '%s' (%zu bytes) does not fit its zone",
                         name, t->f->len);
                goto out;
            }
            next[zone] = t->f->addr + t->f->len;
            t->copy = malloc(t->f->len ? t->f->len : 1);
            if (!t->copy)
                abort();
            memcpy(t->copy, t->f->data, t->f->len);
        } else if (cmd == BIOS_LINKER_LOADER_COMMAND_ADD_POINTER) {
            struct placed *d = find(p, nfiles, e + 4), *s = find(p, nfiles, e + 60);
            uint32_t at = rd32(e + 116);
            uint8_t size = e[120];
            uint64_t v = 0;

            if (!d || !s || (size != 1 && size != 2 && size != 4 && size != 8)
                || at + (uint64_t)size > d->f->len) {
                snprintf(err, errlen, "table-loader: bad ADD_POINTER at entry %zu", off / 128);
                goto out;
            }
            for (int i = 0; i < size; i++)
                v |= (uint64_t)d->copy[at + i] << (8 * i);
            v += s->f->addr;
            for (int i = 0; i < size; i++)
                d->copy[at + i] = (uint8_t)(v >> (8 * i));
        } else if (cmd == BIOS_LINKER_LOADER_COMMAND_ADD_CHECKSUM) {
            struct placed *f = find(p, nfiles, e + 4);
            uint32_t at = rd32(e + 60), start = rd32(e + 64), n = rd32(e + 68);

            if (!f || at >= f->f->len || (uint64_t)start + n > f->f->len) {
                snprintf(err, errlen, "table-loader: bad ADD_CHECKSUM at entry %zu", off / 128);
                goto out;
            }
            f->copy[at] = (uint8_t)(f->copy[at] - acpi_checksum(f->copy + start, n));
        }
    }
    for (int i = 0; i < nfiles; i++) {
        if (p[i].copy && bus_phys_write(bus, files[i].addr, p[i].copy, files[i].len) < 0) {
            snprintf(err, errlen, "table-loader: '%s' at 0x%llx is not in RAM", files[i].name,
                     (unsigned long long)files[i].addr);
            goto out;
        }
    }
    ret = 0;
out:
    for (int i = 0; i < nfiles; i++)
        free(p[i].copy);
    free(p);
    return ret;
}
