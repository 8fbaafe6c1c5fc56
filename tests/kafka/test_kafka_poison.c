/* Poison messages of every kind, and records written with the original app's schema,
 * against the REAL broker and the FAKE registry: each poison message is skipped and counted
 * under its reason, and the race around it arrives intact. Usage: test_kafka_poison ENV_DIR */
#include "bus/kafka/avro_positions.h"
#include "bus/kafka/bus_kafka.h"
#include "kafka_harness.h"

#include <librdkafka/rdkafka.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *env_dir;

/* A record in the original's schema, written with Avro C as another producer would. */
static size_t original_record(const char *driver, int position, int64_t ts, const char *race,
                              char *buf, size_t len, int32_t id)
{
    avro_schema_t s;
    avro_value_iface_t *iface;
    avro_value_t v, f, br;
    assert_int_equal(avro_schema_from_json_length(avro_positions_original_schema_json,
                                                  strlen(avro_positions_original_schema_json),
                                                  &s),
                     0);
    iface = avro_generic_class_from_schema(s);
    avro_generic_value_new(iface, &v);
    avro_value_get_by_name(&v, "driver_name", &f, NULL);
    avro_value_set_string(&f, driver);
    avro_value_get_by_name(&v, "position", &f, NULL);
    avro_value_set_int(&f, position);
    avro_value_get_by_name(&v, "timestamp", &f, NULL);
    avro_value_set_long(&f, ts);
    avro_value_get_by_name(&v, "race_id", &f, NULL);
    avro_value_set_branch(&f, 1, &br);
    avro_value_set_string(&br, race);
    avro_wire_header_put(buf, id);
    avro_writer_t w = avro_writer_memory(buf + AVRO_WIRE_HEADER, (int64_t)len - AVRO_WIRE_HEADER);
    assert_int_equal(avro_value_write(w, &v), 0);
    size_t n = AVRO_WIRE_HEADER + (size_t)avro_writer_tell(w);
    avro_writer_free(w);
    avro_value_decref(&v);
    avro_value_iface_decref(iface);
    avro_schema_decref(s);
    return n;
}

static bool both(void *p)
{
    struct expect *e = p;
    return expect_count(&e[0]) && expect_count(&e[1]);
}

static void test_poison_and_original_schema(void **state)
{
    (void)state;
    uv_loop_t loop;
    struct harness h;
    struct fixture_race race;
    struct recorder rec, orig;
    struct pw_bus *runner, *edge;
    struct publisher pub;
    char buf[512];
    uv_loop_init(&loop);
    assert_int_equal(harness_init(&h, env_dir, "poison", NULL), 0);
    assert_int_equal(bus_kafka_ensure_topics(&h.cfg, 3, 1, 20000, &h.log), 0);
    fixture_race_make(&race, "poison-race", 10, 4, 5);
    recorder_init(&rec, "poison-race");
    recorder_init(&orig, "orig-race");

    int pitwall_id = harness_register_schema(&h, "f1-driver-positions-value",
                                             avro_positions_schema_json);
    int original_id = harness_register_schema(&h, "f1-driver-positions-value",
                                              avro_positions_original_schema_json);
    assert_true(pitwall_id > 0 && original_id > 0 && pitwall_id != original_id);

    rd_kafka_t *raw = harness_raw_producer(&h);
    assert_non_null(raw);
    const char *pos = h.cfg.topic_positions, *key = "poison-race";
    /* wrong magic byte */
    const char bad_magic[] = {1, 0, 0, 0, 1, 2, 3};
    assert_int_equal(harness_raw_produce(raw, pos, key, bad_magic, sizeof bad_magic), 0);
    /* a schema id the registry does not know */
    avro_wire_header_put(buf, 987654);
    memcpy(buf + 5, "\x02x", 2);
    assert_int_equal(harness_raw_produce(raw, pos, key, buf, 7), 0);
    /* corrupt Avro: a string length of 2^62 after a valid header */
    avro_wire_header_put(buf, pitwall_id);
    memcpy(buf + 5, "\xfe\xff\xff\xff\xff\xff\xff\xff\x7f", 9);
    assert_int_equal(harness_raw_produce(raw, pos, key, buf, 14), 0);
    /* corrupt Avro: a record cut short */
    size_t n = original_record("Lando Norris", 1, 1, "poison-race", buf, sizeof buf,
                               original_id);
    assert_int_equal(harness_raw_produce(raw, pos, key, buf, n - 3), 0);
    /* bad JSON on both JSON topics */
    assert_int_equal(harness_raw_produce(raw, h.cfg.topic_events, key, "{\"type\":", 8), 0);
    assert_int_equal(harness_raw_produce(raw, h.cfg.topic_commentary, key, "\xff\xfe", 2), 0);
    /* JSON that parses but is no race event */
    const char *alien = "{\"type\":\"weather\",\"race_id\":\"poison-race\"}";
    assert_int_equal(harness_raw_produce(raw, h.cfg.topic_events, key, alien, strlen(alien)),
                     0);
    /* the original app's records: two ticks of three cars, no seq */
    const char *drivers[] = {"Max Verstappen", "Lando Norris", "Oscar Piastri"};
    for (int t = 0; t < 2; t++) {
        for (int i = 0; i < 3; i++) {
            n = original_record(drivers[(i + t) % 3], i + 1, 1732790000000LL + t * 1000,
                                "orig-race", buf, sizeof buf, original_id);
            assert_int_equal(harness_raw_produce(raw, pos, "orig-race", buf, n), 0);
        }
    }
    rd_kafka_destroy(raw);

    assert_int_equal(bus_kafka_create(&loop, &h.cfg, BUS_KAFKA_RUNNER, &h.log, &runner), 0);
    assert_int_equal(bus_kafka_create(&loop, &h.cfg, BUS_KAFKA_EDGE, &h.log, &edge), 0);
    pw_bus_subscribe_events(edge, PW_BUS_ALL, recorder_on_event, &rec);
    pw_bus_subscribe_events(edge, PW_BUS_ALL, recorder_on_event, &orig);
    publisher_start(&loop, &pub, runner, &race, 0, race.n, 0);
    struct expect want[2] = {{&rec, race.n}, {&orig, 2}};
    assert_true(harness_run_until(&loop, both, want, 60000));
    harness_run_for(&loop, 300);

    char why[256] = "";
    if (!fixture_check_stream(&race, &rec, why, sizeof why))
        fail_msg("%s", why);
    assert_int_equal(orig.n, 2);
    assert_int_equal(orig.ev[0].type, PW_EV_POSITIONS);
    assert_int_equal(orig.states[0].n_cars, 3);
    assert_string_equal(orig.states[0].cars[0].driver.name, "Max Verstappen");
    assert_string_equal(orig.states[1].cars[0].driver.name, "Lando Norris");
    assert_int_equal(orig.ev[1].wall_ms, 1732790001000LL);

    struct bus_kafka_stats st;
    bus_kafka_get_stats(edge, &st);
    assert_int_equal(st.poison_bad_magic, 1);
    assert_int_equal(st.poison_unknown_schema, 1);
    assert_int_equal(st.poison_bad_avro, 2);
    assert_int_equal(st.poison_bad_json, 2);
    assert_int_equal(st.poison_other, 1);
    char metrics[4096];
    assert_true(bus_kafka_format_metrics(edge, metrics, sizeof metrics) > 0);
    assert_non_null(strstr(metrics, "pitwall_kafka_poison_total{reason=\"bad_avro\"} 2\n"));

    publisher_close(&pub);
    harness_bus_destroy(&loop, edge);
    harness_bus_destroy(&loop, runner);
    recorder_free(&rec);
    recorder_free(&orig);
    fixture_race_free(&race);
    uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(int argc, char **argv)
{
    if (!(env_dir = harness_env_dir(argc, argv)))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poison_and_original_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
