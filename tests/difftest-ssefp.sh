#!/bin/sh
# The SSE floating-point differential test (tests/difftest-ssefp.c), short
# version for make check: host code and then the micro-op loop alone.
./tests/difftest -S -n 3000 "$@" || exit $?
exec ./tests/difftest -S -i -n 1000 -s 0x55e "$@"
