/*
 * Differential test of the CPU core against the host CPU (x86-64 hosts).
 *
 * Generates short random sequences of general-purpose instructions from a
 * template list, runs each sequence natively (user mode, through a
 * trampoline that loads and stores every GPR and RFLAGS) and in satori's
 * CPU (64-bit mode, identity paging, the same virtual addresses), and
 * compares all 16 GPRs, the 16 XMM and 8 MMX registers, the arithmetic
 * flags the sequence defines, DF, and the 4 KiB data buffer the
 * instructions may touch.
 *
 * Flags that the SDM leaves undefined are masked: each template says which
 * flags it defines and which it leaves undefined; a template that reads
 * flags is only placed where every flag it reads is defined.
 *
 * The extensions' templates (MMX, SSE..SSE4.2, AES, PCLMULQDQ and the
 * integer extensions) also compare the XMM and MMX registers; the
 * trampoline loads and stores them around the native run (then EMMS).
 *
 *   difftest [-e] [-f] [-i] [-r] [-x | -X | -S] [-n CASES] [-s SEED] [-v]
 *
 * -e: the extensions' templates only; -x: x87 sequences instead
 * (tests/difftest-x87.c), -X with the transcendentals too; -S: SSE
 * floating-point sequences instead (tests/difftest-ssefp.c), MXCSR and the
 * exceptions compared too, through the buffer.
 *
 * `make check` runs a short version; `make difftest-full` runs at least
 * 10^6 instructions.  Exit 77 (skip) on non-x86-64 hosts.
 */
#include "config.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__)

#include "cpu/cpu-internal.h"
#include "util/log.h"
#include "cpu/ops-sse.h"
#include "hw/hw.h"
#include "tests/difftest-count.h"
#include "tests/difftest-x87.h"
#include "timers/timers.h"

#define DATA_VA   0x10000000ull   /* data buffer, same VA natively and in the guest */
#define DATA_SIZE 0x1000ull
#define STACK_VA  0x10001000ull   /* stack page below STACK_TOP */
#define STACK_TOP 0x10001f00ull
#define CODE_VA   0x10002000ull
#define CODE_SIZE 0x1000ull
#define GUEST_RAM (512ull << 20)

/* ---- templates ------------------------------------------------------------ */

enum {
    F_CF = EFLAGS_CF, F_PF = EFLAGS_PF, F_AF = EFLAGS_AF, F_ZF = EFLAGS_ZF,
    F_SF = EFLAGS_SF, F_OF = EFLAGS_OF,
    F_ALL = EFLAGS_ARITH,
    F_SZP = F_SF | F_ZF | F_PF,
};

/* How the ModRM byte of a template is completed. */
enum form {
    FORM_NONE,      /* no ModRM: bytes used as they are */
    FORM_RR,        /* mod=3, reg and rm random registers */
    FORM_RM,        /* memory operand [rbx + disp8], reg random */
    FORM_R,         /* mod=3, rm random, reg fixed by the template (/digit) */
    FORM_M,         /* memory [rbx + disp8], reg fixed (/digit) */
    FORM_OPREG,     /* register in the low 3 bits of the last opcode byte */
};

enum { IMM_NONE, IMM8, IMM16, IMM32, IMM64, IMMSZ /* by operand size: 2 or 4 */ };

struct tmpl {
    const char *name;
    uint8_t op[3];
    uint8_t oplen;
    uint8_t digit;      /* ModRM.reg for FORM_R / FORM_M */
    uint8_t form;
    uint8_t imm;
    uint8_t size;       /* operand size: 1, 2, 4, 8 (prefix 66 / REX.W added) */
    uint16_t defines;   /* flags written with defined values */
    uint16_t undef;     /* flags left undefined */
    uint16_t reads;     /* flags read */
    uint8_t special;    /* SP_* */
    bool dst_reg_rm;    /* the rm register is written (else the reg field) */
    bool no_dst;        /* writes no register (CMP, TEST, BT) */
    uint8_t pfx;        /* mandatory prefix (66, F2, F3) before REX, or 0 */
    bool align16;       /* memory operand 16-byte aligned (aligned SSE forms) */
    uint8_t vex;        /* VEX_* (op = { map, pp, opcode }) */
    uint8_t ext;        /* enum dt_ext (set by build_templates) */
};

/* VEX general-register forms: what VEX.vvvv is */
enum { VEX_NONE, VEX_SRC, VEX_DST /* BLS*: reg field = digit */, VEX_DST2 /* MULX */,
       VEX_UNUSED /* RORX: vvvv = 1111b */ };

enum { SP_NONE, SP_SHIFT_CL, SP_SHIFT_IMM, SP_DIV, SP_IDIV, SP_STRING, SP_BSF, SP_JCC,
       SP_LEA_SIB, SP_VEX };

#define T(...) ((struct tmpl){ __VA_ARGS__ })

/* Fill the table programmatically for the regular families. */
static struct tmpl tmpls[2048];
static unsigned ntmpls;
static unsigned ext_first;  /* first template of the extensions (-e: only those) */

static void add(struct tmpl t)
{
    if (ntmpls < sizeof tmpls / sizeof tmpls[0])
        tmpls[ntmpls++] = t;
}

static const char *const alu_names[8] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };

static void add_sizes(struct tmpl t, const uint8_t byte_op, const uint8_t v_op)
{
    static const uint8_t sizes[] = { 1, 2, 4, 8 };

    for (unsigned i = 0; i < 4; i++) {
        struct tmpl x = t;

        x.size = sizes[i];
        x.op[x.oplen - 1] = sizes[i] == 1 ? byte_op : v_op;
        if (sizes[i] == 1 && byte_op == 0xff)
            continue;
        add(x);
    }
}

/* POPCNT/LZCNT/TZCNT, ADX, MOVBE, CRC32 and the VEX BMI1/BMI2 forms */
static void build_ext_templates(void)
{
    static const uint8_t sz[] = { 2, 4, 8 };

    for (unsigned i = 0; i < 3; i++) {
        uint8_t s = sz[i];
        add(T(.name = "popcnt", .pfx = 0xf3, .op = { 0x0f, 0xb8 }, .oplen = 2, .form = FORM_RR,
              .size = s, .defines = F_ALL));
        add(T(.name = "lzcnt", .pfx = 0xf3, .op = { 0x0f, 0xbd }, .oplen = 2, .form = FORM_RR,
              .size = s, .defines = F_CF | F_ZF, .undef = F_OF | F_SF | F_PF | F_AF));
        add(T(.name = "tzcnt", .pfx = 0xf3, .op = { 0x0f, 0xbc }, .oplen = 2, .form = FORM_RM,
              .size = s, .defines = F_CF | F_ZF, .undef = F_OF | F_SF | F_PF | F_AF));
        add(T(.name = "movbe-ld", .op = { 0x0f, 0x38, 0xf0 }, .oplen = 3, .form = FORM_RM, .size = s));
        add(T(.name = "movbe-st", .op = { 0x0f, 0x38, 0xf1 }, .oplen = 3, .form = FORM_RM, .size = s,
              .no_dst = true));
        add(T(.name = "crc32", .pfx = 0xf2, .op = { 0x0f, 0x38, 0xf1 }, .oplen = 3,
              .form = FORM_RR, .size = s));
        if (s == 2)
            continue;
        add(T(.name = "adcx", .pfx = 0x66, .op = { 0x0f, 0x38, 0xf6 }, .oplen = 3, .form = FORM_RR,
              .size = s, .defines = F_CF, .reads = F_CF));
        add(T(.name = "adox", .pfx = 0xf3, .op = { 0x0f, 0x38, 0xf6 }, .oplen = 3, .form = FORM_RM,
              .size = s, .defines = F_OF, .reads = F_OF));
        add(T(.name = "crc32b", .pfx = 0xf2, .op = { 0x0f, 0x38, 0xf0 }, .oplen = 3,
              .form = FORM_RM, .size = s));
        /* VEX: op = { map, pp, opcode } */
        const uint16_t szco = F_SF | F_ZF | F_CF | F_OF, pa = F_PF | F_AF;
        add(T(.name = "andn", .special = SP_VEX, .vex = VEX_SRC, .op = { 2, 0, 0xf2 },
              .form = FORM_RR, .size = s, .defines = szco, .undef = pa));
        add(T(.name = "bextr", .special = SP_VEX, .vex = VEX_SRC, .op = { 2, 0, 0xf7 },
              .form = FORM_RM, .size = s, .defines = F_ZF | F_CF | F_OF, .undef = pa | F_SF));
        for (uint8_t d = 1; d <= 3; d++)
            add(T(.name = "blsx", .special = SP_VEX, .vex = VEX_DST, .digit = d,
                  .op = { 2, 0, 0xf3 }, .form = FORM_R, .size = s, .defines = szco, .undef = pa));
        add(T(.name = "bzhi", .special = SP_VEX, .vex = VEX_SRC, .op = { 2, 0, 0xf5 },
              .form = FORM_RR, .size = s, .defines = szco, .undef = pa));
        add(T(.name = "pext", .special = SP_VEX, .vex = VEX_SRC, .op = { 2, 2, 0xf5 },
              .form = FORM_RR, .size = s));
        add(T(.name = "pdep", .special = SP_VEX, .vex = VEX_SRC, .op = { 2, 3, 0xf5 },
              .form = FORM_RM, .size = s));
        add(T(.name = "mulx", .special = SP_VEX, .vex = VEX_DST2, .op = { 2, 3, 0xf6 },
              .form = FORM_RR, .size = s));
        add(T(.name = "shlx", .special = SP_VEX, .vex = VEX_SRC, .op = { 2, 1, 0xf7 },
              .form = FORM_RR, .size = s));
        add(T(.name = "sarx", .special = SP_VEX, .vex = VEX_SRC, .op = { 2, 2, 0xf7 },
              .form = FORM_RM, .size = s));
        add(T(.name = "shrx", .special = SP_VEX, .vex = VEX_SRC, .op = { 2, 3, 0xf7 },
              .form = FORM_RR, .size = s));
        add(T(.name = "rorx", .special = SP_VEX, .vex = VEX_UNUSED, .op = { 3, 3, 0xf0 },
              .form = FORM_RR, .imm = IMM8, .size = s));
    }
}

/*
 * SSE..SSE4.1 integer, bitwise, shuffle and move forms (XMM; MMX forms are
 * not run natively: the host's x87 state would stay in MMX mode).  Each
 * entry: prefix, map bytes and opcode, immediate, and which operand is a
 * general register.
 */
enum { XG_NONE, XG_REG_DST, XG_RM_DST, XG_RM_SRC, XG_STORE };
static const struct sse_form {
    const char *name;
    uint8_t pfx, op[3], oplen, imm, gpr;
    bool unaligned;
    uint16_t flags;
} sse_forms[] = {
#define P66(o) { "sse", 0x66, { 0x0f, o }, 2, 0, XG_NONE, false, 0 }
#define P38(o) { "sse38", 0x66, { 0x0f, 0x38, o }, 3, 0, XG_NONE, false, 0 }
#define P3A(o) { "sse3a", 0x66, { 0x0f, 0x3a, o }, 3, IMM8, XG_NONE, false, 0 }
    P66(0x60), P66(0x61), P66(0x62), P66(0x63), P66(0x64), P66(0x65), P66(0x66), P66(0x67),
    P66(0x68), P66(0x69), P66(0x6a), P66(0x6b), P66(0x6c), P66(0x6d), P66(0x74), P66(0x75),
    P66(0x76), P66(0xd1), P66(0xd2), P66(0xd3), P66(0xd4), P66(0xd5), P66(0xd8), P66(0xd9),
    P66(0xda), P66(0xdb), P66(0xdc), P66(0xdd), P66(0xde), P66(0xdf), P66(0xe0), P66(0xe1),
    P66(0xe2), P66(0xe3), P66(0xe4), P66(0xe5), P66(0xe8), P66(0xe9), P66(0xea), P66(0xeb),
    P66(0xec), P66(0xed), P66(0xee), P66(0xef), P66(0xf1), P66(0xf2), P66(0xf3), P66(0xf4),
    P66(0xf5), P66(0xf6), P66(0xf8), P66(0xf9), P66(0xfa), P66(0xfb), P66(0xfc), P66(0xfd),
    P66(0xfe), P66(0x54), P66(0x55), P66(0x56), P66(0x57), P66(0x14), P66(0x15),
    { "ps", 0, { 0x0f, 0x54 }, 2, 0, 0, false, 0 }, { "ps", 0, { 0x0f, 0x55 }, 2, 0, 0, false, 0 },
    { "ps", 0, { 0x0f, 0x56 }, 2, 0, 0, false, 0 }, { "ps", 0, { 0x0f, 0x57 }, 2, 0, 0, false, 0 },
    { "ps", 0, { 0x0f, 0x14 }, 2, 0, 0, false, 0 }, { "ps", 0, { 0x0f, 0x15 }, 2, 0, 0, false, 0 },
    { "shufps", 0, { 0x0f, 0xc6 }, 2, IMM8, 0, false, 0 },
    { "shufpd", 0x66, { 0x0f, 0xc6 }, 2, IMM8, 0, false, 0 },
    { "pshufd", 0x66, { 0x0f, 0x70 }, 2, IMM8, 0, false, 0 },
    { "pshufhw", 0xf3, { 0x0f, 0x70 }, 2, IMM8, 0, false, 0 },
    { "pshuflw", 0xf2, { 0x0f, 0x70 }, 2, IMM8, 0, false, 0 },
    /* moves */
    { "movdqa", 0x66, { 0x0f, 0x6f }, 2, 0, 0, false, 0 },
    { "movdqu", 0xf3, { 0x0f, 0x6f }, 2, 0, 0, true, 0 },
    { "movdqa-st", 0x66, { 0x0f, 0x7f }, 2, 0, XG_STORE, false, 0 },
    { "movdqu-st", 0xf3, { 0x0f, 0x7f }, 2, 0, XG_STORE, true, 0 },
    { "movaps", 0, { 0x0f, 0x28 }, 2, 0, 0, false, 0 },
    { "movaps-st", 0, { 0x0f, 0x29 }, 2, 0, XG_STORE, false, 0 },
    { "movups", 0, { 0x0f, 0x10 }, 2, 0, 0, true, 0 },
    { "movups-st", 0, { 0x0f, 0x11 }, 2, 0, XG_STORE, true, 0 },
    { "movupd", 0x66, { 0x0f, 0x10 }, 2, 0, 0, true, 0 },
    { "movss", 0xf3, { 0x0f, 0x10 }, 2, 0, 0, true, 0 },
    { "movss-st", 0xf3, { 0x0f, 0x11 }, 2, 0, XG_STORE, true, 0 },
    { "movsd", 0xf2, { 0x0f, 0x10 }, 2, 0, 0, true, 0 },
    { "movsd-st", 0xf2, { 0x0f, 0x11 }, 2, 0, XG_STORE, true, 0 },
    { "movq", 0xf3, { 0x0f, 0x7e }, 2, 0, 0, true, 0 },
    { "movq-st", 0x66, { 0x0f, 0xd6 }, 2, 0, XG_STORE, true, 0 },
    { "movlps", 0, { 0x0f, 0x12 }, 2, 0, 0, true, 0 },
    { "movhps", 0, { 0x0f, 0x16 }, 2, 0, 0, true, 0 },
    { "movlpd", 0x66, { 0x0f, 0x12 }, 2, 0, XG_STORE, true, 0 },
    { "movhpd-st", 0x66, { 0x0f, 0x17 }, 2, 0, XG_STORE, true, 0 },
    { "movlps-st", 0, { 0x0f, 0x13 }, 2, 0, XG_STORE, true, 0 },
    { "movsldup", 0xf3, { 0x0f, 0x12 }, 2, 0, 0, false, 0 },
    { "movshdup", 0xf3, { 0x0f, 0x16 }, 2, 0, 0, false, 0 },
    { "movddup", 0xf2, { 0x0f, 0x12 }, 2, 0, 0, true, 0 },
    { "movntdq", 0x66, { 0x0f, 0xe7 }, 2, 0, XG_STORE, false, 0 },
    { "movd-in", 0x66, { 0x0f, 0x6e }, 2, 0, XG_RM_SRC, true, 0 },
    { "movd-out", 0x66, { 0x0f, 0x7e }, 2, 0, XG_RM_DST, true, 0 },
    { "pmovmskb", 0x66, { 0x0f, 0xd7 }, 2, 0, XG_REG_DST, false, 0 },
    { "movmskps", 0, { 0x0f, 0x50 }, 2, 0, XG_REG_DST, false, 0 },
    { "movmskpd", 0x66, { 0x0f, 0x50 }, 2, 0, XG_REG_DST, false, 0 },
    { "pextrw", 0x66, { 0x0f, 0xc5 }, 2, IMM8, XG_REG_DST, false, 0 },
    { "pinsrw", 0x66, { 0x0f, 0xc4 }, 2, IMM8, XG_RM_SRC, true, 0 },
    /* SSSE3 and SSE4.1 */
    P38(0x00), P38(0x01), P38(0x02), P38(0x03), P38(0x04), P38(0x05), P38(0x06), P38(0x07),
    P38(0x08), P38(0x09), P38(0x0a), P38(0x0b), P38(0x10), P38(0x14), P38(0x15),
    P38(0x1c), P38(0x1d), P38(0x1e), P38(0x28), P38(0x29), P38(0x2b), P38(0x37),
    P38(0x38), P38(0x39), P38(0x3a), P38(0x3b), P38(0x3c), P38(0x3d), P38(0x3e), P38(0x3f),
    P38(0x40), P38(0x41),
    { "pmovx", 0x66, { 0x0f, 0x38, 0x20 }, 3, 0, 0, true, 0 },
    { "pmovx", 0x66, { 0x0f, 0x38, 0x21 }, 3, 0, 0, true, 0 },
    { "pmovx", 0x66, { 0x0f, 0x38, 0x22 }, 3, 0, 0, true, 0 },
    { "pmovx", 0x66, { 0x0f, 0x38, 0x23 }, 3, 0, 0, true, 0 },
    { "pmovx", 0x66, { 0x0f, 0x38, 0x24 }, 3, 0, 0, true, 0 },
    { "pmovx", 0x66, { 0x0f, 0x38, 0x25 }, 3, 0, 0, true, 0 },
    { "pmovx", 0x66, { 0x0f, 0x38, 0x30 }, 3, 0, 0, true, 0 },
    { "pmovx", 0x66, { 0x0f, 0x38, 0x31 }, 3, 0, 0, true, 0 },
    { "pmovx", 0x66, { 0x0f, 0x38, 0x32 }, 3, 0, 0, true, 0 },
    { "pmovx", 0x66, { 0x0f, 0x38, 0x33 }, 3, 0, 0, true, 0 },
    { "pmovx", 0x66, { 0x0f, 0x38, 0x34 }, 3, 0, 0, true, 0 },
    { "pmovx", 0x66, { 0x0f, 0x38, 0x35 }, 3, 0, 0, true, 0 },
    { "ptest", 0x66, { 0x0f, 0x38, 0x17 }, 3, 0, 0, false, F_ALL },
    P3A(0x0c), P3A(0x0d), P3A(0x0e), P3A(0x0f), P3A(0x21), P3A(0x42), P3A(0x44), P3A(0xdf),
    P38(0xdb), P38(0xdc), P38(0xdd), P38(0xde), P38(0xdf),
    { "pcmpstr", 0x66, { 0x0f, 0x3a, 0x60 }, 3, IMM8, 0, true, F_ALL },
    { "pcmpstr", 0x66, { 0x0f, 0x3a, 0x61 }, 3, IMM8, 0, true, F_ALL },
    { "pcmpstr", 0x66, { 0x0f, 0x3a, 0x62 }, 3, IMM8, 0, true, F_ALL },
    { "pcmpstr", 0x66, { 0x0f, 0x3a, 0x63 }, 3, IMM8, 0, true, F_ALL },
    { "pextrb", 0x66, { 0x0f, 0x3a, 0x14 }, 3, IMM8, XG_RM_DST, true, 0 },
    { "pextrw3a", 0x66, { 0x0f, 0x3a, 0x15 }, 3, IMM8, XG_RM_DST, true, 0 },
    { "pextrd", 0x66, { 0x0f, 0x3a, 0x16 }, 3, IMM8, XG_RM_DST, true, 0 },
    { "extractps", 0x66, { 0x0f, 0x3a, 0x17 }, 3, IMM8, XG_RM_DST, true, 0 },
    { "pinsrb", 0x66, { 0x0f, 0x3a, 0x20 }, 3, IMM8, XG_RM_SRC, true, 0 },
    { "pinsrd", 0x66, { 0x0f, 0x3a, 0x22 }, 3, IMM8, XG_RM_SRC, true, 0 },
#undef P66
#undef P38
#undef P3A
};

static void build_sse_templates(void)
{
    for (size_t i = 0; i < sizeof sse_forms / sizeof sse_forms[0]; i++) {
        const struct sse_form *f = &sse_forms[i];
        struct tmpl t = T(.name = f->name, .pfx = f->pfx, .oplen = f->oplen, .imm = f->imm,
                          .size = 4, .defines = f->flags, .align16 = !f->unaligned);
        memcpy(t.op, f->op, 3);
        t.dst_reg_rm = f->gpr == XG_RM_DST;
        t.no_dst = f->gpr == XG_STORE;
        if (f->gpr != XG_STORE) {
            t.form = FORM_RR;
            add(t);
        }
        if (f->gpr != XG_RM_DST && f->gpr != XG_REG_DST
            && !(f->pfx == 0 && f->op[1] == 0x12) && !(f->pfx == 0 && f->op[1] == 0x16)) {
            t.form = FORM_RM;
            add(t);
        }
        if (f->gpr == XG_RM_DST || f->gpr == XG_RM_SRC) {
            bool q = f->op[1] == 0x6e || f->op[1] == 0x7e || (f->oplen == 3 && (f->op[2] == 0x16
                                                                               || f->op[2] == 0x22));
            if (q) {
                t.size = 8;
                t.form = FORM_RR;
                add(t);
            }
        }
    }
    /* MMX forms (no prefix): the packed operations on mm registers */
    static const uint8_t mmx_ops[] = {
        0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x74, 0x75,
        0x76, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
        0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
        0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0x6f,
    };
    for (size_t i = 0; i < sizeof mmx_ops; i++) {
        add(T(.name = "mmx", .op = { 0x0f, mmx_ops[i] }, .oplen = 2, .form = FORM_RR, .size = 4));
        add(T(.name = "mmx", .op = { 0x0f, mmx_ops[i] }, .oplen = 2, .form = FORM_RM, .size = 4));
    }
    static const uint8_t ssse3_ops[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x1c, 0x1d, 0x1e };
    for (size_t i = 0; i < sizeof ssse3_ops; i++)
        add(T(.name = "mmx-ssse3", .op = { 0x0f, 0x38, ssse3_ops[i] }, .oplen = 3,
              .form = (i & 1) ? FORM_RM : FORM_RR, .size = 4));
    add(T(.name = "palignr-mm", .op = { 0x0f, 0x3a, 0x0f }, .oplen = 3, .form = FORM_RR,
          .imm = IMM8, .size = 4));
    add(T(.name = "pshufw", .op = { 0x0f, 0x70 }, .oplen = 2, .form = FORM_RM, .imm = IMM8, .size = 4));
    add(T(.name = "movq-mm-st", .op = { 0x0f, 0x7f }, .oplen = 2, .form = FORM_RM, .size = 4,
          .no_dst = true));
    add(T(.name = "movd-mm", .op = { 0x0f, 0x6e }, .oplen = 2, .form = FORM_RR, .size = 8));
    add(T(.name = "movd-mm-out", .op = { 0x0f, 0x7e }, .oplen = 2, .form = FORM_RR, .size = 4,
          .dst_reg_rm = true));
    add(T(.name = "pmovmskb-mm", .op = { 0x0f, 0xd7 }, .oplen = 2, .form = FORM_RR, .size = 4));
    add(T(.name = "pextrw-mm", .op = { 0x0f, 0xc5 }, .oplen = 2, .form = FORM_RR, .imm = IMM8,
          .size = 4));
    add(T(.name = "pinsrw-mm", .op = { 0x0f, 0xc4 }, .oplen = 2, .form = FORM_RM, .imm = IMM8,
          .size = 4));
    add(T(.name = "movq2dq", .pfx = 0xf3, .op = { 0x0f, 0xd6 }, .oplen = 2, .form = FORM_RR, .size = 4));
    add(T(.name = "movdq2q", .pfx = 0xf2, .op = { 0x0f, 0xd6 }, .oplen = 2, .form = FORM_RR, .size = 4));
    static const uint8_t mgrp[][2] = { { 0x71, 2 }, { 0x71, 4 }, { 0x71, 6 }, { 0x72, 2 },
                                       { 0x72, 4 }, { 0x72, 6 }, { 0x73, 2 }, { 0x73, 6 } };
    for (size_t i = 0; i < sizeof mgrp / sizeof mgrp[0]; i++)
        add(T(.name = "pshift-imm-mm", .op = { 0x0f, mgrp[i][0] }, .oplen = 2, .form = FORM_R,
              .digit = mgrp[i][1], .imm = IMM8, .size = 4, .dst_reg_rm = true));
    /* shifts by an immediate: 66 0F 71/72/73 /digit ib */
    static const uint8_t grp[][2] = { { 0x71, 2 }, { 0x71, 4 }, { 0x71, 6 }, { 0x72, 2 },
                                      { 0x72, 4 }, { 0x72, 6 }, { 0x73, 2 }, { 0x73, 3 },
                                      { 0x73, 6 }, { 0x73, 7 } };
    for (size_t i = 0; i < sizeof grp / sizeof grp[0]; i++)
        add(T(.name = "pshift-imm", .pfx = 0x66, .op = { 0x0f, grp[i][0] }, .oplen = 2,
              .form = FORM_R, .digit = grp[i][1], .imm = IMM8, .size = 4, .dst_reg_rm = true));
}

static void build_templates(void)
{
    for (unsigned op = 0; op < 8; op++) {
        uint16_t def = op == 1 || op == 4 || op == 6 ? F_ALL & ~F_AF : F_ALL;
        uint16_t undef = op == 1 || op == 4 || op == 6 ? F_AF : 0;
        uint16_t reads = op == 2 || op == 3 ? F_CF : 0;
        bool nd = op == 7;

        add_sizes(T(.name = alu_names[op], .oplen = 1, .form = FORM_RR, .defines = def,
                    .undef = undef, .reads = reads, .dst_reg_rm = true, .no_dst = nd),
                  (uint8_t)(op * 8), (uint8_t)(op * 8 + 1));
        add_sizes(T(.name = alu_names[op], .oplen = 1, .form = FORM_RM, .defines = def,
                    .undef = undef, .reads = reads, .no_dst = nd),
                  (uint8_t)(op * 8 + 2), (uint8_t)(op * 8 + 3));
        add_sizes(T(.name = alu_names[op], .oplen = 1, .form = FORM_RM, .defines = def,
                    .undef = undef, .reads = reads, .no_dst = true),
                  (uint8_t)(op * 8), (uint8_t)(op * 8 + 1)); /* memory destination */
        add_sizes(T(.name = alu_names[op], .oplen = 1, .form = FORM_R, .digit = (uint8_t)op,
                    .imm = IMMSZ, .defines = def, .undef = undef, .reads = reads,
                    .dst_reg_rm = true, .no_dst = nd), 0x80, 0x81);
        add_sizes(T(.name = alu_names[op], .oplen = 1, .form = FORM_M, .digit = (uint8_t)op,
                    .imm = IMMSZ, .defines = def, .undef = undef, .reads = reads, .no_dst = true),
                  0x80, 0x81);
        add_sizes(T(.name = alu_names[op], .oplen = 1, .form = FORM_R, .digit = (uint8_t)op,
                    .imm = IMM8, .defines = def, .undef = undef, .reads = reads,
                    .dst_reg_rm = true, .no_dst = nd), 0xff, 0x83);
        add_sizes(T(.name = alu_names[op], .oplen = 1, .form = FORM_NONE, .imm = IMMSZ,
                    .defines = def, .undef = undef, .reads = reads),
                  (uint8_t)(op * 8 + 4), (uint8_t)(op * 8 + 5));
    }
    add_sizes(T(.name = "test", .oplen = 1, .form = FORM_RR, .defines = F_ALL & ~F_AF,
                .undef = F_AF, .no_dst = true), 0x84, 0x85);
    add_sizes(T(.name = "test", .oplen = 1, .form = FORM_R, .digit = 0, .imm = IMMSZ,
                .defines = F_ALL & ~F_AF, .undef = F_AF, .no_dst = true), 0xf6, 0xf7);
    add_sizes(T(.name = "not", .oplen = 1, .form = FORM_R, .digit = 2, .dst_reg_rm = true), 0xf6, 0xf7);
    add_sizes(T(.name = "neg", .oplen = 1, .form = FORM_R, .digit = 3, .defines = F_ALL,
                .dst_reg_rm = true), 0xf6, 0xf7);
    add_sizes(T(.name = "neg", .oplen = 1, .form = FORM_M, .digit = 3, .defines = F_ALL,
                .no_dst = true), 0xf6, 0xf7);
    add_sizes(T(.name = "inc", .oplen = 1, .form = FORM_R, .digit = 0,
                .defines = F_ALL & ~F_CF, .dst_reg_rm = true), 0xfe, 0xff);
    add_sizes(T(.name = "dec", .oplen = 1, .form = FORM_R, .digit = 1,
                .defines = F_ALL & ~F_CF, .dst_reg_rm = true), 0xfe, 0xff);
    add_sizes(T(.name = "dec", .oplen = 1, .form = FORM_M, .digit = 1,
                .defines = F_ALL & ~F_CF, .no_dst = true), 0xfe, 0xff);
    add_sizes(T(.name = "mul", .oplen = 1, .form = FORM_R, .digit = 4, .defines = F_CF | F_OF,
                .undef = F_SZP | F_AF, .dst_reg_rm = false, .no_dst = true), 0xf6, 0xf7);
    add_sizes(T(.name = "imul1", .oplen = 1, .form = FORM_R, .digit = 5, .defines = F_CF | F_OF,
                .undef = F_SZP | F_AF, .no_dst = true), 0xf6, 0xf7);
    add_sizes(T(.name = "imul2", .op = { 0x0f }, .oplen = 2, .form = FORM_RR,
                .defines = F_CF | F_OF, .undef = F_SZP | F_AF), 0xff, 0xaf);
    add_sizes(T(.name = "imul3", .oplen = 1, .form = FORM_RR, .imm = IMMSZ,
                .defines = F_CF | F_OF, .undef = F_SZP | F_AF), 0xff, 0x69);
    add_sizes(T(.name = "imul3b", .oplen = 1, .form = FORM_RR, .imm = IMM8,
                .defines = F_CF | F_OF, .undef = F_SZP | F_AF), 0xff, 0x6b);
    add_sizes(T(.name = "div", .oplen = 1, .form = FORM_R, .digit = 6, .undef = F_ALL,
                .special = SP_DIV, .no_dst = true), 0xf6, 0xf7);
    add_sizes(T(.name = "idiv", .oplen = 1, .form = FORM_R, .digit = 7, .undef = F_ALL,
                .special = SP_IDIV, .no_dst = true), 0xf6, 0xf7);
    for (unsigned d = 0; d < 8; d++) {
        static const char *const sn[8] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar" };
        if (d == 6)
            continue;
        uint16_t rd = d == 2 || d == 3 ? F_CF : 0;
        add_sizes(T(.name = sn[d], .oplen = 1, .form = FORM_R, .digit = (uint8_t)d,
                    .imm = IMM8, .reads = rd, .special = SP_SHIFT_IMM, .dst_reg_rm = true),
                  0xc0, 0xc1);
        add_sizes(T(.name = sn[d], .oplen = 1, .form = FORM_R, .digit = (uint8_t)d,
                    .reads = rd, .special = SP_SHIFT_CL, .dst_reg_rm = true), 0xd2, 0xd3);
        add_sizes(T(.name = sn[d], .oplen = 1, .form = FORM_R, .digit = (uint8_t)d,
                    .reads = rd, .special = SP_SHIFT_IMM, .dst_reg_rm = true), 0xd0, 0xd1);
    }
    /* SHLD/SHRD by imm8 and by CL */
    add_sizes(T(.name = "shld", .op = { 0x0f }, .oplen = 2, .form = FORM_RR, .imm = IMM8,
                .special = SP_SHIFT_IMM, .dst_reg_rm = true), 0xff, 0xa4);
    add_sizes(T(.name = "shld", .op = { 0x0f }, .oplen = 2, .form = FORM_RR,
                .special = SP_SHIFT_CL, .dst_reg_rm = true), 0xff, 0xa5);
    add_sizes(T(.name = "shrd", .op = { 0x0f }, .oplen = 2, .form = FORM_RR, .imm = IMM8,
                .special = SP_SHIFT_IMM, .dst_reg_rm = true), 0xff, 0xac);
    add_sizes(T(.name = "shrd", .op = { 0x0f }, .oplen = 2, .form = FORM_RR,
                .special = SP_SHIFT_CL, .dst_reg_rm = true), 0xff, 0xad);
    /* moves */
    add_sizes(T(.name = "mov", .oplen = 1, .form = FORM_RR, .dst_reg_rm = true), 0x88, 0x89);
    add_sizes(T(.name = "mov", .oplen = 1, .form = FORM_RM), 0x8a, 0x8b);
    add_sizes(T(.name = "mov", .oplen = 1, .form = FORM_RM, .no_dst = true), 0x88, 0x89);
    add_sizes(T(.name = "mov", .oplen = 1, .form = FORM_R, .digit = 0, .imm = IMMSZ,
                .dst_reg_rm = true), 0xc6, 0xc7);
    add_sizes(T(.name = "movzxb", .op = { 0x0f }, .oplen = 2, .form = FORM_RR), 0xff, 0xb6);
    add_sizes(T(.name = "movzxw", .op = { 0x0f }, .oplen = 2, .form = FORM_RR), 0xff, 0xb7);
    add_sizes(T(.name = "movsxb", .op = { 0x0f }, .oplen = 2, .form = FORM_RR), 0xff, 0xbe);
    add_sizes(T(.name = "movsxw", .op = { 0x0f }, .oplen = 2, .form = FORM_RM), 0xff, 0xbf);
    add(T(.name = "movsxd", .op = { 0x63 }, .oplen = 1, .form = FORM_RR, .size = 8));
    add_sizes(T(.name = "movzxb", .op = { 0x0f }, .oplen = 2, .form = FORM_RM), 0xff, 0xb6);
    add_sizes(T(.name = "movzxw", .op = { 0x0f }, .oplen = 2, .form = FORM_RM), 0xff, 0xb7);
    add_sizes(T(.name = "movsxb", .op = { 0x0f }, .oplen = 2, .form = FORM_RM), 0xff, 0xbe);
    add_sizes(T(.name = "movsxw", .op = { 0x0f }, .oplen = 2, .form = FORM_RR), 0xff, 0xbf);
    add(T(.name = "movsxd", .op = { 0x63 }, .oplen = 1, .form = FORM_RM, .size = 8));
    /* LEA with base, index and scale drawn at random, 64- or 32-bit addressing */
    add(T(.name = "lea-sib", .op = { 0x8d }, .oplen = 1, .size = 4, .special = SP_LEA_SIB));
    add(T(.name = "lea-sib", .op = { 0x8d }, .oplen = 1, .size = 8, .special = SP_LEA_SIB));
    add_sizes(T(.name = "lea", .oplen = 1, .form = FORM_RM), 0xff, 0x8d);
    add_sizes(T(.name = "xchg", .oplen = 1, .form = FORM_RR, .dst_reg_rm = true), 0x86, 0x87);
    add_sizes(T(.name = "xchgm", .oplen = 1, .form = FORM_RM), 0x86, 0x87);
    add_sizes(T(.name = "xadd", .op = { 0x0f }, .oplen = 2, .form = FORM_RR, .defines = F_ALL,
                .dst_reg_rm = true), 0xc0, 0xc1);
    add_sizes(T(.name = "cmpxchg", .op = { 0x0f }, .oplen = 2, .form = FORM_RR, .defines = F_ALL,
                .dst_reg_rm = true), 0xb0, 0xb1);
    add_sizes(T(.name = "cmpxchgm", .op = { 0x0f }, .oplen = 2, .form = FORM_RM, .defines = F_ALL,
                .no_dst = true), 0xb0, 0xb1);
    add_sizes(T(.name = "mov-imm", .oplen = 1, .form = FORM_OPREG, .imm = IMMSZ), 0xb0, 0xb8);
    add(T(.name = "movabs", .op = { 0xb8 }, .oplen = 1, .form = FORM_OPREG, .imm = IMM64, .size = 8));
    add(T(.name = "bswap32", .op = { 0x0f, 0xc8 }, .oplen = 2, .form = FORM_OPREG, .size = 4));
    add(T(.name = "bswap64", .op = { 0x0f, 0xc8 }, .oplen = 2, .form = FORM_OPREG, .size = 8));
    add(T(.name = "cbw", .op = { 0x98 }, .oplen = 1, .size = 2));
    add(T(.name = "cwde", .op = { 0x98 }, .oplen = 1, .size = 4));
    add(T(.name = "cdqe", .op = { 0x98 }, .oplen = 1, .size = 8));
    add(T(.name = "cwd", .op = { 0x99 }, .oplen = 1, .size = 2));
    add(T(.name = "cdq", .op = { 0x99 }, .oplen = 1, .size = 4));
    add(T(.name = "cqo", .op = { 0x99 }, .oplen = 1, .size = 8));
    /* bits */
    add_sizes(T(.name = "bt", .op = { 0x0f }, .oplen = 2, .form = FORM_RR, .defines = F_CF,
                .undef = F_OF | F_SF | F_AF | F_PF, .no_dst = true), 0xff, 0xa3);
    add_sizes(T(.name = "bts", .op = { 0x0f }, .oplen = 2, .form = FORM_RR, .defines = F_CF,
                .undef = F_OF | F_SF | F_AF | F_PF, .dst_reg_rm = true), 0xff, 0xab);
    add_sizes(T(.name = "btr", .op = { 0x0f }, .oplen = 2, .form = FORM_RR, .defines = F_CF,
                .undef = F_OF | F_SF | F_AF | F_PF, .dst_reg_rm = true), 0xff, 0xb3);
    add_sizes(T(.name = "btc", .op = { 0x0f }, .oplen = 2, .form = FORM_RR, .defines = F_CF,
                .undef = F_OF | F_SF | F_AF | F_PF, .dst_reg_rm = true), 0xff, 0xbb);
    for (uint8_t d = 4; d < 8; d++)
        add_sizes(T(.name = "btimm", .op = { 0x0f }, .oplen = 2, .form = FORM_R, .digit = d,
                    .imm = IMM8, .defines = F_CF, .undef = F_OF | F_SF | F_AF | F_PF,
                    .dst_reg_rm = true), 0xff, 0xba);
    add_sizes(T(.name = "bsf", .op = { 0x0f }, .oplen = 2, .form = FORM_RR, .defines = F_ZF,
                .undef = F_ALL & ~F_ZF, .special = SP_BSF), 0xff, 0xbc);
    add_sizes(T(.name = "bsr", .op = { 0x0f }, .oplen = 2, .form = FORM_RR, .defines = F_ZF,
                .undef = F_ALL & ~F_ZF, .special = SP_BSF), 0xff, 0xbd);
    /* flag consumers */
    for (uint8_t cc = 0; cc < 16; cc++) {
        static const uint16_t rd[8] = { F_OF, F_CF, F_ZF, F_CF | F_ZF, F_SF, F_PF,
                                        F_SF | F_OF, F_ZF | F_SF | F_OF };
        struct tmpl s = T(.name = "setcc", .op = { 0x0f, (uint8_t)(0x90 + cc) }, .oplen = 2,
                          .form = FORM_R, .digit = 0, .size = 1, .reads = rd[cc >> 1],
                          .dst_reg_rm = true);
        add(s);
        add_sizes(T(.name = "cmovcc", .op = { 0x0f }, .oplen = 2, .form = FORM_RR,
                    .reads = rd[cc >> 1]), 0xff, (uint8_t)(0x40 + cc));
        /* jcc +1 over xchg eax, ecx: the outcome shows in rax/rcx; ends a block */
        add(T(.name = "jcc", .op = { (uint8_t)(0x70 + cc), 0x01, 0x91 }, .oplen = 3,
              .reads = rd[cc >> 1], .special = SP_JCC));
    }
    add(T(.name = "clc", .op = { 0xf8 }, .oplen = 1, .defines = F_CF));
    add(T(.name = "stc", .op = { 0xf9 }, .oplen = 1, .defines = F_CF));
    add(T(.name = "cmc", .op = { 0xf5 }, .oplen = 1, .defines = F_CF, .reads = F_CF));
    add(T(.name = "lahf", .op = { 0x9f }, .oplen = 1, .reads = F_ALL & ~F_OF));
    add(T(.name = "sahf", .op = { 0x9e }, .oplen = 1, .defines = F_ALL & ~F_OF));
    add(T(.name = "pushf-pop", .op = { 0x9c, 0x58 }, .oplen = 2, .reads = F_ALL));
    /* stack */
    add(T(.name = "push-pop", .op = { 0x50 }, .oplen = 1, .form = FORM_OPREG, .size = 8));
    add(T(.name = "pop", .op = { 0x58 }, .oplen = 1, .form = FORM_OPREG, .size = 8));
    add(T(.name = "pushimm", .op = { 0x6a }, .oplen = 1, .imm = IMM8, .size = 8));
    add(T(.name = "pushm", .op = { 0xff }, .oplen = 1, .form = FORM_M, .digit = 6, .size = 8));
    /* strings (composite: operands set up by the generator) */
    static const uint8_t str_ops[] = { 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };
    for (unsigned i = 0; i < sizeof str_ops; i++) {
        bool cmp = str_ops[i] == 0xa6 || str_ops[i] == 0xa7 || str_ops[i] == 0xae || str_ops[i] == 0xaf;
        add(T(.name = "string", .op = { str_ops[i] }, .oplen = 1, .special = SP_STRING,
              .size = (str_ops[i] & 1) ? 4 : 1, .defines = cmp ? F_ALL : 0));
    }
    ext_first = ntmpls;
    build_ext_templates();
    build_sse_templates();
    for (unsigned i = ext_first; i < ntmpls; i++)
        tmpls[i].ext = (uint8_t)dt_ext_of(tmpls[i].name, tmpls[i].pfx, tmpls[i].op,
                                          tmpls[i].oplen, tmpls[i].special == SP_VEX);
}

/* ---- machine state -------------------------------------------------------- */

struct regs {
    uint64_t r[16];
    uint64_t rflags;
    uint64_t xmm[16][2];    /* offset 136: loaded and stored by the trampoline */
    uint64_t mm[8];         /* offset 392: likewise (EMMS after loading and after storing) */
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t rnd_value(void)
{
    switch (rnd() % 8) {
    case 0: return 0;
    case 1: return ~0ull;
    case 2: return 1ull << (rnd() % 64);
    case 3: return rnd() % 256;
    case 4: return 0x8000000000000000ull >> (rnd() % 4 * 8);
    case 5: return (uint64_t)-(int64_t)(rnd() % 256);
    default: return rnd();
    }
}

/* Registers a generated instruction may write (not RBX = data pointer, RSP). */
/*
 * -r: operands from five registers only, and longer sequences, so that
 * values flow from instruction to instruction (host code's register
 * cache, lazy flags carried along) instead of each landing somewhere new.
 */
static bool few_regs;

static unsigned rnd_reg(void)
{
    static const unsigned few[] = { 0, 1, 2, 6, 9 };    /* rax rcx rdx rsi r9 */

    return few_regs ? few[rnd() % 5] : (unsigned)(rnd() % 16);
}

static unsigned rnd_dst(unsigned size)
{
    for (;;) {
        unsigned r = rnd_reg();
        if (r == 3 || r == 4)
            continue;
        if (size == 1 && r == 7) /* BH without REX, DIL with REX: avoid BH */
            continue;
        return r;
    }
}

struct gen {
    uint8_t code[CODE_SIZE];
    unsigned len;
    unsigned ninsns;
    uint16_t undef;     /* currently undefined flags */
    uint64_t rcx_known; /* valid when rcx_is_known */
    bool rcx_is_known;
};

static void emit(struct gen *g, const void *p, unsigned n)
{
    memcpy(g->code + g->len, p, n);
    g->len += n;
}

static void emit_imm(struct gen *g, uint64_t v, unsigned n)
{
    emit(g, &v, n);
}

/* mov r64, imm64 */
static void emit_movabs(struct gen *g, unsigned r, uint64_t v)
{
    uint8_t b[2] = { (uint8_t)(0x48 | (r >> 3)), (uint8_t)(0xb8 | (r & 7)) };

    emit(g, b, 2);
    emit_imm(g, v, 8);
    g->ninsns++;
    if (r == 1) {
        g->rcx_known = v;
        g->rcx_is_known = true;
    }
}

/* Emit a template with random operands; false if it cannot be placed now. */
static bool emit_tmpl(struct gen *g, const struct tmpl *t)
{
    unsigned size = t->size ? t->size : 4;
    uint8_t rex = size == 8 ? 0x48 : 0;
    unsigned reg, rm;
    int8_t disp = (int8_t)((int)(rnd() % 200) - 100);
    uint64_t shift_count = 0;
    uint64_t immv = rnd_value();
    bool dbl_shift = t->oplen == 2 && (t->special == SP_SHIFT_IMM || t->special == SP_SHIFT_CL);

    if (t->reads & g->undef)
        return false;
    if (t->special == SP_SHIFT_CL && !g->rcx_is_known)
        return false;
    if (t->special == SP_LEA_SIB) {
        unsigned reg = rnd_dst(t->size), base = rnd_reg(), index = rnd_reg();
        uint8_t rex = (uint8_t)(0x40 | (t->size == 8 ? 8 : 0) | (reg & 8 ? 4 : 0)
                                | (index & 8 ? 2 : 0) | (base & 8 ? 1 : 0));
        /* one in four: mod 00 with SIB base 101, i.e. no base and a disp32 */
        bool nobase = rnd() % 4 == 0;
        uint8_t b[7] = { 0x8d, (uint8_t)((nobase ? 0x04 : 0x44) | ((reg & 7) << 3)),
                         (uint8_t)(((rnd() % 4) << 6) | ((index & 7) << 3)
                                   | (nobase ? 5 : base & 7)),
                         (uint8_t)rnd(), (uint8_t)rnd(), (uint8_t)rnd(), (uint8_t)rnd() };
        if (rnd() & 1)
            emit(g, "\x67", 1);            /* 32-bit addressing */
        if (rex != 0x40)
            emit(g, &rex, 1);
        emit(g, b, nobase ? 7 : 4);
        g->ninsns++;
        if (reg == 1)
            g->rcx_is_known = false;
        return true;
    }
    if (t->special == SP_VEX) {
        /* C4 RXB.mmmmm W.vvvv.L.pp opcode modrm [disp8] [imm8] */
        unsigned vreg = t->vex == VEX_SRC ? rnd_reg() : t->vex == VEX_UNUSED ? 0 : rnd_dst(8);
        reg = t->form == FORM_R ? t->digit : rnd_dst(8);
        rm = t->form == FORM_RM ? 3 : rnd_reg();
        uint8_t b[4] = { 0xc4,
                         (uint8_t)(((reg & 8) ? 0 : 0x80) | 0x40 | ((rm & 8) && t->form != FORM_RM ? 0 : 0x20)
                                   | t->op[0]),
                         (uint8_t)((size == 8 ? 0x80 : 0) | ((~vreg & 15) << 3) | t->op[1]),
                         t->op[2] };
        emit(g, b, 4);
        if (t->form == FORM_RM) {
            uint8_t m[2] = { (uint8_t)(0x40 | ((reg & 7) << 3) | 3), (uint8_t)disp };
            emit(g, m, 2);
        } else {
            uint8_t m = (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7));
            emit(g, &m, 1);
        }
        if (t->imm == IMM8)
            emit_imm(g, immv, 1);
        g->ninsns++;
        g->undef = (uint16_t)((g->undef & ~t->defines) | t->undef);
        if (reg == 1 || ((t->vex == VEX_DST || t->vex == VEX_DST2) && vreg == 1))
            g->rcx_is_known = false;
        return true;
    }
    if (t->special == SP_JCC) {
        emit(g, t->op, t->oplen);
        g->ninsns++;            /* the xchg runs only when not taken: not counted */
        g->rcx_is_known = false;
        return true;
    }
    /* SHLD/SHRD on 16 bits with a count above 16: result undefined */
    if (dbl_shift && size == 2) {
        if (t->special == SP_SHIFT_CL && (g->rcx_known & 31) > 16)
            return false;
        if ((immv & 31) > 16)
            immv %= 17;
    }

    /* registers */
    if (t->dst_reg_rm) {
        rm = rnd_dst(size);
        reg = rnd_dst(size); /* XCHG/XADD/CMPXCHG write both */
    } else {
        reg = t->no_dst ? rnd_reg() : rnd_dst(size);
        rm = rnd_reg();
    }
    if (t->form == FORM_R || t->form == FORM_M)
        reg = t->digit;
    if (t->special == SP_DIV || t->special == SP_IDIV) {
        /* divisor in a register other than rax/rdx; dividend prepared */
        do
            rm = rnd_dst(size);
        while (rm == 0 || rm == 2);
        uint64_t divisor = (rnd_value() | 2) & (size == 8 ? 0x7fffffffffffffffull
                                                 : (1ull << (size * 8 - 1)) - 1);
        if (!divisor)
            divisor = 3;
        emit_movabs(g, rm, divisor);
        if (size == 1) {
            /* movzx eax, al: AH = 0 < divisor */
            emit(g, "\x0f\xb6\xc0", 3);
            g->ninsns++;
            if (t->special == SP_IDIV) {
                emit(g, "\x66\x98", 2); /* cbw */
                g->ninsns++;
            }
        } else if (t->special == SP_DIV) {
            emit(g, "\x31\xd2", 2); /* xor edx, edx */
            g->ninsns++;
            g->undef &= (uint16_t)~F_ALL; /* xor defines all but AF */
            g->undef |= F_AF;
        } else {
            /* cwd/cdq/cqo */
            if (size == 2)
                emit(g, "\x66", 1);
            if (size == 8)
                emit(g, "\x48", 1);
            emit(g, "\x99", 1);
            g->ninsns++;
        }
    }
    if (t->special == SP_BSF) {
        /* a zero source leaves the destination undefined (SDM BSF/BSR) */
        uint64_t v = rnd_value() | (1ull << (rnd() % (size * 8)));
        rm = rnd_dst(size);
        emit_movabs(g, rm, v);
    }
    if (t->special == SP_STRING) {
        /* rsi, rdi inside the buffer, rcx small, optional rep */
        bool df = false;
        emit_movabs(g, 6, DATA_VA + 0x400 + rnd() % 0x200);
        emit_movabs(g, 7, DATA_VA + 0x800 + rnd() % 0x200);
        emit_movabs(g, 1, 1 + rnd() % 15); /* count 0 would define no flags */
        if (rnd() % 4 == 0) {
            emit(g, "\xfd", 1); /* std */
            g->ninsns++;
            df = true;
        }
        if (rnd() % 3) {
            uint8_t rep = (rnd() & 1) ? 0xf3 : 0xf2;
            emit(g, &rep, 1);
        }
        if (size == 4 && rnd() % 2)
            emit(g, "\x48", 1);
        emit(g, t->op, t->oplen);
        g->ninsns++;
        if (df) {
            emit(g, "\xfc", 1); /* cld */
            g->ninsns++;
        }
        g->rcx_is_known = false;
        g->undef &= (uint16_t)~t->defines;
        return true;
    }
    if (t->special == SP_SHIFT_CL)
        shift_count = g->rcx_known & 0xff;

    if ((t->special == SP_DIV || t->special == SP_IDIV) && size == 1)
        rex |= 0x40; /* divisor is the low byte of rm */
    if (t->align16)
        disp = (int8_t)(disp & ~15);
    if (size == 2)
        emit(g, "\x66", 1);
    if (t->pfx)
        emit(g, &t->pfx, 1);
    if (t->form == FORM_OPREG) {
        unsigned r = rnd_dst(size);
        if (!strcmp(t->name, "pop") || !strcmp(t->name, "push-pop"))
            r = rnd_dst(8);
        rex |= (uint8_t)((r & 8) ? 0x41 : 0);
        if (size == 1 && (r & 4) && !(r & 8) && (rnd() & 1))
            rex |= 0x40; /* SPL.. with REX vs AH.. without */
        if (size == 1 && !(rex & 0x40) && r == 7)
            r = 6;
        if (rex)
            emit(g, &rex, 1);
        uint8_t ops[3];
        memcpy(ops, t->op, t->oplen);
        if (!strcmp(t->name, "push-pop")) {
            uint8_t b = (uint8_t)(0x50 | (rnd() % 8));
            emit(g, &b, 1);      /* push random low register */
            if (rex)
                emit(g, &rex, 1);
            b = (uint8_t)(0x58 | (r & 7));
            emit(g, &b, 1);
            g->ninsns += 2;
            if ((r & 7) == 1 && !(r & 8))
                g->rcx_is_known = false;
            return true;
        }
        ops[t->oplen - 1] = (uint8_t)(ops[t->oplen - 1] | (r & 7));
        emit(g, ops, t->oplen);
        if (r == 1)
            g->rcx_is_known = false;
    } else {
        if (t->form != FORM_NONE) {
            if (reg & 8)
                rex |= 0x44;
            if ((t->form == FORM_RR || t->form == FORM_R) && (rm & 8))
                rex |= 0x41;
            if (size == 1 && !(rex & 0x40) && (rnd() & 1))
                rex |= 0x40;
            /* without REX, byte rm 7 = BH (rbx): keep rbx intact */
            if (size == 1 && !(rex & 0x40) && (t->form == FORM_RR || t->form == FORM_R)
                && (rm & 7) == 7 && t->dst_reg_rm)
                rm = 6;
            if (size == 1 && (rex & 0x40) && (rm & 7) == 4 && !(rm & 8) && t->dst_reg_rm)
                rm = 5; /* SPL */
            if (size == 1 && !(rex & 0x40) && (reg & 7) == 7 && !t->dst_reg_rm && !t->no_dst)
                reg = 6;
            if (size == 1 && (rex & 0x40) && reg == 4 && !t->dst_reg_rm && !t->no_dst)
                reg = 5;
        }
        if (rex)
            emit(g, &rex, 1);
        emit(g, t->op, t->oplen);
        switch (t->form) {
        case FORM_RR:
        case FORM_R: {
            uint8_t m = (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7));
            emit(g, &m, 1);
            break;
        }
        case FORM_RM:
        case FORM_M: {
            uint8_t m[2] = { (uint8_t)(0x40 | ((reg & 7) << 3) | 3), (uint8_t)disp };
            emit(g, m, 2);
            break;
        }
        default:
            break;
        }
    }
    switch (t->imm) {
    case IMM8:
        if (t->special == SP_SHIFT_IMM)
            shift_count = immv & 0xff;
        emit_imm(g, immv, 1);
        break;
    case IMMSZ:
        /* B8+r with REX.W takes a full 64-bit immediate */
        emit_imm(g, immv, size == 1 ? 1 : size == 2 ? 2 : (size == 8 && t->form == FORM_OPREG) ? 8 : 4);
        break;
    case IMM64:
        emit_imm(g, immv, 8);
        break;
    default:
        break;
    }
    if (t->special == SP_SHIFT_IMM && t->imm == IMM_NONE)
        shift_count = 1;
    g->ninsns++;
    if (!strcmp(t->name, "pushf-pop"))
        g->ninsns++;
    if (!strcmp(t->name, "pcmpstr"))
        g->rcx_is_known = false;    /* PCMPxSTRI write ECX */

    /* flags after this instruction */
    uint16_t def = t->defines, und = t->undef;
    if (t->special == SP_SHIFT_IMM || t->special == SP_SHIFT_CL) {
        unsigned mask = size == 8 ? 63 : 31;
        unsigned cnt = (unsigned)(shift_count & mask);
        bool rot = t->digit <= 3 && t->op[t->oplen - 1] != 0xa4 && t->op[t->oplen - 1] != 0xa5
                   && t->op[t->oplen - 1] != 0xac && t->op[t->oplen - 1] != 0xad;
        bool dbl = t->oplen == 2;
        if (cnt == 0) {
            def = 0;
            und = 0;
        } else if (rot && !dbl) {
            def = F_CF | (cnt == 1 ? F_OF : 0);
            und = cnt == 1 ? 0 : F_OF;
        } else {
            def = F_ALL & ~F_AF & ~(cnt == 1 ? 0 : F_OF);
            und = F_AF | (cnt == 1 ? 0 : F_OF);
            if (size < 4 && (t->digit == 4 || t->digit == 5 || t->digit == 7) && !dbl
                && cnt >= size * 8) {
                /* CF undefined when count >= width for SHL/SHR on 8/16 bits */
                def &= (uint16_t)~(F_CF | F_OF);
                und |= F_CF | F_OF;
            }
        }
    }
    g->undef = (uint16_t)((g->undef & ~def) | und);
    /* XCHG/XADD/CMPXCHG write both operands: any use of rcx makes it unknown */
    if ((t->dst_reg_rm && (rm == 1 || reg == 1)) || (!t->dst_reg_rm && !t->no_dst && reg == 1)
        || t->special == SP_DIV || t->special == SP_IDIV)
        g->rcx_is_known = false;
    if (t->special == SP_DIV || t->special == SP_IDIV)
        g->rcx_is_known = g->rcx_is_known && rm != 1;
    return true;
}

/* ---- native execution ------------------------------------------------------ */

extern void difftest_native(struct regs *r, uint64_t code);
uint64_t saved_host_rsp;

__asm__(
    ".text\n"
    ".globl difftest_native\n"
    "difftest_native:\n"
    "  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "  push %rdi\n"
    "  mov %rsp, saved_host_rsp(%rip)\n"
    "  mov %rsi, %rax\n"
    "  mov %rax, difftest_target(%rip)\n"
    "  pushq 128(%rdi)\n"
    "  popfq\n"
    "  mov 32(%rdi), %rsp\n"
    "  mov 0(%rdi), %rax\n"
    "  mov 8(%rdi), %rcx\n"
    "  mov 16(%rdi), %rdx\n"
    "  mov 24(%rdi), %rbx\n"
    "  mov 40(%rdi), %rbp\n"
    "  mov 48(%rdi), %rsi\n"
    "  mov 64(%rdi), %r8\n"
    "  mov 72(%rdi), %r9\n"
    "  mov 80(%rdi), %r10\n"
    "  mov 88(%rdi), %r11\n"
    "  mov 96(%rdi), %r12\n"
    "  mov 104(%rdi), %r13\n"
    "  mov 112(%rdi), %r14\n"
    "  mov 120(%rdi), %r15\n"
    "  movdqu 136(%rdi), %xmm0\n"
    "  movdqu 152(%rdi), %xmm1\n"
    "  movdqu 168(%rdi), %xmm2\n"
    "  movdqu 184(%rdi), %xmm3\n"
    "  movdqu 200(%rdi), %xmm4\n"
    "  movdqu 216(%rdi), %xmm5\n"
    "  movdqu 232(%rdi), %xmm6\n"
    "  movdqu 248(%rdi), %xmm7\n"
    "  movdqu 264(%rdi), %xmm8\n"
    "  movdqu 280(%rdi), %xmm9\n"
    "  movdqu 296(%rdi), %xmm10\n"
    "  movdqu 312(%rdi), %xmm11\n"
    "  movdqu 328(%rdi), %xmm12\n"
    "  movdqu 344(%rdi), %xmm13\n"
    "  movdqu 360(%rdi), %xmm14\n"
    "  movdqu 376(%rdi), %xmm15\n"
    "  movq 392(%rdi), %mm0\n"
    "  movq 400(%rdi), %mm1\n"
    "  movq 408(%rdi), %mm2\n"
    "  movq 416(%rdi), %mm3\n"
    "  movq 424(%rdi), %mm4\n"
    "  movq 432(%rdi), %mm5\n"
    "  movq 440(%rdi), %mm6\n"
    "  movq 448(%rdi), %mm7\n"
    "  emms\n"                         /* MMX values loaded, x87 tags empty (as the guest's) */
    "  mov 56(%rdi), %rdi\n"
    "  jmp *difftest_target(%rip)\n"
    ".globl difftest_back\n"
    "difftest_back:\n"
    "  mov %rsp, difftest_guest_rsp(%rip)\n"
    "  mov saved_host_rsp(%rip), %rsp\n"
    "  pushfq\n"
    "  push %rdi\n"
    "  mov 16(%rsp), %rdi\n"
    "  pop 56(%rdi)\n"
    "  pop 128(%rdi)\n"
    "  mov %rax, 0(%rdi)\n"
    "  mov %rcx, 8(%rdi)\n"
    "  mov %rdx, 16(%rdi)\n"
    "  mov %rbx, 24(%rdi)\n"
    "  mov difftest_guest_rsp(%rip), %rax\n"
    "  mov %rax, 32(%rdi)\n"
    "  mov %rbp, 40(%rdi)\n"
    "  mov %rsi, 48(%rdi)\n"
    "  mov %r8, 64(%rdi)\n"
    "  mov %r9, 72(%rdi)\n"
    "  mov %r10, 80(%rdi)\n"
    "  mov %r11, 88(%rdi)\n"
    "  mov %r12, 96(%rdi)\n"
    "  mov %r13, 104(%rdi)\n"
    "  mov %r14, 112(%rdi)\n"
    "  mov %r15, 120(%rdi)\n"
    "  movdqu %xmm0, 136(%rdi)\n"
    "  movdqu %xmm1, 152(%rdi)\n"
    "  movdqu %xmm2, 168(%rdi)\n"
    "  movdqu %xmm3, 184(%rdi)\n"
    "  movdqu %xmm4, 200(%rdi)\n"
    "  movdqu %xmm5, 216(%rdi)\n"
    "  movdqu %xmm6, 232(%rdi)\n"
    "  movdqu %xmm7, 248(%rdi)\n"
    "  movdqu %xmm8, 264(%rdi)\n"
    "  movdqu %xmm9, 280(%rdi)\n"
    "  movdqu %xmm10, 296(%rdi)\n"
    "  movdqu %xmm11, 312(%rdi)\n"
    "  movdqu %xmm12, 328(%rdi)\n"
    "  movdqu %xmm13, 344(%rdi)\n"
    "  movdqu %xmm14, 360(%rdi)\n"
    "  movdqu %xmm15, 376(%rdi)\n"
    "  movq %mm0, 392(%rdi)\n"
    "  movq %mm1, 400(%rdi)\n"
    "  movq %mm2, 408(%rdi)\n"
    "  movq %mm3, 416(%rdi)\n"
    "  movq %mm4, 424(%rdi)\n"
    "  movq %mm5, 432(%rdi)\n"
    "  movq %mm6, 440(%rdi)\n"
    "  movq %mm7, 448(%rdi)\n"
    "  emms\n"
    "  pop %rdi\n"
    "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "  cld\n"
    "  ret\n");

uint64_t difftest_target, difftest_guest_rsp;
extern char difftest_back[];

/* ---- guest execution ------------------------------------------------------- */

struct guest {
    struct bus *bus;
    uint8_t *ram;
    struct cpu *cpu;
};

/* identity map the first 1 GiB with 2 MiB pages: PML4 0x1000, PDPT 0x2000, PD 0x3000 */
static void guest_map(struct guest *g)
{
    uint64_t *pml4 = (uint64_t *)(g->ram + 0x1000);
    uint64_t *pdpt = (uint64_t *)(g->ram + 0x2000);
    uint64_t *pd = (uint64_t *)(g->ram + 0x3000);

    memset(g->ram + 0x1000, 0, 0x3000);
    pml4[0] = 0x2000 | 7;
    pdpt[0] = 0x3000 | 7;
    for (unsigned i = 0; i < 512; i++)
        pd[i] = ((uint64_t)i << 21) | 0x87;
}

static void guest_init(struct guest *g)
{
    struct cpu_config cfg;
    char err[256];

    memset(&cfg, 0, sizeof cfg);
    vclock_init(VCLOCK_REALTIME, 0, VCLOCK_DEFAULT_TSC_HZ);
    if (cpu_config_model(&cfg, "max", err, sizeof err) < 0) {
        fprintf(stderr, "difftest: %s\n", err);
        exit(1);
    }
    g->bus = bus_new();
    g->ram = mmap(NULL, GUEST_RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->ram == MAP_FAILED || bus_map_ram(g->bus, 0, GUEST_RAM, g->ram, false, "ram") < 0) {
        fprintf(stderr, "difftest: cannot map guest RAM\n");
        exit(1);
    }
    guest_map(g);
    g->cpu = cpu_new(g->bus, &cfg, 0);
}

/* 64-bit flat state at CPL0. */
static void guest_enter_long_mode(struct cpu *cpu)
{
    cpu->cr0 = CR0_PE | CR0_PG | CR0_ET | CR0_NE | CR0_WP;
    cpu->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    cpu->cr3 = 0x1000;
    cpu->efer = EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE;
    for (int s = 0; s < 6; s++) {
        cpu->seg[s].sel = s == SEG_CS ? 0x8 : 0x10;
        cpu->seg[s].base = 0;
        cpu->seg[s].limit = 0xffffffff;
        cpu->seg[s].attr = DESC_P | DESC_S | DESC_G | (s == SEG_CS ? (0xbu << 8) | DESC_L
                                                                    : (0x3u << 8) | DESC_B);
    }
    cpu->halted = false;
    fpu_reset(cpu, false);      /* x87 as a Linux process starts: FNINIT state */
    cpu_update_hflags(cpu);
    cpu_update_mmu_idx(cpu);
    tlb_flush_all(cpu);
}

static void sx_enter(struct cpu *cpu);

static void run_guest(struct guest *g, const struct gen *gen, struct regs *r, uint8_t *data,
                      bool ssefp)
{
    struct cpu *cpu = g->cpu;

    memcpy(g->ram + DATA_VA - 0, data, DATA_SIZE);
    memcpy(g->ram + CODE_VA, gen->code, gen->len);
    g->ram[CODE_VA + gen->len] = 0xf4; /* hlt */
    cpu_invalidate_phys(cpu, CODE_VA, CODE_SIZE);
    guest_enter_long_mode(cpu);
    if (ssefp)
        sx_enter(cpu);
    for (int i = 0; i < 16; i++) {
        cpu->regs[i] = r->r[i];
        cpu_set_xmm(cpu, i, r->xmm[i]);
    }
    for (int i = 0; i < 8; i++)
        mmx_set(cpu, (unsigned)i, r->mm[i]);
    cpu_set_reg(cpu, CPU_RFLAGS, r->rflags);
    cpu_set_reg(cpu, CPU_RIP, CODE_VA);
    if (getenv("DIFFTEST_ASM"))
        log_mask = LOG_OUT_ASM | LOG_IN_ASM;
    for (int i = 0; i < 100 && !cpu->halted; i++)
        cpu_run(cpu, 100000);
    if (getenv("DIFFTEST_DEBUG"))
        fprintf(stderr, "guest rip %llx halted %d exit %d\n", (unsigned long long)cpu->rip,
                cpu->halted, (int)cpu->exit_reason);
    for (int i = 0; i < 16; i++) {
        r->r[i] = cpu->regs[i];
        cpu_xmm(cpu, i, r->xmm[i]);
    }
    for (int i = 0; i < 8; i++)
        r->mm[i] = mmx_get(cpu, (unsigned)i);
    r->rflags = cpu_get_rflags(cpu);
    memcpy(data, g->ram + DATA_VA, DATA_SIZE);
}

#include "tests/difftest-ssefp.c"

/*
 * -f: random bytes as code, in 64-bit or compatibility mode (32- or 16-bit
 * code), with SSE enabled (any MXCSR) in half the cases, from random
 * registers and no IDT (every exception ends in a triple fault): no
 * native run and nothing to compare; the point is that whatever the bytes
 * decode to, satori neither crashes nor reports an internal error (under
 * the sanitizers, nor touches memory it should not).
 */
static int fuzz(struct guest *g, unsigned long cases)
{
    struct cpu *cpu = g->cpu;
    unsigned long insns = 0, triple = 0, halted = 0;

    for (unsigned long c = 0; c < cases; c++) {
        uint8_t code[48];
        for (unsigned i = 0; i < sizeof code; i++)
            code[i] = (uint8_t)rnd();
        /* the harness writes guest RAM behind the CPU's back: drop what was
         * translated there (random code may have run in the page tables) */
        guest_map(g);
        cpu_invalidate_phys(cpu, 0x1000, 0x3000);
        memcpy(g->ram + CODE_VA, code, sizeof code);
        g->ram[CODE_VA + sizeof code] = 0xf4; /* hlt */
        cpu_invalidate_phys(cpu, CODE_VA, CODE_SIZE);
        guest_enter_long_mode(cpu);
        unsigned mode = (unsigned)(rnd() % 3);
        if (mode) {                           /* compatibility mode: 32- or 16-bit code */
            cpu->seg[SEG_CS].attr &= ~DESC_L;
            if (mode == 1)
                cpu->seg[SEG_CS].attr |= DESC_B;
            else
                cpu->seg[SEG_CS].attr &= ~DESC_B;
            cpu_update_hflags(cpu);
        }
        cpu->idtr.base = 0;
        cpu->idtr.limit = 0;
        if (rnd() & 1) {                      /* SSE on, any MXCSR (random XMM state kept) */
            cpu->cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
            cpu->fpu.mxcsr = (uint32_t)rnd() & 0xffff;
            cpu_update_hflags(cpu);
        }
        for (int i = 0; i < 16; i++)
            cpu->regs[i] = (rnd() & 1) ? rnd_value() : DATA_VA + (rnd() % DATA_SIZE);
        cpu->regs[4] = STACK_TOP;
        cpu_set_reg(cpu, CPU_RFLAGS, 0x2 | (rnd() & F_ALL));
        cpu_set_reg(cpu, CPU_RIP, CODE_VA);
        uint64_t before = cpu_icount(cpu);
        enum cpu_exit why = cpu_run(cpu, 2000);
        insns += cpu_icount(cpu) - before;
        if (getenv("FUZZ_TRACE"))
            fprintf(stderr, "case %lu: %llu insns exit %d rip %llx rcx %llx\n", c,
                    (unsigned long long)(cpu_icount(cpu) - before), (int)why,
                    (unsigned long long)cpu->rip, (unsigned long long)cpu->regs[1]);
        triple += why == CPU_EXIT_TRIPLE_FAULT;
        halted += cpu->halted;
    }
    printf("difftest: %lu random sequences (fuzz), %lu instructions, %lu triple faults, "
           "%lu halted, no crash\n", cases, insns, triple, halted);
    return 0;
}

/* ---- driver -------------------------------------------------------------- */

static const char *const reg_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static void dump_code(const struct gen *g)
{
    for (unsigned i = 0; i < g->len; i++)
        fprintf(stderr, "%02x ", g->code[i]);
    fprintf(stderr, "\n");
}

/*
 * -X: whether a case that differs does so only in the last transcendental's
 * results (x87_results_close()): every GPR, XMM register, flag, the stack
 * page and the data buffer outside those results and C1 equal; an MMX
 * register (a physical x87 register's significand) may differ only where
 * it is one of the results.
 */
static bool x87_trans_tolerated(const struct regs *nat, const struct regs *emu,
                                uint64_t fmask, const uint8_t *hdata, const uint8_t *gdata,
                                const uint8_t *hstack, const uint8_t *gstack, unsigned nres,
                                unsigned *max_ulps)
{
    for (int i = 0; i < 16; i++)
        if (nat->r[i] != emu->r[i] || nat->xmm[i][0] != emu->xmm[i][0]
            || nat->xmm[i][1] != emu->xmm[i][1])
            return false;
    if ((nat->rflags & fmask) != (emu->rflags & fmask) || memcmp(hstack, gstack, DATA_SIZE))
        return false;
    const uint8_t *hi = hdata + FSAVE_AT, *gi = gdata + FSAVE_AT;
    if (!x87_results_close(hi, gi, nres, max_ulps))
        return false;
    static uint8_t rest[DATA_SIZE];
    memcpy(rest, gdata, DATA_SIZE);
    memcpy(rest + FSAVE_AT + FSAVE_SW, hi + FSAVE_SW, 2);
    memcpy(rest + FSAVE_AT + FSAVE_ST0, hi + FSAVE_ST0, 10 * nres);
    if (memcmp(rest, hdata, DATA_SIZE))
        return false;
    uint16_t sw;
    memcpy(&sw, hi + FSAVE_SW, 2);
    unsigned top = sw >> 11 & 7;
    for (unsigned p = 0; p < 8; p++) {
        unsigned k = (p - top) & 7;     /* physical register p is ST(k) */
        if (nat->mm[p] != emu->mm[p] && k >= nres)
            return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    unsigned long cases = 20000;
    uint64_t seed = 0x5a70121;
    bool verbose = false, interp = false, fuzzing = false, x87 = false, x87_trans = false;
    bool ext_only = false, ssefp = false;
    int opt, only_ext = -1;

    while ((opt = getopt(argc, argv, "eE:fin:rs:vxXS")) != -1) {
        switch (opt) {
        case 'E':
            only_ext = dt_ext_find(optarg);
            if (only_ext < 0) {
                fprintf(stderr, "difftest: -E %s: unknown extension (one of:", optarg);
                for (int i = 0; i < DT_EXT_COUNT; i++)
                    fprintf(stderr, " %s", dt_ext_names[i]);
                fprintf(stderr, ")\n");
                return 2;
            }
            break;
        case 'e': ext_only = true; break;
        case 'x': x87 = true; break;
        case 'X': x87 = x87_trans = true; break;
        case 'f': fuzzing = true; break;
        case 'i': interp = true; break;
        case 'r': few_regs = true; break;
        case 'n': cases = strtoul(optarg, NULL, 0); break;
        case 's': seed = strtoull(optarg, NULL, 0); break;
        case 'v': verbose = true; break;
        case 'S': ssefp = true; break;
        default:
            fprintf(stderr, "usage: difftest [-e | -E EXT] [-f] [-i] [-r] [-x | -X | -S] [-n CASES] [-s SEED] [-v]\n"
                    "  -x  x87 sequences (-X: with the transcendentals)\n"
                    "  -S  SSE floating-point sequences (MXCSR and exceptions compared too)\n"
                    "  -f  random bytes as code: no crash whatever they decode to\n"
                    "      (FUZZ_TRACE=1 in the environment: one line per case on stderr)\n"
                    "  -i  run blocks in the micro-op loop only (no host code)\n"
                    "  -r  five registers only, sequences up to 24 instructions\n"
                    "  -e  only the extensions: MMX, SSE..SSE4.2, AES, PCLMULQDQ, POPCNT,\n"
                    "      LZCNT/TZCNT, BMI1/BMI2, ADX, MOVBE, CRC32\n"
                    "  -E  only the templates of one extension (x87: the -x cases; with -S:\n"
                    "      that extension's SSE floating-point forms)\n"
                    "  DIFFTEST_ASM=1 in the environment: each block's guest and host code\n"
                    "  on stderr (-d in_asm,out_asm), to read a mismatch with -v -n CASE+1\n");
            return 2;
        }
    }
    rng_state = seed | 1;
    build_templates();
    if (only_ext == DT_X87)
        x87 = true;
    /* -E: the templates of that extension (indices into tmpls) */
    static unsigned sel[sizeof tmpls / sizeof tmpls[0]];
    unsigned nsel = 0;
    for (unsigned i = ext_only || only_ext >= 0 ? ext_first : 0; i < ntmpls; i++)
        if (only_ext < 0 || tmpls[i].ext == only_ext)
            sel[nsel++] = i;
    if (!nsel && !x87 && !ssefp) {
        fprintf(stderr, "difftest: -E %s: no templates\n", dt_ext_names[only_ext]);
        return 2;
    }
    if (x87_trans && !x87_close_selftest()) {
        fprintf(stderr, "difftest: -X: the 1-ulp comparison fails its own known pairs\n");
        return 1;
    }

    uint8_t *host = mmap((void *)DATA_VA, DATA_SIZE * 2 + CODE_SIZE,
                         PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (host != (uint8_t *)DATA_VA) {
        fprintf(stderr, "difftest: cannot map host buffers at 0x%llx\n",
                (unsigned long long)DATA_VA);
        return 77;
    }
    uint8_t *host_data = host;
    uint8_t *host_code = host + 2 * DATA_SIZE;

    struct guest guest;
    guest_init(&guest);
    if (interp)
        native_free(guest.cpu);     /* blocks then run in cpu_run()'s loop */
    if (ssefp)
        sx_init(&guest, only_ext);
    if (fuzzing) {
        int rc = fuzz(&guest, cases);
        cpu_free(guest.cpu);
        bus_free(guest.bus);
        munmap(guest.ram, GUEST_RAM);
        return rc;
    }

    static uint8_t init_data[DATA_SIZE], guest_data[DATA_SIZE];
    unsigned long executed = 0, mismatches = 0, last_bit = 0;
    unsigned max_ulps = 0;

    for (unsigned long c = 0; c < cases; c++) {
        struct gen g = { .len = 0 };
        struct regs in, nat, emu;

        for (int i = 0; i < 16; i++) {
            in.r[i] = rnd_value();
            in.xmm[i][0] = rnd_value();
            in.xmm[i][1] = rnd_value();
            in.mm[i & 7] = rnd_value();
        }
        in.r[3] = DATA_VA + 0x800;
        in.r[4] = STACK_TOP;
        in.rflags = 0x202 | (rnd() & F_ALL);
        g.rcx_known = in.r[1];
        g.rcx_is_known = true;
        for (unsigned i = 0; i < DATA_SIZE; i++)
            init_data[i] = (uint8_t)rnd();

        struct sx_approx ap = { .on = false };
        unsigned nres = 0;
        if (x87) {
            g.len = x87_gen_case(g.code, CODE_SIZE, init_data, rnd, x87_trans, &g.ninsns,
                                 &nres);
            dt_ext_executed[DT_X87] += g.ninsns;
        } else if (ssefp) {
            ap = sx_gen_case(&g, init_data);
        } else {
            unsigned n = 1 + (unsigned)(rnd() % (few_regs ? 24 : 8));
            for (unsigned k = 0; k < n && g.len < CODE_SIZE - 64;) {
                const struct tmpl *t = &tmpls[sel[rnd() % nsel]];
                if (emit_tmpl(&g, t)) {
                    k++;
                    dt_ext_executed[t->ext]++;
                }
            }
        }

        /* native: code followed by jmp *difftest_back */
        memcpy(host_code, g.code, g.len);
        host_code[g.len] = 0xff;
        host_code[g.len + 1] = 0x25;
        memset(host_code + g.len + 2, 0, 4);
        uint64_t back = (uint64_t)(uintptr_t)difftest_back;
        memcpy(host_code + g.len + 6, &back, 8);
        memcpy(host_data, init_data, DATA_SIZE);
        memcpy(host_data + DATA_SIZE, init_data, DATA_SIZE); /* stack page */
        nat = in;
        difftest_native(&nat, (uint64_t)(uintptr_t)host_code);

        emu = in;
        memcpy(guest_data, init_data, DATA_SIZE);
        memcpy(guest.ram + STACK_VA, init_data, DATA_SIZE);
        uint64_t icount0 = cpu_icount(guest.cpu);
        run_guest(&guest, &g, &emu, guest_data, ssefp);
        /* SSE cases may stop early at an exception: count what ran */
        executed += ssefp ? cpu_icount(guest.cpu) - icount0 : g.ninsns;

        bool bad = ap.on && !sx_check_approx(&ap, init_data, host_data, guest_data);
        if (ssefp) {
            sx_tally(host_data);
            sx_count();
        }
        for (int i = 0; i < 16; i++)
            /* -S compares XMM/MMX through the buffer (RCP/RSQRT lanes by bound) */
            if (nat.r[i] != emu.r[i]
                || (!ssefp && (nat.xmm[i][0] != emu.xmm[i][0] || nat.xmm[i][1] != emu.xmm[i][1]
                               || nat.mm[i & 7] != emu.mm[i & 7])))
                bad = true;
        uint64_t fmask = (F_ALL & ~g.undef) | EFLAGS_DF;
        if ((nat.rflags & fmask) != (emu.rflags & fmask))
            bad = true;
        /* SSE cases: the stack page holds the guest's exception frames */
        if (memcmp(host_data, guest_data, DATA_SIZE)
            || (!ssefp && memcmp(host_data + DATA_SIZE, guest.ram + STACK_VA, DATA_SIZE)))
            bad = true;
        if (bad && x87_trans
            && x87_trans_tolerated(&nat, &emu, fmask, host_data, guest_data,
                                   host_data + DATA_SIZE, guest.ram + STACK_VA, nres, &max_ulps)) {
            bad = false;
            last_bit++;
        }
        if (bad) {
            mismatches++;
            if (mismatches <= 20) {
                fprintf(stderr, "MISMATCH case %lu: code ", c);
                if (ssefp)
                    fprintf(stderr, "(below)\n");
                else
                    dump_code(&g);
                for (int i = 0; i < 16; i++)
                    if (nat.r[i] != emu.r[i] || verbose)
                        fprintf(stderr, "  %-3s in %016llx native %016llx satori %016llx\n",
                                reg_names[i], (unsigned long long)in.r[i],
                                (unsigned long long)nat.r[i], (unsigned long long)emu.r[i]);
                for (int i = 0; i < 16; i++)
                    if (nat.xmm[i][0] != emu.xmm[i][0] || nat.xmm[i][1] != emu.xmm[i][1])
                        fprintf(stderr, "  xmm%-2d in %016llx%016llx native %016llx%016llx "
                                "satori %016llx%016llx\n", i,
                                (unsigned long long)in.xmm[i][1], (unsigned long long)in.xmm[i][0],
                                (unsigned long long)nat.xmm[i][1], (unsigned long long)nat.xmm[i][0],
                                (unsigned long long)emu.xmm[i][1], (unsigned long long)emu.xmm[i][0]);
                for (int i = 0; i < 8; i++)
                    if (nat.mm[i] != emu.mm[i])
                        fprintf(stderr, "  mm%d in %016llx native %016llx satori %016llx\n", i,
                                (unsigned long long)in.mm[i], (unsigned long long)nat.mm[i],
                                (unsigned long long)emu.mm[i]);
                fprintf(stderr, "  rflags in %llx native %llx satori %llx (compared %llx)\n",
                        (unsigned long long)in.rflags, (unsigned long long)nat.rflags,
                        (unsigned long long)emu.rflags, (unsigned long long)fmask);
                if (memcmp(host_data, guest_data, DATA_SIZE)) {
                    fprintf(stderr, "  data buffer differs:");
                    for (unsigned i = 0, shown = 0; i < DATA_SIZE && shown < 24; i++)
                        if (host_data[i] != guest_data[i] && ++shown)
                            fprintf(stderr, " [%+d] %02x/%02x", (int)i - 0x800, host_data[i],
                                    guest_data[i]);
                    fprintf(stderr, "\n");
                }
                if (ssefp)
                    sx_dump(&g, init_data, host_data, guest_data);
                if (!ssefp && memcmp(host_data + DATA_SIZE, guest.ram + STACK_VA, DATA_SIZE))
                    fprintf(stderr, "  stack page differs\n");
            }
        }
    }
    printf("difftest: %lu cases, %lu instructions executed, %u templates, %lu mismatches%s%s\n",
           cases, executed, ssefp ? nsxts : ntmpls, mismatches,
           interp ? " (micro-op loop only)" : "",
           ssefp ? " (SSE floating point)" : x87_trans ? " (x87 with transcendentals)"
                                            : x87 ? " (x87)" : "");
    if (x87_trans)
        printf("difftest: %lu cases within 1 ulp of the host in a transcendental's result "
               "(largest difference of a finite result: %u ulp)\n", last_bit, max_ulps);
    if (ssefp)
        sx_report();
    dt_ext_report();
    cpu_free(guest.cpu);
    bus_free(guest.bus);
    munmap(guest.ram, GUEST_RAM);
    return mismatches ? 1 : 0;
}

#else

int main(void)
{
    printf("difftest: not an x86-64 host, skipped\n");
    return 77;
}

#endif
