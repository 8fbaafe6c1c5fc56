#include "telemetry/tel_json.h"

#include "core/error.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

char *tel_json_encode(const struct pw_telemetry *t, int car)
{
    const struct pw_telemetry_car *c = &t->cars[car];
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:I}", "race_id", t->race_id,
                          "driver_number", c->driver.number, "driver_name", c->driver.name,
                          "team_name", c->driver.team, "tla", c->driver.tla, "lap", t->lap,
                          "race_ms", (json_int_t)t->race_ms, "timestamp", (json_int_t)t->wall_ms);
    for (int m = 0; o && m < PW_METRIC_COUNT; m++)
        json_object_set_new(o, pw_metric_field((enum pw_metric)m), json_real(c->tenths[m] / 10.0));
    /* 15 significant digits: 112.3, not 112.30000000000001 */
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(o);
    return s;
}

static int copy_string(json_t *o, const char *key, char *out, size_t len, bool required)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return required ? PW_EPARSE : 0;
    if (!json_is_string(v))
        return PW_EPARSE;
    if (json_string_length(v) >= len)
        return PW_ERANGE_IN;
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int get_int(json_t *o, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_integer(v))
        return PW_EPARSE;
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return PW_ERANGE_IN;
    *out = x;
    return 0;
}

int tel_json_decode(const void *buf, size_t len, struct pw_telemetry *out)
{
    memset(out, 0, sizeof *out);
    if (!buf || len == 0 || len > TEL_JSON_MAX)
        return PW_EPARSE;
    json_t *o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
    int rc = 0;
    if (!json_is_object(o)) {
        rc = PW_EPARSE;
        goto out;
    }
    struct pw_telemetry_car *c = &out->cars[0];
    int64_t lap = 0, race_ms = 0, wall_ms = 0;
    if ((rc = copy_string(o, "race_id", out->race_id, sizeof out->race_id, true)) ||
        (rc = copy_string(o, "driver_number", c->driver.number, sizeof c->driver.number, true)) ||
        (rc = copy_string(o, "driver_name", c->driver.name, sizeof c->driver.name, true)) ||
        (rc = copy_string(o, "team_name", c->driver.team, sizeof c->driver.team, false)) ||
        (rc = copy_string(o, "tla", c->driver.tla, sizeof c->driver.tla, false)) ||
        (rc = get_int(o, "lap", 0, 1000, &lap)) ||
        (rc = get_int(o, "race_ms", INT32_MIN, INT64_C(1) << 40, &race_ms)) ||
        (rc = get_int(o, "timestamp", 0, INT64_C(1) << 50, &wall_ms)))
        goto out;
    if (!out->race_id[0] || !c->driver.number[0]) {
        rc = PW_ERANGE_IN;
        goto out;
    }
    for (int m = 0; m < PW_METRIC_COUNT; m++) {
        json_t *v = json_object_get(o, pw_metric_field((enum pw_metric)m));
        if (!json_is_number(v)) {
            rc = PW_EPARSE;
            goto out;
        }
        double tenths = json_number_value(v) * 10.0;
        if (!(tenths >= TEL_TENTHS_MIN && tenths <= TEL_TENTHS_MAX)) {
            rc = PW_ERANGE_IN;
            goto out;
        }
        c->tenths[m] = (int32_t)lround(tenths);
    }
    out->lap = (int)lap;
    out->race_ms = race_ms;
    out->wall_ms = wall_ms;
    out->n_cars = 1;
out:
    json_decref(o);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}
