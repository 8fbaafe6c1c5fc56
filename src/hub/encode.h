/* encode.h — the JSON shapes of docs/API.md (original app's fields first, pitwall's added
 * fields after) for positions, commentary and race events, and the SSE frame around them.
 * Every function returns a new jansson reference (caller owns) or NULL on out-of-memory. */
#ifndef PW_HUB_ENCODE_H
#define PW_HUB_ENCODE_H

#include "core/buf.h"
#include "core/event.h"

#include <jansson.h>

/* One car: {"driver_name","position","timestamp","race_id", extras...}. */
json_t *hub_encode_car(const struct pw_car *car, const char *race_id, int64_t timestamp_ms);
/* The array of cars in running order. */
json_t *hub_encode_positions_list(const struct pw_race_state *st, const char *race_id,
                                  int64_t timestamp_ms);
/* {"positions":[...],"timestamp","race_id","seq","lap","total_laps","track_status",
 *  "race_ms","server_ms","fastest_lap","status"} for a positions event. */
json_t *hub_encode_positions_data(const struct pw_event *ev, const char *status);
/* {"id","message","timestamp","type","lap","race_id","race_ms"} */
json_t *hub_encode_commentary_data(const struct pw_event *ev);
/* {"type":"overtake","car",...} for any other race event. */
json_t *hub_encode_race_event_data(const struct pw_event *ev);

/* "id: <id>\n" [ "event: <name>\n" ] "data: <json>\n\n" as a new buffer (NULL on OOM).
 * `id` and `event` may be NULL. `data` must not contain newlines (compact JSON never does). */
struct pw_buf *hub_sse_frame(const char *id, const char *event, const char *data, size_t data_len);

/* ISO-8601 UTC with milliseconds, "2026-11-28T12:00:00.000Z", into out (>= 25 bytes). */
void hub_encode_iso_time(int64_t unix_ms, char *out, size_t len);

#endif
