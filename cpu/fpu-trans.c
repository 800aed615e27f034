/*
 * cpu/fpu-trans.c: the x87 transcendental instructions F2XM1, FYL2X,
 * FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS (SDM vol. 2; vol. 1 8.3.10),
 * computed with integers only.
 *
 * Values are carried in a 128-bit significand ("wide", struct wf) with
 * truncating arithmetic, so the error before the final rounding is a few
 * units of 2^-125 relative; the result is then rounded once to 64 bits
 * in the current rounding mode (precision control does not apply).
 * Results are therefore correctly rounded except when the exact value
 * lies within ~2^-120 of a rounding boundary.  Intel's x87 is not always
 * correctly rounded (its documented bound is about 1 ulp), so agreement
 * with a host is high but not total: tests/difftest-x87.c measures it.
 *
 * FSIN/FCOS/FSINCOS/FPTAN reduce their argument modulo pi/2 with the
 * 66-bit pi (0xC90FDAA22168C234C) that Intel processors use (SDM vol. 1
 * 8.3.10), exactly, so large arguments give the host's values; beyond
 * 2^63 they set C2 and leave ST(0) unchanged.
 *
 * Constants: pi = 0xC90FDAA22168C234C4C6628B80DC1CD1 * 2^-126 and
 * ln 2 = 0xB17217F7D1CF79ABC9E3B39803F2F6AF * 2^-128, truncated (from
 * Machin's formula and 2 atanh(1/3) in exact integer arithmetic).
 */
#include "cpu/fpu-x87.h"

/* value = (hi:lo) / 2^127 * 2^exp, hi bit 63 set; zero: hi = lo = 0 */
struct wf {
    bool sign;
    int32_t exp;
    uint64_t hi, lo;
};

static const struct wf WF_PI = { false, 1, 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull };
static const struct wf WF_LN2 = { false, -1, 0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull };
static const struct wf WF_ONE = { false, 0, 1ull << 63, 0 };

static bool wf_zero(struct wf a)
{
    return !a.hi && !a.lo;
}

static struct wf wf_norm(bool sign, int32_t exp, uint64_t hi, uint64_t lo)
{
    struct wf r = { sign, exp, hi, lo };
    if (!hi && !lo)
        return r;
    while (!(r.hi >> 63)) {
        r.hi = (r.hi << 1) | (r.lo >> 63);
        r.lo <<= 1;
        r.exp--;
    }
    return r;
}

static void mul64x64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    *lo = (mid << 32) | (uint32_t)ll;
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

static struct wf wf_mul(struct wf a, struct wf b)
{
    if (wf_zero(a) || wf_zero(b))
        return (struct wf){ a.sign != b.sign, 0, 0, 0 };
    uint64_t p[4] = { 0, 0, 0, 0 }, h, l;
    /* 256-bit product of (a.hi:a.lo) and (b.hi:b.lo) */
    const uint64_t x[2] = { a.lo, a.hi }, y[2] = { b.lo, b.hi };
    for (int i = 0; i < 2; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 2; j++) {
            mul64x64(x[i], y[j], &h, &l);
            uint64_t s = p[i + j] + l;
            uint64_t c1 = s < l;
            s += carry;
            c1 += s < carry;
            p[i + j] = s;
            carry = h + c1;
        }
        p[i + 2] += carry;
    }
    int32_t exp = a.exp + b.exp;
    if (p[3] >> 63)
        return (struct wf){ a.sign != b.sign, exp + 1, p[3], p[2] };
    return (struct wf){ a.sign != b.sign, exp,
                        (p[3] << 1) | (p[2] >> 63), (p[2] << 1) | (p[1] >> 63) };
}

static struct wf wf_add(struct wf a, struct wf b)
{
    if (wf_zero(a))
        return b;
    if (wf_zero(b))
        return a;
    if (a.exp < b.exp || (a.exp == b.exp && (a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo)))) {
        struct wf t = a;
        a = b;
        b = t;
    }
    int32_t d = a.exp - b.exp;
    if (d > 130)
        return a;
    /* one bit of headroom */
    uint64_t ah = a.hi >> 1, al = (a.lo >> 1) | (a.hi << 63);
    uint64_t bh = b.hi >> 1, bl = (b.lo >> 1) | (b.hi << 63);
    for (int32_t s = d; s > 0;) {
        int32_t n = s > 63 ? 63 : s;
        bl = (bl >> n) | (bh << (64 - n));
        bh >>= n;
        s -= n;
    }
    uint64_t rh, rl;
    if (a.sign == b.sign) {
        rl = al + bl;
        rh = ah + bh + (rl < al);
    } else {
        rl = al - bl;
        rh = ah - bh - (al < bl);
    }
    return wf_norm(a.sign, a.exp + 1, rh, rl);
}

static struct wf wf_sub(struct wf a, struct wf b)
{
    b.sign = !b.sign;
    return wf_add(a, b);
}

/* a / b, 128 quotient bits (b nonzero) */
static struct wf wf_div(struct wf a, struct wf b)
{
    if (wf_zero(a))
        return (struct wf){ a.sign != b.sign, 0, 0, 0 };
    uint64_t rh = a.hi, rl = a.lo, qh = 0, ql = 0;
    int32_t exp = a.exp - b.exp;
    bool top = false;
    if (rh < b.hi || (rh == b.hi && rl < b.lo)) {
        exp--;
        top = rh >> 63;
        rh = (rh << 1) | (rl >> 63);
        rl <<= 1;
    }
    for (int i = 0; i < 128; i++) {
        bool ge = top || rh > b.hi || (rh == b.hi && rl >= b.lo);
        qh = (qh << 1) | (ql >> 63);
        ql <<= 1;
        if (ge) {
            uint64_t nl = rl - b.lo;
            rh = rh - b.hi - (rl < b.lo);
            rl = nl;
            ql |= 1;
        }
        top = rh >> 63;
        rh = (rh << 1) | (rl >> 63);
        rl <<= 1;
    }
    return (struct wf){ a.sign != b.sign, exp, qh, ql };
}

/* a / n for a small positive integer n */
static struct wf wf_div_u32(struct wf a, uint32_t n)
{
    return wf_div(a, wf_norm(false, 63, n, 0));
}

static struct wf wf_from_int(int64_t v)
{
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return wf_norm(v < 0, 63, m, 0);
}

/* finite nonzero extended value (denormals normalised) */
static struct wf wf_from_x80(struct sf_x80 v)
{
    int32_t e = v.se & 0x7fff;
    return wf_norm(v.se >> 15, (e ? e : 1) - 16383, v.sig, 0);
}

static struct sf_x80 wf_to_x80(struct wf w, struct sf_status *s)
{
    if (wf_zero(w))
        return sfx80_make(w.sign ? 0x8000 : 0, 0);
    return sfx80_round_pack(w.sign, w.exp, w.hi, w.lo | 1, s);
}

static struct wf wf_sqrt(struct wf a)
{
    /* mantissa M = hi / 2^63 in [1, 2); N = M * 2^62 (or 2M * 2^62 for odd e) */
    int32_t e = a.exp;
    uint64_t n = (e & 1) ? a.hi : a.hi >> 1;
    int32_t ee = (e & 1) ? e - 1 : e;
    uint64_t root = 0, bit = 1ull << 62;
    while (bit > n)
        bit >>= 2;
    while (bit) {
        if (n >= root + bit) {
            n -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    /* sqrt(a) ~ root / 2^31 * 2^(ee / 2); Newton doubles the good bits */
    struct wf x = wf_norm(false, ee / 2 + 32, root, 0);
    const struct wf half = { false, -1, 1ull << 63, 0 };
    for (int i = 0; i < 4; i++)
        x = wf_mul(wf_add(x, wf_div(a, x)), half);
    return x;
}

static struct wf wf_neg(struct wf a)
{
    a.sign = !a.sign;
    return a;
}

/* ---- functions ------------------------------------------------------------------------- */

/* e^y - 1 for |y| < 1 */
static struct wf wf_expm1(struct wf y)
{
    struct wf sum = y, term = y;
    for (uint32_t n = 2; n < 60; n++) {
        term = wf_div_u32(wf_mul(term, y), n);
        if (wf_zero(term) || term.exp < sum.exp - 130)
            break;
        sum = wf_add(sum, term);
    }
    return sum;
}

/* 2 atanh(t) = ln((1 + t) / (1 - t)) for small |t| */
static struct wf wf_2atanh(struct wf t)
{
    struct wf t2 = wf_mul(t, t), sum = t, pw = t;
    for (uint32_t k = 3; k < 200; k += 2) {
        pw = wf_mul(pw, t2);
        struct wf term = wf_div_u32(pw, k);
        if (wf_zero(term) || term.exp < sum.exp - 130)
            break;
        sum = wf_add(sum, term);
    }
    sum.exp++;
    return sum;
}

/* log2 of a positive finite value */
static struct wf wf_log2(struct wf x)
{
    int32_t e = x.exp;
    struct wf m = x;
    m.exp = 0;
    /* m in [sqrt(1/2), sqrt(2)) */
    if (m.hi > 0xb504f333f9de6484ull) {
        m.exp = -1;
        e++;
    }
    struct wf t = wf_div(wf_sub(m, WF_ONE), wf_add(m, WF_ONE));
    struct wf ln = wf_2atanh(t);
    struct wf r = wf_div(ln, WF_LN2);
    return e ? wf_add(wf_from_int(e), r) : r;
}

/* atan(z) for 0 <= z <= 1 */
static struct wf wf_atan01(struct wf z)
{
    if (wf_zero(z))
        return z;
    for (int i = 0; i < 4; i++)
        z = wf_div(z, wf_add(WF_ONE, wf_sqrt(wf_add(WF_ONE, wf_mul(z, z)))));
    struct wf z2 = wf_mul(z, z), sum = z, pw = z;
    for (uint32_t k = 3; k < 200; k += 2) {
        pw = wf_neg(wf_mul(pw, z2));
        struct wf term = wf_div_u32(pw, k);
        if (wf_zero(term) || term.exp < sum.exp - 130)
            break;
        sum = wf_add(sum, term);
    }
    sum.exp += 4;
    return sum;
}

/* sin and cos of |r| <= pi/4 */
static void wf_sincos(struct wf r, struct wf *sn, struct wf *cs)
{
    struct wf r2 = wf_mul(r, r), s = r, c = WF_ONE, ts = r, tc = WF_ONE;
    for (uint32_t n = 1; n < 40; n++) {
        ts = wf_neg(wf_div_u32(wf_mul(ts, r2), (2 * n) * (2 * n + 1)));
        tc = wf_neg(wf_div_u32(wf_mul(tc, r2), (2 * n - 1) * (2 * n)));
        if (!wf_zero(ts) && ts.exp >= s.exp - 130)
            s = wf_add(s, ts);
        if (!wf_zero(tc) && tc.exp >= c.exp - 130)
            c = wf_add(c, tc);
        if ((wf_zero(ts) || ts.exp < s.exp - 130) && (wf_zero(tc) || tc.exp < c.exp - 130))
            break;
    }
    *sn = s;
    *cs = c;
}

/*
 * Reduce x (finite, |x| < 2^63) modulo pi66/2: r with |r| <= pi66/4 and
 * the quadrant q (0..3) of |x|.
 */
static struct wf reduce(struct sf_x80 x, unsigned *q)
{
    int32_t e = (int32_t)(x.se & 0x7fff) - 16383;
    struct wf w = wf_from_x80(x);
    w.sign = false;
    *q = 0;
    /* |x| < pi/4 (0.785...): below 2^-1 surely, and compare otherwise */
    if (e < -1 || (e == -1 && x.sig < 0xc90fdaa22168c234ull))
        return w;
    /* fixed point with 65 fraction bits: X = sig << (e + 2), H = pi66 / 2 */
    const uint64_t hh = 0x3, hl = 0x243f6a8885a308d3ull;
    unsigned sh = (unsigned)(e + 2);
    uint64_t xh = sh >= 64 ? x.sig << (sh - 64) : (sh ? x.sig >> (64 - sh) : 0);
    uint64_t xl = sh >= 64 ? 0 : x.sig << sh;
    /* q = X / H (restoring division), rem = X - q H */
    uint64_t rh = 0, rl = 0, quo = 0;
    for (int i = 127; i >= 0; i--) {
        rh = (rh << 1) | (rl >> 63);
        rl = (rl << 1) | ((i >= 64 ? xh >> (i - 64) : xl >> i) & 1);
        quo <<= 1;
        if (rh > hh || (rh == hh && rl >= hl)) {
            uint64_t nl = rl - hl;
            rh = rh - hh - (rl < hl);
            rl = nl;
            quo |= 1;
        }
    }
    /* round to nearest: rem >= H / 2 -> q + 1, rem - H */
    bool neg = false;
    uint64_t dh = (rh << 1) | (rl >> 63), dl = rl << 1;
    if (dh > hh || (dh == hh && dl >= hl)) {
        quo++;
        uint64_t nl = hl - rl;
        rh = hh - rh - (hl < rl);
        rl = nl;
        neg = true;
    }
    *q = (unsigned)(quo & 3);
    return wf_norm(neg, 62, rh, rl);      /* rem / 2^65 */
}

/* ---- instructions --------------------------------------------------------------------------- */

static bool special_one(struct sf_x80 v, struct sf_x80 *r, struct sf_status *s)
{
    if (sfx80_is_unsupported(v)) {
        s->flags |= SF_IE;
        *r = sfx80_default_nan();
        return true;
    }
    if (sfx80_is_nan(v)) {
        *r = sfx80_add(v, v, s);
        return true;
    }
    return false;
}

static bool is_zero(struct sf_x80 v)
{
    return !(v.se & 0x7fff) && !v.sig;
}

static bool is_inf(struct sf_x80 v)
{
    return (v.se & 0x7fff) == 0x7fff && v.sig == 0x8000000000000000ull;
}

static void flag_denormal(struct sf_x80 v, struct sf_status *s)
{
    if (!(v.se & 0x7fff) && v.sig)
        s->flags |= SF_DE;
}

static struct sf_x80 const_pi_scaled(int32_t exp_adjust, bool sign, unsigned mul3,
                                     struct sf_status *s)
{
    struct wf p = WF_PI;
    if (mul3)
        p = wf_mul(p, wf_from_int(3));
    p.exp += exp_adjust;
    p.sign = sign;
    return wf_to_x80(p, s);
}

static struct sf_x80 do_f2xm1(struct sf_x80 x, struct sf_status *s)
{
    struct sf_x80 r;
    if (special_one(x, &r, s))
        return r;
    if (is_zero(x))
        return x;
    if (is_inf(x))
        return x.se & 0x8000 ? sfx80_make(0xbfff, 0x8000000000000000ull) : x;
    flag_denormal(x, s);
    return wf_to_x80(wf_expm1(wf_mul(wf_from_x80(x), WF_LN2)), s);
}

/* y * log2(x) (p1: log2(x + 1)) */
static struct sf_x80 do_yl2x(struct sf_x80 x, struct sf_x80 y, bool p1, struct sf_status *s)
{
    if (sfx80_is_nan(x) || sfx80_is_nan(y) || sfx80_is_unsupported(x) || sfx80_is_unsupported(y))
        return sfx80_add(x, y, s);
    flag_denormal(x, s);
    flag_denormal(y, s);
    bool ysign = y.se >> 15;
    /* log2 as a class: 0 zero, 1 finite, 2 +inf, 3 -inf */
    int lc;
    struct wf l = { false, 0, 0, 0 };
    if (p1) {
        if (is_zero(x)) {
            lc = 0;
            l.sign = x.se >> 15;
        } else if (is_inf(x)) {
            if (x.se >> 15) {
                s->flags &= (uint8_t)~SF_DE;
                s->flags |= SF_IE;
                return sfx80_default_nan();
            }
            lc = 2;
        } else {
            struct wf t = wf_from_x80(x);
            l = wf_div(wf_2atanh(wf_div(t, wf_add(wf_from_int(2), t))), WF_LN2);
            lc = 1;
        }
    } else {
        if ((x.se >> 15) && !is_zero(x)) {
            s->flags &= (uint8_t)~SF_DE;
            s->flags |= SF_IE;
            return sfx80_default_nan();
        }
        if (is_zero(x)) {
            lc = 3;
        } else if (is_inf(x)) {
            lc = 2;
        } else if ((x.se & 0x7fff) == 0x3fff && x.sig == 0x8000000000000000ull) {
            lc = 0;
        } else {
            l = wf_log2(wf_from_x80(x));
            lc = 1;
        }
    }
    bool yzero = is_zero(y), yinf = is_inf(y);
    if ((yzero && lc >= 2) || (yinf && lc == 0)) {
        s->flags &= (uint8_t)~SF_DE;
        s->flags |= SF_IE;
        return sfx80_default_nan();
    }
    if (lc >= 2 || yinf) {
        bool lneg = lc == 3 || (lc == 1 && l.sign) || (lc == 0 && l.sign);
        if (lc == 3 && !yinf)
            s->flags |= SF_ZE;
        return sfx80_make((uint16_t)(((ysign != lneg) ? 0x8000 : 0) | 0x7fff),
                          0x8000000000000000ull);
    }
    if (yzero || lc == 0) {
        bool lneg = lc == 1 ? l.sign : l.sign;
        return sfx80_make((ysign != lneg) ? 0x8000 : 0, 0);
    }
    return wf_to_x80(wf_mul(wf_from_x80(y), l), s);
}

/* atan2(y, x) */
static struct sf_x80 do_patan(struct sf_x80 x, struct sf_x80 y, struct sf_status *s)
{
    if (sfx80_is_nan(x) || sfx80_is_nan(y) || sfx80_is_unsupported(x) || sfx80_is_unsupported(y))
        return sfx80_add(x, y, s);
    flag_denormal(x, s);
    flag_denormal(y, s);
    bool ys = y.se >> 15, xs = x.se >> 15;
    if (is_zero(y)) {
        if (xs)
            return const_pi_scaled(0, ys, 0, s);
        return sfx80_make(ys ? 0x8000 : 0, 0);
    }
    if (is_inf(y)) {
        if (is_inf(x))
            return const_pi_scaled(-2, ys, xs, s);
        return const_pi_scaled(-1, ys, 0, s);
    }
    if (is_zero(x))
        return const_pi_scaled(-1, ys, 0, s);
    if (is_inf(x)) {
        if (xs)
            return const_pi_scaled(0, ys, 0, s);
        return sfx80_make(ys ? 0x8000 : 0, 0);
    }
    struct wf wy = wf_from_x80(y), wx = wf_from_x80(x), a;
    wy.sign = wx.sign = false;
    bool swap = wy.exp > wx.exp || (wy.exp == wx.exp && wy.hi > wx.hi);
    a = swap ? wf_atan01(wf_div(wx, wy)) : wf_atan01(wf_div(wy, wx));
    struct wf half_pi = WF_PI;
    half_pi.exp--;
    if (swap)
        a = wf_sub(half_pi, a);
    if (xs)
        a = wf_sub(WF_PI, a);
    a.sign = ys;
    return wf_to_x80(a, s);
}

enum trig { TRIG_SIN, TRIG_COS, TRIG_TAN, TRIG_SINCOS };

/* sin, cos of x (finite, |x| < 2^63) */
static void do_sincos(struct sf_x80 x, struct wf *sn, struct wf *cs)
{
    unsigned q;
    struct wf r = reduce(x, &q), a, b;
    wf_sincos(r, &a, &b);
    switch (q) {
    case 0: *sn = a; *cs = b; break;
    case 1: *sn = b; *cs = wf_neg(a); break;
    case 2: *sn = wf_neg(a); *cs = wf_neg(b); break;
    default: *sn = wf_neg(b); *cs = a; break;
    }
    if (x.se >> 15)
        *sn = wf_neg(*sn);
}

static const struct uop *x87_trig(struct cpu *cpu, const struct uop *u)
{
    struct sf_status s;
    unsigned op = (unsigned)u->imm;
    bool pushes = op == TRIG_TAN || op == TRIG_SINCOS;
    bool es = x87_begin(cpu, u, &s);
    cpu->fpu.fsw &= (uint16_t)~(FSW_C1 | FSW_C2);
    if (!st_valid(cpu, 0) || (pushes && st_valid(cpu, 7))) {
        bool over = st_valid(cpu, 0);
        if (fpu_stack_fault(cpu, over)) {
            st_set(cpu, 0, sfx80_default_nan());
            if (pushes)
                fpu_push(cpu, sfx80_default_nan());
        }
        goto out;
    }
    struct sf_x80 x = *st(cpu, 0), r0, r1 = sfx80_make(0x3fff, 0x8000000000000000ull);
    if (special_one(x, &r0, &s)) {
        r1 = r0;
    } else if (is_inf(x)) {
        s.flags |= SF_IE;
        r0 = r1 = sfx80_default_nan();
    } else if ((x.se & 0x7fff) >= 0x3fff + 63) {
        cpu->fpu.fsw |= FSW_C2;     /* out of range: operand unchanged */
        goto out;
    } else if (is_zero(x)) {
        r0 = op == TRIG_COS ? r1 : x;
        if (op == TRIG_SINCOS) {
            r1 = x;
            r0 = sfx80_make(0x3fff, 0x8000000000000000ull);
        }
    } else {
        struct wf sn, cs;
        flag_denormal(x, &s);
        do_sincos(x, &sn, &cs);
        switch (op) {
        case TRIG_SIN: r0 = wf_to_x80(sn, &s); break;
        case TRIG_COS: r0 = wf_to_x80(cs, &s); break;
        case TRIG_TAN: r0 = wf_to_x80(wf_div(sn, cs), &s); break;
        default: {
            /* ST(1) = sin, ST(0) = cos: C1 reports the sine's rounding
             * (as an Intel host does), so it is rounded last */
            r0 = wf_to_x80(cs, &s);
            r1 = wf_to_x80(sn, &s);
            break;
        }
        }
    }
    if (!fpu_flags(cpu, &s, true))
        goto out;
    if (op == TRIG_SINCOS) {
        st_set(cpu, 0, r1);
        fpu_push(cpu, r0);
    } else {
        st_set(cpu, 0, r0);
        if (op == TRIG_TAN)
            fpu_push(cpu, r1);
    }
out:
    fpu_after(cpu, u, es);
    return u + 1;
}

/* F2XM1 (imm 0), FYL2X (1), FYL2XP1 (2), FPATAN (3) */
static const struct uop *x87_logexp(struct cpu *cpu, const struct uop *u)
{
    struct sf_status s;
    unsigned op = (unsigned)u->imm;
    bool binary = op != 0;
    bool es = x87_begin(cpu, u, &s);
    cpu->fpu.fsw &= (uint16_t)~FSW_C1;
    if (!st_valid(cpu, 0) || (binary && !st_valid(cpu, 1))) {
        if (fpu_stack_fault(cpu, false)) {
            st_set(cpu, binary ? 1 : 0, sfx80_default_nan());
            if (binary)
                fpu_pop(cpu);
        }
        goto out;
    }
    struct sf_x80 x = *st(cpu, 0), r;
    switch (op) {
    case 0: r = do_f2xm1(x, &s); break;
    case 1: r = do_yl2x(x, *st(cpu, 1), false, &s); break;
    case 2: r = do_yl2x(x, *st(cpu, 1), true, &s); break;
    default: r = do_patan(x, *st(cpu, 1), &s); break;
    }
    if (!fpu_flags(cpu, &s, true))
        goto out;
    if (binary) {
        st_set(cpu, 1, r);
        fpu_pop(cpu);
    } else {
        st_set(cpu, 0, r);
    }
out:
    fpu_after(cpu, u, es);
    return u + 1;
}

uop_fn fpu_trans_handler(unsigned op)
{
    switch (op) {
    case OP_FSIN: case OP_FCOS: case OP_FPTAN: case OP_FSINCOS: return x87_trig;
    default: return x87_logexp;
    }
}

unsigned fpu_trans_imm(unsigned op)
{
    switch (op) {
    case OP_FSIN: return TRIG_SIN;
    case OP_FCOS: return TRIG_COS;
    case OP_FPTAN: return TRIG_TAN;
    case OP_FSINCOS: return TRIG_SINCOS;
    case OP_F2XM1: return 0;
    case OP_FYL2X: return 1;
    case OP_FYL2XP1: return 2;
    default: return 3;
    }
}
