# tests/: host-side unit tests.
include tests/difftest.mk
