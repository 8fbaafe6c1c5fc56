/* curl_loop: libcurl multi driven by the libuv loop, against a small HTTP server on the
 * same loop (so a transfer can only finish if nothing blocks the loop). */
#include "core/curl_loop.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a one-answer-per-connection HTTP server on the loop ---- */

struct peer {
    uv_tcp_t tcp;
    char req[4096];
    size_t len;
    uv_write_t wr;
};

static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

static void peer_closed(uv_handle_t *h)
{
    free(h->data);
}

static void peer_written(uv_write_t *w, int status)
{
    (void)status;
    struct peer *p = w->data;
    uv_close((uv_handle_t *)&p->tcp, peer_closed);
}

static void peer_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    struct peer *p = h->data;
    (void)hint;
    *buf = uv_buf_init(p->req + p->len, (unsigned)(sizeof p->req - 1 - p->len));
}

static void peer_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct peer *p = s->data;
    (void)buf;
    if (n < 0) {
        uv_close((uv_handle_t *)&p->tcp, peer_closed);
        return;
    }
    p->len += (size_t)n;
    p->req[p->len] = '\0';
    if (strstr(p->req, "\r\n\r\n")) {
        uv_read_stop(s);
        uv_buf_t out = uv_buf_init((char *)answer, sizeof answer - 1);
        p->wr.data = p;
        uv_write(&p->wr, s, &out, 1, peer_written);
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    assert_int_equal(status, 0);
    struct peer *p = calloc(1, sizeof *p);
    uv_tcp_init(server->loop, &p->tcp);
    p->tcp.data = p;
    assert_int_equal(uv_accept(server, (uv_stream_t *)&p->tcp), 0);
    uv_read_start((uv_stream_t *)&p->tcp, peer_alloc, peer_read);
}

/* ---- the client side ---- */

struct transfer {
    CURL *easy;
    char body[64];
    size_t len;
    bool done;
    CURLcode result;
    long status;
};

struct fixture {
    uv_loop_t loop;
    uv_tcp_t server;
    int port;
    struct curl_loop *cl;
    int finished;
    bool destroy_in_callback;
    uv_timer_t ticker;
    int ticks;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct transfer *t = userp;
    size_t n = size * nmemb;
    if (t->len + n >= sizeof t->body)
        return 0;
    memcpy(t->body + t->len, data, n);
    t->len += n;
    return n;
}

static void on_done(void *owner, CURL *easy, CURLcode result)
{
    struct fixture *f = owner;
    struct transfer *t = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
    assert_non_null(t);
    assert_false(t->done); /* exactly once */
    t->done = true;
    t->result = result;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &t->status);
    f->finished++;
    if (f->destroy_in_callback) {
        curl_loop_destroy(f->cl);
        f->cl = NULL;
    }
}

static void transfer_init(struct transfer *t, const char *url)
{
    memset(t, 0, sizeof *t);
    t->easy = curl_easy_init();
    assert_non_null(t->easy);
    curl_easy_setopt(t->easy, CURLOPT_URL, url);
    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(t->easy, CURLOPT_PRIVATE, (char *)t);
    curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, 5000L);
}

static void on_tick(uv_timer_t *t)
{
    struct fixture *f = t->data;
    f->ticks++;
}

static void stop_when_done(uv_timer_t *t)
{
    uv_stop(t->loop);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct sockaddr_in addr;
    struct sockaddr_storage bound;
    int len = sizeof bound;
    uv_loop_init(&f->loop);
    uv_tcp_init(&f->loop, &f->server);
    uv_ip4_addr("127.0.0.1", 0, &addr);
    assert_int_equal(uv_tcp_bind(&f->server, (const struct sockaddr *)&addr, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&f->server, 64, on_connection), 0);
    uv_tcp_getsockname(&f->server, (struct sockaddr *)&bound, &len);
    f->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    assert_int_equal(curl_loop_create(&f->loop, on_done, f, &f->cl), 0);
    uv_timer_init(&f->loop, &f->ticker);
    f->ticker.data = f;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    curl_loop_destroy(f->cl);
    uv_close((uv_handle_t *)&f->server, NULL);
    uv_close((uv_handle_t *)&f->ticker, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT); /* every handle closes: nothing leaks */
    assert_int_equal(uv_loop_close(&f->loop), 0);
    free(f);
    return 0;
}

/* Runs the loop until `n` transfers finished or 10 s passed. */
static void run_until_finished(struct fixture *f, int n)
{
    uv_timer_t guard;
    uv_timer_init(&f->loop, &guard);
    guard.data = f;
    uv_timer_start(&guard, stop_when_done, 10000, 0);
    while (f->finished < n && uv_is_active((uv_handle_t *)&guard))
        uv_run(&f->loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&guard, NULL);
    uv_run(&f->loop, UV_RUN_NOWAIT);
}

/* Twenty transfers at once all finish, each once, while a 10 ms timer on the same loop
 * keeps firing. */
static void test_parallel_transfers_finish_on_the_loop(void **state)
{
    struct fixture *f = *state;
    char url[64];
    struct transfer t[20];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", f->port);
    for (int i = 0; i < 20; i++) {
        transfer_init(&t[i], url);
        assert_int_equal(curl_loop_add(f->cl, t[i].easy), 0);
    }
    uv_timer_start(&f->ticker, on_tick, 10, 10);
    uint64_t start = uv_hrtime();
    run_until_finished(f, 20);
    uv_timer_stop(&f->ticker);
    assert_int_equal(f->finished, 20);
    for (int i = 0; i < 20; i++) {
        assert_true(t[i].done);
        assert_int_equal(t[i].result, CURLE_OK);
        assert_int_equal(t[i].status, 200);
        assert_int_equal(t[i].len, 2);
        assert_memory_equal(t[i].body, "ok", 2);
        curl_easy_cleanup(t[i].easy);
    }
    /* the timer was never held up for long: at least half its ticks came */
    uint64_t elapsed_ms = (uv_hrtime() - start) / 1000000;
    assert_true(f->ticks >= (int)(elapsed_ms / 10) / 2);
}

/* A refused connection is an error through the same callback, not a hang. */
static void test_refused_connection_reports_error(void **state)
{
    struct fixture *f = *state;
    struct transfer t;
    transfer_init(&t, "http://127.0.0.1:1/");
    assert_int_equal(curl_loop_add(f->cl, t.easy), 0);
    run_until_finished(f, 1);
    assert_true(t.done);
    assert_int_equal(t.result, CURLE_COULDNT_CONNECT);
    curl_easy_cleanup(t.easy);
}

/* A removed transfer never calls back; one that finishes may destroy the curl_loop from
 * its callback, and the other transfers then never call back either. */
static void test_remove_and_destroy_from_callback(void **state)
{
    struct fixture *f = *state;
    char url[64];
    struct transfer removed, a, b;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/y", f->port);
    transfer_init(&removed, url);
    transfer_init(&a, url);
    transfer_init(&b, url);
    assert_int_equal(curl_loop_add(f->cl, removed.easy), 0);
    curl_loop_remove(f->cl, removed.easy);
    assert_int_equal(curl_loop_add(f->cl, a.easy), 0);
    assert_int_equal(curl_loop_add(f->cl, b.easy), 0);
    f->destroy_in_callback = true;
    run_until_finished(f, 1);
    for (int i = 0; i < 20; i++)
        uv_run(&f->loop, UV_RUN_NOWAIT);
    assert_int_equal(f->finished, 1);
    assert_false(removed.done);
    assert_true(a.done != b.done);
    assert_null(f->cl);
    curl_easy_cleanup(removed.easy);
    curl_easy_cleanup(a.easy);
    curl_easy_cleanup(b.easy);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parallel_transfers_finish_on_the_loop, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refused_connection_reports_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_and_destroy_from_callback, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
