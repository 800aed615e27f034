/*
 * cpu/decode-tables.h: opcode-map entry layout shared by decode.c and the
 * map files (decode-tables.c: one-byte map and groups; decode-tables-0f.c:
 * the 0F map; decode-tables-0f38.c: the 0F38, 0F3A and VEX maps).
 *
 * Operand specs use the SDM's notation (vol. 2, A.2.1 and A.2.2):
 *   E = ModRM r/m (general register or memory), G = ModRM.reg general
 *   register, B = VEX.vvvv general register, I = immediate, J = relative
 *   offset, M = ModRM memory only, O = moffs, S = segment register,
 *   C/D = control/debug register (ModRM.reg), R = ModRM r/m general
 *   register only, Z = register in opcode bits 2:0 (the SDM writes these
 *   as rAX/r8 etc.),
 *   V = ModRM.reg XMM, W = ModRM r/m XMM or memory, U = ModRM r/m XMM only,
 *   H = VEX.vvvv XMM, P = ModRM.reg MMX, Q = ModRM r/m MMX or memory,
 *   N = ModRM r/m MMX only;
 *   b = byte, w = word, d = dword, q = qword, x = 128 bits (the SDM's dq/x),
 *   v = operand size, y = dword or qword (qword only with REX.W/VEX.W in
 *   64-bit mode), z = word or dword (dword for 64-bit operand size),
 *   p = far pointer.  Ibs = imm8 sign-extended to the operand size.
 *   RdMb / RdMw: a dword register, or a byte/word in memory (PEXTRB,
 *   PINSRW: the SDM's "r32/m8").
 * For W/Q the size letter is the memory operand size; the register form
 * names the whole register (the operation reads the part it needs).
 */
#ifndef SATORI_DECODE_TABLES_H
#define SATORI_DECODE_TABLES_H

#include "cpu/decode.h"

enum opspec {
    OPS_NONE, OPS_Eb, OPS_Ew, OPS_Ed, OPS_Ev, OPS_Eq, OPS_Ey, OPS_M, OPS_Mp,
    OPS_Gb, OPS_Gw, OPS_Gd, OPS_Gv, OPS_Gq, OPS_Gy, OPS_By, OPS_Rv, OPS_Rd, OPS_Ry,
    OPS_RdMb, OPS_RdMw, OPS_Zb, OPS_Zv,
    OPS_AL, OPS_CL, OPS_DX, OPS_AX, OPS_rAX, OPS_eAX, OPS_ONE,
    OPS_Sw, OPS_Cd, OPS_Dd, OPS_Ob, OPS_Ov,
    OPS_Md, OPS_Mq, OPS_Mx,
    OPS_Vx, OPS_Vq, OPS_Vd, OPS_Wx, OPS_Wq, OPS_Wd, OPS_Ww, OPS_Ux, OPS_Hx,
    OPS_Pq, OPS_Qq, OPS_Qd, OPS_Nq,
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
#define A_MPFX       (1u << 10)  /* the column's prefix (66/F3/F2) is mandatory: consumed */
#define A_SIZE16     (1u << 11)  /* operand size always 16 */
#define A_ELSE_NP    (1u << 12)  /* feature absent: the no-prefix column's meaning */
#define A_X87        (1u << 13)  /* x87 escape D8-DF: the entry comes from x87_entry() */

struct opcode_entry {
    uint16_t op;        /* enum insn_op */
    uint8_t o[3];       /* enum opspec */
    uint16_t attrs;     /* A_* */
    uint16_t insn;      /* INSN_* passed to the translator */
    uint8_t feature;    /* enum cpu_feat required, or FEAT_NONE */
    uint8_t group;      /* group number for A_GROUP */
};

/* One row per opcode byte, one column per mandatory prefix (PFX_*). */
typedef struct opcode_entry opcode_row[4];

extern const struct opcode_entry onebyte_map[256];
extern const opcode_row map_0f[256];
extern const opcode_row map_0f38[256];
extern const opcode_row map_0f3a[256];
extern const opcode_row vex_map_0f38[256];
extern const opcode_row vex_map_0f3a[256];

/*
 * The member of group e->group that ModRM selects (several groups also
 * look at mod and r/m), or NULL when that member does not exist (#UD).
 */
const struct opcode_entry *group_entry(const struct opcode_entry *e, uint8_t modrm, bool rex_w);
/* One-byte map: F3 90 (PAUSE) and 90 with REX.B (XCHG r8, rAX), else NULL. */
const struct opcode_entry *onebyte_90(uint8_t rep, bool rex_b);
extern const struct opcode_entry arpl_entry;
/* decode-x87.c: the x87 map, by escape byte and ModRM; NULL when invalid */
const struct opcode_entry *x87_entry(uint8_t opc, uint8_t modrm);

/* Group numbers (A_GROUP entries); groups live in decode-tables.c. */
enum {
    GRP_80 = 1, GRP_81, GRP_82, GRP_83, GRP_8F, GRP_C0, GRP_C1, GRP_D0, GRP_D1, GRP_D2,
    GRP_D3, GRP_C6, GRP_C7, GRP_F6, GRP_F7, GRP_FE, GRP_FF,
    GRP_0F00, GRP_0F01, GRP_0F0D, GRP_0F18, GRP_0F1F, GRP_0FAE, GRP_0FAE_66, GRP_0FAE_F3, GRP_0FBA,
    GRP_0FC7, GRP_0FC7_F3,
    GRP_0F71, GRP_0F72, GRP_0F73, GRP_660F71, GRP_660F72, GRP_660F73,
    GRP_0F12, GRP_0F16, GRP_VEX_0F38F3,
};

/* Entry-building macros shared by the map files (legend above). */
#define OPS__ OPS_NONE
#define I(name, a, b, c, at, fl) \
    { .op = OP_##name, .o = { OPS_##a, OPS_##b, OPS_##c }, .attrs = (at), .insn = (fl) }
#define IF(name, a, b, c, at, fl, feat) \
    { .op = OP_##name, .o = { OPS_##a, OPS_##b, OPS_##c }, .attrs = (at), .insn = (fl), \
      .feature = FEAT_##feat }
#define G(n, at) { .op = OP_INVALID, .attrs = A_GROUP | A_MODRM | (at), .group = (n) }
/* the same entry in every prefix column (prefixes keep their legacy meaning) */
#define ANY(e) { e, e, e, e }

#endif
