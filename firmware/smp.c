/*
 * firmware/smp.c: AP start-up and work dispatch for the guest runtime
 * (see smp.h).  The trampoline (SDM vol. 3, 9.9.1 "switching to
 * protected mode", 9.8.5 "initializing IA-32e mode") is assembled here
 * as 16-bit code, copied to SMP_TRAMPOLINE and started by STARTUP with
 * vector SMP_TRAMPOLINE >> 12: it loads the runtime's GDT (descriptor
 * patched in by the BSP from SGDT), enters 32-bit protected mode, turns
 * on PAE, the BSP's page tables, EFER.LME|NXE|SCE and paging like
 * entry.S, and continues in 64-bit code on the stack the BSP chose for
 * it.  APs are started one at a time, so one stack variable suffices.
 * The BSP sends INIT, STARTUP and, only if the AP did not check in, the
 * MP protocol's second STARTUP (SDM vol. 3, 9.4.4.1).
 */
#include "smp.h"

extern uint64_t pml4[];
extern struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdt_desc;
extern char smp_tramp_start[], smp_tramp_gdt[], smp_tramp_end[];

/* read by the trampoline's 64-bit part */
uint64_t smp_boot_stack;
uint32_t smp_mxcsr = 0x1f80;
void smp_ap_main(void);

__asm__(
    ".pushsection .text\n"
    ".code16\n"
    ".globl smp_tramp_start, smp_tramp_gdt, smp_tramp_end\n"
    "smp_tramp_start:\n"
    "  cli\n"
    "  cld\n"
    "  movw %cs, %ax\n"
    "  movw %ax, %ds\n"
    "  lgdtl smp_tramp_gdt - smp_tramp_start\n"
    "  movl %cr0, %eax\n"
    "  andl $0x9fffffff, %eax\n"      /* CD = NW = 0 */
    "  orl $1, %eax\n"
    "  movl %eax, %cr0\n"
    "  ljmpl $0x18, $smp_ap32\n"
    "  .balign 8\n"
    "smp_tramp_gdt:\n"
    "  .word 0\n"
    "  .long 0\n"
    "smp_tramp_end:\n"
    ".code32\n"
    "smp_ap32:\n"
    "  movl $0x10, %eax\n"
    "  movl %eax, %ds\n"
    "  movl %eax, %es\n"
    "  movl %eax, %ss\n"
    "  movl %cr4, %eax\n"
    "  orl $0x620, %eax\n"            /* PAE, OSFXSR, OSXMMEXCPT */
    "  movl %eax, %cr4\n"
    "  movl $pml4, %eax\n"
    "  movl %eax, %cr3\n"
    "  movl $0xc0000080, %ecx\n"
    "  rdmsr\n"
    "  orl $0x901, %eax\n"            /* SCE, LME, NXE */
    "  wrmsr\n"
    "  movl %cr0, %eax\n"
    "  andl $~0x4, %eax\n"            /* EM = 0 */
    "  orl $0x80010023, %eax\n"       /* PG, WP, NE, MP, PE */
    "  movl %eax, %cr0\n"
    "  ljmpl $0x08, $smp_ap64\n"
    ".code64\n"
    "smp_ap64:\n"
    "  movl $0x10, %eax\n"
    "  movl %eax, %ds\n"
    "  movl %eax, %es\n"
    "  movl %eax, %ss\n"
    "  movl %eax, %fs\n"
    "  movl %eax, %gs\n"
    "  movq smp_boot_stack(%rip), %rsp\n"
    "  xorl %ebp, %ebp\n"
    "  fninit\n"
    "  ldmxcsr smp_mxcsr(%rip)\n"
    "  call smp_ap_main\n"
    "1: cli\n"
    "  hlt\n"
    "  jmp 1b\n"
    ".popsection\n");

#define AP_STACK_SIZE 16384

struct smp_slot {
    void (*fn)(void *);
    void *arg;
    int busy;   /* set by smp_run_on(), cleared by the CPU when fn returned */
    int up;     /* the AP reached smp_ap_main() */
};

static struct smp_slot slots[SMP_MAX_CPUS];
static char ap_stacks[SMP_MAX_CPUS][AP_STACK_SIZE] __attribute__((aligned(16)));
static struct { uint16_t limit; uint64_t base; } __attribute__((packed)) bsp_idtr;

int smp_cpu_index(void)
{
    uint32_t r[4];

    cpuid(1, 0, r);
    return (int)(r[1] >> 24);
}

void smp_ap_main(void)
{
    int me = smp_cpu_index();
    struct smp_slot *s = &slots[me];

    __asm__ volatile("lgdt %0" :: "m"(gdt_desc));
    __asm__ volatile("lidt %0" :: "m"(bsp_idtr));
    apic_write(0xf0, 0x1ff);    /* SVR: APIC software-enabled, spurious vector 0xff */
    __atomic_store_n(&s->up, 1, __ATOMIC_RELEASE);
    for (;;) {
        while (!__atomic_load_n(&s->busy, __ATOMIC_ACQUIRE))
            __asm__ volatile("pause");
        s->fn(s->arg);
        __atomic_store_n(&s->busy, 0, __ATOMIC_RELEASE);
    }
}

static void send_ipi(int apic_id, uint32_t lo)
{
    apic_write(0x310, (uint32_t)apic_id << 24);
    apic_write(0x300, lo);
    while (apic_read(0x300) & 0x1000)   /* delivery status: send pending */
        __asm__ volatile("pause");
}

/* Wait (bounded by the TSC) for CPU i to check in. */
static bool wait_up(int i, uint64_t ticks)
{
    uint64_t t0 = rdtsc();

    while (!__atomic_load_n(&slots[i].up, __ATOMIC_ACQUIRE)) {
        if (rdtsc() - t0 > ticks)
            return false;
        __asm__ volatile("pause");
    }
    return true;
}

int smp_start(int n)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr;
    uint8_t *tramp = (uint8_t *)SMP_TRAMPOLINE;
    int running = 1;

    if (n > SMP_MAX_CPUS)
        n = SMP_MAX_CPUS;
    memcpy(tramp, smp_tramp_start, (size_t)(smp_tramp_end - smp_tramp_start));
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    uint8_t *d = tramp + (smp_tramp_gdt - smp_tramp_start);
    uint32_t base32 = (uint32_t)gdtr.base;
    memcpy(d, &gdtr.limit, 2);
    memcpy(d + 2, &base32, 4);
    __asm__ volatile("sidt %0" : "=m"(bsp_idtr));
    slots[0].up = 1;
    for (int i = 1; i < n; i++) {
        if (slots[i].up) {
            running++;
            continue;
        }
        smp_boot_stack = (uint64_t)ap_stacks[i] + AP_STACK_SIZE;
        send_ipi(i, 0x4500);                                    /* INIT, assert */
        send_ipi(i, 0x4600 | (uint32_t)(SMP_TRAMPOLINE >> 12)); /* STARTUP */
        if (!wait_up(i, 2000000000ull)) {
            send_ipi(i, 0x4600 | (uint32_t)(SMP_TRAMPOLINE >> 12));
            if (!wait_up(i, 20000000000ull))
                continue;
        }
        running++;
    }
    return running;
}

void smp_run_on(int cpu, void (*fn)(void *), void *arg)
{
    if (cpu == smp_cpu_index()) {
        fn(arg);
        return;
    }
    if (cpu < 0 || cpu >= SMP_MAX_CPUS || !slots[cpu].up) {
        printf("smp_run_on: CPU %d is not running\n", cpu);
        exit(3);
    }
    smp_wait(cpu);
    slots[cpu].fn = fn;
    slots[cpu].arg = arg;
    __atomic_store_n(&slots[cpu].busy, 1, __ATOMIC_RELEASE);
}

void smp_wait(int cpu)
{
    if (cpu < 0 || cpu >= SMP_MAX_CPUS)
        return;
    while (__atomic_load_n(&slots[cpu].busy, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
}

void smp_call(int cpu, void (*fn)(void *), void *arg)
{
    smp_run_on(cpu, fn, arg);
    smp_wait(cpu);
}
