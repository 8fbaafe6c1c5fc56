/* Fault injection with librdkafka's mock cluster (rdkafka_mock.h), for what one real broker
 * cannot show: every broker down and back, request errors on produce and fetch, a slow
 * broker. The schema registry is the FAKE one of the kafka_env fixture.
 * Usage: test_kafka_mock ENV_DIR */
#include "bus/kafka/bus_kafka.h"
#include "kafka_harness.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Kafka protocol ApiKeys (the protocol's numbers; librdkafka does not install its header) */
enum { API_PRODUCE = 0, API_FETCH = 1 };

static const char *env_dir;

struct mock {
    uv_loop_t loop;
    rd_kafka_t *host; /* the mock cluster lives in a client handle of its own */
    rd_kafka_mock_cluster_t *mc;
    struct harness h;
};

static int mock_setup(void **state)
{
    struct mock *m = calloc(1, sizeof *m);
    char err[256];
    uv_loop_init(&m->loop);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err); /* it has no bootstrap: fine */
    m->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(m->host);
    m->mc = rd_kafka_mock_cluster_new(m->host, 1);
    assert_non_null(m->mc);
    assert_int_equal(harness_init(&m->h, env_dir, "mock", rd_kafka_mock_cluster_bootstraps(m->mc)),
                     0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(rd_kafka_mock_topic_create(m->mc, m->h.topics[i], 3, 1), 0);
    *state = m;
    return 0;
}

static int mock_teardown(void **state)
{
    struct mock *m = *state;
    rd_kafka_mock_cluster_destroy(m->mc);
    rd_kafka_destroy(m->host);
    uv_run(&m->loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&m->loop), 0);
    free(m);
    return 0;
}

static void check_stream(const struct fixture_race *race, const struct recorder *rec)
{
    char why[256] = "";
    if (!fixture_check_stream(race, rec, why, sizeof why))
        fail_msg("%s", why);
}

/* A race, a RUNNER bus to publish it and an EDGE bus that records it. */
struct pair {
    struct fixture_race race;
    struct recorder rec;
    struct pw_bus *runner, *edge;
};

static void pair_start(struct mock *m, struct pair *p, const struct bus_kafka_config *cfg,
                       const char *race_id, unsigned seed)
{
    fixture_race_make(&p->race, race_id, 12, 6, seed);
    recorder_init(&p->rec, race_id);
    assert_int_equal(bus_kafka_create(&m->loop, cfg, BUS_KAFKA_RUNNER, &m->h.log, &p->runner), 0);
    assert_int_equal(bus_kafka_create(&m->loop, cfg, BUS_KAFKA_EDGE, &m->h.log, &p->edge), 0);
    pw_bus_subscribe_events(p->edge, PW_BUS_ALL, recorder_on_event, &p->rec);
}

static void pair_stop(struct mock *m, struct pair *p)
{
    harness_bus_destroy(&m->loop, p->edge);
    harness_bus_destroy(&m->loop, p->runner);
    recorder_free(&p->rec);
    fixture_race_free(&p->race);
}

/* The only broker goes down mid-race: both buses report it, publishing goes on, and after
 * the broker is back the edge has every event exactly once. */
static void test_mock_broker_down_and_up(void **state)
{
    struct mock *m = *state;
    struct pair pr;
    struct publisher p1, p2;
    pair_start(m, &pr, &m->h.cfg, "mock-down", 21);
    int half = pr.race.n / 2;
    publisher_start(&m->loop, &p1, pr.runner, &pr.race, 0, half, 0);
    struct expect w = {&pr.rec, half};
    assert_true(harness_run_until(&m->loop, expect_count, &w, 30000));
    assert_true(harness_run_until(&m->loop, harness_bus_healthy, pr.edge, 10000));

    assert_int_equal(rd_kafka_mock_broker_set_down(m->mc, 1), 0);
    publisher_start(&m->loop, &p2, pr.runner, &pr.race, half, pr.race.n, 0);
    assert_int_equal(p2.failures, 0);
    assert_true(harness_run_until(&m->loop, harness_bus_unhealthy, pr.runner, 20000));
    assert_true(harness_run_until(&m->loop, harness_bus_unhealthy, pr.edge, 20000));
    assert_true(pr.rec.n < pr.race.n);

    assert_int_equal(rd_kafka_mock_broker_set_up(m->mc, 1), 0);
    struct expect all = {&pr.rec, pr.race.n};
    assert_true(harness_run_until(&m->loop, expect_count, &all, 60000));
    assert_true(harness_run_until(&m->loop, harness_bus_healthy, pr.runner, 20000));
    harness_run_for(&m->loop, 300);
    check_stream(&pr.race, &pr.rec);
    struct bus_kafka_stats st;
    bus_kafka_get_stats(pr.runner, &st);
    assert_int_equal(st.delivery_failed, 0);
    publisher_close(&p1);
    publisher_close(&p2);
    pair_stop(m, &pr);
}

/* Produce and fetch requests fail with retriable errors and dropped connections: the
 * idempotent producer retries without duplicating, the consumer refetches, the race
 * arrives whole. */
static void test_mock_request_errors(void **state)
{
    struct mock *m = *state;
    struct pair pr;
    struct publisher p;
    rd_kafka_mock_push_request_errors(
        m->mc, API_PRODUCE, 5, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE);
    rd_kafka_mock_push_request_errors(
        m->mc, API_FETCH, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    pair_start(m, &pr, &m->h.cfg, "mock-errors", 22);
    publisher_start(&m->loop, &p, pr.runner, &pr.race, 0, pr.race.n, 0);
    struct expect all = {&pr.rec, pr.race.n};
    if (!harness_run_until(&m->loop, expect_count, &all, 60000)) {
        harness_dump_stats("runner", pr.runner);
        harness_dump_stats("edge", pr.edge);
        fail_msg("%d of %d events arrived", pr.rec.n, pr.race.n);
    }
    harness_run_for(&m->loop, 500);
    check_stream(&pr.race, &pr.rec);
    struct bus_kafka_stats st;
    bus_kafka_get_stats(pr.runner, &st);
    assert_int_equal(st.delivery_failed, 0);
    bus_kafka_get_stats(pr.edge, &st);
    assert_int_equal(st.duplicates, 0);
    assert_int_equal(st.seq_gaps, 0);
    publisher_close(&p);
    pair_stop(m, &pr);
}

/* A broker slower than the message timeout: publish returns at once (nothing is flushed
 * on the loop), nothing is acknowledged, and every message is counted as a delivery
 * failure when it times out. Once the broker is quick again, a race goes through. */
static void test_mock_slow_broker(void **state)
{
    struct mock *m = *state;
    struct fixture_race lost, race;
    struct recorder rec;
    struct pw_bus *runner, *edge;
    struct publisher p1, p2;
    struct bus_kafka_config cfg = m->h.cfg;
    cfg.props[cfg.n_props].key = "message.timeout.ms";
    cfg.props[cfg.n_props++].value = "1500";
    fixture_race_make(&lost, "mock-slow-lost", 4, 2, 23);
    fixture_race_make(&race, "mock-slow", 8, 3, 24);
    recorder_init(&rec, "mock-slow");
    assert_int_equal(bus_kafka_create(&m->loop, &cfg, BUS_KAFKA_RUNNER, &m->h.log, &runner), 0);
    /* let the producer connect and register its schema before the broker slows down */
    assert_true(harness_run_until(&m->loop, harness_bus_healthy, runner, 10000));
    harness_run_for(&m->loop, 300);
    assert_int_equal(rd_kafka_mock_broker_set_rtt(m->mc, 1, 4000), 0);
    int n_json = 0;
    for (int i = 0; i < lost.n; i++)
        n_json += lost.ev[i].type != PW_EV_POSITIONS;
    publisher_start(&m->loop, &p1, runner, &lost, 0, lost.n, 0);
    assert_int_equal(p1.failures, 0);
    struct bus_kafka_stats st;
    bus_kafka_get_stats(runner, &st);
    assert_int_equal(st.produced, 0);
    harness_run_for(&m->loop, 3500);
    bus_kafka_get_stats(runner, &st);
    assert_int_equal(st.produced, 0);
    assert_true(st.delivery_failed >= (uint64_t)n_json);

    assert_int_equal(rd_kafka_mock_broker_set_rtt(m->mc, 1, 0), 0);
    assert_int_equal(bus_kafka_create(&m->loop, &m->h.cfg, BUS_KAFKA_EDGE, &m->h.log, &edge), 0);
    pw_bus_subscribe_events(edge, PW_BUS_ALL, recorder_on_event, &rec);
    publisher_start(&m->loop, &p2, runner, &race, 0, race.n, 0);
    struct expect all = {&rec, race.n};
    assert_true(harness_run_until(&m->loop, expect_count, &all, 60000));
    check_stream(&race, &rec);
    publisher_close(&p1);
    publisher_close(&p2);
    harness_bus_destroy(&m->loop, edge);
    harness_bus_destroy(&m->loop, runner);
    recorder_free(&rec);
    fixture_race_free(&race);
    fixture_race_free(&lost);
}

/* The events topic's partitions lose their leader mid-race (as after a broker restart,
 * when partitions come back one by one) while positions keep flowing. The positions wait
 * for the events that precede them, well past hold_ms: the brokers cannot say the edge has
 * read everything, so nothing is given up. When the leader is back, the race arrives
 * whole, in order, with no gap. */
static void test_mock_partition_slow_to_return(void **state)
{
    struct mock *m = *state;
    struct pair pr;
    struct publisher p1, p2;
    struct bus_kafka_config cfg = m->h.cfg;
    cfg.hold_ms = 1000;
    pair_start(m, &pr, &cfg, "mock-leaderless", 25);
    int half = pr.race.n / 2;
    publisher_start(&m->loop, &p1, pr.runner, &pr.race, 0, half, 0);
    struct expect w = {&pr.rec, half};
    assert_true(harness_run_until(&m->loop, expect_count, &w, 30000));

    for (int part = 0; part < 3; part++)
        assert_int_equal(rd_kafka_mock_partition_set_leader(m->mc, m->h.topics[2], part, -1), 0);
    publisher_start(&m->loop, &p2, pr.runner, &pr.race, half, pr.race.n, 0);
    harness_run_for(&m->loop, 5 * cfg.hold_ms);
    struct bus_kafka_stats st;
    bus_kafka_get_stats(pr.edge, &st);
    assert_true(pr.rec.n < pr.race.n);
    assert_int_equal(st.seq_gaps, 0);

    for (int part = 0; part < 3; part++)
        assert_int_equal(rd_kafka_mock_partition_set_leader(m->mc, m->h.topics[2], part, 1), 0);
    struct expect all = {&pr.rec, pr.race.n};
    if (!harness_run_until(&m->loop, expect_count, &all, 60000))
        harness_dump_stats("edge", pr.edge);
    harness_run_for(&m->loop, 300);
    check_stream(&pr.race, &pr.rec);
    bus_kafka_get_stats(pr.edge, &st);
    assert_int_equal(st.seq_gaps, 0);
    publisher_close(&p1);
    publisher_close(&p2);
    pair_stop(m, &pr);
}

/* An event is lost for good (never written) and the events topic then goes quiet while
 * positions keep coming: only one topic moves past the gap, so nothing proves the loss at
 * once. After hold_ms the edge asks the broker, finds it has read every partition to its
 * end, and goes on: the rest of the race arrives, the gap counted, nothing stuck. */
static void test_mock_lost_event_given_up_after_check(void **state)
{
    struct mock *m = *state;
    struct pair pr;
    struct bus_kafka_config cfg = m->h.cfg;
    cfg.hold_ms = 1000;
    pair_start(m, &pr, &cfg, "mock-lost", 26);
    int lost = -1, written = 0, last_positions = -1;
    for (int i = 0; i < pr.race.n; i++) {
        const struct pw_event *ev = &pr.race.ev[i];
        bool events_topic = ev->type != PW_EV_POSITIONS && ev->type != PW_EV_COMMENTARY;
        if (events_topic && lost < 0 && i > pr.race.n / 3)
            lost = i;
        if (events_topic && lost >= 0)
            continue; /* from the lost one on, the events topic stays quiet */
        assert_int_equal(pw_bus_publish_event(pr.runner, ev), 0);
        written++;
        if (ev->type == PW_EV_POSITIONS)
            last_positions = i;
    }
    assert_true(lost > 0 && last_positions > lost);
    struct expect all = {&pr.rec, written};
    if (!harness_run_until(&m->loop, expect_count, &all, 30000))
        harness_dump_stats("edge", pr.edge);
    assert_int_equal(pr.rec.n, written);
    struct bus_kafka_stats st;
    bus_kafka_get_stats(pr.edge, &st);
    assert_true(st.seq_gaps >= 1);
    /* the last positions tick came, after the gap, last of the race events */
    int last_race = pr.rec.n - 1;
    while (last_race > 0 && pr.rec.ev[last_race].type == PW_EV_COMMENTARY)
        last_race--;
    assert_int_equal(pr.rec.ev[last_race].seq, pr.race.ev[last_positions].seq);
    pair_stop(m, &pr);
}

int main(int argc, char **argv)
{
    if (!(env_dir = harness_env_dir(argc, argv)))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mock_broker_down_and_up, mock_setup, mock_teardown),
        cmocka_unit_test_setup_teardown(test_mock_request_errors, mock_setup, mock_teardown),
        cmocka_unit_test_setup_teardown(test_mock_slow_broker, mock_setup, mock_teardown),
        cmocka_unit_test_setup_teardown(test_mock_partition_slow_to_return, mock_setup,
                                        mock_teardown),
        cmocka_unit_test_setup_teardown(test_mock_lost_event_given_up_after_check, mock_setup,
                                        mock_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
