/*
 * SSE floating-point templates of the differential test (difftest -S),
 * included by tests/difftest.c (it uses that file's generator state,
 * random source and guest set-up).
 *
 * A case is a short sequence of SSE/SSE2/SSE3/SSE4.1 floating-point
 * instructions (arithmetic, compares, MIN/MAX, SQRT, conversions in every
 * operand form including MMX and general registers, ADDSUB/HADD/HSUB,
 * ROUND*, DPPS/DPPD, COMIS*, and LDMXCSR/STMXCSR switching the mode or
 * saving it mid-sequence) between a prologue that loads all 16 XMM
 * registers, the 8 MMX registers and MXCSR from the data buffer and an
 * epilogue that stores them back (then MXCSR 0x1f80 and EMMS).  Operands
 * are biased to zeros, infinities, NaNs with payloads, denormals, boundary
 * exponents and integer-conversion edges; MXCSR takes every rounding mode,
 * DAZ/FTZ, and in a third of the cases some unmasked exceptions.  The data
 * buffer (XMM, MMX, MXCSR, memory operands, exception marker), the GPRs and
 * the flags are compared.
 *
 * Unmasked exceptions: natively the kernel delivers #XM as SIGFPE (and
 * LDMXCSR's #GP for a reserved bit as SIGSEGV), on an alternate stack; the
 * handler records vector 19 (13) and resumes at the epilogue.  In satori every vector's IDT entry stores its number and
 * jumps to the same epilogue.  So a case also checks that the faulting
 * instruction left its destination alone and which MXCSR flags it set.
 *
 * RCPPS/RCPSS/RSQRTPS/RSQRTSS: their bits are implementation-specific, so
 * they run alone in a case and their result lanes are checked against the
 * architectural bound (relative error <= 1.5 * 2^-12 of the exact value),
 * the special cases (NaN, zero, infinity, flushed tiny results) exactly.
 *
 * Debugging aids (environment): SX_ONE=1 makes every case one instruction;
 * SX_TRACE=1 prints each case's native exception vector and final MXCSR.
 */

#include <math.h>
#include <ucontext.h>

#include "cpu/ops-sse-fp.h"

/* layout of the start of the data buffer (offsets from DATA_VA) */
#define SX_XMM      0x000   /* 16 x 16 bytes */
#define SX_MXCSR_IN 0x100
#define SX_MXCSR    0x104   /* MXCSR after the sequence */
#define SX_RESET    0x108   /* 0x1f80, loaded at the end */
#define SX_VECTOR   0x10c   /* exception taken (0: none) */
#define SX_MMX      0x110   /* 8 x 8 bytes */
#define SX_LDSLOT   0x150   /* 4 MXCSR values for LDMXCSR in the sequence */
#define SX_STSLOT   0x160   /* 4 slots STMXCSR in the sequence writes */
#define SX_END      0x170

/* code layout: jmp to the prologue at 0, exception stubs, then the body */
#define SX_STUBS    0x10
#define SX_STUB_LEN 32
#define SX_BODY     (SX_STUBS + 32 * SX_STUB_LEN)
#define SX_IDT      0x6000ull  /* guest physical: IDT and GDT */
#define SX_GDT      0x5000ull

enum { SX_N, SX_X, SX_MM, SX_G };      /* operand kinds */
#define SXF_W      1u      /* REX.W chosen at random (GPR operand size) */
#define SXF_APPROX 2u      /* RCP/RSQRT: bound check */
#define SXF_IMM    4u      /* imm8 */
#define SXF_PS     8u      /* APPROX: 4 lanes (else the low one) */

struct sxt {
    const char *name;
    uint8_t pfx;        /* 0, 0x66, 0xf3, 0xf2 */
    uint8_t map;        /* 1 = 0F, 3 = 0F 3A */
    uint8_t op;
    uint8_t dst, src;   /* SX_*: ModRM.reg and ModRM.rm kinds */
    uint8_t msize;      /* memory form's operand size (0: none) */
    uint8_t flags;
    uint8_t ext;        /* enum dt_ext */
};

static struct sxt sxts[128];
static unsigned nsxts;
static unsigned sx_epilogue;            /* offset of the epilogue in the code */
static unsigned sx_tests;               /* offset of the first tested instruction */
static unsigned long sx_tested;         /* tested instructions generated */
static unsigned long sx_xm_cases;       /* cases that ended in #XM natively */
static unsigned long sx_gp_cases;       /* ... in #GP (LDMXCSR, reserved bit) */
static unsigned long sx_approx_cases;
static bool sx_has_approx;              /* RCP/RSQRT among the templates (-E) */
/* the tested instructions of the current case: code offset and extension,
 * and the offset of the one that faulted natively (counting what ran) */
struct sx_ran { uint16_t off; uint8_t ext; };
static struct sx_ran sx_case[64];
static unsigned sx_ncase;
static unsigned sx_fault_off;

static void sx_add(const char *name, uint8_t pfx, uint8_t map, uint8_t op, uint8_t dst,
                   uint8_t src, uint8_t msize, uint8_t flags)
{
    if (nsxts < sizeof sxts / sizeof sxts[0])
        sxts[nsxts++] = (struct sxt){ name, pfx, map, op, dst, src, msize, flags, 0 };
}

/* The extension of an SSE floating-point form (SDM: each one's CPUID flag). */
static uint8_t sx_ext(const struct sxt *t)
{
    if (t->map == 3)
        return DT_SSE41;                        /* ROUND*, DPPS/DPPD */
    if (t->op == 0xd0 || t->op == 0x7c || t->op == 0x7d)
        return DT_SSE3;                         /* ADDSUB, HADD, HSUB */
    return t->pfx == 0 || t->pfx == 0xf3 ? DT_SSE : DT_SSE2;
}

/* Tag each template with its extension; -E: keep only that extension's. */
static void sx_select(int only_ext)
{
    unsigned n = 0;

    for (unsigned i = 0; i < nsxts; i++) {
        sxts[i].ext = sx_ext(&sxts[i]);
        if (only_ext < 0 || sxts[i].ext == only_ext)
            sxts[n++] = sxts[i];
    }
    nsxts = n;
    for (unsigned i = 0; i < nsxts; i++)
        sx_has_approx |= (sxts[i].flags & SXF_APPROX) != 0;
}

static void sx_note(unsigned at, uint8_t ext)
{
    if (sx_ncase < sizeof sx_case / sizeof sx_case[0])
        sx_case[sx_ncase++] = (struct sx_ran){ (uint16_t)at, ext };
}

/* After the native run: count the tested instructions that ran (up to and
 * including the one that raised an exception). */
static void sx_count(void)
{
    for (unsigned i = 0; i < sx_ncase; i++)
        if (sx_case[i].off <= sx_fault_off)
            dt_ext_executed[sx_case[i].ext]++;
}

static void sx_build(void)
{
    static const struct { const char *n; uint8_t op; } fp4[] = {
        { "add", 0x58 }, { "mul", 0x59 }, { "sub", 0x5c }, { "min", 0x5d },
        { "div", 0x5e }, { "max", 0x5f }, { "sqrt", 0x51 }, { "cmp", 0xc2 },
    };
    for (unsigned i = 0; i < sizeof fp4 / sizeof fp4[0]; i++) {
        uint8_t f = fp4[i].op == 0xc2 ? SXF_IMM : 0;
        sx_add(fp4[i].n, 0, 1, fp4[i].op, SX_X, SX_X, 16, f);
        sx_add(fp4[i].n, 0x66, 1, fp4[i].op, SX_X, SX_X, 16, f);
        sx_add(fp4[i].n, 0xf3, 1, fp4[i].op, SX_X, SX_X, 4, f);
        sx_add(fp4[i].n, 0xf2, 1, fp4[i].op, SX_X, SX_X, 8, f);
    }
    sx_add("rsqrtps", 0, 1, 0x52, SX_X, SX_X, 16, SXF_APPROX | SXF_PS);
    sx_add("rsqrtss", 0xf3, 1, 0x52, SX_X, SX_X, 4, SXF_APPROX);
    sx_add("rcpps", 0, 1, 0x53, SX_X, SX_X, 16, SXF_APPROX | SXF_PS);
    sx_add("rcpss", 0xf3, 1, 0x53, SX_X, SX_X, 4, SXF_APPROX);
    sx_add("ucomiss", 0, 1, 0x2e, SX_N, SX_X, 4, 0);
    sx_add("ucomisd", 0x66, 1, 0x2e, SX_N, SX_X, 8, 0);
    sx_add("comiss", 0, 1, 0x2f, SX_N, SX_X, 4, 0);
    sx_add("comisd", 0x66, 1, 0x2f, SX_N, SX_X, 8, 0);
    sx_add("cvtpi2ps", 0, 1, 0x2a, SX_X, SX_MM, 8, 0);
    sx_add("cvtpi2pd", 0x66, 1, 0x2a, SX_X, SX_MM, 8, 0);
    sx_add("cvtsi2ss", 0xf3, 1, 0x2a, SX_X, SX_G, 4, SXF_W);
    sx_add("cvtsi2sd", 0xf2, 1, 0x2a, SX_X, SX_G, 4, SXF_W);
    for (uint8_t op = 0x2c; op <= 0x2d; op++) {
        sx_add("cvt(t)ps2pi", 0, 1, op, SX_MM, SX_X, 8, 0);
        sx_add("cvt(t)pd2pi", 0x66, 1, op, SX_MM, SX_X, 16, 0);
        sx_add("cvt(t)ss2si", 0xf3, 1, op, SX_G, SX_X, 4, SXF_W);
        sx_add("cvt(t)sd2si", 0xf2, 1, op, SX_G, SX_X, 8, SXF_W);
    }
    sx_add("cvtps2pd", 0, 1, 0x5a, SX_X, SX_X, 8, 0);
    sx_add("cvtpd2ps", 0x66, 1, 0x5a, SX_X, SX_X, 16, 0);
    sx_add("cvtss2sd", 0xf3, 1, 0x5a, SX_X, SX_X, 4, 0);
    sx_add("cvtsd2ss", 0xf2, 1, 0x5a, SX_X, SX_X, 8, 0);
    sx_add("cvtdq2ps", 0, 1, 0x5b, SX_X, SX_X, 16, 0);
    sx_add("cvtps2dq", 0x66, 1, 0x5b, SX_X, SX_X, 16, 0);
    sx_add("cvttps2dq", 0xf3, 1, 0x5b, SX_X, SX_X, 16, 0);
    sx_add("cvttpd2dq", 0x66, 1, 0xe6, SX_X, SX_X, 16, 0);
    sx_add("cvtdq2pd", 0xf3, 1, 0xe6, SX_X, SX_X, 8, 0);
    sx_add("cvtpd2dq", 0xf2, 1, 0xe6, SX_X, SX_X, 16, 0);
    sx_add("addsubpd", 0x66, 1, 0xd0, SX_X, SX_X, 16, 0);
    sx_add("addsubps", 0xf2, 1, 0xd0, SX_X, SX_X, 16, 0);
    sx_add("haddpd", 0x66, 1, 0x7c, SX_X, SX_X, 16, 0);
    sx_add("haddps", 0xf2, 1, 0x7c, SX_X, SX_X, 16, 0);
    sx_add("hsubpd", 0x66, 1, 0x7d, SX_X, SX_X, 16, 0);
    sx_add("hsubps", 0xf2, 1, 0x7d, SX_X, SX_X, 16, 0);
    sx_add("roundps", 0x66, 3, 0x08, SX_X, SX_X, 16, SXF_IMM);
    sx_add("roundpd", 0x66, 3, 0x09, SX_X, SX_X, 16, SXF_IMM);
    sx_add("roundss", 0x66, 3, 0x0a, SX_X, SX_X, 4, SXF_IMM);
    sx_add("roundsd", 0x66, 3, 0x0b, SX_X, SX_X, 8, SXF_IMM);
    sx_add("dpps", 0x66, 3, 0x40, SX_X, SX_X, 16, SXF_IMM);
    sx_add("dppd", 0x66, 3, 0x41, SX_X, SX_X, 16, SXF_IMM);
}

/* ---- operands ---- */

static uint32_t sx_f32(void)
{
    uint32_t s = (uint32_t)(rnd() & 1) << 31, frac = (uint32_t)rnd() & 0x7fffff;

    switch (rnd() % 16) {
    case 0: return s;                                           /* zero */
    case 1: return s | 0x7f800000u;                             /* infinity */
    case 2: return s | 0x7fc00000u | (frac & 0x3fffff);         /* QNaN */
    case 3: return s | 0x7f800000u | (frac & 0x3fffff) | 1;     /* SNaN */
    case 4: case 5: return s | (frac ? frac : 1);               /* denormal */
    case 6: return s | 0x00800000u | (frac & 0xff);             /* smallest normals */
    case 7: return s | 0x7f7fff00u | (frac & 0xff);             /* largest finite */
    case 8: {   /* integer-conversion edges (one rnd() per statement: same cases on any compiler) */
        uint32_t e = (uint32_t)(127 + 29 + rnd() % 36) << 23;
        return s | e | (frac & 0xffu << (rnd() % 16));
    }
    case 9: return s | ((uint32_t)(1 + rnd() % 24) << 23) | frac;  /* tiny products */
    case 10: return s | ((uint32_t)(230 + rnd() % 24) << 23) | frac; /* huge products */
    case 11: return s | 0x3f800000u | (frac & 0xf);             /* near 1 */
    case 12: return s | ((uint32_t)(127 + rnd() % 24) << 23) | (frac & ~0x3fu); /* .5 edges */
    default: return s | ((uint32_t)(rnd() % 255) << 23) | frac;
    }
}

static uint64_t sx_f64(void)
{
    uint64_t s = (rnd() & 1) << 63, frac = rnd() & 0xfffffffffffffull;

    switch (rnd() % 16) {
    case 0: return s;
    case 1: return s | 0x7ff0000000000000ull;
    case 2: return s | 0x7ff8000000000000ull | (frac & 0x7ffffffffffffull);
    case 3: return s | 0x7ff0000000000000ull | (frac & 0x7ffffffffffffull) | 1;
    case 4: case 5: return s | (frac ? frac : 1);
    case 6: return s | 0x0010000000000000ull | (frac & 0xff);
    case 7: return s | 0x7fefffffffffff00ull | (frac & 0xff);
    case 8: {
        uint64_t e = (1023 + 29 + rnd() % 36) << 52;
        return s | e | (frac & (0xffffull << (rnd() % 40)));
    }
    case 9: return s | ((1 + rnd() % 60) << 52) | frac;
    case 10: return s | ((1990 + rnd() % 56) << 52) | frac;
    case 11: return s | 0x3ff0000000000000ull | (frac & 0xf);
    case 12: return s | ((1023 + rnd() % 53) << 52) | (frac & ~0xfffull);
    /* binary32 edges as binary64 (CVTSD2SS overflow, underflow, denormals) */
    case 13: return s | ((1023 - 150 + rnd() % 30) << 52) | frac;
    case 14: return s | ((1023 + 120 + rnd() % 16) << 52) | frac;
    default: return s | ((rnd() % 2047) << 52) | frac;
    }
}

/* a 64-bit lane: one binary64, or two binary32, or two int32 edges */
static uint64_t sx_lane(void)
{
    switch (rnd() % 5) {
    case 0: case 1: return sx_f64();
    case 2: case 3: {
        uint64_t lo = sx_f32();
        return lo | (uint64_t)sx_f32() << 32;
    }
    default: return rnd_value();
    }
}

static uint32_t sx_mxcsr(void)
{
    uint32_t m = (uint32_t)(rnd() % 4) << 13;

    if (rnd() % 4 == 0)
        m |= MXCSR_DAZ;
    if (rnd() % 4 == 0)
        m |= MXCSR_FZ;
    m |= rnd() % 3 ? MXCSR_MASKS : ((uint32_t)rnd() & MXCSR_MASKS);
    if (rnd() % 4 == 0)
        m |= (uint32_t)rnd() & MXCSR_FLAGS;
    return m;
}

/* ---- code ---- */

static void sx_abs(struct gen *g, const uint8_t *op, unsigned n, unsigned reg, uint32_t off)
{
    uint8_t m[2] = { (uint8_t)(0x04 | ((reg & 7) << 3)), 0x25 };
    uint32_t a = (uint32_t)(DATA_VA + off);

    emit(g, op, n);
    emit(g, m, 2);
    emit(g, &a, 4);
    g->ninsns++;
}

/* movdqu xmm<->[abs], movq mm<->[abs] for all registers */
static void sx_xfer(struct gen *g, bool store)
{
    for (unsigned r = 0; r < 16; r++) {
        uint8_t op[4] = { 0xf3, 0x44, 0x0f, store ? 0x7f : 0x6f };
        if (r < 8)
            sx_abs(g, (uint8_t[]){ 0xf3, 0x0f, op[3] }, 3, r, SX_XMM + 16 * r);
        else
            sx_abs(g, op, 4, r, SX_XMM + 16 * r);
    }
    for (unsigned r = 0; r < 8; r++)
        sx_abs(g, (uint8_t[]){ 0x0f, store ? 0x7f : 0x6f }, 2, r, SX_MMX + 8 * r);
}

static unsigned sx_gpr(void)
{
    unsigned r;

    do
        r = (unsigned)(rnd() % 16);
    while (r == 3 || r == 4);
    return r;
}

struct sx_approx {
    bool on;
    bool ps, rsqrt;
    unsigned dst;
    uint32_t src_off;   /* data-buffer offset of the source lanes */
};

static void sx_emit(struct gen *g, const struct sxt *t, struct sx_approx *ap)
{
    bool mem = t->msize && rnd() % 3 == 0;
    bool w = (t->flags & SXF_W) && (rnd() & 1);
    unsigned reg, rm;
    int disp = 16 * (int)(rnd() % 16) - 128;
    uint8_t b[16];
    unsigned n = 0;

    reg = t->dst == SX_MM ? (unsigned)(rnd() % 8) : t->dst == SX_G ? sx_gpr()
                                                                  : (unsigned)(rnd() % 16);
    rm = t->src == SX_MM ? (unsigned)(rnd() % 8) : t->src == SX_G ? sx_gpr()
                                                                 : (unsigned)(rnd() % 16);
    if (t->pfx)
        b[n++] = t->pfx;
    uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | (t->dst != SX_MM && (reg & 8) ? 4 : 0)
                            | (!mem && t->src != SX_MM && (rm & 8) ? 1 : 0));
    if (rex != 0x40)
        b[n++] = rex;
    b[n++] = 0x0f;
    if (t->map == 3)
        b[n++] = 0x3a;
    b[n++] = t->op;
    if (mem) {
        b[n++] = (uint8_t)(0x43 | ((reg & 7) << 3));
        b[n++] = (uint8_t)(int8_t)disp;
    } else {
        b[n++] = (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7));
    }
    if (t->flags & SXF_IMM)
        b[n++] = (uint8_t)rnd();
    sx_note(g->len, t->ext);
    emit(g, b, n);
    g->ninsns++;
    sx_tested++;
    if (ap) {
        ap->on = true;
        ap->ps = t->flags & SXF_PS;
        ap->rsqrt = t->op == 0x52;
        ap->dst = reg;
        ap->src_off = mem ? (uint32_t)(0x800 + disp) : SX_XMM + 16 * rm;
    }
}

/* Generate one case into g and its input data; returns the approximation
 * to check, if the case is one. */
static struct sx_approx sx_gen_case(struct gen *g, uint8_t *data)
{
    struct sx_approx ap = { .on = false };
    uint32_t mx = sx_mxcsr(), reset = MXCSR_RESET;

    for (unsigned off = 0; off < DATA_SIZE; off += 8) {
        uint64_t v = sx_lane();
        memcpy(data + off, &v, 8);
    }
    memcpy(data + SX_MXCSR_IN, &mx, 4);
    for (unsigned k = 0; k < 4; k++) {
        uint32_t v = sx_mxcsr();
        /* a reserved bit: #GP(0); not bits 16-17, which AMD hosts with
         * misaligned-SSE support accept (MXCSR.MM is bit 17) */
        if (rnd() % 8 == 0)
            v |= 1u << (18 + rnd() % 14);
        memcpy(data + SX_LDSLOT + 4 * k, &v, 4);
    }
    memset(data + SX_STSLOT, 0, 16);
    memset(data + SX_MXCSR, 0, 4);
    memcpy(data + SX_RESET, &reset, 4);
    memset(data + SX_VECTOR, 0, 4);

    /* jmp to the body; the exception stubs (vector v: marker, drop the
     * frame, jmp to the epilogue, patched below) */
    g->len = 0;
    emit(g, "\xe9", 1);
    emit_imm(g, SX_BODY - 5, 4);
    g->ninsns = 1;
    memset(g->code + g->len, 0xcc, SX_BODY - g->len);
    for (unsigned v = 0; v < 32; v++) {
        bool err = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
        g->len = SX_STUBS + v * SX_STUB_LEN;
        emit(g, "\xc7\x04\x25", 3);                     /* mov dword [abs], v */
        emit_imm(g, DATA_VA + SX_VECTOR, 4);
        emit_imm(g, v, 4);
        emit(g, err ? "\x48\x8d\x64\x24\x30" : "\x48\x8d\x64\x24\x28", 5); /* lea rsp */
        emit(g, "\xe9\0\0\0\0", 5);                     /* jmp epilogue */
    }
    g->len = SX_BODY;
    sx_xfer(g, false);
    sx_abs(g, (const uint8_t *)"\x0f\xae", 2, 2, SX_MXCSR_IN);     /* ldmxcsr */
    unsigned start = g->ninsns;
    sx_tests = g->len;
    sx_ncase = 0;
    sx_fault_off = ~0u;
    if (sx_has_approx && rnd() % 6 == 0) {
        struct sxt *t;
        do
            t = &sxts[rnd() % nsxts];
        while (!(t->flags & SXF_APPROX));
        sx_emit(g, t, &ap);
    } else {
        unsigned k = getenv("SX_ONE") ? 1 : 1 + (unsigned)(rnd() % 6);
        while (g->ninsns - start < k) {
            const struct sxt *t = &sxts[rnd() % nsxts];
            if (rnd() % 10 == 0) {
                /* LDMXCSR (new mode, maybe #GP) or STMXCSR mid-sequence */
                bool ld = rnd() & 1;
                sx_note(g->len, DT_SSE);
                sx_abs(g, (const uint8_t *)"\x0f\xae", 2, ld ? 2 : 3,
                       (ld ? SX_LDSLOT : SX_STSLOT) + 4 * (uint32_t)(rnd() % 4));
                sx_tested++;
            } else if (!(t->flags & SXF_APPROX)) {
                sx_emit(g, t, NULL);
            }
        }
    }
    sx_epilogue = g->len;
    sx_abs(g, (const uint8_t *)"\x0f\xae", 2, 3, SX_MXCSR);        /* stmxcsr */
    sx_xfer(g, true);
    sx_abs(g, (const uint8_t *)"\x0f\xae", 2, 2, SX_RESET);
    emit(g, "\x0f\x77", 2);                                         /* emms */
    g->ninsns++;
    for (unsigned v = 0; v < 32; v++) {
        unsigned at = SX_STUBS + v * SX_STUB_LEN + 11 + 5;   /* the jmp */
        int32_t rel = (int32_t)sx_epilogue - (int32_t)(at + 5);
        memcpy(g->code + at + 1, &rel, 4);
    }
    g->undef = 0;
    return ap;
}

/* ---- native exceptions ---- */

/* SIGFPE (#XM) and SIGSEGV (#GP from LDMXCSR) in the generated code:
 * note the vector and resume at the epilogue; elsewhere a harness bug. */
static void sx_signal(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];

    (void)si;
    if (rip < CODE_VA || rip >= CODE_VA + CODE_SIZE) {
        signal(sig, SIG_DFL);
        return;                 /* the fault repeats, now fatal */
    }
    *(volatile uint32_t *)(uintptr_t)(DATA_VA + SX_VECTOR) = sig == SIGFPE ? EXC_XM : EXC_GP;
    sx_fault_off = (unsigned)(rip - CODE_VA);
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(CODE_VA + sx_epilogue);
}

static void sx_init(struct guest *gu, int only_ext)
{
    static uint8_t altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    struct sigaction sa;

    sx_build();
    sx_select(only_ext);
    if (!nsxts) {
        fprintf(stderr, "difftest: -S -E %s: no SSE floating-point forms of that extension\n",
                dt_ext_names[only_ext]);
        exit(2);
    }
    if (sigaltstack(&ss, NULL) < 0) {
        perror("difftest: sigaltstack");
        exit(1);
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = sx_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);

    /* guest GDT (flat 64-bit code, data) and an IDT whose vector v runs stub v */
    uint64_t gdt[3] = { 0, 0x00af9a000000ffffull, 0x00cf92000000ffffull };
    memcpy(gu->ram + SX_GDT, gdt, sizeof gdt);
    for (unsigned v = 0; v < 32; v++) {
        uint64_t h = CODE_VA + SX_STUBS + v * SX_STUB_LEN;
        uint64_t lo = (h & 0xffff) | (0x8ull << 16) | (0x8eull << 40) | ((h >> 16 & 0xffff) << 48);
        memcpy(gu->ram + SX_IDT + 16 * v, &lo, 8);
        uint64_t hi = h >> 32;
        memcpy(gu->ram + SX_IDT + 16 * v + 8, &hi, 8);
    }
}

/* CPU state for these cases: SSE enabled, #XM on, the tables above. */
static void sx_enter(struct cpu *cpu)
{
    cpu->cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    cpu->cr0 |= CR0_MP;
    cpu->gdtr.base = SX_GDT;
    cpu->gdtr.limit = 23;
    cpu->idtr.base = SX_IDT;
    cpu->idtr.limit = 32 * 16 - 1;
    cpu_update_hflags(cpu);
}

/* ---- comparison of RCP/RSQRT lanes ---- */

static float sx_as_f(uint32_t v)
{
    float f;
    memcpy(&f, &v, 4);
    return f;
}

/* Is `emu` an acceptable approximation where the host gave `nat`? */
static bool sx_approx_ok(uint32_t src, uint32_t nat, uint32_t emu, bool rsqrt)
{
    float x = sx_as_f(src), n = sx_as_f(nat), e = sx_as_f(emu);

    if (nat == emu)
        return true;
    if (isnan(n) || isinf(n) || isnan(e) || isinf(e))
        return false;
    if (n == 0 || e == 0)       /* the implementation-defined tiny band */
        return fabsf(n) < 0x1p-125f && fabsf(e) < 0x1p-125f && signbit(n) == signbit(e);
    double exact = rsqrt ? 1.0 / sqrt((double)x) : 1.0 / (double)x;
    return fabs((double)e - exact) <= 1.5 * 0x1p-12 * fabs(exact);
}

/* Check the approximated lanes, then make them equal so the caller's
 * byte comparison covers the rest.  False on a bad lane. */
static bool sx_check_approx(const struct sx_approx *ap, const uint8_t *in, const uint8_t *nat,
                            uint8_t *emu)
{
    bool ok = true;

    sx_approx_cases++;
    for (unsigned i = 0; i < (ap->ps ? 4u : 1u); i++) {
        uint32_t s, n, e;
        unsigned off = SX_XMM + 16 * ap->dst + 4 * i;
        memcpy(&s, in + ap->src_off + 4 * i, 4);
        memcpy(&n, nat + off, 4);
        memcpy(&e, emu + off, 4);
        if (!sx_approx_ok(s, n, e, ap->rsqrt)) {
            fprintf(stderr, "  %s lane %u: source %08x native %08x satori %08x\n",
                    ap->rsqrt ? "rsqrt" : "rcp", i, s, n, e);
            ok = false;
        }
        memcpy(emu + off, &n, 4);
    }
    return ok;
}

/* On a mismatch: the tested instructions and the differing words. */
static void sx_dump(const struct gen *g, const uint8_t *in, const uint8_t *nat, const uint8_t *emu)
{
    unsigned shown = 0;

    fprintf(stderr, "  tested code:");
    for (unsigned i = sx_tests; i < sx_epilogue; i++)
        fprintf(stderr, " %02x", g->code[i]);
    fprintf(stderr, "\n  mxcsr in %08x\n", *(const uint32_t *)(in + SX_MXCSR_IN));
    for (unsigned off = 0; off < DATA_SIZE && shown < 12; off += 4) {
        uint32_t a, n, e;
        memcpy(&a, in + off, 4);
        memcpy(&n, nat + off, 4);
        memcpy(&e, emu + off, 4);
        if (n == e)
            continue;
        const char *what = off < SX_MXCSR_IN ? "xmm" : off == SX_MXCSR ? "mxcsr"
                           : off == SX_VECTOR ? "vector" : off >= SX_MMX && off < SX_LDSLOT ? "mmx"
                           : off >= SX_LDSLOT && off < SX_END ? "mxslot"
                           : "memory";
        fprintf(stderr, "  %-6s +%03x: in %08x native %08x satori %08x\n", what, off, a, n, e);
        shown++;
    }
}

static void sx_tally(const uint8_t *nat)
{
    uint32_t v;

    memcpy(&v, nat + SX_VECTOR, 4);
    sx_xm_cases += v == EXC_XM;
    sx_gp_cases += v == EXC_GP;
    if (getenv("SX_TRACE"))
        fprintf(stderr, "case vector %u mxcsr %08x\n", v, *(const uint32_t *)(nat + SX_MXCSR));
}

static void sx_report(void)
{
    printf("difftest: SSE: %lu floating-point instructions generated, %lu cases ended in #XM, "
           "%lu in #GP (LDMXCSR), %lu RCP/RSQRT cases checked against the 1.5*2^-12 bound\n",
           sx_tested, sx_xm_cases, sx_gp_cases, sx_approx_cases);
}
