/* test_sse.h — reading a Server-Sent Events stream the way EventSource does, for the tests:
 * a GET on a connection of its own (test_client.h), the head read, then every frame with
 * data queued in order (parsed by sse_parse.h). For a server in another process. */
#ifndef PW_TESTS_TEST_SSE_H
#define PW_TESTS_TEST_SSE_H

#include "sse_parse.h"

#include <stdbool.h>
#include <stddef.h>

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
    struct sse_parser parser;
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

/* How long sse_read_frames reads: up to `within_ms` from the call (<= 0: no limit), each wait
 * for a frame up to `wait_ms`; with `quiet_ends`, a wait that brings no frame ends it too. */
struct sse_read_limits {
    int within_ms;
    int wait_ms;
    bool quiet_ends;
};

/* A frame reader's callback: sees each frame with data in order (freed after it returns)
 * and answers true to stop reading there. */
typedef bool (*sse_frame_fn)(void *ctx, const struct sse_frame *f);

/* Reads frames of `s` into `on_frame` until it answers true (1), the limits end it (0), or
 * the stream closes or fails first (-1). */
int sse_read_frames(struct sse *s, struct sse_read_limits limits, sse_frame_fn on_frame,
                    void *ctx);

#endif
