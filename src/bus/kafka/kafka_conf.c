#include "bus/kafka/kafka_conf.h"

#include "core/error.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* One produce request in flight at a time. With more, a request sent while an earlier one is
 * failing with NOT_LEADER (a fresh topic, a leader change) can be written ahead of it: the
 * broker takes a producer's first batch on a partition at any sequence, and librdkafka 2.0
 * then reports the failed batch as "implicitly acked" by the later success. Its messages are
 * counted delivered and never written. One in flight keeps the retry ahead of what follows. */
const char *const kafka_conf_producer[] = {"enable.idempotence",
                                           "true",
                                           "acks",
                                           "all",
                                           "linger.ms",
                                           "5",
                                           "max.in.flight.requests.per.connection",
                                           "1",
                                           NULL};

void bus_kafka_config_defaults(struct bus_kafka_config *c)
{
    memset(c, 0, sizeof *c);
    c->topic_positions = "f1-driver-positions";
    c->topic_commentary = "f1-commentary";
    c->topic_events = "pitwall-race-events";
    c->topic_control = "pitwall-race-control";
    c->consumer_group = "f1-leaderboard-consumer";
    /* long: the brokers' "read to the end" cannot see what a producer still holds (positions
     * waiting for the registry, retries), so time covers that; real losses are given up at
     * once when both topics move past them (kafka_stream.h) */
    c->hold_ms = 30000;
}

const char *kafka_conf_find(const struct bus_kafka_config *cfg, const char *key)
{
    for (int i = 0; i < cfg->n_props && i < BUS_KAFKA_MAX_PROPS; i++) {
        if (cfg->props[i].key && !strcmp(cfg->props[i].key, key) && cfg->props[i].value &&
            cfg->props[i].value[0])
            return cfg->props[i].value;
    }
    return NULL;
}

void kafka_conf_own_group(const struct bus_kafka_config *cfg, const char *role, char *buf,
                          size_t len)
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
    snprintf(buf, len, "%s-%s-%s-%d-%08x", cfg->consumer_group, role, host, (int)getpid(), rnd);
}

static int conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                    size_t errlen)
{
    char why[256];
    if (rd_kafka_conf_set(conf, key, value, why, sizeof why) != RD_KAFKA_CONF_OK) {
        snprintf(err, errlen, "kafka property '%s' refused: %s", key, why);
        return -EINVAL;
    }
    return 0;
}

int kafka_conf_build(const struct bus_kafka_config *cfg, const char *const *overrides, char *err,
                     size_t errlen, rd_kafka_conf_t **out)
{
    int rc = 0;
    if (cfg->n_props < 0 || cfg->n_props > BUS_KAFKA_MAX_PROPS) {
        snprintf(err, errlen, "too many kafka properties (%d)", cfg->n_props);
        return -EINVAL;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf)
        return -ENOMEM;
    for (int i = 0; i < cfg->n_props && !rc; i++) {
        if (!cfg->props[i].key || !cfg->props[i].value) {
            snprintf(err, errlen, "kafka property %d has no key or value", i);
            rc = -EINVAL;
        } else {
            rc = conf_set(conf, cfg->props[i].key, cfg->props[i].value, err, errlen);
        }
    }
    for (int i = 0; overrides && overrides[i] && !rc; i += 2)
        rc = conf_set(conf, overrides[i], overrides[i + 1], err, errlen);
    if (rc) {
        rd_kafka_conf_destroy(conf);
        return rc;
    }
    *out = conf;
    return 0;
}

/* The three race topics must have the same partition count: a commentary worker owns a
 * race only if it gets the same partition of each (range assignor, key = race id). Topics
 * made by hand (Confluent Cloud) may not; say so rather than comment half a race. */
static int check_copartitioned(rd_kafka_t *rk, const char *const names[4], int timeout_ms,
                               const struct pw_log *log)
{
    const struct rd_kafka_metadata *md = NULL;
    int counts[3] = {0, 0, 0};
    if (rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        PW_WARN(log, "kafka", "could not read topic metadata to check partition counts");
        return 0;
    }
    for (int t = 0; t < md->topic_cnt; t++) {
        for (int k = 0; k < 3; k++) {
            if (!strcmp(md->topics[t].topic, names[k]))
                counts[k] = md->topics[t].partition_cnt;
        }
    }
    rd_kafka_metadata_destroy(md);
    if (counts[0] != counts[1] || counts[0] != counts[2]) {
        PW_ERROR(log, "kafka",
                 "topics %s, %s, %s have %d, %d, %d partitions: they must have the same count "
                 "(co-partitioned by race id)",
                 names[0], names[1], names[2], counts[0], counts[1], counts[2]);
        return PW_ESTATE;
    }
    return 0;
}

int bus_kafka_ensure_topics(const struct bus_kafka_config *cfg, int partitions, int replication,
                            int timeout_ms, const struct pw_log *log)
{
    char err[512];
    rd_kafka_conf_t *conf = NULL;
    rd_kafka_t *rk = NULL;
    rd_kafka_queue_t *q = NULL;
    rd_kafka_event_t *ev = NULL;
    rd_kafka_NewTopic_t *topics[4] = {0};
    const char *names[4] = {cfg->topic_positions, cfg->topic_commentary, cfg->topic_events,
                            cfg->topic_control};
    int rc = kafka_conf_build(cfg, NULL, err, sizeof err, &conf);
    if (rc) {
        PW_ERROR(log, "kafka", "%s", err);
        return rc;
    }
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        PW_ERROR(log, "kafka", "admin client: %s", err);
        return -EINVAL;
    }
    rc = -ENOMEM;
    for (int i = 0; i < 4; i++) {
        topics[i] = rd_kafka_NewTopic_new(names[i], partitions, replication, err, sizeof err);
        if (!topics[i])
            goto out;
    }
    q = rd_kafka_queue_new(rk);
    if (!q)
        goto out;
    rd_kafka_CreateTopics(rk, topics, 4, NULL, q);
    ev = rd_kafka_queue_poll(q, timeout_ms);
    if (!ev) {
        rc = -ETIMEDOUT;
        PW_ERROR(log, "kafka", "creating topics: no answer in %d ms", timeout_ms);
        goto out;
    }
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    if (rd_kafka_event_error(ev) || !res) {
        rc = -EIO;
        PW_ERROR(log, "kafka", "creating topics: %s", rd_kafka_event_error_string(ev));
        goto out;
    }
    size_t n = 0;
    const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
    rc = 0;
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
        if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            PW_ERROR(log, "kafka", "creating topic %s: %s", rd_kafka_topic_result_name(tr[i]),
                     rd_kafka_topic_result_error_string(tr[i]));
            rc = -EIO;
        }
    }
    if (!rc)
        rc = check_copartitioned(rk, names, timeout_ms, log);
out:
    if (ev)
        rd_kafka_event_destroy(ev);
    if (q)
        rd_kafka_queue_destroy(q);
    for (int i = 0; i < 4; i++) {
        if (topics[i])
            rd_kafka_NewTopic_destroy(topics[i]);
    }
    rd_kafka_destroy(rk);
    return rc;
}
