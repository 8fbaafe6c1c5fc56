/* Race endpoints: start, control, status, classification, lists. */
#include "api/api_internal.h"

#include "core/error.h"
#include "core/utf8.h"
#include "hub/encode.h"
#include "race/circuit.h"
#include "race/race_weather.h"
#include "replay/replay.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_LIST_MAX 100
#define API_REPLAYS_MAX 256

/* Body of a POST as a JSON object; answers 422 itself and returns NULL when it is not. */
static json_t *parse_body_object(struct http_conn *conn, const struct http_request *req)
{
    json_error_t jerr;
    json_t *body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!body) {
        char detail[300];
        snprintf(detail, sizeof detail, "request body is not valid JSON: %s (line %d)",
                 jerr.text, jerr.line);
        http_respond_error(conn, 422, detail);
        return NULL;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        http_respond_error(conn, 422, "request body must be a JSON object");
        return NULL;
    }
    return body;
}

/* Optional number field within [min, max]; answers 422 and returns -EINVAL when wrong. */
static int opt_number(struct http_conn *conn, json_t *body, const char *key, double min,
                      double max, double *out)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 0;
    if (!json_is_number(v) || json_number_value(v) < min || json_number_value(v) > max ||
        !isfinite(json_number_value(v))) {
        char detail[160];
        snprintf(detail, sizeof detail, "%s must be a number from %g to %g", key, min, max);
        http_respond_error(conn, 422, detail);
        return -EINVAL;
    }
    *out = json_number_value(v);
    return 0;
}

static bool refuse_if_busy(struct api *api, struct http_conn *conn, const struct http_request *req)
{
    struct hub_stats hs;
    hub_get_stats(api->d.hub, &hs);
    int running = api->d.manager ? race_manager_running(api->d.manager) : hs.races_running;
    if (running >= api->d.max_races) {
        char detail[120];
        snprintf(detail, sizeof detail, "too many races running (%d); try again when one ends",
                 running);
        http_respond_error(conn, 429, detail);
        return true;
    }
    size_t held = 0;
    if (hub_log_budget_full(api->d.hub, &held)) {
        char detail[200];
        snprintf(detail, sizeof detail,
                 "the event-log memory budget is full (%zu MiB held by the races running); "
                 "try again when one ends",
                 held >> 20);
        http_respond_error(conn, 503, detail);
        return true;
    }
    if (!api_rate_allow(api, req->remote_addr ? req->remote_addr : "")) {
        http_respond_error(conn, 429, "too many races started from this address; slow down");
        return true;
    }
    return false;
}

/* The status for a start the runner refused (race_manager_start's codes). */
static int start_error_status(int rc)
{
    switch (rc) {
    case -ENOENT:
    case -ENOTSUP:
    case PW_EUNKNOWN:
        return 404;
    case PW_ELIMIT:
        return 429;
    case -ENOMEM:
        return 503;
    case -EEXIST:
        return 500;
    default:
        return 422; /* the session is there but cannot be replayed */
    }
}

static void reply_started(struct http_conn *conn, const char *race_id, const char *driver_name,
                          const char *token)
{
    char message[200];
    snprintf(message, sizeof message, "Race started with %s", driver_name);
    api_reply_json(conn, 200,
                   json_pack("{s:s, s:s, s:s, s:s, s:s}", "race_id", race_id, "driver_name",
                             driver_name, "status", "started", "message", message,
                             "control_token", token));
}

static void launch(struct api *api, struct http_conn *conn, struct pw_control *ctl,
                   struct pw_race_meta *meta, const char *driver_name)
{
    int rc = api_new_race_id(ctl->race_id, sizeof ctl->race_id);
    if (rc < 0) {
        http_respond_error(conn, 500, "could not make a race id");
        return;
    }
    /* Control of the race belongs to whoever started it: the token goes to them alone. */
    char token[API_TOKEN_MAX];
    rc = api_new_control_token(token, ctl->control_hash);
    if (rc < 0) {
        http_respond_error(conn, 500, "could not make a control token");
        return;
    }
    snprintf(meta->control_hash, sizeof meta->control_hash, "%s", ctl->control_hash);
    snprintf(meta->race_id, sizeof meta->race_id, "%s", ctl->race_id);
    meta->created_wall_ms = pw_now_ms();
    if (api->d.direct_start && api->d.manager) {
        char why[PW_EVENT_TEXT_MAX] = "";
        rc = race_manager_start(api->d.manager, ctl, why, sizeof why);
        if (rc < 0) {
            PW_WARN(api->d.log, "api", "race %s not started: %s", ctl->race_id, why);
            http_respond_error(conn, start_error_status(rc), why[0] ? why : pw_strerror(rc));
            return;
        }
        reply_started(conn, ctl->race_id, driver_name, token);
        return;
    }
    /* The runner is elsewhere: the race is known here meanwhile, and turns "failed" with a
     * reason if the runner refuses it or never answers. */
    hub_expect_race(api->d.hub, meta);
    rc = pw_bus_publish_control(api->d.bus, ctl);
    if (rc < 0) {
        PW_WARN(api->d.log, "api", "race %s: start request not delivered: %s", ctl->race_id,
                pw_strerror(rc));
        http_respond_error(conn, 503, "no race runner is available; try again shortly");
        return;
    }
    reply_started(conn, ctl->race_id, driver_name, token);
}

void api_race_start(struct api *api, struct http_conn *conn, const struct http_request *req)
{
    json_t *body = parse_body_object(conn, req);
    if (!body)
        return;
    struct pw_control ctl = {.op = PW_CONTROL_START, .podium = -1};
    struct pw_race_meta meta = {.source = "simulation"};
    json_t *name = json_object_get(body, "driver_name");
    double duration = 0, seed = 0, tick_hz = 0, laps = 0;
    if (!name || !json_is_string(name)) {
        http_respond_error(conn, 422, "driver_name is required and must be a string");
        goto out;
    }
    if (opt_number(conn, body, "duration_s", 5, 7200, &duration) < 0 ||
        opt_number(conn, body, "seed", 0, 9007199254740991.0, &seed) < 0 ||
        opt_number(conn, body, "tick_hz", 1, 10, &tick_hz) < 0 ||
        opt_number(conn, body, "laps", 1, 100, &laps) < 0)
        goto out;
    json_t *podium = json_object_get(body, "podium");
    if (podium && !json_is_boolean(podium)) {
        http_respond_error(conn, 422, "podium must be true or false");
        goto out;
    }
    json_t *weather = json_object_get(body, "weather");
    enum race_weather_mode mode = RACE_WEATHER_DRY;
    if (weather && (!json_is_string(weather) ||
                    race_weather_mode_parse(json_string_value(weather), &mode) < 0)) {
        http_respond_error(conn, 422, "weather must be \"dry\", \"auto\" or \"rain\"");
        goto out;
    }
    json_t *red_flag = json_object_get(body, "red_flag");
    if (red_flag && !json_is_boolean(red_flag)) {
        http_respond_error(conn, 422, "red_flag must be true or false");
        goto out;
    }
    json_t *penalties = json_object_get(body, "penalties");
    if (penalties && !json_is_boolean(penalties)) {
        http_respond_error(conn, 422, "penalties must be true or false");
        goto out;
    }
    json_t *damage = json_object_get(body, "damage");
    if (damage && !json_is_boolean(damage)) {
        http_respond_error(conn, 422, "damage must be true or false");
        goto out;
    }
    json_t *circuit = json_object_get(body, "circuit");
    if (circuit && (!json_is_string(circuit) || json_string_length(circuit) >= sizeof ctl.circuit)) {
        http_respond_error(conn, 422, "circuit must be a circuit id string");
        goto out;
    }
    const struct pw_driver *drv = race_grid_find_by_name(api->d.grid, json_string_value(name));
    if (!drv) {
        char detail[160];
        /* At most 80 bytes of the name, cut between characters: the answer stays UTF-8. */
        const char *n = json_string_value(name);
        snprintf(detail, sizeof detail, "Driver '%.*s' not found", (int)pw_utf8_prefix(n, 80), n);
        http_respond_error(conn, 400, detail);
        goto out;
    }
    if (circuit) {
        struct race_circuit rc_info;
        if (race_circuit_load_builtin(json_string_value(circuit), &rc_info) < 0) {
            http_respond_error(conn, 400, "unknown circuit");
            goto out;
        }
        snprintf(ctl.circuit, sizeof ctl.circuit, "%s", json_string_value(circuit));
    }
    if (refuse_if_busy(api, conn, req))
        goto out;
    snprintf(ctl.driver_number, sizeof ctl.driver_number, "%s", drv->number);
    ctl.wall_duration_ms = (int64_t)(duration * 1000);
    ctl.seed = (uint64_t)seed;
    ctl.tick_hz = (int)tick_hz;
    ctl.laps = (int)laps;
    ctl.podium = podium ? json_is_true(podium) : -1;
    ctl.weather = weather ? 1 + (int)mode : 0;
    ctl.red_flag = red_flag && json_is_true(red_flag);
    ctl.penalties = penalties && json_is_true(penalties);
    ctl.damage = damage && json_is_true(damage);
    snprintf(meta.selected_number, sizeof meta.selected_number, "%s", drv->number);
    snprintf(meta.selected_name, sizeof meta.selected_name, "%s", drv->name);
    snprintf(meta.selected_team, sizeof meta.selected_team, "%s", drv->team);
    launch(api, conn, &ctl, &meta, drv->name);
out:
    json_decref(body);
}

static int find_replay(const struct api *api, const char *id, struct replay_session_info *out)
{
    static const int max = API_REPLAYS_MAX;
    struct replay_session_info *list = calloc((size_t)max, sizeof *list);
    int n = 0, rc = -ENOENT;
    if (!list)
        return -ENOMEM;
    if (replay_list_sessions(api->d.archive_dir, list, max, &n) == 0) {
        for (int i = 0; i < n; i++) {
            if (strcmp(list[i].id, id) == 0) {
                *out = list[i];
                rc = 0;
                break;
            }
        }
    }
    free(list);
    return rc;
}

void api_replay_start(struct api *api, struct http_conn *conn, const struct http_request *req)
{
    if (!api->d.archive_dir) {
        http_respond_error(conn, 404, "replays are not configured (no archive directory)");
        return;
    }
    json_t *body = parse_body_object(conn, req);
    if (!body)
        return;
    struct pw_control ctl = {.op = PW_CONTROL_START, .podium = -1};
    struct pw_race_meta meta = {.source = "replay"};
    double speed = 0, start_s = 0, tick_hz = 0;
    json_t *session = json_object_get(body, "session");
    if (!session || !json_is_string(session) || json_string_length(session) >= sizeof ctl.replay) {
        http_respond_error(conn, 422, "session is required and must be a session id string");
        goto out;
    }
    if (opt_number(conn, body, "speed", 0.1, 1000, &speed) < 0 ||
        opt_number(conn, body, "start_s", -3600, 86400, &start_s) < 0 ||
        opt_number(conn, body, "tick_hz", 1, 10, &tick_hz) < 0)
        goto out;
    struct replay_session_info info;
    if (find_replay(api, json_string_value(session), &info) < 0) {
        http_respond_error(conn, 404, "no such replay session");
        goto out;
    }
    if (refuse_if_busy(api, conn, req))
        goto out;
    snprintf(ctl.replay, sizeof ctl.replay, "%s", info.id);
    ctl.replay_speed = speed;
    ctl.replay_start_ms = (int64_t)(start_s * 1000);
    ctl.tick_hz = (int)tick_hz;
    snprintf(meta.title, sizeof meta.title, "%s", info.title);
    meta.total_laps = info.laps;
    launch(api, conn, &ctl, &meta, info.title);
out:
    json_decref(body);
}

void api_race_control(struct api *api, struct http_conn *conn, const char *race_id,
                      const char *action, const struct http_request *req)
{
    struct pw_control ctl = {0};
    snprintf(ctl.race_id, sizeof ctl.race_id, "%s", race_id);
    enum hub_race_status status;
    char hash[PW_CONTROL_HASH_MAX] = "";
    if (hub_race_get_status(api->d.hub, race_id, &status) < 0) {
        http_respond_error(conn, 404, "Race not found");
        return;
    }
    hub_race_control_hash(api->d.hub, race_id, hash, sizeof hash);
    const char *token = api_control_token(api, req, hash);
    if (!token) {
        http_respond_error(conn, 403,
                           hash[0] ? "race control needs the control token its start returned "
                                     "(header X-Race-Token) or the admin token"
                                   : "this race is controlled by operators only (admin token)");
        return;
    }
    /* The runner checks it again: a request that reached the bus any other way is refused. */
    snprintf(ctl.control_token, sizeof ctl.control_token, "%s", token);
    bool over = status == HUB_RACE_FINISHED || status == HUB_RACE_STOPPED;
    const char *result;
    if (strcmp(action, "stop") == 0) {
        ctl.op = PW_CONTROL_STOP;
        result = "stopped";
    } else if (strcmp(action, "pause") == 0) {
        ctl.op = PW_CONTROL_PAUSE;
        result = "paused";
    } else if (strcmp(action, "resume") == 0) {
        ctl.op = PW_CONTROL_RESUME;
        result = "in_progress";
    } else {
        ctl.op = PW_CONTROL_SEEK;
        result = "in_progress";
        json_t *body = parse_body_object(conn, req);
        if (!body)
            return;
        double race_s = -1;
        int rc = opt_number(conn, body, "race_s", 0, 86400, &race_s);
        json_decref(body);
        if (rc < 0)
            return;
        if (race_s < 0) {
            http_respond_error(conn, 422, "race_s is required");
            return;
        }
        ctl.seek_ms = (int64_t)(race_s * 1000);
    }
    if (over) {
        http_respond_error(conn, 409, "the race is already over");
        return;
    }
    int rc = pw_bus_publish_control(api->d.bus, &ctl);
    if (rc < 0) {
        http_respond_error(conn, 503, "no race runner is available; try again shortly");
        return;
    }
    api_reply_json(conn, 200, json_pack("{s:s, s:s}", "race_id", race_id, "status", result));
}

json_t *api_history_status_json(const struct history_race *h)
{
    char start[40] = "", end[40] = "", created[40] = "";
    if (h->start_ms)
        hub_encode_iso_time(h->start_ms, start, sizeof start);
    if (h->end_ms)
        hub_encode_iso_time(h->end_ms, end, sizeof end);
    if (h->created_ms)
        hub_encode_iso_time(h->created_ms, created, sizeof created);
    double duration = (double)h->wall_duration_ms / 1000.0;
    return json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:f, s:f, s:f, s:f, s:s?, s:s?, s:s?, s:i, "
                     "s:i, s:s, s:s, s:s, s:b, s:s}",
                     "race_id", h->race_id, "selected_driver", "name", h->selected_name, "team",
                     h->selected_team, "number", h->selected_number, "status", h->status,
                     "progress", strcmp(h->status, "finished") == 0 ? 1.0 : 0.0,
                     "elapsed_time", (double)(h->end_ms - h->start_ms) / 1000.0, "duration",
                     duration, "remaining_time", 0.0, "start_time",
                     h->start_ms ? start : NULL, "end_time", h->end_ms ? end : NULL,
                     "created_time", h->created_ms ? created : NULL, "lap", h->lap,
                     "total_laps", h->total_laps, "track_status", pw_track_name(h->track),
                     "source", h->source, "title", h->title, "paused", 0, "kind",
                     h->kind[0] ? h->kind : "race");
}

void api_race_status(struct api *api, struct http_conn *conn, const char *race_id)
{
    json_t *status = hub_race_status_json(api->d.hub, race_id);
    if (status) {
        bool paused = api->d.manager && race_manager_paused(api->d.manager, race_id);
        json_object_set_new(status, "paused", json_boolean(paused));
        api_reply_json(conn, 200, status);
        return;
    }
    struct history_race h;
    int n = 0;
    if (api->d.history && history_get(api->d.history, race_id, &h, NULL, 0, &n) == 0) {
        api_reply_json(conn, 200, api_history_status_json(&h));
        return;
    }
    http_respond_error(conn, 404, "Race not found");
}

/* The race's final state from its record, for the encoders of a live race (heap: a state
 * is several KiB); NULL on OOM. */
static struct pw_race_state *final_state(const struct history_race *h, const struct pw_car *cars,
                                         int n)
{
    struct pw_race_state *st = malloc(sizeof *st);
    if (st)
        history_race_state(h, cars, n, st);
    return st;
}

json_t *api_history_results_json(const struct history_race *h, const struct pw_car *cars, int n)
{
    struct pw_race_state *st = final_state(h, cars, n);
    if (!st)
        return NULL;
    /* The encoder of a live race's classification (hub_race_classification_json). */
    json_t *list = hub_encode_positions_list(st, h->race_id, h->end_ms);
    free(st);
    return list ? json_pack("{s:o, s:s, s:s}", "positions", list, "race_id", h->race_id,
                            "status", h->status)
                : NULL;
}

json_t *api_history_positions_json(const struct history_race *h, const struct pw_car *cars,
                                   int n)
{
    struct pw_race_state *st = final_state(h, cars, n);
    if (!st)
        return NULL;
    struct pw_event ev = {.type = PW_EV_POSITIONS,
                          .race_ms = h->race_ms,
                          .wall_ms = h->end_ms,
                          .lap = h->lap,
                          .state = st};
    snprintf(ev.race_id, sizeof ev.race_id, "%s", h->race_id);
    json_t *data = hub_encode_positions_data(&ev, h->status);
    free(st);
    /* No tick number: nothing a delta could follow comes after it. */
    if (data)
        json_object_del(data, "seq");
    return data;
}

void api_race_positions(struct api *api, struct http_conn *conn, const char *race_id)
{
    json_t *doc = NULL;
    int rc = hub_race_classification_json(api->d.hub, race_id, &doc);
    if (rc == 0) {
        api_reply_json(conn, 200, doc);
        return;
    }
    if (rc == PW_ESTATE) {
        http_respond_error(conn, 404, "Race not finished: no final classification yet");
        return;
    }
    struct history_race h;
    struct pw_car cars[PW_MAX_CARS];
    int n = 0;
    if (api->d.history && history_get(api->d.history, race_id, &h, cars, PW_MAX_CARS, &n) == 0) {
        if (strcmp(h.status, "finished") != 0) {
            http_respond_error(conn, 404, "Race was stopped before the finish: no classification");
            return;
        }
        api_reply_json(conn, 200, api_history_results_json(&h, cars, n));
        return;
    }
    http_respond_error(conn, 404, "Race not found");
}

/* The winner of a race from the history, as the live list names it: the first car of a
 * finished race's classification; null for one stopped, and for practice and qualifying (a
 * classification by best lap, not a win). */
static json_t *history_winner_json(const struct history_race *h)
{
    enum pw_session_kind kind = PW_SESSION_RACE;
    if (h->kind[0] && pw_session_kind_parse(h->kind, &kind) < 0)
        return json_null();
    if (strcmp(h->status, "finished") != 0 || pw_session_is_timed(kind) || !h->first_name[0])
        return json_null();
    return json_pack("{s:s, s:s}", "name", h->first_name, "number", h->first_number);
}

static bool listed(json_t *races, const char *race_id)
{
    size_t i;
    json_t *r;
    json_array_foreach(races, i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "race_id")), race_id) == 0)
            return true;
    }
    return false;
}

void api_races(struct api *api, struct http_conn *conn)
{
    json_t *races = json_array();
    if (!races || hub_list_races(api->d.hub, races) < 0) {
        json_decref(races);
        http_respond_error(conn, 500, "out of memory");
        return;
    }
    struct history_race *past = api->d.history ? calloc(API_LIST_MAX, sizeof *past) : NULL;
    int n = 0;
    if (past && history_list(api->d.history, API_LIST_MAX, 0, past, API_LIST_MAX, &n) == 0) {
        for (int i = 0; i < n; i++) {
            if (listed(races, past[i].race_id))
                continue;
            json_t *h = api_history_status_json(&past[i]);
            json_object_set_new(h, "winner", history_winner_json(&past[i]));
            json_array_append_new(races, h);
        }
    }
    free(past);
    api_reply_json(conn, 200, json_pack("{s:o}", "races", races));
}

void api_replays(struct api *api, struct http_conn *conn)
{
    json_t *sessions = json_array();
    if (api->d.archive_dir) {
        struct replay_session_info *list = calloc(API_REPLAYS_MAX, sizeof *list);
        int n = 0;
        if (list && replay_list_sessions(api->d.archive_dir, list, API_REPLAYS_MAX, &n) == 0) {
            for (int i = 0; i < n; i++)
                json_array_append_new(
                    sessions, json_pack("{s:s, s:s, s:i, s:s}", "id", list[i].id, "title",
                                        list[i].title, "laps", list[i].laps, "kind",
                                        pw_session_kind_name(list[i].kind)));
        }
        free(list);
    }
    api_reply_json(conn, 200, json_pack("{s:o}", "sessions", sessions));
}

void api_drivers(struct api *api, struct http_conn *conn)
{
    json_t *drivers = json_array();
    for (int i = 0; drivers && i < api->d.grid->n; i++) {
        const struct pw_driver *d = &api->d.grid->drivers[i];
        json_array_append_new(drivers,
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", d->number, "name",
                                        d->name, "team", d->team, "team_color", d->team_color,
                                        "number", d->number, "tla", d->tla));
    }
    api_reply_json(conn, 200, json_pack("{s:o}", "drivers", drivers));
}

void api_health(struct api *api, struct http_conn *conn)
{
    struct hub_stats hs;
    hub_get_stats(api->d.hub, &hs);
    char now[40];
    hub_encode_iso_time(pw_now_ms(), now, sizeof now);
    bool bus_ok = !api->d.bus->ops->healthy || api->d.bus->ops->healthy(api->d.bus);
    struct anomalies_stats as = {0};
    if (api->d.anomalies)
        anomalies_get_stats(api->d.anomalies, &as);
    api_reply_json(conn, 200,
                   json_pack("{s:s, s:s, s:{s:I, s:I, s:I, s:I}, s:{s:b}, s:s, s:i}", "status",
                             bus_ok ? "healthy" : "degraded", "timestamp", now,
                             "active_connections", "positions",
                             (json_int_t)hs.clients[HUB_STREAM_POSITIONS], "commentary",
                             (json_int_t)hs.clients[HUB_STREAM_COMMENTARY], "race",
                             (json_int_t)hs.clients[HUB_STREAM_RACE], "anomalies",
                             (json_int_t)as.clients, "features", "anomaly_detection",
                             api->d.anomalies != NULL, "bus", bus_ok ? "ok" : "degraded",
                             "races_running", hs.races_running));
}
