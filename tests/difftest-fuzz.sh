#!/bin/sh
# Random bytes as guest code, with host code and without: whatever they
# decode to, satori must neither crash nor report an internal error.
./tests/difftest -f -n 20000 "$@" && exec ./tests/difftest -f -i -n 20000 "$@"
