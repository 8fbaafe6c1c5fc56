#include "hub/event_log.h"

#include <errno.h>
#include <stdlib.h>

void event_log_init(struct event_log *log, size_t max_bytes)
{
    *log = (struct event_log){.max_bytes = max_bytes};
}

static size_t entry_bytes(const struct log_entry *e)
{
    return (e->legacy ? e->legacy->len : 0) + (e->combined ? e->combined->len : 0);
}

static void drop_oldest(struct event_log *log)
{
    struct log_entry *e = &log->entries[log->head];
    log->bytes -= entry_bytes(e);
    if (e->r > log->dropped_r)
        log->dropped_r = e->r;
    if (e->c > log->dropped_c)
        log->dropped_c = e->c;
    pw_buf_unref(e->legacy);
    pw_buf_unref(e->combined);
    log->head = (log->head + 1) % log->cap;
    log->count--;
}

static int grow(struct event_log *log)
{
    size_t cap = log->cap ? log->cap * 2 : 256;
    struct log_entry *n = malloc(cap * sizeof *n);
    if (!n)
        return -ENOMEM;
    for (size_t i = 0; i < log->count; i++)
        n[i] = log->entries[(log->head + i) % log->cap];
    free(log->entries);
    log->entries = n;
    log->cap = cap;
    log->head = 0;
    return 0;
}

int event_log_append(struct event_log *log, enum log_kind kind, uint64_t r, uint64_t c,
                     struct pw_buf *legacy, struct pw_buf *combined)
{
    if (log->count == log->cap) {
        int rc = grow(log);
        if (rc < 0)
            return rc;
    }
    struct log_entry *e = &log->entries[(log->head + log->count) % log->cap];
    *e = (struct log_entry){kind, r, c, pw_buf_ref(legacy), pw_buf_ref(combined)};
    log->count++;
    log->bytes += entry_bytes(e);
    /* Keep at least the newest entry, whatever its size. */
    while (log->bytes > log->max_bytes && log->count > 1)
        drop_oldest(log);
    return 0;
}

size_t event_log_shrink(struct event_log *log, size_t target)
{
    size_t before = log->bytes;
    while (log->bytes > target && log->count > 1)
        drop_oldest(log);
    return before - log->bytes;
}

const struct log_entry *event_log_at(const struct event_log *log, size_t i)
{
    if (i >= log->count)
        return NULL;
    return &log->entries[(log->head + i) % log->cap];
}

void event_log_free(struct event_log *log)
{
    while (log->count)
        drop_oldest(log);
    free(log->entries);
    log->entries = NULL;
    log->cap = 0;
}
