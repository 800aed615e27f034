noinst_LTLIBRARIES += libhw.la
libhw_la_SOURCES = hw/hw.h hw/bus.c hw/globals.c \
	hw/char/uart16550.c hw/char/uart16550.h \
	hw/misc/debug-exit.c hw/misc/port92.c hw/misc/port92.h \
	hw/input/i8042.c hw/input/i8042.h \
	hw/intc/intc.h hw/intc/lapic.c hw/intc/ioapic.c hw/intc/i8259.c \
	hw/timer/i8254.c hw/timer/i8254.h hw/timer/hpet.c hw/timer/hpet.h \
	hw/rtc/mc146818.c hw/rtc/mc146818.h \
	hw/loader/loader.h hw/loader/image.c hw/loader/e820.c hw/loader/e820.h \
	hw/loader/multiboot.c hw/loader/linux.c hw/loader/pvh.c \
	hw/pc/pc.c hw/pc/pc.h \
	hw/pci/pci.c hw/pci/pci.h hw/pci/i440fx.c hw/pci/piix3.c hw/pci/piix4-pm.c \
	hw/pci/pci-bios.c hw/pci/pci-testdev.c \
	hw/nvram/fw_cfg.c hw/nvram/fw_cfg.h \
	hw/acpi/aml.c hw/acpi/aml.h hw/acpi/acpi.h hw/acpi/acpi-build.c hw/acpi/acpi-dsdt.c \
	hw/acpi/acpi-loader.c \
	hw/misc/pc-testdev.c hw/pc/pc-pci.c hw/pc/pc-pci.h \
	hw/misc/hyperv-testdev.c hw/misc/hyperv-testdev.h
