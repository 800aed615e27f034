# unit tests: what the vCPUs of one machine share (code invalidation, TSC)
check_PROGRAMS += tests/test-smp
TESTS += tests/test-smp
tests_test_smp_SOURCES = tests/test-smp.c tests/unit.h
tests_test_smp_LDADD = libcpu.la libhw.la libtimers.la libutil.la $(CAPSTONE_LIBS)
