/*
 * hyperv/hv-syndbg.c: hv-syndbg, the synthetic debugger interface Windows'
 * kernel debugger (KDNET over Hyper-V) uses, as far as KVM implements it
 * and as QEMU answers it without a debugger device (reference/hyperv.md
 * 1.3, 2.2, 3.2, 4.6).
 *
 *  - CPUID: 0x40000003.EDX bit 11, leaves 0x40000080-0x40000082 ("Microsoft
 *    VS", "VS#1", EAX bit 1 AllowKernelDebugging) and max leaf 0x40000082
 *    (hv-cpuid.c).
 *  - MSRs SYNDBG_CONTROL/STATUS/SEND_BUFFER/RECV_BUFFER/PENDING_BUFFER
 *    (0x400000F1-F5) and SYNDBG_OPTIONS (0x400000FF): partition-wide,
 *    stored whole and read back (KVM's syndbg_set_msr/get_msr); without
 *    0x40000082.EAX bit 1 (hv-syndbg off) every access #GPs.  A CONTROL or
 *    PENDING_BUFFER write is KVM's exit to QEMU: QEMU's
 *    kvm_hv_handle_exit passes it to its hv-syndbg device; with none
 *    (hyperv_syndbg_send/recv without a handler) a send or receive
 *    answers HV_SYNDBG_STATUS_INVALID, anything else success, all 0, and
 *    KVM stores that in SYNDBG_STATUS.
 *  - HvPostDebugData / HvRetrieveDebugData / HvResetDebugSession (0x69-
 *    0x6B): fast Post/Retrieve -> 5; hv-syndbg off -> 2; SYNDBG_OPTIONS
 *    bit 2 (use hypercalls) clear -> 8; else QEMU, which without a device
 *    answers 2.
 *  - Reset: QEMU writes SYNDBG_OPTIONS = the options its device reports,
 *    0 without one; the other syndbg MSRs keep their values (QEMU does not
 *    write them).
 *
 * The host-side endpoint, QEMU's `-device hv-syndbg,host_ip=,host_port=,
 * use_hcalls=` (hw/hyperv/syndbg.c behaviour): a UDP socket connected to
 * host_ip:host_port (default 50000), non-blocking, polled (no thread) on
 * every syndbg MSR access and debug hypercall and every millisecond of
 * virtual time.  A readable socket is "data pending": byte 0 of the
 * PENDING_BUFFER page becomes 1, and 0 again once the datagram is read.
 *  - CONTROL send: the SEND_BUFFER page's first (CONTROL bits 31:16)
 *    bytes are one datagram; STATUS 1 (send success) or 0 (invalid).
 *    CONTROL receive: one pending datagram (at most 4054 bytes) into the
 *    RECV_BUFFER page; STATUS 4 (receive success) | size << 16, or 0 when
 *    nothing is pending.
 *  - HvPostDebugData (input: u32 count, u32 options, count bytes, count
 *    at most 4088 else 5): the bytes are an Ethernet/IPv4/UDP frame
 *    (KDNET's); the UDP payload is sent and the frame's IPv4 source kept
 *    as the target address; a frame that is not IPv4/UDP is dropped with
 *    success.  Output u32 pending_count (0).  HvRetrieveDebugData (input
 *    u32 count, u32 options, u64 timeout; output u32 retrieved, u32
 *    remaining, then the frame): a pending datagram comes back wrapped in
 *    a frame from host_ip to the target address, both ports host_port,
 *    with IPv4 and UDP checksums, retrieved = 42 + payload; nothing
 *    pending -> 0x1B (no data), retrieved 0.  HvResetDebugSession:
 *    output host_ip, target_ip (= host_ip), host_port, target_port,
 *    zero MACs.  Unreadable or unwritable pages -> 0xB.
 *  - Reset: SYNDBG_OPTIONS = 4 (use hypercalls) with use_hcalls=on.
 *
 * Deviations: QEMU refuses the device without a vmbus-bridge; satori has
 * no VMBus and wants hv-syndbg among the -cpu flags instead.  QEMU leaves
 * pending_count unset for a dropped non-UDP frame; satori writes 0.
 * Options and timeout of HvRetrieveDebugData are ignored, as in QEMU.
 */
#include "hyperv/hv-internal.h"
#include "timers/timers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define HV_X64_MSR_SYNDBG_CONTROL        0x400000f1u
#define HV_X64_MSR_SYNDBG_STATUS         0x400000f2u
#define HV_X64_MSR_SYNDBG_SEND_BUFFER    0x400000f3u
#define HV_X64_MSR_SYNDBG_RECV_BUFFER    0x400000f4u
#define HV_X64_MSR_SYNDBG_PENDING_BUFFER 0x400000f5u
#define HV_X64_MSR_SYNDBG_OPTIONS        0x400000ffu

#define HV_SYNDBG_CONTROL_SEND   (1u << 0)
#define HV_SYNDBG_CONTROL_RECV   (1u << 1)
#define HV_SYNDBG_STATUS_INVALID 0u
#define HV_SYNDBG_STATUS_SEND_SUCCESS (1u << 0)
#define HV_SYNDBG_STATUS_RECV_SUCCESS (1u << 2)
#define HV_X64_SYNDBG_OPTION_USE_HCALLS (1u << 2)
#define HV_STATUS_NO_DATA        0x1b

#define SYNDBG_DEFAULT_PORT 50000
#define PAGE_SIZE     4096u
#define ETH_HLEN      14u
#define IP_HLEN       20u
#define UDP_HLEN      8u
#define FRAME_HLEN    (ETH_HLEN + IP_HLEN + UDP_HLEN)
#define ETH_P_IPV4    0x0800
#define IP_PROTO_UDP  17
#define RECV_MAX      (PAGE_SIZE - FRAME_HLEN)   /* QEMU's receive buffer */
#define POLL_NS       1000000                    /* socket poll period */

/* 0x40000082.EAX bit 1 is there exactly with hv-syndbg (KVM's kvm_hv_is_syndbg_enabled). */
static bool syndbg_on(const struct hv_partition *p)
{
    return p->cfg.feats & HV_BIT(HV_SYNDBG);
}

static bool have_dev(const struct hv_partition *p)
{
    return p->cfg.syndbg_dev.fd >= 0;
}

/* ---- -device hv-syndbg: properties and socket --------------------------- */

static int parse_bool(const char *v, bool *out)
{
    if (!strcasecmp(v, "on") || !strcasecmp(v, "yes") || !strcasecmp(v, "true"))
        *out = true;
    else if (!strcasecmp(v, "off") || !strcasecmp(v, "no") || !strcasecmp(v, "false"))
        *out = false;
    else
        return -1;
    return 0;
}

int hv_syndbg_device(struct hv_config *cfg, const char *props, char *err, size_t errlen)
{
    char *copy = strdup(props ? props : ""), *save = NULL, *host = NULL;
    unsigned long port = SYNDBG_DEFAULT_PORT;
    bool use_hcalls = false;
    int ret = -1;

    if (!copy)
        abort();
    if (cfg->syndbg_dev.fd >= 0) {
        snprintf(err, errlen, "at most one hv-syndbg device is permitted");
        goto out;
    }
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '='), *end;
        if (!eq) {
            snprintf(err, errlen, "property '%s' needs a value (host_ip=, host_port=, use_hcalls=)",
                     item);
            goto out;
        }
        *eq++ = 0;
        if (!strcmp(item, "host_ip")) {
            host = eq;
        } else if (!strcmp(item, "host_port")) {
            port = strtoul(eq, &end, 0);
            if (!*eq || *end || port > 0xffff) {
                snprintf(err, errlen, "host_port '%s' is not a port number 0-65535", eq);
                goto out;
            }
        } else if (!strcmp(item, "use_hcalls")) {
            if (parse_bool(eq, &use_hcalls) < 0) {
                snprintf(err, errlen, "use_hcalls '%s' is not on or off", eq);
                goto out;
            }
        } else {
            snprintf(err, errlen, "hv-syndbg has no property '%s' (host_ip, host_port, use_hcalls)",
                     item);
            goto out;
        }
    }
    if (!host || !*host) {
        snprintf(err, errlen, "host_ip= is required (the debugger's IPv4 address or host name)");
        goto out;
    }
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM }, *ai = NULL;
    int gai = getaddrinfo(host, NULL, &hints, &ai);
    if (gai || !ai) {
        snprintf(err, errlen, "cannot resolve host name %s: %s", host, gai_strerror(gai));
        goto out;
    }
    struct sockaddr_in sa = *(const struct sockaddr_in *)ai->ai_addr;
    freeaddrinfo(ai);
    sa.sin_port = htons((uint16_t)port);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a UDP socket: %s", strerror(errno));
        goto out;
    }
    if (connect(fd, (const struct sockaddr *)&sa, sizeof sa) < 0) {
        snprintf(err, errlen, "cannot connect a UDP socket to %s:%lu: %s", host, port,
                 strerror(errno));
        close(fd);
        goto out;
    }
    cfg->syndbg_dev.fd = fd;
    cfg->syndbg_dev.host_ip = sa.sin_addr.s_addr;
    cfg->syndbg_dev.host_port = sa.sin_port;
    cfg->syndbg_dev.use_hcalls = use_hcalls;
    ret = 0;
out:
    free(copy);
    return ret;
}

void hv_syndbg_device_close(struct hv_config *cfg)
{
    if (cfg->syndbg_dev.fd >= 0)
        close(cfg->syndbg_dev.fd);
    cfg->syndbg_dev.fd = -1;
}

/* QEMU's set_pending_state: the flag and byte 0 of the pending page. */
static void set_pending(struct hv_partition *p, bool on)
{
    uint8_t b = on;

    p->syndbg_pending = on;
    if (p->syndbg_pending_page)
        bus_phys_write(p->bus, p->syndbg_pending_page, &b, 1);
}

/* A datagram waiting on the socket makes data pending (QEMU's fd handler). */
static void poll_socket(struct hv_partition *p)
{
    struct pollfd pfd = { .fd = p->cfg.syndbg_dev.fd, .events = POLLIN };

    if (have_dev(p) && poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN))
        set_pending(p, true);
}

static void poll_tick(void *opaque)
{
    struct hv_partition *p = opaque;

    poll_socket(p);
    timer_mod(p->syndbg_poll, vclock_ns() + POLL_NS);
}

void hv_syndbg_init(struct hv_partition *p)
{
    hv_syndbg_reset(p);             /* SYNDBG_OPTIONS as QEMU writes it at start */
    if (!have_dev(p) || !syndbg_on(p))
        return;
    p->syndbg_poll = timer_new(poll_tick, p);
    timer_mod(p->syndbg_poll, vclock_ns() + POLL_NS);
}

void hv_syndbg_free(struct hv_partition *p)
{
    if (p->syndbg_poll)
        timer_free(p->syndbg_poll);
    p->syndbg_poll = NULL;
}

/* Send n guest bytes at gpa as one datagram: 0, or -1 (unreadable, socket). */
static int send_from_guest(struct hv_partition *p, uint64_t gpa, size_t n)
{
    static uint8_t buf[0x10000];    /* CONTROL's 16-bit size */

    if (n > sizeof buf || bus_phys_read(p->bus, gpa, buf, n) < 0)
        return -1;
    if (send(p->cfg.syndbg_dev.fd, buf, n, MSG_NOSIGNAL) < 0)
        return -1;
    p->syndbg_sent++;
    return 0;
}

/* One pending datagram into buf: its size, 0 when nothing is pending, -1 error. */
static long recv_pending(struct hv_partition *p, uint8_t *buf, size_t max)
{
    poll_socket(p);
    if (!p->syndbg_pending)
        return 0;
    ssize_t n = recv(p->cfg.syndbg_dev.fd, buf, max, 0);
    if (n < 0)
        return -1;
    if (n > 0) {
        set_pending(p, false);
        p->syndbg_received++;
    }
    return (long)n;
}

/* ---- raw frames (HvPostDebugData / HvRetrieveDebugData) ------------------ */

static uint16_t get_be16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }
static void put_be16(uint8_t *b, uint16_t v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; }

/* The UDP payload's offset in an Ethernet/IPv4/UDP frame and its IPv4
 * source, or false if the frame is not one. */
static bool udp_payload(const uint8_t *f, size_t len, size_t *ofs, uint32_t *src)
{
    if (len < ETH_HLEN + IP_HLEN || get_be16(f + 12) != ETH_P_IPV4 || f[ETH_HLEN + 9] != IP_PROTO_UDP)
        return false;
    size_t ihl = (size_t)(f[ETH_HLEN] & 0xf) * 4;
    if (ihl < IP_HLEN || len < ETH_HLEN + ihl + UDP_HLEN)
        return false;
    *ofs = ETH_HLEN + ihl + UDP_HLEN;
    memcpy(src, f + ETH_HLEN + 12, 4);
    return true;
}

/* One's-complement sum of n bytes (RFC 1071), folded later. */
static uint32_t csum_add(uint32_t sum, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += get_be16(b + i);
    if (n & 1)
        sum += (uint32_t)b[n - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Wrap n payload bytes (already at f + FRAME_HLEN) into a frame from the
 * host endpoint to the target address, both ports host_port. */
static void build_frame(const struct hv_partition *p, uint8_t *f, size_t n)
{
    uint8_t *ip = f + ETH_HLEN, *udp = ip + IP_HLEN;
    uint8_t pseudo[12];

    memset(f, 0, FRAME_HLEN);               /* zero MACs, TOS, id, fragment */
    put_be16(f + 12, ETH_P_IPV4);
    ip[0] = 0x45;
    put_be16(ip + 2, (uint16_t)(IP_HLEN + UDP_HLEN + n));
    ip[8] = 64;                              /* TTL */
    ip[9] = IP_PROTO_UDP;
    memcpy(ip + 12, &p->cfg.syndbg_dev.host_ip, 4);
    memcpy(ip + 16, &p->syndbg_target_ip, 4);
    put_be16(ip + 10, csum_fold(csum_add(0, ip, IP_HLEN)));
    memcpy(udp, &p->cfg.syndbg_dev.host_port, 2);
    memcpy(udp + 2, &p->cfg.syndbg_dev.host_port, 2);
    put_be16(udp + 4, (uint16_t)(UDP_HLEN + n));
    memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = IP_PROTO_UDP;
    memcpy(pseudo + 10, udp + 4, 2);
    uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, sizeof pseudo), udp, UDP_HLEN + n));
    put_be16(udp + 6, c ? c : 0xffff);
}

/* ---- MSRs ------------------------------------------------------------------ */

static uint64_t *syndbg_slot(struct hv_partition *p, uint32_t msr)
{
    switch (msr) {
    case HV_X64_MSR_SYNDBG_CONTROL: return &p->syndbg_control;
    case HV_X64_MSR_SYNDBG_STATUS: return &p->syndbg_status;
    case HV_X64_MSR_SYNDBG_SEND_BUFFER: return &p->syndbg_send_page;
    case HV_X64_MSR_SYNDBG_RECV_BUFFER: return &p->syndbg_recv_page;
    case HV_X64_MSR_SYNDBG_PENDING_BUFFER: return &p->syndbg_pending_page;
    case HV_X64_MSR_SYNDBG_OPTIONS: return &p->syndbg_options;
    }
    return NULL;
}

enum msr_result hv_rd_syndbg(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                             uint64_t *val)
{
    uint64_t *s = syndbg_slot(v->p, msr);

    if (!syndbg_on(v->p) || !s) {
        hv_msr_note("the synthetic debugger is off (0x40000082.EAX bit 1 clear)");
        return MSR_GP;
    }
    poll_socket(v->p);
    *val = *s;
    return MSR_OK;
}

/* A CONTROL write with the device: QEMU's hyperv_syndbg_send/recv. */
static uint64_t control_with_device(struct hv_partition *p, uint64_t val)
{
    static char note[128];

    if (val & HV_SYNDBG_CONTROL_SEND) {
        size_t n = (size_t)(val >> 16) & 0xffff;
        if (send_from_guest(p, p->syndbg_send_page, n) < 0) {
            snprintf(note, sizeof note, "send of %zu bytes failed: status invalid (0)", n);
            hv_msr_note(note);
            return HV_SYNDBG_STATUS_INVALID;
        }
        snprintf(note, sizeof note, "%zu bytes of the send page sent to the debugger: "
                 "status send success (1)", n);
        hv_msr_note(note);
        return HV_SYNDBG_STATUS_SEND_SUCCESS;
    }
    if (val & HV_SYNDBG_CONTROL_RECV) {
        uint8_t buf[RECV_MAX];
        long n = recv_pending(p, buf, sizeof buf);
        if (n <= 0 || bus_phys_write(p->bus, p->syndbg_recv_page, buf, (size_t)n) < 0) {
            hv_msr_note(n ? "receive failed: status 0" : "receive: nothing pending, status 0");
            return 0;
        }
        snprintf(note, sizeof note, "%ld bytes from the debugger written to the receive page: "
                 "status receive success (4) | size << 16", n);
        hv_msr_note(note);
        return HV_SYNDBG_STATUS_RECV_SUCCESS | (uint64_t)n << 16;
    }
    hv_msr_note("no send or receive bit: status 0");
    return ST_SUCCESS;
}

enum msr_result hv_wr_syndbg(struct hv_vcpu *v, const struct hv_msr *m, uint32_t msr,
                             uint64_t val)
{
    struct hv_partition *p = v->p;
    uint64_t *s = syndbg_slot(p, msr);

    if (!syndbg_on(p) || !s) {
        hv_msr_note("the synthetic debugger is off (0x40000082.EAX bit 1 clear)");
        return MSR_GP;
    }
    *s = val;
    if (msr == HV_X64_MSR_SYNDBG_CONTROL) {
        p->syndbg_controls++;
        if (have_dev(p)) {
            p->syndbg_status = control_with_device(p, val);
            return MSR_OK;
        }
        /* QEMU without an hv-syndbg device: send/receive invalid, else success (both 0) */
        p->syndbg_status = (val & (HV_SYNDBG_CONTROL_SEND | HV_SYNDBG_CONTROL_RECV))
                           ? HV_SYNDBG_STATUS_INVALID : ST_SUCCESS;
        hv_msr_note(val & HV_SYNDBG_CONTROL_SEND ? "send: no debugger device, status invalid (0)"
                    : val & HV_SYNDBG_CONTROL_RECV ? "receive: no debugger device, status 0"
                    : "no send or receive bit: status 0");
    } else if (msr == HV_X64_MSR_SYNDBG_PENDING_BUFFER) {
        if (have_dev(p)) {
            hv_msr_note("pending page noted: byte 0 says whether the debugger sent data");
            poll_socket(p);
        } else {
            hv_msr_note("pending page noted; no debugger device will ever mark data pending");
        }
    }
    return MSR_OK;
}

/* ---- hypercalls ------------------------------------------------------------- */

/* HvPostDebugData with the device (QEMU's hyperv_hcall_post_dbg_data). */
static uint64_t post_data(struct hv_partition *p, struct hv_hcall_ctx *hc)
{
    uint32_t in[2];             /* count, options */
    uint8_t frame[PAGE_SIZE];
    uint32_t pending = 0;
    size_t ofs;

    if (bus_phys_read(p->bus, hc->ingpa, in, sizeof in) < 0)
        return ST_INSUFFICIENT_MEMORY;
    if (in[0] > PAGE_SIZE - sizeof in) {
        snprintf(hc->detail, sizeof hc->detail, "count %u is more than a page holds", in[0]);
        return ST_INVALID_PARAM;
    }
    if (bus_phys_read(p->bus, hc->ingpa + sizeof in, frame, in[0]) < 0)
        return ST_INSUFFICIENT_MEMORY;
    if (!udp_payload(frame, in[0], &ofs, &p->syndbg_target_ip)) {
        snprintf(hc->detail, sizeof hc->detail, "%u-byte frame is not IPv4/UDP: dropped", in[0]);
    } else if (send(p->cfg.syndbg_dev.fd, frame + ofs, in[0] - ofs, MSG_NOSIGNAL) < 0) {
        snprintf(hc->detail, sizeof hc->detail, "sending failed: %s", strerror(errno));
        return ST_INSUFFICIENT_MEMORY;
    } else {
        p->syndbg_sent++;
        snprintf(hc->detail, sizeof hc->detail, "UDP payload of %zu bytes sent to the debugger",
                 in[0] - ofs);
    }
    if (bus_phys_write(p->bus, hc->outgpa, &pending, sizeof pending) < 0)
        return ST_INSUFFICIENT_MEMORY;
    return ST_SUCCESS;
}

/* HvRetrieveDebugData with the device (QEMU's hyperv_hcall_retreive_dbg_data). */
static uint64_t retrieve_data(struct hv_partition *p, struct hv_hcall_ctx *hc)
{
    uint32_t in[4];             /* count, options, timeout (u64) */
    uint32_t out[2];            /* retrieved, remaining */
    uint8_t frame[PAGE_SIZE];

    if (bus_phys_read(p->bus, hc->ingpa, in, sizeof in) < 0)
        return ST_INSUFFICIENT_MEMORY;
    long n = recv_pending(p, frame + FRAME_HLEN, RECV_MAX);
    if (n < 0)
        return ST_INVALID_PARAM;
    if (!n) {
        out[0] = 0;
        out[1] = in[0];
        snprintf(hc->detail, sizeof hc->detail, "nothing pending from the debugger");
        return bus_phys_write(p->bus, hc->outgpa, out, sizeof out) < 0 ? ST_INSUFFICIENT_MEMORY
                                                                        : HV_STATUS_NO_DATA;
    }
    build_frame(p, frame, (size_t)n);
    out[0] = (uint32_t)n + FRAME_HLEN;
    out[1] = in[0] - out[0];
    if (bus_phys_write(p->bus, hc->outgpa + sizeof out, frame, out[0]) < 0 ||
        bus_phys_write(p->bus, hc->outgpa, out, sizeof out) < 0)
        return ST_INSUFFICIENT_MEMORY;
    snprintf(hc->detail, sizeof hc->detail, "%ld bytes from the debugger, returned as a %u-byte "
             "UDP frame", n, out[0]);
    return ST_SUCCESS;
}

/* HvResetDebugSession with the device: the connection's addresses. */
static uint64_t reset_session(struct hv_partition *p, struct hv_hcall_ctx *hc)
{
    uint8_t out[24] = { 0 };    /* host_ip, target_ip, host_port, target_port, 2 MACs */
    uint32_t ip = ntohl(p->cfg.syndbg_dev.host_ip);
    uint16_t port = ntohs(p->cfg.syndbg_dev.host_port);

    memcpy(out, &ip, 4);
    memcpy(out + 4, &ip, 4);
    memcpy(out + 8, &port, 2);
    memcpy(out + 10, &port, 2);
    if (bus_phys_write(p->bus, hc->outgpa, out, sizeof out) < 0)
        return ST_INSUFFICIENT_MEMORY;
    snprintf(hc->detail, sizeof hc->detail, "debugger endpoint %u.%u.%u.%u:%u reported",
             ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff, port);
    return ST_SUCCESS;
}

uint64_t hv_hc_debug(struct hv_vcpu *v, struct hv_hcall_ctx *hc)
{
    struct hv_partition *p = v->p;

    if (hc->fast && hc->code != 0x6b)
        return ST_INVALID_PARAM;
    if (!syndbg_on(p)) {
        snprintf(hc->detail, sizeof hc->detail, "the synthetic debugger is off");
        return ST_INVALID_CODE;
    }
    if (!(p->syndbg_options & HV_X64_SYNDBG_OPTION_USE_HCALLS)) {
        snprintf(hc->detail, sizeof hc->detail, "SYNDBG_OPTIONS bit 2 (use hypercalls) is clear");
        return ST_OPERATION_DENIED;
    }
    if (!have_dev(p)) {
        snprintf(hc->detail, sizeof hc->detail, "no debugger device behind it (QEMU answers 2)");
        return ST_INVALID_CODE;
    }
    switch (hc->code) {
    case 0x69: return post_data(p, hc);
    case 0x6a: return retrieve_data(p, hc);
    default: return reset_session(p, hc);
    }
}

void hv_syndbg_reset(struct hv_partition *p)
{
    if (!syndbg_on(p))
        return;
    /* what QEMU's hyperv_syndbg_query_options() gives: the device's
     * use_hcalls, 0 without a device */
    p->syndbg_options = have_dev(p) && p->cfg.syndbg_dev.use_hcalls
                        ? HV_X64_SYNDBG_OPTION_USE_HCALLS : 0;
    p->syndbg_pending = false;
}

void hv_syndbg_dump(struct hv_partition *p, FILE *out)
{
    if (!syndbg_on(p))
        return;
    if (have_dev(p)) {
        uint32_t ip = ntohl(p->cfg.syndbg_dev.host_ip);
        fprintf(out, "  synthetic debugger (device, debugger at %u.%u.%u.%u:%u): %llu datagrams "
                "sent, %llu received, data %s\n", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
                ip & 0xff, ntohs(p->cfg.syndbg_dev.host_port),
                (unsigned long long)p->syndbg_sent, (unsigned long long)p->syndbg_received,
                p->syndbg_pending ? "pending" : "not pending");
    }
    fprintf(out, "  synthetic debugger (%s): control 0x%llx (%llu writes), status 0x%llx, "
            "send 0x%llx, recv 0x%llx, pending 0x%llx, options 0x%llx\n",
            have_dev(p) ? "MSRs" : "no device",
            (unsigned long long)p->syndbg_control, (unsigned long long)p->syndbg_controls,
            (unsigned long long)p->syndbg_status, (unsigned long long)p->syndbg_send_page,
            (unsigned long long)p->syndbg_recv_page, (unsigned long long)p->syndbg_pending_page,
            (unsigned long long)p->syndbg_options);
}
