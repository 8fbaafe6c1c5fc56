/* hub_frames.c — a race's frames: each event encoded once into the original streams' frame
 * and the combined stream's (a positions tick there as a delta: delta.h), appended to the
 * race's event log and fanned out to the clients of each stream; the `status`, `end` and
 * `snapshot` frames the hub derives. */
#include "core/error.h"
#include "hub/delta.h"
#include "hub/encode.h"
#include "hub/hub_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void frame_id(const struct hub_race *race, char *out, size_t len)
{
    snprintf(out, len, "%" PRIu64 "-%" PRIu64, race->r, race->c);
}

/* Wrap `data` as {"type":type,"data":data} (or `data` itself when type is NULL), then frame
 * it for the original streams (no event name) and the combined stream (`event`). */
static int make_frames(struct hub *hub, struct hub_race *race, const char *type, json_t *data,
                       const char *event, bool want_legacy, bool with_id, struct pw_buf **legacy,
                       struct pw_buf **combined)
{
    int rc = -ENOMEM;
    json_t *wrapped = type ? json_pack("{s:s, s:O}", "type", type, "data", data) : json_incref(data);
    char *text = wrapped ? json_dumps(wrapped, JSON_COMPACT) : NULL;
    *legacy = *combined = NULL;
    if (!text)
        goto out;
    char id[48];
    frame_id(race, id, sizeof id);
    size_t len = strlen(text);
    *combined = hub_sse_frame(with_id ? id : NULL, event, text, len);
    if (want_legacy)
        *legacy = hub_sse_frame(with_id ? id : NULL, NULL, text, len);
    if (!*combined || (want_legacy && !*legacy)) {
        pw_buf_unref(*combined);
        pw_buf_unref(*legacy);
        *legacy = *combined = NULL;
        goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        hub->stats.encode_failures++;
    free(text);
    json_decref(wrapped);
    return rc;
}

static void publish_entry(struct hub *hub, struct hub_race *race, enum log_kind kind,
                          struct pw_buf *legacy, struct pw_buf *combined)
{
    size_t before = race->log.bytes;
    if (event_log_append(&race->log, kind, race->r, race->c, legacy, combined) < 0)
        hub->stats.encode_failures++;
    hub->stats.log_bytes = hub->stats.log_bytes - before + race->log.bytes;
    pw_buf_unref(race->snapshot);
    race->snapshot = NULL;
    switch (kind) {
    case LOG_POSITIONS:
        send_to_list(&race->clients[HUB_STREAM_POSITIONS], legacy, kind, race->r, race->c);
        send_to_list(&hub->all_races[HUB_STREAM_POSITIONS], legacy, kind, race->r, race->c);
        break;
    case LOG_COMMENTARY:
        send_to_list(&race->clients[HUB_STREAM_COMMENTARY], legacy, kind, race->r, race->c);
        send_to_list(&hub->all_races[HUB_STREAM_COMMENTARY], legacy, kind, race->r, race->c);
        break;
    case LOG_END:
        send_last_to_list(&race->clients[HUB_STREAM_POSITIONS], legacy);
        send_last_to_list(&race->clients[HUB_STREAM_COMMENTARY], legacy);
        send_last_to_list(&race->clients[HUB_STREAM_RACE], combined);
        return;
    case LOG_RACE:
        break;
    }
    send_to_list(&race->clients[HUB_STREAM_RACE], combined, kind, race->r, race->c);
}

/* Frames of race events carry an id; frames the hub derives (status, end) do not, so they
 * never move a client's Last-Event-ID. */
void hub_emit(struct hub *hub, struct hub_race *race, enum log_kind kind, const char *type,
              json_t *data, const char *event, bool with_id)
{
    struct pw_buf *legacy, *combined;
    if (!data) {
        hub->stats.encode_failures++;
        return;
    }
    if (make_frames(hub, race, type, data, event, kind != LOG_RACE, with_id, &legacy,
                    &combined) == 0) {
        publish_entry(hub, race, kind, legacy, combined);
        pw_buf_unref(legacy);
        pw_buf_unref(combined);
    }
}

/* A positions tick: the full object on the original streams; on the combined stream only
 * what changed since the previous tick (delta.h), or the full object for the first tick or
 * one a delta cannot express. */
void hub_emit_positions(struct hub *hub, struct hub_race *race, json_t *data)
{
    struct pw_buf *legacy, *combined;
    if (!data) {
        hub->stats.encode_failures++;
        return;
    }
    if (make_frames(hub, race, "positions", data, "positions", true, true, &legacy, &combined) < 0)
        return;
    json_t *delta = NULL;
    char *text = NULL;
    if (race->last_positions && hub_delta_positions(race->last_positions, data, &delta) == 0 &&
        (text = json_dumps(delta, JSON_COMPACT)) != NULL) {
        char id[48];
        frame_id(race, id, sizeof id);
        struct pw_buf *d = hub_sse_frame(id, "delta", text, strlen(text));
        if (d) {
            pw_buf_unref(combined);
            combined = d;
        }
    }
    free(text);
    json_decref(delta);
    publish_entry(hub, race, LOG_POSITIONS, legacy, combined);
    pw_buf_unref(legacy);
    pw_buf_unref(combined);
}

void hub_emit_status(struct hub *hub, struct hub_race *race)
{
    json_t *status = hub_race_status_json(hub, race->id);
    if (status)
        json_object_set_new(status, "type", json_string("status"));
    hub_emit(hub, race, LOG_RACE, NULL, status, "status", false);
    json_decref(status);
}

void hub_emit_end(struct hub *hub, struct hub_race *race, const char *why)
{
    /* The original streams get {"type":"end","data":{...}}, the combined one the object. */
    json_t *data = json_pack("{s:s, s:s}", "race_id", race->id, "status", why);
    struct pw_buf *legacy = NULL, *combined = NULL;
    json_t *flat = json_pack("{s:s, s:s, s:s}", "type", "end", "race_id", race->id, "status", why);
    if (data && flat &&
        make_frames(hub, race, "end", data, NULL, true, false, &legacy, &combined) == 0) {
        pw_buf_unref(combined);
        combined = NULL;
        char *text = json_dumps(flat, JSON_COMPACT);
        combined = text ? hub_sse_frame(NULL, "end", text, strlen(text)) : NULL;
        free(text);
        publish_entry(hub, race, LOG_END, legacy, combined);
        race->end_sent = true;
        end_race_streams(race);
    } else {
        hub->stats.encode_failures++;
    }
    pw_buf_unref(legacy);
    pw_buf_unref(combined);
    json_decref(data);
    json_decref(flat);
}

struct pw_buf *hub_snapshot_frame(struct hub *hub, struct hub_race *race)
{
    if (race->snapshot)
        return race->snapshot;
    json_t *status = hub_race_status_json(hub, race->id);
    json_t *snap = json_pack("{s:s, s:o, s:O, s:O}", "type", "snapshot", "status",
                             status ? status : json_null(), "positions",
                             race->last_positions ? race->last_positions : json_null(),
                             "commentary", race->recent_comments);
    char *text = snap ? json_dumps(snap, JSON_COMPACT) : NULL;
    if (text) {
        char id[48];
        frame_id(race, id, sizeof id);
        race->snapshot = hub_sse_frame(id, "snapshot", text, strlen(text));
    }
    if (!race->snapshot)
        hub->stats.encode_failures++;
    free(text);
    json_decref(snap);
    return race->snapshot;
}
