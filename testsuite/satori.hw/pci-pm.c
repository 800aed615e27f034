/*
 * testsuite/satori.hw/pci-pm.c: the PIIX4 ACPI PM function (00:01.3): PM
 * base as the firmware leaves it, the 24-bit PM timer (monotonic, its
 * rate against the TSC when the command line says tsc_khz=N), TMR_STS
 * set when bit 23 of the counter changes and cleared by writing 1, the
 * SMI command port (0xf1 sets SCI_EN, 0xf0 clears it), the GPE0 block
 * at 0xafe0, and finally S5 through PM1a_CNT, which must power the
 * machine off (exit status 0).
 */
#include "pci-guest.h"

static uint16_t pmb;

static uint32_t pm_timer(void)
{
    return inl((uint16_t)(pmb + 8)) & 0xffffff;
}

static uint64_t cmdline_number(const char *key)
{
    const char *s = multiboot_cmdline();
    size_t n = strlen(key);

    for (; s && *s; s++) {
        if (!memcmp(s, key, n)) {
            uint64_t v = 0;
            for (s += n; *s >= '0' && *s <= '9'; s++)
                v = v * 10 + (uint64_t)(*s - '0');
            return v;
        }
    }
    return 0;
}

static void timer_rate(void)
{
    uint64_t tsc_khz = cmdline_number("tsc_khz=");
    uint32_t t0 = pm_timer(), t1, ticks = 0;
    uint64_t c0, c1;
    bool mono = true;

    /* 35795 ticks of 3.579545 MHz = 10 ms */
    while ((t1 = pm_timer()) == t0)
        ;
    c0 = rdtsc();
    t0 = t1;
    while (ticks < 35795) {
        uint32_t t = pm_timer();
        uint32_t d = (t - t1) & 0xffffff;
        if (d > 0x800000)
            mono = false;
        ticks += d;
        t1 = t;
    }
    c1 = rdtsc();
    report("pm timer counts up (24 bits, wrapping)", mono && ticks >= 35795);
    if (tsc_khz) {
        /* TSC ticks in 10 ms should be tsc_khz * 10 (within 2 %) */
        uint64_t want = tsc_khz * 10 * ticks / 35795, got = c1 - c0;
        reportf(got > want - want / 50 && got < want + want / 50,
                "pm timer runs at 3.579545 MHz against a %llu kHz TSC (TSC delta %llu, "
                "expected %llu)", (unsigned long long)tsc_khz, (unsigned long long)got,
                (unsigned long long)want);
    }
}

static void timer_status(void)
{
    uint32_t start, t;

    outw(pmb, 1);   /* clear TMR_STS */
    reportf(!(inw(pmb) & 1), "TMR_STS clear after writing 1 (sts 0x%x)", inw(pmb));
    start = pm_timer() & 0x800000;
    do {
        t = pm_timer() & 0x800000;
    } while (t == start);
    reportf(inw(pmb) & 1, "TMR_STS set once bit 23 changed");
    outw(pmb, 1);
    reportf(!(inw(pmb) & 1), "TMR_STS cleared again");
}

int main(void)
{
    int pm = (1 << 3) | 3;
    uint16_t cnt;

    pmb = (uint16_t)(pci_read32(pm, 0x40) & 0xffc0);
    printf("pm base 0x%x enabled %u\n", pmb, pci_read8(pm, 0x80) & 1);
    timer_rate();
    timer_status();

    cnt = inw((uint16_t)(pmb + 4));
    printf("pm1 cnt 0x%x en 0x%x\n", cnt, inw((uint16_t)(pmb + 2)));
    outb(0xb2, 0xf1);
    reportf(inw((uint16_t)(pmb + 4)) & 1, "SMI_CMD 0xf1 sets SCI_EN");
    outb(0xb2, 0xf0);
    reportf(!(inw((uint16_t)(pmb + 4)) & 1), "SMI_CMD 0xf0 clears SCI_EN");
    outw((uint16_t)(pmb + 2), 0x0100);
    reportf(inw((uint16_t)(pmb + 2)) == 0x0100, "PM1_EN PWRBTN_EN writable");
    outw((uint16_t)(pmb + 2), 0);
    outb(0xafe2, 0x0f);
    reportf(inb(0xafe2) == 0x0f && inb(0xafe0) == 0, "GPE0 enable writable, status clear");
    outb(0xafe2, 0);

    puts_serial("S5\n");
    outw((uint16_t)(pmb + 4), (uint16_t)(0 << 10 | 1 << 13));
    pm_timer_wait_ms(500);
    report("S5 powers the machine off", false);
    report_done();
}
