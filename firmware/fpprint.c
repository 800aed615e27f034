/*
 * firmware/fpprint.c: fp_printf, a printf with %f/%e/%g for test guests
 * that use floating point (firmware/fpprint.h).  It is compiled without
 * -mgeneral-regs-only (doubles arrive in XMM registers through va_arg),
 * unlike the rest of the runtime.
 *
 * Conversions: d i u x X c s p % f F e E g G, flags - 0 + space #, width
 * and precision (also as *), length h hh l ll z.  Doubles are converted
 * exactly: the value m * 2^e is expanded into all of its decimal digits
 * with integer arithmetic (a double has at most 1074 fraction digits and
 * 309 integer digits), then rounded to the requested digit, ties to even,
 * as glibc does in the default rounding mode.  Infinities print as inf,
 * NaNs as nan (with their sign).
 */
#include "fpprint.h"

#include "runtime.h"

/* ---- exact decimal expansion of a double ---- */

#define BN_WORDS 40                     /* 1280 bits */
#define MAX_DIGITS 1100 + 330

struct bn {
    uint32_t w[BN_WORDS];               /* little-endian words */
};

static bool bn_is_zero(const struct bn *a)
{
    for (int i = 0; i < BN_WORDS; i++)
        if (a->w[i])
            return false;
    return true;
}

/* a *= 10 (the numbers used never overflow) */
static void bn_mul10(struct bn *a)
{
    uint64_t carry = 0;

    for (int i = 0; i < BN_WORDS; i++) {
        uint64_t v = (uint64_t)a->w[i] * 10 + carry;
        a->w[i] = (uint32_t)v;
        carry = v >> 32;
    }
}

/* a /= 10, returns the remainder */
static unsigned bn_div10(struct bn *a)
{
    uint64_t rem = 0;

    for (int i = BN_WORDS - 1; i >= 0; i--) {
        uint64_t v = (rem << 32) | a->w[i];
        a->w[i] = (uint32_t)(v / 10);
        rem = v % 10;
    }
    return (unsigned)rem;
}

static void bn_set_shifted(struct bn *a, uint64_t m, int shift)
{
    for (int i = 0; i < BN_WORDS; i++)
        a->w[i] = 0;
    for (int b = 0; b < 64; b++)
        if (m >> b & 1) {
            int pos = b + shift;
            a->w[pos / 32] |= 1u << (pos % 32);
        }
}

/*
 * The digits of |v|: dig[0] is a spare '0' (for a rounding carry), then
 * the integer digits and the fraction digits; *dp = index in dig just
 * after the integer digits.  Returns the number of digits.
 */
static int expand(uint64_t bits, char *dig, int *dp)
{
    int bexp = (int)(bits >> 52 & 0x7ff);
    uint64_t m = bits & 0xfffffffffffffull;
    int e2, n = 0;
    struct bn a;
    char tmp[330];
    int nt = 0;

    if (bexp) {
        m |= 1ull << 52;
        e2 = bexp - 1075;
    } else {
        e2 = -1074;
    }
    dig[n++] = '0';
    /* integer part */
    if (e2 >= 0)
        bn_set_shifted(&a, m, e2);
    else
        bn_set_shifted(&a, -e2 >= 64 ? 0 : m >> -e2, 0);
    do
        tmp[nt++] = (char)('0' + bn_div10(&a));
    while (!bn_is_zero(&a));
    while (nt)
        dig[n++] = tmp[--nt];
    *dp = n;
    /* fraction: F / 2^k, k = -e2 */
    if (e2 < 0) {
        int k = -e2;
        uint64_t fm = k >= 64 ? m : m & ((1ull << k) - 1);
        bn_set_shifted(&a, fm, 0);
        for (int i = 0; i < k && n < MAX_DIGITS; i++) {
            bn_mul10(&a);
            /* digit = a >> k, then a &= 2^k - 1 */
            unsigned d = 0;
            for (int b = k; b < k + 4; b++)
                if (a.w[b / 32] >> (b % 32) & 1)
                    d |= 1u << (b - k);
            for (int b = k; b < k + 4; b++)
                a.w[b / 32] &= ~(1u << (b % 32));
            dig[n++] = (char)('0' + d);
        }
    }
    return n;
}

/* Round dig[0..n) to keep digits before index `at` (ties to even);
 * digits from `at` on are dropped.  A carry may reach dig[0]. */
static void round_at(char *dig, int n, int at)
{
    if (at >= n)
        return;
    bool up;
    if (dig[at] > '5') {
        up = true;
    } else if (dig[at] < '5') {
        up = false;
    } else {
        bool rest = false;
        for (int i = at + 1; i < n; i++)
            rest |= dig[i] != '0';
        up = rest || (at > 0 && (dig[at - 1] - '0') % 2);
    }
    for (int i = at; i < n; i++)
        dig[i] = '0';
    for (int i = at - 1; up && i >= 0; i--) {
        if (dig[i] == '9') {
            dig[i] = '0';
        } else {
            dig[i]++;
            up = false;
        }
    }
}

/* ---- output ---- */

struct out {
    int count;
};

static void out_c(struct out *o, char c)
{
    putchar_serial(c);
    o->count++;
}

struct spec {
    bool left, zero, plus, space, alt;
    int width, prec;    /* prec < 0: none */
};

/* body with an optional sign/prefix, padded to the width */
static void out_field(struct out *o, const struct spec *sp, const char *prefix, const char *body,
                      int blen)
{
    int plen = 0;
    while (prefix[plen])
        plen++;
    int pad = sp->width - plen - blen;
    if (!sp->left && !sp->zero)
        for (; pad > 0; pad--)
            out_c(o, ' ');
    for (int i = 0; i < plen; i++)
        out_c(o, prefix[i]);
    if (!sp->left && sp->zero)
        for (; pad > 0; pad--)
            out_c(o, '0');
    for (int i = 0; i < blen; i++)
        out_c(o, body[i]);
    for (; pad > 0; pad--)
        out_c(o, ' ');
}

static char fbuf[MAX_DIGITS + 64];
static char dig[MAX_DIGITS + 8];

/* %f body from the digits (already rounded at dp + prec) */
static int body_f(char *b, const char *d, int n, int dp, int prec, bool alt)
{
    int len = 0, first = 0;

    while (first < dp - 1 && d[first] == '0')
        first++;
    for (int i = first; i < dp; i++)
        b[len++] = d[i];
    if (prec > 0 || alt)
        b[len++] = '.';
    for (int i = 0; i < prec; i++)
        b[len++] = dp + i < n ? d[dp + i] : '0';
    return len;
}

/* %e body: digit, point, prec digits, e, sign, at least two exponent digits */
static int body_e(char *b, const char *d, int n, int dp, int prec, bool alt, char e)
{
    int len = 0, z = 0, x;

    while (z < n && d[z] == '0')
        z++;
    if (z == n) {
        z = dp - 1;     /* zero */
        x = 0;
    } else {
        x = dp - z - 1;
    }
    b[len++] = d[z];
    if (prec > 0 || alt)
        b[len++] = '.';
    for (int i = 1; i <= prec; i++)
        b[len++] = z + i < n ? d[z + i] : '0';
    b[len++] = e;
    b[len++] = x < 0 ? '-' : '+';
    if (x < 0)
        x = -x;
    char t[6];
    int nt = 0;
    do {
        t[nt++] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    if (nt < 2)
        t[nt++] = '0';
    while (nt)
        b[len++] = t[--nt];
    return len;
}

/* index of the first nonzero digit, or -1 */
static int first_nonzero(const char *d, int n)
{
    for (int i = 0; i < n; i++)
        if (d[i] != '0')
            return i;
    return -1;
}

static void out_double(struct out *o, struct spec sp, char conv, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    bool neg = bits >> 63;
    bool upper = conv == 'F' || conv == 'E' || conv == 'G';
    const char *prefix = neg ? "-" : sp.plus ? "+" : sp.space ? " " : "";
    int prec = sp.prec < 0 ? 6 : sp.prec, len, dp;

    if ((bits >> 52 & 0x7ff) == 0x7ff) {
        sp.zero = false;
        out_field(o, &sp, prefix, (bits << 12) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"), 3);
        return;
    }
    int n = expand(bits & ~(1ull << 63), dig, &dp);
    char c = conv | 0x20;
    if (c == 'f') {
        round_at(dig, n, dp + prec);
        len = body_f(fbuf, dig, n, dp, prec, sp.alt);
    } else if (c == 'e') {
        int z = first_nonzero(dig, n);
        if (z >= 0) {
            round_at(dig, n, z + 1 + prec);
            z = first_nonzero(dig, n);
        }
        len = body_e(fbuf, dig, n, dp, prec, sp.alt, upper ? 'E' : 'e');
    } else {
        /* %g: P significant digits; style by the exponent after rounding */
        int p = prec == 0 ? 1 : prec, x = 0;
        int z = first_nonzero(dig, n);
        if (z >= 0) {
            round_at(dig, n, z + p);
            z = first_nonzero(dig, n);
            x = dp - z - 1;
        }
        if (x < p && x >= -4)
            len = body_f(fbuf, dig, n, dp, p - 1 - x, sp.alt);
        else
            len = body_e(fbuf, dig, n, dp, p - 1, sp.alt, upper ? 'E' : 'e');
        if (!sp.alt) {
            /* strip trailing zeros of the fraction (before any exponent) */
            int epos = len;
            for (int i = 0; i < len; i++)
                if (fbuf[i] == 'e' || fbuf[i] == 'E')
                    epos = i;
            int dot = -1;
            for (int i = 0; i < epos; i++)
                if (fbuf[i] == '.')
                    dot = i;
            if (dot >= 0) {
                int end = epos;
                while (end > dot + 1 && fbuf[end - 1] == '0')
                    end--;
                if (end == dot + 1)
                    end = dot;
                for (int i = 0; i < len - epos; i++)
                    fbuf[end + i] = fbuf[epos + i];
                len = end + (len - epos);
            }
        }
    }
    out_field(o, &sp, prefix, fbuf, len);
}

static void out_uint(struct out *o, struct spec sp, uint64_t v, unsigned base, bool upper,
                     const char *prefix)
{
    char b[24];
    int n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char t[24];
    int nt = 0;

    do {
        t[nt++] = digits[v % base];
        v /= base;
    } while (v);
    for (int i = nt; i < sp.prec; i++)
        b[n++] = '0';
    while (nt)
        b[n++] = t[--nt];
    if (sp.prec >= 0)
        sp.zero = false;
    out_field(o, &sp, prefix, b, n);
}

int fp_vprintf(const char *fmt, va_list ap)
{
    struct out o = { 0 };

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out_c(&o, *fmt);
            continue;
        }
        struct spec sp = { .prec = -1 };
        for (fmt++;; fmt++) {
            if (*fmt == '-') sp.left = true;
            else if (*fmt == '0') sp.zero = true;
            else if (*fmt == '+') sp.plus = true;
            else if (*fmt == ' ') sp.space = true;
            else if (*fmt == '#') sp.alt = true;
            else break;
        }
        if (*fmt == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = -sp.width;
            }
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            sp.width = sp.width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            sp.prec = 0;
            fmt++;
            if (*fmt == '*') {
                sp.prec = va_arg(ap, int);
                fmt++;
            }
            while (*fmt >= '0' && *fmt <= '9')
                sp.prec = sp.prec * 10 + (*fmt++ - '0');
        }
        int lng = 0;
        while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
            lng += *fmt == 'h' ? -1 : 1;
            fmt++;
        }
        switch (*fmt) {
        case 'd': case 'i': {
            int64_t v = lng > 0 ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (lng == -1) v = (int16_t)v;
            if (lng == -2) v = (int8_t)v;
            const char *prefix = v < 0 ? "-" : sp.plus ? "+" : sp.space ? " " : "";
            out_uint(&o, sp, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, false, prefix);
            break;
        }
        case 'u': case 'x': case 'X': {
            uint64_t v = lng > 0 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            if (lng == -1) v = (uint16_t)v;
            if (lng == -2) v = (uint8_t)v;
            const char *prefix = sp.alt && v && *fmt != 'u' ? (*fmt == 'x' ? "0x" : "0X") : "";
            out_uint(&o, sp, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', prefix);
            break;
        }
        case 'p':
            out_uint(&o, sp, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, false, "0x");
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            out_field(&o, &sp, "", &c, 1);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            int n = 0;
            if (!s)
                s = "(null)";
            while (s[n] && (sp.prec < 0 || n < sp.prec))
                n++;
            sp.zero = false;
            out_field(&o, &sp, "", s, n);
            break;
        }
        case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
            out_double(&o, sp, *fmt, va_arg(ap, double));
            break;
        case '%':
            out_c(&o, '%');
            break;
        default:
            out_c(&o, '%');
            if (*fmt)
                out_c(&o, *fmt);
            else
                fmt--;
            break;
        }
    }
    return o.count;
}

int fp_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fp_vprintf(fmt, ap);
    va_end(ap);
    return n;
}
