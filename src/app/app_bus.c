#include "app/app_bus.h"

#include "bus/kafka/bus_kafka.h"
#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Keys of the `kafka:` mapping that are pitwall's own (the original app's shape), not
 * librdkafka properties. */
static const char *const own_keys[] = {
    "schema_registry_url", "schema_registry_api_key", "schema_registry_secret", "topics",
    "consumer_group",      "topic_partitions",        "topic_replication",      "hold_ms"};

static bool is_own_key(const char *key)
{
    for (size_t i = 0; i < sizeof own_keys / sizeof *own_keys; i++) {
        if (strcmp(key, own_keys[i]) == 0)
            return true;
    }
    return false;
}

/* A string setting from `kafka.<key>`, or from the top level as some configs have it. */
static int kafka_string(const struct settings *s, const char *key, const char *def,
                        const char **out, char *err, size_t errlen)
{
    char path[96];
    snprintf(path, sizeof path, "kafka.%s", key);
    int rc = config_get_string(s->config, path, NULL, out, err, errlen);
    if (rc < 0 || *out)
        return rc;
    return config_get_string(s->config, key, def, out, err, errlen);
}

static int kafka_settings(const struct settings *s, struct bus_kafka_config *kc, char *err,
                          size_t errlen)
{
    bus_kafka_config_defaults(kc);
    const struct pw_config_node *map = config_get(config_root(s->config), "kafka");
    if (config_kind(map) != PW_CONFIG_MAP) {
        snprintf(err, errlen, "%s:%d: kafka must be a mapping of librdkafka properties",
                 s->config_path, config_line(map));
        return -EINVAL;
    }
    for (int i = 0; i < config_size(map); i++) {
        const char *key = config_key_at(map, i);
        if (is_own_key(key))
            continue;
        const char *value = config_scalar(config_value_at(map, i));
        if (!value) {
            snprintf(err, errlen, "%s:%d: kafka.%s must be a single value", s->config_path,
                     config_line(config_value_at(map, i)), key);
            return -EINVAL;
        }
        if (kc->n_props == BUS_KAFKA_MAX_PROPS) {
            snprintf(err, errlen, "%s: more than %d kafka properties", s->config_path,
                     BUS_KAFKA_MAX_PROPS);
            return -EINVAL;
        }
        kc->props[kc->n_props].key = key;
        kc->props[kc->n_props++].value = value;
    }
    int rc;
    if ((rc = kafka_string(s, "schema_registry_url", NULL, &kc->schema_registry_url, err, errlen)) <
            0 ||
        (rc = kafka_string(s, "schema_registry_api_key", NULL, &kc->schema_registry_api_key, err,
                           errlen)) < 0 ||
        (rc = kafka_string(s, "schema_registry_secret", NULL, &kc->schema_registry_secret, err,
                           errlen)) < 0 ||
        (rc = kafka_string(s, "topics.positions", kc->topic_positions, &kc->topic_positions, err,
                           errlen)) < 0 ||
        (rc = kafka_string(s, "topics.commentary", kc->topic_commentary, &kc->topic_commentary, err,
                           errlen)) < 0 ||
        (rc = kafka_string(s, "topics.events", kc->topic_events, &kc->topic_events, err, errlen)) <
            0 ||
        (rc = kafka_string(s, "topics.control", kc->topic_control, &kc->topic_control, err,
                           errlen)) < 0 ||
        (rc = kafka_string(s, "consumer_group", kc->consumer_group, &kc->consumer_group, err,
                           errlen)) < 0)
        return rc;
    /* how long an event waits for a missing one before the brokers are asked (KAFKA.md) */
    long long hold_ms = 0;
    if ((rc = config_get_int(s->config, "kafka.hold_ms", kc->hold_ms, 100, 600000, &hold_ms, err,
                             errlen)) < 0)
        return rc;
    kc->hold_ms = (int)hold_ms;
    return 0;
}

static int kafka_metrics(const void *ctx, char *buf, size_t len)
{
    return bus_kafka_format_metrics(ctx, buf, len);
}

int app_bus_create(uv_loop_t *loop, const struct settings *s, const struct pw_log *log,
                   struct api_deps *deps, struct pw_bus **out, char *err, size_t errlen)
{
    int rc;
    if (!s->kafka) {
        rc = bus_inproc_create(out);
        if (rc < 0)
            snprintf(err, errlen, "could not create the in-process bus");
        return rc;
    }
    struct bus_kafka_config kc;
    rc = kafka_settings(s, &kc, err, errlen);
    if (rc < 0)
        return rc;
    long long partitions = 0, replication = 0;
    if ((rc = config_get_int(s->config, "kafka.topic_partitions", 6, 1, 1000, &partitions, err,
                             errlen)) < 0 ||
        (rc = config_get_int(s->config, "kafka.topic_replication", 1, 1, 16, &replication, err,
                             errlen)) < 0)
        return rc;
    /* Blocking, but only at start-up, before the loop runs: topics the cluster lacks are
     * created so a first run works; where that is not allowed (Confluent Cloud without
     * the right ACL) the topics must exist already and the warning says so. */
    rc = bus_kafka_ensure_topics(&kc, (int)partitions, (int)replication, 10000, log);
    if (rc < 0)
        PW_WARN(log, "app", "could not make sure the Kafka topics exist (%s); continuing",
                pw_strerror(rc));
    rc = bus_kafka_create(loop, &kc, s->roles, log, out);
    if (rc < 0) {
        snprintf(err, errlen, "%s: Kafka configuration refused: %s (see the log above)",
                 s->config_path, pw_strerror(rc));
        return rc;
    }
    if (deps->n_metrics < API_MAX_METRICS_PROVIDERS) {
        deps->metrics[deps->n_metrics].fn = kafka_metrics;
        deps->metrics[deps->n_metrics++].ctx = *out;
    }
    PW_INFO(log, "app", "Kafka mode: roles %s%s%s", (s->roles & APP_ROLE_RUNNER) ? "runner " : "",
            (s->roles & APP_ROLE_COMMENTARY) ? "commentary " : "",
            (s->roles & APP_ROLE_EDGE) ? "edge" : "");
    return 0;
}

static int telemetry_metrics(const void *ctx, char *buf, size_t len)
{
    return tel_kafka_format_metrics(ctx, buf, len);
}

int app_telemetry_create(uv_loop_t *loop, const struct settings *s, const struct pw_log *log,
                         bool produce, pw_telemetry_fn on_frame, void *frame_ctx,
                         struct api_deps *deps, struct tel_kafka **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!s->kafka || (!produce && !on_frame))
        return 0;
    struct bus_kafka_config kc;
    const char *topic = NULL;
    int rc = kafka_settings(s, &kc, err, errlen);
    if (rc < 0 ||
        (rc = kafka_string(s, "topics.telemetry", TEL_KAFKA_TOPIC, &topic, err, errlen)) < 0)
        return rc;
    rc = tel_kafka_create(loop, &kc, topic, produce, on_frame, frame_ctx, log, out);
    if (rc < 0) {
        snprintf(err, errlen, "%s: telemetry topic: Kafka configuration refused: %s",
                 s->config_path, pw_strerror(rc));
        return rc;
    }
    if (deps->n_metrics < API_MAX_METRICS_PROVIDERS) {
        deps->metrics[deps->n_metrics].fn = telemetry_metrics;
        deps->metrics[deps->n_metrics++].ctx = *out;
    }
    return 0;
}
