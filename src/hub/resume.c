/* Choosing how a returning combined-stream client catches up: see resume.h. */
#include "hub/resume.h"

#include <string.h>

bool hub_resume_entry_missed(const struct log_entry *e, uint64_t r, uint64_t c)
{
    uint64_t seen = e->kind == LOG_COMMENTARY ? c : r;
    return log_entry_own_seq(e) > seen || (e->kind == LOG_END && (e->r > r || e->c > c));
}

/* "event: positions\n" goes after the id line, as the combined stream names its events. */
#define EVENT_LINE "event: positions\n"

static size_t full_positions_bytes(const struct log_entry *e)
{
    return e->legacy ? e->legacy->len + sizeof EVENT_LINE - 1 : SIZE_MAX / 4;
}

enum hub_resume_way hub_resume_choose(const struct event_log *log, uint64_t r, uint64_t c,
                                      size_t snapshot_bytes, int recent_lines,
                                      size_t *last_positions)
{
    size_t replay = 0, others = 0;
    int lines = 0;
    *last_positions = log->count;
    for (size_t i = 0; i < log->count; i++) {
        const struct log_entry *e = event_log_at(log, i);
        if (!hub_resume_entry_missed(e, r, c) || !e->combined)
            continue;
        replay += e->combined->len;
        lines += e->kind == LOG_COMMENTARY;
        if (e->kind == LOG_POSITIONS)
            *last_positions = i;
        else
            others += e->combined->len;
    }
    size_t catchup = *last_positions < log->count
                         ? others + full_positions_bytes(event_log_at(log, *last_positions))
                         : replay;
    size_t best = replay < catchup ? replay : catchup;
    if (snapshot_bytes && snapshot_bytes < best && lines <= recent_lines)
        return HUB_RESUME_SNAPSHOT;
    return catchup < replay ? HUB_RESUME_CATCHUP : HUB_RESUME_REPLAY;
}

struct pw_buf *hub_resume_full_positions(const struct log_entry *e)
{
    const struct pw_buf *legacy = e->legacy;
    const char *nl = legacy ? memchr(legacy->data, '\n', legacy->len) : NULL;
    if (!nl || strncmp(legacy->data, "id: ", 4) != 0)
        return NULL;
    size_t head = (size_t)(nl + 1 - legacy->data);
    struct pw_buf *out = pw_buf_new(NULL, legacy->len + sizeof EVENT_LINE - 1);
    if (!out)
        return NULL;
    memcpy(out->data, legacy->data, head);
    memcpy(out->data + head, EVENT_LINE, sizeof EVENT_LINE - 1);
    memcpy(out->data + head + sizeof EVENT_LINE - 1, legacy->data + head, legacy->len - head);
    return out;
}
