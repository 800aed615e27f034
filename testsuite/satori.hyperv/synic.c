/*
 * testsuite/satori.hyperv/synic.c: hv-synic as KVM + QEMU give it
 * (reference/hyperv.md 2.3, 3.2, 4.7, 5), driven through QEMU's
 * hyperv-testdev (port 0x3000) for messages and event flags.
 *
 * Run with -cpu qemu64,hv-vpindex,hv-synic -device hyperv-testdev.  Each
 * expected value names the KVM/QEMU function (or reference section) it
 * comes from.  No QEMU comparison: QEMU's TCG has no Hyper-V.
 */
#include "hv-guest.h"

#define GUEST_ID 0x8100000006080000ull

#define HVCALL_POST_MESSAGE 0x005c
#define HVCALL_SIGNAL_EVENT 0x005d
#define HV_STATUS_INSUFFICIENT_BUFFERS  0x13
#define HV_STATUS_INVALID_PORT_ID       0x11
#define HV_STATUS_INVALID_CONNECTION_ID 0x12

#define SINT_MASKED   (1ull << 16)
#define SINT_AUTO_EOI (1ull << 17)

/* hyperv-testdev commands (QEMU's numbering) */
#define TD_PORT 0x3000
enum { TD_ROUTE_CREATE = 1, TD_ROUTE_DESTROY, TD_ROUTE_SET_SINT, TD_MSG_CONN_CREATE,
       TD_MSG_CONN_DESTROY, TD_EVT_CONN_CREATE, TD_EVT_CONN_DESTROY };

#define MSG_SINT 2
#define MSG_VEC  0x52
#define MSG_CONN 5
#define EVT_SINT 3
#define EVT_VEC  0x53
#define EVT_CONN 7
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100

static uint8_t msg_page[4096] __attribute__((aligned(4096)));
static uint8_t evt_page[4096] __attribute__((aligned(4096)));
static uint8_t input[4096] __attribute__((aligned(4096)));

static volatile int msg_irqs, evt_irqs;
static volatile bool msg_isr_seen, msg_do_eoi = true;

static void testdev(unsigned cmd, unsigned vp, unsigned sint, unsigned conn)
{
    outl(TD_PORT, conn << 24 | cmd << 16 | vp << 8 | sint);
}

static bool isr_bit(unsigned v)
{
    return apic_read(APIC_ISR + (v >> 5) * 0x10) >> (v & 31) & 1;
}

static void on_msg(struct frame *f)
{
    msg_irqs++;
    msg_isr_seen = isr_bit(MSG_VEC);
    if (msg_do_eoi)
        apic_eoi();
}

static void on_evt(struct frame *f)
{
    evt_irqs++;
    apic_eoi();
}

static void window(void)
{
    __asm__ volatile("sti; nop; nop; nop; cli" ::: "memory");
}

static uint16_t hcall(uint64_t control, uint64_t in)
{
    return (uint16_t)hv_vmcall(control, in, 0, NULL);
}

/* HvPostMessage input at input+off: connection, type, size, payload fill */
static uint16_t post(unsigned off, uint32_t conn, uint32_t type, uint32_t size, uint8_t fill)
{
    uint32_t *w = (uint32_t *)(input + off);

    w[0] = conn;
    w[1] = 0;
    w[2] = type;
    w[3] = size;
    memset(input + off + 16, fill, 240);
    return hcall(HVCALL_POST_MESSAGE, (uint64_t)input + off);
}

static uint32_t slot_type(unsigned sint) { return *(volatile uint32_t *)(msg_page + sint * 256); }
static uint8_t slot_size(unsigned sint) { return msg_page[sint * 256 + 4]; }
static uint8_t slot_flags(unsigned sint) { return *(volatile uint8_t *)(msg_page + sint * 256 + 5); }
static uint8_t slot_byte(unsigned sint, unsigned n) { return msg_page[sint * 256 + 16 + n]; }

static void registers(void)
{
    uint64_t v = 0;
    bool ok;

    /* QEMU writes SVERSION 1, SCONTROL/SIEFP/SIMP 0, SINTs 0x10000 (2.3) */
    ok = rdmsr_safe(HV_MSR_SVERSION, &v);
    reportf(ok && v == 1, "SVERSION reads 1 (%lx)", v);
    reportf(!wrmsr_safe(HV_MSR_SVERSION, 1), "SVERSION write #GPs (synic_set_msr)");
    ok = rdmsr_safe(HV_MSR_SCONTROL, &v);
    reportf(ok && v == 0, "SCONTROL reads 0 after reset (QEMU overwrites KVM's 1) (%lx)", v);
    v = 1;
    for (int i = 0; i < 16; i++) {
        uint64_t s = 0;
        if (!rdmsr_safe(HV_MSR_SINT0 + i, &s) || s != SINT_MASKED)
            v = 0;
    }
    report("SINT0-15 read 0x10000 (masked) after reset", v);
    ok = rdmsr_safe(HV_MSR_EOM, &v);
    reportf(ok && v == 0, "EOM reads 0 (%lx)", v);

    /* synic_set_sint: vector < 16 #GPs unless masked; values stored whole */
    reportf(!wrmsr_safe(HV_MSR_SINT0 + 4, 0x05), "SINT4 = vector 5 unmasked #GPs");
    ok = rdmsr_safe(HV_MSR_SINT0 + 4, &v);
    reportf(ok && v == SINT_MASKED, "the refused write changed nothing (%lx)", v);
    ok = wrmsr_safe(HV_MSR_SINT0 + 4, SINT_MASKED | 0x05);
    rdmsr_safe(HV_MSR_SINT0 + 4, &v);
    reportf(ok && v == (SINT_MASKED | 0x05), "masked vector 5 accepted (%lx)", v);
    ok = wrmsr_safe(HV_MSR_SINT0 + 4, 0xfff0000000fc0090ull | SINT_MASKED);
    rdmsr_safe(HV_MSR_SINT0 + 4, &v);
    reportf(ok && v == (0xfff0000000fc0090ull | SINT_MASKED),
            "SINT reserved, polling and proxy bits stored verbatim (%lx)", v);
    wrmsr_safe(HV_MSR_SINT0 + 4, SINT_MASKED);
    ok = wrmsr_safe(HV_MSR_SCONTROL, 0xf1);
    rdmsr_safe(HV_MSR_SCONTROL, &v);
    reportf(ok && v == 0xf1, "SCONTROL stored whole (%lx)", v);
    wrmsr_safe(HV_MSR_SCONTROL, 1);
}

/* QEMU's overlay page (5.7): private, zeroed at reset, outliving disable. */
static void overlay(void)
{
    uint64_t v = 0;
    bool zero = true, back = true;

    memset(msg_page, 0xaa, sizeof msg_page);
    bool ok = wrmsr_safe(HV_MSR_SIMP, (uint64_t)msg_page | 0x5);
    rdmsr_safe(HV_MSR_SIMP, &v);
    reportf(ok && v == ((uint64_t)msg_page | 0x5), "SIMP stored with bits 11:1 (%lx)", v);
    for (int i = 0; i < 4096; i++)
        if (msg_page[i])
            zero = false;
    report("enabled SIMP shows QEMU's zeroed private page over guest RAM", zero);
    msg_page[100] = 0x5a;
    wrmsr_safe(HV_MSR_SIMP, (uint64_t)msg_page);
    for (int i = 0; i < 4096; i++)
        if (msg_page[i] != 0xaa)
            back = false;
    report("disabling SIMP shows the guest's own RAM again", back);
    wrmsr_safe(HV_MSR_SIMP, (uint64_t)msg_page | 1);
    reportf(msg_page[100] == 0x5a && msg_page[0] == 0,
            "re-enabling shows the private page as left (%x)", msg_page[100]);
    msg_page[100] = 0;
    wrmsr_safe(HV_MSR_SIEFP, (uint64_t)evt_page | 1);
}

static void messages(void)
{
    uint16_t st;

    wrmsr_safe(HV_MSR_SINT0 + MSG_SINT, MSG_VEC);
    testdev(TD_MSG_CONN_CREATE, 0, MSG_SINT, MSG_CONN);

    /* QEMU hyperv_hcall_post_message -> testdev msg_handler -> hyperv_post_msg */
    st = post(0, MSG_CONN, 0x1234, 8, 0x11);
    reportf(st == HV_STATUS_SUCCESS, "PostMessage to a test-device connection: success (%x)",
            st);
    reportf(slot_type(MSG_SINT) == 0x1234 && slot_size(MSG_SINT) == 8 &&
            slot_flags(MSG_SINT) == 0 && slot_byte(MSG_SINT, 0) == 0x11 &&
            slot_byte(MSG_SINT, 7) == 0x11,
            "the message is posted back into the SINT2 slot (type %x size %u)",
            slot_type(MSG_SINT), slot_size(MSG_SINT));
    window();
    reportf(msg_irqs == 1 && msg_isr_seen, "SINT2 vector taken once, in ISR (%d)", msg_irqs);

    /* busy slot: cpu_post_msg sets msg_pending, the staged message waits */
    st = post(0, MSG_CONN, 0x2222, 4, 0x22);
    reportf(st == HV_STATUS_SUCCESS, "second post while the slot is busy: success (%x)", st);
    reportf(slot_type(MSG_SINT) == 0x1234 && (slot_flags(MSG_SINT) & 1),
            "slot keeps the first message, msg_pending set (flags %x)", slot_flags(MSG_SINT));
    st = post(0, MSG_CONN, 0x3333, 4, 0x33);
    reportf(st == HV_STATUS_INSUFFICIENT_BUFFERS,
            "third post while one is staged: INSUFFICIENT_BUFFERS (%x)", st);
    window();
    reportf(msg_irqs == 1, "no interrupt for a message that waits (%d)", msg_irqs);

    /* guest protocol: clear the type, then EOM because msg_pending was set */
    *(volatile uint32_t *)(msg_page + MSG_SINT * 256) = 0;
    wrmsr_safe(HV_MSR_EOM, 0);
    reportf(slot_type(MSG_SINT) == 0x3333 && slot_byte(MSG_SINT, 0) == 0x33,
            "EOM: the test device posts its connection's last message again (type %x)",
            slot_type(MSG_SINT));
    window();
    reportf(msg_irqs == 2, "and SINT2 fires for it (%d)", msg_irqs);

    /* an EOI of a SINT vector is an ack too (kvm_hv_synic_send_eoi) */
    *(volatile uint32_t *)(msg_page + MSG_SINT * 256) = 0;
    post(0, MSG_CONN, 0x4444, 4, 0x44);        /* delivered, interrupt pending */
    post(0, MSG_CONN, 0x5555, 4, 0x55);        /* slot busy: staged */
    *(volatile uint32_t *)(msg_page + MSG_SINT * 256) = 0;
    window();
    reportf(msg_irqs == 4 && slot_type(MSG_SINT) == 0x5555,
            "EOI of the SINT vector retries the staged message (%d, %x)", msg_irqs,
            slot_type(MSG_SINT));

    /* auto-EOI: no ISR bit, no EOI, and so no ack: EOM needed (5.6) */
    *(volatile uint32_t *)(msg_page + MSG_SINT * 256) = 0;
    wrmsr_safe(HV_MSR_SINT0 + MSG_SINT, MSG_VEC | SINT_AUTO_EOI);
    msg_do_eoi = false;
    post(0, MSG_CONN, 0x6666, 4, 0x66);
    post(0, MSG_CONN, 0x7777, 4, 0x77);
    *(volatile uint32_t *)(msg_page + MSG_SINT * 256) = 0;
    window();
    reportf(msg_irqs == 5 && !msg_isr_seen, "auto-EOI SINT: taken without an ISR bit (%d)",
            msg_irqs);
    reportf(slot_type(MSG_SINT) == 0, "auto-EOI acceptance is no ack: staged message waits");
    wrmsr_safe(HV_MSR_EOM, 0);
    window();
    reportf(msg_irqs == 6 && slot_type(MSG_SINT) == 0x7777, "EOM delivers it (%d, %x)",
            msg_irqs, slot_type(MSG_SINT));
    msg_do_eoi = true;
    wrmsr_safe(HV_MSR_SINT0 + MSG_SINT, MSG_VEC);

    /* masked SINT: the message is written, no interrupt (synic_set_irq -ENOENT) */
    *(volatile uint32_t *)(msg_page + MSG_SINT * 256) = 0;
    wrmsr_safe(HV_MSR_SINT0 + MSG_SINT, SINT_MASKED | MSG_VEC);
    st = post(0, MSG_CONN, 0x8888, 4, 0x88);
    window();
    reportf(st == 0 && slot_type(MSG_SINT) == 0x8888 && msg_irqs == 6,
            "masked SINT: message written, no interrupt (%d)", msg_irqs);
    wrmsr_safe(HV_MSR_SINT0 + MSG_SINT, MSG_VEC);
    *(volatile uint32_t *)(msg_page + MSG_SINT * 256) = 0;

    /* statuses (4.7; QEMU hyperv_hcall_post_message, KVM kvm_hv_hypercall) */
    st = (uint16_t)hv_vmcall(HVCALL_POST_MESSAGE | HV_HCALL_FAST, MSG_CONN, 0, NULL);
    reportf(st == HV_STATUS_INVALID_HYPERCALL_CODE, "fast PostMessage: code invalid (%x)", st);
    st = post(2, MSG_CONN, 1, 4, 0);
    reportf(st == HV_STATUS_INVALID_ALIGNMENT, "input not 4-byte aligned: alignment (%x)", st);
    st = post(4, MSG_CONN, 0x4242, 4, 0x42);
    reportf(st == HV_STATUS_SUCCESS, "4-byte aligned input is enough (%x)", st);
    *(volatile uint32_t *)(msg_page + MSG_SINT * 256) = 0;
    window();
    st = post(0, MSG_CONN, 1, 241, 0);
    reportf(st == HV_STATUS_INVALID_HYPERCALL_INPUT, "payload size 241: invalid input (%x)", st);
    st = post(0, 6, 1, 4, 0);
    reportf(st == HV_STATUS_INVALID_CONNECTION_ID, "connection without handler (%x)", st);
    st = post(0, MSG_CONN | 0x7f000000, 0x4343, 4, 0x43);
    reportf(st == HV_STATUS_SUCCESS, "connection id bits 31:24 are ignored (%x)", st);
    *(volatile uint32_t *)(msg_page + MSG_SINT * 256) = 0;
    window();
    st = hcall(HVCALL_POST_MESSAGE | HV_HCALL_REP_COUNT(1), (uint64_t)input);
    reportf(st == HV_STATUS_INVALID_HYPERCALL_INPUT, "rep count set: invalid input (%x)", st);
    testdev(TD_MSG_CONN_DESTROY, 0, 0, MSG_CONN);
    st = post(0, MSG_CONN, 1, 4, 0);
    reportf(st == HV_STATUS_INVALID_CONNECTION_ID, "destroyed connection: no handler (%x)", st);
}

static bool evt_flag(unsigned sint, unsigned n)
{
    return *(volatile uint8_t *)(evt_page + sint * 256 + n / 8) >> (n % 8) & 1;
}

static void events(void)
{
    uint16_t st;
    uint64_t *param = (uint64_t *)(input + 2048);

    wrmsr_safe(HV_MSR_SINT0 + EVT_SINT, EVT_VEC);
    testdev(TD_EVT_CONN_CREATE, 0, EVT_SINT, EVT_CONN);

    /* KVM's event connection -> QEMU hyperv_set_event_flag: flag conn_id */
    st = hcall(HVCALL_SIGNAL_EVENT | HV_HCALL_FAST, EVT_CONN);
    window();
    reportf(st == 0 && evt_flag(EVT_SINT, EVT_CONN) && evt_irqs == 1,
            "fast SignalEvent sets flag 7 of SINT3 and raises it (%x, %d)", st, evt_irqs);
    st = hcall(HVCALL_SIGNAL_EVENT | HV_HCALL_FAST, EVT_CONN);
    window();
    reportf(st == 0 && evt_irqs == 1, "flag already set: no new interrupt (%d)", evt_irqs);
    evt_page[EVT_SINT * 256] = 0;
    *param = EVT_CONN;
    st = hcall(HVCALL_SIGNAL_EVENT, (uint64_t)param);
    window();
    reportf(st == 0 && evt_flag(EVT_SINT, EVT_CONN) && evt_irqs == 2,
            "memory SignalEvent: flag set again, interrupt (%x, %d)", st, evt_irqs);
    evt_page[EVT_SINT * 256] = 0;
    wrmsr_safe(HV_MSR_SCONTROL, 0);
    st = hcall(HVCALL_SIGNAL_EVENT | HV_HCALL_FAST, EVT_CONN);
    window();
    reportf(st == 0 && !evt_flag(EVT_SINT, EVT_CONN) && evt_irqs == 2,
            "SCONTROL disabled: success, but no flag and no interrupt (%x)", st);
    wrmsr_safe(HV_MSR_SCONTROL, 1);

    /* statuses: KVM kvm_hvcall_signal_event, then QEMU hyperv_hcall_signal_event */
    st = hcall(HVCALL_SIGNAL_EVENT | HV_HCALL_FAST, 1ull << 32 | EVT_CONN);
    reportf(st == HV_STATUS_INVALID_PORT_ID, "flag number set: invalid port id (%x)", st);
    st = hcall(HVCALL_SIGNAL_EVENT | HV_HCALL_FAST, 1ull << 24 | EVT_CONN);
    reportf(st == HV_STATUS_INVALID_HYPERCALL_INPUT, "reserved bits 31:24: invalid input (%x)",
            st);
    st = hcall(HVCALL_SIGNAL_EVENT | HV_HCALL_FAST, 9);
    reportf(st == HV_STATUS_INVALID_CONNECTION_ID, "unknown connection: QEMU says 0x12 (%x)",
            st);
    st = hcall(HVCALL_SIGNAL_EVENT, (uint64_t)param + 4);
    reportf(st == HV_STATUS_INVALID_ALIGNMENT, "memory input not 8-byte aligned (%x)", st);
    st = hcall(HVCALL_SIGNAL_EVENT, 1ull << 40);
    reportf(st == HV_STATUS_INVALID_ALIGNMENT, "memory input not in RAM: alignment (%x)", st);
    *param = 9;
    st = hcall(HVCALL_SIGNAL_EVENT, (uint64_t)param);
    reportf(st == HV_STATUS_INVALID_ALIGNMENT,
            "unknown connection 9 in memory: QEMU reads 9 as an address, alignment (%x)", st);
    st = hcall(HVCALL_SIGNAL_EVENT | HV_HCALL_FAST | HV_HCALL_REP_COUNT(1), EVT_CONN);
    reportf(st == HV_STATUS_INVALID_HYPERCALL_INPUT, "rep count set: invalid input (%x)", st);
    testdev(TD_EVT_CONN_DESTROY, 0, 0, EVT_CONN);
    st = hcall(HVCALL_SIGNAL_EVENT | HV_HCALL_FAST, EVT_CONN);
    reportf(st == HV_STATUS_INVALID_CONNECTION_ID, "destroyed event connection (%x)", st);
}

/* SINT_ROUTE_SET_SINT: the SINT fires without a message (a KVM irqfd). */
static void routes(void)
{
    int before = evt_irqs;

    testdev(TD_ROUTE_CREATE, 0, EVT_SINT, 0);
    testdev(TD_ROUTE_SET_SINT, 0, EVT_SINT, 0);
    window();
    reportf(evt_irqs == before + 1, "SINT_ROUTE_SET_SINT raises SINT3 (%d)", evt_irqs - before);
    /* polling (bit 18) is stored and ignored: the SINT still interrupts (5.1) */
    wrmsr_safe(HV_MSR_SINT0 + EVT_SINT, EVT_VEC | (1ull << 18));
    testdev(TD_ROUTE_SET_SINT, 0, EVT_SINT, 0);
    window();
    reportf(evt_irqs == before + 2, "SINT3 with the polling bit still interrupts (%d)",
            evt_irqs - before);
    wrmsr_safe(HV_MSR_SINT0 + EVT_SINT, SINT_MASKED | EVT_VEC);
    testdev(TD_ROUTE_SET_SINT, 0, EVT_SINT, 0);
    window();
    reportf(evt_irqs == before + 2, "masked SINT3: nothing (%d)", evt_irqs - before);
    testdev(TD_ROUTE_DESTROY, 0, EVT_SINT, 0);
}

int main(void)
{
    hv_catch_faults();
    outb(0x21, 0xff);           /* 8259 masked: only APIC interrupts here */
    outb(0xa1, 0xff);
    apic_write(APIC_SVR, 0x1ff);
    handle_exception(MSG_VEC, on_msg);
    handle_exception(EVT_VEC, on_evt);
    wrmsr_safe(HV_MSR_GUEST_OS_ID, GUEST_ID);

    registers();
    overlay();
    messages();
    events();
    routes();
    return 0;
}
