/*
 * bench/strmix.c: string and memory work as ordinary C: word-at-a-time
 * memcpy/memset/strlen of the kind a C library's generic code uses,
 * strcmp, and a quicksort of string pointers.  Prints a checksum line.
 */
#include "runtime.h"

#define NSTR   2048
#define ROUNDS 500

static char pool[NSTR * 24];
static char *strs[NSTR];
static uint8_t bufa[8192], bufb[8192];
static uint32_t seed = 7;

static uint32_t rnd(void)
{
    seed = seed * 1664525u + 1013904223u;
    return seed >> 7;
}

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static size_t str_len(const char *s)
{
    const char *p = s;

    while ((uintptr_t)p & 7) {
        if (!*p)
            return (size_t)(p - s);
        p++;
    }
    for (;;) {
        uint64_t w = *(const uint64_t *)p;
        if ((w - ONES) & ~w & HIGHS)
            break;
        p += 8;
    }
    while (*p)
        p++;
    return (size_t)(p - s);
}

static void *mem_cpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;

    while (n && ((uintptr_t)dp & 7)) {
        *dp++ = *sp++;
        n--;
    }
    if (!((uintptr_t)sp & 7))
        for (; n >= 8; n -= 8, dp += 8, sp += 8)
            *(uint64_t *)dp = *(const uint64_t *)sp;
    while (n--)
        *dp++ = *sp++;
    return d;
}

static void *mem_set(void *d, int c, size_t n)
{
    uint8_t *dp = d;
    uint64_t w = (uint8_t)c * ONES;

    while (n && ((uintptr_t)dp & 7)) {
        *dp++ = (uint8_t)c;
        n--;
    }
    for (; n >= 8; n -= 8, dp += 8)
        *(uint64_t *)dp = w;
    while (n--)
        *dp++ = (uint8_t)c;
    return d;
}

static int str_cmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

static void sort_strs(char **v, int n)
{
    while (n > 8) {
        char *pivot = v[n / 2];
        int i = 0, j = n - 1;
        while (i <= j) {
            while (str_cmp(v[i], pivot) < 0)
                i++;
            while (str_cmp(v[j], pivot) > 0)
                j--;
            if (i <= j) {
                char *t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        if (j + 1 < n - i) {
            sort_strs(v, j + 1);
            v += i;
            n -= i;
        } else {
            sort_strs(v + i, n - i);
            n = j + 1;
        }
    }
    for (int i = 1; i < n; i++) {        /* insertion sort for short runs */
        char *t = v[i];
        int j = i;
        while (j > 0 && str_cmp(v[j - 1], t) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = t;
    }
}

int main(void)
{
    uint32_t check = 0;
    bool ok = true;

    for (int r = 0; r < ROUNDS; r++) {
        char *p = pool;
        for (int i = 0; i < NSTR; i++) {
            int len = 3 + (int)(rnd() % 18);
            strs[i] = p;
            for (int k = 0; k < len; k++)
                *p++ = (char)('a' + rnd() % (k < 2 ? 4 : 26));
            *p++ = 0;
        }
        sort_strs(strs, NSTR);
        for (int i = 1; i < NSTR; i++)
            ok &= str_cmp(strs[i - 1], strs[i]) <= 0;
        size_t total = 0;
        for (int i = 0; i < NSTR; i++)
            total += str_len(strs[i]);
        for (int k = 0; k < 40; k++) {
            size_t off = rnd() % 64, n = 4096 + rnd() % 2048;
            mem_set(bufa + off, (int)(k + r), n);
            mem_cpy(bufb + (k & 7), bufa + off, n);
            ok &= bufb[(k & 7) + n - 1] == (uint8_t)(k + r);
            check += bufb[(k & 7) + n / 2];
        }
        check = check * 131 + (uint32_t)total + (uint8_t)strs[NSTR / 2][0];
    }
    printf("strmix: checksum %08x self-check %s\n", check, ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
