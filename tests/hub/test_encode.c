/* Unit tests of the hub's encoder (src/hub/encode.c): the SSE frame bytes, the times, and
 * the JSON fields of positions, commentary and race events (docs/API.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hub/encode.h"

#include <stdio.h>
#include <string.h>

static void assert_frame(struct pw_buf *b, const char *want)
{
    assert_non_null(b);
    assert_int_equal(b->len, strlen(want));
    assert_memory_equal(b->data, want, b->len);
    pw_buf_unref(b);
}

static void test_sse_frame(void **state)
{
    (void)state;
    const char *data = "{\"a\":1}";
    assert_frame(hub_sse_frame("3-1", "positions", data, strlen(data)),
                 "id: 3-1\nevent: positions\ndata: {\"a\":1}\n\n");
    assert_frame(hub_sse_frame("3-1", NULL, data, strlen(data)), "id: 3-1\ndata: {\"a\":1}\n\n");
    assert_frame(hub_sse_frame(NULL, "end", data, strlen(data)), "event: end\ndata: {\"a\":1}\n\n");
    assert_frame(hub_sse_frame(NULL, NULL, "xy", 1), "data: x\n\n"); /* data_len is the bound */
    /* a header that cannot fit is refused, not cut */
    char long_id[200];
    memset(long_id, '7', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_null(hub_sse_frame(long_id, NULL, data, strlen(data)));
}

static void test_iso_time(void **state)
{
    (void)state;
    char out[32];
    hub_encode_iso_time(0, out, sizeof out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    hub_encode_iso_time(1732790000123, out, sizeof out);
    assert_string_equal(out, "2024-11-28T10:33:20.123Z");
    hub_encode_iso_time(1732790000007, out, sizeof out);
    assert_string_equal(out, "2024-11-28T10:33:20.007Z");
}

static void state_init(struct pw_race_state *st)
{
    memset(st, 0, sizeof *st);
    st->n_cars = 2;
    st->lap = 12;
    st->total_laps = 57;
    st->track = PW_TRACK_SC;
    st->race_ms = 123456;
    struct pw_car *a = &st->cars[0], *b = &st->cars[1];
    snprintf(a->driver.number, sizeof a->driver.number, "1");
    snprintf(a->driver.tla, sizeof a->driver.tla, "NOR");
    snprintf(a->driver.name, sizeof a->driver.name, "Lando Norris");
    snprintf(a->driver.team, sizeof a->driver.team, "McLaren");
    snprintf(a->driver.team_color, sizeof a->driver.team_color, "#F47600");
    a->position = 1;
    a->laps = 11;
    a->last_lap_ms = 81234;
    a->sectors_ms[0] = 27000;
    a->sectors_ms[1] = 28000;
    a->sectors_ms[2] = 26234;
    a->tyre = PW_TYRE_MEDIUM;
    a->tyre_new = true;
    snprintf(b->driver.number, sizeof b->driver.number, "81");
    snprintf(b->driver.name, sizeof b->driver.name, "Oscar Piastri");
    b->position = 2;
    b->gap_laps = 1;
    b->in_pit = true;
    b->tyre = PW_TYRE_HARD;
}

static void test_positions(void **state)
{
    (void)state;
    struct pw_race_state st;
    state_init(&st);
    struct pw_event ev = {
        .type = PW_EV_POSITIONS, .seq = 42, .wall_ms = 1732790000000, .state = &st};
    snprintf(ev.race_id, sizeof ev.race_id, "r1");
    json_t *d = hub_encode_positions_data(&ev, "in_progress");
    assert_non_null(d);
    assert_int_equal(json_integer_value(json_object_get(d, "seq")), 42);
    assert_int_equal(json_integer_value(json_object_get(d, "lap")), 12);
    assert_int_equal(json_integer_value(json_object_get(d, "total_laps")), 57);
    assert_string_equal(json_string_value(json_object_get(d, "track_status")), "sc");
    assert_string_equal(json_string_value(json_object_get(d, "status")), "in_progress");
    assert_string_equal(json_string_value(json_object_get(d, "race_id")), "r1");
    assert_int_equal(json_integer_value(json_object_get(d, "race_ms")), 123456);
    assert_true(json_is_null(json_object_get(d, "fastest_lap")));
    json_t *cars = json_object_get(d, "positions");
    assert_int_equal(json_array_size(cars), 2);
    /* the original app's four fields, then pitwall's */
    json_t *a = json_array_get(cars, 0);
    const char *first = json_object_iter_key(json_object_iter(a));
    assert_string_equal(first, "driver_name");
    assert_string_equal(json_string_value(json_object_get(a, "driver_name")), "Lando Norris");
    assert_int_equal(json_integer_value(json_object_get(a, "position")), 1);
    assert_int_equal(json_integer_value(json_object_get(a, "timestamp")), 1732790000000);
    assert_string_equal(json_string_value(json_object_get(a, "race_id")), "r1");
    assert_string_equal(json_string_value(json_object_get(a, "team_color")), "#F47600");
    assert_string_equal(json_string_value(json_object_get(a, "tyre")), "MEDIUM");
    assert_true(json_is_true(json_object_get(a, "tyre_new")));
    json_t *sectors = json_object_get(a, "sectors_ms");
    assert_int_equal(json_array_size(sectors), 3);
    assert_int_equal(json_integer_value(json_array_get(sectors, 2)), 26234);
    assert_null(json_object_get(a, "best_sectors_ms")); /* a race's cars: no session fields */
    json_t *b = json_array_get(cars, 1);
    assert_int_equal(json_integer_value(json_object_get(b, "gap_laps")), 1);
    assert_true(json_is_true(json_object_get(b, "in_pit")));
    json_decref(d);

    snprintf(st.fastest_number, sizeof st.fastest_number, "81");
    st.fastest_lap_ms = 80999;
    d = hub_encode_positions_data(&ev, "finished");
    json_t *fl = json_object_get(d, "fastest_lap");
    assert_string_equal(json_string_value(json_object_get(fl, "number")), "81");
    assert_int_equal(json_integer_value(json_object_get(fl, "lap_ms")), 80999);
    json_decref(d);
}

/* A race with the stewards on: every car carries its penalties (so a delta can send each
 * change); without them the cars are the original's and pitwall's usual fields only. */
static void test_positions_penalties(void **state)
{
    (void)state;
    struct pw_race_state st;
    state_init(&st);
    st.cars[0].penalty_s = 10;
    st.cars[1].drive_through = true;
    st.cars[1].black_white = true;
    st.cars[1].deleted_laps = 3;
    struct pw_event ev = {.type = PW_EV_POSITIONS, .seq = 7, .wall_ms = 1000, .state = &st};
    snprintf(ev.race_id, sizeof ev.race_id, "r1");
    json_t *d = hub_encode_positions_data(&ev, "in_progress");
    json_t *a = json_array_get(json_object_get(d, "positions"), 0);
    assert_null(json_object_get(a, "penalty_s"));
    assert_null(json_object_get(a, "drive_through"));
    assert_null(json_object_get(a, "black_white"));
    assert_null(json_object_get(a, "deleted_laps"));
    json_decref(d);

    st.penalties_known = true;
    d = hub_encode_positions_data(&ev, "in_progress");
    a = json_array_get(json_object_get(d, "positions"), 0);
    json_t *b = json_array_get(json_object_get(d, "positions"), 1);
    assert_int_equal(json_integer_value(json_object_get(a, "penalty_s")), 10);
    assert_true(json_is_false(json_object_get(a, "drive_through")));
    assert_true(json_is_false(json_object_get(a, "black_white")));
    assert_int_equal(json_integer_value(json_object_get(a, "deleted_laps")), 0);
    assert_int_equal(json_integer_value(json_object_get(b, "penalty_s")), 0);
    assert_true(json_is_true(json_object_get(b, "drive_through")));
    assert_true(json_is_true(json_object_get(b, "black_white")));
    assert_int_equal(json_integer_value(json_object_get(b, "deleted_laps")), 3);
    /* the original's four fields still lead */
    assert_string_equal(json_object_iter_key(json_object_iter(a)), "driver_name");
    json_decref(d);
}

/* A simulation knows damage: every car carries it (so a delta can send each change); a
 * source that does not (a replay) adds no field. */
static void test_positions_damage(void **state)
{
    (void)state;
    struct pw_race_state st;
    state_init(&st);
    st.cars[1].damage = PW_DAMAGE_FRONT_WING;
    struct pw_event ev = {.type = PW_EV_POSITIONS, .seq = 7, .wall_ms = 1000, .state = &st};
    snprintf(ev.race_id, sizeof ev.race_id, "r1");
    json_t *d = hub_encode_positions_data(&ev, "in_progress");
    assert_null(json_object_get(json_array_get(json_object_get(d, "positions"), 1), "damage"));
    json_decref(d);

    st.damage_known = true;
    d = hub_encode_positions_data(&ev, "in_progress");
    json_t *cars = json_object_get(d, "positions");
    assert_string_equal(json_string_value(json_object_get(json_array_get(cars, 0), "damage")),
                        "none");
    assert_string_equal(json_string_value(json_object_get(json_array_get(cars, 1), "damage")),
                        "front_wing");
    json_decref(d);
}

static void test_commentary(void **state)
{
    (void)state;
    struct pw_event ev = {.type = PW_EV_COMMENTARY,
                          .kind = PW_COMMENT_HIGHLIGHT,
                          .lap = 12,
                          .race_ms = 5000,
                          .wall_ms = 1732790000000};
    snprintf(ev.race_id, sizeof ev.race_id, "r1");
    snprintf(ev.id, sizeof ev.id, "c-r1-7");
    snprintf(ev.text, sizeof ev.text, "Norris passes Piastri for the lead!");
    json_t *d = hub_encode_commentary_data(&ev);
    assert_non_null(d);
    assert_string_equal(json_object_iter_key(json_object_iter(d)), "id");
    assert_string_equal(json_string_value(json_object_get(d, "id")), "c-r1-7");
    assert_string_equal(json_string_value(json_object_get(d, "message")), ev.text);
    assert_string_equal(json_string_value(json_object_get(d, "type")), "highlight");
    assert_int_equal(json_integer_value(json_object_get(d, "lap")), 12);
    assert_int_equal(json_integer_value(json_object_get(d, "race_ms")), 5000);
    assert_int_equal(json_integer_value(json_object_get(d, "timestamp")), 1732790000000);
    json_decref(d);
}

/* A race event carries only the fields that mean something for its type. */
static void test_race_events(void **state)
{
    (void)state;
    struct pw_event ev = {.type = PW_EV_OVERTAKE, .lap = 3, .position = 1};
    snprintf(ev.race_id, sizeof ev.race_id, "r1");
    snprintf(ev.car, sizeof ev.car, "81");
    snprintf(ev.other, sizeof ev.other, "1");
    json_t *d = hub_encode_race_event_data(&ev);
    assert_string_equal(json_string_value(json_object_get(d, "type")), "overtake");
    assert_string_equal(json_string_value(json_object_get(d, "car")), "81");
    assert_string_equal(json_string_value(json_object_get(d, "other")), "1");
    assert_int_equal(json_integer_value(json_object_get(d, "position")), 1);
    assert_null(json_object_get(d, "tyre"));
    assert_null(json_object_get(d, "track"));
    assert_null(json_object_get(d, "lap_ms"));
    assert_null(json_object_get(d, "text"));
    json_decref(d);

    ev = (struct pw_event){.type = PW_EV_PIT_OUT, .tyre = PW_TYRE_HARD};
    snprintf(ev.car, sizeof ev.car, "16");
    d = hub_encode_race_event_data(&ev);
    assert_string_equal(json_string_value(json_object_get(d, "type")), "pit_out");
    assert_string_equal(json_string_value(json_object_get(d, "tyre")), "HARD");
    assert_null(json_object_get(d, "other"));
    assert_null(json_object_get(d, "position"));
    json_decref(d);

    ev = (struct pw_event){.type = PW_EV_TRACK_STATUS, .track = PW_TRACK_VSC};
    d = hub_encode_race_event_data(&ev);
    assert_string_equal(json_string_value(json_object_get(d, "track")), "vsc");
    assert_null(json_object_get(d, "car"));
    json_decref(d);

    ev = (struct pw_event){.type = PW_EV_RACE_CONTROL};
    snprintf(ev.text, sizeof ev.text, "TRACK LIMITS - CAR 1");
    d = hub_encode_race_event_data(&ev);
    assert_string_equal(json_string_value(json_object_get(d, "type")), "race_control");
    assert_string_equal(json_string_value(json_object_get(d, "text")), "TRACK LIMITS - CAR 1");
    json_decref(d);

    ev = (struct pw_event){.type = PW_EV_FASTEST_LAP, .lap_ms = 80999};
    d = hub_encode_race_event_data(&ev);
    assert_int_equal(json_integer_value(json_object_get(d, "lap_ms")), 80999);
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sse_frame),   cmocka_unit_test(test_iso_time),
        cmocka_unit_test(test_positions),   cmocka_unit_test(test_commentary),
        cmocka_unit_test(test_race_events), cmocka_unit_test(test_positions_penalties),
        cmocka_unit_test(test_positions_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
