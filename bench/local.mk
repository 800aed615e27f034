# bench/: benchmarks (not part of make check).
bench/intbench.elf: bench/intbench.c $(GUEST_RUNTIME_DEPS)
	@$(MKDIR_P) bench
	$(call guest_link,$(srcdir)/bench/intbench.c)

bench: satori$(EXEEXT) bench/intbench.elf
	sh $(srcdir)/bench/run-bench ./satori$(EXEEXT) bench/intbench.elf $(BENCH_RUNS)
.PHONY: bench
BENCH_RUNS = 5
CLEANFILES += bench/intbench.elf
EXTRA_DIST += bench/intbench.c bench/run-bench

# Hyper-V path costs (bench/hvbench.c, bench/run-hvbench)
bench/hvbench.elf: bench/hvbench.c testsuite/satori.hyperv/hv-guest.h $(GUEST_RUNTIME_DEPS)
	@$(MKDIR_P) bench
	$(call guest_link,$(srcdir)/bench/hvbench.c)

bench-hyperv: satori$(EXEEXT) bench/hvbench.elf
	sh $(srcdir)/bench/run-hvbench ./satori$(EXEEXT) bench/hvbench.elf $(HVBENCH_RUNS)
.PHONY: bench-hyperv
HVBENCH_RUNS = 3
CLEANFILES += bench/hvbench.elf
EXTRA_DIST += bench/hvbench.c bench/run-hvbench

# Linux boot to a busybox shell and poweroff, satori vs QEMU (bench/run-linux-boot)
bench-linux: satori$(EXEEXT)
	expect -f $(srcdir)/bench/run-linux-boot ./satori$(EXEEXT) $(srcdir) $(BENCH_SMP)
.PHONY: bench-linux
BENCH_SMP = 1
EXTRA_DIST += bench/run-linux-boot
