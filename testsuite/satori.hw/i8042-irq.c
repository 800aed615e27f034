/*
 * Guest test i8042-irq: the keyboard controller's IRQ 1 and IRQ 12 driven
 * by interrupts, as Linux's i8042 driver reads them: each byte of a
 * multi-byte reply (keyboard identify FA AB 41, mouse identify FA 00,
 * mouse reset FA AA 00) raises its own interrupt, edge-triggered through
 * the IOAPIC and through the 8259, and the handler reads one byte per
 * interrupt.  Reading a byte empties the output buffer and drops the line
 * before the next byte loads and raises it again; an edge-triggered
 * controller sees nothing if the line just stays high, and the driver's
 * command times out (Linux then probes the ports again and again).
 * Compared with QEMU.
 */
#include "hw-guest.h"

#define IOAPIC ((volatile uint32_t *)0xfec00000ul)
#define VEC_KBD 0x41
#define VEC_AUX 0x42

static volatile uint8_t got[16];
static volatile int ngot;
static volatile bool via_pic;

static void io_write(uint8_t reg, uint32_t v)
{
    IOAPIC[0] = reg;
    IOAPIC[4] = v;
}

static void set_rte(int pin, uint32_t lo)
{
    io_write(0x11 + 2 * pin, 0);     /* physical APIC ID 0 */
    io_write(0x10 + 2 * pin, lo);
}

/* One byte per interrupt, then the EOI of whichever controller delivered it. */
static void byte_handler(struct frame *f)
{
    uint8_t v = inb(0x60);

    if (ngot < 16)
        got[ngot] = v;
    ngot++;
    if (via_pic) {
        if (f->vector >= 0x28)
            outb(0xa0, 0x20);
        outb(0x20, 0x20);
        log_only(f);
    } else {
        log_eoi(f);
    }
}

static void ctrl(uint8_t cmd) { outb(0x64, cmd); }

static void wait_input_empty(void)
{
    for (int i = 0; i < 100000 && (inb(0x64) & 2); i++)
        ;
}

/* Send one byte (to the mouse when aux), take interrupts for a while. */
static void send(uint8_t v, bool aux)
{
    log_clear();
    ngot = 0;
    wait_input_empty();
    if (aux)
        ctrl(0xd4);
    wait_input_empty();
    outb(0x60, v);
    uint64_t t0 = rdtsc();
    __asm__ volatile("sti" ::: "memory");
    while (rdtsc() - t0 < 200000000ull)
        __asm__ volatile("pause");
    __asm__ volatile("cli" ::: "memory");
}

static void expect(const char *how, const char *what, int vec, const uint8_t *want, int n)
{
    bool same = ngot == n;

    for (int i = 0; same && i < n; i++)
        same = got[i] == want[i];
    reportf(same, "%s %s: %d bytes, one per interrupt (%d bytes: %02x %02x %02x)", how, what, n,
            ngot, got[0], got[1], got[2]);
    reportf(logged(vec) == n && nlog == n, "%s %s: %d interrupts at vector 0x%02x (%d)", how, what,
            n, vec, nlog);
}

static void round_of_tests(const char *how, int vkbd, int vaux)
{
    static const uint8_t kbd_id[] = { 0xfa, 0xab, 0x41 };
    static const uint8_t aux_id[] = { 0xfa, 0x00 };
    static const uint8_t aux_reset[] = { 0xfa, 0xaa, 0x00 };

    send(0xf2, false);
    expect(how, "keyboard identify", vkbd, kbd_id, 3);
    send(0xf2, true);
    expect(how, "mouse identify", vaux, aux_id, 2);
    send(0xff, true);
    expect(how, "mouse reset", vaux, aux_reset, 3);
}

int main(void)
{
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    for (int i = 0; i < 64 && (inb(0x64) & 1); i++)
        inb(0x60);
    ctrl(0xa8);                       /* aux port on */
    ctrl(0x60);
    wait_input_empty();
    outb(0x60, 0x47);                 /* both interrupts, SYS, translation */

    handle_exception(VEC_KBD, byte_handler);
    handle_exception(VEC_AUX, byte_handler);
    set_rte(1, VEC_KBD);              /* fixed, edge, active high */
    set_rte(12, VEC_AUX);
    round_of_tests("IOAPIC", VEC_KBD, VEC_AUX);
    set_rte(1, 1u << 16);
    set_rte(12, 1u << 16);

    /* the 8259 pair (vectors 0x20/0x28 bases) through LINT0 in ExtINT mode */
    outb(0x20, 0x11); outb(0x21, 0x20); outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0xa0, 0x11); outb(0xa1, 0x28); outb(0xa1, 0x02); outb(0xa1, 0x01);
    outb(0x21, 0xf9);                 /* IRQ 1 and the cascade */
    outb(0xa1, 0xef);                 /* IRQ 12 */
    handle_exception(0x21, byte_handler);
    handle_exception(0x2c, byte_handler);
    via_pic = true;
    round_of_tests("8259", 0x21, 0x2c);
    report_done();
}
