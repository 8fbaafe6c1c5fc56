#include "kafka_harness.h"

#include <curl/curl.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool harness_bus_healthy(void *bus)
{
    return ((struct pw_bus *)bus)->ops->healthy(bus);
}

bool harness_bus_unhealthy(void *bus)
{
    return !harness_bus_healthy(bus);
}

static void copy_value(const char *line, const char *key, char *dst, size_t cap)
{
    size_t kl = strlen(key);
    if (strncmp(line, key, kl) || line[kl] != '=')
        return;
    const char *value = line + kl + 1;
    size_t n = strcspn(value, "\r\n");
    /* a value that does not fit is left out whole (harness_init then reports the env as
     * unusable) rather than cut to a different address */
    if (n >= cap) {
        dst[0] = '\0';
        return;
    }
    memcpy(dst, value, n);
    dst[n] = '\0';
}

const char *harness_env_dir(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ENV_DIR\n", argv[0]);
        return NULL;
    }
    return argv[1];
}

int harness_init(struct harness *h, const char *env_dir, const char *prefix, const char *bootstrap)
{
    char path[600], line[512];
    memset(h, 0, sizeof *h);
    snprintf(h->env_dir, sizeof h->env_dir, "%s", env_dir);
    snprintf(path, sizeof path, "%s/env", env_dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        copy_value(line, "KAFKA_BOOTSTRAP", h->bootstrap, sizeof h->bootstrap);
        copy_value(line, "SCHEMA_REGISTRY_URL", h->registry_url, sizeof h->registry_url);
        copy_value(line, "SCHEMA_REGISTRY_AUTH_URL", h->registry_auth_url,
                   sizeof h->registry_auth_url);
    }
    fclose(f);
    if (bootstrap)
        snprintf(h->bootstrap, sizeof h->bootstrap, "%s", bootstrap);
    if (!h->bootstrap[0] || !h->registry_url[0])
        return -1;
    bus_kafka_config_defaults(&h->cfg);
    const char *names[4] = {"f1-driver-positions", "f1-commentary", "pitwall-race-events",
                            "pitwall-race-control"};
    /* the pid keeps reruns against the same broker apart */
    for (int i = 0; i < 4; i++)
        snprintf(h->topics[i], sizeof h->topics[i], "%s-%d-%s", prefix, (int)getpid(), names[i]);
    snprintf(h->group, sizeof h->group, "%s-%d-group", prefix, (int)getpid());
    h->cfg.topic_positions = h->topics[0];
    h->cfg.topic_commentary = h->topics[1];
    h->cfg.topic_events = h->topics[2];
    h->cfg.topic_control = h->topics[3];
    h->cfg.consumer_group = h->group;
    h->cfg.schema_registry_url = h->registry_url;
    h->cfg.props[0].key = "bootstrap.servers";
    h->cfg.props[0].value = h->bootstrap;
    /* quick reconnects keep the outage tests short */
    h->cfg.props[1].key = "reconnect.backoff.max.ms";
    h->cfg.props[1].value = "500";
    h->cfg.props[2].key = "topic.metadata.refresh.interval.ms";
    h->cfg.props[2].value = "2000";
    h->cfg.n_props = 3;
    if (getenv("PW_TEST_RDKAFKA_DEBUG")) { /* librdkafka's own trace, for diagnosing flakes */
        h->cfg.props[3].key = "debug";
        h->cfg.props[3].value = getenv("PW_TEST_RDKAFKA_DEBUG");
        h->cfg.n_props = 4;
    }
    h->log.level = getenv("PW_TEST_VERBOSE") ? PW_LOG_DEBUG : PW_LOG_ERROR;
    h->log.out = stderr;
    return 0;
}

struct run_state {
    bool timed_out;
};

static void timeout_cb(uv_timer_t *t)
{
    ((struct run_state *)t->data)->timed_out = true;
}

bool harness_run_until(uv_loop_t *loop, bool (*cond)(void *ctx), void *ctx, int timeout_ms)
{
    struct run_state rs = {false};
    uv_timer_t t;
    uv_timer_init(loop, &t);
    t.data = &rs;
    uv_timer_start(&t, timeout_cb, (uint64_t)timeout_ms, 0);
    bool ok = cond && cond(ctx);
    while (!ok && !rs.timed_out) {
        uv_run(loop, UV_RUN_ONCE);
        ok = cond && cond(ctx);
    }
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    return ok;
}

void harness_run_for(uv_loop_t *loop, int ms)
{
    harness_run_until(loop, NULL, NULL, ms);
}

void harness_bus_destroy(uv_loop_t *loop, struct pw_bus *bus)
{
    pw_bus_destroy(bus);
    for (int i = 0; i < 10; i++)
        uv_run(loop, UV_RUN_NOWAIT);
}

int harness_env(const struct harness *h, const char *cmd)
{
    char line[1200];
    snprintf(line, sizeof line, "bash %s/tools/kafka/kafka_env.sh %s %s", PITWALL_SOURCE_DIR, cmd,
             h->env_dir);
    return system(line);
}

static void publish_cb(uv_timer_t *t)
{
    struct publisher *p = t->data;
    if (p->next < p->to) {
        if (pw_bus_publish_event(p->bus, &p->race->ev[p->next]))
            p->failures++;
        p->next++;
    }
    if (p->next >= p->to)
        uv_timer_stop(t);
}

void publisher_start(uv_loop_t *loop, struct publisher *p, struct pw_bus *bus,
                     const struct fixture_race *race, int from, int to, int every_ms)
{
    memset(p, 0, sizeof *p);
    p->bus = bus;
    p->race = race;
    p->next = from;
    p->to = to;
    uv_timer_init(loop, &p->timer);
    p->timer.data = p;
    if (every_ms <= 0) {
        while (p->next < p->to) {
            if (pw_bus_publish_event(bus, &race->ev[p->next]))
                p->failures++;
            p->next++;
        }
        return;
    }
    uv_timer_start(&p->timer, publish_cb, 0, (uint64_t)every_ms);
}

bool publisher_done(void *p)
{
    const struct publisher *pub = p;
    return pub->next >= pub->to;
}

void publisher_close(struct publisher *p)
{
    uv_close((uv_handle_t *)&p->timer, NULL);
}

bool expect_count(void *e)
{
    const struct expect *x = e;
    return x->rec->n >= x->n;
}

static size_t collect(char *data, size_t size, size_t nmemb, void *userp)
{
    char *buf = userp;
    size_t have = strlen(buf), n = size * nmemb;
    if (have + n < 1024) {
        memcpy(buf + have, data, n);
        buf[have + n] = '\0';
    }
    return n;
}

int harness_register_schema(const struct harness *h, const char *subject, const char *schema)
{
    char url[512], answer[1024] = "";
    int id = -1;
    json_t *body = json_pack("{s:s}", "schema", schema);
    char *text = json_dumps(body, JSON_COMPACT);
    CURL *curl = curl_easy_init();
    struct curl_slist *hdr =
        curl_slist_append(NULL, "Content-Type: application/vnd.schemaregistry.v1+json");
    snprintf(url, sizeof url, "%s/subjects/%s/versions", h->registry_url, subject);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
    if (curl_easy_perform(curl) == CURLE_OK) {
        json_t *doc = json_loads(answer, 0, NULL);
        if (json_is_integer(json_object_get(doc, "id")))
            id = (int)json_integer_value(json_object_get(doc, "id"));
        json_decref(doc);
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(curl);
    free(text);
    json_decref(body);
    return id;
}

struct rd_kafka_s *harness_raw_producer(const struct harness *h)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", h->bootstrap, err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", "0", err, sizeof err);
    return rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
}

int harness_raw_produce(struct rd_kafka_s *rk, const char *topic, const char *key,
                        const void *value, size_t len)
{
    if (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                          RD_KAFKA_V_VALUE((void *)value, len),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END))
        return -1;
    return rd_kafka_flush(rk, 10000) ? -1 : 0;
}

void harness_dump_stats(const char *name, const struct pw_bus *bus)
{
    char buf[4096];
    int n = bus_kafka_format_metrics(bus, buf, sizeof buf);
    fprintf(stderr, "---- %s\n", name);
    if (n > 0) {
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
            if (line[0] != '#')
                fprintf(stderr, "  %s\n", line);
    }
}
