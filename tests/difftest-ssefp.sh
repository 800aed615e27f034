#!/bin/sh
# The SSE floating-point differential test (tests/difftest-ssefp.c), short
# version for make check: host code and then the micro-op loop alone.
./tests/difftest -x -n 3000 "$@" || exit $?
exec ./tests/difftest -x -i -n 1000 -s 0x55e "$@"
