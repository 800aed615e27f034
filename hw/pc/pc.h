/*
 * hw/pc/pc.h: the PC board (one readable function wires it) and its
 * loaders and simple devices.
 */
#ifndef SATORI_PC_H
#define SATORI_PC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "hw/hw.h"

struct hv_config;

/* isa-debug-exit at iobase; -1 if the range overlaps another device. */
int debug_exit_new(struct bus *bus, uint16_t iobase, uint16_t iosize);

enum serial_kind { SERIAL_NONE, SERIAL_STDIO, SERIAL_FILE };

/* Most vCPUs a machine can have (-smp N, maxcpus). */
#define PC_MAX_CPUS 64

/* -smp: topology as QEMU computes it (cpus = sockets * cores * threads at most). */
struct smp_config {
    int cpus, sockets, cores, threads, maxcpus;
};

/* -machine pc,... properties (QEMU's pc machine names). */
struct machine_props {
    bool pit, hpet, acpi, i8042;  /* default on */
    uint64_t max_ram_below_4g;    /* 0: QEMU's default split at 3 GiB */
};

struct pc_config {
    uint64_t ram_size;
    struct smp_config smp;
    struct machine_props machine;
    struct cpu_config cpu;
    struct hv_config *hv;
    const char *kernel;           /* NULL: built-in demo */
    const char *initrd, *append;
    enum serial_kind serial;
    const char *serial_path;
    bool serial_mux;              /* Ctrl-A escapes on stdio (-nographic, mon:stdio) */
    bool serial_signals;          /* Ctrl-C stays a signal (stdio without mux) */
    bool debug_exit;
    uint16_t debug_exit_base, debug_exit_size;
    bool pc_testdev, pci_testdev; /* -device pc-testdev / pci-testdev */
    bool hyperv_testdev;          /* -device hyperv-testdev (needs hv-* flags) */
    bool no_reboot;
    bool no_shutdown;             /* guest shutdown pauses instead of exiting (-no-shutdown) */
    enum machine_action panic_action;
    bool no_pit;                  /* leave the 8254 PIT out (-machine pit=off) */
    int64_t rtc_base;             /* RTC date at power-on (Unix s); 0: vclock_wall_base() */
    const uint8_t *demo_image;    /* used when kernel is NULL */
    size_t demo_len;
};

/* What pc_run() returns when the machine cannot be built or reset (the
 * reason is reported already); distinct from every guest exit status. */
#define PC_RUN_ERROR (-1)

/* Build the machine and run it until it exits; returns the exit status
 * (isa-debug-exit's, 0 after poweroff or a signal) or PC_RUN_ERROR. */
int pc_run(const struct pc_config *cfg);

#endif
