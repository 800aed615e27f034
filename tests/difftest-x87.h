/*
 * tests/difftest-x87.h: x87 case generator for tests/difftest.c (-x, -X).
 */
#ifndef SATORI_TESTS_DIFFTEST_X87_H
#define SATORI_TESTS_DIFFTEST_X87_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Write one x87 case (code for RBX = data + 0x800) into code[cap] and its
 * operands into the 4 KiB data buffer; returns the code length and sets
 * *ninsns.  trans adds the transcendental instructions.
 */
unsigned x87_gen_case(uint8_t *code, unsigned cap, uint8_t *data, uint64_t (*rnd)(void),
                      bool trans, unsigned *ninsns);

#endif
