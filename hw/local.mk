noinst_LTLIBRARIES += libhw.la
libhw_la_SOURCES = hw/hw.h hw/bus.c \
	hw/char/uart16550.c hw/char/uart16550.h \
	hw/misc/debug-exit.c \
	hw/loader/multiboot.c \
	hw/pc/pc.c hw/pc/pc.h \
	hw/pci/pci.c hw/pci/pci.h hw/pci/i440fx.c hw/pci/piix3.c hw/pci/piix4-pm.c \
	hw/pci/pci-bios.c hw/pci/pci-testdev.c \
	hw/nvram/fw_cfg.c hw/nvram/fw_cfg.h \
	hw/acpi/aml.c hw/acpi/aml.h hw/acpi/acpi.h hw/acpi/acpi-build.c hw/acpi/acpi-dsdt.c \
	hw/acpi/acpi-loader.c \
	hw/misc/pc-testdev.c hw/pc/pc-pci.c hw/pc/pc-pci.h
