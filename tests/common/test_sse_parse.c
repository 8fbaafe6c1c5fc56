/* test_sse_parse.c — the SSE parser (and the load generator's histogram): frames split at every
 * byte boundary give the same events; ids, server_ms and type are extracted. */
#include "hist.h"
#include "sse_parse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EV 16

struct seen {
    struct sse_event ev[MAX_EV];
    int n;
};

static void collect(void *ctx, const struct sse_event *ev)
{
    struct seen *s = ctx;
    assert_true(s->n < MAX_EV);
    s->ev[s->n++] = *ev;
}

static const char stream[] =
    "retry: 1000\n\n"
    "id: 41-7\nevent: snapshot\ndata: {\"type\":\"snapshot\",\"positions\":{\"server_ms\":5}}\n\n"
    "id: 42-7\r\nevent: positions\r\n"
    "data: {\"type\":\"positions\",\"data\":{\"positions\":[{\"race_id\":\"x\"}],\"seq\":42,"
    "\"server_ms\":1732790000123,\"status\":\"in_progress\"}}\r\n\r\n"
    ": a comment\n"
    "data: {\"type\":\"ping\"}\n\n"
    "id: 42-8\nevent: commentary\ndata: {\"type\":\"commentary\",\"data\":{\"id\":\"c-1\"}}\n\n"
    "id: bad\ndata: {}\n\n";

static void check_events(const struct seen *s)
{
    assert_int_equal(s->n, 5);
    assert_string_equal(s->ev[0].event, "snapshot");
    assert_true(s->ev[0].id_ok);
    assert_int_equal(s->ev[0].r, 41);
    assert_int_equal(s->ev[0].c, 7);
    assert_string_equal(s->ev[1].event, "positions");
    assert_string_equal(s->ev[1].type, "positions");
    assert_true(s->ev[1].has_server_ms);
    assert_int_equal(s->ev[1].server_ms, 1732790000123LL);
    assert_int_equal(s->ev[1].r, 42);
    assert_false(s->ev[2].has_id);
    assert_string_equal(s->ev[2].type, "ping");
    assert_string_equal(s->ev[3].type, "commentary");
    assert_false(s->ev[3].has_server_ms);
    assert_int_equal(s->ev[3].c, 8);
    assert_true(s->ev[4].has_id);
    assert_false(s->ev[4].id_ok);
}

static void test_whole_and_split(void **state)
{
    (void)state;
    size_t len = sizeof stream - 1;
    for (size_t split = 0; split <= len; split++) {
        struct seen s = {.n = 0};
        struct sse_parser p;
        sse_parser_init(&p, 4096, collect, &s);
        assert_int_equal(sse_parser_feed(&p, stream, split), 0);
        assert_int_equal(sse_parser_feed(&p, stream + split, len - split), 0);
        check_events(&s);
        sse_parser_free(&p);
    }
    /* one byte at a time */
    struct seen s = {.n = 0};
    struct sse_parser p;
    sse_parser_init(&p, 4096, collect, &s);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(sse_parser_feed(&p, stream + i, 1), 0);
    check_events(&s);
    sse_parser_free(&p);
}

static void test_line_limit(void **state)
{
    (void)state;
    struct seen s = {.n = 0};
    struct sse_parser p;
    sse_parser_init(&p, 16, collect, &s);
    assert_int_equal(sse_parser_feed(&p, "data: 0123456789", 16), 0);
    assert_int_equal(sse_parser_feed(&p, "abcdef", 6), -E2BIG);
    sse_parser_free(&p);
}

static void test_parse_id(void **state)
{
    (void)state;
    uint64_t r, c;
    assert_int_equal(sse_parse_id("12-0", 4, &r, &c), 0);
    assert_int_equal(r, 12);
    assert_int_equal(c, 0);
    assert_int_equal(sse_parse_id("12", 2, &r, &c), -EINVAL);
    assert_int_equal(sse_parse_id("-3", 2, &r, &c), -EINVAL);
    assert_int_equal(sse_parse_id("1-", 2, &r, &c), -EINVAL);
    assert_int_equal(sse_parse_id("1-2-3", 5, &r, &c), -EINVAL);
    assert_int_equal(sse_parse_id("99999999999999999999-1", 22, &r, &c), -EINVAL);
}

static void test_hist(void **state)
{
    (void)state;
    struct hist *h = calloc(1, sizeof *h);
    assert_int_equal(hist_quantile(h, 0.5), -1);
    for (int i = 1; i <= 100; i++)
        hist_add(h, i);
    hist_add(h, 100000); /* overflow bucket */
    assert_int_equal(hist_quantile(h, 0.5), 51);
    assert_int_equal(hist_quantile(h, 0.99), 100);
    assert_int_equal(hist_quantile(h, 1.0), 100000);
    assert_int_equal(h->max, 100000);
    hist_add(h, -5); /* clamped */
    assert_int_equal(hist_quantile(h, 0.0), 0);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_and_split),
        cmocka_unit_test(test_line_limit),
        cmocka_unit_test(test_parse_id),
        cmocka_unit_test(test_hist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
