/* race_red_flag.c — the red flag's plan, stopping the race, parking the cars and the
 * restart with a free change of tyres. */
#include "race/race_red_flag.h"

#include "race/sim_internal.h"

#include <math.h>
#include <string.h>

#define RED_SEED_SALT 0x5EDF1A6C0FFEE123ull
#define RED_RETRY_MS 20000   /* a neutralisation in progress: look again this much later */
#define RED_EXIT_GAP_MS 1000 /* cars leave the pit lane this far apart */
#define RED_STANDING_MS 2600 /* what a standing start costs the first sector */
/* Podium mode's foresight of the red flag, in green laps after the one under way
 * (race_red_flag.h, sim_red_flag_due_soon). */
#define RED_LOOK_AHEAD_LAPS 3.0

void race_red_flag_plan(struct race_red_flag *r, int64_t race_ms, uint64_t seed)
{
    struct race_rng rng;
    memset(r, 0, sizeof *r);
    if (race_ms <= 0)
        return;
    race_rng_seed(&rng, seed ^ RED_SEED_SALT);
    r->phase = RACE_RED_PLANNED;
    r->at_ms = (int64_t)((double)race_ms * (0.25 + 0.35 * race_rng_uniform(&rng)));
    r->suspension_ms = (int64_t)race_rng_range(&rng, 300, 600) * 1000;
    r->standing = race_rng_chance(&rng, 0.5);
}

void race_red_flag_standing_water(struct race_red_flag *r, int64_t soaked_ms, int64_t lap_ms,
                                  int64_t race_ms)
{
    if (r->phase != RACE_RED_PLANNED || soaked_ms == INT64_MAX)
        return;
    int64_t at = soaked_ms + lap_ms * 3 / 2;
    if (at < race_ms - 4 * lap_ms)
        r->at_ms = at;
}

int64_t race_red_flag_next_ms(const struct race_red_flag *r)
{
    if (r->phase == RACE_RED_PLANNED)
        return r->at_ms;
    if (r->phase == RACE_RED_STOPPED)
        return r->resume_ms;
    return INT64_MAX;
}

bool sim_red_flag_due_soon(const struct sim *s)
{
    double lap = (double)s->circuit.lap_ms;
    int64_t horizon_ms =
        s->now + (int64_t)(lap * sim_track_lap_factor(s) + RED_LOOK_AHEAD_LAPS * lap);
    return s->red.phase == RACE_RED_PLANNED && s->red.at_ms <= horizon_ms;
}

static bool red_running(const struct sim_car *c)
{
    return !c->retired && !c->finished;
}

static void red_stop(struct sim *s, struct race_red_flag *r)
{
    int lead_lap = s->cars[s->order[0]].line / 3 + 1;
    /* Too late to restart and still race: the flag is not shown. */
    if (s->chequered || lead_lap > s->total_laps - 3) {
        r->phase = RACE_RED_DONE;
        return;
    }
    if (s->track != PW_TRACK_GREEN && s->track != PW_TRACK_YELLOW) {
        r->at_ms = s->now + RED_RETRY_MS;
        return;
    }
    /* Every car on the lead lap drives to the end of the lap the leader is on, so the
     * order and the laps stand as they were when the flag came out; a lapped car stops a
     * lap (or more) earlier. */
    sim_state_refresh(s);
    r->n = s->n;
    memcpy(r->order, s->order, sizeof r->order);
    for (int i = 0; i < s->n; i++) {
        struct sim_car *c = &s->cars[s->order[i]];
        c->park_line = 3 * (lead_lap - s->state.cars[i].gap_laps);
        if (c->park_line <= c->line)
            c->park_line = (c->line / 3 + 1) * 3;
    }
    sim_track_set(s, PW_TRACK_RED, SIM_NEVER);
    sim_emit_race_control(s, "RED FLAG");
    r->phase = RACE_RED_STOPPED;
    /* The cars need time to reach the pit lane: at least two slow laps. */
    int64_t reach = 2 * s->circuit.lap_ms * 3 / 2;
    r->resume_ms = s->now + (r->suspension_ms > reach ? r->suspension_ms : reach);
}

bool sim_red_flag_park(struct sim *s, struct sim_car *c)
{
    if (s->red.phase != RACE_RED_STOPPED || c->finished || c->line < c->park_line)
        return false;
    c->parked_in_stop = c->out_lap; /* it had entered the lane for a stop of its own */
    c->parked = true;
    c->in_pit = true;
    c->next_ms = SIM_NEVER;
    c->pitting = false;
    c->out_lap = false;
    c->pit_event = 0;
    c->pit_sector = false;
    return true;
}

/* A new set for the rest of the race, as the strategy (and the track) would pick it. */
static void red_free_tyres(struct sim *s, struct sim_car *c)
{
    int lap_no = c->line / 3;
    sim_model_fit_tyres(s, c, lap_no);
    sim_weather_fit_tyres(s, c, lap_no);
    c->tyre = c->next_tyre;
    c->tyre_age = 0;
    c->tyre_new = true;
    c->stint_laps = 0;
    c->compounds_used |= 1 << c->tyre;
    sim_damage_repair(s, c); /* a new nose too, under the red flag */
}

static void red_restart(struct sim *s, struct race_red_flag *r)
{
    for (int i = 0; i < s->n; i++) {
        if (red_running(&s->cars[i]) && !s->cars[i].parked) {
            r->resume_ms = s->now + RED_RETRY_MS;
            return; /* someone is still on the way in */
        }
    }
    r->phase = RACE_RED_DONE;
    /* The restart order is the order when the flag came out, whoever reached the pit lane
     * first (a car that was making a stop keeps its place); retired cars stay below. */
    int order[PW_MAX_CARS], k = 0;
    for (int i = 0; i < r->n; i++) {
        if (!s->cars[r->order[i]].retired)
            order[k++] = r->order[i];
    }
    for (int i = 0; i < s->n; i++) {
        if (s->cars[s->order[i]].retired)
            order[k++] = s->order[i];
    }
    memcpy(s->order, order, sizeof order);
    sim_emit_race_control(s, r->standing ? "STANDING START"
                                         : "RACE WILL RESUME BEHIND THE SAFETY CAR");
    if (!r->standing) {
        int lead_line = s->cars[s->order[0]].line;
        int laps = s->total_laps - lead_line / 3 > 6 ? 2 : 1;
        s->sc_end_line = (lead_line / 3 + laps) * 3;
    }
    sim_track_set(s, r->standing ? PW_TRACK_GREEN : PW_TRACK_SC, SIM_NEVER);
    sim_emit_race_control(s, "GREEN LIGHT - PIT EXIT OPEN");
    /* Out of the pit lane in the running order, front to back, so each car sees the ones
     * ahead of it when its first sector is planned. */
    k = 0;
    for (int i = 0; i < s->n; i++) {
        struct sim_car *c = &s->cars[s->order[i]];
        if (!c->parked || !red_running(c))
            continue;
        int64_t t = s->now + (int64_t)k++ * RED_EXIT_GAP_MS;
        red_free_tyres(s, c);
        c->parked = false;
        c->in_pit = false;
        s->cross[c->id][c->line] = t; /* the lap restarts at the pit exit */
        if (c->parked_in_stop)
            sim_emit(s, PW_EV_PIT_OUT, c, NULL, sim_order_index(s, c->id) + 1);
        c->parked_in_stop = false;
        sim_track_plan_sector(s, c, t);
        if (r->standing)
            c->next_ms += RED_STANDING_MS + (int64_t)(fabs(race_rng_normal(&s->rng)) * 300.0);
    }
}

void sim_red_flag_happen(struct sim *s)
{
    struct race_red_flag *r = &s->red;
    if (r->phase == RACE_RED_PLANNED)
        red_stop(s, r);
    else if (r->phase == RACE_RED_STOPPED)
        red_restart(s, r);
}
