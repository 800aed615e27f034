/* PCIDs, global pages and TLB invalidation (SDM vol. 3, 4.10.1-4.10.4).
 * Two address spaces A and B map one linear address (VA_T) to different
 * pages; A runs under PCID 1, B under PCID 2.  A's mapping is changed
 * while B is current, and the guest checks what the SDM guarantees: that
 * a PCID never uses another PCID's translation, that a CR3 load without
 * bit 63 and each INVPCID type drop what they must, that INVLPG drops a
 * global translation made under any PCID and all of a 2 MiB page.  Where
 * the SDM lets a stale translation be used (CR3 bit 63 after a change),
 * nothing is asserted until an invalidation that must drop it.
 *
 * Without CPUID.PCID (QEMU 7.2's TCG, and the run compared with it) the
 * same sequence runs with PCID 0 and no bit 63, so every check is still
 * one the SDM guarantees; INVPCID parts run only where it is advertised. */
#include "runtime.h"

#define CR4_PGE   (1ul << 7)
#define CR4_PCIDE (1ul << 17)
#define CR3_NOFLUSH (1ul << 63)
#define PTE_G     0x100ul
/* PML4 slot 1: A and B map VA_T differently; slot 2: VA_G, a global page
 * both share.  Page indexes chosen so that they and the guest's own pages
 * (0x100000-0x14ffff) take different slots of satori's soft TLB */
#define T_IDX     0xc3
#define G_IDX     0xd7
#define VA_T      (0x8000000000ul + T_IDX * 0x1000ul)
#define VA_L      (0x8000000000ul + 0x200000)   /* a 2 MiB page of A */
#define VA_G      (0x10000000000ul + G_IDX * 0x1000ul)
#define L_OFF     0xe5000ul
#define LARGE1    0x800000ul        /* two 2 MiB pages of RAM for VA_L */
#define LARGE2    0xa00000ul

#define TABLE static uint64_t __attribute__((aligned(4096)))
TABLE pml4_a[512], pml4_b[512], pdpt_a[512], pdpt_b[512], pd_a[512], pd_b[512];
TABLE pt_a[512], pt_b[512], pdpt_g[512], pd_g[512], pt_g[512];
TABLE page[3][512];                 /* page[k][0] = marker k + 1 */

static bool pcid_on, invpcid_on;

static void set_map(uint64_t *pt, int marker)
{
    if (pt == pt_g)
        pt[G_IDX] = (uint64_t)page[marker - 1] | 3 | PTE_G;
    else
        pt[T_IDX] = (uint64_t)page[marker - 1] | 3;
}

static int rd(uint64_t va)
{
    uint64_t v = *(volatile uint64_t *)va;

    for (int k = 0; k < 3; k++)
        if (v == 0x5eed0000ul + (uint64_t)k + 1)
            return k + 1;
    return (int)(v & 0xffff);
}

/* CR3 := space, with its PCID and bit 63 = keep when PCIDs are on */
static void load(uint64_t *pml4, unsigned pcid, bool keep)
{
    uint64_t v = (uint64_t)pml4;

    if (pcid_on)
        v |= pcid | (keep ? CR3_NOFLUSH : 0);
    write_cr3(v);
}

static void invpcid(unsigned long type, unsigned pcid, uint64_t va)
{
    struct { uint64_t pcid, va; } desc = { pcid_on ? pcid : 0, va };

    __asm__ volatile("invpcid %1, %0" : : "r"(type), "m"(desc) : "memory");
}

#define A pml4_a, 1
#define B pml4_b, 2

int main(void)
{
    uint32_t r[4];
    uint64_t *pml4 = (uint64_t *)(read_cr3() & ~0xfffull);

    cpuid(1, 0, r);
    pcid_on = r[2] & (1u << 17);
    cpuid(7, 0, r);
    invpcid_on = r[1] & (1u << 10);
    printf("CPUID: pcid %d invpcid %d\n", pcid_on, invpcid_on);

    for (int k = 0; k < 3; k++)
        page[k][0] = 0x5eed0000ul + (uint64_t)k + 1;
    pml4_a[0] = pml4_b[0] = pml4[0];
    pml4_a[1] = (uint64_t)pdpt_a | 3, pdpt_a[0] = (uint64_t)pd_a | 3, pd_a[0] = (uint64_t)pt_a | 3;
    pml4_b[1] = (uint64_t)pdpt_b | 3, pdpt_b[0] = (uint64_t)pd_b | 3, pd_b[0] = (uint64_t)pt_b | 3;
    pml4_a[2] = pml4_b[2] = (uint64_t)pdpt_g | 3;
    pdpt_g[0] = (uint64_t)pd_g | 3, pd_g[0] = (uint64_t)pt_g | 3;
    set_map(pt_a, 1);
    set_map(pt_b, 2);
    set_map(pt_g, 1);
    *(volatile uint64_t *)(LARGE1 + L_OFF) = 0xa1;
    *(volatile uint64_t *)(LARGE2 + L_OFF) = 0xa2;
    pd_a[1] = LARGE1 | 0x83;

    write_cr4(read_cr4() | CR4_PGE);
    if (pcid_on)
        write_cr4(read_cr4() | CR4_PCIDE);

    load(A, false);
    reportf(rd(VA_T) == 1 && rd(VA_G) == 1, "address space A sees its page and the global one");
    load(B, true);
    reportf(rd(VA_T) == 2, "B (CR3 bit 63, a PCID not used before) does not use A's translation");
    load(A, true);
    reportf(rd(VA_T) == 1, "back to A with bit 63: A's page");
    load(B, true);
    reportf(rd(VA_T) == 2 && rd(VA_G) == 1, "back to B with bit 63: B's page and the global one");

    /* A's mapping changes while B is current */
    set_map(pt_a, 3);
    load(A, false);
    reportf(rd(VA_T) == 3, "A's mapping changed under B: seen after a CR3 load without bit 63");
    load(B, true);
    set_map(pt_a, 1);
    load(A, true);
    invlpg((void *)VA_T);
    reportf(rd(VA_T) == 1, "A's mapping changed under B: seen after bit 63 and INVLPG");

    if (invpcid_on) {
        static const int next[4] = { 3, 1, 3, 1 };
        for (unsigned long type = 0; type < 4; type++) {
            load(B, true);
            (void)rd(VA_T);
            set_map(pt_a, next[type]);
            invpcid(type, 1, VA_T);
            load(A, true);
            reportf(rd(VA_T) == next[type],
                    "A's mapping changed under B, INVPCID type %lu from B, back with bit 63: "
                    "the new page (%d)", type, rd(VA_T));
        }
        set_map(pt_a, 2);
        invpcid(0, 1, VA_T);
        reportf(rd(VA_T) == 2, "INVPCID type 0 for the current PCID");
    }
    load(B, true);
    reportf(rd(VA_T) == 2, "B still maps its own page after A's changes");

    /* a global translation made under A, changed under B */
    load(A, true);
    (void)rd(VA_G);
    load(B, true);
    (void)rd(VA_G);
    set_map(pt_g, 2);
    invlpg((void *)VA_G);
    load(A, true);
    reportf(rd(VA_G) == 2, "INVLPG under B drops the global translation made under A");
    if (invpcid_on) {
        set_map(pt_g, 3);
        invpcid(2, 0, 0);
        reportf(rd(VA_G) == 3, "INVPCID type 2 drops global translations");
    }
    set_map(pt_g, 1);
    write_cr4(read_cr4() & ~CR4_PGE);
    reportf(rd(VA_G) == 1, "clearing CR4.PGE drops global translations");

    /* INVLPG of one address of a 2 MiB page drops all of it */
    reportf(rd(VA_L + L_OFF) == 0xa1, "A's 2 MiB page, read at offset 0xe5000");
    pd_a[1] = LARGE2 | 0x83;
    invlpg((void *)VA_L);
    reportf(rd(VA_L + L_OFF) == 0xa2, "INVLPG of a 2 MiB page's start drops its other parts");

    write_cr3((uint64_t)pml4);
    if (pcid_on)
        write_cr4(read_cr4() & ~CR4_PCIDE);
    report_done();
}
