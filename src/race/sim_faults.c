/* sim_faults.c — the fault plan, what a fault costs on track, and the readings it shows. */
#include "race/sim_faults.h"

#include "race/sim_internal.h"

#include <string.h>

#define FAULT_SEED_SALT 0x7E1E3E7B1C5A0F11ull
#define FAULT_PASSING_CHANCE 0.12 /* per car over a Grand Prix distance */

/* Normal running: level (varies a little by car) and noise, in tenths of a degree. */
static const struct {
    int32_t level, spread, noise;
} reading_base[PW_METRIC_COUNT] = {
    [PW_METRIC_ENGINE_TEMP] = {1050, 40, 12},
    [PW_METRIC_BRAKE_TEMP] = {5200, 300, 180},
    [PW_METRIC_TYRE_TEMP] = {950, 30, 20},
};

/* A passing fault's size, in tenths: from a little over the noise to far out of it. */
static const struct {
    int32_t lo, hi;
} passing_rise[PW_METRIC_COUNT] = {
    [PW_METRIC_ENGINE_TEMP] = {60, 300},
    [PW_METRIC_BRAKE_TEMP] = {800, 3200},
    [PW_METRIC_TYRE_TEMP] = {100, 400},
};

static bool fault_protected(const struct sim *s, int car)
{
    return s->podium && car == s->selected;
}

static void fault_add(struct sim *s, const struct sim_fault *f)
{
    if (s->faults.n < SIM_MAX_FAULTS)
        s->faults.f[s->faults.n++] = *f;
}

void sim_faults_plan(struct sim *s, uint64_t seed)
{
    struct race_rng rng;
    double lap = (double)s->circuit.lap_ms;
    double race = s->total_laps * lap;
    double share = (double)s->total_laps / s->circuit.laps;
    race_rng_seed(&rng, seed ^ FAULT_SEED_SALT);
    memset(&s->faults, 0, sizeof s->faults);
    s->faults.seed = seed;
    for (int i = 0; i < s->n; i++) {
        const struct sim_car *c = &s->cars[i];
        /* A mechanical retirement: the engine gives notice for 3 to 6 laps first. */
        if (c->retire_ms != SIM_NEVER && !c->retire_crash) {
            double notice = lap * race_rng_range(&rng, 3, 6);
            struct sim_fault f = {.car = i,
                                  .metric = PW_METRIC_ENGINE_TEMP,
                                  .fatal = true,
                                  .end_ms = c->retire_ms,
                                  .rise_tenths = race_rng_range(&rng, 350, 700),
                                  .pace_ms = 1500.0 * (lap / 90000.0)};
            f.start_ms = c->retire_ms - (int64_t)notice;
            if (f.start_ms < 0)
                f.start_ms = 0;
            fault_add(s, &f);
            continue;
        }
        if (fault_protected(s, i) || !race_rng_chance(&rng, FAULT_PASSING_CHANCE * share))
            continue;
        enum pw_metric m = (enum pw_metric)race_rng_range(&rng, 0, PW_METRIC_COUNT - 1);
        struct sim_fault f = {
            .car = i,
            .metric = m,
            .rise_tenths = race_rng_range(&rng, passing_rise[m].lo, passing_rise[m].hi),
            .pace_ms = (200.0 + 600.0 * race_rng_uniform(&rng)) * (lap / 90000.0)};
        f.start_ms = (int64_t)(race * (0.15 + 0.7 * race_rng_uniform(&rng)));
        f.end_ms = f.start_ms + (int64_t)(lap * race_rng_range(&rng, 2, 5));
        fault_add(s, &f);
    }
}

/* How far into the fault `t` is, 0..1; -1 outside it. */
static double fault_progress(const struct sim_fault *f, int64_t t)
{
    if (t < f->start_ms || t >= f->end_ms)
        return -1.0;
    return (double)(t - f->start_ms) / (double)(f->end_ms - f->start_ms);
}

bool sim_faults_fatal(const struct sim *s, const struct sim_car *c)
{
    for (int i = 0; i < s->faults.n; i++) {
        if (s->faults.f[i].car == c->id && s->faults.f[i].fatal)
            return true;
    }
    return false;
}

double sim_faults_pace_ms(const struct sim *s, const struct sim_car *c)
{
    double ms = 0.0;
    for (int i = 0; i < s->faults.n; i++) {
        const struct sim_fault *f = &s->faults.f[i];
        double p = f->car == c->id ? fault_progress(f, s->now) : -1.0;
        if (p >= 0.0)
            ms += f->fatal ? f->pace_ms * p * p : f->pace_ms;
    }
    return ms;
}

/* A normal deviate (race_rng_normal: additions only, the same on every machine) drawn from
 * a stream seeded by what the reading is, not by how many were drawn before. */
static double reading_noise(uint64_t seed, int car, enum pw_metric m, int64_t race_ms)
{
    struct race_rng rng;
    race_rng_seed(&rng, seed ^ ((uint64_t)(car + 1) * 0x9E3779B97F4A7C15ull) ^
                            ((uint64_t)race_ms * 0xC2B2AE3D27D4EB4Full) ^
                            ((uint64_t)(m + 1) * 0x165667B19E3779F9ull));
    return race_rng_normal(&rng);
}

/* A per-car offset around the level, the same for the whole race. */
static int32_t reading_level(uint64_t seed, int car, enum pw_metric m)
{
    double u = reading_noise(seed, car, m, -1) / 4.0; /* -1..1 */
    return reading_base[m].level + (int32_t)(u * reading_base[m].spread);
}

int sim_faults_telemetry(const struct pw_source *src, struct pw_telemetry *out)
{
    const struct sim *s = (const struct sim *)src;
    memset(out, 0, sizeof *out);
    out->race_ms = s->now;
    out->lap = s->state.lap;
    if (!s->lights_out)
        return 0;
    for (int k = 0; k < s->n; k++) {
        const struct sim_car *c = &s->cars[s->order[k]];
        if (c->retired || c->finished)
            continue;
        struct pw_telemetry_car *tc = &out->cars[out->n_cars++];
        tc->driver = c->driver;
        for (int m = 0; m < PW_METRIC_COUNT; m++) {
            double v = reading_level(s->faults.seed, c->id, m) +
                       reading_noise(s->faults.seed, c->id, m, s->now) * reading_base[m].noise;
            for (int i = 0; i < s->faults.n; i++) {
                const struct sim_fault *f = &s->faults.f[i];
                double p = f->car == c->id && (int)f->metric == m ? fault_progress(f, s->now) : -1;
                if (p >= 0.0)
                    v += f->fatal ? f->rise_tenths * p * p : f->rise_tenths;
            }
            tc->tenths[m] = (int32_t)(v < 0 ? v - 0.5 : v + 0.5);
        }
    }
    return 0;
}
