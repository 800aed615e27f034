/*
 * hyperv/hv-config.c: the -cpu properties of the hypervisor interface
 * (hv-*, kvm=) as QEMU accepts them: hv-x and hv_x, =on|off|yes|no,
 * hv-spinlocks=N, hv-vendor-id=STR, hv-no-nonarch-coresharing=on|off|auto,
 * hv-passthrough, hv-enforce-cpuid, hv-version-id-*.  Enlightenments come
 * from hv_table; the dependency check follows QEMU's order and wording
 * (reference/hyperv.md 2.1).  A flag satori cannot provide yet is refused
 * after the dependency check, with the reason.
 */
#include "hyperv/hv-internal.h"
#include "hw/pc/pc.h"           /* PC_MAX_CPUS: satori's vCPU limit */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SPINLOCK_NEVER_NOTIFY 0xffffffffu
#define SPINLOCK_MIN          0xfffu
/* hv-passthrough's max VPs: KVM answers KVM_MAX_VCPUS, the hypervisor's
 * own vCPU limit whatever the VM's -smp (reference 1.7, 11.1 #1); satori's
 * limit is the most vCPUs its pc machine takes (-smp maxcpus). */
#define SATORI_MAX_VCPUS      ((uint32_t)PC_MAX_CPUS)

/* Properties that are values rather than enlightenments. */
enum hv_value {
    V_SPINLOCKS, V_VENDOR, V_NONARCH, V_PASSTHROUGH, V_ENFORCE,
    V_BUILD, V_MAJOR, V_MINOR, V_SPACK, V_SBRANCH, V_SNUMBER, V_COUNT,
};

static const char *const value_props[V_COUNT] = {
    [V_SPINLOCKS] = "hv-spinlocks", [V_VENDOR] = "hv-vendor-id",
    [V_NONARCH] = "hv-no-nonarch-coresharing", [V_PASSTHROUGH] = "hv-passthrough",
    [V_ENFORCE] = "hv-enforce-cpuid", [V_BUILD] = "hv-version-id-build",
    [V_MAJOR] = "hv-version-id-major", [V_MINOR] = "hv-version-id-minor",
    [V_SPACK] = "hv-version-id-spack", [V_SBRANCH] = "hv-version-id-sbranch",
    [V_SNUMBER] = "hv-version-id-snumber",
};

static void set_vendor(struct hv_config *c, const char *s)
{
    char v[12] = { 0 };

    memcpy(v, s, strnlen(s, sizeof v));
    memcpy(c->vendor, v, sizeof v);
}

struct hv_config *hv_config_new(void)
{
    struct hv_config *c = calloc(1, sizeof *c);

    if (!c)
        abort();
    c->kvm = true;
    c->syndbg_dev.fd = -1;
    c->spinlocks = SPINLOCK_NEVER_NOTIFY;
    set_vendor(c, "Microsoft Hv");
    c->ver_build = 0x3839;      /* WS2016, QEMU's default for current machine types */
    c->ver_major = 10;
    c->max_vps = 0xffffffffu;   /* x-hv-max-vps default -1 */
    return c;
}

void hv_config_free(struct hv_config *cfg)
{
    if (cfg)
        hv_syndbg_device_close(cfg);
    free(cfg);
}

/* QEMU spells properties with '-' or '_' interchangeably. */
static bool same_flag(const char *known, const char *name)
{
    for (; *known && *name; known++, name++) {
        bool dash = (*known == '-' || *known == '_') && (*name == '-' || *name == '_');
        if (*known != *name && !dash)
            return false;
    }
    return !*known && !*name;
}

/* on/off/yes/no/true/false as QEMU's boolean properties; bare flag = on. */
static int parse_bool(const char *name, const char *value, bool *out, char *err, size_t errlen)
{
    if (!value || !strcmp(value, "on") || !strcmp(value, "yes") || !strcmp(value, "true")) {
        *out = true;
        return 0;
    }
    if (!strcmp(value, "off") || !strcmp(value, "no") || !strcmp(value, "false")) {
        *out = false;
        return 0;
    }
    snprintf(err, errlen, "%s=%s: expected on or off", name, value);
    return -1;
}

static int parse_u32(const char *name, const char *value, uint32_t max, uint32_t *out,
                     char *err, size_t errlen)
{
    char *end;

    if (!value || !*value) {
        snprintf(err, errlen, "%s needs a value (%s=N)", name, name);
        return -1;
    }
    errno = 0;
    unsigned long long v = strtoull(value, &end, 0);
    if (*end || errno || value[0] == '-' || v > max) {
        snprintf(err, errlen, "%s=%s: expected a number from 0 to %#x", name, value, max);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int value_prop(struct hv_config *c, enum hv_value which, const char *name,
                      const char *value, char *err, size_t errlen)
{
    bool b;

    switch (which) {
    case V_SPINLOCKS:
        if (parse_u32(name, value, 0xffffffffu, &c->spinlocks, err, errlen) < 0)
            return -1;
        if (c->spinlocks < SPINLOCK_MIN) {
            warn_report("hv-spinlocks=%s raised to the minimum retry count 0x%x", value,
                        SPINLOCK_MIN);
            c->spinlocks = SPINLOCK_MIN;
        }
        return 0;
    case V_VENDOR:
        if (!value) {
            snprintf(err, errlen, "hv-vendor-id needs a value (hv-vendor-id=STRING)");
            return -1;
        }
        if (strlen(value) > 12)
            warn_report("hv-vendor-id truncated to 12 characters");
        set_vendor(c, value);
        return 0;
    case V_NONARCH:
        if (!value || !strcmp(value, "on"))
            c->nonarch = NONARCH_ON;
        else if (!strcmp(value, "off"))
            c->nonarch = NONARCH_OFF;
        else if (!strcmp(value, "auto"))
            c->nonarch = NONARCH_AUTO;
        else {
            snprintf(err, errlen, "%s=%s: expected on, off or auto", name, value);
            return -1;
        }
        return 0;
    case V_PASSTHROUGH:
        if (parse_bool(name, value, &b, err, errlen) < 0)
            return -1;
        c->passthrough = b;
        return 0;
    case V_ENFORCE:
        if (parse_bool(name, value, &b, err, errlen) < 0)
            return -1;
        c->enforce = b;
        return 0;
    case V_BUILD:
        return parse_u32(name, value, 0xffffffffu, &c->ver_build, err, errlen);
    case V_MAJOR:
        return parse_u32(name, value, 0xffff, &c->ver_major, err, errlen);
    case V_MINOR:
        return parse_u32(name, value, 0xffff, &c->ver_minor, err, errlen);
    case V_SPACK:
        return parse_u32(name, value, 0xffffffffu, &c->ver_spack, err, errlen);
    case V_SBRANCH:
        return parse_u32(name, value, 0xff, &c->ver_sbranch, err, errlen);
    case V_SNUMBER:
        return parse_u32(name, value, 0xffffff, &c->ver_snumber, err, errlen);
    case V_COUNT:
        break;
    }
    return -1;
}

static void list_known(char *err, size_t errlen, size_t off)
{
    for (int f = 0; f < HV_NFEAT && off < errlen; f++)
        off += (size_t)snprintf(err + off, errlen - off, " %s", hv_table[f].flag);
    for (int i = 0; i < V_COUNT && off < errlen; i++)
        off += (size_t)snprintf(err + off, errlen - off, " %s", value_props[i]);
}

int hv_config_prop(struct hv_config *cfg, const char *name, const char *value,
                   char *err, size_t errlen)
{
    bool on;

    if (!strcmp(name, "kvm"))
        return parse_bool(name, value, &cfg->kvm, err, errlen);
    if (strncmp(name, "hv-", 3) && strncmp(name, "hv_", 3))
        return 1;
    for (int f = 0; f < HV_NFEAT; f++) {
        if (!same_flag(hv_table[f].flag, name) && !(f == HV_AVIC && same_flag("hv-apicv", name)))
            continue;
        if (parse_bool(hv_table[f].flag, value, &on, err, errlen) < 0)
            return -1;
        if (on) {
            cfg->on |= HV_BIT(f);
            cfg->off &= ~HV_BIT(f);
        } else {
            cfg->off |= HV_BIT(f);
            cfg->on &= ~HV_BIT(f);
        }
        return 0;
    }
    for (int i = 0; i < V_COUNT; i++)
        if (same_flag(value_props[i], name))
            return value_prop(cfg, (enum hv_value)i, value_props[i], value, err, errlen);
    list_known(err, errlen, (size_t)snprintf(err, errlen, "unknown Hyper-V flag '%s'; known:",
                                             name));
    return -1;
}

int hv_config_finish(struct hv_config *c, char *err, size_t errlen)
{
    c->feats = c->on;
    if (c->passthrough) {
        /*
         * Everything this satori supports, as KVM_GET_SUPPORTED_HV_CPUID
         * reports it; explicit =off wins; no dependency check (reference
         * 1.7).  Vendor, version, limits and spinlock retries are taken from
         * that answer (hv-cpuid.c, hv_supported_features()).
         */
        uint32_t sup = hv_supported_features();
        for (int f = 0; f < HV_NFEAT; f++)
            if ((sup & HV_BIT(f)) && !hv_table[f].skip_passthrough && !(c->off & HV_BIT(f)))
                c->feats |= HV_BIT(f);
        set_vendor(c, "Linux KVM Hv");
        c->ver_build = 0x3839;
        c->ver_major = 10;
        c->ver_minor = 0;
        c->ver_spack = c->ver_sbranch = c->ver_snumber = 0;
        c->spinlocks = SPINLOCK_MIN;
        c->max_vps = SATORI_MAX_VCPUS;
    } else {
        for (int f = 0; f < HV_NFEAT; f++) {
            if (!(c->feats & HV_BIT(f)))
                continue;
            for (int d = 0; d < HV_NFEAT; d++) {
                if ((hv_table[f].deps & HV_BIT(d)) && !(c->feats & HV_BIT(d))) {
                    snprintf(err, errlen, "Hyper-V %s requires Hyper-V %s", hv_table[f].desc,
                             hv_table[d].desc);
                    return -1;
                }
            }
        }
    }
    for (int f = 0; f < HV_NFEAT; f++) {
        if ((c->feats & HV_BIT(f)) && hv_table[f].missing) {
            snprintf(err, errlen, "Hyper-V %s is not available in this version of satori: %s",
                     hv_table[f].desc, hv_table[f].missing);
            return -1;
        }
    }
    if (c->syndbg_dev.fd >= 0 && !(c->feats & HV_BIT(HV_SYNDBG))) {
        snprintf(err, errlen, "-device hv-syndbg needs the synthetic debugger: add hv-syndbg "
                 "(with hv-synic, hv-vpindex, hv-relaxed)");
        return -1;
    }
    return 0;
}

bool hv_config_enabled(const struct hv_config *cfg)
{
    return cfg->feats || cfg->on || cfg->passthrough || cfg->spinlocks != SPINLOCK_NEVER_NOTIFY;
}

void hv_list_flags(FILE *out)
{
    fprintf(out, "\nHyper-V enlightenments (-cpu MODEL,hv-...):\n");
    for (int f = 0; f < HV_NFEAT; f++)
        fprintf(out, "  %-28s %s%s\n", hv_table[f].flag, hv_table[f].desc,
                hv_table[f].missing ? " [not available yet]" : "");
    fprintf(out, "Hyper-V values:\n ");
    for (int i = 0; i < V_COUNT; i++)
        fprintf(out, " %s", value_props[i]);
    fprintf(out, "\n  kvm=on|off: KVM signature leaves (on by default)\n");
}
