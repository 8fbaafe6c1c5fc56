/* The engine on a real libuv loop and the in-process bus, rules only: a scripted race is
 * published step by step from a timer, as a race runner would, and the commentary stream
 * that comes back is checked line by line. */
#include "engine_harness.h"
#include "commentary/cm_phrase.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#define STEP_MS 40
#define INTERVAL_MS 100
#define STALE_MS 60000

struct scripted {
    struct engine_harness *h;
    uv_timer_t tick;
    int step;
    int stop_at; /* publish RACE_STOPPED at this step instead of going on; -1: never */
    bool done;
};

static void positions(struct engine_harness *h)
{
    harness_publish(h, script_event(&h->s, PW_EV_POSITIONS));
}

/* One step of a short race: every kind of fact, some in bursts. */
static void on_tick(uv_timer_t *t)
{
    struct scripted *sc = t->data;
    struct engine_harness *h = sc->h;
    struct race_script *s = &h->s;
    struct pw_event *ev;
    s->state.race_ms += 5000;
    if (sc->step == sc->stop_at) {
        harness_publish(h, script_event(s, PW_EV_RACE_STOPPED));
        sc->done = true;
        uv_timer_stop(t);
        return;
    }
    switch (sc->step++) {
    case 0:
        harness_publish(h, script_event(s, PW_EV_RACE_CREATED));
        break;
    case 1:
        s->state.started = true;
        s->state.lap = 1;
        harness_publish(h, script_event(s, PW_EV_LIGHTS_OUT));
        break;
    case 5:
        s->state.lap = 3;
        harness_publish(h, script_overtake(s, "81")); /* lead change */
        break;
    case 6:
        harness_publish(h, script_overtake(s, "16")); /* Leclerc P3 */
        harness_publish(h, script_overtake(s, "23")); /* Albon passes the picked Sainz */
        harness_publish(h, script_overtake(s, "14")); /* midfield: nothing */
        break;
    case 10:
        s->state.lap = 12;
        harness_publish(h, script_car_event(s, PW_EV_PIT_IN, "81"));
        harness_publish(h, script_car_event(s, PW_EV_PIT_IN, "1"));
        break;
    case 11:
        script_move(s, "81", 4);
        script_move(s, "1", 5);
        ev = script_car_event(s, PW_EV_PIT_OUT, "81");
        ev->tyre = PW_TYRE_HARD;
        harness_publish(h, ev);
        ev = script_car_event(s, PW_EV_PIT_OUT, "1");
        ev->tyre = PW_TYRE_HARD;
        harness_publish(h, ev);
        break;
    case 18:
        s->state.track = PW_TRACK_SC;
        ev = script_event(s, PW_EV_TRACK_STATUS);
        ev->track = PW_TRACK_SC;
        harness_publish(h, ev);
        break;
    case 24:
        s->state.track = PW_TRACK_GREEN;
        ev = script_event(s, PW_EV_TRACK_STATUS);
        ev->track = PW_TRACK_GREEN;
        harness_publish(h, ev);
        break;
    case 28:
        ev = script_car_event(s, PW_EV_FASTEST_LAP, "55");
        ev->lap_ms = 81234;
        harness_publish(h, ev);
        break;
    case 32:
        s->state.cars[script_index(s, "44")].retired = true;
        harness_publish(h, script_car_event(s, PW_EV_RETIREMENT, "44"));
        break;
    case 36:
        s->state.lap = 53;
        harness_publish(h, script_event(s, PW_EV_FINAL_LAP));
        break;
    case 40:
        s->state.finished = true;
        harness_publish(h, script_car_event(s, PW_EV_CHEQUERED, s->state.cars[0].driver.number));
        harness_publish(h, script_event(s, PW_EV_CLASSIFICATION));
        sc->done = true;
        uv_timer_stop(t);
        return;
    default:
        break;
    }
    positions(h);
}

static struct engine_harness *engine_open(bool enabled)
{
    struct engine_harness *h = harness_open("55");
    assert_non_null(h);
    struct commentary_config cfg;
    commentary_config_defaults(&cfg);
    cfg.enabled = enabled;
    cfg.min_interval_ms = INTERVAL_MS;
    /* Longer than the script: what a line says must not hang on how late a loaded machine
     * runs the timers (each line is paced from the last one, so lateness adds up along a
     * backlog); cm_core shows stale candidates dropped on a scripted clock. */
    cfg.stale_ms = STALE_MS;
    cfg.merge_window_ms = 50;
    assert_int_equal(commentary_create(&h->loop, &cfg, h->bus, NULL, &h->engine), 0);
    return h;
}

static void run_script(struct engine_harness *h, struct scripted *sc, int stop_at)
{
    memset(sc, 0, sizeof *sc);
    sc->h = h;
    sc->stop_at = stop_at;
    uv_timer_init(&h->loop, &sc->tick);
    sc->tick.data = sc;
    uv_timer_start(&sc->tick, on_tick, STEP_MS, STEP_MS);
    harness_start_probe(h);
    /* the script takes 41 steps; then whatever is pending is paced out */
    while (!sc->done)
        harness_run(h, 0, 100);
    harness_run(h, 0, 1500);
    uv_close((uv_handle_t *)&sc->tick, NULL);
}

static int find_line(const struct engine_harness *h, const char *part)
{
    for (int i = 0; i < h->n_lines; i++)
        if (strstr(h->lines[i].ev.text, part))
            return i;
    return -1;
}

static void test_scripted_race(void **st)
{
    (void)st;
    struct engine_harness *h = engine_open(true);
    struct scripted sc;
    run_script(h, &sc, -1);
    for (int i = 0; i < h->n_lines; i++)
        print_message("  %3lld ms %-9s %s\n", (long long)(h->lines[i].at_ms - h->lines[0].at_ms),
                      pw_commentary_kind_name(h->lines[i].ev.kind), h->lines[i].ev.text);
    assert_true(h->n_lines >= 10);
    for (int i = 0; i < h->n_lines; i++) {
        const struct got_line *g = &h->lines[i];
        char id[64];
        snprintf(id, sizeof id, "c-race-1-%d", i + 1);
        assert_string_equal(g->ev.id, id);
        assert_int_equal(g->ev.seq, (uint64_t)i + 1);
        assert_string_equal(g->ev.race_id, "race-1");
        assert_int_equal(g->ev.type, PW_EV_COMMENTARY);
        assert_true(g->had_state && g->had_meta);
        assert_string_equal(g->meta_selected, "55");
        assert_true(g->ev.wall_ms > 0);
        int chars = cm_phrase_utf8_chars(g->ev.text);
        assert_true(chars > 0 && chars <= CM_LINE_MAX_CHARS);
        if (i > 0) {
            assert_true(g->at_ms - h->lines[i - 1].at_ms >= INTERVAL_MS);
            assert_string_not_equal(g->ev.text, h->lines[i - 1].ev.text);
            assert_true(g->ev.race_ms >= h->lines[i - 1].ev.race_ms);
        }
    }
    /* what a viewer of this race must have heard */
    assert_true(find_line(h, "Piastri") >= 0);
    assert_true(find_line(h, "Albon") >= 0);
    assert_int_equal(find_line(h, "Alonso"), -1);
    int merged = -1;
    for (int i = 0; i < h->n_lines; i++)
        if (strstr(h->lines[i].ev.text, "Piastri and Norris") ||
            strstr(h->lines[i].ev.text, "Norris and Piastri"))
            merged = i;
    assert_true(merged >= 0);
    assert_true(find_line(h, "Hamilton") >= 0); /* retirement */
    assert_true(find_line(h, "1:21.234") >= 0); /* the picked driver's fastest lap */
    /* the race ends with the podium, which names the picked driver too */
    const struct got_line *last = &h->lines[h->n_lines - 1];
    assert_non_null(strstr(last->ev.text, "Sainz"));
    assert_int_equal(last->ev.kind, PW_COMMENT_HIGHLIGHT);
    struct commentary_stats s;
    commentary_get_stats(h->engine, &s);
    assert_int_equal(s.lines_published, (uint64_t)h->n_lines);
    assert_true(s.candidates_merged >= 1);
    assert_int_equal(s.races_active, 0); /* freed once the podium was said */
    /* ... and then, once, the race's done marker: after the last line, numbering none */
    assert_int_equal(h->n_done, 1);
    assert_int_equal(s.races_done, 1);
    assert_int_equal(h->lines_before_done, h->n_lines);
    assert_int_equal(h->done.seq, (uint64_t)h->n_lines);
    assert_string_equal(h->done.race_id, "race-1");
    assert_string_equal(h->done.text, "");
    assert_true(h->done_had_meta);
    assert_int_equal(s.llm_calls, 0);
    assert_true(h->probe_max_late_ms < 250); /* a few ms measured; margin for loaded CI */
    assert_int_equal(harness_close(h), 0);
}

static void test_race_stopped_drops_pending(void **st)
{
    (void)st;
    struct engine_harness *h = engine_open(true);
    struct scripted sc;
    run_script(h, &sc, 12); /* right after the double pit stop */
    int lines_at_stop = h->n_lines;
    struct commentary_stats s;
    commentary_get_stats(h->engine, &s);
    assert_int_equal(s.races_active, 0);
    assert_true(s.candidates_dropped_stopped >= 1);
    assert_int_equal(s.lines_published, (uint64_t)lines_at_stop);
    assert_int_equal(find_line(h, "both"), -1);
    /* nothing more will be said: the marker at once, after the lines said before the stop */
    assert_int_equal(h->n_done, 1);
    assert_int_equal(h->lines_before_done, lines_at_stop);
    assert_int_equal(h->done.seq, (uint64_t)lines_at_stop);
    assert_int_equal(harness_close(h), 0);
}

static void test_disabled_engine_says_nothing(void **st)
{
    (void)st;
    struct engine_harness *h = engine_open(false);
    struct scripted sc;
    run_script(h, &sc, -1);
    assert_int_equal(h->n_lines, 0);
    assert_int_equal(h->n_done, 0);
    char buf[4096];
    assert_true(commentary_format_metrics(h->engine, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "pitwall_commentary_lines_published_total 0\n"));
    assert_int_equal(harness_close(h), 0);
}

static void test_invalid_input(void **st)
{
    (void)st;
    struct engine_harness *h = engine_open(true);
    struct pw_event *ev = script_event(&h->s, PW_EV_LIGHTS_OUT);
    ev->race_id[0] = '\0';
    harness_publish(h, ev);
    ev = script_event(&h->s, PW_EV_OVERTAKE);
    snprintf(ev->car, sizeof ev->car, "999"); /* unknown cars */
    snprintf(ev->other, sizeof ev->other, "998");
    ev->position = 1;
    ev->state = NULL;
    ev->meta = NULL;
    harness_publish(h, ev);
    harness_run(h, 1, 500);
    struct commentary_stats s;
    commentary_get_stats(h->engine, &s);
    assert_int_equal(s.events_invalid, 1);
    assert_int_equal(h->n_lines, 1);
    assert_non_null(strstr(h->lines[0].ev.text, "Car 999"));
    assert_false(h->lines[0].had_state);
    assert_true(h->lines[0].had_meta); /* the engine's own meta, with the race id */
    char small[64];
    assert_int_equal(commentary_format_metrics(h->engine, small, sizeof small), -ENOSPC);
    assert_int_equal(harness_close(h), 0);
}

static void test_config_validation(void **st)
{
    (void)st;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct pw_bus *bus;
    assert_int_equal(bus_inproc_create(&bus), 0);
    struct commentary *c = NULL;
    struct commentary_config cfg;
    commentary_config_defaults(&cfg);
    assert_int_equal(cfg.min_interval_ms, 4000);
    assert_int_equal(cfg.stale_ms, 8000);
    assert_int_equal(cfg.llm_timeout_ms, 3000);
    assert_int_equal(cfg.llm_calls_per_minute, 30);
    cfg.stale_ms = 0;
    assert_int_equal(commentary_create(&loop, &cfg, bus, NULL, &c), -EINVAL);
    commentary_config_defaults(&cfg);
    cfg.llm_endpoint = "ftp://example/v1";
    cfg.llm_model = "m";
    assert_int_equal(commentary_create(&loop, &cfg, bus, NULL, &c), -EINVAL);
    cfg.llm_endpoint = "http://127.0.0.1:1/v1/chat/completions";
    cfg.llm_model = NULL;
    assert_int_equal(commentary_create(&loop, &cfg, bus, NULL, &c), -EINVAL);
    cfg.llm_model = "m";
    cfg.llm_calls_per_minute = -1;
    assert_int_equal(commentary_create(&loop, &cfg, bus, NULL, &c), -EINVAL);
    cfg.llm_calls_per_minute = 30;
    assert_int_equal(commentary_create(&loop, &cfg, bus, NULL, &c), 0);
    commentary_destroy(c);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    pw_bus_destroy(bus);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scripted_race),
        cmocka_unit_test(test_race_stopped_drops_pending),
        cmocka_unit_test(test_disabled_engine_says_nothing),
        cmocka_unit_test(test_invalid_input),
        cmocka_unit_test(test_config_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
