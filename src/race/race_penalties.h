/* race_penalties.h — the stewards in a simulated race: track-limits warnings and the
 * black-and-white flag, time penalties (served at the next stop or added at the end),
 * drive-through penalties and an unsafe release.
 *
 * Owns: the race's penalty plan (`struct race_penalties`, plain data inside the simulator),
 * made when the race is created from a random stream of its own, and what each car owes.
 * Off by default: only a race created with `penalties` has any. The picked driver in
 * podium mode is never penalised. What the plan holds:
 *   - track limits: one car has four laps deleted (the third brings the black-and-white
 *     flag, the fourth a 5 s penalty), another three (the flag only);
 *   - a collision: the incident noted, a 5 or 10 s penalty a minute later, in the last third
 *     of the race (so it is often still owed at the flag);
 *   - a drive-through (ignoring blue flags), to be served within three laps;
 *   - an unsafe release: the next car to leave the pits after a time is noted, and gets 5 s.
 * A time penalty is served at the car's next stop (stationary before the tyres are touched)
 * or, if none follows, added to its race time, which can change the classification. A
 * drive-through is a trip down the pit lane without a stop; one not served by the flag
 * becomes 20 s.
 *
 * Race-control notes in the live-timing feed's words: "CAR 81 (PIA) TIME 1:43.395 DELETED -
 * TRACK LIMITS AT TURN 11 LAP 7", "BLACK AND WHITE FLAG FOR CAR 81 (PIA) - TRACK LIMITS",
 * "INCIDENT INVOLVING CAR 44 (HAM) NOTED - CAUSING A COLLISION", "FIA STEWARDS: 10 SECOND
 * TIME PENALTY FOR CAR 44 (HAM) - CAUSING A COLLISION", "FIA STEWARDS: DRIVE THROUGH PENALTY
 * FOR CAR 18 (STR) - IGNORING BLUE FLAGS", "FIA STEWARDS: PENALTY SERVED - ...". The notes
 * about one car carry its number (`car`). */
#ifndef PW_RACE_PENALTIES_H
#define PW_RACE_PENALTIES_H

#include "core/timing.h"

#include <stdbool.h>
#include <stdint.h>

#define RACE_PEN_ITEMS 8
#define RACE_PEN_LIMITS_LAPS 4
#define RACE_PEN_DRIVE_THROUGH_MS 20000 /* a drive-through still owed at the flag */

enum race_pen_kind {
    RACE_PEN_NOTE_COLLISION = 1, /* the incident noted */
    RACE_PEN_COLLISION,          /* the stewards' 5 or 10 s */
    RACE_PEN_DRIVE_THROUGH,
    RACE_PEN_UNSAFE, /* the stewards' 5 s for an unsafe release */
};

struct race_pen_item {
    int64_t at_ms;
    enum race_pen_kind kind;
    int car;     /* car id */
    int seconds; /* time penalty */
};

struct race_penalties {
    bool on;
    int n_items, next_item; /* items sorted by at_ms */
    struct race_pen_item items[RACE_PEN_ITEMS];
    int limits_car[2];                       /* car ids, -1 for none */
    int limits_lap[2][RACE_PEN_LIMITS_LAPS]; /* laps to delete, 0 = none */
    int limits_done[2];                      /* deleted so far */
    int64_t owed_ms[PW_MAX_CARS];            /* time penalties not yet served */
    int owed_s[PW_MAX_CARS][3];              /* ... as announced, for the notes */
    int n_owed[PW_MAX_CARS];
    int drive_through_by_lap[PW_MAX_CARS]; /* serve by the end of this lap; 0 none */
    bool black_white[PW_MAX_CARS];
    int protected_car;      /* never penalised; -1 for none */
    int64_t unsafe_from_ms; /* the next car out of the pits from then is released unsafely */
    bool unsafe_done;
};

/* Plan a race of `laps` laps, about `race_ms` long, for `n` cars; `protected_car` (-1 for
 * none) is never penalised. */
void race_penalties_plan(struct race_penalties *p, int n, int laps, int64_t race_ms,
                         int protected_car, uint64_t seed);
/* When the next planned item is due; INT64_MAX for none. */
int64_t race_penalties_next_ms(const struct race_penalties *p);

/* The simulator's hooks (race_penalties.c). */
struct sim;
struct sim_car;
void sim_penalties_happen(struct sim *s);
/* `c` completed a lap: a track-limits deletion if one is due. */
void sim_penalties_lap(struct sim *s, struct sim_car *c);
/* `c` left the pits: an unsafe release if one is armed. */
void sim_penalties_pit_out(struct sim *s, struct sim_car *c);
/* Whether `c` goes down the pit lane for its drive-through at the end of lap `lap_no`. */
bool sim_penalties_drive_through(struct sim *s, struct sim_car *c, int lap_no);
/* `c` is in the pit lane now: the time its penalties add to this trip (negative for a
 * drive-through, which makes no stop), and the note that they are served. */
double sim_penalties_at_stop(struct sim *s, struct sim_car *c, double loss_ms);
/* Before the classification: what is still owed goes on the race time, and the finishers
 * are ordered by it. */
void sim_penalties_finish(struct sim *s);
/* The penalties part of the public state. */
void sim_penalties_fill_state(const struct sim *s, struct pw_race_state *st);

#endif
