/*
 * hw/acpi/acpi-build.c: the ACPI tables of satori's PC and QEMU's
 * table-loader script that links them.
 *
 * Spec: ACPI 6.4 chapter 5.2: RSDP (5.2.5, revision 2 with RSDT and XSDT),
 * RSDT/XSDT (5.2.7, 5.2.8), FADT (5.2.9, revision 3 layout, 244 bytes),
 * FACS (5.2.10), DSDT (5.2.11.1, hw/acpi/acpi-dsdt.c), MADT (5.2.12);
 * the IA-PC HPET specification 1.0a, 3.2.4 for the HPET table.  The
 * values are those QEMU gives its i440FX `pc`: PM1a event block at
 * pm_base, PM1a control at pm_base + 4, PM timer at pm_base + 8 (24-bit),
 * GPE0 at 0xafe0 (4 bytes), SCI 9, SMI_CMD 0xb2 with 0xf1/0xf0, the RTC
 * century at CMOS 0x32, C2/C3 latencies 0xfff (not supported), flags
 * WBINVD, PROC_C1, SLP_BUTTON, RTC_S4, USE_PLATFORM_CLOCK (plus
 * FORCE_APIC_PHYSICAL_DESTINATION_MODE above 8 CPUs) and RESET_REG_SUP
 * with the reset register at I/O 0xcf9, value 0x06; IAPC_BOOT_ARCH says
 * "legacy devices" and "8042" (a revision-3 FADT must, or Linux assumes
 * there is no keyboard controller).  MADT: one processor local APIC per
 * vCPU (UID = index, APIC ID from the board), the IOAPIC (ID 0) at
 * 0xfec00000 with GSI base 0, interrupt source overrides IRQ0 -> GSI 2 and
 * IRQs 5, 9, 10, 11 level/active-high, LAPIC NMI on LINT1 of every CPU.
 *
 * Deviations from QEMU: QEMU's `pc` offers an ACPI 1.0 RSDP (RSDT only)
 * and a revision-1 FADT; satori gives RSDP revision 2 with both RSDT and
 * XSDT and a revision-3 FADT with the reset register (what Linux and
 * Windows use for `reboot`).
 *
 * The file etc/acpi/tables holds FACS (64-byte aligned), DSDT, FACP, APIC,
 * HPET, RSDT, XSDT; pointers in it hold offsets into the files they point
 * at and every checksum byte is 0, so the script's ADD_POINTER and
 * ADD_CHECKSUM commands finish them wherever they land (the format QEMU
 * serves to SeaBIOS and OVMF).
 */
#include "hw/acpi/acpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACPI_FADT_F_WBINVD              (1u << 0)
#define ACPI_FADT_F_PROC_C1             (1u << 2)
#define ACPI_FADT_F_SLP_BUTTON          (1u << 5)
#define ACPI_FADT_F_RTC_S4              (1u << 7)
#define ACPI_FADT_F_RESET_REG_SUP       (1u << 10)
#define ACPI_FADT_F_USE_PLATFORM_CLOCK  (1u << 15)
#define ACPI_FADT_F_FORCE_APIC_PHYSICAL_DESTINATION_MODE (1u << 19)
#define ACPI_FADT_ARCH_LEGACY_DEVICES   (1u << 0)
#define ACPI_FADT_ARCH_8042             (1u << 1)

#define AML_AS_SYSTEM_MEMORY 0
#define AML_AS_SYSTEM_IO     1

#define FADT_SIZE 244

uint8_t acpi_checksum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

static void le(struct aml *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        aml_byte(b, (uint8_t)(v >> (8 * i)));
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

size_t acpi_table_begin(struct aml *b, const char *sig, uint8_t rev)
{
    size_t start = b->len;

    aml_bytes(b, sig, 4);
    le(b, 0, 4);                        /* length, set by acpi_table_end */
    aml_byte(b, rev);
    aml_byte(b, 0);                     /* checksum: the loader's job */
    aml_bytes(b, "BOCHS ", 6);
    aml_bytes(b, "BXPC    ", 8);
    le(b, 1, 4);                        /* OEM revision */
    aml_bytes(b, "BXPC", 4);            /* creator ID */
    le(b, 1, 4);                        /* creator revision */
    return start;
}

void acpi_table_end(struct aml *b, size_t start)
{
    put_le(b->data + start + 4, b->len - start, 4);
}

/* Generic Address Structure (5.2.3.2) */
static void gas(struct aml *b, uint8_t space, uint8_t width, uint8_t access, uint64_t addr)
{
    aml_byte(b, space);
    aml_byte(b, width);
    aml_byte(b, 0);
    aml_byte(b, access);
    le(b, addr, 8);
}

/* ---- the loader script ------------------------------------------------------ */

static void loader_name(struct aml *l, const char *name)
{
    char buf[56] = { 0 };

    strncpy(buf, name, sizeof buf - 1);
    aml_bytes(l, buf, sizeof buf);
}

static void loader_pad(struct aml *l, size_t entry_start)
{
    while (l->len < entry_start + BIOS_LINKER_LOADER_ENTRY_SIZE)
        aml_byte(l, 0);
}

static void loader_allocate(struct aml *l, const char *file, uint32_t align, uint8_t zone)
{
    size_t s = l->len;

    le(l, BIOS_LINKER_LOADER_COMMAND_ALLOCATE, 4);
    loader_name(l, file);
    le(l, align, 4);
    aml_byte(l, zone);
    loader_pad(l, s);
}

static void loader_add_pointer(struct aml *l, const char *dest, const char *src,
                               uint32_t offset, uint8_t size)
{
    size_t s = l->len;

    le(l, BIOS_LINKER_LOADER_COMMAND_ADD_POINTER, 4);
    loader_name(l, dest);
    loader_name(l, src);
    le(l, offset, 4);
    aml_byte(l, size);
    loader_pad(l, s);
}

static void loader_add_checksum(struct aml *l, const char *file, uint32_t offset,
                                uint32_t start, uint32_t len)
{
    size_t s = l->len;

    le(l, BIOS_LINKER_LOADER_COMMAND_ADD_CHECKSUM, 4);
    loader_name(l, file);
    le(l, offset, 4);
    le(l, start, 4);
    le(l, len, 4);
    loader_pad(l, s);
}

/* A pointer in the tables file to an offset in the tables file. */
static void table_pointer(struct acpi_build *o, size_t at, size_t target, int size)
{
    put_le(o->tables.data + at, target, size);
    loader_add_pointer(&o->loader, ACPI_TABLES_FILE, ACPI_TABLES_FILE, (uint32_t)at,
                       (uint8_t)size);
}

static void table_checksum(struct acpi_build *o, size_t start)
{
    uint32_t len = (uint32_t)(o->tables.data[start + 4] | o->tables.data[start + 5] << 8
                              | o->tables.data[start + 6] << 16
                              | (uint32_t)o->tables.data[start + 7] << 24);

    loader_add_checksum(&o->loader, ACPI_TABLES_FILE, (uint32_t)start + 9, (uint32_t)start, len);
}

/* ---- the tables ---------------------------------------------------------------- */

static size_t build_facs(struct aml *t)
{
    size_t start = t->len;

    aml_bytes(t, "FACS", 4);
    le(t, 64, 4);
    le(t, 0, 4);            /* hardware signature */
    le(t, 0, 4);            /* firmware waking vector */
    le(t, 0, 4);            /* global lock */
    le(t, 0, 4);            /* flags */
    le(t, 0, 8);            /* X firmware waking vector */
    aml_byte(t, 1);         /* version */
    while (t->len < start + 64)
        aml_byte(t, 0);
    return start;
}

static size_t build_fadt(struct aml *t, const struct acpi_config *c)
{
    size_t start = acpi_table_begin(t, "FACP", 3);
    uint32_t flags = ACPI_FADT_F_WBINVD | ACPI_FADT_F_PROC_C1 | ACPI_FADT_F_SLP_BUTTON
                     | ACPI_FADT_F_RTC_S4 | ACPI_FADT_F_USE_PLATFORM_CLOCK
                     | ACPI_FADT_F_RESET_REG_SUP;
    uint16_t pm = c->pm_base;

    if (c->ncpus > 8)
        flags |= ACPI_FADT_F_FORCE_APIC_PHYSICAL_DESTINATION_MODE;
    le(t, 0, 4);            /* 36 FIRMWARE_CTRL (pointer) */
    le(t, 0, 4);            /* 40 DSDT (pointer) */
    aml_byte(t, 0);         /* 44 reserved */
    aml_byte(t, 0);         /* 45 preferred PM profile: unspecified */
    le(t, 9, 2);            /* 46 SCI_INT */
    le(t, 0xb2, 4);         /* 48 SMI_CMD */
    aml_byte(t, 0xf1);      /* 52 ACPI_ENABLE */
    aml_byte(t, 0xf0);      /* 53 ACPI_DISABLE */
    aml_byte(t, 0);         /* 54 S4BIOS_REQ */
    aml_byte(t, 0);         /* 55 PSTATE_CNT */
    le(t, pm, 4);           /* 56 PM1a_EVT_BLK */
    le(t, 0, 4);            /* 60 PM1b_EVT_BLK */
    le(t, pm + 4u, 4);      /* 64 PM1a_CNT_BLK */
    le(t, 0, 4);            /* 68 PM1b_CNT_BLK */
    le(t, 0, 4);            /* 72 PM2_CNT_BLK */
    le(t, pm + 8u, 4);      /* 76 PM_TMR_BLK */
    le(t, 0xafe0, 4);       /* 80 GPE0_BLK */
    le(t, 0, 4);            /* 84 GPE1_BLK */
    aml_byte(t, 4);         /* 88 PM1_EVT_LEN */
    aml_byte(t, 2);         /* 89 PM1_CNT_LEN */
    aml_byte(t, 0);         /* 90 PM2_CNT_LEN */
    aml_byte(t, 4);         /* 91 PM_TMR_LEN */
    aml_byte(t, 4);         /* 92 GPE0_BLK_LEN */
    aml_byte(t, 0);         /* 93 GPE1_BLK_LEN */
    aml_byte(t, 0);         /* 94 GPE1_BASE */
    aml_byte(t, 0);         /* 95 CST_CNT */
    le(t, 0xfff, 2);        /* 96 P_LVL2_LAT */
    le(t, 0xfff, 2);        /* 98 P_LVL3_LAT */
    le(t, 0, 2);            /* 100 FLUSH_SIZE */
    le(t, 0, 2);            /* 102 FLUSH_STRIDE */
    aml_byte(t, 0);         /* 104 DUTY_OFFSET */
    aml_byte(t, 0);         /* 105 DUTY_WIDTH */
    aml_byte(t, 0);         /* 106 DAY_ALRM */
    aml_byte(t, 0);         /* 107 MON_ALRM */
    aml_byte(t, 0x32);      /* 108 CENTURY */
    le(t, ACPI_FADT_ARCH_LEGACY_DEVICES | ACPI_FADT_ARCH_8042, 2); /* 109 IAPC_BOOT_ARCH */
    aml_byte(t, 0);         /* 111 reserved */
    le(t, flags, 4);        /* 112 Flags */
    gas(t, AML_AS_SYSTEM_IO, 8, 1, 0xcf9);  /* 116 RESET_REG */
    aml_byte(t, 0x06);      /* 128 RESET_VALUE */
    le(t, 0, 3);            /* 129 reserved */
    le(t, 0, 8);            /* 132 X_FIRMWARE_CTRL: FIRMWARE_CTRL is used */
    le(t, 0, 8);            /* 140 X_DSDT (pointer) */
    gas(t, AML_AS_SYSTEM_IO, 32, 0, pm);        /* 148 X_PM1a_EVT_BLK */
    gas(t, 0, 0, 0, 0);                         /* 160 X_PM1b_EVT_BLK */
    gas(t, AML_AS_SYSTEM_IO, 16, 0, pm + 4u);   /* 172 X_PM1a_CNT_BLK */
    gas(t, 0, 0, 0, 0);                         /* 184 X_PM1b_CNT_BLK */
    gas(t, 0, 0, 0, 0);                         /* 196 X_PM2_CNT_BLK */
    gas(t, AML_AS_SYSTEM_IO, 32, 0, pm + 8u);   /* 208 X_PM_TMR_BLK */
    gas(t, AML_AS_SYSTEM_IO, 32, 0, 0xafe0);    /* 220 X_GPE0_BLK */
    gas(t, 0, 0, 0, 0);                         /* 232 X_GPE1_BLK */
    acpi_table_end(t, start);
    return start;
}

static size_t build_madt(struct aml *t, const struct acpi_config *c)
{
    static const uint8_t level_irqs[] = { 5, 9, 10, 11 };
    size_t start = acpi_table_begin(t, "APIC", 1);

    le(t, 0xfee00000, 4);   /* local interrupt controller address */
    le(t, 1, 4);            /* PCAT_COMPAT: there are 8259s */
    for (int i = 0; i < c->ncpus; i++) {
        aml_byte(t, 0);     /* processor local APIC */
        aml_byte(t, 8);
        aml_byte(t, (uint8_t)i);
        aml_byte(t, (uint8_t)c->apic_ids[i]);
        le(t, 1, 4);        /* enabled */
    }
    aml_byte(t, 1);         /* I/O APIC */
    aml_byte(t, 12);
    aml_byte(t, 0);         /* ID */
    aml_byte(t, 0);
    le(t, 0xfec00000, 4);
    le(t, 0, 4);            /* GSI base */
    aml_byte(t, 2);         /* interrupt source override: IRQ0 -> GSI 2 */
    aml_byte(t, 10);
    aml_byte(t, 0);
    aml_byte(t, 0);
    le(t, 2, 4);
    le(t, 0, 2);            /* conforming */
    for (size_t i = 0; i < sizeof level_irqs; i++) {
        aml_byte(t, 2);
        aml_byte(t, 10);
        aml_byte(t, 0);
        aml_byte(t, level_irqs[i]);
        le(t, level_irqs[i], 4);
        le(t, 0x000d, 2);   /* active high (01), level triggered (11 << 2) */
    }
    aml_byte(t, 4);         /* local APIC NMI: all processors, LINT1 */
    aml_byte(t, 6);
    aml_byte(t, 0xff);
    le(t, 0, 2);
    aml_byte(t, 1);
    acpi_table_end(t, start);
    return start;
}

static size_t build_hpet(struct aml *t, uint32_t block_id)
{
    size_t start = acpi_table_begin(t, "HPET", 1);

    le(t, block_id, 4);
    gas(t, AML_AS_SYSTEM_MEMORY, 0, 0, 0xfed00000);
    aml_byte(t, 0);         /* HPET number */
    le(t, 0, 2);            /* minimum clock tick in periodic mode */
    aml_byte(t, 0);         /* page protection */
    acpi_table_end(t, start);
    return start;
}

int acpi_build(const struct acpi_config *c, struct acpi_build *o, char *err, size_t errlen)
{
    size_t facs, dsdt, fadt, madt, hpet = 0, rsdt, xsdt, entries[3];
    int n = 0;

    memset(o, 0, sizeof *o);
    if (c->ncpus < 1 || c->ncpus > ACPI_MAX_CPUS) {
        snprintf(err, errlen, "ACPI tables: %d CPUs (1-%d supported)", c->ncpus, ACPI_MAX_CPUS);
        return -1;
    }
    for (int i = 0; i < c->ncpus; i++) {
        if (c->apic_ids[i] > 0xfe) {
            snprintf(err, errlen, "ACPI tables: APIC ID %u does not fit an xAPIC MADT entry",
                     c->apic_ids[i]);
            return -1;
        }
    }
    loader_allocate(&o->loader, ACPI_RSDP_FILE, 16, BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG);
    loader_allocate(&o->loader, ACPI_TABLES_FILE, 64, BIOS_LINKER_LOADER_ALLOC_ZONE_HIGH);

    facs = build_facs(&o->tables);
    dsdt = o->tables.len;
    if (acpi_build_dsdt(c, &o->tables) < 0) {
        snprintf(err, errlen, "ACPI tables: the DSDT builder failed");
        acpi_build_free(o);
        return -1;
    }
    fadt = build_fadt(&o->tables, c);
    madt = build_madt(&o->tables, c);
    if (c->hpet)
        hpet = build_hpet(&o->tables, c->hpet_block_id);
    entries[n++] = fadt;
    entries[n++] = madt;
    if (c->hpet)
        entries[n++] = hpet;

    rsdt = acpi_table_begin(&o->tables, "RSDT", 1);
    for (int i = 0; i < n; i++)
        le(&o->tables, 0, 4);
    acpi_table_end(&o->tables, rsdt);
    xsdt = acpi_table_begin(&o->tables, "XSDT", 1);
    for (int i = 0; i < n; i++)
        le(&o->tables, 0, 8);
    acpi_table_end(&o->tables, xsdt);

    /* links inside etc/acpi/tables, then each table's checksum */
    table_pointer(o, fadt + 36, facs, 4);
    table_pointer(o, fadt + 40, dsdt, 4);
    table_pointer(o, fadt + 140, dsdt, 8);
    for (int i = 0; i < n; i++) {
        table_pointer(o, rsdt + 36 + 4 * (size_t)i, entries[i], 4);
        table_pointer(o, xsdt + 36 + 8 * (size_t)i, entries[i], 8);
    }
    table_checksum(o, dsdt);
    table_checksum(o, fadt);
    table_checksum(o, madt);
    if (c->hpet)
        table_checksum(o, hpet);
    table_checksum(o, rsdt);
    table_checksum(o, xsdt);

    /* RSDP (5.2.5.3): revision 2, 36 bytes */
    aml_bytes(&o->rsdp, "RSD PTR ", 8);
    aml_byte(&o->rsdp, 0);
    aml_bytes(&o->rsdp, "BOCHS ", 6);
    aml_byte(&o->rsdp, 2);
    le(&o->rsdp, rsdt, 4);
    le(&o->rsdp, 36, 4);
    le(&o->rsdp, xsdt, 8);
    aml_byte(&o->rsdp, 0);
    le(&o->rsdp, 0, 3);
    loader_add_pointer(&o->loader, ACPI_RSDP_FILE, ACPI_TABLES_FILE, 16, 4);
    loader_add_pointer(&o->loader, ACPI_RSDP_FILE, ACPI_TABLES_FILE, 24, 8);
    loader_add_checksum(&o->loader, ACPI_RSDP_FILE, 8, 0, 20);
    loader_add_checksum(&o->loader, ACPI_RSDP_FILE, 32, 0, 36);
    if (o->tables.error || o->rsdp.error || o->loader.error) {
        snprintf(err, errlen, "ACPI tables: builder error");
        acpi_build_free(o);
        return -1;
    }
    return 0;
}

void acpi_build_free(struct acpi_build *b)
{
    aml_free(&b->tables);
    aml_free(&b->rsdp);
    aml_free(&b->loader);
}
