/* The Kafka bus's counters: summed over its clients and their streams, and as Prometheus
 * text for /metrics. */
#include "bus/kafka/kafka_bus_internal.h"

#include <errno.h>
#include <stdio.h>

void bus_kafka_get_stats(const struct pw_bus *bus, struct bus_kafka_stats *out)
{
    const struct bus_kafka *b = (const struct bus_kafka *)bus;
    *out = b->stats;
    out->brokers_up = kafka_bus_brokers_up(b);
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
        (unsigned long long)s.pushed_back, (unsigned long long)s.awaiting_schema,
        (unsigned long long)reg_requests, (unsigned long long)reg_failed, s.brokers_up);
    if (n < 0 || (size_t)n >= len)
        return -ENOSPC;
    return n;
}
