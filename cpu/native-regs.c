/*
 * cpu/native-regs.c: guest general registers in host code (x86-64
 * hosts).  A block keeps up to eight guest registers in host registers,
 * the callee-saved r13 r14 r15 rbp first, then the caller-saved r8 r9
 * r10 r11 (struct regmap, chosen by native.c's choose_regs()); every
 * other access goes to cpu->regs through rbx.  Every call of a handler
 * is preceded by a flush and followed, when the block goes on, by a
 * reload of all of them (the handler may have written any), so which
 * ones a call clobbers does not matter there; the C helpers called in
 * the middle of a block without a reload (the lazy-flag and condition
 * helpers of native-alu.c) go through emit_call_keep(), which keeps
 * r8-r11 across the call.
 * Byte and word operands of a cached register are its host register's
 * low byte or word (read zero-extended, written merged, as reg_get()/
 * reg_set() do); AH..BH, and registers not cached, go through memory,
 * after storing a dirty cached copy, which is reloaded after a merge.
 */
#include "cpu/native-internal.h"

#if defined(__x86_64__)

const uint8_t native_cache_hregs[NATIVE_CACHE_REGS] = {
    HR_R13, HR_R14, HR_R15, HR_RBP, HR_R8, HR_R9, HR_R10, HR_R11
};

/* the caller-saved ones of native_cache_hregs, which a call of C clobbers */
static const uint8_t caller_saved[] = { HR_R8, HR_R9, HR_R10, HR_R11 };
_Static_assert(sizeof caller_saved % 2 == 0, "an even number of pushes keeps rsp aligned");

/*
 * Call C function fn (its arguments already in rdi, rsi) in the middle
 * of a block that goes on using its cached registers without reloading
 * them: r8-r11 are pushed around the call (the callee-saved ones survive
 * it anyway).  rsp is 16-byte aligned in host code and stays so.  rax
 * holds the result; rcx, rdx, rsi, rdi and the host flags are lost.
 */
void emit_call_keep(uint8_t **p, const void *fn)
{
    for (size_t k = 0; k < sizeof caller_saved; k++)
        asm_push_r64(p, caller_saved[k]);
    asm_mov_r64_imm64(p, HR_RAX, (uint64_t)(uintptr_t)fn);
    asm_call_r(p, HR_RAX);
    for (size_t k = sizeof caller_saved; k-- > 0;)
        asm_pop_r64(p, caller_saved[k]);
}

int32_t reg_off(unsigned r)
{
    return (int32_t)(offsetof(struct cpu, regs) + 8 * r);
}

/* host register hreg = guest register r: whole, low half zero-extended, or sign-extended */
void emit_gload(uint8_t **p, struct regmap *m, enum gload k, unsigned hreg, unsigned r)
{
    if (m->host[r] >= 0) {
        unsigned h = (unsigned)m->host[r];
        switch (k) {
        case GL_64: asm_mov_r64_r64(p, hreg, h); break;
        case GL_32: asm_mov_r32_r32(p, hreg, h); break;
        default: asm_movsxd_r64_r32(p, hreg, h); break;
        }
        return;
    }
    switch (k) {
    case GL_64: asm_mov_r64_m64(p, hreg, HR_RBX, reg_off(r)); break;
    case GL_32: asm_mov_r32_m32(p, hreg, HR_RBX, reg_off(r)); break;
    default: asm_movsxd_r64_m32(p, hreg, HR_RBX, reg_off(r)); break;
    }
}

/* Guest register r = host register hreg (all 64 bits). */
void emit_gstore(uint8_t **p, struct regmap *m, unsigned hreg, unsigned r)
{
    if (m->host[r] >= 0) {
        asm_mov_r64_r64(p, (unsigned)m->host[r], hreg);
        m->dirty |= (uint16_t)(1u << r);
    } else {
        asm_mov_m64_r64(p, HR_RBX, reg_off(r), hreg);
    }
}

/* Store cached register r to cpu->regs if memory does not hold it yet. */
void emit_flush_reg(uint8_t **p, struct regmap *m, unsigned r)
{
    if (!(m->dirty & (1u << r)))
        return;
    asm_mov_m64_r64(p, HR_RBX, reg_off(r), (unsigned)m->host[r]);
    m->dirty &= (uint16_t)~(1u << r);
}

/* Every dirty cached register to cpu->regs (before a call or an exit). */
void emit_flush(uint8_t **p, struct regmap *m)
{
    for (unsigned r = 0; r < 16; r++)
        emit_flush_reg(p, m, r);
}

/* The cached copy of guest register r (if any) from cpu->regs. */
void emit_reload_reg(uint8_t **p, struct regmap *m, unsigned r)
{
    if (m->host[r] < 0)
        return;
    asm_mov_r64_m64(p, (unsigned)m->host[r], HR_RBX, reg_off(r));
}

/* Every cached register from cpu->regs (which holds them all: none dirty). */
void emit_reload(uint8_t **p, struct regmap *m)
{
    for (unsigned r = 0; r < 16; r++)
        emit_reload_reg(p, m, r);
    m->dirty = 0;
}

/*
 * The host register caching the low byte (size 1, r a byte offset) or low
 * word (size 2) of guest register operand r, or -1: not cached, or one of
 * AH..BH (byte offsets 8n + 1).
 */
static int cached_part(const struct regmap *m, unsigned size, unsigned r)
{
    if (size == 1)
        return r % 8 ? -1 : m->host[r / 8];
    return m->host[r];
}

/*
 * A register operand of `size` bytes into host register hreg,
 * zero-extended as reg_get() returns it: 8/4 bytes by number, 2 bytes by
 * number and 1 byte by byte offset, from the cache (cached_part()) or
 * from memory after storing a dirty cached copy.
 */
void emit_reg_operand(uint8_t **p, struct regmap *m, unsigned size, unsigned r, unsigned hreg)
{
    int h = size < 4 ? cached_part(m, size, r) : -1;

    switch (size) {
    case 8: emit_gload(p, m, GL_64, hreg, r); break;
    case 4: emit_gload(p, m, GL_32, hreg, r); break;
    case 2:
        if (h >= 0) {
            asm_movzx_r32_r16(p, hreg, (unsigned)h);
            break;
        }
        emit_flush_reg(p, m, r);
        asm_movzx_r32_m16(p, hreg, HR_RBX, reg_off(r));
        break;
    default:
        if (h >= 0) {
            asm_movzx_r32_r8(p, hreg, (unsigned)h);
            break;
        }
        emit_flush_reg(p, m, r / 8);
        asm_movzx_r32_m8(p, hreg, HR_RBX, CPU_OFF(regs) + (int32_t)r);
        break;
    }
}

/*
 * The low byte (size 1, r a byte offset) or word (size 2) of host
 * register hreg merged into guest register operand r, as reg_set() does:
 * into the cached host register (marked dirty), or in memory (after
 * storing a dirty cached copy, which is then reloaded).  Host flags and
 * hreg are left alone.
 */
void emit_reg_part(uint8_t **p, struct regmap *m, unsigned size, unsigned r, unsigned hreg)
{
    int h = cached_part(m, size, r);
    unsigned reg = size == 1 ? r / 8 : r;

    if (h >= 0) {
        if (size == 2)
            asm_rr(p, ASM_66, 0, ASM_OP(0x89), hreg, (unsigned)h);  /* mov h16, hreg16 */
        else
            asm_rr(p, ASM_BYTE, 0, ASM_OP(0x88), hreg, (unsigned)h); /* mov h8, hreg8 */
        m->dirty |= (uint16_t)(1u << reg);
        return;
    }
    emit_flush_reg(p, m, reg);
    if (size == 2)
        asm_mov_m16_r16(p, HR_RBX, reg_off(r), hreg);
    else
        asm_mov_m8_r8(p, HR_RBX, CPU_OFF(regs) + (int32_t)r, hreg);
    emit_reload_reg(p, m, reg);
}

/*
 * The result in rdx to register operand r of `size` bytes, as reg_set()
 * does: 8 bytes whole, 4 zero-extended, 2 merged into the low word and 1
 * into the byte at byte offset r (emit_reg_part()).
 */
void emit_reg_result(uint8_t **p, struct regmap *m, unsigned size, unsigned r)
{
    switch (size) {
    case 8: emit_gstore(p, m, HR_RDX, r); break;
    case 4:
        asm_mov_r32_r32(p, HR_RDX, HR_RDX);
        emit_gstore(p, m, HR_RDX, r);
        break;
    default: emit_reg_part(p, m, size, r, HR_RDX); break;
    }
}

#endif
