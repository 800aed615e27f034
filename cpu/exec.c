/*
 * cpu/exec.c: the execution engine.  Translation blocks (TBs) are built
 * from decoded instructions (one uop per instruction), cached by (linear
 * PC, physical PC, CS base and limit, hflags), found through a per-vCPU jump cache in
 * front of a hash table, chained directly to each other, and invalidated
 * per byte range when their code is written.
 *
 * Invalidation rules (kept simple on purpose):
 *   - a block covers at most two physical pages; each page that holds
 *     code has a list of its blocks; writable TLB entries are never made
 *     for such pages, so every store to them reaches tb_invalidate_phys();
 *   - each vCPU has its own block cache, but the vCPUs of a machine form a
 *     group (cpu_set_group()): a page that holds code for one of them has
 *     no writable TLB entry in any of them, and an invalidation reaches
 *     every member's cache, so one vCPU's store (a kernel patching its
 *     text while another runs it) invalidates the other's blocks;
 *   - direct chaining (a patched jump, tb_link()) only links blocks whose
 *     targets lie on the virtual page where the source block starts (the
 *     mapping the source was found under), so page-table changes never
 *     leave a stale link; an exit to another page (and RET, JMP/CALL
 *     through a register or memory) instead remembers the first block it
 *     found (uop_lookup_remember()), and host code enters that block only after
 *     checking its key and that the code TLB still maps its page to the
 *     same physical page (emit_ret_target() in cpu/native-ctl.c);
 *   - a block invalidated while it runs finishes the current instruction
 *     and then exits (the next uop is patched into an exit); its memory is
 *     freed only back in the main loop.
 */
#include "cpu/cpu-internal.h"

#include <capstone/capstone.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/decode.h"
#include "cpu/translate.h"
#include "timers/timers.h"
#include "util/log.h"

#define TB_HASH_BITS 16
#define JC_BITS 12
#define CODE_PAGE_BITS 14
/*
 * Blocks are translated into the cache's scratch block (room for
 * TB_MAX_UOPS) and then copied into an allocation of their own size: most
 * blocks have a few micro-ops, and a full-size allocation each (5 KB) cost
 * a 4-vCPU Linux boot about 600 MB and two seconds of host page clearing.
 */
#define TB_SCRATCH_BYTES (sizeof(struct tb) + TB_MAX_UOPS * sizeof(struct uop))
static inline size_t tb_bytes(const struct tb *tb)
{
    return sizeof(struct tb) + (size_t)tb->nuops * sizeof(struct uop);
}

struct code_page {
    gpa_t page;
    struct tb **tbs;
    int n, cap;
    struct code_page *next;
};

struct tb_cache {
    struct tb *hash[1u << TB_HASH_BITS];
    struct tb *jc[1u << JC_BITS];
    struct code_page *pages[1u << CODE_PAGE_BITS];
    struct tb *graveyard;           /* invalidated, freed in the main loop */
    size_t bytes;                   /* what the blocks in it take (tb_bytes) */
    struct tb *scratch;             /* tb_translate() builds each block here */
};

static const tr_fn tr_table[OP_COUNT] = {
#define X(name, family) [OP_##name] = tr_##family,
#include "cpu/insn-list.h"
#undef X
};

static inline unsigned tb_hash(gpa_t phys, uint32_t flags)
{
    uint64_t h = phys * 0x9e3779b97f4a7c15ull ^ flags;
    return (unsigned)(h >> (64 - TB_HASH_BITS));
}

static inline unsigned jc_hash(gva_t pc)
{
    return (unsigned)((pc ^ (pc >> JC_BITS)) & ((1u << JC_BITS) - 1));
}

/* ---- code pages ----------------------------------------------------------- */

static struct code_page *code_page_find(struct tb_cache *c, gpa_t page, bool create)
{
    unsigned h = (unsigned)((page >> PAGE_BITS) & ((1u << CODE_PAGE_BITS) - 1));
    struct code_page *p;

    for (p = c->pages[h]; p; p = p->next)
        if (p->page == page)
            return p;
    if (!create)
        return NULL;
    p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->page = page;
    p->next = c->pages[h];
    c->pages[h] = p;
    return p;
}

/* Drop writable TLB entries of a physical page that now holds code. */
static void tlb_protect_code(struct cpu *cpu, gpa_t page)
{
    for (int i = 0; i < MMU_IDX_COUNT; i++)
        for (unsigned j = 0; j < TLB_SIZE; j++)
            if (cpu->tlb[i][j].paddr == page)
                cpu->tlb[i][j].tag_w = TLB_INVALID;
}

struct cpu_group {
    int n;
    struct cpu *cpus[CPU_GROUP_MAX];
};

/* The members of cpu's group (cpu alone, through *alone, when it has none). */
static struct cpu *const *group_members(struct cpu *cpu, struct cpu **alone, int *n)
{
    if (!cpu->group) {
        *alone = cpu;
        *n = 1;
        return alone;
    }
    *n = cpu->group->n;
    return cpu->group->cpus;
}

void cpu_set_group(struct cpu *const *cpus, int n)
{
    struct cpu_group *g = calloc(1, sizeof *g);

    if (!g || n > CPU_GROUP_MAX)
        abort();
    for (int i = 0; i < n; i++) {
        cpu_group_leave(cpus[i]);
        g->cpus[g->n++] = cpus[i];
        cpus[i]->group = g;
    }
}

void cpu_group_leave(struct cpu *cpu)
{
    struct cpu_group *g = cpu->group;

    if (!g)
        return;
    for (int i = 0; i < g->n; i++)
        if (g->cpus[i] == cpu)
            g->cpus[i] = g->cpus[--g->n];
    cpu->group = NULL;
    if (g->n == 0)
        free(g);
}

static void code_page_add(struct cpu *cpu, gpa_t page, struct tb *tb)
{
    struct code_page *p = code_page_find(cpu->tbc, page, true);

    if (p->n == 0) {
        int n;
        struct cpu *alone, *const *all = group_members(cpu, &alone, &n);
        for (int i = 0; i < n; i++)
            tlb_protect_code(all[i], page);
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->tbs = realloc(p->tbs, (size_t)p->cap * sizeof *p->tbs);
        if (!p->tbs)
            abort();
    }
    p->tbs[p->n++] = tb;
}

static void code_page_remove(struct tb_cache *c, gpa_t page, struct tb *tb)
{
    struct code_page *p = code_page_find(c, page, false);

    if (!p)
        return;
    for (int i = 0; i < p->n; i++) {
        if (p->tbs[i] == tb) {
            p->tbs[i] = p->tbs[--p->n];
            return;
        }
    }
}

static bool page_has_code_one(struct cpu *cpu, gpa_t page)
{
    struct code_page *p = code_page_find(cpu->tbc, page, false);

    return p && p->n > 0;
}

bool tb_page_has_code(struct cpu *cpu, gpa_t pa)
{
    int n;
    struct cpu *alone, *const *all = group_members(cpu, &alone, &n);

    for (int i = 0; i < n; i++)
        if (page_has_code_one(all[i], pa & PAGE_MASK))
            return true;
    return false;
}

/* ---- linking ------------------------------------------------------------ */

/*
 * Link chain slot `slot` of micro-op `from` to block `to`; `site` is the
 * host-code exit jump for that slot (tb->native_jmp), patched to enter
 * `to` directly, or NULL.
 */
static void tb_link(struct uop *from, int slot, struct tb *to, uint8_t *site)
{
    struct tb_link *l = malloc(sizeof *l);

    if (!l)
        abort();
    if (!to->native_chained)
        site = NULL;
    l->from = from;
    l->slot = slot;
    l->site = site;
    l->next = to->jmp_in;
    to->jmp_in = l;
    from->chain[slot] = to;
    if (site)
        native_patch(site, to->native_chained);
}

/*
 * The host-code jump of chain slot `slot` of micro-op u in block tb: the
 * block's last micro-op has tb->native_jmp, a side exit its u->site;
 * NULL when there is none.
 */
static uint8_t *exit_site(const struct tb *tb, const struct uop *u, int slot)
{
    if (u == &tb->ops[tb->nuops - 1])
        return tb->native_jmp[slot];
    if (u->kind == UK_SIDE && slot == 0 && u->site && tb->native_chained)
        return (uint8_t *)(uintptr_t)tb->native_chained + u->site;
    return NULL;
}

/* Remove the link out of u's chain slot, if any, from its target. */
static void tb_unlink_slot(struct uop *u, int slot)
{
    struct tb *t = u->chain[slot];

    if (!t)
        return;
    for (struct tb_link **pp = &t->jmp_in; *pp; pp = &(*pp)->next) {
        if ((*pp)->from == u && (*pp)->slot == slot) {
            struct tb_link *dead = *pp;
            *pp = dead->next;
            if (dead->site)
                native_patch(dead->site, NULL);
            free(dead);
            break;
        }
    }
    u->chain[slot] = NULL;
}

/* Remove every link into tb, and every link out of tb from its targets. */
static void tb_unlink(struct tb *tb)
{
    struct tb_link *l, *next;

    for (l = tb->jmp_in; l; l = next) {
        next = l->next;
        l->from->chain[l->slot] = NULL;
        if (l->site)
            native_patch(l->site, NULL);
        free(l);
    }
    tb->jmp_in = NULL;
    for (unsigned i = 0; i < tb->nuops; i++)
        for (int s = 0; s < 2; s++)
            tb_unlink_slot(&tb->ops[i], s);
}

const struct uop *uop_leave_before(struct cpu *cpu, const struct uop *u)
{
    cpu->rip = u->rip;
    cpu->budget += tb_of(u)->ninsns - u->idx;
    return NULL;
}

static void tb_remove(struct cpu *cpu, struct tb *tb)
{
    struct tb_cache *c = cpu->tbc;
    struct tb **pp = &c->hash[tb_hash(tb->phys_pc, tb->hflags)];

    for (; *pp; pp = &(*pp)->hash_next) {
        if (*pp == tb) {
            *pp = tb->hash_next;
            break;
        }
    }
    unsigned j = jc_hash(tb->pc);
    if (c->jc[j] == tb)
        c->jc[j] = NULL;
    code_page_remove(c, tb->phys_pc & PAGE_MASK, tb);
    if (tb->phys_page2 != (gpa_t)-1)
        code_page_remove(c, tb->phys_page2, tb);
    tb_unlink(tb);
    jit_fold(cpu, tb);
    tb->invalid = true;
    cpu->stats.tb_invalidated++;
    if (cpu->cur && cpu->cur >= tb->ops
        && cpu->cur < tb->ops + tb->nuops - 1) {
        /* running: finish this instruction, then leave the block */
        struct uop *next = (struct uop *)(cpu->cur + 1);
        next->fn = uop_leave_before;
        next->kind = UK_CALL;
    }
    tb->hash_next = c->graveyard;
    c->graveyard = tb;
}

static void tb_invalidate_phys_one(struct cpu *cpu, gpa_t pa, size_t len)
{
    gpa_t end = pa + len;

    for (gpa_t page = pa & PAGE_MASK; page < end; page += PAGE_SIZE) {
        struct code_page *p = code_page_find(cpu->tbc, page, false);
        if (!p)
            continue;
        for (int i = 0; i < p->n;) {
            struct tb *tb = p->tbs[i];
            gpa_t s1 = tb->phys_pc, e1, s2 = 0, e2 = 0;
            size_t first = PAGE_SIZE - (tb->phys_pc & ~PAGE_MASK);
            if (first >= tb->size) {
                e1 = s1 + tb->size;
            } else {
                e1 = s1 + first;
                s2 = tb->phys_page2;
                e2 = s2 + (tb->size - first);
            }
            if ((pa < e1 && s1 < end) || (s2 != e2 && pa < e2 && s2 < end))
                tb_remove(cpu, tb); /* removes p->tbs[i] */
            else
                i++;
        }
    }
}

void tb_invalidate_phys(struct cpu *cpu, gpa_t pa, size_t len)
{
    int n;
    struct cpu *alone, *const *all = group_members(cpu, &alone, &n);

    for (int i = 0; i < n; i++)
        tb_invalidate_phys_one(all[i], pa, len);
}

static void free_graveyard(struct tb_cache *c)
{
    while (c->graveyard) {
        struct tb *t = c->graveyard;
        c->graveyard = t->hash_next;
        c->bytes -= tb_bytes(t);       /* as tb_translate() counted it */
        free(t->jit);
        free(t);
    }
}

void tb_flush_all(struct cpu *cpu)
{
    struct tb_cache *c = cpu->tbc;

    for (unsigned i = 0; i < (1u << TB_HASH_BITS); i++) {
        while (c->hash[i])
            tb_remove(cpu, c->hash[i]);
    }
}

/* ---- translation ---------------------------------------------------------- */

struct fetch_ctx {
    struct cpu *cpu;
    gva_t la;               /* linear address of the instruction */
    bool first;             /* first instruction: faults are raised */
    gpa_t page2;            /* physical second page touched, or -1 */
    uint64_t cs_limit_end;
};


static unsigned fetch_bytes(void *opaque, uint64_t off, uint8_t *buf, unsigned len)
{
    struct fetch_ctx *f = opaque;
    unsigned done = 0;

    while (done < len) {
        gva_t a = f->la + off + done;
        gpa_t pa;
        const uint8_t *page = f->first ? mmu_fetch_page(f->cpu, a, &pa)
                                       : mmu_fetch_probe(f->cpu, a, &pa);
        if (!page)
            break;
        if ((a & PAGE_MASK) != (f->la & PAGE_MASK))
            f->page2 = pa & PAGE_MASK;
        unsigned n = (unsigned)(PAGE_SIZE - (a & ~PAGE_MASK));
        if (n > len - done)
            n = len - done;
        memcpy(buf + done, page + (a & ~PAGE_MASK), n);
        done += n;
    }
    return done;
}

struct uop *tr_emit(struct tr_ctx *tc, const struct insn *in, uop_fn fn)
{
    struct uop *u = &tc->tb->ops[tc->nuops++];
    bool has_mem = false;

    memset(u, 0, sizeof *u);
    u->fn = fn;
    u->rip = tc->tb->pc - tc->tb->cs_base + (uint64_t)tc->tb->size;
    u->len = in->len;
    u->idx = (uint8_t)tc->tb->ninsns;
    u->osize = in->osize;
    u->asize = in->asize;
    u->reg = u->rm = u->base = u->index = UOP_NOREG;
    for (int i = 0; i < in->nopnds; i++)
        has_mem |= in->o[i].kind == OPND_MEM;
    if (has_mem) {
        u->base = in->ea_base;
        u->index = in->ea_index;
        u->scale = in->ea_scale;
        u->disp = in->disp;
        u->seg = in->ea_seg;
    } else {
        u->seg = in->seg_override != SEG_NONE ? in->seg_override : SEG_DS;
    }
    if (tc->mode == 64 && u->seg != SEG_FS && u->seg != SEG_GS)
        u->seg = SEG_NONE;
    if (in->nopnds > 0 && in->o[0].kind != OPND_MEM && in->o[0].kind != OPND_IMM
        && in->o[0].kind != OPND_REL && in->o[0].kind != OPND_FAR && in->o[0].kind != OPND_NONE)
        u->reg = in->o[0].reg;
    if (in->nopnds > 1 && in->o[1].kind != OPND_MEM && in->o[1].kind != OPND_IMM
        && in->o[1].kind != OPND_REL && in->o[1].kind != OPND_FAR && in->o[1].kind != OPND_NONE)
        u->rm = in->o[1].reg;
    u->rep = in->rep;
    u->lock = in->lock;
    u->cc = in->cc;
    u->imm = in->imm;
    u->imm2 = in->imm2;
    return u;
}

static const struct uop *uop_fault(struct cpu *cpu, const struct uop *u)
{
    if (u->aux == EXC_PF || u->aux == EXC_GP || u->aux == EXC_SS)
        cpu_raise_exception_err(cpu, u->aux, 0);
    cpu_raise_exception(cpu, u->aux);
}

struct uop *tr_emit_fault(struct tr_ctx *tc, const struct insn *in, int vector)
{
    struct uop *u = tr_emit(tc, in, uop_fault);

    u->aux = (uint16_t)vector;
    tc->end = TR_END_BRANCH;
    return u;
}

static const struct uop *uop_exit_next_chain(struct cpu *cpu, const struct uop *u)
{
    return uop_goto(cpu, u, 0, u->rip);
}

static const struct uop *uop_exit_next(struct cpu *cpu, const struct uop *u)
{
    cpu->rip = u->rip;
    return NULL;
}

static void log_in_asm(struct cpu *cpu, struct tb *tb, int mode)
{
    csh h;
    cs_insn *insn;
    uint8_t buf[TB_MAX_INSNS * INSN_MAX_LEN];
    struct fetch_ctx f = { .cpu = cpu, .la = tb->pc, .first = false };
    unsigned n = fetch_bytes(&f, 0, buf, tb->size);

    if (cs_open(CS_ARCH_X86, mode == 64 ? CS_MODE_64 : mode == 32 ? CS_MODE_32 : CS_MODE_16,
                &h) != CS_ERR_OK)
        return;
    log_printf("----------------\nIN:\n");
    size_t count = cs_disasm(h, buf, n, tb->pc, 0, &insn);
    for (size_t i = 0; i < count; i++)
        log_printf("0x%016llx:  %s %s\n", (unsigned long long)insn[i].address,
                   insn[i].mnemonic, insn[i].op_str);
    if (count)
        cs_free(insn, count);
    cs_close(&h);
    log_printf("\n");
}


/*
 * MMX/SSE state checks (SDM vol. 3, 2.5 and 13.1; vol. 2, 2.4 exception
 * classes): CR0.EM -> #UD; SSE also #UD without CR4.OSFXSR; then CR0.TS
 * -> #NM.  Returns the vector, or -1 when the instruction may run.
 */
static int sse_state_fault(const struct insn *in, uint32_t flags)
{
    if (flags & HF_EM)
        return EXC_UD;
    if ((in->attrs & INSN_SSE) && !(flags & HF_OSFXSR))
        return EXC_UD;
    if (flags & HF_TS)
        return EXC_NM;
    return -1;
}

static struct tb *tb_translate(struct cpu *cpu, gva_t pc, gpa_t phys, uint32_t flags)
{
    struct tb *tb = cpu->tbc->scratch;
    int mode = (flags & HF_CS64) ? 64 : (flags & HF_CS32) ? 32 : 16;
    unsigned max = (flags & (HF_ONE_INSN | HF_SHADOW_END)) ? 1 : TB_MAX_INSNS;
    struct tr_ctx tc = { .cpu = cpu, .tb = tb, .hflags = flags, .mode = mode };
    const struct feat_set *features = cpu_decode_features(cpu);

    memset(tb, 0, TB_SCRATCH_BYTES);
    tb->pc = pc;
    tb->phys_pc = phys;
    tb->phys_page2 = (gpa_t)-1;
    tb->cs_base = cpu->seg[SEG_CS].base;
    tb->cs_limit = cpu->seg[SEG_CS].limit;
    tb->hflags = flags;
    if (log_on(LOG_JIT)) {
        tb->jit = calloc(1, sizeof *tb->jit);
        if (!tb->jit)
            abort();
    }
    cpu->cur = NULL;
    struct insn prev;
    bool have_prev = false;
    for (;;) {
        struct insn in;
        struct fetch_ctx f = { .cpu = cpu, .la = pc + tb->size, .first = tb->ninsns == 0,
                               .page2 = (gpa_t)-1 };
        unsigned fault_off;
        uint64_t rip = pc - tb->cs_base + tb->size;

        if (mode != 64)
            rip &= 0xffffffffu;
        if (mode != 64 && rip > tb->cs_limit) {
            /* fetch beyond the CS limit: #GP(0) before any byte is read (SDM vol. 3, 5.3) */
            if (tb->ninsns == 0) {
                memset(&in, 0, sizeof in);
                in.len = 1;
                tr_emit_fault(&tc, &in, EXC_GP);
                tb->size = 1;
                tb->ninsns = 1;
            } else {
                tc.end = TR_END_NEXT;
            }
            break;
        }
        if (decode_insn(&in, mode, features, rip, fetch_bytes, &f, &fault_off)
            != DECODE_OK) {
            if (tb->ninsns == 0)
                cpu_abort(cpu, "instruction fetch at %llx failed without a fault",
                          (unsigned long long)f.la);
            tc.end = TR_END_NEXT;
            break;
        }
        /* a block stays within two pages: stop before a third */
        if (f.page2 != (gpa_t)-1) {
            if (tb->phys_page2 != (gpa_t)-1 && tb->phys_page2 != f.page2) {
                tc.end = TR_END_NEXT;
                break;
            }
            tb->phys_page2 = f.page2;
        }
        unsigned before = tc.nuops;
        if (mode != 64 && rip + in.len - 1 > tb->cs_limit) {
            /* the instruction's last byte is beyond the CS limit */
            if (tb->ninsns > 0) {
                tc.end = TR_END_NEXT;
                break;
            }
            tr_emit_fault(&tc, &in, EXC_GP);
        } else if (in.map == 0 && in.opcode >= 0xd8 && in.opcode <= 0xdf && (flags & (HF_EM | HF_TS))) {
            /* x87 escape with CR0.EM or CR0.TS: #NM before anything else (SDM 2.5) */
            in.len = in.len ? in.len : 1;
            tr_emit_fault(&tc, &in, EXC_NM);
        } else if (in.op == OP_INVALID) {
            tr_emit_fault(&tc, &in, in.invalid_vector);
        } else if ((in.attrs & INSN_PRIV) && (flags & HF_CPL_MASK)) {
            tr_emit_fault(&tc, &in, EXC_GP);
        } else if ((in.attrs & (INSN_SSE | INSN_MMX)) && sse_state_fault(&in, flags) >= 0) {
            tr_emit_fault(&tc, &in, sse_state_fault(&in, flags));
        } else {
            tr_table[in.op](&tc, &in);
            if (in.op == OP_JCC && tb->ninsns > 0 && have_prev
                && (mode == 64 || in.imm <= tb->cs_limit)) {
                uint8_t fk;
                uop_fn f = fuse_with_jcc(&prev, in.cc, &fk);
                if (f) {
                    tb->ops[tc.nuops - 2].fn = f;
                    tb->ops[tc.nuops - 2].kind = UK_FUSED;
                    tb->ops[tc.nuops - 2].kform = fk;
                } else if (!cpu->native && (f = fuse_with_jcc_portable(&prev, in.cc))) {
                    tb->ops[tc.nuops - 2].fn = f;
                    tb->ops[tc.nuops - 2].kind = UK_CALL;
                }
            }
        }
        if (tb->jit && tb->ninsns < TB_MAX_INSNS)
            tb->jit->form[tb->ninsns] = jit_form(&in);
        prev = in;
        have_prev = true;
        if (tc.nuops != before + 1)
            cpu_abort(cpu, "translator for %s emitted %u uops", insn_op_name[in.op],
                      tc.nuops - before);
        tb->size = (uint16_t)(tb->size + in.len);
        tb->ninsns++;
        if (tc.end != TR_CONTINUE)
            break;
        if (tb->ninsns >= max || ((pc + tb->size) & PAGE_MASK) != (pc & PAGE_MASK)) {
            tc.end = TR_END_NEXT;
            break;
        }
    }
    if (tc.end == TR_END_NEXT || tc.end == TR_END_NEXT_NOCHAIN) {
        struct uop *u = &tb->ops[tc.nuops++];
        memset(u, 0, sizeof *u);
        u->fn = tc.end == TR_END_NEXT ? uop_exit_next_chain : uop_exit_next;
        u->kind = tc.end == TR_END_NEXT ? UK_EXIT_CHAIN : UK_CALL;
        u->rip = pc - tb->cs_base + tb->size;
        if (mode != 64)
            u->rip &= 0xffffffffu;
        u->idx = (uint8_t)tb->ninsns;
    }
    tb->nuops = (uint16_t)tc.nuops;
    for (unsigned i = 0; i + 1 < tb->nuops; i++)
        if (tb->ops[i].kind == UK_SIDE)
            tb->ops[i].rest = (uint8_t)(tb->ninsns - 1 - tb->ops[i].idx);
    size_t bytes = tb_bytes(tb);
    struct tb *scratch = tb;
    tb = malloc(bytes);
    if (!tb)
        abort();
    memcpy(tb, scratch, bytes);
    native_gen(cpu, tb);
    if (tb->jit && !tb->native)
        tb->jit->called = ~0ull;        /* the interpreter loop calls every handler */
    cpu->stats.tb_translated++;
    cpu->tbc->bytes += bytes;
    if (log_on(LOG_IN_ASM))
        log_in_asm(cpu, tb, mode);
    if (log_on(LOG_OUT_ASM))
        native_log_out_asm(cpu, tb);

    /* insert */
    unsigned h = tb_hash(phys, flags);
    tb->hash_next = cpu->tbc->hash[h];
    cpu->tbc->hash[h] = tb;
    code_page_add(cpu, phys & PAGE_MASK, tb);
    if (tb->phys_page2 != (gpa_t)-1)
        code_page_add(cpu, tb->phys_page2, tb);
    return tb;
}

static struct tb *tb_lookup(struct cpu *cpu, gva_t pc, uint32_t flags)
{
    struct tb_cache *c = cpu->tbc;
    const struct tlb_entry *e = &cpu->tlb[cpu->mmu_idx][(pc >> PAGE_BITS) & TLB_MASK];
    gpa_t phys;

    if (e->tag_x == (pc & PAGE_MASK)) {
        phys = e->paddr | (pc & ~PAGE_MASK);
    } else {
        mmu_fetch_page(cpu, pc, &phys); /* may raise #PF */
    }
    struct tb *tb = c->jc[jc_hash(pc)];
    cpu->stats.tb_lookups++;
    if (tb && tb->pc == pc && tb->phys_pc == phys && tb->hflags == flags
        && tb->cs_base == cpu->seg[SEG_CS].base && tb->cs_limit == cpu->seg[SEG_CS].limit)
        return tb;
    for (tb = c->hash[tb_hash(phys, flags)]; tb; tb = tb->hash_next) {
        if (tb->phys_pc == phys && tb->pc == pc && tb->hflags == flags
            && tb->cs_base == cpu->seg[SEG_CS].base && tb->cs_limit == cpu->seg[SEG_CS].limit)
            break;
    }
    if (!tb) {
        if (c->bytes > (256u << 20) || !native_room(cpu, TB_MAX_INSNS + 1)) {
            tb_flush_all(cpu);
            free_graveyard(c);
            native_reset(cpu);
            cpu->link_from = NULL;      /* its block is gone */
        }
        tb = tb_translate(cpu, pc, phys, flags);
    }
    c->jc[jc_hash(pc)] = tb;
    return tb;
}

/* ---- block exits (uop_goto is inline in cpu-internal.h) ------------------- */

/*
 * Indirect exits probe the jump cache: a block found there is entered
 * directly when its key matches the current CS base, mode and the physical
 * page the code TLB maps its PC to (so a changed mapping misses).
 */
const struct uop *uop_goto_indirect(struct cpu *cpu, uint64_t rip)
{
    gva_t pc = cpu->seg[SEG_CS].base + rip;
    struct tb *t = cpu->tbc->jc[jc_hash(pc)];
    const struct tlb_entry *e = &cpu->tlb[cpu->mmu_idx][(pc >> PAGE_BITS) & TLB_MASK];

    cpu->rip = rip;
    if (t && t->pc == pc && cpu->budget > 0 && !cpu->exit_request
        && e->tag_x == (pc & PAGE_MASK) && t->phys_pc == (e->paddr | (pc & ~PAGE_MASK))
        && t->hflags == (cpu->hflags & HF_KEY_MASK) && t->cs_base == cpu->seg[SEG_CS].base
        && t->cs_limit == cpu->seg[SEG_CS].limit && !(cpu->hflags & (HF_ONE_INSN | HF_INHIBIT)) && !cpu_event_pending(cpu)) {
        cpu->budget -= t->ninsns;
        cpu->stats.tb_chained++;
        return t->ops;
    }
    return NULL;
}

/*
 * RET, JMP/CALL through a register or memory and direct exits to another
 * page in host code (cpu/native*.c) remember a block they went to in
 * chain slot `slot`, linked like a direct exit so that invalidating that
 * block clears it; host code checks the remembered block against the
 * target, the mode and the code mapping before entering it (uop_goto()
 * does the same through uop_goto_indirect()).  On a miss it calls this:
 * uop_goto_indirect(), and remember what it found when nothing is
 * remembered yet.  The first target stays (until invalidation clears
 * it): relinking on every change made a jump table or a RET with
 * alternating callers allocate and free a link per execution, while a
 * miss costs only the jump-cache probe here.
 */
const struct uop *uop_lookup_remember(struct cpu *cpu, struct uop *u, uint64_t rip, int slot)
{
    const struct uop *next = uop_goto_indirect(cpu, rip);

    if (next && !u->chain[slot])
        tb_link(u, slot, tb_of(next), NULL);
    return next;
}

/* ---- run loop ------------------------------------------------------------- */

void cpu_exec_init(struct cpu *cpu)
{
    cpu->tbc = calloc(1, sizeof *cpu->tbc);
    if (!cpu->tbc || !(cpu->tbc->scratch = malloc(TB_SCRATCH_BYTES)))
        abort();
    if (!cpu->cfg.native_off)
        native_init(cpu);
}

void cpu_exec_free(struct cpu *cpu)
{
    struct tb_cache *c = cpu->tbc;

    if (!c)
        return;
    struct cpu_stats at_end = cpu->stats;
    tb_flush_all(cpu);                  /* folds every block's -d jit counts */
    if (log_on(LOG_JIT))
        jit_report(cpu, &at_end, log_file());
    jit_free(cpu);
    free_graveyard(c);
    native_free(cpu);
    for (unsigned i = 0; i < (1u << CODE_PAGE_BITS); i++) {
        while (c->pages[i]) {
            struct code_page *p = c->pages[i];
            c->pages[i] = p->next;
            free(p->tbs);
            free(p);
        }
    }
    free(c->scratch);
    free(c);
    cpu->tbc = NULL;
}

void cpu_kick(struct cpu *cpu)
{
    cpu->exit_request = true;
}

static void log_exec(struct cpu *cpu, struct tb *tb)
{
    if (log_on(LOG_CPU))
        cpu_dump_state(cpu, log_file());
    if (log_on(LOG_EXEC))
        log_printf("Trace 0: %p [%016llx/%016llx/%08x]\n", (void *)tb,
                   (unsigned long long)tb->cs_base, (unsigned long long)tb->pc, tb->hflags);
}

enum cpu_exit cpu_run(struct cpu *cpu, int64_t max_insns)
{
    bool logging = log_on(LOG_EXEC | LOG_CPU);
    bool jit_counting = log_on(LOG_JIT);

    cpu->in_run = true;
    cpu->run_start_ns = vclock_ns();
    cpu->budget = max_insns;
    cpu->budget_mark = max_insns;
    cpu->exit_request = false;
    cpu->exit_reason = CPU_EXIT_BUDGET;
    if (setjmp(cpu->jmp_env)) {
        /* landed from cpu_raise_*() */
        const struct uop *u = cpu->cur;
        struct cpu_event ev = cpu->pend;
        if (u) {
            unsigned undone = tb_of(u)->ninsns - u->idx;
            if (ev.is_trap || ev.exit_only)
                undone--;
            cpu->budget += undone;
            if (!ev.is_trap && !ev.exit_only)
                cpu->rip = u->rip;
        }
        if (ev.is_trap || ev.exit_only)
            cpu->rip = ev.next_rip;
        if (!ev.exit_only)
            cpu->db_pending = 0; /* the instruction did not complete */
        cpu->cur = NULL;
        cpu->link_from = NULL;
        if (!ev.exit_only)
            cpu_deliver_event(cpu);
        free_graveyard(cpu->tbc);
        if (cpu->exit_reason == CPU_EXIT_TRIPLE_FAULT)
            goto out;
    }
    for (;;) {
        if (cpu->init_pending)
            cpu_take_init(cpu);
        if (cpu->exit_request) {
            cpu->exit_reason = cpu->exit_reason == CPU_EXIT_BUDGET ? CPU_EXIT_REQUEST
                                                                   : cpu->exit_reason;
            break;
        }
        bool shadow_ends = false;
        if (cpu->hflags & HF_INHIBIT) {
            /* the slice ends inside the shadow (right after STI or MOV SS):
             * keep it for the next slice, whose first instruction is still
             * the one the shadow covers (testsuite/satori.hw/sti-shadow) */
            if (cpu->budget <= 0 && !cpu->halted)
                break;
            cpu->hflags &= ~HF_INHIBIT;
            shadow_ends = cpu_event_pending(cpu);
        } else if (cpu_event_pending(cpu)) {
            cpu->link_from = NULL;
            cpu_check_interrupts(cpu);
        }
        if (cpu->halted) {
            cpu->exit_reason = CPU_EXIT_HALTED;
            break;
        }
        if (cpu->budget <= 0)
            break;
        gva_t pc = cpu->seg[SEG_CS].base + cpu->rip;
        if (unlikely(cpu->hflags & HF_DBG) && debug_before_insn(cpu, pc)) {
            cpu->link_from = NULL;
            continue;
        }
        uint32_t flags = (cpu->hflags & HF_KEY_MASK) | (shadow_ends ? HF_SHADOW_END : 0);
        cpu->cur = NULL;
        struct tb *tb = tb_lookup(cpu, pc, flags);
        if (cpu->link_from) {
            /*
             * link only targets on the source block's starting virtual
             * page, and never from a block invalidated meanwhile (its
             * links are gone and it is about to be freed)
             */
            struct tb *src = cpu->link_src_tb;
            if (!cpu->link_from->chain[cpu->link_slot] && cpu->link_src_pc_page == (pc & PAGE_MASK)
                && !tb->invalid && !src->invalid && !(flags & (HF_ONE_INSN | HF_SHADOW_END))) {
                tb_link(cpu->link_from, cpu->link_slot, tb,
                        exit_site(src, cpu->link_from, cpu->link_slot));
            }
            cpu->link_from = NULL;
        }
        free_graveyard(cpu->tbc);
        if (logging)
            log_exec(cpu, tb);
        cpu->budget -= tb->ninsns;
        const struct uop *u = tb->ops;
        if (!cpu->native && !jit_counting) {
            /* the portable backend: handlers only, chained blocks included
             * (no block has host code; -d jit, which counts block entries,
             * takes the loop below) */
            do {
                cpu->cur = u;
                u = u->fn(cpu, u);
            } while (u);
        } else {
            do {
                struct tb *t = tb_of(u);
                if (t->native && u == t->ops) {
                    u = native_run(cpu, t);     /* follows chained blocks itself */
                } else {
                    if (unlikely(t->jit != NULL) && u == t->ops)
                        t->jit_execs++;
                    cpu->cur = u;
                    u = u->fn(cpu, u);
                }
            } while (u);
        }
        cpu->cur = NULL;                /* no instruction is under way */
        if (tb->hflags & HF_ONE_INSN) {
            /* single-step and data breakpoint traps after the instruction
             * (SDM vol. 3, 17.3.1) */
            cpu->link_from = NULL;
            debug_after_insn(cpu, tb->hflags & HF_TF);
            continue;
        }
        if (cpu->link_from) {
            cpu->link_src_tb = tb_of(cpu->link_from);
            cpu->link_src_pc_page = cpu->link_src_tb->pc & PAGE_MASK;
        }
    }
out:
    cpu->cur = NULL;
    cpu->link_from = NULL;
    cpu->icount += (uint64_t)(cpu->budget_mark - cpu->budget);
    cpu->budget_mark = cpu->budget;
    if (!cpu->halted)
        cpu->runtime_ns += (uint64_t)(vclock_ns() - cpu->run_start_ns);
    cpu->in_run = false;
    return cpu->exit_reason;
}

/* Emulator bug: dump what we know and stop. */
void cpu_abort(struct cpu *cpu, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "satori: internal error: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    cpu_dump_state(cpu, stderr);
    if (cpu->cur)
        fprintf(stderr, "in block at %016llx (%u instructions)\n",
                (unsigned long long)tb_of(cpu->cur)->pc, tb_of(cpu->cur)->ninsns);
    abort();
}
