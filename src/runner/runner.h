/* runner.h — drives one race source on the event loop's clock and publishes its events.
 *
 * Owns: the source it is given (destroyed with the runner), the race's meta, a uv timer.
 * Every event it publishes is stamped with the race id, a per-race sequence number, the
 * wall time and the meta. Once per tick it publishes PW_EV_POSITIONS with the whole running
 * order, the ticks on a fixed grid (tick_clock.h) so ticks that run late do not make them
 * fewer. Time compression is a speed factor (race ms per wall ms), applied to the loop's
 * monotonic clock so ticks that run late do not slow the race down. */
#ifndef PW_RUNNER_RUNNER_H
#define PW_RUNNER_RUNNER_H

#include "bus/bus.h"
#include "core/event.h"
#include "core/log.h"
#include "core/source.h"

#include <stdbool.h>
#include <uv.h>

#define RUNNER_MAX_TICK_HZ 10

struct runner_options {
    int tick_hz;         /* 1..10 positions ticks per wall second */
    double speed;        /* race ms per wall ms (> 0) */
    bool as_fast_as_possible; /* ignore the wall clock: one tick per loop turn */
    int64_t start_ms;    /* race clock to start from (replays may skip ahead) */
    /* Optional: each tick's telemetry (sources that have it), stamped with the race id. */
    pw_telemetry_fn on_telemetry;
    void *telemetry_ctx;
};

struct runner;

/* Called once when the race is over (finished or stopped), after the last event was
 * published. The runner may be destroyed from inside the callback. */
typedef void (*runner_done_fn)(void *ctx, struct runner *r);

/* Start publishing `src` (ownership passes to the runner, also on error) as race
 * `meta->race_id`. PW_EV_RACE_CREATED is published before this returns. */
int runner_start(uv_loop_t *loop, struct pw_bus *bus, struct pw_source *src,
                 const struct pw_race_meta *meta, const struct runner_options *opt,
                 const struct pw_log *log, runner_done_fn on_done, void *done_ctx,
                 struct runner **out);

int runner_pause(struct runner *r);
int runner_resume(struct runner *r);
/* Move the race clock; -ENOTSUP when the source cannot seek. */
int runner_seek(struct runner *r, int64_t race_ms);
/* End the race now: publishes PW_EV_RACE_STOPPED with `reason` as text, then on_done. */
void runner_stop(struct runner *r, const char *reason);

const struct pw_race_meta *runner_meta(const struct runner *r);
bool runner_paused(const struct runner *r);
bool runner_done(const struct runner *r);

/* Stop the timer and free everything (the uv handle is closed asynchronously). */
void runner_destroy(struct runner *r);

#endif
