/*
 * hw/loader/loader.h: what the kernel loaders share.  Every loader puts
 * an image into guest RAM and says how the boot vCPU enters it; all three
 * formats satori accepts enter in 32-bit flat protected mode with paging
 * off and interrupts disabled (multiboot, the Linux 32-bit boot protocol,
 * PVH), so one entry record describes them.  The board picks the loader
 * by the image format (loader_probe).
 */
#ifndef SATORI_LOADER_H
#define SATORI_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"
#include "hw/loader/e820.h"

enum image_kind { IMAGE_BZIMAGE, IMAGE_MULTIBOOT, IMAGE_PVH, IMAGE_UNKNOWN };

/* The boot vCPU's entry: EIP and the registers the protocol defines. */
struct boot_entry {
    uint32_t eip, eax, ebx, esi;
};

struct loader_args {
    const char *kernel;
    const char *initrd;        /* path, or NULL */
    const char *append;        /* command line, or NULL */
    const struct e820_map *e820;
    uint64_t ram_below_4g;     /* RAM top under 4 GiB */
    uint64_t acpi_rsdp;        /* RSDP address to hand over, 0 if none */
};

/* Read a whole file; 0, or -1 with strerror in err. */
int loader_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen);
/*
 * Read the initrd a->initrd and put it as high as it fits in e820 RAM in
 * [lo, limit), 4 KiB aligned (Linux boot protocol and PVH loaders); *addr
 * and *len say where (an empty file: *addr = 0, nothing written).  0, or
 * -1 with the reason (file error, or no room: "raise -m") in err.
 */
int loader_read_initrd(struct bus *bus, const struct loader_args *a, uint64_t lo, uint64_t limit,
                       uint64_t *addr, size_t *len, char *err, size_t errlen);

/*
 * Which loader an image needs, in QEMU's order: "HdrS" at 0x202 is a
 * bzImage; else a multiboot header in the first 8192 bytes; else an ELF
 * with a XEN_ELFNOTE_PHYS32_ENTRY note is PVH.  IMAGE_UNKNOWN otherwise,
 * with why in err.
 */
enum image_kind loader_probe(const uint8_t *img, size_t len, char *err, size_t errlen);

/* The multiboot v1 header in the first 8192 bytes, or NULL. */
const uint8_t *multiboot_find_header(const uint8_t *img, size_t len);
/* The PVH entry (XEN_ELFNOTE_PHYS32_ENTRY) of an ELF image: 0, or -1 if none. */
int elf_pvh_entry(const uint8_t *img, size_t len, uint32_t *entry);
/*
 * Copy an ELF image's PT_LOAD segments to their physical addresses (below
 * ram_end, not in the legacy hole); entry and the highest end address.
 */
int loader_load_elf(struct bus *bus, uint64_t ram_end, const uint8_t *img, size_t len,
                    uint64_t *entry, uint64_t *end, char *err, size_t errlen);
int loader_load_segment(struct bus *bus, uint64_t ram_end, uint64_t addr, const uint8_t *src,
                        uint64_t filesz, uint64_t memsz, char *err, size_t errlen);

/*
 * Multiboot v1 (see multiboot.c): initrd is the comma-separated module
 * list "file args,file args"; EAX = 0x2BADB002, EBX = the info block.
 */
int multiboot_load(struct bus *bus, const struct loader_args *a, struct boot_entry *out,
                   char *err, size_t errlen);

/*
 * Linux x86 boot protocol (Documentation/arch/x86/boot.rst) for a bzImage:
 * 0, or -1 with what is wrong in err.
 */
int linux_load(struct bus *bus, const struct loader_args *a, struct boot_entry *out,
               char *err, size_t errlen);

/* PVH boot (Xen's hvm_start_info, arch-x86/hvm/start_info.h facts). */
int pvh_load(struct bus *bus, const struct loader_args *a, struct boot_entry *out,
             char *err, size_t errlen);

/* Little-endian field access for image headers. */
static inline uint16_t ld_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t ld_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t ld_le64(const uint8_t *p) { return ld_le32(p) | (uint64_t)ld_le32(p + 4) << 32; }
static inline void st_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void st_le32(uint8_t *p, uint32_t v)
{
    st_le16(p, (uint16_t)v);
    st_le16(p + 2, (uint16_t)(v >> 16));
}
static inline void st_le64(uint8_t *p, uint64_t v)
{
    st_le32(p, (uint32_t)v);
    st_le32(p + 4, (uint32_t)(v >> 32));
}

#endif
