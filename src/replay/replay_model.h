/* replay_model.h — turns merged archive topics into pitwall's race state and events.
 *
 * The model keeps each topic's merged JSON state and, per car, the figures pitwall shows.
 * Each archive line is applied with replay_model_apply: the line's JSON is merged into its
 * topic, the cars it touches are re-read from the merged state, `state` is rebuilt in
 * running order (cars[i].position == i + 1; cars without a timing position last, in
 * DriverList order), and the events the change implies are emitted through `emit`
 * (NULL = quiet, used to seek). Events leave race_id/seq/wall_ms/meta zero.
 *
 * How events are derived (docs/REPLAY.md has the reasons):
 *  - lap completed: NumberOfLaps grows; lap_ms is LastLapTime when present;
 *  - pit in / pit out: InPit changes; pit out waits (REPLAY_PIT_OUT_WAIT_MS at most) for
 *    TimingAppData's new stint with a known compound, so that it carries the tyre fitted;
 *  - retirement: Retired or Stopped becomes true (state: retired);
 *  - overtake: A moves ahead of B in one line while neither is in the pit lane, on an out
 *    lap, retired or finished, and the track is not under SC, VSC or red flag (so pit
 *    cycles, stricken cars and penalties are not overtakes); reported once A has stayed
 *    ahead for REPLAY_OVERTAKE_HOLD_MS (a pass undone within that time is no pass); not
 *    on a car that keeps losing places (slowing) nor by a car that gains several in one
 *    line (a reshuffle), see the constants below;
 *  - fastest lap: the smallest BestLapTime improves;
 *  - track status: TrackStatus "1" green, "2" yellow, "4" SC, "5" red, "6" VSC, "7" VSC
 *    ending (other codes ignored);
 *  - final lap: LapCount CurrentLap reaches TotalLaps; chequered: the leader completes
 *    TotalLaps, or SessionStatus "Finished";
 *  - race control: each new RaceControlMessages entry, its Message as text.
 * Car events are only emitted once the race has started (race_ms >= 0), and carry the
 * car's current tyre, as the simulator's do; fastest lap carries the lap it was set on.
 *
 * Ownership: the model owns its JSON states; free with replay_model_free. */
#ifndef PW_REPLAY_MODEL_H
#define PW_REPLAY_MODEL_H

#include "core/event.h"
#include "replay/replay.h"
#include "replay/replay_feed.h"
#include "replay/replay_session.h"

#include <jansson.h>

#define REPLAY_PIT_OUT_WAIT_MS 10000
/* A car passed REPLAY_SLOWING_LOSSES times, each within REPLAY_SLOWING_WINDOW_MS of the
 * last, is slowing: passes on it are dropped until it has lost no place for that long. A
 * car that gains REPLAY_RESHUFFLE_GAIN places or more in one line gains them from cars
 * dropping back, not by passing them. */
#define REPLAY_SLOWING_LOSSES 3
#define REPLAY_SLOWING_WINDOW_MS 12000
#define REPLAY_RESHUFFLE_GAIN 3
/* A pass is reported once it has held this long: timing lines reorder cars back and
 * forth within a fraction of a second at starts and restarts. */
#define REPLAY_OVERTAKE_HOLD_MS 2000
#define REPLAY_PENDING_PASSES_MAX 64

struct replay_car_slot {
    struct pw_car car; /* driver and figures; car.position is the running order */
    int feed_position; /* TimingData Position, 0 = none */
    int line_order;    /* DriverList Line, orders cars without a position */
    int rank;          /* index in state.cars, -1 before the first ordering */
    int n_stints;
    int stints_at_pit_in;
    bool pit_in_seen; /* a pit entry was seen since lights out */
    bool pit_out_pending;
    int64_t pit_out_deadline;
    bool on_out_lap; /* TimingData PitOut */
    /* places lost to passes lately: a car passed again and again is slowing (a problem, a
     * pit entry not in the feed yet), not being overtaken */
    int recent_losses;
    int64_t last_loss_ms;
};

struct replay_pending_pass {
    int a, b;    /* slot indices: a passed b */
    int64_t due; /* race clock when it is reported */
};

struct replay_model_stats {
    uint64_t invalid_json;
    uint64_t unknown_numbers;
    uint64_t merge_ignored;
};

struct replay_model {
    json_t *topics[REPLAY_TOPIC_COUNT];
    struct replay_car_slot slots[PW_MAX_CARS];
    int n_slots;
    struct pw_race_state state;
    int current_lap; /* LapCount CurrentLap, 0 = no LapCount yet */
    size_t rc_seen;  /* race control messages already emitted */
    bool final_lap_done;
    bool chequered_done;
    struct replay_pending_pass passes[REPLAY_PENDING_PASSES_MAX];
    int n_passes;
    struct replay_model_stats stats;
    struct replay_session session; /* practice and qualifying: clock, parts */
    /* Set for the duration of one call: */
    bool count;
    pw_emit_fn emit;
    void *emit_ctx;
};

void replay_model_init(struct replay_model *m);
/* Back to the empty state (topics freed), counters kept. */
void replay_model_reset(struct replay_model *m);
void replay_model_free(struct replay_model *m);

/* Race clock at which the next delayed event (pit out, pass) falls due; INT64_MAX if none.
 * The source ticks there first so delayed events carry their own time. */
int64_t replay_model_next_due(const struct replay_model *m);

/* Moves the race clock to `race_ms` and emits pit outs and passes that are due. */
void replay_model_tick(struct replay_model *m, int64_t race_ms, pw_emit_fn emit, void *ctx);

/* Applies one line of `topic` (`text`, `len` bytes of JSON) at the current clock.
 * `count` says whether problems are counted (false when a seek replays lines again).
 * Returns 0 (bad lines are counted and skipped) or -ENOMEM. */
int replay_model_apply(struct replay_model *m, enum replay_topic topic, const char *text,
                       size_t len, bool count, pw_emit_fn emit, void *ctx);

/* Emits PW_EV_LIGHTS_OUT at the current clock. */
void replay_model_lights_out(struct replay_model *m, pw_emit_fn emit, void *ctx);

/* End of the feed: pending pit outs and passes, then PW_EV_CLASSIFICATION; state.finished
 * set. */
void replay_model_finish(struct replay_model *m, pw_emit_fn emit, void *ctx);

/* Latest WeatherData reading. */
void replay_model_weather(const struct replay_model *m, struct replay_weather *out);

#endif
