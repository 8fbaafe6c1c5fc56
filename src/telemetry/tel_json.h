/* tel_json.h — the telemetry topic's records (f1-car-telemetry, key = race id): one JSON
 * object per car per reading,
 *   {"race_id","driver_number","driver_name","team_name","tla","lap","race_ms",
 *    "timestamp" (Unix ms),"engine_temp_c","brake_temp_c","tyre_temp_c"}
 * readings in °C with one decimal (the tenths the detectors work on). Flink's
 * flink/sql/anomalies.sql reads the same records with its `json` format.
 *
 * The encoder returns a malloc'd string (NULL: out of memory). The decoder takes untrusted
 * bytes (at most TEL_JSON_MAX): every field type-, length- and range-checked; it fills a
 * frame of one car and returns 0, PW_EPARSE or PW_ERANGE_IN. */
#ifndef PW_TELEMETRY_TEL_JSON_H
#define PW_TELEMETRY_TEL_JSON_H

#include "core/telemetry.h"

#include <stddef.h>

#define TEL_JSON_MAX 4096
/* Readings outside this (tenths of °C) are refused: no sensor reads them. */
#define TEL_TENTHS_MIN (-500)
#define TEL_TENTHS_MAX 20000

char *tel_json_encode(const struct pw_telemetry *t, int car);
int tel_json_decode(const void *buf, size_t len, struct pw_telemetry *out);

#endif
