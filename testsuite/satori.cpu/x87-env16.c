/* The 16-bit protected-mode x87 environment formats (SDM vol. 1, 8.1.10,
 * figures 8-10 and 8-12): FNSTENV/FLDENV (14 bytes) and FNSAVE/FRSTOR
 * (94 bytes) with a 66 prefix.  The control, status and tag words and
 * the register image are printed and checked; FIP/FDP are left out (they
 * hold offsets in satori, docs/design-notes.md).  Compared with QEMU.
 */
#include "runtime.h"

static uint8_t env[14 + 80] __attribute__((aligned(16)));
static uint8_t img[14 + 80] __attribute__((aligned(16)));

static uint16_t w(const uint8_t *p, unsigned off)
{
    return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t sum(const uint8_t *p, unsigned n)
{
    uint32_t h = 2166136261u;

    for (unsigned i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

int main(void)
{
    uint16_t cw = 0x0b7f, sw, cw2;
    uint64_t one = 0x3ff0000000000000ull, third = 0x3fd5555555555555ull, x;  /* 1.0, 1/3 */

    /* a state: precision 64 bits, round up, 1, 0 and 1/0 = inf (ZE masked) */
    __asm__ volatile("fninit; fldcw %0; fld1; fldz; fld1; fdiv %%st(1), %%st" : : "m"(cw));
    __asm__ volatile("data16 fnstenv %0" : "=m"(env));
    printf("fnstenv16: fcw %04x fsw %04x ftw %04x\n", w(env, 0), w(env, 2), w(env, 4));
    reportf(w(env, 0) == 0x0b7f && (w(env, 2) & 0x3804) == 0x2804 && w(env, 4) == 0x1bff,
            "16-bit FNSTENV: FCW, FSW (TOP 5, ZE), tag word (valid, zero, special)");

    __asm__ volatile("fldcw %0" : : "m"(cw));
    __asm__ volatile("data16 fnsave %0" : "=m"(img));
    printf("fnsave16: fcw %04x fsw %04x ftw %04x regs %08x\n", w(img, 0), w(img, 2), w(img, 4),
           sum(img + 14, 80));
    reportf(w(img, 4) == 0x1bff, "16-bit FNSAVE: tag word %04x", w(img, 4));
    /* ST(0) = +inf at bytes 14..23, ST(1) = +0, ST(2) = 1.0 */
    reportf(w(img, 14 + 8) == 0x7fff && w(img, 14 + 6) == 0x8000 && w(img, 24 + 8) == 0
            && w(img, 34 + 8) == 0x3fff, "16-bit FNSAVE: registers at offset 14, 10 bytes each");
    __asm__ volatile("fnstcw %0; fnstsw %1" : "=m"(cw2), "=m"(sw));
    reportf(cw2 == 0x037f && sw == 0, "FNSAVE reinitializes (FCW %04x FSW %04x)", cw2, sw);

    /* FRSTOR the image with ST(0) changed to 1/3 */
    __asm__ volatile("fninit; fldl %1; fstpt %0" : "=m"(*(uint8_t(*)[10])(img + 14)) : "m"(third));
    __asm__ volatile("data16 frstor %0" : : "m"(img));
    __asm__ volatile("fnstcw %0; fnstsw %1" : "=m"(cw2), "=m"(sw));
    reportf(cw2 == 0x0b7f && (sw & 0x3804) == 0x2804, "16-bit FRSTOR: FCW %04x FSW %04x", cw2, sw);
    __asm__ volatile("fstpl %0" : "=m"(x));
    reportf(x == third, "16-bit FRSTOR: ST(0) as written into the image");
    __asm__ volatile("fstpl %0" : "=m"(x));
    reportf(x == 0, "16-bit FRSTOR: ST(1) = 0");

    /* FLDENV: round toward zero, precision 24 bits, tags: only ST(7)..ST(6) empty */
    __asm__ volatile("fninit");
    memset(env, 0, 14);
    env[0] = 0x7f, env[1] = 0x0c;
    env[4] = 0xff, env[5] = 0x0f;            /* tag word: physical 6 and 7 in use */
    __asm__ volatile("data16 fldenv %0" : : "m"(env));
    __asm__ volatile("fnstcw %0" : "=m"(cw2));
    uint16_t ftw;
    __asm__ volatile("data16 fnstenv %0" : "=m"(img));
    ftw = w(img, 4);
    printf("fldenv16: fcw %04x ftw %04x\n", cw2, ftw);
    reportf(cw2 == 0x0c7f, "16-bit FLDENV: FCW %04x", cw2);
    reportf((ftw & 0x0fff) == 0x0fff && (ftw & 0xf000) != 0xf000,
            "16-bit FLDENV: the tag word's empty registers stay empty, the others not (%04x)", ftw);
    __asm__ volatile("fninit; fld1; fldl %1; fdivrp; fstpl %0" : "=m"(x) : "m"(one));
    reportf(x == one, "x87 usable after the 16-bit formats");
    report_done();
}
