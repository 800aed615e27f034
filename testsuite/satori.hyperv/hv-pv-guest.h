/*
 * testsuite/satori.hyperv/hv-pv-guest.h: what the PV TLB flush, PV IPI,
 * XMM-input and PV EOI guests share on top of hv-guest.h: the call codes
 * and input layouts of reference/hyperv.md 4.5-4.7, a fast hypercall with
 * XMM0-XMM5 loaded (4.2, 4.5), and page-table access for the flush tests.
 */
#ifndef SATORI_HV_PV_GUEST_H
#define SATORI_HV_PV_GUEST_H

#include "hv-guest.h"

#define HVCALL_FLUSH_SPACE      0x0002
#define HVCALL_FLUSH_LIST       0x0003
#define HVCALL_SEND_IPI         0x000b
#define HVCALL_FLUSH_SPACE_EX   0x0013
#define HVCALL_FLUSH_LIST_EX    0x0014
#define HVCALL_SEND_IPI_EX      0x0015

#define HV_FLUSH_ALL_PROCESSORS 1ull
#define HV_GENERIC_SET_SPARSE_4K 0ull
#define HV_GENERIC_SET_ALL       1ull

/* Identify a guest OS (Linux's id layout): VMCALL becomes a Hyper-V call (3.2). */
static inline void hv_identify(void)
{
    wrmsr(HV_MSR_GUEST_OS_ID, 0x8100000000000000ull | (6ull << 32));
}

/* Status (bits 15:0) and reps completed (bits 43:32) of a result (4.4). */
static inline unsigned hv_status(uint64_t r) { return (unsigned)(r & 0xffff); }
static inline unsigned hv_reps(uint64_t r) { return (unsigned)((r >> 32) & 0xfff); }

/*
 * Fast hypercall with XMM0..XMM5 = q[0..11] (low half first): RDX and R8
 * are the first two input qwords, the XMM halves the rest (4.5).  *ud is
 * set when VMCALL raised #UD.
 */
static inline uint64_t hv_vmcall_xmm(uint64_t control, uint64_t rdx, uint64_t r8v,
                                     const uint64_t q[12], bool *ud)
{
    uint64_t rax = 0xdeadbeefdeadbeefull;
    register uint64_t r8 __asm__("r8") = r8v;

    hv_fault_vector = -1;
    hv_fault_skip = 3;
    __asm__ volatile("movdqu 0(%[q]), %%xmm0\n\tmovdqu 16(%[q]), %%xmm1\n\t"
                     "movdqu 32(%[q]), %%xmm2\n\tmovdqu 48(%[q]), %%xmm3\n\t"
                     "movdqu 64(%[q]), %%xmm4\n\tmovdqu 80(%[q]), %%xmm5\n\t"
                     "vmcall"
                     : "+a"(rax), "+r"(r8)
                     : "c"(control | HV_HCALL_FAST), "d"(rdx), [q] "r"(q)
                     : "memory");
    if (ud)
        *ud = hv_fault_vector == 6;
    return rax;
}

/* The 4 KiB PTE that maps va (the page must have been split by map_page()). */
static inline volatile uint64_t *pte_of(uint64_t va)
{
    const uint64_t addr = 0x000ffffffffff000ull;
    uint64_t *pml4 = (uint64_t *)(read_cr3() & addr);
    uint64_t *pdpt = (uint64_t *)(pml4[(va >> 39) & 511] & addr);
    uint64_t *pd = (uint64_t *)(pdpt[(va >> 30) & 511] & addr);
    uint64_t *pt = (uint64_t *)(pd[(va >> 21) & 511] & addr);
    return &pt[(va >> 12) & 511];
}

/* Point va at pa without INVLPG: TLBs that hold va keep the old page. */
static inline void pte_retarget(uint64_t va, uint64_t pa)
{
    volatile uint64_t *pte = pte_of(va);
    *pte = (*pte & ~0x000ffffffffff000ull) | pa;
}

#endif
