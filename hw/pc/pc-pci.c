/*
 * hw/pc/pc-pci.c: what SeaBIOS leaves behind on QEMU's `pc`, built by the
 * board because satori boots kernels directly (docs/design-notes.md, "No
 * BIOS: the board finishes the platform").
 *
 *  1. PCI: the i440FX host bridge (00:00.0), the PIIX3 ISA bridge
 *     (00:01.0) routing INTx to the ISA IRQs, the PIIX4 PM function
 *     (00:01.3, SCI = IRQ 9), pci-testdev at the first free slot (00:02.0)
 *     when asked for; then BARs, interrupt lines, PIRQ routes and the PM
 *     base as SeaBIOS programs them (hw/pci/pci-bios.c).
 *  2. fw_cfg with RAM size, CPU counts, etc/e820 (as QEMU: RAM below and
 *     above 4 GiB), the command line and the ACPI files.
 *  3. ACPI: hw/acpi/ builds the tables and the table-loader script; the
 *     script is executed into the BIOS area, mapped read-only as SeaBIOS
 *     leaves its shadow RAM: the RSDP in the F segment (0xF0000-0xFFFFF),
 *     the tables in 0xE0000-0xEFFFF.  (SeaBIOS puts the tables at the top
 *     of low RAM; the BIOS area needs no e820 change and every e820 table
 *     already leaves it reserved.)
 *  4. pc-testdev when asked for.
 * The DSDT describes the ISA devices found on the bus: the PIC at 0x20,
 * the PIT at 0x40, the RTC at 0x70, the i8042 at 0x60, COM1 at 0x3f8, the
 * HPET at 0xfed00000 (its block ID read from its capabilities register).
 */
#include "hw/pc/pc-pci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/acpi/acpi.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/pci/pci.h"

static const struct irq_line no_gsi[24];

static int setup_acpi(struct pc_pci *p, const struct pc_pci_config *c, char *err, size_t errlen)
{
    struct bus *bus = c->bus;
    struct acpi_config ac = {
        .ncpus = c->ncpus, .apic_ids = c->apic_ids,
        .ram_below_4g = c->below_4g, .ram_above_4g = c->above_4g,
        .pm_base = PC_ACPI_PM_BASE,
        .pic = bus_io_claimed(bus, 0x20), .pit = bus_io_claimed(bus, 0x40),
        .rtc = bus_io_claimed(bus, 0x70), .kbd = bus_io_claimed(bus, 0x60),
        .com1 = bus_io_claimed(bus, 0x3f8), .hpet = bus_mmio_claimed(bus, 0xfed00000),
    };
    struct acpi_build t;
    struct acpi_loader_file files[2];
    int r;

    if (ac.hpet)
        ac.hpet_block_id = (uint32_t)bus_mmio_read(bus, 0xfed00000, 4);
    if (acpi_build(&ac, &t, err, errlen) < 0)
        return -1;
    fw_cfg_add_file(p->fw_cfg, ACPI_TABLES_FILE, t.tables.data, t.tables.len);
    fw_cfg_add_file(p->fw_cfg, ACPI_RSDP_FILE, t.rsdp.data, t.rsdp.len);
    fw_cfg_add_file(p->fw_cfg, ACPI_LOADER_FILE, t.loader.data, t.loader.len);
    files[0] = (struct acpi_loader_file){ ACPI_RSDP_FILE, t.rsdp.data, t.rsdp.len, 0 };
    files[1] = (struct acpi_loader_file){ ACPI_TABLES_FILE, t.tables.data, t.tables.len, 0 };
    r = acpi_loader_run(bus, t.loader.data, t.loader.len, files, 2, PC_BIOS_FSEG, PC_BIOS_END,
                        PC_BIOS_AREA, PC_BIOS_FSEG, err, errlen);
    p->rsdp_addr = files[0].addr;
    acpi_build_free(&t);
    return r;
}

int pc_pci_init(struct pc_pci *p, const struct pc_pci_config *c, char *err, size_t errlen)
{
    const struct irq_line *gsi = c->gsi ? c->gsi : no_gsi;
    struct fw_cfg_e820 e820[2] = { { 0, c->below_4g, 1 }, { 0x100000000ull, c->above_4g, 1 } };
    struct fw_cfg_machine fm = {
        .ram_size = c->ram_size, .nb_cpus = (uint16_t)c->ncpus, .e820 = e820,
        .e820_n = c->above_4g ? 2 : 1, .cmdline = c->cmdline,
    };

    memset(p, 0, sizeof *p);
    if (c->ram_size < PC_BIOS_END) {
        snprintf(err, errlen, "the PC needs at least 1 MiB of RAM (the BIOS area)");
        return -1;
    }
    p->pci = pci_bus_new(c->bus);
    if (pci_host_init(p->pci) < 0 || !i440fx_new(p->pci)
        || !(p->piix3 = piix3_new(p->pci, gsi))
        || !(p->pm = piix4_pm_new(p->pci, gsi[9], c->poweroff, c->poweroff_opaque))) {
        snprintf(err, errlen, "PCI host, PIIX3 or PIIX4 PM: their I/O ports are already in use");
        return -1;
    }
    if (c->pci_testdev && !(p->pci_testdev = pci_testdev_new(p->pci, PCI_DEVFN(2, 0)))) {
        snprintf(err, errlen, "-device pci-testdev: slot 2 is taken");
        return -1;
    }
    if (c->pc_testdev && !(p->pc_testdev = pc_testdev_new(c->bus, gsi))) {
        snprintf(err, errlen, "-device pc-testdev: its ports or memory are already in use");
        return -1;
    }
    pci_bus_power_on(p->pci);
    if (pci_bios_setup(p->pci, PC_PCI_IO_BASE, PC_PCI_MEM_END, PC_ACPI_PM_BASE) < 0) {
        snprintf(err, errlen, "PCI: the BARs do not fit the I/O or memory window");
        return -1;
    }
    if (!(p->fw_cfg = fw_cfg_new(c->bus))) {
        snprintf(err, errlen, "fw_cfg: ports 0x510-0x51b are already in use");
        return -1;
    }
    for (int i = 0; i < c->ncpus; i++)
        if (c->apic_ids[i] + 1u > fm.max_cpus)
            fm.max_cpus = (uint16_t)(c->apic_ids[i] + 1);
    fw_cfg_add_machine(p->fw_cfg, &fm);
    if (bus_map_ram(c->bus, PC_BIOS_AREA, PC_BIOS_END - PC_BIOS_AREA, c->ram + PC_BIOS_AREA, true,
                    "bios-area") < 0) {
        snprintf(err, errlen, "the BIOS area 0xe0000-0xfffff is already mapped");
        return -1;
    }
    return setup_acpi(p, c, err, errlen);
}

/*
 * Machine reset: every PCI function and fw_cfg back to power-on, then the
 * BIOS step again (SeaBIOS runs again after a reset on QEMU).  The ACPI
 * tables stay: they sit in the read-only BIOS area the guest cannot change.
 */
void pc_pci_reset(struct pc_pci *p)
{
    pci_bus_reset(p->pci);
    fw_cfg_reset(p->fw_cfg);
    if (pci_bios_setup(p->pci, PC_PCI_IO_BASE, PC_PCI_MEM_END, PC_ACPI_PM_BASE) < 0)
        abort(); /* the same BARs fitted at power-on */
}

void pc_pci_free(struct pc_pci *p)
{
    pc_testdev_free(p->pc_testdev);
    pci_testdev_free(p->pci_testdev);
    fw_cfg_free(p->fw_cfg);
    piix4_pm_free(p->pm);
    piix3_free(p->piix3);
    if (p->pci)
        pci_bus_free(p->pci);
    memset(p, 0, sizeof *p);
}
