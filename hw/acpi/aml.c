/*
 * hw/acpi/aml.c: the AML bytecode builder (see aml.h).  Encodings from
 * ACPI 6.4, chapter 20 (grammar and opcode values) and 6.4 (resource
 * descriptors); nothing here is a precompiled blob.
 *
 * PkgLength (20.2.4): the length counts itself.  One byte holds lengths
 * up to 63 in bits 5:0; otherwise bits 7:6 of the lead byte say how many
 * bytes follow (1-3), bits 3:0 are the low nibble and each following byte
 * the next 8 bits, up to 2^28 - 1.
 */
#include "hw/acpi/aml.h"

#include <stdlib.h>
#include <string.h>

#define AML_ZERO_OP       0x00
#define AML_ONE_OP        0x01
#define AML_NAME_OP       0x08
#define AML_BYTE_PREFIX   0x0a
#define AML_WORD_PREFIX   0x0b
#define AML_DWORD_PREFIX  0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX  0x0e
#define AML_SCOPE_OP      0x10
#define AML_BUFFER_OP     0x11
#define AML_PACKAGE_OP    0x12
#define AML_METHOD_OP     0x14
#define AML_DUAL_NAME_PREFIX  0x2e
#define AML_MULTI_NAME_PREFIX 0x2f
#define AML_EXT_OP_PREFIX 0x5b
#define AML_ROOT_CHAR     0x5c
#define AML_PARENT_PREFIX 0x5e
#define AML_LOCAL0_OP     0x60
#define AML_ARG0_OP       0x68
#define AML_STORE_OP      0x70
#define AML_NOTIFY_OP     0x86
#define AML_CREATE_DWORD_FIELD_OP 0x8a
#define AML_IF_OP         0xa0
#define AML_ELSE_OP       0xa1
#define AML_WHILE_OP      0xa2
#define AML_RETURN_OP     0xa4
#define AML_EXT_OP_REGION 0x80
#define AML_EXT_FIELD     0x81
#define AML_EXT_DEVICE    0x82

enum { OPEN_PLAIN, OPEN_BUFFER };

void aml_init(struct aml *b)
{
    memset(b, 0, sizeof *b);
}

void aml_free(struct aml *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static void reserve(struct aml *b, size_t n)
{
    if (b->len + n <= b->cap)
        return;
    while (b->len + n > b->cap)
        b->cap = b->cap ? b->cap * 2 : 256;
    b->data = realloc(b->data, b->cap);
    if (!b->data)
        abort();
}

void aml_bytes(struct aml *b, const void *p, size_t n)
{
    reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void aml_byte(struct aml *b, uint8_t v)
{
    aml_bytes(b, &v, 1);
}

static void le(struct aml *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        aml_byte(b, (uint8_t)(v >> (8 * i)));
}

/* Insert n bytes at off. */
static void insert(struct aml *b, size_t off, const uint8_t *p, size_t n)
{
    reserve(b, n);
    memmove(b->data + off + n, b->data + off, b->len - off);
    memcpy(b->data + off, p, n);
    b->len += n;
}

int aml_pkglen_encode(size_t n, uint8_t out[4])
{
    /* the total counts the PkgLength bytes themselves */
    if (n + 1 <= 0x3f) {
        out[0] = (uint8_t)(n + 1);
        return 1;
    }
    for (int extra = 1; extra <= 3; extra++) {
        size_t total = n + 1 + (size_t)extra;
        if (total < (size_t)1 << (4 + 8 * extra)) {
            out[0] = (uint8_t)(extra << 6 | (total & 0xf));
            for (int i = 1; i <= extra; i++)
                out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
            return 1 + extra;
        }
    }
    return 0;
}

static void open_pkg(struct aml *b, int kind)
{
    if (b->depth == AML_MAX_DEPTH) {
        b->error = true;
        return;
    }
    b->kind[b->depth] = (uint8_t)kind;
    b->open[b->depth++] = b->len;
}

void aml_end(struct aml *b)
{
    uint8_t enc[4], sz[9];
    size_t start, n;
    int k;

    if (b->depth == 0) {
        b->error = true;
        return;
    }
    start = b->open[--b->depth];
    if (b->kind[b->depth] == OPEN_BUFFER) {
        /* BufferSize goes before the bytes, inside the PkgLength */
        struct aml t;
        aml_init(&t);
        aml_int(&t, b->len - start);
        memcpy(sz, t.data, t.len);
        insert(b, start, sz, t.len);
        aml_free(&t);
    }
    n = b->len - start;
    k = aml_pkglen_encode(n, enc);
    if (!k) {
        b->error = true;
        return;
    }
    insert(b, start, enc, (size_t)k);
}

/* ---- data objects ------------------------------------------------------------ */

void aml_int(struct aml *b, uint64_t v)
{
    if (v == 0) {
        aml_byte(b, AML_ZERO_OP);
    } else if (v == 1) {
        aml_byte(b, AML_ONE_OP);
    } else if (v <= 0xff) {
        aml_byte(b, AML_BYTE_PREFIX);
        le(b, v, 1);
    } else if (v <= 0xffff) {
        aml_byte(b, AML_WORD_PREFIX);
        le(b, v, 2);
    } else if (v <= 0xffffffffu) {
        aml_byte(b, AML_DWORD_PREFIX);
        le(b, v, 4);
    } else {
        aml_byte(b, AML_QWORD_PREFIX);
        le(b, v, 8);
    }
}

void aml_string(struct aml *b, const char *s)
{
    aml_byte(b, AML_STRING_PREFIX);
    aml_bytes(b, s, strlen(s) + 1);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint32_t aml_eisaid_value(const char *id)
{
    /* 6.1.5: three letters of 5 bits (A = 1), then four hex digits,
     * stored most significant byte first */
    uint8_t v[4];
    int h[4];

    if (strlen(id) != 7)
        return 0;
    for (int i = 0; i < 3; i++)
        if (id[i] < 'A' || id[i] > 'Z')
            return 0;
    for (int i = 0; i < 4; i++)
        if ((h[i] = hexval(id[3 + i])) < 0)
            return 0;
    v[0] = (uint8_t)(((id[0] - 0x40) & 0x1f) << 2 | ((id[1] - 0x40) & 0x1f) >> 3);
    v[1] = (uint8_t)(((id[1] - 0x40) & 0x07) << 5 | ((id[2] - 0x40) & 0x1f));
    v[2] = (uint8_t)(h[0] << 4 | h[1]);
    v[3] = (uint8_t)(h[2] << 4 | h[3]);
    return v[0] | v[1] << 8 | v[2] << 16 | (uint32_t)v[3] << 24;
}

void aml_eisaid(struct aml *b, const char *id)
{
    uint32_t v = aml_eisaid_value(id);

    if (!v)
        b->error = true;
    /* always a DWord, as ASL compilers emit EISAID() */
    aml_byte(b, AML_DWORD_PREFIX);
    le(b, v, 4);
}

void aml_buffer(struct aml *b, const void *p, size_t n)
{
    aml_byte(b, AML_BUFFER_OP);
    open_pkg(b, OPEN_BUFFER);
    aml_bytes(b, p, n);
    aml_end(b);
}

void aml_package_begin(struct aml *b, unsigned n)
{
    aml_byte(b, AML_PACKAGE_OP);
    open_pkg(b, OPEN_PLAIN);
    aml_byte(b, (uint8_t)n);
    if (n > 255)
        b->error = true;
}

/* ---- names ------------------------------------------------------------------ */

static bool name_char(char c, bool first)
{
    return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

void aml_name(struct aml *b, const char *path)
{
    const char *p = path;
    char segs[32][4];
    int n = 0;

    if (*p == '\\') {
        aml_byte(b, AML_ROOT_CHAR);
        p++;
    } else {
        while (*p == '^') {
            aml_byte(b, AML_PARENT_PREFIX);
            p++;
        }
    }
    while (*p) {
        int len = 0;
        if (n == 32) {
            b->error = true;
            return;
        }
        while (p[len] && p[len] != '.')
            len++;
        if (len < 1 || len > 4 || !name_char(p[0], true)) {
            b->error = true;
            return;
        }
        for (int i = 0; i < 4; i++) {
            char c = i < len ? p[i] : '_';
            if (!name_char(c, i == 0))
                b->error = true;
            segs[n][i] = c;
        }
        n++;
        p += len;
        if (*p == '.')
            p++;
    }
    if (n == 0) {
        aml_byte(b, 0x00); /* NullName, e.g. "\\" alone */
        return;
    }
    if (n == 2) {
        aml_byte(b, AML_DUAL_NAME_PREFIX);
    } else if (n > 2) {
        aml_byte(b, AML_MULTI_NAME_PREFIX);
        aml_byte(b, (uint8_t)n);
    }
    aml_bytes(b, segs, (size_t)n * 4);
}

void aml_null_name(struct aml *b)
{
    aml_byte(b, 0x00);
}

void aml_name_decl(struct aml *b, const char *path)
{
    aml_byte(b, AML_NAME_OP);
    aml_name(b, path);
}

void aml_local(struct aml *b, int n)
{
    if (n < 0 || n > 7)
        b->error = true;
    aml_byte(b, (uint8_t)(AML_LOCAL0_OP + (n & 7)));
}

void aml_arg(struct aml *b, int n)
{
    if (n < 0 || n > 6)
        b->error = true;
    aml_byte(b, (uint8_t)(AML_ARG0_OP + (n & 7)));
}

/* ---- named objects -------------------------------------------------------- */

void aml_scope_begin(struct aml *b, const char *path)
{
    aml_byte(b, AML_SCOPE_OP);
    open_pkg(b, OPEN_PLAIN);
    aml_name(b, path);
}

void aml_device_begin(struct aml *b, const char *path)
{
    aml_byte(b, AML_EXT_OP_PREFIX);
    aml_byte(b, AML_EXT_DEVICE);
    open_pkg(b, OPEN_PLAIN);
    aml_name(b, path);
}

void aml_method_begin(struct aml *b, const char *path, int nargs, bool serialized)
{
    if (nargs < 0 || nargs > 7)
        b->error = true;
    aml_byte(b, AML_METHOD_OP);
    open_pkg(b, OPEN_PLAIN);
    aml_name(b, path);
    aml_byte(b, (uint8_t)((nargs & 7) | (serialized ? 0x08 : 0)));
}

void aml_operation_region(struct aml *b, const char *name, enum aml_region_space space,
                          uint64_t offset, uint64_t len)
{
    aml_byte(b, AML_EXT_OP_PREFIX);
    aml_byte(b, AML_EXT_OP_REGION);
    aml_name(b, name);
    aml_byte(b, (uint8_t)space);
    aml_int(b, offset);
    aml_int(b, len);
}

void aml_field_begin(struct aml *b, const char *region, enum aml_access acc, bool lock,
                     enum aml_update upd)
{
    aml_byte(b, AML_EXT_OP_PREFIX);
    aml_byte(b, AML_EXT_FIELD);
    open_pkg(b, OPEN_PLAIN);
    aml_name(b, region);
    aml_byte(b, (uint8_t)(acc | (lock ? 0x10 : 0) | upd << 5));
}

void aml_field_unit(struct aml *b, const char *name, unsigned bits)
{
    uint8_t enc[4];
    int k;

    if (name) {
        size_t before = b->len;
        aml_name(b, name);
        if (b->len - before != 4)   /* a NamedField is one NameSeg */
            b->error = true;
    } else {
        aml_byte(b, 0x00);          /* ReservedField */
    }
    /* the bit count is PkgLength-encoded but does not count itself */
    if (bits < 0x40) {
        aml_byte(b, (uint8_t)bits);
        return;
    }
    for (k = 1; k <= 3 && bits >= 1u << (4 + 8 * k); k++)
        ;
    if (k > 3) {
        b->error = true;
        return;
    }
    enc[0] = (uint8_t)(k << 6 | (bits & 0xf));
    for (int i = 1; i <= k; i++)
        enc[i] = (uint8_t)(bits >> (4 + 8 * (i - 1)));
    aml_bytes(b, enc, (size_t)k + 1);
}

void aml_create_dword_field(struct aml *b)
{
    aml_byte(b, AML_CREATE_DWORD_FIELD_OP);
}

/* ---- statements ------------------------------------------------------------- */

void aml_if_begin(struct aml *b)
{
    aml_byte(b, AML_IF_OP);
    open_pkg(b, OPEN_PLAIN);
}

void aml_else_begin(struct aml *b)
{
    aml_byte(b, AML_ELSE_OP);
    open_pkg(b, OPEN_PLAIN);
}

void aml_while_begin(struct aml *b)
{
    aml_byte(b, AML_WHILE_OP);
    open_pkg(b, OPEN_PLAIN);
}

void aml_return(struct aml *b)
{
    aml_byte(b, AML_RETURN_OP);
}

void aml_store(struct aml *b)
{
    aml_byte(b, AML_STORE_OP);
}

void aml_notify(struct aml *b)
{
    aml_byte(b, AML_NOTIFY_OP);
}

void aml_op(struct aml *b, enum aml_op op)
{
    aml_byte(b, (uint8_t)op);
}

/* ---- resource descriptors ---------------------------------------------------- */

void aml_res_io(struct aml *r, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
    /* 6.4.2.5 I/O Port Descriptor: 16-bit decode */
    aml_byte(r, 0x47);
    aml_byte(r, 0x01);
    le(r, min, 2);
    le(r, max, 2);
    aml_byte(r, align);
    aml_byte(r, len);
}

void aml_res_irq_noflags(struct aml *r, uint16_t mask)
{
    /* 6.4.2.1 IRQ Descriptor, 2-byte form: edge, active high, exclusive */
    aml_byte(r, 0x22);
    le(r, mask, 2);
}

void aml_res_interrupt(struct aml *r, bool edge, bool active_low, bool shared,
                       const uint32_t *irqs, int n)
{
    /* 6.4.3.6 Extended Interrupt Descriptor; bit 0 = consumer */
    aml_byte(r, 0x89);
    le(r, (uint64_t)(2 + 4 * n), 2);
    aml_byte(r, (uint8_t)(0x01 | (edge ? 0x02 : 0) | (active_low ? 0x04 : 0)
                          | (shared ? 0x08 : 0)));
    aml_byte(r, (uint8_t)n);
    for (int i = 0; i < n; i++)
        le(r, irqs[i], 4);
}

void aml_res_memory32_fixed(struct aml *r, bool writable, uint32_t base, uint32_t len)
{
    /* 6.4.3.4 32-Bit Fixed Memory Range Descriptor */
    aml_byte(r, 0x86);
    le(r, 9, 2);
    aml_byte(r, writable ? 1 : 0);
    le(r, base, 4);
    le(r, len, 4);
}

/* 6.4.3.5 Address Space Descriptors: general flags = MaxFixed | MinFixed,
 * producer, positive decode. */
#define ADDR_GENERAL_FLAGS 0x0c

static void addr_desc(struct aml *r, uint8_t tag, int width, uint8_t type, uint8_t tflags,
                      uint64_t min, uint64_t max)
{
    aml_byte(r, tag);
    le(r, (uint64_t)(3 + 5 * width), 2);
    aml_byte(r, type);
    aml_byte(r, ADDR_GENERAL_FLAGS);
    aml_byte(r, tflags);
    le(r, 0, width);                /* granularity */
    le(r, min, width);
    le(r, max, width);
    le(r, 0, width);                /* translation offset */
    le(r, max - min + 1, width);    /* length */
}

void aml_res_word_bus_number(struct aml *r, uint16_t min, uint16_t max)
{
    addr_desc(r, 0x88, 2, 2, 0, min, max);
}

void aml_res_dword_io(struct aml *r, uint32_t min, uint32_t max)
{
    addr_desc(r, 0x87, 4, 1, 0x03 /* EntireRange */, min, max);
}

void aml_res_dword_memory(struct aml *r, bool cacheable, uint32_t min, uint32_t max)
{
    addr_desc(r, 0x87, 4, 0, (uint8_t)(0x01 /* ReadWrite */ | (cacheable ? 0x02 : 0)), min, max);
}

void aml_res_qword_memory(struct aml *r, bool cacheable, uint64_t min, uint64_t max)
{
    addr_desc(r, 0x8a, 8, 0, (uint8_t)(0x01 | (cacheable ? 0x02 : 0)), min, max);
}

void aml_resource_template(struct aml *b, const struct aml *r)
{
    struct aml t;

    aml_init(&t);
    aml_bytes(&t, r->data, r->len);
    /* 6.4.2.9 End Tag; checksum 0 means "the sum is not checked" */
    aml_byte(&t, 0x79);
    aml_byte(&t, 0x00);
    aml_buffer(b, t.data, t.len);
    aml_free(&t);
}
