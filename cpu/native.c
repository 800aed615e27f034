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
 * block's first micro-op.  After each call, a result other than the next
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

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <sys/mman.h>

#define CODE_BYTES   (64u << 20)
#define BYTES_PER_UOP 48u
#define STUB_BYTES   128u

struct native {
    uint8_t *buf, *p, *end;
    const void *(*enter)(struct cpu *cpu, const void *code, const struct uop *ops);
    uint8_t *exit_stub;
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

static void emit_stubs(struct native *n)
{
    uint8_t *p = n->buf;
    uint8_t *jz1, *jne, *jz2;

    /* enter(cpu = rdi, code = rsi, ops = rdx) */
    n->enter = (const void *(*)(struct cpu *, const void *, const struct uop *))(void *)p;
    emit(&p, (const uint8_t[]){ 0x53, 0x41, 0x54, 0x41, 0x55 }, 5); /* push rbx, r12, r13 */
    emit(&p, (const uint8_t[]){ 0x48, 0x89, 0xfb }, 3);             /* mov rbx, rdi */
    emit(&p, (const uint8_t[]){ 0x49, 0x89, 0xd4 }, 3);             /* mov r12, rdx */
    emit(&p, (const uint8_t[]){ 0xff, 0xe6 }, 2);                   /* jmp rsi */

    /* exit stub: rax = what the last handler returned */
    n->exit_stub = p;
    emit(&p, (const uint8_t[]){ 0x48, 0x85, 0xc0 }, 3);             /* test rax, rax */
    emit8(&p, 0x74); jz1 = p; emit8(&p, 0);                         /* jz out */
    emit(&p, (const uint8_t[]){ 0x48, 0x8b, 0x8b }, 3);             /* mov rcx, [rbx+cur_tb] */
    emit32(&p, (uint32_t)offsetof(struct cpu, cur_tb));
    emit(&p, (const uint8_t[]){ 0x48, 0x8d, 0x91 }, 3);             /* lea rdx, [rcx+ops] */
    emit32(&p, (uint32_t)offsetof(struct tb, ops));
    emit(&p, (const uint8_t[]){ 0x48, 0x39, 0xd0 }, 3);             /* cmp rax, rdx */
    emit8(&p, 0x75); jne = p; emit8(&p, 0);                         /* jne out */
    emit(&p, (const uint8_t[]){ 0x48, 0x8b, 0x91 }, 3);             /* mov rdx, [rcx+native] */
    emit32(&p, (uint32_t)offsetof(struct tb, native));
    emit(&p, (const uint8_t[]){ 0x48, 0x85, 0xd2 }, 3);             /* test rdx, rdx */
    emit8(&p, 0x74); jz2 = p; emit8(&p, 0);                         /* jz out */
    emit(&p, (const uint8_t[]){ 0x49, 0x89, 0xc4 }, 3);             /* mov r12, rax */
    emit(&p, (const uint8_t[]){ 0xff, 0xe2 }, 2);                   /* jmp rdx */
    uint8_t *out = p;
    emit(&p, (const uint8_t[]){ 0x41, 0x5d, 0x41, 0x5c, 0x5b, 0xc3 }, 6); /* pop r13, r12, rbx; ret */
    *jz1 = (uint8_t)(out - (jz1 + 1));
    *jne = (uint8_t)(out - (jne + 1));
    *jz2 = (uint8_t)(out - (jz2 + 1));
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

    return !n || n->p + (size_t)nuops * BYTES_PER_UOP + 16 <= n->end;
}

/* All blocks were flushed: start filling from the front again. */
void native_reset(struct cpu *cpu)
{
    struct native *n = cpu->native;

    if (n)
        n->p = n->buf + STUB_BYTES;
}

void native_gen(struct cpu *cpu, struct tb *tb)
{
    struct native *n = cpu->native;
    uint8_t *p;

    tb->native = NULL;
    if (!n || n->p + (size_t)tb->nuops * BYTES_PER_UOP + 16 > n->end)
        return;
    p = n->p;
    uint8_t *start = p;
    for (unsigned i = 0; i < tb->nuops; i++) {
        uint32_t off = (uint32_t)(i * sizeof(struct uop));   /* from r12 = tb->ops */
        emit(&p, (const uint8_t[]){ 0x49, 0x8d, 0xb4, 0x24 }, 4);  /* lea rsi, [r12+off] */
        emit32(&p, off);
        emit(&p, (const uint8_t[]){ 0x48, 0x89, 0xb3 }, 3);        /* mov [rbx+cur], rsi */
        emit32(&p, (uint32_t)offsetof(struct cpu, cur));
        emit(&p, (const uint8_t[]){ 0x48, 0x89, 0xdf }, 3);        /* mov rdi, rbx */
        emit(&p, (const uint8_t[]){ 0x41, 0xff, 0x94, 0x24 }, 4);  /* call [r12+off] */
        emit32(&p, off + (uint32_t)offsetof(struct uop, fn));
        if (i + 1 < tb->nuops) {
            emit(&p, (const uint8_t[]){ 0x49, 0x8d, 0x8c, 0x24 }, 4); /* lea rcx, [r12+next] */
            emit32(&p, off + (uint32_t)sizeof(struct uop));
            emit(&p, (const uint8_t[]){ 0x48, 0x39, 0xc8 }, 3);    /* cmp rax, rcx */
            emit(&p, (const uint8_t[]){ 0x0f, 0x85 }, 2);          /* jne exit */
            emit_rel32(&p, n->exit_stub);
        } else {
            emit8(&p, 0xe9);                                       /* jmp exit */
            emit_rel32(&p, n->exit_stub);
        }
    }
    n->p = p;
    tb->native = start;
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
void native_gen(struct cpu *cpu, struct tb *tb) { (void)cpu; tb->native = NULL; }
const struct uop *native_run(struct cpu *cpu, struct tb *tb) { (void)cpu; return tb->ops; }

#endif
