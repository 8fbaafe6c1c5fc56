/* Unit tests of the archive format pieces: value parsers, the deep merge rules and the
 * line reader. */
#include "core/error.h"
#include "replay/replay_feed.h"
#include "replay/replay_info.h"
#include "replay/replay_merge.h"
#include "replay/replay_parse.h"
#include "replay/replay_stream.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

/* ---- parsers ---- */

static void test_parse_offset(void **st)
{
    (void)st;
    int64_t ms;
    assert_int_equal(replay_parse_offset("01:10:45.523{", 13, &ms), 0);
    assert_int_equal(ms, ((1 * 60 + 10) * 60 + 45) * 1000 + 523);
    assert_int_equal(replay_parse_offset("00:00:00.000", 12, &ms), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(replay_parse_offset("00:60:00.000", 12, &ms), -EINVAL);
    assert_int_equal(replay_parse_offset("00:00:60.000", 12, &ms), -EINVAL);
    assert_int_equal(replay_parse_offset("0:00:00.000{", 12, &ms), -EINVAL);
    assert_int_equal(replay_parse_offset("00:00:00,000", 12, &ms), -EINVAL);
    assert_int_equal(replay_parse_offset("00:00:00.00", 11, &ms), -EINVAL);
}

static void test_parse_laptime(void **st)
{
    (void)st;
    int64_t ms;
    assert_int_equal(replay_parse_laptime("1:45.768", &ms), 0);
    assert_int_equal(ms, 105768);
    assert_int_equal(replay_parse_laptime("36.736", &ms), 0);
    assert_int_equal(ms, 36736);
    assert_int_equal(replay_parse_laptime("61.6", &ms), 0);
    assert_int_equal(ms, 61600);
    assert_int_equal(replay_parse_laptime("", &ms), -EINVAL);
    assert_int_equal(replay_parse_laptime("1:75.000", &ms), -EINVAL);
    assert_int_equal(replay_parse_laptime("1:5.000", &ms), -EINVAL);
    assert_int_equal(replay_parse_laptime("abc", &ms), -EINVAL);
    assert_int_equal(replay_parse_laptime("1.2345", &ms), -EINVAL);
    assert_int_equal(replay_parse_laptime("99999999999.1", &ms), -EINVAL);
    assert_int_equal(replay_parse_laptime(NULL, &ms), -EINVAL);
}

static void test_parse_gap(void **st)
{
    (void)st;
    int64_t ms;
    int laps;
    assert_int_equal(replay_parse_gap("+1.234", &ms, &laps), 0);
    assert_int_equal(ms, 1234);
    assert_int_equal(laps, 0);
    assert_int_equal(replay_parse_gap("+60.621", &ms, &laps), 0);
    assert_int_equal(ms, 60621);
    assert_int_equal(replay_parse_gap("+1:02.345", &ms, &laps), 0);
    assert_int_equal(ms, 62345);
    assert_int_equal(replay_parse_gap("1 L", &ms, &laps), 0);
    assert_int_equal(laps, 1);
    assert_int_equal(ms, 0);
    assert_int_equal(replay_parse_gap("15L", &ms, &laps), 0);
    assert_int_equal(laps, 15);
    assert_int_equal(replay_parse_gap("LAP 12", &ms, &laps), 0);
    assert_int_equal(ms + laps, 0);
    assert_int_equal(replay_parse_gap("", &ms, &laps), 0);
    assert_int_equal(ms + laps, 0);
    assert_int_equal(replay_parse_gap("+", &ms, &laps), -EINVAL);
    assert_int_equal(replay_parse_gap("L", &ms, &laps), -EINVAL);
    assert_int_equal(replay_parse_gap("3 LL", &ms, &laps), -EINVAL);
    assert_int_equal(replay_parse_gap("LAP x", &ms, &laps), -EINVAL);
    assert_int_equal(replay_parse_gap("-1.0", &ms, &laps), -EINVAL);
    assert_int_equal(ms + laps, 0);
}

static void test_numbers_and_text(void **st)
{
    (void)st;
    assert_true(replay_number_valid("1"));
    assert_true(replay_number_valid("44"));
    assert_true(replay_number_valid("999"));
    assert_false(replay_number_valid("0"));
    assert_false(replay_number_valid("007"));
    assert_false(replay_number_valid("1000"));
    assert_false(replay_number_valid("abc"));
    assert_false(replay_number_valid(""));
    assert_false(replay_number_valid(NULL));
    char buf[6];
    replay_copy_text(buf, sizeof buf, "abcdefgh");
    assert_string_equal(buf, "abcde");
    /* "abc" + "É" (2 bytes) + "x": the cut would split É, so it stops before it. */
    replay_copy_text(buf, 5, "abc\xC3\x89x");
    assert_string_equal(buf, "abc");
    replay_copy_text(buf, sizeof buf, NULL);
    assert_string_equal(buf, "");
}

/* ---- merge ---- */

/* Merges the deltas in order onto an empty state; returns the compact JSON text. */
static char *merged(struct replay_merge_stats *ms, const char *const *deltas, size_t n)
{
    json_t *state = NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_loads(deltas[i], 0, NULL);
        assert_non_null(d);
        assert_int_equal(replay_merge_apply(&state, d, ms), 0);
        json_decref(d);
    }
    char *text = json_dumps(state, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(state);
    return text;
}

#define MERGED(ms, ...)                                                                            \
    merged(ms, (const char *const[]){__VA_ARGS__},                                                 \
           sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void check_merge(const char *expect, uint64_t ignored, char *got,
                        const struct replay_merge_stats *ms)
{
    assert_string_equal(got, expect);
    assert_int_equal(ms->ignored, ignored);
    free(got);
}

static void test_merge_nested(void **st)
{
    (void)st;
    struct replay_merge_stats ms = {0};
    check_merge("{\"a\":{\"b\":2,\"c\":{\"d\":4,\"e\":5}},\"f\":6}", 0,
                MERGED(&ms, "{\"a\":{\"b\":1,\"c\":{\"d\":4}}}",
                       "{\"a\":{\"b\":2,\"c\":{\"e\":5}},\"f\":6}"),
                &ms);
}

static void test_merge_array_patch_and_append(void **st)
{
    (void)st;
    struct replay_merge_stats ms = {0};
    /* index 1 patched in place (nested), 3 == length appends, then 4 (keys out of order) */
    check_merge("{\"s\":[{\"v\":1},{\"v\":2,\"w\":9},{\"v\":3},{\"v\":4},{\"v\":5}]}", 0,
                MERGED(&ms, "{\"s\":[{\"v\":1},{\"v\":2},{\"v\":3}]}",
                       "{\"s\":{\"4\":{\"v\":5},\"1\":{\"w\":9},\"3\":{\"v\":4}}}"),
                &ms);
    memset(&ms, 0, sizeof ms);
    /* past the end, leading zero, not a number: ignored and counted */
    check_merge("{\"s\":[1,7]}", 3,
                MERGED(&ms, "{\"s\":[1,2]}", "{\"s\":{\"1\":7,\"5\":8,\"01\":9,\"x\":1}}"), &ms);
}

static void test_merge_object_onto_nothing(void **st)
{
    (void)st;
    struct replay_merge_stats ms = {0};
    /* decimal keys with no array to patch stay an object */
    check_merge("{\"m\":{\"1\":{\"t\":\"x\"}}}", 0, MERGED(&ms, "{\"m\":{\"1\":{\"t\":\"x\"}}}"),
                &ms);
}

static void test_merge_keyframe(void **st)
{
    (void)st;
    struct replay_merge_stats ms = {0};
    check_merge("{\"b\":2}", 0, MERGED(&ms, "{\"a\":1,\"c\":{\"d\":1}}", "{\"_kf\":true,\"b\":2}"),
                &ms);
    /* nested keyframe replaces only its own value */
    check_merge("{\"a\":1,\"c\":{\"e\":2}}", 0,
                MERGED(&ms, "{\"a\":1,\"c\":{\"d\":1}}", "{\"c\":{\"_kf\":true,\"e\":2}}"), &ms);
    /* "_kf": false is no keyframe, and the marker never stays in the state */
    check_merge("{\"a\":1,\"b\":2}", 0, MERGED(&ms, "{\"a\":1}", "{\"_kf\":false,\"b\":2}"), &ms);
}

static void test_merge_deleted(void **st)
{
    (void)st;
    struct replay_merge_stats ms = {0};
    check_merge("{\"L\":{\"1\":{\"b\":2,\"c\":3}}}", 0,
                MERGED(&ms, "{\"L\":{\"1\":{\"a\":1,\"b\":2}}}",
                       "{\"L\":{\"1\":{\"_deleted\":[\"a\"],\"c\":3}}}"),
                &ms);
    memset(&ms, 0, sizeof ms);
    /* on an array: indices, highest first; unknown ones counted */
    check_merge(
        "{\"s\":[\"a\",\"c\"]}", 1,
        MERGED(&ms, "{\"s\":[\"a\",\"b\",\"c\",\"d\"]}", "{\"s\":{\"_deleted\":[\"3\",1,\"9\"]}}"),
        &ms);
    memset(&ms, 0, sizeof ms);
    /* a key that is not there, and _deleted that is no list: counted */
    check_merge("{\"a\":1}", 2,
                MERGED(&ms, "{\"a\":1}", "{\"_deleted\":[\"zz\"]}", "{\"_deleted\":\"a\"}"), &ms);
}

static void test_merge_replace_and_depth(void **st)
{
    (void)st;
    struct replay_merge_stats ms = {0};
    /* scalars, arrays and type changes replace */
    check_merge("{\"a\":[3],\"b\":{\"x\":1},\"c\":null,\"d\":\"s\"}", 0,
                MERGED(&ms, "{\"a\":[1,2],\"b\":5,\"c\":1,\"d\":{\"q\":1}}",
                       "{\"a\":[3],\"b\":{\"x\":1},\"c\":null,\"d\":\"s\"}"),
                &ms);
    /* nesting past the bound is dropped and counted, the rest applies */
    char deep[2048];
    size_t n = 0;
    n += (size_t)sprintf(deep + n, "{\"ok\":1,\"x\":");
    for (int i = 0; i < REPLAY_MERGE_MAX_DEPTH + 10; i++)
        n += (size_t)sprintf(deep + n, "{\"a\":");
    n += (size_t)sprintf(deep + n, "1");
    for (int i = 0; i < REPLAY_MERGE_MAX_DEPTH + 11; i++)
        deep[n++] = '}';
    deep[n] = '\0';
    memset(&ms, 0, sizeof ms);
    char *got = MERGED(&ms, deep);
    assert_non_null(strstr(got, "\"ok\":1"));
    assert_int_equal(ms.ignored, 1);
    free(got);
}

/* ---- reader ---- */

static void test_stream_bom_crlf(void **st)
{
    (void)st;
    const char text[] = "\xEF\xBB\xBF"
                        "00:00:01.000{\"a\":1}\r\n00:00:02.500{\"b\":2}\r\n\r\n"
                        "00:00:03.000{\"c\":3}";
    struct replay_stream s;
    struct replay_read_stats rs = {0};
    assert_int_equal(replay_stream_load_buffer(&s, text, sizeof text - 1, 1024, "t", &rs, NULL), 0);
    assert_int_equal(s.n_lines, 3);
    assert_int_equal(rs.lines_read, 3);
    assert_int_equal(s.lines[0].offset_ms, 1000);
    assert_int_equal(s.lines[1].offset_ms, 2500);
    assert_int_equal(s.lines[2].offset_ms, 3000);
    assert_int_equal(s.lines[0].len, strlen("{\"a\":1}"));
    assert_memory_equal(s.buf + s.lines[1].start, "{\"b\":2}", s.lines[1].len);
    assert_memory_equal(s.buf + s.lines[2].start, "{\"c\":3}", s.lines[2].len);
    replay_stream_free(&s);
}

static void test_stream_bad_lines(void **st)
{
    (void)st;
    const char text[] = "00:00:05.000{}\n"
                        "nonsense\n"
                        "00:00:04.000{\"late\":1}\n" /* out of order: kept at 5000 */
                        "00:00:06.000{\"long\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n"
                        "00:00:0"; /* cut in the offset */
    struct replay_stream s;
    struct replay_read_stats rs = {0};
    assert_int_equal(replay_stream_load_buffer(&s, text, sizeof text - 1, 40, "t", &rs, NULL), 0);
    assert_int_equal(rs.lines_read, 5);
    assert_int_equal(rs.skipped_bad_offset, 2);
    assert_int_equal(rs.skipped_too_long, 1);
    assert_int_equal(rs.out_of_order, 1);
    assert_int_equal(s.n_lines, 2);
    assert_int_equal(s.lines[1].offset_ms, 5000);
    assert_memory_equal(s.buf + s.lines[1].start, "{\"late\":1}", s.lines[1].len);
    replay_stream_free(&s);
}

static void test_stream_files(void **st)
{
    (void)st;
    struct replay_stream s;
    struct replay_read_stats rs = {0};
    char err[256] = "";
    assert_int_equal(
        replay_stream_load_file(&s, "/nonexistent/x.jsonStream", 1024, &rs, NULL, err, sizeof err),
        -ENOENT);
    /* a directory is no topic file: a clear error */
    assert_int_equal(replay_stream_load_file(&s, "/tmp", 1024, &rs, NULL, err, sizeof err),
                     -EINVAL);
    assert_non_null(strstr(err, "not a regular file"));
}

static void test_feed_timeline_order(void **st)
{
    (void)st;
    const char *texts[REPLAY_TOPIC_COUNT] = {0};
    size_t lens[REPLAY_TOPIC_COUNT] = {0};
    texts[REPLAY_TOPIC_TIMING_DATA] = "00:00:01.000{\"t\":1}\n00:00:03.000{\"t\":2}\n";
    texts[REPLAY_TOPIC_DRIVER_LIST] = "00:00:03.000{\"d\":1}\n";
    texts[REPLAY_TOPIC_RACE_CONTROL] = "00:00:00.500{\"r\":1}\n00:00:03.000{\"r\":2}\n";
    for (int t = 0; t < REPLAY_TOPIC_COUNT; t++)
        lens[t] = texts[t] ? strlen(texts[t]) : 0;
    struct replay_feed feed;
    assert_int_equal(replay_feed_open_buffers(&feed, texts, lens, 1024, NULL), 0);
    assert_int_equal(feed.n_entries, 5);
    /* by offset; at 3.000 DriverList, then TimingData, then RaceControlMessages */
    const uint8_t topics[] = {REPLAY_TOPIC_RACE_CONTROL, REPLAY_TOPIC_TIMING_DATA,
                              REPLAY_TOPIC_DRIVER_LIST, REPLAY_TOPIC_TIMING_DATA,
                              REPLAY_TOPIC_RACE_CONTROL};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(feed.timeline[i].topic, topics[i]);
    assert_memory_equal(replay_feed_text(&feed, &feed.timeline[3]), "{\"t\":2}", 7);
    enum replay_topic t;
    assert_int_equal(replay_topic_parse("TimingAppData", &t), 0);
    assert_int_equal(t, REPLAY_TOPIC_TIMING_APP_DATA);
    assert_int_equal(replay_topic_parse("CarData.z", &t), -EINVAL);
    replay_feed_free(&feed);
}

/* The kind of session from SessionInfo's Type and Name, as the archive names them. */
static void test_session_kind(void **st)
{
    (void)st;
    static const struct {
        const char *json;
        enum pw_session_kind kind;
    } cases[] = {
        {"{\"Type\":\"Practice\",\"Name\":\"Practice 2\",\"Number\":2}", PW_SESSION_PRACTICE},
        {"{\"Type\":\"Qualifying\",\"Name\":\"Qualifying\"}", PW_SESSION_QUALIFYING},
        {"{\"Type\":\"Qualifying\",\"Name\":\"Sprint Shootout\"}", PW_SESSION_SPRINT_QUALIFYING},
        {"{\"Type\":\"Qualifying\",\"Name\":\"Sprint Qualifying\"}", PW_SESSION_SPRINT_QUALIFYING},
        {"{\"Type\":\"Race\",\"Name\":\"Sprint\"}", PW_SESSION_SPRINT},
        {"{\"Type\":\"Race\",\"Name\":\"Sprint Qualifying\"}", PW_SESSION_SPRINT}, /* 2021 */
        {"{\"Type\":\"Race\",\"Name\":\"Race\"}", PW_SESSION_RACE},
        {"{\"Name\":\"Practice 3\"}", PW_SESSION_PRACTICE},
        {"{\"Name\":\"Sprint Shootout\"}", PW_SESSION_SPRINT_QUALIFYING},
        {"{\"Type\":7}", PW_SESSION_RACE},
        {"{}", PW_SESSION_RACE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *si = json_loads(cases[i].json, 0, NULL);
        assert_non_null(si);
        if (replay_info_kind(si) != cases[i].kind)
            fail_msg("%s: %s", cases[i].json, pw_session_kind_name(replay_info_kind(si)));
        json_decref(si);
    }
    assert_int_equal(replay_info_kind(NULL), PW_SESSION_RACE);
    enum pw_session_kind k;
    assert_int_equal(pw_session_kind_parse("sprint_qualifying", &k), 0);
    assert_int_equal(k, PW_SESSION_SPRINT_QUALIFYING);
    assert_int_equal(pw_session_kind_parse("Qualifying", &k), -EINVAL);
    assert_string_equal(pw_session_kind_name((enum pw_session_kind)99), "race");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_offset),
        cmocka_unit_test(test_parse_laptime),
        cmocka_unit_test(test_parse_gap),
        cmocka_unit_test(test_numbers_and_text),
        cmocka_unit_test(test_merge_nested),
        cmocka_unit_test(test_merge_array_patch_and_append),
        cmocka_unit_test(test_merge_object_onto_nothing),
        cmocka_unit_test(test_merge_keyframe),
        cmocka_unit_test(test_merge_deleted),
        cmocka_unit_test(test_merge_replace_and_depth),
        cmocka_unit_test(test_stream_bom_crlf),
        cmocka_unit_test(test_stream_bad_lines),
        cmocka_unit_test(test_stream_files),
        cmocka_unit_test(test_feed_timeline_order),
        cmocka_unit_test(test_session_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
