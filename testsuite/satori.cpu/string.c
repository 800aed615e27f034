/* String instructions with REP/REPE/REPNE and DF (SDM vol. 2 MOVS..SCAS),
 * and long REP MOVS/STOS (what memcpy/memset use) across pages, with
 * overlapping operands, and stopped by a page fault part way. */
#include "runtime.h"

static char src[64], dst[64];
static uint8_t big_a[4 * 4096 + 64] __attribute__((aligned(4096)));
static uint8_t big_b[4 * 4096 + 64] __attribute__((aligned(4096)));
static volatile uint64_t pf_rcx, pf_rdi, pf_rsi, pf_cr2, pf_resume;

static void pf_handler(struct frame *f)
{
    pf_rcx = f->rcx, pf_rdi = f->rdi, pf_rsi = f->rsi, pf_cr2 = read_cr2();
    f->rip = pf_resume;
}

static uint32_t fnv(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void long_strings(void)
{
    void *d, *s;
    uint64_t c;

    for (size_t i = 0; i < sizeof big_a; i++)
        big_a[i] = (uint8_t)(i * 7 + (i >> 8));
    memset(big_b, 0, sizeof big_b);
    /* 3 pages and a bit, both unaligned, source and destination crossing pages apart */
    d = big_b + 5, s = big_a + 0x123, c = 3 * 4096 + 77;
    __asm__ volatile("cld; rep movsb" : "+D"(d), "+S"(s), "+c"(c) :: "memory");
    reportf(!memcmp(big_b + 5, big_a + 0x123, 3 * 4096 + 77) && big_b[4] == 0
            && big_b[5 + 3 * 4096 + 77] == 0 && c == 0 && d == big_b + 5 + 3 * 4096 + 77
            && s == big_a + 0x123 + 3 * 4096 + 77, "rep movsb over 3 pages, unaligned");
    d = big_b + 8, s = big_a + 4096 - 24, c = 1500;
    __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(c) :: "memory");
    reportf(!memcmp(big_b + 8, big_a + 4096 - 24, 12000) && c == 0 && d == big_b + 12008,
            "rep movsq over pages");
    /* forward overlap: each element copies one just written (a repeated pattern) */
    big_a[0] = 'x', big_a[1] = 'y', big_a[2] = 'z';
    d = big_a + 3, s = big_a, c = 6000;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(c) :: "memory");
    bool pat = true;
    for (int i = 0; i < 6003; i++)
        pat &= big_a[i] == "xyz"[i % 3];
    reportf(pat && c == 0, "rep movsb with the destination 3 bytes into the source: pattern");
    d = big_a + 1000, s = big_a + 1008, c = 700;      /* backward overlap: like memmove */
    for (int i = 0; i < 7000; i++)
        big_a[i] = (uint8_t)i;
    __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(c) :: "memory");
    bool mv = true;
    for (int i = 0; i < 5600; i++)
        mv &= big_a[1000 + i] == (uint8_t)(1008 + i);
    reportf(mv, "rep movsq with the source 8 bytes above the destination");
    d = big_b + 3, c = 9000;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(0x1c9u) : "memory");
    d = big_b + 4096 + 2, c = 3000;
    __asm__ volatile("rep stosw" : "+D"(d), "+c"(c) : "a"(0x7172u) : "memory");
    d = big_b + 2 * 4096 - 16, c = 1000;
    __asm__ volatile("rep stosq" : "+D"(d), "+c"(c) : "a"(0x0102030405060708ull) : "memory");
    printf("rep stos: %08x\n", fnv(big_b, sizeof big_b));
    reportf(big_b[2] == 0 && big_b[3] == 0xc9 && big_b[4098] == 0x72 && big_b[4099] == 0x71
            && big_b[2 * 4096 - 16] == 8 && big_b[2 * 4096 - 16 + 8 * 1000 - 1] == 1
            && big_b[2 * 4096 - 16 + 8 * 1000] == 0 && d == big_b + 2 * 4096 - 16 + 8 * 1000,
            "rep stosb/stosw/stosq over pages");

    /* a page fault part way: RCX, RSI and RDI show the elements done */
    uint8_t *hole = big_b + 2 * 4096;
    map_page((uint64_t)hole, (uint64_t)hole, false, true, false);
    handle_exception(14, pf_handler);
    d = big_b + 100, s = big_a, c = 3 * 4096;
    __asm__ volatile("lea 1f(%%rip), %%rax; mov %%rax, %3; rep movsb\n1:"
                     : "+D"(d), "+S"(s), "+c"(c), "=m"(pf_resume) :: "rax", "memory");
    reportf(pf_cr2 == (uint64_t)hole && pf_rdi == (uint64_t)hole
            && pf_rcx == 3 * 4096 - (2 * 4096 - 100) && pf_rsi == (uint64_t)big_a + 2 * 4096 - 100,
            "rep movsb faulting on its third page: CR2 %s, RCX %lu left",
            pf_cr2 == (uint64_t)hole ? "at the page" : "wrong", pf_rcx);
    d = big_b + 2 * 4096 - 40, c = 100;
    __asm__ volatile("lea 1f(%%rip), %%rax; mov %%rax, %2; rep stosq\n1:"
                     : "+D"(d), "+c"(c), "=m"(pf_resume) : "a"(0ull) : "memory");
    reportf(pf_rdi == (uint64_t)hole && pf_rcx == 95, "rep stosq faulting: RCX %lu left", pf_rcx);
    map_page((uint64_t)hole, (uint64_t)hole, true, true, false);
}

int main(void)
{
    for (int i = 0; i < 64; i++)
        src[i] = (char)('a' + i % 26);
    void *d = dst, *s = src;
    uint64_t c = 40;
    __asm__ volatile("cld; rep movsb" : "+D"(d), "+S"(s), "+c"(c) :: "memory");
    reportf(!memcmp(dst, src, 40) && c == 0 && d == dst + 40 && s == src + 40, "rep movsb forward");
    memset(dst, 0, sizeof dst);
    d = dst + 56; s = src + 56; c = 4;
    __asm__ volatile("std; rep movsq; cld" : "+D"(d), "+S"(s), "+c"(c) :: "memory");
    reportf(!memcmp(dst + 32, src + 32, 32) && d == dst + 24, "rep movsq backward with DF");
    d = dst; c = 16;
    __asm__ volatile("rep stosl" : "+D"(d), "+c"(c) : "a"(0x41424344u) : "memory");
    reportf(((uint32_t *)dst)[15] == 0x41424344u && d == dst + 64, "rep stosl");
    /* repe cmpsb stops at the first difference */
    memcpy(dst, src, 64);
    dst[10] = 'X';
    d = dst; s = src; c = 64;
    uint64_t f;
    __asm__ volatile("repe cmpsb; pushf; pop %3" : "+D"(d), "+S"(s), "+c"(c), "=r"(f) :: "memory", "cc");
    reportf(c == 53 && s == src + 11 && !(f & 0x40), "repe cmpsb stops after mismatch (rcx %lu)", c);
    /* repne scasb finds a byte */
    d = src; c = 64;
    __asm__ volatile("repne scasb; pushf; pop %2" : "+D"(d), "+c"(c), "=r"(f) : "a"('k') : "cc");
    reportf(d == src + 11 && (f & 0x40) && c == 53, "repne scasb finds 'k' (rcx %lu)", c);
    s = src + 3;
    uint64_t a;
    __asm__ volatile("lodsw" : "+S"(s), "=a"(a));
    reportf((a & 0xffff) == 0x6564 && s == src + 5, "lodsw = %lx", a & 0xffff);
    /* rep with rcx = 0 does nothing */
    d = dst; c = 0;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(0) : "memory");
    reportf(d == dst, "rep with count 0 does nothing");
    /* 32-bit address size: edi wraps in 32 bits */
    d = dst; c = 2;
    __asm__ volatile("addr32 rep stosb" : "+D"(d), "+c"(c) : "a"(0x55) : "memory");
    reportf(dst[0] == 0x55 && dst[1] == 0x55 && d == dst + 2, "addr32 rep stosb");
    long_strings();
    report_done();
}
