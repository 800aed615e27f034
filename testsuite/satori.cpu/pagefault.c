/* Page faults: CR2, error code, retry after the handler maps the page;
 * write protection with CR0.WP, NX, user access to supervisor pages. */
#include "runtime.h"

static volatile uint64_t last_cr2, last_err;
static volatile int pf_count;
static volatile int fix_mode;
static volatile uint64_t skip_len;

static void pf_handler(struct frame *f)
{
    pf_count++;
    last_cr2 = read_cr2();
    last_err = f->error;
    if (fix_mode == 1)
        map_page(last_cr2 & ~0xfffull, 0x400000, true, true, false);
    else if (fix_mode == 2)
        f->rip += skip_len;
    else if (fix_mode == 3)
        f->rip = *(uint64_t *)f->rsp, f->rsp += 8; /* fault on fetch: return to caller */
}

static void user_write(void)
{
    /* movl $1, 0x200000 (11 bytes) on a supervisor page */
    __asm__ volatile("movl $1, 0x200000" ::: "memory");
}

int main(void)
{
    handle_exception(14, pf_handler);
    /* not present, then mapped by the handler and retried */
    map_page(0x50000000, 0, false, false, false);
    fix_mode = 1;
    *(volatile uint32_t *)0x50000123 = 0xabcd;
    reportf(pf_count == 1 && last_cr2 == 0x50000123 && last_err == 0x2,
            "write to not-present page: cr2 %lx err %lx", last_cr2, last_err);
    reportf(*(volatile uint32_t *)0x50000123 == 0xabcd, "access retried after the mapping");
    /* a supervisor read of a page that is not present: error code 0 */
    map_page(0x50003000, 0, false, false, false);
    uint32_t got = *(volatile uint32_t *)0x50003040;
    reportf(pf_count == 2 && last_cr2 == 0x50003040 && last_err == 0 && got == 0,
            "supervisor read of a not-present page: cr2 %lx err %lx", last_cr2, last_err);
    pf_count = 1;
    /* read-only page with CR0.WP */
    map_page(0x50001000, 0x401000, true, false, false);
    fix_mode = 2;
    skip_len = 6; /* movl $imm8?: see below */
    volatile uint32_t *ro = (volatile uint32_t *)0x50001008;
    uint32_t before = *ro;
    __asm__ volatile("movl $7, (%0)\n" :: "r"(ro) : "memory"); /* c7 00 imm32 = 6 bytes */
    reportf(pf_count == 2 && last_err == 0x3 && last_cr2 == 0x50001008 && *ro == before,
            "write to read-only page with WP: err %lx", last_err);
    /* without WP the supervisor write succeeds */
    write_cr0(read_cr0() & ~(1ul << 16));
    __asm__ volatile("movl $7, (%0)\n" :: "r"(ro) : "memory");
    write_cr0(read_cr0() | (1ul << 16));
    reportf(pf_count == 2 && *ro == 7, "supervisor write with WP clear succeeds");
    /* user access to a supervisor page */
    skip_len = 11;
    run_user(user_write);
    reportf(pf_count == 3 && last_err == 0x7 && last_cr2 == 0x200000,
            "user write to supervisor page: err %lx", last_err);
    /* NX: fetch from a no-execute page */
    static const uint8_t ret_insn[] = { 0xc3 };
    uint64_t *pdpt_entry;
    (void)pdpt_entry;
    map_page(0x50002000, ((uint64_t)ret_insn) & ~0xfffull, true, true, false);
    uint64_t *pt = 0;
    (void)pt;
    /* set NX on that PTE: map_page has no flag for it, so flip bit 63 here */
    {
        extern uint64_t pdpt[];
        uint64_t *pd = (uint64_t *)(pdpt[1] & ~0xfffull);
        uint64_t *t = (uint64_t *)(pd[(0x50002000 >> 21) & 511] & ~0xfffull);
        t[(0x50002000 >> 12) & 511] |= 1ul << 63;
        invlpg((void *)0x50002000);
    }
    fix_mode = 3;
    void (*fn)(void) = (void (*)(void))(0x50002000 + ((uint64_t)ret_insn & 0xfff));
    fn();
    reportf(pf_count == 4 && last_err == 0x11, "fetch from NX page: err %lx", last_err);
    report_done();
}
