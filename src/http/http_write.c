/* http_write.c — the write path (refcounted buffers, bounded queues), responses, streams
 * and CORS headers. */
#include "http/http_internal.h"

#include "core/error.h"
#include "core/utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define MOD "http"

const char *http_status_text(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

static struct http_write_req *write_req_get(struct http_server *srv)
{
    struct http_write_req *w = srv->write_pool;
    if (w) {
        srv->write_pool = w->next_free;
        srv->write_pool_n--;
        return w;
    }
    return malloc(sizeof *w);
}

static void write_req_put(struct http_server *srv, struct http_write_req *w)
{
    if (srv->write_pool_n >= HTTP_WRITE_REQ_POOL) {
        free(w);
        return;
    }
    w->next_free = srv->write_pool;
    srv->write_pool = w;
    srv->write_pool_n++;
}

void http_write_pool_free(struct http_server *srv)
{
    while (srv->write_pool) {
        struct http_write_req *w = srv->write_pool;
        srv->write_pool = w->next_free;
        free(w);
    }
    srv->write_pool_n = 0;
}

static void write_done(uv_write_t *req, int status)
{
    struct http_write_req *w = (struct http_write_req *)req;
    struct http_conn *conn = w->conn;
    size_t len = w->len;
    for (int i = 0; i < w->nbufs; i++)
        pw_buf_unref(w->bufs[i]);
    write_req_put(conn->srv, w);
    conn->queued_bytes -= len;
    if (status == 0)
        conn->srv->stats.bytes_sent += len;
    if (conn->state == HTTP_CS_CLOSED)
        return;
    if (status < 0) {
        /* EPIPE / ECONNRESET: the peer is gone (SIGPIPE is ignored by the app). */
        http_conn_close(conn);
        return;
    }
    if (conn->close_after_write && conn->queued_bytes == 0) {
        http_conn_close(conn);
        return;
    }
    if (conn->out_blocked)
        http_conn_output_drained(conn);
}

/* As much of bufs[0..n) as the socket takes now, without blocking: the bytes taken, or a
 * negative errno (-EAGAIN when it takes none). Only while libuv has nothing queued for the
 * connection (queued_bytes == 0), so the bytes keep their order. sendmsg rather than libuv's
 * uv_try_write: a stream tick is one such call per viewer, and write/writev go through the
 * file layer first (vfs_write, with its file-change notification on the socket's inode):
 * at 15,000 viewers the calls' own layers above TCP were 9.7 % of the server's samples with
 * writev, against 7.1 % for the raw-epoll floor's send. */
static ssize_t send_now(struct http_conn *conn, struct pw_buf *const *bufs, int n)
{
    struct iovec iov[HTTP_STAGE_MAX];
    uv_os_fd_t fd;
    if (uv_fileno((const uv_handle_t *)&conn->tcp, &fd) < 0)
        return -EBADF;
    for (int i = 0; i < n; i++)
        iov[i] = (struct iovec){.iov_base = bufs[i]->data, .iov_len = bufs[i]->len};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    ssize_t w;
    do
        w = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (w < 0 && errno == EINTR);
    if (w < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    return w;
}

/* Write bufs[0..n) in order: as much as the socket takes now, the rest through uv_write
 * with a reference on each buffer still needed. 0 or a negative uv/errno code. */
static int write_bufs(struct http_conn *conn, struct pw_buf *const *bufs, int n)
{
    struct http_server *srv = conn->srv;
    uv_buf_t ub[HTTP_STAGE_MAX];
    size_t total = 0, done = 0;
    if (conn->state == HTTP_CS_CLOSED)
        return -EPIPE;
    for (int i = 0; i < n; i++)
        total += bufs[i]->len;
    if (total == 0)
        return 0;
    if (conn->queued_bytes == 0) {
        /* Most writes fit the socket buffer: no request, no reference, no callback. */
        ssize_t w = send_now(conn, bufs, n);
        if (w >= 0) {
            srv->stats.bytes_sent += (uint64_t)w;
            done = (size_t)w;
            if (done == total)
                return 0;
        } else if (w != -EAGAIN) {
            return (int)w;
        }
    }
    /* Skip what went out; the first remaining buffer may be partly written. */
    int first = 0;
    size_t skip = done;
    while (first < n && skip >= bufs[first]->len) {
        skip -= bufs[first]->len;
        first++;
    }
    struct http_write_req *w = write_req_get(srv);
    if (!w)
        return -ENOMEM;
    w->conn = conn;
    w->nbufs = 0;
    w->len = total - done;
    for (int i = first; i < n; i++) {
        ub[i - first] = uv_buf_init(bufs[i]->data + (i == first ? skip : 0),
                                    (unsigned)(bufs[i]->len - (i == first ? skip : 0)));
        w->bufs[w->nbufs++] = pw_buf_ref(bufs[i]);
    }
    int rc = uv_write(&w->req, (uv_stream_t *)&conn->tcp, ub, (unsigned)w->nbufs, write_done);
    if (rc < 0) {
        for (int i = 0; i < w->nbufs; i++)
            pw_buf_unref(w->bufs[i]);
        write_req_put(srv, w);
        return rc;
    }
    conn->queued_bytes += w->len;
    return 0;
}

int http_write_buf(struct http_conn *conn, struct pw_buf *buf)
{
    return write_bufs(conn, &buf, 1);
}

static void dirty_unlink(struct http_conn *conn)
{
    struct http_server *srv = conn->srv;
    if (!conn->dirty)
        return;
    if (conn->dirty_prev)
        conn->dirty_prev->dirty_next = conn->dirty_next;
    else
        srv->dirty_head = conn->dirty_next;
    if (conn->dirty_next)
        conn->dirty_next->dirty_prev = conn->dirty_prev;
    conn->dirty_prev = conn->dirty_next = NULL;
    conn->dirty = false;
}

void http_conn_drop_staged(struct http_conn *conn)
{
    dirty_unlink(conn);
    /* Staging is invisible to callers: a frame written just before a close (a stream's
     * final "end" event) goes out as it would have without staging, if the socket takes
     * it now. Only bytes the socket cannot take are dropped, as the contract says. */
    if (conn->n_staged > 0 && conn->queued_bytes == 0 && !conn->evicting && !conn->peer_eof) {
        ssize_t n = send_now(conn, conn->staged, conn->n_staged);
        if (n > 0)
            conn->srv->stats.bytes_sent += (uint64_t)n;
    }
    for (int i = 0; i < conn->n_staged; i++)
        pw_buf_unref(conn->staged[i]);
    conn->n_staged = 0;
    conn->staged_bytes = 0;
}

/* Hand the staged frames to the kernel (or libuv's queue) in one go. */
static void conn_flush(struct http_conn *conn)
{
    int n = conn->n_staged;
    dirty_unlink(conn);
    if (n == 0)
        return;
    int rc = write_bufs(conn, conn->staged, n);
    for (int i = 0; i < n; i++)
        pw_buf_unref(conn->staged[i]);
    conn->n_staged = 0;
    conn->staged_bytes = 0;
    if (rc < 0)
        http_conn_close(conn);
}

static void flush_all(struct http_server *srv)
{
    if (!srv->dirty_head)
        return;
    while (srv->dirty_head)
        conn_flush(srv->dirty_head);
    uv_idle_stop(&srv->flush_idle);
    /* A fan-out to thousands of sockets takes tens of milliseconds. libuv computes the
     * next poll timeout from the time cached at the start of this loop turn, so without
     * this a 100 ms repeating timer (the race tick) would next fire 100 ms after the
     * flush *ends*: ticks would slow to 1 / (100 ms + flush time). */
    uv_update_time(srv->loop);
}

static void on_flush_idle(uv_idle_t *h)
{
    struct http_server *srv = h->data;
    flush_all(srv);
    uv_idle_stop(&srv->flush_idle);
}

static void on_flush_check(uv_check_t *h)
{
    flush_all(h->data);
}

int http_flush_init(struct http_server *srv)
{
    int rc = uv_idle_init(srv->loop, &srv->flush_idle);
    if (rc == 0)
        rc = uv_check_init(srv->loop, &srv->flush_check);
    if (rc == 0)
        rc = uv_idle_init(srv->loop, &srv->defer_idle);
    if (rc < 0)
        return rc;
    srv->flush_idle.data = srv;
    srv->flush_check.data = srv;
    srv->defer_idle.data = srv;
    uv_check_start(&srv->flush_check, on_flush_check);
    /* The check handle must not keep an otherwise idle loop alive. */
    uv_unref((uv_handle_t *)&srv->flush_check);
    return 0;
}

void http_flush_close(struct http_server *srv, uv_close_cb cb)
{
    uv_close((uv_handle_t *)&srv->flush_idle, cb);
    uv_close((uv_handle_t *)&srv->flush_check, cb);
    uv_close((uv_handle_t *)&srv->defer_idle, cb);
}

static bool origin_is_clean(const char *origin, size_t len)
{
    if (len == 0 || len >= sizeof(((struct http_conn *)0)->origin))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)origin[i];
        if (c <= ' ' || c >= 0x7f)
            return false;
    }
    return true;
}

void http_cors_check(struct http_conn *conn, const char *origin)
{
    const struct http_server_config *cfg = &conn->srv->cfg;
    conn->origin[0] = '\0';
    if (!origin)
        return;
    size_t len = strlen(origin);
    if (!origin_is_clean(origin, len))
        return;
    for (int i = 0; i < cfg->n_cors_origins; i++) {
        const char *allowed = cfg->cors_origins[i];
        if (allowed && (strcmp(allowed, "*") == 0 || strcmp(allowed, origin) == 0)) {
            memcpy(conn->origin, origin, len + 1);
            return;
        }
    }
}

/* CORS lines for the current request. Vary: Origin always, since the answer depends on
 * it and caches must not serve one origin's answer to another. */
static int cors_headers(const struct http_conn *conn, char *out, size_t out_len)
{
    if (conn->origin[0])
        return snprintf(out, out_len, "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n",
                        conn->origin);
    return snprintf(out, out_len, "Vary: Origin\r\n");
}

int http_write_response(struct http_conn *conn, int status, const char *content_type,
                        const char *extra_headers, const void *body, size_t body_len,
                        bool keep_alive)
{
    struct http_server *srv = conn->srv;
    char cors[sizeof conn->origin + 64];
    bool no_body = status == 204 || status == 304 || (status >= 100 && status < 200);
    bool head = conn->method == HTTP_HEAD && conn->message_done;
    if (!extra_headers)
        extra_headers = "";
    cors_headers(conn, cors, sizeof cors);
    size_t cap = 256 + strlen(extra_headers) + strlen(cors) +
                 (content_type ? strlen(content_type) : 0) + (no_body || head ? 0 : body_len);
    struct pw_buf *buf = pw_buf_new(NULL, cap);
    if (!buf)
        return -ENOMEM;
    char clen[48] = "";
    if (!no_body)
        snprintf(clen, sizeof clen, "Content-Length: %zu\r\n", body_len);
    int n = snprintf(
        buf->data, cap, "HTTP/1.1 %d %s\r\nDate: %s\r\n%s%s%s%sConnection: %s\r\n%s%s\r\n", status,
        http_status_text(status), http_server_date(srv),
        content_type && !no_body ? "Content-Type: " : "",
        content_type && !no_body ? content_type : "", content_type && !no_body ? "\r\n" : "", clen,
        keep_alive ? "keep-alive" : "close", cors, extra_headers);
    if (n < 0 || (size_t)n >= cap) {
        pw_buf_unref(buf);
        return -EINVAL;
    }
    size_t len = (size_t)n;
    if (!no_body && !head && body_len > 0) {
        memcpy(buf->data + len, body, body_len);
        len += body_len;
    }
    buf->len = len;
    http_server_count_status(srv, status);
    int rc = http_write_buf(conn, buf);
    pw_buf_unref(buf);
    return rc;
}

static int check_answerable(const struct http_conn *conn)
{
    if (conn->state == HTTP_CS_CLOSED || conn->state == HTTP_CS_CLOSING)
        return -EPIPE;
    if (conn->state != HTTP_CS_HANDLING)
        return PW_ESTATE; /* already answered, or streaming */
    return 0;
}

int http_respond(struct http_conn *conn, int status, const char *content_type,
                 const char *extra_headers, const void *body, size_t body_len)
{
    int rc = check_answerable(conn);
    if (rc < 0)
        return rc;
    if (status < 100 || status > 599 || (body_len > 0 && !body))
        return -EINVAL;
    bool keep = conn->keep_alive && !conn->srv->stopping;
    conn->keep_alive = keep;
    rc = http_write_response(conn, status, content_type, extra_headers, body, body_len, keep);
    if (rc < 0) {
        http_conn_close(conn);
        return rc;
    }
    http_conn_request_done(conn);
    return 0;
}

int http_respond_error(struct http_conn *conn, int status, const char *detail)
{
    char body[1024];
    size_t n = 0;
    const char *pre = "{\"detail\":\"";
    memcpy(body, pre, strlen(pre));
    n = strlen(pre);
    /* Escaped for JSON and cut to fit between characters, never inside one; a byte that is
     * not UTF-8 becomes U+FFFD, so the body is always valid JSON text. */
    for (const char *p = detail ? detail : ""; *p;) {
        unsigned char c = (unsigned char)*p;
        uint32_t cp;
        int k = c < 0x80 ? 1 : pw_utf8_decode((const unsigned char *)p, &cp);
        size_t need = k == 0 ? 3 : c < 0x20 ? 6 : (c == '"' || c == '\\') ? 2 : (size_t)k;
        if (n + need > sizeof body - 3)
            break;
        if (k == 0) {
            memcpy(body + n, "\xef\xbf\xbd", 3);
            n += 3;
            p++;
        } else if (c == '"' || c == '\\') {
            body[n++] = '\\';
            body[n++] = (char)c;
            p++;
        } else if (c < 0x20) {
            n += (size_t)snprintf(body + n, sizeof body - n, "\\u%04x", c);
            p++;
        } else {
            memcpy(body + n, p, (size_t)k);
            n += (size_t)k;
            p += k;
        }
    }
    body[n++] = '"';
    body[n++] = '}';
    return http_respond(conn, status, "application/json", "", body, n);
}

int http_cors_preflight(struct http_conn *conn, const struct http_request *req)
{
    (void)req;
    return http_respond(conn, 204, NULL,
                        "Allow: GET, HEAD, POST, OPTIONS\r\n"
                        "Access-Control-Allow-Methods: GET, HEAD, POST, OPTIONS\r\n"
                        "Access-Control-Allow-Headers: Content-Type, Last-Event-ID, "
                        "Cache-Control, Accept, Authorization, X-Requested-With, "
                        "X-Race-Token\r\n"
                        "Access-Control-Max-Age: 600\r\n",
                        NULL, 0);
}

int http_stream_begin(struct http_conn *conn, const char *content_type, const char *extra_headers)
{
    struct http_server *srv = conn->srv;
    char cors[sizeof conn->origin + 64];
    int rc = check_answerable(conn);
    if (rc < 0)
        return rc;
    if (!content_type)
        content_type = "text/event-stream";
    if (!extra_headers)
        extra_headers = "";
    cors_headers(conn, cors, sizeof cors);
    size_t cap = 256 + strlen(content_type) + strlen(extra_headers) + strlen(cors);
    struct pw_buf *buf = pw_buf_new(NULL, cap);
    if (!buf)
        return -ENOMEM;
    /* HEAD: the same headers, no body, and the connection goes on as after any answer. */
    bool head = conn->method == HTTP_HEAD && conn->message_done;
    bool keep = head ? conn->keep_alive && !srv->stopping : true;
    int n = snprintf(buf->data, cap,
                     "HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Type: %s\r\n"
                     "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n"
                     "Connection: %s\r\n%s%s\r\n",
                     http_server_date(srv), content_type, keep ? "keep-alive" : "close", cors,
                     extra_headers);
    if (n < 0 || (size_t)n >= cap) {
        pw_buf_unref(buf);
        return -EINVAL;
    }
    buf->len = (size_t)n;
    http_server_count_status(srv, 200);
    if (head) {
        conn->keep_alive = keep;
        rc = http_write_buf(conn, buf);
        pw_buf_unref(buf);
        if (rc < 0) {
            http_conn_close(conn);
            return rc;
        }
        http_conn_request_done(conn);
        return HTTP_STREAM_HEAD;
    }
    conn->state = HTTP_CS_STREAMING;
    srv->stats.streams_open++;
    /* Pipelined input after a stream request is not a request any more. */
    conn->pending_len = 0;
    uv_timer_stop(&conn->timer);
    rc = http_write_buf(conn, buf);
    pw_buf_unref(buf);
    if (rc < 0) {
        http_conn_close(conn);
        return rc;
    }
    /* Bound the kernel's share of a stream's backlog to the same size as ours: without it,
     * send-buffer autotuning lets a stalled reader park megabytes in the kernel per
     * connection, and the queue bound would only bite long after the client fell behind. */
    int sndbuf =
        (int)(srv->cfg.stream_queue_bytes < (1u << 20) ? srv->cfg.stream_queue_bytes : (1u << 20));
    uv_send_buffer_size((uv_handle_t *)&conn->tcp, &sndbuf);
    /* Keep reading (and discarding) so a peer that goes away is noticed at once. */
    if (!conn->reading && !conn->peer_eof &&
        uv_read_start((uv_stream_t *)&conn->tcp, http_conn_alloc, http_conn_on_read) == 0)
        conn->reading = true;
    if (conn->peer_eof) {
        http_conn_close(conn);
        return -EPIPE;
    }
    return 0;
}

int http_stream_write(struct http_conn *conn, struct pw_buf *buf)
{
    if (conn->state != HTTP_CS_STREAMING)
        return conn->state == HTTP_CS_CLOSED || conn->state == HTTP_CS_CLOSING ? -EPIPE : PW_ESTATE;
    struct http_server *srv = conn->srv;
    if (conn->queued_bytes + conn->staged_bytes + buf->len > srv->cfg.stream_queue_bytes) {
        srv->stats.streams_evicted++;
        conn->evicting = true;
        PW_INFO(srv->log, MOD, "%s: stream evicted, %zu bytes queued", conn->remote_addr,
                conn->queued_bytes + conn->staged_bytes);
        http_conn_close(conn);
        return -ENOBUFS;
    }
    if (buf->len == 0)
        return 0;
    if (conn->n_staged == HTTP_STAGE_MAX) {
        conn_flush(conn);
        if (conn->state != HTTP_CS_STREAMING)
            return -EPIPE;
    }
    /* Staged, not written: every frame queued for this connection during this loop turn
     * goes out in one writev (a tick's positions, race events and commentary together). */
    conn->staged[conn->n_staged++] = pw_buf_ref(buf);
    conn->staged_bytes += buf->len;
    if (!conn->dirty) {
        conn->dirty = true;
        conn->dirty_prev = NULL;
        conn->dirty_next = srv->dirty_head;
        if (srv->dirty_head)
            srv->dirty_head->dirty_prev = conn;
        srv->dirty_head = conn;
        /* An active idle handle makes the loop poll without blocking, and its callback
         * flushes writes made from timers before the loop goes to sleep. */
        uv_idle_start(&srv->flush_idle, on_flush_idle);
    }
    return 0;
}

int http_stream_end(struct http_conn *conn)
{
    if (conn->state != HTTP_CS_STREAMING)
        return conn->state == HTTP_CS_CLOSED || conn->state == HTTP_CS_CLOSING ? -EPIPE : PW_ESTATE;
    /* Staged frames (the end frame) go to the socket or libuv's queue first; the FIN
     * follows once that queue is written (uv_shutdown), so the last frame is not lost. */
    conn_flush(conn);
    if (conn->state != HTTP_CS_STREAMING)
        return -EPIPE;
    http_conn_begin_close(conn, true);
    return 0;
}

size_t http_conn_queued_bytes(const struct http_conn *conn)
{
    return conn->queued_bytes + conn->staged_bytes;
}
