#!/bin/sh
# The differential test on the extensions' templates only (MMX, SSE..SSE4.2,
# AES, PCLMULQDQ, POPCNT, LZCNT/TZCNT, BMI1/BMI2, ADX, MOVBE, CRC32), with
# host code and with the micro-op loop alone; then a short run of each
# extension alone (-E; make check-difftest-full runs 10^6 of each).
./tests/difftest -e -n 20000 "$@" || exit 1
./tests/difftest -e -i -n 20000 "$@" || exit 1
for e in mmx sse sse2 sse3 ssse3 sse4.1 sse4.2 aes-pclmul bmi1 bmi2 adx abm movbe; do
    ./tests/difftest -E $e -n 2000 "$@" || exit 1
done
