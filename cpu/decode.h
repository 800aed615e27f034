/*
 * cpu/ decoder interface: bytes -> one struct insn.
 *
 * The decoder is table-driven (decode-tables.c: opcode maps in the SDM's
 * operand notation, with attributes).  It resolves prefixes, REX, operand
 * and address sizes for the current mode, ModRM/SIB/displacement,
 * immediates and implicit operands, so a translator never looks at raw
 * bytes.  It does not raise guest exceptions itself: an undefined or
 * invalid encoding decodes as op == OP_INVALID (the translator emits #UD),
 * and a fetch fault is reported through the fetch callback.
 */
#ifndef SATORI_DECODE_H
#define SATORI_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu-features.h"

enum insn_op {
    OP_INVALID = 0,
#define X(name, family) OP_##name,
#include "cpu/insn-list.h"
#undef X
    OP_COUNT
};

extern const char *const insn_op_name[OP_COUNT];

enum opnd_kind {
    OPND_NONE,
    OPND_REG,   /* general register: reg = number (size 1: byte encoding, see below) */
    OPND_MEM,   /* the instruction's memory operand (struct insn ea_*) */
    OPND_IMM,   /* immediate in insn.imm (second one in insn.imm2) */
    OPND_REL,   /* branch target: insn.imm holds the absolute target RIP */
    OPND_FAR,   /* ptr16:16/32: offset in insn.imm, selector in insn.imm2 */
    OPND_SEG,   /* segment register: reg = enum seg_reg */
    OPND_CR,    /* control register number */
    OPND_DR,    /* debug register number */
    OPND_XMM,   /* XMM register: reg = 0..15; size = bytes of it the insn uses */
    OPND_MMX,   /* MMX register: reg = 0..7 (REX does not extend it) */
};

/*
 * For OPND_REG with size 1, reg is the byte offset into the 16 x 64-bit
 * register file: n * 8 for AL..R15B (SPL.. with REX), (n - 4) * 8 + 1 for
 * AH, CH, DH, BH (no REX).  For other sizes reg is the register number.
 */
struct opnd {
    uint8_t kind;
    uint8_t size;   /* bytes */
    uint8_t reg;
};

/* attributes from the opcode maps (SDM notation legend in decode-tables.c) */
#define INSN_LOCKABLE (1u << 0)  /* LOCK allowed with a memory destination */
#define INSN_NO64     (1u << 1)  /* invalid in 64-bit mode */
#define INSN_ONLY64   (1u << 2)  /* only in 64-bit mode */
#define INSN_PRIV     (1u << 3)  /* CPL 0 only (#GP(0) otherwise) */
#define INSN_DEF64    (1u << 4)  /* operand size defaults to 64 in 64-bit mode */
#define INSN_FORCE64  (1u << 5)  /* operand size is 64 in 64-bit mode, 66 ignored */
#define INSN_ENDS_TB  (1u << 6)  /* ends the translation block */
#define INSN_REP      (1u << 7)  /* REP/REPNE meaningful (strings) */
#define INSN_MODRM_MEM_ONLY (1u << 8) /* mod == 3 is #UD */
#define INSN_MODRM_REG_ONLY (1u << 9) /* mod != 3 is #UD */
#define INSN_SSE      (1u << 10) /* SSE state: CR0.EM/CR4.OSFXSR -> #UD, CR0.TS -> #NM */
#define INSN_MMX      (1u << 11) /* MMX state: CR0.EM -> #UD, CR0.TS -> #NM */
#define INSN_ALIGN    (1u << 12) /* 16-byte memory operand must be aligned (#GP(0)) */

#define INSN_MAX_LEN 15

struct insn {
    uint16_t op;        /* enum insn_op */
    uint16_t attrs;     /* INSN_* */
    uint8_t len;        /* total length, <= 15 */
    uint8_t osize;      /* operand size in bytes: 1, 2, 4, 8 (byte forms: 1) */
    uint8_t asize;      /* address size in bytes: 2, 4, 8 */
    uint8_t mode;       /* 16, 32 or 64: decoding mode */
    uint8_t map;        /* 0 = one-byte, 1 = 0F, 2 = 0F38, 3 = 0F3A (VEX: its mmmmm) */
    uint8_t opcode;     /* final opcode byte */
    uint8_t rep;        /* 0, 0xf3, 0xf2 (last of F2/F3 seen; 0 when it was a
                           mandatory prefix that selected the operation) */
    uint8_t pfx;        /* mandatory-prefix column used: PFX_NP, PFX_66, PFX_F3, PFX_F2 */
    bool vex;           /* VEX-encoded (C4/C5) */
    uint8_t vex_l;      /* VEX.L */
    bool vex_w;         /* VEX.W */
    uint8_t vvvv;       /* VEX.vvvv, un-inverted (register number) */
    bool lock;
    bool opsize_prefix; /* 66 seen */
    uint8_t rex;        /* 0 when absent, else 0x40..0x4f */
    uint8_t seg_override; /* enum seg_reg, or SEG_NONE (7) */

    bool has_modrm;
    uint8_t modrm;
    uint8_t modrm_reg;  /* ModRM.reg with REX.R */
    uint8_t cc;         /* condition code for Jcc/SETcc/CMOVcc; /digit for groups */

    /* memory operand (when an operand is OPND_MEM) */
    uint8_t ea_base;    /* register number or 0xff */
    uint8_t ea_index;   /* register number or 0xff */
    uint8_t ea_scale;   /* 0..3 */
    uint8_t ea_seg;     /* effective segment after override/default (SS for rBP/rSP bases) */
    bool ea_riprel;     /* disp already includes next RIP (64-bit RIP-relative) */
    int64_t disp;

    uint64_t imm;       /* first immediate, extended per the operand type */
    uint64_t imm2;      /* second immediate (ENTER's Ib, far selector) */

    uint8_t nopnds;
    struct opnd o[3];   /* destination first, SDM order */

    /* for op == OP_INVALID: the fault to raise (EXC_UD, or EXC_GP when the
     * instruction would exceed 15 bytes) */
    uint8_t invalid_vector;
};

/* Mandatory-prefix columns of the 0F, 0F38 and 0F3A maps (and VEX.pp). */
enum { PFX_NP, PFX_66, PFX_F3, PFX_F2 };

/*
 * Fetch callback: copy up to `len` instruction bytes at offset `off` from
 * the instruction start into buf; returns how many were available (fewer at
 * the end of mapped memory; the decoder then reports DECODE_FETCH_FAULT with
 * the offset it needed).
 */
typedef unsigned (*decode_fetch_fn)(void *opaque, uint64_t off, uint8_t *buf, unsigned len);

enum decode_status { DECODE_OK, DECODE_FETCH_FAULT };

/*
 * Decode one instruction in `mode` (16, 32, 64) at `rip`.  An encoding
 * whose CPUID feature is not in `features` decodes as what the CPU does
 * without it (#UD, or the older meaning: F3 0F BC is BSF without BMI1).
 * RIP-relative
 * displacements and relative branch targets are resolved against rip.
 * On DECODE_FETCH_FAULT, *fault_off is the first byte offset not available.
 * An encoding that does not exist or is not implemented returns DECODE_OK
 * with op == OP_INVALID and len set to the bytes consumed so far.
 */
enum decode_status decode_insn(struct insn *in, int mode, const struct feat_set *features,
                               uint64_t rip, decode_fetch_fn fetch, void *opaque,
                               unsigned *fault_off);

/* Decode from a byte buffer (tests, disassembly); DECODE_FETCH_FAULT if short. */
enum decode_status decode_buf(struct insn *in, int mode, const struct feat_set *features,
                              uint64_t rip, const uint8_t *buf, unsigned len);

#endif
