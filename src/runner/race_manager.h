/* race_manager.h — carries out race control requests (start, stop, pause, resume, seek)
 * arriving on the bus, by creating race sources and runners. A stop, pause, resume or seek
 * is carried out only with the race's control token or the admin token in it (the edge
 * checked it already; a request on the bus from anywhere else must not pass either).
 *
 * Owns: every runner it started (and so their sources). Borrows: the grid, the bus and the
 * strings in its config, which must outlive it. In embedded mode there is one manager in
 * the process; in Kafka mode each race-runner process has one and the control topic's
 * consumer group gives each request to exactly one of them. */
#ifndef PW_RUNNER_RACE_MANAGER_H
#define PW_RUNNER_RACE_MANAGER_H

#include "bus/bus.h"
#include "core/log.h"
#include "core/telemetry.h"
#include "race/grid.h"
#include "race/race_weather.h"

#include <stdbool.h>
#include <uv.h>

struct race_manager_config {
    const struct pw_grid *grid;
    const char *default_circuit;  /* NULL = the simulator's default */
    int64_t wall_duration_ms;     /* a simulated race takes this long on the wall, default 60 s */
    int tick_hz;                  /* default 1 */
    bool podium;                  /* picked driver ends on the podium, default true */
    enum race_weather_mode weather; /* default RACE_WEATHER_AUTO: the circuit's chance */
    const char *archive_dir;      /* root of replayable sessions, NULL = replays disabled */
    double replay_speed;          /* default replay speed factor, default 10 */
    int max_races;                /* concurrent races, default 64 */
    bool as_fast_as_possible;     /* tests and tools: ignore the wall clock */
    const char *admin_hash;       /* SHA-256 (hex) of the admin token, NULL or "" = none */
    pw_telemetry_fn on_telemetry; /* optional: every race's telemetry (runner_options) */
    void *telemetry_ctx;
};

void race_manager_config_defaults(struct race_manager_config *cfg);

struct race_manager;

int race_manager_create(uv_loop_t *loop, struct pw_bus *bus, const struct race_manager_config *cfg,
                        const struct pw_log *log, struct race_manager **out);
/* Start the race `ctl` asks for, here and now (the embedded server calls this directly, so
 * a start that cannot happen is answered as an error before the client hears "started";
 * starts that arrive over the bus come here too). On failure `err` says why, in words
 * for the client, and the code is -EEXIST (the id runs already), PW_ELIMIT (too many
 * races), -ENOENT / PW_EUNKNOWN (no such session, driver or circuit), -ENOTSUP (replays not
 * configured), PW_EPARSE or another code from the replay reader (a session that cannot
 * be replayed), -ENOMEM. */
int race_manager_start(struct race_manager *m, const struct pw_control *ctl, char *err,
                       size_t errlen);
/* Races currently running (not finished or stopped). */
int race_manager_running(const struct race_manager *m);
/* Is this race running here and paused? */
bool race_manager_paused(const struct race_manager *m, const char *race_id);
/* Stop every running race (shutdown): each gets PW_EV_RACE_STOPPED with `reason`. */
void race_manager_stop_all(struct race_manager *m, const char *reason);
void race_manager_destroy(struct race_manager *m);

/* Derive a simulation seed from a race id (FNV-1a), so a race is reproducible from its id. */
uint64_t race_manager_seed_for(const char *race_id);

#endif
