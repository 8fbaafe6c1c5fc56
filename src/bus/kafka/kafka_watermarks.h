/* kafka_watermarks.h — has a consumer read everything Kafka holds? Asks the brokers for the
 * high watermarks of the consumer's assigned partitions of some topics and compares them
 * with the consumer's positions. The Kafka bus uses it to tell an event that is not in
 * Kafka (lost: skip it) from one that is just not fetched yet (a partition slow to come
 * back after a broker restart: wait for it); see kafka_stream.h.
 *
 * librdkafka's watermark query blocks, so it runs on a thread of its own, one query at a
 * time; the answer comes back to the loop through a uv_async, where the positions are
 * read. Ownership: the checker borrows the rd_kafka_t, which must outlive it;
 * kafka_watermarks_destroy joins the thread (at most one query timeout) and frees the
 * checker once libuv has closed its handle. */
#ifndef PW_BUS_KAFKA_WATERMARKS_H
#define PW_BUS_KAFKA_WATERMARKS_H

#include "core/log.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define KAFKA_WATERMARKS_MAX 128         /* partitions per answer */
#define KAFKA_WATERMARKS_TIMEOUT_MS 1000 /* per partition asked */
#define KAFKA_WATERMARKS_EVERY_MS 1000   /* at most one query started this often */

struct kafka_watermarks_answer {
    int64_t asked_at_ms; /* wall time the query started; INT64_MIN: no answer yet */
    int n;
    struct kafka_watermarks_partition {
        char topic[256];
        int32_t partition;
        bool read_all; /* the broker answered and the consumer has read up to its end */
    } p[KAFKA_WATERMARKS_MAX];
};

struct kafka_watermarks;

int kafka_watermarks_create(uv_loop_t *loop, rd_kafka_t *rk, const struct pw_log *log,
                            struct kafka_watermarks **out);
/* Starts a query over the assigned partitions of `topics` (n names). 0, -EBUSY (one is in
 * flight, or one was started less than KAFKA_WATERMARKS_EVERY_MS ago), -ENOMEM, -EAGAIN
 * (none of them assigned, e.g. mid-rebalance; or no thread). */
int kafka_watermarks_start(struct kafka_watermarks *w, const char *const *topics, int n,
                           int64_t now_ms);
/* The last complete answer (asked_at_ms INT64_MIN before the first). */
const struct kafka_watermarks_answer *kafka_watermarks_last(const struct kafka_watermarks *w);
void kafka_watermarks_destroy(struct kafka_watermarks *w);

#endif
