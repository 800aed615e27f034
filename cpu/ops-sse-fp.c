/*
 * cpu/ops-sse-fp.c: SSE floating-point arithmetic (the "ssefp" family of
 * insn-list.h, conversions and COMISS/UCOMISS are in ops-sse-cvt.c):
 * ADD/SUB/MUL/DIV/MIN/MAX/SQRT in PS/PD/SS/SD forms, RCPPS/RCPSS,
 * RSQRTPS/RSQRTSS, CMPPS/PD/SS/SD, ADDSUB/HADD/HSUB (SSE3), ROUNDPS/PD/SS/SD
 * and DPPS/DPPD (SSE4.1), LDMXCSR/STMXCSR (SDM vol. 2 under each
 * mnemonic; vol. 1, 10.2.3 MXCSR, 11.5 exceptions).
 *
 * Every lane is computed with cpu/softfloat in the MXCSR rounding mode,
 * with DAZ/FTZ, the SSE NaN rule (first source's NaN, quieted) and the
 * exception rule of ops-sse-fp.h.  Rules the SDM gives per instruction:
 *  - MIN/MAX return the second operand when either is a NaN (QNaN too,
 *    which signals IE) or both are zeros of any sign.
 *  - CMPPS/PD/SS/SD use imm8 bits 2:0 (the 8 SSE predicates; the other
 *    bits are ignored as on hardware); LT, LE, NLT, NLE signal IE on a
 *    QNaN, the others only on an SNaN.
 *  - ROUND* take the rounding mode from imm8 bits 1:0, or from MXCSR.RC
 *    when bit 2 is set; bit 3 suppresses PE; only IE (SNaN) and PE are
 *    signalled, never DE.
 *  - DPPS/DPPD follow the SDM's operation exactly: products selected by
 *    imm8[7:4] (+0.0 otherwise), then (p0 + p1) + (p2 + p3) for DPPS, each
 *    step rounded; the sum goes to the lanes selected by imm8[3:0].  The
 *    steps are checked for exceptions in that order (an unmasked one in
 *    a product stops before the sums), as the host CPU does.
 *
 * Known deviation: RCPPS/RCPSS/RSQRTPS/RSQRTSS are approximations whose
 * exact bits are implementation-specific (SDM: relative error at most
 * 1.5 * 2^-12).  satori returns the round-to-nearest 1/x (correctly
 * rounded) and 1/sqrt(x) computed in binary64 and rounded to binary32, with
 * the architectural special cases (docs/design-notes.md); silicon returns
 * a table-based value that differs in the low bits.
 */
#include "cpu/ops-sse-fp.h"

/* shape (u->aux bits 8-9; bits 0-7 are the FPK_* kind) */
#define FPA_DBL    0x100u   /* binary64 lanes */
#define FPA_SCALAR 0x200u   /* the low lane only */

void sse_fp_finish(struct cpu *cpu, const struct fp_exc *x)
{
    uint8_t masks = (uint8_t)((cpu->fpu.mxcsr >> 7) & 0x3f);
    uint8_t report = (x->pre & ~masks) ? x->pre : (uint8_t)(x->pre | x->post);

    cpu->fpu.mxcsr |= report;
    if (report & ~masks)
        cpu_raise_exception(cpu, (cpu->cr4 & CR4_OSXMMEXCPT) ? EXC_XM : EXC_UD);
}

void fp_unmasked_pe(unsigned kind, bool dbl, uint64_t a, uint64_t b, struct sf_status *st)
{
    struct sf_status t = *st;
    struct sf_x80 x, y;

    if (!(st->flags & (SF_OE | SF_UE) & ~st->masks))
        return;
    /* the same operation on extended operands rounded to 24 or 53 bits:
     * the 15-bit exponent cannot overflow or underflow here */
    t.flags = 0;
    t.masks = 0x3f;
    t.ftz = false;
    x = dbl || kind == FPK_CVT ? sf64_to_x80(a, &t) : sf32_to_x80((uint32_t)a, &t);
    y = dbl ? sf64_to_x80(b, &t) : sf32_to_x80((uint32_t)b, &t);
    t.prec = dbl ? SF_PREC_53 : SF_PREC_24;
    t.flags = 0;
    switch (kind) {
    case FPK_ADD: sfx80_add(x, y, &t); break;
    case FPK_SUB: sfx80_sub(x, y, &t); break;
    case FPK_MUL: sfx80_mul(x, y, &t); break;
    case FPK_DIV: sfx80_div(x, y, &t); break;
    case FPK_SQRT: sfx80_sqrt(y, &t); break;
    default: sfx80_round_prec(x, SF_PREC_24, &t); break;       /* FPK_CVT */
    }
    st->flags = (uint8_t)((st->flags & ~SF_PE) | (t.flags & SF_PE));
}

/* ---- the approximations (see the overview) ---- */

static uint32_t approx_special(uint32_t a, bool rsqrt, bool *done)
{
    uint32_t sign = a & 0x80000000u, mag = a & 0x7fffffffu;

    *done = true;
    if (mag > 0x7f800000u)
        return a | 0x00400000u;                 /* NaN, quieted; no IE */
    if (mag < 0x00800000u)
        return sign | 0x7f800000u;              /* zero or denormal: infinity */
    if (rsqrt && sign)
        return SF32_DEFAULT_NAN;                /* negative: QNaN indefinite */
    if (mag == 0x7f800000u)
        return sign;                            /* infinity: zero */
    *done = false;
    return 0;
}

/* RCP (1/x, correctly rounded) or RSQRT (1/sqrt(x) in binary64, rounded) */
static uint32_t fp_approx32(uint32_t a, bool rsqrt)
{
    struct sf_status st;
    bool done;
    uint32_t r = approx_special(a, rsqrt, &done);

    if (done)
        return r;
    sf_status_sse(&st, MXCSR_RESET);
    if (rsqrt) {
        uint64_t s = sf64_sqrt(sf32_to_f64(a, &st), &st);
        return sf64_to_f32(sf64_div(0x3ff0000000000000ull, s, &st), &st);
    }
    r = sf32_div(0x3f800000u, a, &st);
    if ((r & 0x7f800000u) == 0)
        r &= 0x80000000u;                       /* tiny results are flushed to zero */
    return r;
}

/* ---- one lane ---- */

static bool cmp_predicate(unsigned pred, enum sf_relation r)
{
    switch (pred & 7) {
    case 0: return r == SF_EQUAL;
    case 1: return r == SF_LESS;
    case 2: return r == SF_LESS || r == SF_EQUAL;
    case 3: return r == SF_UNORDERED;
    case 4: return r != SF_EQUAL;
    case 5: return r != SF_LESS;
    case 6: return r != SF_LESS && r != SF_EQUAL;
    default: return r != SF_UNORDERED;
    }
}

/* LT, LE, NLT, NLE signal on a QNaN */
static bool cmp_signaling(unsigned pred)
{
    pred &= 3;
    return pred == 1 || pred == 2;
}

static uint64_t daz_in(uint64_t a, bool dbl, const struct sf_status *st)
{
    if (!st->daz)
        return a;
    if (dbl)
        return (a & 0x7ff0000000000000ull) ? a : a & 0x8000000000000000ull;
    return (a & 0x7f800000u) ? a : a & 0x80000000u;
}

static uint64_t fp_lane_op(unsigned kind, bool dbl, uint64_t a, uint64_t b, unsigned imm,
                           struct sf_status *st)
{
    uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b;
    enum sf_relation rel;

    switch (kind) {
    case FPK_ADD: return dbl ? sf64_add(a, b, st) : sf32_add(a32, b32, st);
    case FPK_SUB: return dbl ? sf64_sub(a, b, st) : sf32_sub(a32, b32, st);
    case FPK_MUL: return dbl ? sf64_mul(a, b, st) : sf32_mul(a32, b32, st);
    case FPK_DIV: return dbl ? sf64_div(a, b, st) : sf32_div(a32, b32, st);
    case FPK_SQRT: return dbl ? sf64_sqrt(b, st) : sf32_sqrt(b32, st);
    case FPK_RCP: return fp_approx32(b32, false);
    case FPK_RSQRT: return fp_approx32(b32, true);
    case FPK_MIN:
    case FPK_MAX:
        a = daz_in(a, dbl, st);
        b = daz_in(b, dbl, st);
        rel = dbl ? sf64_compare(a, b, true, st) : sf32_compare((uint32_t)a, (uint32_t)b, true, st);
        return rel == (kind == FPK_MIN ? SF_LESS : SF_GREATER) ? a : b;
    case FPK_CMP:
        rel = dbl ? sf64_compare(a, b, cmp_signaling(imm), st)
                  : sf32_compare(a32, b32, cmp_signaling(imm), st);
        return cmp_predicate(imm, rel) ? ~0ull : 0;
    default: {  /* FPK_ROUND */
        int mode = (imm & 4) ? (int)((st->round) & 3) : (int)(imm & 3);
        uint64_t r = dbl ? sf64_round_int(b, mode, !(imm & 8), st)
                         : sf32_round_int(b32, mode, !(imm & 8), st);
        st->flags &= (uint8_t)~SF_DE;
        return r;
    }
    }
}

static uint64_t lane_get(const union vec *v, bool dbl, unsigned i)
{
    return dbl ? v->q[i] : v->d[i];
}

static void lane_set(union vec *v, bool dbl, unsigned i, uint64_t x)
{
    if (dbl)
        v->q[i] = x;
    else
        v->d[i] = (uint32_t)x;
}

static uint64_t fp_lane(unsigned kind, bool dbl, uint64_t a, uint64_t b, unsigned imm,
                        struct sf_status *st)
{
    uint64_t r = fp_lane_op(kind, dbl, a, b, imm, st);

    if (kind <= FPK_SQRT)
        fp_unmasked_pe(kind, dbl, a, b, st);
    return r;
}

/*
 * The operands of lane i and the operation on them: dst op src lane by
 * lane; ADDSUBPS/PD subtract in even lanes and add in odd ones; HADD/HSUB
 * combine pairs of the destination, then pairs of the source.
 */
static unsigned lane_args(unsigned kind, bool dbl, unsigned i, unsigned n, const union vec *d,
                          const union vec *s, uint64_t *a, uint64_t *b)
{
    if (kind == FPK_HADD || kind == FPK_HSUB) {
        const union vec *v = i < n / 2 ? d : s;
        unsigned j = (i % (n / 2)) * 2;
        *a = lane_get(v, dbl, j);
        *b = lane_get(v, dbl, j + 1);
        return kind == FPK_HADD ? FPK_ADD : FPK_SUB;
    }
    *a = lane_get(d, dbl, i);
    *b = lane_get(s, dbl, i);
    if (kind == FPK_ADDSUB)
        return (i & 1) ? FPK_ADD : FPK_SUB;
    return kind;
}

/* Every lane-wise operation (scalar forms: the low lane only). */
static const struct uop *uop_fp_lanes(struct cpu *cpu, const struct uop *u)
{
    union vec d, s, r;
    struct sf_status base;
    struct fp_exc x = { 0, 0 };
    unsigned kind = u->aux & 0xff;
    bool dbl = u->aux & FPA_DBL;
    unsigned n = dbl ? 2 : 4;

    sse_src(cpu, u, &s);
    sse_reg(cpu, u->reg, false, &d);
    r = d;
    fp_status(cpu, &base);
    for (unsigned i = 0; i < ((u->aux & FPA_SCALAR) ? 1 : n); i++) {
        struct sf_status st = base;
        uint64_t a, b;
        unsigned k = lane_args(kind, dbl, i, n, &d, &s, &a, &b);
        lane_set(&r, dbl, i, fp_lane(k, dbl, a, b, (unsigned)u->imm, &st));
        fp_exc_add(&x, &st);
    }
    sse_fp_finish(cpu, &x);
    sse_set_reg(cpu, u->reg, false, &r);
    return u + 1;
}

/* One DPPS/DPPD step: r = a op b with its own exceptions. */
static uint64_t dp_step(unsigned kind, bool dbl, uint64_t a, uint64_t b,
                        const struct sf_status *base, struct fp_exc *x)
{
    struct sf_status st = *base;
    uint64_t r = fp_lane(kind, dbl, a, b, 0, &st);

    fp_exc_add(x, &st);
    return r;
}

/*
 * DPPS/DPPD (SDM vol. 2, DPPS "Operation": DP_primitive).  The steps are
 * checked in order, as on hardware: the products, then the pair sums,
 * then the final sum; an unmasked exception in one step stops there.
 */
static const struct uop *uop_fp_dp(struct cpu *cpu, const struct uop *u)
{
    union vec d, s, r;
    struct sf_status base;
    struct fp_exc x = { 0, 0 };
    bool dbl = u->aux & FPA_DBL;
    unsigned n = dbl ? 2 : 4, imm = (unsigned)u->imm;
    uint64_t t[4], sum;

    sse_src(cpu, u, &s);
    sse_reg(cpu, u->reg, false, &d);
    fp_status(cpu, &base);
    for (unsigned i = 0; i < n; i++)
        t[i] = (imm & (0x10u << i)) ? dp_step(FPK_MUL, dbl, lane_get(&d, dbl, i),
                                              lane_get(&s, dbl, i), &base, &x) : 0;
    sse_fp_finish(cpu, &x);
    x = (struct fp_exc){ 0, 0 };
    if (dbl) {
        sum = dp_step(FPK_ADD, dbl, t[0], t[1], &base, &x);
    } else {
        uint64_t lo = dp_step(FPK_ADD, dbl, t[0], t[1], &base, &x);
        uint64_t hi = dp_step(FPK_ADD, dbl, t[2], t[3], &base, &x);
        sse_fp_finish(cpu, &x);
        x = (struct fp_exc){ 0, 0 };
        sum = dp_step(FPK_ADD, dbl, lo, hi, &base, &x);
    }
    sse_fp_finish(cpu, &x);
    memset(&r, 0, sizeof r);
    for (unsigned i = 0; i < n; i++)
        if (imm & (1u << i))
            lane_set(&r, dbl, i, sum);
    sse_set_reg(cpu, u->reg, false, &r);
    return u + 1;
}

/* LDMXCSR m32: #GP(0) when a reserved bit is set (SDM vol. 2, LDMXCSR). */
static const struct uop *uop_ldmxcsr(struct cpu *cpu, const struct uop *u)
{
    uint32_t v = cpu_ld32(cpu, uop_la_r(cpu, u, 4));

    if (v & ~MXCSR_MASK)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    cpu->fpu.mxcsr = v;
    return u + 1;
}

static const struct uop *uop_stmxcsr(struct cpu *cpu, const struct uop *u)
{
    cpu_st32(cpu, uop_la_w(cpu, u, 4), cpu->fpu.mxcsr);
    return u + 1;
}

/* operation kind and shape of each arithmetic instruction */
static unsigned arith_aux(unsigned op)
{
#define FP4(base, kind)                                                    \
    case OP_##base##PS: return kind;                                       \
    case OP_##base##PD: return kind | FPA_DBL;                             \
    case OP_##base##SS: return kind | FPA_SCALAR;                          \
    case OP_##base##SD: return kind | FPA_DBL | FPA_SCALAR;
    switch (op) {
    FP4(ADD, FPK_ADD) FP4(SUB, FPK_SUB) FP4(MUL, FPK_MUL) FP4(DIV, FPK_DIV)
    FP4(MIN, FPK_MIN) FP4(MAX, FPK_MAX) FP4(SQRT, FPK_SQRT) FP4(CMP, FPK_CMP)
    case OP_RCPPS: return FPK_RCP;
    case OP_RCPSS: return FPK_RCP | FPA_SCALAR;
    case OP_RSQRTPS: return FPK_RSQRT;
    case OP_RSQRTSS: return FPK_RSQRT | FPA_SCALAR;
    case OP_ROUNDPS: return FPK_ROUND;
    case OP_ROUNDPD: return FPK_ROUND | FPA_DBL;
    case OP_ROUNDSS: return FPK_ROUND | FPA_SCALAR;
    case OP_ROUNDSD: return FPK_ROUND | FPA_DBL | FPA_SCALAR;
    default: return ~0u;
    }
#undef FP4
}

void tr_ssefp(struct tr_ctx *tc, const struct insn *in)
{
    unsigned aux = arith_aux(in->op);
    struct uop *u;

    if (aux != ~0u) {
        sse_emit(tc, in, uop_fp_lanes)->aux = (uint16_t)aux;
        return;
    }
    switch (in->op) {
    case OP_ADDSUBPS: case OP_ADDSUBPD: case OP_HADDPS: case OP_HADDPD:
    case OP_HSUBPS: case OP_HSUBPD:
        u = sse_emit(tc, in, uop_fp_lanes);
        u->aux = (uint16_t)((in->op == OP_ADDSUBPS || in->op == OP_ADDSUBPD) ? FPK_ADDSUB
                            : (in->op == OP_HADDPS || in->op == OP_HADDPD) ? FPK_HADD : FPK_HSUB);
        if (in->op == OP_ADDSUBPD || in->op == OP_HADDPD || in->op == OP_HSUBPD)
            u->aux |= FPA_DBL;
        return;
    case OP_DPPS:
        sse_emit(tc, in, uop_fp_dp)->aux = 0;
        return;
    case OP_DPPD:
        sse_emit(tc, in, uop_fp_dp)->aux = FPA_DBL;
        return;
    case OP_LDMXCSR:
        sse_emit(tc, in, uop_ldmxcsr);
        return;
    case OP_STMXCSR:
        sse_emit(tc, in, uop_stmxcsr);
        return;
    default:
        tr_sse_cvt(tc, in);
        return;
    }
}
