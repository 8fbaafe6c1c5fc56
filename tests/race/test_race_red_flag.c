/* Red flags in the simulator: the race stops, every car parks in the pit lane in the order
 * it ran, gets a new set of tyres for free, and the race resumes to a valid classification,
 * with race control's notes in the live-timing feed's words. */
#include "race/circuit.h"
#include "race/grid.h"
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


enum { BEFORE, STOPPED, RESTARTED };

struct red_check {
    int phase;
    int notes;
    char note[8][PW_EVENT_TEXT_MAX];
    bool standing;
    char order_at_red[PW_MAX_CARS][PW_NUMBER_MAX];
    int n_at_red;
    int stops_at_red[RACE_CHECK_NUMBERS];
    int pitted_while_red[RACE_CHECK_NUMBERS];
    bool checked_after[RACE_CHECK_NUMBERS];
    bool all_parked_at_restart;
    bool order_kept;
    enum pw_track_status track_after;
    int tyre_changes;
    int picked_pos;
    bool classified;
    uint64_t hash;
    struct race_check_failure failed;
};

static void on_note(struct red_check *ck, const struct pw_event *ev)
{
    const struct pw_race_state *st = ev->state;
    if (ck->notes < 8)
        snprintf(ck->note[ck->notes], sizeof ck->note[0], "%s", ev->text);
    ck->notes++;
    if (strcmp(ev->text, "RED FLAG") == 0) {
        ck->phase = STOPPED;
        if (st->track != PW_TRACK_RED)
            race_check_fail(&ck->failed, "red flag note without a red track", ev);
        for (int i = 0; i < st->n_cars; i++) {
            if (st->cars[i].retired)
                continue;
            snprintf(ck->order_at_red[ck->n_at_red++], PW_NUMBER_MAX, "%s",
                     st->cars[i].driver.number);
            ck->stops_at_red[race_check_slot(st->cars[i].driver.number)] = st->cars[i].pit_stops;
        }
    } else if (strcmp(ev->text, "STANDING START") == 0 ||
               strcmp(ev->text, "RACE WILL RESUME BEHIND THE SAFETY CAR") == 0) {
        ck->standing = ev->text[0] == 'S';
        /* Every car still in the race waits in the pit lane... */
        ck->all_parked_at_restart = true;
        for (int i = 0; i < st->n_cars; i++) {
            const struct pw_car *c = &st->cars[i];
            ck->all_parked_at_restart &= c->retired || c->in_pit;
        }
    } else if (strcmp(ev->text, "GREEN LIGHT - PIT EXIT OPEN") == 0) {
        ck->phase = RESTARTED;
        ck->track_after = st->track;
        /* ... and restarts in the order it ran when the flag came out. */
        ck->order_kept = true;
        int k = 0;
        for (int i = 0; i < st->n_cars; i++) {
            const struct pw_car *c = &st->cars[i];
            if (c->retired)
                continue;
            while (k < ck->n_at_red && strcmp(ck->order_at_red[k], c->driver.number) != 0)
                k++; /* a car that retired meanwhile */
            if (k == ck->n_at_red)
                ck->order_kept = false;
        }
    }
}

static void on_event(void *ctx, const struct pw_event *ev)
{
    struct red_check *ck = ctx;
    const struct pw_race_state *st = ev->state;
    ck->hash = race_check_hash_event(ck->hash, ev);
    switch (ev->type) {
    case PW_EV_RACE_CONTROL:
        if (!race_note_is_damage(ev->text))
            on_note(ck, ev);
        break;
    case PW_EV_OVERTAKE:
        if (ck->phase == STOPPED)
            race_check_fail(&ck->failed, "an overtake under the red flag", ev);
        break;
    case PW_EV_PIT_IN:
        /* Stops of its own, from the flag to the first lap after the restart. */
        if (ck->phase == STOPPED || (ck->phase == RESTARTED && !ck->checked_after[race_check_slot(ev->car)]))
            ck->pitted_while_red[race_check_slot(ev->car)]++;
        break;
    case PW_EV_LAP_COMPLETED: {
        int n = race_check_slot(ev->car), i = pw_state_find_car(st, ev->car);
        if (ck->phase != RESTARTED || ck->checked_after[n] || i < 0)
            break;
        /* The first lap after the restart: on a new set, and no stop counted for it. */
        const struct pw_car *c = &st->cars[i];
        ck->checked_after[n] = true;
        if ((c->tyre_age != 1 || !c->tyre_new) && !ck->pitted_while_red[n])
            race_check_fail(&ck->failed, "no new set of tyres at the restart", ev);
        if (c->pit_stops != ck->stops_at_red[n] + ck->pitted_while_red[n])
            race_check_fail(&ck->failed, "the free tyre change counted as a stop", ev);
        ck->tyre_changes++;
        break;
    }
    case PW_EV_CLASSIFICATION:
        ck->classified = true;
        ck->picked_pos = pw_state_find_car(st, "16") + 1;
        const char *bad = race_check_classification(st);
        if (bad)
            race_check_fail(&ck->failed, bad, ev);
        for (int i = 0; i < st->n_cars; i++) {
            if (st->cars[i].laps > st->total_laps || st->cars[i].in_pit)
                race_check_fail(&ck->failed, "a car past the distance or still in the pit lane", ev);
        }
        if (st->cars[0].laps != st->total_laps)
            race_check_fail(&ck->failed, "the winner did not run the distance", ev);
        break;
    default:
        break;
    }
}

static void run(const struct race_sim_options *opt, struct red_check *ck, int64_t step)
{
    memset(ck, 0, sizeof *ck);
    ck->hash = RACE_CHECK_HASH_START;
    assert_int_equal(race_check_race(opt, step, on_event, ck, NULL), 1);
}

static void test_red_flag_races(void **state)
{
    const struct pw_grid *grid = *state;
    static const int laps[] = {0, 15, 30, 0};
    int n_circuits = race_circuit_count_builtin(), standing = 0;
    for (int seed = 1; seed <= 120; seed++) {
        struct race_circuit circuit;
        assert_int_equal(race_circuit_builtin_at(seed % n_circuits, &circuit), 0);
        struct race_sim_options opt = {.grid = grid,
                                       .circuit = &circuit,
                                       .seed = (uint64_t)seed * 104729,
                                       .laps = laps[seed % 4],
                                       .red_flag = true,
                                       .weather =
                                           seed % 5 == 0 ? RACE_WEATHER_RAIN : RACE_WEATHER_DRY,
                                       .selected_number = "16",
                                       .podium = seed % 2 == 1};
        struct red_check ck;
        run(&opt, &ck, 0);
        if (ck.failed.count)
            fail_msg("seed %d: %s", seed, ck.failed.why);
        assert_true(ck.classified);
        /* Rain races add their four weather notes; find the red flag's three in order. */
        int at = -1;
        for (int i = 0; i < ck.notes && i < 8; i++) {
            if (strcmp(ck.note[i], "RED FLAG") == 0)
                at = i;
        }
        /* (A weather note may come in between.) */
        int restart = -1, green = -1;
        for (int i = at + 1; at >= 0 && i < ck.notes && i < 8; i++) {
            if (restart < 0 && (strcmp(ck.note[i], "STANDING START") == 0 ||
                                strcmp(ck.note[i], "RACE WILL RESUME BEHIND THE SAFETY CAR") == 0))
                restart = i;
            if (restart >= 0 && green < 0 && strcmp(ck.note[i], "GREEN LIGHT - PIT EXIT OPEN") == 0)
                green = i;
        }
        if (at < 0 || restart < 0 || green != restart + 1)
            fail_msg("seed %d: the red flag's notes are missing or out of order", seed);
        assert_int_equal(ck.track_after, ck.standing ? PW_TRACK_GREEN : PW_TRACK_SC);
        standing += ck.standing;
        assert_true(ck.all_parked_at_restart);
        if (!ck.order_kept)
            fail_msg("seed %d: the order changed under the red flag", seed);
        assert_true(ck.tyre_changes >= grid->n - 8);
        if (opt.podium && ck.picked_pos > 3)
            fail_msg("seed %d: the picked driver finished P%d", seed, ck.picked_pos);
    }
    assert_in_range(standing, 30, 90);
}

static void test_red_flag_same_any_tick(void **state)
{
    struct race_circuit circuit;
    assert_int_equal(race_circuit_load_builtin("monaco", &circuit), 0);
    struct race_sim_options opt = {
        .grid = *state, .circuit = &circuit, .seed = 5, .red_flag = true};
    struct red_check a, b;
    run(&opt, &a, 0);
    run(&opt, &b, 700);
    assert_int_equal(a.hash, b.hash);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_red_flag_same_any_tick),
        cmocka_unit_test(test_red_flag_races),
    };
    return cmocka_run_group_tests(tests, race_check_grid_load, race_check_grid_free);
}
