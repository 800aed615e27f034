/*
 * tests/test-softfloat.c: cpu/softfloat.c against the host CPU, bit for bit.
 *
 * For each operation, random operands (biased toward zeros, denormals,
 * the smallest and largest exponents, infinities, NaNs with payloads,
 * x87 unsupported encodings and operands close to each other) run through
 * softfloat and through the host's own instruction: SSE scalar
 * instructions under LDMXCSR (every rounding mode, FTZ and DAZ), x87
 * instructions under FLDCW (every rounding mode and precision control).
 * The result bits and the exception flags read back (MXCSR / FNSTSW, with
 * C1 and, for FPREM, C0/C2/C3) must agree.  All exceptions stay masked (an
 * unmasked one would trap the test process).
 *
 *   test-softfloat [-n ITERATIONS_PER_OP] [-s SEED] [-v]
 *
 * Without -n a short run (make check); `make check-softfloat-full` runs
 * 300000 per operation.  Only built on x86-64 hosts.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/softfloat.h"

#if !defined(__x86_64__)
int main(void)
{
    printf("SKIP: test-softfloat needs an x86-64 host\n");
    return 77;
}
#else

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static bool verbose;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* A random exponent field of `bits` bits, biased toward the edges. */
static uint32_t gen_exp(int bits)
{
    uint32_t max = (1u << bits) - 1, bias = max >> 1;
    switch (rnd() % 12) {
    case 0: return 0;
    case 1: return 1 + rnd() % 2;
    case 2: return max;
    case 3: return max - 1 - rnd() % 2;
    case 4: return bias + (uint32_t)(rnd() % 5) - 2;
    case 5: return bias + (uint32_t)(rnd() % 130) - 65;
    case 6: return (uint32_t)(rnd() % 70);      /* near denormal range */
    case 7: return max - 1 - (uint32_t)(rnd() % 70);
    default: return (uint32_t)(rnd() % max);
    }
}

/* A random fraction of `bits` bits. */
static uint64_t gen_frac(int bits)
{
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    switch (rnd() % 10) {
    case 0: return 0;
    case 1: return 1ull << (rnd() % bits);
    case 2: return mask;
    case 3: return mask >> (rnd() % bits);
    case 4: return (1ull << (bits - 1)) | (rnd() & mask >> 8);      /* quiet NaN payloads */
    case 5: return rnd() & 0xff;
    case 6: return (rnd() & mask) & ~(mask >> 3);
    default: return rnd() & mask;
    }
}

static uint32_t gen32(void)
{
    return (uint32_t)(rnd() & 1) << 31 | gen_exp(8) << 23 | (uint32_t)gen_frac(23);
}

static uint64_t gen64(void)
{
    return (rnd() & 1) << 63 | (uint64_t)gen_exp(11) << 52 | gen_frac(52);
}

static struct sf_x80 genx(void)
{
    struct sf_x80 r;
    uint32_t e = gen_exp(15);
    uint64_t f = gen_frac(63);
    bool ibit = e != 0;
    if (rnd() % 40 == 0)
        ibit = !ibit;          /* unnormal, pseudo-NaN/infinity, pseudo-denormal */
    r.sig = (uint64_t)ibit << 63 | f;
    r.se = (uint16_t)((rnd() & 1) << 15 | e);
    return r;
}

/* b near a: same or adjacent exponent (cancellation, ties, FPREM) */
static uint32_t near32(uint32_t a)
{
    return (rnd() & 1) ? a ^ (uint32_t)(rnd() % 8) : (a + (uint32_t)(rnd() % 5 << 23)) ^ (rnd() & 1) << 31;
}

static uint64_t near64(uint64_t a)
{
    return (rnd() & 1) ? a ^ (rnd() % 8) : (a + (rnd() % 5 << 52)) ^ (rnd() & 1) << 63;
}

static struct sf_x80 nearx(struct sf_x80 a)
{
    struct sf_x80 b = a;
    switch (rnd() % 4) {
    case 0: b.sig ^= rnd() % 8; break;
    case 1: b.se ^= 0x8000; break;
    case 2: b.se = (uint16_t)((b.se & 0x8000) | ((b.se + rnd() % 70) & 0x7fff)); break;
    default: b.se = (uint16_t)((b.se & 0x8000) | ((b.se - rnd() % 3) & 0x7fff)); break;
    }
    return b;
}

/* ---- host SSE ---- */

static uint32_t gen_mxcsr(void)
{
    uint32_t m = 0x1f80 | (uint32_t)(rnd() % 4) << 13;
    if (rnd() % 4 == 0)
        m |= 0x8000;    /* FTZ */
    if (rnd() % 4 == 0)
        m |= 0x0040;    /* DAZ */
    return m;
}

static float f32_of(uint32_t v) { float f; memcpy(&f, &v, 4); return f; }
static double f64_of(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
static uint32_t bits_f32(float f) { uint32_t v; memcpy(&v, &f, 4); return v; }
static uint64_t bits_f64(double d) { uint64_t v; memcpy(&v, &d, 8); return v; }

enum sse_op {
    S_ADD, S_SUB, S_MUL, S_DIV, S_SQRT, S_CVT, S_TOI32, S_TOI32T, S_TOI64, S_TOI64T,
    S_FROMI32, S_FROMI64, S_COMI, S_UCOMI, S_ROUND, S_NOPS
};
static const char *const sse_names[S_NOPS] = {
    "add", "sub", "mul", "div", "sqrt", "cvt", "to_i32", "to_i32_trunc", "to_i64",
    "to_i64_trunc", "from_i32", "from_i64", "comi", "ucomi", "round",
};

#define SSE_BIN(INSN, TY, TYC, A, B, MX, OUT, FL)                               \
    do {                                                                        \
        TYC x_ = A, y_ = B;                                                     \
        __asm__ volatile("ldmxcsr %[m]\n\t" INSN " %[y], %[x]\n\t stmxcsr %[o]"     \
                     : [x] "+x"(x_), [o] "=m"(FL) : [y] "x"(y_), [m] "m"(MX));  \
        OUT = x_;                                                               \
    } while (0)

/* ROUNDSS/ROUNDSD need the immediate in the instruction */
#define ROUND_CASE(I, INSN, X, MX, FL)                                          \
    case I: __asm__ volatile("ldmxcsr %[m]\n\t" INSN " $" #I ", %[x], %[x]\n\t stmxcsr %[o]" \
                         : [x] "+x"(X), [o] "=m"(FL) : [m] "m"(MX)); break
#define ROUND_ALL(insn, imm, x, m, fl)                                          \
    switch (imm) {                                                              \
    ROUND_CASE(0, insn, x, m, fl); ROUND_CASE(1, insn, x, m, fl);               \
    ROUND_CASE(2, insn, x, m, fl); ROUND_CASE(3, insn, x, m, fl);               \
    ROUND_CASE(4, insn, x, m, fl); ROUND_CASE(5, insn, x, m, fl);               \
    ROUND_CASE(6, insn, x, m, fl); ROUND_CASE(7, insn, x, m, fl);               \
    ROUND_CASE(8, insn, x, m, fl); ROUND_CASE(9, insn, x, m, fl);               \
    ROUND_CASE(10, insn, x, m, fl); ROUND_CASE(11, insn, x, m, fl);             \
    ROUND_CASE(12, insn, x, m, fl); ROUND_CASE(13, insn, x, m, fl);             \
    ROUND_CASE(14, insn, x, m, fl); ROUND_CASE(15, insn, x, m, fl);             \
    }

static unsigned rel_of_flags(bool z, bool c, bool p)
{
    if (z && c && p)
        return SF_UNORDERED;
    if (z)
        return SF_EQUAL;
    return c ? SF_LESS : SF_GREATER;
}

static bool have_sse41(void)
{
    unsigned a = 1, b, c, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
    return (c >> 19) & 1;
}

static unsigned long total_checked, total_failed;

static void report(const char *unit, const char *name, unsigned long n, unsigned long bad)
{
    printf("%-4s %-14s %8lu checked, %lu mismatches\n", unit, name, n, bad);
    total_checked += n;
    total_failed += bad;
}

/* one SSE check on float32 (dbl = false) or float64 */
static bool sse_check(int op, bool dbl, unsigned long *printed)
{
    uint32_t mx = gen_mxcsr(), hfl = 0;
    struct sf_status st;
    sf_status_sse(&st, mx);
    uint64_t a = dbl ? gen64() : gen32();
    uint64_t b = (rnd() % 4 == 0) ? (dbl ? near64(a) : near32((uint32_t)a)) : (dbl ? gen64() : gen32());
    int64_t ia = (int64_t)rnd() >> (rnd() % 64);
    unsigned imm = (unsigned)(rnd() % 16);
    uint64_t host = 0, mine = 0;
    switch (op) {
    case S_ADD: case S_SUB: case S_MUL: case S_DIV: case S_SQRT:
        if (!dbl) {
            float r = 0;
            switch (op) {
            case S_ADD: SSE_BIN("addss", uint32_t, float, f32_of((uint32_t)a), f32_of((uint32_t)b), mx, r, hfl); mine = sf32_add((uint32_t)a, (uint32_t)b, &st); break;
            case S_SUB: SSE_BIN("subss", uint32_t, float, f32_of((uint32_t)a), f32_of((uint32_t)b), mx, r, hfl); mine = sf32_sub((uint32_t)a, (uint32_t)b, &st); break;
            case S_MUL: SSE_BIN("mulss", uint32_t, float, f32_of((uint32_t)a), f32_of((uint32_t)b), mx, r, hfl); mine = sf32_mul((uint32_t)a, (uint32_t)b, &st); break;
            case S_DIV: SSE_BIN("divss", uint32_t, float, f32_of((uint32_t)a), f32_of((uint32_t)b), mx, r, hfl); mine = sf32_div((uint32_t)a, (uint32_t)b, &st); break;
            default: SSE_BIN("sqrtss", uint32_t, float, f32_of((uint32_t)b), f32_of((uint32_t)a), mx, r, hfl); mine = sf32_sqrt((uint32_t)a, &st); break;
            }
            host = bits_f32(r);
        } else {
            double r = 0;
            switch (op) {
            case S_ADD: SSE_BIN("addsd", uint64_t, double, f64_of(a), f64_of(b), mx, r, hfl); mine = sf64_add(a, b, &st); break;
            case S_SUB: SSE_BIN("subsd", uint64_t, double, f64_of(a), f64_of(b), mx, r, hfl); mine = sf64_sub(a, b, &st); break;
            case S_MUL: SSE_BIN("mulsd", uint64_t, double, f64_of(a), f64_of(b), mx, r, hfl); mine = sf64_mul(a, b, &st); break;
            case S_DIV: SSE_BIN("divsd", uint64_t, double, f64_of(a), f64_of(b), mx, r, hfl); mine = sf64_div(a, b, &st); break;
            default: SSE_BIN("sqrtsd", uint64_t, double, f64_of(b), f64_of(a), mx, r, hfl); mine = sf64_sqrt(a, &st); break;
            }
            host = bits_f64(r);
        }
        break;
    case S_CVT:
        if (!dbl) {
            double r = 0;
            float x = f32_of((uint32_t)a);
            __asm__ volatile("ldmxcsr %[m]\n\t cvtss2sd %[x], %[r]\n\t stmxcsr %[o]"
                         : [r] "+x"(r), [o] "=m"(hfl) : [x] "x"(x), [m] "m"(mx));
            host = bits_f64(r);
            mine = sf32_to_f64((uint32_t)a, &st);
        } else {
            float r = 0;
            double x = f64_of(a);
            __asm__ volatile("ldmxcsr %[m]\n\t cvtsd2ss %[x], %[r]\n\t stmxcsr %[o]"
                         : [r] "+x"(r), [o] "=m"(hfl) : [x] "x"(x), [m] "m"(mx));
            host = bits_f32(r);
            mine = sf64_to_f32(a, &st);
        }
        break;
    case S_TOI32: case S_TOI32T: case S_TOI64: case S_TOI64T: {
        uint64_t r = 0;
        if (!dbl) {
            float x = f32_of((uint32_t)a);
            switch (op) {
            case S_TOI32: __asm__ volatile("ldmxcsr %[m]\n\t cvtss2si %[x], %k[r]\n\t stmxcsr %[o]" : [r] "=r"(r), [o] "=m"(hfl) : [x] "x"(x), [m] "m"(mx)); r = (uint32_t)r; mine = (uint32_t)sf32_to_i32((uint32_t)a, &st); break;
            case S_TOI32T: __asm__ volatile("ldmxcsr %[m]\n\t cvttss2si %[x], %k[r]\n\t stmxcsr %[o]" : [r] "=r"(r), [o] "=m"(hfl) : [x] "x"(x), [m] "m"(mx)); r = (uint32_t)r; mine = (uint32_t)sf32_to_i32_trunc((uint32_t)a, &st); break;
            case S_TOI64: __asm__ volatile("ldmxcsr %[m]\n\t cvtss2si %[x], %q[r]\n\t stmxcsr %[o]" : [r] "=r"(r), [o] "=m"(hfl) : [x] "x"(x), [m] "m"(mx)); mine = (uint64_t)sf32_to_i64((uint32_t)a, &st); break;
            default: __asm__ volatile("ldmxcsr %[m]\n\t cvttss2si %[x], %q[r]\n\t stmxcsr %[o]" : [r] "=r"(r), [o] "=m"(hfl) : [x] "x"(x), [m] "m"(mx)); mine = (uint64_t)sf32_to_i64_trunc((uint32_t)a, &st); break;
            }
        } else {
            double x = f64_of(a);
            switch (op) {
            case S_TOI32: __asm__ volatile("ldmxcsr %[m]\n\t cvtsd2si %[x], %k[r]\n\t stmxcsr %[o]" : [r] "=r"(r), [o] "=m"(hfl) : [x] "x"(x), [m] "m"(mx)); r = (uint32_t)r; mine = (uint32_t)sf64_to_i32(a, &st); break;
            case S_TOI32T: __asm__ volatile("ldmxcsr %[m]\n\t cvttsd2si %[x], %k[r]\n\t stmxcsr %[o]" : [r] "=r"(r), [o] "=m"(hfl) : [x] "x"(x), [m] "m"(mx)); r = (uint32_t)r; mine = (uint32_t)sf64_to_i32_trunc(a, &st); break;
            case S_TOI64: __asm__ volatile("ldmxcsr %[m]\n\t cvtsd2si %[x], %q[r]\n\t stmxcsr %[o]" : [r] "=r"(r), [o] "=m"(hfl) : [x] "x"(x), [m] "m"(mx)); mine = (uint64_t)sf64_to_i64(a, &st); break;
            default: __asm__ volatile("ldmxcsr %[m]\n\t cvttsd2si %[x], %q[r]\n\t stmxcsr %[o]" : [r] "=r"(r), [o] "=m"(hfl) : [x] "x"(x), [m] "m"(mx)); mine = (uint64_t)sf64_to_i64_trunc(a, &st); break;
            }
        }
        host = r;
        break;
    }
    case S_FROMI32: case S_FROMI64:
        a = (uint64_t)ia;
        if (!dbl) {
            float r = 0;
            if (op == S_FROMI32)
                __asm__ volatile("ldmxcsr %[m]\n\t cvtsi2ssl %k[x], %[r]\n\t stmxcsr %[o]" : [r] "+x"(r), [o] "=m"(hfl) : [x] "r"(a), [m] "m"(mx));
            else
                __asm__ volatile("ldmxcsr %[m]\n\t cvtsi2ssq %q[x], %[r]\n\t stmxcsr %[o]" : [r] "+x"(r), [o] "=m"(hfl) : [x] "r"(a), [m] "m"(mx));
            host = bits_f32(r);
            mine = op == S_FROMI32 ? sf32_from_i32((int32_t)a, &st) : sf32_from_i64((int64_t)a, &st);
        } else {
            double r = 0;
            if (op == S_FROMI32)
                __asm__ volatile("ldmxcsr %[m]\n\t cvtsi2sdl %k[x], %[r]\n\t stmxcsr %[o]" : [r] "+x"(r), [o] "=m"(hfl) : [x] "r"(a), [m] "m"(mx));
            else
                __asm__ volatile("ldmxcsr %[m]\n\t cvtsi2sdq %q[x], %[r]\n\t stmxcsr %[o]" : [r] "+x"(r), [o] "=m"(hfl) : [x] "r"(a), [m] "m"(mx));
            host = bits_f64(r);
            mine = op == S_FROMI32 ? sf64_from_i32((int32_t)a, &st) : sf64_from_i64((int64_t)a, &st);
        }
        break;
    case S_COMI: case S_UCOMI: {
        bool z, c, p;
        if (!dbl) {
            float x = f32_of((uint32_t)a), y = f32_of((uint32_t)b);
            if (op == S_COMI)
                __asm__ volatile("ldmxcsr %[m]\n\t comiss %[y], %[x]\n\t setz %[z]\n\t setc %[c]\n\t setp %[p]\n\t stmxcsr %[o]" : [z] "=q"(z), [c] "=q"(c), [p] "=q"(p), [o] "=m"(hfl) : [x] "x"(x), [y] "x"(y), [m] "m"(mx));
            else
                __asm__ volatile("ldmxcsr %[m]\n\t ucomiss %[y], %[x]\n\t setz %[z]\n\t setc %[c]\n\t setp %[p]\n\t stmxcsr %[o]" : [z] "=q"(z), [c] "=q"(c), [p] "=q"(p), [o] "=m"(hfl) : [x] "x"(x), [y] "x"(y), [m] "m"(mx));
            mine = sf32_compare((uint32_t)a, (uint32_t)b, op == S_COMI, &st);
        } else {
            double x = f64_of(a), y = f64_of(b);
            if (op == S_COMI)
                __asm__ volatile("ldmxcsr %[m]\n\t comisd %[y], %[x]\n\t setz %[z]\n\t setc %[c]\n\t setp %[p]\n\t stmxcsr %[o]" : [z] "=q"(z), [c] "=q"(c), [p] "=q"(p), [o] "=m"(hfl) : [x] "x"(x), [y] "x"(y), [m] "m"(mx));
            else
                __asm__ volatile("ldmxcsr %[m]\n\t ucomisd %[y], %[x]\n\t setz %[z]\n\t setc %[c]\n\t setp %[p]\n\t stmxcsr %[o]" : [z] "=q"(z), [c] "=q"(c), [p] "=q"(p), [o] "=m"(hfl) : [x] "x"(x), [y] "x"(y), [m] "m"(mx));
            mine = sf64_compare(a, b, op == S_COMI, &st);
        }
        host = rel_of_flags(z, c, p);
        break;
    }
    case S_ROUND: {
        int mode = (imm & 4) ? (int)(mx >> 13) & 3 : (int)(imm & 3);
        if (!dbl) {
            float x = f32_of((uint32_t)a);
            ROUND_ALL("roundss", imm, x, mx, hfl);
            host = bits_f32(x);
            mine = sf32_round_int((uint32_t)a, mode, !(imm & 8), &st);
        } else {
            double x = f64_of(a);
            ROUND_ALL("roundsd", imm, x, mx, hfl);
            host = bits_f64(x);
            mine = sf64_round_int(a, mode, !(imm & 8), &st);
        }
        break;
    }
    }
    unsigned hf = hfl & 0x3f;
    if (host == mine && hf == st.flags)
        return true;
    if (verbose || (*printed)++ < 8)
        printf("  sse %s%s mxcsr=%04x imm=%u a=%016" PRIx64 " b=%016" PRIx64
               ": host %016" PRIx64 " fl %02x, softfloat %016" PRIx64 " fl %02x\n",
               sse_names[op], dbl ? "sd" : "ss", mx, imm, a, b, host, hf, mine, st.flags);
    return false;
}

/* ---- host x87 ---- */

enum x87_op {
    X_ADD, X_SUB, X_MUL, X_DIV, X_SQRT, X_PREM, X_PREM1, X_RNDINT, X_COM, X_UCOM,
    X_LD32, X_LD64, X_ST32, X_ST64, X_IST16, X_IST32, X_IST64, X_ISTT16, X_ISTT32, X_ISTT64,
    X_SCALE, X_NOPS
};
static const char *const x87_names[X_NOPS] = {
    "fadd", "fsub", "fmul", "fdiv", "fsqrt", "fprem", "fprem1", "frndint", "fcom", "fucom",
    "fld m32", "fld m64", "fst m32", "fst m64", "fist m16", "fist m32", "fist m64",
    "fisttp m16", "fisttp m32", "fisttp m64", "fscale",
};

/* st(0) = a, st(1) = b, then INSN; result st(0) and the status word after INSN */
#define X87_BIN(INSN, A, B, CW, R, SW)                                          \
    __asm__ volatile("fninit\n\t fldcw %[c]\n\t fldt %[y]\n\t fldt %[x]\n\t" INSN   \
                 "\n\t fnstsw %[s]\n\t fstpt %[o]\n\t fstp %%st(0)"             \
                 : [o] "=m"(R), [s] "=m"(SW) : [x] "m"(A), [y] "m"(B), [c] "m"(CW))

static uint16_t gen_fcw(void)
{
    static const uint16_t pc[3] = { 0x000, 0x200, 0x300 };
    return (uint16_t)(0x003f | 0x40 | pc[rnd() % 3] | (rnd() % 4) << 10);
}

static unsigned sw_rel(uint16_t sw)
{
    bool c0 = (sw >> 8) & 1, c2 = (sw >> 10) & 1, c3 = (sw >> 14) & 1;
    if (c0 && c2 && c3)
        return SF_UNORDERED;
    if (c3)
        return SF_EQUAL;
    return c0 ? SF_LESS : SF_GREATER;
}

static bool x87_check(int op, unsigned long *printed)
{
    uint16_t cw = gen_fcw(), sw = 0;
    struct sf_status st;
    sf_status_x87(&st, cw);
    struct sf_x80 a = genx(), b = (rnd() % 4 == 0) ? nearx(a) : genx();
    struct sf_x80 hr = { 0, 0 }, mr = { 0, 0 };
    uint64_t hi = 0, mi = 0;     /* integer / narrow results */
    uint16_t mine_sw_extra = 0, sw_mask = 0x3f | 0x200;   /* flags and C1 */
    uint32_t a32 = gen32();
    uint64_t a64 = gen64();
    switch (op) {
    case X_ADD: X87_BIN("fadd %%st(1), %%st", a, b, cw, hr, sw); mr = sfx80_add(a, b, &st); break;
    case X_SUB: X87_BIN("fsub %%st(1), %%st", a, b, cw, hr, sw); mr = sfx80_sub(a, b, &st); break;
    case X_MUL: X87_BIN("fmul %%st(1), %%st", a, b, cw, hr, sw); mr = sfx80_mul(a, b, &st); break;
    case X_DIV: X87_BIN("fdiv %%st(1), %%st", a, b, cw, hr, sw); mr = sfx80_div(a, b, &st); break;
    case X_SQRT: X87_BIN("fsqrt", a, b, cw, hr, sw); mr = sfx80_sqrt(a, &st); break;
    case X_RNDINT: X87_BIN("frndint", a, b, cw, hr, sw); mr = sfx80_round_int(a, st.round, &st); break;
    case X_PREM: case X_PREM1: {
        unsigned q;
        bool inc;
        if (op == X_PREM)
            X87_BIN("fprem", a, b, cw, hr, sw);
        else
            X87_BIN("fprem1", a, b, cw, hr, sw);
        mr = sfx80_rem(a, b, op == X_PREM1, true, &q, &inc, &st);
        mine_sw_extra = (uint16_t)((q & 4 ? 0x100 : 0) | (q & 2 ? 0x4000 : 0)
                                   | (q & 1 ? 0x200 : 0) | (inc ? 0x400 : 0));
        st.c1 = false;
        sw_mask |= 0x4500;
        break;
    }
    case X_SCALE: {
        /* st(1) a small integer so the result is interesting */
        b = sfx80_from_i64((int64_t)(rnd() % 140) - 70 + ((rnd() & 1) ? (int64_t)(rnd() % 33000) - 16500 : 0));
        X87_BIN("fscale", a, b, cw, hr, sw);
        mr = sfx80_scale(a, (int32_t)sfx80_to_i32_trunc(b, &(struct sf_status){ 0 }), &st);
        break;
    }
    case X_COM: case X_UCOM:
        if (op == X_COM)
            X87_BIN("fcom %%st(1)", a, b, cw, hr, sw);
        else
            X87_BIN("fucom %%st(1)", a, b, cw, hr, sw);
        hi = sw_rel(sw);
        mi = sfx80_compare(a, b, op == X_COM, &st);
        hr = mr;
        break;
    case X_LD32:
        __asm__ volatile("fninit\n\t fldcw %[c]\n\t flds %[x]\n\t fnstsw %[s]\n\t fstpt %[o]"
                     : [o] "=m"(hr), [s] "=m"(sw) : [x] "m"(a32), [c] "m"(cw));
        mr = sf32_to_x80(a32, &st);
        a.sig = a32;
        break;
    case X_LD64:
        __asm__ volatile("fninit\n\t fldcw %[c]\n\t fldl %[x]\n\t fnstsw %[s]\n\t fstpt %[o]"
                     : [o] "=m"(hr), [s] "=m"(sw) : [x] "m"(a64), [c] "m"(cw));
        mr = sf64_to_x80(a64, &st);
        a.sig = a64;
        break;
    case X_ST32: {
        uint32_t r = 0;
        __asm__ volatile("fninit\n\t fldcw %[c]\n\t fldt %[x]\n\t fstps %[o]\n\t fnstsw %[s]"
                     : [o] "=m"(r), [s] "=m"(sw) : [x] "m"(a), [c] "m"(cw));
        hi = r;
        mi = sfx80_to_f32(a, &st);
        break;
    }
    case X_ST64:
        __asm__ volatile("fninit\n\t fldcw %[c]\n\t fldt %[x]\n\t fstpl %[o]\n\t fnstsw %[s]"
                     : [o] "=m"(hi), [s] "=m"(sw) : [x] "m"(a), [c] "m"(cw));
        mi = sfx80_to_f64(a, &st);
        break;
    case X_IST16: case X_ISTT16: {
        uint16_t r = 0;
        if (op == X_IST16)
            __asm__ volatile("fninit\n\t fldcw %[c]\n\t fldt %[x]\n\t fistps %[o]\n\t fnstsw %[s]"
                         : [o] "=m"(r), [s] "=m"(sw) : [x] "m"(a), [c] "m"(cw));
        else
            __asm__ volatile("fninit\n\t fldcw %[c]\n\t fldt %[x]\n\t fisttps %[o]\n\t fnstsw %[s]"
                         : [o] "=m"(r), [s] "=m"(sw) : [x] "m"(a), [c] "m"(cw));
        hi = r;
        mi = (uint16_t)(op == X_IST16 ? sfx80_to_i16(a, &st) : sfx80_to_i16_trunc(a, &st));
        break;
    }
    case X_IST32: case X_ISTT32: {
        uint32_t r = 0;
        if (op == X_IST32)
            __asm__ volatile("fninit\n\t fldcw %[c]\n\t fldt %[x]\n\t fistpl %[o]\n\t fnstsw %[s]"
                         : [o] "=m"(r), [s] "=m"(sw) : [x] "m"(a), [c] "m"(cw));
        else
            __asm__ volatile("fninit\n\t fldcw %[c]\n\t fldt %[x]\n\t fisttpl %[o]\n\t fnstsw %[s]"
                         : [o] "=m"(r), [s] "=m"(sw) : [x] "m"(a), [c] "m"(cw));
        hi = r;
        mi = (uint32_t)(op == X_IST32 ? sfx80_to_i32(a, &st) : sfx80_to_i32_trunc(a, &st));
        break;
    }
    case X_IST64: case X_ISTT64:
        if (op == X_IST64)
            __asm__ volatile("fninit\n\t fldcw %[c]\n\t fldt %[x]\n\t fistpll %[o]\n\t fnstsw %[s]"
                         : [o] "=m"(hi), [s] "=m"(sw) : [x] "m"(a), [c] "m"(cw));
        else
            __asm__ volatile("fninit\n\t fldcw %[c]\n\t fldt %[x]\n\t fisttpll %[o]\n\t fnstsw %[s]"
                         : [o] "=m"(hi), [s] "=m"(sw) : [x] "m"(a), [c] "m"(cw));
        mi = (uint64_t)(op == X_IST64 ? sfx80_to_i64(a, &st) : sfx80_to_i64_trunc(a, &st));
        break;
    }
    uint16_t msw = (uint16_t)(st.flags | (st.c1 ? 0x200 : 0) | mine_sw_extra);
    if (op == X_COM || op == X_UCOM)
        sw_mask = 0x3f;
    bool ok = hr.sig == mr.sig && hr.se == mr.se && hi == mi && (sw & sw_mask) == (msw & sw_mask);
    if (ok)
        return true;
    if (verbose || (*printed)++ < 8)
        printf("  x87 %s cw=%04x a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64
               ": host %04x:%016" PRIx64 "/%" PRIx64 " sw %04x, softfloat %04x:%016" PRIx64
               "/%" PRIx64 " sw %04x\n",
               x87_names[op], cw, a.se, a.sig, b.se, b.sig, hr.se, hr.sig, hi, sw & sw_mask,
               mr.se, mr.sig, mi, msw & sw_mask);
    return false;
}

int main(int argc, char **argv)
{
    unsigned long n = 4000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            rng_state = strtoull(argv[++i], NULL, 0) | 1;
        else if (!strcmp(argv[i], "-v"))
            verbose = true;
        else {
            fprintf(stderr, "usage: %s [-n ITERATIONS_PER_OP] [-s SEED] [-v]\n", argv[0]);
            return 2;
        }
    }
    bool sse41 = have_sse41();
    for (int dbl = 0; dbl < 2; dbl++) {
        for (int op = 0; op < S_NOPS; op++) {
            if (op == S_ROUND && !sse41)
                continue;
            unsigned long bad = 0, printed = 0;
            for (unsigned long i = 0; i < n; i++)
                bad += !sse_check(op, dbl, &printed);
            report(dbl ? "sd" : "ss", sse_names[op], n, bad);
        }
    }
    for (int op = 0; op < X_NOPS; op++) {
        unsigned long bad = 0, printed = 0;
        for (unsigned long i = 0; i < n; i++)
            bad += !x87_check(op, &printed);
        report("x87", x87_names[op], n, bad);
    }
    __asm__ volatile("fninit");
    uint32_t def = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(def));
    printf("%lu passed, %lu failed\n", total_checked - total_failed, total_failed);
    return total_failed != 0;
}
#endif
