/*
 * testsuite/satori.hw/machine-off.c: the -machine device switches (QEMU's
 * pc properties pit=, hpet=, i8042=) decide whether the board has the
 * device.  The guest prints what it finds where each device lives: the
 * PIT's counter 0 (port 0x40, latched first through 0x43), the HPET's
 * capabilities register (0xfed00000: vendor 0x8086 in bits 31:16 when
 * present), the i8042's status port 0x64.  An absent port device reads
 * as all ones.  (Unclaimed MMIO reads as all ones under satori, as on
 * hardware, and as 0 under QEMU: not printed.)  The .exp runs it
 * with and without the devices and compares with QEMU.
 */
#include "runtime.h"

int main(void)
{
    outb(0x43, 0x00);                   /* latch counter 0 */
    uint8_t lo = inb(0x40), hi = inb(0x40);
    bool pit = !(lo == 0xff && hi == 0xff);
    uint32_t cap = *(volatile uint32_t *)0xfed00000ul;
    bool hpet = (cap >> 16) == 0x8086;
    uint8_t kbd = inb(0x64);
    bool i8042 = kbd != 0xff;

    reportf(true, "PIT %s", pit ? "present" : "absent (port 0x40 reads 0xff)");
    reportf(true, "HPET %s", hpet ? "present" : "absent");
    reportf(true, "i8042 %s", i8042 ? "present" : "absent (port 0x64 reads 0xff)");
    report_done();
}
