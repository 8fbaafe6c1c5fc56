#include "app/app.h"

#include "api/api.h"
#include "app/app_bus.h"
#include "commentary/commentary.h"
#include "core/error.h"
#include "core/token.h"
#include "history/history.h"
#include "http/http_server.h"
#include "hub/hub.h"
#include "race/grid.h"
#include "runner/race_manager.h"
#include "telemetry/anomalies.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long queued final frames get to reach clients before connections are closed. */
#define APP_DRAIN_MS 300

struct app {
    uv_loop_t loop;
    struct settings *s;
    const struct pw_log *log;
    struct pw_grid grid;
    struct api_deps deps;
    struct pw_bus *bus;
    struct history *history;
    struct hub *hub;
    struct commentary *commentary;
    struct anomalies *anomalies;
    struct tel_kafka *telemetry; /* Kafka mode: the telemetry topic */
    struct race_manager *manager;
    struct api *api;
    struct http_server *server;
    uv_signal_t sigint, sigterm, sighup;
    uv_timer_t drain;
    bool stopping;
    char replay_path[PATH_MAX]; /* `pitwall replay DIR`: DIR resolved once */
    char replay_root[PATH_MAX]; /* ... and its parent, the archive */
    char admin_hash[PW_CONTROL_HASH_MAX]; /* the runner checks operators' control with it */
};

static void record_race(void *ctx, const struct pw_race_meta *meta,
                        const struct pw_race_state *state, enum hub_race_status status,
                        int64_t start_wall_ms, int64_t end_wall_ms)
{
    struct app *app = ctx;
    if (!app->history)
        return;
    struct history_race hr = {0};
    snprintf(hr.race_id, sizeof hr.race_id, "%s", meta->race_id);
    snprintf(hr.source, sizeof hr.source, "%s", meta->source);
    snprintf(hr.title, sizeof hr.title, "%s", meta->title);
    snprintf(hr.selected_number, sizeof hr.selected_number, "%s", meta->selected_number);
    snprintf(hr.selected_name, sizeof hr.selected_name, "%s", meta->selected_name);
    snprintf(hr.selected_team, sizeof hr.selected_team, "%s", meta->selected_team);
    snprintf(hr.status, sizeof hr.status, "%s",
             status == HUB_RACE_FINISHED ? "finished" : "stopped");
    hr.created_ms = meta->created_wall_ms;
    hr.start_ms = start_wall_ms;
    hr.end_ms = end_wall_ms;
    hr.total_laps = state ? state->total_laps : meta->total_laps;
    hr.laps_completed = state && state->n_cars ? state->cars[0].laps : 0;
    hr.wall_duration_ms = meta->wall_duration_ms;
    snprintf(hr.kind, sizeof hr.kind, "%s", pw_session_kind_name(meta->kind));
    /* The final positions frame whole, so a race answered from the history after a
     * restart shows what it showed live. */
    if (state)
        history_race_take_state(&hr, state);
    int rc =
        history_save(app->history, &hr, state ? state->cars : NULL, state ? state->n_cars : 0);
    if (rc < 0)
        PW_ERROR(app->log, "app", "race %s: could not record it in the history: %s",
                 meta->race_id, pw_strerror(rc));
    else
        PW_INFO(app->log, "app", "race %s %s and recorded", meta->race_id, hr.status);
}

static int load_grid(struct app *app, char *err, size_t errlen)
{
    const char *g = app->s->grid;
    if (strchr(g, '/') == NULL && strchr(g, '.') == NULL) {
        if (race_grid_load_builtin(g, &app->grid) == 0)
            return 0;
        snprintf(err, errlen, "unknown built-in grid '%s' (2026 or original, or a file path)", g);
        return -EINVAL;
    }
    return race_grid_load_file(g, &app->grid, err, errlen);
}

static void on_server_stopped(void *arg)
{
    struct app *app = arg;
    app->server = NULL;
    /* Every connection is closed now; stop the producers, then free the consumers. */
    pw_bus_destroy(app->bus);
    app->bus = NULL;
    tel_kafka_destroy(app->telemetry);
    app->telemetry = NULL;
    race_manager_destroy(app->manager);
    app->manager = NULL;
    commentary_destroy(app->commentary);
    app->commentary = NULL;
    anomalies_destroy(app->anomalies);
    app->anomalies = NULL;
    hub_destroy(app->hub);
    app->hub = NULL;
    uv_close((uv_handle_t *)&app->drain, NULL);
    PW_INFO(app->log, "app", "stopped");
}

static void on_drained(uv_timer_t *t)
{
    struct app *app = t->data;
    if (app->server)
        http_server_stop(app->server, on_server_stopped, app);
    else
        on_server_stopped(app);
}

static void begin_shutdown(struct app *app, const char *why)
{
    if (app->stopping)
        return;
    app->stopping = true;
    PW_INFO(app->log, "app", "shutting down (%s)", why);
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
    uv_close((uv_handle_t *)&app->sighup, NULL);
    if (app->manager)
        race_manager_stop_all(app->manager, "the server is shutting down");
    if (app->hub)
        hub_say_goodbye(app->hub);
    uv_timer_start(&app->drain, on_drained, APP_DRAIN_MS, 0);
}

static void on_signal(uv_signal_t *h, int signum)
{
    /* SIGHUP too: a terminal or session closing ends pitwall the same clean way (the race
     * in progress recorded as stopped), not with the default kill. */
    begin_shutdown(h->data, signum == SIGINT ? "SIGINT" : signum == SIGHUP ? "SIGHUP" : "SIGTERM");
}

/* `pitwall replay DIR`: DIR's parent is the archive (set up in build); start DIR now. */
static int start_cli_replay(struct app *app, char *err, size_t errlen)
{
    const char *real = app->replay_path;
    char name[PATH_MAX];
    snprintf(name, sizeof name, "%s", real); /* basename() may write to its argument */
    struct pw_control ctl = {.op = PW_CONTROL_START, .podium = -1};
    snprintf(ctl.race_id, sizeof ctl.race_id, "replay-%08llx",
             (unsigned long long)(race_manager_seed_for(real) & 0xffffffffu));
    snprintf(ctl.replay, sizeof ctl.replay, "%s", basename(name));
    char token[API_TOKEN_MAX];
    int rc = api_new_control_token(token, ctl.control_hash);
    if (rc < 0) {
        snprintf(err, errlen, "replay: could not make a control token: %s", pw_strerror(rc));
        return rc;
    }
    ctl.replay_speed = app->s->replay_speed;
    if (app->s->kafka) {
        /* The runner answers through Kafka later; the race is known here meanwhile. */
        struct pw_race_meta meta = {.source = "replay", .created_wall_ms = pw_now_ms()};
        snprintf(meta.race_id, sizeof meta.race_id, "%s", ctl.race_id);
        snprintf(meta.control_hash, sizeof meta.control_hash, "%s", ctl.control_hash);
        hub_expect_race(app->hub, &meta);
    }
    if (app->s->kafka) {
        rc = pw_bus_publish_control(app->bus, &ctl);
        if (rc < 0) {
            snprintf(err, errlen, "replay: could not send the start of '%.400s': %s", real,
                     pw_strerror(rc));
            return rc;
        }
    } else {
        char why[PW_EVENT_TEXT_MAX] = "";
        rc = race_manager_start(app->manager, &ctl, why, sizeof why);
        if (rc < 0) {
            snprintf(err, errlen, "replay: could not start '%.200s': %s", real,
                     why[0] ? why : pw_strerror(rc));
            return rc;
        }
    }
    /* The operator at this terminal started it: the control token is theirs to use. */
    PW_INFO(app->log, "app", "replaying %s as race %s: http://%s:%d/?race=%s (control token %s)",
            real, ctl.race_id, app->s->http.host, http_server_port(app->server), ctl.race_id,
            token);
    return 0;
}

/* /metrics text from the commentary engine, behind the api's provider signature. */
static int commentary_metrics(const void *ctx, char *buf, size_t len)
{
    return commentary_format_metrics(ctx, buf, len);
}

static void add_metrics(struct app *app, api_metrics_fn fn, const void *ctx)
{
    if (app->deps.n_metrics < API_MAX_METRICS_PROVIDERS) {
        app->deps.metrics[app->deps.n_metrics].fn = fn;
        app->deps.metrics[app->deps.n_metrics++].ctx = ctx;
    }
}

static int build(struct app *app, char *err, size_t errlen)
{
    struct settings *s = app->s;
    unsigned roles = s->kafka ? s->roles : APP_ROLE_ALL;
    int rc = load_grid(app, err, errlen);
    if (rc < 0)
        return rc;
    app->deps = (struct api_deps){.grid = &app->grid,
                                  .archive_dir = s->race.archive_dir,
                                  .web_root = s->web_root,
                                  .log = app->log,
                                  .direct_start = !s->kafka,
                                  .admin_token = s->admin_token,
                                  .max_races = s->max_races,
                                  .starts_per_minute = s->starts_per_minute};
    rc = app_bus_create(&app->loop, s, app->log, &app->deps, &app->bus, err, errlen);
    if (rc < 0)
        return rc;
    app->deps.bus = app->bus;
    if (roles & APP_ROLE_EDGE) {
        rc = history_open(s->history_path, app->log, &app->history);
        if (rc < 0) {
            char why[400];
            history_describe_error(s->history_path, rc, why, sizeof why);
            snprintf(err, errlen, "history: %s", why);
            return rc;
        }
        app->deps.history = app->history;
        /* Embedded with the engine off, nothing on the bus will ever say a race's
         * commentary is done: no wait for it. In Kafka mode an engine of another process,
         * or the Flink job, may be speaking. */
        struct hub_config hub_cfg = s->hub;
        if (!s->kafka && !s->commentary.enabled)
            hub_cfg.commentary_wait_ms = 0;
        rc = hub_create(&app->loop, app->bus, &hub_cfg, app->log, record_race, app, &app->hub);
        if (rc < 0) {
            snprintf(err, errlen, "hub: %s", pw_strerror(rc));
            return rc;
        }
        app->deps.hub = app->hub;
        rc = anomalies_create(&app->loop, app->log, &app->anomalies);
        if (rc < 0) {
            snprintf(err, errlen, "anomalies: %s", pw_strerror(rc));
            return rc;
        }
        app->deps.anomalies = app->anomalies;
        add_metrics(app, anomalies_format_metrics, app->anomalies);
    }
    if ((roles & APP_ROLE_COMMENTARY) && s->commentary.enabled) {
        rc = commentary_create(&app->loop, &s->commentary, app->bus, app->log, &app->commentary);
        if (rc < 0) {
            snprintf(err, errlen, "commentary: %s", pw_strerror(rc));
            return rc;
        }
        add_metrics(app, commentary_metrics, app->commentary);
    }
    /* Kafka mode: runners write the telemetry topic, edges read it into their detector. */
    rc = app_telemetry_create(&app->loop, s, app->log, roles & APP_ROLE_RUNNER,
                              app->anomalies ? anomalies_ingest : NULL, app->anomalies,
                              &app->deps, &app->telemetry, err, errlen);
    if (rc < 0)
        return rc;
    if (roles & APP_ROLE_RUNNER) {
        struct race_manager_config mc = s->race;
        mc.grid = &app->grid;
        mc.max_races = s->max_races;
        if (s->admin_token && s->admin_token[0]) {
            pw_token_hash(s->admin_token, app->admin_hash);
            mc.admin_hash = app->admin_hash;
        }
        if (app->telemetry) {
            mc.on_telemetry = tel_kafka_publish;
            mc.telemetry_ctx = app->telemetry;
        } else if (!s->kafka && app->anomalies) {
            /* In-process, the runner's telemetry goes straight to the detector. */
            mc.on_telemetry = anomalies_ingest;
            mc.telemetry_ctx = app->anomalies;
        }
        if (s->replay_dir) {
            /* The CLI replay's parent folder becomes the archive. */
            if (!realpath(s->replay_dir, app->replay_path)) {
                snprintf(err, errlen, "replay: cannot open '%s': %s", s->replay_dir,
                         strerror(errno));
                return -ENOENT;
            }
            char parent[PATH_MAX]; /* dirname() may write to its argument */
            snprintf(parent, sizeof parent, "%s", app->replay_path);
            snprintf(app->replay_root, sizeof app->replay_root, "%s", dirname(parent));
            mc.archive_dir = app->replay_root;
            app->deps.archive_dir = app->replay_root;
        }
        rc = race_manager_create(&app->loop, app->bus, &mc, app->log, &app->manager);
        if (rc < 0) {
            snprintf(err, errlen, "race manager: %s", pw_strerror(rc));
            return rc;
        }
        app->deps.manager = app->manager;
    }
    if (roles & APP_ROLE_EDGE) {
        rc = api_create(&app->deps, &app->api);
        if (rc < 0)
            return rc;
        rc = http_server_start(&app->loop, &s->http, app->log, api_handle, app->api,
                               &app->server);
        if (rc < 0) {
            snprintf(err, errlen, "cannot listen on %s:%d: %s", s->http.host, s->http.port,
                     pw_strerror(rc));
            return rc;
        }
        api_set_server(app->api, app->server);
        PW_INFO(app->log, "app", "pitwall %s listening on http://%s:%d/", PITWALL_VERSION,
                s->http.host, http_server_port(app->server));
    }
    if (s->replay_dir && app->manager && app->hub)
        return start_cli_replay(app, err, errlen);
    return 0;
}

int app_run(struct settings *settings, const struct pw_log *log)
{
    struct app *app = calloc(1, sizeof *app);
    char err[512] = "";
    int status = 1;
    if (!app) {
        fprintf(stderr, "pitwall: out of memory\n");
        return 1;
    }
    app->s = settings;
    app->log = log;
    /* A client that vanishes mid-write must cost an EPIPE, not the process. */
    signal(SIGPIPE, SIG_IGN);
    uv_loop_init(&app->loop);
    uv_signal_init(&app->loop, &app->sigint);
    uv_signal_init(&app->loop, &app->sigterm);
    uv_signal_init(&app->loop, &app->sighup);
    uv_timer_init(&app->loop, &app->drain);
    app->sigint.data = app->sigterm.data = app->sighup.data = app->drain.data = app;
    uv_signal_start(&app->sigint, on_signal, SIGINT);
    uv_signal_start(&app->sigterm, on_signal, SIGTERM);
    uv_signal_start(&app->sighup, on_signal, SIGHUP);

    int rc = build(app, err, sizeof err);
    if (rc < 0) {
        PW_ERROR(log, "app", "%s", err[0] ? err : pw_strerror(rc));
        fprintf(stderr, "pitwall: %s\n", err[0] ? err : pw_strerror(rc));
        begin_shutdown(app, "start-up failed");
    } else {
        status = 0;
    }
    uv_run(&app->loop, UV_RUN_DEFAULT);
    api_destroy(app->api);
    history_close(app->history);
    if (uv_loop_close(&app->loop) != 0)
        PW_WARN(log, "app", "event loop closed with handles still open");
    free(app);
    return status;
}
