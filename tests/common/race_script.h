/* race_script.h — the test races' one grid, and a script of race events built step by step
 * the way a race source does (state first, then the event that describes it): used by the
 * commentary and hub tests directly and by race_fixture.c for whole races. */
#ifndef PW_TESTS_RACE_SCRIPT_H
#define PW_TESTS_RACE_SCRIPT_H

#include "core/event.h"

/* Drivers of the test grid (real names and teams; racing numbers as the tests know them:
 * "1" Norris, "81" Piastri, "3" Verstappen, "16" Leclerc, ...). */
#define SCRIPT_GRID_MAX 20

struct race_script {
    struct pw_race_state state;
    struct pw_race_meta meta;
    struct pw_event ev;
};

/* The first `n_cars` drivers of the grid (at most SCRIPT_GRID_MAX) into st->cars, in grid
 * order, positions 1..n, medium tyres; sets st->n_cars. Returns the number filled. */
int script_grid_fill(struct pw_race_state *st, int n_cars);
/* A race of `n_cars` at Monza, 53 laps, with `picked` as the selected driver. */
void script_init(struct race_script *s, const char *race_id, const char *picked, int n_cars);
int script_index(const struct race_script *s, const char *number);
/* Prepares s->ev of `type` with state and meta attached. */
struct pw_event *script_event(struct race_script *s, enum pw_event_type type);
void script_renumber(struct race_script *s);
/* Car `number` passes the car directly ahead of it; returns the event (NULL if it leads or
 * is not in the race). */
struct pw_event *script_overtake(struct race_script *s, const char *number);
/* Moves car `number` to place `pos` (1-based) without an overtake event (pit cycle). */
void script_move(struct race_script *s, const char *number, int pos);
/* An event about car `number`, with its place. */
struct pw_event *script_car_event(struct race_script *s, enum pw_event_type type,
                                  const char *number);

#endif
