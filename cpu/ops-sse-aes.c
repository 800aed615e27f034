/*
 * cpu/ops-sse-aes.c: the AES-NI round primitives (SDM vol. 2, AESENC,
 * AESENCLAST, AESDEC, AESDECLAST, AESIMC, AESKEYGENASSIST; FIPS-197 for
 * the transformations) and PCLMULQDQ's carry-less multiply.
 *
 * The S-box is computed at first use from its definition (multiplicative
 * inverse in GF(2^8) modulo x^8+x^4+x^3+x+1, then the affine map), not
 * copied from a table.  State byte i is row i % 4, column i / 4.
 */
#include "cpu/ops-sse.h"

static uint8_t sbox[256], inv_sbox[256];
static bool sbox_ready;

static uint8_t gf_mul(uint8_t a, uint8_t b)
{
    uint8_t r = 0;

    while (b) {
        if (b & 1)
            r ^= a;
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return r;
}

static uint8_t rotl8(uint8_t v, unsigned n)
{
    return (uint8_t)((v << n) | (v >> (8 - n)));
}

static void sbox_init(void)
{
    for (unsigned x = 0; x < 256; x++) {
        uint8_t inv = 0;
        for (unsigned y = 1; y < 256 && x; y++)
            if (gf_mul((uint8_t)x, (uint8_t)y) == 1) {
                inv = (uint8_t)y;
                break;
            }
        uint8_t s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
        sbox[x] = s;
        inv_sbox[s] = (uint8_t)x;
    }
    sbox_ready = true;
}

static void sub_bytes(union vec *st, const uint8_t *box)
{
    for (unsigned i = 0; i < 16; i++)
        st->b[i] = box[st->b[i]];
}

/* row r moves left by r columns (right by r when inverse) */
static void shift_rows(union vec *st, bool inverse)
{
    union vec r;

    for (unsigned c = 0; c < 4; c++)
        for (unsigned row = 0; row < 4; row++) {
            unsigned from = inverse ? (c + 4 - row) % 4 : (c + row) % 4;
            r.b[row + 4 * c] = st->b[row + 4 * from];
        }
    *st = r;
}

static void mix_columns(union vec *st, const uint8_t m[4])
{
    for (unsigned c = 0; c < 4; c++) {
        uint8_t a[4];
        memcpy(a, &st->b[4 * c], 4);
        for (unsigned row = 0; row < 4; row++)
            st->b[4 * c + row] = gf_mul(a[row], m[0]) ^ gf_mul(a[(row + 1) % 4], m[1])
                               ^ gf_mul(a[(row + 2) % 4], m[2]) ^ gf_mul(a[(row + 3) % 4], m[3]);
    }
}

static const uint8_t mix_fwd[4] = { 2, 3, 1, 1 }, mix_inv[4] = { 14, 11, 13, 9 };

void aes_round(union vec *st, const union vec *key, bool last)
{
    if (!sbox_ready)
        sbox_init();
    shift_rows(st, false);
    sub_bytes(st, sbox);
    if (!last)
        mix_columns(st, mix_fwd);
    st->q[0] ^= key->q[0];
    st->q[1] ^= key->q[1];
}

void aes_round_inv(union vec *st, const union vec *key, bool last)
{
    if (!sbox_ready)
        sbox_init();
    shift_rows(st, true);
    sub_bytes(st, inv_sbox);
    if (!last)
        mix_columns(st, mix_inv);
    st->q[0] ^= key->q[0];
    st->q[1] ^= key->q[1];
}

void aes_inv_mix_columns(union vec *st)
{
    mix_columns(st, mix_inv);
}

static uint32_t sub_word(uint32_t w)
{
    return (uint32_t)sbox[w & 0xff] | (uint32_t)sbox[(w >> 8) & 0xff] << 8
         | (uint32_t)sbox[(w >> 16) & 0xff] << 16 | (uint32_t)sbox[w >> 24] << 24;
}

void aes_keygen_assist(union vec *r, const union vec *s, uint8_t rcon)
{
    if (!sbox_ready)
        sbox_init();
    uint32_t x1 = sub_word(s->d[1]), x3 = sub_word(s->d[3]);

    r->d[0] = x1;
    r->d[1] = ((x1 >> 8) | (x1 << 24)) ^ rcon;
    r->d[2] = x3;
    r->d[3] = ((x3 >> 8) | (x3 << 24)) ^ rcon;
}

void clmul64(uint64_t a, uint64_t b, uint64_t r[2])
{
    r[0] = r[1] = 0;
    for (unsigned i = 0; i < 64; i++)
        if ((b >> i) & 1) {
            r[0] ^= a << i;
            if (i)
                r[1] ^= a >> (64 - i);
        }
}
