/* Penalties in the simulator: the stewards' notes in the live-timing feed's words, track
 * limits up to the black-and-white flag and a penalty, time penalties served at the next
 * stop or added at the end (the classification is by race time), a drive-through served
 * without a change of tyres, and the picked driver never penalised. */
#include "race/circuit.h"
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


struct pen_check {
    int owed[RACE_CHECK_NUMBERS]; /* seconds owed by the notes */
    int deleted[RACE_CHECK_NUMBERS];
    bool black_white[RACE_CHECK_NUMBERS];
    bool dt_due[RACE_CHECK_NUMBERS];
    bool dt_in_lane[RACE_CHECK_NUMBERS];
    int64_t finish_ms[RACE_CHECK_NUMBERS]; /* crossing the line at the flag */
    int laps[RACE_CHECK_NUMBERS];
    enum pw_tyre tyre_before_dt[RACE_CHECK_NUMBERS];
    int time_penalties, served, added, drive_throughs, dt_served, unsafe, flags;
    bool changed_order;
    int picked_notes;
    bool classified;
    struct race_check_failure failed;
};

/* "CAR 44 (HAM)" names the event's car. */
static bool names_car(const struct pw_event *ev)
{
    char want[16];
    snprintf(want, sizeof want, "CAR %s (", ev->car);
    return ev->car[0] && strstr(ev->text, want) != NULL;
}

static void on_note(struct pen_check *ck, const struct pw_event *ev)
{
    const char *t = ev->text;
    int n = race_check_slot(ev->car), secs = 0;
    if (!ev->car[0] || race_note_is_damage(t))
        return; /* the red flag's notes, in the races that have one; damage's */
    if (!names_car(ev))
        race_check_fail(&ck->failed, "a note that does not name its car", ev);
    if (strcmp(ev->car, "16") == 0)
        ck->picked_notes++;
    if (strstr(t, " DELETED - TRACK LIMITS AT TURN ")) {
        ck->deleted[n]++;
    } else if (strncmp(t, "BLACK AND WHITE FLAG FOR ", 25) == 0) {
        if (ck->deleted[n] != 3)
            race_check_fail(&ck->failed, "black and white flag not at the third deletion", ev);
        ck->black_white[n] = true;
        ck->flags++;
    } else if (strncmp(t, "FIA STEWARDS: PENALTY SERVED - DRIVE THROUGH", 44) == 0) {
        if (!ck->dt_due[n])
            race_check_fail(&ck->failed, "a drive-through served that was not given", ev);
        ck->dt_due[n] = false;
        ck->dt_in_lane[n] = true;
        ck->dt_served++;
    } else if (sscanf(t, "FIA STEWARDS: PENALTY SERVED - %d SECOND TIME PENALTY", &secs) == 1) {
        ck->owed[n] -= secs;
        ck->served++;
        if (ck->owed[n] < 0)
            race_check_fail(&ck->failed, "more served than owed", ev);
    } else if (sscanf(t, "FIA STEWARDS: %d SECOND TIME PENALTY FOR", &secs) == 1) {
        if (secs != 5 && secs != 10)
            race_check_fail(&ck->failed, "a time penalty of neither 5 nor 10 s", ev);
        if (strstr(t, "TRACK LIMITS") && ck->deleted[n] != 4)
            race_check_fail(&ck->failed, "track-limits penalty not at the fourth deletion", ev);
        ck->unsafe += strstr(t, "UNSAFE RELEASE") != NULL;
        ck->owed[n] += secs;
        ck->time_penalties++;
    } else if (strncmp(t, "FIA STEWARDS: DRIVE THROUGH PENALTY FOR ", 40) == 0) {
        ck->dt_due[n] = true;
        ck->drive_throughs++;
    } else if (strstr(t, " SECONDS ADDED TO RACE TIME")) {
        ck->added++;
    } else if (!strstr(t, " NOTED - ")) {
        race_check_fail(&ck->failed, "an unknown note", ev);
    }
}

static void on_event(void *ctx, const struct pw_event *ev)
{
    struct pen_check *ck = ctx;
    const struct pw_race_state *st = ev->state;
    int n = race_check_slot(ev->car), i = ev->car[0] ? pw_state_find_car(st, ev->car) : -1;
    switch (ev->type) {
    case PW_EV_RACE_CONTROL:
        on_note(ck, ev);
        break;
    case PW_EV_PIT_IN:
        if (i >= 0)
            ck->tyre_before_dt[n] = st->cars[i].tyre;
        break;
    case PW_EV_PIT_OUT:
        /* A drive-through changes no tyres. */
        if (ck->dt_in_lane[n] && ev->tyre != ck->tyre_before_dt[n])
            race_check_fail(&ck->failed, "tyres changed on a drive-through", ev);
        ck->dt_in_lane[n] = false;
        break;
    case PW_EV_LAP_COMPLETED:
        if (i >= 0 && st->cars[i].finished) {
            ck->finish_ms[n] = ev->race_ms;
            ck->laps[n] = st->cars[i].laps;
        }
        /* The state shows what is owed. */
        if (i >= 0 &&
            (st->cars[i].penalty_s != ck->owed[n] ||
             st->cars[i].black_white != ck->black_white[n]) &&
            !st->cars[i].finished)
            race_check_fail(&ck->failed, "the state's penalty fields disagree with the notes", ev);
        break;
    case PW_EV_CLASSIFICATION: {
        ck->classified = true;
        /* Finishers by laps, then by race time with what was still owed (a drive-through
         * not served: 20 s). */
        const char *bad = race_check_classification(st);
        if (bad)
            race_check_fail(&ck->failed, bad, ev);
        int64_t prev = 0;
        int prev_laps = 1 << 30;
        for (int k = 0; k < st->n_cars; k++) {
            const struct pw_car *c = &st->cars[k];
            int m = race_check_slot(c->driver.number);
            if (!c->finished)
                continue;
            int64_t t =
                ck->finish_ms[m] + (int64_t)ck->owed[m] * 1000 + (ck->dt_due[m] ? 20000 : 0);
            if (c->laps > prev_laps || (c->laps == prev_laps && t < prev))
                race_check_fail(&ck->failed, "finishers not in order of race time", ev);
            if (k > 0 && st->cars[k - 1].finished &&
                ck->finish_ms[race_check_slot(st->cars[k - 1].driver.number)] > ck->finish_ms[m] &&
                st->cars[k - 1].laps == c->laps)
                ck->changed_order = true;
            prev = t;
            prev_laps = c->laps;
        }
        break;
    }
    default:
        break;
    }
}

static void test_penalty_races(void **state)
{
    static const int laps[] = {0, 20, 30, 0};
    int n_circuits = race_circuit_count_builtin(), changed = 0, added = 0, served = 0;
    for (int seed = 1; seed <= 100; seed++) {
        struct race_circuit circuit;
        assert_int_equal(race_circuit_builtin_at(seed % n_circuits, &circuit), 0);
        struct race_sim_options opt = {.grid = *state,
                                       .circuit = &circuit,
                                       .seed = (uint64_t)seed * 7907,
                                       .laps = laps[seed % 4],
                                       .penalties = true,
                                       .red_flag = seed % 7 == 0,
                                       .selected_number = "16",
                                       .podium = seed % 2 == 1};
        struct pw_source *src = NULL;
        static struct pen_check ck;
        memset(&ck, 0, sizeof ck);
        assert_int_equal(race_check_race(&opt, 0, on_event, &ck, &src), 1);
        bool finished16 = false;
        int pos16 = pw_state_find_car(src->ops->state(src), "16") + 1;
        finished16 = src->ops->state(src)->cars[pos16 - 1].finished;
        src->ops->destroy(src);
        if (ck.failed.count)
            fail_msg("seed %d: %s", seed, ck.failed.why);
        assert_true(ck.classified);
        assert_true(ck.flags >= 1); /* the car with four deletions at least */
        assert_true(ck.time_penalties >= 1);
        assert_true(ck.drive_throughs <= 1);
        assert_true(ck.unsafe <= 1);
        if (opt.podium) {
            assert_int_equal(ck.picked_notes, 0);
            if (!finished16 || pos16 > 3)
                fail_msg("seed %d: the picked driver finished P%d", seed, pos16);
        }
        changed += ck.changed_order;
        added += ck.added;
        served += ck.served;
    }
    /* Penalties owed at the flag change the classification in some races; others are
     * served at stops. */
    assert_true(added >= 20);
    assert_true(changed >= 5);
    assert_true(served >= 20);
}

/* A race without the stewards is the race it always was. */
static void test_no_penalties_by_default(void **state)
{
    struct race_sim_options opt = {.grid = *state, .seed = 99};
    struct pw_source *src = NULL;
    static struct pen_check ck;
    memset(&ck, 0, sizeof ck);
    assert_int_equal(race_check_race(&opt, 0, on_event, &ck, &src), 1);
    assert_false(src->ops->state(src)->penalties_known);
    src->ops->destroy(src);
    assert_int_equal(ck.time_penalties + ck.flags + ck.drive_throughs + ck.added, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_penalties_by_default),
        cmocka_unit_test(test_penalty_races),
    };
    return cmocka_run_group_tests(tests, race_check_grid_load, race_check_grid_free);
}
