/* Kafka bus parts that need no broker: the Avro record codec and its validator, the JSON
 * codecs, stream reassembly/merging (kafka_stream) and the client settings (kafka_conf). */
#include "bus/kafka/avro_cache.h"
#include "bus/kafka/avro_positions.h"
#include "bus/kafka/kafka_conf.h"
#include "bus/kafka/kafka_json.h"
#include "bus/kafka/kafka_stream.h"
#include "core/error.h"
#include "race_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const struct pw_event *first_of(const struct fixture_race *r, enum pw_event_type t, int skip)
{
    for (int i = 0; i < r->n; i++) {
        if (r->ev[i].type == t && skip-- == 0)
            return &r->ev[i];
    }
    return NULL;
}

/* Writes one record with Avro C through the generic value of `schema_json`, the way
 * another producer (the original app) would. */
static int write_with_schema(const char *schema_json, const char *driver, int position, int64_t ts,
                             const char *race_id, char *buf, size_t len)
{
    avro_schema_t s;
    avro_value_iface_t *iface;
    avro_value_t v, f, br;
    assert_int_equal(avro_schema_from_json_length(schema_json, strlen(schema_json), &s), 0);
    iface = avro_generic_class_from_schema(s);
    assert_int_equal(avro_generic_value_new(iface, &v), 0);
    assert_int_equal(avro_value_get_by_name(&v, "driver_name", &f, NULL), 0);
    avro_value_set_string(&f, driver);
    assert_int_equal(avro_value_get_by_name(&v, "position", &f, NULL), 0);
    avro_value_set_int(&f, position);
    assert_int_equal(avro_value_get_by_name(&v, "timestamp", &f, NULL), 0);
    avro_value_set_long(&f, ts);
    assert_int_equal(avro_value_get_by_name(&v, "race_id", &f, NULL), 0);
    if (race_id) {
        avro_value_set_branch(&f, 1, &br);
        avro_value_set_string(&br, race_id);
    } else {
        avro_value_set_branch(&f, 0, &br);
        avro_value_set_null(&br);
    }
    avro_writer_t w = avro_writer_memory(buf, (int64_t)len);
    assert_int_equal(avro_value_write(w, &v), 0);
    int n = (int)avro_writer_tell(w);
    avro_writer_free(w);
    avro_value_decref(&v);
    avro_value_iface_decref(iface);
    avro_schema_decref(s);
    return n;
}

/* pitwall's own record codec and the registry cache holding its schema, as a reader has them. */
struct avro_codec {
    struct avro_positions ap;
    struct avro_cache cache;
    struct avro_cache_entry *entry;
    char buf[AVRO_POSITIONS_MAX];
};

static void codec_open(struct avro_codec *k)
{
    memset(k, 0, sizeof *k);
    assert_int_equal(avro_positions_init(&k->ap), 0);
    assert_int_equal(avro_cache_put(&k->cache, 4, avro_positions_schema_json), 0);
    k->entry = avro_cache_get(&k->cache, 4);
    assert_non_null(k->entry);
}

static void codec_close(struct avro_codec *k)
{
    avro_cache_clear(&k->cache);
    avro_positions_destroy(&k->ap);
}

/* Car `i` of `tick` written, checked by the validator and read back. */
static void codec_roundtrip(struct avro_codec *k, const struct pw_event *tick, int i,
                            struct avro_positions_record *rec)
{
    int n = avro_positions_encode(&k->ap, tick, i, k->buf, sizeof k->buf);
    assert_true(n > 0);
    assert_int_equal(avro_positions_validate(k->entry->schema, k->buf, (size_t)n), 0);
    assert_int_equal(avro_positions_decode(&k->entry->value, k->buf, (size_t)n, rec), 0);
}

/* A state of `n` cars numbered from `first_number`, in that order. */
static struct pw_race_state *numbered_state(int n, int first_number)
{
    struct pw_race_state *st = calloc(1, sizeof *st);
    assert_non_null(st);
    st->n_cars = n;
    for (int i = 0; i < n; i++) {
        snprintf(st->cars[i].driver.number, sizeof st->cars[i].driver.number, "%d",
                 first_number + i);
        st->cars[i].position = i + 1;
    }
    return st;
}

static void test_avro_roundtrip(void **state)
{
    (void)state;
    struct fixture_race r;
    struct avro_positions ap;
    struct avro_cache cache = {0};
    char buf[AVRO_POSITIONS_MAX];
    fixture_race_make(&r, "race-avro", 20, 6, 7);
    assert_int_equal(avro_positions_init(&ap), 0);
    assert_int_equal(avro_cache_put(&cache, 3, avro_positions_schema_json), 0);
    struct avro_cache_entry *e = avro_cache_get(&cache, 3);
    assert_non_null(e);
    assert_true(e->readable);
    const struct pw_event *tick = first_of(&r, PW_EV_POSITIONS, 9);
    assert_non_null(tick);
    for (int i = 0; i < tick->state->n_cars; i++) {
        struct avro_positions_record rec;
        int n = avro_positions_encode(&ap, tick, i, buf, sizeof buf);
        assert_true(n > 0);
        assert_int_equal(avro_positions_validate(e->schema, buf, (size_t)n), 0);
        assert_int_equal(avro_positions_decode(&e->value, buf, (size_t)n, &rec), 0);
        assert_string_equal(rec.race_id, "race-avro");
        assert_int_equal(rec.seq, tick->seq);
        assert_int_equal(rec.n_cars, 20);
        assert_int_equal(rec.timestamp, tick->wall_ms);
        assert_int_equal(rec.race_ms, tick->state->race_ms);
        assert_int_equal(rec.lap, tick->state->lap);
        assert_string_equal(rec.circuit, "Monza");
        struct pw_car want = tick->state->cars[i];
        assert_int_equal(rec.car.position, i + 1);
        assert_string_equal(rec.car.driver.name, want.driver.name);
        assert_string_equal(rec.car.driver.team_color, want.driver.team_color);
        assert_int_equal(rec.car.gap_ms, want.gap_ms);
        assert_int_equal(rec.car.sectors_ms[0], want.sectors_ms[0]);
        assert_int_equal(rec.car.sectors_ms[2], want.sectors_ms[2]);
        assert_int_equal(rec.car.tyre, want.tyre);
        assert_int_equal(rec.car.tyre_new, want.tyre_new);
        /* a truncated body is refused by the validator before Avro C reads it */
        assert_int_equal(avro_positions_validate(e->schema, buf, (size_t)n - 1), PW_EPARSE);
        /* trailing bytes too */
        assert_int_equal(avro_positions_validate(e->schema, buf, (size_t)n + 1), PW_EPARSE);
    }
    avro_cache_clear(&cache);
    avro_positions_destroy(&ap);
    fixture_race_free(&r);
}

/* A qualifying tick's session fields and per-car figures cross the Avro topic; a race's
 * read back as a race with zeroes. */
static void test_avro_session_fields(void **state)
{
    (void)state;
    struct avro_codec k;
    codec_open(&k);
    struct pw_race_state *st = numbered_state(2, 10);
    st->kind = PW_SESSION_QUALIFYING;
    st->clock_ms = 617083;
    st->session_part = 1;
    st->cutoff_position = 1;
    for (int i = 0; i < 2; i++) {
        struct pw_car *c = &st->cars[i];
        c->best_sectors_ms[1] = 41049 + i;
        c->part_best_ms[0] = 101887 + i;
        c->stints = 2;
        c->knocked_out_part = i;
        c->deleted_laps = i;
    }
    struct pw_event tick = {.type = PW_EV_POSITIONS, .state = st, .seq = 5, .wall_ms = 1000};
    snprintf(tick.race_id, sizeof tick.race_id, "q");
    struct avro_positions_record rec;
    for (int i = 0; i < 2; i++) {
        codec_roundtrip(&k, &tick, i, &rec);
        assert_int_equal(rec.kind, PW_SESSION_QUALIFYING);
        assert_int_equal(rec.clock_ms, 617083);
        assert_int_equal(rec.session_part, 1);
        assert_int_equal(rec.cutoff_position, 1);
        assert_memory_equal(rec.car.best_sectors_ms, st->cars[i].best_sectors_ms,
                            sizeof rec.car.best_sectors_ms);
        assert_memory_equal(rec.car.part_best_ms, st->cars[i].part_best_ms,
                            sizeof rec.car.part_best_ms);
        assert_int_equal(rec.car.stints, 2);
        assert_int_equal(rec.car.knocked_out_part, i);
        assert_int_equal(rec.car.deleted_laps, i);
    }
    memset(st, 0, sizeof *st);
    st->n_cars = 1;
    st->cars[0].position = 1;
    codec_roundtrip(&k, &tick, 0, &rec);
    assert_int_equal(rec.kind, PW_SESSION_RACE);
    assert_int_equal(rec.car.part_best_ms[0], 0);
    free(st);
    codec_close(&k);
}

/* A race with the stewards on: each car's penalties and the race's "penalties known" cross
 * the Avro topic; a race without them reads back as unknown with zeroes. */
static void test_avro_penalty_fields(void **state)
{
    (void)state;
    struct avro_codec k;
    codec_open(&k);
    struct pw_race_state *st = numbered_state(3, 20);
    st->penalties_known = true;
    st->cars[0].penalty_s = 15;
    st->cars[1].drive_through = true;
    st->cars[2].black_white = true;
    st->cars[2].deleted_laps = 3;
    struct pw_event tick = {.type = PW_EV_POSITIONS, .state = st, .seq = 9, .wall_ms = 1000};
    snprintf(tick.race_id, sizeof tick.race_id, "p");
    struct avro_positions_record rec;
    for (int i = 0; i < 3; i++) {
        codec_roundtrip(&k, &tick, i, &rec);
        assert_true(rec.penalties_known);
        assert_int_equal(rec.car.penalty_s, i == 0 ? 15 : 0);
        assert_int_equal(rec.car.drive_through, i == 1);
        assert_int_equal(rec.car.black_white, i == 2);
        assert_int_equal(rec.car.deleted_laps, i == 2 ? 3 : 0);
    }
    memset(st, 0, sizeof *st);
    st->n_cars = 1;
    st->cars[0].position = 1;
    codec_roundtrip(&k, &tick, 0, &rec);
    assert_false(rec.penalties_known);
    assert_int_equal(rec.car.penalty_s, 0);
    free(st);
    codec_close(&k);
}

/* A simulation's damage crosses the Avro topic car by car; a replay's reads back unknown. */
static void test_avro_damage_fields(void **state)
{
    (void)state;
    struct avro_codec k;
    codec_open(&k);
    struct pw_race_state *st = numbered_state(4, 30);
    st->damage_known = true;
    for (int i = 0; i < 4; i++)
        st->cars[i].damage = (enum pw_damage)i;
    struct pw_event tick = {.type = PW_EV_POSITIONS, .state = st, .seq = 9, .wall_ms = 1000};
    snprintf(tick.race_id, sizeof tick.race_id, "d");
    struct avro_positions_record rec;
    for (int i = 0; i < 4; i++) {
        codec_roundtrip(&k, &tick, i, &rec);
        assert_true(rec.damage_known);
        assert_int_equal(rec.car.damage, (enum pw_damage)i);
    }
    st->damage_known = false;
    st->cars[0].damage = PW_DAMAGE_NONE;
    codec_roundtrip(&k, &tick, 0, &rec);
    assert_false(rec.damage_known);
    free(st);
    codec_close(&k);
}

static void test_avro_original_schema_reads(void **state)
{
    (void)state;
    struct avro_cache cache = {0};
    char buf[256];
    struct avro_positions_record rec;
    assert_int_equal(avro_cache_put(&cache, 1, avro_positions_original_schema_json), 0);
    struct avro_cache_entry *e = avro_cache_get(&cache, 1);
    int n = write_with_schema(avro_positions_original_schema_json, "Lando Norris", 3,
                              1732790000123LL, "orig-race", buf, sizeof buf);
    assert_int_equal(avro_positions_validate(e->schema, buf, (size_t)n), 0);
    assert_int_equal(avro_positions_decode(&e->value, buf, (size_t)n, &rec), 0);
    assert_string_equal(rec.car.driver.name, "Lando Norris");
    assert_int_equal(rec.car.position, 3);
    assert_int_equal(rec.timestamp, 1732790000123LL);
    assert_string_equal(rec.race_id, "orig-race");
    /* pitwall's fields take their defaults */
    assert_int_equal(rec.seq, 0);
    assert_int_equal(rec.n_cars, 0);
    assert_int_equal(rec.track, PW_TRACK_GREEN);
    assert_int_equal(rec.server_ms, 1732790000123LL);
    assert_false(rec.penalties_known);
    assert_int_equal(rec.car.penalty_s, 0);
    assert_false(rec.car.drive_through || rec.car.black_white);
    assert_false(rec.damage_known);
    assert_int_equal(rec.car.damage, PW_DAMAGE_NONE);
    /* null race_id reads as "" */
    n = write_with_schema(avro_positions_original_schema_json, "Max Verstappen", 1, 5, NULL, buf,
                          sizeof buf);
    assert_int_equal(avro_positions_decode(&e->value, buf, (size_t)n, &rec), 0);
    assert_string_equal(rec.race_id, "");
    avro_cache_clear(&cache);
}

static void test_avro_validate_rejects_corruption(void **state)
{
    (void)state;
    struct avro_cache cache = {0};
    assert_int_equal(avro_cache_put(&cache, 1, avro_positions_original_schema_json), 0);
    avro_schema_t s = avro_cache_get(&cache, 1)->schema;
    /* a string length of ~2^62: Avro C would try to allocate it */
    const unsigned char huge[] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 'x'};
    assert_int_equal(avro_positions_validate(s, huge, sizeof huge), PW_EPARSE);
    /* a negative length */
    const unsigned char neg[] = {0x01, 'x'};
    assert_int_equal(avro_positions_validate(s, neg, sizeof neg), PW_EPARSE);
    /* a union index out of range: name "", position 1, ts 0, branch 5 */
    const unsigned char branch[] = {0x00, 0x02, 0x00, 0x0a};
    assert_int_equal(avro_positions_validate(s, branch, sizeof branch), PW_EPARSE);
    const unsigned char ok[] = {0x00, 0x02, 0x00, 0x00};
    assert_int_equal(avro_positions_validate(s, ok, sizeof ok), 0);
    /* a varint that never ends */
    const unsigned char endless[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                     0x80, 0x80, 0x80, 0x80, 0x80};
    assert_int_equal(avro_positions_validate(s, endless, sizeof endless), PW_EPARSE);
    assert_int_equal(avro_positions_validate(s, NULL, 0), PW_EPARSE);
    /* a schema that is no LeaderboardUpdate is kept as unreadable */
    assert_int_equal(avro_cache_put(&cache, 2,
                                    "{\"type\":\"record\",\"name\":\"X\",\"fields\":"
                                    "[{\"name\":\"a\",\"type\":\"int\"}]}"),
                     PW_EUNKNOWN);
    assert_false(avro_cache_get(&cache, 2)->readable);
    assert_int_equal(avro_cache_put(&cache, 4, "not json"), PW_EUNKNOWN);
    /* decode range checks: position 0 */
    struct avro_positions_record rec;
    char buf[128];
    int n = write_with_schema(avro_positions_original_schema_json, "X", 0, 1, "r", buf, sizeof buf);
    assert_int_equal(avro_positions_decode(&avro_cache_get(&cache, 1)->value, buf, (size_t)n, &rec),
                     PW_ERANGE_IN);
    avro_cache_clear(&cache);
}

static void test_wire_header(void **state)
{
    (void)state;
    char h[5];
    int32_t id = 0;
    avro_wire_header_put(h, 0x01020304);
    assert_int_equal(h[0], 0);
    assert_int_equal(avro_wire_header_get(h, 5, &id), 0);
    assert_int_equal(id, 0x01020304);
    h[0] = 1;
    assert_int_equal(avro_wire_header_get(h, 5, &id), PW_EPARSE);
    h[0] = 0;
    assert_int_equal(avro_wire_header_get(h, 4, &id), PW_EPARSE);
}

static void conf_expect(const rd_kafka_conf_t *conf, const char *key, const char *want)
{
    char value[64];
    size_t len = sizeof value;
    assert_int_equal(rd_kafka_conf_get(conf, key, value, &len), RD_KAFKA_CONF_OK);
    assert_string_equal(value, want);
}

/* Every producer (the bus's, the telemetry topic's) is idempotent with one request in
 * flight, whatever the YAML says: librdkafka 2.0 loses messages otherwise. */
static void test_conf_producer_settings_win(void **state)
{
    (void)state;
    struct bus_kafka_config cfg;
    bus_kafka_config_defaults(&cfg);
    cfg.props[0].key = "enable.idempotence";
    cfg.props[0].value = "false";
    cfg.props[1].key = "max.in.flight.requests.per.connection";
    cfg.props[1].value = "5";
    cfg.props[2].key = "acks";
    cfg.props[2].value = "1";
    cfg.n_props = 3;
    char err[256];
    rd_kafka_conf_t *conf = NULL;
    assert_int_equal(kafka_conf_build(&cfg, kafka_conf_producer, err, sizeof err, &conf), 0);
    conf_expect(conf, "enable.idempotence", "true");
    conf_expect(conf, "max.in.flight.requests.per.connection", "1");
    conf_expect(conf, "acks", "-1"); /* "all" */
    rd_kafka_conf_destroy(conf);
}

static void test_conf_own_group(void **state)
{
    (void)state;
    struct bus_kafka_config cfg;
    bus_kafka_config_defaults(&cfg);
    cfg.consumer_group = "pw";
    char a[256], b[256];
    kafka_conf_own_group(&cfg, "telemetry", a, sizeof a);
    kafka_conf_own_group(&cfg, "telemetry", b, sizeof b);
    assert_int_equal(strncmp(a, "pw-telemetry-", 13), 0);
    assert_true(strlen(a) > 13 + 10); /* host, pid and a random part follow */
    assert_string_not_equal(a, b);    /* two readers in one process: two groups */
}

static void test_json_roundtrip(void **state)
{
    (void)state;
    struct fixture_race r;
    fixture_race_make(&r, "race-json", 20, 6, 3);
    struct pw_race_state *st = malloc(sizeof *st);
    struct pw_race_meta meta;
    char why[200] = "";
    for (int i = 0; i < r.n; i++) {
        const struct pw_event *pub = &r.ev[i];
        struct pw_event got;
        bool has_meta, has_state;
        if (pub->type == PW_EV_POSITIONS)
            continue;
        char *json = pub->type == PW_EV_COMMENTARY ? kafka_json_encode_commentary(pub)
                                                   : kafka_json_encode_event(pub);
        assert_non_null(json);
        if (pub->type == PW_EV_COMMENTARY) {
            assert_int_equal(kafka_json_decode_commentary(json, strlen(json), &got), 0);
            assert_true(fixture_event_equal(pub, &got, NULL, why, sizeof why));
            /* the original's four fields are there under their names */
            assert_non_null(strstr(json, "\"message\":"));
            assert_non_null(strstr(json, "\"timestamp\":"));
        } else {
            assert_int_equal(
                kafka_json_decode_event(json, strlen(json), &got, &meta, &has_meta, st, &has_state),
                0);
            assert_true(has_meta && has_state);
            if (!fixture_event_equal(pub, &got, st, why, sizeof why))
                fail_msg("%s", why);
            assert_string_equal(meta.title, r.meta.title);
            assert_int_equal(meta.created_wall_ms, r.meta.created_wall_ms);
        }
        free(json);
    }
    struct pw_control ctl = {.op = PW_CONTROL_START,
                             .seed = UINT64_MAX - 5,
                             .wall_duration_ms = 60000,
                             .replay_speed = 12.5,
                             .podium = 0,
                             .tick_hz = 10,
                             .laps = 20,
                             .weather = 3,
                             .red_flag = 1,
                             .penalties = 1,
                             .damage = 1};
    snprintf(ctl.circuit, sizeof ctl.circuit, "monza");
    snprintf(ctl.race_id, sizeof ctl.race_id, "r1");
    snprintf(ctl.driver_number, sizeof ctl.driver_number, "44");
    char *json = kafka_json_encode_control(&ctl);
    struct pw_control back;
    assert_int_equal(kafka_json_decode_control(json, strlen(json), &back), 0);
    free(json);
    assert_int_equal(back.op, PW_CONTROL_START);
    assert_true(back.seed == UINT64_MAX - 5);
    assert_string_equal(back.driver_number, "44");
    assert_true(back.replay_speed == 12.5);
    /* every start option crosses (they were lost before: a race started on an edge ran
     * with the runner's defaults) */
    assert_string_equal(back.circuit, "monza");
    assert_int_equal(back.podium, 0);
    assert_int_equal(back.tick_hz, 10);
    assert_int_equal(back.laps, 20);
    assert_int_equal(back.weather, 3);
    assert_int_equal(back.red_flag, 1);
    assert_int_equal(back.penalties, 1);
    assert_int_equal(back.damage, 1);
    const char *older = "{\"op\":\"start\",\"race_id\":\"r2\"}";
    assert_int_equal(kafka_json_decode_control(older, strlen(older), &back), 0);
    assert_int_equal(back.podium, -1);
    assert_int_equal(back.weather, 0); /* absent: the runner's default */
    assert_int_equal(back.red_flag, 0);
    /* Every op crosses as itself (a pause sent over Kafka used to arrive as a stop), with
     * the seek target, the race's control-token hash and the token the runner checks. */
    for (int op = PW_CONTROL_START; op <= PW_CONTROL_SEEK; op++) {
        struct pw_control c = {.op = (enum pw_control_op)op, .seek_ms = 1234567, .podium = -1};
        snprintf(c.race_id, sizeof c.race_id, "r3");
        snprintf(c.control_hash, sizeof c.control_hash, "%064d", op);
        snprintf(c.control_token, sizeof c.control_token, "token-%d", op);
        json = kafka_json_encode_control(&c);
        assert_non_null(json);
        assert_int_equal(kafka_json_decode_control(json, strlen(json), &back), 0);
        free(json);
        assert_int_equal((int)back.op, op);
        assert_true(back.seek_ms == 1234567);
        assert_string_equal(back.control_hash, c.control_hash);
        assert_string_equal(back.control_token, c.control_token);
    }
    /* A token longer than any a control request carries is refused, not cut short. */
    char big[PW_CONTROL_TOKEN_MAX + 64];
    int at = snprintf(big, sizeof big, "{\"op\":\"stop\",\"race_id\":\"r4\",\"control_token\":\"");
    memset(big + at, 'a', PW_CONTROL_TOKEN_MAX);
    snprintf(big + at + PW_CONTROL_TOKEN_MAX, sizeof big - (size_t)at - PW_CONTROL_TOKEN_MAX,
             "\"}");
    assert_true(kafka_json_decode_control(big, strlen(big), &back) < 0);
    free(st);
    fixture_race_free(&r);
}

/* The commentary engine's done marker crosses the commentary topic as a record of a line's
 * shape with "done": true; a record without the field (every older writer's, the Flink
 * job's) is a line. It never travels on the race-events topic. */
static void test_json_commentary_done(void **state)
{
    (void)state;
    struct pw_event done = {.type = PW_EV_COMMENTARY_DONE,
                            .seq = 17,
                            .lap = 53,
                            .race_ms = 5400000,
                            .wall_ms = 1700000000123};
    snprintf(done.race_id, sizeof done.race_id, "race-done");
    snprintf(done.id, sizeof done.id, "c-race-done-done");
    char *json = kafka_json_encode_commentary(&done);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"done\":true"));
    assert_non_null(strstr(json, "\"message\":\"\""));
    assert_non_null(strstr(json, "\"type\":\"info\""));
    struct pw_event got;
    assert_int_equal(kafka_json_decode_commentary(json, strlen(json), &got), 0);
    free(json);
    assert_int_equal(got.type, PW_EV_COMMENTARY_DONE);
    assert_int_equal(got.seq, 17);
    assert_string_equal(got.race_id, "race-done");
    assert_int_equal(got.lap, 53);
    assert_true(got.wall_ms == 1700000000123);

    struct pw_event line = done;
    line.type = PW_EV_COMMENTARY;
    snprintf(line.text, sizeof line.text, "Lights out!");
    json = kafka_json_encode_commentary(&line);
    assert_null(strstr(json, "\"done\""));
    free(json);
    const char *older = "{\"id\":\"c\",\"message\":\"x\",\"timestamp\":1,\"type\":\"info\","
                        "\"race_id\":\"r\",\"seq\":3}";
    assert_int_equal(kafka_json_decode_commentary(older, strlen(older), &got), 0);
    assert_int_equal(got.type, PW_EV_COMMENTARY);
    const char *not_done = "{\"id\":\"c\",\"message\":\"x\",\"timestamp\":1,\"type\":\"info\","
                           "\"race_id\":\"r\",\"done\":false}";
    assert_int_equal(kafka_json_decode_commentary(not_done, strlen(not_done), &got), 0);
    assert_int_equal(got.type, PW_EV_COMMENTARY);
    const char *bad = "{\"id\":\"c\",\"message\":\"\",\"timestamp\":1,\"type\":\"info\","
                      "\"race_id\":\"r\",\"done\":\"yes\"}";
    assert_int_equal(kafka_json_decode_commentary(bad, strlen(bad), &got), PW_EPARSE);
    struct pw_race_meta meta;
    struct pw_race_state *st = malloc(sizeof *st);
    bool hm, hs;
    const char *as_event = "{\"type\":\"commentary_done\",\"race_id\":\"r\",\"seq\":1}";
    assert_int_equal(kafka_json_decode_event(as_event, strlen(as_event), &got, &meta, &hm, st, &hs),
                     PW_ERANGE_IN);
    free(st);
}

/* `ev` through the JSON of a Kafka event record and back: the state into *back (asserted to
 * have come with it), the meta into *meta_back and whether it came into *has_meta (may be
 * NULL). Returns the JSON, for the caller's checks and to free. */
static char *json_roundtrip(const struct pw_event *ev, struct pw_race_meta *meta_back,
                            struct pw_race_state *back, bool *has_meta)
{
    char *json = kafka_json_encode_event(ev);
    assert_non_null(json);
    struct pw_event got;
    bool hm, hs;
    assert_int_equal(kafka_json_decode_event(json, strlen(json), &got, meta_back, &hm, back, &hs),
                     0);
    assert_true(hs);
    if (has_meta)
        *has_meta = hm;
    return json;
}

/* The state a race event carries over Kafka keeps each car's penalties in a race with the
 * stewards on; a race without them writes no penalty field at all. */
static void test_json_penalty_fields(void **state)
{
    (void)state;
    struct pw_race_state *st = numbered_state(3, 1), *back = calloc(1, sizeof *back);
    struct pw_race_meta meta = {0}, meta_back;
    snprintf(meta.race_id, sizeof meta.race_id, "p1");
    st->penalties_known = true;
    st->cars[0].penalty_s = 10;
    st->cars[1].drive_through = true;
    st->cars[2].black_white = true;
    st->cars[2].deleted_laps = 3;
    struct pw_event ev = {.type = PW_EV_RACE_CONTROL, .state = st, .meta = &meta, .seq = 3};
    snprintf(ev.race_id, sizeof ev.race_id, "p1");
    free(json_roundtrip(&ev, &meta_back, back, NULL));
    assert_true(back->penalties_known);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(back->cars[i].penalty_s, st->cars[i].penalty_s);
        assert_int_equal(back->cars[i].drive_through, st->cars[i].drive_through);
        assert_int_equal(back->cars[i].black_white, st->cars[i].black_white);
        assert_int_equal(back->cars[i].deleted_laps, st->cars[i].deleted_laps);
    }
    st->penalties_known = false;
    memset(&st->cars[0], 0, sizeof st->cars[0]);
    st->n_cars = 1;
    st->cars[0].position = 1;
    char *json = json_roundtrip(&ev, &meta_back, back, NULL);
    assert_null(strstr(json, "penalt"));
    assert_null(strstr(json, "black_white"));
    assert_false(back->penalties_known);
    free(json);
    free(st);
    free(back);
}

/* The state a race event carries over Kafka keeps each car's damage in a simulation; a source
 * that knows none writes no damage field; an unknown damage name is refused. */
static void test_json_damage_fields(void **state)
{
    (void)state;
    struct pw_race_state *st = numbered_state(4, 1), *back = calloc(1, sizeof *back);
    struct pw_race_meta meta = {0}, meta_back;
    snprintf(meta.race_id, sizeof meta.race_id, "d1");
    st->damage_known = true;
    for (int i = 0; i < 4; i++)
        st->cars[i].damage = (enum pw_damage)(3 - i);
    struct pw_event ev = {.type = PW_EV_RACE_CONTROL, .state = st, .meta = &meta, .seq = 3};
    snprintf(ev.race_id, sizeof ev.race_id, "d1");
    char *json = json_roundtrip(&ev, &meta_back, back, NULL);
    assert_true(back->damage_known);
    for (int i = 0; i < 4; i++)
        assert_int_equal(back->cars[i].damage, st->cars[i].damage);
    char *bad = strstr(json, "\"front_wing\"");
    assert_non_null(bad);
    memcpy(bad + 1, "front_wax_", 10);
    struct pw_event got;
    bool hm, hs;
    assert_int_not_equal(
        kafka_json_decode_event(json, strlen(json), &got, &meta_back, &hm, back, &hs), 0);
    free(json);
    st->damage_known = false;
    json = kafka_json_encode_event(&ev);
    assert_null(strstr(json, "damage"));
    free(json);
    free(st);
    free(back);
}

/* A qualifying session's kind, clock, part and per-car figures cross the bus; a race's
 * messages carry none of them. */
static void test_json_session_fields(void **state)
{
    (void)state;
    struct pw_race_state *st = numbered_state(2, 1), *back = calloc(1, sizeof *back);
    struct pw_race_meta meta = {.kind = PW_SESSION_SPRINT_QUALIFYING}, meta_back;
    snprintf(meta.race_id, sizeof meta.race_id, "q1");
    st->kind = PW_SESSION_SPRINT_QUALIFYING;
    st->clock_ms = 123456;
    st->clock_running = true;
    st->session_part = 2;
    st->cutoff_position = 1;
    for (int i = 0; i < 2; i++) {
        struct pw_car *c = &st->cars[i];
        c->part_best_ms[0] = 101000 + i;
        c->part_best_ms[1] = 100500 + i;
        c->best_sectors_ms[2] = 33000 + i;
        c->stints = 3;
        c->knocked_out_part = i == 1 ? 2 : 0;
    }
    struct pw_event ev = {.type = PW_EV_LAP_COMPLETED, .state = st, .meta = &meta, .seq = 3};
    snprintf(ev.race_id, sizeof ev.race_id, "q1");
    bool hm;
    char *json = json_roundtrip(&ev, &meta_back, back, &hm);
    free(json);
    assert_true(hm);
    assert_int_equal(meta_back.kind, PW_SESSION_SPRINT_QUALIFYING);
    assert_int_equal(back->kind, PW_SESSION_SPRINT_QUALIFYING);
    assert_int_equal(back->clock_ms, 123456);
    assert_true(back->clock_running);
    assert_int_equal(back->session_part, 2);
    assert_int_equal(back->cutoff_position, 1);
    for (int i = 0; i < 2; i++) {
        assert_memory_equal(back->cars[i].part_best_ms, st->cars[i].part_best_ms,
                            sizeof st->cars[i].part_best_ms);
        assert_memory_equal(back->cars[i].best_sectors_ms, st->cars[i].best_sectors_ms,
                            sizeof st->cars[i].best_sectors_ms);
        assert_int_equal(back->cars[i].stints, 3);
        assert_int_equal(back->cars[i].knocked_out_part, st->cars[i].knocked_out_part);
    }
    /* a race: none of the keys */
    memset(st, 0, sizeof *st);
    st->n_cars = 1;
    meta.kind = PW_SESSION_RACE;
    json = kafka_json_encode_event(&ev);
    if (strstr(json, "\"meta\":{\"kind\"") || strstr(json, "\"kind\":\"race\""))
        fail_msg("%s", json);
    assert_null(strstr(json, "clock_ms"));
    assert_null(strstr(json, "part_best_ms"));
    free(json);
    /* an unknown kind is refused */
    const char *bad = "{\"type\":\"lap_completed\",\"race_id\":\"q\",\"meta\":{\"kind\":\"tea\"}}";
    struct pw_event got;
    bool hs;
    assert_int_equal(kafka_json_decode_event(bad, strlen(bad), &got, &meta_back, &hm, back, &hs),
                     PW_ERANGE_IN);
    free(st);
    free(back);
}

static void test_json_rejects(void **state)
{
    (void)state;
    struct pw_event ev;
    struct pw_control ctl;
    struct pw_race_meta meta;
    struct pw_race_state *st = malloc(sizeof *st);
    bool hm, hs;
    const char *bad[] = {"",
                         "{",
                         "[1]",
                         "null",
                         "{\"type\":\"overtake\"}" /* no race */,
                         "{\"type\":\"nope\",\"race_id\":\"r\"}",
                         "{\"type\":\"positions\",\"race_id\":\"r\"}",
                         "{\"type\":\"overtake\",\"race_id\":\"r\",\"seq\":\"1\"}",
                         "{\"type\":\"overtake\",\"race_id\":\"r\",\"seq\":-1}",
                         "{\"type\":\"overtake\",\"race_id\":\"r\",\"car\":\"12345\"}",
                         "{\"type\":\"overtake\",\"race_id\":\"r\",\"state\":{\"cars\":{}}}",
                         "{\"type\":\"overtake\",\"race_id\":\"r\",\"state\":{\"cars\":[1]}}",
                         "{\"type\":\"overtake\",\"race_id\":\"r\",\"a\":1,\"a\":2}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = kafka_json_decode_event(bad[i], strlen(bad[i]), &ev, &meta, &hm, st, &hs);
        if (rc != PW_EPARSE && rc != PW_ERANGE_IN)
            fail_msg("accepted: %s", bad[i]);
    }
    /* 27 cars: more than a state holds */
    char big[4096] = "{\"type\":\"overtake\",\"race_id\":\"r\",\"state\":{\"cars\":[{}";
    for (int i = 1; i < 27; i++)
        strcat(big, ",{}");
    strcat(big, "]}}");
    assert_int_equal(kafka_json_decode_event(big, strlen(big), &ev, &meta, &hm, st, &hs),
                     PW_ERANGE_IN);
    const char *bad_comment = "{\"id\":\"c\",\"message\":\"x\",\"timestamp\":1,\"type\":\"loud\"}";
    assert_int_not_equal(kafka_json_decode_commentary(bad_comment, strlen(bad_comment), &ev), 0);
    const char *no_msg = "{\"id\":\"c\",\"timestamp\":1,\"type\":\"info\"}";
    assert_int_equal(kafka_json_decode_commentary(no_msg, strlen(no_msg), &ev), PW_EPARSE);
    const char *bad_ctl = "{\"op\":\"explode\",\"race_id\":\"r\"}";
    assert_int_equal(kafka_json_decode_control(bad_ctl, strlen(bad_ctl), &ctl), PW_ERANGE_IN);
    free(st);
}

/* ---- stream ---- */

struct stream_fixture {
    struct fixture_race race;
    struct avro_positions ap;
    struct avro_cache cache;
    struct recorder rec;
    struct kafka_stream *s;
};

static int stream_setup(void **state)
{
    struct stream_fixture *f = calloc(1, sizeof *f);
    fixture_race_make(&f->race, "race-s", 12, 5, 11);
    avro_positions_init(&f->ap);
    avro_cache_put(&f->cache, 1, avro_positions_schema_json);
    recorder_init(&f->rec, NULL);
    assert_int_equal(kafka_stream_create(1000, recorder_on_event, &f->rec, NULL, &f->s), 0);
    *state = f;
    return 0;
}

static int stream_teardown(void **state)
{
    struct stream_fixture *f = *state;
    kafka_stream_destroy(f->s);
    recorder_free(&f->rec);
    avro_cache_clear(&f->cache);
    avro_positions_destroy(&f->ap);
    fixture_race_free(&f->race);
    free(f);
    return 0;
}

/* Feeds one published event as the consumer would read it: positions as records (in the
 * given car order), other events through their JSON. */
static void feed(struct stream_fixture *f, const struct pw_event *ev, const int *order,
                 int n_records, int64_t now)
{
    if (ev->type == PW_EV_POSITIONS) {
        char buf[AVRO_POSITIONS_MAX];
        struct avro_positions_record rec;
        int n = n_records < 0 ? ev->state->n_cars : n_records;
        for (int k = 0; k < n; k++) {
            int i = order ? order[k] : k;
            int len = avro_positions_encode(&f->ap, ev, i, buf, sizeof buf);
            assert_true(len > 0);
            assert_int_equal(
                avro_positions_decode(&avro_cache_get(&f->cache, 1)->value, buf, (size_t)len, &rec),
                0);
            assert_int_equal(kafka_stream_add_record(f->s, &rec, now), 0);
        }
        return;
    }
    assert_int_equal(kafka_stream_add_event(f->s, ev, ev->meta, ev->state, now), 0);
}

static void test_stream_in_order(void **state)
{
    struct stream_fixture *f = *state;
    char why[200] = "";
    for (int i = 0; i < f->race.n; i++)
        feed(f, &f->race.ev[i], NULL, -1, 1000);
    assert_false(kafka_stream_pending(f->s));
    if (!fixture_check_stream(&f->race, &f->rec, why, sizeof why))
        fail_msg("%s", why);
}

/* Positions and events come on two topics: all positions first, then all events, records
 * of each tick shuffled. The stream restores seq order. */
static void test_stream_merges_two_topics(void **state)
{
    struct stream_fixture *f = *state;
    char why[200] = "";
    int order[PW_MAX_CARS];
    for (int i = 0; i < 12; i++)
        order[i] = (i * 5) % 12;
    for (int i = 0; i < f->race.n; i++) {
        if (f->race.ev[i].type == PW_EV_POSITIONS)
            feed(f, &f->race.ev[i], order, -1, 1000);
    }
    assert_true(kafka_stream_pending(f->s));
    assert_int_equal(f->rec.n, 0); /* everything waits for seq 1 */
    for (int i = 0; i < f->race.n; i++) {
        if (f->race.ev[i].type != PW_EV_POSITIONS)
            feed(f, &f->race.ev[i], NULL, -1, 1000);
    }
    assert_false(kafka_stream_pending(f->s));
    if (!fixture_check_stream(&f->race, &f->rec, why, sizeof why))
        fail_msg("%s", why);
    /* replaying everything again delivers nothing twice */
    int before = f->rec.n;
    for (int i = 0; i < f->race.n; i++) {
        if (f->race.ev[i].type != PW_EV_COMMENTARY)
            feed(f, &f->race.ev[i], NULL, -1, 1000);
    }
    assert_int_equal(f->rec.n, before);
    struct kafka_stream_stats st;
    kafka_stream_get_stats(f->s, &st);
    assert_true(st.duplicates > 0);
    assert_int_equal(st.seq_gaps, 0);
}

/* A tick that lost a record is abandoned. Both topics then carry later seqs of the race,
 * so the missing seq cannot come any more: it is skipped at once, counted, without waiting
 * for hold_ms. */
static void test_stream_gap_and_incomplete_tick(void **state)
{
    struct stream_fixture *f = *state;
    int lost = -1;
    for (int i = 0; i < f->race.n; i++) {
        const struct pw_event *ev = &f->race.ev[i];
        if (ev->type == PW_EV_POSITIONS && lost < 0 && ev->seq > 5) {
            lost = (int)ev->seq;
            feed(f, ev, NULL, ev->state->n_cars - 1, 1000); /* last car's record lost */
            continue;
        }
        feed(f, ev, NULL, -1, 1000);
    }
    assert_true(lost > 0);
    assert_false(kafka_stream_pending(f->s));
    struct kafka_stream_stats st;
    kafka_stream_get_stats(f->s, &st);
    assert_int_equal(st.ticks_incomplete, 1);
    assert_int_equal(st.seq_gaps, 1);
    assert_int_equal(f->rec.n, f->race.n - 1);
    for (int i = 0; i < f->rec.n; i++)
        assert_int_not_equal(f->rec.ev[i].type == PW_EV_POSITIONS ? (int)f->rec.ev[i].seq : -1,
                             lost);
}

struct caught_up_answer {
    int64_t at;
    int asked;
};

static int64_t fixture_caught_up(void *ctx, const char *race_id)
{
    struct caught_up_answer *a = ctx;
    (void)race_id;
    a->asked++;
    return a->at;
}

/* An event of the events topic is missing and that topic then goes quiet (a partition slow
 * to come back after a broker restart) while positions keep coming: the positions wait.
 * Time alone does not give the event up; only a confirmation that the consumer read all of
 * Kafka at least hold_ms after the wait began does. */
static void test_stream_waits_for_kafka_before_giving_up(void **state)
{
    struct stream_fixture *f = *state;
    int missing = -1, unread = 0;
    uint64_t last_fed = 0;
    for (int i = 0; i < f->race.n; i++) {
        const struct pw_event *ev = &f->race.ev[i];
        bool events_topic = ev->type != PW_EV_POSITIONS && ev->type != PW_EV_COMMENTARY;
        if (events_topic && missing < 0 && ev->seq > 5)
            missing = (int)ev->seq;
        if (events_topic && missing > 0) {
            unread++; /* the events topic is not being read */
            continue;
        }
        feed(f, ev, NULL, -1, 1000);
        if (ev->type == PW_EV_POSITIONS)
            last_fed = ev->seq;
    }
    /* unread events after the last positions tick are not gaps: nothing waits for them */
    for (int i = 0; i < f->race.n; i++) {
        const struct pw_event *ev = &f->race.ev[i];
        if (ev->type != PW_EV_POSITIONS && ev->type != PW_EV_COMMENTARY && ev->seq > last_fed)
            unread--;
    }
    assert_true(missing > 0);
    assert_true(kafka_stream_pending(f->s));
    int delivered = f->rec.n;
    assert_false(kafka_stream_overdue(f->s, 1999));
    assert_true(kafka_stream_overdue(f->s, 2000));
    struct caught_up_answer never = {INT64_MIN, 0}, too_early = {1999, 0}, read_all = {2000, 0};
    kafka_stream_expire(f->s, 60000, fixture_caught_up, &never);
    assert_true(never.asked > 0);
    assert_int_equal(f->rec.n, delivered);
    kafka_stream_expire(f->s, 60000, fixture_caught_up, &too_early);
    assert_int_equal(f->rec.n, delivered);
    kafka_stream_expire(f->s, 60000, fixture_caught_up, &read_all);
    assert_true(f->rec.n > delivered);
    assert_false(kafka_stream_pending(f->s));
    struct kafka_stream_stats st;
    kafka_stream_get_stats(f->s, &st);
    assert_int_equal(st.seq_gaps, unread);
    for (int i = 0; i < f->rec.n; i++) {
        if (f->rec.ev[i].type != PW_EV_COMMENTARY) /* numbered apart */
            assert_int_not_equal((int)f->rec.ev[i].seq, missing);
    }
}

/* The same missing event, but the events topic keeps being read: its next event shows the
 * missing one was lost, and it is skipped at once. */
static void test_stream_certain_loss_skipped_at_once(void **state)
{
    struct stream_fixture *f = *state;
    int missing = -1;
    for (int i = 0; i < f->race.n; i++) {
        const struct pw_event *ev = &f->race.ev[i];
        if (ev->type != PW_EV_POSITIONS && ev->type != PW_EV_COMMENTARY && missing < 0 &&
            ev->seq > 5) {
            missing = (int)ev->seq;
            continue;
        }
        feed(f, ev, NULL, -1, 1000);
    }
    assert_true(missing > 0);
    assert_false(kafka_stream_pending(f->s));
    assert_int_equal(f->rec.n, f->race.n - 1);
    struct kafka_stream_stats st;
    kafka_stream_get_stats(f->s, &st);
    assert_int_equal(st.seq_gaps, 1);
}

/* A late consumer reads the commentary topic before the race's first event: the lines wait
 * for the race's meta, then come with it; a race whose meta never comes gets its lines
 * after hold_ms, without meta. */
static void test_stream_commentary_waits_for_meta(void **state)
{
    struct stream_fixture *f = *state;
    for (int i = 0; i < f->race.n; i++) {
        if (f->race.ev[i].type == PW_EV_COMMENTARY)
            feed(f, &f->race.ev[i], NULL, -1, 1000);
    }
    /* the done marker after the last line waits with them, and keeps its place */
    struct pw_event done = {.type = PW_EV_COMMENTARY_DONE, .seq = (uint64_t)f->race.n_commentary};
    snprintf(done.race_id, sizeof done.race_id, "%s", f->race.ev[0].race_id);
    assert_int_equal(kafka_stream_add_event(f->s, &done, NULL, NULL, 1000), 0);
    assert_int_equal(f->rec.n, 0);
    assert_true(kafka_stream_pending(f->s));
    feed(f, &f->race.ev[0], NULL, -1, 1000); /* race created, with meta */
    assert_int_equal(f->rec.n, 1 + f->race.n_commentary + 1);
    for (int i = 0; i < f->rec.n; i++)
        assert_true(f->rec.has_meta[i]);
    assert_int_equal(f->rec.ev[f->rec.n - 1].type, PW_EV_COMMENTARY_DONE);
    assert_int_equal(f->rec.ev[f->rec.n - 2].type, PW_EV_COMMENTARY);
    struct pw_event orphan = {.type = PW_EV_COMMENTARY, .seq = 1, .kind = PW_COMMENT_INFO};
    snprintf(orphan.race_id, sizeof orphan.race_id, "no-meta-race");
    snprintf(orphan.text, sizeof orphan.text, "hello");
    assert_int_equal(kafka_stream_add_event(f->s, &orphan, NULL, NULL, 2000), 0);
    int before = f->rec.n;
    kafka_stream_expire(f->s, 2500, NULL, NULL);
    assert_int_equal(f->rec.n, before);
    kafka_stream_expire(f->s, 3000, NULL, NULL);
    assert_int_equal(f->rec.n, before + 1);
    assert_false(f->rec.has_meta[before]);
}

/* One topic runs far ahead of the other (catch-up): past KAFKA_STREAM_HOLD held events the
 * stream refuses more, untouched, so the caller can push them back; offered again later,
 * everything arrives in order with no gap. */
static void test_stream_refuses_when_full(void **state)
{
    struct stream_fixture *f = *state;
    struct fixture_race big;
    char why[200] = "";
    fixture_race_make(&big, "race-big", 4, 160, 5); /* > KAFKA_STREAM_HOLD positions ticks */
    int refused_at = -1;
    for (int i = 0; i < big.n; i++) {
        const struct pw_event *ev = &big.ev[i];
        if (ev->type != PW_EV_POSITIONS)
            continue;
        char buf[AVRO_POSITIONS_MAX];
        struct avro_positions_record rec;
        int len = avro_positions_encode(&f->ap, ev, 0, buf, sizeof buf);
        assert_int_equal(
            avro_positions_decode(&avro_cache_get(&f->cache, 1)->value, buf, (size_t)len, &rec), 0);
        if (kafka_stream_add_record(f->s, &rec, 1000) == PW_ELIMIT) {
            refused_at = i;
            break;
        }
        for (int k = 1; k < ev->state->n_cars; k++) {
            len = avro_positions_encode(&f->ap, ev, k, buf, sizeof buf);
            avro_positions_decode(&avro_cache_get(&f->cache, 1)->value, buf, (size_t)len, &rec);
            assert_int_equal(kafka_stream_add_record(f->s, &rec, 1000), 0);
        }
    }
    assert_true(refused_at > 0);
    assert_int_equal(f->rec.n, 0);
    assert_false(kafka_stream_has_room(f->s, "race-big"));
    /* the other topic catches up: events in order, positions pushed back re-offered */
    int next_pos = refused_at;
    for (int i = 0; i < big.n; i++) {
        const struct pw_event *ev = &big.ev[i];
        if (ev->type == PW_EV_POSITIONS)
            continue;
        int rc = kafka_stream_add_event(f->s, ev, ev->meta, ev->state, 1000);
        while (rc == PW_ELIMIT && next_pos < big.n) { /* events ahead too: feed positions */
            if (big.ev[next_pos].type == PW_EV_POSITIONS)
                feed(f, &big.ev[next_pos], NULL, -1, 1000);
            next_pos++;
            rc = kafka_stream_add_event(f->s, ev, ev->meta, ev->state, 1000);
        }
        assert_int_equal(rc, 0);
    }
    for (; next_pos < big.n; next_pos++) {
        if (big.ev[next_pos].type == PW_EV_POSITIONS)
            feed(f, &big.ev[next_pos], NULL, -1, 1000);
    }
    assert_true(kafka_stream_has_room(f->s, "race-big"));
    if (!fixture_check_stream(&big, &f->rec, why, sizeof why))
        fail_msg("%s", why);
    struct kafka_stream_stats st;
    kafka_stream_get_stats(f->s, &st);
    assert_int_equal(st.seq_gaps, 0);
    assert_true(st.refused >= 1);
    fixture_race_free(&big);
}

/* Records written by the original app: no seq, grouped into a tick by timestamp. */
static void test_stream_legacy_records(void **state)
{
    struct stream_fixture *f = *state;
    struct avro_positions_record rec;
    const char *drivers[] = {"Max Verstappen", "Lando Norris", "Charles Leclerc"};
    for (int tick = 0; tick < 2; tick++) {
        for (int i = 0; i < 3; i++) {
            memset(&rec, 0, sizeof rec);
            snprintf(rec.race_id, sizeof rec.race_id, "legacy");
            snprintf(rec.car.driver.name, sizeof rec.car.driver.name, "%s",
                     drivers[(i + tick) % 3]);
            rec.car.position = i + 1;
            rec.timestamp = 1000 + tick;
            assert_int_equal(kafka_stream_add_record(f->s, &rec, 5000), 0);
        }
    }
    assert_int_equal(recorder_count(&f->rec, PW_EV_POSITIONS), 1); /* tick 2 still open */
    kafka_stream_expire(f->s, 5000 + KAFKA_STREAM_LEGACY_FLUSH_MS, NULL, NULL);
    assert_int_equal(recorder_count(&f->rec, PW_EV_POSITIONS), 2);
    const struct pw_race_state *last = recorder_last_positions(&f->rec);
    assert_int_equal(last->n_cars, 3);
    assert_string_equal(last->cars[0].driver.name, "Lando Norris");
    assert_int_equal(f->rec.ev[1].seq, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_header),
        cmocka_unit_test(test_conf_producer_settings_win),
        cmocka_unit_test(test_conf_own_group),
        cmocka_unit_test(test_avro_roundtrip),
        cmocka_unit_test(test_avro_original_schema_reads),
        cmocka_unit_test(test_avro_validate_rejects_corruption),
        cmocka_unit_test(test_avro_session_fields),
        cmocka_unit_test(test_avro_penalty_fields),
        cmocka_unit_test(test_avro_damage_fields),
        cmocka_unit_test(test_json_roundtrip),
        cmocka_unit_test(test_json_session_fields),
        cmocka_unit_test(test_json_penalty_fields),
        cmocka_unit_test(test_json_damage_fields),
        cmocka_unit_test(test_json_rejects),
        cmocka_unit_test(test_json_commentary_done),
        cmocka_unit_test_setup_teardown(test_stream_in_order, stream_setup, stream_teardown),
        cmocka_unit_test_setup_teardown(test_stream_merges_two_topics, stream_setup,
                                        stream_teardown),
        cmocka_unit_test_setup_teardown(test_stream_gap_and_incomplete_tick, stream_setup,
                                        stream_teardown),
        cmocka_unit_test_setup_teardown(test_stream_waits_for_kafka_before_giving_up, stream_setup,
                                        stream_teardown),
        cmocka_unit_test_setup_teardown(test_stream_certain_loss_skipped_at_once, stream_setup,
                                        stream_teardown),
        cmocka_unit_test_setup_teardown(test_stream_legacy_records, stream_setup, stream_teardown),
        cmocka_unit_test_setup_teardown(test_stream_refuses_when_full, stream_setup,
                                        stream_teardown),
        cmocka_unit_test_setup_teardown(test_stream_commentary_waits_for_meta, stream_setup,
                                        stream_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
