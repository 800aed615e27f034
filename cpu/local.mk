# cpu/: one convenience library, assembled from per-part fragments.
noinst_LTLIBRARIES += libcpu.la
include cpu/decode.mk
include cpu/engine.mk
include cpu/alu.mk
include cpu/system.mk
include cpu/priv.mk
libcpu_la_SOURCES = cpu/cpu.h cpu/cpu-internal.h cpu/decode.h cpu/translate.h \
	cpu/insn-list.h \
	$(cpu_decode_sources) $(cpu_engine_sources) $(cpu_alu_sources) \
	$(cpu_system_sources) $(cpu_priv_sources)
libcpu_la_CFLAGS = $(AM_CFLAGS) $(CAPSTONE_CFLAGS)
