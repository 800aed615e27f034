noinst_LTLIBRARIES += libhw.la
libhw_la_SOURCES = hw/hw.h hw/bus.c hw/globals.c \
	hw/char/uart16550.c hw/char/uart16550.h \
	hw/misc/debug-exit.c \
	hw/loader/loader.h hw/loader/image.c hw/loader/e820.c hw/loader/e820.h \
	hw/loader/multiboot.c hw/loader/linux.c hw/loader/pvh.c \
	hw/pc/pc.c hw/pc/pc.h
