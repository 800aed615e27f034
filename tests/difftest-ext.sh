#!/bin/sh
# The differential test on the extensions' templates only (MMX, SSE..SSE4.2,
# AES, PCLMULQDQ, POPCNT, LZCNT/TZCNT, BMI1/BMI2, ADX, MOVBE, CRC32), with
# host code and with the micro-op loop alone.
./tests/difftest -e -n 20000 "$@" && exec ./tests/difftest -e -i -n 20000 "$@"
