/* sim_order.c — running order and the public live-timing state.
 *
 * The order is what live timing shows: cars ranked by timing lines crossed, then by when
 * they crossed the last one; retired cars sink to the bottom. Gaps are measured at the
 * timing lines, the way F1's timing does it, then made monotonic down the order. */
#include "race/sim_internal.h"

#include <stdio.h>
#include <string.h>

int sim_order_index(const struct sim *s, int car_id)
{
    for (int i = 0; i < s->n; i++) {
        if (s->order[i] == car_id)
            return i;
    }
    return -1;
}

int sim_order_before(const struct sim *s, int a, int b)
{
    const struct sim_car *ca = &s->cars[a], *cb = &s->cars[b];
    if (ca->retired != cb->retired)
        return !ca->retired;
    if (ca->line != cb->line)
        return ca->line > cb->line;
    if (ca->retired) {
        if (ca->retired_at != cb->retired_at)
            return ca->retired_at > cb->retired_at;
        return a < b;
    }
    int64_t ta = s->cross[a][ca->line], tb = s->cross[b][cb->line];
    if (ta != tb)
        return ta < tb;
    return a < b;
}

void sim_order_sink_retired(struct sim *s, int car_id)
{
    int i = sim_order_index(s, car_id);
    for (; i + 1 < s->n && sim_order_before(s, s->order[i + 1], car_id); i++)
        s->order[i] = s->order[i + 1];
    s->order[i] = car_id;
}

/* Whole laps by which `behind` trails `ahead`: how many later laps `ahead` had already
 * crossed this same line on when `behind` crossed it. */
static int order_laps_down(const struct sim *s, int ahead, int behind)
{
    int p = s->cars[behind].line;
    int64_t t = s->cross[behind][p];
    int k = 0;
    while (p + 3 * (k + 1) <= s->cars[ahead].line && s->cross[ahead][p + 3 * (k + 1)] < t)
        k++;
    return k;
}

static void order_fill_car(const struct sim *s, const struct sim_car *c, struct pw_car *pc)
{
    pc->driver = c->driver;
    pc->laps = c->line / 3;
    pc->last_lap_ms = c->last_lap_ms;
    pc->best_lap_ms = c->best_lap_ms;
    pc->best_lap_no = c->best_lap_no;
    memcpy(pc->sectors_ms, c->sector_ms, sizeof pc->sectors_ms);
    pc->tyre = c->tyre;
    pc->tyre_age = c->tyre_age;
    pc->tyre_new = c->tyre_new;
    pc->pit_stops = c->pit_stops;
    pc->in_pit = c->in_pit;
    pc->retired = c->retired;
    pc->finished = c->finished;
}

void sim_state_refresh(struct sim *s)
{
    struct pw_race_state *st = &s->state;
    int lead = s->order[0];
    const struct sim_car *lc = &s->cars[lead];
    int64_t prev_gap = 0;
    int prev_laps = 0;

    st->n_cars = s->n;
    st->total_laps = s->total_laps;
    st->race_ms = s->now;
    st->started = s->lights_out;
    st->finished = s->chequered;
    st->track = s->track;
    st->lap = 0;
    if (s->lights_out)
        st->lap = lc->line / 3 + 1 > s->total_laps ? s->total_laps : lc->line / 3 + 1;
    st->fastest_lap_ms = s->fastest_ms;
    memcpy(st->fastest_number, s->fastest_number, sizeof st->fastest_number);
    sim_weather_fill_state(s, st);
    sim_penalties_fill_state(s, st);
    sim_damage_fill_state(s, st);

    for (int i = 0; i < s->n; i++) {
        int id = s->order[i];
        const struct sim_car *c = &s->cars[id];
        struct pw_car *pc = &st->cars[i];
        order_fill_car(s, c, pc);
        pc->position = i + 1;
        int64_t gap = prev_gap;
        int laps = prev_laps, ilaps = 0;
        /* On the grid there is no gap to show yet. */
        if (i > 0 && !c->retired && s->lights_out) {
            int p = c->line;
            int64_t raw = s->cross[id][p] - s->cross[lead][p];
            /* Between lines the gap is at least how long ago the leader crossed the next
             * one, so a car in trouble (a slow pit stop) drifts back live. */
            if (!c->finished && lc->line > p && s->now - s->cross[lead][p + 1] > raw)
                raw = s->now - s->cross[lead][p + 1];
            if (raw > gap)
                gap = raw;
            int down = order_laps_down(s, lead, id);
            if (down > laps)
                laps = down;
            ilaps = order_laps_down(s, s->order[i - 1], id);
            if (ilaps > laps)
                ilaps = laps;
        }
        pc->gap_ms = gap;
        pc->gap_laps = laps;
        pc->interval_ms = gap - prev_gap;
        pc->interval_laps = ilaps;
        prev_gap = gap;
        prev_laps = laps;
    }
}
