/* http_internal.h — what the files of src/http share; not part of the public contract.
 *
 * Owns nothing by itself: it declares the server and connection structs (owned by
 * http_server.c), the per-connection request arena (http_conn.c), the write path
 * (http_write.c), the static-file cache (http_static.c) and the listening socket's bind
 * (http_listen.c). */
#ifndef PW_HTTP_INTERNAL_H
#define PW_HTTP_INTERNAL_H

#include "http/http_server.h"

#include <http_parser.h>
#include <stdbool.h>

#define HTTP_READ_BUF_BYTES (64 * 1024)
/* A connection that is told to close first sends what it has, then reads and discards
 * for this long so the peer sees the answer instead of a reset. */
#define HTTP_LINGER_MS 1000
/* Sockets that were answered 503 and are lingering; beyond this they are closed at once. */
#define HTTP_MAX_REJECTED_LINGER 256
/* Descriptors the connection cap leaves to the rest of the process (history database,
 * static files, Kafka and schema-registry sockets, the loop's own, log) on top of the
 * lingering 503 sockets: at the cap, accept() still gets a descriptor, so the 503 can be
 * written. */
#define HTTP_FD_RESERVE 128
#define HTTP_WRITE_REQ_POOL 1024
/* Stream frames queued in one loop turn go out together in one writev per connection;
 * past this many the connection is flushed at once. */
#define HTTP_STAGE_MAX 16
/* Pipelined requests answered from one connection's input in one go; the rest wait for
 * the next loop turn, so one client's backlog cannot hold up everyone else's answers. */
#define HTTP_PIPELINE_BURST 16
/* Once this many connections have closed since the most were open, and at most half of that
 * peak remain, the freed memory is handed back to the system (core/mem.h): a flood that
 * leaves would otherwise stay resident (3,000 idle connections: 3.7 MB). */
#define HTTP_GIVE_BACK_CONNS 512

enum http_conn_state {
    HTTP_CS_IDLE,      /* between requests: no byte of the next request yet */
    HTTP_CS_READING,   /* part of a request has arrived */
    HTTP_CS_HANDLING,  /* request given to the handler, answer not sent yet */
    HTTP_CS_STREAMING, /* http_stream_begin() was called */
    HTTP_CS_CLOSING,   /* last answer queued: shutting down, draining input */
    HTTP_CS_CLOSED,    /* uv_close() called */
};

/* One stored header while the request is read: offsets into the arena, because the arena
 * moves when it grows. */
struct http_hdr_off {
    size_t name, value;
};

struct http_static_entry;

/* Files under 1 MiB are kept in memory, keyed by full path, checked against mtime/size. */
struct http_static_cache {
    struct http_static_entry *head;
    size_t bytes;
    int entries;
};

struct http_server {
    uv_loop_t *loop;
    uv_tcp_t listener;
    struct http_server_config cfg;
    const struct pw_log *log;
    http_handler_fn handler;
    void *handler_ctx;
    http_parser_settings settings;
    struct http_server_stats stats;
    struct http_conn *conns; /* doubly linked list of all live connections */
    uint64_t rejected_lingering;
    uint64_t accept_error_logged_ms;
    uint64_t cap_logged_ms;     /* last "connection cap reached" line */
    uint64_t cap_unlogged;      /* 503s at the cap since that line */
    uint64_t handles_open; /* listener + every conn not yet freed */
    uint64_t conns_peak;   /* most connections open since memory was last given back */
    bool stopping;
    void (*stop_done)(void *arg);
    void *stop_arg;
    /* One read buffer for every connection: libuv allocates and delivers a read before
     * the next one, and every byte is parsed or copied before read_cb returns. */
    char read_buf[HTTP_READ_BUF_BYTES];
    bool read_buf_busy;
    /* Date header cache, refreshed once a second. */
    int64_t date_sec;
    char date[40];
    /* Streams with staged frames, flushed by the idle (timer-phase writes) and check
     * (I/O-phase writes) handles in the same loop turn. */
    struct http_conn *dirty_head;
    uv_idle_t flush_idle;
    uv_check_t flush_check;
    /* Free write requests, so a fan-out tick does not malloc per client. */
    /* Connections with pipelined requests left over after a burst (HTTP_PIPELINE_BURST),
     * oldest first; an idle handle continues each once per loop turn, between polls. */
    struct http_conn *defer_head, *defer_tail;
    uv_idle_t defer_idle;
    struct http_write_req *write_pool;
    int write_pool_n;
    struct http_static_cache static_cache;
};

struct http_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_shutdown_t shutdown_req;
    struct http_server *srv;
    struct http_conn *prev, *next;
    http_parser parser;
    enum http_conn_state state;
    int handles_open;       /* tcp + timer, freed at 0 */
    bool rejected;          /* over the connection cap: 503 then close */
    bool keep_alive;        /* of the request being answered */
    bool in_dispatch;       /* inside the handler call: answers must not re-enter parsing */
    bool peer_eof;          /* peer finished sending; close once answered */
    bool reading;           /* uv_read_start active */
    bool close_after_write; /* close (not linger) once the write queue empties */
    bool owner_notified;
    bool out_blocked;    /* answers over output_queue_bytes: no parsing, no reading */
    bool parse_deferred; /* HTTP_PIPELINE_BURST reached: the rest on the next loop turn */
    struct http_conn *defer_prev, *defer_next;
    int reject_status; /* set by a parser callback that refuses the request */
    const char *reject_detail;

    /* The request being read: url, header names and values, body, each NUL-terminated. */
    char *arena;
    size_t arena_len, arena_cap;
    size_t url_off, url_len;
    size_t body_off, body_len;
    bool body_started;
    size_t header_bytes;
    struct http_hdr_off *hdrs;
    int n_hdrs, hdrs_cap;
    int last_cb; /* 0 none, 1 field, 2 value: http-parser may split a token */
    int method;
    bool message_done;

    /* Input that arrived while a request was being answered (pipelining). */
    char *pending;
    size_t pending_len, pending_cap;

    size_t queued_bytes; /* bytes handed to uv_write and not yet written */
    /* Stream frames referenced but not yet given to the kernel (see HTTP_STAGE_MAX). */
    struct pw_buf *staged[HTTP_STAGE_MAX];
    int n_staged;
    size_t staged_bytes;
    struct http_conn *dirty_prev, *dirty_next;
    bool dirty;
    bool evicting; /* closed for its backlog: nothing more is sent */
    void *owner;
    void (*on_close)(void *owner, struct http_conn *conn);
    char remote_addr[64];
    char origin[256]; /* Origin of the current request, "" if none or not allowed */
};

struct http_write_req {
    uv_write_t req;
    struct http_conn *conn;
    int nbufs;
    struct pw_buf *bufs[HTTP_STAGE_MAX]; /* one reference each, dropped in the callback */
    size_t len; /* bytes this request writes (what try_write did not take) */
    struct http_write_req *next_free;
};

/* http_server.c */
void http_conn_begin_close(struct http_conn *conn, bool linger);
void http_conn_arm_timer(struct http_conn *conn, uint64_t ms);
const char *http_server_date(struct http_server *srv);
void http_server_count_status(struct http_server *srv, int status);

/* http_conn.c */
void http_conn_setup_parser(struct http_server *srv);
void http_conn_on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);
void http_conn_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf);
void http_conn_reset_request(struct http_conn *conn, bool release);
/* An answer to the current request went out: continue with the next one or close. */
void http_conn_request_done(struct http_conn *conn);
void http_conn_free_buffers(struct http_conn *conn);
/* Deferred parse of pipelined input (timer callback of an idle connection). */
void http_conn_continue(struct http_conn *conn);
/* The write queue shrank (write callback): resume a connection held back for it. */
void http_conn_output_drained(struct http_conn *conn);
/* Take a closing connection off the deferred list. */
void http_conn_undefer(struct http_conn *conn);
void http_conn_on_defer_idle(uv_idle_t *idle);

/* http_write.c */
/* Queue a whole buffer (takes its own reference). 0 or a negative uv/errno code. */
int http_write_buf(struct http_conn *conn, struct pw_buf *buf);
void http_write_pool_free(struct http_server *srv);
/* Start/stop the loop-turn handles: the two flush handles and the idle handle that
 * continues deferred pipelined input (server start/stop). */
int http_flush_init(struct http_server *srv);
void http_flush_close(struct http_server *srv, uv_close_cb cb);
/* Drop a closing connection's staged frames and take it off the dirty list. */
void http_conn_drop_staged(struct http_conn *conn);
/* Build and queue status line, headers and body; HEAD answers omit the body. */
int http_write_response(struct http_conn *conn, int status, const char *content_type,
                        const char *extra_headers, const void *body, size_t body_len,
                        bool keep_alive);
const char *http_status_text(int status);
/* CORS: decide once per request whether its Origin is allowed (stored in conn->origin). */
void http_cors_check(struct http_conn *conn, const char *origin);
/* Answer an OPTIONS request (preflight or not) with 204. */
int http_cors_preflight(struct http_conn *conn, const struct http_request *req);

/* http_static.c */
void http_static_cache_free(struct http_static_cache *cache);

/* http_listen.c */
/* Bind the (initialised) listener to `addr`; with reuse_port, with SO_REUSEPORT so other
 * processes may listen on the same address. 0 or a negative uv/errno code. */
int http_listen_bind(uv_tcp_t *listener, const struct sockaddr *addr, bool reuse_port);

/* http_request.c */
/* Percent-decode src[0..len) into out; '+' becomes ' ' only when plus_space. Returns the
 * decoded length, or -ENOSPC / -EINVAL. NUL bytes are decoded (callers check). */
int http_percent_decode(const char *src, size_t len, char *out, size_t out_len, bool plus_space);

#endif
