/*
 * hw/bus.c: the bus core.  Guest-physical RAM/ROM regions, MMIO ranges and
 * port-I/O ranges, each a sorted list; overlapping maps are refused.
 * Accesses to nothing read all-ones and are logged under -d guest_errors.
 */
#include "hw/hw.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

struct range {
    uint64_t base, len;
    const struct dev_ops *ops;
    void *opaque;
    uint8_t *host;          /* RAM/ROM only */
    bool readonly;
    const char *name;
};

struct range_list {
    struct range *r;
    int n, cap;
};

struct bus {
    struct range_list ram, mmio, io;
    /* a copy of the RAM range bus_ram_page() found last (RAM ranges are
     * never unmapped or changed; len 0: none): the page walk and the TLB
     * fill ask for the same few ranges over and over */
    struct range ram_hit;
    code_write_hook hook;
    void *hook_opaque;
};

struct bus *bus_new(void)
{
    struct bus *b = calloc(1, sizeof *b);

    if (!b)
        abort();
    return b;
}

void bus_free(struct bus *b)
{
    if (!b)
        return;
    free(b->ram.r);
    free(b->mmio.r);
    free(b->io.r);
    free(b);
}

static bool overlaps(const struct range_list *l, uint64_t base, uint64_t len)
{
    for (int i = 0; i < l->n; i++)
        if (base < l->r[i].base + l->r[i].len && l->r[i].base < base + len)
            return true;
    return false;
}

static int list_add(struct range_list *l, struct range r)
{
    int i;

    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->r = realloc(l->r, (size_t)l->cap * sizeof *l->r);
        if (!l->r)
            abort();
    }
    for (i = l->n; i > 0 && l->r[i - 1].base > r.base; i--)
        l->r[i] = l->r[i - 1];
    l->r[i] = r;
    l->n++;
    return 0;
}

static const struct range *list_find(const struct range_list *l, uint64_t addr)
{
    int lo = 0, hi = l->n - 1;

    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const struct range *r = &l->r[mid];
        if (addr < r->base)
            hi = mid - 1;
        else if (addr >= r->base + r->len)
            lo = mid + 1;
        else
            return r;
    }
    return NULL;
}

int bus_map_mmio(struct bus *b, uint64_t base, uint64_t len,
                 const struct dev_ops *ops, void *opaque, const char *name)
{
    if (!len || overlaps(&b->mmio, base, len) || overlaps(&b->ram, base, len))
        return -1;
    return list_add(&b->mmio, (struct range){ base, len, ops, opaque, NULL, false, name });
}

int bus_map_io(struct bus *b, uint16_t base, uint32_t len,
               const struct dev_ops *ops, void *opaque, const char *name)
{
    if (!len || (uint32_t)base + len > 0x10000 || overlaps(&b->io, base, len))
        return -1;
    return list_add(&b->io, (struct range){ base, len, ops, opaque, NULL, false, name });
}

static int list_remove(struct range_list *l, uint64_t base, void *opaque)
{
    for (int i = 0; i < l->n; i++) {
        if (l->r[i].base == base && l->r[i].opaque == opaque) {
            memmove(&l->r[i], &l->r[i + 1], (size_t)(l->n - i - 1) * sizeof *l->r);
            l->n--;
            return 0;
        }
    }
    return -1;
}

int bus_unmap_mmio(struct bus *b, uint64_t base, void *opaque)
{
    return list_remove(&b->mmio, base, opaque);
}

int bus_unmap_io(struct bus *b, uint16_t base, void *opaque)
{
    return list_remove(&b->io, base, opaque);
}

bool bus_io_claimed(struct bus *b, uint16_t port)
{
    return list_find(&b->io, port) != NULL;
}

bool bus_mmio_claimed(struct bus *b, uint64_t paddr)
{
    return list_find(&b->mmio, paddr) != NULL;
}

int bus_map_ram(struct bus *b, uint64_t base, uint64_t len, void *host,
                bool readonly, const char *name)
{
    if (!len || (base | len) & 0xfff || overlaps(&b->ram, base, len)
        || overlaps(&b->mmio, base, len))
        return -1;
    return list_add(&b->ram, (struct range){ base, len, NULL, NULL, host, readonly, name });
}

uint8_t *bus_ram_page(struct bus *b, uint64_t paddr, enum ram_kind *kind)
{
    const struct range *r = &b->ram_hit;

    if (paddr - r->base >= r->len) {
        r = list_find(&b->ram, paddr);
        if (!r) {
            *kind = RAM_NONE;
            return NULL;
        }
        b->ram_hit = *r;
    }
    *kind = r->readonly ? RAM_ROM : RAM_RW;
    return r->host + ((paddr & ~0xfffull) - r->base);
}

/* Dispatch one access to a device, splitting sizes it does not accept. */
static uint64_t dev_read(const struct range *r, uint64_t off, unsigned size)
{
    unsigned max = r->ops->max_size ? r->ops->max_size : 8;
    unsigned min = r->ops->min_size ? r->ops->min_size : 1;

    if (!r->ops->read)
        return ~0ull >> (64 - size * 8);
    if (size > max) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i += max)
            v |= dev_read(r, off + i, max) << (i * 8);
        return v;
    }
    if (size < min) {
        uint64_t aligned = off & ~(uint64_t)(min - 1);
        uint64_t v = r->ops->read(r->opaque, aligned, min);
        return (v >> ((off - aligned) * 8)) & (~0ull >> (64 - size * 8));
    }
    return r->ops->read(r->opaque, off, size);
}

static void dev_write(const struct range *r, uint64_t off, uint64_t val, unsigned size)
{
    unsigned max = r->ops->max_size ? r->ops->max_size : 8;

    if (!r->ops->write)
        return;
    if (size > max) {
        for (unsigned i = 0; i < size; i += max)
            dev_write(r, off + i, val >> (i * 8), max);
        return;
    }
    r->ops->write(r->opaque, off, val, size);
}

uint64_t bus_mmio_read(struct bus *b, uint64_t paddr, unsigned size)
{
    const struct range *r = list_find(&b->mmio, paddr);

    if (!r) {
        if (log_on(LOG_GUEST_ERRORS))
            log_printf("mmio read of unmapped 0x%llx (size %u)\n", (unsigned long long)paddr, size);
        return ~0ull >> (64 - size * 8);
    }
    return dev_read(r, paddr - r->base, size);
}

void bus_mmio_write(struct bus *b, uint64_t paddr, uint64_t val, unsigned size)
{
    const struct range *r = list_find(&b->mmio, paddr);

    if (!r) {
        if (log_on(LOG_GUEST_ERRORS))
            log_printf("mmio write of unmapped 0x%llx (size %u)\n", (unsigned long long)paddr, size);
        return;
    }
    dev_write(r, paddr - r->base, val, size);
}

uint32_t bus_io_read(struct bus *b, uint16_t port, unsigned size)
{
    const struct range *r = list_find(&b->io, port);

    if (!r) {
        if (log_on(LOG_GUEST_ERRORS))
            log_printf("in from unmapped port 0x%x (size %u)\n", port, size);
        return (uint32_t)(~0ull >> (64 - size * 8));
    }
    return (uint32_t)dev_read(r, port - r->base, size);
}

void bus_io_write(struct bus *b, uint16_t port, uint32_t val, unsigned size)
{
    const struct range *r = list_find(&b->io, port);

    if (!r) {
        if (log_on(LOG_GUEST_ERRORS))
            log_printf("out to unmapped port 0x%x (size %u)\n", port, size);
        return;
    }
    dev_write(r, port - r->base, val, size);
}

static int phys_copy(struct bus *b, uint64_t paddr, void *buf, size_t len, bool write)
{
    uint8_t *p = buf;

    while (len) {
        enum ram_kind kind;
        uint8_t *page = bus_ram_page(b, paddr, &kind);
        size_t off = paddr & 0xfff, n = 0x1000 - off;

        if (n > len)
            n = len;
        if (!page || (write && kind != RAM_RW && kind != RAM_ROM))
            return -1;
        if (write) {
            memcpy(page + off, p, n);
            if (b->hook)
                b->hook(b->hook_opaque, paddr, n);
        } else {
            memcpy(p, page + off, n);
        }
        paddr += n;
        p += n;
        len -= n;
    }
    return 0;
}

int bus_phys_read(struct bus *b, uint64_t paddr, void *buf, size_t len)
{
    return phys_copy(b, paddr, buf, len, false);
}

int bus_phys_write(struct bus *b, uint64_t paddr, const void *buf, size_t len)
{
    return phys_copy(b, paddr, (void *)buf, len, true);
}

void bus_set_code_write_hook(struct bus *b, code_write_hook fn, void *opaque)
{
    b->hook = fn;
    b->hook_opaque = opaque;
}

void bus_dump(struct bus *b, void (*print)(void *ctx, const char *line), void *ctx)
{
    char line[160];

    for (int i = 0; i < b->ram.n; i++) {
        snprintf(line, sizeof line, "%016llx-%016llx %s %s",
                 (unsigned long long)b->ram.r[i].base,
                 (unsigned long long)(b->ram.r[i].base + b->ram.r[i].len - 1),
                 b->ram.r[i].readonly ? "rom " : "ram ", b->ram.r[i].name);
        print(ctx, line);
    }
    for (int i = 0; i < b->mmio.n; i++) {
        snprintf(line, sizeof line, "%016llx-%016llx mmio %s",
                 (unsigned long long)b->mmio.r[i].base,
                 (unsigned long long)(b->mmio.r[i].base + b->mmio.r[i].len - 1),
                 b->mmio.r[i].name);
        print(ctx, line);
    }
    for (int i = 0; i < b->io.n; i++) {
        snprintf(line, sizeof line, "%04llx-%04llx io %s",
                 (unsigned long long)b->io.r[i].base,
                 (unsigned long long)(b->io.r[i].base + b->io.r[i].len - 1), b->io.r[i].name);
        print(ctx, line);
    }
}
