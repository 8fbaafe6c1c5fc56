#include "bus/kafka/kafka_watermarks.h"

#include "core/error.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kafka_watermarks {
    uv_async_t async;
    rd_kafka_t *rk;
    const struct pw_log *log;
    bool busy; /* a thread is running (joined on the loop when it signals) */
    pthread_t thread;
    /* the query in flight: written by the thread, read on the loop after it signalled */
    rd_kafka_topic_partition_list_t *parts; /* offset: high watermark; err: per partition */
    int64_t low[KAFKA_WATERMARKS_MAX];      /* low watermarks, by index in `parts` */
    int64_t asked_at_ms;
    int64_t tried_at_ms; /* last start, answered or not: paces the queries */
    struct kafka_watermarks_answer last;
};

static void *query_thread(void *arg)
{
    struct kafka_watermarks *w = arg;
    bool failed = false;
    for (int i = 0; i < w->parts->cnt; i++) {
        rd_kafka_topic_partition_t *p = &w->parts->elems[i];
        int64_t lo = 0, hi = 0;
        /* a broker that does not answer for one partition will not for the next either:
         * stop, so destroy never waits more than one timeout */
        p->err = failed ? RD_KAFKA_RESP_ERR__TIMED_OUT
                        : rd_kafka_query_watermark_offsets(w->rk, p->topic, p->partition, &lo, &hi,
                                                           KAFKA_WATERMARKS_TIMEOUT_MS);
        failed = failed || p->err != RD_KAFKA_RESP_ERR_NO_ERROR;
        p->offset = hi;
        w->low[i] = lo;
    }
    uv_async_send(&w->async);
    return NULL;
}

/* On the loop: the thread is done; compare its watermarks with the positions now. */
static void on_answer(uv_async_t *a)
{
    struct kafka_watermarks *w = a->data;
    if (!w->busy)
        return;
    pthread_join(w->thread, NULL);
    w->busy = false;
    rd_kafka_topic_partition_list_t *pos = rd_kafka_topic_partition_list_copy(w->parts);
    struct kafka_watermarks_answer *ans = &w->last;
    if (pos && rd_kafka_position(w->rk, pos) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ans->asked_at_ms = w->asked_at_ms;
        ans->n = 0;
        int not_read = 0;
        for (int i = 0; i < w->parts->cnt && ans->n < KAFKA_WATERMARKS_MAX; i++) {
            const rd_kafka_topic_partition_t *hw = &w->parts->elems[i], *at = &pos->elems[i];
            struct kafka_watermarks_partition *p = &ans->p[ans->n++];
            snprintf(p->topic, sizeof p->topic, "%s", hw->topic);
            p->partition = hw->partition;
            /* an empty partition is read to its end whatever the position says */
            bool empty = w->low[i] == hw->offset;
            p->read_all = hw->err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                          (empty || (at->offset >= 0 && at->offset >= hw->offset));
            not_read += !p->read_all;
        }
        PW_DEBUG(w->log, "kafka", "watermarks: %d of %d partitions not read to the end", not_read,
                 ans->n);
    }
    if (pos)
        rd_kafka_topic_partition_list_destroy(pos);
    rd_kafka_topic_partition_list_destroy(w->parts);
    w->parts = NULL;
}

int kafka_watermarks_create(uv_loop_t *loop, rd_kafka_t *rk, const struct pw_log *log,
                            struct kafka_watermarks **out)
{
    struct kafka_watermarks *w = calloc(1, sizeof *w);
    if (!w)
        return -ENOMEM;
    int rc = uv_async_init(loop, &w->async, on_answer);
    if (rc) {
        free(w);
        return rc;
    }
    w->async.data = w;
    w->rk = rk;
    w->log = log;
    w->last.asked_at_ms = INT64_MIN;
    w->tried_at_ms = INT64_MIN;
    *out = w;
    return 0;
}

int kafka_watermarks_start(struct kafka_watermarks *w, const char *const *topics, int n,
                           int64_t now_ms)
{
    if (w->busy ||
        (w->tried_at_ms != INT64_MIN && now_ms - w->tried_at_ms < KAFKA_WATERMARKS_EVERY_MS))
        return -EBUSY;
    w->tried_at_ms = now_ms;
    rd_kafka_topic_partition_list_t *assigned = NULL, *parts = NULL;
    int rc = 0;
    if (rd_kafka_assignment(w->rk, &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return -EAGAIN;
    parts = rd_kafka_topic_partition_list_new(assigned->cnt > 0 ? assigned->cnt : 1);
    if (!parts) {
        rc = -ENOMEM;
        goto done;
    }
    for (int i = 0; i < assigned->cnt; i++) {
        for (int k = 0; k < n && parts->cnt < KAFKA_WATERMARKS_MAX; k++) {
            if (!strcmp(assigned->elems[i].topic, topics[k]))
                rd_kafka_topic_partition_list_add(parts, topics[k], assigned->elems[i].partition);
        }
    }
    if (parts->cnt == 0) {
        /* nothing assigned (a rebalance, e.g. after a broker restart): nothing can be said
         * to be read, so the last answer stands */
        rd_kafka_topic_partition_list_destroy(parts);
        rc = -EAGAIN;
        goto done;
    }
    w->parts = parts;
    w->asked_at_ms = now_ms;
    w->busy = true;
    if (pthread_create(&w->thread, NULL, query_thread, w)) {
        w->busy = false;
        w->parts = NULL;
        rd_kafka_topic_partition_list_destroy(parts);
        rc = -EAGAIN;
    }
done:
    rd_kafka_topic_partition_list_destroy(assigned);
    return rc;
}

const struct kafka_watermarks_answer *kafka_watermarks_last(const struct kafka_watermarks *w)
{
    return &w->last;
}

static void on_closed(uv_handle_t *h)
{
    free(h->data);
}

void kafka_watermarks_destroy(struct kafka_watermarks *w)
{
    if (!w)
        return;
    if (w->busy) {
        pthread_join(w->thread, NULL);
        w->busy = false;
    }
    if (w->parts)
        rd_kafka_topic_partition_list_destroy(w->parts);
    w->parts = NULL;
    uv_close((uv_handle_t *)&w->async, on_closed);
}
