/*
 * tests/difftest-x87.h: x87 case generator for tests/difftest.c (-x, -X).
 */
#ifndef SATORI_TESTS_DIFFTEST_X87_H
#define SATORI_TESTS_DIFFTEST_X87_H

#include <stdbool.h>
#include <stdint.h>

/* the FNSAVE image (32-bit format) a case leaves at RBX = data + 0x800 */
#define FSAVE_AT 0x800
#define FSAVE_SW 4
#define FSAVE_ST0 28            /* ST(i) at FSAVE_ST0 + 10 * i */
#define FSW_C1 0x0200u

/*
 * Write one x87 case (code for RBX = data + 0x800) into code[cap] and its
 * operands into the 4 KiB data buffer; returns the code length and sets
 * *ninsns.  trans ends the case with a transcendental instruction whose
 * results are ST0..ST(*nres - 1) of the image (*nres is 0 without trans).
 */
unsigned x87_gen_case(uint8_t *code, unsigned cap, uint8_t *data, uint64_t (*rnd)(void),
                      bool trans, unsigned *ninsns, unsigned *nres);

/*
 * Whether the FNSAVE images nat and emu differ only as a transcendental's
 * results may: ST0..ST(nres - 1) at most one unit in the 64-bit
 * significand apart (the SDM: precision control does not apply to the
 * transcendentals, they are always computed to 64 bits), same sign, no
 * infinity or NaN, and the status words differing in C1 alone (C1 tells
 * whether the unrounded value was rounded up, and the host's unrounded
 * value is its own).  Returns false when the images show no such
 * difference; raises *max_ulps to the largest distance of a finite result
 * seen (capped at a million).
 */
bool x87_results_close(const uint8_t *nat, const uint8_t *emu, unsigned nres,
                       unsigned *max_ulps);

/* x87_results_close() on pairs with known answers */
bool x87_close_selftest(void);

#endif
