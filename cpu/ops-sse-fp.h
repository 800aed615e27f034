/*
 * cpu/ops-sse-fp.h: what the SSE floating-point files share
 * (ops-sse-fp.c: arithmetic, compares, MXCSR; ops-sse-cvt.c: conversions
 * and COMISS/UCOMISS): the MXCSR layout and the exception rule.
 *
 * SIMD floating-point exceptions (SDM vol. 1, 11.5.1-11.5.2; vol. 3,
 * 13.4): every lane is computed with softfloat into a temporary, its
 * flags split into pre-computation (IE, DE, ZE) and post-computation
 * (OE, UE, PE) ones.  If an unmasked pre-computation exception occurred
 * in any lane, MXCSR receives the pre-computation flags of all lanes and
 * the post-computation ones are not reported; otherwise MXCSR receives
 * all flags (with an unmasked OE or UE, PE as fp_unmasked_pe says).  Either way, when one of them is unmasked no lane is
 * written and the instruction raises #XM (CR4.OSXMMEXCPT = 1) or #UD
 * (CR4.OSXMMEXCPT = 0); MXCSR keeps the flags in both cases.
 *
 * Micro-op layout: that of ops-sse.h (reg = destination, rm = source
 * register or UOP_NOREG for the EA, opsz2 = memory operand size, cc = SV_*
 * bits, imm = imm8), with aux = an FPK_* operation kind plus the FPA_*
 * shape bits below.
 */
#ifndef SATORI_OPS_SSE_FP_H
#define SATORI_OPS_SSE_FP_H

#include "cpu/ops-sse.h"
#include "cpu/softfloat.h"

/* MXCSR fields (SDM vol. 1, 10.2.3) */
#define MXCSR_FLAGS 0x003fu     /* IE DE ZE OE UE PE */
#define MXCSR_DAZ   0x0040u
#define MXCSR_MASKS 0x1f80u     /* IM DM ZM OM UM PM */
#define MXCSR_RC    0x6000u
#define MXCSR_FZ    0x8000u
#define MXCSR_RESET 0x1f80u
/* LDMXCSR/FXRSTOR accept the bits of MXCSR_MASK (cpu-internal.h: all 16,
 * DAZ included); bits 31:16 are reserved (#GP(0)). */

#define SF_PRE  (SF_IE | SF_DE | SF_ZE)
#define SF_POST (SF_OE | SF_UE | SF_PE)

/* exceptions gathered over the lanes of one instruction */
struct fp_exc {
    uint8_t pre, post;
};

static inline void fp_exc_add(struct fp_exc *x, const struct sf_status *st)
{
    x->pre |= st->flags & SF_PRE;
    x->post |= st->flags & SF_POST;
}

/* operation kinds (u->aux bits 0-7 in ops-sse-fp.c) */
enum {
    FPK_ADD, FPK_SUB, FPK_MUL, FPK_DIV, FPK_MIN, FPK_MAX, FPK_SQRT,
    FPK_RCP, FPK_RSQRT, FPK_CMP, FPK_ROUND,
    FPK_ADDSUB, FPK_HADD, FPK_HSUB,
    FPK_CVT,    /* binary64 -> binary32 (ops-sse-cvt.c) */
};

/*
 * After an arithmetic lane (FPK_ADD..FPK_SQRT, FPK_CVT) that raised an
 * unmasked OE or UE: no result is delivered, and PE then reports whether
 * the result rounded with an unbounded exponent is inexact (not the
 * inexactness of the overflowed or denormalised value softfloat rounded).
 */
void fp_unmasked_pe(unsigned kind, bool dbl, uint64_t a, uint64_t b, struct sf_status *st);

/*
 * Apply the gathered exceptions: set the MXCSR flags and, if one is
 * unmasked, raise #XM or #UD (does not return).  Call after every lane is
 * computed and before anything is written.
 */
void sse_fp_finish(struct cpu *cpu, const struct fp_exc *x);

/* A fresh status for one lane from MXCSR. */
static inline void fp_status(const struct cpu *cpu, struct sf_status *st)
{
    sf_status_sse(st, cpu->fpu.mxcsr);
}

/* ops-sse-cvt.c */
void tr_sse_cvt(struct tr_ctx *tc, const struct insn *in);

#endif
