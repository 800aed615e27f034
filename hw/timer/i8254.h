/* hw/timer/i8254.h: the 8254 PIT and port 0x61 (see i8254.c). */
#ifndef SATORI_I8254_H
#define SATORI_I8254_H

#include "hw/hw.h"

#define PIT_FREQ_HZ 1193182u   /* input clock of the PC's 8254 */

struct pit;

/*
 * Map the PIT at 0x40-0x43 and port 0x61 on bus (NULL for unit tests).
 * irq0 receives counter 0's OUT: irq_set(irq0, level) at every change.
 * NULL if a port is already taken.
 */
struct pit *pit_new(struct bus *bus, struct irq_line irq0);
void pit_free(struct pit *p);
/* Power-on state: all counters in mode 0 with no count, gate 2 low. */
void pit_reset(struct pit *p);
/*
 * Connect or disconnect counter 0's OUT from irq0 (HPET legacy
 * replacement takes IRQ 0 over); shaped as an irq_line handler so the
 * board can wire the HPET's "PIT enable" output to it: level 1 = enabled.
 */
void pit_irq_enable(void *pit, int n, int level);

/* Register access for unit tests and the bus: port 0x40..0x43, 0x61. */
uint8_t pit_port_read(struct pit *p, uint16_t port);
void pit_port_write(struct pit *p, uint16_t port, uint8_t v);
/* Counter n's OUT pin now (for tests). */
int pit_out(struct pit *p, int n);

#endif
