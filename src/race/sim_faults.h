/* sim_faults.h — car faults in the simulator and the telemetry they show.
 *
 * Owns: the race's fault plan, decided once when the race is created from a random stream
 * of its own (seeded from the race seed), so adding faults changes none of the draws the
 * rest of the model makes. Two kinds:
 *   - fatal: every mechanical retirement the model planned (not a crash) is preceded by an
 *     engine fault: the engine temperature climbs faster and faster for a few laps, the car
 *     loses more and more time, and the retirement happens when the fault runs its course;
 *   - passing: brakes, tyres or cooling running hot for a few laps; the car is slower
 *     meanwhile (the lap plan feels it), then recovers.
 * Telemetry (engine, brake and tyre temperatures per running car) is a pure function of the
 * race seed, the car, the race clock and the plan, so it does not depend on how often or
 * when the runner asks for it. */
#ifndef PW_RACE_SIM_FAULTS_H
#define PW_RACE_SIM_FAULTS_H

#include "core/source.h"
#include "core/telemetry.h"

#include <stdbool.h>
#include <stdint.h>

#define SIM_MAX_FAULTS 16

struct sim;
struct sim_car;

struct sim_fault {
    int car;               /* car id */
    enum pw_metric metric; /* the reading that shows it */
    int64_t start_ms, end_ms;
    int32_t rise_tenths; /* how far the reading rises (fatal: at the end) */
    double pace_ms;      /* time lost per lap meanwhile (fatal: at the end) */
    bool fatal;          /* ends in the car's retirement at end_ms */
};

struct sim_faults {
    uint64_t seed; /* for the readings' noise */
    int n;
    struct sim_fault f[SIM_MAX_FAULTS];
};

/* Plan the race's faults; after the retirements are planned (sim_track_init). */
void sim_faults_plan(struct sim *s, uint64_t seed);
/* Does a fault end this car's race (its retirement is an engine failure)? */
bool sim_faults_fatal(const struct sim *s, const struct sim_car *c);
/* Time a car loses on a lap planned now because of its faults (0 without). */
double sim_faults_pace_ms(const struct sim *s, const struct sim_car *c);
/* The source's telemetry op: every running car's readings at the current race clock. */
int sim_faults_telemetry(const struct pw_source *src, struct pw_telemetry *out);

#endif
