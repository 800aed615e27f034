/* #SS and #AC, the two exceptions where QEMU's TCG differs from hardware
 * (it does no alignment checking, and a non-canonical stack push escalates),
 * so this guest's output is checked against its known answers only.
 * The other exceptions are in exceptions.c. */
#include "runtime.h"

#include "exc-common.h"

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
