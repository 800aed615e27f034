/*
 * hw/intc/ioapic.c: the I/O APIC of QEMU's pc (82093AA register model,
 * version 0x20 with the EOI register), 24 input pins.  82093AA datasheet
 * sections 3.0-3.2 (IOREGSEL at +0x00, IOWIN at +0x10; IOAPICID,
 * IOAPICVER, IOAPICARB, IOREDTBL[0..23]); the EOI register at +0x40 of
 * the later versions (ICH datasheets, "EOI register").
 *
 * Each pin's redirection entry sends one APIC-bus message (vector,
 * delivery mode, physical/logical destination) to the local APICs.  Edge
 * pins deliver on a rising edge; level pins deliver while asserted, set
 * Remote IRR and wait for the EOI of their vector (a local APIC's EOI
 * broadcast for a level-triggered vector, or a write to the EOI register),
 * and deliver again if still asserted.
 *
 * As QEMU's: inputs are logical levels (asserted = 1) whatever the
 * polarity bit says (the board's devices drive active-high).  An edge
 * that arrives while its pin is masked is lost (82093AA datasheet, as
 * QEMU).  Unlike QEMU, only a rising edge is an edge (QEMU takes every
 * "raise" of an already high line as a new one).  The delivery status
 * bit always reads 0 (delivery is immediate).
 */
#include "hw/intc/intc.h"

#include <stdlib.h>

#include "util/log.h"

#define IOAPIC_REG_ID   0x00
#define IOAPIC_REG_VER  0x01
#define IOAPIC_REG_ARB  0x02
#define IOAPIC_REG_REDTBL 0x10

#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN    0x10
#define IOAPIC_EOI      0x40

#define RTE_MASKED      (1ull << 16)
#define RTE_LEVEL       (1ull << 15)
#define RTE_REMOTE_IRR  (1ull << 14)
#define RTE_POLARITY    (1ull << 13)
#define RTE_DEST_LOGICAL (1ull << 11)
/* writable: vector, delivery mode, dest mode, polarity, trigger, mask, destination */
#define RTE_WRITABLE    (0xff00000000000000ull | RTE_MASKED | RTE_LEVEL | RTE_POLARITY \
                         | RTE_DEST_LOGICAL | 0x7ffull)

struct ioapic {
    struct apic_bus *apics;
    uint8_t id, id_poweron;
    uint8_t sel;
    uint32_t level;             /* pin levels */
    uint64_t rte[IOAPIC_PINS];
};

static void ioapic_deliver(struct ioapic *s, int pin)
{
    uint64_t e = s->rte[pin];
    struct apic_msg m = {
        .dest = (uint32_t)(e >> 56),
        .logical = e & RTE_DEST_LOGICAL,
        .mode = (e >> 8) & 7,
        .vector = e & 0xff,
        .level = e & RTE_LEVEL,
        .assert = true,
        .shorthand = APIC_DEST_NO_SHORTHAND,
    };

    if (log_on(LOG_INT))
        log_printf("ioapic: pin %d -> vector 0x%02x dest 0x%02x%s\n", pin, m.vector, m.dest,
                   m.logical ? " logical" : "");
    apic_bus_deliver(s->apics, &m);
}

/* Deliver what the level-triggered pins have pending now. */
static void ioapic_service(struct ioapic *s)
{
    for (int i = 0; i < IOAPIC_PINS; i++) {
        uint64_t e = s->rte[i];
        if ((e & (RTE_MASKED | RTE_LEVEL | RTE_REMOTE_IRR)) == RTE_LEVEL && (s->level >> i & 1)) {
            s->rte[i] |= RTE_REMOTE_IRR;
            ioapic_deliver(s, i);
        }
    }
}

static void ioapic_set_irq(void *opaque, int n, int level)
{
    struct ioapic *s = opaque;
    uint32_t bit = 1u << n;
    bool was = s->level & bit;

    if (level)
        s->level |= bit;
    else
        s->level &= ~bit;
    if (!(s->rte[n] & (RTE_LEVEL | RTE_MASKED)) && level && !was)
        ioapic_deliver(s, n);
    ioapic_service(s);
}

struct irq_line ioapic_pin(struct ioapic *s, int n)
{
    if (n < 0 || n >= IOAPIC_PINS)
        abort();
    return (struct irq_line){ .set = ioapic_set_irq, .opaque = s, .n = n };
}

/* EOI for vector: level pins with that vector leave Remote IRR. */
static void ioapic_eoi(void *opaque, uint8_t vector)
{
    struct ioapic *s = opaque;

    for (int i = 0; i < IOAPIC_PINS; i++)
        if ((s->rte[i] & 0xff) == vector && (s->rte[i] & RTE_LEVEL))
            s->rte[i] &= ~RTE_REMOTE_IRR;
    ioapic_service(s);
}

static uint32_t ioapic_reg_read(struct ioapic *s)
{
    switch (s->sel) {
    case IOAPIC_REG_ID:
    case IOAPIC_REG_ARB:
        return (uint32_t)s->id << 24;
    case IOAPIC_REG_VER:
        return ((IOAPIC_PINS - 1u) << 16) | IOAPIC_VERSION;
    default:
        if (s->sel >= IOAPIC_REG_REDTBL && s->sel < IOAPIC_REG_REDTBL + 2 * IOAPIC_PINS) {
            uint64_t e = s->rte[(s->sel - IOAPIC_REG_REDTBL) / 2];
            return (s->sel & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
        }
        return 0xffffffffu;    /* no register there */
    }
}

static void ioapic_reg_write(struct ioapic *s, uint32_t v)
{
    if (s->sel == IOAPIC_REG_ID) {
        s->id = (v >> 24) & 0xf;
        return;
    }
    if (s->sel < IOAPIC_REG_REDTBL || s->sel >= IOAPIC_REG_REDTBL + 2 * IOAPIC_PINS)
        return;     /* read-only or absent */
    int pin = (s->sel - IOAPIC_REG_REDTBL) / 2;
    uint64_t e = s->rte[pin], keep = e & ~RTE_WRITABLE;
    if (s->sel & 1)
        e = (e & 0xffffffffull) | ((uint64_t)v << 32);
    else
        e = (e & 0xffffffff00000000ull) | v;
    e = (e & RTE_WRITABLE) | (keep & RTE_REMOTE_IRR);
    if (!(e & RTE_LEVEL))
        e &= ~RTE_REMOTE_IRR;   /* Remote IRR is meaningless for edge pins */
    s->rte[pin] = e;
    ioapic_service(s);
}

static uint64_t ioapic_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct ioapic *s = opaque;

    switch (off) {
    case IOAPIC_IOREGSEL: return s->sel;
    case IOAPIC_IOWIN: return ioapic_reg_read(s);
    default: return 0;
    }
}

static void ioapic_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct ioapic *s = opaque;

    switch (off) {
    case IOAPIC_IOREGSEL: s->sel = (uint8_t)val; break;
    case IOAPIC_IOWIN: ioapic_reg_write(s, (uint32_t)val); break;
    case IOAPIC_EOI: ioapic_eoi(s, (uint8_t)val); break;
    default: break;
    }
}

static const struct dev_ops ioapic_ops = {
    .read = ioapic_mmio_read, .write = ioapic_mmio_write, .min_size = 4, .max_size = 4,
};

void ioapic_reset(struct ioapic *s)
{
    s->id = s->id_poweron;
    s->sel = 0;
    for (int i = 0; i < IOAPIC_PINS; i++)
        s->rte[i] = RTE_MASKED;
}

struct ioapic *ioapic_new(struct bus *bus, uint64_t base, uint8_t id, struct apic_bus *apics)
{
    struct ioapic *s = calloc(1, sizeof *s);

    if (!s)
        abort();
    s->apics = apics;
    s->id = s->id_poweron = id;
    if (bus_map_mmio(bus, base, 0x1000, &ioapic_ops, s, "ioapic") < 0) {
        free(s);
        return NULL;
    }
    apic_bus_set_eoi_listener(apics, ioapic_eoi, s);
    ioapic_reset(s);
    return s;
}

void ioapic_free(struct ioapic *s)
{
    free(s);
}
