/*
 * testsuite/satori.hyperv/testdev.c: QEMU's -device hyperv-testdev as a
 * guest drives it (hw/misc/hyperv-testdev.c): the command register at
 * port 0x3000 (bits 7:0 SINT, 15:8 VP index, 23:16 command, 31:24
 * connection id), routes that raise a SINT, a connection id that can be
 * used once, and commands naming nothing (which QEMU's device would
 * assert on: satori ignores them and the guest goes on).  Message and
 * event connections are exercised by synic.c.  Run with -cpu
 * qemu64,hv-vpindex,hv-synic -device hyperv-testdev.
 */
#include "hv-guest.h"

#define TD_PORT 0x3000
enum { TD_ROUTE_CREATE = 1, TD_ROUTE_DESTROY, TD_ROUTE_SET_SINT, TD_MSG_CONN_CREATE,
       TD_MSG_CONN_DESTROY, TD_EVT_CONN_CREATE, TD_EVT_CONN_DESTROY };
#define GUEST_ID 0x8100000006080000ull
#define VEC 0x5e
#define VEC2 0x5f
#define APIC_SVR 0x0f0

static volatile int irqs, irqs2;
static uint8_t input[4096] __attribute__((aligned(4096)));
static uint8_t msg_page[4096] __attribute__((aligned(4096)));

static void on_vec(struct frame *f) { irqs++; apic_eoi(); }
static void on_vec2(struct frame *f) { irqs2++; apic_eoi(); }

static void td(unsigned cmd, unsigned vp, unsigned sint, unsigned conn)
{
    outl(TD_PORT, conn << 24 | cmd << 16 | vp << 8 | sint);
}

static void window(void)
{
    __asm__ volatile("sti; nop; nop; nop; cli" ::: "memory");
}

static inline uint32_t in32(uint16_t p)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p));
    return v;
}

static uint16_t post(uint32_t conn)
{
    uint32_t *w = (uint32_t *)input;

    w[0] = conn;
    w[2] = 0x77;
    w[3] = 0;
    return (uint16_t)hv_vmcall(0x5c, (uint64_t)input, 0, NULL);
}

int main(void)
{
    hv_catch_faults();
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    apic_write(APIC_SVR, 0x1ff);
    handle_exception(VEC, on_vec);
    handle_exception(VEC2, on_vec2);
    wrmsr(HV_MSR_GUEST_OS_ID, GUEST_ID);
    wrmsr(HV_MSR_SINT0 + 6, VEC);
    wrmsr(HV_MSR_SINT0 + 9, VEC2);
    wrmsr(HV_MSR_SIMP, (uint64_t)msg_page | 1);

    reportf(in32(TD_PORT) == 0, "the command register reads 0");

    td(TD_ROUTE_CREATE, 0, 6, 0);
    td(TD_ROUTE_SET_SINT, 0, 6, 0);
    window();
    reportf(irqs == 1 && irqs2 == 0, "route (vp0, SINT6): SET_SINT raises vector 0x5e (%d)", irqs);
    td(TD_ROUTE_SET_SINT, 0, 9, 0);
    window();
    reportf(irqs2 == 0, "SET_SINT on a route never created: nothing (%d)", irqs2);
    td(TD_ROUTE_DESTROY, 0, 6, 0);
    td(TD_ROUTE_SET_SINT, 0, 6, 0);
    window();
    reportf(irqs == 1, "destroyed route: SET_SINT does nothing (%d)", irqs);

    td(TD_ROUTE_CREATE, 7, 6, 0);       /* no vCPU with VP index 7 */
    td(TD_ROUTE_SET_SINT, 7, 6, 0);
    td(TD_ROUTE_DESTROY, 3, 3, 0);
    td(TD_MSG_CONN_DESTROY, 0, 0, 0x44);
    td(TD_EVT_CONN_DESTROY, 0, 0, 0x45);
    td(0x55, 0, 0, 0);
    window();
    reportf(irqs == 1, "commands naming nothing are ignored, the machine goes on");

    /* a connection id is one handler: the second create is refused */
    td(TD_MSG_CONN_CREATE, 0, 9, 0x21);
    td(TD_MSG_CONN_CREATE, 0, 6, 0x21);
    uint16_t st = post(0x21);
    window();
    reportf(st == 0 && irqs2 == 1 && irqs == 1 && *(volatile uint32_t *)(msg_page + 9 * 256) == 0x77,
            "second create of connection 0x21 refused: the message goes to SINT9 (%x)", st);
    td(TD_MSG_CONN_DESTROY, 0, 0, 0x21);
    st = post(0x21);
    reportf(st == 0x12, "after destroy: no handler, INVALID_CONNECTION_ID (%x)", st);
    return 0;
}
