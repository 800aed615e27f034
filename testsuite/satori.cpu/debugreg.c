/* Debug registers (SDM vol. 3, ch. 17): an instruction breakpoint is a
 * fault before the instruction and EFLAGS.RF lets it run once; data
 * breakpoints (write, read/write, LEN 4 and 8) are traps after it; an I/O
 * breakpoint with CR4.DE; general detect (DR7.GD) with DR6.BD; single
 * step with DR6.BS, delayed past the instruction after MOV SS; DR4/DR5
 * aliasing DR6/DR7 unless CR4.DE.  The #DB handler notes RIP and DR6
 * and clears DR6.  Compared with QEMU, except the "sdm: " lines: QEMU's
 * TCG does not implement general detect. */
#include "runtime.h"

#define CR4_DE (1ul << 3)
#define RF (1ul << 16)
#define TF (1ul << 8)

static volatile uint64_t db_rip[8], db_dr6[8];
static volatile int db_n, ud_n;
static volatile uint64_t var4 __attribute__((aligned(8)));
static volatile uint64_t var8 __attribute__((aligned(8)));
extern char bp_insn[], wr_after[], rw_after[], io_after[], gd_at[], ss_after[], ss_next[],
    ss_first[];

/* the breakpoint's target: a NOP in a function of its own */
__asm__(".text\n .globl bp_fn\n bp_fn:\n .globl bp_insn\n bp_insn: nop\n ret\n");
extern void bp_fn(void);

static uint64_t get_dr6(void) { uint64_t v; __asm__ volatile("mov %%dr6, %0" : "=r"(v)); return v; }
static uint64_t get_dr7(void) { uint64_t v; __asm__ volatile("mov %%dr7, %0" : "=r"(v)); return v; }
static void set_dr(int n, uint64_t v)
{
    switch (n) {
    case 0: __asm__ volatile("mov %0, %%dr0" :: "r"(v)); break;
    case 1: __asm__ volatile("mov %0, %%dr1" :: "r"(v)); break;
    case 2: __asm__ volatile("mov %0, %%dr2" :: "r"(v)); break;
    case 3: __asm__ volatile("mov %0, %%dr3" :: "r"(v)); break;
    case 6: __asm__ volatile("mov %0, %%dr6" :: "r"(v)); break;
    default: __asm__ volatile("mov %0, %%dr7" :: "r"(v)); break;
    }
}

static void db_handler(struct frame *f)
{
    int i = db_n++;
    if (i < 8) {
        db_rip[i] = f->rip;
        db_dr6[i] = get_dr6();
    }
    set_dr(6, 0);
    f->rflags |= RF;            /* let an instruction breakpoint's instruction run */
    f->rflags &= ~TF;
}

static void ud_handler(struct frame *f)
{
    ud_n++;
    f->rip += 3;                /* mov %drN, %rax */
}

static void show(const char *what, int want, const char *at_name, char *at)
{
    reportf(db_n == want && (want == 0 || db_rip[want - 1] == (uint64_t)at),
            "%s: %d #DB, RIP %s, DR6 %lx", what, db_n,
            db_n && db_rip[db_n - 1] == (uint64_t)at ? at_name : "elsewhere",
            db_n ? db_dr6[db_n - 1] : 0);
    db_n = 0;
}

int main(void)
{
    handle_exception(1, db_handler);
    handle_exception(6, ud_handler);
    reportf(get_dr6() == 0xffff0ff0 && get_dr7() == 0x400, "reset values: DR6 %lx DR7 %lx",
            get_dr6(), get_dr7());

    /* instruction breakpoint on a NOP run twice: a fault each time, RIP on it */
    set_dr(0, (uint64_t)bp_insn);
    set_dr(7, 0x1);                             /* L0, execute, LEN 1 */
    bp_fn();
    bp_fn();
    reportf(db_n == 2 && db_rip[0] == (uint64_t)bp_insn && db_rip[1] == (uint64_t)bp_insn
            && (db_dr6[0] & 0xf) == 1, "instruction breakpoint: %d #DB at the NOP, DR6 %lx",
            db_n, db_dr6[0]);
    db_n = 0;
    set_dr(7, 0x400);

    /* data write breakpoint, 4 bytes: a trap after the store, not on a read */
    set_dr(1, (uint64_t)&var4);
    set_dr(7, 0x4 | (0xdul << 20));             /* L1, R/W 01, LEN 11 */
    uint64_t r = var4;
    show("data write breakpoint: read", 0, "", 0);
    __asm__ volatile("movl $5, %0\n .globl wr_after\n wr_after:" : "=m"(var4));
    show("data write breakpoint: store", 1, "after the store", wr_after);
    set_dr(7, 0x400);

    /* read/write breakpoint over 8 bytes: a 4-byte read of its upper half */
    set_dr(2, (uint64_t)&var8);
    set_dr(7, 0x10 | (0xbul << 24));            /* L2, R/W 11, LEN 10 (8) */
    __asm__ volatile("mov 4+%1, %k0\n .globl rw_after\n rw_after:" : "=r"(r) : "m"(var8));
    show("read/write breakpoint, LEN 8: read", 1, "after the load", rw_after);
    set_dr(7, 0x400);
    (void)r;

    /* I/O breakpoint on port 0x80 with CR4.DE */
    write_cr4(read_cr4() | CR4_DE);
    set_dr(3, 0x80);
    set_dr(7, 0x40 | (0x2ul << 28));            /* L3, R/W 10, LEN 1 */
    __asm__ volatile("outb %%al, $0x80\n .globl io_after\n io_after:" :: "a"(0));
    show("I/O breakpoint: OUT to port 0x80", 1, "after the OUT", io_after);
    set_dr(7, 0x400);

    /* DR4/DR5 alias DR6/DR7 without CR4.DE, #UD with it */
    uint64_t v;
    ud_n = 0;
    __asm__ volatile("mov %%dr5, %0" : "=r"(v));
    reportf(ud_n == 1, "MOV from DR5 with CR4.DE: #UD");
    write_cr4(read_cr4() & ~CR4_DE);
    __asm__ volatile("mov %%dr5, %0" : "=r"(v));
    reportf(ud_n == 1 && v == 0x400, "MOV from DR5 without CR4.DE reads DR7 (%lx)", v);

    /* general detect: the next MOV DR faults with BD, GD clears */
    set_dr(7, 0x400 | (1u << 13));
    __asm__ volatile(".globl gd_at\n gd_at: mov %%dr0, %0" : "=r"(v));
    show("sdm: general detect: MOV from DR0", 1, "on the MOV", gd_at);
    reportf(!(get_dr7() & (1u << 13)), "sdm: general detect: DR7.GD cleared (%lx)", get_dr7());

    /* single step: the trap comes after the instruction that follows the
     * POPF setting TF; after MOV SS it waits one more instruction */
    __asm__ volatile("pushf\n orq $0x100, (%%rsp)\n popf\n"
                     "nop\n .globl ss_first\n ss_first: nop\n" ::: "memory");
    show("single step after POPF", 1, "after the NOP", ss_first);
    __asm__ volatile("mov %%ss, %%eax\n"
                     "pushf\n orq $0x100, (%%rsp)\n popf\n"
                     "mov %%eax, %%ss\n"
                     ".globl ss_next\n ss_next: nop\n"
                     ".globl ss_after\n ss_after: nop\n" ::: "rax", "memory");
    show("single step over MOV SS: one #DB after the next instruction", 1, "after it",
         ss_after);
    reportf(db_dr6[0] & (1u << 14), "single step: DR6.BS (%lx)", db_dr6[0]);
    (void)ss_next;
    report_done();
}
