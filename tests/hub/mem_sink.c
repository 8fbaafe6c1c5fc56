#include "mem_sink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parser's callback: the frame the hub just wrote (one per buffer). */
static void on_frame(void *ctx, const struct sse_event *ev)
{
    struct mem_sink *s = ctx;
    struct mem_frame *f = &s->frames[s->n + s->parsed];
    memset(f, 0, sizeof *f);
    snprintf(f->id, sizeof f->id, "%s", ev->id);
    snprintf(f->event, sizeof f->event, "%s", ev->event);
    snprintf(f->retry, sizeof f->retry, "%s", ev->retry);
    f->data = ev->has_data && ev->data ? strdup(ev->data) : NULL;
    s->parsed++;
}

static int mem_begin(void *ctx, const char *coding, hub_sink_closed_fn closed, void *owner)
{
    (void)coding; /* these tests subscribe without Accept-Encoding */
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
    /* exactly one whole frame per buffer, as the hub writes them */
    s->parsed = 0;
    int rc = sse_parser_feed(&s->parser, buf->data, buf->len);
    if (rc < 0 || s->parsed != 1 || s->parser.line_len != 0 || !buf->len) {
        for (int i = 0; i < s->parsed; i++)
            free(s->frames[s->n + i].data);
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
    sse_parser_init(&s->parser, 1u << 24, on_frame, s);
    sse_parser_keep(&s->parser);
}

void mem_sink_free(struct mem_sink *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->frames[i].data);
    free(s->frames);
    s->frames = NULL;
    s->n = s->cap = 0;
    sse_parser_free(&s->parser);
}

int mem_sink_find(const struct mem_sink *s, int from, const char *event)
{
    for (int i = from < 0 ? 0 : from; i < s->n; i++) {
        if (!strcmp(s->frames[i].event, event))
            return i;
    }
    return -1;
}
