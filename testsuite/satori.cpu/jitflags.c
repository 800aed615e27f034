/* Host code that leaves the lazy flags alone or takes them from the host
 * (cpu/native.c flags_dead_after(), next_reads(); cpu/native-alu.c
 * emit_inplace(), emit_alu_hostflags()) and effective addresses as one
 * LEA (cpu/native-mem.c emit_ea_to()):
 *   - rotates whose flags are dead let the flags of what came before pass
 *     through them (ROR by CL between an ADD and the ADD that overwrites
 *     its flags: host code, no handler call; the .exp checks -d jit);
 *   - 1- and 2-byte ALU and shift forms with dead flags done in place on
 *     the low byte or word (the upper bits must survive; AH..BH beside);
 *   - CMP/TEST/SUB/AND read right after by SETcc, CMOVcc or a forward Jcc
 *     take the host flags (CMP and TEST must not write their register);
 *   - LEA with no base register, 32-bit LEA results, loads through an
 *     index-only address.
 * The answers follow from the SDM's definitions; output compared with QEMU. */
#include "regseq.h"

#define SEQ(seq, v, want) REG_SEQ(seq, v, want)

static uint64_t tab[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };
static int16_t sx16 = -2;
static int8_t sx8 = -128;

int main(void)
{
    SEQ("add $3, %%rbx\n\tmov $5, %%ecx\n\tror %%cl, %%ebx\n\trol $13, %%rbx\n\tadd $1, %%rbx",
        0x0123456789abcdefull, 0x1289abcde001ull);
    SEQ("addb $0x90, %%bl\n\tsubw $0x1234, %%bx\n\tshlb $3, %%bl\n\tsarw $2, %%bx\n\t"
        "orb $1, %%bl\n\taddb %%bh, %%bl\n\tadd %%rbx, %%rbx",
        0xfedcba9876543210ull, 0xfdb97530eca81042ull);

    /* CMP of the low half: the upper half stays */
    SEQ("cmp $0, %%ebx\n\tsetz %%cl\n\tmovzbl %%cl, %%ecx\n\tadd %%rcx, %%rbx",
        0x8000000000ull, 0x8000000001ull);
    SEQ("mov $7, %%edx\n\ttest $0x80, %%bl\n\tcmovne %%rdx, %%rbx", 0x1234567800000081ull, 7);
    SEQ("mov $7, %%edx\n\ttest $0x80, %%bl\n\tcmovne %%rdx, %%rbx",
        0x1234567800000071ull, 0x1234567800000071ull);
    SEQ("cmpw $0x1234, %%bx\n\tsetl %%cl\n\tmovzbl %%cl, %%ecx\n\tshl $32, %%rcx\n\tadd %%rcx, %%rbx",
        0xffff8000ull, 0x1ffff8000ull);
    SEQ("sub $1, %%rbx\n\tsete %%cl\n\tmovzbl %%cl, %%ecx\n\tadd %%rcx, %%rbx", 1, 1);
    /* read one micro-op later: rebuilt from the registers after the ADD done in place */
    SEQ("add $1, %%rbx\n\tmov %%rbx, %%rcx\n\tsetc %%dl\n\tmovzbl %%dl, %%edx\n\tadd %%rdx, %%rbx",
        0xffffffffffffffffull, 1);
    SEQ("add $1, %%ebx\n\tmov %%rbx, %%rcx\n\tseto %%dl\n\tmovzbl %%dl, %%edx\n\tadd %%rdx, %%rbx",
        0x7fffffffull, 0x80000001ull);

    SEQ("and $0xf0, %%ebx\n\tsetnz %%cl\n\tmovzbl %%cl, %%ecx\n\tadd %%rcx, %%rbx",
        0xffffffff0000000full, 0);
    SEQ("mov %%rbx, %%rsi\n\tcmpb $0x7f, %%sil\n\tsetg %%cl\n\tmovzbl %%cl, %%ecx\n\tadd %%rcx, %%rbx",
        0x80ull, 0x80ull);
    SEQ("cmp $5, %%rbx\n\tjae 1f\n\tadd $100, %%rbx\n1:\tadd $1, %%rbx", 4, 105);
    SEQ("cmp $5, %%rbx\n\tjae 1f\n\tadd $100, %%rbx\n1:\tadd $1, %%rbx", 5, 6);
    SEQ("cmp $5, %%bl\n\tjb 1f\n\tadd $100, %%rbx\n1:\tadd $1, %%rbx", 0x104, 0x105);

    SEQ("lea 0x100(,%%rbx,8), %%rbx", 0x12345, 0x91b28);
    SEQ("lea -8(,%%rbx,2), %%ebx", 0x80000003ull, 0xfffffffeull);
    SEQ("lea -1(%%rbx), %%ebx", 0x100000000ull, 0xffffffffull);
    SEQ("lea 0x10(%%rbx,%%rbx,4), %%rbx", 0x100000000ull, 0x500000010ull);
    uint64_t r = 2;
    __asm__ volatile("mov %0, %%rcx\n\tmovq %c1(,%%rcx,8), %%rbx\n\taddq %c1+8(,%%rcx,8), %%rbx\n\t"
                     "mov %%rbx, %0"
                     : "+r"(r) : "i"(tab) : "rbx", "rcx", "cc", "memory");
    reportf(r == 0x7777, "load through an index-only address: %lx (want 7777)", r);
    /* sign-extending loads straight into their register: 64 bits, and 32 zero-extended */
    r = 0x5555555555555555ull;
    __asm__ volatile("movswq %c1, %%rbx\n\tmov %0, %%rcx\n\tmovsbl %c2, %%ecx\n\t"
                     "add %%rcx, %%rbx\n\tmov %%rbx, %0"
                     : "+r"(r) : "i"(&sx16), "i"(&sx8) : "rbx", "rcx", "cc", "memory");
    reportf(r == 0xffffff7eull, "MOVSX loads: %lx (want ffffff7e)", r);
    report_done();
}
