/* The Kafka bus against a REAL Apache Kafka 3.9 broker (single KRaft node on loopback,
 * started by the kafka_env ctest fixture) and the FAKE schema registry.
 * Usage: test_kafka_broker ENV_DIR */
#include "bus/bus_kafka.h"
#include "core/error.h"
#include "kafka_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *env_dir;

struct ctx {
    uv_loop_t loop;
    struct harness h;
};

static int setup(void **state, const char *prefix)
{
    struct ctx *c = calloc(1, sizeof *c);
    uv_loop_init(&c->loop);
    assert_int_equal(harness_init(&c->h, env_dir, prefix, NULL), 0);
    assert_int_equal(bus_kafka_ensure_topics(&c->h.cfg, 3, 1, 20000, &c->h.log), 0);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    uv_run(&c->loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&c->loop), 0);
    free(c);
    return 0;
}

static bool bus_unhealthy(void *b)
{
    return !((struct pw_bus *)b)->ops->healthy(b);
}
static bool bus_healthy(void *b)
{
    return ((struct pw_bus *)b)->ops->healthy(b);
}

static void check_stream(const struct fixture_race *race, const struct recorder *rec)
{
    char why[256] = "";
    if (!fixture_check_stream(race, rec, why, sizeof why))
        fail_msg("%s", why);
}

/* A full race published by a RUNNER bus arrives complete, in order and equal at an EDGE. */
static void test_full_race_end_to_end(void **state)
{
    struct ctx *c = *state;
    struct fixture_race race;
    struct recorder rec;
    struct pw_bus *runner, *edge;
    struct publisher pub;
    fixture_race_make(&race, "e2e-race", 20, 10, 1);
    recorder_init(&rec, "e2e-race");
    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_RUNNER, &c->h.log, &runner),
                     0);
    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_EDGE, &c->h.log, &edge), 0);
    assert_int_equal(pw_bus_subscribe_events(edge, PW_BUS_ALL, recorder_on_event, &rec), 0);
    publisher_start(&c->loop, &pub, runner, &race, 0, race.n, 0);
    assert_int_equal(pub.failures, 0);
    struct expect want = {&rec, race.n};
    assert_true(harness_run_until(&c->loop, expect_count, &want, 60000));
    harness_run_for(&c->loop, 300); /* nothing extra may follow */
    check_stream(&race, &rec);
    struct bus_kafka_stats st;
    bus_kafka_get_stats(runner, &st);
    assert_int_equal(st.delivery_failed, 0);
    bus_kafka_get_stats(edge, &st);
    assert_int_equal(st.poison_bad_magic + st.poison_unknown_schema + st.poison_bad_avro +
                         st.poison_bad_json + st.poison_other,
                     0);
    assert_int_equal(st.seq_gaps, 0);
    assert_true(harness_run_until(&c->loop, bus_healthy, edge, 5000));
    char metrics[4096];
    assert_true(bus_kafka_format_metrics(edge, metrics, sizeof metrics) > 0);
    if (!strstr(metrics, "pitwall_kafka_brokers_up 1\n"))
        fail_msg("%s", strstr(metrics, "pitwall_kafka_brokers_up "));
    assert_int_equal(bus_kafka_format_metrics(edge, metrics, 10), -ENOSPC);
    publisher_close(&pub);
    harness_bus_destroy(&c->loop, edge);
    harness_bus_destroy(&c->loop, runner);
    recorder_free(&rec);
    fixture_race_free(&race);
}

struct two {
    struct expect a, b;
};
static bool both_done(void *p)
{
    struct two *t = p;
    return expect_count(&t->a) && expect_count(&t->b);
}

/* Two edges stream the same race identically; a third that starts after half the race has
 * been published catches up to the same state. A control request reaches the runner. */
static void test_two_edges_and_late_edge(void **state)
{
    struct ctx *c = *state;
    struct fixture_race race;
    struct recorder r1, r2, r3;
    struct pw_bus *runner, *e1, *e2, *e3;
    struct publisher pub, pub2;
    fixture_race_make(&race, "edges-race", 20, 8, 2);
    recorder_init(&r1, "edges-race");
    recorder_init(&r2, "edges-race");
    recorder_init(&r3, "edges-race");
    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_RUNNER, &c->h.log, &runner),
                     0);
    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_EDGE, &c->h.log, &e1), 0);
    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_EDGE, &c->h.log, &e2), 0);
    pw_bus_subscribe_events(e1, PW_BUS_ALL, recorder_on_event, &r1);
    pw_bus_subscribe_events(e2, PW_BUS_ALL, recorder_on_event, &r2);
    int half = race.n / 2;
    publisher_start(&c->loop, &pub, runner, &race, 0, half, 2);
    struct two t = {{&r1, half}, {&r2, half}};
    if (!harness_run_until(&c->loop, both_done, &t, 60000)) {
        struct bus_kafka_stats s1, s2, sr;
        bus_kafka_get_stats(e1, &s1);
        bus_kafka_get_stats(e2, &s2);
        bus_kafka_get_stats(runner, &sr);
        fail_msg("half=%d got %d/%d; consumed %llu/%llu produced %llu awaiting %llu gaps %llu",
                 half, r1.n, r2.n, (unsigned long long)s1.consumed,
                 (unsigned long long)s2.consumed, (unsigned long long)sr.produced,
                 (unsigned long long)sr.awaiting_schema, (unsigned long long)s1.seq_gaps);
    }
    publisher_close(&pub);
    /* mid-race: a new edge joins */
    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_EDGE, &c->h.log, &e3), 0);
    pw_bus_subscribe_events(e3, PW_BUS_ALL, recorder_on_event, &r3);
    publisher_start(&c->loop, &pub2, runner, &race, half, race.n, 2);
    struct two t2 = {{&r1, race.n}, {&r2, race.n}};
    assert_true(harness_run_until(&c->loop, both_done, &t2, 60000));
    struct expect w3 = {&r3, race.n};
    assert_true(harness_run_until(&c->loop, expect_count, &w3, 60000));
    check_stream(&race, &r1);
    check_stream(&race, &r2);
    check_stream(&race, &r3);
    /* the late edge's last state is the race's final state */
    const struct pw_race_state *final = recorder_last_positions(&r3);
    assert_non_null(final);
    assert_true(final->finished);
    const struct fixture_race *fr = &race;
    const struct pw_race_state *want = NULL;
    for (int i = fr->n - 1; i >= 0 && !want; i--)
        if (fr->ev[i].type == PW_EV_POSITIONS)
            want = fr->ev[i].state;
    assert_true(fixture_state_equal(final, want));
    publisher_close(&pub2);
    harness_bus_destroy(&c->loop, e3);
    harness_bus_destroy(&c->loop, e2);
    harness_bus_destroy(&c->loop, e1);
    harness_bus_destroy(&c->loop, runner);
    recorder_free(&r1);
    recorder_free(&r2);
    recorder_free(&r3);
    fixture_race_free(&race);
}

struct control_rec {
    int n;
    struct pw_control last;
};
static void on_control(void *ctx, const struct pw_control *ctl)
{
    struct control_rec *r = ctx;
    r->n++;
    r->last = *ctl;
}
static bool control_seen(void *p)
{
    return ((struct control_rec *)p)->n >= 2;
}

/* An edge publishes start and stop; the runner (in its consumer group) receives them. */
static void test_control_reaches_runner(void **state)
{
    struct ctx *c = *state;
    struct pw_bus *runner, *edge;
    struct control_rec got = {0};
    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_RUNNER, &c->h.log, &runner),
                     0);
    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_EDGE, &c->h.log, &edge), 0);
    pw_bus_subscribe_control(runner, on_control, &got);
    /* the runner's group starts at the end of the topic: let it join first */
    harness_run_for(&c->loop, 4000);
    struct pw_control start = {.op = PW_CONTROL_START, .seed = 42};
    snprintf(start.race_id, sizeof start.race_id, "ctl-race");
    snprintf(start.driver_number, sizeof start.driver_number, "81");
    assert_int_equal(pw_bus_publish_control(edge, &start), 0);
    struct pw_control stop = {.op = PW_CONTROL_STOP};
    snprintf(stop.race_id, sizeof stop.race_id, "ctl-race");
    assert_int_equal(pw_bus_publish_control(edge, &stop), 0);
    assert_true(harness_run_until(&c->loop, control_seen, &got, 30000));
    assert_int_equal(got.n, 2);
    assert_int_equal(got.last.op, PW_CONTROL_STOP);
    assert_string_equal(got.last.race_id, "ctl-race");
    harness_bus_destroy(&c->loop, edge);
    harness_bus_destroy(&c->loop, runner);
}


/* The broker is killed (-9) mid-race while the runner keeps publishing; both buses report
 * unhealthy; the broker comes back on the same data; the edge ends up with every event,
 * nothing missed, nothing twice. */
static void test_broker_killed_mid_race(void **state)
{
    struct ctx *c = *state;
    struct fixture_race race;
    struct recorder rec;
    struct pw_bus *runner, *edge;
    struct publisher pub, pub2, pub3;
    fixture_race_make(&race, "outage-race", 20, 8, 3);
    recorder_init(&rec, "outage-race");
    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_RUNNER, &c->h.log, &runner),
                     0);
    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_EDGE, &c->h.log, &edge), 0);
    pw_bus_subscribe_events(edge, PW_BUS_ALL, recorder_on_event, &rec);
    int third = race.n / 3;
    publisher_start(&c->loop, &pub, runner, &race, 0, third, 1);
    struct expect w = {&rec, third};
    assert_true(harness_run_until(&c->loop, expect_count, &w, 60000));
    assert_true(harness_run_until(&c->loop, bus_healthy, edge, 5000));
    publisher_close(&pub);

    assert_int_equal(harness_env(&c->h, "kill-broker"), 0);
    publisher_start(&c->loop, &pub2, runner, &race, third, 2 * third, 2);
    assert_true(harness_run_until(&c->loop, publisher_done, &pub2, 30000));
    assert_int_equal(pub2.failures, 0); /* publishing keeps queueing during the outage */
    assert_true(harness_run_until(&c->loop, bus_unhealthy, edge, 20000));
    assert_true(harness_run_until(&c->loop, bus_unhealthy, runner, 20000));
    int before = rec.n;
    harness_run_for(&c->loop, 500);
    assert_int_equal(rec.n, before); /* the edge keeps its state, nothing arrives */
    publisher_close(&pub2);

    assert_int_equal(harness_env(&c->h, "start-broker"), 0);
    publisher_start(&c->loop, &pub3, runner, &race, 2 * third, race.n, 1);
    struct expect all = {&rec, race.n};
    assert_true(harness_run_until(&c->loop, expect_count, &all, 90000));
    assert_true(harness_run_until(&c->loop, bus_healthy, edge, 20000));
    harness_run_for(&c->loop, 500);
    check_stream(&race, &rec);
    struct bus_kafka_stats st;
    bus_kafka_get_stats(runner, &st);
    assert_int_equal(st.delivery_failed, 0);
    bus_kafka_get_stats(edge, &st);
    assert_int_equal(st.seq_gaps, 0);
    publisher_close(&pub3);
    harness_bus_destroy(&c->loop, edge);
    harness_bus_destroy(&c->loop, runner);
    recorder_free(&rec);
    fixture_race_free(&race);
}

static int setup_e2e(void **s) { return setup(s, "e2e"); }
static int setup_edges(void **s) { return setup(s, "edges"); }
static int setup_ctl(void **s) { return setup(s, "ctl"); }
static int setup_outage(void **s) { return setup(s, "outage"); }

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ENV_DIR\n", argv[0]);
        return 2;
    }
    env_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_race_end_to_end, setup_e2e, teardown),
        cmocka_unit_test_setup_teardown(test_two_edges_and_late_edge, setup_edges, teardown),
        cmocka_unit_test_setup_teardown(test_control_reaches_runner, setup_ctl, teardown),
        cmocka_unit_test_setup_teardown(test_broker_killed_mid_race, setup_outage, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
