# bench/: benchmarks (not part of make check).  Compiled-C workloads
# (ordinary C built with plain gcc -O2, the x86-64 default ISA with SSE2,
# through guest_link_fp; the runtime they link stays -mgeneral-regs-only
# as a kernel's would) plus intbench's loops.
BENCH_GUESTS = cmark lzbench strmix flagchain recurse intbench ssebench
BENCH_ELFS = $(BENCH_GUESTS:%=bench/%.elf)
bench/%.elf: bench/%.c $(GUEST_FP_DEPS)
	@$(MKDIR_P) bench
	$(call guest_link_fp,$<)

bench: satori$(EXEEXT) $(BENCH_ELFS)
	sh $(srcdir)/bench/run-bench ./satori$(EXEEXT) $(BENCH_RUNS) $(BENCH_ELFS)
.PHONY: bench
BENCH_RUNS = 5
CLEANFILES += $(BENCH_ELFS)
EXTRA_DIST += $(BENCH_GUESTS:%=bench/%.c) bench/run-bench

# SSE2 memcpy/memset/strlen idioms alone (bench/ssebench.c, also in BENCH_GUESTS)
bench-sse: satori$(EXEEXT) bench/ssebench.elf
	sh $(srcdir)/bench/run-bench ./satori$(EXEEXT) $(BENCH_RUNS) bench/ssebench.elf
.PHONY: bench-sse

# Hyper-V path costs (bench/hvbench.c, bench/run-hvbench)
# (also built by make check: testsuite/satori.hyperv/hvbench.exp runs it briefly)
bench/hvbench.elf: bench/hvbench.c testsuite/satori.hyperv/hv-guest.h \
		testsuite/satori.hyperv/hv-pv-guest.h $(GUEST_SMP_DEPS)
	@$(MKDIR_P) bench
	$(call guest_link_smp,$(srcdir)/bench/hvbench.c)

bench-hyperv: satori$(EXEEXT) bench/hvbench.elf
	sh $(srcdir)/bench/run-hvbench ./satori$(EXEEXT) bench/hvbench.elf $(HVBENCH_RUNS)
.PHONY: bench-hyperv
HVBENCH_RUNS = 3
check_DATA += bench/hvbench.elf
CLEANFILES += bench/hvbench.elf
EXTRA_DIST += bench/hvbench.c bench/run-hvbench testsuite/satori.hyperv/hvbench.exp

# Linux boot to a busybox shell and poweroff, satori vs QEMU (bench/run-linux-boot)
bench-linux: satori$(EXEEXT)
	expect -f $(srcdir)/bench/run-linux-boot ./satori$(EXEEXT) $(srcdir) $(BENCH_SMP)
.PHONY: bench-linux
BENCH_SMP = 1
EXTRA_DIST += bench/run-linux-boot

# What an idle Linux guest at the shell prompt costs the host (bench/run-idle, plat)
bench-idle: satori$(EXEEXT)
	expect $(srcdir)/bench/run-idle ./satori$(EXEEXT) $(srcdir)
.PHONY: bench-idle
EXTRA_DIST += bench/run-idle
