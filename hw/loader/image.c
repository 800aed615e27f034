/*
 * hw/loader/image.c: what the loaders share: reading an image, telling
 * its format (QEMU's order: bzImage, multiboot, PVH ELF), loading ELF
 * program segments at their physical addresses, placing the initrd, and
 * finding the PVH entry note.  Facts: System V ABI (ELF header, program headers, notes), Xen's
 * public/elfnote.h (XEN_ELFNOTE_PHYS32_ENTRY = 18, owner "Xen"),
 * Multiboot Specification 0.6.96 section 3.1.1 (header magic, checksum).
 */
#include "hw/loader/loader.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MB_MAGIC                 0x1BADB002u
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PT_LOAD                  1
#define PT_NOTE                  4

int loader_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    *data = buf;
    *len = n;
    return 0;
}

const uint8_t *multiboot_find_header(const uint8_t *img, size_t len)
{
    for (size_t off = 0; off + 12 <= len && off < 8192; off += 4) {
        if (ld_le32(img + off) == MB_MAGIC
            && ld_le32(img + off) + ld_le32(img + off + 4) + ld_le32(img + off + 8) == 0)
            return img + off;
    }
    return NULL;
}

/* The ELF header fields the loaders need; -1 with err if not a usable ELF. */
struct elf_info {
    bool is64;
    uint64_t entry, phoff;
    unsigned phnum, phentsize;
};

static int elf_parse(const uint8_t *img, size_t len, struct elf_info *e, char *err, size_t errlen)
{
    if (len < 52 || memcmp(img, "\177ELF", 4)) {
        snprintf(err, errlen, "not an ELF image");
        return -1;
    }
    e->is64 = img[4] == 2;
    if ((img[4] != 1 && img[4] != 2) || img[5] != 1) {
        snprintf(err, errlen, "unsupported ELF class or byte order");
        return -1;
    }
    if (e->is64) {
        if (len < 64) {
            snprintf(err, errlen, "truncated ELF header");
            return -1;
        }
        e->entry = ld_le64(img + 24);
        e->phoff = ld_le64(img + 32);
        e->phentsize = ld_le16(img + 54);
        e->phnum = ld_le16(img + 56);
    } else {
        e->entry = ld_le32(img + 24);
        e->phoff = ld_le32(img + 28);
        e->phentsize = ld_le16(img + 42);
        e->phnum = ld_le16(img + 44);
    }
    if (e->phoff > len || (uint64_t)e->phnum * e->phentsize > len - e->phoff
        || e->phentsize < (e->is64 ? 56u : 32u)) {
        snprintf(err, errlen, "truncated ELF program headers");
        return -1;
    }
    return 0;
}

/* Program header i: type, file offset, physical address, sizes. */
static void elf_phdr(const uint8_t *img, const struct elf_info *e, unsigned i, uint32_t *type,
                     uint64_t *off, uint64_t *paddr, uint64_t *filesz, uint64_t *memsz)
{
    const uint8_t *ph = img + e->phoff + (uint64_t)i * e->phentsize;

    *type = ld_le32(ph);
    if (e->is64) {
        *off = ld_le64(ph + 8); *paddr = ld_le64(ph + 24);
        *filesz = ld_le64(ph + 32); *memsz = ld_le64(ph + 40);
    } else {
        *off = ld_le32(ph + 4); *paddr = ld_le32(ph + 12);
        *filesz = ld_le32(ph + 16); *memsz = ld_le32(ph + 20);
    }
}

int loader_read_initrd(struct bus *bus, const struct loader_args *a, uint64_t lo, uint64_t limit,
                       uint64_t *addr, size_t *len, char *err, size_t errlen)
{
    uint8_t *rd;
    size_t rdlen;
    char why[256];
    uint64_t at = 0;

    if (loader_read_file(a->initrd, &rd, &rdlen, why, sizeof why) < 0) {
        snprintf(err, errlen, "could not load initrd '%s': %s", a->initrd, why);
        return -1;
    }
    if (rdlen) {
        at = e820_find_top(a->e820, rdlen, lo, limit, 4096);
        if (!at || bus_phys_write(bus, at, rd, rdlen) < 0) {
            snprintf(err, errlen, "initrd '%s' (%zu bytes) does not fit in guest RAM between "
                     "the kernel and 0x%llx: raise -m", a->initrd, rdlen,
                     (unsigned long long)limit);
            free(rd);
            return -1;
        }
    }
    free(rd);
    *addr = at;
    *len = rdlen;
    return 0;
}

int elf_pvh_entry(const uint8_t *img, size_t len, uint32_t *entry)
{
    struct elf_info e;
    char err[64];

    if (elf_parse(img, len, &e, err, sizeof err) < 0)
        return -1;
    for (unsigned i = 0; i < e.phnum; i++) {
        uint32_t type;
        uint64_t off, paddr, filesz, memsz;

        elf_phdr(img, &e, i, &type, &off, &paddr, &filesz, &memsz);
        if (type != PT_NOTE || off > len || filesz > len - off)
            continue;
        /* notes: namesz, descsz, type, name (4-aligned), desc (4-aligned) */
        for (uint64_t p = off; p + 12 <= off + filesz;) {
            uint32_t namesz = ld_le32(img + p), descsz = ld_le32(img + p + 4);
            uint32_t ntype = ld_le32(img + p + 8);
            uint64_t name = p + 12, desc = name + ((namesz + 3ull) & ~3ull);
            uint64_t next = desc + ((descsz + 3ull) & ~3ull);
            if (next > off + filesz)
                break;
            if (ntype == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 && !memcmp(img + name, "Xen", 4)
                && (descsz == 4 || descsz == 8)) {
                uint64_t v = descsz == 8 ? ld_le64(img + desc) : ld_le32(img + desc);
                if (v > 0xffffffffu)
                    return -1;
                *entry = (uint32_t)v;
                return 0;
            }
            p = next;
        }
    }
    return -1;
}

enum image_kind loader_probe(const uint8_t *img, size_t len, char *err, size_t errlen)
{
    uint32_t entry;

    if (len >= 0x206 && ld_le32(img + 0x202) == 0x53726448u)
        return IMAGE_BZIMAGE;
    if (multiboot_find_header(img, len))
        return IMAGE_MULTIBOOT;
    if (elf_pvh_entry(img, len, &entry) == 0)
        return IMAGE_PVH;
    snprintf(err, errlen, "not a kernel satori can boot: no Linux setup header (\"HdrS\" at "
             "0x202), no multiboot header in the first 8192 bytes, and %s",
             len >= 4 && !memcmp(img, "\177ELF", 4) ? "no PVH entry note (Xen ELF note "
             "XEN_ELFNOTE_PHYS32_ENTRY)" : "not an ELF image (for PVH)");
    return IMAGE_UNKNOWN;
}

/* Place [addr, addr+memsz) from src (filesz bytes) plus zero fill. */
int loader_load_segment(struct bus *bus, uint64_t ram_end, uint64_t addr, const uint8_t *src,
                        uint64_t filesz, uint64_t memsz, char *err, size_t errlen)
{
    static const uint8_t zero[4096];

    if (addr < 0x1000 || addr + memsz > ram_end || addr + memsz < addr
        || (addr < 0x100000 && addr + memsz > 0xa0000)) {
        snprintf(err, errlen, "segment 0x%llx-0x%llx is outside guest RAM",
                 (unsigned long long)addr, (unsigned long long)(addr + memsz));
        return -1;
    }
    if (bus_phys_write(bus, addr, src, filesz) < 0) {
        snprintf(err, errlen, "segment at 0x%llx is not in RAM", (unsigned long long)addr);
        return -1;
    }
    for (uint64_t o = filesz; o < memsz; o += sizeof zero) {
        uint64_t n = memsz - o < sizeof zero ? memsz - o : sizeof zero;
        bus_phys_write(bus, addr + o, zero, n);
    }
    return 0;
}

int loader_load_elf(struct bus *bus, uint64_t ram_end, const uint8_t *img, size_t len,
                    uint64_t *entry, uint64_t *end, char *err, size_t errlen)
{
    struct elf_info e;

    if (elf_parse(img, len, &e, err, errlen) < 0)
        return -1;
    *end = 0;
    for (unsigned i = 0; i < e.phnum; i++) {
        uint32_t type;
        uint64_t off, paddr, filesz, memsz;

        elf_phdr(img, &e, i, &type, &off, &paddr, &filesz, &memsz);
        if (type != PT_LOAD)
            continue;
        if (off > len || filesz > len - off || filesz > memsz) {
            snprintf(err, errlen, "ELF segment %u lies outside the file", i);
            return -1;
        }
        if (loader_load_segment(bus, ram_end, paddr, img + off, filesz, memsz, err, errlen) < 0)
            return -1;
        if (paddr + memsz > *end)
            *end = paddr + memsz;
    }
    if (!*end) {
        snprintf(err, errlen, "ELF image has no loadable segment");
        return -1;
    }
    *entry = e.entry;
    return 0;
}
