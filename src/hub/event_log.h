/* event_log.h — a race's bounded, ordered log of encoded SSE frames, for resume
 * (Last-Event-ID) and for watching a race again.
 *
 * Owns: a reference to every buffer it holds. Oldest entries fall out when the total size
 * passes the byte bound; the log remembers the highest counters it dropped, so a resume
 * from before the window is detected instead of silently losing frames. */
#ifndef PW_HUB_EVENT_LOG_H
#define PW_HUB_EVENT_LOG_H

#include "core/buf.h"

#include <stddef.h>
#include <stdint.h>

enum log_kind {
    LOG_POSITIONS = 0, /* positions frame: original positions stream + combined */
    LOG_COMMENTARY,    /* commentary frame: original commentary stream + combined */
    LOG_RACE,          /* discrete race event or status: combined stream only */
    LOG_END,           /* end of the race: every stream */
};

struct log_entry {
    enum log_kind kind;
    uint64_t r, c;           /* race-event and commentary counters after the event */
    struct pw_buf *legacy;   /* frame for the original streams, NULL if none */
    struct pw_buf *combined; /* frame for the combined stream, NULL if none */
};

struct event_log {
    struct log_entry *entries; /* ring buffer */
    size_t cap, head, count;
    size_t bytes, max_bytes;
    uint64_t dropped_r, dropped_c; /* highest counters that fell out of the window */
};

void event_log_init(struct event_log *log, size_t max_bytes);
/* Append, taking a new reference on each non-NULL buffer. -ENOMEM on failure. */
int event_log_append(struct event_log *log, enum log_kind kind, uint64_t r, uint64_t c,
                     struct pw_buf *legacy, struct pw_buf *combined);
/* Drop the oldest entries until the log holds at most `target` bytes (the newest entry is
 * always kept); returns the bytes freed. For a budget shared by several logs. */
size_t event_log_shrink(struct event_log *log, size_t target);
/* Entry i, 0 = oldest retained. */
const struct log_entry *event_log_at(const struct event_log *log, size_t i);
void event_log_free(struct event_log *log);

/* The counter that orders an entry within its own kind: commentary counts C, the rest R. */
static inline uint64_t log_entry_own_seq(const struct log_entry *e)
{
    return e->kind == LOG_COMMENTARY ? e->c : e->r;
}

#endif
