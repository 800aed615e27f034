/* testsuite/satori.cpu/try-fault.h: run one instruction that may fault and
 * report the vector (sse.c, featud.c).  The command line's last word names
 * the run (the CPU model); a fault outside TRY ends the test.  At CPL 3
 * the handler resumes at the address in R11 instead. */
#ifndef TRY_FAULT_H
#define TRY_FAULT_H

#include "runtime.h"

static volatile uint64_t seen_vec, seen_err, resume;
static const char *model;

static void handler(struct frame *f)
{
    if ((f->cs & 3) == 3) {
        seen_vec = f->vector;
        seen_err = f->error;
        f->rip = f->r11;
        return;
    }
    if (!resume) {
        reportf(false, "%s: unexpected exception %lu at %lx", model, f->vector, f->rip);
        report_done();
    }
    seen_vec = f->vector;
    seen_err = f->error;
    f->rip = resume;
}

/* Run the asm statement `insn`; the vector it raised, or -1. */
#define TRY(insn, ...)                                                           \
    ({                                                                           \
        seen_vec = ~0ull;                                                        \
        __asm__ volatile("lea 1f(%%rip), %%rax; mov %%rax, %0\n" insn "\n1:"    \
                         : "=m"(resume) __VA_ARGS__);                            \
        resume = 0;                                                              \
        (int)(seen_vec == ~0ull ? -1 : (int)seen_vec);                           \
    })

/* an instruction of a feature runs exactly when CPUID advertises it, else #UD */
static void gate(const char *feat, bool advertised, int vec)
{
    reportf(advertised ? vec == -1 : vec == 6, "%s: %s CPUID %d, instruction %s", model, feat,
            advertised, vec == -1 ? "runs" : vec == 6 ? "#UD" : "other fault");
}

/* the command line is "image-path model" */
static void model_from_cmdline(void)
{
    model = multiboot_cmdline();
    for (const char *p = model; p && *p; p++)
        if (*p == ' ')
            model = p + 1;
    if (!model || !*model)
        model = "default";
}

#endif
