#include "bus/bus_kafka.h"

#include "bus/avro_cache.h"
#include "bus/avro_positions.h"
#include "bus/avro_registry.h"
#include "bus/kafka_conf.h"
#include "bus/kafka_json.h"
#include "bus/kafka_stream.h"
#include "bus/kafka_watermarks.h"
#include "core/error.h"

#include <fcntl.h>
#include <stddef.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KAFKA_MAX_SUBS 32
#define KAFKA_DRAIN_BATCH 2000      /* messages per wake-up before yielding to the loop */
#define KAFKA_TIMER_MS 100          /* backstop poll, stream expiry */
#define KAFKA_PENDING_MAX 8192      /* positions records waiting for the schema id */
#define KAFKA_REGISTER_RETRY_MS 1000
#define KAFKA_REGISTER_RETRY_MAX_MS 30000
#define KAFKA_FETCH_RETRY_MS 1000
#define KAFKA_FETCH_RETRY_MAX_MS 30000
#define KAFKA_CLOSE_FLUSH_MS 5000
#define KAFKA_MAX_PAUSED 64
#define KAFKA_STALE_GRACE_MS 30000 /* groups read from the start, minus what is this old */

enum client_kind { CLIENT_PRODUCER, CLIENT_RUNNER, CLIENT_WORKER, CLIENT_EDGE, CLIENT_COUNT };
static const char *const client_names[CLIENT_COUNT] = {"producer", "runner", "commentary",
                                                       "edge"};

struct bus_kafka;

/* One librdkafka handle and the libuv handles that drive it. */
struct kafka_client {
    struct bus_kafka *bus;
    enum client_kind kind;
    rd_kafka_t *rk;
    rd_kafka_queue_t *queue; /* main queue (producer) or consumer queue */
    int pipe_fds[2];         /* librdkafka writes to [1] when the queue becomes non-empty */
    uv_poll_t poll;
    uv_timer_t timer;
    struct kafka_stream *stream; /* consumers of race topics */
    struct kafka_watermarks *marks; /* has the consumer read all of the race topics? */
    int64_t min_timestamp_ms;    /* older messages are skipped (0: none) */
    bool was_waiting;            /* stalled on a schema or no broker at the last timer */
    rd_kafka_message_t *stalled; /* waits for its schema to be fetched */
    int brokers_up;
    /* partitions paused and rewound because a race could hold no more (kafka_stream.h) */
    int n_paused;
    struct paused_partition {
        int topic;
        int32_t partition;
        char race_id[PW_RACE_ID_MAX];
    } paused[KAFKA_MAX_PAUSED];
};

struct kafka_event_sub {
    unsigned topics;
    pw_bus_event_fn fn;
    void *ctx;
    enum client_kind source;
};

/* A race start or stop request older than this is history, not a request. */
#define KAFKA_CONTROL_MAX_AGE_MS 60000

struct kafka_control_sub {
    pw_bus_control_fn fn;
    void *ctx;
};

struct pending_record {
    char key[PW_RACE_ID_MAX];
    size_t len;
    char body[];
};

struct bus_kafka {
    struct pw_bus base;
    uv_loop_t *loop;
    const struct pw_log *log;
    unsigned roles;
    char *topic_names[4]; /* positions, commentary, events, control */
    rd_kafka_topic_t *topics[4];
    struct kafka_client clients[CLIENT_COUNT];
    bool has_client[CLIENT_COUNT];

    struct avro_positions ap;
    struct avro_registry *registry;
    struct avro_cache cache;
    int32_t schema_id; /* -1 until registered */
    bool registering;
    int64_t register_backoff_ms;
    uv_timer_t register_timer;
    int32_t fetching_id; /* -1: no fetch in flight */
    /* the registry could not be asked: the fetch is retried, the message keeps waiting */
    uv_timer_t fetch_timer;
    int32_t retry_id; /* -1: no retry pending */
    int64_t fetch_backoff_ms;
    struct pending_record **pending;
    int n_pending;

    int n_event_subs;
    struct kafka_event_sub event_subs[KAFKA_MAX_SUBS];
    int n_control_subs;
    struct kafka_control_sub control_subs[KAFKA_MAX_SUBS];

    struct bus_kafka_stats stats;
    int open_handles;
    bool destroyed;
};

enum { TOPIC_POSITIONS, TOPIC_COMMENTARY, TOPIC_EVENTS, TOPIC_CONTROL };

static void client_schedule_drain(struct kafka_client *c);

/* ---- lifetime of libuv handles ---- */

static void bus_free(struct bus_kafka *b)
{
    for (int i = 0; i < 4; i++)
        free(b->topic_names[i]);
    free(b->pending);
    free(b);
}

static void handle_closed(uv_handle_t *h)
{
    struct bus_kafka *b = h->data;
    if (--b->open_handles == 0 && b->destroyed)
        bus_free(b);
}

/* ---- librdkafka callbacks (served on the loop thread by rd_kafka_poll/consumer_poll) ---- */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct kafka_client *c = opaque;
    struct bus_kafka *b = c->bus;
    (void)rk;
    if (m->err) {
        b->stats.delivery_failed++;
        PW_WARN(b->log, "kafka", "delivery to %s failed: %s", rd_kafka_topic_name(m->rkt),
                rd_kafka_err2str(m->err));
    } else {
        b->stats.produced++;
        if (c->brokers_up == 0)
            c->brokers_up = 1; /* an ack is proof enough; statistics give the exact count */
    }
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    struct kafka_client *c = opaque;
    struct bus_kafka *b = c->bus;
    (void)rk;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        if (c->brokers_up != 0)
            PW_WARN(b->log, "kafka", "%s: all brokers down", client_names[c->kind]);
        c->brokers_up = 0;
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[256];
        rd_kafka_fatal_error(rk, why, sizeof why);
        PW_ERROR(b->log, "kafka", "%s: fatal: %s", client_names[c->kind], why);
        return;
    }
    PW_WARN(b->log, "kafka", "%s: %s: %s", client_names[c->kind],
            rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

/* Counts brokers in state UP from librdkafka's statistics (JSON, every second): that is
 * how recovery after an outage is seen, as librdkafka reports no "up" event. */
static int on_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
    struct kafka_client *c = opaque;
    json_t *doc = json_loadb(json, len, 0, NULL);
    json_t *brokers = json_object_get(doc, "brokers");
    const char *name;
    json_t *br;
    int up = 0, any_up = 0;
    json_int_t ids[64]; /* the logical GroupCoordinator entry repeats a real broker's id */
    (void)rk;
    if (json_is_object(brokers)) {
        /* bootstrap and coordinator entries duplicate real brokers: count distinct node
         * ids, but a bootstrap connection alone still means "connected" */
        json_object_foreach(brokers, name, br)
        {
            const char *state = json_string_value(json_object_get(br, "state"));
            if (!state || strcmp(state, "UP"))
                continue;
            any_up = 1;
            json_int_t id = json_integer_value(json_object_get(br, "nodeid"));
            bool seen = id < 0;
            for (int i = 0; i < up && !seen; i++)
                seen = ids[i] == id;
            if (!seen && up < (int)(sizeof ids / sizeof ids[0]))
                ids[up++] = id;
        }
        if (up == 0)
            up = any_up;
        if (up > 0 && c->brokers_up == 0)
            PW_INFO(c->bus->log, "kafka", "%s: %d broker(s) up", client_names[c->kind], up);
        c->brokers_up = up;
    }
    json_decref(doc);
    return 0; /* librdkafka frees json */
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    struct kafka_client *c = rd_kafka_opaque(rk);
    enum pw_log_level lv = level <= 2 ? PW_LOG_ERROR : level <= 4 ? PW_LOG_WARN
                           : level <= 6                          ? PW_LOG_INFO
                                                                 : PW_LOG_DEBUG;
    pw_log_write(c ? c->bus->log : NULL, lv, "rdkafka", "%s: %s", fac, buf);
}

/* ---- consuming ---- */

static void deliver_event(void *ctx, const struct pw_event *ev)
{
    struct kafka_client *c = ctx;
    struct bus_kafka *b = c->bus;
    unsigned topic = ev->type == PW_EV_COMMENTARY ? PW_BUS_COMMENTARY : PW_BUS_RACE;
    for (int i = 0; i < b->n_event_subs; i++) {
        struct kafka_event_sub *s = &b->event_subs[i];
        if (s->source == c->kind && (s->topics & topic))
            s->fn(s->ctx, ev);
    }
}

static void poison(struct bus_kafka *b, const rd_kafka_message_t *m, uint64_t *counter,
                   const char *what)
{
    (*counter)++;
    PW_WARN(b->log, "kafka", "skipped poison message %s [%d] offset %lld: %s",
            rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset, what);
}

static void fetch_done(void *ctx, int status, int32_t id, const char *schema);

static void start_fetch(struct bus_kafka *b, int32_t id);

static void fetch_timer_cb(uv_timer_t *t)
{
    struct bus_kafka *b = t->data;
    int32_t id = b->retry_id;
    b->retry_id = -1;
    if (!b->destroyed && id >= 0)
        start_fetch(b, id);
}

/* The registry could not be asked about `id`: ask again later, with backoff. Messages
 * waiting for it keep waiting (a transient registry failure loses nothing). */
static void fetch_retry_later(struct bus_kafka *b, int32_t id)
{
    b->retry_id = id;
    uv_timer_start(&b->fetch_timer, fetch_timer_cb, (uint64_t)b->fetch_backoff_ms, 0);
    b->fetch_backoff_ms *= 2;
    if (b->fetch_backoff_ms > KAFKA_FETCH_RETRY_MAX_MS)
        b->fetch_backoff_ms = KAFKA_FETCH_RETRY_MAX_MS;
}

static void start_fetch(struct bus_kafka *b, int32_t id)
{
    PW_DEBUG(b->log, "kafka", "fetching schema id %d", (int)id);
    if (avro_registry_fetch(b->registry, id, fetch_done, b) == 0)
        b->fetching_id = id;
    else
        fetch_retry_later(b, id);
}

enum { HANDLED = 0, STALLED = 1, PUSHED_BACK = 2 };

/* Returns STALLED when the message must wait for its schema (the caller keeps it),
 * PUSHED_BACK when its race can hold no more (the caller rewinds its partition). */
static int handle_positions(struct kafka_client *c, const rd_kafka_message_t *m, int64_t now)
{
    struct bus_kafka *b = c->bus;
    int32_t id;
    struct avro_positions_record rec;
    if (avro_wire_header_get(m->payload, m->len, &id)) {
        poison(b, m, &b->stats.poison_bad_magic, "not Confluent wire format (magic byte)");
        return HANDLED;
    }
    struct avro_cache_entry *e = avro_cache_get(&b->cache, id);
    if (!e) {
        if (b->fetching_id < 0 && b->retry_id < 0)
            start_fetch(b, id);
        return STALLED; /* fetch_done (or the retry) hands it back */
    }
    if (!e->readable) {
        poison(b, m, &b->stats.poison_unknown_schema, "unknown or unreadable schema id");
        return HANDLED;
    }
    const char *body = (const char *)m->payload + AVRO_WIRE_HEADER;
    size_t body_len = m->len - AVRO_WIRE_HEADER;
    if (avro_positions_validate(e->schema, body, body_len)) {
        poison(b, m, &b->stats.poison_bad_avro, "corrupt Avro body");
        return HANDLED;
    }
    int rc = avro_positions_decode_with(&e->value, &e->layout, e->reader, body, body_len,
                                        &rec);
    if (rc == PW_EPARSE) {
        poison(b, m, &b->stats.poison_bad_avro, "Avro body refused");
        return HANDLED;
    }
    if (!rc && !rec.race_id[0] && m->key && m->key_len > 0 && m->key_len < PW_RACE_ID_MAX) {
        memcpy(rec.race_id, m->key, m->key_len); /* original writer may leave race_id null */
        rec.race_id[m->key_len] = '\0';
    }
    if (!rc)
        rc = kafka_stream_add_record(c->stream, &rec, now);
    if (rc == PW_ELIMIT)
        return PUSHED_BACK;
    if (rc)
        poison(b, m, &b->stats.poison_other, pw_strerror(rc));
    return HANDLED;
}

static int handle_json(struct kafka_client *c, const rd_kafka_message_t *m, int topic,
                       int64_t now)
{
    struct bus_kafka *b = c->bus;
    struct pw_event ev;
    int rc;
    if (topic == TOPIC_CONTROL) {
        struct pw_control ctl;
        int64_t sent = rd_kafka_message_timestamp(m, NULL);
        rc = kafka_json_decode_control(m->payload, m->len, &ctl);
        if (!rc && sent > 0 && pw_now_ms() - sent > KAFKA_CONTROL_MAX_AGE_MS) {
            PW_WARN(b->log, "kafka", "control request for race %s is %lld s old: ignored",
                    ctl.race_id, (long long)((pw_now_ms() - sent) / 1000));
        } else if (!rc) {
            for (int i = 0; i < b->n_control_subs; i++)
                b->control_subs[i].fn(b->control_subs[i].ctx, &ctl);
        }
    } else if (topic == TOPIC_COMMENTARY) {
        rc = kafka_json_decode_commentary(m->payload, m->len, &ev);
        if (!rc)
            rc = kafka_stream_add_event(c->stream, &ev, NULL, NULL, now);
    } else {
        /* meta and state are big: decode them straight into heap scratch space */
        struct {
            struct pw_race_meta meta;
            struct pw_race_state state;
        } *tmp = malloc(sizeof *tmp);
        bool has_meta, has_state;
        if (!tmp) {
            poison(b, m, &b->stats.poison_other, "out of memory");
            return HANDLED;
        }
        rc = kafka_json_decode_event(m->payload, m->len, &ev, &tmp->meta, &has_meta,
                                     &tmp->state, &has_state);
        if (!rc)
            rc = kafka_stream_add_event(c->stream, &ev, has_meta ? &tmp->meta : NULL,
                                        has_state ? &tmp->state : NULL, now);
        free(tmp);
    }
    if (rc == PW_ELIMIT)
        return PUSHED_BACK;
    if (rc == PW_EPARSE)
        poison(b, m, &b->stats.poison_bad_json, "bad JSON");
    else if (rc)
        poison(b, m, &b->stats.poison_other, pw_strerror(rc));
    return HANDLED;
}

static int topic_index(const struct bus_kafka *b, const rd_kafka_message_t *m)
{
    const char *name = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
    for (int i = 0; i < 4; i++) {
        if (!strcmp(name, b->topic_names[i]))
            return i;
    }
    return -1;
}

/* Stops reading the message's partition and rewinds it to the message, which will be read
 * again once its race has room (client_resume_paused). Nothing is lost or reordered:
 * pausing discards what librdkafka had already fetched for the partition. */
static void client_push_back(struct kafka_client *c, const rd_kafka_message_t *m, int topic)
{
    struct bus_kafka *b = c->bus;
    char race_id[PW_RACE_ID_MAX] = "";
    if (m->key && m->key_len < sizeof race_id) {
        memcpy(race_id, m->key, m->key_len);
        race_id[m->key_len] = '\0';
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, rd_kafka_topic_name(m->rkt), m->partition);
    rd_kafka_pause_partitions(c->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_resp_err_t err = rd_kafka_seek(m->rkt, m->partition, m->offset, 0);
    if (err)
        PW_WARN(b->log, "kafka", "rewinding %s [%d]: %s", rd_kafka_topic_name(m->rkt),
                (int)m->partition, rd_kafka_err2str(err));
    b->stats.pushed_back++;
    for (int i = 0; i < c->n_paused; i++) {
        if (c->paused[i].topic == topic && c->paused[i].partition == m->partition)
            return;
    }
    if (c->n_paused < KAFKA_MAX_PAUSED) {
        struct paused_partition *p = &c->paused[c->n_paused++];
        p->topic = topic;
        p->partition = m->partition;
        snprintf(p->race_id, sizeof p->race_id, "%s", race_id);
    }
}

/* Resumes the partitions whose race has room again. */
static void client_resume_paused(struct kafka_client *c)
{
    struct bus_kafka *b = c->bus;
    for (int i = 0; i < c->n_paused;) {
        struct paused_partition *p = &c->paused[i];
        if (!kafka_stream_has_room(c->stream, p->race_id)) {
            i++;
            continue;
        }
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, b->topic_names[p->topic], p->partition);
        rd_kafka_resume_partitions(c->rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        c->paused[i] = c->paused[--c->n_paused];
    }
}

/* Returns STALLED when the message was kept to wait for its schema, PUSHED_BACK when it
 * will be read again later. */
static int handle_message(struct kafka_client *c, rd_kafka_message_t *m)
{
    struct bus_kafka *b = c->bus;
    int rc = HANDLED;
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            PW_WARN(b->log, "kafka", "%s: consume: %s", client_names[c->kind],
                    rd_kafka_message_errstr(m));
        return HANDLED;
    }
    int64_t now = pw_now_ms();
    int topic = topic_index(b, m);
    int64_t ts = rd_kafka_message_timestamp(m, NULL);
    if (c->min_timestamp_ms && ts >= 0 && ts < c->min_timestamp_ms) {
        b->stats.stale_skipped++; /* written before this process started: not its work */
        return HANDLED;
    }
    if (topic == TOPIC_POSITIONS)
        rc = handle_positions(c, m, now);
    else if (topic >= 0 && m->payload)
        rc = handle_json(c, m, topic, now);
    else
        poison(b, m, &b->stats.poison_other, m->payload ? "unexpected topic" : "empty value");
    if (rc == PUSHED_BACK)
        client_push_back(c, m, topic);
    if (rc == HANDLED)
        b->stats.consumed++;
    return rc;
}

static void client_drain(struct kafka_client *c)
{
    struct bus_kafka *b = c->bus;
    if (c->kind == CLIENT_PRODUCER) {
        rd_kafka_poll(c->rk, 0);
        return;
    }
    if (c->stalled)
        return;
    for (int n = 0; n < KAFKA_DRAIN_BATCH; n++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, 0);
        if (!m)
            break;
        if (handle_message(c, m) == STALLED) {
            c->stalled = m; /* resumed by fetch_done */
            return;
        }
        rd_kafka_message_destroy(m);
        if (b->destroyed)
            return;
        if (n == KAFKA_DRAIN_BATCH - 1)
            client_schedule_drain(c); /* more waiting: continue after other loop work */
    }
    if (c->n_paused)
        client_resume_paused(c);
}

static void fetch_done(void *ctx, int status, int32_t id, const char *schema)
{
    struct bus_kafka *b = ctx;
    PW_DEBUG(b->log, "kafka", "schema id %d: registry answered %d", (int)id, status);
    b->fetching_id = -1;
    if (status == 0) {
        b->fetch_backoff_ms = KAFKA_FETCH_RETRY_MS;
        if (avro_cache_put(&b->cache, id, schema))
            PW_WARN(b->log, "kafka", "schema id %d is not a readable LeaderboardUpdate",
                    (int)id);
    } else if (status == -ENOENT) {
        PW_WARN(b->log, "kafka", "schema id %d unknown to the registry", (int)id);
        avro_cache_put_bad(&b->cache, id);
    } else {
        PW_WARN(b->log, "kafka", "schema id %d: registry failed (%s); asking again in %lld ms",
                (int)id, pw_strerror(status), (long long)b->fetch_backoff_ms);
        fetch_retry_later(b, id);
        return;
    }
    for (int k = 0; k < CLIENT_COUNT; k++) {
        struct kafka_client *c = &b->clients[k];
        if (!b->has_client[k] || !c->stalled)
            continue;
        rd_kafka_message_t *m = c->stalled;
        c->stalled = NULL;
        if (handle_message(c, m) == STALLED) {
            c->stalled = m;
            continue;
        }
        rd_kafka_message_destroy(m);
        client_schedule_drain(c);
    }
}

static void client_poll_cb(uv_poll_t *h, int status, int events)
{
    struct kafka_client *c = (struct kafka_client *)((char *)h -
                                                     offsetof(struct kafka_client, poll));
    char scratch[64];
    (void)status;
    (void)events;
    while (read(c->pipe_fds[0], scratch, sizeof scratch) > 0)
        ;
    client_drain(c);
}

/* kafka_stream_caught_up_fn: when the consumer was last seen to have read every partition
 * of the race topics to its end. A partition paused for this very race counts as read:
 * it was rewound to an event of the race later than the one missing, and a topic is read
 * in order. */
static int64_t client_caught_up(void *ctx, const char *race_id)
{
    struct kafka_client *c = ctx;
    const struct kafka_watermarks_answer *a = kafka_watermarks_last(c->marks);
    for (int i = 0; i < a->n; i++) {
        const struct kafka_watermarks_partition *p = &a->p[i];
        if (p->read_all)
            continue;
        bool paused_for_race = false;
        for (int k = 0; k < c->n_paused && !paused_for_race; k++) {
            paused_for_race = c->paused[k].partition == p->partition &&
                              !strcmp(c->bus->topic_names[c->paused[k].topic], p->topic) &&
                              !strcmp(c->paused[k].race_id, race_id);
        }
        if (!paused_for_race)
            return INT64_MIN;
    }
    return a->asked_at_ms;
}

static void client_timer_cb(uv_timer_t *t)
{
    struct kafka_client *c = (struct kafka_client *)((char *)t -
                                                     offsetof(struct kafka_client, timer));
    client_drain(c);
    if (c->stream && !c->bus->destroyed) {
        /* A seq is given up on only while the consumer can read: waiting for the registry
         * or for a broker, the missing event is most likely just not fetched yet. */
        int64_t now = pw_now_ms();
        bool waiting = c->stalled != NULL || c->brokers_up == 0;
        if (!waiting) {
            if (c->was_waiting)
                kafka_stream_restart_clocks(c->stream, now);
            /* An event has waited long for a missing one: ask the brokers how far the
             * race topics go, so that it is given up only if it is not in Kafka. */
            if (kafka_stream_overdue(c->stream, now)) {
                const char *race_topics[] = {c->bus->topic_names[TOPIC_POSITIONS],
                                             c->bus->topic_names[TOPIC_EVENTS]};
                kafka_watermarks_start(c->marks, race_topics, 2, now); /* paced there */
            }
            kafka_stream_expire(c->stream, now, client_caught_up, c);
        }
        c->was_waiting = waiting;
        if (c->n_paused)
            client_resume_paused(c);
    }
}

static void client_schedule_drain(struct kafka_client *c)
{
    uv_timer_start(&c->timer, client_timer_cb, 0, KAFKA_TIMER_MS);
}

/* ---- producing ---- */

static int produce(struct bus_kafka *b, int topic, const char *key, const void *value,
                   size_t len)
{
    rd_kafka_resp_err_t err = rd_kafka_producev(
        b->clients[CLIENT_PRODUCER].rk, RD_KAFKA_V_RKT(b->topics[topic]),
        RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_VALUE((void *)value, len),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err) {
        b->stats.delivery_failed++;
        PW_WARN(b->log, "kafka", "produce to %s: %s", b->topic_names[topic],
                rd_kafka_err2str(err));
        return err == RD_KAFKA_RESP_ERR__QUEUE_FULL ? -ENOBUFS : -EIO;
    }
    return 0;
}

static void flush_pending(struct bus_kafka *b)
{
    char buf[AVRO_WIRE_HEADER + AVRO_POSITIONS_MAX];
    for (int i = 0; i < b->n_pending; i++) {
        struct pending_record *p = b->pending[i];
        avro_wire_header_put(buf, b->schema_id);
        memcpy(buf + AVRO_WIRE_HEADER, p->body, p->len);
        produce(b, TOPIC_POSITIONS, p->key, buf, AVRO_WIRE_HEADER + p->len);
        free(p);
    }
    b->n_pending = 0;
    b->stats.awaiting_schema = 0;
}

static void start_register(struct bus_kafka *b);

static void register_timer_cb(uv_timer_t *t)
{
    start_register(t->data);
}

static void register_done(void *ctx, int status, int32_t id, const char *schema)
{
    struct bus_kafka *b = ctx;
    (void)schema;
    b->registering = false;
    if (status) {
        PW_WARN(b->log, "kafka", "registering %s failed (%s); retrying in %lld ms",
                AVRO_POSITIONS_SUBJECT, pw_strerror(status),
                (long long)b->register_backoff_ms);
        uv_timer_start(&b->register_timer, register_timer_cb,
                       (uint64_t)b->register_backoff_ms, 0);
        b->register_backoff_ms *= 2;
        if (b->register_backoff_ms > KAFKA_REGISTER_RETRY_MAX_MS)
            b->register_backoff_ms = KAFKA_REGISTER_RETRY_MAX_MS;
        return;
    }
    PW_INFO(b->log, "kafka", "schema %s registered, id %d", AVRO_POSITIONS_SUBJECT, (int)id);
    b->schema_id = id;
    avro_cache_put(&b->cache, id, avro_positions_schema_json);
    flush_pending(b);
}

static void start_register(struct bus_kafka *b)
{
    if (b->registering || b->schema_id >= 0 || b->destroyed)
        return;
    if (avro_registry_register(b->registry, AVRO_POSITIONS_SUBJECT, avro_positions_schema_json,
                               register_done, b) == 0)
        b->registering = true;
    else
        uv_timer_start(&b->register_timer, register_timer_cb,
                       (uint64_t)b->register_backoff_ms, 0);
}

static int publish_positions(struct bus_kafka *b, const struct pw_event *ev)
{
    char buf[AVRO_WIRE_HEADER + AVRO_POSITIONS_MAX];
    int rc = 0;
    if (!ev->state || ev->state->n_cars < 0 || ev->state->n_cars > PW_MAX_CARS)
        return -EINVAL;
    for (int i = 0; i < ev->state->n_cars; i++) {
        int n = avro_positions_encode(&b->ap, ev, i, buf + AVRO_WIRE_HEADER, AVRO_POSITIONS_MAX);
        if (n < 0)
            return n;
        if (b->schema_id >= 0) {
            avro_wire_header_put(buf, b->schema_id);
            int prc = produce(b, TOPIC_POSITIONS, ev->race_id, buf, AVRO_WIRE_HEADER + (size_t)n);
            if (prc && !rc)
                rc = prc;
            continue;
        }
        /* not registered yet: keep the body, the header follows once the id is known */
        if (b->n_pending == KAFKA_PENDING_MAX) {
            b->stats.delivery_failed++;
            rc = -ENOBUFS;
            continue;
        }
        struct pending_record *p = malloc(sizeof *p + (size_t)n);
        if (!p)
            return -ENOMEM;
        snprintf(p->key, sizeof p->key, "%s", ev->race_id);
        p->len = (size_t)n;
        memcpy(p->body, buf + AVRO_WIRE_HEADER, (size_t)n);
        b->pending[b->n_pending++] = p;
        b->stats.awaiting_schema = (uint64_t)b->n_pending;
    }
    if (b->schema_id < 0)
        start_register(b);
    return rc;
}

static int kafka_publish_event(struct pw_bus *bus, const struct pw_event *ev)
{
    struct bus_kafka *b = (struct bus_kafka *)bus;
    if (!ev || !ev->race_id[0])
        return -EINVAL;
    if (ev->type == PW_EV_POSITIONS)
        return publish_positions(b, ev);
    char *json = ev->type == PW_EV_COMMENTARY ? kafka_json_encode_commentary(ev)
                                              : kafka_json_encode_event(ev);
    if (!json)
        return -ENOMEM;
    int rc = produce(b, ev->type == PW_EV_COMMENTARY ? TOPIC_COMMENTARY : TOPIC_EVENTS,
                     ev->race_id, json, strlen(json));
    free(json);
    return rc;
}

static int kafka_publish_control(struct pw_bus *bus, const struct pw_control *ctl)
{
    struct bus_kafka *b = (struct bus_kafka *)bus;
    if (!ctl || !ctl->race_id[0])
        return -EINVAL;
    char *json = kafka_json_encode_control(ctl);
    if (!json)
        return -ENOMEM;
    int rc = produce(b, TOPIC_CONTROL, ctl->race_id, json, strlen(json));
    free(json);
    return rc;
}

/* ---- subscriptions ---- */

static int kafka_subscribe_events(struct pw_bus *bus, unsigned topics, pw_bus_event_fn fn,
                                  void *ctx)
{
    struct bus_kafka *b = (struct bus_kafka *)bus;
    if (!fn || (topics & PW_BUS_ALL) == 0)
        return -EINVAL;
    if (b->n_event_subs == KAFKA_MAX_SUBS)
        return -ENOSPC;
    enum client_kind want = (topics & PW_BUS_COMMENTARY) ? CLIENT_EDGE : CLIENT_WORKER;
    enum client_kind other = want == CLIENT_EDGE ? CLIENT_WORKER : CLIENT_EDGE;
    enum client_kind src = b->has_client[want] ? want : other;
    if (!b->has_client[src])
        PW_INFO(b->log, "kafka", "event subscriber without a consuming role: it gets nothing");
    b->event_subs[b->n_event_subs++] = (struct kafka_event_sub){topics, fn, ctx, src};
    return 0;
}

static int kafka_subscribe_control(struct pw_bus *bus, pw_bus_control_fn fn, void *ctx)
{
    struct bus_kafka *b = (struct bus_kafka *)bus;
    if (!fn)
        return -EINVAL;
    if (b->n_control_subs == KAFKA_MAX_SUBS)
        return -ENOSPC;
    b->control_subs[b->n_control_subs++] = (struct kafka_control_sub){fn, ctx};
    return 0;
}

static int max_brokers_up(const struct bus_kafka *b)
{
    int up = 0;
    for (int k = 0; k < CLIENT_COUNT; k++) {
        if (b->has_client[k] && b->clients[k].brokers_up > up)
            up = b->clients[k].brokers_up;
    }
    return up;
}

static int kafka_healthy(const struct pw_bus *bus)
{
    return max_brokers_up((const struct bus_kafka *)bus) > 0;
}

/* ---- creation and destruction ---- */

static void client_close(struct bus_kafka *b, struct kafka_client *c)
{
    uv_poll_stop(&c->poll);
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->poll, handle_closed);
    uv_close((uv_handle_t *)&c->timer, handle_closed);
    if (c->stalled)
        rd_kafka_message_destroy(c->stalled);
    c->stalled = NULL;
    if (c->kind == CLIENT_PRODUCER) {
        if (rd_kafka_flush(c->rk, KAFKA_CLOSE_FLUSH_MS))
            PW_WARN(b->log, "kafka", "%d message(s) undelivered at shutdown",
                    rd_kafka_outq_len(c->rk));
        for (int i = 0; i < 4; i++) {
            if (b->topics[i])
                rd_kafka_topic_destroy(b->topics[i]);
            b->topics[i] = NULL;
        }
    } else {
        kafka_watermarks_destroy(c->marks); /* joins its query: it uses c->rk */
        c->marks = NULL;
        rd_kafka_consumer_close(c->rk);
    }
    rd_kafka_queue_io_event_enable(c->queue, -1, NULL, 0);
    rd_kafka_queue_destroy(c->queue);
    rd_kafka_destroy(c->rk);
    kafka_stream_destroy(c->stream);
    close(c->pipe_fds[0]);
    close(c->pipe_fds[1]);
}

static void kafka_destroy(struct pw_bus *bus)
{
    struct bus_kafka *b = (struct bus_kafka *)bus;
    b->destroyed = true;
    /* consumers first: nothing they deliver can reach a producer that is gone */
    for (int k = CLIENT_COUNT - 1; k >= 0; k--) {
        if (b->has_client[k])
            client_close(b, &b->clients[k]);
    }
    avro_registry_destroy(b->registry);
    avro_cache_clear(&b->cache);
    avro_positions_destroy(&b->ap);
    for (int i = 0; i < b->n_pending; i++)
        free(b->pending[i]);
    b->n_pending = 0;
    uv_timer_stop(&b->register_timer);
    uv_close((uv_handle_t *)&b->register_timer, handle_closed);
    uv_timer_stop(&b->fetch_timer);
    uv_close((uv_handle_t *)&b->fetch_timer, handle_closed);
}

static const struct pw_bus_ops kafka_ops = {
    .publish_event = kafka_publish_event,
    .publish_control = kafka_publish_control,
    .subscribe_events = kafka_subscribe_events,
    .subscribe_control = kafka_subscribe_control,
    .healthy = kafka_healthy,
    .destroy = kafka_destroy,
};

/* A group id of its own for an edge: every edge reads every partition from the start. */
static void edge_group(const struct bus_kafka_config *cfg, char *buf, size_t len)
{
    char host[64] = "host";
    unsigned rnd = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &rnd, sizeof rnd) != (ssize_t)sizeof rnd)
            rnd = 0;
        close(fd);
    }
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    snprintf(buf, len, "%s-edge-%s-%d-%08x", cfg->consumer_group, host, (int)getpid(), rnd);
}

static int client_open(struct bus_kafka *b, const struct bus_kafka_config *cfg,
                       enum client_kind kind)
{
    struct kafka_client *c = &b->clients[kind];
    char err[512], group[256];
    rd_kafka_conf_t *conf = NULL;
    const char *common[] = {"statistics.interval.ms", "1000", "log.queue", "true", NULL};
    const char *producer[] = {"enable.idempotence", "true", "acks", "all", "linger.ms", "5",
                              NULL};
    const char *consumer[] = {"enable.partition.eof", "false",
                              "partition.assignment.strategy", "range",
                              "group.id", group,
                              /* every group reads a new group's life from the start:
                               * what is older than the process is skipped in
                               * handle_message (min_timestamp_ms) */
                              "auto.offset.reset", "earliest",
                              "enable.auto.commit", kind == CLIENT_EDGE ? "false" : "true",
                              NULL};
    int rc;

    c->bus = b;
    c->kind = kind;
    c->pipe_fds[0] = c->pipe_fds[1] = -1;
    /* A runner or commentary group that has no committed offsets yet (first start)
     * reads from the beginning but skips what was written before this process started
     * (minus a grace): a request sent while the group was still joining is not lost, and
     * old races are not run or commented again. */
    c->min_timestamp_ms = kind == CLIENT_RUNNER || kind == CLIENT_WORKER
                              ? pw_now_ms() - KAFKA_STALE_GRACE_MS
                              : 0;
    if (kind == CLIENT_EDGE)
        edge_group(cfg, group, sizeof group);
    else
        snprintf(group, sizeof group, "%s-%s", cfg->consumer_group,
                 kind == CLIENT_RUNNER ? "runner" : "commentary");
    rc = kafka_conf_build(cfg, common, err, sizeof err, &conf);
    if (!rc) {
        const char *const *extra = kind == CLIENT_PRODUCER ? producer : consumer;
        for (int i = 0; extra[i] && !rc; i += 2) {
            char why[256];
            if (rd_kafka_conf_set(conf, extra[i], extra[i + 1], why, sizeof why)) {
                snprintf(err, sizeof err, "%s: %s", extra[i], why);
                rc = -EINVAL;
            }
        }
    }
    if (rc) {
        PW_ERROR(b->log, "kafka", "%s", err);
        if (conf)
            rd_kafka_conf_destroy(conf);
        return rc;
    }
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_stats_cb(conf, on_stats);
    rd_kafka_conf_set_log_cb(conf, on_log);
    if (kind == CLIENT_PRODUCER)
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    c->rk = rd_kafka_new(kind == CLIENT_PRODUCER ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf,
                         err, sizeof err);
    if (!c->rk) {
        rd_kafka_conf_destroy(conf);
        PW_ERROR(b->log, "kafka", "%s client: %s", client_names[kind], err);
        return -EINVAL;
    }
    rd_kafka_set_log_queue(c->rk, NULL); /* logs come to the main queue: our thread */
    if (kind == CLIENT_PRODUCER) {
        c->queue = rd_kafka_queue_get_main(c->rk);
    } else {
        rd_kafka_poll_set_consumer(c->rk);
        c->queue = rd_kafka_queue_get_consumer(c->rk);
    }
    if (pipe(c->pipe_fds)) {
        rc = -errno;
        c->pipe_fds[0] = c->pipe_fds[1] = -1;
        goto fail;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(c->pipe_fds[i], F_SETFL, fcntl(c->pipe_fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(c->pipe_fds[i], F_SETFD, FD_CLOEXEC);
    }
    rd_kafka_queue_io_event_enable(c->queue, c->pipe_fds[1], "1", 1);
    if (kind != CLIENT_PRODUCER) {
        rc = kafka_stream_create(cfg->hold_ms, deliver_event, c, b->log, &c->stream);
        if (!rc)
            rc = kafka_watermarks_create(b->loop, c->rk, b->log, &c->marks);
        if (rc)
            goto fail;
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(3);
        if (kind == CLIENT_RUNNER) {
            rd_kafka_topic_partition_list_add(list, cfg->topic_control, RD_KAFKA_PARTITION_UA);
        } else {
            rd_kafka_topic_partition_list_add(list, cfg->topic_positions,
                                              RD_KAFKA_PARTITION_UA);
            rd_kafka_topic_partition_list_add(list, cfg->topic_events, RD_KAFKA_PARTITION_UA);
            if (kind == CLIENT_EDGE)
                rd_kafka_topic_partition_list_add(list, cfg->topic_commentary,
                                                  RD_KAFKA_PARTITION_UA);
        }
        rd_kafka_resp_err_t e = rd_kafka_subscribe(c->rk, list);
        rd_kafka_topic_partition_list_destroy(list);
        if (e) {
            PW_ERROR(b->log, "kafka", "subscribe: %s", rd_kafka_err2str(e));
            rc = -EINVAL;
            goto fail;
        }
    }
    uv_poll_init(b->loop, &c->poll, c->pipe_fds[0]);
    uv_timer_init(b->loop, &c->timer);
    c->poll.data = b;
    c->timer.data = b;
    b->open_handles += 2;
    uv_poll_start(&c->poll, UV_READABLE, client_poll_cb);
    uv_timer_start(&c->timer, client_timer_cb, KAFKA_TIMER_MS, KAFKA_TIMER_MS);
    b->has_client[kind] = true;
    PW_INFO(b->log, "kafka", "%s client started%s%s", client_names[kind],
            kind == CLIENT_PRODUCER ? "" : ", group ", kind == CLIENT_PRODUCER ? "" : group);
    return 0;
fail:
    kafka_watermarks_destroy(c->marks); /* before c->rk, which it borrows */
    if (c->queue)
        rd_kafka_queue_destroy(c->queue);
    rd_kafka_destroy(c->rk);
    kafka_stream_destroy(c->stream);
    if (c->pipe_fds[0] >= 0) {
        close(c->pipe_fds[0]);
        close(c->pipe_fds[1]);
    }
    memset(c, 0, sizeof *c);
    return rc;
}

static char *dup_name(const char *s, const char *def)
{
    return strdup(s && *s ? s : def);
}

int bus_kafka_create(uv_loop_t *loop, const struct bus_kafka_config *cfg, unsigned roles,
                     const struct pw_log *log, struct pw_bus **out)
{
    struct bus_kafka_config defaults;
    int rc;
    if (!loop || !cfg || !out || (roles & BUS_KAFKA_ALL) == 0 || (roles & ~BUS_KAFKA_ALL))
        return -EINVAL;
    if (!kafka_conf_find(cfg, "bootstrap.servers")) {
        PW_ERROR(log, "kafka", "kafka: bootstrap.servers is not set");
        return -EINVAL;
    }
    if (!cfg->schema_registry_url || !*cfg->schema_registry_url) {
        PW_ERROR(log, "kafka", "kafka: schema_registry_url is not set");
        return -EINVAL;
    }
    bus_kafka_config_defaults(&defaults);
    struct bus_kafka *b = calloc(1, sizeof *b);
    if (!b)
        return -ENOMEM;
    b->base.ops = &kafka_ops;
    b->loop = loop;
    b->log = log;
    b->roles = roles;
    b->schema_id = -1;
    b->fetching_id = -1;
    b->register_backoff_ms = KAFKA_REGISTER_RETRY_MS;
    b->topic_names[TOPIC_POSITIONS] = dup_name(cfg->topic_positions, defaults.topic_positions);
    b->topic_names[TOPIC_COMMENTARY] =
        dup_name(cfg->topic_commentary, defaults.topic_commentary);
    b->topic_names[TOPIC_EVENTS] = dup_name(cfg->topic_events, defaults.topic_events);
    b->topic_names[TOPIC_CONTROL] = dup_name(cfg->topic_control, defaults.topic_control);
    b->pending = calloc(KAFKA_PENDING_MAX, sizeof *b->pending);
    for (int i = 0; i < 4; i++) {
        if (!b->topic_names[i]) {
            bus_free(b);
            return -ENOMEM;
        }
    }
    if (!b->pending) {
        bus_free(b);
        return -ENOMEM;
    }
    /* from here on, everything is undone by kafka_destroy */
    struct bus_kafka_config eff = *cfg;
    eff.topic_positions = b->topic_names[TOPIC_POSITIONS];
    eff.topic_commentary = b->topic_names[TOPIC_COMMENTARY];
    eff.topic_events = b->topic_names[TOPIC_EVENTS];
    eff.topic_control = b->topic_names[TOPIC_CONTROL];
    if (!eff.consumer_group || !*eff.consumer_group)
        eff.consumer_group = defaults.consumer_group;
    if (eff.hold_ms <= 0)
        eff.hold_ms = defaults.hold_ms;

    uv_timer_init(loop, &b->register_timer);
    b->register_timer.data = b;
    uv_timer_init(loop, &b->fetch_timer);
    b->fetch_timer.data = b;
    b->open_handles = 2;
    b->retry_id = -1;
    b->fetch_backoff_ms = KAFKA_FETCH_RETRY_MS;
    rc = avro_positions_init(&b->ap);
    if (rc)
        goto fail;
    rc = avro_registry_create(loop, cfg->schema_registry_url, cfg->schema_registry_api_key,
                              cfg->schema_registry_secret, log, &b->registry);
    if (rc) {
        PW_ERROR(log, "kafka", "schema registry: %s", pw_strerror(rc));
        goto fail;
    }
    rc = client_open(b, &eff, CLIENT_PRODUCER);
    if (rc)
        goto fail;
    for (int i = 0; i < 4; i++) {
        b->topics[i] = rd_kafka_topic_new(b->clients[CLIENT_PRODUCER].rk, b->topic_names[i],
                                          NULL);
        if (!b->topics[i]) {
            rc = -ENOMEM;
            goto fail;
        }
    }
    if ((roles & BUS_KAFKA_RUNNER) && (rc = client_open(b, &eff, CLIENT_RUNNER)))
        goto fail;
    if ((roles & BUS_KAFKA_COMMENTARY) && (rc = client_open(b, &eff, CLIENT_WORKER)))
        goto fail;
    if ((roles & BUS_KAFKA_EDGE) && (rc = client_open(b, &eff, CLIENT_EDGE)))
        goto fail;
    if (roles & BUS_KAFKA_RUNNER)
        start_register(b);
    *out = &b->base;
    return 0;
fail:
    kafka_destroy(&b->base);
    return rc;
}

void bus_kafka_get_stats(const struct pw_bus *bus, struct bus_kafka_stats *out)
{
    const struct bus_kafka *b = (const struct bus_kafka *)bus;
    *out = b->stats;
    out->brokers_up = max_brokers_up(b);
    for (int k = 0; k < CLIENT_COUNT; k++) {
        struct kafka_stream_stats s;
        if (!b->has_client[k] || !b->clients[k].stream)
            continue;
        kafka_stream_get_stats(b->clients[k].stream, &s);
        out->ticks_incomplete += s.ticks_incomplete;
        out->seq_gaps += s.seq_gaps;
        out->duplicates += s.duplicates;
    }
}

int bus_kafka_format_metrics(const struct pw_bus *bus, char *buf, size_t len)
{
    struct bus_kafka_stats s;
    const struct bus_kafka *b = (const struct bus_kafka *)bus;
    uint64_t reg_requests, reg_failed;
    bus_kafka_get_stats(bus, &s);
    avro_registry_counts(b->registry, &reg_requests, &reg_failed);
    int n = snprintf(
        buf, len,
        "# HELP pitwall_kafka_produced_total Messages the brokers acknowledged.\n"
        "# TYPE pitwall_kafka_produced_total counter\n"
        "pitwall_kafka_produced_total %llu\n"
        "# HELP pitwall_kafka_delivery_failed_total Messages that could not be delivered.\n"
        "# TYPE pitwall_kafka_delivery_failed_total counter\n"
        "pitwall_kafka_delivery_failed_total %llu\n"
        "# HELP pitwall_kafka_consumed_total Messages consumed.\n"
        "# TYPE pitwall_kafka_consumed_total counter\n"
        "pitwall_kafka_consumed_total %llu\n"
        "# HELP pitwall_kafka_poison_total Messages skipped as unreadable, by reason.\n"
        "# TYPE pitwall_kafka_poison_total counter\n"
        "pitwall_kafka_poison_total{reason=\"bad_magic\"} %llu\n"
        "pitwall_kafka_poison_total{reason=\"unknown_schema\"} %llu\n"
        "pitwall_kafka_poison_total{reason=\"bad_avro\"} %llu\n"
        "pitwall_kafka_poison_total{reason=\"bad_json\"} %llu\n"
        "pitwall_kafka_poison_total{reason=\"other\"} %llu\n"
        "# HELP pitwall_kafka_ticks_incomplete_total Positions ticks missing records.\n"
        "# TYPE pitwall_kafka_ticks_incomplete_total counter\n"
        "pitwall_kafka_ticks_incomplete_total %llu\n"
        "# HELP pitwall_kafka_seq_gaps_total Race events never received, skipped.\n"
        "# TYPE pitwall_kafka_seq_gaps_total counter\n"
        "pitwall_kafka_seq_gaps_total %llu\n"
        "# HELP pitwall_kafka_duplicates_total Race events received twice, dropped.\n"
        "# TYPE pitwall_kafka_duplicates_total counter\n"
        "pitwall_kafka_duplicates_total %llu\n"
        "# HELP pitwall_kafka_stale_skipped_total Group messages older than this process.\n"
        "# TYPE pitwall_kafka_stale_skipped_total counter\n"
        "pitwall_kafka_stale_skipped_total %llu\n"
        "# HELP pitwall_kafka_pushed_back_total Messages rewound: their race held enough.\n"
        "# TYPE pitwall_kafka_pushed_back_total counter\n"
        "pitwall_kafka_pushed_back_total %llu\n"
        "# HELP pitwall_kafka_awaiting_schema Positions records waiting for the schema id.\n"
        "# TYPE pitwall_kafka_awaiting_schema gauge\n"
        "pitwall_kafka_awaiting_schema %llu\n"
        "# HELP pitwall_kafka_registry_requests_total Schema Registry requests, by result.\n"
        "# TYPE pitwall_kafka_registry_requests_total counter\n"
        "pitwall_kafka_registry_requests_total{result=\"all\"} %llu\n"
        "pitwall_kafka_registry_requests_total{result=\"failed\"} %llu\n"
        "# HELP pitwall_kafka_brokers_up Brokers connected.\n"
        "# TYPE pitwall_kafka_brokers_up gauge\n"
        "pitwall_kafka_brokers_up %d\n",
        (unsigned long long)s.produced, (unsigned long long)s.delivery_failed,
        (unsigned long long)s.consumed, (unsigned long long)s.poison_bad_magic,
        (unsigned long long)s.poison_unknown_schema, (unsigned long long)s.poison_bad_avro,
        (unsigned long long)s.poison_bad_json, (unsigned long long)s.poison_other,
        (unsigned long long)s.ticks_incomplete, (unsigned long long)s.seq_gaps,
        (unsigned long long)s.duplicates, (unsigned long long)s.stale_skipped,
        (unsigned long long)s.pushed_back,
        (unsigned long long)s.awaiting_schema,
        (unsigned long long)reg_requests, (unsigned long long)reg_failed, s.brokers_up);
    if (n < 0 || (size_t)n >= len)
        return -ENOSPC;
    return n;
}
