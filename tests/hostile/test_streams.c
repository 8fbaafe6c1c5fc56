/* Streams and the smaller edges of the API under misuse: resets mid-stream, HEAD on a
 * stream, Last-Event-IDs that are negative, not numbers or ahead of the race, streams of
 * the original kind closing after their `end` frame, the original app's CORS origin, and
 * a 400 whose detail is cut to its byte limit. */
#include "hostile.h"

#include "api_json.h"

#include "core/utf8.h"

#include <jansson.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define RACE_5S "{\"driver_name\":\"Lando Norris\",\"duration_s\":5,\"tick_hz\":10}"
#define RACE_8S "{\"driver_name\":\"Lando Norris\",\"duration_s\":8,\"tick_hz\":10}"

static void stream_path(char *out, size_t len, const char *kind, const char *race)
{
    if (strcmp(kind, "race") == 0)
        snprintf(out, len, "/api/race/%s/stream", race);
    else
        snprintf(out, len, "/api/%s/stream?race_id=%s", kind, race);
}

static void test_resets_mid_stream(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, NULL);
    char race[64], path[160];
    api_start_race(h.srv.port, RACE_8S, race, sizeof race);
    static const char *const kinds[] = {"positions", "commentary", "race"};
    enum { N = 150 };
    for (int round = 0; round < 3; round++) {
        static struct sse s[N];
        for (int i = 0; i < N; i++) {
            stream_path(path, sizeof path, kinds[i % 3], race);
            assert_int_equal(sse_open(&s[i], h.srv.port, path, NULL), 0);
            assert_int_equal(s[i].status, 200);
        }
        for (int i = 0; i < N; i++) {
            hostile_reset(s[i].fd); /* mid-stream, with frames still coming */
            s[i].fd = -1;
            sse_close(&s[i]);
        }
        hostile_assert_health(h.srv.port);
    }
    long long open = -1;
    for (int64_t until = now_ms() + 5000; now_ms() < until && open != 1; usleep(50000))
        open = server_metric(h.srv.port, "pitwall_http_connections_open");
    assert_int_equal(open, 1);
    hostile_finish(&h, 8 * 1024);
}

static void test_head_on_a_stream_answers_headers_only(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, NULL);
    char race[64], path[160], req[1024], answer[8192];
    api_start_race(h.srv.port, RACE_5S, race, sizeof race);
    static const char *const kinds[] = {"positions", "commentary", "race"};
    struct response r;
    for (int k = 0; k < 3; k++) {
        stream_path(path, sizeof path, kinds[k], race);
        /* HEAD, then a GET on the same connection: the HEAD answer has no body, so the
         * next bytes are the GET's answer. */
        int n = snprintf(req, sizeof req,
                         "HEAD %s HTTP/1.1\r\nHost: x\r\n\r\n"
                         "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                         path);
        int fd = connect_port(h.srv.port);
        assert_true(fd >= 0);
        assert_int_equal(test_send(NULL, fd, req, (size_t)n), 0);
        bool closed;
        hostile_read(fd, answer, sizeof answer, 5000, &closed);
        close(fd);
        assert_true(closed);
        assert_memory_equal(answer, "HTTP/1.1 200 OK\r\n", 17);
        assert_non_null(strstr(answer, "Content-Type: text/event-stream"));
        const char *end = strstr(answer, "\r\n\r\n");
        assert_non_null(end);
        assert_memory_equal(end + 4, "HTTP/1.1 200 OK\r\n", 17);
        assert_non_null(strstr(end + 4, "{\"status\":"));
    }
    /* The anomalies stream too: headers, and no client left behind on the connection,
     * which goes on (its health answer counts no anomalies client). */
    static const char anomalies[] = "HEAD /api/anomalies/stream HTTP/1.1\r\nHost: x\r\n\r\n"
                                    "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    int afd = connect_port(h.srv.port);
    assert_true(afd >= 0);
    assert_int_equal(test_send(NULL, afd, anomalies, sizeof anomalies - 1), 0);
    bool aclosed;
    hostile_read(afd, answer, sizeof answer, 5000, &aclosed);
    close(afd);
    assert_memory_equal(answer, "HTTP/1.1 200 OK\r\n", 17);
    const char *aend = strstr(answer, "\r\n\r\n");
    assert_non_null(aend);
    assert_memory_equal(aend + 4, "HTTP/1.1 200 OK\r\n", 17);
    assert_non_null(strstr(aend, "\"anomalies\":0"));
    /* HEAD of an unknown race's stream: the same 404 a GET gets. */
    assert_int_equal(http_call(h.srv.port, "HEAD", "/api/race/nope/stream", "", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    assert_int_equal(r.body_len, 0);
    response_free(&r);
    assert_int_equal(server_metric(h.srv.port, "pitwall_sse_clients{stream=\"race\"}"), 0);
    hostile_finish(&h, 4 * 1024);
}

static int stream_status(int port, const char *path, const char *last_event_id)
{
    struct sse s;
    if (sse_open(&s, port, path, last_event_id) != 0)
        return -1;
    int st = s.status;
    sse_close(&s);
    return st;
}

static void id_of(const char *id, unsigned long long *r, unsigned long long *c)
{
    assert_int_equal(sscanf(id, "%llu-%llu", r, c), 2);
}

/* An id's two counters, as a stream reader went along. */
struct stream_ids {
    unsigned long long r, c;
    int with_id; /* frames that had an id */
    bool ended;
};

/* Stops at the first positions frame, keeping its id. */
static bool on_first_positions(void *ctx, const struct sse_frame *f)
{
    struct stream_ids *at = ctx;
    bool positions = strcmp(f->event, "positions") == 0;
    if (positions)
        id_of(f->id, &at->r, &at->c);
    return positions;
}

/* Every id after the one the stream resumed from: never backwards, in either counter, and
 * always forwards in one; stops at `end`. */
static bool on_id_forwards(void *ctx, const struct sse_frame *f)
{
    struct stream_ids *prev = ctx;
    if (f->id[0]) {
        unsigned long long r, c;
        id_of(f->id, &r, &c);
        assert_true(r >= prev->r && c >= prev->c);
        assert_true(r > prev->r || c > prev->c);
        prev->r = r;
        prev->c = c;
        prev->with_id++;
    }
    prev->ended = strcmp(f->event, "end") == 0;
    return prev->ended;
}

static void test_last_event_id_never_goes_backwards(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, NULL);
    char race[64], path[160];
    api_start_race(h.srv.port, RACE_8S, race, sizeof race);
    stream_path(path, sizeof path, "race", race);
    /* Negative, not a number, signs, spaces, three parts, 20 digits: 400. */
    static const char *const bad[] = {"-1",  "-1-0",  "5--1", "abc", "1-x", "+5-0", "0x10-0",
                                      "1-2-3", "5-", "-", "99999999999999999999-0",
                                      "0-18446744073709551616"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int st = stream_status(h.srv.port, path, bad[i]);
        if (st != 400)
            fprintf(stderr, "  Last-Event-ID '%s': %d\n", bad[i], st);
        assert_int_equal(st, 400);
    }
    /* Where the race is now. */
    struct sse s;
    assert_int_equal(sse_open(&s, h.srv.port, path, NULL), 0);
    struct stream_ids now = {0};
    sse_read_frames(&s, (struct sse_read_limits){.wait_ms = 5000, .quiet_ends = true},
                    on_first_positions, &now);
    sse_close(&s);
    assert_true(now.r > 0);
    /* An id ahead of the race (as from an edge further along): nothing at or below it. */
    char ahead[64];
    struct stream_ids after = {.r = now.r + 20, .c = now.c + 1};
    snprintf(ahead, sizeof ahead, "%llu-%llu", after.r, after.c);
    assert_int_equal(sse_open(&s, h.srv.port, path, ahead), 0);
    assert_int_equal(s.status, 200);
    sse_read_frames(&s, (struct sse_read_limits){.within_ms = 20000, .wait_ms = 2000},
                    on_id_forwards, &after);
    sse_close(&s);
    fprintf(stderr, "  resumed ahead at %s: %d frames after it, ended %d\n", ahead,
            after.with_id, after.ended);
    assert_true(after.ended);
    assert_true(after.with_id > 0); /* the race went past it */
    /* Far ahead of a race that is over: 204, nothing to send. */
    assert_int_equal(stream_status(h.srv.port, path, "999999999-999999999"), 204);
    hostile_finish(&h, 8 * 1024);
}

/* Keeps the last id a stream of the original kind sent (ctx: 64 bytes); stops at its end
 * frame. */
static bool on_original_frame(void *ctx, const struct sse_frame *f)
{
    char *last_id = ctx;
    if (f->id[0])
        snprintf(last_id, 64, "%s", f->id);
    return strstr(f->data, "\"type\":\"end\"") != NULL;
}

static void test_original_streams_close_after_end(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, NULL);
    char race[64], path[160];
    api_start_race(h.srv.port, RACE_5S, race, sizeof race);
    static const char *const kinds[] = {"positions", "commentary", "race"};
    struct sse s[3], all;
    for (int k = 0; k < 3; k++) {
        stream_path(path, sizeof path, kinds[k], race);
        assert_int_equal(sse_open(&s[k], h.srv.port, path, NULL), 0);
    }
    /* Every race's stream, as the original client opens it: it outlives any one race. */
    assert_int_equal(sse_open(&all, h.srv.port, "/api/positions/stream", NULL), 0);
    for (int k = 0; k < 3; k++) {
        char last_id[64] = "";
        int rc = sse_read_frames(&s[k], (struct sse_read_limits){.within_ms = 30000, .wait_ms = 2000},
                                 on_original_frame, last_id);
        assert_int_equal(rc, 1); /* its end frame, the stream open all along */
        /* Then the server closes it. */
        struct sse_frame f;
        rc = sse_next(&s[k], &f, 3000);
        if (rc == 1)
            sse_frame_free(&f);
        assert_int_equal(rc, -1);
        sse_close(&s[k]);
        /* EventSource reconnects with its last id: 204, which stops it. */
        stream_path(path, sizeof path, kinds[k], race);
        assert_int_equal(stream_status(h.srv.port, path, last_id), 204);
    }
    struct sse_frame f;
    int rc = sse_next(&all, &f, 1500);
    if (rc == 1)
        sse_frame_free(&f);
    assert_true(rc >= 0); /* still open */
    sse_close(&all);
    hostile_finish(&h, 4 * 1024);
}

static void test_original_cors_origin_is_allowed(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, NULL);
    struct response r;
    char v[128];
    assert_int_equal(http_call(h.srv.port, "GET", "/api/drivers", "Origin: http://localhost:3000\r\n", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(response_header(&r, "Access-Control-Allow-Origin", v, sizeof v));
    assert_string_equal(v, "http://localhost:3000");
    response_free(&r);
    assert_int_equal(http_call(h.srv.port, "OPTIONS", "/api/race/start",
                               "Origin: http://localhost:3000\r\nAccess-Control-Request-Method: POST\r\n",
                               NULL, &r), 0);
    assert_int_equal(r.status, 204);
    assert_true(response_header(&r, "Access-Control-Allow-Origin", v, sizeof v));
    response_free(&r);
    /* Others are still not allowed. */
    assert_int_equal(http_call(h.srv.port, "GET", "/api/drivers", "Origin: http://evil.example\r\n", NULL, &r), 0);
    assert_false(response_header(&r, "Access-Control-Allow-Origin", v, sizeof v));
    response_free(&r);
    hostile_finish(&h, 4 * 1024);
}

static void assert_utf8(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int k = pw_utf8_decode((const unsigned char *)s + i, &cp);
        assert_true(k > 0);
        i += (size_t)k;
    }
}

static void test_truncated_400_stays_utf8(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, NULL);
    /* "a" then 60 two-byte characters: a cut at 80 bytes would fall inside one. */
    char name[256] = "a", body[400];
    for (int i = 0; i < 60; i++)
        strcat(name, "\xc3\xa9");
    snprintf(body, sizeof body, "{\"driver_name\":\"%s\"}", name);
    struct response r;
    assert_int_equal(http_call(h.srv.port, "POST", "/api/race/start", "", body, &r), 0);
    assert_int_equal(r.status, 400);
    assert_utf8(r.body, r.body_len);
    json_t *j = json_loads(r.body, 0, NULL); /* jansson refuses invalid UTF-8 */
    assert_non_null(j);
    const char *detail = json_string_value(json_object_get(j, "detail"));
    assert_non_null(detail);
    assert_non_null(strstr(detail, "a\xc3\xa9"));
    assert_true(strlen(detail) < strlen(name) + 20); /* cut */
    json_decref(j);
    response_free(&r);
    hostile_finish(&h, 4 * 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resets_mid_stream),
        cmocka_unit_test(test_head_on_a_stream_answers_headers_only),
        cmocka_unit_test(test_last_event_id_never_goes_backwards),
        cmocka_unit_test(test_original_streams_close_after_end),
        cmocka_unit_test(test_original_cors_origin_is_allowed),
        cmocka_unit_test(test_truncated_400_stays_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
