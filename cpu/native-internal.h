/*
 * cpu/native-internal.h: what the host-code backend's files share
 * (x86-64 hosts only).  The backend is split by concern:
 *   cpu/native.c       the driver: buffer, which micro-ops get host code
 *                      (by their uop kind), the per-block walk, slow paths
 *   cpu/native-asm.*   the assembler layer (named emitters per form)
 *   cpu/native-regs.c  guest registers cached in host registers
 *   cpu/native-alu.c   register ALU/MOV forms, lazy flags, conditions
 *   cpu/native-mem.c   effective addresses, the inline soft-TLB access,
 *                      memory MOV/ALU, stack and SSE forms
 *   cpu/native-ctl.c   block entry/exit, chaining, branches, calls
 *
 * Register use inside generated code: rbx = struct cpu *, r12 = the
 * block's first micro-op, r13 r14 r15 rbp r8 r9 r10 r11 = guest
 * registers the block caches (struct regmap); rax rcx rdx rsi rdi are
 * scratch.  r8-r11 are caller-saved: every handler call is followed by a
 * reload of the cache, and the C helpers called without one go through
 * emit_call_keep().  rsp is 16-byte aligned (emit_stubs()).
 */
#ifndef SATORI_NATIVE_INTERNAL_H
#define SATORI_NATIVE_INTERNAL_H

#include "cpu/cpu-internal.h"
#include "cpu/native-asm.h"

#include <stddef.h>

struct native {
    uint8_t *buf, *p, *end;
    const void *(*enter)(struct cpu *cpu, const void *code, const struct uop *ops);
    uint8_t *exit_stub;
    uint8_t *exit_out;      /* back to cpu_run() with rax */
};

/* struct cpu field offsets as displacements from rbx */
#define CPU_OFF(field) ((int32_t)offsetof(struct cpu, field))

/*
 * Guest registers a block keeps in host registers: host[r] is the host
 * register (one of native_cache_hregs) or -1.  Write-back: a write goes
 * to the host register only and marks it dirty (at translation time:
 * host code is straight-line, and the slow paths branch out from and
 * back to known points); dirty registers are stored to cpu->regs before
 * every handler call and every exit, so handlers, exceptions and other
 * blocks see memory current; after a handler call that continues the
 * block, host code reloads them all (the handler may have changed any,
 * and a call clobbers the caller-saved r8-r11).  C helpers that read no
 * guest register are called without flush or reload through
 * emit_call_keep(), which keeps r8-r11.
 */
struct regmap {
    int8_t host[16];
    uint16_t dirty;     /* cached registers memory does not hold yet */
};
#define NATIVE_CACHE_REGS 8
extern const uint8_t native_cache_hregs[NATIVE_CACHE_REGS];

/* native-regs.c */
int32_t reg_off(unsigned r);
enum gload { GL_64, GL_32, GL_SX32 };  /* whole, low half zero-extended, sign-extended */
void emit_gload(uint8_t **p, struct regmap *m, enum gload k, unsigned hreg, unsigned r);
void emit_gstore(uint8_t **p, struct regmap *m, unsigned hreg, unsigned r);
void emit_flush_reg(uint8_t **p, struct regmap *m, unsigned r);
void emit_flush(uint8_t **p, struct regmap *m);
void emit_reload_reg(uint8_t **p, struct regmap *m, unsigned r);
void emit_reload(uint8_t **p, struct regmap *m);
void emit_reg_operand(uint8_t **p, struct regmap *m, unsigned size, unsigned r, unsigned hreg);
void emit_reg_part(uint8_t **p, struct regmap *m, unsigned size, unsigned r, unsigned hreg);
void emit_reg_result(uint8_t **p, struct regmap *m, unsigned size, unsigned r);
void emit_call_keep(uint8_t **p, const void *fn);

/* native-alu.c */
#define CC_UNKNOWN ((uint32_t)CC_OP_COUNT)
#define CC_HOST ((uint32_t)CC_OP_COUNT + 1)    /* emit_cond(): the host flags are the guest's */
static inline bool cc_in(uint32_t op, uint32_t first, uint32_t last)
{
    return op >= first && op <= last;
}
void emit_flags(uint8_t **p, bool src2, const struct uop_simple *d);
/* group-2 opcode extension of a uop_simple shift kind (1 SHL, 2 SHR, 3 SAR, 4 ROL, 5 ROR) */
unsigned shift_ext(unsigned kind);
void emit_simple(uint8_t **p, struct regmap *m, const struct uop *u,
                 const struct uop_simple *d, uint32_t known);
void emit_incdec(uint8_t **p, struct regmap *m, const struct uop *u,
                 const struct uop_simple *d, uint32_t known);
bool emit_alu_hostflags(uint8_t **p, struct regmap *m, const struct uop *u,
                        const struct uop_simple *d);
void emit_setcc_cmov(uint8_t **p, struct regmap *m, const struct uop *u,
                     const struct uop_simple *d, uint32_t known, bool live);
unsigned emit_cond(uint8_t **p, uint32_t known, bool live, unsigned cc);
bool cond_keeps_live(uint32_t known);
void emit_alu_operands(uint8_t **p, struct regmap *m, const struct uop *u,
                       const struct uop_simple *d);
bool alu_can_redo(const struct uop *u, const struct uop_simple *d);
void emit_alu_again(uint8_t **p, struct regmap *m, const struct uop *u,
                    const struct uop_simple *d);
void emit_div(uint8_t **p, struct regmap *m, const struct uop *u, const struct uop_simple *d,
              uint8_t **slow, uint8_t **slow2);
void emit_movx_result(uint8_t **p, struct regmap *m, unsigned from, bool sign,
                      unsigned size, unsigned r);

/* native-mem.c */
void emit_tlb_index(uint8_t **p, bool kernel);
void emit_tlb(uint8_t **p, bool load, unsigned size, bool kernel, uint8_t **slow);
void emit_lea_movx(uint8_t **p, struct regmap *m, const struct uop *u,
                   const struct uop_simple *d);
void emit_mem(uint8_t **p, struct regmap *m, const struct uop *u,
              const struct uop_simple *d, bool kernel, uint8_t **slow);
void emit_stack(struct native *n, uint8_t **p, struct regmap *m, struct tb *tb, uint32_t off,
                enum uop_stack kind, bool kernel, uint8_t **slow);
void emit_sse(uint8_t **p, struct regmap *m, const struct uop *u,
              const struct uop_sse *d, bool kernel, uint8_t **slow, uint8_t **slow2);

/* native-ctl.c */
void emit_stubs(struct native *n);
void emit_store_rip(uint8_t **p, uint64_t rip);
void emit_exit(struct native *n, uint8_t **p);
/* emit_goto/emit_exit_to: the exit's patchable jump (tb_link()), NULL for another page */
uint8_t *emit_goto(struct native *n, uint8_t **p, struct tb *tb, uint32_t off, int slot,
                   uint64_t rip);
uint8_t *emit_exit_to(struct native *n, uint8_t **p, struct tb *tb, uint8_t *head,
                      uint32_t off, int slot, uint64_t rip);
void emit_ret_target(struct native *n, uint8_t **p, const struct tb *tb, uint32_t off,
                     int slot, bool kernel);
void emit_branch(struct native *n, uint8_t **p, struct tb *tb, uint8_t *head,
                 uint32_t off, const struct uop_branch *b, uint32_t known, bool live);
void emit_call(uint8_t **p, uint32_t off);
void emit_unless_next(struct native *n, uint8_t **p, uint32_t off);
void emit_cmp_invalid(uint8_t **p);
void emit_unless_invalid(struct native *n, uint8_t **p, struct regmap *m, uint32_t off);

#endif
