/*
 * bench/flagchain.c: flag-heavy integer code as ordinary C: multi-word
 * add/subtract (ADC/SBB chains through unsigned __int128), rotates and
 * double shifts (ROL/ROR/SHLD/SHRD from the usual idioms), a bit-serial
 * CRC through the carry flag (RCL/RCR, the one place that needs asm, as
 * bignum and checksum code does it), IMUL, SETcc/CMOVcc from comparisons,
 * and 8/16-bit arithmetic on byte and halfword arrays.  Prints a checksum.
 */
#include "runtime.h"

#define WORDS  16
#define ROUNDS 400000

typedef unsigned __int128 u128;

static uint64_t a[WORDS], b[WORDS], c[WORDS];
static uint16_t h16[256];
static uint8_t b8[256];

static void add_n(uint64_t *d, const uint64_t *x, const uint64_t *y, int n)
{
    unsigned char carry = 0;
    for (int i = 0; i < n; i++) {
        u128 s = (u128)x[i] + y[i] + carry;
        d[i] = (uint64_t)s;
        carry = (unsigned char)(s >> 64);
    }
}

static void sub_n(uint64_t *d, const uint64_t *x, const uint64_t *y, int n)
{
    uint64_t borrow = 0;
    for (int i = 0; i < n; i++) {
        uint64_t t = x[i] - y[i];
        uint64_t b1 = x[i] < y[i];
        d[i] = t - borrow;
        borrow = b1 | (t < borrow);
    }
}

static inline uint64_t rotl(uint64_t x, unsigned r) { return (x << (r & 63)) | (x >> (-r & 63)); }
static inline uint32_t rotr32(uint32_t x, unsigned r) { return (x >> (r & 31)) | (x << (-r & 31)); }

static uint64_t shift_mix(uint64_t hi, uint64_t lo, unsigned n)
{
    u128 v = ((u128)hi << 64) | lo;
    n &= 63;
    return (uint64_t)(v >> n) ^ (uint64_t)((v << n) >> 64);
}

/* Carry-through-rotate CRC step: 8 RCL/RCR pairs per byte. */
static uint32_t rcx_step(uint32_t acc, uint8_t byte)
{
    __asm__("mov %2, %%cl\n"
            "1: shr $1, %b1\n rcl $1, %0\n jnc 2f\n xor $0x04c11db7, %0\n"
            "2: rcr $1, %b1\n rol $1, %b1\n dec %%cl\n jnz 1b"
            : "+r"(acc), "+q"(byte) : "i"(8) : "cl", "cc");
    return acc;
}

int main(void)
{
    uint64_t check = 0x9e3779b97f4a7c15ull;
    uint32_t crc = 0;

    for (int i = 0; i < WORDS; i++) {
        a[i] = 0x0123456789abcdefull * (i + 1);
        b[i] = ~a[i] ^ (uint64_t)i << 40;
    }
    for (int i = 0; i < 256; i++) {
        h16[i] = (uint16_t)(i * 0x9e37);
        b8[i] = (uint8_t)(i * 13 + 7);
    }
    for (int r = 0; r < ROUNDS; r++) {
        add_n(c, a, b, WORDS);
        sub_n(a, c, b, WORDS);      /* gives a back */
        add_n(b, b, c, WORDS);
        for (int i = 0; i < WORDS; i++) {
            uint64_t x = rotl(c[i], (unsigned)(r + i)) * 0x2545f4914f6cdd1dull;
            x ^= shift_mix(b[i], x, (unsigned)i * 7 + (unsigned)r);
            check += x > check ? x : ~x;                  /* CMOVcc */
            check ^= (uint64_t)((int64_t)x < 0) << (i & 31); /* SETcc */
            check = rotl(check, 13) + (uint64_t)rotr32((uint32_t)x, (unsigned)r);
        }
        uint8_t s8 = 0;
        uint16_t s16 = 0;
        for (int i = 0; i < 256; i += 4) {
            b8[i] = (uint8_t)(b8[i] + b8[(i + r) & 255]);
            b8[i + 1] ^= (uint8_t)(b8[i] >> 1);
            h16[i] = (uint16_t)(h16[i] - h16[(i + 3) & 255]);
            h16[i + 2] = (uint16_t)((h16[i + 2] << 3) | (h16[i + 2] >> 13));
            s8 = (uint8_t)(s8 + (b8[i] < b8[i + 1] ? b8[i] : b8[i + 1]));
            s16 = (uint16_t)(s16 ^ (int16_t)h16[i] >> 2);
        }
        if ((r & 63) == 0)
            crc = rcx_step(crc, s8) ^ s16;
        check ^= (uint64_t)s8 << 8 | s16;
    }
    bool ok = true;
    for (int i = 0; i < WORDS; i++)
        ok &= a[i] == 0x0123456789abcdefull * (i + 1);
    printf("flagchain: checksum %016llx crc %08x self-check %s\n", (unsigned long long)check,
           crc, ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
