/*
 * util/log.c: -d categories, -D file, error and warning reports.
 */
#include "util/log.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

unsigned log_mask;
static FILE *log_out;

static const struct {
    const char *name;
    unsigned bit;
    const char *help;
} categories[] = {
    { "in_asm", LOG_IN_ASM, "show guest code of each translated block" },
    { "exec", LOG_EXEC, "show every translation block executed" },
    { "int", LOG_INT, "show interrupts and exceptions" },
    { "cpu", LOG_CPU, "show CPU registers before entering a block" },
    { "hyperv", LOG_HYPERV, "show every Hyper-V enlightenment access" },
    { "guest_errors", LOG_GUEST_ERRORS, "show guest behaviour that is invalid" },
    { "unimp", LOG_UNIMP, "show use of unimplemented functionality" },
    { "jit", LOG_JIT, "at exit: instructions run in host code vs handler calls, top forms" },
    { "out_asm", LOG_OUT_ASM, "show host code generated for each translated block" },
};

static FILE *perfmap;

int perfmap_open(void)
{
    char path[64];

    snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
    perfmap = fopen(path, "w");
    return perfmap ? 0 : -1;
}

void perfmap_note(const void *start, size_t size, unsigned long long pc)
{
    if (perfmap) {
        fprintf(perfmap, "%lx %zx guest-0x%llx\n", (unsigned long)(uintptr_t)start, size, pc);
        fflush(perfmap);
    }
}

void log_list(FILE *out)
{
    fprintf(out, "Log items (comma separated):\n");
    for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
        fprintf(out, "%-14s %s\n", categories[i].name, categories[i].help);
}

int log_parse(const char *list, unsigned *mask, char *err, size_t errlen)
{
    unsigned m = 0;
    const char *p = list;

    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        bool found = false;

        for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++) {
            if (strlen(categories[i].name) == n && !strncmp(categories[i].name, p, n)) {
                m |= categories[i].bit;
                found = true;
            }
        }
        if (!found && n == 3 && !strncmp(p, "all", 3)) {
            m = ~0u;
            found = true;
        }
        if (!found) {
            size_t off = (size_t)snprintf(err, errlen,
                "unknown -d item '%.*s'; accepted:", (int)n, p);
            for (size_t i = 0; i < sizeof categories / sizeof categories[0] && off < errlen; i++)
                off += (size_t)snprintf(err + off, errlen - off, " %s", categories[i].name);
            return -1;
        }
        p = end ? end + 1 : p + n;
    }
    *mask = m;
    return 0;
}

int log_set_file(const char *path)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return -1;
    setvbuf(f, NULL, _IOLBF, 0);
    if (log_out && log_out != stderr)
        fclose(log_out);
    log_out = f;
    return 0;
}

FILE *log_file(void)
{
    return log_out ? log_out : stderr;
}

void log_vprintf(const char *fmt, va_list ap)
{
    vfprintf(log_file(), fmt, ap);
}

void log_printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vprintf(fmt, ap);
    va_end(ap);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    fputs("satori: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    fputs("satori: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
