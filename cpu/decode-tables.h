/*
 * cpu/decode-tables.h: opcode-map entry layout shared by decode.c and
 * decode-tables.c.  Operand specs use the SDM's notation (vol. 2, A.2):
 *   E = ModRM r/m (register or memory), G = ModRM reg, I = immediate,
 *   J = relative offset, M = memory only, O = moffs, S = segment register,
 *   C/D = control/debug register, Z = register in opcode bits 2:0;
 *   b = byte, w = word, d = dword, q = qword, v = operand size,
 *   z = word or dword (a dword for 64-bit operand size), p = far pointer.
 *   Ibs = imm8 sign-extended to the operand size.
 */
#ifndef SATORI_DECODE_TABLES_H
#define SATORI_DECODE_TABLES_H

#include "cpu/decode.h"

enum opspec {
    OPS_NONE, OPS_Eb, OPS_Ew, OPS_Ed, OPS_Ev, OPS_Eq, OPS_M, OPS_Mp,
    OPS_Gb, OPS_Gw, OPS_Gv, OPS_Gq, OPS_Rv, OPS_Rd, OPS_Zb, OPS_Zv,
    OPS_AL, OPS_CL, OPS_DX, OPS_AX, OPS_rAX, OPS_eAX, OPS_ONE,
    OPS_Sw, OPS_Cd, OPS_Dd, OPS_Ob, OPS_Ov,
    OPS_Ib, OPS_Ibs, OPS_Iw, OPS_Iz, OPS_Iv, OPS_Jb, OPS_Jz, OPS_Ap,
};

/* decoder attributes */
#define A_MODRM      (1u << 0)
#define A_GROUP      (1u << 1)   /* operation chosen by ModRM.reg: see group_entry() */
#define A_BYTE       (1u << 2)   /* operand size 1 */
#define A_DEF64      (1u << 3)
#define A_FORCE64    (1u << 4)
#define A_NO64       (1u << 5)
#define A_ONLY64     (1u << 6)
#define A_MEM_ONLY   (1u << 7)
#define A_REG_ONLY   (1u << 8)
#define A_CC         (1u << 9)   /* condition in the low opcode nibble */
#define A_PREFIX_ALT (1u << 10)  /* F3 selects another operation */
#define A_SIZE16     (1u << 11)  /* operand size always 16 */
#define A_X87        (1u << 12)  /* x87 escape D8-DF: the entry comes from x87_entry() */

struct opcode_entry {
    uint16_t op;        /* enum insn_op */
    uint8_t o[3];       /* enum opspec */
    uint16_t attrs;     /* A_* */
    uint16_t insn;      /* INSN_* passed to the translator */
    uint16_t feature;   /* DECODE_F_* required, or 0 */
    uint8_t group;      /* group number for A_GROUP */
};

extern const struct opcode_entry onebyte_map[256];
extern const struct opcode_entry twobyte_map[256];

const struct opcode_entry *group_entry(const struct opcode_entry *e, uint8_t modrm,
                                       int map, uint8_t opc, bool rex_w, unsigned features);
const struct opcode_entry *prefix_alt(int map, uint8_t opc, uint8_t rep, unsigned features);
const struct opcode_entry *nop_or_xchg(bool rex_b);
const struct opcode_entry *f3_group_alt(uint8_t opc, uint8_t modrm);
extern const struct opcode_entry arpl_entry;
/* decode-x87.c: the x87 map, by escape byte and ModRM; NULL when invalid */
const struct opcode_entry *x87_entry(uint8_t opc, uint8_t modrm);

#endif
