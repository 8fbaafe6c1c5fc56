/* kafka_conf.h — librdkafka configurations from a bus_kafka_config (internal to the Kafka
 * bus). The user's properties come first, then pitwall's own settings for the client's
 * role, which win: a YAML file cannot turn idempotence off or give an edge a shared group.
 *
 * Ownership: the returned conf belongs to the caller (rd_kafka_new takes it over). */
#ifndef PW_BUS_KAFKA_CONF_H
#define PW_BUS_KAFKA_CONF_H

#include "bus/kafka/bus_kafka.h"

#include <librdkafka/rdkafka.h>

/* `overrides` is a NULL-terminated list of key, value pairs. Returns 0, or -EINVAL with a
 * message in err naming the property (never its value: it may be a secret). */
int kafka_conf_build(const struct bus_kafka_config *cfg, const char *const *overrides, char *err,
                     size_t errlen, rd_kafka_conf_t **out);

/* Is `key` set (non-empty) in the user's properties? */
const char *kafka_conf_find(const struct bus_kafka_config *cfg, const char *key);

/* The settings of every pitwall producer, the bus's and the telemetry topic's (a
 * NULL-terminated list of key, value pairs to pass as overrides): idempotent, acks=all,
 * linger.ms=5 and one produce request in flight (kafka_conf.c says why). */
extern const char *const kafka_conf_producer[];

/* A consumer group of this process's own, "<consumer_group>-<role>-<host>-<pid>-<random>":
 * a consumer that must read every partition itself (an edge, a telemetry reader). */
void kafka_conf_own_group(const struct bus_kafka_config *cfg, const char *role, char *buf,
                          size_t len);

#endif
