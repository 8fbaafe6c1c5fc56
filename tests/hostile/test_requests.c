/* Malformed and hostile requests: garbage, oversized request lines and headers, request
 * smuggling (Content-Length with Transfer-Encoding, two lengths), resets mid-request. Each
 * gets its status (or nothing, for a reset), the connection closes, and the server keeps
 * neither the bytes nor the connections. */
#include "hostile.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Send `len` bytes on a new connection, read the answer to the close; returns the status
 * of the first answer line and copies the whole answer into out. */
static int exchange(int port, const char *req, size_t len, char *out, size_t cap)
{
    int fd = connect_port(port);
    assert_true(fd >= 0);
    test_send(NULL, fd, req, len); /* the server may close before it has it all */
    bool closed;
    hostile_read(fd, out, cap, 5000, &closed);
    close(fd);
    assert_true(closed); /* every case here ends with the server closing */
    int status = 0;
    if (sscanf(out, "HTTP/1.1 %d", &status) != 1)
        return 0;
    return status;
}

static int answers_in(const char *s)
{
    int n = 0;
    for (const char *p = strstr(s, "HTTP/1.1 "); p; p = strstr(p + 1, "HTTP/1.1 "))
        n++;
    return n;
}

static void assert_detail(const char *answer)
{
    const char *body = strstr(answer, "\r\n\r\n");
    assert_non_null(body);
    assert_memory_equal(body + 4, "{\"detail\":\"", 11);
}

static void test_garbage_gets_400_and_close(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, NULL);
    static char junk[16384], answer[4096];
    unsigned seed = 15;
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (char)(rand_r(&seed) & 0xff);
        junk[0] = (char)(0x80 | junk[0]); /* not a method's first letter */
        assert_int_equal(exchange(h.srv.port, junk, sizeof junk, answer, sizeof answer), 400);
        assert_detail(answer);
    }
    hostile_finish(&h, 4 * 1024);
}

static void test_oversized_request_line_and_headers(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, NULL);
    static char req[1 << 20], answer[4096];
    /* A URL past 4 KiB; then one of a megabyte with no end of line at all. */
    int n = snprintf(req, sizeof req, "GET /api/health?");
    memset(req + n, 'a', 8192);
    n += 8192;
    n += snprintf(req + n, sizeof req - (size_t)n, " HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(exchange(h.srv.port, req, (size_t)n, answer, sizeof answer), 414);
    memcpy(req, "GET /", 5);
    memset(req + 5, 'b', sizeof req - 5);
    assert_int_equal(exchange(h.srv.port, req, sizeof req, answer, sizeof answer), 414);
    /* One header of 20 KiB; 100 small headers; a header line of a megabyte. */
    n = snprintf(req, sizeof req, "GET /api/health HTTP/1.1\r\nX-Big: ");
    memset(req + n, 'c', 20 * 1024);
    n += 20 * 1024;
    n += snprintf(req + n, sizeof req - (size_t)n, "\r\n\r\n");
    assert_int_equal(exchange(h.srv.port, req, (size_t)n, answer, sizeof answer), 431);
    assert_detail(answer);
    n = snprintf(req, sizeof req, "GET /api/health HTTP/1.1\r\n");
    for (int i = 0; i < 100; i++)
        n += snprintf(req + n, sizeof req - (size_t)n, "X-H%d: %d\r\n", i, i);
    n += snprintf(req + n, sizeof req - (size_t)n, "\r\n");
    assert_int_equal(exchange(h.srv.port, req, (size_t)n, answer, sizeof answer), 431);
    n = snprintf(req, sizeof req, "GET /api/health HTTP/1.1\r\nX-Endless: ");
    memset(req + n, 'd', sizeof req - (size_t)n);
    assert_int_equal(exchange(h.srv.port, req, sizeof req, answer, sizeof answer), 431);
    hostile_finish(&h, 4 * 1024);
}

static void test_smuggling_is_refused(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, NULL);
    static char answer[8192];
    /* Content-Length and Transfer-Encoding together: a front end that reads one and a
     * back end that reads the other would disagree on where the next request starts.
     * Refused with 400 and the connection closed: the hidden request is never answered. */
    static const char cl_te[] = "POST /api/race/start HTTP/1.1\r\nHost: x\r\n"
                                "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "0\r\n\r\nGET /api/drivers HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(exchange(h.srv.port, cl_te, sizeof cl_te - 1, answer, sizeof answer), 400);
    assert_int_equal(answers_in(answer), 1);
    assert_null(strstr(answer, "drivers"));
    static const char te_cl[] = "POST /api/race/start HTTP/1.1\r\nHost: x\r\n"
                                "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                                "0\r\n\r\nGET /api/drivers HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(exchange(h.srv.port, te_cl, sizeof te_cl - 1, answer, sizeof answer), 400);
    assert_int_equal(answers_in(answer), 1);
    /* Two lengths that differ, and two that agree: both refused. */
    static const char two_cl[] = "POST /api/race/start HTTP/1.1\r\nHost: x\r\n"
                                 "Content-Length: 2\r\nContent-Length: 40\r\n\r\n"
                                 "{}GET /api/drivers HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(exchange(h.srv.port, two_cl, sizeof two_cl - 1, answer, sizeof answer), 400);
    assert_int_equal(answers_in(answer), 1);
    static const char same_cl[] = "POST /api/race/start HTTP/1.1\r\nHost: x\r\n"
                                  "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}";
    assert_int_equal(exchange(h.srv.port, same_cl, sizeof same_cl - 1, answer, sizeof answer), 400);
    /* A chunk size that overflows, and a bad chunk size. */
    static const char huge_chunk[] = "POST /api/race/start HTTP/1.1\r\nHost: x\r\n"
                                     "Transfer-Encoding: chunked\r\n\r\n"
                                     "ffffffffffffffffff\r\nx\r\n0\r\n\r\n";
    int st = exchange(h.srv.port, huge_chunk, sizeof huge_chunk - 1, answer, sizeof answer);
    assert_true(st == 400 || st == 413);
    static const char bad_chunk[] = "POST /api/race/start HTTP/1.1\r\nHost: x\r\n"
                                    "Transfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n";
    assert_int_equal(exchange(h.srv.port, bad_chunk, sizeof bad_chunk - 1, answer, sizeof answer), 400);
    hostile_finish(&h, 4 * 1024);
}

static void test_resets_mid_request_leave_nothing_behind(void **state)
{
    (void)state;
    struct hostile h;
    hostile_start(&h, NULL);
    static const char *const halves[] = {
        "GET /api/hea",                                              /* in the request line */
        "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Half: ab",         /* in a header */
        "POST /api/race/start HTTP/1.1\r\nContent-Length: 1000\r\n\r\n{\"dri", /* in the body */
        "POST /api/race/start HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n{\"d",
    };
    for (int round = 0; round < 100; round++) {
        int fds[4];
        for (int i = 0; i < 4; i++) {
            fds[i] = connect_port(h.srv.port);
            assert_true(fds[i] >= 0);
            assert_int_equal(test_send(NULL, fds[i], halves[i], strlen(halves[i])), 0);
        }
        for (int i = 0; i < 4; i++)
            hostile_reset(fds[i]);
    }
    /* All 400 are gone from the server (only the metrics call's own is open). */
    long long open = -1;
    for (int64_t until = now_ms() + 5000; now_ms() < until && open != 1; usleep(50000))
        open = server_metric(h.srv.port, "pitwall_http_connections_open");
    assert_int_equal(open, 1);
    hostile_finish(&h, 4 * 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_garbage_gets_400_and_close),
        cmocka_unit_test(test_oversized_request_line_and_headers),
        cmocka_unit_test(test_smuggling_is_refused),
        cmocka_unit_test(test_resets_mid_request_leave_nothing_behind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
