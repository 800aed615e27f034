/* Far CALL and JMP through 64-bit call gates (SDM vol. 3, 5.8.3.1): from
 * CPL 3 into CPL 0 with the stack switch to TSS.RSP0, at the same level,
 * JMP at the same level, and the checks: gate DPL below CPL, gate not
 * present, JMP into a more privileged segment, a gate to 32-bit code. */
#include "exc-common.h"

static volatile uint64_t g_cs, g_ss, g_rip, g_frame_cs, g_frame_rsp, g_frame_ss, g_rsp;
static volatile uint64_t g_calls;
extern char gate_entry[], jmp_entry[];
static volatile uint64_t jmp_back;

/* CPL 0 entry: note CS, SS, RSP and the frame the CALL left, return with lretq */
__asm__(".globl gate_entry\n"
        "gate_entry:\n"
        "  mov %cs, %rax\n  mov %rax, g_cs(%rip)\n"
        "  mov %ss, %rax\n  mov %rax, g_ss(%rip)\n"
        "  mov %rsp, g_rsp(%rip)\n"
        "  mov 0(%rsp), %rax\n  mov %rax, g_rip(%rip)\n"
        "  mov 8(%rsp), %rax\n  mov %rax, g_frame_cs(%rip)\n"
        "  mov 16(%rsp), %rax\n  mov %rax, g_frame_rsp(%rip)\n"
        "  mov 24(%rsp), %rax\n  mov %rax, g_frame_ss(%rip)\n"
        "  incq g_calls(%rip)\n"
        "  lretq\n");

/* JMP target: note CS and go back to where the test said */
__asm__(".globl jmp_entry\n"
        "jmp_entry:\n"
        "  mov %cs, %rax\n  mov %rax, g_cs(%rip)\n"
        "  incq g_calls(%rip)\n"
        "  jmp *jmp_back(%rip)\n");

/* the spare 16-byte system descriptor at SPARE_SYS_SEL as a 64-bit call gate */
static void set_gate(unsigned dpl, bool present, uint16_t cs, void *entry)
{
    uint64_t off = (uint64_t)(uintptr_t)entry;

    gdt[SPARE_SYS_SEL / 8] = (off & 0xffff) | ((uint64_t)cs << 16) | (0xcull << 40)
                           | ((uint64_t)dpl << 45) | ((uint64_t)present << 47)
                           | (((off >> 16) & 0xffff) << 48);
    gdt[SPARE_SYS_SEL / 8 + 1] = off >> 32;
}

struct farptr {
    uint32_t off;
    uint16_t sel;
} __attribute__((packed));

/* runs at CPL 3: the far pointer lives on the (user) stack */
static void user_call(void)
{
    struct farptr fp = { 0, SPARE_SYS_SEL | 3 };

    __asm__ volatile("lcall *%0" :: "m"(fp) : "rax", "memory");
}

/* lcall through sel with a far pointer at (%rax): ff 18, two bytes to skip on a fault */
static void lcall_sel(uint16_t sel)
{
    struct farptr fp = { 0, sel };

    seen_vec = seen_err = 0;
    skip = 2;
    __asm__ volatile("lcall *(%%rax)" :: "a"(&fp) : "memory");
}

int main(void)
{
    for (int v = 0; v < 32; v++)
        handle_exception(v, handler);

    /* CPL 3 -> CPL 0 through a DPL-3 gate: stack switch to TSS.RSP0 */
    set_gate(3, true, KERNEL_CS, gate_entry);
    g_calls = 0;
    run_user(user_call);
    /* run_user made user_call's two pages user read-only: the data near them is ours again */
    for (uint64_t pg = (uint64_t)(uintptr_t)user_call & ~0xfffull, k = 0; k < 2; k++, pg += 0x1000)
        map_page(pg, pg, true, true, false);
    reportf(g_calls == 1 && g_cs == KERNEL_CS && (g_frame_cs & 0xffff) == USER_CS,
            "call gate from CPL 3: entered CS %lx, frame CS %lx", g_cs, g_frame_cs & 0xffff);
    /* the frame on TSS.RSP0's stack: RIP, CS, then the old RSP and SS */
    reportf((g_frame_ss & 0xffff) == USER_DS && g_ss == 0,
            "call gate from CPL 3: old SS %lx pushed, new SS null (%lx)", g_frame_ss & 0xffff, g_ss);
    reportf(g_frame_rsp != 0 && (g_frame_rsp & 0xfff) != 0,
            "call gate from CPL 3: old RSP %lx pushed, new RSP %lx", g_frame_rsp, g_rsp);

    /* CPL 0 -> CPL 0: CS and RIP pushed on the current stack, 8 bytes each */
    set_gate(0, true, KERNEL_CS, gate_entry);
    g_calls = 0;
    uint64_t before, after;
    struct farptr fp = { 0, SPARE_SYS_SEL };
    __asm__ volatile("mov %%rsp, %0\n"
                     "lcall *%2\n"
                     "mov %%rsp, %1\n"
                     : "=&r"(before), "=&r"(after) : "m"(fp) : "rax", "memory");
    reportf(g_calls == 1 && g_cs == KERNEL_CS && g_rsp == before - 16 && after == before
            && (g_frame_cs & 0xffff) == KERNEL_CS,
            "call gate at CPL 0: 16-byte frame, lretq back");

    /* JMP through a gate at the same level */
    g_calls = 0;
    set_gate(0, true, KERNEL_CS, jmp_entry);
    __asm__ volatile("lea 1f(%%rip), %%rax\n"
                     "mov %%rax, jmp_back(%%rip)\n"
                     "ljmp *%0\n"
                     "1:\n" :: "m"(fp) : "rax", "memory");
    reportf(g_calls == 1 && g_cs == KERNEL_CS, "jmp through a call gate");

    /* checks: each faults with the selector the SDM names */
    set_gate(0, false, KERNEL_CS, gate_entry);
    lcall_sel(SPARE_SYS_SEL);
    EXPECT("gate not present", 11, SPARE_SYS_SEL);

    set_gate(0, true, KERNEL_CS, gate_entry);
    lcall_sel(SPARE_SYS_SEL | 3);
    EXPECT("gate selector RPL above the gate's DPL", 13, SPARE_SYS_SEL);

    set_gate(0, true, KERNEL_CS32, gate_entry);
    lcall_sel(SPARE_SYS_SEL);
    EXPECT("gate to a 32-bit code segment in IA-32e mode", 13, KERNEL_CS32);

    set_gate(0, true, 0, gate_entry);
    lcall_sel(SPARE_SYS_SEL);
    EXPECT("gate with a null code selector", 13, 0);

    /* the upper half's type field must be 0 */
    set_gate(0, true, KERNEL_CS, gate_entry);
    gdt[SPARE_SYS_SEL / 8 + 1] |= 0xcull << 40;
    lcall_sel(SPARE_SYS_SEL);
    EXPECT("gate whose upper half has a type", 13, SPARE_SYS_SEL);

    set_gate(0, false, 0, 0);
    report_done();
}
