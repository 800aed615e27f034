/*
 * testsuite/satori.hw/hw-guest.h: what the interrupt-controller guests
 * share: an interrupt log (vector per delivery, in order), a handler that
 * logs and sends the local APIC its EOI, and a wait that lets pending
 * interrupts in.
 */
#ifndef SATORI_HW_GUEST_H
#define SATORI_HW_GUEST_H

#include "runtime.h"

#define LOG_MAX 64
static volatile int nlog;
static volatile uint8_t vlog[LOG_MAX];

/* Log the vector and EOI the local APIC. */
static __attribute__((unused)) void log_eoi(struct frame *f)
{
    if (nlog < LOG_MAX)
        vlog[nlog] = (uint8_t)f->vector;
    nlog++;
    apic_eoi();
}

/* Log only (for vectors that must not EOI the APIC: the 8259's, NMI). */
static __attribute__((unused)) void log_only(struct frame *f)
{
    if (nlog < LOG_MAX)
        vlog[nlog] = (uint8_t)f->vector;
    nlog++;
}

static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }

/* Open an interrupt window: STI; NOP; CLI takes whatever is pending. */
static inline void window(void) { __asm__ volatile("sti; nop; nop; cli" ::: "memory"); }

/* Count of logged deliveries of vector v. */
static __attribute__((unused)) int logged(int v)
{
    int n = 0;
    for (int i = 0; i < nlog && i < LOG_MAX; i++)
        n += vlog[i] == v;
    return n;
}

static __attribute__((unused)) void log_clear(void) { nlog = 0; }

/* A bit of the local APIC's 256-bit ISR/IRR/TMR at base offset 0x100/0x200/0x180. */
static __attribute__((unused)) bool apic_bit(unsigned base, unsigned v)
{
    return apic_read(base + (v / 32) * 0x10) >> (v % 32) & 1;
}

#endif
