/*
 * fpmath: a small numeric program built with plain gcc -O2 (SSE2 double
 * arithmetic, no -mgeneral-regs-only): Newton square roots, series for pi
 * and e, a linear solve, float/double and int/double conversions at their
 * edges, the four MXCSR rounding modes, printed with %f/%e/%g
 * (firmware/fpprint.c).  The checks are mathematical facts (correctly
 * rounded constants, exact integer solutions, IEEE rounding rules); the
 * .exp also compares the whole output with QEMU.
 */
#include "fpprint.h"
#include "runtime.h"

static uint64_t bits64(double d)
{
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}

static uint32_t bits32(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, 8);
    return d;
}

/* distance in units in the last place between two finite doubles of one sign */
static uint64_t ulps(double a, double b)
{
    uint64_t x = bits64(a), y = bits64(b);
    return x > y ? x - y : y - x;
}

static void set_mxcsr(uint32_t v) { __asm__ volatile("ldmxcsr %0" :: "m"(v)); }
static uint32_t get_mxcsr(void) { uint32_t v; __asm__ volatile("stmxcsr %0" : "=m"(v)); return v; }

/* the operations in asm, so the compiler cannot fold them under a
 * rounding mode it does not know about */
static double div_sd(double a, double b) { __asm__ volatile("divsd %1, %0" : "+x"(a) : "x"(b)); return a; }
static double sqrt_sd(double a) { double r; __asm__ volatile("sqrtsd %1, %0" : "=x"(r) : "x"(a)); return r; }
static int32_t cvtsd2si(double a) { int32_t r; __asm__ volatile("cvtsd2si %1, %0" : "=r"(r) : "x"(a)); return r; }
static int64_t cvtsd2si64(double a) { int64_t r; __asm__ volatile("cvtsd2si %1, %0" : "=r"(r) : "x"(a)); return r; }
static int32_t cvttsd2si(double a) { int32_t r; __asm__ volatile("cvttsd2si %1, %0" : "=r"(r) : "x"(a)); return r; }

static double newton_sqrt(double x)
{
    double g = x > 1 ? x / 2 : 1;
    for (int i = 0; i < 60; i++) {
        double n = 0.5 * (g + x / g);
        if (n == g)
            break;
        g = n;
    }
    return g;
}

static double atan_inv(int n)
{
    /* atan(1/n) = sum (-1)^k / ((2k+1) n^(2k+1)) */
    double x = 1.0 / n, x2 = x * x, term = x, sum = 0;
    for (int k = 0; k < 40; k++) {
        sum += (k & 1 ? -term : term) / (2 * k + 1);
        term *= x2;
    }
    return sum;
}

static void test_roots(void)
{
    double r2 = newton_sqrt(2.0);
    fp_printf("sqrt(2) by Newton = %.17g\n", r2);
    /* correctly rounded sqrt(2) = 0x3ff6a09e667f3bcd */
    reportf(ulps(r2, from_bits(0x3ff6a09e667f3bcdull)) <= 1, "Newton sqrt(2) within 1 ulp");
    reportf(bits64(sqrt_sd(2.0)) == 0x3ff6a09e667f3bcdull, "sqrtsd(2) correctly rounded");
    for (int i = 1; i <= 10; i++) {
        double s = sqrt_sd((double)(i * i));
        if (s != i)
            reportf(false, "sqrtsd(%d) exact", i * i);
    }
    report("sqrtsd of perfect squares is exact", true);
    fp_printf("sqrt(10) = %f, sqrt(1e-300) = %e, sqrt(0.5) = %g\n",
              newton_sqrt(10), sqrt_sd(1e-300), sqrt_sd(0.5));
}

static void test_series(void)
{
    double pi = 16 * atan_inv(5) - 4 * atan_inv(239);
    double e = 0, f = 1;
    for (int n = 0; n < 25; n++) {
        e += 1 / f;
        f *= n + 1;
    }
    fp_printf("pi (Machin) = %.15f\n", pi);
    fp_printf("e (series)  = %.15f\n", e);
    reportf(ulps(pi, from_bits(0x400921fb54442d18ull)) <= 2, "pi within 2 ulp (%lx)",
            (unsigned long)bits64(pi));
    reportf(ulps(e, from_bits(0x4005bf0a8b145769ull)) <= 2, "e within 2 ulp (%lx)",
            (unsigned long)bits64(e));
    double h = 0;
    for (int n = 1; n <= 1000; n++)
        h += 1.0 / n;
    fp_printf("H(1000) = %.12f, pi^2/6 - sum 1/n^2 (n<=1000) = %.6e\n", h,
              pi * pi / 6 - ({ double s = 0; for (int n = 1; n <= 1000; n++) s += 1.0 / ((double)n * n); s; }));
}

static void test_solve(void)
{
    /* A x = b with x = (1, -2, 3, -4, 5); A a Hilbert-like matrix + 2 I */
    enum { N = 5 };
    double a[N][N + 1];
    static const double x_true[N] = { 1, -2, 3, -4, 5 };
    for (int i = 0; i < N; i++) {
        a[i][N] = 0;
        for (int j = 0; j < N; j++) {
            a[i][j] = 1.0 / (i + j + 1) + (i == j ? 2 : 0);
            a[i][N] += a[i][j] * x_true[j];
        }
    }
    for (int c = 0; c < N; c++) {
        int p = c;
        for (int r = c + 1; r < N; r++)
            if ((a[r][c] < 0 ? -a[r][c] : a[r][c]) > (a[p][c] < 0 ? -a[p][c] : a[p][c]))
                p = r;
        for (int j = 0; j <= N; j++) {
            double t = a[c][j];
            a[c][j] = a[p][j];
            a[p][j] = t;
        }
        for (int r = c + 1; r < N; r++) {
            double m = a[r][c] / a[c][c];
            for (int j = c; j <= N; j++)
                a[r][j] -= m * a[c][j];
        }
    }
    double x[N];
    bool ok = true;
    for (int i = N - 1; i >= 0; i--) {
        double s = a[i][N];
        for (int j = i + 1; j < N; j++)
            s -= a[i][j] * x[j];
        x[i] = s / a[i][i];
    }
    for (int i = 0; i < N; i++) {
        fp_printf("x[%d] = %+.15f (bits %lx)\n", i, x[i], (unsigned long)bits64(x[i]));
        double d = x[i] - x_true[i];
        ok &= d < 1e-12 && d > -1e-12;
    }
    report("Gaussian elimination recovers the integer solution", ok);
}

static void test_conversions(void)
{
    volatile double tenth = 0.1, big = 1e39, tiny = 1e-45, huge = 1e300;
    float f = (float)tenth;
    fp_printf("(float)0.1 = %.17g bits %08x\n", (double)f, bits32(f));
    reportf(bits32(f) == 0x3dcccccd, "(float)0.1 rounds to nearest");
    reportf(bits32((float)big) == 0x7f800000, "(float)1e39 overflows to +inf");
    reportf(bits32((float)tiny) == 0x00000001, "(float)1e-45 is the smallest denormal");
    reportf(bits32((float)-huge) == 0xff800000, "(float)-1e300 is -inf");
    reportf(bits64((double)(float)tenth) == 0x3fb99999a0000000ull, "float->double is exact");

    volatile double e1 = 2147483647.9, e2 = -2147483648.9, e3 = 2147483648.0, e4 = 9.2e18,
                    e5 = 9.3e18, e6 = -0.0;
    reportf((int)e1 == 2147483647, "(int)2147483647.9 truncates");
    reportf(cvttsd2si(e2) == INT32_MIN, "cvttsd2si(-2147483648.9) is INT32_MIN");
    reportf(cvttsd2si(e3) == INT32_MIN, "cvttsd2si(2^31) is the integer indefinite");
    reportf((int64_t)e4 == 9200000000000000000ll, "(int64_t)9.2e18");
    reportf(cvtsd2si64(e5) == INT64_MIN, "cvtsd2si(9.3e18) is the 64-bit integer indefinite");
    reportf((int)e6 == 0, "(int)-0.0 == 0");
    volatile int64_t i1 = INT64_MAX, i2 = 0x1fffffffffffff, i3 = 0x20000000000001,
                     i4 = 0x20000000000003, i5 = INT64_MIN;
    volatile int32_t j1 = INT32_MIN, j2 = 16777217;
    fp_printf("(double)INT64_MAX = %.1f\n", (double)i1);
    reportf((double)i1 == 9223372036854775808.0, "(double)INT64_MAX rounds up to 2^63");
    reportf((double)i2 == 9007199254740991.0, "(double)(2^53-1) exact");
    reportf((double)i3 == 9007199254740992.0, "(double)(2^53+1) ties to even (down)");
    reportf((double)i4 == 9007199254740996.0, "(double)(2^53+3) ties to even (up)");
    reportf((double)i5 == -9223372036854775808.0, "(double)INT64_MIN exact");
    reportf((double)j1 == -2147483648.0, "(double)INT32_MIN exact");
    reportf(bits32((float)j2) == 0x4b800000, "(float)16777217 ties to even");
    volatile uint64_t u1 = 0xffffffffffffffffull;
    fp_printf("(double)UINT64_MAX = %.1f, (uint64_t)1e19 = %lu\n", (double)u1,
              (unsigned long)(uint64_t)(volatile double){ 1e19 });
    fp_printf("DBL_MIN %g, denormal min %g, DBL_MAX %g, FLT_MAX %.9g\n",
              from_bits(0x0010000000000000ull), from_bits(1), from_bits(0x7fefffffffffffffull),
              (double)from_bits(0x47efffffe0000000ull));
}

static void test_rounding(void)
{
    static const char *const name[4] = { "nearest", "down", "up", "zero" };
    static const int32_t want_p[4] = { 2, 2, 3, 2 }, want_n[4] = { -2, -3, -2, -2 };
    static const int32_t want_p35[4] = { 4, 3, 4, 3 };
    uint64_t third[4];

    for (int rc = 0; rc < 4; rc++) {
        set_mxcsr(0x1f80 | (uint32_t)rc << 13);
        double t = div_sd(1.0, 3.0), mt = div_sd(-1.0, 3.0), s = sqrt_sd(2.0);
        int32_t p = cvtsd2si(2.5), n = cvtsd2si(-2.5), p35 = cvtsd2si(3.5);
        uint32_t mx = get_mxcsr();
        set_mxcsr(0x1f80);
        third[rc] = bits64(t);
        fp_printf("RC=%-7s 1/3 = %.20e  -1/3 = %.20e  sqrt2 bits %lx  cvt(2.5) %d cvt(-2.5) %d "
                  "mxcsr %x\n", name[rc], t, mt, (unsigned long)bits64(s), p, n, mx);
        reportf(p == want_p[rc] && n == want_n[rc] && p35 == want_p35[rc],
                "cvtsd2si rounds with MXCSR.RC=%s", name[rc]);
        reportf((mx & 0x3f) == 0x20, "RC=%s: only PE set (%x)", name[rc], mx & 0x3f);
        reportf(bits64(mt) == (bits64(t) ^ (1ull << 63)) ? rc == 0 || rc == 3 : rc == 1 || rc == 2,
                "RC=%s: -1/3 vs 1/3 symmetry as the mode says", name[rc]);
    }
    /* 1/3 = 0x3fd5555555555555 (nearest and down, zero), up is one more */
    reportf(third[0] == 0x3fd5555555555555ull && third[1] == third[0] && third[3] == third[0]
            && third[2] == third[0] + 1, "1/3 in the four modes");
}

static void test_formats(void)
{
    static const double v[] = { 0.0, -0.0, 1.0, -1.5, 0.1, 2.5, 3.5, 1e21, 123456789.0,
                                0.0001, 1e-5, 6.02214076e23, 1e-300, 5e-324, 1.7976931348623157e308,
                                0.5, 0.125, 999999.5, 9.9999995, 1e100 };
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++)
        fp_printf("[%f] [%.3f] [%.0f] [%e] [%.2E] [%g] [%.10g] [%12.4f] [%-10.2e|]\n",
                  v[i], v[i], v[i], v[i], v[i], v[i], v[i], v[i], v[i]);
    volatile double z = 0.0;
    double inf = 1.0 / z, nan = z / z;
    fp_printf("[%f] [%e] [%g] [%f] [%5.1f]\n", inf, -inf, nan, -nan, inf);
    fp_printf("[%.30f]\n[%.20e]\n", 0.1, 1.0 / 3);
}

int main(void)
{
    test_roots();
    test_series();
    test_solve();
    test_conversions();
    test_rounding();
    test_formats();
    report_done();
}
