/*
 * cpu/cpu-features.h: the one list of CPUID feature bits satori knows
 * (SDM vol. 2, CPUID, tables 3-10/3-11 and leaf 7/0xD/0x80000001 bits).
 *
 * Each row:  FEATURE(ID, "name", word, bit, implemented)
 *
 *   ID     enum cpu_feat value FEAT_ID (decoder gating: struct
 *          opcode_entry.feature names one of these)
 *   name   as QEMU spells it for -cpu model,+name,-name (QEMU's aliases
 *          are in cpu-models.c)
 *   word   CPUID word: FW_1_EDX (leaf 1 EDX), FW_1_ECX, FW_7_EBX (leaf 7
 *          subleaf 0), FW_7_ECX, FW_7_EDX, FW_81_EDX (leaf 0x80000001),
 *          FW_81_ECX, FW_D1_EAX (leaf 0xD subleaf 1)
 *   bit    bit in that word
 *   implemented  whether satori executes it; only implemented bits can be
 *          turned on, and "max"/"host" have exactly these
 *
 * The same rows build CPUID (cpu.c reads struct cpu_config.feat, the words
 * above), the decoder's #UD gating (struct feat_set from cpu_feat_set())
 * and the +feat/-feat parser (cpu-models.c).
 */
#ifndef SATORI_CPU_FEATURES_H
#define SATORI_CPU_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

enum { FW_1_EDX, FW_1_ECX, FW_7_EBX, FW_7_ECX, FW_81_EDX, FW_81_ECX, FW_7_EDX, FW_D1_EAX,
       FW_COUNT };

#define CPU_FEATURES(FEATURE) \
    FEATURE(FPU, "fpu", FW_1_EDX, 0, true) \
    FEATURE(VME, "vme", FW_1_EDX, 1, false) \
    FEATURE(DE, "de", FW_1_EDX, 2, true) \
    FEATURE(PSE, "pse", FW_1_EDX, 3, true) \
    FEATURE(TSC, "tsc", FW_1_EDX, 4, true) \
    FEATURE(MSR, "msr", FW_1_EDX, 5, true) \
    FEATURE(PAE, "pae", FW_1_EDX, 6, true) \
    FEATURE(MCE, "mce", FW_1_EDX, 7, false) \
    FEATURE(CX8, "cx8", FW_1_EDX, 8, true) \
    FEATURE(APIC, "apic", FW_1_EDX, 9, true) \
    FEATURE(SEP, "sep", FW_1_EDX, 11, true) \
    FEATURE(MTRR, "mtrr", FW_1_EDX, 12, false) \
    FEATURE(PGE, "pge", FW_1_EDX, 13, true) \
    FEATURE(MCA, "mca", FW_1_EDX, 14, false) \
    FEATURE(CMOV, "cmov", FW_1_EDX, 15, true) \
    FEATURE(PAT, "pat", FW_1_EDX, 16, true) \
    FEATURE(PSE36, "pse36", FW_1_EDX, 17, true) \
    FEATURE(CLFLUSH, "clflush", FW_1_EDX, 19, true) \
    FEATURE(MMX, "mmx", FW_1_EDX, 23, true) \
    FEATURE(FXSR, "fxsr", FW_1_EDX, 24, true) \
    FEATURE(SSE, "sse", FW_1_EDX, 25, true) \
    FEATURE(SSE2, "sse2", FW_1_EDX, 26, true) \
    FEATURE(PNI, "pni", FW_1_ECX, 0, true) \
    FEATURE(PCLMULQDQ, "pclmulqdq", FW_1_ECX, 1, true) \
    FEATURE(MONITOR, "monitor", FW_1_ECX, 3, true) \
    FEATURE(SSSE3, "ssse3", FW_1_ECX, 9, true) \
    FEATURE(FMA, "fma", FW_1_ECX, 12, false) \
    FEATURE(CX16, "cx16", FW_1_ECX, 13, true) \
    FEATURE(PCID, "pcid", FW_1_ECX, 17, true) \
    FEATURE(SSE41, "sse4.1", FW_1_ECX, 19, true) \
    FEATURE(SSE42, "sse4.2", FW_1_ECX, 20, true) \
    FEATURE(X2APIC, "x2apic", FW_1_ECX, 21, true) \
    FEATURE(MOVBE, "movbe", FW_1_ECX, 22, true) \
    FEATURE(POPCNT, "popcnt", FW_1_ECX, 23, true) \
    FEATURE(TSC_DEADLINE, "tsc-deadline", FW_1_ECX, 24, true) \
    FEATURE(AES, "aes", FW_1_ECX, 25, true) \
    FEATURE(XSAVE, "xsave", FW_1_ECX, 26, true) \
    FEATURE(AVX, "avx", FW_1_ECX, 28, false) \
    FEATURE(F16C, "f16c", FW_1_ECX, 29, false) \
    FEATURE(RDRAND, "rdrand", FW_1_ECX, 30, false) \
    FEATURE(FSGSBASE, "fsgsbase", FW_7_EBX, 0, true) \
    FEATURE(BMI1, "bmi1", FW_7_EBX, 3, true) \
    FEATURE(HLE, "hle", FW_7_EBX, 4, false) \
    FEATURE(AVX2, "avx2", FW_7_EBX, 5, false) \
    FEATURE(SMEP, "smep", FW_7_EBX, 7, true) \
    FEATURE(BMI2, "bmi2", FW_7_EBX, 8, true) \
    FEATURE(ERMS, "erms", FW_7_EBX, 9, false) \
    FEATURE(INVPCID, "invpcid", FW_7_EBX, 10, true) \
    FEATURE(RTM, "rtm", FW_7_EBX, 11, false) \
    FEATURE(MPX, "mpx", FW_7_EBX, 14, false) \
    FEATURE(AVX512F, "avx512f", FW_7_EBX, 16, false) \
    FEATURE(RDSEED, "rdseed", FW_7_EBX, 18, false) \
    FEATURE(ADX, "adx", FW_7_EBX, 19, true) \
    FEATURE(SMAP, "smap", FW_7_EBX, 20, true) \
    FEATURE(CLFLUSHOPT, "clflushopt", FW_7_EBX, 23, false) \
    FEATURE(UMIP, "umip", FW_7_ECX, 2, true) \
    FEATURE(PKU, "pku", FW_7_ECX, 3, false) \
    FEATURE(RDPID, "rdpid", FW_7_ECX, 22, true) \
    FEATURE(MD_CLEAR, "md-clear", FW_7_EDX, 10, false) \
    FEATURE(SPEC_CTRL, "spec-ctrl", FW_7_EDX, 26, false) \
    FEATURE(ARCH_CAPABILITIES, "arch-capabilities", FW_7_EDX, 29, false) \
    FEATURE(SSBD, "ssbd", FW_7_EDX, 31, false) \
    FEATURE(SYSCALL, "syscall", FW_81_EDX, 11, true) \
    FEATURE(NX, "nx", FW_81_EDX, 20, true) \
    FEATURE(PDPE1GB, "pdpe1gb", FW_81_EDX, 26, true) \
    FEATURE(RDTSCP, "rdtscp", FW_81_EDX, 27, true) \
    FEATURE(LM, "lm", FW_81_EDX, 29, true) \
    FEATURE(LAHF_LM, "lahf_lm", FW_81_ECX, 0, true) \
    FEATURE(ABM, "abm", FW_81_ECX, 5, true) \
    FEATURE(PREFETCHW, "3dnowprefetch", FW_81_ECX, 8, true) \
    FEATURE(XSAVEOPT, "xsaveopt", FW_D1_EAX, 0, true) \
    FEATURE(XSAVEC, "xsavec", FW_D1_EAX, 1, true) \
    FEATURE(XGETBV1, "xgetbv1", FW_D1_EAX, 2, false)

enum cpu_feat {
    FEAT_NONE = 0,  /* "no feature needed" in the opcode maps */
#define FEAT_ENUM(id, name, word, bit, impl) FEAT_##id,
    CPU_FEATURES(FEAT_ENUM)
#undef FEAT_ENUM
    FEAT_COUNT
};

/* The enabled features of a vCPU as a bit set indexed by enum cpu_feat. */
struct feat_set {
    uint64_t b[(FEAT_COUNT + 63) / 64];
};

static inline bool feat_has(const struct feat_set *s, unsigned f)
{
    return f == FEAT_NONE || ((s->b[f / 64] >> (f % 64)) & 1);
}

static inline void feat_add(struct feat_set *s, unsigned f)
{
    s->b[f / 64] |= 1ull << (f % 64);
}

/* Every feature the table knows (tests: decode all implemented encodings). */
static inline struct feat_set feat_set_all(void)
{
    struct feat_set s;
    for (unsigned i = 0; i < sizeof s.b / sizeof s.b[0]; i++)
        s.b[i] = ~0ull;
    return s;
}

#endif
