/* SSE endpoints: the original positions and commentary streams and the combined stream. */
#include "api/api_internal.h"

#include <errno.h>
#include <stdio.h>

void api_stream(struct api *api, struct http_conn *conn, const struct http_request *req,
                enum hub_stream stream, const char *race_id)
{
    char query_id[PW_RACE_ID_MAX + 1] = "";
    if (!race_id) {
        int rc = http_query_param(req->query, "race_id", query_id, sizeof query_id);
        if (rc == -ENOSPC || rc == -EINVAL || (rc == 0 && query_id[0] && !api_valid_race_id(query_id))) {
            http_respond_error(conn, 400, "malformed race_id");
            return;
        }
        race_id = query_id;
    }
    /* EventSource sends Last-Event-ID itself when it reconnects; a client that had to make
     * a new EventSource passes the id it had in the query instead. */
    const char *last = http_request_header(req, "Last-Event-ID");
    char query_last[64];
    if (!last && http_query_param(req->query, "last_event_id", query_last, sizeof query_last) == 0)
        last = query_last;
    int rc = hub_subscribe(api->d.hub, conn, stream, race_id, last);
    if (rc == 0)
        return;
    if (rc == 1) {
        /* Over, and the client has it all: 204 tells EventSource not to reconnect. */
        http_respond(conn, 204, "text/plain", "", "", 0);
        return;
    }
    if (rc == -EINVAL) {
        http_respond_error(conn, 400, "malformed Last-Event-ID (expected \"<n>-<n>\")");
        return;
    }
    if (rc == -ENOENT) {
        struct history_race h;
        struct history_result res[PW_MAX_CARS];
        int n = 0;
        if (api->d.history && race_id[0] &&
            history_get(api->d.history, race_id, &h, res, PW_MAX_CARS, &n) == 0) {
            /* Finished before this server's memory: nothing live to stream. */
            http_respond(conn, 204, "text/plain", "", "", 0);
            return;
        }
        http_respond_error(conn, 404, "Race not found");
        return;
    }
    http_respond_error(conn, 503, "could not open the stream");
}
