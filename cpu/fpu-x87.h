/*
 * cpu/fpu-x87.h: private interface between the x87 files of cpu/
 * (ops-x87.c: stack, exceptions, instructions; fpu-trans.c:
 * transcendentals; fpu-state.c: FSAVE/FSTENV, FXSAVE and XSAVE).
 * Status-word bits as SDM vol. 1 figure 8-4 spells them.
 */
#ifndef SATORI_FPU_X87_H
#define SATORI_FPU_X87_H

#include "cpu/translate.h"

#define FSW_IE  0x0001u
#define FSW_SF  0x0040u
#define FSW_ES  0x0080u
#define FSW_C0  0x0100u
#define FSW_C1  0x0200u
#define FSW_C2  0x0400u
#define FSW_TOP 0x3800u
#define FSW_C3  0x4000u
#define FSW_B   0x8000u

/* memory operand formats (uop opsz2) */
enum { MF_R32, MF_R64, MF_R80, MF_I16, MF_I32, MF_I64, MF_BCD };

static inline unsigned st_phys(const struct cpu *cpu, unsigned i)
{
    return (cpu->fpu.top + i) & 7;
}

static inline struct sf_x80 *st(struct cpu *cpu, unsigned i)
{
    return &cpu->fpu.st[st_phys(cpu, i)];
}

static inline bool st_valid(const struct cpu *cpu, unsigned i)
{
    return (cpu->fpu.ftw >> st_phys(cpu, i)) & 1;
}

/* write ST(i) and mark it valid */
static inline void st_set(struct cpu *cpu, unsigned i, struct sf_x80 v)
{
    unsigned p = st_phys(cpu, i);
    cpu->fpu.st[p] = v;
    cpu->fpu.ftw |= (uint16_t)(1u << p);
}

static inline void fpu_push(struct cpu *cpu, struct sf_x80 v)
{
    cpu->fpu.top = (cpu->fpu.top - 1) & 7;
    st_set(cpu, 0, v);
}

static inline void fpu_pop(struct cpu *cpu)
{
    cpu->fpu.ftw &= (uint16_t)~(1u << cpu->fpu.top);
    cpu->fpu.top = (cpu->fpu.top + 1) & 7;
}

/* status context from FCW */
void fpu_status(const struct cpu *cpu, struct sf_status *s);
/* #MF for a waiting instruction when ES is set and CR0.NE = 1 */
void fpu_check_pending(struct cpu *cpu);
/* merge softfloat flags (and C1) into FSW; false: unmasked IE/DE/ZE, do not write */
bool fpu_flags(struct cpu *cpu, const struct sf_status *s, bool set_c1);
/* stack overflow (true) / underflow: IE + SF; returns true when IE is masked */
bool fpu_stack_fault(struct cpu *cpu, bool overflow);
/* FIP/FCS/FOP (and FDP/FDS with mem) for a non-control instruction */
void fpu_record(struct cpu *cpu, const struct uop *u, bool mem);
/* the prologue of a non-control instruction (ops-x87.c): returns ES before
 * it; the status context into *s when s != NULL; x87_begin() records
 * FIP/FCS/FOP too, x87_begin_mem() leaves that to after the access */
bool x87_begin(struct cpu *cpu, const struct uop *u, struct sf_status *s);
bool x87_begin_mem(struct cpu *cpu, struct sf_status *s);
/* after FSW changed: ES/B, FERR#; ends the block when FERR# was raised */
void fpu_after(struct cpu *cpu, const struct uop *u, bool es_before);
struct sf_x80 fpu_ld_m80(struct cpu *cpu, gva_t la);
void fpu_st_m80(struct cpu *cpu, gva_t la, struct sf_x80 v);

/* fpu-trans.c: the handler of F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS */
uop_fn fpu_trans_handler(unsigned op);
unsigned fpu_trans_imm(unsigned op);    /* the uop's imm for it */
/* fpu-state.c: the handler of FLDENV, FNSTENV, FRSTOR, FNSAVE */
uop_fn fpu_env_handler(unsigned op);

#endif
