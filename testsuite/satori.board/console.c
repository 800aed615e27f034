/*
 * testsuite/satori.board/console.c: echoes what arrives on COM1 as hex
 * ("got: 61") by polling the 16550's line status register (LSR.DR, bit 0
 * of port 0x3fd), so console.exp can check what the host console passes to
 * the guest (Ctrl-A escapes), after a prompt with no newline that must
 * reach the terminal on its own.  Ends on 'q' through isa-debug-exit.
 */
#include "runtime.h"

#define COM1 0x3f8

int main(void)
{
    printf("console: ready\n");
    printf("prompt> ");         /* no newline: a shell prompt must show before any key */
    for (;;) {
        if (!(inb(COM1 + 5) & 1)) {
            __asm__ volatile("pause");
            continue;
        }
        uint8_t c = inb(COM1);
        printf("got: %02x\n", c);
        if (c == 'q')
            exit(0);
    }
}
