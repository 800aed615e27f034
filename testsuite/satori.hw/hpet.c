/*
 * Guest test hpet: the HPET at 0xfed00000, polled (no interrupts):
 * capabilities, the main counter at 100 MHz against the PIT (counter 2,
 * mode 0, 65535 clocks) and the TSC, halting and writing the counter,
 * level status bits set by a match and cleared by writing 1, edge status
 * staying clear, periodic comparators with Tn_VAL_SET_CNF, 32-bit mode
 * and its wrap interrupt, legacy replacement.  Only values the same on
 * satori and QEMU are printed.
 */
#include "runtime.h"

#define HPET 0xfed00000ull
#define GEN_CONF  0x010
#define GINTR_STA 0x020
#define MAIN_CNT  0x0f0
#define TN_CONF(n) (0x100 + 0x20 * (n))
#define TN_CMP(n)  (0x108 + 0x20 * (n))

static uint64_t rd64(unsigned off) { return *(volatile uint64_t *)(HPET + off); }
static uint32_t rd32(unsigned off) { return *(volatile uint32_t *)(HPET + off); }
static void wr64(unsigned off, uint64_t v) { *(volatile uint64_t *)(HPET + off) = v; }
static void wr32(unsigned off, uint32_t v) { *(volatile uint32_t *)(HPET + off) = v; }

static bool within(uint64_t got, uint64_t want, uint64_t pct)
{
    uint64_t tol = want * pct / 100;
    return got + tol >= want && got <= want + tol;
}

/* Wait until GINTR_STA has bit n, at most `limit` polls; true if it came. */
static bool wait_status(int n, uint64_t limit)
{
    for (uint64_t i = 0; i < limit; i++)
        if (rd32(GINTR_STA) & (1u << n))
            return true;
    return false;
}

static void capabilities(void)
{
    printf("GCAP_ID %08x period %u fs\n", rd32(0), rd32(4));
    for (int n = 0; n < 3; n++)
        printf("timer %d conf %08x route cap %08x comparator %lx\n", n, rd32(TN_CONF(n)),
               rd32(TN_CONF(n) + 4), rd64(TN_CMP(n)));
}

static void counter_rate(void)
{
    wr32(GEN_CONF, 0);
    wr64(MAIN_CNT, 0);
    printf("halted counter reads %lx\n", rd64(MAIN_CNT));
    wr64(MAIN_CNT, 0x12345678abcull);
    printf("written counter reads %lx\n", rd64(MAIN_CNT));
    wr32(GEN_CONF, 1);
    uint64_t a = rd64(MAIN_CNT);
    for (volatile int i = 0; i < 1000; i++)
        ;
    uint64_t b = rd64(MAIN_CNT);
    report("counter runs when enabled", b > a && a >= 0x12345678abcull);

    /* 65535 PIT clocks = 54.925 ms = 5492355 HPET ticks */
    outb(0x61, (uint8_t)((inb(0x61) & 0x0c) | 1));
    outb(0x43, 0xb0);
    outb(0x42, 0xff);
    outb(0x42, 0xff);
    uint64_t h0 = rd64(MAIN_CNT), t0 = rdtsc();
    uint64_t spins = 0;
    while (!(inb(0x61) & 0x20) && ++spins < 1000000000ull)
        ;
    uint64_t h1 = rd64(MAIN_CNT), t1 = rdtsc();
    reportf(within(h1 - h0, 65535ull * 100000000 / 1193182, 10),
            "counter at 100 MHz against the PIT");
    /* the same rate against the TSC, over twice the interval */
    uint64_t want_tsc = (t1 - t0) * 2;
    h0 = rd64(MAIN_CNT);
    t0 = rdtsc();
    while (rdtsc() - t0 < want_tsc)
        ;
    h1 = rd64(MAIN_CNT);
    reportf(within(h1 - h0, 2 * 65535ull * 100000000 / 1193182, 10),
            "counter at 100 MHz against the TSC");

    wr32(GEN_CONF, 0);
    a = rd64(MAIN_CNT);
    for (volatile int i = 0; i < 10000; i++)
        ;
    report("counter halts when disabled", rd64(MAIN_CNT) == a);
    /* 32-bit halves */
    wr64(MAIN_CNT, 0x1122334455667788ull);
    printf("counter halves %08x %08x\n", rd32(MAIN_CNT), rd32(MAIN_CNT + 4));
    wr32(MAIN_CNT + 4, 0);
    wr32(MAIN_CNT, 0);
    printf("counter after 32-bit writes %lx\n", rd64(MAIN_CNT));
}

static void status_bits(void)
{
    wr32(GEN_CONF, 0);
    wr64(MAIN_CNT, 0);
    wr32(GINTR_STA, 7);
    /* timer 0: one-shot, level, enabled, route 2; match after 10 us */
    wr64(TN_CONF(0), 2 << 9 | 0x6);
    wr64(TN_CMP(0), 1000);
    /* timer 1: one-shot, edge, enabled, route 2 */
    wr64(TN_CONF(1), 2 << 9 | 0x4);
    wr64(TN_CMP(1), 1000);
    printf("status before enable %x\n", rd32(GINTR_STA));
    wr32(GEN_CONF, 1);
    report("level match sets the status bit", wait_status(0, 100000000));
    printf("status after the match %x\n", rd32(GINTR_STA) & 3);
    wr32(GINTR_STA, 2);
    printf("status after writing 1 to an edge bit %x\n", rd32(GINTR_STA) & 3);
    wr32(GINTR_STA, 1);
    printf("status after writing 1 to it %x\n", rd32(GINTR_STA) & 3);
    wr64(TN_CONF(0), 0);
    wr64(TN_CONF(1), 0);

    /* periodic, level, 32-bit, with VAL_SET, programmed with 32-bit
     * writes as Linux's clockevent does: the comparator advances by the period */
    uint64_t now = rd64(MAIN_CNT);
    wr32(TN_CONF(2), 0x100 | 2 << 9 | 0x4e);
    wr32(TN_CMP(2), (uint32_t)(now + 20000));
    wr32(TN_CMP(2), 50000);                        /* the period (0.5 ms) */
    printf("periodic conf %08x\n", rd32(TN_CONF(2)));
    bool first = wait_status(2, 100000000);
    uint64_t c1 = rd64(TN_CMP(2));
    wr32(GINTR_STA, 4);
    bool second = wait_status(2, 100000000);
    uint64_t c2 = rd64(TN_CMP(2));
    report("periodic timer matches twice", first && second);
    reportf(c2 > c1 && (c2 - c1) % 50000 == 0 && (c1 - now - 20000) % 50000 == 0,
            "periodic comparator advances by the period");
    wr64(TN_CONF(2), 0);
    wr32(GINTR_STA, 4);
}

static void mode32(void)
{
    wr32(GEN_CONF, 0);
    wr64(TN_CONF(0), 0x100);                       /* 32-bit mode */
    wr64(TN_CMP(0), 0x123456789ull);
    printf("32-bit comparator reads %x\n", rd32(TN_CMP(0)));
    /* one-shot 32-bit: the wrap of the low 32 bits interrupts first */
    wr64(MAIN_CNT, 0xffffc000ull);                  /* 0.16 ms before the wrap */
    wr32(GINTR_STA, 1);
    wr64(TN_CONF(0), 0x100 | 2 << 9 | 0x6);
    wr64(TN_CMP(0), 0x1000000);                     /* match 168 ms after the wrap */
    wr32(GEN_CONF, 1);
    bool hit = wait_status(0, 1000000000ull);
    uint64_t at = rd64(MAIN_CNT);
    reportf(hit && at >= 0x100000000ull && at < 0x101000000ull,
            "32-bit one-shot interrupts at the counter wrap");
    wr32(GINTR_STA, 1);
    hit = wait_status(0, 1000000000ull);
    at = rd64(MAIN_CNT);
    reportf(hit && at >= 0x101000000ull, "and then at the match");
    wr64(TN_CONF(0), 0);
    wr32(GINTR_STA, 1);
}

static void legacy(void)
{
    wr32(GEN_CONF, 3);
    printf("GEN_CONF with legacy replacement %x\n", rd32(GEN_CONF));
    wr32(GEN_CONF, 0xfffffffc);
    printf("GEN_CONF reserved bits %x\n", rd32(GEN_CONF));
    wr32(GEN_CONF, 0);
}

int main(void)
{
    capabilities();
    counter_rate();
    status_bits();
    mode32();
    legacy();
    report_done();
}
