/* sim_track.c — what happens on track around a car: traffic and overtaking, the safety
 * car and virtual safety car, yellows, retirements and the pit lane. */
#include "race/sim_internal.h"

#include <math.h>

#define TRACK_SEP_MS 250         /* closest a car follows another across a line */
#define TRACK_RETIRE_CHANCE 0.07 /* per car over a Grand Prix distance */
#define TRACK_SC_PACE 1.55       /* lap time behind the safety car, x green */
#define TRACK_SC_CATCH 1.18      /* lap time of a car closing up to the queue */
#define TRACK_VSC_PACE 1.38      /* the VSC delta */
#define TRACK_LAP1_RISK 0.15     /* chance of a neutralisation on the first lap */
#define TRACK_TYRE_EDGE 6.0      /* extra weight of a tyre advantage in a pass attempt */
/* Pass chance per second a lap of advantage: TRACK_PASS_K x ease^1.5 + TRACK_PASS_FLOOR. */
#define TRACK_PASS_K 0.345
#define TRACK_PASS_FLOOR 0.0115
#define TRACK_DIRTY_AIR_MS 300.0 /* advantage a lap lost to following in the wake */
#define TRACK_NO_DRS 0.3         /* pass chance on a restart lap, DRS still disabled */
/* Neutralisations per race against the circuit table's figure: every real session measured
 * (docs/REALISM.md) had more laps under SC/VSC than the table gives. */
#define TRACK_NEUTRAL_SCALE 1.4
#define TRACK_VSC_TO_SC 0.3 /* share of VSCs that turn into a safety car */

static int track_poisson(struct race_rng *rng, double lambda)
{
    /* exp(-lambda) by its series (lambda is small): libm's exp may differ in the last bit
     * between C libraries, and this decides how many incidents a race has. */
    double limit = 0.0, term = 1.0;
    for (int i = 1; i <= 40; i++) {
        limit += term;
        term *= -lambda / i;
    }
    double p = race_rng_uniform(rng);
    int k = 0;
    while (p > limit && k < 8) {
        p *= race_rng_uniform(rng);
        k++;
    }
    return k;
}

static void track_add_incident(struct sim *s, int64_t at, bool yellow)
{
    if (s->n_incidents == SIM_MAX_INCIDENTS)
        return;
    int i = s->n_incidents++;
    for (; i > 0 && s->incident_ms[i - 1] > at; i--) {
        s->incident_ms[i] = s->incident_ms[i - 1];
        s->incident_yellow[i] = s->incident_yellow[i - 1];
    }
    s->incident_ms[i] = at;
    s->incident_yellow[i] = yellow;
}

void sim_track_init(struct sim *s)
{
    double share = (double)s->total_laps / s->circuit.laps;
    double lap = (double)s->circuit.lap_ms;
    double race = s->total_laps * lap * 1.03;
    int max_out = s->n / 3;

    s->track = PW_TRACK_GREEN;
    s->track_timer_ms = SIM_NEVER;
    s->vsc_to_sc = false;
    s->drs_line = 0;
    for (int i = 0; i < s->n; i++) {
        struct sim_car *c = &s->cars[i];
        bool protected_car = s->podium && i == s->selected;
        if (!race_rng_chance(&s->rng, TRACK_RETIRE_CHANCE * share) || protected_car || max_out == 0)
            continue;
        max_out--;
        c->retire_crash = race_rng_chance(&s->rng, 0.4);
        if (c->retire_crash && race_rng_chance(&s->rng, 0.2))
            c->retire_ms = (int64_t)(3000 + race_rng_uniform(&s->rng) * 0.8 * lap);
        else
            c->retire_ms =
                (int64_t)(0.3 * lap + race_rng_uniform(&s->rng) * (0.97 * race - 0.3 * lap));
    }
    /* Neutralisations not caused by a retirement (debris, a car stopped and recovered),
     * and local yellows for spins and off-track moments. */
    double from_retirements = s->n * TRACK_RETIRE_CHANCE * (0.4 * 0.85 + 0.6 * 0.3);
    /* The first lap, with the whole field close together, has its own risk whatever the
     * distance; the rest scales with it. */
    double lambda =
        (TRACK_NEUTRAL_SCALE * s->circuit.incidents / 100.0 - from_retirements - TRACK_LAP1_RISK) *
        share;
    if (race_rng_chance(&s->rng, TRACK_LAP1_RISK))
        track_add_incident(s, (int64_t)(lap * (0.2 + 0.6 * race_rng_uniform(&s->rng))), false);
    int k = track_poisson(&s->rng, lambda > 0.05 ? lambda : 0.05);
    double span = race - 2.5 * lap > 0.0 ? race - 2.5 * lap : 0.0;
    for (int i = 0; i < k; i++)
        track_add_incident(s, (int64_t)(lap * 0.5 + race_rng_uniform(&s->rng) * span), false);
    k = track_poisson(&s->rng, 2.5 * share);
    span = race - lap > 0.0 ? race - lap : 0.0;
    for (int i = 0; i < k; i++)
        track_add_incident(s, (int64_t)(lap * 0.3 + race_rng_uniform(&s->rng) * span), true);
}

/* Neutralised from now: nobody gains a place on track. Cars already in a sector keep
 * their planned times, except that none may now arrive ahead of a car it was behind. */
static void track_freeze(struct sim *s)
{
    for (int sec = 0; sec < 3; sec++) {
        int ids[PW_MAX_CARS], n = 0;
        for (int i = 0; i < s->n; i++) {
            const struct sim_car *c = &s->cars[i];
            if (c->next_ms == SIM_NEVER || c->pit_sector || c->line % 3 != sec)
                continue;
            int j = n++;
            int64_t entry = s->cross[i][c->line];
            for (; j > 0 && s->cross[ids[j - 1]][s->cars[ids[j - 1]].line] > entry; j--)
                ids[j] = ids[j - 1];
            ids[j] = i;
        }
        for (int k = 1; k < n; k++) {
            int64_t min = s->cars[ids[k - 1]].next_ms + TRACK_SEP_MS;
            if (s->cars[ids[k]].next_ms < min)
                s->cars[ids[k]].next_ms = min;
        }
    }
}

/* The VSC slows every car at the same moment, wherever it is: stretch (or, when it ends,
 * shrink) what is left of each car's sector, so gaps keep their proportions. */
static void track_rescale(struct sim *s, bool to_vsc)
{
    for (int i = 0; i < s->n; i++) {
        struct sim_car *c = &s->cars[i];
        if (c->next_ms == SIM_NEVER || c->pit_sector || c->vsc_sector == to_vsc)
            continue;
        double left = (double)(c->next_ms - s->now);
        left = to_vsc ? left * TRACK_VSC_PACE : left / TRACK_VSC_PACE;
        c->next_ms = s->now + 1 + (int64_t)left;
        c->vsc_sector = to_vsc;
    }
}

void sim_track_set(struct sim *s, enum pw_track_status status, int64_t timer_ms)
{
    if (status == PW_TRACK_VSC && s->track == PW_TRACK_GREEN)
        track_rescale(s, true);
    if (status == PW_TRACK_GREEN && s->track == PW_TRACK_VSC_ENDING)
        track_rescale(s, false);
    if ((status == PW_TRACK_SC || status == PW_TRACK_VSC || status == PW_TRACK_RED) &&
        s->track != PW_TRACK_SC && s->track != PW_TRACK_VSC)
        track_freeze(s);
    /* DRS comes back a lap after a restart (F1's rule since 2024). */
    if (status == PW_TRACK_GREEN && (s->track == PW_TRACK_SC || s->track == PW_TRACK_RED))
        s->drs_line = s->cars[s->order[0]].line + 3;
    s->track = status;
    s->track_timer_ms = timer_ms;
    sim_emit(s, PW_EV_TRACK_STATUS, NULL, NULL, 0);
}

/* Whether a running car is a lap or more behind the leader. */
static bool track_any_lapped(const struct sim *s)
{
    int lead_line = s->cars[s->order[0]].line;
    for (int i = 1; i < s->n; i++) {
        const struct sim_car *c = &s->cars[s->order[i]];
        if (!c->retired && c->line + 3 < lead_line)
            return true;
    }
    return false;
}

/* How much longer than a green-flag lap a lap started now lasts: behind the safety car (or
 * stopped by a red flag) or at the VSC delta. What a team's forecast counts on. */
double sim_track_lap_factor(const struct sim *s)
{
    if (s->track == PW_TRACK_SC || s->track == PW_TRACK_RED)
        return TRACK_SC_PACE;
    if (s->track == PW_TRACK_VSC || s->track == PW_TRACK_VSC_ENDING)
        return TRACK_VSC_PACE;
    return 1.0;
}

/* The last lap a safety car may still be out on: podium mode keeps the last five laps green
 * for the promise to hold. */
static int track_last_sc_lap(const struct sim *s)
{
    return s->podium && s->selected >= 0 ? s->total_laps - 5 : s->total_laps;
}

/* The leader's lap. */
static int track_lead_lap(const struct sim *s)
{
    return s->cars[s->order[0]].line / 3 + 1;
}

/* The safety car out from now for `laps` laps of the leader, cut short to come in by the
 * last lap it may be out on. */
static void track_safety_car(struct sim *s, int laps)
{
    int lead_lap = track_lead_lap(s);
    if (lead_lap + laps > track_last_sc_lap(s))
        laps = track_last_sc_lap(s) - lead_lap;
    s->sc_end_line = (lead_lap + laps) * 3;
    sim_track_set(s, PW_TRACK_SC, SIM_NEVER);
}

void sim_track_incident(struct sim *s, int64_t at, bool crash)
{
    if (s->track != PW_TRACK_GREEN || s->chequered)
        return;
    int lead_lap = track_lead_lap(s);
    int left = s->total_laps - lead_lap;
    double u = race_rng_uniform(&s->rng);
    double p_sc = crash ? 0.65 : 0.7, p_vsc = crash ? 0.3 : 0.3;
    if (left < 1) {
        p_vsc += p_sc;
        p_sc = 0.0;
    }
    int last_sc_lap = track_last_sc_lap(s);
    if (s->podium && s->selected >= 0) {
        if (left < 5)
            p_sc = p_vsc = 0.0;
        if (lead_lap + 1 > last_sc_lap) {
            p_vsc += p_sc;
            p_sc = 0.0;
        }
    }
    if (u < p_sc) {
        int laps = race_rng_range(&s->rng, 4, 7);
        /* A real safety car stays out a lap longer while lapped cars are let by to unlap
         * themselves. The model keeps the lap, not the unlapping: its lapped cars queue where
         * they are on the road and stay a lap down. */
        if (track_any_lapped(s))
            laps++;
        track_safety_car(s, laps);
    } else if (u < p_sc + p_vsc) {
        /* Some VSCs become a safety car once race control sees what the recovery needs
         * (the 2023 Baku sprint: three minutes of VSC, then the safety car). */
        s->vsc_to_sc =
            left >= 3 && lead_lap + 3 <= last_sc_lap && race_rng_chance(&s->rng, TRACK_VSC_TO_SC);
        int64_t vsc_ms = s->vsc_to_sc ? race_rng_range(&s->rng, 40000, 120000)
                                      : race_rng_range(&s->rng, 120000, 240000);
        sim_track_set(s, PW_TRACK_VSC, at + vsc_ms);
    } else {
        sim_track_set(s, PW_TRACK_YELLOW, at + race_rng_range(&s->rng, 10000, 45000));
    }
}

/* A timed status ran out: VSC to VSC ending (or to the safety car it turns into), anything
 * else back to green. */
void sim_track_timer(struct sim *s)
{
    if (s->track == PW_TRACK_VSC && s->vsc_to_sc) {
        s->vsc_to_sc = false;
        int laps = race_rng_range(&s->rng, 3, 5);
        if (track_lead_lap(s) + 1 < track_last_sc_lap(s) && !s->chequered) {
            track_safety_car(s, laps);
            return;
        }
    }
    if (s->track == PW_TRACK_VSC)
        sim_track_set(s, PW_TRACK_VSC_ENDING, s->now + race_rng_range(&s->rng, 10000, 15000));
    else
        sim_track_set(s, PW_TRACK_GREEN, SIM_NEVER);
}

/* The next incident from the list built by sim_track_init. */
void sim_track_scheduled(struct sim *s)
{
    bool yellow = s->incident_yellow[s->next_incident];
    s->next_incident++;
    if (yellow) {
        if (s->track == PW_TRACK_GREEN && !s->chequered)
            sim_track_set(s, PW_TRACK_YELLOW, s->now + race_rng_range(&s->rng, 8000, 30000));
        return;
    }
    sim_track_incident(s, s->now, false);
}

void sim_track_leader_line(struct sim *s, int line)
{
    if (s->track == PW_TRACK_SC && line >= s->sc_end_line)
        sim_track_set(s, PW_TRACK_GREEN, SIM_NEVER);
}

/* The place `y` will hold when it crosses its next line: its place now, less the cars
 * behind it already set to cross that line first (passes decided but not yet seen). */
static int track_place_after_sector(const struct sim *s, const struct sim_car *y)
{
    int i = sim_order_index(s, y->id), place = i + 1;
    for (int k = i + 1; k < s->n; k++) {
        const struct sim_car *x = &s->cars[s->order[k]];
        if (x->line == y->line && x->next_ms < y->next_ms)
            place++;
    }
    return place;
}

/* Chance that `c`, faster by `adv_lap_ms` a lap, gets past `y` in this sector, having
 * already passed `pending` cars in it. */
static double track_pass_chance(const struct sim *s, const struct sim_car *c,
                                const struct sim_car *y, double adv_lap_ms, int lap_no, int pending)
{
    double ease = 1.0 - s->circuit.overtaking / 100.0;
    double k = TRACK_PASS_K * ease * sqrt(ease) + TRACK_PASS_FLOOR;
    /* Following in the wake costs grip: the first part of an advantage only keeps a car
     * with the one ahead. */
    double beyond = adv_lap_ms - TRACK_DIRTY_AIR_MS;
    double p = k * (beyond > 0.0 ? beyond : 0.0) / 1000.0;
    if (lap_no == 1)
        p *= 1.5;
    /* Until DRS is enabled again after a restart (and under a yellow, where it is off). */
    bool drs = s->track == PW_TRACK_GREEN && s->cars[s->order[0]].line >= s->drs_line;
    if (lap_no > 1 && y->line == c->line && !drs)
        p *= TRACK_NO_DRS;
    if (s->track == PW_TRACK_YELLOW)
        p *= 0.3;
    if (y->line < c->line)
        p = 0.92; /* lapping: blue flags */
    if (p > 0.9)
        p = 0.9;
    if (s->podium && s->selected >= 0) {
        double push = lap_no > s->total_laps - 2 ? 1.0 : (lap_no > s->total_laps - 3 ? 0.85 : 0.6);
        int place = sim_model_podium_goal(s, lap_no);
        if (c->id == s->selected) {
            int pos = sim_order_index(s, c->id) + 1 - pending;
            /* Charging from far back, as in the last laps. */
            if (sim_model_podium_charge(s, pos, lap_no))
                push = push > 0.85 ? push : 0.85;
            if (pos > place && p < push)
                p = push;
            /* At the place its race builds to, the attack on the car ahead rarely works:
             * that car is as quick, and defends. */
            if (pos <= place)
                p *= 0.15;
        }
        /* The picked driver defends well, and a podium place in the last laps for good;
         * ahead of the place drawn (others' pit stops or trouble), like anyone else. */
        if (y->id == s->selected) {
            int y_pos = track_place_after_sector(s, y);
            /* The race's lap (the leader's): a lapped attacker is a lap behind. */
            int race_lap = s->cars[s->order[0]].line / 3 + 1;
            if (y_pos >= place) {
                p *= y_pos == 3 ? 0.1 : 0.25;
                if ((y_pos <= 3 && race_lap > s->total_laps - 6) || lap_no > s->total_laps - 2 ||
                    lap_no == 1)
                    p = 0.0;
            }
        }
    }
    return p;
}

/* Whether `c` may make another pass, `pending` already made in this sector: podium mode
 * bounds the picked driver per lap, more loosely while it is too far back for the usual
 * bound to bring it to its place in the laps after this one. */
static bool track_pass_allowed(const struct sim *s, const struct sim_car *c, int lap_no,
                               int pending)
{
    if (!s->podium || c->id != s->selected)
        return true;
    int made = (c->pass_lap == lap_no ? c->passes : 0) + pending;
    if (made < RACE_SIM_PODIUM_MAX_PASSES)
        return true;
    int place = sim_order_index(s, c->id) + 1 - pending;
    return made < RACE_SIM_PODIUM_CHARGE_PASSES && sim_model_podium_charge(s, place, lap_no);
}

static void track_count_pass(struct sim_car *c, const struct sim_car *y, int lap_no)
{
    if (y->line != c->line)
        return; /* lapping or unlapping: no place changes hands */
    if (c->pass_lap != lap_no) {
        c->pass_lap = lap_no;
        c->passes = 0;
    }
    c->passes++;
}

/* Cars in the sector `c` enters, ahead of it on the road, latest arrival first. */
static int track_ahead_on_road(const struct sim *s, const struct sim_car *c, int *ids)
{
    int n = 0;
    for (int i = 0; i < s->n; i++) {
        const struct sim_car *y = &s->cars[i];
        if (y == c || y->next_ms == SIM_NEVER || y->pit_sector || y->line % 3 != c->line % 3)
            continue;
        int j = n++;
        for (; j > 0 && s->cars[ids[j - 1]].next_ms < y->next_ms; j--)
            ids[j] = ids[j - 1];
        ids[j] = i;
    }
    return n;
}

/* Where a car that passed `passed[0..n)` (the nearest first) but is stuck behind a car
 * arriving at `front` crosses the line: behind `front`, ahead of as many of the cars it
 * passed as there is room for. */
static double track_squeeze(const struct sim *s, const int *passed, int n, double front)
{
    for (int keep = n; keep > 0; keep--) {
        double lim = INFINITY;
        for (int i = 0; i < keep; i++) {
            double before = (double)s->cars[passed[i]].next_ms - 100.0;
            lim = before < lim ? before : lim;
        }
        if (front + TRACK_SEP_MS <= lim)
            return front + TRACK_SEP_MS;
        if (lim - front >= 20.0)
            return (front + lim) / 2.0;
        double next = (double)s->cars[passed[keep - 1]].next_ms;
        front = next > front ? next : front;
    }
    return front + TRACK_SEP_MS;
}

static double track_traffic(struct sim *s, struct sim_car *c, int64_t t, double free_ms, int sec,
                            int lap_no)
{
    int ids[PW_MAX_CARS], passed[PW_MAX_CARS];
    int n = track_ahead_on_road(s, c, ids), n_passed = 0;
    double a = (double)t + free_ms;
    double limit = INFINITY; /* must cross before this to stay ahead of the cars passed */
    int same_lap = 0;        /* passes for a place among them */
    bool sc = s->track == PW_TRACK_SC || s->track == PW_TRACK_RED;
    bool vsc = s->track == PW_TRACK_VSC || s->track == PW_TRACK_VSC_ENDING;

    for (int i = 0; i < n; i++) {
        struct sim_car *y = &s->cars[ids[i]];
        double arr = (double)y->next_ms;
        if (a >= arr + TRACK_SEP_MS)
            break;
        double held;
        if (sc) {
            held = arr + 400.0 + 400.0 * race_rng_uniform(&s->rng);
        } else if (vsc) {
            held = arr + TRACK_SEP_MS;
        } else {
            double y_sector = arr - (double)s->cross[y->id][y->line];
            /* Catching in this sector makes the attempt; the real pace difference, not one
             * lucky sector, decides how likely it works (on lap 1, the launch does). */
            double adv = y->pace_lap_ms - c->pace_lap_ms;
            /* Fresher tyres let a car follow closely through the corners and keep the grip
             * for the attempt, which a car as fast on worn tyres cannot: the part of the
             * advantage that comes from the tyres weighs more. */
            double grip = y->tyre_lap_ms - c->tyre_lap_ms;
            if (grip > 0.0)
                adv += TRACK_TYRE_EDGE * (grip < adv ? grip : adv);
            if (lap_no == 1)
                adv = (y_sector - free_ms) * 100.0 / s->circuit.sector_pct[sec];
            if (y_sector <= free_ms)
                adv = 0.0;
            double ahead_limit = arr - TRACK_SEP_MS - 200.0;
            bool room = ahead_limit > (double)t + 0.8 * free_ms;
            bool allowed = room && track_pass_allowed(s, c, lap_no, same_lap);
            /* Stuck behind a slower teammate: the team may tell it to let this car by. */
            bool team_orders = i == 0 && allowed && sim_team_orders_call(s, c, y, lap_no);
            double p = 0.0;
            if (!team_orders && allowed && (adv > 0.0 || y->line < c->line))
                p = track_pass_chance(s, c, y, adv > 0.0 ? adv : 0.0, lap_no, same_lap);
            if (team_orders || (p > 0.0 && race_rng_chance(&s->rng, p))) {
                if (a > arr - TRACK_SEP_MS)
                    a = arr - TRACK_SEP_MS - 200.0 * race_rng_uniform(&s->rng);
                if (y->line < c->line)
                    a += 150.0 + 300.0 * race_rng_uniform(&s->rng);
                if (a > arr - 100.0)
                    a = arr - 100.0;
                limit = arr - 100.0 < limit ? arr - 100.0 : limit;
                passed[n_passed++] = y->id;
                same_lap += y->line == c->line;
                continue;
            }
            held = arr + TRACK_SEP_MS + 300.0 * race_rng_uniform(&s->rng);
        }
        /* Stuck behind this one: squeeze in ahead of the cars just passed if there is room,
         * else give up the front-most of those passes, and so on. */
        if (held > limit)
            held = track_squeeze(s, passed, n_passed, arr);
        if (a < held)
            a = held;
        break;
    }
    for (int i = 0; i < n_passed; i++) {
        if ((double)s->cars[passed[i]].next_ms > a)
            track_count_pass(c, &s->cars[passed[i]], lap_no);
    }
    return a;
}

void sim_track_plan_sector(struct sim *s, struct sim_car *c, int64_t t)
{
    int sec = c->line % 3;
    int lap_no = c->line / 3 + 1;
    if (sec == 0)
        sim_model_plan_lap(s, c, lap_no);
    double free_ms = c->plan_ms[sec] + sim_damage_sector_ms(s, c, sec, lap_no);
    double base = (double)sim_model_base_sector_ms(s, sec);
    bool neutral = s->track == PW_TRACK_SC || s->track == PW_TRACK_VSC ||
                   s->track == PW_TRACK_VSC_ENDING || s->track == PW_TRACK_RED;

    c->vsc_sector = s->track == PW_TRACK_VSC || s->track == PW_TRACK_VSC_ENDING;
    if (c->vsc_sector) {
        if (free_ms < base * TRACK_VSC_PACE)
            free_ms = base * TRACK_VSC_PACE;
    } else if (s->track == PW_TRACK_RED) {
        /* Red flag: everyone slowly back to the pit lane, in order. */
        if (free_ms < base * TRACK_SC_PACE)
            free_ms = base * TRACK_SC_PACE;
    } else if (s->track == PW_TRACK_SC) {
        /* The leader follows the safety car; the others close up to the queue, except in
         * the pit lane, where nobody catches anything. */
        bool in_lane = (sec == 2 && c->pitting) || (sec == 0 && c->out_lap);
        double pace = s->order[0] == c->id || in_lane ? TRACK_SC_PACE : TRACK_SC_CATCH;
        if (free_ms < base * pace)
            free_ms = base * pace;
    }

    /* The pit lane: part of the loss at the end of the in-lap, the rest (the stop and the
     * pit exit) at the start of the out-lap. Slow laps under a neutralisation make the
     * loss relative to the field smaller. */
    double loss = (double)s->circuit.pit_loss_ms * (neutral ? 0.55 : 1.0);
    c->pit_sector = false;
    if (sec == 2 && c->pitting) {
        c->pit_sector = true;
        c->pit_event = 1;
        c->pit_event_ms = t + (int64_t)(0.75 * free_ms);
        free_ms += 0.4 * loss;
    } else if (sec == 0 && c->out_lap) {
        double served = sim_penalties_at_stop(s, c, loss);
        c->pit_sector = true;
        c->pit_event = 2;
        c->pit_event_ms = t + (int64_t)(0.55 * loss + served);
        free_ms += 0.6 * loss + served;
    }
    double a = c->pit_sector ? (double)t + free_ms : track_traffic(s, c, t, free_ms, sec, lap_no);
    int64_t next = (int64_t)llround(a);
    c->next_ms = next > t ? next : t + 1;
    if (c->pit_event == 2 && c->pit_event_ms >= c->next_ms)
        c->pit_event_ms = c->next_ms - 1;
}
