/* BT/BTS/BTR/BTC, BSF/BSR, CMOVcc/SETcc, BSWAP, XCHG/CMPXCHG/XADD with LOCK,
 * CMPXCHG8B/16B (SDM vol. 2). */
#include "runtime.h"

static uint64_t bitmap[4];
static uint64_t pair[2] __attribute__((aligned(16)));

int main(void)
{
    uint64_t r, f;

    bitmap[1] = 0;
    __asm__ volatile("lock btsq %1, %0" : "+m"(bitmap[0]) : "r"(70ul) : "cc", "memory");
    reportf(bitmap[1] == 0x40, "bts with a register offset beyond the operand: %lx", bitmap[1]);
    __asm__ volatile("btq $6, %1; setc %b0" : "=r"(r) : "m"(bitmap[1]) : "cc");
    reportf((r & 1) == 1, "bt immediate reads CF");
    __asm__ volatile("btrq $6, %0; btcq $0, %0" : "+m"(bitmap[1]) :: "cc");
    reportf(bitmap[1] == 1, "btr/btc: %lx", bitmap[1]);
    __asm__ volatile("bsfq %1, %0" : "=r"(r) : "r"(0x8000000000001000ul) : "cc");
    reportf(r == 12, "bsf = %lu", r);
    __asm__ volatile("bsrl %1, %k0" : "=r"(r) : "r"(0x00f00000u) : "cc");
    reportf(r == 23, "bsr = %lu", r);
    r = 0x55;
    __asm__ volatile("bsfq %2, %0; pushf; pop %1" : "+r"(r), "=r"(f) : "r"(0ul) : "cc");
    reportf((f & 0x40) && r == 0x55, "bsf of zero sets ZF, keeps destination");
    r = 1;
    __asm__ volatile("cmp $2, %1; cmovlq %2, %0" : "+r"(r) : "r"(1ul), "r"(9ul) : "cc");
    reportf(r == 9, "cmovl taken");
    r = 0xffffffff00000001;
    __asm__ volatile("cmp $0, %1; cmovll %k2, %k0" : "+r"(r) : "r"(1ul), "r"(9ul) : "cc");
    reportf(r == 1, "32-bit cmov not taken still zero-extends: %lx", r);
    uint8_t s[16];
    __asm__ volatile("mov $-1, %%eax; cmp $1, %%eax\n"
                     "seto %0; setb %1; sete %2; setbe %3; sets %4; setp %5; setl %6; setle %7\n"
                     "setno %8; setae %9; setne %10; seta %11; setns %12; setnp %13; setge %14; setg %15"
                     : "=m"(s[0]), "=m"(s[1]), "=m"(s[2]), "=m"(s[3]), "=m"(s[4]), "=m"(s[5]),
                       "=m"(s[6]), "=m"(s[7]), "=m"(s[8]), "=m"(s[9]), "=m"(s[10]), "=m"(s[11]),
                       "=m"(s[12]), "=m"(s[13]), "=m"(s[14]), "=m"(s[15]) :: "eax", "cc");
    /* -1 - 1 = -2: SF, not CF (unsigned 0xffffffff > 1), PF of 0xfe = 0 */
    static const uint8_t want[16] = { 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0 };
    reportf(!memcmp(s, want, 16), "setcc after cmp -1,1");
    r = 0x0102030405060708;
    __asm__ volatile("bswapq %0" : "+r"(r));
    reportf(r == 0x0807060504030201, "bswap64 = %lx", r);
    r = 0x11223344;
    __asm__ volatile("bswapl %k0" : "+r"(r));
    reportf(r == 0x44332211, "bswap32 = %lx", r);
    uint64_t m = 5, x = 9;
    __asm__ volatile("xchgq %0, %1" : "+m"(m), "+r"(x));
    reportf(m == 9 && x == 5, "xchg memory");
    m = 10; x = 3;
    __asm__ volatile("lock xaddq %1, %0" : "+m"(m), "+r"(x) :: "cc");
    reportf(m == 13 && x == 10, "lock xadd");
    m = 7;
    uint64_t a = 7;
    __asm__ volatile("lock cmpxchgq %3, %0; pushf; pop %1" : "+m"(m), "=r"(f), "+a"(a) : "r"(42ul) : "cc");
    reportf(m == 42 && (f & 0x40), "cmpxchg equal stores");
    a = 1;
    __asm__ volatile("lock cmpxchgq %3, %0; pushf; pop %1" : "+m"(m), "=r"(f), "+a"(a) : "r"(5ul) : "cc");
    reportf(m == 42 && a == 42 && !(f & 0x40), "cmpxchg unequal loads rax");
    pair[0] = 0x1111;
    uint32_t lo = 0x1111, hi = 0;
    __asm__ volatile("lock cmpxchg8b %0; pushf; pop %1" : "+m"(pair[0]), "=r"(f), "+a"(lo), "+d"(hi)
                     : "b"(0x2222u), "c"(0x3333u) : "cc");
    reportf(pair[0] == 0x333300002222ul && (f & 0x40), "cmpxchg8b: %lx", pair[0]);
    pair[0] = 1; pair[1] = 2;
    uint64_t alo = 1, ahi = 2;
    __asm__ volatile("lock cmpxchg16b %0; pushf; pop %1" : "+m"(pair), "=r"(f), "+a"(alo), "+d"(ahi)
                     : "b"(0xaul), "c"(0xbul) : "cc");
    reportf(pair[0] == 0xa && pair[1] == 0xb && (f & 0x40), "cmpxchg16b");
    report_done();
}
