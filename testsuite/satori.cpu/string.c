/* String instructions with REP/REPE/REPNE and DF (SDM vol. 2 MOVS..SCAS). */
#include "runtime.h"

static char src[64], dst[64];

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
    report_done();
}
