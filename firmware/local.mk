# firmware/: the guest runtime, the built-in demo guest and the test guests.
# Guests are freestanding 64-bit code linked at 1 MiB and wrapped in an
# ELF32 container (as kvm-unit-tests does) so QEMU's multiboot loader
# accepts them too.
guest_cflags = -m64 -ffreestanding -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -O2 -Wall -Wextra \
	-Wno-unused-parameter -I$(srcdir)/firmware
guest_ldflags = -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-T,$(srcdir)/firmware/link.ld
GUEST_RUNTIME_SRC = $(srcdir)/firmware/entry.S $(srcdir)/firmware/runtime.c
GUEST_RUNTIME_DEPS = firmware/entry.S firmware/runtime.c firmware/runtime.h firmware/link.ld
OBJCOPY ?= objcopy

# build one guest: $(1) sources -> $@ (ELF32 container)
guest_link = $(CC) $(guest_cflags) $(guest_ldflags) -o $@.64 $(GUEST_RUNTIME_SRC) $(1) \
	&& $(OBJCOPY) -O elf32-i386 $@.64 $@ && rm -f $@.64

# Guests that use more than one CPU also link firmware/smp.c:
# $(call guest_link_smp,sources).
GUEST_SMP_DEPS = $(GUEST_RUNTIME_DEPS) firmware/smp.c firmware/smp.h
guest_link_smp = $(call guest_link,$(1) $(srcdir)/firmware/smp.c)
EXTRA_DIST += firmware/smp.c firmware/smp.h

# Guests that use floating point: their own sources and firmware/fpprint.c
# are built without -mgeneral-regs-only (plain gcc -O2: SSE2 doubles); the
# runtime itself stays -mgeneral-regs-only, compiled on its own.
guest_fp_cflags = $(filter-out -mgeneral-regs-only,$(guest_cflags))
GUEST_FP_DEPS = $(GUEST_RUNTIME_DEPS) firmware/fpprint.c firmware/fpprint.h
guest_link_fp = $(CC) $(guest_cflags) -c -o $@.entry.o $(srcdir)/firmware/entry.S \
	&& $(CC) $(guest_cflags) -c -o $@.rt.o $(srcdir)/firmware/runtime.c \
	&& $(CC) $(guest_fp_cflags) $(guest_ldflags) -o $@.64 $@.entry.o $@.rt.o \
	   $(srcdir)/firmware/fpprint.c $(1) \
	&& $(OBJCOPY) -O elf32-i386 $@.64 $@ && rm -f $@.64 $@.entry.o $@.rt.o

firmware/demo.elf: firmware/demo.c $(GUEST_RUNTIME_DEPS)
	@$(MKDIR_P) firmware
	$(call guest_link,$(srcdir)/firmware/demo.c)

# The demo embedded in the satori binary (generated; generator below).
firmware/demo-blob.c: firmware/demo.elf
	@$(MKDIR_P) firmware
	{ echo '/* generated from firmware/demo.elf by firmware/local.mk */'; \
	  echo 'const unsigned char firmware_demo_elf[] = {'; \
	  od -An -v -tx1 firmware/demo.elf | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; \
	  echo 'const unsigned int firmware_demo_elf_len = sizeof firmware_demo_elf;'; } > $@.tmp
	mv $@.tmp $@

noinst_LTLIBRARIES += libfirmware.la
nodist_libfirmware_la_SOURCES = firmware/demo-blob.c
libfirmware_la_CFLAGS = -w
BUILT_SOURCES += firmware/demo-blob.c
CLEANFILES += firmware/demo-blob.c firmware/demo.elf
EXTRA_DIST += firmware/entry.S firmware/runtime.c firmware/runtime.h firmware/link.ld \
	firmware/demo.c firmware/fpprint.c firmware/fpprint.h

# Test guests (built by make check; run by the DejaGnu suite)
GUEST_TESTS = alu cmpjcc shift muldiv string stack bits control callgate pmode pagefault smc exceptions \
	seglimit sysfeat debugreg taskswitch featud ferr \
	exc-hw icount triple sse x87 x87-known x87-env16 xsave pcid jitmem jitpart jitregs jitflags sideexit
GUEST_ELFS = $(GUEST_TESTS:%=testsuite/satori.cpu/%.elf)
testsuite/satori.cpu/%.elf: testsuite/satori.cpu/%.c testsuite/satori.cpu/exc-common.h \
	testsuite/satori.cpu/try-fault.h testsuite/satori.cpu/regseq.h $(GUEST_RUNTIME_DEPS)
	@$(MKDIR_P) testsuite/satori.cpu
	$(call guest_link,$<)
# floating-point guests (guest_link_fp)
GUEST_FP_TESTS = fpmath sseexc
GUEST_FP_ELFS = $(GUEST_FP_TESTS:%=testsuite/satori.cpu/%.elf)
testsuite/satori.cpu/fpmath.elf: testsuite/satori.cpu/fpmath.c $(GUEST_FP_DEPS)
	@$(MKDIR_P) testsuite/satori.cpu
	$(call guest_link_fp,$<)
testsuite/satori.cpu/sseexc.elf: testsuite/satori.cpu/sseexc.c $(GUEST_FP_DEPS)
	@$(MKDIR_P) testsuite/satori.cpu
	$(call guest_link_fp,$<)
check_DATA = $(GUEST_ELFS) $(GUEST_FP_ELFS)
CLEANFILES += $(GUEST_ELFS) $(GUEST_FP_ELFS)
EXTRA_DIST += $(GUEST_FP_TESTS:%=testsuite/satori.cpu/%.c) $(GUEST_FP_TESTS:%=testsuite/satori.cpu/%.exp)
EXTRA_DIST += $(GUEST_TESTS:%=testsuite/satori.cpu/%.c) $(GUEST_TESTS:%=testsuite/satori.cpu/%.exp) \
	testsuite/satori.cpu/exc-common.h testsuite/satori.cpu/try-fault.h \
	testsuite/satori.cpu/regseq.h

include firmware/hv-guests.mk
include firmware/board-guests.mk
