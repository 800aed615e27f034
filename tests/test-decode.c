/*
 * tests/test-decode.c: the decoder against capstone.  Every opcode of the
 * one-byte, 0F, 0F 38, 0F 3A and VEX (0F38, 0F3A) maps, with pseudo-random
 * ModRM/SIB/displacement/immediate bytes and prefixes (mandatory prefixes
 * for the three-byte maps), in 64-, 32- and 16-bit mode: whenever satori decodes
 * an instruction it implements and capstone decodes it too, the lengths
 * must agree and the mnemonics must name the same operation.  Also a few
 * known answers for operand resolution.
 */
#include "config.h"

#include <capstone/capstone.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu-internal.h"
#include "cpu/decode.h"

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

/* Does capstone's mnemonic name the same operation as our op? */
static bool same_op(int op, const char *m)
{
    char ours[32];
    const char *n = insn_op_name[op];
    size_t i;

    for (i = 0; n[i] && i < sizeof ours - 1; i++)
        ours[i] = (char)tolower((unsigned char)n[i]);
    ours[i] = 0;
    if (!strncmp(m, "lock ", 5)) m += 5;
    if (!strncmp(m, "rep ", 4)) m += 4;
    if (!strncmp(m, "repe ", 5)) m += 5;
    if (!strncmp(m, "repne ", 6)) m += 6;
    if (!strncmp(m, "bnd ", 4)) m += 4;
    if (!strncmp(m, "xacquire ", 9)) m += 9;
    if (!strncmp(m, "xrelease ", 9)) m += 9;
    if (!strncmp(m, "lock ", 5)) m += 5;
    if (!strncmp(m, "notrack ", 8)) m += 8;
    if (!strcmp(ours, m))
        return true;
    switch (op) {
    case OP_MOV: return !strcmp(m, "movabs");
    /* F3 0F BC/BD without BMI1/LZCNT advertised are BSF/BSR (SDM TZCNT/LZCNT);
     * capstone always shows the new forms. 66 0F AE /7 without CLFLUSHOPT
     * is CLFLUSH. */
    case OP_BSF: return !strcmp(m, "tzcnt");
    case OP_BSR: return !strcmp(m, "lzcnt");
    case OP_CLFLUSH: return !strcmp(m, "clflushopt");
    case OP_PAUSE: /* capstone: "xchg" for F3 REX.W 90, "nop" for F3 90 in 16-bit code */
        return !strcmp(m, "xchg") || !strcmp(m, "nop");
    case OP_JCC: return m[0] == 'j' && strcmp(m, "jmp") && strncmp(m, "jrcxz", 5)
                        && strncmp(m, "jecxz", 5) && strncmp(m, "jcxz", 4);
    case OP_SETCC: return !strncmp(m, "set", 3);
    case OP_CMOVCC: return !strncmp(m, "cmov", 4);
    case OP_MOV_CR: case OP_MOV_DR: case OP_MOV_SEG: return !strcmp(m, "mov");
    case OP_PUSH_SEG: return !strcmp(m, "push");
    case OP_POP_SEG: return !strcmp(m, "pop");
    case OP_MOVS: case OP_CMPS: case OP_STOS: case OP_LODS: case OP_SCAS: case OP_INS:
    case OP_OUTS: return !strncmp(m, ours, strlen(ours));
    case OP_CBW: return !strcmp(m, "cbw") || !strcmp(m, "cwde") || !strcmp(m, "cdqe");
    case OP_CWD: return !strcmp(m, "cwd") || !strcmp(m, "cdq") || !strcmp(m, "cqo");
    case OP_IRET: return !strncmp(m, "iret", 4);
    case OP_RETF: return !strcmp(m, "retf") || !strcmp(m, "lret") || !strcmp(m, "retfq");
    case OP_CALLF: return !strcmp(m, "lcall") || !strcmp(m, "call");
    case OP_JMPF: return !strcmp(m, "ljmp") || !strcmp(m, "jmp");
    case OP_JCXZ: return !strcmp(m, "jcxz") || !strcmp(m, "jecxz") || !strcmp(m, "jrcxz");
    case OP_XLAT: return !strcmp(m, "xlatb");
    case OP_PUSHF: return !strncmp(m, "pushf", 5);
    case OP_POPF: return !strncmp(m, "popf", 4);
    case OP_PUSHA: return !strncmp(m, "pusha", 5);
    case OP_POPA: return !strncmp(m, "popa", 4);
    case OP_SHL: return !strcmp(m, "shl") || !strcmp(m, "sal");
    case OP_NOP: return !strcmp(m, "nop") || !strncmp(m, "hint", 4) || !strcmp(m, "wait")
                        || !strcmp(m, "fwait") || !strncmp(m, "prefetch", 8);
    case OP_FENI: return !strcmp(m, "feni8087_nop");
    case OP_FDISI: return !strcmp(m, "fdisi8087_nop");
    case OP_FXSAVE: case OP_FXRSTOR: case OP_XSAVE: case OP_XRSTOR: case OP_XSAVEOPT:
    case OP_XSAVEC:
        return !strncmp(m, ours, strlen(ours)) && (!m[strlen(ours)] || !strcmp(m + strlen(ours), "64"));
    case OP_FWAIT: return !strcmp(m, "wait") || !strcmp(m, "fwait");
    case OP_FSTP: return !strcmp(m, "fstp") || !strcmp(m, "fstpnce");  /* D9 D8+i alias */
    case OP_PREFETCH: return !strncmp(m, "prefetch", 8) || !strcmp(m, "nop");
    case OP_MOVSXD: return !strcmp(m, "movsxd") || !strcmp(m, "movsx") || !strcmp(m, "mov");
    case OP_MOVSX: return !strcmp(m, "movsx");
    case OP_MOVZX: return !strcmp(m, "movzx");
    case OP_INT1: return !strcmp(m, "int1") || !strcmp(m, "icebp");
    case OP_LOOPE: return !strcmp(m, "loope");
    case OP_LOOPNE: return !strcmp(m, "loopne");
    case OP_UD0: return !strcmp(m, "ud0");
    case OP_UD1: return !strcmp(m, "ud1") || !strcmp(m, "ud1l") || !strcmp(m, "ud1q") || !strcmp(m, "ud1w");
    case OP_TEST: return !strcmp(m, "test");
    case OP_XCHG: return !strcmp(m, "xchg");
    case OP_CMPXCHG16B: return !strcmp(m, "cmpxchg16b");
    case OP_RDFSBASE: case OP_RDGSBASE: case OP_WRFSBASE: case OP_WRGSBASE:
        return !strcmp(m, ours);
    /* capstone names the CMPccPS/PD/SS/SD pseudo-ops by their predicate */
    case OP_CMPPS: case OP_CMPPD: case OP_CMPSS: case OP_CMPSD:
        return !strncmp(m, "cmp", 3) && strlen(m) > 4 && !strcmp(m + strlen(m) - 2, ours + 3);
    /* one operation, REX.W selects the qword form */
    case OP_MOVD: return !strcmp(m, "movq") || !strcmp(m, "movd");
    case OP_PEXTRD: return !strcmp(m, "pextrq") || !strcmp(m, "pextrd");
    case OP_PINSRD: return !strcmp(m, "pinsrq") || !strcmp(m, "pinsrd");
    default: return false;
    }
    return false;
}

static uint64_t rng = 0x1234567;
static uint8_t rnd8(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint8_t)rng;
}

static void known_answers(void)
{
    struct insn in;
    /* mov rax, [rip+0x10] at 0x1000: 48 8b 05 10 00 00 00 -> disp = 0x1007 + 0x10 */
    const uint8_t a[] = { 0x48, 0x8b, 0x05, 0x10, 0, 0, 0 };
    CHECK(decode_buf(&in, 64, 0, 0x1000, a, sizeof a) == DECODE_OK && in.op == OP_MOV
          && in.ea_riprel && in.disp == 0x1017 && in.len == 7, "rip-relative disp %llx",
          (unsigned long long)in.disp);
    /* mov ah, bl (no REX): 88 dc -> rm = AH (offset 1), reg = BL (offset 24) */
    const uint8_t b[] = { 0x88, 0xdc };
    decode_buf(&in, 64, 0, 0, b, sizeof b);
    CHECK(in.o[0].reg == 1 && in.o[1].reg == 24, "byte regs without REX: %u %u", in.o[0].reg, in.o[1].reg);
    /* with REX: 40 88 e4 = mov spl, spl */
    const uint8_t c[] = { 0x40, 0x88, 0xe4 };
    decode_buf(&in, 64, 0, 0, c, sizeof c);
    CHECK(in.o[0].reg == 32, "SPL with REX: %u", in.o[0].reg);
    /* 16-bit: mov ax, [bp+si+4] = 8b 42 04: base BP index SI, SS */
    const uint8_t d[] = { 0x8b, 0x42, 0x04 };
    decode_buf(&in, 16, 0, 0, d, sizeof d);
    CHECK(in.ea_base == 5 && in.ea_index == 6 && in.ea_seg == SEG_SS && in.disp == 4,
          "16-bit [bp+si+4]");
    /* jmp rel8 backwards in 32-bit code: eb fe at 0x100 -> target 0x100 */
    const uint8_t e[] = { 0xeb, 0xfe };
    decode_buf(&in, 32, 0, 0x100, e, sizeof e);
    CHECK(in.op == OP_JMP && in.imm == 0x100, "jmp $ target %llx", (unsigned long long)in.imm);
    /* add rax, -1 (48 83 c0 ff): imm sign-extended */
    const uint8_t f[] = { 0x48, 0x83, 0xc0, 0xff };
    decode_buf(&in, 64, 0, 0, f, sizeof f);
    CHECK(in.imm == ~0ull, "Ibs sign-extension");
    /* lock on a register destination is #UD */
    const uint8_t g[] = { 0xf0, 0x01, 0xc0 };
    decode_buf(&in, 64, 0, 0, g, sizeof g);
    CHECK(in.op == OP_INVALID && in.invalid_vector == EXC_UD, "lock add reg,reg is #UD");
    /* 16 prefixes: longer than 15 bytes is #GP */
    uint8_t h[16];
    memset(h, 0x66, sizeof h);
    decode_buf(&in, 64, 0, 0, h, sizeof h);
    CHECK(in.op == OP_INVALID && in.invalid_vector == EXC_GP, "over-long instruction is #GP");
    /* push in 64-bit mode defaults to 64-bit */
    const uint8_t i[] = { 0x50 };
    decode_buf(&in, 64, 0, 0, i, 1);
    CHECK(in.osize == 8, "push defaults to 64-bit operand");

    /* prefix columns: F3 0F BC is TZCNT with BMI1, BSF without (SDM TZCNT) */
    struct feat_set none = { { 0 } }, bmi = none;
    feat_add(&bmi, FEAT_BMI1);
    const uint8_t j[] = { 0xf3, 0x0f, 0xbc, 0xc1 };
    decode_buf(&in, 64, &bmi, 0, j, sizeof j);
    CHECK(in.op == OP_TZCNT && in.rep == 0, "F3 0F BC with BMI1 is TZCNT (%s)", insn_op_name[in.op]);
    decode_buf(&in, 64, &none, 0, j, sizeof j);
    CHECK(in.op == OP_BSF, "F3 0F BC without BMI1 is BSF (%s)", insn_op_name[in.op]);
    /* an SSE2 encoding without SSE2 is #UD */
    const uint8_t k[] = { 0x66, 0x0f, 0x6f, 0x00 };
    decode_buf(&in, 64, &none, 0, k, sizeof k);
    CHECK(in.op == OP_INVALID && in.invalid_vector == EXC_UD, "MOVDQA without SSE2 is #UD");
    /* 66 0F 6F: MOVDQA xmm0, [rax]: the 66 is consumed, operands are XMM and a 16-byte memory */
    decode_buf(&in, 64, NULL, 0, k, sizeof k);
    CHECK(in.op == OP_MOVDQA && in.pfx == PFX_66 && !in.opsize_prefix && in.o[0].kind == OPND_XMM
          && in.o[0].reg == 0 && in.o[1].kind == OPND_MEM && in.o[1].size == 16
          && (in.attrs & INSN_ALIGN), "MOVDQA operands");
    /* 0F 6F with REX.R: MOVQ mm1, mm2 keeps MMX numbering 0..7 */
    const uint8_t l[] = { 0x44, 0x0f, 0x6f, 0xca };
    decode_buf(&in, 64, NULL, 0, l, sizeof l);
    CHECK(in.op == OP_MOVQ && in.o[0].kind == OPND_MMX && in.o[0].reg == 1 && in.o[1].reg == 2,
          "MOVQ mm operands");
    /* VEX: C4 E2 70 F2 C2 = ANDN eax, ecx, edx (vvvv = ecx) */
    const uint8_t v[] = { 0xc4, 0xe2, 0x70, 0xf2, 0xc2 };
    decode_buf(&in, 64, NULL, 0, v, sizeof v);
    CHECK(in.op == OP_ANDN && in.vex && in.o[0].reg == 0 && in.o[1].reg == 1 && in.o[2].reg == 2
          && in.osize == 4 && in.len == 5, "VEX ANDN operands");
    /* VEX.W in 64-bit mode: 64-bit operation; VEX.L = 1 is #UD (no AVX) */
    const uint8_t w[] = { 0xc4, 0xe2, 0xf0, 0xf2, 0xc2 };
    decode_buf(&in, 64, NULL, 0, w, sizeof w);
    CHECK(in.op == OP_ANDN && in.o[0].size == 8, "VEX.W ANDN is 64-bit");
    const uint8_t x[] = { 0xc4, 0xe2, 0x74, 0xf2, 0xc2 };
    decode_buf(&in, 64, NULL, 0, x, sizeof x);
    CHECK(in.op == OP_INVALID, "VEX.L1 ANDN is #UD");
    /* a 66 prefix before VEX is #UD */
    const uint8_t y[] = { 0x66, 0xc4, 0xe2, 0x70, 0xf2, 0xc2 };
    decode_buf(&in, 64, NULL, 0, y, sizeof y);
    CHECK(in.op == OP_INVALID, "66 before VEX is #UD");
    /* 32-bit mode: C4 with mod != 11 is LES */
    const uint8_t z[] = { 0xc4, 0x00 };
    decode_buf(&in, 32, NULL, 0, z, sizeof z);
    CHECK(in.op == OP_LES, "C4 /mem in 32-bit mode is LES (%s)", insn_op_name[in.op]);
    /* RORX has no vvvv operand: vvvv != 1111b is #UD */
    const uint8_t rx[] = { 0xc4, 0xe3, 0x7b, 0xf0, 0xc1, 0x05 };
    decode_buf(&in, 64, NULL, 0, rx, sizeof rx);
    CHECK(in.op == OP_RORX && in.imm == 5, "RORX");
    const uint8_t rx2[] = { 0xc4, 0xe3, 0x73, 0xf0, 0xc1, 0x05 };
    decode_buf(&in, 64, NULL, 0, rx2, sizeof rx2);
    CHECK(in.op == OP_INVALID, "RORX with vvvv != 1111b is #UD");

    /* model gating: each encoding decodes with its CPUID bit and is #UD without it */
    static const struct {
        const char *name;
        unsigned feat;
        int mode;
        uint8_t b[6];
        unsigned len;
        uint16_t op;
    } gated[] = {
        { "FXSAVE", FEAT_FXSR, 64, { 0x0f, 0xae, 0x00 }, 3, OP_FXSAVE },
        { "FXRSTOR", FEAT_FXSR, 32, { 0x0f, 0xae, 0x08 }, 3, OP_FXRSTOR },
        { "LAHF (64-bit)", FEAT_LAHF_LM, 64, { 0x9f }, 1, OP_LAHF },
        { "SAHF (64-bit)", FEAT_LAHF_LM, 64, { 0x9e }, 1, OP_SAHF },
        { "CLFLUSH", FEAT_CLFLUSH, 64, { 0x0f, 0xae, 0x38 }, 3, OP_CLFLUSH },
        { "SFENCE", FEAT_SSE, 64, { 0x0f, 0xae, 0xf8 }, 3, OP_SFENCE },
        { "LFENCE", FEAT_SSE2, 64, { 0x0f, 0xae, 0xe8 }, 3, OP_LFENCE },
        { "MFENCE", FEAT_SSE2, 64, { 0x0f, 0xae, 0xf0 }, 3, OP_MFENCE },
        { "INVPCID", FEAT_INVPCID, 64, { 0x66, 0x0f, 0x38, 0x82, 0x08 }, 5, OP_INVPCID },
    };
    for (size_t g = 0; g < sizeof gated / sizeof gated[0]; g++) {
        struct feat_set only = none, all_but = feat_set_all();
        feat_add(&only, gated[g].feat);
        all_but.b[gated[g].feat / 64] &= ~(1ull << (gated[g].feat % 64));
        decode_buf(&in, gated[g].mode, &only, 0, gated[g].b, gated[g].len);
        CHECK(in.op == gated[g].op, "%s with its feature (%s)", gated[g].name,
              insn_op_name[in.op]);
        decode_buf(&in, gated[g].mode, &all_but, 0, gated[g].b, gated[g].len);
        CHECK(in.op == OP_INVALID && in.invalid_vector == EXC_UD, "%s without its feature is #UD",
              gated[g].name);
    }
    /* LAHF outside 64-bit mode needs no CPUID bit */
    decode_buf(&in, 32, &none, 0, (const uint8_t[]){ 0x9f }, 1);
    CHECK(in.op == OP_LAHF, "LAHF in 32-bit mode without LAHF_LM");
    /* INVPCID: 64-bit register operand without REX.W, 32-bit outside 64-bit mode; memory only */
    decode_buf(&in, 64, NULL, 0, (const uint8_t[]){ 0x66, 0x0f, 0x38, 0x82, 0x08 }, 5);
    CHECK(in.op == OP_INVPCID && in.o[0].size == 8 && in.o[0].reg == 1 && in.o[1].kind == OPND_MEM,
          "INVPCID rcx, [rax] operands");
    decode_buf(&in, 32, NULL, 0, (const uint8_t[]){ 0x66, 0x0f, 0x38, 0x82, 0x08 }, 5);
    CHECK(in.op == OP_INVPCID && in.o[0].size == 4, "INVPCID ecx, [eax] in 32-bit mode");
    decode_buf(&in, 64, NULL, 0, (const uint8_t[]){ 0x66, 0x0f, 0x38, 0x82, 0xc8 }, 5);
    CHECK(in.op == OP_INVALID && in.invalid_vector == EXC_UD, "INVPCID with a register operand is #UD");
    decode_buf(&in, 64, NULL, 0, (const uint8_t[]){ 0x0f, 0x38, 0x82, 0x08 }, 4);
    CHECK(in.op == OP_INVALID, "0F 38 82 without 66 is #UD");
}

int main(void)
{
    static const int modes[3] = { 64, 32, 16 };
    static const cs_mode csm[3] = { CS_MODE_64, CS_MODE_32, CS_MODE_16 };
    static const uint8_t prefixes[] = { 0x66, 0x67, 0xf3, 0xf2, 0x2e, 0x64, 0x48, 0x41, 0x4c };
    static const uint8_t mpfx[] = { 0x66, 0xf3, 0xf2 };
    unsigned long compared = 0, len_bad = 0, op_bad = 0;
    struct feat_set fs = feat_set_all();
    const struct feat_set *features = &fs;

    known_answers();
    for (int mi = 0; mi < 3; mi++) {
        csh h;
        if (cs_open(CS_ARCH_X86, csm[mi], &h) != CS_ERR_OK)
            return 77;
        /* maps: one-byte, 0F, 0F 38, 0F 3A, VEX 0F38 and VEX 0F3A (C4 form) */
        for (int map = 0; map < 6; map++) {
            for (int opc = 0; opc < 256; opc++) {
                if (map == 0 && opc == 0x0f)
                    continue;
                if (map == 1 && (opc == 0x38 || opc == 0x3a))
                    continue;
                for (int t = 0; t < (map < 2 ? 400 : 100); t++) {
                    uint8_t buf[24];
                    unsigned n = 0;
                    if (map >= 4) {
                        /* C4 RXB.mmmmm W.vvvv.L.pp: random R/X/B, W, vvvv, pp; L = 0;
                         * outside 64-bit mode R and X set (the LES/LDS rule) */
                        uint8_t r1 = rnd8(), r2 = rnd8();
                        buf[n++] = 0xc4;
                        buf[n++] = (uint8_t)((modes[mi] == 64 ? (r1 & 0xe0) : 0xe0) | (map == 4 ? 2 : 3));
                        buf[n++] = (uint8_t)(r2 & ~4u);
                    } else {
                        if (t % 4 == 1 || (map >= 2 && t % 2 == 0))
                            buf[n++] = map >= 2 && t % 2 == 0 ? mpfx[rnd8() % 3]
                                                              : prefixes[rnd8() % (modes[mi] == 64 ? 9 : 6)];
                        if (map)
                            buf[n++] = 0x0f;
                        if (map == 2 || map == 3)
                            buf[n++] = map == 2 ? 0x38 : 0x3a;
                    }
                    buf[n++] = (uint8_t)opc;
                    while (n < sizeof buf)
                        buf[n++] = rnd8();
                    struct insn in;
                    if (decode_buf(&in, modes[mi], features, 0x1000, buf, 16) != DECODE_OK
                        || in.op == OP_INVALID)
                        continue;
                    /* Documented exception: with 66 in 64-bit mode, Intel ignores the
                     * prefix on near relative branches (rel32, SDM vol. 2 CALL/JMP/Jcc);
                     * capstone decodes the AMD form (rel16).  satori is GenuineIntel. */
                    if (modes[mi] == 64 && in.nopnds && in.o[0].kind == OPND_REL
                        && (in.opsize_prefix || in.asize != 8))
                        continue;
                    /* capstone reads F2/F3 before a branch as BND and then drops 66 */
                    if (in.rep && in.nopnds && in.o[0].kind == OPND_REL && in.opsize_prefix)
                        continue;
                    /* Documented exception: UD0/UD1 (0F FF, 0F B9) take a ModRM byte (SDM UD);
                     * this capstone version decodes it without one. */
                    if (in.op == OP_UD1 || in.op == OP_UD0)
                        continue;
                    /* Documented exception: this capstone ignores mandatory prefixes in
                     * 16-bit mode (F3 0F BC shows as BSF, 66 0F 58 as ADDPS); the SDM
                     * gives them the same meaning in every mode. */
                    if (modes[mi] == 16 && in.pfx != PFX_NP)
                        continue;
                    /* Documented exception: capstone takes 66 as mandatory only when it
                     * is the last legacy prefix; the SDM does not order prefixes. */
                    if (in.pfx == PFX_66 && buf[0] == 0x66 && buf[1] != 0x0f
                        && (buf[1] & 0xf0) != 0x40)
                        continue;
                    cs_insn *ci;
                    size_t cnt = cs_disasm(h, buf, 16, 0x1000, 1, &ci);
                    if (!cnt)
                        continue;
                    compared++;
                    if (ci[0].size != in.len) {
                        if (len_bad++ < 40)
                            printf("length: mode %d bytes %02x %02x %02x %02x: satori %u (%s), capstone %u (%s %s)\n",
                                   modes[mi], buf[0], buf[1], buf[2], buf[3], in.len,
                                   insn_op_name[in.op], ci[0].size, ci[0].mnemonic, ci[0].op_str);
                    } else if (!same_op(in.op, ci[0].mnemonic)) {
                        if (op_bad++ < 4000)
                            printf("operation: mode %d bytes %02x %02x %02x: satori %s, capstone %s\n",
                                   modes[mi], buf[0], buf[1], buf[2], insn_op_name[in.op],
                                   ci[0].mnemonic);
                    }
                    cs_free(ci, cnt);
                }
            }
        }
        cs_close(&h);
    }
    printf("test-decode: %lu encodings compared, %lu length and %lu operation disagreements, %d known-answer failures\n",
           compared, len_bad, op_bad, failures);
    return (len_bad || op_bad || failures) ? 1 : 0;
}
