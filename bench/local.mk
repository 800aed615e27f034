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
