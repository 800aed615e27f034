/*
 * hw/pc/pc.c: the PC board.  pc_build() wires the whole machine in one
 * function; pc_run() is the main loop (DESIGN.md, Determinism): one thread,
 * the vCPU in instruction-count slices, timers and host input only at slice
 * boundaries, an idle (halted) machine sleeping until the next deadline.
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
#include "hw/pc/pc-pci.h"
#include "hyperv/hyperv.h"
#include "timers/timers.h"
#include "util/log.h"

#define SLICE_INSNS 200000
#define LOWMEM_MAX  0xc0000000ull   /* QEMU pc: RAM above this goes above 4 GiB */

static struct machine {
    const struct pc_config *cfg;
    struct bus *bus;
    struct cpu *cpu;
    struct uart16550 *uart;
    struct hv_partition *hv;
    struct hv_vcpu *hv_vcpu;
    uint8_t *ram;
    uint64_t below_4g, above_4g;
    FILE *serial_out;
    int serial_in;              /* fd or -1 */
    bool exit_requested, reset_requested, paused;
    int exit_status;
    const char *demo_path;
    struct pc_pci pci;          /* PCI, fw_cfg, ACPI, test devices (hw/pc/pc-pci.c) */
    uint32_t apic_ids[256];
} m;

/* SIGINT/SIGTERM/SIGHUP: end the run cleanly from the main loop, as QEMU. */
static volatile sig_atomic_t term_signal;
static volatile sig_atomic_t term_pid;

static void on_term_signal(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    term_signal = sig;
    term_pid = info ? (sig_atomic_t)info->si_pid : 0;
    if (m.cpu)
        cpu_kick(m.cpu);
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
    if (m.cpu)
        cpu_kick(m.cpu);
}

void machine_request_reset(void)
{
    m.reset_requested = true;
    if (m.cpu)
        cpu_kick(m.cpu);
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
        if (m.cpu)
            cpu_kick(m.cpu);
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
        if (m.cpu)
            cpu_kick(m.cpu);
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
    }
}

static void irq_nowhere(void *opaque, int n, int level)
{
    /* No interrupt controller yet: the line is wired to nothing. */
}

static uint64_t icount_source(void *opaque)
{
    return cpu_icount(opaque);
}

static void code_write(void *opaque, uint64_t paddr, size_t len)
{
    if (m.cpu)
        cpu_invalidate_phys(m.cpu, paddr, len);
}

/* Load the kernel (or the built-in demo) and set the boot vCPU state. */
static int pc_load(char *err, size_t errlen)
{
    const struct pc_config *c = m.cfg;
    struct multiboot_args a = {
        .kernel = c->kernel, .initrd = c->initrd, .append = c->append,
        .ram_below_4g = m.below_4g, .ram_above_4g = m.above_4g,
    };
    uint32_t entry, mbi;
    char demo_path[] = "/tmp/satori-demo-XXXXXX";

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
    char why[384];
    int r = multiboot_load(m.bus, &a, &entry, &mbi, why, sizeof why);
    if (!c->kernel)
        unlink(demo_path);
    if (r < 0) {
        snprintf(err, errlen, "could not load kernel '%s': %s", c->kernel ? c->kernel : "(demo)",
                 why);
        return -1;
    }
    cpu_reset(m.cpu);
    cpu_enter_multiboot(m.cpu, entry, 0x2BADB002u, mbi);
    return 0;
}

/* ACPI S5 (PM1a_CNT SLP_EN with SLP_TYP 0) is a guest shutdown. */
static void acpi_poweroff(void *opaque)
{
    machine_shutdown();
}

static int pc_build(const struct pc_config *c, char *err, size_t errlen)
{
    memset(&m, 0, sizeof m);
    m.cfg = c;
    m.serial_in = -1;
    m.below_4g = c->ram_size > LOWMEM_MAX ? LOWMEM_MAX : c->ram_size;
    m.above_4g = c->ram_size - m.below_4g;

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

    m.cpu = cpu_new(m.bus, &c->cpu, 0);
    vclock_set_icount_source(icount_source, m.cpu);

    if (c->hv) {
        struct cpu_hv_hooks hooks;
        m.hv = hv_partition_new(c->hv, m.bus, 1);
        m.hv_vcpu = hv_vcpu_new(m.hv, m.cpu, 0);
        hv_vcpu_hooks(m.hv_vcpu, &hooks);
        cpu_set_hv_hooks(m.cpu, &hooks);
    }

    switch (c->serial) {
    case SERIAL_STDIO:
        m.serial_out = stdout;
        m.serial_in = STDIN_FILENO;
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
                               (struct irq_line){ .set = irq_nowhere, .opaque = NULL, .n = 4 },
                               serial_tx, NULL);
    if (c->debug_exit && debug_exit_new(m.bus, c->debug_exit_base, c->debug_exit_size) < 0) {
        snprintf(err, errlen, "-device isa-debug-exit,iobase=0x%x: I/O range already in use",
                 c->debug_exit_base);
        return -1;
    }

    /* ---- PCI, fw_cfg, ACPI tables, pc-testdev: keep this block last, it
     * describes the devices created above (hw/pc/pc-pci.c) ---- */
    {
        struct pc_pci_config pc = {
            .bus = m.bus, .ram = m.ram,
            .gsi = NULL,    /* the GSI lines, once the board has interrupt controllers */
            .ram_size = c->ram_size, .below_4g = m.below_4g, .above_4g = m.above_4g,
            .ncpus = c->smp < 1 ? 1 : c->smp > 256 ? 256 : c->smp, .apic_ids = m.apic_ids,
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

/* Deliver pending host input to the UART (slice boundary only). */
static void poll_input(int timeout_ms)
{
    struct pollfd p = { .fd = m.serial_in, .events = POLLIN };

    if (m.serial_in < 0 || !m.uart) {
        if (timeout_ms > 0) {
            struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };
            nanosleep(&ts, NULL);
        }
        return;
    }
    if (poll(&p, 1, timeout_ms) <= 0 || !(p.revents & (POLLIN | POLLHUP)))
        return;
    while (uart16550_can_receive(m.uart)) {
        uint8_t c;
        if (poll(&p, 1, 0) <= 0 || read(m.serial_in, &c, 1) != 1) {
            m.serial_in = -1; /* EOF: no more input */
            break;
        }
        uart16550_receive(m.uart, c);
    }
}

static void pc_free(void)
{
    cpu_free(m.cpu);
    m.cpu = NULL;
    if (m.uart)
        uart16550_free(m.uart);
    hv_partition_free(m.hv);   /* frees its vCPUs too */
    pc_pci_free(&m.pci);
    bus_free(m.bus);
    if (m.ram && m.ram != MAP_FAILED)
        munmap(m.ram, m.cfg->ram_size);
}

int pc_run(const struct pc_config *c)
{
    char err[512];

    if (pc_build(c, err, sizeof err) < 0) {
        error_report("%s", err);
        pc_free();
        return 1;
    }
    catch_term_signals();
    for (;;) {
        int64_t budget = SLICE_INSNS;
        int64_t next = timers_next_deadline();

        if (vclock_mode() == VCLOCK_ICOUNT && next != INT64_MAX) {
            int64_t left = (next - vclock_ns()) >> vclock_icount_shift();
            budget = left < 1 ? 1 : left < SLICE_INSNS ? left : SLICE_INSNS;
        }
        enum cpu_exit why = m.paused ? CPU_EXIT_HALTED : cpu_run(m.cpu, budget);

        timers_run_expired();
        if (term_signal) {
            fflush(m.serial_out);
            error_report("terminating on signal %d from pid %d", (int)term_signal, (int)term_pid);
            m.exit_status = 0;
            break;
        }
        if (m.exit_requested)
            break;
        if (why == CPU_EXIT_TRIPLE_FAULT)
            m.reset_requested = true;
        if (m.reset_requested) {
            m.reset_requested = false;
            if (c->no_reboot) {
                machine_shutdown();
                if (m.exit_requested)
                    break;
                continue;
            }
            if (m.uart)
                uart16550_reset(m.uart);
            if (m.hv)
                hv_partition_reset(m.hv);
            if (pc_load(err, sizeof err) < 0) {
                error_report("reset: %s", err);
                pc_free();
                return 1;
            }
            continue;
        }
        if (why == CPU_EXIT_HALTED || m.paused) {
            int64_t deadline = timers_next_deadline();
            if (deadline == INT64_MAX && (m.serial_in < 0 || !m.uart) && !m.paused) {
                /* halted with nothing that could ever wake it */
                m.exit_status = 0;
                if (cpu_reg(m.cpu, CPU_RFLAGS) & (1u << 9))
                    warn_report("guest halted with no interrupt source; exiting");
                break;
            }
            if (vclock_mode() == VCLOCK_ICOUNT && deadline != INT64_MAX) {
                vclock_warp_to(deadline);
                poll_input(0);
            } else {
                int64_t wait = deadline == INT64_MAX ? 100 : (deadline - vclock_ns()) / 1000000;
                poll_input(wait < 0 ? 0 : wait > 100 ? 100 : (int)wait);
            }
        } else {
            poll_input(0);
        }
    }
    if (m.serial_out && m.serial_out != stdout)
        fclose(m.serial_out);
    fflush(stdout);
    pc_free();
    return m.exit_status;
}
