/* mem_sink.h — a stream sink (src/hub/hub_sink.h) that keeps in memory what the hub writes,
 * frame by frame, for the hub's tests. It keeps the sink contract the HTTP one keeps: past
 * `max_bytes` queued it closes itself (as a client that stops reading is evicted) and the
 * write fails; after it closed, writes fail. */
#ifndef PW_TESTS_HUB_MEM_SINK_H
#define PW_TESTS_HUB_MEM_SINK_H

#include "hub/hub_sink.h"
#include "sse_parse.h"

#include <stdbool.h>
#include <stddef.h>

struct mem_frame {
    char id[64];    /* "" when the frame has no id: line */
    char event[32]; /* "" when it has no event: line */
    char retry[16]; /* the retry: line's value, "" if none */
    char *data;     /* the data: line's value (malloc'd), NULL if none */
};

struct mem_sink {
    struct hub_sink sink; /* {&mem_sink_ops, this} */
    int begin_rc;         /* what begin answers (0: accept) */
    size_t max_bytes;     /* 0: no bound */
    bool begun, closed;
    int closed_calls; /* times the hub's closed callback was run */
    size_t bytes;
    int n, cap;
    struct mem_frame *frames;
    int bad_frames; /* writes that were not one well-formed SSE frame */
    struct sse_parser parser; /* reads back what the hub wrote (tests/common) */
    int parsed;               /* frames the last write held */
    hub_sink_closed_fn on_closed;
    void *owner;
};

void mem_sink_init(struct mem_sink *s);
/* Frees the frames; the sink must be closed (or never begun). */
void mem_sink_free(struct mem_sink *s);
/* Index of the first frame at or after `from` with this event name ("" = none), or -1. */
int mem_sink_find(const struct mem_sink *s, int from, const char *event);

#endif
