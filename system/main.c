/*
 * system/main.c: satori's command line (following qemu-system-x86_64) and
 * machine start.  Every option is parsed and checked here; configuration
 * errors are reported once, naming the option and the accepted forms.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "hw/pc/pc.h"
#include "hyperv/hyperv.h"
#include "timers/timers.h"
#include "util/log.h"

extern const unsigned char firmware_demo_elf[];
extern const unsigned int firmware_demo_elf_len;

static void usage(FILE *out)
{
    fprintf(out,
        "usage: satori [options]\n"
        "With no -kernel, satori runs its built-in demo guest.\n\n"
        "  -m SIZE              guest RAM (default 128M; suffixes K, M, G)\n"
        "  -smp N[,cpus=N,...]  number of vCPUs (only 1 for now)\n"
        "  -cpu MODEL[,feat]    CPU model (qemu64, max, host) and features:\n"
        "                       +feat, -feat, feat=on|off, hv-* enlightenments, kvm=on|off\n"
        "                       (-cpu help lists them)\n"
        "  -kernel FILE         multiboot kernel (ELF32 container or ELF64)\n"
        "  -initrd \"F [args],..\" multiboot modules\n"
        "  -append STR          kernel command line\n"
        "  -serial DEV          stdio, none, null, file:PATH\n"
        "  -display none        no display (the only one for now)\n"
        "  -nographic           no display, serial on stdio\n"
        "  -device isa-debug-exit[,iobase=N][,iosize=N]\n"
        "  -device pc-testdev | pci-testdev  QEMU's test devices\n"
        "  -device help         list devices\n"
        "  -machine [type=]pc[,accel=tcg]   (also -M)\n"
        "  -accel tcg           the only accelerator\n"
        "  -icount [shift=]N    virtual time = instructions << N (deterministic)\n"
        "  -action panic=shutdown|pause|none\n"
        "  -no-reboot           exit instead of resetting\n"
        "  -no-shutdown         on guest shutdown, stop the emulation instead of exiting\n"
        "  -nodefaults          no default devices\n"
        "  -d LIST              log categories (-d help)\n"
        "  -D FILE              log to FILE\n"
        "  -perfmap             describe generated code to perf in /tmp/perf-<pid>.map\n"
        "  -h, --help           this help\n"
        "  --version            print the version\n"
        "See docs/cli.md for details.\n");
}

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || v <= 0)
        return -1;
    switch (toupper((unsigned char)*end)) {
    case 0: case 'M': v *= 1 << 20; break; /* QEMU: no suffix means MiB */
    case 'K': v *= 1 << 10; break;
    case 'G': v *= 1 << 30; break;
    case 'T': v *= 1099511627776.0; break;
    default: return -1;
    }
    if (*end && end[1] && !(toupper((unsigned char)end[1]) == 'B' && !end[2]))
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;

    errno = 0;
    *out = strtoull(s, &end, 0);
    return errno || end == s || *end ? -1 : 0;
}

/* Split "a=b" into name/value (value NULL when there is no '='). */
static void split_prop(char *item, char **name, char **value)
{
    char *eq = strchr(item, '=');

    *name = item;
    *value = NULL;
    if (eq) {
        *eq = 0;
        *value = eq + 1;
    }
}

static int parse_bool(const char *v, bool *out)
{
    if (!v || !strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
        *out = true;
        return 0;
    }
    if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
        *out = false;
        return 0;
    }
    return -1;
}

static int parse_cpu(const char *arg, struct pc_config *c)
{
    char *s = strdup(arg), *save = NULL, err[1024];
    char *model = strtok_r(s, ",", &save);

    if (!model || !strcmp(model, "help") || !strcmp(model, "?")) {
        cpu_list_models(stdout);
        hv_list_flags(stdout);
        free(s);
        exit(0);
    }
    if (cpu_config_model(&c->cpu, model, err, sizeof err) < 0) {
        error_report("-cpu %s: %s", model, err);
        free(s);
        return -1;
    }
    for (char *item = strtok_r(NULL, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *name, *value;
        bool on = true;

        if (*item == '+' || *item == '-') {
            on = *item == '+';
            if (cpu_config_feature(&c->cpu, item + 1, on, err, sizeof err) < 0) {
                error_report("-cpu %s: %s", arg, err);
                free(s);
                return -1;
            }
            continue;
        }
        split_prop(item, &name, &value);
        int r = hv_config_prop(c->hv, name, value, err, sizeof err);
        if (r < 0) {
            error_report("-cpu %s: %s", arg, err);
            free(s);
            return -1;
        }
        if (r == 0)
            continue;
        if (parse_bool(value, &on) < 0) {
            error_report("-cpu %s: property '%s' takes on|off, not '%s'", arg, name, value);
            free(s);
            return -1;
        }
        if (cpu_config_feature(&c->cpu, name, on, err, sizeof err) < 0) {
            error_report("-cpu %s: %s", arg, err);
            free(s);
            return -1;
        }
    }
    free(s);
    if (hv_config_finish(c->hv, err, sizeof err) < 0) {
        error_report("-cpu %s: %s", arg, err);
        return -1;
    }
    return 0;
}

static int parse_device(const char *arg, struct pc_config *c)
{
    char *s = strdup(arg), *save = NULL;
    char *driver = strtok_r(s, ",", &save);
    int ret = 0;

    if (!driver || !strcmp(driver, "help") || !strcmp(driver, "?")) {
        printf("Misc devices:\nname \"isa-debug-exit\", bus ISA (properties: iobase, iosize)\n"
               "name \"pc-testdev\", bus ISA\n"
               "name \"pci-testdev\", bus PCI, desc \"PCI Test Device\"\n");
        free(s);
        exit(0);
    }
    if (!strcmp(driver, "pc-testdev") || !strcmp(driver, "pci-testdev")) {
        char *item = strtok_r(NULL, ",", &save), *name, *value;
        if (item) {
            split_prop(item, &name, &value);
            error_report("-device %s: %s has no property '%s' (it has none)", arg, driver, name);
            free(s);
            return -1;
        }
        if (!strcmp(driver, "pc-testdev"))
            c->pc_testdev = true;
        else
            c->pci_testdev = true;
        free(s);
        return 0;
    }
    if (strcmp(driver, "isa-debug-exit")) {
        error_report("-device %s: '%s' is not a valid device model name "
                     "(devices: isa-debug-exit, pc-testdev, pci-testdev; try -device help)",
                     arg, driver);
        free(s);
        return -1;
    }
    c->debug_exit = true;
    c->debug_exit_base = 0x501;
    c->debug_exit_size = 2;
    for (char *item = strtok_r(NULL, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *name, *value;
        uint64_t v;

        split_prop(item, &name, &value);
        if (!strcmp(name, "help")) {
            printf("isa-debug-exit options:\n  iobase=<uint32> (default 0x501)\n"
                   "  iosize=<uint32> (default 0x2)\n");
            free(s);
            exit(0);
        }
        if (!value || parse_u64(value, &v) < 0) {
            error_report("-device %s: property '%s' needs a number", arg, name);
            ret = -1;
        } else if (!strcmp(name, "iobase") && v <= 0xffff) {
            c->debug_exit_base = (uint16_t)v;
        } else if (!strcmp(name, "iosize") && (v == 1 || v == 2 || v == 4)) {
            c->debug_exit_size = (uint16_t)v;
        } else if (strcmp(name, "iobase") && strcmp(name, "iosize")) {
            error_report("-device %s: isa-debug-exit has no property '%s' "
                         "(properties: iobase, iosize)", arg, name);
            ret = -1;
        } else {
            error_report("-device %s: %s=%s is out of range", arg, name, value);
            ret = -1;
        }
        if (ret)
            break;
    }
    free(s);
    return ret;
}

static int parse_machine(const char *arg)
{
    char *s = strdup(arg), *save = NULL;
    int ret = 0;
    bool first = true;

    for (char *item = strtok_r(s, ",", &save); item && !ret;
         item = strtok_r(NULL, ",", &save), first = false) {
        char *name, *value;

        split_prop(item, &name, &value);
        if (first && !value) {
            value = name;
            name = "type";
        }
        if (!strcmp(name, "type")) {
            if (!strcmp(value, "help") || !strcmp(value, "?")) {
                printf("Supported machines are:\npc                   Standard PC (default)\n");
                free(s);
                exit(0);
            }
            if (strcmp(value, "pc") && strncmp(value, "pc-i440fx", 9)) {
                error_report("-machine %s: unsupported machine type '%s' "
                             "(supported: pc; use -machine help)", arg, value);
                ret = -1;
            }
        } else if (!strcmp(name, "accel")) {
            if (strcmp(value ? value : "", "tcg")) {
                error_report("-machine %s: accelerator '%s' is not supported "
                             "(satori has only 'tcg')", arg, value ? value : "");
                ret = -1;
            }
        } else {
            error_report("-machine %s: property '%s' not found (properties: type, accel)",
                         arg, name);
            ret = -1;
        }
    }
    free(s);
    return ret;
}

static int parse_icount(const char *arg, int *shift)
{
    char *s = strdup(arg), *save = NULL;
    int ret = 0;

    for (char *item = strtok_r(s, ",", &save); item && !ret; item = strtok_r(NULL, ",", &save)) {
        char *name, *value;
        uint64_t v;

        split_prop(item, &name, &value);
        if (!value) {
            value = name;
            name = "shift";
        }
        if (!strcmp(name, "shift")) {
            if (parse_u64(value, &v) < 0 || v > 10) {
                error_report("-icount %s: shift must be a number from 0 to 10 "
                             "('auto' is not supported)", arg);
                ret = -1;
            } else {
                *shift = (int)v;
            }
        } else if (!strcmp(name, "align") || !strcmp(name, "sleep")) {
            bool b;
            if (parse_bool(value, &b) < 0) {
                error_report("-icount %s: %s takes on|off", arg, name);
                ret = -1;
            } else if (b) {
                /* an idle vCPU always jumps to the next deadline (QEMU's sleep=off) */
                error_report("-icount %s: %s=on is not supported: with -icount, satori's "
                             "virtual time jumps to the next timer deadline when the vCPU "
                             "is idle (sleep=off, align=off)", arg, name);
                ret = -1;
            }
        } else {
            error_report("-icount %s: unknown property '%s' (shift, align, sleep)", arg, name);
            ret = -1;
        }
    }
    free(s);
    return ret;
}

static struct hv_config *hv_cfg;

static void free_hv_config(void)
{
    hv_config_free(hv_cfg);
}

int main(int argc, char **argv)
{
    struct pc_config c = {
        .ram_size = 128ull << 20, .smp = 1, .serial = SERIAL_STDIO,
        .panic_action = ACTION_SHUTDOWN,
    };
    const char *cpu_arg = "qemu64", *log_path = NULL;
    int icount_shift = -1;
    bool serial_given = false, nodefaults = false;
    char err[512];

    c.hv = hv_cfg = hv_config_new();
    atexit(free_hv_config);
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        const char *arg = i + 1 < argc ? argv[i + 1] : NULL;

        if (opt[0] == '-' && opt[1] == '-' && opt[2])
            opt++; /* --foo == -foo, as QEMU */
        if (!strcmp(opt, "-h") || !strcmp(opt, "-help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(opt, "-version")) {
            printf("satori version %s\n", PACKAGE_VERSION);
            return 0;
        }
        if (!strcmp(opt, "-nographic"))
            continue; /* no display; the default serial port is on stdio anyway */
        if (!strcmp(opt, "-no-reboot")) { c.no_reboot = true; continue; }
        if (!strcmp(opt, "-no-shutdown")) { c.no_shutdown = true; continue; }
        if (!strcmp(opt, "-perfmap")) {
            if (perfmap_open() < 0) {
                error_report("-perfmap: cannot write /tmp/perf-%d.map: %s", (int)getpid(),
                             strerror(errno));
                return 1;
            }
            continue;
        }
        if (!strcmp(opt, "-nodefaults")) {
            nodefaults = true;
            continue;
        }
        static const char *const with_arg[] = {
            "-m", "-smp", "-cpu", "-kernel", "-initrd", "-append", "-serial", "-display",
            "-device", "-machine", "-M", "-accel", "-icount", "-action", "-d", "-D", "-rtc", NULL,
        };
        bool known = false;
        for (int k = 0; with_arg[k]; k++)
            known |= !strcmp(opt, with_arg[k]);
        if (!known) {
            error_report("%s: invalid option", argv[i]);
            return 1;
        }
        if (!arg) {
            error_report("%s: requires an argument", argv[i]);
            return 1;
        }
        i++;
        if (!strcmp(opt, "-m")) {
            const char *v = strncmp(arg, "size=", 5) ? arg : arg + 5;
            if (parse_size(v, &c.ram_size) < 0 || c.ram_size < (2ull << 20)
                || c.ram_size > (64ull << 30)) {
                error_report("-m %s: invalid RAM size (use e.g. 128M or 2G; 2M to 64G)", arg);
                return 1;
            }
            c.ram_size = (c.ram_size + 0xfff) & ~0xfffull;
        } else if (!strcmp(opt, "-smp")) {
            uint64_t n = 0, topo = 1;
            char *s = strdup(arg), *save = NULL;
            for (char *item = strtok_r(s, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
                char *name, *value;
                uint64_t v;
                split_prop(item, &name, &value);
                if (!value) { value = name; name = "cpus"; }
                if (parse_u64(value, &v) < 0 || v == 0 || v > 255
                    || (strcmp(name, "cpus") && strcmp(name, "sockets") && strcmp(name, "cores")
                        && strcmp(name, "threads") && strcmp(name, "maxcpus"))) {
                    error_report("-smp %s: invalid '%s'", arg, item);
                    free(s);
                    return 1;
                }
                if (!strcmp(name, "cpus"))
                    n = v;
                else if (strcmp(name, "maxcpus"))
                    topo *= v;      /* sockets x cores x threads, as QEMU */
            }
            free(s);
            if (n == 0)
                n = topo;
            if (n > 1) {
                error_report("-smp %s: satori runs one vCPU for now; SMP comes with the "
                             "local APIC (platform work)", arg);
                return 1;
            }
        } else if (!strcmp(opt, "-cpu")) {
            cpu_arg = arg;
        } else if (!strcmp(opt, "-kernel")) {
            c.kernel = arg;
        } else if (!strcmp(opt, "-initrd")) {
            c.initrd = arg;
        } else if (!strcmp(opt, "-append")) {
            c.append = arg;
        } else if (!strcmp(opt, "-serial")) {
            if (serial_given && c.serial != SERIAL_NONE) {
                warn_report("-serial %s: only one serial port (COM1) exists; ignored", arg);
                continue;
            }
            serial_given = true;
            if (!strcmp(arg, "stdio") || !strcmp(arg, "mon:stdio"))
                c.serial = SERIAL_STDIO;
            else if (!strcmp(arg, "none") || !strcmp(arg, "null"))
                c.serial = SERIAL_NONE;
            else if (!strncmp(arg, "file:", 5) && arg[5]) {
                c.serial = SERIAL_FILE;
                c.serial_path = arg + 5;
            } else {
                error_report("-serial %s: unsupported backend (stdio, none, null, file:PATH)", arg);
                return 1;
            }
        } else if (!strcmp(opt, "-display")) {
            if (strcmp(arg, "none")) {
                error_report("-display %s: only 'none' is available in this build", arg);
                return 1;
            }
        } else if (!strcmp(opt, "-device")) {
            if (parse_device(arg, &c) < 0)
                return 1;
        } else if (!strcmp(opt, "-machine") || !strcmp(opt, "-M")) {
            if (parse_machine(arg) < 0)
                return 1;
        } else if (!strcmp(opt, "-accel")) {
            char *s = strdup(arg);
            s[strcspn(s, ",")] = 0;
            if (strcmp(s, "tcg")) {
                error_report("-accel %s: only 'tcg' is supported", arg);
                free(s);
                return 1;
            }
            free(s);
        } else if (!strcmp(opt, "-icount")) {
            icount_shift = 0;
            if (parse_icount(arg, &icount_shift) < 0)
                return 1;
        } else if (!strcmp(opt, "-action")) {
            if (!strcmp(arg, "panic=shutdown")) c.panic_action = ACTION_SHUTDOWN;
            else if (!strcmp(arg, "panic=pause")) c.panic_action = ACTION_PAUSE;
            else if (!strcmp(arg, "panic=none")) c.panic_action = ACTION_NONE;
            else {
                error_report("-action %s: supported: panic=shutdown|pause|none", arg);
                return 1;
            }
        } else if (!strcmp(opt, "-d")) {
            if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
                log_list(stdout);
                return 0;
            }
            if (log_parse(arg, &log_mask, err, sizeof err) < 0) {
                error_report("-d %s: %s", arg, err);
                return 1;
            }
        } else if (!strcmp(opt, "-D")) {
            log_path = arg;
        } else if (!strcmp(opt, "-rtc")) {
            error_report("-rtc %s: satori has no RTC yet (it comes with the platform work)", arg);
            return 1;
        }
    }
    /* as QEMU: COM1 on stdio unless -serial says otherwise or -nodefaults */
    if (!serial_given)
        c.serial = nodefaults ? SERIAL_NONE : SERIAL_STDIO;
    if (log_path && log_set_file(log_path) < 0) {
        error_report("-D %s: %s", log_path, strerror(errno));
        return 1;
    }
    vclock_init(icount_shift >= 0 ? VCLOCK_ICOUNT : VCLOCK_REALTIME,
                icount_shift >= 0 ? icount_shift : 0, VCLOCK_DEFAULT_TSC_HZ);
    c.cpu.tsc_hz = VCLOCK_DEFAULT_TSC_HZ;
    if (parse_cpu(cpu_arg, &c) < 0)
        return 1;
    if (c.kernel) {
        FILE *f = fopen(c.kernel, "rb");
        if (!f) {
            error_report("could not load kernel '%s': %s", c.kernel, strerror(errno));
            return 1;
        }
        fclose(f);
    } else {
        c.demo_image = firmware_demo_elf;
        c.demo_len = firmware_demo_elf_len;
        if (!serial_given)
            c.serial = SERIAL_STDIO;
        c.debug_exit = true;
        c.debug_exit_base = 0xf4;
        c.debug_exit_size = 4;
    }
    int status = pc_run(&c);
    if (!c.kernel && status == 1)
        status = 0; /* the demo's clean end: isa-debug-exit value 0 */
    return status;
}
