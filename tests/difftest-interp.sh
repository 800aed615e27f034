#!/bin/sh
# The differential test again with host code off: the micro-op loop alone
# must give the same results (the two execution paths are interchangeable).
exec ./tests/difftest -i "$@"
