/* hub_subscribe.c — a client joining a stream: its Last-Event-ID read, its sink begun, and
 * what it is sent first: the current picture for a new client, exactly what it missed for
 * a returning one (resume.h), or 204 when a finished race has nothing left for it. */
#include "hub/hub_internal.h"
#include "hub/resume.h"

#include <errno.h>
#include <stdlib.h>

#define RETRY_FRAME "retry: 1000\n\n"

/* A counter of an id: 1 to 19 decimal digits (anything below 10^19 fits in 64 bits). No
 * sign, no spaces: strtoull alone would take "-1" as 2^64 - 1. */
static const char *parse_counter(const char *p, uint64_t *out)
{
    uint64_t v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (++digits > 19)
            return NULL;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (digits == 0)
        return NULL;
    *out = v;
    return p;
}

/* "R-C" (or "R", from an older server): -EINVAL for anything else. */
static int parse_last_event_id(const char *text, uint64_t *r, uint64_t *c)
{
    const char *p = parse_counter(text, r);
    if (!p)
        return -EINVAL;
    *c = 0;
    if (*p == '-')
        p = parse_counter(p + 1, c);
    return p && *p == '\0' ? 0 : -EINVAL;
}

static bool entry_for_stream(const struct log_entry *e, enum hub_stream s)
{
    switch (s) {
    case HUB_STREAM_POSITIONS:
        return e->kind == LOG_POSITIONS || e->kind == LOG_END;
    case HUB_STREAM_COMMENTARY:
        return e->kind == LOG_COMMENTARY || e->kind == LOG_END;
    default:
        return true;
    }
}

static struct pw_buf *entry_frame(const struct log_entry *e, enum hub_stream s)
{
    return s == HUB_STREAM_RACE ? e->combined : e->legacy;
}

/* Whether the log holds a frame of `stream` that a client whose id is r-c has not seen
 * (the end frame, which has no id, aside). A stream of the original kind sees only its own
 * counter move: a positions client's id is behind the commentary that followed it. */
static bool stream_has_unseen(const struct hub_race *race, enum hub_stream stream, uint64_t r,
                              uint64_t c)
{
    if (race->log.dropped_r > r || race->log.dropped_c > c)
        return true;
    for (size_t i = 0; i < race->log.count; i++) {
        const struct log_entry *e = event_log_at(&race->log, i);
        if (e->kind == LOG_END || !entry_for_stream(e, stream))
            continue;
        if (log_entry_own_seq(e) > (e->kind == LOG_COMMENTARY ? c : r))
            return true;
    }
    return false;
}

/* A new client (no Last-Event-ID): the current picture at once. */
static void send_initial(struct hub *hub, struct hub_client *cl)
{
    struct hub_race *race = cl->race;
    if (!race) {
        if (cl->stream == HUB_STREAM_POSITIONS) {
            for (struct hub_race *r = hub->races; r; r = r->next) {
                for (size_t i = r->log.count; !hub_race_over(r) && i-- > 0;) {
                    const struct log_entry *e = event_log_at(&r->log, i);
                    if (e->kind == LOG_POSITIONS) {
                        client_send(cl, e->legacy);
                        break;
                    }
                }
            }
        }
        return;
    }
    if (cl->stream == HUB_STREAM_RACE) {
        client_send(cl, hub_snapshot_frame(hub, race));
        if (hub_race_over(race)) {
            for (size_t i = race->log.count; i-- > 0;) {
                const struct log_entry *e = event_log_at(&race->log, i);
                if (e->kind == LOG_END) {
                    client_send_last(cl, e->combined);
                    break;
                }
            }
        }
        return;
    }
    /* Original streams: the newest positions frame, or the recent commentary lines; then
     * the end frame of a race that is over. */
    enum log_kind kind = cl->stream == HUB_STREAM_POSITIONS ? LOG_POSITIONS : LOG_COMMENTARY;
    int wanted = cl->stream == HUB_STREAM_POSITIONS ? 1 : hub->cfg.recent_commentary;
    size_t first = race->log.count;
    for (size_t i = race->log.count; i-- > 0 && wanted > 0;) {
        if (event_log_at(&race->log, i)->kind == kind) {
            first = i;
            wanted--;
        }
    }
    for (size_t i = first; i < race->log.count; i++) {
        const struct log_entry *e = event_log_at(&race->log, i);
        if (e->kind == LOG_END)
            client_send_last(cl, e->legacy);
        else if (e->kind == kind)
            client_send(cl, e->legacy);
    }
}

/* A returning client: exactly the frames of its stream it has not seen. */
static void send_missed(struct hub *hub, struct hub_client *cl, uint64_t r, uint64_t c)
{
    struct hub_race *race = cl->race;
    hub->stats.resumes++;
    if (race->log.dropped_r > r || race->log.dropped_c > c) {
        /* Part of what it missed fell out of the window: start it afresh, counted. */
        hub->stats.resumes_gap++;
        send_initial(hub, cl);
        return;
    }
    /* The combined stream's deltas only make sense in a row: when they weigh more than the
     * newest tick in full, or than a fresh snapshot, that goes instead (resume.h). */
    enum hub_resume_way way = HUB_RESUME_REPLAY;
    size_t last_positions = race->log.count;
    if (cl->stream == HUB_STREAM_RACE) {
        struct pw_buf *snap = hub_snapshot_frame(hub, race);
        way = hub_resume_choose(&race->log, r, c, snap ? snap->len : 0,
                                hub->cfg.recent_commentary, &last_positions);
    }
    if (way == HUB_RESUME_SNAPSHOT) {
        hub->stats.resumes_snapshot++;
        send_initial(hub, cl);
        return;
    }
    if (way == HUB_RESUME_CATCHUP)
        hub->stats.resumes_catchup++;
    for (size_t i = 0; i < race->log.count; i++) {
        const struct log_entry *e = event_log_at(&race->log, i);
        if (!entry_for_stream(e, cl->stream) || !hub_resume_entry_missed(e, r, c))
            continue;
        if (way == HUB_RESUME_CATCHUP && e->kind == LOG_POSITIONS) {
            if (i == last_positions) {
                struct pw_buf *full = hub_resume_full_positions(e);
                client_send(cl, full);
                pw_buf_unref(full);
            }
            continue;
        }
        if (e->kind == LOG_END)
            client_send_last(cl, entry_frame(e, cl->stream));
        else
            client_send(cl, entry_frame(e, cl->stream));
    }
}

int hub_subscribe(struct hub *hub, const struct hub_sink *sink, enum hub_stream stream,
                  const char *race_id, const char *last_event_id, const char *accept_encoding)
{
    struct hub_race *race = NULL;
    uint64_t r = 0, c = 0;
    bool resume = last_event_id && last_event_id[0];
    if ((unsigned)stream >= HUB_STREAM_COUNT)
        return -EINVAL;
    if (race_id && race_id[0]) {
        race = hub_find_race(hub, race_id);
        if (!race)
            return -ENOENT;
    } else if (stream == HUB_STREAM_RACE) {
        return -ENOENT;
    }
    if (resume && parse_last_event_id(last_event_id, &r, &c) < 0)
        return -EINVAL;
    if (race && resume && race->end_sent && !stream_has_unseen(race, stream, r, c))
        return 1;
    struct hub_client *cl = calloc(1, sizeof *cl);
    if (!cl)
        return -ENOMEM;
    cl->hub = hub;
    cl->race = race;
    cl->stream = stream;
    cl->sink = *sink;
    hub_pack_stream_init(&cl->pack, hub_pack_negotiate(accept_encoding));
    const char *coding = hub_pack_encoding_name(cl->pack.enc);
    int rc = sink->ops->begin(sink->ctx, coding, on_client_close, cl);
    if (rc != 0) {
        free(cl);
        return rc == HUB_SINK_ANSWERED ? 0 : rc; /* HEAD: answered with the headers alone */
    }
    if (race && resume && (r > race->r || c > race->c)) {
        cl->held = true;
        cl->held_r = r;
        cl->held_c = c;
    }
    client_link(cl);
    if (coding) {
        hub->stats.clients_compressed++;
        struct pw_buf *head = hub_pack_stream_header(&cl->pack);
        if (!head || cl->sink.ops->write(cl->sink.ctx, head) < 0)
            hub->stats.clients_write_failed++;
        pw_buf_unref(head);
    }
    struct pw_buf *retry = pw_buf_new(RETRY_FRAME, sizeof RETRY_FRAME - 1);
    client_send(cl, retry);
    pw_buf_unref(retry);
    if (race && resume)
        send_missed(hub, cl, r, c);
    else
        send_initial(hub, cl);
    if (race && race->end_sent)
        client_end(cl); /* it had the end frame: nothing more will come */
    return 0;
}
