/* Unit tests for src/hub's positions deltas (delta.c) and compressed streams (packer.c).
 * The end-to-end property test against the real server is tests/delta/delta_property.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "hub/delta.h"
#include "hub/packer.h"
#include "hub/resume.h"

/* xorshift: the same sequence every run. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static json_t *make_car(uint64_t *s, int number, int64_t ts)
{
    char num[12], name[32];
    snprintf(num, sizeof num, "%d", number);
    snprintf(name, sizeof name, "Driver %d", number);
    return json_pack("{s:s, s:i, s:I, s:s, s:s, s:I, s:I, s:[iii], s:s, s:b}", "driver_name", name,
                     "position", 0, "timestamp", (json_int_t)ts, "race_id", "R", "number", num,
                     "gap_ms", (json_int_t)(rnd(s) % 100000), "interval_ms",
                     (json_int_t)(rnd(s) % 5000), "sectors_ms", (int)(rnd(s) % 40000), 0, 0, "tyre",
                     "SOFT", "in_pit", 0);
}

static json_t *make_positions(int64_t seq, int64_t ts, json_t *cars)
{
    size_t i;
    json_t *car;
    json_array_foreach(cars, i, car)
    {
        json_object_set_new(car, "position", json_integer((json_int_t)i + 1));
        json_object_set_new(car, "timestamp", json_integer(ts));
    }
    return json_pack("{s:o, s:I, s:s, s:I, s:i, s:s, s:I, s:n}", "positions", cars, "timestamp",
                     (json_int_t)ts, "race_id", "R", "seq", (json_int_t)seq, "lap", 3,
                     "track_status", "green", "server_ms", (json_int_t)ts, "fastest_lap");
}

/* The next tick: some fields change, sometimes two cars swap, a car leaves or joins, the
 * lap or track status moves. */
static json_t *mutate(uint64_t *s, const json_t *prev, int *next_number)
{
    int64_t seq = json_integer_value(json_object_get(prev, "seq")) + 1 + (int64_t)(rnd(s) % 3);
    int64_t ts = json_integer_value(json_object_get(prev, "timestamp")) + 100;
    json_t *cars = json_deep_copy(json_object_get(prev, "positions"));
    size_t n = json_array_size(cars);
    for (size_t i = 0; i < n; i++) {
        json_t *car = json_array_get(cars, i);
        if (rnd(s) % 2)
            json_object_set_new(car, "gap_ms", json_integer((json_int_t)(rnd(s) % 100000)));
        if (rnd(s) % 10 == 0)
            json_object_set_new(car, "tyre", json_string("HARD"));
        if (rnd(s) % 20 == 0)
            json_object_set_new(car, "in_pit", json_boolean(rnd(s) % 2));
        if (rnd(s) % 50 == 0)
            json_object_set_new(car, "driver_name", json_string("Renamed"));
    }
    if (n > 1 && rnd(s) % 3 == 0) {
        size_t a = rnd(s) % (n - 1);
        json_t *car = json_incref(json_array_get(cars, a));
        json_array_remove(cars, a);
        json_array_insert_new(cars, a + 1, car);
    }
    if (n > 2 && rnd(s) % 15 == 0)
        json_array_remove(cars, rnd(s) % n);
    if (rnd(s) % 15 == 0)
        json_array_append_new(cars, make_car(s, (*next_number)++, ts));
    json_t *next = make_positions(seq, ts, cars);
    if (rnd(s) % 10 == 0)
        json_object_set_new(next, "lap", json_integer(4));
    if (rnd(s) % 20 == 0)
        json_object_set_new(next, "track_status", json_string("sc"));
    return next;
}

static void test_delta_rebuilds_every_tick(void **state)
{
    (void)state;
    uint64_t s = 88172645463325252ull;
    int number = 1;
    size_t delta_bytes = 0, full_bytes = 0;
    for (int race = 0; race < 20; race++) {
        json_t *cars = json_array();
        for (int i = 0; i < 22; i++)
            json_array_append_new(cars, make_car(&s, number++, 1000));
        json_t *prev = make_positions(1, 1000, cars);
        for (int tick = 0; tick < 200; tick++) {
            json_t *next = mutate(&s, prev, &number);
            json_t *delta = NULL, *rebuilt = NULL;
            assert_int_equal(hub_delta_positions(prev, next, &delta), 0);
            assert_int_equal(hub_delta_apply(prev, delta, &rebuilt), 0);
            assert_true(json_equal(rebuilt, next));
            char *d = json_dumps(delta, JSON_COMPACT), *f = json_dumps(next, JSON_COMPACT);
            assert_null(json_object_get(delta, "race_id")); /* static: never repeated */
            delta_bytes += strlen(d);
            full_bytes += strlen(f);
            free(d);
            free(f);
            json_decref(delta);
            json_decref(rebuilt);
            json_decref(prev);
            prev = next;
        }
        json_decref(prev);
    }
    /* Half the cars change a field each tick here, so the deltas are well under the whole. */
    assert_true(delta_bytes * 2 < full_bytes);
}

static void test_delta_refuses_what_it_cannot_express(void **state)
{
    (void)state;
    uint64_t s = 7;
    json_t *cars = json_array();
    json_array_append_new(cars, make_car(&s, 1, 1000));
    json_array_append_new(cars, make_car(&s, 2, 1000));
    json_t *prev = make_positions(1, 1000, cars);
    json_t *next = json_deep_copy(prev);
    json_object_set_new(next, "seq", json_integer(2));
    json_t *delta = NULL, *out = NULL;
    /* Two cars with one number. */
    json_object_set_new(json_array_get(json_object_get(next, "positions"), 1), "number",
                        json_string("1"));
    assert_int_equal(hub_delta_positions(prev, next, &delta), -EINVAL);
    assert_null(delta);
    /* A car whose timestamp is not the frame's. */
    json_object_set_new(json_array_get(json_object_get(next, "positions"), 1), "number",
                        json_string("2"));
    json_object_set_new(json_array_get(json_object_get(next, "positions"), 1), "timestamp",
                        json_integer(5));
    assert_int_equal(hub_delta_positions(prev, next, &delta), -EINVAL);
    /* A delta applied to the wrong base. */
    json_object_set_new(json_array_get(json_object_get(next, "positions"), 1), "timestamp",
                        json_integer(1000));
    assert_int_equal(hub_delta_positions(prev, next, &delta), 0);
    json_object_set_new(prev, "seq", json_integer(0));
    assert_int_equal(hub_delta_apply(prev, delta, &out), -EINVAL);
    assert_null(out);
    json_decref(delta);
    json_decref(prev);
    json_decref(next);
}

/* Frames packed once, sent to two clients in different subsets, must inflate to exactly
 * the bytes each was sent, with a valid trailer. */
static void check_stream(enum hub_pack_encoding enc)
{
    struct hub_packer *p;
    assert_int_equal(hub_packer_create(6, &p), 0);
    struct pw_buf *frames[40];
    char text[2048];
    for (int i = 0; i < 40; i++) {
        int n =
            snprintf(text, sizeof text,
                     "id: %d-0\nevent: delta\ndata: {\"seq\":%d,\"gap_ms\":%d}\n\n", i, i, i * 37);
        for (int k = 0; k < i * 20 && n < (int)sizeof text - 1; k++)
            text[n++] = (char)('a' + k % 7); /* sizes up to 800 bytes more */
        frames[i] = pw_buf_new(text, (size_t)n);
    }
    for (int client = 0; client < 2; client++) {
        struct hub_pack_stream st;
        hub_pack_stream_init(&st, enc);
        unsigned char wire[65536], plain[65536], back[65536];
        size_t wlen = 0, plen = 0;
        struct pw_buf *head = hub_pack_stream_header(&st);
        memcpy(wire, head->data, head->len);
        wlen += head->len;
        pw_buf_unref(head);
        for (int i = client; i < 40; i += 1 + client) { /* client 1 joins late, skips some */
            struct pw_buf *z = hub_packer_pack(p, frames[i]);
            assert_non_null(z);
            assert_ptr_equal(hub_packer_pack(p, frames[i]), z); /* made once */
            memcpy(wire + wlen, z->data, z->len);
            wlen += z->len;
            memcpy(plain + plen, frames[i]->data, frames[i]->len);
            plen += frames[i]->len;
            hub_pack_stream_sent(&st, frames[i]);
        }
        struct pw_buf *t = hub_pack_stream_trailer(&st);
        memcpy(wire + wlen, t->data, t->len);
        wlen += t->len;
        pw_buf_unref(t);
        z_stream z = {0};
        assert_int_equal(inflateInit2(&z, enc == HUB_PACK_GZIP ? 16 + 15 : 15), Z_OK);
        z.next_in = wire;
        z.avail_in = (uInt)wlen;
        z.next_out = back;
        z.avail_out = sizeof back;
        assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END); /* trailer checked by zlib */
        assert_int_equal(z.total_out, plen);
        assert_memory_equal(back, plain, plen);
        assert_int_equal(z.avail_in, 0);
        inflateEnd(&z);
    }
    for (int i = 0; i < 40; i++)
        pw_buf_unref(frames[i]);
    hub_packer_destroy(p);
}

static void test_packed_streams_inflate_whole(void **state)
{
    (void)state;
    check_stream(HUB_PACK_GZIP);
    check_stream(HUB_PACK_DEFLATE);
}

static void test_negotiate(void **state)
{
    (void)state;
    assert_int_equal(hub_pack_negotiate(NULL), HUB_PACK_IDENTITY);
    assert_int_equal(hub_pack_negotiate(""), HUB_PACK_IDENTITY);
    assert_int_equal(hub_pack_negotiate("gzip, deflate, br, zstd"), HUB_PACK_GZIP);
    assert_int_equal(hub_pack_negotiate("deflate"), HUB_PACK_DEFLATE);
    assert_int_equal(hub_pack_negotiate("br"), HUB_PACK_IDENTITY);
    assert_int_equal(hub_pack_negotiate("gzip;q=0, deflate"), HUB_PACK_DEFLATE);
    assert_int_equal(hub_pack_negotiate("GZIP ; q=0.5, deflate;q=0.8"), HUB_PACK_DEFLATE);
    assert_int_equal(hub_pack_negotiate("gzip;q=0.0"), HUB_PACK_IDENTITY);
    assert_int_equal(hub_pack_negotiate("*"), HUB_PACK_GZIP);
    assert_int_equal(hub_pack_negotiate("*;q=0, identity"), HUB_PACK_IDENTITY);
    assert_int_equal(hub_pack_negotiate("x-gzip"), HUB_PACK_IDENTITY);
    struct hub_packer *p = NULL;
    assert_int_equal(hub_packer_create(0, &p), -EINVAL);
    assert_int_equal(hub_packer_create(10, &p), -EINVAL);
}

static struct pw_buf *frame_of(const char *head, size_t body)
{
    struct pw_buf *b = pw_buf_new(NULL, strlen(head) + body + 2);
    memcpy(b->data, head, strlen(head));
    memset(b->data + strlen(head), 'x', body);
    memcpy(b->data + strlen(head) + body, "\n\n", 2);
    return b;
}

/* A log of ticks (1 KB deltas, 10 KB in full) and race events (200 B) after id 1-0. */
static void fill_log(struct event_log *log, int ticks, int events_per_tick)
{
    uint64_t r = 1;
    event_log_init(log, 64u << 20);
    for (int t = 0; t < ticks; t++) {
        r++;
        struct pw_buf *legacy = frame_of("id: 1-0\ndata: ", 10000);
        struct pw_buf *delta = frame_of("id: 1-0\nevent: delta\ndata: ", 1000);
        assert_int_equal(event_log_append(log, LOG_POSITIONS, r, 0, legacy, delta), 0);
        pw_buf_unref(legacy);
        pw_buf_unref(delta);
        for (int e = 0; e < events_per_tick; e++) {
            struct pw_buf *ev = frame_of("id: 1-0\nevent: race\ndata: ", 200);
            assert_int_equal(event_log_append(log, LOG_RACE, ++r, 0, NULL, ev), 0);
            pw_buf_unref(ev);
        }
    }
}

static void test_resume_takes_the_fewest_bytes(void **state)
{
    (void)state;
    struct event_log log;
    size_t last;
    /* Three missed ticks: their deltas (3 KB) beat the newest tick in full. */
    fill_log(&log, 3, 0);
    assert_int_equal(hub_resume_choose(&log, 1, 0, 20000, 50, &last), HUB_RESUME_REPLAY);
    assert_int_equal(last, 2);
    /* Twenty: the newest tick in full (10 KB) beats 20 KB of deltas; a 30 KB snapshot not. */
    event_log_free(&log);
    fill_log(&log, 20, 0);
    assert_int_equal(hub_resume_choose(&log, 1, 0, 30000, 50, &last), HUB_RESUME_CATCHUP);
    assert_int_equal(last, 19);
    /* Twenty with many race events: a 15 KB snapshot beats replaying them ... */
    event_log_free(&log);
    fill_log(&log, 20, 10);
    assert_int_equal(hub_resume_choose(&log, 1, 0, 15000, 50, &last), HUB_RESUME_SNAPSHOT);
    /* ... and nothing is missed by a client at the present. */
    assert_int_equal(hub_resume_choose(&log, 1000, 0, 15000, 50, &last), HUB_RESUME_REPLAY);
    assert_int_equal(last, log.count);
    event_log_free(&log);
    /* The full frame is the original one with the combined stream's event name. */
    struct pw_buf *legacy = pw_buf_new("id: 7-2\ndata: {}\n\n", 18);
    struct log_entry e = {.kind = LOG_POSITIONS, .r = 7, .c = 2, .legacy = legacy};
    struct pw_buf *full = hub_resume_full_positions(&e);
    assert_non_null(full);
    assert_int_equal(full->len, strlen("id: 7-2\nevent: positions\ndata: {}\n\n"));
    assert_memory_equal(full->data, "id: 7-2\nevent: positions\ndata: {}\n\n", full->len);
    pw_buf_unref(full);
    pw_buf_unref(legacy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delta_rebuilds_every_tick),
        cmocka_unit_test(test_delta_refuses_what_it_cannot_express),
        cmocka_unit_test(test_packed_streams_inflate_whole),
        cmocka_unit_test(test_negotiate),
        cmocka_unit_test(test_resume_takes_the_fewest_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
