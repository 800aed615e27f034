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
#include "hw/input/i8042.h"
#include "hw/misc/port92.h"
#include "hw/rtc/mc146818.h"
#include "hw/timer/hpet.h"
#include "hw/timer/i8254.h"
#include "timers/timers.h"
#include "tests/unit.h"

int failures;

#define NS_PER_S 1000000000ull

static uint64_t fake_ns;

static uint64_t fake_icount(void *opaque) { return fake_ns; }

/* The board's reset request, counted (the devices' reset lines call it). */
static int resets;
void machine_request_reset(void) { resets++; }

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

/* OUT (and, where >= 0, the latched count) of counter 1 at a tick after programming. */
struct pit_out_step {
    int mode;
    uint16_t count;             /* 0: same programming as the row before */
    uint64_t tick;
    bool out;
    int latched;
    const char *what;
};

static const struct pit_out_step pit_out_steps[] = {
    { 0, 10, 0, false, -1, "mode 0 low while counting" },
    { 0, 0, 9, false, -1, "mode 0 low at count 1" },
    { 0, 0, 10, true, -1, "mode 0 high at terminal count" },
    { 0, 0, 100000, true, -1, "mode 0 stays high" },
    { 2, 10, 0, true, -1, "mode 2 high" },
    { 2, 0, 9, false, 1, "mode 2 low at count 1" },
    { 2, 0, 10, true, 10, "mode 2 reload" },
    { 2, 0, 19, false, -1, "mode 2 second period" },
    { 3, 9, 4, true, -1, "mode 3 high in the first half (odd count: 5 high, 4 low)" },
    { 3, 0, 5, false, -1, "mode 3 low in the second half" },
    { 3, 0, 9, true, -1, "mode 3 high again" },
    { 3, 10, 2, true, 6, "mode 3 counts by two" },
    { 4, 10, 9, true, -1, "mode 4 high while counting" },
    { 4, 0, 10, false, -1, "mode 4 strobe at 0" },
    { 4, 0, 11, true, -1, "mode 4 high after the strobe" },
};

static void pit_out_per_mode(void)
{
    struct pit *p = pit_new(NULL, (struct irq_line){ 0 });

    for (size_t i = 0; i < sizeof pit_out_steps / sizeof pit_out_steps[0]; i++) {
        const struct pit_out_step *st = &pit_out_steps[i];
        if (st->count) {
            fake_ns = 0;
            pit_program(p, 1, st->mode, 0, st->count);
        }
        fake_ns = ns_of_tick(st->tick);
        bool out = pit_out(p, 1);
        int latched = st->latched >= 0 ? pit_latched16(p, 1) : -1;
        CHECK(out == st->out && latched == st->latched, "%s (OUT %d, count %d)", st->what, out,
              latched);
    }

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

/* RESET as QEMU's: mode 3 with 65536 loaded, the access order, BCD and
 * the speaker data bit kept, the counter 2 gate cleared. */
static void pit_reset_state(void)
{
    struct pit *p = pit_new(NULL, (struct irq_line){ 0 });

    fake_ns = 0;
    pit_port_write(p, 0x43, 0xe4);
    CHECK((pit_port_read(p, 0x41) & 0x3f) == 0x06, "power-on: mode 3, no access order yet");
    pit_port_write(p, 0x43, 0x61);              /* counter 1: MSB only, mode 0, BCD */
    pit_port_write(p, 0x41, 0x12);
    pit_port_write(p, 0x61, 3);
    fake_ns = ns_of_tick(10);
    pit_reset(p);
    pit_port_write(p, 0x43, 0xe4);
    uint8_t st = pit_port_read(p, 0x41);
    CHECK((st & 0x3f) == 0x27, "after reset: MSB only and BCD kept, mode 3 (%02x)", st);
    CHECK((pit_port_read(p, 0x61) & 3) == 2, "after reset: speaker data kept, gate 2 low");
    fake_ns = ns_of_tick(12);
    pit_port_write(p, 0x43, 0x40);
    CHECK(pit_port_read(p, 0x41) == 0x99, "after reset: 65536 (BCD 0000) reloaded, counting by two");
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
    /* late timers (a long slice): every one-clock pulse still makes an edge */
    pit_program(p, 0, 2, 0, 1193);
    pr.rises = 0;
    fake_ns += 10000000;                 /* 10 ms in one step */
    timers_run_expired();
    CHECK(pr.rises >= 9 && pr.rises <= 10, "late mode 2 edges %d", pr.rises);
    /* mode 0: one rising edge */
    pr.rises = 0;
    pit_program(p, 0, 0, 0, 500);
    advance_to(3000000000ull + ns_of_tick(499));
    CHECK(pr.level == 0, "mode 0 line low while counting");
    advance_to(4000000000ull);
    CHECK(pr.rises == 1 && pr.level == 1, "mode 0 one edge %d", pr.rises);
    pit_free(p);
}


/* ---- HPET ---------------------------------------------------------------- */

#define GEN_CONF  0x010
#define GINTR_STA 0x020
#define MAIN_CNT  0x0f0
#define TN_CONF(n) (0x100 + 0x20 * (n))
#define TN_CMP(n)  (0x108 + 0x20 * (n))

static struct irq_probe gsi_probe[HPET_NUM_GSI], pit_en_probe;

static struct hpet *hpet_test_new(void)
{
    struct irq_line gsi[HPET_NUM_GSI];

    memset(gsi_probe, 0, sizeof gsi_probe);
    memset(&pit_en_probe, 0, sizeof pit_en_probe);
    pit_en_probe.level = 1;
    for (int i = 0; i < HPET_NUM_GSI; i++)
        gsi[i] = (struct irq_line){ probe_set, &gsi_probe[i], i };
    return hpet_new(NULL, gsi, (struct irq_line){ probe_set, &pit_en_probe, 0 });
}

static void hpet_registers_and_counter(void)
{
    fake_ns = 0;
    struct hpet *h = hpet_test_new();

    CHECK(hpet_mmio_read(h, 0, 4) == 0x8086a201u, "GCAP_ID low %llx",
          (unsigned long long)hpet_mmio_read(h, 0, 4));
    CHECK(hpet_mmio_read(h, 4, 4) == 10000000u, "counter period (fs)");
    CHECK(hpet_mmio_read(h, 0, 8) == (10000000ull << 32 | 0x8086a201u), "GCAP_ID 64-bit");
    CHECK(hpet_mmio_read(h, TN_CONF(1), 8) == (4ull << 32 | 0x30), "timer conf/cap %llx",
          (unsigned long long)hpet_mmio_read(h, TN_CONF(1), 8));
    CHECK(hpet_mmio_read(h, TN_CMP(2), 8) == ~0ull, "comparator resets to all ones");
    fake_ns = 5000;
    CHECK(hpet_mmio_read(h, MAIN_CNT, 8) == 0, "halted counter moves");
    hpet_mmio_write(h, GEN_CONF, 1, 4);
    fake_ns = 5000 + 12345;
    CHECK(hpet_mmio_read(h, MAIN_CNT, 8) == 1234, "100 MHz: %llu",
          (unsigned long long)hpet_mmio_read(h, MAIN_CNT, 8));
    hpet_mmio_write(h, MAIN_CNT, 0, 8);                /* ignored while running */
    fake_ns = 5000 + 3600000000000ull;                 /* an hour: exact */
    CHECK(hpet_mmio_read(h, MAIN_CNT, 8) == 360000000000ull, "no drift");
    CHECK(hpet_mmio_read(h, MAIN_CNT + 4, 4) == (360000000000ull >> 32), "high half");
    hpet_mmio_write(h, GEN_CONF, 0, 4);
    uint64_t halted = hpet_mmio_read(h, MAIN_CNT, 8);
    fake_ns += 1000000;
    CHECK(hpet_mmio_read(h, MAIN_CNT, 8) == halted, "counter halts");
    hpet_mmio_write(h, MAIN_CNT, 0x1234, 8);
    CHECK(hpet_mmio_read(h, MAIN_CNT, 8) == 0x1234, "counter writable while halted");
    /* 32-bit mode truncates the comparator */
    hpet_mmio_write(h, TN_CONF(0), 0x100, 4);
    CHECK(hpet_mmio_read(h, TN_CMP(0), 8) == 0xffffffffu, "32-bit comparator");
    hpet_mmio_write(h, TN_CONF(0), 0xffffffff, 4);
    CHECK((hpet_mmio_read(h, TN_CONF(0), 4) & 0xffff) == 0x3f7e, "writable conf bits %llx",
          (unsigned long long)hpet_mmio_read(h, TN_CONF(0), 4));
    hpet_free(h);
}

static void hpet_level_edge_and_periodic(void)
{
    fake_ns = 0;
    struct hpet *h = hpet_test_new();

    /* timer 0: one-shot, level, route 2, match at 500 (5 us) */
    hpet_mmio_write(h, TN_CONF(0), 2 << 9 | 0x6, 4);
    hpet_mmio_write(h, TN_CMP(0), 500, 8);
    hpet_mmio_write(h, GEN_CONF, 1, 4);
    advance_to(4999);
    CHECK(gsi_probe[2].level == 0 && hpet_mmio_read(h, GINTR_STA, 4) == 0, "early match");
    advance_to(5000);
    CHECK(gsi_probe[2].level == 1 && hpet_mmio_read(h, GINTR_STA, 4) == 1, "level match");
    hpet_mmio_write(h, GINTR_STA, 0, 4);
    CHECK(gsi_probe[2].level == 1, "writing 0 clears");
    hpet_mmio_write(h, GINTR_STA, 1, 4);
    CHECK(gsi_probe[2].level == 0 && hpet_mmio_read(h, GINTR_STA, 4) == 0, "write 1 clears");
    advance_to(100000);
    CHECK(gsi_probe[2].rises == 1, "one-shot fired again");

    /* timer 1: periodic edge, route 5, period 100 ticks set with VAL_SET */
    hpet_mmio_write(h, TN_CONF(1), 5 << 9 | 0x4c, 4);
    hpet_mmio_write(h, TN_CMP(1), 10000 + 100, 8);     /* counter is 10000 now */
    hpet_mmio_write(h, TN_CMP(1), 100, 8);              /* period only */
    CHECK(hpet_mmio_read(h, TN_CMP(1), 8) == 10100, "VAL_SET comparator");
    advance_to(100000 + 100 * 10 * 50);
    CHECK(gsi_probe[5].rises == 50 && gsi_probe[5].level == 0, "periodic edges %d",
          gsi_probe[5].rises);
    CHECK(hpet_mmio_read(h, TN_CMP(1), 8) == 10000 + 100 * 51, "comparator advances %llu",
          (unsigned long long)hpet_mmio_read(h, TN_CMP(1), 8));
    CHECK((hpet_mmio_read(h, GINTR_STA, 4) & 2) == 0, "edge status bit set");
    /* level with interrupts disabled: status only */
    hpet_mmio_write(h, TN_CONF(2), 7 << 9 | 0x2, 4);
    hpet_mmio_write(h, TN_CMP(2), hpet_mmio_read(h, MAIN_CNT, 8) + 10, 8);
    advance_to(fake_ns + 100);
    CHECK((hpet_mmio_read(h, GINTR_STA, 4) & 4) && gsi_probe[7].rises == 0, "disabled level");
    hpet_free(h);
}

static void hpet_comparator_wrap(void)
{
    fake_ns = 0;
    struct hpet *h = hpet_test_new();

    /* 32-bit one-shot: interrupt at the 32-bit wrap, then at the match */
    hpet_mmio_write(h, MAIN_CNT, 0xffffff00u, 8);
    hpet_mmio_write(h, TN_CONF(0), 3 << 9 | 0x104, 4);
    hpet_mmio_write(h, TN_CMP(0), 0x100, 4);
    /* 64-bit one-shot behind the counter: only after a 64-bit wrap */
    hpet_mmio_write(h, TN_CONF(1), 4 << 9 | 0x4, 4);
    hpet_mmio_write(h, TN_CMP(1), 0x100, 8);
    hpet_mmio_write(h, GEN_CONF, 1, 4);
    advance_to(0xff * 10);
    CHECK(gsi_probe[3].rises == 0, "32-bit early");
    advance_to(0x100 * 10);
    CHECK(gsi_probe[3].rises == 1 && gsi_probe[3].last_rise_ns == 0x100 * 10, "32-bit wrap irq");
    advance_to(0x200 * 10 - 1);
    CHECK(gsi_probe[3].rises == 1, "match early");
    advance_to(0x200 * 10);
    CHECK(gsi_probe[3].rises == 2, "32-bit match after wrap");
    advance_to(100000000);
    CHECK(gsi_probe[3].rises == 2 && gsi_probe[4].rises == 0, "extra interrupts %d %d",
          gsi_probe[3].rises, gsi_probe[4].rises);
    /* 32-bit periodic: the comparator wraps with the counter */
    hpet_mmio_write(h, GEN_CONF, 0, 4);
    hpet_mmio_write(h, MAIN_CNT, 0xfffffff0u, 8);
    hpet_mmio_write(h, TN_CONF(2), 6 << 9 | 0x14c, 4);
    hpet_mmio_write(h, TN_CMP(2), 0xfffffffau, 4);
    hpet_mmio_write(h, TN_CMP(2), 0x20, 4);
    int64_t t0 = (int64_t)fake_ns;
    hpet_mmio_write(h, GEN_CONF, 1, 4);
    advance_to((uint64_t)t0 + 10 * (0x0a + 0x20 * 3));
    CHECK(gsi_probe[6].rises == 4, "32-bit periodic %d", gsi_probe[6].rises);
    CHECK(hpet_mmio_read(h, TN_CMP(2), 8) == 0x7a, "comparator wrapped %llx",
          (unsigned long long)hpet_mmio_read(h, TN_CMP(2), 8));
    hpet_free(h);
}

static void hpet_legacy_replacement(void)
{
    fake_ns = 0;
    struct hpet *h = hpet_test_new();
    struct irq_line rtc = hpet_rtc_irq_input(h);

    irq_set(&rtc, 1);
    CHECK(gsi_probe[8].level == 1, "RTC reaches IRQ 8");
    irq_set(&rtc, 0);
    hpet_mmio_write(h, TN_CONF(0), 0x4, 4);            /* route 0 field, edge */
    hpet_mmio_write(h, TN_CONF(1), 0x4, 4);
    hpet_mmio_write(h, TN_CMP(0), 100, 8);
    hpet_mmio_write(h, TN_CMP(1), 200, 8);
    hpet_mmio_write(h, GEN_CONF, 3, 4);
    CHECK(pit_en_probe.level == 0, "PIT still on IRQ 0");
    irq_set(&rtc, 1);
    CHECK(gsi_probe[8].rises == 1, "RTC reaches IRQ 8 in legacy mode");
    irq_set(&rtc, 0);
    advance_to(3000);
    CHECK(gsi_probe[0].rises == 1 && gsi_probe[8].rises == 2, "legacy routes %d %d",
          gsi_probe[0].rises, gsi_probe[8].rises);
    hpet_mmio_write(h, GEN_CONF, 1, 4);
    CHECK(pit_en_probe.level == 1, "PIT not given IRQ 0 back");
    hpet_free(h);
}

/* ---- RTC ----------------------------------------------------------------- */

static uint8_t cmos_rd(struct rtc *r, uint8_t i)
{
    rtc_port_write(r, 0x70, i);
    return rtc_port_read(r, 0x71);
}

static void cmos_wr(struct rtc *r, uint8_t i, uint8_t v)
{
    rtc_port_write(r, 0x70, i);
    rtc_port_write(r, 0x71, v);
}

static void rtc_encodings(void)
{
    CHECK(rtc_encode(59, false) == 0x59 && rtc_encode(59, true) == 59, "encode");
    CHECK(rtc_decode(0x47, false) == 47 && rtc_decode(0x47, true) == 0x47, "decode");
    CHECK(rtc_encode_hour(0, false, false) == 0x12, "midnight in 12 h");
    CHECK(rtc_encode_hour(12, false, false) == 0x92, "noon in 12 h");
    CHECK(rtc_encode_hour(23, false, false) == 0x91, "23 h in 12 h BCD");
    CHECK(rtc_encode_hour(23, true, false) == 0x8b, "23 h in 12 h binary");
    CHECK(rtc_encode_hour(23, false, true) == 0x23, "23 h in 24 h");
    CHECK(rtc_decode_hour(0x12, false, false) == 0 && rtc_decode_hour(0x92, false, false) == 12
          && rtc_decode_hour(0x81, false, false) == 13, "12 h decode");
    CHECK(rtc_alarm_byte_matches(0xc0, 0x33) && rtc_alarm_byte_matches(0xff, 0)
          && rtc_alarm_byte_matches(0x33, 0x33) && !rtc_alarm_byte_matches(0x34, 0x33)
          && !rtc_alarm_byte_matches(0x80, 0x33), "alarm don't-care");
}

static void rtc_clock_and_flags(void)
{
    struct irq_probe pr = { 0 };

    fake_ns = 0;
    /* 2000-02-29 23:59:58 UTC (a Tuesday) */
    struct rtc *r = rtc_new(NULL, (struct irq_line){ probe_set, &pr, 8 }, 951868798);
    CHECK(cmos_rd(r, 0x0a) == 0x26 && cmos_rd(r, 0x0b) == 0x02 && cmos_rd(r, 0x0d) == 0x80,
          "power-on registers");
    CHECK(cmos_rd(r, 0) == 0x58 && cmos_rd(r, 2) == 0x59 && cmos_rd(r, 4) == 0x23
          && cmos_rd(r, 7) == 0x29 && cmos_rd(r, 8) == 0x02 && cmos_rd(r, 9) == 0x00
          && cmos_rd(r, 0x32) == 0x20 && cmos_rd(r, 6) == 3, "date BCD");
    fake_ns = 2 * NS_PER_S;
    CHECK(cmos_rd(r, 7) == 0x01 && cmos_rd(r, 8) == 0x03 && cmos_rd(r, 6) == 4
          && cmos_rd(r, 4) == 0 && cmos_rd(r, 0) == 0, "leap day rolls over");
    uint8_t c = cmos_rd(r, 0x0c);
    CHECK(c == 0x70, "PF, AF (alarm 00:00:00 at midnight) and UF: %02x", c);
    CHECK(cmos_rd(r, 0x0c) == 0, "register C clears on read");
    /* UIP in the last 244 us of the second */
    fake_ns = 3 * NS_PER_S - 244000 - 1;
    CHECK(!(cmos_rd(r, 0x0a) & 0x80), "UIP early");
    fake_ns = 3 * NS_PER_S - 244000;
    CHECK(cmos_rd(r, 0x0a) & 0x80, "UIP");
    /* binary and 12 h */
    cmos_wr(r, 0x0b, 0x04);
    CHECK(cmos_rd(r, 0) == 0 && cmos_rd(r, 4) == 12 && cmos_rd(r, 9) == 0
          && cmos_rd(r, 8) == 3, "binary 12 h midnight");
    /* set the time with SET */
    cmos_wr(r, 0x0b, 0x86);
    cmos_wr(r, 4, 13);
    cmos_wr(r, 2, 30);
    cmos_wr(r, 0, 5);
    fake_ns += 5 * NS_PER_S;
    CHECK(cmos_rd(r, 0) == 5, "time frozen under SET");
    CHECK(!(cmos_rd(r, 0x0c) & 0x10), "no updates under SET");
    cmos_wr(r, 0x0b, 0x06);
    fake_ns += NS_PER_S - 1;
    CHECK(cmos_rd(r, 0) == 5 && cmos_rd(r, 2) == 30 && cmos_rd(r, 4) == 13, "set time");
    fake_ns += 1;
    CHECK(cmos_rd(r, 0) == 6, "second starts when SET clears");
    /* alarm: any hour, any minute, second 10; AIE raises IRQ 8 */
    cmos_rd(r, 0x0c);
    cmos_wr(r, 1, 10);
    cmos_wr(r, 3, 0xc0);
    cmos_wr(r, 5, 0xff);
    cmos_wr(r, 0x0b, 0x26);
    advance_to(fake_ns + 3 * NS_PER_S + NS_PER_S / 2);
    CHECK(pr.level == 0, "alarm early");
    advance_to(fake_ns + NS_PER_S);
    CHECK(pr.level == 1 && pr.rises == 1, "alarm interrupt");
    c = cmos_rd(r, 0x0c);
    CHECK(c == 0xf0, "IRQF, PF (PIE clear), AF, UF: %02x", c);
    CHECK(pr.level == 0, "reading C lowers IRQ 8");
    cmos_wr(r, 0x0b, 0x06);
    /* periodic interrupt at rate 6 (1024 Hz) */
    cmos_wr(r, 0x0b, 0x46);
    int before = pr.rises;
    uint64_t t0 = fake_ns;
    for (int i = 0; i < 1024; i++) {
        advance_to(fake_ns + NS_PER_S / 1024 + 1);
        if (pr.level)
            cmos_rd(r, 0x0c);
    }
    CHECK(pr.rises - before >= 1020 && pr.rises - before <= 1025, "1024 Hz: %d in %llu ns",
          pr.rises - before, (unsigned long long)(fake_ns - t0));
    /* divider reset stops the clock; the first update 500 ms after */
    cmos_wr(r, 0x0b, 0x06);
    uint8_t s = cmos_rd(r, 0);
    cmos_wr(r, 0x0a, 0x66);
    fake_ns += 3 * NS_PER_S;
    CHECK(cmos_rd(r, 0) == s, "divider reset stops the clock");
    cmos_wr(r, 0x0a, 0x26);
    fake_ns += NS_PER_S / 2 - 1;
    CHECK(cmos_rd(r, 0) == s, "update early");
    fake_ns += 1;
    CHECK(cmos_rd(r, 0) == s + 1, "first update after 500 ms");
    /* NMI mask bit, CMOS memory */
    rtc_port_write(r, 0x70, 0x80 | 0x34);
    CHECK(rtc_nmi_masked(r), "NMI mask");
    rtc_port_write(r, 0x71, 0xab);
    rtc_port_write(r, 0x70, 0x34);
    CHECK(!rtc_nmi_masked(r) && rtc_port_read(r, 0x71) == 0xab, "CMOS byte");
    rtc_free(r);
}

/* ---- i8042 and port 0x92 ------------------------------------------------ */

static int kbc_read_all(struct i8042 *k, uint8_t *out, int max)
{
    int n = 0;
    while (n < max && (i8042_port_read(k, 0x64) & 1))
        out[n++] = i8042_port_read(k, 0x60);
    return n;
}

static void kbc_ctrl(struct i8042 *k, uint8_t c) { i8042_port_write(k, 0x64, c); }
static void kbc_data(struct i8042 *k, uint8_t v) { i8042_port_write(k, 0x60, v); }
static uint8_t kbc_byte(struct i8042 *k) { return i8042_port_read(k, 0x60); }
/* A controller command and the byte it answers with. */
static uint8_t kbc_reply(struct i8042 *k, uint8_t c) { kbc_ctrl(k, c); return kbc_byte(k); }

/* A byte for the mouse, through the controller's 0xD4 command. */
static void kbc_aux(struct i8042 *k, uint8_t v)
{
    kbc_ctrl(k, 0xd4);
    kbc_data(k, v);
}

static void i8042_controller_commands(void)
{
    struct irq_probe p1 = { 0 }, p12 = { 0 };
    struct i8042 *k = i8042_new(NULL, (struct irq_line){ probe_set, &p1, 1 },
                                (struct irq_line){ probe_set, &p12, 12 });
    uint8_t b[8];

    CHECK(i8042_port_read(k, 0x64) == 0x18, "power-on status %02x", i8042_port_read(k, 0x64));
    kbc_ctrl(k, 0xaa);
    CHECK(i8042_port_read(k, 0x64) == 0x1d, "status after self test %02x",
          i8042_port_read(k, 0x64));
    CHECK(p1.level == 1, "reply raises IRQ 1");
    CHECK(kbc_byte(k) == 0x55 && p1.level == 0, "self test 0x55");
    kbc_ctrl(k, 0x60);
    kbc_data(k, 0x47);
    CHECK((i8042_port_read(k, 0x64) & 0x0c) == 0x04, "SYS flag, data write");
    CHECK(kbc_reply(k, 0x20) == 0x47, "command byte");
    CHECK(kbc_reply(k, 0xab) == 0x00, "keyboard interface test");
    CHECK(kbc_reply(k, 0xa9) == 0x00, "aux interface test");
    kbc_ctrl(k, 0xa7);
    CHECK(kbc_reply(k, 0x20) == 0x67, "0xA7 disables aux");
    kbc_ctrl(k, 0xa8);
    CHECK(kbc_reply(k, 0x20) == 0x47, "0xA8 enables aux");
    /* keyboard: reset, identify (translated), get scan code set */
    kbc_data(k, 0xff);
    CHECK(kbc_read_all(k, b, 8) == 2 && b[0] == 0xfa && b[1] == 0xaa, "keyboard reset");
    kbc_data(k, 0xf2);
    CHECK(kbc_read_all(k, b, 8) == 3 && b[1] == 0xab && b[2] == 0x41, "identify");
    kbc_data(k, 0xf0);
    kbc_data(k, 0x00);
    CHECK(kbc_read_all(k, b, 8) == 3 && b[2] == 0x41, "scan code set (translated) %02x", b[2]);
    kbc_data(k, 0xed);
    kbc_data(k, 0x07);
    CHECK(kbc_read_all(k, b, 8) == 2 && b[0] == 0xfa && b[1] == 0xfa, "LEDs");
    kbc_data(k, 0x99);
    CHECK(kbc_read_all(k, b, 8) == 1 && b[0] == 0xfe, "unknown command resends");
    /* the mouse: reset, IntelliMouse ID sequence, status request */
    kbc_aux(k, 0xff);
    CHECK(i8042_port_read(k, 0x64) & 0x20, "aux byte flagged");
    CHECK(p12.level == 1 && p1.level == 0, "aux byte raises IRQ 12");
    CHECK(kbc_read_all(k, b, 8) == 3 && b[0] == 0xfa && b[1] == 0xaa && b[2] == 0, "mouse reset");
    static const uint8_t seq[] = { 200, 100, 80 };
    for (int i = 0; i < 3; i++) {
        kbc_aux(k, 0xf3);
        kbc_aux(k, seq[i]);
    }
    kbc_read_all(k, b, 8);
    kbc_aux(k, 0xf2);
    CHECK(kbc_read_all(k, b, 8) == 2 && b[1] == 3, "IntelliMouse ID %02x", b[1]);
    kbc_aux(k, 0xe9);
    CHECK(kbc_read_all(k, b, 8) == 4 && b[3] == 80, "status request rate %u", b[3]);
    /* 0xD2/0xD3 write the output buffer as keyboard or mouse byte */
    kbc_ctrl(k, 0x60);
    kbc_data(k, 0x47);
    kbc_ctrl(k, 0xd2);
    kbc_data(k, 0x1e);
    CHECK(p1.level == 1 && p12.level == 0, "0xD2 raises IRQ 1");
    CHECK(kbc_byte(k) == 0x1e && p1.level == 0, "0xD2 byte");
    kbc_ctrl(k, 0xd3);
    kbc_data(k, 0x08);
    CHECK(p12.level == 1 && p1.level == 0, "0xD3 raises IRQ 12");
    CHECK(kbc_byte(k) == 0x08 && p12.level == 0, "0xD3 byte");
    /* a disabled keyboard holds its bytes back */
    kbc_ctrl(k, 0xad);
    i8042_put_scancode(k, 0x1e);
    CHECK(!(i8042_port_read(k, 0x64) & 1), "disabled keyboard delivers");
    CHECK(kbc_reply(k, 0xae) == 0x1e, "scan code after enable");
    /* output port: A20 and the reset line; pulse reset */
    CHECK(kbc_reply(k, 0xd0) == 0xcf, "output port");
    kbc_ctrl(k, 0xd1);
    kbc_data(k, 0xcd);
    CHECK(!i8042_a20(k) && resets == 0, "A20 off");
    kbc_ctrl(k, 0xdf);
    CHECK(i8042_a20(k), "0xDF A20 on");
    kbc_ctrl(k, 0xd1);
    kbc_data(k, 0xce);
    CHECK(resets == 1, "output port bit 0 resets");
    kbc_ctrl(k, 0xfe);
    CHECK(resets == 2, "0xFE pulses reset");
    kbc_ctrl(k, 0xff);
    CHECK(resets == 2, "0xFF pulses nothing");
    i8042_free(k);

    struct port92 *p = port92_new(NULL);
    CHECK(port92_read(p) == 0x02 && port92_a20(p), "port 0x92 power-on");
    port92_write(p, 0x00);
    CHECK(!port92_a20(p) && port92_read(p) == 0, "fast A20 off");
    port92_write(p, 0x03);
    CHECK(resets == 3 && port92_read(p) == 0x02, "fast reset, bit 0 reads 0");
    port92_free(p);
}

int main(void)
{
    vclock_init(VCLOCK_ICOUNT, 0, 0);
    vclock_set_icount_source(fake_icount, NULL);
    pit_counts_clock_exactly();
    pit_access_modes_and_latch();
    pit_out_per_mode();
    pit_gate_and_port61();
    pit_reset_state();
    pit_irq0_edges();
    hpet_registers_and_counter();
    hpet_level_edge_and_periodic();
    hpet_comparator_wrap();
    hpet_legacy_replacement();
    rtc_encodings();
    rtc_clock_and_flags();
    i8042_controller_commands();
    if (failures)
        printf("%d failure(s)\n", failures);
    return failures != 0;
}
