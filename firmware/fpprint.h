/*
 * firmware/fpprint.h: printf with floating-point conversions for test
 * guests built with SSE (firmware/local.mk guest_link_fp); see fpprint.c.
 * The rest of the runtime is -mgeneral-regs-only and its printf has no
 * %f/%e/%g.
 */
#ifndef SATORI_FIRMWARE_FPPRINT_H
#define SATORI_FIRMWARE_FPPRINT_H

#include <stdarg.h>

int fp_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fp_vprintf(const char *fmt, va_list ap);

#endif
