# Hyper-V test guests (testsuite/satori.hyperv/), built by make check.
# HV_PROBE_GUESTS: the probe guest(s) that print the expected tables.
# HV_BEHAVIOUR_GUESTS: one guest per enlightenment behaviour.
HV_PROBE_GUESTS =
HV_BEHAVIOUR_GUESTS =
HV_GUEST_ELFS = $(HV_PROBE_GUESTS:%=testsuite/satori.hyperv/%.elf) \
	$(HV_BEHAVIOUR_GUESTS:%=testsuite/satori.hyperv/%.elf)
testsuite/satori.hyperv/%.elf: testsuite/satori.hyperv/%.c testsuite/satori.hyperv/hv-guest.h $(GUEST_RUNTIME_DEPS)
	@$(MKDIR_P) testsuite/satori.hyperv
	$(call guest_link,$<)
check_DATA += $(HV_GUEST_ELFS)
CLEANFILES += $(HV_GUEST_ELFS)
EXTRA_DIST += testsuite/satori.hyperv/hv-guest.h \
	$(HV_PROBE_GUESTS:%=testsuite/satori.hyperv/%.c) \
	$(HV_BEHAVIOUR_GUESTS:%=testsuite/satori.hyperv/%.c)
