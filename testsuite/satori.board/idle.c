/*
 * testsuite/satori.board/idle.c: an idle guest.  The local APIC timer
 * (xAPIC at 0xfee00000; SDM vol. 3, 11.5.4) fires periodically every
 * 10 ms (initial count 10,000,000 at divide-by-1 on QEMU's 1 GHz APIC
 * bus) and the vCPU sits in HLT between ticks, for IDLE_TICKS ticks.
 * idle.exp measures the host CPU time this costs.  Without a local APIC
 * (CPUID.1:EDX.APIC clear) it prints "SKIP:" and exits.
 */
#include "runtime.h"

#define APIC_BASE   0xfee00000ull
#define APIC_EOI    0x0b0
#define APIC_SVR    0x0f0
#define APIC_LVTT   0x320
#define APIC_TICR   0x380
#define APIC_TDCR   0x3e0
#define LVTT_PERIODIC (1u << 17)
#define TIMER_VECTOR 0x40
#define IDLE_TICKS  500

static volatile unsigned ticks;

static void on_timer(struct frame *f)
{
    ticks++;
    apic_write(APIC_EOI, 0);
}

int main(void)
{
    uint32_t r[4];

    cpuid(1, 0, r);
    if (!(r[3] & (1u << 9))) {
        printf("SKIP: no local APIC\n");
        exit(0);
    }
    handle_exception(TIMER_VECTOR, on_timer);
    outb(0x21, 0xff);                       /* the 8259s' IRQ 0 is the BIOS timer at vector 8 */
    outb(0xa1, 0xff);
    apic_write(APIC_SVR, 0x1ff);
    apic_write(APIC_TDCR, 0xb);             /* divide by 1 */
    apic_write(APIC_LVTT, LVTT_PERIODIC | TIMER_VECTOR);
    apic_write(APIC_TICR, 10000000);
    while (ticks < IDLE_TICKS)
        __asm__ volatile("sti; hlt; cli");
    apic_write(APIC_LVTT, 1u << 16);         /* masked */
    report("idle: periodic APIC timer ticks while the vCPU halts", ticks >= IDLE_TICKS);
    report_done();
}
