/* The repository's own synthetic sessions (tests/replay/data, made by make_synthetic.py):
 * every merge rule and every kind of bad line, without ../shared. Expected values are the
 * ones worked out in make_synthetic.py's comments. */
#include "core/error.h"
#include "replay/replay.h"
#include "replay_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *data_dir = REPLAY_DATA_DIR;

static struct pw_source *open_session(const char *name, const struct replay_options *opt)
{
    char dir[512], err[512] = "";
    snprintf(dir, sizeof dir, "%s/%s", data_dir, name);
    struct pw_source *src = NULL;
    int rc = replay_open(dir, opt, NULL, &src, err, sizeof err);
    if (rc < 0)
        fail_msg("replay_open(%s): %s", dir, err);
    return src;
}

static int run_to_end(struct pw_source *src, struct recorder *rec)
{
    return src->ops->advance(src, src->ops->duration_ms(src), recorder_emit, rec);
}

/* The events of the basic session, in order, with their race clock. */
static void test_basic_events(void **st)
{
    (void)st;
    struct pw_source *src = open_session("basic", NULL);
    assert_int_equal(replay_lights_out_offset(src), 60000);
    assert_int_equal(src->ops->duration_ms(src), 600000);
    struct recorder rec = {0};
    assert_int_equal(run_to_end(src, &rec), 1);
    static const struct {
        enum pw_event_type type;
        int64_t race_ms;
        const char *car, *other;
    } want[] = {
        {PW_EV_LIGHTS_OUT, 0, "", ""},
        {PW_EV_LAP_COMPLETED, 90000, "1", ""},
        {PW_EV_FASTEST_LAP, 90000, "1", ""},
        {PW_EV_LAP_COMPLETED, 91000, "44", ""},
        {PW_EV_LAP_COMPLETED, 92500, "16", ""},
        {PW_EV_OVERTAKE, 132000, "44", "1"}, /* held 2 s; the undone pass at 140 s is none */
        {PW_EV_TRACK_STATUS, 150000, "", ""},
        {PW_EV_TRACK_STATUS, 160000, "", ""},
        {PW_EV_RACE_CONTROL, 160000, "", ""},
        {PW_EV_PIT_IN, 170000, "1", ""}, /* the SC place change at 165 s is none */
        {PW_EV_LAP_COMPLETED, 180000, "44", ""},
        {PW_EV_LAP_COMPLETED, 180000, "16", ""},
        {PW_EV_FASTEST_LAP, 180000, "44", ""},
        {PW_EV_PIT_OUT, 192000, "1", ""}, /* waited for the new stint */
        {PW_EV_TRACK_STATUS, 210000, "", ""},
        {PW_EV_RACE_CONTROL, 210000, "", ""},
        {PW_EV_RETIREMENT, 230000, "1", ""},
        {PW_EV_FINAL_LAP, 240000, "44", ""},
        {PW_EV_LAP_COMPLETED, 270000, "44", ""},
        {PW_EV_FASTEST_LAP, 270000, "44", ""},
        {PW_EV_CHEQUERED, 270000, "44", ""},
        {PW_EV_RACE_CONTROL, 270000, "", ""},
        {PW_EV_LAP_COMPLETED, 274000, "16", ""},
        {PW_EV_CLASSIFICATION, 600000, "", ""},
    };
    size_t n = sizeof want / sizeof *want;
    for (size_t i = 0; i < rec.n && i < n; i++) {
        const struct pw_event *e = &rec.ev[i];
        if (e->type != want[i].type || e->race_ms != want[i].race_ms ||
            strcmp(e->car, want[i].car) != 0 || strcmp(e->other, want[i].other) != 0)
            fail_msg("event %zu: got %s at %lld car '%s' other '%s', want %s at %lld car '%s'", i,
                     pw_event_type_name(e->type), (long long)e->race_ms, e->car, e->other,
                     pw_event_type_name(want[i].type), (long long)want[i].race_ms, want[i].car);
        assert_string_equal(e->race_id, "");
        assert_int_equal(e->seq, 0);
        assert_int_equal(e->wall_ms, 0);
        assert_null(e->meta);
    }
    assert_int_equal(rec.n, n);
    assert_true(rec.positions_ok);
    /* details carried by the events */
    assert_int_equal(rec.ev[1].lap, 1);
    assert_int_equal(rec.ev[1].lap_ms, 90000);
    assert_int_equal(rec.ev[5].position, 1);
    assert_int_equal(rec.ev[7].track, PW_TRACK_SC);
    assert_string_equal(rec.ev[8].text, "SAFETY CAR DEPLOYED");
    assert_int_equal(rec.ev[13].tyre, PW_TYRE_HARD);
    assert_int_equal(rec.ev[14].track, PW_TRACK_GREEN);
    assert_string_equal(rec.ev[15].text, "SAFETY CAR IN THIS LAP \xE2\x80\x94 \xC3\x89"
                                         "CLAIR \xE2\x9C\x93");
    assert_int_equal(rec.ev[16].position, 3);
    assert_int_equal(rec.ev[19].lap_ms, 88500);
    assert_int_equal(rec.ev[19].lap, 3);              /* fastest lap: the lap it was set on */
    assert_int_equal(rec.ev[20].position, 1);         /* chequered: the leader, P1 */
    assert_int_equal(rec.ev[17].position, 1);         /* final lap too */
    assert_int_equal(rec.ev[1].tyre, PW_TYRE_MEDIUM); /* car events carry the car's tyre */
    assert_int_equal(rec.ev[3].tyre, PW_TYRE_SOFT);
    /* advancing after the end does nothing more */
    size_t before = rec.n;
    assert_int_equal(src->ops->advance(src, 10000000, recorder_emit, &rec), 1);
    assert_int_equal(rec.n, before);
    recorder_free(&rec);
    src->ops->destroy(src);
}

static void test_basic_final_state(void **st)
{
    (void)st;
    struct pw_source *src = open_session("basic", NULL);
    struct recorder rec = {0};
    assert_int_equal(run_to_end(src, &rec), 1);
    const struct pw_race_state *s = src->ops->state(src);
    assert_string_equal(s->circuit, "Testville");
    assert_string_equal(s->session, "Race");
    assert_int_equal(s->total_laps, 3);
    assert_int_equal(s->lap, 3);
    assert_int_equal(s->track, PW_TRACK_GREEN);
    assert_true(s->started);
    assert_true(s->finished);
    assert_string_equal(s->fastest_number, "44");
    assert_int_equal(s->fastest_lap_ms, 88500);
    assert_int_equal(s->n_cars, 3);
    const struct pw_car *c = &s->cars[0];
    assert_string_equal(c->driver.number, "44");
    assert_string_equal(c->driver.tla, "HAM");
    assert_string_equal(c->driver.name, "Lewis HAMILTON"); /* no First/LastName: FullName */
    assert_string_equal(c->driver.team_color, "#00D2BE");  /* nested update of one field */
    assert_int_equal(c->laps, 3);
    assert_int_equal(c->gap_ms, 0);
    assert_int_equal(c->tyre, PW_TYRE_SOFT);
    assert_int_equal(c->tyre_age, 6);
    assert_false(c->tyre_new);
    assert_true(c->finished);
    c = &s->cars[1];
    assert_string_equal(c->driver.number, "16");
    assert_string_equal(c->driver.name, "Charles Leclerc");
    assert_string_equal(c->driver.team_color, "#E8002D");
    assert_int_equal(c->gap_ms, 4000);
    assert_int_equal(c->interval_ms, 4000);
    assert_int_equal(c->last_lap_ms, 94000);
    assert_int_equal(c->best_lap_ms, 92500);
    assert_int_equal(c->best_lap_no, 1);
    assert_int_equal(c->tyre, PW_TYRE_MEDIUM);
    assert_true(c->tyre_new);
    assert_true(c->finished);
    c = &s->cars[2];
    assert_string_equal(c->driver.number, "1");
    assert_string_equal(c->driver.name, "Max Verstappen");
    assert_string_equal(c->driver.team, "Red Bull Racing");
    assert_string_equal(c->driver.team_color, "#3671C6");
    assert_int_equal(c->gap_laps, 1);
    assert_int_equal(c->interval_laps, 1);
    assert_int_equal(c->pit_stops, 1);
    assert_int_equal(c->tyre, PW_TYRE_HARD); /* stint appended by index == length */
    assert_int_equal(c->sectors_ms[0], 29500);
    assert_int_equal(c->sectors_ms[1], 30100);
    assert_int_equal(c->sectors_ms[2], 30400);
    assert_true(c->retired);
    assert_false(c->finished);
    struct replay_weather w;
    assert_int_equal(replay_get_weather(src, &w), 0);
    assert_true(w.present);
    assert_true(w.air_temp_c > 24.4 && w.air_temp_c < 24.6);
    assert_true(w.track_temp_c > 34.9 && w.track_temp_c < 35.1);
    assert_true(w.rainfall);
    struct replay_session_info info;
    assert_int_equal(replay_get_session_info(src, &info), 0);
    assert_string_equal(info.title, "2024 Test Grand Prix Race");
    assert_int_equal(info.laps, 3);
    struct replay_stats rs;
    replay_get_stats(src, &rs);
    assert_int_equal(rs.lines_read, 48); /* the unknown topics are never read */
    assert_int_equal(rs.lines_skipped_invalid_json + rs.lines_skipped_bad_offset +
                         rs.lines_skipped_too_long + rs.unknown_racing_numbers + rs.out_of_order +
                         rs.merge_ignored,
                     0);
    recorder_free(&rec);
    src->ops->destroy(src);
}

/* The state at points that prove _kf (16 loses its LastLapTime) and _deleted (16 goes last). */
static void test_basic_keyframe_and_deleted(void **st)
{
    (void)st;
    struct pw_source *src = open_session("basic", NULL);
    const struct pw_race_state *s = src->ops->state(src);
    assert_int_equal(src->ops->advance(src, 199999, NULL, NULL), 0);
    assert_int_equal(state_car(s, "16")->last_lap_ms, 95000);
    assert_int_equal(src->ops->advance(src, 200000, NULL, NULL), 0);
    assert_int_equal(state_car(s, "16")->last_lap_ms, 0);
    assert_int_equal(src->ops->advance(src, 205000, NULL, NULL), 0);
    assert_string_equal(s->cars[2].driver.number, "16");
    assert_string_equal(s->cars[1].driver.number, "1");
    assert_int_equal(s->cars[1].position, 2);
    assert_int_equal(s->track, PW_TRACK_SC);
    assert_int_equal(src->ops->advance(src, 206000, NULL, NULL), 0);
    assert_string_equal(s->cars[1].driver.number, "16");
    src->ops->destroy(src);
}

/* Seeking backwards and forwards gives the state that advancing gives. */
static void test_basic_seek(void **st)
{
    (void)st;
    struct pw_source *a = open_session("basic", NULL), *b = open_session("basic", NULL);
    const int64_t points[] = {95000, 165000, 195000, 205000, 275000};
    for (size_t i = 0; i < sizeof points / sizeof *points; i++) {
        assert_int_equal(a->ops->advance(a, points[i], NULL, NULL), 0);
        /* b goes to the end first, then back */
        assert_int_equal(b->ops->seek(b, 600000), 0);
        assert_int_equal(b->ops->seek(b, points[i]), 0);
        assert_memory_equal(a->ops->state(a), b->ops->state(b), sizeof(struct pw_race_state));
    }
    /* after a seek nothing already passed is emitted again, and the end still comes */
    struct recorder rec = {0};
    assert_int_equal(b->ops->seek(b, 269000), 0);
    assert_int_equal(b->ops->advance(b, 700000, recorder_emit, &rec), 1);
    assert_int_equal(recorder_count(&rec, PW_EV_LIGHTS_OUT, NULL), 0);
    assert_int_equal(recorder_count(&rec, PW_EV_CHEQUERED, NULL), 1);
    assert_int_equal(recorder_count(&rec, PW_EV_CLASSIFICATION, NULL), 1);
    assert_int_equal(recorder_count(&rec, PW_EV_FINAL_LAP, NULL), 0);
    /* seeking back before the start re-arms lights out */
    recorder_free(&rec);
    assert_int_equal(b->ops->seek(b, -5000), 0);
    assert_false(b->ops->state(b)->started);
    assert_false(b->ops->state(b)->finished);
    assert_int_equal(b->ops->advance(b, 1000, recorder_emit, &rec), 0);
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.ev[0].type, PW_EV_LIGHTS_OUT);
    recorder_free(&rec);
    a->ops->destroy(a);
    b->ops->destroy(b);
}

/* start_ms: before the start, pre-race events come too; inside the race, lights out comes
 * at once and then only what follows. */
static void test_basic_start_offsets(void **st)
{
    (void)st;
    struct replay_options o;
    replay_options_defaults(&o);
    o.start_ms = -60000;
    struct pw_source *src = open_session("basic", &o);
    struct recorder rec = {0};
    assert_int_equal(src->ops->advance(src, -1, recorder_emit, &rec), 0);
    assert_int_equal(rec.n, 1); /* "PIT EXIT OPEN" at -50 s */
    assert_int_equal(rec.ev[0].type, PW_EV_RACE_CONTROL);
    assert_int_equal(rec.ev[0].race_ms, -50000);
    assert_false(src->ops->state(src)->started);
    assert_int_equal(src->ops->state(src)->n_cars, 3); /* the grid is known before the start */
    recorder_free(&rec);
    src->ops->destroy(src);

    o.start_ms = 185000;
    src = open_session("basic", &o);
    assert_int_equal(src->ops->advance(src, 195000, recorder_emit, &rec), 0);
    assert_int_equal(rec.n, 2);
    assert_int_equal(rec.ev[0].type, PW_EV_LIGHTS_OUT);
    assert_int_equal(rec.ev[0].race_ms, 185000);
    assert_int_equal(rec.ev[1].type, PW_EV_PIT_OUT);
    recorder_free(&rec);
    src->ops->destroy(src);
}

/* Missing topics degrade: no DriverList (cars named by number), no SessionStatus (lights
 * out from LapCount), LF lines without a BOM. */
static void test_minimal_session(void **st)
{
    (void)st;
    struct pw_source *src = open_session("minimal", NULL);
    assert_int_equal(replay_lights_out_offset(src), 80000);
    assert_int_equal(src->ops->duration_ms(src), 220000);
    struct recorder rec = {0};
    assert_int_equal(run_to_end(src, &rec), 1);
    const struct pw_race_state *s = src->ops->state(src);
    assert_int_equal(s->n_cars, 2);
    assert_string_equal(s->cars[0].driver.number, "5");
    assert_string_equal(s->cars[0].driver.name, "Car 5");
    assert_string_equal(s->cars[1].driver.number, "7");
    assert_int_equal(s->cars[1].gap_ms, 500);
    assert_int_equal(s->total_laps, 3);
    assert_string_equal(s->circuit, "");
    assert_int_equal(recorder_count(&rec, PW_EV_LAP_COMPLETED, NULL), 2);
    assert_int_equal(recorder_count(&rec, PW_EV_FINAL_LAP, NULL), 1);
    const struct pw_event *ov = recorder_find(&rec, PW_EV_OVERTAKE, "5");
    assert_non_null(ov);
    assert_string_equal(ov->other, "7");
    assert_int_equal(rec.ev[rec.n - 1].type, PW_EV_CLASSIFICATION);
    struct replay_session_info info;
    assert_int_equal(replay_get_session_info(src, &info), 0);
    assert_string_equal(info.title, "");
    struct replay_weather w;
    assert_int_equal(replay_get_weather(src, &w), 0);
    assert_false(w.present);
    recorder_free(&rec);
    src->ops->destroy(src);
}

/* Places lost by a slowing car and places gained in a reshuffle are not overtakes; a plain
 * pass still is (tests/replay/data/make_synthetic.py, "slowing", has the timeline). */
static void test_slowing_car_and_reshuffle(void **st)
{
    (void)st;
    struct pw_source *src = open_session("slowing", NULL);
    struct recorder rec = {0};
    assert_int_equal(run_to_end(src, &rec), 1);
    static const struct {
        int64_t race_ms;
        const char *car, *other;
    } want[] = {{32000, "2", "1"}, {36000, "3", "1"}, {152000, "6", "2"}};
    size_t n = sizeof want / sizeof *want, k = 0;
    for (size_t i = 0; i < rec.n; i++) {
        const struct pw_event *e = &rec.ev[i];
        if (e->type != PW_EV_OVERTAKE)
            continue;
        if (k == n)
            fail_msg("extra overtake at %lld: %s on %s", (long long)e->race_ms, e->car, e->other);
        assert_int_equal(e->race_ms, want[k].race_ms);
        assert_string_equal(e->car, want[k].car);
        assert_string_equal(e->other, want[k].other);
        k++;
    }
    assert_int_equal(k, n);
    const struct pw_race_state *s = src->ops->state(src);
    assert_string_equal(s->cars[0].driver.number, "6");
    assert_string_equal(s->cars[5].driver.number, "1");
    recorder_free(&rec);
    src->ops->destroy(src);
}

/* Every kind of bad line is skipped and counted; what is good still applies. */
static void test_bad_session(void **st)
{
    (void)st;
    struct replay_options o;
    replay_options_defaults(&o);
    o.max_line_bytes = 4096;
    struct pw_source *src = open_session("bad", &o);
    struct recorder rec = {0};
    assert_int_equal(run_to_end(src, &rec), 1);
    struct replay_stats rs;
    replay_get_stats(src, &rs);
    assert_int_equal(rs.lines_read, 16);
    assert_int_equal(rs.lines_skipped_invalid_json, 5); /* cut x2, array, empty, LapCount */
    assert_int_equal(rs.lines_skipped_bad_offset, 2);
    assert_int_equal(rs.lines_skipped_too_long, 1);
    assert_int_equal(rs.out_of_order, 1);
    assert_int_equal(rs.unknown_racing_numbers, 9); /* abc, 1234, 007, and 6 past 26 cars */
    assert_int_equal(rs.merge_ignored, 2);          /* Sectors[7], nesting too deep */
    const struct pw_race_state *s = src->ops->state(src);
    assert_int_equal(s->n_cars, PW_MAX_CARS);
    assert_string_equal(s->cars[0].driver.number, "2");
    assert_int_equal(s->cars[0].laps, 1); /* the out-of-order line was applied */
    assert_string_equal(s->cars[1].driver.number, "1");
    for (int i = 0; i < s->n_cars; i++)
        assert_int_equal(s->cars[i].position, i + 1);
    /* seeking back and replaying does not count the same lines twice */
    assert_int_equal(src->ops->seek(src, 0), 0);
    assert_int_equal(src->ops->advance(src, src->ops->duration_ms(src), NULL, NULL), 1);
    struct replay_stats again;
    replay_get_stats(src, &again);
    assert_memory_equal(&rs, &again, sizeof rs);
    recorder_free(&rec);
    src->ops->destroy(src);
}

static void test_open_errors(void **st)
{
    (void)st;
    struct pw_source *src = (struct pw_source *)1;
    char err[512];
    assert_int_equal(replay_open("/nonexistent/session", NULL, NULL, &src, err, sizeof err),
                     -ENOENT);
    assert_null(src);
    assert_non_null(strstr(err, "/nonexistent/session"));
    char file[512];
    snprintf(file, sizeof file, "%s/basic/TimingData.jsonStream", data_dir);
    assert_int_equal(replay_open(file, NULL, NULL, &src, err, sizeof err), -ENOTDIR);
    assert_non_null(strstr(err, "not a directory"));
    /* a directory that is no session */
    assert_int_equal(replay_open(data_dir, NULL, NULL, &src, err, sizeof err), -ENOENT);
    char want[600];
    snprintf(want, sizeof want, "%s/TimingData.jsonStream does not exist", data_dir);
    assert_non_null(strstr(err, want));
    /* TimingData.jsonStream that is a directory */
    char tmp[] = "/tmp/pw-replay-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char td[600];
    snprintf(td, sizeof td, "%s/TimingData.jsonStream", tmp);
    assert_int_equal(mkdir(td, 0700), 0);
    assert_true(replay_open(tmp, NULL, NULL, &src, err, sizeof err) < 0);
    assert_non_null(strstr(err, "not a regular file"));
    rmdir(td);
    /* an empty TimingData: refused, never a race with nobody in it */
    FILE *f = fopen(td, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(replay_open(tmp, NULL, NULL, &src, err, sizeof err), PW_EPARSE);
    assert_null(src);
    assert_non_null(strstr(err, td));
    assert_non_null(strstr(err, "empty"));
    unlink(td);
    rmdir(tmp);
    /* the helpers refuse a source that is no replay */
    struct replay_stats rs;
    struct pw_source other = {.ops = NULL};
    replay_get_stats(&other, &rs);
    assert_int_equal(rs.lines_read, 0);
    struct replay_weather w;
    assert_int_equal(replay_get_weather(&other, &w), -EINVAL);
    assert_int_equal(replay_lights_out_offset(&other), -1);
}

/* Practice: order by best lap, gaps to the fastest, a clock that runs through the red flag
 * and ends at 30:00, no winner; no DriverList, so the cars are shown by racing number. */
static void test_practice_session(void **st)
{
    (void)st;
    struct pw_source *src = open_session("practice", NULL);
    struct replay_session_info info;
    assert_int_equal(replay_get_session_info(src, &info), 0);
    assert_int_equal(info.kind, PW_SESSION_PRACTICE);
    const struct pw_race_state *s = src->ops->state(src);
    assert_int_equal(s->kind, PW_SESSION_PRACTICE);
    assert_int_equal(src->ops->seek(src, -30000), 0);
    assert_int_equal(s->clock_ms, 1800000); /* before the start: the whole 30 minutes */
    assert_false(s->clock_running);
    struct recorder rec = {0};
    static const struct {
        int64_t race_ms, clock_ms;
        bool running;
        const char *order;
    } at[] = {
        {120000, 1680000, true, "7 8 9"},
        {150000, 1650000, true, "7 9 8"},
        {600000, 1200000, true, "7 9 8"},   /* red flag from 540 s: the clock runs on */
        {1200000, 600000, true, "8 7 9"},   /* 8 fastest */
        {1500000, 300000, true, "8 9 7"},   /* 9 improves past 7 */
        {1800000, 0, false, "8 9 7"},       /* 30:00 after the start */
    };
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        assert_int_equal(src->ops->advance(src, at[i].race_ms, recorder_emit, &rec), 0);
        assert_int_equal(s->clock_ms, at[i].clock_ms);
        assert_int_equal(s->clock_running, at[i].running);
        char order[32] = "";
        for (int c = 0; c < s->n_cars; c++)
            snprintf(order + strlen(order), sizeof order - strlen(order), "%s%s", c ? " " : "",
                     s->cars[c].driver.number);
        assert_string_equal(order, at[i].order);
        assert_int_equal(s->lap, 0); /* no lap counter in a session on a clock */
    }
    assert_int_equal(run_to_end(src, &rec), 1);
    assert_string_equal(s->cars[0].driver.name, "Car 8");
    assert_int_equal(s->cars[1].gap_ms, 400);
    assert_int_equal(s->cars[2].gap_ms, 1000);
    assert_int_equal(s->cars[2].interval_ms, 600);
    const struct pw_car *c7 = state_car(s, "7");
    assert_int_equal(c7->best_lap_ms, 91000);             /* the slower lap left it */
    assert_int_equal(c7->best_sectors_ms[0], 29700);      /* from the slower lap */
    assert_int_equal(c7->best_sectors_ms[1], 31000);
    assert_int_equal(state_car(s, "8")->stints, 2);
    for (int c = 0; c < s->n_cars; c++)
        assert_false(s->cars[c].finished); /* no winner */
    assert_int_equal(recorder_count(&rec, PW_EV_OVERTAKE, NULL), 0);
    assert_int_equal(recorder_count(&rec, PW_EV_CHEQUERED, NULL), 1);
    recorder_free(&rec);
    src->ops->destroy(src);
}

/* Qualifying and a Sprint Shootout: the part, its clock (stopped by the red flag), the
 * cut-off, cars knocked out with their part, best laps per part, a deleted lap; the final
 * classification is the grid. */
static void check_qualifying(const char *name, enum pw_session_kind kind, const int64_t len[3])
{
    struct pw_source *src = open_session(name, NULL);
    const struct pw_race_state *s = src->ops->state(src);
    struct recorder rec = {0};
    const int64_t red = 240000, red_len = 180000, q1_end = len[0] + red_len;
    const int64_t q2 = q1_end + 180000, q2_end = q2 + len[1], q3 = q2_end + 180000;
    assert_int_equal(src->ops->advance(src, 120000, recorder_emit, &rec), 0);
    assert_int_equal(s->kind, kind);
    assert_int_equal(s->session_part, 1);
    assert_int_equal(s->clock_ms, len[0] - 120000);
    assert_true(s->clock_running);
    assert_int_equal(s->cutoff_position, 3);
    assert_int_equal(src->ops->advance(src, red + 60000, recorder_emit, &rec), 0);
    assert_int_equal(s->clock_ms, len[0] - red); /* stopped by the red flag */
    assert_false(s->clock_running);
    assert_int_equal(src->ops->advance(src, red + red_len + 150000, recorder_emit, &rec), 0);
    assert_int_equal(s->clock_ms, len[0] - red - 150000);
    assert_string_equal(state_tla_at(s, 4), "LEC"); /* in the drop zone, still in */
    assert_int_equal(state_car(s, "16")->knocked_out_part, 0);
    assert_int_equal(src->ops->advance(src, q1_end + 10000, recorder_emit, &rec), 0);
    assert_int_equal(s->clock_ms, 0);
    assert_int_equal(s->session_part, 1);
    assert_int_equal(src->ops->advance(src, q1_end + 60000, recorder_emit, &rec), 0);
    assert_int_equal(s->session_part, 2);
    assert_int_equal(s->clock_ms, len[1]); /* a new part: a full clock, not yet running */
    assert_false(s->clock_running);
    assert_int_equal(s->cutoff_position, 2);
    assert_int_equal(state_car(s, "16")->knocked_out_part, 1);
    assert_int_equal(src->ops->advance(src, q2 + 60000, recorder_emit, &rec), 0);
    assert_int_equal(s->clock_ms, len[1] - 60000);
    assert_int_equal(src->ops->advance(src, q3 + 30000, recorder_emit, &rec), 0);
    assert_int_equal(s->session_part, 3);
    assert_int_equal(s->cutoff_position, 0);
    assert_int_equal(s->clock_ms, len[2] - 30000);
    assert_int_equal(state_car(s, "1")->knocked_out_part, 2);
    assert_int_equal(run_to_end(src, &rec), 1);
    static const struct {
        const char *number;
        int64_t parts[3];
        int out;
    } want[] = {
        {"4", {99800, 99500, 98500}, 0},
        {"44", {100500, 99000, 98700}, 0},
        {"1", {100000, 99900, 0}, 2},
        {"16", {101000, 0, 0}, 1},
    };
    assert_int_equal(s->n_cars, 4);
    for (int i = 0; i < 4; i++) {
        const struct pw_car *c = &s->cars[i];
        assert_string_equal(c->driver.number, want[i].number);
        assert_memory_equal(c->part_best_ms, want[i].parts, sizeof want[i].parts);
        assert_int_equal(c->knocked_out_part, want[i].out);
        assert_false(c->finished);
    }
    assert_int_equal(s->cars[2].gap_ms, 900); /* car 1: its Q2 gap */
    assert_int_equal(state_car(s, "44")->deleted_laps, 1);
    const struct pw_event *del = recorder_find(&rec, PW_EV_RACE_CONTROL, "44");
    assert_non_null(del);
    assert_non_null(strstr(del->text, "DELETED"));
    assert_int_equal(recorder_count(&rec, PW_EV_OVERTAKE, NULL), 0);
    assert_int_equal(recorder_count(&rec, PW_EV_CHEQUERED, NULL), 1); /* Q3's flag only */
    assert_true(recorder_find(&rec, PW_EV_CHEQUERED, NULL)->race_ms >= q3);
    /* seeking back into Q1 and forward again gives the same end */
    assert_int_equal(src->ops->seek(src, 200000), 0);
    assert_int_equal(s->session_part, 1);
    assert_int_equal(state_car(s, "16")->knocked_out_part, 0);
    assert_int_equal(s->clock_ms, len[0] - 200000);
    assert_int_equal(src->ops->advance(src, src->ops->duration_ms(src), NULL, NULL), 1);
    assert_int_equal(state_car(s, "1")->knocked_out_part, 2);
    assert_int_equal(state_car(s, "44")->deleted_laps, 1);
    recorder_free(&rec);
    src->ops->destroy(src);
}

static void test_qualifying_sessions(void **st)
{
    (void)st;
    const int64_t q[3] = {18 * 60000, 15 * 60000, 12 * 60000};
    const int64_t sq[3] = {12 * 60000, 10 * 60000, 8 * 60000};
    check_qualifying("qualifying", PW_SESSION_QUALIFYING, q);
    check_qualifying("sprint_qualifying", PW_SESSION_SPRINT_QUALIFYING, sq);
}

/* A TimingData that places no car (empty, random bytes, another topic's file) or no
 * TimingData at all: refused with the file and the cause, so the replay cannot end as a
 * finished race won by whoever DriverList names first. */
static void test_unusable_sessions(void **st)
{
    (void)st;
    static const struct {
        const char *name, *cause;
        int rc;
    } cases[] = {
        {"empty", "empty", PW_EPARSE},
        {"random", "no line in the archive format", PW_EPARSE},
        {"wrong", "not timing data", PW_EPARSE},
        {"no_timing", "does not exist", -ENOENT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char dir[512], file[600], err[512] = "";
        snprintf(dir, sizeof dir, "%s/unusable/%s", data_dir, cases[i].name);
        snprintf(file, sizeof file, "%s/TimingData.jsonStream", dir);
        struct pw_source *src = (struct pw_source *)1;
        assert_int_equal(replay_open(dir, NULL, NULL, &src, err, sizeof err), cases[i].rc);
        assert_null(src);
        if (!strstr(err, file) || !strstr(err, cases[i].cause))
            fail_msg("%s: error '%s' lacks '%s' or '%s'", cases[i].name, err, file,
                     cases[i].cause);
    }
}

static void test_list_and_resolve(void **st)
{
    (void)st;
    struct replay_session_info items[8];
    int n = -1;
    assert_int_equal(replay_list_sessions(data_dir, items, 4, &n), 0);
    assert_int_equal(n, 4);
    int all = 0;
    struct replay_session_info many[16];
    assert_int_equal(replay_list_sessions(data_dir, many, 16, &all), 0);
    assert_string_equal(many[all - 1].id, "unusable/wrong"); /* listed; refused at open */
    assert_string_equal(items[0].id, "bad");
    assert_string_equal(items[1].id, "basic");
    assert_string_equal(items[1].title, "2024 Test Grand Prix Race");
    assert_int_equal(items[1].laps, 3);
    assert_string_equal(items[2].id, "minimal");
    assert_string_equal(items[2].title, "minimal"); /* no SessionInfo: the id */
    assert_string_equal(items[3].id, "practice");
    assert_int_equal(items[3].kind, PW_SESSION_PRACTICE);
    assert_int_equal(items[1].kind, PW_SESSION_RACE);
    assert_string_equal(many[4].id, "qualifying");
    assert_int_equal(many[4].kind, PW_SESSION_QUALIFYING);
    assert_string_equal(many[5].id, "slowing");
    assert_string_equal(many[6].id, "sprint_qualifying");
    assert_int_equal(many[6].kind, PW_SESSION_SPRINT_QUALIFYING);
    assert_int_equal(replay_list_sessions(data_dir, items, 1, &n), 0);
    assert_int_equal(n, 1);
    assert_true(replay_list_sessions("/nonexistent", items, 8, &n) < 0);
    char path[1024];
    assert_int_equal(replay_resolve_session(data_dir, "basic", path, sizeof path), 0);
    assert_non_null(strstr(path, "/basic"));
    const char *bad_ids[] = {"",  "/etc",   "../data", "basic/..", "a//b",
                             ".", "basic/", "x\\y",    "nope"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof *bad_ids; i++)
        assert_true(replay_resolve_session(data_dir, bad_ids[i], path, sizeof path) < 0);
    assert_int_equal(replay_resolve_session(data_dir, "basic", path, 8), -ENAMETOOLONG);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        data_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_events),
        cmocka_unit_test(test_basic_final_state),
        cmocka_unit_test(test_basic_keyframe_and_deleted),
        cmocka_unit_test(test_basic_seek),
        cmocka_unit_test(test_basic_start_offsets),
        cmocka_unit_test(test_minimal_session),
        cmocka_unit_test(test_slowing_car_and_reshuffle),
        cmocka_unit_test(test_bad_session),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_practice_session),
        cmocka_unit_test(test_qualifying_sessions),
        cmocka_unit_test(test_unusable_sessions),
        cmocka_unit_test(test_list_and_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
