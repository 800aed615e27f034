/*
 * ui/ public interface: the host side of the guest's console.
 *
 * The stdio console puts a terminal on stdin in raw mode (only when stdin
 * is a tty; restored on every exit path) and, when multiplexed
 * (-nographic, -serial mon:stdio, -chardev stdio,mux=on), interprets
 * QEMU's Ctrl-A escapes: C-a x quits, C-a h prints the help, C-a C-a sends
 * one C-a to the guest.  The board reads host input through it only at
 * slice boundaries (DESIGN.md, Determinism).
 */
#ifndef SATORI_UI_H
#define SATORI_UI_H

#include <stdbool.h>
#include <stdint.h>

struct console_cfg {
    bool mux;        /* Ctrl-A escapes */
    bool signals;    /* keep Ctrl-C/Ctrl-Z as signals (QEMU's signal=on) */
    void (*quit)(void);  /* C-a x */
};

/* Take stdin: raw mode if it is a tty (restored at exit). */
void console_open_stdio(const struct console_cfg *cfg);
/* Give the terminal back as it was (idempotent; also runs at exit). */
void console_restore(void);
/*
 * Process one byte read from the host: returns the byte to hand to the
 * guest, or -1 when it was (part of) an escape the console consumed.
 */
int console_input(uint8_t c);

#endif
