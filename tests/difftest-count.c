/*
 * tests/difftest-count.c: the CPUID extension of each differential-test
 * instruction form (SDM vol. 2, each instruction's "CPUID Feature Flag"
 * column; POPCNT and LZCNT are counted together as ABM, TZCNT is BMI1,
 * CRC32 SSE4.2, AES-NI and PCLMULQDQ one group) and the count of executed
 * instructions per extension that tests/difftest.c keeps and prints, so
 * `make check-difftest-full` can state that every extension ran at least
 * 10^6 instructions.
 */
#include "tests/difftest-count.h"

#include <stdio.h>
#include <string.h>

const char *const dt_ext_names[DT_EXT_COUNT] = {
    [DT_BASE] = "base", [DT_X87] = "x87", [DT_MMX] = "mmx", [DT_SSE] = "sse",
    [DT_SSE2] = "sse2", [DT_SSE3] = "sse3", [DT_SSSE3] = "ssse3", [DT_SSE41] = "sse4.1",
    [DT_SSE42] = "sse4.2", [DT_AES_PCLMUL] = "aes-pclmul", [DT_BMI1] = "bmi1",
    [DT_BMI2] = "bmi2", [DT_ADX] = "adx", [DT_ABM] = "abm", [DT_MOVBE] = "movbe",
};

unsigned long dt_ext_executed[DT_EXT_COUNT];

static bool in(uint8_t v, const uint8_t *set, size_t n)
{
    return memchr(set, v, n) != NULL;
}

/* 0F 38 / 0F 3A forms (with or without 66: the MMX forms of SSSE3) */
static enum dt_ext three_byte(uint8_t map, uint8_t op)
{
    static const uint8_t ssse3_38[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x1c, 0x1d, 0x1e };

    if (map == 0x38) {
        if (in(op, ssse3_38, sizeof ssse3_38))
            return DT_SSSE3;
        if (op == 0x37)
            return DT_SSE42;                /* PCMPGTQ */
        if (op >= 0xdb && op <= 0xdf)
            return DT_AES_PCLMUL;
        return DT_SSE41;
    }
    if (op == 0x0f)
        return DT_SSSE3;                    /* PALIGNR */
    if (op >= 0x60 && op <= 0x63)
        return DT_SSE42;                    /* PCMPxSTRx */
    if (op == 0x44 || op == 0xdf)
        return DT_AES_PCLMUL;               /* PCLMULQDQ, AESKEYGENASSIST */
    return DT_SSE41;
}

/* 0F xx on MMX registers (no prefix) */
static enum dt_ext mmx_form(uint8_t op)
{
    /* the integer instructions SSE added to MMX (PAVGx, PMINUB, PMULHUW, ...) */
    static const uint8_t sse_int[] = { 0xe0, 0xe3, 0xe4, 0xea, 0xee, 0xda, 0xde, 0xf6,
                                       0x70, 0xc4, 0xc5, 0xd7 };
    static const uint8_t sse2_int[] = { 0xd4, 0xf4, 0xfb };  /* PADDQ, PMULUDQ, PSUBQ */

    if (in(op, sse_int, sizeof sse_int))
        return DT_SSE;
    if (in(op, sse2_int, sizeof sse2_int))
        return DT_SSE2;
    return DT_MMX;
}

enum dt_ext dt_ext_of(const char *name, uint8_t pfx, const uint8_t op[3], unsigned oplen,
                      bool vex)
{
    if (vex) {
        if (op[0] == 2 && op[1] == 0 && (op[2] == 0xf2 || op[2] == 0xf3 || op[2] == 0xf7))
            return DT_BMI1;                 /* ANDN, BLSI/BLSMSK/BLSR, BEXTR */
        return DT_BMI2;
    }
    if (!strcmp(name, "popcnt") || !strcmp(name, "lzcnt"))
        return DT_ABM;
    if (!strcmp(name, "tzcnt"))
        return DT_BMI1;
    if (!strncmp(name, "movbe", 5))
        return DT_MOVBE;
    if (!strncmp(name, "crc32", 5))
        return DT_SSE42;
    if (!strcmp(name, "adcx") || !strcmp(name, "adox"))
        return DT_ADX;
    if (oplen == 3 && op[0] == 0x0f && (op[1] == 0x38 || op[1] == 0x3a))
        return three_byte(op[1], op[2]);
    if (oplen != 2 || op[0] != 0x0f)
        return DT_BASE;
    switch (pfx) {
    case 0:
        /* MMX-register forms; the rest (PS, SHUFPS, MOVAPS, ...) are SSE */
        if (!strncmp(name, "mmx", 3) || strstr(name, "-mm") || !strcmp(name, "pshufw"))
            return mmx_form(op[1]);
        return DT_SSE;
    case 0xf3:
        if (op[1] == 0x10 || op[1] == 0x11)
            return DT_SSE;                  /* MOVSS */
        if (op[1] == 0x12 || op[1] == 0x16)
            return DT_SSE3;                 /* MOVSLDUP, MOVSHDUP */
        return DT_SSE2;
    case 0xf2:
        return op[1] == 0x12 ? DT_SSE3 : DT_SSE2;   /* MOVDDUP; MOVSD, PSHUFLW, ... */
    default:
        return DT_SSE2;
    }
}

int dt_ext_find(const char *name)
{
    for (int i = 0; i < DT_EXT_COUNT; i++)
        if (!strcmp(dt_ext_names[i], name))
            return i;
    return -1;
}

void dt_ext_report(void)
{
    const char *sep = "";

    printf("difftest: executed per extension:");
    for (int i = 0; i < DT_EXT_COUNT; i++)
        if (dt_ext_executed[i]) {
            printf("%s %s %lu", sep, dt_ext_names[i], dt_ext_executed[i]);
            sep = ",";
        }
    printf("\n");
}
