/*
 * hw/misc/hyperv-testdev.h: QEMU's hyperv-testdev (hyperv-testdev.c).
 */
#ifndef SATORI_HW_HYPERV_TESTDEV_H
#define SATORI_HW_HYPERV_TESTDEV_H

#include "hw/hw.h"

struct hv_partition;
struct hyperv_testdev;

#define HYPERV_TESTDEV_PORT 0x3000

/* Map the control port; NULL if the port is taken. */
struct hyperv_testdev *hyperv_testdev_new(struct bus *bus, struct hv_partition *p);
/* Routes and connections survive a machine reset, as QEMU's (it has no
 * reset handler). */
void hyperv_testdev_free(struct hyperv_testdev *d);

#endif
