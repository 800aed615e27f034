/*
 * cpu/excp.c: exceptions and interrupts, segment loading and the far
 * control transfers (SDM vol. 3 ch. 3, 5, 6; vol. 2 for the instructions).
 *
 * Events are raised with cpu_raise_*(), which longjmp back to cpu_run();
 * it sets RIP and calls cpu_deliver_event(), which delivers through the
 * IDT in real, protected (32-bit gates) or IA-32e mode (16-byte gates,
 * IST, forced stack switch).  A fault while delivering escalates per
 * SDM table 6-5: contributory after contributory or #PF, or #PF after
 * #PF, gives #DF; a fault while delivering #DF is a triple fault.
 *
 * Task gates, far JMP/CALL to a TSS and IRET with NT switch tasks through
 * cpu/task.c.
 *
 * Known deviations: VM86 mode is not entered by IRET.
 */
#include "cpu/cpu-internal.h"

#include <stdio.h>

#include "cpu/translate.h"
#include "util/log.h"

/* ---- raising -------------------------------------------------------------- */

_Noreturn static void raise_event(struct cpu *cpu, struct cpu_event ev)
{
    cpu->pend = ev;
    cpu->stats.exceptions++;
    longjmp(cpu->jmp_env, 1);
}

void cpu_raise_exception(struct cpu *cpu, int vector)
{
    raise_event(cpu, (struct cpu_event){ .vector = vector });
}

void cpu_raise_exception_err(struct cpu *cpu, int vector, uint32_t error_code)
{
    raise_event(cpu, (struct cpu_event){ .vector = vector, .has_error = true,
                                         .error = error_code });
}

void cpu_raise_softint(struct cpu *cpu, int vector, uint64_t next_rip)
{
    raise_event(cpu, (struct cpu_event){ .vector = vector, .is_soft = true, .is_trap = true,
                                         .next_rip = next_rip });
}

/* A trap-like hardware exception (INT1, INTO's #OF, INT3's #BP use softint). */
_Noreturn static void raise_trap(struct cpu *cpu, int vector, uint64_t next_rip)
{
    raise_event(cpu, (struct cpu_event){ .vector = vector, .is_trap = true,
                                         .next_rip = next_rip });
}

void cpu_raise_at(struct cpu *cpu, int vector, bool has_error, uint32_t error, uint64_t rip)
{
    raise_event(cpu, (struct cpu_event){ .vector = vector, .has_error = has_error, .error = error,
                                         .is_trap = true, .next_rip = rip });
}

void cpu_exit_block(struct cpu *cpu, uint64_t next_rip)
{
    raise_event(cpu, (struct cpu_event){ .exit_only = true, .next_rip = next_rip });
}

/* ---- descriptors ---------------------------------------------------------- */

uint32_t desc_attr(uint32_t hi)
{
    return hi & 0x00f0ff00u;
}

uint64_t desc_base(uint32_t lo, uint32_t hi)
{
    return (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
}

uint32_t desc_limit(uint32_t lo, uint32_t hi)
{
    uint32_t l = (lo & 0xffff) | (hi & 0x000f0000u);
    return (hi & DESC_G) ? (l << 12) | 0xfff : l;
}

bool desc_read(struct cpu *cpu, uint16_t sel, uint32_t *lo, uint32_t *hi, gva_t *where)
{
    uint64_t base;
    uint32_t limit;

    if (sel & 4) {
        base = cpu->ldtr.base;
        limit = cpu->ldtr.limit;
        if (!(cpu->ldtr.attr & DESC_P))
            return false;
    } else {
        base = cpu->gdtr.base;
        limit = cpu->gdtr.limit;
    }
    if ((uint32_t)(sel & ~7u) + 7 > limit)
        return false;
    *where = base + (sel & ~7u);
    *lo = (uint32_t)mmu_ld_sys(cpu, *where, 4);
    *hi = (uint32_t)mmu_ld_sys(cpu, *where + 4, 4);
    return true;
}

void desc_set_accessed(struct cpu *cpu, gva_t where, uint32_t hi)
{
    if (!(hi & (1u << 8)))
        mmu_st_sys(cpu, where + 4, 4, hi | (1u << 8));
}

void seg_set(struct cpu *cpu, int seg, uint16_t sel, uint64_t base, uint32_t limit,
             uint32_t attr)
{
    cpu->seg[seg].sel = sel;
    cpu->seg[seg].base = base;
    cpu->seg[seg].limit = limit;
    cpu->seg[seg].attr = attr;
    cpu_update_seg_chk(cpu);
}

/*
 * Real mode: a segment load sets the selector and base = sel << 4 and
 * keeps the limit and attributes cached from protected mode (SDM vol. 3,
 * 9.9.2 and 20.1.1: "unreal mode" when those were 4 GiB), as hardware and
 * QEMU do.  VM86 mode loads the full real-mode segment: 64 KiB, DPL 3.
 */
void seg_load_real(struct cpu *cpu, int seg, uint16_t sel)
{
    if (!(cpu->eflags & EFLAGS_VM)) {
        cpu->seg[seg].sel = sel;
        cpu->seg[seg].base = (uint64_t)sel << 4;
        return;
    }
    uint32_t attr = DESC_P | DESC_S | (3u << 8) | (seg == SEG_CS ? (0xbu << 8) : 0)
                  | (3u << DESC_DPL_SHIFT);
    seg_set(cpu, seg, sel, (uint64_t)sel << 4, 0xffff, attr);
}

/* Protected mode proper (not real mode, not VM86): type checks apply. */
static bool seg_prot(const struct cpu *cpu)
{
    return (cpu->cr0 & CR0_PE) && !(cpu->eflags & EFLAGS_VM);
}

void cpu_update_seg_chk(struct cpu *cpu)
{
    uint8_t m = 0;

    if (!(cpu->hflags & HF_CS64)) {
        bool pm = seg_prot(cpu);
        for (int i = SEG_ES; i <= SEG_GS; i++) {
            const struct seg *s = &cpu->seg[i];
            unsigned type = (s->attr >> 8) & 0xf;
            bool flat = s->limit == 0xffffffffu
                        && (pm ? (s->attr & DESC_P) && (type & 0xe) == 0x2 : (type & 0xc) != 0x4);
            if (!flat)
                m |= (uint8_t)(1u << i);
        }
    }
    cpu->seg_chk = m;
}

/*
 * SDM vol. 3, 5.3 (limit checking, expand-down segments with the B flag
 * giving the upper bound), 5.5 and 3.4.5.1 (types), vol. 2 "Protected
 * Mode Exceptions" of any memory instruction: #GP(0) for an effective
 * address outside the DS/ES/FS/GS/CS segment, a null selector, a write
 * to a code or read-only data segment, a read of an execute-only code
 * segment; #SS(0) for an address outside SS.  Real mode checks the
 * (cached) limit only.
 */
/* Is [off, off + size) inside a segment of this limit and these attributes? */
static bool range_in_seg(uint32_t limit, uint32_t attr, uint64_t off, unsigned size)
{
    uint64_t last = off + size - 1;

    if (((attr >> 8) & 0xc) == 0x4) {
        uint64_t upper = (attr & DESC_B) ? 0xffffffffu : 0xffffu;
        return off > limit && last <= upper;
    }
    return last <= limit;
}

void seg_check(struct cpu *cpu, unsigned seg, uint64_t off, unsigned size, bool write)
{
    const struct seg *s = &cpu->seg[seg];
    int vec = seg == SEG_SS ? EXC_SS : EXC_GP;
    unsigned type = (s->attr >> 8) & 0xf;

    if (seg_prot(cpu)) {
        if (!(s->attr & DESC_P))
            cpu_raise_exception_err(cpu, vec, 0);
        if (write ? (type & 8) || !(type & 2) : (type & 0xa) == 0x8)
            cpu_raise_exception_err(cpu, EXC_GP, 0);
    }
    if (!range_in_seg(s->limit, s->attr, off, size))
        cpu_raise_exception_err(cpu, vec, 0);
}

/*
 * The frame a legacy event delivery or call-gate CALL pushes, n slots of
 * w bytes below esp (each push wrapping as ESP/SP does), must fit the
 * stack segment (limit, attr): #SS(err), err being 0 on the current
 * stack and the new SS selector on a new one.
 */
static void frame_check(struct cpu *cpu, uint32_t limit, uint32_t attr, uint32_t esp,
                        unsigned n, unsigned w, bool ss32, uint32_t err)
{
    for (unsigned i = 1; i <= n; i++) {
        uint32_t pos = esp - i * w;
        if (!ss32)
            pos &= 0xffff;
        if (!range_in_seg(limit, attr, pos, w))
            cpu_raise_exception_err(cpu, EXC_SS, err);
    }
}

/* The offset of a far transfer must lie within the new code segment
 * (#GP(0)), unless that is a 64-bit code segment in IA-32e mode. */
static void check_cs_offset(struct cpu *cpu, uint32_t hi, uint32_t lo, uint64_t off)
{
    if ((cpu->efer & EFER_LMA) && (hi & DESC_L))
        return;
    if (off > desc_limit(lo, hi))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
}

void seg_load(struct cpu *cpu, int seg, uint16_t sel)
{
    uint32_t lo, hi;
    gva_t where;
    unsigned cpl = cpu_cpl_fast(cpu), rpl = sel & 3;

    if (!(cpu->cr0 & CR0_PE) || (cpu->eflags & EFLAGS_VM)) {
        seg_load_real(cpu, seg, sel);
        return;
    }
    if ((sel & ~3u) == 0) {
        if (seg == SEG_SS && !((cpu->hflags & HF_CS64) && cpl != 3 && rpl == cpl))
            cpu_raise_exception_err(cpu, EXC_GP, 0);
        /* null: unusable (64-bit mode keeps the base of FS/GS as is) */
        seg_set(cpu, seg, sel, (cpu->hflags & HF_CS64) ? cpu->seg[seg].base : 0, 0,
                seg == SEG_SS ? ((uint32_t)cpl << DESC_DPL_SHIFT) | DESC_B : 0);
        return;
    }
    if (!desc_read(cpu, sel, &lo, &hi, &where))
        cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
    unsigned dpl = (hi >> DESC_DPL_SHIFT) & 3;
    unsigned type = (hi >> 8) & 0xf;
    if (!(hi & DESC_S))
        cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
    if (seg == SEG_SS) {
        /* writable data, RPL = DPL = CPL */
        if ((type & 8) || !(type & 2) || rpl != cpl || dpl != cpl)
            cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
        if (!(hi & DESC_P))
            cpu_raise_exception_err(cpu, EXC_SS, sel & ~3u);
    } else {
        /* readable; data or non-conforming code needs max(CPL, RPL) <= DPL */
        if ((type & 0xa) == 0x8)
            cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
        if ((!(type & 8) || !(type & 4)) && (rpl > dpl || cpl > dpl))
            cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
        if (!(hi & DESC_P))
            cpu_raise_exception_err(cpu, EXC_NP, sel & ~3u);
    }
    desc_set_accessed(cpu, where, hi);
    seg_set(cpu, seg, sel, desc_base(lo, hi), desc_limit(lo, hi), desc_attr(hi) | (1u << 8));
    if (seg == SEG_SS)
        cpu_update_hflags(cpu);
}

/* Load CS for a far transfer to privilege level new_cpl (checks done by caller). */
static void load_cs(struct cpu *cpu, uint16_t sel, uint32_t lo, uint32_t hi, gva_t where,
                    unsigned new_cpl)
{
    desc_set_accessed(cpu, where, hi);
    seg_set(cpu, SEG_CS, (uint16_t)((sel & ~3u) | new_cpl), desc_base(lo, hi),
            desc_limit(lo, hi), desc_attr(hi) | (1u << 8));
}

/* The 64-bit stack pointer at byte `off` of the IA-32e TSS (RSPn, ISTn); #TS past its limit. */
static uint64_t tss_rsp(struct cpu *cpu, unsigned off)
{
    if (off + 7 > cpu->tr.limit)
        cpu_raise_exception_err(cpu, EXC_TS, cpu->tr.sel & ~3u);
    return mmu_ld_sys(cpu, cpu->tr.base + off, 8);
}

/*
 * SS:ESP for privilege level `pl` from a legacy TSS (32- or 16-bit, by its
 * type), with the checks the new SS gets: #TS(SS) unless it is a present
 * writable data segment with RPL = DPL = pl, #SS(SS) if not present.
 */
static void tss_legacy_stack(struct cpu *cpu, unsigned pl, uint16_t *ss, uint32_t *esp,
                             uint32_t *slo, uint32_t *shi)
{
    bool tss32 = cpu->tr.attr & (8u << 8);
    unsigned off = tss32 ? 4 + pl * 8 : 2 + pl * 4;
    gva_t swhere;

    if (off + (tss32 ? 5 : 3) > cpu->tr.limit)
        cpu_raise_exception_err(cpu, EXC_TS, cpu->tr.sel & ~3u);
    *esp = (uint32_t)mmu_ld_sys(cpu, cpu->tr.base + off, tss32 ? 4 : 2);
    *ss = (uint16_t)mmu_ld_sys(cpu, cpu->tr.base + off + (tss32 ? 4 : 2), 2);
    if ((*ss & ~3u) == 0 || (*ss & 3) != pl || !desc_read(cpu, *ss, slo, shi, &swhere)
        || ((*shi >> DESC_DPL_SHIFT) & 3) != pl || !(*shi & DESC_S)
        || (*shi & (1u << 11)) || !(*shi & (1u << 9)))
        cpu_raise_exception_err(cpu, EXC_TS, *ss & ~3u);
    if (!(*shi & DESC_P))
        cpu_raise_exception_err(cpu, EXC_SS, *ss & ~3u);
}

/* Fetch and check a code-segment descriptor for a far JMP/CALL/RET/IRET. */
static void check_code_desc(struct cpu *cpu, uint16_t sel, uint32_t *lo, uint32_t *hi,
                            gva_t *where)
{
    if ((sel & ~3u) == 0)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    if (!desc_read(cpu, sel, lo, hi, where))
        cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
    if (!(*hi & DESC_S) || !(*hi & (1u << 11)))
        cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u); /* gates and TSSs: the callers */
    if (!(*hi & DESC_P))
        cpu_raise_exception_err(cpu, EXC_NP, sel & ~3u);
}

void cpu_update_hflags(struct cpu *cpu)
{
    uint32_t f = cpu->hflags & HF_INHIBIT;
    const struct seg *cs = &cpu->seg[SEG_CS];

    if (cpu->cr0 & CR0_PE) {
        f |= HF_PE;
        if (cpu->eflags & EFLAGS_VM)
            f |= HF_VM | 3;
        else
            f |= (cs->attr >> DESC_DPL_SHIFT) & 3;
    }
    if (cpu->efer & EFER_LMA) {
        f |= HF_LMA;
        if (cs->attr & DESC_L)
            f |= HF_CS64;
    }
    /* real mode too: the D/B bits cached from protected mode stay in force */
    if (!(f & HF_CS64) && (cs->attr & DESC_B) && !(f & HF_VM))
        f |= HF_CS32;
    if ((cpu->seg[SEG_SS].attr & DESC_B) && !(f & HF_VM))
        f |= HF_SS32;
    if (cpu->eflags & EFLAGS_TF) f |= HF_TF;
    if (cpu->dr[7] & 0xff) f |= HF_DBG;
    if (cpu->cr0 & CR0_EM) f |= HF_EM;
    if (cpu->cr0 & CR0_TS) f |= HF_TS;
    if (cpu->cr0 & CR0_MP) f |= HF_MP;
    if (cpu->cr4 & CR4_OSFXSR) f |= HF_OSFXSR;
    cpu->hflags = f;
    cpu_update_mmu_idx(cpu);
    cpu_update_seg_chk(cpu);
}

/* ---- delivery --------------------------------------------------------------- */

static bool contributory(int v)
{
    return v == EXC_DE || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP;
}

static bool pushes_error(int v)
{
    return v == EXC_DF || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP
        || v == EXC_PF || v == EXC_AC;
}

static void deliver_real(struct cpu *cpu, int vector, uint64_t ret)
{
    gva_t ent = cpu->idtr.base + (uint64_t)vector * 4;

    if ((uint32_t)vector * 4 + 3 > cpu->idtr.limit)
        cpu_raise_exception_err(cpu, EXC_GP, (uint32_t)vector * 8 + 2);
    uint32_t v = (uint32_t)mmu_ld_sys(cpu, ent, 4);
    stack_push(cpu, 2, cpu_get_rflags(cpu));
    stack_push(cpu, 2, cpu->seg[SEG_CS].sel);
    stack_push(cpu, 2, ret);
    cpu->eflags &= ~(EFLAGS_IF | EFLAGS_TF | EFLAGS_AC | EFLAGS_RF);
    seg_load_real(cpu, SEG_CS, (uint16_t)(v >> 16));
    cpu->rip = v & 0xffff;
}

/* Protected-mode (32-bit gates) and IA-32e (16-byte gates) delivery. */
static void deliver_prot(struct cpu *cpu, int vector, bool is_soft, bool has_error,
                         uint32_t error, uint64_t ret)
{
    bool lm = cpu->efer & EFER_LMA;
    unsigned esz = lm ? 16 : 8;
    uint32_t gerr = (uint32_t)vector * 8 + 2 + (is_soft ? 0 : 1);
    unsigned cpl = cpu_cpl_fast(cpu);

    if ((uint32_t)vector * esz + esz - 1 > cpu->idtr.limit)
        cpu_raise_exception_err(cpu, EXC_GP, gerr);
    gva_t ent = cpu->idtr.base + (uint64_t)vector * esz;
    uint32_t lo = (uint32_t)mmu_ld_sys(cpu, ent, 4), hi = (uint32_t)mmu_ld_sys(cpu, ent + 4, 4);
    uint64_t off_hi = lm ? (uint32_t)mmu_ld_sys(cpu, ent + 8, 4) : 0;
    unsigned type = (hi >> 8) & 0x1f, gdpl = (hi >> DESC_DPL_SHIFT) & 3;
    bool is32 = true, trap;

    switch (type) {
    case 0x0e: trap = false; break;
    case 0x0f: trap = true; break;
    case 0x06: trap = false; is32 = false; break;
    case 0x07: trap = true; is32 = false; break;
    case 0x05:
        /* task gate (legacy mode only): the handler is a task (SDM vol. 3, 6.12.2) */
        if (lm || (is_soft && gdpl < cpl))
            cpu_raise_exception_err(cpu, EXC_GP, gerr);
        if (!(hi & DESC_P))
            cpu_raise_exception_err(cpu, EXC_NP, gerr);
        task_switch(cpu, (uint16_t)(lo >> 16), TASK_INT, ret, has_error && pushes_error(vector),
                    error);
        return;
    default:
        cpu_raise_exception_err(cpu, EXC_GP, gerr);
    }
    if (lm && !is32)
        cpu_raise_exception_err(cpu, EXC_GP, gerr);
    if (is_soft && gdpl < cpl)
        cpu_raise_exception_err(cpu, EXC_GP, gerr);
    if (!(hi & DESC_P))
        cpu_raise_exception_err(cpu, EXC_NP, gerr);
    uint16_t csel = (uint16_t)(lo >> 16);
    uint64_t target = (lo & 0xffff) | (hi & 0xffff0000u) | (off_hi << 32);
    uint32_t clo, chi;
    gva_t cwhere;
    if ((csel & ~3u) == 0)
        cpu_raise_exception_err(cpu, EXC_GP, is_soft ? 0 : 1);
    if (!desc_read(cpu, csel, &clo, &chi, &cwhere) || !(chi & DESC_S) || !(chi & (1u << 11)))
        cpu_raise_exception_err(cpu, EXC_GP, (csel & ~3u) + (is_soft ? 0 : 1));
    unsigned dpl = (chi >> DESC_DPL_SHIFT) & 3;
    if (dpl > cpl)
        cpu_raise_exception_err(cpu, EXC_GP, (csel & ~3u) + (is_soft ? 0 : 1));
    if (!(chi & DESC_P))
        cpu_raise_exception_err(cpu, EXC_NP, (csel & ~3u) + (is_soft ? 0 : 1));
    if (lm && (!(chi & DESC_L) || (chi & DESC_B)))
        cpu_raise_exception_err(cpu, EXC_GP, (csel & ~3u) + (is_soft ? 0 : 1));
    unsigned new_cpl = (chi & (1u << 10)) ? cpl : dpl; /* conforming keeps CPL */
    check_cs_offset(cpu, chi, clo, is32 ? (uint32_t)target : target & 0xffff);
    uint64_t old_rsp = cpu->regs[4], old_flags = cpu_get_rflags(cpu);
    uint16_t old_ss = cpu->seg[SEG_SS].sel, old_cs = cpu->seg[SEG_CS].sel;
    unsigned ist = lm ? (unsigned)(hi & 7) : 0;

    if (lm) {
        uint64_t rsp = cpu->regs[4];
        if (new_cpl != cpl || ist)
            rsp = tss_rsp(cpu, ist ? 0x24 + (ist - 1) * 8 : 4 + new_cpl * 8);
        rsp &= ~0xfull;
        /* push the frame with supervisor accesses */
        uint64_t frame[6];
        int n = 0;
        frame[n++] = old_ss;
        frame[n++] = old_rsp;
        frame[n++] = old_flags;
        frame[n++] = old_cs;
        frame[n++] = ret;
        bool err = has_error && pushes_error(vector);
        if (err)
            frame[n++] = error;
        for (int i = 0; i < n; i++) {
            rsp -= 8;
            if ((uint64_t)((int64_t)(rsp << 16) >> 16) != rsp)
                cpu_raise_exception_err(cpu, EXC_SS, 0);
            mmu_st_sys(cpu, rsp, 8, frame[i]);
        }
        if (new_cpl != cpl)
            seg_set(cpu, SEG_SS, (uint16_t)new_cpl, 0, 0,
                    ((uint32_t)new_cpl << DESC_DPL_SHIFT) | DESC_B | DESC_P | DESC_S | (3u << 8));
        load_cs(cpu, csel, clo, chi, cwhere, new_cpl);
        cpu->regs[4] = rsp;
        cpu->rip = target;
    } else {
        uint32_t esp = (uint32_t)cpu->regs[4];
        gva_t ss_base = cpu->seg[SEG_SS].base;
        bool ss32 = cpu->hflags & HF_SS32;
        unsigned w = is32 ? 4 : 2;
        unsigned slots = (new_cpl != cpl ? 5 : 3) + (has_error && pushes_error(vector));
        if (new_cpl != cpl) {
            uint16_t ss;
            uint32_t slo, shi;
            tss_legacy_stack(cpu, new_cpl, &ss, &esp, &slo, &shi);
            frame_check(cpu, desc_limit(slo, shi), desc_attr(shi), esp, slots, w, shi & DESC_B,
                        ss & ~3u);
            seg_set(cpu, SEG_SS, ss, desc_base(slo, shi), desc_limit(slo, shi),
                    desc_attr(shi) | (1u << 8));
            ss_base = cpu->seg[SEG_SS].base;
            ss32 = shi & DESC_B;
        } else {
            frame_check(cpu, cpu->seg[SEG_SS].limit, cpu->seg[SEG_SS].attr, esp, slots, w, ss32,
                        0);
        }
        uint64_t frame[6];
        int n = 0;
        if (new_cpl != cpl) {
            frame[n++] = old_ss;
            frame[n++] = old_rsp;
        }
        frame[n++] = old_flags;
        frame[n++] = old_cs;
        frame[n++] = ret;
        if (has_error && pushes_error(vector))
            frame[n++] = error;
        for (int i = 0; i < n; i++) {
            esp -= w;
            if (!ss32)
                esp &= 0xffff;
            mmu_st_sys(cpu, ss_base + esp, w, frame[i]);
        }
        load_cs(cpu, csel, clo, chi, cwhere, new_cpl);
        if (ss32)
            cpu->regs[4] = esp;
        else
            cpu->regs[4] = (cpu->regs[4] & ~0xffffull) | (esp & 0xffff);
        cpu->rip = is32 ? (uint32_t)target : (target & 0xffff);
    }
    cpu->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
    if (!trap)
        cpu->eflags &= ~EFLAGS_IF;
    cpu_update_hflags(cpu);
}

void cpu_do_interrupt(struct cpu *cpu, int vector, bool is_soft, bool has_error,
                      uint32_t error_code, uint64_t return_rip)
{
    if (log_on(LOG_INT))
        log_printf("cpu %d: exception/interrupt 0x%02x%s err=0x%x at %04x:%016llx cpl=%u\n",
                   cpu->index, vector, is_soft ? " (soft)" : "", has_error ? error_code : 0,
                   cpu->seg[SEG_CS].sel, (unsigned long long)cpu->rip, cpu_cpl_fast(cpu));
    cpu->delivering = vector;
    cpu_set_halted(cpu, false);
    if (!(cpu->cr0 & CR0_PE))
        deliver_real(cpu, vector, return_rip);
    else
        deliver_prot(cpu, vector, is_soft, has_error, error_code, return_rip);
    cpu->delivering = -1;
    cpu->stats.interrupts++;
}

void cpu_deliver_event(struct cpu *cpu)
{
    struct cpu_event ev = cpu->pend;
    int prev = cpu->delivering;

    if (prev >= 0 && !ev.is_soft) {
        /* a fault while delivering `prev` (SDM vol. 3, table 6-5) */
        cpu->delivering = -1;
        if (prev == EXC_DF) {
            if (log_on(LOG_INT))
                log_printf("triple fault\n");
            cpu->exit_reason = CPU_EXIT_TRIPLE_FAULT;
            cpu->exit_request = true;
            return;
        }
        if ((contributory(prev) && contributory(ev.vector))
            || (prev == EXC_PF && (ev.vector == EXC_PF || contributory(ev.vector)))) {
            ev = (struct cpu_event){ .vector = EXC_DF, .has_error = true, .error = 0 };
        }
    }
    cpu->delivering = -1;
    uint64_t ret = cpu->rip;
    if (cpu->pend.is_trap)
        ret = cpu->pend.next_rip;
    cpu_do_interrupt(cpu, ev.vector, ev.is_soft, ev.has_error, ev.error, ret);
}

bool cpu_check_interrupts(struct cpu *cpu)
{
    if (cpu->wait_sipi)
        return false;   /* only a STARTUP IPI wakes it (SDM vol. 3, 8.4.3) */
    if (cpu->nmi_pending && !cpu->nmi_blocked) {
        cpu->nmi_pending = false;
        cpu->nmi_blocked = true;
        cpu_do_interrupt(cpu, EXC_NMI, false, false, 0, cpu->rip);
        return true;
    }
    if (cpu->intr_line && (cpu->eflags & EFLAGS_IF) && cpu->intc.ack) {
        int v = cpu->intc.ack(cpu->intc.opaque);
        if (v < 0)
            return false;
        cpu_do_interrupt(cpu, v, false, false, 0, cpu->rip);
        return true;
    }
    return false;
}

/* ---- far transfers (tr_far) ----------------------------------------------- */

static const struct uop *uop_int(struct cpu *cpu, const struct uop *u)
{
    if ((cpu->eflags & EFLAGS_VM) && ((cpu->eflags & EFLAGS_IOPL) >> 12) < 3)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    cpu_raise_softint(cpu, (int)(u->imm & 0xff), u->rip + u->len);
}

static const struct uop *uop_int3(struct cpu *cpu, const struct uop *u)
{
    cpu_raise_softint(cpu, EXC_BP, u->rip + u->len);
}

static const struct uop *uop_into(struct cpu *cpu, const struct uop *u)
{
    if (cpu_cond(cpu, 0))
        cpu_raise_softint(cpu, EXC_OF, u->rip + u->len);
    return uop_goto(cpu, u, 0, u->rip + u->len);
}

static const struct uop *uop_int1(struct cpu *cpu, const struct uop *u)
{
    raise_trap(cpu, EXC_DB, u->rip + u->len);
}

static const struct uop *uop_bound(struct cpu *cpu, const struct uop *u)
{
    gva_t la = uop_la_r(cpu, u, 2u * u->osize);
    unsigned sz = u->osize;
    int64_t idx, lo, hi;

    if (sz == 2) {
        idx = (int16_t)reg_get(cpu, u->reg, 2);
        lo = (int16_t)cpu_ld16(cpu, la);
        hi = (int16_t)cpu_ld16(cpu, la + 2);
    } else {
        idx = (int32_t)reg_get(cpu, u->reg, 4);
        lo = (int32_t)cpu_ld32(cpu, la);
        hi = (int32_t)cpu_ld32(cpu, la + 4);
    }
    if (idx < lo || idx > hi)
        cpu_raise_exception(cpu, EXC_BR);
    return u + 1;
}

/*
 * Far JMP/CALL through a call gate (SDM vol. 2 CALL and JMP, vol. 3 5.8):
 * the gate names the code segment and the entry point.  A CALL into a
 * more privileged non-conforming segment switches to the stack the TSS
 * holds for that level, pushing the old SS:rSP, the gate's parameters
 * (legacy gates) and CS:rIP there; otherwise CS:rIP go on the current
 * stack.  The gate's size (16, 32 or, in IA-32e mode, 64 bits) sets the
 * push size and the offset width.  Every check and every stack write
 * happens before any register changes.
 */
static void far_gate(struct cpu *cpu, const struct uop *u, uint16_t gsel, uint32_t glo,
                     uint32_t ghi, gva_t gwhere, bool call)
{
    bool lm = cpu->efer & EFER_LMA;
    unsigned cpl = cpu_cpl_fast(cpu), gdpl = (ghi >> DESC_DPL_SHIFT) & 3;
    unsigned w = lm ? 8 : ((ghi >> 8) & 0xf) == 0xc ? 4 : 2;
    uint64_t target = (glo & 0xffff) | (ghi & 0xffff0000u);
    uint16_t csel = (uint16_t)(glo >> 16);
    uint32_t clo, chi;
    gva_t cwhere;

    if (gdpl < cpl || (gsel & 3u) > gdpl)
        cpu_raise_exception_err(cpu, EXC_GP, gsel & ~3u);
    if (!(ghi & DESC_P))
        cpu_raise_exception_err(cpu, EXC_NP, gsel & ~3u);
    if (lm) {
        /* the upper half: offset 63:32, and a type field that must be 0 */
        uint16_t up = (uint16_t)((gsel & ~7u) + 8);
        uint32_t ulo, uhi;
        gva_t uwhere;
        if (!desc_read(cpu, up | (gsel & 4u), &ulo, &uhi, &uwhere) || ((uhi >> 8) & 0x1f))
            cpu_raise_exception_err(cpu, EXC_GP, gsel & ~3u);
        target |= (uint64_t)ulo << 32;
    } else if (w == 2) {
        target &= 0xffff;
    }
    if ((csel & ~3u) == 0)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    if (!desc_read(cpu, csel, &clo, &chi, &cwhere) || !(chi & DESC_S) || !(chi & (1u << 11)))
        cpu_raise_exception_err(cpu, EXC_GP, csel & ~3u);
    unsigned dpl = (chi >> DESC_DPL_SHIFT) & 3;
    bool conforming = chi & (1u << 10);
    check_cs_offset(cpu, chi, clo, target);
    if (call ? dpl > cpl : conforming ? dpl > cpl : dpl != cpl)
        cpu_raise_exception_err(cpu, EXC_GP, csel & ~3u);
    if (lm && (!(chi & DESC_L) || (chi & DESC_B)))
        cpu_raise_exception_err(cpu, EXC_GP, csel & ~3u);
    if (!(chi & DESC_P))
        cpu_raise_exception_err(cpu, EXC_NP, csel & ~3u);

    uint64_t ret = u->rip + u->len;
    uint16_t old_cs = cpu->seg[SEG_CS].sel, old_ss = cpu->seg[SEG_SS].sel;
    if (!call || conforming || dpl == cpl) {
        if (call) {
            mmu_probe_write(cpu, stack_la(cpu, cpu->regs[4] - 2 * w, 2 * w, true), 2 * w);
            stack_push(cpu, w, old_cs);
            stack_push(cpu, w, ret);
        }
        load_cs(cpu, csel, clo, chi, cwhere, cpl);
    } else if (lm) {
        uint64_t rsp = tss_rsp(cpu, 4 + dpl * 8);
        const uint64_t frame[4] = { old_ss, cpu->regs[4], old_cs, ret };
        for (int i = 0; i < 4; i++) {
            rsp -= 8;
            if ((uint64_t)((int64_t)(rsp << 16) >> 16) != rsp)
                cpu_raise_exception_err(cpu, EXC_SS, 0);
            mmu_st_sys(cpu, rsp, 8, frame[i]);
        }
        seg_set(cpu, SEG_SS, (uint16_t)dpl, 0, 0,
                ((uint32_t)dpl << DESC_DPL_SHIFT) | DESC_B | DESC_P | DESC_S | (3u << 8));
        load_cs(cpu, csel, clo, chi, cwhere, dpl);
        cpu->regs[4] = rsp;
    } else {
        uint16_t ss;
        uint32_t esp, slo, shi;
        tss_legacy_stack(cpu, dpl, &ss, &esp, &slo, &shi);
        bool old32 = cpu->hflags & HF_SS32, new32 = shi & DESC_B;
        uint64_t frame[4 + 31];
        unsigned n = 0, params = ghi & 0x1f;
        frame_check(cpu, desc_limit(slo, shi), desc_attr(shi), esp, 4 + params, w, new32,
                    ss & ~3u);
        frame[n++] = old_ss;
        frame[n++] = old32 ? (uint32_t)cpu->regs[4] : (uint16_t)cpu->regs[4];
        for (unsigned i = params; i-- > 0;) {
            uint64_t sp = cpu->regs[4] + i * w;
            frame[n++] = cpu_ld(cpu, seg_la(cpu, SEG_SS, old32 ? (uint32_t)sp : (uint16_t)sp, w, false), w);
        }
        frame[n++] = old_cs;
        frame[n++] = ret;
        gva_t base = desc_base(slo, shi);
        for (unsigned i = 0; i < n; i++) {
            esp -= w;
            if (!new32)
                esp &= 0xffff;
            mmu_st_sys(cpu, base + esp, w, frame[i]);
        }
        seg_set(cpu, SEG_SS, ss, base, desc_limit(slo, shi), desc_attr(shi) | (1u << 8));
        load_cs(cpu, csel, clo, chi, cwhere, dpl);
        if (new32)
            cpu->regs[4] = esp;
        else
            cpu->regs[4] = (cpu->regs[4] & ~0xffffull) | esp;
    }
    cpu_update_hflags(cpu);
    cpu->rip = target;
}

/* Far JMP/CALL to sel:off through a code-segment descriptor or a call gate. */
static void far_transfer(struct cpu *cpu, const struct uop *u, uint16_t sel, uint64_t off,
                         bool call)
{
    unsigned os = u->osize;

    if (!(cpu->cr0 & CR0_PE) || (cpu->eflags & EFLAGS_VM)) {
        if (call) {
            stack_push(cpu, os, cpu->seg[SEG_CS].sel);
            stack_push(cpu, os, u->rip + u->len);
        }
        seg_load_real(cpu, SEG_CS, sel);
        cpu->rip = off & size_mask(os);
        return;
    }
    uint32_t lo, hi;
    gva_t where;
    unsigned cpl = cpu_cpl_fast(cpu), rpl = sel & 3;
    if ((sel & ~3u) && desc_read(cpu, sel, &lo, &hi, &where) && !(hi & DESC_S)) {
        unsigned type = (hi >> 8) & 0xf;
        if (type == 0xc || (type == 0x4 && !(cpu->efer & EFER_LMA))) {
            far_gate(cpu, u, sel, lo, hi, where, call);
            return;
        }
        if (!(cpu->efer & EFER_LMA) && (type == 0x5 || (type & 0x5) == 0x1)) {
            task_far(cpu, sel, lo, hi, call, u->rip + u->len);   /* task gate or TSS */
            return;
        }
    }
    check_code_desc(cpu, sel, &lo, &hi, &where);
    unsigned dpl = (hi >> DESC_DPL_SHIFT) & 3;
    if (hi & (1u << 10)) {
        if (dpl > cpl)
            cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
    } else if (rpl > cpl || dpl != cpl) {
        cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
    }
    check_cs_offset(cpu, hi, lo, off & size_mask(os == 8 ? 4 : os));
    if (call) {
        uint64_t cs = cpu->seg[SEG_CS].sel, ret = u->rip + u->len;
        uint64_t rsp = cpu->regs[4];
        /* both pushes must succeed before anything changes */
        mmu_probe_write(cpu, stack_la(cpu, rsp - 2 * os, 2 * os, true), 2 * os);
        stack_push(cpu, os, cs);
        stack_push(cpu, os, ret);
    }
    load_cs(cpu, sel, lo, hi, where, cpl);
    cpu_update_hflags(cpu);
    cpu->rip = (cpu->hflags & HF_CS64) ? off : off & size_mask(os == 8 ? 4 : os);
}

/* The far pointer of JMPF/CALLF: ptr16:16/32 immediate (aux) or m16:16/32/64. */
static void far_pointer(struct cpu *cpu, const struct uop *u, uint16_t *sel, uint64_t *off)
{
    if (u->aux) {
        *sel = (uint16_t)u->imm2;
        *off = u->imm;
    } else {
        gva_t la = uop_la_r(cpu, u, u->osize + 2u);
        *off = cpu_ld(cpu, la, u->osize);
        *sel = cpu_ld16(cpu, la + u->osize);
    }
}

static const struct uop *uop_jmpf(struct cpu *cpu, const struct uop *u)
{
    uint16_t sel;
    uint64_t off;

    far_pointer(cpu, u, &sel, &off);
    far_transfer(cpu, u, sel, off, false);
    return NULL;
}

static const struct uop *uop_callf(struct cpu *cpu, const struct uop *u)
{
    uint16_t sel;
    uint64_t off;

    far_pointer(cpu, u, &sel, &off);
    far_transfer(cpu, u, sel, off, true);
    return NULL;
}

static const struct uop *uop_retf(struct cpu *cpu, const struct uop *u)
{
    unsigned os = u->osize;
    uint64_t off = stack_peek(cpu, os, 0);
    uint16_t sel = (uint16_t)stack_peek(cpu, os, os);

    if (!(cpu->cr0 & CR0_PE) || (cpu->eflags & EFLAGS_VM)) {
        stack_adjust(cpu, 2 * os + (int64_t)u->imm);
        seg_load_real(cpu, SEG_CS, sel);
        cpu->rip = off & size_mask(os);
        return NULL;
    }
    uint32_t lo, hi;
    gva_t where;
    unsigned cpl = cpu_cpl_fast(cpu), rpl = sel & 3;
    if (rpl < cpl)
        cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
    check_code_desc(cpu, sel, &lo, &hi, &where);
    unsigned dpl = (hi >> DESC_DPL_SHIFT) & 3;
    if ((hi & (1u << 10)) ? dpl > rpl : dpl != rpl)
        cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
    check_cs_offset(cpu, hi, lo, off & size_mask(os == 8 ? 4 : os));
    if (rpl > cpl) {
        /* return to an outer level: pop SS:rSP too */
        uint64_t nrsp = stack_peek(cpu, os, 2 * os + (unsigned)u->imm);
        uint16_t nss = (uint16_t)stack_peek(cpu, os, 3 * os + (unsigned)u->imm);
        load_cs(cpu, sel, lo, hi, where, rpl);
        cpu_update_hflags(cpu);
        seg_load(cpu, SEG_SS, nss);
        cpu->regs[4] = nrsp + u->imm;
        for (int s = SEG_ES; s <= SEG_GS; s++) {
            if (s == SEG_CS || s == SEG_SS)
                continue;
            unsigned d = (cpu->seg[s].attr >> DESC_DPL_SHIFT) & 3;
            bool conf_code = (cpu->seg[s].attr & (3u << 10)) == (3u << 10);
            if (d < rpl && !conf_code)
                seg_set(cpu, s, 0, cpu->seg[s].base, 0, 0);
        }
    } else {
        stack_adjust(cpu, 2 * os + (int64_t)u->imm);
        load_cs(cpu, sel, lo, hi, where, cpl);
    }
    cpu_update_hflags(cpu);
    cpu->rip = (cpu->hflags & HF_CS64) ? off : off & size_mask(os == 8 ? 4 : os);
    return NULL;
}

static const struct uop *uop_iret(struct cpu *cpu, const struct uop *u)
{
    unsigned os = u->osize;
    unsigned cpl = cpu_cpl_fast(cpu);

    if (!(cpu->cr0 & CR0_PE)) {
        uint64_t ip = stack_peek(cpu, os, 0);
        uint16_t cs = (uint16_t)stack_peek(cpu, os, os);
        uint64_t fl = stack_peek(cpu, os, 2 * os);
        stack_adjust(cpu, 3 * os);
        seg_load_real(cpu, SEG_CS, cs);
        cpu->rip = ip & size_mask(os);
        uint64_t mask = EFLAGS_ARITH | EFLAGS_TF | EFLAGS_IF | EFLAGS_DF | EFLAGS_IOPL | EFLAGS_NT
                      | (os == 4 ? EFLAGS_AC | EFLAGS_ID | EFLAGS_RF : 0);
        cpu_set_rflags(cpu, fl, mask);
        cpu->nmi_blocked = false;
        cpu_update_hflags(cpu);
        return NULL;
    }
    if (cpu->eflags & EFLAGS_VM)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    if (cpu->eflags & EFLAGS_NT) {
        /* task return (SDM vol. 3, 7.3): IA-32e mode has none */
        if (cpu->efer & EFER_LMA)
            cpu_raise_exception_err(cpu, EXC_GP, 0);
        uint16_t link = (uint16_t)mmu_ld_sys(cpu, cpu->tr.base, 2);
        task_switch(cpu, link, TASK_IRET, u->rip + u->len, false, 0);
        cpu->nmi_blocked = false;
        return NULL;
    }
    uint64_t ip = stack_peek(cpu, os, 0);
    uint16_t cs = (uint16_t)stack_peek(cpu, os, os);
    uint64_t fl = stack_peek(cpu, os, 2 * os);
    unsigned rpl = cs & 3;
    bool lm64 = cpu->hflags & HF_CS64;
    uint32_t lo, hi;
    gva_t where;

    if (rpl < cpl)
        cpu_raise_exception_err(cpu, EXC_GP, cs & ~3u);
    check_code_desc(cpu, cs, &lo, &hi, &where);
    unsigned dpl = (hi >> DESC_DPL_SHIFT) & 3;
    if ((hi & (1u << 10)) ? dpl > rpl : dpl != rpl)
        cpu_raise_exception_err(cpu, EXC_GP, cs & ~3u);
    if ((cpu->efer & EFER_LMA) && (hi & DESC_L) && (hi & DESC_B))
        cpu_raise_exception_err(cpu, EXC_GP, cs & ~3u);
    bool outer = rpl > cpl || lm64;
    uint64_t nrsp = 0;
    uint16_t nss = 0;
    if (outer) {
        nrsp = stack_peek(cpu, os, 3 * os);
        nss = (uint16_t)stack_peek(cpu, os, 4 * os);
    }
    /* flags this CPL may change */
    uint64_t mask = EFLAGS_ARITH | EFLAGS_TF | EFLAGS_DF | EFLAGS_NT | EFLAGS_RF;
    if (os >= 4)
        mask |= EFLAGS_AC | EFLAGS_ID;
    if (cpl <= ((cpu->eflags & EFLAGS_IOPL) >> 12))
        mask |= EFLAGS_IF;
    if (cpl == 0)
        mask |= EFLAGS_IOPL | (os >= 4 ? EFLAGS_VIF | EFLAGS_VIP : 0);
    if (os == 2)
        mask &= 0xffff;
    check_cs_offset(cpu, hi, lo, ip & size_mask(os == 8 ? 4 : os));
    if (!outer)
        stack_adjust(cpu, 3 * os);
    load_cs(cpu, cs, lo, hi, where, rpl);
    cpu_set_rflags(cpu, fl, mask);
    cpu->nmi_blocked = false;
    cpu_update_hflags(cpu);
    if (outer) {
        if ((nss & ~3u) == 0 && (cpu->hflags & HF_CS64) && rpl != 3) {
            seg_set(cpu, SEG_SS, nss, 0, 0, ((uint32_t)rpl << DESC_DPL_SHIFT) | DESC_B);
        } else {
            seg_load(cpu, SEG_SS, nss);
        }
        cpu->regs[4] = (cpu->hflags & HF_CS64) || (cpu->seg[SEG_SS].attr & DESC_B)
                     ? (os == 8 ? nrsp : (uint32_t)nrsp)
                     : (cpu->regs[4] & ~0xffffull) | (nrsp & 0xffff);
        if (rpl > cpl) {
            for (int s = SEG_ES; s <= SEG_GS; s++) {
                if (s == SEG_CS || s == SEG_SS)
                    continue;
                unsigned d = (cpu->seg[s].attr >> DESC_DPL_SHIFT) & 3;
                bool conf_code = (cpu->seg[s].attr & (3u << 10)) == (3u << 10);
                if (d < rpl && !conf_code)
                    seg_set(cpu, s, 0, cpu->seg[s].base, 0, 0);
            }
        }
    }
    cpu_update_hflags(cpu);
    cpu->rip = (cpu->hflags & HF_CS64) ? ip : ip & size_mask(os == 8 ? 4 : os);
    return NULL;
}

static void set_flat(struct cpu *cpu, int seg, uint16_t sel, bool code, bool l, unsigned dpl)
{
    uint32_t attr = DESC_P | DESC_S | DESC_G | ((uint32_t)dpl << DESC_DPL_SHIFT)
                  | (code ? (0xbu << 8) : (0x3u << 8));
    if (code && l)
        attr |= DESC_L;
    else
        attr |= DESC_B;
    seg_set(cpu, seg, sel, 0, 0xffffffffu, attr);
}

static const struct uop *uop_syscall(struct cpu *cpu, const struct uop *u)
{
    if (!(cpu->efer & EFER_SCE))
        cpu_raise_exception(cpu, EXC_UD);
    uint16_t sel = (uint16_t)(cpu->star >> 32);
    uint64_t next = u->rip + u->len;

    if (cpu->efer & EFER_LMA) {
        bool from64 = cpu->hflags & HF_CS64;
        cpu->regs[1] = next;
        cpu->regs[11] = cpu_get_rflags(cpu) & ~(uint64_t)EFLAGS_RF;
        set_flat(cpu, SEG_CS, sel & ~3u, true, true, 0);
        set_flat(cpu, SEG_SS, (uint16_t)((sel + 8) & ~3u), false, false, 0);
        cpu_set_rflags(cpu, cpu_get_rflags(cpu) & ~cpu->fmask & ~(uint64_t)EFLAGS_RF, ~0ull);
        cpu_update_hflags(cpu);
        cpu->rip = from64 ? cpu->lstar : cpu->cstar;
        return NULL;
    }
    cpu->regs[1] = (uint32_t)next;
    set_flat(cpu, SEG_CS, sel & ~3u, true, false, 0);
    set_flat(cpu, SEG_SS, (uint16_t)((sel + 8) & ~3u), false, false, 0);
    cpu->eflags &= ~(EFLAGS_VM | EFLAGS_IF | EFLAGS_RF);
    cpu_update_hflags(cpu);
    cpu->rip = (uint32_t)cpu->star;
    return NULL;
}

static const struct uop *uop_sysret(struct cpu *cpu, const struct uop *u)
{
    if (!(cpu->efer & EFER_SCE))
        cpu_raise_exception(cpu, EXC_UD);
    uint16_t sel = (uint16_t)(cpu->star >> 48);

    if (cpu->efer & EFER_LMA) {
        uint64_t rip = cpu->regs[1];
        if (u->osize == 8) {
            if ((uint64_t)((int64_t)(rip << 16) >> 16) != rip)
                cpu_raise_exception_err(cpu, EXC_GP, 0);
            set_flat(cpu, SEG_CS, (uint16_t)((sel + 16) | 3), true, true, 3);
        } else {
            set_flat(cpu, SEG_CS, (uint16_t)(sel | 3), true, false, 3);
            rip = (uint32_t)rip;
        }
        cpu->seg[SEG_SS].sel = (uint16_t)((sel + 8) | 3);
        cpu->seg[SEG_SS].attr = DESC_P | DESC_S | DESC_G | DESC_B | (3u << DESC_DPL_SHIFT) | (3u << 8);
        cpu_set_rflags(cpu, (cpu->regs[11] & ~(uint64_t)(EFLAGS_RF | EFLAGS_VM)) | 2, ~0ull);
        cpu_update_hflags(cpu);
        cpu->rip = rip;
        return NULL;
    }
    set_flat(cpu, SEG_CS, (uint16_t)(sel | 3), true, false, 3);
    cpu->seg[SEG_SS].sel = (uint16_t)((sel + 8) | 3);
    cpu->seg[SEG_SS].attr |= 3u << DESC_DPL_SHIFT;
    cpu->eflags |= EFLAGS_IF;
    cpu_update_hflags(cpu);
    cpu->rip = (uint32_t)cpu->regs[1];
    return NULL;
}

static const struct uop *uop_sysenter(struct cpu *cpu, const struct uop *u)
{
    uint16_t cs = (uint16_t)cpu->sysenter_cs;

    if (!(cpu->cr0 & CR0_PE) || (cs & ~3u) == 0)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    bool lm = cpu->efer & EFER_LMA;
    cpu->eflags &= ~(EFLAGS_VM | EFLAGS_IF | EFLAGS_RF);
    set_flat(cpu, SEG_CS, cs & ~3u, true, lm, 0);
    set_flat(cpu, SEG_SS, (uint16_t)((cs + 8) & ~3u), false, false, 0);
    cpu_update_hflags(cpu);
    cpu->regs[4] = lm ? cpu->sysenter_esp : (uint32_t)cpu->sysenter_esp;
    cpu->rip = lm ? cpu->sysenter_eip : (uint32_t)cpu->sysenter_eip;
    return NULL;
}

static const struct uop *uop_sysexit(struct cpu *cpu, const struct uop *u)
{
    uint16_t cs = (uint16_t)cpu->sysenter_cs;

    if ((cs & ~3u) == 0)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    if (u->osize == 8) {
        set_flat(cpu, SEG_CS, (uint16_t)((cs + 32) | 3), true, true, 3);
        set_flat(cpu, SEG_SS, (uint16_t)((cs + 40) | 3), false, false, 3);
        cpu->regs[4] = cpu->regs[1];
        cpu->rip = cpu->regs[2];
    } else {
        set_flat(cpu, SEG_CS, (uint16_t)((cs + 16) | 3), true, false, 3);
        set_flat(cpu, SEG_SS, (uint16_t)((cs + 24) | 3), false, false, 3);
        cpu->regs[4] = (uint32_t)cpu->regs[1];
        cpu->rip = (uint32_t)cpu->regs[2];
    }
    cpu_update_hflags(cpu);
    return NULL;
}

void tr_far(struct tr_ctx *tc, const struct insn *in)
{
    struct uop *u;

    switch (in->op) {
    case OP_INT: u = tr_emit(tc, in, uop_int); break;
    case OP_INT3: u = tr_emit(tc, in, uop_int3); break;
    case OP_INTO: u = tr_emit(tc, in, uop_into); break;
    case OP_INT1: u = tr_emit(tc, in, uop_int1); break;
    case OP_BOUND:
        tr_emit(tc, in, uop_bound);
        return;
    case OP_JMPF:
        u = tr_emit(tc, in, uop_jmpf);
        u->aux = in->o[0].kind == OPND_FAR;
        break;
    case OP_CALLF:
        u = tr_emit(tc, in, uop_callf);
        u->aux = in->o[0].kind == OPND_FAR;
        break;
    case OP_RETF:
        u = tr_emit(tc, in, uop_retf);
        u->imm = in->nopnds ? in->imm & 0xffff : 0;
        break;
    case OP_IRET: u = tr_emit(tc, in, uop_iret); break;
    case OP_SYSCALL: u = tr_emit(tc, in, uop_syscall); break;
    case OP_SYSRET: u = tr_emit(tc, in, uop_sysret); break;
    case OP_SYSENTER: u = tr_emit(tc, in, uop_sysenter); break;
    case OP_SYSEXIT: u = tr_emit(tc, in, uop_sysexit); break;
    default:
        tr_emit_fault(tc, in, EXC_UD);
        return;
    }
    (void)u;
    tc->end = TR_END_BRANCH;
}
