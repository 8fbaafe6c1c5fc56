/* The hub's clients: their lists, and writing frames to them through their sinks
 * (hub_sink.h), compressed when they asked for it (packer.h). */
#include "hub/hub_internal.h"

#include <stdlib.h>

static struct client_list *client_home(struct hub_client *cl)
{
    return cl->race ? &cl->race->clients[cl->stream] : &cl->hub->all_races[cl->stream];
}

void client_unlink(struct hub_client *cl)
{
    if (!cl->linked)
        return;
    struct client_list *list = client_home(cl);
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        list->head = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    list->count--;
    cl->hub->stats.clients[cl->stream]--;
    cl->linked = false;
    cl->prev = cl->next = NULL;
}

void client_link(struct hub_client *cl)
{
    struct client_list *list = client_home(cl);
    cl->next = list->head;
    cl->prev = NULL;
    if (list->head)
        list->head->prev = cl;
    list->head = cl;
    list->count++;
    cl->hub->stats.clients[cl->stream]++;
    cl->linked = true;
}

void close_list(struct client_list *list)
{
    while (list->head) {
        struct hub_client *cl = list->head;
        client_unlink(cl);
        cl->sink.ops->close(cl->sink.ctx); /* its closed callback frees cl */
    }
}

void on_client_close(void *owner)
{
    struct hub_client *cl = owner;
    client_unlink(cl);
    free(cl);
}

/* Queue one frame (its compressed segment for a compressed stream): true when queued. A
 * failed write means the sink is closing and its closed callback unlinks (and frees) the
 * client, so the caller's saved `next` pointer stays valid but `cl` must not be used. */
bool client_send(struct hub_client *cl, struct pw_buf *buf)
{
    if (!buf || cl->finished)
        return false;
    struct hub *hub = cl->hub;
    uint64_t now = uv_now(hub->loop);
    struct pw_buf *out = buf;
    if (cl->pack.enc != HUB_PACK_IDENTITY) {
        out = hub_packer_pack(hub->packer, buf);
        if (!out) {
            hub->stats.encode_failures++;
            cl->sink.ops->close(cl->sink.ctx);
            return false;
        }
    }
    if (cl->sink.ops->write(cl->sink.ctx, out) < 0) {
        hub->stats.clients_write_failed++;
        return false;
    }
    if (cl->pack.enc != HUB_PACK_IDENTITY)
        hub_pack_stream_sent(&cl->pack, buf);
    cl->last_write = now;
    hub->stats.frames_sent++;
    return true;
}

/* The `end` frame: the last thing a stream carries. A compressed stream is finished with its
 * trailer so the client can check it whole. */
void client_send_last(struct hub_client *cl, struct pw_buf *buf)
{
    if (!client_send(cl, buf) || cl->pack.enc == HUB_PACK_IDENTITY)
        return;
    struct pw_buf *trailer = hub_pack_stream_trailer(&cl->pack);
    if (trailer)
        cl->sink.ops->write(cl->sink.ctx, trailer);
    pw_buf_unref(trailer);
    cl->finished = true;
}

void send_last_to_list(struct client_list *list, struct pw_buf *buf)
{
    struct hub_client *next;
    for (struct hub_client *cl = list->head; cl; cl = next) {
        next = cl->next;
        client_send_last(cl, buf);
    }
}

/* Whether a held-back client (see hub_client.held) takes a frame of `kind` made when the
 * race's counters stood at r, c: only once both counters reached its id and the frame's
 * own counter is past it, so the id it keeps never goes backwards in either counter. The
 * end frame always goes. */
static bool client_takes(struct hub_client *cl, enum log_kind kind, uint64_t r, uint64_t c)
{
    if (!cl->held || kind == LOG_END)
        return true;
    bool own_past = kind == LOG_COMMENTARY ? c > cl->held_c : r > cl->held_r;
    if (r < cl->held_r || c < cl->held_c || !own_past)
        return false;
    cl->held = false; /* caught up: every later frame is past the id too */
    return true;
}

void send_to_list(struct client_list *list, struct pw_buf *buf, enum log_kind kind,
                         uint64_t r, uint64_t c)
{
    struct hub_client *next;
    for (struct hub_client *cl = list->head; cl; cl = next) {
        next = cl->next;
        if (client_takes(cl, kind, r, c))
            client_send(cl, buf);
    }
}

/* End a client's stream after the frames written to it (the sink's `end`; `close` for a
 * sink without one). */
void client_end(struct hub_client *cl)
{
    if (cl->sink.ops->end)
        cl->sink.ops->end(cl->sink.ctx);
    else
        cl->sink.ops->close(cl->sink.ctx);
}

/* After the end frame: the streams of that race are over. Each is ended once the frame
 * has gone out, so EventSource reconnects, gets 204, and stops. */
void end_race_streams(struct hub_race *race)
{
    for (int s = 0; s < HUB_STREAM_COUNT; s++) {
        struct hub_client *next;
        for (struct hub_client *cl = race->clients[s].head; cl; cl = next) {
            next = cl->next; /* a sink may close at once and free cl */
            client_end(cl);
        }
    }
}

