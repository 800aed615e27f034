/*
 * The 8259A pair and the ELCR compared with QEMU: the ICW1-ICW4
 * initialization, OCW1 masking, OCW3 IRR/ISR reads and poll mode, OCW2
 * EOIs, auto-EOI, edge versus level (ELCR) IRR behaviour, and the UART's
 * IRQ 4 reaching the CPU through LINT0 in ExtINT (virtual wire) mode.
 */
#include "hw-guest.h"

#define UART_IER 0x3f9
#define UART_MCR 0x3fc

static void pic_init(uint8_t master_base, uint8_t slave_base, uint8_t icw4)
{
    outb(0x20, 0x11);
    outb(0x21, master_base);
    outb(0x21, 0x04);
    outb(0x21, icw4);
    outb(0xa0, 0x11);
    outb(0xa1, slave_base);
    outb(0xa1, 0x02);
    outb(0xa1, icw4);
}

static uint8_t irr(void) { outb(0x20, 0x0a); return inb(0x20); }
static uint8_t isr(void) { outb(0x20, 0x0b); return inb(0x20); }

static void uart_thre(bool on) { outb(UART_IER, on ? 0x02 : 0x00); }

static volatile uint8_t isr_in_handler, irr_in_handler;

/* IRQ 4 at 0x24: note ISR, silence the UART, non-specific EOI. */
static void irq4(struct frame *f)
{
    isr_in_handler = isr();
    uart_thre(false);
    irr_in_handler = irr();
    log_only(f);
    outb(0x20, 0x20);
}

int main(void)
{
    outb(UART_MCR, 0x0b);
    uart_thre(false);
    pic_init(0x20, 0x28, 0x01);
    reportf(inb(0x21) == 0 && inb(0xa1) == 0, "ICW1 clears the masks");
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    reportf(inb(0x21) == 0xff && inb(0xa1) == 0xff, "OCW1 masks read back");
    reportf(isr() == 0, "ISR empty after init");

    /* ELCR */
    outb(0x4d0, 0xff);
    outb(0x4d1, 0xff);
    reportf(inb(0x4d0) == 0xf8 && inb(0x4d1) == 0xde, "ELCR: IRQ 0-2, 8 and 13 are edge only (%x %x)",
            inb(0x4d0), inb(0x4d1));
    outb(0x4d0, 0x00);
    outb(0x4d1, 0x0c);

    /* edge: the IRR bit stays after the line drops (printing only with the UART quiet) */
    uart_thre(true);
    uint8_t up = irr();
    uart_thre(false);
    uint8_t down = irr();
    reportf(up & 0x10, "edge: IRQ 4 in IRR");
    reportf(down & 0x10, "edge: IRR holds the edge after the line drops");
    /* level (ELCR bit 4): IRR follows the line */
    outb(0x4d0, 0x10);
    uart_thre(true);
    up = irr();
    uart_thre(false);
    down = irr();
    reportf(up & 0x10, "level: line up, IRR set");
    reportf(!(down & 0x10), "level: line down, IRR clear");
    outb(0x4d0, 0x00);

    /* masked: requested but not delivered */
    for (int v = 0x20; v < 0x30; v++)
        handle_exception(v, log_only);
    handle_exception(0x24, irq4);
    log_clear();
    uart_thre(true);
    window();
    reportf(nlog == 0 && (irr() & 0x10), "masked IRQ 4 waits in IRR");

    /* unmasked: through LINT0 (ExtINT) at vector 0x24 */
    outb(0x21, 0xef);
    window();
    reportf(logged(0x24) == 1 && nlog == 1, "IRQ 4 delivered at vector 0x24 through the LAPIC");
    reportf(isr_in_handler == 0x10, "ISR bit 4 in service (%x)", isr_in_handler);
    reportf(isr() == 0, "non-specific EOI clears it");

    /* poll mode */
    cli();
    uart_thre(true);
    outb(0x20, 0x0c);
    uint8_t p = inb(0x20);
    uint8_t in_service = isr();
    outb(0x20, 0x64);   /* specific EOI for IRQ 4 */
    uint8_t after = isr();
    uart_thre(false);
    outb(0x20, 0x0c);
    uint8_t idle = inb(0x20);
    reportf(p == 0x84, "poll: 0x80 | IRQ 4 (%x)", p);
    reportf(in_service == 0x10, "poll acknowledges: ISR bit 4");
    reportf(after == 0, "specific EOI clears it");
    reportf(idle == 0, "poll with nothing pending: 0 (%x)", idle);

    /* auto-EOI: nothing stays in service */
    pic_init(0x20, 0x28, 0x03);
    outb(0x21, 0xef);
    outb(0xa1, 0xff);
    log_clear();
    handle_exception(0x24, log_only);
    uart_thre(true);
    window();
    uart_thre(false);
    reportf(logged(0x24) == 1 && isr() == 0, "auto-EOI: delivered, ISR empty");

    /* masking the LINT0 LVT keeps the 8259 from the CPU */
    pic_init(0x20, 0x28, 0x01);
    outb(0x21, 0xef);
    outb(0xa1, 0xff);
    handle_exception(0x24, irq4);
    apic_write(0x350, 0x18700);
    log_clear();
    uart_thre(true);
    window();
    reportf(nlog == 0, "LINT0 masked: nothing");
    apic_write(0x350, 0x8700);
    window();
    reportf(logged(0x24) == 1, "LINT0 unmasked: delivered");
    outb(0x21, 0xff);
    report_done();
}
