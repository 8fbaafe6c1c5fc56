/* Replays of the practice and qualifying sessions in ../shared/f1-archive-quali-practice
 * (read in place, never copied): their kind, and the final classification written in that
 * folder's README. */
#include "replay/replay.h"
#include "replay_test_util.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *archive = REPLAY_SESSIONS_DIR;
static const char *race_archive = REPLAY_ARCHIVE_DIR;

#define FP2 "2021/2021-09-12_Italian_Grand_Prix/2021-09-11_Practice_2"
#define QUALI "2023/2023-04-30_Azerbaijan_Grand_Prix/2023-04-28_Qualifying"
#define SHOOTOUT "2023/2023-04-30_Azerbaijan_Grand_Prix/2023-04-29_Sprint_Shootout"

static void test_kinds_and_classification(void **st)
{
    (void)st;
    static const struct {
        const char *id, *order;
        enum pw_session_kind kind;
    } cases[] = {
        {FP2,
         "HAM BOT VER PER OCO KUB GIO ALO GAS NOR LEC RIC LAT RUS TSU MAZ STR VET MSC SAI",
         PW_SESSION_PRACTICE},
        {QUALI,
         "LEC VER PER SAI HAM ALO NOR TSU STR PIA RUS OCO ALB BOT SAR ZHO HUL MAG GAS DEV",
         PW_SESSION_QUALIFYING},
        {SHOOTOUT,
         "LEC PER VER RUS SAI HAM ALB ALO STR NOR PIA HUL OCO MAG SAR ZHO BOT TSU GAS DEV",
         PW_SESSION_SPRINT_QUALIFYING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct pw_source *src = replay_test_open(archive, cases[i].id);
        struct replay_session_info info;
        assert_int_equal(replay_get_session_info(src, &info), 0);
        assert_int_equal(info.kind, cases[i].kind);
        struct recorder rec = {0};
        assert_int_equal(replay_test_run_uneven(src, &rec), 1);
        const struct pw_race_state *s = src->ops->state(src);
        assert_int_equal(s->kind, cases[i].kind);
        replay_test_check_order(s, cases[i].order);
        recorder_free(&rec);
        src->ops->destroy(src);
    }
}

/* The ten cars knocked out, each with its part, as the README lists them. */
static void check_knocked_out(const char *id, const char *out_q2, const char *out_q1)
{
    struct pw_source *src = replay_test_open(archive, id);
    struct recorder rec = {0};
    assert_int_equal(replay_test_run_uneven(src, &rec), 1);
    const struct pw_race_state *s = src->ops->state(src);
    int knocked = 0;
    for (int i = 0; i < s->n_cars; i++) {
        const struct pw_car *c = &s->cars[i];
        int want = strstr(out_q2, c->driver.tla) ? 2 : strstr(out_q1, c->driver.tla) ? 1 : 0;
        if (c->knocked_out_part != want)
            fail_msg("%s: %s knocked out in part %d, README says %d", id, c->driver.tla,
                     c->knocked_out_part, want);
        knocked += want > 0;
        /* a time in part 1 (SAR crashed before setting one in SQ2), none after the part it
         * went out in; the values are checked against the feed by replay_reference_sessions */
        if (c->part_best_ms[0] <= 0)
            fail_msg("%s: %s has no best lap in part 1", id, c->driver.tla);
        for (int p = want ? want : 3; p < 3; p++)
            assert_int_equal(c->part_best_ms[p], 0);
        assert_false(c->finished); /* no winner in qualifying */
    }
    assert_int_equal(knocked, 10);
    for (int p = 0; p < 3; p++)
        assert_true(s->cars[0].part_best_ms[p] > 0); /* pole: a time in every part */
    assert_int_equal(s->session_part, 3);
    assert_int_equal(s->clock_ms, 0);
    assert_int_equal(recorder_count(&rec, PW_EV_OVERTAKE, NULL), 0);
    assert_int_equal(recorder_count(&rec, PW_EV_CHEQUERED, NULL), 1);
    recorder_free(&rec);
    src->ops->destroy(src);
}

static void test_knocked_out(void **st)
{
    (void)st;
    check_knocked_out(QUALI, "RUS OCO ALB BOT SAR", "ZHO HUL MAG GAS DEV");
    check_knocked_out(SHOOTOUT, "PIA HUL OCO MAG SAR", "ZHO BOT TSU GAS DEV");
}

/* The qualifying clock, as SessionStatus runs it: Q1 (18 min) stopped by two red flags,
 * Q2 (15 min) from its own start. Feed times from the session's SessionStatus. */
static void test_qualifying_clock(void **st)
{
    (void)st;
    struct pw_source *src = replay_test_open(archive, QUALI);
    const struct pw_race_state *s = src->ops->state(src);
    int64_t lo = replay_lights_out_offset(src); /* Q1 green: 00:14:26.834 */
    assert_int_equal(lo, 866834);
    /* first red flag at 00:22:09.751: 7:42.917 run */
    assert_int_equal(src->ops->advance(src, 1400000 - lo, NULL, NULL), 0);
    assert_int_equal(s->session_part, 1);
    assert_int_equal(s->clock_ms, 18 * 60000 - 462917);
    assert_false(s->clock_running);
    assert_int_equal(s->cutoff_position, 15);
    /* restarted 00:38:26.849, 30 s later */
    assert_int_equal(src->ops->advance(src, 2306849 - lo + 30000, NULL, NULL), 0);
    assert_int_equal(s->clock_ms, 18 * 60000 - 462917 - 30000);
    assert_true(s->clock_running);
    /* Q2 green at 01:06:26.861; 5 minutes in */
    assert_int_equal(src->ops->advance(src, 3986861 - lo + 300000, NULL, NULL), 0);
    assert_int_equal(s->session_part, 2);
    assert_int_equal(s->clock_ms, 15 * 60000 - 300000);
    assert_int_equal(s->cutoff_position, 10);
    /* and after a seek back into Q1, the same */
    assert_int_equal(src->ops->seek(src, 1400000 - lo), 0);
    assert_int_equal(s->clock_ms, 18 * 60000 - 462917);
    src->ops->destroy(src);
}

/* Practice is ordered by best lap: at points through the session, the cars with a time
 * come first, fastest first; its clock runs 60 minutes from the start, red flag included. */
static void test_practice_order_and_clock(void **st)
{
    (void)st;
    struct pw_source *src = replay_test_open(archive, FP2);
    const struct pw_race_state *s = src->ops->state(src);
    int checked = 0;
    for (int64_t t = 300000; t < 3600000; t += 330000) {
        assert_int_equal(src->ops->advance(src, t, NULL, NULL), 0);
        assert_int_equal(s->clock_ms, 3600000 - t);
        assert_true(s->clock_running); /* through the red flag (26:50 to 37:38) too */
        bool timed = true;
        for (int i = 0; i < s->n_cars; i++) {
            const struct pw_car *c = &s->cars[i];
            if (c->best_lap_ms == 0) {
                timed = false;
                continue;
            }
            if (!timed)
                fail_msg("at %lld ms: %s has a time below a car without one", (long long)t,
                         c->driver.tla);
            if (i > 0 && s->cars[i - 1].best_lap_ms > c->best_lap_ms)
                fail_msg("at %lld ms: P%d %s (%lld) is faster than P%d (%lld)", (long long)t,
                         i + 1, c->driver.tla, (long long)c->best_lap_ms, i,
                         (long long)s->cars[i - 1].best_lap_ms);
            checked++;
        }
    }
    assert_true(checked > 100);
    assert_int_equal(s->lap, 0);
    src->ops->destroy(src);
}

/* Both shared folders as one list of replays: races and the other kinds, by id. */
static void test_list_two_archives(void **st)
{
    (void)st;
    char roots[2048];
    snprintf(roots, sizeof roots, "%s:%s", race_archive, archive);
    struct replay_session_info items[16];
    int n = 0;
    assert_int_equal(replay_list_sessions(roots, items, 16, &n), 0);
    assert_int_equal(n, 5);
    static const struct {
        const char *id;
        enum pw_session_kind kind;
    } want[] = {
        {FP2, PW_SESSION_PRACTICE},
        {QUALI, PW_SESSION_QUALIFYING},
        {"2023/2023-04-30_Azerbaijan_Grand_Prix/2023-04-29_Sprint", PW_SESSION_SPRINT},
        {SHOOTOUT, PW_SESSION_SPRINT_QUALIFYING},
        {"2025/2025-05-04_Miami_Grand_Prix/2025-05-03_Sprint", PW_SESSION_SPRINT},
    };
    for (int i = 0; i < n; i++) {
        assert_string_equal(items[i].id, want[i].id);
        assert_int_equal(items[i].kind, want[i].kind);
    }
    assert_string_equal(items[1].title, "2023 Azerbaijan Grand Prix Qualifying");
    char path[1024], expect[1024];
    assert_int_equal(replay_resolve_session(roots, QUALI, path, sizeof path), 0);
    snprintf(expect, sizeof expect, "%s/%s", archive, QUALI);
    assert_string_equal(path, expect);
    assert_int_equal(replay_resolve_session(roots, "2023/nope", path, sizeof path), -ENOENT);
    /* a missing root in the list is skipped; all missing is an error */
    snprintf(roots, sizeof roots, "/nonexistent::%s", archive);
    assert_int_equal(replay_list_sessions(roots, items, 16, &n), 0);
    assert_int_equal(n, 3);
    assert_true(replay_list_sessions("/nonexistent:/nope", items, 16, &n) < 0);
}

int main(int argc, char **argv)
{
    if (argc > 2) {
        archive = argv[1];
        race_archive = argv[2];
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_and_classification),
        cmocka_unit_test(test_knocked_out),
        cmocka_unit_test(test_qualifying_clock),
        cmocka_unit_test(test_practice_order_and_clock),
        cmocka_unit_test(test_list_two_archives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
