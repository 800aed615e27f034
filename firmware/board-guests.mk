# Board test guests (testsuite/satori.board/), built by make check.
BOARD_GUESTS = console idle
BOARD_GUEST_ELFS = $(BOARD_GUESTS:%=testsuite/satori.board/%.elf)
testsuite/satori.board/%.elf: testsuite/satori.board/%.c $(GUEST_RUNTIME_DEPS)
	@$(MKDIR_P) testsuite/satori.board
	$(call guest_link,$<)
check_DATA += $(BOARD_GUEST_ELFS)
CLEANFILES += $(BOARD_GUEST_ELFS)
EXTRA_DIST += firmware/board-guests.mk $(BOARD_GUESTS:%=testsuite/satori.board/%.c) \
	$(BOARD_GUESTS:%=testsuite/satori.board/%.exp)
