/*
 * testsuite/satori.hw/sti-shadow.c: the interrupt shadow of STI (SDM
 * vol. 2, STI: "the processor will not recognize an external interrupt
 * until the instruction following STI has completed"; vol. 3, 6.8.3).
 * Guests idle with STI; HLT and rely on it: an interrupt taken between the
 * two returns into the HLT, and the vCPU sleeps with the interrupt it was
 * waiting for already handled.
 *
 * A local APIC one-shot (divide by 1, 1 GHz timer clock) is armed 400 or
 * 401 ns ahead, then the guest spins d times around a two-instruction loop and
 * runs STI; HLT; the handler records the return address.  Under -icount
 * shift=0 (one instruction per ns) the emulator's slice ends at the
 * deadline, and the sweep over d puts that end after each instruction of
 * the sequence in turn, the STI included.  An interrupt whose return
 * address is the HLT broke the shadow; the handler then skips the HLT so
 * the test reports instead of sleeping for ever.
 */
#include "hw-guest.h"

#define LVT_TIMER 0x320
#define TIMER_ICR 0x380
#define TIMER_DCR 0x3e0
#define VEC       0x44

static volatile uint64_t hlt_at, ret_at;
static volatile unsigned broken, taken;

static void on_timer(struct frame *f)
{
    taken++;
    ret_at = f->rip;
    if (f->rip == hlt_at) {
        broken++;
        f->rip++;           /* step over the one-byte HLT */
    }
    apic_eoi();
}

int main(void)
{
    unsigned runs = 0, first_bad = 0;

    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    handle_exception(VEC, on_timer);
    apic_write(TIMER_DCR, 0xb);
    for (unsigned i = 0; i < 600; i++) {
        unsigned d = i / 2 + 1, before = broken;
        uint64_t at, n = d;

        cli();
        apic_write(LVT_TIMER, VEC);
        apic_write(TIMER_ICR, 400 + (i & 1));   /* both parities of the count left */
        __asm__ volatile("lea 2f(%%rip), %0\n\t"
                         "mov %0, %2\n"
                         "1:\tdec %1\n\t"
                         "jnz 1b\n\t"
                         "sti\n"
                         "2:\thlt\n\t"
                         "cli"
                         : "=&r"(at), "+r"(n), "=m"(hlt_at) : : "memory");
        runs++;
        if (broken != before && !first_bad)
            first_bad = d;
    }
    reportf(taken == runs, "every one-shot interrupted the HLT (%u of %u)", taken, runs);
    if (broken)
        reportf(false, "no interrupt between STI and HLT (%u of %u runs broke the shadow, first at "
                "d=%u)", broken, runs, first_bad);
    else
        report("no interrupt between STI and HLT", true);
    report_done();
}
