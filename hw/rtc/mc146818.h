/* hw/rtc/mc146818.h: the CMOS RTC (see mc146818.c). */
#ifndef SATORI_MC146818_H
#define SATORI_MC146818_H

#include "hw/hw.h"

struct rtc;

/*
 * Map the RTC at 0x70/0x71 on bus (NULL for unit tests).  irq is IRQ 8;
 * base is the date at virtual time 0 in Unix seconds (UTC).  NULL if the
 * ports are taken.
 */
struct rtc *rtc_new(struct bus *bus, struct irq_line irq, int64_t base);
void rtc_free(struct rtc *r);
/* Power-on register state; the clock and the CMOS memory are kept. */
void rtc_reset(struct rtc *r);
/* Set a CMOS memory byte (the board's memory sizes, boot order, ...). */
void rtc_cmos_set(struct rtc *r, unsigned index, uint8_t v);
/* Port 0x70 bit 7: NMIs masked (for the NMI source to consult). */
bool rtc_nmi_masked(const struct rtc *r);

/* Port access for tests and the bus: port 0x70 or 0x71. */
uint8_t rtc_port_read(struct rtc *r, uint16_t port);
void rtc_port_write(struct rtc *r, uint16_t port, uint8_t v);

/* Pure helpers (tested on their own): BCD and 12-hour encodings. */
uint8_t rtc_encode(uint8_t v, bool binary);
uint8_t rtc_decode(uint8_t v, bool binary);
uint8_t rtc_encode_hour(unsigned h24, bool binary, bool h24mode);
unsigned rtc_decode_hour(uint8_t v, bool binary, bool h24mode);
/* Alarm byte match: 0xC0-0xFF are don't-care values. */
bool rtc_alarm_byte_matches(uint8_t alarm, uint8_t now);

#endif
