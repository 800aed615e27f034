/*
 * Local APIC in xAPIC mode, compared with QEMU: the registers as the
 * firmware hands them over, IPIs to this CPU in every destination form
 * (shorthands, physical, broadcast, logical flat and cluster, lowest
 * priority, NMI, INIT level de-assert), TPR/PPR masking with CR8,
 * nesting by priority class, ISR/IRR contents.  SDM vol. 3, ch. 10.
 */
#include "hw-guest.h"

#define ICR_LO 0x300
#define ICR_HI 0x310

static void ipi(uint32_t dest, uint32_t lo)
{
    apic_write(ICR_HI, dest << 24);
    apic_write(ICR_LO, lo);
}

/* Send, take the interrupt window, return how many deliveries of vec arrived. */
static int send_count(uint32_t dest, uint32_t lo, int vec)
{
    log_clear();
    ipi(dest, lo);
    window();
    return logged(vec);
}

static volatile uint32_t ppr_in_handler, isr_in_handler;

static void record_ppr(struct frame *f)
{
    ppr_in_handler = apic_read(0xa0);
    isr_in_handler = apic_bit(0x100, (unsigned)f->vector);
    log_eoi(f);
}

/* 0x65: nests 0x85 (higher class), leaves 0x55 for after its EOI. */
static void nest_outer(struct frame *f)
{
    if (nlog < LOG_MAX)
        vlog[nlog] = (uint8_t)f->vector;
    nlog++;
    ipi(0, 0x40000 | 0x55);
    ipi(0, 0x40000 | 0x85);
    window();
    apic_eoi();
}

static void regs_at_handoff(void)
{
    uint32_t r[4];

    cpuid(1, 0, r);
    reportf(r[3] & (1u << 9), "CPUID.1:EDX.APIC set");
    reportf(rdmsr(MSR_IA32_APIC_BASE) == 0xfee00900, "IA32_APIC_BASE %llx (BSP, enabled, 0xfee00000)",
            (unsigned long long)rdmsr(MSR_IA32_APIC_BASE));
    reportf(apic_read(0x20) == 0, "APIC ID 0 (%x)", apic_read(0x20));
    reportf(apic_read(0x30) == 0x50014, "version 0x50014 (%x)", apic_read(0x30));
    reportf(apic_read(0x80) == 0 && apic_read(0xa0) == 0, "TPR and PPR 0");
    reportf(apic_read(0xd0) == 0 && apic_read(0xe0) == 0xffffffff, "LDR 0, DFR flat");
    reportf(apic_read(0xf0) == 0x1ff, "SVR 0x1ff: enabled, spurious vector 0xff (%x)", apic_read(0xf0));
    bool zero = true;
    for (unsigned o = 0x100; o < 0x280; o += 0x10)
        zero &= apic_read(o) == 0;
    reportf(zero, "ISR, TMR and IRR empty");
    reportf(apic_read(0x320) == 0x10000 && apic_read(0x330) == 0x10000 && apic_read(0x340) == 0x10000
            && apic_read(0x370) == 0x10000, "timer, thermal, perf and error LVTs masked");
    reportf(apic_read(0x350) == 0x8700, "LINT0 ExtINT, level (%x)", apic_read(0x350));
    reportf(apic_read(0x360) == 0x8400, "LINT1 NMI, level (%x)", apic_read(0x360));
    reportf(apic_read(0x380) == 0 && apic_read(0x390) == 0 && apic_read(0x3e0) == 0,
            "timer initial, current count and divide 0");
}

static void lvt_readback(void)
{
    static const struct { unsigned off; uint32_t v; const char *name; } t[] = {
        { 0x320, 0x100e1, "timer masked vector 0xe1" },
        { 0x330, 0x10400, "thermal NMI masked" },
        { 0x340, 0x100e3, "perf masked vector 0xe3" },
        { 0x370, 0x100e4, "error masked vector 0xe4" },
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        apic_write(t[i].off, t[i].v);
        uint32_t got = apic_read(t[i].off);
        reportf(got == t[i].v, "LVT %s reads back (%x)", t[i].name, got);
        apic_write(t[i].off, 0x10000);
    }
    apic_write(0xf0, 0x1ef);
    reportf(apic_read(0xf0) == 0x1ef, "SVR spurious vector 0xef reads back");
    apic_write(0xf0, 0x1ff);
}

static void self_ipis(void)
{
    int v = 0x40;

    for (int i = 0x40; i < 0x90; i++)
        handle_exception(i, log_eoi);
    reportf(send_count(0, 0x40000 | v, v) == 1, "shorthand self: one interrupt");
    reportf(send_count(0, 0x80000 | v, v) == 1, "shorthand all including self: one interrupt");
    reportf(send_count(0, 0xc0000 | v, v) == 0, "shorthand all excluding self: none here");
    reportf(send_count(0, v, v) == 1, "physical destination 0 (own ID)");
    reportf(send_count(1, v, v) == 0, "physical destination 1: nobody");
    reportf(send_count(0xff, v, v) == 1, "physical broadcast 0xff");
    reportf(send_count(0, 0x100 | v, v) == 1, "lowest priority to physical 0");
    reportf((apic_read(ICR_LO) & 0x1000) == 0, "delivery status idle after sending");

    apic_write(0xd0, 0x01000000);
    reportf(send_count(0x01, 0x800 | v, v) == 1, "logical flat: LDR bit 0, destination 0x01");
    reportf(send_count(0x06, 0x800 | v, v) == 0, "logical flat: destination 0x06 misses");
    reportf(send_count(0xff, 0x800 | v, v) == 1, "logical broadcast 0xff");
    apic_write(0xe0, 0x0fffffff);
    apic_write(0xd0, 0x12000000);
    reportf(apic_read(0xe0) == 0x0fffffff, "DFR cluster model reads back");
    reportf(send_count(0x12, 0x800 | v, v) == 1, "logical cluster 1, member 1");
    reportf(send_count(0x13, 0x800 | v, v) == 1, "logical cluster 1, members 0-1");
    reportf(send_count(0x22, 0x800 | v, v) == 0, "logical cluster 2 misses");
    reportf(send_count(0x11, 0x800 | v, v) == 0, "logical cluster 1, member 0 misses");
    apic_write(0xe0, 0xffffffff);
    apic_write(0xd0, 0);

    handle_exception(2, log_only);
    reportf(send_count(0, 0x400, 2) == 1, "NMI to physical 0 (self)");
    reportf(send_count(0, 0x8500, 0) == 0 && apic_read(0x30) == 0x50014,
            "INIT level de-assert changes nothing");
}

static void priorities(void)
{
    handle_exception(0x45, record_ppr);
    handle_exception(0x65, record_ppr);
    apic_write(0x80, 0x50);
    reportf(apic_read(0xa0) == 0x50, "PPR follows TPR 0x50");
    reportf(send_count(0, 0x40000 | 0x45, 0x45) == 0, "vector 0x45 held back by TPR 0x50");
    reportf(apic_bit(0x200, 0x45), "0x45 waits in IRR");
    reportf(send_count(0, 0x40000 | 0x65, 0x65) == 1, "vector 0x65 passes TPR 0x50");
    reportf(ppr_in_handler == 0x60 && isr_in_handler, "in service: ISR bit set, PPR 0x60 (%x)",
            ppr_in_handler);
    apic_write(0x80, 0x4f);
    window();
    reportf(logged(0x45) == 0, "TPR 0x4f still holds 0x45 (same class)");
    log_clear();
    uint64_t cr8 = 3;
    __asm__ volatile("mov %0, %%cr8" :: "r"(cr8));
    reportf(apic_read(0x80) == 0x30, "CR8 = 3 writes TPR 0x30 (%x)", apic_read(0x80));
    window();
    reportf(logged(0x45) == 1 && !apic_bit(0x200, 0x45), "lower TPR lets 0x45 in");
    apic_write(0x80, 0x7c);
    __asm__ volatile("mov %%cr8, %0" : "=r"(cr8));
    reportf(cr8 == 7, "CR8 reads TPR[7:4] (%llx)", (unsigned long long)cr8);
    apic_write(0x80, 0);

    handle_exception(0x65, nest_outer);
    log_clear();
    ipi(0, 0x40000 | 0x65);
    window();
    reportf(nlog == 3 && vlog[0] == 0x65 && vlog[1] == 0x85 && vlog[2] == 0x55,
            "0x85 nests in 0x65, 0x55 waits for its EOI (%d: %x %x %x)", nlog, vlog[0], vlog[1],
            vlog[2]);
    reportf(apic_read(0x100 + 0x20) == 0 && apic_read(0x100 + 0x40) == 0, "ISR empty after the EOIs");
}

int main(void)
{
    outb(0x21, 0xff);   /* keep the 8259 quiet */
    outb(0xa1, 0xff);
    regs_at_handoff();
    lvt_readback();
    self_ipis();
    priorities();
    report_done();
}
