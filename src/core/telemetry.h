/* telemetry.h — per-car sensor readings, as the race simulator produces them and the anomaly
 * detectors (src/telemetry in C, flink/sql/anomalies.sql in Flink) read them.
 *
 * A reading is kept in tenths of a degree, as an integer: that is what goes on the wire
 * ("engine_temp_c": 112.3), and both detectors work on the exact integers, so they compute
 * the same rolling sums and give the same verdicts on the same data. Plain fixed-size data. */
#ifndef PW_CORE_TELEMETRY_H
#define PW_CORE_TELEMETRY_H

#include "core/timing.h"

#include <stdint.h>

enum pw_metric {
    PW_METRIC_ENGINE_TEMP = 0, /* coolant/engine temperature, °C */
    PW_METRIC_BRAKE_TEMP,      /* front brake disc temperature, °C */
    PW_METRIC_TYRE_TEMP,       /* tyre carcass temperature, °C */
    PW_METRIC_COUNT
};

/* One car's readings at one instant. */
struct pw_telemetry_car {
    struct pw_driver driver;
    int32_t tenths[PW_METRIC_COUNT]; /* reading × 10, rounded */
};

/* Every running car's readings at one instant of one race. */
struct pw_telemetry {
    char race_id[PW_RACE_ID_MAX]; /* stamped by the race runner; "" inside a source */
    int64_t race_ms;
    int64_t wall_ms;
    int lap;
    int n_cars;
    struct pw_telemetry_car cars[PW_MAX_CARS];
};

/* How a producer hands telemetry on. The callback must not keep `t`. */
typedef void (*pw_telemetry_fn)(void *ctx, const struct pw_telemetry *t);

/* The metric's name on the wire and in the anomalies API: "engine_temperature",
 * "brake_temperature", "tyre_temperature"; NULL if invalid. */
const char *pw_metric_name(enum pw_metric m);
/* The JSON field of a reading in a telemetry record: "engine_temp_c", ...; NULL if invalid. */
const char *pw_metric_field(enum pw_metric m);

#endif
