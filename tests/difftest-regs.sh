#!/bin/sh
# The differential test with operands from five registers and longer
# sequences, so values flow through host code's register cache and the
# lazy flags from one instruction to the next.
exec ./tests/difftest -r -n 20000 "$@"
