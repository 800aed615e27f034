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

# SSE2 memcpy/memset/strlen idioms (bench/ssebench.c), same runner
bench/ssebench.elf: bench/ssebench.c $(GUEST_RUNTIME_DEPS)
	@$(MKDIR_P) bench
	$(call guest_link,$(srcdir)/bench/ssebench.c)

bench-sse: satori$(EXEEXT) bench/ssebench.elf
	sh $(srcdir)/bench/run-bench ./satori$(EXEEXT) bench/ssebench.elf $(BENCH_RUNS)
.PHONY: bench-sse
CLEANFILES += bench/ssebench.elf
EXTRA_DIST += bench/ssebench.c

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
