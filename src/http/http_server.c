/* http_server.c — listening socket, connection lifecycle, timers, stats, stop. */
#include "http/http_internal.h"

#include "core/error.h"
#include "core/mem.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define MOD "http"

static const char *const default_origins[] = {
    "http://localhost:3000", /* the original app's allow-list had it */
    "http://127.0.0.1:3000",
    "http://localhost:5173",
    "http://127.0.0.1:5173",
    "http://localhost:8001",
    "http://127.0.0.1:8001",
};

void http_server_config_defaults(struct http_server_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->host = "127.0.0.1";
    cfg->port = 8001;
    cfg->backlog = 4096;
    cfg->max_connections = 20000;
    cfg->max_header_bytes = 16 * 1024;
    cfg->max_headers = 64;
    cfg->max_url_bytes = 4 * 1024;
    cfg->max_body_bytes = 64 * 1024;
    cfg->request_timeout_ms = 10000;
    cfg->idle_timeout_ms = 60000;
    cfg->stream_queue_bytes = 256 * 1024;
    cfg->output_queue_bytes = 256 * 1024;
    cfg->send_timeout_ms = 30000;
    cfg->n_cors_origins = 0;
}

/* Zero fields mean "default", so a caller that only sets a few values still gets sane
 * limits. */
static void config_fill(struct http_server_config *cfg)
{
    struct http_server_config def;
    http_server_config_defaults(&def);
    if (!cfg->host)
        cfg->host = def.host;
    if (cfg->backlog <= 0)
        cfg->backlog = def.backlog;
    if (cfg->max_connections <= 0)
        cfg->max_connections = def.max_connections;
    if (!cfg->max_header_bytes)
        cfg->max_header_bytes = def.max_header_bytes;
    if (cfg->max_headers <= 0)
        cfg->max_headers = def.max_headers;
    if (!cfg->max_url_bytes)
        cfg->max_url_bytes = def.max_url_bytes;
    if (!cfg->max_body_bytes)
        cfg->max_body_bytes = def.max_body_bytes;
    if (!cfg->request_timeout_ms)
        cfg->request_timeout_ms = def.request_timeout_ms;
    if (!cfg->idle_timeout_ms)
        cfg->idle_timeout_ms = def.idle_timeout_ms;
    if (!cfg->stream_queue_bytes)
        cfg->stream_queue_bytes = def.stream_queue_bytes;
    if (!cfg->output_queue_bytes)
        cfg->output_queue_bytes = def.output_queue_bytes;
    if (!cfg->send_timeout_ms)
        cfg->send_timeout_ms = def.send_timeout_ms;
    if (cfg->n_cors_origins <= 0) {
        cfg->n_cors_origins = (int)(sizeof default_origins / sizeof default_origins[0]);
        for (int i = 0; i < cfg->n_cors_origins; i++)
            cfg->cors_origins[i] = default_origins[i];
    }
    if (cfg->n_cors_origins > HTTP_CORS_MAX_ORIGINS)
        cfg->n_cors_origins = HTTP_CORS_MAX_ORIGINS;
}

const char *http_server_date(struct http_server *srv)
{
    time_t now = time(NULL);
    if ((int64_t)now != srv->date_sec) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(srv->date, sizeof srv->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        srv->date_sec = (int64_t)now;
    }
    return srv->date;
}

void http_server_count_status(struct http_server *srv, int status)
{
    struct http_server_stats *st = &srv->stats;
    if (status >= 100 && status < 600)
        st->responses_by_status[status / 100]++;
    switch (status) {
    case 400:
        st->status_400++;
        break;
    case 404:
        st->status_404++;
        break;
    case 405:
        st->status_405++;
        break;
    case 408:
        st->status_408++;
        break;
    case 413:
        st->status_413++;
        break;
    case 414:
        st->status_414++;
        break;
    case 422:
        st->status_422++;
        break;
    case 429:
        st->status_429++;
        break;
    case 431:
        st->status_431++;
        break;
    case 503:
        st->status_503++;
        break;
    default:
        break;
    }
}

static void server_handle_closed(struct http_server *srv)
{
    srv->handles_open--;
    if (srv->stopping && srv->handles_open == 0) {
        void (*done)(void *) = srv->stop_done;
        void *arg = srv->stop_arg;
        http_write_pool_free(srv);
        http_static_cache_free(&srv->static_cache);
        free(srv);
        if (done)
            done(arg);
    }
}

static void conn_handle_closed(uv_handle_t *handle)
{
    struct http_conn *conn = handle->data;
    if (--conn->handles_open > 0)
        return;
    struct http_server *srv = conn->srv;
    /* Pending writes were cancelled (their callbacks ran) before these close callbacks. */
    if (!conn->owner_notified && conn->on_close) {
        conn->owner_notified = true;
        conn->on_close(conn->owner, conn);
    }
    if (conn->prev)
        conn->prev->next = conn->next;
    else if (srv->conns == conn)
        srv->conns = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    if (conn->rejected)
        srv->rejected_lingering--;
    else
        srv->stats.connections_open--;
    http_conn_free_buffers(conn);
    free(conn);
    uint64_t open = srv->stats.connections_open;
    if (srv->conns_peak >= open + HTTP_GIVE_BACK_CONNS && open <= srv->conns_peak / 2) {
        pw_mem_give_back();
        srv->conns_peak = open;
    }
    server_handle_closed(srv);
}

static void conn_close_now(struct http_conn *conn)
{
    if (conn->state == HTTP_CS_CLOSED)
        return;
    if (conn->state == HTTP_CS_STREAMING)
        conn->srv->stats.streams_open--;
    conn->state = HTTP_CS_CLOSED;
    http_conn_drop_staged(conn);
    http_conn_undefer(conn);
    uv_close((uv_handle_t *)&conn->timer, conn_handle_closed);
    uv_close((uv_handle_t *)&conn->tcp, conn_handle_closed);
}

static void conn_shutdown_done(uv_shutdown_t *req, int status)
{
    struct http_conn *conn = req->data;
    if (conn->state == HTTP_CS_CLOSED)
        return;
    /* On error the peer is gone; otherwise everything was sent: drain input briefly. */
    if (status < 0)
        conn_close_now(conn);
    else
        http_conn_arm_timer(conn, HTTP_LINGER_MS);
}

void http_conn_begin_close(struct http_conn *conn, bool linger)
{
    if (conn->state == HTTP_CS_CLOSED)
        return;
    if (!linger || (conn->peer_eof && conn->queued_bytes == 0)) {
        conn_close_now(conn);
        return;
    }
    if (conn->state == HTTP_CS_CLOSING) {
        if (conn->peer_eof)
            conn->close_after_write = true;
        return;
    }
    if (conn->state == HTTP_CS_STREAMING)
        conn->srv->stats.streams_open--;
    conn->state = HTTP_CS_CLOSING;
    /* Bound the wait for a peer that does not read what is queued. */
    http_conn_arm_timer(conn, conn->srv->cfg.idle_timeout_ms);
    if (conn->peer_eof) {
        conn->close_after_write = true;
        return;
    }
    conn->shutdown_req.data = conn;
    /* uv_shutdown waits for queued writes, then sends FIN; input is read and dropped
     * until the peer closes or the linger timer fires. */
    if (uv_shutdown(&conn->shutdown_req, (uv_stream_t *)&conn->tcp, conn_shutdown_done) < 0) {
        conn_close_now(conn);
        return;
    }
    if (!conn->reading) {
        if (uv_read_start((uv_stream_t *)&conn->tcp, http_conn_alloc, http_conn_on_read) == 0)
            conn->reading = true;
    }
}

static void conn_timer_fired(uv_timer_t *timer)
{
    struct http_conn *conn = timer->data;
    switch (conn->state) {
    case HTTP_CS_READING:
        if (http_write_response(conn, 408, "application/json", "",
                                "{\"detail\":\"Request Timeout\"}", 28, false) == 0)
            http_conn_begin_close(conn, true);
        else
            conn_close_now(conn);
        break;
    case HTTP_CS_IDLE:
        if (conn->out_blocked) {
            /* Its answers sat unread for send_timeout_ms: the peer is not reading. */
            conn->srv->stats.send_timeouts++;
            PW_INFO(conn->srv->log, MOD, "%s: closed, %zu bytes of answers unread for %" PRIu64
                    " ms", conn->remote_addr, conn->queued_bytes, conn->srv->cfg.send_timeout_ms);
            conn_close_now(conn);
            break;
        }
        if (conn->pending_len > 0) {
            http_conn_continue(conn); /* deferred pipelined input */
            break;
        }
        conn_close_now(conn);
        break;
    case HTTP_CS_CLOSING:
        conn_close_now(conn);
        break;
    default:
        break;
    }
}

void http_conn_arm_timer(struct http_conn *conn, uint64_t ms)
{
    uv_timer_start(&conn->timer, conn_timer_fired, ms, 0);
}

static void conn_remote_addr(struct http_conn *conn)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    strcpy(conn->remote_addr, "unknown");
    if (uv_tcp_getpeername(&conn->tcp, (struct sockaddr *)&ss, &len) != 0)
        return;
    if (ss.ss_family == AF_INET)
        uv_ip4_name((struct sockaddr_in *)&ss, conn->remote_addr, sizeof conn->remote_addr);
    else if (ss.ss_family == AF_INET6)
        uv_ip6_name((struct sockaddr_in6 *)&ss, conn->remote_addr, sizeof conn->remote_addr);
}

static const char reject_503[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    "Content-Length: 40\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
    "{\"detail\":\"Too many connections, retry\"}";

static void on_connection(uv_stream_t *listener, int status)
{
    struct http_server *srv = listener->data;
    if (status < 0) {
        /* Out of descriptors comes in floods: one line a second is enough. */
        uint64_t now = uv_now(srv->loop);
        if (now - srv->accept_error_logged_ms >= 1000) {
            srv->accept_error_logged_ms = now;
            PW_WARN(srv->log, MOD, "accept: %s", uv_strerror(status));
        }
        return;
    }
    struct http_conn *conn = calloc(1, sizeof *conn);
    if (!conn) {
        PW_ERROR(srv->log, MOD, "accept: out of memory");
        return;
    }
    conn->srv = srv;
    if (uv_tcp_init(srv->loop, &conn->tcp) != 0) {
        free(conn);
        return;
    }
    conn->tcp.data = conn;
    uv_timer_init(srv->loop, &conn->timer);
    conn->timer.data = conn;
    conn->handles_open = 2;
    srv->handles_open++;
    conn->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = conn;
    srv->conns = conn;
    bool over = srv->stats.connections_open >= (uint64_t)srv->cfg.max_connections;
    if (over) {
        conn->rejected = true;
        srv->rejected_lingering++;
    } else {
        srv->stats.connections_open++;
        srv->stats.connections_total++;
        if (srv->stats.connections_open > srv->conns_peak)
            srv->conns_peak = srv->stats.connections_open;
    }
    if (uv_accept(listener, (uv_stream_t *)&conn->tcp) != 0) {
        conn_close_now(conn);
        return;
    }
    if (over) {
        srv->stats.connections_rejected++;
        http_server_count_status(srv, 503);
        /* Floods come in bursts: at most one line a second, with the count since. */
        srv->cap_unlogged++;
        uint64_t now = uv_now(srv->loop);
        if (srv->cap_logged_ms == 0 || now - srv->cap_logged_ms >= 1000) {
            PW_WARN(srv->log, MOD,
                    "connection cap reached (%d open): %" PRIu64 " connection(s) answered 503",
                    srv->cfg.max_connections, srv->cap_unlogged);
            srv->cap_logged_ms = now ? now : 1;
            srv->cap_unlogged = 0;
        }
        /* A short fixed answer written without queueing; then linger briefly so the peer
         * reads it rather than a reset. Under a flood, close at once instead. */
        uv_buf_t b = uv_buf_init((char *)reject_503, sizeof reject_503 - 1);
        int n = uv_try_write((uv_stream_t *)&conn->tcp, &b, 1);
        if (n > 0)
            srv->stats.bytes_sent += (uint64_t)n;
        conn->state = HTTP_CS_IDLE;
        http_conn_begin_close(conn, srv->rejected_lingering <= HTTP_MAX_REJECTED_LINGER);
        return;
    }
    uv_tcp_nodelay(&conn->tcp, 1);
    conn_remote_addr(conn);
    http_parser_init(&conn->parser, HTTP_REQUEST);
    conn->parser.data = conn;
    conn->state = HTTP_CS_IDLE;
    if (uv_read_start((uv_stream_t *)&conn->tcp, http_conn_alloc, http_conn_on_read) != 0) {
        conn_close_now(conn);
        return;
    }
    conn->reading = true;
    /* A connection that never sends a byte is dropped after the request timeout. */
    http_conn_arm_timer(conn, srv->cfg.request_timeout_ms);
}

/* The cap must sit below the descriptor limit: at the limit accept() fails, libuv resets
 * the waiting connections, and the documented 503 is never sent. */
static void cap_below_fd_limit(struct http_server *srv)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return;
    long long usable = (long long)rl.rlim_cur - HTTP_FD_RESERVE - HTTP_MAX_REJECTED_LINGER;
    if (usable < 1)
        usable = 1;
    if (srv->cfg.max_connections <= usable)
        return;
    PW_WARN(srv->log, MOD,
            "max_connections %d lowered to %lld: the descriptor limit is %llu (ulimit -n) and "
            "%d are kept for files, the 503 answers and the rest",
            srv->cfg.max_connections, usable, (unsigned long long)rl.rlim_cur,
            HTTP_FD_RESERVE + HTTP_MAX_REJECTED_LINGER);
    srv->cfg.max_connections = (int)usable;
}

int http_server_max_connections(const struct http_server *srv)
{
    return srv->cfg.max_connections;
}

int http_server_start(uv_loop_t *loop, const struct http_server_config *cfg,
                      const struct pw_log *log, http_handler_fn handler, void *handler_ctx,
                      struct http_server **out)
{
    int rc = 0;
    struct http_server *srv = NULL;
    if (!loop || !cfg || !handler || !out)
        return -EINVAL;
    srv = calloc(1, sizeof *srv);
    if (!srv)
        return -ENOMEM;
    srv->loop = loop;
    srv->cfg = *cfg;
    config_fill(&srv->cfg);
    srv->log = log;
    cap_below_fd_limit(srv);
    srv->handler = handler;
    srv->handler_ctx = handler_ctx;
    srv->date_sec = -1;
    http_conn_setup_parser(srv);

    struct sockaddr_storage addr;
    if (strchr(srv->cfg.host, ':'))
        rc = uv_ip6_addr(srv->cfg.host, srv->cfg.port, (struct sockaddr_in6 *)&addr);
    else
        rc = uv_ip4_addr(srv->cfg.host, srv->cfg.port, (struct sockaddr_in *)&addr);
    if (rc != 0) {
        PW_ERROR(log, MOD, "bad listen address %s", srv->cfg.host);
        rc = -EINVAL;
        goto out;
    }
    rc = uv_tcp_init(loop, &srv->listener);
    if (rc != 0)
        goto out;
    srv->listener.data = srv;
    srv->handles_open = 1;
    rc = http_flush_init(srv);
    if (rc != 0) {
        /* uv_idle/check_init cannot fail today; if they ever do, close the listener */
        http_server_stop(srv, NULL, NULL);
        return rc;
    }
    srv->handles_open += 3;
    rc = http_listen_bind(&srv->listener, (struct sockaddr *)&addr, srv->cfg.reuse_port);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&srv->listener, srv->cfg.backlog, on_connection);
    if (rc != 0) {
        PW_ERROR(log, MOD, "listen on %s:%d: %s", srv->cfg.host, srv->cfg.port, uv_strerror(rc));
        /* The handle exists: stop the server so it is closed and freed properly. */
        http_server_stop(srv, NULL, NULL);
        return rc;
    }
    PW_INFO(log, MOD, "listening on %s:%d", srv->cfg.host, http_server_port(srv));
    *out = srv;
    return 0;
out:
    free(srv);
    return rc;
}

int http_server_port(const struct http_server *srv)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void listener_closed(uv_handle_t *handle)
{
    server_handle_closed(handle->data);
}

void http_server_stop(struct http_server *srv, void (*done)(void *arg), void *arg)
{
    if (!srv || srv->stopping)
        return;
    srv->stopping = true;
    srv->stop_done = done;
    srv->stop_arg = arg;
    for (struct http_conn *c = srv->conns; c; c = c->next)
        conn_close_now(c);
    uv_close((uv_handle_t *)&srv->listener, listener_closed);
    if (srv->handles_open > 1)
        http_flush_close(srv, listener_closed);
}

void http_server_get_stats(const struct http_server *srv, struct http_server_stats *out)
{
    *out = srv->stats;
}

void http_conn_set_owner(struct http_conn *conn, void *owner,
                         void (*on_close)(void *owner, struct http_conn *conn))
{
    conn->owner = owner;
    conn->on_close = on_close;
}

void http_conn_close(struct http_conn *conn)
{
    conn_close_now(conn);
}
