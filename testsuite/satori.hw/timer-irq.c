/*
 * Guest test timer-irq: the timer and legacy devices' interrupt lines end
 * to end, through the 8259 pair (remapped to vectors 0x20-0x2f; the local
 * APIC in virtual-wire mode as firmware leaves it): PIT counter 0 in mode
 * 2 on IRQ 0, HPET timer 0 in legacy replacement on IRQ 0 with the PIT cut
 * off, the RTC's periodic interrupt on IRQ 8, the i8042's IRQ 1 and
 * IRQ 12.  Run under -icount: satori's realtime slices are longer than a
 * PIT period, so interrupt counts there depend on host speed.  Interrupts are counted over a window the PIT's counter 2
 * measures (mode 0, 65535 clocks = 54.9 ms); only ranges are checked.
 */
#include "runtime.h"

#define HPET 0xfed00000ull

static volatile unsigned irq_count[16];

static void wr64(unsigned off, uint64_t v) { *(volatile uint64_t *)(HPET + off) = v; }
static void cmos_wr(uint8_t i, uint8_t v) { outb(0x70, i); outb(0x71, v); }
static uint8_t cmos_rd(uint8_t i) { outb(0x70, i); return inb(0x71); }

static void on_irq(struct frame *f)
{
    int irq = (int)f->vector - 0x20;

    irq_count[irq]++;
    if (irq == 8)
        cmos_rd(0x0c);                 /* acknowledge the RTC */
    if (irq == 1 || irq == 12)
        inb(0x60);                     /* take the byte */
    if (irq >= 8)
        outb(0xa0, 0x20);
    outb(0x20, 0x20);
}

static void pic_init(uint8_t mask_master, uint8_t mask_slave)
{
    outb(0x20, 0x11);
    outb(0x21, 0x20);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    outb(0xa0, 0x11);
    outb(0xa1, 0x28);
    outb(0xa1, 0x02);
    outb(0xa1, 0x01);
    outb(0x21, mask_master);
    outb(0xa1, mask_slave);
}

/* Interrupts on for 65535 PIT clocks (counter 2, mode 0, polled on port 0x61). */
static void window(void)
{
    outb(0x61, (uint8_t)((inb(0x61) & 0x0c) | 1));
    outb(0x43, 0xb0);
    outb(0x42, 0xff);
    outb(0x42, 0xff);
    __asm__ volatile("sti");
    uint64_t spins = 0;
    while (!(inb(0x61) & 0x20) && ++spins < 1000000000ull)
        ;
    __asm__ volatile("cli");
}

/* Interrupts on for a short loop (its branches let a pending IRQ in). */
static void irq_window(void)
{
    __asm__ volatile("sti");
    for (volatile int i = 0; i < 1000; i++)
        ;
    __asm__ volatile("cli");
}

static void clear(void)
{
    for (int i = 0; i < 16; i++)
        irq_count[i] = 0;
}

int main(void)
{
    for (int v = 0x20; v < 0x30; v++)
        handle_exception(v, on_irq);
    pic_init(0xfe, 0xff);

    /* PIT counter 0, mode 2, 1193 clocks: 54.9 ms / 1.0 ms = 54.9 */
    outb(0x43, 0x34);
    outb(0x40, 1193 & 0xff);
    outb(0x40, 1193 >> 8);
    clear();
    window();
    reportf(irq_count[0] >= 50 && irq_count[0] <= 58, "PIT mode 2 interrupts on IRQ 0");

    /* HPET legacy replacement: timer 0 periodic every 2 ms on IRQ 0, PIT cut off */
    wr64(0x010, 0);
    wr64(0x0f0, 0);
    wr64(0x100, 0x4c);                 /* periodic, VAL_SET, enabled, edge */
    wr64(0x108, 200000);
    wr64(0x108, 200000);
    wr64(0x010, 3);
    clear();
    window();
    reportf(irq_count[0] >= 24 && irq_count[0] <= 30,
            "HPET legacy timer 0 on IRQ 0 instead of the PIT");
    wr64(0x010, 0);
    wr64(0x100, 0);

    /* the PIT has IRQ 0 back */
    clear();
    window();
    reportf(irq_count[0] >= 50 && irq_count[0] <= 58, "PIT back on IRQ 0 after legacy mode");
    outb(0x43, 0x30);                  /* counter 0, mode 0: one last edge, then quiet */
    outb(0x40, 0xff);
    outb(0x40, 0xff);

    /* RTC periodic interrupt at 512 Hz on IRQ 8 (slave, through the cascade) */
    pic_init(0xfb, 0xfe);
    cmos_wr(0x0a, 0x27);
    cmos_rd(0x0c);
    cmos_wr(0x0b, 0x42);               /* PIE, 24 h */
    clear();
    window();
    cmos_wr(0x0b, 0x02);
    cmos_rd(0x0c);
    /* only their arrival: QEMU's RTC runs on the host clock even under
     * -icount (its -rtc clock=host default), so its rate is not the
     * window's; tests/test-devices checks the rate */
    reportf(irq_count[8] >= 5, "RTC periodic interrupts on IRQ 8");

    /* i8042: a byte for the keyboard raises IRQ 1, one for the mouse IRQ 12 */
    pic_init(0xf9, 0xef);
    for (int i = 0; i < 64 && (inb(0x64) & 1); i++)
        inb(0x60);
    outb(0x64, 0x60);
    outb(0x60, 0x47);                  /* keyboard and mouse interrupts, translation */
    clear();
    outb(0x64, 0xd2);
    outb(0x60, 0x1e);
    irq_window();
    outb(0x64, 0xd3);
    outb(0x60, 0x08);
    irq_window();
    report("i8042 keyboard byte on IRQ 1", irq_count[1] == 1);
    report("i8042 mouse byte on IRQ 12", irq_count[12] == 1);
    report_done();
}
