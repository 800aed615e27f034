/*
 * tests/test-intc.c: unit tests for hw/intc and the CPU's INIT/SIPI
 * interface: 8259A behaviour a guest cannot provoke on one CPU (spurious
 * IRQ 7 and 15, rotation, special mask and special fully nested modes),
 * the IOAPIC taking only rising edges, and INIT/STARTUP, all-but-self and
 * lowest-priority IPIs between two local APICs on the APIC bus.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu-internal.h"
#include "hw/hw.h"
#include "hw/intc/intc.h"
#include "timers/timers.h"
#include "tests/unit.h"

int failures;

/* ---- 8259A pair ---------------------------------------------------------- */

static int intr_level;
static void intr_set(void *o, int n, int level) { intr_level = level; }

struct pic_rig {
    struct bus *bus;
    struct i8259 *pic;
};

static void pic_rig_init(struct pic_rig *r)
{
    r->bus = bus_new();
    r->pic = i8259_new(r->bus, (struct irq_line){ .set = intr_set });
    /* as a BIOS: vectors 0x08 / 0x70, cascade on IR2, 8086 mode */
    static const uint8_t seq[][2] = {
        { 0x20, 0x11 }, { 0x21, 0x08 }, { 0x21, 0x04 }, { 0x21, 0x01 },
        { 0xa0, 0x11 }, { 0xa1, 0x70 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
    };
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++)
        bus_io_write(r->bus, seq[i][0], seq[i][1], 1);
}

static void pic_rig_free(struct pic_rig *r)
{
    i8259_free(r->pic);
    bus_free(r->bus);
}

static void irq(struct pic_rig *r, int n, int level)
{
    struct irq_line l = i8259_pin(r->pic, n);
    irq_set(&l, level);
}

static uint8_t isr(struct pic_rig *r, uint16_t port)
{
    bus_io_write(r->bus, port, 0x0b, 1);
    return (uint8_t)bus_io_read(r->bus, port, 1);
}

static void pic_vectors_and_cascade(void)
{
    struct pic_rig r;

    pic_rig_init(&r);
    irq(&r, 1, 1);
    CHECK(intr_level == 1, "IRQ 1 raises INT");
    irq(&r, 12, 1);
    CHECK(i8259_ack(r.pic) == 0x09, "IRQ 1 first (higher priority)");
    CHECK(intr_level == 0, "IRQ 1 in service holds the cascade back");
    bus_io_write(r.bus, 0x20, 0x20, 1);
    CHECK(intr_level == 1, "after its EOI the cascade asks");
    CHECK(i8259_ack(r.pic) == 0x74, "then IRQ 12 through the cascade");
    CHECK(isr(&r, 0x20) == 0x04 && isr(&r, 0xa0) == 0x10, "ISR master IR2, slave IR4");
    bus_io_write(r.bus, 0xa0, 0x20, 1);
    bus_io_write(r.bus, 0x20, 0x20, 1);
    CHECK(isr(&r, 0x20) == 0 && isr(&r, 0xa0) == 0, "non-specific EOIs to both");
    pic_rig_free(&r);
}

static void pic_special_fully_nested(void)
{
    struct pic_rig r;

    pic_rig_init(&r);
    irq(&r, 12, 1);
    CHECK(i8259_ack(r.pic) == 0x74, "IRQ 12");
    irq(&r, 9, 1);
    CHECK(intr_level == 0, "fully nested: IR2 in service holds IRQ 9 back");
    pic_rig_free(&r);

    pic_rig_init(&r);
    bus_io_write(r.bus, 0x20, 0x11, 1);        /* the master again, with ICW4.SFNM */
    bus_io_write(r.bus, 0x21, 0x08, 1);
    bus_io_write(r.bus, 0x21, 0x04, 1);
    bus_io_write(r.bus, 0x21, 0x11, 1);
    irq(&r, 12, 1);
    CHECK(i8259_ack(r.pic) == 0x74, "IRQ 12 in service (SFNM)");
    irq(&r, 9, 1);
    CHECK(intr_level == 1, "special fully nested: the higher slave IRQ 9 passes IR2");
    CHECK(i8259_ack(r.pic) == 0x71, "IRQ 9 nests in IRQ 12");
    irq(&r, 13, 1);
    CHECK(intr_level == 0, "the slave still orders its own: IRQ 13 waits");
    pic_rig_free(&r);
}

static void pic_spurious(void)
{
    struct pic_rig r;

    pic_rig_init(&r);
    bus_io_write(r.bus, 0x4d0, 0x08, 1);       /* IRQ 3 level */
    irq(&r, 3, 1);
    CHECK(intr_level == 1, "level IRQ 3 raises INT");
    irq(&r, 3, 0);                              /* gone before the INTA */
    CHECK(i8259_ack(r.pic) == 0x0f, "spurious IRQ 7 at base + 7");
    CHECK(isr(&r, 0x20) == 0, "a spurious IRQ 7 sets no ISR bit");
    bus_io_write(r.bus, 0x4d1, 0x08, 1);       /* IRQ 11 level */
    irq(&r, 11, 1);
    irq(&r, 11, 0);                             /* the master latched IR2's edge */
    CHECK(i8259_ack(r.pic) == 0x77, "spurious IRQ 15 from the slave");
    CHECK(isr(&r, 0xa0) == 0 && isr(&r, 0x20) == 0x04, "master IR2 in service, slave ISR empty");
    pic_rig_free(&r);
}

static void pic_rotation_and_special_mask(void)
{
    struct pic_rig r;

    pic_rig_init(&r);
    irq(&r, 3, 1);
    irq(&r, 5, 1);
    CHECK(i8259_ack(r.pic) == 0x0b, "IRQ 3");
    bus_io_write(r.bus, 0x20, 0xa0, 1);        /* rotate on non-specific EOI: 3 lowest */
    irq(&r, 3, 0);
    irq(&r, 3, 1);
    CHECK(i8259_ack(r.pic) == 0x0d, "after rotation IRQ 5 beats IRQ 3");
    bus_io_write(r.bus, 0x20, 0x65, 1);        /* specific EOI 5 */
    CHECK(isr(&r, 0x20) == 0, "specific EOI");
    bus_io_write(r.bus, 0x20, 0xc7, 1);        /* set priority: 7 lowest, 0 highest */
    CHECK(i8259_ack(r.pic) == 0x0b, "IRQ 3 again");
    /* IRQ 3 in service blocks IRQ 5; special mask mode with IR3 masked lets it in */
    irq(&r, 5, 0);
    irq(&r, 5, 1);
    CHECK(intr_level == 0, "IRQ 5 held by IRQ 3 in service");
    bus_io_write(r.bus, 0x21, 0x08, 1);
    bus_io_write(r.bus, 0x20, 0x68, 1);        /* OCW3: set special mask */
    CHECK(intr_level == 1, "special mask mode: IRQ 5 passes");
    CHECK(i8259_ack(r.pic) == 0x0d, "IRQ 5 taken");
    bus_io_write(r.bus, 0x20, 0x48, 1);        /* reset special mask */
    pic_rig_free(&r);
}

/* ---- APIC bus: two vCPUs ------------------------------------------------- */

static uint64_t icount_src(void *o) { return cpu_icount(o); }

static void apics_init_sipi_and_edges(void)
{
    struct cpu_config cc = { 0 };
    char err[256];
    struct bus *bus = bus_new();

    vclock_init(VCLOCK_ICOUNT, 0, VCLOCK_DEFAULT_TSC_HZ);
    CHECK(cpu_config_model(&cc, "qemu64", err, sizeof err) == 0, "model: %s", err);
    struct cpu *c0 = cpu_new(bus, &cc, 0), *c1 = cpu_new(bus, &cc, 1);
    vclock_set_icount_source(icount_src, c0);
    struct apic_bus *ab = apic_bus_new();
    struct lapic *a0 = lapic_new(ab, c0, 0, true), *a1 = lapic_new(ab, c1, 1, false);
    lapic_write_reg(a0, 0xf0, 0x1ff);
    lapic_write_reg(a1, 0xf0, 0x1ff);

    /* INIT then STARTUP to APIC 1, as the BSP brings up an AP */
    struct apic_msg init = { .dest = 1, .mode = APIC_DM_INIT, .level = true, .assert = true, .src = a0 };
    apic_bus_deliver(ab, &init);
    CHECK(cpu_waiting_for_sipi(c1), "INIT: the AP waits for SIPI");
    CHECK(cpu_idle(c1), "waiting for SIPI is idle");
    CHECK(!cpu_waiting_for_sipi(c0), "the BSP was not addressed");
    struct apic_msg sipi = { .dest = 1, .mode = APIC_DM_STARTUP, .vector = 0x9a, .src = a0 };
    apic_bus_deliver(ab, &sipi);
    CHECK(!cpu_waiting_for_sipi(c1) && !cpu_halted(c1), "STARTUP starts it");
    CHECK(c1->seg[SEG_CS].sel == 0x9a00 && c1->seg[SEG_CS].base == 0x9a000 && c1->rip == 0,
          "CS:IP = 9a00:0000 (%x %llx %llx)", c1->seg[SEG_CS].sel,
          (unsigned long long)c1->seg[SEG_CS].base, (unsigned long long)c1->rip);
    c1->rip = 0x1234;
    cpu_sipi(c1, 0x10);
    CHECK(c1->rip == 0x1234, "a second STARTUP is ignored");
    cpu_init_signal(c0);
    CHECK(!cpu_waiting_for_sipi(c0) && c0->rip == 0xfff0 && c0->seg[SEG_CS].sel == 0xf000,
          "INIT on the BSP: reset vector");

    /* IPIs between the two: all-but-self, lowest priority by TPR */
    lapic_write_reg(a1, 0xf0, 0x1ff);   /* INIT left APIC 1 software-disabled */
    lapic_write_reg(a0, 0x310, 0);
    lapic_write_reg(a0, 0x300, 0xc0000 | 0x61);     /* all excluding self */
    CHECK(!c0->intr_line && c1->intr_line, "all-but-self reaches only APIC 1");
    CHECK(c1->intc.ack(c1->intc.opaque) == 0x61, "APIC 1 takes vector 0x61");
    lapic_write_reg(a1, 0xb0, 0);
    lapic_write_reg(a0, 0x80, 0x20);
    lapic_write_reg(a1, 0x80, 0x10);
    lapic_write_reg(a0, 0xd0, 0x01000000);
    lapic_write_reg(a1, 0xd0, 0x02000000);
    lapic_write_reg(a0, 0x310, 0x03000000);
    lapic_write_reg(a0, 0x300, 0x900 | 0x62);        /* lowest priority, logical 0x03 */
    CHECK(!c0->intr_line && c1->intr_line, "lowest priority goes to the lower TPR");
    CHECK(c1->intc.ack(c1->intc.opaque) == 0x62, "vector 0x62 at APIC 1");
    lapic_write_reg(a1, 0xb0, 0);
    lapic_write_reg(a0, 0x80, 0);
    lapic_write_reg(a1, 0x80, 0);

    /* IOAPIC: one interrupt per rising edge, none for a raise of a high line */
    struct ioapic *io = ioapic_new(bus, IOAPIC_DEFAULT_BASE, 0, ab);
    bus_mmio_write(bus, IOAPIC_DEFAULT_BASE, 0x18, 4);          /* pin 4 low dword */
    bus_mmio_write(bus, IOAPIC_DEFAULT_BASE + 0x10, 0x64, 4);   /* vector 0x64, edge, APIC 0 */
    struct irq_line pin = ioapic_pin(io, 4);
    irq_set(&pin, 1);
    irq_set(&pin, 1);
    CHECK(c0->intr_line, "edge delivered to APIC 0");
    CHECK(c0->intc.ack(c0->intc.opaque) == 0x64, "vector 0x64");
    CHECK(c0->intc.ack(c0->intc.opaque) == -1 || !c0->intr_line, "a second raise is no edge");
    ioapic_free(io);
    lapic_free(a1);
    lapic_free(a0);
    apic_bus_free(ab);
    cpu_free(c1);
    cpu_free(c0);
    bus_free(bus);
}

int main(void)
{
    pic_vectors_and_cascade();
    pic_spurious();
    pic_special_fully_nested();
    pic_rotation_and_special_mask();
    apics_init_sipi_and_edges();
    if (failures)
        printf("%d failure(s)\n", failures);
    return failures != 0;
}
