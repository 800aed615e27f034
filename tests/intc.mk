# unit tests: hw/intc (8259A, IOAPIC, APIC bus) and the CPU's INIT/SIPI
check_PROGRAMS += tests/test-intc
TESTS += tests/test-intc
tests_test_intc_SOURCES = tests/test-intc.c tests/unit.h
tests_test_intc_LDADD = libcpu.la libhw.la libtimers.la libutil.la $(CAPSTONE_LIBS)
