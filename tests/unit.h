/*
 * tests/unit.h: the CHECK macro the host-side unit tests share.  Each test
 * program defines `int failures;` once and returns non-zero if it is set.
 */
#ifndef SATORI_TESTS_UNIT_H
#define SATORI_TESTS_UNIT_H

#include <stdio.h>

extern int failures;

#define CHECK(cond, ...) do {                                   \
    if (!(cond)) {                                              \
        failures++;                                             \
        printf("FAIL %s:%d: ", __FILE__, __LINE__);             \
        printf(__VA_ARGS__);                                    \
        printf("\n");                                           \
    }                                                           \
} while (0)

#endif
