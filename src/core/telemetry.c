#include "core/telemetry.h"

#include <stddef.h>

static const char *const metric_names[PW_METRIC_COUNT] = {
    [PW_METRIC_ENGINE_TEMP] = "engine_temperature",
    [PW_METRIC_BRAKE_TEMP] = "brake_temperature",
    [PW_METRIC_TYRE_TEMP] = "tyre_temperature",
};

static const char *const metric_fields[PW_METRIC_COUNT] = {
    [PW_METRIC_ENGINE_TEMP] = "engine_temp_c",
    [PW_METRIC_BRAKE_TEMP] = "brake_temp_c",
    [PW_METRIC_TYRE_TEMP] = "tyre_temp_c",
};

const char *pw_metric_name(enum pw_metric m)
{
    return (unsigned)m < PW_METRIC_COUNT ? metric_names[m] : NULL;
}

const char *pw_metric_field(enum pw_metric m)
{
    return (unsigned)m < PW_METRIC_COUNT ? metric_fields[m] : NULL;
}
