/*
 * cpu/decode-x87.c: the x87 opcode map (escape bytes D8-DF) as data, in
 * the layout of SDM vol. 2 appendix A.4 (tables ): one row per
 * (escape, ModRM.reg) for the memory forms, and per (escape, ModRM.reg,
 * ModRM.rm) for the register forms.  Memory operands are plain M: the
 * translator (ops-x87.c) knows each row's memory format from the escape
 * byte and ModRM.reg.  Register forms carry no operands: ST(i) is
 * ModRM.rm.
 *
 * The reserved register encodings that Intel processors execute as
 * another instruction are listed as that instruction (FCOM2 = DC D0+i,
 * FCOMP3 = DC D8+i, FXCH4 = DD C8+i, FCOMP5 = DE D0+i, FXCH7 = DF C8+i,
 * FSTP1 = D9 D8+i, FSTP8 = DF D0+i, FSTP9 = DF D8+i, FFREEP = DF C0+i);
 * the other empty slots are #UD.
 */
#include "cpu/decode-tables.h"

#include <stddef.h>

#define X_MEM(name) { .op = OP_##name, .o = { OPS_M, OPS_NONE, OPS_NONE }, .attrs = A_MODRM }
#define X_REG(name) { .op = OP_##name, .attrs = A_MODRM }
/* a register row: the same operation for ST(0)..ST(7) */
#define X_ROW(esc, reg, name)                                                       \
    [esc][(reg) * 8 + 0] = X_REG(name), [esc][(reg) * 8 + 1] = X_REG(name),         \
    [esc][(reg) * 8 + 2] = X_REG(name), [esc][(reg) * 8 + 3] = X_REG(name),         \
    [esc][(reg) * 8 + 4] = X_REG(name), [esc][(reg) * 8 + 5] = X_REG(name),         \
    [esc][(reg) * 8 + 6] = X_REG(name), [esc][(reg) * 8 + 7] = X_REG(name)
#define X_ONE(esc, reg, rm, name) [esc][(reg) * 8 + (rm)] = X_REG(name)

/* memory forms: [escape - 0xd8][ModRM.reg] */
static const struct opcode_entry x87_mem[8][8] = {
    [0] = { X_MEM(FADD), X_MEM(FMUL), X_MEM(FCOM), X_MEM(FCOMP),             /* m32real */
            X_MEM(FSUB), X_MEM(FSUBR), X_MEM(FDIV), X_MEM(FDIVR) },
    [1] = { X_MEM(FLD), { 0 }, X_MEM(FST), X_MEM(FSTP),                      /* m32real */
            X_MEM(FLDENV), X_MEM(FLDCW), X_MEM(FNSTENV), X_MEM(FNSTCW) },
    [2] = { X_MEM(FIADD), X_MEM(FIMUL), X_MEM(FICOM), X_MEM(FICOMP),         /* m32int */
            X_MEM(FISUB), X_MEM(FISUBR), X_MEM(FIDIV), X_MEM(FIDIVR) },
    [3] = { X_MEM(FILD), X_MEM(FISTTP), X_MEM(FIST), X_MEM(FISTP),           /* m32int */
            { 0 }, X_MEM(FLD), { 0 }, X_MEM(FSTP) },                         /* m80real */
    [4] = { X_MEM(FADD), X_MEM(FMUL), X_MEM(FCOM), X_MEM(FCOMP),             /* m64real */
            X_MEM(FSUB), X_MEM(FSUBR), X_MEM(FDIV), X_MEM(FDIVR) },
    [5] = { X_MEM(FLD), X_MEM(FISTTP), X_MEM(FST), X_MEM(FSTP),              /* m64real, m64int */
            X_MEM(FRSTOR), { 0 }, X_MEM(FNSAVE), X_MEM(FNSTSW) },
    [6] = { X_MEM(FIADD), X_MEM(FIMUL), X_MEM(FICOM), X_MEM(FICOMP),         /* m16int */
            X_MEM(FISUB), X_MEM(FISUBR), X_MEM(FIDIV), X_MEM(FIDIVR) },
    [7] = { X_MEM(FILD), X_MEM(FISTTP), X_MEM(FIST), X_MEM(FISTP),           /* m16int */
            X_MEM(FBLD), X_MEM(FILD), X_MEM(FBSTP), X_MEM(FISTP) },          /* bcd, m64int */
};

/* register forms: [escape - 0xd8][ModRM & 0x3f] */
static const struct opcode_entry x87_reg[8][64] = {
    X_ROW(0, 0, FADD), X_ROW(0, 1, FMUL), X_ROW(0, 2, FCOM), X_ROW(0, 3, FCOMP),
    X_ROW(0, 4, FSUB), X_ROW(0, 5, FSUBR), X_ROW(0, 6, FDIV), X_ROW(0, 7, FDIVR),

    X_ROW(1, 0, FLD), X_ROW(1, 1, FXCH), X_ONE(1, 2, 0, FNOP), X_ROW(1, 3, FSTP),
    X_ONE(1, 4, 0, FCHS), X_ONE(1, 4, 1, FABS), X_ONE(1, 4, 4, FTST), X_ONE(1, 4, 5, FXAM),
    X_ONE(1, 5, 0, FLD1), X_ONE(1, 5, 1, FLDL2T), X_ONE(1, 5, 2, FLDL2E),
    X_ONE(1, 5, 3, FLDPI), X_ONE(1, 5, 4, FLDLG2), X_ONE(1, 5, 5, FLDLN2),
    X_ONE(1, 5, 6, FLDZ),
    X_ONE(1, 6, 0, F2XM1), X_ONE(1, 6, 1, FYL2X), X_ONE(1, 6, 2, FPTAN),
    X_ONE(1, 6, 3, FPATAN), X_ONE(1, 6, 4, FXTRACT), X_ONE(1, 6, 5, FPREM1),
    X_ONE(1, 6, 6, FDECSTP), X_ONE(1, 6, 7, FINCSTP),
    X_ONE(1, 7, 0, FPREM), X_ONE(1, 7, 1, FYL2XP1), X_ONE(1, 7, 2, FSQRT),
    X_ONE(1, 7, 3, FSINCOS), X_ONE(1, 7, 4, FRNDINT), X_ONE(1, 7, 5, FSCALE),
    X_ONE(1, 7, 6, FSIN), X_ONE(1, 7, 7, FCOS),

    X_ROW(2, 0, FCMOVB), X_ROW(2, 1, FCMOVE), X_ROW(2, 2, FCMOVBE), X_ROW(2, 3, FCMOVU),
    X_ONE(2, 5, 1, FUCOMPP),

    X_ROW(3, 0, FCMOVNB), X_ROW(3, 1, FCMOVNE), X_ROW(3, 2, FCMOVNBE), X_ROW(3, 3, FCMOVNU),
    X_ONE(3, 4, 0, FENI), X_ONE(3, 4, 1, FDISI), X_ONE(3, 4, 2, FNCLEX),
    X_ONE(3, 4, 3, FNINIT), X_ONE(3, 4, 4, FSETPM),
    X_ROW(3, 5, FUCOMI), X_ROW(3, 6, FCOMI),

    X_ROW(4, 0, FADD), X_ROW(4, 1, FMUL), X_ROW(4, 2, FCOM), X_ROW(4, 3, FCOMP),
    X_ROW(4, 4, FSUBR), X_ROW(4, 5, FSUB), X_ROW(4, 6, FDIVR), X_ROW(4, 7, FDIV),

    X_ROW(5, 0, FFREE), X_ROW(5, 1, FXCH), X_ROW(5, 2, FST), X_ROW(5, 3, FSTP),
    X_ROW(5, 4, FUCOM), X_ROW(5, 5, FUCOMP),

    X_ROW(6, 0, FADDP), X_ROW(6, 1, FMULP), X_ROW(6, 2, FCOMP), X_ONE(6, 3, 1, FCOMPP),
    X_ROW(6, 4, FSUBRP), X_ROW(6, 5, FSUBP), X_ROW(6, 6, FDIVRP), X_ROW(6, 7, FDIVP),

    X_ROW(7, 0, FFREEP), X_ROW(7, 1, FXCH), X_ROW(7, 2, FSTP), X_ROW(7, 3, FSTP),
    X_ONE(7, 4, 0, FNSTSW), X_ROW(7, 5, FUCOMIP), X_ROW(7, 6, FCOMIP),
};

const struct opcode_entry *x87_entry(uint8_t opc, uint8_t modrm)
{
    unsigned esc = opc - 0xd8u;
    const struct opcode_entry *e;

    if (esc > 7)
        return NULL;
    if ((modrm >> 6) != 3)
        e = &x87_mem[esc][(modrm >> 3) & 7];
    else
        e = &x87_reg[esc][modrm & 0x3f];
    return e->op == OP_INVALID ? NULL : e;
}
