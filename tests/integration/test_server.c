/* Integration tests against the real pitwall binary (docs/API.md, docs/HTTP.md): full races
 * over HTTP and SSE, isolation between races, resume, slow clients, bad requests, wire
 * format, restart and shutdown. Each test starts its own server on a free port with its own
 * history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api_json.h"
#include "harness.h"
#include "race_notes.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#define MAX_CARS 26

/* The grid's racing numbers, from /api/drivers. */
static int grid_numbers(int port, char numbers[][4])
{
    json_t *j = api_get_json(port, "/api/drivers", 200);
    json_t *list = json_object_get(j, "drivers");
    int n = (int)json_array_size(list);
    assert_true(n >= 10 && n <= MAX_CARS);
    for (int i = 0; i < n; i++)
        snprintf(numbers[i], 4, "%s", json_string_value(json_object_get(json_array_get(list, i), "number")));
    json_decref(j);
    return n;
}

/* Checks one positions frame's data object: right race everywhere, positions 1..n, and the
 * cars a permutation of the grid. Copies the running order (numbers) into order. */
static void check_positions(json_t *data, const char *race_id, char grid[][4], int n_grid,
                            char order[][4])
{
    assert_string_equal(json_string_value(json_object_get(data, "race_id")), race_id);
    json_t *cars = json_object_get(data, "positions");
    assert_int_equal((int)json_array_size(cars), n_grid);
    bool seen[MAX_CARS] = {false};
    for (int i = 0; i < n_grid; i++) {
        json_t *car = json_array_get(cars, (size_t)i);
        assert_string_equal(json_string_value(json_object_get(car, "race_id")), race_id);
        assert_int_equal(json_integer_value(json_object_get(car, "position")), i + 1);
        assert_non_null(json_string_value(json_object_get(car, "driver_name")));
        assert_true(json_is_integer(json_object_get(car, "timestamp")));
        const char *num = json_string_value(json_object_get(car, "number"));
        int k = -1;
        for (int g = 0; g < n_grid; g++) {
            if (strcmp(grid[g], num) == 0)
                k = g;
        }
        assert_true(k >= 0);
        assert_false(seen[k]);
        seen[k] = true;
        if (order)
            snprintf(order[i], 4, "%s", num);
    }
}

struct stream_result {
    int frames;
    int ends;
    char last_order[MAX_CARS][4];
    char end_status[32];
};

/* A minute to read a race's stream to its end, two seconds at most for each frame. */
static const struct sse_read_limits whole_race = {.within_ms = 60000, .wait_ms = 2000};

/* What reading a stream of the original kind checks its frames against, and what it found. */
struct legacy_read {
    const char *race_id;
    char (*grid)[4];
    int n_grid;
    const char *want_type;
    struct stream_result *res;
};

/* Checks one frame of a stream of the original kind; stops at its `end` frame. */
static bool on_legacy_frame(void *ctx, const struct sse_frame *f)
{
    struct legacy_read *r = ctx;
    struct stream_result *res = r->res;
    json_t *j = api_parse_json(f->data);
    const char *type = json_string_value(json_object_get(j, "type"));
    assert_non_null(type);
    if (strcmp(type, "ping") == 0) {
        json_decref(j);
        return false;
    }
    /* Every event frame has an id; the derived end frame has none (docs/API.md). */
    assert_true((f->id[0] != '\0') == (strcmp(type, "end") != 0));
    assert_string_equal(f->event, "");
    json_t *data = json_object_get(j, "data");
    if (strcmp(type, "end") == 0) {
        assert_string_equal(json_string_value(json_object_get(data, "race_id")), r->race_id);
        snprintf(res->end_status, sizeof res->end_status, "%s",
                 json_string_value(json_object_get(data, "status")));
        res->ends++;
    } else {
        assert_string_equal(type, r->want_type);
        if (strcmp(type, "positions") == 0) {
            check_positions(data, r->race_id, r->grid, r->n_grid, res->last_order);
        } else {
            assert_string_equal(json_string_value(json_object_get(data, "race_id")), r->race_id);
            const char *msg = json_string_value(json_object_get(data, "message"));
            assert_non_null(msg);
            assert_true(strlen(msg) > 0 && strlen(msg) <= 100);
            const char *kind = json_string_value(json_object_get(data, "type"));
            assert_true(strcmp(kind, "highlight") == 0 || strcmp(kind, "warning") == 0 ||
                        strcmp(kind, "info") == 0);
            assert_non_null(json_string_value(json_object_get(data, "id")));
        }
        res->frames++;
    }
    json_decref(j);
    return res->ends > 0;
}

/* Read a stream of the original kind to its `end` frame, checking every frame. */
static void read_legacy_stream(struct sse *s, const char *race_id, char grid[][4], int n_grid,
                               const char *want_type, struct stream_result *res)
{
    memset(res, 0, sizeof *res);
    struct legacy_read r = {race_id, grid, n_grid, want_type, res};
    sse_read_frames(s, whole_race, on_legacy_frame, &r);
}

/* Opens the stream at before + race_id + after and asserts it opened. */
static void open_stream(struct sse *st, int port, const char *before, const char *race_id,
                        const char *after, const char *last_event_id)
{
    char path[200];
    snprintf(path, sizeof path, "%s%s%s", before, race_id, after);
    assert_int_equal(sse_open(st, port, path, last_event_id), 0);
}

static void test_full_race_over_http_and_restart(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, NULL, NULL, NULL), 0);
    char grid[MAX_CARS][4];
    int n_grid = grid_numbers(srv.port, grid);
    char race_id[64], path[160];
    api_start_race(srv.port, "{\"driver_name\":\"Lando Norris\",\"duration_s\":6,\"tick_hz\":5}",
               race_id, sizeof race_id);

    json_t *st = api_get_json(
        srv.port, (snprintf(path, sizeof path, "/api/race/%s/status", race_id), path), 200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(st, "selected_driver"), "name")), "Lando Norris");
    json_decref(st);
    /* Still running: no final classification yet. */
    struct response r;
    snprintf(path, sizeof path, "/api/race/%s/positions", race_id);
    assert_int_equal(http_call(srv.port, "GET", path, "", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    response_free(&r);

    struct sse pos, com;
    open_stream(&pos, srv.port, "/api/positions/stream?race_id=", race_id, "", NULL);
    assert_int_equal(pos.status, 200);
    open_stream(&com, srv.port, "/api/commentary/stream?race_id=", race_id, "", NULL);
    struct stream_result pr, cr;
    read_legacy_stream(&pos, race_id, grid, n_grid, "positions", &pr);
    read_legacy_stream(&com, race_id, grid, n_grid, "commentary", &cr);
    sse_close(&pos);
    sse_close(&com);
    assert_int_equal(pr.ends, 1);
    assert_string_equal(pr.end_status, "finished");
    assert_true(pr.frames >= 10); /* 6 s at 5 Hz */
    assert_int_equal(cr.ends, 1);
    assert_true(cr.frames >= 1);

    snprintf(path, sizeof path, "/api/race/%s/status", race_id);
    st = api_get_json(srv.port, path, 200);
    assert_string_equal(json_string_value(json_object_get(st, "status")), "finished");
    assert_true(json_real_value(json_object_get(st, "progress")) == 1.0);
    json_decref(st);

    /* The classification equals the last streamed order, before and after a restart. */
    for (int round = 0; round < 2; round++) {
        snprintf(path, sizeof path, "/api/race/%s/positions", race_id);
        json_t *cls = api_get_json(srv.port, path, 200);
        char order[MAX_CARS][4];
        check_positions(cls, race_id, grid, n_grid, order);
        for (int i = 0; i < n_grid; i++)
            assert_string_equal(order[i], pr.last_order[i]);
        json_decref(cls);
        json_t *races = api_get_json(srv.port, "/api/races", 200);
        json_t *first = json_array_get(json_object_get(races, "races"), 0);
        assert_string_equal(json_string_value(json_object_get(first, "race_id")), race_id);
        assert_string_equal(json_string_value(json_object_get(first, "status")), "finished");
        json_decref(races);
        if (round == 0) {
            char dir[256];
            snprintf(dir, sizeof dir, "%s", srv.dir);
            assert_int_equal(server_stop(&srv, SIGTERM), 0);
            assert_int_equal(server_start(&srv, NULL, NULL, dir), 0);
        }
    }
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

static void test_two_races_never_mix(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, NULL, NULL, NULL), 0);
    char grid[MAX_CARS][4];
    int n_grid = grid_numbers(srv.port, grid);
    char a[64], b[64];
    api_start_race(srv.port, "{\"driver_name\":\"Lando Norris\",\"duration_s\":5,\"tick_hz\":5}", a, sizeof a);
    api_start_race(srv.port, "{\"driver_name\":\"Max Verstappen\",\"duration_s\":5,\"tick_hz\":5}", b, sizeof b);
    assert_string_not_equal(a, b);
    struct sse sa, sb, ca, cb;
    open_stream(&sa, srv.port, "/api/positions/stream?race_id=", a, "", NULL);
    open_stream(&sb, srv.port, "/api/positions/stream?race_id=", b, "", NULL);
    open_stream(&ca, srv.port, "/api/commentary/stream?race_id=", a, "", NULL);
    open_stream(&cb, srv.port, "/api/commentary/stream?race_id=", b, "", NULL);
    struct stream_result ra, rb, rca, rcb;
    /* read_legacy_stream asserts race_id on every frame and every car. */
    read_legacy_stream(&sa, a, grid, n_grid, "positions", &ra);
    read_legacy_stream(&sb, b, grid, n_grid, "positions", &rb);
    read_legacy_stream(&ca, a, grid, n_grid, "commentary", &rca);
    read_legacy_stream(&cb, b, grid, n_grid, "commentary", &rcb);
    assert_int_equal(ra.ends + rb.ends + rca.ends + rcb.ends, 4);
    assert_true(ra.frames > 5 && rb.frames > 5);
    sse_close(&sa);
    sse_close(&sb);
    sse_close(&ca);
    sse_close(&cb);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

struct frame_list {
    int n;
    char id[4096][64];
    char event[4096][64];
    uint32_t hash[4096];
};

static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

struct collecting {
    struct frame_list *list;
    int max; /* frames still to record */
    int got_end;
};

/* Records a frame with an id that is not a snapshot; stops at `end`, a full list or `max`. */
static bool on_collected_frame(void *ctx, const struct sse_frame *f)
{
    struct collecting *c = ctx;
    struct frame_list *l = c->list;
    if (strcmp(f->event, "snapshot") != 0 && f->id[0]) {
        snprintf(l->id[l->n], 64, "%s", f->id);
        snprintf(l->event[l->n], 64, "%s", f->event);
        l->hash[l->n] = fnv(f->data);
        l->n++;
        c->max--;
    }
    c->got_end = strcmp(f->event, "end") == 0;
    return c->got_end || l->n >= 4096 || c->max <= 0;
}

/* Read frames until `end` or until `max` frames; snapshot frames are not recorded. */
static int collect(struct sse *s, struct frame_list *l, int max)
{
    struct collecting c = {l, max, 0};
    if (l->n < 4096 && max > 0)
        sse_read_frames(s, whole_race, on_collected_frame, &c);
    return c.got_end;
}

static void test_resume_gets_exactly_the_missed_events(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, NULL, NULL, NULL), 0);
    char race[64], path[160];
    /* A long race (a handful of events a second), stopped once the resume is done. */
    json_t *started = NULL;
    assert_int_equal(api_call_json(srv.port, "POST", "/api/race/start", "",
                                   "{\"driver_name\":\"Charles Leclerc\",\"duration_s\":120,\"tick_hz\":5}",
                                   &started),
                     200);
    snprintf(race, sizeof race, "%s", api_str(started, "race_id"));
    char token[128]; /* race control is the starter's: the stop below sends it back */
    snprintf(token, sizeof token, "X-Race-Token: %s\r\n", api_str(started, "control_token"));
    json_decref(started);
    snprintf(path, sizeof path, "/api/race/%s/stream", race);
    struct sse whole, part;
    assert_int_equal(sse_open(&whole, srv.port, path, NULL), 0);
    assert_int_equal(sse_open(&part, srv.port, path, NULL), 0);
    static struct frame_list all, mine;
    memset(&all, 0, sizeof all);
    memset(&mine, 0, sizeof mine);
    collect(&part, &mine, 20);
    sse_close(&part);
    assert_int_equal(mine.n, 20);
    /* It misses a tick or two: deltas that weigh less than a fresh snapshot, so exactly
     * they are sent (a long gap is answered with a snapshot: the next test). */
    usleep(300 * 1000);
    assert_int_equal(sse_open(&part, srv.port, path, mine.id[mine.n - 1]), 0);
    assert_int_equal(part.status, 200);
    usleep(1500 * 1000);
    char stop[160];
    snprintf(stop, sizeof stop, "/api/race/%s/stop", race);
    struct response r;
    assert_int_equal(http_call(srv.port, "POST", stop, token, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    response_free(&r);
    assert_int_equal(collect(&part, &mine, 100000), 1);
    assert_int_equal(collect(&whole, &all, 100000), 1);
    assert_int_equal(server_metric(srv.port, "pitwall_resumes_snapshot_total"), 0);
    sse_close(&part);
    sse_close(&whole);
    /* Align on the first frame both saw, then the sequences must be identical. */
    int start = -1;
    for (int i = 0; i < all.n && start < 0; i++) {
        if (strcmp(all.id[i], mine.id[0]) == 0 && strcmp(all.event[i], mine.event[0]) == 0)
            start = i;
    }
    assert_true(start >= 0);
    assert_int_equal(all.n - start, mine.n);
    for (int i = 0; i < mine.n; i++) {
        assert_string_equal(all.id[start + i], mine.id[i]);
        assert_string_equal(all.event[start + i], mine.event[i]);
        assert_int_equal(all.hash[start + i], mine.hash[i]);
    }
    /* After the end, a reconnect is told there is nothing more (EventSource stops). */
    char hdr[128];
    snprintf(hdr, sizeof hdr, "Last-Event-ID: %s\r\n", all.id[all.n - 1]);
    assert_int_equal(http_call(srv.port, "GET", path, hdr, NULL, &r), 0);
    assert_int_equal(r.status, 204);
    response_free(&r);
    /* The same id in the query (a client that made a new EventSource) works alike. */
    char qpath[256];
    snprintf(qpath, sizeof qpath, "%s?last_event_id=%s", path, all.id[all.n - 1]);
    assert_int_equal(http_call(srv.port, "GET", qpath, "", NULL, &r), 0);
    assert_int_equal(r.status, 204);
    response_free(&r);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

/* A client socket with a tiny receive buffer that never reads. */
static int stalled_client(int port, const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int small = 2048;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        return -1;
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n)
        return -1;
    return fd;
}

static void test_long_gap_resumes_with_a_snapshot(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, NULL, NULL, NULL), 0);
    char race[64], path[160];
    api_start_race(srv.port, "{\"driver_name\":\"Charles Leclerc\",\"duration_s\":10,\"tick_hz\":10}", race, sizeof race);
    snprintf(path, sizeof path, "/api/race/%s/stream", race);
    struct sse s;
    static struct frame_list first;
    memset(&first, 0, sizeof first);
    assert_int_equal(sse_open(&s, srv.port, path, NULL), 0);
    collect(&s, &first, 2);
    sse_close(&s);
    assert_int_equal(first.n, 2);
    /* Three seconds of 10 Hz deltas weigh more than one snapshot of the present. */
    usleep(3000 * 1000);
    assert_int_equal(sse_open(&s, srv.port, path, first.id[1]), 0);
    assert_int_equal(s.status, 200);
    struct sse_frame f;
    int rc;
    while ((rc = sse_next(&s, &f, 2000)) == 1 && !f.id[0])
        sse_frame_free(&f); /* retry: and the like */
    assert_int_equal(rc, 1);
    assert_string_equal(f.event, "snapshot");
    sse_frame_free(&f);
    /* After it, positions go on as deltas. */
    while ((rc = sse_next(&s, &f, 2000)) == 1 && strcmp(f.event, "delta") != 0)
        sse_frame_free(&f);
    assert_int_equal(rc, 1);
    sse_frame_free(&f);
    sse_close(&s);
    assert_int_equal(server_metric(srv.port, "pitwall_resumes_snapshot_total"), 1);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

/* When the reading client got its frames: how many, and the longest wait between two. */
struct frame_pace {
    int frames;
    int64_t last, worst_gap;
};

static bool on_paced_frame(void *ctx, const struct sse_frame *f)
{
    (void)f;
    struct frame_pace *p = ctx;
    int64_t t = now_ms();
    if (p->frames > 0 && t - p->last > p->worst_gap)
        p->worst_gap = t - p->last;
    p->last = t;
    p->frames++;
    return false;
}

static void test_slow_client_is_evicted_others_on_time(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, "server:\n  stream_queue_kb: 32\n", NULL, NULL), 0);
    char race[64], path[160];
    api_start_race(srv.port, "{\"driver_name\":\"Oscar Piastri\",\"duration_s\":30,\"tick_hz\":10}", race, sizeof race);
    snprintf(path, sizeof path, "/api/race/%s/stream", race);
    int stalled[20];
    for (int i = 0; i < 20; i++)
        assert_true((stalled[i] = stalled_client(srv.port, path)) >= 0);
    struct sse good;
    assert_int_equal(sse_open(&good, srv.port, path, NULL), 0);
    long rss_start = server_rss_kb(&srv);
    struct frame_pace pace = {.last = now_ms()};
    /* Eight seconds of the stream, which never closes on it. */
    assert_int_equal(sse_read_frames(&good, (struct sse_read_limits){.within_ms = 8000, .wait_ms = 1000},
                                     on_paced_frame, &pace),
                     0);
    int frames = pace.frames;
    int64_t worst_gap = pace.worst_gap;
    long rss_end = server_rss_kb(&srv);
    /* 10 ticks a second reached the reading client throughout, without stalls. The
     * sanitizer build runs several times slower, sharing two cores with other suites. */
#if defined(__SANITIZE_ADDRESS__)
    assert_true(frames >= 50);
    assert_true(worst_gap < 1500);
#else
    assert_true(frames >= 70);
    assert_true(worst_gap < 500);
#endif
    assert_true(server_metric(srv.port, "pitwall_clients_evicted_total") >= 20);
    /* The stalled clients cost the server no lasting memory. ASan's quarantine and shadow
     * memory hold on to freed blocks, so its build gets a looser bound. */
#if defined(__SANITIZE_ADDRESS__)
    assert_true(rss_end - rss_start < 96 * 1024);
#else
    assert_true(rss_end - rss_start < 16 * 1024);
#endif
    for (int i = 0; i < 20; i++)
        close(stalled[i]);
    sse_close(&good);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

struct bad_case {
    const char *name;
    const char *method, *path, *headers, *body;
    int want;
};

static void test_bad_requests_table(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, "server:\n  request_timeout_ms: 1000\n", NULL, NULL), 0);
    static char big_body[100 * 1024];
    memset(big_body, 'x', sizeof big_body - 1);
    const struct bad_case cases[] = {
        {"malformed JSON", "POST", "/api/race/start", "", "{\"driver_name\":", 422},
        {"wrong type", "POST", "/api/race/start", "", "{\"driver_name\":5}", 422},
        {"missing field", "POST", "/api/race/start", "", "{}", 422},
        {"not an object", "POST", "/api/race/start", "", "[\"Lando Norris\"]", 422},
        {"bad option type", "POST", "/api/race/start", "", "{\"driver_name\":\"Lando Norris\",\"tick_hz\":\"fast\"}", 422},
        {"option out of range", "POST", "/api/race/start", "", "{\"driver_name\":\"Lando Norris\",\"tick_hz\":99}", 422},
        {"unknown driver", "POST", "/api/race/start", "", "{\"driver_name\":\"Ayrton Senna\"}", 400},
        {"unknown weather", "POST", "/api/race/start", "", "{\"driver_name\":\"Lando Norris\",\"weather\":\"snow\"}", 422},
        {"penalties not a boolean", "POST", "/api/race/start", "", "{\"driver_name\":\"Lando Norris\",\"penalties\":\"yes\"}", 422},
        {"damage not a boolean", "POST", "/api/race/start", "", "{\"driver_name\":\"Lando Norris\",\"damage\":1}", 422},
        {"red_flag not a boolean", "POST", "/api/race/start", "", "{\"driver_name\":\"Lando Norris\",\"red_flag\":1}", 422},
        {"weather not a string", "POST", "/api/race/start", "", "{\"driver_name\":\"Lando Norris\",\"weather\":true}", 422},
        {"oversized body", "POST", "/api/race/start", "", big_body, 413},
        {"unknown race", "GET", "/api/race/0000-nope/status", "", NULL, 404},
        {"malformed race id", "GET", "/api/race/bad$id!/status", "", NULL, 400},
        {"unknown race stream", "GET", "/api/race/0000-nope/stream", "", NULL, 404},
        {"NUL in race_id query", "GET", "/api/positions/stream?race_id=%00%01", "", NULL, 400},
        {"malformed race_id query", "GET", "/api/commentary/stream?race_id=bad%24id", "", NULL, 400},
        {"wrong method", "DELETE", "/api/health", "", NULL, 405},
        {"GET on a POST route", "GET", "/api/race/start", "", NULL, 405},
        {"unknown api path", "GET", "/api/nothing", "", NULL, 404},
        {"stop unknown race", "POST", "/api/race/0000-nope/stop", "", NULL, 404},
        {"traversal", "GET", "/../../../../etc/passwd", "", NULL, 404},
        {"encoded traversal", "GET", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "", NULL, 404},
        {"encoded slash traversal", "GET", "/..%2f..%2f..%2fetc%2fpasswd", "", NULL, 404},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct response r;
        assert_int_equal(http_call(srv.port, cases[i].method, cases[i].path, cases[i].headers,
                                   cases[i].body, &r), 0);
        if (r.status != cases[i].want)
            fail_msg("%s: got %d, wanted %d (%s)", cases[i].name, r.status, cases[i].want, r.body);
        assert_null(strstr(r.body, "root:"));
        if (r.status >= 400 && strcmp(cases[i].method, "HEAD") != 0) {
            json_t *j = api_parse_json(r.body);
            assert_true(json_is_string(json_object_get(j, "detail")));
            json_decref(j);
        }
        response_free(&r);
    }
    /* Oversized headers. */
    static char hdr[40 * 1024];
    int n = snprintf(hdr, sizeof hdr, "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(hdr + n, 'a', 32 * 1024);
    n += 32 * 1024;
    n += snprintf(hdr + n, sizeof hdr - (size_t)n, "\r\n\r\n");
    char out[4096];
    assert_true(http_raw(srv.port, hdr, (size_t)n, out, sizeof out, 3000) > 0);
    assert_non_null(strstr(out, "HTTP/1.1 431"));
    /* Garbage instead of HTTP. */
    assert_true(http_raw(srv.port, "\x16\x03\x01hello\r\n\r\n", 13, out, sizeof out, 3000) > 0);
    assert_non_null(strstr(out, "HTTP/1.1 400"));
    /* A request sent one byte at a time, slowly: cut off by the request timeout. */
    {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
        const char *slow = "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n";
        int64_t t0 = now_ms();
        bool closed = false;
        for (size_t i = 0; slow[i] && !closed; i++) {
            if (send(fd, slow + i, 1, MSG_NOSIGNAL) != 1)
                closed = true;
            char tmp[512];
            ssize_t got = recv(fd, tmp, sizeof tmp - 1, MSG_DONTWAIT);
            if (got > 0) {
                tmp[got] = '\0';
                assert_non_null(strstr(tmp, "408"));
                closed = true;
            } else if (got == 0) {
                closed = true;
            }
            usleep(300 * 1000);
        }
        assert_true(closed);
        assert_true(now_ms() - t0 < 4000);
        close(fd);
    }
    /* 5,000 connections opened and dropped at once. */
    {
        struct rlimit rl;
        getrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < 6000 && rl.rlim_max >= 6000) {
            rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        static int fds[5000];
        int opened = 0;
        for (int i = 0; i < 5000; i++) {
            fds[i] = socket(AF_INET, SOCK_STREAM, 0);
            struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (fds[i] >= 0 && connect(fds[i], (struct sockaddr *)&a, sizeof a) == 0)
                opened++;
        }
        assert_int_equal(opened, 5000);
        for (int i = 0; i < 5000; i++)
            close(fds[i]);
    }
    /* Healthy afterwards, and still answering normally. */
    for (int64_t until = now_ms() + 5000;; usleep(100 * 1000)) {
        struct response r;
        assert_int_equal(http_call(srv.port, "GET", "/api/health", "", NULL, &r), 0);
        int status = r.status;
        response_free(&r);
        if (status == 200)
            break;
        assert_true(now_ms() < until);
    }
    json_t *h = api_get_json(srv.port, "/api/health", 200);
    assert_string_equal(json_string_value(json_object_get(h, "status")), "healthy");
    json_decref(h);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

static void test_sse_bytes_match_the_original_contract(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, "hub:\n  ping_interval_s: 1\n", NULL, NULL), 0);
    /* An idle stream gets pings the original client ignores. */
    struct sse idle;
    assert_int_equal(sse_open(&idle, srv.port, "/api/positions/stream", NULL), 0);
    assert_int_equal(idle.status, 200);
    struct sse_frame f;
    assert_int_equal(sse_next(&idle, &f, 3000), 1);
    assert_string_equal(f.data, "{\"type\":\"ping\"}");
    assert_string_equal(f.id, "");
    sse_frame_free(&f);
    sse_close(&idle);

    char race[64], path[160];
    api_start_race(srv.port, "{\"driver_name\":\"Lewis Hamilton\",\"duration_s\":5,\"tick_hz\":2}", race, sizeof race);
    snprintf(path, sizeof path, "/api/positions/stream?race_id=%s", race);
    struct sse pos;
    assert_int_equal(sse_open(&pos, srv.port, path, NULL), 0);
    struct sse_frame pf;
    assert_int_equal(sse_next(&pos, &pf, 5000), 1);
    sse_frame_free(&pf);
    /* Raw bytes: retry hint, then "id: R-C\ndata: {"type":"positions","data":{"positions":[{"driver_name":... */
    const char *raw = pos.raw_first;
    assert_memory_equal(raw, "retry: 1000\n\nid: ", 17);
    const char *data = strstr(raw, "\ndata: ");
    assert_non_null(data);
    assert_memory_equal(data, "\ndata: {\"type\":\"positions\",\"data\":{\"positions\":[{\"driver_name\":\"",
                        strlen("\ndata: {\"type\":\"positions\",\"data\":{\"positions\":[{\"driver_name\":\""));
    /* The id is two counters. */
    unsigned long r_seq, c_seq;
    assert_int_equal(sscanf(raw + 17, "%lu-%lu", &r_seq, &c_seq), 2);
    sse_close(&pos);

    snprintf(path, sizeof path, "/api/commentary/stream?race_id=%s", race);
    struct sse com;
    assert_int_equal(sse_open(&com, srv.port, path, NULL), 0);
    struct sse_frame cf;
    int rc;
    do {
        rc = sse_next(&com, &cf, 10000);
        assert_int_equal(rc, 1);
        if (strstr(cf.data, "\"type\":\"commentary\""))
            break;
        sse_frame_free(&cf);
    } while (1);
    assert_memory_equal(cf.data, "{\"type\":\"commentary\",\"data\":{\"id\":\"",
                        strlen("{\"type\":\"commentary\",\"data\":{\"id\":\""));
    json_t *j = api_parse_json(cf.data);
    json_t *d = json_object_get(j, "data");
    assert_true(json_is_string(json_object_get(d, "message")));
    assert_true(json_is_integer(json_object_get(d, "timestamp")));
    assert_true(json_is_string(json_object_get(d, "type")));
    json_decref(j);
    sse_frame_free(&cf);
    sse_close(&com);

    struct response r;
    char ct[128];
    open_stream(&pos, srv.port, "/api/positions/stream?race_id=", race, "", NULL);
    sse_close(&pos);
    assert_int_equal(http_call(srv.port, "GET", "/api/health", "Origin: http://localhost:5173\r\n", NULL, &r), 0);
    assert_true(response_header(&r, "Access-Control-Allow-Origin", ct, sizeof ct));
    assert_string_equal(ct, "http://localhost:5173");
    response_free(&r);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

/* Watching for a stream's `end` frame over a number of frames at most. */
struct end_watch {
    int frames_left;
    bool saw_end;
};

static bool on_frame_until_end(void *ctx, const struct sse_frame *f)
{
    struct end_watch *w = ctx;
    w->saw_end = strcmp(f->event, "end") == 0;
    return w->saw_end || --w->frames_left <= 0;
}

static void test_shutdown_ends_streams_and_keeps_history(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, NULL, NULL, NULL), 0);
    char done[64], running[64], path[160];
    api_start_race(srv.port, "{\"driver_name\":\"George Russell\",\"duration_s\":5,\"tick_hz\":5}", done, sizeof done);
    snprintf(path, sizeof path, "/api/race/%s/stream", done);
    struct sse s;
    assert_int_equal(sse_open(&s, srv.port, path, NULL), 0);
    static struct frame_list l;
    memset(&l, 0, sizeof l);
    assert_int_equal(collect(&s, &l, 100000), 1);
    sse_close(&s);
    api_start_race(srv.port, "{\"driver_name\":\"Fernando Alonso\",\"duration_s\":60}", running, sizeof running);
    open_stream(&s, srv.port, "/api/race/", running, "/stream", NULL);
    struct sse_frame f;
    assert_int_equal(sse_next(&s, &f, 5000), 1); /* the snapshot */
    sse_frame_free(&f);
    assert_int_equal(kill(srv.pid, SIGTERM), 0);
    /* `end` within 50 frames, none of them more than 3 s after the one before. */
    struct end_watch w = {.frames_left = 50};
    sse_read_frames(&s, (struct sse_read_limits){.wait_ms = 3000, .quiet_ends = true},
                    on_frame_until_end, &w);
    sse_close(&s);
    assert_true(w.saw_end);
    char dir[256];
    snprintf(dir, sizeof dir, "%s", srv.dir);
    assert_int_equal(server_stop(&srv, 0), 0); /* already signalled: just wait for it */

    /* kill -9 after a restart loses nothing that had finished. */
    assert_int_equal(server_start(&srv, NULL, NULL, dir), 0);
    assert_int_equal(server_stop(&srv, SIGKILL), 128 + SIGKILL);
    assert_int_equal(server_start(&srv, NULL, NULL, dir), 0);
    snprintf(path, sizeof path, "/api/race/%s/positions", done);
    json_t *cls = api_get_json(srv.port, path, 200);
    assert_true(json_array_size(json_object_get(cls, "positions")) >= 10);
    json_decref(cls);
    snprintf(path, sizeof path, "/api/race/%s/status", running);
    json_t *st = api_get_json(srv.port, path, 200);
    assert_string_equal(json_string_value(json_object_get(st, "status")), "stopped");
    json_decref(st);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

/* Each car's damage in a positions frame (full: a list of cars; delta: the changed cars by
 * number): counts the cars that carry the field and the punctures and wings among them. */
static void count_damage(json_t *cars, int *with_field, int *punctures, int *wings)
{
    const char *key;
    size_t i;
    json_t *car;
    if (json_is_array(cars)) {
        json_array_foreach(cars, i, car)
        {
            const char *d = json_string_value(json_object_get(car, "damage"));
            *with_field += d != NULL;
            *punctures += d && strcmp(d, "puncture") == 0;
            *wings += d && strcmp(d, "front_wing") == 0;
        }
        return;
    }
    json_object_foreach(cars, key, car)
    {
        const char *d = json_string_value(json_object_get(car, "damage"));
        *punctures += d && strcmp(d, "puncture") == 0;
        *wings += d && strcmp(d, "front_wing") == 0;
    }
}

/* A frame of a race's stream: its data parsed (NULL when it is not JSON), and in *race_type
 * the race event's "type" ("" when the frame is not a race event). */
static json_t *race_frame(const struct sse_frame *f, const char **race_type)
{
    json_t *d = f->data[0] == '{' ? api_parse_json(f->data) : NULL;
    const char *type = json_string_value(json_object_get(d, "type"));
    *race_type = strcmp(f->event, "race") == 0 && type ? type : "";
    return d;
}

/* Starts a race with `body`, reads its combined stream to the end into `on_frame`, and
 * returns its classification (/api/race/<id>/positions) for the caller to json_decref. */
static json_t *race_through_the_api(int port, const char *body, sse_frame_fn on_frame,
                                    void *ctx)
{
    char race[64], path[160];
    api_start_race(port, body, race, sizeof race);
    struct sse s;
    open_stream(&s, port, "/api/race/", race, "/stream", NULL);
    sse_read_frames(&s, whole_race, on_frame, ctx);
    sse_close(&s);
    snprintf(path, sizeof path, "/api/race/%s/positions", race);
    return api_get_json(port, path, 200);
}

/* What the damage test saw of a race's stream. */
struct damage_seen {
    int contacts, debris, full_frames, with_field, cars_in_full, punctures, wings, ends;
};

static bool on_damage_frame(void *ctx, const struct sse_frame *f)
{
    struct damage_seen *seen = ctx;
    seen->ends = strcmp(f->event, "end") == 0;
    const char *type;
    json_t *d = race_frame(f, &type);
    if (strcmp(type, "race_control") == 0) {
        const char *text = json_string_value(json_object_get(d, "text"));
        seen->contacts += strstr(text, " INCIDENT INVOLVING CARS ") != NULL;
        seen->debris += strncmp(text, "DEBRIS AT TURN ", 15) == 0;
    }
    json_t *full = strcmp(f->event, "snapshot") == 0   ? json_object_get(d, "positions")
                   : strcmp(f->event, "positions") == 0 ? d
                                                       : NULL;
    if (full) {
        json_t *cars = json_object_get(full, "positions");
        seen->full_frames++;
        seen->cars_in_full += (int)json_array_size(cars);
        count_damage(cars, &seen->with_field, &seen->punctures, &seen->wings);
    }
    if (strcmp(f->event, "delta") == 0)
        count_damage(json_object_get(d, "cars"), &seen->with_field, &seen->punctures,
                     &seen->wings);
    json_decref(d);
    return seen->ends;
}

/* A race started with "damage": true: race control notes the contact and the debris in the
 * feed's words, the cars' damage reaches the stream (every car of a full frame carries it, a
 * delta sends a puncture and a broken wing), and the race ends in a classification whose cars
 * carry it too. */
static void test_damage_through_the_api(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, NULL, NULL, NULL), 0);
    struct damage_seen seen = {0};
    json_t *cls = race_through_the_api(
        srv.port,
        "{\"driver_name\":\"Lando Norris\",\"duration_s\":8,\"tick_hz\":5,"
        "\"circuit\":\"monza\",\"laps\":20,\"damage\":true,\"seed\":3}",
        on_damage_frame, &seen);
    assert_int_equal(seen.ends, 1);
    assert_true(seen.contacts >= 1);
    assert_true(seen.debris >= 1);
    assert_true(seen.full_frames >= 1);
    assert_int_equal(seen.with_field, seen.cars_in_full);
    assert_true(seen.punctures >= 1);
    assert_true(seen.wings >= 1);
    json_t *cars = json_object_get(cls, "positions");
    size_t i;
    json_t *car;
    json_array_foreach(cars, i, car)
    {
        assert_non_null(json_string_value(json_object_get(car, "damage")));
    }
    json_decref(cls);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

/* What the rain and red flag test saw of a race's stream. */
struct weather_seen {
    int notes, rain_tyres, wet_frames, ends;
    bool drs_off, drs_on, forecast, red, red_note, pit_exit;
};

static bool on_weather_frame(void *ctx, const struct sse_frame *f)
{
    struct weather_seen *seen = ctx;
    seen->ends = strcmp(f->event, "end") == 0;
    const char *type;
    json_t *d = race_frame(f, &type);
    if (strcmp(type, "race_control") == 0) {
        const char *text = json_string_value(json_object_get(d, "text"));
        seen->notes += !race_note_is_damage(text); /* damage comes at a low rate in any race */
        seen->forecast |= strncmp(text, "RISK OF RAIN FOR F1 SPRINT IS ", 30) == 0;
        seen->drs_off |= strcmp(text, "DRS DISABLED") == 0;
        seen->drs_on |= seen->drs_off && strcmp(text, "DRS ENABLED") == 0;
        seen->red_note |= strcmp(text, "RED FLAG") == 0;
        seen->pit_exit |= seen->red_note && strcmp(text, "GREEN LIGHT - PIT EXIT OPEN") == 0;
    }
    if (strcmp(type, "track_status") == 0)
        seen->red |= strcmp(json_string_value(json_object_get(d, "track")), "red") == 0;
    if (strcmp(type, "pit_out") == 0) {
        const char *tyre = json_string_value(json_object_get(d, "tyre"));
        seen->rain_tyres += strcmp(tyre, "WET") == 0 || strcmp(tyre, "INTERMEDIATE") == 0;
    }
    json_t *w = json_object_get(
        strcmp(f->event, "snapshot") == 0 ? json_object_get(d, "positions") : d, "weather");
    if (json_is_true(json_object_get(w, "raining")) &&
        json_integer_value(json_object_get(w, "wetness")) >= 0)
        seen->wet_frames++;
    json_decref(d);
    return seen->ends;
}

/* A race started with "weather": "rain" and "red_flag": true rains and is stopped once:
 * race control's notes in the feed's words, rain tyres fitted and then slicks again, the
 * weather in the positions frames, a red track, and a classification at the end. */
static void test_rain_and_red_flag_through_the_api(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, NULL, NULL, NULL), 0);
    struct weather_seen seen = {0};
    json_t *cls = race_through_the_api(
        srv.port,
        "{\"driver_name\":\"Lando Norris\",\"duration_s\":8,\"tick_hz\":5,"
        "\"circuit\":\"spa\",\"laps\":12,\"weather\":\"rain\",\"red_flag\":true,\"seed\":1}",
        on_weather_frame, &seen);
    assert_int_equal(seen.ends, 1);
    assert_int_equal(seen.notes, 7); /* four for the weather, three for the red flag */
    assert_true(seen.forecast && seen.drs_off && seen.drs_on);
    assert_true(seen.red && seen.red_note && seen.pit_exit);
    assert_true(seen.rain_tyres >= 10);
    assert_true(seen.wet_frames > 0);
    /* Back on slicks by the end (by a stop, or the free change under the red flag). */
    json_t *cars = json_object_get(cls, "positions");
    assert_int_equal((int)json_array_size(cars), 22);
    size_t i;
    json_t *car;
    int slicks = 0;
    json_array_foreach(cars, i, car)
    {
        const char *tyre = json_string_value(json_object_get(car, "tyre"));
        slicks += strcmp(tyre, "WET") != 0 && strcmp(tyre, "INTERMEDIATE") != 0;
    }
    assert_true(slicks >= 11);
    json_decref(cls);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

/* A real archive session, listed and replayed through the API, ends in the README's order. */
static void test_replay_through_the_api(void **state)
{
    (void)state;
    struct server srv;
    /* Both shared folders: races, and practice and qualifying, each with its kind. */
    const char *args[] = {"--archive", PITWALL_ARCHIVE_DIR, "--archive", PITWALL_SESSIONS_DIR,
                          NULL};
    assert_int_equal(server_start(&srv, NULL, args, NULL), 0);
    json_t *list = api_get_json(srv.port, "/api/replays", 200);
    json_t *sessions = json_object_get(list, "sessions");
    assert_int_equal((int)json_array_size(sessions), 5);
    const char *id = NULL;
    size_t i;
    json_t *sess;
    int kinds = 0;
    json_array_foreach(sessions, i, sess)
    {
        const char *sid = json_string_value(json_object_get(sess, "id"));
        const char *kind = json_string_value(json_object_get(sess, "kind"));
        if (strstr(sid, "Miami"))
            id = sid;
        kinds += strstr(sid, "Miami") && strcmp(kind, "sprint") == 0;
        kinds += strstr(sid, "Practice_2") && strcmp(kind, "practice") == 0;
        kinds += strstr(sid, "Qualifying") && strcmp(kind, "qualifying") == 0;
        kinds += strstr(sid, "Shootout") && strcmp(kind, "sprint_qualifying") == 0;
    }
    assert_int_equal(kinds, 4);
    assert_non_null(id);
    char body[512], race[64], path[160];
    snprintf(body, sizeof body, "{\"session\":\"%s\",\"speed\":1000,\"tick_hz\":10}", id);
    api_start(srv.port, "/api/replay/start", body, race, sizeof race);
    json_decref(list);
    struct response bad;
    assert_int_equal(http_call(srv.port, "POST", "/api/replay/start", "",
                               "{\"session\":\"../../../etc\"}", &bad), 0);
    assert_int_equal(bad.status, 404);
    response_free(&bad);
    snprintf(path, sizeof path, "/api/race/%s/status", race);
    json_t *status = api_get_json(srv.port, path, 200);
    assert_string_equal(json_string_value(json_object_get(status, "kind")), "sprint");
    json_decref(status);
    snprintf(path, sizeof path, "/api/race/%s/stream", race);
    struct sse s;
    assert_int_equal(sse_open(&s, srv.port, path, NULL), 0);
    static struct frame_list l;
    memset(&l, 0, sizeof l);
    assert_int_equal(collect(&s, &l, 100000), 1);
    sse_close(&s);
    snprintf(path, sizeof path, "/api/race/%s/positions", race);
    json_t *cls = api_get_json(srv.port, path, 200);
    const char *want[] = {"NOR", "PIA", "HAM", "ALB", "RUS", "STR", "LAW", "BEA", "TSU", "ANT",
                          "GAS", "HUL", "HAD", "OCO", "BOR", "DOO", "VER"};
    json_t *cars = json_object_get(cls, "positions");
    for (size_t k = 0; k < sizeof want / sizeof *want; k++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(cars, k), "tla")), want[k]);
    json_decref(cls);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

/* A replay whose TimingData places no car (empty, random bytes, another topic's file) is
 * refused at the start with the file and the cause, and nothing is recorded: no race, no
 * history entry with a made-up winner. The synthetic sessions of tests/replay/data. */
static void test_unusable_replays_are_refused_not_recorded(void **state)
{
    (void)state;
    struct server srv;
    const char *args[] = {"--archive", PITWALL_REPLAY_DATA_DIR, NULL};
    assert_int_equal(server_start(&srv, NULL, args, NULL), 0);
    static const struct {
        const char *id, *cause;
    } cases[] = {
        {"unusable/empty", "empty"},
        {"unusable/random", "no line in the archive format"},
        {"unusable/wrong", "not timing data"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char body[128], file[256];
        snprintf(body, sizeof body, "{\"session\":\"%s\",\"speed\":100}", cases[i].id);
        snprintf(file, sizeof file, "%s/TimingData.jsonStream", cases[i].id);
        struct response r;
        assert_int_equal(http_call(srv.port, "POST", "/api/replay/start", "", body, &r), 0);
        if (r.status < 400 || !strstr(r.body, file) || !strstr(r.body, cases[i].cause))
            fail_msg("%s: %d %s", cases[i].id, r.status, r.body);
        response_free(&r);
    }
    /* a session of the same folder that is fine still starts */
    char race[64];
    api_start(srv.port, "/api/replay/start", "{\"session\":\"minimal\",\"speed\":1000}", race,
             sizeof race);
    for (int i = 0; i < 100; i++) {
        json_t *races = api_get_json(srv.port, "/api/races", 200);
        json_t *list = json_object_get(races, "races");
        bool done = json_array_size(list) == 1 &&
                    strcmp(json_string_value(json_object_get(json_array_get(list, 0), "status")),
                           "finished") == 0;
        if (done) {
            /* only the good replay is there, finished */
            assert_string_equal(
                json_string_value(json_object_get(json_array_get(list, 0), "race_id")), race);
        }
        assert_true(json_array_size(list) <= 1);
        json_decref(races);
        if (done)
            break;
        usleep(100 * 1000);
    }
    char dir[256];
    snprintf(dir, sizeof dir, "%s", srv.dir);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    /* after a restart (history only): still only that one */
    assert_int_equal(server_start(&srv, NULL, args, dir), 0);
    json_t *races = api_get_json(srv.port, "/api/races", 200);
    assert_int_equal((int)json_array_size(json_object_get(races, "races")), 1);
    json_decref(races);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_race_over_http_and_restart),
        cmocka_unit_test(test_rain_and_red_flag_through_the_api),
        cmocka_unit_test(test_damage_through_the_api),
        cmocka_unit_test(test_two_races_never_mix),
        cmocka_unit_test(test_resume_gets_exactly_the_missed_events),
        cmocka_unit_test(test_long_gap_resumes_with_a_snapshot),
        cmocka_unit_test(test_slow_client_is_evicted_others_on_time),
        cmocka_unit_test(test_bad_requests_table),
        cmocka_unit_test(test_sse_bytes_match_the_original_contract),
        cmocka_unit_test(test_shutdown_ends_streams_and_keeps_history),
        cmocka_unit_test(test_replay_through_the_api),
        cmocka_unit_test(test_unusable_replays_are_refused_not_recorded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
