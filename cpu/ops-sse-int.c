/*
 * cpu/ops-sse-int.c: MMX and SSE..SSE4.1 packed-integer, bitwise and
 * shuffle operations (the "sse" family of insn-list.h; SDM vol. 2, each
 * instruction's page).  One generic micro-op loads the source (register,
 * memory or the shift immediate), runs the operation's lane function on
 * the destination's value and writes it back; MMX forms run the same
 * functions on 8 bytes.  Layout of the uops in ops-sse.h.
 */
#include "cpu/ops-sse.h"

typedef void (*vec_fn)(struct cpu *cpu, union vec *d, const union vec *s, unsigned n,
                       unsigned imm);

static int8_t sat8s(int v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }
static uint8_t sat8u(int v) { return (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v); }
static int16_t sat16s(int v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }
static uint16_t sat16u(int v) { return (uint16_t)(v > 65535 ? 65535 : v < 0 ? 0 : v); }

/* d.F[i] = expr(a = d.F[i], b = s.F[i]) for every lane of type T */
#define LANES(name, F, T, expr)                                                  \
static void name(struct cpu *cpu, union vec *d, const union vec *s, unsigned n,  \
                 unsigned imm)                                                   \
{                                                                                \
    for (unsigned i = 0; i < n / sizeof d->F[0]; i++) {                          \
        T a = d->F[i], b = s->F[i];                                              \
        d->F[i] = (T)(expr);                                                     \
        (void)a;                                                                 \
    }                                                                            \
}

LANES(v_paddb, b, uint8_t, a + b)
LANES(v_paddw, w, uint16_t, a + b)
LANES(v_paddd, d, uint32_t, a + b)
LANES(v_paddq, q, uint64_t, a + b)
LANES(v_psubb, b, uint8_t, a - b)
LANES(v_psubw, w, uint16_t, a - b)
LANES(v_psubd, d, uint32_t, a - b)
LANES(v_psubq, q, uint64_t, a - b)
LANES(v_paddsb, sb, int8_t, sat8s(a + b))
LANES(v_paddsw, sw, int16_t, sat16s(a + b))
LANES(v_paddusb, b, uint8_t, sat8u(a + b))
LANES(v_paddusw, w, uint16_t, sat16u(a + b))
LANES(v_psubsb, sb, int8_t, sat8s(a - b))
LANES(v_psubsw, sw, int16_t, sat16s(a - b))
LANES(v_psubusb, b, uint8_t, sat8u(a - b))
LANES(v_psubusw, w, uint16_t, sat16u(a - b))
LANES(v_pmullw, sw, int16_t, (int32_t)a * b)
LANES(v_pmulhw, sw, int16_t, ((int32_t)a * b) >> 16)
LANES(v_pmulhuw, w, uint16_t, ((uint32_t)a * b) >> 16)
LANES(v_pmulld, d, uint32_t, (uint32_t)((uint64_t)a * b))
LANES(v_pmuludq, q, uint64_t, (uint64_t)(uint32_t)a * (uint32_t)b)
LANES(v_pmuldq, q, uint64_t, (uint64_t)((int64_t)(int32_t)a * (int32_t)b))
LANES(v_pavgb, b, uint8_t, ((unsigned)a + b + 1) >> 1)
LANES(v_pavgw, w, uint16_t, ((unsigned)a + b + 1) >> 1)
LANES(v_pminub, b, uint8_t, a < b ? a : b)
LANES(v_pmaxub, b, uint8_t, a > b ? a : b)
LANES(v_pminsw, sw, int16_t, a < b ? a : b)
LANES(v_pmaxsw, sw, int16_t, a > b ? a : b)
LANES(v_pminsb, sb, int8_t, a < b ? a : b)
LANES(v_pmaxsb, sb, int8_t, a > b ? a : b)
LANES(v_pminuw, w, uint16_t, a < b ? a : b)
LANES(v_pmaxuw, w, uint16_t, a > b ? a : b)
LANES(v_pminsd, sd, int32_t, a < b ? a : b)
LANES(v_pmaxsd, sd, int32_t, a > b ? a : b)
LANES(v_pminud, d, uint32_t, a < b ? a : b)
LANES(v_pmaxud, d, uint32_t, a > b ? a : b)
LANES(v_pcmpeqb, b, uint8_t, a == b ? 0xff : 0)
LANES(v_pcmpeqw, w, uint16_t, a == b ? 0xffff : 0)
LANES(v_pcmpeqd, d, uint32_t, a == b ? ~0u : 0)
LANES(v_pcmpeqq, q, uint64_t, a == b ? ~0ull : 0)
LANES(v_pcmpgtb, sb, int8_t, a > b ? -1 : 0)
LANES(v_pcmpgtw, sw, int16_t, a > b ? -1 : 0)
LANES(v_pcmpgtd, sd, int32_t, a > b ? -1 : 0)
LANES(v_pcmpgtq, sq, int64_t, a > b ? -1 : 0)
LANES(v_pand, q, uint64_t, a & b)
LANES(v_pandn, q, uint64_t, ~a & b)
LANES(v_por, q, uint64_t, a | b)
LANES(v_pxor, q, uint64_t, a ^ b)
LANES(v_psignb, sb, int8_t, b < 0 ? -a : b == 0 ? 0 : a)
LANES(v_psignw, sw, int16_t, b < 0 ? -a : b == 0 ? 0 : a)
LANES(v_psignd, sd, int32_t, b < 0 ? (int32_t)(0u - (uint32_t)a) : b == 0 ? 0 : a)
LANES(v_pabsb, b, uint8_t, (int8_t)b < 0 ? -(int8_t)b : b)
LANES(v_pabsw, w, uint16_t, (int16_t)b < 0 ? -(int16_t)b : b)
LANES(v_pabsd, d, uint32_t, (int32_t)b < 0 ? 0u - b : b)
LANES(v_pmulhrsw, sw, int16_t, ((((int32_t)a * b) >> 14) + 1) >> 1)

/* shifts: the count is the whole low quadword of the source (or imm8) */
#define SHIFT(name, F, T, bits, expr, big)                                       \
static void name(struct cpu *cpu, union vec *d, const union vec *s, unsigned n,  \
                 unsigned imm)                                                   \
{                                                                                \
    uint64_t c = s->q[0];                                                        \
    for (unsigned i = 0; i < n / sizeof d->F[0]; i++) {                          \
        T a = d->F[i];                                                           \
        d->F[i] = c > bits - 1 ? (T)(big) : (T)(expr);                           \
    }                                                                            \
}
SHIFT(v_psllw, w, uint16_t, 16, a << c, 0)
SHIFT(v_pslld, d, uint32_t, 32, a << c, 0)
SHIFT(v_psllq, q, uint64_t, 64, a << c, 0)
SHIFT(v_psrlw, w, uint16_t, 16, a >> c, 0)
SHIFT(v_psrld, d, uint32_t, 32, a >> c, 0)
SHIFT(v_psrlq, q, uint64_t, 64, a >> c, 0)
SHIFT(v_psraw, sw, int16_t, 16, a >> c, a >> 15)
SHIFT(v_psrad, sd, int32_t, 32, a >> c, a >> 31)

static void v_pslldq(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    union vec r = { .q = { 0, 0 } };
    unsigned c = s->q[0] > 16 ? 16 : (unsigned)s->q[0];

    for (unsigned i = c; i < 16; i++)
        r.b[i] = d->b[i - c];
    *d = r;
}

static void v_psrldq(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    union vec r = { .q = { 0, 0 } };
    unsigned c = s->q[0] > 16 ? 16 : (unsigned)s->q[0];

    for (unsigned i = 0; i + c < 16; i++)
        r.b[i] = d->b[i + c];
    *d = r;
}

static void v_pmaddwd(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    for (unsigned i = 0; i < n / 4; i++)
        d->d[i] = (uint32_t)((int32_t)d->sw[2 * i] * s->sw[2 * i]
                             + (int64_t)d->sw[2 * i + 1] * s->sw[2 * i + 1]);
}

static void v_pmaddubsw(struct cpu *cpu, union vec *d, const union vec *s, unsigned n,
                        unsigned imm)
{
    for (unsigned i = 0; i < n / 2; i++)
        d->sw[i] = sat16s(d->b[2 * i] * s->sb[2 * i] + d->b[2 * i + 1] * s->sb[2 * i + 1]);
}

static void v_psadbw(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    for (unsigned g = 0; g < n / 8; g++) {
        unsigned sum = 0;
        for (unsigned i = 0; i < 8; i++) {
            int x = d->b[g * 8 + i] - s->b[g * 8 + i];
            sum += (unsigned)(x < 0 ? -x : x);
        }
        d->q[g] = sum;
    }
}

/* PSHUFB, PSHUFD, PSHUFHW, PSHUFLW, PSHUFW, PALIGNR */
static void v_pshufb(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    union vec r = *d;

    for (unsigned i = 0; i < n; i++)
        r.b[i] = (s->b[i] & 0x80) ? 0 : d->b[s->b[i] & (n - 1)];
    *d = r;
}

static void v_pshufd(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    for (unsigned i = 0; i < 4; i++)
        d->d[i] = s->d[(imm >> (2 * i)) & 3];
}

/* four words of s from `at` on, picked by the 2-bit fields of imm */
static void shuf4w(union vec *d, const union vec *s, unsigned at, unsigned imm)
{
    for (unsigned i = 0; i < 4; i++)
        d->w[at + i] = s->w[at + ((imm >> (2 * i)) & 3)];
}

static void v_pshufw(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    shuf4w(d, s, 0, imm);
}

static void v_pshuflw(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    *d = *s;
    shuf4w(d, s, 0, imm);
}

static void v_pshufhw(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    *d = *s;
    shuf4w(d, s, 4, imm);
}

static void v_palignr(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    uint8_t cat[32];
    union vec r = { .q = { 0, 0 } };

    memcpy(cat, s->b, n);
    memcpy(cat + n, d->b, n);
    for (unsigned i = 0; i < n; i++)
        r.b[i] = imm + i < 2 * n ? cat[imm + i] : 0;
    *d = r;
}

/* unpack: interleave the low (or high) halves of d and s, element size e */
static void unpack(union vec *d, const union vec *s, unsigned n, unsigned e, bool high)
{
    union vec r = { .q = { 0, 0 } };
    unsigned half = n / 2, base = high ? half : 0;

    for (unsigned i = 0; i < half / e; i++) {
        memcpy(&r.b[2 * i * e], &d->b[base + i * e], e);
        memcpy(&r.b[(2 * i + 1) * e], &s->b[base + i * e], e);
    }
    *d = r;
}
#define UNPACK(name, e, high) \
static void name(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm) \
{ unpack(d, s, n, e, high); }
UNPACK(v_punpcklbw, 1, false) UNPACK(v_punpcklwd, 2, false)
UNPACK(v_punpckldq, 4, false) UNPACK(v_punpcklqdq, 8, false)
UNPACK(v_punpckhbw, 1, true) UNPACK(v_punpckhwd, 2, true)
UNPACK(v_punpckhdq, 4, true) UNPACK(v_punpckhqdq, 8, true)

/* pack: the elements of d, then of s, saturated to half their width */
#define PACK(name, SF, DF, sat)                                                  \
static void name(struct cpu *cpu, union vec *d, const union vec *s, unsigned n,  \
                 unsigned imm)                                                   \
{                                                                                \
    union vec r;                                                                 \
    unsigned k = n / sizeof d->SF[0];                                            \
    for (unsigned i = 0; i < k; i++) {                                           \
        r.DF[i] = sat(d->SF[i]);                                                 \
        r.DF[k + i] = sat(s->SF[i]);                                             \
    }                                                                            \
    memcpy(d->b, r.b, n);                                                        \
}
PACK(v_packsswb, sw, sb, sat8s) PACK(v_packuswb, sw, b, sat8u)
PACK(v_packssdw, sd, sw, sat16s) PACK(v_packusdw, sd, w, sat16u)

/* PMOVSX/PMOVZX: widen the low elements of s */
#define PMOVX(name, sf, df, cnt) \
static void name(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm) \
{ union vec r; for (unsigned i = 0; i < cnt; i++) r.df[i] = s->sf[i]; *d = r; }
PMOVX(v_pmovsxbw, sb, sw, 8) PMOVX(v_pmovsxbd, sb, sd, 4) PMOVX(v_pmovsxbq, sb, sq, 2)
PMOVX(v_pmovsxwd, sw, sd, 4) PMOVX(v_pmovsxwq, sw, sq, 2) PMOVX(v_pmovsxdq, sd, sq, 2)
PMOVX(v_pmovzxbw, b, w, 8) PMOVX(v_pmovzxbd, b, d, 4) PMOVX(v_pmovzxbq, b, q, 2)
PMOVX(v_pmovzxwd, w, d, 4) PMOVX(v_pmovzxwq, w, q, 2) PMOVX(v_pmovzxdq, d, q, 2)

/* horizontal add/subtract: pairs of d, then pairs of s */
#define HORIZ(name, F, T, expr)                                                  \
static void name(struct cpu *cpu, union vec *d, const union vec *s, unsigned n,  \
                 unsigned imm)                                                   \
{                                                                                \
    union vec r;                                                                 \
    unsigned k = n / sizeof d->F[0] / 2;                                         \
    for (unsigned i = 0; i < k; i++) {                                           \
        T a = d->F[2 * i], b = d->F[2 * i + 1];                                  \
        r.F[i] = (T)(expr);                                                      \
        a = s->F[2 * i];                                                         \
        b = s->F[2 * i + 1];                                                     \
        r.F[k + i] = (T)(expr);                                                  \
    }                                                                            \
    memcpy(d->b, r.b, n);                                                        \
}
HORIZ(v_phaddw, w, uint16_t, a + b)
HORIZ(v_phaddd, d, uint32_t, a + b)
HORIZ(v_phaddsw, sw, int16_t, sat16s(a + b))
HORIZ(v_phsubw, w, uint16_t, a - b)
HORIZ(v_phsubd, d, uint32_t, a - b)
HORIZ(v_phsubsw, sw, int16_t, sat16s(a - b))

static void v_phminposuw(struct cpu *cpu, union vec *d, const union vec *s, unsigned n,
                         unsigned imm)
{
    unsigned best = 0;

    for (unsigned i = 1; i < 8; i++)
        if (s->w[i] < s->w[best])
            best = i;
    d->q[0] = s->w[best] | ((uint64_t)best << 16);
    d->q[1] = 0;
}

static void v_mpsadbw(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    union vec r;
    unsigned o1 = (imm & 4) ? 4 : 0, o2 = (imm & 3) * 4;

    for (unsigned i = 0; i < 8; i++) {
        unsigned sum = 0;
        for (unsigned j = 0; j < 4; j++) {
            int x = d->b[o1 + i + j] - s->b[o2 + j];
            sum += (unsigned)(x < 0 ? -x : x);
        }
        r.w[i] = (uint16_t)sum;
    }
    *d = r;
}

/* blends: lane i (e bytes) from s where bit i of mask is set; the mask is
 * the immediate, or the sign bits of XMM0's lanes (the variable forms) */
static void blend(union vec *d, const union vec *s, unsigned e, unsigned mask)
{
    for (unsigned i = 0; i < 16 / e; i++)
        if (mask & (1u << i))
            memcpy(&d->b[i * e], &s->b[i * e], e);
}

static unsigned xmm0_signs(struct cpu *cpu, unsigned e)
{
    union vec m;
    unsigned mask = 0;

    sse_reg(cpu, 0, false, &m);
    for (unsigned i = 0; i < 16 / e; i++)
        mask |= (unsigned)(m.b[i * e + e - 1] >> 7) << i;
    return mask;
}

#define BLEND(name, e, mask) \
static void name(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm) \
{ blend(d, s, e, mask); }
BLEND(v_pblendw, 2, imm) BLEND(v_blendps, 4, imm) BLEND(v_blendpd, 8, imm)
BLEND(v_pblendvb, 1, xmm0_signs(cpu, 1)) BLEND(v_blendvps, 4, xmm0_signs(cpu, 4))
BLEND(v_blendvpd, 8, xmm0_signs(cpu, 8))

static void v_shufps(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    union vec r;

    r.d[0] = d->d[imm & 3];
    r.d[1] = d->d[(imm >> 2) & 3];
    r.d[2] = s->d[(imm >> 4) & 3];
    r.d[3] = s->d[(imm >> 6) & 3];
    *d = r;
}

static void v_shufpd(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    union vec r;

    r.q[0] = d->q[imm & 1];
    r.q[1] = s->q[(imm >> 1) & 1];
    *d = r;
}

/* INSERTPS: the memory form's element is the loaded dword (imm[7:6] unused) */
static void v_insertps(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    uint32_t v = s->d[n == 4 ? 0 : (imm >> 6) & 3];

    d->d[(imm >> 4) & 3] = v;
    for (unsigned i = 0; i < 4; i++)
        if (imm & (1u << i))
            d->d[i] = 0;
}

static void v_aesenc(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    aes_round(d, s, false);
}

static void v_aesenclast(struct cpu *cpu, union vec *d, const union vec *s, unsigned n,
                         unsigned imm)
{
    aes_round(d, s, true);
}

static void v_aesdec(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    aes_round_inv(d, s, false);
}

static void v_aesdeclast(struct cpu *cpu, union vec *d, const union vec *s, unsigned n,
                         unsigned imm)
{
    aes_round_inv(d, s, true);
}

static void v_aesimc(struct cpu *cpu, union vec *d, const union vec *s, unsigned n, unsigned imm)
{
    *d = *s;
    aes_inv_mix_columns(d);
}

static void v_aeskeygenassist(struct cpu *cpu, union vec *d, const union vec *s, unsigned n,
                              unsigned imm)
{
    aes_keygen_assist(d, s, (uint8_t)imm);
}

static void v_pclmulqdq(struct cpu *cpu, union vec *d, const union vec *s, unsigned n,
                        unsigned imm)
{
    clmul64(d->q[imm & 1], s->q[(imm >> 4) & 1], d->q);
}

static const vec_fn vec_fns[OP_COUNT] = {
    [OP_PADDB] = v_paddb, [OP_PADDW] = v_paddw, [OP_PADDD] = v_paddd, [OP_PADDQ] = v_paddq,
    [OP_PSUBB] = v_psubb, [OP_PSUBW] = v_psubw, [OP_PSUBD] = v_psubd, [OP_PSUBQ] = v_psubq,
    [OP_PADDSB] = v_paddsb, [OP_PADDSW] = v_paddsw, [OP_PADDUSB] = v_paddusb,
    [OP_PADDUSW] = v_paddusw, [OP_PSUBSB] = v_psubsb, [OP_PSUBSW] = v_psubsw,
    [OP_PSUBUSB] = v_psubusb, [OP_PSUBUSW] = v_psubusw,
    [OP_PMULLW] = v_pmullw, [OP_PMULHW] = v_pmulhw, [OP_PMULHUW] = v_pmulhuw,
    [OP_PMULUDQ] = v_pmuludq, [OP_PMULLD] = v_pmulld, [OP_PMULDQ] = v_pmuldq,
    [OP_PMADDWD] = v_pmaddwd, [OP_PSADBW] = v_psadbw, [OP_PAVGB] = v_pavgb, [OP_PAVGW] = v_pavgw,
    [OP_PMINUB] = v_pminub, [OP_PMINSW] = v_pminsw, [OP_PMAXUB] = v_pmaxub,
    [OP_PMAXSW] = v_pmaxsw, [OP_PMINSB] = v_pminsb, [OP_PMINSD] = v_pminsd,
    [OP_PMINUW] = v_pminuw, [OP_PMINUD] = v_pminud, [OP_PMAXSB] = v_pmaxsb,
    [OP_PMAXSD] = v_pmaxsd, [OP_PMAXUW] = v_pmaxuw, [OP_PMAXUD] = v_pmaxud,
    [OP_PCMPEQB] = v_pcmpeqb, [OP_PCMPEQW] = v_pcmpeqw, [OP_PCMPEQD] = v_pcmpeqd,
    [OP_PCMPEQQ] = v_pcmpeqq, [OP_PCMPGTB] = v_pcmpgtb, [OP_PCMPGTW] = v_pcmpgtw,
    [OP_PCMPGTD] = v_pcmpgtd, [OP_PCMPGTQ] = v_pcmpgtq,
    [OP_PAND] = v_pand, [OP_PANDN] = v_pandn, [OP_POR] = v_por, [OP_PXOR] = v_pxor,
    [OP_ANDPS] = v_pand, [OP_ANDNPS] = v_pandn, [OP_ORPS] = v_por, [OP_XORPS] = v_pxor,
    [OP_ANDPD] = v_pand, [OP_ANDNPD] = v_pandn, [OP_ORPD] = v_por, [OP_XORPD] = v_pxor,
    [OP_PSLLW] = v_psllw, [OP_PSLLD] = v_pslld, [OP_PSLLQ] = v_psllq,
    [OP_PSRLW] = v_psrlw, [OP_PSRLD] = v_psrld, [OP_PSRLQ] = v_psrlq,
    [OP_PSRAW] = v_psraw, [OP_PSRAD] = v_psrad, [OP_PSLLDQ] = v_pslldq, [OP_PSRLDQ] = v_psrldq,
    [OP_PSHUFD] = v_pshufd, [OP_PSHUFHW] = v_pshufhw, [OP_PSHUFLW] = v_pshuflw,
    [OP_PSHUFW] = v_pshufw, [OP_PSHUFB] = v_pshufb, [OP_PALIGNR] = v_palignr,
    [OP_PUNPCKLBW] = v_punpcklbw, [OP_PUNPCKLWD] = v_punpcklwd, [OP_PUNPCKLDQ] = v_punpckldq,
    [OP_PUNPCKLQDQ] = v_punpcklqdq, [OP_PUNPCKHBW] = v_punpckhbw, [OP_PUNPCKHWD] = v_punpckhwd,
    [OP_PUNPCKHDQ] = v_punpckhdq, [OP_PUNPCKHQDQ] = v_punpckhqdq,
    [OP_UNPCKLPS] = v_punpckldq, [OP_UNPCKHPS] = v_punpckhdq,
    [OP_UNPCKLPD] = v_punpcklqdq, [OP_UNPCKHPD] = v_punpckhqdq,
    [OP_PACKSSWB] = v_packsswb, [OP_PACKSSDW] = v_packssdw, [OP_PACKUSWB] = v_packuswb,
    [OP_PACKUSDW] = v_packusdw,
    [OP_PMOVSXBW] = v_pmovsxbw, [OP_PMOVSXBD] = v_pmovsxbd, [OP_PMOVSXBQ] = v_pmovsxbq,
    [OP_PMOVSXWD] = v_pmovsxwd, [OP_PMOVSXWQ] = v_pmovsxwq, [OP_PMOVSXDQ] = v_pmovsxdq,
    [OP_PMOVZXBW] = v_pmovzxbw, [OP_PMOVZXBD] = v_pmovzxbd, [OP_PMOVZXBQ] = v_pmovzxbq,
    [OP_PMOVZXWD] = v_pmovzxwd, [OP_PMOVZXWQ] = v_pmovzxwq, [OP_PMOVZXDQ] = v_pmovzxdq,
    [OP_PHADDW] = v_phaddw, [OP_PHADDD] = v_phaddd, [OP_PHADDSW] = v_phaddsw,
    [OP_PHSUBW] = v_phsubw, [OP_PHSUBD] = v_phsubd, [OP_PHSUBSW] = v_phsubsw,
    [OP_PSIGNB] = v_psignb, [OP_PSIGNW] = v_psignw, [OP_PSIGND] = v_psignd,
    [OP_PABSB] = v_pabsb, [OP_PABSW] = v_pabsw, [OP_PABSD] = v_pabsd,
    [OP_PMULHRSW] = v_pmulhrsw, [OP_PMADDUBSW] = v_pmaddubsw, [OP_PHMINPOSUW] = v_phminposuw,
    [OP_MPSADBW] = v_mpsadbw, [OP_PBLENDW] = v_pblendw, [OP_PBLENDVB] = v_pblendvb,
    [OP_BLENDPS] = v_blendps, [OP_BLENDPD] = v_blendpd, [OP_BLENDVPS] = v_blendvps,
    [OP_BLENDVPD] = v_blendvpd, [OP_SHUFPS] = v_shufps, [OP_SHUFPD] = v_shufpd,
    [OP_INSERTPS] = v_insertps,
    [OP_AESENC] = v_aesenc, [OP_AESENCLAST] = v_aesenclast, [OP_AESDEC] = v_aesdec,
    [OP_AESDECLAST] = v_aesdeclast, [OP_AESIMC] = v_aesimc,
    [OP_AESKEYGENASSIST] = v_aeskeygenassist, [OP_PCLMULQDQ] = v_pclmulqdq,
};

/* dst = op(dst, src): the generic packed operation */
static const struct uop *uop_vop(struct cpu *cpu, const struct uop *u)
{
    union vec s, d;
    bool mmx = u->cc & SV_DST_MMX;
    unsigned n = mmx ? 8 : 16;

    mmx_pending(cpu, u);
    if (u->cc & SV_IMM) {
        s.q[0] = u->imm & 0xff;
        s.q[1] = 0;
    } else {
        sse_src(cpu, u, &s);
        if (u->aux == OP_INSERTPS && u->rm == UOP_NOREG)
            n = 4;      /* tells v_insertps the source is the loaded dword */
    }
    sse_reg(cpu, u->reg, mmx, &d);
    vec_fns[u->aux](cpu, &d, &s, n, (unsigned)u->imm & 0xff);
    if (mmx)
        mmx_enter(cpu);
    sse_set_reg(cpu, u->reg, mmx, &d);
    return u + 1;
}

bool sse_vop_host_op(const struct uop *u, uint8_t *host_op)
{
    static const uint8_t ops[OP_COUNT] = {
        [OP_PXOR] = 0xef, [OP_XORPS] = 0xef, [OP_XORPD] = 0xef,
        [OP_PAND] = 0xdb, [OP_ANDPS] = 0xdb, [OP_ANDPD] = 0xdb,
        [OP_POR] = 0xeb, [OP_ORPS] = 0xeb, [OP_ORPD] = 0xeb,
        [OP_PANDN] = 0xdf, [OP_ANDNPS] = 0xdf, [OP_ANDNPD] = 0xdf,
        [OP_PCMPEQB] = 0x74, [OP_PCMPEQW] = 0x75, [OP_PCMPEQD] = 0x76,
        [OP_PADDB] = 0xfc, [OP_PADDW] = 0xfd, [OP_PADDD] = 0xfe, [OP_PADDQ] = 0xd4,
        [OP_PSUBB] = 0xf8, [OP_PSUBW] = 0xf9, [OP_PSUBD] = 0xfa, [OP_PSUBQ] = 0xfb,
        [OP_PMINUB] = 0xda, [OP_PMAXUB] = 0xde,
    };

    if (u->kind != UK_VOP || (u->cc & (SV_DST_MMX | SV_SRC_MMX | SV_IMM)))
        return false;
    *host_op = ops[u->aux];
    return *host_op != 0;
}

/* PTEST: ZF = (d AND s) == 0, CF = (NOT d AND s) == 0, other flags clear */
static const struct uop *uop_ptest(struct cpu *cpu, const struct uop *u)
{
    union vec s, d;

    sse_src(cpu, u, &s);
    sse_reg(cpu, u->reg, false, &d);
    uint32_t f = 0;
    if (!((d.q[0] & s.q[0]) | (d.q[1] & s.q[1])))
        f |= EFLAGS_ZF;
    if (!((~d.q[0] & s.q[0]) | (~d.q[1] & s.q[1])))
        f |= EFLAGS_CF;
    cpu_set_arith_flags(cpu, f);
    return u + 1;
}

/*
 * PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (SDM vol. 2, 4.1 "Imm8 Control
 * Byte Operation for PCMPESTRI / PCMPESTRM / PCMPISTRI / PCMPISTRM"):
 * string 1 is the register operand (reg), string 2 the r/m operand.
 */
static unsigned str_len(const union vec *v, bool words, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (words ? !v->w[i] : !v->b[i])
            return i;
    return n;
}

static unsigned explicit_len(uint64_t v, bool wide, unsigned n)
{
    int64_t x = wide ? (int64_t)v : (int32_t)v;
    uint64_t a = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;

    return a > n ? n : (unsigned)a;
}

static int str_elem(const union vec *v, unsigned i, unsigned fmt)
{
    switch (fmt) {
    case 0: return v->b[i];
    case 1: return v->w[i];
    case 2: return v->sb[i];
    default: return v->sw[i];
    }
}

static const struct uop *uop_pcmpstr(struct cpu *cpu, const struct uop *u)
{
    union vec s, d;
    unsigned imm = (unsigned)u->imm & 0xff, fmt = imm & 3, agg = (imm >> 2) & 3;
    bool words = imm & 1, expl = u->aux == OP_PCMPESTRI || u->aux == OP_PCMPESTRM;
    bool index = u->aux == OP_PCMPESTRI || u->aux == OP_PCMPISTRI;
    unsigned n = words ? 8 : 16, l1, l2;
    uint32_t r1 = 0, r2;

    sse_src(cpu, u, &s);
    sse_reg(cpu, u->reg, false, &d);
    if (expl) {
        l1 = explicit_len(cpu->regs[0], u->osize == 8, n);
        l2 = explicit_len(cpu->regs[2], u->osize == 8, n);
    } else {
        l1 = str_len(&d, words, n);
        l2 = str_len(&s, words, n);
    }
    for (unsigned j = 0; j < n; j++) {
        bool res = false;
        switch (agg) {
        case 0: /* equal any: s[j] is in the set d */
            for (unsigned i = 0; i < l1 && j < l2; i++)
                res |= str_elem(&d, i, fmt) == str_elem(&s, j, fmt);
            break;
        case 1: /* ranges: d holds (low, high) pairs */
            for (unsigned i = 0; i + 1 < l1 && j < l2; i += 2) {
                int e = str_elem(&s, j, fmt);
                res |= e >= str_elem(&d, i, fmt) && e <= str_elem(&d, i + 1, fmt);
            }
            break;
        case 2: /* equal each */
            if (j >= l1 && j >= l2)
                res = true;
            else if (j < l1 && j < l2)
                res = str_elem(&d, j, fmt) == str_elem(&s, j, fmt);
            break;
        default: /* equal ordered: d occurs in s at j */
            res = true;
            for (unsigned k = 0; k < l1 && res; k++) {
                if (j + k >= n)
                    break;
                res = j + k < l2 && str_elem(&d, k, fmt) == str_elem(&s, j + k, fmt);
            }
            break;
        }
        r1 |= (uint32_t)res << j;
    }
    uint32_t all = (1u << n) - 1;
    switch ((imm >> 4) & 3) {
    case 1: r2 = ~r1 & all; break;
    case 3: r2 = (r1 ^ ((1u << l2) - 1)) & all; break;
    default: r2 = r1; break;
    }
    if (index) {
        unsigned idx = n;
        if (r2)
            idx = (imm & 0x40) ? 31u - (unsigned)__builtin_clz(r2) : (unsigned)__builtin_ctz(r2);
        cpu->regs[1] = idx;
    } else {
        union vec m = { .q = { 0, 0 } };
        if (imm & 0x40) {
            for (unsigned j = 0; j < n; j++)
                if ((r2 >> j) & 1) {
                    if (words)
                        m.w[j] = 0xffff;
                    else
                        m.b[j] = 0xff;
                }
        } else {
            m.q[0] = r2;
        }
        sse_set_reg(cpu, 0, false, &m);
    }
    cpu_set_arith_flags(cpu, (r2 ? EFLAGS_CF : 0) | (l2 < n ? EFLAGS_ZF : 0)
                             | (l1 < n ? EFLAGS_SF : 0) | ((r2 & 1) ? EFLAGS_OF : 0));
    return u + 1;
}

void tr_sse(struct tr_ctx *tc, const struct insn *in)
{
    switch (in->op) {
    case OP_PTEST:
        sse_emit(tc, in, uop_ptest);
        return;
    case OP_PCMPESTRI: case OP_PCMPESTRM: case OP_PCMPISTRI: case OP_PCMPISTRM:
        sse_emit(tc, in, uop_pcmpstr);
        return;
    default:
        if (!vec_fns[in->op])
            cpu_abort(tc->cpu, "no packed-integer function for %s", insn_op_name[in->op]);
        sse_emit(tc, in, uop_vop)->kind = UK_VOP;
        return;
    }
}
