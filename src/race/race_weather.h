/* race_weather.h — rain in a simulated race: the forecast, the shower, the track's wetness
 * and what it does to tyres, lap times and pit stops.
 *
 * Owns: the race's weather plan (`struct race_weather`, plain data inside the simulator),
 * decided once when the race is created from a random stream of its own (seeded from the
 * race seed), so a race that stays dry makes exactly the draws it made before weather
 * existed. The wetness of the track is a pure function of the race clock: it rises while it
 * rains and dries after, so it does not depend on how the runner slices the clock.
 *
 * The tyre rules (docs/RACE_MODEL.md, "Weather"): each kind of tyre (slicks, intermediates,
 * full wets) costs time by the wetness, and the best kind changes at ~18 (slicks to
 * intermediates) and ~66 (intermediates to wets). Slicks on a wet track are slow and go
 * off; wets or intermediates on a drying track overheat. A car on the wrong kind stops for
 * the right one, more surely the more time it loses, hence the rush to the pits for
 * intermediates, or for slicks, as a lap or two goes by.
 *
 * Race-control notes use the live-timing feed's own words: "RISK OF RAIN FOR F1 RACE IS
 * 30%", "TRACK SURFACE SLIPPERY IN TRACK SECTOR 9", "DRS DISABLED", "DRS ENABLED".
 *
 * Borrows the simulator (sim_internal.h) in the sim_weather_* hooks, which sim*.c call. */
#ifndef PW_RACE_WEATHER_H
#define PW_RACE_WEATHER_H

#include "core/timing.h"

#include <stdbool.h>
#include <stdint.h>

enum race_weather_mode {
    RACE_WEATHER_DRY = 0, /* never rains (the simulator's default) */
    RACE_WEATHER_AUTO,    /* rains with the circuit's chance (data/circuits/weather.csv) */
    RACE_WEATHER_RAIN,    /* a shower is certain: soaking, then drying before the end */
};

#define RACE_WEATHER_NOTES 4
#define RACE_WEATHER_NOTE_MAX 64
/* Wetness thresholds (0..100). */
#define RACE_WEATHER_DAMP 15    /* DRS off; intermediates about to pay */
#define RACE_WEATHER_SOAKED 40  /* slicks are out of the question: every car on them stops */
#define RACE_WEATHER_FLOODED 95 /* standing water: a red flag in a race that has one */

struct race_weather_note {
    int64_t at_ms;
    char text[RACE_WEATHER_NOTE_MAX];
};

struct race_weather {
    int rain_chance;           /* the forecast, percent; 0 = no weather to show */
    bool shower;               /* it rains in this race */
    int64_t start_ms, stop_ms; /* rain falls in [start_ms, stop_ms) */
    double rise_per_ms;        /* wetness gained per ms of rain */
    double dry_per_ms;         /* wetness lost per ms after it stops */
    int n_notes, next_note;
    struct race_weather_note notes[RACE_WEATHER_NOTES];
};

/* "dry", "auto", "rain" (case-insensitive). Returns 0 or -EINVAL. */
int race_weather_mode_parse(const char *name, enum race_weather_mode *out);
const char *race_weather_mode_name(enum race_weather_mode mode);
/* The circuit's chance of rain in percent, 0 for a circuit not listed. */
int race_weather_circuit_rain_pct(const char *circuit_id);

/* Plan a race of about `race_ms` on the clock. `rain_pct` is the circuit's chance (AUTO). */
void race_weather_plan(struct race_weather *w, enum race_weather_mode mode, int rain_pct,
                       int64_t race_ms, bool sprint, uint64_t seed);
/* Wetness of the track at race time `t`, 0..100. */
double race_weather_wetness(const struct race_weather *w, int64_t t);
bool race_weather_raining(const struct race_weather *w, int64_t t);
/* When the track first reaches wetness `wet`; INT64_MAX if it never does. */
int64_t race_weather_reaches_ms(const struct race_weather *w, double wet);
/* Extra lap time, as a share of a dry lap, of the track at wetness `wet` on tyre `tyre`
 * (a dry track on slicks: 0). */
double race_weather_lap_share(double wet, enum pw_tyre tyre);
/* The kind of tyre that is fastest at wetness `wet`: PW_TYRE_MEDIUM stands for slicks. */
enum pw_tyre race_weather_best_kind(double wet);
/* The kind of a tyre: PW_TYRE_INTER, PW_TYRE_WET, or PW_TYRE_MEDIUM for any slick. */
enum pw_tyre race_weather_kind(enum pw_tyre tyre);
/* When the next race-control note is due; INT64_MAX for none. */
int64_t race_weather_next_note_ms(const struct race_weather *w);

/* The simulator's hooks (race_weather.c). */
struct sim;
struct sim_car;
/* Emit the race-control note due now. */
void sim_weather_note(struct sim *s);
/* Time the conditions cost `c` on the lap it plans now, an off on the wrong tyres included
 * (a few of them end in the wall: the car's retirement is planned). */
double sim_weather_lap_ms(struct sim *s, struct sim_car *c);
/* Whether `c`, on lap `lap_no`, stops at its end for tyres that suit the track. */
bool sim_weather_wants_stop(struct sim *s, struct sim_car *c, int lap_no);
/* After the dry strategy picked the next set: the kind of tyre the track needs. */
void sim_weather_fit_tyres(struct sim *s, struct sim_car *c, int lap_no);
/* The weather part of the public state. */
void sim_weather_fill_state(const struct sim *s, struct pw_race_state *st);

#endif
