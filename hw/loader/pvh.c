/*
 * hw/loader/pvh.c: PVH boot of ELF kernels that carry the Xen ELF note
 * XEN_ELFNOTE_PHYS32_ENTRY (Linux vmlinux with CONFIG_PVH, FreeBSD, and
 * QEMU's own -kernel path for such images).  Facts from Xen's
 * public/arch-x86/hvm/start_info.h and docs/misc/pvh.pandoc:
 *   - entry in 32-bit flat protected mode, paging off, interrupts off,
 *     CS/DS/ES/SS flat 4 GiB, EBX = physical address of struct
 *     hvm_start_info, EIP = the note's address;
 *   - hvm_start_info version 1: magic 0x336ec578, flags, nr_modules,
 *     modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr,
 *     memmap_entries (the E820 table, 24-byte entries with a reserved word);
 *   - each module is { paddr, size, cmdline_paddr, reserved }: the -initrd
 *     file becomes the one module, placed as high as it fits in RAM below
 *     4 GiB, 4 KiB aligned (as the Linux loader places its initrd).
 * Layout satori chooses: the start info, module list and memmap in the
 * page at 0x10000, the command line at 0x20000, segments where the ELF's
 * physical addresses say.
 */
#include "hw/loader/loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XEN_HVM_START_MAGIC_VALUE 0x336ec578u
#define START_INFO_ADDR 0x10000u
#define MODLIST_OFF     0x40u
#define MEMMAP_OFF      0x80u
#define CMDLINE_ADDR    0x20000u
#define CMDLINE_MAX     0x7f000u  /* up to the EBDA */

int pvh_load(struct bus *bus, const struct loader_args *a, struct boot_entry *out,
             char *err, size_t errlen)
{
    uint8_t *img, page[4096];
    size_t len;
    uint32_t entry;
    uint64_t e_entry, end;

    if (loader_read_file(a->kernel, &img, &len, err, errlen) < 0)
        return -1;
    if (elf_pvh_entry(img, len, &entry) < 0) {
        snprintf(err, errlen, "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY) in the ELF image");
        free(img);
        return -1;
    }
    if (loader_load_elf(bus, a->ram_below_4g, img, len, &e_entry, &end, err, errlen) < 0) {
        free(img);
        return -1;
    }
    free(img);

    memset(page, 0, sizeof page);
    st_le32(page + 0, XEN_HVM_START_MAGIC_VALUE);
    st_le32(page + 4, 1);                       /* version */
    const char *cmdline = a->append ? a->append : "";
    size_t cl = strlen(cmdline) + 1;
    if (cl > CMDLINE_MAX || bus_phys_write(bus, CMDLINE_ADDR, cmdline, cl) < 0) {
        snprintf(err, errlen, "command line too long (%zu bytes)", cl);
        return -1;
    }
    st_le64(page + 24, CMDLINE_ADDR);
    st_le64(page + 32, a->acpi_rsdp);
    if (a->initrd && *a->initrd) {
        uint64_t at;
        size_t rdlen;
        if (loader_read_initrd(bus, a, end, a->ram_below_4g, &at, &rdlen, err, errlen) < 0)
            return -1;
        if (!rdlen)
            at = end;
        st_le32(page + 12, 1);                  /* nr_modules */
        st_le64(page + 16, START_INFO_ADDR + MODLIST_OFF);
        st_le64(page + MODLIST_OFF, at);
        st_le64(page + MODLIST_OFF + 8, rdlen);
    }
    int n = 0;
    for (; n < a->e820->n && MEMMAP_OFF + 24 * (n + 1) <= sizeof page; n++) {
        uint8_t *e = page + MEMMAP_OFF + 24 * n;
        e820_encode(&(struct e820_map){ .n = 1, .e = { a->e820->e[n] } }, e, 20);
    }
    st_le64(page + 40, START_INFO_ADDR + MEMMAP_OFF);
    st_le32(page + 48, (uint32_t)n);
    if (bus_phys_write(bus, START_INFO_ADDR, page, sizeof page) < 0) {
        snprintf(err, errlen, "cannot write the PVH start info");
        return -1;
    }
    *out = (struct boot_entry){ .eip = entry, .ebx = START_INFO_ADDR };
    return 0;
}
