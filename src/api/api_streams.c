/* SSE endpoints: the original positions and commentary streams and the combined stream. */
#include "api/api_internal.h"

#include "hub/encode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- the hub's sink (hub_sink.h) over an HTTP connection ---- */

/* What the connection's close callback needs to tell the hub. */
struct conn_sink {
    hub_sink_closed_fn closed;
    void *owner;
};

static void conn_sink_closed(void *p, struct http_conn *conn)
{
    struct conn_sink *s = p;
    hub_sink_closed_fn closed = s->closed;
    void *owner = s->owner;
    (void)conn;
    free(s);
    closed(owner);
}

static int conn_sink_begin(void *ctx, const char *coding, hub_sink_closed_fn closed, void *owner)
{
    struct http_conn *conn = ctx;
    struct conn_sink *s = malloc(sizeof *s);
    if (!s)
        return -ENOMEM;
    /* The hub compresses (when asked to, by Accept-Encoding); the answer says how. */
    char headers[96] = "Vary: Accept-Encoding\r\n";
    if (coding)
        snprintf(headers, sizeof headers, "Content-Encoding: %s\r\nVary: Accept-Encoding\r\n",
                 coding);
    int rc = http_stream_begin(conn, "text/event-stream; charset=utf-8", headers);
    if (rc != 0) {
        free(s);
        return rc == HTTP_STREAM_HEAD ? HUB_SINK_ANSWERED : rc;
    }
    *s = (struct conn_sink){closed, owner};
    http_conn_set_owner(conn, s, conn_sink_closed);
    return 0;
}

static int conn_sink_write(void *ctx, struct pw_buf *buf)
{
    return http_stream_write(ctx, buf);
}

static void conn_sink_close(void *ctx)
{
    http_conn_close(ctx);
}

static void conn_sink_end(void *ctx)
{
    http_stream_end(ctx);
}

static const struct hub_sink_ops conn_sink_ops = {
    .begin = conn_sink_begin,
    .write = conn_sink_write,
    .close = conn_sink_close,
    .end = conn_sink_end,
};

/* ---- endpoints ---- */
#include <string.h>

/* Append one SSE frame of `doc` (taken) to `out`. */
static int add_frame(struct pw_buf **frames, int *n, const char *event, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text)
        return -ENOMEM;
    frames[*n] = hub_sse_frame(NULL, event, text, strlen(text));
    free(text);
    return frames[(*n)++] ? 0 : -ENOMEM;
}

/* A race this server no longer holds in memory (finished, evicted) is answered from the
 * history as a finite stream: what a new client of a finished race gets, a snapshot (the
 * final positions frame, as the race's last tick showed it) and the `end` frame, then the
 * response is complete. */
static void reply_from_history(struct http_conn *conn, enum hub_stream stream,
                               const struct history_race *h, const struct pw_car *cars, int n)
{
    struct pw_buf *frames[2] = {NULL, NULL};
    int count = 0, rc = 0;
    bool finished = strcmp(h->status, "finished") == 0;
    if (stream == HUB_STREAM_RACE) {
        json_t *positions = finished ? api_history_positions_json(h, cars, n) : NULL;
        rc = add_frame(frames, &count, "snapshot",
                       json_pack("{s:s, s:o, s:o, s:[]}", "type", "snapshot", "status",
                                 api_history_status_json(h), "positions",
                                 positions ? positions : json_null(), "commentary"));
        if (rc == 0)
            rc = add_frame(frames, &count, "end",
                           json_pack("{s:s, s:s, s:s}", "type", "end", "race_id", h->race_id,
                                     "status", h->status));
    } else {
        if (stream == HUB_STREAM_POSITIONS && finished)
            rc = add_frame(frames, &count, NULL,
                           json_pack("{s:s, s:o}", "type", "positions", "data",
                                     api_history_positions_json(h, cars, n)));
        if (rc == 0)
            rc = add_frame(frames, &count, NULL,
                           json_pack("{s:s, s:{s:s, s:s}}", "type", "end", "data", "race_id",
                                     h->race_id, "status", h->status));
    }
    size_t len = 0;
    for (int i = 0; i < count; i++)
        len += frames[i]->len;
    char *body = rc == 0 ? malloc(len + 1) : NULL;
    if (body) {
        size_t at = 0;
        for (int i = 0; i < count; i++) {
            memcpy(body + at, frames[i]->data, frames[i]->len);
            at += frames[i]->len;
        }
        http_respond(conn, 200, "text/event-stream; charset=utf-8", "Cache-Control: no-cache\r\n",
                     body, len);
    } else {
        http_respond_error(conn, 500, "out of memory");
    }
    free(body);
    for (int i = 0; i < count; i++)
        pw_buf_unref(frames[i]);
}

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
    struct hub_sink sink = {&conn_sink_ops, conn};
    int rc = hub_subscribe(api->d.hub, &sink, stream, race_id, last,
                           http_request_header(req, "Accept-Encoding"));
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
        struct pw_car cars[PW_MAX_CARS];
        int n = 0;
        if (api->d.history && race_id[0] &&
            history_get(api->d.history, race_id, &h, cars, PW_MAX_CARS, &n) == 0) {
            if (last && last[0]) {
                /* A returning client of a race that is over: nothing more will come. */
                http_respond(conn, 204, "text/plain", "", "", 0);
                return;
            }
            reply_from_history(conn, stream, &h, cars, n);
            return;
        }
        http_respond_error(conn, 404, "Race not found");
        return;
    }
    http_respond_error(conn, 503, "could not open the stream");
}
