# tests/: host-side unit tests.
include tests/difftest.mk
include tests/platform.mk
include tests/decode.mk
include tests/hyperv.mk
include tests/devices.mk
include tests/softfloat.mk
include tests/intc.mk
include tests/pci.mk
include tests/smp.mk
