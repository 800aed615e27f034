# PCI / fw_cfg / ACPI / test-device guests (testsuite/satori.hw/pci-*),
# built by make check; included from testsuite/local.mk.
PCI_HW_GUESTS = pci-config pci-pm pci-reset pci-fwcfg pci-acpi pci-testdev
PCI_HW_GUEST_ELFS = $(PCI_HW_GUESTS:%=testsuite/satori.hw/%.elf)
$(PCI_HW_GUEST_ELFS): testsuite/satori.hw/%.elf: testsuite/satori.hw/%.c \
		testsuite/satori.hw/pci-guest.h testsuite/satori.hw/cmos-guest.h $(GUEST_RUNTIME_DEPS)
	@$(MKDIR_P) testsuite/satori.hw
	$(call guest_link,$<)
check_DATA += $(PCI_HW_GUEST_ELFS)
CLEANFILES += $(PCI_HW_GUEST_ELFS)
EXTRA_DIST += testsuite/satori.hw/pci-guest.h testsuite/satori.hw/pci-guests.mk \
	$(PCI_HW_GUESTS:%=testsuite/satori.hw/%.c) $(PCI_HW_GUESTS:%=testsuite/satori.hw/%.exp)
