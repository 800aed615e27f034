/* CPUID gating of the instructions sse.c does not cover, and INVPCID
 * (SDM vol. 2: each instruction's CPUID flag and #UD condition; INVPCID;
 * vol. 3, 4.10.4.1).
 *
 * Each instruction must run exactly when CPUID advertises its feature,
 * else raise #UD: FXSAVE/FXRSTOR (FXSR), LAHF/SAHF in 64-bit mode
 * (LAHF-SAHF), CMPXCHG16B (CX16), CLFLUSH, SFENCE (SSE), LFENCE/MFENCE
 * (SSE2), XGETBV (XSAVE), XSAVEOPT, XSAVEC, RDTSCP, RDFSBASE (FSGSBASE,
 * with CR4.FSGSBASE set when advertised), INVPCID.  The .exp runs it
 * under models with and without each feature.
 *
 * When INVPCID is advertised: the four types invalidate a changed
 * translation, a type above 3, reserved descriptor bits, a PCID of type
 * 0/1 with CR4.PCIDE clear and a non-canonical type-0 address are #GP(0),
 * the register form is #UD, and CPL 3 is #GP(0).
 */
#include "try-fault.h"

#define CR4_FSGSBASE (1ul << 16)
#define CR4_PCIDE    (1ul << 17)
#define VA_TEST 0x50020000ul

enum { EAX, EBX, ECX, EDX };

static bool cpuid_bit(uint32_t leaf, uint32_t sub, int reg, int bit)
{
    uint32_t r[4];

    cpuid(leaf, sub, r);
    return (r[reg] >> bit) & 1;
}

static uint8_t area[4096] __attribute__((aligned(64)));
static uint64_t desc[2] __attribute__((aligned(16)));
static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));

static int invpcid(uint64_t type, uint64_t pcid, uint64_t addr)
{
    desc[0] = pcid;
    desc[1] = addr;
    return TRY("invpcid %2, %1", : "r"(type), "m"(desc) : "rax", "memory");
}

/* at CPL 3 (user-mapped pages): INVPCID type 2 with the descriptor in page_b */
static void user_invpcid(void)
{
    __asm__ volatile("lea 1f(%%rip), %%r11; invpcid (%0), %1\n1:"
                     : : "r"(page_b), "r"(2ul) : "r11", "memory");
}

static void invpcid_rules(void)
{
    int v;

    /* each type drops the translation of VA_TEST after its PTE changed */
    page_a[0] = 0xaa;
    page_b[0] = 0xbb;
    for (uint64_t type = 0; type < 4; type++) {
        map_page(VA_TEST, (uint64_t)page_a, true, true, true);
        invlpg((void *)VA_TEST);
        uint8_t before = *(volatile uint8_t *)VA_TEST;
        map_page(VA_TEST, (uint64_t)page_b, true, true, true);
        v = invpcid(type, 0, VA_TEST);
        uint8_t after = *(volatile uint8_t *)VA_TEST;
        reportf(v == -1 && before == 0xaa && after == 0xbb,
                "%s: INVPCID type %lu invalidates the changed page (%x -> %x, vector %d)", model,
                type, before, after, v);
    }
    v = invpcid(4, 0, 0);
    reportf(v == 13 && seen_err == 0, "%s: INVPCID type 4: #GP(0) (vector %d)", model, v);
    v = invpcid(1ul << 32, 0, 0);
    reportf(v == 13, "%s: INVPCID type 2^32 (64-bit register): #GP(0) (vector %d)", model, v);
    v = invpcid(2, 1ul << 12, 0);
    reportf(v == 13, "%s: INVPCID descriptor bit 12 set: #GP(0) (vector %d)", model, v);
    v = invpcid(3, 1ul << 63, 0);
    reportf(v == 13, "%s: INVPCID descriptor bit 63 set: #GP(0) (vector %d)", model, v);
    v = invpcid(0, 5, VA_TEST);
    reportf(v == 13, "%s: INVPCID type 0, PCID 5, CR4.PCIDE = 0: #GP(0) (vector %d)", model, v);
    v = invpcid(1, 5, 0);
    reportf(v == 13, "%s: INVPCID type 1, PCID 5, CR4.PCIDE = 0: #GP(0) (vector %d)", model, v);
    v = invpcid(2, 5, 0);
    reportf(v == -1, "%s: INVPCID type 2 ignores the PCID (vector %d)", model, v);
    v = invpcid(0, 0, 0x0000800000000000ul);
    reportf(v == 13, "%s: INVPCID type 0, non-canonical address: #GP(0) (vector %d)", model, v);
    v = invpcid(1, 0, 0x0000800000000000ul);
    reportf(v == -1, "%s: INVPCID type 1 ignores the address (vector %d)", model, v);
    /* 66 0F 38 82 C1: the register form of the memory operand */
    v = TRY(".byte 0x66, 0x0f, 0x38, 0x82, 0xc1", : : "rax");
    reportf(v == 6, "%s: INVPCID with a register operand: #UD (vector %d)", model, v);
    if (cpuid_bit(1, 0, ECX, 17)) {
        uint64_t cr3 = read_cr3();
        write_cr4(read_cr4() | CR4_PCIDE);
        v = invpcid(0, 5, VA_TEST);
        reportf(v == -1, "%s: INVPCID type 0, PCID 5 with CR4.PCIDE: runs (vector %d)", model, v);
        v = invpcid(1, 0xfff, 0);
        reportf(v == -1, "%s: INVPCID type 1, PCID fff with CR4.PCIDE: runs (vector %d)", model, v);
        write_cr3(cr3);
        write_cr4(read_cr4() & ~CR4_PCIDE);
    }
    memset(page_b, 0, 16);
    map_page((uint64_t)page_b, (uint64_t)page_b, true, true, true);
    seen_vec = ~0ull;
    run_user(user_invpcid);
    reportf(seen_vec == 13, "%s: INVPCID at CPL 3: #GP(0) (vector %lu)", model, seen_vec);
}

int main(void)
{
    uint64_t cr4 = read_cr4();
    bool xsave = cpuid_bit(1, 0, ECX, 26), fsgs = cpuid_bit(7, 0, EBX, 0);

    model_from_cmdline();
    for (int v = 0; v < 20; v++)
        handle_exception(v, handler);
    if (xsave)
        write_cr4(cr4 | (1ul << 18));               /* OSXSAVE */
    if (fsgs)
        write_cr4(read_cr4() | CR4_FSGSBASE);

    gate("fxsr fxsave", cpuid_bit(1, 0, EDX, 24), TRY("fxsave %1", : "m"(area) : "rax", "memory"));
    gate("fxsr fxrstor", cpuid_bit(1, 0, EDX, 24), TRY("fxrstor %1", : "m"(area) : "rax"));
    gate("lahf_lm lahf", cpuid_bit(0x80000001u, 0, ECX, 0), TRY("lahf", : : "rax"));
    gate("lahf_lm sahf", cpuid_bit(0x80000001u, 0, ECX, 0),
         TRY("mov $0xd5, %%ah; sahf", : : "rax", "cc"));
    gate("cx16", cpuid_bit(1, 0, ECX, 13),
         TRY("xor %%edx, %%edx; xor %%ebx, %%ebx; xor %%ecx, %%ecx; cmpxchg16b %1",
             : "m"(area) : "rax", "rbx", "rcx", "rdx", "memory", "cc"));
    gate("clflush", cpuid_bit(1, 0, EDX, 19), TRY("clflush %1", : "m"(area) : "rax", "memory"));
    gate("sse sfence", cpuid_bit(1, 0, EDX, 25), TRY("sfence", : : "rax", "memory"));
    gate("sse2 lfence", cpuid_bit(1, 0, EDX, 26), TRY("lfence", : : "rax", "memory"));
    gate("sse2 mfence", cpuid_bit(1, 0, EDX, 26), TRY("mfence", : : "rax", "memory"));
    gate("xsave xgetbv", xsave, TRY("xor %%ecx, %%ecx; xgetbv", : : "rax", "rcx", "rdx"));
    gate("xsaveopt", xsave && cpuid_bit(0xd, 1, EAX, 0),
         TRY("mov $3, %%eax; xor %%edx, %%edx; xsaveopt %1", : "m"(area) : "rax", "rdx", "memory"));
    gate("xsavec", xsave && cpuid_bit(0xd, 1, EAX, 1),
         TRY("mov $3, %%eax; xor %%edx, %%edx; xsavec %1", : "m"(area) : "rax", "rdx", "memory"));
    gate("rdtscp", cpuid_bit(0x80000001u, 0, EDX, 27), TRY("rdtscp", : : "rax", "rcx", "rdx"));
    gate("fsgsbase", fsgs, TRY("rdfsbase %%rcx", : : "rax", "rcx"));
    bool inv = cpuid_bit(7, 0, EBX, 10);
    gate("invpcid", inv, invpcid(2, 0, 0));
    if (inv)
        invpcid_rules();
    write_cr4(cr4);
    report_done();
}
