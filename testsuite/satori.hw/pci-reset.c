/*
 * testsuite/satori.hw/pci-reset.c: the PIIX3 reset control register at
 * 0xcf9: bit 1 (hard reset) is kept and reads back, a write without bit 2
 * does not reset, 0x06 resets the machine (run with -no-reboot, so the
 * reset ends the run with status 0, as QEMU does).
 */
#include "pci-guest.h"

int main(void)
{
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
