/*
 * timers/ public interface: the virtual clock and the timer queue.
 *
 * Virtual nanoseconds since power-on are the only time any guest-visible
 * device or the CPU sees (DESIGN.md, Time).  In realtime mode the clock
 * follows the host monotonic clock while the machine runs and stops while it
 * is paused; in icount mode (-icount shift=N) it is the executed instruction
 * count shifted left by N, so it is a pure function of guest execution.
 *
 * Nothing outside timers/ reads the host clock.
 */
#ifndef SATORI_TIMERS_H
#define SATORI_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

enum vclock_mode { VCLOCK_REALTIME, VCLOCK_ICOUNT };

/* Default guest TSC frequency in Hz (DESIGN.md: fixed, configurable). */
#define VCLOCK_DEFAULT_TSC_HZ 2500000000ull

/*
 * The instruction counter source used in icount mode: returns the number of
 * guest instructions retired so far (all vCPUs).  Registered by the board.
 */
typedef uint64_t (*icount_fn)(void *opaque);

/* Configure the clock; call once before anything reads it. */
void vclock_init(enum vclock_mode mode, int icount_shift, uint64_t tsc_hz);
void vclock_set_icount_source(icount_fn fn, void *opaque);
enum vclock_mode vclock_mode(void);
int vclock_icount_shift(void);

/* Virtual nanoseconds since power-on. */
int64_t vclock_ns(void);
/* Guest TSC derived from vclock_ns() and the TSC frequency. */
uint64_t vclock_tsc(void);
uint64_t vclock_tsc_hz(void);
/* Convert a virtual-ns interval to TSC ticks and back (exact integer math). */
uint64_t vclock_ns_to_ticks(int64_t ns);

/*
 * Wall-clock date (Unix seconds, UTC) at virtual time 0, for the RTC's
 * power-on date: in realtime mode the host date read once by vclock_init();
 * in icount mode a fixed date (2000-01-01 00:00:00 UTC), so a deterministic
 * run sees the same date every time.
 */
int64_t vclock_wall_base(void);

/* Pause/resume realtime progress (monitor 'stop', idle accounting). */
void vclock_pause(void);
void vclock_resume(void);
/*
 * In realtime mode an idle machine (all vCPUs halted) may let virtual time
 * jump straight to the next deadline instead of sleeping on the host when
 * 'warp' is true; in icount mode idle time always warps (instructions do not
 * advance while halted, so the clock is advanced to the deadline).
 */
void vclock_warp_to(int64_t ns);

/* ---- timer queue -------------------------------------------------------- */

struct timer;
typedef void (*timer_cb)(void *opaque);

struct timer *timer_new(timer_cb cb, void *opaque);
void timer_free(struct timer *t);
/* Arm (or re-arm) to fire when vclock_ns() >= deadline_ns. */
void timer_mod(struct timer *t, int64_t deadline_ns);
void timer_del(struct timer *t);
bool timer_pending(const struct timer *t);
int64_t timer_deadline(const struct timer *t);

/*
 * fn is called whenever timer_mod makes a timer the earliest one: a device
 * armed a deadline during a slice, and the board ends the slice so the
 * next one is cut at it (under -icount the slice budget runs up to the
 * earliest deadline only as it was when the slice began).
 */
void timers_set_deadline_notify(void (*fn)(void *opaque), void *opaque);

/* Earliest armed deadline, or INT64_MAX when none. */
int64_t timers_next_deadline(void);
/* Run every timer whose deadline has passed; returns how many ran. */
int timers_run_expired(void);

#endif
