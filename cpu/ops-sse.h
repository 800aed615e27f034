/*
 * cpu/ops-sse.h: what the MMX/SSE families share (ops-sse-mov.c,
 * ops-sse-int.c, ops-sse-aes.c): the 128-bit value type, MMX register
 * access with the x87 aliasing rule, and operand load/store.
 *
 * MMX <-> x87 aliasing (SDM vol. 1, 9.5): MMX register i is the 64-bit
 * significand of physical x87 register i; an MMX instruction sets TOP to
 * 0 and marks every tag valid; a write also sets the register's sign and
 * exponent to all ones.  EMMS marks every tag empty.  mmx_get/mmx_set are
 * the only places that know how struct fpu_state stores the registers.
 *
 * Micro-op layout for these families: reg = destination register (XMM,
 * MMX or general, per the operation), rm = source register or UOP_NOREG
 * for memory (the uop's EA), aux = operation (enum insn_op), imm = imm8,
 * opsz2 = memory operand size in bytes, cc = SV_* bits below.
 */
#ifndef SATORI_OPS_SSE_H
#define SATORI_OPS_SSE_H

#include "cpu/fpu-x87.h"
#include "cpu/translate.h"

#define SV_DST_MMX  (1u << 0)  /* destination is an MMX register (8 bytes wide) */
#define SV_SRC_MMX  (1u << 1)  /* source register is MMX */
#define SV_ALIGN    (1u << 2)  /* 16-byte memory operand must be aligned */
#define SV_IMM      (1u << 3)  /* shift by immediate: count in u->imm */

union vec {
    uint8_t b[16];
    int8_t sb[16];
    uint16_t w[8];
    int16_t sw[8];
    uint32_t d[4];
    int32_t sd[4];
    uint64_t q[2];
    int64_t sq[2];
};

/* Every MMX instruction: TOP = 0, all tags valid (abridged tag word). */
static inline void mmx_enter(struct cpu *cpu)
{
    cpu->fpu.top = 0;
    cpu->fpu.fsw &= (uint16_t)~(7u << 11);
    cpu->fpu.ftw = 0xff;
}

/* An MMX instruction first takes a pending unmasked x87 exception (#MF;
 * SDM vol. 2, 2.4 exception class of MMX instructions). */
static inline void mmx_pending(struct cpu *cpu, const struct uop *u)
{
    if (u->cc & (SV_DST_MMX | SV_SRC_MMX))
        fpu_check_pending(cpu);
}

static inline uint64_t mmx_get(const struct cpu *cpu, unsigned n)
{
    return cpu->fpu.st[n & 7].sig;
}

static inline void mmx_set(struct cpu *cpu, unsigned n, uint64_t v)
{
    cpu->fpu.st[n & 7].sig = v;
    cpu->fpu.st[n & 7].se = 0xffff;
}

/* The uop's memory operand: #GP(0) for a misaligned 16-byte aligned form. */
static inline gva_t sse_la(struct cpu *cpu, const struct uop *u, unsigned size)
{
    gva_t la = uop_la(cpu, u);

    if ((u->cc & SV_ALIGN) && size == 16 && (la & 15))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    return la;
}

/* Load `size` bytes (1..16) from memory into v, zero-extended. */
static inline void sse_load(struct cpu *cpu, gva_t la, unsigned size, union vec *v)
{
    memset(v, 0, sizeof *v);
    switch (size) {
    case 1: v->b[0] = cpu_ld8(cpu, la); break;
    case 2: v->w[0] = cpu_ld16(cpu, la); break;
    case 4: v->d[0] = cpu_ld32(cpu, la); break;
    case 8: v->q[0] = cpu_ld64(cpu, la); break;
    default:
        v->q[0] = cpu_ld64(cpu, la);
        v->q[1] = cpu_ld64(cpu, la + 8);
        break;
    }
}

/* Store the low `size` bytes of v.  A 16-byte store checks both halves
 * are writable first, so a fault leaves memory untouched. */
static inline void sse_store(struct cpu *cpu, gva_t la, unsigned size, const union vec *v)
{
    switch (size) {
    case 1: cpu_st8(cpu, la, v->b[0]); break;
    case 2: cpu_st16(cpu, la, v->w[0]); break;
    case 4: cpu_st32(cpu, la, v->d[0]); break;
    case 8: cpu_st64(cpu, la, v->q[0]); break;
    default:
        if (((la + 15) & PAGE_MASK) != (la & PAGE_MASK))
            mmu_probe_write(cpu, la + 8, 8);
        cpu_st64(cpu, la, v->q[0]);
        cpu_st64(cpu, la + 8, v->q[1]);
        break;
    }
}

/* A register operand as a vector (MMX: low 8 bytes, the rest zero). */
static inline void sse_reg(const struct cpu *cpu, unsigned r, bool mmx, union vec *v)
{
    if (mmx) {
        v->q[0] = mmx_get(cpu, r);
        v->q[1] = 0;
    } else {
        v->q[0] = cpu->fpu.xmm[r][0];
        v->q[1] = cpu->fpu.xmm[r][1];
    }
}

static inline void sse_set_reg(struct cpu *cpu, unsigned r, bool mmx, const union vec *v)
{
    if (mmx) {
        mmx_set(cpu, r, v->q[0]);
    } else {
        cpu->fpu.xmm[r][0] = v->q[0];
        cpu->fpu.xmm[r][1] = v->q[1];
    }
}

/* The source operand of u (register rm or memory of opsz2 bytes). */
static inline void sse_src(struct cpu *cpu, const struct uop *u, union vec *v)
{
    if (u->rm != UOP_NOREG)
        sse_reg(cpu, u->rm, u->cc & SV_SRC_MMX, v);
    else
        sse_load(cpu, sse_la(cpu, u, u->opsz2), u->opsz2, v);
}

/* ops-sse-int.c: is u the generic packed operation, and with which host
 * opcode (66 0F xx) can host code do it (0: it cannot)? */
bool sse_vop_host_op(const struct uop *u, uint8_t *host_op);

/* Fill the uop fields of this layout from a decoded MMX/SSE instruction. */
struct uop *sse_emit(struct tr_ctx *tc, const struct insn *in, uop_fn fn);

/* The AES round primitives (ops-sse-aes.c), on 16-byte states. */
void aes_round(union vec *st, const union vec *key, bool last);
void aes_round_inv(union vec *st, const union vec *key, bool last);
void aes_inv_mix_columns(union vec *st);
void aes_keygen_assist(union vec *r, const union vec *s, uint8_t rcon);
/* Carry-less product of a and b: r[0] low, r[1] high quadword (PCLMULQDQ). */
void clmul64(uint64_t a, uint64_t b, uint64_t r[2]);

#endif
