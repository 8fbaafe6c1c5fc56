/* Damage and slow punctures in the simulator: contact noted in the live-timing feed's words,
 * a punctured car that stops for a new set or retires, a wing hanging off shown the
 * black-and-orange flag and repaired at a stop that still keeps the tyre rules, the picked
 * driver in podium mode never the one damaged, and without the option only the natural
 * rate. */
#include "race/circuit.h"
#include "race/sim.h"
#include "race_check.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define PICKED "16"

struct dmg_check {
    enum pw_damage damage[RACE_CHECK_NUMBERS]; /* as the state last showed it */
    bool puncture_open[RACE_CHECK_NUMBERS];
    int puncture_from_lap[RACE_CHECK_NUMBERS]; /* laps the car had done when it began */
    bool red_since[RACE_CHECK_NUMBERS];        /* a red flag came while it was open */
    bool flag_red[RACE_CHECK_NUMBERS];         /* a red flag came while flag_lap was set */
    int flag_lap[RACE_CHECK_NUMBERS];          /* black-and-orange flag: laps done then; -1 */
    int compounds[RACE_CHECK_NUMBERS];         /* bit per dry compound run */
    bool rain_tyres[RACE_CHECK_NUMBERS];
    char pending[8][2][PW_NUMBER_MAX]; /* contact noted, damage not yet seen */
    int n_pending;
    char collided[2][PW_NUMBER_MAX]; /* the stewards' collision: the culprit, the car ahead */
    bool collision_open;
    int collisions, collisions_damaged;
    int punctures, stopped, retired, limped, red_fixed, out_otherwise, contacts, flags, debris,
        wings_repaired, floors;
    bool picked_damaged;
    bool classified;
    uint64_t hash;
    struct race_check_failure failed;
};

/* Every car's damage as this event's state shows it, against what it showed before. */
static void on_state(struct dmg_check *ck, const struct pw_event *ev)
{
    const struct pw_race_state *st = ev->state;
    if (!st->damage_known)
        race_check_fail(&ck->failed, "a simulation that does not know damage", ev);
    for (int i = 0; i < st->n_cars; i++) {
        const struct pw_car *c = &st->cars[i];
        int n = race_check_slot(c->driver.number);
        enum pw_damage was = ck->damage[n], now = c->damage;
        if (st->track == PW_TRACK_RED && ck->puncture_open[n])
            ck->red_since[n] = true;
        if (st->track == PW_TRACK_RED && ck->flag_lap[n] >= 0)
            ck->flag_red[n] = true;
        if (now != PW_DAMAGE_NONE && strcmp(c->driver.number, PICKED) == 0)
            ck->picked_damaged = true;
        if (now != PW_DAMAGE_NONE && ck->collision_open &&
            (strcmp(ck->collided[0], c->driver.number) == 0 ||
             strcmp(ck->collided[1], c->driver.number) == 0)) {
            ck->collision_open = false;
            ck->collisions_damaged++;
        }
        for (int k = 0; now != PW_DAMAGE_NONE && k < ck->n_pending; k++) {
            if (strcmp(ck->pending[k][0], c->driver.number) == 0 ||
                strcmp(ck->pending[k][1], c->driver.number) == 0)
                memcpy(ck->pending[k], ck->pending[--ck->n_pending], sizeof ck->pending[k]);
        }
        if (now == PW_DAMAGE_PUNCTURE && was != PW_DAMAGE_PUNCTURE) {
            ck->punctures++;
            ck->puncture_open[n] = true;
            ck->puncture_from_lap[n] = c->laps;
            ck->red_since[n] = false;
        }
        if (was == PW_DAMAGE_PUNCTURE && now != PW_DAMAGE_PUNCTURE) {
            /* Gone only with a new set: a stop, or the red flag's free change. */
            bool own_stop = ev->type == PW_EV_PIT_OUT && strcmp(ev->car, c->driver.number) == 0;
            if (!own_stop && !ck->red_since[n])
                race_check_fail(&ck->failed, "a puncture gone without a new set", ev);
            ck->stopped += own_stop;
            ck->red_fixed += !own_stop;
            ck->puncture_open[n] = false;
        }
        if (was == PW_DAMAGE_FRONT_WING && now != PW_DAMAGE_FRONT_WING &&
            now != PW_DAMAGE_PUNCTURE) {
            ck->wings_repaired++;
            /* A red flag shown before the car could pit repairs it in the pit lane: the
             * black-and-orange flag is answered without a stop. */
            if (ck->flag_red[n])
                ck->flag_lap[n] = -1;
        }
        if (now == PW_DAMAGE_FLOOR && was != PW_DAMAGE_FLOOR)
            ck->floors++;
        if (was == PW_DAMAGE_FLOOR && now == PW_DAMAGE_NONE)
            race_check_fail(&ck->failed, "floor damage repaired", ev);
        ck->damage[n] = now;
    }
}

static void on_note(struct dmg_check *ck, const struct pw_event *ev)
{
    char a[PW_NUMBER_MAX], ta[8], b[PW_NUMBER_MAX], tb[8];
    const char *t = ev->text;
    const char *inc = strstr(t, "INCIDENT INVOLVING CARS ");
    if (inc) {
        if (sscanf(inc, "INCIDENT INVOLVING CARS %3[0-9] (%3[A-Z]) AND %3[0-9] (%3[A-Z]) NOTED", a,
                   ta, b, tb) != 4 ||
            strcmp(a, ev->car) != 0)
            race_check_fail(&ck->failed, "a contact note not in the feed's words or not naming its car", ev);
        else if (ck->n_pending < 8) {
            snprintf(ck->pending[ck->n_pending][0], PW_NUMBER_MAX, "%s", a);
            snprintf(ck->pending[ck->n_pending++][1], PW_NUMBER_MAX, "%s", b);
        }
        ck->contacts++;
    } else if (strncmp(t, "BLACK AND ORANGE FLAG FOR CAR ", 30) == 0) {
        int i = pw_state_find_car(ev->state, ev->car);
        /* Shown with the wing already damaged in the state (a puncture shows first). */
        if (i < 0 || ev->state->cars[i].damage == PW_DAMAGE_NONE ||
            ev->state->cars[i].damage == PW_DAMAGE_FLOOR)
            race_check_fail(&ck->failed, "black-and-orange flag without front-wing damage", ev);
        else {
            ck->flag_lap[race_check_slot(ev->car)] = ev->state->cars[i].laps;
            ck->flag_red[race_check_slot(ev->car)] = false;
        }
        ck->flags++;
    } else if (strncmp(t, "DEBRIS AT TURN ", 15) == 0) {
        ck->debris++;
    } else if (strstr(t, " NOTED - CAUSING A COLLISION")) {
        /* the stewards' collision (a race with penalties): the culprit ran into the car
         * ahead, and one of them at least is damaged */
        int i = pw_state_find_car(ev->state, ev->car);
        snprintf(ck->collided[0], PW_NUMBER_MAX, "%s", ev->car);
        snprintf(ck->collided[1], PW_NUMBER_MAX, "%s",
                 i > 0 ? ev->state->cars[i - 1].driver.number : "");
        ck->collision_open = true;
        ck->collisions++;
    }
}

static void on_event(void *ctx, const struct pw_event *ev)
{
    struct dmg_check *ck = ctx;
    const struct pw_race_state *st = ev->state;
    ck->hash = race_check_hash_event(ck->hash, ev);
    int n = race_check_slot(ev->car), i = ev->car[0] ? pw_state_find_car(st, ev->car) : -1;
    on_state(ck, ev);
    switch (ev->type) {
    case PW_EV_RACE_CONTROL:
        on_note(ck, ev);
        break;
    case PW_EV_RETIREMENT:
        if (strcmp(ev->text, PW_RETIRE_PUNCTURE) == 0) {
            if (!ck->puncture_open[n])
                race_check_fail(&ck->failed, "a retirement from a puncture the car did not have", ev);
            ck->retired++;
            ck->puncture_open[n] = false;
        }
        break;
    case PW_EV_PIT_IN:
        ck->flag_lap[n] = -1;
        break;
    case PW_EV_PIT_OUT:
        /* The repair stop fits a set like any other: the tyre rules still count it. */
        if (!race_check_slick(ev->tyre) && ev->tyre != PW_TYRE_INTER && ev->tyre != PW_TYRE_WET)
            race_check_fail(&ck->failed, "a stop without a set of tyres", ev);
        break;
    case PW_EV_LAP_COMPLETED:
        if (i >= 0) {
            const struct pw_car *c = &st->cars[i];
            if (race_check_slick(c->tyre))
                ck->compounds[n] |= 1 << c->tyre;
            else
                ck->rain_tyres[n] = true;
            /* The black-and-orange flag: in the pits by the end of the next lap. */
            if (ck->flag_lap[n] >= 0 && c->laps > ck->flag_lap[n] + 2 && !c->finished &&
                c->laps < st->total_laps - 1)
                race_check_fail(&ck->failed, "black-and-orange flag ignored", ev);
        }
        break;
    case PW_EV_CLASSIFICATION: {
        ck->classified = true;
        const char *bad = race_check_classification(st);
        if (bad)
            race_check_fail(&ck->failed, bad, ev);
        if (ck->n_pending)
            race_check_fail(&ck->failed, "a contact noted that damaged neither car", ev);
        for (int k = 0; k < st->n_cars; k++) {
            const struct pw_car *c = &st->cars[k];
            int m = race_check_slot(c->driver.number);
            /* A puncture still open at the end: only a car that had no stop left to make. */
            if (ck->puncture_open[m] && c->finished) {
                if (ck->puncture_from_lap[m] < st->total_laps - 3)
                    race_check_fail(&ck->failed, "a punctured car neither stopped nor retired", ev);
                ck->limped++;
            }
            ck->out_otherwise += ck->puncture_open[m] && c->retired;
            /* A Grand Prix finisher ran two dry compounds, nose stops or not. */
            if (c->finished && st->total_laps > 25 && !ck->rain_tyres[m] &&
                (ck->compounds[m] & (ck->compounds[m] - 1)) == 0)
                race_check_fail(&ck->failed, "a Grand Prix finisher on one dry compound", ev);
        }
        break;
    }
    default:
        break;
    }
}

static const struct pw_race_state *run(const struct race_sim_options *opt, struct dmg_check *ck,
                                       int64_t step, struct pw_source **src)
{
    memset(ck, 0, sizeof *ck);
    memset(ck->flag_lap, 0xff, sizeof ck->flag_lap);
    ck->hash = RACE_CHECK_HASH_START;
    assert_int_equal(race_check_race(opt, step, on_event, ck, src), 1);
    return (*src)->ops->state(*src);
}

static void test_forced_damage_races(void **state)
{
    static const int laps[] = {0, 12, 30, 0, 20};
    int n_circuits = race_circuit_count_builtin();
    int punctures = 0, stopped = 0, retired = 0, flags = 0, floors = 0, repaired = 0, debris = 0;
    int with_puncture = 0, collisions = 0, collisions_damaged = 0;
    for (int seed = 1; seed <= 120; seed++) {
        struct race_circuit circuit;
        assert_int_equal(race_circuit_builtin_at(seed % n_circuits, &circuit), 0);
        struct race_sim_options opt = {.grid = *state,
                                       .circuit = &circuit,
                                       .seed = (uint64_t)seed * 104729,
                                       .laps = laps[seed % 5],
                                       .damage = true,
                                       .red_flag = seed % 9 == 0,
                                       .penalties = seed % 4 == 0,
                                       .weather =
                                           seed % 6 == 0 ? RACE_WEATHER_RAIN : RACE_WEATHER_DRY,
                                       .selected_number = PICKED,
                                       .podium = seed % 2 == 1};
        static struct dmg_check ck;
        struct pw_source *src = NULL;
        const struct pw_race_state *st = run(&opt, &ck, 0, &src);
        int pos = pw_state_find_car(st, PICKED) + 1;
        bool finished = st->cars[pos - 1].finished;
        src->ops->destroy(src);
        if (ck.failed.count)
            fail_msg("seed %d: %s", seed, ck.failed.why);
        assert_true(ck.classified);
        if (ck.contacts < 1)
            fail_msg("seed %d: no contact in a race with damage forced", seed);
        if (opt.podium && (ck.picked_damaged || !finished || pos > 3))
            fail_msg("seed %d: the picked driver damaged (%d) or finished P%d", seed,
                     ck.picked_damaged, pos);
        /* Every puncture ends in a stop, a retirement, or a car limping to the flag. */
        if (ck.punctures != ck.stopped + ck.retired + ck.limped + ck.red_fixed + ck.out_otherwise)
            fail_msg("seed %d: %d punctures, %d stopped, %d retired, %d limped, %d at a red flag, "
                     "%d out otherwise",
                     seed, ck.punctures, ck.stopped, ck.retired, ck.limped, ck.red_fixed,
                     ck.out_otherwise);
        with_puncture += ck.punctures > 0;
        punctures += ck.punctures;
        stopped += ck.stopped;
        retired += ck.retired;
        flags += ck.flags;
        floors += ck.floors;
        repaired += ck.wings_repaired;
        debris += ck.debris;
        collisions += ck.collisions;
        collisions_damaged += ck.collisions_damaged;
    }
    print_message("120 races: %d punctures (%d stopped, %d retired), %d debris notes, %d "
                  "black-and-orange flags, %d wings repaired, %d floors\n",
                  punctures, stopped, retired, debris, flags, repaired, floors);
    assert_true(with_puncture >= 108); /* the planned one, unless its car was out by then */
    assert_true(debris >= 108);
    assert_true(stopped >= punctures / 2);
    assert_true(retired >= 3);
    assert_true(flags >= 30);
    assert_true(repaired >= 60);
    assert_true(floors >= 20);
    /* The stewards' collisions damage a car, unless both were in the pit lane (or the culprit
     * led, with nobody ahead). */
    print_message("%d of %d penalised collisions damaged a car\n", collisions_damaged, collisions);
    assert_true(collisions >= 20);
    assert_true(collisions_damaged * 10 >= collisions * 8);
}

/* The same race however the clock is sliced. */
static void test_same_race_any_tick(void **state)
{
    static struct dmg_check a, b;
    struct race_sim_options opt = {.grid = *state, .seed = 77, .laps = 30, .damage = true};
    struct pw_source *src = NULL;
    run(&opt, &a, 0, &src);
    src->ops->destroy(src);
    run(&opt, &b, 700, &src);
    src->ops->destroy(src);
    assert_true(a.contacts >= 1);
    assert_true(a.hash == b.hash);
}

/* Without the option: the natural rate only, and none of the planned items. */
static void test_natural_rate(void **state)
{
    int n_circuits = race_circuit_count_builtin(), natural = 0, forced = 0, gp = 0;
    for (int seed = 1; seed <= 100; seed++) {
        struct race_circuit circuit;
        assert_int_equal(race_circuit_builtin_at(seed % n_circuits, &circuit), 0);
        static struct dmg_check ck;
        struct pw_source *src = NULL;
        struct race_sim_options opt = {
            .grid = *state, .circuit = &circuit, .seed = (uint64_t)seed * 31337};
        run(&opt, &ck, 0, &src);
        src->ops->destroy(src);
        if (ck.failed.count)
            fail_msg("seed %d: %s", seed, ck.failed.why);
        natural += ck.contacts + ck.debris;
        gp++;
        opt.damage = true;
        run(&opt, &ck, 0, &src);
        src->ops->destroy(src);
        forced += ck.contacts + ck.debris;
    }
    print_message("%d Grands Prix: %d damage incidents without the option, %d with it\n", gp,
                  natural, forced);
    /* About 1.4 incidents a Grand Prix by itself (half of them first-lap front wings), two more
     * when forced. */
    assert_in_range(natural, 80, 200);
    assert_true(forced >= natural + 150);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forced_damage_races),
        cmocka_unit_test(test_same_race_any_tick),
        cmocka_unit_test(test_natural_rate),
    };
    return cmocka_run_group_tests(tests, race_check_grid_load, race_check_grid_free);
}
