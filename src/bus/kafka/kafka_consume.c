/* Reading the race and control topics: each message is decoded (Avro positions after its
 * schema is fetched, JSON otherwise), handed to the client's kafka_stream, which restores
 * seq order per race, or to the control subscribers. Poison is counted and skipped; a
 * message whose race can hold no more is pushed back (its partition paused and rewound). */
#include "bus/kafka/kafka_bus_internal.h"

#include "bus/kafka/kafka_json.h"
#include "core/error.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void kafka_consume_deliver(void *ctx, const struct pw_event *ev)
{
    struct kafka_client *c = ctx;
    struct bus_kafka *b = c->bus;
    unsigned topic = pw_event_is_commentary(ev->type) ? PW_BUS_COMMENTARY : PW_BUS_RACE;
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
    int rc = avro_positions_decode_with(&e->value, &e->layout, e->reader, body, body_len, &rec);
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

static int handle_json(struct kafka_client *c, const rd_kafka_message_t *m, int topic, int64_t now)
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
        rc = kafka_json_decode_event(m->payload, m->len, &ev, &tmp->meta, &has_meta, &tmp->state,
                                     &has_state);
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
            PW_WARN(b->log, "kafka", "%s: consume: %s", kafka_client_names[c->kind],
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
            kafka_client_schedule_drain(c); /* more waiting: continue after other loop work */
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
            PW_WARN(b->log, "kafka", "schema id %d is not a readable LeaderboardUpdate", (int)id);
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
        kafka_client_schedule_drain(c);
    }
}

void kafka_client_poll_cb(uv_poll_t *h, int status, int events)
{
    struct kafka_client *c =
        (struct kafka_client *)((char *)h - offsetof(struct kafka_client, poll));
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

void kafka_client_timer_cb(uv_timer_t *t)
{
    struct kafka_client *c =
        (struct kafka_client *)((char *)t - offsetof(struct kafka_client, timer));
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

void kafka_client_schedule_drain(struct kafka_client *c)
{
    uv_timer_start(&c->timer, kafka_client_timer_cb, 0, KAFKA_TIMER_MS);
}
