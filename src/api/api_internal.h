/* api_internal.h — shared by the api_*.c files. Not for use outside src/api. */
#ifndef PW_API_INTERNAL_H
#define PW_API_INTERNAL_H

#include "api/api.h"

#include <jansson.h>

#define API_RATE_SLOTS 256

struct api_rate_slot {
    char addr[48];
    double tokens;
    uint64_t last_ms;
};

struct api {
    struct api_deps d;
    struct api_rate_slot rate[API_RATE_SLOTS];
};

/* Does the request carry the admin token (Authorization: Bearer, or X-Race-Token)? */
bool api_is_admin(const struct api *api, const struct http_request *req);
/* The token that lets the request control the race whose token hashes to `race_hash` ("" =
 * operators only): the admin token or the race's own, as presented (it lives as long as
 * `req`); NULL when the request may not. */
const char *api_control_token(const struct api *api, const struct http_request *req,
                              const char *race_hash);

/* Respond with a JSON document (takes the reference). */
int api_reply_json(struct http_conn *conn, int status, json_t *doc);
/* A race id is 1..47 characters of [A-Za-z0-9_-]. */
bool api_valid_race_id(const char *id);
/* A new random race id (UUID v4 text). */
int api_new_race_id(char *out, size_t len);
/* Token bucket per client address; false when this start must be refused with 429. */
bool api_rate_allow(struct api *api, const char *addr);

/* A race from the history as a status object; its classification {"positions":[...],
 * "race_id","status"} as /positions answers it live; and its final positions frame's data
 * as the streams send it live (without `seq`: the history keeps no tick numbers). `cars`
 * are the race's `n` cars from history_get. */
json_t *api_history_status_json(const struct history_race *h);
json_t *api_history_results_json(const struct history_race *h, const struct pw_car *cars, int n);
json_t *api_history_positions_json(const struct history_race *h, const struct pw_car *cars,
                                   int n);

void api_race_start(struct api *api, struct http_conn *conn, const struct http_request *req);
void api_replay_start(struct api *api, struct http_conn *conn, const struct http_request *req);
void api_race_control(struct api *api, struct http_conn *conn, const char *race_id,
                      const char *action, const struct http_request *req);
void api_race_status(struct api *api, struct http_conn *conn, const char *race_id);
void api_race_positions(struct api *api, struct http_conn *conn, const char *race_id);
void api_races(struct api *api, struct http_conn *conn);
void api_replays(struct api *api, struct http_conn *conn);
void api_drivers(struct api *api, struct http_conn *conn);
void api_health(struct api *api, struct http_conn *conn);
void api_metrics(struct api *api, struct http_conn *conn);
void api_anomalies_latest(struct api *api, struct http_conn *conn, const struct http_request *req);
void api_anomalies_stream(struct api *api, struct http_conn *conn, const struct http_request *req);
void api_stream(struct api *api, struct http_conn *conn, const struct http_request *req,
                enum hub_stream stream, const char *race_id);

#endif
