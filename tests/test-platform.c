/*
 * tests/test-platform.c: unit tests for the bus core, the 16550A UART and
 * the virtual clock / timer queue.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/char/uart16550.h"
#include "hw/hw.h"
#include "timers/timers.h"
#include "tests/unit.h"

int failures;

/* ---- bus ---------------------------------------------------------------- */

static uint64_t last_off, last_val;
static unsigned last_size;

static uint64_t dev_read(void *o, uint64_t off, unsigned size) { return 0x1000 + off; }
static void dev_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
    last_off = off;
    last_val = v;
    last_size = size;
}
static const struct dev_ops ops = { dev_read, dev_write, 1, 1 };

static void bus_map_rejects_overlap(void)
{
    struct bus *b = bus_new();
    static uint8_t ram[0x4000];

    CHECK(bus_map_io(b, 0x3f8, 8, &ops, NULL, "a") == 0, "first io map");
    CHECK(bus_map_io(b, 0x3fc, 8, &ops, NULL, "b") < 0, "overlapping io map accepted");
    CHECK(bus_map_io(b, 0x400, 8, &ops, NULL, "c") == 0, "adjacent io map refused");
    CHECK(bus_map_ram(b, 0, sizeof ram, ram, false, "ram") == 0, "ram map");
    CHECK(bus_map_mmio(b, 0x1000, 0x10, &ops, NULL, "m") < 0, "mmio over ram accepted");
    CHECK(bus_map_ram(b, 0x2000, 0x1000, ram, false, "r2") < 0, "ram over ram accepted");
    bus_free(b);
}

static void bus_dispatch_splits_and_defaults(void)
{
    struct bus *b = bus_new();
    static uint8_t ram[0x2000];
    enum ram_kind k;

    bus_map_io(b, 0x100, 4, &ops, NULL, "d");
    CHECK(bus_io_read(b, 0x102, 1) == 0x1002, "io read offset");
    bus_io_write(b, 0x101, 0xabcd, 2); /* max size 1: split */
    CHECK(last_off == 2 && last_val == 0xab && last_size == 1, "split write %llx %llx",
          (unsigned long long)last_off, (unsigned long long)last_val);
    CHECK(bus_io_read(b, 0x900, 2) == 0xffff, "unmapped port reads all ones");
    CHECK(bus_mmio_read(b, 0xfee00000, 4) == 0xffffffffu, "unmapped mmio reads all ones");
    bus_map_ram(b, 0x10000, sizeof ram, ram, false, "ram");
    CHECK(bus_ram_page(b, 0x11234, &k) == ram + 0x1000 && k == RAM_RW, "ram page lookup");
    CHECK(bus_ram_page(b, 0x20000, &k) == NULL && k == RAM_NONE, "non-ram page");
    uint32_t v = 0x11223344;
    CHECK(bus_phys_write(b, 0x10ffe, &v, 4) == 0 && ram[0xffe] == 0x44 && ram[0x1001] == 0x11,
          "phys write across pages");
    CHECK(bus_phys_write(b, 0x11ffe, &v, 4) < 0, "phys write past RAM accepted");
    bus_free(b);
}

/* ---- UART ---------------------------------------------------------------- */

static int irq_level;
static char txbuf[64];
static int txlen;

static void irq_set_level(void *o, int n, int level) { irq_level = level; }
static void tx(void *o, uint8_t c) { if (txlen < 63) txbuf[txlen++] = (char)c; }

static void uart_registers_behave_as_16550a(void)
{
    struct uart16550 *u = uart16550_new(NULL, 0, (struct irq_line){ irq_set_level, NULL, 4 },
                                        tx, NULL);

    /* divisor latch */
    uart16550_io_write(u, 3, 0x80);
    uart16550_io_write(u, 0, 0x01);
    uart16550_io_write(u, 1, 0x00);
    CHECK(uart16550_io_read(u, 0) == 1 && uart16550_io_read(u, 1) == 0, "DLL/DLM");
    uart16550_io_write(u, 3, 0x03);
    CHECK(uart16550_io_read(u, 3) == 3, "LCR");
    /* transmit */
    uart16550_io_write(u, 0, 'x');
    CHECK(txlen == 1 && txbuf[0] == 'x', "THR transmits");
    CHECK((uart16550_io_read(u, 5) & 0x60) == 0x60, "LSR THRE|TEMT");
    /* THRE interrupt when IER.THRI is enabled with an empty THR (OUT2 set at reset) */
    CHECK(irq_level == 0, "no irq before IER");
    uart16550_io_write(u, 1, 0x02);
    CHECK(irq_level == 1, "THRE irq raised");
    CHECK((uart16550_io_read(u, 2) & 0x0f) == 0x02, "IIR says THRE");
    CHECK(irq_level == 0 && (uart16550_io_read(u, 2) & 1), "IIR read clears THRE");
    /* receive with priority over THRE */
    uart16550_io_write(u, 1, 0x03);
    uart16550_receive(u, 'a');
    CHECK(irq_level == 1 && (uart16550_io_read(u, 2) & 0x0f) == 0x04, "RX data irq priority");
    CHECK((uart16550_io_read(u, 5) & 1) && uart16550_io_read(u, 0) == 'a', "RBR");
    CHECK(!(uart16550_io_read(u, 5) & 1), "DR clears after read");
    /* FIFO: 16 bytes then overrun */
    uart16550_io_write(u, 2, 0x07);
    for (int i = 0; i < 17; i++)
        uart16550_receive(u, (uint8_t)('A' + i));
    CHECK((uart16550_io_read(u, 2) & 0xc0) == 0xc0, "IIR FIFO bits");
    CHECK(uart16550_io_read(u, 5) & 2, "overrun after 17 bytes");
    CHECK(uart16550_io_read(u, 0) == 'A', "FIFO order");
    /* loopback */
    uart16550_io_write(u, 2, 0x07);
    uart16550_io_write(u, 4, 0x10 | 0x08 | 0x02);
    txlen = 0;
    uart16550_io_write(u, 0, 'L');
    CHECK(txlen == 0 && uart16550_io_read(u, 0) == 'L', "loopback returns data");
    CHECK((uart16550_io_read(u, 6) & 0x90) == 0x90, "loopback MSR mirrors RTS/OUT2");
    uart16550_io_write(u, 7, 0x5a);
    CHECK(uart16550_io_read(u, 7) == 0x5a, "SCR");
    uart16550_free(u);
}

/* ---- clock and timers ------------------------------------------------------ */

static uint64_t fake_icount;
static uint64_t icount_fn_impl(void *o) { return fake_icount; }
static int order[8], norder;
static void cb(void *o) { order[norder++] = (int)(intptr_t)o; }

static void timer_queue_orders_deadlines(void)
{
    vclock_init(VCLOCK_ICOUNT, 2, 1000000000);
    vclock_set_icount_source(icount_fn_impl, NULL);
    fake_icount = 0;
    struct timer *t[4];
    int64_t d[4] = { 400, 100, 300, 200 };
    for (int i = 0; i < 4; i++) {
        t[i] = timer_new(cb, (void *)(intptr_t)i);
        timer_mod(t[i], d[i]);
    }
    timer_del(t[2]);
    CHECK(timers_next_deadline() == 100, "earliest deadline");
    fake_icount = 100; /* 400 ns at shift 2 */
    CHECK(vclock_ns() == 400, "icount clock = icount << shift");
    CHECK(timers_run_expired() == 3, "three expired");
    CHECK(norder == 3 && order[0] == 1 && order[1] == 3 && order[2] == 0, "in deadline order");
    CHECK(!timer_pending(t[2]) && timers_next_deadline() == INT64_MAX, "deleted timer never fires");
    vclock_warp_to(1000);
    CHECK(vclock_ns() == 1000, "warp in icount mode");
    for (int i = 0; i < 4; i++)
        timer_free(t[i]);
}

static void tsc_conversion_is_exact(void)
{
    vclock_init(VCLOCK_ICOUNT, 0, 2500000000ull);
    CHECK(vclock_ns_to_ticks(1000000000) == 2500000000ull, "1 s = 2.5e9 ticks");
    CHECK(vclock_ns_to_ticks(3) == 7, "3 ns = 7.5 -> 7 ticks");
    CHECK(vclock_ns_to_ticks(INT64_MAX / 2) == (uint64_t)((unsigned __int128)(INT64_MAX / 2) * 2500000000ull / 1000000000ull),
          "no overflow on large values");
}

int main(void)
{
    bus_map_rejects_overlap();
    bus_dispatch_splits_and_defaults();
    uart_registers_behave_as_16550a();
    timer_queue_orders_deadlines();
    tsc_conversion_is_exact();
    printf("test-platform: %d failures\n", failures);
    return failures ? 1 : 0;
}
