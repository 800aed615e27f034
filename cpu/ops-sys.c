/*
 * cpu/ops-sys.c: system instructions (SDM vol. 2 and vol. 3 ch. 2):
 * control and debug registers, descriptor-table registers, segment
 * register moves, MSRs, CPUID, TSC, HLT, port I/O with the I/O
 * permission bitmap, VMCALL/VMMCALL to the hypervisor hooks, and the
 * model-gated SMAP (STAC/CLAC), UMIP, PCID with INVPCID and MONITOR/MWAIT.
 */
#include "cpu/translate.h"

#include "util/log.h"

/* ---- port I/O ---------------------------------------------------------------- */

void io_check_perm(struct cpu *cpu, uint16_t port, unsigned size)
{
    unsigned iopl = (cpu->eflags & EFLAGS_IOPL) >> 12;

    if (unlikely(cpu->hflags & HF_DBG))
        debug_check_io(cpu, port, size);

    if (!(cpu->hflags & HF_PE) || (!(cpu->eflags & EFLAGS_VM) && cpu_cpl_fast(cpu) <= iopl))
        return;
    /* TSS I/O permission bitmap (SDM vol. 1, 19.5.2) */
    if ((cpu->tr.attr & 0x900) != 0x900 || cpu->tr.limit < 0x67)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    uint16_t base = (uint16_t)mmu_ld_sys(cpu, cpu->tr.base + 0x66, 2);
    uint32_t off = base + port / 8u;
    if (off + 1 > cpu->tr.limit)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    uint16_t bits = (uint16_t)mmu_ld_sys(cpu, cpu->tr.base + off, 2);
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
}

static uint16_t io_port(struct cpu *cpu, const struct uop *u)
{
    return u->aux ? (uint16_t)cpu->regs[2] : (uint16_t)u->imm;
}

static const struct uop *uop_in(struct cpu *cpu, const struct uop *u)
{
    uint16_t port = io_port(cpu, u);
    unsigned s = u->osize == 8 ? 4 : u->osize;

    io_check_perm(cpu, port, s);
    reg_set(cpu, 0, s, bus_io_read(cpu->bus, port, s));
    return u + 1;
}

static const struct uop *uop_out(struct cpu *cpu, const struct uop *u)
{
    uint16_t port = io_port(cpu, u);
    unsigned s = u->osize == 8 ? 4 : u->osize;

    io_check_perm(cpu, port, s);
    bus_io_write(cpu->bus, port, (uint32_t)cpu->regs[0] & (uint32_t)size_mask(s), s);
    return u + 1;
}

void tr_io(struct tr_ctx *tc, const struct insn *in)
{
    bool out = in->op == OP_OUT;
    const struct opnd *p = &in->o[out ? 0 : 1];
    const struct opnd *d = &in->o[out ? 1 : 0];
    struct uop *u = tr_emit(tc, in, out ? uop_out : uop_in);

    u->aux = p->kind == OPND_REG;
    u->osize = d->size;
    tc->end = TR_END_NEXT; /* a device may have asked for attention */
}

/* ---- control and debug registers ---------------------------------------------- */

static void set_cr0(struct cpu *cpu, uint64_t v)
{
    uint64_t old = cpu->cr0;

    if (v >> 32)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    v |= CR0_ET;
    if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    if ((v & CR0_PG) && !(old & CR0_PG) && (cpu->efer & EFER_LME)) {
        if (!(cpu->cr4 & CR4_PAE) || (cpu->seg[SEG_CS].attr & DESC_L))
            cpu_raise_exception_err(cpu, EXC_GP, 0);
        cpu->efer |= EFER_LMA;
    }
    if (!(v & CR0_PG) && (old & CR0_PG) && (cpu->efer & EFER_LMA)) {
        if (cpu->hflags & HF_CS64)
            cpu_raise_exception_err(cpu, EXC_GP, 0);
        cpu->efer &= ~EFER_LMA;
    }
    cpu->cr0 = v;
    if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE))
        tlb_flush_all(cpu);
    cpu_update_hflags(cpu);
}

static const uint64_t cr4_supported = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE
    | CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_FSGSBASE;

/* CR4 bits of the features the CPU model advertises (reserved otherwise: #GP). */
static uint64_t cr4_allowed(const struct cpu *cpu)
{
    uint64_t m = cr4_supported;
    unsigned f = cpu->sys_features;

    if (f & SYSF_SMEP) m |= CR4_SMEP;
    if (f & SYSF_SMAP) m |= CR4_SMAP;
    if (f & SYSF_UMIP) m |= CR4_UMIP;
    if (f & SYSF_PCID) m |= CR4_PCIDE;
    if (feat_has(&cpu->decode_features, FEAT_XSAVE)) m |= CR4_OSXSAVE;
    return m;
}

static void set_cr4(struct cpu *cpu, uint64_t v)
{
    if (v & ~cr4_allowed(cpu))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    if ((cpu->efer & EFER_LMA) && !(v & CR4_PAE))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    /* PCIDE: only in IA-32e mode with PCID 0 in CR3 (SDM vol. 3, 4.10.1) */
    if ((v & CR4_PCIDE) && !(cpu->cr4 & CR4_PCIDE)
        && (!(cpu->efer & EFER_LMA) || (cpu->cr3 & 0xfff)))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    /* the TLB holds permissions SMEP/SMAP decided; PCIDE off: PCID 0 only */
    if ((cpu->cr4 ^ v) & (CR4_PAE | CR4_PSE | CR4_PGE | CR4_SMEP | CR4_SMAP | CR4_PCIDE))
        tlb_flush_all(cpu);
    cpu->cr4 = v;
    cpu_update_hflags(cpu);
}

/*
 * MOV to CR3 (SDM vol. 3, 4.10.4.1): with CR4.PCIDE, bits 11:0 are the
 * PCID and bit 63 asks to keep the new PCID's translations; it is not
 * stored.  cpu/mmu.c keeps a TLB per recently used PCID.
 */
static void set_cr3(struct cpu *cpu, uint64_t v)
{
    bool keep = false;

    if (cpu->cr4 & CR4_PCIDE) {
        keep = v >> 63;
        v &= ~(1ull << 63);
    }
    if ((cpu->efer & EFER_LMA) && (v >> 52))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    mmu_load_cr3(cpu, v, keep);
}

/* UMIP (SDM vol. 3, 2.5): SGDT, SIDT, SLDT, SMSW and STR at CPL > 0 #GP(0). */
static void umip_check(struct cpu *cpu)
{
    if ((cpu->cr4 & CR4_UMIP) && cpu_cpl_fast(cpu) > 0)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
}

static const struct uop *uop_mov_cr(struct cpu *cpu, const struct uop *u)
{
    unsigned cr = u->aux & 0xf;
    bool to_cr = u->aux & 0x100;
    unsigned gpr = to_cr ? u->rm : u->reg;
    uint64_t mask = (cpu->hflags & HF_CS64) ? ~0ull : 0xffffffffull;

    if (to_cr) {
        uint64_t v = cpu->regs[gpr] & mask;
        switch (cr) {
        case 0: set_cr0(cpu, v); break;
        case 2: cpu->cr2 = v; break;
        case 3: set_cr3(cpu, v); break;
        case 4: set_cr4(cpu, v); break;
        case 8:
            if (v >> 4)
                cpu_raise_exception_err(cpu, EXC_GP, 0);
            cpu_put_cr8(cpu, v);
            break;
        default:
            cpu_raise_exception(cpu, EXC_UD);
        }
        return u + 1;
    }
    uint64_t v;
    switch (cr) {
    case 0: v = cpu->cr0; break;
    case 2: v = cpu->cr2; break;
    case 3: v = cpu->cr3; break;
    case 4: v = cpu->cr4; break;
    case 8: v = cpu_get_cr8(cpu); break;
    default: cpu_raise_exception(cpu, EXC_UD);
    }
    cpu->regs[gpr] = v & mask;
    return u + 1;
}

static const struct uop *uop_mov_dr(struct cpu *cpu, const struct uop *u)
{
    unsigned dr = u->aux & 0xf;
    bool to_dr = u->aux & 0x100;
    unsigned gpr = to_dr ? u->rm : u->reg;
    uint64_t mask = (cpu->hflags & HF_CS64) ? ~0ull : 0xffffffffull;

    dr = debug_mov_dr_check(cpu, dr);
    if (to_dr) {
        uint64_t v = cpu->regs[gpr] & mask;
        if ((dr == 6 || dr == 7) && (v >> 32))
            cpu_raise_exception_err(cpu, EXC_GP, 0);
        if (dr == 6)
            v = (v & 0x0000e00fu) | 0xffff0ff0u;
        if (dr == 7)
            v = (v & 0xffff2bffu) | 0x400;
        cpu->dr[dr] = v;
        debug_dr_written(cpu, dr);
        return u + 1;
    }
    cpu->regs[gpr] = cpu->dr[dr] & mask;
    return u + 1;
}

static const struct uop *uop_lmsw(struct cpu *cpu, const struct uop *u)
{
    uint64_t v = u->reg != UOP_NOREG ? reg_get(cpu, u->reg, 2) : cpu_ld16(cpu, uop_la_r(cpu, u, 2));

    /* LMSW cannot clear PE */
    set_cr0(cpu, (cpu->cr0 & ~0xeull) | (v & 0xf) | (cpu->cr0 & CR0_PE));
    return u + 1;
}

static const struct uop *uop_smsw(struct cpu *cpu, const struct uop *u)
{
    umip_check(cpu);
    if (u->reg != UOP_NOREG)
        reg_set(cpu, u->reg, u->osize, cpu->cr0);
    else
        cpu_st16(cpu, uop_la_w(cpu, u, 2), (uint16_t)cpu->cr0);
    return u + 1;
}

static const struct uop *uop_clts(struct cpu *cpu, const struct uop *u)
{
    cpu->cr0 &= ~CR0_TS;
    cpu_update_hflags(cpu);
    return u + 1;
}

static const struct uop *uop_invlpg(struct cpu *cpu, const struct uop *u)
{
    tlb_flush_page(cpu, uop_la(cpu, u));
    return u + 1;
}

/*
 * INVPCID (SDM vol. 2, INVPCID; vol. 3, 4.10.4.1): the register holds the
 * type, the 16-byte memory operand the descriptor (PCID in bits 11:0,
 * bits 63:12 zero, linear address in bits 127:64).  #GP(0) for a type
 * above 3, nonzero reserved bits, a non-canonical address (type 0, IA-32e
 * mode), or a nonzero PCID of type 0 or 1 while CR4.PCIDE = 0 (CPL > 0
 * and virtual-8086 mode are #GP(0) from INSN_PRIV).  cpu/mmu.c drops
 * what each type names (vol. 3, 4.10.4.1).
 */
static const struct uop *uop_invpcid(struct cpu *cpu, const struct uop *u)
{
    uint64_t type = cpu->regs[u->reg] & size_mask(u->osize);
    gva_t la = uop_la_r(cpu, u, 16);
    uint64_t desc = cpu_ld64(cpu, la), addr = cpu_ld64(cpu, la + 8);
    unsigned pcid = desc & 0xfff;

    if (type > 3 || (desc >> 12))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    if (type <= 1 && pcid && !(cpu->cr4 & CR4_PCIDE))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    if (type == 0) {
        if ((cpu->efer & EFER_LMA) && (uint64_t)((int64_t)(addr << 16) >> 16) != addr)
            cpu_raise_exception_err(cpu, EXC_GP, 0);
    }
    mmu_invpcid(cpu, (unsigned)type, pcid, addr);
    return u + 1;
}

/* ---- MSRs, CPUID, TSC ------------------------------------------------------------ */

static const struct uop *uop_rdmsr(struct cpu *cpu, const struct uop *u)
{
    uint64_t v;

    if (cpu_rdmsr(cpu, (uint32_t)cpu->regs[1], &v) != MSR_OK)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    cpu->regs[0] = (uint32_t)v;
    cpu->regs[2] = v >> 32;
    return u + 1;
}

static const struct uop *uop_wrmsr(struct cpu *cpu, const struct uop *u)
{
    uint64_t v = (uint32_t)cpu->regs[0] | (cpu->regs[2] << 32);

    if (cpu_wrmsr(cpu, (uint32_t)cpu->regs[1], v) != MSR_OK)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    return u + 1;
}

static const struct uop *uop_cpuid(struct cpu *cpu, const struct uop *u)
{
    uint32_t r[4];

    cpu_cpuid(cpu, (uint32_t)cpu->regs[0], (uint32_t)cpu->regs[1], r);
    cpu->regs[0] = r[0];
    cpu->regs[3] = r[1];
    cpu->regs[1] = r[2];
    cpu->regs[2] = r[3];
    return u + 1;
}

static const struct uop *uop_rdtsc(struct cpu *cpu, const struct uop *u)
{
    if ((cpu->cr4 & CR4_TSD) && cpu_cpl_fast(cpu) != 0)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    uint64_t t = cpu_rdtsc(cpu);
    cpu->regs[0] = (uint32_t)t;
    cpu->regs[2] = t >> 32;
    if (u->aux == OP_RDTSCP)
        cpu->regs[1] = (uint32_t)cpu->tsc_aux;
    return u + 1;
}

static const struct uop *uop_rdpid(struct cpu *cpu, const struct uop *u)
{
    reg_set(cpu, u->reg, 8, (uint32_t)cpu->tsc_aux);
    return u + 1;
}

static const struct uop *uop_rdpmc(struct cpu *cpu, const struct uop *u)
{
    /* no performance counters are implemented (CPUID leaf 0xA reports none) */
    cpu_raise_exception_err(cpu, EXC_GP, 0);
}

static const struct uop *uop_xgetbv(struct cpu *cpu, const struct uop *u)
{
    if (!(cpu->cr4 & CR4_OSXSAVE))
        cpu_raise_exception(cpu, EXC_UD);   /* SDM XGETBV */
    if ((uint32_t)cpu->regs[1] != 0)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    cpu->regs[0] = (uint32_t)cpu->xcr0;
    cpu->regs[2] = cpu->xcr0 >> 32;
    return u + 1;
}

static const struct uop *uop_hlt(struct cpu *cpu, const struct uop *u)
{
    cpu_set_halted(cpu, true);
    cpu->rip = u->rip + u->len;
    return NULL;
}

/* STAC/CLAC (SDM vol. 2): #UD without SMAP or at CPL > 0. */
static const struct uop *uop_stac_clac(struct cpu *cpu, const struct uop *u)
{
    if (!(cpu->sys_features & SYSF_SMAP) || cpu_cpl_fast(cpu) > 0)
        cpu_raise_exception(cpu, EXC_UD);
    if (u->aux == OP_STAC)
        cpu->eflags |= EFLAGS_AC;
    else
        cpu->eflags &= ~EFLAGS_AC;
    cpu_update_mmu_idx(cpu);
    return u + 1;
}

/*
 * MONITOR/MWAIT (SDM vol. 2), only where CPUID.01H:ECX.MONITOR is set:
 * #UD at CPL > 0.  MONITOR checks its address DS:rAX like a load and arms
 * nothing; MWAIT is a hint that returns at once (hardware may leave it
 * for any reason): with several vCPUs a store by another one must end the
 * wait, and satori's vCPUs would have to watch each other's stores for a
 * real sleep.  ECX bit 0 (interrupts as break events) is the only
 * extension; others #GP(0).
 */
static const struct uop *uop_monitor(struct cpu *cpu, const struct uop *u)
{
    if (!(cpu->sys_features & SYSF_MONITOR) || cpu_cpl_fast(cpu) > 0)
        cpu_raise_exception(cpu, EXC_UD);
    if (u->aux == OP_MONITOR) {
        unsigned seg = (cpu->hflags & HF_CS64) && u->seg != SEG_FS && u->seg != SEG_GS
                     ? SEG_NONE : u->seg;
        if ((uint32_t)cpu->regs[1] != 0)
            cpu_raise_exception_err(cpu, EXC_GP, 0);
        (void)cpu_ld8(cpu, seg_la(cpu, seg, cpu->regs[0] & size_mask(u->asize), 1, false));
    } else if ((uint32_t)cpu->regs[1] > 1) {
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    }
    return u + 1;
}

static const struct uop *uop_vmcall(struct cpu *cpu, const struct uop *u)
{
    if (!cpu->hv.hypercall)
        cpu_raise_exception(cpu, EXC_UD);
    /* the hypercall sees RIP after the instruction (as after a VM exit) */
    cpu->rip = u->rip + u->len;
    if (cpu->hv.hypercall(cpu->hv.opaque, cpu) == HCALL_UD) {
        cpu->rip = u->rip; /* #UD is a fault: RIP stays on the VMCALL */
        cpu_raise_exception(cpu, EXC_UD);
    }
    return NULL;
}

static const struct uop *uop_nop_priv(struct cpu *cpu, const struct uop *u)
{
    return u + 1; /* WBINVD/INVD: no caches to write back */
}

/* ---- segment registers and descriptor tables --------------------------------- */

static int seg_of_push_pop(const struct insn *in)
{
    if (in->map == 1)
        return (in->opcode >> 3) & 1 ? SEG_GS : SEG_FS;
    return (in->opcode >> 3) & 3;
}

static const struct uop *uop_mov_to_seg(struct cpu *cpu, const struct uop *u)
{
    uint16_t sel = (uint16_t)(u->rm != UOP_NOREG ? reg_get(cpu, u->rm, 2)
                                                : cpu_ld16(cpu, uop_la_r(cpu, u, 2)));

    if (u->reg == SEG_CS)
        cpu_raise_exception(cpu, EXC_UD);
    seg_load(cpu, u->reg, sel);
    if (u->reg == SEG_SS) {
        cpu->hflags |= HF_INHIBIT;
        cpu->db_shadow = cpu->hflags & HF_ONE_INSN;
    }
    cpu_update_hflags(cpu);
    return u + 1;
}

static const struct uop *uop_mov_from_seg(struct cpu *cpu, const struct uop *u)
{
    uint16_t sel = cpu->seg[u->rm].sel;

    if (u->reg != UOP_NOREG)
        reg_set(cpu, u->reg, u->osize, sel); /* register: zero-extended (Intel) */
    else
        cpu_st16(cpu, uop_la_w(cpu, u, 2), sel);
    return u + 1;
}

static const struct uop *uop_push_seg(struct cpu *cpu, const struct uop *u)
{
    stack_push(cpu, u->osize, cpu->seg[u->aux].sel);
    return u + 1;
}

static const struct uop *uop_pop_seg(struct cpu *cpu, const struct uop *u)
{
    uint16_t sel = (uint16_t)stack_peek(cpu, u->osize, 0);

    seg_load(cpu, u->aux, sel);
    stack_adjust(cpu, u->osize);
    if (u->aux == SEG_SS) {
        cpu->hflags |= HF_INHIBIT;
        cpu->db_shadow = cpu->hflags & HF_ONE_INSN;
    }
    cpu_update_hflags(cpu);
    return u + 1;
}

static const struct uop *uop_lxs(struct cpu *cpu, const struct uop *u)
{
    gva_t la = uop_la_r(cpu, u, u->osize + 2u);
    uint64_t off = cpu_ld(cpu, la, u->osize);
    uint16_t sel = cpu_ld16(cpu, la + u->osize);

    seg_load(cpu, u->aux, sel);
    reg_set(cpu, u->reg, u->osize, off);
    cpu_update_hflags(cpu);
    return u + 1;
}

static const struct uop *uop_lgdt(struct cpu *cpu, const struct uop *u)
{
    gva_t la = uop_la_r(cpu, u, (cpu->hflags & HF_CS64) ? 10 : 6);
    uint16_t limit = cpu_ld16(cpu, la);
    uint64_t base = (cpu->hflags & HF_CS64) ? cpu_ld64(cpu, la + 2)
                  : cpu_ld32(cpu, la + 2) & (u->osize == 2 ? 0xffffffu : 0xffffffffu);

    if ((cpu->hflags & HF_CS64) && (uint64_t)((int64_t)(base << 16) >> 16) != base)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    struct dtr *d = u->aux == OP_LGDT ? &cpu->gdtr : &cpu->idtr;
    d->base = base;
    d->limit = limit;
    return u + 1;
}

static const struct uop *uop_sgdt(struct cpu *cpu, const struct uop *u)
{
    umip_check(cpu);
    gva_t la = uop_la_w(cpu, u, (cpu->hflags & HF_CS64) ? 10 : 6);
    const struct dtr *d = u->aux == OP_SGDT ? &cpu->gdtr : &cpu->idtr;

    if (cpu->hflags & HF_CS64) {
        mmu_probe_write(cpu, la, 10);
        cpu_st16(cpu, la, d->limit);
        cpu_st64(cpu, la + 2, d->base);
    } else {
        mmu_probe_write(cpu, la, 6);
        cpu_st16(cpu, la, d->limit);
        cpu_st32(cpu, la + 2, (uint32_t)d->base);
    }
    return u + 1;
}

/* Load LDTR or TR from a system descriptor (16 bytes in IA-32e mode). */
static const struct uop *uop_lldt_ltr(struct cpu *cpu, const struct uop *u)
{
    uint16_t sel = (uint16_t)(u->reg != UOP_NOREG ? reg_get(cpu, u->reg, 2)
                                                 : cpu_ld16(cpu, uop_la_r(cpu, u, 2)));
    bool ltr = u->aux == OP_LTR;
    struct seg *s = ltr ? &cpu->tr : &cpu->ldtr;

    if (!(cpu->hflags & HF_PE) || (cpu->eflags & EFLAGS_VM))
        cpu_raise_exception(cpu, EXC_UD);
    if ((sel & ~3u) == 0) {
        if (ltr)
            cpu_raise_exception_err(cpu, EXC_GP, 0);
        s->sel = sel;
        s->base = 0;
        s->limit = 0;
        s->attr = 0;
        return u + 1;
    }
    if ((sel & 4) || (uint32_t)(sel & ~7u) + 7 > cpu->gdtr.limit)
        cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
    gva_t where = cpu->gdtr.base + (sel & ~7u);
    uint32_t lo = (uint32_t)mmu_ld_sys(cpu, where, 4), hi = (uint32_t)mmu_ld_sys(cpu, where + 4, 4);
    unsigned type = (hi >> 8) & 0x1f;
    bool ok = ltr ? (type == 0x09 || type == 0x01) : type == 0x02;
    if (!ok)
        cpu_raise_exception_err(cpu, EXC_GP, sel & ~3u);
    if (!(hi & DESC_P))
        cpu_raise_exception_err(cpu, EXC_NP, sel & ~3u);
    uint64_t base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
    if (cpu->efer & EFER_LMA)
        base |= (uint64_t)mmu_ld_sys(cpu, where + 8, 4) << 32;
    uint32_t limit = (lo & 0xffff) | (hi & 0xf0000u);
    if (hi & DESC_G)
        limit = (limit << 12) | 0xfff;
    if (ltr)
        mmu_st_sys(cpu, where + 4, 4, hi | (2u << 8)); /* mark busy */
    s->sel = sel;
    s->base = base;
    s->limit = limit;
    s->attr = (hi & 0x00f0ff00u) | (ltr ? (2u << 8) : 0);
    return u + 1;
}

static const struct uop *uop_sldt_str(struct cpu *cpu, const struct uop *u)
{
    uint16_t sel = u->aux == OP_STR ? cpu->tr.sel : cpu->ldtr.sel;

    umip_check(cpu);

    if (u->reg != UOP_NOREG)
        reg_set(cpu, u->reg, u->osize, sel);
    else
        cpu_st16(cpu, uop_la_w(cpu, u, 2), sel);
    return u + 1;
}

/* LAR LSL VERR VERW: ZF says whether the selector passed the checks. */
static const struct uop *uop_lar(struct cpu *cpu, const struct uop *u)
{
    uint16_t sel = (uint16_t)(u->rm != UOP_NOREG ? reg_get(cpu, u->rm, 2)
                               : u->reg != UOP_NOREG && (u->aux == OP_VERR || u->aux == OP_VERW)
                                 ? reg_get(cpu, u->reg, 2) : cpu_ld16(cpu, uop_la_r(cpu, u, 2)));
    uint32_t f = cc_compute_all(cpu) & ~EFLAGS_ZF;
    bool ok = false;
    uint32_t lo = 0, hi = 0;

    if (!(cpu->hflags & HF_PE) || (cpu->eflags & EFLAGS_VM))
        cpu_raise_exception(cpu, EXC_UD);
    if ((sel & ~3u) != 0) {
        uint64_t base = (sel & 4) ? cpu->ldtr.base : cpu->gdtr.base;
        uint32_t limit = (sel & 4) ? cpu->ldtr.limit : cpu->gdtr.limit;
        if ((uint32_t)(sel & ~7u) + 7 <= limit) {
            lo = (uint32_t)mmu_ld_sys(cpu, base + (sel & ~7u), 4);
            hi = (uint32_t)mmu_ld_sys(cpu, base + (sel & ~7u) + 4, 4);
            unsigned dpl = (hi >> DESC_DPL_SHIFT) & 3, type = (hi >> 8) & 0xf;
            unsigned cpl = cpu_cpl_fast(cpu), rpl = sel & 3;
            bool conforming = (hi & DESC_S) && (type & 0xc) == 0xc;
            ok = conforming || (dpl >= cpl && dpl >= rpl);
            if (u->aux == OP_VERR)
                ok = ok && (hi & DESC_S) && (!(type & 8) || (type & 2));
            else if (u->aux == OP_VERW)
                ok = ok && (hi & DESC_S) && !(type & 8) && (type & 2);
            else if (!(hi & DESC_S))
                ok = ok && (type == 1 || type == 2 || type == 3 || type == 9 || type == 0xb
                            || (u->aux == OP_LAR && (type == 4 || type == 5 || type == 0xc)));
        }
    }
    if (ok) {
        f |= EFLAGS_ZF;
        if (u->aux == OP_LAR) {
            reg_set(cpu, u->reg, u->osize, hi & 0x00f0ff00u);
        } else if (u->aux == OP_LSL) {
            uint32_t limit = (lo & 0xffff) | (hi & 0xf0000u);
            if (hi & DESC_G)
                limit = (limit << 12) | 0xfff;
            reg_set(cpu, u->reg, u->osize, limit);
        }
    }
    cpu_set_arith_flags(cpu, f);
    return u + 1;
}

static const struct uop *uop_arpl(struct cpu *cpu, const struct uop *u)
{
    gva_t la = 0;
    uint16_t dst = (uint16_t)(u->reg != UOP_NOREG ? reg_get(cpu, u->reg, 2)
                                                 : cpu_ld16(cpu, la = uop_la_w(cpu, u, 2)));
    uint16_t src = (uint16_t)reg_get(cpu, u->rm, 2);
    uint32_t f = cc_compute_all(cpu) & ~EFLAGS_ZF;

    if (!(cpu->hflags & HF_PE) || (cpu->eflags & EFLAGS_VM))
        cpu_raise_exception(cpu, EXC_UD);
    if ((dst & 3) < (src & 3)) {
        dst = (uint16_t)((dst & ~3u) | (src & 3));
        if (u->reg != UOP_NOREG)
            reg_set(cpu, u->reg, 2, dst);
        else
            cpu_st16(cpu, la, dst);
        f |= EFLAGS_ZF;
    }
    cpu_set_arith_flags(cpu, f);
    return u + 1;
}

static const struct uop *uop_swapgs(struct cpu *cpu, const struct uop *u)
{
    uint64_t t = cpu->seg[SEG_GS].base;

    cpu->seg[SEG_GS].base = cpu->kernel_gs_base;
    cpu->kernel_gs_base = t;
    return u + 1;
}

static const struct uop *uop_fsgsbase(struct cpu *cpu, const struct uop *u)
{
    int seg = (u->aux == OP_RDFSBASE || u->aux == OP_WRFSBASE) ? SEG_FS : SEG_GS;

    if (!(cpu->cr4 & CR4_FSGSBASE))
        cpu_raise_exception(cpu, EXC_UD);
    if (u->aux == OP_RDFSBASE || u->aux == OP_RDGSBASE) {
        reg_set(cpu, u->reg, u->osize, cpu->seg[seg].base);
        return u + 1;
    }
    uint64_t v = reg_get(cpu, u->reg, u->osize);
    if ((uint64_t)((int64_t)(v << 16) >> 16) != v)
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    cpu->seg[seg].base = v;
    return u + 1;
}

void tr_seg(struct tr_ctx *tc, const struct insn *in)
{
    struct uop *u;

    switch (in->op) {
    case OP_MOV_SEG:
        if (in->o[0].kind == OPND_SEG) {
            u = tr_emit(tc, in, uop_mov_to_seg);
            u->reg = in->o[0].reg;
            tc->end = TR_END_NEXT_NOCHAIN;
        } else {
            u = tr_emit(tc, in, uop_mov_from_seg);
            u->rm = in->o[1].reg;
        }
        return;
    case OP_PUSH_SEG:
        u = tr_emit(tc, in, uop_push_seg);
        u->aux = (uint16_t)seg_of_push_pop(in);
        return;
    case OP_POP_SEG:
        u = tr_emit(tc, in, uop_pop_seg);
        u->aux = (uint16_t)seg_of_push_pop(in);
        tc->end = TR_END_NEXT_NOCHAIN;
        return;
    case OP_LES: case OP_LDS: case OP_LSS: case OP_LFS: case OP_LGS: {
        static const uint8_t segs[] = { SEG_ES, SEG_DS, SEG_SS, SEG_FS, SEG_GS };
        u = tr_emit(tc, in, uop_lxs);
        u->aux = segs[in->op - OP_LES];
        tc->end = TR_END_NEXT_NOCHAIN;
        return;
    }
    case OP_LGDT: case OP_LIDT:
        u = tr_emit(tc, in, uop_lgdt);
        break;
    case OP_SGDT: case OP_SIDT:
        u = tr_emit(tc, in, uop_sgdt);
        break;
    case OP_LLDT: case OP_LTR:
        u = tr_emit(tc, in, uop_lldt_ltr);
        break;
    case OP_SLDT: case OP_STR:
        u = tr_emit(tc, in, uop_sldt_str);
        break;
    case OP_LAR: case OP_LSL: case OP_VERR: case OP_VERW:
        u = tr_emit(tc, in, uop_lar);
        break;
    case OP_ARPL:
        u = tr_emit(tc, in, uop_arpl);
        break;
    case OP_SWAPGS:
        u = tr_emit(tc, in, uop_swapgs);
        break;
    default:
        u = tr_emit(tc, in, uop_fsgsbase);
        break;
    }
    u->aux = in->op;
}

void tr_sys(struct tr_ctx *tc, const struct insn *in)
{
    struct uop *u;

    switch (in->op) {
    case OP_MOV_CR: case OP_MOV_DR: {
        bool to = in->o[0].kind == OPND_CR || in->o[0].kind == OPND_DR;
        u = tr_emit(tc, in, in->op == OP_MOV_CR ? uop_mov_cr : uop_mov_dr);
        u->aux = (uint16_t)((to ? in->o[0].reg : in->o[1].reg) | (to ? 0x100 : 0));
        if (to) {
            u->rm = in->o[1].reg;
            tc->end = TR_END_BRANCH;
            u->fn = in->op == OP_MOV_CR ? uop_mov_cr : uop_mov_dr;
        } else {
            u->reg = in->o[0].reg;
        }
        if (to) {
            /* handlers return NULL: RIP must be set; done by the exit below */
            tc->end = TR_END_NEXT_NOCHAIN;
        }
        return;
    }
    case OP_LMSW: u = tr_emit(tc, in, uop_lmsw); tc->end = TR_END_NEXT_NOCHAIN; return;
    case OP_SMSW: tr_emit(tc, in, uop_smsw); return;
    case OP_CLTS: tr_emit(tc, in, uop_clts); tc->end = TR_END_NEXT_NOCHAIN; return;
    case OP_INVLPG: tr_emit(tc, in, uop_invlpg); tc->end = TR_END_NEXT_NOCHAIN; return;
    case OP_INVPCID: tr_emit(tc, in, uop_invpcid); tc->end = TR_END_NEXT_NOCHAIN; return;
    case OP_WBINVD: case OP_INVD: tr_emit(tc, in, uop_nop_priv); return;
    case OP_RDMSR: tr_emit(tc, in, uop_rdmsr); return;
    case OP_WRMSR: tr_emit(tc, in, uop_wrmsr); tc->end = TR_END_NEXT_NOCHAIN; return;
    case OP_CPUID: tr_emit(tc, in, uop_cpuid); return;
    case OP_RDTSC: case OP_RDTSCP:
        u = tr_emit(tc, in, uop_rdtsc);
        u->aux = in->op;
        return;
    case OP_RDPID: tr_emit(tc, in, uop_rdpid); return;
    case OP_STAC: case OP_CLAC:
        u = tr_emit(tc, in, uop_stac_clac);
        u->aux = in->op;
        return;
    case OP_MONITOR: case OP_MWAIT:
        u = tr_emit(tc, in, uop_monitor);
        u->aux = in->op;
        u->seg = in->seg_override != SEG_NONE ? in->seg_override : SEG_DS;
        return;
    case OP_RDPMC: tr_emit(tc, in, uop_rdpmc); return;
    case OP_XGETBV: tr_emit(tc, in, uop_xgetbv); return;
    case OP_XSETBV: tr_emit(tc, in, fpu_xsetbv); tc->end = TR_END_NEXT; return;
    case OP_HLT: tr_emit(tc, in, uop_hlt); tc->end = TR_END_BRANCH; return;
    case OP_VMCALL: case OP_VMMCALL:
        tr_emit(tc, in, uop_vmcall);
        tc->end = TR_END_BRANCH;
        return;
    default:
        tr_emit_fault(tc, in, EXC_UD);
    }
}
