/*
 * cpu/ops-bmi.c: the integer extensions with their own CPUID bits: BMI1
 * (ANDN, BEXTR, BLSI, BLSMSK, BLSR), BMI2 (BZHI, MULX, PDEP, PEXT, RORX,
 * SARX, SHLX, SHRX), ADX (ADCX, ADOX), MOVBE and SSE4.2's CRC32 (SDM
 * vol. 2, each instruction's page; POPCNT/LZCNT/TZCNT are in ops-int.c).
 *
 * Micro-op layout (tr_bmi): reg = destination general register (MULX:
 * the high half), rm = the E operand's register or UOP_NOREG when it is
 * memory (the uop's EA), imm2 = the B (VEX.vvvv) register or UOP_NOREG,
 * imm = immediate (RORX), aux = operation.
 *
 * Flags: as the SDM defines them; where it says "undefined" the value is
 * the one Intel and AMD hardware give for these (SF/PF from the result for
 * ANDN/BEXTR/BLS*, AF clear); the differential test masks them anyway.
 */
#include "cpu/translate.h"

static uint64_t e_operand(struct cpu *cpu, const struct uop *u, unsigned size)
{
    if (u->rm != UOP_NOREG)
        return reg_get(cpu, u->rm, size);
    return cpu_ld(cpu, uop_la(cpu, u), size);
}

static unsigned parity_flag(uint64_t v)
{
    return __builtin_parity((unsigned)(v & 0xff)) ? 0 : EFLAGS_PF;
}

/* ZF/SF/PF from a result, CF as given, OF and AF clear. */
static void set_logic_flags(struct cpu *cpu, uint64_t r, unsigned size, bool cf)
{
    uint32_t f = 0;

    r &= size_mask(size);
    if (!r)
        f |= EFLAGS_ZF;
    if (r >> (size * 8 - 1))
        f |= EFLAGS_SF;
    f |= parity_flag(r);
    if (cf)
        f |= EFLAGS_CF;
    cpu_set_arith_flags(cpu, f);
}

static uint64_t pdep(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;

    for (uint64_t bit = 1; mask; bit <<= 1) {
        uint64_t low = mask & -mask;
        if (src & bit)
            r |= low;
        mask &= mask - 1;
    }
    return r;
}

static uint64_t pext(uint64_t src, uint64_t mask)
{
    uint64_t r = 0, bit = 1;

    while (mask) {
        uint64_t low = mask & -mask;
        if (src & low)
            r |= bit;
        bit <<= 1;
        mask &= mask - 1;
    }
    return r;
}

/* VEX-encoded BMI1/BMI2 operations */
static const struct uop *uop_bmi(struct cpu *cpu, const struct uop *u)
{
    unsigned s = u->osize == 8 ? 8 : 4, bits = s * 8;
    uint64_t m = size_mask(s);
    uint64_t e = e_operand(cpu, u, s) & m;
    uint64_t v = u->imm2 != UOP_NOREG ? cpu->regs[u->imm2] & m : 0;
    uint64_t r;

    switch (u->aux) {
    case OP_ANDN:
        r = ~v & e & m;
        set_logic_flags(cpu, r, s, false);
        break;
    case OP_BEXTR: {
        unsigned start = v & 0xff, len = (v >> 8) & 0xff;
        r = start >= bits ? 0 : e >> start;
        if (len < 64)
            r &= (1ull << len) - 1;
        cpu_set_arith_flags(cpu, r ? 0 : EFLAGS_ZF);
        break;
    }
    case OP_BLSI:
        r = (0 - e) & e & m;
        set_logic_flags(cpu, r, s, e != 0);
        break;
    case OP_BLSMSK:
        r = ((e - 1) ^ e) & m;
        set_logic_flags(cpu, r, s, e == 0);
        break;
    case OP_BLSR:
        r = ((e - 1) & e) & m;
        set_logic_flags(cpu, r, s, e == 0);
        break;
    case OP_BZHI: {
        unsigned n = v & 0xff;
        r = n < bits ? e & ((1ull << n) - 1) : e;
        set_logic_flags(cpu, r, s, n > bits - 1);
        break;
    }
    case OP_PDEP: r = pdep(v, e) & m; break;
    case OP_PEXT: r = pext(v, e) & m; break;
    case OP_RORX: {
        unsigned c = u->imm & (bits - 1);
        r = c ? ((e >> c) | (e << (bits - c))) & m : e;
        break;
    }
    case OP_SARX: {
        unsigned c = v & (bits - 1);
        r = (uint64_t)((int64_t)(e << (64 - bits)) >> (64 - bits + c)) & m;
        break;
    }
    case OP_SHLX: r = (e << (v & (bits - 1))) & m; break;
    case OP_SHRX: r = e >> (v & (bits - 1)); break;
    default: { /* MULX: hi -> reg, lo -> vvvv; the high half wins when they coincide */
        uint64_t hi, lo;
        if (s == 8) {
            unsigned __int128 p = (unsigned __int128)cpu->regs[2] * e;
            hi = (uint64_t)(p >> 64);
            lo = (uint64_t)p;
        } else {
            uint64_t p = (uint64_t)(uint32_t)cpu->regs[2] * e;
            hi = p >> 32;
            lo = (uint32_t)p;
        }
        reg_set(cpu, (unsigned)u->imm2, s, lo);
        r = hi;
        break;
    }
    }
    reg_set(cpu, u->reg, s, r);
    return u + 1;
}

/* ADCX (CF) and ADOX (OF): add with carry through one flag, others kept */
static const struct uop *uop_adx(struct cpu *cpu, const struct uop *u)
{
    unsigned s = u->osize == 8 ? 8 : 4;
    uint64_t e = e_operand(cpu, u, s);
    uint32_t f = cc_compute_all(cpu);
    uint32_t flag = u->aux == OP_ADCX ? EFLAGS_CF : EFLAGS_OF;
    uint64_t a = reg_get(cpu, u->reg, s), c = (f & flag) ? 1 : 0;
    uint64_t r = (a + e + c) & size_mask(s);
    bool carry = s == 8 ? (r < a || (c && r == a)) : ((a + e + c) >> 32) != 0;

    reg_set(cpu, u->reg, s, r);
    cpu_set_arith_flags(cpu, (f & ~flag) | (carry ? flag : 0));
    return u + 1;
}

static uint64_t bswap_size(uint64_t v, unsigned s)
{
    switch (s) {
    case 2: return __builtin_bswap16((uint16_t)v);
    case 4: return __builtin_bswap32((uint32_t)v);
    default: return __builtin_bswap64(v);
    }
}

/* MOVBE: load (reg != NOREG, rm = NOREG) or store (reg = NOREG, rm = source) */
static const struct uop *uop_movbe(struct cpu *cpu, const struct uop *u)
{
    unsigned s = u->osize;

    if (u->reg != UOP_NOREG)
        reg_set(cpu, u->reg, s, bswap_size(cpu_ld(cpu, uop_la(cpu, u), s), s));
    else
        cpu_st(cpu, uop_la(cpu, u), s, bswap_size(reg_get(cpu, u->rm, s), s));
    return u + 1;
}

/* CRC32 with the iSCSI polynomial 11EDC6F41h, bit-reflected (SDM CRC32) */
static const struct uop *uop_crc32(struct cpu *cpu, const struct uop *u)
{
    unsigned s = (unsigned)u->opsz2;
    uint64_t v = e_operand(cpu, u, s);
    uint32_t crc = (uint32_t)cpu->regs[u->reg];

    for (unsigned i = 0; i < s; i++) {
        crc ^= (uint8_t)(v >> (8 * i));
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
    }
    cpu->regs[u->reg] = crc;
    return u + 1;
}

void tr_bmi(struct tr_ctx *tc, const struct insn *in)
{
    struct uop *u;

    switch (in->op) {
    case OP_MOVBE:
        u = tr_emit(tc, in, uop_movbe);
        if (in->o[0].kind == OPND_MEM)
            u->reg = UOP_NOREG;
        else
            u->rm = UOP_NOREG;
        return;
    case OP_CRC32:
        u = tr_emit(tc, in, uop_crc32);
        u->rm = in->o[1].kind == OPND_REG ? in->o[1].reg : UOP_NOREG;
        u->opsz2 = in->o[1].size;
        return;
    case OP_ADCX: case OP_ADOX:
        u = tr_emit(tc, in, uop_adx);
        u->aux = in->op;
        return;
    default:
        break;
    }
    u = tr_emit(tc, in, uop_bmi);
    u->aux = in->op;
    u->imm2 = UOP_NOREG;
    u->rm = UOP_NOREG;
    /* find the E operand and the B operand among o[1], o[2] */
    for (int i = 1; i < in->nopnds; i++) {
        const struct opnd *o = &in->o[i];
        bool is_b = (in->op == OP_ANDN || in->op == OP_PDEP || in->op == OP_PEXT
                     || in->op == OP_MULX) ? i == 1 : i == 2;
        if (o->kind == OPND_IMM)
            continue;
        if (in->op >= OP_BLSI && in->op <= OP_BLSR) {
            /* By, Ey: the destination is vvvv */
            u->reg = in->o[0].reg;
            u->rm = o->kind == OPND_REG ? o->reg : UOP_NOREG;
            continue;
        }
        if (is_b)
            u->imm2 = o->reg;
        else
            u->rm = o->kind == OPND_REG ? o->reg : UOP_NOREG;
    }
}
