#include "runner/race_manager.h"

#include "core/error.h"
#include "core/token.h"
#include "race/circuit.h"
#include "race/sim.h"
#include "replay/replay.h"
#include "runner/runner.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANAGER_MAX_RUNNERS 256

struct race_manager {
    uv_loop_t *loop;
    struct pw_bus *bus;
    struct race_manager_config cfg;
    const struct pw_log *log;
    int n_runners;
    struct runner *runners[MANAGER_MAX_RUNNERS]; /* running and finished-not-yet-reaped */
    uv_idle_t *reaper; /* frees finished runners outside of their own callbacks */
};

void race_manager_config_defaults(struct race_manager_config *cfg)
{
    *cfg = (struct race_manager_config){
        .wall_duration_ms = 60000,
        .tick_hz = 1,
        .podium = true,
        .weather = RACE_WEATHER_AUTO,
        .replay_speed = 10.0,
        .max_races = 64,
    };
}

uint64_t race_manager_seed_for(const char *race_id)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)race_id; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

static int find_runner(const struct race_manager *m, const char *race_id)
{
    for (int i = 0; i < m->n_runners; i++) {
        if (strcmp(runner_meta(m->runners[i])->race_id, race_id) == 0)
            return i;
    }
    return -1;
}

int race_manager_running(const struct race_manager *m)
{
    int n = 0;
    for (int i = 0; i < m->n_runners; i++)
        n += !runner_done(m->runners[i]);
    return n;
}

bool race_manager_paused(const struct race_manager *m, const char *race_id)
{
    int i = find_runner(m, race_id);
    return i >= 0 && runner_paused(m->runners[i]);
}

static void reap(uv_idle_t *idle)
{
    struct race_manager *m = idle->data;
    int kept = 0;
    for (int i = 0; i < m->n_runners; i++) {
        if (runner_done(m->runners[i]))
            runner_destroy(m->runners[i]);
        else
            m->runners[kept++] = m->runners[i];
    }
    m->n_runners = kept;
    uv_idle_stop(idle);
}

static void on_runner_done(void *ctx, struct runner *r)
{
    struct race_manager *m = ctx;
    (void)r;
    uv_idle_start(m->reaper, reap);
}

static int start_simulation(struct race_manager *m, const struct pw_control *ctl,
                            struct pw_source **src, struct pw_race_meta *meta,
                            struct runner_options *opt, char *err, size_t errlen)
{
    const struct pw_driver *drv = NULL;
    for (int i = 0; i < m->cfg.grid->n; i++) {
        if (strcmp(m->cfg.grid->drivers[i].number, ctl->driver_number) == 0)
            drv = &m->cfg.grid->drivers[i];
    }
    if (ctl->driver_number[0] && !drv) {
        snprintf(err, errlen, "no driver with number %s on this runner's grid",
                 ctl->driver_number);
        return PW_EUNKNOWN;
    }
    struct race_circuit circuit;
    const char *circuit_id = ctl->circuit[0] ? ctl->circuit : m->cfg.default_circuit;
    int rc = race_circuit_load_builtin(circuit_id, &circuit);
    if (rc < 0) {
        snprintf(err, errlen, "unknown circuit '%s'", circuit_id ? circuit_id : "");
        return rc;
    }
    struct race_sim_options so = {
        .grid = m->cfg.grid,
        .circuit = &circuit,
        .seed = ctl->seed ? ctl->seed : race_manager_seed_for(ctl->race_id),
        .selected_number = drv ? drv->number : NULL,
        .podium = ctl->podium < 0 ? m->cfg.podium : ctl->podium == 1,
        .laps = ctl->laps,
        .weather = ctl->weather > RACE_WEATHER_DRY && ctl->weather <= RACE_WEATHER_RAIN + 1
                       ? (enum race_weather_mode)(ctl->weather - 1)
                       : m->cfg.weather,
        .red_flag = ctl->red_flag == 1,
        .penalties = ctl->penalties == 1,
        .damage = ctl->damage == 1,
    };
    rc = race_sim_create(&so, src);
    if (rc < 0) {
        snprintf(err, errlen, "the simulation could not be set up: %s", pw_strerror(rc));
        return rc;
    }
    const struct pw_race_state *st = (*src)->ops->state(*src);
    snprintf(meta->source, sizeof meta->source, "simulation");
    snprintf(meta->title, sizeof meta->title, "%s, %d laps", circuit.name, st->total_laps);
    if (drv) {
        snprintf(meta->selected_number, sizeof meta->selected_number, "%s", drv->number);
        snprintf(meta->selected_name, sizeof meta->selected_name, "%s", drv->name);
        snprintf(meta->selected_team, sizeof meta->selected_team, "%s", drv->team);
    }
    meta->wall_duration_ms = ctl->wall_duration_ms > 0 ? ctl->wall_duration_ms
                                                       : m->cfg.wall_duration_ms;
    meta->race_duration_ms = (*src)->ops->duration_ms(*src);
    opt->speed = (double)meta->race_duration_ms / (double)meta->wall_duration_ms;
    return 0;
}

static int start_replay(struct race_manager *m, const struct pw_control *ctl,
                        struct pw_source **src, struct pw_race_meta *meta,
                        struct runner_options *opt, char *err, size_t errlen)
{
    if (!m->cfg.archive_dir) {
        snprintf(err, errlen, "replays are not configured on this runner (no archive directory)");
        return -ENOTSUP;
    }
    /* The session id is untrusted: it must name a session inside the archive. */
    char path[PATH_MAX];
    int rc = replay_resolve_session(m->cfg.archive_dir, ctl->replay, path, sizeof path);
    if (rc < 0) {
        /* Name the file that is missing, not only the errno. */
        if (rc == -ENOENT)
            PW_WARN(m->log, "manager", "replay %s: no %s/TimingData.jsonStream under %s",
                    ctl->replay, ctl->replay, m->cfg.archive_dir);
        else
            PW_WARN(m->log, "manager", "replay %s: not a session id under %s (%s)", ctl->replay,
                    m->cfg.archive_dir, pw_strerror(rc));
        snprintf(err, errlen, "no replay session '%.100s' in the archive: %s", ctl->replay,
                 pw_strerror(rc));
        return rc;
    }
    struct replay_options ro;
    replay_options_defaults(&ro);
    char why[256] = "";
    rc = replay_open(path, &ro, m->log, src, why, sizeof why);
    if (rc < 0) {
        snprintf(err, errlen, "replay session '%.100s' cannot be replayed: %s", ctl->replay,
                 why[0] ? why : pw_strerror(rc));
        return rc;
    }
    struct replay_session_info info;
    snprintf(meta->source, sizeof meta->source, "replay");
    if (replay_get_session_info(*src, &info) == 0) {
        snprintf(meta->title, sizeof meta->title, "%s", info.title);
        meta->kind = info.kind;
    }
    double speed = ctl->replay_speed > 0 ? ctl->replay_speed : m->cfg.replay_speed;
    opt->speed = speed;
    opt->start_ms = ctl->replay_start_ms;
    meta->race_duration_ms = (*src)->ops->duration_ms(*src);
    meta->wall_duration_ms = (int64_t)((double)(meta->race_duration_ms - opt->start_ms) / speed);
    return 0;
}

int race_manager_start(struct race_manager *m, const struct pw_control *ctl, char *err,
                       size_t errlen)
{
    if (find_runner(m, ctl->race_id) >= 0) {
        snprintf(err, errlen, "race %s already exists", ctl->race_id);
        return -EEXIST;
    }
    if (race_manager_running(m) >= m->cfg.max_races || m->n_runners >= MANAGER_MAX_RUNNERS) {
        snprintf(err, errlen, "%d races are running already; try again when one ends",
                 race_manager_running(m));
        return PW_ELIMIT;
    }
    struct pw_source *src = NULL;
    struct pw_race_meta meta = {0};
    snprintf(meta.race_id, sizeof meta.race_id, "%s", ctl->race_id);
    meta.created_wall_ms = pw_now_ms();
    struct runner_options opt = {
        .tick_hz = ctl->tick_hz > 0 ? ctl->tick_hz : m->cfg.tick_hz,
        .as_fast_as_possible = m->cfg.as_fast_as_possible,
        .on_telemetry = m->cfg.on_telemetry,
        .telemetry_ctx = m->cfg.telemetry_ctx,
    };
    int rc = ctl->replay[0] ? start_replay(m, ctl, &src, &meta, &opt, err, errlen)
                            : start_simulation(m, ctl, &src, &meta, &opt, err, errlen);
    if (rc < 0)
        return rc;
    snprintf(meta.control_hash, sizeof meta.control_hash, "%s", ctl->control_hash);
    if (opt.tick_hz > RUNNER_MAX_TICK_HZ)
        opt.tick_hz = RUNNER_MAX_TICK_HZ;
    meta.total_laps = src->ops->state(src)->total_laps;
    struct runner *r;
    rc = runner_start(m->loop, m->bus, src, &meta, &opt, m->log, on_runner_done, m, &r);
    if (rc < 0) {
        snprintf(err, errlen, "the race could not be started: %s", pw_strerror(rc));
        return rc;
    }
    m->runners[m->n_runners++] = r;
    PW_INFO(m->log, "manager", "race %s started: %s (%s), speed %.1fx, %d Hz", ctl->race_id,
            meta.title, meta.source, opt.speed, opt.tick_hz);
    return 0;
}

/* A start that arrived over the bus and cannot be carried out: the edge that accepted it
 * (and every other) learns why from a race_failed event instead of waiting forever. */
static void publish_failed(struct race_manager *m, const struct pw_control *ctl, const char *why)
{
    struct pw_race_meta meta = {.created_wall_ms = pw_now_ms()};
    snprintf(meta.race_id, sizeof meta.race_id, "%s", ctl->race_id);
    snprintf(meta.source, sizeof meta.source, "%s", ctl->replay[0] ? "replay" : "simulation");
    struct pw_event ev = {.type = PW_EV_RACE_FAILED, .seq = 1, .wall_ms = meta.created_wall_ms,
                          .meta = &meta};
    snprintf(ev.race_id, sizeof ev.race_id, "%s", ctl->race_id);
    snprintf(ev.text, sizeof ev.text, "%s", why);
    int rc = pw_bus_publish_event(m->bus, &ev);
    if (rc < 0)
        PW_WARN(m->log, "manager", "race %s: could not publish its failure: %s", ctl->race_id,
                pw_strerror(rc));
}

static void on_control(void *ctx, const struct pw_control *ctl)
{
    struct race_manager *m = ctx;
    if (ctl->op == PW_CONTROL_START) {
        char why[PW_EVENT_TEXT_MAX] = "";
        int rc = race_manager_start(m, ctl, why, sizeof why);
        if (rc < 0) {
            PW_WARN(m->log, "manager", "race %s not started: %s", ctl->race_id,
                    why[0] ? why : pw_strerror(rc));
            if (rc != -EEXIST) /* a redelivered start: the race is running */
                publish_failed(m, ctl, why[0] ? why : pw_strerror(rc));
        }
        return;
    }
    int i = find_runner(m, ctl->race_id);
    if (i < 0)
        return; /* another runner's race (Kafka mode), or already over */
    struct runner *r = m->runners[i];
    if (!pw_token_opens(ctl->control_token, runner_meta(r)->control_hash) &&
        !pw_token_opens(ctl->control_token, m->cfg.admin_hash)) {
        PW_WARN(m->log, "manager",
                "race %s: control %d refused: it carries neither the race's control token nor "
                "the admin token",
                ctl->race_id, ctl->op);
        return;
    }
    int rc = 0;
    switch (ctl->op) {
    case PW_CONTROL_STOP:
        runner_stop(r, "stopped by request");
        break;
    case PW_CONTROL_PAUSE:
        rc = runner_pause(r);
        break;
    case PW_CONTROL_RESUME:
        rc = runner_resume(r);
        break;
    case PW_CONTROL_SEEK:
        rc = runner_seek(r, ctl->seek_ms);
        break;
    default:
        rc = -EINVAL;
    }
    if (rc < 0)
        PW_WARN(m->log, "manager", "race %s: control %d failed: %s", ctl->race_id, ctl->op,
                pw_strerror(rc));
}

int race_manager_create(uv_loop_t *loop, struct pw_bus *bus, const struct race_manager_config *cfg,
                        const struct pw_log *log, struct race_manager **out)
{
    int rc = 0;
    struct race_manager *m = calloc(1, sizeof *m);
    if (!m || !(m->reaper = calloc(1, sizeof *m->reaper))) {
        rc = -ENOMEM;
        goto fail;
    }
    m->loop = loop;
    m->bus = bus;
    m->cfg = *cfg;
    m->log = log;
    uv_idle_init(loop, m->reaper);
    m->reaper->data = m;
    rc = pw_bus_subscribe_control(bus, on_control, m);
    if (rc < 0) {
        uv_close((uv_handle_t *)m->reaper, (uv_close_cb)free);
        m->reaper = NULL;
        goto fail;
    }
    *out = m;
    return 0;
fail:
    if (m)
        free(m->reaper);
    free(m);
    return rc;
}

void race_manager_stop_all(struct race_manager *m, const char *reason)
{
    for (int i = 0; i < m->n_runners; i++)
        runner_stop(m->runners[i], reason);
}

void race_manager_destroy(struct race_manager *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n_runners; i++)
        runner_destroy(m->runners[i]);
    uv_close((uv_handle_t *)m->reaper, (uv_close_cb)free);
    free(m);
}
