/* bench_kafka — consume → decode → hub throughput of the Kafka bus, side by side with a bare
 * librdkafka consumer reading the same topic on the same broker (docs/BENCHMARKS.md).
 *
 *   bench_kafka ENV_DIR [ticks] [cars]
 *
 * ENV_DIR is a running test environment (tools/kafka/kafka_env.sh start ENV_DIR). The bench
 * writes one race of `ticks` positions ticks of `cars` cars (one Avro message per car per
 * tick) with a RUNNER bus, then reads the positions topic three times from the beginning:
 *   bare     librdkafka consumer, assign + consumer_poll, touches every payload
 *   bus      EDGE bus: wire header, schema cache, validate, Avro decode, tick reassembly,
 *            seq merge, one PW_EV_POSITIONS per tick to a counting subscriber
 *   bus+hub  the same plus the real hub (state, event log, SSE frame encoding)
 * Rates are messages per second between the first and the last message (connection and
 * group join excluded), and messages per CPU second of the whole process (librdkafka's
 * threads included). Run it pinned to one core: taskset -c 0 (scripts/bench.d/kafka.sh). */
#include "bus/kafka/bus_kafka.h"
#include "hub/hub.h"
#include "kafka_harness.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

struct counter {
    long ticks, target;
    double first, last;
};

static void count_event(void *ctx, const struct pw_event *ev)
{
    struct counter *c = ctx;
    double t = now_s();
    if (c->first == 0)
        c->first = t;
    if (ev->type == PW_EV_POSITIONS) {
        c->ticks++;
        c->last = t;
    }
}

static bool counter_done(void *ctx)
{
    const struct counter *c = ctx;
    return c->ticks >= c->target;
}

static bool produced_all(void *ctx)
{
    void **a = ctx;
    struct bus_kafka_stats st;
    bus_kafka_get_stats(a[0], &st);
    return st.produced >= *(uint64_t *)a[1];
}

static void report(const char *name, long msgs, double first, double last, double cpu)
{
    double wall = last - first;
    printf("%-8s %9ld msgs  %7.3f s  %10.0f msgs/s  cpu %6.3f s  %10.0f msgs/cpu-s\n", name,
           msgs, wall, wall > 0 ? (double)msgs / wall : 0, cpu, cpu > 0 ? (double)msgs / cpu : 0);
}

static int run_bare(const struct harness *h, long msgs)
{
    char err[256], group[128];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    snprintf(group, sizeof group, "%s-bare", h->group);
    rd_kafka_conf_set(conf, "bootstrap.servers", h->bootstrap, err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk)
        return -1;
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(3);
    for (int p = 0; p < 3; p++)
        rd_kafka_topic_partition_list_add(parts, h->cfg.topic_positions, p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    long n = 0;
    unsigned sum = 0;
    double first = 0, last = 0, deadline = now_s() + 120;
    double cpu0 = cpu_s();
    while (n < msgs && now_s() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (!m->err) {
            if (!first)
                first = now_s();
            sum += m->len > 5 ? ((const unsigned char *)m->payload)[5] : 0;
            n++;
            last = now_s();
        }
        rd_kafka_message_destroy(m);
    }
    double cpu = cpu_s() - cpu0;
    report("bare", n, first, last, cpu);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return n == msgs && sum != 1 ? 0 : -1; /* sum keeps the payload reads */
}

static int run_bus(uv_loop_t *loop, const struct harness *h, long ticks, int cars, bool hub_on)
{
    struct pw_bus *edge;
    struct hub *hub = NULL;
    struct counter c = {.target = ticks};
    if (bus_kafka_create(loop, &h->cfg, BUS_KAFKA_EDGE, NULL, &edge))
        return -1;
    if (hub_on) {
        struct hub_config hc;
        hub_config_defaults(&hc);
        hc.log_max_bytes = 256u << 20; /* keep the whole race: no eviction in the measure */
        if (hub_create(loop, edge, &hc, NULL, NULL, NULL, &hub))
            return -1;
    }
    pw_bus_subscribe_events(edge, PW_BUS_ALL, count_event, &c);
    double cpu0 = cpu_s();
    bool ok = harness_run_until(loop, counter_done, &c, 180000);
    double cpu = cpu_s() - cpu0;
    report(hub_on ? "bus+hub" : "bus", c.ticks * cars, c.first, c.last, cpu);
    struct bus_kafka_stats st;
    bus_kafka_get_stats(edge, &st);
    printf("         (pushed back %llu, duplicates %llu)\n", (unsigned long long)st.pushed_back,
           (unsigned long long)st.duplicates);
    if (st.poison_bad_avro || st.seq_gaps || st.ticks_incomplete)
        fprintf(stderr, "bench: unexpected: bad_avro %llu gaps %llu incomplete %llu\n",
                (unsigned long long)st.poison_bad_avro, (unsigned long long)st.seq_gaps,
                (unsigned long long)st.ticks_incomplete);
    if (hub)
        hub_destroy(hub);
    harness_bus_destroy(loop, edge);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ENV_DIR [ticks] [cars]\n", argv[0]);
        return 2;
    }
    long ticks = argc > 2 ? atol(argv[2]) : 10000;
    int cars = argc > 3 ? atoi(argv[3]) : 20;
    uv_loop_t loop;
    struct harness h;
    struct fixture_race race;
    struct pw_bus *runner;
    uv_loop_init(&loop);
    if (harness_init(&h, argv[1], "bench", NULL) ||
        bus_kafka_ensure_topics(&h.cfg, 3, 1, 20000, &h.log)) {
        fprintf(stderr, "bench: no test environment in %s\n", argv[1]);
        return 1;
    }
    fixture_race_make(&race, "bench-race", cars, 3, 99);
    const struct pw_race_state *st = NULL;
    for (int i = 0; i < race.n && !st; i++)
        if (race.ev[i].type == PW_EV_POSITIONS)
            st = race.ev[i].state;
    if (bus_kafka_create(&loop, &h.cfg, BUS_KAFKA_RUNNER, &h.log, &runner))
        return 1;

    /* the race: created (seq 1), then `ticks` positions ticks */
    struct pw_event ev = race.ev[0];
    struct pw_race_state tick_state = *st;
    pw_bus_publish_event(runner, &ev);
    double t0 = now_s();
    uint64_t want = (uint64_t)ticks * (uint64_t)cars + 1;
    for (long t = 0; t < ticks; t++) {
        memset(&ev, 0, sizeof ev);
        ev.type = PW_EV_POSITIONS;
        snprintf(ev.race_id, sizeof ev.race_id, "bench-race");
        ev.seq = (uint64_t)t + 2;
        tick_state.race_ms = t * 250;
        ev.race_ms = tick_state.race_ms;
        ev.wall_ms = 1732790000000LL + t * 250;
        ev.state = &tick_state;
        ev.meta = &race.meta;
        if (pw_bus_publish_event(runner, &ev)) {
            fprintf(stderr, "bench: publish failed at tick %ld\n", t);
            return 1;
        }
        if (t % 500 == 0) { /* keep librdkafka's queue well below its bound */
            uint64_t sent = (uint64_t)(t + 1) * (uint64_t)cars + 1;
            /* the first tick waits for the schema registration, later ones for room */
            uint64_t low = t == 0 ? sent : sent > 50000 ? sent - 50000 : 0;
            void *lag[2] = {runner, &low};
            harness_run_until(&loop, produced_all, lag, 60000);
        }
    }
    void *args[2] = {runner, &want};
    if (!harness_run_until(&loop, produced_all, args, 180000)) {
        fprintf(stderr, "bench: producing did not finish\n");
        return 1;
    }
    double t1 = now_s();
    printf("produced %llu messages (%ld ticks x %d cars) in %.3f s: %.0f msgs/s\n",
           (unsigned long long)want, ticks, cars, t1 - t0, (double)want / (t1 - t0));
    harness_bus_destroy(&loop, runner);

    int rc = run_bare(&h, ticks * cars);
    rc |= run_bus(&loop, &h, ticks, cars, false);
    rc |= run_bus(&loop, &h, ticks, cars, true);
    rc |= run_bare(&h, ticks * cars); /* again: the page cache is warm for both now */
    fixture_race_free(&race);
    uv_run(&loop, UV_RUN_NOWAIT);
    uv_loop_close(&loop);
    return rc ? 1 : 0;
}
