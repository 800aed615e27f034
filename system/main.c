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
        "  -accel tcg[,native=on|off]  the only accelerator; native=off: no host code\n"
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

/* One isa-debug-exit property (from -device or -global); where names the option. */
static int debug_exit_prop(struct pc_config *c, const char *where, const char *name,
                           const char *value)
{
    uint64_t v;

    if (strcmp(name, "iobase") && strcmp(name, "iosize")) {
        error_report("-device %s: isa-debug-exit has no property '%s' "
                     "(properties: iobase, iosize)", where, name);
        return -1;
    }
    if (!value || parse_u64(value, &v) < 0) {
        error_report("%s: isa-debug-exit.%s needs a number", where, name);
        return -1;
    }
    if (!strcmp(name, "iobase") && v <= 0xffff) {
        c->debug_exit_base = (uint16_t)v;
    } else if (!strcmp(name, "iosize") && (v == 1 || v == 2 || v == 4)) {
        c->debug_exit_size = (uint16_t)v;
    } else {
        error_report("%s: isa-debug-exit.%s=%s is out of range", where, name, value);
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
               "name \"hyperv-testdev\", bus ISA\n"
               "name \"hv-syndbg\" (properties: host_ip, host_port, use_hcalls)\n"
               "name \"pc-testdev\", bus ISA\n"
               "name \"pci-testdev\", bus PCI, desc \"PCI Test Device\"\n");
        free(s);
        exit(0);
    }
    /* ---- hv-syndbg: the synthetic debugger's UDP endpoint (hyperv/hv-syndbg.c) ---- */
    if (!strcmp(driver, "hv-syndbg")) {
        char err[256];
        const char *props = arg + strlen("hv-syndbg");
        int r = hv_syndbg_device(c->hv, *props == ',' ? props + 1 : props, err, sizeof err);
        if (r < 0)
            error_report("-device %s: %s", arg, err);
        free(s);
        return r;
    }
    if (!strcmp(driver, "pc-testdev") || !strcmp(driver, "pci-testdev") ||
        !strcmp(driver, "hyperv-testdev")) {
        char *item = strtok_r(NULL, ",", &save), *name, *value;
        if (item) {
            split_prop(item, &name, &value);
            error_report("-device %s: %s has no property '%s' (it has none)", arg, driver, name);
            free(s);
            return -1;
        }
        if (!strcmp(driver, "hyperv-testdev"))
            c->hyperv_testdev = true;
        else if (!strcmp(driver, "pc-testdev"))
            c->pc_testdev = true;
        else
            c->pci_testdev = true;
        free(s);
        return 0;
    }
    if (strcmp(driver, "isa-debug-exit")) {
        error_report("-device %s: '%s' is not a valid device model name "
                     "(devices: isa-debug-exit, hyperv-testdev, hv-syndbg, pc-testdev, pci-testdev; try -device help)",
                     arg, driver);
        free(s);
        return -1;
    }
    /* QEMU's defaults, then -global isa-debug-exit.PROP, then the -device properties */
    c->debug_exit = true;
    c->debug_exit_base = 0x501;
    c->debug_exit_size = 2;
    static const char *const props[] = { "iobase", "iosize" };
    for (int k = 0; k < 2 && !ret; k++) {
        const char *g = global_get("isa-debug-exit", props[k]);
        if (g)
            ret = debug_exit_prop(c, "-global", props[k], g);
    }
    for (char *item = strtok_r(NULL, ",", &save); item && !ret; item = strtok_r(NULL, ",", &save)) {
        char *name, *value;

        split_prop(item, &name, &value);
        if (!strcmp(name, "help")) {
            printf("isa-debug-exit options:\n  iobase=<uint32> (default 0x501)\n"
                   "  iosize=<uint32> (default 0x2)\n");
            free(s);
            exit(0);
        }
        ret = debug_exit_prop(c, arg, name, value);
    }
    free(s);
    return ret;
}

/*
 * -machine [type=]pc[,prop=value...]: QEMU's pc machine properties.  The
 * device switches (pit, hpet, acpi, i8042) are recorded for pc_build();
 * properties naming hardware satori's pc does not have accept only "off".
 */
static int parse_machine(const char *arg, struct machine_props *mp)
{
    static const char *const bools[] = { "pit", "hpet", "acpi", "i8042", NULL };
    static const char *const absent[] = { "smm", "vmport", "usb", "sata", NULL };
    char *s = strdup(arg), *save = NULL;
    int ret = 0;
    bool first = true;

    for (char *item = strtok_r(s, ",", &save); item && !ret;
         item = strtok_r(NULL, ",", &save), first = false) {
        char *name, *value;
        bool on;
        int k;

        split_prop(item, &name, &value);
        if (first && !value) {
            value = name;
            name = "type";
        }
        for (k = 0; bools[k] && strcmp(bools[k], name); k++)
            ;
        if (bools[k]) {
            if (parse_bool(value, &on) < 0 && strcmp(value, "auto")) {
                error_report("-machine %s: %s takes on|off, not '%s'", arg, name, value);
                ret = -1;
            } else {
                bool *slot[] = { &mp->pit, &mp->hpet, &mp->acpi, &mp->i8042 };
                *slot[k] = strcmp(value, "auto") ? on : true;
                if (!*slot[k] && !strcmp(name, "acpi")) {
                    /* the PIIX4 PM function, poweroff and reboot go through ACPI */
                    error_report("-machine %s: acpi=off is not implemented by satori yet", arg);
                    ret = -1;
                }
            }
            continue;
        }
        for (k = 0; absent[k] && strcmp(absent[k], name); k++)
            ;
        if (absent[k]) {
            if (parse_bool(value, &on) < 0 || on) {
                error_report("-machine %s: %s=%s: satori's pc has no %s (only %s=off)", arg, name,
                             value ? value : "on", name, name);
                ret = -1;
            }
            continue;
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
        } else if (!strcmp(name, "graphics")) {
            if (parse_bool(value, &on) < 0) {
                error_report("-machine %s: graphics takes on|off", arg);
                ret = -1;
            }
        } else if (!strcmp(name, "max-ram-below-4g")) {
            uint64_t v;
            if (!value || parse_size(value, &v) < 0 || v < (1ull << 20) || v > (4ull << 30)) {
                error_report("-machine %s: max-ram-below-4g needs a size from 1M to 4G", arg);
                ret = -1;
            } else {
                mp->max_ram_below_4g = v & ~0xfffffull;   /* pc_build caps it at 3 GiB */
            }
        } else {
            error_report("-machine %s: property '%s' not found (properties: type, accel, pit, "
                         "hpet, acpi, i8042, max-ram-below-4g, graphics, smm, vmport, usb, sata)",
                         arg, name);
            ret = -1;
        }
    }
    free(s);
    return ret;
}

/*
 * -smp [cpus=]N[,sockets=S][,dies=1][,cores=C][,threads=T][,maxcpus=M], with
 * QEMU's rules for the values left out (machine_parse_smp_config, pc
 * machine types since 6.2: cores are preferred over sockets) and its
 * consistency checks.
 */
static int parse_smp(const char *arg, struct smp_config *smp)
{
    char *s = strdup(arg), *save = NULL;
    uint64_t cpus = 0, sockets = 0, dies = 0, cores = 0, threads = 0, maxcpus = 0;
    int ret = 0;

    for (char *item = strtok_r(s, ",", &save); item && !ret; item = strtok_r(NULL, ",", &save)) {
        char *name, *value;
        uint64_t v, *slot = NULL;

        split_prop(item, &name, &value);
        if (!value) {
            value = name;
            name = "cpus";
        }
        if (!strcmp(name, "cpus")) slot = &cpus;
        else if (!strcmp(name, "sockets")) slot = &sockets;
        else if (!strcmp(name, "dies")) slot = &dies;
        else if (!strcmp(name, "cores")) slot = &cores;
        else if (!strcmp(name, "threads")) slot = &threads;
        else if (!strcmp(name, "maxcpus")) slot = &maxcpus;
        if (!slot) {
            error_report("-smp %s: unknown property '%s' (cpus, sockets, dies, cores, threads, "
                         "maxcpus)", arg, name);
            ret = -1;
        } else if (parse_u64(value, &v) < 0 || v > 1024) {
            error_report("-smp %s: %s must be a number, not '%s'", arg, name, value);
            ret = -1;
        } else {
            *slot = v;
        }
    }
    free(s);
    if (ret)
        return -1;
    if (dies > 1) {
        error_report("-smp %s: dies=%llu: the pc machine has one die per socket", arg,
                     (unsigned long long)dies);
        return -1;
    }
    if (cpus == 0 && maxcpus == 0) {
        sockets = sockets ? sockets : 1;
        cores = cores ? cores : 1;
        threads = threads ? threads : 1;
    } else {
        maxcpus = maxcpus ? maxcpus : cpus;
        if (!sockets || !cores || !threads) {
            sockets = sockets ? sockets : 1;
            threads = threads ? threads : 1;
            if (!cores)
                cores = maxcpus / (sockets * threads);
            cores = cores ? cores : 1;
        }
    }
    uint64_t total = sockets * cores * threads;
    maxcpus = maxcpus ? maxcpus : total;
    cpus = cpus ? cpus : maxcpus;
    if (total != maxcpus) {
        error_report("-smp %s: invalid CPU topology: sockets (%llu) * cores (%llu) * threads "
                     "(%llu) != maxcpus (%llu)", arg, (unsigned long long)sockets,
                     (unsigned long long)cores, (unsigned long long)threads,
                     (unsigned long long)maxcpus);
        return -1;
    }
    if (maxcpus < cpus) {
        error_report("-smp %s: invalid CPUs %llu: maxcpus must be equal to or greater than smp",
                     arg, (unsigned long long)cpus);
        return -1;
    }
    if (maxcpus > PC_MAX_CPUS) {
        error_report("-smp %s: invalid SMP CPUs %llu; satori's pc supports at most %d", arg,
                     (unsigned long long)maxcpus, PC_MAX_CPUS);
        return -1;
    }
    *smp = (struct smp_config){ (int)cpus, (int)sockets, (int)cores, (int)threads, (int)maxcpus };
    return 0;
}

/* -accel tcg[,native=on|off] */
static int parse_accel(const char *arg, struct pc_config *c)
{
    char *s = strdup(arg), *save = NULL;
    int ret = 0;

    if (!s)
        abort();
    char *item = strtok_r(s, ",", &save);
    if (!item || strcmp(item, "tcg")) {
        error_report("-accel %s: only 'tcg' is supported", arg);
        free(s);
        return -1;
    }
    while ((item = strtok_r(NULL, ",", &save))) {
        char *value = strchr(item, '=');
        bool on;
        if (value)
            *value++ = 0;
        if (strcmp(item, "native")) {
            error_report("-accel %s: property '%s' not found (properties: native)", arg, item);
            ret = -1;
            break;
        }
        if (parse_bool(value, &on) < 0) {
            error_report("-accel %s: native=%s: expected on or off", arg, value ? value : "");
            ret = -1;
            break;
        }
        c->cpu.native_off = !on;
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

/* ---- -chardev and -serial ------------------------------------------------ */

#define MAX_CHARDEVS 8

static struct chardev {
    char *id;
    enum serial_kind kind;
    char *path;
    bool mux, signals;
} chardevs[MAX_CHARDEVS];
static int nchardevs;

static void free_chardevs(void)
{
    for (int i = 0; i < nchardevs; i++) {
        free(chardevs[i].id);
        free(chardevs[i].path);
    }
    nchardevs = 0;
}

/* -chardev stdio|file|null,id=ID[,path=P][,mux=on|off][,signal=on|off] (QEMU's forms). */
static int parse_chardev(const char *arg)
{
    char *s = strdup(arg), *save = NULL;
    char *backend = strtok_r(s, ",", &save);
    struct chardev cd = { .signals = true };
    int ret = 0;

    if (!backend || (strcmp(backend, "stdio") && strcmp(backend, "file") && strcmp(backend, "null"))) {
        error_report("-chardev %s: backend '%s' is not supported (stdio, file, null)", arg,
                     backend ? backend : "");
        free(s);
        return -1;
    }
    cd.kind = !strcmp(backend, "stdio") ? SERIAL_STDIO : !strcmp(backend, "file") ? SERIAL_FILE
                                                                                 : SERIAL_NONE;
    for (char *item = strtok_r(NULL, ",", &save); item && !ret; item = strtok_r(NULL, ",", &save)) {
        char *name, *value;
        bool b;

        split_prop(item, &name, &value);
        if (!strcmp(name, "id") && value && *value) {
            free(cd.id);
            cd.id = strdup(value);
        } else if (!strcmp(name, "path") && value && *value && cd.kind == SERIAL_FILE) {
            free(cd.path);
            cd.path = strdup(value);
        } else if ((!strcmp(name, "mux") || !strcmp(name, "signal")) && parse_bool(value, &b) == 0) {
            if (!strcmp(name, "mux"))
                cd.mux = b;
            else
                cd.signals = b;
        } else {
            error_report("-chardev %s: bad property '%s' (%s takes id=%s%s)", arg, item, backend,
                         cd.kind == SERIAL_FILE ? ", path=" : "",
                         cd.kind == SERIAL_STDIO ? ", mux=on|off, signal=on|off" : "");
            ret = -1;
        }
    }
    free(s);
    if (!ret && !cd.id) {
        error_report("-chardev %s: the chardev needs an id=", arg);
        ret = -1;
    }
    if (!ret && cd.kind == SERIAL_FILE && !cd.path) {
        error_report("-chardev %s: file needs path=", arg);
        ret = -1;
    }
    for (int i = 0; !ret && i < nchardevs; i++) {
        if (!strcmp(chardevs[i].id, cd.id)) {
            error_report("-chardev %s: duplicate chardev id '%s'", arg, cd.id);
            ret = -1;
        }
    }
    if (!ret && nchardevs == MAX_CHARDEVS) {
        error_report("-chardev %s: too many chardevs (at most %d)", arg, MAX_CHARDEVS);
        ret = -1;
    }
    if (ret) {
        free(cd.id);
        free(cd.path);
        return -1;
    }
    chardevs[nchardevs++] = cd;
    return 0;
}

/*
 * Resolve a -serial backend: stdio, mon:stdio (Ctrl-A escapes, Ctrl-C to
 * the guest, as QEMU's -nographic), none, null, file:PATH, chardev:ID.
 */
static int resolve_serial(const char *spec, struct pc_config *c)
{
    c->serial_mux = false;
    c->serial_signals = true;
    c->serial_path = NULL;
    if (!strcmp(spec, "stdio")) {
        c->serial = SERIAL_STDIO;
    } else if (!strcmp(spec, "mon:stdio")) {
        c->serial = SERIAL_STDIO;
        c->serial_mux = true;
        c->serial_signals = false;
    } else if (!strcmp(spec, "none") || !strcmp(spec, "null")) {
        c->serial = SERIAL_NONE;
    } else if (!strncmp(spec, "file:", 5) && spec[5]) {
        c->serial = SERIAL_FILE;
        c->serial_path = spec + 5;
    } else if (!strncmp(spec, "chardev:", 8)) {
        for (int i = 0; i < nchardevs; i++) {
            if (strcmp(chardevs[i].id, spec + 8))
                continue;
            c->serial = chardevs[i].kind;
            c->serial_path = chardevs[i].path;
            c->serial_mux = chardevs[i].mux;
            c->serial_signals = chardevs[i].signals;
            return 0;
        }
        error_report("-serial %s: no chardev with id '%s' (define it with -chardev)", spec,
                     spec + 8);
        return -1;
    } else {
        error_report("-serial %s: unsupported backend (stdio, mon:stdio, none, null, file:PATH, "
                     "chardev:ID)", spec);
        return -1;
    }
    return 0;
}

static struct hv_config *hv_cfg;

static void free_hv_config(void)
{
    hv_config_free(hv_cfg);
    free_chardevs();
    globals_clear();
}

int main(int argc, char **argv)
{
    struct pc_config c = {
        .ram_size = 128ull << 20, .smp = { 1, 1, 1, 1, 1 }, .serial = SERIAL_STDIO,
        .machine = { .pit = true, .hpet = true, .acpi = true, .i8042 = true },
        .panic_action = ACTION_SHUTDOWN,
    };
    const char *cpu_arg = "qemu64", *log_path = NULL, *serial_spec = NULL;
    int icount_shift = -1;
    bool nodefaults = false, nographic = false;
    enum { MAX_DEVICES = 16 };
    const char *devices[MAX_DEVICES];
    int ndevices = 0;
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
        if (!strcmp(opt, "-nographic")) {
            nographic = true;   /* no display; COM1 on mon:stdio unless -serial says */
            continue;
        }
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
            "-device", "-machine", "-M", "-accel", "-icount", "-action", "-d", "-D", "-rtc",
            "-global", "-chardev", NULL,
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
            if (parse_smp(arg, &c.smp) < 0)
                return 1;
        } else if (!strcmp(opt, "-cpu")) {
            cpu_arg = arg;
        } else if (!strcmp(opt, "-kernel")) {
            c.kernel = arg;
        } else if (!strcmp(opt, "-initrd")) {
            c.initrd = arg;
        } else if (!strcmp(opt, "-append")) {
            c.append = arg;
        } else if (!strcmp(opt, "-serial")) {
            if (serial_spec && strcmp(serial_spec, "none") && strcmp(serial_spec, "null")) {
                warn_report("-serial %s: only one serial port (COM1) exists; ignored", arg);
                continue;
            }
            serial_spec = arg;
        } else if (!strcmp(opt, "-chardev")) {
            if (parse_chardev(arg) < 0)
                return 1;
        } else if (!strcmp(opt, "-global")) {
            if (global_set(arg, err, sizeof err) < 0) {
                error_report("-global %s: %s", arg, err);
                return 1;
            }
        } else if (!strcmp(opt, "-display")) {
            if (strcmp(arg, "none")) {
                error_report("-display %s: only 'none' is available in this build", arg);
                return 1;
            }
        } else if (!strcmp(opt, "-device")) {
            /* created after all options: -global applies whatever its position */
            if (ndevices == MAX_DEVICES) {
                error_report("-device %s: too many devices", arg);
                return 1;
            }
            devices[ndevices++] = arg;
        } else if (!strcmp(opt, "-machine") || !strcmp(opt, "-M")) {
            if (parse_machine(arg, &c.machine) < 0)
                return 1;
        } else if (!strcmp(opt, "-accel")) {
            if (parse_accel(arg, &c) < 0)
                return 1;
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
            error_report("-rtc %s: not supported yet (the RTC starts at the host date, "
                         "or 2000-01-01 under -icount)", arg);
            return 1;
        }
    }
    for (int d = 0; d < ndevices; d++)
        if (parse_device(devices[d], &c) < 0)
            return 1;
    /* as QEMU: COM1 on stdio (mon:stdio with -nographic) unless -serial or -nodefaults say */
    if (!serial_spec)
        serial_spec = nodefaults && c.kernel ? "none" : nographic ? "mon:stdio" : "stdio";
    if (resolve_serial(serial_spec, &c) < 0)
        return 1;
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
        c.debug_exit = true;
        c.debug_exit_base = 0xf4;
        c.debug_exit_size = 4;
    }
    int status = pc_run(&c);
    if (status == PC_RUN_ERROR)
        return 1;   /* the machine could not be built or reset: reported */
    if (!c.kernel && status == 1)
        status = 0; /* the demo's clean end: isa-debug-exit value 0 */
    return status;
}
