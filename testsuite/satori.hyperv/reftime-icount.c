/*
 * testsuite/satori.hyperv/reftime-icount.c: reference time is a function
 * of the executed instructions under -icount (reference/hyperv.md 7.1,
 * 7.3).
 *
 * Run with -cpu qemu64,hv-vpindex,hv-time -icount shift=0.  Prints
 * TIME_REF_COUNT and the TSC-page time at several points of a fixed
 * workload; the .exp runs it twice and requires identical output and
 * non-zero, increasing values.
 */
#include "hv-guest.h"

#define POINTS 6

static uint8_t tsc_page[4096] __attribute__((aligned(4096)));

int main(void)
{
    const struct hv_tsc_page *p = (const struct hv_tsc_page *)tsc_page;
    uint64_t msr[POINTS], page[POINTS], sum = 0;
    bool ok = true;

    hv_catch_faults();
    wrmsr_safe(HV_MSR_REFERENCE_TSC, (uint64_t)tsc_page | 1);
    for (int i = 0; i < POINTS; i++) {
        for (int j = 0; j < 20000 * (i + 1); j++)
            sum = sum * 6364136223846793005ull + (uint64_t)j;
        if (!rdmsr_safe(HV_MSR_TIME_REF_COUNT, &msr[i]))
            ok = false;
        if (!tsc_page_read(p, &page[i]))
            ok = false;
        printf("point %d ref %lu page %lu checksum %lx\n", i, msr[i], page[i], sum);
    }
    report("TIME_REF_COUNT and TSC page readable", ok);

    bool nonzero = true, rising = true, order = true;
    for (int i = 0; i < POINTS; i++) {
        if (!msr[i] || !page[i])
            nonzero = false;
        if (i && (msr[i] <= msr[i - 1] || page[i] <= page[i - 1]))
            rising = false;
        if (page[i] < msr[i])    /* page is read after the MSR */
            order = false;
    }
    report("reference times are non-zero", nonzero);
    report("reference times increase", rising);
    report("page time read after the MSR is not behind it", order);
    report_done();
}
