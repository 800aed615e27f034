/*
 * Guest test i8042: the keyboard controller at 0x60/0x64 and port 0x92,
 * polled: self test, command byte, interface tests, AUX enable/disable,
 * the keyboard and mouse commands Linux's i8042/atkbd/psmouse drivers
 * probe, the output port, then the two reset lines: 0xFE pulsed on the
 * controller and port 0x92 bit 0.  The stage survives the resets in a
 * CMOS byte (CMOS memory keeps its contents across a reset, on satori as
 * on QEMU).  A20 is never turned off: this guest runs at 1 MiB.
 */
#include "runtime.h"

#define STAGE_CMOS 0x4f

static uint8_t cmos_rd(uint8_t i) { outb(0x70, i); return inb(0x71); }
static void cmos_wr(uint8_t i, uint8_t v) { outb(0x70, i); outb(0x71, v); }

static void flush(void)
{
    for (int i = 0; i < 64 && (inb(0x64) & 1); i++)
        inb(0x60);
}

/* Read the bytes that arrive (bounded wait for each), print them. */
static void show(const char *what)
{
    printf("%s:", what);
    for (;;) {
        uint64_t spins = 0;
        while (!(inb(0x64) & 1) && ++spins < 100000)
            ;
        if (!(inb(0x64) & 1))
            break;
        uint8_t st = inb(0x64);
        printf(" %02x%s", inb(0x60), (st & 0x20) ? "(aux)" : "");
    }
    printf("\n");
}

static void ctrl(uint8_t cmd) { outb(0x64, cmd); }
static void data(uint8_t v) { outb(0x60, v); }
static void aux(uint8_t v) { ctrl(0xd4); data(v); }

static void controller(void)
{
    flush();
    ctrl(0xaa);
    show("self test");
    printf("status after self test %02x\n", inb(0x64) & 0x1f);
    ctrl(0x60);
    data(0x45);                        /* keyboard interrupt, SYS, translation */
    /* bit 3 (A2, last write was a command) is not compared: QEMU 7.2 keeps it set */
    printf("status after a data write %02x\n", inb(0x64) & 0x17);
    ctrl(0x20);
    show("command byte");
    ctrl(0xab);
    show("keyboard interface test");
    ctrl(0xa9);
    show("aux interface test");
    ctrl(0xa7);
    ctrl(0x20);
    show("command byte after 0xa7");
    ctrl(0xa8);
    ctrl(0x20);
    show("command byte after 0xa8");
    ctrl(0xad);
    ctrl(0x20);
    show("command byte after 0xad");
    ctrl(0xae);
    ctrl(0x20);
    show("command byte after 0xae");
    ctrl(0xd0);
    printf("output port reset/A20 bits %x\n", inb(0x60) & 3);
    ctrl(0xd2);
    data(0x5a);
    show("0xd2 echo");
    ctrl(0xd3);
    data(0xa5);
    show("0xd3 echo");
}

static void keyboard(void)
{
    data(0xff);
    show("keyboard reset");
    data(0xf2);
    show("keyboard identify");
    data(0xee);
    show("keyboard echo");
    data(0xed);
    show("set LEDs");
    data(0x00);
    show("LED value");
    data(0xf3);
    show("typematic");
    data(0x20);
    show("typematic value");
    data(0xf5);
    show("keyboard disable");
    data(0xf4);
    show("keyboard enable");
}

static void mouse(void)
{
    aux(0xff);
    show("mouse reset");
    aux(0xf2);
    show("mouse ID");
    static const uint8_t seq[] = { 200, 100, 80 };
    for (int i = 0; i < 3; i++) {
        aux(0xf3);
        aux(seq[i]);
    }
    show("sample rates");
    aux(0xf2);
    show("mouse ID after 200,100,80");
    aux(0xe8);
    aux(0x03);
    show("resolution");
    aux(0xe6);
    show("scaling 1:1");
    aux(0xf4);
    show("mouse enable");
    aux(0xf5);
    show("mouse disable");
    aux(0xff);
    show("mouse reset again");
}

static void port92(void)
{
    printf("port 0x92 %02x\n", inb(0x92) & 0x03);
    outb(0x92, 0x42);
    printf("port 0x92 after writing 0x42: %02x\n", inb(0x92));
    outb(0x92, 0x02);
}

int main(void)
{
    uint8_t stage = cmos_rd(STAGE_CMOS);

    if (stage == 0) {
        controller();
        keyboard();
        mouse();
        port92();
        cmos_wr(STAGE_CMOS, 1);
        printf("pulsing reset through the i8042 (0xfe)\n");
        ctrl(0xfe);
        for (;;)
            ;
    }
    if (stage == 1) {
        printf("after the i8042 reset\n");
        cmos_wr(STAGE_CMOS, 2);
        printf("fast reset through port 0x92\n");
        outb(0x92, inb(0x92) | 1);
        for (;;)
            ;
    }
    printf("after the port 0x92 reset (stage %u)\n", stage);
    cmos_wr(STAGE_CMOS, 0);
    report("both reset lines reset the machine", stage == 2);
    report_done();
}
