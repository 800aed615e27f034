/* MMX/SSE state rules and CPUID feature gating (SDM vol. 3, 2.5 and 13.1;
 * vol. 2, 2.4 exception classes; each instruction's CPUID flag).
 *
 * Run once per CPU model (the model's name is the multiboot command line):
 * each feature group's instruction must run exactly when CPUID advertises
 * the group, else raise #UD (LZCNT/TZCNT: without the feature F3 0F BD/BC
 * are BSR/BSF).  Then CR0.EM, CR0.TS, CR4.OSFXSR and alignment, and a few
 * known answers for the SSE2 integer operations compilers emit.
 */
#include "try-fault.h"


static uint8_t buf[64] __attribute__((aligned(16)));

static bool cpuid_bit(uint32_t leaf, int reg, int bit)
{
    uint32_t r[4];

    cpuid(leaf, 0, r);
    return (r[reg] >> bit) & 1;
}

enum { EAX, EBX, ECX, EDX };

static void feature_gating(void)
{
    uint64_t r;

    gate("mmx", cpuid_bit(1, EDX, 23), TRY("movq %%mm1, %%mm0; emms", : : "rax"));
    gate("sse", cpuid_bit(1, EDX, 25), TRY("xorps %%xmm1, %%xmm0", : : "rax"));
    gate("sse2", cpuid_bit(1, EDX, 26), TRY("pxor %%xmm1, %%xmm0", : : "rax"));
    gate("sse3", cpuid_bit(1, ECX, 0), TRY("movddup %%xmm1, %%xmm0", : : "rax"));
    gate("ssse3", cpuid_bit(1, ECX, 9), TRY("pshufb %%xmm1, %%xmm0", : : "rax"));
    gate("sse4.1", cpuid_bit(1, ECX, 19), TRY("pmulld %%xmm1, %%xmm0", : : "rax"));
    gate("sse4.2", cpuid_bit(1, ECX, 20), TRY("pcmpgtq %%xmm1, %%xmm0", : : "rax"));
    gate("sse4.2 crc32", cpuid_bit(1, ECX, 20), TRY("crc32b %%cl, %%edx", : : "rax", "rdx"));
    gate("pclmulqdq", cpuid_bit(1, ECX, 1), TRY("pclmulqdq $0, %%xmm1, %%xmm0", : : "rax"));
    gate("aes", cpuid_bit(1, ECX, 25), TRY("aesenc %%xmm1, %%xmm0", : : "rax"));
    gate("movbe", cpuid_bit(1, ECX, 22), TRY("movbe (%%rsp), %%edx", : : "rax", "rdx"));
    gate("popcnt", cpuid_bit(1, ECX, 23), TRY("popcnt %%ecx, %%edx", : : "rax", "rdx", "cc"));
    gate("bmi1", cpuid_bit(7, EBX, 3), TRY("andn %%ecx, %%ecx, %%edx", : : "rax", "rdx", "cc"));
    gate("bmi2", cpuid_bit(7, EBX, 8), TRY("shlx %%ecx, %%ecx, %%edx", : : "rax", "rdx"));
    gate("adx", cpuid_bit(7, EBX, 19), TRY("adcx %%ecx, %%edx", : : "rax", "rdx", "cc"));
    /* F3 0F BD: LZCNT with ABM (lzcnt(1) = 31), else BSR (bsr(1) = 0) */
    bool abm = cpuid_bit(0x80000001u, ECX, 5);
    __asm__ volatile("lzcnt %1, %k0" : "=r"(r) : "r"(1u) : "cc");
    reportf(r == (abm ? 31u : 0u), "%s: abm CPUID %d, F3 0F BD of 1 gives %lu", model, abm, r);
    bool bmi1 = cpuid_bit(7, EBX, 3);
    __asm__ volatile("tzcnt %1, %k0" : "=r"(r) : "r"(0x10u) : "cc");
    reportf(r == 4, "%s: F3 0F BC of 0x10 gives 4 (TZCNT and BSF agree)", model);
    r = 77;
    __asm__ volatile("tzcnt %1, %k0" : "+r"(r) : "r"(0u) : "cc");
    reportf(bmi1 ? r == 32 : r == 77, "%s: bmi1 CPUID %d, F3 0F BC of 0 gives %lu", model, bmi1, r);
}

static void state_rules(void)
{
    uint64_t cr0 = read_cr0(), cr4 = read_cr4();
    int v;

    write_cr4(cr4 & ~(1ul << 9));                   /* OSFXSR clear: SSE #UD, MMX runs */
    v = TRY("pxor %%xmm1, %%xmm0", : : "rax");
    reportf(v == 6, "%s: SSE without CR4.OSFXSR: vector %d", model, v);
    v = TRY("paddb %%mm1, %%mm0; emms", : : "rax");
    reportf(v == -1, "%s: MMX without CR4.OSFXSR: vector %d", model, v);
    write_cr4(cr4 | (1ul << 9));
    write_cr0(cr0 | 4);                             /* EM: #UD for both */
    v = TRY("pxor %%xmm1, %%xmm0", : : "rax");
    reportf(v == 6, "%s: SSE with CR0.EM: vector %d", model, v);
    v = TRY("paddb %%mm1, %%mm0", : : "rax");
    reportf(v == 6, "%s: MMX with CR0.EM: vector %d", model, v);
    write_cr0(cr0 | 8);                             /* TS: #NM for both */
    v = TRY("pxor %%xmm1, %%xmm0", : : "rax");
    reportf(v == 7, "%s: SSE with CR0.TS: vector %d", model, v);
    write_cr0(cr0 | 8);
    v = TRY("paddb %%mm1, %%mm0", : : "rax");
    reportf(v == 7, "%s: MMX with CR0.TS: vector %d", model, v);
    write_cr0(cr0);
    if (cpuid_bit(1, EDX, 0) && !strcmp(model, "max-sdm")) {
        /* a pending unmasked x87 exception: #MF before an MMX instruction (CR0.NE;
         * SDM vol. 2, PADDB "#MF"): QEMU's TCG raises none, so only max-sdm checks */
        static const uint16_t cw = 0x37e;   /* IM unmasked */
        write_cr0(cr0 | 0x20);
        __asm__ volatile("fninit; fldcw %0; fldz; fldz; fdivp" :: "m"(cw));  /* 0/0: pending IE */
        v = TRY("paddb %%mm1, %%mm0", : : "rax");
        reportf(v == 16, "%s: MMX with a pending x87 exception: vector %d", model, v);
        __asm__ volatile("fnclex; fninit; emms");
        write_cr0(cr0);
    }
    v = TRY("movdqa 1(%1), %%xmm0", : "r"(buf) : "rax");
    reportf(v == 13 && seen_err == 0, "%s: misaligned MOVDQA: vector %d", model, v);
    v = TRY("movdqu 1(%1), %%xmm0", : "r"(buf) : "rax");
    reportf(v == -1, "%s: misaligned MOVDQU: vector %d", model, v);
    v = TRY("paddb 1(%1), %%xmm0", : "r"(buf) : "rax");
    reportf(v == 13, "%s: misaligned legacy-SSE memory operand: vector %d", model, v);
}

/* MMX aliases the x87 registers (SDM vol. 1, 9.5): an MMX write sets TOP
 * to 0, the register's exponent to all ones (FSTENV's tag: special) and
 * its significand to the value; EMMS empties every tag. */
static void mmx_aliasing(void)
{
    struct { uint16_t fcw, r0, fsw, r1, ftw, r2; uint32_t rest[4]; } env;
    uint8_t st[10];

    __asm__ volatile("fninit; fld1; fld1; movq %1, %%mm3; fnstenv %0"
                     : "=m"(env) : "r"(0x1122334455667788ull) : "memory");
    reportf(((env.fsw >> 11) & 7) == 0 && ((env.ftw >> 6) & 3) == 2,
            "%s: MMX write: TOP %u, tag of R3 %u", model, (env.fsw >> 11) & 7, (env.ftw >> 6) & 3);
    __asm__ volatile("fldenv %1; fstpt %0" : "=m"(st) : "m"(env) : "memory");
    __asm__ volatile("fninit; movq %1, %%mm0; fstpt %0" : "=m"(st) : "r"(0x8877665544332211ull)
                     : "memory");
    reportf(st[0] == 0x11 && st[7] == 0x88, "%s: ST(0) after MMX write to MM0 holds the value",
            model);
    /* SDM vol. 1, 9.5.1: bits 64-79 become all ones (QEMU's TCG leaves them:
     * only the run named max-sdm checks, and it is not compared with QEMU) */
    if (!strcmp(model, "max-sdm"))
        reportf(st[8] == 0xff && st[9] == 0xff, "%s: and its sign/exponent are all ones: %02x%02x",
                model, st[9], st[8]);
    __asm__ volatile("emms; fnstenv %0" : "=m"(env) :: "memory");
    reportf(env.ftw == 0xffff, "%s: EMMS empties every tag: %x (fcw %x fsw %x)", model, env.ftw, env.fcw, env.fsw);
}

static void known_answers(void)
{
    static uint8_t a[16] __attribute__((aligned(16))), b[16] __attribute__((aligned(16)));
    static uint8_t out[16] __attribute__((aligned(16)));
    uint32_t mask;

    for (int i = 0; i < 16; i++) {
        a[i] = (uint8_t)(i * 17);
        b[i] = (uint8_t)(i == 5 ? 0 : 200);
    }
    __asm__ volatile("movdqu %1, %%xmm0; movdqu %2, %%xmm1; paddusb %%xmm1, %%xmm0; movdqu %%xmm0, %0"
                     : "=m"(out) : "m"(a), "m"(b));
    reportf(out[0] == 200 && out[1] == 217 && out[5] == 85 && out[15] == 255,
            "%s: paddusb saturates: %u %u %u %u", model, out[0], out[1], out[5], out[15]);
    /* strlen's idiom: pcmpeqb against zero, pmovmskb, bsf */
    __asm__ volatile("pxor %%xmm0, %%xmm0; movdqa %1, %%xmm1; pcmpeqb %%xmm1, %%xmm0;"
                     "pmovmskb %%xmm0, %0" : "=r"(mask) : "m"(b));
    reportf(mask == 1u << 5, "%s: pcmpeqb/pmovmskb finds the zero byte: %x", model, mask);
    uint64_t q = 0x8000000000000001ull, r;
    __asm__ volatile("movq %1, %%xmm2; pshufd $0x4e, %%xmm2, %%xmm3; psrlq $63, %%xmm2;"
                     "por %%xmm3, %%xmm2; movq %%xmm2, %0" : "=r"(r) : "r"(q));
    reportf(r == 1, "%s: movq/pshufd/psrlq/por: %lx", model, r);
    /* MASKMOVDQU / MASKMOVQ: bytes whose mask byte has bit 7 set go to [rdi] */
    static uint8_t data[16], mbits[16], mdst[16];
    for (int i = 0; i < 16; i++) {
        data[i] = (uint8_t)(0xa0 + i);
        mbits[i] = (i % 3 == 0) ? 0x80 : 0x7f;
        mdst[i] = 0x11;
    }
    __asm__ volatile("movdqu %1, %%xmm0; movdqu %2, %%xmm1; maskmovdqu %%xmm1, %%xmm0"
                     :: "D"(mdst), "m"(data), "m"(mbits) : "memory");
    bool ok = true;
    for (int i = 0; i < 16; i++)
        ok &= mdst[i] == (i % 3 == 0 ? data[i] : 0x11);
    reportf(ok, "%s: maskmovdqu stores the selected bytes", model);
    memset(mdst, 0x22, sizeof mdst);
    __asm__ volatile("movq %1, %%mm0; movq %2, %%mm1; maskmovq %%mm1, %%mm0; emms"
                     :: "D"(mdst + 8), "m"(*(uint64_t *)data), "m"(*(uint64_t *)mbits) : "memory");
    ok = true;
    for (int i = 0; i < 16; i++)
        ok &= mdst[i] == (i >= 8 && (i - 8) % 3 == 0 ? data[i - 8] : 0x22);
    reportf(ok, "%s: maskmovq stores the selected bytes", model);
    /* LDDQU (SSE3, unaligned) and MOVNTDQ (no caching effects here) */
    if (!cpuid_bit(1, ECX, 0))
        return;
    __asm__ volatile("lddqu 1(%1), %%xmm2; movntdq %%xmm2, %0" : "=m"(out) : "r"(a) : "memory");
    reportf(out[0] == a[1] && out[14] == a[15], "%s: lddqu/movntdq: %u %u", model, out[0], out[14]);
}

int main(void)
{
    model_from_cmdline();
    /* as a kernel does: CR4.OSFXSR|OSXMMEXCPT, CR0.MP, clear EM and TS */
    write_cr4(read_cr4() | (1ul << 9) | (1ul << 10));
    write_cr0((read_cr0() | 2) & ~0xcul);
    handle_exception(6, handler);
    handle_exception(7, handler);
    handle_exception(13, handler);
    handle_exception(16, handler);
    feature_gating();
    state_rules();
    if (cpuid_bit(1, EDX, 26))
        known_answers();
    if (cpuid_bit(1, EDX, 0) && cpuid_bit(1, EDX, 23))
        mmx_aliasing();
    report_done();
}
