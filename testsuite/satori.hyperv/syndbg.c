/*
 * testsuite/satori.hyperv/syndbg.c: hv-syndbg as KVM implements it and
 * QEMU answers it without a debugger device (reference/hyperv.md 1.3,
 * 2.2, 3.2, 4.6), run with -smp 2 -cpu qemu64,hv-vpindex,hv-synic,
 * hv-relaxed,hv-syndbg (command line "syndbg-on"), and without hv-syndbg.
 *
 * With it: max leaf 0x40000082, "Microsoft VS", "VS#1", 0x40000082.EAX =
 * 2, 0x40000003.EDX bit 11; the SYNDBG MSRs store whole values and are
 * partition-wide (CPU 1 reads what CPU 0 wrote, firmware/smp); a CONTROL
 * write sets STATUS to what QEMU's hyperv_syndbg_send/recv answer with no
 * device (0); SYNDBG_OPTIONS reads 0 at start (QEMU's reset value without
 * a device); the debug hypercalls: fast Post/Retrieve -> 5, options bit 2
 * clear -> 8, set -> 2 (QEMU has no handler).  Without it: every SYNDBG
 * MSR #GPs and the slow debug calls answer 2.  With "syndbg-dev" and
 * -device hv-syndbg (syndbg.exp runs syndbg-peer.py as the debugger): a
 * datagram out and the reply in through the MSRs and the pending page,
 * then through HvPostDebugData / HvRetrieveDebugData as Ethernet/IPv4/UDP
 * frames, and HvResetDebugSession's endpoint (QEMU's hv-syndbg device,
 * hyperv/hv-syndbg.c).  No QEMU comparison.
 */
#include "hv-pv-guest.h"
#include "smp.h"

#define SYNDBG_CONTROL 0x400000f1u
#define SYNDBG_STATUS  0x400000f2u
#define SYNDBG_SEND    0x400000f3u
#define SYNDBG_RECV    0x400000f4u
#define SYNDBG_PENDING 0x400000f5u
#define SYNDBG_OPTIONS 0x400000ffu
#define HV_STATUS_OPERATION_DENIED 0x8

static uint8_t in_page[4096] __attribute__((aligned(4096)));
static uint8_t out_page[4096] __attribute__((aligned(4096)));

struct msr_read { uint32_t msr; uint64_t val; bool ok; };

static void read_msr_on_ap(void *arg)
{
    struct msr_read *r = arg;
    r->ok = rdmsr_safe(r->msr, &r->val);
}

static uint64_t dbg_call(uint16_t code, bool fast)
{
    return hv_vmcall(code | (fast ? HV_HCALL_FAST : 0), (uint64_t)in_page, (uint64_t)out_page, NULL);
}

static void with_syndbg(void)
{
    static const uint32_t msrs[] = {
        SYNDBG_STATUS, SYNDBG_SEND, SYNDBG_RECV, SYNDBG_PENDING, SYNDBG_OPTIONS,
    };
    uint32_t c[4];
    uint64_t v;

    cpuid(0x40000000, 0, c);
    reportf(c[0] == 0x40000082, "max leaf 0x40000082 with hv-syndbg (%x)", c[0]);
    cpuid(0x40000080, 0, c);
    reportf(c[0] == 0 && c[1] == 0x7263694d && c[2] == 0x666f736f && c[3] == 0x53562074,
            "0x40000080: \"Microsoft VS\" (%x %x %x %x)", c[0], c[1], c[2], c[3]);
    cpuid(0x40000081, 0, c);
    reportf(c[0] == 0x31235356, "0x40000081: \"VS#1\" (%x)", c[0]);
    cpuid(0x40000082, 0, c);
    reportf(c[0] == 2, "0x40000082.EAX = 2 (AllowKernelDebugging) (%x)", c[0]);
    cpuid(0x40000003, 0, c);
    reportf((c[3] & 0x800) && !(c[1] & 0x800),
            "0x40000003.EDX bit 11 set, EBX bit 11 (Debugging) clear (%x, %x)", c[3], c[1]);

    bool ok = rdmsr_safe(SYNDBG_OPTIONS, &v);
    reportf(ok && v == 0, "SYNDBG_OPTIONS reads 0: QEMU's reset value with no device (%lx)", v);

    /* stored whole, and partition-wide */
    for (unsigned i = 0; i < sizeof msrs / sizeof msrs[0]; i++) {
        uint64_t want = 0x1234567800000000ull | (i << 12) | 0xabc;
        ok = wrmsr_safe(msrs[i], want) && rdmsr_safe(msrs[i], &v);
        struct msr_read r = { msrs[i], 0, false };
        smp_call(1, read_msr_on_ap, &r);
        reportf(ok && v == want && r.ok && r.val == want,
                "MSR %x stores 0x%lx; CPU 1 reads the same (%lx, %lx)", msrs[i], want, v, r.val);
    }
    /* a CONTROL write goes to QEMU; with no device STATUS becomes 0 */
    ok = wrmsr_safe(SYNDBG_STATUS, 0x5) && wrmsr_safe(SYNDBG_CONTROL, 1 | (64u << 16));
    rdmsr_safe(SYNDBG_STATUS, &v);
    reportf(ok && v == 0, "CONTROL send: STATUS = HV_SYNDBG_STATUS_INVALID (0) (%lx)", v);
    rdmsr_safe(SYNDBG_CONTROL, &v);
    reportf(v == (1 | (64u << 16)), "CONTROL reads back what was written (%lx)", v);
    wrmsr_safe(SYNDBG_STATUS, 0x5);
    wrmsr_safe(SYNDBG_CONTROL, 2);
    rdmsr_safe(SYNDBG_STATUS, &v);
    reportf(v == 0, "CONTROL receive: STATUS 0 (%lx)", v);
    wrmsr_safe(SYNDBG_STATUS, 0x5);
    wrmsr_safe(SYNDBG_CONTROL, 0);
    rdmsr_safe(SYNDBG_STATUS, &v);
    reportf(v == 0, "CONTROL with neither bit: STATUS = success (0) (%lx)", v);
    wrmsr_safe(SYNDBG_STATUS, 0x5);
    wrmsr_safe(SYNDBG_PENDING, (uint64_t)out_page);
    rdmsr_safe(SYNDBG_STATUS, &v);
    reportf(v == 5, "PENDING_BUFFER write leaves STATUS alone (%lx)", v);

    /* hypercalls */
    wrmsr_safe(SYNDBG_OPTIONS, 0);
    uint64_t r1 = dbg_call(0x69, false), r2 = dbg_call(0x6a, false), r3 = dbg_call(0x6b, false);
    reportf(r1 == HV_STATUS_OPERATION_DENIED && r2 == HV_STATUS_OPERATION_DENIED &&
            r3 == HV_STATUS_OPERATION_DENIED,
            "options bit 2 clear: Post/Retrieve/Reset -> 8 (%lx %lx %lx)", r1, r2, r3);
    r1 = dbg_call(0x69, true);
    r2 = dbg_call(0x6a, true);
    r3 = dbg_call(0x6b, true);
    reportf(r1 == HV_STATUS_INVALID_PARAMETER && r2 == HV_STATUS_INVALID_PARAMETER &&
            r3 == HV_STATUS_OPERATION_DENIED,
            "fast: Post/Retrieve -> 5 first, Reset -> 8 (%lx %lx %lx)", r1, r2, r3);
    wrmsr_safe(SYNDBG_OPTIONS, 4);
    r1 = dbg_call(0x69, false);
    r2 = dbg_call(0x6a, false);
    r3 = dbg_call(0x6b, false);
    reportf(r1 == HV_STATUS_INVALID_HYPERCALL_CODE && r2 == HV_STATUS_INVALID_HYPERCALL_CODE &&
            r3 == HV_STATUS_INVALID_HYPERCALL_CODE,
            "options bit 2 set: passed to QEMU, no device -> 2 (%lx %lx %lx)", r1, r2, r3);
    r3 = dbg_call(0x6b, true);
    reportf(r3 == HV_STATUS_INVALID_HYPERCALL_CODE, "fast Reset with bit 2 set -> 2 (%lx)", r3);
}

/* ---- with -device hv-syndbg,host_ip=127.0.0.1,host_port=P,use_hcalls=on ----- */

static uint8_t send_page[4096] __attribute__((aligned(4096)));
static uint8_t recv_page[4096] __attribute__((aligned(4096)));
static volatile uint8_t pending_page[4096] __attribute__((aligned(4096)));

static bool same_bytes(const void *a, const void *b, unsigned n)
{
    const uint8_t *x = a, *y = b;
    for (unsigned i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}

static unsigned str_len(const char *s)
{
    unsigned n = 0;
    while (s[n])
        n++;
    return n;
}

/* Wait (bounded) for the device to mark data pending in the pending page. */
static bool wait_pending(void)
{
    for (unsigned long i = 0; i < (1ul << 31); i++) {
        if (pending_page[0] == 1)
            return true;
        __asm__ volatile("pause");
    }
    return false;
}

static uint16_t be16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }

/* RFC 1071 sum of n bytes plus sum, folded: 0xffff for a correct checksum. */
static uint16_t ones_sum(const uint8_t *b, unsigned n, uint32_t sum)
{
    for (unsigned i = 0; i + 1 < n; i += 2)
        sum += be16(b + i);
    if (n & 1)
        sum += (uint32_t)b[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* An Ethernet/IPv4/UDP frame 10.0.2.15 -> 10.0.2.2 with payload msg at
 * in_page + 8 (HvPostDebugData's data); returns its length. */
static unsigned put_frame(const char *msg, uint16_t ethertype)
{
    uint8_t *f = in_page + 8;
    unsigned n = str_len(msg), len = 14 + 20 + 8 + n;

    for (unsigned i = 0; i < 12; i++)
        f[i] = (uint8_t)(0x52 + i);
    f[12] = (uint8_t)(ethertype >> 8); f[13] = (uint8_t)ethertype;
    uint8_t *ip = f + 14, *udp = ip + 20;
    for (unsigned i = 0; i < 28; i++)
        ip[i] = 0;
    ip[0] = 0x45; ip[3] = (uint8_t)(20 + 8 + n); ip[8] = 64; ip[9] = 17;
    ip[12] = 10; ip[13] = 0; ip[14] = 2; ip[15] = 15;
    ip[16] = 10; ip[17] = 0; ip[18] = 2; ip[19] = 2;
    udp[0] = 0xc3; udp[1] = 0x50; udp[2] = 0xc3; udp[3] = 0x50; udp[5] = (uint8_t)(8 + n);
    for (unsigned i = 0; i < n; i++)
        udp[8 + i] = (uint8_t)msg[i];
    ((uint32_t *)in_page)[0] = len;     /* count */
    ((uint32_t *)in_page)[1] = 0;       /* options */
    return len;
}

static void with_device(void)
{
    static const char msr_msg[] = "satori-syndbg-msr", hc_msg[] = "satori-syndbg-hcall";
    uint64_t v, st;
    uint32_t *out32 = (uint32_t *)out_page;

    bool ok = rdmsr_safe(SYNDBG_OPTIONS, &v);
    reportf(ok && v == 4, "SYNDBG_OPTIONS reads 4: the device's use_hcalls=on (%lx)", v);
    pending_page[0] = 0;
    wrmsr_safe(SYNDBG_PENDING, (uint64_t)pending_page);
    wrmsr_safe(SYNDBG_RECV, (uint64_t)recv_page);
    wrmsr_safe(SYNDBG_SEND, (uint64_t)send_page);

    /* nothing sent yet: nothing to receive */
    wrmsr_safe(SYNDBG_CONTROL, 2);
    rdmsr_safe(SYNDBG_STATUS, &st);
    reportf(st == 0 && pending_page[0] == 0, "receive with nothing pending: STATUS 0 (%lx)", st);
    ((uint32_t *)in_page)[0] = 4088;
    ((uint32_t *)in_page)[1] = 0;
    ((uint64_t *)in_page)[1] = 0;
    out32[0] = out32[1] = 0xdead;
    uint64_t r = dbg_call(0x6a, false);
    reportf(hv_status(r) == 0x1b && out32[0] == 0 && out32[1] == 4088,
            "HvRetrieveDebugData with nothing pending: 0x1B no data, retrieved 0, remaining 4088 "
            "(%lx %x %x)", r, out32[0], out32[1]);

    /* MSR path: one datagram out, the reply back */
    unsigned n = str_len(msr_msg);
    for (unsigned i = 0; i < n; i++)
        send_page[i] = (uint8_t)msr_msg[i];
    wrmsr_safe(SYNDBG_CONTROL, 1 | (uint64_t)n << 16);
    rdmsr_safe(SYNDBG_STATUS, &st);
    reportf(st == 1, "CONTROL send of %u bytes: STATUS 1 (send success) (%lx)", n, st);
    reportf(wait_pending(), "the debugger's reply marks the pending page");
    wrmsr_safe(SYNDBG_CONTROL, 2);
    rdmsr_safe(SYNDBG_STATUS, &st);
    reportf(st == (4 | (uint64_t)(n + 6) << 16) && same_bytes(recv_page, "reply:", 6) &&
            same_bytes(recv_page + 6, msr_msg, n),
            "CONTROL receive: STATUS 4 | %u << 16, the reply in the receive page (%lx)", n + 6, st);
    reportf(pending_page[0] == 0, "pending page back to 0 after the receive");

    /* hypercall path: a non-UDP frame is dropped, a UDP frame's payload sent */
    unsigned len = put_frame(hc_msg, 0x0806);
    out32[0] = 0xdead;
    r = dbg_call(0x69, false);
    reportf(hv_status(r) == 0 && out32[0] == 0, "HvPostDebugData, ARP frame: dropped, success (%lx %x)",
            r, out32[0]);
    len = put_frame(hc_msg, 0x0800);
    out32[0] = 0xdead;
    r = dbg_call(0x69, false);
    reportf(hv_status(r) == 0 && out32[0] == 0,
            "HvPostDebugData, %u-byte UDP frame: success, pending_count 0 (%lx %x)", len, r, out32[0]);
    ((uint32_t *)in_page)[0] = 5000;
    r = dbg_call(0x69, false);
    reportf(hv_status(r) == HV_STATUS_INVALID_PARAMETER, "HvPostDebugData, count 5000 > 4088: 5 (%lx)", r);
    reportf(wait_pending(), "the reply to the frame marks the pending page");
    ((uint32_t *)in_page)[0] = 4088;
    ((uint32_t *)in_page)[1] = 0;
    ((uint64_t *)in_page)[1] = 0;
    r = dbg_call(0x6a, false);
    unsigned m = str_len(hc_msg) + 6;
    const uint8_t *f = out_page + 8, *ip = f + 14, *udp = ip + 20;
    reportf(hv_status(r) == 0 && out32[0] == 42 + m && out32[1] == 4088 - (42 + m),
            "HvRetrieveDebugData: success, retrieved 42 + %u, remaining the rest (%lx %u %u)", m, r,
            out32[0], out32[1]);
    static const uint8_t host[4] = { 127, 0, 0, 1 }, target[4] = { 10, 0, 2, 15 };
    reportf(be16(f + 12) == 0x0800 && ip[0] == 0x45 && ip[9] == 17 && be16(ip + 2) == 28 + m &&
            same_bytes(ip + 12, host, 4) && same_bytes(ip + 16, target, 4) &&
            ones_sum(ip, 20, 0) == 0xffff,
            "frame: IPv4/UDP from the host endpoint to the frame's source, IP checksum good");
    uint8_t pseudo[12] = { 127, 0, 0, 1, 10, 0, 2, 15, 0, 17, udp[4], udp[5] };
    reportf(be16(udp) == be16(udp + 2) && be16(udp) != 0 && be16(udp + 4) == 8 + m &&
            ones_sum(udp, 8 + m, ones_sum(pseudo, 12, 0)) == 0xffff &&
            same_bytes(udp + 8, "reply:", 6) && same_bytes(udp + 14, hc_msg, m - 6),
            "frame: both ports host_port, UDP checksum good, the reply as payload");
    uint16_t port = be16(udp);

    /* HvResetDebugSession: the endpoint */
    for (unsigned i = 0; i < 24; i++)
        out_page[i] = 0xee;
    r = dbg_call(0x6b, false);
    reportf(hv_status(r) == 0 && out32[0] == 0x7f000001 && out32[1] == 0x7f000001 &&
            *(uint16_t *)(out_page + 8) == port && *(uint16_t *)(out_page + 10) == port &&
            out_page[12] == 0 && out_page[23] == 0,
            "HvResetDebugSession: host and target 127.0.0.1, both ports host_port, zero MACs (%lx)", r);
}

static void without_syndbg(void)
{
    static const uint32_t msrs[] = {
        SYNDBG_CONTROL, SYNDBG_STATUS, SYNDBG_SEND, SYNDBG_RECV, SYNDBG_PENDING, SYNDBG_OPTIONS,
    };
    uint64_t v;

    for (unsigned i = 0; i < sizeof msrs / sizeof msrs[0]; i++)
        reportf(!rdmsr_safe(msrs[i], &v) && !wrmsr_safe(msrs[i], 0),
                "no hv-syndbg: MSR %x #GPs both ways", msrs[i]);
    uint64_t r1 = dbg_call(0x69, false), r3 = dbg_call(0x6b, false), r4 = dbg_call(0x69, true);
    reportf(r1 == HV_STATUS_INVALID_HYPERCALL_CODE && r3 == HV_STATUS_INVALID_HYPERCALL_CODE &&
            r4 == HV_STATUS_INVALID_PARAMETER,
            "no hv-syndbg: slow debug calls -> 2, fast Post -> 5 (%lx %lx %lx)", r1, r3, r4);
}

int main(void)
{
    hv_catch_faults();
    int up = smp_start(2);
    reportf(up == 2, "%d CPUs running", up);
    hv_identify();
    if (hv_cmdline_has("syndbg-dev"))
        with_device();
    else if (hv_cmdline_has("syndbg-on"))
        with_syndbg();
    else
        without_syndbg();
    report_done();
}
