/* hw/input/i8042.h: the PS/2 keyboard controller (see i8042.c). */
#ifndef SATORI_I8042_H
#define SATORI_I8042_H

#include "hw/hw.h"

struct i8042;

/*
 * Map the controller at 0x60 and 0x64 on bus (NULL for unit tests).
 * irq1: keyboard output buffer full; irq12: mouse output buffer full.
 * NULL if a port is taken.
 */
struct i8042 *i8042_new(struct bus *bus, struct irq_line irq1, struct irq_line irq12);
void i8042_free(struct i8042 *k);
void i8042_reset(struct i8042 *k);

/*
 * Host keyboard input (at slice boundaries): one scan code byte of set 1
 * (make, break = make | 0x80, 0xE0 prefixes), the codes the PC sees with
 * the controller's translation on, which is how firmware and Linux run it.
 * Dropped while the keyboard is disabled or its queue is full.
 */
void i8042_put_scancode(struct i8042 *k, uint8_t code);

/* The A20 gate as the output port holds it (bit 1). */
bool i8042_a20(const struct i8042 *k);

/* Port access for tests and the bus: port 0x60 or 0x64. */
uint8_t i8042_port_read(struct i8042 *k, uint16_t port);
void i8042_port_write(struct i8042 *k, uint16_t port, uint8_t v);

#endif
