/*
 * tests/test-acpi.c: unit tests for the AML builder (encodings worked out
 * by hand from ACPI 6.4 chapter 20 and section 6.4) and for the ACPI
 * tables: the table-loader script executed into RAM, every checksum, the
 * pointers between tables, FADT and MADT contents, refused configs.
 * `test-acpi --dump-dsdt FILE` writes the DSDT for tests/test-acpi-iasl.sh.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/acpi/acpi.h"
#include "hw/acpi/aml.h"
#include "hw/hw.h"
#include "tests/unit.h"

int failures;

static bool same(const struct aml *b, const uint8_t *want, size_t n)
{
    bool ok = !b->error && b->len == n && !memcmp(b->data, want, n);

    if (!ok) {
        printf("  got (%zu%s):", b->len, b->error ? ", error" : "");
        for (size_t i = 0; i < b->len && i < 48; i++)
            printf(" %02x", b->data[i]);
        printf("\n");
    }
    return ok;
}

#define EXPECT(build, name, ...) do {                         \
    static const uint8_t want_[] = { __VA_ARGS__ };           \
    struct aml b_;                                            \
    aml_init(&b_);                                            \
    { struct aml *b = &b_; build; }                           \
    CHECK(same(&b_, want_, sizeof want_), "%s", name);        \
    aml_free(&b_);                                            \
} while (0)

static void aml_integers_use_the_shortest_encoding(void)
{
    EXPECT(aml_int(b, 0), "ZeroOp", 0x00);
    EXPECT(aml_int(b, 1), "OneOp", 0x01);
    EXPECT(aml_int(b, 0xff), "BytePrefix", 0x0a, 0xff);
    EXPECT(aml_int(b, 0x100), "WordPrefix", 0x0b, 0x00, 0x01);
    EXPECT(aml_int(b, 0x12345678), "DWordPrefix", 0x0c, 0x78, 0x56, 0x34, 0x12);
    EXPECT(aml_int(b, 0x100000000ull), "QWordPrefix", 0x0e, 0, 0, 0, 0, 1, 0, 0, 0);
    EXPECT(aml_string(b, "AB"), "String", 0x0d, 'A', 'B', 0x00);
}

static void aml_names_and_eisa_ids(void)
{
    EXPECT(aml_name(b, "_SB"), "NameSeg padded", '_', 'S', 'B', '_');
    EXPECT(aml_name(b, "\\_SB.PCI0"), "DualNamePath from root",
           0x5c, 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0');
    EXPECT(aml_name(b, "\\_SB.PCI0.ISA"), "MultiNamePath",
           0x5c, 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'I', 'S', 'A', '_');
    EXPECT(aml_name(b, "^LNKA"), "parent prefix", 0x5e, 'L', 'N', 'K', 'A');
    {
        struct aml b;
        aml_init(&b);
        aml_name(&b, "1ABC");
        CHECK(b.error, "NameSeg starting with a digit is an error");
        aml_free(&b);
        aml_init(&b);
        aml_name(&b, "TOOLONG");
        CHECK(b.error, "NameSeg of 7 characters is an error");
        aml_free(&b);
    }
    CHECK(aml_eisaid_value("PNP0A03") == 0x030ad041u, "EISAID PNP0A03 %x",
          aml_eisaid_value("PNP0A03"));
    CHECK(aml_eisaid_value("PNP0501") == 0x0105d041u, "EISAID PNP0501");
    CHECK(aml_eisaid_value("PNP0C0F") == 0x0f0cd041u, "EISAID PNP0C0F");
    CHECK(aml_eisaid_value("pnp0a03") == 0, "lower case is not an EISA ID");
    EXPECT(aml_name_decl(b, "_HID"); aml_eisaid(b, "PNP0A03"), "Name(_HID, EISAID)",
           0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03);
}

static void aml_pkglen_boundaries(void)
{
    uint8_t e[4];

    CHECK(aml_pkglen_encode(0, e) == 1 && e[0] == 1, "empty body");
    CHECK(aml_pkglen_encode(62, e) == 1 && e[0] == 0x3f, "63 in one byte");
    CHECK(aml_pkglen_encode(63, e) == 2 && e[0] == 0x41 && e[1] == 0x04,
          "64 needs two bytes: total 65 = %02x %02x", e[0], e[1]);
    CHECK(aml_pkglen_encode(4093, e) == 2 && e[0] == 0x4f && e[1] == 0xff, "4095 in two bytes");
    CHECK(aml_pkglen_encode(4094, e) == 3 && e[0] == 0x81 && e[1] == 0x00 && e[2] == 0x01,
          "4097 in three bytes");
    CHECK(aml_pkglen_encode((size_t)1 << 28, e) == 0, "2^28 does not fit");
    /* a Scope holding 70 bytes: PkgLength 2 bytes, total 70 + 4 (name) + 2 */
    {
        struct aml b;
        uint8_t filler[70] = { 0 };
        aml_init(&b);
        aml_scope_begin(&b, "_SB");
        aml_bytes(&b, filler, sizeof filler);
        aml_end(&b);
        CHECK(b.len == 1 + 2 + 4 + 70 && b.data[1] == (0x40 | (76 & 0xf)) && b.data[2] == 76 >> 4,
              "two-byte PkgLength in a Scope");
        aml_free(&b);
    }
}

static void aml_named_objects_and_statements(void)
{
    EXPECT(aml_scope_begin(b, "\\_SB"); aml_end(b), "Scope(\\_SB) {}",
           0x10, 0x06, 0x5c, '_', 'S', 'B', '_');
    EXPECT(aml_method_begin(b, "_STA", 0, false); aml_return(b); aml_int(b, 0x0f); aml_end(b),
           "Method(_STA) { Return (0x0F) }",
           0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f);
    EXPECT(aml_method_begin(b, "IQCR", 1, true); aml_end(b), "serialized method flags",
           0x14, 0x06, 'I', 'Q', 'C', 'R', 0x09);
    EXPECT(aml_device_begin(b, "LNKA"); aml_end(b), "Device(LNKA) {}",
           0x5b, 0x82, 0x05, 'L', 'N', 'K', 'A');
    EXPECT(aml_package_begin(b, 2); aml_int(b, 1); aml_int(b, 2); aml_end(b), "Package(2){1,2}",
           0x12, 0x05, 0x02, 0x01, 0x0a, 0x02);
    EXPECT(aml_buffer(b, "\x79\x00", 2), "Buffer of 2", 0x11, 0x05, 0x0a, 0x02, 0x79, 0x00);
    EXPECT(aml_operation_region(b, "P40C", AML_PCI_CONFIG, 0x60, 4),
           "OperationRegion(P40C, PCI_Config, 0x60, 4)",
           0x5b, 0x80, 'P', '4', '0', 'C', 0x02, 0x0a, 0x60, 0x0a, 0x04);
    EXPECT(aml_field_begin(b, "P40C", AML_BYTE_ACC, false, AML_PRESERVE);
           aml_field_unit(b, "PRQ0", 8); aml_field_unit(b, NULL, 0x40); aml_end(b),
           "Field(P40C, ByteAcc, NoLock, Preserve) { PRQ0, 8, , 64 }",
           0x5b, 0x81, 0x0e, 'P', '4', '0', 'C', 0x01, 'P', 'R', 'Q', '0', 0x08, 0x00, 0x40, 0x04);
    EXPECT(aml_if_begin(b); aml_op(b, AML_AND); aml_int(b, 0x80); aml_arg(b, 0); aml_null_name(b);
           aml_return(b); aml_int(b, 9); aml_end(b), "If (And(0x80, Arg0)) { Return (9) }",
           0xa0, 0x09, 0x7b, 0x0a, 0x80, 0x68, 0x00, 0xa4, 0x0a, 0x09);
    EXPECT(aml_store(b); aml_local(b, 0); aml_name(b, "PRQ0"), "Store(Local0, PRQ0)",
           0x70, 0x60, 'P', 'R', 'Q', '0');
    {
        struct aml b;
        aml_init(&b);
        aml_end(&b);
        CHECK(b.error, "unbalanced aml_end is an error");
        aml_free(&b);
    }
}

static void aml_resource_descriptors(void)
{
    static const uint32_t irq9 = 9;

    EXPECT(aml_res_io(b, 0x3f8, 0x3f8, 0, 8), "IO(Decode16, 0x3F8, 0x3F8, 0, 8)",
           0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08);
    EXPECT(aml_res_irq_noflags(b, 1u << 4), "IRQNoFlags(){4}", 0x22, 0x10, 0x00);
    EXPECT(aml_res_interrupt(b, false, false, true, &irq9, 1),
           "Interrupt(ResourceConsumer, Level, ActiveHigh, Shared){9}",
           0x89, 0x06, 0x00, 0x09, 0x01, 0x09, 0x00, 0x00, 0x00);
    EXPECT(aml_res_memory32_fixed(b, false, 0xfed00000u, 0x400),
           "Memory32Fixed(ReadOnly, 0xFED00000, 0x400)",
           0x86, 0x09, 0x00, 0x00, 0x00, 0x00, 0xd0, 0xfe, 0x00, 0x04, 0x00, 0x00);
    EXPECT(aml_res_word_bus_number(b, 0, 0xff), "WordBusNumber(0-0xFF)",
           0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0, 0, 0, 0, 0xff, 0, 0, 0, 0x00, 0x01);
    EXPECT(aml_res_dword_io(b, 0xd00, 0xffff), "DWordIO(0xD00-0xFFFF)",
           0x87, 0x17, 0x00, 0x01, 0x0c, 0x03, 0, 0, 0, 0, 0x00, 0x0d, 0, 0, 0xff, 0xff, 0, 0,
           0, 0, 0, 0, 0x00, 0xf3, 0, 0);
    {
        struct aml r, b;
        aml_init(&r);
        aml_init(&b);
        aml_res_qword_memory(&r, false, 0x100000000ull, 0x17fffffffull);
        CHECK(r.len == 46 && r.data[0] == 0x8a && r.data[1] == 43 && r.data[3] == 0
              && r.data[5] == 0x01 && r.data[14 + 4] == 1 && r.data[38 + 3] == 0x80,
              "QWordMemory layout");
        aml_resource_template(&b, &r);
        CHECK(b.len == 46 + 2 + 4 && b.data[0] == 0x11 && b.data[b.len - 2] == 0x79
              && b.data[b.len - 1] == 0, "ResourceTemplate ends with an EndTag");
        aml_free(&r);
        aml_free(&b);
    }
}

/* ---- tables ------------------------------------------------------------------- */

static uint8_t ram[0x100000];

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static const uint8_t *at(uint64_t a) { return a < sizeof ram ? ram + a : NULL; }

static void acpi_tables_load_and_check(void)
{
    uint32_t ids[4] = { 0, 1, 2, 6 };
    struct acpi_config c = {
        .ncpus = 4, .apic_ids = ids, .ram_below_4g = 0x8000000, .pm_base = 0x600,
        .pic = true, .pit = true, .rtc = true, .kbd = true, .com1 = true, .hpet = true,
        .hpet_block_id = 0x8086a201,
    };
    struct acpi_build t;
    struct acpi_loader_file f[2];
    struct bus *bus = bus_new();
    char err[128];
    const uint8_t *rsdp, *rsdt, *xsdt, *fadt = NULL, *madt = NULL, *hpet = NULL;
    int lapics = 0, isos = 0;

    bus_map_ram(bus, 0, sizeof ram, ram, false, "ram");
    CHECK(acpi_build(&c, &t, err, sizeof err) == 0, "build: %s", err);
    f[0] = (struct acpi_loader_file){ ACPI_RSDP_FILE, t.rsdp.data, t.rsdp.len, 0 };
    f[1] = (struct acpi_loader_file){ ACPI_TABLES_FILE, t.tables.data, t.tables.len, 0 };
    CHECK(t.loader.len % 128 == 0, "loader entries of 128 bytes");
    CHECK(acpi_loader_run(bus, t.loader.data, t.loader.len, f, 2, 0xf0000, 0x100000, 0xe0000,
                          0xf0000, err, sizeof err) == 0, "loader: %s", err);
    CHECK(f[0].addr == 0xf0000 && f[1].addr == 0xe0000, "zones");
    rsdp = at(f[0].addr);
    CHECK(!memcmp(rsdp, "RSD PTR ", 8) && rsdp[15] == 2, "RSDP revision 2");
    CHECK(acpi_checksum(rsdp, 20) == 0 && acpi_checksum(rsdp, 36) == 0, "RSDP checksums");
    rsdt = at(rd32(rsdp + 16));
    xsdt = at(rd32(rsdp + 24));
    CHECK(rsdt && xsdt && !memcmp(rsdt, "RSDT", 4) && !memcmp(xsdt, "XSDT", 4), "RSDT and XSDT");
    CHECK(acpi_checksum(rsdt, rd32(rsdt + 4)) == 0 && acpi_checksum(xsdt, rd32(xsdt + 4)) == 0,
          "RSDT/XSDT checksums");
    CHECK(rd32(rsdt + 4) == 36 + 3 * 4 && rd32(xsdt + 4) == 36 + 3 * 8, "three tables listed");
    for (int i = 0; i < 3; i++) {
        const uint8_t *tb = at(rd32(rsdt + 36 + 4 * i));
        CHECK(tb && rd32(xsdt + 36 + 8 * i) == rd32(rsdt + 36 + 4 * i) && rd32(xsdt + 40 + 8 * i) == 0,
              "XSDT entry %d = RSDT entry", i);
        if (!tb)
            continue;
        CHECK(acpi_checksum(tb, rd32(tb + 4)) == 0, "%.4s checksum", (const char *)tb);
        if (!memcmp(tb, "FACP", 4))
            fadt = tb;
        if (!memcmp(tb, "APIC", 4))
            madt = tb;
        if (!memcmp(tb, "HPET", 4))
            hpet = tb;
    }
    CHECK(fadt && madt && hpet, "FACP, APIC, HPET");
    if (fadt) {
        const uint8_t *facs = at(rd32(fadt + 36)), *dsdt = at(rd32(fadt + 40));
        CHECK(rd32(fadt + 4) == 244 && fadt[8] == 3, "FADT revision 3, 244 bytes");
        CHECK(facs && !memcmp(facs, "FACS", 4) && (rd32(fadt + 36) & 63) == 0, "FACS, aligned");
        CHECK(dsdt && !memcmp(dsdt, "DSDT", 4) && acpi_checksum(dsdt, rd32(dsdt + 4)) == 0,
              "DSDT and its checksum");
        CHECK(rd32(fadt + 140) == rd32(fadt + 40), "X_DSDT = DSDT");
        CHECK((fadt[46] | fadt[47] << 8) == 9 && rd32(fadt + 56) == 0x600 && rd32(fadt + 64) == 0x604
              && rd32(fadt + 76) == 0x608, "SCI and PM blocks");
        CHECK(fadt[116] == 1 && fadt[117] == 8 && rd32(fadt + 120) == 0xcf9 && fadt[128] == 6,
              "reset register 0xcf9 value 6");
        CHECK(rd32(fadt + 112) & (1u << 10), "RESET_REG_SUP");
        CHECK(fadt[109] == 3, "IAPC_BOOT_ARCH legacy devices + 8042");
        CHECK(rd32(fadt + 148 + 4) == 0x600 && rd32(fadt + 208 + 4) == 0x608, "X_ PM blocks");
    }
    if (madt) {
        for (uint32_t off = 44; off < rd32(madt + 4); off += madt[off + 1]) {
            const uint8_t *e = madt + off;
            if (e[0] == 0) {
                CHECK(e[2] == lapics && e[3] == ids[lapics] && rd32(e + 4) == 1,
                      "LAPIC %d: uid, APIC ID %u, enabled", lapics, e[3]);
                lapics++;
            } else if (e[0] == 1) {
                CHECK(rd32(e + 4) == 0xfec00000u && rd32(e + 8) == 0, "IOAPIC");
            } else if (e[0] == 2) {
                CHECK(isos > 0 || (e[3] == 0 && rd32(e + 4) == 2), "IRQ0 -> GSI 2 first");
                CHECK(isos == 0 || (e[8] | e[9] << 8) == 0x000d, "level/high override");
                isos++;
            } else if (e[0] == 4) {
                CHECK(e[2] == 0xff && e[5] == 1, "LAPIC NMI LINT1");
            }
            if (e[1] < 2)
                break;
        }
        CHECK(lapics == 4 && isos == 5, "4 LAPICs, 5 overrides (%d, %d)", lapics, isos);
    }
    if (hpet)
        CHECK(rd32(hpet + 36) == 0x8086a201u && rd32(hpet + 44) == 0xfed00000u, "HPET table");
    acpi_build_free(&t);

    c.ncpus = 0;
    CHECK(acpi_build(&c, &t, err, sizeof err) < 0, "0 CPUs refused");
    c.ncpus = 1;
    ids[0] = 255;
    CHECK(acpi_build(&c, &t, err, sizeof err) < 0, "APIC ID 255 refused");
    bus_free(bus);
}

static void acpi_loader_rejects_bad_scripts(void)
{
    uint8_t script[128] = { 1 };
    struct acpi_loader_file f = { "etc/acpi/tables", (const uint8_t *)"x", 1, 0 };
    struct bus *bus = bus_new();
    char err[128];

    memcpy(script + 4, "etc/acpi/nope", 13);
    script[60] = 16;
    script[64] = 1;
    CHECK(acpi_loader_run(bus, script, sizeof script, &f, 1, 0, 0x100, 0, 0x100, err,
                          sizeof err) < 0, "ALLOCATE of an unknown file refused");
    CHECK(acpi_loader_run(bus, script, 100, &f, 1, 0, 0x100, 0, 0x100, err, sizeof err) < 0,
          "partial entry refused");
    memcpy(script + 4, "etc/acpi/tables", 16);
    CHECK(acpi_loader_run(bus, script, sizeof script, &f, 1, 0, 0x100, 0, 0x100, err,
                          sizeof err) < 0, "file not in RAM refused");
    bus_free(bus);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--dump-dsdt")) {
        uint32_t id = 0;
        struct acpi_config c = { .ncpus = 1, .apic_ids = &id, .ram_below_4g = 0x8000000,
                                 .pm_base = 0x600, .pic = true, .pit = true, .rtc = true,
                                 .kbd = true, .com1 = true, .hpet = true };
        struct aml d;
        FILE *f = fopen(argv[2], "wb");
        aml_init(&d);
        if (!f || acpi_build_dsdt(&c, &d) < 0 || fwrite(d.data, 1, d.len, f) != d.len)
            return 1;
        /* the file is a table on its own: give it its checksum */
        fseek(f, 9, SEEK_SET);
        fputc((uint8_t)-acpi_checksum(d.data, d.len), f);
        fclose(f);
        aml_free(&d);
        return 0;
    }
    aml_integers_use_the_shortest_encoding();
    aml_names_and_eisa_ids();
    aml_pkglen_boundaries();
    aml_named_objects_and_statements();
    aml_resource_descriptors();
    acpi_tables_load_and_check();
    acpi_loader_rejects_bad_scripts();
    if (failures)
        printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
