/* history.h — finished races kept in SQLite, so they survive a restart or a kill -9.
 *
 * Ownership: history_open returns a `struct history` that owns the database connection and
 * its prepared statements; history_close frees it. Every struct the caller passes in or
 * gets filled is the caller's (plain fixed-size data; nothing is retained). One handle is
 * used from one thread at a time; several processes may open the same file (SQLite locks;
 * a writer waits up to 5 s for another).
 *
 * Durability: WAL journal with synchronous=FULL: once history_save returns 0 the race is
 * on disk and survives a crash or power loss. The schema is versioned with
 * PRAGMA user_version and migrated forward at open; a file from a newer pitwall is refused.
 *
 * The file is trusted no more than any input: a file that is not a pitwall history
 * database gives PW_EPARSE with a clear log line, text read back is cut to the struct's
 * bounds. Errors: PW_EPARSE (not a database, corrupt, or a foreign schema), -EBUSY (locked
 * by another process past the wait), -ENOSPC, -EROFS, -EACCES, -ENOMEM, -EIO (other SQLite
 * failures, logged with SQLite's message), -EINVAL (bad arguments), -ENOENT (no such race). */
#ifndef PW_HISTORY_HISTORY_H
#define PW_HISTORY_HISTORY_H

#include "core/event.h"
#include "core/log.h"
#include "core/timing.h"

#include <stdbool.h>
#include <stdint.h>

#define HISTORY_SCHEMA_VERSION 3
#define HISTORY_MAX_RESULTS PW_MAX_CARS

struct history;

struct history_race {
    char race_id[PW_RACE_ID_MAX]; /* non-empty; the key: saving the same id replaces */
    char source[16];              /* "simulation" or "replay" */
    char title[PW_TITLE_MAX];
    char selected_number[PW_NUMBER_MAX];
    char selected_name[PW_NAME_MAX];
    char selected_team[PW_TEAM_MAX];
    char status[16]; /* "finished" or "stopped" */
    int64_t created_ms, start_ms, end_ms; /* Unix ms */
    int total_laps, laps_completed;
    int64_t wall_duration_ms;
    char kind[24]; /* pw_session_kind_name: "race", "practice", ...; "" is read as "race" */
    /* The race-wide figures of the final positions frame (struct pw_race_state's fields of
     * the same names). A race saved before they were kept (schema 2) reads back with lap =
     * laps_completed, a green track, no fastest lap and nothing known of weather, penalties
     * or damage. */
    int lap;
    enum pw_track_status track;
    int64_t race_ms;
    char fastest_number[PW_NUMBER_MAX];
    int64_t fastest_lap_ms;
    bool weather_known;
    int rain_chance;   /* read back cut to 0..100 */
    bool raining;
    int track_wetness; /* read back cut to 0..100 */
    bool penalties_known;
    bool damage_known;
    int64_t clock_ms; /* practice and qualifying */
    bool clock_running;
    int session_part;    /* read back cut to 0..PW_QUALI_PARTS */
    int cutoff_position; /* read back cut to 0..PW_MAX_CARS */
    /* Read only (history_list, history_get; history_save ignores them): the first car of
     * the classification kept, "" when none was. */
    char first_number[PW_NUMBER_MAX];
    char first_name[PW_NAME_MAX];
};

/* Open (creating if needed, with its parent directories) the database at `path`. */
int history_open(const char *path, const struct pw_log *log, struct history **out);

/* After history_open failed with `rc`: what went wrong, naming the file and the real cause
 * (a read-only file system, a missing permission and its owner, a folder in the way, a
 * file that is not a SQLite database or not a pitwall history), asked of the file system
 * rather than taken from SQLite's "unable to open database file". */
void history_describe_error(const char *path, int rc, char *out, size_t len);

/* Store a race and its classification (`n` cars of the final positions frame,
 * 0..HISTORY_MAX_RESULTS, in order, every field of struct pw_car kept) in one transaction; a
 * race with the same race_id is replaced whole. Strings must be NUL-terminated within their
 * arrays and status "finished" or "stopped", else -EINVAL. */
int history_save(struct history *h, const struct history_race *race, const struct pw_car *cars,
                 int n);

/* Up to min(limit, max) races, newest first (end_ms, then created_ms, descending), skipping
 * `offset`. *n_out is how many were written to out. */
int history_list(struct history *h, int limit, int offset, struct history_race *out, int max,
                 int *n_out);

/* One race and its first `max` cars in classification order; -ENOENT if absent. `cars` may
 * be NULL when max is 0. A car saved before all of struct pw_car was kept (schema 2) reads
 * back with the fields it had and zeros (no tyre, no damage) for the rest; figures from the
 * file that no race can have are cut to bounds: counts and lap times to 0 and up, the
 * qualifying part to 0..PW_QUALI_PARTS, an unknown tyre as PW_TYRE_UNKNOWN, an unknown
 * damage or track status as none or green. */
int history_get(struct history *h, const char *race_id, struct history_race *race,
                struct pw_car *cars, int max, int *n_out);

int history_count(struct history *h, int *out);

/* The race-wide figures of `state` into `race` (lap, track, fastest lap, weather, ...; the
 * fields above that a state has), for history_save. */
void history_race_take_state(struct history_race *race, const struct pw_race_state *state);
/* A race read back as the state of its final positions frame: its figures and `n` cars
 * (n <= PW_MAX_CARS), for the encoders a live race's frames are made with. */
void history_race_state(const struct history_race *race, const struct pw_car *cars, int n,
                        struct pw_race_state *state);

/* NULL is fine. */
void history_close(struct history *h);

#endif
