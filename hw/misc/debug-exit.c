/*
 * hw/misc/debug-exit.c: QEMU's isa-debug-exit device.  A write of value v
 * asks the machine to exit with status (v << 1) | 1; reads return 0.
 */
#include "hw/pc/pc.h"

#include <stdlib.h>

struct debug_exit {
    unsigned size;
};

static uint64_t debug_exit_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static void debug_exit_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    uint64_t mask = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;

    machine_request_exit((int)(((val & mask) << 1) | 1));
}

static const struct dev_ops debug_exit_ops = {
    .read = debug_exit_read, .write = debug_exit_write, .min_size = 1, .max_size = 4,
};

int debug_exit_new(struct bus *bus, uint16_t iobase, uint16_t iosize)
{
    static struct debug_exit dev;

    dev.size = iosize;
    return bus_map_io(bus, iobase, iosize, &debug_exit_ops, &dev, "isa-debug-exit");
}
