/* Podium mode keeps its promise whatever the race brings: forced rain, rain with a red flag,
 * forced damage, forced penalties and all of them at once, over every circuit, 10-32 laps and
 * Grand Prix distance. Every race must end with the picked driver on the podium. */
#include "race/circuit.h"
#include "race/grid.h"
#include "race/sim.h"
#include "race_check.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Seeds per kind of race: 0-799, where an earlier probe found 17 rain and 13 rain-and-red-
 * flag races off the podium. PW_PODIUM_SEEDS=FIRST:END runs seeds FIRST..END-1 instead, for
 * a wider sweep by hand (docs/RACE_MODEL.md, Podium mode). */
#define PODIUM_SEEDS 800

struct seed_range {
    uint64_t first, end;
};

static struct seed_range seeds = {0, PODIUM_SEEDS};

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
    const char *range = getenv("PW_PODIUM_SEEDS");
    if (range) {
        char *end = NULL;
        seeds.first = strtoull(range, &end, 10);
        if (*end == ':')
            seeds.end = strtoull(end + 1, &end, 10);
        if (end == range || *end || seeds.end <= seeds.first) {
            fprintf(stderr, "PW_PODIUM_SEEDS=%s: expected FIRST:END with FIRST < END\n", range);
            return -1;
        }
    }
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
    int off = 0, finish[4] = {0};
    for (uint64_t seed = seeds.first; seed < seeds.end; seed++) {
        int place = podium_place(kind, seed);
        if (place >= 1 && place <= 3) {
            finish[place]++;
            continue;
        }
        off++;
        print_error("%s: seed %llu, %d laps: picked driver P%d\n", what, (unsigned long long)seed,
                    seed % 10 == 9 ? 0 : 10 + (int)(seed % 23), place);
    }
    print_message("%s, seeds %llu-%llu: P1 %d, P2 %d, P3 %d\n", what,
                  (unsigned long long)seeds.first, (unsigned long long)seeds.end - 1, finish[1],
                  finish[2], finish[3]);
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

static void test_podium_everything(void **state)
{
    (void)state;
    podium_always(
        "rain, a red flag, damage and penalties",
        &(struct race_sim_options){
            .weather = RACE_WEATHER_RAIN, .red_flag = true, .damage = true, .penalties = true});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_podium_rain),       cmocka_unit_test(test_podium_rain_red_flag),
        cmocka_unit_test(test_podium_damage),     cmocka_unit_test(test_podium_penalties),
        cmocka_unit_test(test_podium_everything),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
