/*
 * hw/acpi/acpi.h: the ACPI tables satori's PC offers, built as QEMU
 * builds them for its firmware (three fw_cfg files: etc/acpi/tables,
 * etc/acpi/rsdp and the etc/table-loader script that links them), and a
 * loader that executes that script into guest memory as SeaBIOS would.
 */
#ifndef SATORI_HW_ACPI_H
#define SATORI_HW_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/acpi/aml.h"
#include "hw/hw.h"

#define ACPI_MAX_CPUS 256

struct acpi_config {
    int ncpus;
    const uint32_t *apic_ids;   /* ncpus entries */
    uint64_t ram_below_4g, ram_above_4g;
    uint16_t pm_base;           /* PIIX4 PM base (0x600) */
    /* devices present on the board (the DSDT describes only those) */
    bool pic, pit, rtc, kbd, com1, hpet;
    uint32_t hpet_block_id;     /* the HPET's capabilities register, low half */
};

/* The three files, as fw_cfg serves them. */
struct acpi_build {
    struct aml tables;          /* etc/acpi/tables */
    struct aml rsdp;            /* etc/acpi/rsdp */
    struct aml loader;          /* etc/table-loader */
};

#define ACPI_TABLES_FILE "etc/acpi/tables"
#define ACPI_RSDP_FILE   "etc/acpi/rsdp"
#define ACPI_LOADER_FILE "etc/table-loader"

/* QEMU's BIOS linker-loader commands (entries of 128 bytes). */
#define BIOS_LINKER_LOADER_COMMAND_ALLOCATE     1
#define BIOS_LINKER_LOADER_COMMAND_ADD_POINTER  2
#define BIOS_LINKER_LOADER_COMMAND_ADD_CHECKSUM 3
#define BIOS_LINKER_LOADER_ALLOC_ZONE_HIGH 1
#define BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG 2
#define BIOS_LINKER_LOADER_ENTRY_SIZE 128

/* Build every table; 0, or -1 (with the reason in err) on a bad config. */
int acpi_build(const struct acpi_config *c, struct acpi_build *out, char *err, size_t errlen);
void acpi_build_free(struct acpi_build *b);

/* Append the DSDT (header and AML) to out; -1 if the builder failed. */
int acpi_build_dsdt(const struct acpi_config *c, struct aml *out);

/* Append a table header (OEM "BOCHS ", "BXPC    " as QEMU); returns where
 * the table starts.  acpi_table_end() fills in its length and checksum. */
size_t acpi_table_begin(struct aml *b, const char *sig, uint8_t rev);
void acpi_table_end(struct aml *b, size_t start);

/* One file the loader may allocate. */
struct acpi_loader_file {
    const char *name;
    const uint8_t *data;
    size_t len;
    uint64_t addr;              /* set by acpi_loader_run */
};

/*
 * Execute a table-loader script: place each ALLOCATEd file in its zone
 * (FSEG files upward from fseg_base, below fseg_end; HIGH files upward
 * from high_base, below high_end), patch pointers, fix checksums, and
 * write the results to guest memory.  0, or -1 with the reason in err.
 */
int acpi_loader_run(struct bus *bus, const uint8_t *script, size_t len,
                    struct acpi_loader_file *files, int nfiles,
                    uint64_t fseg_base, uint64_t fseg_end, uint64_t high_base, uint64_t high_end,
                    char *err, size_t errlen);

/* Sum of bytes (ACPI checksums make it 0 mod 256). */
uint8_t acpi_checksum(const uint8_t *p, size_t n);

#endif
