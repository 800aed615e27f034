/*
 * cpu/ops-sse-cvt.c: SSE/SSE2 conversions (every CVT* of insn-list.h's
 * "ssefp" family) and COMISS/COMISD/UCOMISS/UCOMISD (SDM vol. 2 under
 * each mnemonic).
 *
 *  - Float -> integer conversions round with MXCSR.RC, the CVTT* forms
 *    truncate; NaN and out-of-range values give the integer indefinite
 *    (0x80000000 or 0x8000000000000000) with IE.
 *  - Integer -> float conversions round with MXCSR.RC (PE when inexact);
 *    int32 -> binary64 is exact.
 *  - binary32 <-> binary64 conversions follow DAZ/FTZ and quiet SNaNs.
 *  - The forms with an MMX register (CVTPI2PS/PD with an MMX source,
 *    CVT(T)PS2PI/CVT(T)PD2PI) switch the x87 to MMX mode (TOP = 0, all
 *    tags valid), after the conversion completed; CVTPI2PS/PD with a
 *    memory source leave the x87 state alone (SDM CVTPI2PS "Operation").
 *    The pending-x87-exception check (#MF) these forms also make is not
 *    modelled.
 *  - COMIS* signal IE for QNaN and SNaN operands, UCOMIS* only for SNaN;
 *    they set ZF, PF, CF (unordered 111, greater 000, less 001, equal 100)
 *    and clear OF, SF, AF; an unmasked exception leaves EFLAGS unchanged.
 * Exceptions follow ops-sse-fp.h.
 */
#include "cpu/ops-sse-fp.h"

/* the source of a conversion: CVTSI2SS/SD read a general register */
static void cvt_src(struct cpu *cpu, const struct uop *u, union vec *s)
{
    if ((u->aux == OP_CVTSI2SS || u->aux == OP_CVTSI2SD) && u->rm != UOP_NOREG) {
        memset(s, 0, sizeof *s);
        s->q[0] = reg_get(cpu, u->rm, u->opsz2);
        return;
    }
    sse_src(cpu, u, s);
}

/* CVTSI2SS/SD: the source integer (32 or 64 bits) */
static int64_t cvt_int_src(const union vec *s, unsigned size)
{
    return size == 8 ? s->sq[0] : (int64_t)s->sd[0];
}

/* Conversions into an XMM register. */
static const struct uop *uop_cvt_xmm(struct cpu *cpu, const struct uop *u)
{
    union vec s, r;
    struct sf_status base;
    struct fp_exc x = { 0, 0 };
    unsigned op = u->aux, n;

    cvt_src(cpu, u, &s);
    sse_reg(cpu, u->reg, false, &r);
    fp_status(cpu, &base);
    switch (op) {
    case OP_CVTDQ2PS: case OP_CVTPS2DQ: case OP_CVTTPS2DQ: n = 4; break;
    case OP_CVTSI2SS: case OP_CVTSI2SD: case OP_CVTSS2SD: case OP_CVTSD2SS: n = 1; break;
    default: n = 2; break;
    }
    for (unsigned i = 0; i < n; i++) {
        struct sf_status st = base;
        switch (op) {
        case OP_CVTPI2PS: case OP_CVTDQ2PS: r.d[i] = sf32_from_i32(s.sd[i], &st); break;
        case OP_CVTPI2PD: case OP_CVTDQ2PD: r.q[i] = sf64_from_i32(s.sd[i], &st); break;
        case OP_CVTSI2SS:
            r.d[0] = u->opsz2 == 8 ? sf32_from_i64(cvt_int_src(&s, 8), &st)
                                   : sf32_from_i32((int32_t)cvt_int_src(&s, 4), &st);
            break;
        case OP_CVTSI2SD:
            r.q[0] = u->opsz2 == 8 ? sf64_from_i64(cvt_int_src(&s, 8), &st)
                                   : sf64_from_i32((int32_t)cvt_int_src(&s, 4), &st);
            break;
        case OP_CVTPS2PD: case OP_CVTSS2SD: r.q[i] = sf32_to_f64(s.d[i], &st); break;
        case OP_CVTPD2PS: case OP_CVTSD2SS:
            r.d[i] = sf64_to_f32(s.q[i], &st);
            fp_unmasked_pe(FPK_CVT, false, s.q[i], 0, &st);
            break;
        case OP_CVTPS2DQ: r.sd[i] = sf32_to_i32(s.d[i], &st); break;
        case OP_CVTTPS2DQ: r.sd[i] = sf32_to_i32_trunc(s.d[i], &st); break;
        case OP_CVTPD2DQ: r.sd[i] = sf64_to_i32(s.q[i], &st); break;
        default: r.sd[i] = sf64_to_i32_trunc(s.q[i], &st); break;      /* CVTTPD2DQ */
        }
        fp_exc_add(&x, &st);
    }
    sse_fp_finish(cpu, &x);
    if (op == OP_CVTPD2PS || op == OP_CVTPD2DQ || op == OP_CVTTPD2DQ)
        r.q[1] = 0;
    if ((op == OP_CVTPI2PS || op == OP_CVTPI2PD) && (u->cc & SV_SRC_MMX))
        mmx_enter(cpu);
    sse_set_reg(cpu, u->reg, false, &r);
    return u + 1;
}

/* One float -> integer conversion: bits 32 or 64, truncating or MXCSR.RC. */
static int64_t cvt_to_int(uint64_t a, bool dbl, unsigned bits, bool trunc, struct sf_status *st)
{
    if (dbl) {
        if (bits == 64)
            return trunc ? sf64_to_i64_trunc(a, st) : sf64_to_i64(a, st);
        return trunc ? sf64_to_i32_trunc(a, st) : sf64_to_i32(a, st);
    }
    if (bits == 64)
        return trunc ? sf32_to_i64_trunc((uint32_t)a, st) : sf32_to_i64((uint32_t)a, st);
    return trunc ? sf32_to_i32_trunc((uint32_t)a, st) : sf32_to_i32((uint32_t)a, st);
}

/* Conversions into an MMX register (two int32) or a general register. */
static const struct uop *uop_cvt_int(struct cpu *cpu, const struct uop *u)
{
    union vec s;
    struct sf_status base;
    struct fp_exc x = { 0, 0 };
    unsigned op = u->aux;
    bool dbl = op == OP_CVTPD2PI || op == OP_CVTTPD2PI || op == OP_CVTSD2SI || op == OP_CVTTSD2SI;
    bool trunc = op == OP_CVTTPS2PI || op == OP_CVTTPD2PI || op == OP_CVTTSS2SI
                 || op == OP_CVTTSD2SI;
    bool mmx = u->cc & SV_DST_MMX;
    int64_t v[2];

    sse_src(cpu, u, &s);
    fp_status(cpu, &base);
    for (unsigned i = 0; i < (mmx ? 2u : 1u); i++) {
        struct sf_status st = base;
        v[i] = cvt_to_int(dbl ? s.q[i] : s.d[i], dbl, mmx ? 32 : u->osize * 8u, trunc, &st);
        fp_exc_add(&x, &st);
    }
    sse_fp_finish(cpu, &x);
    if (mmx) {
        mmx_enter(cpu);
        mmx_set(cpu, u->reg, (uint32_t)v[0] | ((uint64_t)(uint32_t)v[1] << 32));
    } else {
        reg_set(cpu, u->reg, u->osize, (uint64_t)v[0]);
    }
    return u + 1;
}

/* COMISS/COMISD/UCOMISS/UCOMISD */
static const struct uop *uop_comis(struct cpu *cpu, const struct uop *u)
{
    union vec d, s;
    struct sf_status st;
    struct fp_exc x = { 0, 0 };
    unsigned op = u->aux;
    bool sig = op == OP_COMISS || op == OP_COMISD;
    enum sf_relation rel;
    uint32_t f;

    sse_src(cpu, u, &s);
    sse_reg(cpu, u->reg, false, &d);
    fp_status(cpu, &st);
    if (op == OP_COMISD || op == OP_UCOMISD)
        rel = sf64_compare(d.q[0], s.q[0], sig, &st);
    else
        rel = sf32_compare(d.d[0], s.d[0], sig, &st);
    fp_exc_add(&x, &st);
    sse_fp_finish(cpu, &x);
    switch (rel) {
    case SF_UNORDERED: f = EFLAGS_ZF | EFLAGS_PF | EFLAGS_CF; break;
    case SF_LESS: f = EFLAGS_CF; break;
    case SF_EQUAL: f = EFLAGS_ZF; break;
    default: f = 0; break;
    }
    cpu_set_arith_flags(cpu, f);
    return u + 1;
}

void tr_sse_cvt(struct tr_ctx *tc, const struct insn *in)
{
    struct uop *u;

    switch (in->op) {
    case OP_COMISS: case OP_COMISD: case OP_UCOMISS: case OP_UCOMISD:
        sse_emit(tc, in, uop_comis)->aux = in->op;
        return;
    case OP_CVTTPS2PI: case OP_CVTTPD2PI: case OP_CVTTSS2SI: case OP_CVTTSD2SI:
    case OP_CVTPS2PI: case OP_CVTPD2PI: case OP_CVTSS2SI: case OP_CVTSD2SI:
        u = sse_emit(tc, in, uop_cvt_int);
        u->aux = in->op;
        u->osize = in->o[0].size;
        return;
    case OP_CVTPI2PS: case OP_CVTPI2PD: case OP_CVTSI2SS: case OP_CVTSI2SD:
    case OP_CVTPS2PD: case OP_CVTPD2PS: case OP_CVTSS2SD: case OP_CVTSD2SS:
    case OP_CVTDQ2PS: case OP_CVTPS2DQ: case OP_CVTTPS2DQ:
    case OP_CVTDQ2PD: case OP_CVTPD2DQ: case OP_CVTTPD2DQ:
        u = sse_emit(tc, in, uop_cvt_xmm);
        u->aux = in->op;
        if (in->op == OP_CVTSI2SS || in->op == OP_CVTSI2SD)
            u->opsz2 = in->o[1].size;
        return;
    default:
        cpu_abort(tc->cpu, "tr_ssefp: %s is not an SSE floating-point instruction",
                  insn_op_name[in->op]);
    }
}
