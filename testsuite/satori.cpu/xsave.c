/*
 * XSAVE family with -cpu max (SDM vol. 1 ch. 13, vol. 2 XSAVE/XRSTOR/
 * XSETBV/XGETBV): #UD without CR4.OSXSAVE, CPUID.OSXSAVE following CR4,
 * XCR0 rules, CPUID leaf 0xD's size for XCR0 = x87|SSE, the XSAVE layout
 * and XSTATE_BV update, #GP for misalignment and bad headers, XRSTOR of
 * an x87 component marked as initial.  (#NM for XSAVE with CR0.TS is in
 * x87-known.c: QEMU does not raise it.)
 */
#include "runtime.h"

static volatile uint64_t seen_vec;
static volatile uint64_t skip;

static void handler(struct frame *f)
{
    seen_vec = f->vector;
    if (f->vector == 7)
        write_cr0(read_cr0() & ~(uint64_t)8);
    f->rip += skip;
}

static uint8_t area[1024] __attribute__((aligned(64)));

static int xsetbv(uint32_t ecx, uint64_t v)
{
    seen_vec = 99;
    skip = 3;
    __asm__ volatile("xsetbv" :: "c"(ecx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
    return (int)seen_vec;
}

static uint64_t xgetbv(void)
{
    uint32_t lo, hi;
    seen_vec = 99;
    skip = 3;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return lo | (uint64_t)hi << 32;
}

static void do_xsave(void *p, uint64_t rfbm)
{
    seen_vec = 99;
    skip = 3;   /* 0f ae 27: xsave (%rdi) */
    __asm__ volatile(".byte 0x0f, 0xae, 0x27" :: "D"(p), "a"((uint32_t)rfbm),
                     "d"((uint32_t)(rfbm >> 32)) : "memory");
}

static void do_xrstor(void *p, uint64_t rfbm)
{
    seen_vec = 99;
    skip = 3;   /* 0f ae 2f: xrstor (%rdi) */
    __asm__ volatile(".byte 0x0f, 0xae, 0x2f" :: "D"(p), "a"((uint32_t)rfbm),
                     "d"((uint32_t)(rfbm >> 32)) : "memory");
}

int main(void)
{
    uint32_t r[4];
    uint64_t v;

    for (int i = 0; i < 20; i++)
        handle_exception(i, handler);
    write_cr4(read_cr4() | (1u << 9));      /* OSFXSR */
    cpuid(1, 0, r);
    reportf((r[2] >> 26) & 1, "CPUID.1:ECX.XSAVE");
    reportf(!((r[2] >> 27) & 1), "CPUID.1:ECX.OSXSAVE clear while CR4.OSXSAVE is");
    xgetbv();
    reportf(seen_vec == 6, "XGETBV without CR4.OSXSAVE: #UD (vector %lu)", seen_vec);

    write_cr4(read_cr4() | (1u << 18));
    cpuid(1, 0, r);
    reportf((r[2] >> 27) & 1, "CPUID.1:ECX.OSXSAVE follows CR4.OSXSAVE");
    v = xgetbv();
    printf("xcr0 at reset %lx\n", v);
    reportf(seen_vec == 99 && v == 1, "XCR0 is 1 after reset");
    reportf(xsetbv(0, 2) == 13, "XSETBV without x87: #GP");
    reportf(xsetbv(1, 3) == 13, "XSETBV ECX = 1: #GP");
    reportf(xsetbv(0, 3 | 1ull << 62) == 13, "XSETBV reserved bit: #GP");
    reportf(xsetbv(0, 3) == 99 && xgetbv() == 3, "XSETBV x87|SSE");
    cpuid(0xd, 0, r);
    printf("cpuid 0xd.0 eax&3 %x ebx %x\n", r[0] & 3, r[1]);
    reportf((r[0] & 3) == 3 && r[1] == 576, "CPUID.0DH:EBX = 576 for XCR0 = 3");

    /* layout */
    uint16_t cw = 0x027f;
    __asm__ volatile("fninit\n fldcw %0\n fldpi" :: "m"(cw));
    memset(area, 0xa5, sizeof area);
    do_xsave(area, 3);
    uint64_t bv;
    memcpy(&bv, area + 512, 8);
    printf("xsave fcw %02x%02x ftw %02x mxcsr %02x%02x st0 %02x%02x:%02x%02x xstate_bv %lx byte 520 %02x\n",
           area[1], area[0], area[4], area[25], area[24], area[41], area[40], area[39], area[38],
           bv, area[520]);
    reportf(seen_vec == 99 && area[0] == 0x7f && area[1] == 0x02 && area[4] == 0x80,
            "XSAVE: x87 control and abridged tag word");
    reportf(bv == 0xa5a5a5a5a5a5a5a7ull, "XSAVE sets XSTATE_BV bits of RFBM, keeps the rest");
    do_xsave(area + 16, 3);
    reportf(seen_vec == 13, "XSAVE to a misaligned area: #GP (vector %lu)", seen_vec);

    /* XRSTOR: bad headers, then an x87 component in its initial state */
    static uint8_t img[1024] __attribute__((aligned(64)));
    memcpy(img, area, 1024);
    memset(img + 512, 0, 64);
    img[512] = 4;                           /* AVX: not in XCR0 */
    do_xrstor(img, 3);
    reportf(seen_vec == 13, "XRSTOR with XSTATE_BV outside XCR0: #GP");
    memset(img + 512, 0, 64);
    img[521] = 1;                           /* XCOMP_BV nonzero */
    do_xrstor(img, 3);
    reportf(seen_vec == 13, "XRSTOR standard form with XCOMP_BV set: #GP");
    memset(img + 512, 0, 64);               /* XSTATE_BV = 0: components initial */
    do_xrstor(img, 1);
    uint16_t cw2, sw2;
    __asm__ volatile("fnstcw %0\n fxam\n fnstsw %1" : "=m"(cw2), "=m"(sw2));
    printf("after xrstor of an initial x87: cw %04x sw %04x\n", cw2, sw2 & 0x4500);
    reportf(seen_vec == 99 && cw2 == 0x037f && (sw2 & 0x4500) == 0x4100,
            "XRSTOR with XSTATE_BV[0] = 0 initialises the x87");
    memset(area + 512, 0, 64);
    area[512] = 3;
    do_xrstor(area, 3);
    __asm__ volatile("fnstcw %0" : "=m"(cw2));
    reportf(seen_vec == 99 && cw2 == 0x027f, "XRSTOR restores the saved x87 state");

    __asm__ volatile("fninit");
    report_done();
}
