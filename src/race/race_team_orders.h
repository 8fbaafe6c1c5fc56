/* race_team_orders.h — team orders in a simulated race: a team tells the car ahead to let its
 * faster teammate by.
 *
 * Owns: the race's team orders (`struct race_team_orders`, plain data inside the simulator):
 * the call drawn from a random stream of its own, so a race in which no team makes the call
 * is the race it always was, and which cars have been let by.
 *
 * The call comes when a car starts a sector right behind its teammate on the road and
 * everything below holds: both on the same lap and racing (neither in the pit lane nor on an
 * in-lap), the track green, the race past lap 1 and before its last RACE_TEAM_ORDERS_LAST_LAPS
 * laps, the car within RACE_TEAM_ORDERS_CLOSE_MS behind the teammate at each of the last
 * RACE_TEAM_ORDERS_LINES timing lines (two laps nose to tail: it cannot find a way by on its
 * own), and faster by the lap plan without noise by RACE_TEAM_ORDERS_MARGIN of a lap. The
 * team then makes the call with RACE_TEAM_ORDERS_CALL_CHANCE at each such line, and the
 * teammate lets the car by in that sector: it crosses the next line ahead, an overtake event
 * with `text` PW_OVERTAKE_TEAM_ORDERS. F1's feed does not announce team orders; race control
 * says nothing.
 *
 * A car let by is never asked to give the place back, so a faster car that then fails to
 * pull away never swaps back and forth with its teammate. In podium mode the picked driver
 * is never asked to let anyone by; its teammate lets it by like any team's car would while
 * it is behind the place its race builds to. */
#ifndef PW_RACE_TEAM_ORDERS_H
#define PW_RACE_TEAM_ORDERS_H

#include "core/timing.h"
#include "race/rng.h"

#include <stdbool.h>
#include <stdint.h>

#define RACE_TEAM_ORDERS_CLOSE_MS 1000    /* nose to tail at a line */
#define RACE_TEAM_ORDERS_LINES 6          /* ... at this many lines in a row: two laps */
#define RACE_TEAM_ORDERS_MARGIN 0.006     /* the faster car's edge, share of a lap (0.54 s of 90) */
#define RACE_TEAM_ORDERS_CALL_CHANCE 0.10 /* the call, at each line the conditions hold */
#define RACE_TEAM_ORDERS_LAST_LAPS 2      /* no call in the race's last laps */

struct race_team_orders {
    struct race_rng rng;
    int protected_car;        /* never asked to let a car by; -1 for none */
    bool let_by[PW_MAX_CARS]; /* let by its teammate: never asked to give the place back */
    int called[PW_MAX_CARS];  /* id + 1 of the teammate told to let this car by in the sector
                                 under way; 0 for none */
};

void race_team_orders_plan(struct race_team_orders *t, int protected_car, uint64_t seed);

/* The simulator's hooks (race_team_orders.c). */
struct sim;
struct sim_car;
/* `c` starts a sector of lap `lap_no` with `y` the nearest car ahead of it on the road:
 * whether y's team tells it to let `c` by in this sector (the conditions above, then the
 * draw). */
bool sim_team_orders_call(struct sim *s, const struct sim_car *c, const struct sim_car *y,
                          int lap_no);
/* `c` crossed a line ahead of `y`: whether that was a team-orders swap (recorded if so). */
bool sim_team_orders_swapped(struct sim *s, const struct sim_car *c, const struct sim_car *y);
/* `c` crossed a line: a call for the sector just ended is over. */
void sim_team_orders_line(struct sim *s, const struct sim_car *c);

#endif
