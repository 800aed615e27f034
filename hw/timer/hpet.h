/* hw/timer/hpet.h: the HPET of QEMU's pc (see hpet.c). */
#ifndef SATORI_HPET_H
#define SATORI_HPET_H

#include "hw/hw.h"

#define HPET_BASE     0xfed00000ull
#define HPET_LEN      0x400
#define HPET_NUM_GSI  24      /* interrupt routes: GSI 0..23 */
#define HPET_NUM_TIMERS 3

struct hpet;

/*
 * Map the HPET at HPET_BASE on bus (NULL for unit tests).  gsi[] has
 * HPET_NUM_GSI lines indexed by GSI number, as QEMU's gsi handler: 0-15
 * reach the 8259 pair and the IOAPIC (which takes GSI 0 at pin 2), 16-23
 * the IOAPIC only.  Legacy replacement drives gsi[0] (timer 0) and
 * gsi[8] (timer 1).  pit_enable gets level 0 while legacy replacement
 * takes IRQ 0 from the PIT and 1 when it gives it back (see
 * pit_irq_enable).  NULL if the range is taken.
 */
struct hpet *hpet_new(struct bus *bus, const struct irq_line gsi[HPET_NUM_GSI],
                      struct irq_line pit_enable);
void hpet_free(struct hpet *h);
void hpet_reset(struct hpet *h);
/*
 * The RTC's IRQ 8 passes through the HPET (as on QEMU's pc): it reaches
 * gsi[8] except while legacy replacement routes timer 1 there.  The
 * returned line is for the RTC's irq argument.
 */
struct irq_line hpet_rtc_irq_input(struct hpet *h);

/* Register access (offsets from HPET_BASE), as the bus does it. */
uint64_t hpet_mmio_read(struct hpet *h, uint64_t off, unsigned size);
void hpet_mmio_write(struct hpet *h, uint64_t off, uint64_t val, unsigned size);

#endif
