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
 * Known deviations: global pages are flushed like the others; PAE PDPTEs
 * are read at walk time rather than cached at CR3 load; PCIDs do not tag
 * the TLB (every CR3 load flushes it, which is always correct).
 */
#include "cpu/cpu-internal.h"

#include "util/log.h"

enum access { ACC_READ = 0, ACC_WRITE = 1, ACC_FETCH = 2 };

#define PTE_P   (1ull << 0)
#define PTE_RW  (1ull << 1)
#define PTE_US  (1ull << 2)
#define PTE_A   (1ull << 5)
#define PTE_D   (1ull << 6)
#define PTE_PS  (1ull << 7)
#define PTE_NX  (1ull << 63)

struct xlate {
    gpa_t pa;           /* physical address of la */
    bool user_ok, write_ok, exec_ok, dirty;
    uint64_t page_size;
};

static uint64_t phys_ld64(struct cpu *cpu, gpa_t pa)
{
    uint64_t v = 0;

    bus_phys_read(cpu->bus, pa, &v, 8);
    return v;
}

static uint32_t phys_ld32(struct cpu *cpu, gpa_t pa)
{
    uint32_t v = 0;

    bus_phys_read(cpu->bus, pa, &v, 4);
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
        struct tlb_entry *e = &cpu->tlb[cpu->mmu_idx][(la >> PAGE_BITS) & TLB_MASK];
        gpa_t page = x.pa & PAGE_MASK;
        enum ram_kind kind;
        uint8_t *host = bus_ram_page(cpu->bus, page, &kind);
        gva_t lpage = la & PAGE_MASK;

        if (cpu_apic_page(cpu, page))
            host = NULL;    /* the xAPIC page hides RAM: slow path */

        e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
        e->paddr = page;
        if (x.page_size > PAGE_SIZE)
            cpu->large_pages = true;
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

void tlb_flush_all(struct cpu *cpu)
{
    for (int i = 0; i < MMU_IDX_COUNT; i++)
        for (unsigned j = 0; j < TLB_SIZE; j++) {
            cpu->tlb[i][j].tag_r = cpu->tlb[i][j].tag_w = cpu->tlb[i][j].tag_x = TLB_INVALID;
            cpu->tlb[i][j].paddr = (gpa_t)-1;
        }
    cpu->large_pages = false;
    cpu->stats.tlb_flushes++;
}

void tlb_flush_page(struct cpu *cpu, gva_t la)
{
    if (cpu->large_pages) {
        tlb_flush_all(cpu);
        return;
    }
    for (int i = 0; i < MMU_IDX_COUNT; i++) {
        struct tlb_entry *e = &cpu->tlb[i][(la >> PAGE_BITS) & TLB_MASK];
        if ((e->tag_r & PAGE_MASK) == (la & PAGE_MASK) || (e->tag_x & PAGE_MASK) == (la & PAGE_MASK)
            || (e->tag_w & PAGE_MASK) == (la & PAGE_MASK)) {
            e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
            e->paddr = (gpa_t)-1;
        }
    }
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
