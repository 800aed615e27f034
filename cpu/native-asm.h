/*
 * cpu/native-asm.h: the x86-64 assembler layer host code is written in
 * (cpu/native*.c).  One named emitter per host instruction form, e.g.
 * asm_mov_r64_m64(p, dst, base, disp) for MOV r64, [base + disp]; the
 * encoding (REX, ModRM, SIB, disp8/disp32 choice) lives in two generic
 * encoders, asm_rm() and asm_rr() in cpu/native-asm.c.  Instruction
 * forms follow Intel SDM vol. 2 (chapter 2, "Instruction Format", and
 * the instruction pages); the mnemonics in the names are the SDM's.
 *
 * Every emitter appends at *p and advances it.  Forward branches return
 * the place of their displacement, patched with asm_patch32_here() or
 * asm_patch8_here() once the target is known.
 */
#ifndef SATORI_NATIVE_ASM_H
#define SATORI_NATIVE_ASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Host general registers by their encoding number. */
enum asm_reg {
    HR_RAX, HR_RCX, HR_RDX, HR_RBX, HR_RSP, HR_RBP, HR_RSI, HR_RDI,
    HR_R8, HR_R9, HR_R10, HR_R11, HR_R12, HR_R13, HR_R14, HR_R15,
    HR_NONE = 255       /* no index register */
};

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
enum asm_cc {
    CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
    CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G
};

/* asm_rm()/asm_rr() flags: prefixes and operand size */
enum {
    ASM_W = 1,          /* REX.W: 64-bit operand */
    ASM_66 = 2,         /* operand-size prefix: 16-bit operand */
    ASM_BYTE = 4,       /* byte registers: SPL..DIL need a REX prefix */
};

void emit8(uint8_t **p, uint8_t b);
void emit32(uint8_t **p, uint32_t v);
void emit64(uint8_t **p, uint64_t v);
void emit_bytes(uint8_t **p, const uint8_t *b, size_t n);

/*
 * op (n opcode bytes, mandatory prefixes such as F3 first in `pfx`, 0 for
 * none) with a ModRM whose reg field is `reg` (a register or an opcode
 * extension) and whose r/m is [base + index * 2^scale + disp]; index
 * HR_NONE for none.
 */
void asm_rm(uint8_t **p, unsigned flags, uint8_t pfx, const uint8_t *op, size_t n,
            unsigned reg, unsigned base, unsigned index, unsigned scale, int32_t disp);
/* op with a register-direct ModRM: reg field `reg`, r/m register `rm` */
void asm_rr(uint8_t **p, unsigned flags, uint8_t pfx, const uint8_t *op, size_t n,
            unsigned reg, unsigned rm);

/* Jumps: to a known target, or forward (returns the displacement to patch). */
void asm_jmp_rel32(uint8_t **p, const uint8_t *target);
void asm_jcc_rel32(uint8_t **p, unsigned cc, const uint8_t *target);
uint8_t *asm_jmp_fwd(uint8_t **p);
uint8_t *asm_jcc_fwd(uint8_t **p, unsigned cc);
uint8_t *asm_jcc8_fwd(uint8_t **p, unsigned cc);
uint8_t *asm_jmp8_fwd(uint8_t **p);
void asm_patch32_here(uint8_t **p, uint8_t *site);
void asm_patch8_here(uint8_t **p, uint8_t *site);

#define ASM_OP(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

/* ---- moves ---- */
static inline void asm_mov_r64_m64(uint8_t **p, unsigned dst, unsigned base, int32_t disp)
{ asm_rm(p, ASM_W, 0, ASM_OP(0x8b), dst, base, HR_NONE, 0, disp); }
static inline void asm_mov_r32_m32(uint8_t **p, unsigned dst, unsigned base, int32_t disp)
{ asm_rm(p, 0, 0, ASM_OP(0x8b), dst, base, HR_NONE, 0, disp); }
static inline void asm_mov_r16_m16(uint8_t **p, unsigned dst, unsigned base, int32_t disp)
{ asm_rm(p, ASM_66, 0, ASM_OP(0x8b), dst, base, HR_NONE, 0, disp); }
static inline void asm_mov_r8_m8(uint8_t **p, unsigned dst, unsigned base, int32_t disp)
{ asm_rm(p, ASM_BYTE, 0, ASM_OP(0x8a), dst, base, HR_NONE, 0, disp); }
static inline void asm_mov_m64_r64(uint8_t **p, unsigned base, int32_t disp, unsigned src)
{ asm_rm(p, ASM_W, 0, ASM_OP(0x89), src, base, HR_NONE, 0, disp); }
static inline void asm_mov_m32_r32(uint8_t **p, unsigned base, int32_t disp, unsigned src)
{ asm_rm(p, 0, 0, ASM_OP(0x89), src, base, HR_NONE, 0, disp); }
static inline void asm_mov_m16_r16(uint8_t **p, unsigned base, int32_t disp, unsigned src)
{ asm_rm(p, ASM_66, 0, ASM_OP(0x89), src, base, HR_NONE, 0, disp); }
static inline void asm_mov_m8_r8(uint8_t **p, unsigned base, int32_t disp, unsigned src)
{ asm_rm(p, ASM_BYTE, 0, ASM_OP(0x88), src, base, HR_NONE, 0, disp); }
static inline void asm_mov_m64_imm32(uint8_t **p, unsigned base, int32_t disp, int32_t imm)
{ asm_rm(p, ASM_W, 0, ASM_OP(0xc7), 0, base, HR_NONE, 0, disp); emit32(p, (uint32_t)imm); }
static inline void asm_mov_m32_imm32(uint8_t **p, unsigned base, int32_t disp, uint32_t imm)
{ asm_rm(p, 0, 0, ASM_OP(0xc7), 0, base, HR_NONE, 0, disp); emit32(p, imm); }
static inline void asm_movzx_r32_m8(uint8_t **p, unsigned dst, unsigned base, int32_t disp)
{ asm_rm(p, 0, 0, ASM_OP(0x0f, 0xb6), dst, base, HR_NONE, 0, disp); }
static inline void asm_movzx_r32_m16(uint8_t **p, unsigned dst, unsigned base, int32_t disp)
{ asm_rm(p, 0, 0, ASM_OP(0x0f, 0xb7), dst, base, HR_NONE, 0, disp); }
static inline void asm_movsxd_r64_m32(uint8_t **p, unsigned dst, unsigned base, int32_t disp)
{ asm_rm(p, ASM_W, 0, ASM_OP(0x63), dst, base, HR_NONE, 0, disp); }
/* [base + index] forms (the soft-TLB access: guest address + addend) */
static inline void asm_load_bi(uint8_t **p, unsigned size, unsigned dst, unsigned base,
                               unsigned index)
{
    static const uint8_t op[4][2] = { { 0x0f, 0xb6 }, { 0x0f, 0xb7 }, { 0x8b }, { 0x8b } };
    unsigned k = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
    asm_rm(p, k == 3 ? ASM_W : 0, 0, op[k], k < 2 ? 2 : 1, dst, base, index, 0, 0);
}
static inline void asm_store_bi(uint8_t **p, unsigned size, unsigned base, unsigned index,
                                unsigned src)
{
    unsigned fl = size == 8 ? ASM_W : size == 2 ? ASM_66 : size == 1 ? ASM_BYTE : 0;
    uint8_t op = size == 1 ? 0x88 : 0x89;
    asm_rm(p, fl, 0, &op, 1, src, base, index, 0, 0);
}
/* MOVSX/MOVSXD r <- [base+index] of `from` (1, 2, 4) bytes: to 64 bits with `w64`, else to
 * 32 (which the host zero-extends) */
static inline void asm_load_sx_bi(uint8_t **p, unsigned from, bool w64, unsigned dst,
                                  unsigned base, unsigned index)
{
    if (from == 4)
        asm_rm(p, ASM_W, 0, ASM_OP(0x63), dst, base, index, 0, 0);
    else
        asm_rm(p, w64 ? ASM_W : 0, 0, ASM_OP(0x0f, from == 1 ? 0xbe : 0xbf), dst, base, index,
               0, 0);
}
/* MOVSX/MOVSXD dst, src of `from` bytes (the low byte, word, dword of src; not AH..BH) */
static inline void asm_movsx_rr(uint8_t **p, unsigned from, bool w64, unsigned dst, unsigned src)
{
    if (from == 4)
        asm_rr(p, ASM_W, 0, ASM_OP(0x63), dst, src);
    else
        asm_rr(p, (w64 ? ASM_W : 0) | ASM_BYTE, 0, ASM_OP(0x0f, from == 1 ? 0xbe : 0xbf), dst,
               src);
}
/* MOV of `size` (1, 2, 4, 8) bytes without extension: r <- [base+index] */
static inline void asm_mov_r_bi(uint8_t **p, unsigned size, unsigned dst, unsigned base,
                                unsigned index)
{
    unsigned fl = size == 8 ? ASM_W : size == 2 ? ASM_66 : size == 1 ? ASM_BYTE : 0;
    uint8_t op = size == 1 ? 0x8a : 0x8b;
    asm_rm(p, fl, 0, &op, 1, dst, base, index, 0, 0);
}
static inline void asm_mov_r64_r64(uint8_t **p, unsigned dst, unsigned src)
{ asm_rr(p, ASM_W, 0, ASM_OP(0x89), src, dst); }
static inline void asm_mov_r32_r32(uint8_t **p, unsigned dst, unsigned src)
{ asm_rr(p, 0, 0, ASM_OP(0x89), src, dst); }
static inline void asm_movzx_r32_r8(uint8_t **p, unsigned dst, unsigned src)
{ asm_rr(p, ASM_BYTE, 0, ASM_OP(0x0f, 0xb6), dst, src); }
static inline void asm_movzx_r32_r16(uint8_t **p, unsigned dst, unsigned src)
{ asm_rr(p, 0, 0, ASM_OP(0x0f, 0xb7), dst, src); }
static inline void asm_movsx_r64_r8(uint8_t **p, unsigned dst, unsigned src)
{ asm_rr(p, ASM_W | ASM_BYTE, 0, ASM_OP(0x0f, 0xbe), dst, src); }
static inline void asm_movsx_r64_r16(uint8_t **p, unsigned dst, unsigned src)
{ asm_rr(p, ASM_W, 0, ASM_OP(0x0f, 0xbf), dst, src); }
static inline void asm_movsxd_r64_r32(uint8_t **p, unsigned dst, unsigned src)
{ asm_rr(p, ASM_W, 0, ASM_OP(0x63), dst, src); }
void asm_mov_r64_imm64(uint8_t **p, unsigned dst, uint64_t imm);     /* movabs */
void asm_mov_r32_imm32(uint8_t **p, unsigned dst, uint32_t imm);
static inline void asm_lea_r64_m(uint8_t **p, unsigned dst, unsigned base, int32_t disp)
{ asm_rm(p, ASM_W, 0, ASM_OP(0x8d), dst, base, HR_NONE, 0, disp); }
static inline void asm_lea_r32_m(uint8_t **p, unsigned dst, unsigned base, int32_t disp)
{ asm_rm(p, 0, 0, ASM_OP(0x8d), dst, base, HR_NONE, 0, disp); }
static inline void asm_lea_r64_sib(uint8_t **p, unsigned dst, unsigned base, unsigned index,
                                   unsigned scale, int32_t disp)
{ asm_rm(p, ASM_W, 0, ASM_OP(0x8d), dst, base, index, scale, disp); }

/* LEA dst, [index * 2^scale + disp32]: no base register */
void asm_lea_index(uint8_t **p, unsigned flags, unsigned dst, unsigned index, unsigned scale,
                   int32_t disp);

/* ---- ALU ---- */
/* "op r/m, r" (host_op 01 ADD, 09 OR, 11 ADC, 19 SBB, 21 AND, 29 SUB, 31 XOR, 39 CMP, 85 TEST) */
static inline void asm_alu_rr(uint8_t **p, unsigned flags, uint8_t host_op, unsigned dst,
                              unsigned src)
{ asm_rr(p, flags, 0, &host_op, 1, src, dst); }
static inline void asm_alu_r64_r64(uint8_t **p, uint8_t host_op, unsigned dst, unsigned src)
{ asm_alu_rr(p, ASM_W, host_op, dst, src); }
static inline void asm_test_r64_r64(uint8_t **p, unsigned a, unsigned b)
{ asm_alu_rr(p, ASM_W, 0x85, a, b); }
static inline void asm_cmp_r64_r64(uint8_t **p, unsigned a, unsigned b)
{ asm_alu_rr(p, ASM_W, 0x39, a, b); }
static inline void asm_xor_r32_r32(uint8_t **p, unsigned a, unsigned b)
{ asm_alu_rr(p, 0, 0x31, a, b); }
/* "op r, r/m" with a memory source (03 ADD, 0B OR, 2B SUB, 3B CMP) */
static inline void asm_alu_r_m(uint8_t **p, unsigned flags, uint8_t host_op, unsigned dst,
                               unsigned base, unsigned index, int32_t disp)
{ asm_rm(p, flags, 0, &host_op, 1, dst, base, index, 0, disp); }
/* group 1 (81 /ext imm32 or imm16 with ASM_66, 83 /ext imm8 when it fits, 80 /ext imm8
 * with ASM_BYTE): ext 0 ADD, 1 OR, 4 AND, 5 SUB, 6 XOR, 7 CMP */
void asm_alu_r_imm(uint8_t **p, unsigned flags, unsigned ext, unsigned r, int32_t imm);
void asm_alu_m_imm(uint8_t **p, unsigned flags, unsigned ext, unsigned base, int32_t disp,
                   int32_t imm);
enum { ALU_EXT_ADD = 0, ALU_EXT_OR = 1, ALU_EXT_AND = 4, ALU_EXT_SUB = 5, ALU_EXT_CMP = 7 };
static inline void asm_cmp_m8_imm8(uint8_t **p, unsigned base, int32_t disp, uint8_t imm)
{ asm_rm(p, 0, 0, ASM_OP(0x80), 7, base, HR_NONE, 0, disp); emit8(p, imm); }
static inline void asm_test_m32_imm32(uint8_t **p, unsigned base, int32_t disp, uint32_t imm)
{ asm_rm(p, 0, 0, ASM_OP(0xf7), 0, base, HR_NONE, 0, disp); emit32(p, imm); }
/* TEST r, imm: F7 /0 imm32 (imm16 with ASM_66), F6 /0 imm8 with ASM_BYTE */
void asm_test_r_imm(uint8_t **p, unsigned flags, unsigned r, int32_t imm);
static inline void asm_test_r8_imm8(uint8_t **p, unsigned r, uint8_t imm)
{ asm_rr(p, ASM_BYTE, 0, ASM_OP(0xf6), 0, r); emit8(p, imm); }
static inline void asm_test_r8_r8(uint8_t **p, unsigned a, unsigned b)
{ asm_rr(p, ASM_BYTE, 0, ASM_OP(0x84), b, a); }
static inline void asm_imul_r64_r64(uint8_t **p, unsigned dst, unsigned src)
{ asm_rr(p, ASM_W, 0, ASM_OP(0x0f, 0xaf), dst, src); }
/* group 2 by an immediate (C1, C0 with ASM_BYTE) or CL: ext 0 ROL, 1 ROR, 4 SHL, 5 SHR, 7 SAR */
void asm_shift_imm(uint8_t **p, unsigned flags, unsigned ext, unsigned r, uint8_t count);
static inline void asm_shift_cl(uint8_t **p, unsigned flags, unsigned ext, unsigned r)
{ asm_rr(p, flags, 0, ASM_OP(0xd3), ext, r); }
/* SHLD/SHRD dst, src by an immediate or CL */
void asm_shxd(uint8_t **p, unsigned flags, bool right, bool cl, unsigned dst, unsigned src,
              uint8_t count);
/* group 3/5 unary: NOT (f7 /2), INC (ff /0), DEC (ff /1) */
static inline void asm_not_r(uint8_t **p, unsigned flags, unsigned r)
{ asm_rr(p, flags, 0, ASM_OP(0xf7), 2, r); }
static inline void asm_incdec_r(uint8_t **p, unsigned flags, bool inc, unsigned r)
{ asm_rr(p, flags, 0, ASM_OP(0xff), inc ? 0 : 1, r); }
/* BT r32, imm8 (0f ba /4) */
static inline void asm_bt_r32_imm8(uint8_t **p, unsigned r, uint8_t bit)
{ asm_rr(p, 0, 0, ASM_OP(0x0f, 0xba), 4, r); emit8(p, bit); }
static inline void asm_setcc_r8(uint8_t **p, unsigned cc, unsigned r)
{ asm_rr(p, ASM_BYTE, 0, ASM_OP(0x0f, (uint8_t)(0x90 | cc)), 0, r); }
static inline void asm_cmovcc(uint8_t **p, unsigned flags, unsigned cc, unsigned dst, unsigned src)
{ asm_rr(p, flags, 0, ASM_OP(0x0f, (uint8_t)(0x40 | cc)), dst, src); }

/* ---- control ---- */
static inline void asm_call_r(uint8_t **p, unsigned r)
{ asm_rr(p, 0, 0, ASM_OP(0xff), 2, r); }
static inline void asm_call_m64(uint8_t **p, unsigned base, int32_t disp)
{ asm_rm(p, 0, 0, ASM_OP(0xff), 2, base, HR_NONE, 0, disp); }
static inline void asm_jmp_r(uint8_t **p, unsigned r)
{ asm_rr(p, 0, 0, ASM_OP(0xff), 4, r); }
void asm_push_r64(uint8_t **p, unsigned r);
void asm_pop_r64(uint8_t **p, unsigned r);
static inline void asm_ret(uint8_t **p) { emit8(p, 0xc3); }

/* ---- SSE (xmm registers by number) ---- */
/* F3 0F 6F MOVDQU xmm, m128 / F3 0F 7F MOVDQU m128, xmm; F3 0F 7E MOVQ xmm, m64;
 * 66 0F D6 MOVQ m64, xmm */
static inline void asm_movdqu_x_m(uint8_t **p, unsigned x, unsigned base, int32_t disp)
{ asm_rm(p, 0, 0xf3, ASM_OP(0x0f, 0x6f), x, base, HR_NONE, 0, disp); }
static inline void asm_movdqu_m_x(uint8_t **p, unsigned base, int32_t disp, unsigned x)
{ asm_rm(p, 0, 0xf3, ASM_OP(0x0f, 0x7f), x, base, HR_NONE, 0, disp); }
static inline void asm_movq_x_m(uint8_t **p, unsigned x, unsigned base, int32_t disp)
{ asm_rm(p, 0, 0xf3, ASM_OP(0x0f, 0x7e), x, base, HR_NONE, 0, disp); }
static inline void asm_movq_m_x(uint8_t **p, unsigned base, int32_t disp, unsigned x)
{ asm_rm(p, 0, 0x66, ASM_OP(0x0f, 0xd6), x, base, HR_NONE, 0, disp); }
/* 66 0F op xmm, xmm (the packed integer/logic forms) */
static inline void asm_sse66_x_x(uint8_t **p, uint8_t op, unsigned dst, unsigned src)
{ asm_rr(p, 0, 0x66, ASM_OP(0x0f, op), dst, src); }
static inline void asm_pmovmskb_r32_x(uint8_t **p, unsigned dst, unsigned x)
{ asm_rr(p, 0, 0x66, ASM_OP(0x0f, 0xd7), dst, x); }

#endif
