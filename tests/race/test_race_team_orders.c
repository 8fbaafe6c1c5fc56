/* Team orders in the simulator: a car stuck behind its slower teammate is let by at a timing
 * line, an overtake marked PW_OVERTAKE_TEAM_ORDERS. Over many races: swaps come at the rate
 * docs/RACE_MODEL.md states, only between teammates, only after two laps nose to tail on the
 * same lap, never on lap 1, in the last laps or under a neutralisation, never back again, and
 * in podium mode never by the picked driver giving a place away; the same race at any tick. */
#include "race/circuit.h"
#include "race/race_team_orders.h"
#include "race/sim.h"
#include "race_check.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct to_check {
    const struct race_sim_options *opt;
    int64_t lap_end[RACE_CHECK_NUMBERS][RACE_SIM_MAX_LAPS + 1]; /* when each lap ended */
    int let_by[RACE_CHECK_NUMBERS]; /* slot of the teammate that let this car by; 0 none */
    int swaps;
    int final_pos; /* the picked driver's, at the classification */
    uint64_t hash;
    struct race_check_failure failed;
};

static const struct pw_car *to_car(const struct pw_race_state *st, const char *number)
{
    int i = pw_state_find_car(st, number);
    return i >= 0 ? &st->cars[i] : NULL;
}

/* The timing line `c` has just crossed: a lap ends on line 3k; `sectors_ms` holds the lap in
 * progress, or the whole lap at the finish line. */
static int to_line(const struct pw_car *c)
{
    if (c->sectors_ms[0] && c->sectors_ms[1] && c->sectors_ms[2])
        return 3 * c->laps;
    return 3 * c->laps + (c->sectors_ms[1] ? 2 : 1);
}

static void to_swap(struct to_check *ck, const struct pw_event *ev)
{
    const struct pw_race_state *st = ev->state;
    const struct pw_car *c = to_car(st, ev->car), *y = to_car(st, ev->other);
    if (!c || !y) {
        race_check_fail(&ck->failed, "a team-orders swap names a car not in the race", ev);
        return;
    }
    ck->swaps++;
    if (strcmp(c->driver.team, y->driver.team) != 0)
        race_check_fail(&ck->failed, "team orders between cars of two teams", ev);
    if (st->track == PW_TRACK_SC || st->track == PW_TRACK_VSC || st->track == PW_TRACK_VSC_ENDING ||
        st->track == PW_TRACK_RED)
        race_check_fail(&ck->failed, "team orders under a neutralisation", ev);
    /* The call came as the car started the sector that ends at this line. */
    int line = to_line(c), lap = (line - 1) / 3 + 1;
    if (lap < 2 || lap > st->total_laps - RACE_TEAM_ORDERS_LAST_LAPS)
        race_check_fail(&ck->failed, "team orders on lap 1 or in the last laps", ev);
    /* Nose to tail on the same lap at every line of the two laps before the call: at the
     * two finish lines among them, within RACE_TEAM_ORDERS_CLOSE_MS. */
    int seen = 0;
    for (int l = line - RACE_TEAM_ORDERS_LINES; l < line; l++) {
        if (l < 3 || l % 3)
            continue;
        int64_t behind = ck->lap_end[race_check_slot(c->driver.number)][l / 3] -
                         ck->lap_end[race_check_slot(y->driver.number)][l / 3];
        seen++;
        if (ck->lap_end[race_check_slot(y->driver.number)][l / 3] == 0 || behind <= 0 ||
            behind > RACE_TEAM_ORDERS_CLOSE_MS)
            race_check_fail(&ck->failed, "team orders without two laps nose to tail", ev);
    }
    if (seen != 2)
        race_check_fail(&ck->failed, "team orders before two laps were seen", ev);
    int me = race_check_slot(ev->car), other = race_check_slot(ev->other);
    if (ck->let_by[other] == me)
        race_check_fail(&ck->failed, "a car let by its teammate gives the place back", ev);
    ck->let_by[me] = other;
    if (ck->opt->podium && strcmp(ev->other, ck->opt->selected_number) == 0)
        race_check_fail(&ck->failed, "the picked driver told to let its teammate by", ev);
}

static void to_event(void *ctx, const struct pw_event *ev)
{
    struct to_check *ck = ctx;
    ck->hash = race_check_hash_event(ck->hash, ev);
    if (ev->type == PW_EV_LAP_COMPLETED && ev->lap >= 1 && ev->lap <= RACE_SIM_MAX_LAPS)
        ck->lap_end[race_check_slot(ev->car)][ev->lap] = ev->race_ms;
    if (ev->type == PW_EV_OVERTAKE && strcmp(ev->text, PW_OVERTAKE_TEAM_ORDERS) == 0)
        to_swap(ck, ev);
    else if (ev->text[0] && ev->type == PW_EV_OVERTAKE)
        race_check_fail(&ck->failed, "an overtake with a text other than team orders", ev);
    if (ev->type == PW_EV_CLASSIFICATION && ck->opt->selected_number)
        ck->final_pos = pw_state_find_car(ev->state, ck->opt->selected_number) + 1;
}

/* Race `seed`: circuit seed % 10, picked driver seed % 22 in the data files' order, `laps`
 * (0: Grand Prix distance), driven in steps of `step_ms` (0: one call). */
static void to_race(const struct pw_grid *grid, uint64_t seed, int laps, bool podium,
                    int64_t step_ms, struct to_check *ck)
{
    struct race_circuit circuit;
    assert_int_equal(
        race_circuit_builtin_at((int)(seed % (uint64_t)race_circuit_count_builtin()), &circuit), 0);
    struct race_sim_options opt = {.grid = grid,
                                   .circuit = &circuit,
                                   .seed = seed,
                                   .selected_number =
                                       grid->drivers[seed % (uint64_t)grid->n].number,
                                   .podium = podium,
                                   .laps = laps};
    memset(ck, 0, sizeof *ck);
    ck->opt = &opt;
    ck->hash = RACE_CHECK_HASH_START;
    assert_int_equal(race_check_race(&opt, step_ms, to_event, ck, NULL), 1);
    ck->opt = NULL;
    if (ck->failed.count)
        fail_msg("seed %llu: %d failures, the first: %s", (unsigned long long)seed,
                 ck->failed.count, ck->failed.why);
}

/* Grand Prix distance, every circuit: the natural rate, and every swap's conditions. */
static void test_team_orders_grand_prix(void **state)
{
    const struct pw_grid *grid = *state;
    struct to_check *ck = malloc(sizeof *ck);
    assert_non_null(ck);
    int swaps = 0, races_with = 0;
    for (uint64_t seed = 0; seed < 300; seed++) {
        to_race(grid, seed, 0, false, 0, ck);
        swaps += ck->swaps;
        races_with += ck->swaps > 0;
    }
    print_message("team orders, 300 Grands Prix: %d swaps (%.2f a race), in %d races\n", swaps,
                  swaps / 300.0, races_with);
    assert_true(swaps >= 40 && swaps <= 95);
    free(ck);
}

/* 10-32 laps, half in podium mode: the conditions hold, and the picked driver, let by its
 * teammate like anyone, never gives a place away and still finishes on the podium. */
static void test_team_orders_short_and_podium(void **state)
{
    const struct pw_grid *grid = *state;
    struct to_check *ck = malloc(sizeof *ck);
    assert_non_null(ck);
    int swaps = 0, picked_let_by = 0;
    for (uint64_t seed = 1000; seed < 1400; seed++) {
        bool podium = seed % 2 == 0;
        to_race(grid, seed, 10 + (int)(seed % 23), podium, 0, ck);
        swaps += ck->swaps;
        if (podium) {
            picked_let_by += ck->let_by[race_check_slot(grid->drivers[seed % 22].number)] != 0;
            if (ck->final_pos < 1 || ck->final_pos > 3)
                fail_msg("seed %llu: the picked driver finished P%d", (unsigned long long)seed,
                         ck->final_pos);
        }
    }
    print_message("team orders, 400 races of 10-32 laps: %d swaps, %d letting the picked driver "
                  "by\n",
                  swaps, picked_let_by);
    assert_true(swaps > 0);
    free(ck);
}

/* Races with a swap tell the same story at any tick. */
static void test_team_orders_any_tick(void **state)
{
    const struct pw_grid *grid = *state;
    struct to_check *ck = malloc(sizeof *ck);
    assert_non_null(ck);
    static const int64_t steps[] = {250, 7000, 60000};
    int checked = 0;
    for (uint64_t seed = 0; seed < 300 && checked < 4; seed++) {
        to_race(grid, seed, 0, seed % 2 == 0, 0, ck);
        if (ck->swaps == 0)
            continue;
        uint64_t hash = ck->hash;
        int swaps = ck->swaps;
        for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
            to_race(grid, seed, 0, seed % 2 == 0, steps[k], ck);
            if (ck->hash != hash || ck->swaps != swaps)
                fail_msg("seed %llu: step %lld tells another race", (unsigned long long)seed,
                         (long long)steps[k]);
        }
        checked++;
    }
    assert_int_equal(checked, 4);
    free(ck);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_team_orders_grand_prix),
        cmocka_unit_test(test_team_orders_short_and_podium),
        cmocka_unit_test(test_team_orders_any_tick),
    };
    return cmocka_run_group_tests(tests, race_check_grid_load, race_check_grid_free);
}
