/* The Kafka bus against a REAL Apache Kafka 3.9 broker (single KRaft node on loopback,
 * started by the kafka_env ctest fixture) and the FAKE schema registry.
 * Usage: test_kafka_broker ENV_DIR */
#include "bus/kafka/bus_kafka.h"
#include "core/error.h"
#include "bus/kafka/avro_positions.h"
#include "bus/kafka/kafka_json.h"
#include "kafka_harness.h"

#include <arpa/inet.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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
    assert_true(harness_run_until(&c->loop, harness_bus_healthy, edge, 5000));
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
        char missing[512] = "";
        for (int i = 0, g = 0; i < half && strlen(missing) < 400; i++) {
            const struct pw_event *ev = &race.ev[i];
            if (ev->type == PW_EV_COMMENTARY)
                continue;
            bool found = false;
            for (; g < r1.n && !found; g++)
                found = r1.ev[g].type != PW_EV_COMMENTARY && r1.ev[g].seq == ev->seq;
            if (!found) {
                snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s#%llu",
                         pw_event_type_name(ev->type), (unsigned long long)ev->seq);
                g = 0;
            }
        }
        fail_msg("half=%d got %d/%d; consumed %llu/%llu produced %llu awaiting %llu gaps %llu "
                 "incomplete %llu pushed %llu dup %llu missing:%s",
                 half, r1.n, r2.n, (unsigned long long)s1.consumed,
                 (unsigned long long)s2.consumed, (unsigned long long)sr.produced,
                 (unsigned long long)sr.awaiting_schema, (unsigned long long)s1.seq_gaps,
                 (unsigned long long)s1.ticks_incomplete, (unsigned long long)s1.pushed_back,
                 (unsigned long long)s1.duplicates, missing);
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

/* An edge publishes start and stop; the runner (in its consumer group) receives them, even
 * though they are sent before its group has joined. A request left in the topic from long
 * before the runner started is skipped, not run. */
static void test_control_reaches_runner(void **state)
{
    struct ctx *c = *state;
    struct pw_bus *runner, *edge;
    struct control_rec got = {0};
    struct pw_control old = {.op = PW_CONTROL_START};
    snprintf(old.race_id, sizeof old.race_id, "ancient-race");
    char *json = kafka_json_encode_control(&old);
    rd_kafka_t *raw = harness_raw_producer(&c->h);
    assert_int_equal(rd_kafka_producev(raw, RD_KAFKA_V_TOPIC(c->h.cfg.topic_control),
                                       RD_KAFKA_V_KEY("ancient-race", 12),
                                       RD_KAFKA_V_VALUE(json, strlen(json)),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                       RD_KAFKA_V_TIMESTAMP(pw_now_ms() - 120000), RD_KAFKA_V_END),
                     0);
    assert_int_equal(rd_kafka_flush(raw, 10000), 0);
    rd_kafka_destroy(raw);
    free(json);

    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_RUNNER, &c->h.log, &runner),
                     0);
    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_EDGE, &c->h.log, &edge), 0);
    pw_bus_subscribe_control(runner, on_control, &got);
    struct pw_control start = {.op = PW_CONTROL_START, .seed = 42};
    snprintf(start.race_id, sizeof start.race_id, "ctl-race");
    snprintf(start.driver_number, sizeof start.driver_number, "81");
    assert_int_equal(pw_bus_publish_control(edge, &start), 0);
    struct pw_control stop = {.op = PW_CONTROL_STOP};
    snprintf(stop.race_id, sizeof stop.race_id, "ctl-race");
    assert_int_equal(pw_bus_publish_control(edge, &stop), 0);
    assert_true(harness_run_until(&c->loop, control_seen, &got, 30000));
    harness_run_for(&c->loop, 300);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.last.op, PW_CONTROL_STOP);
    assert_string_equal(got.last.race_id, "ctl-race");
    struct bus_kafka_stats st;
    bus_kafka_get_stats(runner, &st);
    assert_int_equal(st.stale_skipped, 1);
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
    if (!harness_run_until(&c->loop, expect_count, &w, 60000)) {
        harness_dump_stats("runner", runner);
        harness_dump_stats("edge", edge);
        fail_msg("got %d of %d", rec.n, third);
    }
    assert_true(harness_run_until(&c->loop, harness_bus_healthy, edge, 5000));
    publisher_close(&pub);

    assert_int_equal(harness_env(&c->h, "kill-broker"), 0);
    publisher_start(&c->loop, &pub2, runner, &race, third, 2 * third, 2);
    assert_true(harness_run_until(&c->loop, publisher_done, &pub2, 30000));
    assert_int_equal(pub2.failures, 0); /* publishing keeps queueing during the outage */
    assert_true(harness_run_until(&c->loop, harness_bus_unhealthy, edge, 20000));
    assert_true(harness_run_until(&c->loop, harness_bus_unhealthy, runner, 20000));
    int before = rec.n;
    harness_run_for(&c->loop, 500);
    assert_int_equal(rec.n, before); /* the edge keeps its state, nothing arrives */
    publisher_close(&pub2);

    assert_int_equal(harness_env(&c->h, "start-broker"), 0);
    publisher_start(&c->loop, &pub3, runner, &race, 2 * third, race.n, 1);
    struct expect all = {&rec, race.n};
    assert_true(harness_run_until(&c->loop, expect_count, &all, 90000));
    assert_true(harness_run_until(&c->loop, harness_bus_healthy, edge, 20000));
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

/* A commentary engine as the bus sees it: subscribed to race events only; it answers every
 * overtake with a line, numbered per race as the real engine numbers its own. */
struct fake_engine {
    struct pw_bus *bus;
    int race_events;
    uint64_t seq;
};
static void engine_on_event(void *ctx, const struct pw_event *ev)
{
    struct fake_engine *e = ctx;
    assert_int_not_equal(ev->type, PW_EV_COMMENTARY);
    e->race_events++;
    if (ev->type != PW_EV_OVERTAKE)
        return;
    struct pw_event line = {.type = PW_EV_COMMENTARY, .seq = ++e->seq, .lap = ev->lap,
                            .race_ms = ev->race_ms, .wall_ms = ev->wall_ms,
                            .kind = PW_COMMENT_INFO};
    snprintf(line.race_id, sizeof line.race_id, "%s", ev->race_id);
    snprintf(line.id, sizeof line.id, "c-%llu", (unsigned long long)e->seq);
    snprintf(line.text, sizeof line.text, "%s passes %s", ev->car, ev->other);
    assert_int_equal(pw_bus_publish_event(e->bus, &line), 0);
}

/* One process with every role (what `pitwall` with a Kafka config and no --role runs): the
 * commentary engine's race-only subscription is fed by the commentary group, the hub's
 * everything subscription by the edge consumer, and the engine's lines come back to it. */
static void test_all_roles_in_one_bus(void **state)
{
    struct ctx *c = *state;
    struct fixture_race race;
    struct recorder hub;
    struct pw_bus *bus;
    struct publisher pub;
    fixture_race_make(&race, "all-race", 10, 4, 9);
    recorder_init(&hub, "all-race");
    int overtakes = 0, race_events = 0;
    for (int i = 0; i < race.n; i++) {
        overtakes += race.ev[i].type == PW_EV_OVERTAKE;
        race_events += race.ev[i].type != PW_EV_COMMENTARY;
    }
    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_ALL, &c->h.log, &bus), 0);
    struct fake_engine engine = {.bus = bus};
    assert_int_equal(pw_bus_subscribe_events(bus, PW_BUS_RACE, engine_on_event, &engine), 0);
    assert_int_equal(pw_bus_subscribe_events(bus, PW_BUS_ALL, recorder_on_event, &hub), 0);
    /* the runner publishes race events only: commentary comes from the engine */
    for (int i = 0; i < race.n; i++)
        if (race.ev[i].type == PW_EV_COMMENTARY)
            race.ev[i].type = PW_EV_NONE;
    int n = 0;
    for (int i = 0; i < race.n; i++)
        if (race.ev[i].type != PW_EV_NONE)
            race.ev[n++] = race.ev[i];
    race.n = n;
    publisher_start(&c->loop, &pub, bus, &race, 0, race.n, 0);
    struct expect all = {&hub, race_events + overtakes};
    assert_true(harness_run_until(&c->loop, expect_count, &all, 60000));
    harness_run_for(&c->loop, 300);
    assert_int_equal(engine.race_events, race_events);
    assert_int_equal(recorder_count(&hub, PW_EV_COMMENTARY), overtakes);
    assert_int_equal(hub.n, race_events + overtakes);
    publisher_close(&pub);
    harness_bus_destroy(&c->loop, bus);
    recorder_free(&hub);
    fixture_race_free(&race);
}

static bool awaiting_schema(void *b)
{
    struct bus_kafka_stats st;
    bus_kafka_get_stats(b, &st);
    return st.awaiting_schema > 0;
}

/* A registry that wants basic auth (as Confluent Cloud's): with the key and secret the
 * positions go out and read back; with a wrong secret nothing is registered, the records
 * wait (bounded) and the failure is counted, while the other events still flow. */
static void test_registry_basic_auth(void **state)
{
    struct ctx *c = *state;
    struct fixture_race race;
    struct recorder rec;
    struct pw_bus *runner, *edge, *bad;
    struct publisher pub, pub_bad;
    struct bus_kafka_config cfg = c->h.cfg;
    char metrics[4096];
    fixture_race_make(&race, "auth-race", 6, 3, 4);
    recorder_init(&rec, "auth-race");
    cfg.schema_registry_url = c->h.registry_auth_url;
    cfg.schema_registry_api_key = "pitwall-key";
    cfg.schema_registry_secret = "pitwall-secret";
    assert_int_equal(bus_kafka_create(&c->loop, &cfg, BUS_KAFKA_RUNNER, &c->h.log, &runner), 0);
    assert_int_equal(bus_kafka_create(&c->loop, &cfg, BUS_KAFKA_EDGE, &c->h.log, &edge), 0);
    pw_bus_subscribe_events(edge, PW_BUS_ALL, recorder_on_event, &rec);
    publisher_start(&c->loop, &pub, runner, &race, 0, race.n, 0);
    struct expect all = {&rec, race.n};
    assert_true(harness_run_until(&c->loop, expect_count, &all, 60000));
    check_stream(&race, &rec);

    cfg.schema_registry_secret = "wrong";
    assert_int_equal(bus_kafka_create(&c->loop, &cfg, BUS_KAFKA_RUNNER, &c->h.log, &bad), 0);
    struct fixture_race other;
    fixture_race_make(&other, "auth-race-2", 6, 1, 4);
    publisher_start(&c->loop, &pub_bad, bad, &other, 0, other.n, 0);
    assert_int_equal(pub_bad.failures, 0);
    assert_true(harness_run_until(&c->loop, awaiting_schema, bad, 5000));
    harness_run_for(&c->loop, 500);
    assert_true(bus_kafka_format_metrics(bad, metrics, sizeof metrics) > 0);
    assert_null(strstr(metrics, "pitwall_kafka_registry_requests_total{result=\"failed\"} 0\n"));
    assert_null(strstr(metrics, "pitwall_kafka_awaiting_schema 0\n"));
    publisher_close(&pub);
    publisher_close(&pub_bad);
    harness_bus_destroy(&c->loop, bad);
    harness_bus_destroy(&c->loop, edge);
    harness_bus_destroy(&c->loop, runner);
    recorder_free(&rec);
    fixture_race_free(&race);
    fixture_race_free(&other);
}

static bool registry_failed_twice(void *bus)
{
    char metrics[4096];
    unsigned long long failed = 0;
    if (bus_kafka_format_metrics(bus, metrics, sizeof metrics) < 0)
        return false;
    const char *p = strstr(metrics, "pitwall_kafka_registry_requests_total{result=\"failed\"} ");
    return p && sscanf(strchr(p, ' ') + 1, "%llu", &failed) == 1 && failed >= 2;
}

/* The edge's registry is down when the positions arrive: the messages wait (nothing is
 * dropped as poison) while the fetch is retried; once a registry answers on that address,
 * the race arrives whole. (The registry started late is another instance of the FAKE.) */
static void test_registry_down_then_up(void **state)
{
    struct ctx *c = *state;
    struct fixture_race race;
    struct recorder rec;
    struct pw_bus *runner, *edge;
    struct publisher pub;
    char url[128], cmd[4096], dir[600];
    fixture_race_make(&race, "regdown-race", 6, 3, 8);
    recorder_init(&rec, "regdown-race");
    /* a free port with nothing behind it yet */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    int port = ntohs(sa.sin_port);
    close(fd);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);

    assert_int_equal(bus_kafka_create(&c->loop, &c->h.cfg, BUS_KAFKA_RUNNER, &c->h.log, &runner),
                     0);
    publisher_start(&c->loop, &pub, runner, &race, 0, race.n, 0);
    struct bus_kafka_config cfg = c->h.cfg;
    cfg.schema_registry_url = url;
    assert_int_equal(bus_kafka_create(&c->loop, &cfg, BUS_KAFKA_EDGE, &c->h.log, &edge), 0);
    pw_bus_subscribe_events(edge, PW_BUS_ALL, recorder_on_event, &rec);
    assert_true(harness_run_until(&c->loop, registry_failed_twice, edge, 30000));
    struct bus_kafka_stats st;
    bus_kafka_get_stats(edge, &st);
    assert_int_equal(st.poison_unknown_schema, 0);
    assert_true(rec.n < race.n);

    /* a registry comes up there, knowing the same schema under the same id */
    snprintf(dir, sizeof dir, "%s/late-registry", c->h.env_dir);
    snprintf(cmd, sizeof cmd,
             "rm -f %s.port; python3 %s/tools/kafka/fake_schema_registry.py %s.port %d "
             "> /dev/null 2>&1 & echo $! > %s.pid; "
             "for i in $(seq 100); do [ -f %s.port ] && break; sleep 0.1; done; [ -f %s.port ]",
             dir, PITWALL_SOURCE_DIR, dir, port, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    struct harness late = c->h;
    snprintf(late.registry_url, sizeof late.registry_url, "%s", url);
    assert_int_equal(harness_register_schema(&late, "f1-driver-positions-value",
                                             avro_positions_schema_json),
                     harness_register_schema(&c->h, "f1-driver-positions-value",
                                             avro_positions_schema_json));
    struct expect all = {&rec, race.n};
    assert_true(harness_run_until(&c->loop, expect_count, &all, 60000));
    check_stream(&race, &rec);
    bus_kafka_get_stats(edge, &st);
    assert_int_equal(st.poison_unknown_schema, 0);
    assert_int_equal(st.seq_gaps, 0);
    publisher_close(&pub);
    harness_bus_destroy(&c->loop, edge);
    harness_bus_destroy(&c->loop, runner);
    recorder_free(&rec);
    fixture_race_free(&race);
}

/* Topics made by hand with different partition counts are refused: a commentary worker
 * would own half a race. */
static void test_topics_must_be_copartitioned(void **state)
{
    struct ctx *c = *state;
    struct bus_kafka_config cfg = c->h.cfg;
    char commentary[128], events[128], control[128];
    snprintf(commentary, sizeof commentary, "%s-x", cfg.topic_commentary);
    snprintf(events, sizeof events, "%s-x", cfg.topic_events);
    snprintf(control, sizeof control, "%s-x", cfg.topic_control);
    /* the positions topic exists with 3 partitions (setup); the others get 2 */
    cfg.topic_commentary = commentary;
    cfg.topic_events = events;
    cfg.topic_control = control;
    assert_int_equal(bus_kafka_ensure_topics(&cfg, 2, 1, 20000, NULL), PW_ESTATE);
    /* as they are now, again: still refused; the original set is fine */
    assert_int_equal(bus_kafka_ensure_topics(&cfg, 3, 1, 20000, NULL), PW_ESTATE);
    assert_int_equal(bus_kafka_ensure_topics(&c->h.cfg, 3, 1, 20000, NULL), 0);
}

static int setup_topics(void **s) { return setup(s, "topics"); }
static int setup_regdown(void **s) { return setup(s, "regdown"); }
static int teardown_regdown(void **state)
{
    struct ctx *c = *state;
    char cmd[1400];
    /* the late registry goes whatever the test's outcome */
    snprintf(cmd, sizeof cmd,
             "p=%s/late-registry; [ -f $p.pid ] && kill $(cat $p.pid); rm -f $p.pid $p.port",
             c->h.env_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not stop the late registry\n");
    return teardown(state);
}
static int setup_all(void **s) { return setup(s, "all"); }
static int setup_auth(void **s) { return setup(s, "auth"); }
static int setup_e2e(void **s) { return setup(s, "e2e"); }
static int setup_edges(void **s) { return setup(s, "edges"); }
static int setup_ctl(void **s) { return setup(s, "ctl"); }
static int setup_outage(void **s) { return setup(s, "outage"); }

int main(int argc, char **argv)
{
    if (!(env_dir = harness_env_dir(argc, argv)))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_race_end_to_end, setup_e2e, teardown),
        cmocka_unit_test_setup_teardown(test_two_edges_and_late_edge, setup_edges, teardown),
        cmocka_unit_test_setup_teardown(test_control_reaches_runner, setup_ctl, teardown),
        cmocka_unit_test_setup_teardown(test_all_roles_in_one_bus, setup_all, teardown),
        cmocka_unit_test_setup_teardown(test_registry_basic_auth, setup_auth, teardown),
        cmocka_unit_test_setup_teardown(test_topics_must_be_copartitioned, setup_topics,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_registry_down_then_up, setup_regdown,
                                        teardown_regdown),
        cmocka_unit_test_setup_teardown(test_broker_killed_mid_race, setup_outage, teardown),
    };
    /* one test alone, to rerun a flaky one in a loop; PW_TEST_VERBOSE=1 and
     * PW_TEST_RDKAFKA_DEBUG=cgrp,fetch,msg,... (kafka_harness.c) show what the clients did */
    if (getenv("PW_TEST_ONLY"))
        cmocka_set_test_filter(getenv("PW_TEST_ONLY"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
