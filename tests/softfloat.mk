# softfloat against the host CPU's SSE and x87 (tests/test-softfloat.c).
check_PROGRAMS += tests/test-softfloat
TESTS += tests/test-softfloat
tests_test_softfloat_SOURCES = tests/test-softfloat.c
tests_test_softfloat_CFLAGS = $(AM_CFLAGS) -O2
tests_test_softfloat_LDADD = libcpu.la

# The full run: 300000 operand sets per operation (about 15 million checks).
check-softfloat-full: tests/test-softfloat$(EXEEXT)
	./tests/test-softfloat$(EXEEXT) -n 300000
.PHONY: check-softfloat-full
