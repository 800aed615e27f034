/*
 * tests/test-pci.c: unit tests for the PCI core (configuration mechanism
 * #1, write masks, BAR sizing and mapping, capabilities), the PIIX3 INTx
 * routing and reset control, the PIIX4 PM function on a virtual clock
 * driven by a fake instruction counter, and fw_cfg (ports and DMA).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/hw.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/pc/pc-pci.h"
#include "hw/pci/pci.h"
#include "timers/timers.h"
#include "tests/unit.h"

int failures;

/* piix3.c asks the board for a reset: count the requests */
static int resets;
void machine_request_reset(void)
{
    resets++;
}

static uint64_t fake_icount;
static uint64_t icount_fn_(void *opaque)
{
    return fake_icount;
}

/* ---- a device with three BARs ------------------------------------------ */

static uint64_t dev_read(void *o, uint64_t off, unsigned size) { return 0xab00 + off; }
static void dev_write(void *o, uint64_t off, uint64_t v, unsigned size) {}
static const struct dev_ops dev_ops = { dev_read, dev_write, 1, 4 };

static uint32_t cfg_read(struct bus *b, int devfn, unsigned reg, unsigned size)
{
    bus_io_write(b, 0xcf8, 0x80000000u | (uint32_t)devfn << 8 | (reg & 0xfc), 4);
    return bus_io_read(b, (uint16_t)(0xcfc + (reg & 3)), size);
}

static void cfg_write(struct bus *b, int devfn, unsigned reg, uint32_t v, unsigned size)
{
    bus_io_write(b, 0xcf8, 0x80000000u | (uint32_t)devfn << 8 | (reg & 0xfc), 4);
    bus_io_write(b, (uint16_t)(0xcfc + (reg & 3)), v, size);
}

static void pci_bar_sizing_and_mapping(void)
{
    struct bus *b = bus_new();
    struct pci_bus *pb = pci_bus_new(b);
    struct pci_dev d;
    int devfn = PCI_DEVFN(3, 0);

    CHECK(pci_host_init(pb) == 0, "host init");
    CHECK(pci_dev_init(&d, pb, devfn, "t", 0x1234, 0x5678, 0x020000, 1, 0) == 0, "dev init");
    CHECK(pci_dev_init(&d, pb, devfn, "t", 0x1234, 0x5678, 0x020000, 1, 0) < 0, "devfn taken");
    pci_register_bar(&d, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, 0x1000, &dev_ops, &d, "m");
    pci_register_bar(&d, 1, PCI_BASE_ADDRESS_SPACE_IO, 0x100, &dev_ops, &d, "io");
    pci_register_bar(&d, 2, PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
                     0x100000, &dev_ops, &d, "m64");

    CHECK(cfg_read(b, devfn, 0, 4) == 0x56781234u, "id via 0xcf8/0xcfc");
    CHECK(cfg_read(b, devfn, 2, 2) == 0x5678, "word read at offset 2");
    CHECK(cfg_read(b, devfn, 0x0b, 1) == 0x02, "class byte");
    bus_io_write(b, 0xcf8, 0x00000000u | (uint32_t)devfn << 8, 4);
    CHECK(bus_io_read(b, 0xcfc, 4) == 0xffffffffu, "enable bit clear");
    CHECK(bus_io_read(b, 0xcf8, 1) == 0xff, "byte read of 0xcf8 is not the address register");

    cfg_write(b, devfn, 0x10, 0xffffffffu, 4);
    CHECK(cfg_read(b, devfn, 0x10, 4) == 0xfffff000u, "mem BAR size mask %x",
          cfg_read(b, devfn, 0x10, 4));
    cfg_write(b, devfn, 0x14, 0xffffffffu, 4);
    CHECK(cfg_read(b, devfn, 0x14, 4) == 0xffffff01u, "io BAR size mask");
    cfg_write(b, devfn, 0x18, 0xffffffffu, 4);
    cfg_write(b, devfn, 0x1c, 0xffffffffu, 4);
    CHECK(cfg_read(b, devfn, 0x18, 4) == 0xfff0000cu && cfg_read(b, devfn, 0x1c, 4) == 0xffffffffu,
          "64-bit prefetchable BAR size mask %x", cfg_read(b, devfn, 0x18, 4));
    cfg_write(b, devfn, 0x1c, 0, 4);
    CHECK(cfg_read(b, devfn, 0x00, 4) == 0x56781234u, "vendor ID read-only");

    cfg_write(b, devfn, 0x10, 0xfebf0000u, 4);
    cfg_write(b, devfn, 0x14, 0xc000, 4);
    CHECK(bus_mmio_read(b, 0xfebf0004, 4) == 0xffffffffu, "memory BAR not decoded before MEM");
    cfg_write(b, devfn, 0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
    CHECK(bus_mmio_read(b, 0xfebf0004, 4) == 0xab04, "memory BAR decoded");
    CHECK(bus_io_read(b, 0xc010, 1) == 0xab10, "I/O BAR decoded");
    cfg_write(b, devfn, 0x10, 0xfeb00000u, 4);
    CHECK(bus_mmio_read(b, 0xfebf0004, 4) == 0xffffffffu && bus_mmio_read(b, 0xfeb00000, 4) == 0xab00,
          "memory BAR moved");
    cfg_write(b, devfn, 0x04, PCI_COMMAND_IO, 2);
    CHECK(bus_mmio_read(b, 0xfeb00000, 4) == 0xffffffffu && bus_io_read(b, 0xc000, 1) == 0xab00,
          "memory decoding off, I/O still on");
    cfg_write(b, devfn, 0x14, 0xfff00, 4); /* above 64 KiB: not decoded */
    CHECK(bus_io_read(b, 0xc000, 1) == 0xff, "I/O BAR beyond 64 KiB unmapped");
    /* a BAR over an existing range stays unmapped, and the range survives */
    CHECK(bus_map_mmio(b, 0xfe000000, 0x1000, &dev_ops, NULL, "other") == 0, "other range");
    cfg_write(b, devfn, 0x10, 0xfe000000u, 4);
    cfg_write(b, devfn, 0x04, PCI_COMMAND_MEMORY, 2);
    CHECK(d.bar[0].mapped == PCI_BAR_UNMAPPED, "overlapping BAR not mapped");
    CHECK(bus_mmio_claimed(b, 0xfe000000), "other range kept");
    pci_bus_free(pb);
    bus_free(b);
}

static void pci_capabilities_list(void)
{
    struct bus *b = bus_new();
    struct pci_bus *pb = pci_bus_new(b);
    struct pci_dev d;
    unsigned c1, c2;

    pci_dev_init(&d, pb, 8, "t", 1, 2, 0, 0, 0);
    CHECK(!(d.config[PCI_STATUS] & PCI_STATUS_CAP_LIST), "no capabilities yet");
    c1 = pci_add_capability(&d, 0x05, 10);
    c2 = pci_add_capability(&d, 0x09, 6);
    CHECK(c1 == 0x40 && c2 == 0x4c, "capability offsets %x %x (dword aligned)", c1, c2);
    CHECK(d.config[PCI_STATUS] & PCI_STATUS_CAP_LIST, "status CAP_LIST");
    CHECK(pci_config_read(pb, 8, PCI_CAPABILITY_LIST, 1) == 0x40, "list head");
    CHECK(pci_config_read(pb, 8, 0x40, 2) == (0x4c << 8 | 0x05), "first: id, next");
    CHECK(pci_config_read(pb, 8, 0x4c, 2) == 0x09, "second: id, end of list");
    pci_config_write(pb, 8, 0x41, 0x00, 1);
    CHECK(pci_config_read(pb, 8, 0x41, 1) == 0x4c, "next pointer read-only");
    CHECK(pci_add_capability(&d, 0x10, 0xc0) == 0, "capability that does not fit");
    pci_bus_free(pb);
    bus_free(b);
}

/* ---- PIIX3 ------------------------------------------------------------------ */

static int irq_levels[24];
static void irq_record(void *opaque, int n, int level)
{
    irq_levels[n] = level;
}

static void piix3_routes_intx_and_resets(void)
{
    struct bus *b = bus_new();
    struct pci_bus *pb = pci_bus_new(b);
    struct irq_line gsi[16];
    struct piix3 *p;
    struct pci_dev d3, d4;

    for (int i = 0; i < 16; i++)
        gsi[i] = (struct irq_line){ irq_record, NULL, i };
    memset(irq_levels, 0, sizeof irq_levels);
    p = piix3_new(pb, gsi);
    CHECK(p != NULL, "piix3");
    CHECK(pci_config_read(pb, PCI_DEVFN(1, 0), 0, 4) == 0x70008086u, "PIIX3 ID");
    CHECK(pci_config_read(pb, PCI_DEVFN(1, 0), 0x60, 4) == 0x80808080u, "PIRQ routes disabled");
    CHECK(piix3_slot_pirq(0, 0) == 3 && piix3_slot_pirq(1, 0) == 0 && piix3_slot_pirq(3, 1) == 3,
          "slot swizzle");
    pci_dev_init(&d3, pb, PCI_DEVFN(3, 0), "d3", 1, 2, 0, 0, 0);
    pci_dev_init(&d4, pb, PCI_DEVFN(4, 0), "d4", 1, 2, 0, 0, 0);
    d3.config[PCI_INTERRUPT_PIN] = 1; /* INTA of slot 3: PIRQC */
    d4.config[PCI_INTERRUPT_PIN] = 4; /* INTD of slot 4: PIRQC too */
    pci_set_irq(&d3, true);
    CHECK(irq_levels[11] == 0, "disabled route raises nothing");
    pci_config_write(pb, PCI_DEVFN(1, 0), 0x62, 11, 1);
    CHECK(irq_levels[11] == 1, "route enabled: IRQ 11 high");
    CHECK(d3.config[PCI_STATUS] & PCI_STATUS_INTERRUPT, "interrupt status bit");
    pci_set_irq(&d4, true);
    pci_set_irq(&d3, false);
    CHECK(irq_levels[11] == 1, "shared PIRQ stays high while one device asserts");
    pci_set_irq(&d4, false);
    CHECK(irq_levels[11] == 0, "both low: IRQ 11 low");
    pci_set_irq(&d3, true);
    pci_config_write(pb, PCI_DEVFN(3, 0), PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    CHECK(irq_levels[11] == 0, "INTx disable masks the line");
    pci_config_write(pb, PCI_DEVFN(3, 0), PCI_COMMAND, 0, 2);
    CHECK(irq_levels[11] == 1, "INTx enable again");
    pci_config_write(pb, PCI_DEVFN(1, 0), 0x62, 5, 1);
    CHECK(irq_levels[11] == 0 && irq_levels[5] == 1, "rerouted to IRQ 5");
    pci_set_irq(&d3, false);
    CHECK(irq_levels[5] == 0, "lowered");

    resets = 0;
    bus_io_write(b, 0xcf9, 0x02, 1);
    CHECK(bus_io_read(b, 0xcf9, 1) == 0x02 && resets == 0, "SRST kept, no reset");
    bus_io_write(b, 0xcf9, 0x06, 1);
    CHECK(resets == 1, "0x06 requests a reset");
    piix3_free(p);
    pci_bus_free(pb);
    bus_free(b);
}

/* ---- PIIX4 PM ---------------------------------------------------------------- */

static int poweroffs;
static void on_poweroff(void *opaque)
{
    poweroffs++;
}

static void piix4_pm_timer_events_sleep(void)
{
    struct bus *b = bus_new();
    struct pci_bus *pb = pci_bus_new(b);
    struct piix4_pm *pm;
    int devfn = PCI_DEVFN(1, 3);

    vclock_init(VCLOCK_ICOUNT, 0, 0);
    vclock_set_icount_source(icount_fn_, NULL);
    fake_icount = 0;
    irq_levels[9] = 0;
    pm = piix4_pm_new(pb, (struct irq_line){ irq_record, NULL, 9 }, on_poweroff, NULL);
    CHECK(pm != NULL, "pm");
    CHECK(bus_io_read(b, 0x608, 4) == 0xffffffffu, "PM I/O off until enabled");
    pci_config_write(pb, devfn, 0x40, 0x601, 4);
    pci_config_write(pb, devfn, 0x80, 1, 1);
    CHECK(pci_config_read(pb, devfn, 0x40, 4) == 0x601, "PMBA");
    fake_icount = 1000000000;   /* 1 s */
    CHECK(bus_io_read(b, 0x608, 4) == (3579545 & 0xffffff), "PM timer after 1 s: %u",
          bus_io_read(b, 0x608, 4));
    CHECK(bus_io_read(b, 0x608, 2) == (3579545 & 0xffff), "word read of the timer");
    /* bit 23 first changes at tick 0x800000 */
    fake_icount = 2343484000ull;    /* tick 0x7fffff.x */
    CHECK(!(bus_io_read(b, 0x600, 2) & 1), "TMR_STS clear before bit 23 flips");
    fake_icount = 2343485000ull;
    CHECK(bus_io_read(b, 0x600, 2) & 1, "TMR_STS set after bit 23 flips");
    bus_io_write(b, 0x600, 1, 2);
    CHECK(!(bus_io_read(b, 0x600, 2) & 1), "TMR_STS write-1-clear");
    CHECK(irq_levels[9] == 0, "no SCI without TMR_EN");
    bus_io_write(b, 0x602, 1, 2);       /* TMR_EN */
    CHECK(timers_next_deadline() != INT64_MAX, "overflow timer armed");
    vclock_warp_to(timers_next_deadline());
    timers_run_expired();
    CHECK(irq_levels[9] == 1, "SCI on the next overflow");
    bus_io_write(b, 0x600, 1, 2);
    CHECK(irq_levels[9] == 0, "SCI drops when TMR_STS is cleared");
    bus_io_write(b, 0x602, 0, 2);
    piix4_pm_power_button(pm);
    CHECK(irq_levels[9] == 0 && (bus_io_read(b, 0x600, 2) & 0x100), "PWRBTN_STS without EN");
    bus_io_write(b, 0x602, 0x100, 2);
    CHECK(irq_levels[9] == 1, "PWRBTN_EN raises SCI");
    bus_io_write(b, 0x600, 0x100, 2);
    CHECK(irq_levels[9] == 0, "cleared");

    bus_io_write(b, 0xb2, 0xf1, 1);
    CHECK(bus_io_read(b, 0x604, 2) & 1, "ACPI enable via SMI_CMD");
    bus_io_write(b, 0xb2, 0xf0, 1);
    CHECK(!(bus_io_read(b, 0x604, 2) & 1), "ACPI disable via SMI_CMD");
    poweroffs = 0;
    bus_io_write(b, 0x604, 1 << 10 | 1 << 13, 2);   /* S3: not offered */
    CHECK(poweroffs == 0, "SLP_TYP 1 does not power off");
    CHECK(!(bus_io_read(b, 0x604, 2) & (1 << 13)), "SLP_EN reads 0");
    bus_io_write(b, 0x604, 1 << 13, 2);
    CHECK(poweroffs == 1, "S5 powers off");
    bus_io_write(b, 0x605, 0x20, 1);                /* SLP_EN by a byte write */
    CHECK(poweroffs == 2, "S5 by a byte write of the high half");
    pci_config_write(pb, devfn, 0x80, 0, 1);
    CHECK(bus_io_read(b, 0x608, 4) == 0xffffffffu, "PM I/O disabled again");
    piix4_pm_free(pm);
    pci_bus_free(pb);
    bus_free(b);
}

/* ---- fw_cfg ---------------------------------------------------------------------- */

static void fw_cfg_ports_dir_and_dma(void)
{
    struct bus *b = bus_new();
    static uint8_t ram[0x10000];
    struct fw_cfg *s;
    uint8_t buf[64];
    size_t len;
    const uint8_t *dir;

    bus_map_ram(b, 0, sizeof ram, ram, false, "ram");
    s = fw_cfg_new(b);
    CHECK(s != NULL, "fw_cfg");
    CHECK(fw_cfg_new(b) == NULL, "second fw_cfg refused");
    bus_io_write(b, 0x510, FW_CFG_SIGNATURE, 2);
    for (int i = 0; i < 4; i++)
        buf[i] = (uint8_t)bus_io_read(b, 0x511, 1);
    CHECK(!memcmp(buf, "QEMU", 4), "signature");
    CHECK(bus_io_read(b, 0x511, 1) == 0, "past the end reads 0");
    bus_io_write(b, 0x510, FW_CFG_ID, 2);
    CHECK(bus_io_read(b, 0x511, 1) == 3, "ID: traditional + DMA");
    bus_io_write(b, 0x510, 0x3fff, 2);
    CHECK(bus_io_read(b, 0x511, 1) == 0, "missing key reads 0");

    fw_cfg_add_file(s, "etc/zzz", "z", 1);
    fw_cfg_add_file(s, "bootorder", "b", 1);
    fw_cfg_add_file(s, "etc/e820", "0123456789", 10);
    CHECK(fw_cfg_add_file(s, "a-name-that-is-far-too-long-for-the-fifty-six-byte-field!", "", 0) < 0,
          "long name refused");
    dir = fw_cfg_key(s, FW_CFG_FILE_DIR, &len);
    CHECK(dir && len == 4 + 3 * 64 && dir[3] == 3, "directory of 3 files");
    CHECK(dir && !strcmp((const char *)dir + 4 + 8, "bootorder")
          && !strcmp((const char *)dir + 4 + 64 + 8, "etc/e820")
          && !strcmp((const char *)dir + 4 + 128 + 8, "etc/zzz"), "sorted by name");
    CHECK(dir && dir[4 + 64 + 3] == 10 && dir[4 + 64 + 4] == 0 && dir[4 + 64 + 5] == 0x21,
          "big-endian size and key of etc/e820");
    bus_io_write(b, 0x510, 0x21, 2);
    CHECK(bus_io_read(b, 0x511, 1) == '0', "file by its key");

    /* DMA: descriptor at 0x1000, data to 0x2000 */
    {
        uint8_t acc[16] = { 0, 0x21, 0, 0x08 | 0x02, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0x20, 0x00 };
        memset(ram + 0x2000, 0xaa, 16);
        memcpy(ram + 0x1000, acc, 16);
        bus_io_write(b, 0x514, 0, 4);
        bus_io_write(b, 0x518, 0x00100000, 4); /* big-endian 0x1000 */
        CHECK(!memcmp(ram + 0x2000, "0123456789\0\0", 12), "DMA select + read, zeros past end");
        CHECK(!memcmp(ram + 0x1000, "\0\0\0\0", 4), "control written back as 0");
        acc[3] = 0x08 | 0x10;   /* write: refused */
        memcpy(ram + 0x1000, acc, 16);
        bus_io_write(b, 0x514, 0, 4);
        bus_io_write(b, 0x518, 0x00100000, 4);
        CHECK(ram[0x1003] == 0x01, "DMA write sets ERROR");
        acc[14] = 0xff; acc[13] = 0xff; acc[12] = 0xff; /* address beyond RAM */
        acc[3] = 0x08 | 0x02;
        memcpy(ram + 0x1000, acc, 16);
        bus_io_write(b, 0x514, 0, 4);
        bus_io_write(b, 0x518, 0x00100000, 4);
        CHECK(ram[0x1003] == 0x01, "DMA to a non-RAM address sets ERROR");
    }
    CHECK(bus_io_read(b, 0x514, 4) == 0x554d4551u && bus_io_read(b, 0x518, 4) == 0x47464320u,
          "DMA signature");
    fw_cfg_free(s);
    bus_free(b);
}

static void fw_cfg_machine_keys(void)
{
    struct bus *b = bus_new();
    struct fw_cfg *s = fw_cfg_new(b);
    struct fw_cfg_e820 e820[2] = { { 0, 0xc0000000ull, 1 }, { 0x100000000ull, 0x40000000ull, 1 } };
    struct fw_cfg_machine m = {
        .ram_size = 0x100000000ull, .nb_cpus = 2, .max_cpus = 4, .e820 = e820, .e820_n = 2,
        .cmdline = "console=ttyS0", .cmdline_addr = 0x20000,
    };
    const uint8_t *p;
    size_t len;

    fw_cfg_add_machine(s, &m);
    p = fw_cfg_key(s, FW_CFG_RAM_SIZE, &len);
    CHECK(p && len == 8 && p[4] == 1 && p[0] == 0, "RAM size, little-endian u64");
    p = fw_cfg_key(s, FW_CFG_NB_CPUS, &len);
    CHECK(p && len == 2 && p[0] == 2, "nb_cpus");
    p = fw_cfg_key(s, FW_CFG_MAX_CPUS, &len);
    CHECK(p && len == 2 && p[0] == 4, "max_cpus");
    p = fw_cfg_key(s, FW_CFG_NUMA, &len);
    CHECK(p && len == 8 * 5 && p[0] == 0, "NUMA: no nodes, one word per APIC ID");
    p = fw_cfg_file(s, "etc/e820", &len);
    CHECK(p && len == 40 && p[20 + 4] == 1 && p[8 + 3] == 0xc0 && p[16] == 1 && p[36] == 1,
          "etc/e820: two packed 20-byte RAM entries");
    p = fw_cfg_key(s, FW_CFG_CMDLINE_SIZE, &len);
    CHECK(p && p[0] == 14, "cmdline size counts the NUL");
    p = fw_cfg_key(s, FW_CFG_CMDLINE_DATA, &len);
    CHECK(p && len == 14 && !memcmp(p, "console=ttyS0", 14), "cmdline data");
    p = fw_cfg_key(s, FW_CFG_CMDLINE_ADDR, &len);
    CHECK(p && p[2] == 2, "cmdline address");
    CHECK(fw_cfg_key(s, FW_CFG_KERNEL_SIZE, &len) == NULL, "no kernel keys without a kernel");
    p = fw_cfg_key(s, FW_CFG_IRQ0_OVERRIDE, &len);
    CHECK(p && len == 4 && p[0] == 1, "IRQ0 override");
    fw_cfg_free(s);
    bus_free(b);
}

static void pc_testdev_ports_irqs_memory(void)
{
    struct bus *b = bus_new();
    struct irq_line gsi[24];
    struct pc_testdev *t;

    for (int i = 0; i < 24; i++)
        gsi[i] = (struct irq_line){ irq_record, NULL, i };
    memset(irq_levels, 0, sizeof irq_levels);
    t = pc_testdev_new(b, gsi);
    CHECK(t != NULL, "pc-testdev");
    bus_io_write(b, 0xe0, 0x11223344u, 4);
    bus_io_write(b, 0xe9, 0xaa, 1);
    CHECK(bus_io_read(b, 0xe0, 4) == 0x1122aa44u && bus_io_read(b, 0xea, 2) == 0x1122,
          "scratch register through 0xe0 and 0xe8");
    bus_io_write(b, 0x2000 + 17, 1, 1);
    CHECK(irq_levels[17] == 1, "IRQ line 17 raised");
    bus_io_write(b, 0x2000 + 17, 0, 1);
    CHECK(irq_levels[17] == 0, "IRQ line 17 lowered");
    bus_mmio_write(b, 0xff00fff8, 0x0102030405060708ull, 8);
    CHECK(bus_mmio_read(b, 0xff00fffc, 4) == 0x01020304u, "iomem");
    CHECK(pc_testdev_new(b, gsi) == NULL, "second pc-testdev refused");
    pc_testdev_free(t);
    bus_free(b);
}

int main(void)
{
    pci_bar_sizing_and_mapping();
    pci_capabilities_list();
    piix3_routes_intx_and_resets();
    piix4_pm_timer_events_sleep();
    fw_cfg_ports_dir_and_dma();
    fw_cfg_machine_keys();
    pc_testdev_ports_irqs_memory();
    if (failures)
        printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
