/*
 * hw/loader/linux.c: the Linux x86 boot protocol for bzImage kernels
 * (Documentation/arch/x86/boot.rst, "THE LINUX/x86 BOOT PROTOCOL").
 *
 * What satori does, and why:
 *   - protocol 2.06 or later is required (the setup header at 0x1f1 with
 *     the "HdrS" magic at 0x202, cmdline_size, a bzImage with
 *     LOADED_HIGH); anything else is refused with the reason;
 *   - the protected-mode kernel is loaded at 1 MiB, as QEMU does, also for
 *     relocatable kernels: a relocatable kernel's decompressor moves
 *     itself to pref_address (protocol >= 2.10) on its own, so the only
 *     effect of the choice is where the compressed image sits.  The RAM
 *     the kernel needs there (pref_address or 1 MiB, plus init_size) is
 *     checked so a too small -m is a clear error, not a dead guest;
 *   - entry is the 32-bit boot protocol ("32-bit BOOT PROTOCOL"): flat
 *     4 GiB code and data segments, paging and interrupts off, ESI = the
 *     zero page (struct boot_params), EBX = EBP = EDI = 0, EIP = the load
 *     address.  This is what QEMU's -kernel path effectively gives: its
 *     linuxboot option ROM runs the kernel's real-mode setup, which
 *     switches to protected mode and jumps to the same 32-bit entry.
 *     satori has no BIOS for the real-mode setup to call, so it fills in
 *     the zero page itself (the setup code's job) and starts there; the
 *     64-bit entry (startup_64 at +0x200) is not used because it would
 *     need page tables built by the loader for no gain;
 *   - the zero page (4 KiB at 0x10000) holds a copy of the image's setup
 *     header, type_of_loader 0xb0 (QEMU's value), the E820 table from
 *     e820.h (the board's one memory map), the command line pointer (the
 *     string at 0x20000, at most cmdline_size bytes) and the initrd;
 *   - the initrd goes as high as it fits in RAM below initrd_addr_max
 *     (and below 4 GiB), 4 KiB aligned, as QEMU places it.
 * Deviation: the real-mode part (setup sectors) is not loaded at all, so
 * screen_info and the other BIOS-derived fields stay zero (no video, no
 * EDD, no APM), as the protocol allows for a 32-bit boot.
 */
#include "hw/loader/loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* setup header fields, as offsets into the image / zero page */
#define HDR_SETUP_SECTS      0x1f1
#define HDR_SYSSIZE          0x1f4
#define HDR_JUMP             0x200
#define HDR_MAGIC            0x202
#define HDR_VERSION          0x206
#define HDR_TYPE_OF_LOADER   0x210
#define HDR_LOADFLAGS        0x211
#define HDR_CODE32_START     0x214
#define HDR_RAMDISK_IMAGE    0x218
#define HDR_RAMDISK_SIZE     0x21c
#define HDR_CMD_LINE_PTR     0x228
#define HDR_INITRD_ADDR_MAX  0x22c
#define HDR_RELOCATABLE      0x234
#define HDR_CMDLINE_SIZE     0x238
#define HDR_PREF_ADDRESS     0x258
#define HDR_INIT_SIZE        0x260

/* boot_params fields outside the header (arch/x86 zero-page.rst) */
#define BP_ACPI_RSDP_ADDR    0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_ALT_MEM_K         0x1e0
#define BP_E820_ENTRIES      0x1e8
#define BP_E820_TABLE        0x2d0
#define BP_E820_MAX          128

#define LOADED_HIGH          0x01
#define HDRS_MAGIC           0x53726448u   /* "HdrS" */
#define TYPE_OF_LOADER_QEMU  0xb0

#define ZERO_PAGE_ADDR       0x10000u
#define CMDLINE_ADDR         0x20000u
#define KERNEL_ADDR          0x100000u

int linux_load(struct bus *bus, const struct loader_args *a, struct boot_entry *out,
               char *err, size_t errlen)
{
    uint8_t *img, zp[4096];
    size_t len;
    uint64_t ram_top = a->ram_below_4g;

    if (loader_read_file(a->kernel, &img, &len, err, errlen) < 0)
        return -1;
    if (len < 0x400 || ld_le32(img + HDR_MAGIC) != HDRS_MAGIC) {
        snprintf(err, errlen, "not a bzImage: no \"HdrS\" setup header at 0x202");
        goto fail;
    }
    uint16_t version = ld_le16(img + HDR_VERSION);
    if (version < 0x206) {
        snprintf(err, errlen, "boot protocol %u.%02u is too old (satori needs 2.06 or later)",
                 version >> 8, version & 0xff);
        goto fail;
    }
    if (!(img[HDR_LOADFLAGS] & LOADED_HIGH)) {
        snprintf(err, errlen, "zImage (loaded below 1 MiB) is not supported; use a bzImage");
        goto fail;
    }
    unsigned setup_sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
    size_t setup_size = (setup_sects + 1) * 512u;
    size_t hdr_end = HDR_JUMP + 2 + img[HDR_JUMP + 1];   /* the jump skips the header */
    if (setup_size >= len || hdr_end > setup_size || hdr_end > sizeof zp) {
        snprintf(err, errlen, "truncated bzImage: %u setup sectors but %zu bytes", setup_sects,
                 len);
        goto fail;
    }
    size_t kernel_len = len - setup_size;
    uint64_t syssize = (uint64_t)ld_le32(img + HDR_SYSSIZE) * 16;
    if (syssize > kernel_len) {
        snprintf(err, errlen, "truncated bzImage: syssize says %llu bytes of kernel, the file "
                 "has %zu", (unsigned long long)syssize, kernel_len);
        goto fail;
    }
    /* where the kernel will run: pref_address when relocatable (2.10+), else 1 MiB */
    uint64_t run_at = KERNEL_ADDR;
    if (version >= 0x20a && img[HDR_RELOCATABLE])
        run_at = ld_le64(img + HDR_PREF_ADDRESS) > KERNEL_ADDR ? ld_le64(img + HDR_PREF_ADDRESS)
                                                             : KERNEL_ADDR;
    uint64_t need = run_at + (version >= 0x20a ? ld_le32(img + HDR_INIT_SIZE) : kernel_len);
    if (KERNEL_ADDR + kernel_len > ram_top || need > ram_top) {
        snprintf(err, errlen, "the kernel needs RAM up to %llu MiB (at 0x%llx, init_size), "
                 "the guest has %llu MiB below 4 GiB: raise -m",
                 (unsigned long long)((need + 0xfffff) >> 20), (unsigned long long)run_at,
                 (unsigned long long)(ram_top >> 20));
        goto fail;
    }
    if (bus_phys_write(bus, KERNEL_ADDR, img + setup_size, kernel_len) < 0) {
        snprintf(err, errlen, "cannot write the kernel at 1 MiB");
        goto fail;
    }

    /* zero page: zeroes, the image's setup header, then the loader's fields */
    memset(zp, 0, sizeof zp);
    memcpy(zp + HDR_SETUP_SECTS, img + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
    zp[HDR_TYPE_OF_LOADER] = TYPE_OF_LOADER_QEMU;
    st_le32(zp + HDR_CODE32_START, KERNEL_ADDR);

    const char *cmdline = a->append ? a->append : "";
    size_t cl = strlen(cmdline);
    uint32_t cmdline_max = ld_le32(img + HDR_CMDLINE_SIZE);
    if (cl > cmdline_max) {
        snprintf(err, errlen, "command line is %zu bytes, the kernel accepts at most %u "
                 "(cmdline_size)", cl, cmdline_max);
        goto fail;
    }
    if (CMDLINE_ADDR + cl + 1 > 0x9fc00 || bus_phys_write(bus, CMDLINE_ADDR, cmdline, cl + 1) < 0) {
        snprintf(err, errlen, "no room for the command line");
        goto fail;
    }
    st_le32(zp + HDR_CMD_LINE_PTR, CMDLINE_ADDR);
    st_le32(zp + BP_EXT_CMD_LINE_PTR, 0);

    if (a->initrd && *a->initrd) {
        /* below initrd_addr_max (the highest byte address) and the RAM top */
        uint64_t max = ld_le32(img + HDR_INITRD_ADDR_MAX);
        uint64_t limit = max + 1 < ram_top ? max + 1 : ram_top;
        uint64_t at;
        size_t rdlen;
        if (loader_read_initrd(bus, a, KERNEL_ADDR + kernel_len, limit, &at, &rdlen, err,
                               errlen) < 0)
            goto fail;
        st_le32(zp + HDR_RAMDISK_IMAGE, (uint32_t)at);
        st_le32(zp + HDR_RAMDISK_SIZE, (uint32_t)rdlen);
        st_le32(zp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(at >> 32));
        st_le32(zp + BP_EXT_RAMDISK_SIZE, (uint32_t)((uint64_t)rdlen >> 32));
    }

    uint8_t table[BP_E820_MAX * E820_ENTRY_SIZE];
    size_t tlen = e820_encode(a->e820, table, sizeof table);
    memcpy(zp + BP_E820_TABLE, table, tlen);
    zp[BP_E820_ENTRIES] = (uint8_t)(tlen / E820_ENTRY_SIZE);
    /* legacy size of extended memory in KiB (boot.rst: alt_mem_k), capped */
    uint64_t ext_k = (ram_top - 0x100000) >> 10;
    st_le32(zp + BP_ALT_MEM_K, ext_k > 0xffffffffu ? 0xffffffffu : (uint32_t)ext_k);
    st_le64(zp + BP_ACPI_RSDP_ADDR, a->acpi_rsdp);
    if (bus_phys_write(bus, ZERO_PAGE_ADDR, zp, sizeof zp) < 0) {
        snprintf(err, errlen, "cannot write the zero page");
        goto fail;
    }
    free(img);
    *out = (struct boot_entry){ .eip = KERNEL_ADDR, .esi = ZERO_PAGE_ADDR };
    return 0;
fail:
    free(img);
    return -1;
}
