/*
 * hyperv/hv-config.c: -cpu properties that belong to the hypervisor
 * interface (hv-*, kvm=).  The enlightenments themselves are the next
 * stage of work (issue: Hyper-V enlightenments, part 1); until they exist,
 * every hv-* flag is refused with a message saying so, never accepted and
 * ignored.  kvm=on|off is accepted; satori shows no KVM paravirtual
 * leaves yet, so both settings present the same CPUID.
 */
#include "hyperv/hyperv.h"

#include <stdlib.h>
#include <string.h>

static const char *const hv_flags[] = {
    "hv-relaxed", "hv-vapic", "hv-spinlocks", "hv-vpindex", "hv-runtime", "hv-crash",
    "hv-time", "hv-synic", "hv-stimer", "hv-tlbflush", "hv-ipi", "hv-vendor-id", "hv-reset",
    "hv-frequencies", "hv-reenlightenment", "hv-evmcs", "hv-stimer-direct",
    "hv-no-nonarch-coresharing", "hv-passthrough", "hv-enforce-cpuid", "hv-xmm-input",
    "hv-tlbflush-ext", "hv-tlbflush-direct", "hv-syndbg", "hv-avic", "hv-emsr-bitmap",
    "hv-version-id-build", "hv-version-id-major", "hv-version-id-minor",
    "hv-version-id-spack", "hv-version-id-sbranch", "hv-version-id-snumber", NULL,
};

struct hv_config {
    bool kvm;
};

struct hv_partition {
    int unused;
};

struct hv_vcpu {
    int unused;
};

struct hv_config *hv_config_new(void)
{
    struct hv_config *c = calloc(1, sizeof *c);

    if (!c)
        abort();
    c->kvm = true;
    return c;
}

void hv_config_free(struct hv_config *cfg)
{
    free(cfg);
}

static bool same_flag(const char *known, const char *name)
{
    for (; *known && *name; known++, name++) {
        bool dash = (*known == '-' || *known == '_') && (*name == '-' || *name == '_');
        if (*known != *name && !dash)
            return false;
    }
    return !*known && !*name;
}

int hv_config_prop(struct hv_config *cfg, const char *name, const char *value,
                   char *err, size_t errlen)
{
    if (!strcmp(name, "kvm")) {
        if (!value || !strcmp(value, "on") || !strcmp(value, "yes")) {
            cfg->kvm = true;
            return 0;
        }
        if (!strcmp(value, "off") || !strcmp(value, "no")) {
            cfg->kvm = false;
            return 0;
        }
        snprintf(err, errlen, "kvm=%s: expected on or off", value);
        return -1;
    }
    if (strncmp(name, "hv-", 3) && strncmp(name, "hv_", 3))
        return 1;
    for (int i = 0; hv_flags[i]; i++) {
        if (same_flag(hv_flags[i], name)) {
            snprintf(err, errlen, "%s: the Hyper-V enlightenments are not implemented in "
                     "this version of satori yet", hv_flags[i]);
            return -1;
        }
    }
    size_t off = (size_t)snprintf(err, errlen, "unknown Hyper-V flag '%s'; known:", name);
    for (int i = 0; hv_flags[i] && off < errlen; i++)
        off += (size_t)snprintf(err + off, errlen - off, " %s", hv_flags[i]);
    return -1;
}

int hv_config_finish(struct hv_config *cfg, char *err, size_t errlen)
{
    return 0;
}

bool hv_config_enabled(const struct hv_config *cfg)
{
    return false;
}

void hv_list_flags(FILE *out)
{
    fprintf(out, "\nHyper-V flags (not implemented yet):\n ");
    for (int i = 0; hv_flags[i]; i++)
        fprintf(out, " %s", hv_flags[i]);
    fprintf(out, "\n");
}

struct hv_partition *hv_partition_new(const struct hv_config *cfg, struct bus *bus, int ncpus)
{
    return calloc(1, sizeof(struct hv_partition));
}

void hv_partition_free(struct hv_partition *p)
{
    free(p);
}

struct hv_vcpu *hv_vcpu_new(struct hv_partition *p, struct cpu *cpu, int index)
{
    return calloc(1, sizeof(struct hv_vcpu));
}

void hv_vcpu_hooks(struct hv_vcpu *v, struct cpu_hv_hooks *out)
{
    memset(out, 0, sizeof *out);
}

void hv_partition_reset(struct hv_partition *p)
{
}

void hv_dump(struct hv_partition *p, FILE *out)
{
    fprintf(out, "no Hyper-V enlightenments are enabled\n");
}
