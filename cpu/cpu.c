/*
 * cpu/cpu.c: vCPU lifetime and state access, CPU models as data, CPUID
 * and the architectural MSRs (SDM vol. 2 CPUID; vol. 3 ch. 9 reset
 * state; vol. 4 MSRs).
 *
 * CPUID describes exactly what satori implements (DESIGN.md: CPU): the
 * models and the feature table are in cpu-models.c and cpu-features.h.  Leaves 0x40000000..0x4fffffff
 * go to the hypervisor hooks; with none, they follow Intel's rule for
 * leaves above the maximum (the highest basic leaf's data).
 */
#include "cpu/cpu-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"
#include "timers/timers.h"

static bool has(const struct cpu *cpu, const char *name)
{
    return cpu_config_has(&cpu->cfg, name);
}

static const struct cpu_model *model_of(const struct cpu *cpu)
{
    return cpu_model_find(cpu->cfg.model);
}

/* CPUID.1:EAX (SDM CPUID, figure 3-6): also EDX after reset. */
static uint32_t cpu_signature(const struct cpu_model *m)
{
    uint32_t fam = m->family, mod = m->model;
    uint32_t eax = m->stepping | ((mod & 0xf) << 4) | ((fam > 15 ? 15 : fam) << 8);

    if (fam == 6 || fam == 15)
        eax |= ((mod >> 4) & 0xf) << 16;
    if (fam > 15)
        eax |= (fam - 15) << 20;
    return eax;
}

static void str_regs(const char *s, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    char buf[16] = { 0 };

    strncpy(buf, s, sizeof buf);
    memcpy(a, buf, 4);
    memcpy(b, buf + 4, 4);
    memcpy(c, buf + 8, 4);
    if (d)
        memcpy(d, buf + 12, 4);
}

#define MAX_BASIC_LEAF 0xd
#define MAX_EXT_LEAF 0x80000008u

/* -smp topology: logical processors in this vCPU's package (cores x threads). */
static int cpu_logical_per_pkg(const struct cpu *cpu)
{
    return (cpu->cfg.cores > 1 ? cpu->cfg.cores : 1) * (cpu->cfg.threads > 1 ? cpu->cfg.threads : 1);
}

void cpu_cpuid(struct cpu *cpu, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    const struct cpu_model *m = model_of(cpu);
    const uint32_t *fw = cpu->cfg.feat;

    memset(r, 0, 4 * sizeof r[0]);
    if (leaf >= 0x40000000u && leaf <= 0x4fffffffu) {
        if (cpu->hv.cpuid && cpu->hv.cpuid(cpu->hv.opaque, leaf, sub, r))
            return;
        leaf = MAX_BASIC_LEAF; /* Intel: out-of-range leaves give the highest basic leaf */
    }
    if (leaf > MAX_BASIC_LEAF && leaf < 0x80000000u)
        leaf = MAX_BASIC_LEAF;
    if (leaf > MAX_EXT_LEAF)
        leaf = MAX_BASIC_LEAF;
    switch (leaf) {
    case 0: {
        char v[13];
        memcpy(v, m->vendor, 12);
        r[0] = MAX_BASIC_LEAF;
        memcpy(&r[1], v, 4);
        memcpy(&r[3], v + 4, 4);
        memcpy(&r[2], v + 8, 4);
        break;
    }
    case 1: {
        r[0] = cpu_signature(m);
        r[1] = (8u << 8) | ((uint32_t)cpu->index << 24); /* CLFLUSH 64 bytes */
        r[2] = fw[FW_1_ECX] | (cpu->hv.present ? 1u << 31 : 0);
        if ((fw[FW_1_ECX] >> 26 & 1) && (cpu->cr4 & CR4_OSXSAVE))
            r[2] |= 1u << 27;       /* OSXSAVE */
        r[3] = fw[FW_1_EDX];
        if (cpu_logical_per_pkg(cpu) > 1) {
            /* as QEMU: logical processors per package in EBX[23:16], and HTT */
            r[1] |= (uint32_t)cpu_logical_per_pkg(cpu) << 16;
            r[3] |= 1u << 28;
        }
        /* the APIC bits only with an APIC, EDX.APIC only while enabled */
        if (!cpu->intc.rdmsr)
            r[2] &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
        if (!cpu->intc.rdmsr || !(cpu->apic_base & APIC_BASE_EN))
            r[3] &= ~CPUID_1_EDX_APIC;
        break;
    }
    case 2:
        r[0] = 1;
        r[3] = 0x002c307d; /* QEMU's legacy descriptors */
        break;
    case 4:
        /* deterministic cache parameters: L1d 32K, L1i 32K, L2 4M as QEMU's defaults */
        switch (sub) {
        case 0: r[0] = 0x121; r[1] = 0x01c0003f; r[2] = 0x3f; break;
        case 1: r[0] = 0x122; r[1] = 0x01c0003f; r[2] = 0x3f; break;
        case 2: r[0] = 0x143; r[1] = 0x03c0003f; r[2] = 0xfff; r[3] = 1; break;
        default: break;
        }
        /* cores per package - 1 in EAX[31:26], threads sharing the cache - 1 in [25:14] */
        if (r[0]) {
            int cores = cpu->cfg.cores > 1 ? cpu->cfg.cores : 1;
            int threads = cpu->cfg.threads > 1 ? cpu->cfg.threads : 1;
            r[0] |= (uint32_t)(cores - 1) << 26 | (uint32_t)(threads - 1) << 14;
        }
        break;
    case 5:
        /* MONITOR/MWAIT: 64-byte monitor lines; MWAIT extensions and
         * interrupts as break events (ECX bit 0) */
        if (fw[FW_1_ECX] & (1u << 3)) {
            r[0] = r[1] = 64;
            r[2] = 3;
        }
        break;
    case 7:
        if (sub == 0) {
            r[1] = fw[FW_7_EBX];
            r[2] = fw[FW_7_ECX];
            r[3] = fw[FW_7_EDX];
        }
        break;
    case 0xd:
        if (fw[FW_1_ECX] >> 26 & 1)
            fpu_cpuid_xsave(cpu, sub, r);
        break;
    case 0x80000000u:
        r[0] = MAX_EXT_LEAF;
        break;
    case 0x80000001u:
        r[2] = fw[FW_81_ECX];
        r[3] = fw[FW_81_EDX];
        break;
    case 0x80000002u: case 0x80000003u: case 0x80000004u: {
        char brand[48] = { 0 };
        strncpy(brand, m->brand, sizeof brand - 1);
        memcpy(r, brand + (leaf - 0x80000002u) * 16, 16);
        break;
    }
    case 0x80000008u:
        r[0] = 0x3028; /* 40 physical, 48 virtual address bits */
        break;
    default:
        break;
    }
    (void)str_regs;
}

/* ---- MSRs ------------------------------------------------------------------- */

static bool canonical64(uint64_t v)
{
    return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

uint64_t cpu_rdtsc(struct cpu *cpu)
{
    return vclock_tsc() + (uint64_t)cpu->tsc_offset;
}

/* The MSRs the local APIC answers (struct cpu_intc). */
static bool apic_msr(const struct cpu *cpu, uint32_t msr)
{
    return cpu->intc.rdmsr && (msr == MSR_IA32_APIC_BASE || msr == MSR_IA32_TSC_DEADLINE
                               || (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST));
}

enum msr_result cpu_rdmsr(struct cpu *cpu, uint32_t msr, uint64_t *v)
{
    if (apic_msr(cpu, msr))
        return cpu->intc.rdmsr(cpu->intc.opaque, msr, v);
    switch (msr) {
    case MSR_IA32_TSC: *v = cpu_rdtsc(cpu); return MSR_OK;
    case MSR_IA32_APIC_BASE: *v = cpu->apic_base; return MSR_OK;
    case MSR_IA32_FEATURE_CONTROL: *v = cpu->feature_control; return MSR_OK;
    /* microcode revision as QEMU presents it to KVM guests (ucode-rev) */
    case MSR_IA32_UCODE_REV: *v = 0x100000000ull; return MSR_OK;
    case MSR_IA32_SYSENTER_CS: *v = cpu->sysenter_cs; return MSR_OK;
    case MSR_IA32_SYSENTER_ESP: *v = cpu->sysenter_esp; return MSR_OK;
    case MSR_IA32_SYSENTER_EIP: *v = cpu->sysenter_eip; return MSR_OK;
    case MSR_IA32_MISC_ENABLE: *v = cpu->misc_enable; return MSR_OK;
    case MSR_IA32_PAT: *v = cpu->pat; return MSR_OK;
    case MSR_EFER: *v = cpu->efer; return MSR_OK;
    case MSR_STAR: *v = cpu->star; return MSR_OK;
    case MSR_LSTAR: *v = cpu->lstar; return MSR_OK;
    case MSR_CSTAR: *v = cpu->cstar; return MSR_OK;
    case MSR_FMASK: *v = cpu->fmask; return MSR_OK;
    case MSR_FS_BASE: *v = cpu->seg[SEG_FS].base; return MSR_OK;
    case MSR_GS_BASE: *v = cpu->seg[SEG_GS].base; return MSR_OK;
    case MSR_KERNEL_GS_BASE: *v = cpu->kernel_gs_base; return MSR_OK;
    case MSR_TSC_AUX:
        if (!has(cpu, "rdtscp") && !has(cpu, "rdpid"))
            return MSR_GP;
        *v = cpu->tsc_aux;
        return MSR_OK;
    default:
        break;
    }
    if (cpu->hv.rdmsr) {
        enum msr_result r = cpu->hv.rdmsr(cpu->hv.opaque, msr, v);
        if (r != MSR_UNHANDLED)
            return r;
    }
    return MSR_GP;
}

enum msr_result cpu_wrmsr(struct cpu *cpu, uint32_t msr, uint64_t v)
{
    if (apic_msr(cpu, msr))
        return cpu->intc.wrmsr(cpu->intc.opaque, msr, v);
    switch (msr) {
    case MSR_IA32_FEATURE_CONTROL:
        /* SDM vol. 4, 2.1: writable until locked; with neither VMX nor SMX
         * the lock bit is the only valid bit (KVM: #GP otherwise) */
        if ((cpu->feature_control & 1) || (v & ~1ull))
            return MSR_GP;
        cpu->feature_control = v;
        return MSR_OK;
    case MSR_IA32_UCODE_REV:    /* the revision read back is fixed; KVM ignores guest writes */
    case MSR_IA32_UCODE_WRITE:  /* no microcode to load: accepted and ignored, as KVM does */
        return MSR_OK;
    case MSR_IA32_TSC:
        cpu->tsc_offset = (int64_t)(v - vclock_tsc());
        if (cpu->hv.tsc_changed)
            cpu->hv.tsc_changed(cpu->hv.opaque);
        return MSR_OK;
    case MSR_IA32_APIC_BASE:
        if (v & ~0xffffff000ull & ~0xd00ull)
            return MSR_GP;
        cpu->apic_base = v;
        return MSR_OK;
    case MSR_IA32_SYSENTER_CS: cpu->sysenter_cs = v & 0xffff; return MSR_OK;
    case MSR_IA32_SYSENTER_ESP:
    case MSR_IA32_SYSENTER_EIP:
        if (!canonical64(v))
            return MSR_GP;
        if (msr == MSR_IA32_SYSENTER_ESP)
            cpu->sysenter_esp = v;
        else
            cpu->sysenter_eip = v;
        return MSR_OK;
    case MSR_IA32_MISC_ENABLE:
        cpu->misc_enable = v;
        return MSR_OK;
    case MSR_IA32_PAT:
        for (int i = 0; i < 8; i++) {
            unsigned t = (v >> (i * 8)) & 0xff;
            if (t == 2 || t == 3 || t > 7)
                return MSR_GP;
        }
        cpu->pat = v;
        return MSR_OK;
    case MSR_EFER: {
        uint64_t ok = EFER_LME | (has(cpu, "syscall") ? EFER_SCE : 0) | (has(cpu, "nx") ? EFER_NXE : 0);
        if (v & ~(ok | EFER_LMA))
            return MSR_GP;
        if ((cpu->cr0 & CR0_PG) && ((v ^ cpu->efer) & EFER_LME))
            return MSR_GP;
        cpu->efer = (v & ok) | (cpu->efer & EFER_LMA);
        tlb_flush_all(cpu);
        cpu_update_hflags(cpu);
        return MSR_OK;
    }
    case MSR_STAR: cpu->star = v; return MSR_OK;
    case MSR_LSTAR: case MSR_CSTAR: case MSR_KERNEL_GS_BASE:
    case MSR_FS_BASE: case MSR_GS_BASE:
        if (!canonical64(v))
            return MSR_GP;
        if (msr == MSR_LSTAR) cpu->lstar = v;
        else if (msr == MSR_CSTAR) cpu->cstar = v;
        else if (msr == MSR_KERNEL_GS_BASE) cpu->kernel_gs_base = v;
        else if (msr == MSR_FS_BASE) cpu->seg[SEG_FS].base = v;
        else cpu->seg[SEG_GS].base = v;
        return MSR_OK;
    case MSR_FMASK: cpu->fmask = (uint32_t)v; return MSR_OK;
    case MSR_TSC_AUX:
        if ((!has(cpu, "rdtscp") && !has(cpu, "rdpid")) || (v >> 32))
            return MSR_GP;
        cpu->tsc_aux = v;
        return MSR_OK;
    default:
        break;
    }
    if (cpu->hv.wrmsr) {
        enum msr_result r = cpu->hv.wrmsr(cpu->hv.opaque, msr, v);
        if (r != MSR_UNHANDLED)
            return r;
    }
    return MSR_GP;
}

/* ---- lifetime ------------------------------------------------------------------ */

struct cpu *cpu_new(struct bus *bus, const struct cpu_config *cfg, int index)
{
    struct cpu *cpu = calloc(1, sizeof *cpu);

    if (!cpu)
        abort();
    cpu->bus = bus;
    cpu->cfg = *cfg;
    cpu->index = index;
    cpu->decode_features = cpu_feat_set(&cpu->cfg);
    cpu->sys_features = (has(cpu, "smep") ? SYSF_SMEP : 0) | (has(cpu, "smap") ? SYSF_SMAP : 0)
                      | (has(cpu, "umip") ? SYSF_UMIP : 0) | (has(cpu, "pcid") ? SYSF_PCID : 0)
                      | (has(cpu, "monitor") ? SYSF_MONITOR : 0);
    cpu->tlb_log_full = true;   /* the first flush clears every entry */
    cpu_exec_init(cpu);
    cpu_reset(cpu);
    return cpu;
}

void cpu_free(struct cpu *cpu)
{
    if (!cpu)
        return;
    cpu_group_leave(cpu);
    cpu_exec_free(cpu);
    mmu_free(cpu);
    free(cpu);
}

void cpu_reset(struct cpu *cpu)
{
    memset(cpu->regs, 0, sizeof cpu->regs);
    cpu->regs[2] = cpu_signature(model_of(cpu));
    cpu->rip = 0xfff0;
    cpu->eflags = EFLAGS_FIXED;
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->cr0 = CR0_ET | CR0_NW | CR0_CD;
    cpu->cr2 = cpu->cr3 = cpu->cr4 = cpu->cr8 = 0;
    cpu->efer = 0;
    for (int i = 0; i < 6; i++)
        cpu->seg[i] = (struct seg){ 0, 0, 0xffff, DESC_P | DESC_S | (3u << 8) };
    cpu->seg[SEG_CS] = (struct seg){ 0xf000, 0xffff0000u, 0xffff, DESC_P | DESC_S | (0xbu << 8) };
    cpu->ldtr = (struct seg){ 0, 0, 0xffff, DESC_P | (2u << 8) };
    cpu->tr = (struct seg){ 0, 0, 0xffff, DESC_P | (0xbu << 8) };
    cpu->gdtr = (struct dtr){ 0, 0xffff };
    cpu->idtr = (struct dtr){ 0, 0xffff };
    memset(cpu->dr, 0, sizeof cpu->dr);
    cpu->dr[6] = 0xffff0ff0;
    cpu->dr[7] = 0x400;
    cpu->star = cpu->lstar = cpu->cstar = cpu->fmask = cpu->kernel_gs_base = 0;
    cpu->sysenter_cs = cpu->sysenter_esp = cpu->sysenter_eip = 0;
    cpu->pat = 0x0007040600070406ull;
    cpu_set_apic_base(cpu, APIC_BASE_DEFAULT | (cpu->index == 0 ? APIC_BASE_BSP : 0) | APIC_BASE_EN);
    cpu->wait_sipi = false;
    cpu->misc_enable = 1;
    cpu->feature_control = 0;
    cpu->tsc_aux = 0;
    cpu->tsc_offset = -(int64_t)vclock_tsc();
    if (cpu->hv.tsc_changed)
        cpu->hv.tsc_changed(cpu->hv.opaque);
    cpu->xcr0 = 1;
    fpu_reset(cpu, true);
    cpu->halted = false;
    cpu->intr_line = false;
    cpu->nmi_pending = cpu->nmi_blocked = false;
    cpu->delivering = -1;
    cpu->hflags = 0;
    cpu_update_hflags(cpu);
    tlb_flush_all(cpu);
    tb_flush_all(cpu);
}

void cpu_enter_multiboot(struct cpu *cpu, uint32_t entry, uint32_t eax, uint32_t ebx)
{
    uint32_t code = DESC_P | DESC_S | DESC_B | DESC_G | (0xbu << 8);
    uint32_t data = DESC_P | DESC_S | DESC_B | DESC_G | (0x3u << 8);

    cpu->cr0 = CR0_PE | CR0_ET;
    for (int i = 0; i < 6; i++)
        cpu->seg[i] = (struct seg){ 0x10, 0, 0xffffffffu, data };
    cpu->seg[SEG_CS] = (struct seg){ 0x08, 0, 0xffffffffu, code };
    cpu->eflags = EFLAGS_FIXED;
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->regs[0] = eax;
    cpu->regs[3] = ebx;
    cpu->rip = entry;
    cpu_update_hflags(cpu);
    tlb_flush_all(cpu);
}

/* ---- accessors ---------------------------------------------------------------- */

uint64_t cpu_reg(struct cpu *cpu, enum cpu_reg r)
{
    if (r <= CPU_R15)
        return cpu->regs[r];
    switch (r) {
    case CPU_RIP: return cpu->rip;
    case CPU_RFLAGS: return cpu_get_rflags(cpu);
    case CPU_CR0: return cpu->cr0;
    case CPU_CR2: return cpu->cr2;
    case CPU_CR3: return cpu->cr3;
    case CPU_CR4: return cpu->cr4;
    case CPU_CR8: return cpu_get_cr8(cpu);
    case CPU_EFER: return cpu->efer;
    default: return 0;
    }
}

void cpu_set_reg(struct cpu *cpu, enum cpu_reg r, uint64_t v)
{
    if (r <= CPU_R15) {
        cpu->regs[r] = v;
        return;
    }
    switch (r) {
    case CPU_RIP: cpu->rip = v; break;
    case CPU_RFLAGS:
        cpu_set_rflags(cpu, v, ~0ull);
        cpu_update_hflags(cpu);
        break;
    case CPU_CR0: cpu->cr0 = v; cpu_update_hflags(cpu); tlb_flush_all(cpu); break;
    case CPU_CR2: cpu->cr2 = v; break;
    case CPU_CR3: cpu->cr3 = v; tlb_flush_all(cpu); break;
    case CPU_CR4: cpu->cr4 = v; cpu_update_hflags(cpu); tlb_flush_all(cpu); break;
    case CPU_CR8: cpu_put_cr8(cpu, v); break;
    case CPU_EFER: cpu->efer = v; cpu_update_hflags(cpu); tlb_flush_all(cpu); break;
    default: break;
    }
}

void cpu_xmm(struct cpu *cpu, int n, uint64_t out[2])
{
    out[0] = cpu->fpu.xmm[n & 15][0];
    out[1] = cpu->fpu.xmm[n & 15][1];
}

void cpu_set_xmm(struct cpu *cpu, int n, const uint64_t in[2])
{
    cpu->fpu.xmm[n & 15][0] = in[0];
    cpu->fpu.xmm[n & 15][1] = in[1];
}

int cpu_cpl(const struct cpu *cpu) { return (int)cpu_cpl_fast(cpu); }
int cpu_code_bits(const struct cpu *cpu)
{
    return (cpu->hflags & HF_CS64) ? 64 : (cpu->hflags & HF_CS32) ? 32 : 16;
}
bool cpu_long_mode(const struct cpu *cpu) { return cpu->efer & EFER_LMA; }
bool cpu_halted(const struct cpu *cpu) { return cpu->halted; }
uint64_t cpu_icount(const struct cpu *cpu)
{
    return cpu->icount + (uint64_t)(cpu->budget_mark - cpu->budget);
}
int64_t cpu_tsc_offset(const struct cpu *cpu) { return cpu->tsc_offset; }

void cpu_sync_tsc(struct cpu *cpu, const struct cpu *from)
{
    cpu->tsc_offset = from->tsc_offset;
    if (cpu->hv.tsc_changed)
        cpu->hv.tsc_changed(cpu->hv.opaque);
}

uint64_t cpu_runtime_ns(const struct cpu *cpu)
{
    if (cpu->in_run && !cpu->halted)
        return cpu->runtime_ns + (uint64_t)(vclock_ns() - cpu->run_start_ns);
    return cpu->runtime_ns;
}
int cpu_index(const struct cpu *cpu) { return cpu->index; }

void cpu_set_hv_hooks(struct cpu *cpu, const struct cpu_hv_hooks *hooks)
{
    cpu->hv = *hooks;
}

void cpu_set_intc(struct cpu *cpu, const struct cpu_intc *intc)
{
    cpu->intc = *intc;
    cpu_set_apic_base(cpu, cpu->apic_base);
}

void cpu_set_apic_base(struct cpu *cpu, uint64_t apic_base)
{
    uint64_t page = UINT64_MAX;

    if (cpu->intc.mmio_read && (apic_base & APIC_BASE_EN) && !(apic_base & APIC_BASE_EXTD))
        page = apic_base & APIC_BASE_ADDR_MASK;
    cpu->apic_base = apic_base;
    if (page != cpu->apic_mmio_page) {
        cpu->apic_mmio_page = page;
        tlb_flush_all(cpu);
    }
}

void cpu_apic_mmio_write(struct cpu *cpu, uint64_t pa, uint64_t v, unsigned size)
{
    const struct uop *u = cpu->cur;

    cpu->intc.mmio_write(cpu->intc.opaque, (uint32_t)(pa & 0xfff), (uint32_t)v, size);
    /* the store is the instruction's last micro-op: leave the block after it */
    if (u && u + 1 < tb_of(u)->ops + tb_of(u)->nuops && (u + 1)->idx != u->idx)
        cpu_exit_block(cpu, u->rip + u->len);
}

uint64_t cpu_get_cr8(struct cpu *cpu)
{
    if (cpu->intc.get_tpr)
        return cpu->intc.get_tpr(cpu->intc.opaque) >> 4;
    return cpu->cr8;
}

void cpu_put_cr8(struct cpu *cpu, uint64_t v)
{
    cpu->cr8 = v & 0xf;
    if (cpu->intc.set_tpr)
        cpu->intc.set_tpr(cpu->intc.opaque, (unsigned)(v & 0xf) << 4);
}

void cpu_init_signal(struct cpu *cpu)
{
    /* a vCPU sending INIT to itself is mid-block: take it at the next boundary */
    cpu->init_pending = true;
    cpu->exit_request = true;
    if (!cpu->in_run)
        cpu_take_init(cpu);
}

void cpu_take_init(struct cpu *cpu)
{
    /* what INIT keeps (SDM vol. 3, table 9-1 and 9.1.1) */
    struct fpu_state fpu = cpu->fpu;
    uint64_t xcr0 = cpu->xcr0, pat = cpu->pat, misc = cpu->misc_enable, aux = cpu->tsc_aux;
    uint64_t fctl = cpu->feature_control;
    uint64_t star = cpu->star, lstar = cpu->lstar, cstar = cpu->cstar, fmask = cpu->fmask;
    uint64_t kgs = cpu->kernel_gs_base, scs = cpu->sysenter_cs;
    uint64_t sesp = cpu->sysenter_esp, seip = cpu->sysenter_eip, apic_base = cpu->apic_base;
    int64_t tsc_offset = cpu->tsc_offset;
    void (*tsc_changed)(void *) = cpu->hv.tsc_changed;

    cpu->init_pending = false;
    cpu->hv.tsc_changed = NULL;
    cpu_reset(cpu);
    cpu->hv.tsc_changed = tsc_changed;
    cpu->fpu = fpu;
    cpu->xcr0 = xcr0;
    cpu->pat = pat;
    cpu->misc_enable = misc;
    cpu->feature_control = fctl;
    cpu->tsc_aux = aux;
    cpu->star = star;
    cpu->lstar = lstar;
    cpu->cstar = cstar;
    cpu->fmask = fmask;
    cpu->kernel_gs_base = kgs;
    cpu->sysenter_cs = scs;
    cpu->sysenter_esp = sesp;
    cpu->sysenter_eip = seip;
    cpu->tsc_offset = tsc_offset;
    cpu_set_apic_base(cpu, apic_base);
    if (!(apic_base & APIC_BASE_BSP)) {
        cpu->wait_sipi = true;
        cpu_set_halted(cpu, true);
    }
    cpu->exit_request = true;
}

void cpu_sipi(struct cpu *cpu, uint8_t vector)
{
    if (cpu->init_pending)
        cpu_take_init(cpu);
    if (!cpu->wait_sipi)
        return;
    cpu->wait_sipi = false;
    cpu->seg[SEG_CS] = (struct seg){ (uint16_t)(vector << 8), (uint64_t)vector << 12, 0xffff,
                                     DESC_P | DESC_S | (0xbu << 8) };
    cpu->rip = 0;
    cpu_update_hflags(cpu);
    cpu_set_halted(cpu, false);
    cpu->exit_request = true;
}

bool cpu_idle(const struct cpu *cpu)
{
    if (cpu->init_pending)
        return false;
    if (cpu->wait_sipi)
        return true;
    return cpu->halted && !cpu->nmi_pending && !(cpu->intr_line && (cpu->eflags & EFLAGS_IF));
}

bool cpu_waiting_for_sipi(const struct cpu *cpu)
{
    return cpu->wait_sipi || (cpu->init_pending && !(cpu->apic_base & APIC_BASE_BSP));
}

void cpu_set_intr(struct cpu *cpu, bool level)
{
    cpu->intr_line = level;
    if (level)
        cpu->exit_request = true;
}

void cpu_raise_nmi(struct cpu *cpu)
{
    cpu->nmi_pending = true;
    cpu->exit_request = true;
}

void cpu_invalidate_phys(struct cpu *cpu, uint64_t paddr, size_t len)
{
    tb_invalidate_phys(cpu, paddr, len);
}

void cpu_dump_state(struct cpu *cpu, FILE *out)
{
    static const char *const names[16] = {
        "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
        "R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15",
    };
    static const char *const sn[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };
    uint64_t fl = cpu_get_rflags(cpu);

    for (int i = 0; i < 16; i++)
        fprintf(out, "%s=%016llx%s", names[i], (unsigned long long)cpu->regs[i],
                (i & 3) == 3 ? "\n" : " ");
    fprintf(out, "RIP=%016llx RFL=%08llx [%c%c%c%c%c%c%c] CPL=%u II=%d HLT=%d\n",
            (unsigned long long)cpu->rip, (unsigned long long)fl,
            fl & EFLAGS_DF ? 'D' : '-', fl & EFLAGS_OF ? 'O' : '-', fl & EFLAGS_SF ? 'S' : '-',
            fl & EFLAGS_ZF ? 'Z' : '-', fl & EFLAGS_AF ? 'A' : '-', fl & EFLAGS_PF ? 'P' : '-',
            fl & EFLAGS_CF ? 'C' : '-', cpu_cpl_fast(cpu), !!(cpu->hflags & HF_INHIBIT),
            cpu->halted);
    for (int i = 0; i < 6; i++)
        fprintf(out, "%s =%04x %016llx %08x %08x\n", sn[i], cpu->seg[i].sel,
                (unsigned long long)cpu->seg[i].base, cpu->seg[i].limit, cpu->seg[i].attr);
    fprintf(out, "LDT=%04x %016llx %08x %08x\n", cpu->ldtr.sel,
            (unsigned long long)cpu->ldtr.base, cpu->ldtr.limit, cpu->ldtr.attr);
    fprintf(out, "TR =%04x %016llx %08x %08x\n", cpu->tr.sel,
            (unsigned long long)cpu->tr.base, cpu->tr.limit, cpu->tr.attr);
    fprintf(out, "GDT=     %016llx %08x\nIDT=     %016llx %08x\n",
            (unsigned long long)cpu->gdtr.base, cpu->gdtr.limit,
            (unsigned long long)cpu->idtr.base, cpu->idtr.limit);
    fprintf(out, "CR0=%08llx CR2=%016llx CR3=%016llx CR4=%08llx\n",
            (unsigned long long)cpu->cr0, (unsigned long long)cpu->cr2,
            (unsigned long long)cpu->cr3, (unsigned long long)cpu->cr4);
    fprintf(out, "EFER=%016llx\n", (unsigned long long)cpu->efer);
}

void cpu_dump_stats(struct cpu *cpu, FILE *out)
{
    fprintf(out, "blocks translated %llu, chained jumps %llu, invalidated %llu, lookups %llu\n"
                 "tlb fills %llu, tlb flushes %llu, exceptions %llu, interrupts %llu\n"
                 "instructions %llu\n",
            (unsigned long long)cpu->stats.tb_translated, (unsigned long long)cpu->stats.tb_chained,
            (unsigned long long)cpu->stats.tb_invalidated, (unsigned long long)cpu->stats.tb_lookups,
            (unsigned long long)cpu->stats.tlb_fills, (unsigned long long)cpu->stats.tlb_flushes,
            (unsigned long long)cpu->stats.exceptions, (unsigned long long)cpu->stats.interrupts,
            (unsigned long long)cpu_icount(cpu));
}
