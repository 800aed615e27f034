# Hyper-V test guests (testsuite/satori.hyperv/), built by make check.
# HV_PROBE_GUESTS: the probe guest(s) that print the expected tables.
# HV_BEHAVIOUR_GUESTS: one guest per enlightenment behaviour.
HV_PROBE_GUESTS = probe
HV_BEHAVIOUR_GUESTS = hcall-page tsc-page tsc-seq crash reset spinwait reftime-icount hcall-abi vapic synic stimer \
	synic-smp testdev
HV_GUEST_ELFS = $(HV_PROBE_GUESTS:%=testsuite/satori.hyperv/%.elf) \
	$(HV_BEHAVIOUR_GUESTS:%=testsuite/satori.hyperv/%.elf)
# guests with APs (firmware/smp.c)
testsuite/satori.hyperv/synic-smp.elf: testsuite/satori.hyperv/synic-smp.c testsuite/satori.hyperv/hv-guest.h $(GUEST_SMP_DEPS)
	@$(MKDIR_P) testsuite/satori.hyperv
	$(call guest_link_smp,$<)
testsuite/satori.hyperv/%.elf: testsuite/satori.hyperv/%.c testsuite/satori.hyperv/hv-guest.h $(GUEST_RUNTIME_DEPS)
	@$(MKDIR_P) testsuite/satori.hyperv
	$(call guest_link,$<)
check_DATA += $(HV_GUEST_ELFS)
CLEANFILES += $(HV_GUEST_ELFS)
EXTRA_DIST += testsuite/satori.hyperv/hv-guest.h \
	$(HV_PROBE_GUESTS:%=testsuite/satori.hyperv/%.c) \
	$(HV_BEHAVIOUR_GUESTS:%=testsuite/satori.hyperv/%.c) \
	$(HV_BEHAVIOUR_GUESTS:%=testsuite/satori.hyperv/%.exp) \
	testsuite/satori.hyperv/stimer-icount.exp testsuite/satori.hyperv/stimer-linux.exp \
	testsuite/satori.hyperv/linux-hv.exp testsuite/satori.hyperv/mkhvinitramfs.sh
# probe tables (testsuite/satori.hyperv/tables/<set>.tbl, one per flag set of probe.exp)
HV_TABLES = none relaxed spinlocks vpindex runtime crash time reset \
	frequencies reenlightenment avic vendor nonarch all kvmoff enforce-none \
	enforce-vpindex enforce-time enforce-spinlocks enforce-crash enforce-all \
	passthrough enforce-passthrough enforce-relaxed enforce-runtime enforce-reset \
	enforce-frequencies enforce-reenlightenment enforce-avic enforce-vendor \
	enforce-nonarch enforce-kvmoff vapic enforce-vapic synic stimer enforce-stimer \
	tlbflush ipi tlbflush-ext xmm-input enforce-tlbflush enforce-ipi enforce-xmm-input \
	syndbg enforce-syndbg
EXTRA_DIST += testsuite/lib/hyperv.exp testsuite/satori.hyperv/probe.exp \
	$(HV_TABLES:%=testsuite/satori.hyperv/tables/%.tbl)
# PV TLB flush / PV IPI / XMM input / PV EOI guests: hv-pv-guest.h and
# firmware/smp.c (several vCPUs).
HV_PV_GUESTS = tlbflush ipi xmm pveoi syndbg
HV_PV_GUEST_ELFS = $(HV_PV_GUESTS:%=testsuite/satori.hyperv/%.elf)
$(HV_PV_GUEST_ELFS): testsuite/satori.hyperv/%.elf: testsuite/satori.hyperv/%.c \
		testsuite/satori.hyperv/hv-guest.h testsuite/satori.hyperv/hv-pv-guest.h $(GUEST_SMP_DEPS)
	@$(MKDIR_P) testsuite/satori.hyperv
	$(call guest_link_smp,$<)
check_DATA += $(HV_PV_GUEST_ELFS)
CLEANFILES += $(HV_PV_GUEST_ELFS)
EXTRA_DIST += testsuite/satori.hyperv/hv-pv-guest.h $(HV_PV_GUESTS:%=testsuite/satori.hyperv/%.c) \
	$(HV_PV_GUESTS:%=testsuite/satori.hyperv/%.exp) testsuite/satori.hyperv/syndbg-peer.py
CLEANFILES += testsuite/satori.hyperv/linux-hv-initramfs.cpio.gz testsuite/satori.hyperv/linux-hv.log
