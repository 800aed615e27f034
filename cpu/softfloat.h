/*
 * cpu/softfloat.h: host-independent IEEE 754 binary floating point for the
 * x87 FPU and the SSE units, computed with integers only so that every
 * host gives the same bits.
 *
 * Formats: float32 and float64 are their bit patterns in uint32_t and
 * uint64_t; the x87 80-bit double-extended format is struct sf_x80 (an
 * explicit-integer-bit 64-bit significand and a sign/exponent word, as it
 * sits in memory: bytes 0-7 significand, bytes 8-9 sign and exponent).
 *
 * Behaviour follows the Intel SDM vol. 1:
 *  - 4.8.3.5 / table 4-7 NaN rules.  With SF_NAN_SSE two NaN operands give
 *    the first source's NaN (quieted); with SF_NAN_X87 the NaN with the
 *    larger significand (quieted).  A NaN with a number gives that NaN
 *    quieted; an invalid operation without NaN operands gives the default
 *    QNaN "real indefinite" (sign 1, quiet bit only).
 *  - 4.9.1 exceptions IE, DE, ZE, OE, UE, PE with the masked responses;
 *    tininess is detected after rounding.  Underflow is flagged when a tiny
 *    result is inexact, or when it is tiny and UE is unmasked
 *    (sf_status.masks).  DE is flagged when an operand is denormal (unless
 *    DAZ turns it into zero).
 *  - 8.1.5.2 x87 precision control: extended results are rounded to 24,
 *    53 or 64 significand bits, keeping the 15-bit exponent range.
 *  - x87 only (nan_rule SF_NAN_X87): extended operands in unsupported
 *    encodings (pseudo-NaN, pseudo-infinity, unnormal) are invalid (IE,
 *    default NaN); pseudo-denormals are read as denormals.  An extended
 *    result that overflows or underflows while OE / UE is unmasked is
 *    delivered with its exponent wrapped by 24576 (SDM 4.9.1.4/4.9.1.5).
 *  - SSE (10.2.3.4): FTZ turns a tiny result into a zero of the same sign
 *    (UE and PE flagged) when UE is masked; DAZ reads denormal operands as
 *    zeros of the same sign without DE.
 *
 * Every function adds the exceptions it detects to st->flags (it never
 * clears them) and, for the x87, sets st->c1 when the last rounding
 * increased the magnitude (cleared otherwise).  Nothing here raises a
 * guest exception: the callers compare st->flags with their masks.
 */
#ifndef SATORI_SOFTFLOAT_H
#define SATORI_SOFTFLOAT_H

#include <stdbool.h>
#include <stdint.h>

/* rounding control, encoded as in the x87 control word and MXCSR.RC */
enum sf_round {
    SF_ROUND_NEAREST = 0,   /* to nearest, ties to even */
    SF_ROUND_DOWN = 1,      /* toward -infinity */
    SF_ROUND_UP = 2,        /* toward +infinity */
    SF_ROUND_ZERO = 3,      /* toward zero (truncate) */
};

/* x87 precision control, encoded as in the control word (01 is reserved
 * and behaves as SF_PREC_64 here) */
enum sf_prec {
    SF_PREC_24 = 0,
    SF_PREC_53 = 2,
    SF_PREC_64 = 3,
};

enum sf_nan_rule { SF_NAN_X87, SF_NAN_SSE };

/* exception flags, at the bit positions of the x87 status word and MXCSR */
#define SF_IE 0x01u     /* invalid operation */
#define SF_DE 0x02u     /* denormal operand */
#define SF_ZE 0x04u     /* divide by zero */
#define SF_OE 0x08u     /* overflow */
#define SF_UE 0x10u     /* underflow */
#define SF_PE 0x20u     /* precision (inexact) */

struct sf_status {
    uint8_t round;      /* enum sf_round */
    uint8_t prec;       /* enum sf_prec: applies to the extended arithmetic ops */
    uint8_t nan_rule;   /* enum sf_nan_rule */
    uint8_t masks;      /* SF_* set = masked (x87 CW bits 0-5, MXCSR bits 7-12 >> 7) */
    bool ftz;           /* flush tiny results to zero (MXCSR.FZ) */
    bool daz;           /* denormal operands are zero (MXCSR.DAZ) */
    uint8_t flags;      /* accumulated SF_* */
    bool c1;            /* x87: the last rounding increased the magnitude */
};

/* A status for SSE (MXCSR fields) or the x87 (control word fields). */
void sf_status_sse(struct sf_status *st, uint32_t mxcsr);
void sf_status_x87(struct sf_status *st, uint16_t fcw);

struct sf_x80 {
    uint64_t sig;       /* bit 63 is the explicit integer bit */
    uint16_t se;        /* bit 15 sign, bits 14-0 biased exponent (bias 16383) */
};

enum sf_relation {
    SF_LESS = 0,
    SF_EQUAL = 1,
    SF_GREATER = 2,
    SF_UNORDERED = 3,
};

/* Well-known values. */
#define SF32_DEFAULT_NAN 0xffc00000u
#define SF64_DEFAULT_NAN 0xfff8000000000000ull
#define SFX80_DEFAULT_NAN_SE 0xffffu
#define SFX80_DEFAULT_NAN_SIG 0xc000000000000000ull
struct sf_x80 sfx80_make(uint16_t se, uint64_t sig);
struct sf_x80 sfx80_default_nan(void);

/* Integer indefinite: what out-of-range / NaN conversions to integers
 * return (with IE). */
#define SF_I16_INDEFINITE ((int16_t)INT16_MIN)
#define SF_I32_INDEFINITE ((int32_t)INT32_MIN)
#define SF_I64_INDEFINITE ((int64_t)INT64_MIN)

/* ---- float32 ---- */
uint32_t sf32_add(uint32_t a, uint32_t b, struct sf_status *st);
uint32_t sf32_sub(uint32_t a, uint32_t b, struct sf_status *st);
uint32_t sf32_mul(uint32_t a, uint32_t b, struct sf_status *st);
uint32_t sf32_div(uint32_t a, uint32_t b, struct sf_status *st);
uint32_t sf32_sqrt(uint32_t a, struct sf_status *st);
/* IEEE remainder a - b * n, n = a / b rounded to nearest even */
uint32_t sf32_rem(uint32_t a, uint32_t b, struct sf_status *st);
/* round to an integral value in `round` (enum sf_round); PE only when
 * signal_inexact (SSE4.1 ROUNDSS imm8 bit 3 clear) */
uint32_t sf32_round_int(uint32_t a, int round, bool signal_inexact, struct sf_status *st);
enum sf_relation sf32_compare(uint32_t a, uint32_t b, bool signaling, struct sf_status *st);
uint64_t sf32_to_f64(uint32_t a, struct sf_status *st);
struct sf_x80 sf32_to_x80(uint32_t a, struct sf_status *st);
int32_t sf32_to_i32(uint32_t a, struct sf_status *st);       /* st->round */
int32_t sf32_to_i32_trunc(uint32_t a, struct sf_status *st);
int64_t sf32_to_i64(uint32_t a, struct sf_status *st);
int64_t sf32_to_i64_trunc(uint32_t a, struct sf_status *st);
uint32_t sf32_from_i32(int32_t v, struct sf_status *st);
uint32_t sf32_from_i64(int64_t v, struct sf_status *st);
bool sf32_is_nan(uint32_t a);
bool sf32_is_snan(uint32_t a);

/* ---- float64 ---- */
uint64_t sf64_add(uint64_t a, uint64_t b, struct sf_status *st);
uint64_t sf64_sub(uint64_t a, uint64_t b, struct sf_status *st);
uint64_t sf64_mul(uint64_t a, uint64_t b, struct sf_status *st);
uint64_t sf64_div(uint64_t a, uint64_t b, struct sf_status *st);
uint64_t sf64_sqrt(uint64_t a, struct sf_status *st);
uint64_t sf64_rem(uint64_t a, uint64_t b, struct sf_status *st);
uint64_t sf64_round_int(uint64_t a, int round, bool signal_inexact, struct sf_status *st);
enum sf_relation sf64_compare(uint64_t a, uint64_t b, bool signaling, struct sf_status *st);
uint32_t sf64_to_f32(uint64_t a, struct sf_status *st);
struct sf_x80 sf64_to_x80(uint64_t a, struct sf_status *st);
int32_t sf64_to_i32(uint64_t a, struct sf_status *st);
int32_t sf64_to_i32_trunc(uint64_t a, struct sf_status *st);
int64_t sf64_to_i64(uint64_t a, struct sf_status *st);
int64_t sf64_to_i64_trunc(uint64_t a, struct sf_status *st);
uint64_t sf64_from_i32(int32_t v, struct sf_status *st);
uint64_t sf64_from_i64(int64_t v, struct sf_status *st);
bool sf64_is_nan(uint64_t a);
bool sf64_is_snan(uint64_t a);

/* ---- 80-bit extended (results rounded to st->prec where noted) ---- */
struct sf_x80 sfx80_add(struct sf_x80 a, struct sf_x80 b, struct sf_status *st);  /* prec */
struct sf_x80 sfx80_sub(struct sf_x80 a, struct sf_x80 b, struct sf_status *st);  /* prec */
struct sf_x80 sfx80_mul(struct sf_x80 a, struct sf_x80 b, struct sf_status *st);  /* prec */
struct sf_x80 sfx80_div(struct sf_x80 a, struct sf_x80 b, struct sf_status *st);  /* prec */
struct sf_x80 sfx80_sqrt(struct sf_x80 a, struct sf_status *st);                 /* prec */
/*
 * Remainder a - b * q.  nearest: q = a / b rounded to nearest even (FPREM1,
 * IEEE); else truncated (FPREM).  partial (x87): when the exponent
 * difference is 64 or more only a partial reduction is done, by
 * 2^(diff - N) with N = 32 + diff % 32, and *incomplete is set (C2);
 * without partial the remainder is always complete.  *q_low receives the
 * three low bits of the quotient (of the partial quotient when incomplete).
 */
struct sf_x80 sfx80_rem(struct sf_x80 a, struct sf_x80 b, bool nearest, bool partial,
                        unsigned *q_low, bool *incomplete, struct sf_status *st);
struct sf_x80 sfx80_round_int(struct sf_x80 a, int round, struct sf_status *st);
enum sf_relation sfx80_compare(struct sf_x80 a, struct sf_x80 b, bool signaling,
                               struct sf_status *st);
uint32_t sfx80_to_f32(struct sf_x80 a, struct sf_status *st);
uint64_t sfx80_to_f64(struct sf_x80 a, struct sf_status *st);
/* round an extended value to `prec` significand bits (FLD-free precision
 * rounding, e.g. for FSCALE and the constants); exponent range unchanged */
struct sf_x80 sfx80_round_prec(struct sf_x80 a, int prec, struct sf_status *st);
int16_t sfx80_to_i16(struct sf_x80 a, struct sf_status *st);
int16_t sfx80_to_i16_trunc(struct sf_x80 a, struct sf_status *st);
int32_t sfx80_to_i32(struct sf_x80 a, struct sf_status *st);
int32_t sfx80_to_i32_trunc(struct sf_x80 a, struct sf_status *st);
int64_t sfx80_to_i64(struct sf_x80 a, struct sf_status *st);
int64_t sfx80_to_i64_trunc(struct sf_x80 a, struct sf_status *st);
struct sf_x80 sfx80_from_i64(int64_t v);   /* exact */
/* a * 2^n (FSCALE's core), n already an integer; 64-bit rounding (no PC) */
struct sf_x80 sfx80_scale(struct sf_x80 a, int32_t n, struct sf_status *st);
/*
 * Round a value computed elsewhere (the transcendentals) to 64 bits in
 * st->round and pack it: value = (hi:lo) * 2^(exp - 127), hi bit 63 set
 * (lo's bit 0 acts as sticky).  Overflow, tininess and flags as for the
 * arithmetic operations; no precision control.
 */
struct sf_x80 sfx80_round_pack(bool sign, int32_t exp, uint64_t hi, uint64_t lo,
                               struct sf_status *st);
bool sfx80_is_nan(struct sf_x80 a);
bool sfx80_is_snan(struct sf_x80 a);
/* unsupported encodings: pseudo-NaN, pseudo-infinity, unnormal */
bool sfx80_is_unsupported(struct sf_x80 a);

#endif
