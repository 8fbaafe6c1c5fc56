/* sse_parse.h — the one Server-Sent Events parser of the tests and benchmarks: the SSE load
 * generator (bench/sse_load), the integration tests' client (tests/integration/harness.c)
 * and the hub's in-memory sink (tests/hub) read streams with it.
 *
 * Owns: one partial-line buffer per parser, and with sse_parser_keep() the current event's
 * data (freed by sse_parser_free). Bytes go in as they arrive, split anywhere; each complete
 * event (blank line) is reported through a callback with the fields the benchmark needs:
 * event name, the "R-C" id, the data's "type", and the "server_ms" number if the data
 * carries one. Data lines are stored only when kept (the load generator does not). */
#ifndef PW_TESTS_SSE_PARSE_H
#define PW_TESTS_SSE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sse_event {
    char event[32]; /* "" when the frame had no event: line */
    char type[32];  /* "type" of the data JSON object, "" if not found */
    bool has_id;
    bool id_ok; /* id had the form "<R>-<C>" */
    uint64_t r, c;
    bool has_server_ms;
    int64_t server_ms;
    size_t data_bytes;
    bool has_data;  /* a data: line was seen */
    char id[64];    /* the id as sent (cut to fit) */
    char retry[16]; /* the retry: value, "" if none */
    /* With sse_parser_keep(): the data lines joined with "\n", NUL-terminated, valid during
     * the callback; NULL otherwise. */
    const char *data;
};

typedef void (*sse_event_fn)(void *ctx, const struct sse_event *ev);

struct sse_parser {
    char *line; /* a line split across reads */
    size_t line_len, line_cap;
    size_t max_line;
    struct sse_event cur;
    bool cur_any; /* a field of the current event was seen */
    sse_event_fn on_event;
    void *ctx;
    bool keep;  /* store data; report a block that only has retry: too */
    char *data; /* the current event's data when kept */
    size_t data_len, data_cap;
    bool data_lost; /* out of memory while keeping it: reported as data NULL */
};

void sse_parser_init(struct sse_parser *p, size_t max_line, sse_event_fn on_event, void *ctx);
/* Keep each event's data (and report retry-only blocks), for clients that check content. */
void sse_parser_keep(struct sse_parser *p);
void sse_parser_free(struct sse_parser *p);
/* 0, or -E2BIG when a line passes max_line, -ENOMEM. */
int sse_parser_feed(struct sse_parser *p, const char *data, size_t len);

/* "R-C" -> r, c. 0 or -EINVAL. */
int sse_parse_id(const char *s, size_t len, uint64_t *r, uint64_t *c);

#endif
