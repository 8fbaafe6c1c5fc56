/* kafka_harness.h — shared plumbing of the Kafka tests and benchmark: the test environment
 * (tools/kafka/kafka_env.sh writes DIR/env), bus configurations with per-test topic names,
 * running the loop until a condition holds, and a paced publisher. */
#ifndef PW_TESTS_KAFKA_HARNESS_H
#define PW_TESTS_KAFKA_HARNESS_H

#include "bus/kafka/bus_kafka.h"
#include "race_fixture.h"

#include <stdbool.h>
#include <uv.h>

struct harness {
    char env_dir[512];
    char bootstrap[256];
    char registry_url[256];
    char registry_auth_url[256]; /* the fake that wants pitwall-key:pitwall-secret */
    char topics[4][96];
    char group[96];
    struct bus_kafka_config cfg;
    struct pw_log log;
};

/* Reads DIR/env; topics and group get `prefix` so tests do not see each other's data.
 * bootstrap: NULL = the env's broker. */
int harness_init(struct harness *h, const char *env_dir, const char *prefix, const char *bootstrap);
/* The env directory a Kafka test is given as its one argument (the kafka_env fixture's),
 * or NULL after printing the usage. */
const char *harness_env_dir(int argc, char **argv);
/* Runs the loop until cond(ctx) or timeout; returns cond's last value. */
bool harness_run_until(uv_loop_t *loop, bool (*cond)(void *ctx), void *ctx, int timeout_ms);
/* Conds for harness_run_until: is the bus (a struct pw_bus *) connected, or not? */
bool harness_bus_healthy(void *bus);
bool harness_bus_unhealthy(void *bus);
/* Runs the loop for ms milliseconds. */
void harness_run_for(uv_loop_t *loop, int ms);
/* Destroys the bus and lets the loop close its handles. */
void harness_bus_destroy(uv_loop_t *loop, struct pw_bus *bus);
/* Writes a bus's counters to stderr (for a failing wait). */
void harness_dump_stats(const char *name, const struct pw_bus *bus);
/* Runs `kafka_env.sh CMD DIR`. */
int harness_env(const struct harness *h, const char *cmd);

/* Publishes events [from, to) of a race, one every `every_ms` on the loop (0: all now). */
struct publisher {
    uv_timer_t timer;
    struct pw_bus *bus;
    const struct fixture_race *race;
    int next, to;
    int failures;
};
void publisher_start(uv_loop_t *loop, struct publisher *p, struct pw_bus *bus,
                     const struct fixture_race *race, int from, int to, int every_ms);
bool publisher_done(void *p);
void publisher_close(struct publisher *p);

/* Is a recorder holding every event of the race? (a cond for harness_run_until) */
struct expect {
    const struct recorder *rec;
    int n;
};
bool expect_count(void *e);

/* Registers a schema under `subject` with the registry (blocking libcurl: tests only).
 * Returns the id or -1. */
int harness_register_schema(const struct harness *h, const char *subject, const char *schema);
/* A bare librdkafka producer for writing raw (poison, foreign) messages. */
struct rd_kafka_s;
struct rd_kafka_s *harness_raw_producer(const struct harness *h);
/* Produces one raw message and waits for its delivery. 0 or -1. */
int harness_raw_produce(struct rd_kafka_s *rk, const char *topic, const char *key,
                        const void *value, size_t len);
#endif
