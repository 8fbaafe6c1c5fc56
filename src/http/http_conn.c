/* http_conn.c — reading and parsing requests on one connection, with limits, pipelining
 * and dispatch to the handler. */
#include "http/http_internal.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MOD "http"
/* Arena kept between keep-alive requests; larger ones are given back. */
#define ARENA_KEEP_BYTES 4096

static struct http_conn *conn_of(http_parser *p)
{
    return p->data;
}

static int conn_reject(struct http_conn *conn, int status, const char *detail)
{
    conn->reject_status = status;
    conn->reject_detail = detail;
    /* Non-zero stops http-parser with HPE_CB_*; -1 because on_headers_complete gives 1 and 2
     * other meanings (no body, upgrade). */
    return -1;
}

/* Append to the request arena; the caller has checked the limits that apply. */
static int arena_append(struct http_conn *conn, const char *data, size_t len)
{
    if (conn->arena_len + len + 1 > conn->arena_cap) {
        size_t cap = conn->arena_cap ? conn->arena_cap : 1024;
        while (cap < conn->arena_len + len + 1)
            cap *= 2;
        char *a = realloc(conn->arena, cap);
        if (!a)
            return -ENOMEM;
        conn->arena = a;
        conn->arena_cap = cap;
    }
    memcpy(conn->arena + conn->arena_len, data, len);
    conn->arena_len += len;
    return 0;
}

static int arena_terminate(struct http_conn *conn)
{
    return arena_append(conn, "", 1);
}

void http_conn_reset_request(struct http_conn *conn, bool release)
{
    conn->arena_len = 0;
    conn->url_off = conn->url_len = 0;
    conn->body_off = conn->body_len = 0;
    conn->body_started = false;
    conn->header_bytes = 0;
    conn->n_hdrs = 0;
    conn->last_cb = 0;
    conn->message_done = false;
    conn->reject_status = 0;
    conn->reject_detail = NULL;
    conn->origin[0] = '\0';
    if (release || conn->arena_cap > ARENA_KEEP_BYTES) {
        free(conn->arena);
        conn->arena = NULL;
        conn->arena_cap = 0;
    }
    if (release) {
        free(conn->hdrs);
        conn->hdrs = NULL;
        conn->hdrs_cap = 0;
    }
}

void http_conn_free_buffers(struct http_conn *conn)
{
    http_conn_reset_request(conn, true);
    free(conn->pending);
    conn->pending = NULL;
    conn->pending_len = conn->pending_cap = 0;
}

static int on_message_begin(http_parser *p)
{
    struct http_conn *conn = conn_of(p);
    http_conn_reset_request(conn, false);
    if (conn->state == HTTP_CS_IDLE) {
        conn->state = HTTP_CS_READING;
        http_conn_arm_timer(conn, conn->srv->cfg.request_timeout_ms);
    }
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    struct http_conn *conn = conn_of(p);
    if (conn->url_len + len > conn->srv->cfg.max_url_bytes)
        return conn_reject(conn, 414, "URI Too Long");
    if (conn->url_len == 0)
        conn->url_off = conn->arena_len;
    conn->url_len += len;
    if (arena_append(conn, at, len) < 0)
        return conn_reject(conn, 503, "Out of memory");
    return 0;
}

static int header_budget(struct http_conn *conn, size_t len)
{
    /* ": " and CRLF are counted too, so the limit matches the bytes on the wire. */
    conn->header_bytes += len;
    if (conn->header_bytes > conn->srv->cfg.max_header_bytes)
        return conn_reject(conn, 431, "Request Header Fields Too Large");
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    struct http_conn *conn = conn_of(p);
    if (conn->last_cb != 1) {
        /* A new header starts: close the URL or the previous value. */
        if (arena_terminate(conn) < 0)
            return conn_reject(conn, 503, "Out of memory");
        if (conn->n_hdrs >= conn->srv->cfg.max_headers)
            return conn_reject(conn, 431, "Too many header fields");
        if (conn->n_hdrs == conn->hdrs_cap) {
            int cap = conn->hdrs_cap ? conn->hdrs_cap * 2 : 16;
            struct http_hdr_off *h = realloc(conn->hdrs, (size_t)cap * sizeof *h);
            if (!h)
                return conn_reject(conn, 503, "Out of memory");
            conn->hdrs = h;
            conn->hdrs_cap = cap;
        }
        conn->hdrs[conn->n_hdrs].name = conn->arena_len;
        conn->hdrs[conn->n_hdrs].value = 0;
        conn->n_hdrs++;
        conn->last_cb = 1;
        if (header_budget(conn, 4))
            return -1;
    }
    if (header_budget(conn, len))
        return -1;
    if (arena_append(conn, at, len) < 0)
        return conn_reject(conn, 503, "Out of memory");
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    struct http_conn *conn = conn_of(p);
    if (conn->last_cb != 2) {
        if (arena_terminate(conn) < 0)
            return conn_reject(conn, 503, "Out of memory");
        conn->hdrs[conn->n_hdrs - 1].value = conn->arena_len;
        conn->last_cb = 2;
    }
    if (header_budget(conn, len))
        return -1;
    if (arena_append(conn, at, len) < 0)
        return conn_reject(conn, 503, "Out of memory");
    return 0;
}

static bool expects_continue(const struct http_conn *conn)
{
    for (int i = 0; i < conn->n_hdrs; i++) {
        if (strcasecmp(conn->arena + conn->hdrs[i].name, "Expect") == 0 &&
            strcasecmp(conn->arena + conn->hdrs[i].value, "100-continue") == 0)
            return true;
    }
    return false;
}

/* Clients such as curl wait (about a second) for this before they send a body. */
static void conn_send_continue(struct http_conn *conn)
{
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    struct pw_buf *buf = pw_buf_new(cont, sizeof cont - 1);
    if (buf && http_write_buf(conn, buf) == 0)
        http_server_count_status(conn->srv, 100);
    pw_buf_unref(buf);
}

static int on_headers_complete(http_parser *p)
{
    struct http_conn *conn = conn_of(p);
    if (arena_terminate(conn) < 0)
        return conn_reject(conn, 503, "Out of memory");
    /* A header with an empty value never got a value callback. */
    for (int i = 0; i < conn->n_hdrs; i++) {
        if (conn->hdrs[i].value == 0)
            conn->hdrs[i].value = conn->arena_len - 1;
        /* Decided now so that early refusals (413 below) carry CORS headers too. */
        if (strcasecmp(conn->arena + conn->hdrs[i].name, "Origin") == 0)
            http_cors_check(conn, conn->arena + conn->hdrs[i].value);
    }
    if (conn->url_len == 0)
        return conn_reject(conn, 400, "Bad Request: empty URL");
    /* http-parser takes a request line without a version as HTTP/0.9: not spoken here. */
    if (p->http_major != 1)
        return p->http_major == 0 ? conn_reject(conn, 400, "Bad Request: no HTTP version")
                                  : conn_reject(conn, 505, "HTTP Version Not Supported");
    /* Refuse an announced body that is too large before reading any of it. */
    if ((p->flags & F_CONTENTLENGTH) && !(p->flags & F_CHUNKED) &&
        p->content_length > conn->srv->cfg.max_body_bytes)
        return conn_reject(conn, 413, "Request body too large");
    bool has_body =
        (p->flags & F_CHUNKED) || ((p->flags & F_CONTENTLENGTH) && p->content_length > 0);
    if (has_body && p->http_minor >= 1 && expects_continue(conn))
        conn_send_continue(conn);
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    struct http_conn *conn = conn_of(p);
    if (conn->body_len + len > conn->srv->cfg.max_body_bytes)
        return conn_reject(conn, 413, "Request body too large");
    if (!conn->body_started) {
        conn->body_started = true;
        conn->body_off = conn->arena_len;
    }
    conn->body_len += len;
    if (arena_append(conn, at, len) < 0)
        return conn_reject(conn, 503, "Out of memory");
    return 0;
}

static int on_message_complete(http_parser *p)
{
    struct http_conn *conn = conn_of(p);
    if (!conn->body_started) {
        conn->body_off = conn->arena_len;
        conn->body_len = 0;
    }
    if (arena_terminate(conn) < 0)
        return conn_reject(conn, 503, "Out of memory");
    conn->message_done = true;
    conn->method = (int)p->method;
    conn->keep_alive = http_should_keep_alive(p) != 0;
    /* Stop after this request: the next pipelined one waits until this one is answered. */
    http_parser_pause(p, 1);
    return 0;
}

void http_conn_setup_parser(struct http_server *srv)
{
    http_parser_settings_init(&srv->settings);
    srv->settings.on_message_begin = on_message_begin;
    srv->settings.on_url = on_url;
    srv->settings.on_header_field = on_header_field;
    srv->settings.on_header_value = on_header_value;
    srv->settings.on_headers_complete = on_headers_complete;
    srv->settings.on_body = on_body;
    srv->settings.on_message_complete = on_message_complete;
}

void http_conn_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    struct http_conn *conn = handle->data;
    struct http_server *srv = conn->srv;
    (void)suggested;
    if (srv->read_buf_busy) {
        /* Cannot happen with one loop thread; refuse rather than share a live buffer. */
        *buf = uv_buf_init(NULL, 0);
        return;
    }
    srv->read_buf_busy = true;
    *buf = uv_buf_init(srv->read_buf, sizeof srv->read_buf);
}

/* Answer a refused or malformed request and close: the rest of its bytes are unread, so
 * the connection cannot be reused. */
static void conn_fail(struct http_conn *conn, int status, const char *detail)
{
    char body[160];
    int n = snprintf(body, sizeof body, "{\"detail\":\"%s\"}", detail);
    if (conn->state == HTTP_CS_CLOSED || conn->state == HTTP_CS_CLOSING)
        return;
    if (conn->state == HTTP_CS_IDLE || conn->state == HTTP_CS_READING) {
        if (http_write_response(conn, status, "application/json", "", body, (size_t)n, false) < 0) {
            http_conn_close(conn);
            return;
        }
    }
    http_conn_begin_close(conn, true);
}

static int split_url(struct http_conn *conn, size_t *path_off, size_t *query_off)
{
    char *url = conn->arena + conn->url_off;
    url[conn->url_len] = '\0'; /* terminated already by the first header or headers end */
    if (url[0] == '*' && url[1] == '\0') {
        *path_off = conn->url_off;
        *query_off = conn->url_off + 1; /* the NUL */
        return 0;
    }
    char *start = url;
    if (url[0] != '/') {
        /* absolute-form: "http://host/path?q" */
        struct http_parser_url u;
        http_parser_url_init(&u);
        if (http_parser_parse_url(url, conn->url_len, 0, &u) != 0)
            return -EINVAL;
        if (!(u.field_set & (1 << UF_PATH)))
            return -EINVAL;
        start = url + u.field_data[UF_PATH].off;
    }
    char *hash = strchr(start, '#');
    if (hash)
        *hash = '\0';
    char *q = strchr(start, '?');
    if (q) {
        *q = '\0';
        *query_off = (size_t)(q + 1 - conn->arena);
    } else {
        *query_off = (size_t)(start + strlen(start) - conn->arena);
    }
    *path_off = (size_t)(start - conn->arena);
    return 0;
}

/* The parser finished a request: build the view and hand it to the handler. */
/* The parser's method as the server's public enum (see http_server.h). */
static enum http_req_method req_method(int parser_method)
{
    switch ((enum http_method)parser_method) {
    case HTTP_GET:
        return HTTP_REQ_GET;
    case HTTP_HEAD:
        return HTTP_REQ_HEAD;
    case HTTP_POST:
        return HTTP_REQ_POST;
    case HTTP_PUT:
        return HTTP_REQ_PUT;
    case HTTP_DELETE:
        return HTTP_REQ_DELETE;
    case HTTP_PATCH:
        return HTTP_REQ_PATCH;
    case HTTP_OPTIONS:
        return HTTP_REQ_OPTIONS;
    default:
        return HTTP_REQ_OTHER;
    }
}

static void conn_dispatch(struct http_conn *conn)
{
    struct http_server *srv = conn->srv;
    struct http_header hdr_stack[32];
    struct http_header *hdrs = hdr_stack;
    size_t path_off = 0, query_off = 0;
    if (split_url(conn, &path_off, &query_off) < 0) {
        conn_fail(conn, 400, "Bad Request: invalid URL");
        return;
    }
    if (conn->n_hdrs > (int)(sizeof hdr_stack / sizeof hdr_stack[0])) {
        hdrs = malloc((size_t)conn->n_hdrs * sizeof *hdrs);
        if (!hdrs) {
            conn_fail(conn, 503, "Out of memory");
            return;
        }
    }
    for (int i = 0; i < conn->n_hdrs; i++) {
        hdrs[i].name = conn->arena + conn->hdrs[i].name;
        hdrs[i].value = conn->arena + conn->hdrs[i].value;
    }
    struct http_request req = {
        .method = req_method(conn->method),
        .method_name = http_method_str((enum http_method)conn->method),
        .path = conn->arena + path_off,
        .query = conn->arena + query_off,
        .body = conn->arena + conn->body_off,
        .body_len = conn->body_len,
        .n_headers = conn->n_hdrs,
        .headers = hdrs,
        .remote_addr = conn->remote_addr,
    };
    conn->state = HTTP_CS_HANDLING;
    /* The handler may take as long as it likes to answer; no request timer meanwhile. */
    uv_timer_stop(&conn->timer);
    conn->in_dispatch = true;
    if (conn->method == HTTP_OPTIONS)
        http_cors_preflight(conn, &req);
    else
        srv->handler(srv->handler_ctx, conn, &req);
    conn->in_dispatch = false;
    if (hdrs != hdr_stack)
        free(hdrs);
    /* The request view is valid only during the handler call. */
    if (conn->state == HTTP_CS_STREAMING || conn->state == HTTP_CS_CLOSING ||
        conn->state == HTTP_CS_CLOSED)
        http_conn_reset_request(conn, true);
}

static int pending_append(struct http_conn *conn, const char *data, size_t len)
{
    if (len == 0)
        return 0;
    if (conn->pending_len + len > conn->pending_cap) {
        size_t cap = conn->pending_cap ? conn->pending_cap : 4096;
        while (cap < conn->pending_len + len)
            cap *= 2;
        char *p = realloc(conn->pending, cap);
        if (!p)
            return -ENOMEM;
        conn->pending = p;
        conn->pending_cap = cap;
    }
    memcpy(conn->pending + conn->pending_len, data, len);
    conn->pending_len += len;
    return 0;
}

/* How much unparsed input a connection may hold while its request is being answered:
 * one full request's worth. Beyond it reading pauses (TCP pushes back on the peer). */
static size_t pending_limit(const struct http_server *srv)
{
    return srv->cfg.max_url_bytes + srv->cfg.max_header_bytes + srv->cfg.max_body_bytes + 4096;
}

static int parse_error_status(struct http_conn *conn, enum http_errno err, const char **detail)
{
    if (conn->reject_status) {
        *detail = conn->reject_detail;
        return conn->reject_status;
    }
    if (err == HPE_HEADER_OVERFLOW) {
        *detail = "Request Header Fields Too Large";
        return 431;
    }
    *detail = "Bad Request: malformed HTTP";
    return 400;
}

static void conn_read_control(struct http_conn *conn);

/* A connection with pipelined requests left after a burst joins the tail of the deferred
 * list; the idle handle continues it on the next loop turn. (A 0 ms timer would not do:
 * libuv 1.44 runs a timer re-armed for "now" again in the same timer phase, before any
 * other connection is polled.) */
static void conn_defer(struct http_conn *conn)
{
    struct http_server *srv = conn->srv;
    if (conn->parse_deferred)
        return;
    conn->parse_deferred = true;
    conn->defer_next = NULL;
    conn->defer_prev = srv->defer_tail;
    if (srv->defer_tail)
        srv->defer_tail->defer_next = conn;
    else
        srv->defer_head = conn;
    srv->defer_tail = conn;
    uv_idle_start(&srv->defer_idle, http_conn_on_defer_idle);
}

void http_conn_undefer(struct http_conn *conn)
{
    struct http_server *srv = conn->srv;
    if (!conn->parse_deferred)
        return;
    if (conn->defer_prev)
        conn->defer_prev->defer_next = conn->defer_next;
    else
        srv->defer_head = conn->defer_next;
    if (conn->defer_next)
        conn->defer_next->defer_prev = conn->defer_prev;
    else
        srv->defer_tail = conn->defer_prev;
    conn->defer_prev = conn->defer_next = NULL;
    conn->parse_deferred = false;
}

void http_conn_on_defer_idle(uv_idle_t *idle)
{
    struct http_server *srv = idle->data;
    /* One burst each for the connections waiting now; those deferred again go to the
     * tail and wait for the next turn. */
    int n = 0;
    for (struct http_conn *c = srv->defer_head; c; c = c->defer_next)
        n++;
    while (n-- > 0 && srv->defer_head) {
        struct http_conn *conn = srv->defer_head;
        http_conn_undefer(conn);
        http_conn_continue(conn);
    }
    if (!srv->defer_head)
        uv_idle_stop(&srv->defer_idle);
}

/* A peer that pipelines requests and does not read the answers would make the server
 * queue answers without end (the read throttle below counts unparsed input only). So
 * before the next request is parsed, the answers still queued for this connection are
 * checked against output_queue_bytes: past it, nothing more is parsed or read (TCP pushes
 * back on the peer) until the queue drains to half, and a peer that does not drain it
 * within send_timeout_ms is closed (conn_timer_fired). */
static bool conn_output_over_budget(struct http_conn *conn)
{
    struct http_server *srv = conn->srv;
    if (conn->out_blocked)
        return true;
    if (conn->queued_bytes < srv->cfg.output_queue_bytes)
        return false;
    conn->out_blocked = true;
    srv->stats.reads_paused++;
    PW_DEBUG(srv->log, MOD, "%s: %zu bytes of answers unread: reading paused", conn->remote_addr,
             conn->queued_bytes);
    http_conn_arm_timer(conn, srv->cfg.send_timeout_ms);
    conn_read_control(conn);
    return true;
}

void http_conn_output_drained(struct http_conn *conn)
{
    struct http_server *srv = conn->srv;
    if (conn->queued_bytes > srv->cfg.output_queue_bytes / 2 || conn->state != HTTP_CS_IDLE)
        return;
    conn->out_blocked = false;
    /* Continue on the next loop turn (http_conn_continue), not inside the write callback. */
    http_conn_arm_timer(conn, conn->pending_len > 0 ? 0 : srv->cfg.idle_timeout_ms);
    conn_read_control(conn);
}

/* Feed bytes to the parser until they are used up or a request needs answering. Returns
 * how many bytes were consumed. */
static size_t conn_parse(struct http_conn *conn, const char *data, size_t len)
{
    size_t off = 0;
    int answered = 0;
    while (off < len && (conn->state == HTTP_CS_IDLE || conn->state == HTTP_CS_READING)) {
        if (conn->state == HTTP_CS_IDLE && conn_output_over_budget(conn))
            break;
        if (conn->state == HTTP_CS_IDLE && answered >= HTTP_PIPELINE_BURST) {
            conn_defer(conn);
            break;
        }
        size_t n = http_parser_execute(&conn->parser, &conn->srv->settings, data + off, len - off);
        off += n;
        enum http_errno err = HTTP_PARSER_ERRNO(&conn->parser);
        if (err == HPE_PAUSED) {
            http_parser_pause(&conn->parser, 0);
        } else if (err != HPE_OK) {
            const char *detail;
            int status = parse_error_status(conn, err, &detail);
            PW_DEBUG(conn->srv->log, MOD, "%s: %d %s (%s)", conn->remote_addr, status, detail,
                     http_errno_name(err));
            conn_fail(conn, status, detail);
            return len;
        }
        if (conn->message_done) {
            if (conn->parser.upgrade)
                conn->keep_alive = false; /* no protocol switch here: answer, then close */
            answered++;
            conn_dispatch(conn);
        } else if (n == 0) {
            break; /* defensive: no progress without an error */
        }
    }
    return off;
}

static void conn_read_control(struct http_conn *conn)
{
    bool want = conn->pending_len < pending_limit(conn->srv) && !conn->out_blocked;
    if (want && !conn->reading && !conn->peer_eof && conn->state != HTTP_CS_CLOSED) {
        if (uv_read_start((uv_stream_t *)&conn->tcp, http_conn_alloc, http_conn_on_read) == 0)
            conn->reading = true;
    } else if (!want && conn->reading) {
        uv_read_stop((uv_stream_t *)&conn->tcp);
        conn->reading = false;
    }
}

/* Parse what was buffered while the previous request was being answered. */
static void conn_parse_pending(struct http_conn *conn)
{
    if (conn->pending_len == 0)
        return;
    size_t used = conn_parse(conn, conn->pending, conn->pending_len);
    if (conn->state == HTTP_CS_CLOSED)
        return;
    if (conn->state == HTTP_CS_STREAMING || conn->state == HTTP_CS_CLOSING)
        used = conn->pending_len; /* the rest is not ours to parse any more */
    memmove(conn->pending, conn->pending + used, conn->pending_len - used);
    conn->pending_len -= used;
    if (conn->pending_len == 0 && conn->pending_cap > 4096) {
        free(conn->pending);
        conn->pending = NULL;
        conn->pending_cap = 0;
    }
    conn_read_control(conn);
}

/* After an answer: the connection is idle again (keep-alive) or closes. Input that came
 * in meanwhile is parsed on the next loop turn when the answer was sent from outside a
 * handler call, so a handler is never re-entered from inside its own http_respond(). */
void http_conn_request_done(struct http_conn *conn)
{
    if (conn->state == HTTP_CS_CLOSED || conn->state == HTTP_CS_CLOSING)
        return;
    http_conn_reset_request(conn, false);
    if (!conn->keep_alive) {
        http_conn_begin_close(conn, true);
        return;
    }
    conn->state = HTTP_CS_IDLE;
    if (conn->in_dispatch) {
        /* The parse loop that called the handler goes on with the next request. */
        http_conn_arm_timer(conn, conn->srv->cfg.idle_timeout_ms);
        return;
    }
    if (conn->pending_len > 0) {
        http_conn_arm_timer(conn, 0); /* continues in http_conn_continue */
        return;
    }
    if (conn->peer_eof) {
        http_conn_begin_close(conn, true);
        return;
    }
    http_conn_arm_timer(conn, conn->srv->cfg.idle_timeout_ms);
}

void http_conn_continue(struct http_conn *conn)
{
    conn_parse_pending(conn);
    if (conn->state != HTTP_CS_IDLE || conn->out_blocked || conn->parse_deferred)
        return; /* a held-back or deferred connection keeps its timer */
    if (conn->peer_eof) {
        http_conn_begin_close(conn, true);
        return;
    }
    http_conn_arm_timer(conn, conn->srv->cfg.idle_timeout_ms);
}

void http_conn_on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct http_conn *conn = stream->data;
    struct http_server *srv = conn->srv;
    if (buf->base == srv->read_buf)
        srv->read_buf_busy = false;
    if (nread == 0 || conn->state == HTTP_CS_CLOSED)
        return;
    if (nread < 0) {
        uv_read_stop(stream);
        conn->reading = false;
        if (nread != UV_EOF) {
            http_conn_close(conn); /* reset or error: nothing more can be sent */
            return;
        }
        conn->peer_eof = true;
        switch (conn->state) {
        case HTTP_CS_HANDLING:
            return; /* half-close: answer first, then close */
        case HTTP_CS_READING:
            /* Let the parser see EOF: an unterminated request is malformed. */
            http_conn_close(conn);
            return;
        case HTTP_CS_STREAMING:
            http_conn_close(conn); /* the subscriber is gone: free it now */
            return;
        default:
            /* idle or closing: finish sending what is queued, then close */
            http_conn_begin_close(conn, true);
            return;
        }
    }
    switch (conn->state) {
    case HTTP_CS_STREAMING:
    case HTTP_CS_CLOSING:
        return; /* further input is not a request: discard */
    case HTTP_CS_HANDLING:
        if (pending_append(conn, buf->base, (size_t)nread) < 0)
            http_conn_close(conn);
        else
            conn_read_control(conn);
        return;
    default:
        break;
    }
    if (conn->pending_len > 0) {
        if (pending_append(conn, buf->base, (size_t)nread) < 0) {
            http_conn_close(conn);
            return;
        }
        conn_parse_pending(conn);
        return;
    }
    size_t used = conn_parse(conn, buf->base, (size_t)nread);
    if (used < (size_t)nread && (conn->state == HTTP_CS_HANDLING || conn->state == HTTP_CS_IDLE ||
                                 conn->state == HTTP_CS_READING)) {
        if (pending_append(conn, buf->base + used, (size_t)nread - used) < 0) {
            http_conn_close(conn);
            return;
        }
        conn_read_control(conn);
    }
}
