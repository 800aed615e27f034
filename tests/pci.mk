# unit tests: PCI core, PIIX3/PIIX4, fw_cfg; AML and ACPI tables
check_PROGRAMS += tests/test-pci tests/test-acpi
TESTS += tests/test-pci tests/test-acpi tests/test-acpi-iasl.sh
tests_test_pci_SOURCES = tests/test-pci.c tests/unit.h
tests_test_pci_LDADD = libhw.la libtimers.la libutil.la
tests_test_acpi_SOURCES = tests/test-acpi.c tests/unit.h
tests_test_acpi_LDADD = libhw.la libtimers.la libutil.la
EXTRA_DIST += tests/test-acpi-iasl.sh
