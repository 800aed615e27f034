/*
 * cpu/ translator interface between the block builder (tb_translate() in
 * exec.c) and the instruction families (ops-*.c, excp.c).
 *
 * For each decoded instruction the block builder calls the family's
 * translator, tr_<family>(tc, in), named in insn-list.h.  A translator
 * picks the handler that fits the operation, operand kinds and size, and
 * emits exactly ONE uop for the instruction with tr_emit() (the SMC and
 * exception machinery rely on one uop per instruction).  It may set
 * tc->end_block when the instruction changes control flow or the mode;
 * the builder then stops (and, for non-branch handlers, appends an exit
 * uop to the next instruction).
 *
 * All decisions that can be made once are made here: operand kinds,
 * sizes, register numbers, EA recipe, immediates, branch targets.
 */
#ifndef SATORI_TRANSLATE_H
#define SATORI_TRANSLATE_H

#include "cpu/cpu-internal.h"
#include "cpu/decode.h"

enum tr_end {
    TR_CONTINUE = 0,
    TR_END_BRANCH,      /* handler sets RIP itself (jumps, calls, returns) */
    TR_END_NEXT,        /* block ends after this insn, chain to next RIP allowed */
    TR_END_NEXT_NOCHAIN /* mode may have changed: return to the main loop */
};

struct tr_ctx {
    struct cpu *cpu;
    struct tb *tb;
    uint32_t hflags;
    int mode;           /* 16, 32, 64 */
    unsigned nuops;
    unsigned cap;
    enum tr_end end;    /* set by translators */
};

/*
 * Append the uop for instruction `in`, with every common field filled from
 * it: rip, len, idx, osize, asize, EA recipe (base/index/scale/disp/seg
 * from the insn when it has a memory operand, else UOP_NOREG), rep, lock,
 * cc, imm, imm2, and positionally:
 *     u->reg = o[0].reg if o[0] is a register kind (REG/SEG/CR/DR/XMM/MMX), else UOP_NOREG
 *     u->rm  = o[1].reg if o[1] is a register kind, else UOP_NOREG
 * Returns it so the translator can adjust fields.
 */
struct uop *tr_emit(struct tr_ctx *tc, const struct insn *in, uop_fn fn);

/* Emit a uop that raises #UD (or another fault) for this instruction. */
struct uop *tr_emit_fault(struct tr_ctx *tc, const struct insn *in, int vector);

/* Family translators (one per family of insn-list.h). */
typedef void (*tr_fn)(struct tr_ctx *tc, const struct insn *in);
#define X(name, family) void tr_##family(struct tr_ctx *tc, const struct insn *in);
#include "cpu/insn-list.h"
#undef X

/*
 * Compare-and-branch fusion (fuse.c): the handler that runs `prev` (a
 * register CMP or INC/DEC) and the Jcc with condition cc that follows it,
 * or NULL when the pair does not fuse; *kform = which fusion (the uop's
 * kform with UK_FUSED): FUSE_CMP_RR, FUSE_CMP_RI, FUSE_INC, FUSE_DEC.
 */
enum { FUSE_CMP_RR, FUSE_CMP_RI, FUSE_INC, FUSE_DEC };
uop_fn fuse_with_jcc(const struct insn *prev, unsigned cc, uint8_t *kform);
/*
 * More pairs for the portable backend only (host code does these itself
 * and has no fused form for them): CMP or TEST at every size, with
 * register, immediate and memory operands, and the Jcc after it.  The
 * handler, or NULL when the pair does not fuse.
 */
uop_fn fuse_with_jcc_portable(const struct insn *prev, unsigned cc);

/* -d jit: the form of an instruction, a key jit-report.c prints by name. */
uint32_t jit_form(const struct insn *in);

#endif
