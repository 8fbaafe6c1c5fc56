/* The hub: bus events in, per-race records and logs updated, frames fanned out to clients. */
#include "hub/hub.h"

#include "core/error.h"
#include "hub/delta.h"
#include "hub/encode.h"
#include "hub/hub_internal.h"
#include "hub/resume.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PING_FRAME "data: {\"type\":\"ping\"}\n\n"
#define RETRY_FRAME "retry: 1000\n\n"

void hub_config_defaults(struct hub_config *cfg)
{
    *cfg = (struct hub_config){
        .log_max_bytes = 32u << 20,
        .finished_races_kept = 16,
        .ping_interval_ms = 10000,
        .recent_commentary = 50,
        .end_grace_ms = 5000,
        .start_timeout_ms = 30000,
        .retired_kept = 4096,
        .compress_level = 6,
        .log_budget_bytes = (size_t)256 << 20,
    };
}

struct hub_race *hub_find_race(const struct hub *hub, const char *race_id)
{
    if (!race_id || !race_id[0])
        return NULL;
    for (struct hub_race *r = hub->races; r; r = r->next) {
        if (strcmp(r->id, race_id) == 0)
            return r;
    }
    return NULL;
}

/* --- races -------------------------------------------------------------------------------- */

static void race_free(struct hub *hub, struct hub_race *race)
{
    for (int s = 0; s < HUB_STREAM_COUNT; s++) {
        while (race->clients[s].head) {
            struct hub_client *cl = race->clients[s].head;
            client_unlink(cl);
            cl->sink.ops->close(cl->sink.ctx); /* its closed callback frees cl */
        }
    }
    hub->stats.log_bytes -= race->log.bytes;
    event_log_free(&race->log);
    json_decref(race->last_positions);
    json_decref(race->recent_comments);
    pw_buf_unref(race->snapshot);
    free(race);
}

/* Keep at most cfg.finished_races_kept finished races in memory; history has the rest.
 * A race let go of is remembered as such, so its late events cannot bring it back. */
static void trim_finished(struct hub *hub)
{
    int kept = 0;
    struct hub_race **link = &hub->races;
    while (*link) {
        struct hub_race *race = *link;
        if (race->end_sent && ++kept > hub->cfg.finished_races_kept) {
            hub_race_evict(hub, link);
            continue;
        }
        link = &race->next;
    }
}

void hub_race_evict(struct hub *hub, struct hub_race **link)
{
    struct hub_race *race = *link;
    *link = race->next;
    race_registry_add(&hub->retired, race->id);
    race_free(hub, race);
}

static struct hub_race *race_create(struct hub *hub, const char *race_id)
{
    struct hub_race *race = calloc(1, sizeof *race);
    if (!race)
        return NULL;
    race->recent_comments = json_array();
    if (!race->recent_comments) {
        free(race);
        return NULL;
    }
    snprintf(race->id, sizeof race->id, "%s", race_id);
    event_log_init(&race->log, hub->cfg.log_max_bytes);
    race->order = ++hub->next_order;
    race->next = hub->races;
    hub->races = race;
    return race;
}

void hub_expect_race(struct hub *hub, const struct pw_race_meta *meta)
{
    struct hub_race *race = hub_find_race(hub, meta->race_id);
    if (!race)
        race = race_create(hub, meta->race_id);
    if (race && !race->have_meta) {
        race->meta = *meta;
        race->have_meta = true;
        race->expect_due = uv_now(hub->loop) + hub->cfg.start_timeout_ms;
    }
}

/* --- encoding and fan-out ----------------------------------------------------------------- */

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
static void emit(struct hub *hub, struct hub_race *race, enum log_kind kind, const char *type,
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
static void emit_positions(struct hub *hub, struct hub_race *race, json_t *data)
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

static void emit_status(struct hub *hub, struct hub_race *race)
{
    json_t *status = hub_race_status_json(hub, race->id);
    if (status)
        json_object_set_new(status, "type", json_string("status"));
    emit(hub, race, LOG_RACE, NULL, status, "status", false);
    json_decref(status);
}

static void emit_end(struct hub *hub, struct hub_race *race, const char *why)
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

static void remember_comment(struct hub *hub, struct hub_race *race, json_t *data)
{
    json_array_append(race->recent_comments, data);
    while (json_array_size(race->recent_comments) > (size_t)hub->cfg.recent_commentary)
        json_array_remove(race->recent_comments, 0);
}

static void on_end_timer(uv_timer_t *t)
{
    struct hub *hub = t->data;
    uint64_t now = uv_now(hub->loop);
    bool waiting = false, ended = false;
    for (struct hub_race *race = hub->races; race; race = race->next) {
        if (!hub_race_over(race) || race->end_sent)
            continue;
        if (now >= race->end_due) {
            emit_end(hub, race, hub_status_name(race->status));
            ended = true;
        } else {
            waiting = true;
        }
    }
    if (!waiting)
        uv_timer_stop(t);
    if (ended)
        trim_finished(hub);
    hub_budget_enforce(hub);
}

static void set_status(struct hub *hub, struct hub_race *race, enum hub_race_status status,
                       int64_t wall_ms)
{
    if (race->status == status || hub_race_over(race))
        return;
    race->status = status;
    if (status == HUB_RACE_IN_PROGRESS && !race->start_wall_ms)
        race->start_wall_ms = wall_ms;
    if (hub_race_over(race)) {
        race->end_wall_ms = wall_ms;
        if (!race->start_wall_ms)
            race->start_wall_ms = wall_ms;
    }
    emit_status(hub, race);
    if (hub_race_over(race)) {
        race->end_due = uv_now(hub->loop) + hub->cfg.end_grace_ms;
        if (!uv_is_active((uv_handle_t *)hub->end_timer))
            uv_timer_start(hub->end_timer, on_end_timer, 100, 100);
        if (hub->on_end && status != HUB_RACE_FAILED)
            hub->on_end(hub->end_ctx, &race->meta, race->have_state ? &race->state : NULL,
                        status, race->start_wall_ms, race->end_wall_ms);
    }
}

static bool is_duplicate(struct hub *hub, struct hub_race *race, const struct pw_event *ev)
{
    uint64_t *counter = ev->type == PW_EV_COMMENTARY ? &race->c : &race->r;
    if (ev->seq && ev->seq <= *counter) {
        hub->stats.events_duplicate++;
        return true;
    }
    *counter = ev->seq ? ev->seq : *counter + 1;
    return false;
}

static void handle_event(struct hub *hub, const struct pw_event *ev);

static void on_bus_event(void *ctx, const struct pw_event *ev)
{
    struct hub *hub = ctx;
    handle_event(hub, ev);
    hub_budget_enforce(hub);
}

static void handle_event(struct hub *hub, const struct pw_event *ev)
{
    hub->stats.events_received++;
    struct hub_race *race = hub_find_race(hub, ev->race_id);
    if (!race) {
        if (!ev->meta || !ev->race_id[0]) {
            hub->stats.events_unknown_race++;
            return;
        }
        /* A race let go of stays finished (the history has it); and a commentary line
         * never introduces a race: it only ever follows the race's own events. */
        if (race_registry_has(&hub->retired, ev->race_id) || ev->type == PW_EV_COMMENTARY) {
            hub->stats.events_late++;
            return;
        }
        race = race_create(hub, ev->race_id);
        if (!race) {
            hub->stats.encode_failures++;
            return;
        }
    }
    if (race->end_sent || (hub_race_over(race) && ev->type != PW_EV_COMMENTARY)) {
        /* Nothing changes a race after its finish but the last commentary lines, and
         * nothing at all after its `end` frame. */
        hub->stats.events_late++;
        return;
    }
    if (is_duplicate(hub, race, ev))
        return;
    race->expect_due = 0; /* the runner has it */
    /* A failure report knows less of the race than the edge that accepted its start. */
    if (ev->meta && (ev->type != PW_EV_RACE_FAILED || !race->have_meta)) {
        race->meta = *ev->meta;
        race->have_meta = true;
    }
    if (ev->state && ev->type != PW_EV_COMMENTARY) {
        race->state = *ev->state;
        race->have_state = true;
    }

    switch (ev->type) {
    case PW_EV_POSITIONS: {
        if (race->state.started)
            set_status(hub, race, HUB_RACE_IN_PROGRESS, ev->wall_ms);
        json_t *data = hub_encode_positions_data(ev, hub_status_name(race->status));
        emit_positions(hub, race, data);
        json_decref(race->last_positions);
        race->last_positions = data;
        break;
    }
    case PW_EV_COMMENTARY: {
        json_t *data = hub_encode_commentary_data(ev);
        emit(hub, race, LOG_COMMENTARY, "commentary", data, "commentary", true);
        if (data)
            remember_comment(hub, race, data);
        json_decref(data);
        break;
    }
    case PW_EV_RACE_CREATED:
        emit_status(hub, race);
        break;
    case PW_EV_RACE_FAILED:
        snprintf(race->reason, sizeof race->reason, "%s", ev->text[0] ? ev->text : "failed");
        set_status(hub, race, HUB_RACE_FAILED, ev->wall_ms);
        break;
    default: {
        json_t *data = hub_encode_race_event_data(ev);
        emit(hub, race, LOG_RACE, NULL, data, "race", true);
        json_decref(data);
        if (ev->type == PW_EV_LIGHTS_OUT)
            set_status(hub, race, HUB_RACE_IN_PROGRESS, ev->wall_ms);
        else if (ev->type == PW_EV_CLASSIFICATION)
            set_status(hub, race, HUB_RACE_FINISHED, ev->wall_ms);
        else if (ev->type == PW_EV_RACE_STOPPED)
            set_status(hub, race, HUB_RACE_STOPPED, ev->wall_ms);
        break;
    }
    }
}

/* --- subscriptions ------------------------------------------------------------------------ */

/* A counter of an id: 1 to 19 decimal digits (anything below 10^19 fits in 64 bits). No
 * sign, no spaces: strtoull alone would take "-1" as 2^64 - 1. */
static const char *parse_counter(const char *p, uint64_t *out)
{
    uint64_t v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (++digits > 19)
            return NULL;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (digits == 0)
        return NULL;
    *out = v;
    return p;
}

/* "R-C" (or "R", from an older server): -EINVAL for anything else. */
static int parse_last_event_id(const char *text, uint64_t *r, uint64_t *c)
{
    const char *p = parse_counter(text, r);
    if (!p)
        return -EINVAL;
    *c = 0;
    if (*p == '-')
        p = parse_counter(p + 1, c);
    return p && *p == '\0' ? 0 : -EINVAL;
}

static struct pw_buf *snapshot_frame(struct hub *hub, struct hub_race *race)
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

static bool entry_for_stream(const struct log_entry *e, enum hub_stream s)
{
    switch (s) {
    case HUB_STREAM_POSITIONS:
        return e->kind == LOG_POSITIONS || e->kind == LOG_END;
    case HUB_STREAM_COMMENTARY:
        return e->kind == LOG_COMMENTARY || e->kind == LOG_END;
    default:
        return true;
    }
}

static struct pw_buf *entry_frame(const struct log_entry *e, enum hub_stream s)
{
    return s == HUB_STREAM_RACE ? e->combined : e->legacy;
}

/* Whether the log holds a frame of `stream` that a client whose id is r-c has not seen
 * (the end frame, which has no id, aside). A stream of the original kind sees only its own
 * counter move: a positions client's id is behind the commentary that followed it. */
static bool stream_has_unseen(const struct hub_race *race, enum hub_stream stream, uint64_t r,
                              uint64_t c)
{
    if (race->log.dropped_r > r || race->log.dropped_c > c)
        return true;
    for (size_t i = 0; i < race->log.count; i++) {
        const struct log_entry *e = event_log_at(&race->log, i);
        if (e->kind == LOG_END || !entry_for_stream(e, stream))
            continue;
        if (log_entry_own_seq(e) > (e->kind == LOG_COMMENTARY ? c : r))
            return true;
    }
    return false;
}

/* A new client (no Last-Event-ID): the current picture at once. */
static void send_initial(struct hub *hub, struct hub_client *cl)
{
    struct hub_race *race = cl->race;
    if (!race) {
        if (cl->stream == HUB_STREAM_POSITIONS) {
            for (struct hub_race *r = hub->races; r; r = r->next) {
                for (size_t i = r->log.count; !hub_race_over(r) && i-- > 0;) {
                    const struct log_entry *e = event_log_at(&r->log, i);
                    if (e->kind == LOG_POSITIONS) {
                        client_send(cl, e->legacy);
                        break;
                    }
                }
            }
        }
        return;
    }
    if (cl->stream == HUB_STREAM_RACE) {
        client_send(cl, snapshot_frame(hub, race));
        if (hub_race_over(race)) {
            for (size_t i = race->log.count; i-- > 0;) {
                const struct log_entry *e = event_log_at(&race->log, i);
                if (e->kind == LOG_END) {
                    client_send_last(cl, e->combined);
                    break;
                }
            }
        }
        return;
    }
    /* Original streams: the newest positions frame, or the recent commentary lines; then
     * the end frame of a race that is over. */
    enum log_kind kind = cl->stream == HUB_STREAM_POSITIONS ? LOG_POSITIONS : LOG_COMMENTARY;
    int wanted = cl->stream == HUB_STREAM_POSITIONS ? 1 : hub->cfg.recent_commentary;
    size_t first = race->log.count;
    for (size_t i = race->log.count; i-- > 0 && wanted > 0;) {
        if (event_log_at(&race->log, i)->kind == kind) {
            first = i;
            wanted--;
        }
    }
    for (size_t i = first; i < race->log.count; i++) {
        const struct log_entry *e = event_log_at(&race->log, i);
        if (e->kind == LOG_END)
            client_send_last(cl, e->legacy);
        else if (e->kind == kind)
            client_send(cl, e->legacy);
    }
}

/* A returning client: exactly the frames of its stream it has not seen. */
static void send_missed(struct hub *hub, struct hub_client *cl, uint64_t r, uint64_t c)
{
    struct hub_race *race = cl->race;
    hub->stats.resumes++;
    if (race->log.dropped_r > r || race->log.dropped_c > c) {
        /* Part of what it missed fell out of the window: start it afresh, counted. */
        hub->stats.resumes_gap++;
        send_initial(hub, cl);
        return;
    }
    /* The combined stream's deltas only make sense in a row: when they weigh more than the
     * newest tick in full, or than a fresh snapshot, that goes instead (resume.h). */
    enum hub_resume_way way = HUB_RESUME_REPLAY;
    size_t last_positions = race->log.count;
    if (cl->stream == HUB_STREAM_RACE) {
        struct pw_buf *snap = snapshot_frame(hub, race);
        way = hub_resume_choose(&race->log, r, c, snap ? snap->len : 0,
                                hub->cfg.recent_commentary, &last_positions);
    }
    if (way == HUB_RESUME_SNAPSHOT) {
        hub->stats.resumes_snapshot++;
        send_initial(hub, cl);
        return;
    }
    if (way == HUB_RESUME_CATCHUP)
        hub->stats.resumes_catchup++;
    for (size_t i = 0; i < race->log.count; i++) {
        const struct log_entry *e = event_log_at(&race->log, i);
        if (!entry_for_stream(e, cl->stream) || !hub_resume_entry_missed(e, r, c))
            continue;
        if (way == HUB_RESUME_CATCHUP && e->kind == LOG_POSITIONS) {
            if (i == last_positions) {
                struct pw_buf *full = hub_resume_full_positions(e);
                client_send(cl, full);
                pw_buf_unref(full);
            }
            continue;
        }
        if (e->kind == LOG_END)
            client_send_last(cl, entry_frame(e, cl->stream));
        else
            client_send(cl, entry_frame(e, cl->stream));
    }
}

int hub_subscribe(struct hub *hub, const struct hub_sink *sink, enum hub_stream stream,
                  const char *race_id, const char *last_event_id, const char *accept_encoding)
{
    struct hub_race *race = NULL;
    uint64_t r = 0, c = 0;
    bool resume = last_event_id && last_event_id[0];
    if ((unsigned)stream >= HUB_STREAM_COUNT)
        return -EINVAL;
    if (race_id && race_id[0]) {
        race = hub_find_race(hub, race_id);
        if (!race)
            return -ENOENT;
    } else if (stream == HUB_STREAM_RACE) {
        return -ENOENT;
    }
    if (resume && parse_last_event_id(last_event_id, &r, &c) < 0)
        return -EINVAL;
    if (race && resume && race->end_sent && !stream_has_unseen(race, stream, r, c))
        return 1;
    struct hub_client *cl = calloc(1, sizeof *cl);
    if (!cl)
        return -ENOMEM;
    cl->hub = hub;
    cl->race = race;
    cl->stream = stream;
    cl->sink = *sink;
    hub_pack_stream_init(&cl->pack, hub_pack_negotiate(accept_encoding));
    const char *coding = hub_pack_encoding_name(cl->pack.enc);
    int rc = sink->ops->begin(sink->ctx, coding, on_client_close, cl);
    if (rc != 0) {
        free(cl);
        return rc == HUB_SINK_ANSWERED ? 0 : rc; /* HEAD: answered with the headers alone */
    }
    if (race && resume && (r > race->r || c > race->c)) {
        cl->held = true;
        cl->held_r = r;
        cl->held_c = c;
    }
    client_link(cl);
    if (coding) {
        hub->stats.clients_compressed++;
        struct pw_buf *head = hub_pack_stream_header(&cl->pack);
        if (!head || cl->sink.ops->write(cl->sink.ctx, head) < 0)
            hub->stats.clients_write_failed++;
        pw_buf_unref(head);
    }
    struct pw_buf *retry = pw_buf_new(RETRY_FRAME, sizeof RETRY_FRAME - 1);
    client_send(cl, retry);
    pw_buf_unref(retry);
    if (race && resume)
        send_missed(hub, cl, r, c);
    else
        send_initial(hub, cl);
    if (race && race->end_sent)
        client_end(cl); /* it had the end frame: nothing more will come */
    return 0;
}

/* --- pings, stats, lifecycle -------------------------------------------------------------- */

static void ping_list(struct hub *hub, struct client_list *list, uint64_t now)
{
    struct hub_client *next;
    for (struct hub_client *cl = list->head; cl; cl = next) {
        next = cl->next;
        if (now - cl->last_write >= hub->cfg.ping_interval_ms)
            client_send(cl, hub->ping);
    }
}

/* A start accepted here whose runner never answered is not left "not_started" forever. */
static void fail_unanswered(struct hub *hub, uint64_t now)
{
    for (struct hub_race *race = hub->races; race; race = race->next) {
        if (!race->expect_due || now < race->expect_due)
            continue;
        race->expect_due = 0;
        if (race->status != HUB_RACE_NOT_STARTED)
            continue;
        snprintf(race->reason, sizeof race->reason,
                 "no race runner took the start request within %llu s",
                 (unsigned long long)(hub->cfg.start_timeout_ms / 1000));
        PW_WARN(hub->log, "hub", "race %s failed: %s", race->id, race->reason);
        set_status(hub, race, HUB_RACE_FAILED, pw_now_ms());
    }
}

static void on_ping_timer(uv_timer_t *t)
{
    struct hub *hub = t->data;
    uint64_t now = uv_now(hub->loop);
    fail_unanswered(hub, now);
    for (int s = 0; s < HUB_STREAM_COUNT; s++) {
        ping_list(hub, &hub->all_races[s], now);
        for (struct hub_race *race = hub->races; race; race = race->next)
            ping_list(hub, &race->clients[s], now);
    }
}

void hub_get_stats(const struct hub *hub, struct hub_stats *out)
{
    *out = hub->stats;
    out->races_running = 0;
    out->log_budget_bytes = hub->cfg.log_budget_bytes;
    out->races_in_memory = 0;
    for (const struct hub_race *race = hub->races; race; race = race->next) {
        out->races_in_memory++;
        out->races_running += race->status == HUB_RACE_IN_PROGRESS;
    }
}

void hub_say_goodbye(struct hub *hub)
{
    const char *legacy = "data: {\"type\":\"end\",\"data\":{\"status\":\"shutdown\"}}\n\n";
    const char *combined = "event: end\ndata: {\"type\":\"end\",\"status\":\"shutdown\"}\n\n";
    struct pw_buf *lb = pw_buf_new(legacy, strlen(legacy));
    struct pw_buf *cb = pw_buf_new(combined, strlen(combined));
    for (int s = 0; s < HUB_STREAM_COUNT; s++) {
        struct pw_buf *b = s == HUB_STREAM_RACE ? cb : lb;
        send_last_to_list(&hub->all_races[s], b);
        for (struct hub_race *race = hub->races; race; race = race->next) {
            if (!race->end_sent)
                send_last_to_list(&race->clients[s], b);
        }
    }
    pw_buf_unref(lb);
    pw_buf_unref(cb);
}

int hub_create(uv_loop_t *loop, struct pw_bus *bus, const struct hub_config *cfg,
               const struct pw_log *log, hub_race_end_fn on_end, void *end_ctx,
               struct hub **out)
{
    int rc = -ENOMEM;
    struct hub *hub = calloc(1, sizeof *hub);
    if (!hub)
        goto fail;
    hub->loop = loop;
    hub->bus = bus;
    hub->cfg = *cfg;
    hub->log = log;
    hub->on_end = on_end;
    hub->end_ctx = end_ctx;
    hub->ping = pw_buf_new(PING_FRAME, sizeof PING_FRAME - 1);
    rc = hub_packer_create(cfg->compress_level, &hub->packer);
    if (rc < 0)
        goto fail;
    rc = -ENOMEM;
    hub->ping_timer = calloc(1, sizeof *hub->ping_timer);
    hub->end_timer = calloc(1, sizeof *hub->end_timer);
    if (!hub->ping || !hub->ping_timer || !hub->end_timer ||
        race_registry_init(&hub->retired, cfg->retired_kept > 0 ? (size_t)cfg->retired_kept
                                                                 : 0) < 0)
        goto fail;
    rc = pw_bus_subscribe_events(bus, PW_BUS_ALL, on_bus_event, hub);
    if (rc < 0)
        goto fail;
    uv_timer_init(loop, hub->ping_timer);
    hub->ping_timer->data = hub;
    uv_timer_init(loop, hub->end_timer);
    hub->end_timer->data = hub;
    uint64_t every = cfg->ping_interval_ms / 2 ? cfg->ping_interval_ms / 2 : 1;
    uv_timer_start(hub->ping_timer, on_ping_timer, every, every);
    *out = hub;
    return 0;
fail:
    if (hub) {
        pw_buf_unref(hub->ping);
        hub_packer_destroy(hub->packer);
        free(hub->ping_timer);
        free(hub->end_timer);
        race_registry_free(&hub->retired);
    }
    free(hub);
    return rc;
}

void hub_destroy(struct hub *hub)
{
    if (!hub)
        return;
    uv_timer_stop(hub->ping_timer);
    uv_close((uv_handle_t *)hub->ping_timer, (uv_close_cb)free);
    uv_close((uv_handle_t *)hub->end_timer, (uv_close_cb)free);
    while (hub->races) {
        struct hub_race *race = hub->races;
        hub->races = race->next;
        race_free(hub, race);
    }
    for (int s = 0; s < HUB_STREAM_COUNT; s++) {
        while (hub->all_races[s].head) {
            struct hub_client *cl = hub->all_races[s].head;
            client_unlink(cl);
            cl->sink.ops->close(cl->sink.ctx);
        }
    }
    pw_buf_unref(hub->ping);
    race_registry_free(&hub->retired);
    hub_packer_destroy(hub->packer);
    free(hub);
}
