/* Request routing: path and method to handler, 404/405 for the rest, static files last. */
#include "api/api_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int api_create(const struct api_deps *deps, struct api **out)
{
    struct api *api = calloc(1, sizeof *api);
    if (!api)
        return -ENOMEM;
    api->d = *deps;
    if (api->d.max_races <= 0)
        api->d.max_races = 64;
    if (api->d.starts_per_minute <= 0)
        api->d.starts_per_minute = 30;
    *out = api;
    return 0;
}

void api_set_server(struct api *api, struct http_server *server)
{
    api->d.server = server;
}

void api_destroy(struct api *api)
{
    free(api);
}

static bool method_is(const struct http_request *req, enum http_req_method method)
{
    return req->method == method;
}

/* Answer 405 unless the request uses `method`. */
static bool allow(struct http_conn *conn, const struct http_request *req,
                  enum http_req_method method)
{
    if (method_is(req, method) || (method == HTTP_REQ_GET && method_is(req, HTTP_REQ_HEAD)))
        return true;
    http_respond_error(conn, 405, "Method Not Allowed");
    return false;
}

/* /api/race/{id}/{action}: split into id and action, answering 400/404 when malformed. */
static void route_race(struct api *api, struct http_conn *conn, const struct http_request *req,
                       const char *rest)
{
    const char *slash = strchr(rest, '/');
    char id[PW_RACE_ID_MAX + 1];
    size_t id_len = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *action = slash ? slash + 1 : "";
    if (strcmp(rest, "start") == 0) {
        if (allow(conn, req, HTTP_REQ_POST))
            api_race_start(api, conn, req);
        return;
    }
    if (id_len == 0 || id_len >= sizeof id) {
        http_respond_error(conn, id_len ? 400 : 404, id_len ? "malformed race id" : "Not Found");
        return;
    }
    memcpy(id, rest, id_len);
    id[id_len] = '\0';
    if (!api_valid_race_id(id)) {
        http_respond_error(conn, 400, "malformed race id");
        return;
    }
    if (strcmp(action, "status") == 0) {
        if (allow(conn, req, HTTP_REQ_GET))
            api_race_status(api, conn, id);
    } else if (strcmp(action, "positions") == 0) {
        if (allow(conn, req, HTTP_REQ_GET))
            api_race_positions(api, conn, id);
    } else if (strcmp(action, "stream") == 0) {
        if (allow(conn, req, HTTP_REQ_GET))
            api_stream(api, conn, req, HUB_STREAM_RACE, id);
    } else if (strcmp(action, "stop") == 0 || strcmp(action, "pause") == 0 ||
               strcmp(action, "resume") == 0 || strcmp(action, "seek") == 0) {
        if (allow(conn, req, HTTP_REQ_POST))
            api_race_control(api, conn, id, action, req);
    } else {
        http_respond_error(conn, 404, "Not Found");
    }
}

void api_handle(void *ctx, struct http_conn *conn, const struct http_request *req)
{
    struct api *api = ctx;
    const char *p = req->path;
    if (strcmp(p, "/api/health") == 0) {
        if (allow(conn, req, HTTP_REQ_GET))
            api_health(api, conn);
    } else if (strcmp(p, "/api/drivers") == 0) {
        if (allow(conn, req, HTTP_REQ_GET))
            api_drivers(api, conn);
    } else if (strcmp(p, "/api/races") == 0) {
        if (allow(conn, req, HTTP_REQ_GET))
            api_races(api, conn);
    } else if (strcmp(p, "/api/replays") == 0) {
        if (allow(conn, req, HTTP_REQ_GET))
            api_replays(api, conn);
    } else if (strcmp(p, "/api/replay/start") == 0) {
        if (allow(conn, req, HTTP_REQ_POST))
            api_replay_start(api, conn, req);
    } else if (strcmp(p, "/api/positions/stream") == 0) {
        if (allow(conn, req, HTTP_REQ_GET))
            api_stream(api, conn, req, HUB_STREAM_POSITIONS, NULL);
    } else if (strcmp(p, "/api/commentary/stream") == 0) {
        if (allow(conn, req, HTTP_REQ_GET))
            api_stream(api, conn, req, HUB_STREAM_COMMENTARY, NULL);
    } else if (strcmp(p, "/api/anomalies/latest") == 0) {
        if (allow(conn, req, HTTP_REQ_GET))
            api_anomalies_latest(api, conn, req);
    } else if (strcmp(p, "/api/anomalies/stream") == 0) {
        if (allow(conn, req, HTTP_REQ_GET))
            api_anomalies_stream(api, conn, req);
    } else if (strncmp(p, "/api/race/", 10) == 0) {
        route_race(api, conn, req, p + 10);
    } else if (strcmp(p, "/metrics") == 0) {
        if (!allow(conn, req, HTTP_REQ_GET))
            return;
        if (api->d.admin_token && api->d.admin_token[0] && !api_is_admin(api, req))
            http_respond_error(conn, 403, "/metrics needs the admin token "
                                          "(Authorization: Bearer <server.admin_token>)");
        else
            api_metrics(api, conn);
    } else if (strncmp(p, "/api/", 5) == 0 || strcmp(p, "/api") == 0) {
        http_respond_error(conn, 404, "Not Found");
    } else if (api->d.web_root) {
        http_serve_static(conn, req, api->d.web_root);
    } else {
        http_respond_error(conn, 404, "Not Found");
    }
}
