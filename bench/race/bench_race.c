/* bench_race — how long a whole simulated race takes as fast as possible.
 *
 *   bench_race [--races N] [--tick MS] [--laps N] [--circuit ID]
 *
 * Each race: 22 cars (the 2026 grid), the circuit's distance (Bahrain, 57 laps, by default),
 * a different seed, the picked driver in podium mode. Timed: race_sim_create (which also
 * runs the silent copy that measures duration_ms) plus advancing to the end, with every
 * event delivered to a callback; with --tick the race advances in steps of MS race-clock ms
 * and the state is read at every step, as the runner does. Prints min / median / max. */
#include "race/circuit.h"
#include "race/grid.h"
#include "race/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bench_count {
    long events;
    long checksum;
};

static void bench_event(void *ctx, const struct pw_event *ev)
{
    struct bench_count *c = ctx;
    c->events++;
    c->checksum += ev->state->cars[0].laps;
}

static double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int races = 200, laps = 0;
    long tick = 0;
    const char *circuit_id = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--races") == 0)
            races = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--tick") == 0)
            tick = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--laps") == 0)
            laps = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--circuit") == 0)
            circuit_id = argv[i + 1];
    }
    if (races < 1 || races > 100000) {
        fprintf(stderr, "bench_race: --races must be 1..100000\n");
        return 2;
    }
    struct pw_grid grid;
    struct race_circuit circuit;
    if (race_grid_load_builtin("2026", &grid) != 0 ||
        race_circuit_load_builtin(circuit_id, &circuit) != 0) {
        fprintf(stderr, "bench_race: no such grid or circuit\n");
        return 1;
    }
    double *ms = calloc((size_t)races, sizeof *ms);
    if (!ms)
        return 1;
    struct bench_count count = {0};
    for (int r = 0; r < races; r++) {
        struct race_sim_options opt = {.grid = &grid,
                                       .circuit = &circuit,
                                       .seed = (uint64_t)r + 1,
                                       .selected_number = grid.drivers[r % grid.n].number,
                                       .podium = true,
                                       .laps = laps};
        struct pw_source *src = NULL;
        double t0 = bench_now_ms();
        if (race_sim_create(&opt, &src) != 0) {
            fprintf(stderr, "bench_race: create failed\n");
            free(ms);
            return 1;
        }
        int rc = 0;
        if (tick > 0) {
            for (int64_t t = 0; rc == 0; t += tick) {
                rc = src->ops->advance(src, t, bench_event, &count);
                count.checksum += src->ops->state(src)->lap;
            }
        } else {
            rc = src->ops->advance(src, INT64_MAX / 4, bench_event, &count);
        }
        ms[r] = bench_now_ms() - t0;
        src->ops->destroy(src);
        if (rc != 1) {
            fprintf(stderr, "bench_race: race did not finish (%d)\n", rc);
            free(ms);
            return 1;
        }
    }
    qsort(ms, (size_t)races, sizeof *ms, bench_cmp);
    printf("bench_race: %d races, %s, %d laps, 22 cars, %s: per race min %.2f ms, "
           "median %.2f ms, max %.2f ms; %.0f events per race (checksum %ld)\n",
           races, circuit.id, laps ? laps : circuit.laps,
           tick ? "runner-style ticks" : "one advance to the end", ms[0], ms[races / 2],
           ms[races - 1], (double)count.events / races, count.checksum);
    if (tick)
        printf("bench_race: tick %ld ms\n", tick);
    free(ms);
    return 0;
}
