/*
 * timers/vclock.c: the virtual clock and the timer queue (DESIGN.md, Time).
 *
 * Realtime mode follows CLOCK_MONOTONIC while running (this file is the
 * only place in satori that reads the host clock; it also reads the host
 * date once, for the RTC's power-on date: vclock_wall_base); icount mode derives
 * virtual nanoseconds from the retired-instruction count, shifted left by
 * the configured shift, plus any idle warp.  The timer queue is a binary
 * min-heap of deadlines.
 */
#include "timers/timers.h"

#include <stdlib.h>
#include <time.h>

static struct {
    enum vclock_mode mode;
    int shift;
    uint64_t tsc_hz;
    icount_fn icount;
    void *icount_opaque;
    int64_t host_base;   /* host ns at the last resume */
    int64_t virt_base;   /* virtual ns at the last resume */
    int64_t warp;        /* icount: ns added by idle warps */
    int64_t wall_base;   /* host Unix seconds at vclock_init (realtime) */
    bool paused;
} vc = { .tsc_hz = VCLOCK_DEFAULT_TSC_HZ };

static int64_t host_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void vclock_init(enum vclock_mode mode, int icount_shift, uint64_t tsc_hz)
{
    vc.mode = mode;
    vc.shift = icount_shift;
    vc.tsc_hz = tsc_hz ? tsc_hz : VCLOCK_DEFAULT_TSC_HZ;
    vc.host_base = host_ns();
    vc.wall_base = (int64_t)time(NULL);
    vc.virt_base = 0;
    vc.warp = 0;
    vc.paused = false;
    vc.icount = NULL;           /* a new clock counts nobody's instructions yet */
    vc.icount_opaque = NULL;
}

void vclock_set_icount_source(icount_fn fn, void *opaque)
{
    vc.icount = fn;
    vc.icount_opaque = opaque;
}

enum vclock_mode vclock_mode(void) { return vc.mode; }

#define VCLOCK_ICOUNT_WALL_BASE 946684800   /* 2000-01-01 00:00:00 UTC */

int64_t vclock_wall_base(void)
{
    return vc.mode == VCLOCK_ICOUNT ? VCLOCK_ICOUNT_WALL_BASE : vc.wall_base;
}
int vclock_icount_shift(void) { return vc.shift; }
uint64_t vclock_tsc_hz(void) { return vc.tsc_hz; }

int64_t vclock_ns(void)
{
    if (vc.mode == VCLOCK_ICOUNT) {
        uint64_t n = vc.icount ? vc.icount(vc.icount_opaque) : 0;
        return (int64_t)(n << vc.shift) + vc.warp;
    }
    if (vc.paused)
        return vc.virt_base;
    return vc.virt_base + (host_ns() - vc.host_base);
}

uint64_t vclock_ns_to_ticks(int64_t ns)
{
    unsigned __int128 t = (unsigned __int128)(uint64_t)ns * vc.tsc_hz;

    return (uint64_t)(t / 1000000000u);
}

uint64_t vclock_tsc(void)
{
    return vclock_ns_to_ticks(vclock_ns());
}

void vclock_pause(void)
{
    if (vc.mode == VCLOCK_REALTIME && !vc.paused) {
        vc.virt_base = vclock_ns();
        vc.paused = true;
    }
}

void vclock_resume(void)
{
    if (vc.paused) {
        vc.host_base = host_ns();
        vc.paused = false;
    }
}

void vclock_warp_to(int64_t ns)
{
    int64_t now = vclock_ns();

    if (ns <= now)
        return;
    if (vc.mode == VCLOCK_ICOUNT)
        vc.warp += ns - now;
    else
        vc.virt_base += ns - now;
}

/* ---- timer queue: binary min-heap ---------------------------------------- */

struct timer {
    timer_cb cb;
    void *opaque;
    int64_t deadline;
    int heap_index;      /* -1 when not armed */
};

static struct timer **heap;
static int heap_len, heap_cap;
static void (*deadline_notify)(void *opaque);
static void *deadline_notify_opaque;

void timers_set_deadline_notify(void (*fn)(void *opaque), void *opaque)
{
    deadline_notify = fn;
    deadline_notify_opaque = opaque;
}

static void heap_swap(int a, int b)
{
    struct timer *t = heap[a];

    heap[a] = heap[b];
    heap[b] = t;
    heap[a]->heap_index = a;
    heap[b]->heap_index = b;
}

static void heap_up(int i)
{
    while (i > 0) {
        int p = (i - 1) / 2;
        if (heap[p]->deadline <= heap[i]->deadline)
            break;
        heap_swap(i, p);
        i = p;
    }
}

static void heap_down(int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < heap_len && heap[l]->deadline < heap[m]->deadline)
            m = l;
        if (r < heap_len && heap[r]->deadline < heap[m]->deadline)
            m = r;
        if (m == i)
            break;
        heap_swap(i, m);
        i = m;
    }
}

struct timer *timer_new(timer_cb cb, void *opaque)
{
    struct timer *t = calloc(1, sizeof *t);

    if (!t)
        abort();
    t->cb = cb;
    t->opaque = opaque;
    t->heap_index = -1;
    return t;
}

void timer_free(struct timer *t)
{
    if (!t)
        return;
    timer_del(t);
    free(t);
}

void timer_del(struct timer *t)
{
    int i = t->heap_index;

    if (i < 0)
        return;
    heap_len--;
    if (i != heap_len) {
        heap[i] = heap[heap_len];
        heap[i]->heap_index = i;
        heap_up(i);
        heap_down(heap[i]->heap_index);
    }
    t->heap_index = -1;
}

void timer_mod(struct timer *t, int64_t deadline_ns)
{
    timer_del(t);
    if (heap_len == heap_cap) {
        heap_cap = heap_cap ? heap_cap * 2 : 16;
        heap = realloc(heap, (size_t)heap_cap * sizeof *heap);
        if (!heap)
            abort();
    }
    t->deadline = deadline_ns;
    t->heap_index = heap_len;
    heap[heap_len++] = t;
    heap_up(t->heap_index);
    if (t->heap_index == 0 && deadline_notify)
        deadline_notify(deadline_notify_opaque);
}

bool timer_pending(const struct timer *t) { return t->heap_index >= 0; }
int64_t timer_deadline(const struct timer *t) { return t->deadline; }

int64_t timers_next_deadline(void)
{
    return heap_len ? heap[0]->deadline : INT64_MAX;
}

int timers_run_expired(void)
{
    int n = 0;
    int64_t now = vclock_ns();

    while (heap_len && heap[0]->deadline <= now) {
        struct timer *t = heap[0];
        timer_del(t);
        t->cb(t->opaque);
        n++;
    }
    return n;
}
