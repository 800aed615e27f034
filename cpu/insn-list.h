/*
 * The master instruction list (X-macro).  One row per operation:
 *
 *     X(NAME, family)
 *
 * NAME is the SDM mnemonic (OP_NAME in enum insn_op, "name" in traces);
 * family is the translator that turns a decoded instruction into uops
 * (tr_<family> in translate-*.c / exec-*.c).  Encodings, operand forms and
 * attributes (Lock, No64, Priv, ...) live in the opcode maps of
 * decode-tables.c; a form of an operation the maps do not list decodes as
 * #UD.  Sizes are not separate operations: the decoder resolves them.
 */
/* integer arithmetic and logic (exec-alu.c) */
X(ADD, alu) X(OR, alu) X(ADC, alu) X(SBB, alu)
X(AND, alu) X(SUB, alu) X(XOR, alu) X(CMP, alu)
X(TEST, alu)
X(INC, unary) X(DEC, unary) X(NEG, unary) X(NOT, unary)
X(MUL, muldiv) X(IMUL, muldiv) X(DIV, muldiv) X(IDIV, muldiv)
X(ROL, shift) X(ROR, shift) X(RCL, shift) X(RCR, shift)
X(SHL, shift) X(SHR, shift) X(SAR, shift)
X(SHLD, shift) X(SHRD, shift)
/* data movement (exec-mov.c) */
X(MOV, mov) X(MOVZX, mov) X(MOVSX, mov) X(MOVSXD, mov) X(LEA, mov)
X(XCHG, mov) X(BSWAP, mov) X(XLAT, mov) X(MOVNTI, mov)
X(CBW, mov) X(CWD, mov)
X(XADD, atomic) X(CMPXCHG, atomic) X(CMPXCHG8B, atomic) X(CMPXCHG16B, atomic)
X(CMOVCC, mov) X(SETCC, mov)
/* bits (exec-bits.c) */
X(BT, bits) X(BTS, bits) X(BTR, bits) X(BTC, bits)
X(BSF, bits) X(BSR, bits) X(TZCNT, bits) X(LZCNT, bits) X(POPCNT, bits)
/* flags (exec-alu.c) */
X(CLC, flagop) X(STC, flagop) X(CMC, flagop) X(CLD, flagop) X(STD, flagop)
X(LAHF, flagop) X(SAHF, flagop) X(SALC, flagop)
X(CLI, flagop) X(STI, flagop)
/* BCD (exec-alu.c; not in 64-bit mode) */
X(AAA, bcd) X(AAS, bcd) X(AAM, bcd) X(AAD, bcd) X(DAA, bcd) X(DAS, bcd)
/* stack (exec-stack.c) */
X(PUSH, stack) X(POP, stack) X(PUSHA, stack) X(POPA, stack)
X(PUSHF, stack) X(POPF, stack) X(ENTER, stack) X(LEAVE, stack)
/* control flow (exec-branch.c) */
X(JMP, branch) X(JCC, branch) X(CALL, branch) X(RET, branch)
X(LOOP, branch) X(LOOPE, branch) X(LOOPNE, branch) X(JCXZ, branch)
X(JMPF, far) X(CALLF, far) X(RETF, far) X(IRET, far)
X(INT, far) X(INT3, far) X(INTO, far) X(INT1, far) X(BOUND, far)
X(SYSCALL, far) X(SYSRET, far) X(SYSENTER, far) X(SYSEXIT, far)
/* strings (exec-string.c) */
X(MOVS, string) X(CMPS, string) X(STOS, string) X(LODS, string)
X(SCAS, string) X(INS, string) X(OUTS, string)
/* port I/O (exec-sys.c) */
X(IN, io) X(OUT, io)
/* segments and descriptor tables (seg.c) */
X(MOV_SEG, seg) X(PUSH_SEG, seg) X(POP_SEG, seg)
X(LES, seg) X(LDS, seg) X(LSS, seg) X(LFS, seg) X(LGS, seg)
X(LGDT, seg) X(LIDT, seg) X(SGDT, seg) X(SIDT, seg)
X(LLDT, seg) X(SLDT, seg) X(LTR, seg) X(STR, seg)
X(LAR, seg) X(LSL, seg) X(VERR, seg) X(VERW, seg) X(ARPL, seg)
X(SWAPGS, seg)
X(RDFSBASE, seg) X(RDGSBASE, seg) X(WRFSBASE, seg) X(WRGSBASE, seg)
/* system (exec-sys.c) */
X(MOV_CR, sys) X(MOV_DR, sys) X(LMSW, sys) X(SMSW, sys) X(CLTS, sys)
X(INVLPG, sys) X(WBINVD, sys) X(INVD, sys)
X(RDMSR, sys) X(WRMSR, sys) X(CPUID, sys) X(RDTSC, sys) X(RDTSCP, sys)
X(RDPMC, sys) X(HLT, sys) X(VMCALL, sys) X(VMMCALL, sys)
X(XGETBV, sys) X(XSETBV, sys) X(RDPID, sys)
/* no architectural effect here (exec-misc.c) */
X(NOP, misc) X(PAUSE, misc) X(LFENCE, misc) X(MFENCE, misc) X(SFENCE, misc)
X(CLFLUSH, misc) X(PREFETCH, misc)
X(UD0, misc) X(UD1, misc) X(UD2, misc)
/* x87 FPU (ops-x87.c; map in decode-x87.c).  Aliases of reserved
 * encodings (FSTP1, FCOM2, ...) decode as the operation they perform. */
X(FLD, x87) X(FST, x87) X(FSTP, x87) X(FILD, x87) X(FIST, x87) X(FISTP, x87)
X(FISTTP, x87) X(FBLD, x87) X(FBSTP, x87) X(FXCH, x87)
X(FCMOVB, x87) X(FCMOVE, x87) X(FCMOVBE, x87) X(FCMOVU, x87)
X(FCMOVNB, x87) X(FCMOVNE, x87) X(FCMOVNBE, x87) X(FCMOVNU, x87)
X(FADD, x87) X(FADDP, x87) X(FIADD, x87) X(FMUL, x87) X(FMULP, x87) X(FIMUL, x87)
X(FSUB, x87) X(FSUBP, x87) X(FISUB, x87) X(FSUBR, x87) X(FSUBRP, x87) X(FISUBR, x87)
X(FDIV, x87) X(FDIVP, x87) X(FIDIV, x87) X(FDIVR, x87) X(FDIVRP, x87) X(FIDIVR, x87)
X(FCOM, x87) X(FCOMP, x87) X(FCOMPP, x87) X(FICOM, x87) X(FICOMP, x87)
X(FUCOM, x87) X(FUCOMP, x87) X(FUCOMPP, x87)
X(FCOMI, x87) X(FCOMIP, x87) X(FUCOMI, x87) X(FUCOMIP, x87) X(FTST, x87) X(FXAM, x87)
X(FCHS, x87) X(FABS, x87) X(FLD1, x87) X(FLDL2T, x87) X(FLDL2E, x87) X(FLDPI, x87)
X(FLDLG2, x87) X(FLDLN2, x87) X(FLDZ, x87)
X(F2XM1, x87) X(FYL2X, x87) X(FPTAN, x87) X(FPATAN, x87) X(FXTRACT, x87)
X(FPREM1, x87) X(FDECSTP, x87) X(FINCSTP, x87) X(FPREM, x87) X(FYL2XP1, x87)
X(FSQRT, x87) X(FSINCOS, x87) X(FRNDINT, x87) X(FSCALE, x87) X(FSIN, x87) X(FCOS, x87)
X(FNOP, x87) X(FFREE, x87) X(FFREEP, x87)
X(FLDCW, x87) X(FNSTCW, x87) X(FNSTSW, x87) X(FLDENV, x87) X(FNSTENV, x87)
X(FRSTOR, x87) X(FNSAVE, x87) X(FNCLEX, x87) X(FNINIT, x87) X(FWAIT, x87)
X(FENI, x87) X(FDISI, x87) X(FSETPM, x87)
/* x87/SSE state save and restore (fpu-state.c) */
X(FXSAVE, fpstate) X(FXRSTOR, fpstate) X(XSAVE, fpstate) X(XRSTOR, fpstate)
X(XSAVEOPT, fpstate) X(XSAVEC, fpstate)
