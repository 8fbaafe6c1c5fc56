/* harness.h — integration-test helpers: run the real pitwall binary on a free port, talk
 * HTTP/1.1 to it over plain sockets, and read Server-Sent Events the way EventSource does. */
#ifndef PW_TEST_HARNESS_H
#define PW_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sse_parse.h"

struct server {
    pid_t pid;
    int port;
    char dir[256]; /* temp dir: config, history db, log */
    char log_path[300];
    char db_path[300];
};

/* Start pitwall with `config_yaml` (may be NULL) and extra args (NULL-terminated, may be
 * NULL), history in a fresh temp dir unless `reuse_dir` names one. Waits until it listens.
 * Returns 0 or -1 (the log is printed). */
int server_start(struct server *s, const char *config_yaml, const char *const *args,
                 const char *reuse_dir);
/* Send `sig` and wait for exit (up to 10 s). Returns the exit status, or -1. */
int server_stop(struct server *s, int sig);
/* VmRSS of the server in KiB, or -1. */
long server_rss_kb(const struct server *s);
/* Copy the server's log to stderr (for a failing test's report). */
void server_print_log(const struct server *s);
/* Remove the temp dir (kept when PITWALL_TEST_KEEP=1). */
void server_cleanup(struct server *s);

struct response {
    int status;
    char headers[8192];
    char *body; /* malloc'd, NUL-terminated */
    size_t body_len;
};

/* A blocking TCP connection to 127.0.0.1:port with TCP_NODELAY, or -1. */
int connect_port(int port);
/* One request on a new connection (Connection: close). `extra_headers` is "" or lines
 * ending in \r\n. Returns 0 or -1 (no response at all). */
int http_call(int port, const char *method, const char *path, const char *extra_headers,
              const char *body, struct response *out);
/* Send raw bytes, read until close or timeout; returns bytes read into out (NUL-terminated). */
long http_raw(int port, const void *req, size_t len, char *out, size_t cap, int timeout_ms);
void response_free(struct response *r);
/* Header value (case-insensitive name) copied into out, or false. */
bool response_header(const struct response *r, const char *name, char *out, size_t len);

struct sse_frame {
    char id[64];
    char event[64];
    char *data; /* malloc'd; data lines joined with \n */
    size_t data_len;
};

struct sse {
    int fd;
    int status;
    char *buf; /* the response head while it arrives */
    size_t len, cap;
    char raw_first[4096]; /* the first bytes of the body as received, for wire checks */
    size_t raw_first_len;
    struct sse_parser parser; /* tests/common/sse_parse.h */
    bool parsing;
    struct sse_frame *frames; /* parsed, not yet taken by sse_next */
    int first_frame, n_frames, cap_frames;
    bool failed;
};

/* Open `path` as an event stream; `last_event_id` may be NULL. 0 or -1. */
int sse_open(struct sse *s, int port, const char *path, const char *last_event_id);
/* Next frame with data (comments and retry-only blocks skipped). 1 got one, 0 timeout,
 * -1 closed/error. */
int sse_next(struct sse *s, struct sse_frame *f, int timeout_ms);
void sse_frame_free(struct sse_frame *f);
void sse_close(struct sse *s);

/* Monotonic milliseconds. */
int64_t now_ms(void);

#endif
