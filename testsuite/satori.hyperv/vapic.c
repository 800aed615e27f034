/*
 * testsuite/satori.hyperv/vapic.c: hv-vapic's APIC MSRs and the VP assist
 * page MSR (reference/hyperv.md 3.4, 3.5; 2.2 for the flag-free case).
 *
 * Run with -cpu qemu64,hv-vpindex,hv-vapic, and again without hv-vapic
 * (KVM without hv-enforce-cpuid lets an identified guest use them anyway).
 * The APIC is in xAPIC mode (the MSRs still have x2APIC semantics); with
 * "x2apic" on the command line it then switches to x2APIC mode and checks
 * the destination layout there.
 * A fixed self-IPI sent through HV_X64_MSR_ICR is taken, HV_X64_MSR_EOI
 * clears its ISR bit, HV_X64_MSR_TPR is the xAPIC TPR register (and CR8
 * follows); VP_ASSIST_PAGE enables (clearing only apic_assist) and
 * disables.  No QEMU comparison (TCG has no Hyper-V).
 */
#include "hv-guest.h"

#define VEC_A 0x61
#define VEC_B 0x62
#define APIC_TPR 0x080
#define APIC_ISR 0x100
#define APIC_SVR 0x0f0
#define APIC_ICR_LO 0x300

static volatile int taken_a, taken_b;
static volatile bool isr_set_in_handler, isr_clear_after_eoi, eoi_ok;

static bool isr_bit(unsigned v)
{
    return apic_read(APIC_ISR + (v >> 5) * 0x10) >> (v & 31) & 1;
}

static void on_a(struct frame *f)
{
    taken_a++;
    isr_set_in_handler = isr_bit(VEC_A);
    eoi_ok = wrmsr_safe(HV_MSR_EOI, 0);
    isr_clear_after_eoi = !isr_bit(VEC_A);
}

static void on_b(struct frame *f)
{
    taken_b++;
    wrmsr_safe(HV_MSR_EOI, 0);
}

static void window(void)
{
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
}

static inline uint64_t read_cr8(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr8, %0" : "=r"(v));
    return v;
}

static inline void write_cr8(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr8" :: "r"(v) : "memory");
}

static uint8_t assist_page[4096] __attribute__((aligned(4096)));

static void ipi_eoi(void)
{
    uint64_t v = 0;
    bool ok;

    apic_write(APIC_SVR, 0x1ff);        /* software-enabled, spurious 0xff */
    handle_exception(VEC_A, on_a);
    handle_exception(VEC_B, on_b);

    /* xAPIC layout: destination APIC ID 0 in bits 63:56 */
    ok = wrmsr_safe(HV_MSR_ICR, VEC_A);
    window();
    reportf(ok && taken_a == 1, "fixed self-IPI through HV_X64_MSR_ICR taken once (%d)", taken_a);
    report("ISR bit set in the handler", isr_set_in_handler);
    reportf(eoi_ok && isr_clear_after_eoi, "HV_X64_MSR_EOI clears the ISR bit");
    ok = rdmsr_safe(HV_MSR_ICR, &v);
    reportf(ok && v == VEC_A, "HV_X64_MSR_ICR reads the 64-bit ICR (%lx)", v);
    reportf(apic_read(APIC_ICR_LO) == VEC_A, "xAPIC ICR register shows it (%x)",
            apic_read(APIC_ICR_LO));

    /* xAPIC mode: bits 55:32 are not destination bits, so this is APIC ID 0 */
    ok = wrmsr_safe(HV_MSR_ICR, 1ull << 32 | VEC_B);
    window();
    reportf(ok && taken_b == 1, "xAPIC mode: destination is bits 63:56 only (%d)", taken_b);
    /* destination APIC ID 1: nobody */
    ok = wrmsr_safe(HV_MSR_ICR, 1ull << 56 | VEC_B);
    window();
    reportf(ok && taken_b == 1, "IPI to APIC ID 1 does not reach APIC 0 (%d)", taken_b);

    reportf(!rdmsr_safe(HV_MSR_EOI, &v), "HV_X64_MSR_EOI read #GPs");
    reportf(!wrmsr_safe(HV_MSR_EOI, 1ull << 32), "HV_X64_MSR_EOI with bits 63:32 set #GPs");
    reportf(wrmsr_safe(HV_MSR_EOI, 0x12345678), "HV_X64_MSR_EOI ignores bits 31:0");
}

static void tpr(void)
{
    uint64_t v = 0;
    bool ok;

    ok = wrmsr_safe(HV_MSR_TPR, 0x57);
    reportf(ok && apic_read(APIC_TPR) == 0x57, "HV_X64_MSR_TPR sets the xAPIC TPR (%x)",
            apic_read(APIC_TPR));
    reportf(read_cr8() == 5, "CR8 follows (%lx)", read_cr8());
    ok = rdmsr_safe(HV_MSR_TPR, &v);
    reportf(ok && v == 0x57, "HV_X64_MSR_TPR reads it back (%lx)", v);
    write_cr8(3);
    rdmsr_safe(HV_MSR_TPR, &v);
    reportf(v == 0x30, "a CR8 write shows in HV_X64_MSR_TPR (%lx)", v);
    reportf(!wrmsr_safe(HV_MSR_TPR, 1ull << 32), "HV_X64_MSR_TPR with bits 63:32 set #GPs");

    /* TPR class 7 holds back vector 0x61 (class 6) until lowered */
    wrmsr_safe(HV_MSR_TPR, 0x70);
    wrmsr_safe(HV_MSR_ICR, VEC_A);
    window();
    reportf(taken_a == 1, "TPR 0x70 (set by MSR) blocks vector 0x61 (%d)", taken_a);
    wrmsr_safe(HV_MSR_TPR, 0);
    window();
    reportf(taken_a == 2 && isr_clear_after_eoi, "TPR 0 lets it in, EOI by MSR again (%d)",
            taken_a);
}

/*
 * x2APIC mode (when the CPU has it and the command line says "x2apic"):
 * the destination is bits 63:32, and the MSR is the x2APIC ICR.
 */
static void x2apic(void)
{
    uint32_t r[4];
    uint64_t v = 0;
    bool ok;

    cpuid(1, 0, r);
    if (!(r[2] & (1u << 21))) {
        report("x2APIC mode wanted but CPUID.1:ECX.x2APIC is clear", false);
        return;
    }
    wrmsr(MSR_IA32_APIC_BASE, rdmsr(MSR_IA32_APIC_BASE) | (1u << 10));
    int before = taken_b;
    ok = wrmsr_safe(HV_MSR_ICR, VEC_B);                 /* x2APIC ID 0 */
    window();
    reportf(ok && taken_b == before + 1, "x2APIC mode: self-IPI to ID 0 through the MSR (%d)",
            taken_b - before);
    ok = wrmsr_safe(HV_MSR_ICR, 1ull << 32 | VEC_B);    /* x2APIC ID 1 (xAPIC layout: 0): nobody */
    window();
    reportf(ok && taken_b == before + 1, "x2APIC mode: bits 63:32 are the destination (%d)",
            taken_b - before);
    rdmsr_safe(HV_MSR_ICR, &v);
    reportf(v == (1ull << 32 | VEC_B) && rdmsr(MSR_X2APIC(APIC_ICR_LO)) == v,
            "x2APIC mode: HV_X64_MSR_ICR and the x2APIC ICR agree (%lx)", v);
    wrmsr_safe(HV_MSR_TPR, 0x20);
    reportf(rdmsr(MSR_X2APIC(APIC_TPR)) == 0x20, "x2APIC mode: TPR MSR sets the x2APIC TPR");
    wrmsr_safe(HV_MSR_TPR, 0);
}

static void assist(void)
{
    uint64_t gpa = (uint64_t)(uintptr_t)assist_page, v = 0;
    bool ok, rest = true;

    memset(assist_page, 0xa5, sizeof assist_page);
    ok = rdmsr_safe(HV_MSR_VP_ASSIST_PAGE, &v);
    reportf(ok && v == 0, "VP_ASSIST_PAGE reads 0 at start (%lx)", v);
    ok = wrmsr_safe(HV_MSR_VP_ASSIST_PAGE, gpa | 1);
    rdmsr_safe(HV_MSR_VP_ASSIST_PAGE, &v);
    reportf(ok && v == (gpa | 1), "enable: value stored (%lx)", v);
    reportf(*(volatile uint32_t *)assist_page == 0, "enable clears apic_assist (%x)",
            *(volatile uint32_t *)assist_page);
    for (size_t i = 4; i < sizeof assist_page; i++)
        rest &= assist_page[i] == 0xa5;
    report("enable leaves the rest of the page alone", rest);

    *(volatile uint32_t *)assist_page = 0x11111111;
    ok = wrmsr_safe(HV_MSR_VP_ASSIST_PAGE, gpa | 0x6);
    rdmsr_safe(HV_MSR_VP_ASSIST_PAGE, &v);
    reportf(ok && v == (gpa | 0x6), "disable: value stored with its reserved bits (%lx)", v);
    reportf(*(volatile uint32_t *)assist_page == 0x11111111, "disable leaves the page alone");
    ok = wrmsr_safe(HV_MSR_VP_ASSIST_PAGE, 0);
    rdmsr_safe(HV_MSR_VP_ASSIST_PAGE, &v);
    reportf(ok && v == 0, "writing 0 clears it (%lx)", v);
    /* 16 TiB: no guest RAM there */
    ok = wrmsr_safe(HV_MSR_VP_ASSIST_PAGE, 0x100000000000ull | 1);
    rdmsr_safe(HV_MSR_VP_ASSIST_PAGE, &v);
    reportf(!ok && v == 0, "enabling a page outside guest RAM #GPs, value not stored (%lx)", v);
}

int main(void)
{
    hv_catch_faults();
    ipi_eoi();
    tpr();
    if (hv_cmdline_has("x2apic"))
        x2apic();
    assist();
    report_done();
}
