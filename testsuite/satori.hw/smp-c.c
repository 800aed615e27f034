/*
 * firmware/smp with -smp 4, compared with QEMU: smp_start() brings the
 * three APs from the INIT/STARTUP trampoline into the BSP's 64-bit
 * environment (firmware/smp.c).  Each AP runs C code that reports its
 * APIC ID (CPUID.1:EBX[31:24] and the xAPIC ID register, SDM vol. 3,
 * 10.4.6), smp_cpu_index(), whether CR0/CR3/CR4/EFER match the BSP's,
 * that its stack is its own, and that an exception it takes goes through
 * the shared IDT to the runtime's handler table.  Only the BSP prints.
 */
#include "runtime.h"
#include "smp.h"

#define NCPU 4

struct ap_report {
    uint32_t cpuid_id, apic_id;
    int index;
    uint64_t cr0, cr3, cr4, efer, rsp;
    int ud_seen;
};

static struct ap_report reps[NCPU];
static volatile int ud_count[NCPU];

static void on_ud(struct frame *f)
{
    ud_count[smp_cpu_index()]++;
    f->rip += 2;
}

static void probe(void *arg)
{
    struct ap_report *r = arg;
    uint32_t c[4];
    uint64_t rsp;

    cpuid(1, 0, c);
    r->cpuid_id = c[1] >> 24;
    r->apic_id = apic_read(0x20) >> 24;
    r->index = smp_cpu_index();
    r->cr0 = read_cr0();
    r->cr3 = read_cr3();
    r->cr4 = read_cr4();
    r->efer = rdmsr(0xc0000080);
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    r->rsp = rsp;
    __asm__ volatile("ud2" ::: "memory");
    r->ud_seen = ud_count[r->index];
}

static void add_one(void *arg)
{
    __atomic_fetch_add((int *)arg, 1, __ATOMIC_SEQ_CST);
}

int main(void)
{
    handle_exception(6, on_ud);
    int up = smp_start(NCPU);
    reportf(up == NCPU, "smp_start: %d CPUs running", up);
    reportf(smp_cpu_index() == 0, "the BSP is CPU 0");

    for (int i = 1; i < NCPU; i++)
        smp_call(i, probe, &reps[i]);
    uint64_t efer = rdmsr(0xc0000080);
    for (int i = 1; i < NCPU; i++) {
        struct ap_report *r = &reps[i];
        reportf(r->cpuid_id == (uint32_t)i && r->apic_id == (uint32_t)i && r->index == i,
                "CPU %d: CPUID APIC ID %u, APIC ID register %u, index %d", i, r->cpuid_id,
                r->apic_id, r->index);
        reportf(r->cr0 == read_cr0() && r->cr3 == read_cr3() && r->cr4 == read_cr4()
                && r->efer == efer,
                "CPU %d: CR0 %lx CR3 %lx CR4 %lx EFER %lx as the BSP's", i, r->cr0, r->cr3,
                r->cr4, r->efer);
        bool own = true;
        for (int j = 1; j < NCPU; j++)
            if (j != i && reps[j].rsp >> 14 == r->rsp >> 14)
                own = false;
        reportf(own, "CPU %d: a stack of its own", i);
        reportf(r->ud_seen == 1, "CPU %d: #UD went through the shared IDT (%d)", i, r->ud_seen);
    }
    reportf(ud_count[0] == 0, "the BSP took no #UD");

    /* every AP at once, then wait for all */
    static int counter;
    for (int round = 0; round < 5; round++)
        for (int i = 0; i < NCPU; i++)
            smp_run_on(i, add_one, &counter);
    for (int i = 1; i < NCPU; i++)
        smp_wait(i);
    reportf(counter == 5 * NCPU, "smp_run_on on every CPU 5 times: %d calls", counter);
    report_done();
}
