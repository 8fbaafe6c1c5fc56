/* race_damage.c — the damage plan, contact, punctures and what they cost on track, the notes
 * and the repair at a stop. */
#include "race/race_damage.h"

#include "race/sim_internal.h"

#include <stdio.h>
#include <string.h>

#define DAMAGE_SEED_SALT 0xD1B54A32D192ED03ull
#define DAMAGE_DEBRIS_CHANCE 0.012 /* a slow puncture from debris, per car over a Grand Prix */
#define DAMAGE_PASS_CONTACT 0.004  /* contact in an on-track pass */
#define DAMAGE_FLAT_CHANCE 0.25    /* a puncture goes down before the car reaches the pits */
#define DAMAGE_FLAT_ENDS_RACE 0.4  /* ... and the flailing tyre ends the car's race */
#define DAMAGE_SLOW_STEP_MS 250.0  /* a slow puncture costs this x k^2 in its k-th sector */
#define DAMAGE_SLOW_MAX_MS 6000.0  /* ... at most, a sector */
#define DAMAGE_FLAT_SHARE 0.45     /* on the rim a sector takes this much longer */
/* An item that cannot happen now (red flag, car in the pits) is tried again this much later. */
#define DAMAGE_RETRY_MS 20000
#define DAMAGE_MAX_TURN 14

static void dmg_insert(struct race_damage *d, int from, struct race_damage_item it)
{
    int i = from;
    for (; i > d->next_item && d->items[i - 1].at_ms > it.at_ms; i--)
        d->items[i] = d->items[i - 1];
    d->items[i] = it;
}

static void dmg_add(struct race_damage *d, int64_t at, enum race_damage_kind kind, int car,
                    int other)
{
    if (d->n_items == RACE_DAMAGE_ITEMS)
        return;
    struct race_damage_item it = {.at_ms = at, .kind = kind, .car = car, .other = other};
    dmg_insert(d, d->n_items++, it);
}

/* The item just taken could not happen: it waits in the queue a little longer. */
static void dmg_retry(struct race_damage *d, const struct race_damage_item *it, int64_t now)
{
    struct race_damage_item later = *it;
    later.at_ms = now + DAMAGE_RETRY_MS;
    d->next_item--;
    /* Shift the items due before it one place forward, then put it after them. */
    int i = d->next_item;
    for (; i + 1 < d->n_items && d->items[i + 1].at_ms <= later.at_ms; i++)
        d->items[i] = d->items[i + 1];
    d->items[i] = later;
}

static int dmg_pick_car(struct race_rng *rng, int n, int protected_car)
{
    for (int tries = 0; tries < 100; tries++) {
        int c = race_rng_range(rng, 0, n - 1);
        if (c != protected_car)
            return c;
    }
    return -1;
}

void race_damage_plan(struct race_damage *d, int n, int laps, int circuit_laps, int64_t race_ms,
                      int protected_car, bool forced, uint64_t seed)
{
    memset(d, 0, sizeof *d);
    d->forced = forced;
    d->protected_car = protected_car;
    race_rng_seed(&d->rng, seed ^ DAMAGE_SEED_SALT);
    if (n < 2 || laps < 1 || circuit_laps < 1 || race_ms <= 0)
        return;
    double share = (double)laps / circuit_laps, race = (double)race_ms;
    /* The natural items first, so a forced race has the same ones. */
    for (int i = 0; i < n; i++) {
        if (race_rng_chance(&d->rng, DAMAGE_DEBRIS_CHANCE * share) && i != protected_car)
            dmg_add(d, (int64_t)(race * (0.1 + 0.85 * race_rng_uniform(&d->rng))),
                    RACE_DAMAGE_DEBRIS, i, -1);
    }
    if (!forced)
        return;
    int car = dmg_pick_car(&d->rng, n, protected_car);
    if (car >= 0)
        dmg_add(d, (int64_t)(race * (0.2 + 0.35 * race_rng_uniform(&d->rng))), RACE_DAMAGE_DEBRIS,
                car, -1);
    /* Who runs into whom is chosen when it happens, from the order then. */
    dmg_add(d, (int64_t)(race * (0.35 + 0.4 * race_rng_uniform(&d->rng))), RACE_DAMAGE_CONTACT, -1,
            -1);
}

int64_t race_damage_next_ms(const struct race_damage *d)
{
    if (d->next_item < d->n_items)
        return d->items[d->next_item].at_ms;
    return INT64_MAX;
}

static double dmg_scale(const struct sim *s)
{
    return (double)s->circuit.lap_ms / 90000.0;
}

/* On track and racing: neither out, nor in the pit lane, nor parked, nor the protected car. */
static bool dmg_can_hit(const struct sim *s, const struct sim_car *c)
{
    return !c->retired && !c->finished && !c->in_pit && !c->pit_sector && !c->parked &&
           c->next_ms != SIM_NEVER && c->id != s->damage.protected_car;
}

static void dmg_note_contact(struct sim *s, const struct sim_car *a, const struct sim_car *b,
                             bool lap1)
{
    char text[PW_EVENT_TEXT_MAX];
    int turn = lap1 ? 1 : race_rng_range(&s->damage.rng, 1, DAMAGE_MAX_TURN);
    snprintf(text, sizeof text, "%sTURN %d INCIDENT INVOLVING CARS %s (%s) AND %s (%s) NOTED",
             lap1 ? "LAP 1 " : "", turn, a->driver.number, a->driver.tla, b->driver.number,
             b->driver.tla);
    sim_emit_race_control_car(s, a, text);
}

static void dmg_puncture(struct sim *s, struct sim_car *c)
{
    struct race_damage *d = &s->damage;
    struct race_damage_car *dc = &d->cars[c->id];
    if (dc->puncture)
        return;
    dc->puncture = true;
    dc->puncture_sectors = 0;
    dc->goes_flat = race_rng_chance(&d->rng, DAMAGE_FLAT_CHANCE);
    dc->ends_race = dc->goes_flat && race_rng_chance(&d->rng, DAMAGE_FLAT_ENDS_RACE);
}

static void dmg_wing(struct sim *s, struct sim_car *c, bool severe)
{
    struct race_damage *d = &s->damage;
    struct race_damage_car *dc = &d->cars[c->id];
    double lo = severe ? 1500.0 : 300.0, span = severe ? 1500.0 : 500.0;
    double ms = (lo + span * race_rng_uniform(&d->rng)) * dmg_scale(s);
    dc->wing = true;
    dc->wing_severe |= severe;
    dc->wing_ms = ms > dc->wing_ms ? ms : dc->wing_ms;
    if (severe) {
        char who[32], text[PW_EVENT_TEXT_MAX];
        sim_car_who(c, who, sizeof who);
        snprintf(text, sizeof text, "BLACK AND ORANGE FLAG FOR %s", who);
        sim_emit_race_control_car(s, c, text);
    }
}

static void dmg_floor(struct sim *s, struct sim_car *c)
{
    struct race_damage *d = &s->damage;
    d->cars[c->id].floor_ms += (200.0 + 400.0 * race_rng_uniform(&d->rng)) * dmg_scale(s);
}

/* A car runs into the one ahead: its front wing, and a puncture or the floor of the other. */
static bool dmg_contact(struct sim *s)
{
    struct race_damage *d = &s->damage;
    for (int tries = 0; tries < 30; tries++) {
        int i = race_rng_range(&d->rng, 1, s->n - 1);
        struct sim_car *behind = &s->cars[s->order[i]], *ahead = &s->cars[s->order[i - 1]];
        if (!dmg_can_hit(s, behind) || !dmg_can_hit(s, ahead) || ahead->line - behind->line >= 3)
            continue;
        dmg_note_contact(s, behind, ahead, false);
        dmg_wing(s, behind, race_rng_chance(&d->rng, 0.6));
        if (race_rng_chance(&d->rng, 0.5))
            dmg_puncture(s, ahead);
        else
            dmg_floor(s, ahead);
        return true;
    }
    return false;
}

void sim_damage_happen(struct sim *s)
{
    struct race_damage *d = &s->damage;
    struct race_damage_item it = d->items[d->next_item++];
    if (s->chequered)
        return;
    struct sim_car *c = it.car >= 0 ? &s->cars[it.car] : NULL;
    if (it.kind == RACE_DAMAGE_LAP1_NOTE) {
        /* The wing was hit in the first corners; the car is already called in for a nose. */
        if (c->retired || c->finished)
            return;
        dmg_note_contact(s, c, &s->cars[it.other], true);
        s->damage.cars[c->id].wing = true;
        return;
    }
    if (s->track == PW_TRACK_RED || (c && !dmg_can_hit(s, c))) {
        if (c && (c->retired || c->finished))
            return;
        dmg_retry(d, &it, s->now);
        return;
    }
    if (it.kind == RACE_DAMAGE_DEBRIS) {
        char text[PW_EVENT_TEXT_MAX];
        snprintf(text, sizeof text, "DEBRIS AT TURN %d",
                 race_rng_range(&d->rng, 1, DAMAGE_MAX_TURN));
        sim_emit_race_control(s, text);
        dmg_puncture(s, c);
    } else if (!dmg_contact(s)) {
        dmg_retry(d, &it, s->now);
    }
}

void sim_damage_first_lap(struct sim *s, struct sim_car *c)
{
    struct race_damage *d = &s->damage;
    int i = sim_order_index(s, c->id);
    int other = s->order[i > 0 ? i - 1 : 1];
    double at = (double)s->cross[c->id][0] + 0.35 * c->plan_ms[0];
    d->cars[c->id].wing_ms = (300.0 + 700.0 * race_rng_uniform(&d->rng)) * dmg_scale(s);
    dmg_add(d, (int64_t)at, RACE_DAMAGE_LAP1_NOTE, c->id, other);
}

void sim_damage_collision(struct sim *s, struct sim_car *c)
{
    struct race_damage *d = &s->damage;
    int i = sim_order_index(s, c->id);
    struct sim_car *ahead = i > 0 ? &s->cars[s->order[i - 1]] : NULL;
    if (dmg_can_hit(s, c))
        dmg_wing(s, c, race_rng_chance(&d->rng, 0.5));
    if (!ahead || !dmg_can_hit(s, ahead) || ahead->line - c->line >= 3)
        return;
    if (race_rng_chance(&d->rng, 0.5))
        dmg_puncture(s, ahead);
    else
        dmg_floor(s, ahead);
}

void sim_damage_after_pass(struct sim *s, struct sim_car *c, struct sim_car *y)
{
    struct race_damage *d = &s->damage;
    if (s->chequered || s->track == PW_TRACK_RED || !race_rng_chance(&d->rng, DAMAGE_PASS_CONTACT))
        return;
    /* Half the time the car passed runs into the passer: its front wing; otherwise it clips
     * the passer's rear tyre or floor. */
    double u = race_rng_uniform(&d->rng);
    struct sim_car *victim = u < 0.5 ? y : c;
    if (!dmg_can_hit(s, victim))
        return;
    dmg_note_contact(s, c, y, false);
    if (u < 0.5)
        dmg_wing(s, y, u < 0.2);
    else if (u < 0.8)
        dmg_puncture(s, c);
    else
        dmg_floor(s, c);
}

/* The cost of a puncture in the sector it is starting, ms: growing, or on the rim. */
static double dmg_puncture_ms(struct sim *s, struct sim_car *c, double sector_ms)
{
    struct race_damage_car *dc = &s->damage.cars[c->id];
    int k = ++dc->puncture_sectors;
    if (dc->goes_flat && k >= 2 && !dc->flat) {
        dc->flat = true;
        int64_t at = s->now + (int64_t)(0.5 * sector_ms);
        if (dc->ends_race && at < c->retire_ms)
            c->retire_ms = at;
    }
    if (dc->flat)
        return DAMAGE_FLAT_SHARE * sector_ms;
    double slow = DAMAGE_SLOW_STEP_MS * k * k;
    return (slow < DAMAGE_SLOW_MAX_MS ? slow : DAMAGE_SLOW_MAX_MS) * dmg_scale(s);
}

/* Whether `c` comes in at the end of this lap for its damage. */
static bool dmg_wants_stop(const struct sim *s, const struct sim_car *c, int lap_no)
{
    const struct race_damage_car *dc = &s->damage.cars[c->id];
    if (c->pitting || lap_no >= s->total_laps - 1 || s->chequered || s->track == PW_TRACK_RED)
        return false;
    if (dc->puncture || (dc->wing && dc->wing_severe))
        return true;
    /* A lighter wing waits for a stop due soon, unless the laps left would cost more. */
    bool stop_soon = c->next_stop_lap > 0 && c->next_stop_lap - lap_no <= 8;
    return dc->wing && !stop_soon &&
           dc->wing_ms * (s->total_laps - lap_no) > (double)s->circuit.pit_loss_ms;
}

double sim_damage_sector_ms(struct sim *s, struct sim_car *c, int sec, int lap_no)
{
    struct race_damage_car *dc = &s->damage.cars[c->id];
    double share = s->circuit.sector_pct[sec] / 100.0;
    double sector_ms = (double)sim_model_base_sector_ms(s, sec);
    double ms = dc->floor_ms * share;
    /* Leaving the pits: the stop repairs what can be. */
    if (!(sec == 0 && c->out_lap)) {
        if (dc->wing)
            ms += dc->wing_ms * share;
        if (dc->puncture)
            ms += dmg_puncture_ms(s, c, sector_ms);
    }
    if (sec == 2 && dmg_wants_stop(s, c, lap_no))
        sim_model_call_in(s, c, lap_no);
    /* A damaged car is slower as traffic sees it, so the cars behind attack it. */
    if (sec == 0)
        dc->in_pace_ms = 0.0;
    double lap_equiv = ms / share;
    c->pace_lap_ms += lap_equiv - dc->in_pace_ms;
    dc->in_pace_ms = lap_equiv;
    return ms;
}

void sim_damage_repair(struct sim *s, struct sim_car *c)
{
    struct race_damage_car *dc = &s->damage.cars[c->id];
    double floor_ms = dc->floor_ms, in_pace = dc->in_pace_ms;
    memset(dc, 0, sizeof *dc);
    dc->floor_ms = floor_ms; /* no repair for the floor */
    dc->in_pace_ms = in_pace;
}

const char *sim_damage_retire_cause(const struct sim *s, const struct sim_car *c)
{
    const struct race_damage_car *dc = &s->damage.cars[c->id];
    return dc->flat && dc->ends_race ? PW_RETIRE_PUNCTURE : NULL;
}

void sim_damage_fill_state(const struct sim *s, struct pw_race_state *st)
{
    st->damage_known = true;
    for (int i = 0; i < s->n; i++) {
        const struct race_damage_car *dc = &s->damage.cars[s->order[i]];
        st->cars[i].damage = dc->puncture         ? PW_DAMAGE_PUNCTURE
                             : dc->wing           ? PW_DAMAGE_FRONT_WING
                             : dc->floor_ms > 0.0 ? PW_DAMAGE_FLOOR
                                                  : PW_DAMAGE_NONE;
    }
}
