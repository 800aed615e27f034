/* Byte and word operands of guest registers held in host registers
 * (cpu/native-regs.c emit_reg_part(), cached_part(); cpu/native-mem.c
 * loads and stores of 1 and 2 bytes; SETcc and MOVZX/MOVSX in
 * cpu/native-alu.c).  Each sequence uses its register often enough to be
 * one of the block's cached registers, writes its low byte or word
 * (the upper bits must survive), mixes in AH..BH (never cached: the cached
 * value must be flushed before and reloaded after), and ends with a full
 * 64-bit read; the answers follow from the SDM's definitions. */
#include "regseq.h"

#define PART(seq, v, want) REG_SEQ(seq, v, want)

int main(void)
{
    PART("movb $0x5a, %%bl\n\taddb $1, %%bl\n\taddb %%bl, %%bl",
         0x1122334455667788ull, 0x11223344556677b6ull);
    PART("movw $0x1234, %%bx\n\taddw %%bx, %%bx\n\txorw $0xff, %%bx",
         0x1122334455667788ull, 0x1122334455662497ull);
    PART("xor %%ecx, %%ecx\n\tcmp $1, %%rcx\n\tsetb %%bl\n\tmovzbl %%bl, %%ecx\n\tadd %%rcx, %%rbx",
         0xffffffffffffff00ull, 0xffffffffffffff02ull);
    PART("movb $0x7f, %%bh\n\tincb %%bh\n\tmovb %%bh, %%bl\n\taddb $1, %%bl",
         0xaaaaaaaaaaaaaaaaull, 0xaaaaaaaaaaaa8081ull);
    PART("movb $0x12, %%bl\n\tmovb $0x34, %%bh\n\taddb %%bl, %%bh\n\tmovb %%bh, %%bl",
         0x5555555555555555ull, 0x5555555555554646ull);
    PART("movw $0x8081, %%bx\n\tmovsbq %%bl, %%rcx\n\tmovzwl %%bx, %%edx\n\t"
         "add %%rcx, %%rdx\n\tmov %%rdx, %%rbx",
         0, 0x8002);
    PART("mov %%rbx, %%rsi\n\tmovb $0xf0, %%sil\n\taddb $0x20, %%sil\n\tsubb %%sil, %%bl\n\t"
         "movw %%si, %%bx\n\tmov %%rsi, %%rbx",
         0x0123456789abcdefull, 0x0123456789abcd10ull);
    PART("negw %%bx\n\tnotb %%bl\n\tshlw $4, %%bx\n\tsarb $1, %%bl",
         0x7fff000000000001ull, 0x7fff00000000f000ull);

    volatile uint8_t m[4] = { 0xaa, 0xbb, 0xcc, 0xdd };
    uint64_t r = 0x1111111111111111ull;
    __asm__ volatile("mov %0, %%rbx\n\t"
                     "movb (%1), %%bl\n\taddb %%bl, %%bl\n\tmovb %%bl, 1(%1)\n\t"
                     "movw 2(%1), %%bx\n\tincw %%bx\n\tmovw %%bx, (%1)\n\t"
                     "mov %%rbx, %0"
                     : "+r"(r) : "r"(m) : "rbx", "cc", "memory");
    reportf(r == 0x111111111111ddcdull && m[0] == 0xcd && m[1] == 0xdd && m[2] == 0xcc
            && m[3] == 0xdd, "load/store byte and word: %lx, %02x %02x %02x %02x",
            r, m[0], m[1], m[2], m[3]);
    report_done();
}
