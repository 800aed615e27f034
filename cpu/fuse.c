/*
 * cpu/fuse.c: compare-and-branch fusion.  A loop usually ends with
 * CMP reg,reg/imm or INC/DEC reg followed by Jcc.  When both sit in the
 * same block, the translator gives the flag-producing instruction a fused
 * handler that sets the lazy flags exactly as the producer would, then
 * evaluates the condition (folded at compile time: one handler per
 * condition) and leaves through the Jcc's own chain slots, or, for a Jcc
 * inside the block (a side exit), goes on after it when not taken; the
 * Jcc's micro-op is skipped.  Both instructions still count as retired (the
 * block's instruction count includes them); neither can fault, so
 * exceptions stay precise.
 */
#include "cpu/translate.h"

static inline const struct uop *fused_branch(struct cpu *cpu, const struct uop *u, bool taken)
{
    const struct uop *j = u + 1; /* the Jcc */

    if (taken)
        return uop_side_exit(cpu, j);   /* gives back j->rest: 0 at the block's end */
    if (j->kind == UK_SIDE)
        return j + 1;                   /* the block goes on */
    return uop_goto(cpu, j, 1, j->rip + j->len);
}

/*
 * The operands a, b of a CMP/TEST form at S bytes, loads first (a fault
 * there is the producer's, before anything changed): rr, ri, rm (reg,
 * [mem]), mr ([mem], reg), mi ([mem], imm).
 */
#define OPND_rr(S) uint64_t a = reg_get(cpu, u->reg, S), b = reg_get(cpu, u->rm, S)
#define OPND_ri(S) uint64_t a = reg_get(cpu, u->reg, S), b = u->imm
#define OPND_rm(S) uint64_t b = cpu_ld(cpu, uop_la_r(cpu, u, S), S), a = reg_get(cpu, u->reg, S)
#define OPND_mr(S) uint64_t a = cpu_ld(cpu, uop_la_r(cpu, u, S), S), b = reg_get(cpu, u->rm, S)
#define OPND_mi(S) uint64_t a = cpu_ld(cpu, uop_la_r(cpu, u, S), S), b = u->imm

/* TEST's lazy flags, as ops-int.c's ALU handlers set them */
static inline void cc_set_test(struct cpu *cpu, unsigned size, uint64_t a, uint64_t b)
{
    cpu->cc_op = CC_OP_LOGICB + (size == 1 ? SZ_B : size == 2 ? SZ_W : size == 4 ? SZ_L : SZ_Q);
    cpu->cc_src2 = a;
    cpu->cc_src = b;
    cpu->cc_dst = a & b;
}

#define FUSE_FORM(NAME, SET, F, S, CC)                                                \
static const struct uop *f##NAME##_##F##S##_##CC(struct cpu *cpu, const struct uop *u) \
{                                                                                    \
    OPND_##F(S);                                                                     \
    SET(cpu, S, a, b);                                                               \
    return fused_branch(cpu, u, cpu_cond(cpu, CC));                                  \
}

#define FUSE_INCDEC(NAME, DELTA, CCOP, S, CC)                                         \
static const struct uop *f##NAME##S##_##CC(struct cpu *cpu, const struct uop *u)     \
{                                                                                    \
    uint64_t cf = cc_compute_cf(cpu);                                                \
    uint64_t r = reg_get(cpu, u->reg, S) + (uint64_t)(DELTA);                        \
    reg_set(cpu, u->reg, S, r);                                                      \
    cpu->cc_op = CCOP + (S == 8 ? SZ_Q : SZ_L);                                      \
    cpu->cc_src = cf;                                                                \
    cpu->cc_dst = r;                                                                 \
    return fused_branch(cpu, u, cpu_cond(cpu, CC));                                  \
}

#define FUSE_SIZE(S, CC)                                                              \
    FUSE_FORM(cmp, cc_set_sub, rr, S, CC) FUSE_FORM(cmp, cc_set_sub, ri, S, CC)       \
    FUSE_FORM(cmp, cc_set_sub, rm, S, CC) FUSE_FORM(cmp, cc_set_sub, mr, S, CC)       \
    FUSE_FORM(cmp, cc_set_sub, mi, S, CC) FUSE_FORM(test, cc_set_test, rr, S, CC)     \
    FUSE_FORM(test, cc_set_test, ri, S, CC) FUSE_FORM(test, cc_set_test, mr, S, CC)   \
    FUSE_FORM(test, cc_set_test, mi, S, CC)
#define FUSE_ALL(CC) FUSE_SIZE(1, CC) FUSE_SIZE(2, CC) FUSE_SIZE(4, CC) FUSE_SIZE(8, CC)  \
    FUSE_INCDEC(inc, 1, CC_OP_INCB, 4, CC) FUSE_INCDEC(inc, 1, CC_OP_INCB, 8, CC)     \
    FUSE_INCDEC(dec, -1, CC_OP_DECB, 4, CC) FUSE_INCDEC(dec, -1, CC_OP_DECB, 8, CC)
FUSE_ALL(0) FUSE_ALL(1) FUSE_ALL(2) FUSE_ALL(3) FUSE_ALL(4) FUSE_ALL(5) FUSE_ALL(6) FUSE_ALL(7)
FUSE_ALL(8) FUSE_ALL(9) FUSE_ALL(10) FUSE_ALL(11) FUSE_ALL(12) FUSE_ALL(13) FUSE_ALL(14) FUSE_ALL(15)

#define ROW(P, S) { P##S##_0, P##S##_1, P##S##_2, P##S##_3, P##S##_4, P##S##_5, P##S##_6,   \
    P##S##_7, P##S##_8, P##S##_9, P##S##_10, P##S##_11, P##S##_12, P##S##_13, P##S##_14,    \
    P##S##_15 }

/* [kind: cmp rr, cmp ri, inc, dec][size: 4, 8][condition] */
static const uop_fn fused[4][2][16] = {
    { ROW(fcmp_rr, 4), ROW(fcmp_rr, 8) },
    { ROW(fcmp_ri, 4), ROW(fcmp_ri, 8) },
    { ROW(finc, 4), ROW(finc, 8) },
    { ROW(fdec, 4), ROW(fdec, 8) },
};

uop_fn fuse_with_jcc(const struct insn *prev, unsigned cc, uint8_t *kform)
{
    int kind;

    if (prev->osize != 4 && prev->osize != 8)
        return NULL;
    if (prev->op == OP_CMP && prev->o[0].kind == OPND_REG
        && (prev->o[1].kind == OPND_REG || prev->o[1].kind == OPND_IMM))
        kind = prev->o[1].kind == OPND_REG ? FUSE_CMP_RR : FUSE_CMP_RI;
    else if ((prev->op == OP_INC || prev->op == OP_DEC) && prev->o[0].kind == OPND_REG)
        kind = prev->op == OP_INC ? FUSE_INC : FUSE_DEC;
    else
        return NULL;
    *kform = (uint8_t)kind;
    return fused[kind][prev->osize == 8][cc & 15];
}

/* The portable backend's pairs: [form: rr, ri, rm, mr, mi][size: 1, 2, 4, 8][condition] */
#define SIZES(P) { ROW(P, 1), ROW(P, 2), ROW(P, 4), ROW(P, 8) }
static const uop_fn fused_cmp[5][4][16] = {
    SIZES(fcmp_rr), SIZES(fcmp_ri), SIZES(fcmp_rm), SIZES(fcmp_mr), SIZES(fcmp_mi),
};
/* TEST has no rm form: TEST r/m, reg decodes with the r/m operand first */
static const uop_fn fused_test[5][4][16] = {
    SIZES(ftest_rr), SIZES(ftest_ri), { { NULL } }, SIZES(ftest_mr), SIZES(ftest_mi),
};

uop_fn fuse_with_jcc_portable(const struct insn *prev, unsigned cc)
{
    const struct opnd *a = &prev->o[0], *b = &prev->o[1];
    int form, size;

    if ((prev->op != OP_CMP && prev->op != OP_TEST) || prev->nopnds != 2)
        return NULL;
    if (a->kind == OPND_REG)
        form = b->kind == OPND_REG ? 0 : b->kind == OPND_IMM ? 1 : b->kind == OPND_MEM ? 2 : -1;
    else if (a->kind == OPND_MEM)
        form = b->kind == OPND_REG ? 3 : b->kind == OPND_IMM ? 4 : -1;
    else
        form = -1;
    size = prev->osize == 1 ? 0 : prev->osize == 2 ? 1 : prev->osize == 4 ? 2
         : prev->osize == 8 ? 3 : -1;
    if (form < 0 || size < 0)
        return NULL;
    return (prev->op == OP_CMP ? fused_cmp : fused_test)[form][size][cc & 15];
}
