/* replay.h — replay of real races from F1's live-timing archive (docs/REPLAY.md).
 *
 * A replay is a race source (core/source.h) built from one archive session directory,
 * `<session>/<Topic>.jsonStream` (format: ../shared/f1-archive/README.md, docs/REPLAY.md).
 * It produces the same race events and `struct pw_race_state` as the simulator, on the race
 * clock: race_ms 0 is lights out (SessionStatus "Started"; see docs/REPLAY.md for the
 * fallback), negative before. The replay ends at the end of the timing feed (SessionStatus
 * "Finalised", else the last line of any topic) with PW_EV_CLASSIFICATION.
 *
 * Ownership: replay_open gives the caller a source that it frees with
 * `src->ops->destroy(src)`; the source keeps no pointer to `opt` or `session_dir`, and keeps
 * `log` (which must outlive it). Everything read from the archive is untrusted: bad lines
 * are skipped and counted (replay_get_stats), never fatal once the session is open. */
#ifndef PW_REPLAY_REPLAY_H
#define PW_REPLAY_REPLAY_H

#include "core/log.h"
#include "core/source.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct replay_options {
    int64_t start_ms;      /* race clock offset to start at; default 0 = lights out */
    size_t max_line_bytes; /* longest archive line accepted; default 1 MiB */
};

void replay_options_defaults(struct replay_options *o);

/* Opens the session in `session_dir` and positions it at opt->start_ms (NULL opt =
 * defaults) without emitting anything; the first advance emits PW_EV_LIGHTS_OUT once the
 * clock is at or past 0. Returns 0, or a negative code with a clear message in `err` that
 * names the file and the cause (a missing or unreadable directory, no TimingData.jsonStream,
 * a TimingData that places no car: empty, random bytes or another topic's file — PW_EPARSE,
 * out of memory). */
int replay_open(const char *session_dir, const struct replay_options *opt, const struct pw_log *log,
                struct pw_source **out, char *err, size_t errlen);

struct replay_stats {
    uint64_t lines_read;                 /* non-empty lines in the known topic files */
    uint64_t lines_skipped_invalid_json; /* not JSON, or not a JSON object */
    uint64_t lines_skipped_bad_offset;   /* no valid HH:MM:SS.mmm at the start */
    uint64_t lines_skipped_too_long;     /* over max_line_bytes */
    uint64_t unknown_racing_numbers;     /* car keys that are no racing number, or past
                                            PW_MAX_CARS cars: ignored */
    uint64_t out_of_order;               /* offset earlier than the line before: applied
                                            in file order at the previous offset */
    uint64_t merge_ignored;              /* patches the merge could not apply (array index
                                            past the end, nesting too deep, bad _deleted) */
};

/* Counters so far (each line is counted once, however often seeks replay it). Zeroes if
 * `src` is not a replay source. */
void replay_get_stats(const struct pw_source *src, struct replay_stats *out);

struct replay_session_info {
    char id[256];   /* path relative to the archive root */
    char title[96]; /* "2025 Miami Grand Prix Sprint"; the id when SessionInfo is missing */
    int laps;       /* scheduled laps (LapCount TotalLaps, last value), 0 if unknown */
    enum pw_session_kind kind; /* from SessionInfo Type and Name; race if it says nothing */
};

/* Finds sessions (directories holding TimingData.jsonStream) under `archive_roots`, one
 * root or several separated by ':' (an id under an earlier root hides the same id under a
 * later one), up to 4 levels deep, without following symbolic links below a root, sorted by
 * id. Fills at most `max` entries (the first by id) and sets *n_out to how many. Returns 0
 * or a negative code (no root could be read). */
int replay_list_sessions(const char *archive_roots, struct replay_session_info *out, int max,
                         int *n_out);

/* Resolves a session id from replay_list_sessions (untrusted, e.g. from an API request) to
 * its directory under the first of `archive_roots` (as above) that has it: rejects absolute
 * ids, "..", empty or odd path segments and ids that are not a session. Returns 0 with the
 * path in `path`, or -EINVAL / -ENOENT / -ENAMETOOLONG. */
int replay_resolve_session(const char *archive_roots, const char *id, char *path, size_t pathlen);

/* Title, laps and kind of an open replay (id is ""). Returns -EINVAL if `src` is no replay. */
int replay_get_session_info(const struct pw_source *src, struct replay_session_info *out);

/* Offset in the feed (ms from the session's start) that is race_ms 0; -1 if no replay. */
int64_t replay_lights_out_offset(const struct pw_source *src);

struct replay_weather {
    bool present; /* WeatherData has given at least one reading */
    double air_temp_c;
    double track_temp_c;
    double humidity_pct;
    double wind_speed_ms;
    bool rainfall;
};

/* Latest WeatherData reading at the current replay position. -EINVAL if no replay. */
int replay_get_weather(const struct pw_source *src, struct replay_weather *out);

#endif
