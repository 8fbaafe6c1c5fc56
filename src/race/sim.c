/* sim.c — the simulator as a race source: creation, the discrete-event loop and emitting.
 *
 * Everything that happens is a "happening" at a race-clock millisecond: a car crossing a
 * timing line, entering or leaving the pits, retiring; an incident; a status timer. The
 * loop always takes the earliest (ties: status first, then by car id), so the order of
 * happenings, and with it the order of random draws, never depends on how the runner
 * slices the clock. */
#include "race/sim_internal.h"

#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sim_what {
    SIM_NONE,
    SIM_TIMER,
    SIM_RED,
    SIM_PENALTY,
    SIM_DAMAGE,
    SIM_WEATHER,
    SIM_INCIDENT,
    SIM_RETIRE,
    SIM_PIT,
    SIM_LINE
};

void sim_emit(struct sim *s, enum pw_event_type type, const struct sim_car *car,
              const struct sim_car *other, int position)
{
    sim_emit_text(s, type, car, other, position, NULL);
}

void sim_emit_text(struct sim *s, enum pw_event_type type, const struct sim_car *car,
                   const struct sim_car *other, int position, const char *text)
{
    if (!s->emit)
        return;
    struct pw_event ev;
    memset(&ev, 0, sizeof ev);
    sim_state_refresh(s);
    ev.type = type;
    ev.race_ms = s->now;
    ev.lap = s->state.lap;
    if (car) {
        memcpy(ev.car, car->driver.number, sizeof ev.car);
        ev.tyre = car->tyre;
    }
    if (other)
        memcpy(ev.other, other->driver.number, sizeof ev.other);
    ev.position = position;
    if (type == PW_EV_TRACK_STATUS)
        ev.track = s->track;
    if (type == PW_EV_LAP_COMPLETED || type == PW_EV_FASTEST_LAP) {
        ev.lap = car->line / 3;
        ev.lap_ms = car->last_lap_ms;
    }
    if (text)
        snprintf(ev.text, sizeof ev.text, "%s", text);
    ev.state = &s->state;
    s->emit(s->emit_ctx, &ev);
}

void sim_car_who(const struct sim_car *c, char *out, size_t len)
{
    snprintf(out, len, "CAR %s (%s)", c->driver.number, c->driver.tla);
}

void sim_emit_race_control(struct sim *s, const char *text)
{
    sim_emit_text(s, PW_EV_RACE_CONTROL, NULL, NULL, 0, text);
}

void sim_emit_race_control_car(struct sim *s, const struct sim_car *car, const char *text)
{
    sim_emit_text(s, PW_EV_RACE_CONTROL, car, NULL, 0, text);
}

static bool sim_running(const struct sim_car *c)
{
    return !c->retired && !c->finished;
}

static int64_t sim_next(const struct sim *s, enum sim_what *what, int *car)
{
    int64_t best = SIM_NEVER;
    *what = SIM_NONE;
    *car = -1;
    if (s->track_timer_ms < best) {
        best = s->track_timer_ms;
        *what = SIM_TIMER;
    }
    if (race_red_flag_next_ms(&s->red) < best) {
        best = race_red_flag_next_ms(&s->red);
        *what = SIM_RED;
    }
    if (race_penalties_next_ms(&s->penalties) < best) {
        best = race_penalties_next_ms(&s->penalties);
        *what = SIM_PENALTY;
    }
    if (race_damage_next_ms(&s->damage) < best) {
        best = race_damage_next_ms(&s->damage);
        *what = SIM_DAMAGE;
    }
    if (race_weather_next_note_ms(&s->weather) < best) {
        best = race_weather_next_note_ms(&s->weather);
        *what = SIM_WEATHER;
    }
    if (s->next_incident < s->n_incidents && s->incident_ms[s->next_incident] < best) {
        best = s->incident_ms[s->next_incident];
        *what = SIM_INCIDENT;
    }
    for (int i = 0; i < s->n; i++) {
        const struct sim_car *c = &s->cars[i];
        if (!sim_running(c))
            continue;
        if (c->retire_ms < best && !s->chequered) {
            best = c->retire_ms;
            *what = SIM_RETIRE;
            *car = i;
        }
        if (c->pit_event && c->pit_event_ms < best) {
            best = c->pit_event_ms;
            *what = SIM_PIT;
            *car = i;
        }
        if (c->next_ms < best) {
            best = c->next_ms;
            *what = SIM_LINE;
            *car = i;
        }
    }
    return best;
}

static void sim_retire(struct sim *s, struct sim_car *c)
{
    int pos = sim_order_index(s, c->id) + 1;
    c->retired = true;
    c->retired_at = s->now;
    c->retire_ms = SIM_NEVER;
    c->next_ms = SIM_NEVER;
    c->pit_event = 0;
    c->in_pit = false;
    c->pit_sector = false;
    s->retirements++;
    sim_order_sink_retired(s, c->id);
    /* the cause goes with the event: a puncture that did not make the pits, or the engine
     * fault the telemetry showed for laps */
    const char *cause = sim_damage_retire_cause(s, c);
    if (!cause && sim_faults_fatal(s, c))
        cause = PW_RETIRE_ENGINE_FAILURE;
    sim_emit_text(s, PW_EV_RETIREMENT, c, NULL, pos, cause);
    if (c->retire_crash || race_rng_chance(&s->rng, 0.5))
        sim_track_incident(s, s->now, c->retire_crash);
}

static void sim_pit(struct sim *s, struct sim_car *c)
{
    int what = c->pit_event;
    c->pit_event = 0;
    if (what == 1) {
        c->in_pit = true;
        c->pit_stops++;
        sim_emit(s, PW_EV_PIT_IN, c, NULL, sim_order_index(s, c->id) + 1);
        return;
    }
    c->in_pit = false;
    /* A drive-through goes down the lane without a stop: the same tyres. */
    if (!c->drive_through) {
        c->tyre = c->next_tyre;
        c->tyre_age = 0;
        c->tyre_new = true;
        c->stint_laps = 0;
        c->compounds_used |= 1 << c->tyre;
        sim_damage_repair(s, c);
    }
    sim_emit(s, PW_EV_PIT_OUT, c, NULL, sim_order_index(s, c->id) + 1);
    sim_penalties_pit_out(s, c);
    c->drive_through = false;
}

/* `c` has just crossed a line: move it up past every car it beat there. */
static void sim_reorder(struct sim *s, struct sim_car *c)
{
    int i = sim_order_index(s, c->id);
    while (i > 0 && sim_order_before(s, c->id, s->order[i - 1])) {
        struct sim_car *y = &s->cars[s->order[i - 1]];
        s->order[i] = y->id;
        s->order[i - 1] = c->id;
        i--;
        /* Passing a car in the pit lane is a place gained, not an overtake. A teammate
         * told to let the car by moves aside: no contact. */
        if (!y->pit_sector && !y->in_pit && !c->pit_sector) {
            bool team_orders = sim_team_orders_swapped(s, c, y);
            sim_emit_text(s, PW_EV_OVERTAKE, c, y, i + 1,
                          team_orders ? PW_OVERTAKE_TEAM_ORDERS : NULL);
            if (!team_orders)
                sim_damage_after_pass(s, c, y);
        }
    }
}

static void sim_lap_done(struct sim *s, struct sim_car *c)
{
    int lap_no = c->line / 3;
    int64_t lap_ms = s->cross[c->id][c->line] - s->cross[c->id][c->line - 3];
    bool leader = s->order[0] == c->id;
    c->last_lap_ms = lap_ms;
    if (c->best_lap_ms == 0 || lap_ms < c->best_lap_ms) {
        c->best_lap_ms = lap_ms;
        c->best_lap_no = lap_no;
    }
    c->tyre_age++;
    c->stint_laps++;
    if (c->pitting) {
        c->pitting = false;
        c->out_lap = true;
    } else {
        c->out_lap = false;
    }
    if (s->chequered || (leader && lap_no == s->total_laps)) {
        c->finished = true;
        c->next_ms = SIM_NEVER;
        c->in_pit = false;
        c->pit_event = 0;
    }
    sim_emit(s, PW_EV_LAP_COMPLETED, c, NULL, sim_order_index(s, c->id) + 1);
    if (lap_no >= 2 && (s->fastest_ms == 0 || lap_ms < s->fastest_ms)) {
        s->fastest_ms = lap_ms;
        memcpy(s->fastest_number, c->driver.number, sizeof s->fastest_number);
        sim_emit(s, PW_EV_FASTEST_LAP, c, NULL, sim_order_index(s, c->id) + 1);
    }
    if (!leader)
        return;
    sim_track_leader_line(s, c->line);
    if (lap_no == s->total_laps && !s->chequered) {
        s->chequered = true;
        s->track_timer_ms = SIM_NEVER;
        sim_emit(s, PW_EV_CHEQUERED, c, NULL, 1);
    } else if (lap_no == s->total_laps - 1 && !s->final_lap) {
        s->final_lap = true;
        sim_emit(s, PW_EV_FINAL_LAP, c, NULL, 1);
    }
}

static void sim_cross_line(struct sim *s, struct sim_car *c)
{
    int64_t t = c->next_ms;
    int line = ++c->line;
    int sec = (line - 1) % 3;
    s->cross[c->id][line] = t;
    c->sector_ms[sec] = t - s->cross[c->id][line - 1];
    if (sec == 0)
        c->sector_ms[1] = c->sector_ms[2] = 0;
    c->next_ms = SIM_NEVER;
    sim_reorder(s, c);
    sim_team_orders_line(s, c);
    c->pit_sector = false;
    if (line % 3 == 0) {
        sim_lap_done(s, c);
        sim_penalties_lap(s, c);
        if (sim_red_flag_park(s, c))
            return;
    }
    if (!c->finished)
        sim_track_plan_sector(s, c, t);
}

static void sim_lights_out(struct sim *s)
{
    s->lights_out = true;
    s->now = 0;
    sim_emit(s, PW_EV_LIGHTS_OUT, NULL, NULL, 0);
    if (s->total_laps == 1) {
        s->final_lap = true;
        sim_emit(s, PW_EV_FINAL_LAP, &s->cars[s->order[0]], NULL, 1);
    }
    /* Plan the first sector front to back, so each car sees the ones ahead of it. */
    for (int i = 0; i < s->n; i++) {
        struct sim_car *c = &s->cars[s->order[i]];
        sim_track_plan_sector(s, c, s->cross[c->id][0]);
    }
}

static bool sim_all_done(const struct sim *s)
{
    for (int i = 0; i < s->n; i++) {
        if (sim_running(&s->cars[i]))
            return false;
    }
    return true;
}

/* Runs every happening up to `until`; returns 1 once classified. */
static int sim_run(struct sim *s, int64_t until)
{
    if (until < 0)
        return 0;
    if (!s->lights_out)
        sim_lights_out(s);
    while (!s->classified) {
        enum sim_what what;
        int id;
        int64_t at = sim_next(s, &what, &id);
        if (what == SIM_NONE || at > until)
            break;
        s->now = at;
        struct sim_car *c = id >= 0 ? &s->cars[id] : NULL;
        switch (what) {
        case SIM_TIMER:
            sim_track_timer(s);
            break;
        case SIM_RED:
            sim_red_flag_happen(s);
            break;
        case SIM_PENALTY:
            sim_penalties_happen(s);
            break;
        case SIM_DAMAGE:
            sim_damage_happen(s);
            break;
        case SIM_WEATHER:
            sim_weather_note(s);
            break;
        case SIM_INCIDENT:
            sim_track_scheduled(s);
            break;
        case SIM_RETIRE:
            sim_retire(s, c);
            break;
        case SIM_PIT:
            sim_pit(s, c);
            break;
        case SIM_LINE:
            sim_cross_line(s, c);
            break;
        case SIM_NONE:
            break;
        }
        if (sim_all_done(s)) {
            sim_penalties_finish(s);
            s->classified = true;
            sim_emit(s, PW_EV_CLASSIFICATION, NULL, NULL, 0);
        }
    }
    return s->classified ? 1 : 0;
}

static int sim_advance(struct pw_source *src, int64_t race_ms, pw_emit_fn emit, void *ctx)
{
    struct sim *s = (struct sim *)src;
    if (race_ms < 0 && !s->lights_out)
        return 0;
    if (race_ms < s->now)
        race_ms = s->now; /* never backwards */
    s->emit = emit;
    s->emit_ctx = ctx;
    int rc = sim_run(s, race_ms);
    s->emit = NULL;
    s->emit_ctx = NULL;
    if (race_ms > s->now && !s->classified)
        s->now = race_ms;
    sim_state_refresh(s);
    return rc;
}

static const struct pw_race_state *sim_state(const struct pw_source *src)
{
    return &((const struct sim *)src)->state;
}

static int64_t sim_duration(const struct pw_source *src)
{
    return ((const struct sim *)src)->duration_ms;
}

static void sim_destroy(struct pw_source *src)
{
    free(src);
}

static const struct pw_source_ops sim_ops = {
    .advance = sim_advance,
    .state = sim_state,
    .duration_ms = sim_duration,
    .seek = NULL,
    .telemetry = sim_faults_telemetry,
    .destroy = sim_destroy,
};

/* The options may come from anywhere: refuse what would break the model's arithmetic. */
static int sim_check_inputs(const struct pw_grid *g, const struct race_circuit *c)
{
    if (g->n < 2 || g->n > PW_MAX_CARS)
        return PW_ERANGE_IN;
    for (int i = 0; i < g->n; i++) {
        if (g->drivers[i].number[0] == '\0' || g->rating[i] < 0 || g->rating[i] > 100)
            return PW_ERANGE_IN;
        for (int j = 0; j < i; j++) {
            if (strcmp(g->drivers[i].number, g->drivers[j].number) == 0)
                return PW_ERANGE_IN;
        }
    }
    if (c->laps < 1 || c->laps > RACE_SIM_MAX_LAPS || c->lap_ms < 30000 || c->lap_ms > 200000 ||
        c->pit_loss_ms < 0 || c->pit_loss_ms > 120000 || c->overtaking < 0 || c->overtaking > 100 ||
        c->incidents < 0 || c->incidents > 500 || c->tyre_wear < 10 || c->tyre_wear > 300)
        return PW_ERANGE_IN;
    for (int i = 0; i < 3; i++) {
        if (c->sector_pct[i] < 5)
            return PW_ERANGE_IN;
    }
    if (c->sector_pct[0] + c->sector_pct[1] + c->sector_pct[2] != 100)
        return PW_ERANGE_IN;
    return 0;
}

static int sim_init(struct sim *s, const struct race_sim_options *opt)
{
    int rc = 0;
    s->base.ops = &sim_ops;
    s->grid = *opt->grid;
    s->n = s->grid.n;
    if (opt->circuit)
        s->circuit = *opt->circuit;
    else if ((rc = race_circuit_load_builtin(NULL, &s->circuit)) != 0)
        return rc;
    if ((rc = sim_check_inputs(&s->grid, &s->circuit)) != 0)
        return rc;
    s->total_laps = opt->laps > 0 ? opt->laps : s->circuit.laps;
    if (opt->laps < 0 || s->total_laps > RACE_SIM_MAX_LAPS)
        return PW_ERANGE_IN;
    s->selected = -1;
    if (opt->selected_number && *opt->selected_number) {
        for (int i = 0; i < s->n; i++) {
            if (strcmp(s->grid.drivers[i].number, opt->selected_number) == 0)
                s->selected = i;
        }
        if (s->selected < 0)
            return -EINVAL;
        snprintf(s->selected_number, sizeof s->selected_number, "%s", opt->selected_number);
    }
    s->podium = opt->podium && s->selected >= 0;
    race_rng_seed(&s->rng, opt->seed);
    sim_model_init_cars(s);
    sim_track_init(s);
    sim_faults_plan(s, opt->seed);
    if (opt->penalties)
        race_penalties_plan(&s->penalties, s->n, s->total_laps,
                            (int64_t)s->total_laps * s->circuit.lap_ms,
                            s->podium ? s->selected : -1, opt->seed);
    race_damage_plan(&s->damage, s->n, s->total_laps, s->circuit.laps,
                     (int64_t)s->total_laps * s->circuit.lap_ms, s->podium ? s->selected : -1,
                     opt->damage, opt->seed);
    race_team_orders_plan(&s->team_orders, s->podium ? s->selected : -1, opt->seed);
    if (opt->red_flag)
        race_red_flag_plan(&s->red, (int64_t)s->total_laps * s->circuit.lap_ms, opt->seed);
    race_weather_plan(&s->weather, opt->weather, race_weather_circuit_rain_pct(s->circuit.id),
                      (int64_t)s->total_laps * s->circuit.lap_ms, s->total_laps <= 25, opt->seed);
    if (opt->red_flag)
        race_red_flag_standing_water(&s->red,
                                     race_weather_reaches_ms(&s->weather, RACE_WEATHER_FLOODED),
                                     s->circuit.lap_ms, (int64_t)s->total_laps * s->circuit.lap_ms);
    /* Grid slots are 8 m apart: the cars behind cross the start line a little later. */
    for (int i = 0; i < s->n; i++)
        s->cross[s->order[i]][0] = (int64_t)i * 180;
    s->now = 0;
    snprintf(s->state.circuit, sizeof s->state.circuit, "%s", s->circuit.name);
    snprintf(s->state.session, sizeof s->state.session, "%s",
             s->total_laps <= 25 ? "Sprint" : "Race");
    s->state.race_ms = 0;
    sim_state_refresh(s);
    return 0;
}

/* Podium mode: whether the race run to its end in `probe` keeps the promise. */
static bool sim_story_kept(const struct sim *probe)
{
    return !probe->podium || sim_order_index(probe, probe->selected) < 3;
}

int race_sim_create(const struct race_sim_options *opt, struct pw_source **out)
{
    int rc = 0;
    struct sim *s = NULL, *probe = NULL;
    struct race_rng takes;
    *out = NULL;
    if (!opt || !opt->grid)
        return -EINVAL;
    struct race_sim_options take = *opt;
    s = calloc(1, sizeof *s);
    probe = malloc(sizeof *probe);
    if (!s || !probe) {
        rc = -ENOMEM;
        goto out;
    }
    /* The race is cheap to run: run a silent copy to the end, so duration_ms() is exact
     * and the runner's time compression lands on the chequered flag. In podium mode that
     * copy also tells whether the model brought the picked driver to the podium; in the
     * rare race it did not, the race is taken again from a seed drawn from the given one,
     * so a seed still always gives the same race. */
    race_rng_seed(&takes, opt->seed);
    for (int i = 0; i < RACE_SIM_PODIUM_TAKES; i++) {
        memset(s, 0, sizeof *s);
        rc = sim_init(s, &take);
        if (rc != 0)
            goto out;
        memcpy(probe, s, sizeof *probe);
        sim_run(probe, SIM_NEVER - 1);
        if (sim_story_kept(probe))
            break;
        take.seed = race_rng_next(&takes);
    }
    s->duration_ms = probe->now;
    *out = &s->base;
    s = NULL;
out:
    free(probe);
    free(s);
    return rc;
}
