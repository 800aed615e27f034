/* hw/misc/port92.h: system control port A at 0x92 (see port92.c). */
#ifndef SATORI_PORT92_H
#define SATORI_PORT92_H

#include "hw/hw.h"

struct port92;

/* Map port 0x92 on bus (NULL for unit tests); NULL if it is taken. */
struct port92 *port92_new(struct bus *bus);
void port92_free(struct port92 *p);
void port92_reset(struct port92 *p);
/* The fast A20 gate (bit 1). */
bool port92_a20(const struct port92 *p);
uint8_t port92_read(struct port92 *p);
void port92_write(struct port92 *p, uint8_t v);

#endif
