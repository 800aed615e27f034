/*
 * Guest test rtc: the CMOS RTC at 0x70/0x71, polled: register formats
 * (BCD/binary, 12/24 h) of a time the guest sets, UIP seen once a second,
 * register C clear-on-read with PF/UF, register D, the CMOS memory size
 * bytes.  Only values the same on satori and QEMU are printed (the date
 * itself is not: QEMU's follows the host).
 */
#include "cmos-guest.h"

static void set_time(void)
{
    cmos_write(0x0b, 0x82);                    /* SET, 24 h, BCD */
    cmos_write(0x00, 0x50);
    cmos_write(0x02, 0x59);
    cmos_write(0x04, 0x23);
    cmos_write(0x06, 0x03);
    cmos_write(0x07, 0x31);
    cmos_write(0x08, 0x12);
    cmos_write(0x09, 0x99);
    cmos_write(0x32, 0x19);
    printf("under SET: %02x:%02x:%02x %02x-%02x-%02x%02x\n", cmos_read(4), cmos_read(2), cmos_read(0), cmos_read(7), cmos_read(8),
           cmos_read(0x32), cmos_read(9));
    cmos_write(0x0b, 0x02);
    printf("minutes, hours, date after SET: %02x %02x %02x-%02x-%02x%02x\n", cmos_read(2), cmos_read(4),
           cmos_read(7), cmos_read(8), cmos_read(0x32), cmos_read(9));
    cmos_write(0x0b, 0x06);                    /* binary */
    printf("binary: hours %u minutes %u day %u month %u year %u\n", cmos_read(4), cmos_read(2), cmos_read(7), cmos_read(8),
           cmos_read(9));
    cmos_write(0x0b, 0x00);                    /* 12 h BCD */
    printf("12 h BCD hours %02x\n", cmos_read(4));
    cmos_write(0x0b, 0x04);                    /* 12 h binary */
    printf("12 h binary hours %02x\n", cmos_read(4));
    cmos_write(0x0b, 0x02);
}

/* Wait for UIP, then its end: the seconds register has moved. */
static void uip_and_update(void)
{
    uint64_t spins = 0;
    uint8_t before = cmos_read(0);
    while (!(cmos_read(0x0a) & 0x80) && ++spins < 100000000ull)
        before = cmos_read(0);
    bool seen = spins < 100000000ull;
    while ((cmos_read(0x0a) & 0x80) && ++spins < 200000000ull)
        ;
    uint8_t after = cmos_read(0);
    report("UIP sets before an update", seen);
    report("the seconds register moves across UIP", after != before);
    cmos_read(0x0c);
    spins = 0;
    while (!(cmos_read(0x0a) & 0x80) && ++spins < 100000000ull)
        ;
    while ((cmos_read(0x0a) & 0x80) && ++spins < 200000000ull)
        ;
    uint8_t c = cmos_read(0x0c);
    report("register C has UF after an update", c & 0x10);
    report("register C clears on read", (cmos_read(0x0c) & 0x10) == 0);
    printf("register A %02x D %02x\n", cmos_read(0x0a) & 0x7f, cmos_read(0x0d));
}

static void cmos_bytes(void)
{
    static const uint8_t idx[] = { 0x15, 0x16, 0x17, 0x18, 0x30, 0x31, 0x34, 0x35,
                                   0x5b, 0x5c, 0x5d, 0x5f };
    for (unsigned i = 0; i < sizeof idx; i++)
        printf("cmos[%02x] = %02x\n", idx[i], cmos_read(idx[i]));
    cmos_write(0x40, 0x5a);
    cmos_write(0x7f, 0xa5);
    printf("cmos scratch %02x %02x\n", cmos_read(0x40), cmos_read(0x7f));
    outb(0x70, 0x80 | 0x40);           /* NMI masked, index kept */
    printf("cmos with NMI mask bit %02x\n", inb(0x71));
    outb(0x70, 0x0d);
}

int main(void)
{
    set_time();
    uip_and_update();
    cmos_bytes();
    report_done();
}
