/*
 * hw/nvram/fw_cfg.h: QEMU's firmware configuration device (fw_cfg) on
 * the PC's I/O ports: selector 0x510, data 0x511, DMA address 0x514.
 * Keys and formats as QEMU's docs/specs/fw_cfg.rst.
 */
#ifndef SATORI_HW_FW_CFG_H
#define SATORI_HW_FW_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"

#define FW_CFG_IO_BASE      0x510
#define FW_CFG_DMA_IO_BASE  0x514

#define FW_CFG_SIGNATURE    0x00
#define FW_CFG_ID           0x01
#define FW_CFG_UUID         0x02
#define FW_CFG_RAM_SIZE     0x03
#define FW_CFG_NOGRAPHIC    0x04
#define FW_CFG_NB_CPUS      0x05
#define FW_CFG_MACHINE_ID   0x06
#define FW_CFG_KERNEL_ADDR  0x07
#define FW_CFG_KERNEL_SIZE  0x08
#define FW_CFG_KERNEL_CMDLINE 0x09
#define FW_CFG_INITRD_ADDR  0x0a
#define FW_CFG_INITRD_SIZE  0x0b
#define FW_CFG_BOOT_DEVICE  0x0c
#define FW_CFG_NUMA         0x0d
#define FW_CFG_BOOT_MENU    0x0e
#define FW_CFG_MAX_CPUS     0x0f
#define FW_CFG_KERNEL_ENTRY 0x10
#define FW_CFG_KERNEL_DATA  0x11
#define FW_CFG_INITRD_DATA  0x12
#define FW_CFG_CMDLINE_ADDR 0x13
#define FW_CFG_CMDLINE_SIZE 0x14
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_SETUP_ADDR   0x16
#define FW_CFG_SETUP_SIZE   0x17
#define FW_CFG_SETUP_DATA   0x18
#define FW_CFG_FILE_DIR     0x19
#define FW_CFG_FILE_FIRST   0x20
#define FW_CFG_FILE_SLOTS   0x20
#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ARCH_LOCAL   0x8000
#define FW_CFG_ENTRY_MASK   (~(FW_CFG_WRITE_CHANNEL | FW_CFG_ARCH_LOCAL) & 0xffff)
/* x86 arch-local keys (QEMU hw/i386/fw_cfg.h) */
#define FW_CFG_ACPI_TABLES  (FW_CFG_ARCH_LOCAL + 0)
#define FW_CFG_IRQ0_OVERRIDE (FW_CFG_ARCH_LOCAL + 2)
#define FW_CFG_E820_TABLE   (FW_CFG_ARCH_LOCAL + 3)

#define FW_CFG_VERSION      0x01
#define FW_CFG_VERSION_DMA  0x02

/* FWCfgDmaAccess.control bits */
#define FW_CFG_DMA_CTL_ERROR  0x01
#define FW_CFG_DMA_CTL_READ   0x02
#define FW_CFG_DMA_CTL_SKIP   0x04
#define FW_CFG_DMA_CTL_SELECT 0x08
#define FW_CFG_DMA_CTL_WRITE  0x10
#define FW_CFG_DMA_SIGNATURE  0x51454d5520434647ull /* "QEMU CFG" */

#define FW_CFG_MAX_FILE_PATH 56

struct fw_cfg;

/* Create it on bus (ports 0x510-0x511 and 0x514-0x51b); NULL if taken.
 * DMA reads and writes guest RAM through bus_phys_*. */
struct fw_cfg *fw_cfg_new(struct bus *bus);
void fw_cfg_free(struct fw_cfg *s);
/* Machine reset: FW_CFG_SIGNATURE selected, DMA address cleared (as QEMU). */
void fw_cfg_reset(struct fw_cfg *s);

/* Set a legacy key's bytes (copied); values are little-endian. */
void fw_cfg_add_bytes(struct fw_cfg *s, uint16_t key, const void *data, size_t len);
void fw_cfg_add_i16(struct fw_cfg *s, uint16_t key, uint16_t v);
void fw_cfg_add_i32(struct fw_cfg *s, uint16_t key, uint32_t v);
void fw_cfg_add_i64(struct fw_cfg *s, uint16_t key, uint64_t v);
/* Add (or replace) a named file; the directory stays sorted by name and
 * file keys are FW_CFG_FILE_FIRST + rank.  -1 if the name is too long or
 * the directory is full. */
int fw_cfg_add_file(struct fw_cfg *s, const char *name, const void *data, size_t len);
/* The bytes of a file or key (tests, the board); NULL if absent. */
const uint8_t *fw_cfg_file(struct fw_cfg *s, const char *name, size_t *len);
const uint8_t *fw_cfg_key(struct fw_cfg *s, uint16_t key, size_t *len);

/* An e820 entry as etc/e820 holds it (packed, little-endian). */
struct fw_cfg_e820 {
    uint64_t addr, len;
    uint32_t type;
};

/* What the board knows; fills the legacy keys and etc/e820 as QEMU's pc. */
struct fw_cfg_machine {
    uint64_t ram_size;
    uint16_t nb_cpus, max_cpus;     /* max_cpus: highest APIC ID + 1 */
    const struct fw_cfg_e820 *e820;
    int e820_n;
    bool nographic;
    /* Linux boot (QEMU's -kernel path for bzImage); NULL/0 when absent */
    uint32_t kernel_addr, initrd_addr, cmdline_addr, setup_addr;
    const void *kernel, *initrd, *setup;
    size_t kernel_len, initrd_len, setup_len;
    const char *cmdline;
};
void fw_cfg_add_machine(struct fw_cfg *s, const struct fw_cfg_machine *m);

#endif
