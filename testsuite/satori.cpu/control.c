/* Control flow: LOOP/JCXZ, indirect calls, far JMP/CALL/RET through the GDT
 * (64-bit and compatibility mode), IRETQ, SYSCALL/SYSRET. */
#include "runtime.h"

extern char compat_code[], far_ret_target[];
static volatile uint64_t syscall_seen;

__asm__(".code32\n"
        "compat_code:\n"
        "  movl $0x1234, %eax\n"
        "  lret\n"
        ".code64\n");

static void user_fn(void)
{
    __asm__ volatile("syscall" ::: "rcx", "r11", "memory");
}

__asm__(".globl syscall_entry\n"
        "syscall_entry:\n"
        "  incq syscall_seen(%rip)\n"
        "  sysretq\n");
extern char syscall_entry[];

/* targets for indirect calls and jumps through registers */
static uint64_t __attribute__((noinline)) add1(uint64_t x) { return x + 1; }
static uint64_t __attribute__((noinline)) add10(uint64_t x) { return x + 10; }
static uint64_t __attribute__((noinline)) add100(uint64_t x) { return x + 100; }

int main(void)
{
    /* CALL through a register whose target changes every time */
    static uint64_t (*const fns[3])(uint64_t) = { add1, add10, add100 };
    uint64_t acc = 0;
    for (int i = 0; i < 30; i++) {
        uint64_t (*f)(uint64_t) = fns[i % 3];
        __asm__ volatile("call *%2" : "=a"(acc) : "D"(acc), "r"(f)
                         : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory", "cc");
    }
    reportf(acc == 1110, "call through a register, changing targets: %lu", acc);

    /* JMP through a register: a jump table */
    uint64_t sum = 0;
    for (uint64_t i = 0; i < 12; i++) {
        __asm__ volatile("lea 1f(%%rip), %%rax\n"
                         "lea 2f(%%rip), %%rdx\n"
                         "test $1, %1\n"
                         "cmovnz %%rdx, %%rax\n"
                         "jmp *%%rax\n"
                         "1: add $3, %0\n"
                         "jmp 3f\n"
                         "2: add $5, %0\n"
                         "3:\n"
                         : "+r"(sum) : "r"(i) : "rax", "rdx", "cc");
    }
    reportf(sum == 48, "jmp through a register, alternating targets: %lu", sum);

    uint64_t c = 5, n = 0;
    __asm__ volatile("1: inc %1; loop 1b" : "+c"(c), "+r"(n));
    reportf(n == 5 && c == 0, "loop runs rcx times");
    c = 0;
    uint64_t took = 0;
    __asm__ volatile("jrcxz 1f; mov $2, %0; jmp 2f; 1: mov $1, %0; 2:" : "=r"(took) : "c"(c));
    reportf(took == 1, "jrcxz taken on zero");

    /* far call to 32-bit compatibility-mode code and back with lret */
    uint64_t eax;
    struct { uint32_t off; uint16_t sel; } __attribute__((packed)) fp = {
        (uint32_t)(uint64_t)compat_code, KERNEL_CS32 };
    __asm__ volatile("lcall *%1" : "=a"(eax) : "m"(fp) : "memory");
    reportf(eax == 0x1234, "far call into compatibility mode and lret back");

    /* far jump via memory to 64-bit code */
    struct { uint64_t off; uint16_t sel; } __attribute__((packed)) fj = { 0, KERNEL_CS };
    uint64_t ok = 0;
    __asm__ volatile("lea 1f(%%rip), %%rax; mov %%rax, %1; rex.W ljmp *%1; ud2; 1: mov $1, %0"
                     : "=r"(ok), "+m"(fj) :: "rax", "memory");
    reportf(ok == 1, "far jmp (rex.W m16:64)");

    /* far return through a pushed frame */
    uint64_t cs_after;
    __asm__ volatile("pushq %1; lea 1f(%%rip), %%rax; push %%rax; lretq; 1: mov %%cs, %0"
                     : "=r"(cs_after) : "i"(KERNEL_CS) : "rax");
    reportf(cs_after == KERNEL_CS, "lretq");

    /* IRETQ to the next instruction with a chosen RFLAGS */
    uint64_t f;
    __asm__ volatile("mov %%rsp, %%rax; pushq %2; pushq %%rax; pushq $0x8c3; pushq %3; lea 1f(%%rip), %%rax; push %%rax; iretq\n"
                     "1: pushf; pop %0; push $2; popf" : "=r"(f), "=&a"(cs_after)
                     : "i"(KERNEL_DS), "i"(KERNEL_CS) : "cc", "memory");
    reportf((f & 0x8c3) == 0x8c3, "iretq restores rflags %lx", f & 0xfff);

    /* SYSCALL from user mode, SYSRET back */
    wrmsr(0xc0000081, ((uint64_t)0x20 << 48) | ((uint64_t)KERNEL_CS << 32));
    wrmsr(0xc0000082, (uint64_t)syscall_entry);
    wrmsr(0xc0000084, 0x200);
    run_user(user_fn);
    reportf(syscall_seen == 1, "syscall/sysret round trip from CPL 3");
    report_done();
}
