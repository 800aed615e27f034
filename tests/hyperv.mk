# unit tests: hyperv/ with a real vCPU (VP run time across HLT)
check_PROGRAMS += tests/test-hyperv
TESTS += tests/test-hyperv
tests_test_hyperv_SOURCES = tests/test-hyperv.c tests/board-stubs.c tests/unit.h
tests_test_hyperv_LDADD = libhyperv.la libcpu.la libhw.la libtimers.la libutil.la $(CAPSTONE_LIBS)
# unit tests: SynIC vectors/acks and stimer arithmetic against a stand-in APIC
check_PROGRAMS += tests/test-stimer
TESTS += tests/test-stimer
tests_test_stimer_SOURCES = tests/test-stimer.c tests/board-stubs.c tests/unit.h
tests_test_stimer_LDADD = libhyperv.la libcpu.la libhw.la libtimers.la libutil.la $(CAPSTONE_LIBS)
