#include "mem_sink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_field(char *dst, size_t cap, const char *from, size_t len)
{
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, from, len);
    dst[len] = '\0';
}

/* One SSE frame, as the hub writes one per buffer: "name: value\n" lines, then "\n". */
static int parse_frame(struct mem_frame *f, const char *text, size_t len)
{
    memset(f, 0, sizeof *f);
    if (len < 2 || text[len - 1] != '\n' || text[len - 2] != '\n')
        return -EINVAL;
    const char *p = text, *end = text + len - 1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return -EINVAL;
        const char *colon = memchr(p, ':', (size_t)(nl - p));
        if (!colon || colon + 1 >= nl || colon[1] != ' ')
            return -EINVAL;
        size_t name_len = (size_t)(colon - p);
        const char *value = colon + 2;
        size_t value_len = (size_t)(nl - value);
        if (name_len == 2 && !memcmp(p, "id", 2))
            copy_field(f->id, sizeof f->id, value, value_len);
        else if (name_len == 5 && !memcmp(p, "event", 5))
            copy_field(f->event, sizeof f->event, value, value_len);
        else if (name_len == 5 && !memcmp(p, "retry", 5))
            copy_field(f->retry, sizeof f->retry, value, value_len);
        else if (name_len == 4 && !memcmp(p, "data", 4) && !f->data) {
            f->data = malloc(value_len + 1);
            if (!f->data)
                return -ENOMEM;
            copy_field(f->data, value_len + 1, value, value_len);
        } else
            return -EINVAL;
        p = nl + 1;
    }
    return 0;
}

static int mem_begin(void *ctx, hub_sink_closed_fn closed, void *owner)
{
    struct mem_sink *s = ctx;
    if (s->begin_rc)
        return s->begin_rc;
    s->begun = true;
    s->on_closed = closed;
    s->owner = owner;
    return 0;
}

static void mem_close(void *ctx)
{
    struct mem_sink *s = ctx;
    if (!s->begun || s->closed)
        return;
    s->closed = true;
    s->closed_calls++;
    s->on_closed(s->owner);
}

static int mem_write(void *ctx, struct pw_buf *buf)
{
    struct mem_sink *s = ctx;
    if (!s->begun || s->closed)
        return -EPIPE;
    if (s->max_bytes && s->bytes + buf->len > s->max_bytes) {
        mem_close(s);
        return -ENOBUFS;
    }
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 64;
        struct mem_frame *f = realloc(s->frames, (size_t)cap * sizeof *f);
        if (!f)
            return -ENOMEM;
        s->frames = f;
        s->cap = cap;
    }
    if (parse_frame(&s->frames[s->n], buf->data, buf->len) < 0) {
        free(s->frames[s->n].data);
        s->bad_frames++;
        fprintf(stderr, "mem_sink: not an SSE frame: %.*s\n", (int)buf->len, buf->data);
        return -EIO;
    }
    s->n++;
    s->bytes += buf->len;
    return 0;
}

static const struct hub_sink_ops mem_sink_ops = {
    .begin = mem_begin,
    .write = mem_write,
    .close = mem_close,
};

void mem_sink_init(struct mem_sink *s)
{
    memset(s, 0, sizeof *s);
    s->sink = (struct hub_sink){&mem_sink_ops, s};
}

void mem_sink_free(struct mem_sink *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->frames[i].data);
    free(s->frames);
    s->frames = NULL;
    s->n = s->cap = 0;
}

int mem_sink_find(const struct mem_sink *s, int from, const char *event)
{
    for (int i = from < 0 ? 0 : from; i < s->n; i++) {
        if (!strcmp(s->frames[i].event, event))
            return i;
    }
    return -1;
}
