/*
 * testsuite/satori.hw/pci-guest.h: port and PCI configuration helpers the
 * PCI / fw_cfg / ACPI / test-device guests share (configuration
 * mechanism #1, PCI 3.0 3.2.2.3.2).
 */
#ifndef SATORI_TEST_PCI_GUEST_H
#define SATORI_TEST_PCI_GUEST_H

#include "runtime.h"

static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }

static inline uint32_t mmio_read32(uint64_t a) { return *(volatile uint32_t *)a; }
static inline uint8_t mmio_read8(uint64_t a) { return *(volatile uint8_t *)a; }
static inline void mmio_write32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void mmio_write8(uint64_t a, uint8_t v) { *(volatile uint8_t *)a = v; }

static inline uint32_t pci_addr(int devfn, unsigned reg)
{
    return 0x80000000u | (uint32_t)devfn << 8 | (reg & 0xfc);
}

static inline uint32_t pci_read32(int devfn, unsigned reg)
{
    outl(0xcf8, pci_addr(devfn, reg));
    return inl(0xcfc);
}

static inline uint16_t pci_read16(int devfn, unsigned reg)
{
    outl(0xcf8, pci_addr(devfn, reg));
    return inw((uint16_t)(0xcfc + (reg & 2)));
}

static inline uint8_t pci_read8(int devfn, unsigned reg)
{
    outl(0xcf8, pci_addr(devfn, reg));
    return inb((uint16_t)(0xcfc + (reg & 3)));
}

static inline void pci_write32(int devfn, unsigned reg, uint32_t v)
{
    outl(0xcf8, pci_addr(devfn, reg));
    outl(0xcfc, v);
}

static inline void pci_write16(int devfn, unsigned reg, uint16_t v)
{
    outl(0xcf8, pci_addr(devfn, reg));
    outw((uint16_t)(0xcfc + (reg & 2)), v);
}

static inline void pci_write8(int devfn, unsigned reg, uint8_t v)
{
    outl(0xcf8, pci_addr(devfn, reg));
    outb((uint16_t)(0xcfc + (reg & 3)), v);
}

/* devfn of the first function with this vendor:device, or -1 */
static inline int pci_find(uint16_t vendor, uint16_t device)
{
    for (int devfn = 0; devfn < 256; devfn++)
        if (pci_read32(devfn, 0) == ((uint32_t)device << 16 | vendor))
            return devfn;
    return -1;
}

/* Wait about ms milliseconds on the ACPI PM timer (base 0x600, as the
 * firmware leaves it): gives an emulator time to act on a shutdown or
 * reset request before the guest reports that it did not happen. */
static inline void pm_timer_wait_ms(unsigned ms)
{
    uint32_t last = inl(0x608) & 0xffffff, waited = 0;

    while (waited < ms * 3580u) {
        uint32_t now = inl(0x608) & 0xffffff;
        waited += (now - last) & 0xffffff;
        last = now;
    }
}

#endif
