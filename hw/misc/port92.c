/*
 * hw/misc/port92.c: system control port A at 0x92 (the PS/2 "fast A20
 * and reset" port, as the PIIX and QEMU's port92 device have it).
 *
 * Bit 1 is the fast A20 gate, bit 0 the fast reset: writing 1 to bit 0
 * when it was 0 resets the machine (machine_request_reset); bit 0 reads
 * back as 0.  The other bits are stored and read back (as QEMU).
 *
 * Deviations: the port reads 0x02 at power-on, A20 enabled as a BIOS
 * leaves it (QEMU's device starts at 0 and SeaBIOS then enables A20
 * through it, so a guest under QEMU reads 0x02 too).  The A20 gate is
 * tracked but guest memory is never masked: satori's bus has no A20 line
 * (QEMU also starts with A20 enabled).
 */
#include "hw/misc/port92.h"

#include <stdlib.h>

#define PORT92_RESET 0x01
#define PORT92_A20   0x02

struct port92 {
    uint8_t v;
};

uint8_t port92_read(struct port92 *p)
{
    return p->v;
}

void port92_write(struct port92 *p, uint8_t v)
{
    uint8_t old = p->v;

    p->v = v & (uint8_t)~PORT92_RESET;
    if ((v & PORT92_RESET) && !(old & PORT92_RESET))
        machine_request_reset();
}

bool port92_a20(const struct port92 *p)
{
    return p->v & PORT92_A20;
}

static uint64_t port92_io_read(void *opaque, uint64_t off, unsigned size)
{
    return port92_read(opaque);
}

static void port92_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    port92_write(opaque, (uint8_t)val);
}

static const struct dev_ops port92_ops = {
    .read = port92_io_read, .write = port92_io_write, .min_size = 1, .max_size = 1,
};

void port92_reset(struct port92 *p)
{
    p->v = PORT92_A20;
}

struct port92 *port92_new(struct bus *bus)
{
    struct port92 *p = calloc(1, sizeof *p);

    if (!p)
        abort();
    port92_reset(p);
    if (bus && bus_map_io(bus, 0x92, 1, &port92_ops, p, "port92") < 0) {
        free(p);
        return NULL;
    }
    return p;
}

void port92_free(struct port92 *p)
{
    free(p);
}
