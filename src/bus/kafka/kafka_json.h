/* kafka_json.h — JSON values of pitwall's JSON topics (docs/KAFKA.md):
 *   f1-commentary        {id, message, timestamp, type} + race_id, lap, seq, race_ms, and
 *                        "done": true on the commentary-done marker (PW_EV_COMMENTARY_DONE;
 *                        absent: false, a line)
 *   pitwall-race-events  every race event but positions: all pw_event fields, the race's
 *                        pw_race_meta under "meta" and the state after the event under
 *                        "state" (cars as in the SSE CAR object)
 *   pitwall-race-control a pw_control
 *
 * Encoders return a malloc'd NUL-terminated string the caller frees (NULL: out of memory).
 * Decoders take untrusted bytes: bounded (KAFKA_JSON_MAX), every field type- and
 * length-checked; they fill caller-owned structs and return 0, PW_EPARSE (not JSON / not
 * an object / wrong types) or PW_ERANGE_IN (a value out of range or too long). */
#ifndef PW_BUS_KAFKA_JSON_H
#define PW_BUS_KAFKA_JSON_H

#include "bus/bus.h"

#include <stdbool.h>
#include <stddef.h>

#define KAFKA_JSON_MAX (256 * 1024)

char *kafka_json_encode_event(const struct pw_event *ev);
char *kafka_json_encode_commentary(const struct pw_event *ev);
char *kafka_json_encode_control(const struct pw_control *ctl);

/* Decodes a race event. `meta` and `state` receive the event's meta and state when the
 * message has them (*has_meta / *has_state say so); ev->meta and ev->state are left NULL
 * for the caller to point. */
int kafka_json_decode_event(const void *buf, size_t len, struct pw_event *ev,
                            struct pw_race_meta *meta, bool *has_meta,
                            struct pw_race_state *state, bool *has_state);
int kafka_json_decode_commentary(const void *buf, size_t len, struct pw_event *ev);
int kafka_json_decode_control(const void *buf, size_t len, struct pw_control *ctl);

#endif
