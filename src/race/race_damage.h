/* race_damage.h — damage and slow punctures in a simulated race.
 *
 * Owns: the race's damage (`struct race_damage`, plain data inside the simulator): a plan
 * made when the race is created and every draw made from a random stream of its own, so a
 * race in which nothing is damaged is the race it always was. What can happen to a car:
 *   - a slow puncture (debris, or a rear tyre clipped in a pass): the car loses a growing
 *     amount of time each sector until it pits for a new set (an unplanned stop); a tyre that
 *     goes down before the car reaches the pit entry makes a long slow lap on the rim, and may
 *     damage the car enough to end its race (a retirement, cause PW_RETIRE_PUNCTURE); in the
 *     last two laps the car limps to the flag;
 *   - front-wing damage from contact: slower until a stop fits a new nose; a wing hanging off
 *     brings the black-and-orange flag and a stop at the end of the lap, a lighter one waits
 *     for the car's next stop; the first-lap front wings the model already had are these;
 *   - floor or sidepod damage from contact: slower to the end, nothing to repair.
 * By itself (every race) at a low rate: first-lap contact (the model's 3.5% of cars that
 * pit after lap 1 for a new wing), contact in an on-track pass (0.4% of passes), a slow
 * puncture from debris (1.2% of cars over a Grand Prix distance), and the collision the
 * stewards note in a race with penalties (race_penalties.h). Forced (`damage` in the
 * options): also a slow puncture from debris 20-55% of the way in and a contact between two
 * cars 35-75% of the way in. The picked driver in podium mode is never the one damaged.
 *
 * Race-control notes in the live-timing feed's words: "LAP 1 TURN 1 INCIDENT INVOLVING CARS
 * 12 (ANT) AND 81 (PIA) NOTED", "TURN 4 INCIDENT INVOLVING CARS 44 (HAM) AND 4 (NOR) NOTED",
 * "BLACK AND ORANGE FLAG FOR CAR 44 (HAM)", "DEBRIS AT TURN 7"; the first car named is the
 * event's `car`. */
#ifndef PW_RACE_DAMAGE_H
#define PW_RACE_DAMAGE_H

#include "core/timing.h"
#include "race/rng.h"

#include <stdbool.h>
#include <stdint.h>

#define RACE_DAMAGE_ITEMS 32

enum race_damage_kind {
    RACE_DAMAGE_DEBRIS = 1, /* a slow puncture from debris for `car` */
    RACE_DAMAGE_CONTACT,    /* `car` runs into the car ahead of it on track */
    RACE_DAMAGE_LAP1_NOTE,  /* the first-lap contact of `car` and `other` noted */
};

struct race_damage_item {
    int64_t at_ms;
    enum race_damage_kind kind;
    int car, other; /* car ids; other -1 for none */
};

struct race_damage_car {
    bool puncture;        /* a tyre losing pressure */
    bool goes_flat;       /* ... that goes down before the pits */
    bool flat;            /* ... on the rim now: the long slow lap */
    bool ends_race;       /* ... and the flailing tyre ends the car's race */
    int puncture_sectors; /* sectors started since the puncture */
    bool wing;            /* front wing damaged, until a new nose */
    bool wing_severe;     /* ... hanging off: the black-and-orange flag, in this lap */
    double wing_ms;       /* time lost a lap until then */
    double floor_ms;      /* time lost a lap to the end */
    double in_pace_ms;    /* what damage added to the lap's pace, as overtaking weighs it */
};

struct race_damage {
    bool forced;
    struct race_rng rng;
    int protected_car; /* never damaged; -1 for none */
    int n_items, next_item;
    struct race_damage_item items[RACE_DAMAGE_ITEMS]; /* sorted by at_ms */
    struct race_damage_car cars[PW_MAX_CARS];
};

/* Plan a race of `laps` laps (of `circuit_laps` at Grand Prix distance), about `race_ms`
 * long, for `n` cars; `forced` adds the planned puncture and contact. */
void race_damage_plan(struct race_damage *d, int n, int laps, int circuit_laps, int64_t race_ms,
                      int protected_car, bool forced, uint64_t seed);
/* When the next item is due; INT64_MAX for none. */
int64_t race_damage_next_ms(const struct race_damage *d);

/* The simulator's hooks (race_damage.c). */
struct sim;
struct sim_car;
void sim_damage_happen(struct sim *s);
/* The model chose `c` for a new front wing after first-lap contact (it pits after lap 1). */
void sim_damage_first_lap(struct sim *s, struct sim_car *c);
/* The stewards noted `c` causing a collision: it damages its front wing and the car ahead. */
void sim_damage_collision(struct sim *s, struct sim_car *c);
/* `c` just passed `y` on track: contact, sometimes. */
void sim_damage_after_pass(struct sim *s, struct sim_car *c, struct sim_car *y);
/* `c` starts sector `sec` of lap `lap_no`: the time its damage costs in it (ms), and, at the
 * last sector, the call to the pits for a puncture or a wing hanging off. */
double sim_damage_sector_ms(struct sim *s, struct sim_car *c, int sec, int lap_no);
/* `c` leaves the pits after a stop (or a red flag's free change): a new set and a new nose. */
void sim_damage_repair(struct sim *s, struct sim_car *c);
/* The cause to give a retirement of `c` (NULL when damage did not end its race). */
const char *sim_damage_retire_cause(const struct sim *s, const struct sim_car *c);
/* The damage part of the public state. */
void sim_damage_fill_state(const struct sim *s, struct pw_race_state *st);

#endif
