/* race_script.h — builds scripted race events for the commentary tests: a grid with real
 * names, a state kept in running order, and helpers that move cars and emit the matching
 * events the way a race source does (state first, then the event that describes it). */
#ifndef PW_TESTS_RACE_SCRIPT_H
#define PW_TESTS_RACE_SCRIPT_H

#include "core/event.h"

#include <stdio.h>
#include <string.h>

struct race_script {
    struct pw_race_state state;
    struct pw_race_meta meta;
    struct pw_event ev;
};

static const char *const script_grid[][3] = {
    {"1", "Lando Norris", "McLaren"},
    {"81", "Oscar Piastri", "McLaren"},
    {"3", "Max Verstappen", "Red Bull"},
    {"16", "Charles Leclerc", "Ferrari"},
    {"44", "Lewis Hamilton", "Ferrari"},
    {"63", "George Russell", "Mercedes"},
    {"12", "Andrea Kimi Antonelli", "Mercedes"},
    {"14", "Fernando Alonso", "Aston Martin"},
    {"55", "Carlos Sainz", "Williams"},
    {"23", "Alexander Albon", "Williams"},
};

static inline void script_init(struct race_script *s, const char *race_id, const char *picked,
                               int n_cars)
{
    memset(s, 0, sizeof *s);
    int max = (int)(sizeof script_grid / sizeof script_grid[0]);
    s->state.n_cars = n_cars > max ? max : n_cars;
    for (int i = 0; i < s->state.n_cars; i++) {
        struct pw_car *c = &s->state.cars[i];
        snprintf(c->driver.number, sizeof c->driver.number, "%s", script_grid[i][0]);
        snprintf(c->driver.name, sizeof c->driver.name, "%s", script_grid[i][1]);
        snprintf(c->driver.team, sizeof c->driver.team, "%s", script_grid[i][2]);
        c->position = i + 1;
        c->tyre = PW_TYRE_MEDIUM;
        c->interval_ms = i ? 1200 : 0;
    }
    s->state.total_laps = 53;
    s->state.lap = 0;
    snprintf(s->state.circuit, sizeof s->state.circuit, "Monza");
    snprintf(s->meta.race_id, sizeof s->meta.race_id, "%s", race_id);
    snprintf(s->meta.selected_number, sizeof s->meta.selected_number, "%s", picked);
    snprintf(s->meta.title, sizeof s->meta.title, "Monza, 53 laps");
    s->meta.total_laps = 53;
}

static inline int script_index(const struct race_script *s, const char *number)
{
    return pw_state_find_car(&s->state, number);
}

/* Prepares s->ev of `type` with state and meta attached. */
static inline struct pw_event *script_event(struct race_script *s, enum pw_event_type type)
{
    memset(&s->ev, 0, sizeof s->ev);
    s->ev.type = type;
    snprintf(s->ev.race_id, sizeof s->ev.race_id, "%s", s->meta.race_id);
    s->ev.lap = s->state.lap;
    s->ev.race_ms = s->state.race_ms;
    s->ev.state = &s->state;
    s->ev.meta = &s->meta;
    return &s->ev;
}

static inline void script_renumber(struct race_script *s)
{
    for (int i = 0; i < s->state.n_cars; i++)
        s->state.cars[i].position = i + 1;
}

/* Car `number` passes the car directly ahead of it; returns the event. */
static inline struct pw_event *script_overtake(struct race_script *s, const char *number)
{
    int i = script_index(s, number);
    if (i <= 0)
        return NULL;
    struct pw_car tmp = s->state.cars[i - 1];
    s->state.cars[i - 1] = s->state.cars[i];
    s->state.cars[i] = tmp;
    script_renumber(s);
    struct pw_event *ev = script_event(s, PW_EV_OVERTAKE);
    snprintf(ev->car, sizeof ev->car, "%s", number);
    snprintf(ev->other, sizeof ev->other, "%s", s->state.cars[i].driver.number);
    ev->position = i;
    return ev;
}

/* Moves car `number` to place `pos` (1-based) without an overtake event (pit cycle). */
static inline void script_move(struct race_script *s, const char *number, int pos)
{
    int i = script_index(s, number);
    struct pw_car car = s->state.cars[i];
    memmove(&s->state.cars[i], &s->state.cars[i + 1],
            (size_t)(s->state.n_cars - i - 1) * sizeof car);
    memmove(&s->state.cars[pos], &s->state.cars[pos - 1],
            (size_t)(s->state.n_cars - pos) * sizeof car);
    s->state.cars[pos - 1] = car;
    script_renumber(s);
}

static inline struct pw_event *script_car_event(struct race_script *s, enum pw_event_type type,
                                                const char *number)
{
    struct pw_event *ev = script_event(s, type);
    snprintf(ev->car, sizeof ev->car, "%s", number);
    int i = script_index(s, number);
    ev->position = i >= 0 ? i + 1 : 0;
    return ev;
}

#endif
