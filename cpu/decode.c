/*
 * cpu/decode.c: table-driven x86 decoder (SDM vol. 2, ch. 2 and app. A).
 *
 * The opcode maps are data (decode-tables*.c): each entry names the
 * operation and up to three operands in the SDM's notation (Eb, Gv, Iz,
 * Jb, Vx, Wx, Pq, ...), plus attributes; the 0F, 0F38 and 0F3A maps have
 * one column per mandatory prefix (none, 66, F3, F2).  This file resolves
 * prefixes, REX and VEX (SDM 2.3: C4/C5, outside 64-bit mode only when
 * the next byte has mod = 11b, else LES/LDS), picks the column, operand
 * and address size, ModRM/SIB/displacement and immediates, and turns the
 * operand notation into resolved operands (struct opnd).
 *
 * Column choice: F2/F3 (the last one seen) first, then 66, else none.  A
 * column whose entry has A_MPFX consumes its prefix (REP or the operand
 * size prefix no longer applies); ANY rows keep the legacy meanings.
 */
#include "cpu/decode-tables.h"

#include <string.h>

#include "cpu/cpu-internal.h"

const char *const insn_op_name[OP_COUNT] = {
    [OP_INVALID] = "(bad)",
#define X(name, family) [OP_##name] = #name,
#include "cpu/insn-list.h"
#undef X
};

struct dctx {
    struct insn *in;
    decode_fetch_fn fetch;
    void *opaque;
    uint8_t buf[INSN_MAX_LEN + 1];
    unsigned avail;     /* bytes fetched into buf */
    unsigned pos;
    bool fault;
    unsigned fault_off;
};

static bool need(struct dctx *d, unsigned n)
{
    if (d->pos + n > INSN_MAX_LEN)
        return false;
    if (d->pos + n <= d->avail)
        return true;
    if (d->fetch) {
        unsigned want = d->pos + n - d->avail;
        unsigned got = d->fetch(d->opaque, d->avail, d->buf + d->avail, want);
        d->avail += got;
        if (got < want) {
            d->fault = true;
            d->fault_off = d->avail;
            return false;
        }
        return true;
    }
    d->fault = true;
    d->fault_off = d->avail;
    return false;
}

static uint64_t take(struct dctx *d, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)d->buf[d->pos + i] << (8 * i);
    d->pos += n;
    return v;
}

static uint64_t sext(uint64_t v, unsigned bytes)
{
    unsigned sh = 64 - bytes * 8;
    return bytes >= 8 ? v : (uint64_t)((int64_t)(v << sh) >> sh);
}

static uint64_t zmask(unsigned bytes)
{
    return bytes >= 8 ? ~0ull : (1ull << (bytes * 8)) - 1;
}

/* Byte-register encoding of decode.h: AH..BH without REX. */
static uint8_t byte_reg(const struct insn *in, unsigned r)
{
    if (!in->rex && r >= 4 && r < 8)
        return (uint8_t)((r - 4) * 8 + 1);
    return (uint8_t)(r * 8);
}

static bool decode_modrm_mem(struct dctx *d)
{
    struct insn *in = d->in;
    unsigned mod = in->modrm >> 6, rm = in->modrm & 7;

    in->ea_base = in->ea_index = 0xff;
    in->ea_scale = 0;
    in->disp = 0;
    in->ea_seg = SEG_DS;
    if (in->asize == 2) {
        static const uint8_t base16[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
        static const uint8_t index16[8] = { 6, 7, 6, 7, 0xff, 0xff, 0xff, 0xff };
        if (mod == 0 && rm == 6) {
            if (!need(d, 2))
                return false;
            in->disp = (int64_t)sext(take(d, 2), 2);
        } else {
            in->ea_base = base16[rm];
            in->ea_index = index16[rm];
            if (rm == 2 || rm == 3 || rm == 6)
                in->ea_seg = SEG_SS;
            if (mod == 1) {
                if (!need(d, 1))
                    return false;
                in->disp = (int64_t)sext(take(d, 1), 1);
            } else if (mod == 2) {
                if (!need(d, 2))
                    return false;
                in->disp = (int64_t)sext(take(d, 2), 2);
            }
        }
        return true;
    }
    if (rm == 4) {
        if (!need(d, 1))
            return false;
        uint8_t sib = (uint8_t)take(d, 1);
        unsigned base = (sib & 7) | ((in->rex & 1) << 3);
        unsigned index = ((sib >> 3) & 7) | ((in->rex & 2) << 2);
        in->ea_scale = sib >> 6;
        if (index != 4)
            in->ea_index = (uint8_t)index;
        if ((sib & 7) == 5 && mod == 0) {
            if (!need(d, 4))
                return false;
            in->disp = (int64_t)sext(take(d, 4), 4);
        } else {
            in->ea_base = (uint8_t)base;
            if ((base & 7) == 4 || (base & 7) == 5)
                in->ea_seg = (base == 4 || base == 5) ? SEG_SS : SEG_DS;
        }
    } else if (rm == 5 && mod == 0) {
        if (!need(d, 4))
            return false;
        in->disp = (int64_t)sext(take(d, 4), 4);
        if (in->mode == 64)
            in->ea_riprel = true;
    } else {
        unsigned base = rm | ((in->rex & 1) << 3);
        in->ea_base = (uint8_t)base;
        if (base == 5)
            in->ea_seg = SEG_SS;
    }
    if (mod == 1) {
        if (!need(d, 1))
            return false;
        in->disp += (int64_t)sext(take(d, 1), 1);
    } else if (mod == 2) {
        if (!need(d, 4))
            return false;
        in->disp += (int64_t)sext(take(d, 4), 4);
    }
    return true;
}

/* Size in bytes of an operand-spec immediate. */
static unsigned imm_bytes(const struct insn *in, uint8_t spec)
{
    switch (spec) {
    case OPS_Ib: case OPS_Ibs: case OPS_Jb: return 1;
    case OPS_Iw: return 2;
    case OPS_Iz: case OPS_Jz: return in->osize == 2 ? 2 : 4;
    case OPS_Iv: return in->osize;
    case OPS_Ap: return (in->osize == 2 ? 2 : 4) + 2;
    case OPS_Ob: case OPS_Ov: return in->asize;
    default: return 0;
    }
}

static void set_reg(struct opnd *o, const struct insn *in, unsigned r, unsigned size)
{
    o->kind = OPND_REG;
    o->size = (uint8_t)size;
    o->reg = size == 1 ? byte_reg(in, r) : (uint8_t)r;
}

/* Resolve one operand spec; immediates are read in order by the caller. */
static bool resolve(struct dctx *d, struct opnd *o, uint8_t spec, unsigned *nimm)
{
    struct insn *in = d->in;
    unsigned mod = in->modrm >> 6;
    unsigned rmreg = (in->modrm & 7) | ((in->rex & 1) << 3);
    unsigned os = in->osize;

    unsigned ysize = (in->rex & 8) ? 8 : 4;

    memset(o, 0, sizeof *o);
    switch (spec) {
    case OPS_NONE:
        return true;
    case OPS_Eb: case OPS_Ew: case OPS_Ed: case OPS_Ev: case OPS_Eq: case OPS_Ey:
    case OPS_M: case OPS_Mp: case OPS_Md: case OPS_Mq: case OPS_Mx: {
        unsigned size = spec == OPS_Eb ? 1 : spec == OPS_Ew ? 2 : spec == OPS_Ed ? 4
                      : spec == OPS_Eq ? 8 : spec == OPS_Ey ? ysize : spec == OPS_Md ? 4
                      : spec == OPS_Mq ? 8 : spec == OPS_Mx ? 16 : os;
        if (mod == 3) {
            if (spec == OPS_M || spec == OPS_Mp || spec == OPS_Md || spec == OPS_Mq
                || spec == OPS_Mx)
                return false;
            set_reg(o, in, rmreg, size);
        } else {
            o->kind = OPND_MEM;
            o->size = (uint8_t)size;
        }
        return true;
    }
    case OPS_RdMb: case OPS_RdMw:
        if (mod == 3) {
            set_reg(o, in, rmreg, 4);
        } else {
            o->kind = OPND_MEM;
            o->size = spec == OPS_RdMb ? 1 : 2;
        }
        return true;
    case OPS_Vx: case OPS_Vq: case OPS_Vd:
        o->kind = OPND_XMM;
        o->size = spec == OPS_Vx ? 16 : spec == OPS_Vq ? 8 : 4;
        o->reg = in->modrm_reg;
        return true;
    case OPS_Wx: case OPS_Wq: case OPS_Wd: case OPS_Ww: case OPS_Ux:
        o->size = spec == OPS_Wq ? 8 : spec == OPS_Wd ? 4 : spec == OPS_Ww ? 2 : 16;
        if (mod == 3) {
            o->kind = OPND_XMM;
            o->reg = (uint8_t)rmreg;
        } else {
            if (spec == OPS_Ux)
                return false;
            o->kind = OPND_MEM;
        }
        return true;
    case OPS_Hx:
        o->kind = OPND_XMM;
        o->size = 16;
        o->reg = in->vvvv;
        return true;
    case OPS_Pq:
        o->kind = OPND_MMX;
        o->size = 8;
        o->reg = (uint8_t)(in->modrm >> 3 & 7);
        return true;
    case OPS_Qq: case OPS_Qd: case OPS_Nq:
        o->size = spec == OPS_Qd ? 4 : 8;
        if (mod == 3) {
            o->kind = OPND_MMX;
            o->size = 8;
            o->reg = in->modrm & 7;
        } else {
            if (spec == OPS_Nq)
                return false;
            o->kind = OPND_MEM;
        }
        return true;
    case OPS_Gd: set_reg(o, in, in->modrm_reg, 4); return true;
    case OPS_Gy: set_reg(o, in, in->modrm_reg, ysize); return true;
    case OPS_By: set_reg(o, in, in->vvvv, ysize); return true;
    case OPS_Ry: set_reg(o, in, rmreg, ysize); return mod == 3;
    case OPS_Gb: set_reg(o, in, in->modrm_reg, 1); return true;
    case OPS_Gw: set_reg(o, in, in->modrm_reg, 2); return true;
    case OPS_Gv: set_reg(o, in, in->modrm_reg, os); return true;
    case OPS_Gq: set_reg(o, in, in->modrm_reg, 8); return true;
    case OPS_Rv: set_reg(o, in, rmreg, os); return mod == 3;
    case OPS_Zb: set_reg(o, in, (in->opcode & 7) | ((in->rex & 1) << 3), 1); return true;
    case OPS_Zv: set_reg(o, in, (in->opcode & 7) | ((in->rex & 1) << 3), os); return true;
    case OPS_AL: set_reg(o, in, 0, 1); return true;
    case OPS_CL: set_reg(o, in, 1, 1); return true;
    case OPS_DX: set_reg(o, in, 2, 2); return true;
    case OPS_AX: set_reg(o, in, 0, 2); return true;
    case OPS_rAX: set_reg(o, in, 0, os); return true;
    case OPS_eAX: set_reg(o, in, 0, os == 8 ? 4 : os); return true;
    case OPS_ONE:
        o->kind = OPND_IMM;
        o->size = 1;
        if ((*nimm)++ == 0)
            in->imm = 1;
        else
            in->imm2 = 1;
        return true;
    case OPS_Sw:
        if ((in->modrm >> 3 & 7) > 5)
            return false;
        o->kind = OPND_SEG;
        o->size = 2;
        o->reg = (uint8_t)(in->modrm >> 3 & 7);
        return true;
    case OPS_Cd:
        o->kind = OPND_CR;
        o->size = in->mode == 64 ? 8 : 4;
        o->reg = in->modrm_reg;
        return true;
    case OPS_Dd:
        o->kind = OPND_DR;
        o->size = in->mode == 64 ? 8 : 4;
        o->reg = in->modrm_reg;
        return true;
    case OPS_Rd:
        set_reg(o, in, rmreg, in->mode == 64 ? 8 : 4);
        return true;
    case OPS_Ob: case OPS_Ov: {
        unsigned n = in->asize;
        if (!need(d, n))
            return false;
        in->ea_base = in->ea_index = 0xff;
        in->ea_scale = 0;
        in->ea_seg = in->seg_override != SEG_NONE ? in->seg_override : SEG_DS;
        in->disp = (int64_t)take(d, n);
        o->kind = OPND_MEM;
        o->size = spec == OPS_Ob ? 1 : (uint8_t)os;
        return true;
    }
    default:
        break;
    }
    /* immediates */
    unsigned n = imm_bytes(in, spec);
    if (!need(d, n))
        return false;
    uint64_t v = take(d, n);
    o->size = (uint8_t)(spec == OPS_Ib ? 1 : os);
    switch (spec) {
    case OPS_Ibs: v = sext(v, 1) & zmask(os); o->kind = OPND_IMM; break;
    case OPS_Ib: case OPS_Iw: o->kind = OPND_IMM; o->size = (uint8_t)n; break;
    case OPS_Iz: v = sext(v, n) & zmask(os); o->kind = OPND_IMM; break;
    case OPS_Iv: o->kind = OPND_IMM; break;
    case OPS_Jb: case OPS_Jz:
        o->kind = OPND_REL;
        v = sext(v, n);
        break;
    case OPS_Ap:
        o->kind = OPND_FAR;
        in->imm2 = v >> ((n - 2) * 8);
        v &= zmask(n - 2);
        break;
    default:
        return false;
    }
    if ((*nimm)++ == 0)
        in->imm = v;
    else
        in->imm2 = v;
    return true;
}

static void set_invalid(struct insn *in, unsigned len, int vector)
{
    in->op = OP_INVALID;
    in->len = (uint8_t)len;
    in->invalid_vector = (uint8_t)vector;
    in->nopnds = 0;
}

static enum decode_status decode_common(struct dctx *d, int mode, const struct feat_set *features,
                                        uint64_t rip, unsigned *fault_off)
{
    struct insn *in = d->in;
    const struct opcode_entry *e;
    bool rex_w;
    struct feat_set all;

    if (!features) {
        all = feat_set_all();
        features = &all;
    }

    memset(in, 0, sizeof *in);
    in->mode = (uint8_t)mode;
    in->seg_override = SEG_NONE;
    in->ea_base = in->ea_index = 0xff;

    /* legacy prefixes, then REX (64-bit mode; must come last) */
    for (;;) {
        if (!need(d, 1))
            goto fetch_fault;
        uint8_t b = d->buf[d->pos];
        switch (b) {
        case 0x26: in->seg_override = SEG_ES; break;
        case 0x2e: in->seg_override = SEG_CS; break;
        case 0x36: in->seg_override = SEG_SS; break;
        case 0x3e: in->seg_override = SEG_DS; break;
        case 0x64: in->seg_override = SEG_FS; break;
        case 0x65: in->seg_override = SEG_GS; break;
        case 0x66: in->opsize_prefix = true; break;
        case 0x67: in->asize = 1; break; /* marker, resolved below */
        case 0xf0: in->lock = true; break;
        case 0xf2: case 0xf3: in->rep = b; break;
        default: goto prefixes_done;
        }
        d->pos++;
        in->rex = 0; /* a legacy prefix after REX cancels it */
    }
prefixes_done:
    if (mode == 64) {
        if (!need(d, 1))
            goto fetch_fault;
        if ((d->buf[d->pos] & 0xf0) == 0x40) {
            in->rex = d->buf[d->pos++];
        }
        if (in->seg_override < SEG_FS)
            in->seg_override = SEG_NONE; /* ES/CS/SS/DS overrides ignored in 64-bit mode */
    }
    {
        bool a67 = in->asize == 1;
        if (mode == 64)
            in->asize = a67 ? 4 : 8;
        else if (mode == 32)
            in->asize = a67 ? 2 : 4;
        else
            in->asize = a67 ? 4 : 2;
    }

    /* opcode, through the escapes 0F, 0F 38, 0F 3A or a VEX prefix */
    if (!need(d, 1))
        goto fetch_fault;
    uint8_t opc = (uint8_t)take(d, 1);
    const opcode_row *rows = NULL;
    if ((opc == 0xc4 || opc == 0xc5) && need(d, 1)
        && (mode == 64 || (d->buf[d->pos] & 0xc0) == 0xc0)) {
        /* VEX (SDM 2.3.5): no 66/F2/F3/LOCK/REX before it */
        bool c4 = opc == 0xc4;
        if (!need(d, c4 ? 3 : 2))
            goto maybe_fault;
        uint8_t p1 = (uint8_t)take(d, 1), p2 = c4 ? (uint8_t)take(d, 1) : p1;
        unsigned mmmmm = c4 ? (p1 & 0x1f) : 1;
        in->vex = true;
        in->vex_w = c4 && (p2 & 0x80);
        in->vex_l = (p2 >> 2) & 1;
        in->vvvv = (uint8_t)((~p2 >> 3) & (mode == 64 ? 15 : 7));
        in->pfx = p2 & 3;
        if (in->opsize_prefix || in->rep || in->lock || in->rex)
            goto invalid;
        if (mode == 64)
            in->rex = (uint8_t)(0x40 | (in->vex_w ? 8 : 0) | (~p1 & 0x80 ? 4 : 0)
                                | (c4 && (~p1 & 0x40) ? 2 : 0) | (c4 && (~p1 & 0x20) ? 1 : 0));
        opc = (uint8_t)take(d, 1);
        in->map = (uint8_t)mmmmm;
        /* only the VEX.L0 general-register forms exist (no AVX) */
        if (mmmmm == 2)
            rows = vex_map_0f38;
        else if (mmmmm == 3)
            rows = vex_map_0f3a;
        else
            goto invalid;
        if (in->vex_l)
            goto invalid;
        e = &rows[opc][in->pfx];
    } else if (opc == 0x0f) {
        if (!need(d, 1))
            goto fetch_fault;
        opc = (uint8_t)take(d, 1);
        rows = map_0f;
        in->map = 1;
        if (opc == 0x38 || opc == 0x3a) {
            if (!need(d, 1))
                goto fetch_fault;
            rows = opc == 0x38 ? map_0f38 : map_0f3a;
            in->map = opc == 0x38 ? 2 : 3;
            opc = (uint8_t)take(d, 1);
        }
        unsigned col = in->rep == 0xf3 ? PFX_F3 : in->rep == 0xf2 ? PFX_F2
                     : in->opsize_prefix ? PFX_66 : PFX_NP;
        e = &rows[opc][col];
        if ((e->attrs & A_ELSE_NP) && !feat_has(features, e->feature))
            e = &rows[opc][PFX_NP];
        if (e->attrs & A_MPFX) {
            in->pfx = (uint8_t)col;
            if (col == PFX_F3 || col == PFX_F2)
                in->rep = 0;
            else if (col == PFX_66)
                in->opsize_prefix = false;
        }
    } else {
        e = &onebyte_map[opc];
        if (opc == 0x63 && mode != 64)
            e = &arpl_entry;
        if (opc == 0x90 && onebyte_90(in->rep, in->rex & 1)) {
            e = onebyte_90(in->rep, in->rex & 1);
            if (e->op == OP_PAUSE)
                in->rep = 0;
        }
    }
    in->opcode = opc;
    rex_w = in->rex & 8;

    bool has_modrm = e->attrs & A_MODRM;
    if (has_modrm) {
        if (!need(d, 1))
            goto fetch_fault;
        in->has_modrm = true;
        in->modrm = (uint8_t)take(d, 1);
        in->modrm_reg = (uint8_t)(((in->modrm >> 3) & 7) | ((in->rex & 4) << 1));
    }
    if (e->attrs & A_GROUP) {
        e = group_entry(e, in->modrm, rex_w);
        if (!e) {
            set_invalid(in, d->pos, EXC_UD);
            return DECODE_OK;
        }
    }
    if ((e->attrs & A_X87) && in->map == 0) {
        e = x87_entry(opc, in->modrm);
        if (!e)
            goto invalid;
    }
    if (in->vex && in->vvvv) {
        /* VEX.vvvv must be 1111b unless an operand is encoded there */
        bool uses = false;
        for (int i = 0; i < 3; i++)
            uses |= e->o[i] == OPS_By || e->o[i] == OPS_Hx;
        if (!uses)
            goto invalid;
    }
    if (e->op == OP_INVALID)
        goto invalid;
    if ((e->attrs & A_NO64) && mode == 64)
        goto invalid;
    if ((e->attrs & A_ONLY64) && mode != 64)
        goto invalid;
    if (!feat_has(features, e->feature))
        goto invalid;
    /* LAHF/SAHF exist in 64-bit mode only with CPUID.80000001H:ECX.LAHF-SAHF[bit 0] */
    if ((e->op == OP_LAHF || e->op == OP_SAHF) && mode == 64
        && !feat_has(features, FEAT_LAHF_LM))
        goto invalid;

    /* operand size */
    if (e->attrs & A_BYTE) {
        in->osize = 1;
    } else if (mode == 64) {
        if (rex_w)
            in->osize = 8;
        else if (e->attrs & A_FORCE64)
            in->osize = 8;
        else if (e->attrs & A_DEF64)
            in->osize = in->opsize_prefix ? 2 : 8;
        else
            in->osize = in->opsize_prefix ? 2 : 4;
    } else {
        bool big = mode == 32;
        in->osize = (big ^ in->opsize_prefix) ? 4 : 2;
    }
    if (e->attrs & A_SIZE16)
        in->osize = 2;

    /* MOV to/from CRn/DRn: the mod field is ignored, always register form (SDM MOV-CR) */
    bool regform = in->map == 1 && opc >= 0x20 && opc <= 0x23;
    if (has_modrm && !regform) {
        if ((in->modrm >> 6) != 3) {
            if (e->attrs & A_REG_ONLY)
                goto invalid;
            if (!decode_modrm_mem(d))
                goto maybe_fault;
            if (in->seg_override != SEG_NONE)
                in->ea_seg = in->seg_override;
        } else if (e->attrs & A_MEM_ONLY) {
            goto invalid;
        }
    }

    /* operands and immediates, in table order */
    unsigned nimm = 0;
    in->nopnds = 0;
    for (int i = 0; i < 3 && e->o[i] != OPS_NONE; i++) {
        if (!resolve(d, &in->o[i], e->o[i], &nimm))
            goto maybe_fault;
        in->nopnds++;
    }
    in->op = e->op;
    in->attrs = e->insn;
    in->cc = (uint8_t)((e->attrs & A_CC) ? (opc & 0xf) : (in->modrm >> 3 & 7));

    /* LOCK only on lockable instructions with a memory destination */
    if (in->lock && (!(in->attrs & INSN_LOCKABLE) || in->nopnds == 0 || in->o[0].kind != OPND_MEM))
        goto invalid;

    in->len = (uint8_t)d->pos;
    /* resolve RIP-relative displacement and branch targets against next RIP */
    uint64_t next = rip + in->len;
    if (in->ea_riprel)
        in->disp += (int64_t)next;
    for (int i = 0; i < in->nopnds; i++) {
        if (in->o[i].kind == OPND_REL) {
            uint64_t t = next + in->imm;
            in->imm = in->osize == 8 ? t : t & zmask(in->osize);
        }
    }
    return DECODE_OK;

maybe_fault:
    if (d->fault)
        goto fetch_fault;
    if (d->pos + 1 > INSN_MAX_LEN) {
        set_invalid(in, INSN_MAX_LEN, EXC_GP);
        return DECODE_OK;
    }
    goto invalid;
fetch_fault:
    if (!d->fault) {
        /* ran past 15 bytes */
        set_invalid(in, INSN_MAX_LEN, EXC_GP);
        return DECODE_OK;
    }
    if (fault_off)
        *fault_off = d->fault_off;
    return DECODE_FETCH_FAULT;
invalid:
    set_invalid(in, d->pos, EXC_UD);
    return DECODE_OK;
}

enum decode_status decode_insn(struct insn *in, int mode, const struct feat_set *features,
                               uint64_t rip, decode_fetch_fn fetch, void *opaque,
                               unsigned *fault_off)
{
    struct dctx d = { .in = in, .fetch = fetch, .opaque = opaque };

    return decode_common(&d, mode, features, rip, fault_off);
}

enum decode_status decode_buf(struct insn *in, int mode, const struct feat_set *features,
                              uint64_t rip, const uint8_t *buf, unsigned len)
{
    struct dctx d = { .in = in };

    d.avail = len > INSN_MAX_LEN ? INSN_MAX_LEN : len;
    memcpy(d.buf, buf, d.avail);
    return decode_common(&d, mode, features, rip, NULL);
}
