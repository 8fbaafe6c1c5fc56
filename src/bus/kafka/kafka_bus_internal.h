/* kafka_bus_internal.h — what the files of the Kafka bus share: the bus and its clients.
 *
 * kafka_bus.c     creation, subscriptions, health, destruction (the pw_bus_ops)
 * kafka_client.c  one librdkafka handle per role: configuration, callbacks, open and close
 * kafka_consume.c reading: decoding, schema fetches, push-back, seq order via kafka_stream
 * kafka_produce.c writing: Avro positions (with schema registration), JSON events, control
 * kafka_metrics.c counters and their Prometheus text
 *
 * Threading: everything here runs on the loop thread (librdkafka's queues wake a uv_poll;
 * kafka_watermarks.c keeps its blocking query on a thread of its own). Ownership: the bus
 * owns its clients; a client owns its librdkafka handle, stream and watermarks. */
#ifndef PW_BUS_KAFKA_BUS_INTERNAL_H
#define PW_BUS_KAFKA_BUS_INTERNAL_H

#include "bus/kafka/avro_cache.h"
#include "bus/kafka/avro_positions.h"
#include "bus/kafka/avro_registry.h"
#include "bus/kafka/bus_kafka.h"
#include "bus/kafka/kafka_stream.h"
#include "bus/kafka/kafka_watermarks.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define KAFKA_MAX_SUBS 32
#define KAFKA_DRAIN_BATCH 2000 /* messages per wake-up before yielding to the loop */
#define KAFKA_TIMER_MS 100     /* backstop poll, stream expiry */
#define KAFKA_PENDING_MAX 8192 /* positions records waiting for the schema id */
#define KAFKA_REGISTER_RETRY_MS 1000
#define KAFKA_REGISTER_RETRY_MAX_MS 30000
#define KAFKA_FETCH_RETRY_MS 1000
#define KAFKA_FETCH_RETRY_MAX_MS 30000
#define KAFKA_CLOSE_FLUSH_MS 5000
#define KAFKA_MAX_PAUSED 64
#define KAFKA_STALE_GRACE_MS 30000 /* groups read from the start, minus what is this old */

enum client_kind { CLIENT_PRODUCER, CLIENT_RUNNER, CLIENT_WORKER, CLIENT_EDGE, CLIENT_COUNT };
extern const char *const kafka_client_names[CLIENT_COUNT]; /* for log lines */

struct bus_kafka;

/* One librdkafka handle and the libuv handles that drive it. */
struct kafka_client {
    struct bus_kafka *bus;
    enum client_kind kind;
    rd_kafka_t *rk;
    rd_kafka_queue_t *queue; /* main queue (producer) or consumer queue */
    int pipe_fds[2];         /* librdkafka writes to [1] when the queue becomes non-empty */
    uv_poll_t poll;
    uv_timer_t timer;
    struct kafka_stream *stream;    /* consumers of race topics */
    struct kafka_watermarks *marks; /* has the consumer read all of the race topics? */
    int64_t min_timestamp_ms;       /* older messages are skipped (0: none) */
    bool was_waiting;               /* stalled on a schema or no broker at the last timer */
    rd_kafka_message_t *stalled;    /* waits for its schema to be fetched */
    int brokers_up;
    /* partitions paused and rewound because a race could hold no more (kafka_stream.h) */
    int n_paused;
    struct paused_partition {
        int topic;
        int32_t partition;
        char race_id[PW_RACE_ID_MAX];
    } paused[KAFKA_MAX_PAUSED];
};

struct kafka_event_sub {
    unsigned topics;
    pw_bus_event_fn fn;
    void *ctx;
    enum client_kind source;
};

/* A race start or stop request older than this is history, not a request. */
#define KAFKA_CONTROL_MAX_AGE_MS 60000

struct kafka_control_sub {
    pw_bus_control_fn fn;
    void *ctx;
};

struct pending_record {
    char key[PW_RACE_ID_MAX];
    size_t len;
    char body[];
};

struct bus_kafka {
    struct pw_bus base;
    uv_loop_t *loop;
    const struct pw_log *log;
    unsigned roles;
    char *topic_names[4]; /* positions, commentary, events, control */
    rd_kafka_topic_t *topics[4];
    struct kafka_client clients[CLIENT_COUNT];
    bool has_client[CLIENT_COUNT];

    struct avro_positions ap;
    struct avro_registry *registry;
    struct avro_cache cache;
    int32_t schema_id; /* -1 until registered */
    bool registering;
    int64_t register_backoff_ms;
    uv_timer_t register_timer;
    int32_t fetching_id; /* -1: no fetch in flight */
    /* the registry could not be asked: the fetch is retried, the message keeps waiting */
    uv_timer_t fetch_timer;
    int32_t retry_id; /* -1: no retry pending */
    int64_t fetch_backoff_ms;
    struct pending_record **pending;
    int n_pending;

    int n_event_subs;
    struct kafka_event_sub event_subs[KAFKA_MAX_SUBS];
    int n_control_subs;
    struct kafka_control_sub control_subs[KAFKA_MAX_SUBS];

    struct bus_kafka_stats stats;
    int open_handles;
    bool destroyed;
};

enum { TOPIC_POSITIONS, TOPIC_COMMENTARY, TOPIC_EVENTS, TOPIC_CONTROL };

/* kafka_bus.c */
void kafka_bus_handle_closed(uv_handle_t *h);
int kafka_bus_brokers_up(const struct bus_kafka *b); /* the most any client sees */

/* kafka_client.c: opens the client of `kind` (b->clients[kind]); 0 or a negative code,
 * with nothing left open on failure. Close blocks up to KAFKA_CLOSE_FLUSH_MS (producer). */
int kafka_client_open(struct bus_kafka *b, const struct bus_kafka_config *cfg,
                      enum client_kind kind);
void kafka_client_close(struct bus_kafka *b, struct kafka_client *c);

/* kafka_consume.c: the client's stream delivers through kafka_consume_deliver; the poll
 * handle and the timer of every client call the two callbacks. */
void kafka_consume_deliver(void *ctx, const struct pw_event *ev);
void kafka_client_poll_cb(uv_poll_t *h, int status, int events);
void kafka_client_timer_cb(uv_timer_t *t);
void kafka_client_schedule_drain(struct kafka_client *c);

/* kafka_produce.c */
int kafka_produce_event(struct pw_bus *bus, const struct pw_event *ev);
int kafka_produce_control(struct pw_bus *bus, const struct pw_control *ctl);
/* Registers the positions schema (retried with backoff) unless known or under way. */
void kafka_produce_register(struct bus_kafka *b);

#endif
