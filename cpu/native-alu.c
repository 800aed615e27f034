/*
 * cpu/native-alu.c: host code for the register MOV/ALU micro-ops
 * (uop_simple_desc()), the lazy-flag state they leave, and guest
 * conditions from it (x86-64 hosts).
 *
 * Each form computes the same 64-bit values its handler does (1- and
 * 2-byte operands zero-extended, results not truncated, as reg_get())
 * and stores the same lazy state (cc_src2 = a, cc_src = b, cc_dst =
 * result, cc_op), so a handler or fault after it sees what the
 * interpreter would leave.  Conditions are read back by redoing the
 * operation on the host (emit_host_flags()) where the stored operation
 * is one the host computes the same way, else through cpu_cond(); a
 * pending ALU form is done in place, and a reader right after it takes
 * the host flags it left (emit_alu_hostflags(), CC_HOST).
 */
#include "cpu/native-internal.h"

#include <string.h>

#if defined(__x86_64__)

/*
 * Lazy flags: cc_src2 = rax (ALU only), cc_src = rcx, cc_dst = rdx,
 * cc_op = imm; nothing when the next micro-ops overwrite them all first.
 */
void emit_flags(uint8_t **p, bool src2, const struct uop_simple *d)
{
    if (d->flags_dead || d->flags_later)
        return;
    if (src2)
        asm_mov_m64_r64(p, HR_RBX, CPU_OFF(cc_src2), HR_RAX);
    asm_mov_m64_r64(p, HR_RBX, CPU_OFF(cc_src), HR_RCX);
    asm_mov_m64_r64(p, HR_RBX, CPU_OFF(cc_dst), HR_RDX);
    asm_mov_m32_imm32(p, HR_RBX, CPU_OFF(cc_op), d->cc_op);
}

static enum gload gl_size(unsigned size) { return size == 8 ? GL_64 : GL_32; }

/*
 * IMUL reg, reg[, imm] (uop_imul2): rdx = the product the handler keeps
 * (the full 64-bit product of the sign-extended operands), rcx = whether
 * it differs from its sign-extended low part (CF = OF).
 */
static void emit_imul(uint8_t **p, struct regmap *m, const struct uop *u,
                      const struct uop_simple *d)
{
    enum gload k = d->size == 8 ? GL_64 : GL_SX32;

    emit_gload(p, m, k, HR_RCX, u->rm);                            /* rcx = b */
    if (d->imm) {
        int64_t a = d->size == 8 ? (int64_t)u->imm : (int64_t)(int32_t)u->imm;
        asm_mov_r64_imm64(p, HR_RDX, (uint64_t)a);
    } else {
        emit_gload(p, m, k, HR_RDX, u->reg);                       /* rdx = a */
    }
    asm_imul_r64_r64(p, HR_RDX, HR_RCX);
    if (d->size == 8) {
        asm_setcc_r8(p, CC_O, HR_RCX);
    } else {
        asm_movsxd_r64_r32(p, HR_RAX, HR_RDX);
        asm_cmp_r64_r64(p, HR_RAX, HR_RDX);
        asm_setcc_r8(p, CC_NE, HR_RCX);
    }
    asm_movzx_r32_r8(p, HR_RCX, HR_RCX);
    emit_flags(p, false, d);
    if (d->size == 4)
        asm_mov_r32_r32(p, HR_RDX, HR_RDX);
    emit_gstore(p, m, HR_RDX, u->reg);
}

/* group-2 opcode extension of a uop_simple shift kind (1 SHL, 2 SHR, 3 SAR, 4 ROL, 5 ROR) */
unsigned shift_ext(unsigned kind)
{
    static const uint8_t ext[] = { [1] = 4, [2] = 5, [3] = 7, [4] = 0, [5] = 1 };
    return ext[kind];
}

/* rdx zero-extended from `size` bytes (1, 2, 4; 8 leaves it) */
static void emit_zext_rdx(uint8_t **p, unsigned size)
{
    if (size == 4)
        asm_mov_r32_r32(p, HR_RDX, HR_RDX);
    else if (size == 2)
        asm_movzx_r32_r16(p, HR_RDX, HR_RDX);
    else if (size == 1)
        asm_movzx_r32_r8(p, HR_RDX, HR_RDX);
}

/*
 * SHL/SHR/SAR reg, imm (do_shift with a non-zero count): rdx = result,
 * rcx = the value shifted by count - 1 (64-bit, as the handler keeps it:
 * SAR shifts the value sign-extended to 64 bits).  1 and 2 bytes: the
 * count (at most 31) is applied to the 64-bit value and the result is
 * masked to the operand size, as do_shift() does.
 */
static void emit_shift(uint8_t **p, struct regmap *m, const struct uop *u,
                       const struct uop_simple *d)
{
    unsigned ext = shift_ext(d->shift);

    if (d->size < 4) {
        emit_reg_operand(p, m, d->size, u->reg, HR_RAX);           /* zero-extended */
        if (d->shift == 3) {
            if (d->size == 1)
                asm_movsx_r64_r8(p, HR_RAX, HR_RAX);
            else
                asm_movsx_r64_r16(p, HR_RAX, HR_RAX);
        }
    } else if (d->shift == 3 && d->size == 4) {
        emit_gload(p, m, GL_SX32, HR_RAX, u->reg);                 /* sign-extended value */
    } else {
        emit_gload(p, m, gl_size(d->size), HR_RAX, u->reg);
    }
    asm_mov_r64_r64(p, HR_RCX, HR_RAX);
    if (d->count > 1)
        asm_shift_imm(p, ASM_W, ext, HR_RCX, (uint8_t)(d->count - 1));
    asm_mov_r64_r64(p, HR_RDX, HR_RAX);
    asm_shift_imm(p, ASM_W, ext, HR_RDX, (uint8_t)d->count);
    emit_zext_rdx(p, d->size);
    emit_flags(p, false, d);
    emit_reg_result(p, m, d->size, u->reg);
}

/* Compare rax and rdx as size-byte values, CF -> ecx (0/1). */
static void emit_below(uint8_t **p, unsigned size)
{
    if (size == 4) {
        asm_mov_r32_r32(p, HR_RAX, HR_RAX);
        asm_mov_r32_r32(p, HR_RDX, HR_RDX);
    }
    asm_cmp_r64_r64(p, HR_RAX, HR_RDX);
    asm_setcc_r8(p, CC_B, HR_RCX);
    asm_movzx_r32_r8(p, HR_RCX, HR_RCX);
}

/*
 * The carry flag of the current lazy state into ecx, as cc_compute_cf():
 * from what host code stored just before when that is known (known), else
 * LOGIC/INC/DEC inline and everything else through cc_compute_cf_slow()
 * (emit_call_keep(): the cached registers stay).  Clobbers rax, rdx, rsi,
 * rdi.
 */
static void emit_cf(uint8_t **p, uint32_t known)
{
    if (cc_in(known, CC_OP_LOGICB, CC_OP_LOGICQ)) {
        asm_xor_r32_r32(p, HR_RCX, HR_RCX);
        return;
    }
    if (cc_in(known, CC_OP_INCB, CC_OP_DECQ) || cc_in(known, CC_OP_MULB, CC_OP_MULQ)) {
        asm_alu_m_imm(p, ASM_W, ALU_EXT_CMP, HR_RBX, CPU_OFF(cc_src), 0);
        asm_setcc_r8(p, CC_NE, HR_RCX);
        asm_movzx_r32_r8(p, HR_RCX, HR_RCX);
        return;
    }
    if (known == CC_OP_SUBL || known == CC_OP_SUBQ) {              /* CF = src2 < src */
        asm_mov_r64_m64(p, HR_RAX, HR_RBX, CPU_OFF(cc_src2));
        asm_mov_r64_m64(p, HR_RDX, HR_RBX, CPU_OFF(cc_src));
        emit_below(p, known == CC_OP_SUBQ ? 8 : 4);
        return;
    }
    if (known == CC_OP_ADDL || known == CC_OP_ADDQ) {              /* CF = dst < src2 */
        asm_mov_r64_m64(p, HR_RAX, HR_RBX, CPU_OFF(cc_dst));
        asm_mov_r64_m64(p, HR_RDX, HR_RBX, CPU_OFF(cc_src2));
        emit_below(p, known == CC_OP_ADDQ ? 8 : 4);
        return;
    }
    asm_mov_r32_m32(p, HR_RAX, HR_RBX, CPU_OFF(cc_op));
    asm_lea_r32_m(p, HR_RDX, HR_RAX, -(int32_t)CC_OP_LOGICB);
    _Static_assert(CC_OP_DECQ - CC_OP_LOGICB == 11, "LOGIC, INC, DEC are 12 ops in a row");
    asm_alu_r_imm(p, 0, ALU_EXT_CMP, HR_RDX, 12);
    uint8_t *slow = asm_jcc8_fwd(p, CC_AE);
    asm_xor_r32_r32(p, HR_RCX, HR_RCX);
    asm_alu_r_imm(p, 0, ALU_EXT_CMP, HR_RDX, 4);
    uint8_t *logic = asm_jcc8_fwd(p, CC_B);                        /* LOGIC: CF = 0 */
    asm_alu_m_imm(p, ASM_W, ALU_EXT_CMP, HR_RBX, CPU_OFF(cc_src), 0);
    asm_setcc_r8(p, CC_NE, HR_RCX);
    uint8_t *done = asm_jmp8_fwd(p);
    asm_patch8_here(p, slow);
    asm_mov_r64_r64(p, HR_RDI, HR_RBX);
    emit_call_keep(p, (const void *)(uintptr_t)cc_compute_cf_slow);
    asm_movzx_r32_r8(p, HR_RCX, HR_RAX);
    asm_patch8_here(p, logic);
    asm_patch8_here(p, done);
}

static bool emit_dead_flags(uint8_t **p, struct regmap *m, const struct uop *u,
                            const struct uop_simple *d);

/* INC/DEC reg: CF carried over, result kept unmasked in cc_dst (as the handler);
 * in place when its flags are dead (emit_dead_flags()). */
void emit_incdec(uint8_t **p, struct regmap *m, const struct uop *u,
                 const struct uop_simple *d, uint32_t known)
{
    if (emit_dead_flags(p, m, u, d))
        return;
    if (!d->flags_dead)                     /* else nothing reads the carry carried over */
        emit_cf(p, known);
    emit_gload(p, m, gl_size(d->size), HR_RDX, u->reg);
    asm_alu_r_imm(p, ASM_W, d->incdec > 0 ? ALU_EXT_ADD : ALU_EXT_SUB, HR_RDX, 1);
    emit_flags(p, false, d);
    if (d->size == 4)
        asm_mov_r32_r32(p, HR_RDX, HR_RDX);
    emit_gstore(p, m, HR_RDX, u->reg);
}

/* NOT reg (no flags) and NEG reg (the flags of 0 - a: rax = 0, rcx = a, rdx = result) */
static void emit_unary(uint8_t **p, struct regmap *m, const struct uop *u,
                       const struct uop_simple *d)
{
    if (d->unary == 1) {
        emit_gload(p, m, gl_size(d->size), HR_RDX, u->reg);
        asm_not_r(p, ASM_W, HR_RDX);
    } else {
        asm_xor_r32_r32(p, HR_RAX, HR_RAX);
        emit_gload(p, m, gl_size(d->size), HR_RCX, u->reg);
        asm_mov_r64_r64(p, HR_RDX, HR_RAX);
        asm_alu_r64_r64(p, 0x29, HR_RDX, HR_RCX);                  /* sub rdx, rcx */
        emit_flags(p, true, d);
    }
    emit_reg_result(p, m, d->size, u->reg);
}

/*
 * SHL/SHR/SAR reg, CL (4/8 bytes), as do_shift(): a masked count of 0
 * leaves the flags alone and writes the value back (a 32-bit register is
 * zero-extended); otherwise the lazy state of the immediate form.
 */
static void emit_shift_cl(uint8_t **p, struct regmap *m, const struct uop *u,
                          const struct uop_simple *d)
{
    unsigned ext = shift_ext(d->shift);

    if (d->shift == 3 && d->size == 4)
        emit_gload(p, m, GL_SX32, HR_RAX, u->reg);                 /* sign-extended value */
    else
        emit_gload(p, m, gl_size(d->size), HR_RAX, u->reg);
    emit_gload(p, m, GL_32, HR_RCX, 1);                            /* ecx = guest rcx */
    asm_alu_r_imm(p, 0, ALU_EXT_AND, HR_RCX, d->size == 8 ? 63 : 31);
    asm_mov_r64_r64(p, HR_RDX, HR_RAX);
    uint8_t *zero = asm_jcc8_fwd(p, CC_E);                         /* count 0: rdx = value */
    asm_incdec_r(p, 0, false, HR_RCX);
    asm_shift_cl(p, ASM_W, ext, HR_RDX);
    asm_mov_r64_r64(p, HR_RCX, HR_RDX);
    asm_shift_imm(p, ASM_W, ext, HR_RDX, 1);
    if (d->size == 4)
        asm_mov_r32_r32(p, HR_RDX, HR_RDX);
    emit_flags(p, false, d);
    asm_patch8_here(p, zero);
    emit_reg_result(p, m, d->size, u->reg);
}

/*
 * ROL/ROR/SHLD/SHRD reg by an immediate or CL (4/8 bytes) whose flags
 * nothing reads (flags_dead_after()): the host instruction at the
 * operand size, which masks the count as the guest's does; the flags it
 * leaves are not kept.
 */
static void emit_rotate(uint8_t **p, struct regmap *m, const struct uop *u,
                        const struct uop_simple *d)
{
    unsigned w = d->size == 8 ? ASM_W : 0;

    emit_gload(p, m, gl_size(d->size), HR_RAX, u->reg);
    if (d->shift >= 6)
        emit_gload(p, m, gl_size(d->size), HR_RDX, u->rm);         /* the source */
    if (d->count_cl)
        emit_gload(p, m, GL_32, HR_RCX, 1);
    if (d->shift >= 6)
        asm_shxd(p, w, d->shift == 7, d->count_cl, HR_RAX, HR_RDX, (uint8_t)d->count);
    else if (d->count_cl)
        asm_shift_cl(p, w, shift_ext(d->shift), HR_RAX);
    else
        asm_shift_imm(p, w, shift_ext(d->shift), HR_RAX, (uint8_t)d->count);
    asm_mov_r64_r64(p, HR_RDX, HR_RAX);
    emit_reg_result(p, m, d->size, u->reg);
}

/*
 * The host register that holds guest register r for an operation done in
 * place: its cached register, or `scratch` loaded from cpu->regs
 * (written back by inplace_done()).
 */
static unsigned inplace_reg(uint8_t **p, struct regmap *m, unsigned r, unsigned scratch)
{
    if (m->host[r] >= 0)
        return (unsigned)m->host[r];
    emit_gload(p, m, GL_64, scratch, r);
    return scratch;
}

static void inplace_done(uint8_t **p, struct regmap *m, unsigned r, unsigned h)
{
    if (m->host[r] >= 0)
        m->dirty |= (uint16_t)(1u << r);
    else
        asm_mov_m64_r64(p, HR_RBX, reg_off(r), h);
}

/*
 * A register form as the host instruction on the guest register in
 * place (its cached register, or rax loaded and stored back): a 32-bit
 * host result zero-extends as the guest's does, a 1- or 2-byte one
 * merges into the low byte or word as the guest's does.  No lazy state.
 * With `flags` the host flags after it are the guest's for every
 * condition (ALU forms but ADC/SBB: CMP/TEST/ADD/SUB/AND/OR/XOR);
 * without, they are dead and CMP/TEST emit nothing.  ALU (not
 * ADC/SBB), INC/DEC, NEG, SHL/SHR/SAR by an immediate; 1 and 2 bytes:
 * ALU and shifts, not of AH..BH.  False for every other form.
 */
static bool emit_inplace(uint8_t **p, struct regmap *m, const struct uop *u,
                         const struct uop_simple *d, bool flags)
{
    unsigned w = d->size == 8 ? ASM_W : d->size == 2 ? ASM_66 : d->size == 1 ? ASM_BYTE : 0;
    unsigned reg = d->size == 1 ? u->reg / 8 : u->reg;             /* byte offsets at 1 byte */
    unsigned rm = d->size == 1 ? u->rm / 8 : u->rm;

    if (d->carry || d->imul || d->div || d->count_cl || d->shift >= 4 || d->unary == 1
        || (flags && !d->alu))
        return false;
    if (d->alu && !d->writes && !flags)
        return true;                        /* CMP/TEST: no result, no flags */
    if (!d->alu && !d->incdec && !d->shift && d->unary != 2)
        return false;
    if (d->size < 4 && (d->incdec || d->unary
                 || (d->size == 1 && (u->reg % 8 || (!d->imm && d->alu && u->rm % 8)))))
        return false;                       /* AH..BH: not a host register's low byte */
    /* CMP and TEST are described as SUB and AND that write nothing */
    uint8_t hop = d->writes || !d->alu ? d->host_op : d->host_op == 0x29 ? 0x39 : 0x85;
    bool fits = d->size != 8 || (int64_t)u->imm == (int32_t)u->imm;
    unsigned h = inplace_reg(p, m, reg, HR_RAX);
    if (d->incdec) {
        asm_incdec_r(p, w, d->incdec > 0, h);
    } else if (d->unary == 2) {
        asm_rr(p, w, 0, ASM_OP(0xf7), 3, h);                       /* neg */
    } else if (d->shift) {
        asm_shift_imm(p, w, shift_ext(d->shift), h, (uint8_t)d->count);
    } else if (d->imm && fits && hop == 0x85) {
        asm_test_r_imm(p, w, h, (int32_t)u->imm);
    } else if (d->imm && fits) {
        asm_alu_r_imm(p, w, hop >> 3, h, (int32_t)u->imm);         /* only the low bytes count */
    } else {
        unsigned s = HR_RCX;
        if (d->imm)
            asm_mov_r64_imm64(p, HR_RCX, u->imm);
        else if (m->host[rm] >= 0)
            s = (unsigned)m->host[rm];
        else
            emit_gload(p, m, GL_64, HR_RCX, rm);
        asm_alu_rr(p, w, (uint8_t)(d->size == 1 ? hop & ~1u : hop), h, s); /* r/m8, r8 */
    }
    if (d->writes || !d->alu)                /* all but CMP/TEST */
        inplace_done(p, m, reg, h);
    return true;
}

/* Register forms whose flags nothing reads (flags_dead): in place (emit_inplace()). */
static bool emit_dead_flags(uint8_t **p, struct regmap *m, const struct uop *u,
                            const struct uop_simple *d)
{
    return d->flags_dead && emit_inplace(p, m, u, d, false);
}

/*
 * A register ALU form whose flags are pending (flags_later: native.c
 * stores them later where needed, rebuilt from the registers): in place,
 * the host flags left for a reader right after it (emit_cond() with
 * CC_HOST).  False when it cannot be done so (emit_simple() then).
 */
bool emit_alu_hostflags(uint8_t **p, struct regmap *m, const struct uop *u,
                        const struct uop_simple *d)
{
    return d->flags_later && emit_inplace(p, m, u, d, true);
}

/* Host code for a register-only MOV/ALU micro-op (uop_simple_desc). */
void emit_simple(uint8_t **p, struct regmap *m, const struct uop *u,
                 const struct uop_simple *d, uint32_t known)
{
    if (emit_dead_flags(p, m, u, d))
        return;
    if (d->imul) {
        emit_imul(p, m, u, d);
        return;
    }
    if (d->shift >= 4) {
        emit_rotate(p, m, u, d);
        return;
    }
    if (d->shift && d->count_cl) {
        emit_shift_cl(p, m, u, d);
        return;
    }
    if (d->shift) {
        emit_shift(p, m, u, d);
        return;
    }
    if (d->unary) {
        emit_unary(p, m, u, d);
        return;
    }

    if (!d->alu) {
        /* straight into the destination's cached register when it has one */
        unsigned h = m->host[u->reg] >= 0 ? (unsigned)m->host[u->reg] : HR_RAX;
        if (d->imm && d->size == 8)
            asm_mov_r64_imm64(p, h, u->imm);
        else if (d->imm)
            asm_mov_r32_imm32(p, h, (uint32_t)u->imm);
        else
            emit_gload(p, m, gl_size(d->size), h, u->rm);
        inplace_done(p, m, u->reg, h);
        return;
    }
    /* a = rax, b = rcx, r = rdx: the same 64-bit values the handler computes
     * (1 and 2 bytes zero-extended, the result not truncated, as reg_get());
     * ADC/SBB: the carry in esi first */
    if (d->carry) {
        emit_cf(p, known);
        asm_mov_r32_r32(p, HR_RSI, HR_RCX);
    }
    emit_alu_operands(p, m, u, d);
    emit_flags(p, true, d);
    if (d->writes)
        emit_reg_result(p, m, d->size, u->reg);
}

/*
 * A register ALU form's operands and result: rax = a, rcx = b, rdx = the
 * result (ADC/SBB: the carry in esi, set by the caller).  The lazy state
 * of a CMP/TEST whose flags were left for later (flags_later) is this
 * and emit_flags(), wherever it is needed, from the same registers.
 */
void emit_alu_operands(uint8_t **p, struct regmap *m, const struct uop *u,
                       const struct uop_simple *d)
{
    emit_reg_operand(p, m, d->size, u->reg, HR_RAX);
    if (d->imm)
        asm_mov_r64_imm64(p, HR_RCX, u->imm);
    else
        emit_reg_operand(p, m, d->size, u->rm, HR_RCX);
    asm_mov_r64_r64(p, HR_RDX, HR_RAX);
    if (d->carry)
        asm_bt_r32_imm8(p, HR_RSI, 0);
    asm_alu_r64_r64(p, d->host_op, HR_RDX, HR_RCX);
}

/*
 * Can a register ALU form's lazy state be rebuilt later from the guest
 * registers (pending flags, native.c)?  CMP/TEST change no register;
 * ADD/SUB/XOR can be undone, and AND/OR redone on their own result,
 * when the source is not the destination.
 */
bool alu_can_redo(const struct uop *u, const struct uop_simple *d)
{
    if (!d->alu || d->carry || d->mem_alu || d->flags_dead)
        return false;
    if (!d->writes)
        return true;
    if (d->host_op != 0x01 && d->host_op != 0x29 && d->host_op != 0x31 && d->host_op != 0x21
        && d->host_op != 0x09)
        return false;
    return d->imm || (d->size == 1 ? u->rm / 8 != u->reg / 8 : u->rm != u->reg);
}

/*
 * rax/rcx/rdx of an ALU form again (alu_can_redo()), from the guest
 * registers as they are after it: the operands of CMP/TEST; for the
 * others rcx = b, rax = the destination with b taken off again (ADD, SUB,
 * XOR; AND and OR keep their result, which gives the same result and
 * flags), rdx = rax op rcx.
 */
void emit_alu_again(uint8_t **p, struct regmap *m, const struct uop *u,
                    const struct uop_simple *d)
{
    if (!d->writes) {
        emit_alu_operands(p, m, u, d);
        return;
    }
    if (d->imm)
        asm_mov_r64_imm64(p, HR_RCX, u->imm);
    else
        emit_reg_operand(p, m, d->size, u->rm, HR_RCX);
    emit_reg_operand(p, m, d->size, u->reg, HR_RAX);
    if (d->host_op == 0x01)
        asm_alu_r64_r64(p, 0x29, HR_RAX, HR_RCX);                  /* sub rax, rcx */
    else if (d->host_op == 0x29)
        asm_alu_r64_r64(p, 0x01, HR_RAX, HR_RCX);                  /* add rax, rcx */
    else if (d->host_op == 0x31)
        asm_alu_r64_r64(p, 0x31, HR_RAX, HR_RCX);                  /* xor rax, rcx */
    if (d->size == 4)
        asm_mov_r32_r32(p, HR_RAX, HR_RAX);
    else if (d->size == 2)
        asm_movzx_r32_r16(p, HR_RAX, HR_RAX);
    else if (d->size == 1)
        asm_movzx_r32_r8(p, HR_RAX, HR_RAX);
    asm_mov_r64_r64(p, HR_RDX, HR_RAX);
    asm_alu_r64_r64(p, d->host_op, HR_RDX, HR_RCX);
}

/*
 * DIV/IDIV reg (4/8 bytes) with the host instruction: rdx:rax / reg,
 * quotient to rax, remainder to rdx, flags left alone (as uop_div()).
 * Cases the host instruction could fault on go to the handler through
 * *slow / *slow2 (filled in by the caller), which raises #DE or computes
 * them: DIV when rdx >= divisor (quotient overflow, or a divisor of 0);
 * IDIV when the divisor is 0 or -1, or the dividend is not rax
 * sign-extended (as compilers emit it, after CQO/CDQ).
 */
void emit_div(uint8_t **p, struct regmap *m, const struct uop *u, const struct uop_simple *d,
              uint8_t **slow, uint8_t **slow2)
{
    unsigned w = d->size == 8 ? ASM_W : 0;

    emit_gload(p, m, gl_size(d->size), HR_RCX, u->reg);            /* the divisor */
    emit_gload(p, m, gl_size(d->size), HR_RAX, 0);
    emit_gload(p, m, gl_size(d->size), HR_RDX, 2);
    if (d->div == 1) {
        asm_alu_rr(p, w, 0x39, HR_RDX, HR_RCX);                    /* cmp rdx, rcx */
        *slow = asm_jcc_fwd(p, CC_AE);
        *slow2 = NULL;
        asm_rr(p, w, 0, ASM_OP(0xf7), 6, HR_RCX);                  /* div rcx */
    } else {
        asm_rm(p, 0, 0, ASM_OP(0x8d), HR_RSI, HR_RCX, HR_NONE, 0, 1); /* lea esi, [rcx+1] */
        asm_alu_r_imm(p, 0, ALU_EXT_CMP, HR_RSI, 1);
        *slow = asm_jcc_fwd(p, CC_BE);                             /* divisor 0 or -1 */
        asm_mov_r64_r64(p, HR_RSI, HR_RAX);
        asm_shift_imm(p, w, 7, HR_RSI, (uint8_t)(d->size * 8 - 1)); /* sar: rax's sign */
        asm_alu_rr(p, w, 0x39, HR_RSI, HR_RDX);                    /* cmp rsi, rdx */
        *slow2 = asm_jcc_fwd(p, CC_NE);
        asm_rr(p, w, 0, ASM_OP(0xf7), 7, HR_RCX);                  /* idiv rcx */
    }
    emit_gstore(p, m, HR_RAX, 0);                   /* 4 bytes: the host zero-extended */
    emit_gstore(p, m, HR_RDX, 2);
}

/* rax (size bytes, zero-extended) sign-extended from `from` bytes when `sign`, then as
 * reg_set() writes `size` bytes into guest register r */
void emit_movx_result(uint8_t **p, struct regmap *m, unsigned from, bool sign,
                      unsigned size, unsigned r)
{
    if (sign) {
        if (from == 1)
            asm_movsx_r64_r8(p, HR_RAX, HR_RAX);
        else if (from == 2)
            asm_movsx_r64_r16(p, HR_RAX, HR_RAX);
        else if (from == 4)
            asm_movsxd_r64_r32(p, HR_RAX, HR_RAX);
    }
    if (size == 4 && sign)                  /* a zero extension cleared the high half */
        asm_mov_r32_r32(p, HR_RAX, HR_RAX);
    emit_gstore(p, m, HR_RAX, r);
}

static bool cond_call(const struct cpu *cpu, unsigned cc) { return cpu_cond(cpu, cc); }

/*
 * Host flags equal to the guest's for every condition, from the lazy
 * state host code stored last (known): the operation is redone on its
 * operands at its size.  With `live`, the host code just before left them
 * in registers (rax = a, rcx = b, rdx = result; ecx = CF for INC/DEC);
 * otherwise they come from the stored lazy state.  False when the
 * operation is not one of these.
 */
static bool emit_host_flags(uint8_t **p, uint32_t known, bool live)
{
    if (known == CC_HOST)
        return true;                        /* they are already */
    if (known == CC_OP_SUBL || known == CC_OP_SUBQ || known == CC_OP_ADDL || known == CC_OP_ADDQ) {
        unsigned w = known == CC_OP_SUBQ || known == CC_OP_ADDQ ? ASM_W : 0;
        uint8_t op = known == CC_OP_SUBL || known == CC_OP_SUBQ ? 0x3b : 0x03; /* cmp / add r, r/m */
        if (live)
            asm_rr(p, w, 0, &op, 1, HR_RAX, HR_RCX);               /* cmp/add rax, rcx */
        else {
            asm_mov_r64_m64(p, HR_RAX, HR_RBX, CPU_OFF(cc_src2));  /* rax = a */
            asm_alu_r_m(p, w, op, HR_RAX, HR_RBX, HR_NONE, CPU_OFF(cc_src)); /* op a, b */
        }
        return true;
    }
    if (known == CC_OP_SUBB || known == CC_OP_SUBW || known == CC_OP_ADDB || known == CC_OP_ADDW) {
        bool w = known == CC_OP_SUBW || known == CC_OP_ADDW;
        bool sub = known == CC_OP_SUBB || known == CC_OP_SUBW;
        uint8_t op = (uint8_t)((sub ? 0x3a : 0x02) | w);            /* cmp/add r8|r16, r/m */
        if (!live) {
            asm_mov_r64_m64(p, HR_RAX, HR_RBX, CPU_OFF(cc_src2));  /* rax = a */
            asm_mov_r64_m64(p, HR_RCX, HR_RBX, CPU_OFF(cc_src));   /* rcx = b */
        }
        asm_rr(p, w ? ASM_66 : ASM_BYTE, 0, &op, 1, HR_RAX, HR_RCX);
        return true;
    }
    if (cc_in(known, CC_OP_LOGICB, CC_OP_LOGICQ)) {
        static const unsigned fl[] = { ASM_BYTE, ASM_66, 0, ASM_W };
        unsigned k = known - CC_OP_LOGICB;
        uint8_t op = k == 0 ? 0x84 : 0x85;
        if (!live)
            asm_mov_r64_m64(p, HR_RDX, HR_RBX, CPU_OFF(cc_dst));
        asm_rr(p, fl[k], 0, &op, 1, HR_RDX, HR_RDX);               /* test dl|dx|edx|rdx */
        return true;
    }
    if (known == CC_OP_INCL || known == CC_OP_INCQ || known == CC_OP_DECL || known == CC_OP_DECQ) {
        bool inc = known == CC_OP_INCL || known == CC_OP_INCQ;
        bool q = known == CC_OP_INCQ || known == CC_OP_DECQ;
        if (!live) {
            asm_mov_r64_m64(p, HR_RDX, HR_RBX, CPU_OFF(cc_dst));   /* the result */
            asm_mov_r32_m32(p, HR_RCX, HR_RBX, CPU_OFF(cc_src));   /* ecx = CF */
        }
        asm_lea_r64_m(p, HR_RAX, HR_RDX, inc ? -1 : 1);            /* the operand again */
        asm_bt_r32_imm8(p, HR_RCX, 0);
        asm_incdec_r(p, q ? ASM_W : 0, inc, HR_RAX);
        return true;
    }
    return false;
}

/*
 * Host flags for guest condition cc: returns the host condition to test,
 * cc itself when the flags are redone in place (emit_host_flags()), else
 * NE after asking cpu_cond() (clobbers rax rcx rdx rsi rdi; the cached
 * registers stay, emit_call_keep()).
 */
unsigned emit_cond(uint8_t **p, uint32_t known, bool live, unsigned cc)
{
    if (emit_host_flags(p, known, live))
        return cc;
    asm_mov_r64_r64(p, HR_RDI, HR_RBX);
    asm_mov_r32_imm32(p, HR_RSI, cc);
    emit_call_keep(p, (const void *)(uintptr_t)cond_call);
    asm_test_r8_r8(p, HR_RAX, HR_RAX);
    return CC_NE;
}

/*
 * Are the operands `live` left in registers still there after
 * emit_cond() for them?  The compares and tests leave them; ADD redone
 * in place overwrites rax, and cpu_cond() is a call.
 */
bool cond_keeps_live(uint32_t known)
{
    return cc_in(known, CC_OP_SUBB, CC_OP_SUBQ) || cc_in(known, CC_OP_LOGICB, CC_OP_LOGICQ)
           || known == CC_OP_INCL || known == CC_OP_INCQ || known == CC_OP_DECL
           || known == CC_OP_DECQ;
}

/* SETcc r8 and CMOVcc reg, reg (4/8 bytes), as uop_setcc()/uop_cmov() */
void emit_setcc_cmov(uint8_t **p, struct regmap *m, const struct uop *u,
                     const struct uop_simple *d, uint32_t known, bool live)
{
    unsigned hc = emit_cond(p, known, live, u->cc & 15u);

    if (d->setcc) {
        asm_setcc_r8(p, hc, HR_RCX);
        emit_reg_part(p, m, 1, u->reg, HR_RCX);
        return;
    }
    /* movs leave the flags alone; a 32-bit CMOV zero-extends even when false */
    emit_gload(p, m, gl_size(d->size), HR_RAX, u->reg);
    emit_gload(p, m, gl_size(d->size), HR_RCX, u->rm);
    asm_cmovcc(p, d->size == 8 ? ASM_W : 0, hc, HR_RAX, HR_RCX);
    emit_gstore(p, m, HR_RAX, u->reg);
}

#endif
