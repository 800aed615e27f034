/*
 * hw/misc/hyperv-testdev.c: QEMU's `-device hyperv-testdev`, the ISA
 * device Hyper-V kvm-unit-tests (hyperv_synic, hyperv_connections) drive.
 *
 * One write-only 32-bit register at I/O port 0x3000.  A write is a
 * command: bits 7:0 SINT, 15:8 VP index, 23:16 command, 31:24 connection
 * id.  Commands (QEMU's numbering):
 *   1 SINT_ROUTE_CREATE   route (VP, SINT) exists (no message callback)
 *   2 SINT_ROUTE_DESTROY  route (VP, SINT) goes
 *   3 SINT_ROUTE_SET_SINT raise SINT of VP (as a KVM irqfd would)
 *   4 MSG_CONN_CREATE     HvPostMessage to the connection id is posted
 *                         back, same type and payload, into SINT's slot
 *                         of VP: status SUCCESS, INSUFFICIENT_BUFFERS
 *                         while the previous one is still staged; a
 *                         message that found the slot busy is posted
 *                         again once the guest acknowledges the SINT
 *   5 MSG_CONN_DESTROY
 *   6 EVT_CONN_CREATE     HvSignalEvent of the connection id (a KVM
 *                         event connection) sets event flag <conn id> in
 *                         SINT's SIEFP slot of VP
 *   7 EVT_CONN_DESTROY
 * Other commands are ignored, as in QEMU.  Reads return 0.
 *
 * Deviation: QEMU asserts (the process aborts) on commands naming a route
 * or connection that does not exist, twice-created connections, routes to
 * a vCPU without SynIC, or a staged message whose posting failed; satori
 * logs them under -d guest_errors and ignores the command.
 */
#include "hw/misc/hyperv-testdev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hyperv/hyperv.h"
#include "util/log.h"

#define HV_STATUS_SUCCESS                 0x0
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x3
#define HV_STATUS_INSUFFICIENT_BUFFERS    0x13

enum {
    HV_TEST_DEV_SINT_ROUTE_CREATE = 1,
    HV_TEST_DEV_SINT_ROUTE_DESTROY,
    HV_TEST_DEV_SINT_ROUTE_SET_SINT,
    HV_TEST_DEV_MSG_CONN_CREATE,
    HV_TEST_DEV_MSG_CONN_DESTROY,
    HV_TEST_DEV_EVT_CONN_CREATE,
    HV_TEST_DEV_EVT_CONN_DESTROY,
};

/* A route, message connection or event connection the guest created. */
struct testdev_item {
    int kind;                     /* the CREATE command */
    uint8_t vp, sint, conn_id;
    struct hv_sint_route *route;
    uint8_t msg[HV_MESSAGE_SIZE]; /* message connections: what is posted */
    struct hyperv_testdev *dev;
    struct testdev_item *next;
};

struct hyperv_testdev {
    struct bus *bus;
    struct hv_partition *p;
    struct testdev_item *items;
};

static void bad_command(const char *what, uint32_t cmd)
{
    if (log_on(LOG_GUEST_ERRORS))
        log_printf("hyperv-testdev: command 0x%08x ignored: %s\n", cmd, what);
}

static struct testdev_item *find(struct hyperv_testdev *d, int kind, uint8_t vp, uint8_t sint,
                                 uint8_t conn_id)
{
    for (struct testdev_item *it = d->items; it; it = it->next) {
        if (it->kind != kind)
            continue;
        if (kind == HV_TEST_DEV_SINT_ROUTE_CREATE ? it->vp == vp && it->sint == sint
                                                  : it->conn_id == conn_id)
            return it;
    }
    return NULL;
}

static void item_free(struct hyperv_testdev *d, struct testdev_item *it)
{
    for (struct testdev_item **pp = &d->items; *pp; pp = &(*pp)->next) {
        if (*pp == it) {
            *pp = it->next;
            break;
        }
    }
    if (it->kind == HV_TEST_DEV_MSG_CONN_CREATE)
        hv_set_msg_handler(d->p, it->conn_id, NULL, NULL);
    else if (it->kind == HV_TEST_DEV_EVT_CONN_CREATE)
        hv_set_event_handler(d->p, it->conn_id, NULL, NULL);
    hv_sint_route_free(it->route);
    free(it);
}

/* The staged message ended: a busy slot was freed -> post it again. */
static void msg_done(void *opaque, int status)
{
    struct testdev_item *it = opaque;

    if (!status)
        return;
    if (status != -EAGAIN || hv_sint_route_post(it->route, it->msg) < 0)
        bad_command("message could not be posted again", 0);
}

static uint16_t msg_handler(void *opaque, const struct hv_post_message_input *m)
{
    struct testdev_item *it = opaque;

    /* post back what came in: type, size, payload (the rest is left as is) */
    memcpy(it->msg, &m->message_type, 4);
    it->msg[4] = (uint8_t)m->payload_size;
    memcpy(it->msg + 16, m->payload, m->payload_size);
    switch (hv_sint_route_post(it->route, it->msg)) {
    case 0: return HV_STATUS_SUCCESS;
    case -EAGAIN: return HV_STATUS_INSUFFICIENT_BUFFERS;
    default: return HV_STATUS_INVALID_HYPERCALL_INPUT;
    }
}

static void evt_handler(void *opaque)
{
    struct testdev_item *it = opaque;

    hv_sint_route_set_flag(it->route, it->conn_id);
}

static void create(struct hyperv_testdev *d, int kind, uint8_t vp, uint8_t sint, uint8_t conn,
                   uint32_t cmd)
{
    struct testdev_item *it = calloc(1, sizeof *it);

    if (!it)
        abort();
    it->kind = kind;
    it->vp = vp;
    it->sint = sint;
    it->conn_id = conn;
    it->dev = d;
    it->route = hv_sint_route_new(d->p, vp, sint,
                                  kind == HV_TEST_DEV_MSG_CONN_CREATE ? msg_done : NULL, it);
    if (!it->route) {
        free(it);
        bad_command("no such VP index, SINT, or the SynIC is not active", cmd);
        return;
    }
    int r = 0;
    if (kind == HV_TEST_DEV_MSG_CONN_CREATE)
        r = hv_set_msg_handler(d->p, conn, msg_handler, it);
    else if (kind == HV_TEST_DEV_EVT_CONN_CREATE)
        r = hv_set_event_handler(d->p, conn, evt_handler, it);
    if (r < 0) {
        hv_sint_route_free(it->route);
        free(it);
        bad_command("the connection id is already in use", cmd);
        return;
    }
    it->next = d->items;
    d->items = it;
}

static void control_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct hyperv_testdev *d = opaque;
    uint32_t cmd = (uint32_t)val;
    uint8_t sint = cmd & 0xff, vp = (cmd >> 8) & 0xff, ctl = (cmd >> 16) & 0xff;
    uint8_t conn = cmd >> 24;
    struct testdev_item *it;

    switch (ctl) {
    case HV_TEST_DEV_SINT_ROUTE_CREATE:
    case HV_TEST_DEV_MSG_CONN_CREATE:
    case HV_TEST_DEV_EVT_CONN_CREATE:
        create(d, ctl, vp, sint, conn, cmd);
        break;
    case HV_TEST_DEV_SINT_ROUTE_DESTROY:
    case HV_TEST_DEV_SINT_ROUTE_SET_SINT:
        it = find(d, HV_TEST_DEV_SINT_ROUTE_CREATE, vp, sint, 0);
        if (!it)
            bad_command("no such SINT route", cmd);
        else if (ctl == HV_TEST_DEV_SINT_ROUTE_DESTROY)
            item_free(d, it);
        else
            hv_sint_route_set_sint(it->route);
        break;
    case HV_TEST_DEV_MSG_CONN_DESTROY:
    case HV_TEST_DEV_EVT_CONN_DESTROY:
        it = find(d, ctl - 1, 0, 0, conn);
        if (!it)
            bad_command("no such connection", cmd);
        else
            item_free(d, it);
        break;
    default:
        break;
    }
}

static uint64_t control_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static const struct dev_ops control_ops = {
    .read = control_read, .write = control_write, .min_size = 4, .max_size = 4,
};

struct hyperv_testdev *hyperv_testdev_new(struct bus *bus, struct hv_partition *p)
{
    struct hyperv_testdev *d = calloc(1, sizeof *d);

    if (!d)
        abort();
    d->bus = bus;
    d->p = p;
    if (bus_map_io(bus, HYPERV_TESTDEV_PORT, 4, &control_ops, d, "hyperv-testdev") < 0) {
        free(d);
        return NULL;
    }
    return d;
}

void hyperv_testdev_free(struct hyperv_testdev *d)
{
    if (!d)
        return;
    while (d->items)
        item_free(d, d->items);
    bus_unmap_io(d->bus, HYPERV_TESTDEV_PORT, d);
    free(d);
}
