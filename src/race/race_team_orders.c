/* race_team_orders.c — when a team tells its car to let the faster teammate by, and the
 * record of who was let by (see race_team_orders.h). */
#include "race/race_team_orders.h"

#include "race/sim_internal.h"

#include <string.h>

#define TEAM_ORDERS_SEED_SALT 0x7E4A0D3B95C1F268ull

void race_team_orders_plan(struct race_team_orders *t, int protected_car, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    t->protected_car = protected_car;
    race_rng_seed(&t->rng, seed ^ TEAM_ORDERS_SEED_SALT);
}

static bool team_mates(const struct sim_car *a, const struct sim_car *b)
{
    return a->driver.team[0] && strcmp(a->driver.team, b->driver.team) == 0;
}

/* `c` has followed `y` within RACE_TEAM_ORDERS_CLOSE_MS at each of the last
 * RACE_TEAM_ORDERS_LINES lines, both on the same lap. */
static bool team_nose_to_tail(const struct sim *s, const struct sim_car *c, const struct sim_car *y)
{
    if (c->line < RACE_TEAM_ORDERS_LINES || y->line != c->line)
        return false;
    for (int line = c->line - RACE_TEAM_ORDERS_LINES + 1; line <= c->line; line++) {
        int64_t behind = s->cross[c->id][line] - s->cross[y->id][line];
        if (behind <= 0 || behind > RACE_TEAM_ORDERS_CLOSE_MS)
            return false;
    }
    return true;
}

bool sim_team_orders_call(struct sim *s, const struct sim_car *c, const struct sim_car *y,
                          int lap_no)
{
    struct race_team_orders *t = &s->team_orders;
    if (s->track != PW_TRACK_GREEN || lap_no < 2 ||
        lap_no > s->total_laps - RACE_TEAM_ORDERS_LAST_LAPS || !team_mates(c, y))
        return false;
    /* The car let by keeps the place: no swapping back and forth. */
    if (y->id == t->protected_car || t->let_by[y->id])
        return false;
    /* The picked driver in podium mode is let by on its way to the place its race builds
     * to, not past it: the story's end stays the one drawn. */
    if (c->id == t->protected_car &&
        sim_order_index(s, c->id) + 1 <= sim_model_podium_goal(s, lap_no))
        return false;
    if (c->pitting || y->pitting || y->in_pit || c->in_pit || y->parked || c->parked)
        return false;
    double margin = RACE_TEAM_ORDERS_MARGIN * (double)s->circuit.lap_ms;
    if (y->pace_lap_ms - c->pace_lap_ms < margin || !team_nose_to_tail(s, c, y))
        return false;
    if (!race_rng_chance(&t->rng, RACE_TEAM_ORDERS_CALL_CHANCE))
        return false;
    t->called[c->id] = y->id + 1;
    return true;
}

bool sim_team_orders_swapped(struct sim *s, const struct sim_car *c, const struct sim_car *y)
{
    struct race_team_orders *t = &s->team_orders;
    if (t->called[c->id] != y->id + 1)
        return false;
    t->let_by[c->id] = true;
    return true;
}

void sim_team_orders_line(struct sim *s, const struct sim_car *c)
{
    s->team_orders.called[c->id] = 0;
}
