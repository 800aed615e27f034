/* hw/char/uart16550.h: the 16550A UART model (see uart16550.c). */
#ifndef SATORI_UART16550_H
#define SATORI_UART16550_H

#include "hw/hw.h"

struct uart16550;

/* Map at `base` (8 ports) on bus (may be NULL for tests); NULL on overlap. */
struct uart16550 *uart16550_new(struct bus *bus, uint16_t base, struct irq_line irq,
                                void (*tx)(void *opaque, uint8_t c), void *tx_opaque);
void uart16550_free(struct uart16550 *u);
void uart16550_reset(struct uart16550 *u);
/* Host input: deliver one received character (at slice boundaries). */
bool uart16550_can_receive(const struct uart16550 *u);
void uart16550_receive(struct uart16550 *u, uint8_t c);
/* Register access for unit tests (reg 0..7). */
uint64_t uart16550_io_read(struct uart16550 *u, unsigned reg);
void uart16550_io_write(struct uart16550 *u, unsigned reg, uint8_t v);

#endif
