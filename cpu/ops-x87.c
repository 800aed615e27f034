/*
 * cpu/ops-x87.c: the x87 FPU (SDM vol. 1 ch. 8, vol. 2 F* instructions):
 * register stack, tag word, status and control words, loads and stores
 * of every memory format, arithmetic in all operand forms, compares,
 * FCMOVcc and the control instructions.  Arithmetic is cpu/softfloat.c's
 * (no host floating point); transcendentals are in cpu/fpu-trans.c,
 * FSAVE/FSTENV and the FXSAVE/XSAVE family in cpu/fpu-state.c.
 *
 * Exceptions (SDM vol. 1 8.5, 8.7): the flags an instruction detects are
 * ORed into FSW.  An unmasked IE, DE or ZE leaves the destination (and
 * the stack) unchanged; unmasked OE/UE deliver the wrapped result
 * (softfloat) to registers and store nothing to memory.  Any unmasked
 * flag sets ES and B; the next waiting x87 instruction (or WAIT) then
 * raises #MF when CR0.NE = 1.  With CR0.NE = 0, setting ES asserts FERR#
 * through cpu_set_ferr_hook() (the board routes it to IRQ 13) and the
 * block ends so the interrupt is taken at the next instruction boundary;
 * the waiting instruction is not frozen (as QEMU does, IGNNE# behaviour).
 * Stack overflow/underflow is IE with SF (C1 = 1 / 0); the masked
 * response writes the real indefinite.
 *
 * Known deviations: FIP/FDP record offsets (not linear addresses) in all
 * modes; the real-mode FSTENV formats store (CS << 4) + offset.
 */
#include "cpu/fpu-x87.h"

/* ---- state helpers ------------------------------------------------------------ */

void fpu_reset(struct cpu *cpu, bool power_on)
{
    struct fpu_state *f = &cpu->fpu;
    f->fcw = power_on ? 0x0040 : 0x037f;
    f->fsw = 0;
    f->top = 0;
    /* RESET: every register +0.0 and valid (tag word 5555h); FNINIT: all empty */
    f->ftw = power_on ? 0xff : 0;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
    if (power_on) {
        memset(f->st, 0, sizeof f->st);
        f->mxcsr = 0x1f80;
        memset(f->xmm, 0, sizeof f->xmm);
    }
    fpu_update_es(cpu);
}

uint16_t fpu_get_fsw(const struct cpu *cpu)
{
    return (uint16_t)((cpu->fpu.fsw & ~FSW_TOP) | ((cpu->fpu.top & 7u) << 11));
}

void fpu_set_fsw(struct cpu *cpu, uint16_t fsw)
{
    cpu->fpu.fsw = fsw & ~FSW_TOP;
    cpu->fpu.top = (fsw >> 11) & 7;
    fpu_update_es(cpu);
}

static unsigned tag_of(const struct sf_x80 *v)
{
    unsigned e = v->se & 0x7fff;
    if (e == 0x7fff)
        return 2;                           /* special: NaN, infinity */
    if (e == 0)
        return v->sig == 0 ? 1 : 2;         /* zero, or denormal (special) */
    return (v->sig >> 63) ? 0 : 2;          /* valid, or unnormal (special) */
}

uint16_t fpu_full_tags(const struct cpu *cpu)
{
    uint16_t t = 0;
    for (unsigned i = 0; i < 8; i++) {
        unsigned tag = (cpu->fpu.ftw >> i) & 1 ? tag_of(&cpu->fpu.st[i]) : 3;
        t |= (uint16_t)(tag << (2 * i));
    }
    return t;
}

void fpu_set_full_tags(struct cpu *cpu, uint16_t ftw)
{
    cpu->fpu.ftw = 0;
    for (unsigned i = 0; i < 8; i++)
        if (((ftw >> (2 * i)) & 3) != 3)
            cpu->fpu.ftw |= (uint16_t)(1u << i);
}

void cpu_set_ferr_hook(struct cpu *cpu, void (*fn)(void *opaque, bool level), void *opaque)
{
    cpu->ferr_fn = fn;
    cpu->ferr_opaque = opaque;
}

void fpu_update_es(struct cpu *cpu)
{
    struct fpu_state *f = &cpu->fpu;
    bool es = (f->fsw & ~f->fcw & 0x3f) != 0;
    if (es)
        f->fsw |= FSW_ES | FSW_B;
    else
        f->fsw &= (uint16_t)~(FSW_ES | FSW_B);
    if (es != cpu->ferr_level) {
        cpu->ferr_level = es;
        if (cpu->ferr_fn && (!es || !(cpu->cr0 & CR0_NE)))
            cpu->ferr_fn(cpu->ferr_opaque, es);
    }
}

/* A waiting instruction with an unmasked exception pending (SDM 8.7). */
void fpu_check_pending(struct cpu *cpu)
{
    if ((cpu->fpu.fsw & FSW_ES) && (cpu->cr0 & CR0_NE))
        cpu_raise_exception(cpu, EXC_MF);
}

/*
 * The start of every non-control x87 instruction: ES as it was (for
 * fpu_after()), a pending unmasked exception taken (#MF with CR0.NE = 1),
 * the arithmetic status from FCW when s is given.  x87_begin() also
 * records FIP/FCS/FOP; a memory form records after its access
 * (fpu_record(..., true)) so that a faulting access leaves them alone.
 */
bool x87_begin_mem(struct cpu *cpu, struct sf_status *s)
{
    bool es = cpu->fpu.fsw & FSW_ES;

    fpu_check_pending(cpu);
    if (s)
        fpu_status(cpu, s);
    return es;
}

bool x87_begin(struct cpu *cpu, const struct uop *u, struct sf_status *s)
{
    bool es = x87_begin_mem(cpu, s);

    fpu_record(cpu, u, false);
    return es;
}

/* Record FIP/FCS/FOP (and FDP/FDS) for a non-control instruction. */
void fpu_record(struct cpu *cpu, const struct uop *u, bool mem)
{
    struct fpu_state *f = &cpu->fpu;
    f->fip = u->rip;
    f->fcs = cpu->seg[SEG_CS].sel;
    f->fop = u->aux & 0x7ff;
    if (mem) {
        f->fdp = uop_ea(cpu, u);
        f->fds = cpu->seg[u->seg == SEG_NONE ? SEG_DS : u->seg].sel;
    }
}

/* After flags are in FSW: end the block if FERR# was just asserted. */
void fpu_after(struct cpu *cpu, const struct uop *u, bool es_before)
{
    fpu_update_es(cpu);
    if (!es_before && (cpu->fpu.fsw & FSW_ES) && !(cpu->cr0 & CR0_NE) && cpu->ferr_fn)
        cpu_exit_block(cpu, u->rip + u->len);
}

/*
 * Add the flags of an operation to FSW.  Returns whether the result may
 * be written: false for an unmasked IE, DE or ZE (only those are flagged
 * then, SDM 4.9.2).
 */
bool fpu_flags(struct cpu *cpu, const struct sf_status *s, bool set_c1)
{
    struct fpu_state *f = &cpu->fpu;
    uint16_t pre = s->flags & (SF_IE | SF_DE | SF_ZE);
    if (pre & ~f->fcw) {
        f->fsw |= pre;
        return false;
    }
    f->fsw |= s->flags;
    if (set_c1) {
        f->fsw &= (uint16_t)~FSW_C1;
        if (s->c1)
            f->fsw |= FSW_C1;
    }
    return true;
}

/* Stack fault (SF with IE; C1 = 1 for overflow).  True when masked. */
bool fpu_stack_fault(struct cpu *cpu, bool overflow)
{
    struct fpu_state *f = &cpu->fpu;
    f->fsw |= FSW_IE | FSW_SF;
    f->fsw &= (uint16_t)~FSW_C1;
    if (overflow)
        f->fsw |= FSW_C1;
    return f->fcw & FSW_IE;
}

void fpu_status(const struct cpu *cpu, struct sf_status *s)
{
    sf_status_x87(s, cpu->fpu.fcw);
}

/* ---- memory formats --------------------------------------------------------------- */

static struct sf_x80 ld_m80(struct cpu *cpu, gva_t la)
{
    struct sf_x80 v;
    v.sig = cpu_ld64(cpu, la);
    v.se = cpu_ld16(cpu, la + 8);
    return v;
}

void fpu_st_m80(struct cpu *cpu, gva_t la, struct sf_x80 v)
{
    mmu_probe_write(cpu, la, 10);
    cpu_st64(cpu, la, v.sig);
    cpu_st16(cpu, la + 8, v.se);
}

struct sf_x80 fpu_ld_m80(struct cpu *cpu, gva_t la)
{
    return ld_m80(cpu, la);
}

static struct sf_x80 bcd_to_x80(struct cpu *cpu, gva_t la)
{
    uint64_t lo = cpu_ld64(cpu, la);
    uint16_t hi = cpu_ld16(cpu, la + 8);
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--) {
        unsigned byte = i == 8 ? (hi & 0xff) : (unsigned)(lo >> (8 * i)) & 0xff;
        v = v * 100 + (byte >> 4) * 10 + (byte & 15);
    }
    struct sf_x80 r = sfx80_from_i64((int64_t)v);
    if (hi & 0x8000)
        r.se |= 0x8000;     /* -0 stays -0 */
    return r;
}

/* Load a memory operand of format `fmt` as an extended value. */
static struct sf_x80 ld_mem(struct cpu *cpu, gva_t la, unsigned fmt, struct sf_status *s)
{
    switch (fmt) {
    case MF_R32: return sf32_to_x80(cpu_ld32(cpu, la), s);
    case MF_R64: return sf64_to_x80(cpu_ld64(cpu, la), s);
    case MF_R80: return ld_m80(cpu, la);
    case MF_I16: return sfx80_from_i64((int16_t)cpu_ld16(cpu, la));
    case MF_I32: return sfx80_from_i64((int32_t)cpu_ld32(cpu, la));
    case MF_I64: return sfx80_from_i64((int64_t)cpu_ld64(cpu, la));
    default: return bcd_to_x80(cpu, la);
    }
}

/* An arithmetic operand: like ld_mem, but a NaN keeps its quiet bit. */
static struct sf_x80 ld_mem_operand(struct cpu *cpu, gva_t la, unsigned fmt, struct sf_status *s)
{
    if (fmt == MF_R32) {
        uint32_t v = cpu_ld32(cpu, la);
        if (sf32_is_nan(v))
            return sfx80_make((uint16_t)((v >> 31) << 15 | 0x7fff),
                              1ull << 63 | (uint64_t)(v & 0x7fffff) << 40);
        return sf32_to_x80(v, s);
    }
    if (fmt == MF_R64) {
        uint64_t v = cpu_ld64(cpu, la);
        if (sf64_is_nan(v))
            return sfx80_make((uint16_t)((v >> 63) << 15 | 0x7fff),
                              1ull << 63 | (v & 0xfffffffffffffull) << 11);
        return sf64_to_x80(v, s);
    }
    return ld_mem(cpu, la, fmt, s);
}

static const struct sf_x80 x80_zero = { 0, 0 };

/* ---- uop handlers --------------------------------------------------------------- */

/* register-field conventions: u->cc = ST(i); u->opsz2 = memory format (MF_*);
 * u->imm = sub-operation; u->aux = FOP */

static bool push_check(struct cpu *cpu)
{
    if (st_valid(cpu, 7))
        return fpu_stack_fault(cpu, true);
    return true;
}

static const struct uop *x87_fld_mem(struct cpu *cpu, const struct uop *u)
{
    struct sf_status s;
    bool es = x87_begin_mem(cpu, &s);
    struct sf_x80 v = ld_mem(cpu, uop_la(cpu, u), u->opsz2, &s);
    fpu_record(cpu, u, true);
    if (st_valid(cpu, 7)) {
        if (fpu_stack_fault(cpu, true))
            fpu_push(cpu, sfx80_default_nan());
    } else if (fpu_flags(cpu, &s, false)) {
        cpu->fpu.fsw &= (uint16_t)~FSW_C1;
        fpu_push(cpu, v);
    }
    fpu_after(cpu, u, es);
    return u + 1;
}

static const struct uop *x87_fld_reg(struct cpu *cpu, const struct uop *u)
{
    bool es = x87_begin(cpu, u, NULL);
    cpu->fpu.fsw &= (uint16_t)~FSW_C1;
    if (!st_valid(cpu, u->cc)) {
        /* underflow is reported, not a possible overflow of the push */
        if (fpu_stack_fault(cpu, false))
            fpu_push(cpu, sfx80_default_nan());
    } else {
        struct sf_x80 v = *st(cpu, u->cc);
        if (push_check(cpu))
            fpu_push(cpu, st_valid(cpu, 7) ? sfx80_default_nan() : v);
    }
    fpu_after(cpu, u, es);
    return u + 1;
}

/* the rounding of the 66-bit internal constants (SDM vol. 1 8.3.8) */
static struct sf_x80 constant(unsigned which, int rc)
{
    static const struct { uint16_t se; uint64_t sig; bool up_on_nearest; bool inexact; } k[] = {
        [0] = { 0x3fff, 0x8000000000000000ull, false, false },  /* 1 */
        [1] = { 0x4000, 0xd49a784bcd1b8afeull, false, true },   /* log2(10) */
        [2] = { 0x3fff, 0xb8aa3b295c17f0bbull, true, true },    /* log2(e) */
        [3] = { 0x4000, 0xc90fdaa22168c234ull, true, true },    /* pi */
        [4] = { 0x3ffd, 0x9a209a84fbcff798ull, true, true },    /* log10(2) */
        [5] = { 0x3ffe, 0xb17217f7d1cf79abull, true, true },    /* ln(2) */
        [6] = { 0x0000, 0, false, false },                     /* +0 */
    };
    struct sf_x80 v = { k[which].sig, k[which].se };
    if (k[which].inexact && (rc == SF_ROUND_UP || (rc == SF_ROUND_NEAREST && k[which].up_on_nearest)))
        v.sig++;
    return v;
}

static const struct uop *x87_fldconst(struct cpu *cpu, const struct uop *u)
{
    bool es = x87_begin(cpu, u, NULL);
    cpu->fpu.fsw &= (uint16_t)~FSW_C1;
    if (push_check(cpu))
        fpu_push(cpu, st_valid(cpu, 7) ? sfx80_default_nan()
                                       : constant((unsigned)u->imm, (cpu->fpu.fcw >> 10) & 3));
    fpu_after(cpu, u, es);
    return u + 1;
}

/* Convert ST(0) for a store of format fmt; *bits gets the memory image. */
static void store_image(struct cpu *cpu, unsigned fmt, bool trunc, struct sf_x80 v,
                        struct sf_status *s, uint64_t *bits, uint16_t *hi)
{
    *hi = 0;
    switch (fmt) {
    case MF_R32: *bits = sfx80_to_f32(v, s); break;
    case MF_R64: *bits = sfx80_to_f64(v, s); break;
    case MF_R80: *bits = v.sig; *hi = v.se; break;
    case MF_I16: *bits = (uint16_t)(trunc ? sfx80_to_i16_trunc(v, s) : sfx80_to_i16(v, s)); break;
    case MF_I32: *bits = (uint32_t)(trunc ? sfx80_to_i32_trunc(v, s) : sfx80_to_i32(v, s)); break;
    case MF_I64: *bits = (uint64_t)(trunc ? sfx80_to_i64_trunc(v, s) : sfx80_to_i64(v, s)); break;
    default: {
        /* packed BCD: 18 digits; out of range or NaN gives the BCD indefinite */
        struct sf_status t = *s;
        int64_t n = sfx80_to_i64(v, &t);
        uint64_t mag = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
        if ((t.flags & SF_IE) || mag > 999999999999999999ull) {
            s->flags |= SF_IE;
            *bits = 0xc000000000000000ull;
            *hi = 0xffff;
            break;
        }
        s->flags = t.flags;
        s->c1 = t.c1;
        *bits = 0;
        for (int i = 0; i < 16; i++, mag /= 10)
            *bits |= (mag % 10) << (4 * i);
        *hi = (uint16_t)((mag % 10) | (mag / 10 % 10) << 4);
        if (v.se & 0x8000)
            *hi |= 0x8000;
        break;
    }
    }
}

static unsigned fmt_size(unsigned fmt)
{
    static const uint8_t sz[] = { [MF_R32] = 4, [MF_R64] = 8, [MF_R80] = 10, [MF_I16] = 2,
                                  [MF_I32] = 4, [MF_I64] = 8, [MF_BCD] = 10 };
    return sz[fmt];
}

/* FST/FSTP/FIST/FISTP/FISTTP/FBSTP m: u->imm bit 0 = pop, bit 1 = truncate */
static const struct uop *x87_fst_mem(struct cpu *cpu, const struct uop *u)
{
    bool pop = u->imm & 1, trunc = u->imm & 2;
    unsigned fmt = u->opsz2;
    struct sf_status s;
    uint64_t bits;
    uint16_t hi;
    bool es = x87_begin_mem(cpu, &s);
    gva_t la = uop_la(cpu, u);
    bool store;
    if (!st_valid(cpu, 0)) {
        s.flags = SF_IE;
        store = cpu->fpu.fcw & FSW_IE;
        store_image(cpu, fmt, trunc, sfx80_default_nan(), &s, &bits, &hi);
        s.flags = 0;
        if (store) {
            mmu_probe_write(cpu, la, fmt_size(fmt));
            if (fmt == MF_R80 || fmt == MF_BCD) {
                cpu_st64(cpu, la, bits);
                cpu_st16(cpu, la + 8, hi);
            } else {
                cpu_st(cpu, la, fmt_size(fmt), bits);
            }
        }
        fpu_record(cpu, u, true);
        if (fpu_stack_fault(cpu, false) && pop)
            fpu_pop(cpu);
        fpu_after(cpu, u, es);
        return u + 1;
    }
    store_image(cpu, fmt, trunc, *st(cpu, 0), &s, &bits, &hi);
    uint8_t unmasked = s.flags & ~cpu->fpu.fcw & 0x3f;
    store = !(unmasked & (SF_IE | SF_DE | SF_ZE | SF_OE | SF_UE));
    if (store) {
        mmu_probe_write(cpu, la, fmt_size(fmt));
        if (fmt == MF_R80 || fmt == MF_BCD) {
            cpu_st64(cpu, la, bits);
            cpu_st16(cpu, la + 8, hi);
        } else {
            cpu_st(cpu, la, fmt_size(fmt), bits);
        }
    }
    fpu_record(cpu, u, true);
    cpu->fpu.fsw |= s.flags;
    cpu->fpu.fsw &= (uint16_t)~FSW_C1;
    if (s.c1 && store)
        cpu->fpu.fsw |= FSW_C1;
    if (store && pop)
        fpu_pop(cpu);
    fpu_after(cpu, u, es);
    return u + 1;
}

/* FST/FSTP ST(i) (u->imm bit 0 = pop) */
static const struct uop *x87_fst_reg(struct cpu *cpu, const struct uop *u)
{
    bool es = x87_begin(cpu, u, NULL);
    cpu->fpu.fsw &= (uint16_t)~FSW_C1;
    if (!st_valid(cpu, 0)) {
        if (!fpu_stack_fault(cpu, false))
            goto out;
        st_set(cpu, u->cc, sfx80_default_nan());
    } else {
        st_set(cpu, u->cc, *st(cpu, 0));
    }
    if (u->imm & 1)
        fpu_pop(cpu);
out:
    fpu_after(cpu, u, es);
    return u + 1;
}

enum arith { AR_ADD, AR_MUL, AR_COM, AR_COMP, AR_SUB, AR_SUBR, AR_DIV, AR_DIVR };

static struct sf_x80 arith(unsigned op, struct sf_x80 a, struct sf_x80 b, struct sf_status *s)
{
    switch (op) {
    case AR_ADD: return sfx80_add(a, b, s);
    case AR_MUL: return sfx80_mul(a, b, s);
    case AR_SUB: return sfx80_sub(a, b, s);
    case AR_SUBR: return sfx80_sub(b, a, s);
    case AR_DIV: return sfx80_div(a, b, s);
    default: return sfx80_div(b, a, s);
    }
}

static void set_cc(struct cpu *cpu, enum sf_relation r)
{
    static const uint16_t cc[] = {
        [SF_GREATER] = 0, [SF_LESS] = FSW_C0, [SF_EQUAL] = FSW_C3,
        [SF_UNORDERED] = FSW_C0 | FSW_C2 | FSW_C3,
    };
    cpu->fpu.fsw = (uint16_t)((cpu->fpu.fsw & ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)) | cc[r]);
}

/* compare ST(0) with b; pops (0, 1, 2) after; quiet = FUCOM */
static void do_compare(struct cpu *cpu, bool valid, struct sf_x80 b, bool quiet, unsigned pops,
                       struct sf_status *s)
{
    if (!valid) {
        if (!fpu_stack_fault(cpu, false))
            return;
        set_cc(cpu, SF_UNORDERED);
    } else {
        enum sf_relation r = sfx80_compare(*st(cpu, 0), b, !quiet, s);
        if (!fpu_flags(cpu, s, false))
            return;
        set_cc(cpu, r);
    }
    while (pops--)
        fpu_pop(cpu);
}

/* ST(0) op memory (real or integer) */
static const struct uop *x87_arith_mem(struct cpu *cpu, const struct uop *u)
{
    struct sf_status s;
    bool es = x87_begin_mem(cpu, &s);
    /* a denormal memory operand adds DE only when ST(0) is not a NaN; a
     * signaling NaN stays signaling so the NaN rules see it as such */
    struct sf_status t = s;
    struct sf_x80 b = ld_mem_operand(cpu, uop_la(cpu, u), u->opsz2, &t);
    s.flags = t.flags & ~SF_DE;
    bool mem_de = (t.flags & SF_DE) && !sfx80_is_nan(*st(cpu, 0))
                  && !sfx80_is_unsupported(*st(cpu, 0));
    unsigned op = (unsigned)u->imm;
    fpu_record(cpu, u, true);
    if (op == AR_COM || op == AR_COMP) {
        if (mem_de)
            s.flags |= SF_DE;
        do_compare(cpu, st_valid(cpu, 0), b, false, op == AR_COMP, &s);
    } else if (!st_valid(cpu, 0)) {
        if (fpu_stack_fault(cpu, false))
            st_set(cpu, 0, sfx80_default_nan());
    } else {
        struct sf_x80 r = arith(op, *st(cpu, 0), b, &s);
        /* ... and not when the operation divides by zero or is invalid */
        if (mem_de && !(s.flags & (SF_ZE | SF_IE)))
            s.flags |= SF_DE;
        if (fpu_flags(cpu, &s, true))
            st_set(cpu, 0, r);
    }
    fpu_after(cpu, u, es);
    return u + 1;
}

/*
 * Register forms: u->cc = i; u->imm = op | dst_is_sti << 4 | pop << 5.
 * dst_is_sti: ST(i) = ST(i) op ST(0), else ST(0) = ST(0) op ST(i).
 */
static const struct uop *x87_arith_reg(struct cpu *cpu, const struct uop *u)
{
    struct sf_status s;
    unsigned op = u->imm & 15, i = u->cc;
    bool to_sti = (u->imm >> 4) & 1, pop = (u->imm >> 5) & 1;
    bool es = x87_begin(cpu, u, &s);
    if (op == AR_COM || op == AR_COMP) {
        do_compare(cpu, st_valid(cpu, 0) && st_valid(cpu, i), *st(cpu, i), false,
                   op == AR_COMP, &s);
    } else {
        unsigned d = to_sti ? i : 0, src = to_sti ? 0 : i;
        if (!st_valid(cpu, 0) || !st_valid(cpu, i)) {
            if (!fpu_stack_fault(cpu, false))
                goto out;
            st_set(cpu, d, sfx80_default_nan());
        } else {
            struct sf_x80 r = arith(op, *st(cpu, d), *st(cpu, src), &s);
            if (!fpu_flags(cpu, &s, true))
                goto out;
            st_set(cpu, d, r);
        }
        if (pop)
            fpu_pop(cpu);
    }
out:
    fpu_after(cpu, u, es);
    return u + 1;
}

/* FUCOM/FUCOMP/FUCOMPP/FCOMPP ST(i): u->imm = pops | quiet << 2 */
static const struct uop *x87_ucom(struct cpu *cpu, const struct uop *u)
{
    struct sf_status s;
    bool es = x87_begin(cpu, u, &s);
    do_compare(cpu, st_valid(cpu, 0) && st_valid(cpu, u->cc), *st(cpu, u->cc),
               (u->imm >> 2) & 1, u->imm & 3, &s);
    fpu_after(cpu, u, es);
    return u + 1;
}

/* FCOMI/FUCOMI(P): EFLAGS ZF, PF, CF; u->imm = pop | quiet << 1 */
static const struct uop *x87_comi(struct cpu *cpu, const struct uop *u)
{
    struct sf_status s;
    bool pop = u->imm & 1, quiet = (u->imm >> 1) & 1;
    static const uint32_t fl[] = {
        [SF_GREATER] = 0, [SF_LESS] = EFLAGS_CF, [SF_EQUAL] = EFLAGS_ZF,
        [SF_UNORDERED] = EFLAGS_ZF | EFLAGS_PF | EFLAGS_CF,
    };
    bool es = x87_begin(cpu, u, &s);
    /* C1 is left alone unless a stack fault clears it (as Intel does) */
    if (!st_valid(cpu, 0) || !st_valid(cpu, u->cc)) {
        if (!fpu_stack_fault(cpu, false))
            goto out;
        cpu_set_arith_flags(cpu, fl[SF_UNORDERED]);
    } else {
        enum sf_relation r = sfx80_compare(*st(cpu, 0), *st(cpu, u->cc), !quiet, &s);
        if (!fpu_flags(cpu, &s, false))
            goto out;
        cpu_set_arith_flags(cpu, fl[r]);
    }
    if (pop)
        fpu_pop(cpu);
out:
    fpu_after(cpu, u, es);
    return u + 1;
}

static const struct uop *x87_fxch(struct cpu *cpu, const struct uop *u)
{
    bool es = x87_begin(cpu, u, NULL);
    cpu->fpu.fsw &= (uint16_t)~FSW_C1;
    if (!st_valid(cpu, 0) || !st_valid(cpu, u->cc)) {
        if (!fpu_stack_fault(cpu, false))
            goto out;
        if (!st_valid(cpu, 0))
            st_set(cpu, 0, sfx80_default_nan());
        if (!st_valid(cpu, u->cc))
            st_set(cpu, u->cc, sfx80_default_nan());
    }
    struct sf_x80 t = *st(cpu, 0);
    *st(cpu, 0) = *st(cpu, u->cc);
    *st(cpu, u->cc) = t;
out:
    fpu_after(cpu, u, es);
    return u + 1;
}

/* FCMOVcc: u->imm = the Jcc condition code */
static const struct uop *x87_fcmov(struct cpu *cpu, const struct uop *u)
{
    bool es = x87_begin(cpu, u, NULL);
    /* C1 is left alone unless a stack fault clears it (as Intel does) */
    if (!st_valid(cpu, 0) || !st_valid(cpu, u->cc)) {
        if (fpu_stack_fault(cpu, false))
            st_set(cpu, 0, sfx80_default_nan());
    } else if (cpu_cond(cpu, (unsigned)u->imm)) {
        *st(cpu, 0) = *st(cpu, u->cc);
    }
    fpu_after(cpu, u, es);
    return u + 1;
}

enum unary { UN_CHS, UN_ABS, UN_TST, UN_XAM, UN_SQRT, UN_RNDINT };

static const struct uop *x87_unary(struct cpu *cpu, const struct uop *u)
{
    struct sf_status s;
    unsigned op = (unsigned)u->imm;
    bool es = x87_begin(cpu, u, &s);
    if (op == UN_XAM) {
        /* C3 C2 C0 class, C1 sign (SDM FXAM) */
        struct sf_x80 v = *st(cpu, 0);
        unsigned e = v.se & 0x7fff;
        uint16_t c;
        if (!st_valid(cpu, 0))
            c = FSW_C3 | FSW_C0;
        else if (sfx80_is_unsupported(v))
            c = 0;
        else if (e == 0x7fff)
            c = (v.sig << 1) ? FSW_C0 : FSW_C2 | FSW_C0;
        else if (e == 0)
            c = v.sig ? FSW_C3 | FSW_C2 : FSW_C3;
        else
            c = FSW_C2;
        if (v.se & 0x8000)
            c |= FSW_C1;
        cpu->fpu.fsw = (uint16_t)((cpu->fpu.fsw & ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)) | c);
        goto out;
    }
    if (op == UN_TST) {
        do_compare(cpu, st_valid(cpu, 0), x80_zero, false, 0, &s);
        goto out;
    }
    cpu->fpu.fsw &= (uint16_t)~FSW_C1;
    if (!st_valid(cpu, 0)) {
        if (fpu_stack_fault(cpu, false))
            st_set(cpu, 0, sfx80_default_nan());
        goto out;
    }
    struct sf_x80 v = *st(cpu, 0), r;
    switch (op) {
    case UN_CHS: r = v; r.se ^= 0x8000; break;
    case UN_ABS: r = v; r.se &= 0x7fff; break;
    case UN_SQRT: r = sfx80_sqrt(v, &s); break;
    default: r = sfx80_round_int(v, s.round, &s); break;
    }
    if (fpu_flags(cpu, &s, true))
        st_set(cpu, 0, r);
out:
    fpu_after(cpu, u, es);
    return u + 1;
}

/* FPREM (u->imm 0) / FPREM1 (1): C2 incomplete, C0 C3 C1 = Q2 Q1 Q0 */
static const struct uop *x87_fprem(struct cpu *cpu, const struct uop *u)
{
    struct sf_status s;
    bool es = x87_begin(cpu, u, &s);
    /* a stack fault or a NaN result clears C2 and C1 and leaves C0, C3 */
    cpu->fpu.fsw &= (uint16_t)~(FSW_C1 | FSW_C2);
    if (!st_valid(cpu, 0) || !st_valid(cpu, 1)) {
        if (fpu_stack_fault(cpu, false))
            st_set(cpu, 0, sfx80_default_nan());
        goto out;
    }
    unsigned q;
    bool incomplete;
    struct sf_x80 r = sfx80_rem(*st(cpu, 0), *st(cpu, 1), u->imm & 1, true, &q, &incomplete, &s);
    s.c1 = false;
    if (!fpu_flags(cpu, &s, true))
        goto out;
    st_set(cpu, 0, r);
    if (sfx80_is_nan(r))
        goto out;
    cpu->fpu.fsw &= (uint16_t)~(FSW_C0 | FSW_C3);
    cpu->fpu.fsw |= (uint16_t)((q & 4 ? FSW_C0 : 0) | (q & 2 ? FSW_C3 : 0)
                               | (q & 1 ? FSW_C1 : 0) | (incomplete ? FSW_C2 : 0));
out:
    fpu_after(cpu, u, es);
    return u + 1;
}

/* FSCALE: ST(0) * 2^trunc(ST(1)) */
static const struct uop *x87_fscale(struct cpu *cpu, const struct uop *u)
{
    struct sf_status s;
    bool es = x87_begin(cpu, u, &s);
    cpu->fpu.fsw &= (uint16_t)~FSW_C1;
    if (!st_valid(cpu, 0) || !st_valid(cpu, 1)) {
        if (fpu_stack_fault(cpu, false))
            st_set(cpu, 0, sfx80_default_nan());
        goto out;
    }
    struct sf_x80 a = *st(cpu, 0), b = *st(cpu, 1), r;
    unsigned ea = a.se & 0x7fff, eb = b.se & 0x7fff;
    if (sfx80_is_nan(a) || sfx80_is_nan(b) || sfx80_is_unsupported(a) || sfx80_is_unsupported(b)) {
        r = sfx80_add(a, b, &s);                    /* the x87 NaN rules */
    } else if (eb == 0x7fff) {                      /* ST(1) infinite */
        bool a_zero = ea == 0 && a.sig == 0, a_inf = ea == 0x7fff;
        if ((b.se & 0x8000) ? a_inf : a_zero) {
            s.flags |= SF_IE;
            r = sfx80_default_nan();
        } else if (a_zero || a_inf) {
            r = a;
        } else {
            if (ea == 0)
                s.flags |= SF_DE;
            r.se = (uint16_t)((a.se & 0x8000) | ((b.se & 0x8000) ? 0 : 0x7fff));
            r.sig = (b.se & 0x8000) ? 0 : 0x8000000000000000ull;
        }
    } else {
        struct sf_status t = s;
        int32_t n;
        if (eb >= 0x3fff + 31)
            n = (b.se & 0x8000) ? -100000 : 100000;
        else
            n = sfx80_to_i32_trunc(b, &t);
        if (eb == 0 && b.sig)
            s.flags |= SF_DE;
        r = sfx80_scale(a, n, &s);
    }
    if (fpu_flags(cpu, &s, true))
        st_set(cpu, 0, r);
out:
    fpu_after(cpu, u, es);
    return u + 1;
}

/* FXTRACT: ST(0) = exponent, then push the significand */
static const struct uop *x87_fxtract(struct cpu *cpu, const struct uop *u)
{
    struct sf_status s;
    bool es = x87_begin(cpu, u, &s);
    cpu->fpu.fsw &= (uint16_t)~FSW_C1;
    /* an empty ST(0) is an underflow even when ST(7) is full too */
    if (!st_valid(cpu, 0) || st_valid(cpu, 7)) {
        if (fpu_stack_fault(cpu, st_valid(cpu, 0))) {
            st_set(cpu, 0, sfx80_default_nan());
            fpu_push(cpu, sfx80_default_nan());
        }
        goto out;
    }
    struct sf_x80 v = *st(cpu, 0), ex, sig;
    unsigned e = v.se & 0x7fff;
    if (sfx80_is_nan(v) || sfx80_is_unsupported(v)) {
        ex = sig = sfx80_add(v, v, &s);
    } else if (e == 0x7fff) {
        ex = sfx80_make(0x7fff, 0x8000000000000000ull);
        sig = v;
    } else if (e == 0 && v.sig == 0) {
        s.flags |= SF_ZE;
        ex = sfx80_make(0xffff, 0x8000000000000000ull);
        sig = v;
    } else {
        int32_t exp = (int32_t)e - 16383;
        uint64_t m = v.sig;
        if (e == 0) {
            s.flags |= SF_DE;
            exp = 1 - 16383;
            while (!(m >> 63)) {
                m <<= 1;
                exp--;
            }
        }
        ex = sfx80_from_i64(exp);
        sig = sfx80_make((uint16_t)((v.se & 0x8000) | 0x3fff), m);
    }
    if (fpu_flags(cpu, &s, false)) {
        st_set(cpu, 0, ex);
        fpu_push(cpu, sig);
    }
out:
    fpu_after(cpu, u, es);
    return u + 1;
}

/* FFREE / FFREEP (u->imm 1), FINCSTP (2), FDECSTP (3), FNOP (4) */
static const struct uop *x87_stackop(struct cpu *cpu, const struct uop *u)
{
    x87_begin(cpu, u, NULL);
    switch (u->imm) {
    case 0: case 1:
        cpu->fpu.fsw &= (uint16_t)~FSW_C1;      /* as Intel processors do */
        cpu->fpu.ftw &= (uint16_t)~(1u << ((cpu->fpu.top + u->cc) & 7));
        if (u->imm == 1)
            fpu_pop(cpu);
        break;
    case 2: cpu->fpu.top = (cpu->fpu.top + 1) & 7; cpu->fpu.fsw &= (uint16_t)~FSW_C1; break;
    case 3: cpu->fpu.top = (cpu->fpu.top - 1) & 7; cpu->fpu.fsw &= (uint16_t)~FSW_C1; break;
    default: break;
    }
    return u + 1;
}

/* control: FLDCW 0, FNSTCW 1, FNSTSW m 2, FNSTSW AX 3, FNCLEX 4, FNINIT 5, FWAIT 6, no-op 7 */
static const struct uop *x87_control(struct cpu *cpu, const struct uop *u)
{
    switch (u->imm) {
    case 0: {
        fpu_check_pending(cpu);
        uint16_t cw = cpu_ld16(cpu, uop_la(cpu, u));
        cpu->fpu.fcw = (uint16_t)((cw & 0x1f3f) | 0x0040);
        fpu_after(cpu, u, cpu->fpu.fsw & FSW_ES);
        break;
    }
    case 1: cpu_st16(cpu, uop_la(cpu, u), cpu->fpu.fcw); break;
    case 2: cpu_st16(cpu, uop_la(cpu, u), fpu_get_fsw(cpu)); break;
    case 3: reg_set(cpu, 0, 2, fpu_get_fsw(cpu)); break;
    case 4:
        cpu->fpu.fsw &= (uint16_t)~(0x3f | FSW_SF | FSW_ES | FSW_B);
        fpu_update_es(cpu);
        break;
    case 5: fpu_reset(cpu, false); break;
    case 6: fpu_check_pending(cpu); break;
    default: break;
    }
    return u + 1;
}

/* ---- translator ------------------------------------------------------------------ */

/* Memory format of an x87 memory row (escape byte, ModRM.reg). */
static unsigned mem_format(uint8_t opc, unsigned reg)
{
    switch (opc) {
    case 0xd8: return MF_R32;
    case 0xd9: return MF_R32;
    case 0xda: return MF_I32;
    case 0xdb: return reg >= 4 ? MF_R80 : MF_I32;
    case 0xdc: return MF_R64;
    case 0xdd: return reg == 1 ? MF_I64 : MF_R64;
    case 0xde: return MF_I16;
    default: return reg == 4 || reg == 6 ? MF_BCD : reg >= 5 ? MF_I64 : MF_I16;
    }
}

static unsigned arith_of(unsigned op)
{
    switch (op) {
    case OP_FADD: case OP_FADDP: case OP_FIADD: return AR_ADD;
    case OP_FMUL: case OP_FMULP: case OP_FIMUL: return AR_MUL;
    case OP_FCOM: case OP_FICOM: return AR_COM;
    case OP_FCOMP: case OP_FICOMP: return AR_COMP;
    case OP_FSUB: case OP_FSUBP: case OP_FISUB: return AR_SUB;
    case OP_FSUBR: case OP_FSUBRP: case OP_FISUBR: return AR_SUBR;
    case OP_FDIV: case OP_FDIVP: case OP_FIDIV: return AR_DIV;
    default: return AR_DIVR;
    }
}

void tr_x87(struct tr_ctx *tc, const struct insn *in)
{
    bool mem = in->has_modrm && (in->modrm >> 6) != 3;
    unsigned i = in->modrm & 7, reg = (in->modrm >> 3) & 7;
    struct uop *u;
    uop_fn fn = NULL;
    uint64_t imm = 0;

    if (in->op == OP_FWAIT) {
        /* WAIT/FWAIT: #NM only when CR0.MP and CR0.TS (SDM 2.5, table 2-2) */
        if ((tc->hflags & HF_MP) && (tc->hflags & HF_TS)) {
            tr_emit_fault(tc, in, EXC_NM);
            return;
        }
        u = tr_emit(tc, in, x87_control);
        u->imm = 6;
        return;
    }
    switch (in->op) {
    case OP_FLD:
        if (mem) { fn = x87_fld_mem; } else { fn = x87_fld_reg; }
        break;
    case OP_FILD: case OP_FBLD: fn = x87_fld_mem; break;
    case OP_FST: case OP_FSTP: case OP_FIST: case OP_FISTP: case OP_FISTTP: case OP_FBSTP:
        imm = (in->op == OP_FSTP || in->op == OP_FISTP || in->op == OP_FISTTP
               || in->op == OP_FBSTP) | (in->op == OP_FISTTP ? 2 : 0);
        fn = mem ? x87_fst_mem : x87_fst_reg;
        break;
    case OP_FXCH: fn = x87_fxch; break;
    case OP_FCMOVB: fn = x87_fcmov; imm = 0x2; break;
    case OP_FCMOVE: fn = x87_fcmov; imm = 0x4; break;
    case OP_FCMOVBE: fn = x87_fcmov; imm = 0x6; break;
    case OP_FCMOVU: fn = x87_fcmov; imm = 0xa; break;
    case OP_FCMOVNB: fn = x87_fcmov; imm = 0x3; break;
    case OP_FCMOVNE: fn = x87_fcmov; imm = 0x5; break;
    case OP_FCMOVNBE: fn = x87_fcmov; imm = 0x7; break;
    case OP_FCMOVNU: fn = x87_fcmov; imm = 0xb; break;
    case OP_FADD: case OP_FMUL: case OP_FCOM: case OP_FCOMP: case OP_FSUB: case OP_FSUBR:
    case OP_FDIV: case OP_FDIVR: case OP_FIADD: case OP_FIMUL: case OP_FICOM: case OP_FICOMP:
    case OP_FISUB: case OP_FISUBR: case OP_FIDIV: case OP_FIDIVR:
    case OP_FADDP: case OP_FMULP: case OP_FSUBP: case OP_FSUBRP: case OP_FDIVP: case OP_FDIVRP:
        imm = arith_of(in->op);
        if (mem) {
            fn = x87_arith_mem;
        } else {
            fn = x87_arith_reg;
            if (in->opcode == 0xde && imm != AR_COMP)
                imm |= 1u << 5;     /* pop */
            if (in->opcode == 0xdc || in->opcode == 0xde)
                imm |= 1u << 4;     /* ST(i) = ST(i) op ST(0) */
        }
        break;
    case OP_FCOMPP: fn = x87_ucom; imm = 2; i = 1; break;
    case OP_FUCOM: fn = x87_ucom; imm = 4; break;
    case OP_FUCOMP: fn = x87_ucom; imm = 4 | 1; break;
    case OP_FUCOMPP: fn = x87_ucom; imm = 4 | 2; i = 1; break;
    case OP_FCOMI: fn = x87_comi; imm = 0; break;
    case OP_FCOMIP: fn = x87_comi; imm = 1; break;
    case OP_FUCOMI: fn = x87_comi; imm = 2; break;
    case OP_FUCOMIP: fn = x87_comi; imm = 3; break;
    case OP_FCHS: fn = x87_unary; imm = UN_CHS; break;
    case OP_FABS: fn = x87_unary; imm = UN_ABS; break;
    case OP_FTST: fn = x87_unary; imm = UN_TST; break;
    case OP_FXAM: fn = x87_unary; imm = UN_XAM; break;
    case OP_FSQRT: fn = x87_unary; imm = UN_SQRT; break;
    case OP_FRNDINT: fn = x87_unary; imm = UN_RNDINT; break;
    case OP_FLD1: fn = x87_fldconst; imm = 0; break;
    case OP_FLDL2T: fn = x87_fldconst; imm = 1; break;
    case OP_FLDL2E: fn = x87_fldconst; imm = 2; break;
    case OP_FLDPI: fn = x87_fldconst; imm = 3; break;
    case OP_FLDLG2: fn = x87_fldconst; imm = 4; break;
    case OP_FLDLN2: fn = x87_fldconst; imm = 5; break;
    case OP_FLDZ: fn = x87_fldconst; imm = 6; break;
    case OP_FPREM: fn = x87_fprem; imm = 0; break;
    case OP_FPREM1: fn = x87_fprem; imm = 1; break;
    case OP_FSCALE: fn = x87_fscale; break;
    case OP_FXTRACT: fn = x87_fxtract; break;
    case OP_F2XM1: case OP_FYL2X: case OP_FPTAN: case OP_FPATAN: case OP_FYL2XP1:
    case OP_FSINCOS: case OP_FSIN: case OP_FCOS:
        fn = fpu_trans_handler(in->op);
        imm = fpu_trans_imm(in->op);
        break;
    case OP_FFREE: fn = x87_stackop; imm = 0; break;
    case OP_FFREEP: fn = x87_stackop; imm = 1; break;
    case OP_FINCSTP: fn = x87_stackop; imm = 2; break;
    case OP_FDECSTP: fn = x87_stackop; imm = 3; break;
    case OP_FNOP: fn = x87_stackop; imm = 4; break;
    case OP_FLDCW: fn = x87_control; imm = 0; break;
    case OP_FNSTCW: fn = x87_control; imm = 1; break;
    case OP_FNSTSW: fn = x87_control; imm = mem ? 2 : 3; break;
    case OP_FNCLEX: fn = x87_control; imm = 4; break;
    case OP_FNINIT: fn = x87_control; imm = 5; break;
    case OP_FENI: case OP_FDISI: case OP_FSETPM: fn = x87_control; imm = 7; break;
    case OP_FLDENV: case OP_FNSTENV: case OP_FRSTOR: case OP_FNSAVE:
        fn = fpu_env_handler(in->op);
        imm = in->op == OP_FLDENV ? 0 : in->op == OP_FNSTENV ? 1 : in->op == OP_FRSTOR ? 2 : 3;
        break;
    default:
        tr_emit_fault(tc, in, EXC_UD);
        return;
    }
    u = tr_emit(tc, in, fn);
    u->cc = (uint8_t)i;
    u->imm = imm;
    u->aux = (uint16_t)(((in->opcode & 7u) << 8) | in->modrm);
    u->opsz2 = (uint8_t)(mem ? mem_format(in->opcode, reg) : 0);
}
