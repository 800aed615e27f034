/* testsuite/satori.cpu/exc-common.h: the recording exception handler shared by
 * exceptions.c and exc-hw.c.  The handler notes vector, error code and RIP,
 * skips `skip` bytes, and undoes what each test set up to cause the fault. */
#ifndef EXC_COMMON_H
#define EXC_COMMON_H

#include "runtime.h"

static volatile uint64_t seen_vec, seen_err, seen_rip, seen_count;
static volatile uint64_t skip;
static volatile uint64_t good_rsp;

static void handler(struct frame *f)
{
    seen_vec = f->vector;
    seen_err = f->error;
    seen_rip = f->rip;
    seen_count++;
    f->rip += skip;
    f->rflags &= ~0x100ul; /* stop single-stepping */
    if (f->vector == 12)
        f->rsp = good_rsp;
    if (f->vector == 8)
        idt_set_present(13, true);
    if (f->vector == 7)
        write_cr0(read_cr0() & ~8ul);
}

#define EXPECT(name, vec, err) \
    reportf(seen_vec == (vec) && seen_err == (err), "%s: vector %lu error %lx", name, seen_vec, seen_err)

#endif
