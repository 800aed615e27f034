/*
 * bench/lzbench.c: a compression kernel as ordinary C.  An LZ77 encoder
 * with a hash chain (the match finder of deflate-style compressors), its
 * decoder, and Huffman code lengths for the literal/length symbols built
 * with a heap.  Input is generated text-like data; the guest checks that
 * decoding gives the input back and prints a checksum line.
 */
#include "runtime.h"

#define IN_SIZE   65536
#define WIN_BITS  12
#define HASH_BITS 13
#define MIN_MATCH 3
#define MAX_MATCH 66
#define MAX_CHAIN 24
#define ROUNDS    150

static uint8_t in[IN_SIZE], out[IN_SIZE * 2], back[IN_SIZE];
static int32_t head[1 << HASH_BITS], prev_pos[IN_SIZE];
static uint32_t freq[320];
static uint32_t seed = 42;

static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static void make_input(void)
{
    static const char *const words[] = {
        "the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ", "and ",
        "satori ", "emulates ", "a ", "PC ", "with ", "translated ", "blocks ", "\n",
        "compression ", "of ", "text ", "works ", "well ", "on ", "repeated ", "words ",
    };
    size_t n = 0;

    while (n < IN_SIZE) {
        uint32_t r = rnd();
        if ((r & 31) == 0) {
            in[n++] = (uint8_t)(r >> 8);   /* a little noise */
            continue;
        }
        const char *w = words[(r >> 5) % 25];
        while (*w && n < IN_SIZE)
            in[n++] = (uint8_t)*w++;
    }
}

static inline unsigned hash3(const uint8_t *p)
{
    return ((p[0] << 10) ^ (p[1] << 5) ^ p[2]) & ((1 << HASH_BITS) - 1);
}

/* Output: literal = 0x00 byte; match = 0x80|len-3 (len <= 66 fits 6 bits), 16-bit distance. */
static size_t lz_encode(void)
{
    size_t o = 0;

    for (int i = 0; i < (1 << HASH_BITS); i++)
        head[i] = -1;
    memset(freq, 0, sizeof freq);
    for (size_t i = 0; i < IN_SIZE;) {
        int best_len = 0, best_dist = 0;
        if (i + MIN_MATCH <= IN_SIZE) {
            unsigned h = hash3(in + i);
            int32_t cand = head[h];
            int chain = MAX_CHAIN;
            while (cand >= 0 && (int32_t)i - cand < (1 << WIN_BITS) && chain--) {
                int len = 0;
                while (len < MAX_MATCH && i + len < IN_SIZE && in[cand + len] == in[i + len])
                    len++;
                if (len > best_len) {
                    best_len = len;
                    best_dist = (int)i - cand;
                }
                cand = prev_pos[cand];
            }
        }
        size_t step = best_len >= MIN_MATCH ? (size_t)best_len : 1;
        if (best_len >= MIN_MATCH) {
            out[o++] = (uint8_t)(0x80 | (best_len - MIN_MATCH));
            out[o++] = (uint8_t)best_dist;
            out[o++] = (uint8_t)(best_dist >> 8);
            freq[256 + best_len - MIN_MATCH]++;
        } else {
            out[o++] = 0;
            out[o++] = in[i];
            freq[in[i]]++;
        }
        for (size_t k = 0; k < step; k++, i++)
            if (i + MIN_MATCH <= IN_SIZE) {
                unsigned h = hash3(in + i);
                prev_pos[i] = head[h];
                head[h] = (int32_t)i;
            }
    }
    return o;
}

static size_t lz_decode(size_t n)
{
    size_t o = 0;

    for (size_t i = 0; i < n;) {
        if (out[i] & 0x80) {
            int len = (out[i] & 0x7f) + MIN_MATCH;
            int dist = out[i + 1] | out[i + 2] << 8;
            for (int k = 0; k < len; k++, o++)
                back[o] = back[o - dist];
            i += 3;
        } else {
            back[o++] = out[i + 1];
            i += 2;
        }
    }
    return o;
}

/* Huffman code lengths from symbol frequencies (binary heap of nodes). */
static uint32_t hweight[640];
static int16_t hparent[640];
static int16_t heap[320];

static void heap_down(int n, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && hweight[heap[l]] < hweight[heap[m]])
            m = l;
        if (r < n && hweight[heap[r]] < hweight[heap[m]])
            m = r;
        if (m == i)
            return;
        int16_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

static uint64_t huffman_bits(int nsym)
{
    int n = 0, next = nsym;
    uint64_t bits = 0;

    for (int s = 0; s < nsym; s++) {
        hweight[s] = freq[s];
        hparent[s] = -1;
        if (freq[s])
            heap[n++] = (int16_t)s;
    }
    for (int i = n / 2 - 1; i >= 0; i--)
        heap_down(n, i);
    while (n > 1) {
        int16_t a = heap[0];
        heap[0] = heap[--n];
        heap_down(n, 0);
        int16_t b = heap[0];
        hweight[next] = hweight[a] + hweight[b];
        hparent[next] = -1;
        hparent[a] = hparent[b] = (int16_t)next;
        heap[0] = (int16_t)next++;
        heap_down(n, 0);
    }
    for (int s = 0; s < nsym; s++) {
        int depth = 0;
        if (!freq[s])
            continue;
        for (int p = hparent[s]; p >= 0; p = hparent[p])
            depth++;
        bits += (uint64_t)depth * freq[s];
    }
    return bits;
}

int main(void)
{
    uint32_t check = 0;
    bool ok = true;

    for (int r = 0; r < ROUNDS; r++) {
        make_input();
        size_t n = lz_encode();
        size_t m = lz_decode(n);
        ok &= m == IN_SIZE && memcmp(in, back, IN_SIZE) == 0;
        uint64_t bits = huffman_bits(320);
        check = check * 33 + (uint32_t)n;
        check ^= (uint32_t)bits;
    }
    printf("lzbench: checksum %08x self-check %s\n", check, ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
