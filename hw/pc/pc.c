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
#include "hw/intc/intc.h"
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
    /* interrupt controllers (intc): one local APIC per vCPU, IOAPIC, 8259 pair */
    struct apic_bus *apic_bus;
    struct lapic *lapic;
    struct ioapic *ioapic;
    struct i8259 *pic;
    uint8_t *ram;
    uint64_t below_4g, above_4g;
    FILE *serial_out;
    int serial_in;              /* fd or -1 */
    bool exit_requested, reset_requested, paused;
    int exit_status;
    const char *demo_path;
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

/* Create the interrupt controllers of the machine (pc_build's intc block). */
static int pc_build_intc(char *err, size_t errlen)
{
    m.apic_bus = apic_bus_new();
    m.lapic = lapic_new(m.apic_bus, m.cpu, 0, true);
    m.ioapic = ioapic_new(m.bus, IOAPIC_DEFAULT_BASE, 0, m.apic_bus);
    m.pic = i8259_new(m.bus, lapic_lint(m.lapic, 0));
    if (!m.ioapic || !m.pic) {
        snprintf(err, errlen, "interrupt controllers: address range already in use");
        return -1;
    }
    lapic_set_extint_ack(m.lapic, i8259_ack, m.pic);
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

    lapic_write_reg(m.lapic, 0xf0, 0x1ff);
    lapic_write_reg(m.lapic, 0x350, 0x8700);
    lapic_write_reg(m.lapic, 0x360, 0x8400);
    for (size_t i = 0; i < sizeof pic_init / sizeof pic_init[0]; i++)
        bus_io_write(m.bus, pic_init[i][0], pic_init[i][1], 1);
    bus_io_write(m.bus, 0x4d1, 0x0c, 1);
}

static void pc_reset_intc(void)
{
    lapic_reset(m.lapic);
    ioapic_reset(m.ioapic);
    i8259_reset(m.pic);
}

static void pc_free_intc(void)
{
    i8259_free(m.pic);
    ioapic_free(m.ioapic);
    lapic_free(m.lapic);
    apic_bus_free(m.apic_bus);
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
    pc_intc_firmware_state();
    return 0;
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
    if (pc_build_intc(err, errlen) < 0)
        return -1;

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
                               isa_irq(4),
                               serial_tx, NULL);
    if (c->debug_exit && debug_exit_new(m.bus, c->debug_exit_base, c->debug_exit_size) < 0) {
        snprintf(err, errlen, "-device isa-debug-exit,iobase=0x%x: I/O range already in use",
                 c->debug_exit_base);
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
    pc_free_intc();
    cpu_free(m.cpu);
    m.cpu = NULL;
    if (m.uart)
        uart16550_free(m.uart);
    hv_partition_free(m.hv);   /* frees its vCPUs too */
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
            pc_reset_intc();
            if (pc_load(err, sizeof err) < 0) {
                error_report("reset: %s", err);
                pc_free();
                return 1;
            }
            continue;
        }
        if ((why == CPU_EXIT_HALTED && cpu_idle(m.cpu)) || m.paused) {
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
