/*
 * cpu/native.c: subroutine-threaded host code for translated blocks
 * (x86-64 hosts), the driver of the backend (cpu/native-internal.h lists
 * its files).
 *
 * Each block gets a straight run of host code: the micro-ops host code
 * does itself (register and memory MOV/ALU forms, stack forms, SSE moves,
 * branches; chosen in classify()) inline, and a call of its handler for
 * every other one, so each guest instruction has its own call site and
 * the host predicts each call instead of guessing the target of one
 * shared indirect call in the dispatch loop.  A handler is loaded from
 * the micro-op (call [r12 + off]), so re-pointing a micro-op at run time
 * (fusion, leaving an invalidated running block) keeps working.
 *
 * Code lives in one RWX buffer per vCPU, filled from the front; when it
 * is full, every block is flushed (from the translator, never while
 * generated code runs).
 */
#include "cpu/native-internal.h"
#include "util/log.h"

#include <capstone/capstone.h>

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <sys/mman.h>

#define CODE_BYTES   (64u << 20)
/* worst case: an inlined load/store after a call (~200), or a side exit
 * to another page (~300); a block's last micro-op, an inline branch with
 * both exits to other pages, takes up to four more (~800) */
#define BYTES_PER_UOP 320u
#define BLOCK_ROOM(nuops) ((size_t)((nuops) + 4) * BYTES_PER_UOP)
#define STUB_BYTES   128u

void native_init(struct cpu *cpu)
{
    struct native *n = calloc(1, sizeof *n);

    if (!n)
        abort();
    n->buf = mmap(NULL, CODE_BYTES, PROT_READ | PROT_WRITE | PROT_EXEC,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (n->buf == MAP_FAILED) {
        /* no executable memory (hardened host): the interpreter loop runs */
        free(n);
        cpu->native = NULL;
        return;
    }
    n->end = n->buf + CODE_BYTES;
    emit_stubs(n);
    n->p = n->buf + STUB_BYTES;
    cpu->native = n;
}

void native_free(struct cpu *cpu)
{
    struct native *n = cpu->native;

    if (!n)
        return;
    munmap(n->buf, CODE_BYTES);
    free(n);
    cpu->native = NULL;
}

bool native_room(struct cpu *cpu, unsigned nuops)
{
    struct native *n = cpu->native;

    return !n || n->p + BLOCK_ROOM(nuops) <= n->end;
}

/* All blocks were flushed: start filling from the front again. */
void native_reset(struct cpu *cpu)
{
    struct native *n = cpu->native;

    if (n)
        n->p = n->buf + STUB_BYTES;
}

/* Does host code for this micro-op access guest memory (so it can miss and call)? */
static bool touches_mem(const struct uop_simple *d)
{
    return d->load || d->store || d->mem_alu || d->mem_src || d->mem_shift;
}

/*
 * Are the lazy flags that micro-op i sets (cc_op) dead: overwritten
 * whole by a later micro-op of the block that host code does itself,
 * with only register MOVs between, so that nothing can fault, exit or
 * read them in between?  INC/DEC reads the carry, so it overwrites only
 * flags whose carry host code knows without them (LOGIC: 0).  NOP, NOT
 * and shifts by CL (a count of 0 leaves the flags) neither read nor
 * overwrite them; ADC/SBB read the carry.  Rotates and double shifts
 * keep some flags: one whose own flags are dead is host code that leaves
 * the lazy state alone (emit_rotate()), so the flags pass through it;
 * at any other the search stops (a handler call reads them).
 */
static bool flags_dead_after(const struct tb *tb, unsigned i, uint32_t cc_op)
{
    for (unsigned j = i + 1; j + 1 < tb->nuops; j++) {
        struct uop_simple d;
        if (!uop_simple_desc(&tb->ops[j], &d) || touches_mem(&d) || d.div)
            return false;               /* it may call its handler */
        if (d.setcc || d.cmov || d.carry)
            return false;               /* they read the flags */
        if (d.shift >= 4) {
            if (flags_dead_after(tb, j, 0))
                continue;               /* host code that leaves them */
            return false;
        }
        if (d.nop || d.unary == 1 || (d.shift && d.count_cl))
            continue;                   /* the flags pass through */
        if (d.incdec)
            return cc_in(cc_op, CC_OP_LOGICB, CC_OP_LOGICQ);
        if (d.alu || d.imul || d.shift)
            return true;
        /* a register MOV: look further */
    }
    return false;
}

/* What host code does for micro-op i of a block. */
enum how { HOW_CALL, HOW_SIMPLE, HOW_STACK, HOW_BRANCH, HOW_SIDE, HOW_SSE };

static enum how classify(const struct tb *tb, unsigned i, struct uop_simple *d,
                         enum uop_stack *sk, struct uop_branch *br, struct uop_sse *sd)
{
    const struct uop *u = &tb->ops[i];
    bool last = i + 1 == tb->nuops;

    if (!last && uop_simple_desc(u, d)
        && (!touches_mem(d) || u->asize == 8)   /* 16/32-bit addressing wraps */
        && ((d->shift < 4 && !d->mem_shift) || flags_dead_after(tb, i, 0)))
        /* rotates and shifts of memory: only when nothing reads their flags */
        return HOW_SIMPLE;
    if (!last && uop_sse_desc(u, sd) && (!sd->mem || u->asize == 8))
        return HOW_SSE;
    *sk = uop_stack_kind(u);
    if (*sk != STK_NONE && last == (*sk != STK_PUSH64 && *sk != STK_POP64))
        return HOW_STACK;
    if (last && uop_branch_desc(u, br))
        return HOW_BRANCH;
    if (!last && u->kind == UK_SIDE && uop_branch_desc(u, br))
        return HOW_SIDE;
    return HOW_CALL;
}

/*
 * Which guest registers to keep in host registers: those host code reads
 * or writes as whole registers most often in the block, at least twice.
 */
static void choose_regs(const struct tb *tb, struct regmap *m)
{
    unsigned uses[16] = { 0 };

    for (unsigned i = 0; i < tb->nuops; i++) {
        const struct uop *u = &tb->ops[i];
        struct uop_simple d;
        enum uop_stack sk;
        struct uop_branch br;
        struct uop_sse sd;
        switch (classify(tb, i, &d, &sk, &br, &sd)) {
        case HOW_SSE:
            if (sd.mem) {
                if (u->base != UOP_NOREG)
                    uses[u->base]++;
                if (u->index != UOP_NOREG)
                    uses[u->index]++;
            }
            break;
        case HOW_SIMPLE:
            if (d.div) {
                uses[0]++;
                uses[2]++;
                uses[u->reg]++;
                break;
            }
            if (touches_mem(&d) || d.lea) {
                if (u->base != UOP_NOREG)
                    uses[u->base]++;
                if (u->index != UOP_NOREG)
                    uses[u->index]++;
                if (d.lea || d.mem_src)
                    uses[u->reg]++;
                else if (d.size >= 4 && !d.imm)
                    uses[d.load || (d.mem_alu && !d.mem_a) ? u->reg : u->rm]++;
                break;
            }
            if (d.movx || d.cmov) {
                uses[u->reg]++;
                if (d.cmov || d.movx >= 4)
                    uses[u->rm]++;
                break;
            }
            if (d.setcc || d.size < 4)  /* 1 byte: u->reg is a byte offset */
                break;
            uses[u->reg]++;
            if (d.shift >= 6)
                uses[u->rm]++;                  /* SHLD/SHRD source */
            if (!d.imm && !d.shift && !d.incdec && !d.unary)
                uses[u->rm]++;
            break;
        case HOW_STACK:
            if (sk == STK_JMP_MEM64) {
                if (u->base != UOP_NOREG)
                    uses[u->base]++;
                if (u->index != UOP_NOREG)
                    uses[u->index]++;
                break;
            }
            uses[4]++;
            if (sk == STK_PUSH64 || sk == STK_POP64 || sk == STK_CALL_IND64 || sk == STK_JMP_IND64)
                uses[u->reg]++;
            break;
        default:
            break;
        }
    }
    memset(m->host, -1, sizeof m->host);
    for (unsigned k = 0; k < sizeof native_cache_hregs; k++) {
        unsigned best = 16;
        for (unsigned r = 0; r < 16; r++)
            if (m->host[r] < 0 && uses[r] >= 2 && (best == 16 || uses[r] > uses[best]))
                best = r;
        if (best == 16)
            break;
        m->host[best] = (int8_t)native_cache_hregs[k];
    }
}

/*
 * The guest register a micro-op operand names, as a bit: r is a register
 * number, or for 1-byte operands a byte offset (AH..BH in their
 * register); all bits when it is neither.
 */
static uint16_t reg_bit(unsigned r, unsigned size)
{
    if (r == UOP_NOREG)
        return 0;
    unsigned n = size == 1 ? r / 8 : r;
    return n < 16 ? (uint16_t)(1u << n) : 0xffff;
}

/*
 * Pending flags.  A register ALU form (CMP/TEST, and ADD/SUB/AND/OR/XOR
 * when alu_can_redo()) computes its operands and result in rax/rcx/rdx
 * for the branch or SETcc/CMOVcc that reads them, but stores its lazy
 * state only where something needs it:
 * before a handler call or an exit (the block's last micro-op), on the
 * out-of-line taken path of a side exit and in the slow path of a memory
 * access (where an exception may be raised), before a micro-op that
 * reads the stored state or writes one of its operand registers.  A
 * micro-op that overwrites the flags without reading them first ends it
 * unstored.  Wherever it is stored, the operands are rebuilt from the
 * guest registers, which nothing has changed since (emit_alu_again()).
 * The ALU form itself is the host instruction in place (emit_alu_hostflags(),
 * but before a backward side exit) and rax/rcx/rdx hold nothing (`live`
 * false); when the micro-op right after reads the flags (next_reads()),
 * it takes the host flags.
 */
enum pend_act {
    PEND_KEEP,      /* the micro-op leaves flags and operands alone */
    PEND_DROP,      /* it overwrites the flags without reading them */
    PEND_READ,      /* it reads them as host flags (emit_cond) */
    PEND_STORE,     /* store the lazy state first */
};

static enum pend_act pend_action(const struct uop *u, enum how how, const struct uop_simple *d,
                                 enum uop_stack sk, uint16_t pend_regs)
{
    uint16_t writes;

    switch (how) {
    case HOW_SIDE:
        return PEND_READ;
    case HOW_SIMPLE:
        writes = reg_bit(u->reg, u->osize) | (d->div ? (1u << 0 | 1u << 2) : 0);
        if (d->setcc || d->cmov)
            return writes & pend_regs ? PEND_STORE : PEND_READ;
        if (d->carry || (d->incdec && !d->flags_dead) || (d->shift && d->count_cl && d->shift < 4))
            return PEND_STORE;      /* they read the stored carry, or may keep the flags */
        if (d->alu || d->imul || d->shift || d->unary == 2 || d->incdec)
            return PEND_DROP;
        return writes & pend_regs ? PEND_STORE : PEND_KEEP;
    case HOW_STACK:
        if (sk != STK_PUSH64 && sk != STK_POP64)
            return PEND_STORE;
        writes = (uint16_t)(1u << 4) | reg_bit(u->reg, 8);
        return writes & pend_regs ? PEND_STORE : PEND_KEEP;
    default:
        return PEND_STORE;
    }
}

/*
 * Store the lazy state of pending micro-op `pend`, rebuilding it in
 * rax/rcx/rdx first unless they hold it (`live`); with `store` false only
 * the rebuilding.
 */
static void emit_pending(uint8_t **p, struct regmap *m, const struct tb *tb, int pend, bool live,
                         bool store)
{
    struct uop_simple d;

    uop_simple_desc(&tb->ops[pend], &d);
    if (!live)
        emit_alu_again(p, m, &tb->ops[pend], &d);
    if (store)
        emit_flags(p, true, &d);
}

/*
 * Does micro-op i + 1 read the flags pending at micro-op i as host flags
 * (PEND_READ: a side exit's Jcc, SETcc, CMOVcc)?  Then micro-op i, done
 * in place (emit_alu_hostflags()), leaves them in the host flags for it.
 */
static bool next_reads(const struct tb *tb, unsigned i, uint16_t pend_regs)
{
    struct uop_simple d;
    enum uop_stack sk;
    struct uop_branch br;
    struct uop_sse sd;

    if (i + 1 >= tb->nuops)
        return false;
    enum how how = classify(tb, i + 1, &d, &sk, &br, &sd);
    return pend_action(&tb->ops[i + 1], how, &d, sk, pend_regs) == PEND_READ;
}

/*
 * Is micro-op i + 1 a backward side exit (a loop, mostly taken)?  Its
 * taken path stores the pending flags, which costs less from the operands
 * emit_simple() leaves in rax/rcx/rdx than rebuilt from the registers
 * after the form was done in place.
 */
static bool next_back_side(const struct tb *tb, unsigned i)
{
    struct uop_branch br;

    return i + 1 < tb->nuops && tb->ops[i + 1].kind == UK_SIDE
           && uop_branch_desc(&tb->ops[i + 1], &br) && br.taken <= tb->ops[i + 1].rip;
}

void native_gen(struct cpu *cpu, struct tb *tb)
{
    struct native *n = cpu->native;
    uint8_t *p;

    tb->native = NULL;
    tb->native_chained = NULL;
    tb->native_jmp[0] = tb->native_jmp[1] = NULL;
    if (!n || n->p + BLOCK_ROOM(tb->nuops) > n->end)
        return;
    p = n->p;
    uint8_t *start = p;

    /* chained entry, from a patched exit jump or emit_enter_tb(): what uop_goto() does */
    /*
     * The slice goes on while the budget covers this block (one
     * decrement and test) and no exit is requested; otherwise the
     * end-of-slice path below gives the budget back and leaves with RIP
     * at this block.  -d jit counts chained entries (tb->jit: translated
     * with it on).
     */
    asm_alu_m_imm(&p, ASM_W, ALU_EXT_SUB, HR_RBX, CPU_OFF(budget), tb->ninsns);
    uint8_t *spent = asm_jcc_fwd(&p, CC_LE);
    _Static_assert(sizeof(((struct cpu *)0)->exit_request) == 1, "byte compare");
    asm_cmp_m8_imm8(&p, HR_RBX, CPU_OFF(exit_request), 0);
    uint8_t *asked = asm_jcc_fwd(&p, CC_NE);
    asm_mov_r64_imm64(&p, HR_R12, (uint64_t)(uintptr_t)tb->ops);
    if (tb->jit)
        asm_alu_m_imm(&p, ASM_W, ALU_EXT_ADD, HR_RBX, CPU_OFF(stats.tb_chained), 1);
    uint8_t *entry = p;             /* the entry everything else uses */
    bool after_call = false;
    uint32_t known = CC_UNKNOWN;    /* lazy-flag op host code stored last, if known */
    bool live = false;              /* its operands still in registers (emit_host_flags) */
    /* out-of-line slow paths of inlined memory accesses: jne site, micro-op,
     * resume (NULL: the block's last micro-op, which leaves) */
    struct { uint8_t *jne, *jne2, *resume; uint32_t off; uint16_t dirty; int pend; }
        slow[TB_MAX_UOPS];
    unsigned nslow = 0;
    /* out-of-line taken paths of side exits: jcc site, micro-op index */
    struct { uint8_t *jcc; unsigned i; uint16_t dirty; int pend; bool live; }
        side[TB_MAX_UOPS];
    unsigned nside = 0;
    int pend = -1;                  /* micro-op whose flags are pending, or -1 */
    bool hostflags = false;         /* the host flags are the pending ones (next_reads()) */
    uint16_t pend_regs = 0;         /* the guest registers its operands are */
    struct regmap m;
    bool kernel = (tb->hflags & HF_CPL_MASK) != 3;

    choose_regs(tb, &m);
    emit_reload(&p, &m);
    uint8_t *head = p;              /* where the block loops back to (emit_exit_to) */
    if (tb->jit) {
        /* -d jit: count entries (every way in passes here) */
        asm_alu_m_imm(&p, ASM_W, ALU_EXT_ADD, HR_R12, (int32_t)offsetof(struct tb, jit_execs)
                                                      - (int32_t)offsetof(struct tb, ops), 1);
        tb->jit->called = 0;
    }
    for (unsigned i = 0; i < tb->nuops; i++) {
        uint32_t off = (uint32_t)(i * sizeof(struct uop));   /* from r12 = tb->ops */
        const struct uop *u = &tb->ops[i];
        struct uop_simple d;
        enum uop_stack sk;
        struct uop_branch br;
        struct uop_sse sd;
        enum how how = classify(tb, i, &d, &sk, &br, &sd);

        if (how != HOW_CALL && after_call)
            emit_unless_invalid(n, &p, &m, off);
        if (how == HOW_SIMPLE && (d.alu || d.imul || d.shift || d.incdec || d.unary == 2))
            d.flags_dead = flags_dead_after(tb, i, d.cc_op);
        bool host_now = hostflags;  /* the micro-op before left them for this one */
        hostflags = false;
        if (pend >= 0) {
            switch (pend_action(u, how, &d, sk, pend_regs)) {
            case PEND_KEEP:
                break;
            case PEND_DROP:
                pend = -1;
                break;
            case PEND_READ:
                if (host_now)
                    break;                  /* the host flags are the guest's */
                emit_pending(&p, &m, tb, pend, live, false);   /* into rax/rcx/rdx */
                live = true;
                break;
            case PEND_STORE:
                emit_pending(&p, &m, tb, pend, live, true);
                live = true;
                pend = -1;
                break;
            }
        }
        slow[nslow].pend = pend;    /* a slow path stores what is pending before the call */
        switch (how) {
        case HOW_SSE:
            live = false;           /* rax, rcx, rdx are scratch here */
            slow[nslow].dirty = m.dirty;
            emit_sse(&p, &m, u, &sd, kernel, &slow[nslow].jne, &slow[nslow].jne2);
            after_call = false;
            if (slow[nslow].jne) {
                slow[nslow].off = off;
                slow[nslow].resume = p;
                nslow++;
            }
            continue;
        case HOW_SIMPLE: ;
            bool was_live = live;
            live = false;
            if (d.div) {
                slow[nslow].dirty = m.dirty;
                emit_div(&p, &m, u, &d, &slow[nslow].jne, &slow[nslow].jne2);
                slow[nslow].off = off;
                slow[nslow].resume = p;
                nslow++;
                after_call = false; /* the slow path checks for invalidation itself */
            } else if (touches_mem(&d)) {
                slow[nslow].dirty = m.dirty;
                slow[nslow].jne2 = NULL;
                emit_mem(&p, &m, u, &d, kernel, &slow[nslow].jne);
                slow[nslow].off = off;
                slow[nslow].resume = p;
                nslow++;
                after_call = false; /* the slow path checks for invalidation itself */
                if (d.mem_alu) {
                    /* the slow path's handler stores the same lazy flags; the
                     * operands are in registers only on the fast path */
                    known = d.cc_op;
                }
            } else if (d.lea || d.movx) {
                emit_lea_movx(&p, &m, u, &d);
                after_call = false;
            } else if (d.setcc || d.cmov) {
                emit_setcc_cmov(&p, &m, u, &d, host_now ? CC_HOST : known, was_live);
                after_call = false;
            } else if (d.incdec) {
                emit_incdec(&p, &m, u, &d, known);
                known = d.cc_op;
                live = !d.flags_dead;       /* dead: done in place, nothing left in rdx/ecx */
                after_call = false;
            } else if (d.nop) {
                live = was_live;            /* nothing emitted */
                after_call = false;
            } else {
                if (alu_can_redo(u, &d)) {
                    d.flags_later = true;   /* pending */
                    pend = (int)i;
                    pend_regs = reg_bit(u->reg, d.size) | (d.imm ? 0 : reg_bit(u->rm, d.size));
                }
                if (!next_back_side(tb, i) && emit_alu_hostflags(&p, &m, u, &d)) {
                    hostflags = next_reads(tb, i, pend_regs);  /* for the reader right after */
                    live = false;
                } else {
                    emit_simple(&p, &m, u, &d, known);
                    live = (d.alu || d.unary == 2) && !d.flags_dead;
                }
                if (d.alu || d.imul || (d.shift && d.shift < 4 && !d.count_cl) || d.unary == 2)
                    known = d.cc_op;
                else if (d.shift && d.count_cl && d.shift < 4)
                    known = CC_UNKNOWN;     /* a count of 0 kept the flags before */
                /* NOT, and rotates (flags dead): the stored state is unchanged */
                after_call = false;
            }
            continue;
        case HOW_STACK:
            live = false;
            slow[nslow].dirty = m.dirty;
            slow[nslow].jne2 = NULL;
            emit_stack(n, &p, &m, tb, off, sk, kernel, &slow[nslow].jne);
            if (sk == STK_JMP_IND64)        /* no memory access: no slow path */
                continue;
            slow[nslow].off = off;
            slow[nslow].resume = i + 1 == tb->nuops ? NULL : p;
            nslow++;
            after_call = false;     /* the slow path checks for invalidation itself */
            continue;
        case HOW_BRANCH:
            emit_flush(&p, &m);             /* plain stores: live operands stay */
            emit_branch(n, &p, tb, head, off, &br, known, live);
            continue;
        case HOW_SIDE:
            /* taken: out of line below; the flags and registers are as they were */
            side[nside].jcc = asm_jcc_fwd(&p, emit_cond(&p, host_now ? CC_HOST : known, live,
                                                        (unsigned)br.cc));
            side[nside].i = i;
            side[nside].dirty = m.dirty;
            live = live && cond_keeps_live(known);
            side[nside].pend = pend;
            side[nside].live = live;        /* the operands, if emit_cond() left them */
            nside++;
            after_call = false;
            continue;
        case HOW_CALL:
            break;
        }
        if (tb->jit && i < TB_MAX_INSNS)
            tb->jit->called |= 1ull << i;
        emit_flush(&p, &m);
        emit_call(&p, off);
        known = CC_UNKNOWN;
        live = false;
        after_call = true;
        if (i + 1 < tb->nuops) {
            emit_unless_next(n, &p, off);
            emit_reload(&p, &m);                                   /* the handler may have written */
        } else {
            emit_exit(n, &p);
        }
    }
    for (unsigned k = 0; k < nslow; k++) {
        asm_patch32_here(&p, slow[k].jne);
        if (slow[k].jne2)
            asm_patch32_here(&p, slow[k].jne2);
        struct regmap at = m;                  /* the cache as it was at the access */
        at.dirty = slow[k].dirty;
        if (slow[k].pend >= 0)
            emit_pending(&p, &at, tb, slow[k].pend, false, true);
        emit_flush(&p, &at);
        emit_call(&p, slow[k].off);
        if (!slow[k].resume) {                                     /* the block's last micro-op */
            emit_exit(n, &p);
            continue;
        }
        emit_unless_next(n, &p, slow[k].off);
        /*
         * The handler may have invalidated this running block (a store
         * into its own code): then the next micro-op's fn leaves it, and
         * cpu_run() runs it from rax instead of the host code.
         */
        emit_cmp_invalid(&p);
        asm_jcc_rel32(&p, CC_NE, n->exit_out);                     /* rax = next */
        emit_reload(&p, &m);                                       /* the handler may have written */
        asm_jmp_rel32(&p, slow[k].resume);
    }
    for (unsigned k = 0; k < nside; k++) {
        struct uop *su = &tb->ops[side[k].i];
        struct regmap at = m;                  /* the cache as it was at the Jcc */
        asm_patch32_here(&p, side[k].jcc);
        at.dirty = side[k].dirty;
        if (side[k].pend >= 0)
            emit_pending(&p, &at, tb, side[k].pend, side[k].live, true);
        emit_flush(&p, &at);
        if (su->rest) {
            /* what uop_side_exit() does: give back the instructions after the Jcc */
            asm_alu_m_imm(&p, ASM_W, ALU_EXT_ADD, HR_RBX, CPU_OFF(budget), su->rest);
            if (tb->jit) {
                asm_mov_r64_imm64(&p, HR_RAX, (uint64_t)(uintptr_t)&tb->jit->left[su->idx]);
                asm_alu_m_imm(&p, ASM_W, ALU_EXT_ADD, HR_RAX, 0, 1);
            }
        }
        uint8_t *site = emit_exit_to(n, &p, tb, head, (uint32_t)(side[k].i * sizeof(struct uop)),
                                     0, su->imm);
        su->site = site ? (uint32_t)(site - start) : 0;
    }
    /* end of slice at the chained entry */
    asm_patch32_here(&p, spent);
    asm_patch32_here(&p, asked);
    asm_alu_m_imm(&p, ASM_W, ALU_EXT_ADD, HR_RBX, CPU_OFF(budget), tb->ninsns);
    emit_store_rip(&p, tb->ops[0].rip);
    asm_xor_r32_r32(&p, HR_RAX, HR_RAX);
    asm_jmp_rel32(&p, n->exit_out);
    if ((size_t)(p - start) > BLOCK_ROOM(tb->nuops))
        cpu_abort(cpu, "host code for a block of %u micro-ops overran its room (%zu bytes)",
                  (unsigned)tb->nuops, (size_t)(p - start));
    n->p = p;
    tb->native = entry;
    tb->native_chained = start;
    perfmap_note(start, (size_t)(p - start), (unsigned long long)tb->pc);
}

void native_patch(uint8_t *site, const void *target)
{
    int32_t rel = target ? (int32_t)((const uint8_t *)target - (site + 4)) : 0;

    memcpy(site, &rel, 4);
}

/*
 * -d out_asm: the host code of the block just generated (it ends at n->p),
 * with the offsets of its two ways in: the chained entry (budget and exit
 * checks) at its start and the entry cpu_run() uses.
 */
void native_log_out_asm(struct cpu *cpu, const struct tb *tb)
{
    struct native *n = cpu->native;
    const uint8_t *start = tb->native_chained;
    csh h;
    cs_insn *insn;

    if (!n || !start || cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
        return;
    size_t len = (size_t)(n->p - start);
    log_printf("OUT: [guest 0x%016llx, %zu host bytes, entry +%u]\n",
               (unsigned long long)tb->pc, len, (unsigned)((const uint8_t *)tb->native - start));
    size_t count = cs_disasm(h, start, len, (uint64_t)(uintptr_t)start, 0, &insn);
    for (size_t i = 0; i < count; i++)
        log_printf("  +%04x:  %s %s\n", (unsigned)(insn[i].address - (uintptr_t)start),
                   insn[i].mnemonic, insn[i].op_str);
    if (count)
        cs_free(insn, count);
    cs_close(&h);
    log_printf("\n");
}

const struct uop *native_run(struct cpu *cpu, struct tb *tb)
{
    struct native *n = cpu->native;

    return n->enter(cpu, tb->native, tb->ops);
}

#else /* not an x86-64 host: blocks run in the dispatch loop only */

void native_init(struct cpu *cpu) { cpu->native = NULL; }
void native_free(struct cpu *cpu) { (void)cpu; }
bool native_room(struct cpu *cpu, unsigned nuops) { (void)cpu; (void)nuops; return true; }
void native_reset(struct cpu *cpu) { (void)cpu; }
void native_gen(struct cpu *cpu, struct tb *tb)
{
    (void)cpu;
    tb->native = tb->native_chained = NULL;
    tb->native_jmp[0] = tb->native_jmp[1] = NULL;
}
void native_patch(uint8_t *site, const void *target) { (void)site; (void)target; }
const struct uop *native_run(struct cpu *cpu, struct tb *tb) { (void)cpu; return tb->ops; }
void native_log_out_asm(struct cpu *cpu, const struct tb *tb) { (void)cpu; (void)tb; }

#endif
