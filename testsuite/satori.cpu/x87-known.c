/*
 * x87 known answers taken from an Intel host x87 (not compared with QEMU,
 * whose TCG x87 computes transcendentals through host doubles, reports no
 * C1 round-up, misses the stack underflow of register operands and loads
 * reserved MXCSR bits in FXRSTOR): the transcendentals to the bit with
 * their status words, C1 as the round-up indication, a stack underflow,
 * MXCSR_MASK, FXRSTOR's #GP on reserved MXCSR bits and XSAVE's #NM with
 * CR0.TS.
 */
#include "runtime.h"

struct x80 {
    uint64_t sig;
    uint16_t se;
} __attribute__((packed));

struct known {
    const char *name;
    struct x80 in, out;
    uint16_t sw;
};

#define RUN(insn, a, r, sw)                                                        \
    __asm__ volatile("fninit\n fldt %2\n " insn "\n fnstsw %1\n fstpt %0\n fninit"  \
                     : "=m"(r), "=m"(sw) : "m"(a))

static void check(const struct known *k, const struct x80 *r, uint16_t sw)
{
    reportf(r->se == k->out.se && r->sig == k->out.sig && sw == k->sw,
            "%s = %04x:%016lx sw %04x (host x87 %04x:%016lx sw %04x)", k->name, r->se, r->sig,
            sw, k->out.se, k->out.sig, k->sw);
}

static volatile uint64_t seen_vec;

static void handler(struct frame *f)
{
    seen_vec = f->vector;
    if (f->vector == 7)
        write_cr0(read_cr0() & ~(uint64_t)8);
    else
        f->rip += 3;
}

int main(void)
{
    static const struct known k[] = {
        { "fsin 1", { 0x8000000000000000ull, 0x3fff }, { 0xd76aa47848677021ull, 0x3ffe }, 0x3a20 },
        { "fcos 1", { 0x8000000000000000ull, 0x3fff }, { 0x8a51407da8345c92ull, 0x3ffe }, 0x3a20 },
        { "fsin 2^20", { 0x8000000000000000ull, 0x4013 }, { 0xa9366597e433653bull, 0x3ffd }, 0x3820 },
        { "fcos 2^20", { 0x8000000000000000ull, 0x4013 }, { 0xf19d6d497f154f39ull, 0x3ffe }, 0x3a20 },
        { "fsin 10", { 0xa000000000000000ull, 0x4002 }, { 0x8b44f7af9a7a92cfull, 0xbffe }, 0x3a20 },
        { "fcos 10", { 0xa000000000000000ull, 0x4002 }, { 0xd6cd64486358f905ull, 0xbffe }, 0x3a20 },
        { "fptan 0.5", { 0x8000000000000000ull, 0x3ffe }, { 0x8bda7adf9a3a5219ull, 0x3ffe }, 0x3820 },
        { "f2xm1 0.5", { 0x8000000000000000ull, 0x3ffe }, { 0xd413cccfe7799211ull, 0x3ffd }, 0x3820 },
        { "f2xm1 2^-7*1.25", { 0xa000000000000000ull, 0x3ff8 }, { 0xde8f3b8b85a0af3bull, 0x3ff7 }, 0x3820 },
        { "fyl2x 1*log2(10)", { 0xa000000000000000ull, 0x4002 }, { 0xd49a784bcd1b8afeull, 0x4000 }, 0x3820 },
        { "fyl2xp1 2^-7*1.25", { 0xa000000000000000ull, 0x3ff8 }, { 0xe5b61d5e8a2ac5a9ull, 0x3ff8 }, 0x3a20 },
        { "fpatan atan2(1/3, 1)", { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, { 0xa4bc7d1934f70924ull, 0x3ffd }, 0x3820 },
        { "fpatan atan2(1, 10)", { 0xa000000000000000ull, 0x4002 }, { 0xcc1f1417166261d7ull, 0x3ffb }, 0x3a20 },
        { "fsincos 0.5 (sin)", { 0x8000000000000000ull, 0x3ffe }, { 0xf57743a2582f7f44ull, 0x3ffd }, 0x3820 },
    };
    struct x80 r;
    uint16_t sw;

    write_cr4(read_cr4() | (1u << 9));      /* OSFXSR */
    RUN("fsin", k[0].in, r, sw); check(&k[0], &r, sw);
    RUN("fcos", k[1].in, r, sw); check(&k[1], &r, sw);
    RUN("fsin", k[2].in, r, sw); check(&k[2], &r, sw);
    RUN("fcos", k[3].in, r, sw); check(&k[3], &r, sw);
    RUN("fsin", k[4].in, r, sw); check(&k[4], &r, sw);
    RUN("fcos", k[5].in, r, sw); check(&k[5], &r, sw);
    RUN("fptan\n fstp %%st(0)", k[6].in, r, sw); check(&k[6], &r, sw);
    RUN("f2xm1", k[7].in, r, sw); check(&k[7], &r, sw);
    RUN("f2xm1", k[8].in, r, sw); check(&k[8], &r, sw);
    RUN("fld1\n fxch\n fyl2x", k[9].in, r, sw); check(&k[9], &r, sw);
    RUN("fld1\n fxch\n fyl2xp1", k[10].in, r, sw); check(&k[10], &r, sw);
    RUN("fld1\n fpatan", k[11].in, r, sw); check(&k[11], &r, sw);
    RUN("fld1\n fxch\n fpatan", k[12].in, r, sw); check(&k[12], &r, sw);
    RUN("fsincos\n fstp %%st(0)", k[13].in, r, sw); check(&k[13], &r, sw);

    /* C1: set when the rounding increased the magnitude */
    static const struct x80 three = { 0xc000000000000000ull, 0x4000 };
    uint16_t rz = 0x0f7f;
    __asm__ volatile("fninit\n fldt %1\n fld1\n fdiv %%st(1), %%st\n fnstsw %0\n fninit"
                     : "=m"(sw) : "m"(three));
    reportf((sw & 0x0220) == 0x0220, "1/3 rounded to nearest goes up: PE and C1 (sw %04x)", sw);
    __asm__ volatile("fninit\n fldcw %2\n fldt %1\n fld1\n fdiv %%st(1), %%st\n fnstsw %0\n fninit"
                     : "=m"(sw) : "m"(three), "m"(rz));
    reportf((sw & 0x0220) == 0x0020, "1/3 rounded toward zero: PE, C1 clear (sw %04x)", sw);

    /* unmasked overflow / underflow: the result is delivered with its
     * exponent wrapped by 24576 (SDM 4.9.1.4-5); FNSAVE does not wait */
    {
        static const struct x80 big = { 0xffffffffffffffffull, 0x7ffe };
        static const struct x80 tiny = { 0x8000000000000001ull, 0x0001 };
        uint16_t cwo = 0x0377, cwu = 0x036f;
        uint8_t s1[108], s2[108];
        struct x80 r1, r2;
        __asm__ volatile("fninit\n fldcw %2\n fldt %3\n fldt %3\n fmulp\n fnsave %0\n fninit\n"
                         " fldcw %4\n fldt %5\n fldt %5\n fmulp\n fnsave %1\n fninit"
                         : "=m"(s1), "=m"(s2) : "m"(cwo), "m"(big), "m"(cwu), "m"(tiny));
        memcpy(&r1, s1 + 28, 10);
        memcpy(&r2, s2 + 28, 10);
        uint16_t sw1 = (uint16_t)(s1[4] | s1[5] << 8), sw2 = (uint16_t)(s2[4] | s2[5] << 8);
        reportf(sw1 == 0xb8a8 && r1.se == 0x5ffe && r1.sig == 0xfffffffffffffffeull,
                "unmasked overflow: wrapped result %04x:%016lx sw %04x", r1.se, r1.sig, sw1);
        reportf(sw2 == 0xb8b0 && r2.se == 0x2003 && r2.sig == 0x8000000000000002ull,
                "unmasked underflow: wrapped result %04x:%016lx sw %04x", r2.se, r2.sig, sw2);
    }

    /* stack underflow with register operands */
    __asm__ volatile("fninit\n fadd %%st(1), %%st\n fnstsw %0\n fninit" : "=m"(sw));
    reportf((sw & 0x0241) == 0x0041, "FADD with empty registers: IE SF, C1 = 0 (sw %04x)", sw);

    /* MXCSR_MASK and FXRSTOR's #GP */
    static uint8_t area[512] __attribute__((aligned(16)));
    __asm__ volatile("fxsave %0" : "=m"(area));
    uint32_t mask;
    memcpy(&mask, area + 28, 4);
    reportf(mask == 0xffff, "FXSAVE: MXCSR_MASK %08x (DAZ supported)", mask);
    uint32_t bad = 0xffff0000u;
    memcpy(area + 24, &bad, 4);
    handle_exception(13, handler);
    seen_vec = 99;
    __asm__ volatile(".byte 0x0f, 0xae, 0x08" :: "a"(area) : "memory");   /* fxrstor (%rax) */
    reportf(seen_vec == 13, "FXRSTOR with reserved MXCSR bits: #GP (vector %lu)", seen_vec);

    /* XSAVE with CR0.TS: #NM (SDM XSAVE; run with -cpu max) */
    static uint8_t xarea[1024] __attribute__((aligned(64)));
    write_cr4(read_cr4() | (1u << 18));     /* OSXSAVE */
    handle_exception(7, handler);
    seen_vec = 99;
    write_cr0(read_cr0() | 8);
    __asm__ volatile(".byte 0x0f, 0xae, 0x27" :: "D"(xarea), "a"(3), "d"(0) : "memory");
    reportf(seen_vec == 7, "XSAVE with CR0.TS: #NM (vector %lu)", seen_vec);
    report_done();
}
