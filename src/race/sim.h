/* sim.h — the race simulator: a believable Formula 1 race as a `struct pw_source`.
 *
 * The race is a discrete-event model on the race clock: every car crosses three timing
 * lines a lap, and everything (lap times, traffic and overtakes, pit stops, safety cars,
 * retirements) is decided when it happens, in race-clock order, from one seeded random
 * stream. advance() only processes what happened up to the requested time, so the events
 * are the same, byte for byte, however the runner slices the clock. docs/RACE_MODEL.md
 * describes the model.
 *
 * Ownership: race_sim_create copies the grid, circuit and selected number out of `opt`
 * (the caller may free them at once) and allocates the source once; nothing is allocated
 * while the race runs. The caller frees it with src->ops->destroy(src). */
#ifndef PW_RACE_SIM_H
#define PW_RACE_SIM_H

#include "core/source.h"
#include "race/circuit.h"
#include "race/grid.h"
#include "race/race_weather.h"

#include <stdbool.h>
#include <stdint.h>

#define RACE_SIM_MAX_LAPS 200
/* Podium mode: the picked driver makes at most this many on-track passes in one lap... */
#define RACE_SIM_PODIUM_MAX_PASSES 2
/* ...unless that many a lap would not reach the place its race builds to in the laps left
 * after this one (a stop just before a safety car, or a tyre call the weather turned
 * against it, can leave it far back): then up to this many, the charge of a car on the
 * right tyres through a bunched field. */
#define RACE_SIM_PODIUM_CHARGE_PASSES 4
/* Podium mode: a race the model does not bring home (about 1 in 20,000 forced races) is
 * taken again from a seed drawn from the given one, up to this many takes in all. */
#define RACE_SIM_PODIUM_TAKES 8

struct race_sim_options {
    const struct pw_grid *grid;         /* required, 2..PW_MAX_CARS drivers */
    const struct race_circuit *circuit; /* NULL = the default built-in circuit */
    uint64_t seed;
    const char *selected_number;    /* picked driver's racing number; NULL/"" for none */
    bool podium;                    /* picked driver starts P5-P10 and ends P1-P3 */
    int laps;                       /* 0 = the circuit's Grand Prix distance */
    enum race_weather_mode weather; /* RACE_WEATHER_DRY (0) unless asked */
    bool red_flag;                  /* a red flag stops the race 25-60% of the way in */
    bool penalties;                 /* the stewards hand out penalties (race_penalties.h) */
    bool damage; /* a slow puncture and a contact for sure, besides the natural rate
                    (race_damage.h) */
};

/* Create a simulated race. It runs a silent copy to the end (duration_ms is exact); in
 * podium mode a race that leaves the picked driver off the podium is taken again from a seed
 * drawn from `opt->seed` (RACE_SIM_PODIUM_TAKES), so one seed still gives one race. Returns 0,
 * -EINVAL (no grid, selected number not on the grid; podium without a selected driver is allowed
 * and ignored), PW_ERANGE_IN (laps outside 1..RACE_SIM_MAX_LAPS, fewer than 2 drivers, duplicate
 * racing numbers, ratings outside 0..100, circuit figures outside what race_circuit_parse_fields
 * accepts) or -ENOMEM. */
int race_sim_create(const struct race_sim_options *opt, struct pw_source **out);

#endif
