/*
 * cpu/ops-sse-mov.c: MMX/SSE data movement (the "ssemov" family of
 * insn-list.h): MOVD/MOVQ, MOVDQA/MOVDQU/MOVAPS/MOVUPS/MOVAPD/MOVUPD,
 * MOVSS/MOVSD (moves), MOVLPS/MOVHPS/MOVLPD/MOVHPD/MOVHLPS/MOVLHPS,
 * MOVNT*, LDDQU, MOVSLDUP/MOVSHDUP/MOVDDUP, MOVDQ2Q/MOVQ2DQ, MASKMOVQ/
 * MASKMOVDQU, PMOVMSKB/MOVMSKPS/MOVMSKPD, PEXTRB/W/D/Q, EXTRACTPS, PINSR*, EMMS
 * (SDM vol. 2, each instruction's page).  Layout of the uops in
 * ops-sse.h.  Non-temporal hints have no effect (no caches modelled).
 */
#include "cpu/ops-sse.h"

struct uop *sse_emit(struct tr_ctx *tc, const struct insn *in, uop_fn fn)
{
    struct uop *u = tr_emit(tc, in, fn);

    u->aux = in->op;
    u->imm = in->imm;
    u->cc = 0;
    if (in->nopnds > 0 && in->o[0].kind == OPND_MMX)
        u->cc |= SV_DST_MMX;
    if (in->nopnds > 1 && in->o[1].kind == OPND_MMX)
        u->cc |= SV_SRC_MMX;
    if (in->attrs & INSN_ALIGN)
        u->cc |= SV_ALIGN;
    if (in->nopnds > 1 && in->o[1].kind == OPND_IMM)
        u->cc |= SV_IMM;
    for (int i = 0; i < in->nopnds; i++)
        if (in->o[i].kind == OPND_MEM)
            u->opsz2 = in->o[i].size;
    return u;
}

static void mmx_touch(struct cpu *cpu, const struct uop *u)
{
    if (u->cc & (SV_DST_MMX | SV_SRC_MMX))
        mmx_enter(cpu);
}

/* register <- register or memory */
static const struct uop *uop_vmov(struct cpu *cpu, const struct uop *u)
{
    union vec s, d;
    bool mem = u->rm == UOP_NOREG, dmmx = u->cc & SV_DST_MMX;

    mmx_pending(cpu, u);
    sse_src(cpu, u, &s);
    sse_reg(cpu, u->reg, dmmx, &d);
    switch (u->aux) {
    case OP_MOVSS:
        if (mem)
            d = s;
        else
            d.d[0] = s.d[0];
        break;
    case OP_MOVSD:
        if (mem)
            d = s;
        else
            d.q[0] = s.q[0];
        break;
    case OP_MOVQ: case OP_MOVQ2DQ: case OP_MOVDQ2Q:
        d.q[0] = s.q[0];
        d.q[1] = 0;
        break;
    case OP_MOVLPS: case OP_MOVLPD: d.q[0] = s.q[0]; break;
    case OP_MOVHPS: case OP_MOVHPD: d.q[1] = s.q[0]; break;
    case OP_MOVHLPS: d.q[0] = s.q[1]; break;
    case OP_MOVLHPS: d.q[1] = s.q[0]; break;
    case OP_MOVSLDUP:
        d.d[0] = d.d[1] = s.d[0];
        d.d[2] = d.d[3] = s.d[2];
        break;
    case OP_MOVSHDUP:
        d.d[0] = d.d[1] = s.d[1];
        d.d[2] = d.d[3] = s.d[3];
        break;
    case OP_MOVDDUP: d.q[0] = d.q[1] = s.q[0]; break;
    default: d = s; break;
    }
    mmx_touch(cpu, u);
    sse_set_reg(cpu, u->reg, dmmx, &d);
    return u + 1;
}

/* memory <- register (the W/Q/M destination forms with mod != 3; register
 * destinations run as uop_vmov); rm = source */
static const struct uop *uop_vstore(struct cpu *cpu, const struct uop *u)
{
    union vec s;

    mmx_pending(cpu, u);
    sse_reg(cpu, u->rm, u->cc & SV_SRC_MMX, &s);
    if (u->aux == OP_MOVHPS || u->aux == OP_MOVHPD)
        s.q[0] = s.q[1];
    sse_store(cpu, sse_la(cpu, u, u->opsz2), u->opsz2, &s);
    mmx_touch(cpu, u);
    return u + 1;
}

/* MOVD/MOVQ mm/xmm, r/m32/64: opsz2 = 4 or 8 (the uop's osize) */
static const struct uop *uop_movd_in(struct cpu *cpu, const struct uop *u)
{
    unsigned s = u->osize == 8 ? 8 : 4;
    union vec v = { .q = { 0, 0 } };

    mmx_pending(cpu, u);
    v.q[0] = u->rm != UOP_NOREG ? reg_get(cpu, u->rm, s) : cpu_ld(cpu, uop_la(cpu, u), s);
    mmx_touch(cpu, u);
    sse_set_reg(cpu, u->reg, u->cc & SV_DST_MMX, &v);
    return u + 1;
}

/* MOVD/MOVQ r/m32/64, mm/xmm: reg = GPR or UOP_NOREG, rm = vector register */
static const struct uop *uop_movd_out(struct cpu *cpu, const struct uop *u)
{
    unsigned s = u->osize == 8 ? 8 : 4;
    union vec v;

    mmx_pending(cpu, u);
    sse_reg(cpu, u->rm, u->cc & SV_SRC_MMX, &v);
    if (u->reg == UOP_NOREG)
        cpu_st(cpu, uop_la(cpu, u), s, v.q[0]);
    else
        reg_set(cpu, u->reg, s, v.q[0]);
    mmx_touch(cpu, u);
    return u + 1;
}

/* PMOVMSKB, MOVMSKPS, MOVMSKPD: r32 <- sign bits */
static const struct uop *uop_vmovmsk(struct cpu *cpu, const struct uop *u)
{
    union vec s;
    uint32_t r = 0;
    bool mmx = u->cc & SV_SRC_MMX;

    mmx_pending(cpu, u);
    sse_reg(cpu, u->rm, mmx, &s);
    switch (u->aux) {
    case OP_PMOVMSKB:
        for (unsigned i = 0; i < (mmx ? 8u : 16u); i++)
            r |= (uint32_t)(s.b[i] >> 7) << i;
        break;
    case OP_MOVMSKPS:
        for (unsigned i = 0; i < 4; i++)
            r |= (s.d[i] >> 31) << i;
        break;
    default:
        r = (uint32_t)((s.q[0] >> 63) | ((s.q[1] >> 63) << 1));
        break;
    }
    mmx_touch(cpu, u);
    reg_set(cpu, u->reg, 4, r);
    return u + 1;
}

/* PEXTRB/W/D/Q, EXTRACTPS: r/m <- element imm of the vector rm */
static const struct uop *uop_vextract(struct cpu *cpu, const struct uop *u)
{
    union vec s;
    bool mmx = u->cc & SV_SRC_MMX;
    unsigned size;
    uint64_t v;

    mmx_pending(cpu, u);
    sse_reg(cpu, u->rm, mmx, &s);
    switch (u->aux) {
    case OP_PEXTRB: v = s.b[u->imm & 15]; size = 1; break;
    case OP_PEXTRW: v = s.w[u->imm & (mmx ? 3 : 7)]; size = 2; break;
    case OP_PEXTRD:
        if (u->osize == 8) {
            v = s.q[u->imm & 1];
            size = 8;
        } else {
            v = s.d[u->imm & 3];
            size = 4;
        }
        break;
    default: v = s.d[u->imm & 3]; size = 4; break; /* EXTRACTPS */
    }
    if (u->reg == UOP_NOREG)
        cpu_st(cpu, uop_la(cpu, u), size, v);
    else
        reg_set(cpu, u->reg, size == 8 ? 8 : 4, v);
    mmx_touch(cpu, u);
    return u + 1;
}

/* PINSRB/W/D/Q: element imm of the vector reg <- r/m */
static const struct uop *uop_vinsert(struct cpu *cpu, const struct uop *u)
{
    bool mmx = u->cc & SV_DST_MMX;
    unsigned size = u->aux == OP_PINSRB ? 1 : u->aux == OP_PINSRW ? 2 : u->osize == 8 ? 8 : 4;
    union vec d;

    mmx_pending(cpu, u);
    uint64_t v = u->rm != UOP_NOREG ? reg_get(cpu, u->rm, size == 8 ? 8 : 4)
                                    : cpu_ld(cpu, uop_la(cpu, u), size);
    sse_reg(cpu, u->reg, mmx, &d);
    switch (size) {
    case 1: d.b[u->imm & 15] = (uint8_t)v; break;
    case 2: d.w[u->imm & (mmx ? 3 : 7)] = (uint16_t)v; break;
    case 4: d.d[u->imm & 3] = (uint32_t)v; break;
    default: d.q[u->imm & 1] = v; break;
    }
    mmx_touch(cpu, u);
    sse_set_reg(cpu, u->reg, mmx, &d);
    return u + 1;
}

/* MASKMOVQ/MASKMOVDQU: bytes of reg whose mask byte (rm) has bit 7 set go
 * to DS:rDI (segment override allowed); u->seg carries the segment. */
static const struct uop *uop_maskmov(struct cpu *cpu, const struct uop *u)
{
    bool mmx = u->cc & SV_DST_MMX;
    union vec s, m;
    uint64_t ea = cpu->regs[7] & size_mask(u->asize);
    gva_t la = u->seg == SEG_NONE ? ea : seg_linear(cpu, u->seg, ea);

    mmx_pending(cpu, u);
    sse_reg(cpu, u->reg, mmx, &s);
    sse_reg(cpu, u->rm, mmx, &m);
    for (unsigned i = 0; i < (mmx ? 8u : 16u); i++)
        if (m.b[i] & 0x80)
            mmu_probe_write(cpu, la + i, 1);
    for (unsigned i = 0; i < (mmx ? 8u : 16u); i++)
        if (m.b[i] & 0x80)
            cpu_st8(cpu, la + i, s.b[i]);
    mmx_touch(cpu, u);
    return u + 1;
}

static const struct uop *uop_emms(struct cpu *cpu, const struct uop *u)
{
    fpu_check_pending(cpu);
    cpu->fpu.ftw = 0;
    return u + 1;
}

void tr_ssemov(struct tr_ctx *tc, const struct insn *in)
{
    struct uop *u;
    bool dst_vec = in->o[0].kind == OPND_XMM || in->o[0].kind == OPND_MMX;

    switch (in->op) {
    case OP_EMMS:
        tr_emit(tc, in, uop_emms);
        return;
    case OP_MOVD:
        if (dst_vec) {
            sse_emit(tc, in, uop_movd_in);
        } else {
            u = sse_emit(tc, in, uop_movd_out);
            if (in->o[0].kind == OPND_MEM)
                u->reg = UOP_NOREG;
        }
        return;
    case OP_PMOVMSKB: case OP_MOVMSKPS: case OP_MOVMSKPD:
        sse_emit(tc, in, uop_vmovmsk)->kind = UK_VMOVMSK;
        return;
    case OP_PEXTRB: case OP_PEXTRW: case OP_PEXTRD: case OP_EXTRACTPS:
        u = sse_emit(tc, in, uop_vextract);
        if (in->o[0].kind == OPND_MEM)
            u->reg = UOP_NOREG;
        return;
    case OP_PINSRB: case OP_PINSRW: case OP_PINSRD:
        sse_emit(tc, in, uop_vinsert);
        return;
    case OP_MASKMOVQ: case OP_MASKMOVDQU:
        u = sse_emit(tc, in, uop_maskmov);
        u->seg = in->seg_override != SEG_NONE ? in->seg_override : SEG_DS;
        if (tc->mode == 64 && u->seg != SEG_FS && u->seg != SEG_GS)
            u->seg = SEG_NONE;
        return;
    default:
        break;
    }
    if (dst_vec) {
        sse_emit(tc, in, uop_vmov)->kind = UK_VMOV;
    } else {
        u = sse_emit(tc, in, uop_vstore);
        u->kind = UK_VSTORE;
        u->reg = UOP_NOREG;
    }
}

/* For cpu/native.c: the MMX/SSE forms host code does itself, from the micro-op's kind. */
bool uop_sse_desc(const struct uop *u, struct uop_sse *d)
{
    memset(d, 0, sizeof *d);
    d->mem = u->rm == UOP_NOREG;
    d->align = u->cc & SV_ALIGN;
    if (sse_vop_host_op(u, &d->host_op)) {
        if (d->mem && u->opsz2 != 16)
            return false;
        d->kind = SSE_OP;
        d->size = 16;
        return true;
    }
    if (u->cc & (SV_DST_MMX | SV_SRC_MMX))
        return false;
    if (u->kind == UK_VMOV) {
        switch (u->aux) {
        case OP_MOVDQA: case OP_MOVDQU: case OP_MOVAPS: case OP_MOVUPS:
        case OP_MOVAPD: case OP_MOVUPD: case OP_LDDQU:
            d->size = 16;
            break;
        case OP_MOVQ:
            d->size = 8;
            break;
        default:
            return false;
        }
        if (d->mem && u->opsz2 != d->size)
            return false;
        d->kind = SSE_LOAD;
        return true;
    }
    if (u->kind == UK_VSTORE) {
        if (u->opsz2 == 16 && u->aux != OP_MOVHPS && u->aux != OP_MOVHPD)
            d->size = 16;
        else if (u->opsz2 == 8 && (u->aux == OP_MOVQ || u->aux == OP_MOVLPS || u->aux == OP_MOVLPD))
            d->size = 8;
        else
            return false;
        d->kind = SSE_STORE;
        d->mem = true;
        return true;
    }
    if (u->kind == UK_VMOVMSK && u->aux == OP_PMOVMSKB) {
        d->kind = SSE_MOVMSK;
        d->mem = false;
        return true;
    }
    return false;
}
