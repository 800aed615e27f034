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
#include "hw/loader/loader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MB_BOOT_MAGIC    0x2BADB002u
#define MB_FLAG_AOUT     (1u << 16)

/* multiboot_info flags (spec 3.3) */
#define MBI_MEMORY   (1u << 0)
#define MBI_BOOTDEV  (1u << 1)
#define MBI_CMDLINE  (1u << 2)
#define MBI_MODS     (1u << 3)
#define MBI_MMAP     (1u << 6)
#define MBI_LOADER   (1u << 9)

int multiboot_load(struct bus *bus, const struct loader_args *a, struct boot_entry *out,
                   char *err, size_t errlen)
{
    uint8_t *img = NULL;
    size_t len;
    const uint8_t *hdr;
    uint64_t end = 0, entry;
    uint64_t ram_end = a->ram_below_4g;

    if (loader_read_file(a->kernel, &img, &len, err, errlen) < 0)
        return -1;
    hdr = multiboot_find_header(img, len);
    if (!hdr) {
        snprintf(err, errlen, "no multiboot header found in the first 8192 bytes");
        free(img);
        return -1;
    }
    uint32_t flags = ld_le32(hdr + 4);
    if (flags & MB_FLAG_AOUT) {
        uint32_t header_addr = ld_le32(hdr + 12), load_addr = ld_le32(hdr + 16);
        uint32_t load_end = ld_le32(hdr + 20), bss_end = ld_le32(hdr + 24);
        uint64_t file_off = (uint64_t)(hdr - img) - (header_addr - load_addr);
        uint64_t filesz = load_end ? load_end - load_addr : len - file_off;
        uint64_t memsz = bss_end ? bss_end - load_addr : filesz;

        if (header_addr < load_addr || file_off > len || filesz > len - file_off || memsz < filesz) {
            snprintf(err, errlen, "inconsistent a.out kludge addresses in the multiboot header");
            free(img);
            return -1;
        }
        if (loader_load_segment(bus, ram_end, load_addr, img + file_off, filesz, memsz, err,
                                errlen) < 0) {
            free(img);
            return -1;
        }
        entry = ld_le32(hdr + 28);
        end = load_addr + memsz;
    } else if (loader_load_elf(bus, ram_end, img, len, &entry, &end, err, errlen) < 0) {
        char why[256];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "%s%s", why, memcmp(img, "\177ELF", 4) ? " and no a.out kludge "
                 "in the multiboot header" : "");
        free(img);
        return -1;
    }
    free(img);
    if (entry > 0xffffffffu) {
        snprintf(err, errlen, "entry point 0x%llx is above 4 GiB", (unsigned long long)entry);
        return -1;
    }

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
            if (loader_read_file(path, &data, &mlen, err, errlen) < 0) {
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
    /* the mmap is the board's E820 table, each entry with its size field */
    for (int i = 0; i < a->e820->n; i++) {
        uint8_t *e = buf + off_mmap + mmap_len;
        if (off_mmap + mmap_len + 24 > sizeof buf / 2) {
            snprintf(err, errlen, "memory map too long");
            return -1;
        }
        st_le32(e, 20);
        e820_encode(&(struct e820_map){ .n = 1, .e = { a->e820->e[i] } }, e + 4, 20);
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
        st_le32(buf + off_mods + 16 * i, mod_start[i]);
        st_le32(buf + off_mods + 16 * i + 4, mod_end[i]);
        st_le32(buf + off_mods + 16 * i + 8, base + str);
        str += (uint32_t)sl;
        free(mod_str[i]);
    }
    st_le32(buf + 0, MBI_MEMORY | MBI_BOOTDEV | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER);
    st_le32(buf + 4, 639);
    st_le32(buf + 8, (uint32_t)((a->ram_below_4g - 0x100000) / 1024));
    st_le32(buf + 12, 0x8000ffff);
    st_le32(buf + 16, base + off_cmdline);
    st_le32(buf + 20, (uint32_t)nmods);
    st_le32(buf + 24, base + off_mods);
    st_le32(buf + 44, mmap_len);
    st_le32(buf + 48, base + off_mmap);
    st_le32(buf + 64, base + off_loader);
    if (base + str > ram_end || bus_phys_write(bus, base, buf, str) < 0) {
        snprintf(err, errlen, "no room for the multiboot information");
        return -1;
    }
    *out = (struct boot_entry){ .eip = (uint32_t)entry, .eax = MB_BOOT_MAGIC, .ebx = base };
    return 0;
}
