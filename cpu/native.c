/*
 * cpu/native.c: subroutine-threaded host code for translated blocks
 * (x86-64 hosts).
 *
 * Each block gets a straight run of host code that calls its micro-ops'
 * handlers one after the other: every guest instruction has its own call
 * site, so the host predicts each call instead of guessing the target of
 * one shared indirect call in the dispatch loop.  The handler is loaded
 * from the micro-op (call [r12 + off]), so re-pointing a micro-op at run
 * time (fusion, leaving an invalidated running block) keeps working.
 *
 * Register use inside generated code: rbx = struct cpu *, r12 = the
 * block's first micro-op, r13 r14 r15 rbp = guest registers the block
 * caches (struct regmap).  After each call, a result other than the next
 * micro-op leaves the straight run for the exit stub: NULL returns to
 * cpu_run(); the first micro-op of the block uop_goto() just chained to
 * (cpu->cur_tb) continues in that block's host code; anything else
 * returns to cpu_run(), which interprets from there.
 *
 * Code lives in one RWX buffer per vCPU, filled from the front; when it
 * is full, every block is flushed (from the translator, never while
 * generated code runs).
 */
#include "cpu/cpu-internal.h"
#include "util/log.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <sys/mman.h>

#define CODE_BYTES   (64u << 20)
/* worst case: an inlined load/store after a call (~200); a block's last
 * micro-op, an inline branch with both exits to other pages, takes up to
 * four more (~800) */
#define BYTES_PER_UOP 256u
#define BLOCK_ROOM(nuops) ((size_t)((nuops) + 4) * BYTES_PER_UOP)
#define STUB_BYTES   128u

struct native {
    uint8_t *buf, *p, *end;
    const void *(*enter)(struct cpu *cpu, const void *code, const struct uop *ops);
    uint8_t *exit_stub;
    uint8_t *exit_out;      /* back to cpu_run() with rax */
};

static void emit8(uint8_t **p, uint8_t b) { *(*p)++ = b; }

static void emit32(uint8_t **p, uint32_t v)
{
    memcpy(*p, &v, 4);
    *p += 4;
}

static void emit(uint8_t **p, const uint8_t *b, size_t n)
{
    memcpy(*p, b, n);
    *p += n;
}

/* rel32 from the end of the instruction at *p (whose last 4 bytes follow) */
static void emit_rel32(uint8_t **p, const uint8_t *target)
{
    emit32(p, (uint32_t)(int32_t)(target - (*p + 4)));
}

/*
 * Leave with rax (what a handler returned): into the host code of the
 * block it chained to, else back to cpu_run().  Emitted once as the
 * shared exit stub and in place at each block's last exit, so each block
 * has its own indirect jump (one shared jump would be one
 * branch-predictor entry for every block transition).
 */
static void emit_exit(struct native *n, uint8_t **p)
{
    emit(p, (const uint8_t[]){ 0x48, 0x85, 0xc0 }, 3);             /* test rax, rax */
    emit(p, (const uint8_t[]){ 0x0f, 0x84 }, 2);                   /* jz out */
    emit_rel32(p, n->exit_out);
    emit(p, (const uint8_t[]){ 0x48, 0x8b, 0x8b }, 3);             /* mov rcx, [rbx+cur_tb] */
    emit32(p, (uint32_t)offsetof(struct cpu, cur_tb));
    emit(p, (const uint8_t[]){ 0x48, 0x8d, 0x51 }, 3);             /* lea rdx, [rcx+ops] */
    _Static_assert(offsetof(struct tb, ops) < 128, "disp8");
    emit8(p, (uint8_t)offsetof(struct tb, ops));
    emit(p, (const uint8_t[]){ 0x48, 0x39, 0xd0 }, 3);             /* cmp rax, rdx */
    emit(p, (const uint8_t[]){ 0x0f, 0x85 }, 2);                   /* jne out */
    emit_rel32(p, n->exit_out);
    emit(p, (const uint8_t[]){ 0x48, 0x8b, 0x91 }, 3);             /* mov rdx, [rcx+native] */
    emit32(p, (uint32_t)offsetof(struct tb, native));
    emit(p, (const uint8_t[]){ 0x48, 0x85, 0xd2 }, 3);             /* test rdx, rdx */
    emit(p, (const uint8_t[]){ 0x0f, 0x84 }, 2);                   /* jz out */
    emit_rel32(p, n->exit_out);
    emit(p, (const uint8_t[]){ 0x49, 0x89, 0xc4 }, 3);             /* mov r12, rax */
    emit(p, (const uint8_t[]){ 0xff, 0xe2 }, 2);                   /* jmp rdx */
}

static void emit_stubs(struct native *n)
{
    uint8_t *p = n->buf;

    /* enter(cpu = rdi, code = rsi, ops = rdx) */
    n->enter = (const void *(*)(struct cpu *, const void *, const struct uop *))(void *)p;
    emit(&p, (const uint8_t[]){ 0x53, 0x41, 0x54, 0x41, 0x55 }, 5); /* push rbx, r12, r13 */
    emit(&p, (const uint8_t[]){ 0x41, 0x56, 0x41, 0x57, 0x55 }, 5); /* push r14, r15, rbp */
    emit(&p, (const uint8_t[]){ 0x48, 0x83, 0xec, 0x08 }, 4);       /* sub rsp, 8 (alignment) */
    emit(&p, (const uint8_t[]){ 0x48, 0x89, 0xfb }, 3);             /* mov rbx, rdi */
    emit(&p, (const uint8_t[]){ 0x49, 0x89, 0xd4 }, 3);             /* mov r12, rdx */
    emit(&p, (const uint8_t[]){ 0xff, 0xe6 }, 2);                   /* jmp rsi */

    /* out: back to cpu_run() with rax */
    n->exit_out = p;
    emit(&p, (const uint8_t[]){ 0x48, 0x83, 0xc4, 0x08 }, 4);       /* add rsp, 8 */
    emit(&p, (const uint8_t[]){ 0x5d, 0x41, 0x5f, 0x41, 0x5e }, 5); /* pop rbp, r15, r14 */
    emit(&p, (const uint8_t[]){ 0x41, 0x5d, 0x41, 0x5c, 0x5b, 0xc3 }, 6); /* pop r13, r12, rbx; ret */
    /* exit stub: rax = what the last handler returned (emit_exit's logic, shared) */
    n->exit_stub = p;
    emit_exit(n, &p);
    n->p = n->buf + STUB_BYTES;
}

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

static uint32_t reg_off(unsigned r)
{
    return (uint32_t)(offsetof(struct cpu, regs) + 8 * r);
}

/* [rbx + disp32] forms: prefix bytes, then ModRM with mod=10 rm=011. */
static void emit_rbx(uint8_t **p, const uint8_t *op, size_t n, unsigned regfield, uint32_t disp)
{
    emit(p, op, n);
    emit8(p, (uint8_t)(0x83 | (regfield << 3)));
    emit32(p, disp);
}

enum { RAX = 0, RCX = 1, RDX = 2 };

/*
 * Guest registers a block keeps in host registers: host[r] is the host
 * register (callee-saved, so the handlers host code calls leave it alone)
 * or -1.  Write-back: a write goes to the host register only and marks it
 * dirty (at translation time: host code is straight-line, and the slow
 * paths branch out from and back to known points); dirty registers are
 * stored to cpu->regs before every call and every exit, so handlers,
 * exceptions and other blocks see memory current; after a call that may
 * have changed registers, host code reloads them all.
 */
struct regmap {
    int8_t host[16];
    uint16_t dirty;     /* cached registers memory does not hold yet */
};
static const uint8_t cache_hregs[] = { 13, 14, 15, 5 };    /* r13 r14 r15 rbp */

/* op (an optional 66, an optional REX, the opcode) with ModRM register-direct rm = h */
static void emit_rr(uint8_t **p, const uint8_t *op, size_t n, unsigned regfield, unsigned h)
{
    size_t k = 0;

    if (op[k] == 0x66)
        emit8(p, op[k++]);
    if ((op[k] & 0xf0) == 0x40)
        emit8(p, (uint8_t)(op[k++] | (h >= 8 ? 0x01 : 0)));       /* REX.B */
    else if (h >= 8)
        emit8(p, 0x41);
    emit(p, op + k, n - k);
    emit8(p, (uint8_t)(0xc0 | (regfield << 3) | (h & 7)));
}

/* A load-form op (mov/movsxd reg, r/m) reading guest register r. */
static void emit_gload(uint8_t **p, struct regmap *m, const uint8_t *op, size_t n,
                       unsigned regfield, unsigned r)
{
    if (m->host[r] >= 0)
        emit_rr(p, op, n, regfield, (unsigned)m->host[r]);
    else
        emit_rbx(p, op, n, regfield, reg_off(r));
}

/* Guest register r = host register regfield (all 64 bits). */
static void emit_gstore(uint8_t **p, struct regmap *m, unsigned regfield, unsigned r)
{
    static const uint8_t st64[] = { 0x48, 0x89 };

    if (m->host[r] >= 0) {
        emit_rr(p, st64, 2, regfield, (unsigned)m->host[r]);
        m->dirty |= (uint16_t)(1u << r);
    } else {
        emit_rbx(p, st64, 2, regfield, reg_off(r));
    }
}

/* Store cached register r to cpu->regs if memory does not hold it yet. */
static void emit_flush_reg(uint8_t **p, struct regmap *m, unsigned r)
{
    if (!(m->dirty & (1u << r)))
        return;
    unsigned h = (unsigned)m->host[r];
    emit(p, (const uint8_t[]){ h >= 8 ? 0x4c : 0x48, 0x89 }, 2);   /* mov [rbx+disp32], h */
    emit8(p, (uint8_t)(0x83 | ((h & 7) << 3)));
    emit32(p, reg_off(r));
    m->dirty &= (uint16_t)~(1u << r);
}

/* Every dirty cached register to cpu->regs (before a call or an exit). */
static void emit_flush(uint8_t **p, struct regmap *m)
{
    for (unsigned r = 0; r < 16; r++)
        emit_flush_reg(p, m, r);
}

/* The cached copy of guest register r (if any) from cpu->regs. */
static void emit_reload_reg(uint8_t **p, struct regmap *m, unsigned r)
{
    if (m->host[r] < 0)
        return;
    unsigned h = (unsigned)m->host[r];
    emit(p, (const uint8_t[]){ h >= 8 ? 0x4c : 0x48, 0x8b }, 2);   /* mov h, [rbx+disp32] */
    emit8(p, (uint8_t)(0x83 | ((h & 7) << 3)));
    emit32(p, reg_off(r));
}

/* Every cached register from cpu->regs (which holds them all: none dirty). */
static void emit_reload(uint8_t **p, struct regmap *m)
{
    for (unsigned r = 0; r < 16; r++)
        emit_reload_reg(p, m, r);
    m->dirty = 0;
}



/*
 * Lazy flags: cc_src2 = rax (ALU only), cc_src = rcx, cc_dst = rdx,
 * cc_op = imm; nothing when the next micro-ops overwrite them all first.
 */
static void emit_flags(uint8_t **p, bool src2, const struct uop_simple *d)
{
    static const uint8_t st64[] = { 0x48, 0x89 };
    uint32_t cc_op = d->cc_op;

    if (d->flags_dead)
        return;

    if (src2)
        emit_rbx(p, st64, 2, RAX, (uint32_t)offsetof(struct cpu, cc_src2));
    emit_rbx(p, st64, 2, RCX, (uint32_t)offsetof(struct cpu, cc_src));
    emit_rbx(p, st64, 2, RDX, (uint32_t)offsetof(struct cpu, cc_dst));
    emit(p, (const uint8_t[]){ 0xc7, 0x83 }, 2);                   /* mov dword [cc_op], imm */
    emit32(p, (uint32_t)offsetof(struct cpu, cc_op));
    emit32(p, cc_op);
}

/*
 * IMUL reg, reg[, imm] (uop_imul2): rdx = the product the handler keeps
 * (the full 64-bit product of the sign-extended operands), rcx = whether
 * it differs from its sign-extended low part (CF = OF).
 */
static void emit_imul(uint8_t **p, struct regmap *m, const struct uop *u,
                      const struct uop_simple *d)
{
    static const uint8_t ld64[] = { 0x48, 0x8b };
    static const uint8_t ldsx[] = { 0x48, 0x63 };                 /* movsxd r64, m32 */

    emit_gload(p, m, d->size == 8 ? ld64 : ldsx, 2, RCX, u->rm); /* rcx = b */
    if (d->imm) {
        int64_t a = d->size == 8 ? (int64_t)u->imm : (int64_t)(int32_t)u->imm;
        emit(p, (const uint8_t[]){ 0x48, 0xba }, 2);               /* movabs rdx, a */
        memcpy(*p, &a, 8);
        *p += 8;
    } else {
        emit_gload(p, m, d->size == 8 ? ld64 : ldsx, 2, RDX, u->reg); /* rdx = a */
    }
    emit(p, (const uint8_t[]){ 0x48, 0x0f, 0xaf, 0xd1 }, 4);       /* imul rdx, rcx */
    if (d->size == 8) {
        emit(p, (const uint8_t[]){ 0x0f, 0x90, 0xc1 }, 3);         /* seto cl */
    } else {
        emit(p, (const uint8_t[]){ 0x48, 0x63, 0xc2 }, 3);         /* movsxd rax, edx */
        emit(p, (const uint8_t[]){ 0x48, 0x39, 0xd0 }, 3);         /* cmp rax, rdx */
        emit(p, (const uint8_t[]){ 0x0f, 0x95, 0xc1 }, 3);         /* setne cl */
    }
    emit(p, (const uint8_t[]){ 0x0f, 0xb6, 0xc9 }, 3);             /* movzx ecx, cl */
    emit_flags(p, false, d);
    if (d->size == 4)
        emit(p, (const uint8_t[]){ 0x89, 0xd2 }, 2);               /* mov edx, edx */
    emit_gstore(p, m, RDX, u->reg);
}

static void emit_reg_operand(uint8_t **p, struct regmap *m, unsigned size, unsigned r,
                             unsigned regfield);
static void emit_reg_result(uint8_t **p, struct regmap *m, unsigned size, unsigned r);

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
    static const uint8_t ld64[] = { 0x48, 0x8b }, ld32[] = { 0x8b };
    static const uint8_t ldsx[] = { 0x48, 0x63 };
    uint8_t ext = d->shift == 1 ? 0xe0 : d->shift == 2 ? 0xe8 : 0xf8; /* /4 SHL, /5 SHR, /7 SAR */

    if (d->size < 4) {
        emit_reg_operand(p, m, d->size, u->reg, RAX);              /* zero-extended */
        if (d->shift == 3)                                         /* movsx rax, al|ax */
            emit(p, (const uint8_t[]){ 0x48, 0x0f, d->size == 1 ? 0xbe : 0xbf, 0xc0 }, 4);
    } else if (d->shift == 3 && d->size == 4) {
        emit_gload(p, m, ldsx, 2, RAX, u->reg);                /* sign-extended value */
    } else {
        emit_gload(p, m, d->size == 8 ? ld64 : ld32, d->size == 8 ? 2 : 1, RAX, u->reg);
    }
    emit(p, (const uint8_t[]){ 0x48, 0x89, 0xc1 }, 3);             /* mov rcx, rax */
    if (d->count > 1)
        emit(p, (const uint8_t[]){ 0x48, 0xc1, (uint8_t)(ext | 1), (uint8_t)(d->count - 1) }, 4);
    emit(p, (const uint8_t[]){ 0x48, 0x89, 0xc2 }, 3);             /* mov rdx, rax */
    emit(p, (const uint8_t[]){ 0x48, 0xc1, (uint8_t)(ext | 2), (uint8_t)d->count }, 4);
    if (d->size == 4)
        emit(p, (const uint8_t[]){ 0x89, 0xd2 }, 2);               /* mov edx, edx */
    else if (d->size < 4)                                          /* movzx edx, dl|dx */
        emit(p, (const uint8_t[]){ 0x0f, d->size == 1 ? 0xb6 : 0xb7, 0xd2 }, 3);
    emit_flags(p, false, d);
    emit_reg_result(p, m, d->size, u->reg);
}

#define CC_UNKNOWN ((uint32_t)CC_OP_COUNT)

static bool cc_in(uint32_t op, uint32_t first, uint32_t last) { return op >= first && op <= last; }

/* Compare rax and rdx as size-byte values, CF -> ecx (0/1). */
static void emit_below(uint8_t **p, unsigned size)
{
    if (size == 4)
        emit(p, (const uint8_t[]){ 0x89, 0xc0, 0x89, 0xd2 }, 4);   /* mov eax,eax; mov edx,edx */
    emit(p, (const uint8_t[]){ 0x48, 0x39, 0xd0 }, 3);             /* cmp rax, rdx */
    emit(p, (const uint8_t[]){ 0x0f, 0x92, 0xc1 }, 3);             /* setb cl */
    emit(p, (const uint8_t[]){ 0x0f, 0xb6, 0xc9 }, 3);             /* movzx ecx, cl */
}

/*
 * The carry flag of the current lazy state into ecx, as cc_compute_cf():
 * from what host code stored just before when that is known (known), else
 * LOGIC/INC/DEC inline and everything else through cc_compute_cf_slow().
 */
static void emit_cf(uint8_t **p, uint32_t known)
{
    static const uint8_t ld64[] = { 0x48, 0x8b };
    uint32_t src = (uint32_t)offsetof(struct cpu, cc_src);
    uint32_t src2 = (uint32_t)offsetof(struct cpu, cc_src2);
    uint32_t dst = (uint32_t)offsetof(struct cpu, cc_dst);

    if (cc_in(known, CC_OP_LOGICB, CC_OP_LOGICQ)) {
        emit(p, (const uint8_t[]){ 0x31, 0xc9 }, 2);               /* xor ecx, ecx */
        return;
    }
    if (cc_in(known, CC_OP_INCB, CC_OP_DECQ) || cc_in(known, CC_OP_MULB, CC_OP_MULQ)) {
        emit(p, (const uint8_t[]){ 0x48, 0x83, 0xbb }, 3);         /* cmp qword [cc_src], 0 */
        emit32(p, src);
        emit8(p, 0);
        emit(p, (const uint8_t[]){ 0x0f, 0x95, 0xc1 }, 3);         /* setne cl */
        emit(p, (const uint8_t[]){ 0x0f, 0xb6, 0xc9 }, 3);         /* movzx ecx, cl */
        return;
    }
    if (known == CC_OP_SUBL || known == CC_OP_SUBQ) {              /* CF = src2 < src */
        emit_rbx(p, ld64, 2, RAX, src2);
        emit_rbx(p, ld64, 2, RDX, src);
        emit_below(p, known == CC_OP_SUBQ ? 8 : 4);
        return;
    }
    if (known == CC_OP_ADDL || known == CC_OP_ADDQ) {              /* CF = dst < src2 */
        emit_rbx(p, ld64, 2, RAX, dst);
        emit_rbx(p, ld64, 2, RDX, src2);
        emit_below(p, known == CC_OP_ADDQ ? 8 : 4);
        return;
    }
    uint8_t *jae, *jb, *jmp;
    emit(p, (const uint8_t[]){ 0x8b, 0x83 }, 2);                   /* mov eax, [cc_op] */
    emit32(p, (uint32_t)offsetof(struct cpu, cc_op));
    emit(p, (const uint8_t[]){ 0x8d, 0x90 }, 2);                   /* lea edx, [rax-LOGICB] */
    emit32(p, (uint32_t)-(int32_t)CC_OP_LOGICB);
    _Static_assert(CC_OP_DECQ - CC_OP_LOGICB == 11, "LOGIC, INC, DEC are 12 ops in a row");
    emit(p, (const uint8_t[]){ 0x83, 0xfa, 0x0c }, 3);             /* cmp edx, 12 */
    emit8(p, 0x73); jae = *p; emit8(p, 0);                         /* jae slow */
    emit(p, (const uint8_t[]){ 0x31, 0xc9 }, 2);                   /* xor ecx, ecx */
    emit(p, (const uint8_t[]){ 0x83, 0xfa, 0x04 }, 3);             /* cmp edx, 4 */
    emit8(p, 0x72); jb = *p; emit8(p, 0);                          /* jb done (LOGIC) */
    emit(p, (const uint8_t[]){ 0x48, 0x83, 0xbb }, 3);             /* cmp qword [cc_src], 0 */
    emit32(p, src);
    emit8(p, 0);
    emit(p, (const uint8_t[]){ 0x0f, 0x95, 0xc1 }, 3);             /* setne cl */
    emit8(p, 0xeb); jmp = *p; emit8(p, 0);                         /* jmp done */
    *jae = (uint8_t)(*p - (jae + 1));
    emit(p, (const uint8_t[]){ 0x48, 0x89, 0xdf }, 3);             /* mov rdi, rbx */
    emit(p, (const uint8_t[]){ 0x48, 0xb8 }, 2);                   /* movabs rax, fn */
    uint64_t fn = (uint64_t)(uintptr_t)cc_compute_cf_slow;
    memcpy(*p, &fn, 8);
    *p += 8;
    emit(p, (const uint8_t[]){ 0xff, 0xd0 }, 2);                   /* call rax */
    emit(p, (const uint8_t[]){ 0x0f, 0xb6, 0xc8 }, 3);             /* movzx ecx, al */
    *jb = (uint8_t)(*p - (jb + 1));
    *jmp = (uint8_t)(*p - (jmp + 1));
}

/* INC/DEC reg: CF carried over, result kept unmasked in cc_dst (as the handler). */
static void emit_incdec(uint8_t **p, struct regmap *m, const struct uop *u,
                        const struct uop_simple *d, uint32_t known)
{
    static const uint8_t ld64[] = { 0x48, 0x8b }, ld32[] = { 0x8b };

    if (!d->flags_dead)                     /* else nothing reads the carry carried over */
        emit_cf(p, known);
    emit_gload(p, m, d->size == 8 ? ld64 : ld32, d->size == 8 ? 2 : 1, RDX, u->reg);
    if (d->incdec > 0)
        emit(p, (const uint8_t[]){ 0x48, 0x83, 0xc2, 0x01 }, 4);   /* add rdx, 1 */
    else
        emit(p, (const uint8_t[]){ 0x48, 0x83, 0xea, 0x01 }, 4);   /* sub rdx, 1 */
    emit_flags(p, false, d);
    if (d->size == 4)
        emit(p, (const uint8_t[]){ 0x89, 0xd2 }, 2);               /* mov edx, edx */
    emit_gstore(p, m, RDX, u->reg);
}

/* NOT reg (no flags) and NEG reg (the flags of 0 - a: rax = 0, rcx = a, rdx = result) */
static void emit_unary(uint8_t **p, struct regmap *m, const struct uop *u,
                       const struct uop_simple *d)
{
    static const uint8_t ld64[] = { 0x48, 0x8b }, ld32[] = { 0x8b };

    if (d->unary == 1) {
        emit_gload(p, m, d->size == 8 ? ld64 : ld32, d->size == 8 ? 2 : 1, RDX, u->reg);
        emit(p, (const uint8_t[]){ 0x48, 0xf7, 0xd2 }, 3);         /* not rdx */
    } else {
        emit(p, (const uint8_t[]){ 0x31, 0xc0 }, 2);               /* xor eax, eax */
        emit_gload(p, m, d->size == 8 ? ld64 : ld32, d->size == 8 ? 2 : 1, RCX, u->reg);
        emit(p, (const uint8_t[]){ 0x48, 0x89, 0xc2 }, 3);         /* mov rdx, rax */
        emit(p, (const uint8_t[]){ 0x48, 0x29, 0xca }, 3);         /* sub rdx, rcx */
        emit_flags(p, true, d);
    }
    emit_reg_result(p, m, d->size, u->reg);
}

static void patch8_here(uint8_t **p, uint8_t *site)
{
    *site = (uint8_t)(*p - (site + 1));
}

/*
 * SHL/SHR/SAR reg, CL (4/8 bytes), as do_shift(): a masked count of 0
 * leaves the flags alone and writes the value back (a 32-bit register is
 * zero-extended); otherwise the lazy state of the immediate form.
 */
static void emit_shift_cl(uint8_t **p, struct regmap *m, const struct uop *u,
                          const struct uop_simple *d)
{
    static const uint8_t ld64[] = { 0x48, 0x8b }, ld32[] = { 0x8b };
    static const uint8_t ldsx[] = { 0x48, 0x63 };
    uint8_t ext = d->shift == 1 ? 0xe2 : d->shift == 2 ? 0xea : 0xfa; /* /4 /5 /7, rm = rdx */

    if (d->shift == 3 && d->size == 4)
        emit_gload(p, m, ldsx, 2, RAX, u->reg);                    /* sign-extended value */
    else
        emit_gload(p, m, d->size == 8 ? ld64 : ld32, d->size == 8 ? 2 : 1, RAX, u->reg);
    emit_gload(p, m, ld32, 1, RCX, 1);                             /* ecx = rcx */
    emit(p, (const uint8_t[]){ 0x83, 0xe1, d->size == 8 ? 63 : 31 }, 3); /* and ecx, mask */
    emit(p, (const uint8_t[]){ 0x48, 0x89, 0xc2 }, 3);             /* mov rdx, rax */
    emit8(p, 0x74);                                                /* jz done (rdx = value) */
    uint8_t *jz = *p;
    emit8(p, 0);
    emit(p, (const uint8_t[]){ 0xff, 0xc9 }, 2);                   /* dec ecx */
    emit(p, (const uint8_t[]){ 0x48, 0xd3, ext }, 3);              /* op rdx, cl */
    emit(p, (const uint8_t[]){ 0x48, 0x89, 0xd1 }, 3);             /* mov rcx, rdx */
    emit(p, (const uint8_t[]){ 0x48, 0xd1, ext }, 3);              /* op rdx, 1 */
    if (d->size == 4)
        emit(p, (const uint8_t[]){ 0x89, 0xd2 }, 2);               /* mov edx, edx */
    emit_flags(p, false, d);
    patch8_here(p, jz);
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
    static const uint8_t ld64[] = { 0x48, 0x8b }, ld32[] = { 0x8b };
    const uint8_t *ld = d->size == 8 ? ld64 : ld32;
    size_t ln = d->size == 8 ? 2 : 1;

    emit_gload(p, m, ld, ln, RAX, u->reg);
    if (d->shift >= 6)
        emit_gload(p, m, ld, ln, RDX, u->rm);                      /* the source */
    if (d->count_cl)
        emit_gload(p, m, ld32, 1, RCX, 1);
    if (d->size == 8)
        emit8(p, 0x48);
    switch (d->shift) {
    case 4: case 5:                                                /* rol/ror eax|rax, imm|cl */
        emit(p, (const uint8_t[]){ d->count_cl ? 0xd3 : 0xc1, d->shift == 4 ? 0xc0 : 0xc8 }, 2);
        break;
    default:                                                       /* shld/shrd eax|rax, edx|rdx */
        emit(p, (const uint8_t[]){ 0x0f, (uint8_t)((d->shift == 6 ? 0xa4 : 0xac)
                                                   | (d->count_cl ? 1 : 0)), 0xd0 }, 3);
        break;
    }
    if (!d->count_cl)
        emit8(p, (uint8_t)d->count);
    emit(p, (const uint8_t[]){ 0x48, 0x89, 0xc2 }, 3);             /* mov rdx, rax */
    emit_reg_result(p, m, d->size, u->reg);
}

/* Host code for a register-only MOV/ALU micro-op (uop_simple_desc). */
static void emit_simple(uint8_t **p, struct regmap *m, const struct uop *u,
                        const struct uop_simple *d, uint32_t known)
{
    static const uint8_t ld64[] = { 0x48, 0x8b }, ld32[] = { 0x8b };

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
        if (d->imm && d->size == 8) {
            emit(p, (const uint8_t[]){ 0x48, 0xb8 }, 2);           /* movabs rax, imm */
            memcpy(*p, &u->imm, 8);
            *p += 8;
        } else if (d->imm) {
            emit8(p, 0xb8);                                        /* mov eax, imm32 */
            emit32(p, (uint32_t)u->imm);
        } else if (d->size == 8) {
            emit_gload(p, m, ld64, 2, RAX, u->rm);             /* mov rax, [rm] */
        } else {
            emit_gload(p, m, ld32, 1, RAX, u->rm);             /* mov eax, [rm] */
        }
        emit_gstore(p, m, RAX, u->reg);                /* mov [reg], rax */
        return;
    }
    /* a = rax, b = rcx, r = rdx: the same 64-bit values the handler computes
     * (1 and 2 bytes zero-extended, the result not truncated, as reg_get());
     * ADC/SBB: the carry in esi first */
    if (d->carry) {
        emit_cf(p, known);
        emit(p, (const uint8_t[]){ 0x89, 0xce }, 2);               /* mov esi, ecx */
    }
    emit_reg_operand(p, m, d->size, u->reg, RAX);
    if (d->imm) {
        emit(p, (const uint8_t[]){ 0x48, 0xb9 }, 2);               /* movabs rcx, imm */
        memcpy(*p, &u->imm, 8);
        *p += 8;
    } else {
        emit_reg_operand(p, m, d->size, u->rm, RCX);
    }
    emit(p, (const uint8_t[]){ 0x48, 0x89, 0xc2 }, 3);             /* mov rdx, rax */
    if (d->carry)
        emit(p, (const uint8_t[]){ 0x0f, 0xba, 0xe6, 0x00 }, 4);   /* bt esi, 0 */
    emit(p, (const uint8_t[]){ 0x48, d->host_op, 0xca }, 3);       /* op rdx, rcx */
    emit_flags(p, true, d);
    if (d->writes)
        emit_reg_result(p, m, d->size, u->reg);
}

enum { RSI = 6, RDI = 7 };

/*
 * MOV between a register and memory with the soft-TLB hit path in host
 * code (64-bit addressing only): rsi = linear address, the entry's tag
 * compared with the page of the access's last byte (so a page-crossing
 * access misses), then the access through the entry's addend.  A miss
 * jumps to *slow (filled in by the caller) to call the handler.
 */
/* rcx = the soft-TLB entry of linear address rsi, as an offset from cpu->tlb (clobbers rax) */
static void emit_tlb_index(uint8_t **p, bool kernel)
{
    /*
     * rcx = offset of &cpu->tlb[mmu_idx][(la >> 12) & mask] from &cpu->tlb.
     * In a block translated at CPL 0-2 (kernel) mmu_idx is 0: the block
     * key holds the CPL and cpu_update_mmu_idx() follows every change.
     */
    if (!kernel) {
        emit(p, (const uint8_t[]){ 0x0f, 0xb6, 0x83 }, 3);         /* movzx eax, [mmu_idx] */
        emit32(p, (uint32_t)offsetof(struct cpu, mmu_idx));
        emit(p, (const uint8_t[]){ 0x69, 0xc0 }, 2);               /* imul eax, eax, row */
        emit32(p, (uint32_t)(TLB_SIZE * sizeof(struct tlb_entry)));
    }
    emit(p, (const uint8_t[]){ 0x48, 0x89, 0xf1 }, 3);             /* mov rcx, rsi */
    emit(p, (const uint8_t[]){ 0x48, 0xc1, 0xe9, PAGE_BITS }, 4);  /* shr rcx, 12 */
    emit(p, (const uint8_t[]){ 0x81, 0xe1 }, 2);                   /* and ecx, TLB_MASK */
    emit32(p, TLB_MASK);
    _Static_assert(sizeof(struct tlb_entry) == 40, "the index arithmetic assumes 40 bytes");
    emit(p, (const uint8_t[]){ 0x48, 0x8d, 0x0c, 0x89 }, 4);       /* lea rcx, [rcx+rcx*4] */
    if (kernel)
        emit(p, (const uint8_t[]){ 0x48, 0xc1, 0xe1, 0x03 }, 4);   /* shl rcx, 3 */
    else
        emit(p, (const uint8_t[]){ 0x48, 0x8d, 0x0c, 0xc8 }, 4);   /* lea rcx, [rax+rcx*8] */
}

/*
 * The soft-TLB hit test for an access of `size` bytes at linear address
 * rsi: on a hit rdx = the entry's addend (host address = rsi + rdx); a
 * miss (or a page-crossing access) jumps to *slow, filled in by the
 * caller.  Clobbers rax, rcx.
 */
static void emit_tlb(uint8_t **p, bool load, unsigned size, bool kernel, uint8_t **slow)
{
    uint32_t tlb = (uint32_t)offsetof(struct cpu, tlb);
    uint32_t tag = (uint32_t)(load ? offsetof(struct tlb_entry, tag_r)
                                   : offsetof(struct tlb_entry, tag_w));

    emit_tlb_index(p, kernel);
    emit(p, (const uint8_t[]){ 0x48, 0x8d, 0x56 }, 3);             /* lea rdx, [rsi+size-1] */
    emit8(p, (uint8_t)(size - 1));
    emit(p, (const uint8_t[]){ 0x48, 0x81, 0xe2 }, 3);             /* and rdx, PAGE_MASK */
    emit32(p, (uint32_t)PAGE_MASK);
    emit(p, (const uint8_t[]){ 0x48, 0x3b, 0x94, 0x0b }, 4);       /* cmp rdx, [rbx+rcx+tag] */
    emit32(p, tlb + tag);
    emit(p, (const uint8_t[]){ 0x0f, 0x85 }, 2);                   /* jne slow */
    *slow = *p;
    emit32(p, 0);
    emit(p, (const uint8_t[]){ 0x48, 0x8b, 0x94, 0x0b }, 4);       /* mov rdx, [rbx+rcx+addend] */
    emit32(p, tlb + (uint32_t)offsetof(struct tlb_entry, addend));
}

/*
 * A register operand of `size` bytes into host register `regfield`,
 * zero-extended as reg_get() returns it: 8/4 bytes by number (maybe from
 * the cache), 2 bytes by number and 1 byte by byte offset from memory,
 * after storing a dirty cached copy.
 */
static void emit_reg_operand(uint8_t **p, struct regmap *m, unsigned size, unsigned r,
                             unsigned regfield)
{
    static const uint8_t ld64[] = { 0x48, 0x8b }, ld32[] = { 0x8b };

    switch (size) {
    case 8: emit_gload(p, m, ld64, 2, regfield, r); break;
    case 4: emit_gload(p, m, ld32, 1, regfield, r); break;
    case 2:
        emit_flush_reg(p, m, r);
        emit_rbx(p, (const uint8_t[]){ 0x0f, 0xb7 }, 2, regfield, reg_off(r)); /* movzx word */
        break;
    default:
        emit_flush_reg(p, m, r / 8);
        emit_rbx(p, (const uint8_t[]){ 0x0f, 0xb6 }, 2, regfield,            /* movzx byte */
                 (uint32_t)offsetof(struct cpu, regs) + r);
        break;
    }
}

/*
 * The result in rdx to register operand r of `size` bytes, as reg_set()
 * does: 8 bytes whole, 4 zero-extended, 2 merged into the low word and 1
 * into the byte at byte offset r, those two in memory (after storing a
 * dirty cached copy, which is then reloaded).
 */
static void emit_reg_result(uint8_t **p, struct regmap *m, unsigned size, unsigned r)
{
    switch (size) {
    case 8: emit_gstore(p, m, RDX, r); break;
    case 4:
        emit(p, (const uint8_t[]){ 0x89, 0xd2 }, 2);               /* mov edx, edx */
        emit_gstore(p, m, RDX, r);
        break;
    case 2:
        emit_flush_reg(p, m, r);
        emit_rbx(p, (const uint8_t[]){ 0x66, 0x89 }, 2, RDX, reg_off(r)); /* mov word, dx */
        emit_reload_reg(p, m, r);
        break;
    default:
        emit_flush_reg(p, m, r / 8);
        emit_rbx(p, (const uint8_t[]){ 0x88 }, 1, RDX,                   /* mov byte, dl */
                 (uint32_t)offsetof(struct cpu, regs) + r);
        emit_reload_reg(p, m, r / 8);
        break;
    }
}

/* Host register `regfield` = the `size`-byte value at [rsi], zero-extended. */
static void emit_load_host(uint8_t **p, unsigned size, unsigned regfield)
{
    static const uint8_t op[4][3] = { { 0x0f, 0xb6 }, { 0x0f, 0xb7 }, { 0x8b }, { 0x48, 0x8b } };
    unsigned k = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;

    emit(p, op[k], k == 2 ? 1 : 2);
    emit8(p, (uint8_t)(0x06 | (regfield << 3)));                   /* [rsi] */
}

/* [rsi] = the low `size` bytes of rdx */
static void emit_store_rdx(uint8_t **p, unsigned size)
{
    switch (size) {
    case 8: emit(p, (const uint8_t[]){ 0x48, 0x89, 0x16 }, 3); break;
    case 4: emit(p, (const uint8_t[]){ 0x89, 0x16 }, 2); break;
    case 2: emit(p, (const uint8_t[]){ 0x66, 0x89, 0x16 }, 3); break;
    default: emit(p, (const uint8_t[]){ 0x88, 0x16 }, 2); break;
    }
}

/* rax = imm, as the handlers see u->imm */
static void emit_imm_rax(uint8_t **p, uint64_t imm)
{
    emit(p, (const uint8_t[]){ 0x48, 0xb8 }, 2);                   /* movabs rax, imm */
    memcpy(*p, &imm, 8);
    *p += 8;
}

/* rsi = the micro-op's effective address, plus its segment base when `seg` */
static void emit_ea(uint8_t **p, struct regmap *m, const struct uop *u, bool seg)
{
    static const uint8_t ld64[] = { 0x48, 0x8b };

    if (u->base != UOP_NOREG)
        emit_gload(p, m, ld64, 2, RSI, u->base);               /* mov rsi, [base] */
    else
        emit(p, (const uint8_t[]){ 0x31, 0xf6 }, 2);               /* xor esi, esi */
    if (u->index != UOP_NOREG) {
        emit_gload(p, m, ld64, 2, RAX, u->index);              /* mov rax, [index] */
        emit(p, (const uint8_t[]){ 0x48, 0x8d, 0x34 }, 3);         /* lea rsi, [rsi+rax*s] */
        emit8(p, (uint8_t)((u->scale << 6) | 0x06));
    }
    if (u->disp == (int32_t)u->disp) {
        if (u->disp) {
            emit(p, (const uint8_t[]){ 0x48, 0x8d, 0xb6 }, 3);     /* lea rsi, [rsi+disp32] */
            emit32(p, (uint32_t)(int32_t)u->disp);
        }
    } else {
        emit(p, (const uint8_t[]){ 0x48, 0xb8 }, 2);               /* movabs rax, disp */
        memcpy(*p, &u->disp, 8);
        *p += 8;
        emit(p, (const uint8_t[]){ 0x48, 0x01, 0xc6 }, 3);         /* add rsi, rax */
    }
    if (seg && u->seg != SEG_NONE) {
        emit(p, (const uint8_t[]){ 0x48, 0x03, 0xb3 }, 3);         /* add rsi, [seg base] */
        emit32(p, (uint32_t)(offsetof(struct cpu, seg) + u->seg * sizeof(struct seg)
                             + offsetof(struct seg, base)));
    }
}

/* rax (size bytes, zero-extended) sign-extended from `from` bytes when `sign`, then as
 * reg_set() writes `size` bytes into guest register r */
static void emit_movx_result(uint8_t **p, struct regmap *m, unsigned from, bool sign,
                             unsigned size, unsigned r)
{
    if (sign) {
        if (from == 1)
            emit(p, (const uint8_t[]){ 0x48, 0x0f, 0xbe, 0xc0 }, 4);   /* movsx rax, al */
        else if (from == 2)
            emit(p, (const uint8_t[]){ 0x48, 0x0f, 0xbf, 0xc0 }, 4);   /* movsx rax, ax */
        else if (from == 4)
            emit(p, (const uint8_t[]){ 0x48, 0x63, 0xc0 }, 3);         /* movsxd rax, eax */
    }
    if (size == 4)
        emit(p, (const uint8_t[]){ 0x89, 0xc0 }, 2);                   /* mov eax, eax */
    emit_gstore(p, m, RAX, r);
}

/* LEA, and MOVZX/MOVSX from a register: no memory access */
static void emit_lea_movx(uint8_t **p, struct regmap *m, const struct uop *u,
                          const struct uop_simple *d)
{
    if (d->lea) {
        emit_ea(p, m, u, false);
        if (u->asize == 4 || d->size == 4)
            emit(p, (const uint8_t[]){ 0x89, 0xf6 }, 2);               /* mov esi, esi */
        emit_gstore(p, m, RSI, u->reg);
        return;
    }
    emit_reg_operand(p, m, d->movx, u->rm, RAX);
    emit_movx_result(p, m, d->movx, d->sign, d->size, u->reg);
}

static void emit_mem(uint8_t **p, struct regmap *m, const struct uop *u,
                     const struct uop_simple *d, bool kernel, uint8_t **slow)
{
    static const uint8_t ld64[] = { 0x48, 0x8b };

    emit_ea(p, m, u, true);
    if (d->mem_src) {                                              /* MOVZX/MOVSX reg, [mem] */
        emit_tlb(p, true, d->movx, kernel, slow);
        emit(p, (const uint8_t[]){ 0x48, 0x01, 0xd6 }, 3);         /* add rsi, rdx */
        emit_load_host(p, d->movx, RAX);
        emit_movx_result(p, m, d->movx, d->sign, d->size, u->reg);
        return;
    }
    emit_tlb(p, d->load || (d->mem_alu && !d->rmw), d->size, kernel, slow);
    if (d->mem_alu) {
        /* rsi = host address; a = rax, b = rcx, r = rdx, as the handler: memory is a or b */
        emit(p, (const uint8_t[]){ 0x48, 0x01, 0xd6 }, 3);         /* add rsi, rdx */
        if (d->mem_a) {
            emit_load_host(p, d->size, RAX);
            if (d->imm) {
                emit(p, (const uint8_t[]){ 0x48, 0xb9 }, 2);       /* movabs rcx, imm */
                memcpy(*p, &u->imm, 8);
                *p += 8;
            } else {
                emit_reg_operand(p, m, d->size, u->rm, RCX);
            }
        } else {
            emit_load_host(p, d->size, RCX);
            emit_reg_operand(p, m, d->size, u->reg, RAX);
        }
        emit(p, (const uint8_t[]){ 0x48, 0x89, 0xc2 }, 3);         /* mov rdx, rax */
        emit(p, (const uint8_t[]){ 0x48, d->host_op, 0xca }, 3);   /* op rdx, rcx */
        emit_flags(p, true, d);
        if (d->rmw) {                                              /* [mem] op= reg|imm */
            emit_store_rdx(p, d->size);
        } else if (d->writes) {                                    /* reg op= [mem] */
            emit_reg_result(p, m, d->size, u->reg);
        }
        return;
    }
    if (d->store && d->imm) {
        emit_imm_rax(p, u->imm);
    } else {
        /* registers: 8/4 bytes by number; 2 bytes merge into the low word; 1 byte by byte offset */
        uint32_t r = d->load ? u->reg : u->rm;
        uint32_t roff = d->size == 1 ? (uint32_t)offsetof(struct cpu, regs) + r : reg_off(r);
        if (d->size < 4)                    /* 1 and 2 bytes go through memory */
            emit_flush_reg(p, m, d->size == 1 ? r / 8 : r);
        if (d->load) {
            switch (d->size) {
            case 8: emit(p, (const uint8_t[]){ 0x48, 0x8b, 0x04, 0x16 }, 4); break; /* mov rax,[rsi+rdx] */
            case 4: emit(p, (const uint8_t[]){ 0x8b, 0x04, 0x16 }, 3); break;
            case 2: emit(p, (const uint8_t[]){ 0x66, 0x8b, 0x04, 0x16 }, 4); break;
            default: emit(p, (const uint8_t[]){ 0x8a, 0x04, 0x16 }, 3); break;
            }
            switch (d->size) {
            case 8: case 4: emit_gstore(p, m, RAX, r); break;      /* 4: eax zero-extended */
            case 2: emit_rbx(p, (const uint8_t[]){ 0x66, 0x89 }, 2, RAX, roff); break;
            default: emit_rbx(p, (const uint8_t[]){ 0x88 }, 1, RAX, roff); break;
            }
            if (d->size < 4)                /* merged in memory: refresh a cached copy */
                emit_reload_reg(p, m, d->size == 1 ? r / 8 : r);
            return;
        }
        switch (d->size) {
        case 8: emit_gload(p, m, ld64, 2, RAX, r); break;
        case 4: emit_gload(p, m, (const uint8_t[]){ 0x8b }, 1, RAX, r); break;
        case 2: emit_rbx(p, (const uint8_t[]){ 0x66, 0x8b }, 2, RAX, roff); break;
        default: emit_rbx(p, (const uint8_t[]){ 0x8a }, 1, RAX, roff); break;
        }
    }
    switch (d->size) {
    case 8: emit(p, (const uint8_t[]){ 0x48, 0x89, 0x04, 0x16 }, 4); break; /* mov [rsi+rdx],rax */
    case 4: emit(p, (const uint8_t[]){ 0x89, 0x04, 0x16 }, 3); break;
    case 2: emit(p, (const uint8_t[]){ 0x66, 0x89, 0x04, 0x16 }, 4); break;
    default: emit(p, (const uint8_t[]){ 0x88, 0x04, 0x16 }, 3); break;
    }
}


/*
 * uop_goto() in host code: leave through chain slot `slot` of the micro-op
 * at r12 + off to `rip`.  When the slot is linked and the slice goes on,
 * account the target's instructions and jump straight into its host code
 * (each exit its own jump, so each is predicted on its own); otherwise ask
 * cpu_run() to link the slot, exactly as the handler does.
 */
/* jcc rel32 to a place not known yet: returns where to patch it */
static uint8_t *emit_jcc_fwd(uint8_t **p, uint8_t cc)
{
    emit(p, (const uint8_t[]){ 0x0f, (uint8_t)(0x80 | cc) }, 2);
    uint8_t *site = *p;
    emit32(p, 0);
    return site;
}

static void patch_here(uint8_t **p, uint8_t *site)
{
    int32_t rel = (int32_t)(*p - (site + 4));
    memcpy(site, &rel, 4);
}

enum { CC_NE = 5, CC_E = 4, CC_LE = 14 };

/* Two jumps (to patch) taken when the slice must end: budget spent, exit requested. */
static void emit_slice_check(uint8_t **p, uint8_t *end[2])
{
    emit(p, (const uint8_t[]){ 0x48, 0x83, 0xbb }, 3);             /* cmp qword [budget], 0 */
    emit32(p, (uint32_t)offsetof(struct cpu, budget));
    emit8(p, 0);
    end[0] = emit_jcc_fwd(p, CC_LE);
    _Static_assert(sizeof(((struct cpu *)0)->exit_request) == 1, "byte compare");
    emit(p, (const uint8_t[]){ 0x80, 0xbb }, 2);                   /* cmp byte [exit_request], 0 */
    emit32(p, (uint32_t)offsetof(struct cpu, exit_request));
    emit8(p, 0);
    end[1] = emit_jcc_fwd(p, CC_NE);
}

/*
 * Enter the block rax points to, as uop_goto() does when the slice goes
 * on: account its instructions and jump into its host code.  When the
 * slice must end, jump to the returned site (to be patched) with rax
 * still the block.
 */
static uint8_t *emit_enter_tb(struct native *n, uint8_t **p, uint8_t **end_slice)
{
    uint8_t *no_code;

    uint8_t *end[2];

    emit_slice_check(p, end);
    *end_slice = end[1];
    _Static_assert(sizeof(((struct tb *)0)->ninsns) == 2, "word load");
    emit(p, (const uint8_t[]){ 0x0f, 0xb7, 0x88 }, 3);             /* movzx ecx, word [rax+ninsns] */
    emit32(p, (uint32_t)offsetof(struct tb, ninsns));
    emit_rbx(p, (const uint8_t[]){ 0x48, 0x29 }, 2, RCX, (uint32_t)offsetof(struct cpu, budget));
    emit_rbx(p, (const uint8_t[]){ 0x48, 0x01 }, 2, RCX, (uint32_t)offsetof(struct cpu, icount));
    emit_rbx(p, (const uint8_t[]){ 0x48, 0x89 }, 2, RAX, (uint32_t)offsetof(struct cpu, cur_tb));
    emit(p, (const uint8_t[]){ 0x48, 0x83, 0x83 }, 3);             /* add qword [tb_chained], 1 */
    emit32(p, (uint32_t)offsetof(struct cpu, stats.tb_chained));
    emit8(p, 1);
    emit(p, (const uint8_t[]){ 0x48, 0x8b, 0x90 }, 3);             /* mov rdx, [rax+native] */
    emit32(p, (uint32_t)offsetof(struct tb, native));
    emit(p, (const uint8_t[]){ 0x48, 0x8d, 0x40 }, 3);             /* lea rax, [rax+ops] */
    emit8(p, (uint8_t)offsetof(struct tb, ops));
    emit(p, (const uint8_t[]){ 0x48, 0x85, 0xd2 }, 3);             /* test rdx, rdx */
    emit8(p, 0x74); no_code = *p; emit8(p, 0);                     /* jz no_code */
    emit(p, (const uint8_t[]){ 0x49, 0x89, 0xc4 }, 3);             /* mov r12, rax */
    emit(p, (const uint8_t[]){ 0xff, 0xe2 }, 2);                   /* jmp rdx */
    *no_code = (uint8_t)(*p - (no_code + 1));
    emit8(p, 0xe9);                                                /* jmp out (rax = ops) */
    emit_rel32(p, n->exit_out);
    return end[0];
}

/*
 * uop_goto() in host code: leave through chain slot `slot` of the micro-op
 * at r12 + off to `rip`.  When the slot is linked and the slice goes on,
 * enter the target directly (each exit its own jump, so each is predicted
 * on its own); otherwise ask cpu_run() to link the slot, exactly as the
 * handler does.
 */
static void emit_ret_target(struct native *n, uint8_t **p, const struct tb *tb, uint32_t off,
                            int slot, bool kernel);

static void emit_goto(struct native *n, uint8_t **p, struct tb *tb, uint32_t off, int slot,
                      uint64_t rip)
{
    uint8_t *miss[3];

    if (((tb->cs_base + rip) & PAGE_MASK) != (tb->pc & PAGE_MASK)) {
        /*
         * Another page: never linked for good (a page-table change could
         * leave the link stale); the block found last time is entered
         * after the code-TLB checks instead of a trip through cpu_run().
         */
        emit(p, (const uint8_t[]){ 0x48, 0xb8 }, 2);               /* movabs rax, rip */
        memcpy(*p, &rip, 8);
        *p += 8;
        emit_ret_target(n, p, tb, off, slot, (tb->hflags & HF_CPL_MASK) != 3);
        return;
    }

    emit(p, (const uint8_t[]){ 0x48, 0xb8 }, 2);                   /* movabs rax, rip */
    memcpy(*p, &rip, 8);
    *p += 8;
    emit_rbx(p, (const uint8_t[]){ 0x48, 0x89 }, 2, RAX, (uint32_t)offsetof(struct cpu, rip));
    /*
     * Once the slot is linked, tb_link() points this jump at the target's
     * chained entry (native_patch()); until then it falls through.
     */
    uint8_t *end[2];
    emit_slice_check(p, end);
    emit8(p, 0xe9);                                                /* jmp rel32 (patched) */
    tb->native_jmp[slot] = *p;
    emit32(p, 0);
    patch_here(p, end[0]);
    patch_here(p, end[1]);
    emit(p, (const uint8_t[]){ 0x49, 0x8b, 0x84, 0x24 }, 4);       /* mov rax, [r12+chain] */
    emit32(p, off + (uint32_t)(offsetof(struct uop, chain) + 8 * (unsigned)slot));
    emit(p, (const uint8_t[]){ 0x48, 0x85, 0xc0 }, 3);             /* test rax, rax */
    miss[0] = emit_jcc_fwd(p, CC_E);
    miss[1] = emit_enter_tb(n, p, &miss[2]);
    for (int k = 0; k < 3; k++)
        patch_here(p, miss[k]);
    emit(p, (const uint8_t[]){ 0x49, 0x8d, 0x84, 0x24 }, 4);       /* lea rax, [r12+off] */
    emit32(p, off);
    emit_rbx(p, (const uint8_t[]){ 0x48, 0x89 }, 2, RAX, (uint32_t)offsetof(struct cpu, link_from));
    _Static_assert(sizeof(((struct cpu *)0)->link_slot) == 4, "dword store");
    emit(p, (const uint8_t[]){ 0xc7, 0x83 }, 2);                   /* mov dword [link_slot], slot */
    emit32(p, (uint32_t)offsetof(struct cpu, link_slot));
    emit32(p, (uint32_t)slot);
    emit(p, (const uint8_t[]){ 0x31, 0xc0 }, 2);                   /* xor eax, eax */
    emit8(p, 0xe9);                                                /* jmp out */
    emit_rel32(p, n->exit_out);
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
    static const uint8_t ld64[] = { 0x48, 0x8b };
    uint32_t src = (uint32_t)offsetof(struct cpu, cc_src);
    uint32_t src2 = (uint32_t)offsetof(struct cpu, cc_src2);
    uint32_t dst = (uint32_t)offsetof(struct cpu, cc_dst);
    bool q;

    if (known == CC_OP_SUBL || known == CC_OP_SUBQ || known == CC_OP_ADDL || known == CC_OP_ADDQ) {
        q = known == CC_OP_SUBQ || known == CC_OP_ADDQ;
        uint8_t op = known == CC_OP_SUBL || known == CC_OP_SUBQ ? 0x3b : 0x03; /* cmp / add */
        if (live) {
            if (q)
                emit8(p, 0x48);
            emit(p, (const uint8_t[]){ op, 0xc1 }, 2);             /* cmp/add rax|eax, rcx|ecx */
            return true;
        }
        emit_rbx(p, ld64, 2, RAX, src2);                           /* rax = a */
        if (q)
            emit_rbx(p, (const uint8_t[]){ 0x48, op }, 2, RAX, src);
        else
            emit_rbx(p, (const uint8_t[]){ op }, 1, RAX, src);     /* cmp/add a, b */
        return true;
    }
    if (known == CC_OP_SUBB || known == CC_OP_SUBW || known == CC_OP_ADDB || known == CC_OP_ADDW) {
        bool w = known == CC_OP_SUBW || known == CC_OP_ADDW;
        bool sub = known == CC_OP_SUBB || known == CC_OP_SUBW;
        if (!live) {
            emit_rbx(p, ld64, 2, RAX, src2);                       /* rax = a */
            emit_rbx(p, ld64, 2, RCX, src);                        /* rcx = b */
        }
        if (w)
            emit8(p, 0x66);
        emit(p, (const uint8_t[]){ (uint8_t)((sub ? 0x3a : 0x02) | w), 0xc1 }, 2); /* cmp/add al|ax, cl|cx */
        return true;
    }
    if (known == CC_OP_LOGICB || known == CC_OP_LOGICW) {
        if (!live)
            emit_rbx(p, ld64, 2, RDX, dst);
        if (known == CC_OP_LOGICW)
            emit8(p, 0x66);
        emit(p, (const uint8_t[]){ known == CC_OP_LOGICW ? 0x85 : 0x84, 0xd2 }, 2); /* test dl|dx */
        return true;
    }
    if (known == CC_OP_LOGICL || known == CC_OP_LOGICQ) {
        if (!live)
            emit_rbx(p, ld64, 2, RDX, dst);
        if (known == CC_OP_LOGICQ)
            emit(p, (const uint8_t[]){ 0x48, 0x85, 0xd2 }, 3);     /* test rdx, rdx */
        else
            emit(p, (const uint8_t[]){ 0x85, 0xd2 }, 2);           /* test edx, edx */
        return true;
    }
    if (known == CC_OP_INCL || known == CC_OP_INCQ || known == CC_OP_DECL || known == CC_OP_DECQ) {
        bool inc = known == CC_OP_INCL || known == CC_OP_INCQ;
        q = known == CC_OP_INCQ || known == CC_OP_DECQ;
        if (!live) {
            emit_rbx(p, ld64, 2, RDX, dst);                        /* the result */
            emit_rbx(p, (const uint8_t[]){ 0x8b }, 1, RCX, src);   /* ecx = CF */
        }
        emit(p, (const uint8_t[]){ 0x48, 0x8d, 0x42, inc ? 0xff : 0x01 }, 4); /* lea rax, [rdx-+1] */
        emit(p, (const uint8_t[]){ 0x0f, 0xba, 0xe1, 0x00 }, 4);   /* bt ecx, 0 */
        if (q)
            emit(p, (const uint8_t[]){ 0x48, 0xff, inc ? 0xc0 : 0xc8 }, 3); /* inc/dec rax */
        else
            emit(p, (const uint8_t[]){ 0xff, inc ? 0xc0 : 0xc8 }, 2);       /* inc/dec eax */
        return true;
    }
    return false;
}

/*
 * A block that branches to its own start (a loop in one block) goes round
 * without leaving: the slice accounting uop_goto() does, then a jump to
 * `head`, past the entry's register loads (the cache is flushed, so the
 * registers equal memory).  Going round is right because what changes a
 * block's mode or mapping ends it, and a block invalidated by a store
 * into its own code leaves after that store (the checks after calls and
 * in slow paths); the exit request and budget end the loop through
 * emit_goto().
 */
static void emit_exit_to(struct native *n, uint8_t **p, struct tb *tb, uint8_t *head,
                         uint32_t off, int slot, uint64_t rip)
{
    if (head && !(tb->hflags & (HF_ONE_INSN | HF_SHADOW_END)) && tb->cs_base + rip == tb->pc) {
        uint8_t *end[2];
        emit_slice_check(p, end);
        emit(p, (const uint8_t[]){ 0x48, 0x81, 0xab }, 3);         /* sub qword [budget], ninsns */
        emit32(p, (uint32_t)offsetof(struct cpu, budget));
        emit32(p, tb->ninsns);
        emit(p, (const uint8_t[]){ 0x48, 0x81, 0x83 }, 3);         /* add qword [icount], ninsns */
        emit32(p, (uint32_t)offsetof(struct cpu, icount));
        emit32(p, tb->ninsns);
        emit(p, (const uint8_t[]){ 0x48, 0x83, 0x83 }, 3);         /* add qword [tb_chained], 1 */
        emit32(p, (uint32_t)offsetof(struct cpu, stats.tb_chained));
        emit8(p, 1);
        emit8(p, 0xe9);                                            /* jmp head */
        emit_rel32(p, head);
        patch_here(p, end[0]);
        patch_here(p, end[1]);
    }
    emit_goto(n, p, tb, off, slot, rip);
}

/*
 * Host flags for guest condition cc: returns the host condition to test,
 * cc itself when the flags are redone in place (emit_host_flags()), else
 * NE after asking cpu_cond() (clobbers the caller-saved registers).
 */
static unsigned emit_cond(uint8_t **p, uint32_t known, bool live, unsigned cc)
{
    if (emit_host_flags(p, known, live))
        return cc;
    emit(p, (const uint8_t[]){ 0x48, 0x89, 0xdf }, 3);             /* mov rdi, rbx */
    emit8(p, 0xbe);                                                /* mov esi, cc */
    emit32(p, cc);
    emit(p, (const uint8_t[]){ 0x48, 0xb8 }, 2);                   /* movabs rax, cond_call */
    uint64_t fn = (uint64_t)(uintptr_t)cond_call;
    memcpy(*p, &fn, 8);
    *p += 8;
    emit(p, (const uint8_t[]){ 0xff, 0xd0 }, 2);                   /* call rax */
    emit(p, (const uint8_t[]){ 0x84, 0xc0 }, 2);                   /* test al, al */
    return CC_NE;
}

/* SETcc r8 and CMOVcc reg, reg (4/8 bytes), as uop_setcc()/uop_cmov() */
static void emit_setcc_cmov(uint8_t **p, struct regmap *m, const struct uop *u,
                            const struct uop_simple *d, uint32_t known, bool live)
{
    static const uint8_t ld64[] = { 0x48, 0x8b }, ld32[] = { 0x8b };
    unsigned hc = emit_cond(p, known, live, u->cc & 15u);

    if (d->setcc) {
        emit(p, (const uint8_t[]){ 0x0f, (uint8_t)(0x90 | hc), 0xc1 }, 3); /* setcc cl */
        emit_flush_reg(p, m, u->reg / 8u);                         /* the byte goes via memory */
        emit_rbx(p, (const uint8_t[]){ 0x88 }, 1, RCX, (uint32_t)offsetof(struct cpu, regs) + u->reg);
        emit_reload_reg(p, m, u->reg / 8u);
        return;
    }
    /* movs leave the flags alone; a 32-bit CMOV zero-extends even when false */
    emit_gload(p, m, d->size == 8 ? ld64 : ld32, d->size == 8 ? 2 : 1, RAX, u->reg);
    emit_gload(p, m, d->size == 8 ? ld64 : ld32, d->size == 8 ? 2 : 1, RCX, u->rm);
    if (d->size == 8)
        emit8(p, 0x48);
    emit(p, (const uint8_t[]){ 0x0f, (uint8_t)(0x40 | hc), 0xc1 }, 3); /* cmovcc rax|eax, rcx|ecx */
    emit_gstore(p, m, RAX, u->reg);
}

/* JMP rel, Jcc or the fall-through exit, wholly in host code. */
static void emit_branch(struct native *n, uint8_t **p, struct tb *tb, uint8_t *head,
                        uint32_t off, const struct uop_branch *b, uint32_t known, bool live)
{
    if (b->cc < 0) {
        emit_exit_to(n, p, tb, head, off, 0, b->taken);
        return;
    }
    unsigned hc = emit_cond(p, known, live, (unsigned)b->cc);
    emit(p, (const uint8_t[]){ 0x0f, (uint8_t)(0x80 | hc) }, 2);   /* jcc taken */
    uint8_t *taken = *p;
    emit32(p, 0);
    emit_exit_to(n, p, tb, head, off, 1, b->not_taken);
    patch_here(p, taken);
    emit_exit_to(n, p, tb, head, off, 0, b->taken);
}

/* Call micro-op i through its fn pointer, as the dispatch loop would. */
static void emit_call(uint8_t **p, uint32_t off)
{
    emit(p, (const uint8_t[]){ 0x49, 0x8d, 0xb4, 0x24 }, 4);       /* lea rsi, [r12+off] */
    emit32(p, off);
    emit(p, (const uint8_t[]){ 0x48, 0x89, 0xb3 }, 3);             /* mov [rbx+cur], rsi */
    emit32(p, (uint32_t)offsetof(struct cpu, cur));
    emit(p, (const uint8_t[]){ 0x48, 0x89, 0xdf }, 3);             /* mov rdi, rbx */
    emit(p, (const uint8_t[]){ 0x41, 0xff, 0x94, 0x24 }, 4);       /* call [r12+off] */
    emit32(p, off + (uint32_t)offsetof(struct uop, fn));
}

/*
 * Leave for the guest RIP in rax (RET, JMP/CALL through a register, a
 * direct exit to another page): into the block this exit went to last
 * time (its chain slot `slot`, see uop_lookup_remember()) when that
 * block starts at this address in this mode and the code TLB still maps
 * its page to the same physical page, with no interrupt, NMI or shadow
 * waiting -- the checks uop_goto_indirect() makes; otherwise through
 * uop_lookup_remember().
 */
static void emit_ret_target(struct native *n, uint8_t **p, const struct tb *tb, uint32_t off,
                            int slot, bool kernel)
{
    uint32_t tlb = (uint32_t)offsetof(struct cpu, tlb);
    uint8_t *miss[12];
    unsigned nm = 0;

    emit_rbx(p, (const uint8_t[]){ 0x48, 0x89 }, 2, RAX, (uint32_t)offsetof(struct cpu, rip));
    if (!(tb->hflags & (HF_ONE_INSN | HF_SHADOW_END)) && tb->cs_base == (uint64_t)(int64_t)(int32_t)tb->cs_base) {
        emit(p, (const uint8_t[]){ 0x49, 0x8b, 0xbc, 0x24 }, 4);   /* mov rdi, [r12+chain] */
        emit32(p, off + (uint32_t)(offsetof(struct uop, chain) + 8 * (unsigned)slot));
        emit(p, (const uint8_t[]){ 0x48, 0x85, 0xff }, 3);         /* test rdi, rdi */
        miss[nm++] = emit_jcc_fwd(p, CC_E);
        emit(p, (const uint8_t[]){ 0x48, 0x8d, 0xb0 }, 3);         /* lea rsi, [rax+cs_base] */
        emit32(p, (uint32_t)tb->cs_base);
        emit(p, (const uint8_t[]){ 0x48, 0x3b, 0xb7 }, 3);         /* cmp rsi, [rdi+pc] */
        emit32(p, (uint32_t)offsetof(struct tb, pc));
        miss[nm++] = emit_jcc_fwd(p, CC_NE);
        emit(p, (const uint8_t[]){ 0x81, 0xbf }, 2);               /* cmp dword [rdi+hflags], key */
        emit32(p, (uint32_t)offsetof(struct tb, hflags));
        emit32(p, tb->hflags);
        miss[nm++] = emit_jcc_fwd(p, CC_NE);
        emit(p, (const uint8_t[]){ 0x48, 0x81, 0xbf }, 3);         /* cmp qword [rdi+cs_base], base */
        emit32(p, (uint32_t)offsetof(struct tb, cs_base));
        emit32(p, (uint32_t)tb->cs_base);
        miss[nm++] = emit_jcc_fwd(p, CC_NE);
        if (!(tb->hflags & HF_CS64)) {
            emit(p, (const uint8_t[]){ 0x81, 0xbf }, 2);           /* cmp dword [rdi+cs_limit], limit */
            emit32(p, (uint32_t)offsetof(struct tb, cs_limit));
            emit32(p, tb->cs_limit);
            miss[nm++] = emit_jcc_fwd(p, CC_NE);
        }
        emit(p, (const uint8_t[]){ 0xf7, 0x83 }, 2);               /* test dword [hflags], INHIBIT */
        emit32(p, (uint32_t)offsetof(struct cpu, hflags));
        emit32(p, HF_INHIBIT);
        miss[nm++] = emit_jcc_fwd(p, CC_NE);
        _Static_assert(sizeof(((struct cpu *)0)->intr_line) == 1, "byte compare");
        _Static_assert(sizeof(((struct cpu *)0)->nmi_pending) == 1, "byte compare");
        /* an INTR the vCPU can take now (line high with IF set) goes to the loop */
        emit(p, (const uint8_t[]){ 0x80, 0xbb }, 2);               /* cmp byte [intr_line], 0 */
        emit32(p, (uint32_t)offsetof(struct cpu, intr_line));
        emit8(p, 0);
        uint8_t *no_intr = emit_jcc_fwd(p, CC_E);
        _Static_assert(sizeof(((struct cpu *)0)->eflags) == 4, "dword test");
        emit(p, (const uint8_t[]){ 0xf7, 0x83 }, 2);               /* test dword [eflags], IF */
        emit32(p, (uint32_t)offsetof(struct cpu, eflags));
        emit32(p, EFLAGS_IF);
        miss[nm++] = emit_jcc_fwd(p, CC_NE);
        patch_here(p, no_intr);
        emit(p, (const uint8_t[]){ 0x80, 0xbb }, 2);               /* cmp byte [nmi_pending], 0 */
        emit32(p, (uint32_t)offsetof(struct cpu, nmi_pending));
        emit8(p, 0);
        miss[nm++] = emit_jcc_fwd(p, CC_NE);
        /* the code TLB entry of pc (rsi) maps the block's physical address */
        emit_tlb_index(p, kernel);
        emit(p, (const uint8_t[]){ 0x48, 0x89, 0xf2 }, 3);         /* mov rdx, rsi */
        emit(p, (const uint8_t[]){ 0x48, 0x81, 0xe2 }, 3);         /* and rdx, PAGE_MASK */
        emit32(p, (uint32_t)PAGE_MASK);
        emit(p, (const uint8_t[]){ 0x48, 0x3b, 0x94, 0x0b }, 4);   /* cmp rdx, [rbx+rcx+tag_x] */
        emit32(p, tlb + (uint32_t)offsetof(struct tlb_entry, tag_x));
        miss[nm++] = emit_jcc_fwd(p, CC_NE);
        emit(p, (const uint8_t[]){ 0x48, 0x89, 0xf2 }, 3);         /* mov rdx, rsi */
        emit(p, (const uint8_t[]){ 0x81, 0xe2 }, 2);               /* and edx, ~PAGE_MASK */
        emit32(p, (uint32_t)~PAGE_MASK);
        emit(p, (const uint8_t[]){ 0x48, 0x0b, 0x94, 0x0b }, 4);   /* or rdx, [rbx+rcx+paddr] */
        emit32(p, tlb + (uint32_t)offsetof(struct tlb_entry, paddr));
        emit(p, (const uint8_t[]){ 0x48, 0x3b, 0x97 }, 3);         /* cmp rdx, [rdi+phys_pc] */
        emit32(p, (uint32_t)offsetof(struct tb, phys_pc));
        miss[nm++] = emit_jcc_fwd(p, CC_NE);
        emit(p, (const uint8_t[]){ 0x48, 0x89, 0xf8 }, 3);         /* mov rax, rdi */
        miss[nm] = emit_enter_tb(n, p, &miss[nm + 1]);
        nm += 2;
        for (unsigned k = 0; k < nm; k++)
            patch_here(p, miss[k]);
    }
    emit(p, (const uint8_t[]){ 0x48, 0x89, 0xdf }, 3);             /* mov rdi, rbx */
    emit(p, (const uint8_t[]){ 0x49, 0x8d, 0xb4, 0x24 }, 4);       /* lea rsi, [r12+off] */
    emit32(p, off);
    emit_rbx(p, (const uint8_t[]){ 0x48, 0x8b }, 2, RDX, (uint32_t)offsetof(struct cpu, rip));
    emit8(p, 0xb9);                                                /* mov ecx, slot */
    emit32(p, (uint32_t)slot);
    emit(p, (const uint8_t[]){ 0x48, 0xb8 }, 2);                   /* movabs rax, uop_lookup_remember */
    uint64_t fn = (uint64_t)(uintptr_t)uop_lookup_remember;
    memcpy(*p, &fn, 8);
    *p += 8;
    emit(p, (const uint8_t[]){ 0xff, 0xd0 }, 2);                   /* call rax */
    emit_exit(n, p);
}

/*
 * PUSH/POP reg, CALL rel and RET [imm] of 64-bit mode with the stack
 * access through the soft-TLB hit path (a miss, or a non-canonical RSP,
 * which no TLB tag matches, jumps to *slow to call the handler).  CALL
 * then leaves like JMP rel; RET through uop_goto_indirect() and the
 * block's own exit.
 */
static void emit_stack(struct native *n, uint8_t **p, struct regmap *m,
                       struct tb *tb, uint32_t off, enum uop_stack kind, bool kernel,
                       uint8_t **slow)
{
    const struct uop *u = (const struct uop *)((const uint8_t *)tb->ops + off);
    static const uint8_t ld64[] = { 0x48, 0x8b };
    bool load = kind == STK_POP64 || kind == STK_RET64;

    if (kind == STK_JMP_IND64) {                                   /* no stack access */
        emit_gload(p, m, ld64, 2, RAX, u->reg);
        emit_flush(p, m);
        emit_ret_target(n, p, tb, off, 0, kernel);
        return;
    }
    if (kind == STK_CALL_IND64)
        emit_gload(p, m, ld64, 2, RDI, u->reg);                /* the target, read first */
    emit_gload(p, m, ld64, 2, RSI, 4);                         /* mov rsi, [rsp] */
    if (!load)
        emit(p, (const uint8_t[]){ 0x48, 0x83, 0xee, 0x08 }, 4);   /* sub rsi, 8 */
    emit_tlb(p, load, 8, kernel, slow);
    switch (kind) {
    case STK_PUSH64:
        emit_gload(p, m, ld64, 2, RAX, u->reg);
        emit(p, (const uint8_t[]){ 0x48, 0x89, 0x04, 0x16 }, 4);   /* mov [rsi+rdx], rax */
        emit_gstore(p, m, RSI, 4);
        break;
    case STK_POP64:
        emit(p, (const uint8_t[]){ 0x48, 0x8b, 0x04, 0x16 }, 4);   /* mov rax, [rsi+rdx] */
        emit(p, (const uint8_t[]){ 0x48, 0x83, 0xc6, 0x08 }, 4);   /* add rsi, 8 */
        emit_gstore(p, m, RSI, 4);
        emit_gstore(p, m, RAX, u->reg);
        break;
    case STK_CALL64:
    case STK_CALL_IND64: {
        uint64_t ret = u->rip + u->len;
        emit(p, (const uint8_t[]){ 0x48, 0xb8 }, 2);               /* movabs rax, return RIP */
        memcpy(*p, &ret, 8);
        *p += 8;
        emit(p, (const uint8_t[]){ 0x48, 0x89, 0x04, 0x16 }, 4);   /* mov [rsi+rdx], rax */
        emit_gstore(p, m, RSI, 4);
        emit_flush(p, m);
        if (kind == STK_CALL64) {
            emit_goto(n, p, tb, off, 0, u->imm);
        } else {
            emit(p, (const uint8_t[]){ 0x48, 0x89, 0xf8 }, 3);     /* mov rax, rdi */
            emit_ret_target(n, p, tb, off, 0, kernel);
        }
        break;
    }
    case STK_RET64:
        emit(p, (const uint8_t[]){ 0x48, 0x8b, 0x04, 0x16 }, 4);   /* mov rax, [rsi+rdx] */
        emit(p, (const uint8_t[]){ 0x48, 0x8d, 0xb6 }, 3);         /* lea rsi, [rsi+8+imm] */
        emit32(p, (uint32_t)(8 + u->imm));
        emit_gstore(p, m, RSI, 4);
        emit_flush(p, m);                  /* rax is kept: flushing uses the cache registers */
        emit_ret_target(n, p, tb, off, 0, kernel);
        break;
    default:
        break;
    }
}

/* offset of XMM register r in struct cpu */
static uint32_t xmm_off(unsigned r)
{
    return (uint32_t)(offsetof(struct cpu, fpu.xmm) + 16 * r);
}

/*
 * The MMX/SSE micro-ops compilers emit for memcpy/memset/strlen and struct
 * copies (uop_sse_desc), with host xmm0/xmm1 as scratch and the soft-TLB
 * hit path inline (64-bit addressing).  A memory access that misses, or a
 * misaligned operand of an aligned form, jumps to *slow (and *slow2) to
 * call the handler, which does the whole instruction (and raises #GP).
 */
static void emit_sse(uint8_t **p, struct regmap *m, const struct uop *u,
                     const struct uop_sse *d, bool kernel, uint8_t **slow, uint8_t **slow2)
{
    static const uint8_t movdqu_ld[] = { 0xf3, 0x0f, 0x6f }, movdqu_st[] = { 0xf3, 0x0f, 0x7f };
    static const uint8_t movq_ld[] = { 0xf3, 0x0f, 0x7e }, movq_st[] = { 0x66, 0x0f, 0xd6 };
    const uint8_t *ld = d->size == 16 ? movdqu_ld : movq_ld;

    *slow = *slow2 = NULL;
    if (d->kind == SSE_MOVMSK) {
        emit_rbx(p, movdqu_ld, 3, 0, xmm_off(u->rm));             /* movdqu xmm0, [rm] */
        emit(p, (const uint8_t[]){ 0x66, 0x0f, 0xd7, 0xc0 }, 4);   /* pmovmskb eax, xmm0 */
        emit_gstore(p, m, RAX, u->reg);
        return;
    }
    if (d->mem) {
        emit_ea(p, m, u, true);
        if (d->align && d->size == 16) {
            emit(p, (const uint8_t[]){ 0x40, 0xf6, 0xc6, 0x0f }, 4); /* test sil, 15 */
            emit(p, (const uint8_t[]){ 0x0f, 0x85 }, 2);           /* jnz slow */
            *slow2 = *p;
            emit32(p, 0);
        }
        emit_tlb(p, d->kind != SSE_STORE, d->size, kernel, slow);
        emit(p, (const uint8_t[]){ 0x48, 0x01, 0xd6 }, 3);         /* add rsi, rdx */
    }
    switch (d->kind) {
    case SSE_STORE:
        emit_rbx(p, movdqu_ld, 3, 0, xmm_off(u->rm));             /* movdqu xmm0, [rm] */
        emit(p, d->size == 16 ? movdqu_st : movq_st, 3);
        emit8(p, 0x06);                                            /* [rsi], xmm0 */
        break;
    case SSE_LOAD:
        if (d->mem) {
            emit(p, ld, 3);
            emit8(p, 0x06);                                        /* xmm0, [rsi] */
        } else {
            emit_rbx(p, ld, 3, 0, xmm_off(u->rm));                /* xmm0, [rm] */
        }
        emit_rbx(p, movdqu_st, 3, 0, xmm_off(u->reg));            /* movdqu [reg], xmm0 */
        break;
    default: /* SSE_OP */
        emit_rbx(p, movdqu_ld, 3, 0, xmm_off(u->reg));            /* movdqu xmm0, [reg] */
        if (d->mem) {
            emit(p, movdqu_ld, 3);
            emit8(p, 0x0e);                                        /* movdqu xmm1, [rsi] */
        } else {
            emit_rbx(p, movdqu_ld, 3, 1, xmm_off(u->rm));         /* movdqu xmm1, [rm] */
        }
        emit(p, (const uint8_t[]){ 0x66, 0x0f, d->host_op, 0xc1 }, 4); /* op xmm0, xmm1 */
        emit_rbx(p, movdqu_st, 3, 0, xmm_off(u->reg));            /* movdqu [reg], xmm0 */
        break;
    }
}

/* After calling micro-op `off`: a result other than the next micro-op leaves. */
static void emit_unless_next(struct native *n, uint8_t **p, uint32_t off)
{
    emit(p, (const uint8_t[]){ 0x49, 0x8d, 0x8c, 0x24 }, 4);       /* lea rcx, [r12+next] */
    emit32(p, off + (uint32_t)sizeof(struct uop));
    emit(p, (const uint8_t[]){ 0x48, 0x39, 0xc8 }, 3);             /* cmp rax, rcx */
    emit(p, (const uint8_t[]){ 0x0f, 0x85 }, 2);                   /* jne exit */
    emit_rel32(p, n->exit_stub);
}

/* Compare the running block's invalid flag (r12 = its micro-ops) with 0. */
static void emit_cmp_invalid(uint8_t **p)
{
    emit(p, (const uint8_t[]){ 0x41, 0x80, 0xbc, 0x24 }, 4);       /* cmp byte [r12-k], 0 */
    emit32(p, (uint32_t)(int32_t)((int)offsetof(struct tb, invalid)
                                  - (int)offsetof(struct tb, ops)));
    emit8(p, 0);
}

/*
 * Before host code that does a micro-op's work after a call: the call
 * may have invalidated this running block (self-modifying code), and then
 * the micro-op's fn now leaves the block, so call it instead.
 */
static void emit_unless_invalid(struct native *n, uint8_t **p, struct regmap *m, uint32_t off)
{
    emit_cmp_invalid(p);
    emit(p, (const uint8_t[]){ 0x74, 0x00 }, 2);                   /* je inline */
    uint8_t *je = *p - 1;
    struct regmap out = *m;
    emit_flush(p, &out);
    emit_call(p, off);
    emit8(p, 0xe9);                                                /* jmp exit */
    emit_rel32(p, n->exit_stub);
    *je = (uint8_t)(*p - (je + 1));
}

/* Does host code for this micro-op access guest memory (so it can miss and call)? */
static bool touches_mem(const struct uop_simple *d)
{
    return d->load || d->store || d->mem_alu || d->mem_src;
}

/*
 * Are the lazy flags that micro-op i sets (cc_op) dead: overwritten
 * whole by a later micro-op of the block that host code does itself,
 * with only register MOVs between, so that nothing can fault, exit or
 * read them in between?  INC/DEC reads the carry, so it overwrites only
 * flags whose carry host code knows without them (LOGIC: 0).  NOP, NOT
 * and shifts by CL (a count of 0 leaves the flags) neither read nor
 * overwrite them; ADC/SBB read the carry; rotates and double shifts keep
 * flags (and may be handler calls): the search stops at them.
 */
static bool flags_dead_after(const struct tb *tb, unsigned i, uint32_t cc_op)
{
    for (unsigned j = i + 1; j + 1 < tb->nuops; j++) {
        struct uop_simple d;
        if (!uop_simple_desc(&tb->ops[j], &d) || touches_mem(&d))
            return false;
        if (d.setcc || d.cmov || d.carry || d.shift >= 4)
            return false;               /* they read (or may keep) the flags */
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
enum how { HOW_CALL, HOW_SIMPLE, HOW_STACK, HOW_BRANCH, HOW_SSE };

static enum how classify(const struct tb *tb, unsigned i, struct uop_simple *d,
                         enum uop_stack *sk, struct uop_branch *br, struct uop_sse *sd)
{
    const struct uop *u = &tb->ops[i];
    bool last = i + 1 == tb->nuops;

    if (!last && uop_simple_desc(u, d)
        && (!touches_mem(d) || u->asize == 8)   /* 16/32-bit addressing wraps */
        && (d->shift < 4 || flags_dead_after(tb, i, 0)))  /* rotates: flags unused */
        return HOW_SIMPLE;
    if (!last && uop_sse_desc(u, sd) && (!sd->mem || u->asize == 8))
        return HOW_SSE;
    *sk = uop_stack_kind(u);
    if (*sk != STK_NONE && last == (*sk != STK_PUSH64 && *sk != STK_POP64))
        return HOW_STACK;
    if (last && uop_branch_desc(u, br))
        return HOW_BRANCH;
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
            uses[4]++;
            if (sk == STK_PUSH64 || sk == STK_POP64 || sk == STK_CALL_IND64 || sk == STK_JMP_IND64)
                uses[u->reg]++;
            break;
        default:
            break;
        }
    }
    memset(m->host, -1, sizeof m->host);
    for (unsigned k = 0; k < sizeof cache_hregs; k++) {
        unsigned best = 16;
        for (unsigned r = 0; r < 16; r++)
            if (m->host[r] < 0 && uses[r] >= 2 && (best == 16 || uses[r] > uses[best]))
                best = r;
        if (best == 16)
            break;
        m->host[best] = (int8_t)cache_hregs[k];
    }
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

    /* chained entry, from a patched exit jump: what uop_goto() does on entry */
    emit(&p, (const uint8_t[]){ 0x49, 0xbc }, 2);                  /* movabs r12, ops */
    uint64_t ops = (uint64_t)(uintptr_t)tb->ops;
    memcpy(p, &ops, 8);
    p += 8;
    emit(&p, (const uint8_t[]){ 0x48, 0xb8 }, 2);                  /* movabs rax, tb */
    uint64_t self = (uint64_t)(uintptr_t)tb;
    memcpy(p, &self, 8);
    p += 8;
    emit_rbx(&p, (const uint8_t[]){ 0x48, 0x89 }, 2, RAX, (uint32_t)offsetof(struct cpu, cur_tb));
    emit(&p, (const uint8_t[]){ 0x48, 0x81, 0xab }, 3);            /* sub qword [budget], ninsns */
    emit32(&p, (uint32_t)offsetof(struct cpu, budget));
    emit32(&p, tb->ninsns);
    emit(&p, (const uint8_t[]){ 0x48, 0x81, 0x83 }, 3);            /* add qword [icount], ninsns */
    emit32(&p, (uint32_t)offsetof(struct cpu, icount));
    emit32(&p, tb->ninsns);
    emit(&p, (const uint8_t[]){ 0x48, 0x83, 0x83 }, 3);            /* add qword [tb_chained], 1 */
    emit32(&p, (uint32_t)offsetof(struct cpu, stats.tb_chained));
    emit8(&p, 1);
    uint8_t *entry = p;             /* the entry everything else uses */
    bool after_call = false;
    uint32_t known = CC_UNKNOWN;    /* lazy-flag op host code stored last, if known */
    bool live = false;              /* its operands still in registers (emit_host_flags) */
    /* out-of-line slow paths of inlined memory accesses: jne site, micro-op,
     * resume (NULL: the block's last micro-op, which leaves) */
    struct { uint8_t *jne, *jne2, *resume; uint32_t off; uint16_t dirty; } slow[TB_MAX_UOPS];
    unsigned nslow = 0;
    struct regmap m;
    bool kernel = (tb->hflags & HF_CPL_MASK) != 3;

    choose_regs(tb, &m);
    emit_reload(&p, &m);
    uint8_t *head = p;              /* where the block loops back to (emit_exit_to) */
    if (tb->jit) {
        /* -d jit: count entries (every way in passes here) */
        emit(&p, (const uint8_t[]){ 0x49, 0x83, 0x84, 0x24 }, 4);  /* add qword [r12-k], 1 */
        emit32(&p, (uint32_t)(int32_t)((int)offsetof(struct tb, jit_execs)
                                       - (int)offsetof(struct tb, ops)));
        emit8(&p, 1);
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
        case HOW_SIMPLE:
            if (d.alu || d.imul || d.shift || d.incdec || d.unary == 2)
                d.flags_dead = flags_dead_after(tb, i, d.cc_op);
            bool was_live = live;
            live = false;
            if (touches_mem(&d)) {
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
                emit_setcc_cmov(&p, &m, u, &d, known, was_live);
                after_call = false;
            } else if (d.incdec) {
                emit_incdec(&p, &m, u, &d, known);
                known = d.cc_op;
                live = true;
                after_call = false;
            } else if (d.nop) {
                live = was_live;            /* nothing emitted */
                after_call = false;
            } else {
                emit_simple(&p, &m, u, &d, known);
                if (d.alu || d.imul || (d.shift && d.shift < 4 && !d.count_cl) || d.unary == 2)
                    known = d.cc_op;
                else if (d.shift && d.count_cl && d.shift < 4)
                    known = CC_UNKNOWN;     /* a count of 0 kept the flags before */
                /* NOT, and rotates (flags dead): the stored state is unchanged */
                live = d.alu || d.unary == 2;
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
        uint8_t *site = slow[k].jne;
        int32_t rel = (int32_t)(p - (site + 4));
        memcpy(site, &rel, 4);
        if (slow[k].jne2) {
            rel = (int32_t)(p - (slow[k].jne2 + 4));
            memcpy(slow[k].jne2, &rel, 4);
        }
        struct regmap at = m;                  /* the cache as it was at the access */
        at.dirty = slow[k].dirty;
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
        emit(&p, (const uint8_t[]){ 0x0f, 0x85 }, 2);              /* jne out (rax = next) */
        emit_rel32(&p, n->exit_out);
        emit_reload(&p, &m);                                       /* the handler may have written */
        emit8(&p, 0xe9);                                           /* jmp resume */
        emit_rel32(&p, slow[k].resume);
    }
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

#endif
