/*
 * hw/ public interface: the bus core (guest RAM, MMIO and port-I/O dispatch),
 * IRQ lines, and the board (machine creation, reset/shutdown requests).
 *
 * Devices register one const ops struct per range; overlapping ranges are
 * an error (bus_map_* returns -1).  The CPU reaches RAM through host
 * pointers (hw_ram_page) and everything else through hw_mmio_* / hw_io_*.
 */
#ifndef SATORI_HW_H
#define SATORI_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- device ops --------------------------------------------------------- */

struct dev_ops {
    /* off is relative to the mapped base; size is 1, 2, 4 or 8. */
    uint64_t (*read)(void *opaque, uint64_t off, unsigned size);
    void (*write)(void *opaque, uint64_t off, uint64_t val, unsigned size);
    unsigned min_size, max_size; /* accepted access sizes; others split */
};

/* ---- IRQ lines (TinyEMU style: a small value) -------------------------- */

struct irq_line {
    void (*set)(void *opaque, int n, int level);
    void *opaque;
    int n;
};

static inline void irq_set(const struct irq_line *l, int level)
{
    if (l && l->set)
        l->set(l->opaque, l->n, level);
}

/* ---- address space ------------------------------------------------------ */

struct bus;

struct bus *bus_new(void);
void bus_free(struct bus *b);

/* Map a device range; returns 0, or -1 if it overlaps an existing range. */
int bus_map_mmio(struct bus *b, uint64_t base, uint64_t len,
                 const struct dev_ops *ops, void *opaque, const char *name);
int bus_map_io(struct bus *b, uint16_t base, uint32_t len,
               const struct dev_ops *ops, void *opaque, const char *name);
/*
 * Remove the MMIO / port range mapped at base for opaque (PCI BARs move
 * when the guest reprograms them); returns 0, or -1 if there is none.
 */
int bus_unmap_mmio(struct bus *b, uint64_t base, void *opaque);
int bus_unmap_io(struct bus *b, uint16_t base, void *opaque);
/* Is anything mapped at this port / address?  (The board's ACPI tables
 * describe only the devices that exist.) */
bool bus_io_claimed(struct bus *b, uint16_t port);
bool bus_mmio_claimed(struct bus *b, uint64_t paddr);
/* Map host memory as guest RAM (or ROM when readonly); -1 on overlap. */
int bus_map_ram(struct bus *b, uint64_t base, uint64_t len, void *host,
                bool readonly, const char *name);

enum ram_kind { RAM_NONE = 0, RAM_RW, RAM_ROM };

/*
 * Host pointer for the 4 KiB guest-physical page holding paddr (page
 * aligned), or NULL when the page is not RAM/ROM.  *kind says which.
 */
uint8_t *bus_ram_page(struct bus *b, uint64_t paddr, enum ram_kind *kind);

/* MMIO/port access to whatever is mapped; unmapped reads give all-ones. */
uint64_t bus_mmio_read(struct bus *b, uint64_t paddr, unsigned size);
void bus_mmio_write(struct bus *b, uint64_t paddr, uint64_t val, unsigned size);
uint32_t bus_io_read(struct bus *b, uint16_t port, unsigned size);
void bus_io_write(struct bus *b, uint16_t port, uint32_t val, unsigned size);

/*
 * Physical copy helpers for loaders, DMA and hyperv/: they go through RAM
 * only and call the code-write hook so translated code is invalidated.
 * Return 0, or -1 if part of the range is not RAM.
 */
int bus_phys_read(struct bus *b, uint64_t paddr, void *buf, size_t len);
int bus_phys_write(struct bus *b, uint64_t paddr, const void *buf, size_t len);

/* Called for every non-CPU write into RAM (DMA, loaders, hyperv pages). */
typedef void (*code_write_hook)(void *opaque, uint64_t paddr, size_t len);
void bus_set_code_write_hook(struct bus *b, code_write_hook fn, void *opaque);

/* Human-readable map for -d / monitor (one line per range). */
void bus_dump(struct bus *b, void (*print)(void *ctx, const char *line), void *ctx);

/* ---- -global DRIVER.PROP=VALUE (hw/globals.c) ------------------------- */

/*
 * Record "DRIVER.PROP=VALUE": 0, or -1 with err saying what is wrong and
 * listing the drivers/properties that exist.
 */
int global_set(const char *arg, char *err, size_t errlen);
/* The -global value for driver.prop, or NULL when none was given. */
const char *global_get(const char *driver, const char *prop);
void globals_clear(void);

/* ---- board requests (single-threaded; acted on at slice boundaries) ---- */

enum machine_action { ACTION_SHUTDOWN, ACTION_PAUSE, ACTION_NONE };

/* Guest asked to leave: exit satori with this status (isa-debug-exit, ...). */
void machine_request_exit(int status);
/* Guest (or a triple fault without -no-reboot) asked for a system reset. */
void machine_request_reset(void);
/* Guest reported a panic (Hyper-V crash MSRs: params P0..P4, or NULL when
 * hv-crash is off); reported on stderr, handled per -action panic=. */
void machine_report_panic(const uint64_t params[5]);
/* True once any request is pending; the CPU loop stops at the next boundary. */
bool machine_request_pending(void);

#endif
