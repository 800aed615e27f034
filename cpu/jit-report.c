/*
 * cpu/jit-report.c: the -d jit report, printed when a vCPU is freed:
 * how many guest instructions ran in host code (cpu/native.c) and how
 * many through handler calls, the forms (mnemonic, operand size, operand
 * kinds) most often left to a handler, and the block-cache and soft-TLB
 * counters (blocks translated, chained entries, lookups, invalidations,
 * TLB fills, which are the misses, and flushes).
 *
 * Counting is per block, not per instruction: the translator records
 * each instruction's form and whether host code calls its handler
 * (struct tb_jit); at run time host code adds one to tb->jit_execs on
 * each entry to the block (the interpreter loop likewise); when a block
 * goes (invalidation, flush, exit) its entries times its instructions are
 * added to the totals here, less the instructions after a side exit
 * each time it was taken (tb_jit.left).  An instruction counts as host
 * code when its fast path is host code (a soft-TLB miss still calls the
 * handler; those show as TLB fills).  A block left early by an exception counts whole,
 * so the sum can differ slightly from the retired-instruction count.
 * Nothing is counted, and host code is unchanged, without -d jit.
 */
#include "cpu/translate.h"

#include <stdio.h>
#include <stdlib.h>

#define FORM_SLOTS 4096u    /* distinct forms kept; the rest count as "other forms" */
#define TOP_FORMS 25

struct form_count {
    uint32_t key;           /* jit_form() + 1; 0: empty slot */
    uint64_t n;
};

struct jit_totals {
    uint64_t host, called, other, entries;
    struct form_count forms[FORM_SLOTS];
};

/*
 * Key: bits 31-16 the OP_* number, 15 a REP prefix, 14-12 log2 of the
 * operand size, 11-0 the kinds (OPND_*) of the first three operands.
 */
uint32_t jit_form(const struct insn *in)
{
    unsigned lg = in->osize >= 8 ? 3 : in->osize >= 4 ? 2 : in->osize >= 2 ? 1 : 0;
    uint32_t k = (uint32_t)in->op << 16 | (in->rep ? 1u << 15 : 0) | lg << 12;

    for (int i = 0; i < 3 && i < in->nopnds; i++)
        k |= (uint32_t)(in->o[i].kind & 15) << (4 * i);
    return k;
}

static struct jit_totals *totals(struct cpu *cpu)
{
    if (!cpu->jit) {
        cpu->jit = calloc(1, sizeof *cpu->jit);
        if (!cpu->jit)
            abort();
    }
    return cpu->jit;
}

static void count_form(struct jit_totals *t, uint32_t form, uint64_t n)
{
    uint32_t key = form + 1;
    unsigned h = (unsigned)((key * 0x9e3779b1u) >> 20) & (FORM_SLOTS - 1);

    for (unsigned probe = 0; probe < FORM_SLOTS; probe++, h = (h + 1) & (FORM_SLOTS - 1)) {
        struct form_count *f = &t->forms[h];
        if (f->key == key || f->key == 0) {
            f->key = key;
            f->n += n;
            return;
        }
    }
    t->other += n;
}

void jit_count_side(struct tb *tb, unsigned idx)
{
    if (idx < TB_MAX_INSNS)
        tb->jit->left[idx]++;
}

void jit_fold(struct cpu *cpu, const struct tb *tb)
{
    if (!tb->jit || !tb->jit_execs)
        return;
    struct jit_totals *t = totals(cpu);
    uint64_t runs = tb->jit_execs;     /* times instruction i ran: entries less earlier side exits */
    t->entries += tb->jit_execs;
    for (unsigned i = 0; i < tb->ninsns && i < TB_MAX_INSNS; i++) {
        if (tb->jit->called >> i & 1) {
            t->called += runs;
            count_form(t, tb->jit->form[i], runs);
        } else {
            t->host += runs;
        }
        runs -= tb->jit->left[i] < runs ? tb->jit->left[i] : runs;
    }
}

static const char opnd_letter[16] = {
    [OPND_NONE] = '-', [OPND_REG] = 'r', [OPND_MEM] = 'm', [OPND_IMM] = 'i',
    [OPND_REL] = 'j', [OPND_FAR] = 'f', [OPND_SEG] = 's', [OPND_CR] = 'c',
    [OPND_DR] = 'd', [OPND_XMM] = 'x', [OPND_MMX] = 'q',
};

static void form_name(uint32_t form, char *buf, size_t len)
{
    unsigned op = form >> 16;
    int n = snprintf(buf, len, "%s%s/%u", form & (1u << 15) ? "rep " : "",
                     op < OP_COUNT ? insn_op_name[op] : "?", 8u << ((form >> 12) & 7));

    for (int i = 0; i < 3 && n > 0 && (size_t)n + 3 < len; i++) {
        unsigned kind = (form >> (4 * i)) & 15;
        if (kind == OPND_NONE)
            break;
        buf[n++] = i ? ',' : ' ';
        buf[n++] = opnd_letter[kind] ? opnd_letter[kind] : '?';
        buf[n] = 0;
    }
}

static int by_count(const void *a, const void *b)
{
    const struct form_count *x = a, *y = b;

    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return x->key < y->key ? -1 : x->key > y->key;
}

static double pct(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

void jit_report(struct cpu *cpu, const struct cpu_stats *s, FILE *out)
{
    struct jit_totals *t = totals(cpu);
    uint64_t all = t->host + t->called;

    fprintf(out, "jit: vCPU %d: %llu guest instructions (%llu retired): %llu in host code "
                 "(%.1f%%), %llu through handler calls (%.1f%%)\n",
            cpu->index, (unsigned long long)all, (unsigned long long)cpu_icount(cpu),
            (unsigned long long)t->host, pct(t->host, all),
            (unsigned long long)t->called, pct(t->called, all));
    fprintf(out, "jit: vCPU %d: blocks translated %llu, entered %llu, chained %llu, "
                 "lookups %llu, invalidated %llu; TLB misses %llu, TLB flushes %llu\n",
            cpu->index, (unsigned long long)s->tb_translated,
            (unsigned long long)t->entries, (unsigned long long)s->tb_chained,
            (unsigned long long)s->tb_lookups, (unsigned long long)s->tb_invalidated,
            (unsigned long long)s->tlb_fills, (unsigned long long)s->tlb_flushes);

    struct form_count *f = malloc(sizeof t->forms);
    unsigned n = 0;
    if (!f)
        abort();
    for (unsigned i = 0; i < FORM_SLOTS; i++)
        if (t->forms[i].key)
            f[n++] = t->forms[i];
    qsort(f, n, sizeof *f, by_count);
    fprintf(out, "jit: vCPU %d: top handler-called forms (of %u; share of all instructions):\n",
            cpu->index, n);
    for (unsigned i = 0; i < n && i < TOP_FORMS; i++) {
        char name[64];
        form_name(f[i].key - 1, name, sizeof name);
        fprintf(out, "jit:   %12llu %5.1f%%  %s\n", (unsigned long long)f[i].n,
                pct(f[i].n, all), name);
    }
    if (t->other)
        fprintf(out, "jit:   %12llu %5.1f%%  other forms\n", (unsigned long long)t->other,
                pct(t->other, all));
    free(f);
}

void jit_free(struct cpu *cpu)
{
    free(cpu->jit);
    cpu->jit = NULL;
}
