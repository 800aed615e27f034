/* Side exits and pending flags (cpu/ops-ctl.c tr_branch(), cpu/native.c):
 * a Jcc inside a block leaves it only when taken, and the lazy flags of
 * an ALU operation are stored only where something needs them.
 *   - EFLAGS pushed by a page fault on a load after a not-taken Jcc is
 *     that of the CMP/ADD/SUB before it (the slow path stores it);
 *   - a taken side exit leaves the flags for the block it goes to;
 *   - a write to an operand register of a pending SUB stores its flags
 *     first;
 *   - under -icount the TSC counts exactly the instructions that ran:
 *     a taken side exit gives back the rest of its block.
 * Each answer follows from the SDM's definitions of the instructions. */
#include "runtime.h"

#define ZF (1ul << 6)
#define CF (1ul << 0)
#define SF (1ul << 7)

static volatile uint64_t pf_flags;
static volatile int pf_count;

static void pf_handler(struct frame *f)
{
    pf_count++;
    pf_flags = f->rflags;
    map_page(read_cr2() & ~0xfffull, 0x400000, true, true, false);
}

/* the flags at a fault on the load of `seq`, which starts in a block whose
 * stored flags are ZF=0 CF=0 SF=0 (test of a non-zero positive value) */
#define FAULT_FLAGS(seq, page) ({                                                  \
    map_page(page, 0, false, false, false);                                        \
    pf_count = 0;                                                                  \
    __asm__ volatile("mov $1, %%eax\n\ttest %%eax, %%eax\n\tjmp 8f\n8:\n\t" seq    \
                     :: "r"((uint64_t)(page) + 0x10)                               \
                     : "rax", "rcx", "rdx", "cc", "memory");                       \
    pf_count == 1 ? pf_flags : ~0ul; })

/* setz after a taken side exit, in the block it went to */
static uint64_t taken_then_setz(uint64_t a, uint64_t b)
{
    uint64_t r;
    __asm__ volatile("mov $1, %%eax\n\ttest %%eax, %%eax\n\tjmp 8f\n8:\n\t"
                     "xor %%eax, %%eax\n\t"
                     "cmp %2, %1\n\t"
                     "jbe 9f\n\t"           /* taken when a <= b */
                     "mov $2, %%eax\n\t"
                     "jmp 10f\n"
                     "9:\tsetz %%al\n\t"
                     "setc %%ah\n"
                     "10:\tmov %%rax, %0"
                     : "=r"(r) : "r"(a), "r"(b) : "rax", "cc");
    return r;
}

/* a loop whose Jcc inside is taken in every other iteration: 4.5
 * instructions an iteration; the plain one: 2 */
static uint64_t ticks_side(uint64_t n)
{
    uint64_t t0 = rdtsc(), acc = 0;
    __asm__ volatile("1:\ttest $1, %%cl\n\t"
                     "jz 2f\n\t"
                     "add $3, %1\n"
                     "2:\tdec %0\n\t"
                     "jnz 1b"
                     : "+c"(n), "+r"(acc) : : "cc");
    return rdtsc() - t0;
}

static uint64_t ticks_plain(uint64_t n)
{
    uint64_t t0 = rdtsc();
    __asm__ volatile("1:\tdec %0\n\tjnz 1b" : "+c"(n) : : "cc");
    return rdtsc() - t0;
}

int main(void)
{
    handle_exception(14, pf_handler);

    uint64_t f = FAULT_FLAGS("mov $5, %%ecx\n\tcmp $5, %%ecx\n\tjne 9f\n\t"
                             "mov (%0), %%eax\n9:", 0x50000000);
    reportf((f & (ZF | CF | SF)) == ZF, "CMP, Jcc not taken, fault: ZF from the CMP (%lx)", f);
    f = FAULT_FLAGS("mov $-1, %%rcx\n\tadd $1, %%rcx\n\tjs 9f\n\t"
                    "mov (%0), %%eax\n9:", 0x50001000);
    reportf((f & (ZF | CF | SF)) == (ZF | CF), "ADD, Jcc not taken, fault: ZF CF from the ADD (%lx)",
            f);
    f = FAULT_FLAGS("mov $3, %%ecx\n\tmov $5, %%edx\n\tsub %%edx, %%ecx\n\tjz 9f\n\t"
                    "mov $1, %%edx\n\tmov (%0), %%eax\n9:", 0x50002000);
    reportf((f & (ZF | CF | SF)) == (CF | SF),
            "SUB, Jcc, its source register written, fault: CF SF from the SUB (%lx)", f);
    f = FAULT_FLAGS("mov $0x80, %%ecx\n\tand $0x80, %%cl\n\tjz 9f\n\t"
                    "mov (%0), %%eax\n9:", 0x50003000);
    reportf((f & (ZF | CF | SF)) == SF, "AND of a byte, Jcc, fault: SF from the AND (%lx)", f);

    reportf(taken_then_setz(4, 4) == 0x001, "side exit taken, a == b: ZF set, CF clear");
    reportf(taken_then_setz(3, 4) == 0x100, "side exit taken, a < b: CF set, ZF clear");
    reportf(taken_then_setz(5, 4) == 2, "side exit not taken, a > b");

    uint64_t n = 20000;
    uint64_t side = ticks_side(2 * n) - ticks_side(n);
    uint64_t plain = ticks_plain(2 * n) - ticks_plain(n);
    /* side / plain = 4.5 / 2: 4 * side = 9 * plain, within rounding of the TSC */
    int64_t off = (int64_t)(4 * side) - (int64_t)(9 * plain);
    reportf(off >= -64 && off <= 64, "-icount: a loop with a side exit taken every other "
            "iteration runs 4.5 instructions an iteration%s",
            off >= -64 && off <= 64 ? "" : " (off)");
    if (off < -64 || off > 64)
        printf("side %lu plain %lu: 4*side - 9*plain = %ld\n", side, plain, off);
    report_done();
}
