noinst_LTLIBRARIES += libhyperv.la
libhyperv_la_SOURCES = hyperv/hyperv.h hyperv/hv-config.c
