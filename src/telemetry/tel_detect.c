#include "telemetry/tel_detect.h"

#include <math.h>

/* About the normal noise of each reading (src/race/sim_faults.c): an alarm needs a reading
 * several times further out than a car's everyday wobble. */
static const int32_t sd_floor[PW_METRIC_COUNT] = {
    [PW_METRIC_ENGINE_TEMP] = 12,
    [PW_METRIC_BRAKE_TEMP] = 180,
    [PW_METRIC_TYRE_TEMP] = 20,
};

int32_t tel_sd_floor(enum pw_metric m)
{
    return (unsigned)m < PW_METRIC_COUNT ? sd_floor[m] : 1;
}

enum tel_severity tel_severity_for(double z)
{
    if (z >= TEL_Z_CRITICAL)
        return TEL_SEV_CRITICAL;
    if (z >= TEL_Z_HIGH)
        return TEL_SEV_HIGH;
    if (z >= TEL_Z_MEDIUM)
        return TEL_SEV_MEDIUM;
    if (z >= TEL_Z_LOW)
        return TEL_SEV_LOW;
    return TEL_SEV_NONE;
}

const char *tel_severity_name(enum tel_severity s)
{
    switch (s) {
    case TEL_SEV_LOW:
        return "low";
    case TEL_SEV_MEDIUM:
        return "medium";
    case TEL_SEV_HIGH:
        return "high";
    case TEL_SEV_CRITICAL:
        return "critical";
    case TEL_SEV_NONE:
        break;
    }
    return "none";
}

void tel_series_add(struct tel_series *s, enum pw_metric m, int32_t x, struct tel_verdict *out)
{
    *out = (struct tel_verdict){0};
    if (s->n >= TEL_MIN_SAMPLES) {
        /* n*Q - S^2 is exact in 64 bits: 20 readings of at most a few thousand tenths. */
        double n = s->n;
        double var_n2 = (double)(s->n * s->sumsq - s->sum * s->sum);
        double sd = sqrt(var_n2 > 0 ? var_n2 : 0) / n;
        double floor_sd = tel_sd_floor(m);
        if (sd < floor_sd)
            sd = floor_sd;
        out->z = ((double)x - (double)s->sum / n) / sd;
        out->severity = tel_severity_for(out->z);
        out->is_anomaly = out->severity != TEL_SEV_NONE;
        if (out->is_anomaly)
            out->confidence = 1.0 - 1.0 / (out->z * out->z);
    }
    if (s->n == TEL_WINDOW) {
        int32_t old = s->ring[s->head];
        s->sum -= old;
        s->sumsq -= (int64_t)old * old;
    } else {
        s->n++;
    }
    s->ring[s->head] = x;
    s->head = (s->head + 1) % TEL_WINDOW;
    s->sum += x;
    s->sumsq += (int64_t)x * x;
}
