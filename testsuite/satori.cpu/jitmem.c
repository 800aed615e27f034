/* Host-code forms whose flags are dead (cpu/native-alu.c emit_dead_flags(),
 * cpu/native-mem.c mem_shift): SHL/SHR/SAR/ROL/ROR of memory by an
 * immediate at 1, 2, 4 and 8 bytes, and register ALU/INC/DEC/NEG/shift
 * forms done in place (32-bit results zero-extend), each followed by an
 * instruction that overwrites every flag, with known answers (SDM
 * definitions) and a flag check after the overwriting instruction. */
#include "runtime.h"

#define MEMSH(insn, T, v, want) do {                                                \
    volatile T x = (v);                                                            \
    uint64_t f;                                                                    \
    __asm__ volatile(insn " %1\n\txor %%eax, %%eax\n\tpushf\n\tpop %0"             \
                     : "=r"(f), "+m"(x) : : "rax", "cc");                         \
    reportf((uint64_t)x == (uint64_t)(T)(want) && (f & 0x8d5) == 0x44,             \
            insn " %lx = %lx flags %lx", (uint64_t)(T)(v), (uint64_t)x, f & 0x8d5); \
} while (0)

#define REG1(insn, v, want) do {                                                   \
    uint64_t r = (v), f;                                                           \
    __asm__ volatile(insn "\n\ttest %%eax, %%eax\n\tpushf\n\tpop %1"               \
                     : "+r"(r), "=r"(f) : "a"(0u) : "rcx", "cc");                      \
    reportf(r == (want) && (f & 0x8d5) == 0x44, "%s %lx = %lx flags %lx", insn,    \
            (uint64_t)(v), r, f & 0x8d5);                                          \
} while (0)

int main(void)
{
    MEMSH("rolw $3,", uint16_t, 0x9234, 0x91a4);
    MEMSH("rorw $4,", uint16_t, 0x1234, 0x4123);
    MEMSH("rolb $1,", uint8_t, 0x81, 0x03);
    MEMSH("rorb $9,", uint8_t, 0x01, 0x80);        /* masked 9: by 1 (mod 8) */
    MEMSH("roll $8,", uint32_t, 0x12345678, 0x34567812);
    MEMSH("rorq $12,", uint64_t, 0x123456789abcdef0ull, 0xef0123456789abcdull);
    MEMSH("shlw $5,", uint16_t, 0xffff, 0xffe0);
    MEMSH("shrb $3,", uint8_t, 0x88, 0x11);
    MEMSH("sarw $4,", uint16_t, 0x8000, 0xf800);
    MEMSH("sarl $31,", uint32_t, 0x80000000, 0xffffffff);
    MEMSH("shlq $63,", uint64_t, 3, 0x8000000000000000ull);
    MEMSH("shrq $1,", uint64_t, 0x8000000000000001ull, 0x4000000000000000ull);

    REG1("addl $1, %k0", 0xffffffff00000007ull, 8);                     /* zero-extends */
    REG1("addq $1, %0", 0xffffffffffffffffull, 0);
    REG1("subl $-2, %k0", 0x1234500000000001ull, 3);
    REG1("xorl %k0, %k0", 0xdeadbeefcafef00dull, 0);
    REG1("andl $0xff, %k0", 0xffffffffffff1234ull, 0x34);
    REG1("orq $-16, %0", 0x5ull, 0xfffffffffffffff5ull);
    REG1("movabs $0x100000000, %%rcx\n\taddq %%rcx, %0", 1, 0x100000001ull);
    REG1("incl %k0", 0xffffffffffffffffull, 0);
    REG1("decq %0", 0, 0xffffffffffffffffull);
    REG1("negl %k0", 0xffffffff00000001ull, 0xffffffffull);
    REG1("shll $4, %k0", 0xff0000000f000001ull, 0xf0000010ull);
    REG1("sarl $4, %k0", 0x80000000ull, 0xf8000000ull);
    REG1("shrq $60, %0", 0xf000000000000000ull, 0xf);
    REG1("movl $5, %k0", 0xffffffffffffffffull, 5);
    report_done();
}
