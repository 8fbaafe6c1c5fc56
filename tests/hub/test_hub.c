/* Unit tests of the hub (src/hub/hub.c) without a socket: races are published on the real
 * in-process bus, clients are in-memory stream sinks (mem_sink.h). What a client is sent:
 * the snapshot, resume from any id on every stream, the log window and slow clients, the
 * end of a race (held for the commentary engine's done marker, within a bound), and the
 * races kept in memory after it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bus/bus.h"
#include "core/event.h"
#include "hub/hub.h"
#include "mem_sink.h"
#include "race_script.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

struct race {
    struct pw_race_meta meta;
    struct pw_race_state st;
    uint64_t r, c; /* the publishers' counters: runner and commentary engine */
};

struct fx {
    uv_loop_t loop;
    struct pw_bus *bus;
    struct hub *hub;
    struct race races[2];
    int ends;
    enum hub_race_status end_status;
    bool end_had_state;
};

static void on_end(void *ctx, const struct pw_race_meta *meta, const struct pw_race_state *state,
                   enum hub_race_status status, int64_t start_wall_ms, int64_t end_wall_ms)
{
    struct fx *f = ctx;
    (void)meta;
    f->ends++;
    f->end_status = status;
    f->end_had_state = state != NULL;
    assert_true(start_wall_ms > 0 && end_wall_ms >= start_wall_ms);
}

static void race_init(struct race *rc, const char *id)
{
    memset(rc, 0, sizeof *rc);
    snprintf(rc->meta.race_id, sizeof rc->meta.race_id, "%s", id);
    snprintf(rc->meta.source, sizeof rc->meta.source, "simulation");
    snprintf(rc->meta.title, sizeof rc->meta.title, "Test, 10 laps");
    rc->meta.created_wall_ms = pw_now_ms();
    rc->meta.wall_duration_ms = 60000;
    rc->meta.race_duration_ms = 600000;
    rc->meta.total_laps = 10;
    script_grid_fill(&rc->st, 3);
    rc->st.total_laps = 10;
}

static void fx_start_with(struct fx *f, const struct hub_config *cfg)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    assert_int_equal(bus_inproc_create(&f->bus), 0);
    assert_int_equal(hub_create(&f->loop, f->bus, cfg, NULL, on_end, f, &f->hub), 0);
    race_init(&f->races[0], "race-a");
    race_init(&f->races[1], "race-b");
}

static void fx_start(struct fx *f, size_t log_max_bytes, int finished_kept)
{
    struct hub_config cfg;
    hub_config_defaults(&cfg);
    cfg.end_grace_ms = 0;       /* the end frame at the end timer's first turn */
    cfg.commentary_wait_ms = 0; /* no engine on this bus (as the app sets it without one) */
    if (log_max_bytes)
        cfg.log_max_bytes = log_max_bytes;
    if (finished_kept)
        cfg.finished_races_kept = finished_kept;
    fx_start_with(f, &cfg);
}

static void fx_stop(struct fx *f)
{
    hub_destroy(f->hub);
    pw_bus_destroy(f->bus);
    uv_run(&f->loop, UV_RUN_DEFAULT); /* the hub's timers close */
    assert_int_equal(uv_loop_close(&f->loop), 0);
}

/* Publishes what a runner (or, for commentary, the engine) would: numbered, with meta. */
static void publish(struct fx *f, int race, enum pw_event_type type)
{
    struct race *rc = &f->races[race];
    struct pw_event ev = {.type = type, .wall_ms = pw_now_ms(), .meta = &rc->meta};
    snprintf(ev.race_id, sizeof ev.race_id, "%s", rc->meta.race_id);
    if (type == PW_EV_LIGHTS_OUT)
        rc->st.started = true;
    if (type == PW_EV_POSITIONS) {
        rc->st.race_ms += 1000;
        rc->st.lap = 1 + (int)(rc->st.race_ms / 60000);
        /* a pass now and then, so that frames differ */
        if (rc->st.race_ms % 3000 == 0) {
            struct pw_driver d = rc->st.cars[1].driver;
            rc->st.cars[1].driver = rc->st.cars[2].driver;
            rc->st.cars[2].driver = d;
        }
    }
    if (type == PW_EV_CLASSIFICATION)
        rc->st.finished = true;
    ev.race_ms = rc->st.race_ms;
    ev.lap = rc->st.lap;
    if (type == PW_EV_COMMENTARY) {
        ev.seq = ++rc->c;
        ev.kind = PW_COMMENT_INFO;
        snprintf(ev.id, sizeof ev.id, "c-%s-%" PRIu64, rc->meta.race_id, rc->c);
        snprintf(ev.text, sizeof ev.text, "line %" PRIu64, rc->c);
    } else if (type == PW_EV_COMMENTARY_DONE) {
        ev.seq = rc->c; /* the engine's last line's: it numbers no line */
    } else {
        ev.seq = ++rc->r;
        ev.state = &rc->st;
        if (type == PW_EV_OVERTAKE) {
            snprintf(ev.car, sizeof ev.car, "81");
            snprintf(ev.other, sizeof ev.other, "1");
            ev.position = 1;
        }
    }
    assert_int_equal(pw_bus_publish_event(f->bus, &ev), 0);
}

static int subscribe(struct fx *f, struct mem_sink *s, enum hub_stream stream, const char *race,
                     const char *last_event_id)
{
    mem_sink_init(s);
    return hub_subscribe(f->hub, &s->sink, stream, race, last_event_id, NULL);
}

static void unsubscribe(struct mem_sink *s)
{
    if (s->begun)
        s->sink.ops->close(s->sink.ctx);
    assert_int_equal(s->bad_frames, 0);
    mem_sink_free(s);
}

static json_t *frame_json(const struct mem_frame *fr)
{
    assert_non_null(fr->data);
    json_t *j = json_loads(fr->data, 0, NULL);
    assert_non_null(j);
    return j;
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void run_until_end_frame(struct fx *f, const struct mem_sink *s)
{
    uv_update_time(&f->loop);
    uint64_t deadline = uv_now(&f->loop) + 5000;
    while (mem_sink_find(s, 0, "end") < 0 && uv_now(&f->loop) < deadline)
        uv_run(&f->loop, UV_RUN_ONCE);
}

/* Runs the loop (its end timer turns every 100 ms while a race waits) for `ms` of loop
 * time: time passes for the hub, however slowly the machine runs it. */
static void run_for(struct fx *f, uint64_t ms)
{
    uv_update_time(&f->loop);
    uint64_t until = uv_now(&f->loop) + ms;
    while (uv_now(&f->loop) < until)
        uv_run(&f->loop, UV_RUN_ONCE);
}

static uint64_t stream_clients(struct fx *f, enum hub_stream stream)
{
    struct hub_stats st;
    hub_get_stats(f->hub, &st);
    return st.clients[stream];
}

/* --- snapshot ---------------------------------------------------------------------------- */

static void test_snapshot(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, 0, 0);
    publish(&f, 0, PW_EV_RACE_CREATED);
    publish(&f, 0, PW_EV_LIGHTS_OUT);
    for (int i = 0; i < 3; i++)
        publish(&f, 0, PW_EV_POSITIONS);
    publish(&f, 0, PW_EV_COMMENTARY);
    publish(&f, 0, PW_EV_COMMENTARY);

    struct mem_sink race, pos, com;
    assert_int_equal(subscribe(&f, &race, HUB_STREAM_RACE, "race-a", NULL), 0);
    assert_true(race.begun);
    assert_int_equal(race.n, 2);
    assert_string_equal(race.frames[0].retry, "1000");
    assert_string_equal(race.frames[1].event, "snapshot");
    assert_string_equal(race.frames[1].id, "5-2");
    json_t *snap = frame_json(&race.frames[1]);
    assert_string_equal(jstr(snap, "type"), "snapshot");
    json_t *status = json_object_get(snap, "status");
    assert_string_equal(jstr(status, "status"), "in_progress");
    assert_string_equal(jstr(status, "race_id"), "race-a");
    json_t *positions = json_object_get(snap, "positions");
    assert_int_equal(json_integer_value(json_object_get(positions, "seq")), 5);
    assert_int_equal(json_array_size(json_object_get(positions, "positions")), 3);
    json_t *comments = json_object_get(snap, "commentary");
    assert_int_equal(json_array_size(comments), 2);
    assert_string_equal(jstr(json_array_get(comments, 0), "message"), "line 1");
    assert_string_equal(jstr(json_array_get(comments, 1), "message"), "line 2");
    json_decref(snap);

    /* The original streams: the newest positions frame; the recent commentary lines. */
    assert_int_equal(subscribe(&f, &pos, HUB_STREAM_POSITIONS, "race-a", NULL), 0);
    assert_int_equal(pos.n, 2);
    assert_string_equal(pos.frames[1].id, "5-0");
    assert_string_equal(pos.frames[1].event, "");
    json_t *p = frame_json(&pos.frames[1]);
    assert_string_equal(jstr(p, "type"), "positions");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "data"), "seq")), 5);
    json_decref(p);
    assert_int_equal(subscribe(&f, &com, HUB_STREAM_COMMENTARY, "race-a", NULL), 0);
    assert_int_equal(com.n, 3);
    assert_string_equal(com.frames[1].id, "5-1");
    assert_string_equal(com.frames[2].id, "5-2");

    /* Live from there on, each to its own stream: the combined one gets what changed since
     * the snapshot's tick (delta.h). */
    publish(&f, 0, PW_EV_POSITIONS);
    assert_int_equal(race.n, 3);
    assert_string_equal(race.frames[2].event, "delta");
    assert_string_equal(race.frames[2].id, "6-2");
    assert_int_equal(pos.n, 3);
    assert_string_equal(pos.frames[2].id, "6-2");
    assert_int_equal(com.n, 3);
    assert_int_equal(stream_clients(&f, HUB_STREAM_RACE), 1);
    assert_int_equal(stream_clients(&f, HUB_STREAM_POSITIONS), 1);

    /* A snapshot is cached between events, and renewed by the next one. */
    struct mem_sink again;
    assert_int_equal(subscribe(&f, &again, HUB_STREAM_RACE, "race-a", NULL), 0);
    assert_string_equal(again.frames[1].id, "6-2");
    unsubscribe(&again);

    unsubscribe(&race);
    unsubscribe(&pos);
    unsubscribe(&com);
    assert_int_equal(stream_clients(&f, HUB_STREAM_RACE), 0);
    fx_stop(&f);
}

/* --- resume ------------------------------------------------------------------------------ */

static bool parse_id(const char *id, uint64_t *r, uint64_t *c)
{
    return sscanf(id, "%" SCNu64 "-%" SCNu64, r, c) == 2;
}

/* For every id R-C a client could hold (0 <= R <= max R, 0 <= C <= max C), a resumed
 * client gets exactly the frames with an id that a live client got after that id — on the
 * combined stream when the hub replays (resume.h); when it catches up instead, the same
 * frames but the deltas, the last of which comes as the tick in full; or a snapshot. */
static void check_resume_all(struct fx *f, enum hub_stream stream, const struct mem_sink *live)
{
    uint64_t max_r = f->races[0].r, max_c = f->races[0].c;
    for (uint64_t r = 0; r <= max_r; r++) {
        for (uint64_t c = 0; c <= max_c; c++) {
            char id[48];
            snprintf(id, sizeof id, "%" PRIu64 "-%" PRIu64, r, c);
            struct mem_sink s;
            struct hub_stats before, after;
            hub_get_stats(f->hub, &before);
            assert_int_equal(subscribe(f, &s, stream, "race-a", id), 0);
            hub_get_stats(f->hub, &after);
            assert_string_equal(s.frames[0].retry, "1000");
            if (after.resumes_snapshot > before.resumes_snapshot) {
                assert_int_equal(stream, HUB_STREAM_RACE);
                assert_string_equal(s.frames[1].event, "snapshot");
                unsubscribe(&s);
                continue;
            }
            bool catchup = after.resumes_catchup > before.resumes_catchup;
            const char *last_tick = NULL; /* catch-up: the one tick that comes, in full */
            for (int i = 0; catchup && i < live->n; i++) {
                uint64_t wr, wc;
                const struct mem_frame *fr = &live->frames[i];
                if ((!strcmp(fr->event, "delta") || !strcmp(fr->event, "positions")) &&
                    parse_id(fr->id, &wr, &wc) && wr > r)
                    last_tick = fr->id;
            }
            int at = 0; /* frames of the resumed client after its retry frame */
            for (int i = 0; i < live->n; i++) {
                const struct mem_frame *want = &live->frames[i];
                uint64_t wr, wc;
                if (!want->id[0] || !strcmp(want->event, "snapshot"))
                    continue;
                assert_true(parse_id(want->id, &wr, &wc));
                bool commentary =
                    stream == HUB_STREAM_COMMENTARY || !strcmp(want->event, "commentary");
                if (commentary ? wc <= c : wr <= r)
                    continue;
                bool tick = !strcmp(want->event, "delta") || !strcmp(want->event, "positions");
                if (catchup && tick && strcmp(want->id, last_tick) != 0)
                    continue;
                /* the next frame with an id in the resumed stream must be this one */
                while (1 + at < s.n && !s.frames[1 + at].id[0])
                    at++;
                assert_true(1 + at < s.n);
                assert_string_equal(s.frames[1 + at].id, want->id);
                if (catchup && tick) {
                    assert_string_equal(s.frames[1 + at].event, "positions");
                } else {
                    assert_string_equal(s.frames[1 + at].event, want->event);
                    assert_string_equal(s.frames[1 + at].data, want->data);
                }
                at++;
            }
            for (int i = 1 + at; i < s.n; i++)
                assert_string_equal(s.frames[i].id, ""); /* nothing more with an id */
            unsubscribe(&s);
        }
    }
}

static void test_resume_from_any_id(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, 0, 0);
    publish(&f, 0, PW_EV_RACE_CREATED);
    struct mem_sink live[HUB_STREAM_COUNT];
    for (int s = 0; s < HUB_STREAM_COUNT; s++)
        assert_int_equal(subscribe(&f, &live[s], (enum hub_stream)s, "race-a", NULL), 0);
    publish(&f, 0, PW_EV_LIGHTS_OUT);
    for (int i = 1; i <= 12; i++) {
        publish(&f, 0, PW_EV_POSITIONS);
        if (i % 3 == 0)
            publish(&f, 0, PW_EV_COMMENTARY);
        if (i == 5)
            publish(&f, 0, PW_EV_OVERTAKE);
        if (i == 8) {
            publish(&f, 0, PW_EV_COMMENTARY);
            publish(&f, 0, PW_EV_PIT_IN);
        }
    }
    /* the live clients saw every kind of frame */
    assert_true(mem_sink_find(&live[HUB_STREAM_RACE], 0, "race") > 0);
    assert_true(mem_sink_find(&live[HUB_STREAM_RACE], 0, "commentary") > 0);
    assert_true(mem_sink_find(&live[HUB_STREAM_RACE], 0, "status") > 0);
    assert_int_equal(live[HUB_STREAM_POSITIONS].n, 1 + 12);
    assert_int_equal(live[HUB_STREAM_COMMENTARY].n, 1 + 5);
    for (int s = 0; s < HUB_STREAM_COUNT; s++)
        check_resume_all(&f, (enum hub_stream)s, &live[s]);

    struct hub_stats st;
    hub_get_stats(f.hub, &st);
    assert_int_equal(st.resumes, 3u * (f.races[0].r + 1) * (f.races[0].c + 1));
    assert_int_equal(st.resumes_gap, 0);
    /* All three ways of bringing a combined-stream client back were taken. */
    assert_true(st.resumes_snapshot > 0);
    assert_true(st.resumes_catchup > 0);

    /* Ids that are not ids, races that are not there: refused, the sink never begun. */
    const char *bad[] = {"x",
                         "1-",
                         "-1",
                         "1--2",
                         "1-2-3",
                         "1 - 2",
                         " 1-2",
                         "+1-2",
                         "1-+2",
                         "1--1",
                         "99999999999999999999-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mem_sink s;
        assert_int_equal(subscribe(&f, &s, HUB_STREAM_RACE, "race-a", bad[i]), -EINVAL);
        assert_false(s.begun);
        unsubscribe(&s);
    }
    struct mem_sink s;
    assert_int_equal(subscribe(&f, &s, HUB_STREAM_RACE, "race-z", NULL), -ENOENT);
    assert_int_equal(subscribe(&f, &s, HUB_STREAM_RACE, NULL, NULL), -ENOENT);
    assert_false(s.begun);
    /* A sink that cannot begin: its error, and no client is counted. */
    mem_sink_init(&s);
    s.begin_rc = -EPIPE;
    assert_int_equal(hub_subscribe(f.hub, &s.sink, HUB_STREAM_RACE, "race-a", NULL, NULL), -EPIPE);
    assert_int_equal(stream_clients(&f, HUB_STREAM_RACE), 1);
    unsubscribe(&s);

    for (int i = 0; i < HUB_STREAM_COUNT; i++)
        unsubscribe(&live[i]);
    fx_stop(&f);
}

/* --- eviction: the log window, and a client that does not keep up ------------------------ */

static void test_resume_before_log_window(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, 8192, 0);
    publish(&f, 0, PW_EV_RACE_CREATED);
    publish(&f, 0, PW_EV_LIGHTS_OUT);
    for (int i = 0; i < 60; i++)
        publish(&f, 0, PW_EV_POSITIONS); /* ~2 KB a frame pair: a few fit in 8 KB */

    /* From before the window: a fresh snapshot, counted. */
    struct mem_sink old;
    assert_int_equal(subscribe(&f, &old, HUB_STREAM_RACE, "race-a", "2-0"), 0);
    assert_int_equal(old.n, 2);
    assert_string_equal(old.frames[1].event, "snapshot");
    assert_string_equal(old.frames[1].id, "62-0");
    struct hub_stats st;
    hub_get_stats(f.hub, &st);
    assert_int_equal(st.resumes, 1);
    assert_int_equal(st.resumes_gap, 1);

    /* From inside it: exactly what was missed, not counted as a gap. */
    struct mem_sink recent;
    assert_int_equal(subscribe(&f, &recent, HUB_STREAM_RACE, "race-a", "60-0"), 0);
    assert_int_equal(recent.n, 3);
    assert_string_equal(recent.frames[1].id, "61-0");
    assert_string_equal(recent.frames[2].id, "62-0");
    hub_get_stats(f.hub, &st);
    assert_int_equal(st.resumes, 2);
    assert_int_equal(st.resumes_gap, 1);

    /* The original positions stream resumed from before the window: the newest frame. */
    struct mem_sink pos;
    assert_int_equal(subscribe(&f, &pos, HUB_STREAM_POSITIONS, "race-a", "3-0"), 0);
    assert_int_equal(pos.n, 2);
    assert_string_equal(pos.frames[1].id, "62-0");

    unsubscribe(&old);
    unsubscribe(&recent);
    unsubscribe(&pos);
    fx_stop(&f);
}

static void test_slow_client_evicted(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, 0, 0);
    publish(&f, 0, PW_EV_RACE_CREATED);
    publish(&f, 0, PW_EV_LIGHTS_OUT);
    struct mem_sink slow, fine;
    assert_int_equal(subscribe(&f, &slow, HUB_STREAM_RACE, "race-a", NULL), 0);
    /* a client that reads no more than a few ticks' deltas past its snapshot */
    slow.max_bytes = slow.bytes + 2500;
    assert_int_equal(subscribe(&f, &fine, HUB_STREAM_RACE, "race-a", NULL), 0);
    int before = fine.n;
    for (int i = 0; i < 20; i++)
        publish(&f, 0, PW_EV_POSITIONS);
    assert_true(slow.closed);
    assert_int_equal(slow.closed_calls, 1);
    int kept = slow.n;
    assert_true(kept > 2 && kept < before + 20);
    struct hub_stats st;
    hub_get_stats(f.hub, &st);
    assert_int_equal(st.clients_write_failed, 1);
    assert_int_equal(st.clients[HUB_STREAM_RACE], 1);
    /* the hub no longer writes to it; the other client got every frame */
    publish(&f, 0, PW_EV_POSITIONS);
    assert_int_equal(slow.n, kept);
    assert_int_equal(fine.n, before + 21);
    assert_false(fine.closed);
    unsubscribe(&slow);
    unsubscribe(&fine);
    fx_stop(&f);
}

/* --- end of a race ----------------------------------------------------------------------- */

static void test_end_of_race(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, 0, 1);
    publish(&f, 0, PW_EV_RACE_CREATED);
    struct mem_sink race, pos;
    assert_int_equal(subscribe(&f, &race, HUB_STREAM_RACE, "race-a", NULL), 0);
    assert_int_equal(subscribe(&f, &pos, HUB_STREAM_POSITIONS, "race-a", NULL), 0);
    publish(&f, 0, PW_EV_LIGHTS_OUT);
    for (int i = 0; i < 3; i++)
        publish(&f, 0, PW_EV_POSITIONS);
    publish(&f, 0, PW_EV_CLASSIFICATION);

    assert_int_equal(f.ends, 1);
    assert_int_equal(f.end_status, HUB_RACE_FINISHED);
    assert_true(f.end_had_state);
    enum hub_race_status status;
    assert_int_equal(hub_race_get_status(f.hub, "race-a", &status), 0);
    assert_int_equal(status, HUB_RACE_FINISHED);
    int st_frame = race.n - 1;
    assert_string_equal(race.frames[st_frame].event, "status");
    assert_string_equal(race.frames[st_frame].id, ""); /* derived: moves no Last-Event-ID */
    json_t *sj = frame_json(&race.frames[st_frame]);
    assert_string_equal(jstr(sj, "status"), "finished");
    json_decref(sj);

    /* The last commentary lines still come until the end frame; race events do not. */
    publish(&f, 0, PW_EV_COMMENTARY);
    assert_string_equal(race.frames[race.n - 1].event, "commentary");
    assert_string_equal(race.frames[race.n - 1].id, "6-1");
    int n_before = race.n;
    publish(&f, 0, PW_EV_OVERTAKE);
    assert_int_equal(race.n, n_before);
    struct hub_stats st;
    hub_get_stats(f.hub, &st);
    assert_int_equal(st.events_late, 1);

    run_until_end_frame(&f, &race);
    int end = mem_sink_find(&race, 0, "end");
    assert_int_equal(end, race.n - 1);
    assert_string_equal(race.frames[end].id, "");
    json_t *ej = frame_json(&race.frames[end]);
    assert_string_equal(jstr(ej, "type"), "end");
    assert_string_equal(jstr(ej, "race_id"), "race-a");
    assert_string_equal(jstr(ej, "status"), "finished");
    json_decref(ej);
    json_t *pj = frame_json(&pos.frames[pos.n - 1]);
    assert_string_equal(jstr(pj, "type"), "end");
    assert_string_equal(jstr(json_object_get(pj, "data"), "status"), "finished");
    json_decref(pj);
    assert_int_equal(f.ends, 1);
    /* A race's streams end after their end frame (docs/API.md), once each. */
    assert_true(race.closed && pos.closed);
    assert_int_equal(race.closed_calls, 1);

    /* After the end frame nothing is taken, not even commentary. */
    publish(&f, 0, PW_EV_COMMENTARY);
    hub_get_stats(f.hub, &st);
    assert_int_equal(st.events_late, 2);

    /* A client that has it all is told so (204); one that missed the last line gets it and
     * the end; a new one gets the snapshot and the end. */
    struct mem_sink done, behind, fresh;
    assert_int_equal(subscribe(&f, &done, HUB_STREAM_RACE, "race-a", "6-1"), 1);
    assert_false(done.begun);
    assert_int_equal(subscribe(&f, &behind, HUB_STREAM_RACE, "race-a", "6-0"), 0);
    assert_int_equal(behind.n, 3);
    assert_string_equal(behind.frames[1].id, "6-1");
    assert_string_equal(behind.frames[2].event, "end");
    assert_int_equal(subscribe(&f, &fresh, HUB_STREAM_RACE, "race-a", NULL), 0);
    assert_int_equal(fresh.n, 3);
    assert_string_equal(fresh.frames[1].event, "snapshot");
    assert_string_equal(fresh.frames[2].event, "end");
    assert_true(behind.closed && fresh.closed); /* they had the end frame: ended too */
    unsubscribe(&done);
    unsubscribe(&fresh);

    /* Finished races beyond finished_races_kept (1 here) leave memory. */
    publish(&f, 1, PW_EV_RACE_CREATED);
    publish(&f, 1, PW_EV_LIGHTS_OUT);
    publish(&f, 1, PW_EV_POSITIONS);
    publish(&f, 1, PW_EV_RACE_STOPPED);
    assert_int_equal(f.ends, 2);
    assert_int_equal(f.end_status, HUB_RACE_STOPPED);
    struct mem_sink b;
    assert_int_equal(subscribe(&f, &b, HUB_STREAM_RACE, "race-b", NULL), 0);
    run_until_end_frame(&f, &b);
    assert_true(mem_sink_find(&b, 0, "end") > 0);
    assert_int_equal(hub_race_get_status(f.hub, "race-a", &status), -ENOENT);
    assert_true(race.closed && pos.closed && behind.closed);
    assert_int_equal(race.closed_calls, 1);
    assert_true(b.closed); /* its end frame came */
    assert_int_equal(b.closed_calls, 1);
    assert_int_equal(hub_race_get_status(f.hub, "race-b", &status), 0);
    assert_int_equal(status, HUB_RACE_STOPPED);

    unsubscribe(&race);
    unsubscribe(&pos);
    unsubscribe(&behind);
    unsubscribe(&b);
    fx_stop(&f);
}

/* A race's end waits for the commentary engine: a line said after the classification (the
 * engine paces its last lines a second apart, and over Kafka they may come later still) goes
 * to every viewer and into the race's log, and the `end` frame comes only after the done
 * marker. A race that failed to start has no commentary to wait for. */
static void test_end_waits_for_commentary_done(void **state)
{
    (void)state;
    struct hub_config cfg;
    hub_config_defaults(&cfg);
    cfg.end_grace_ms = 0;
    cfg.commentary_wait_ms = 600000; /* the bound never comes into it here */
    struct fx f;
    fx_start_with(&f, &cfg);
    publish(&f, 0, PW_EV_RACE_CREATED);
    struct mem_sink race, com;
    assert_int_equal(subscribe(&f, &race, HUB_STREAM_RACE, "race-a", NULL), 0);
    assert_int_equal(subscribe(&f, &com, HUB_STREAM_COMMENTARY, "race-a", NULL), 0);
    publish(&f, 0, PW_EV_LIGHTS_OUT);
    publish(&f, 0, PW_EV_POSITIONS);
    publish(&f, 0, PW_EV_COMMENTARY);
    publish(&f, 0, PW_EV_CLASSIFICATION); /* R = 4 */
    assert_int_equal(f.ends, 1);          /* the history is told of the finish at once */

    /* Past the grace with no marker: no end; a line said now is everyone's. */
    run_for(&f, 300);
    assert_int_equal(mem_sink_find(&race, 0, "end"), -1);
    publish(&f, 0, PW_EV_COMMENTARY);
    assert_string_equal(race.frames[race.n - 1].event, "commentary");
    assert_string_equal(race.frames[race.n - 1].id, "4-2");
    json_t *line = frame_json(&race.frames[race.n - 1]);
    assert_string_equal(jstr(json_object_get(line, "data"), "message"), "line 2");
    json_decref(line);
    assert_string_equal(com.frames[com.n - 1].id, "4-2");

    /* A race that failed to start ends meanwhile: it waits for no engine. */
    struct mem_sink failed;
    publish(&f, 1, PW_EV_RACE_CREATED);
    assert_int_equal(subscribe(&f, &failed, HUB_STREAM_RACE, "race-b", NULL), 0);
    publish(&f, 1, PW_EV_RACE_FAILED);
    run_until_end_frame(&f, &failed);
    assert_true(mem_sink_find(&failed, 0, "end") > 0);
    run_for(&f, 300);
    assert_int_equal(mem_sink_find(&race, 0, "end"), -1);

    /* The marker: the end follows at once (its seq repeats the last line's: no duplicate). */
    struct hub_stats st;
    hub_get_stats(f.hub, &st);
    uint64_t duplicates = st.events_duplicate;
    int n_before = race.n;
    publish(&f, 0, PW_EV_COMMENTARY_DONE);
    assert_int_equal(race.n, n_before); /* no frame of its own */
    run_until_end_frame(&f, &race);
    int end = mem_sink_find(&race, 0, "end");
    assert_int_equal(end, n_before);
    json_t *com_end = frame_json(&com.frames[com.n - 1]); /* the original stream's end */
    assert_string_equal(jstr(com_end, "type"), "end");
    json_decref(com_end);
    assert_string_equal(com.frames[com.n - 2].id, "4-2");
    hub_get_stats(f.hub, &st);
    assert_int_equal(st.events_duplicate, duplicates);
    assert_int_equal(st.ends_unmarked, 0);
    assert_int_equal(f.ends, 1);

    /* The late line is in the race's log and its snapshot: a viewer who comes after the end,
     * or resumes from before the line, has it. */
    struct mem_sink fresh, resumed;
    assert_int_equal(subscribe(&f, &fresh, HUB_STREAM_RACE, "race-a", NULL), 0);
    json_t *snap = frame_json(&fresh.frames[1]);
    json_t *comments = json_object_get(snap, "commentary");
    assert_int_equal(json_array_size(comments), 2);
    assert_string_equal(jstr(json_array_get(comments, 1), "message"), "line 2");
    json_decref(snap);
    assert_int_equal(subscribe(&f, &resumed, HUB_STREAM_COMMENTARY, "race-a", "4-1"), 0);
    assert_int_equal(resumed.n, 3);
    assert_string_equal(resumed.frames[1].id, "4-2");
    json_t *end_frame = frame_json(&resumed.frames[2]);
    assert_string_equal(jstr(end_frame, "type"), "end");
    json_decref(end_frame);
    unsubscribe(&fresh);
    unsubscribe(&resumed);
    unsubscribe(&race);
    unsubscribe(&com);
    unsubscribe(&failed);
    fx_stop(&f);
}

/* An engine that never says its commentary is done (dead, or one that sends no marker, as
 * the Flink job) holds the end for hub.commentary_wait_ms after the finish, no longer; its
 * lines until then are shown. */
static void test_end_without_marker_after_the_wait(void **state)
{
    (void)state;
    struct hub_config cfg;
    hub_config_defaults(&cfg);
    cfg.end_grace_ms = 100;
    cfg.commentary_wait_ms = 600;
    struct fx f;
    fx_start_with(&f, &cfg);
    publish(&f, 0, PW_EV_RACE_CREATED);
    struct mem_sink race;
    assert_int_equal(subscribe(&f, &race, HUB_STREAM_RACE, "race-a", NULL), 0);
    publish(&f, 0, PW_EV_LIGHTS_OUT);
    publish(&f, 0, PW_EV_POSITIONS);
    uv_update_time(&f.loop);
    uint64_t finish = uv_now(&f.loop);
    publish(&f, 0, PW_EV_CLASSIFICATION);
    run_for(&f, 400);
    assert_int_equal(mem_sink_find(&race, 0, "end"), -1);
    publish(&f, 0, PW_EV_COMMENTARY);
    assert_string_equal(race.frames[race.n - 1].event, "commentary");
    run_until_end_frame(&f, &race);
    int end = mem_sink_find(&race, 0, "end");
    assert_int_equal(end, race.n - 1);
    assert_true(uv_now(&f.loop) - finish >= cfg.commentary_wait_ms);
    json_t *ej = frame_json(&race.frames[end]);
    assert_string_equal(jstr(ej, "status"), "finished");
    json_decref(ej);
    struct hub_stats st;
    hub_get_stats(f.hub, &st);
    assert_int_equal(st.ends_unmarked, 1);
    /* after the end, a marker (or a line) that comes at last changes nothing */
    uint64_t late = st.events_late;
    publish(&f, 0, PW_EV_COMMENTARY_DONE);
    hub_get_stats(f.hub, &st);
    assert_int_equal(st.events_late, late + 1);
    assert_int_equal(race.n, end + 1);
    unsubscribe(&race);
    fx_stop(&f);
}

/* --- every race, and shutdown ------------------------------------------------------------ */

static void test_all_races_and_goodbye(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, 0, 0);
    struct mem_sink all, race;
    assert_int_equal(subscribe(&f, &all, HUB_STREAM_POSITIONS, NULL, NULL), 0);
    publish(&f, 0, PW_EV_RACE_CREATED);
    publish(&f, 1, PW_EV_RACE_CREATED);
    publish(&f, 0, PW_EV_POSITIONS);
    publish(&f, 1, PW_EV_POSITIONS);
    publish(&f, 1, PW_EV_COMMENTARY);
    assert_int_equal(all.n, 3); /* retry + one positions frame per race, no commentary */
    json_t *a = frame_json(&all.frames[1]), *b = frame_json(&all.frames[2]);
    assert_string_equal(jstr(json_object_get(a, "data"), "race_id"), "race-a");
    assert_string_equal(jstr(json_object_get(b, "data"), "race_id"), "race-b");
    json_decref(a);
    json_decref(b);
    /* an event of a race nobody announced is dropped */
    struct pw_event ev = {.type = PW_EV_POSITIONS, .seq = 1};
    snprintf(ev.race_id, sizeof ev.race_id, "nobody");
    assert_int_equal(pw_bus_publish_event(f.bus, &ev), 0);
    struct hub_stats st;
    hub_get_stats(f.hub, &st);
    assert_int_equal(st.events_unknown_race, 1);
    assert_int_equal(st.races_in_memory, 2);

    assert_int_equal(subscribe(&f, &race, HUB_STREAM_RACE, "race-b", NULL), 0);
    hub_say_goodbye(f.hub);
    json_t *g = frame_json(&race.frames[race.n - 1]);
    assert_string_equal(race.frames[race.n - 1].event, "end");
    assert_string_equal(jstr(g, "status"), "shutdown");
    json_decref(g);
    g = frame_json(&all.frames[all.n - 1]);
    assert_string_equal(jstr(json_object_get(g, "data"), "status"), "shutdown");
    json_decref(g);

    /* Destroying the hub closes every client it still has. */
    hub_destroy(f.hub);
    f.hub = NULL;
    assert_true(all.closed && race.closed);
    assert_int_equal(all.closed_calls, 1);
    pw_bus_destroy(f.bus);
    uv_run(&f.loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f.loop), 0);
    unsubscribe(&all);
    unsubscribe(&race);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_resume_from_any_id),
        cmocka_unit_test(test_resume_before_log_window),
        cmocka_unit_test(test_slow_client_evicted),
        cmocka_unit_test(test_end_of_race),
        cmocka_unit_test(test_end_waits_for_commentary_done),
        cmocka_unit_test(test_end_without_marker_after_the_wait),
        cmocka_unit_test(test_all_races_and_goodbye),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
