/*
 * tests/difftest-x87.c: the x87 cases of the host differential test
 * (difftest -x, and -X with the transcendentals).
 *
 * A case is: FNINIT; FLDCW with a random control word (every rounding and
 * precision mode, exceptions masked: an unmasked one would trap the
 * native run); up to eight loads of random extended values (and FFREE
 * holes, so stack faults happen); then random x87 instructions in every
 * operand form, with operands biased toward zeros, denormals,
 * infinities, NaNs with payloads, unsupported encodings and the edges of
 * every format; finally FNSAVE into the data buffer (control, status and
 * full tag word, all eight registers) with its pointer fields (FIP, FCS,
 * FOP, FDP, FDS) cleared, as their contents differ between host and guest
 * segments.  difftest.c then compares the data buffer (FNSAVE image and
 * every stored operand), the GPRs (FNSTSW AX) and EFLAGS (FCOMI).
 *
 * With the transcendentals (-X) each case ends with one of them, loaded
 * with an in-domain operand, right before the FNSAVE: the host's microcode
 * is not correctly rounded, so its result may be an ulp from satori's,
 * and nothing after it may magnify that.  x87_results_close() is the one
 * difference such a case may show.
 *
 * Layout relative to RBX (= data + 0x800): operand slots of 16 bytes from
 * -0x800, store slots from -0x300, the FNSAVE image at 0, control words
 * at +0x100.
 */
#include "tests/difftest-x87.h"

#include <string.h>

#define SLOT(n) (-0x800 + 16 * (n))
#define STORE(n) (-0x300 + 16 * (n))
#define CW_AT 0x100

enum slot_kind { K_X80, K_F32, K_F64, K_INT, K_BCD, K_SMALL, K_TRIG };
static const struct { uint8_t first, count; } kinds[] = {
    [K_X80] = { 0, 24 }, [K_F32] = { 24, 10 }, [K_F64] = { 34, 10 }, [K_INT] = { 44, 8 },
    [K_BCD] = { 52, 4 }, [K_SMALL] = { 56, 4 }, [K_TRIG] = { 60, 4 },
};

static uint64_t (*rng)(void);

static uint64_t frac_bits(int bits)
{
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    switch (rng() % 8) {
    case 0: return 0;
    case 1: return 1ull << (rng() % bits);
    case 2: return mask;
    case 3: return (1ull << (bits - 1)) | (rng() & mask >> 4);
    case 4: return rng() & 0xff;
    default: return rng() & mask;
    }
}

static uint32_t exp_bits(int bits)
{
    uint32_t max = (1u << bits) - 1, bias = max >> 1;
    switch (rng() % 10) {
    case 0: return 0;
    case 1: return 1;
    case 2: return max;
    case 3: return max - 1;
    case 4: return bias + (uint32_t)(rng() % 9) - 4;
    case 5: return bias + (uint32_t)(rng() % 130) - 65;
    case 6: return (uint32_t)(rng() % 70);
    default: return (uint32_t)(rng() % max);
    }
}

static void put(uint8_t *data, int off, const void *p, unsigned n)
{
    memcpy(data + 0x800 + off, p, n);
}

static void fill_slot(uint8_t *data, unsigned n, int kind)
{
    uint8_t b[16] = { 0 };
    uint64_t sig;
    uint16_t se;
    switch (kind) {
    case K_X80: {
        uint32_t e = exp_bits(15);
        sig = frac_bits(63) | (e ? 1ull << 63 : 0);
        if (rng() % 30 == 0)
            sig ^= 1ull << 63;          /* unnormals, pseudo-NaN/infinity, pseudo-denormals */
        se = (uint16_t)(e | (rng() & 1) << 15);
        memcpy(b, &sig, 8);
        memcpy(b + 8, &se, 2);
        break;
    }
    case K_F32: {
        uint32_t v = (uint32_t)(rng() & 1) << 31 | exp_bits(8) << 23 | (uint32_t)frac_bits(23);
        memcpy(b, &v, 4);
        break;
    }
    case K_F64: {
        uint64_t v = (rng() & 1) << 63 | (uint64_t)exp_bits(11) << 52 | frac_bits(52);
        memcpy(b, &v, 8);
        break;
    }
    case K_INT: {
        uint64_t v = rng() >> (rng() % 64);
        if (rng() & 1)
            v = 0 - v;
        memcpy(b, &v, 8);
        break;
    }
    case K_BCD:
        for (int i = 0; i < 9; i++)
            b[i] = (uint8_t)((rng() % 10) | (rng() % 10) << 4);
        b[9] = (uint8_t)((rng() & 1) << 7);
        break;
    case K_SMALL:   /* |x| < 0.25: F2XM1 and FYL2XP1 domain */
    default: {      /* K_TRIG: |x| < 2^40 */
        uint32_t e = kind == K_SMALL ? 0x3fff - 3 - (uint32_t)(rng() % 40)
                                     : 0x3fff - 20 + (uint32_t)(rng() % 60);
        sig = rng() | 1ull << 63;
        se = (uint16_t)(e | (rng() & 1) << 15);
        memcpy(b, &sig, 8);
        memcpy(b + 8, &se, 2);
        break;
    }
    }
    put(data, SLOT(n), b, 16);
}

static uint8_t *out;
static unsigned outlen;

static void emit(const uint8_t *p, unsigned n)
{
    memcpy(out + outlen, p, n);
    outlen += n;
}

/* op [rbx + disp32] with ModRM.reg = digit */
static void emit_mem(uint8_t opc, unsigned digit, int disp)
{
    uint8_t b[6] = { opc, (uint8_t)(0x80 | digit << 3 | 3) };
    memcpy(b + 2, &disp, 4);
    emit(b, 6);
}

static void emit2(uint8_t a, uint8_t b)
{
    uint8_t c[2] = { a, b };
    emit(c, 2);
}

static int slot_of(int kind)
{
    return SLOT(kinds[kind].first + (int)(rng() % kinds[kind].count));
}

static unsigned sti(void)
{
    return (unsigned)(rng() % 8);
}

/* one random instruction (or short sequence); returns instructions emitted */
static unsigned emit_random(void)
{
    unsigned d = (unsigned)(rng() % 8);
    switch (rng() % 24) {
    case 0: emit_mem(0xd8, d, slot_of(K_F32)); return 1;          /* op m32real */
    case 1: emit_mem(0xdc, d, slot_of(K_F64)); return 1;          /* op m64real */
    case 2: emit_mem(0xda, d, slot_of(K_INT)); return 1;          /* op m32int */
    case 3: emit_mem(0xde, d, slot_of(K_INT)); return 1;          /* op m16int */
    case 4:                                                        /* loads */
        switch (rng() % 7) {
        case 0: emit_mem(0xd9, 0, slot_of(K_F32)); break;
        case 1: emit_mem(0xdd, 0, slot_of(K_F64)); break;
        case 2: emit_mem(0xdb, 5, slot_of(K_X80)); break;
        case 3: emit_mem(0xdb, 0, slot_of(K_INT)); break;
        case 4: emit_mem(0xdf, 0, slot_of(K_INT)); break;
        case 5: emit_mem(0xdf, 5, slot_of(K_INT)); break;
        default: emit_mem(0xdf, 4, slot_of(K_BCD)); break;
        }
        return 1;
    case 5: {                                                      /* stores */
        static const uint8_t st[][2] = {
            { 0xd9, 2 }, { 0xd9, 3 }, { 0xdd, 2 }, { 0xdd, 3 }, { 0xdb, 7 }, { 0xdb, 2 },
            { 0xdb, 3 }, { 0xdf, 2 }, { 0xdf, 3 }, { 0xdf, 7 }, { 0xdb, 1 }, { 0xdd, 1 },
            { 0xdf, 1 }, { 0xdf, 6 }, { 0xd9, 7 }, { 0xdd, 7 },
        };
        unsigned k = (unsigned)(rng() % 16);
        emit_mem(st[k][0], st[k][1], STORE((int)(rng() % 24)));
        return 1;
    }
    case 6: emit2(0xd8, (uint8_t)(0xc0 | d << 3 | sti())); return 1;   /* ST0 op STi */
    case 7: emit2(0xdc, (uint8_t)(0xc0 | d << 3 | sti())); return 1;   /* STi op ST0 */
    case 8:                                                            /* ...P */
        if (d == 3)
            d = 2;          /* DE D8+i is #UD except FCOMPP (DE D9) */
        emit2(0xde, (uint8_t)(0xc0 | d << 3 | sti()));
        return 1;
    case 9: emit2(0xd9, (uint8_t)(0xc0 | sti())); return 1;            /* FLD STi */
    case 10: emit2(0xd9, (uint8_t)(0xc8 | sti())); return 1;           /* FXCH */
    case 11: emit2(0xdd, (uint8_t)((rng() & 1 ? 0xd0 : 0xd8) | sti())); return 1; /* FST(P) STi */
    case 12: {                                                         /* compares */
        static const uint8_t c[][2] = {
            { 0xdd, 0xe0 }, { 0xdd, 0xe8 }, { 0xdb, 0xe8 }, { 0xdb, 0xf0 }, { 0xdf, 0xe8 },
            { 0xdf, 0xf0 },
        };
        unsigned k = (unsigned)(rng() % 8);
        if (k == 6)
            emit2(0xda, 0xe9);      /* FUCOMPP */
        else if (k == 7)
            emit2(0xde, 0xd9);      /* FCOMPP */
        else
            emit2(c[k][0], (uint8_t)(c[k][1] | sti()));
        return 1;
    }
    case 13: emit2(rng() & 1 ? 0xda : 0xdb, (uint8_t)(0xc0 | (rng() % 4) << 3 | sti())); return 1;
    case 14: {                                                         /* D9 E0-E5, constants */
        static const uint8_t u[] = { 0xe0, 0xe1, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec,
                                     0xed, 0xee, 0xd0, 0xf6, 0xf7 };
        emit2(0xd9, u[rng() % sizeof u]);
        return 1;
    }
    case 15: {                                                         /* D9 F4 F5 F8 FA FC FD */
        static const uint8_t u[] = { 0xf4, 0xf5, 0xf8, 0xfa, 0xfc, 0xfd };
        emit2(0xd9, u[rng() % sizeof u]);
        return 1;
    }
    case 16: emit2(0xdd, (uint8_t)(0xc0 | sti())); return 1;           /* FFREE */
    case 17: emit2(0xdf, 0xe0); return 1;                              /* FNSTSW AX */
    case 18: emit2(0xdb, 0xe2); return 1;                              /* FNCLEX */
    case 19: emit_mem(0xd9, 5, CW_AT + 2 * (int)(rng() % 8)); return 1; /* FLDCW */
    case 20: emit_mem(0xdb, 5, slot_of(K_X80)); return 1;
    case 21: emit_mem(0xdd, 0, slot_of(K_F64)); return 1;
    default: emit_mem(0xdc, d, slot_of(K_F64)); return 1;
    }
}

/*
 * One transcendental on an in-domain operand, the case's last arithmetic;
 * returns the instructions emitted and sets *nres to the stack registers
 * holding its results (FSINCOS and FPTAN: ST0 and ST1).
 */
static unsigned emit_trans(unsigned *nres)
{
    *nres = 1;
    switch (rng() % 8) {
    case 0: emit_mem(0xdb, 5, slot_of(K_SMALL)); emit2(0xd9, 0xf0); return 2;  /* F2XM1 */
    case 1: emit_mem(0xdb, 5, slot_of(K_SMALL)); emit2(0xd9, 0xf9); return 2;  /* FYL2XP1 */
    case 2: emit_mem(0xdb, 5, slot_of(K_TRIG)); emit2(0xd9, 0xe1);             /* |x| */
            emit2(0xd9, 0xf1); return 3;                                      /* FYL2X */
    case 3: emit_mem(0xdb, 5, slot_of(K_TRIG)); emit2(0xd9, 0xf3); return 2;   /* FPATAN */
    case 4: emit_mem(0xdb, 5, slot_of(K_TRIG)); emit2(0xd9, 0xfe); return 2;   /* FSIN */
    case 5: emit_mem(0xdb, 5, slot_of(K_TRIG)); emit2(0xd9, 0xff); return 2;   /* FCOS */
    case 6: *nres = 2; emit_mem(0xdb, 5, slot_of(K_TRIG)); emit2(0xd9, 0xfb); return 2; /* FSINCOS */
    default: *nres = 2; emit_mem(0xdb, 5, slot_of(K_TRIG)); emit2(0xd9, 0xf2); return 2; /* FPTAN */
    }
}

unsigned x87_gen_case(uint8_t *code, unsigned cap, uint8_t *data, uint64_t (*rnd)(void),
                      bool trans, unsigned *ninsns, unsigned *nres)
{
    static const uint16_t pc[3] = { 0x000, 0x200, 0x300 };
    rng = rnd;
    out = code;
    outlen = 0;
    for (unsigned n = 0; n < 64; n++) {
        int kind = K_X80;
        for (int k = 0; k <= K_TRIG; k++)
            if (n >= kinds[k].first && n < kinds[k].first + kinds[k].count)
                kind = k;
        fill_slot(data, n, kind);
    }
    for (int i = 0; i < 8; i++) {
        uint16_t cw = (uint16_t)(0x7f | pc[rng() % 3] | (rng() % 4) << 10 | (rng() & 1) << 12);
        put(data, CW_AT + 2 * i, &cw, 2);
    }
    unsigned n = 10;
    /* the same contents in all eight physical registers on both sides */
    for (int i = 0; i < 8; i++)
        emit2(0xd9, 0xee);                      /* FLDZ */
    emit2(0xdb, 0xe3);                          /* FNINIT */
    emit_mem(0xd9, 5, CW_AT);                   /* FLDCW */
    for (unsigned k = (unsigned)(rng() % 9); k; k--, n++)
        emit_mem(0xdb, 5, slot_of(K_X80));
    if (rng() % 3 == 0) {
        emit2(0xdd, (uint8_t)(0xc0 | sti()));   /* a hole */
        n++;
    }
    for (unsigned k = 1 + (unsigned)(rng() % 10); k && outlen + 64 < cap; k--)
        n += emit_random();
    *nres = 0;
    if (trans)
        n += emit_trans(nres);
    emit_mem(0xdd, 6, 0);                       /* FNSAVE [rbx] */
    n++;
    /* clear FIP, FCS|FOP, FDP, FDS: mov dword [rbx + off], 0 */
    for (int off = 12; off <= 24; off += 4) {
        uint8_t b[7] = { 0xc7, 0x43, (uint8_t)off, 0, 0, 0, 0 };
        emit(b, 7);
        n++;
    }
    *ninsns = n;
    return outlen;
}

/* an extended value's place on the number line: adjacent values differ by 1 */
static unsigned __int128 x80_key(const uint8_t *p)
{
    uint64_t sig;
    uint16_t se;
    memcpy(&sig, p, 8);
    memcpy(&se, p + 8, 2);
    unsigned e = se & 0x7fffu;
    if (!e)
        return sig;                         /* denormals: exponent 1, no integer bit */
    return ((unsigned __int128)e << 63) + (sig & ~(1ull << 63));
}

bool x87_results_close(const uint8_t *nat, const uint8_t *emu, unsigned nres,
                       unsigned *max_ulps)
{
    uint16_t sn, se;
    memcpy(&sn, nat + FSAVE_SW, 2);
    memcpy(&se, emu + FSAVE_SW, 2);
    bool differ = false;
    for (unsigned i = 0; i < nres; i++) {
        const uint8_t *a = nat + FSAVE_ST0 + 10 * i, *b = emu + FSAVE_ST0 + 10 * i;
        if (!memcmp(a, b, 10))
            continue;
        /* same sign, and finite (an exponent of all ones is no number to measure) */
        uint16_t ea, eb;
        memcpy(&ea, a + 8, 2);
        memcpy(&eb, b + 8, 2);
        if ((ea ^ eb) & 0x8000 || (ea & 0x7fff) == 0x7fff || (eb & 0x7fff) == 0x7fff)
            return false;
        unsigned __int128 ka = x80_key(a), kb = x80_key(b);
        unsigned __int128 d = ka > kb ? ka - kb : kb - ka;
        unsigned u = d > 1000000 ? 1000000 : (unsigned)d;
        if (u > *max_ulps)
            *max_ulps = u;
        if (d > 1)
            return false;
        differ = true;
    }
    /* C1 says whether the unrounded value was rounded up: the host's
     * unrounded value is not satori's, so C1 may differ even where the
     * rounded results agree */
    if (sn != se && (sn ^ se) != FSW_C1)
        return false;
    return differ || sn != se;
}

bool x87_close_selftest(void)
{
    /* (a, b, expected): 1.0 and its neighbours; across a binade; denormal edge */
    /* close: with equal status words; close_c1: with C1 differing */
    static const struct {
        uint64_t sa; uint16_t ea; uint64_t sb; uint16_t eb; bool close, close_c1;
    } t[] = {
        { 1ull << 63, 0x3fff, (1ull << 63) + 1, 0x3fff, true, true },
        { 1ull << 63, 0x3fff, (1ull << 63) + 2, 0x3fff, false, false },
        { ~0ull, 0x3ffe, 1ull << 63, 0x3fff, true, true },      /* largest below 1.0, 1.0 */
        { ~0ull - 1, 0x3ffe, 1ull << 63, 0x3fff, false, false },
        { (1ull << 63) - 1, 0, 1ull << 63, 1, true, true },     /* largest denormal, smallest normal */
        { ~0ull, 0x7ffe, ~0ull - 1, 0x7ffe, true, true },       /* the largest finite values */
        { 1ull << 63, 0x3fff, 1ull << 63, 0xbfff, false, false }, /* +1, -1 */
        { 1ull << 63, 0x3fff, 1ull << 63, 0x3fff, false, true },  /* equal: only C1 to allow */
        { 1ull << 63, 0x7fff, (1ull << 63) + 1, 0x7fff, false, false }, /* infinity and a NaN */
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint8_t a[FSAVE_ST0 + 10] = { 0 }, b[FSAVE_ST0 + 10] = { 0 };
        memcpy(a + FSAVE_ST0, &t[i].sa, 8);
        memcpy(a + FSAVE_ST0 + 8, &t[i].ea, 2);
        memcpy(b + FSAVE_ST0, &t[i].sb, 8);
        memcpy(b + FSAVE_ST0 + 8, &t[i].eb, 2);
        unsigned u = 0;
        if (x87_results_close(a, b, 1, &u) != t[i].close)
            return false;
        uint16_t c1 = FSW_C1, c0 = 0x0100;
        memcpy(b + FSAVE_SW, &c1, 2);
        if (x87_results_close(a, b, 1, &u) != t[i].close_c1)
            return false;
        memcpy(b + FSAVE_SW, &c0, 2);      /* any other status bit: never */
        if (x87_results_close(a, b, 1, &u))
            return false;
    }
    return true;
}
