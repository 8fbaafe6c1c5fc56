/* The telemetry topic's records: round trip, and untrusted bytes refused with the right code. */
#include "core/error.h"
#include "telemetry/tel_json.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void test_round_trip(void **state)
{
    (void)state;
    struct pw_telemetry t = {
        .race_id = "R-1", .race_ms = 123456, .wall_ms = 1732790000000, .lap = 7, .n_cars = 2};
    t.cars[1].driver = (struct pw_driver){
        .number = "81", .tla = "PIA", .name = "Oscar Piastri", .team = "McLaren"};
    t.cars[1].tenths[PW_METRIC_ENGINE_TEMP] = 1123;
    t.cars[1].tenths[PW_METRIC_BRAKE_TEMP] = 5207;
    t.cars[1].tenths[PW_METRIC_TYRE_TEMP] = -5;
    char *s = tel_json_encode(&t, 1);
    assert_non_null(s);
    assert_non_null(strstr(s, "\"engine_temp_c\":112.3"));
    assert_non_null(strstr(s, "\"tyre_temp_c\":-0.5"));
    struct pw_telemetry back;
    assert_int_equal(tel_json_decode(s, strlen(s), &back), 0);
    assert_int_equal(back.n_cars, 1);
    assert_string_equal(back.race_id, "R-1");
    assert_string_equal(back.cars[0].driver.name, "Oscar Piastri");
    assert_string_equal(back.cars[0].driver.team, "McLaren");
    assert_int_equal(back.race_ms, 123456);
    assert_int_equal(back.wall_ms, 1732790000000);
    assert_int_equal(back.lap, 7);
    assert_memory_equal(back.cars[0].tenths, t.cars[1].tenths, sizeof t.cars[1].tenths);
    free(s);
}

static void test_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int rc;
    } cases[] = {
        {"", PW_EPARSE},
        {"not json", PW_EPARSE},
        {"[1,2]", PW_EPARSE},
        {"{\"race_id\":\"R\",\"driver_number\":\"1\",\"driver_name\":\"A\"}", PW_EPARSE},
        {"{\"race_id\":\"R\",\"driver_number\":\"1\",\"driver_name\":\"A\",\"engine_temp_c\":"
         "\"hot\","
         "\"brake_temp_c\":500,\"tyre_temp_c\":90}",
         PW_EPARSE},
        {"{\"race_id\":\"R\",\"driver_number\":\"1\",\"driver_name\":\"A\",\"engine_temp_c\":99999,"
         "\"brake_temp_c\":500,\"tyre_temp_c\":90}",
         PW_ERANGE_IN},
        {"{\"race_id\":\"R\",\"driver_number\":\"12345\",\"driver_name\":\"A\",\"engine_temp_c\":"
         "100,"
         "\"brake_temp_c\":500,\"tyre_temp_c\":90}",
         PW_ERANGE_IN},
        {"{\"race_id\":\"\",\"driver_number\":\"1\",\"driver_name\":\"A\",\"engine_temp_c\":100,"
         "\"brake_temp_c\":500,\"tyre_temp_c\":90}",
         PW_ERANGE_IN},
        {"{\"race_id\":\"R\",\"race_id\":\"S\",\"driver_number\":\"1\",\"driver_name\":\"A\","
         "\"engine_temp_c\":100,\"brake_temp_c\":500,\"tyre_temp_c\":90}",
         PW_EPARSE},
        {"{\"race_id\":\"R\",\"driver_number\":\"1\",\"driver_name\":\"A\",\"lap\":1.5,"
         "\"engine_temp_c\":100,\"brake_temp_c\":500,\"tyre_temp_c\":90}",
         PW_EPARSE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct pw_telemetry t;
        int rc = tel_json_decode(cases[i].text, strlen(cases[i].text), &t);
        if (rc != cases[i].rc)
            fail_msg("case %zu (%s): %d, want %d", i, cases[i].text, rc, cases[i].rc);
        assert_int_equal(t.n_cars, 0);
    }
    char big[TEL_JSON_MAX + 2];
    memset(big, ' ', sizeof big);
    struct pw_telemetry t;
    assert_int_equal(tel_json_decode(big, sizeof big, &t), PW_EPARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
