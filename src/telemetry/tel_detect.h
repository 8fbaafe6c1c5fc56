/* tel_detect.h — the anomaly verdict on one reading: a rolling z-score per car and metric.
 *
 * Owns nothing but plain data. A series keeps the last TEL_WINDOW readings of one metric of
 * one car (exact integers, tenths of a degree) with their sum and sum of squares. A new
 * reading is judged against the readings before it:
 *   mean = S/n, sd = max(sqrt(n*Q - S*S)/n, floor(metric)), z = (x - mean)/sd
 * and is an anomaly when n >= TEL_MIN_SAMPLES and z >= TEL_Z_LOW (readings running hot;
 * a reading falling back to normal is not a fault). The floor keeps a run of very steady
 * readings from turning the noise into alarms. flink/sql/anomalies.sql computes exactly
 * this with an OVER window of TEL_WINDOW preceding rows, on the same integers, so both
 * give the same verdicts. */
#ifndef PW_TELEMETRY_TEL_DETECT_H
#define PW_TELEMETRY_TEL_DETECT_H

#include "core/telemetry.h"

#include <stdbool.h>
#include <stdint.h>

#define TEL_WINDOW 20
#define TEL_MIN_SAMPLES 10
#define TEL_Z_LOW 4.0
#define TEL_Z_MEDIUM 6.0
#define TEL_Z_HIGH 10.0
#define TEL_Z_CRITICAL 16.0

enum tel_severity {
    TEL_SEV_NONE = 0,
    TEL_SEV_LOW,
    TEL_SEV_MEDIUM,
    TEL_SEV_HIGH,
    TEL_SEV_CRITICAL,
};

struct tel_series {
    int32_t ring[TEL_WINDOW];
    int n, head; /* readings held; where the next one goes */
    int64_t sum, sumsq;
};

struct tel_verdict {
    bool is_anomaly;
    enum tel_severity severity;
    double z;          /* 0 until the series has TEL_MIN_SAMPLES readings */
    double confidence; /* 1 - 1/z^2 (Chebyshev: at most 1/z^2 of normal readings lie this far
                          out, whatever their distribution); 0 when not an anomaly */
};

/* Judge `x` against the readings before it, then add it to the series. */
void tel_series_add(struct tel_series *s, enum pw_metric m, int32_t x, struct tel_verdict *out);

/* The standard deviation floor of a metric, in tenths of a degree. */
int32_t tel_sd_floor(enum pw_metric m);
/* Severity for a z-score (TEL_SEV_NONE below TEL_Z_LOW). */
enum tel_severity tel_severity_for(double z);
/* "low", "medium", "high", "critical"; "none". */
const char *tel_severity_name(enum tel_severity s);

#endif
