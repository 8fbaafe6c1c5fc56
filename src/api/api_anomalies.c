/* The original app's anomaly endpoints: the last anomalies of a race and their stream. */
#include "api/api_internal.h"

#include <errno.h>

/* race_id from the query: "" when absent; false (answered 400) when malformed. */
static bool query_race_id(struct http_conn *conn, const struct http_request *req, char *out,
                          size_t len)
{
    out[0] = '\0';
    int rc = http_query_param(req->query, "race_id", out, len);
    if (rc == -ENOSPC || rc == -EINVAL || (rc == 0 && out[0] && !api_valid_race_id(out))) {
        http_respond_error(conn, 400, "malformed race_id");
        return false;
    }
    if (rc < 0)
        out[0] = '\0';
    return true;
}

/* What both endpoints check first: a well-formed race_id (or none) and anomaly detection on;
 * false when the request was answered (400 or 404). */
static bool anomalies_request(struct api *api, struct http_conn *conn,
                              const struct http_request *req, char *race_id, size_t len)
{
    if (!query_race_id(conn, req, race_id, len))
        return false;
    if (!api->d.anomalies) {
        http_respond_error(conn, 404, "anomaly detection is off");
        return false;
    }
    return true;
}

void api_anomalies_latest(struct api *api, struct http_conn *conn, const struct http_request *req)
{
    char race_id[PW_RACE_ID_MAX + 1];
    if (!anomalies_request(api, conn, req, race_id, sizeof race_id))
        return;
    json_t *doc = anomalies_latest_json(api->d.anomalies, race_id);
    if (!doc) {
        http_respond_error(conn, 503, "out of memory");
        return;
    }
    api_reply_json(conn, 200, doc);
}

void api_anomalies_stream(struct api *api, struct http_conn *conn, const struct http_request *req)
{
    char race_id[PW_RACE_ID_MAX + 1];
    if (!anomalies_request(api, conn, req, race_id, sizeof race_id))
        return;
    if (anomalies_subscribe(api->d.anomalies, conn, race_id) < 0)
        http_respond_error(conn, 503, "could not open the stream");
}
