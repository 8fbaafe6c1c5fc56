/* Pipelining clients: one that reads its answers gets them all, in order; one that never
 * reads them is held back by the per-connection output budget (server.output_queue_kb)
 * and closed after server.send_timeout_ms, without the server's memory growing. */
#define _GNU_SOURCE /* memmem */
#include "hostile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

static int count(const char *hay, const char *needle)
{
    /* memmem with the length left: strstr would rescan the whole rest each time under ASan. */
    int n = 0;
    size_t left = strlen(hay), nl = strlen(needle);
    for (const char *p = memmem(hay, left, needle, nl); p;
         p = memmem(p + nl, left - (size_t)(p + nl - hay), needle, nl))
        n++;
    return n;
}

static void test_pipelined_requests_are_answered_in_order(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, NULL);
    enum { N = 60 };
    static char reqs[N * 128];
    size_t len = 0;
    for (int i = 0; i < N; i++) {
        /* Alternate two answers that differ, so their order can be checked. */
        const char *path = i % 2 ? "/api/drivers" : "/api/health";
        len += (size_t)snprintf(reqs + len, sizeof reqs - len, "GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n",
                                path, i == N - 1 ? "Connection: close\r\n" : "");
    }
    int fd = connect_port(h.srv.port);
    assert_true(fd >= 0);
    assert_int_equal(test_send(NULL, fd, reqs, len), 0); /* all in one go */
    static char answers[4 << 20];
    bool closed;
    hostile_read(fd, answers, sizeof answers, 10000, &closed);
    close(fd);
    assert_true(closed); /* Connection: close on the last one */
    assert_int_equal(count(answers, "HTTP/1.1 200 OK\r\n"), N);
    const char *p = answers;
    for (int i = 0; i < N; i++) {
        p = strstr(p, "\r\n\r\n");
        assert_non_null(p);
        p += 4;
        assert_memory_equal(p, i % 2 ? "{\"drivers\":" : "{\"status\":", i % 2 ? 11 : 10);
    }
    hostile_finish(&h, 8 * 1024);
}

/* Requests back to back on `fds`, never reading, for `ms`; returns bytes sent per fd. */
static void pipeline_without_reading(const int *fds, bool *open, size_t *sent, int n, int ms,
                                     int port, int64_t *worst_health_ms, long long paused_goal)
{
    static const char req[] = "GET /api/drivers HTTP/1.1\r\nHost: x\r\n\r\n";
    static char burst[256 * (sizeof req - 1)];
    for (size_t i = 0; i < 256; i++)
        memcpy(burst + i * (sizeof req - 1), req, sizeof req - 1);
    int64_t next_health = now_ms() + 250;
    for (int64_t until = now_ms() + ms; now_ms() < until;) {
        struct pollfd p[8];
        for (int i = 0; i < n; i++)
            p[i] = (struct pollfd){.fd = open[i] ? fds[i] : -1, .events = POLLOUT};
        poll(p, (nfds_t)n, 50);
        for (int i = 0; i < n; i++) {
            if (!open[i] || !(p[i].revents & (POLLOUT | POLLERR | POLLHUP)))
                continue;
            ssize_t w = send(fds[i], burst, sizeof burst, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w > 0)
                sent[i] += (size_t)w;
            else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                open[i] = false; /* the server closed it */
        }
        if (now_ms() >= next_health) {
            /* Others are served meanwhile. */
            int64_t t = hostile_health_ms(port);
            assert_true(t >= 0);
            if (t > *worst_health_ms)
                *worst_health_ms = t;
            next_health = now_ms() + 250;
            if (paused_goal &&
                server_metric(port, "pitwall_http_reads_paused_total") >= paused_goal)
                return;
        }
    }
}

static void test_pipeliner_that_never_reads_is_held_back_then_closed(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, "server:\n  send_timeout_ms: 10000\n");
    enum { N = 4 };
    int fds[N];
    bool open[N];
    size_t sent[N] = {0};
    for (int i = 0; i < N; i++) {
        fds[i] = test_connect(NULL, h.srv.port, 8192);
        assert_true(fds[i] >= 0);
        open[i] = true;
    }
    /* Requests nobody reads until each connection is held back at its budget (at most
     * 8 s: the sanitizer build on a busy machine is slow to fill the kernel's buffers). Before the budget existed this grew the server by ~10 MB a second per
     * connection, for as long as the client went on. */
    int64_t worst = 0;
    pipeline_without_reading(fds, open, sent, N, 8000, h.srv.port, &worst, N);
    fprintf(stderr, "  sent per connection: %zu %zu %zu %zu bytes; slowest health %lld ms\n",
            sent[0], sent[1], sent[2], sent[3], (long long)worst);
    assert_true(worst <= HOSTILE_HEALTH_MS);
    hostile_assert_rss(&h, 8 * 1024, "once held back");
    for (int i = 0; i < N; i++)
        assert_true(open[i]); /* held back, not closed yet: send_timeout_ms is 10 s */
    assert_true(server_metric(h.srv.port, "pitwall_http_reads_paused_total") >= N);
    assert_int_equal(server_metric(h.srv.port, "pitwall_http_send_timeouts_total"), 0);
    /* The sender was pushed back: held back, the server reads nothing, so once the
     * kernel buffers are full nothing more goes out. */
    size_t before[N];
    memcpy(before, sent, sizeof before);
    pipeline_without_reading(fds, open, sent, N, 1000, h.srv.port, &worst, 0);
    for (int i = 0; i < N; i++)
        assert_true(sent[i] == before[i]);
    hostile_assert_rss(&h, 8 * 1024, "with 4 connections held back");

    /* Still not reading: closed once send_timeout_ms passed without the queue draining. */
    long long timeouts = 0;
    for (int64_t until = now_ms() + 15000; now_ms() < until && timeouts < N; usleep(100000))
        timeouts = server_metric(h.srv.port, "pitwall_http_send_timeouts_total");
    assert_int_equal(timeouts, N);
    assert_true(hostile_log_has(&h.srv, "bytes of answers unread for 10000 ms"));
    for (int i = 0; i < N; i++)
        close(fds[i]);
    /* One connection open now: this call's. */
    assert_int_equal(server_metric(h.srv.port, "pitwall_http_connections_open"), 1);
    hostile_finish(&h, 8 * 1024);
}

/* A pipeliner that reads slowly is held back and resumed, and still gets every answer. */
static void test_slow_reading_pipeliner_gets_every_answer(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, "server:\n  output_queue_kb: 16\n");
    enum { N = 8000 };
    static const char req[] = "GET /api/drivers HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char last[] = "GET /api/drivers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    static char reqs[N * sizeof last];
    size_t len = 0;
    for (int i = 0; i < N - 1; i++) {
        memcpy(reqs + len, req, sizeof req - 1);
        len += sizeof req - 1;
    }
    memcpy(reqs + len, last, sizeof last - 1);
    len += sizeof last - 1;
    int fd = test_connect(NULL, h.srv.port, 8192);
    assert_true(fd >= 0);
    /* 20 MB of answers: nothing is read until the server holds the connection back (the
     * kernel's buffers take far less); then they are read slowly to the end. */
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    size_t off = 0;
    static char answers[64 << 20];
    size_t got = 0;
    bool closed = false;
    bool held = false;
    for (int64_t until = now_ms() + 60000; now_ms() < until && !closed;) {
        if (off < len) {
            ssize_t w = send(fd, reqs + off, len - off, MSG_NOSIGNAL);
            if (w > 0)
                off += (size_t)w;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (!held) {
            /* Nothing is read until the server says it holds the connection back. */
            held = server_metric(h.srv.port, "pitwall_http_reads_paused_total") > 0;
            usleep(20000);
            continue;
        }
        if (poll(&p, 1, 20) > 0) {
            ssize_t n = recv(fd, answers + got, sizeof answers - 1 - got, 0);
            if (n <= 0)
                closed = true;
            else
                got += (size_t)n;
            usleep(2000); /* slow */
        }
    }
    answers[got] = '\0';
    close(fd);
    assert_true(closed);
    assert_int_equal(off, len);
    assert_int_equal(count(answers, "HTTP/1.1 200 OK\r\n"), N);
    assert_true(held);
    assert_int_equal(server_metric(h.srv.port, "pitwall_http_send_timeouts_total"), 0);
    hostile_finish(&h, 8 * 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipelined_requests_are_answered_in_order),
        cmocka_unit_test(test_pipeliner_that_never_reads_is_held_back_then_closed),
        cmocka_unit_test(test_slow_reading_pipeliner_gets_every_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
