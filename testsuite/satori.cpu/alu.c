/* ALU and flags at 8, 16, 32 and 64 bits: known answers from the SDM's
 * definitions (worked by hand), and a table printed for the QEMU compare. */
#include "runtime.h"

#define FL (0x8d5ul) /* OF SF ZF AF PF CF */

#define OP2(insn, m, a, b, res, fl) do {                                          \
    uint64_t r = (a), f;                                                          \
    __asm__ volatile("push $0x2; popf\n" insn " %" m "2, %" m "0\npushf; pop %1"  \
                     : "+r"(r), "=r"(f) : "r"((uint64_t)(b)) : "cc");             \
    check(insn, (a), (b), r, f, (res), (fl));                                    \
} while (0)

static void check(const char *n, uint64_t a, uint64_t b, uint64_t r, uint64_t f,
                  uint64_t want, uint64_t wantf)
{
    reportf(r == want && (f & FL) == wantf, "%s %lx,%lx = %lx flags %lx (want %lx %lx)", n, a, b,
            r, f & FL, want, wantf);
}

int main(void)
{
    /* add: 0x7f + 1 = 0x80: OF SF AF */
    OP2("addb", "b", 0x7f, 1, 0x80, 0x890);
    OP2("addw", "w", 0xffff, 1, 0x0, 0x55);              /* ZF AF PF CF */
    OP2("addl", "k", 0x7fffffff, 1, 0x80000000, 0x894); /* OF SF AF PF */
    OP2("addq", "", 0xffffffffffffffff, 2, 1, 0x11);   /* AF CF */
    /* sub: 0 - 1 = all ones: SF AF PF CF */
    OP2("subb", "b", 0, 1, 0xff, 0x95);
    OP2("subw", "w", 0x8000, 1, 0x7fff, 0x814);        /* OF AF PF */
    OP2("subl", "k", 5, 5, 0, 0x44);                   /* ZF PF */
    OP2("subq", "", 0x8000000000000000, 1, 0x7fffffffffffffff, 0x814);
    /* logic clears CF and OF */
    OP2("andl", "k", 0xf0f0f0f0, 0x0ff00ff0, 0x00f000f0, 0x4);
    OP2("orq", "", 0x8000000000000000, 1, 0x8000000000000001, 0x80);
    OP2("xorw", "w", 0x1234, 0x1234, 0, 0x44);
    /* cmp leaves the destination */
    OP2("cmpl", "k", 3, 5, 3, 0x91);   /* SF AF CF; PF of 0xfe is odd */
    /* adc/sbb with CF = 0 (popf 2) behave as add/sub */
    OP2("adcb", "b", 0xff, 1, 0, 0x55);
    OP2("sbbl", "k", 1, 2, 0xffffffff, 0x95);

    /* adc with carry in: stc; adc */
    uint64_t r = 0xff, f;
    __asm__ volatile("stc; adcb $0, %b0; pushf; pop %1" : "+r"(r), "=r"(f) :: "cc");
    reportf((r & 0xff) == 0 && (f & 1) && (f & 0x40), "adc carry-in 0xff+0+1 = %lx flags %lx", r & 0xff, f & FL);

    /* inc/dec keep CF */
    r = 0x7fffffff;
    __asm__ volatile("stc; incl %k0; pushf; pop %1" : "+r"(r), "=r"(f) :: "cc");
    reportf(r == 0x80000000 && (f & FL) == 0x895, "inc keeps CF, sets OF: %lx %lx", r, f & FL);
    r = 0;
    __asm__ volatile("clc; decq %0; pushf; pop %1" : "+r"(r), "=r"(f) :: "cc");
    reportf(r == ~0ul && (f & FL) == 0x94, "dec 0 -> -1 without CF: %lx %lx", r, f & FL);
    r = 0x80;
    __asm__ volatile("negb %b0; pushf; pop %1" : "+r"(r), "=r"(f) :: "cc");
    reportf((r & 0xff) == 0x80 && (f & FL) == 0x881, "neg 0x80 = 0x80 OF SF CF: %lx %lx", r & 0xff, f & FL);
    /* 32-bit ops zero-extend, 8/16-bit ops merge */
    r = 0xffffffffffffffff;
    __asm__ volatile("addl $1, %k0" : "+r"(r) :: "cc");
    reportf(r == 0, "32-bit result zero-extends: %lx", r);
    r = 0x1122334455667788;
    __asm__ volatile("addw $1, %w0" : "+r"(r) :: "cc");
    reportf(r == 0x1122334455667789, "16-bit result merges: %lx", r);

    /* a sweep printed for comparison with QEMU */
    static const uint64_t vals[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffffffff,
                                     0x80000000, 0x7fffffffffffffff, 0x8000000000000000, ~0ul };
    uint64_t sum = 0;
    for (unsigned i = 0; i < 12; i++)
        for (unsigned j = 0; j < 12; j++) {
            uint64_t a = vals[i], b = vals[j], x = a, y = a, z = a, w = a, fl1, fl2, fl3, fl4;
            __asm__ volatile("addq %4, %0; pushf; pop %1; subl %k4, %k2; pushf; pop %3"
                             : "+r"(x), "=r"(fl1), "+r"(y), "=r"(fl2) : "r"(b) : "cc");
            __asm__ volatile("sbbb %b4, %b0; pushf; pop %1; xorw %w4, %w2; pushf; pop %3"
                             : "+r"(z), "=r"(fl3), "+r"(w), "=r"(fl4) : "r"(b) : "cc");
            sum = sum * 31 + x + (fl1 & FL) + y + (fl2 & FL) + z + (fl3 & FL) + w + (fl4 & FL);
        }
    printf("alu sweep checksum %lx\n", sum);
    report_done();
}
