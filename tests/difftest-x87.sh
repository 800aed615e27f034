#!/bin/sh
# The differential test's x87 cases (tests/difftest-x87.c), with host code
# and with the micro-op loop alone, and the transcendental cases (-X).
./tests/difftest -x -n 4000 "$@" || exit 1
# with the transcendentals: within 1 ulp of the host's results, else equal
./tests/difftest -X -n 2000 "$@" || exit 1
exec ./tests/difftest -x -i -n 2000 "$@"
