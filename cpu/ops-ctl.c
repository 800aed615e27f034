/*
 * cpu/ops-ctl.c: stack, control flow, strings and the no-effect
 * instructions (SDM vol. 2).  Near branches end their block through
 * uop_goto() so direct targets can be chained; RET and indirect jumps
 * leave through uop_goto_indirect().
 */
#include "cpu/translate.h"

/* ---- stack helpers ---------------------------------------------------------- */

gva_t stack_la(struct cpu *cpu, uint64_t rsp, unsigned size, bool write)
{
    unsigned w = stack_width(cpu);

    if (w == 8) {
        if ((uint64_t)((int64_t)(rsp << 16) >> 16) != rsp)
            cpu_raise_exception_err(cpu, EXC_SS, 0);
        return rsp;
    }
    return seg_la(cpu, SEG_SS, rsp & size_mask(w), size, write);
}

static void set_rsp(struct cpu *cpu, uint64_t v)
{
    unsigned w = stack_width(cpu);

    if (w == 8)
        cpu->regs[4] = v;
    else if (w == 4)
        cpu->regs[4] = (uint32_t)v;
    else
        cpu->regs[4] = (cpu->regs[4] & ~0xffffull) | (v & 0xffff);
}

void stack_push(struct cpu *cpu, unsigned size, uint64_t v)
{
    uint64_t rsp = cpu->regs[4] - size;

    cpu_st(cpu, stack_la(cpu, rsp, size, true), size, v);
    set_rsp(cpu, rsp);
}

uint64_t stack_pop(struct cpu *cpu, unsigned size)
{
    uint64_t v = cpu_ld(cpu, stack_la(cpu, cpu->regs[4], size, false), size);

    set_rsp(cpu, cpu->regs[4] + size);
    return v;
}

uint64_t stack_peek(struct cpu *cpu, unsigned size, unsigned off)
{
    return cpu_ld(cpu, stack_la(cpu, cpu->regs[4] + off, size, false), size);
}

void stack_adjust(struct cpu *cpu, int64_t delta)
{
    set_rsp(cpu, cpu->regs[4] + (uint64_t)delta);
}

static inline uint64_t next_rip(const struct uop *u)
{
    return u->rip + u->len;
}

/* 64-bit mode CALL/RET/PUSH/POP of 8 bytes: the common case, inline */
static inline gva_t stack64(struct cpu *cpu, uint64_t rsp)
{
    if (unlikely((uint64_t)((int64_t)(rsp << 16) >> 16) != rsp))
        cpu_raise_exception_err(cpu, EXC_SS, 0);
    return rsp;
}

static const struct uop *uop_call64(struct cpu *cpu, const struct uop *u)
{
    uint64_t rsp = cpu->regs[4] - 8;

    cpu_st64(cpu, stack64(cpu, rsp), next_rip(u));
    cpu->regs[4] = rsp;
    return uop_goto(cpu, u, 0, u->imm);
}

static const struct uop *uop_ret64(struct cpu *cpu, const struct uop *u)
{
    uint64_t rsp = cpu->regs[4];
    uint64_t t = cpu_ld64(cpu, stack64(cpu, rsp));

    cpu->regs[4] = rsp + 8 + u->imm;
    return uop_goto_indirect(cpu, t);
}

static const struct uop *uop_push64(struct cpu *cpu, const struct uop *u)
{
    uint64_t rsp = cpu->regs[4] - 8;

    cpu_st64(cpu, stack64(cpu, rsp), cpu->regs[u->reg]);
    cpu->regs[4] = rsp;
    return u + 1;
}

static const struct uop *uop_pop64(struct cpu *cpu, const struct uop *u)
{
    uint64_t rsp = cpu->regs[4];
    uint64_t v = cpu_ld64(cpu, stack64(cpu, rsp));

    cpu->regs[4] = rsp + 8;
    cpu->regs[u->reg] = v;
    return u + 1;
}

/* For cpu/native.c: the stack forms host code does itself, from the micro-op's kind. */
enum uop_stack uop_stack_kind(const struct uop *u)
{
    switch (u->kind) {
    case UK_JMP_IND: case UK_CALL_IND:
        if (u->osize != 8)                          /* 8 bytes: 64-bit mode */
            return STK_NONE;
        if (u->reg == UOP_NOREG)                    /* memory: 64-bit addressing, JMP only */
            return u->kind == UK_JMP_IND && u->asize == 8 ? STK_JMP_MEM64 : STK_NONE;
        return u->kind == UK_JMP_IND ? STK_JMP_IND64 : STK_CALL_IND64;
    case UK_PUSH64: return STK_PUSH64;
    case UK_POP64: return STK_POP64;
    case UK_CALL64: return STK_CALL64;
    case UK_RET64: return STK_RET64;
    default: return STK_NONE;
    }
}

/* ---- PUSH POP PUSHA POPA PUSHF POPF ENTER LEAVE -------------------------- */

static const struct uop *uop_push_r(struct cpu *cpu, const struct uop *u)
{
    stack_push(cpu, u->osize, reg_get(cpu, u->reg, u->osize));
    return u + 1;
}

static const struct uop *uop_push_i(struct cpu *cpu, const struct uop *u)
{
    stack_push(cpu, u->osize, u->imm);
    return u + 1;
}

static const struct uop *uop_push_m(struct cpu *cpu, const struct uop *u)
{
    stack_push(cpu, u->osize, cpu_ld(cpu, uop_la_r(cpu, u, u->osize), u->osize));
    return u + 1;
}

static const struct uop *uop_pop_r(struct cpu *cpu, const struct uop *u)
{
    uint64_t v = stack_pop(cpu, u->osize);

    reg_set(cpu, u->reg, u->osize, v);
    return u + 1;
}

static const struct uop *uop_pop_m(struct cpu *cpu, const struct uop *u)
{
    uint64_t old = cpu->regs[4];
    uint64_t v = stack_peek(cpu, u->osize, 0);

    /* the address is computed with RSP already incremented (SDM POP) */
    stack_adjust(cpu, u->osize);
    gva_t la = uop_la_w(cpu, u, u->osize);
    cpu->regs[4] = old;
    cpu_st(cpu, la, u->osize, v);
    stack_adjust(cpu, u->osize);
    return u + 1;
}

static const struct uop *uop_pusha(struct cpu *cpu, const struct uop *u)
{
    unsigned s = u->osize;
    uint64_t sp = cpu->regs[4];

    mmu_probe_write(cpu, stack_la(cpu, sp - 8 * s, 8 * s, true), 8 * s);
    for (int r = 0; r < 8; r++)
        stack_push(cpu, s, r == 4 ? sp : cpu->regs[r]);
    return u + 1;
}

static const struct uop *uop_popa(struct cpu *cpu, const struct uop *u)
{
    unsigned s = u->osize;
    uint64_t v[8];

    for (int r = 7; r >= 0; r--)
        v[r] = stack_peek(cpu, s, (unsigned)(7 - r) * s);
    for (int r = 0; r < 8; r++)
        if (r != 4)
            reg_set(cpu, (unsigned)r, s, v[r]);
    stack_adjust(cpu, 8 * s);
    return u + 1;
}

static unsigned iopl_of(const struct cpu *cpu)
{
    return (cpu->eflags & EFLAGS_IOPL) >> 12;
}

static const struct uop *uop_pushf(struct cpu *cpu, const struct uop *u)
{
    if ((cpu->eflags & EFLAGS_VM) && iopl_of(cpu) < 3)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    stack_push(cpu, u->osize, cpu_get_rflags(cpu) & ~(uint64_t)(EFLAGS_RF | EFLAGS_VM));
    return u + 1;
}

static const struct uop *uop_popf(struct cpu *cpu, const struct uop *u)
{
    unsigned cpl = cpu_cpl_fast(cpu);
    uint64_t mask = EFLAGS_ARITH | EFLAGS_TF | EFLAGS_DF | EFLAGS_NT;

    if ((cpu->eflags & EFLAGS_VM) && iopl_of(cpu) < 3)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    uint64_t v = stack_pop(cpu, u->osize);
    if (u->osize >= 4)
        mask |= EFLAGS_AC | EFLAGS_ID;
    if (!(cpu->hflags & HF_PE) || cpl <= iopl_of(cpu))
        mask |= EFLAGS_IF;
    if (!(cpu->hflags & HF_PE) || cpl == 0)
        mask |= EFLAGS_IOPL;
    if (u->osize == 2)
        mask &= 0xffff;
    cpu_set_rflags(cpu, v, mask);
    cpu_update_hflags(cpu);
    return u + 1;
}

static const struct uop *uop_enter(struct cpu *cpu, const struct uop *u)
{
    unsigned s = u->osize, level = (unsigned)(u->imm2 & 31);
    uint64_t alloc = u->imm & 0xffff;
    uint64_t rbp = cpu->regs[5];
    uint64_t frame = cpu->regs[4] - s;

    mmu_probe_write(cpu, stack_la(cpu, cpu->regs[4] - s * (level + 1) - alloc, s, true), s);
    stack_push(cpu, s, rbp);
    if (level) {
        unsigned w = stack_width(cpu);
        for (unsigned i = 1; i < level; i++) {
            rbp -= s;
            uint64_t v = cpu_ld(cpu, stack_la(cpu, rbp & size_mask(w), s, false), s);
            stack_push(cpu, s, v);
        }
        stack_push(cpu, s, frame);
    }
    reg_set(cpu, 5, s == 8 ? 8 : stack_width(cpu) == 2 ? 2 : s, frame);
    stack_adjust(cpu, -(int64_t)alloc);
    return u + 1;
}

static const struct uop *uop_leave(struct cpu *cpu, const struct uop *u)
{
    unsigned w = stack_width(cpu);
    uint64_t rbp = cpu->regs[5] & size_mask(w);
    uint64_t v = cpu_ld(cpu, stack_la(cpu, rbp, u->osize, false), u->osize);

    if (w == 8) cpu->regs[4] = rbp + u->osize;
    else if (w == 4) cpu->regs[4] = (uint32_t)(rbp + u->osize);
    else cpu->regs[4] = (cpu->regs[4] & ~0xffffull) | ((rbp + u->osize) & 0xffff);
    reg_set(cpu, 5, u->osize, v);
    return u + 1;
}

void tr_stack(struct tr_ctx *tc, const struct insn *in)
{
    switch (in->op) {
    case OP_PUSH:
        if (in->mode == 64 && in->osize == 8 && in->o[0].kind == OPND_REG) {
            tr_emit(tc, in, uop_push64)->kind = UK_PUSH64;
            return;
        }
        tr_emit(tc, in, in->o[0].kind == OPND_IMM ? uop_push_i
                        : in->o[0].kind == OPND_MEM ? uop_push_m : uop_push_r);
        return;
    case OP_POP:
        if (in->mode == 64 && in->osize == 8 && in->o[0].kind == OPND_REG) {
            tr_emit(tc, in, uop_pop64)->kind = UK_POP64;
            return;
        }
        tr_emit(tc, in, in->o[0].kind == OPND_MEM ? uop_pop_m : uop_pop_r);
        return;
    case OP_PUSHA: tr_emit(tc, in, uop_pusha); return;
    case OP_POPA: tr_emit(tc, in, uop_popa); return;
    case OP_PUSHF: tr_emit(tc, in, uop_pushf); return;
    case OP_POPF:
        tr_emit(tc, in, uop_popf);
        tc->end = TR_END_NEXT_NOCHAIN;
        return;
    case OP_ENTER: tr_emit(tc, in, uop_enter); return;
    default: tr_emit(tc, in, uop_leave); return;
    }
}

/* ---- branches ------------------------------------------------------------ */

static const struct uop *uop_jmp(struct cpu *cpu, const struct uop *u)
{
    return uop_goto(cpu, u, 0, u->imm);
}

/* Jcc specialised per condition so cpu_cond() folds to the one test */
#define JCC(CC)                                                                   \
static const struct uop *uop_jcc##CC(struct cpu *cpu, const struct uop *u)       \
{                                                                                \
    if (cpu_cond(cpu, CC))                                                       \
        return uop_goto(cpu, u, 0, u->imm);                                      \
    return uop_goto(cpu, u, 1, next_rip(u));                                     \
}
JCC(0) JCC(1) JCC(2) JCC(3) JCC(4) JCC(5) JCC(6) JCC(7)
JCC(8) JCC(9) JCC(10) JCC(11) JCC(12) JCC(13) JCC(14) JCC(15)

static const uop_fn jcc_table[16] = {
    uop_jcc0, uop_jcc1, uop_jcc2, uop_jcc3, uop_jcc4, uop_jcc5, uop_jcc6, uop_jcc7,
    uop_jcc8, uop_jcc9, uop_jcc10, uop_jcc11, uop_jcc12, uop_jcc13, uop_jcc14, uop_jcc15,
};

/* A Jcc inside a block (UK_SIDE): taken leaves, else the block goes on */
#define SIDE(CC)                                                                  \
static const struct uop *uop_side##CC(struct cpu *cpu, const struct uop *u)      \
{                                                                                \
    if (cpu_cond(cpu, CC))                                                       \
        return uop_side_exit(cpu, u);                                            \
    return u + 1;                                                                \
}
SIDE(0) SIDE(1) SIDE(2) SIDE(3) SIDE(4) SIDE(5) SIDE(6) SIDE(7)
SIDE(8) SIDE(9) SIDE(10) SIDE(11) SIDE(12) SIDE(13) SIDE(14) SIDE(15)

static const uop_fn side_table[16] = {
    uop_side0, uop_side1, uop_side2, uop_side3, uop_side4, uop_side5, uop_side6, uop_side7,
    uop_side8, uop_side9, uop_side10, uop_side11, uop_side12, uop_side13, uop_side14,
    uop_side15,
};

/* For cpu/native.c: the direct exits host code takes itself, from the micro-op's kind. */
bool uop_branch_desc(const struct uop *u, struct uop_branch *b)
{
    if (u->kind == UK_JMP) {
        b->cc = -1;
        b->taken = u->imm;
        return true;
    }
    if (u->kind == UK_JCC || u->kind == UK_SIDE) {
        b->cc = u->cc & 15;
        b->taken = u->imm;
        b->not_taken = next_rip(u);
        return true;
    }
    if (u->kind == UK_EXIT_CHAIN) {
        b->cc = -1;
        b->taken = u->rip;
        return true;
    }
    return false;
}

/*
 * Near branches outside 64-bit mode: a target beyond the CS limit is
 * #GP(0) at the branch (SDM vol. 2 JMP/Jcc/CALL/RET/LOOP).  Direct targets
 * are checked when translating (the CS limit is in the block key):
 * JMP/CALL become the fault, Jcc/LOOP/JCXZ get opsz2 = 1 and fault when
 * taken; indirect targets are checked here.
 */
static inline void near_target_check(struct cpu *cpu, uint64_t t)
{
    if (!(cpu->hflags & HF_CS64) && t > cpu->seg[SEG_CS].limit)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
}

static const struct uop *uop_jcc_beyond_limit(struct cpu *cpu, const struct uop *u)
{
    if (cpu_cond(cpu, u->cc))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    return uop_goto(cpu, u, 1, next_rip(u));
}

static const struct uop *uop_call(struct cpu *cpu, const struct uop *u)
{
    stack_push(cpu, u->osize, next_rip(u));
    return uop_goto(cpu, u, 0, u->imm);
}

static uint64_t indirect_target(struct cpu *cpu, const struct uop *u)
{
    uint64_t t = u->reg != UOP_NOREG ? reg_get(cpu, u->reg, u->osize)
                                     : cpu_ld(cpu, uop_la_r(cpu, u, u->osize), u->osize);
    return t & size_mask(u->osize);
}

static const struct uop *uop_jmp_ind(struct cpu *cpu, const struct uop *u)
{
    uint64_t t = indirect_target(cpu, u);

    near_target_check(cpu, t);
    return uop_goto_indirect(cpu, t);
}

static const struct uop *uop_call_ind(struct cpu *cpu, const struct uop *u)
{
    uint64_t t = indirect_target(cpu, u);

    near_target_check(cpu, t);
    stack_push(cpu, u->osize, next_rip(u));
    return uop_goto_indirect(cpu, t);
}

static const struct uop *uop_ret(struct cpu *cpu, const struct uop *u)
{
    uint64_t t = stack_peek(cpu, u->osize, 0) & size_mask(u->osize);

    near_target_check(cpu, t);
    stack_adjust(cpu, u->osize + (int64_t)u->imm);
    return uop_goto_indirect(cpu, t);
}

/* LOOP/LOOPE/LOOPNE/JCXZ: count register width is the address size */
static const struct uop *uop_loop(struct cpu *cpu, const struct uop *u)
{
    unsigned as = u->asize;
    uint64_t c = reg_get(cpu, 1, as);
    bool take;

    if (u->aux == OP_JCXZ) {
        take = (c & size_mask(as)) == 0;
    } else {
        c--;
        take = (c & size_mask(as)) != 0;
        if (u->aux == OP_LOOPE)
            take = take && cpu_cond(cpu, 4);
        else if (u->aux == OP_LOOPNE)
            take = take && cpu_cond(cpu, 5);
    }
    if (take && u->opsz2)
        cpu_raise_exception_err(cpu, EXC_GP, 0); /* before rCX changes */
    if (u->aux != OP_JCXZ)
        reg_set(cpu, 1, as, c);
    if (take)
        return uop_goto(cpu, u, 0, u->imm);
    return uop_goto(cpu, u, 1, next_rip(u));
}

void tr_branch(struct tr_ctx *tc, const struct insn *in)
{
    struct uop *u;
    bool rel = in->o[0].kind == OPND_REL;
    uop_fn fn;
    enum uop_kind kind = UK_CALL;
    bool stk64 = in->mode == 64 && in->osize == 8;

    switch (in->op) {
    case OP_JMP:
        fn = rel ? uop_jmp : uop_jmp_ind;
        kind = rel ? UK_JMP : UK_JMP_IND;
        break;
    case OP_JCC: fn = jcc_table[in->cc & 15]; kind = UK_JCC; break;
    case OP_CALL:
        fn = rel ? (stk64 ? uop_call64 : uop_call) : uop_call_ind;
        kind = rel ? (stk64 ? UK_CALL64 : UK_CALL) : UK_CALL_IND;
        break;
    case OP_RET:
        fn = stk64 ? uop_ret64 : uop_ret;
        kind = stk64 ? UK_RET64 : UK_CALL;
        break;
    default: fn = uop_loop; break;
    }
    if (in->mode != 64 && rel && in->imm > tc->tb->cs_limit) {
        if (in->op == OP_JMP || in->op == OP_CALL) {
            tr_emit_fault(tc, in, EXC_GP);
            return;
        }
        if (in->op == OP_JCC) {
            fn = uop_jcc_beyond_limit;
            kind = UK_CALL;
        }
    }
    u = tr_emit(tc, in, fn);
    u->kind = (uint8_t)kind;
    u->aux = in->op;
    if (in->op == OP_RET)
        u->imm = in->nopnds ? in->imm & 0xffff : 0;
    if (in->mode != 64 && rel) {
        u->rip &= 0xffffffffu;
        u->opsz2 = in->imm > tc->tb->cs_limit;
    }
    tc->end = TR_END_BRANCH;
    if (kind == UK_JCC && !(tc->hflags & (HF_ONE_INSN | HF_SHADOW_END))) {
        /*
         * A side exit: the block goes on with the fall-through path
         * (tb_translate() may still end it there, after the Jcc), so a
         * loop with branches inside is one block and its flags and
         * registers stay in host code past them.
         */
        u->fn = side_table[in->cc & 15];
        u->kind = UK_SIDE;
        tc->end = TR_CONTINUE;
    }
}

/* ---- strings -------------------------------------------------------------- */

/* Step for one element; count and index registers use the address size. */
static inline int64_t str_step(const struct cpu *cpu, unsigned size)
{
    return (cpu->eflags & EFLAGS_DF) ? -(int64_t)size : (int64_t)size;
}

/* The source (DS or the override : rSI) and destination (ES : rDI) of an
 * element of `size` bytes, checked against their segments. */
static inline gva_t str_src(struct cpu *cpu, const struct uop *u, unsigned size)
{
    return seg_la(cpu, u->seg, cpu->regs[6] & size_mask(u->asize), size, false);
}

static inline gva_t str_dst(struct cpu *cpu, const struct uop *u, unsigned size, bool write)
{
    uint64_t off = cpu->regs[7] & size_mask(u->asize);
    return (cpu->hflags & HF_CS64) ? off : seg_la(cpu, SEG_ES, off, size, write);
}

static inline void str_advance(struct cpu *cpu, const struct uop *u, int reg, int64_t step)
{
    reg_set(cpu, (unsigned)reg, u->asize == 2 ? 2 : u->asize, cpu->regs[reg] + (uint64_t)step);
}

/*
 * Iterations of a REP string instruction per call: after that many it
 * pauses (RIP stays on it, rCX and the index registers show the progress,
 * as when hardware takes an interrupt between iterations) and counts one
 * instruction, so a huge count cannot hold the vCPU outside the slice
 * accounting: interrupts, timers and the exit request get their turn.
 */
#define REP_CHUNK 1024u

/*
 * REP MOVS/STOS forward in 64-bit mode with a 64-bit address size (what
 * memcpy/memset use): up to `max` elements at once while source and
 * destination stay within one page each and the soft TLB grants the
 * access (so faults, watchpoints, MMIO and pages holding code still go
 * element by element below).  A MOVS whose destination starts inside its
 * source's block is left to the element loop (the SDM's element order
 * repeats the pattern; memmove would not).  Returns the elements done,
 * 0 when the block path does not apply.
 */
static uint64_t rep_block(struct cpu *cpu, const struct uop *u, unsigned s, uint64_t max)
{
    gva_t dst = cpu->regs[7], src = 0;
    const struct tlb_entry *ed = &cpu->tlb[cpu->mmu_idx][(dst >> PAGE_BITS) & TLB_MASK];
    uint64_t k = (PAGE_SIZE - (dst & ~PAGE_MASK)) / s;
    uint8_t *hd, *hs = NULL;

    if (k > cpu->regs[1])
        k = cpu->regs[1];
    if (k > max)
        k = max;
    if (ed->tag_w != (dst & PAGE_MASK))
        return 0;
    if (u->aux == OP_MOVS) {
        src = str_src(cpu, u, s);
        const struct tlb_entry *es = &cpu->tlb[cpu->mmu_idx][(src >> PAGE_BITS) & TLB_MASK];
        uint64_t ks = (PAGE_SIZE - (src & ~PAGE_MASK)) / s;
        if (k > ks)
            k = ks;
        if (es->tag_r != (src & PAGE_MASK))
            return 0;
        hs = (uint8_t *)(uintptr_t)(src + es->addend);
    }
    if (k < 2)
        return 0;
    hd = (uint8_t *)(uintptr_t)(dst + ed->addend);
    if (u->aux == OP_MOVS) {
        if (hd > hs && hd < hs + k * s)
            return 0;
        memmove(hd, hs, k * s);
        cpu->regs[6] += k * s;
    } else if (s == 1) {
        memset(hd, (uint8_t)cpu->regs[0], k);
    } else {
        for (uint64_t i = 0; i < k; i++)
            memcpy(hd + i * s, &cpu->regs[0], s);   /* little-endian host */
    }
    cpu->regs[7] += k * s;
    cpu->regs[1] -= k;
    return k;
}

static const struct uop *uop_string(struct cpu *cpu, const struct uop *u)
{
    unsigned s = u->osize;
    int64_t step = str_step(cpu, s);
    bool rep = u->rep != 0;
    uint64_t count_mask = size_mask(u->asize);
    bool block = rep && (u->aux == OP_MOVS || u->aux == OP_STOS) && u->asize == 8
                 && (cpu->hflags & HF_CS64) && !(cpu->eflags & EFLAGS_DF);

    for (unsigned n = 0;; n++) {
        if (rep && (cpu->regs[1] & count_mask) == 0)
            break;
        if (n == REP_CHUNK) {
            /* the pause counts as one instruction, so a slice always ends */
            const struct uop *r = uop_leave_before(cpu, u);
            cpu->budget--;
            return r;
        }
        if (block) {
            /* the same pauses as element by element: n counts the elements */
            uint64_t k = rep_block(cpu, u, s, REP_CHUNK - n);
            if (k) {
                n += (unsigned)k - 1;
                continue;
            }
        }
        switch (u->aux) {
        case OP_MOVS: {
            uint64_t v = cpu_ld(cpu, str_src(cpu, u, s), s);
            cpu_st(cpu, str_dst(cpu, u, s, true), s, v);
            str_advance(cpu, u, 6, step);
            str_advance(cpu, u, 7, step);
            break;
        }
        case OP_STOS:
            cpu_st(cpu, str_dst(cpu, u, s, true), s, cpu->regs[0]);
            str_advance(cpu, u, 7, step);
            break;
        case OP_LODS:
            reg_set(cpu, 0, s, cpu_ld(cpu, str_src(cpu, u, s), s));
            str_advance(cpu, u, 6, step);
            break;
        case OP_CMPS: {
            uint64_t a = cpu_ld(cpu, str_src(cpu, u, s), s);
            uint64_t b = cpu_ld(cpu, str_dst(cpu, u, s, false), s);
            str_advance(cpu, u, 6, step);
            str_advance(cpu, u, 7, step);
            cc_set_sub(cpu, s, a, b);
            break;
        }
        case OP_SCAS: {
            uint64_t a = reg_get(cpu, 0, s), b = cpu_ld(cpu, str_dst(cpu, u, s, false), s);
            str_advance(cpu, u, 7, step);
            cc_set_sub(cpu, s, a, b);
            break;
        }
        case OP_INS: {
            uint16_t port = (uint16_t)cpu->regs[2];
            io_check_perm(cpu, port, s);
            gva_t la = str_dst(cpu, u, s, true);
            mmu_probe_write(cpu, la, s);
            uint32_t v = bus_io_read(cpu->bus, port, s);
            cpu_st(cpu, la, s, v);
            str_advance(cpu, u, 7, step);
            break;
        }
        case OP_OUTS: {
            uint16_t port = (uint16_t)cpu->regs[2];
            io_check_perm(cpu, port, s);
            uint64_t v = cpu_ld(cpu, str_src(cpu, u, s), s);
            bus_io_write(cpu->bus, port, (uint32_t)v, s);
            str_advance(cpu, u, 6, step);
            break;
        }
        }
        if (!rep)
            break;
        reg_set(cpu, 1, u->asize == 2 ? 2 : u->asize, cpu->regs[1] - 1);
        if (u->aux == OP_CMPS || u->aux == OP_SCAS) {
            bool zf = cpu_cond(cpu, 4);
            if ((u->rep == 0xf3 && !zf) || (u->rep == 0xf2 && zf))
                break;
        }
    }
    return u + 1;
}

void tr_string(struct tr_ctx *tc, const struct insn *in)
{
    struct uop *u = tr_emit(tc, in, uop_string);

    u->aux = in->op;
    u->seg = in->seg_override != SEG_NONE ? in->seg_override : SEG_DS;
    if (tc->mode == 64 && u->seg != SEG_FS && u->seg != SEG_GS)
        u->seg = SEG_NONE;
    if (in->op == OP_INS || in->op == OP_OUTS)
        tc->end = TR_END_NEXT;
}

/* ---- no architectural effect ------------------------------------------------ */

static const struct uop *uop_nop(struct cpu *cpu, const struct uop *u)
{
    return u + 1;
}


static const struct uop *uop_clflush(struct cpu *cpu, const struct uop *u)
{
    (void)cpu_ld8(cpu, uop_la_r(cpu, u, 1)); /* faults like a load */
    return u + 1;
}

void tr_misc(struct tr_ctx *tc, const struct insn *in)
{
    switch (in->op) {
    case OP_UD0: case OP_UD1: case OP_UD2:
        tr_emit_fault(tc, in, EXC_UD);
        return;
    case OP_CLFLUSH:
        tr_emit(tc, in, uop_clflush);
        return;
    default:
        tr_emit(tc, in, uop_nop)->kind = UK_NOP;    /* host code does nothing */
    }
}
