/* The Kafka bus: creation, subscriptions, health and destruction (see bus_kafka.h for the
 * topics and roles, kafka_bus_internal.h for how the files share the work). */
#include "bus/kafka/kafka_bus_internal.h"

#include "bus/kafka/kafka_conf.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

/* ---- lifetime of libuv handles ---- */

static void bus_free(struct bus_kafka *b)
{
    for (int i = 0; i < 4; i++)
        free(b->topic_names[i]);
    free(b->pending);
    free(b);
}

void kafka_bus_handle_closed(uv_handle_t *h)
{
    struct bus_kafka *b = h->data;
    if (--b->open_handles == 0 && b->destroyed)
        bus_free(b);
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

int kafka_bus_brokers_up(const struct bus_kafka *b)
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
    return kafka_bus_brokers_up((const struct bus_kafka *)bus) > 0;
}

/* ---- destruction and creation ---- */

static void kafka_destroy(struct pw_bus *bus)
{
    struct bus_kafka *b = (struct bus_kafka *)bus;
    b->destroyed = true;
    /* consumers first: nothing they deliver can reach a producer that is gone */
    for (int k = CLIENT_COUNT - 1; k >= 0; k--) {
        if (b->has_client[k])
            kafka_client_close(b, &b->clients[k]);
    }
    avro_registry_destroy(b->registry);
    avro_cache_clear(&b->cache);
    avro_positions_destroy(&b->ap);
    for (int i = 0; i < b->n_pending; i++)
        free(b->pending[i]);
    b->n_pending = 0;
    uv_timer_stop(&b->register_timer);
    uv_close((uv_handle_t *)&b->register_timer, kafka_bus_handle_closed);
    uv_timer_stop(&b->fetch_timer);
    uv_close((uv_handle_t *)&b->fetch_timer, kafka_bus_handle_closed);
}

static const struct pw_bus_ops kafka_ops = {
    .publish_event = kafka_produce_event,
    .publish_control = kafka_produce_control,
    .subscribe_events = kafka_subscribe_events,
    .subscribe_control = kafka_subscribe_control,
    .healthy = kafka_healthy,
    .destroy = kafka_destroy,
};

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
    b->topic_names[TOPIC_COMMENTARY] = dup_name(cfg->topic_commentary, defaults.topic_commentary);
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
    rc = kafka_client_open(b, &eff, CLIENT_PRODUCER);
    if (rc)
        goto fail;
    for (int i = 0; i < 4; i++) {
        b->topics[i] = rd_kafka_topic_new(b->clients[CLIENT_PRODUCER].rk, b->topic_names[i], NULL);
        if (!b->topics[i]) {
            rc = -ENOMEM;
            goto fail;
        }
    }
    if ((roles & BUS_KAFKA_RUNNER) && (rc = kafka_client_open(b, &eff, CLIENT_RUNNER)))
        goto fail;
    if ((roles & BUS_KAFKA_COMMENTARY) && (rc = kafka_client_open(b, &eff, CLIENT_WORKER)))
        goto fail;
    if ((roles & BUS_KAFKA_EDGE) && (rc = kafka_client_open(b, &eff, CLIENT_EDGE)))
        goto fail;
    if (roles & BUS_KAFKA_RUNNER)
        kafka_produce_register(b);
    *out = &b->base;
    return 0;
fail:
    kafka_destroy(&b->base);
    return rc;
}
