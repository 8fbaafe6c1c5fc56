/* Podium mode keeps its promise whatever the race brings: forced rain, rain with a red flag,
 * forced damage and forced penalties, over every circuit, 10-32 laps and Grand Prix
 * distance. Every race must end with the picked driver on the podium, but for the races
 * named in `known_off` (docs/RACE_MODEL.md, Podium mode, says why they are not yet kept):
 * any other race off the podium fails, and a named race that reaches it is reported so
 * that it can be struck off. */
#include "race/circuit.h"
#include "race/grid.h"
#include "race/sim.h"
#include "race_check.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Seeds per kind of race: 800, the probe's count that found the rain races off the podium
 * (the 17 rain and 13 rain-and-red-flag seeds it found off the podium with this mapping
 * are among them). */
#define PODIUM_SEEDS 800

/* The races not yet kept: a seed of one kind of race. */
struct known_off {
    const char *kind;
    uint64_t seed;
};

static const struct known_off known_off[] = {
    {"rain", 588},
    {"rain and a red flag", 598},
    {"penalties", 387},
};

static bool is_known_off(const char *kind, uint64_t seed)
{
    for (size_t i = 0; i < sizeof known_off / sizeof *known_off; i++) {
        if (known_off[i].seed == seed && strcmp(known_off[i].kind, kind) == 0)
            return true;
    }
    return false;
}

struct podium_check {
    const char *picked;
    int picked_place; /* 0 until the classification */
    const char *bad;  /* what race_check_classification found wrong */
};

static void on_event(void *ctx, const struct pw_event *ev)
{
    struct podium_check *ck = ctx;
    if (ev->type != PW_EV_CLASSIFICATION)
        return;
    ck->picked_place = pw_state_find_car(ev->state, ck->picked) + 1;
    ck->bad = race_check_classification(ev->state);
}

static struct pw_grid grid;

static int setup(void **state)
{
    (void)state;
    return race_grid_load_builtin("2026", &grid);
}

/* The picked driver's final place in the race of `seed` with the options of `kind`: circuit
 * `seed % circuits`, driver `seed % drivers` (the data files' order), 10 + `seed % 23` laps,
 * every tenth seed at Grand Prix distance. */
static int podium_place(const struct race_sim_options *kind, uint64_t seed)
{
    struct race_circuit circuit;
    struct race_sim_options opt = *kind;
    struct podium_check ck = {0};
    struct pw_source *src = NULL;
    assert_int_equal(
        race_circuit_builtin_at((int)(seed % (uint64_t)race_circuit_count_builtin()), &circuit), 0);
    opt.grid = &grid;
    opt.circuit = &circuit;
    opt.seed = seed;
    opt.selected_number = grid.drivers[seed % (uint64_t)grid.n].number;
    opt.podium = true;
    opt.laps = seed % 10 == 9 ? 0 : 10 + (int)(seed % 23);
    ck.picked = opt.selected_number;
    assert_int_equal(race_sim_create(&opt, &src), 0);
    int rc = race_check_drive(src, 0, on_event, &ck);
    src->ops->destroy(src);
    assert_int_equal(rc, 1);
    if (ck.bad)
        fail_msg("seed %llu: %s", (unsigned long long)seed, ck.bad);
    return ck.picked_place;
}

static void podium_always(const char *what, const struct race_sim_options *kind)
{
    int off = 0, known = 0, finish[4] = {0};
    for (uint64_t seed = 0; seed < PODIUM_SEEDS; seed++) {
        int place = podium_place(kind, seed);
        bool on_podium = place >= 1 && place <= 3;
        if (on_podium)
            finish[place]++;
        if (is_known_off(what, seed)) {
            known++;
            print_message("%s: seed %llu (known off the podium): P%d%s\n", what,
                          (unsigned long long)seed, place,
                          on_podium ? ", now on it: strike it off the list" : "");
            continue;
        }
        if (on_podium)
            continue;
        off++;
        print_error("%s: seed %llu, %d laps: picked driver P%d\n", what, (unsigned long long)seed,
                    seed % 10 == 9 ? 0 : 10 + (int)(seed % 23), place);
    }
    print_message("%s, %d races: P1 %d, P2 %d, P3 %d; %d known off the podium\n", what,
                  PODIUM_SEEDS, finish[1], finish[2], finish[3], known);
    assert_int_equal(off, 0);
}

static void test_podium_rain(void **state)
{
    (void)state;
    podium_always("rain", &(struct race_sim_options){.weather = RACE_WEATHER_RAIN});
}

static void test_podium_rain_red_flag(void **state)
{
    (void)state;
    podium_always("rain and a red flag",
                  &(struct race_sim_options){.weather = RACE_WEATHER_RAIN, .red_flag = true});
}

static void test_podium_damage(void **state)
{
    (void)state;
    podium_always("damage", &(struct race_sim_options){.damage = true});
}

static void test_podium_penalties(void **state)
{
    (void)state;
    podium_always("penalties", &(struct race_sim_options){.penalties = true});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_podium_rain),
        cmocka_unit_test(test_podium_rain_red_flag),
        cmocka_unit_test(test_podium_damage),
        cmocka_unit_test(test_podium_penalties),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
