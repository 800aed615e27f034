# Hyper-V test guests (testsuite/satori.hyperv/), built by make check.
# HV_PROBE_GUESTS: the probe guest(s) that print the expected tables.
# HV_BEHAVIOUR_GUESTS: one guest per enlightenment behaviour.
HV_PROBE_GUESTS = probe
HV_BEHAVIOUR_GUESTS = hcall-page tsc-page tsc-seq crash reset spinwait reftime-icount hcall-abi
HV_GUEST_ELFS = $(HV_PROBE_GUESTS:%=testsuite/satori.hyperv/%.elf) \
	$(HV_BEHAVIOUR_GUESTS:%=testsuite/satori.hyperv/%.elf)
testsuite/satori.hyperv/%.elf: testsuite/satori.hyperv/%.c testsuite/satori.hyperv/hv-guest.h $(GUEST_RUNTIME_DEPS)
	@$(MKDIR_P) testsuite/satori.hyperv
	$(call guest_link,$<)
check_DATA += $(HV_GUEST_ELFS)
CLEANFILES += $(HV_GUEST_ELFS)
EXTRA_DIST += testsuite/satori.hyperv/hv-guest.h \
	$(HV_PROBE_GUESTS:%=testsuite/satori.hyperv/%.c) \
	$(HV_BEHAVIOUR_GUESTS:%=testsuite/satori.hyperv/%.c) \
	$(HV_BEHAVIOUR_GUESTS:%=testsuite/satori.hyperv/%.exp)
# probe tables
EXTRA_DIST += testsuite/lib/hyperv.exp testsuite/satori.hyperv/probe.exp \
	testsuite/satori.hyperv/tables/none.tbl \
	testsuite/satori.hyperv/tables/relaxed.tbl \
	testsuite/satori.hyperv/tables/spinlocks.tbl \
	testsuite/satori.hyperv/tables/vpindex.tbl \
	testsuite/satori.hyperv/tables/runtime.tbl \
	testsuite/satori.hyperv/tables/crash.tbl \
	testsuite/satori.hyperv/tables/time.tbl \
	testsuite/satori.hyperv/tables/reset.tbl \
	testsuite/satori.hyperv/tables/frequencies.tbl \
	testsuite/satori.hyperv/tables/reenlightenment.tbl \
	testsuite/satori.hyperv/tables/avic.tbl \
	testsuite/satori.hyperv/tables/vendor.tbl \
	testsuite/satori.hyperv/tables/nonarch.tbl \
	testsuite/satori.hyperv/tables/all.tbl \
	testsuite/satori.hyperv/tables/kvmoff.tbl \
	testsuite/satori.hyperv/tables/enforce-none.tbl \
	testsuite/satori.hyperv/tables/enforce-vpindex.tbl \
	testsuite/satori.hyperv/tables/enforce-time.tbl \
	testsuite/satori.hyperv/tables/enforce-spinlocks.tbl \
	testsuite/satori.hyperv/tables/enforce-crash.tbl \
	testsuite/satori.hyperv/tables/enforce-all.tbl \
	testsuite/satori.hyperv/tables/passthrough.tbl \
	testsuite/satori.hyperv/tables/enforce-passthrough.tbl \
	testsuite/satori.hyperv/tables/enforce-relaxed.tbl \
	testsuite/satori.hyperv/tables/enforce-runtime.tbl \
	testsuite/satori.hyperv/tables/enforce-reset.tbl \
	testsuite/satori.hyperv/tables/enforce-frequencies.tbl \
	testsuite/satori.hyperv/tables/enforce-reenlightenment.tbl \
	testsuite/satori.hyperv/tables/enforce-avic.tbl \
	testsuite/satori.hyperv/tables/enforce-vendor.tbl \
	testsuite/satori.hyperv/tables/enforce-nonarch.tbl \
	testsuite/satori.hyperv/tables/enforce-kvmoff.tbl
