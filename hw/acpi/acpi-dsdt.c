/*
 * hw/acpi/acpi-dsdt.c: satori's DSDT, generated with hw/acpi/aml.c.
 *
 * The namespace follows the one QEMU gives its i440FX `pc` (ACPI 6.4,
 * 5.2.11.1 for the DSDT; 6.1/6.2 for _HID, _UID, _CRS, _PRS, _SRS, _DIS,
 * _STA; 6.2.13 _PRT; 7.4.2 \_Sx):
 *
 *   \_SB.PCI0          PNP0A03, _CRS: bus 0-255, the 0xCF8 ports, I/O
 *                      0-0xCF7 and 0xD00-0xFFFF, VGA memory, the 32-bit
 *                      PCI hole (end of low RAM to 0xFEBFFFFF) and a
 *                      64-bit window above RAM; _PRT: every slot's INTA-D
 *                      to the link devices, swizzled as the PIIX3 routes
 *                      them (slot s pin p -> PIRQ (p + s - 1) mod 4), slot 1
 *                      INTA (the PM function) to LNKS.
 *   \_SB.PCI0.ISA      the PIIX3 (_ADR 0x00010000) with region P40C over
 *                      its PIRQ route registers 0x60-0x63, and the ISA
 *                      devices the board has: PIC (PNP0000), PIT (PNP0100),
 *                      RTC (PNP0B00), keyboard (PNP0303) and mouse
 *                      (PNP0F13), COM1 (PNP0501).
 *   \_SB.PCI0.HPET     PNP0103 at 0xFED00000 when the board has one.
 *   \_SB.LNKA-LNKD     PNP0C0F link devices over PRQ0-PRQ3 (IRQ 5, 10 or
 *                      11, level, active high, shared; bit 7 = disabled).
 *   \_SB.LNKS          the SCI link: IRQ 9 only.
 *   \_SB.Cnnn          one ACPI0007 processor device per vCPU, _UID = the
 *                      MADT processor UID.
 *   \_S5               Package {0, 0, 0, 0}: SLP_TYP 0 in PM1a_CNT.
 */
#include "hw/acpi/acpi.h"

#include <stdio.h>
#include <string.h>

static const char *const link_names[4] = { "LNKA", "LNKB", "LNKC", "LNKD" };

static void name_int(struct aml *b, const char *name, uint64_t v)
{
    aml_name_decl(b, name);
    aml_int(b, v);
}

static void name_eisaid(struct aml *b, const char *name, const char *id)
{
    aml_name_decl(b, name);
    aml_eisaid(b, id);
}

/* Method(name) { Return (v) } */
static void method_return_int(struct aml *b, const char *name, uint64_t v)
{
    aml_method_begin(b, name, 0, false);
    aml_return(b);
    aml_int(b, v);
    aml_end(b);
}

/* An ISA device with a fixed resource template. */
static void isa_device(struct aml *b, const char *name, const char *hid, int uid,
                       const struct aml *crs)
{
    aml_device_begin(b, name);
    name_eisaid(b, "_HID", hid);
    if (uid >= 0)
        name_int(b, "_UID", (uint64_t)uid);
    method_return_int(b, "_STA", 0x0f);
    aml_name_decl(b, "_CRS");
    aml_resource_template(b, crs);
    aml_end(b);
}

static void build_isa(struct aml *b, const struct acpi_config *c)
{
    struct aml r;

    aml_device_begin(b, "ISA");
    name_int(b, "_ADR", 0x00010000);
    aml_operation_region(b, "P40C", AML_PCI_CONFIG, 0x60, 4);
    if (c->pic) {
        aml_init(&r);
        aml_res_io(&r, 0x20, 0x20, 0x01, 0x02);
        aml_res_io(&r, 0xa0, 0xa0, 0x01, 0x02);
        aml_res_irq_noflags(&r, 1u << 2);
        isa_device(b, "PIC", "PNP0000", -1, &r);
        aml_free(&r);
    }
    if (c->pit) {
        aml_init(&r);
        aml_res_io(&r, 0x40, 0x40, 0x01, 0x04);
        aml_res_irq_noflags(&r, 1u << 0);
        isa_device(b, "TMR", "PNP0100", -1, &r);
        aml_free(&r);
    }
    if (c->rtc) {
        aml_init(&r);
        aml_res_io(&r, 0x70, 0x70, 0x01, 0x02);
        aml_res_irq_noflags(&r, 1u << 8);
        isa_device(b, "RTC", "PNP0B00", -1, &r);
        aml_free(&r);
    }
    if (c->kbd) {
        aml_init(&r);
        aml_res_io(&r, 0x60, 0x60, 0x01, 0x01);
        aml_res_io(&r, 0x64, 0x64, 0x01, 0x01);
        aml_res_irq_noflags(&r, 1u << 1);
        isa_device(b, "KBD", "PNP0303", -1, &r);
        aml_free(&r);
        aml_init(&r);
        aml_res_irq_noflags(&r, 1u << 12);
        isa_device(b, "MOU", "PNP0F13", -1, &r);
        aml_free(&r);
    }
    if (c->com1) {
        aml_init(&r);
        aml_res_io(&r, 0x3f8, 0x3f8, 0x00, 0x08);
        aml_res_irq_noflags(&r, 1u << 4);
        isa_device(b, "COM1", "PNP0501", 1, &r);
        aml_free(&r);
    }
    aml_end(b);
}

static void build_pci0_crs(struct aml *b, const struct acpi_config *c)
{
    struct aml r;
    uint64_t hole64 = (0x100000000ull + c->ram_above_4g + 0x3fffffffull) & ~0x3fffffffull;

    aml_init(&r);
    aml_res_word_bus_number(&r, 0x00, 0xff);
    aml_res_io(&r, 0xcf8, 0xcf8, 0x01, 0x08);
    aml_res_dword_io(&r, 0x0000, 0x0cf7);
    aml_res_dword_io(&r, 0x0d00, 0xffff);
    aml_res_dword_memory(&r, true, 0x000a0000, 0x000bffff);
    aml_res_dword_memory(&r, false, (uint32_t)c->ram_below_4g, 0xfebfffff);
    aml_res_qword_memory(&r, false, hole64, hole64 + 0x80000000ull - 1);
    aml_name_decl(b, "_CRS");
    aml_resource_template(b, &r);
    aml_free(&r);
}

static void build_prt(struct aml *b)
{
    aml_name_decl(b, "_PRT");
    aml_package_begin(b, 128);
    for (int slot = 0; slot < 32; slot++) {
        for (int pin = 0; pin < 4; pin++) {
            aml_package_begin(b, 4);
            aml_int(b, (uint64_t)slot << 16 | 0xffff);
            aml_int(b, (uint64_t)pin);
            if (slot == 1 && pin == 0)
                aml_name(b, "LNKS");
            else
                aml_name(b, link_names[(pin + slot - 1) & 3]);
            aml_int(b, 0);
            aml_end(b);
        }
    }
    aml_end(b);
}

/* Method IQST(1): a PIRQ route register's _STA (disabled: 0x09). */
static void build_iqst(struct aml *b)
{
    aml_method_begin(b, "IQST", 1, false);
    aml_if_begin(b);
    aml_op(b, AML_AND);
    aml_int(b, 0x80);
    aml_arg(b, 0);
    aml_null_name(b);
    aml_return(b);
    aml_int(b, 0x09);
    aml_end(b);
    aml_return(b);
    aml_int(b, 0x0b);
    aml_end(b);
}

/* Method IQCR(1): the current-resource template of a route register. */
static void build_iqcr(struct aml *b)
{
    struct aml r;
    uint32_t zero = 0;

    aml_method_begin(b, "IQCR", 1, true);
    aml_init(&r);
    aml_res_interrupt(&r, false, false, true, &zero, 1);
    aml_name_decl(b, "PRR0");
    aml_resource_template(b, &r);
    aml_free(&r);
    aml_create_dword_field(b);
    aml_name(b, "PRR0");
    aml_int(b, 5);
    aml_name(b, "PRRI");
    aml_if_begin(b);              /* If (Arg0 < 0x80) { PRRI = Arg0 & 0x0f } */
    aml_op(b, AML_LLESS);
    aml_arg(b, 0);
    aml_int(b, 0x80);
    aml_op(b, AML_AND);
    aml_arg(b, 0);
    aml_int(b, 0x0f);
    aml_name(b, "PRRI");
    aml_end(b);
    aml_return(b);
    aml_name(b, "PRR0");
    aml_end(b);
}

static void build_link(struct aml *b, int i)
{
    static const uint32_t prs[] = { 5, 10, 11 };
    char prq[5];
    struct aml r;

    snprintf(prq, sizeof prq, "PRQ%d", i & 3);
    aml_device_begin(b, link_names[i]);
    name_eisaid(b, "_HID", "PNP0C0F");
    name_int(b, "_UID", (uint64_t)i);
    aml_init(&r);
    aml_res_interrupt(&r, false, false, true, prs, 3);
    aml_name_decl(b, "_PRS");
    aml_resource_template(b, &r);
    aml_free(&r);
    aml_method_begin(b, "_STA", 0, false);
    aml_return(b);
    aml_name(b, "IQST");
    aml_name(b, prq);
    aml_end(b);
    aml_method_begin(b, "_DIS", 0, false);   /* PRQn |= 0x80 */
    aml_op(b, AML_OR);
    aml_name(b, prq);
    aml_int(b, 0x80);
    aml_name(b, prq);
    aml_end(b);
    aml_method_begin(b, "_CRS", 0, false);
    aml_return(b);
    aml_name(b, "IQCR");
    aml_name(b, prq);
    aml_end(b);
    aml_method_begin(b, "_SRS", 1, false);   /* PRQn = the IRQ in Arg0 */
    aml_create_dword_field(b);
    aml_arg(b, 0);
    aml_int(b, 5);
    aml_name(b, "PRRI");
    aml_store(b);
    aml_name(b, "PRRI");
    aml_name(b, prq);
    aml_end(b);
    aml_end(b);
}

static void build_lnks(struct aml *b)
{
    static const uint32_t sci[] = { 9 };
    struct aml r;

    aml_device_begin(b, "LNKS");
    name_eisaid(b, "_HID", "PNP0C0F");
    name_int(b, "_UID", 4);
    method_return_int(b, "_STA", 0x0b);
    aml_init(&r);
    aml_res_interrupt(&r, false, false, true, sci, 1);
    aml_name_decl(b, "_PRS");
    aml_resource_template(b, &r);
    aml_name_decl(b, "_CRS");
    aml_resource_template(b, &r);
    aml_free(&r);
    aml_method_begin(b, "_SRS", 1, false);
    aml_end(b);
    aml_method_begin(b, "_DIS", 0, false);
    aml_end(b);
    aml_end(b);
}

static void build_hpet(struct aml *b)
{
    struct aml r;

    aml_device_begin(b, "HPET");
    name_eisaid(b, "_HID", "PNP0103");
    name_int(b, "_UID", 0);
    method_return_int(b, "_STA", 0x0f);
    aml_init(&r);
    aml_res_memory32_fixed(&r, false, 0xfed00000, 0x400);
    aml_name_decl(b, "_CRS");
    aml_resource_template(b, &r);
    aml_free(&r);
    aml_end(b);
}

int acpi_build_dsdt(const struct acpi_config *c, struct aml *b)
{
    size_t start = acpi_table_begin(b, "DSDT", 1);

    aml_scope_begin(b, "\\_SB");
    aml_device_begin(b, "PCI0");
    name_eisaid(b, "_HID", "PNP0A03");
    name_int(b, "_ADR", 0);
    name_int(b, "_UID", 0);
    build_pci0_crs(b, c);
    build_prt(b);
    build_isa(b, c);
    if (c->hpet)
        build_hpet(b);
    aml_end(b);                                 /* PCI0 */

    aml_field_begin(b, "PCI0.ISA.P40C", AML_BYTE_ACC, false, AML_PRESERVE);
    for (int i = 0; i < 4; i++) {
        char n[5];
        snprintf(n, sizeof n, "PRQ%d", i & 3);
        aml_field_unit(b, n, 8);
    }
    aml_end(b);
    build_iqst(b);
    build_iqcr(b);
    for (int i = 0; i < 4; i++)
        build_link(b, i);
    build_lnks(b);
    for (int i = 0; i < c->ncpus; i++) {
        char n[5];
        snprintf(n, sizeof n, "C%03X", (unsigned)i & 0xfff);
        aml_device_begin(b, n);
        aml_name_decl(b, "_HID");
        aml_string(b, "ACPI0007");
        name_int(b, "_UID", (uint64_t)i);
        aml_end(b);
    }
    aml_end(b);                                 /* \_SB */

    aml_name_decl(b, "_S5");     /* at the root, as QEMU writes it */
    aml_package_begin(b, 4);
    for (int i = 0; i < 4; i++)
        aml_int(b, 0);
    aml_end(b);

    if (b->error || b->depth)
        return -1;
    acpi_table_end(b, start);
    return 0;
}
