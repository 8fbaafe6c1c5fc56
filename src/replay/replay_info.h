/* replay_info.h — what a session is (title, laps) and when its race runs (lights out,
 * end of timing), read from the small topics of a feed without replaying it.
 * Pure functions over caller-owned data; returned JSON is owned by the caller. */
#ifndef PW_REPLAY_INFO_H
#define PW_REPLAY_INFO_H

#include "core/timing.h"
#include "replay/replay_feed.h"

#include <jansson.h>

/* Merges every line of one stream into a fresh state (NULL if none usable). Lines that are
 * not JSON objects are skipped (the replay itself counts them). */
json_t *replay_info_merge_stream(const struct replay_stream *s);

/* "2025 Miami Grand Prix Sprint" from a merged SessionInfo; "" if it says nothing. */
void replay_info_title(const json_t *session_info, char *buf, size_t buflen);

/* The kind of session from a merged SessionInfo: Type "Practice" is practice; "Qualifying"
 * is sprint qualifying when Name speaks of a sprint ("Sprint Qualifying", 2023's "Sprint
 * Shootout"), else qualifying; "Race" is a sprint when Name says "Sprint" (2021's sprint was
 * called "Sprint Qualifying" but ran as a race, Type "Race"), else a race. Without Type, the
 * Name alone; without either, a race. */
enum pw_session_kind replay_info_kind(const json_t *session_info);

/* TotalLaps of a merged LapCount, 0 if unknown. */
int replay_info_laps(const json_t *lap_count);

/* Lights out, as a feed offset: the first SessionStatus "Started"; else, from LapCount,
 * the time the leader started lap 2 minus the length of lap 2; else the feed's first
 * offset (0 for an empty feed). */
int64_t replay_info_lights_out(const struct replay_feed *feed);

/* End of the race's timing, as a feed offset: the first SessionStatus "Finalised" at or
 * after `lights_out`, else the feed's last offset; never before `lights_out`. */
int64_t replay_info_end(const struct replay_feed *feed, int64_t lights_out);

/* Whether the feed's TimingData can drive a replay: at least one line that is a JSON object
 * giving some car (a racing number under Lines) a Position. Returns 0, or PW_EPARSE with
 * the cause in `why` ("empty", "no line in the archive format", "not timing data: ...")
 * for a file that is empty, random bytes or another topic's file. */
int replay_info_check_timing(const struct replay_feed *feed, char *why, size_t whylen);

#endif
