/* Shifts and rotates: count masking and flags (SDM SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR,
 * SHLD/SHRD). */
#include "runtime.h"

#define SH(insn, m, v, c, want, wantcf) do {                                            \
    uint64_t r = (v), f;                                                                \
    __asm__ volatile("push $0x2; popf\n" insn " %%cl, %" m "0\npushf; pop %1"          \
                     : "+r"(r), "=r"(f) : "c"((uint64_t)(c)) : "cc");                   \
    reportf(r == (want) && (f & 1) == (wantcf), insn " %lx by %u = %lx cf %lu", (uint64_t)(v), \
            (unsigned)(c), r, f & 1);                                                    \
} while (0)

int main(void)
{
    SH("shlq", "", 1, 63, 0x8000000000000000, 0);
    SH("shlq", "", 3, 64, 3, 0);                       /* count masked to 0 */
    SH("shll", "k", 0x80000001, 1, 0x2, 1);
    SH("shrq", "", 0x8000000000000001, 1, 0x4000000000000000, 1);
    SH("sarq", "", 0x8000000000000000, 63, ~0ul, 0);
    SH("sarl", "k", 0x80000000, 33, 0xc0000000, 0);     /* 33 & 31 = 1 */
    SH("rolq", "", 0x8000000000000001, 1, 3, 1);
    SH("rorq", "", 1, 1, 0x8000000000000000, 1);
    SH("rolb", "b", 0x81, 9, 0x03, 1);                  /* masked count 9: rotate by 1 (mod 8) */
    SH("rcll", "k", 0x80000000, 1, 0, 1);
    SH("rcrq", "", 1, 1, 0, 1);

    /* 32-bit shift by 0 still zero-extends the destination */
    uint64_t r = 0xffffffff00000001;
    __asm__ volatile("shll %%cl, %k0" : "+r"(r) : "c"(0) : "cc");
    reportf(r == 1, "shl by 0 zero-extends 32-bit: %lx", r);
    /* OF for a 1-bit shift */
    uint64_t f;
    r = 0x40000000;
    __asm__ volatile("shll $1, %k0; pushf; pop %1" : "+r"(r), "=r"(f) :: "cc");
    reportf((f & 0x800) && !(f & 1), "shl 1 sets OF on sign change: flags %lx", f & 0x8d5);
    /* SHLD/SHRD */
    r = 0x1234;
    __asm__ volatile("shldq $8, %1, %0" : "+r"(r) : "r"(0xab00000000000000ul) : "cc");
    reportf(r == 0x1234ab, "shld 8 = %lx", r);
    r = 0x1234;
    __asm__ volatile("shrdq $8, %1, %0" : "+r"(r) : "r"(0xabul) : "cc");
    reportf(r == 0xab00000000000012, "shrd 8 = %lx", r);

    uint64_t sum = 0;
    for (unsigned c = 0; c < 70; c += 3) {
        uint64_t a = 0x8123456789abcdefull, b = a, d = a, e = a, fl1, fl2, fl3;
        __asm__ volatile("shlq %%cl, %0; pushf; pop %1; sarl %%cl, %k2; pushf; pop %3; rorw %%cl, %w4; pushf; pop %5"
                         : "+r"(a), "=r"(fl1), "+r"(b), "=r"(fl2), "+r"(d), "=r"(fl3) : "c"(c) : "cc");
        __asm__ volatile("shrdl %%cl, %k1, %k0" : "+r"(e) : "r"(0x5555aaaaul), "c"(c & 31 ? c : 1) : "cc");
        sum = sum * 131 + a + b + d + e + (fl1 & 0x801) + (fl2 & 0x1) + (fl3 & 1);
    }
    printf("shift sweep checksum %lx\n", sum);
    report_done();
}
