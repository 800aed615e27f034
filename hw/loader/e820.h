/*
 * hw/loader/e820.h: the guest-physical memory map the board reports to the
 * guest (the BIOS INT 15h E820 table; ACPI spec 6.5, section 15 "System
 * Address Map Interfaces").  Built in one place (e820.c) and shared by the
 * loaders (Linux zero page, PVH memmap, multiboot mmap) and by fw_cfg's
 * "etc/e820" file.
 */
#ifndef SATORI_E820_H
#define SATORI_E820_H

#include <stddef.h>
#include <stdint.h>

/* Address range types (ACPI 6.5, Table 15.1). */
#define E820_RAM      1
#define E820_RESERVED 2
#define E820_ACPI     3
#define E820_NVS      4
#define E820_UNUSABLE 5

#define E820_MAX_ENTRIES 32
/* Encoded entry size: u64 address, u64 length, u32 type (little endian). */
#define E820_ENTRY_SIZE 20

struct e820_entry {
    uint64_t addr, size;
    uint32_t type;
};

struct e820_map {
    int n;
    struct e820_entry e[E820_MAX_ENTRIES];
};

/*
 * The PC map as QEMU's pc machine with SeaBIOS reports it: RAM from 0 to
 * 0x9fc00, the EBDA (0x9fc00-0xa0000) and the BIOS area (0xf0000-0x100000)
 * reserved, RAM from 1 MiB to below_4g, the BIOS flash alias at
 * 0xfffc0000-4 GiB reserved, RAM above 4 GiB.  Entries sorted by address.
 */
void e820_init_pc(struct e820_map *m, uint64_t below_4g, uint64_t above_4g);
/*
 * Mark [addr, addr+size) as type, splitting or trimming what it overlaps
 * (e.g. ACPI tables placed at the top of low RAM).  Returns 0, or -1 when
 * the table would exceed E820_MAX_ENTRIES.
 */
int e820_add(struct e820_map *m, uint64_t addr, uint64_t size, uint32_t type);
/* Encode as packed 20-byte entries; returns the bytes written (<= max). */
size_t e820_encode(const struct e820_map *m, uint8_t *out, size_t max);
/*
 * Highest address a such that [a, a+size) lies in one RAM entry, a >= lo,
 * a + size <= hi and a is a multiple of align (a power of two); 0 if none.
 */
uint64_t e820_find_top(const struct e820_map *m, uint64_t size, uint64_t lo, uint64_t hi,
                       uint64_t align);

#endif
