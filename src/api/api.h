/* api.h — pitwall's HTTP API (docs/API.md): routes each request to the hub
 * (status, streams), the bus (race control), the history store and the static web UI.
 *
 * Owns: nothing but a small per-client rate limiter. Everything in `struct api_deps` is
 * borrowed and must outlive the api. Optional parts may be NULL: `manager` (an edge-only
 * Kafka process runs no races), `history`, `anomalies`, `archive_dir`, `web_root`. */
#ifndef PW_API_API_H
#define PW_API_API_H

#include "bus/bus.h"
#include "core/log.h"
#include "history/history.h"
#include "http/http_server.h"
#include "hub/hub.h"
#include "race/grid.h"
#include "runner/race_manager.h"
#include "telemetry/anomalies.h"

#include <stdbool.h>

/* Adds Prometheus text to buf; returns bytes written or a negative code. */
typedef int (*api_metrics_fn)(const void *ctx, char *buf, size_t len);

#define API_MAX_METRICS_PROVIDERS 4

struct api_deps {
    struct hub *hub;
    struct pw_bus *bus;
    struct history *history;
    struct race_manager *manager;
    struct anomalies *anomalies; /* NULL: anomaly detection off (404, health says false) */
    struct http_server *server; /* for /metrics; set once the server has started */
    const struct pw_grid *grid;
    const char *archive_dir;
    const char *web_root;
    const struct pw_log *log;
    bool direct_start;          /* embedded: starts go straight to `manager`, so one that
                                   cannot happen is answered as an error at once */
    const char *admin_token;    /* operators: controls every race and guards /metrics; NULL
                                   or "" = none */
    int max_races;              /* 429 beyond this many running races, default 64 */
    int starts_per_minute;      /* per client address, default 30; 429 beyond */
    int n_metrics;
    struct {
        api_metrics_fn fn;
        const void *ctx;
    } metrics[API_MAX_METRICS_PROVIDERS];
};

struct api;

#define API_TOKEN_MAX 33 /* a control token: 32 hex digits and the NUL */

/* A new control token for a race (128 random bits in hex) and its SHA-256 hash (hex), the
 * hash to go in the start request (pw_control.control_hash), the token to its starter. */
int api_new_control_token(char token[API_TOKEN_MAX], char hash[PW_CONTROL_HASH_MAX]);

int api_create(const struct api_deps *deps, struct api **out);
/* The http_handler_fn to give http_server_start, with the api as its context. */
void api_handle(void *ctx, struct http_conn *conn, const struct http_request *req);
/* Once the server runs (the api needs it for /metrics). */
void api_set_server(struct api *api, struct http_server *server);
void api_destroy(struct api *api);

#endif
