#include "race/rng.h"

#include <assert.h>

static uint64_t rng_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void race_rng_seed(struct race_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = rng_splitmix(&x);
}

uint64_t race_rng_next(struct race_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

double race_rng_uniform(struct race_rng *rng)
{
    return (double)(race_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

int race_rng_range(struct race_rng *rng, int lo, int hi)
{
    assert(hi >= lo);
    uint64_t span = (uint64_t)((int64_t)hi - lo) + 1;
    return lo + (int)(race_rng_next(rng) % span);
}

double race_rng_normal(struct race_rng *rng)
{
    /* Irwin-Hall: twelve uniforms. Only additions, so the same seed gives the same race on
     * any machine and C library (Box-Muller's log and cos may differ in the last bit). */
    double z = -6.0;
    for (int i = 0; i < 12; i++)
        z += race_rng_uniform(rng);
    if (z > 4.0)
        z = 4.0;
    if (z < -4.0)
        z = -4.0;
    return z;
}

int race_rng_chance(struct race_rng *rng, double p)
{
    return race_rng_uniform(rng) < p;
}
