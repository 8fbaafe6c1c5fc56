/* tick_clock.h — when a race's next positions tick is due: on a fixed grid of periods from
 * the first one, not a period after the last tick ran.
 *
 * Owns: nothing (a plain value the runner keeps). A repeating uv timer is rearmed from the
 * loop time at which its callback runs, so every tick that runs late (a loop turn busy
 * writing a tick to thousands of sockets, or a process waiting for a CPU) pushes every
 * later tick back by as much: with ticks 8 ms late on average a 10 Hz race sends 9.2
 * positions a second. On the grid a late tick shortens the wait for the next one instead;
 * a tick later than a whole period stands for the grid points it passed, which are
 * skipped rather than sent in a burst (the race clock follows the wall clock either way,
 * so the next tick shows the race as it stands then). */
#ifndef PW_RUNNER_TICK_CLOCK_H
#define PW_RUNNER_TICK_CLOCK_H

#include <stdint.h>

struct tick_clock {
    uint64_t period_ms; /* > 0 */
    uint64_t due_ms;    /* the grid point of the next tick, on the clock given to start */
    uint64_t skipped;   /* grid points passed without a tick of their own */
};

/* The first tick is due a period after now_ms. period_ms must be > 0. */
void tick_clock_start(struct tick_clock *c, uint64_t now_ms, uint64_t period_ms);

/* The tick due at c->due_ms runs at now_ms: moves to the next grid point after now_ms and
 * returns how long until it, in ms (> 0; at most period_ms unless the tick ran early). */
uint64_t tick_clock_next(struct tick_clock *c, uint64_t now_ms);

#endif
