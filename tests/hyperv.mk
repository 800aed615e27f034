# unit tests: hyperv/ with a real vCPU (VP run time across HLT)
check_PROGRAMS += tests/test-hyperv
TESTS += tests/test-hyperv
tests_test_hyperv_SOURCES = tests/test-hyperv.c tests/unit.h
tests_test_hyperv_LDADD = libhyperv.la libcpu.la libhw.la libtimers.la libutil.la $(CAPSTONE_LIBS)
