/* source.h — the interface every race source implements (simulator in src/race, archive
 * replay in src/replay). A source knows nothing about HTTP, Kafka or wall-clock time: the
 * race runner decides when to advance it and how far, which is how time compression,
 * pause and "as fast as possible" work for every source alike. */
#ifndef PW_CORE_SOURCE_H
#define PW_CORE_SOURCE_H

#include "core/event.h"
#include "core/telemetry.h"

#include <stdint.h>

struct pw_source;

struct pw_source_ops {
    /* Advance the race clock to `race_ms` (never backwards), emitting every event that
     * happened on the way, in order, through `emit`. Does not emit PW_EV_POSITIONS: the
     * runner does, once per tick, from `state`. Returns 0 while the race goes on, 1 once
     * the race is over (classification emitted), or a negative error. */
    int (*advance)(struct pw_source *src, int64_t race_ms, pw_emit_fn emit, void *emit_ctx);
    /* The current state; valid until the next advance or destroy. */
    const struct pw_race_state *(*state)(const struct pw_source *src);
    /* Expected race-clock length of the whole race in ms (for progress and compression).
     * The simulator estimates; a replay knows. */
    int64_t (*duration_ms)(const struct pw_source *src);
    /* Optional (may be NULL): move to `race_ms`, backwards too, re-emitting nothing. */
    int (*seek)(struct pw_source *src, int64_t race_ms);
    /* Optional (may be NULL): every running car's sensor readings at the current race
     * clock (core/telemetry.h); the simulator has them, an archive replay does not. */
    int (*telemetry)(const struct pw_source *src, struct pw_telemetry *out);
    void (*destroy)(struct pw_source *src);
};

/* Every source starts with this struct, so `(struct pw_source *)impl` works. */
struct pw_source {
    const struct pw_source_ops *ops;
};

#endif
