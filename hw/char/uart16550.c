/*
 * hw/char/uart16550.c: a 16550A UART (National Semiconductor PC16550D data
 * sheet): divisor latch, IER, IIR with FIFO bits and interrupt priorities
 * (receiver line status > received data > THR empty > modem status), FCR,
 * LCR, MCR with loopback, LSR, MSR with delta bits, SCR, 16-byte RX FIFO.
 * Known deviation: characters move instantly (no baud-rate timing), and the
 * receive FIFO's character-timeout interrupt fires as soon as data waits.
 */
#include "hw/char/uart16550.h"

#include <stdlib.h>
#include <string.h>

enum {
    UART_RBR = 0, UART_IER = 1, UART_IIR = 2, UART_LCR = 3,
    UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

#define IER_RDI  0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI  0x08

#define IIR_NO_INT 0x01
#define IIR_MSI    0x00
#define IIR_THRI   0x02
#define IIR_RDI    0x04
#define IIR_RLSI   0x06
#define IIR_FIFO   0xc0

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80

#define FIFO_SIZE 16

struct uart16550 {
    uint16_t divisor;
    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
    bool thr_ipending;      /* THR-empty interrupt pending until IIR read/THR write */
    uint8_t rx[FIFO_SIZE];
    int rx_head, rx_count;
    struct irq_line irq;
    void (*tx)(void *opaque, uint8_t c);
    void *tx_opaque;
};

static uint8_t uart_iir(const struct uart16550 *u)
{
    uint8_t fifo = (u->fcr & 1) ? IIR_FIFO : 0;

    if ((u->ier & IER_RLSI) && (u->lsr & LSR_OE))
        return IIR_RLSI | fifo;
    if ((u->ier & IER_RDI) && u->rx_count)
        return IIR_RDI | fifo;
    if ((u->ier & IER_THRI) && u->thr_ipending)
        return IIR_THRI | fifo;
    if ((u->ier & IER_MSI) && (u->msr & 0x0f))
        return IIR_MSI | fifo;
    return IIR_NO_INT | fifo;
}

static void uart_update_irq(struct uart16550 *u)
{
    bool level = !(uart_iir(u) & IIR_NO_INT);

    /* On a PC the interrupt reaches the PIC only through OUT2. */
    irq_set(&u->irq, level && (u->mcr & MCR_OUT2));
}

static void rx_push(struct uart16550 *u, uint8_t c)
{
    if (u->rx_count == FIFO_SIZE || (!(u->fcr & 1) && u->rx_count == 1)) {
        u->lsr |= LSR_OE;
    } else {
        u->rx[(u->rx_head + u->rx_count) % FIFO_SIZE] = c;
        u->rx_count++;
    }
    u->lsr |= LSR_DR;
}

static void uart_transmit(struct uart16550 *u, uint8_t c)
{
    if (u->mcr & MCR_LOOP)
        rx_push(u, c);
    else if (u->tx)
        u->tx(u->tx_opaque, c);
    u->lsr |= LSR_THRE | LSR_TEMT;
    u->thr_ipending = true;
}

static uint8_t loopback_msr(const struct uart16550 *u)
{
    uint8_t m = 0;

    if (u->mcr & MCR_RTS) m |= MSR_CTS;
    if (u->mcr & MCR_DTR) m |= MSR_DSR;
    if (u->mcr & MCR_OUT1) m |= MSR_RI;
    if (u->mcr & MCR_OUT2) m |= MSR_DCD;
    return m;
}

static void set_msr_lines(struct uart16550 *u, uint8_t lines)
{
    uint8_t old = u->msr & 0xf0, delta = 0;

    if ((old ^ lines) & MSR_CTS) delta |= MSR_DCTS;
    if ((old ^ lines) & MSR_DSR) delta |= MSR_DDSR;
    if ((old & MSR_RI) && !(lines & MSR_RI)) delta |= MSR_TERI;
    if ((old ^ lines) & MSR_DCD) delta |= MSR_DDCD;
    u->msr = (uint8_t)(lines | (u->msr & 0x0f) | delta);
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size)
{
    struct uart16550 *u = opaque;
    uint8_t v = 0;

    switch (off) {
    case UART_RBR:
        if (u->lcr & LCR_DLAB) {
            v = (uint8_t)u->divisor;
            break;
        }
        if (u->rx_count) {
            v = u->rx[u->rx_head];
            u->rx_head = (u->rx_head + 1) % FIFO_SIZE;
            u->rx_count--;
        }
        if (!u->rx_count)
            u->lsr &= (uint8_t)~LSR_DR;
        break;
    case UART_IER:
        v = (u->lcr & LCR_DLAB) ? (uint8_t)(u->divisor >> 8) : u->ier;
        break;
    case UART_IIR:
        v = uart_iir(u);
        if ((v & 0x0f) == IIR_THRI)
            u->thr_ipending = false;
        break;
    case UART_LCR: v = u->lcr; break;
    case UART_MCR: v = u->mcr; break;
    case UART_LSR:
        v = u->lsr;
        u->lsr &= (uint8_t)~LSR_OE;
        break;
    case UART_MSR:
        v = u->msr;
        u->msr &= 0xf0;
        break;
    case UART_SCR: v = u->scr; break;
    }
    uart_update_irq(u);
    return v;
}

static void uart_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct uart16550 *u = opaque;
    uint8_t v = (uint8_t)val;

    switch (off) {
    case UART_RBR:
        if (u->lcr & LCR_DLAB) {
            u->divisor = (uint16_t)((u->divisor & 0xff00) | v);
        } else {
            u->thr_ipending = false;
            uart_transmit(u, v);
        }
        break;
    case UART_IER:
        if (u->lcr & LCR_DLAB) {
            u->divisor = (uint16_t)((u->divisor & 0x00ff) | (v << 8));
        } else {
            /* enabling THRI while THR is empty raises it at once */
            if ((v & IER_THRI) && !(u->ier & IER_THRI) && (u->lsr & LSR_THRE))
                u->thr_ipending = true;
            u->ier = v & 0x0f;
        }
        break;
    case UART_IIR: /* FCR */
        if (v & 0x02) {
            u->rx_count = 0;
            u->rx_head = 0;
            u->lsr &= (uint8_t)~LSR_DR;
        }
        u->fcr = v & 0xc9;
        break;
    case UART_LCR: u->lcr = v; break;
    case UART_MCR:
        u->mcr = v & 0x1f;
        set_msr_lines(u, (u->mcr & MCR_LOOP) ? loopback_msr(u) : (MSR_DCD | MSR_DSR | MSR_CTS));
        break;
    case UART_LSR: break;
    case UART_MSR: break;
    case UART_SCR: u->scr = v; break;
    }
    uart_update_irq(u);
}

static const struct dev_ops uart_ops = {
    .read = uart_read, .write = uart_write, .min_size = 1, .max_size = 1,
};

struct uart16550 *uart16550_new(struct bus *bus, uint16_t base, struct irq_line irq,
                                void (*tx)(void *opaque, uint8_t c), void *tx_opaque)
{
    struct uart16550 *u = calloc(1, sizeof *u);

    if (!u)
        abort();
    u->irq = irq;
    u->tx = tx;
    u->tx_opaque = tx_opaque;
    uart16550_reset(u);
    if (bus && bus_map_io(bus, base, 8, &uart_ops, u, "serial") < 0) {
        free(u);
        return NULL;
    }
    return u;
}

void uart16550_reset(struct uart16550 *u)
{
    u->divisor = 12; /* 9600 baud */
    u->ier = 0;
    u->lcr = 0;
    u->mcr = MCR_OUT2;
    u->lsr = LSR_THRE | LSR_TEMT;
    u->msr = MSR_DCD | MSR_DSR | MSR_CTS;
    u->scr = 0;
    u->fcr = 0;
    u->rx_count = u->rx_head = 0;
    u->thr_ipending = false;
    uart_update_irq(u);
}

bool uart16550_can_receive(const struct uart16550 *u)
{
    return u->rx_count < ((u->fcr & 1) ? FIFO_SIZE : 1);
}

void uart16550_receive(struct uart16550 *u, uint8_t c)
{
    if (!(u->mcr & MCR_LOOP))
        rx_push(u, c);
    uart_update_irq(u);
}

uint64_t uart16550_io_read(struct uart16550 *u, unsigned reg)
{
    return uart_read(u, reg, 1);
}

void uart16550_io_write(struct uart16550 *u, unsigned reg, uint8_t v)
{
    uart_write(u, reg, v, 1);
}

void uart16550_free(struct uart16550 *u)
{
    free(u);
}
