/* rng.h — the simulator's random numbers: xoshiro256** seeded through splitmix64.
 *
 * Owns nothing: a `struct race_rng` is plain data living inside whoever draws from it, so
 * two races never share a stream and the same seed always gives the same numbers. */
#ifndef PW_RACE_RNG_H
#define PW_RACE_RNG_H

#include <stdint.h>

struct race_rng {
    uint64_t s[4];
};

void race_rng_seed(struct race_rng *rng, uint64_t seed);
uint64_t race_rng_next(struct race_rng *rng);
/* Uniform in [0, 1). */
double race_rng_uniform(struct race_rng *rng);
/* Uniform integer in [lo, hi] (hi >= lo). */
int race_rng_range(struct race_rng *rng, int lo, int hi);
/* Approximately standard normal (mean 0, deviation 1), clipped to +-4 so one draw never
 * runs wild. Plain arithmetic, no libm: reproducible everywhere. */
double race_rng_normal(struct race_rng *rng);
/* True with probability p. */
int race_rng_chance(struct race_rng *rng, double p);

#endif
