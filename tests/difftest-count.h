/*
 * tests/difftest-count.h: which CPUID extension each differential-test
 * template exercises, and the per-extension count of executed
 * instructions that difftest prints (tests/difftest-count.c).
 */
#ifndef SATORI_TESTS_DIFFTEST_COUNT_H
#define SATORI_TESTS_DIFFTEST_COUNT_H

#include <stdbool.h>
#include <stdint.h>

enum dt_ext {
    DT_BASE,        /* general-purpose instructions */
    DT_X87, DT_MMX, DT_SSE, DT_SSE2, DT_SSE3, DT_SSSE3, DT_SSE41, DT_SSE42,
    DT_AES_PCLMUL, DT_BMI1, DT_BMI2, DT_ADX, DT_ABM, DT_MOVBE,
    DT_EXT_COUNT
};

extern const char *const dt_ext_names[DT_EXT_COUNT];
extern unsigned long dt_ext_executed[DT_EXT_COUNT];

/*
 * The extension of an instruction form: its name in the template tables,
 * mandatory prefix (0, 0x66, 0xf3, 0xf2), opcode bytes (0F, [38|3A,] op)
 * and length, or for a VEX form (vex) op = { map, pp, opcode }.
 */
enum dt_ext dt_ext_of(const char *name, uint8_t pfx, const uint8_t op[3], unsigned oplen,
                      bool vex);
/* The extension for -E NAME, or -1 when no extension has that name. */
int dt_ext_find(const char *name);
/* One line "difftest: executed per extension: x87 N, ..." (nonzero counts). */
void dt_ext_report(void);

#endif
