/* race_sim_dump — runs simulated races as fast as possible and prints their events as JSON
 * lines, one object per event (positions ticks excluded), for tools/realism/realism.py and
 * for looking at a race by eye.
 *
 *   race_sim_dump [--seed N] [--races K] [--circuit ID] [--laps N] [--grid NAME|FILE]
 *                 [--driver NUMBER] [--podium 0|1] [--weather dry|auto|rain]
 *                 [--red-flag 0|1] [--penalties 0|1] [--damage 0|1]
 *
 * K races use seeds N, N+1, ... Each line carries "seed" so the races can be told apart. */
#include "race/circuit.h"
#include "race/grid.h"
#include "race/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dump_ctx {
    uint64_t seed;
};

static void dump_classification(const struct pw_race_state *st)
{
    printf(",\"cars\":[");
    for (int i = 0; i < st->n_cars; i++) {
        const struct pw_car *c = &st->cars[i];
        printf("%s{\"number\":\"%s\",\"position\":%d,\"laps\":%d,\"gap_ms\":%lld,"
               "\"gap_laps\":%d,\"pit_stops\":%d,\"retired\":%s,\"finished\":%s}",
               i ? "," : "", c->driver.number, c->position, c->laps, (long long)c->gap_ms,
               c->gap_laps, c->pit_stops, c->retired ? "true" : "false",
               c->finished ? "true" : "false");
    }
    printf("]");
}

static void dump_event(void *ctx, const struct pw_event *ev)
{
    const struct dump_ctx *d = ctx;
    printf("{\"seed\":%llu,\"type\":\"%s\",\"race_ms\":%lld,\"lap\":%d,\"car\":\"%s\","
           "\"other\":\"%s\",\"position\":%d,\"tyre\":\"%s\",\"track\":\"%s\",\"lap_ms\":%lld",
           (unsigned long long)d->seed, pw_event_type_name(ev->type), (long long)ev->race_ms,
           ev->lap, ev->car, ev->other, ev->position, pw_tyre_name(ev->tyre),
           pw_track_name(ev->state->track), (long long)ev->lap_ms);
    if (ev->type == PW_EV_LAP_COMPLETED) {
        int i = pw_state_find_car(ev->state, ev->car);
        printf(",\"in_pit\":%s,\"pit_stops\":%d", ev->state->cars[i].in_pit ? "true" : "false",
               ev->state->cars[i].pit_stops);
    }
    if (ev->state->weather_known)
        printf(",\"raining\":%s,\"wetness\":%d", ev->state->raining ? "true" : "false",
               ev->state->track_wetness);
    if (ev->type == PW_EV_RACE_CONTROL)
        printf(",\"text\":\"%s\"", ev->text);
    if (ev->type == PW_EV_CLASSIFICATION)
        dump_classification(ev->state);
    printf("}\n");
}

static int dump_usage(void)
{
    fprintf(stderr, "usage: race_sim_dump [--seed N] [--races K] [--circuit ID] [--laps N] "
                    "[--grid NAME|FILE] [--driver NUMBER] [--podium 0|1] "
                    "[--weather dry|auto|rain] [--red-flag 0|1] "
                    "[--penalties 0|1] [--damage 0|1]\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct pw_grid grid;
    struct race_circuit circuit;
    struct race_sim_options opt = {0};
    const char *circuit_id = NULL, *grid_name = "2026";
    unsigned long long seed = 1, races = 1;
    char err[256];
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return dump_usage();
        if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(v, NULL, 10);
        else if (strcmp(argv[i], "--races") == 0)
            races = strtoull(v, NULL, 10);
        else if (strcmp(argv[i], "--circuit") == 0)
            circuit_id = v;
        else if (strcmp(argv[i], "--laps") == 0)
            opt.laps = atoi(v);
        else if (strcmp(argv[i], "--grid") == 0)
            grid_name = v;
        else if (strcmp(argv[i], "--driver") == 0)
            opt.selected_number = v;
        else if (strcmp(argv[i], "--podium") == 0)
            opt.podium = atoi(v) != 0;
        else if (strcmp(argv[i], "--penalties") == 0)
            opt.penalties = atoi(v) != 0;
        else if (strcmp(argv[i], "--damage") == 0)
            opt.damage = atoi(v) != 0;
        else if (strcmp(argv[i], "--red-flag") == 0)
            opt.red_flag = atoi(v) != 0;
        else if (strcmp(argv[i], "--weather") == 0) {
            if (race_weather_mode_parse(v, &opt.weather) != 0)
                return dump_usage();
        }
        else
            return dump_usage();
        i++;
    }
    if (race_grid_load_builtin(grid_name, &grid) != 0 &&
        race_grid_load_file(grid_name, &grid, err, sizeof err) != 0) {
        fprintf(stderr, "race_sim_dump: %s\n", err);
        return 1;
    }
    if (race_circuit_load_builtin(circuit_id, &circuit) != 0) {
        fprintf(stderr, "race_sim_dump: no circuit \"%s\"\n", circuit_id);
        return 1;
    }
    opt.grid = &grid;
    opt.circuit = &circuit;
    for (unsigned long long r = 0; r < races && rc == 0; r++) {
        struct pw_source *src = NULL;
        struct dump_ctx ctx = {.seed = seed + r};
        opt.seed = seed + r;
        rc = race_sim_create(&opt, &src);
        if (rc != 0) {
            fprintf(stderr, "race_sim_dump: cannot create the race (%d)\n", rc);
            return 1;
        }
        while ((rc = src->ops->advance(src, src->ops->duration_ms(src) + 600000, dump_event,
                                       &ctx)) == 0) {
        }
        rc = rc == 1 ? 0 : rc;
        src->ops->destroy(src);
    }
    return rc == 0 ? 0 : 1;
}
