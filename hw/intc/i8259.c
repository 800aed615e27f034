/*
 * hw/intc/i8259.c: the PC's two cascaded 8259A programmable interrupt
 * controllers (master at 0x20/0x21, slave at 0xa0/0xa1 on the master's
 * IR2) and the edge/level control registers at 0x4d0/0x4d1 (PIIX ELCR).
 * Intel 8259A datasheet: ICW1-ICW4, OCW1 (mask), OCW2 (EOI, specific EOI,
 * rotation, set priority), OCW3 (IRR/ISR read, poll, special mask mode);
 * auto-EOI and rotate in auto-EOI mode.
 *
 * Edge inputs latch a rising edge in IRR (kept until the INTA cycle, as
 * QEMU's); level inputs (ICW1.LTIM, or the ELCR bit of that IRQ) follow
 * the line.  An INTA with nothing pending (the request went away) returns
 * IR7 of the chip concerned without setting its ISR bit: the spurious
 * IRQ 7 / 15 of the datasheet.  In special fully nested mode (ICW4.SFNM)
 * the master's IR2 in service does not block a new request from the
 * slave, whose own ISR orders it.
 */
#include "hw/intc/intc.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

struct pic {
    uint8_t irr, isr, imr;
    uint8_t last_level;     /* input levels, for edge detection */
    uint8_t priority_add;   /* IR with the highest priority */
    uint8_t base;           /* ICW2 vector base */
    uint8_t elcr, elcr_mask;
    uint8_t init_state;     /* 0 ready, 1-3 waiting for ICW2-ICW4 */
    bool icw4, single, ltim;
    bool auto_eoi, rotate_auto_eoi, special_mask, special_nested;
    bool master;
    bool poll, read_isr;
};

struct i8259 {
    struct pic pic[2];      /* master, slave */
    struct irq_line intr;
};

/* Priority 0 (highest) .. 7 of the highest set bit in mask, 8 when none. */
static int priority(const struct pic *p, uint8_t mask)
{
    for (int i = 0; i < 8; i++)
        if (mask & (1u << ((i + p->priority_add) & 7)))
            return i;
    return 8;
}

/* The IR the chip would present now, or -1. */
static int pic_pending(const struct pic *p)
{
    int req = priority(p, p->irr & ~p->imr);
    uint8_t in_service = p->isr;

    if (req == 8)
        return -1;
    if (p->special_mask)
        in_service &= ~p->imr;  /* masked levels in service do not block */
    if (p->special_nested && p->master)
        in_service &= ~(1u << 2);   /* the slave arbitrates its own nesting */
    if (req < priority(p, in_service))
        return (req + p->priority_add) & 7;
    return -1;
}

static void pic_input(struct pic *p, int n, bool level)
{
    uint8_t bit = 1u << n;

    if (p->ltim || (p->elcr & bit)) {
        if (level)
            p->irr |= bit;
        else
            p->irr &= ~bit;
    } else if (level && !(p->last_level & bit)) {
        p->irr |= bit;
    }
    if (level)
        p->last_level |= bit;
    else
        p->last_level &= ~bit;
}

static void i8259_update(struct i8259 *s)
{
    pic_input(&s->pic[0], 2, pic_pending(&s->pic[1]) >= 0);
    irq_set(&s->intr, pic_pending(&s->pic[0]) >= 0);
}

static void i8259_set_irq(void *opaque, int n, int level)
{
    struct i8259 *s = opaque;

    pic_input(&s->pic[n >> 3], n & 7, level != 0);
    i8259_update(s);
}

struct irq_line i8259_pin(struct i8259 *s, int n)
{
    return (struct irq_line){ .set = i8259_set_irq, .opaque = s, .n = n & 15 };
}

/* The INTA's effect on the chip for IR n. */
static void pic_intack(struct pic *p, int n)
{
    uint8_t bit = 1u << n;

    if (p->auto_eoi) {
        if (p->rotate_auto_eoi)
            p->priority_add = (n + 1) & 7;
    } else {
        p->isr |= bit;
    }
    if (!p->ltim && !(p->elcr & bit))
        p->irr &= ~bit;
}

int i8259_ack(void *opaque)
{
    struct i8259 *s = opaque;
    struct pic *m = &s->pic[0], *sl = &s->pic[1];
    int irq = pic_pending(m), vec;

    if (irq < 0) {
        vec = m->base + 7;              /* spurious IRQ 7 */
    } else if (irq == 2) {
        int irq2 = pic_pending(sl);
        if (irq2 >= 0) {
            pic_intack(sl, irq2);
            vec = sl->base + irq2;
        } else {
            vec = sl->base + 7;         /* spurious IRQ 15 */
        }
        pic_intack(m, 2);
    } else {
        pic_intack(m, irq);
        vec = m->base + irq;
    }
    if (log_on(LOG_INT))
        log_printf("i8259: INTA -> vector 0x%02x\n", vec);
    i8259_update(s);
    return vec;
}

/* ICW1 starts the initialization sequence (datasheet: "Initialization"). */
static void pic_icw1(struct pic *p, uint8_t v)
{
    uint8_t elcr = p->elcr, mask = p->elcr_mask;
    bool master = p->master;

    memset(p, 0, sizeof *p);
    p->elcr = elcr;
    p->elcr_mask = mask;
    p->master = master;
    p->irr &= elcr;
    p->init_state = 1;
    p->icw4 = v & 1;
    p->single = v & 2;
    p->ltim = v & 8;
}

static void pic_ocw2(struct pic *p, uint8_t v)
{
    int cmd = v >> 5, n = v & 7;

    switch (cmd) {
    case 0: p->rotate_auto_eoi = false; break;
    case 4: p->rotate_auto_eoi = true; break;
    case 1: case 5: {               /* non-specific EOI (and rotate) */
        int pr = priority(p, p->isr);
        if (pr == 8)
            break;
        n = (pr + p->priority_add) & 7;
        p->isr &= ~(1u << n);
        if (cmd == 5)
            p->priority_add = (n + 1) & 7;
        break;
    }
    case 3: p->isr &= ~(1u << n); break;   /* specific EOI */
    case 7:                                 /* rotate on specific EOI */
        p->isr &= ~(1u << n);
        p->priority_add = (n + 1) & 7;
        break;
    case 6: p->priority_add = (n + 1) & 7; break;  /* set priority: n lowest */
    default: break;                         /* 2: no operation */
    }
}

static void pic_write(struct i8259 *s, struct pic *p, int a0, uint8_t v)
{
    if (!a0) {
        if (v & 0x10) {
            pic_icw1(p, v);
        } else if (v & 0x08) {              /* OCW3 */
            if (v & 0x04)
                p->poll = true;
            if (v & 0x02)
                p->read_isr = v & 1;
            if (v & 0x40)
                p->special_mask = (v >> 5) & 1;
        } else {
            pic_ocw2(p, v);
        }
    } else {
        switch (p->init_state) {
        case 0: p->imr = v; break;          /* OCW1 */
        case 1:
            p->base = v & 0xf8;
            p->init_state = p->single ? (p->icw4 ? 3 : 0) : 2;
            break;
        case 2: p->init_state = p->icw4 ? 3 : 0; break;    /* ICW3: cascade wiring is fixed */
        case 3:
            p->special_nested = (v >> 4) & 1;
            p->auto_eoi = (v >> 1) & 1;
            p->init_state = 0;
            break;
        }
    }
    i8259_update(s);
}

/* Poll command: the next read is an INTA returning 0x80 | IR, or 0. */
static uint8_t pic_poll(struct i8259 *s, struct pic *p)
{
    int n = pic_pending(p);

    p->poll = false;
    if (n < 0)
        return 0;
    pic_intack(p, n);
    if (p == &s->pic[1])
        pic_input(&s->pic[0], 2, false);
    i8259_update(s);
    return 0x80 | n;
}

static uint64_t pic_read(struct i8259 *s, struct pic *p, int a0)
{
    if (p->poll)
        return pic_poll(s, p);
    if (a0)
        return p->imr;
    return p->read_isr ? p->isr : p->irr;
}

static uint64_t master_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8259 *s = opaque;
    return pic_read(s, &s->pic[0], off & 1);
}

static uint64_t slave_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8259 *s = opaque;
    return pic_read(s, &s->pic[1], off & 1);
}

static void master_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct i8259 *s = opaque;
    pic_write(s, &s->pic[0], off & 1, (uint8_t)val);
}

static void slave_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct i8259 *s = opaque;
    pic_write(s, &s->pic[1], off & 1, (uint8_t)val);
}

static const struct dev_ops master_ops = {
    .read = master_read, .write = master_write, .min_size = 1, .max_size = 1,
};
static const struct dev_ops slave_ops = {
    .read = slave_read, .write = slave_write, .min_size = 1, .max_size = 1,
};

static uint64_t elcr_read(void *opaque, uint64_t off, unsigned size)
{
    return ((struct i8259 *)opaque)->pic[off & 1].elcr;
}

static void elcr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct i8259 *s = opaque;
    struct pic *p = &s->pic[off & 1];

    p->elcr = (uint8_t)val & p->elcr_mask;
    i8259_update(s);
}

static const struct dev_ops elcr_ops = {
    .read = elcr_read, .write = elcr_write, .min_size = 1, .max_size = 1,
};

void i8259_reset(struct i8259 *s)
{
    for (int i = 0; i < 2; i++) {
        struct pic *p = &s->pic[i];
        p->elcr = 0;
        pic_icw1(p, 0);
        p->init_state = 0;
    }
    i8259_update(s);
}

struct i8259 *i8259_new(struct bus *bus, struct irq_line intr)
{
    struct i8259 *s = calloc(1, sizeof *s);

    if (!s)
        abort();
    s->intr = intr;
    /* IRQ 0, 1, 2 (master) and 8, 13 (slave) are edge only (PIIX) */
    s->pic[0].master = true;
    s->pic[0].elcr_mask = 0xf8;
    s->pic[1].elcr_mask = 0xde;
    if (bus_map_io(bus, 0x20, 2, &master_ops, s, "pic-master") < 0
        || bus_map_io(bus, 0xa0, 2, &slave_ops, s, "pic-slave") < 0
        || bus_map_io(bus, 0x4d0, 2, &elcr_ops, s, "elcr") < 0) {
        free(s);
        return NULL;
    }
    i8259_reset(s);
    return s;
}

void i8259_free(struct i8259 *s)
{
    free(s);
}
