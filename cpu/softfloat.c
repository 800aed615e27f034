/*
 * cpu/softfloat.c: integer-only IEEE 754 arithmetic for float32, float64
 * and the x87 80-bit extended format (interface and the rules followed in
 * softfloat.h).
 *
 * Every operation unpacks its operands into one common form (class, sign,
 * unbiased exponent, 64-bit significand normalised with the integer bit at
 * bit 63), computes the exact result, or an exact 128-bit prefix of it with
 * a sticky bit, and hands that to round_pack(), the only place that rounds,
 * detects overflow and tininess (after rounding, as Intel processors do:
 * SDM vol. 1 4.9.1.5) and packs.  The three formats differ only in the
 * parameters of struct sf_fmt, so each algorithm exists once.
 *
 * Known deviations: none known; the exception precedence (a NaN operand
 * hides DE, an invalid operation hides DE) follows what Intel processors
 * report, as tests/test-softfloat.c checks against the host.
 */
#include "cpu/softfloat.h"

#include <stddef.h>

struct sf_fmt {
    int p;          /* significand bits including the integer bit */
    int32_t bias;   /* exponent bias; emax = bias, emin = 1 - bias */
    int32_t emask;  /* all-ones biased exponent */
    int expshift;   /* bit position of the exponent in the packed value */
};

static const struct sf_fmt F32 = { 24, 127, 0xff, 23 };
static const struct sf_fmt F64 = { 53, 1023, 0x7ff, 52 };
static const struct sf_fmt X80 = { 64, 16383, 0x7fff, 0 };

#define BIT63 0x8000000000000000ull
#define QUIET 0x4000000000000000ull   /* quiet bit in the unpacked NaN significand */
#define X87_WRAP 24576                /* exponent bias adjust, SDM 4.9.1.4 */

/* ---- 128-bit helpers ---- */

struct u128 {
    uint64_t hi, lo;
};

static int clz64(uint64_t v)
{
    return v ? __builtin_clzll(v) : 64;
}

static struct u128 u128_shl(struct u128 a, unsigned n)
{
    if (n == 0)
        return a;
    if (n >= 128)
        return (struct u128){ 0, 0 };
    if (n >= 64)
        return (struct u128){ a.lo << (n - 64), 0 };
    return (struct u128){ (a.hi << n) | (a.lo >> (64 - n)), a.lo << n };
}

/* shift right, OR-ing every bit shifted out into bit 0 */
static struct u128 u128_shr_sticky(struct u128 a, uint64_t n)
{
    struct u128 r;
    bool lost;
    if (n == 0)
        return a;
    if (n >= 128) {
        lost = a.hi || a.lo;
        r.hi = 0;
        r.lo = lost;
        return r;
    }
    if (n >= 64) {
        lost = a.lo || (n > 64 && (a.hi << (128 - n)));
        r.lo = n == 64 ? a.hi : a.hi >> (n - 64);
        r.hi = 0;
    } else {
        lost = (a.lo << (64 - n)) != 0;
        r.lo = (a.lo >> n) | (a.hi << (64 - n));
        r.hi = a.hi >> n;
    }
    r.lo |= lost;
    return r;
}

static struct u128 u128_shr(struct u128 a, unsigned n)
{
    if (n == 0)
        return a;
    if (n >= 64)
        return (struct u128){ 0, n >= 128 ? 0 : a.hi >> (n - 64) };
    return (struct u128){ a.hi >> n, (a.lo >> n) | (a.hi << (64 - n)) };
}

static struct u128 u128_add(struct u128 a, struct u128 b)
{
    struct u128 r = { a.hi + b.hi, a.lo + b.lo };
    r.hi += r.lo < a.lo;
    return r;
}

static struct u128 u128_sub(struct u128 a, struct u128 b)
{
    struct u128 r = { a.hi - b.hi, a.lo - b.lo };
    r.hi -= a.lo < b.lo;
    return r;
}

static int u128_cmp(struct u128 a, struct u128 b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo)
        return a.lo < b.lo ? -1 : 1;
    return 0;
}

static struct u128 mul64(uint64_t a, uint64_t b)
{
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    struct u128 r;
    r.lo = (mid << 32) | (uint32_t)ll;
    r.hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return r;
}

/* ---- unpacked form ---- */

enum cls { CL_ZERO, CL_NORM, CL_INF, CL_QNAN, CL_SNAN, CL_BAD };

struct unp {
    uint8_t cls;
    bool sign;
    bool denorm;    /* operand was denormal (DE unless DAZ) */
    int32_t exp;    /* CL_NORM: value = sig * 2^(exp - 63) */
    uint64_t sig;   /* CL_NORM: bit 63 set; NaN: payload with quiet bit 62 */
};

/* A result before rounding: value = m * 2^(exp - 127), m.hi bit 63 set. */
struct res {
    uint8_t cls;
    bool sign;
    int32_t exp;
    struct u128 m;
};

static bool is_nan_cls(int c)
{
    return c == CL_QNAN || c == CL_SNAN;
}

/* Raw operand: float32/float64 bits in .sig, or an extended value. */
static struct unp unpack(const struct sf_fmt *f, struct sf_x80 raw, struct sf_status *st)
{
    struct unp u = { CL_NORM, false, false, 0, 0 };
    int32_t bexp;
    uint64_t frac;   /* fraction left-aligned at bit 62 */
    if (f == &X80) {
        u.sign = raw.se >> 15;
        bexp = raw.se & 0x7fff;
        frac = raw.sig & ~BIT63;
        if (bexp == 0x7fff) {
            if (!(raw.sig & BIT63))
                u.cls = CL_BAD;         /* pseudo-infinity / pseudo-NaN */
            else if (frac == 0)
                u.cls = CL_INF;
            else {
                u.cls = (frac & QUIET) ? CL_QNAN : CL_SNAN;
                u.sig = frac;
            }
            return u;
        }
        if (bexp != 0 && !(raw.sig & BIT63)) {
            u.cls = CL_BAD;             /* unnormal */
            return u;
        }
        if (bexp == 0) {
            if (raw.sig == 0) {
                u.cls = CL_ZERO;
                return u;
            }
            /* denormal or pseudo-denormal: exponent field reads as 1 */
            if (st->daz) {
                u.cls = CL_ZERO;
                return u;
            }
            u.denorm = true;
            int s = clz64(raw.sig);
            u.sig = raw.sig << s;
            u.exp = 1 - f->bias - s;
            return u;
        }
        u.sig = raw.sig;
        u.exp = bexp - f->bias;
        return u;
    }
    int fb = f->p - 1;                  /* stored fraction bits */
    uint64_t bits = raw.sig;
    u.sign = (bits >> (f->expshift + (f == &F32 ? 8 : 11))) & 1;
    bexp = (bits >> f->expshift) & f->emask;
    uint64_t fr = bits & ((1ull << fb) - 1);
    frac = fr << (63 - fb);
    if (bexp == f->emask) {
        if (fr == 0)
            u.cls = CL_INF;
        else {
            u.cls = (frac & QUIET) ? CL_QNAN : CL_SNAN;
            u.sig = frac;
        }
        return u;
    }
    if (bexp == 0) {
        if (fr == 0 || st->daz) {
            u.cls = CL_ZERO;
            return u;
        }
        u.denorm = true;
        int s = clz64(fr);
        u.sig = fr << s;
        /* value = fr * 2^(1 - bias - fb) = sig * 2^(exp - 63) */
        u.exp = 1 - f->bias - fb + 63 - s;
        return u;
    }
    u.sig = (fr | (1ull << fb)) << (63 - fb);
    u.exp = bexp - f->bias;
    return u;
}

static struct sf_x80 pack_fields(const struct sf_fmt *f, bool sign, uint32_t bexp, uint64_t sig)
{
    struct sf_x80 r;
    if (f == &X80) {
        r.sig = sig;
        r.se = (uint16_t)((sign ? 0x8000u : 0) | bexp);
        return r;
    }
    int fb = f->p - 1;
    uint64_t fr = (sig >> (63 - fb)) & ((1ull << fb) - 1);
    r.sig = ((uint64_t)sign << (f->expshift + (f == &F32 ? 8 : 11)))
          | ((uint64_t)bexp << f->expshift) | fr;
    r.se = 0;
    return r;
}

static struct sf_x80 pack_nan(const struct sf_fmt *f, bool sign, uint64_t payload)
{
    return pack_fields(f, sign, (uint32_t)f->emask, BIT63 | QUIET | payload);
}

static struct sf_x80 pack_inf(const struct sf_fmt *f, bool sign)
{
    return pack_fields(f, sign, (uint32_t)f->emask, BIT63);
}

static struct sf_x80 pack_zero(const struct sf_fmt *f, bool sign)
{
    return pack_fields(f, sign, 0, 0);
}

/* SDM vol. 1 table 4-7: the NaN an operation with NaN operands returns. */
static struct unp pick_nan(const struct unp *a, const struct unp *b, struct sf_status *st)
{
    struct unp r;
    bool an = is_nan_cls(a->cls), bn = b && is_nan_cls(b->cls);
    if (a->cls == CL_SNAN || (b && b->cls == CL_SNAN))
        st->flags |= SF_IE;
    if (!bn)
        r = *a;
    else if (!an)
        r = *b;
    else if (st->nan_rule == SF_NAN_SSE)
        r = *a;
    else if (a->cls != b->cls)
        r = a->cls == CL_QNAN ? *a : *b;
    else if (a->sig != b->sig)
        r = a->sig > b->sig ? *a : *b;
    else
        r = a->sign ? *b : *a;
    r.cls = CL_QNAN;
    r.sig |= QUIET;
    return r;
}

static int prec_bits(const struct sf_fmt *f, const struct sf_status *st)
{
    if (f != &X80)
        return f->p;
    switch (st->prec) {
    case SF_PREC_24: return 24;
    case SF_PREC_53: return 53;
    default: return 64;
    }
}

/*
 * Keep the top p bits of m as an integer, rounded in `mode`.  *carry when
 * rounding reached 2^p (the value returned is then 2^(p - 1), one binade
 * up); *inc when the magnitude was increased.
 */
static uint64_t round_top(struct u128 m, int p, int mode, bool sign, bool *inexact,
                          bool *carry, bool *inc)
{
    uint64_t kept, rbit;
    bool sticky;
    if (p == 64) {
        kept = m.hi;
        rbit = m.lo >> 63;
        sticky = (m.lo << 1) != 0;
    } else {
        kept = m.hi >> (64 - p);
        rbit = (m.hi >> (63 - p)) & 1;
        sticky = (m.hi & ((1ull << (63 - p)) - 1)) != 0 || m.lo != 0;
    }
    *inexact = rbit || sticky;
    switch (mode) {
    case SF_ROUND_NEAREST: *inc = rbit && (sticky || (kept & 1)); break;
    case SF_ROUND_UP: *inc = !sign && *inexact; break;
    case SF_ROUND_DOWN: *inc = sign && *inexact; break;
    default: *inc = false; break;
    }
    *carry = false;
    if (*inc) {
        kept++;
        if (p == 64 ? kept == 0 : (kept >> p) != 0) {
            *carry = true;
            kept = 1ull << (p - 1);
        }
    }
    return kept;
}

/*
 * Round the exact result (m normalised, value = m * 2^(exp - 127)) to p
 * significand bits of format f and pack it, with the masked (or, for the
 * x87 when wrap, unmasked) responses to overflow and underflow.
 */
static struct sf_x80 round_pack(const struct sf_fmt *f, int p, bool sign, int32_t exp,
                                struct u128 m, bool wrap, struct sf_status *st)
{
    int32_t emin = 1 - f->bias, emax = f->bias;
    bool inexact, carry, inc;
    uint64_t k = round_top(m, p, st->round, sign, &inexact, &carry, &inc);
    int32_t e = exp + carry;
    st->c1 = false;
    if (e >= emin) {
        if (e > emax) {
            if (wrap && !(st->masks & SF_OE) && e - X87_WRAP <= emax) {
                e -= X87_WRAP;
                st->flags |= SF_OE | (inexact ? SF_PE : 0);
                st->c1 = inc;
                return pack_fields(f, sign, (uint32_t)(e + f->bias), k << (64 - p));
            }
            st->flags |= SF_OE | SF_PE;
            int mode = st->round;
            if (mode == SF_ROUND_NEAREST || (mode == SF_ROUND_UP && !sign)
                || (mode == SF_ROUND_DOWN && sign)) {
                st->c1 = true;
                return pack_inf(f, sign);
            }
            uint64_t maxsig = p == 64 ? ~0ull : ((1ull << p) - 1) << (64 - p);
            return pack_fields(f, sign, (uint32_t)(emax + f->bias), maxsig);
        }
        if (inexact)
            st->flags |= SF_PE;
        st->c1 = inc;
        return pack_fields(f, sign, (uint32_t)(e + f->bias), k << (64 - p));
    }
    /* tiny after rounding */
    bool ue_unmasked = !(st->masks & SF_UE);
    if (wrap && ue_unmasked && e + X87_WRAP >= emin) {
        e += X87_WRAP;
        st->flags |= SF_UE | (inexact ? SF_PE : 0);
        st->c1 = inc;
        return pack_fields(f, sign, (uint32_t)(e + f->bias), k << (64 - p));
    }
    if (st->ftz && !ue_unmasked) {
        st->flags |= SF_UE | SF_PE;
        return pack_zero(f, sign);
    }
    struct u128 md = u128_shr_sticky(m, (uint64_t)((int64_t)emin - exp));
    k = round_top(md, p, st->round, sign, &inexact, &carry, &inc);
    if (inexact)
        st->flags |= SF_UE | SF_PE;
    else if (ue_unmasked)
        st->flags |= SF_UE;
    st->c1 = inc;
    uint32_t bexp = (k >> (p - 1)) & 1;
    return pack_fields(f, sign, bexp, k << (64 - p));
}

static bool x87_wrap(const struct sf_fmt *f, const struct sf_status *st)
{
    return f == &X80 && st->nan_rule == SF_NAN_X87;
}

/* Pack a struct res (exact result) into format f with p bits. */
static struct sf_x80 finish(const struct sf_fmt *f, int p, const struct res *r,
                            struct sf_status *st)
{
    switch (r->cls) {
    case CL_ZERO: st->c1 = false; return pack_zero(f, r->sign);
    case CL_INF: st->c1 = false; return pack_inf(f, r->sign);
    case CL_QNAN: st->c1 = false; return pack_nan(f, r->sign, r->m.hi);
    default: return round_pack(f, p, r->sign, r->exp, r->m, x87_wrap(f, st), st);
    }
}

static struct res res_nan(const struct unp *n)
{
    struct res r = { CL_QNAN, n->sign, 0, { n->sig, 0 } };
    return r;
}

static struct res res_default_nan(struct sf_status *st)
{
    struct res r = { CL_QNAN, true, 0, { QUIET, 0 } };
    st->flags |= SF_IE;
    return r;
}

static struct res res_special(int cls, bool sign)
{
    struct res r = { (uint8_t)cls, sign, 0, { 0, 0 } };
    return r;
}

/* Normalise a nonzero 128-bit magnitude: value = m * 2^(exp - 127). */
static struct res res_norm(bool sign, int32_t exp, struct u128 m)
{
    struct res r = { CL_NORM, sign, exp, m };
    int s = m.hi ? clz64(m.hi) : 64 + clz64(m.lo);
    r.m = u128_shl(m, (unsigned)s);
    r.exp = exp - s;
    return r;
}

static struct res res_from_unp(const struct unp *u)
{
    if (u->cls == CL_NORM)
        return res_norm(u->sign, u->exp, (struct u128){ u->sig, 0 });
    if (is_nan_cls(u->cls))
        return res_nan(u);
    return res_special(u->cls, u->sign);
}

/*
 * Common prologue of the two-operand operations: NaN and unsupported
 * operands.  Returns true with *r set when the result is decided.
 */
static bool nan_operands(const struct unp *a, const struct unp *b, struct res *r,
                         struct sf_status *st)
{
    if (a->cls == CL_BAD || (b && b->cls == CL_BAD)) {
        *r = res_default_nan(st);
        return true;
    }
    if (is_nan_cls(a->cls) || (b && is_nan_cls(b->cls))) {
        struct unp n = pick_nan(a, b, st);
        *r = res_nan(&n);
        return true;
    }
    return false;
}

static void flag_denormals(const struct unp *a, const struct unp *b, struct sf_status *st)
{
    if (a->denorm || (b && b->denorm))
        st->flags |= SF_DE;
}

/* ---- the operations, once for all formats ---- */

static struct res op_add(struct unp a, struct unp b, bool subtract, struct sf_status *st)
{
    struct res r;
    if (nan_operands(&a, &b, &r, st))
        return r;
    if (subtract)
        b.sign = !b.sign;
    if (a.cls == CL_INF || b.cls == CL_INF) {
        if (a.cls == CL_INF && b.cls == CL_INF && a.sign != b.sign)
            return res_default_nan(st);
        flag_denormals(&a, &b, st);
        return res_special(CL_INF, a.cls == CL_INF ? a.sign : b.sign);
    }
    flag_denormals(&a, &b, st);
    bool zero_sign = st->round == SF_ROUND_DOWN;
    if (a.cls == CL_ZERO && b.cls == CL_ZERO)
        return res_special(CL_ZERO, a.sign == b.sign ? a.sign : zero_sign);
    if (a.cls == CL_ZERO)
        return res_from_unp(&b);
    if (b.cls == CL_ZERO)
        return res_from_unp(&a);
    if (a.exp < b.exp || (a.exp == b.exp && a.sig < b.sig)) {
        struct unp t = a;
        a = b;
        b = t;
    }
    /* |a| >= |b|; one bit of headroom: value = X * 2^(exp - 126) */
    struct u128 x = { a.sig >> 1, a.sig << 63 };
    struct u128 y = u128_shr_sticky((struct u128){ b.sig >> 1, b.sig << 63 },
                                    (uint64_t)((int64_t)a.exp - b.exp));
    struct u128 s = a.sign == b.sign ? u128_add(x, y) : u128_sub(x, y);
    if (!s.hi && !s.lo)
        return res_special(CL_ZERO, zero_sign);
    return res_norm(a.sign, a.exp + 1, s);
}

static struct res op_mul(struct unp a, struct unp b, struct sf_status *st)
{
    struct res r;
    if (nan_operands(&a, &b, &r, st))
        return r;
    bool sign = a.sign != b.sign;
    if (a.cls == CL_INF || b.cls == CL_INF) {
        if (a.cls == CL_ZERO || b.cls == CL_ZERO)
            return res_default_nan(st);
        flag_denormals(&a, &b, st);
        return res_special(CL_INF, sign);
    }
    flag_denormals(&a, &b, st);
    if (a.cls == CL_ZERO || b.cls == CL_ZERO)
        return res_special(CL_ZERO, sign);
    /* sig product in [2^126, 2^128): value = P * 2^(ea + eb - 126) */
    return res_norm(sign, a.exp + b.exp + 1, mul64(a.sig, b.sig));
}

static struct res op_div(struct unp a, struct unp b, struct sf_status *st)
{
    struct res r;
    if (nan_operands(&a, &b, &r, st))
        return r;
    bool sign = a.sign != b.sign;
    if (a.cls == CL_INF) {
        if (b.cls == CL_INF)
            return res_default_nan(st);
        flag_denormals(&a, &b, st);
        return res_special(CL_INF, sign);
    }
    if (b.cls == CL_INF) {
        flag_denormals(&a, &b, st);
        return res_special(CL_ZERO, sign);
    }
    if (b.cls == CL_ZERO) {
        if (a.cls == CL_ZERO)
            return res_default_nan(st);
        st->flags |= SF_ZE;     /* a denormal dividend does not add DE */
        return res_special(CL_INF, sign);
    }
    flag_denormals(&a, &b, st);
    if (a.cls == CL_ZERO)
        return res_special(CL_ZERO, sign);
    /* restoring division, 66 quotient bits q0.q1...q65 and a sticky bit */
    int32_t exp = a.exp - b.exp;
    uint64_t rem;
    if (a.sig >= b.sig)
        rem = a.sig - b.sig;
    else {
        exp--;
        rem = (a.sig << 1) - b.sig;   /* 2a - b < b: fits */
    }
    uint64_t qhi = 1, qlo = 0;
    for (int i = 1; i < 66; i++) {
        bool top = rem >> 63;
        rem <<= 1;
        bool bit = top || rem >= b.sig;
        if (bit)
            rem -= b.sig;
        if (i < 64)
            qhi = (qhi << 1) | bit;
        else
            qlo |= (uint64_t)bit << (127 - i);
    }
    qlo |= rem != 0;
    /* quotient = qhi.qlo / 2^127 * 2^exp: qhi bit 63 is q0 */
    return res_norm(sign, exp, (struct u128){ qhi, qlo });
}

static struct res op_sqrt(struct unp a, struct sf_status *st)
{
    struct res r;
    if (nan_operands(&a, NULL, &r, st))
        return r;
    if (a.cls == CL_ZERO)
        return res_special(CL_ZERO, a.sign);
    if (a.sign)
        return res_default_nan(st);
    if (a.cls == CL_INF)
        return res_special(CL_INF, false);
    flag_denormals(&a, NULL, st);
    /* radicand n with value = n * 2^(2E - 126); root(n) in [2^63, 2^64) */
    struct u128 n;
    int32_t e;
    if (a.exp & 1) {
        n = (struct u128){ a.sig, 0 };
        e = (a.exp - 1) / 2;
    } else {
        n = (struct u128){ a.sig >> 1, a.sig << 63 };
        e = a.exp / 2;
    }
    struct u128 root = { 0, 0 }, bit = { 1ull << 62, 0 };
    for (int i = 0; i < 64; i++) {
        struct u128 t = u128_add(root, bit);
        if (u128_cmp(n, t) >= 0) {
            n = u128_sub(n, t);
            root = u128_add(u128_shr(root, 1), bit);
        } else {
            root = u128_shr(root, 1);
        }
        bit = u128_shr(bit, 2);
    }
    /* n = remainder; (root + 1/2)^2 is never an integer, so no ties */
    bool half = n.hi || n.lo > root.lo;
    bool sticky = n.hi || n.lo;
    struct u128 m = { root.lo, ((uint64_t)half << 63) | sticky };
    return res_norm(false, e, m);
}

/*
 * a - b * q.  Returns the exact remainder; *q_low gets the low 3 bits of q;
 * with partial, at most N (32..63) quotient bits are developed.
 */
static struct res op_rem(struct unp a, struct unp b, bool nearest, bool partial,
                         unsigned *q_low, bool *incomplete, struct sf_status *st)
{
    struct res r;
    *q_low = 0;
    *incomplete = false;
    if (nan_operands(&a, &b, &r, st))
        return r;
    if (a.cls == CL_INF || b.cls == CL_ZERO)
        return res_default_nan(st);
    flag_denormals(&a, &b, st);
    if (a.cls == CL_ZERO || b.cls == CL_INF)
        return res_from_unp(&a);
    int64_t d = (int64_t)a.exp - b.exp;
    bool sign = a.sign;
    uint64_t q = 0;
    if (d < -1 || (d == -1 && !nearest))
        return res_from_unp(&a);
    if (d == -1) {
        /* |a| in [|b|/4, |b|): q = 1 when |a| > |b| / 2 */
        if (a.sig <= b.sig)
            return res_from_unp(&a);
        *q_low = 1;
        return res_norm(!sign, a.exp, (struct u128){ b.sig - (a.sig - b.sig), 0 });
    }
    int64_t steps = d;
    bool partial_done = false;
    int32_t unit = b.exp;       /* remainder r is in units of 2^(unit - 63) */
    if (partial && d >= 64) {
        int64_t n = (d & 31) | 32;
        steps = n;
        unit = (int32_t)(a.exp - n);
        *incomplete = true;
        nearest = false;
        partial_done = true;
    }
    uint64_t rem = a.sig;
    bool top = false;   /* bit 64 of rem after the shift */
    for (int64_t i = 0;; i++) {
        q <<= 1;
        if (top || rem >= b.sig) {
            rem -= b.sig;
            q |= 1;
        }
        if (i == steps)
            break;
        top = rem >> 63;
        rem <<= 1;
    }
    if (nearest) {
        /* compare 2 rem with b */
        bool more = (rem >> 63) || (rem << 1) > b.sig;
        bool tie = !(rem >> 63) && (rem << 1) == b.sig;
        if (more || (tie && (q & 1))) {
            rem = b.sig - rem;
            sign = !sign;
            q++;
        }
    }
    /* an incomplete reduction reports no quotient bits (as Intel does) */
    *q_low = partial_done ? 0 : (unsigned)(q & 7);
    if (rem == 0)
        return res_special(CL_ZERO, a.sign);
    return res_norm(sign, unit + 64, (struct u128){ 0, rem });
}

/* Round sig * 2^(exp - 63), exp <= 63, to an integer magnitude. */
static uint64_t round_to_integer(const struct unp *a, int mode, bool *inexact, bool *inc)
{
    bool carry;
    struct u128 m = u128_shr_sticky((struct u128){ a->sig, 0 }, (uint64_t)(63 - a->exp));
    return round_top(m, 64, mode, a->sign, inexact, &carry, inc);
}

static struct sf_x80 g_round_int(const struct sf_fmt *f, struct sf_x80 raw, int mode,
                                 bool signal_inexact, bool flag_de, struct sf_status *st)
{
    struct unp a = unpack(f, raw, st);
    struct res r;
    st->c1 = false;
    if (nan_operands(&a, NULL, &r, st))
        return finish(f, f->p, &r, st);
    if (flag_de)
        flag_denormals(&a, NULL, st);
    if (a.cls != CL_NORM || a.exp >= 63) {
        r = res_from_unp(&a);
        return finish(f, f->p, &r, st);
    }
    bool inexact, inc;
    uint64_t n = round_to_integer(&a, mode, &inexact, &inc);
    if (inexact && signal_inexact)
        st->flags |= SF_PE;
    if (n == 0)
        return pack_zero(f, a.sign);
    r = res_norm(a.sign, 63, (struct u128){ n, 0 });
    struct sf_x80 out = finish(f, f->p, &r, st);
    st->c1 = inc;
    return out;
}

static int64_t g_to_int(const struct sf_fmt *f, struct sf_x80 raw, int bits, int mode,
                        struct sf_status *st)
{
    struct unp a = unpack(f, raw, st);
    int64_t indefinite = bits == 16 ? INT16_MIN : bits == 32 ? INT32_MIN : INT64_MIN;
    st->c1 = false;
    if (a.cls == CL_ZERO)
        return 0;
    if (a.cls != CL_NORM || a.exp > 63) {
        st->flags |= SF_IE;
        return indefinite;
    }
    bool inexact, inc;
    uint64_t n = round_to_integer(&a, mode, &inexact, &inc);
    uint64_t limit = (1ull << (bits - 1)) - 1 + a.sign;
    if (n > limit) {
        st->flags |= SF_IE;
        return indefinite;
    }
    if (inexact)
        st->flags |= SF_PE;
    st->c1 = inc;
    return a.sign ? (int64_t)(0 - n) : (int64_t)n;
}

static struct sf_x80 g_from_int(const struct sf_fmt *f, int64_t v, struct sf_status *st)
{
    if (v == 0)
        return pack_zero(f, false);
    bool sign = v < 0;
    uint64_t mag = sign ? 0 - (uint64_t)v : (uint64_t)v;
    struct res r = res_norm(sign, 63, (struct u128){ mag, 0 });
    return finish(f, f->p, &r, st);
}

static struct sf_x80 g_convert(const struct sf_fmt *from, const struct sf_fmt *to,
                               struct sf_x80 raw, struct sf_status *st)
{
    struct unp a = unpack(from, raw, st);
    struct res r;
    if (!nan_operands(&a, NULL, &r, st)) {
        if (from != &X80)       /* FST of a denormal extended adds no DE */
            flag_denormals(&a, NULL, st);
        r = res_from_unp(&a);
    }
    return finish(to, to->p, &r, st);
}

static int mag_cmp(const struct unp *a, const struct unp *b)
{
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;    /* CL_ZERO < CL_NORM < CL_INF */
    if (a->cls != CL_NORM)
        return 0;
    if (a->exp != b->exp)
        return a->exp < b->exp ? -1 : 1;
    if (a->sig != b->sig)
        return a->sig < b->sig ? -1 : 1;
    return 0;
}

static enum sf_relation g_compare(const struct sf_fmt *f, struct sf_x80 ra, struct sf_x80 rb,
                                  bool signaling, struct sf_status *st)
{
    struct unp a = unpack(f, ra, st), b = unpack(f, rb, st);
    if (a.cls == CL_BAD || b.cls == CL_BAD) {
        st->flags |= SF_IE;
        return SF_UNORDERED;
    }
    if (is_nan_cls(a.cls) || is_nan_cls(b.cls)) {
        if (signaling || a.cls == CL_SNAN || b.cls == CL_SNAN)
            st->flags |= SF_IE;
        return SF_UNORDERED;
    }
    flag_denormals(&a, &b, st);
    if (a.cls == CL_ZERO && b.cls == CL_ZERO)
        return SF_EQUAL;
    if (a.sign != b.sign)
        return a.sign ? SF_LESS : SF_GREATER;
    int c = mag_cmp(&a, &b);
    if (a.sign)
        c = -c;
    return c < 0 ? SF_LESS : c > 0 ? SF_GREATER : SF_EQUAL;
}

/* ---- public interface ---- */

void sf_status_sse(struct sf_status *st, uint32_t mxcsr)
{
    st->round = (mxcsr >> 13) & 3;
    st->prec = SF_PREC_64;
    st->nan_rule = SF_NAN_SSE;
    st->masks = (mxcsr >> 7) & 0x3f;
    st->ftz = (mxcsr >> 15) & 1;
    st->daz = (mxcsr >> 6) & 1;
    st->flags = 0;
    st->c1 = false;
}

void sf_status_x87(struct sf_status *st, uint16_t fcw)
{
    st->round = (fcw >> 10) & 3;
    st->prec = (fcw >> 8) & 3;
    st->nan_rule = SF_NAN_X87;
    st->masks = fcw & 0x3f;
    st->ftz = false;
    st->daz = false;
    st->flags = 0;
    st->c1 = false;
}

struct sf_x80 sfx80_make(uint16_t se, uint64_t sig)
{
    struct sf_x80 r = { sig, se };
    return r;
}

struct sf_x80 sfx80_default_nan(void)
{
    return sfx80_make(SFX80_DEFAULT_NAN_SE, SFX80_DEFAULT_NAN_SIG);
}

static struct sf_x80 raw(uint64_t bits)
{
    struct sf_x80 r = { bits, 0 };
    return r;
}

#define SF_BINARY(name, ty, fmt, expr)                                          \
    ty name(ty a_, ty b_, struct sf_status *st)                                 \
    {                                                                           \
        struct unp a = unpack(&fmt, raw(a_), st), b = unpack(&fmt, raw(b_), st);\
        struct res r = expr;                                                    \
        return (ty)finish(&fmt, fmt.p, &r, st).sig;                             \
    }
SF_BINARY(sf32_add, uint32_t, F32, op_add(a, b, false, st))
SF_BINARY(sf32_sub, uint32_t, F32, op_add(a, b, true, st))
SF_BINARY(sf32_mul, uint32_t, F32, op_mul(a, b, st))
SF_BINARY(sf32_div, uint32_t, F32, op_div(a, b, st))
SF_BINARY(sf64_add, uint64_t, F64, op_add(a, b, false, st))
SF_BINARY(sf64_sub, uint64_t, F64, op_add(a, b, true, st))
SF_BINARY(sf64_mul, uint64_t, F64, op_mul(a, b, st))
SF_BINARY(sf64_div, uint64_t, F64, op_div(a, b, st))
#undef SF_BINARY

#define SFX80_BINARY(name, expr)                                                \
    struct sf_x80 name(struct sf_x80 a_, struct sf_x80 b_, struct sf_status *st)\
    {                                                                           \
        struct unp a = unpack(&X80, a_, st), b = unpack(&X80, b_, st);          \
        struct res r = expr;                                                    \
        return finish(&X80, prec_bits(&X80, st), &r, st);                       \
    }
SFX80_BINARY(sfx80_add, op_add(a, b, false, st))
SFX80_BINARY(sfx80_sub, op_add(a, b, true, st))
SFX80_BINARY(sfx80_mul, op_mul(a, b, st))
SFX80_BINARY(sfx80_div, op_div(a, b, st))
#undef SFX80_BINARY

uint32_t sf32_sqrt(uint32_t a, struct sf_status *st)
{
    struct res r = op_sqrt(unpack(&F32, raw(a), st), st);
    return (uint32_t)finish(&F32, F32.p, &r, st).sig;
}

uint64_t sf64_sqrt(uint64_t a, struct sf_status *st)
{
    struct res r = op_sqrt(unpack(&F64, raw(a), st), st);
    return finish(&F64, F64.p, &r, st).sig;
}

struct sf_x80 sfx80_sqrt(struct sf_x80 a, struct sf_status *st)
{
    struct res r = op_sqrt(unpack(&X80, a, st), st);
    return finish(&X80, prec_bits(&X80, st), &r, st);
}

static struct sf_x80 g_rem(const struct sf_fmt *f, struct sf_x80 a, struct sf_x80 b,
                           bool nearest, bool partial, unsigned *q_low, bool *incomplete,
                           struct sf_status *st)
{
    struct unp ua = unpack(f, a, st), ub = unpack(f, b, st);
    struct res r = op_rem(ua, ub, nearest, partial, q_low, incomplete, st);
    return finish(f, f->p, &r, st);
}

uint32_t sf32_rem(uint32_t a, uint32_t b, struct sf_status *st)
{
    unsigned q;
    bool inc;
    return (uint32_t)g_rem(&F32, raw(a), raw(b), true, false, &q, &inc, st).sig;
}

uint64_t sf64_rem(uint64_t a, uint64_t b, struct sf_status *st)
{
    unsigned q;
    bool inc;
    return g_rem(&F64, raw(a), raw(b), true, false, &q, &inc, st).sig;
}

struct sf_x80 sfx80_rem(struct sf_x80 a, struct sf_x80 b, bool nearest, bool partial,
                        unsigned *q_low, bool *incomplete, struct sf_status *st)
{
    return g_rem(&X80, a, b, nearest, partial, q_low, incomplete, st);
}

uint32_t sf32_round_int(uint32_t a, int round, bool signal_inexact, struct sf_status *st)
{
    return (uint32_t)g_round_int(&F32, raw(a), round, signal_inexact, false, st).sig;
}

uint64_t sf64_round_int(uint64_t a, int round, bool signal_inexact, struct sf_status *st)
{
    return g_round_int(&F64, raw(a), round, signal_inexact, false, st).sig;
}

struct sf_x80 sfx80_round_int(struct sf_x80 a, int round, struct sf_status *st)
{
    return g_round_int(&X80, a, round, true, true, st);
}

enum sf_relation sf32_compare(uint32_t a, uint32_t b, bool signaling, struct sf_status *st)
{
    return g_compare(&F32, raw(a), raw(b), signaling, st);
}

enum sf_relation sf64_compare(uint64_t a, uint64_t b, bool signaling, struct sf_status *st)
{
    return g_compare(&F64, raw(a), raw(b), signaling, st);
}

enum sf_relation sfx80_compare(struct sf_x80 a, struct sf_x80 b, bool signaling,
                               struct sf_status *st)
{
    return g_compare(&X80, a, b, signaling, st);
}

uint64_t sf32_to_f64(uint32_t a, struct sf_status *st)
{
    return g_convert(&F32, &F64, raw(a), st).sig;
}

struct sf_x80 sf32_to_x80(uint32_t a, struct sf_status *st)
{
    return g_convert(&F32, &X80, raw(a), st);
}

uint32_t sf64_to_f32(uint64_t a, struct sf_status *st)
{
    return (uint32_t)g_convert(&F64, &F32, raw(a), st).sig;
}

struct sf_x80 sf64_to_x80(uint64_t a, struct sf_status *st)
{
    return g_convert(&F64, &X80, raw(a), st);
}

uint32_t sfx80_to_f32(struct sf_x80 a, struct sf_status *st)
{
    return (uint32_t)g_convert(&X80, &F32, a, st).sig;
}

uint64_t sfx80_to_f64(struct sf_x80 a, struct sf_status *st)
{
    return g_convert(&X80, &F64, a, st).sig;
}

struct sf_x80 sfx80_round_prec(struct sf_x80 a, int prec, struct sf_status *st)
{
    struct sf_status s2 = *st;
    s2.prec = (uint8_t)prec;
    struct unp u = unpack(&X80, a, &s2);
    struct res r;
    if (!nan_operands(&u, NULL, &r, &s2))
        r = res_from_unp(&u);
    struct sf_x80 out = finish(&X80, prec_bits(&X80, &s2), &r, &s2);
    st->flags = s2.flags;
    st->c1 = s2.c1;
    return out;
}

#define SF_TO_INT(name, ty, fmt, arg, bits, mode)                               \
    ty name(arg a, struct sf_status *st)                                        \
    {                                                                           \
        return (ty)g_to_int(&fmt, fmt_raw_##fmt(a), bits, mode, st);            \
    }
static struct sf_x80 fmt_raw_F32(uint32_t a) { return raw(a); }
static struct sf_x80 fmt_raw_F64(uint64_t a) { return raw(a); }
static struct sf_x80 fmt_raw_X80(struct sf_x80 a) { return a; }
SF_TO_INT(sf32_to_i32, int32_t, F32, uint32_t, 32, st->round)
SF_TO_INT(sf32_to_i32_trunc, int32_t, F32, uint32_t, 32, SF_ROUND_ZERO)
SF_TO_INT(sf32_to_i64, int64_t, F32, uint32_t, 64, st->round)
SF_TO_INT(sf32_to_i64_trunc, int64_t, F32, uint32_t, 64, SF_ROUND_ZERO)
SF_TO_INT(sf64_to_i32, int32_t, F64, uint64_t, 32, st->round)
SF_TO_INT(sf64_to_i32_trunc, int32_t, F64, uint64_t, 32, SF_ROUND_ZERO)
SF_TO_INT(sf64_to_i64, int64_t, F64, uint64_t, 64, st->round)
SF_TO_INT(sf64_to_i64_trunc, int64_t, F64, uint64_t, 64, SF_ROUND_ZERO)
SF_TO_INT(sfx80_to_i16, int16_t, X80, struct sf_x80, 16, st->round)
SF_TO_INT(sfx80_to_i16_trunc, int16_t, X80, struct sf_x80, 16, SF_ROUND_ZERO)
SF_TO_INT(sfx80_to_i32, int32_t, X80, struct sf_x80, 32, st->round)
SF_TO_INT(sfx80_to_i32_trunc, int32_t, X80, struct sf_x80, 32, SF_ROUND_ZERO)
SF_TO_INT(sfx80_to_i64, int64_t, X80, struct sf_x80, 64, st->round)
SF_TO_INT(sfx80_to_i64_trunc, int64_t, X80, struct sf_x80, 64, SF_ROUND_ZERO)
#undef SF_TO_INT

uint32_t sf32_from_i32(int32_t v, struct sf_status *st)
{
    return (uint32_t)g_from_int(&F32, v, st).sig;
}

uint32_t sf32_from_i64(int64_t v, struct sf_status *st)
{
    return (uint32_t)g_from_int(&F32, v, st).sig;
}

uint64_t sf64_from_i32(int32_t v, struct sf_status *st)
{
    return g_from_int(&F64, v, st).sig;
}

uint64_t sf64_from_i64(int64_t v, struct sf_status *st)
{
    return g_from_int(&F64, v, st).sig;
}

struct sf_x80 sfx80_from_i64(int64_t v)
{
    struct sf_status st;
    sf_status_x87(&st, 0x37f);
    return g_from_int(&X80, v, &st);
}

struct sf_x80 sfx80_scale(struct sf_x80 a, int32_t n, struct sf_status *st)
{
    struct unp u = unpack(&X80, a, st);
    struct res r;
    if (nan_operands(&u, NULL, &r, st))
        return finish(&X80, 64, &r, st);
    flag_denormals(&u, NULL, st);
    if (u.cls != CL_NORM) {
        r = res_from_unp(&u);
        return finish(&X80, 64, &r, st);
    }
    int64_t e = (int64_t)u.exp + n;
    if (e > 100000)
        e = 100000;
    if (e < -100000)
        e = -100000;
    return round_pack(&X80, 64, u.sign, (int32_t)e, (struct u128){ u.sig, 0 },
                      x87_wrap(&X80, st), st);
}

struct sf_x80 sfx80_round_pack(bool sign, int32_t exp, uint64_t hi, uint64_t lo,
                               struct sf_status *st)
{
    return round_pack(&X80, 64, sign, exp, (struct u128){ hi, lo }, x87_wrap(&X80, st), st);
}

bool sf32_is_nan(uint32_t a)
{
    return (a & 0x7fffffffu) > 0x7f800000u;
}

bool sf32_is_snan(uint32_t a)
{
    return sf32_is_nan(a) && !(a & 0x00400000u);
}

bool sf64_is_nan(uint64_t a)
{
    return (a & 0x7fffffffffffffffull) > 0x7ff0000000000000ull;
}

bool sf64_is_snan(uint64_t a)
{
    return sf64_is_nan(a) && !(a & 0x0008000000000000ull);
}

bool sfx80_is_nan(struct sf_x80 a)
{
    return (a.se & 0x7fff) == 0x7fff && (a.sig & BIT63) && (a.sig << 1) != 0;
}

bool sfx80_is_snan(struct sf_x80 a)
{
    return sfx80_is_nan(a) && !(a.sig & QUIET);
}

bool sfx80_is_unsupported(struct sf_x80 a)
{
    return (a.se & 0x7fff) != 0 && !(a.sig & BIT63);
}
