/* sim_model.c — what makes a lap fast or slow: car and driver pace, the form of the day,
 * tyres (compound offset, warm-up, wear and the cliff), fuel, mistakes; the grid; and the
 * pit strategy, which re-plans at each stop so a stop brought forward under a safety car
 * still ends in a sensible race. */
#include "race/sim_internal.h"

#include <math.h>
#include <string.h>

struct tyre_spec {
    double offset_ms; /* pace compared with the soft, on a 90 s lap */
    double wear_ms;   /* time lost per lap of age, on average wear */
    double warmup_ms; /* extra time on the first lap of a stint */
    int life;         /* laps before the cliff, on average wear */
};

static const struct tyre_spec tyre_specs[] = {
    [PW_TYRE_SOFT] = {0.0, 150.0, 500.0, 12},
    [PW_TYRE_MEDIUM] = {420.0, 100.0, 900.0, 19},
    [PW_TYRE_HARD] = {800.0, 70.0, 1500.0, 27},
    /* Rain tyres: what the wetness costs or saves is race_weather.c's. */
    [PW_TYRE_INTER] = {0.0, 40.0, 600.0, 30},
    [PW_TYRE_WET] = {0.0, 30.0, 600.0, 40},
};

#define MODEL_FUEL_MS_PER_LAP 56.0   /* ~1.75 kg a lap at ~0.032 s/kg */
#define MODEL_STANDING_START_MS 2600 /* lap 1 from a standing start */
#define MODEL_RATING_SHARE 0.0014    /* share of a lap per rating point */
/* Lap-to-lap deviation, share of a lap (plus a little more for lower-rated drivers): it
 * stands for what the model has no other part for, traffic, lapping, battles, tyre and
 * battery saving, and is what brings a Grand Prix's lap-time spread near the real one. */
#define MODEL_NOISE_SHARE 0.013
#define MODEL_PODIUM_NOISE_SHARE 0.0045 /* the picked driver in podium mode */
#define MODEL_SPRINT_LAPS 25            /* up to this many laps: no mandatory stop */
#define MODEL_SPRINT_SC_STOP 0.05       /* a sprint car's chance to stop under a neutralisation */
/* Podium mode's draw of the place the picked driver's race builds to (the rest: P3): a
 * little under 40/35 and over 25, since others' trouble lifts some races a place higher than
 * drawn (docs/RACE_MODEL.md has the odds measured). */
#define MODEL_PODIUM_P1 0.37
#define MODEL_PODIUM_P2 0.35
#define MODEL_PODIUM_STRETCH_LAPS 40 /* podium mode: below this, a set is stretched */

/* Podium mode: the picked driver's pace against the best other car, by the place drawn
 * (share of a lap; negative is faster). */
/* Podium mode, ahead of the place drawn: slower by at least this much a lap, at most the
 * second. */
#define MODEL_PODIUM_AHEAD_MS 300.0
#define MODEL_PODIUM_FADE_MS 1800.0
static const double model_podium_pace[4] = {0.0, -0.002, 0.003, 0.005};

static double model_scale(const struct sim *s)
{
    return (double)s->circuit.lap_ms / 90000.0;
}

static int model_is_sprint(const struct sim *s)
{
    return s->total_laps <= MODEL_SPRINT_LAPS;
}

static int model_life(const struct sim *s, enum pw_tyre t)
{
    int life = tyre_specs[t].life * 100 / s->circuit.tyre_wear;
    return life < 4 ? 4 : life;
}

int64_t sim_model_base_sector_ms(const struct sim *s, int sector)
{
    return s->circuit.lap_ms * s->circuit.sector_pct[sector] / 100;
}

static double model_tyre_ms(const struct sim *s, const struct sim_car *c, int stint_lap)
{
    const struct tyre_spec *t = &tyre_specs[c->tyre];
    double wear = s->circuit.tyre_wear / 100.0;
    double ms = t->offset_ms * model_scale(s) + t->wear_ms * wear * c->tyre_age;
    int over = c->tyre_age - model_life(s, c->tyre);
    if (over > 0)
        ms += 20.0 * over * over;
    if (stint_lap == 0)
        ms += t->warmup_ms;
    else if (stint_lap == 1)
        ms += 0.3 * t->warmup_ms;
    return ms;
}

static void model_grid(struct sim *s)
{
    double score[PW_MAX_CARS];
    int slots[PW_MAX_CARS];
    for (int i = 0; i < s->n; i++) {
        score[i] = s->cars[i].pace_ms + race_rng_normal(&s->rng) * 0.0012 * s->circuit.lap_ms;
        slots[i] = i;
    }
    for (int i = 1; i < s->n; i++) {
        for (int j = i; j > 0 && score[slots[j]] < score[slots[j - 1]]; j--) {
            int t = slots[j];
            slots[j] = slots[j - 1];
            slots[j - 1] = t;
        }
    }
    if (s->podium && s->selected >= 0) {
        /* The original app's promise: the picked driver starts P5-P10; in a short race
         * closer to the front so that the podium stays reachable. */
        int hi = s->total_laps >= 10 ? 9 : (s->total_laps < 3 ? 4 : 4 + s->total_laps / 2);
        if (hi > s->n - 1)
            hi = s->n - 1;
        int lo = hi < 4 ? hi : 4;
        int want = race_rng_range(&s->rng, lo, hi), at = 0;
        for (int i = 0; i < s->n; i++) {
            if (slots[i] == s->selected)
                at = i;
        }
        for (; at < want; at++)
            slots[at] = slots[at + 1];
        for (; at > want; at--)
            slots[at] = slots[at - 1];
        slots[want] = s->selected;
    }
    for (int i = 0; i < s->n; i++) {
        s->order[i] = slots[i];
        s->cars[slots[i]].grid_slot = i;
    }
}

/* Picks the tyre for the stint after a stop at the end of lap `lap_no` and whether another
 * stop follows: the softest compound that lasts the rest of the race, else the softest that
 * lasts half of it; two dry compounds must be used in a Grand Prix. */
void sim_model_fit_tyres(struct sim *s, struct sim_car *c, int lap_no)
{
    int remaining = s->total_laps - lap_no;
    bool need_other = !model_is_sprint(s) && (c->compounds_used & ~(1 << c->tyre)) == 0;
    bool cautious = race_rng_chance(&s->rng, 0.25);
    /* Strategies differ: some stretch a set to save a stop, some stop again for pace. */
    double u = race_rng_uniform(&s->rng);
    bool promised = s->podium && c->id == s->selected;
    /* The picked driver in podium mode never gambles on a set past its life, except in a
     * short race, where it stretches a set as far as anyone rather than stop once more: a
     * late extra stop there drops it too far back to recover. */
    int stretch =
        promised ? (s->total_laps < MODEL_PODIUM_STRETCH_LAPS ? 13 : 10) : (u < 0.35 ? 17 : 11);
    bool extra_stop = u > 0.5 && c->pit_stops == 0 && remaining > 15 && !promised;
    enum pw_tyre pick = PW_TYRE_UNKNOWN;
    for (int pass = extra_stop ? 1 : 0; pass < 2 && pick == PW_TYRE_UNKNOWN; pass++) {
        int need = pass == 0 ? remaining : (remaining + 1) / 2;
        for (enum pw_tyre t = PW_TYRE_SOFT; t <= PW_TYRE_HARD; t++) {
            if (need_other && t == c->tyre)
                continue;
            if (model_life(s, t) * stretch / 10 >= need) {
                pick = t;
                if (cautious && t < PW_TYRE_HARD && !(need_other && t + 1 == c->tyre))
                    pick = t + 1;
                break;
            }
        }
        if (pick != PW_TYRE_UNKNOWN && pass == 0)
            c->next_stop_lap = 0;
        if (pick != PW_TYRE_UNKNOWN && pass == 1) {
            int stint = model_life(s, pick);
            if (stint > remaining / 2 + 3)
                stint = remaining / 2 + race_rng_range(&s->rng, -2, 3);
            c->next_stop_lap = lap_no + (stint < 3 ? 3 : stint);
        }
    }
    if (pick == PW_TYRE_UNKNOWN) {
        pick = c->tyre == PW_TYRE_HARD ? PW_TYRE_MEDIUM : PW_TYRE_HARD;
        c->next_stop_lap = lap_no + model_life(s, pick) * 9 / 10;
    }
    if (c->next_stop_lap > s->total_laps - 3)
        c->next_stop_lap = 0;
    /* In podium mode the picked driver's last stop comes early enough to recover. */
    if (promised && c->next_stop_lap > s->total_laps * 7 / 10) {
        c->next_stop_lap = s->total_laps * 7 / 10 > lap_no + 3 ? s->total_laps * 7 / 10 : 0;
        /* No stop left: a set that lasts to the end. */
        if (c->next_stop_lap == 0)
            pick = need_other && c->tyre == PW_TYRE_HARD ? PW_TYRE_MEDIUM : PW_TYRE_HARD;
    }
    c->next_tyre = pick;
}

static void model_start_strategy(struct sim *s, struct sim_car *c)
{
    double u = race_rng_uniform(&s->rng);
    bool back = c->grid_slot >= s->n / 2;
    if (model_is_sprint(s))
        c->tyre = u < 0.08 ? PW_TYRE_SOFT : (u < 0.95 ? PW_TYRE_MEDIUM : PW_TYRE_HARD);
    else
        c->tyre =
            u < 0.22 ? PW_TYRE_SOFT : (u < (back ? 0.7 : 0.85) ? PW_TYRE_MEDIUM : PW_TYRE_HARD);
    /* Podium mode: a sprint's picked driver starts on tyres that last the distance. */
    if (s->podium && c->id == s->selected && model_is_sprint(s) &&
        model_life(s, c->tyre) < s->total_laps)
        c->tyre = model_life(s, PW_TYRE_MEDIUM) >= s->total_laps ? PW_TYRE_MEDIUM : PW_TYRE_HARD;
    c->tyre_new = c->tyre == PW_TYRE_HARD || race_rng_chance(&s->rng, 0.5);
    c->tyre_age = c->tyre_new ? 0 : race_rng_range(&s->rng, 2, 4);
    c->compounds_used = 1 << c->tyre;
    c->next_stop_lap = 0;
    if (!model_is_sprint(s)) {
        int life = model_life(s, c->tyre) - c->tyre_age;
        int lap = (int)(life * (0.5 + 0.5 * race_rng_uniform(&s->rng)));
        int lo = s->total_laps / 5 > 6 ? s->total_laps / 5 : 6;
        if (lap < lo)
            lap = lo;
        if (s->podium && c->id == s->selected && lap > s->total_laps * 45 / 100)
            lap = s->total_laps * 45 / 100;
        if (lap > s->total_laps - 6)
            lap = s->total_laps - 6;
        c->next_stop_lap = lap >= 2 ? lap : 0;
    }
}

void sim_model_init_cars(struct sim *s)
{
    double lap = (double)s->circuit.lap_ms;
    for (int i = 0; i < s->n; i++) {
        struct sim_car *c = &s->cars[i];
        int rating = s->grid.rating[i];
        memset(c, 0, sizeof *c);
        c->id = i;
        c->driver = s->grid.drivers[i];
        c->pace_ms =
            (100 - rating) * MODEL_RATING_SHARE * lap + race_rng_normal(&s->rng) * 0.0015 * lap;
        c->noise_ms = (MODEL_NOISE_SHARE + (100 - rating) * 0.00004) * lap;
        c->retire_ms = SIM_NEVER;
        c->next_ms = SIM_NEVER;
    }
    /* Podium mode: the day's story is drawn first (a win 40%, second 35%, third 25%, as
     * the original app promised); the picked driver's car is then the fastest on the day
     * for a win, and a match for the best otherwise, so the cars it ends behind beat it on
     * pace rather than by rule. */
    if (s->podium && s->selected >= 0) {
        double u = race_rng_uniform(&s->rng);
        s->podium_place = u < MODEL_PODIUM_P1 ? 1 : (u < MODEL_PODIUM_P1 + MODEL_PODIUM_P2 ? 2 : 3);
        double best = INFINITY;
        for (int i = 0; i < s->n; i++) {
            if (i != s->selected)
                best = s->cars[i].pace_ms < best ? s->cars[i].pace_ms : best;
        }
        s->cars[s->selected].pace_ms = best + model_podium_pace[s->podium_place] * lap;
        /* A clean race is a consistent one too: the others' lap-to-lap swings (traffic,
         * tyre saving, battles) would otherwise decide a short race's podium by luck. */
        s->cars[s->selected].noise_ms = MODEL_PODIUM_NOISE_SHARE * lap;
    }
    model_grid(s);
    for (int i = 0; i < s->n; i++)
        model_start_strategy(s, &s->cars[i]);
}

int sim_model_podium_goal(const struct sim *s, int lap_no)
{
    /* In a Grand Prix the last place is won late, after the stops: until then the picked
     * driver runs a place behind the one drawn. */
    if (!model_is_sprint(s) && lap_no * 4 <= s->total_laps * 3)
        return s->podium_place + 1;
    return s->podium_place;
}

bool sim_model_podium_charge(const struct sim *s, int place, int lap_no)
{
    int laps_after = s->total_laps - lap_no;
    return place - sim_model_podium_goal(s, lap_no) >
           RACE_SIM_PODIUM_MAX_PASSES * (laps_after > 0 ? laps_after : 0);
}

/* How much faster the picked driver goes in podium mode: enough to climb to the place
 * drawn at a steady rate over the laps left (the late charge), and for a winner a little
 * to stay there. */
static double model_podium_boost(const struct sim *s, const struct sim_car *c, int lap_no,
                                 double own_lap_ms)
{
    int pos = sim_order_index(s, c->id) + 1;
    int goal_place = sim_model_podium_goal(s, lap_no);
    int deficit = pos - goal_place;
    int left = s->total_laps - lap_no + 1;
    /* A winner keeps a little in hand; a driver bound for P2 or P3 drives at its own
     * pace once there. */
    double boost = goal_place == 1 ? 250.0 : 0.0;
    /* Ahead of its place (others' stops or trouble put it there), it is out of position:
     * on older tyres, the faster car behind closes in with a lap to spare and comes by. */
    if (deficit < 0) {
        const struct sim_car *rival = &s->cars[s->order[pos]];
        int line = rival->line < c->line ? rival->line : c->line;
        double gap = (double)(s->cross[rival->id][line] - s->cross[c->id][line]);
        /* Before the late charge, by the time it starts. */
        int by = goal_place != s->podium_place ? s->total_laps * 3 / 4 - lap_no + 1 : left;
        double need = (gap + 1500.0) / (by > 2 ? by - 1 : 1);
        boost = -(need > MODEL_PODIUM_AHEAD_MS ? need : MODEL_PODIUM_AHEAD_MS);
        if (boost < -MODEL_PODIUM_FADE_MS)
            boost = -MODEL_PODIUM_FADE_MS;
        return boost * model_scale(s);
    }
    if (deficit > 0) {
        boost += 700.0 * deficit * 10.0 / (left > 5 ? left : 5);
        /* Enough to close the time gap to that place with a lap to spare. */
        const struct sim_car *goal = &s->cars[s->order[goal_place - 1]];
        double gap = (double)(s->cross[c->id][c->line] - s->cross[goal->id][c->line]);
        double need = (gap + 1500.0 * deficit) / (left > 2 ? left - 1 : 1);
        /* ...whatever that car's own pace: on fresher tyres it would pull away from a
         * boost measured against the picked driver's pace alone. */
        if (own_lap_ms > goal->pace_lap_ms)
            need += own_lap_ms - goal->pace_lap_ms;
        if (need > boost)
            boost = need;
    }
    /* A very short race leaves no time for patience, nor does a charge from far back. */
    double cap = left <= 5 || sim_model_podium_charge(s, pos, lap_no) ? 4500.0 : 2500.0;
    if (boost > cap)
        boost = cap;
    return boost * model_scale(s);
}

void sim_model_plan_lap(struct sim *s, struct sim_car *c, int lap_no)
{
    /* Warm-up counts on an out-lap and the lap after; on lap 1 blankets did the job. */
    int stint_lap = c->out_lap ? 0 : (c->stint_laps == 1 && c->pit_stops > 0 ? 1 : 2);
    double lap = (double)s->circuit.lap_ms + c->pace_ms;
    lap += MODEL_FUEL_MS_PER_LAP * model_scale(s) * (s->total_laps - lap_no + 1);
    c->tyre_lap_ms = model_tyre_ms(s, c, stint_lap);
    lap += c->tyre_lap_ms;
    lap += sim_faults_pace_ms(s, c);
    lap += sim_weather_lap_ms(s, c);
    bool promised = s->podium && c->id == s->selected;
    /* A mistake; the driver with the podium promise drives a clean race. */
    if (race_rng_chance(&s->rng, 0.025) && !promised)
        lap += 400.0 + 2000.0 * race_rng_uniform(&s->rng);
    if (promised)
        lap -= model_podium_boost(s, c, lap_no, lap);
    c->pace_lap_ms = lap;
    lap += race_rng_normal(&s->rng) * c->noise_ms;
    for (int i = 0; i < 3; i++)
        c->plan_ms[i] = lap * s->circuit.sector_pct[i] / 100.0 + race_rng_normal(&s->rng) * 40.0;
    if (lap_no == 1)
        c->plan_ms[0] += MODEL_STANDING_START_MS + fabs(race_rng_normal(&s->rng)) * 300.0;

    /* Pit decisions for this lap: the plan, or a cheap stop under a neutralisation when the
     * plan was due within a few laps anyway. */
    c->pitting = false;
    if (lap_no >= s->total_laps - 1)
        return;
    bool protected_car = s->podium && c->id == s->selected;
    bool neutral = s->track == PW_TRACK_SC || s->track == PW_TRACK_VSC;
    bool due = c->next_stop_lap == lap_no;
    if (!due && neutral && c->next_stop_lap > 0 && c->next_stop_lap - lap_no <= 8 &&
        lap_no < s->total_laps - 3)
        due = race_rng_chance(&s->rng, s->track == PW_TRACK_SC ? 0.75 : 0.45);
    /* A sprint has no stop to make, but a safety car tempts a few into fresh softs: one
     * car of 20 under the 2023 Baku sprint's safety car. A car on fresh softs then passes
     * most of a bunched field, so this share decides much of a sprint's passing. */
    if (!due && neutral && model_is_sprint(s) && c->pit_stops == 0 && !protected_car &&
        lap_no < s->total_laps - 3)
        due = race_rng_chance(&s->rng, MODEL_SPRINT_SC_STOP);
    /* First-lap contact: a new front wing at the end of lap 1. */
    if (!due && lap_no == 1 && !protected_car) {
        due = race_rng_chance(&s->rng, 0.035);
        if (due)
            sim_damage_first_lap(s, c);
    }
    if (!due && sim_penalties_drive_through(s, c, lap_no)) {
        c->pitting = true;
        c->next_tyre = c->tyre;
        return;
    }
    if (!due)
        due = sim_weather_wants_stop(s, c, lap_no);
    /* Podium mode: the picked driver's team knows the story's red flag is coming and stays
     * out for the free change at the restart, rather than stop into an order the flag
     * freezes. A planned stop moves to the next lap, in case the flag is held back. */
    if (due && protected_car && sim_red_flag_due_soon(s)) {
        if (c->next_stop_lap == lap_no)
            c->next_stop_lap = lap_no + 1;
        return;
    }
    if (due)
        sim_model_call_in(s, c, lap_no);
}

void sim_model_call_in(struct sim *s, struct sim_car *c, int lap_no)
{
    c->pitting = true;
    sim_model_fit_tyres(s, c, lap_no);
    sim_weather_fit_tyres(s, c, lap_no);
}
