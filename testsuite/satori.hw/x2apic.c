/*
 * What QEMU 7.2's TCG cannot show (it has no x2APIC and no TSC-deadline
 * timer, delivers illegal vectors and has no write-before-read ESR), so
 * this guest checks known answers from the SDM (vol. 3, ch. 10):
 * x2APIC mode (10.12: enabling, the MSR interface, 64-bit ICR, SELF IPI,
 * the #GP rules, IA32_APIC_BASE transitions of table 10-5), the
 * TSC-deadline timer (10.5.4.1), the error status register (10.5.3),
 * software disable masking the LVTs (10.4.7.2) and relocating the xAPIC
 * page (10.4.5).  Run with -cpu max.
 */
#include "hw-guest.h"

#define BASE_EN   (1ull << 11)
#define BASE_EXTD (1ull << 10)
#define BASE_BSP  (1ull << 8)
#define MSR_TSC_DEADLINE 0x6e0

static volatile uint64_t tsc_at_fire;

static void deadline_handler(struct frame *f)
{
    tsc_at_fire = rdtsc();
    log_eoi(f);
}

static void x2apic_eoi_log(struct frame *f)
{
    if (nlog < LOG_MAX)
        vlog[nlog] = (uint8_t)f->vector;
    nlog++;
    wrmsr(MSR_X2APIC(0xb0), 0);
}

static bool gp_rd(uint32_t msr)
{
    uint64_t v;
    return !rdmsr_nofault(msr, &v);
}

static bool gp_wr(uint32_t msr, uint64_t v)
{
    return !wrmsr_nofault(msr, v);
}

static void x2apic(void)
{
    uint32_t r[4];
    uint64_t v, base = rdmsr(MSR_IA32_APIC_BASE);

    cpuid(1, 0, r);
    reportf(r[2] & (1u << 21), "CPUID.1:ECX.x2APIC with -cpu max");
    reportf(gp_rd(MSR_X2APIC(0x30)), "x2APIC MSRs #GP in xAPIC mode");
    reportf(!gp_wr(MSR_IA32_APIC_BASE, base | BASE_EXTD), "xAPIC -> x2APIC");
    reportf(rdmsr_nofault(MSR_X2APIC(0x20), &v) && v == 0, "x2APIC ID 0, 32 bits (%llx)",
            (unsigned long long)v);
    reportf(rdmsr(MSR_X2APIC(0x30)) == 0x50014, "version through MSR 0x803");
    reportf(rdmsr(MSR_X2APIC(0xd0)) == 1, "LDR derived: cluster 0, bit 0 (%llx)",
            (unsigned long long)rdmsr(MSR_X2APIC(0xd0)));
    reportf(apic_read(0x30) != 0x50014, "the xAPIC page is gone");
    reportf(gp_wr(MSR_X2APIC(0xd0), 1), "LDR is read-only: #GP");
    reportf(gp_wr(MSR_X2APIC(0x20), 1), "ID is read-only: #GP");
    reportf(gp_wr(MSR_X2APIC(0x30), 0), "version is read-only: #GP");
    reportf(gp_rd(MSR_X2APIC(0xe0)), "no DFR: #GP");
    reportf(gp_rd(MSR_X2APIC(0x310)), "no ICR2 (0x831): #GP");
    reportf(gp_rd(MSR_X2APIC(0xb0)), "EOI is write-only: #GP on read");
    reportf(gp_wr(MSR_X2APIC(0xb0), 1), "EOI with a non-zero value: #GP");
    reportf(gp_rd(MSR_X2APIC(0x3f0)), "SELF IPI is write-only: #GP on read");
    reportf(gp_wr(MSR_X2APIC(0x80), 0x100), "TPR bits 31:8 reserved: #GP");
    reportf(gp_wr(MSR_X2APIC(0x280), 1), "ESR with a non-zero value: #GP");
    reportf(gp_wr(MSR_X2APIC(0x300), 0x2000 | 0x40), "ICR bit 13 reserved: #GP");
    reportf(gp_wr(MSR_X2APIC(0xf0), 0x11ff), "SVR bit 12 (no EOI-broadcast suppression): #GP");
    reportf(gp_rd(MSR_X2APIC(0x40)), "reserved register 0x804: #GP");

    for (int i = 0x40; i < 0x50; i++)
        handle_exception(i, x2apic_eoi_log);
    log_clear();
    wrmsr(MSR_X2APIC(0x3f0), 0x43);
    window();
    reportf(logged(0x43) == 1, "SELF IPI MSR delivers");
    log_clear();
    wrmsr(MSR_X2APIC(0x300), 0x44);     /* fixed, physical, destination 0 in bits 63:32 */
    window();
    reportf(logged(0x44) == 1, "64-bit ICR to x2APIC ID 0");
    reportf(rdmsr(MSR_X2APIC(0x300)) == 0x44, "ICR reads back as one MSR");
    log_clear();
    wrmsr(MSR_X2APIC(0x300), (1ull << 32) | 0x45);
    window();
    reportf(logged(0x45) == 0 && rdmsr(MSR_X2APIC(0x300)) >> 32 == 1, "ICR to x2APIC ID 1: nobody");
    log_clear();
    wrmsr(MSR_X2APIC(0x300), (0xffffffffull << 32) | 0x46);
    window();
    reportf(logged(0x46) == 1, "x2APIC broadcast 0xffffffff");
    log_clear();
    wrmsr(MSR_X2APIC(0x300), (1ull << 32) | 0x800 | 0x47);
    window();
    reportf(logged(0x47) == 1, "logical cluster 0, member bit 0");
    wrmsr(MSR_X2APIC(0x80), 0x50);
    reportf(rdmsr(MSR_X2APIC(0xa0)) == 0x50, "TPR/PPR through MSRs");
    uint64_t cr8;
    __asm__ volatile("mov %%cr8, %0" : "=r"(cr8));
    reportf(cr8 == 5, "CR8 follows the x2APIC TPR");
    wrmsr(MSR_X2APIC(0x80), 0);

    reportf(gp_wr(MSR_IA32_APIC_BASE, base), "x2APIC -> xAPIC directly: #GP");
    reportf(gp_wr(MSR_IA32_APIC_BASE, (base & ~BASE_EN) | BASE_EXTD), "EXTD without EN: #GP");
    reportf(!gp_wr(MSR_IA32_APIC_BASE, base & ~(BASE_EN | BASE_EXTD)), "x2APIC -> disabled");
    cpuid(1, 0, r);
    reportf(!(r[3] & (1u << 9)), "CPUID.1:EDX.APIC clear while disabled");
    reportf(gp_wr(MSR_IA32_APIC_BASE, base | BASE_EXTD), "disabled -> x2APIC directly: #GP");
    reportf(!gp_wr(MSR_IA32_APIC_BASE, base), "disabled -> xAPIC");
    reportf(apic_read(0xf0) == 0xff && apic_read(0x350) == 0x10000, "re-enabled in its power-up state");
    reportf(gp_wr(MSR_IA32_APIC_BASE, base | (1ull << 40)), "reserved IA32_APIC_BASE bit: #GP");
    apic_write(0xf0, 0x1ff);
}

static void tsc_deadline(void)
{
    uint32_t r[4];

    cpuid(1, 0, r);
    reportf(r[2] & (1u << 24), "CPUID.1:ECX.TSC_DEADLINE with -cpu max");
    handle_exception(0x48, deadline_handler);
    apic_write(0x320, 0x40048);
    reportf(apic_read(0x320) == 0x40048, "LVT timer in TSC-deadline mode");
    apic_write(0x380, 1000);
    reportf(apic_read(0x380) == 0 && apic_read(0x390) == 0, "initial count ignored in this mode");
    log_clear();
    uint64_t dl = rdtsc() + 2000000;
    wrmsr(MSR_TSC_DEADLINE, dl);
    reportf(rdmsr(MSR_TSC_DEADLINE) == dl, "IA32_TSC_DEADLINE reads back");
    while (!logged(0x48))
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    reportf(tsc_at_fire >= dl, "fired once the TSC passed the deadline");
    reportf(rdmsr(MSR_TSC_DEADLINE) == 0, "the deadline disarms when it fires");
    log_clear();
    wrmsr(MSR_TSC_DEADLINE, 1);
    window();
    reportf(logged(0x48) == 1, "a deadline in the past fires at once");
    log_clear();
    dl = rdtsc() + 10000000;
    wrmsr(MSR_TSC_DEADLINE, dl);
    wrmsr(MSR_TSC_DEADLINE, 0);
    while (rdtsc() < dl + 1000000)      /* well past the old deadline */
        window();
    reportf(nlog == 0, "writing 0 disarms");
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 100000000);
    apic_write(0x320, 0x10048);         /* leave deadline mode: disarmed */
    apic_write(0x320, 0x40048);
    reportf(rdmsr(MSR_TSC_DEADLINE) == 0, "leaving TSC-deadline mode disarms");
    apic_write(0x320, 0x10000);
}

static void esr(void)
{
    handle_exception(0xe4, log_eoi);
    apic_write(0x280, 0);
    apic_write(0x280, 0);
    reportf(apic_read(0x280) == 0, "ESR clear");
    apic_write(0x300, 0x40005);         /* fixed vector 5 to self */
    reportf(apic_read(0x280) == 0, "ESR shows errors only after a write");
    apic_write(0x280, 0);
    reportf(apic_read(0x280) == 0x20, "send illegal vector (%x)", apic_read(0x280));
    apic_write(0x280, 0);
    reportf(apic_read(0x280) == 0, "the next write clears it");
    apic_write(0x370, 0xe4);
    log_clear();
    (void)apic_read(0x2f0);             /* no CMCI LVT with version 0x50014 */
    window();
    apic_write(0x280, 0);
    reportf(apic_read(0x280) == 0x80 && logged(0xe4) == 1,
            "illegal register address, error interrupt (%x)", apic_read(0x280));
    apic_write(0x370, 0x10000);
    apic_write(0x280, 0);
}

static void disable_masks(void)
{
    apic_write(0x320, 0x20049);
    apic_write(0xf0, 0xff);
    reportf(apic_read(0x320) == 0x30049 && apic_read(0x350) & 0x10000, "software disable masks the LVTs");
    apic_write(0x320, 0x49);
    reportf(apic_read(0x320) == 0x10049, "and they stay masked");
    apic_write(0xf0, 0x1ff);
    apic_write(0x320, 0x10000);
    apic_write(0x350, 0x8700);
}

static void relocate(void)
{
    volatile uint32_t *ram = (volatile uint32_t *)0x3000030ul;
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

    *ram = 0x12345678;
    wrmsr(MSR_IA32_APIC_BASE, (base & 0xfff) | 0x3000000);
    reportf(*ram == 0x50014, "relocated over RAM: the APIC shows (%x)", *ram);
    reportf(apic_read(0x30) != 0x50014, "nothing at the old base");
    wrmsr(MSR_IA32_APIC_BASE, base);
    reportf(*ram == 0x12345678 && apic_read(0x30) == 0x50014, "moved back: RAM and APIC as before");
}

int main(void)
{
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    x2apic();
    tsc_deadline();
    esr();
    disable_masks();
    relocate();
    report_done();
}
