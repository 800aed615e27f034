/*
 * cpu/cpu-models.c: CPU models as data and the one CPUID feature table
 * (cpu-features.h) read by CPUID construction (cpu.c), the decoder's #UD
 * gating (cpu_feat_set()) and the -cpu +feat/-feat parser.
 *
 * Models follow QEMU's definitions of the same name (family, model,
 * stepping, brand string, feature list, as `-cpu NAME` shows them under
 * QEMU), restricted to the bits satori implements: a bit the model has
 * under QEMU but satori does not implement is dropped (docs/design-notes.md
 * lists them per model).  `max` and `host` are every implemented bit: satori's
 * CPU does not depend on the host.
 *
 * Deviation: QEMU's qemu64 is vendor AuthenticAMD; satori keeps
 * GenuineIntel for every model (DESIGN.md: Vendor).
 */
#include "cpu/cpu-internal.h"

#include <stdio.h>
#include <string.h>

struct feature {
    const char *name;
    uint8_t word, bit;
    bool implemented;
};

static const struct feature features[FEAT_COUNT] = {
#define FEAT_ROW(id, nm, w, b, impl) [FEAT_##id] = { .name = nm, .word = w, .bit = b, .implemented = impl },
    CPU_FEATURES(FEAT_ROW)
#undef FEAT_ROW
};

/* QEMU's alternative spellings ('_' and '-' are interchangeable as well) */
static const struct { const char *alias; unsigned feat; } aliases[] = {
    { "sse3", FEAT_PNI }, { "sse4_1", FEAT_SSE41 }, { "sse4_2", FEAT_SSE42 },
    { "pclmuldq", FEAT_PCLMULQDQ }, { "lzcnt", FEAT_ABM }, { "i64", FEAT_LM },
    { "xd", FEAT_NX }, { "prefetchw", FEAT_PREFETCHW },
};

static const unsigned qemu64_feats[] = {
    FEAT_FPU, FEAT_DE, FEAT_PSE, FEAT_TSC, FEAT_MSR, FEAT_MCE, FEAT_CX8, FEAT_PGE,
    FEAT_CMOV, FEAT_PAT, FEAT_FXSR, FEAT_MMX, FEAT_SSE, FEAT_SSE2, FEAT_PAE, FEAT_SEP,
    FEAT_APIC, FEAT_MTRR, FEAT_CLFLUSH, FEAT_MCA, FEAT_PSE36,
    FEAT_PNI, FEAT_CX16, FEAT_LM, FEAT_SYSCALL, FEAT_NX, FEAT_LAHF_LM, FEAT_NONE,
};

#define NEHALEM_BASE \
    FEAT_FPU, FEAT_DE, FEAT_PSE, FEAT_TSC, FEAT_MSR, FEAT_PAE, FEAT_MCE, FEAT_CX8, \
    FEAT_APIC, FEAT_SEP, FEAT_MTRR, FEAT_PGE, FEAT_MCA, FEAT_CMOV, FEAT_PAT, FEAT_PSE36, \
    FEAT_CLFLUSH, FEAT_MMX, FEAT_FXSR, FEAT_SSE, FEAT_SSE2, \
    FEAT_PNI, FEAT_SSSE3, FEAT_CX16, FEAT_SSE41, FEAT_SSE42, FEAT_POPCNT, \
    FEAT_LM, FEAT_SYSCALL, FEAT_NX, FEAT_LAHF_LM

static const unsigned nehalem_feats[] = { NEHALEM_BASE, FEAT_NONE };

/* QEMU's Skylake-Client-noTSX-IBRS (Skylake-Client-v3), without AVX */
static const unsigned skylake_feats[] = {
    NEHALEM_BASE, FEAT_PCLMULQDQ, FEAT_PCID, FEAT_MOVBE, FEAT_X2APIC, FEAT_TSC_DEADLINE, FEAT_AES,
    FEAT_XSAVE, FEAT_RDRAND, FEAT_RDTSCP, FEAT_ABM, FEAT_PREFETCHW,
    FEAT_FSGSBASE, FEAT_BMI1, FEAT_SMEP, FEAT_BMI2, FEAT_ERMS, FEAT_INVPCID, FEAT_MPX,
    FEAT_RDSEED, FEAT_ADX, FEAT_SMAP, FEAT_SPEC_CTRL,
    FEAT_XSAVEOPT, FEAT_XSAVEC, FEAT_XGETBV1, FEAT_NONE,
};

static const struct cpu_model models[] = {
    { "qemu64", "QEMU's default 64-bit model", 15, 107, 1,
      "GenuineIntel", "QEMU Virtual CPU version 2.5+", qemu64_feats },
    { "max", "everything satori implements", 6, 0x55, 7, "GenuineIntel",
      "satori virtual CPU", NULL },
    { "host", "alias of max: satori's CPU does not depend on the host", 6, 0x55, 7,
      "GenuineIntel", "satori virtual CPU", NULL },
    { "Nehalem", "Intel Core i7 9xx (Nehalem Class Core i7)", 6, 26, 3, "GenuineIntel",
      "Intel Core i7 9xx (Nehalem Class Core i7)", nehalem_feats },
    { "Skylake-Client-noTSX-IBRS", "Intel Core Processor (Skylake, IBRS, no TSX), without AVX",
      6, 94, 3, "GenuineIntel", "Intel Core Processor (Skylake, IBRS, no TSX)", skylake_feats },
};

#define NMODELS (sizeof models / sizeof models[0])

static bool same_name(const char *a, const char *b)
{
    while (*a && *b && (*a == *b || ((*a == '_' || *a == '-') && (*b == '_' || *b == '-')))) {
        a++;
        b++;
    }
    return !*a && !*b;
}

/* enum cpu_feat of a QEMU feature name or alias, or FEAT_NONE */
static unsigned find_feature(const char *name)
{
    for (unsigned i = 1; i < FEAT_COUNT; i++)
        if (same_name(features[i].name, name))
            return i;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (same_name(aliases[i].alias, name))
            return aliases[i].feat;
    return FEAT_NONE;
}

static void set_bit(struct cpu_config *cfg, unsigned f, bool on)
{
    const struct feature *ft = &features[f];

    if (on)
        cfg->feat[ft->word] |= 1u << ft->bit;
    else
        cfg->feat[ft->word] &= ~(1u << ft->bit);
}

const struct cpu_model *cpu_model_find(const char *name)
{
    for (size_t i = 0; i < NMODELS; i++)
        if (name && !strcmp(models[i].name, name))
            return &models[i];
    return &models[0];
}

int cpu_config_model(struct cpu_config *cfg, const char *name, char *err, size_t errlen)
{
    for (size_t i = 0; i < NMODELS; i++) {
        if (strcmp(models[i].name, name))
            continue;
        memset(cfg->feat, 0, sizeof cfg->feat);
        cfg->model = models[i].name;
        if (!models[i].feats) {
            for (unsigned f = 1; f < FEAT_COUNT; f++)
                if (features[f].implemented)
                    set_bit(cfg, f, true);
        } else {
            for (const unsigned *f = models[i].feats; *f != FEAT_NONE; f++)
                if (features[*f].implemented)
                    set_bit(cfg, *f, true);
        }
        return 0;
    }
    size_t off = (size_t)snprintf(err, errlen, "unknown CPU model '%s'; models:", name);
    for (size_t i = 0; i < NMODELS && off < errlen; i++)
        off += (size_t)snprintf(err + off, errlen - off, " %s", models[i].name);
    return -1;
}

int cpu_config_feature(struct cpu_config *cfg, const char *name, bool on, char *err, size_t errlen)
{
    unsigned f = find_feature(name);

    if (f == FEAT_NONE) {
        size_t off = (size_t)snprintf(err, errlen, "unknown CPU feature '%s'; features:", name);
        for (unsigned i = 1; i < FEAT_COUNT && off < errlen; i++)
            off += (size_t)snprintf(err + off, errlen - off, " %s", features[i].name);
        return -1;
    }
    if (on && !features[f].implemented) {
        snprintf(err, errlen, "CPU feature '%s' is not implemented by satori yet", name);
        return -1;
    }
    set_bit(cfg, f, on);
    return 0;
}

bool cpu_config_has(const struct cpu_config *cfg, const char *name)
{
    unsigned f = find_feature(name);

    return f != FEAT_NONE && ((cfg->feat[features[f].word] >> features[f].bit) & 1);
}

struct feat_set cpu_feat_set(const struct cpu_config *cfg)
{
    struct feat_set s;

    memset(&s, 0, sizeof s);
    for (unsigned f = 1; f < FEAT_COUNT; f++)
        if ((cfg->feat[features[f].word] >> features[f].bit) & 1)
            feat_add(&s, f);
    return s;
}

void cpu_list_models(FILE *out)
{
    fprintf(out, "Available CPUs:\n");
    for (size_t i = 0; i < NMODELS; i++)
        fprintf(out, "  %-26s %s\n", models[i].name, models[i].desc);
    fprintf(out, "\nRecognized CPUID flags (* = implemented):\n ");
    for (unsigned i = 1; i < FEAT_COUNT; i++)
        fprintf(out, " %s%s", features[i].name, features[i].implemented ? "*" : "");
    fprintf(out, "\n");
}
