/*
 * hw/pci/piix4-pm.c: the ACPI power-management function of the Intel
 * 82371AB PIIX4 as QEMU's `pc` has it at 00:01.3: 8086:7113 revision 3,
 * class "other bridge" (06 80 00), INTA.
 *
 * Spec: 82371AB datasheet 3.4 (PMBA at 0x40, bits 15:6; PMREGMISC 0x80
 * bit 0 enables the PM I/O space) and ACPI 6.4, 4.8 (fixed hardware):
 *   PMBA+0  PM1a_STS  (16 bit, write 1 to clear): TMR_STS 0, GBL_STS 5,
 *                     PWRBTN_STS 8, RTC_STS 10, WAK_STS 15
 *   PMBA+2  PM1a_EN   (16 bit): TMR_EN 0, GBL_EN 5, PWRBTN_EN 8, RTC_EN 10
 *   PMBA+4  PM1a_CNT  (16 bit): SCI_EN 0, SLP_TYP 12:10, SLP_EN 13
 *   PMBA+8  PM_TMR    (32 bit read, 24 bits of count at 3.579545 MHz)
 * GPE0 (ACPI 5.2.9, 4.8.4.1): 2 status bytes then 2 enable bytes at
 * 0xAFE0, as QEMU.  SCI (level, active high) is asserted while any
 * enabled PM1 or GPE0 status bit is set (not gated by SCI_EN, as QEMU).
 * The APM control port 0xB2 is the FADT's SMI_CMD: 0xF1 sets SCI_EN,
 * 0xF0 clears it (QEMU's "ACPI enable/disable" without an SMM handler).
 *
 * TMR_STS is set each time bit 23 of the counter changes (ACPI 4.8.3.3);
 * while TMR_EN is set a timer on the virtual clock raises the SCI then.
 *
 * Sleep: writing SLP_EN with SLP_TYP 0 (the \_S5 value of satori's DSDT)
 * or 2 (QEMU's S4 value) powers the machine off through the board's hook;
 * other sleep types (S3 is not offered) are logged under -d unimp and
 * ignored.
 */
#include "hw/pci/pci.h"

#include <stdlib.h>
#include <string.h>

#include "timers/timers.h"
#include "util/log.h"

#define PIIX4_PMBA        0x40
#define PIIX4_PMREGMISC   0x80
#define PM_IO_LEN         64
#define PM_TIMER_FREQUENCY 3579545ull

#define ACPI_BITMASK_TIMER_STATUS   0x0001
#define ACPI_BITMASK_GLOBAL_STATUS  0x0020
#define ACPI_BITMASK_POWER_BUTTON_STATUS 0x0100
#define ACPI_BITMASK_RT_CLOCK_STATUS 0x0400
#define ACPI_BITMASK_WAKE_STATUS    0x8000
#define ACPI_BITMASK_TIMER_ENABLE   0x0001
#define ACPI_BITMASK_GLOBAL_ENABLE  0x0020
#define ACPI_BITMASK_POWER_BUTTON_ENABLE 0x0100
#define ACPI_BITMASK_RT_CLOCK_ENABLE 0x0400
#define ACPI_BITMASK_SCI_ENABLE     0x0001
#define ACPI_BITMASK_SLEEP_TYPE     0x1c00
#define ACPI_BITMASK_SLEEP_ENABLE   0x2000

#define PM1_EVENTS (ACPI_BITMASK_TIMER_STATUS | ACPI_BITMASK_GLOBAL_STATUS \
                    | ACPI_BITMASK_POWER_BUTTON_STATUS | ACPI_BITMASK_RT_CLOCK_STATUS)

struct piix4_pm {
    struct pci_dev dev;
    struct irq_line sci;
    bool sci_level;
    void (*poweroff)(void *opaque);
    void *poweroff_opaque;
    uint16_t pm1_sts, pm1_en, pm1_cnt;
    uint8_t gpe_sts[2], gpe_en[2];
    int64_t tmr_overflow_ns;    /* when bit 23 of the counter next changes */
    struct timer *tmr;
    uint16_t io_base;           /* mapped PM base, 0 when not decoded */
    uint8_t apm_cnt, apm_sts;
};

/* ---- the PM timer ---------------------------------------------------------- */

static uint64_t ns_to_ticks(int64_t ns)
{
    uint64_t u = (uint64_t)ns;

    return u / 1000000000u * PM_TIMER_FREQUENCY + u % 1000000000u * PM_TIMER_FREQUENCY / 1000000000u;
}

/* First virtual ns at which the counter reaches ticks. */
static int64_t ticks_to_ns(uint64_t ticks)
{
    uint64_t s = ticks / PM_TIMER_FREQUENCY, rem = ticks % PM_TIMER_FREQUENCY;

    return (int64_t)(s * 1000000000u + (rem * 1000000000u + PM_TIMER_FREQUENCY - 1) / PM_TIMER_FREQUENCY);
}

uint32_t piix4_pm_timer(struct piix4_pm *pm)
{
    return (uint32_t)(ns_to_ticks(vclock_ns()) & 0xffffff);
}

static void calc_overflow(struct piix4_pm *pm)
{
    uint64_t t = ns_to_ticks(vclock_ns());

    pm->tmr_overflow_ns = ticks_to_ns((t + 0x800000) & ~0x7fffffull);
}

static uint16_t pm1_sts(struct piix4_pm *pm)
{
    if (vclock_ns() >= pm->tmr_overflow_ns)
        pm->pm1_sts |= ACPI_BITMASK_TIMER_STATUS;
    return pm->pm1_sts;
}

static void update_sci(struct piix4_pm *pm)
{
    bool level = (pm1_sts(pm) & pm->pm1_en & PM1_EVENTS)
                 || (pm->gpe_sts[0] & pm->gpe_en[0]) || (pm->gpe_sts[1] & pm->gpe_en[1]);

    if (level != pm->sci_level) {
        pm->sci_level = level;
        irq_set(&pm->sci, level);
    }
    /* wake up at the next counter overflow while its interrupt is wanted */
    if ((pm->pm1_en & ACPI_BITMASK_TIMER_ENABLE) && !(pm->pm1_sts & ACPI_BITMASK_TIMER_STATUS))
        timer_mod(pm->tmr, pm->tmr_overflow_ns);
    else
        timer_del(pm->tmr);
}

static void tmr_expired(void *opaque)
{
    update_sci(opaque);
}

void piix4_pm_power_button(struct piix4_pm *pm)
{
    pm->pm1_sts |= ACPI_BITMASK_POWER_BUTTON_STATUS;
    update_sci(pm);
}

/* ---- PM I/O space ------------------------------------------------------------ */

static void pm1_cnt_write(struct piix4_pm *pm, uint16_t val)
{
    pm->pm1_cnt = val & (uint16_t)~ACPI_BITMASK_SLEEP_ENABLE;
    if (!(val & ACPI_BITMASK_SLEEP_ENABLE))
        return;
    switch ((val & ACPI_BITMASK_SLEEP_TYPE) >> 10) {
    case 0: /* S5, soft off */
    case 2: /* QEMU's S4 value: QEMU powers off too */
        if (pm->poweroff)
            pm->poweroff(pm->poweroff_opaque);
        break;
    default:
        if (log_on(LOG_UNIMP))
            log_printf("piix4-pm: sleep type %u not supported; ignored\n",
                       (val & ACPI_BITMASK_SLEEP_TYPE) >> 10);
        break;
    }
}

static uint32_t pm_reg32(struct piix4_pm *pm, unsigned dword)
{
    switch (dword) {
    case 0:
        return pm1_sts(pm) | (uint32_t)pm->pm1_en << 16;
    case 1:
        return pm->pm1_cnt;
    case 2:
        return piix4_pm_timer(pm);
    default:
        return 0;
    }
}

static uint64_t pm_io_read(void *opaque, uint64_t off, unsigned size)
{
    struct piix4_pm *pm = opaque;
    uint64_t v = 0;
    unsigned dword = ~0u;
    uint32_t reg = 0;

    /* one reading per register, so a wide read of the timer is not torn */
    for (unsigned i = 0; i < size; i++) {
        unsigned o = (unsigned)off + i;
        if (o / 4 != dword) {
            dword = o / 4;
            reg = pm_reg32(pm, dword);
        }
        v |= (uint64_t)((reg >> (8 * (o & 3))) & 0xff) << (8 * i);
    }
    return v;
}

static void pm_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct piix4_pm *pm = opaque;

    for (unsigned i = 0; i < size; i++) {
        unsigned o = (unsigned)off + i, sh = 8 * (o & 1);
        uint16_t part = (uint16_t)(((val >> (8 * i)) & 0xff) << sh);
        uint16_t mask = (uint16_t)(0xff << sh);

        switch (o & ~1u) {
        case 0: { /* PM1a_STS: write 1 to clear */
            uint16_t sts = pm1_sts(pm);
            if (sts & part & ACPI_BITMASK_TIMER_STATUS)
                calc_overflow(pm);
            pm->pm1_sts &= (uint16_t)~part;
            break;
        }
        case 2:
            pm->pm1_en = (uint16_t)((pm->pm1_en & ~mask) | part);
            break;
        case 4:
            /* byte by byte, low first: SLP_TYP and SLP_EN arrive together */
            pm1_cnt_write(pm, (uint16_t)((pm->pm1_cnt & ~mask) | part));
            break;
        default:
            break; /* the timer is read-only */
        }
    }
    update_sci(pm);
}

static const struct dev_ops pm_io_ops = {
    .read = pm_io_read, .write = pm_io_write, .min_size = 1, .max_size = 4,
};

static uint64_t gpe_read(void *opaque, uint64_t off, unsigned size)
{
    struct piix4_pm *pm = opaque;

    return off < 2 ? pm->gpe_sts[off] : pm->gpe_en[off - 2];
}

static void gpe_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct piix4_pm *pm = opaque;

    if (off < 2)
        pm->gpe_sts[off] &= (uint8_t)~val;
    else
        pm->gpe_en[off - 2] = (uint8_t)val;
    update_sci(pm);
}

static const struct dev_ops gpe_ops = {
    .read = gpe_read, .write = gpe_write, .min_size = 1, .max_size = 1,
};

/* APM control (0xb2) and status (0xb3) ports. */
static uint64_t apm_read(void *opaque, uint64_t off, unsigned size)
{
    struct piix4_pm *pm = opaque;

    return off == 0 ? pm->apm_cnt : pm->apm_sts;
}

static void apm_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct piix4_pm *pm = opaque;

    if (off == 1) {
        pm->apm_sts = (uint8_t)val;
        return;
    }
    pm->apm_cnt = (uint8_t)val;
    if (val == ACPI_ENABLE_CMD)
        pm->pm1_cnt |= ACPI_BITMASK_SCI_ENABLE;
    else if (val == ACPI_DISABLE_CMD)
        pm->pm1_cnt &= (uint16_t)~ACPI_BITMASK_SCI_ENABLE;
}

static const struct dev_ops apm_ops = {
    .read = apm_read, .write = apm_write, .min_size = 1, .max_size = 1,
};

/* ---- configuration space --------------------------------------------------- */

static void pm_io_update(struct piix4_pm *pm)
{
    const uint8_t *c = pm->dev.config;
    uint16_t base = (uint16_t)((c[PIIX4_PMBA] | c[PIIX4_PMBA + 1] << 8) & 0xffc0);
    struct bus *sys = pci_bus_sys(pm->dev.bus);

    if (!(c[PIIX4_PMREGMISC] & 1))
        base = 0;
    if (base == pm->io_base)
        return;
    if (pm->io_base)
        bus_unmap_io(sys, pm->io_base, pm);
    pm->io_base = 0;
    if (base && bus_map_io(sys, base, PM_IO_LEN, &pm_io_ops, pm, "piix4-pm") == 0)
        pm->io_base = base;
    else if (base && log_on(LOG_GUEST_ERRORS))
        log_printf("piix4-pm: PM base 0x%x overlaps another range; not decoded\n", base);
}

static void pm_config_write(struct pci_dev *d, unsigned off, uint32_t val, unsigned size)
{
    if ((off < PIIX4_PMBA + 4 && off + size > PIIX4_PMBA)
        || (off <= PIIX4_PMREGMISC && off + size > PIIX4_PMREGMISC))
        pm_io_update(d->opaque);
}

/*
 * Reset, as the PIIX4's PCIRST# and QEMU's piix4 reset: PM1 status,
 * enables and control (SCI_EN off) and GPE0 cleared, the APM ports
 * zeroed, the PM timer's overflow tracking restarted (the counter itself
 * runs on the virtual clock and is not reset, as QEMU); the PM base is
 * undecoded again with the restored configuration space.
 */
static void pm_reset(struct pci_dev *d)
{
    struct piix4_pm *pm = d->opaque;

    pm->pm1_sts = pm->pm1_en = pm->pm1_cnt = 0;
    memset(pm->gpe_sts, 0, sizeof pm->gpe_sts);
    memset(pm->gpe_en, 0, sizeof pm->gpe_en);
    pm->apm_cnt = pm->apm_sts = 0;
    calc_overflow(pm);
    update_sci(pm);
    pm_io_update(pm);
}

struct piix4_pm *piix4_pm_new(struct pci_bus *b, struct irq_line sci,
                              void (*poweroff)(void *opaque), void *opaque)
{
    struct piix4_pm *pm = calloc(1, sizeof *pm);
    struct bus *sys = pci_bus_sys(b);

    if (!pm)
        abort();
    if (pci_dev_init(&pm->dev, b, PCI_DEVFN(1, 3), "PIIX4_PM", 0x8086, 0x7113, 0x068000, 0x03,
                     0) < 0
        || bus_map_io(sys, PIIX4_PM_GPE0_BASE, PIIX4_PM_GPE0_LEN, &gpe_ops, pm, "acpi-gpe0") < 0
        || bus_map_io(sys, APM_CNT_IOPORT, 2, &apm_ops, pm, "apm") < 0) {
        free(pm);
        return NULL;
    }
    pm->dev.config[PCI_INTERRUPT_PIN] = 1;
    pm->dev.config[PIIX4_PMBA] = 0x01;  /* I/O space indicator, read-only */
    pm->dev.wmask[PIIX4_PMBA] = 0xc0;
    pm->dev.wmask[PIIX4_PMBA + 2] = pm->dev.wmask[PIIX4_PMBA + 3] = 0;
    pm->dev.opaque = pm;
    pm->dev.config_write = pm_config_write;
    pm->dev.reset = pm_reset;
    pm->sci = sci;
    pm->poweroff = poweroff;
    pm->poweroff_opaque = opaque;
    pm->tmr = timer_new(tmr_expired, pm);
    calc_overflow(pm);
    return pm;
}

void piix4_pm_free(struct piix4_pm *pm)
{
    if (!pm)
        return;
    timer_free(pm->tmr);
    free(pm);
}
