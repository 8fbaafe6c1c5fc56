/* race_red_flag.h — a red flag in a simulated race: the race stopped, the cars in the pit
 * lane in order, a free change of tyres, and the restart.
 *
 * Owns: the red flag's plan (`struct race_red_flag`, plain data inside the simulator), made
 * when the race is created from a random stream of its own, and its course:
 *   1. at `at_ms` (once the track is green or yellow: a safety car or VSC in progress is
 *      allowed to finish first) the track goes red: no place changes hands any more, every
 *      car on the lead lap drives slowly to the end of the leader's lap (a lapped car to the
 *      end of its own) and parks in the pit lane (`in_pit` in the state; no pit stop is
 *      counted); the order when the flag came out is the order of the restart;
 *   2. the suspension lasts `suspension_ms` (and at least until every car has parked);
 *   3. at the restart each car gets a new set of tyres (free: the rules allow a change
 *      under a red flag; the compound counts for the two-compound rule), leaves the pit
 *      lane in order a second apart, and the race resumes, from a standing start or behind
 *      the safety car for a lap or two.
 * Race-control notes in the live-timing feed's words: "RED FLAG", then "STANDING START" or
 * "RACE WILL RESUME BEHIND THE SAFETY CAR", then "GREEN LIGHT - PIT EXIT OPEN".
 *
 * A race without a red flag makes no draw here that changes anything else. */
#ifndef PW_RACE_RED_FLAG_H
#define PW_RACE_RED_FLAG_H

#include "core/timing.h"

#include <stdbool.h>
#include <stdint.h>

enum race_red_phase { RACE_RED_NONE = 0, RACE_RED_PLANNED, RACE_RED_STOPPED, RACE_RED_DONE };

struct race_red_flag {
    enum race_red_phase phase;
    int64_t at_ms;         /* when the track goes red (planned; later if neutralised) */
    int64_t suspension_ms; /* how long the race stays stopped */
    int64_t resume_ms;     /* when the cars leave the pit lane (set once stopped) */
    bool standing;         /* standing restart; else behind the safety car */
    int n;
    int order[PW_MAX_CARS]; /* car ids in running order when the flag came out */
};

/* Plan a red flag 25-60% of the way into a race of about `race_ms`. */
void race_red_flag_plan(struct race_red_flag *r, int64_t race_ms, uint64_t seed);
/* A shower that floods the track: the flag is for standing water, shown once the track
 * has been soaked since `soaked_ms` for a lap and a half (`lap_ms` a lap), when every car
 * has had time to fit full wets, rather than in the middle of the rush to the pits; unless
 * that is within four laps of the end of a race of about `race_ms`, too late for a flag. */
void race_red_flag_standing_water(struct race_red_flag *r, int64_t soaked_ms, int64_t lap_ms,
                                  int64_t race_ms);
/* When the red flag next needs the simulator's attention; INT64_MAX for never. */
int64_t race_red_flag_next_ms(const struct race_red_flag *r);

/* The simulator's hooks (race_red_flag.c). */
struct sim;
struct sim_car;
/* The red flag's happening: stop the race, or restart it. */
void sim_red_flag_happen(struct sim *s);
/* Podium mode's foresight: the red flag is due before the end of the lap planned now (at
 * the pace the track allows) and three green laps more (a wet lap or a neutralisation is
 * slower than a green one, so two were not always enough). */
bool sim_red_flag_due_soon(const struct sim *s);
/* `c` just completed a lap under the red flag: it parks in the pit lane. True if parked
 * (the caller plans nothing more for it). */
bool sim_red_flag_park(struct sim *s, struct sim_car *c);

#endif
