#include "telemetry/tel_kafka.h"

#include "bus/kafka/kafka_conf.h"
#include "core/error.h"
#include "telemetry/tel_json.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVE_MS 20
#define MAX_PER_TURN 2000

struct tel_kafka {
    uv_loop_t *loop;
    const struct pw_log *log;
    char topic[128];
    rd_kafka_t *producer, *consumer;
    uv_timer_t *timer; /* heap: closed asynchronously */
    pw_telemetry_fn on_frame;
    void *frame_ctx;
    struct tel_kafka_stats stats;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct tel_kafka *tk = opaque;
    (void)rk;
    if (m->err) {
        if (tk->stats.delivery_failed++ == 0)
            PW_WARN(tk->log, "telemetry", "delivery to %s failed: %s", tk->topic,
                    rd_kafka_err2str(m->err));
    }
}

static void handle(struct tel_kafka *tk, const rd_kafka_message_t *m)
{
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            PW_DEBUG(tk->log, "telemetry", "consumer: %s", rd_kafka_message_errstr(m));
        return;
    }
    struct pw_telemetry t;
    int rc = tel_json_decode(m->payload, m->len, &t);
    if (rc < 0) {
        tk->stats.poison++;
        PW_WARN(tk->log, "telemetry", "skipped poison record %s [%d] offset %lld: %s", tk->topic,
                (int)m->partition, (long long)m->offset,
                rc == PW_ERANGE_IN ? "a value out of range" : "not a telemetry record");
        return;
    }
    tk->stats.consumed++;
    tk->on_frame(tk->frame_ctx, &t);
}

static void on_serve(uv_timer_t *timer)
{
    struct tel_kafka *tk = timer->data;
    if (tk->producer)
        rd_kafka_poll(tk->producer, 0);
    for (int i = 0; tk->consumer && i < MAX_PER_TURN; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(tk->consumer, 0);
        if (!m)
            break;
        handle(tk, m);
        rd_kafka_message_destroy(m);
    }
}

static rd_kafka_t *open_client(struct tel_kafka *tk, const struct bus_kafka_config *cfg,
                               rd_kafka_type_t type, const char *const *extra)
{
    char err[512];
    rd_kafka_conf_t *conf = NULL;
    int rc = kafka_conf_build(cfg, extra, err, sizeof err, &conf);
    if (rc < 0) {
        PW_ERROR(tk->log, "telemetry", "%s", err);
        return NULL;
    }
    rd_kafka_conf_set_opaque(conf, tk);
    if (type == RD_KAFKA_PRODUCER)
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        PW_ERROR(tk->log, "telemetry", "%s", err);
    }
    return rk;
}

int tel_kafka_create(uv_loop_t *loop, const struct bus_kafka_config *cfg, const char *topic,
                     bool produce, pw_telemetry_fn on_frame, void *frame_ctx,
                     const struct pw_log *log, struct tel_kafka **out)
{
    int rc = -ENOMEM;
    struct tel_kafka *tk = calloc(1, sizeof *tk);
    if (!tk)
        return rc;
    tk->loop = loop;
    tk->log = log;
    tk->on_frame = on_frame;
    tk->frame_ctx = frame_ctx;
    snprintf(tk->topic, sizeof tk->topic, "%s", topic && *topic ? topic : TEL_KAFKA_TOPIC);
    tk->timer = calloc(1, sizeof *tk->timer);
    if (!tk->timer)
        goto fail;
    rc = -EINVAL;
    if (produce) {
        /* the bus's producer settings: with more than one request in flight librdkafka
         * 2.0 loses messages after NOT_LEADER (kafka_conf.c) */
        if (!(tk->producer = open_client(tk, cfg, RD_KAFKA_PRODUCER, kafka_conf_producer)))
            goto fail;
    }
    if (on_frame) {
        char group[256];
        /* every edge judges every reading */
        kafka_conf_own_group(cfg, "telemetry", group, sizeof group);
        const char *extra[] = {"group.id",
                               group,
                               "auto.offset.reset",
                               "earliest",
                               "enable.auto.commit",
                               "false",
                               "allow.auto.create.topics",
                               "true",
                               NULL};
        if (!(tk->consumer = open_client(tk, cfg, RD_KAFKA_CONSUMER, extra)))
            goto fail;
        rd_kafka_poll_set_consumer(tk->consumer);
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(list, tk->topic, RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t err = rd_kafka_subscribe(tk->consumer, list);
        rd_kafka_topic_partition_list_destroy(list);
        if (err) {
            PW_ERROR(log, "telemetry", "subscribe to %s: %s", tk->topic, rd_kafka_err2str(err));
            goto fail;
        }
    }
    uv_timer_init(loop, tk->timer);
    tk->timer->data = tk;
    uv_timer_start(tk->timer, on_serve, SERVE_MS, SERVE_MS);
    *out = tk;
    return 0;
fail:
    if (tk->consumer)
        rd_kafka_destroy(tk->consumer);
    if (tk->producer)
        rd_kafka_destroy(tk->producer);
    free(tk->timer);
    free(tk);
    return rc;
}

void tel_kafka_publish(void *ctx, const struct pw_telemetry *t)
{
    struct tel_kafka *tk = ctx;
    if (!tk->producer)
        return;
    for (int i = 0; i < t->n_cars; i++) {
        char *value = tel_json_encode(t, i);
        if (!value) {
            tk->stats.delivery_failed++;
            continue;
        }
        rd_kafka_resp_err_t err = rd_kafka_producev(
            tk->producer, RD_KAFKA_V_TOPIC(tk->topic),
            RD_KAFKA_V_KEY(t->race_id, strlen(t->race_id)), RD_KAFKA_V_VALUE(value, strlen(value)),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(t->wall_ms),
            RD_KAFKA_V_END);
        free(value);
        if (err) {
            if (tk->stats.delivery_failed++ == 0)
                PW_WARN(tk->log, "telemetry", "enqueue to %s failed: %s", tk->topic,
                        rd_kafka_err2str(err));
            continue;
        }
        tk->stats.produced++;
    }
}

static void free_handle(uv_handle_t *h)
{
    free(h);
}

void tel_kafka_destroy(struct tel_kafka *tk)
{
    if (!tk)
        return;
    uv_timer_stop(tk->timer);
    uv_close((uv_handle_t *)tk->timer, free_handle);
    if (tk->consumer) {
        rd_kafka_consumer_close(tk->consumer);
        rd_kafka_destroy(tk->consumer);
    }
    if (tk->producer) {
        rd_kafka_flush(tk->producer, 2000);
        rd_kafka_destroy(tk->producer);
    }
    free(tk);
}

void tel_kafka_get_stats(const struct tel_kafka *tk, struct tel_kafka_stats *out)
{
    *out = tk->stats;
}

int tel_kafka_format_metrics(const void *ctx, char *buf, size_t len)
{
    const struct tel_kafka_stats *s = &((const struct tel_kafka *)ctx)->stats;
    int n = snprintf(buf, len,
                     "# TYPE pitwall_telemetry_kafka_produced_total counter\n"
                     "pitwall_telemetry_kafka_produced_total %llu\n"
                     "pitwall_telemetry_kafka_delivery_failed_total %llu\n"
                     "pitwall_telemetry_kafka_consumed_total %llu\n"
                     "pitwall_telemetry_kafka_poison_total %llu\n",
                     (unsigned long long)s->produced, (unsigned long long)s->delivery_failed,
                     (unsigned long long)s->consumed, (unsigned long long)s->poison);
    return n >= 0 && (size_t)n < len ? n : -ENOSPC;
}
