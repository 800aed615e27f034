/*
 * bench/cmark.c: a mix in the style of the standard embedded benchmarks,
 * written as ordinary C: linked-list find and sort, matrix multiply over
 * 16- and 32-bit elements, a byte-driven state machine and CRC16.  Each
 * kernel checks its own result; the guest prints one checksum line that
 * bench/run-bench compares between satori and QEMU.
 */
#include "runtime.h"

#define ROUNDS    4800
#define LIST_LEN  200
#define MAT_N     24
#define SM_LEN    2048

struct node {
    struct node *next;
    int16_t key;
    uint16_t idx;
    uint32_t data;
};

static struct node pool[LIST_LEN];
static uint32_t seed = 0x1234567;

static uint32_t rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

static uint16_t crc16(uint16_t crc, const uint8_t *p, size_t n)
{
    /* CRC-16/CCITT-FALSE, bit at a time as small firmware does it */
    while (n--) {
        crc ^= (uint16_t)(*p++ << 8);
        for (int i = 0; i < 8; i++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

static struct node *list_build(void)
{
    struct node *head = NULL;

    for (int i = 0; i < LIST_LEN; i++) {
        pool[i].key = (int16_t)(rnd() & 0x7fff) - 0x4000;
        pool[i].idx = (uint16_t)i;
        pool[i].data = rnd();
        pool[i].next = head;
        head = &pool[i];
    }
    return head;
}

static struct node *list_find(struct node *l, int16_t key)
{
    while (l && l->key != key)
        l = l->next;
    return l;
}

/* Merge sort on a singly linked list, by key (cmp_data: by data instead). */
static struct node *list_sort(struct node *l, bool cmp_data)
{
    int insize = 1;

    if (!l)
        return NULL;
    for (;;) {
        struct node *p = l, *tail = NULL;
        int merges = 0;
        l = NULL;
        while (p) {
            struct node *q = p;
            int psize = 0, qsize = insize;
            merges++;
            for (int i = 0; i < insize && q; i++) {
                psize++;
                q = q->next;
            }
            while (psize > 0 || (qsize > 0 && q)) {
                struct node *e;
                bool take_p;
                if (psize == 0)
                    take_p = false;
                else if (qsize == 0 || !q)
                    take_p = true;
                else if (cmp_data)
                    take_p = p->data <= q->data;
                else
                    take_p = p->key <= q->key;
                if (take_p) {
                    e = p;
                    p = p->next;
                    psize--;
                } else {
                    e = q;
                    q = q->next;
                    qsize--;
                }
                if (tail)
                    tail->next = e;
                else
                    l = e;
                tail = e;
            }
            p = q;
        }
        tail->next = NULL;
        if (merges <= 1)
            return l;
        insize *= 2;
    }
}

static int16_t ma[MAT_N][MAT_N], mb[MAT_N][MAT_N];
static int32_t mc[MAT_N][MAT_N];
static int32_t ia[MAT_N][MAT_N], ib[MAT_N][MAT_N];
static int64_t ic[MAT_N][MAT_N];

static uint32_t matrix_round(int r)
{
    uint32_t sum = 0;

    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            ma[i][j] = (int16_t)((i * 7 + j * 3 + r) & 0xff) - 128;
            mb[i][j] = (int16_t)((i ^ j ^ r) & 0x7f);
            ia[i][j] = (int32_t)(rnd() & 0xffff) - 0x8000;
            ib[i][j] = (int32_t)(i + j * r);
        }
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t acc = 0;
            int64_t acc64 = 0;
            for (int k = 0; k < MAT_N; k++) {
                acc += ma[i][k] * mb[k][j];
                acc64 += (int64_t)ia[i][k] * ib[k][j];
            }
            mc[i][j] = acc;
            ic[i][j] = acc64;
        }
    /* multiply-add with a constant and a column test, as cmark's matrix part */
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t v = mc[i][j] + (int32_t)(ic[i][j] >> 8);
            if (v > 0x1000)
                sum += (uint32_t)v & 0xffff;
            else
                sum ^= (uint32_t)v;
        }
    return sum;
}

/* A byte-driven state machine: classifies numbers in a text buffer. */
enum sm_state { SM_START, SM_INT, SM_FRAC, SM_EXP, SM_EXPSIGN, SM_EXPDIG, SM_BAD };

static uint8_t text[SM_LEN];

static void text_build(void)
{
    static const char *const words[] = { "123", "-4.5", "6e7", "+8.9e-1", "x12", "0.0.1",
                                         "77", "3.14159", "1e", "-0", "5E+3", "abc" };
    size_t n = 0;

    while (n < SM_LEN - 16) {
        const char *w = words[rnd() % 12];
        while (*w)
            text[n++] = (uint8_t)*w++;
        text[n++] = (rnd() & 1) ? ',' : ' ';
    }
    text[n] = 0;
}

static uint32_t state_machine(unsigned counts[7])
{
    enum sm_state s = SM_START;
    uint32_t transitions = 0;

    for (const uint8_t *p = text; *p; p++) {
        uint8_t c = *p;
        enum sm_state prev = s;
        if (c == ',' || c == ' ') {
            counts[s]++;
            s = SM_START;
            continue;
        }
        switch (s) {
        case SM_START:
            s = (c >= '0' && c <= '9') || c == '+' || c == '-' ? SM_INT : c == '.' ? SM_FRAC : SM_BAD;
            break;
        case SM_INT:
            s = (c >= '0' && c <= '9') ? SM_INT : c == '.' ? SM_FRAC
                : (c == 'e' || c == 'E') ? SM_EXP : SM_BAD;
            break;
        case SM_FRAC:
            s = (c >= '0' && c <= '9') ? SM_FRAC : (c == 'e' || c == 'E') ? SM_EXP : SM_BAD;
            break;
        case SM_EXP:
            s = (c == '+' || c == '-') ? SM_EXPSIGN : (c >= '0' && c <= '9') ? SM_EXPDIG : SM_BAD;
            break;
        case SM_EXPSIGN:
        case SM_EXPDIG:
            s = (c >= '0' && c <= '9') ? SM_EXPDIG : SM_BAD;
            break;
        case SM_BAD:
            break;
        }
        transitions += s != prev;
    }
    counts[s]++;
    return transitions;
}

int main(void)
{
    uint32_t check = 0;
    uint16_t crc = 0xffff;
    bool ok = crc16(0xffff, (const uint8_t *)"123456789", 9) == 0x29b1;

    text_build();
    for (int r = 0; r < ROUNDS; r++) {
        struct node *l = list_build();
        unsigned found = 0, counts[7] = { 0 };

        for (int i = 0; i < 64; i++)
            found += list_find(l, pool[(i * 37 + r) % LIST_LEN].key) != NULL;
        found += list_find(l, 0x7fff) != NULL; /* never present */
        l = list_sort(l, false);
        for (struct node *p = l; p && p->next; p = p->next)
            ok &= p->key <= p->next->key;
        l = list_sort(l, true);
        for (struct node *p = l; p && p->next; p = p->next)
            ok &= p->data <= p->next->data;
        ok &= found == 64;
        check += l->data ^ l->idx;
        check = check * 31 + matrix_round(r);
        check ^= state_machine(counts);
        for (int i = 0; i < 7; i++)
            check += counts[i] << i;
        crc = crc16(crc, (const uint8_t *)&check, sizeof check);
        crc = crc16(crc, text + (r % 512), 256);
    }
    printf("cmark: checksum %08x crc %04x self-check %s\n", check, crc, ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
