/* anomalies.h — telemetry anomaly detection for the API: the original app's
 * `GET /api/anomalies/latest` and `GET /api/anomalies/stream`.
 *
 * Owns: a rolling detector (tel_detect.h) per race, car and metric; the last
 * ANOMALIES_PER_RACE anomalies of each race and the last ANOMALIES_RECENT of all races; the
 * SSE clients of the anomaly stream and their ping timer. It is fed telemetry frames
 * (pw_telemetry_fn) by the race runner in-process, or by the telemetry topic's consumer in
 * Kafka mode. Borrows the loop and the logger. Races beyond ANOMALIES_MAX_RACES are
 * forgotten, the one fed least recently first. */
#ifndef PW_TELEMETRY_ANOMALIES_H
#define PW_TELEMETRY_ANOMALIES_H

#include "core/log.h"
#include "core/telemetry.h"
#include "http/http_server.h"
#include "telemetry/tel_detect.h"

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#define ANOMALIES_PER_RACE 50
#define ANOMALIES_RECENT 50
#define ANOMALIES_REPLAYED 20 /* sent to a new stream client before the live ones */
#define ANOMALIES_MAX_RACES 64

/* One reading judged anomalous. */
struct tel_anomaly {
    char race_id[PW_RACE_ID_MAX];
    struct pw_driver driver;
    enum pw_metric metric;
    int32_t tenths;
    int64_t wall_ms, race_ms;
    int lap;
    struct tel_verdict v;
};

/* Called for every anomaly found (after it is stored and streamed). */
typedef void (*anomalies_fn)(void *ctx, const struct tel_anomaly *a);

struct anomalies;

int anomalies_create(uv_loop_t *loop, const struct pw_log *log, struct anomalies **out);
void anomalies_destroy(struct anomalies *an);

/* Judge every reading of a frame (a pw_telemetry_fn; `ctx` is the struct anomalies). */
void anomalies_ingest(void *ctx, const struct pw_telemetry *t);
/* Also tell `fn` about every anomaly (one listener; NULL removes it). */
void anomalies_set_listener(struct anomalies *an, anomalies_fn fn, void *ctx);

/* The original's anomaly object: {"team_name","driver_name","timestamp","metric_name",
 * "metric_value","confidence_score","is_anomaly","severity"} + pitwall's "race_id",
 * "driver_number", "lap", "race_ms", "z_score". */
json_t *anomalies_to_json(const struct tel_anomaly *a);
/* {"anomalies":[...]}: a race's last ones (race_id NULL or "": of every race), oldest first. */
json_t *anomalies_latest_json(const struct anomalies *an, const char *race_id);
/* Start an SSE stream of anomalies (`race_id` NULL or "": every race) on `conn`: the last
 * ANOMALIES_REPLAYED first, then each as it is found, pings when idle. 0 or negative. */
int anomalies_subscribe(struct anomalies *an, struct http_conn *conn, const char *race_id);

struct anomalies_stats {
    uint64_t clients;
    uint64_t frames; /* telemetry frames judged */
    uint64_t readings;
    uint64_t found[TEL_SEV_CRITICAL + 1]; /* anomalies by severity */
};
void anomalies_get_stats(const struct anomalies *an, struct anomalies_stats *out);
/* Prometheus lines: pitwall_telemetry_readings_total, pitwall_anomalies_total{severity},
 * pitwall_sse_clients{stream="anomalies"}. Bytes written or negative. */
int anomalies_format_metrics(const void *an, char *buf, size_t len);
/* Shutdown: close every stream client. */
void anomalies_close_clients(struct anomalies *an);

#endif
