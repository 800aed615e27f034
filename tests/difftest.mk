# Differential test against the host CPU (tests/difftest.c).
check_PROGRAMS += tests/difftest
TESTS += tests/difftest tests/difftest-interp.sh tests/difftest-regs.sh tests/difftest-fuzz.sh \
	tests/difftest-ext.sh tests/difftest-x87.sh tests/difftest-ssefp.sh
EXTRA_DIST += tests/difftest-interp.sh tests/difftest-regs.sh tests/difftest-fuzz.sh \
	tests/difftest-ext.sh tests/difftest-x87.sh tests/difftest-ssefp.sh tests/difftest-ssefp.c
tests_difftest_SOURCES = tests/difftest.c tests/difftest-x87.c tests/difftest-x87.h
tests_difftest_CFLAGS = $(AM_CFLAGS) -O2
tests_difftest_LDADD = libcpu.la libhw.la libtimers.la libutil.la $(CAPSTONE_LIBS) -lm

# The full run: at least 10^6 executed instructions (-S: at least 10^6
# SSE floating-point instructions among them).
difftest-full: tests/difftest$(EXEEXT)
	./tests/difftest$(EXEEXT) -n 250000
	./tests/difftest$(EXEEXT) -i -n 250000
	./tests/difftest$(EXEEXT) -r -n 100000
	./tests/difftest$(EXEEXT) -f -n 200000
	./tests/difftest$(EXEEXT) -e -n 250000
	./tests/difftest$(EXEEXT) -e -i -n 250000
	./tests/difftest$(EXEEXT) -e -r -n 100000
	./tests/difftest$(EXEEXT) -x -n 100000
	./tests/difftest$(EXEEXT) -x -i -n 40000
	./tests/difftest$(EXEEXT) -X -n 40000
	./tests/difftest$(EXEEXT) -S -n 330000
	./tests/difftest$(EXEEXT) -S -i -n 50000 -s 0x55e
.PHONY: difftest-full
