/*
 * util/: the logging core shared by every module (QEMU's -d/-D model).
 *
 * -d selects categories; -D sends them to a file (stderr otherwise).  The
 * check is a plain bit test so it can sit on warm paths; nothing is
 * formatted unless the category is on.
 */
#ifndef SATORI_LOG_H
#define SATORI_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

enum log_category {
    LOG_IN_ASM = 1u << 0, /* guest code as translated (capstone) */
    LOG_EXEC   = 1u << 1, /* every translation block executed */
    LOG_INT    = 1u << 2, /* interrupts and exceptions */
    LOG_CPU    = 1u << 3, /* CPU state before each block */
    LOG_HYPERV = 1u << 4, /* every enlightenment access, in words */
    LOG_GUEST_ERRORS = 1u << 5, /* guest did something odd */
    LOG_UNIMP  = 1u << 6, /* guest used something not implemented */
    LOG_JIT    = 1u << 7, /* translator coverage report at exit (cpu/jit-report.c) */
    LOG_OUT_ASM = 1u << 8, /* host code of each translated block (cpu/native.c) */
};

extern unsigned log_mask;

static inline bool log_on(unsigned cat) { return (log_mask & cat) != 0; }

/*
 * Parse a -d list ("in_asm,int", "help" lists).  Returns 0, or -1 with a
 * message in err naming the bad item and the accepted ones.
 */
int log_parse(const char *list, unsigned *mask, char *err, size_t errlen);
/* Print the accepted categories, one per line. */
void log_list(FILE *out);
/* Send log output to path (-D); returns -1 and sets errno on failure. */
int log_set_file(const char *path);
FILE *log_file(void);

void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vprintf(const char *fmt, va_list ap);

/*
 * -perfmap: describe generated host code to perf(1) in /tmp/perf-<pid>.map,
 * one line per block ("start size guest-0x<pc>").  perfmap_open() returns
 * -1 and sets errno on failure; perfmap_note() does nothing when it is off.
 */
int perfmap_open(void);
void perfmap_note(const void *start, size_t size, unsigned long long pc);

/* Configuration/host error, printed once at top level: "satori: ..." */
void error_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
