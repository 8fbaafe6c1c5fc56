/* Rain in the simulator: forced rain races run to a valid classification with race
 * control's notes in the feed's words and the tyre rules kept; a dry race is untouched by
 * the weather; the circuits' chances hold over many seeds. */
#include "race/circuit.h"
#include "race/grid.h"
#include "race/race_weather.h"
#include "race/sim.h"
#include "race_check.h"
#include "race_notes.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define MAX_NOTES 8

struct rain_check {
    int notes;
    char note[MAX_NOTES][PW_EVENT_TEXT_MAX];
    int note_wetness[MAX_NOTES];
    int max_wetness;
    bool rained;
    int slick_soaked_run[RACE_CHECK_NUMBERS]; /* laps in a row completed on slicks on a soaked track */
    int worst_slick_run;
    int rain_dry_run[RACE_CHECK_NUMBERS]; /* laps in a row on rain tyres on a dry track */
    int worst_rain_dry_run;
    int fitted_inter, fitted_wet, back_on_slicks;
    bool classified;
    int64_t end_ms;
    int picked_pos; /* car 16's final place */
    uint64_t hash;
    struct race_check_failure failed;
};

static void on_lap(struct rain_check *ck, const struct pw_event *ev)
{
    const struct pw_race_state *st = ev->state;
    int i = pw_state_find_car(st, ev->car), n = race_check_slot(ev->car);
    if (i < 0) {
        race_check_fail(&ck->failed, "lap of an unknown car", ev);
        return;
    }
    const struct pw_car *c = &st->cars[i];
    int *slick = &ck->slick_soaked_run[n], *rain = &ck->rain_dry_run[n];
    *slick = race_check_slick(c->tyre) && !c->in_pit && st->track_wetness >= RACE_WEATHER_SOAKED
                 ? *slick + 1
                 : 0;
    if (*slick > ck->worst_slick_run)
        ck->worst_slick_run = *slick;
    /* The last laps have no stop left to make. */
    *rain =
        !race_check_slick(c->tyre) && st->track_wetness < 5 && ev->lap < st->total_laps - 2 ? *rain + 1 : 0;
    if (*rain > ck->worst_rain_dry_run)
        ck->worst_rain_dry_run = *rain;
}

static void on_event(void *ctx, const struct pw_event *ev)
{
    struct rain_check *ck = ctx;
    const struct pw_race_state *st = ev->state;
    /* The event's line, then the weather as the event saw it. */
    char weather[32];
    int len = snprintf(weather, sizeof weather, " %d %d", st->track_wetness, st->raining);
    ck->hash = race_check_hash(race_check_hash_event(ck->hash, ev), weather, (size_t)len);
    if (st->track_wetness < 0 || st->track_wetness > 100)
        race_check_fail(&ck->failed, "wetness out of 0..100", ev);
    if (st->track_wetness > ck->max_wetness)
        ck->max_wetness = st->track_wetness;
    ck->rained |= st->raining;
    switch (ev->type) {
    case PW_EV_RACE_CONTROL:
        if (race_note_is_damage(ev->text))
            break;
        if (ck->notes < MAX_NOTES) {
            snprintf(ck->note[ck->notes], sizeof ck->note[0], "%s", ev->text);
            ck->note_wetness[ck->notes] = st->track_wetness;
        }
        ck->notes++;
        break;
    case PW_EV_LAP_COMPLETED:
        on_lap(ck, ev);
        break;
    case PW_EV_PIT_OUT:
        ck->fitted_inter += ev->tyre == PW_TYRE_INTER;
        ck->fitted_wet += ev->tyre == PW_TYRE_WET;
        ck->back_on_slicks += race_check_slick(ev->tyre) && ck->rained;
        break;
    case PW_EV_CLASSIFICATION:
        ck->classified = true;
        ck->end_ms = ev->race_ms;
        ck->picked_pos = pw_state_find_car(st, "16") + 1;
        const char *bad = race_check_classification(st);
        if (bad)
            race_check_fail(&ck->failed, bad, ev);
        break;
    default:
        break;
    }
}

static void run(const struct race_sim_options *opt, struct rain_check *ck, int64_t step)
{
    memset(ck, 0, sizeof *ck);
    ck->hash = RACE_CHECK_HASH_START;
    assert_int_equal(race_check_race(opt, step, on_event, ck, NULL), 1);
}

/* Forced rain over circuits and lengths: the shower comes, soaks the track, dries; every
 * car is on the right tyres within two laps; race control says it in the feed's words. */
static void test_forced_rain_races(void **state)
{
    const struct pw_grid *grid = *state;
    static const int laps[] = {0, 12, 20, 30};
    int n_circuits = race_circuit_count_builtin();
    for (int seed = 1; seed <= 200; seed++) {
        struct race_circuit circuit;
        assert_int_equal(race_circuit_builtin_at(seed % n_circuits, &circuit), 0);
        struct race_sim_options opt = {.grid = grid,
                                       .circuit = &circuit,
                                       .seed = (uint64_t)seed * 7919,
                                       .laps = laps[seed % 4],
                                       .weather = RACE_WEATHER_RAIN,
                                       .selected_number = "16",
                                       .podium = seed % 2 == 0};
        struct rain_check ck;
        run(&opt, &ck, 0);
        if (ck.failed.count)
            fail_msg("seed %d: %s", seed, ck.failed.why);
        assert_true(ck.classified);
        assert_true(ck.rained);
        assert_true(ck.max_wetness >= 95);
        /* RISK OF RAIN, TRACK SURFACE SLIPPERY, DRS DISABLED, DRS ENABLED, in this order. */
        assert_int_equal(ck.notes, 4);
        int pct = 0, sector = 0;
        char what[16] = "";
        assert_int_equal(sscanf(ck.note[0], "RISK OF RAIN FOR F1 %15s IS %d%%", what, &pct), 2);
        assert_string_equal(what, opt.laps && opt.laps <= 25 ? "SPRINT" : "RACE");
        assert_true(pct >= 60 && pct <= 90);
        assert_int_equal(sscanf(ck.note[1], "TRACK SURFACE SLIPPERY IN TRACK SECTOR %d", &sector),
                         1);
        assert_true(sector >= 1 && sector <= 18);
        assert_string_equal(ck.note[2], "DRS DISABLED");
        assert_true(ck.note_wetness[2] >= RACE_WEATHER_DAMP);
        assert_string_equal(ck.note[3], "DRS ENABLED");
        assert_true(ck.note_wetness[3] < RACE_WEATHER_DAMP);
        /* The tyre rules: nobody completes more than two laps on slicks on a soaked track
         * (the lap the call is made on and the in-lap), nor more than two on rain tyres on
         * a dry one while a stop can still be made. */
        if (ck.worst_slick_run > 2)
            fail_msg("seed %d: %d laps on slicks on a soaked track", seed, ck.worst_slick_run);
        if (ck.worst_rain_dry_run > 2)
            fail_msg("seed %d: %d laps on rain tyres on a dry track", seed, ck.worst_rain_dry_run);
        assert_true(ck.fitted_wet + ck.fitted_inter >= grid->n / 2);
        assert_true(ck.back_on_slicks >= grid->n / 2);
        /* Podium mode keeps its promise in the rain. */
        if (opt.podium && ck.picked_pos > 3)
            fail_msg("seed %d: the picked driver finished P%d", seed, ck.picked_pos);
    }
}

/* A rain race is the same race whatever the runner's tick. */
static void test_rain_same_any_tick(void **state)
{
    struct race_circuit circuit;
    assert_int_equal(race_circuit_load_builtin("spa", &circuit), 0);
    struct race_sim_options opt = {
        .grid = *state, .circuit = &circuit, .seed = 77, .weather = RACE_WEATHER_RAIN};
    struct rain_check a, b;
    run(&opt, &a, 0);
    run(&opt, &b, 1000);
    assert_int_equal(a.hash, b.hash);
    assert_int_equal(a.end_ms, b.end_ms);
}

/* A race that stays dry is the race it always was: with AUTO and no shower drawn, every
 * event but the forecast note is the dry race's. */
static void test_dry_race_untouched(void **state)
{
    struct race_circuit circuit;
    assert_int_equal(race_circuit_load_builtin("bahrain", &circuit), 0);
    int compared = 0;
    for (uint64_t seed = 1; seed <= 30; seed++) {
        struct race_sim_options opt = {
            .grid = *state, .circuit = &circuit, .seed = seed, .laps = 15};
        struct rain_check dry, autow;
        run(&opt, &dry, 0);
        opt.weather = RACE_WEATHER_AUTO;
        run(&opt, &autow, 0);
        assert_int_equal(dry.notes, 0);
        assert_int_equal(dry.max_wetness, 0);
        if (autow.rained)
            continue;
        assert_int_equal(autow.notes, 1);
        assert_string_equal(autow.note[0], "RISK OF RAIN FOR F1 SPRINT IS 2%");
        assert_int_equal(dry.end_ms, autow.end_ms);
        compared++;
    }
    assert_true(compared >= 25);
}

/* AUTO rains with the circuit's chance: Spa (30%) over 300 seeds. */
static void test_circuit_chance(void **state)
{
    (void)state;
    struct race_weather w;
    int rained = 0;
    int pct = race_weather_circuit_rain_pct("spa");
    assert_int_equal(pct, 30);
    for (uint64_t seed = 1; seed <= 300; seed++) {
        race_weather_plan(&w, RACE_WEATHER_AUTO, pct, 5400000, false, seed);
        assert_int_equal(w.rain_chance, 30);
        rained += w.shower;
    }
    assert_in_range(rained, 60, 120);
    race_weather_plan(&w, RACE_WEATHER_DRY, 100, 5400000, false, 1);
    assert_false(w.shower);
    assert_int_equal(w.rain_chance, 0);
    assert_int_equal(w.n_notes, 0);
    /* Every built-in circuit has its chance in data/circuits/weather.csv. */
    for (int i = 0; i < race_circuit_count_builtin(); i++) {
        struct race_circuit c;
        assert_int_equal(race_circuit_builtin_at(i, &c), 0);
        assert_in_range(race_weather_circuit_rain_pct(c.id), 1, 100);
    }
    assert_int_equal(race_weather_circuit_rain_pct("nowhere"), 0);
}

/* The wetness curve and the tyre crossovers. */
static void test_wetness_and_tyres(void **state)
{
    (void)state;
    struct race_weather w;
    race_weather_plan(&w, RACE_WEATHER_RAIN, 0, 5400000, false, 3);
    assert_true(w.shower);
    assert_true(race_weather_wetness(&w, w.start_ms) == 0.0);
    double prev = 0.0;
    for (int64_t t = w.start_ms; t <= w.stop_ms; t += 10000) {
        double wet = race_weather_wetness(&w, t);
        assert_true(wet >= prev && wet <= 100.0);
        assert_true(race_weather_raining(&w, t) || t == w.stop_ms);
        prev = wet;
    }
    for (int64_t t = w.stop_ms; t < 5400000; t += 10000) {
        double wet = race_weather_wetness(&w, t);
        assert_true(wet <= prev && wet >= 0.0);
        assert_false(race_weather_raining(&w, t));
        prev = wet;
    }
    assert_true(prev == 0.0);
    assert_int_equal(race_weather_best_kind(0), PW_TYRE_MEDIUM);
    assert_int_equal(race_weather_best_kind(10), PW_TYRE_MEDIUM);
    assert_int_equal(race_weather_best_kind(30), PW_TYRE_INTER);
    assert_int_equal(race_weather_best_kind(60), PW_TYRE_INTER);
    assert_int_equal(race_weather_best_kind(80), PW_TYRE_WET);
    /* Slicks on a soaked track are far slower; wets on a dry one too. */
    assert_true(race_weather_lap_share(50, PW_TYRE_SOFT) >
                race_weather_lap_share(50, PW_TYRE_INTER) + 0.1);
    assert_true(race_weather_lap_share(0, PW_TYRE_WET) > 0.1);
    assert_true(race_weather_lap_share(0, PW_TYRE_HARD) == 0.0);
    enum race_weather_mode m;
    assert_int_equal(race_weather_mode_parse("RAIN", &m), 0);
    assert_int_equal(m, RACE_WEATHER_RAIN);
    assert_int_equal(race_weather_mode_parse("auto", &m), 0);
    assert_int_equal(m, RACE_WEATHER_AUTO);
    assert_int_not_equal(race_weather_mode_parse("snow", &m), 0);
    assert_string_equal(race_weather_mode_name(RACE_WEATHER_DRY), "dry");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wetness_and_tyres),  cmocka_unit_test(test_circuit_chance),
        cmocka_unit_test(test_dry_race_untouched), cmocka_unit_test(test_rain_same_any_tick),
        cmocka_unit_test(test_forced_rain_races),
    };
    return cmocka_run_group_tests(tests, race_check_grid_load, race_check_grid_free);
}
