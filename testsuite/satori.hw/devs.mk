# testsuite/satori.hw/: guest tests of the timer and legacy devices (PIT,
# HPET, RTC/CMOS, i8042, port 0x92), built by make check.  A static pattern
# rule over this list only, so other guests of the folder keep their own.
HW_DEVS_GUESTS = pit hpet rtc i8042 i8042-irq timer-irq
HW_DEVS_ELFS = $(HW_DEVS_GUESTS:%=testsuite/satori.hw/%.elf)
$(HW_DEVS_ELFS): testsuite/satori.hw/%.elf: testsuite/satori.hw/%.c \
		testsuite/satori.hw/cmos-guest.h $(GUEST_RUNTIME_DEPS)
	@$(MKDIR_P) testsuite/satori.hw
	$(call guest_link,$<)
check_DATA += $(HW_DEVS_ELFS)
CLEANFILES += $(HW_DEVS_ELFS)
EXTRA_DIST += testsuite/satori.hw/devs.mk testsuite/satori.hw/cmos-guest.h $(HW_DEVS_GUESTS:%=testsuite/satori.hw/%.c) \
	$(HW_DEVS_GUESTS:%=testsuite/satori.hw/%.exp)
