/* test_sse.c — see test_sse.h. */
#include "test_sse.h"

#include "http_head.h"
#include "test_client.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void on_sse_event(void *ctx, const struct sse_event *ev);

int sse_open(struct sse *s, int port, const char *path, const char *last_event_id)
{
    memset(s, 0, sizeof *s);
    s->fd = connect_port(port);
    if (s->fd < 0)
        return -1;
    char req[1024];
    char lei[128] = "";
    if (last_event_id)
        snprintf(lei, sizeof lei, "Last-Event-ID: %s\r\n", last_event_id);
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n%s\r\n",
                     path, lei);
    if (test_send(NULL, s->fd, req, (size_t)n) < 0)
        goto fail;
    s->cap = 1 << 16;
    s->buf = malloc(s->cap);
    if (!s->buf)
        goto fail;
    /* Read the response head. */
    for (int64_t until = now_ms() + 10000; now_ms() < until;) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, 200) <= 0)
            continue;
        ssize_t r = recv(s->fd, s->buf + s->len, s->cap - s->len - 1, 0);
        if (r <= 0)
            break;
        s->len += (size_t)r;
        s->buf[s->len] = '\0';
        size_t head = http_head_len(s->buf, s->len);
        if (head) {
            s->status = http_head_status(s->buf);
            s->raw_first_len =
                s->len - head < sizeof s->raw_first ? s->len - head : sizeof s->raw_first;
            memcpy(s->raw_first, s->buf + head, s->raw_first_len);
            sse_parser_init(&s->parser, 1u << 24, on_sse_event, s);
            sse_parser_keep(&s->parser);
            s->parsing = true;
            if (sse_parser_feed(&s->parser, s->buf + head, s->len - head) < 0)
                goto fail;
            s->len = 0;
            return 0;
        }
    }
fail:
    if (s->parsing)
        sse_parser_free(&s->parser);
    s->parsing = false;
    close(s->fd);
    free(s->buf);
    s->buf = NULL;
    s->fd = -1;
    return -1;
}

/* The parser's callback: a frame with data is queued for sse_next (comments and
 * retry-only blocks are not frames). */
static void on_sse_event(void *ctx, const struct sse_event *ev)
{
    struct sse *s = ctx;
    if (!ev->has_data)
        return;
    if (s->n_frames == s->cap_frames) {
        int cap = s->cap_frames ? s->cap_frames * 2 : 16;
        struct sse_frame *n = realloc(s->frames, (size_t)cap * sizeof *n);
        if (!n) {
            s->failed = true;
            return;
        }
        s->frames = n;
        s->cap_frames = cap;
    }
    struct sse_frame *f = &s->frames[s->n_frames];
    memset(f, 0, sizeof *f);
    snprintf(f->id, sizeof f->id, "%s", ev->id);
    snprintf(f->event, sizeof f->event, "%s", ev->event);
    f->data = ev->data ? strdup(ev->data) : NULL;
    if (!f->data) {
        s->failed = true;
        return;
    }
    f->data_len = strlen(f->data);
    s->n_frames++;
}

int sse_next(struct sse *s, struct sse_frame *f, int timeout_ms)
{
    if (s->fd < 0)
        return -1;
    int64_t until = now_ms() + timeout_ms;
    for (;;) {
        if (s->first_frame < s->n_frames) {
            *f = s->frames[s->first_frame++];
            if (s->first_frame == s->n_frames)
                s->first_frame = s->n_frames = 0;
            return 1;
        }
        if (s->failed)
            return -1;
        int left = (int)(until - now_ms());
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, left) <= 0)
            return 0;
        char chunk[65536];
        ssize_t r = recv(s->fd, chunk, sizeof chunk, 0);
        if (r <= 0)
            return -1;
        size_t room = sizeof s->raw_first - s->raw_first_len;
        size_t keep = (size_t)r < room ? (size_t)r : room;
        memcpy(s->raw_first + s->raw_first_len, chunk, keep);
        s->raw_first_len += keep;
        if (sse_parser_feed(&s->parser, chunk, (size_t)r) < 0)
            return -1;
    }
}

int sse_read_frames(struct sse *s, struct sse_read_limits limits, sse_frame_fn on_frame,
                    void *ctx)
{
    int64_t until = now_ms() + limits.within_ms;
    while (limits.within_ms <= 0 || now_ms() < until) {
        struct sse_frame f;
        int rc = sse_next(s, &f, limits.wait_ms);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            if (limits.quiet_ends)
                return 0;
            continue;
        }
        bool stop = on_frame(ctx, &f);
        sse_frame_free(&f);
        if (stop)
            return 1;
    }
    return 0;
}

void sse_frame_free(struct sse_frame *f)
{
    free(f->data);
    f->data = NULL;
}

void sse_close(struct sse *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    free(s->buf);
    s->buf = NULL;
    for (int i = s->first_frame; i < s->n_frames; i++)
        sse_frame_free(&s->frames[i]);
    free(s->frames);
    s->frames = NULL;
    s->n_frames = s->first_frame = s->cap_frames = 0;
    if (s->parsing)
        sse_parser_free(&s->parser);
    s->parsing = false;
}
