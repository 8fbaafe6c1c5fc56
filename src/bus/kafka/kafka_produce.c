/* Writing: race events and control as JSON, positions as one Avro record per car in the
 * Confluent wire format. Until the positions schema is registered its records wait in
 * b->pending (bounded) and go out, in order, once the id is known. */
#include "bus/kafka/kafka_bus_internal.h"

#include "bus/kafka/kafka_json.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int produce(struct bus_kafka *b, int topic, const char *key, const void *value, size_t len)
{
    rd_kafka_resp_err_t err =
        rd_kafka_producev(b->clients[CLIENT_PRODUCER].rk, RD_KAFKA_V_RKT(b->topics[topic]),
                          RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_VALUE((void *)value, len),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err) {
        b->stats.delivery_failed++;
        PW_WARN(b->log, "kafka", "produce to %s: %s", b->topic_names[topic], rd_kafka_err2str(err));
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

static void register_timer_cb(uv_timer_t *t)
{
    kafka_produce_register(t->data);
}

static void register_done(void *ctx, int status, int32_t id, const char *schema)
{
    struct bus_kafka *b = ctx;
    (void)schema;
    b->registering = false;
    if (status) {
        PW_WARN(b->log, "kafka", "registering %s failed (%s); retrying in %lld ms",
                AVRO_POSITIONS_SUBJECT, pw_strerror(status), (long long)b->register_backoff_ms);
        uv_timer_start(&b->register_timer, register_timer_cb, (uint64_t)b->register_backoff_ms, 0);
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

void kafka_produce_register(struct bus_kafka *b)
{
    if (b->registering || b->schema_id >= 0 || b->destroyed)
        return;
    if (avro_registry_register(b->registry, AVRO_POSITIONS_SUBJECT, avro_positions_schema_json,
                               register_done, b) == 0)
        b->registering = true;
    else
        uv_timer_start(&b->register_timer, register_timer_cb, (uint64_t)b->register_backoff_ms, 0);
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
        kafka_produce_register(b);
    return rc;
}

int kafka_produce_event(struct pw_bus *bus, const struct pw_event *ev)
{
    struct bus_kafka *b = (struct bus_kafka *)bus;
    if (!ev || !ev->race_id[0])
        return -EINVAL;
    if (ev->type == PW_EV_POSITIONS)
        return publish_positions(b, ev);
    bool commentary = pw_event_is_commentary(ev->type);
    char *json = commentary ? kafka_json_encode_commentary(ev) : kafka_json_encode_event(ev);
    if (!json)
        return -ENOMEM;
    int rc =
        produce(b, commentary ? TOPIC_COMMENTARY : TOPIC_EVENTS, ev->race_id, json, strlen(json));
    free(json);
    return rc;
}

int kafka_produce_control(struct pw_bus *bus, const struct pw_control *ctl)
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
