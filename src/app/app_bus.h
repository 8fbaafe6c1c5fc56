/* app_bus.h — which bus the process runs on: in-process without a `kafka:` config
 * section, Kafka with one. Kept apart from app.c so the Kafka wiring lives in one place. */
#ifndef PW_APP_BUS_H
#define PW_APP_BUS_H

#include "api/api.h"
#include "app/settings.h"
#include "bus/bus.h"

#include <uv.h>

/* Create the bus for these settings. May register a /metrics provider in `deps`. On error
 * `err` says why. */
int app_bus_create(uv_loop_t *loop, const struct settings *s, const struct pw_log *log,
                   struct api_deps *deps, struct pw_bus **out, char *err, size_t errlen);

#endif
