/*
 * x87 FPU: arithmetic results (printed as bits, the same under QEMU),
 * constants in each rounding mode, precision control, FXAM classes,
 * stack faults, FNSTENV/FXSAVE layouts, #MF delivery with CR0.NE = 1,
 * #NM for CR0.EM/TS (and WAIT with MP+TS) and the lazy FPU switch as
 * Linux does it: #NM handler runs CLTS then FXRSTOR and returns to the
 * faulting instruction (SDM vol. 1 ch. 8, vol. 3 2.5 and 13).
 */
#include "runtime.h"

struct x80 {
    uint64_t sig;
    uint16_t se;
} __attribute__((packed));

static void show(const char *what, const struct x80 *v, uint16_t sw)
{
    /* C1 (the round-up bit) is not shown: QEMU does not report it
     * (x87-known.c checks it) */
    printf("%s = %04x:%016lx sw %04x\n", what, v->se, v->sig, sw & ~0x200);
}

static uint16_t fcw(uint16_t rc_pc)
{
    return (uint16_t)(0x037f & ~0x0f00) | rc_pc;
}

/* st0 = a OP b, with control word cw; result and status word */
#define BINOP(insn, a, b, cw, r, sw)                                              \
    __asm__ volatile("fninit\n fldcw %[c]\n fldt %[y]\n fldt %[x]\n " insn "\n"    \
                     " fnstsw %[s]\n fstpt %[o]\n fstp %%st(0)"                  \
                     : [o] "=m"(r), [s] "=m"(sw) : [x] "m"(a), [y] "m"(b), [c] "m"(cw))

static volatile uint64_t seen_vec, seen_rip, seen_count;
static volatile uint64_t skip;
static uint8_t fx_area[512] __attribute__((aligned(16)));
static bool lazy_restore;

static void handler(struct frame *f)
{
    seen_vec = f->vector;
    seen_rip = f->rip;
    seen_count++;
    if (f->vector == 7 && lazy_restore) {
        /* Linux's lazy switch: make the FPU usable, load the task's state,
         * retry the instruction */
        __asm__ volatile("clts\n fxrstor %0" :: "m"(fx_area));
        return;
    }
    if (f->vector == 7)
        write_cr0(read_cr0() & ~(uint64_t)(8 | 4));     /* TS, EM */
    if (f->vector == 16)
        __asm__ volatile("fnclex");
    f->rip += skip;
}

static void arithmetic(void)
{
    static const struct x80 one = { 0x8000000000000000ull, 0x3fff };
    static const struct x80 three = { 0xc000000000000000ull, 0x4000 };
    static const struct x80 tiny = { 0x8000000000000001ull, 0x0001 };
    static const struct x80 big = { 0xffffffffffffffffull, 0x7ffe };
    static const struct x80 snan = { 0x8000000000001234ull, 0x7fff };
    static const struct x80 qnan = { 0xc000000000005678ull, 0xffff };
    static const uint16_t modes[4] = { 0x0300, 0x0700, 0x0b00, 0x0f00 };
    static const char *const mname[4] = { "nearest", "down", "up", "zero" };
    struct x80 r;
    uint16_t sw, cw;

    for (int m = 0; m < 4; m++) {
        char buf[64];
        cw = fcw(modes[m]);
        BINOP("fdiv %%st(1), %%st", one, three, cw, r, sw);
        printf("1/3 %s: ", mname[m]);
        show("", &r, sw);
        BINOP("fmul %%st(1), %%st", big, big, cw, r, sw);
        printf("max*max %s: ", mname[m]);
        show("", &r, sw);
        BINOP("fmul %%st(1), %%st", tiny, three, cw, r, sw);
        printf("tiny*3 %s: ", mname[m]);
        show("", &r, sw);
        (void)buf;
    }
    /* precision control: 1/3 rounded to 24 and 53 bits */
    cw = fcw(0x0000);
    BINOP("fdiv %%st(1), %%st", one, three, cw, r, sw);
    show("1/3 pc24", &r, sw);
    reportf(r.sig == 0xaaaaab0000000000ull && r.se == 0x3ffd && (sw & 0x20),
            "1/3 with PC=24 rounds to 24 bits (sig %016lx)", r.sig);
    cw = fcw(0x0200);
    BINOP("fdiv %%st(1), %%st", one, three, cw, r, sw);
    show("1/3 pc53", &r, sw);
    reportf(r.sig == 0xaaaaaaaaaaaaa800ull, "1/3 with PC=53 rounds to 53 bits");
    cw = fcw(0x0300);
    BINOP("fsqrt", three, one, cw, r, sw);
    show("sqrt 3", &r, sw);
    reportf(r.sig == 0xddb3d742c265539eull && r.se == 0x3fff, "sqrt(3) to 64 bits");
    BINOP("fadd %%st(1), %%st", snan, qnan, cw, r, sw);
    show("snan+qnan", &r, sw);
    reportf((sw & 1) && r.sig == 0xc000000000005678ull, "SNaN + QNaN: IE, the QNaN (x87 rule)");
    BINOP("fprem", big, three, cw, r, sw);
    show("fprem partial", &r, sw);
    reportf(sw & 0x400, "FPREM with a huge exponent difference is partial (C2)");
    BINOP("fscale", one, three, cw, r, sw);
    show("1 scale 3", &r, sw);
    reportf(r.se == 0x4002 && r.sig == 0x8000000000000000ull, "FSCALE 1 by 3 = 8");
    BINOP("fcom %%st(1)", qnan, one, cw, r, sw);
    reportf((sw & 0x4501) == 0x4501, "FCOM with a QNaN: unordered and IE (sw %04x)", sw);
    BINOP("fucom %%st(1)", qnan, one, cw, r, sw);
    reportf((sw & 0x4501) == 0x4500, "FUCOM with a QNaN: unordered, no IE (sw %04x)", sw);

    /* constants in every rounding mode */
    for (int m = 0; m < 4; m++) {
        struct x80 c[6];
        cw = fcw(modes[m]);
        __asm__ volatile("fninit\n fldcw %6\n fldl2t\n fstpt %0\n fldl2e\n fstpt %1\n fldpi\n fstpt %2\n"
                         " fldlg2\n fstpt %3\n fldln2\n fstpt %4\n fld1\n fstpt %5"
                         : "=m"(c[0]), "=m"(c[1]), "=m"(c[2]), "=m"(c[3]), "=m"(c[4]), "=m"(c[5])
                         : "m"(cw));
        printf("constants %s: %016lx %016lx %016lx %016lx %016lx %016lx\n", mname[m],
               c[0].sig, c[1].sig, c[2].sig, c[3].sig, c[4].sig, c[5].sig);
    }

    /* integer and BCD stores */
    {
        static const struct x80 v = { 0xd6bf94d5e57a42bcull, 0x403c }; /* 1234567890123456789.x */
        uint8_t bcd[10];
        int64_t i64;
        int16_t i16;
        cw = fcw(0x0300);
        __asm__ volatile("fninit\n fldcw %4\n fldt %3\n fld %%st(0)\n fbstp %0\n fld %%st(0)\n"
                         " fistpll %1\n fistps %2\n fnstsw %%ax"
                         : "=m"(bcd), "=m"(i64), "=m"(i16) : "m"(v), "m"(cw) : "rax");
        printf("bcd %02x%02x%02x%02x%02x%02x%02x%02x%02x%02x i64 %lx i16 %x\n", bcd[9], bcd[8],
               bcd[7], bcd[6], bcd[5], bcd[4], bcd[3], bcd[2], bcd[1], bcd[0], (uint64_t)i64,
               (uint16_t)i16);
        reportf(bcd[9] == 0xff && bcd[8] == 0xff, "FBSTP beyond 18 digits stores the BCD indefinite");
        reportf((uint16_t)i16 == 0x8000, "FISTP m16 out of range stores the integer indefinite");
    }

    /* FXAM classes */
    {
        static const struct x80 denorm = { 0x0000000000000001ull, 0x0000 };
        uint16_t s[3];
        __asm__ volatile("fninit\n fxam\n fnstsw %0\n fldt %3\n fxam\n fnstsw %1\n"
                         " fldz\n fchs\n fxam\n fnstsw %2\n fninit"
                         : "=m"(s[0]), "=m"(s[1]), "=m"(s[2]) : "m"(denorm));
        printf("fxam empty %04x denormal %04x -0 %04x\n", s[0] & ~0x200, s[1], s[2]);
        reportf((s[0] & 0x4500) == 0x4100, "FXAM of an empty register: C3 C0");
        reportf((s[1] & 0x4500) == 0x4400, "FXAM of a denormal: C3 C2");
        reportf((s[2] & 0x4700) == 0x4200, "FXAM of -0: C3, C1 sign");
    }
}

static void layouts(void)
{
    uint8_t env[28];
    struct x80 v = { 0xc000000000000000ull, 0x4000 };
    __asm__ volatile("fninit\n fldt %1\n fldz\n fnstenv %0" : "=m"(env) : "m"(v));
    printf("fnstenv cw %02x%02x sw %02x%02x tw %02x%02x\n", env[1], env[0], env[5], env[4],
           env[9], env[8]);
    reportf(env[0] == 0x7f && env[1] == 0x03 && ((env[5] >> 3) & 7) == 6,
            "FNSTENV: control word and TOP");
    reportf(env[8] == 0xff && env[9] == 0x1f, "FNSTENV: full tag word (valid, zero, empty)");
    uint16_t cw_after;
    __asm__ volatile("fnstcw %0\n fninit" : "=m"(cw_after));
    reportf(cw_after == 0x037f, "FNSTENV masks all exceptions (cw %04x)", cw_after);

    /* 16-bit layout (operand-size prefix): CW, SW, TW words at 0, 2, 4 */
    uint8_t env16[14];
    __asm__ volatile("fninit\n fldt %1\n fldz\n .byte 0x66, 0xd9, 0x37" /* fnstenvw (%rdi) */
                     : "=m"(env16) : "m"(v), "D"(env16) : "memory");
    printf("fnstenv16 cw %02x%02x sw %02x%02x tw %02x%02x\n", env16[1], env16[0], env16[3],
           env16[2], env16[5], env16[4]);
    reportf(env16[4] == 0xff && env16[5] == 0x1f && ((env16[3] >> 3) & 7) == 6,
            "FNSTENV with 16-bit operand size: 14-byte layout");
    /* FNSAVE / FRSTOR round trip */
    uint8_t save[108];
    struct x80 back;
    __asm__ volatile("fninit\n fldt %2\n fldpi\n fnsave %0\n fldz\n frstor %0\n fstp %%st(0)\n"
                     " fstpt %1\n fninit" : "+m"(save), "=m"(back) : "m"(v));
    printf("fnsave tw %02x%02x st0 %02x%02x\n", save[9], save[8], save[37], save[36]);
    reportf(back.se == 0x4000 && back.sig == 0xc000000000000000ull, "FNSAVE/FRSTOR round trip");
    reportf(save[36] == 0x00 && save[37] == 0x40, "FNSAVE: ST(0) after the 28-byte environment");

    memset(fx_area, 0xa5, sizeof fx_area);
    __asm__ volatile("fninit\n fldt %1\n fldpi\n fxsave %0\n fninit" : "=m"(fx_area) : "m"(v));
    printf("fxsave cw %02x%02x sw %02x%02x ftw %02x %02x mxcsr %02x%02x%02x%02x\n",
           fx_area[1], fx_area[0], fx_area[3], fx_area[2], fx_area[4], fx_area[5], fx_area[27],
           fx_area[26], fx_area[25], fx_area[24]);
    printf("fxsave st0 %02x%02x:%02x%02x%02x%02x%02x%02x%02x%02x byte 500 %02x\n", fx_area[41],
           fx_area[40], fx_area[39], fx_area[38], fx_area[37], fx_area[36], fx_area[35],
           fx_area[34], fx_area[33], fx_area[32], fx_area[500]);
    reportf(fx_area[4] == 0xc0, "FXSAVE: abridged tag word (R6, R7 valid)");
    reportf(fx_area[41] == 0x40 && fx_area[40] == 0x00 && fx_area[39] == 0xc9,
            "FXSAVE: ST(0) = pi in stack order");
    reportf(fx_area[500] == 0xa5, "FXSAVE leaves bytes 464-511 alone");

    /* FXRSTOR brings it back */
    struct x80 r;
    __asm__ volatile("fxrstor %1\n fstpt %0\n fninit" : "=m"(r) : "m"(fx_area));
    reportf(r.se == 0x4000 && r.sig == 0xc90fdaa22168c235ull, "FXRSTOR restores the stack");
}

static void faults(void)
{
    uint16_t cw = 0x037b;   /* ZE unmasked */
    struct x80 one = { 0x8000000000000000ull, 0x3fff };
    extern char mf_site[];

    /* #MF at the next waiting instruction, CR0.NE = 1 */
    write_cr0(read_cr0() | 0x20);
    seen_vec = 99;
    skip = 1;
    __asm__ volatile("fninit\n fldcw %0\n fldz\n fldt %1\n fdivp %%st, %%st(1)\n"
                     ".globl mf_site\nmf_site: fwait\n fninit" :: "m"(cw), "m"(one));
    reportf(seen_vec == 16 && seen_rip == (uint64_t)mf_site,
            "unmasked divide by zero: #MF at the next FWAIT (vector %lu)", seen_vec);

    /* #NM: EM for x87 instructions, TS+MP for WAIT, not TS alone */
    seen_vec = 99;
    skip = 0;
    write_cr0(read_cr0() | 4);
    __asm__ volatile("fldz\n fstp %st(0)");
    reportf(seen_vec == 7, "x87 with CR0.EM: #NM");
    seen_vec = 99;
    write_cr0((read_cr0() | 8) & ~(uint64_t)2);
    __asm__ volatile("fwait");
    reportf(seen_vec == 99, "WAIT with CR0.TS and MP = 0: no fault");
    write_cr0(read_cr0() | 8 | 2);
    __asm__ volatile("fwait");
    reportf(seen_vec == 7, "WAIT with CR0.TS and MP: #NM");
    seen_vec = 99;
    write_cr0(read_cr0() | 8);
    __asm__ volatile("fxsave %0" : "=m"(fx_area));
    reportf(seen_vec == 7, "FXSAVE with CR0.TS: #NM");

    /* lazy switching: task A's state saved; TS set; the next x87
     * instruction traps, the handler restores A's state and retries */
    struct x80 three = { 0xc000000000000000ull, 0x4000 }, r;
    __asm__ volatile("fninit\n fldt %1\n fxsave %0\n fninit\n fldz" : "=m"(fx_area) : "m"(three));
    lazy_restore = true;
    seen_count = 0;
    write_cr0(read_cr0() | 8);
    __asm__ volatile("fld1\n faddp\n fstpt %0" : "=m"(r));
    lazy_restore = false;
    reportf(seen_count == 1 && !(read_cr0() & 8), "lazy switch: one #NM, handler cleared TS");
    reportf(r.se == 0x4001 && r.sig == 0x8000000000000000ull,
            "lazy switch: the retried FLD1 saw the restored stack (3 + 1 = 4)");
}

int main(void)
{
    for (int v = 0; v < 20; v++)
        handle_exception(v, handler);
    write_cr4(read_cr4() | (1u << 9));      /* OSFXSR */
    arithmetic();
    layouts();
    faults();
    report_done();
}
