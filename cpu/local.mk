# cpu/: the translating x86-64 CPU (one convenience library).
noinst_LTLIBRARIES += libcpu.la
libcpu_la_SOURCES = cpu/cpu.h cpu/cpu-internal.h cpu/decode.h cpu/translate.h \
	cpu/insn-list.h cpu/decode-tables.h cpu/decode-tables-macros.h cpu/cpu-features.h \
	cpu/decode.c cpu/decode-tables.c cpu/decode-tables-0f.c cpu/decode-tables-0f38.c \
	cpu/exec.c cpu/jit-report.c cpu/native.c cpu/native-internal.h \
	cpu/native-asm.h cpu/native-asm.c cpu/native-regs.c cpu/native-alu.c cpu/native-mem.c cpu/native-ctl.c cpu/cpu.c cpu/flags.c cpu/mmu.c cpu/excp.c \
	cpu/ops-int.c cpu/ops-ctl.c cpu/ops-sys.c cpu/fuse.c cpu/cpu-models.c cpu/debug.c cpu/task.c \
	cpu/ops-sse-fp.h cpu/ops-sse-fp.c cpu/ops-sse-cvt.c cpu/softfloat.h cpu/softfloat.c cpu/decode-x87.c \
	cpu/fpu-x87.h cpu/ops-x87.c cpu/fpu-trans.c cpu/fpu-state.c \
	cpu/ops-bmi.c cpu/ops-sse.h cpu/ops-sse-mov.c cpu/ops-sse-int.c cpu/ops-sse-aes.c
libcpu_la_CFLAGS = $(AM_CFLAGS) $(CAPSTONE_CFLAGS)
