/*
 * hw/timer/i8254.c: the Intel 8254 programmable interval timer of the PC
 * (Intel 82C54 data sheet, 231244-006: "Operation", "Modes", "Read-Back
 * Command") and the PC's port 0x61 (system control port B: counter 2
 * gate, speaker data, refresh toggle, counter 2 OUT), at the ports QEMU's
 * pc uses: 0x40-0x43 and 0x61.
 *
 * Time: the input clock is 1.193182 MHz derived from virtual nanoseconds
 * with exact integer math: tick(ns) = floor(ns * 1193182 / 10^9).  A
 * counter remembers the tick at which its count was loaded (or its gate
 * triggered it), so the count read at any moment is a pure function of the
 * virtual clock: no drift, no accumulated rounding.  Counter 0's OUT drives
 * irq0 through a timer armed at the next OUT transition, as QEMU's pc does
 * (irq_set with the new level at each change).
 *
 * Modelled: three counters, modes 0-5 (6 and 7 alias 2 and 3), binary and
 * BCD counting, LSB/MSB/LSB-then-MSB access, counter latch command,
 * read-back command (status and/or count, the status first), NULL COUNT in
 * the status byte, gates (counters 0 and 1 tied high; counter 2 from port
 * 0x61 bit 0): gate low suspends counting in modes 0, 2, 3, 4 and forces
 * OUT high in modes 2 and 3; a rising gate edge triggers modes 1 and 5 and
 * reloads modes 2 and 3.  Writing the first byte of a two-byte count in
 * mode 0 stops the count until the second byte arrives.
 *
 * Deviations: a written count is loaded into the counting element at once
 * rather than on the next CLK edge (as QEMU); in modes 2 and 3 a new count
 * restarts the period immediately instead of at its end (as QEMU).  Modes
 * 2 and 4 drive OUT low for one clock at count 1 (mode 2) or 0 (mode 4) as
 * the data sheet says, whereas QEMU inverts those one-clock pulses; the
 * rising edge that interrupts the CPU in mode 2 comes at the same moment
 * (the reload) in both.  The power-on state is QEMU's (see pit_reset).
 * Port 0x61 bits 2 and 3 read back as 0 (as QEMU).
 */
#include "hw/timer/i8254.h"

#include <stdlib.h>
#include <string.h>

#include "timers/timers.h"

#define NS_PER_SEC 1000000000u
#define PIT_REFRESH_PERIOD_NS 15085   /* port 0x61 bit 4 toggles at this period (QEMU) */

/* access field of the control word (RW1 RW0) */
enum { RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_LSB_MSB = 3 };

/* status byte of the read-back command */
#define PIT_STATUS_OUT       0x80
#define PIT_STATUS_NULLCOUNT 0x40

struct pit_counter {
    uint8_t rw, mode, bcd;
    uint16_t written;          /* the count register (raw: BCD or binary) */
    uint8_t lsb_pending;       /* LSB of a two-byte write */
    bool write_msb_next, read_msb_next;
    uint16_t latch;            /* output latch */
    bool latched, latch_msb_next;
    uint8_t status;
    bool status_latched;
    bool null_count;
    bool loaded;               /* a count was written since the control word */
    bool running;              /* the counting element counts (modes 1, 5: triggered) */
    bool frozen;               /* gate low in mode 0, 2, 3 or 4 */
    bool gate;
    uint32_t n;                /* count in use, as a number of clocks (1..65536) */
    uint64_t base;             /* tick at which d == 0 */
    uint64_t frozen_d;
};

struct pit {
    struct pit_counter c[3];
    bool speaker_data;         /* port 0x61 bit 1 */
    struct irq_line irq0;
    bool irq_enabled;
    int irq_level;
    struct timer *timer;
    uint64_t next_tick;        /* the clock the timer is armed for */
};

static uint64_t pit_tick_of_ns(int64_t ns)
{
    return (uint64_t)(((unsigned __int128)(uint64_t)ns * PIT_FREQ_HZ) / NS_PER_SEC);
}

/* First virtual ns at which the tick count reaches t. */
static int64_t pit_ns_of_tick(uint64_t t)
{
    unsigned __int128 x = (unsigned __int128)t * NS_PER_SEC;

    return (int64_t)((x + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ);
}

static uint32_t bcd_to_bin16(uint16_t v)
{
    return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
}

static uint16_t bin_to_bcd16(uint32_t v)
{
    return (uint16_t)((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

/* The count register as a number of clocks: 0 means 2^16 (binary) or 10^4 (BCD). */
static uint32_t pit_period(const struct pit_counter *c)
{
    uint32_t n = c->bcd ? bcd_to_bin16(c->written) : c->written;

    if (n == 0)
        n = c->bcd ? 10000 : 65536;
    return n;
}

/* Clocks counted since the count was loaded (or the gate triggered it). */
static uint64_t pit_elapsed(const struct pit_counter *c, uint64_t now)
{
    if (!c->running)
        return 0;
    if (c->frozen)
        return c->frozen_d;
    return now - c->base;
}

static uint16_t pit_count_now(const struct pit_counter *c, uint64_t now)
{
    uint64_t d = pit_elapsed(c, now), n = c->n, modulus = c->bcd ? 10000 : 65536, v;

    if (!c->running)
        return c->written;
    switch (c->mode) {
    case 2:
        v = n - d % n;
        break;
    case 3:
        v = n - (2 * d) % n;
        break;
    default:                   /* modes 0, 1, 4, 5 count down through 0 and wrap */
        v = (n + modulus - d % modulus) % modulus;
        break;
    }
    v %= modulus;
    return c->bcd ? bin_to_bcd16((uint32_t)v) : (uint16_t)v;
}

static int pit_out_now(const struct pit_counter *c, uint64_t now)
{
    uint64_t d = pit_elapsed(c, now), n = c->n;

    if (!c->loaded)
        return c->mode != 0;   /* after the control word: low in mode 0, high otherwise */
    switch (c->mode) {
    case 0:
        return c->running && d >= n;
    case 1:
        return !c->running || d >= n;
    case 2:
        if (c->frozen || n < 2)
            return 1;
        return d % n != n - 1;
    case 3:
        if (c->frozen)
            return 1;
        return d % n < (n + 1) / 2;
    case 4:
    case 5:
        return !c->running || d != n;
    }
    return 1;
}

/* Elapsed-clock value at which OUT next changes, or UINT64_MAX. */
static uint64_t pit_next_change(const struct pit_counter *c, uint64_t now)
{
    uint64_t d = pit_elapsed(c, now), n = c->n, r;

    if (!c->loaded || !c->running || c->frozen)
        return UINT64_MAX;
    switch (c->mode) {
    case 0:
    case 1:
        return d < n ? n : UINT64_MAX;
    case 2:
        if (n < 2)
            return UINT64_MAX;
        r = d % n;
        return r < n - 1 ? d + (n - 1 - r) : d + 1;
    case 3:
        if (n < 2)
            return UINT64_MAX;
        r = d % n;
        return r < (n + 1) / 2 ? d + ((n + 1) / 2 - r) : d + (n - r);
    case 4:
    case 5:
        return d < n ? n : d == n ? n + 1 : UINT64_MAX;
    }
    return UINT64_MAX;
}

static uint64_t pit_now(void)
{
    return pit_tick_of_ns(vclock_ns());
}

/*
 * Signal counter 0's OUT on irq0 as it is at clock `at` and arm the timer
 * for its next change.  The timer callback passes the clock its change
 * was due at, not the (later) present, so a late callback still drives
 * every edge in order, as QEMU does: a one-clock pulse is not lost.
 */
static void pit_update_irq_at(struct pit *p, uint64_t at)
{
    struct pit_counter *c = &p->c[0];
    uint64_t next;
    int out;

    if (!p->irq_enabled || !p->irq0.set) {
        timer_del(p->timer);   /* nobody listens: OUT needs no timer */
        return;
    }
    out = pit_out_now(c, at);
    if (out != p->irq_level) {
        p->irq_level = out;
        irq_set(&p->irq0, out);
    }
    next = pit_next_change(c, at);
    if (next == UINT64_MAX) {
        timer_del(p->timer);
    } else {
        p->next_tick = c->base + next;
        timer_mod(p->timer, pit_ns_of_tick(p->next_tick));
    }
}

static void pit_update_irq(struct pit *p)
{
    pit_update_irq_at(p, pit_now());
}

static void pit_timer_cb(void *opaque)
{
    struct pit *p = opaque;

    pit_update_irq_at(p, p->next_tick);
}

static void pit_load(struct pit_counter *c, uint64_t now)
{
    c->loaded = true;
    c->null_count = false;
    if (c->mode == 1 || c->mode == 5) {
        /* The count waits for a gate trigger; a running cycle finishes first. */
        if (!c->running)
            c->n = pit_period(c);
        return;
    }
    c->n = pit_period(c);
    c->running = true;
    c->base = now;
    c->frozen = !c->gate;
    c->frozen_d = 0;
}

static void pit_set_gate(struct pit_counter *c, bool gate, uint64_t now)
{
    if (gate == c->gate)
        return;
    c->gate = gate;
    switch (c->mode) {
    case 0:
    case 4:
        if (!gate) {
            c->frozen_d = pit_elapsed(c, now);
            c->frozen = true;
        } else {
            c->base = now - c->frozen_d;
            c->frozen = false;
        }
        break;
    case 1:
    case 5:
        if (gate && c->loaded) {
            c->n = pit_period(c);
            c->running = true;
            c->base = now;
        }
        break;
    default:                   /* 2, 3: low stops, rising edge reloads */
        if (!gate) {
            c->frozen_d = pit_elapsed(c, now);
            c->frozen = true;
        } else {
            c->frozen = false;
            c->base = now;
            if (c->loaded)
                c->n = pit_period(c);
        }
        break;
    }
}

static void pit_latch_count(struct pit_counter *c, uint64_t now)
{
    if (c->latched)
        return;                /* a latched count is kept until it is read */
    c->latch = pit_count_now(c, now);
    c->latched = true;
    c->latch_msb_next = c->rw == RW_MSB;
}

static void pit_latch_status(struct pit_counter *c, uint64_t now)
{
    if (c->status_latched)
        return;
    c->status = (uint8_t)((pit_out_now(c, now) ? PIT_STATUS_OUT : 0)
                          | (c->null_count ? PIT_STATUS_NULLCOUNT : 0)
                          | c->rw << 4 | c->mode << 1 | c->bcd);
    c->status_latched = true;
}

static void pit_control(struct pit *p, uint8_t v, uint64_t now)
{
    unsigned sc = v >> 6, rw = (v >> 4) & 3;

    if (sc == 3) {             /* read-back: bit 5 = !COUNT, bit 4 = !STATUS */
        for (int i = 0; i < 3; i++) {
            if (!(v & (2u << i)))
                continue;
            if (!(v & 0x10))
                pit_latch_status(&p->c[i], now);
            if (!(v & 0x20))
                pit_latch_count(&p->c[i], now);
        }
        return;
    }
    struct pit_counter *c = &p->c[sc];
    if (rw == RW_LATCH) {
        pit_latch_count(c, now);
        return;
    }
    c->rw = (uint8_t)rw;
    c->mode = (v >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4;          /* 6 and 7 are 2 and 3 */
    c->bcd = v & 1;
    c->write_msb_next = rw == RW_MSB;
    c->read_msb_next = rw == RW_MSB;
    c->latched = false;
    c->status_latched = false;
    c->null_count = true;
    c->loaded = false;
    c->running = false;
    c->frozen = false;
}

static void pit_write_count(struct pit_counter *c, uint8_t v, uint64_t now)
{
    switch (c->rw) {
    case RW_LATCH:              /* no control word since power-on: LSB only, as QEMU */
    case RW_LSB:
        c->written = v;
        break;
    case RW_MSB:
        c->written = (uint16_t)(v << 8);
        break;
    default:
        if (!c->write_msb_next) {
            c->lsb_pending = v;
            c->write_msb_next = true;
            c->null_count = true;
            if (c->mode == 0) {
                c->running = false;   /* mode 0: the first byte stops the count */
                c->loaded = true;
            }
            return;
        }
        c->written = (uint16_t)(c->lsb_pending | v << 8);
        c->write_msb_next = false;
        break;
    }
    pit_load(c, now);
}

static uint8_t pit_read_counter(struct pit_counter *c, uint64_t now)
{
    uint16_t v;
    bool msb;

    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->latched) {
        v = c->latch;
        msb = c->latch_msb_next;
        if (c->rw == RW_LSB_MSB && !msb)
            c->latch_msb_next = true;
        else
            c->latched = false;
        return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
    }
    v = pit_count_now(c, now);
    msb = c->read_msb_next;
    if (c->rw == RW_LSB_MSB)
        c->read_msb_next = !c->read_msb_next;
    return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
}

uint8_t pit_port_read(struct pit *p, uint16_t port)
{
    uint64_t now = pit_now();

    if (port == 0x61) {
        int64_t ns = vclock_ns();
        return (uint8_t)((p->c[2].gate ? 0x01 : 0) | (p->speaker_data ? 0x02 : 0)
                         | ((ns / PIT_REFRESH_PERIOD_NS) & 1) << 4
                         | pit_out_now(&p->c[2], now) << 5);
    }
    if (port >= 0x40 && port <= 0x42)
        return pit_read_counter(&p->c[port - 0x40], now);
    return 0xff;               /* the control word register is write-only */
}

void pit_port_write(struct pit *p, uint16_t port, uint8_t v)
{
    uint64_t now = pit_now();

    if (port == 0x61) {
        p->speaker_data = v & 2;
        pit_set_gate(&p->c[2], v & 1, now);
        return;
    }
    if (port == 0x43)
        pit_control(p, v, now);
    else if (port >= 0x40 && port <= 0x42)
        pit_write_count(&p->c[port - 0x40], v, now);
    else
        return;
    if (port == 0x40 || (port == 0x43 && ((v >> 6) == 0)))
        pit_update_irq(p);
}

int pit_out(struct pit *p, int n)
{
    return pit_out_now(&p->c[n], pit_now());
}

void pit_irq_enable(void *opaque, int n, int level)
{
    struct pit *p = opaque;
    bool on = level != 0;

    if (on == p->irq_enabled)
        return;
    p->irq_enabled = on;
    if (!on) {
        /* Release IRQ 0 for the HPET: lower it so its edges get through. */
        if (p->irq_level)
            irq_set(&p->irq0, 0);
        p->irq_level = 0;
    }
    pit_update_irq(p);
}

static uint64_t pit_io_read(void *opaque, uint64_t off, unsigned size)
{
    return pit_port_read(opaque, (uint16_t)(0x40 + off));
}

static void pit_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    pit_port_write(opaque, (uint16_t)(0x40 + off), (uint8_t)val);
}

static uint64_t port61_io_read(void *opaque, uint64_t off, unsigned size)
{
    return pit_port_read(opaque, 0x61);
}

static void port61_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    pit_port_write(opaque, 0x61, (uint8_t)val);
}

static const struct dev_ops pit_ops = {
    .read = pit_io_read, .write = pit_io_write, .min_size = 1, .max_size = 1,
};

static const struct dev_ops port61_ops = {
    .read = port61_io_read, .write = port61_io_write, .min_size = 1, .max_size = 1,
};

void pit_reset(struct pit *p)
{
    timer_del(p->timer);
    /*
     * The data sheet leaves the power-on state undefined.  As QEMU, the
     * RESET line puts every counter in mode 3 with count 0 (65536) loaded,
     * so counter 0 runs at 18.2 Hz before anyone programs it, and keeps
     * what the last control word chose for read/write order and BCD
     * (zero at power-on: the first control word sets them).  The speaker
     * data bit of port 0x61 survives a reset too (QEMU's PC speaker has
     * no reset), the counter 2 gate does not.
     */
    uint64_t now = pit_now();
    for (int i = 0; i < 3; i++) {
        struct pit_counter *c = &p->c[i];
        uint8_t rw = c->rw, bcd = c->bcd;
        memset(c, 0, sizeof *c);
        c->rw = rw;
        c->bcd = bcd;
        c->write_msb_next = c->read_msb_next = rw == RW_MSB;
        c->mode = 3;
        c->gate = i != 2;       /* counters 0 and 1: gate tied high */
        pit_load(c, now);
    }
    if (p->irq_level)
        irq_set(&p->irq0, 0);
    p->irq_level = 0;
    p->irq_enabled = true;
    pit_update_irq(p);
}

struct pit *pit_new(struct bus *bus, struct irq_line irq0)
{
    struct pit *p = calloc(1, sizeof *p);

    if (!p)
        abort();
    p->irq0 = irq0;
    p->timer = timer_new(pit_timer_cb, p);
    pit_reset(p);
    if (bus && (bus_map_io(bus, 0x40, 4, &pit_ops, p, "i8254") < 0
                || bus_map_io(bus, 0x61, 1, &port61_ops, p, "port61") < 0)) {
        pit_free(p);
        return NULL;
    }
    return p;
}

void pit_free(struct pit *p)
{
    if (!p)
        return;
    timer_free(p->timer);
    free(p);
}
