# Differential test against the host CPU (tests/difftest.c).
check_PROGRAMS += tests/difftest
TESTS += tests/difftest tests/difftest-interp.sh tests/difftest-regs.sh tests/difftest-fuzz.sh \
	tests/difftest-ext.sh tests/difftest-x87.sh tests/difftest-ssefp.sh
EXTRA_DIST += tests/difftest-interp.sh tests/difftest-regs.sh tests/difftest-fuzz.sh \
	tests/difftest-ext.sh tests/difftest-x87.sh tests/difftest-ssefp.sh tests/difftest-ssefp.c
tests_difftest_SOURCES = tests/difftest.c tests/difftest-x87.c tests/difftest-x87.h \
	tests/difftest-count.c tests/difftest-count.h
tests_difftest_CFLAGS = $(AM_CFLAGS) -O2
tests_difftest_LDADD = libcpu.la libhw.la libtimers.la libutil.la $(CAPSTONE_LIBS) -lm

# The full run (docs/testing.md): at least 10^6 executed instructions per
# extension, the per-extension counts printed at the end.  Not part of
# make check (a few minutes); difftest-full is the old name.
check-difftest-full: tests/difftest$(EXEEXT)
	$(SHELL) $(srcdir)/tests/difftest-full.sh
difftest-full: check-difftest-full
.PHONY: check-difftest-full difftest-full
EXTRA_DIST += tests/difftest-full.sh
