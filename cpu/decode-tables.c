/*
 * cpu/decode-tables.c: the one-byte opcode map and the groups of all maps,
 * as data (SDM vol. 2, appendix A, tables ).  The 0F map
 * is in decode-tables-0f.c, 0F38/0F3A and VEX in decode-tables-0f38.c.
 * Operand legend in decode-tables.h.  Attributes: M = ModRM follows, B = byte operation,
 * D64 = default 64-bit operand size in 64-bit mode, F64 = forced 64-bit,
 * N64 = invalid in 64-bit mode, O64 = only in 64-bit mode, MEM/REG =
 * ModRM form restriction; flags for the translator: L = LOCK allowed,
 * P = CPL 0 only, E = ends the block, R = REP meaningful.
 * The x87 escapes D8-DF have their own map in decode-x87.c.
 *
 * Deviations from the SDM's tables, on purpose: an opcode of a prefix
 * column the SDM leaves empty is #UD (hardware sometimes ignores the
 * prefix); 90 with REX.B and F3 90 are resolved by onebyte_90() because
 * the one-byte map has no prefix columns; ARPL/MOVSXD (63) is chosen by
 * mode in decode.c.
 */
#include "cpu/decode-tables.h"

#include <stddef.h>

#include "cpu/decode-tables-macros.h"



#define ALU_ROW(base, op) \
    [base + 0] = I(op, Eb, Gb, _, M | B, L), \
    [base + 1] = I(op, Ev, Gv, _, M, L), \
    [base + 2] = I(op, Gb, Eb, _, M | B, 0), \
    [base + 3] = I(op, Gv, Ev, _, M, 0), \
    [base + 4] = I(op, AL, Ib, _, B, 0), \
    [base + 5] = I(op, rAX, Iz, _, 0, 0)

const struct opcode_entry onebyte_map[256] = {
    ALU_ROW(0x00, ADD), ALU_ROW(0x08, OR), ALU_ROW(0x10, ADC), ALU_ROW(0x18, SBB),
    ALU_ROW(0x20, AND), ALU_ROW(0x28, SUB), ALU_ROW(0x30, XOR),
    [0x38] = I(CMP, Eb, Gb, _, M | B, 0), [0x39] = I(CMP, Ev, Gv, _, M, 0),
    [0x3a] = I(CMP, Gb, Eb, _, M | B, 0), [0x3b] = I(CMP, Gv, Ev, _, M, 0),
    [0x3c] = I(CMP, AL, Ib, _, B, 0), [0x3d] = I(CMP, rAX, Iz, _, 0, 0),
    [0x06] = I(PUSH_SEG, _, _, _, N64, 0), [0x07] = I(POP_SEG, _, _, _, N64, E),
    [0x0e] = I(PUSH_SEG, _, _, _, N64, 0),
    [0x16] = I(PUSH_SEG, _, _, _, N64, 0), [0x17] = I(POP_SEG, _, _, _, N64, E),
    [0x1e] = I(PUSH_SEG, _, _, _, N64, 0), [0x1f] = I(POP_SEG, _, _, _, N64, E),
    [0x27] = I(DAA, _, _, _, N64, 0), [0x2f] = I(DAS, _, _, _, N64, 0),
    [0x37] = I(AAA, _, _, _, N64, 0), [0x3f] = I(AAS, _, _, _, N64, 0),
    [0x40 ... 0x47] = I(INC, Zv, _, _, N64, 0),
    [0x48 ... 0x4f] = I(DEC, Zv, _, _, N64, 0),
    [0x50 ... 0x57] = I(PUSH, Zv, _, _, D64, 0),
    [0x58 ... 0x5f] = I(POP, Zv, _, _, D64, 0),
    [0x60] = I(PUSHA, _, _, _, N64, 0), [0x61] = I(POPA, _, _, _, N64, 0),
    [0x62] = I(BOUND, Gv, M, _, M | N64, 0),
    [0x63] = I(MOVSXD, Gv, Ed, _, M, 0), /* ARPL outside 64-bit mode: see arpl_entry */
    [0x68] = I(PUSH, Iz, _, _, D64, 0),
    [0x69] = I(IMUL, Gv, Ev, Iz, M, 0),
    [0x6a] = I(PUSH, Ibs, _, _, D64, 0),
    [0x6b] = I(IMUL, Gv, Ev, Ibs, M, 0),
    [0x6c] = I(INS, _, _, _, B, R), [0x6d] = I(INS, _, _, _, 0, R),
    [0x6e] = I(OUTS, _, _, _, B, R), [0x6f] = I(OUTS, _, _, _, 0, R),
    [0x70 ... 0x7f] = I(JCC, Jb, _, _, F64 | CC, E),
    [0x80] = G(GRP_80, B), [0x81] = G(GRP_81, 0), [0x82] = G(GRP_82, B | N64),
    [0x83] = G(GRP_83, 0),
    [0x84] = I(TEST, Eb, Gb, _, M | B, 0), [0x85] = I(TEST, Ev, Gv, _, M, 0),
    [0x86] = I(XCHG, Eb, Gb, _, M | B, L), [0x87] = I(XCHG, Ev, Gv, _, M, L),
    [0x88] = I(MOV, Eb, Gb, _, M | B, 0), [0x89] = I(MOV, Ev, Gv, _, M, 0),
    [0x8a] = I(MOV, Gb, Eb, _, M | B, 0), [0x8b] = I(MOV, Gv, Ev, _, M, 0),
    [0x8c] = I(MOV_SEG, Ev, Sw, _, M, 0),
    [0x8d] = I(LEA, Gv, M, _, M | MEM, 0),
    [0x8e] = I(MOV_SEG, Sw, Ew, _, M, E),
    [0x8f] = G(GRP_8F, D64),
    [0x90] = I(NOP, _, _, _, 0, 0), /* see onebyte_90() */
    [0x91 ... 0x97] = I(XCHG, Zv, rAX, _, 0, 0),
    [0x98] = I(CBW, _, _, _, 0, 0), [0x99] = I(CWD, _, _, _, 0, 0),
    [0x9a] = I(CALLF, Ap, _, _, N64, E),
    [0x9b] = I(FWAIT, _, _, _, 0, 0),
    [0x9c] = I(PUSHF, _, _, _, D64, 0), [0x9d] = I(POPF, _, _, _, D64, E),
    [0x9e] = I(SAHF, _, _, _, 0, 0), [0x9f] = I(LAHF, _, _, _, 0, 0),
    [0xa0] = I(MOV, AL, Ob, _, B, 0), [0xa1] = I(MOV, rAX, Ov, _, 0, 0),
    [0xa2] = I(MOV, Ob, AL, _, B, 0), [0xa3] = I(MOV, Ov, rAX, _, 0, 0),
    [0xa4] = I(MOVS, _, _, _, B, R), [0xa5] = I(MOVS, _, _, _, 0, R),
    [0xa6] = I(CMPS, _, _, _, B, R), [0xa7] = I(CMPS, _, _, _, 0, R),
    [0xa8] = I(TEST, AL, Ib, _, B, 0), [0xa9] = I(TEST, rAX, Iz, _, 0, 0),
    [0xaa] = I(STOS, _, _, _, B, R), [0xab] = I(STOS, _, _, _, 0, R),
    [0xac] = I(LODS, _, _, _, B, R), [0xad] = I(LODS, _, _, _, 0, R),
    [0xae] = I(SCAS, _, _, _, B, R), [0xaf] = I(SCAS, _, _, _, 0, R),
    [0xb0 ... 0xb7] = I(MOV, Zb, Ib, _, B, 0),
    [0xb8 ... 0xbf] = I(MOV, Zv, Iv, _, 0, 0),
    [0xc0] = G(GRP_C0, B), [0xc1] = G(GRP_C1, 0),
    [0xc2] = I(RET, Iw, _, _, F64, E), [0xc3] = I(RET, _, _, _, F64, E),
    [0xc4] = I(LES, Gv, Mp, _, M | N64, 0), [0xc5] = I(LDS, Gv, Mp, _, M | N64, 0),
    [0xc6] = G(GRP_C6, B), [0xc7] = G(GRP_C7, 0),
    [0xc8] = I(ENTER, Iw, Ib, _, D64, 0), [0xc9] = I(LEAVE, _, _, _, D64, 0),
    [0xca] = I(RETF, Iw, _, _, 0, E), [0xcb] = I(RETF, _, _, _, 0, E),
    [0xcc] = I(INT3, _, _, _, 0, E), [0xcd] = I(INT, Ib, _, _, 0, E),
    [0xce] = I(INTO, _, _, _, N64, E), [0xcf] = I(IRET, _, _, _, 0, E),
    [0xd0] = G(GRP_D0, B), [0xd1] = G(GRP_D1, 0), [0xd2] = G(GRP_D2, B), [0xd3] = G(GRP_D3, 0),
    [0xd4] = I(AAM, Ib, _, _, N64, 0), [0xd5] = I(AAD, Ib, _, _, N64, 0),
    [0xd6] = I(SALC, _, _, _, N64, 0),
    [0xd7] = I(XLAT, _, _, _, B, 0),
    /* x87 escapes: rows in decode-x87.c */
    [0xd8] = { .attrs = A_MODRM | A_X87 }, [0xd9] = { .attrs = A_MODRM | A_X87 },
    [0xda] = { .attrs = A_MODRM | A_X87 }, [0xdb] = { .attrs = A_MODRM | A_X87 },
    [0xdc] = { .attrs = A_MODRM | A_X87 }, [0xdd] = { .attrs = A_MODRM | A_X87 },
    [0xde] = { .attrs = A_MODRM | A_X87 }, [0xdf] = { .attrs = A_MODRM | A_X87 },
    [0xe0] = I(LOOPNE, Jb, _, _, F64, E), [0xe1] = I(LOOPE, Jb, _, _, F64, E),
    [0xe2] = I(LOOP, Jb, _, _, F64, E), [0xe3] = I(JCXZ, Jb, _, _, F64, E),
    [0xe4] = I(IN, AL, Ib, _, B, 0), [0xe5] = I(IN, eAX, Ib, _, 0, 0),
    [0xe6] = I(OUT, Ib, AL, _, B, E), [0xe7] = I(OUT, Ib, eAX, _, 0, E),
    [0xe8] = I(CALL, Jz, _, _, F64, E), [0xe9] = I(JMP, Jz, _, _, F64, E),
    [0xea] = I(JMPF, Ap, _, _, N64, E), [0xeb] = I(JMP, Jb, _, _, F64, E),
    [0xec] = I(IN, AL, DX, _, B, 0), [0xed] = I(IN, eAX, DX, _, 0, 0),
    [0xee] = I(OUT, DX, AL, _, B, E), [0xef] = I(OUT, DX, eAX, _, 0, E),
    [0xf1] = I(INT1, _, _, _, 0, E),
    [0xf4] = I(HLT, _, _, _, 0, P | E),
    [0xf5] = I(CMC, _, _, _, 0, 0),
    [0xf6] = G(GRP_F6, B), [0xf7] = G(GRP_F7, 0),
    [0xf8] = I(CLC, _, _, _, 0, 0), [0xf9] = I(STC, _, _, _, 0, 0),
    [0xfa] = I(CLI, _, _, _, 0, 0), [0xfb] = I(STI, _, _, _, 0, E),
    [0xfc] = I(CLD, _, _, _, 0, 0), [0xfd] = I(STD, _, _, _, 0, 0),
    [0xfe] = G(GRP_FE, B), [0xff] = G(GRP_FF, 0),
};

/* ---- groups -------------------------------------------------------------- */

#define ALU_GROUP(a, b, at)                                                   \
    { I(ADD, a, b, _, M | (at), L), I(OR, a, b, _, M | (at), L),               \
      I(ADC, a, b, _, M | (at), L), I(SBB, a, b, _, M | (at), L),              \
      I(AND, a, b, _, M | (at), L), I(SUB, a, b, _, M | (at), L),              \
      I(XOR, a, b, _, M | (at), L), I(CMP, a, b, _, M | (at), 0) }

#define SHIFT_GROUP(a, b, at)                                                 \
    { I(ROL, a, b, _, M | (at), 0), I(ROR, a, b, _, M | (at), 0),              \
      I(RCL, a, b, _, M | (at), 0), I(RCR, a, b, _, M | (at), 0),              \
      I(SHL, a, b, _, M | (at), 0), I(SHR, a, b, _, M | (at), 0),              \
      I(SHL, a, b, _, M | (at), 0), I(SAR, a, b, _, M | (at), 0) }

static const struct opcode_entry grp_80[8] = ALU_GROUP(Eb, Ib, B);
static const struct opcode_entry grp_81[8] = ALU_GROUP(Ev, Iz, 0);
static const struct opcode_entry grp_82[8] = ALU_GROUP(Eb, Ib, B | N64);
static const struct opcode_entry grp_83[8] = ALU_GROUP(Ev, Ibs, 0);
static const struct opcode_entry grp_c0[8] = SHIFT_GROUP(Eb, Ib, B);
static const struct opcode_entry grp_c1[8] = SHIFT_GROUP(Ev, Ib, 0);
static const struct opcode_entry grp_d0[8] = SHIFT_GROUP(Eb, ONE, B);
static const struct opcode_entry grp_d1[8] = SHIFT_GROUP(Ev, ONE, 0);
static const struct opcode_entry grp_d2[8] = SHIFT_GROUP(Eb, CL, B);
static const struct opcode_entry grp_d3[8] = SHIFT_GROUP(Ev, CL, 0);

static const struct opcode_entry grp_8f[8] = { [0] = I(POP, Ev, _, _, M | D64, 0) };
static const struct opcode_entry grp_c6[8] = { [0] = I(MOV, Eb, Ib, _, M | B, 0) };
static const struct opcode_entry grp_c7[8] = { [0] = I(MOV, Ev, Iz, _, M, 0) };
static const struct opcode_entry grp_f6[8] = {
    I(TEST, Eb, Ib, _, M | B, 0), I(TEST, Eb, Ib, _, M | B, 0),
    I(NOT, Eb, _, _, M | B, L), I(NEG, Eb, _, _, M | B, L),
    I(MUL, Eb, _, _, M | B, 0), I(IMUL, Eb, _, _, M | B, 0),
    I(DIV, Eb, _, _, M | B, 0), I(IDIV, Eb, _, _, M | B, 0),
};
static const struct opcode_entry grp_f7[8] = {
    I(TEST, Ev, Iz, _, M, 0), I(TEST, Ev, Iz, _, M, 0),
    I(NOT, Ev, _, _, M, L), I(NEG, Ev, _, _, M, L),
    I(MUL, Ev, _, _, M, 0), I(IMUL, Ev, _, _, M, 0),
    I(DIV, Ev, _, _, M, 0), I(IDIV, Ev, _, _, M, 0),
};
static const struct opcode_entry grp_fe[8] = {
    I(INC, Eb, _, _, M | B, L), I(DEC, Eb, _, _, M | B, L),
};
static const struct opcode_entry grp_ff[8] = {
    I(INC, Ev, _, _, M, L), I(DEC, Ev, _, _, M, L),
    I(CALL, Ev, _, _, M | F64, E), I(CALLF, Mp, _, _, M | MEM, E),
    I(JMP, Ev, _, _, M | F64, E), I(JMPF, Mp, _, _, M | MEM, E),
    I(PUSH, Ev, _, _, M | D64, 0),
};
static const struct opcode_entry grp_0f00[8] = {
    I(SLDT, Ev, _, _, M, 0), I(STR, Ev, _, _, M, 0),
    I(LLDT, Ew, _, _, M, P), I(LTR, Ew, _, _, M, P),
    I(VERR, Ew, _, _, M, 0), I(VERW, Ew, _, _, M, 0),
};
static const struct opcode_entry grp_0f01_mem[8] = {
    I(SGDT, M, _, _, M, 0), I(SIDT, M, _, _, M, 0),
    I(LGDT, M, _, _, M, P), I(LIDT, M, _, _, M, P),
    I(SMSW, Ew, _, _, M, 0), { 0 },
    I(LMSW, Ew, _, _, M, P | E), I(INVLPG, M, _, _, M, P | E),
};
static const struct opcode_entry grp_0fba[8] = {
    [4] = I(BT, Ev, Ib, _, M, 0), [5] = I(BTS, Ev, Ib, _, M, L),
    [6] = I(BTR, Ev, Ib, _, M, L), [7] = I(BTC, Ev, Ib, _, M, L),
};

static const struct opcode_entry e_vmcall = I(VMCALL, _, _, _, M, E);
static const struct opcode_entry e_vmmcall = I(VMMCALL, _, _, _, M, E);
static const struct opcode_entry e_swapgs = I(SWAPGS, _, _, _, M | O64, P);
static const struct opcode_entry e_rdtscp = IF(RDTSCP, _, _, _, M, 0, RDTSCP);
static const struct opcode_entry e_xgetbv = IF(XGETBV, _, _, _, M, 0, XSAVE);
static const struct opcode_entry e_xsetbv = IF(XSETBV, _, _, _, M, P | E, XSAVE);
static const struct opcode_entry e_smsw_r = I(SMSW, Rv, _, _, M, 0);
/* 0F 01 C8..CB: MONITOR, MWAIT, CLAC, STAC (gated by CPUID in their handlers) */
static const struct opcode_entry e_0f01_c8[4] = {
    I(MONITOR, _, _, _, M, 0), I(MWAIT, _, _, _, M, 0), I(CLAC, _, _, _, M, 0),
    I(STAC, _, _, _, M, 0),
};
static const struct opcode_entry e_lmsw_r = I(LMSW, Ew, _, _, M, P | E);
static const struct opcode_entry e_prefetch = I(PREFETCH, M, _, _, M | MEM, 0);
static const struct opcode_entry e_nop_ev = I(NOP, Ev, _, _, M, 0);
static const struct opcode_entry e_lfence = IF(LFENCE, _, _, _, M, 0, SSE2);
static const struct opcode_entry e_mfence = IF(MFENCE, _, _, _, M, 0, SSE2);
static const struct opcode_entry e_sfence = IF(SFENCE, _, _, _, M, 0, SSE);
static const struct opcode_entry e_clflush = IF(CLFLUSH, M, _, _, M | MEM, 0, CLFLUSH);
static const struct opcode_entry e_fxsave = IF(FXSAVE, M, _, _, M | MEM, 0, FXSR);
static const struct opcode_entry e_fxrstor = IF(FXRSTOR, M, _, _, M | MEM, E, FXSR);
static const struct opcode_entry e_xsave = IF(XSAVE, M, _, _, M | MEM, 0, XSAVE);
static const struct opcode_entry e_xrstor = IF(XRSTOR, M, _, _, M | MEM, E, XSAVE);
static const struct opcode_entry e_xsaveopt = IF(XSAVEOPT, M, _, _, M | MEM, 0, XSAVEOPT);
static const struct opcode_entry e_xsavec = IF(XSAVEC, M, _, _, M | MEM, 0, XSAVEC);
static const struct opcode_entry e_cx8 = I(CMPXCHG8B, M, _, _, M | MEM, L);
static const struct opcode_entry e_cx16 = IF(CMPXCHG16B, M, _, _, M | MEM, L, CX16);
static const struct opcode_entry e_rdfsbase[4] = {
    IF(RDFSBASE, Rv, _, _, M | O64, 0, FSGSBASE),
    IF(RDGSBASE, Rv, _, _, M | O64, 0, FSGSBASE),
    IF(WRFSBASE, Rv, _, _, M | O64, E, FSGSBASE),
    IF(WRGSBASE, Rv, _, _, M | O64, E, FSGSBASE),
};
static const struct opcode_entry e_rdpid = IF(RDPID, Rv, _, _, M | F64, 0, RDPID);
static const struct opcode_entry e_pause = I(PAUSE, _, _, _, 0, 0);
static const struct opcode_entry e_xchg_r8 = I(XCHG, Zv, rAX, _, 0, 0);
const struct opcode_entry arpl_entry = I(ARPL, Ew, Gw, _, M | A_SIZE16, 0);

/* MMX/SSE shifts by an immediate (0F 71..73): Nq,Ib without a prefix, Ux,Ib with 66. */
#define MMXI(name, a, b) IF(name, a, b, _, A_MODRM | A_REG_ONLY | A_MPFX, INSN_MMX, MMX)
#define SSEI(name, a, b) IF(name, a, b, _, A_MODRM | A_REG_ONLY | A_MPFX, INSN_SSE, SSE2)
static const struct opcode_entry grp_0f71[8] = {
    [2] = MMXI(PSRLW, Nq, Ib), [4] = MMXI(PSRAW, Nq, Ib), [6] = MMXI(PSLLW, Nq, Ib),
};
static const struct opcode_entry grp_0f72[8] = {
    [2] = MMXI(PSRLD, Nq, Ib), [4] = MMXI(PSRAD, Nq, Ib), [6] = MMXI(PSLLD, Nq, Ib),
};
static const struct opcode_entry grp_0f73[8] = {
    [2] = MMXI(PSRLQ, Nq, Ib), [6] = MMXI(PSLLQ, Nq, Ib),
};
static const struct opcode_entry grp_660f71[8] = {
    [2] = SSEI(PSRLW, Ux, Ib), [4] = SSEI(PSRAW, Ux, Ib), [6] = SSEI(PSLLW, Ux, Ib),
};
static const struct opcode_entry grp_660f72[8] = {
    [2] = SSEI(PSRLD, Ux, Ib), [4] = SSEI(PSRAD, Ux, Ib), [6] = SSEI(PSLLD, Ux, Ib),
};
static const struct opcode_entry grp_660f73[8] = {
    [2] = SSEI(PSRLQ, Ux, Ib), [3] = SSEI(PSRLDQ, Ux, Ib),
    [6] = SSEI(PSLLQ, Ux, Ib), [7] = SSEI(PSLLDQ, Ux, Ib),
};
/* VEX.L0.NP.0F38 F3 /1../3: BLSR, BLSMSK, BLSI By, Ey */
#define BMI1G(name) IF(name, By, Ey, _, A_MODRM, 0, BMI1)
static const struct opcode_entry grp_vex_0f38f3[8] = {
    [1] = BMI1G(BLSR), [2] = BMI1G(BLSMSK), [3] = BMI1G(BLSI),
};
/* 0F 12 / 0F 16 without a prefix: MOVLPS/MOVHPS Vx, Mq, or MOVHLPS/MOVLHPS Vx, Ux */
static const struct opcode_entry grp_0f12[2] = {
    SSEU(MOVLPS, Vx, Mq, _, SSE), SSEU(MOVHLPS, Vx, Ux, _, SSE),
};
static const struct opcode_entry grp_0f16[2] = {
    SSEU(MOVHPS, Vx, Mq, _, SSE), SSEU(MOVLHPS, Vx, Ux, _, SSE),
};
static const struct opcode_entry e_ldmxcsr = IF(LDMXCSR, Md, _, _, A_MODRM | A_MEM_ONLY, INSN_SSE, SSE);
static const struct opcode_entry e_stmxcsr = IF(STMXCSR, Md, _, _, A_MODRM | A_MEM_ONLY, INSN_SSE, SSE);

const struct opcode_entry *group_entry(const struct opcode_entry *e, uint8_t modrm, bool rex_w)
{
    unsigned reg = (modrm >> 3) & 7, mod = modrm >> 6, rm = modrm & 7;
    const struct opcode_entry *r = NULL;

    switch (e->group) {
    case GRP_80: r = &grp_80[reg]; break;
    case GRP_81: r = &grp_81[reg]; break;
    case GRP_82: r = &grp_82[reg]; break;
    case GRP_83: r = &grp_83[reg]; break;
    case GRP_8F: r = &grp_8f[reg]; break;
    case GRP_C0: r = &grp_c0[reg]; break;
    case GRP_C1: r = &grp_c1[reg]; break;
    case GRP_D0: r = &grp_d0[reg]; break;
    case GRP_D1: r = &grp_d1[reg]; break;
    case GRP_D2: r = &grp_d2[reg]; break;
    case GRP_D3: r = &grp_d3[reg]; break;
    case GRP_C6: r = &grp_c6[reg]; break;
    case GRP_C7: r = &grp_c7[reg]; break;
    case GRP_F6: r = &grp_f6[reg]; break;
    case GRP_F7: r = &grp_f7[reg]; break;
    case GRP_FE: r = &grp_fe[reg]; break;
    case GRP_FF: r = &grp_ff[reg]; break;
    case GRP_0F00: r = &grp_0f00[reg]; break;
    case GRP_0F01:
        if (mod != 3) {
            r = &grp_0f01_mem[reg];
        } else if (reg == 0 && rm == 1) {
            r = &e_vmcall;
        } else if (reg == 1 && rm < 4) {
            r = &e_0f01_c8[rm];
        } else if (reg == 2 && rm == 0) {
            r = &e_xgetbv;
        } else if (reg == 2 && rm == 1) {
            r = &e_xsetbv;
        } else if (reg == 3 && rm == 1) {
            r = &e_vmmcall;
        } else if (reg == 4) {
            r = &e_smsw_r;
        } else if (reg == 6) {
            r = &e_lmsw_r;
        } else if (reg == 7 && rm == 0) {
            r = &e_swapgs;
        } else if (reg == 7 && rm == 1) {
            r = &e_rdtscp;
        }
        break;
    case GRP_0F0D:
        r = mod == 3 ? NULL : &e_prefetch;
        break;
    case GRP_0F18:
        r = mod == 3 ? &e_nop_ev : reg < 4 ? &e_prefetch : &e_nop_ev;
        break;
    case GRP_0F1F:
        r = &e_nop_ev;
        break;
    case GRP_0FAE_F3:
        /* F3 0F AE /0../3 with mod 3: RD/WR FS/GS BASE; other forms ignore F3 */
        if (mod == 3 && reg < 4) {
            r = &e_rdfsbase[reg];
            break;
        }
        /* fall through */
    case GRP_0FAE_66:
        /* 66 0F AE /6 is CLWB (not implemented: #UD), not XSAVEOPT */
        if (mod != 3 && reg == 6)
            break;
        /* fall through */
    case GRP_0FAE:
        if (mod != 3) {
            static const struct opcode_entry *const mem[8] = {
                &e_fxsave, &e_fxrstor, &e_ldmxcsr, &e_stmxcsr, &e_xsave, &e_xrstor, &e_xsaveopt,
                &e_clflush,
            };
            r = mem[reg];
        } else if (reg == 5)
            r = &e_lfence;
        else if (reg == 6)
            r = &e_mfence;
        else if (reg == 7)
            r = &e_sfence;
        break;
    case GRP_0FBA: r = &grp_0fba[reg]; break;
    case GRP_0FC7_F3:
        /* F3 0F C7 /7 with mod 3: RDPID; other forms ignore F3 */
        if (mod == 3 && reg == 7) {
            r = &e_rdpid;
            break;
        }
        /* fall through */
    case GRP_0FC7:
        if (reg == 1 && mod != 3)
            r = rex_w ? &e_cx16 : &e_cx8;
        else if (reg == 4 && mod != 3)
            r = &e_xsavec;
        break;
    case GRP_0F71: r = &grp_0f71[reg]; break;
    case GRP_0F72: r = &grp_0f72[reg]; break;
    case GRP_0F73: r = &grp_0f73[reg]; break;
    case GRP_660F71: r = &grp_660f71[reg]; break;
    case GRP_660F72: r = &grp_660f72[reg]; break;
    case GRP_660F73: r = &grp_660f73[reg]; break;
    case GRP_VEX_0F38F3: r = &grp_vex_0f38f3[reg]; break;
    case GRP_0F12: r = &grp_0f12[mod == 3]; break;
    case GRP_0F16: r = &grp_0f16[mod == 3]; break;
    }
    if (r && r->op == OP_INVALID)
        return NULL;
    return r;
}

const struct opcode_entry *onebyte_90(uint8_t rep, bool rex_b)
{
    if (rex_b)
        return &e_xchg_r8;
    return rep == 0xf3 ? &e_pause : NULL;
}
