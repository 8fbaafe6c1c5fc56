/* race_penalties.c — the penalty plan, the stewards' notes, serving penalties and the
 * classification by race time. */
#include "race/race_penalties.h"

#include "race/sim_internal.h"

#include <stdio.h>
#include <string.h>

#define PEN_SEED_SALT 0x9E3779B97F4A7C15ull
#define PEN_DECISION_MS 60000 /* the stewards decide a minute after noting */

static void pen_add(struct race_penalties *p, int64_t at, enum race_pen_kind kind, int car,
                    int seconds)
{
    if (p->n_items == RACE_PEN_ITEMS)
        return;
    int i = p->n_items++;
    for (; i > 0 && p->items[i - 1].at_ms > at; i--)
        p->items[i] = p->items[i - 1];
    p->items[i] = (struct race_pen_item){.at_ms = at, .kind = kind, .car = car, .seconds = seconds};
}

/* A car not yet picked for anything, never the protected one. */
static int pen_pick_car(struct race_rng *rng, int n, int protected_car, const bool *used)
{
    for (int tries = 0; tries < 100; tries++) {
        int c = race_rng_range(rng, 0, n - 1);
        if (c != protected_car && !used[c])
            return c;
    }
    return -1;
}

static void pen_plan_limits(struct race_penalties *p, struct race_rng *rng, int k, int car,
                            int laps, int count)
{
    p->limits_car[k] = car;
    /* Spread over the middle of the race, one every few laps. */
    int lap = laps / 5 > 2 ? laps / 5 : 2;
    int step = (laps * 3 / 5) / (count + 1);
    step = step < 1 ? 1 : step;
    for (int i = 0; i < count && car >= 0; i++) {
        lap += race_rng_range(rng, 1, step);
        p->limits_lap[k][i] = lap < laps - 1 ? lap : laps - 1;
    }
}

void race_penalties_plan(struct race_penalties *p, int n, int laps, int64_t race_ms,
                         int protected_car, uint64_t seed)
{
    struct race_rng rng;
    bool used[PW_MAX_CARS] = {false};
    double race = (double)race_ms;
    memset(p, 0, sizeof *p);
    p->limits_car[0] = p->limits_car[1] = -1;
    if (n < 6 || laps < 5 || race_ms <= 0)
        return;
    p->on = true;
    race_rng_seed(&rng, seed ^ PEN_SEED_SALT);
    for (int k = 0; k < 2; k++) {
        int car = pen_pick_car(&rng, n, protected_car, used);
        if (car >= 0)
            used[car] = true;
        pen_plan_limits(p, &rng, k, car, laps, k == 0 ? 4 : 3);
    }
    int car = pen_pick_car(&rng, n, protected_car, used);
    if (car >= 0) {
        used[car] = true;
        int64_t at = (int64_t)(race * (0.6 + 0.2 * race_rng_uniform(&rng)));
        pen_add(p, at, RACE_PEN_NOTE_COLLISION, car, 0);
        pen_add(p, at + PEN_DECISION_MS, RACE_PEN_COLLISION, car,
                race_rng_chance(&rng, 0.5) ? 5 : 10);
    }
    car = pen_pick_car(&rng, n, protected_car, used);
    if (car >= 0) {
        used[car] = true;
        pen_add(p, (int64_t)(race * (0.3 + 0.3 * race_rng_uniform(&rng))), RACE_PEN_DRIVE_THROUGH,
                car, 0);
    }
    p->protected_car = protected_car;
    p->unsafe_from_ms = (int64_t)(race * (0.15 + 0.3 * race_rng_uniform(&rng)));
}

int64_t race_penalties_next_ms(const struct race_penalties *p)
{
    if (p->next_item < p->n_items)
        return p->items[p->next_item].at_ms;
    return INT64_MAX;
}

static bool pen_running(const struct sim_car *c)
{
    return !c->retired && !c->finished;
}

static void pen_note(struct sim *s, const struct sim_car *c, const char *text)
{
    sim_emit_race_control_car(s, c, text);
}

static void pen_time(struct sim *s, struct sim_car *c, int seconds, const char *reason)
{
    struct race_penalties *p = &s->penalties;
    char who[32], text[PW_EVENT_TEXT_MAX];
    sim_car_who(c, who, sizeof who);
    p->owed_ms[c->id] += (int64_t)seconds * 1000;
    if (p->n_owed[c->id] < 3)
        p->owed_s[c->id][p->n_owed[c->id]++] = seconds;
    snprintf(text, sizeof text, "FIA STEWARDS: %d SECOND TIME PENALTY FOR %s - %s", seconds, who,
             reason);
    pen_note(s, c, text);
}

void sim_penalties_happen(struct sim *s)
{
    struct race_penalties *p = &s->penalties;
    struct race_pen_item *it = &p->items[p->next_item++];
    char who[32], text[PW_EVENT_TEXT_MAX];
    if (s->chequered)
        return;
    struct sim_car *c = &s->cars[it->car];
    if (!pen_running(c))
        return;
    sim_car_who(c, who, sizeof who);
    switch (it->kind) {
    case RACE_PEN_NOTE_COLLISION:
        snprintf(text, sizeof text, "INCIDENT INVOLVING %s NOTED - CAUSING A COLLISION", who);
        pen_note(s, c, text);
        sim_damage_collision(s, c);
        break;
    case RACE_PEN_COLLISION:
        pen_time(s, c, it->seconds, "CAUSING A COLLISION");
        break;
    case RACE_PEN_UNSAFE:
        pen_time(s, c, 5, "UNSAFE RELEASE");
        break;
    case RACE_PEN_DRIVE_THROUGH:
        p->drive_through_by_lap[c->id] = c->line / 3 + 3;
        snprintf(text, sizeof text,
                 "FIA STEWARDS: DRIVE THROUGH PENALTY FOR %s - IGNORING BLUE FLAGS", who);
        pen_note(s, c, text);
        break;
    default:
        break;
    }
}

void sim_penalties_pit_out(struct sim *s, struct sim_car *c)
{
    struct race_penalties *p = &s->penalties;
    if (!p->on || p->unsafe_done || s->now < p->unsafe_from_ms || c->id == p->protected_car ||
        c->drive_through || s->chequered)
        return;
    p->unsafe_done = true;
    char who[32], text[PW_EVENT_TEXT_MAX];
    sim_car_who(c, who, sizeof who);
    snprintf(text, sizeof text, "INCIDENT INVOLVING %s NOTED - UNSAFE RELEASE", who);
    pen_note(s, c, text);
    /* Every item before now is handled, so the decision lands after them, in time order. */
    pen_add(p, s->now + PEN_DECISION_MS, RACE_PEN_UNSAFE, c->id, 5);
}

static void pen_format_lap(int64_t ms, char *out, size_t len)
{
    snprintf(out, len, "%d:%02d.%03d", (int)(ms / 60000), (int)(ms / 1000 % 60), (int)(ms % 1000));
}

void sim_penalties_lap(struct sim *s, struct sim_car *c)
{
    struct race_penalties *p = &s->penalties;
    int lap_no = c->line / 3;
    for (int k = 0; p->on && k < 2; k++) {
        int d = p->limits_done[k];
        if (p->limits_car[k] != c->id || d >= RACE_PEN_LIMITS_LAPS || p->limits_lap[k][d] == 0 ||
            lap_no < p->limits_lap[k][d])
            continue;
        /* Not on a lap through the pit lane, nor the race's fastest lap (it would stand). */
        if (c->out_lap || c->in_pit || c->last_lap_ms == s->fastest_ms || s->chequered)
            return;
        char who[32], lap[16], text[PW_EVENT_TEXT_MAX];
        sim_car_who(c, who, sizeof who);
        pen_format_lap(c->last_lap_ms, lap, sizeof lap);
        snprintf(text, sizeof text, "%s TIME %s DELETED - TRACK LIMITS AT TURN %d LAP %d", who, lap,
                 1 + (int)((uint64_t)(lap_no * 7 + c->id) % 15), lap_no);
        p->limits_done[k] = ++d;
        pen_note(s, c, text);
        if (d == 3) {
            p->black_white[c->id] = true;
            snprintf(text, sizeof text, "BLACK AND WHITE FLAG FOR %s - TRACK LIMITS", who);
            pen_note(s, c, text);
        } else if (d == 4) {
            pen_time(s, c, 5, "TRACK LIMITS");
        }
    }
}

bool sim_penalties_drive_through(struct sim *s, struct sim_car *c, int lap_no)
{
    int by = s->penalties.drive_through_by_lap[c->id];
    /* Served on the first lap it can be; the last two laps have no stops. */
    if (by == 0 || c->out_lap || lap_no >= s->total_laps - 1)
        return false;
    c->drive_through = true;
    return true;
}

double sim_penalties_at_stop(struct sim *s, struct sim_car *c, double loss_ms)
{
    struct race_penalties *p = &s->penalties;
    char who[32], text[PW_EVENT_TEXT_MAX];
    if (!p->on)
        return 0.0;
    sim_car_who(c, who, sizeof who);
    if (c->drive_through) {
        p->drive_through_by_lap[c->id] = 0;
        snprintf(text, sizeof text, "FIA STEWARDS: PENALTY SERVED - DRIVE THROUGH PENALTY FOR %s",
                 who);
        pen_note(s, c, text);
        /* Down the lane at the limit, no stop: a tenth of the usual loss saved. */
        return -0.1 * loss_ms;
    }
    if (p->owed_ms[c->id] == 0)
        return 0.0;
    double owed = (double)p->owed_ms[c->id];
    for (int i = 0; i < p->n_owed[c->id]; i++) {
        snprintf(text, sizeof text, "FIA STEWARDS: PENALTY SERVED - %d SECOND TIME PENALTY FOR %s",
                 p->owed_s[c->id][i], who);
        pen_note(s, c, text);
    }
    p->owed_ms[c->id] = 0;
    p->n_owed[c->id] = 0;
    return owed;
}

void sim_penalties_finish(struct sim *s)
{
    struct race_penalties *p = &s->penalties;
    if (!p->on)
        return;
    for (int i = 0; i < s->n; i++) {
        struct sim_car *c = &s->cars[i];
        if (p->drive_through_by_lap[i] && c->finished) {
            p->owed_ms[i] += RACE_PEN_DRIVE_THROUGH_MS;
            p->drive_through_by_lap[i] = 0;
        }
        if (p->owed_ms[i] == 0 || !c->finished)
            continue;
        char who[32], text[PW_EVENT_TEXT_MAX];
        sim_car_who(c, who, sizeof who);
        snprintf(text, sizeof text, "%s %d SECONDS ADDED TO RACE TIME", who,
                 (int)(p->owed_ms[i] / 1000));
        s->cross[i][c->line] += p->owed_ms[i];
        p->owed_ms[i] = 0;
        p->n_owed[i] = 0;
        pen_note(s, c, text);
    }
    /* Finishers by laps, then by race time (penalties included); retired cars stay below. */
    int nf = 0;
    while (nf < s->n && s->cars[s->order[nf]].finished)
        nf++;
    for (int i = 1; i < nf; i++) {
        for (int j = i; j > 0; j--) {
            const struct sim_car *a = &s->cars[s->order[j - 1]], *b = &s->cars[s->order[j]];
            bool b_first =
                b->line > a->line ||
                (b->line == a->line && s->cross[b->id][b->line] < s->cross[a->id][a->line]);
            if (!b_first)
                break;
            int t = s->order[j];
            s->order[j] = s->order[j - 1];
            s->order[j - 1] = t;
        }
    }
}

void sim_penalties_fill_state(const struct sim *s, struct pw_race_state *st)
{
    const struct race_penalties *p = &s->penalties;
    st->penalties_known = p->on;
    for (int i = 0; p->on && i < s->n; i++) {
        int id = s->order[i];
        st->cars[i].penalty_s = (int)(p->owed_ms[id] / 1000);
        st->cars[i].drive_through = p->drive_through_by_lap[id] != 0;
        st->cars[i].black_white = p->black_white[id];
        for (int k = 0; k < 2; k++) {
            if (p->limits_car[k] == id)
                st->cars[i].deleted_laps = p->limits_done[k];
        }
    }
}
