/* Unit tests for src/core (names, buffers, log levels, UTF-8) and the in-process bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "bus/bus.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/event.h"
#include "core/log.h"
#include "core/timing.h"
#include "core/utf8.h"

static void test_names_round_trip(void **state)
{
    (void)state;
    for (int t = 1; t < PW_EV_TYPE_COUNT; t++)
        assert_int_equal(pw_event_type_parse(pw_event_type_name((enum pw_event_type)t)), t);
    assert_int_equal(pw_event_type_parse("nonsense"), PW_EV_NONE);
    assert_null(pw_event_type_name(PW_EV_TYPE_COUNT));
    assert_int_equal(pw_tyre_parse("soft"), PW_TYRE_SOFT);
    assert_int_equal(pw_tyre_parse("HARD"), PW_TYRE_HARD);
    assert_int_equal(pw_tyre_parse("slick"), PW_TYRE_UNKNOWN);
    enum pw_track_status tr;
    assert_int_equal(pw_track_parse("vsc", &tr), 0);
    assert_int_equal(tr, PW_TRACK_VSC);
    assert_int_equal(pw_track_parse("purple", &tr), -EINVAL);
    enum pw_commentary_kind k;
    assert_int_equal(pw_commentary_kind_parse("highlight", &k), 0);
    assert_int_equal(k, PW_COMMENT_HIGHLIGHT);
    assert_int_equal(pw_commentary_kind_parse("loud", &k), -EINVAL);
}

static void test_buf_refcount(void **state)
{
    (void)state;
    struct pw_buf *b = pw_buf_new("abc", 3);
    assert_non_null(b);
    assert_int_equal(b->len, 3);
    assert_string_equal(b->data, "abc");
    assert_ptr_equal(pw_buf_ref(b), b);
    assert_int_equal(b->refs, 2);
    pw_buf_unref(b);
    assert_int_equal(b->refs, 1);
    pw_buf_unref(b); /* freed here; ASan reports a leak or double free if wrong */
    pw_buf_unref(NULL);
}

static void test_log_levels(void **state)
{
    (void)state;
    enum pw_log_level lv;
    assert_int_equal(pw_log_parse_level("warn", &lv), 0);
    assert_int_equal(lv, PW_LOG_WARN);
    assert_int_equal(pw_log_parse_level("verbose", &lv), -EINVAL);
    char text[256] = {0};
    FILE *f = fmemopen(text, sizeof text, "w");
    struct pw_log log = {.level = PW_LOG_WARN, .out = f};
    PW_INFO(&log, "test", "hidden %d", 1);
    PW_WARN(&log, "test", "shown %d", 2);
    fclose(f);
    assert_null(strstr(text, "hidden"));
    assert_non_null(strstr(text, "WARN  [test] shown 2"));
    assert_string_equal(pw_strerror(PW_ELIMIT), "limit reached");
}

struct recorder {
    int events, commentary, controls;
};

static void on_event(void *ctx, const struct pw_event *ev)
{
    struct recorder *r = ctx;
    if (pw_event_is_commentary(ev->type))
        r->commentary++;
    else
        r->events++;
}

static void on_control(void *ctx, const struct pw_control *ctl)
{
    (void)ctl;
    ((struct recorder *)ctx)->controls++;
}

static void test_inproc_bus_routes_by_topic(void **state)
{
    (void)state;
    struct pw_bus *bus;
    assert_int_equal(bus_inproc_create(&bus), 0);
    struct recorder race = {0}, comm = {0}, all = {0};
    assert_int_equal(pw_bus_subscribe_events(bus, PW_BUS_RACE, on_event, &race), 0);
    assert_int_equal(pw_bus_subscribe_events(bus, PW_BUS_COMMENTARY, on_event, &comm), 0);
    assert_int_equal(pw_bus_subscribe_events(bus, PW_BUS_ALL, on_event, &all), 0);
    assert_int_equal(pw_bus_subscribe_events(bus, 0, on_event, &all), -EINVAL);
    struct pw_control ctl = {.op = PW_CONTROL_START};
    assert_int_equal(pw_bus_publish_control(bus, &ctl), -ENOTCONN);
    struct pw_event ev = {.type = PW_EV_OVERTAKE};
    pw_bus_publish_event(bus, &ev);
    ev.type = PW_EV_COMMENTARY;
    pw_bus_publish_event(bus, &ev);
    ev.type = PW_EV_COMMENTARY_DONE; /* goes with the commentary, to its subscribers only */
    pw_bus_publish_event(bus, &ev);
    assert_int_equal(race.events, 1);
    assert_int_equal(race.commentary, 0);
    assert_int_equal(comm.commentary, 2);
    assert_int_equal(comm.events, 0);
    assert_int_equal(all.events + all.commentary, 3);
    assert_string_equal(pw_event_type_name(PW_EV_COMMENTARY_DONE), "commentary_done");
    assert_int_equal(pw_event_type_parse("commentary_done"), PW_EV_COMMENTARY_DONE);
    assert_int_equal(pw_bus_subscribe_control(bus, on_control, &all), 0);
    assert_int_equal(pw_bus_publish_control(bus, &ctl), 0);
    assert_int_equal(all.controls, 1);
    pw_bus_destroy(bus);
}

/* The decoder behind every check of outside text: lengths, code points, and refusals. */
static void test_utf8_decode(void **state)
{
    (void)state;
    uint32_t cp = 0;
    assert_int_equal(pw_utf8_decode((const unsigned char *)"A", &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(pw_utf8_decode((const unsigned char *)"\xc3\xa9", &cp), 2); /* é */
    assert_int_equal(cp, 0xE9);
    assert_int_equal(pw_utf8_decode((const unsigned char *)"\xe2\x82\xac", &cp), 3); /* € */
    assert_int_equal(cp, 0x20AC);
    assert_int_equal(pw_utf8_decode((const unsigned char *)"\xf0\x9f\x8f\x81", &cp), 4);
    assert_int_equal(cp, 0x1F3C1); /* chequered flag */
    /* The edges that are still valid: the last before the surrogates, the first after
     * them, the last code point. */
    assert_int_equal(pw_utf8_decode((const unsigned char *)"\xed\x9f\xbf", &cp), 3);
    assert_int_equal(cp, 0xD7FF);
    assert_int_equal(pw_utf8_decode((const unsigned char *)"\xee\x80\x80", &cp), 3);
    assert_int_equal(cp, 0xE000);
    assert_int_equal(pw_utf8_decode((const unsigned char *)"\xf4\x8f\xbf\xbf", &cp), 4);
    assert_int_equal(cp, 0x10FFFF);
    const char *bad[] = {"\x80",     "\xc0\x80",     "\xc1\xbf",         "\xc3",
                         "\xe2\x82", "\xe2\x28\xa1", "\xf5\x80\x80\x80", "\xff",
                         /* overlong NUL, '/' and U+FFFF; surrogates; past U+10FFFF */
                         "\xe0\x80\x80", "\xe0\x80\xaf", "\xf0\x8f\xbf\xbf",
                         "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(pw_utf8_decode((const unsigned char *)bad[i], &cp), 0);
}

/* Cutting text to a byte limit never splits a character. */
static void test_utf8_prefix(void **state)
{
    (void)state;
    const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x8f\x81"; /* a é € flag: 1+2+3+4 bytes */
    const size_t want[] = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 10};
    for (size_t max = 0; max < sizeof want / sizeof *want; max++)
        assert_int_equal(pw_utf8_prefix(s, max), want[max]);
    /* Invalid bytes count one each; a truncated sequence at the end is one invalid byte. */
    assert_int_equal(pw_utf8_prefix("\xff\xfe", 1), 1);
    assert_int_equal(pw_utf8_prefix("ab\xe2\x82", 3), 3);
    assert_int_equal(pw_utf8_prefix("", 5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_utf8_decode),
        cmocka_unit_test(test_utf8_prefix),
        cmocka_unit_test(test_buf_refcount),
        cmocka_unit_test(test_log_levels),
        cmocka_unit_test(test_inproc_bus_routes_by_topic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
