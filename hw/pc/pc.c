/*
 * hw/pc/pc.c: the PC board.  pc_build() wires the whole machine in one
 * function (one block per device); pc_run() is the main loop (DESIGN.md,
 * Determinism):
 *   - one host thread runs the vCPUs round-robin, in index order, each for
 *     a slice of at most SLICE_INSNS instructions; with -icount a slice
 *     also ends at the next timer deadline, so slice order and lengths are
 *     a pure function of guest execution;
 *   - timers run between slices (with the realtime clock a host timer
 *     kicks the running vCPU at the next deadline), host input (stdin) is
 *     read once per round;
 *   - a vCPU waiting for SIPI is not run; a halted vCPU costs nothing: it
 *     is only probed with a zero budget (which delivers a pending
 *     interrupt and wakes it) and skipped while it stays halted;
 *   - when no vCPU can run, the host sleeps in ppoll() on stdin until the
 *     next virtual deadline (with -icount the clock warps to it instead).
 */
#include "hw/pc/pc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hw/char/uart16550.h"
#include "hw/input/i8042.h"
#include "hw/intc/intc.h"
#include "hw/loader/loader.h"
#include "hw/misc/port92.h"
#include "hw/pc/pc-pci.h"
#include "hw/rtc/mc146818.h"
#include "hw/timer/hpet.h"
#include "hw/timer/i8254.h"
#include "hyperv/hyperv.h"
#include "hw/misc/hyperv-testdev.h"
#include "timers/timers.h"
#include "ui/ui.h"
#include "util/log.h"

#define SLICE_INSNS 200000
#define LOWMEM_MAX  0xc0000000ull   /* QEMU pc: RAM above this goes above 4 GiB */

static struct machine {
    const struct pc_config *cfg;
    struct bus *bus;
    int ncpus;
    struct cpu *cpu[PC_MAX_CPUS];       /* cpu[0] is the BSP */
    struct uart16550 *uart;
    struct hv_partition *hv;
    struct hv_vcpu *hv_vcpu[PC_MAX_CPUS];
    struct hyperv_testdev *hv_testdev;   /* -device hyperv-testdev */
    /* interrupt controllers (intc): one local APIC per vCPU, IOAPIC, 8259 pair */
    struct apic_bus *apic_bus;
    struct lapic *lapic[PC_MAX_CPUS];
    struct ioapic *ioapic;
    struct i8259 *pic;
    uint8_t *ram;
    uint64_t below_4g, above_4g;
    struct e820_map e820;               /* the one memory map (loaders, fw_cfg) */
    FILE *serial_out;
    bool serial_dirty;          /* serial output not yet flushed (no newline) */
    int serial_in;              /* fd or -1 */
    bool exit_requested, reset_requested, paused;
    int exit_status;
    const char *demo_path;
    /* ---- timer and legacy devices (devs) ---- */
    struct pit *pit;
    struct hpet *hpet;
    struct rtc *rtc;
    struct i8042 *i8042;
    struct port92 *port92;
    struct pc_pci pci;          /* PCI, fw_cfg, ACPI, test devices (hw/pc/pc-pci.c) */
    uint32_t apic_ids[256];
    struct irq_line gsi[24];    /* GSI 0-23: ISA IRQs 0-15 (both controllers), IOAPIC 16-23 */
    /* ---- FERR# -> IRQ 13 (cpu8) ---- */
    bool ferr, ignne;           /* the BSP's FERR#; IGNNE# latched by a write to port 0xF0 */
} m;

/* SIGINT/SIGTERM/SIGHUP: end the run cleanly from the main loop, as QEMU. */
static volatile sig_atomic_t term_signal;
static volatile sig_atomic_t term_pid;

/* Stop whichever vCPU runs at its next block boundary (also from signals). */
static void kick_all(void)
{
    for (int i = 0; i < m.ncpus; i++)
        if (m.cpu[i])
            cpu_kick(m.cpu[i]);
}

static void on_term_signal(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    term_signal = sig;
    term_pid = info ? (sig_atomic_t)info->si_pid : 0;
    kick_all();
}

static void catch_term_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_term_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void machine_request_exit(int status)
{
    if (!m.exit_requested) {
        m.exit_requested = true;
        m.exit_status = status;
    }
    kick_all();
}

void machine_request_reset(void)
{
    m.reset_requested = true;
    kick_all();
}

/*
 * The guest shut the machine down (a panic handled as shutdown, or a
 * reset under -no-reboot): exit with status 0, or with -no-shutdown stop
 * the emulation and stay, as QEMU does.
 */
static void machine_shutdown(void)
{
    if (m.cfg->no_shutdown) {
        if (log_on(LOG_GUEST_ERRORS))
            log_printf("guest shut down; emulation stopped (-no-shutdown)\n");
        m.paused = true;
        kick_all();
        return;
    }
    machine_request_exit(0);
}

void machine_report_panic(const uint64_t p[5])
{
    if (p)
        fprintf(stderr, "satori: guest panicked: HV crash parameters: "
                "(0x%llx 0x%llx 0x%llx 0x%llx 0x%llx)\n",
                (unsigned long long)p[0], (unsigned long long)p[1], (unsigned long long)p[2],
                (unsigned long long)p[3], (unsigned long long)p[4]);
    else
        fprintf(stderr, "satori: guest panicked\n");
    if (log_on(LOG_GUEST_ERRORS | LOG_HYPERV))
        log_printf("guest panicked; -action panic=%s\n",
                   m.cfg->panic_action == ACTION_SHUTDOWN ? "shutdown" :
                   m.cfg->panic_action == ACTION_PAUSE ? "pause" : "none");
    switch (m.cfg->panic_action) {
    case ACTION_SHUTDOWN:
        machine_shutdown();
        break;
    case ACTION_PAUSE:
        m.paused = true;
        kick_all();
        break;
    case ACTION_NONE:
        break;
    }
}

bool machine_request_pending(void)
{
    return m.exit_requested || m.reset_requested || m.paused;
}

static void serial_tx(void *opaque, uint8_t c)
{
    if (m.serial_out) {
        fputc(c, m.serial_out);
        if (c == '\n')
            fflush(m.serial_out);
        else
            m.serial_dirty = true;  /* a prompt without a newline: flushed after the slice */
    }
}

/* ---- ISA IRQ routing (intc) ---------------------------------------------
 * As QEMU's pc: ISA IRQ n drives 8259 input n and IOAPIC pin n, except
 * IRQ 0, which reaches IOAPIC pin 2 (the ACPI interrupt source override);
 * IRQ 2 is the 8259 cascade.
 */
static void isa_irq_set(void *opaque, int n, int level)
{
    struct irq_line pic = i8259_pin(m.pic, n), ioapic = ioapic_pin(m.ioapic, n == 0 ? 2 : n);

    if (n != 2)
        irq_set(&pic, level);
    irq_set(&ioapic, level);
}

static struct irq_line isa_irq(int n)
{
    return (struct irq_line){ .set = isa_irq_set, .opaque = NULL, .n = n };
}

/* ---- FERR# -> IRQ 13 (cpu8) ---------------------------------------------
 * With CR0.NE = 0 an unmasked x87 exception asserts the BSP's FERR#
 * (cpu_set_ferr_hook), which the PC chipset turns into ISA IRQ 13, as on
 * QEMU's pc.  A write to port 0xF0 (any value) drops the request and
 * asserts IGNNE# until FERR# goes low (FNCLEX, FNINIT, FLDENV, ...).
 * Reading port 0xF0 gives all ones.
 */
static void pc_ferr(void *opaque, bool level)
{
    struct irq_line irq13 = isa_irq(13);

    m.ferr = level;
    if (!level)
        m.ignne = false;
    irq_set(&irq13, level && !m.ignne);
}

static uint64_t ferr_port_read(void *opaque, uint64_t off, unsigned size)
{
    return 0xff;
}

static void ferr_port_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct irq_line irq13 = isa_irq(13);

    m.ignne = m.ferr;
    irq_set(&irq13, 0);
}

static const struct dev_ops ferr_port_ops = {
    .read = ferr_port_read, .write = ferr_port_write, .min_size = 1, .max_size = 1,
};

/* Create the interrupt controllers of the machine (pc_build's intc block). */
static int pc_build_intc(char *err, size_t errlen)
{
    m.apic_bus = apic_bus_new();
    for (int i = 0; i < m.ncpus; i++)
        m.lapic[i] = lapic_new(m.apic_bus, m.cpu[i], (uint32_t)i, i == 0);
    m.ioapic = ioapic_new(m.bus, IOAPIC_DEFAULT_BASE, 0, m.apic_bus);
    m.pic = i8259_new(m.bus, lapic_lint(m.lapic[0], 0));
    if (!m.ioapic || !m.pic) {
        snprintf(err, errlen, "interrupt controllers: address range already in use");
        return -1;
    }
    lapic_set_extint_ack(m.lapic[0], i8259_ack, m.pic);
    return 0;
}

/*
 * satori boots -kernel images without a BIOS, so it leaves the interrupt
 * controllers as QEMU's firmware (SeaBIOS) hands them to a multiboot
 * kernel: local APIC software-enabled (SVR 0x1ff) in virtual-wire mode
 * (LINT0 ExtINT, LINT1 NMI, both level), the 8259 pair initialized at
 * vectors 0x08/0x70 with IMRs 0xb8/0x8e, ELCR 0x00/0x0c.
 */
static void pc_intc_firmware_state(void)
{
    static const uint8_t pic_init[][2] = {
        { 0x20, 0x11 }, { 0x21, 0x08 }, { 0x21, 0x04 }, { 0x21, 0x01 },
        { 0xa0, 0x11 }, { 0xa1, 0x70 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
        { 0x21, 0xb8 }, { 0xa1, 0x8e },
    };

    lapic_write_reg(m.lapic[0], 0xf0, 0x1ff);
    lapic_write_reg(m.lapic[0], 0x350, 0x8700);
    lapic_write_reg(m.lapic[0], 0x360, 0x8400);
    for (size_t i = 0; i < sizeof pic_init / sizeof pic_init[0]; i++)
        bus_io_write(m.bus, pic_init[i][0], pic_init[i][1], 1);
    bus_io_write(m.bus, 0x4d1, 0x0c, 1);
}

static void pc_reset_intc(void)
{
    for (int i = 0; i < m.ncpus; i++)
        lapic_reset(m.lapic[i]);
    ioapic_reset(m.ioapic);
    i8259_reset(m.pic);
}

static void pc_free_intc(void)
{
    i8259_free(m.pic);
    ioapic_free(m.ioapic);
    for (int i = 0; i < m.ncpus; i++)
        lapic_free(m.lapic[i]);
    apic_bus_free(m.apic_bus);
}

/* icount: instructions retired by all vCPUs together. */
static uint64_t icount_source(void *opaque)
{
    uint64_t n = 0;

    for (int i = 0; i < m.ncpus; i++)
        n += cpu_icount(m.cpu[i]);
    return n;
}

static void code_write(void *opaque, uint64_t paddr, size_t len)
{
    if (m.cpu[0])
        cpu_invalidate_phys(m.cpu[0], paddr, len);  /* reaches the whole group */
}

static void quit_from_console(void)
{
    machine_request_exit(0);
}

/*
 * Load the kernel (or the built-in demo) with the loader its format needs
 * and set the vCPUs' power-on state: the BSP at the kernel's entry, the
 * APs in wait-for-SIPI.
 */
static void pc_legacy_firmware_state(void);

static int pc_load(char *err, size_t errlen)
{
    const struct pc_config *c = m.cfg;
    struct loader_args a = {
        .kernel = c->kernel, .initrd = c->initrd, .append = c->append,
        .e820 = &m.e820, .ram_below_4g = m.below_4g,
    };
    struct boot_entry entry;
    char demo_path[] = "/tmp/satori-demo-XXXXXX";
    char why[384];
    uint8_t *img;
    size_t len;
    int r = -1;

    if (!c->kernel) {
        int fd = mkstemp(demo_path);
        if (fd < 0 || write(fd, c->demo_image, c->demo_len) != (ssize_t)c->demo_len) {
            snprintf(err, errlen, "cannot stage the built-in demo guest: %s", strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        close(fd);
        a.kernel = demo_path;
    }
    if (loader_read_file(a.kernel, &img, &len, why, sizeof why) == 0) {
        switch (loader_probe(img, len, why, sizeof why)) {
        case IMAGE_BZIMAGE: r = linux_load(m.bus, &a, &entry, why, sizeof why); break;
        case IMAGE_MULTIBOOT: r = multiboot_load(m.bus, &a, &entry, why, sizeof why); break;
        case IMAGE_PVH: r = pvh_load(m.bus, &a, &entry, why, sizeof why); break;
        case IMAGE_UNKNOWN: break;
        }
        free(img);
    }
    if (!c->kernel)
        unlink(demo_path);
    if (r < 0) {
        snprintf(err, errlen, "could not load kernel '%s': %s", c->kernel ? c->kernel : "(demo)",
                 why);
        return -1;
    }
    for (int i = 0; i < m.ncpus; i++) {
        cpu_reset(m.cpu[i]);
        cpu_sync_tsc(m.cpu[i], m.cpu[0]);   /* every TSC starts from 0 together */
        if (i > 0)
            cpu_init_signal(m.cpu[i]);  /* APs wait for a STARTUP IPI */
    }
    cpu_enter_multiboot(m.cpu[0], entry.eip, entry.eax, entry.ebx);
    cpu_set_reg(m.cpu[0], CPU_RSI, entry.esi);
    pc_intc_firmware_state();
    pc_legacy_firmware_state();
    return 0;
}

/* ---- timer and legacy devices: PIT + port 0x61, HPET, RTC/CMOS, i8042,
 * port 0x92.  ISA IRQs through isa_irq() (the intc block's router); the
 * HPET's routes are GSIs: 0-15 are the ISA IRQs, 16-23 IOAPIC pins only.
 */
static struct irq_line pc_gsi(int n)
{
    return n < 16 ? isa_irq(n) : ioapic_pin(m.ioapic, n);
}

/* The CMOS bytes QEMU's pc sets for firmware and Linux (sizes in KiB or 64 KiB). */
static void pc_cmos_init(void)
{
    uint64_t ext_kb = m.below_4g / 1024 - 1024;
    uint64_t above_16m = m.below_4g > (16u << 20) ? (m.below_4g - (16u << 20)) >> 16 : 0;
    uint64_t above_4g = m.above_4g >> 16;

    if (ext_kb > 0xffff)
        ext_kb = 0xffff;
    if (above_16m > 0xffff)
        above_16m = 0xffff;
    rtc_cmos_set(m.rtc, 0x14, 0x06);            /* equipment: FPU, PS/2 mouse, VGA, no floppy */
    rtc_cmos_set(m.rtc, 0x15, 640 & 0xff);      /* base memory: 640 KiB */
    rtc_cmos_set(m.rtc, 0x16, 640 >> 8);
    rtc_cmos_set(m.rtc, 0x17, (uint8_t)ext_kb); /* extended memory above 1 MiB */
    rtc_cmos_set(m.rtc, 0x18, (uint8_t)(ext_kb >> 8));
    rtc_cmos_set(m.rtc, 0x30, (uint8_t)ext_kb);
    rtc_cmos_set(m.rtc, 0x31, (uint8_t)(ext_kb >> 8));
    rtc_cmos_set(m.rtc, 0x34, (uint8_t)above_16m);
    rtc_cmos_set(m.rtc, 0x35, (uint8_t)(above_16m >> 8));
    rtc_cmos_set(m.rtc, 0x5b, (uint8_t)above_4g);
    rtc_cmos_set(m.rtc, 0x5c, (uint8_t)(above_4g >> 8));
    rtc_cmos_set(m.rtc, 0x5d, (uint8_t)(above_4g >> 16));
    rtc_cmos_set(m.rtc, 0x5f, (uint8_t)(m.ncpus - 1));
    rtc_cmos_set(m.rtc, 0x3d, 0x12);            /* boot order c, a, d (QEMU's default) */
    rtc_cmos_set(m.rtc, 0x38, 0x30);
}

/* A device armed the earliest deadline: end the running slice (see timers.h). */
static void pc_deadline_moved(void *opaque)
{
    for (int i = 0; i < m.ncpus; i++)
        cpu_kick(m.cpu[i]);
}

static int pc_legacy_devices(const struct pc_config *c, char *err, size_t errlen)
{
    timers_set_deadline_notify(pc_deadline_moved, NULL);
    if (!c->no_pit && !(m.pit = pit_new(m.bus, isa_irq(0)))) {
        snprintf(err, errlen, "i8254: I/O ports 0x40-0x43 or 0x61 already in use");
        return -1;
    }
    struct irq_line gsi[HPET_NUM_GSI];
    for (int i = 0; i < HPET_NUM_GSI; i++)
        gsi[i] = pc_gsi(i);
    struct irq_line pit_enable = { .set = m.pit ? pit_irq_enable : NULL, .opaque = m.pit };
    if (!(m.hpet = hpet_new(m.bus, gsi, pit_enable))) {
        snprintf(err, errlen, "hpet: MMIO range 0x%llx already in use",
                 (unsigned long long)HPET_BASE);
        return -1;
    }
    if (!(m.rtc = rtc_new(m.bus, hpet_rtc_irq_input(m.hpet),
                          c->rtc_base ? c->rtc_base : vclock_wall_base()))) {
        snprintf(err, errlen, "mc146818: I/O ports 0x70-0x71 already in use");
        return -1;
    }
    pc_cmos_init();
    if (!(m.i8042 = i8042_new(m.bus, isa_irq(1), isa_irq(12)))) {
        snprintf(err, errlen, "i8042: I/O ports 0x60 or 0x64 already in use");
        return -1;
    }
    if (!(m.port92 = port92_new(m.bus))) {
        snprintf(err, errlen, "port92: I/O port 0x92 already in use");
        return -1;
    }
    return 0;
}

static void pc_legacy_devices_reset(void)
{
    if (m.pit)
        pit_reset(m.pit);
    hpet_reset(m.hpet);
    rtc_reset(m.rtc);
    i8042_reset(m.i8042);
    port92_reset(m.port92);
}

/*
 * What SeaBIOS sets up in these devices before it boots a kernel, at
 * power-on and again after every reset: PIT counter 0 in mode 2 with
 * count 0 (LSB then MSB), the RTC divider and rate 0x26 and register B
 * in 24-hour mode with only the daylight-saving bit kept.
 */
static void pc_legacy_firmware_state(void)
{
    if (m.pit) {
        bus_io_write(m.bus, 0x43, 0x34, 1);
        bus_io_write(m.bus, 0x40, 0x00, 1);
        bus_io_write(m.bus, 0x40, 0x00, 1);
    }
    bus_io_write(m.bus, 0x70, 0x0a, 1);
    bus_io_write(m.bus, 0x71, 0x26, 1);
    bus_io_write(m.bus, 0x70, 0x0b, 1);
    uint8_t reg_b = (uint8_t)bus_io_read(m.bus, 0x71, 1);
    bus_io_write(m.bus, 0x70, 0x0b, 1);
    bus_io_write(m.bus, 0x71, (reg_b & 0x01) | 0x02, 1);
}

static void pc_legacy_devices_free(void)
{
    timers_set_deadline_notify(NULL, NULL);
    pit_free(m.pit);
    m.pit = NULL;
    hpet_free(m.hpet);
    m.hpet = NULL;
    rtc_free(m.rtc);
    m.rtc = NULL;
    i8042_free(m.i8042);
    m.i8042 = NULL;
    port92_free(m.port92);
    m.port92 = NULL;
}
/* ---- end of timer and legacy devices ------------------------------------ */

/* ACPI S5 (PM1a_CNT SLP_EN with SLP_TYP 0) is a guest shutdown. */
static void acpi_poweroff(void *opaque)
{
    machine_shutdown();
}

/* ---- Hyper-V's view of each vCPU's local APIC (hyperv/hyperv.h) ---- */
static void pc_hv_eoi(void *apic) { lapic_hv_eoi(apic); }
static void pc_hv_icr_write(void *apic, uint64_t icr) { lapic_hv_icr_write(apic, icr); }
static uint64_t pc_hv_icr_read(void *apic) { return lapic_hv_icr_read(apic); }
static uint32_t pc_hv_tpr_get(void *apic) { return lapic_hv_get_tpr(apic); }
static void pc_hv_tpr_set(void *apic, uint32_t tpr) { lapic_hv_set_tpr(apic, tpr); }
/* PV EOI */
static int pc_hv_pv_eoi_vector(void *apic) { return lapic_hv_pv_eoi_vector(apic); }
static void pc_hv_set_notify(void *apic, void (*fn)(void *), void *opaque)
{
    lapic_hv_set_notify(apic, fn, opaque);
}

static bool pc_hv_inject(void *apic, uint8_t vector) { return lapic_hv_inject(apic, vector); }
static void pc_hv_synic_vectors(void *apic, const uint32_t auto_eoi[8], const uint32_t watch[8],
                                void (*eoi)(void *, uint8_t), void *opaque)
{
    lapic_hv_set_synic(apic, auto_eoi, watch, eoi, opaque);
}

static const struct hv_apic_ops pc_hv_apic_ops = {
    pc_hv_eoi, pc_hv_icr_write, pc_hv_icr_read, pc_hv_tpr_get, pc_hv_tpr_set,
    .inject = pc_hv_inject, .synic_vectors = pc_hv_synic_vectors,   /* SynIC */
    .pv_eoi_vector = pc_hv_pv_eoi_vector, .set_notify = pc_hv_set_notify,   /* PV EOI */
};

static int pc_build(const struct pc_config *c, char *err, size_t errlen)
{
    memset(&m, 0, sizeof m);
    m.cfg = c;
    m.serial_in = -1;
    /* as QEMU's gigabyte-aligned pc types: at most 3 GiB below 4 GiB */
    uint64_t lowmem = c->machine.max_ram_below_4g && c->machine.max_ram_below_4g < LOWMEM_MAX
                      ? c->machine.max_ram_below_4g : LOWMEM_MAX;
    m.below_4g = c->ram_size > lowmem ? lowmem : c->ram_size;
    m.above_4g = c->ram_size - m.below_4g;
    e820_init_pc(&m.e820, m.below_4g, m.above_4g);

    m.bus = bus_new();
    m.ram = mmap(NULL, c->ram_size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m.ram == MAP_FAILED) {
        snprintf(err, errlen, "cannot allocate %llu MiB of guest RAM",
                 (unsigned long long)(c->ram_size >> 20));
        return -1;
    }
    /* Low RAM with the legacy hole 0xA0000-0xFFFFF left unmapped. */
    bus_map_ram(m.bus, 0, 0xa0000, m.ram, false, "ram-low");
    bus_map_ram(m.bus, 0x100000, m.below_4g - 0x100000, m.ram + 0x100000, false, "ram-below-4g");
    if (m.above_4g)
        bus_map_ram(m.bus, 0x100000000ull, m.above_4g, m.ram + m.below_4g, false, "ram-above-4g");
    bus_set_code_write_hook(m.bus, code_write, NULL);

    /*
     * vCPUs: index = APIC ID order, as QEMU numbers them for -smp; CPUID
     * shows the -smp cores/threads per package (APIC IDs stay the index,
     * which is QEMU's layout when cores and threads are powers of two).
     */
    struct cpu_config cpu_cfg = c->cpu;
    cpu_cfg.cores = c->smp.cores;
    cpu_cfg.threads = c->smp.threads;
    m.ncpus = c->smp.cpus > 0 ? c->smp.cpus : 1;
    for (int i = 0; i < m.ncpus; i++)
        m.cpu[i] = cpu_new(m.bus, &cpu_cfg, i);
    cpu_set_group(m.cpu, m.ncpus);  /* code written by one vCPU is stale for all */
    vclock_set_icount_source(icount_source, NULL);

    if (c->hv) {
        m.hv = hv_partition_new(c->hv, m.bus, m.ncpus);
        for (int i = 0; i < m.ncpus; i++) {
            struct cpu_hv_hooks hooks;
            m.hv_vcpu[i] = hv_vcpu_new(m.hv, m.cpu[i], i);
            hv_vcpu_hooks(m.hv_vcpu[i], &hooks);
            cpu_set_hv_hooks(m.cpu[i], &hooks);
        }
    }
    if (pc_build_intc(err, errlen) < 0)
        return -1;
    if (m.hv)                       /* hv-vapic: HV_X64_MSR_EOI/ICR/TPR reach the APIC */
        for (int i = 0; i < m.ncpus; i++)
            hv_vcpu_set_apic(m.hv_vcpu[i], &pc_hv_apic_ops, m.lapic[i]);
    /* ---- -device hyperv-testdev (hw/misc/hyperv-testdev.c) ---- */
    if (c->hyperv_testdev) {
        if (!m.hv || !hv_config_enabled(c->hv)) {
            snprintf(err, errlen, "-device hyperv-testdev: needs Hyper-V enlightenments "
                     "(-cpu ...,hv-vpindex,hv-synic)");
            return -1;
        }
        if (!(m.hv_testdev = hyperv_testdev_new(m.bus, m.hv))) {
            snprintf(err, errlen, "-device hyperv-testdev: I/O port 0x%x already in use",
                     HYPERV_TESTDEV_PORT);
            return -1;
        }
    }

    switch (c->serial) {
    case SERIAL_STDIO:
        m.serial_out = stdout;
        m.serial_in = STDIN_FILENO;
        console_open_stdio(&(struct console_cfg){ .mux = c->serial_mux,
                                                  .signals = c->serial_signals,
                                                  .quit = quit_from_console });
        break;
    case SERIAL_FILE:
        m.serial_out = fopen(c->serial_path, "w");
        if (!m.serial_out) {
            snprintf(err, errlen, "-serial file:%s: %s", c->serial_path, strerror(errno));
            return -1;
        }
        break;
    case SERIAL_NONE:
        break;
    }
    if (c->serial != SERIAL_NONE)
        m.uart = uart16550_new(m.bus, 0x3f8,
                               isa_irq(4),
                               serial_tx, NULL);
    if (c->debug_exit && debug_exit_new(m.bus, c->debug_exit_base, c->debug_exit_size) < 0) {
        snprintf(err, errlen, "-device isa-debug-exit,iobase=0x%x: I/O range already in use",
                 c->debug_exit_base);
        return -1;
    }
    if (pc_legacy_devices(c, err, errlen) < 0)
        return -1;
    /* ---- FERR# -> IRQ 13 (cpu8) ---- */
    m.ferr = m.ignne = false;
    if (bus_map_io(m.bus, 0xf0, 1, &ferr_port_ops, NULL, "ferr-ignne") < 0) {
        snprintf(err, errlen, "FERR#/IGNNE#: I/O port 0xf0 already in use");
        return -1;
    }
    cpu_set_ferr_hook(m.cpu[0], pc_ferr, NULL);
    for (int i = 0; i < 24; i++)
        m.gsi[i] = pc_gsi(i);

    /* ---- PCI, fw_cfg, ACPI tables, pc-testdev: keep this block last, it
     * describes the devices created above (hw/pc/pc-pci.c) ---- */
    {
        struct pc_pci_config pc = {
            .bus = m.bus, .ram = m.ram, .gsi = m.gsi,
            .ram_size = c->ram_size, .below_4g = m.below_4g, .above_4g = m.above_4g,
            .ncpus = m.ncpus, .apic_ids = m.apic_ids,
            .pci_testdev = c->pci_testdev, .pc_testdev = c->pc_testdev,
            .cmdline = c->append, .poweroff = acpi_poweroff,
        };
        for (int i = 0; i < pc.ncpus && i < 256; i++)
            m.apic_ids[i] = (uint32_t)i;
        if (pc_pci_init(&m.pci, &pc, err, errlen) < 0)
            return -1;
    }
    return pc_load(err, errlen);
}

/*
 * Deliver pending host input to the UART (slice boundaries only), waiting
 * at most timeout_ns (0: just look; < 0: until input or a signal).
 */
static void poll_input(int64_t timeout_ns)
{
    struct pollfd p = { .fd = m.serial_in, .events = POLLIN };
    struct timespec ts = { (time_t)(timeout_ns / 1000000000), (long)(timeout_ns % 1000000000) };
    bool have_input = m.serial_in >= 0 && m.uart;

    if (timeout_ns == 0 && !have_input)
        return;
    if (ppoll(have_input ? &p : NULL, have_input ? 1 : 0, timeout_ns < 0 ? NULL : &ts, NULL) <= 0
        || !(p.revents & (POLLIN | POLLHUP)))
        return;
    while (uart16550_can_receive(m.uart)) {
        uint8_t c;
        if (poll(&p, 1, 0) <= 0)
            break;
        if (read(m.serial_in, &c, 1) != 1) {
            m.serial_in = -1; /* EOF: no more input */
            break;
        }
        int g = console_input(c);
        if (g >= 0)
            uart16550_receive(m.uart, (uint8_t)g);
    }
}

static void pc_free(void)
{
    if (m.hv && log_on(LOG_HYPERV))      /* 'info hyperv' until a monitor exists */
        hv_dump(m.hv, log_file());
    pc_free_intc();
    for (int i = 0; i < m.ncpus; i++) {
        cpu_free(m.cpu[i]);
        m.cpu[i] = NULL;
    }
    if (m.uart)
        uart16550_free(m.uart);
    hyperv_testdev_free(m.hv_testdev);   /* before the partition it routes into */
    m.hv_testdev = NULL;
    hv_partition_free(m.hv);   /* frees its vCPUs too */
    pc_legacy_devices_free();
    pc_pci_free(&m.pci);
    bus_free(m.bus);
    if (m.ram && m.ram != MAP_FAILED)
        munmap(m.ram, m.cfg->ram_size);
    console_restore();
}

/* ---- realtime slice cut (plat) ------------------------------------------
 * With the realtime clock a slice is SLICE_INSNS long whatever that costs
 * in host time; a one-shot host timer (POSIX timer, SIGALRM) armed at the
 * next virtual deadline kicks the running vCPU, so the deadline is
 * honoured at the next block boundary instead of at the end of the slice.
 * The interval is relative: the virtual clock follows the host's while
 * the machine runs, and the board reads no clock itself.
 */
static timer_t slice_timer;
static bool slice_timer_ok;
static int64_t slice_timer_armed = INT64_MAX;  /* virtual deadline it is armed for */

static void on_slice_timer(int sig)
{
    (void)sig;
    kick_all();
}

static void slice_timer_init(void)
{
    struct sigaction sa;
    struct sigevent sev;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_slice_timer;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGALRM;
    slice_timer_ok = vclock_mode() == VCLOCK_REALTIME && sigaction(SIGALRM, &sa, NULL) == 0
                     && timer_create(CLOCK_MONOTONIC, &sev, &slice_timer) == 0;
}

static void slice_timer_arm(void)
{
    int64_t next = timers_next_deadline();

    if (!slice_timer_ok || next == slice_timer_armed)
        return;
    struct itimerspec its = { { 0, 0 }, { 0, 0 } };   /* zero: disarm */
    if (next != INT64_MAX) {
        int64_t left = next - vclock_ns();
        if (left < 1000)
            left = 1000;
        its.it_value.tv_sec = (time_t)(left / 1000000000);
        its.it_value.tv_nsec = (long)(left % 1000000000);
    }
    timer_settime(slice_timer, 0, &its, NULL);
    slice_timer_armed = next;
}
/* ---- end of realtime slice cut ---- */

/* Instructions the next slice may run: the slice, cut at the next deadline under -icount. */
static int64_t slice_budget(void)
{
    int64_t next = timers_next_deadline();

    if (vclock_mode() == VCLOCK_ICOUNT && next != INT64_MAX) {
        int64_t left = (next - vclock_ns()) >> vclock_icount_shift();
        return left < 1 ? 1 : left < SLICE_INSNS ? left : SLICE_INSNS;
    }
    return SLICE_INSNS;
}

/*
 * One round: every vCPU that can run gets one slice, in index order, with
 * the expired timers run after each slice.  Returns true if some vCPU ran
 * (false: all are halted or waiting for SIPI); a triple fault requests a
 * reset.  Stops early once a machine request is pending.
 */
static bool run_round(void)
{
    bool ran = false;

    for (int i = 0; i < m.ncpus && !machine_request_pending() && !term_signal; i++) {
        struct cpu *cpu = m.cpu[i];
        enum cpu_exit why;

        if (cpu_waiting_for_sipi(cpu))
            continue;
        if (cpu_halted(cpu)) {
            /* zero budget: takes a pending interrupt (waking it) or stays halted */
            why = cpu_run(cpu, 0);
            if (why == CPU_EXIT_HALTED || cpu_halted(cpu))
                continue;
        }
        slice_timer_arm();
        why = cpu_run(cpu, slice_budget());
        timers_run_expired();
        if (why == CPU_EXIT_TRIPLE_FAULT)
            machine_request_reset();
        ran = true;
    }
    return ran;
}

/* True if any vCPU is halted with interrupts enabled (it waits for something). */
static bool any_waits_with_if(void)
{
    for (int i = 0; i < m.ncpus; i++)
        if (!cpu_waiting_for_sipi(m.cpu[i]) && (cpu_reg(m.cpu[i], CPU_RFLAGS) & (1u << 9)))
            return true;
    return false;
}

/* Nothing can run: sleep (or warp) to the next deadline or host input. */
static bool idle(void)
{
    int64_t deadline = timers_next_deadline();

    if (deadline == INT64_MAX && (m.serial_in < 0 || !m.uart) && !m.paused) {
        /* halted with nothing that could ever wake it */
        if (any_waits_with_if())
            warn_report("guest halted with no interrupt source; exiting");
        return false;
    }
    if (vclock_mode() == VCLOCK_ICOUNT && deadline != INT64_MAX && !m.paused) {
        vclock_warp_to(deadline);
        poll_input(0);
    } else {
        int64_t wait = deadline == INT64_MAX ? -1 : deadline - vclock_ns();
        poll_input(wait < 0 && deadline != INT64_MAX ? 0 : wait);
    }
    timers_run_expired();
    return true;
}

int pc_run(const struct pc_config *c)
{
    char err[512];

    if (pc_build(c, err, sizeof err) < 0) {
        error_report("%s", err);
        pc_free();
        return PC_RUN_ERROR;
    }
    catch_term_signals();
    slice_timer_init();
    for (;;) {
        bool ran = m.paused ? false : run_round();

        if (m.serial_dirty) {
            fflush(m.serial_out);
            m.serial_dirty = false;
        }

        if (!m.paused)
            timers_run_expired();
        if (term_signal) {
            fflush(m.serial_out);
            console_restore();
            error_report("terminating on signal %d from pid %d", (int)term_signal, (int)term_pid);
            m.exit_status = 0;
            break;
        }
        if (m.exit_requested)
            break;
        if (m.reset_requested) {
            m.reset_requested = false;
            if (c->no_reboot) {
                machine_shutdown();
                if (m.exit_requested)
                    break;
                continue;
            }
            /* ---- device resets (one line per device) ---- */
            if (m.uart)
                uart16550_reset(m.uart);
            if (m.hv)
                hv_partition_reset(m.hv);
            pc_reset_intc();
            pc_legacy_devices_reset();
            pc_pci_reset(&m.pci);   /* PCI functions, PIIX4 PM, fw_cfg (plat) */
            if (pc_load(err, sizeof err) < 0) {
                error_report("reset: %s", err);
                pc_free();
                return PC_RUN_ERROR;
            }
            continue;
        }
        if (ran) {
            poll_input(0);
        } else if (!idle()) {
            m.exit_status = 0;
            break;
        }
    }
    if (slice_timer_ok)
        timer_delete(slice_timer);
    slice_timer_ok = false;
    if (m.serial_out && m.serial_out != stdout)
        fclose(m.serial_out);
    fflush(stdout);
    pc_free();
    return m.exit_status;
}
