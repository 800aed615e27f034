/*
 * testsuite/satori.hw/pci-reset.c: the PIIX3 reset control register at
 * 0xcf9 and what a reset does to the machine.
 *
 * Without "reboot" on the command line (run with -no-reboot): bit 1 (hard
 * reset) is kept and reads back, a write without bit 2 does not reset,
 * 0x06 resets the machine, which under -no-reboot ends the run with
 * status 0, as QEMU does.
 *
 * With "reboot" (and without -no-reboot): the first boot records the
 * state the platform hands it (PCI command, BARs, interrupt lines, PIRQ
 * routes, PM base, PM1/GPE0 enables and SCI_EN, local APIC, IOAPIC, 8259,
 * 8254 modes, HPET, RTC, i8042 command byte), changes all of it, keeps the
 * record in RAM at 8 MiB (a reset does not clear RAM) and resets through
 * 0xcf9; the second boot finds the record and checks that every value is
 * back to what the first boot saw: a device the reset forgot keeps the
 * first boot's changes.  Needs -device pci-testdev (BARs at 00:02.0).
 */
#include "cmos-guest.h"
#include "pci-guest.h"

#define RECORD_ADDR   0x800000ul
#define RECORD_MAGIC  0x5341544f52495253ull     /* "SRIROTAS" */
#define HPET_BASE     0xfed00000ul
#define IOAPIC_BASE   0xfec00000ul
#define PM_BASE       0x600
#define PIIX3_DEVFN   0x08
#define PM_DEVFN      0x0b
#define TESTDEV_DEVFN 0x10

struct record {
    uint64_t magic;
    uint32_t n;
    uint32_t v[160];
};

static struct record seen;      /* this boot's values */
static const char *names[160];

static void put(const char *name, uint32_t v)
{
    names[seen.n] = name;
    seen.v[seen.n++] = v;
}

static uint32_t ioapic_read(unsigned reg)
{
    mmio_write32(IOAPIC_BASE, reg);
    return mmio_read32(IOAPIC_BASE + 0x10);
}

static void ioapic_write(unsigned reg, uint32_t v)
{
    mmio_write32(IOAPIC_BASE, reg);
    mmio_write32(IOAPIC_BASE + 0x10, v);
}

static void kbc_wait_in(void)
{
    for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
        ;
}

static uint8_t kbc_read_ctr(void)
{
    kbc_wait_in();
    outb(0x64, 0x20);
    for (int i = 0; i < 100000 && !(inb(0x64) & 0x01); i++)
        ;
    return inb(0x60);
}

static uint8_t pit_status(int ch)
{
    outb(0x43, (uint8_t)(0xe0 | 2 << ch));  /* read-back: status of counter ch only */
    /* the mode: OUT and null count move with time, and the read/write
     * order and BCD survive a reset (QEMU's RESET sets only the mode) */
    return inb((uint16_t)(0x40 + ch)) & 0x0e;
}

static const struct { const char *name; unsigned off; } lapic_regs[] = {
    { "LAPIC ID", 0x20 }, { "LAPIC TPR", 0x80 }, { "LAPIC LDR", 0xd0 }, { "LAPIC DFR", 0xe0 },
    { "LAPIC SVR", 0xf0 }, { "LAPIC LVT timer", 0x320 }, { "LAPIC LVT LINT0", 0x350 },
    { "LAPIC LVT LINT1", 0x360 }, { "LAPIC LVT error", 0x370 },
    { "LAPIC initial count", 0x380 }, { "LAPIC divide", 0x3e0 },
};

/* Everything a reset must bring back, in a fixed order. */
static void capture(void)
{
    static const int devfns[] = { 0x00, PIIX3_DEVFN, PM_DEVFN, TESTDEV_DEVFN };
    static const char *const cmd_names[] = { "00.0 command", "01.0 command", "01.3 command",
                                             "02.0 command" };
    static const char *const line_names[] = { "00.0 interrupt line", "01.0 interrupt line",
                                              "01.3 interrupt line", "02.0 interrupt line" };
    static const char *const rte_lo[24] = {
        "rte0", "rte1", "rte2", "rte3", "rte4", "rte5", "rte6", "rte7", "rte8", "rte9", "rte10",
        "rte11", "rte12", "rte13", "rte14", "rte15", "rte16", "rte17", "rte18", "rte19",
        "rte20", "rte21", "rte22", "rte23",
    };

    seen.n = 0;
    for (int i = 0; i < 4; i++) {
        put(cmd_names[i], pci_read16(devfns[i], 0x04));
        put(line_names[i], pci_read8(devfns[i], 0x3c));
    }
    put("02.0 BAR0", pci_read32(TESTDEV_DEVFN, 0x10));
    put("02.0 BAR1", pci_read32(TESTDEV_DEVFN, 0x14));
    put("PIIX3 PIRQ routes", pci_read32(PIIX3_DEVFN, 0x60));
    put("PM base (PMBA)", pci_read32(PM_DEVFN, 0x40));
    put("PMREGMISC", pci_read8(PM_DEVFN, 0x80));
    put("PM1_EN", inw(PM_BASE + 2));
    put("PM1_CNT (SCI_EN)", inw(PM_BASE + 4));
    put("GPE0_EN", inb(0xafe2) | inb(0xafe3) << 8);
    for (size_t i = 0; i < sizeof lapic_regs / sizeof lapic_regs[0]; i++)
        put(lapic_regs[i].name, apic_read(lapic_regs[i].off));
    put("IOAPIC ID", ioapic_read(0));
    for (int i = 0; i < 24; i++) {
        put(rte_lo[i], ioapic_read(0x10 + 2 * i) & ~(1u << 12));   /* not delivery status */
        put(rte_lo[i], ioapic_read(0x11 + 2 * i));
    }
    put("8259 master IMR", inb(0x21));
    put("8259 slave IMR", inb(0xa1));
    outb(0x20, 0x0b);
    put("8259 master ISR", inb(0x20));
    outb(0x20, 0x0a);
    put("8259 ELCR", inb(0x4d0) | inb(0x4d1) << 8);
    put("8254 counter 0 mode", pit_status(0));
    put("8254 counter 1 mode", pit_status(1));
    put("8254 counter 2 mode", pit_status(2));
    put("port 0x61 counter 2 gate", inb(0x61) & 0x01);  /* speaker data survives (QEMU) */
    put("HPET config", mmio_read32(HPET_BASE + 0x10));
    for (int i = 0; i < 3; i++) {
        put("HPET timer config", mmio_read32(HPET_BASE + 0x100 + 0x20 * i));
        put("HPET comparator", mmio_read32(HPET_BASE + 0x108 + 0x20 * i));
    }
    put("RTC register A", cmos_read(0x0a) & 0x7f);     /* not UIP */
    put("RTC register B", cmos_read(0x0b));
    put("i8042 command byte", kbc_read_ctr());
}

/* Change everything capture() reads (interrupts stay off: nothing is delivered). */
static void scramble(void)
{
    /* PM first: moving its base ends the PM I/O at 0x600 */
    outw(PM_BASE + 2, 0x0521);
    outb(0xb2, 0xf1);                   /* ACPI enable: SCI_EN */
    outb(0xafe2, 0x0f);
    pci_write8(PM_DEVFN, 0x3c, 5);
    pci_write32(PM_DEVFN, 0x40, 0xb001);
    pci_write8(PM_DEVFN, 0x80, 0);
    pci_write16(TESTDEV_DEVFN, 0x04, 0);
    pci_write32(TESTDEV_DEVFN, 0x10, 0xe0000000u);
    pci_write32(TESTDEV_DEVFN, 0x14, 0xd001);
    pci_write8(TESTDEV_DEVFN, 0x3c, 3);
    pci_write16(0x00, 0x04, 0x0004);
    pci_write8(PIIX3_DEVFN, 0x3c, 7);
    pci_write32(PIIX3_DEVFN, 0x60, 0x07060503u);
    apic_write(0x80, 0x20);
    apic_write(0xd0, 0x03000000);
    apic_write(0xe0, 0x0fffffff);
    apic_write(0x3e0, 0x0b);
    apic_write(0x320, 0x30030);         /* masked, periodic */
    apic_write(0x380, 0x12345678);
    apic_write(0x350, 0x10700);
    apic_write(0x360, 0x10400);
    apic_write(0x370, 0x100fe);
    apic_write(0xf0, 0x1ef);
    ioapic_write(0, 5u << 24);
    ioapic_write(0x10 + 2 * 5, 0x18040);
    ioapic_write(0x11 + 2 * 5, 0x01000000);
    ioapic_write(0x10 + 2 * 17, 0x10051);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    outb(0x4d0, 0x20);
    outb(0x43, 0xb0);                   /* counter 2: mode 0 */
    outb(0x42, 0x34);
    outb(0x42, 0x12);
    outb(0x43, 0x74);                   /* counter 1: mode 2 */
    outb(0x41, 100);
    outb(0x41, 0);
    outb(0x61, (uint8_t)((inb(0x61) & 0x0c) | 0x03));
    mmio_write32(HPET_BASE + 0x100, 0x48);
    mmio_write32(HPET_BASE + 0x108, 0x1000);
    mmio_write32(HPET_BASE + 0x120, 0x04);
    mmio_write32(HPET_BASE + 0x10, 3);  /* enable, legacy replacement */
    cmos_write(0x0a, 0x2a);
    cmos_write(0x0b, (uint8_t)(cmos_read(0x0b) | 0x44));   /* PIE, binary */
    kbc_wait_in();
    outb(0x64, 0x60);
    kbc_wait_in();
    outb(0x60, 0x00);
}

static void reboot_test(void)
{
    struct record *rec = (struct record *)RECORD_ADDR;

    capture();
    if (rec->magic != RECORD_MAGIC) {
        memcpy(rec, &seen, sizeof seen);
        rec->magic = RECORD_MAGIC;
        scramble();
        capture();
        /* the scramble must really change what the second boot checks */
        unsigned changed = 0;
        for (unsigned i = 0; i < seen.n; i++)
            changed += seen.v[i] != rec->v[i];
        reportf(changed >= 40, "the first boot changes the state (%u values)", changed);
        puts_serial("reset\n");
        outb(0xcf9, 0x06);
        /* the PM timer is no longer decoded at 0x600: wait on the TSC */
        uint64_t t = rdtsc();
        while (rdtsc() - t < 1000000000ull)
            ;
        report("0xcf9 = 6 resets the machine", false);
        report_done();
    }
    rec->magic = 0;
    puts_serial("second boot\n");
    report("the record of the first boot survived the reset", rec->n == seen.n);
    for (unsigned i = 0; i < seen.n && i < rec->n; i++) {
        if (seen.v[i] == rec->v[i])     /* values differ between emulators: FAIL lines only */
            reportf(true, "reset restores %s", names[i]);
        else
            reportf(false, "reset restores %s (0x%x, first boot 0x%x)", names[i], seen.v[i],
                    rec->v[i]);
    }
    report_done();
}

/* "reboot" as a word of the command line (QEMU passes the kernel's path first) */
static bool want_reboot(void)
{
    const char *s = multiboot_cmdline();

    for (; s && *s; s++)
        if ((s == multiboot_cmdline() || s[-1] == ' ') && !memcmp(s, "reboot", 6)
            && (s[6] == 0 || s[6] == ' '))
            return true;
    return false;
}

int main(void)
{
    if (want_reboot()) {
        reboot_test();
        return 0;
    }
    printf("rcr 0x%x\n", inb(0xcf9));
    outb(0xcf9, 0x02);
    reportf(inb(0xcf9) == 0x02, "SRST bit is kept (0x%x)", inb(0xcf9));
    outb(0xcf9, 0x0a);
    reportf(inb(0xcf9) == 0x02, "other bits are not (0x%x)", inb(0xcf9));
    outb(0xcf9, 0x00);
    reportf(inb(0xcf9) == 0x00, "cleared");
    /* a dword access at 0xcf8 is still the PCI address register */
    outl(0xcf8, 0x80000000u);
    reportf(inl(0xcfc) == 0x12378086u, "0xcf8 dword unaffected (0x%x)", inl(0xcfc));
    puts_serial("reset\n");
    outb(0xcf9, 0x06);
    pm_timer_wait_ms(500);
    report("0xcf9 = 6 resets the machine", false);
    report_done();
}
