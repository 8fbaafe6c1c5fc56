/* app_bus.h — which bus the process runs on: in-process without a `kafka:` config
 * section, Kafka with one. Kept apart from app.c so the Kafka wiring lives in one place. */
#ifndef PW_APP_BUS_H
#define PW_APP_BUS_H

#include "api/api.h"
#include "app/settings.h"
#include "bus/bus.h"
#include "telemetry/tel_kafka.h"

#include <uv.h>

/* Create the bus for these settings. May register a /metrics provider in `deps`. On error
 * `err` says why. */
int app_bus_create(uv_loop_t *loop, const struct settings *s, const struct pw_log *log,
                   struct api_deps *deps, struct pw_bus **out, char *err, size_t errlen);

/* Kafka mode: the telemetry topic (kafka.topics.telemetry, default f1-car-telemetry) with a
 * producer when `produce` (a race runner) and a consumer feeding `on_frame` when it is not
 * NULL (an edge). *out stays NULL without a `kafka:` section. May register a /metrics
 * provider in `deps`. */
int app_telemetry_create(uv_loop_t *loop, const struct settings *s, const struct pw_log *log,
                         bool produce, pw_telemetry_fn on_frame, void *frame_ctx,
                         struct api_deps *deps, struct tel_kafka **out, char *err,
                         size_t errlen);

#endif
