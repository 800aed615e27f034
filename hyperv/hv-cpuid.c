/*
 * hyperv/hv-cpuid.c: the hypervisor CPUID range.  With Hyper-V on, leaves
 * 0x40000000.. are Hyper-V's as QEMU builds them (reference/hyperv.md 1.3)
 * and KVM's signature moves to 0x40000100 (1.4); without it, KVM's leaves
 * sit at 0x40000000; kvm=off hides them.  Leaves above a sub-range's
 * maximum follow KVM's vendor rule (1.5).
 */
#include "hyperv/hv-internal.h"

#include <stdlib.h>
#include <string.h>

#define HV_SIGNATURE 0x31237648u  /* "Hv#1" */

static void add(struct hv_partition *p, uint32_t leaf, uint32_t a, uint32_t b, uint32_t c,
                uint32_t d)
{
    if (p->ncpuid >= HV_CPUID_MAX)
        abort();
    p->cpuid[p->ncpuid].leaf = leaf;
    p->cpuid[p->ncpuid].r[0] = a;
    p->cpuid[p->ncpuid].r[1] = b;
    p->cpuid[p->ncpuid].r[2] = c;
    p->cpuid[p->ncpuid].r[3] = d;
    p->ncpuid++;
}

/* OR of the bits every enabled enlightenment puts in leaf.reg. */
static uint32_t build(uint32_t feats, uint32_t leaf, int reg)
{
    uint32_t v = 0;

    for (int f = 0; f < HV_NFEAT; f++) {
        if (!(feats & HV_BIT(f)))
            continue;
        for (int i = 0; i < 3 && hv_table[f].bits[i].mask; i++)
            if (hv_table[f].bits[i].leaf == leaf && hv_table[f].bits[i].reg == reg)
                v |= hv_table[f].bits[i].mask;
    }
    return v;
}

uint32_t hv_supported_features(void)
{
    uint32_t s = 0;

    for (int f = 0; f < HV_NFEAT; f++)
        if (!hv_table[f].missing)
            s |= HV_BIT(f);
    return s;
}

void hv_cpuid_build(struct hv_partition *p)
{
    const struct hv_config *c = &p->cfg;
    uint32_t f = c->feats;

    p->ncpuid = 0;
    p->hv_max = 0;
    p->kvm_base = 0;
    if (hv_config_enabled(c)) {
        uint32_t nested = build(f, 0x4000000Au, R_EAX);
        p->hv_max = nested ? 0x4000000Au : 0x40000005u;
        if (f & HV_BIT(HV_SYNDBG))
            p->hv_max = 0x40000082u;
        p->features_eax = build(f, 0x40000003u, R_EAX) | 0x20;   /* hypercall MSRs: always */
        p->features_ebx = build(f, 0x40000003u, R_EBX) | ((f & HV_BIT(HV_SYNIC)) ? 0x30 : 0);
        p->features_edx = build(f, 0x40000003u, R_EDX) | 0x8;    /* dynamic partitioning */
        p->hints_eax = build(f, 0x40000004u, R_EAX);
        if ((f & HV_BIT(HV_VAPIC)) && !(f & HV_BIT(HV_AVIC)))
            p->hints_eax |= 0x8;                                 /* use the APIC MSRs */
        if (c->nonarch == NONARCH_ON)
            p->hints_eax |= 0x40000;                             /* no non-arch core sharing */
        p->hints_ebx = c->spinlocks;

        add(p, 0x40000000u, p->hv_max, c->vendor[0], c->vendor[1], c->vendor[2]);
        add(p, 0x40000001u, HV_SIGNATURE, 0, 0, 0);
        add(p, 0x40000002u, c->ver_build, c->ver_major << 16 | c->ver_minor, c->ver_spack,
            c->ver_sbranch << 24 | (c->ver_snumber & 0xffffff));
        add(p, 0x40000003u, p->features_eax, p->features_ebx, 0, p->features_edx);
        add(p, 0x40000004u, p->hints_eax, p->hints_ebx, 0, 0);
        add(p, 0x40000005u, c->max_vps, 64, 0, 0);
        if (nested) {
            for (uint32_t l = 0x40000006u; l <= 0x40000009u; l++)
                add(p, l, 0, 0, 0, 0);
            add(p, 0x4000000Au, nested, 0, 0, 0);
        }
        if (f & HV_BIT(HV_SYNDBG)) {
            add(p, 0x40000080u, 0, 0x7263694d, 0x666f736f, 0x53562074); /* "Microsoft VS" */
            add(p, 0x40000081u, 0x31235356, 0, 0, 0);                   /* "VS#1" */
            add(p, 0x40000082u, 0x2, 0, 0, 0);                          /* kernel debugging */
        }
    }
    if (c->kvm) {
        /* satori implements no KVM paravirtual feature: the features leaf is 0 */
        p->kvm_base = p->hv_max ? 0x40000100u : 0x40000000u;
        add(p, p->kvm_base, p->kvm_base + 1, 0x4b4d564b, 0x564b4d56, 0x4d); /* "KVMKVMKVM" */
        add(p, p->kvm_base + 1, 0, 0, 0, 0);
    }
}

static const uint32_t *find(const struct hv_partition *p, uint32_t leaf)
{
    for (int i = 0; i < p->ncpuid; i++)
        if (p->cpuid[i].leaf == leaf)
            return p->cpuid[i].r;
    return NULL;
}

bool hv_cpuid_has(const struct hv_partition *p, struct hv_bits b)
{
    const uint32_t *r = find(p, b.leaf);

    return r && (r[b.reg] & b.mask) == b.mask;
}

static const char *leaf_words(const struct hv_partition *p, uint32_t leaf)
{
    if (p->kvm_base && leaf == p->kvm_base)
        return "KVM signature";
    if (p->kvm_base && leaf == p->kvm_base + 1)
        return "KVM paravirtual features (none implemented)";
    switch (leaf) {
    case 0x40000000u: return "Hyper-V vendor and maximum leaf";
    case 0x40000001u: return "Hyper-V interface signature";
    case 0x40000002u: return "Hyper-V version";
    case 0x40000003u: return "Hyper-V privileges and features";
    case 0x40000004u: return "Hyper-V recommendations and spinlock retries";
    case 0x40000005u: return "Hyper-V implementation limits";
    case 0x4000000Au: return "Hyper-V nested features";
    case 0x40000080u: return "synthetic debugger vendor";
    case 0x40000081u: return "synthetic debugger interface";
    case 0x40000082u: return "synthetic debugger features";
    default: return "reserved, zero";
    }
}

static bool vendor_amd(struct hv_partition *p)
{
    uint32_t r[4];

    cpu_cpuid(p->vcpus[0]->cpu, 0, 0, r);
    return (r[1] == 0x68747541u && r[3] == 0x69746e65u) ||   /* AuthenticAMD */
           (r[1] == 0x6f677948u && r[3] == 0x6e65476eu);     /* HygonGenuine */
}

bool hv_cpuid_hook(void *opaque, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    struct hv_vcpu *v = opaque;
    struct hv_partition *p = v->p;
    const uint32_t *r = find(p, leaf);

    if (!r) {
        const uint32_t *cls = find(p, leaf & 0xffffff00u);
        if (!cls || leaf > cls[0]) {
            /* out of range: AMD zeros, Intel the highest basic leaf (cpu/ does it) */
            if (vendor_amd(p)) {
                memset(out, 0, 4 * sizeof out[0]);
                hv_trace(v, "cpuid 0x%08x: above the range's maximum leaf; zeros (AMD rule)",
                         leaf);
                return true;
            }
            hv_trace(v, "cpuid 0x%08x: above the range's maximum leaf; the highest basic "
                     "leaf's values (Intel rule)", leaf);
            return false;
        }
    }
    if (r)
        memcpy(out, r, 4 * sizeof out[0]);
    else
        memset(out, 0, 4 * sizeof out[0]);
    hv_trace(v, "cpuid 0x%08x (%s): eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x", leaf,
             r ? leaf_words(p, leaf) : "reserved, zero", out[0], out[1], out[2], out[3]);
    (void)sub;
    return true;
}
