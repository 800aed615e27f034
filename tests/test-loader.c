/*
 * tests/test-loader.c: unit tests for the E820 table and the kernel
 * loaders (hw/loader/).  Images are synthesized here from the formats'
 * specifications (Linux boot.rst setup header, ELF with a Xen PVH note),
 * loaded onto a bus with RAM, and the result is checked against the
 * rules of the protocol: where things must land and what the boot
 * structures must say.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/hw.h"
#include "hw/loader/loader.h"
#include "tests/unit.h"

int failures;

#define RAM_SIZE (64u << 20)

static uint8_t *ram;

static struct bus *ram_bus(void)
{
    struct bus *b = bus_new();

    memset(ram, 0xcc, RAM_SIZE);
    bus_map_ram(b, 0, 0xa0000, ram, false, "low");
    bus_map_ram(b, 0x100000, RAM_SIZE - 0x100000, ram + 0x100000, false, "high");
    return b;
}

static char *write_temp(const void *data, size_t len)
{
    char *path = strdup("/tmp/satori-test-loader-XXXXXX");
    int fd = mkstemp(path);

    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        perror("temp file");
        exit(1);
    }
    close(fd);
    return path;
}

/* ---- e820 ----------------------------------------------------------------- */

static void e820_pc_map_has_the_legacy_holes(void)
{
    struct e820_map m;

    e820_init_pc(&m, 128u << 20, 0);
    CHECK(m.n == 5, "entries %d", m.n);
    CHECK(m.e[0].addr == 0 && m.e[0].size == 0x9fc00 && m.e[0].type == E820_RAM, "low RAM");
    CHECK(m.e[1].addr == 0x9fc00 && m.e[1].type == E820_RESERVED, "EBDA reserved");
    CHECK(m.e[2].addr == 0xf0000 && m.e[2].size == 0x10000 && m.e[2].type == E820_RESERVED,
          "BIOS area reserved");
    CHECK(m.e[3].addr == 0x100000 && m.e[3].addr + m.e[3].size == 128u << 20, "RAM to the top");
    e820_init_pc(&m, 3ull << 30, 1ull << 30);
    CHECK(m.n == 6 && m.e[5].addr == 1ull << 32 && m.e[5].size == 1ull << 30, "RAM above 4G");
}

static void e820_add_splits_ram(void)
{
    struct e820_map m;
    uint8_t enc[E820_MAX_ENTRIES * E820_ENTRY_SIZE];

    e820_init_pc(&m, 128u << 20, 0);
    CHECK(e820_add(&m, 0x7fe0000, 0x20000, E820_ACPI) == 0, "add at top");
    CHECK(m.n == 6 && m.e[3].addr + m.e[3].size == 0x7fe0000 && m.e[4].type == E820_ACPI,
          "top of RAM became ACPI");
    CHECK(e820_add(&m, 0x200000, 0x1000, E820_RESERVED) == 0, "add in the middle");
    CHECK(m.n == 8 && m.e[3].size == 0x100000 && m.e[4].addr == 0x200000
          && m.e[5].addr == 0x201000 && m.e[5].type == E820_RAM, "middle split in three");
    size_t n = e820_encode(&m, enc, sizeof enc);
    CHECK(n == 8 * E820_ENTRY_SIZE && ld_le64(enc + 4 * 20) == 0x200000
          && ld_le32(enc + 4 * 20 + 16) == E820_RESERVED, "encoding");
    CHECK(e820_find_top(&m, 0x3000, 0, 0x7fe0000, 0x1000) == 0x7fe0000 - 0x3000, "highest fit");
    CHECK(e820_find_top(&m, 0x2000, 0x200000, 0x202000, 0x1000) == 0, "no fit across reserved");
}

/* ---- Linux bzImage ---------------------------------------------------------- */

#define SETUP_SECTS 2
#define KERNEL_LEN  0x3000

static uint8_t *make_bzimage(size_t *len, uint16_t version)
{
    size_t setup = (SETUP_SECTS + 1) * 512;
    uint8_t *img = calloc(1, setup + KERNEL_LEN);

    img[0x1f1] = SETUP_SECTS;
    st_le32(img + 0x1f4, KERNEL_LEN / 16);
    st_le16(img + 0x1fe, 0xaa55);
    img[0x200] = 0xeb;                      /* jmp past the header */
    img[0x201] = 0x6a;                      /* header ends at 0x26c */
    memcpy(img + 0x202, "HdrS", 4);
    st_le16(img + 0x206, version);
    img[0x211] = 0x01;                      /* LOADED_HIGH */
    st_le32(img + 0x214, 0x100000);
    st_le32(img + 0x22c, 0x37ffffff);       /* initrd_addr_max */
    st_le32(img + 0x230, 0x200000);
    img[0x234] = 1;                         /* relocatable */
    st_le32(img + 0x238, 64);               /* cmdline_size */
    st_le64(img + 0x258, 0x1000000);        /* pref_address 16 MiB */
    st_le32(img + 0x260, 0x800000);         /* init_size 8 MiB */
    for (size_t i = 0; i < KERNEL_LEN; i++)
        img[setup + i] = (uint8_t)(i * 7 + 1);
    *len = setup + KERNEL_LEN;
    return img;
}

static int load_linux(const uint8_t *img, size_t len, const char *append, const char *initrd,
                      struct boot_entry *e, char *err)
{
    struct bus *b = ram_bus();
    struct e820_map map;
    char *path = write_temp(img, len);
    struct loader_args a = { .kernel = path, .append = append, .initrd = initrd,
                             .e820 = &map, .ram_below_4g = RAM_SIZE };

    e820_init_pc(&map, RAM_SIZE, 0);
    int r = linux_load(b, &a, e, err, 256);
    unlink(path);
    free(path);
    bus_free(b);
    return r;
}

static void linux_zero_page_follows_the_protocol(void)
{
    size_t len;
    uint8_t *img = make_bzimage(&len, 0x20f);
    uint8_t rd[10000];
    struct boot_entry e;
    char err[256];

    for (size_t i = 0; i < sizeof rd; i++)
        rd[i] = (uint8_t)(i ^ 0x5a);
    char *rdpath = write_temp(rd, sizeof rd);
    CHECK(loader_probe(img, len, err, sizeof err) == IMAGE_BZIMAGE, "probe");
    CHECK(load_linux(img, len, "console=ttyS0 quiet", rdpath, &e, err) == 0, "load: %s", err);
    const uint8_t *zp = ram + e.esi;
    /* 32-bit boot protocol: ESI = boot_params, EIP = the protected-mode kernel */
    CHECK(e.eip == 0x100000 && e.eax == 0 && e.ebx == 0, "entry %x", e.eip);
    CHECK(!memcmp(ram + 0x100000, img + (SETUP_SECTS + 1) * 512, KERNEL_LEN), "kernel at 1 MiB");
    CHECK(!memcmp(zp + 0x1f1, img + 0x1f1, 0x210 - 0x1f1) && ld_le32(zp + 0x202) == 0x53726448,
          "setup header copied");
    CHECK(zp[0x210] == 0xb0, "type_of_loader %x", zp[0x210]);
    CHECK(zp[0x000] == 0 && ld_le32(zp + 0x1e4) == 0, "outside the header: zero");
    uint32_t cmd = ld_le32(zp + 0x228);
    CHECK(cmd && !strcmp((char *)ram + cmd, "console=ttyS0 quiet"), "cmd_line_ptr");
    CHECK(cmd >= e.esi + 4096 || cmd + 20 <= e.esi, "command line outside the zero page");
    uint32_t ri = ld_le32(zp + 0x218), rs = ld_le32(zp + 0x21c);
    CHECK(rs == sizeof rd && !memcmp(ram + ri, rd, sizeof rd), "ramdisk_image/size");
    CHECK((ri & 0xfff) == 0 && ri + rs <= RAM_SIZE && ri + rs - 1 <= 0x37ffffff
          && ri >= 0x100000 + KERNEL_LEN, "initrd placement 0x%x", ri);
    CHECK(ri + 0x1000 + rs > RAM_SIZE, "initrd as high as it fits (0x%x)", ri);
    int n = zp[0x1e8];
    CHECK(n == 5, "e820_entries %d", n);
    CHECK(ld_le64(zp + 0x2d0 + 3 * 20) == 0x100000 && ld_le64(zp + 0x2d0 + 3 * 20 + 8)
          == RAM_SIZE - 0x100000 && ld_le32(zp + 0x2d0 + 3 * 20 + 16) == E820_RAM,
          "e820 RAM above 1 MiB");
    unlink(rdpath);
    free(rdpath);
    free(img);
}

static void linux_bad_images_are_refused_with_the_reason(void)
{
    size_t len;
    uint8_t *img = make_bzimage(&len, 0x205);
    struct boot_entry e;
    char err[256];

    CHECK(load_linux(img, len, NULL, NULL, &e, err) < 0 && strstr(err, "2.05 is too old"),
          "old protocol: %s", err);
    st_le16(img + 0x206, 0x20f);
    CHECK(load_linux(img, len, "x123456789x123456789x123456789x123456789x123456789x123456789"
                     "x123456789", NULL, &e, err) < 0 && strstr(err, "at most 64"),
          "cmdline_size: %s", err);
    st_le32(img + 0x260, RAM_SIZE);          /* init_size beyond the RAM */
    CHECK(load_linux(img, len, NULL, NULL, &e, err) < 0 && strstr(err, "raise -m"),
          "init_size: %s", err);
    st_le32(img + 0x260, 0x800000);
    img[0x211] = 0;
    CHECK(load_linux(img, len, NULL, NULL, &e, err) < 0 && strstr(err, "zImage"), "zImage: %s",
          err);
    img[0x211] = 1;
    CHECK(load_linux(img, 0x500, NULL, NULL, &e, err) < 0 && strstr(err, "truncated"),
          "truncated: %s", err);
    memcpy(img + 0x202, "HdrX", 4);
    CHECK(loader_probe(img, len, err, sizeof err) == IMAGE_UNKNOWN && strstr(err, "HdrS"),
          "probe: %s", err);
    free(img);
}

/* ---- PVH ----------------------------------------------------------------------- */

/* ELF32 with one PT_LOAD at 2 MiB and a PT_NOTE holding the Xen PHYS32 entry note. */
static uint8_t *make_pvh_elf(size_t *len)
{
    uint8_t *img = calloc(1, 0x2000);

    memcpy(img, "\177ELF", 4);
    img[4] = 1; img[5] = 1; img[6] = 1;
    st_le16(img + 16, 2); st_le16(img + 18, 3);
    st_le32(img + 24, 0x200000);             /* e_entry: not the PVH entry */
    st_le32(img + 28, 52);                   /* e_phoff */
    st_le16(img + 42, 32); st_le16(img + 44, 2);
    uint8_t *ph = img + 52;
    st_le32(ph, 1); st_le32(ph + 4, 0x1000); st_le32(ph + 12, 0x200000);
    st_le32(ph + 16, 0x100); st_le32(ph + 20, 0x200);
    ph += 32;
    st_le32(ph, 4); st_le32(ph + 4, 0x200); st_le32(ph + 16, 20);
    uint8_t *note = img + 0x200;
    st_le32(note, 4); st_le32(note + 4, 4); st_le32(note + 8, 18);
    memcpy(note + 12, "Xen", 4);
    st_le32(note + 16, 0x200040);
    memset(img + 0x1000, 0x90, 0x100);
    *len = 0x2000;
    return img;
}

static void pvh_start_info_follows_the_abi(void)
{
    size_t len;
    uint8_t *img = make_pvh_elf(&len);
    char *path = write_temp(img, len), err[256];
    char *rdpath = write_temp("module!", 7);
    struct bus *b = ram_bus();
    struct e820_map map;
    struct boot_entry e;
    struct loader_args a = { .kernel = path, .append = "root=/dev/x", .initrd = rdpath,
                             .e820 = &map, .ram_below_4g = RAM_SIZE };

    e820_init_pc(&map, RAM_SIZE, 0);
    CHECK(loader_probe(img, len, err, sizeof err) == IMAGE_PVH, "probe PVH");
    CHECK(pvh_load(b, &a, &e, err, sizeof err) == 0, "load: %s", err);
    const uint8_t *si = ram + e.ebx;
    CHECK(e.eip == 0x200040, "entry from the note, not e_entry: %x", e.eip);
    CHECK(ram[0x200000] == 0x90 && ram[0x2001ff] == 0, "segment loaded with its bss");
    CHECK(ld_le32(si) == 0x336ec578 && ld_le32(si + 4) == 1, "magic and version");
    CHECK(!strcmp((char *)ram + ld_le64(si + 24), "root=/dev/x"), "cmdline_paddr");
    CHECK(ld_le32(si + 12) == 1, "nr_modules");
    const uint8_t *mod = ram + ld_le64(si + 16);
    CHECK(ld_le64(mod + 8) == 7 && !memcmp(ram + ld_le64(mod), "module!", 7)
          && (ld_le64(mod) & 0xfff) == 0, "module");
    CHECK(ld_le32(si + 48) == 5 && ld_le32(ram + ld_le64(si + 40) + 3 * 24 + 16) == E820_RAM,
          "memmap");
    bus_free(b);
    unlink(path);
    unlink(rdpath);
    free(path);
    free(rdpath);
    free(img);
}

int main(void)
{
    ram = malloc(RAM_SIZE);
    e820_pc_map_has_the_legacy_holes();
    e820_add_splits_ram();
    linux_zero_page_follows_the_protocol();
    linux_bad_images_are_refused_with_the_reason();
    pvh_start_info_follows_the_abi();
    free(ram);
    if (failures)
        printf("%d failure(s)\n", failures);
    return failures != 0;
}
