/*
 * tests/test-devices.c: unit tests for the PC's timer and legacy devices
 * (hw/timer/i8254.c first; the other devices of that family add theirs
 * below).  The virtual clock runs in icount mode with shift 0 on a fake
 * instruction counter, so a test sets virtual time to the nanosecond.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/hw.h"
#include "hw/timer/i8254.h"
#include "timers/timers.h"
#include "tests/unit.h"

int failures;

static uint64_t fake_ns;

static uint64_t fake_icount(void *opaque) { return fake_ns; }

/* Move virtual time to ns, firing every timer due on the way in order. */
static void advance_to(uint64_t ns)
{
    for (;;) {
        int64_t next = timers_next_deadline();
        if (next == INT64_MAX || (uint64_t)next > ns)
            break;
        if ((uint64_t)next > fake_ns)
            fake_ns = (uint64_t)next;
        timers_run_expired();
    }
    fake_ns = ns;
    timers_run_expired();
}

/* First ns at which the PIT has counted t clocks: ceil(t * 10^9 / 1193182). */
static uint64_t ns_of_tick(uint64_t t)
{
    return (t * 1000000000ull + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ;
}

struct irq_probe {
    int level, rises, falls;
    uint64_t last_rise_ns;
};

static void probe_set(void *opaque, int n, int level)
{
    struct irq_probe *p = opaque;

    if (level && !p->level) {
        p->rises++;
        p->last_rise_ns = fake_ns;
    }
    if (!level && p->level)
        p->falls++;
    p->level = level;
}

static uint16_t pit_read16(struct pit *p, int ch)
{
    uint8_t lo = pit_port_read(p, (uint16_t)(0x40 + ch));

    return (uint16_t)(lo | pit_port_read(p, (uint16_t)(0x40 + ch)) << 8);
}

static void pit_program(struct pit *p, int ch, int mode, int bcd, uint16_t count)
{
    pit_port_write(p, 0x43, (uint8_t)(ch << 6 | 3 << 4 | mode << 1 | bcd));
    pit_port_write(p, (uint16_t)(0x40 + ch), (uint8_t)count);
    pit_port_write(p, (uint16_t)(0x40 + ch), (uint8_t)(count >> 8));
}

static uint16_t pit_latched16(struct pit *p, int ch)
{
    pit_port_write(p, 0x43, (uint8_t)(ch << 6));
    return pit_read16(p, ch);
}

static void pit_counts_clock_exactly(void)
{
    struct pit *p = pit_new(NULL, (struct irq_line){ 0 });

    fake_ns = 0;
    pit_program(p, 1, 2, 0, 0);          /* mode 2, 65536 */
    fake_ns = 1000000000ull;             /* 1 s = 1193182 clocks exactly */
    CHECK(pit_latched16(p, 1) == 65536 - 1193182 % 65536, "1 s: %u",
          pit_latched16(p, 1));
    fake_ns = 3600ull * 1000000000ull;   /* an hour: no drift */
    CHECK(pit_latched16(p, 1) == 65536 - (3600ull * 1193182) % 65536, "1 h: %u",
          pit_latched16(p, 1));
    /* the clock edge: one ns before tick 1000 the count is one higher */
    fake_ns = 0;
    pit_program(p, 1, 0, 0, 5000);
    fake_ns = ns_of_tick(1000) - 1;
    CHECK(pit_latched16(p, 1) == 4001, "before edge %u", pit_latched16(p, 1));
    fake_ns = ns_of_tick(1000);
    CHECK(pit_latched16(p, 1) == 4000, "at edge %u", pit_latched16(p, 1));
    pit_free(p);
}

static void pit_access_modes_and_latch(void)
{
    struct pit *p = pit_new(NULL, (struct irq_line){ 0 });

    fake_ns = 0;
    pit_program(p, 1, 0, 0, 0x1234);
    fake_ns = ns_of_tick(0x34);
    /* a latched count holds while time passes and is read LSB then MSB */
    pit_port_write(p, 0x43, 0x40);
    fake_ns = ns_of_tick(0x200);
    CHECK(pit_read16(p, 1) == 0x1200, "latched value");
    /* a second latch before the read is ignored */
    pit_port_write(p, 0x43, 0x40);
    fake_ns = ns_of_tick(0x300);
    pit_port_write(p, 0x43, 0x40);
    CHECK(pit_read16(p, 1) == 0x1234 - 0x200, "second latch ignored");
    /* MSB-only access */
    fake_ns = 0;
    pit_port_write(p, 0x43, 0x60);       /* counter 1, MSB only, mode 0 */
    pit_port_write(p, 0x41, 0x12);
    fake_ns = ns_of_tick(0x101);
    CHECK(pit_port_read(p, 0x41) == 0x10, "MSB only read %02x", pit_port_read(p, 0x41));
    /* LSB-only access */
    fake_ns = 0;
    pit_port_write(p, 0x43, 0x50);
    pit_port_write(p, 0x41, 0x80);
    fake_ns = ns_of_tick(0x10);
    CHECK(pit_port_read(p, 0x41) == 0x70, "LSB only read");
    CHECK(pit_port_read(p, 0x41) == 0x70, "LSB only read twice");
    /* read-back: status then count of counter 1; NULL COUNT until the count is written */
    pit_port_write(p, 0x43, 0x74);       /* counter 1, LSB/MSB, mode 2, binary */
    pit_port_write(p, 0x43, 0xe4);       /* read-back status of counter 1 */
    uint8_t st = pit_port_read(p, 0x41);
    CHECK(st == (0x80 | 0x40 | 0x30 | 0x04), "status after control word %02x", st);
    pit_port_write(p, 0x41, 0x00);
    pit_port_write(p, 0x41, 0x01);       /* 256 */
    fake_ns += ns_of_tick(3);
    pit_port_write(p, 0x43, 0xc4);       /* read-back count and status */
    st = pit_port_read(p, 0x41);
    CHECK(st == (0x80 | 0x30 | 0x04), "status after count %02x", st);
    uint16_t v = pit_read16(p, 1);
    CHECK(v == 256 - 3 || v == 256 - 4, "read-back count %u", v);
    /* BCD: count 1000 decimal, read in BCD */
    fake_ns = 0;
    pit_program(p, 1, 0, 1, 0x1000);
    fake_ns = ns_of_tick(1);
    CHECK(pit_latched16(p, 1) == 0x0999, "BCD count %04x", pit_latched16(p, 1));
    fake_ns = ns_of_tick(1001);
    CHECK(pit_latched16(p, 1) == 0x9999, "BCD wraps to 9999: %04x", pit_latched16(p, 1));
    pit_free(p);
}

static void pit_out_per_mode(void)
{
    struct pit *p = pit_new(NULL, (struct irq_line){ 0 });

    fake_ns = 0;
    pit_program(p, 1, 0, 0, 10);
    CHECK(!pit_out(p, 1), "mode 0 low while counting");
    fake_ns = ns_of_tick(9);
    CHECK(!pit_out(p, 1), "mode 0 low at count 1");
    fake_ns = ns_of_tick(10);
    CHECK(pit_out(p, 1), "mode 0 high at terminal count");
    fake_ns = ns_of_tick(100000);
    CHECK(pit_out(p, 1), "mode 0 stays high");

    fake_ns = 0;
    pit_program(p, 1, 2, 0, 10);
    CHECK(pit_out(p, 1), "mode 2 high");
    fake_ns = ns_of_tick(9);
    CHECK(!pit_out(p, 1) && pit_latched16(p, 1) == 1, "mode 2 low at count 1");
    fake_ns = ns_of_tick(10);
    CHECK(pit_out(p, 1) && pit_latched16(p, 1) == 10, "mode 2 reload");
    fake_ns = ns_of_tick(19);
    CHECK(!pit_out(p, 1), "mode 2 second period");

    fake_ns = 0;
    pit_program(p, 1, 3, 0, 9);          /* odd count: 5 high, 4 low */
    fake_ns = ns_of_tick(4);
    CHECK(pit_out(p, 1), "mode 3 high in the first half");
    fake_ns = ns_of_tick(5);
    CHECK(!pit_out(p, 1), "mode 3 low in the second half");
    fake_ns = ns_of_tick(9);
    CHECK(pit_out(p, 1), "mode 3 high again");
    fake_ns = 0;
    pit_program(p, 1, 3, 0, 10);
    fake_ns = ns_of_tick(2);
    CHECK(pit_latched16(p, 1) == 6, "mode 3 counts by two: %u", pit_latched16(p, 1));

    fake_ns = 0;
    pit_program(p, 1, 4, 0, 10);
    fake_ns = ns_of_tick(9);
    CHECK(pit_out(p, 1), "mode 4 high while counting");
    fake_ns = ns_of_tick(10);
    CHECK(!pit_out(p, 1), "mode 4 strobe at 0");
    fake_ns = ns_of_tick(11);
    CHECK(pit_out(p, 1), "mode 4 high after the strobe");

    /* mode 0, first byte of two stops the count */
    fake_ns = 0;
    pit_program(p, 1, 0, 0, 100);
    fake_ns = ns_of_tick(50);
    pit_port_write(p, 0x41, 0x20);
    fake_ns = ns_of_tick(200);
    CHECK(!pit_out(p, 1), "mode 0 stopped by the first byte");
    pit_port_write(p, 0x41, 0x00);
    fake_ns = ns_of_tick(200 + 0x20);
    CHECK(pit_out(p, 1), "mode 0 counts the new value");
    pit_free(p);
}

static void pit_gate_and_port61(void)
{
    struct pit *p = pit_new(NULL, (struct irq_line){ 0 });

    fake_ns = 0;
    pit_port_write(p, 0x61, 0);
    CHECK((pit_port_read(p, 0x61) & 3) == 0, "port 61 gate/speaker clear");
    pit_program(p, 2, 0, 0, 100);        /* gate low: counting suspended */
    fake_ns = ns_of_tick(500);
    CHECK(pit_latched16(p, 2) == 100, "mode 0 waits for gate %u", pit_latched16(p, 2));
    pit_port_write(p, 0x61, 1);
    fake_ns = ns_of_tick(540);
    CHECK(pit_latched16(p, 2) == 60, "mode 0 counts with gate %u", pit_latched16(p, 2));
    CHECK(!(pit_port_read(p, 0x61) & 0x20), "port 61 OUT2 low while counting");
    fake_ns = ns_of_tick(600);
    CHECK(pit_port_read(p, 0x61) & 0x20, "port 61 OUT2 high at terminal count");
    pit_port_write(p, 0x61, 3);
    CHECK((pit_port_read(p, 0x61) & 3) == 3, "port 61 speaker bit");

    /* mode 1: one-shot triggered by the gate's rising edge */
    pit_port_write(p, 0x61, 0);
    pit_program(p, 2, 1, 0, 50);
    fake_ns = ns_of_tick(1000);
    CHECK(pit_out(p, 2), "mode 1 high before the trigger");
    pit_port_write(p, 0x61, 1);
    fake_ns = ns_of_tick(1010);
    CHECK(!pit_out(p, 2) && pit_latched16(p, 2) == 40, "mode 1 triggered");
    fake_ns = ns_of_tick(1050);
    CHECK(pit_out(p, 2), "mode 1 ends");
    pit_port_write(p, 0x61, 0);
    pit_port_write(p, 0x61, 1);          /* retrigger */
    fake_ns = ns_of_tick(1060);
    CHECK(!pit_out(p, 2), "mode 1 retriggered");

    /* mode 5: strobe 50 clocks after the trigger */
    pit_port_write(p, 0x61, 0);
    pit_program(p, 2, 5, 0, 50);
    pit_port_write(p, 0x61, 1);
    fake_ns = ns_of_tick(1110);
    CHECK(!pit_out(p, 2), "mode 5 strobe");
    fake_ns = ns_of_tick(1111);
    CHECK(pit_out(p, 2), "mode 5 after strobe");

    /* mode 2 with gate low: OUT high, no count */
    pit_port_write(p, 0x61, 0);
    pit_program(p, 2, 2, 0, 10);
    fake_ns = ns_of_tick(1119);
    CHECK(pit_out(p, 2) && pit_latched16(p, 2) == 10, "mode 2 gate low");
    /* refresh toggle follows virtual time (15085 ns period) */
    fake_ns = 15085 * 4;
    uint8_t a = pit_port_read(p, 0x61) & 0x10;
    fake_ns = 15085 * 5;
    CHECK(a == 0 && (pit_port_read(p, 0x61) & 0x10), "refresh bit toggles");
    pit_free(p);
}

static void pit_irq0_edges(void)
{
    struct irq_probe pr = { 0 };
    struct pit *p;

    fake_ns = 0;
    p = pit_new(NULL, (struct irq_line){ probe_set, &pr, 0 });
    pit_program(p, 0, 2, 0, 1193);      /* ~1 kHz rate generator */
    pr.rises = 0;                       /* (the power-on mode 3 raised the line) */
    advance_to(1000000000ull);
    /* rising edges at every reload: floor(1193182 / 1193) */
    CHECK(pr.rises == 1193182 / 1193, "mode 2 rises %d", pr.rises);
    CHECK(pr.last_rise_ns == ns_of_tick((uint64_t)pr.rises * 1193), "edge time %llu",
          (unsigned long long)pr.last_rise_ns);
    /* disconnected (HPET legacy): no more edges, line low */
    pit_irq_enable(p, 0, 0);
    int before = pr.rises;
    advance_to(2000000000ull);
    CHECK(pr.rises == before && pr.level == 0, "disabled PIT still interrupts");
    pit_irq_enable(p, 0, 1);
    advance_to(3000000000ull);
    CHECK(pr.rises > before + 900, "re-enabled PIT silent");
    /* mode 0: one rising edge */
    pr.rises = 0;
    pit_program(p, 0, 0, 0, 500);
    advance_to(3000000000ull + ns_of_tick(499));
    CHECK(pr.level == 0, "mode 0 line low while counting");
    advance_to(4000000000ull);
    CHECK(pr.rises == 1 && pr.level == 1, "mode 0 one edge %d", pr.rises);
    pit_free(p);
}

int main(void)
{
    vclock_init(VCLOCK_ICOUNT, 0, 0);
    vclock_set_icount_source(fake_icount, NULL);
    pit_counts_clock_exactly();
    pit_access_modes_and_latch();
    pit_out_per_mode();
    pit_gate_and_port61();
    pit_irq0_edges();
    if (failures)
        printf("%d failure(s)\n", failures);
    return failures != 0;
}
