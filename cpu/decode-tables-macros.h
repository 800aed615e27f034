/*
 * cpu/decode-tables-macros.h: short attribute names for the opcode-map
 * files only (legend at the top of decode-tables.c; never include this
 * from code, the names are deliberately tiny).
 */
#ifndef SATORI_DECODE_TABLES_MACROS_H
#define SATORI_DECODE_TABLES_MACROS_H

#define M    A_MODRM
#define B    A_BYTE
#define D64  A_DEF64
#define F64  A_FORCE64
#define N64  A_NO64
#define O64  A_ONLY64
#define MEM  A_MEM_ONLY
#define REG  A_REG_ONLY
#define CC   A_CC

#define L INSN_LOCKABLE
#define P INSN_PRIV
#define E INSN_ENDS_TB
#define R INSN_REP

/* MMX/SSE forms: ModRM, the column's prefix is mandatory */
#define SSE(name, a, b, c, feat)  IF(name, a, b, c, M | A_MPFX, INSN_SSE | INSN_ALIGN, feat)
#define SSEU(name, a, b, c, feat) IF(name, a, b, c, M | A_MPFX, INSN_SSE, feat)
#define MMX(name, a, b, c, feat)  IF(name, a, b, c, M | A_MPFX, INSN_MMX, feat)
/* a row with the MMX form (no prefix) and the XMM form (66) */
#define PIROW(name, mf, sf) \
    { [PFX_NP] = MMX(name, Pq, Qq, _, mf), [PFX_66] = SSE(name, Vx, Wx, _, sf) }
/* a row with only the 66 form */
#define ROW66(name, a, b, c, feat) { [PFX_66] = SSE(name, a, b, c, feat) }

#endif
