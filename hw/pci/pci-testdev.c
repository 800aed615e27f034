/*
 * hw/pci/pci-testdev.c: QEMU's pci-testdev (docs/specs/pci-testdev.rst in
 * QEMU), which kvm-unit-tests' pci test drives: vendor 0x1b36 (Red Hat),
 * device 0x0005, revision 0, class 0x00ff ("other" as QEMU spells it: base 00, sub ff), no interrupt pin;
 * BAR0 4 KiB memory, BAR1 256 bytes I/O.
 *
 * Each BAR holds one test at a time, selected by writing its number to
 * byte 0.  The current test's header reads back through the BAR, a byte
 * per access (wider reads are assembled from bytes):
 *     0  u8  test       number of the test (0..2 per BAR)
 *     1  u8  width      access width the test wants (1)
 *     4  u32 offset     where the test's write goes (BAR size/2 + index)
 *     8  u8  data       value a matching write carries (0xfa; 0xce for
 *                       the "wildcard" test, whose writes match any value)
 *    12  u32 count      matching writes seen since the test started
 *    16  name           "mmio-no-eventfd", "portio-datamatch-eventfd", ...
 * Tests are (per BAR) 0 "no-eventfd", 1 "wildcard-eventfd", 2
 * "datamatch-eventfd"; the test index counts across both BARs (mmio tests
 * 0-2, portio tests 3-5).  For the eventfd tests QEMU registers an
 * ioeventfd on the test's offset (1-byte writes; any value, or only the
 * data byte): its memory core hands a matching write to the eventfd, not
 * to the device, even under TCG, so such writes do not count; other
 * writes are split into bytes and reach the device, which counts those
 * at the offset (with the data byte, unless wildcard).  satori does the
 * same (the eventfd itself has nothing guest-visible).  Reads at or past
 * the end of the header and name return 0.
 */
#include "hw/pci/pci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IOTEST_DATAMATCH 0xfa
#define IOTEST_NOMATCH   0xce
#define IOTEST_IOSIZE    128
#define IOTEST_MEMSIZE   2048
#define IOTEST_PER_BAR   3
#define IOTEST_N         (2 * IOTEST_PER_BAR)
#define HDR_NAME         16

static const char *const test_names[IOTEST_PER_BAR] = {
    "no-eventfd", "wildcard-eventfd", "datamatch-eventfd",
};

struct iotest {
    uint8_t hdr[HDR_NAME + 32];
    unsigned len;               /* header + name + NUL */
    bool match_data;
};

struct pci_testdev;

struct testdev_bar {
    struct pci_testdev *t;
    int type;                   /* 0 mmio, 1 portio */
};

struct pci_testdev {
    struct pci_dev dev;
    struct iotest tests[IOTEST_N];
    int current;                /* -1: none */
    struct testdev_bar bars[2];
};

static uint32_t get32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t testdev_read_byte(struct pci_testdev *t, uint64_t addr)
{
    const struct iotest *test;

    if (t->current < 0)
        return 0;
    test = &t->tests[t->current];
    if (addr + 1 >= test->len)
        return 0;
    return test->hdr[addr];
}

/* Wider reads are assembled from bytes, as QEMU's memory core splits them. */
static uint64_t testdev_read(void *opaque, uint64_t addr, unsigned size)
{
    struct testdev_bar *bar = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)testdev_read_byte(bar->t, addr + i) << (8 * i);
    return v;
}

static void testdev_write_byte(struct testdev_bar *bar, uint64_t addr, uint8_t val)
{
    struct pci_testdev *t = bar->t;
    struct iotest *test;

    if (addr == 0) {
        t->current = -1;
        if (val >= IOTEST_PER_BAR)
            return;
        t->current = bar->type * IOTEST_PER_BAR + val;
        put32(t->tests[t->current].hdr + 12, 0);
        return;
    }
    if (t->current < 0)
        return;
    test = &t->tests[t->current];
    if (addr != get32(test->hdr + 4))
        return;
    if (test->match_data && val != test->hdr[8])
        return;
    put32(test->hdr + 12, get32(test->hdr + 12) + 1);
}

static void testdev_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    struct testdev_bar *bar = opaque;
    struct pci_testdev *t = bar->t;

    if (t->current >= 0 && t->current % IOTEST_PER_BAR != 0) {
        const struct iotest *test = &t->tests[t->current];
        /* the ioeventfd QEMU registers for this test takes the write */
        if (addr == get32(test->hdr + 4) && size == test->hdr[1]
            && (!test->match_data || (val & 0xff) == test->hdr[8]))
            return;
    }
    for (unsigned i = 0; i < size; i++)
        testdev_write_byte(bar, addr + i, (uint8_t)(val >> (8 * i)));
}

static const struct dev_ops testdev_ops = {
    .read = testdev_read, .write = testdev_write, .min_size = 1, .max_size = 4,
};

/* Power-on and reset: no test selected, every test's header and count fresh. */
static void testdev_reset(struct pci_dev *d)
{
    struct pci_testdev *t = d->opaque;

    t->current = -1;
    for (int i = 0; i < IOTEST_N; i++) {
        struct iotest *test = &t->tests[i];
        bool mem = i < IOTEST_PER_BAR;
        int n;

        memset(test->hdr, 0, sizeof test->hdr);
        n = snprintf((char *)test->hdr + HDR_NAME, sizeof test->hdr - HDR_NAME, "%s-%s",
                         mem ? "mmio" : "portio", test_names[i % IOTEST_PER_BAR]);

        test->len = HDR_NAME + (unsigned)n + 1;
        test->match_data = i % IOTEST_PER_BAR != 1;
        test->hdr[0] = (uint8_t)i;
        test->hdr[1] = 1;
        put32(test->hdr + 4, (mem ? IOTEST_MEMSIZE : IOTEST_IOSIZE) + (uint32_t)i);
        test->hdr[8] = test->match_data ? IOTEST_DATAMATCH : IOTEST_NOMATCH;
    }
}

struct pci_testdev *pci_testdev_new(struct pci_bus *b, int devfn)
{
    struct pci_testdev *t = calloc(1, sizeof *t);

    if (!t)
        abort();
    if (pci_dev_init(&t->dev, b, devfn, "pci-testdev", 0x1b36, 0x0005, 0x00ff00, 0, 0) < 0) {
        free(t);
        return NULL;
    }
    t->dev.opaque = t;
    t->dev.reset = testdev_reset;
    testdev_reset(&t->dev);
    for (int i = 0; i < 2; i++)
        t->bars[i] = (struct testdev_bar){ t, i };
    pci_register_bar(&t->dev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, 2 * IOTEST_MEMSIZE, &testdev_ops,
                     &t->bars[0], "pci-testdev-mmio");
    pci_register_bar(&t->dev, 1, PCI_BASE_ADDRESS_SPACE_IO, 2 * IOTEST_IOSIZE, &testdev_ops,
                     &t->bars[1], "pci-testdev-portio");
    return t;
}

void pci_testdev_free(struct pci_testdev *t)
{
    free(t);
}
