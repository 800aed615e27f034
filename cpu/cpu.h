/*
 * cpu/ public interface: an x86-64 vCPU run by dynamic binary translation.
 *
 * The board creates vCPUs on a bus, loads their initial state, and calls
 * cpu_run() in instruction-count slices (DESIGN.md, Determinism).  The CPU
 * reaches the rest of the machine only through the bus (hw/hw.h), the
 * virtual clock (timers/timers.h), an interrupt-controller callback, and
 * three hypervisor hooks (CPUID range, MSR range, hypercall).
 */
#ifndef SATORI_CPU_H
#define SATORI_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct bus;
struct cpu;

/* ---- models and features ------------------------------------------------ */

/*
 * A CPU configuration: a named model plus +feat/-feat edits.  Features are
 * CPUID bits satori implements; a model can only offer implemented ones
 * (DESIGN.md: CPUID advertises exactly what is implemented).
 */
struct cpu_config {
    const char *model;      /* "qemu64", "host", "max", ... */
    uint32_t feat[8];       /* CPUID feature words, see cpu/cpu-models.c */
    uint64_t tsc_hz;        /* from the virtual clock */
    bool native_off;        /* -accel tcg,native=off: the portable backend only */
    /* -smp topology shown in CPUID leaves 1 and 4 (0 means 1), set by the board */
    int cores, threads;
};

/*
 * Select a model by name.  Returns 0, or -1 with err naming the model and
 * listing the known ones.
 */
int cpu_config_model(struct cpu_config *cfg, const char *name, char *err, size_t errlen);
/*
 * Turn a feature on or off ("+sse4.2", "x2apic=off" are split by the caller
 * into name/on).  Returns 0, or -1 with err listing the known features.
 */
int cpu_config_feature(struct cpu_config *cfg, const char *name, bool on,
                       char *err, size_t errlen);
void cpu_list_models(FILE *out);

/* ---- hypervisor hooks (implemented by hyperv/) -------------------------- */

enum msr_result { MSR_OK, MSR_GP, MSR_UNHANDLED };
enum hcall_result { HCALL_DONE, HCALL_UD };

struct cpu_hv_hooks {
    void *opaque;
    /* Leaves 0x40000000..0x4fffffff; false = not handled (vendor rule). */
    bool (*cpuid)(void *opaque, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
    /* Any MSR not architectural to cpu/ is offered here first. */
    enum msr_result (*rdmsr)(void *opaque, uint32_t msr, uint64_t *val);
    enum msr_result (*wrmsr)(void *opaque, uint32_t msr, uint64_t val);
    /* VMCALL/VMMCALL: registers are read and written through cpu_reg(). */
    enum hcall_result (*hypercall)(void *opaque, struct cpu *cpu);
    /* The guest wrote its TSC (reference TSC page parameters change). */
    void (*tsc_changed)(void *opaque);
    bool present;           /* CPUID.1:ECX[31] */
};

void cpu_set_hv_hooks(struct cpu *cpu, const struct cpu_hv_hooks *hooks);

/* ---- interrupt controller ---------------------------------------------- */

/*
 * The CPU's side of the interrupt interface.  ack is the INTR acknowledge
 * cycle (the local APIC's, or the 8259's when there is no APIC).  The
 * other members are the local APIC (hw/intc/lapic.c) as the CPU reaches
 * it; NULL when the machine has none:
 *  - rdmsr/wrmsr get IA32_APIC_BASE (0x1b), IA32_TSC_DEADLINE (0x6e0) and
 *    the x2APIC range 0x800-0x8ff; MSR_GP raises #GP(0) in the guest;
 *  - mmio_read/mmio_write get the 4 KiB xAPIC page (off = offset in it)
 *    while cpu_set_apic_base() says the xAPIC is enabled, wherever the
 *    base points (RAM under it is hidden, as on hardware);
 *  - get_tpr/set_tpr are MOV from/to CR8: CR8[3:0] = TPR[7:4] (SDM vol. 3,
 *    10.8.6.1).
 * With an APIC, CPUID.1 advertises "apic" only while it is enabled and
 * "x2apic"/"tsc-deadline" (if the model has them); without one, none.
 */
struct cpu_intc {
    void *opaque;
    /* INTR acknowledge: returns the vector, or -1 if nothing is pending. */
    int (*ack)(void *opaque);
    enum msr_result (*rdmsr)(void *opaque, uint32_t msr, uint64_t *val);
    enum msr_result (*wrmsr)(void *opaque, uint32_t msr, uint64_t val);
    uint32_t (*mmio_read)(void *opaque, uint32_t off, unsigned size);
    void (*mmio_write)(void *opaque, uint32_t off, uint32_t val, unsigned size);
    unsigned (*get_tpr)(void *opaque);
    void (*set_tpr)(void *opaque, unsigned tpr);
};

void cpu_set_intc(struct cpu *cpu, const struct cpu_intc *intc);

/* ---- FERR# (x87 error output; cpu/ops-x87.c) ---------------------------- */

/*
 * fn(opaque, true) is called when an unmasked x87 exception becomes
 * pending (FSW.ES set) while CR0.NE = 0, as FERR# is asserted; a PC
 * routes it to IRQ 13.  fn(opaque, false) when ES is cleared again
 * (FNCLEX, FNINIT, FLDCW/FLDENV/FRSTOR masking it).  With CR0.NE = 1 the
 * CPU raises #MF itself and does not call fn.
 */
void cpu_set_ferr_hook(struct cpu *cpu, void (*fn)(void *opaque, bool level), void *opaque);
/* INTR line level (from PIC/LAPIC); NMI edge. */
void cpu_set_intr(struct cpu *cpu, bool level);
void cpu_raise_nmi(struct cpu *cpu);
/*
 * The local APIC tells the CPU the IA32_APIC_BASE value after each change
 * (bit 11 EN, bit 10 EXTD, bits 35:12 base): the CPU maps the xAPIC page
 * there when EN && !EXTD and shows CPUID.1:EDX.APIC only when EN.
 */
void cpu_set_apic_base(struct cpu *cpu, uint64_t apic_base);
/*
 * INIT signal (SDM vol. 3, 9.1.1, table 9-1): the registers take their
 * INIT values (x87/SSE state, MTRR/PAT, EFER's neighbours and the TSC are
 * kept).  The BSP (IA32_APIC_BASE.BSP set) then runs from F000:FFF0; an AP
 * waits for a STARTUP IPI, taking no interrupt or NMI meanwhile.
 */
void cpu_init_signal(struct cpu *cpu);
/* STARTUP IPI: only while waiting for one; CS = vector << 8, base
 * vector << 12, IP = 0, real mode.  Ignored otherwise (SDM 10.6.1). */
void cpu_sipi(struct cpu *cpu, uint8_t vector);
bool cpu_waiting_for_sipi(const struct cpu *cpu);
/* Halted (or waiting for SIPI) with nothing that would wake it now: an
 * NMI, or INTR with IF set.  The board sleeps only then. */
bool cpu_idle(const struct cpu *cpu);

/* ---- lifetime and execution --------------------------------------------- */

struct cpu *cpu_new(struct bus *bus, const struct cpu_config *cfg, int index);
void cpu_free(struct cpu *cpu);
/* Power-on/INIT state: real mode, CS:IP = F000:FFF0. */
void cpu_reset(struct cpu *cpu);
/*
 * Multiboot entry state (Multiboot spec 3.2): 32-bit flat protected mode,
 * paging off, EAX = magic, EBX = info address, EIP = entry.
 */
void cpu_enter_multiboot(struct cpu *cpu, uint32_t entry, uint32_t eax, uint32_t ebx);

enum cpu_exit {
    CPU_EXIT_BUDGET,     /* executed the instruction budget */
    CPU_EXIT_HALTED,     /* HLT with nothing to wake it */
    CPU_EXIT_REQUEST,    /* cpu_kick() or a machine request */
    CPU_EXIT_TRIPLE_FAULT,
    CPU_EXIT_SHUTDOWN,   /* wanted by the guest (e.g. via hooks) */
};

/* Run at most max_insns guest instructions. */
enum cpu_exit cpu_run(struct cpu *cpu, int64_t max_insns);
/* Stop the running slice at the next block boundary. */
void cpu_kick(struct cpu *cpu);

bool cpu_halted(const struct cpu *cpu);
/* Instructions retired since power-on (the icount source). */
uint64_t cpu_icount(const struct cpu *cpu);
/* Virtual ns during which the vCPU ran (not halted): VP_RUNTIME. */
uint64_t cpu_runtime_ns(const struct cpu *cpu);
int cpu_index(const struct cpu *cpu);
/* The guest's TSC as RDTSC would read it now: vclock_tsc() + cpu_tsc_offset(). */
uint64_t cpu_rdtsc(struct cpu *cpu);
int64_t cpu_tsc_offset(const struct cpu *cpu);
/* Give cpu the TSC of `from` (the board, after resetting every vCPU, so
 * that all TSCs start from 0 together as on hardware). */
void cpu_sync_tsc(struct cpu *cpu, const struct cpu *from);
/* CPUID as the guest sees it (leaves 0x4xxxxxxx go through the hooks). */
void cpu_cpuid(struct cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* ---- register access (for hooks, loaders, gdb stub, tests) -------------- */

enum cpu_reg {
    CPU_RAX, CPU_RCX, CPU_RDX, CPU_RBX, CPU_RSP, CPU_RBP, CPU_RSI, CPU_RDI,
    CPU_R8, CPU_R9, CPU_R10, CPU_R11, CPU_R12, CPU_R13, CPU_R14, CPU_R15,
    CPU_RIP, CPU_RFLAGS,
    CPU_CR0, CPU_CR2, CPU_CR3, CPU_CR4, CPU_CR8, CPU_EFER,
};

uint64_t cpu_reg(struct cpu *cpu, enum cpu_reg r);
void cpu_set_reg(struct cpu *cpu, enum cpu_reg r, uint64_t v);
/* XMM register as two 64-bit halves (low first). */
void cpu_xmm(struct cpu *cpu, int n, uint64_t out[2]);
void cpu_set_xmm(struct cpu *cpu, int n, const uint64_t in[2]);
int cpu_cpl(const struct cpu *cpu);
/* 16, 32 or 64: the code size of the current CS. */
int cpu_code_bits(const struct cpu *cpu);
bool cpu_long_mode(const struct cpu *cpu);

/*
 * The vCPUs of one machine share guest memory, so code one of them
 * translated must be invalidated when any of them (or DMA) writes it:
 * cpu_set_group() makes cpus[0..n) one group (n <= CPU_GROUP_MAX), after
 * which "a page holds code" and invalidation cover every member.  A vCPU
 * in no group is a group of one.  cpu_free() leaves the group.
 */
#define CPU_GROUP_MAX 256
void cpu_set_group(struct cpu *const *cpus, int n);

/* Flush translated code and TLB for a physical range (DMA, hyperv pages):
 * in this vCPU's whole group. */
void cpu_invalidate_phys(struct cpu *cpu, uint64_t paddr, size_t len);
/* Flush the soft TLB (hypercall TLB flush uses the same path as CR3). */
void cpu_tlb_flush(struct cpu *cpu);
void cpu_tlb_flush_page(struct cpu *cpu, uint64_t vaddr);

/* Registers and mode in QEMU's -d cpu layout. */
void cpu_dump_state(struct cpu *cpu, FILE *out);

/* Built-in counters (blocks translated, chained, invalidated, ...). */
void cpu_dump_stats(struct cpu *cpu, FILE *out);

#endif
