# tests/: host-side unit tests, one fragment per owner.
include tests/decode.mk
include tests/cpu.mk
include tests/platform.mk
include tests/hyperv.mk
include tests/alu.mk
include tests/priv.mk
include tests/sys.mk
include tests/difftest.mk
