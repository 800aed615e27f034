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

struct multiboot_args {
    const char *kernel;
    const char *initrd;   /* comma-separated "file args" list, or NULL */
    const char *append;
    uint64_t ram_below_4g, ram_above_4g;
};

/* Load a multiboot kernel; 0, or -1 with the reason in err. */
int multiboot_load(struct bus *bus, const struct multiboot_args *a, uint32_t *entry,
                   uint32_t *mbi_addr, char *err, size_t errlen);

/* isa-debug-exit at iobase; -1 if the range overlaps another device. */
int debug_exit_new(struct bus *bus, uint16_t iobase, uint16_t iosize);

enum serial_kind { SERIAL_NONE, SERIAL_STDIO, SERIAL_FILE };

struct pc_config {
    uint64_t ram_size;
    int smp;
    struct cpu_config cpu;
    struct hv_config *hv;
    const char *kernel;           /* NULL: built-in demo */
    const char *initrd, *append;
    enum serial_kind serial;
    const char *serial_path;
    bool debug_exit;
    uint16_t debug_exit_base, debug_exit_size;
    bool pc_testdev, pci_testdev; /* -device pc-testdev / pci-testdev */
    bool no_reboot;
    bool no_shutdown;             /* guest shutdown pauses instead of exiting (-no-shutdown) */
    enum machine_action panic_action;
    const uint8_t *demo_image;    /* used when kernel is NULL */
    size_t demo_len;
};

/* Build the machine and run it until it exits; returns the exit status. */
int pc_run(const struct pc_config *cfg);

#endif
