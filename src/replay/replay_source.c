/* replay_source.c — the replay as a pw_source: a cursor over the feed's timeline driving
 * the model on the race clock. */
#include "replay/replay.h"

#include "core/error.h"
#include "replay/replay_feed.h"
#include "replay/replay_info.h"
#include "replay/replay_model.h"
#include "replay/replay_parse.h"
#include "replay/replay_source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct replay_source {
    struct pw_source base;
    struct replay_feed feed;
    struct replay_model model;
    const struct pw_log *log;
    char title[PW_TITLE_MAX];
    int laps;
    enum pw_session_kind kind;
    int64_t lights_out; /* feed offset of race_ms 0 */
    int64_t end;        /* feed offset where the replay ends */
    size_t next;        /* next timeline entry to apply */
    size_t high_water;  /* entries before this were counted once already */
    int64_t clock;      /* race clock reached */
    bool lights_out_emitted;
    bool over;
};

static const struct pw_source_ops replay_ops;

/* Earliest race clock a replay is positioned at (feed offsets are at most 99 hours, so
 * nothing is lost, and offset arithmetic cannot overflow). */
#define REPLAY_CLOCK_MIN (-1000LL * 3600 * 1000)

static struct replay_source *as_replay(const struct pw_source *src)
{
    return src && src->ops == &replay_ops ? (struct replay_source *)src : NULL;
}

void replay_options_defaults(struct replay_options *o)
{
    o->start_ms = 0;
    o->max_line_bytes = 1024 * 1024;
}

static int64_t race_time(const struct replay_source *r, const struct replay_entry *e)
{
    return e->offset_ms - r->lights_out;
}

/* Moves the model's clock to `race_ms`, stopping first wherever a delayed event is due. */
static void replay_tick_to(struct replay_source *r, int64_t race_ms, pw_emit_fn emit, void *ctx)
{
    int64_t due;
    while ((due = replay_model_next_due(&r->model)) <= race_ms && due > r->model.state.race_ms)
        replay_model_tick(&r->model, due, emit, ctx);
    replay_model_tick(&r->model, race_ms, emit, ctx);
}

/* Applies every entry up to feed offset `limit` (inclusive). */
static int replay_apply_until(struct replay_source *r, int64_t limit, pw_emit_fn emit, void *ctx)
{
    while (r->next < r->feed.n_entries && r->feed.timeline[r->next].offset_ms <= limit) {
        const struct replay_entry *e = &r->feed.timeline[r->next];
        replay_tick_to(r, race_time(r, e), emit, ctx);
        int rc = replay_model_apply(&r->model, (enum replay_topic)e->topic,
                                    replay_feed_text(&r->feed, e), e->len, r->next >= r->high_water,
                                    emit, ctx);
        if (rc < 0)
            return rc;
        r->next++;
        if (r->next > r->high_water)
            r->high_water = r->next;
    }
    return 0;
}

static int64_t replay_duration(const struct pw_source *src)
{
    const struct replay_source *r = (const struct replay_source *)src;
    return r->end - r->lights_out;
}

/* End of the feed: the race part with events, what follows (post-race notices) quietly,
 * then the classification. */
static int replay_finish(struct replay_source *r, pw_emit_fn emit, void *ctx)
{
    int rc = replay_apply_until(r, r->end, emit, ctx);
    if (rc == 0)
        rc = replay_apply_until(r, INT64_MAX, NULL, NULL);
    if (rc < 0)
        return rc;
    replay_tick_to(r, r->end - r->lights_out, emit, ctx);
    replay_model_finish(&r->model, emit, ctx);
    r->over = true;
    return 1;
}

static int replay_advance(struct pw_source *src, int64_t race_ms, pw_emit_fn emit, void *ctx)
{
    struct replay_source *r = (struct replay_source *)src;
    if (r->over)
        return 1;
    if (race_ms < r->clock) /* never backwards: seek does that */
        race_ms = r->clock;
    int rc;
    if (!r->lights_out_emitted && race_ms >= 0) {
        int64_t at = r->clock > 0 ? r->clock : 0;
        rc = replay_apply_until(r, r->lights_out + at, emit, ctx);
        if (rc < 0)
            return rc;
        replay_tick_to(r, at, emit, ctx);
        replay_model_lights_out(&r->model, emit, ctx);
        r->lights_out_emitted = true;
    }
    r->clock = race_ms;
    if (race_ms >= replay_duration(src))
        return replay_finish(r, emit, ctx);
    rc = replay_apply_until(r, r->lights_out + race_ms, emit, ctx);
    if (rc < 0)
        return rc;
    replay_tick_to(r, race_ms, emit, ctx);
    return 0;
}

static const struct pw_race_state *replay_state(const struct pw_source *src)
{
    return &((const struct replay_source *)src)->model.state;
}

/* Positions the replay at `race_ms` without emitting: forwards from where it is, or
 * backwards by merging again from the start (the whole feed merges in well under a
 * second, see docs/BENCHMARKS.md). */
static int replay_position(struct replay_source *r, int64_t race_ms)
{
    int64_t duration = r->end - r->lights_out;
    if (race_ms > duration)
        race_ms = duration;
    if (race_ms < REPLAY_CLOCK_MIN)
        race_ms = REPLAY_CLOCK_MIN;
    if (race_ms < r->clock || r->over) {
        replay_model_reset(&r->model);
        r->next = 0;
        r->over = false;
    }
    int rc = replay_apply_until(r, r->lights_out + race_ms, NULL, NULL);
    if (rc < 0)
        return rc;
    replay_tick_to(r, race_ms, NULL, NULL);
    r->clock = race_ms;
    return 0;
}

static int replay_seek(struct pw_source *src, int64_t race_ms)
{
    struct replay_source *r = (struct replay_source *)src;
    int rc = replay_position(r, race_ms);
    r->lights_out_emitted = r->clock >= 0;
    return rc;
}

static void replay_destroy(struct pw_source *src)
{
    struct replay_source *r = (struct replay_source *)src;
    if (!r)
        return;
    replay_model_free(&r->model);
    replay_feed_free(&r->feed);
    free(r);
}

static const struct pw_source_ops replay_ops = {
    .advance = replay_advance,
    .state = replay_state,
    .duration_ms = replay_duration,
    .seek = replay_seek,
    .destroy = replay_destroy,
};

/* Takes ownership of `feed` (freed on failure too). */
int replay_source_from_feed(struct replay_feed *feed, const struct replay_options *opt,
                            const struct pw_log *log, struct pw_source **out)
{
    struct replay_options defaults;
    replay_options_defaults(&defaults);
    if (!opt)
        opt = &defaults;
    struct replay_source *r = calloc(1, sizeof *r);
    if (!r) {
        replay_feed_free(feed);
        return -ENOMEM;
    }
    r->base.ops = &replay_ops;
    r->feed = *feed;
    memset(feed, 0, sizeof *feed);
    r->log = log;
    replay_model_init(&r->model);
    r->lights_out = replay_info_lights_out(&r->feed);
    r->end = replay_info_end(&r->feed, r->lights_out);
    json_t *si = replay_info_merge_stream(&r->feed.streams[REPLAY_TOPIC_SESSION_INFO]);
    json_t *lc = replay_info_merge_stream(&r->feed.streams[REPLAY_TOPIC_LAP_COUNT]);
    replay_info_title(si, r->title, sizeof r->title);
    r->laps = replay_info_laps(lc);
    r->kind = replay_info_kind(si);
    json_decref(si);
    json_decref(lc);
    /* The runner's clock starts below any line so that positioning can only go forwards. */
    r->clock = REPLAY_CLOCK_MIN;
    int rc = replay_position(r, opt->start_ms);
    if (rc < 0) {
        replay_destroy(&r->base);
        return rc;
    }
    PW_INFO(log, "replay", "%s: %zu lines, lights out at %lld ms, race %lld ms",
            r->title[0] ? r->title : "session", r->feed.n_entries, (long long)r->lights_out,
            (long long)(r->end - r->lights_out));
    *out = &r->base;
    return 0;
}

int replay_open(const char *session_dir, const struct replay_options *opt, const struct pw_log *log,
                struct pw_source **out, char *err, size_t errlen)
{
    struct replay_options o;
    replay_options_defaults(&o);
    if (opt)
        o = *opt;
    if (o.max_line_bytes == 0)
        o.max_line_bytes = 1024 * 1024;
    *out = NULL;
    if (errlen)
        err[0] = '\0';
    struct stat sb;
    if (!session_dir || stat(session_dir, &sb) < 0) {
        int e = session_dir ? errno : EINVAL;
        snprintf(err, errlen, "cannot open replay session %s: %s",
                 session_dir ? session_dir : "(null)", strerror(e));
        return -e;
    }
    if (!S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "replay session %s is not a directory", session_dir);
        return -ENOTDIR;
    }
    struct replay_feed feed;
    int rc = replay_feed_open_dir(&feed, session_dir, o.max_line_bytes, log, err, errlen);
    if (rc < 0)
        return rc;
    /* Without a car placed by TimingData there is nothing to replay: an empty, garbled or
     * wrong file must not become a finished race with an invented winner. */
    char why[200];
    rc = replay_info_check_timing(&feed, why, sizeof why);
    if (rc < 0) {
        snprintf(err, errlen, "%s/TimingData.jsonStream is unusable: %s", session_dir,
                 why);
        replay_feed_free(&feed);
        return rc;
    }
    rc = replay_source_from_feed(&feed, &o, log, out);
    if (rc < 0)
        snprintf(err, errlen, "cannot replay %s: %s", session_dir, pw_strerror(rc));
    return rc;
}

void replay_get_stats(const struct pw_source *src, struct replay_stats *out)
{
    memset(out, 0, sizeof *out);
    const struct replay_source *r = as_replay(src);
    if (!r)
        return;
    out->lines_read = r->feed.read_stats.lines_read;
    out->lines_skipped_bad_offset = r->feed.read_stats.skipped_bad_offset;
    out->lines_skipped_too_long = r->feed.read_stats.skipped_too_long;
    out->out_of_order = r->feed.read_stats.out_of_order;
    out->lines_skipped_invalid_json = r->model.stats.invalid_json;
    out->unknown_racing_numbers = r->model.stats.unknown_numbers;
    out->merge_ignored = r->model.stats.merge_ignored;
}

int replay_get_session_info(const struct pw_source *src, struct replay_session_info *out)
{
    const struct replay_source *r = as_replay(src);
    if (!r)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    replay_copy_text(out->title, sizeof out->title, r->title);
    out->laps = r->laps;
    out->kind = r->kind;
    return 0;
}

int64_t replay_lights_out_offset(const struct pw_source *src)
{
    const struct replay_source *r = as_replay(src);
    return r ? r->lights_out : -1;
}

int replay_get_weather(const struct pw_source *src, struct replay_weather *out)
{
    const struct replay_source *r = as_replay(src);
    if (!r)
        return -EINVAL;
    replay_model_weather(&r->model, out);
    return 0;
}
