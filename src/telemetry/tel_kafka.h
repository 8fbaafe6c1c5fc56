/* tel_kafka.h — the telemetry topic in Kafka mode: race runners write each car's
 * readings to it (tel_json.h records, key = race id); every edge reads all of it from the
 * beginning and feeds its own anomaly detector, so every edge gives the same verdicts; a
 * Flink job (flink/sql/anomalies.sql) reads the same records.
 *
 * Owns: one librdkafka producer and/or consumer (its own, beside the bus's: telemetry is
 * not race events and carries no seq; with the bus's producer settings and group naming,
 * kafka_conf.h), a uv timer that serves them every 20 ms (librdkafka
 * delivery reports and messages, at most 2000 a turn). Borrows the loop, the logger and the
 * Kafka configuration (copied into librdkafka at create). Poison records are skipped,
 * counted and logged with partition and offset. Only destroy blocks (flush, up to 2 s). */
#ifndef PW_TELEMETRY_TEL_KAFKA_H
#define PW_TELEMETRY_TEL_KAFKA_H

#include "bus/kafka/bus_kafka.h"
#include "core/log.h"
#include "core/telemetry.h"

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define TEL_KAFKA_TOPIC "f1-car-telemetry"

struct tel_kafka;

/* `produce`: open a producer (tel_kafka_publish). `on_frame` (may be NULL): open a consumer
 * of the whole topic in a group of its own, each record handed on as a one-car frame.
 * Returns 0, -EINVAL (configuration refused, logged) or -ENOMEM. */
int tel_kafka_create(uv_loop_t *loop, const struct bus_kafka_config *cfg, const char *topic,
                     bool produce, pw_telemetry_fn on_frame, void *frame_ctx,
                     const struct pw_log *log, struct tel_kafka **out);
/* A pw_telemetry_fn: one record per car, enqueued (never blocks). */
void tel_kafka_publish(void *ctx, const struct pw_telemetry *t);
void tel_kafka_destroy(struct tel_kafka *tk);

struct tel_kafka_stats {
    uint64_t produced, delivery_failed, consumed, poison;
};
void tel_kafka_get_stats(const struct tel_kafka *tk, struct tel_kafka_stats *out);
/* Prometheus lines pitwall_telemetry_kafka_{produced,delivery_failed,consumed,poison}_total. */
int tel_kafka_format_metrics(const void *tk, char *buf, size_t len);

#endif
