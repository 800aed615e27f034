# unit tests: platform (bus, UART, clock) and the command line
check_PROGRAMS += tests/test-platform
TESTS += tests/test-platform tests/test-cli.sh
tests_test_platform_SOURCES = tests/test-platform.c tests/unit.h
tests_test_platform_LDADD = libhw.la libtimers.la libutil.la
EXTRA_DIST += tests/test-cli.sh
check_PROGRAMS += tests/test-loader
TESTS += tests/test-loader
tests_test_loader_SOURCES = tests/test-loader.c tests/unit.h
tests_test_loader_LDADD = libhw.la libtimers.la libutil.la
