/* Commentary rules for practice and qualifying, fed with the repository's synthetic
 * sessions replayed for real (tests/replay/data, see make_synthetic.py): the session under
 * way, provisional pole, cars knocked out with their part, a red flag with the clock left,
 * pole at the end; none of a race's lines (leads, wins, podium, pit stops). And a real
 * sprint of the shared archive, replayed: race control's own penalty note is said like the
 * simulator's. */
#include "commentary/cm_phrase.h"
#include "commentary/cm_rules.h"
#include "replay/replay.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *data_dir = REPLAY_DATA_DIR;

struct heard {
    struct cm_rules rules;
    struct cm_phrase phrase;
    struct cm_candidate said[256];
    char text[256][256];
    int n;
};

static void on_event(void *ctx, const struct pw_event *ev)
{
    struct heard *h = ctx;
    struct cm_candidate c[16];
    int n = cm_rules_feed(&h->rules, ev, ev->race_ms, c, 16);
    for (int i = 0; i < n && h->n < 256; i++) {
        h->said[h->n] = c[i];
        if (cm_phrase_render(&h->phrase, &c[i], h->text[h->n], sizeof h->text[0]) < 0)
            fail_msg("fact %d has no template that fits", c[i].fact);
        h->n++;
    }
}

static void replay_through_rules(const char *name, struct heard *h)
{
    char dir[512], err[512];
    snprintf(dir, sizeof dir, "%s/%s", data_dir, name);
    struct pw_source *src = NULL;
    if (replay_open(dir, NULL, NULL, &src, err, sizeof err) < 0)
        fail_msg("%s", err);
    cm_rules_init(&h->rules, "44");
    cm_phrase_init(&h->phrase, name);
    h->n = 0;
    assert_int_equal(src->ops->advance(src, src->ops->duration_ms(src), on_event, h), 1);
    src->ops->destroy(src);
}

static int count(const struct heard *h, enum cm_fact f)
{
    int n = 0;
    for (int i = 0; i < h->n; i++)
        n += h->said[i].fact == f;
    return n;
}

static const char *find(const struct heard *h, enum cm_fact f, int skip)
{
    for (int i = 0; i < h->n; i++) {
        if (h->said[i].fact == f && skip-- == 0)
            return h->text[i];
    }
    return NULL;
}

static void no_race_lines(const struct heard *h)
{
    static const enum cm_fact race_only[] = {
        CM_FACT_LIGHTS_OUT, CM_FACT_LEAD_PASS,  CM_FACT_LEAD_INHERIT, CM_FACT_PODIUM_PASS,
        CM_FACT_PIT,        CM_FACT_FASTEST_LAP, CM_FACT_RED_FLAG,    CM_FACT_CHEQUERED,
        CM_FACT_PODIUM,     CM_FACT_FINAL_LAP,
    };
    for (size_t i = 0; i < sizeof race_only / sizeof *race_only; i++)
        if (count(h, race_only[i]))
            fail_msg("a race line in a session on a clock: fact %d", race_only[i]);
}

static void test_qualifying_lines(void **st)
{
    (void)st;
    static struct heard h;
    replay_through_rules("qualifying", &h);
    no_race_lines(&h);
    assert_int_equal(count(&h, CM_FACT_SESSION_START), 1);
    assert_non_null(strstr(find(&h, CM_FACT_SESSION_START, 0), "Q1"));
    /* knocked out: Leclerc in Q1, Verstappen in Q2, each said once with the part */
    assert_int_equal(count(&h, CM_FACT_KNOCKED_OUT), 2);
    const char *q1 = find(&h, CM_FACT_KNOCKED_OUT, 0), *q2 = find(&h, CM_FACT_KNOCKED_OUT, 1);
    assert_true(strstr(q1, "Leclerc") && strstr(q1, "Q1") && !strstr(q1, "Q2"));
    assert_true(strstr(q2, "Verstappen") && strstr(q2, "Q2"));
    /* red flag in Q1 after 4 minutes of 18: 14:00 left */
    assert_int_equal(count(&h, CM_FACT_SESSION_RED), 1);
    const char *red = find(&h, CM_FACT_SESSION_RED, 0);
    if (!strstr(red, "Q1") || !strstr(red, "14:00"))
        fail_msg("red flag line: %s", red);
    assert_int_equal(count(&h, CM_FACT_SESSION_RESUME), 1);
    /* provisional pole in each part, pole at the end */
    assert_true(count(&h, CM_FACT_PROVISIONAL_POLE) >= 3);
    assert_int_equal(count(&h, CM_FACT_SESSION_END), 1);
    const char *pole = find(&h, CM_FACT_SESSION_END, 0);
    if (!strstr(pole, "Norris") || !strstr(pole, "1:38.500") || !strstr(pole, "pole"))
        fail_msg("pole line: %s", pole);
    /* the picked driver (44) improving to P2 in Q3 */
    bool improved = false;
    for (int i = 0; i < h.n; i++)
        improved |= h.said[i].fact == CM_FACT_IMPROVEMENT && h.said[i].picked;
    assert_true(improved);
}

/* Five cars out at once are all named, whichever template is drawn. */
static void test_knocked_out_names_every_car(void **st)
{
    (void)st;
    struct pw_race_state *s = calloc(1, sizeof *s);
    s->kind = PW_SESSION_QUALIFYING;
    s->session_part = 2;
    s->started = true;
    s->n_cars = 6;
    static const char *const names[] = {"Charles Leclerc", "Guanyu Zhou", "Nico Hulkenberg",
                                        "Kevin Magnussen", "Pierre Gasly", "Nyck de Vries"};
    for (int i = 0; i < 6; i++) {
        snprintf(s->cars[i].driver.number, sizeof s->cars[i].driver.number, "%d", i + 1);
        snprintf(s->cars[i].driver.name, sizeof s->cars[i].driver.name, "%s", names[i]);
        s->cars[i].position = i + 1;
        s->cars[i].knocked_out_part = i ? 1 : 0;
    }
    for (int round = 0; round < 20; round++) {
        struct cm_rules r;
        struct cm_phrase ph;
        char race[16], text[256];
        snprintf(race, sizeof race, "r%d", round);
        cm_rules_init(&r, "");
        cm_phrase_init(&ph, race);
        struct pw_event ev = {.type = PW_EV_POSITIONS, .state = s};
        struct cm_candidate c[8];
        int n = cm_rules_feed(&r, &ev, 0, c, 8);
        assert_int_equal(n, 1);
        assert_int_equal(c[0].fact, CM_FACT_KNOCKED_OUT);
        assert_int_equal(c[0].part, 1);
        assert_true(cm_phrase_render(&ph, &c[0], text, sizeof text) >= 0);
        for (int i = 1; i < 6; i++) {
            const char *surname = strrchr(names[i], ' ') + 1;
            if (!strstr(text, surname))
                fail_msg("'%s' does not name %s", text, surname);
        }
        assert_int_equal(cm_rules_feed(&r, &ev, 0, c, 8), 0); /* said once */
    }
    free(s);
}

static void test_practice_lines(void **st)
{
    (void)st;
    static struct heard h;
    replay_through_rules("practice", &h);
    no_race_lines(&h);
    assert_int_equal(count(&h, CM_FACT_KNOCKED_OUT), 0);
    assert_int_equal(count(&h, CM_FACT_SESSION_RED), 1);
    assert_non_null(strstr(find(&h, CM_FACT_SESSION_RED, 0), "practice"));
    const char *end = find(&h, CM_FACT_SESSION_END, 0);
    assert_non_null(end);
    if (!strstr(end, "Car 8") || !strstr(end, "1:30.000") || strstr(end, "pole") || strstr(end, "win"))
        fail_msg("end of practice: %s", end);
    const char *top = find(&h, CM_FACT_PROVISIONAL_POLE, 0);
    assert_non_null(top);
    assert_null(strstr(top, "pole"));
}

struct stewards_heard {
    struct cm_rules rules;
    struct cm_phrase phrase;
    int n;
    struct cm_candidate said[8];
    char text[8][256];
};

static void on_stewards_event(void *ctx, const struct pw_event *ev)
{
    struct stewards_heard *h = ctx;
    struct cm_candidate c[16];
    int n = cm_rules_feed(&h->rules, ev, ev->race_ms, c, 16);
    for (int i = 0; i < n; i++) {
        if (c[i].fact < CM_FACT_PENALTY || c[i].fact > CM_FACT_PENALTY_ADDED || h->n == 8)
            continue;
        h->said[h->n] = c[i];
        assert_true(cm_phrase_render(&h->phrase, &c[i], h->text[h->n], sizeof h->text[0]) >= 0);
        h->n++;
    }
}

/* Miami 2025's sprint: "FIA STEWARDS: 10 SECOND TIME PENALTY FOR CAR 1 (VER) - UNSAFE
 * RELEASE", the one penalty of the session, makes one line naming Verstappen, the seconds
 * and the reason. */
static void test_real_sprint_penalty(void **st)
{
    (void)st;
    char err[512];
    struct pw_source *src = NULL;
    if (replay_open(ARCHIVE_DIR "/2025/2025-05-04_Miami_Grand_Prix/2025-05-03_Sprint", NULL, NULL,
                    &src, err, sizeof err) < 0)
        fail_msg("%s", err);
    static struct stewards_heard h;
    cm_rules_init(&h.rules, "");
    cm_phrase_init(&h.phrase, "miami-sprint");
    assert_int_equal(src->ops->advance(src, src->ops->duration_ms(src), on_stewards_event, &h), 1);
    src->ops->destroy(src);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.said[0].fact, CM_FACT_PENALTY);
    assert_int_equal(h.said[0].penalty_s, 10);
    assert_int_equal(h.said[0].reason, CM_REASON_UNSAFE_RELEASE);
    if (!strstr(h.text[0], "Verstappen") || !strstr(h.text[0], "10-second"))
        fail_msg("penalty line: %s", h.text[0]);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        data_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qualifying_lines),
        cmocka_unit_test(test_knocked_out_names_every_car),
        cmocka_unit_test(test_practice_lines),
        cmocka_unit_test(test_real_sprint_penalty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
