noinst_LTLIBRARIES += libhw.la
libhw_la_SOURCES = hw/hw.h hw/bus.c \
	hw/char/uart16550.c hw/char/uart16550.h \
	hw/misc/debug-exit.c \
	hw/loader/multiboot.c \
	hw/pc/pc.c hw/pc/pc.h \
	hw/pci/pci.c hw/pci/pci.h hw/pci/i440fx.c hw/pci/piix3.c hw/pci/piix4-pm.c \
	hw/pci/pci-bios.c hw/pci/pci-testdev.c
