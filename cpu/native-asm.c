/*
 * cpu/native-asm.c: the generic x86-64 encoders behind the named
 * emitters of cpu/native-asm.h (Intel SDM vol. 2, chapter 2: legacy
 * prefixes, REX, ModRM, SIB, displacement, immediate).
 *
 * asm_rm() picks the shortest displacement (none, disp8, disp32) and
 * adds the SIB byte that RSP/R12 bases need and the disp8 of 0 that
 * RBP/R13 bases need.  Branch displacements are always rel32 unless the
 * emitter says rel8 in its name (asm_jcc8_fwd()).
 */
#include "cpu/native-asm.h"

#include <stdlib.h>
#include <string.h>

void emit8(uint8_t **p, uint8_t b) { *(*p)++ = b; }

void emit32(uint8_t **p, uint32_t v)
{
    memcpy(*p, &v, 4);
    *p += 4;
}

void emit64(uint8_t **p, uint64_t v)
{
    memcpy(*p, &v, 8);
    *p += 8;
}

void emit_bytes(uint8_t **p, const uint8_t *b, size_t n)
{
    memcpy(*p, b, n);
    *p += n;
}

/* legacy prefixes and REX (W, R from reg, X from index, B from base/rm) */
static void emit_prefixes(uint8_t **p, unsigned flags, uint8_t pfx, unsigned reg,
                          unsigned index, unsigned base)
{
    uint8_t rex = 0x40;

    if (flags & ASM_66)
        emit8(p, 0x66);
    if (pfx)
        emit8(p, pfx);
    if (flags & ASM_W)
        rex |= 8;
    if (reg >= 8)
        rex |= 4;
    if (index != HR_NONE && index >= 8)
        rex |= 2;
    if (base >= 8)
        rex |= 1;
    /* byte operands in SPL/BPL/SIL/DIL (4..7) need a REX to not mean AH..BH */
    if (rex != 0x40 || ((flags & ASM_BYTE) && ((reg >= 4 && reg < 8) || (base >= 4 && base < 8))))
        emit8(p, rex);
}

void asm_rm(uint8_t **p, unsigned flags, uint8_t pfx, const uint8_t *op, size_t n,
            unsigned reg, unsigned base, unsigned index, unsigned scale, int32_t disp)
{
    unsigned mod;

    if (index == HR_RSP)
        abort();                /* RSP cannot be an index */
    /* ASM_BYTE concerns the register operand only, not the base */
    emit_prefixes(p, flags, pfx, reg, index, (flags & ASM_BYTE) ? (base >= 8 ? base : 0) : base);
    emit_bytes(p, op, n);
    if (disp == 0 && (base & 7) != HR_RBP)
        mod = 0;
    else if (disp >= -128 && disp <= 127)
        mod = 1;
    else
        mod = 2;
    if (index != HR_NONE || (base & 7) == HR_RSP) {
        emit8(p, (uint8_t)((mod << 6) | ((reg & 7) << 3) | 4));
        emit8(p, (uint8_t)((scale << 6) | ((index == HR_NONE ? HR_RSP : index) & 7) << 3
                           | (base & 7)));
    } else {
        emit8(p, (uint8_t)((mod << 6) | ((reg & 7) << 3) | (base & 7)));
    }
    if (mod == 1)
        emit8(p, (uint8_t)(int8_t)disp);
    else if (mod == 2)
        emit32(p, (uint32_t)disp);
}

void asm_lea_index(uint8_t **p, unsigned flags, unsigned dst, unsigned index, unsigned scale,
                   int32_t disp)
{
    if (index == HR_RSP)
        abort();
    emit_prefixes(p, flags, 0, dst, index, 0);
    emit8(p, 0x8d);
    emit8(p, (uint8_t)(((dst & 7) << 3) | 4));                     /* mod 00, SIB follows */
    emit8(p, (uint8_t)((scale << 6) | ((index & 7) << 3) | 5));    /* base 101: disp32 only */
    emit32(p, (uint32_t)disp);
}

void asm_rr(uint8_t **p, unsigned flags, uint8_t pfx, const uint8_t *op, size_t n,
            unsigned reg, unsigned rm)
{
    emit_prefixes(p, flags, pfx, reg, HR_NONE, rm);
    emit_bytes(p, op, n);
    emit8(p, (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7)));
}

void asm_mov_r64_imm64(uint8_t **p, unsigned dst, uint64_t imm)
{
    emit8(p, (uint8_t)(0x48 | (dst >= 8 ? 1 : 0)));
    emit8(p, (uint8_t)(0xb8 | (dst & 7)));
    emit64(p, imm);
}

void asm_mov_r32_imm32(uint8_t **p, unsigned dst, uint32_t imm)
{
    if (dst >= 8)
        emit8(p, 0x41);
    emit8(p, (uint8_t)(0xb8 | (dst & 7)));
    emit32(p, imm);
}

/* An immediate of the operand size: 1 byte with ASM_BYTE, 2 with ASM_66, else 4 */
static void emit_imm_sized(uint8_t **p, unsigned flags, int32_t imm)
{
    if (flags & ASM_BYTE)
        emit8(p, (uint8_t)imm);
    else if (flags & ASM_66)
        emit_bytes(p, (const uint8_t[]){ (uint8_t)imm, (uint8_t)(imm >> 8) }, 2);
    else
        emit32(p, (uint32_t)imm);
}

/* group 1 with an immediate: 80 /ext ib for bytes, 83 ib when it fits, else 81 iw|id */
static void alu_imm(uint8_t **p, unsigned flags, unsigned ext, unsigned base, bool reg,
                    int32_t disp, int32_t imm)
{
    bool byte = flags & ASM_BYTE, imm8 = byte || (imm >= -128 && imm <= 127);
    const uint8_t *op = byte ? (const uint8_t[]){ 0x80 } : imm8 ? (const uint8_t[]){ 0x83 }
                                                               : (const uint8_t[]){ 0x81 };

    if (reg)
        asm_rr(p, flags, 0, op, 1, ext, base);
    else
        asm_rm(p, flags, 0, op, 1, ext, base, HR_NONE, 0, disp);
    if (imm8)
        emit8(p, (uint8_t)imm);
    else
        emit_imm_sized(p, flags, imm);
}

void asm_alu_r_imm(uint8_t **p, unsigned flags, unsigned ext, unsigned r, int32_t imm)
{
    alu_imm(p, flags, ext, r, true, 0, imm);
}

void asm_alu_m_imm(uint8_t **p, unsigned flags, unsigned ext, unsigned base, int32_t disp,
                   int32_t imm)
{
    alu_imm(p, flags, ext, base, false, disp, imm);
}

void asm_test_r_imm(uint8_t **p, unsigned flags, unsigned r, int32_t imm)
{
    asm_rr(p, flags, 0, (flags & ASM_BYTE) ? (const uint8_t[]){ 0xf6 } : (const uint8_t[]){ 0xf7 },
           1, 0, r);
    emit_imm_sized(p, flags, imm);
}

void asm_shift_imm(uint8_t **p, unsigned flags, unsigned ext, unsigned r, uint8_t count)
{
    asm_rr(p, flags, 0, (flags & ASM_BYTE) ? (const uint8_t[]){ 0xc0 } : (const uint8_t[]){ 0xc1 },
           1, ext, r);
    emit8(p, count);
}

void asm_shxd(uint8_t **p, unsigned flags, bool right, bool cl, unsigned dst, unsigned src,
              uint8_t count)
{
    asm_rr(p, flags, 0, (const uint8_t[]){ 0x0f, (uint8_t)((right ? 0xac : 0xa4) | (cl ? 1 : 0)) },
           2, src, dst);
    if (!cl)
        emit8(p, count);
}

void asm_push_r64(uint8_t **p, unsigned r)
{
    if (r >= 8)
        emit8(p, 0x41);
    emit8(p, (uint8_t)(0x50 | (r & 7)));
}

void asm_pop_r64(uint8_t **p, unsigned r)
{
    if (r >= 8)
        emit8(p, 0x41);
    emit8(p, (uint8_t)(0x58 | (r & 7)));
}

/* rel32 from the end of the instruction at *p (whose last 4 bytes follow) */
static void emit_rel32(uint8_t **p, const uint8_t *target)
{
    emit32(p, (uint32_t)(int32_t)(target - (*p + 4)));
}

void asm_jmp_rel32(uint8_t **p, const uint8_t *target)
{
    emit8(p, 0xe9);
    emit_rel32(p, target);
}

void asm_jcc_rel32(uint8_t **p, unsigned cc, const uint8_t *target)
{
    emit8(p, 0x0f);
    emit8(p, (uint8_t)(0x80 | cc));
    emit_rel32(p, target);
}

uint8_t *asm_jmp_fwd(uint8_t **p)
{
    emit8(p, 0xe9);
    uint8_t *site = *p;
    emit32(p, 0);
    return site;
}

uint8_t *asm_jcc_fwd(uint8_t **p, unsigned cc)
{
    emit8(p, 0x0f);
    emit8(p, (uint8_t)(0x80 | cc));
    uint8_t *site = *p;
    emit32(p, 0);
    return site;
}

uint8_t *asm_jcc8_fwd(uint8_t **p, unsigned cc)
{
    emit8(p, (uint8_t)(0x70 | cc));
    uint8_t *site = *p;
    emit8(p, 0);
    return site;
}

uint8_t *asm_jmp8_fwd(uint8_t **p)
{
    emit8(p, 0xeb);
    uint8_t *site = *p;
    emit8(p, 0);
    return site;
}

void asm_patch32_here(uint8_t **p, uint8_t *site)
{
    int32_t rel = (int32_t)(*p - (site + 4));
    memcpy(site, &rel, 4);
}

void asm_patch8_here(uint8_t **p, uint8_t *site)
{
    ptrdiff_t rel = *p - (site + 1);
    if (rel > 127)
        abort();                /* a short jump over too much code: an emitter bug */
    *site = (uint8_t)rel;
}
