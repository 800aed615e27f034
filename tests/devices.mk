# unit tests: the PC's timer and legacy devices (PIT, HPET, RTC, i8042, port 0x92)
check_PROGRAMS += tests/test-devices
TESTS += tests/test-devices
tests_test_devices_SOURCES = tests/test-devices.c tests/unit.h
tests_test_devices_LDADD = libhw.la libtimers.la libutil.la
