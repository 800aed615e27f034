/*
 * hw/loader/multiboot.c: Multiboot v1 loader (Multiboot Specification
 * 0.6.96), built as QEMU's loader builds its boot information:
 *   - the header is searched in the first 8192 bytes (4-byte aligned);
 *   - with flag bit 16 the a.out-kludge addresses are used, otherwise the
 *     image must be ELF: ELF32 (kvm-unit-tests style, 64-bit code inside)
 *     or, unlike QEMU, plain ELF64; segments load at their physical address;
 *   - the command line is "<kernel path> <-append>";
 *   - each comma-separated -initrd entry is a module "<file> <args>",
 *     loaded page-aligned after the kernel; its string is the whole entry;
 *   - the info structure, strings and module list follow the modules.
 */
#include "hw/pc/pc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MB_MAGIC         0x1BADB002u
#define MB_BOOT_MAGIC    0x2BADB002u
#define MB_FLAG_AOUT     (1u << 16)

/* multiboot_info flags (spec 3.3) */
#define MBI_MEMORY   (1u << 0)
#define MBI_BOOTDEV  (1u << 1)
#define MBI_CMDLINE  (1u << 2)
#define MBI_MODS     (1u << 3)
#define MBI_MMAP     (1u << 6)
#define MBI_LOADER   (1u << 9)

static int read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen)
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

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

/* Place [addr, addr+len) from src (filesz) plus zero fill. */
static int load_segment(struct bus *bus, uint64_t ram_end, uint64_t addr, const uint8_t *src,
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

static int load_elf(struct bus *bus, uint64_t ram_end, const uint8_t *img, size_t len,
                    uint32_t *entry, uint64_t *end, char *err, size_t errlen)
{
    bool is64;
    uint64_t phoff, e;
    unsigned phnum, phentsize;

    if (len < 52 || memcmp(img, "\177ELF", 4)) {
        snprintf(err, errlen, "not an ELF image and no a.out kludge in the multiboot header");
        return -1;
    }
    is64 = img[4] == 2;
    if ((img[4] != 1 && img[4] != 2) || img[5] != 1) {
        snprintf(err, errlen, "unsupported ELF class or byte order");
        return -1;
    }
    if (is64) {
        if (len < 64) {
            snprintf(err, errlen, "truncated ELF header");
            return -1;
        }
        e = rd64(img + 24);
        phoff = rd64(img + 32);
        phentsize = rd16(img + 54);
        phnum = rd16(img + 56);
    } else {
        e = rd32(img + 24);
        phoff = rd32(img + 28);
        phentsize = rd16(img + 42);
        phnum = rd16(img + 44);
    }
    if (phoff > len || (uint64_t)phnum * phentsize > len - phoff || phentsize < (is64 ? 56u : 32u)) {
        snprintf(err, errlen, "truncated ELF program headers");
        return -1;
    }
    *end = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + (uint64_t)i * phentsize;
        uint64_t off, paddr, filesz, memsz;

        if (rd32(ph) != 1) /* PT_LOAD */
            continue;
        if (is64) {
            off = rd64(ph + 8); paddr = rd64(ph + 24); filesz = rd64(ph + 32); memsz = rd64(ph + 40);
        } else {
            off = rd32(ph + 4); paddr = rd32(ph + 12); filesz = rd32(ph + 16); memsz = rd32(ph + 20);
        }
        if (off > len || filesz > len - off || filesz > memsz) {
            snprintf(err, errlen, "ELF segment %u lies outside the file", i);
            return -1;
        }
        if (load_segment(bus, ram_end, paddr, img + off, filesz, memsz, err, errlen) < 0)
            return -1;
        if (paddr + memsz > *end)
            *end = paddr + memsz;
    }
    if (!*end) {
        snprintf(err, errlen, "ELF image has no loadable segment");
        return -1;
    }
    if (e > 0xffffffffu) {
        snprintf(err, errlen, "entry point 0x%llx is above 4 GiB", (unsigned long long)e);
        return -1;
    }
    *entry = (uint32_t)e;
    return 0;
}

int multiboot_load(struct bus *bus, const struct multiboot_args *a, uint32_t *entry,
                   uint32_t *mbi_addr, char *err, size_t errlen)
{
    uint8_t *img = NULL;
    size_t len;
    const uint8_t *hdr = NULL;
    uint64_t end = 0;
    uint64_t ram_end = a->ram_below_4g;

    if (read_file(a->kernel, &img, &len, err, errlen) < 0)
        return -1;
    for (size_t off = 0; off + 12 <= len && off < 8192; off += 4) {
        if (rd32(img + off) == MB_MAGIC
            && rd32(img + off) + rd32(img + off + 4) + rd32(img + off + 8) == 0) {
            hdr = img + off;
            break;
        }
    }
    if (!hdr) {
        snprintf(err, errlen, "no multiboot header found in the first 8192 bytes "
                 "(Linux bzImage boot is not supported yet)");
        free(img);
        return -1;
    }
    uint32_t flags = rd32(hdr + 4);
    if (flags & MB_FLAG_AOUT) {
        uint32_t header_addr = rd32(hdr + 12), load_addr = rd32(hdr + 16);
        uint32_t load_end = rd32(hdr + 20), bss_end = rd32(hdr + 24);
        uint64_t file_off = (uint64_t)(hdr - img) - (header_addr - load_addr);
        uint64_t filesz = load_end ? load_end - load_addr : len - file_off;
        uint64_t memsz = bss_end ? bss_end - load_addr : filesz;

        if (header_addr < load_addr || file_off > len || filesz > len - file_off || memsz < filesz) {
            snprintf(err, errlen, "inconsistent a.out kludge addresses in the multiboot header");
            free(img);
            return -1;
        }
        if (load_segment(bus, ram_end, load_addr, img + file_off, filesz, memsz, err, errlen) < 0) {
            free(img);
            return -1;
        }
        *entry = rd32(hdr + 28);
        end = load_addr + memsz;
    } else if (load_elf(bus, ram_end, img, len, entry, &end, err, errlen) < 0) {
        free(img);
        return -1;
    }
    free(img);

    /* modules, page aligned after the kernel */
    uint64_t cur = (end + 0xfff) & ~0xfffull;
    uint32_t mod_start[64], mod_end[64];
    char *mod_str[64];
    int nmods = 0;
    if (a->initrd && *a->initrd) {
        char *list = strdup(a->initrd), *save = NULL;
        for (char *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
            char path[4096];
            uint8_t *data;
            size_t mlen;
            size_t plen = strcspn(m, " ");

            if (nmods == 64 || plen >= sizeof path) {
                snprintf(err, errlen, "too many modules or module path too long");
                free(list);
                return -1;
            }
            memcpy(path, m, plen);
            path[plen] = 0;
            if (read_file(path, &data, &mlen, err, errlen) < 0) {
                char why[256];
                snprintf(why, sizeof why, "%s", err);
                snprintf(err, errlen, "could not load module '%s': %s", path, why);
                free(list);
                return -1;
            }
            if (cur + mlen > ram_end || bus_phys_write(bus, cur, data, mlen) < 0) {
                snprintf(err, errlen, "module '%s' does not fit in guest RAM", path);
                free(data);
                free(list);
                return -1;
            }
            free(data);
            mod_start[nmods] = (uint32_t)cur;
            mod_end[nmods] = (uint32_t)(cur + mlen);
            mod_str[nmods] = strdup(m);
            nmods++;
            cur = (cur + mlen + 0xfff) & ~0xfffull;
        }
        free(list);
    }

    /* info block: mbi (88 bytes), mods, mmap, strings */
    uint8_t buf[8192];
    memset(buf, 0, sizeof buf);
    uint32_t base = (uint32_t)cur;
    uint32_t off_mods = 128, off_mmap = off_mods + 16 * (uint32_t)nmods;
    uint32_t mmap_len = 0;
    struct { uint64_t addr, len; uint32_t type; } map[] = {
        { 0, 0x9fc00, 1 },
        { 0x9fc00, 0x400, 2 },
        { 0xf0000, 0x10000, 2 },
        { 0x100000, a->ram_below_4g - 0x100000, 1 },
        { 0xfffc0000, 0x40000, 2 },
        { 0x100000000ull, a->ram_above_4g, 1 },
    };
    int nmap = a->ram_above_4g ? 6 : 5;
    for (int i = 0; i < nmap; i++) {
        uint8_t *e = buf + off_mmap + mmap_len;
        wr32(e, 20);
        wr32(e + 4, (uint32_t)map[i].addr);
        wr32(e + 8, (uint32_t)(map[i].addr >> 32));
        wr32(e + 12, (uint32_t)map[i].len);
        wr32(e + 16, (uint32_t)(map[i].len >> 32));
        wr32(e + 20, map[i].type);
        mmap_len += 24;
    }
    uint32_t str = off_mmap + mmap_len;
    char cmdline[4096];
    snprintf(cmdline, sizeof cmdline, "%s %s", a->kernel, a->append ? a->append : "");
    size_t cl = strlen(cmdline) + 1;
    if (str + cl + 16 > sizeof buf) {
        snprintf(err, errlen, "kernel command line too long");
        return -1;
    }
    memcpy(buf + str, cmdline, cl);
    uint32_t off_cmdline = str;
    str += (uint32_t)cl;
    memcpy(buf + str, "qemu", 5);
    uint32_t off_loader = str;
    str += 5;
    for (int i = 0; i < nmods; i++) {
        size_t sl = strlen(mod_str[i]) + 1;
        if (str + sl > sizeof buf) {
            snprintf(err, errlen, "module strings too long");
            return -1;
        }
        memcpy(buf + str, mod_str[i], sl);
        wr32(buf + off_mods + 16 * i, mod_start[i]);
        wr32(buf + off_mods + 16 * i + 4, mod_end[i]);
        wr32(buf + off_mods + 16 * i + 8, base + str);
        str += (uint32_t)sl;
        free(mod_str[i]);
    }
    wr32(buf + 0, MBI_MEMORY | MBI_BOOTDEV | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER);
    wr32(buf + 4, 639);
    wr32(buf + 8, (uint32_t)((a->ram_below_4g - 0x100000) / 1024));
    wr32(buf + 12, 0x8000ffff);
    wr32(buf + 16, base + off_cmdline);
    wr32(buf + 20, (uint32_t)nmods);
    wr32(buf + 24, base + off_mods);
    wr32(buf + 44, mmap_len);
    wr32(buf + 48, base + off_mmap);
    wr32(buf + 64, base + off_loader);
    if (base + str > ram_end || bus_phys_write(bus, base, buf, str) < 0) {
        snprintf(err, errlen, "no room for the multiboot information");
        return -1;
    }
    *mbi_addr = base;
    return 0;
}
