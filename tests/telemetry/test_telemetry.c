/* The anomaly detector (tel_detect) and the simulator's faults and telemetry (sim_faults):
 * each severity is reachable, the sums stay exact, a fault shows in the readings and is
 * found, a fatal one ends in the car's retirement, the race model loses time to faults, and
 * healthy cars raise (almost) no alarm. The simulator checks look inside the race
 * (sim_internal.h) for the fault plan, the truth the detector is scored against. */
#include "race/sim_internal.h"
#include "telemetry/tel_detect.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void fill(struct tel_series *s, enum pw_metric m, int32_t level, int count)
{
    struct tel_verdict v;
    for (int i = 0; i < count; i++)
        tel_series_add(s, m, level, &v);
}

static void test_quiet_until_enough_readings(void **state)
{
    (void)state;
    struct tel_series s = {0};
    struct tel_verdict v;
    fill(&s, PW_METRIC_ENGINE_TEMP, 1000, TEL_MIN_SAMPLES - 1);
    tel_series_add(&s, PW_METRIC_ENGINE_TEMP, 5000, &v); /* far out, but too early to judge */
    assert_false(v.is_anomaly);
    assert_true(v.z == 0.0);
    tel_series_add(&s, PW_METRIC_ENGINE_TEMP, 5000, &v); /* now judged: window has a spike */
    assert_true(v.z > 0.0);
}

static void test_every_severity_is_reachable(void **state)
{
    (void)state;
    /* Steady readings: the sd is the floor, so a step of k floors is z = k. */
    static const struct {
        double k;
        enum tel_severity want;
    } cases[] = {{3.9, TEL_SEV_NONE},   {4.0, TEL_SEV_LOW},       {5.9, TEL_SEV_LOW},
                 {6.0, TEL_SEV_MEDIUM}, {9.9, TEL_SEV_MEDIUM},    {10.0, TEL_SEV_HIGH},
                 {15.9, TEL_SEV_HIGH},  {16.0, TEL_SEV_CRITICAL}, {60.0, TEL_SEV_CRITICAL}};
    for (int m = 0; m < PW_METRIC_COUNT; m++) {
        int32_t floor_sd = tel_sd_floor((enum pw_metric)m);
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
            struct tel_series s = {0};
            struct tel_verdict v;
            fill(&s, (enum pw_metric)m, 1000, TEL_WINDOW);
            int32_t x = 1000 + (int32_t)(cases[i].k * floor_sd + 0.5);
            tel_series_add(&s, (enum pw_metric)m, x, &v);
            if (v.severity != cases[i].want)
                fail_msg("%s: step of %.1f floors gave %s (z %.3f), want %s",
                         pw_metric_name((enum pw_metric)m), cases[i].k,
                         tel_severity_name(v.severity), v.z, tel_severity_name(cases[i].want));
            assert_int_equal(v.is_anomaly, cases[i].want != TEL_SEV_NONE);
            if (v.is_anomaly)
                assert_true(v.confidence >= 1.0 - 1.0 / 16.0 && v.confidence < 1.0);
        }
    }
    assert_string_equal(tel_severity_name(TEL_SEV_CRITICAL), "critical");
}

static void test_falls_and_noise_are_not_faults(void **state)
{
    (void)state;
    struct tel_series s = {0};
    struct tel_verdict v;
    fill(&s, PW_METRIC_BRAKE_TEMP, 5000, TEL_WINDOW);
    tel_series_add(&s, PW_METRIC_BRAKE_TEMP, 1000, &v); /* a sudden drop: brakes cooling */
    assert_false(v.is_anomaly);
    assert_true(v.z < -4.0);
    /* Readings that wander widely: the sd follows them, the same spread is not an alarm. */
    struct tel_series w = {0};
    for (int i = 0; i < 200; i++) {
        tel_series_add(&w, PW_METRIC_TYRE_TEMP, 900 + (i % 7) * 60, &v);
        assert_false(v.is_anomaly);
    }
}

static void test_window_sums_stay_exact(void **state)
{
    (void)state;
    struct tel_series s = {0};
    struct tel_verdict v;
    int32_t all[500];
    unsigned x = 12345;
    for (int i = 0; i < 500; i++) {
        x = x * 1103515245u + 12345u;
        all[i] = (int32_t)(x >> 16) % 12000;
        tel_series_add(&s, PW_METRIC_BRAKE_TEMP, all[i], &v);
        int64_t sum = 0, sumsq = 0;
        int from = i + 1 > TEL_WINDOW ? i + 1 - TEL_WINDOW : 0;
        for (int k = from; k <= i; k++) {
            sum += all[k];
            sumsq += (int64_t)all[k] * all[k];
        }
        assert_int_equal(s.sum, sum);
        assert_int_equal(s.sumsq, sumsq);
        assert_int_equal(s.n, i + 1 - from);
    }
}

/* --- the simulator's faults --------------------------------------------------------------- */

struct race_run {
    int64_t retired_ms[PW_MAX_CARS];  /* by car id; -1 still running */
    bool engine_failure[PW_MAX_CARS]; /* the retirement event gave a fault as its cause */
    /* Readings flagged, by car id and metric: first race time, and severities seen. */
    int64_t first_flag[PW_MAX_CARS][PW_METRIC_COUNT];
    int flags[PW_MAX_CARS][PW_METRIC_COUNT];
    unsigned severities;
    int laps[PW_MAX_CARS];
};

static int car_id(const struct sim *s, const char *number)
{
    for (int i = 0; i < s->n; i++) {
        if (strcmp(s->cars[i].driver.number, number) == 0)
            return i;
    }
    return -1;
}

static void on_event(void *ctx, const struct pw_event *ev)
{
    void **pair = ctx;
    const struct sim *s = pair[0];
    struct race_run *run = pair[1];
    int id = ev->car[0] ? car_id(s, ev->car) : -1;
    if (ev->type == PW_EV_RETIREMENT && id >= 0) {
        run->retired_ms[id] = ev->race_ms;
        run->engine_failure[id] = strcmp(ev->text, PW_RETIRE_ENGINE_FAILURE) == 0;
    }
}

/* Run a race, reading telemetry every `step_ms` of race time like a runner's tick. */
static void run_race(struct sim *s, int64_t step_ms, struct race_run *run)
{
    static struct tel_series series[PW_MAX_CARS][PW_METRIC_COUNT];
    memset(series, 0, sizeof series);
    memset(run, 0, sizeof *run);
    for (int i = 0; i < PW_MAX_CARS; i++) {
        run->retired_ms[i] = -1;
        for (int m = 0; m < PW_METRIC_COUNT; m++)
            run->first_flag[i][m] = -1;
    }
    void *pair[2] = {s, run};
    struct pw_telemetry t;
    int rc = 0;
    for (int64_t now = step_ms; rc == 0; now += step_ms) {
        rc = s->base.ops->advance(&s->base, now, on_event, pair);
        assert_int_equal(s->base.ops->telemetry(&s->base, &t), 0);
        for (int k = 0; k < t.n_cars; k++) {
            int id = car_id(s, t.cars[k].driver.number);
            assert_true(id >= 0);
            assert_true(run->retired_ms[id] < 0); /* a retired car sends nothing */
            for (int m = 0; m < PW_METRIC_COUNT; m++) {
                struct tel_verdict v;
                tel_series_add(&series[id][m], (enum pw_metric)m, t.cars[k].tenths[m], &v);
                if (!v.is_anomaly)
                    continue;
                if (run->first_flag[id][m] < 0)
                    run->first_flag[id][m] = t.race_ms;
                run->flags[id][m]++;
                run->severities |= 1u << v.severity;
            }
        }
    }
    assert_int_equal(rc, 1);
    for (int i = 0; i < s->n; i++)
        run->laps[i] = s->cars[i].line / 3;
}

static struct sim *new_race(uint64_t seed)
{
    struct pw_grid g;
    struct pw_source *src = NULL;
    assert_int_equal(race_grid_load_builtin("2026", &g), 0);
    struct race_sim_options opt = {.grid = &g, .seed = seed};
    assert_int_equal(race_sim_create(&opt, &src), 0);
    return (struct sim *)src;
}

static void test_faults_are_found_and_fatal_ones_retire(void **state)
{
    (void)state;
    static struct race_run run;
    int fatal = 0, fatal_found = 0, passing = 0, passing_found = 0, false_flags = 0;
    int readings_judged = 0;
    unsigned severities = 0;
    int other_retirements = 0;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        struct sim *s = new_race(seed);
        int64_t step = s->circuit.lap_ms / 2; /* two readings a lap */
        struct sim_faults plan = s->faults;
        run_race(s, step, &run);
        severities |= run.severities;
        bool faulty[PW_MAX_CARS][PW_METRIC_COUNT] = {{false}};
        for (int i = 0; i < plan.n; i++) {
            const struct sim_fault *f = &plan.f[i];
            faulty[f->car][f->metric] = true;
            /* Judged only when the window was full enough before the fault began. */
            bool judged = f->start_ms >= (TEL_MIN_SAMPLES + 1) * step;
            bool hit = run.first_flag[f->car][f->metric] >= f->start_ms &&
                       run.first_flag[f->car][f->metric] < f->end_ms + step;
            if (f->fatal) {
                /* The fault is what ends the race: the car retires when it runs its course,
                 * and the retirement says so (the commentary tells it). */
                assert_int_equal(run.retired_ms[f->car], f->end_ms);
                assert_true(run.engine_failure[f->car]);
                if (judged) {
                    fatal++;
                    fatal_found += hit;
                }
            } else if (judged && f->end_ms < s->duration_ms - step) {
                passing++;
                passing_found += hit;
            }
        }
        for (int c = 0; c < s->n; c++) {
            bool fatal_fault = false;
            for (int i = 0; i < plan.n; i++)
                fatal_fault |= plan.f[i].car == c && plan.f[i].fatal;
            if (run.retired_ms[c] >= 0 && !fatal_fault) {
                assert_false(run.engine_failure[c]); /* a crash is no engine failure */
                other_retirements++;
            }
            for (int m = 0; m < PW_METRIC_COUNT; m++) {
                if (!faulty[c][m])
                    false_flags += run.flags[c][m];
                readings_judged += run.laps[c] * 2;
            }
        }
        free(s);
    }
    print_message("fatal faults found %d/%d, passing %d/%d, false alarms %d in ~%d readings, "
                  "severities 0x%x\n",
                  fatal_found, fatal, passing_found, passing, false_flags, readings_judged,
                  severities);
    assert_true(fatal >= 10);
    assert_true(other_retirements >= 5);        /* crashes: retirements with no cause given */
    assert_true(fatal_found * 10 >= fatal * 9); /* nine in ten engine failures foreseen */
    assert_true(passing >= 20);
    assert_true(passing_found * 10 >= passing * 7);          /* most passing faults seen */
    assert_true(false_flags * 10000 <= readings_judged * 2); /* under 2 in 10,000 readings */
    /* The simulator's faults reach every level. */
    for (int sev = TEL_SEV_LOW; sev <= TEL_SEV_CRITICAL; sev++)
        assert_true(severities & (1u << sev));
}

static void test_the_race_model_feels_a_fault(void **state)
{
    (void)state;
    /* Plan the same lap twice from the same state, once without the fault plan: the faulty
     * car's lap is slower by what the fault costs, and nothing else changes. */
    int compared = 0;
    struct sim *b = malloc(sizeof *b);
    assert_non_null(b);
    for (uint64_t seed = 1; seed <= 40; seed++) {
        struct sim *a = new_race(seed);
        for (int i = 0; i < a->faults.n; i++) {
            const struct sim_fault *f = &a->faults.f[i];
            int64_t at = f->fatal ? f->end_ms - 1 : (f->start_ms + f->end_ms) / 2;
            a->now = at;
            memcpy(b, a, sizeof *b);
            b->faults.n = 0;
            sim_model_plan_lap(a, &a->cars[f->car], 10);
            sim_model_plan_lap(b, &b->cars[f->car], 10);
            double lost = a->cars[f->car].pace_lap_ms - b->cars[f->car].pace_lap_ms;
            assert_true(lost > 0.9 * sim_faults_pace_ms(a, &a->cars[f->car]) && lost > 100.0);
            /* Outside the fault, no cost. */
            a->now = f->end_ms;
            if (sim_faults_pace_ms(a, &a->cars[f->car]) > 0.0) {
                bool other = false; /* unless another fault of the same car is on */
                for (int k = 0; k < a->faults.n; k++)
                    other |= k != i && a->faults.f[k].car == f->car &&
                             a->faults.f[k].start_ms <= f->end_ms &&
                             a->faults.f[k].end_ms > f->end_ms;
                assert_true(other);
            }
            compared++;
        }
        free(a);
    }
    free(b);
    assert_true(compared >= 20);
}

static void test_readings_do_not_depend_on_the_tick(void **state)
{
    (void)state;
    struct sim *a = new_race(9), *b = new_race(9);
    struct pw_telemetry ta, tb;
    int64_t target = 20 * a->circuit.lap_ms;
    /* One big step against many small ones: the same readings at the same instant. */
    assert_int_equal(a->base.ops->advance(&a->base, target, NULL, NULL), 0);
    for (int64_t t = 777; t < target; t += 777)
        assert_int_equal(b->base.ops->advance(&b->base, t, NULL, NULL), 0);
    assert_int_equal(b->base.ops->advance(&b->base, target, NULL, NULL), 0);
    a->base.ops->telemetry(&a->base, &ta);
    b->base.ops->telemetry(&b->base, &tb);
    assert_true(ta.n_cars > 10);
    assert_memory_equal(&ta, &tb, sizeof ta);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quiet_until_enough_readings),
        cmocka_unit_test(test_every_severity_is_reachable),
        cmocka_unit_test(test_falls_and_noise_are_not_faults),
        cmocka_unit_test(test_window_sums_stay_exact),
        cmocka_unit_test(test_faults_are_found_and_fatal_ones_retire),
        cmocka_unit_test(test_the_race_model_feels_a_fault),
        cmocka_unit_test(test_readings_do_not_depend_on_the_tick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
