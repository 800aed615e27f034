/*
 * testsuite/satori.hw/cmos-guest.h: CMOS/RTC register access through the
 * index port 0x70 (bit 7 = NMI disable, left 0) and the data port 0x71
 * (MC146818A data sheet, as the PC wires it).
 */
#ifndef SATORI_TEST_CMOS_GUEST_H
#define SATORI_TEST_CMOS_GUEST_H

#include "runtime.h"

static inline uint8_t cmos_read(uint8_t idx)
{
    outb(0x70, idx);
    return inb(0x71);
}

static inline void cmos_write(uint8_t idx, uint8_t v)
{
    outb(0x70, idx);
    outb(0x71, v);
}

#endif
