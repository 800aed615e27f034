/*
 * cpu/fpu-state.c: saving and restoring the x87 and SSE state.
 *
 *  - FNSTENV/FLDENV and FNSAVE/FRSTOR in the four layouts of SDM vol. 1
 *    8.1.10 (figures 8-9 to 8-12): 16- or 32-bit operand size, real/VM86
 *    or protected mode.  The real-mode layouts hold 20/32-bit linear
 *    pointers, built here as (selector << 4) + offset.
 *  - FXSAVE/FXRSTOR (SDM vol. 2 FXSAVE, table 3-53): the 512-byte area;
 *    REX.W selects the 64-bit FIP/FDP layout; XMM8-15 only in 64-bit
 *    mode; MXCSR and the XMM registers only with CR4.OSFXSR (as QEMU).
 *    Bytes 464-511 are left to software.
 *  - XSAVE/XSAVEOPT/XSAVEC/XRSTOR (SDM vol. 1 ch. 13) for state
 *    components 0 (x87) and 1 (SSE), XCR0 and XSETBV.  Every component is
 *    reported in use (XINUSE = all ones), so XSAVEOPT writes what XSAVE
 *    writes and XSTATE_BV gets every saved bit (QEMU does the same).
 *
 * All reads happen before the state changes and every store range is
 * probed first, so a fault leaves the state and memory as they were.
 */
#include "cpu/fpu-x87.h"

#define XSTATE_X87 1u
#define XSTATE_SSE 2u
#define XCR0_SUPPORTED (XSTATE_X87 | XSTATE_SSE)
#define XSAVE_AREA_SIZE 576u    /* legacy region + header */

/* ---- FSTENV / FLDENV / FSAVE / FRSTOR ---------------------------------------------- */

static bool env_protected(const struct cpu *cpu)
{
    return (cpu->cr0 & CR0_PE) && !(cpu->eflags & EFLAGS_VM);
}

static unsigned env_size(bool o32)
{
    return o32 ? 28 : 14;
}

static void store_env(struct cpu *cpu, gva_t la, bool o32)
{
    const struct fpu_state *f = &cpu->fpu;
    uint16_t sw = fpu_get_fsw(cpu), tw = fpu_full_tags(cpu);
    unsigned w = o32 ? 4 : 2;
    uint32_t ip = (uint32_t)f->fip, dp = (uint32_t)f->fdp;

    /* in the 32-bit layouts the upper halves of these three are reserved
     * and stored as ones (as Intel processors do) */
    uint32_t rsv = o32 ? 0xffff0000u : 0;
    mmu_probe_write(cpu, la, env_size(o32));
    cpu_st(cpu, la, w, rsv | f->fcw);
    cpu_st(cpu, la + w, w, rsv | sw);
    cpu_st(cpu, la + 2 * w, w, rsv | tw);
    if (env_protected(cpu)) {
        cpu_st(cpu, la + 3 * w, w, ip);
        cpu_st(cpu, la + 4 * w, w, o32 ? (uint32_t)f->fcs | (uint32_t)f->fop << 16 : f->fcs);
        cpu_st(cpu, la + 5 * w, w, dp);
        cpu_st(cpu, la + 6 * w, w, f->fds);
    } else {
        uint32_t lip = ((uint32_t)f->fcs << 4) + ip, ldp = ((uint32_t)f->fds << 4) + dp;
        cpu_st(cpu, la + 3 * w, w, lip & 0xffff);
        cpu_st(cpu, la + 4 * w, w, (f->fop & 0x7ffu) | ((lip >> 16) << 12));
        cpu_st(cpu, la + 5 * w, w, ldp & 0xffff);
        cpu_st(cpu, la + 6 * w, w, (ldp >> 16) << 12);
    }
}

struct env_image {
    uint16_t fcw, fsw, ftw, fop, fcs, fds;
    uint64_t fip, fdp;
};

static struct env_image read_env(struct cpu *cpu, gva_t la, bool o32)
{
    struct env_image e;
    unsigned w = o32 ? 4 : 2;
    uint32_t v[7];
    for (unsigned i = 0; i < 7; i++)
        v[i] = (uint32_t)cpu_ld(cpu, la + i * w, w);
    e.fcw = (uint16_t)v[0];
    e.fsw = (uint16_t)v[1];
    e.ftw = (uint16_t)v[2];
    if (env_protected(cpu)) {
        e.fip = v[3];
        e.fcs = (uint16_t)v[4];
        e.fop = o32 ? (uint16_t)((v[4] >> 16) & 0x7ff) : 0;
        e.fdp = v[5];
        e.fds = (uint16_t)v[6];
    } else {
        e.fip = (v[3] & 0xffff) | ((v[4] >> 12) << 16);
        e.fop = (uint16_t)(v[4] & 0x7ff);
        e.fdp = (v[5] & 0xffff) | ((v[6] >> 12) << 16);
        e.fcs = e.fds = 0;
        if (!o32) {
            e.fip &= 0xfffff;
            e.fdp &= 0xfffff;
        }
    }
    return e;
}

static void apply_env(struct cpu *cpu, const struct env_image *e)
{
    struct fpu_state *f = &cpu->fpu;
    f->fcw = (uint16_t)((e->fcw & 0x1f3f) | 0x0040);
    f->fip = e->fip;
    f->fdp = e->fdp;
    f->fcs = e->fcs;
    f->fds = e->fds;
    f->fop = e->fop;
    fpu_set_full_tags(cpu, e->ftw);
    fpu_set_fsw(cpu, e->fsw);
}

/* u->imm: 0 FLDENV, 1 FNSTENV, 2 FRSTOR, 3 FNSAVE; osize picks the layout */
static const struct uop *x87_env(struct cpu *cpu, const struct uop *u)
{
    bool o32 = u->osize != 2;
    gva_t la = uop_la(cpu, u);
    unsigned n = env_size(o32);
    switch (u->imm) {
    case 0: case 2: {
        fpu_check_pending(cpu);
        struct env_image e = read_env(cpu, la, o32);
        struct sf_x80 regs[8];
        if (u->imm == 2)
            for (unsigned i = 0; i < 8; i++)
                regs[i] = fpu_ld_m80(cpu, la + n + 10 * i);
        apply_env(cpu, &e);
        if (u->imm == 2)
            for (unsigned i = 0; i < 8; i++)
                *st(cpu, i) = regs[i];
        break;
    }
    case 1:
        store_env(cpu, la, o32);
        cpu->fpu.fcw |= 0x3f;   /* FNSTENV masks all exceptions */
        fpu_update_es(cpu);
        break;
    default:
        mmu_probe_write(cpu, la, n + 80);
        store_env(cpu, la, o32);
        for (unsigned i = 0; i < 8; i++)
            fpu_st_m80(cpu, la + n + 10 * i, *st(cpu, i));
        fpu_reset(cpu, false);
        break;
    }
    return u + 1;
}

uop_fn fpu_env_handler(unsigned op)
{
    (void)op;
    return x87_env;
}

/* ---- FXSAVE / XSAVE legacy region ------------------------------------------------------ */

static unsigned nxmm(const struct cpu *cpu)
{
    return (cpu->hflags & HF_CS64) ? 16 : 8;
}

static void save_x87(struct cpu *cpu, gva_t la, bool w64)
{
    const struct fpu_state *f = &cpu->fpu;
    cpu_st16(cpu, la, f->fcw);
    cpu_st16(cpu, la + 2, fpu_get_fsw(cpu));
    cpu_st8(cpu, la + 4, (uint8_t)f->ftw);
    cpu_st8(cpu, la + 5, 0);
    cpu_st16(cpu, la + 6, f->fop);
    if (w64) {
        cpu_st64(cpu, la + 8, f->fip);
        cpu_st64(cpu, la + 16, f->fdp);
    } else {
        cpu_st32(cpu, la + 8, (uint32_t)f->fip);
        cpu_st32(cpu, la + 12, f->fcs);
        cpu_st32(cpu, la + 16, (uint32_t)f->fdp);
        cpu_st32(cpu, la + 20, f->fds);
    }
    for (unsigned i = 0; i < 8; i++) {
        struct sf_x80 v = cpu->fpu.st[st_phys(cpu, i)];
        cpu_st64(cpu, la + 32 + 16 * i, v.sig);
        cpu_st16(cpu, la + 40 + 16 * i, v.se);
    }
}

static void save_mxcsr(struct cpu *cpu, gva_t la)
{
    cpu_st32(cpu, la + 24, cpu->fpu.mxcsr);
    cpu_st32(cpu, la + 28, MXCSR_MASK);
}

static void save_xmm(struct cpu *cpu, gva_t la)
{
    for (unsigned i = 0; i < nxmm(cpu); i++) {
        cpu_st64(cpu, la + 160 + 16 * i, cpu->fpu.xmm[i][0]);
        cpu_st64(cpu, la + 168 + 16 * i, cpu->fpu.xmm[i][1]);
    }
}

struct legacy_image {
    uint16_t fcw, fsw, fop, fcs, fds;
    uint8_t ftw;
    uint64_t fip, fdp;
    struct sf_x80 st[8];
    uint32_t mxcsr;
    uint64_t xmm[16][2];
};

static void read_x87(struct cpu *cpu, gva_t la, bool w64, struct legacy_image *m)
{
    m->fcw = cpu_ld16(cpu, la);
    m->fsw = cpu_ld16(cpu, la + 2);
    m->ftw = cpu_ld8(cpu, la + 4);
    m->fop = cpu_ld16(cpu, la + 6) & 0x7ff;
    if (w64) {
        m->fip = cpu_ld64(cpu, la + 8);
        m->fdp = cpu_ld64(cpu, la + 16);
        m->fcs = m->fds = 0;
    } else {
        m->fip = cpu_ld32(cpu, la + 8);
        m->fcs = cpu_ld16(cpu, la + 12);
        m->fdp = cpu_ld32(cpu, la + 16);
        m->fds = cpu_ld16(cpu, la + 20);
    }
    for (unsigned i = 0; i < 8; i++)
        m->st[i] = fpu_ld_m80(cpu, la + 32 + 16 * i);
}

static void read_mxcsr(struct cpu *cpu, gva_t la, struct legacy_image *m)
{
    m->mxcsr = cpu_ld32(cpu, la + 24);
    if (m->mxcsr & ~MXCSR_MASK)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
}

static void read_xmm(struct cpu *cpu, gva_t la, struct legacy_image *m)
{
    for (unsigned i = 0; i < nxmm(cpu); i++) {
        m->xmm[i][0] = cpu_ld64(cpu, la + 160 + 16 * i);
        m->xmm[i][1] = cpu_ld64(cpu, la + 168 + 16 * i);
    }
}

static void apply_x87(struct cpu *cpu, const struct legacy_image *m)
{
    struct fpu_state *f = &cpu->fpu;
    f->fcw = (uint16_t)((m->fcw & 0x1f3f) | 0x0040);
    f->ftw = m->ftw;
    f->fop = m->fop;
    f->fip = m->fip;
    f->fdp = m->fdp;
    f->fcs = m->fcs;
    f->fds = m->fds;
    f->top = (m->fsw >> 11) & 7;
    for (unsigned i = 0; i < 8; i++)
        f->st[st_phys(cpu, i)] = m->st[i];
    fpu_set_fsw(cpu, m->fsw);
}

static void apply_xmm(struct cpu *cpu, const struct legacy_image *m)
{
    memcpy(cpu->fpu.xmm, m->xmm, nxmm(cpu) * sizeof m->xmm[0]);
}

/* x87 and SSE in their initial configuration (XRSTOR with XSTATE_BV clear) */
static void init_x87(struct cpu *cpu)
{
    fpu_reset(cpu, false);
    memset(cpu->fpu.st, 0, sizeof cpu->fpu.st);
}

static void check_align(struct cpu *cpu, gva_t la, unsigned align)
{
    if (la & (align - 1))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
}

/* ---- FXSAVE / FXRSTOR -------------------------------------------------------------------- */

/* u->imm: 0 FXSAVE, 1 FXRSTOR; u->opsz2: REX.W */
static const struct uop *fx_save_restore(struct cpu *cpu, const struct uop *u)
{
    if (cpu->cr0 & (CR0_EM | CR0_TS))
        cpu_raise_exception(cpu, EXC_NM);
    gva_t la = uop_la(cpu, u);
    bool w64 = u->opsz2, sse = cpu->cr4 & CR4_OSFXSR;
    check_align(cpu, la, 16);
    if (u->imm == 0) {
        mmu_probe_write(cpu, la, 464);
        save_x87(cpu, la, w64);
        if (sse) {
            save_mxcsr(cpu, la);
            save_xmm(cpu, la);
        }
        return u + 1;
    }
    struct legacy_image m;
    read_x87(cpu, la, w64, &m);
    if (sse) {
        read_mxcsr(cpu, la, &m);
        read_xmm(cpu, la, &m);
    }
    apply_x87(cpu, &m);
    if (sse) {
        cpu->fpu.mxcsr = m.mxcsr;
        apply_xmm(cpu, &m);
    }
    return u + 1;
}

/* ---- XSAVE family ---------------------------------------------------------------------------- */

static void xsave_checks(struct cpu *cpu)
{
    if (!(cpu->cr4 & CR4_OSXSAVE))
        cpu_raise_exception(cpu, EXC_UD);
    if (cpu->cr0 & CR0_TS)
        cpu_raise_exception(cpu, EXC_NM);
}

static uint64_t rfbm(const struct cpu *cpu)
{
    return cpu->xcr0 & (((uint64_t)(uint32_t)cpu->regs[2] << 32) | (uint32_t)cpu->regs[0]);
}

/* u->imm: 0 XSAVE, 1 XSAVEOPT, 2 XSAVEC; u->opsz2: REX.W */
static const struct uop *xsave(struct cpu *cpu, const struct uop *u)
{
    xsave_checks(cpu);
    gva_t la = uop_la(cpu, u);
    bool w64 = u->opsz2;
    uint64_t rf = rfbm(cpu);
    check_align(cpu, la, 64);
    uint64_t bv = u->imm == 2 ? rf : (cpu_ld64(cpu, la + 512) & ~rf) | rf;
    mmu_probe_write(cpu, la, u->imm == 2 ? 528 : 520);
    if (rf & XSTATE_X87)
        save_x87(cpu, la, w64);
    if (rf & XSTATE_SSE) {
        save_mxcsr(cpu, la);
        save_xmm(cpu, la);
    }
    cpu_st64(cpu, la + 512, bv);
    if (u->imm == 2)
        cpu_st64(cpu, la + 520, rf | (1ull << 63));
    return u + 1;
}

static const struct uop *xrstor(struct cpu *cpu, const struct uop *u)
{
    xsave_checks(cpu);
    gva_t la = uop_la(cpu, u);
    bool w64 = u->opsz2;
    uint64_t rf = rfbm(cpu);
    check_align(cpu, la, 64);
    uint64_t bv = cpu_ld64(cpu, la + 512), comp = cpu_ld64(cpu, la + 520);
    bool compact = comp >> 63;
    /* header rules, SDM vol. 1 13.8 */
    if (compact) {
        if ((comp & ~(1ull << 63) & ~cpu->xcr0) || (bv & ~comp))
            cpu_raise_exception_err(cpu, EXC_GP, 0);
        for (unsigned off = 528; off < 576; off += 8)
            if (cpu_ld64(cpu, la + off))
                cpu_raise_exception_err(cpu, EXC_GP, 0);
    } else {
        if ((bv & ~cpu->xcr0) || comp || cpu_ld64(cpu, la + 528))
            cpu_raise_exception_err(cpu, EXC_GP, 0);
    }
    struct legacy_image m;
    if ((rf & XSTATE_X87) && (bv & XSTATE_X87))
        read_x87(cpu, la, w64, &m);
    if (rf & XSTATE_SSE) {
        read_mxcsr(cpu, la, &m);
        if (bv & XSTATE_SSE)
            read_xmm(cpu, la, &m);
    }
    if (rf & XSTATE_X87) {
        if (bv & XSTATE_X87)
            apply_x87(cpu, &m);
        else
            init_x87(cpu);
    }
    if (rf & XSTATE_SSE) {
        cpu->fpu.mxcsr = m.mxcsr;
        if (bv & XSTATE_SSE)
            apply_xmm(cpu, &m);
        else
            memset(cpu->fpu.xmm, 0, nxmm(cpu) * sizeof cpu->fpu.xmm[0]);
    }
    return u + 1;
}

void tr_fpstate(struct tr_ctx *tc, const struct insn *in)
{
    struct uop *u;
    switch (in->op) {
    case OP_FXSAVE: case OP_FXRSTOR:
        u = tr_emit(tc, in, fx_save_restore);
        u->imm = in->op == OP_FXRSTOR;
        break;
    case OP_XSAVE: case OP_XSAVEOPT: case OP_XSAVEC:
        u = tr_emit(tc, in, xsave);
        u->imm = in->op == OP_XSAVE ? 0 : in->op == OP_XSAVEOPT ? 1 : 2;
        break;
    default:
        u = tr_emit(tc, in, xrstor);
        break;
    }
    u->opsz2 = (in->rex & 8) != 0;
    if (in->op == OP_FXRSTOR || in->op == OP_XRSTOR)
        tc->end = TR_END_NEXT;
}

/* XSETBV (SDM vol. 2): CPL 0 is checked by the decoder (P). */
const struct uop *fpu_xsetbv(struct cpu *cpu, const struct uop *u)
{
    uint64_t v = ((uint64_t)(uint32_t)cpu->regs[2] << 32) | (uint32_t)cpu->regs[0];
    if (!(cpu->cr4 & CR4_OSXSAVE))
        cpu_raise_exception(cpu, EXC_UD);
    if ((uint32_t)cpu->regs[1] != 0 || (v & ~(uint64_t)XCR0_SUPPORTED) || !(v & XSTATE_X87))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    cpu->xcr0 = v;
    return u + 1;
}

/* CPUID leaf 0xD for the components this CPU supports (x87, SSE). */
void fpu_cpuid_xsave(const struct cpu *cpu, uint32_t sub, uint32_t r[4])
{
    r[0] = r[1] = r[2] = r[3] = 0;
    if (sub == 0) {
        r[0] = XCR0_SUPPORTED;
        r[1] = XSAVE_AREA_SIZE;     /* for the components enabled in XCR0 */
        r[2] = XSAVE_AREA_SIZE;     /* for every supported component */
    } else if (sub == 1) {
        r[0] = cpu->cfg.feat[FW_D1_EAX];    /* XSAVEOPT, XSAVEC as the model has them */
        /* EBX: size of the compacted area for XCR0 | IA32_XSS; KVM fills it
         * in when XSAVEC or XSAVES is advertised (Linux sizes its buffers
         * from it).  x87 and SSE only: the legacy area plus the header. */
        if (r[0] & (1u << 1 | 1u << 3))
            r[1] = XSAVE_AREA_SIZE;
    }
}
