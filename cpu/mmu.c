/*
 * cpu/mmu.c: paging and the soft TLB (SDM vol. 3, ch. 4).
 *
 * Paging modes: none, 32-bit (4 KiB and, with CR4.PSE, 4 MiB pages), PAE
 * and 4-level IA-32e (2 MiB and 1 GiB pages).  A and D bits are set as the
 * hardware does; U/S, R/W (with CR0.WP for supervisor writes) and NX are
 * enforced; reserved bits raise #PF with RSVD.  The soft TLB maps linear
 * pages to host pointers for RAM only; everything else (MMIO, ROM writes,
 * pages holding translated code, not-yet-dirty pages, alignment-checked
 * accesses) takes the slow path here.
 *
 * SMEP and SMAP forbid supervisor fetches from and data accesses to user
 * pages (4.6.1); supervisor code with EFLAGS.AC = 1 under SMAP uses its own
 * TLB (mmu_idx 3), so STAC/CLAC never meet stale permissions.
 *
 * The soft TLB is direct-mapped, TLB_SIZE entries per mmu_idx, with a log
 * of the entries filled since the last flush so that flushes cost what
 * was filled.  Global pages (CR4.PGE) survive CR3 loads; with CR4.PCIDE the TLB of
 * each recently used PCID is kept apart (see "flushes and PCIDs" below),
 * so MOV to CR3 with bit 63 and INVPCID do what SDM vol. 3, 4.10.4 says.
 *
 * Known deviations: PAE PDPTEs are read at walk time rather than cached at
 * CR3 load; some flushes drop more than hardware must (listed below),
 * which is always allowed.
 */
#include <stdlib.h>

#include "cpu/cpu-internal.h"

#include "util/log.h"

enum access { ACC_READ = 0, ACC_WRITE = 1, ACC_FETCH = 2 };

/* entry x of a TLB's MMU_IDX_COUNT * TLB_SIZE, counted across mmu_idx */
static inline struct tlb_entry *tlb_at(struct tlb_entry (*tlb)[TLB_SIZE], unsigned x)
{
    return &tlb[x / TLB_SIZE][x % TLB_SIZE];
}

static inline uint8_t *flags_at(uint8_t (*flags)[TLB_SIZE], unsigned x)
{
    return &flags[x / TLB_SIZE][x % TLB_SIZE];
}

static inline bool entry_valid(const struct tlb_entry *e);
static inline void log_fill(struct cpu *cpu, unsigned idx);

/* Note that the TLB holds a piece of a large page of `size` holding la. */
static void large_note(struct cpu *cpu, gva_t la, uint64_t size)
{
    cpu->large_pages = true;
    if (size > (4u << 20)) {
        cpu->tlb_large_1g = true;
        return;
    }
    for (gva_t r = la & ~(size - 1); r < (la & ~(size - 1)) + size; r += 2u << 20)
        cpu->tlb_large_map[(r >> 21) / 64 % 16] |= 1ull << ((r >> 21) % 64);
}

static bool large_maybe(const struct cpu *cpu, gva_t la)
{
    return cpu->large_pages
        && (cpu->tlb_large_1g || (cpu->tlb_large_map[(la >> 21) / 64 % 16] >> ((la >> 21) % 64) & 1));
}

#define PTE_P   (1ull << 0)
#define PTE_RW  (1ull << 1)
#define PTE_US  (1ull << 2)
#define PTE_A   (1ull << 5)
#define PTE_D   (1ull << 6)
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_NX  (1ull << 63)

struct xlate {
    gpa_t pa;           /* physical address of la */
    bool user_ok, write_ok, exec_ok, dirty;
    bool global;        /* G in the leaf entry with CR4.PGE */
    uint64_t page_size;
};

/*
 * Paging-structure reads: straight from the RAM page (no bus_phys_read
 * loop: the walk is hot in a booting kernel); entries outside RAM read
 * as zero (not present), as bus_phys_read leaves them.
 */
static uint64_t phys_ld64(struct cpu *cpu, gpa_t pa)
{
    enum ram_kind kind;
    const uint8_t *p = bus_ram_page(cpu->bus, pa, &kind);
    uint64_t v = 0;

    if (p)
        memcpy(&v, p + (pa & ~PAGE_MASK & ~7ull), 8);  /* entries are aligned */
    return v;
}

static uint32_t phys_ld32(struct cpu *cpu, gpa_t pa)
{
    enum ram_kind kind;
    const uint8_t *p = bus_ram_page(cpu->bus, pa, &kind);
    uint32_t v = 0;

    if (p)
        memcpy(&v, p + (pa & ~PAGE_MASK & ~3ull), 4);
    return v;
}

/* Set A/D bits in a paging entry of `size` bytes (4 or 8) if not yet set. */
static void set_entry_bits(struct cpu *cpu, gpa_t pa, uint64_t old, uint64_t bits, unsigned size)
{
    if ((old & bits) != bits) {
        uint64_t v = old | bits;
        enum ram_kind k;
        uint8_t *p = bus_ram_page(cpu->bus, pa, &k);
        if (p && k == RAM_RW) {
            memcpy(p + (pa & ~PAGE_MASK), &v, size); /* little-endian host */
            /* a write like any other: code translated from it is stale */
            if (tb_page_has_code(cpu, pa & PAGE_MASK))
                tb_invalidate_phys(cpu, pa, size);
        }
    }
}

static void set_bits64(struct cpu *cpu, gpa_t pa, uint64_t old, uint64_t bits)
{
    set_entry_bits(cpu, pa, old, bits, 8);
}

static void set_bits32(struct cpu *cpu, gpa_t pa, uint32_t old, uint32_t bits)
{
    set_entry_bits(cpu, pa, old, bits, 4);
}

_Noreturn static void page_fault(struct cpu *cpu, gva_t la, uint32_t pfec)
{
    cpu->cr2 = la;
    cpu_raise_exception_err(cpu, EXC_PF, pfec);
}

/* In walk()'s result: a fault (a supervisor read of a page that is not
 * present has error code 0, so the code alone cannot say it) */
#define WALK_FAULT 0x80000000u

/*
 * Walk the page tables for la.  Returns 0 and fills *x, or WALK_FAULT
 * with the page-fault error code in the low bits, without raising.  Sets
 * A (and D for writes) only when the access is permitted.
 */
/*
 * SMEP and SMAP (SDM vol. 3, 4.6.1): a supervisor-mode fetch from a page
 * user mode may access faults under CR4.SMEP; a supervisor-mode data
 * access to one faults under CR4.SMAP unless `smap_ok` (an explicit access
 * with EFLAGS.AC = 1; implicit accesses to system structures never are).
 */
static bool smep_smap_denied(const struct cpu *cpu, const struct xlate *x, enum access acc,
                             bool user, bool smap_ok)
{
    if (user || !x->user_ok)
        return false;
    if (acc == ACC_FETCH)
        return cpu->cr4 & CR4_SMEP;
    return (cpu->cr4 & CR4_SMAP) && !smap_ok;
}

static uint32_t walk(struct cpu *cpu, gva_t la, enum access acc, bool user, bool smap_ok,
                     struct xlate *x)
{
    /* I/D: a fetch, where paging can forbid fetches (NX under PAE, or SMEP) */
    bool nx_paging = (cpu->cr4 & CR4_PAE) && (cpu->efer & EFER_NXE);
    uint32_t pfec_base = WALK_FAULT | (acc == ACC_WRITE ? PFEC_W : 0) | (user ? PFEC_U : 0)
                       | (acc == ACC_FETCH && (nx_paging || (cpu->cr4 & CR4_SMEP)) ? PFEC_I : 0);
    bool wp = cpu->cr0 & CR0_WP, nxe = cpu->efer & EFER_NXE;

    x->user_ok = x->write_ok = x->exec_ok = true;
    x->dirty = true;
    x->global = false;
    if (!(cpu->cr0 & CR0_PG)) {
        x->pa = la & 0xffffffffull;
        if (cpu->efer & EFER_LMA)
            x->pa = la;
        x->page_size = PAGE_SIZE;
        return 0;
    }
    if (!(cpu->cr4 & CR4_PAE)) {
        /* 32-bit paging */
        gpa_t pde_pa = (cpu->cr3 & 0xfffff000u) + ((la >> 22) & 0x3ff) * 4;
        uint32_t pde = phys_ld32(cpu, pde_pa);
        if (!(pde & PTE_P))
            return pfec_base;
        if ((pde & PTE_PS) && (cpu->cr4 & CR4_PSE)) {
            x->user_ok = pde & PTE_US;
            x->write_ok = pde & PTE_RW;
            x->pa = ((gpa_t)(pde & 0xffc00000u) | ((gpa_t)(pde >> 13 & 0xff) << 32))
                  + (la & 0x3fffff);
            x->page_size = 4u << 20;
            x->dirty = pde & PTE_D;
            x->global = (pde & PTE_G) && (cpu->cr4 & CR4_PGE);
            if ((user && !x->user_ok) || (acc == ACC_WRITE && !x->write_ok && (user || wp))
                || smep_smap_denied(cpu, x, acc, user, smap_ok))
                return pfec_base | PFEC_P;
            set_bits32(cpu, pde_pa, pde, (uint32_t)(PTE_A | (acc == ACC_WRITE ? PTE_D : 0)));
            x->dirty |= acc == ACC_WRITE;
            return 0;
        }
        gpa_t pte_pa = (pde & 0xfffff000u) + ((la >> 12) & 0x3ff) * 4;
        uint32_t pte = phys_ld32(cpu, pte_pa);
        if (!(pte & PTE_P))
            return pfec_base;
        x->user_ok = (pde & PTE_US) && (pte & PTE_US);
        x->write_ok = (pde & PTE_RW) && (pte & PTE_RW);
        if ((user && !x->user_ok) || (acc == ACC_WRITE && !x->write_ok && (user || wp))
            || smep_smap_denied(cpu, x, acc, user, smap_ok))
            return pfec_base | PFEC_P;
        set_bits32(cpu, pde_pa, pde, PTE_A);
        set_bits32(cpu, pte_pa, pte, (uint32_t)(PTE_A | (acc == ACC_WRITE ? PTE_D : 0)));
        x->dirty = (pte & PTE_D) || acc == ACC_WRITE;
        x->pa = (pte & 0xfffff000u) | (la & 0xfff);
        x->page_size = PAGE_SIZE;
        x->global = (pte & PTE_G) && (cpu->cr4 & CR4_PGE);
        return 0;
    }

    /* PAE and 4-level: 64-bit entries, 9 bits per level */
    uint64_t maxphys = (1ull << 40) - 1;
    uint64_t rsvd_addr = ~maxphys & 0x000ffffffffff000ull;
    gpa_t table;
    int level;
    gpa_t entry_pa[4];
    uint64_t entry[4];
    int n = 0;

    if (cpu->efer & EFER_LMA) {
        table = cpu->cr3 & 0x000ffffffffff000ull;
        level = 4;
    } else {
        gpa_t pdpte_pa = (cpu->cr3 & 0xffffffe0u) + ((la >> 30) & 3) * 8;
        uint64_t pdpte = phys_ld64(cpu, pdpte_pa);
        if (!(pdpte & PTE_P))
            return pfec_base;
        if (pdpte & (rsvd_addr | 0x1e6 | PTE_NX))
            return pfec_base | PFEC_P | PFEC_RSVD;
        table = pdpte & 0x000ffffffffff000ull;
        level = 2;
    }
    for (;; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        gpa_t epa = table + ((la >> shift) & 0x1ff) * 8;
        uint64_t e = phys_ld64(cpu, epa);

        if (!(e & PTE_P))
            return pfec_base;
        if ((e & rsvd_addr) || ((e & PTE_NX) && !nxe)
            || (level == 4 && (e & PTE_PS)) || (level == 3 && (e & PTE_PS) && (e & 0x3fffe000ull))
            || (level == 2 && (e & PTE_PS) && (e & 0x1fe000ull)))
            return pfec_base | PFEC_P | PFEC_RSVD;
        entry_pa[n] = epa;
        entry[n++] = e;
        x->user_ok &= (e & PTE_US) != 0;
        x->write_ok &= (e & PTE_RW) != 0;
        x->exec_ok &= !(nxe && (e & PTE_NX));
        if (level == 1 || (e & PTE_PS)) {
            uint64_t size = 1ull << shift;
            x->pa = (e & 0x000ffffffffff000ull & ~(size - 1)) | (la & (size - 1));
            x->page_size = size;
            x->dirty = (e & PTE_D) != 0;
            x->global = (e & PTE_G) && (cpu->cr4 & CR4_PGE);
            break;
        }
        table = e & 0x000ffffffffff000ull;
    }
    if ((user && !x->user_ok) || (acc == ACC_WRITE && !x->write_ok && (user || wp))
        || (acc == ACC_FETCH && !x->exec_ok) || smep_smap_denied(cpu, x, acc, user, smap_ok))
        return pfec_base | PFEC_P;
    for (int i = 0; i < n; i++)
        set_bits64(cpu, entry_pa[i], entry[i],
                   PTE_A | (i == n - 1 && acc == ACC_WRITE ? PTE_D : 0));
    x->dirty |= acc == ACC_WRITE;
    return 0;
}

static inline bool canonical(const struct cpu *cpu, gva_t la)
{
    if (!(cpu->efer & EFER_LMA))
        return true;
    return (uint64_t)((int64_t)(la << 16) >> 16) == la;
}

/*
 * Translate la for an access at the current privilege (or as supervisor
 * when sys), raising #GP/#PF; fill the TLB for the page.  Returns the
 * physical address.
 */
static gpa_t translate(struct cpu *cpu, gva_t la, enum access acc, bool sys)
{
    struct xlate x;
    bool user = !sys && cpu_cpl_fast(cpu) == 3;
    bool smap_ok = !sys && (cpu->eflags & EFLAGS_AC);
    uint32_t pfec;

    if (!canonical(cpu, la))
        cpu_raise_exception_err(cpu, EXC_GP, 0);
    if (!(cpu->efer & EFER_LMA))
        la &= 0xffffffffull;
    pfec = walk(cpu, la, acc, user, smap_ok, &x);
    if (pfec)
        page_fault(cpu, la, pfec & ~WALK_FAULT);
    if (!sys) {
        /* fill the TLB entry of the current mmu_idx */
        unsigned slot = (la >> PAGE_BITS) & TLB_MASK;
        struct tlb_entry *e = &cpu->tlb[cpu->mmu_idx][slot];
        gpa_t page = x.pa & PAGE_MASK;
        enum ram_kind kind;
        uint8_t *host = bus_ram_page(cpu->bus, page, &kind);
        gva_t lpage = la & PAGE_MASK;

        if (cpu_apic_page(cpu, page))
            host = NULL;    /* the xAPIC page hides RAM: slow path */

        if (!entry_valid(e))
            log_fill(cpu, cpu->mmu_idx * TLB_SIZE + slot);
        e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
        e->paddr = page;
        cpu->tlb_flags[cpu->mmu_idx][slot] = (x.global ? TLBF_GLOBAL : 0)
            | (x.page_size == PAGE_SIZE ? 0 : x.page_size == 2u << 20 ? TLBF_2M
               : x.page_size == 4u << 20 ? TLBF_4M : TLBF_1G);
        if (x.page_size > PAGE_SIZE)
            large_note(cpu, la, x.page_size);
        /* a supervisor entry for a user page gives only what SMEP/SMAP allow */
        bool fetch_ok = x.exec_ok && !smep_smap_denied(cpu, &x, ACC_FETCH, user, smap_ok);
        bool data_ok = !smep_smap_denied(cpu, &x, ACC_READ, user, smap_ok)
                       && !((cpu->hflags & HF_DBG) && debug_page_watched(cpu, lpage));
        if (host && cpu->mmu_idx != 2) {
            bool ro = !x.write_ok && (user || (cpu->cr0 & CR0_WP));
            e->addend = (uintptr_t)host - lpage;
            if (data_ok)
                e->tag_r = lpage;
            if (fetch_ok)
                e->tag_x = lpage;
            if (data_ok && !ro && x.dirty && kind == RAM_RW && !tb_page_has_code(cpu, page))
                e->tag_w = lpage;
        } else if (host) {
            e->addend = (uintptr_t)host - lpage;
            if (fetch_ok)
                e->tag_x = lpage;
        }
        cpu->stats.tlb_fills++;
    }
    return x.pa;
}

static uint64_t phys_access_read(struct cpu *cpu, gpa_t pa, unsigned size)
{
    enum ram_kind kind;
    uint8_t *p = bus_ram_page(cpu->bus, pa, &kind);
    uint64_t v = 0;

    if (cpu_apic_page(cpu, pa))
        return cpu->intc.mmio_read(cpu->intc.opaque, (uint32_t)(pa & ~PAGE_MASK), size);
    if (p) {
        memcpy(&v, p + (pa & ~PAGE_MASK), size);
        return v;
    }
    return bus_mmio_read(cpu->bus, pa, size);
}

static void phys_access_write(struct cpu *cpu, gpa_t pa, unsigned size, uint64_t v)
{
    enum ram_kind kind;
    uint8_t *p = bus_ram_page(cpu->bus, pa, &kind);

    if (cpu_apic_page(cpu, pa)) {
        cpu_apic_mmio_write(cpu, pa, v, size);
        return;
    }
    if (p) {
        if (kind != RAM_RW)
            return; /* ROM: writes are ignored */
        if (tb_page_has_code(cpu, pa))
            tb_invalidate_phys(cpu, pa, size);
        memcpy(p + (pa & ~PAGE_MASK), &v, size);
        return;
    }
    bus_mmio_write(cpu->bus, pa, v, size);
}

static void check_alignment(struct cpu *cpu, gva_t la, unsigned size)
{
    if (cpu->mmu_idx == 2 && (la & (size - 1)))
        cpu_raise_exception_err(cpu, EXC_AC, 0);
}

static uint64_t ld_common(struct cpu *cpu, gva_t la, unsigned size, bool sys)
{
    if (!sys)
        check_alignment(cpu, la, size);
    if (unlikely(cpu->hflags & HF_DBG) && !sys)
        debug_check_data(cpu, la, size, false);
    if (((la & ~PAGE_MASK) + size) > PAGE_SIZE) {
        /* crosses a page: translate both before reading */
        unsigned first = (unsigned)(PAGE_SIZE - (la & ~PAGE_MASK));
        gpa_t pa1 = translate(cpu, la, ACC_READ, sys);
        gpa_t pa2 = translate(cpu, la + first, ACC_READ, sys);
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            uint64_t b = phys_access_read(cpu, i < first ? pa1 + i : pa2 + (i - first), 1);
            v |= b << (8 * i);
        }
        return v;
    }
    return phys_access_read(cpu, translate(cpu, la, ACC_READ, sys), size);
}

static void st_common(struct cpu *cpu, gva_t la, unsigned size, uint64_t v, bool sys)
{
    if (!sys)
        check_alignment(cpu, la, size);
    if (unlikely(cpu->hflags & HF_DBG) && !sys)
        debug_check_data(cpu, la, size, true);
    if (((la & ~PAGE_MASK) + size) > PAGE_SIZE) {
        unsigned first = (unsigned)(PAGE_SIZE - (la & ~PAGE_MASK));
        gpa_t pa1 = translate(cpu, la, ACC_WRITE, sys);
        gpa_t pa2 = translate(cpu, la + first, ACC_WRITE, sys);
        for (unsigned i = 0; i < size; i++)
            phys_access_write(cpu, i < first ? pa1 + i : pa2 + (i - first), 1,
                              (v >> (8 * i)) & 0xff);
        return;
    }
    phys_access_write(cpu, translate(cpu, la, ACC_WRITE, sys), size, v);
}

uint64_t mmu_ld_slow(struct cpu *cpu, gva_t la, unsigned size)
{
    return ld_common(cpu, la, size, false);
}

void mmu_st_slow(struct cpu *cpu, gva_t la, unsigned size, uint64_t v)
{
    st_common(cpu, la, size, v, false);
}

uint64_t mmu_ld_sys(struct cpu *cpu, gva_t la, unsigned size)
{
    return ld_common(cpu, la, size, true);
}

void mmu_st_sys(struct cpu *cpu, gva_t la, unsigned size, uint64_t v)
{
    st_common(cpu, la, size, v, true);
}

void mmu_probe_write(struct cpu *cpu, gva_t la, unsigned size)
{
    const struct tlb_entry *e = &cpu->tlb[cpu->mmu_idx][(la >> PAGE_BITS) & TLB_MASK];

    if (e->tag_w == (la & PAGE_MASK) && (la & ~PAGE_MASK) <= PAGE_SIZE - size)
        return;
    check_alignment(cpu, la, size);
    translate(cpu, la, ACC_WRITE, false);
    if (((la & ~PAGE_MASK) + size) > PAGE_SIZE)
        translate(cpu, (la & PAGE_MASK) + PAGE_SIZE, ACC_WRITE, false);
}

const uint8_t *mmu_fetch_page(struct cpu *cpu, gva_t la, gpa_t *pa)
{
    const struct tlb_entry *e = &cpu->tlb[cpu->mmu_idx][(la >> PAGE_BITS) & TLB_MASK];
    enum ram_kind kind;

    if (e->tag_x != (la & PAGE_MASK)) {
        translate(cpu, la, ACC_FETCH, false);
        if (e->tag_x != (la & PAGE_MASK)) {
            /*
             * Code fetched from where there is no RAM reads as the PC's
             * open bus does, all ones (as data reads there do): FF FF is
             * an invalid opcode, so the guest takes #UD.
             */
            static uint8_t open_bus[PAGE_SIZE];
            if (!open_bus[0])
                memset(open_bus, 0xff, sizeof open_bus);
            *pa = e->paddr | (la & ~PAGE_MASK);
            if (log_on(LOG_GUEST_ERRORS))
                log_printf("instruction fetch at %llx from physical %llx, which is not RAM: "
                           "reads all ones\n", (unsigned long long)la, (unsigned long long)*pa);
            return open_bus;
        }
    }
    *pa = e->paddr | (la & ~PAGE_MASK);
    return bus_ram_page(cpu->bus, e->paddr, &kind);
}

const uint8_t *mmu_fetch_probe(struct cpu *cpu, gva_t la, gpa_t *pa)
{
    struct xlate x;
    enum ram_kind kind;
    uint8_t *host;

    if (!canonical(cpu, la))
        return NULL;
    if (!(cpu->efer & EFER_LMA))
        la &= 0xffffffffull;
    if (walk(cpu, la, ACC_FETCH, cpu_cpl_fast(cpu) == 3, false, &x))
        return NULL;
    host = bus_ram_page(cpu->bus, x.pa & PAGE_MASK, &kind);
    *pa = x.pa;
    return host;
}

/* ---- flushes and PCIDs (SDM vol. 3, 4.10.2-4.10.4) ------------------------ */

/*
 * The TLB in cpu->tlb holds the translations of the current PCID (PCID 0
 * while CR4.PCIDE = 0) plus global ones; cpu->tlb_flags says which entries
 * are global and which come from large pages.  A MOV to CR3 that changes
 * the PCID saves that TLB into one of TLB_PCID_SETS saved sets tagged with
 * the PCID it leaves (the least recently saved set gives way), and brings
 * the new PCID's set back when CR3 bit 63 asks to keep its translations;
 * the outgoing TLB's global entries stay where the incoming set has
 * nothing.  So a translation is only ever used under the PCID it was made
 * under, or as a global one.  The layout of struct tlb_entry (which host
 * code reads) is unchanged.  Flushes that hardware may limit and satori
 * does not: INVLPG drops the page from every saved set (global or not),
 * INVPCID type 3 drops every saved set whole, and a set that is not
 * brought back by its CR3 load is dropped with its global entries.
 */
#define TLB_PCID_SETS 4
#define PCID_FREE 0xffffu

/*
 * A saved TLB: the logged entries alone (compact) when the fill log
 * covered them, else a copy of the whole TLB.
 */
struct tlb_pcid_set {
    uint16_t pcid;              /* PCID_FREE: unused */
    bool large_pages, compact;
    unsigned n;                 /* compact: entries in idx/ent/fl */
    uint64_t saved_at;          /* cpu->pcid_clock when saved */
    uint16_t idx[TLB_LOG_SIZE];
    struct tlb_entry ent[TLB_LOG_SIZE];
    uint8_t fl[TLB_LOG_SIZE];
    struct tlb_entry tlb[MMU_IDX_COUNT][TLB_SIZE];
    uint8_t flags[MMU_IDX_COUNT][TLB_SIZE];
};

static inline void entry_clear(struct tlb_entry *e)
{
    e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
    e->paddr = (gpa_t)-1;
}

static inline bool entry_valid(const struct tlb_entry *e)
{
    return e->tag_r != TLB_INVALID || e->tag_w != TLB_INVALID || e->tag_x != TLB_INVALID;
}

/* Whether e maps a page of the naturally aligned `size` bytes holding la. */
static inline bool entry_maps(const struct tlb_entry *e, gva_t la, uint64_t size)
{
    gva_t m = ~(size - 1);

    return (e->tag_r != TLB_INVALID && (e->tag_r & m) == (la & m))
        || (e->tag_w != TLB_INVALID && (e->tag_w & m) == (la & m))
        || (e->tag_x != TLB_INVALID && (e->tag_x & m) == (la & m));
}

static uint64_t flags_page_size(uint8_t f)
{
    static const uint64_t size[4] = { PAGE_SIZE, 2u << 20, 4u << 20, 1u << 30 };

    return size[(f & TLBF_SIZE) >> 1];
}

/*
 * The fill log: every valid entry of cpu->tlb is in cpu->tlb_log (maybe
 * twice, maybe with entries since invalidated) unless tlb_log_full, so a
 * flush touches only those.
 */
static inline void log_fill(struct cpu *cpu, unsigned idx)
{
    if (cpu->tlb_log_full)
        return;
    if (cpu->tlb_log_n == TLB_LOG_SIZE) {
        cpu->tlb_log_full = true;
        return;
    }
    cpu->tlb_log[cpu->tlb_log_n++] = (uint16_t)idx;
}

static unsigned current_pcid(const struct cpu *cpu)
{
    return cpu->cr4 & CR4_PCIDE ? (unsigned)(cpu->cr3 & 0xfff) : 0;
}

static gva_t entry_page(const struct tlb_entry *e)
{
    return e->tag_r != TLB_INVALID ? e->tag_r : e->tag_w != TLB_INVALID ? e->tag_w : e->tag_x;
}

/* A large-page entry that stays: note it again */
static void keep_large(struct cpu *cpu, const struct tlb_entry *e, uint8_t f, bool *large)
{
    if (!(f & TLBF_SIZE))
        return;
    large_note(cpu, entry_page(e), flags_page_size(f));
    *large = true;
}

/* Empty the current TLB, but for its global entries when keep_global. */
static void flush_current(struct cpu *cpu, bool keep_global)
{
    bool large = false;

    memset(cpu->tlb_large_map, 0, sizeof cpu->tlb_large_map);
    cpu->tlb_large_1g = false;

    if (!cpu->tlb_log_full) {
        unsigned kept = 0;
        for (unsigned k = 0; k < cpu->tlb_log_n; k++) {
            unsigned x = cpu->tlb_log[k];
            uint8_t *f = flags_at(cpu->tlb_flags, x);
            if (keep_global && (*f & TLBF_GLOBAL) && entry_valid(tlb_at(cpu->tlb, x))) {
                keep_large(cpu, tlb_at(cpu->tlb, x), *f, &large);
                cpu->tlb_log[kept++] = (uint16_t)x;
                continue;
            }
            entry_clear(tlb_at(cpu->tlb, x));
            *f = 0;
        }
        cpu->tlb_log_n = kept;
    } else {
        cpu->tlb_log_n = 0;
        cpu->tlb_log_full = false;
        for (unsigned x = 0; x < MMU_IDX_COUNT * TLB_SIZE; x++) {
            uint8_t *f = flags_at(cpu->tlb_flags, x);
            if (keep_global && (*f & TLBF_GLOBAL) && entry_valid(tlb_at(cpu->tlb, x))) {
                keep_large(cpu, tlb_at(cpu->tlb, x), *f, &large);
                log_fill(cpu, x);
                continue;
            }
            entry_clear(tlb_at(cpu->tlb, x));
            *f = 0;
        }
    }
    cpu->large_pages = large;
    cpu->stats.tlb_flushes++;
}

static void drop_sets(struct cpu *cpu)
{
    if (cpu->pcid_sets)
        for (int k = 0; k < TLB_PCID_SETS; k++)
            cpu->pcid_sets[k].pcid = PCID_FREE;
}

static struct tlb_pcid_set *set_find(struct cpu *cpu, unsigned pcid)
{
    if (cpu->pcid_sets)
        for (int k = 0; k < TLB_PCID_SETS; k++)
            if (cpu->pcid_sets[k].pcid == pcid)
                return &cpu->pcid_sets[k];
    return NULL;
}

/* Save the current TLB as PCID pcid's. */
static void save_current(struct cpu *cpu, unsigned pcid)
{
    struct tlb_pcid_set *s;

    if (!cpu->pcid_sets) {
        cpu->pcid_sets = calloc(TLB_PCID_SETS, sizeof *cpu->pcid_sets);
        if (!cpu->pcid_sets)
            abort();
        drop_sets(cpu);
    }
    s = set_find(cpu, pcid);
    if (!s)
        s = set_find(cpu, PCID_FREE);
    if (!s) {
        s = &cpu->pcid_sets[0];
        for (int k = 1; k < TLB_PCID_SETS; k++)
            if (cpu->pcid_sets[k].saved_at < s->saved_at)
                s = &cpu->pcid_sets[k];
    }
    s->compact = !cpu->tlb_log_full;
    if (s->compact) {
        s->n = 0;
        for (unsigned k = 0; k < cpu->tlb_log_n; k++) {
            unsigned x = cpu->tlb_log[k];
            if (!entry_valid(tlb_at(cpu->tlb, x)))
                continue;
            s->idx[s->n] = (uint16_t)x;
            s->ent[s->n] = *tlb_at(cpu->tlb, x);
            s->fl[s->n++] = *flags_at(cpu->tlb_flags, x);
        }
    } else {
        memcpy(s->tlb, cpu->tlb, sizeof s->tlb);
        memcpy(s->flags, cpu->tlb_flags, sizeof s->flags);
    }
    s->large_pages = cpu->large_pages;
    s->pcid = (uint16_t)pcid;
    s->saved_at = ++cpu->pcid_clock;
}

/* An entry coming back from a saved set: pages that came to hold
 * translated code meanwhile lose its write tag (exec.c only clears those
 * of the current TLB). */
static void put_back(struct cpu *cpu, unsigned x, const struct tlb_entry *e, uint8_t fl)
{
    struct tlb_entry *d = tlb_at(cpu->tlb, x);

    *d = *e;
    *flags_at(cpu->tlb_flags, x) = fl;
    if ((fl & TLBF_SIZE) && entry_valid(d))
        large_note(cpu, entry_page(d), flags_page_size(fl));
    if (d->tag_w != TLB_INVALID && tb_page_has_code(cpu, d->paddr))
        d->tag_w = TLB_INVALID;
}

/*
 * Make saved set s the current TLB (it is freed), keeping the current
 * global entries where s has none.
 */
static void restore_set(struct cpu *cpu, struct tlb_pcid_set *s)
{
    flush_current(cpu, true);
    if (s->compact) {
        for (unsigned k = 0; k < s->n; k++) {
            put_back(cpu, s->idx[k], &s->ent[k], s->fl[k]);
            log_fill(cpu, s->idx[k]);
        }
    } else {
        for (unsigned x = 0; x < MMU_IDX_COUNT * TLB_SIZE; x++)
            if (entry_valid(&*tlb_at(s->tlb, x)) || !(*flags_at(cpu->tlb_flags, x) & TLBF_GLOBAL))
                put_back(cpu, x, &*tlb_at(s->tlb, x), *flags_at(s->flags, x));
        cpu->tlb_log_full = true;
    }
    s->pcid = PCID_FREE;
}

void tlb_flush_all(struct cpu *cpu)
{
    flush_current(cpu, false);
    drop_sets(cpu);
}

/*
 * Drop the entries for la's page from a TLB: the one of its slot and,
 * when the TLB holds large pages, those of a large page holding la (in
 * every slot: each 4 KiB piece of it has its own).
 */
static void flush_page_in(struct tlb_entry (*tlb)[TLB_SIZE], uint8_t (*flags)[TLB_SIZE],
                          bool large, gva_t la)
{
    unsigned slot = (la >> PAGE_BITS) & TLB_MASK;

    for (int i = 0; i < MMU_IDX_COUNT; i++)
        if (entry_maps(&tlb[i][slot], la, PAGE_SIZE)) {
            entry_clear(&tlb[i][slot]);
            flags[i][slot] = 0;
        }
    if (!large)
        return;
    for (int i = 0; i < MMU_IDX_COUNT; i++)
        for (unsigned j = 0; j < TLB_SIZE; j++)
            if ((flags[i][j] & TLBF_SIZE) && entry_maps(&tlb[i][j], la, flags_page_size(flags[i][j]))) {
                entry_clear(&tlb[i][j]);
                flags[i][j] = 0;
            }
}

static void set_flush_page(struct tlb_pcid_set *s, gva_t la)
{
    if (!s->compact) {
        flush_page_in(s->tlb, s->flags, s->large_pages, la);
        return;
    }
    for (unsigned k = 0; k < s->n; k++)
        if (entry_maps(&s->ent[k], la, flags_page_size(s->fl[k])))
            entry_clear(&s->ent[k]);
}

/* flush_page_in() for the current TLB, through the fill log when it can */
static void flush_current_page(struct cpu *cpu, gva_t la)
{
    bool large = large_maybe(cpu, la);

    if (!large || cpu->tlb_log_full) {
        flush_page_in(cpu->tlb, cpu->tlb_flags, large, la);
        return;
    }
    for (unsigned k = 0; k < cpu->tlb_log_n; k++) {
        unsigned x = cpu->tlb_log[k];
        struct tlb_entry *e = tlb_at(cpu->tlb, x);
        if (entry_maps(e, la, flags_page_size(*flags_at(cpu->tlb_flags, x)))) {
            entry_clear(e);
            *flags_at(cpu->tlb_flags, x) = 0;
        }
    }
}

/* INVLPG: the page of the current PCID and its global translation under
 * any PCID; the saved sets may hold it as global, so it leaves them all. */
void tlb_flush_page(struct cpu *cpu, gva_t la)
{
    flush_current_page(cpu, la);
    if (cpu->pcid_sets)
        for (int k = 0; k < TLB_PCID_SETS; k++)
            if (cpu->pcid_sets[k].pcid != PCID_FREE)
                set_flush_page(&cpu->pcid_sets[k], la);
}

/*
 * MOV to CR3 (SDM vol. 3, 4.10.4.1), new_cr3 already checked and without
 * bit 63; keep: CR4.PCIDE = 1 and bit 63 was set.  Without PCIDs, or to
 * the same PCID without keep, the non-global translations go.
 */
void mmu_load_cr3(struct cpu *cpu, uint64_t new_cr3, bool keep)
{
    unsigned old = current_pcid(cpu);

    cpu->cr3 = new_cr3;
    unsigned pcid = current_pcid(cpu);
    if (!(cpu->cr4 & CR4_PCIDE) || pcid == old) {
        if (!keep)
            flush_current(cpu, true);
        return;
    }
    save_current(cpu, old);
    struct tlb_pcid_set *s = set_find(cpu, pcid);
    if (keep && s) {
        restore_set(cpu, s);
        return;
    }
    if (s)
        s->pcid = PCID_FREE;
    flush_current(cpu, true);
}

/* INVPCID of a checked type and descriptor (SDM vol. 2, INVPCID). */
void mmu_invpcid(struct cpu *cpu, unsigned type, unsigned pcid, gva_t la)
{
    struct tlb_pcid_set *s;

    switch (type) {
    case 0:     /* one address of one PCID */
        if (pcid == current_pcid(cpu))
            flush_current_page(cpu, la);
        else if ((s = set_find(cpu, pcid)))
            set_flush_page(s, la);
        break;
    case 1:     /* one PCID but for global translations */
        if (pcid == current_pcid(cpu))
            flush_current(cpu, true);
        else if ((s = set_find(cpu, pcid)))
            s->pcid = PCID_FREE;
        break;
    case 2:     /* everything */
        tlb_flush_all(cpu);
        break;
    default:    /* every PCID but for global translations */
        flush_current(cpu, true);
        drop_sets(cpu);
        break;
    }
}

void mmu_free(struct cpu *cpu)
{
    free(cpu->pcid_sets);
    cpu->pcid_sets = NULL;
}

void cpu_update_mmu_idx(struct cpu *cpu)
{
    unsigned cpl = cpu_cpl_fast(cpu);

    if (cpl != 3)
        cpu->mmu_idx = (cpu->cr4 & CR4_SMAP) && (cpu->eflags & EFLAGS_AC) ? 3 : 0;
    else if ((cpu->cr0 & CR0_AM) && (cpu->eflags & EFLAGS_AC))
        cpu->mmu_idx = 2;
    else
        cpu->mmu_idx = 1;
}

void cpu_tlb_flush(struct cpu *cpu)
{
    tlb_flush_all(cpu);
}

void cpu_tlb_flush_page(struct cpu *cpu, uint64_t vaddr)
{
    tlb_flush_page(cpu, vaddr);
}
