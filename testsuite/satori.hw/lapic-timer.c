/*
 * Local APIC timer in one-shot and periodic mode (SDM vol. 3, 10.5.4),
 * compared with QEMU: the divide configuration, the current count
 * counting down and reloading, interrupts counted against HLT wake-ups,
 * a masked timer counting silently.  Only relations that hold at any
 * host speed are printed.
 */
#include "hw-guest.h"

#define LVT_TIMER 0x320
#define TIMER_ICR 0x380
#define TIMER_CCR 0x390
#define TIMER_DCR 0x3e0

/* HLT until `n` interrupts of vec were logged (the timer is the only source). */
static void wait_for(int vec, int n)
{
    while (logged(vec) < n)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
}

static void spin_until_zero(void)
{
    for (long i = 0; i < 100000000 && apic_read(TIMER_CCR); i++)
        __asm__ volatile("pause");
}

int main(void)
{
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    handle_exception(0x41, log_eoi);
    handle_exception(0x42, log_eoi);

    static const uint32_t dcr[] = { 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa, 0xb };
    bool ok = true;
    for (unsigned i = 0; i < 8; i++) {
        apic_write(TIMER_DCR, dcr[i] | 0xf4);
        ok &= apic_read(TIMER_DCR) == dcr[i];
    }
    reportf(ok, "divide configuration keeps bits 0, 1 and 3");

    /* counting down: divide by 128 from 0xffffffff (minutes) reads the same at any host speed */
    apic_write(TIMER_DCR, 0xa);
    apic_write(LVT_TIMER, 0x10041);
    apic_write(TIMER_ICR, 0xffffffff);
    uint32_t c1 = apic_read(TIMER_CCR);
    uint32_t c2 = apic_read(TIMER_CCR);
    reportf(apic_read(TIMER_ICR) == 0xffffffff, "initial count reads back");
    reportf(c1 > 0xf0000000u, "current count starts at the initial count");
    reportf(c2 <= c1, "current count counts down");
    apic_write(TIMER_ICR, 0);

    /* one-shot, divide by 1, 2 ms */
    apic_write(TIMER_DCR, 0xb);
    apic_write(LVT_TIMER, 0x41);
    apic_write(TIMER_ICR, 2000000);
    wait_for(0x41, 1);
    reportf(apic_read(TIMER_CCR) == 0, "one-shot: fired and stopped at 0");
    for (int i = 0; i < 2000000; i++)
        __asm__ volatile("pause");
    window();
    reportf(logged(0x41) == 1, "one-shot: fired once");

    /* periodic, divide by 2, 0.5 ms */
    log_clear();
    apic_write(TIMER_DCR, 0x0);
    apic_write(LVT_TIMER, 0x20042);
    apic_write(TIMER_ICR, 250000);
    uint64_t t0 = rdtsc();
    wait_for(0x42, 5);
    uint64_t t1 = rdtsc();
    reportf(logged(0x42) >= 5, "periodic: fired 5 times");
    uint32_t c = apic_read(TIMER_CCR);
    reportf(c > 0 && c <= 250000, "periodic: the count reloads");
    reportf(t1 > t0, "TSC advanced while it ran");
    apic_write(TIMER_ICR, 0);
    reportf(apic_read(TIMER_CCR) == 0, "initial count 0 stops it");
    window();           /* one that fired before the stop may still wait in IRR */
    int n = logged(0x42);
    for (int i = 0; i < 2000000; i++)
        __asm__ volatile("pause");
    window();
    reportf(logged(0x42) == n, "stopped: no more interrupts");

    /* masked one-shot counts down, no interrupt */
    log_clear();
    apic_write(TIMER_DCR, 0xb);
    apic_write(LVT_TIMER, 0x10041);
    apic_write(TIMER_ICR, 100000);
    spin_until_zero();
    window();
    reportf(apic_read(TIMER_CCR) == 0 && nlog == 0, "masked timer reaches 0 silently");

    /* unmasking an expired one-shot does not fire it */
    apic_write(LVT_TIMER, 0x41);
    window();
    reportf(nlog == 0, "unmasking after expiry: no interrupt");

    /* periodic to one-shot mid-way: the count goes on, fires once */
    apic_write(TIMER_ICR, 0);           /* no old count to go periodic with */
    log_clear();
    apic_write(LVT_TIMER, 0x20041);
    apic_write(TIMER_ICR, 100000000);   /* 100 ms: the switch comes well before */
    apic_write(LVT_TIMER, 0x41);
    wait_for(0x41, 1);
    for (int i = 0; i < 2000000; i++)
        __asm__ volatile("pause");
    window();
    reportf(logged(0x41) == 1 && apic_read(TIMER_CCR) == 0, "switched to one-shot: fires once (%d %x)", logged(0x41), apic_read(TIMER_CCR));

    /* the shortest one-shot, a count of 1 at divide by 1 (1 ns), has run
     * out before the guest's next instruction and still interrupts */
    uint32_t old_dcr = apic_read(TIMER_DCR);
    log_clear();
    apic_write(TIMER_DCR, 0xb);
    apic_write(LVT_TIMER, 0x41);
    apic_write(TIMER_ICR, 1);
    for (int i = 0; i < 100000 && !logged(0x41); i++)
        window();
    reportf(logged(0x41) == 1 && apic_read(TIMER_CCR) == 0, "a one-shot count of 1 interrupts once");
    apic_write(TIMER_DCR, old_dcr);
    apic_write(LVT_TIMER, 0x10000);
    report_done();
}
