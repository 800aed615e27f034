noinst_LTLIBRARIES += libhyperv.la
libhyperv_la_SOURCES = hyperv/hyperv.h hyperv/hv-internal.h hyperv/hv-table.c \
	hyperv/hv-config.c hyperv/hv-cpuid.c hyperv/hv-msr.c hyperv/hv-time.c \
	hyperv/hv-hcall.c hyperv/hv-partition.c hyperv/hv-synic.c hyperv/hv-stimer.c \
	hyperv/hv-pv.c hyperv/hv-syndbg.c
