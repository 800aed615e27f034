/*
 * hw/input/i8042.c: the PC's 8042 keyboard controller with a PS/2
 * keyboard and a PS/2 mouse behind it, at 0x60 (data) and 0x64 (status,
 * command), IRQ 1 and IRQ 12, as QEMU's pc has them.  Facts from the IBM
 * PC AT Technical Reference ("Keyboard controller"), the PS/2 keyboard and
 * mouse command sets, and what Linux's i8042, atkbd and psmouse drivers
 * probe.
 *
 * Controller: status register (OBF, SYS flag, A2 command/data, keyboard
 * unlocked, AUX output buffer), command byte (0x20/0x60), self test
 * 0xAA -> 0x55, keyboard and AUX interface tests (0xAB, 0xA9 -> 0x00),
 * disable/enable keyboard (0xAD/0xAE) and AUX (0xA7/0xA8), input port
 * (0xC0), output port read/write (0xD0/0xD1: bit 0 = system reset line,
 * bit 1 = A20 gate), write keyboard/AUX output buffer (0xD2/0xD3), write
 * to the mouse (0xD4), A20 off/on (0xDD/0xDF), pulse output lines
 * (0xF0-0xFF: bit 0 clear pulses reset, so 0xFE resets the machine).
 *
 * Keyboard: reset 0xFF -> 0xFA 0xAA, LEDs 0xED, echo 0xEE, scan code set
 * 0xF0 (get: the set number, translated when the controller translates, as
 * QEMU), identify 0xF2 -> 0xFA 0xAB 0x41 (0x83 untranslated), typematic
 * 0xF3, enable/disable/defaults 0xF4/0xF5/0xF6, unknown -> 0xFE.  Mouse:
 * reset 0xFF -> 0xFA 0xAA 0x00, get ID 0xF2 (3 after the IntelliMouse
 * sample-rate sequence 200, 100, 80; 4 after 200, 200, 80), sample rate,
 * resolution, scaling, status request 0xE9, stream/remote/wrap modes,
 * read data 0xEB, enable/disable/defaults.
 *
 * The output buffer holds one byte; the controller's own replies come
 * first, then the keyboard's queue, then the mouse's (a disabled device
 * holds its bytes back).  IRQ 1 or 12 is high while the buffer holds a byte
 * of that device and the command byte enables its interrupt.
 *
 * Deviations: bytes move instantly (IBF never set, no timeouts, no
 * parity errors).  Status bit 3 (A2) clears on a data write as the data
 * sheet says; QEMU 7.2 leaves it set.  Host input arrives as set 1 codes (see
 * i8042_put_scancode); there is no set 2/3 generation.  The A20 gate is
 * tracked and read back but guest memory is never masked (satori's bus
 * has no A20 line; QEMU starts with A20 enabled too).
 */
#include "hw/input/i8042.h"

#include <stdlib.h>
#include <string.h>

/* status register */
#define KBD_STAT_OBF       0x01
#define KBD_STAT_SELFTEST  0x04   /* the SYS flag */
#define KBD_STAT_CMD       0x08   /* last write went to 0x64 */
#define KBD_STAT_UNLOCKED  0x10
#define KBD_STAT_MOUSE_OBF 0x20

/* command byte */
#define KBD_MODE_KBD_INT   0x01
#define KBD_MODE_MOUSE_INT 0x02
#define KBD_MODE_SYS       0x04
#define KBD_MODE_DISABLE_KBD   0x10
#define KBD_MODE_DISABLE_MOUSE 0x20
#define KBD_MODE_KCC       0x40   /* translate to set 1 */

/* output port */
#define KBD_OUT_RESET      0x01   /* 0 = system reset asserted */
#define KBD_OUT_A20        0x02
#define KBD_OUT_OBF        0x10
#define KBD_OUT_MOUSE_OBF  0x20
#define KBD_OUT_ONES       0xcc

/* device replies */
#define PS2_ACK    0xfa
#define PS2_RESEND 0xfe
#define PS2_BAT_OK 0xaa

#define QUEUE_SIZE 16

struct ps2_queue {
    uint8_t data[QUEUE_SIZE];
    int head, count;
};

struct i8042 {
    uint8_t status, mode, outport;
    uint8_t pending;              /* controller command waiting for its data byte */
    bool ctrl_full, ctrl_aux;     /* the controller's own reply, and from which side */
    uint8_t ctrl_byte;
    bool obf_aux;                 /* the output buffer's byte came from the mouse */
    uint8_t obuf;
    struct ps2_queue kbd_q, aux_q;
    /* keyboard */
    uint8_t kbd_cmd;              /* command waiting for its parameter */
    uint8_t scancode_set;
    bool kbd_scan;
    /* mouse */
    uint8_t aux_cmd;
    uint8_t aux_rate, aux_res, aux_id, aux_status;
    uint8_t aux_rates[3];         /* last three sample rates, for the ID sequences */
    bool aux_wrap;
    struct irq_line irq1, irq12;
    int level1, level12;
};

static void q_put(struct ps2_queue *q, uint8_t v)
{
    if (q->count == QUEUE_SIZE)
        return;                   /* a full device drops input, as hardware */
    q->data[(q->head + q->count++) % QUEUE_SIZE] = v;
}

static uint8_t q_get(struct ps2_queue *q)
{
    uint8_t v = q->data[q->head];

    q->head = (q->head + 1) % QUEUE_SIZE;
    q->count--;
    return v;
}

static void i8042_update_irq(struct i8042 *k)
{
    bool full = k->status & KBD_STAT_OBF;
    int l1 = full && !k->obf_aux && (k->mode & KBD_MODE_KBD_INT);
    int l12 = full && k->obf_aux && (k->mode & KBD_MODE_MOUSE_INT);

    k->outport = (uint8_t)((k->outport & ~(KBD_OUT_OBF | KBD_OUT_MOUSE_OBF))
                           | (l1 ? KBD_OUT_OBF : 0) | (l12 ? KBD_OUT_MOUSE_OBF : 0));
    if (l1 != k->level1) {
        k->level1 = l1;
        irq_set(&k->irq1, l1);
    }
    if (l12 != k->level12) {
        k->level12 = l12;
        irq_set(&k->irq12, l12);
    }
}

/* Move the next byte into an empty output buffer. */
static void i8042_fill(struct i8042 *k)
{
    if (!(k->status & KBD_STAT_OBF)) {
        if (k->ctrl_full) {
            k->obuf = k->ctrl_byte;
            k->obf_aux = k->ctrl_aux;
            k->ctrl_full = false;
        } else if (k->kbd_q.count && !(k->mode & KBD_MODE_DISABLE_KBD)) {
            k->obuf = q_get(&k->kbd_q);
            k->obf_aux = false;
        } else if (k->aux_q.count && !(k->mode & KBD_MODE_DISABLE_MOUSE)) {
            k->obuf = q_get(&k->aux_q);
            k->obf_aux = true;
        } else {
            i8042_update_irq(k);
            return;
        }
        k->status = (uint8_t)((k->status & ~KBD_STAT_MOUSE_OBF) | KBD_STAT_OBF
                              | (k->obf_aux ? KBD_STAT_MOUSE_OBF : 0));
    }
    i8042_update_irq(k);
}

static void i8042_reply(struct i8042 *k, uint8_t v, bool aux)
{
    k->ctrl_byte = v;
    k->ctrl_aux = aux;
    k->ctrl_full = true;
    i8042_fill(k);
}

/* ---- the keyboard ---------------------------------------------------------- */

static void kbd_reset_device(struct i8042 *k)
{
    k->scancode_set = 2;
    k->kbd_scan = true;
    k->kbd_cmd = 0;
}

static void kbd_write(struct i8042 *k, uint8_t v)
{
    struct ps2_queue *q = &k->kbd_q;

    if (k->kbd_cmd) {
        uint8_t cmd = k->kbd_cmd;
        k->kbd_cmd = 0;
        if (cmd == 0xf0) {             /* scan code set: 0 = get, 1-3 = set */
            q_put(q, PS2_ACK);
            if (v == 0) {
                static const uint8_t xlated[4] = { 0, 0x43, 0x41, 0x3f };
                q_put(q, (k->mode & KBD_MODE_KCC) ? xlated[k->scancode_set] : k->scancode_set);
            } else if (v <= 3) {
                k->scancode_set = v;
            }
        } else {                       /* 0xed LEDs, 0xf3 typematic: parameter accepted */
            q_put(q, PS2_ACK);
        }
        return;
    }
    switch (v) {
    case 0xed:                         /* set LEDs */
    case 0xf0:                         /* scan code set */
    case 0xf3:                         /* typematic rate/delay */
        k->kbd_cmd = v;
        q_put(q, PS2_ACK);
        break;
    case 0xee:                         /* echo */
        q_put(q, 0xee);
        break;
    case 0xf2:                         /* identify */
        q_put(q, PS2_ACK);
        q_put(q, 0xab);
        q_put(q, (k->mode & KBD_MODE_KCC) ? 0x41 : 0x83);
        break;
    case 0xf4:                         /* enable scanning */
        k->kbd_scan = true;
        q_put(q, PS2_ACK);
        break;
    case 0xf5:                         /* disable scanning, defaults */
        k->kbd_scan = false;
        k->scancode_set = 2;
        q_put(q, PS2_ACK);
        break;
    case 0xf6:                         /* defaults */
        k->scancode_set = 2;
        q_put(q, PS2_ACK);
        break;
    case 0xff:                         /* reset and self test */
        q->count = 0;
        kbd_reset_device(k);
        q_put(q, PS2_ACK);
        q_put(q, PS2_BAT_OK);
        break;
    default:
        q_put(q, PS2_RESEND);
        break;
    }
}

void i8042_put_scancode(struct i8042 *k, uint8_t code)
{
    if (!k->kbd_scan)
        return;
    q_put(&k->kbd_q, code);
    i8042_fill(k);
}

/* ---- the mouse --------------------------------------------------------- */

static void aux_defaults(struct i8042 *k)
{
    k->aux_rate = 100;
    k->aux_res = 2;
    k->aux_status = 0;         /* stream mode, disabled, scaling 1:1 */
}

static void aux_write(struct i8042 *k, uint8_t v)
{
    struct ps2_queue *q = &k->aux_q;

    if (k->aux_cmd) {
        uint8_t cmd = k->aux_cmd;
        k->aux_cmd = 0;
        q_put(q, PS2_ACK);
        if (cmd == 0xf3) {
            k->aux_rate = v;
            k->aux_rates[0] = k->aux_rates[1];
            k->aux_rates[1] = k->aux_rates[2];
            k->aux_rates[2] = v;
            if (k->aux_rates[0] == 200 && k->aux_rates[1] == 100 && k->aux_rates[2] == 80)
                k->aux_id = 3;         /* IntelliMouse */
            else if (k->aux_rates[0] == 200 && k->aux_rates[1] == 200 && k->aux_rates[2] == 80)
                k->aux_id = 4;         /* IntelliMouse Explorer */
        } else {
            k->aux_res = v & 3;        /* 0xe8 resolution */
        }
        return;
    }
    if (k->aux_wrap && v != 0xec && v != 0xff) {
        q_put(q, v);                   /* wrap mode echoes everything else */
        return;
    }
    switch (v) {
    case 0xe6:                         /* scaling 1:1 */
        k->aux_status &= (uint8_t)~0x10;
        q_put(q, PS2_ACK);
        break;
    case 0xe7:                         /* scaling 2:1 */
        k->aux_status |= 0x10;
        q_put(q, PS2_ACK);
        break;
    case 0xe8:                         /* resolution */
    case 0xf3:                         /* sample rate */
        k->aux_cmd = v;
        q_put(q, PS2_ACK);
        break;
    case 0xe9:                         /* status request */
        q_put(q, PS2_ACK);
        q_put(q, k->aux_status);
        q_put(q, k->aux_res);
        q_put(q, k->aux_rate);
        break;
    case 0xea:                         /* stream mode */
        k->aux_status &= (uint8_t)~0x40;
        q_put(q, PS2_ACK);
        break;
    case 0xeb:                         /* read data: no motion, no buttons */
        q_put(q, PS2_ACK);
        q_put(q, 0x08);
        q_put(q, 0x00);
        q_put(q, 0x00);
        break;
    case 0xec:                         /* reset wrap mode */
        k->aux_wrap = false;
        q_put(q, PS2_ACK);
        break;
    case 0xee:                         /* wrap mode */
        k->aux_wrap = true;
        q_put(q, PS2_ACK);
        break;
    case 0xf0:                         /* remote mode */
        k->aux_status |= 0x40;
        q_put(q, PS2_ACK);
        break;
    case 0xf2:                         /* get device ID */
        q_put(q, PS2_ACK);
        q_put(q, k->aux_id);
        break;
    case 0xf4:                         /* enable reporting */
        k->aux_status |= 0x20;
        q_put(q, PS2_ACK);
        break;
    case 0xf5:                         /* disable reporting */
        k->aux_status &= (uint8_t)~0x20;
        q_put(q, PS2_ACK);
        break;
    case 0xf6:                         /* defaults */
        aux_defaults(k);
        q_put(q, PS2_ACK);
        break;
    case 0xff:                         /* reset: ACK, self test passed, ID */
        q->count = 0;
        aux_defaults(k);
        k->aux_id = 0;
        k->aux_wrap = false;
        memset(k->aux_rates, 0, sizeof k->aux_rates);
        q_put(q, PS2_ACK);
        q_put(q, PS2_BAT_OK);
        q_put(q, 0x00);
        break;
    default:
        q_put(q, PS2_RESEND);
        break;
    }
}

/* ---- the controller ---------------------------------------------------- */

static void i8042_write_outport(struct i8042 *k, uint8_t v)
{
    k->outport = v;
    if (!(v & KBD_OUT_RESET))
        machine_request_reset();   /* the system reset line is active low */
}

static void i8042_command(struct i8042 *k, uint8_t cmd)
{
    if ((cmd & 0xf0) == 0xf0) {    /* pulse output port bits 3-0 that are 0 */
        if (!(cmd & 1))
            machine_request_reset();
        return;
    }
    switch (cmd) {
    case 0x20:                     /* read command byte */
        i8042_reply(k, k->mode, false);
        break;
    case 0x60:                     /* write command byte */
    case 0xd1:                     /* write output port */
    case 0xd2:                     /* write keyboard output buffer */
    case 0xd3:                     /* write mouse output buffer */
    case 0xd4:                     /* write to the mouse */
        k->pending = cmd;
        break;
    case 0xa7:                     /* disable the AUX interface */
        k->mode |= KBD_MODE_DISABLE_MOUSE;
        break;
    case 0xa8:                     /* enable the AUX interface */
        k->mode &= (uint8_t)~KBD_MODE_DISABLE_MOUSE;
        i8042_fill(k);
        break;
    case 0xa9:                     /* AUX interface test: no error */
    case 0xab:                     /* keyboard interface test: no error */
        i8042_reply(k, 0x00, false);
        break;
    case 0xaa:                     /* controller self test */
        k->status |= KBD_STAT_SELFTEST;
        i8042_reply(k, 0x55, false);
        break;
    case 0xad:                     /* disable the keyboard */
        k->mode |= KBD_MODE_DISABLE_KBD;
        break;
    case 0xae:                     /* enable the keyboard */
        k->mode &= (uint8_t)~KBD_MODE_DISABLE_KBD;
        i8042_fill(k);
        break;
    case 0xc0:                     /* read input port: keyboard not inhibited */
        i8042_reply(k, 0x80, false);
        break;
    case 0xd0:                     /* read output port */
        i8042_reply(k, k->outport, false);
        break;
    case 0xdd:                     /* A20 off */
        k->outport &= (uint8_t)~KBD_OUT_A20;
        break;
    case 0xdf:                     /* A20 on */
        k->outport |= KBD_OUT_A20;
        break;
    default:
        break;                     /* unknown commands are ignored */
    }
}

static void i8042_data(struct i8042 *k, uint8_t v)
{
    uint8_t cmd = k->pending;

    k->pending = 0;
    switch (cmd) {
    case 0x60:
        k->mode = v;
        k->status = (uint8_t)((k->status & ~KBD_STAT_SELFTEST) | (v & KBD_MODE_SYS));
        i8042_fill(k);
        break;
    case 0xd1:
        i8042_write_outport(k, v);
        break;
    case 0xd2:
        i8042_reply(k, v, false);
        break;
    case 0xd3:
        i8042_reply(k, v, true);
        break;
    case 0xd4:
        aux_write(k, v);
        i8042_fill(k);
        break;
    default:
        kbd_write(k, v);
        i8042_fill(k);
        break;
    }
}

uint8_t i8042_port_read(struct i8042 *k, uint16_t port)
{
    if (port == 0x64)
        return k->status;
    uint8_t v = k->obuf;           /* an empty buffer reads its last byte again */
    if (k->status & KBD_STAT_OBF) {
        /*
         * The read empties the buffer and drops IRQ 1/12 before the next
         * byte loads and raises it again: the edge the PIC and IOAPIC need
         * to see one interrupt per byte of a multi-byte reply.
         */
        k->status &= (uint8_t)~(KBD_STAT_OBF | KBD_STAT_MOUSE_OBF);
        i8042_update_irq(k);
        i8042_fill(k);
    }
    return v;
}

void i8042_port_write(struct i8042 *k, uint16_t port, uint8_t v)
{
    if (port == 0x64) {
        k->status |= KBD_STAT_CMD;
        k->pending = 0;
        i8042_command(k, v);
    } else {
        k->status &= (uint8_t)~KBD_STAT_CMD;
        i8042_data(k, v);
    }
}

bool i8042_a20(const struct i8042 *k)
{
    return k->outport & KBD_OUT_A20;
}

static uint64_t i8042_data_read(void *opaque, uint64_t off, unsigned size)
{
    return i8042_port_read(opaque, 0x60);
}

static void i8042_data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    i8042_port_write(opaque, 0x60, (uint8_t)val);
}

static uint64_t i8042_cmd_read(void *opaque, uint64_t off, unsigned size)
{
    return i8042_port_read(opaque, 0x64);
}

static void i8042_cmd_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    i8042_port_write(opaque, 0x64, (uint8_t)val);
}

static const struct dev_ops i8042_data_ops = {
    .read = i8042_data_read, .write = i8042_data_write, .min_size = 1, .max_size = 1,
};

static const struct dev_ops i8042_cmd_ops = {
    .read = i8042_cmd_read, .write = i8042_cmd_write, .min_size = 1, .max_size = 1,
};

void i8042_reset(struct i8042 *k)
{
    struct irq_line irq1 = k->irq1, irq12 = k->irq12;

    if (k->level1)
        irq_set(&irq1, 0);
    if (k->level12)
        irq_set(&irq12, 0);
    memset(k, 0, sizeof *k);
    k->irq1 = irq1;
    k->irq12 = irq12;
    k->status = KBD_STAT_CMD | KBD_STAT_UNLOCKED;
    k->mode = KBD_MODE_KBD_INT | KBD_MODE_MOUSE_INT;
    k->outport = KBD_OUT_RESET | KBD_OUT_A20 | KBD_OUT_ONES;
    kbd_reset_device(k);
    aux_defaults(k);
}

struct i8042 *i8042_new(struct bus *bus, struct irq_line irq1, struct irq_line irq12)
{
    struct i8042 *k = calloc(1, sizeof *k);

    if (!k)
        abort();
    k->irq1 = irq1;
    k->irq12 = irq12;
    i8042_reset(k);
    if (bus && (bus_map_io(bus, 0x60, 1, &i8042_data_ops, k, "i8042") < 0
                || bus_map_io(bus, 0x64, 1, &i8042_cmd_ops, k, "i8042-cmd") < 0)) {
        i8042_free(k);
        return NULL;
    }
    return k;
}

void i8042_free(struct i8042 *k)
{
    free(k);
}
