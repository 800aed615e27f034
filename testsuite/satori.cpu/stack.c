/* Stack: PUSH/POP forms, PUSHF/POPF, ENTER/LEAVE, CALL/RET imm (SDM vol. 2). */
#include "runtime.h"

static uint64_t __attribute__((noinline)) ret_imm(void)
{
    uint64_t r;
    __asm__ volatile("call 1f\n jmp 2f\n1: mov $7, %0\n ret $0\n2:" : "=r"(r));
    return r;
}

int main(void)
{
    uint64_t a, b, sp0, sp1;

    __asm__ volatile("mov %%rsp, %2; push $-2; pushw $0x1234; popw %w1; pop %0; mov %%rsp, %3"
                     : "=r"(a), "=r"(b), "=r"(sp0), "=r"(sp1));
    reportf(a == (uint64_t)-2 && (b & 0xffff) == 0x1234 && sp0 == sp1, "push imm / pushw / pop");
    static uint64_t mem = 0x1122334455667788;
    __asm__ volatile("pushq %1; popq %0" : "=m"(mem) : "m"(mem));
    reportf(mem == 0x1122334455667788, "push/pop memory");
    /* pop with an rsp-relative destination uses the incremented rsp */
    uint64_t v;
    __asm__ volatile("push $0x99; push $0x77; popq (%%rsp); pop %0" : "=r"(v));
    reportf(v == 0x77, "pop (%%rsp) stores after increment: %lx", v);
    uint64_t f;
    __asm__ volatile("pushf; pop %0; push $0xcd7; popf; pushf; pop %1; push %0; popf" : "=&r"(a), "=r"(f) :: "cc");
    reportf((f & 0xcd5) == 0xcd5, "popf/pushf round trip: %lx", f & 0xfff);
    uint64_t rbp_in, rbp_out, rsp_in, rsp_out;
    __asm__ volatile("mov %%rsp, %2; mov %%rbp, %0; enter $32, $0; mov %%rbp, %1; leave; mov %%rsp, %3"
                     : "=&r"(rbp_in), "=&r"(rbp_out), "=&r"(rsp_in), "=r"(rsp_out));
    reportf(rbp_out == rsp_in - 8 && rsp_out == rsp_in, "enter/leave frame");
    __asm__ volatile("push %%rbp; mov %%rsp, %%rbp; mov %%rsp, %0; enter $16, $2; mov %%rsp, %1; leave; pop %%rbp"
                     : "=&r"(rsp_in), "=r"(rsp_out) :: "memory");
    reportf(rsp_in - rsp_out == 8 + 8 + 8 + 16, "enter with nesting level 2 (%lu bytes)", rsp_in - rsp_out);
    reportf(ret_imm() == 7, "call/ret");
    report_done();
}
