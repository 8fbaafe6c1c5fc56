#include "race_script.h"

#include <stdio.h>
#include <string.h>

/* number, TLA, name, team, team colour */
static const char *const script_grid[SCRIPT_GRID_MAX][5] = {
    {"1", "NOR", "Lando Norris", "McLaren", "#F47600"},
    {"81", "PIA", "Oscar Piastri", "McLaren", "#F47600"},
    {"3", "VER", "Max Verstappen", "Red Bull", "#4781D7"},
    {"16", "LEC", "Charles Leclerc", "Ferrari", "#ED1131"},
    {"44", "HAM", "Lewis Hamilton", "Ferrari", "#ED1131"},
    {"63", "RUS", "George Russell", "Mercedes", "#00D7B6"},
    {"12", "ANT", "Andrea Kimi Antonelli", "Mercedes", "#00D7B6"},
    {"14", "ALO", "Fernando Alonso", "Aston Martin", "#229971"},
    {"55", "SAI", "Carlos Sainz", "Williams", "#1868DB"},
    {"23", "ALB", "Alexander Albon", "Williams", "#1868DB"},
    {"18", "STR", "Lance Stroll", "Aston Martin", "#229971"},
    {"10", "GAS", "Pierre Gasly", "Alpine", "#00A1E8"},
    {"43", "COL", "Franco Colapinto", "Alpine", "#00A1E8"},
    {"27", "HUL", "Nico Hulkenberg", "Sauber", "#01C00E"},
    {"5", "BOR", "Gabriel Bortoleto", "Sauber", "#01C00E"},
    {"31", "OCO", "Esteban Ocon", "Haas", "#9C9FA2"},
    {"87", "BEA", "Oliver Bearman", "Haas", "#9C9FA2"},
    {"30", "LAW", "Liam Lawson", "Racing Bulls", "#6C98FF"},
    {"6", "HAD", "Isack Hadjar", "Racing Bulls", "#6C98FF"},
    {"22", "TSU", "Yuki Tsunoda", "Red Bull", "#4781D7"},
};

int script_grid_fill(struct pw_race_state *st, int n_cars)
{
    st->n_cars = n_cars < 0 ? 0 : n_cars > SCRIPT_GRID_MAX ? SCRIPT_GRID_MAX : n_cars;
    for (int i = 0; i < st->n_cars; i++) {
        struct pw_car *c = &st->cars[i];
        memset(c, 0, sizeof *c);
        snprintf(c->driver.number, sizeof c->driver.number, "%s", script_grid[i][0]);
        snprintf(c->driver.tla, sizeof c->driver.tla, "%s", script_grid[i][1]);
        snprintf(c->driver.name, sizeof c->driver.name, "%s", script_grid[i][2]);
        snprintf(c->driver.team, sizeof c->driver.team, "%s", script_grid[i][3]);
        snprintf(c->driver.team_color, sizeof c->driver.team_color, "%s", script_grid[i][4]);
        c->position = i + 1;
        c->tyre = PW_TYRE_MEDIUM;
    }
    return st->n_cars;
}

void script_init(struct race_script *s, const char *race_id, const char *picked, int n_cars)
{
    memset(s, 0, sizeof *s);
    script_grid_fill(&s->state, n_cars);
    for (int i = 1; i < s->state.n_cars; i++)
        s->state.cars[i].interval_ms = 1200;
    s->state.total_laps = 53;
    s->state.lap = 0;
    snprintf(s->state.circuit, sizeof s->state.circuit, "Monza");
    snprintf(s->meta.race_id, sizeof s->meta.race_id, "%s", race_id);
    snprintf(s->meta.selected_number, sizeof s->meta.selected_number, "%s", picked);
    snprintf(s->meta.title, sizeof s->meta.title, "Monza, 53 laps");
    s->meta.total_laps = 53;
}

int script_index(const struct race_script *s, const char *number)
{
    return pw_state_find_car(&s->state, number);
}

struct pw_event *script_event(struct race_script *s, enum pw_event_type type)
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

void script_renumber(struct race_script *s)
{
    for (int i = 0; i < s->state.n_cars; i++)
        s->state.cars[i].position = i + 1;
}

struct pw_event *script_overtake(struct race_script *s, const char *number)
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

void script_move(struct race_script *s, const char *number, int pos)
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

struct pw_event *script_car_event(struct race_script *s, enum pw_event_type type,
                                  const char *number)
{
    struct pw_event *ev = script_event(s, type);
    snprintf(ev->car, sizeof ev->car, "%s", number);
    int i = script_index(s, number);
    ev->position = i >= 0 ? i + 1 : 0;
    return ev;
}
