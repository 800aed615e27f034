/*
 * hw/loader/e820.c: the guest memory map (see e820.h).  One table, built
 * from the board's RAM layout; reserved ranges added by the board punch
 * holes in the RAM entries.  Facts: ACPI 6.5 section 15 (E820 types); the
 * layout is what SeaBIOS reports on QEMU's pc machine, so a guest sees the
 * same BIOS-e820 lines under satori and under QEMU.
 */
#include "hw/loader/e820.h"

#include <string.h>

void e820_init_pc(struct e820_map *m, uint64_t below_4g, uint64_t above_4g)
{
    memset(m, 0, sizeof *m);
    e820_add(m, 0, 0x9fc00, E820_RAM);
    e820_add(m, 0x9fc00, 0x400, E820_RESERVED);
    e820_add(m, 0xf0000, 0x10000, E820_RESERVED);
    if (below_4g > 0x100000)
        e820_add(m, 0x100000, below_4g - 0x100000, E820_RAM);
    e820_add(m, 0xfffc0000, 0x40000, E820_RESERVED);
    if (above_4g)
        e820_add(m, 0x100000000ull, above_4g, E820_RAM);
}

static int insert_at(struct e820_map *m, int i, uint64_t addr, uint64_t size, uint32_t type)
{
    if (m->n == E820_MAX_ENTRIES)
        return -1;
    memmove(&m->e[i + 1], &m->e[i], (size_t)(m->n - i) * sizeof m->e[0]);
    m->e[i] = (struct e820_entry){ addr, size, type };
    m->n++;
    return 0;
}

int e820_add(struct e820_map *m, uint64_t addr, uint64_t size, uint32_t type)
{
    uint64_t end = addr + size;

    if (!size)
        return 0;
    /* cut [addr, end) out of every entry it overlaps */
    for (int i = 0; i < m->n; i++) {
        struct e820_entry *e = &m->e[i];
        uint64_t eend = e->addr + e->size;

        if (eend <= addr || e->addr >= end)
            continue;
        if (e->addr < addr && eend > end) {
            /* split in two: keep the head here, the tail after it */
            if (insert_at(m, i + 1, end, eend - end, e->type) < 0)
                return -1;
            m->e[i].size = addr - m->e[i].addr;
            i++;
        } else if (e->addr < addr) {
            e->size = addr - e->addr;
        } else if (eend > end) {
            e->size = eend - end;
            e->addr = end;
        } else {
            memmove(e, e + 1, (size_t)(m->n - i - 1) * sizeof *e);
            m->n--;
            i--;
        }
    }
    int i = 0;
    while (i < m->n && m->e[i].addr < addr)
        i++;
    return insert_at(m, i, addr, size, type);
}

size_t e820_encode(const struct e820_map *m, uint8_t *out, size_t max)
{
    size_t off = 0;

    for (int i = 0; i < m->n && off + E820_ENTRY_SIZE <= max; i++) {
        const struct e820_entry *e = &m->e[i];
        for (int b = 0; b < 8; b++) {
            out[off + b] = (uint8_t)(e->addr >> (8 * b));
            out[off + 8 + b] = (uint8_t)(e->size >> (8 * b));
        }
        for (int b = 0; b < 4; b++)
            out[off + 16 + b] = (uint8_t)(e->type >> (8 * b));
        off += E820_ENTRY_SIZE;
    }
    return off;
}

uint64_t e820_find_top(const struct e820_map *m, uint64_t size, uint64_t lo, uint64_t hi,
                       uint64_t align)
{
    uint64_t best = 0;

    for (int i = 0; i < m->n; i++) {
        const struct e820_entry *e = &m->e[i];
        uint64_t start = e->addr > lo ? e->addr : lo;
        uint64_t end = e->addr + e->size < hi ? e->addr + e->size : hi;

        if (e->type != E820_RAM || end < start || end - start < size)
            continue;
        uint64_t a = (end - size) & ~(align - 1);
        if (a >= start && a > best)
            best = a;
    }
    return best;
}
