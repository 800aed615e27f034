/*
 * The master instruction list (X-macro).  One row per operation:
 *
 *     X(NAME, family)
 *
 * NAME is the SDM mnemonic (OP_NAME in enum insn_op, "name" in traces);
 * family is the translator that turns a decoded instruction into uops
 * (tr_<family>, in the ops-*.c file the section comments name).  Encodings, operand forms and
 * attributes (Lock, No64, Priv, ...) live in the opcode maps of
 * decode-tables.c; a form of an operation the maps do not list decodes as
 * #UD.  Sizes are not separate operations: the decoder resolves them.
 */
/* integer arithmetic and logic (ops-int.c) */
X(ADD, alu) X(OR, alu) X(ADC, alu) X(SBB, alu)
X(AND, alu) X(SUB, alu) X(XOR, alu) X(CMP, alu)
X(TEST, alu)
X(INC, unary) X(DEC, unary) X(NEG, unary) X(NOT, unary)
X(MUL, muldiv) X(IMUL, muldiv) X(DIV, muldiv) X(IDIV, muldiv)
X(ROL, shift) X(ROR, shift) X(RCL, shift) X(RCR, shift)
X(SHL, shift) X(SHR, shift) X(SAR, shift)
X(SHLD, shift) X(SHRD, shift)
/* data movement (ops-int.c) */
X(MOV, mov) X(MOVZX, mov) X(MOVSX, mov) X(MOVSXD, mov) X(LEA, mov)
X(XCHG, mov) X(BSWAP, mov) X(XLAT, mov) X(MOVNTI, mov)
X(CBW, mov) X(CWD, mov)
X(XADD, atomic) X(CMPXCHG, atomic) X(CMPXCHG8B, atomic) X(CMPXCHG16B, atomic)
X(CMOVCC, mov) X(SETCC, mov)
/* bits (ops-int.c) */
X(BT, bits) X(BTS, bits) X(BTR, bits) X(BTC, bits)
X(BSF, bits) X(BSR, bits) X(TZCNT, bits) X(LZCNT, bits) X(POPCNT, bits)
/* flags (ops-int.c) */
X(CLC, flagop) X(STC, flagop) X(CMC, flagop) X(CLD, flagop) X(STD, flagop)
X(LAHF, flagop) X(SAHF, flagop) X(SALC, flagop)
X(CLI, flagop) X(STI, flagop)
/* BCD (ops-int.c; not in 64-bit mode) */
X(AAA, bcd) X(AAS, bcd) X(AAM, bcd) X(AAD, bcd) X(DAA, bcd) X(DAS, bcd)
/* stack (ops-ctl.c) */
X(PUSH, stack) X(POP, stack) X(PUSHA, stack) X(POPA, stack)
X(PUSHF, stack) X(POPF, stack) X(ENTER, stack) X(LEAVE, stack)
/* control flow (ops-ctl.c; far transfers and interrupts in excp.c) */
X(JMP, branch) X(JCC, branch) X(CALL, branch) X(RET, branch)
X(LOOP, branch) X(LOOPE, branch) X(LOOPNE, branch) X(JCXZ, branch)
X(JMPF, far) X(CALLF, far) X(RETF, far) X(IRET, far)
X(INT, far) X(INT3, far) X(INTO, far) X(INT1, far) X(BOUND, far)
X(SYSCALL, far) X(SYSRET, far) X(SYSENTER, far) X(SYSEXIT, far)
/* strings (ops-ctl.c) */
X(MOVS, string) X(CMPS, string) X(STOS, string) X(LODS, string)
X(SCAS, string) X(INS, string) X(OUTS, string)
/* port I/O (ops-sys.c) */
X(IN, io) X(OUT, io)
/* segments and descriptor tables (ops-sys.c) */
X(MOV_SEG, seg) X(PUSH_SEG, seg) X(POP_SEG, seg)
X(LES, seg) X(LDS, seg) X(LSS, seg) X(LFS, seg) X(LGS, seg)
X(LGDT, seg) X(LIDT, seg) X(SGDT, seg) X(SIDT, seg)
X(LLDT, seg) X(SLDT, seg) X(LTR, seg) X(STR, seg)
X(LAR, seg) X(LSL, seg) X(VERR, seg) X(VERW, seg) X(ARPL, seg)
X(SWAPGS, seg)
X(RDFSBASE, seg) X(RDGSBASE, seg) X(WRFSBASE, seg) X(WRGSBASE, seg)
/* system (ops-sys.c) */
X(MOV_CR, sys) X(MOV_DR, sys) X(LMSW, sys) X(SMSW, sys) X(CLTS, sys)
X(INVLPG, sys) X(WBINVD, sys) X(INVD, sys)
X(RDMSR, sys) X(WRMSR, sys) X(CPUID, sys) X(RDTSC, sys) X(RDTSCP, sys)
X(RDPMC, sys) X(HLT, sys) X(VMCALL, sys) X(VMMCALL, sys)
X(XGETBV, sys) X(XSETBV, sys) X(RDPID, sys)
/* system features of the sys branch (ops-sys.c) */
X(STAC, sys) X(CLAC, sys) X(MONITOR, sys) X(MWAIT, sys)
/* no architectural effect here (ops-ctl.c) */
X(NOP, misc) X(PAUSE, misc) X(LFENCE, misc) X(MFENCE, misc) X(SFENCE, misc)
X(CLFLUSH, misc) X(PREFETCH, misc)
X(UD0, misc) X(UD1, misc) X(UD2, misc)
/* ---- sse branch: integer extensions (ops-bmi.c) ---- */
X(ANDN, bmi) X(BEXTR, bmi) X(BLSI, bmi) X(BLSMSK, bmi) X(BLSR, bmi)
X(BZHI, bmi) X(MULX, bmi) X(PDEP, bmi) X(PEXT, bmi) X(RORX, bmi)
X(SARX, bmi) X(SHLX, bmi) X(SHRX, bmi) X(ADCX, bmi) X(ADOX, bmi)
X(MOVBE, bmi) X(CRC32, bmi)
/* MMX/SSE data movement (ops-sse-mov.c); MOVD with REX.W is MOVQ */
X(MOVD, ssemov) X(MOVQ, ssemov) X(MOVDQA, ssemov) X(MOVDQU, ssemov)
X(MOVAPS, ssemov) X(MOVUPS, ssemov) X(MOVAPD, ssemov) X(MOVUPD, ssemov)
X(MOVSS, ssemov) X(MOVSD, ssemov) X(MOVHPS, ssemov) X(MOVHPD, ssemov)
X(MOVLPS, ssemov) X(MOVLPD, ssemov) X(MOVHLPS, ssemov) X(MOVLHPS, ssemov)
X(MOVNTPS, ssemov) X(MOVNTPD, ssemov) X(MOVNTDQ, ssemov) X(MOVNTQ, ssemov)
X(MOVNTDQA, ssemov) X(MASKMOVQ, ssemov) X(MASKMOVDQU, ssemov) X(LDDQU, ssemov)
X(MOVDQ2Q, ssemov) X(MOVQ2DQ, ssemov) X(MOVSLDUP, ssemov) X(MOVSHDUP, ssemov)
X(MOVDDUP, ssemov) X(EMMS, ssemov)
X(PMOVMSKB, ssemov) X(MOVMSKPS, ssemov) X(MOVMSKPD, ssemov)
X(PEXTRB, ssemov) X(PEXTRW, ssemov) X(PEXTRD, ssemov) X(EXTRACTPS, ssemov)
X(PINSRB, ssemov) X(PINSRW, ssemov) X(PINSRD, ssemov)
/* MMX/SSE packed integer and bitwise operations (ops-sse-int.c): PEXTRD/PINSRD
 * with REX.W are PEXTRQ/PINSRQ */
X(PADDB, sse) X(PADDW, sse) X(PADDD, sse) X(PADDQ, sse)
X(PSUBB, sse) X(PSUBW, sse) X(PSUBD, sse) X(PSUBQ, sse)
X(PADDSB, sse) X(PADDSW, sse) X(PADDUSB, sse) X(PADDUSW, sse)
X(PSUBSB, sse) X(PSUBSW, sse) X(PSUBUSB, sse) X(PSUBUSW, sse)
X(PMULLW, sse) X(PMULHW, sse) X(PMULHUW, sse) X(PMULUDQ, sse) X(PMULLD, sse) X(PMULDQ, sse)
X(PMADDWD, sse) X(PSADBW, sse) X(PAVGB, sse) X(PAVGW, sse)
X(PMINUB, sse) X(PMINSW, sse) X(PMAXUB, sse) X(PMAXSW, sse)
X(PMINSB, sse) X(PMINSD, sse) X(PMINUW, sse) X(PMINUD, sse)
X(PMAXSB, sse) X(PMAXSD, sse) X(PMAXUW, sse) X(PMAXUD, sse)
X(PCMPEQB, sse) X(PCMPEQW, sse) X(PCMPEQD, sse) X(PCMPEQQ, sse)
X(PCMPGTB, sse) X(PCMPGTW, sse) X(PCMPGTD, sse) X(PCMPGTQ, sse)
X(PAND, sse) X(PANDN, sse) X(POR, sse) X(PXOR, sse)
X(PSLLW, sse) X(PSLLD, sse) X(PSLLQ, sse) X(PSRLW, sse) X(PSRLD, sse) X(PSRLQ, sse)
X(PSRAW, sse) X(PSRAD, sse) X(PSLLDQ, sse) X(PSRLDQ, sse)
X(PSHUFD, sse) X(PSHUFHW, sse) X(PSHUFLW, sse) X(PSHUFW, sse) X(PSHUFB, sse) X(PALIGNR, sse)
X(PUNPCKLBW, sse) X(PUNPCKLWD, sse) X(PUNPCKLDQ, sse) X(PUNPCKLQDQ, sse)
X(PUNPCKHBW, sse) X(PUNPCKHWD, sse) X(PUNPCKHDQ, sse) X(PUNPCKHQDQ, sse)
X(PACKSSWB, sse) X(PACKSSDW, sse) X(PACKUSWB, sse) X(PACKUSDW, sse)
X(PMOVSXBW, sse) X(PMOVSXBD, sse) X(PMOVSXBQ, sse) X(PMOVSXWD, sse) X(PMOVSXWQ, sse) X(PMOVSXDQ, sse)
X(PMOVZXBW, sse) X(PMOVZXBD, sse) X(PMOVZXBQ, sse) X(PMOVZXWD, sse) X(PMOVZXWQ, sse) X(PMOVZXDQ, sse)
X(PTEST, sse) X(PHADDW, sse) X(PHADDD, sse) X(PHADDSW, sse)
X(PHSUBW, sse) X(PHSUBD, sse) X(PHSUBSW, sse)
X(PSIGNB, sse) X(PSIGNW, sse) X(PSIGND, sse) X(PABSB, sse) X(PABSW, sse) X(PABSD, sse)
X(PMULHRSW, sse) X(PMADDUBSW, sse) X(PHMINPOSUW, sse) X(MPSADBW, sse)
X(PBLENDW, sse) X(PBLENDVB, sse) X(BLENDPS, sse) X(BLENDPD, sse) X(BLENDVPS, sse) X(BLENDVPD, sse)
X(ANDPS, sse) X(ANDNPS, sse) X(ORPS, sse) X(XORPS, sse)
X(ANDPD, sse) X(ANDNPD, sse) X(ORPD, sse) X(XORPD, sse)
X(SHUFPS, sse) X(SHUFPD, sse) X(UNPCKLPS, sse) X(UNPCKHPS, sse) X(UNPCKLPD, sse) X(UNPCKHPD, sse)
X(INSERTPS, sse)
X(PCMPESTRI, sse) X(PCMPESTRM, sse) X(PCMPISTRI, sse) X(PCMPISTRM, sse)
X(PCLMULQDQ, sse) X(AESENC, sse) X(AESENCLAST, sse) X(AESDEC, sse) X(AESDECLAST, sse)
X(AESIMC, sse) X(AESKEYGENASSIST, sse)
/* SSE floating-point arithmetic: decoded here, translated by tr_ssefp (which
 * raises #UD until the SSE floating-point work lands) */
X(ADDPS, ssefp) X(ADDPD, ssefp) X(ADDSS, ssefp) X(ADDSD, ssefp)
X(SUBPS, ssefp) X(SUBPD, ssefp) X(SUBSS, ssefp) X(SUBSD, ssefp)
X(MULPS, ssefp) X(MULPD, ssefp) X(MULSS, ssefp) X(MULSD, ssefp)
X(DIVPS, ssefp) X(DIVPD, ssefp) X(DIVSS, ssefp) X(DIVSD, ssefp)
X(MINPS, ssefp) X(MINPD, ssefp) X(MINSS, ssefp) X(MINSD, ssefp)
X(MAXPS, ssefp) X(MAXPD, ssefp) X(MAXSS, ssefp) X(MAXSD, ssefp)
X(SQRTPS, ssefp) X(SQRTPD, ssefp) X(SQRTSS, ssefp) X(SQRTSD, ssefp)
X(RSQRTPS, ssefp) X(RSQRTSS, ssefp) X(RCPPS, ssefp) X(RCPSS, ssefp)
X(CMPPS, ssefp) X(CMPPD, ssefp) X(CMPSS, ssefp) X(CMPSD, ssefp)
X(COMISS, ssefp) X(COMISD, ssefp) X(UCOMISS, ssefp) X(UCOMISD, ssefp)
X(CVTPI2PS, ssefp) X(CVTPI2PD, ssefp) X(CVTSI2SS, ssefp) X(CVTSI2SD, ssefp)
X(CVTTPS2PI, ssefp) X(CVTTPD2PI, ssefp) X(CVTTSS2SI, ssefp) X(CVTTSD2SI, ssefp)
X(CVTPS2PI, ssefp) X(CVTPD2PI, ssefp) X(CVTSS2SI, ssefp) X(CVTSD2SI, ssefp)
X(CVTPS2PD, ssefp) X(CVTPD2PS, ssefp) X(CVTSS2SD, ssefp) X(CVTSD2SS, ssefp)
X(CVTDQ2PS, ssefp) X(CVTPS2DQ, ssefp) X(CVTTPS2DQ, ssefp)
X(CVTDQ2PD, ssefp) X(CVTPD2DQ, ssefp) X(CVTTPD2DQ, ssefp)
X(ADDSUBPS, ssefp) X(ADDSUBPD, ssefp) X(HADDPS, ssefp) X(HADDPD, ssefp)
X(HSUBPS, ssefp) X(HSUBPD, ssefp)
X(ROUNDPS, ssefp) X(ROUNDPD, ssefp) X(ROUNDSS, ssefp) X(ROUNDSD, ssefp)
X(DPPS, ssefp) X(DPPD, ssefp) X(LDMXCSR, ssefp) X(STMXCSR, ssefp)
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
/* cpu8: INVPCID (ops-sys.c) */
X(INVPCID, sys)
