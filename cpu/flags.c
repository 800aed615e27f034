/*
 * cpu/flags.c: lazy arithmetic flags (SDM vol. 1, 3.4.3; appendix A of
 * vol. 1 for which instruction defines what).  cc_op says how to rebuild
 * CF PF AF ZF SF OF from cc_dst (result), cc_src (second operand) and
 * cc_src2 (first operand).  ADC/SBB need no extra field: the carry-in is
 * recovered as (res - op1 - op2) resp. (op1 - op2 - res) modulo the size.
 * Flags the SDM leaves undefined get what common Intel hardware gives:
 * AF = 0 after logic, shift and multiply operations.
 */
#include "cpu/cpu-internal.h"

static const uint8_t parity_table[256] = {
#define P2(n) n, n ^ 1, n ^ 1, n
#define P4(n) P2(n), P2(n ^ 1), P2(n ^ 1), P2(n)
#define P6(n) P4(n), P4(n ^ 1), P4(n ^ 1), P4(n)
    P6(1), P6(0), P6(0), P6(1)
#undef P2
#undef P4
#undef P6
};

static inline uint32_t pf_of(uint64_t res)
{
    return parity_table[res & 0xff] ? EFLAGS_PF : 0;
}

static inline uint32_t szp(uint64_t res, unsigned bits)
{
    uint64_t m = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint32_t f = pf_of(res);

    if (!(res & m))
        f |= EFLAGS_ZF;
    if ((res >> (bits - 1)) & 1)
        f |= EFLAGS_SF;
    return f;
}

uint32_t cc_compute_all(const struct cpu *cpu)
{
    unsigned op = cpu->cc_op;
    unsigned sz = (op - 1) & 3, bits = 8u << sz;
    uint64_t m = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t res = cpu->cc_dst & m, src = cpu->cc_src & m, src2 = cpu->cc_src2 & m;
    uint64_t sign = 1ull << (bits - 1);
    uint32_t f;

    if (op == CC_OP_EFLAGS)
        return cpu->eflags & EFLAGS_ARITH;
    switch ((op - 1) >> 2) {
    case 0: /* ADD */
        f = szp(res, bits);
        if (res < src2) f |= EFLAGS_CF;
        if ((~(src2 ^ src) & (src2 ^ res)) & sign) f |= EFLAGS_OF;
        f |= (uint32_t)((src2 ^ src ^ res) & EFLAGS_AF);
        return f;
    case 1: { /* ADC */
        uint64_t cin = (res - src2 - src) & m;
        f = szp(res, bits);
        if (cin ? res <= src2 : res < src2) f |= EFLAGS_CF;
        if ((~(src2 ^ src) & (src2 ^ res)) & sign) f |= EFLAGS_OF;
        f |= (uint32_t)((src2 ^ src ^ res) & EFLAGS_AF);
        return f;
    }
    case 2: /* SUB */
        f = szp(res, bits);
        if (src2 < src) f |= EFLAGS_CF;
        if (((src2 ^ src) & (src2 ^ res)) & sign) f |= EFLAGS_OF;
        f |= (uint32_t)((src2 ^ src ^ res) & EFLAGS_AF);
        return f;
    case 3: { /* SBB */
        uint64_t cin = (src2 - src - res) & m;
        f = szp(res, bits);
        if (cin ? src2 <= src : src2 < src) f |= EFLAGS_CF;
        if (((src2 ^ src) & (src2 ^ res)) & sign) f |= EFLAGS_OF;
        f |= (uint32_t)((src2 ^ src ^ res) & EFLAGS_AF);
        return f;
    }
    case 4: /* LOGIC */
        return szp(res, bits);
    case 5: /* INC: src = old CF */
        f = szp(res, bits) | (cpu->cc_src ? EFLAGS_CF : 0);
        if (res == sign) f |= EFLAGS_OF;
        if ((res & 0xf) == 0) f |= EFLAGS_AF;
        return f;
    case 6: /* DEC */
        f = szp(res, bits) | (cpu->cc_src ? EFLAGS_CF : 0);
        if (res == sign - 1) f |= EFLAGS_OF;
        if ((res & 0xf) == 0xf) f |= EFLAGS_AF;
        return f;
    case 7: /* SHL: src = value shifted by count - 1 */
        f = szp(res, bits);
        if (src & sign) f |= EFLAGS_CF;
        if (((res ^ (src & sign ? sign : 0)) & sign)) f |= EFLAGS_OF;
        return f;
    case 8: /* SAR/SHR: src = value shifted by count - 1 */
        f = szp(res, bits);
        if (src & 1) f |= EFLAGS_CF;
        if ((src ^ res) & sign) f |= EFLAGS_OF;
        return f;
    case 9: /* MUL */
        f = szp(res, bits);
        if (cpu->cc_src) f |= EFLAGS_CF | EFLAGS_OF;
        return f;
    }
    return 0;
}

bool cc_compute_cf_slow(const struct cpu *cpu)
{
    unsigned op = cpu->cc_op;

    if (op == CC_OP_EFLAGS)
        return cpu->eflags & EFLAGS_CF;
    if (op >= CC_OP_ADDB && op <= CC_OP_ADDQ) {
        uint64_t m = size_mask(1u << (op - CC_OP_ADDB));
        return (cpu->cc_dst & m) < (cpu->cc_src2 & m);
    }
    if (op >= CC_OP_SUBB && op <= CC_OP_SUBQ) {
        uint64_t m = size_mask(1u << (op - CC_OP_SUBB));
        return (cpu->cc_src2 & m) < (cpu->cc_src & m);
    }
    if (op >= CC_OP_LOGICB && op <= CC_OP_LOGICQ)
        return false;
    if (op >= CC_OP_INCB && op <= CC_OP_DECQ)
        return cpu->cc_src != 0;
    if (op >= CC_OP_MULB && op <= CC_OP_MULQ)
        return cpu->cc_src != 0;
    return cc_compute_all(cpu) & EFLAGS_CF;
}

uint64_t cpu_get_rflags(const struct cpu *cpu)
{
    return (cpu->eflags & ~EFLAGS_ARITH) | cc_compute_all(cpu) | EFLAGS_FIXED;
}

void cpu_set_rflags(struct cpu *cpu, uint64_t value, uint64_t mask)
{
    uint32_t cur = (uint32_t)cpu_get_rflags(cpu);

    cpu->eflags = (uint32_t)((cur & ~mask) | (value & mask)) | EFLAGS_FIXED;
    cpu->cc_op = CC_OP_EFLAGS;
}
