# testsuite/: the DejaGnu suite (tool "satori"), run by make check.
DEJATOOL = satori
RUNTESTDEFAULTFLAGS = --tool satori --srcdir $(abs_srcdir)/testsuite \
	SATORI=$(abs_builddir)/satori GUESTDIR=$(abs_builddir)/testsuite
EXTRA_DIST += testsuite/config/unix.exp testsuite/lib/satori.exp
include testsuite/satori.hw/devs.mk

# satori.hw: interrupt-controller guests (hw/intc), built by make check.
HW_GUESTS = lapic lapic-timer x2apic ioapic pic smp smp-c timer-latency sti-shadow ipi-latency machine-off
HW_GUEST_ELFS = $(HW_GUESTS:%=testsuite/satori.hw/%.elf)
testsuite/satori.hw/%.elf: testsuite/satori.hw/%.c testsuite/satori.hw/hw-guest.h $(GUEST_RUNTIME_DEPS)
	@$(MKDIR_P) testsuite/satori.hw
	$(call guest_link,$<)
# guests on several CPUs (firmware/smp.c)
testsuite/satori.hw/smp-c.elf: testsuite/satori.hw/smp-c.c $(GUEST_SMP_DEPS)
	@$(MKDIR_P) testsuite/satori.hw
	$(call guest_link_smp,$<)
testsuite/satori.hw/ipi-latency.elf: testsuite/satori.hw/ipi-latency.c $(GUEST_SMP_DEPS)
	@$(MKDIR_P) testsuite/satori.hw
	$(call guest_link_smp,$<)
check_DATA += $(HW_GUEST_ELFS)
CLEANFILES += $(HW_GUEST_ELFS)
EXTRA_DIST += testsuite/satori.hw/hw-guest.h $(HW_GUESTS:%=testsuite/satori.hw/%.c) \
	$(HW_GUESTS:%=testsuite/satori.hw/%.exp)
include testsuite/satori.hw/pci-guests.mk
EXTRA_DIST += testsuite/satori.linux/boot.exp testsuite/satori.linux/mkinitramfs.sh \
	testsuite/satori.linux/typing.exp
CLEANFILES += testsuite/satori.linux/initramfs.cpio.gz
EXTRA_DIST += testsuite/satori.cpu/jit.exp testsuite/satori.cpu/jit-forms.exp testsuite/satori.cpu/out-asm.exp
