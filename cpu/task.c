/*
 * cpu/task.c: hardware task switching (SDM vol. 3, ch. 7): far JMP and
 * CALL to a TSS descriptor or through a task gate, events through a task
 * gate in the IDT (32-bit kernels use them for #DF and NMI), and IRET
 * with EFLAGS.NT back to the task in the back link.  32-bit TSSs (type
 * 9/11) and 16-bit ones (type 1/3) are both read and written.
 *
 * The order follows 7.3: checks that fault in the old task's context
 * (#GP for the gate or descriptor privilege and type, #NP, #TS for a TSS
 * limit too small), the old state saved into the old TSS, busy bits and
 * the back link, TR and CR0.TS, then the new state (CR3 for a 32-bit
 * TSS, LDTR, EFLAGS, EIP, registers, selectors) is loaded -- the commit
 * point -- and only then the segment descriptors are checked and loaded,
 * so their faults (#TS, #NP, #SS with the selector) are delivered in the
 * new task's context, as is the T bit's #DB (DR6.BT).  An event's error
 * code is pushed on the new task's stack.
 *
 * Known deviations: no task switch in IA-32e mode (the architecture has
 * none: task gates there and IRET with NT raise #GP); the TSS pages are
 * not probed before anything is written (a #PF on the new TSS after the
 * old one was saved leaves the old TSS written, as a page fault in the
 * middle of the switch would on early processors); VM86 tasks load
 * real-mode style segments but VM86 itself is not emulated further.
 */
#include "cpu/cpu-internal.h"

#define TSS32_MIN_LIMIT 0x67
#define TSS16_MIN_LIMIT 0x2b
#define DESC_TYPE_BUSY  (2u << 8)

struct tss_state {
    uint32_t cr3, eip, eflags;
    uint32_t regs[8];
    uint16_t segs[6];   /* enum seg_reg order: ES CS SS DS FS GS */
    uint16_t ldt;
    bool trap;
};

/* Selector field offsets of the 32-bit TSS (ES CS SS DS FS GS), and the 16-bit one. */
static const uint8_t tss32_seg_off[6] = { 0x48, 0x4c, 0x50, 0x54, 0x58, 0x5c };
static const uint8_t tss16_seg_off[6] = { 0x22, 0x24, 0x26, 0x28, 0, 0 };

static void tss_read(struct cpu *cpu, gva_t base, bool t32, struct tss_state *t)
{
    memset(t, 0, sizeof *t);
    if (t32) {
        t->cr3 = (uint32_t)mmu_ld_sys(cpu, base + 0x1c, 4);
        t->eip = (uint32_t)mmu_ld_sys(cpu, base + 0x20, 4);
        t->eflags = (uint32_t)mmu_ld_sys(cpu, base + 0x24, 4);
        for (int i = 0; i < 8; i++)
            t->regs[i] = (uint32_t)mmu_ld_sys(cpu, base + 0x28 + 4 * (unsigned)i, 4);
        for (int s = 0; s < 6; s++)
            t->segs[s] = (uint16_t)mmu_ld_sys(cpu, base + tss32_seg_off[s], 2);
        t->ldt = (uint16_t)mmu_ld_sys(cpu, base + 0x60, 2);
        t->trap = mmu_ld_sys(cpu, base + 0x64, 2) & 1;
        return;
    }
    t->eip = (uint16_t)mmu_ld_sys(cpu, base + 0x0e, 2);
    t->eflags = (uint16_t)mmu_ld_sys(cpu, base + 0x10, 2);
    for (int i = 0; i < 8; i++)
        t->regs[i] = (uint16_t)mmu_ld_sys(cpu, base + 0x12 + 2 * (unsigned)i, 2);
    for (int s = 0; s < 4; s++)
        t->segs[s] = (uint16_t)mmu_ld_sys(cpu, base + tss16_seg_off[s], 2);
    t->ldt = (uint16_t)mmu_ld_sys(cpu, base + 0x2a, 2);
}

/* The dynamic fields of the outgoing task (7.2.1): EIP, EFLAGS, registers, selectors. */
static void tss_save(struct cpu *cpu, uint64_t eip, uint32_t eflags)
{
    gva_t base = cpu->tr.base;

    if (cpu->tr.attr & (8u << 8)) {
        mmu_st_sys(cpu, base + 0x20, 4, (uint32_t)eip);
        mmu_st_sys(cpu, base + 0x24, 4, eflags);
        for (int i = 0; i < 8; i++)
            mmu_st_sys(cpu, base + 0x28 + 4 * (unsigned)i, 4, (uint32_t)cpu->regs[i]);
        for (int s = 0; s < 6; s++)
            mmu_st_sys(cpu, base + tss32_seg_off[s], 2, cpu->seg[s].sel);
        return;
    }
    mmu_st_sys(cpu, base + 0x0e, 2, (uint16_t)eip);
    mmu_st_sys(cpu, base + 0x10, 2, (uint16_t)eflags);
    for (int i = 0; i < 8; i++)
        mmu_st_sys(cpu, base + 0x12 + 2 * (unsigned)i, 2, (uint16_t)cpu->regs[i]);
    for (int s = 0; s < 4; s++)
        mmu_st_sys(cpu, base + tss16_seg_off[s], 2, cpu->seg[s].sel);
}

static void set_busy(struct cpu *cpu, uint16_t sel, bool busy)
{
    gva_t where = cpu->gdtr.base + (sel & ~7u);
    uint32_t hi = (uint32_t)mmu_ld_sys(cpu, where + 4, 4);

    hi = busy ? hi | DESC_TYPE_BUSY : hi & ~DESC_TYPE_BUSY;
    mmu_st_sys(cpu, where + 4, 4, hi);
}

/* A fault after the commit point: delivered in the new task at its EIP. */
_Noreturn static void new_task_fault(struct cpu *cpu, int vector, uint16_t sel)
{
    cpu_raise_at(cpu, vector, true, sel & ~3u, cpu->rip);
}

/* LDTR from the new TSS: null leaves it unusable; else a present LDT in the GDT (#TS). */
static void load_ldt(struct cpu *cpu, uint16_t sel)
{
    uint32_t lo, hi;
    gva_t where;

    if ((sel & ~3u) == 0) {
        cpu->ldtr = (struct seg){ sel, 0, 0, 0 };
        return;
    }
    if ((sel & 4) || !desc_read(cpu, sel, &lo, &hi, &where) || ((hi >> 8) & 0x1f) != 0x02)
        new_task_fault(cpu, EXC_TS, sel);
    if (!(hi & DESC_P))
        new_task_fault(cpu, EXC_TS, sel);
    cpu->ldtr = (struct seg){ sel, desc_base(lo, hi), desc_limit(lo, hi), desc_attr(hi) };
}

/*
 * The new task's segment registers (7.3 step 13 and the #TS conditions of
 * table 7-1, checks made during a task switch): CS a code segment
 * whose DPL matches its RPL (equal, or <= for conforming), SS writable
 * data with RPL = DPL = CPL, data registers readable with DPL >= CPL and
 * RPL unless conforming code; null is allowed for data registers only.
 */
static void load_segs(struct cpu *cpu, const uint16_t segs[6], bool t32)
{
    unsigned cpl = segs[SEG_CS] & 3;
    static const int order[6] = { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS };

    if (cpu->eflags & EFLAGS_VM) {
        for (int s = 0; s < 6; s++)
            seg_load_real(cpu, s, segs[s]);
        return;
    }
    for (int i = 0; i < 6; i++) {
        int s = order[i];
        uint16_t sel = segs[s];
        uint32_t lo, hi;
        gva_t where;
        if (!t32 && (s == SEG_FS || s == SEG_GS)) {
            seg_set(cpu, s, 0, 0, 0, 0);
            continue;
        }
        if ((sel & ~3u) == 0) {
            if (s == SEG_CS || s == SEG_SS)
                new_task_fault(cpu, EXC_TS, sel);
            seg_set(cpu, s, sel, 0, 0, 0);
            continue;
        }
        if (!desc_read(cpu, sel, &lo, &hi, &where) || !(hi & DESC_S))
            new_task_fault(cpu, EXC_TS, sel);
        unsigned type = (hi >> 8) & 0xf, dpl = (hi >> DESC_DPL_SHIFT) & 3, rpl = sel & 3;
        bool code = type & 8, conforming = code && (type & 4);
        bool ok;
        if (s == SEG_CS)
            ok = code && (conforming ? dpl <= rpl : dpl == rpl);
        else if (s == SEG_SS)
            ok = !code && (type & 2) && rpl == cpl && dpl == cpl;
        else
            ok = (!code || (type & 2)) && (conforming || (dpl >= cpl && dpl >= rpl));
        if (!ok)
            new_task_fault(cpu, EXC_TS, sel);
        if (!(hi & DESC_P))
            new_task_fault(cpu, s == SEG_SS ? EXC_SS : EXC_NP, sel);
        desc_set_accessed(cpu, where, hi);
        seg_set(cpu, s, sel, desc_base(lo, hi), desc_limit(lo, hi), desc_attr(hi) | (1u << 8));
        if (s == SEG_CS || s == SEG_SS)
            cpu_update_hflags(cpu); /* CPL and stack size for what follows */
    }
}

void task_switch(struct cpu *cpu, uint16_t sel, enum task_reason why, uint64_t ret_rip,
                 bool has_err, uint32_t err)
{
    uint32_t lo, hi;
    gva_t where;
    int bad = why == TASK_IRET ? EXC_TS : EXC_GP;

    if (cpu->efer & EFER_LMA)
        cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
    /* the new TSS descriptor: in the GDT, a TSS, busy exactly for IRET */
    if ((sel & 4) || !desc_read(cpu, sel, &lo, &hi, &where))
        cpu_raise_exception_err(cpu, bad, sel & ~3u);
    unsigned type = (hi >> 8) & 0x1f;
    bool busy_wanted = why == TASK_IRET;
    if ((type & ~0x8u) != (busy_wanted ? 0x3u : 0x1u))
        cpu_raise_exception_err(cpu, bad, sel & ~3u);
    if (!(hi & DESC_P))
        cpu_raise_exception_err(cpu, EXC_NP, sel & ~3u);
    bool t32 = type & 8;
    uint32_t limit = desc_limit(lo, hi);
    if (limit < (t32 ? TSS32_MIN_LIMIT : TSS16_MIN_LIMIT))
        cpu_raise_exception_err(cpu, EXC_TS, sel & ~3u);
    if (cpu->tr.limit < ((cpu->tr.attr & (8u << 8)) ? TSS32_MIN_LIMIT : TSS16_MIN_LIMIT))
        cpu_raise_exception_err(cpu, EXC_TS, cpu->tr.sel & ~3u);
    gva_t nbase = desc_base(lo, hi);
    struct tss_state t;
    tss_read(cpu, nbase, t32, &t);

    /* save the old task; JMP and IRET leave it not busy; IRET clears NT in its image */
    uint32_t eflags = (uint32_t)cpu_get_rflags(cpu);
    if (why == TASK_IRET)
        eflags &= ~EFLAGS_NT;
    tss_save(cpu, ret_rip, eflags);
    uint16_t old_sel = cpu->tr.sel;
    if (why == TASK_JMP || why == TASK_IRET)
        set_busy(cpu, old_sel, false);
    if (why == TASK_CALL || why == TASK_INT) {
        mmu_st_sys(cpu, nbase, 2, old_sel);         /* back link */
        t.eflags |= EFLAGS_NT;
    }
    if (why != TASK_IRET)
        set_busy(cpu, sel, true);

    /* commit: TR, CR0.TS, CR3, then the new state */
    cpu->tr = (struct seg){ sel, nbase, limit, desc_attr(hi) | DESC_TYPE_BUSY };
    cpu->cr0 |= CR0_TS;
    cpu->delivering = -1;       /* faults from here on belong to the new task */
    if (t32 && (cpu->cr0 & CR0_PG)) {
        cpu->cr3 = t.cr3;
        tlb_flush_all(cpu);
    }
    cpu_set_rflags(cpu, t.eflags, t32 ? 0x3f7fd5u : 0x7fd5u);
    cpu->rip = t.eip;
    for (int i = 0; i < 8; i++) {
        if (t32)
            cpu->regs[i] = t.regs[i];
        else
            cpu->regs[i] = (cpu->regs[i] & ~0xffffull) | t.regs[i];
    }
    /* selectors first (with their cached parts as they were), then the checks */
    for (int s = 0; s < 6; s++)
        cpu->seg[s].sel = t.segs[s];
    cpu_update_hflags(cpu);
    load_ldt(cpu, t.ldt);
    load_segs(cpu, t.segs, t32);
    cpu_update_hflags(cpu);
    if (has_err)
        stack_push(cpu, t32 ? 4 : 2, err);
    if (t.trap) {
        cpu->dr[6] |= 1u << 15; /* BT */
        cpu_raise_at(cpu, EXC_DB, false, 0, cpu->rip);
    }
}

/*
 * A far JMP/CALL to a TSS descriptor or through a task gate (SDM vol. 2
 * CALL/JMP, "task gate" and "TSS" cases): the gate's or descriptor's DPL
 * must be >= CPL and the selector's RPL (#GP), it must be present (#NP).
 */
void task_far(struct cpu *cpu, uint16_t sel, uint32_t lo, uint32_t hi, bool call,
              uint64_t ret_rip)
{
    unsigned dpl = (hi >> DESC_DPL_SHIFT) & 3, type = (hi >> 8) & 0x1f;
    unsigned cpl = cpu_cpl_fast(cpu), rpl = sel & 3;

    if (dpl < cpl || dpl < rpl)
        cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
    if (type == 0x03 || type == 0x0b)
        cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);   /* busy TSS */
    if (!(hi & DESC_P))
        cpu_raise_exception_err(cpu, EXC_NP, sel & ~3u);
    if (type == 0x05)
        sel = (uint16_t)(lo >> 16);                          /* the gate's TSS selector */
    task_switch(cpu, sel, call ? TASK_CALL : TASK_JMP, ret_rip, false, 0);
}
