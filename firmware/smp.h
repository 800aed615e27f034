/*
 * firmware/smp.h: application processors for the guest runtime.  The BSP
 * wakes each AP of -smp N with INIT and STARTUP IPIs (SDM vol. 3, 9.4.4,
 * 10.6.1); the AP runs a real-mode trampoline that enters the BSP's
 * environment: the same GDT, page tables (CR3), IDT and exception
 * handlers, EFER/CR0/CR4 as entry.S sets them, x87/SSE initialised, a
 * stack of its own.  It then waits (spinning, interrupts off) for work
 * from smp_run_on().  Known limits: an AP has no TSS (no IST stacks, no
 * user mode), its local APIC is software-enabled with spurious vector
 * 0xff and nothing else is programmed.  CPU index = APIC ID, as QEMU and
 * satori number -smp CPUs.
 */
#ifndef SATORI_FIRMWARE_SMP_H
#define SATORI_FIRMWARE_SMP_H

#include "runtime.h"

#define SMP_MAX_CPUS 8
/* the trampoline's page (STARTUP vector SMP_TRAMPOLINE >> 12) */
#define SMP_TRAMPOLINE 0x70000ul

/* Bring up CPUs 1..n-1 (one at a time); returns how many CPUs run
 * (BSP included): n when every AP checked in. */
int smp_start(int n);
/* Index of the calling CPU (0 = BSP). */
int smp_cpu_index(void);
/* Start fn(arg) on CPU cpu (after its previous work ended) and return;
 * on the calling CPU itself fn runs at once. */
void smp_run_on(int cpu, void (*fn)(void *), void *arg);
/* Wait until CPU cpu finished the work smp_run_on() gave it. */
void smp_wait(int cpu);
/* smp_run_on() then smp_wait(). */
void smp_call(int cpu, void (*fn)(void *), void *arg);

/* A simple spinlock (e.g. around printf from several CPUs). */
static inline void smp_lock(volatile int *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
}

static inline void smp_unlock(volatile int *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

#endif
