/* CMP and TEST followed by Jcc, at 8, 16, 32 and 64 bits, with register,
 * immediate and memory operands: all 16 conditions taken or not as the
 * flags the same instruction leaves say (SDM vol. 1, B.1).  The pairs
 * sit next to each other, so the portable backend runs them as one fused
 * micro-op (cpu/fuse.c); a CMP with a memory operand that faults before
 * its Jcc reports the CMP's address. */
#include "runtime.h"

/* The 16 conditions of `insn` through Jcc: bit 15 - cc is set when Jcc cc is taken. */
#define JMASK(insn, ...) ({                                                       \
    uint64_t m_;                                                                  \
    __asm__ volatile("xor %k0, %k0\n"                                             \
                     ".irp cc, o,no,b,ae,e,ne,be,a,s,ns,p,np,l,ge,le,g\n"          \
                     "shl $1, %k0\n" insn "\nj\\cc 1f\njmp 2f\n1: or $1, %k0\n2:\n"  \
                     ".endr" : "=&r"(m_) : __VA_ARGS__ : "cc");                   \
    m_; })

/* The same from the flags `insn` leaves (pushed, then decoded in C). */
#define FMASK(insn, ...) ({                                                       \
    uint64_t f_;                                                                  \
    __asm__ volatile(insn "\npushf\npop %0" : "=r"(f_) : __VA_ARGS__ : "cc");    \
    flags_mask(f_); })

static uint64_t flags_mask(uint64_t f)
{
    bool cf = f & 1, pf = f & 4, zf = f & 0x40, sf = f & 0x80, of = f & 0x800;
    bool c[8] = { of, cf, zf, cf || zf, sf, pf, sf != of, zf || sf != of };
    uint64_t m = 0;

    for (int cc = 0; cc < 16; cc++)
        m = m << 1 | (c[cc >> 1] ^ (cc & 1));
    return m;
}

static const uint64_t vals[] = { 0, 1, 5, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
                                 0x80000000, 0xffffffff, 0x7fffffffffffffff,
                                 0x8000000000000000, ~0ul, 0x1234567890abcdef };
#define NVALS (sizeof vals / sizeof vals[0])

static unsigned bad;
static uint64_t bad_a, bad_b, bad_j, bad_f;

static void note(uint64_t a, uint64_t b, uint64_t j, uint64_t f)
{
    if (j != f && !bad++) {
        bad_a = a;
        bad_b = b;
        bad_j = j;
        bad_f = f;
    }
}

static void result(const char *what)
{
    reportf(bad == 0, "%s then Jcc: the 16 conditions as the flags say (%u wrong; first "
            "%lx, %lx: jcc %lx flags %lx)", what, bad, bad_a, bad_b, bad_j, bad_f);
    bad = 0;
}

/* op (cmp/test) at one size: suffix X, register modifier M */
#define FORMS(OP, X, M, HAS_RM)                                                        \
    do {                                                                               \
        for (unsigned i = 0; i < NVALS; i++)                                           \
            for (unsigned k = 0; k < NVALS; k++) {                                     \
                uint64_t a = vals[i], b = vals[k];                                     \
                note(a, b, JMASK(OP X " %" M "2, %" M "1", "q"(a), "q"(b)),            \
                     FMASK(OP X " %" M "2, %" M "1", "q"(a), "q"(b)));                 \
            }                                                                          \
        result(OP X " reg, reg");                                                      \
        for (unsigned i = 0; i < NVALS; i++) {                                         \
            uint64_t a = vals[i];                                                      \
            note(a, 0x7f, JMASK(OP X " $0x7f, %" M "1", "q"(a)),                       \
                 FMASK(OP X " $0x7f, %" M "1", "q"(a)));                               \
            note(a, -1, JMASK(OP X " $-1, %" M "1", "q"(a)),                           \
                 FMASK(OP X " $-1, %" M "1", "q"(a)));                                 \
            note(a, 0, JMASK(OP X " $0, %" M "1", "q"(a)),                             \
                 FMASK(OP X " $0, %" M "1", "q"(a)));                                  \
        }                                                                              \
        result(OP X " reg, imm");                                                      \
        for (unsigned i = 0; i < NVALS; i++)                                           \
            for (unsigned k = 0; k < NVALS; k++) {                                     \
                volatile uint64_t mem = vals[i];                                       \
                uint64_t b = vals[k];                                                  \
                note(vals[i], b, JMASK(OP X " %" M "2, %1", "m"(mem), "q"(b)),         \
                     FMASK(OP X " %" M "2, %1", "m"(mem), "q"(b)));                    \
                if (HAS_RM) {                                                          \
                    volatile uint64_t mb = vals[k];                                    \
                    uint64_t a = vals[i];                                              \
                    note(a, vals[k], JMASK("cmp" X " %2, %" M "1", "q"(a), "m"(mb)),   \
                         FMASK("cmp" X " %2, %" M "1", "q"(a), "m"(mb)));              \
                }                                                                      \
            }                                                                          \
        result(HAS_RM ? OP X " mem, reg and reg, mem" : OP X " mem, reg");             \
        for (unsigned i = 0; i < NVALS; i++) {                                         \
            volatile uint64_t mem = vals[i];                                           \
            note(vals[i], 0x7f, JMASK(OP X " $0x7f, %1", "m"(mem)),                    \
                 FMASK(OP X " $0x7f, %1", "m"(mem)));                                  \
            note(vals[i], -1, JMASK(OP X " $-1, %1", "m"(mem)),                        \
                 FMASK(OP X " $-1, %1", "m"(mem)));                                    \
        }                                                                              \
        result(OP X " mem, imm");                                                      \
    } while (0)

static volatile uint64_t fault_rip, resume;

static void gp_handler(struct frame *f)
{
    fault_rip = f->rip;
    f->rip = resume;
}

int main(void)
{
    FORMS("cmp", "b", "b", 1);
    FORMS("cmp", "w", "w", 1);
    FORMS("cmp", "l", "k", 1);
    FORMS("cmp", "q", "q", 1);
    FORMS("test", "b", "b", 0);
    FORMS("test", "w", "w", 0);
    FORMS("test", "l", "k", 0);
    FORMS("test", "q", "q", 0);

    /* a fused CMP [non-canonical], imm; Jcc: #GP at the CMP, nothing else done */
    uint64_t at, rcx = 7;
    handle_exception(13, gp_handler);
    __asm__ volatile("lea 3f(%%rip), %%rax\nmov %%rax, %[resume]\n"
                     "mov $0x8000000000000000, %%rax\n"
                     "lea 4f(%%rip), %[at]\n"
                     "4: cmpl $1, (%%rax)\njne 3f\nmov $9, %[rcx]\n3:"
                     : [at] "=&r"(at), [rcx] "+r"(rcx), [resume] "=m"(resume)
                     :: "rax", "cc", "memory");
    reportf(fault_rip == at && rcx == 7, "fused CMP mem, imm; Jcc faults at the CMP "
            "(rip %lx, want %lx)", fault_rip, at);
    report_done();
}
