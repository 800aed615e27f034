/*
 * bench/recurse.c: call-heavy code as ordinary C: a small stack-machine
 * bytecode interpreter running recursive Fibonacci, plus native recursive
 * Fibonacci and Ackermann.  Prints a checksum line and checks the results
 * against the closed values.
 */
#include "runtime.h"

enum { OP_PUSH, OP_ARG, OP_LT, OP_JZ, OP_SUB, OP_ADD, OP_CALL, OP_RET, OP_HALT };

struct insn { uint8_t op; int32_t arg; };

/* fib(n): if (n < 2) return n; return fib(n-1) + fib(n-2) */
static const struct insn prog[] = {
    /* 0: main */ { OP_PUSH, 0 /* patched with n */ }, { OP_CALL, 3 }, { OP_HALT, 0 },
    /* 3: fib  */ { OP_ARG, 0 }, { OP_PUSH, 2 }, { OP_LT, 0 }, { OP_JZ, 9 },
    /* 7 */      { OP_ARG, 0 }, { OP_RET, 0 },
    /* 9 */      { OP_ARG, 0 }, { OP_PUSH, 1 }, { OP_SUB, 0 }, { OP_CALL, 3 },
    /* 13 */     { OP_ARG, 0 }, { OP_PUSH, 2 }, { OP_SUB, 0 }, { OP_CALL, 3 },
    /* 17 */     { OP_ADD, 0 }, { OP_RET, 0 },
};

static int64_t stack[4096];

static int64_t run(int32_t n)
{
    int64_t *sp = stack;             /* operand stack, grows up */
    int32_t frames[512][2];          /* return pc, frame base (arg slot) */
    int fp = 0;
    int32_t pc = 0;
    int64_t *base = stack;

    for (;;) {
        const struct insn *i = &prog[pc++];
        switch (i->op) {
        case OP_PUSH: *sp++ = pc == 1 ? n : i->arg; break; /* main's push is n */
        case OP_ARG: *sp++ = base[i->arg]; break;
        case OP_LT: sp--; sp[-1] = sp[-1] < sp[0]; break;
        case OP_JZ: if (!*--sp) pc = i->arg; break;
        case OP_SUB: sp--; sp[-1] -= sp[0]; break;
        case OP_ADD: sp--; sp[-1] += sp[0]; break;
        case OP_CALL:
            frames[fp][0] = pc;
            frames[fp][1] = (int32_t)(base - stack);
            fp++;
            base = sp - 1;
            pc = i->arg;
            break;
        case OP_RET: {
            int64_t v = sp[-1];
            *base = v;               /* the result replaces the argument */
            sp = base + 1;
            fp--;
            pc = frames[fp][0];
            base = stack + frames[fp][1];
            break;
        }
        default:
            return sp[-1];
        }
    }
}

static uint64_t fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint64_t ack(uint64_t m, uint64_t n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

int main(void)
{
    uint64_t check = 0;
    bool ok = true;

    for (int r = 0; r < 24; r++) {
        int64_t v = run(24);
        ok &= v == 46368;
        check = check * 7 + (uint64_t)v;
    }
    for (int r = 0; r < 32; r++) {
        uint64_t f = fib(27 + (r & 1));
        ok &= f == ((r & 1) ? 317811u : 196418u);
        check ^= f << (r & 15);
    }
    for (unsigned n = 1; n <= 9; n++) {
        uint64_t v = ack(2, n) + ack(3, n);
        ok &= v == (2 * n + 3) + ((8ull << n) - 3);
        check += v * n;
    }
    printf("recurse: checksum %016llx self-check %s\n", (unsigned long long)check,
           ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
