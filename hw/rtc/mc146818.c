/*
 * hw/rtc/mc146818.c: the PC's CMOS real-time clock (Motorola MC146818A
 * data sheet: "Address Map", "Time, Calendar and Alarm Locations",
 * "Registers A-D", "Interrupts"), at 0x70 (index; bit 7 masks NMIs) and
 * 0x71 (data), with 128 bytes of CMOS memory, IRQ 8.
 *
 * Time: the clock is the board-given date at virtual time 0 (Unix
 * seconds; the board takes it from vclock_wall_base(), so an -icount run
 * always starts on the same date) plus virtual nanoseconds.  The time
 * registers are computed from that on every read, in the format register
 * B selects (BCD or binary, 12 or 24 hours); century at 0x32 as QEMU.
 * Setting SET freezes the registers for the guest to write; clearing it
 * starts the clock at the written time, the second beginning then.  A
 * divider in reset (register A DV = 11x) stops the clock; leaving reset
 * makes the first update come 500 ms later (data sheet).  Writing a time
 * register while the clock runs sets the clock at once (as QEMU).
 *
 * Flags: PF (at the rate of register A's RS bits, set whether or not PIE
 * is), AF (the alarm bytes match hours, minutes, seconds; 0xC0-0xFF in an
 * alarm byte match any value) and UF (each update) are computed lazily
 * from the virtual clock when register C is read or an interrupt is due,
 * so polling works without interrupts and no timer runs for flags nobody
 * enabled.  IRQF = PF.PIE | AF.AIE | UF.UIE drives IRQ 8 high until
 * register C is read.  UIP is set during the last 244 us of each second.
 *
 * Deviations: the square-wave output (SQWE) drives no pin, the daylight
 * saving bit (DSE) is stored but never moves the clock (as QEMU); QEMU 7.2
 * sets PF only while PIE is set, whereas here PF also runs with PIE clear
 * (data sheet).
 */
#include "hw/rtc/mc146818.h"

#include <stdlib.h>
#include <string.h>

#include "timers/timers.h"

#define RTC_SECONDS       0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES       0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS         0x04
#define RTC_HOURS_ALARM   0x05
#define RTC_DAY_OF_WEEK   0x06
#define RTC_DAY_OF_MONTH  0x07
#define RTC_MONTH         0x08
#define RTC_YEAR          0x09
#define RTC_REG_A         0x0a
#define RTC_REG_B         0x0b
#define RTC_REG_C         0x0c
#define RTC_REG_D         0x0d
#define RTC_CENTURY       0x32

#define REG_A_UIP  0x80
#define REG_B_SET  0x80
#define REG_B_PIE  0x40
#define REG_B_AIE  0x20
#define REG_B_UIE  0x10
#define REG_B_SQWE 0x08
#define REG_B_DM   0x04      /* 1 = binary */
#define REG_B_24H  0x02
#define REG_B_DSE  0x01
#define REG_C_IRQF 0x80
#define REG_C_PF   0x40
#define REG_C_AF   0x20
#define REG_C_UF   0x10
#define REG_D_VRT  0x80

#define NS_PER_SEC 1000000000ll
#define RTC_UIP_NS 244000     /* update cycle length (data sheet, 32.768 kHz) */

struct rtc {
    uint8_t cmos[128];
    uint8_t index;
    bool nmi_masked;
    struct irq_line irq;
    int irq_level;
    int64_t base_ns;         /* wall ns = base_ns + vclock_ns() while running */
    int64_t stop_wall_ns;    /* the wall clock while stopped */
    int64_t flags_ns;        /* vclock ns up to which PF, AF, UF are computed */
    struct timer *timer;
};

/* ---- encodings ----------------------------------------------------------- */

uint8_t rtc_encode(uint8_t v, bool binary)
{
    return binary ? v : (uint8_t)((v / 10) << 4 | v % 10);
}

uint8_t rtc_decode(uint8_t v, bool binary)
{
    return binary ? v : (uint8_t)((v >> 4) * 10 + (v & 0x0f));
}

uint8_t rtc_encode_hour(unsigned h24, bool binary, bool h24mode)
{
    if (h24mode)
        return rtc_encode((uint8_t)h24, binary);
    unsigned h12 = h24 % 12 ? h24 % 12 : 12;
    return (uint8_t)(rtc_encode((uint8_t)h12, binary) | (h24 >= 12 ? 0x80 : 0));
}

unsigned rtc_decode_hour(uint8_t v, bool binary, bool h24mode)
{
    if (h24mode)
        return rtc_decode(v, binary);
    return rtc_decode(v & 0x7f, binary) % 12 + ((v & 0x80) ? 12 : 0);
}

bool rtc_alarm_byte_matches(uint8_t alarm, uint8_t now)
{
    return (alarm & 0xc0) == 0xc0 || alarm == now;
}

/* ---- the calendar (proleptic Gregorian, UTC) ----------------------------- */

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const uint8_t d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

struct rtc_tm {
    int year, month, day, wday;      /* wday 1 = Sunday (the RTC's numbering) */
    int hour, min, sec;
};

static struct rtc_tm rtc_tm_of(int64_t secs)
{
    struct rtc_tm t;
    int64_t days = secs / 86400, rem = secs % 86400;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    t.hour = (int)(rem / 3600);
    t.min = (int)(rem / 60 % 60);
    t.sec = (int)(rem % 60);
    t.wday = (int)(((days + 4) % 7 + 7) % 7) + 1;   /* 1970-01-01 was a Thursday */
    t.year = 1970;
    while (days < 0) {
        t.year--;
        days += leap(t.year) ? 366 : 365;
    }
    while (days >= (leap(t.year) ? 366 : 365)) {
        days -= leap(t.year) ? 366 : 365;
        t.year++;
    }
    t.month = 1;
    while (days >= month_days(t.year, t.month))
        days -= month_days(t.year, t.month++);
    t.day = (int)days + 1;
    return t;
}

static int64_t rtc_secs_of(const struct rtc_tm *t)
{
    int64_t days = 0;

    for (int y = 1970; y < t->year; y++)
        days += leap(y) ? 366 : 365;
    for (int y = t->year; y < 1970; y++)
        days -= leap(y) ? 366 : 365;
    for (int m = 1; m < t->month && m <= 12; m++)
        days += month_days(t->year, m);
    days += t->day - 1;
    return days * 86400 + t->hour * 3600 + t->min * 60 + t->sec;
}

/* ---- clock state --------------------------------------------------------- */

static bool rtc_binary(const struct rtc *r) { return r->cmos[RTC_REG_B] & REG_B_DM; }
static bool rtc_24h(const struct rtc *r) { return r->cmos[RTC_REG_B] & REG_B_24H; }

static bool rtc_divider_on(const struct rtc *r)
{
    return (r->cmos[RTC_REG_A] & 0x60) != 0x60;
}

static bool rtc_running(const struct rtc *r)
{
    return rtc_divider_on(r) && !(r->cmos[RTC_REG_B] & REG_B_SET);
}

static int64_t rtc_wall_ns(const struct rtc *r, int64_t vns)
{
    return rtc_running(r) ? r->base_ns + vns : r->stop_wall_ns;
}

static void rtc_encode_time(struct rtc *r, uint8_t *regs, int64_t secs)
{
    struct rtc_tm t = rtc_tm_of(secs);
    bool bin = rtc_binary(r);

    regs[RTC_SECONDS] = rtc_encode((uint8_t)t.sec, bin);
    regs[RTC_MINUTES] = rtc_encode((uint8_t)t.min, bin);
    regs[RTC_HOURS] = rtc_encode_hour((unsigned)t.hour, bin, rtc_24h(r));
    regs[RTC_DAY_OF_WEEK] = rtc_encode((uint8_t)t.wday, bin);
    regs[RTC_DAY_OF_MONTH] = rtc_encode((uint8_t)t.day, bin);
    regs[RTC_MONTH] = rtc_encode((uint8_t)t.month, bin);
    regs[RTC_YEAR] = rtc_encode((uint8_t)(t.year % 100), bin);
    regs[RTC_CENTURY] = rtc_encode((uint8_t)(t.year / 100), bin);
}

static int64_t rtc_decode_time(const struct rtc *r, const uint8_t *regs)
{
    bool bin = rtc_binary(r);
    struct rtc_tm t = {
        .sec = rtc_decode(regs[RTC_SECONDS], bin) % 60,
        .min = rtc_decode(regs[RTC_MINUTES], bin) % 60,
        .hour = (int)(rtc_decode_hour(regs[RTC_HOURS], bin, rtc_24h(r)) % 24),
        .day = rtc_decode(regs[RTC_DAY_OF_MONTH], bin),
        .month = rtc_decode(regs[RTC_MONTH], bin),
        .year = rtc_decode(regs[RTC_CENTURY], bin) * 100 + rtc_decode(regs[RTC_YEAR], bin),
    };

    if (t.month < 1 || t.month > 12)
        t.month = 1;
    if (t.day < 1 || t.day > month_days(t.year, t.month))
        t.day = 1;
    return rtc_secs_of(&t);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Periodic rate from register A's RS bits, in 32.768 kHz clocks; 0 = off. */
static int64_t rtc_period_clocks(const struct rtc *r)
{
    unsigned rs = r->cmos[RTC_REG_A] & 0x0f;

    if (!rs)
        return 0;
    return rs <= 2 ? 1ll << (rs + 6) : 1ll << (rs - 1);
}

/* The 32.768 kHz divider chain follows the wall clock's phase. */
static int64_t rtc_clocks_of(const struct rtc *r, int64_t vns)
{
    __int128 w = (__int128)(r->base_ns + vns) * 32768;
    return (int64_t)(w / NS_PER_SEC);
}

static bool rtc_alarm_at(struct rtc *r, int64_t secs)
{
    uint8_t t[128];

    rtc_encode_time(r, t, secs);
    return rtc_alarm_byte_matches(r->cmos[RTC_SECONDS_ALARM], t[RTC_SECONDS])
           && rtc_alarm_byte_matches(r->cmos[RTC_MINUTES_ALARM], t[RTC_MINUTES])
           && rtc_alarm_byte_matches(r->cmos[RTC_HOURS_ALARM], t[RTC_HOURS]);
}

/* Bring PF, AF and UF up to virtual time now. */
static void rtc_refresh(struct rtc *r, int64_t now)
{
    int64_t from = r->flags_ns;

    r->flags_ns = now;
    if (now <= from)
        return;
    int64_t p = rtc_period_clocks(r);
    if (p && rtc_divider_on(r)
        && floor_div(rtc_clocks_of(r, now), p) > floor_div(rtc_clocks_of(r, from), p))
        r->cmos[RTC_REG_C] |= REG_C_PF;
    if (!rtc_running(r))
        return;
    int64_t s0 = floor_div(r->base_ns + from, NS_PER_SEC);
    int64_t s1 = floor_div(r->base_ns + now, NS_PER_SEC);
    if (s1 <= s0)
        return;
    r->cmos[RTC_REG_C] |= REG_C_UF;
    if (s1 - s0 >= 86400) {
        r->cmos[RTC_REG_C] |= REG_C_AF;   /* every time of day went by */
        return;
    }
    for (int64_t s = s0 + 1; s <= s1; s++) {
        if (rtc_alarm_at(r, s)) {
            r->cmos[RTC_REG_C] |= REG_C_AF;
            break;
        }
    }
}

static bool rtc_irqf(const struct rtc *r)
{
    uint8_t b = r->cmos[RTC_REG_B], c = r->cmos[RTC_REG_C];

    return ((c & REG_C_PF) && (b & REG_B_PIE)) || ((c & REG_C_AF) && (b & REG_B_AIE))
           || ((c & REG_C_UF) && (b & REG_B_UIE));
}

/* Drive IRQ 8 and arm the timer for the next flag that could raise it. */
static void rtc_update(struct rtc *r)
{
    int64_t now = vclock_ns(), next = INT64_MAX;

    rtc_refresh(r, now);
    int level = rtc_irqf(r);
    if (level != r->irq_level) {
        r->irq_level = level;
        irq_set(&r->irq, level);
    }
    if (level) {
        timer_del(r->timer);   /* only a read of register C can lower it */
        return;
    }
    uint8_t b = r->cmos[RTC_REG_B];
    int64_t p = rtc_period_clocks(r);
    if ((b & REG_B_PIE) && p && rtc_divider_on(r)) {
        int64_t k = (floor_div(rtc_clocks_of(r, now), p) + 1) * p;
        int64_t wall = (int64_t)(((__int128)k * NS_PER_SEC + 32767) / 32768);
        next = wall - r->base_ns;
    }
    if ((b & (REG_B_UIE | REG_B_AIE)) && rtc_running(r)) {
        int64_t s = (floor_div(r->base_ns + now, NS_PER_SEC) + 1) * NS_PER_SEC - r->base_ns;
        if (s < next)
            next = s;
    }
    if (next == INT64_MAX)
        timer_del(r->timer);
    else
        timer_mod(r->timer, next);
}

static void rtc_timer_cb(void *opaque)
{
    rtc_update(opaque);
}

/* Set the running clock to secs (the current second's phase kept). */
static void rtc_set_clock(struct rtc *r, int64_t secs, int64_t now)
{
    int64_t wall = rtc_wall_ns(r, now);
    int64_t phase = wall - floor_div(wall, NS_PER_SEC) * NS_PER_SEC;

    if (rtc_running(r))
        r->base_ns = secs * NS_PER_SEC + phase - now;
    else
        r->stop_wall_ns = secs * NS_PER_SEC + phase;
}

static void rtc_write_reg(struct rtc *r, uint8_t idx, uint8_t v)
{
    int64_t now = vclock_ns();
    bool was_running = rtc_running(r);
    int64_t wall = rtc_wall_ns(r, now);

    rtc_refresh(r, now);
    switch (idx) {
    case RTC_REG_A: {
        bool was_on = rtc_divider_on(r);
        r->cmos[RTC_REG_A] = v & 0x7f;
        if (was_on && !rtc_divider_on(r)) {
            r->stop_wall_ns = wall;
        } else if (!was_on && rtc_divider_on(r) && rtc_running(r)) {
            /* the first update comes 500 ms after the divider leaves reset */
            int64_t s = floor_div(r->stop_wall_ns, NS_PER_SEC);
            r->base_ns = s * NS_PER_SEC + NS_PER_SEC / 2 - now;
        }
        break;
    }
    case RTC_REG_B: {
        uint8_t old = r->cmos[RTC_REG_B];
        if (!(old & REG_B_SET) && (v & REG_B_SET)) {
            /* freeze the registers for the guest to write */
            rtc_encode_time(r, r->cmos, floor_div(wall, NS_PER_SEC));
            r->stop_wall_ns = wall;
        }
        r->cmos[RTC_REG_B] = v;
        if ((old & REG_B_SET) && !(v & REG_B_SET)) {
            int64_t secs = rtc_decode_time(r, r->cmos);
            if (rtc_running(r))
                r->base_ns = secs * NS_PER_SEC - now;   /* the second begins now */
            else
                r->stop_wall_ns = secs * NS_PER_SEC;
        } else if (was_running != rtc_running(r) && !rtc_running(r)) {
            r->stop_wall_ns = wall;
        }
        break;
    }
    case RTC_REG_C:
    case RTC_REG_D:
        break;                 /* read-only */
    case RTC_SECONDS_ALARM:
    case RTC_MINUTES_ALARM:
    case RTC_HOURS_ALARM:
        r->cmos[idx] = v;
        break;
    default:                   /* a time register (or the century) */
        if (r->cmos[RTC_REG_B] & REG_B_SET) {
            r->cmos[idx] = v;
        } else {
            uint8_t t[128];
            memcpy(t, r->cmos, sizeof t);
            rtc_encode_time(r, t, floor_div(wall, NS_PER_SEC));
            t[idx] = v;
            rtc_set_clock(r, rtc_decode_time(r, t), now);
        }
        break;
    }
    r->flags_ns = now;
    rtc_update(r);
}

static uint8_t rtc_read_reg(struct rtc *r, uint8_t idx)
{
    int64_t now = vclock_ns();

    switch (idx) {
    case RTC_REG_A: {
        int64_t w = rtc_wall_ns(r, now);
        bool uip = rtc_running(r)
                   && w - floor_div(w, NS_PER_SEC) * NS_PER_SEC >= NS_PER_SEC - RTC_UIP_NS;
        return (uint8_t)(r->cmos[RTC_REG_A] | (uip ? REG_A_UIP : 0));
    }
    case RTC_REG_C: {
        rtc_refresh(r, now);
        uint8_t v = r->cmos[RTC_REG_C] | (rtc_irqf(r) ? REG_C_IRQF : 0);
        r->cmos[RTC_REG_C] = 0;
        rtc_update(r);
        return v;
    }
    case RTC_REG_D:
        return REG_D_VRT;
    case RTC_REG_B:
    case RTC_SECONDS_ALARM:
    case RTC_MINUTES_ALARM:
    case RTC_HOURS_ALARM:
        return r->cmos[idx];
    default: {
        if (r->cmos[RTC_REG_B] & REG_B_SET)
            return r->cmos[idx];
        uint8_t t[128];
        rtc_encode_time(r, t, floor_div(rtc_wall_ns(r, now), NS_PER_SEC));
        return t[idx];
    }
    }
}

static bool rtc_is_clock_reg(unsigned idx)
{
    return idx <= RTC_REG_D || idx == RTC_CENTURY;
}

uint8_t rtc_port_read(struct rtc *r, uint16_t port)
{
    if (port == 0x70)
        return 0xff;           /* the index register is write-only */
    if (rtc_is_clock_reg(r->index))
        return rtc_read_reg(r, r->index);
    return r->cmos[r->index];
}

void rtc_port_write(struct rtc *r, uint16_t port, uint8_t v)
{
    if (port == 0x70) {
        r->index = v & 0x7f;
        r->nmi_masked = v & 0x80;
    } else if (rtc_is_clock_reg(r->index)) {
        rtc_write_reg(r, r->index, v);
    } else {
        r->cmos[r->index] = v;
    }
}

bool rtc_nmi_masked(const struct rtc *r)
{
    return r->nmi_masked;
}

void rtc_cmos_set(struct rtc *r, unsigned index, uint8_t v)
{
    if (index < sizeof r->cmos && !rtc_is_clock_reg(index))
        r->cmos[index] = v;
}

static uint64_t rtc_io_read(void *opaque, uint64_t off, unsigned size)
{
    return rtc_port_read(opaque, (uint16_t)(0x70 + off));
}

static void rtc_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    rtc_port_write(opaque, (uint16_t)(0x70 + off), (uint8_t)val);
}

static const struct dev_ops rtc_ops = {
    .read = rtc_io_read, .write = rtc_io_write, .min_size = 1, .max_size = 1,
};

void rtc_reset(struct rtc *r)
{
    /* the RESET pin clears the interrupt enables and flags (data sheet) */
    r->cmos[RTC_REG_B] &= (uint8_t)~(REG_B_PIE | REG_B_AIE | REG_B_UIE | REG_B_SQWE);
    r->cmos[RTC_REG_C] = 0;
    r->flags_ns = vclock_ns();
    r->nmi_masked = false;
    rtc_update(r);
}

struct rtc *rtc_new(struct bus *bus, struct irq_line irq, int64_t base)
{
    struct rtc *r = calloc(1, sizeof *r);

    if (!r)
        abort();
    r->irq = irq;
    r->timer = timer_new(rtc_timer_cb, r);
    r->cmos[RTC_REG_A] = 0x26;   /* 32.768 kHz time base, 1024 Hz rate (as QEMU) */
    r->cmos[RTC_REG_B] = REG_B_24H;
    r->cmos[RTC_REG_D] = REG_D_VRT;
    r->base_ns = base * NS_PER_SEC - vclock_ns();
    r->flags_ns = vclock_ns();
    if (bus && bus_map_io(bus, 0x70, 2, &rtc_ops, r, "mc146818") < 0) {
        rtc_free(r);
        return NULL;
    }
    return r;
}

void rtc_free(struct rtc *r)
{
    if (!r)
        return;
    timer_free(r->timer);
    free(r);
}
