#include "runner/runner.h"
#include "runner/tick_clock.h"

#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct runner {
    uv_loop_t *loop;
    struct pw_bus *bus;
    struct pw_source *src;
    const struct pw_log *log;
    struct pw_race_meta meta;
    struct runner_options opt;
    runner_done_fn on_done;
    void *done_ctx;
    uv_timer_t *timer; /* heap-allocated: it outlives the runner until its close callback */
    struct tick_clock ticks; /* when the timer is due next, unless as fast as possible */
    uint64_t seq;
    int64_t race_ms;         /* race clock at the last tick */
    uint64_t anchor_wall;    /* uv_now() at which the race clock was race_anchor */
    int64_t race_anchor;
    bool paused;
    bool done;
    struct pw_telemetry telemetry; /* the last tick's, reused */
};

static void stamp(struct runner *r, struct pw_event *ev)
{
    snprintf(ev->race_id, sizeof ev->race_id, "%s", r->meta.race_id);
    ev->seq = ++r->seq;
    ev->wall_ms = pw_now_ms();
    ev->meta = &r->meta;
}

static void publish(struct runner *r, struct pw_event *ev)
{
    stamp(r, ev);
    int rc = pw_bus_publish_event(r->bus, ev);
    if (rc < 0)
        PW_WARN(r->log, "runner", "race %s: publishing %s failed: %s", r->meta.race_id,
                pw_event_type_name(ev->type), pw_strerror(rc));
}

static void publish_positions(struct runner *r)
{
    const struct pw_race_state *st = r->src->ops->state(r->src);
    struct pw_event ev = {.type = PW_EV_POSITIONS, .race_ms = st->race_ms, .lap = st->lap,
                          .state = st};
    publish(r, &ev);
    if (r->opt.on_telemetry && r->src->ops->telemetry &&
        r->src->ops->telemetry(r->src, &r->telemetry) == 0 && r->telemetry.n_cars > 0) {
        snprintf(r->telemetry.race_id, sizeof r->telemetry.race_id, "%s", r->meta.race_id);
        r->telemetry.wall_ms = ev.wall_ms;
        r->opt.on_telemetry(r->opt.telemetry_ctx, &r->telemetry);
    }
}

static void on_source_event(void *ctx, const struct pw_event *src_ev)
{
    struct runner *r = ctx;
    /* The last positions frame a client sees must be the classification's order, so the
     * final tick goes out just before the classification, not after the race is over. */
    if (src_ev->type == PW_EV_CLASSIFICATION)
        publish_positions(r);
    struct pw_event ev = *src_ev;
    publish(r, &ev);
}

static void finish(struct runner *r)
{
    r->done = true;
    uv_timer_stop(r->timer);
    if (r->on_done)
        r->on_done(r->done_ctx, r);
}

static int64_t target_race_ms(struct runner *r)
{
    if (r->opt.as_fast_as_possible)
        return r->race_ms + (int64_t)(1000.0 / r->opt.tick_hz * r->opt.speed);
    uint64_t wall = uv_now(r->loop) - r->anchor_wall;
    return r->race_anchor + (int64_t)((double)wall * r->opt.speed);
}

static void on_tick(uv_timer_t *t)
{
    struct runner *r = t->data;
    if (r->done)
        return;
    /* Rearmed first, on the grid (tick_clock.h); a tick that finishes the race stops it. */
    if (!r->opt.as_fast_as_possible)
        uv_timer_start(r->timer, on_tick, tick_clock_next(&r->ticks, uv_now(r->loop)), 0);
    if (r->paused)
        return;
    int64_t target = target_race_ms(r);
    if (target < r->race_ms)
        target = r->race_ms;
    int rc = r->src->ops->advance(r->src, target, on_source_event, r);
    r->race_ms = target;
    if (rc != 1)
        publish_positions(r);
    if (rc == 1) {
        PW_INFO(r->log, "runner", "race %s finished", r->meta.race_id);
        finish(r);
    } else if (rc < 0) {
        PW_ERROR(r->log, "runner", "race %s: source failed: %s", r->meta.race_id,
                 pw_strerror(rc));
        runner_stop(r, "the race source failed");
    }
}

int runner_start(uv_loop_t *loop, struct pw_bus *bus, struct pw_source *src,
                 const struct pw_race_meta *meta, const struct runner_options *opt,
                 const struct pw_log *log, runner_done_fn on_done, void *done_ctx,
                 struct runner **out)
{
    int rc = 0;
    struct runner *r = NULL;
    if (!loop || !bus || !src || !meta || !opt || opt->tick_hz < 1 ||
        opt->tick_hz > RUNNER_MAX_TICK_HZ || !(opt->speed > 0)) {
        rc = -EINVAL;
        goto fail;
    }
    r = calloc(1, sizeof *r);
    if (!r) {
        rc = -ENOMEM;
        goto fail;
    }
    r->timer = calloc(1, sizeof *r->timer);
    if (!r->timer) {
        rc = -ENOMEM;
        goto fail;
    }
    r->loop = loop;
    r->bus = bus;
    r->src = src;
    r->log = log;
    r->meta = *meta;
    r->opt = *opt;
    r->on_done = on_done;
    r->done_ctx = done_ctx;
    r->race_ms = opt->start_ms;
    r->race_anchor = opt->start_ms;
    r->anchor_wall = uv_now(loop);
    if (opt->start_ms != 0 && src->ops->seek) {
        rc = src->ops->seek(src, opt->start_ms);
        if (rc < 0)
            goto fail;
    }
    uv_timer_init(loop, r->timer);
    r->timer->data = r;

    const struct pw_race_state *st = src->ops->state(src);
    struct pw_event created = {.type = PW_EV_RACE_CREATED, .race_ms = r->race_ms,
                               .lap = st->lap, .state = st};
    publish(r, &created);

    if (opt->as_fast_as_possible) {
        uv_timer_start(r->timer, on_tick, 0, 1);
    } else {
        tick_clock_start(&r->ticks, uv_now(loop), 1000u / (unsigned)opt->tick_hz);
        uv_timer_start(r->timer, on_tick, r->ticks.period_ms, 0);
    }
    *out = r;
    return 0;
fail:
    if (r)
        free(r->timer);
    free(r);
    if (src)
        src->ops->destroy(src);
    return rc;
}

int runner_pause(struct runner *r)
{
    if (r->done)
        return PW_ESTATE;
    /* The clock stays where the last tick left it; resume re-anchors from there. */
    r->paused = true;
    return 0;
}

int runner_resume(struct runner *r)
{
    if (r->done)
        return PW_ESTATE;
    if (r->paused) {
        r->paused = false;
        r->race_anchor = r->race_ms;
        r->anchor_wall = uv_now(r->loop);
    }
    return 0;
}

int runner_seek(struct runner *r, int64_t race_ms)
{
    if (r->done)
        return PW_ESTATE;
    if (!r->src->ops->seek)
        return -ENOTSUP;
    int rc = r->src->ops->seek(r->src, race_ms);
    if (rc < 0)
        return rc;
    r->race_ms = race_ms;
    r->race_anchor = race_ms;
    r->anchor_wall = uv_now(r->loop);
    publish_positions(r);
    return 0;
}

void runner_stop(struct runner *r, const char *reason)
{
    if (r->done)
        return;
    const struct pw_race_state *st = r->src->ops->state(r->src);
    struct pw_event ev = {.type = PW_EV_RACE_STOPPED, .race_ms = r->race_ms, .lap = st->lap,
                          .state = st};
    snprintf(ev.text, sizeof ev.text, "%s", reason ? reason : "stopped");
    publish(r, &ev);
    finish(r);
}

const struct pw_race_meta *runner_meta(const struct runner *r)
{
    return &r->meta;
}

bool runner_paused(const struct runner *r)
{
    return r->paused;
}

bool runner_done(const struct runner *r)
{
    return r->done;
}

static void free_timer(uv_handle_t *h)
{
    free(h);
}

void runner_destroy(struct runner *r)
{
    if (!r)
        return;
    uv_timer_stop(r->timer);
    uv_close((uv_handle_t *)r->timer, free_timer);
    r->src->ops->destroy(r->src);
    free(r);
}
