/* #SS and #AC, the two exceptions where QEMU's TCG differs from hardware
 * (it does no alignment checking, and a non-canonical stack push escalates),
 * so this guest's output is checked against its known answers only.
 * Based on exceptions.c: every exception the CPU issue lists, with vector, error code and RIP:
 * #DE #DB (single-step) #BP #OF #BR #UD #NM #DF #NP #SS #GP #AC (SDM vol. 3 ch. 6).
 * #PF is in pagefault.c, triple fault in the exit-status check of triple.c. */
#include "runtime.h"

static volatile uint64_t seen_vec, seen_err, seen_rip, seen_count;
static volatile uint64_t skip;
static volatile uint64_t good_rsp;

static void handler(struct frame *f)
{
    seen_vec = f->vector;
    seen_err = f->error;
    seen_rip = f->rip;
    seen_count++;
    f->rip += skip;
    f->rflags &= ~0x100ul; /* stop single-stepping */
    if (f->vector == 12)
        f->rsp = good_rsp;
    if (f->vector == 8)
        idt_set_present(13, true);
    if (f->vector == 7)
        write_cr0(read_cr0() & ~8ul);
}

#define EXPECT(name, vec, err) \
    reportf(seen_vec == (vec) && seen_err == (err), "%s: vector %lu error %lx", name, seen_vec, seen_err)

static void user_ac(void)
{
    __asm__ volatile("pushf; orl $0x40000, (%%rsp); popf; movl 1(%%rsp), %%eax; pushf; andl $~0x40000, (%%rsp); popf"
                     ::: "rax", "memory", "cc");
}

int main(void)
{
    for (int v = 0; v < 20; v++)
        handle_exception(v, handler);

    skip = 1;
    idt_set_ist(12, 2);
    __asm__ volatile("mov %%rsp, %0" : "=m"(good_rsp));
    __asm__ volatile("mov %%rsp, %%rbx; mov %0, %%rsp; push %%rax; mov %%rbx, %%rsp"
                     :: "r"(0x8000000000001000ul) : "rbx", "memory");
    EXPECT("#SS from a non-canonical stack", 12, 0);

    skip = 4;
    write_cr0(read_cr0() | (1ul << 18)); /* CR0.AM */
    run_user(user_ac);
    EXPECT("#AC from a misaligned access at CPL 3", 17, 0);

    report_done();
}
