/* One librdkafka client per role (producer, runner, commentary, edge): its configuration,
 * its callbacks (served on the loop thread by rd_kafka_poll/consumer_poll) and the libuv
 * handles that wake it: librdkafka writes to a pipe when its queue becomes non-empty. */
#include "bus/kafka/kafka_bus_internal.h"

#include "bus/kafka/kafka_conf.h"
#include "core/error.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const kafka_client_names[CLIENT_COUNT] = {"producer", "runner", "commentary", "edge"};

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
            PW_WARN(b->log, "kafka", "%s: all brokers down", kafka_client_names[c->kind]);
        c->brokers_up = 0;
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[256];
        rd_kafka_fatal_error(rk, why, sizeof why);
        PW_ERROR(b->log, "kafka", "%s: fatal: %s", kafka_client_names[c->kind], why);
        return;
    }
    PW_WARN(b->log, "kafka", "%s: %s: %s", kafka_client_names[c->kind],
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
            PW_INFO(c->bus->log, "kafka", "%s: %d broker(s) up", kafka_client_names[c->kind], up);
        c->brokers_up = up;
    }
    json_decref(doc);
    return 0; /* librdkafka frees json */
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    struct kafka_client *c = rd_kafka_opaque(rk);
    enum pw_log_level lv = level <= 2   ? PW_LOG_ERROR
                           : level <= 4 ? PW_LOG_WARN
                           : level <= 6 ? PW_LOG_INFO
                                        : PW_LOG_DEBUG;
    pw_log_write(c ? c->bus->log : NULL, lv, "rdkafka", "%s: %s", fac, buf);
}

void kafka_client_close(struct bus_kafka *b, struct kafka_client *c)
{
    uv_poll_stop(&c->poll);
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->poll, kafka_bus_handle_closed);
    uv_close((uv_handle_t *)&c->timer, kafka_bus_handle_closed);
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

int kafka_client_open(struct bus_kafka *b, const struct bus_kafka_config *cfg,
                      enum client_kind kind)
{
    struct kafka_client *c = &b->clients[kind];
    char err[512], group[256];
    rd_kafka_conf_t *conf = NULL;
    const char *common[] = {"statistics.interval.ms", "1000", "log.queue", "true", NULL};
    const char *consumer[] = {"enable.partition.eof", "false", "partition.assignment.strategy",
                              "range", "group.id", group,
                              /* every group reads a new group's life from the start:
                               * what is older than the process is skipped in
                               * handle_message (min_timestamp_ms) */
                              "auto.offset.reset", "earliest", "enable.auto.commit",
                              kind == CLIENT_EDGE ? "false" : "true", NULL};
    int rc;

    c->bus = b;
    c->kind = kind;
    c->pipe_fds[0] = c->pipe_fds[1] = -1;
    /* A runner or commentary group that has no committed offsets yet (first start)
     * reads from the beginning but skips what was written before this process started
     * (minus a grace): a request sent while the group was still joining is not lost, and
     * old races are not run or commented again. */
    c->min_timestamp_ms =
        kind == CLIENT_RUNNER || kind == CLIENT_WORKER ? pw_now_ms() - KAFKA_STALE_GRACE_MS : 0;
    if (kind == CLIENT_EDGE)
        kafka_conf_own_group(cfg, "edge", group, sizeof group);
    else
        snprintf(group, sizeof group, "%s-%s", cfg->consumer_group,
                 kind == CLIENT_RUNNER ? "runner" : "commentary");
    rc = kafka_conf_build(cfg, common, err, sizeof err, &conf);
    if (!rc) {
        const char *const *extra = kind == CLIENT_PRODUCER ? kafka_conf_producer : consumer;
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
    c->rk = rd_kafka_new(kind == CLIENT_PRODUCER ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf, err,
                         sizeof err);
    if (!c->rk) {
        rd_kafka_conf_destroy(conf);
        PW_ERROR(b->log, "kafka", "%s client: %s", kafka_client_names[kind], err);
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
        rc = kafka_stream_create(cfg->hold_ms, kafka_consume_deliver, c, b->log, &c->stream);
        if (!rc)
            rc = kafka_watermarks_create(b->loop, c->rk, b->log, &c->marks);
        if (rc)
            goto fail;
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(3);
        if (kind == CLIENT_RUNNER) {
            rd_kafka_topic_partition_list_add(list, cfg->topic_control, RD_KAFKA_PARTITION_UA);
        } else {
            rd_kafka_topic_partition_list_add(list, cfg->topic_positions, RD_KAFKA_PARTITION_UA);
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
    uv_poll_start(&c->poll, UV_READABLE, kafka_client_poll_cb);
    uv_timer_start(&c->timer, kafka_client_timer_cb, KAFKA_TIMER_MS, KAFKA_TIMER_MS);
    b->has_client[kind] = true;
    PW_INFO(b->log, "kafka", "%s client started%s%s", kafka_client_names[kind],
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
