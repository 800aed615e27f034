/*
 * ui/console.c: the stdio console (see ui.h).  Facts from QEMU's
 * documentation (system/mux-chardev, "Keys in the character backend
 * multiplexer"): the escape character is Ctrl-A; C-a h prints the key
 * list, C-a x exits the emulator, C-a C-a sends C-a; a stdio backend
 * under -nographic / mon:stdio does not turn Ctrl-C into a signal
 * (signal=off), a plain stdio backend does.  Raw mode as QEMU sets it:
 * no echo, no canonical input, no CR->NL mapping, no flow control;
 * output processing stays on.  Deviation: satori has no monitor, so
 * C-a c (switch to the monitor), C-a s, C-a t and C-a b are not offered.
 */
#include "ui/ui.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define ESCAPE_CHAR 0x01   /* Ctrl-A */

static struct {
    struct console_cfg cfg;
    bool raw;              /* the terminal is ours; saved holds the original */
    struct termios saved;
    bool got_escape;
} con;

void console_restore(void)
{
    if (con.raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &con.saved);
        con.raw = false;
    }
}

static void restore_and_reraise(int sig)
{
    console_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

void console_open_stdio(const struct console_cfg *cfg)
{
    struct termios t;
    static bool hooked;

    con.cfg = *cfg;
    con.got_escape = false;
    if (con.raw || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &con.saved) < 0)
        return;
    t = con.saved;
    t.c_iflag &= ~(unsigned)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag |= OPOST;
    t.c_lflag &= ~(unsigned)(ECHO | ECHONL | ICANON | IEXTEN);
    if (!cfg->signals)
        t.c_lflag &= ~(unsigned)ISIG;
    t.c_cflag &= ~(unsigned)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
        return;
    con.raw = true;
    if (!hooked) {
        /* every way out gives the terminal back: exit(), abort() (emulator bugs) */
        hooked = true;
        atexit(console_restore);
        signal(SIGABRT, restore_and_reraise);
        signal(SIGSEGV, restore_and_reraise);
    }
}

static void print_help(void)
{
    /* raw mode: the terminal needs CR LF */
    static const char help[] =
        "\r\nC-a h    print this help\r\n"
        "C-a x    exit emulator\r\n"
        "C-a C-a  sends C-a\r\n";
    fputs(help, stdout);
    fflush(stdout);
}

int console_input(uint8_t c)
{
    if (!con.cfg.mux)
        return c;
    if (!con.got_escape) {
        if (c == ESCAPE_CHAR) {
            con.got_escape = true;
            return -1;
        }
        return c;
    }
    con.got_escape = false;
    switch (c) {
    case ESCAPE_CHAR:
        return c;
    case 'x':
        fputs("satori: Terminated\r\n", stderr);
        if (con.cfg.quit)
            con.cfg.quit();
        return -1;
    case 'h':
    case '?':
        print_help();
        return -1;
    default:
        return -1;   /* unknown escape: dropped, as QEMU does */
    }
}
