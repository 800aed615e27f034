/*
 * INIT and STARTUP IPIs with -smp 2, compared with QEMU (SDM vol. 3,
 * 8.4.4 "MP initialization example", 10.6.1): the BSP puts a real-mode
 * trampoline below 1 MiB, sends INIT then STARTUP (twice, as the MP
 * protocol does) and the AP runs it at CS = vector << 8, IP 0; a second
 * STARTUP to a running AP is ignored; INIT resets a running AP and a new
 * STARTUP runs it again from another page; INIT and STARTUP reach it
 * addressed physically to APIC ID 1 and by the all-excluding-self
 * shorthand; a STARTUP to the BSP changes nothing.
 */
#include "hw-guest.h"

#define TRAMP_A  0x60000ul     /* STARTUP vector 0x60 */
#define TRAMP_B  0x61000ul     /* STARTUP vector 0x61 */
#define COUNTER  ((volatile uint16_t *)0x62000ul)

/* cli; mov ax,0x6000; mov ds,ax; lock inc word [counter]; 1: hlt; jmp 1b */
static void put_trampoline(uint64_t at, uint16_t seg_off_of_counter)
{
    const uint8_t code[] = {
        0xfa, 0xb8, 0x00, 0x60, 0x8e, 0xd8,                 /* cli; mov ax,0x6000; mov ds,ax */
        0xf0, 0xff, 0x06, (uint8_t)seg_off_of_counter, (uint8_t)(seg_off_of_counter >> 8),
        0xf4, 0xeb, 0xfd,                                   /* hlt; jmp hlt */
    };
    memcpy((void *)at, code, sizeof code);
}

static void ipi(uint32_t dest, uint32_t lo)
{
    apic_write(0x310, dest << 24);
    apic_write(0x300, lo);
}

/* Wait (bounded by the TSC) until the counter reaches n; returns its value. */
static unsigned wait_count(unsigned n)
{
    uint64_t t0 = rdtsc();
    while (*COUNTER < n && rdtsc() - t0 < 20000000000ull)
        __asm__ volatile("pause");
    return *COUNTER;
}

static void settle(void)
{
    uint64_t t0 = rdtsc();
    while (rdtsc() - t0 < 50000000ull)
        __asm__ volatile("pause");
}

int main(void)
{
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    put_trampoline(TRAMP_A, 0x2000);    /* ds = 0x6000: counter at 0x62000 */
    put_trampoline(TRAMP_B, 0x2000);
    *COUNTER = 0;

    ipi(1, 0x4500);             /* INIT, assert, physical APIC ID 1 */
    settle();
    reportf(*COUNTER == 0, "INIT alone starts nothing");
    ipi(1, 0x4600 | 0x60);      /* STARTUP, vector 0x60 */
    unsigned c = wait_count(1);
    reportf(c == 1, "STARTUP: the AP ran the trampoline at 6000:0000 (%u)", c);
    ipi(1, 0x4600 | 0x60);      /* the MP protocol's second STARTUP */
    settle();
    reportf(*COUNTER == 1, "a second STARTUP to a running AP is ignored (%u)", *COUNTER);
    reportf((apic_read(0x300) & 0x1000) == 0, "delivery status idle");

    ipi(0, 0xc4500);            /* INIT to all excluding self */
    settle();
    ipi(0, 0xc4600 | 0x61);     /* STARTUP to all excluding self, vector 0x61 */
    c = wait_count(2);
    reportf(c == 2, "INIT resets the running AP, STARTUP runs it from 6100:0000 (%u)", c);

    ipi(0, 0x4600 | 0x60);      /* STARTUP to APIC 0 (the BSP): ignored */
    settle();
    reportf(*COUNTER == 2, "STARTUP to the BSP is ignored");
    report_done();
}
