/* bus_kafka.h — the bus (bus.h) over Apache Kafka with librdkafka (docs/ARCHITECTURE.md,
 * docs/KAFKA.md).
 *
 * Topics (names configurable):
 *   f1-driver-positions   Avro (Confluent wire format, Schema Registry subject
 *                         f1-driver-positions-value), one record per car per positions tick,
 *                         keyed by race id
 *   f1-commentary         JSON {id, message, timestamp, type, race_id, lap, seq, race_ms}
 *   pitwall-race-events   JSON, every other race event with its meta and state
 *   pitwall-race-control  JSON pw_control (start/stop requests), keyed by race id
 * The three race topics must have the same partition count (co-partitioned by race id) so
 * that a commentary worker owns all of a race.
 *
 * Roles (a mask; one process may have several):
 *   RUNNER      consumes control in group "<consumer_group>-runner": one runner takes each
 *               request; publishes race events and positions.
 *   COMMENTARY  consumes race events + positions in group "<consumer_group>-commentary"
 *               (work shared between workers); publishes commentary.
 *               Both groups continue from their committed offsets; a group's first start
 *               reads from the beginning but skips messages written more than 30 s before
 *               the bus was created (a request sent while it was joining is not lost).
 *   EDGE        reads every partition of positions, events and commentary from the
 *               beginning (a group of its own, unique per process), so a late edge rebuilds
 *               every race's state; publishes control.
 * Subscribers: a subscription that includes PW_BUS_COMMENTARY (the hub) is fed by the EDGE
 * consumer; a PW_BUS_RACE-only one (the commentary engine) by the COMMENTARY consumer; each
 * falls back to the other when its role is absent. Control subscribers are fed by RUNNER.
 * Events are delivered in each race's seq order (see kafka_stream.h).
 *
 * Nothing blocks the loop: the producer never flushes on it (delivery reports are served
 * when librdkafka's queue wakes a uv_poll), consumers are drained the same way, and the
 * Schema Registry is asked asynchronously. Poison messages are skipped, counted and logged
 * with topic/partition/offset. A broker outage is survived: publishing keeps queueing
 * inside librdkafka, healthy() returns 0 while no broker is up, and consumers catch up
 * after. Only destroy blocks (it closes consumers and flushes the producer, up to a few
 * seconds): call it at shutdown, then run the loop once more so that its libuv handles
 * close and the memory is freed.
 *
 * Ownership: create copies the configuration (strings included). The bus is destroyed with
 * pw_bus_destroy(). */
#ifndef PW_BUS_BUS_KAFKA_H
#define PW_BUS_BUS_KAFKA_H

#include "bus/bus.h"
#include "core/log.h"

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define BUS_KAFKA_MAX_PROPS 64

enum bus_kafka_roles {
    BUS_KAFKA_RUNNER = 1,
    BUS_KAFKA_COMMENTARY = 2,
    BUS_KAFKA_EDGE = 4,
    BUS_KAFKA_ALL = 7
};

struct bus_kafka_config {
    /* librdkafka properties passed through (the YAML `kafka:` mapping, SASL_SSL/PLAIN
     * included), applied to every client before pitwall's own per-role settings */
    int n_props;
    struct {
        const char *key, *value;
    } props[BUS_KAFKA_MAX_PROPS];
    const char *schema_registry_url, *schema_registry_api_key, *schema_registry_secret;
    const char *topic_positions;  /* "f1-driver-positions" */
    const char *topic_commentary; /* "f1-commentary" */
    const char *topic_events;     /* "pitwall-race-events" */
    const char *topic_control;    /* "pitwall-race-control" */
    const char *consumer_group;   /* base name: "f1-leaderboard-consumer" */
    int hold_ms; /* how long (while connected) an event waits for a missing seq at least */
};

/* Topic names and group as above, no properties, hold_ms 30000. */
void bus_kafka_config_defaults(struct bus_kafka_config *c);

/* Creates the bus and its clients; nothing is sent before the loop runs. Errors: -EINVAL
 * (bad config: no bootstrap.servers, no registry URL, a property librdkafka refuses),
 * -ENOMEM. */
int bus_kafka_create(uv_loop_t *loop, const struct bus_kafka_config *cfg, unsigned roles,
                     const struct pw_log *log, struct pw_bus **out);

struct bus_kafka_stats {
    uint64_t produced, delivery_failed, consumed;
    uint64_t poison_bad_magic, poison_unknown_schema, poison_bad_avro, poison_bad_json,
        poison_other;
    uint64_t ticks_incomplete, seq_gaps, duplicates;
    uint64_t pushed_back; /* messages rewound because their race could hold no more */
    uint64_t stale_skipped; /* runner/commentary group messages older than the process */
    uint64_t awaiting_schema; /* positions records queued until the schema is registered */
    int brokers_up;
};
void bus_kafka_get_stats(const struct pw_bus *bus, struct bus_kafka_stats *out);

/* Prometheus text lines pitwall_kafka_*; returns the byte count or -ENOSPC. */
int bus_kafka_format_metrics(const struct pw_bus *bus, char *buf, size_t len);

/* Creates the four topics if missing (admin API; BLOCKS up to 2 x timeout_ms: for
 * startup, tools and tests, never on a running loop), then checks that positions, commentary
 * and events have the same partition count. 0, PW_ESTATE (counts differ: logged), or another
 * negative error. */
int bus_kafka_ensure_topics(const struct bus_kafka_config *cfg, int partitions,
                            int replication, int timeout_ms, const struct pw_log *log);

#endif
