/* http_server.h — HTTP/1.1 server on libuv + http-parser (docs/ARCHITECTURE.md, docs/HTTP.md).
 *
 * Owns: the listening socket, every client connection, request parsing with limits,
 * timeouts, keep-alive, CORS, the connection cap, and per-connection bounded write queues
 * for streaming (SSE). It knows nothing about races: each complete request goes to one
 * handler callback, which answers with http_respond*() or turns the connection into a
 * stream with http_stream_begin().
 *
 * Ownership: the server owns `struct http_conn`; a handler may keep a conn pointer only
 * until the close callback it registered with http_conn_set_owner() runs. Buffers passed to
 * http_stream_write() are referenced, not copied. Everything runs on one uv loop thread. */
#ifndef PW_HTTP_SERVER_H
#define PW_HTTP_SERVER_H

#include "core/buf.h"
#include "core/log.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define HTTP_CORS_MAX_ORIGINS 16

struct http_server_config {
    const char *host;             /* "127.0.0.1", "0.0.0.0", "::" */
    int port;                     /* 0 picks a free port: see http_server_port() */
    int backlog;                  /* listen backlog, default 4096 */
    /* Share the port with other processes that set it too (SO_REUSEPORT): the kernel
     * spreads new connections over them. Default off: a second bind fails. */
    bool reuse_port;
    int max_connections;          /* beyond this: 503 and close, default 20000; lowered at
                                     start to fit the descriptor limit (docs/HTTP.md) */
    size_t max_header_bytes;      /* all header lines together, default 16 KiB -> 431 */
    int max_headers;              /* header count, default 64 -> 431 */
    size_t max_url_bytes;         /* default 4 KiB -> 414 */
    size_t max_body_bytes;        /* default 64 KiB -> 413 */
    uint64_t request_timeout_ms;  /* whole request must arrive within this, default 10 s -> 408 */
    uint64_t idle_timeout_ms;     /* keep-alive idle connection closed after, default 60 s */
    size_t stream_queue_bytes;    /* per-stream output bound, default 256 KiB */
    /* Answers queued for a connection and not yet taken by its peer: past this the server
     * parses no further pipelined request and stops reading it (default 256 KiB). */
    size_t output_queue_bytes;
    /* A connection held back so is closed when its queue has not drained to half the
     * budget within this (default 30 s). */
    uint64_t send_timeout_ms;
    /* CORS allow-list; "*" allows any origin. Empty list: default local dev origins. */
    int n_cors_origins;
    const char *cors_origins[HTTP_CORS_MAX_ORIGINS];
};

/* Fill `cfg` with the defaults above (host 127.0.0.1, port 8001). */
void http_server_config_defaults(struct http_server_config *cfg);

struct http_header {
    const char *name; /* as received; compare case-insensitively */
    const char *value;
};

/* The methods a handler tells apart; any other method is HTTP_REQ_OTHER (its name is still
 * in method_name). The parser's own enum stays inside src/http. */
enum http_req_method {
    HTTP_REQ_OTHER = 0,
    HTTP_REQ_GET,
    HTTP_REQ_HEAD,
    HTTP_REQ_POST,
    HTTP_REQ_PUT,
    HTTP_REQ_DELETE,
    HTTP_REQ_PATCH,
    HTTP_REQ_OPTIONS,
};

struct http_request {
    enum http_req_method method;
    const char *method_name; /* "GET", "POST", ... */
    const char *path;       /* raw path, without query string, not percent-decoded */
    const char *query;      /* raw query string without '?', "" if none */
    const char *body;       /* NUL-terminated copy, body_len bytes; "" if none */
    size_t body_len;
    int n_headers;
    const struct http_header *headers;
    const char *remote_addr; /* peer IP as text */
};

/* Header value by case-insensitive name, or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);
/* Percent-decoded value of query parameter `key` into out (NUL-terminated). Returns 0,
 * -ENOENT if absent, -ENOSPC if it does not fit, -EINVAL if badly encoded. */
int http_query_param(const char *query, const char *key, char *out, size_t out_len);

struct http_conn;
struct http_server;

typedef void (*http_handler_fn)(void *ctx, struct http_conn *conn, const struct http_request *req);

/* Create and bind/listen on `loop`. The config strings must outlive the server. */
int http_server_start(uv_loop_t *loop, const struct http_server_config *cfg,
                      const struct pw_log *log, http_handler_fn handler, void *handler_ctx,
                      struct http_server **out);
int http_server_port(const struct http_server *srv);
/* The connection cap in force (max_connections, lowered to fit the descriptor limit). */
int http_server_max_connections(const struct http_server *srv);
/* Stop accepting; close every connection (streams get their owner's close callback first),
 * then call `done` (may be NULL) once all handles are closed. The server is freed then. */
void http_server_stop(struct http_server *srv, void (*done)(void *arg), void *arg);

struct http_server_stats {
    uint64_t connections_open;
    uint64_t connections_total;
    uint64_t connections_rejected; /* over max_connections */
    uint64_t streams_open;
    uint64_t streams_evicted;      /* closed because their queue passed the bound */
    uint64_t reads_paused;         /* times a connection's answers passed output_queue_bytes */
    uint64_t send_timeouts;        /* connections closed for not reading their answers */
    uint64_t bytes_sent;
    uint64_t responses_by_status[6]; /* index status/100: [1]..[5] */
    /* A few exact codes that matter to operators. */
    uint64_t status_400, status_404, status_405, status_408, status_413, status_414,
        status_422, status_429, status_431, status_503;
};
void http_server_get_stats(const struct http_server *srv, struct http_server_stats *out);

/* --- answering a request (exactly one answer per request, from the handler or later) --- */

/* Send a complete response. `extra_headers` is "" or lines each ending in "\r\n".
 * Content-Length, Date, Connection and CORS headers are added by the server. */
int http_respond(struct http_conn *conn, int status, const char *content_type,
                 const char *extra_headers, const void *body, size_t body_len);
/* `{"detail": "<detail>"}` with the given status, JSON-escaped. */
int http_respond_error(struct http_conn *conn, int status, const char *detail);
/* Serve a file under `root` for the request path; traversal (`..`, encoded or not) is
 * refused with 404. Unknown paths without an extension get `root/index.html` (client-side
 * routes). MIME types by extension; files under `/assets/` cached immutable for a year, index.html
 * `no-cache`. Answers 405 for methods other than GET/HEAD. */
int http_serve_static(struct http_conn *conn, const struct http_request *req, const char *root);

/* --- streaming (Server-Sent Events) --- */

/* Answer 200 with `content_type` and no length; the connection stays open for writes,
 * stops parsing further requests, and still notices the peer closing. Returns 0 (stream
 * begun) or a negative error; for a HEAD request it answers with the same headers and no
 * body and returns HTTP_STREAM_HEAD: there is no stream then, and the connection goes on
 * with its next request. */
#define HTTP_STREAM_HEAD 1
int http_stream_begin(struct http_conn *conn, const char *content_type, const char *extra_headers);
/* End a stream after what was written to it: staged and queued frames are sent, then the
 * connection is closed (FIN, then the owner's on_close). 0, or -EPIPE if already closing. */
int http_stream_end(struct http_conn *conn);
/* Queue `buf` (a reference is taken until written). If the bytes not yet written would
 * pass stream_queue_bytes, the connection is closed, counted as evicted, and -ENOBUFS is
 * returned. -EPIPE if the connection is already closing. */
int http_stream_write(struct http_conn *conn, struct pw_buf *buf);
size_t http_conn_queued_bytes(const struct http_conn *conn);

/* Attach the handler's own object to a connection; `on_close(owner, conn)` runs once when
 * the connection closes for any reason (peer gone, eviction, server stop), after which the
 * conn pointer must not be used. */
void http_conn_set_owner(struct http_conn *conn, void *owner,
                         void (*on_close)(void *owner, struct http_conn *conn));
/* Close now (pending stream writes are dropped). */
void http_conn_close(struct http_conn *conn);

#endif
