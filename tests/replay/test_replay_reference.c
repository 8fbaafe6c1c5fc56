/* At several points of each session, the replay's leaderboard (positions, gaps, intervals,
 * laps, tyres) equals the merged TimingData and TimingAppData at that point, as computed
 * independently by ref_leaderboard.py (Python standard library, its own merge).
 *
 * usage: test_replay_reference PYTHON REF_SCRIPT SESSION_DIR... */
#include "replay/replay.h"
#include "replay_test_util.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *python, *script;
static char **sessions;
static int n_sessions;
static int compared_session_fields; /* cars whose practice/qualifying fields were checked */

#define N_POINTS 12

/* Runs the reference script for these feed offsets; returns its parsed output. */
static json_t *reference(const char *dir, const int64_t *offsets, int n)
{
    char cmd[4096];
    size_t len = (size_t)snprintf(cmd, sizeof cmd, "'%s' '%s' '%s'", python, script, dir);
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(cmd + len, sizeof cmd - len, " %lld", (long long)offsets[i]);
    assert_true(len < sizeof cmd);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    json_error_t err;
    json_t *out = json_loadf(p, 0, &err);
    int status = pclose(p);
    if (!out || status != 0)
        fail_msg("reference script failed (status %d): %s", status, err.text);
    return out;
}

static void compare(const struct pw_race_state *s, const json_t *cars, const char *dir,
                    int64_t race_ms)
{
    size_t i, placed = 0;
    json_t *c;
    json_array_foreach(cars, i, c)
    {
        if (json_is_integer(json_object_get(c, "position")))
            placed++;
    }
    assert_true((size_t)s->n_cars >= json_array_size(cars));
    json_array_foreach(cars, i, c)
    {
        const char *num = json_string_value(json_object_get(c, "number"));
        const struct pw_car *car = state_car(s, num);
        if (!car)
            fail_msg("%s at %lld: car %s missing", dir, (long long)race_ms, num);
        json_t *pos = json_object_get(c, "position");
        long long want[] = {
            json_is_integer(pos) ? json_integer_value(pos) : -1,
            json_integer_value(json_object_get(c, "laps")),
            json_integer_value(json_object_get(c, "gap_ms")),
            json_integer_value(json_object_get(c, "gap_laps")),
            json_integer_value(json_object_get(c, "interval_ms")),
            json_integer_value(json_object_get(c, "interval_laps")),
            json_integer_value(json_object_get(c, "tyre_age")),
            json_is_true(json_object_get(c, "tyre_new")),
        };
        long long got[] = {
            json_is_integer(pos) ? car->position : -1,
            car->laps,
            car->gap_ms,
            car->gap_laps,
            car->interval_ms,
            car->interval_laps,
            car->tyre_age,
            car->tyre_new,
        };
        static const char *const what[] = {"position",    "laps",          "gap_ms",   "gap_laps",
                                           "interval_ms", "interval_laps", "tyre_age", "tyre_new"};
        for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
            if (want[k] != got[k])
                fail_msg("%s at race %lld ms: car %s %s is %lld, reference %lld", dir,
                         (long long)race_ms, num, what[k], got[k], want[k]);
        }
        /* practice and qualifying: best lap, best per part, the part a car went out in */
        json_t *best = json_object_get(c, "best_lap_ms"), *parts = json_object_get(c, "part_best_ms");
        json_t *out = json_object_get(c, "knocked_out_part");
        if (best && json_integer_value(best) != car->best_lap_ms)
            fail_msg("%s at race %lld ms: car %s best lap %lld, reference %lld", dir,
                     (long long)race_ms, num, (long long)car->best_lap_ms,
                     (long long)json_integer_value(best));
        for (size_t k = 0; parts && k < PW_QUALI_PARTS; k++) {
            if (json_integer_value(json_array_get(parts, k)) != car->part_best_ms[k])
                fail_msg("%s at race %lld ms: car %s best in part %zu is %lld, reference %lld",
                         dir, (long long)race_ms, num, k + 1, (long long)car->part_best_ms[k],
                         (long long)json_integer_value(json_array_get(parts, k)));
        }
        if (out && json_integer_value(out) != car->knocked_out_part)
            fail_msg("%s at race %lld ms: car %s knocked out in part %d, reference %lld", dir,
                     (long long)race_ms, num, car->knocked_out_part,
                     (long long)json_integer_value(out));
        compared_session_fields += best != NULL;
        if (!json_is_integer(pos) && car->position <= (int)placed)
            fail_msg("%s: car %s without a position is P%d", dir, num, car->position);
        const char *tyre = json_string_value(json_object_get(c, "tyre"));
        if (strcmp(tyre, pw_tyre_name(car->tyre)) != 0)
            fail_msg("%s at race %lld ms: car %s tyre %s, reference %s", dir, (long long)race_ms,
                     num, pw_tyre_name(car->tyre), tyre);
    }
}

static void check_session(const char *dir)
{
    struct replay_options o;
    replay_options_defaults(&o);
    o.start_ms = -20 * 60 * 1000; /* some of the build-up too */
    struct pw_source *src;
    char err[512];
    if (replay_open(dir, &o, NULL, &src, err, sizeof err) < 0)
        fail_msg("%s", err);
    int64_t lo = replay_lights_out_offset(src), d = src->ops->duration_ms(src);
    /* before the start, at lights out, through the race at uneven steps, at the end */
    int64_t race[N_POINTS] = {-10 * 60 * 1000, -1, 0};
    for (int i = 3; i < N_POINTS - 1; i++)
        race[i] = d * (i - 2) / (N_POINTS - 2) + (i * 7919) % 5000;
    race[N_POINTS - 1] = d;
    int64_t offsets[N_POINTS];
    int n = 0;
    for (int i = 0; i < N_POINTS; i++) {
        if (lo + race[i] >= 0 && (n == 0 || race[i] > race[n - 1]))
            race[n++] = race[i];
    }
    for (int i = 0; i < n; i++)
        offsets[i] = lo + race[i];
    json_t *ref = reference(dir, offsets, n);
    const struct pw_race_state *s = src->ops->state(src);
    int cars_compared = 0;
    for (int i = 0; i < n; i++) { /* forwards */
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)offsets[i]);
        assert_true(src->ops->advance(src, race[i], NULL, NULL) >= 0);
        compare(s, json_object_get(ref, key), dir, race[i]);
        cars_compared += (int)json_array_size(json_object_get(ref, key));
    }
    for (int i = n - 1; i >= 0; i--) { /* and backwards, by seeking */
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)offsets[i]);
        assert_int_equal(src->ops->seek(src, race[i]), 0);
        compare(s, json_object_get(ref, key), dir, race[i]);
    }
    assert_true(cars_compared > n); /* the comparison did compare cars */
    if (pw_session_is_timed(s->kind) && compared_session_fields == 0)
        fail_msg("%s: no practice/qualifying field was compared", dir);
    compared_session_fields = 0;
    json_decref(ref);
    src->ops->destroy(src);
}

static void test_reference(void **st)
{
    (void)st;
    assert_true(n_sessions > 0);
    for (int i = 0; i < n_sessions; i++)
        check_session(sessions[i]);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s PYTHON REF_SCRIPT SESSION_DIR...\n", argv[0]);
        return 2;
    }
    python = argv[1];
    script = argv[2];
    sessions = argv + 3;
    n_sessions = argc - 3;
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_reference)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
