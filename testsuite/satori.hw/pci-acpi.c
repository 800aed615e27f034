/*
 * testsuite/satori.hw/pci-acpi.c: the ACPI tables a kernel finds (ACPI
 * 6.4, 5.2): the RSDP on a 16-byte boundary of 0xE0000-0xFFFFF with valid
 * checksums, the RSDT (and the XSDT when the RSDP is revision 2, whose
 * entries must match the RSDT's), every table's checksum, and the facts
 * that must agree with QEMU's tables: FADT (SCI 9, SMI_CMD 0xb2 with
 * 0xf1/0xf0, PM1a event 0x600, control 0x604, timer 0x608, GPE0 0xafe0,
 * FACS and DSDT pointers), MADT (one enabled local APIC per CPU, the
 * IOAPIC at 0xfec00000 with GSI base 0, IRQ0 -> GSI 2, IRQ 9 level/high,
 * LAPIC NMI on LINT1), DSDT (\_S5's SLP_TYPa as an OS finds it, PCI0,
 * _PRT and the PIRQ link devices).  Signatures are reported only for
 * tables both emulators build.
 */
#include "pci-guest.h"

static uint8_t sum(const uint8_t *p, uint32_t n)
{
    uint8_t s = 0;

    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return v;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static const uint8_t *find_rsdp(void)
{
    for (uint64_t a = 0xe0000; a < 0x100000; a += 16)
        if (!memcmp((const void *)a, "RSD PTR ", 8) && !sum((const uint8_t *)a, 20))
            return (const uint8_t *)a;
    return NULL;
}

static const uint8_t *fadt, *madt;
static int bad_tables;

static void table(const uint8_t *t)
{
    uint32_t len = rd32(t + 4);

    if (sum(t, len)) {
        reportf(false, "table %.4s checksum", (const char *)t);
        bad_tables++;
    }
    if (!memcmp(t, "FACP", 4))
        fadt = t;
    if (!memcmp(t, "APIC", 4))
        madt = t;
}

static void check_fadt(void)
{
    const uint8_t *facs, *dsdt;

    if (!fadt) {
        report("FADT present", false);
        return;
    }
    report("FADT present", true);
    reportf(rd16(fadt + 46) == 9, "FADT SCI_INT 9");
    reportf(rd32(fadt + 48) == 0xb2 && fadt[52] == 0xf1 && fadt[53] == 0xf0,
            "FADT SMI_CMD 0xb2, ACPI_ENABLE 0xf1, ACPI_DISABLE 0xf0");
    reportf(rd32(fadt + 56) == 0x600 && fadt[88] == 4, "FADT PM1a_EVT_BLK 0x600 (4 bytes)");
    reportf(rd32(fadt + 64) == 0x604 && fadt[89] == 2, "FADT PM1a_CNT_BLK 0x604 (2 bytes)");
    reportf(rd32(fadt + 76) == 0x608 && fadt[91] == 4, "FADT PM_TMR_BLK 0x608 (4 bytes)");
    reportf(rd32(fadt + 80) == 0xafe0 && fadt[92] == 4, "FADT GPE0_BLK 0xafe0 (4 bytes)");
    reportf(!(rd32(fadt + 112) & (1u << 8)), "FADT: 24-bit PM timer (no TMR_VAL_EXT)");
    facs = (const uint8_t *)(uint64_t)rd32(fadt + 36);
    dsdt = (const uint8_t *)(uint64_t)rd32(fadt + 40);
    reportf(facs && !memcmp(facs, "FACS", 4) && rd32(facs + 4) == 64, "FACS at FIRMWARE_CTRL");
    reportf(dsdt && !memcmp(dsdt, "DSDT", 4) && !sum(dsdt, rd32(dsdt + 4)),
            "DSDT at FADT.DSDT with a valid checksum");
}

/* Name(_S5, Package(n) { a, ... }) in the DSDT, as an OS reads it. */
static bool find_name(const uint8_t *t, const char *seg)
{
    uint32_t len = rd32(t + 4);

    for (uint32_t i = 36; i + 4 <= len; i++)
        if (!memcmp(t + i, seg, 4))
            return true;
    return false;
}

static void check_dsdt(void)
{
    const uint8_t *dsdt = fadt ? (const uint8_t *)(uint64_t)rd32(fadt + 40) : NULL;
    uint32_t len;
    int slp_typ = -1;

    if (!dsdt || memcmp(dsdt, "DSDT", 4))
        return;
    len = rd32(dsdt + 4);
    for (uint32_t i = 36; i + 10 < len; i++) {
        /* NameOp "_S5_" PackageOp PkgLength NumElements first-element */
        uint32_t r = dsdt[i + 1] == '\\';    /* optional root prefix */
        if (dsdt[i] == 0x08 && !memcmp(dsdt + i + 1 + r, "_S5_", 4) && dsdt[i + 5 + r] == 0x12) {
            const uint8_t *e = dsdt + i + 8 + r;
            slp_typ = e[0] == 0x0a ? e[1] : e[0] <= 1 ? e[0] : -2;
            break;
        }
    }
    printf("dsdt \\_S5 SLP_TYPa %d\n", slp_typ);
    report("DSDT has PCI0 with _PRT and the PIRQ links",
           find_name(dsdt, "PCI0") && find_name(dsdt, "_PRT") && find_name(dsdt, "LNKA")
           && find_name(dsdt, "LNKD"));
}

static void check_madt(void)
{
    int lapics = 0, ioapics = 0;
    bool irq0 = false, irq9 = false, nmi = false, ioapic_ok = false;

    if (!madt) {
        report("MADT present", false);
        return;
    }
    report("MADT present", true);
    reportf(rd32(madt + 36) == 0xfee00000u, "MADT local APIC address 0xfee00000");
    for (uint32_t off = 44; off + 2 <= rd32(madt + 4); off += madt[off + 1]) {
        const uint8_t *e = madt + off;
        if (e[1] < 2)
            break;
        switch (e[0]) {
        case 0:
            if (rd32(e + 4) & 1)
                lapics++;
            break;
        case 1:
            ioapics++;
            ioapic_ok = rd32(e + 4) == 0xfec00000u && rd32(e + 8) == 0;
            break;
        case 2:
            if (e[3] == 0 && rd32(e + 4) == 2)
                irq0 = true;
            if (e[3] == 9 && rd32(e + 4) == 9 && rd16(e + 8) == 0x000d)
                irq9 = true;
            break;
        case 4:
            if (e[2] == 0xff && e[5] == 1)
                nmi = true;
            break;
        }
    }
    reportf(lapics == 1, "MADT: one enabled local APIC per CPU (%d)", lapics);
    reportf(ioapics == 1 && ioapic_ok, "MADT: IOAPIC at 0xfec00000, GSI base 0");
    report("MADT: IRQ0 -> GSI 2", irq0);
    report("MADT: IRQ 9 level, active high", irq9);
    report("MADT: LAPIC NMI on LINT1 of every CPU", nmi);
}

int main(void)
{
    const uint8_t *rsdp = find_rsdp(), *rsdt;
    uint32_t n;

    if (!rsdp) {
        report("RSDP in the BIOS area", false);
        report_done();
    }
    report("RSDP in the BIOS area", true);
    report("RSDP extended checksum (when revision 2)", rsdp[15] < 2 || !sum(rsdp, 36));
    rsdt = (const uint8_t *)(uint64_t)rd32(rsdp + 16);
    reportf(!memcmp(rsdt, "RSDT", 4) && !sum(rsdt, rd32(rsdt + 4)), "RSDT checksum");
    n = (rd32(rsdt + 4) - 36) / 4;
    for (uint32_t i = 0; i < n; i++)
        table((const uint8_t *)(uint64_t)rd32(rsdt + 36 + 4 * i));
    report("every table in the RSDT has a valid checksum", bad_tables == 0);
    if (rsdp[15] >= 2) {
        uint64_t xa;
        const uint8_t *xsdt;
        bool same;

        memcpy(&xa, rsdp + 24, 8);
        xsdt = (const uint8_t *)xa;
        same = !memcmp(xsdt, "XSDT", 4) && !sum(xsdt, rd32(xsdt + 4))
               && (rd32(xsdt + 4) - 36) / 8 == n;
        for (uint32_t i = 0; same && i < n; i++) {
            uint64_t e;
            memcpy(&e, xsdt + 36 + 8 * i, 8);
            same = e == rd32(rsdt + 36 + 4 * i);
        }
        report("XSDT (revision 2 RSDP) matches the RSDT", same);
    } else {
        report("XSDT (revision 2 RSDP) matches the RSDT", true);
    }
    check_fadt();
    check_dsdt();
    check_madt();
    report_done();
}
