/* sse_fanout_server — a STAND-IN for pitwall's hub, for benchmarking src/http alone.
 *
 * It is not pitwall: it serves GET /api/race/{id}/stream with frames shaped like pitwall's
 * positions frames (id "R-C", event: positions, ~5 KB of data with "server_ms") at
 * --tick-hz, each encoded once into one pw_buf written to every client, plus POST
 * /api/race/start answering {"race_id":"bench"} so sse_load --start-race works. It shows
 * what the HTTP layer costs per fan-out, separately from the real server's numbers. */
#include "http/http_server.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <uv.h>

struct fan_client {
    struct fan_client *prev, *next;
    struct http_conn *conn;
    struct fanout *f;
};

struct fanout {
    uv_loop_t *loop;
    struct http_server *srv;
    struct fan_client *clients;
    uint64_t n_clients, r, sent, failed;
    uv_timer_t tick;
    uv_signal_t sigint, sigterm;
    char payload[6000];
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void client_gone(void *owner, struct http_conn *conn)
{
    struct fan_client *c = owner;
    (void)conn;
    if (c->prev)
        c->prev->next = c->next;
    else
        c->f->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->f->n_clients--;
    free(c);
}

static void on_tick(uv_timer_t *t)
{
    struct fanout *f = t->data;
    f->r++;
    char frame[8192];
    int n = snprintf(frame, sizeof frame,
                     "id: %" PRIu64 "-0\nevent: positions\ndata: {\"type\":\"positions\",\"data\":"
                     "{\"positions\":[%s],\"seq\":%" PRIu64 ",\"server_ms\":%" PRId64
                     ",\"status\":\"in_progress\"}}\n\n",
                     f->r, f->payload, f->r, wall_ms());
    struct pw_buf *buf = pw_buf_new(frame, (size_t)n);
    struct fan_client *next;
    for (struct fan_client *c = f->clients; c; c = next) {
        next = c->next;
        if (http_stream_write(c->conn, buf) < 0)
            f->failed++;
        else
            f->sent++;
    }
    pw_buf_unref(buf);
}

static void handler(void *ctx, struct http_conn *conn, const struct http_request *req)
{
    struct fanout *f = ctx;
    if (req->method == HTTP_REQ_POST && strcmp(req->path, "/api/race/start") == 0) {
        static const char body[] = "{\"race_id\":\"bench\",\"status\":\"started\"}";
        http_respond(conn, 200, "application/json", "", body, sizeof body - 1);
        return;
    }
    if (strncmp(req->path, "/api/race/", 10) != 0 || !strstr(req->path, "/stream")) {
        http_respond_error(conn, 404, "Not Found");
        return;
    }
    struct fan_client *c = calloc(1, sizeof *c);
    if (!c || http_stream_begin(conn, "text/event-stream; charset=utf-8", "") != 0) {
        free(c);
        return;
    }
    c->conn = conn;
    c->f = f;
    c->next = f->clients;
    if (f->clients)
        f->clients->prev = c;
    f->clients = c;
    f->n_clients++;
    http_conn_set_owner(conn, c, client_gone);
}

static void stopped(void *arg)
{
    (void)arg;
}

static void on_signal(uv_signal_t *s, int sig)
{
    struct fanout *f = s->data;
    (void)sig;
    struct http_server_stats st;
    http_server_get_stats(f->srv, &st);
    fprintf(stderr,
            "sse_fanout_server: ticks %" PRIu64 " writes %" PRIu64 " failed %" PRIu64
            " evicted %" PRIu64 " bytes %" PRIu64 "\n",
            f->r, f->sent, f->failed, st.streams_evicted, st.bytes_sent);
    uv_timer_stop(&f->tick);
    uv_close((uv_handle_t *)&f->tick, NULL);
    uv_close((uv_handle_t *)&f->sigint, NULL);
    uv_close((uv_handle_t *)&f->sigterm, NULL);
    http_server_stop(f->srv, stopped, NULL);
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 8002;
    int hz = argc > 2 ? atoi(argv[2]) : 10;
    struct fanout *f = calloc(1, sizeof *f);
    if (!f || hz <= 0)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* 20 cars of about 250 bytes, like pitwall's CAR objects */
    size_t off = 0;
    for (int i = 0; i < 20; i++)
        off +=
            (size_t)snprintf(f->payload + off, sizeof f->payload - off,
                             "%s{\"driver_name\":\"Driver %02d\",\"position\":%d,\"number\":\"%d\","
                             "\"tla\":\"D%02d\",\"team\":\"Team\",\"team_color\":\"#F47600\","
                             "\"laps\":12,\"gap_ms\":%d,\"interval_ms\":812,\"last_lap_ms\":81234,"
                             "\"best_lap_ms\":81000,\"tyre\":\"MEDIUM\",\"pit_stops\":1}",
                             i ? "," : "", i, i + 1, i + 1, i, i * 1000);
    f->loop = uv_default_loop();
    struct http_server_config cfg;
    http_server_config_defaults(&cfg);
    cfg.port = port;
    struct pw_log log = {.level = PW_LOG_WARN, .out = NULL};
    if (http_server_start(f->loop, &cfg, &log, handler, f, &f->srv) < 0)
        return 1;
    uv_timer_init(f->loop, &f->tick);
    f->tick.data = f;
    uv_timer_start(&f->tick, on_tick, 1000, (uint64_t)(1000 / hz));
    uv_signal_init(f->loop, &f->sigint);
    uv_signal_init(f->loop, &f->sigterm);
    f->sigint.data = f->sigterm.data = f;
    uv_signal_start(&f->sigint, on_signal, SIGINT);
    uv_signal_start(&f->sigterm, on_signal, SIGTERM);
    fprintf(stderr, "sse_fanout_server: port %d, %d Hz (a stand-in for the hub)\n",
            http_server_port(f->srv), hz);
    uv_run(f->loop, UV_RUN_DEFAULT);
    uv_loop_close(f->loop);
    free(f);
    return 0;
}
