/*
 * testsuite/satori.hyperv/hv-guest.h: what the Hyper-V test guests share:
 * MSR numbers, CPUID leaves, and #GP-safe RDMSR/WRMSR and hypercall helpers.
 */
#ifndef SATORI_HV_GUEST_H
#define SATORI_HV_GUEST_H

#include "runtime.h"

#endif
