# unit tests: decoder against capstone
check_PROGRAMS += tests/test-decode
TESTS += tests/test-decode
tests_test_decode_SOURCES = tests/test-decode.c
tests_test_decode_CFLAGS = $(AM_CFLAGS) $(CAPSTONE_CFLAGS)
tests_test_decode_LDADD = libcpu.la libhw.la libtimers.la libutil.la $(CAPSTONE_LIBS)
