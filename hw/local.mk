noinst_LTLIBRARIES += libhw.la
libhw_la_SOURCES = hw/hw.h hw/bus.c \
	hw/char/uart16550.c hw/char/uart16550.h \
	hw/misc/debug-exit.c hw/misc/port92.c hw/misc/port92.h \
	hw/input/i8042.c hw/input/i8042.h \
	hw/timer/i8254.c hw/timer/i8254.h hw/timer/hpet.c hw/timer/hpet.h \
	hw/rtc/mc146818.c hw/rtc/mc146818.h \
	hw/loader/multiboot.c \
	hw/pc/pc.c hw/pc/pc.h
