/* test_http.c — the HTTP server over real sockets: limits, keep-alive, pipelining,
 * timeouts, connection cap, CORS, static files, streams (eviction, peer close).
 *
 * Each test starts its own server on port 0 on a fresh uv loop; the client helpers pump
 * that loop while they wait, so everything runs in this one thread. */
#include "http/http_server.h"
#include "test_client.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_STREAMS 8

struct fx;

struct stream_slot {
    struct fx *fx;
    struct http_conn *conn;
    int closes; /* on_close calls seen */
    bool open;
};

struct fx {
    uv_loop_t loop;
    struct tc *tc;
    struct http_server *srv;
    struct http_server_config cfg;
    int port;
    char root[PATH_MAX];
    struct stream_slot streams[MAX_STREAMS];
    int n_streams;
    int stream_closes;            /* total on_close calls, all slots */
    struct http_conn *async_conn; /* a request left unanswered by the handler */
    int stopped;
};

static void stream_closed(void *owner, struct http_conn *conn)
{
    struct stream_slot *s = owner;
    assert_ptr_equal(s->conn, conn);
    s->closes++;
    s->open = false;
    s->fx->stream_closes++;
}

static void handler(void *ctx, struct http_conn *conn, const struct http_request *req)
{
    struct fx *fx = ctx;
    char buf[512];
    if (strcmp(req->path, "/hello") == 0) {
        http_respond(conn, 200, "text/plain", "", "hello", 5);
    } else if (strcmp(req->path, "/echo") == 0) {
        http_respond(conn, 200, "application/octet-stream", "", req->body, req->body_len);
    } else if (strcmp(req->path, "/query") == 0) {
        int rc = http_query_param(req->query, "race_id", buf, sizeof buf);
        if (rc < 0)
            http_respond_error(conn, 400, "no \"race_id\"");
        else
            http_respond(conn, 200, "text/plain", "", buf, strlen(buf));
    } else if (strcmp(req->path, "/header") == 0) {
        const char *v = http_request_header(req, "x-TEST");
        snprintf(buf, sizeof buf, "%s %s %s", req->method_name, v ? v : "(none)", req->remote_addr);
        http_respond(conn, 200, "text/plain", "", buf, strlen(buf));
    } else if (strcmp(req->path, "/async") == 0) {
        fx->async_conn = conn; /* answered later by the test */
    } else if (strcmp(req->path, "/stream") == 0) {
        assert_true(fx->n_streams < MAX_STREAMS);
        struct stream_slot *s = &fx->streams[fx->n_streams++];
        s->fx = fx;
        s->conn = conn;
        s->open = true;
        assert_int_equal(http_stream_begin(conn, "text/event-stream", ""), 0);
        http_conn_set_owner(conn, s, stream_closed);
    } else {
        http_serve_static(conn, req, fx->root);
    }
}

static void write_file(const char *dir, const char *name, const char *content)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void make_root(struct fx *fx)
{
    snprintf(fx->root, sizeof fx->root, "/tmp/pw-http-test-XXXXXX");
    assert_non_null(mkdtemp(fx->root));
    char assets[PATH_MAX + 16];
    snprintf(assets, sizeof assets, "%s/assets", fx->root);
    assert_int_equal(mkdir(assets, 0755), 0);
    write_file(fx->root, "index.html", "<!doctype html><title>pitwall</title>");
    write_file(fx->root, "assets/app-1a2b3c.js", "console.log('pitwall');");
    write_file(fx->root, "style.css", "body{color:red}");
    write_file(fx->root, "site.webmanifest", "{}");
    /* a secret next to the root, to aim traversal at */
    char secret[PATH_MAX + 16];
    snprintf(secret, sizeof secret, "%s.secret", fx->root);
    FILE *f = fopen(secret, "w");
    assert_non_null(f);
    fputs("SECRET", f);
    fclose(f);
}

static void remove_root(struct fx *fx)
{
    const char *names[] = {
        "index.html", "assets/app-1a2b3c.js", "style.css", "site.webmanifest", "assets", ""};
    char path[PATH_MAX + 32];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", fx->root, names[i]);
        remove(path);
    }
    snprintf(path, sizeof path, "%s.secret", fx->root);
    remove(path);
}

static void fx_start(struct fx *fx)
{
    fx->cfg.host = "127.0.0.1";
    fx->cfg.port = 0;
    assert_int_equal(http_server_start(&fx->loop, &fx->cfg, NULL, handler, fx, &fx->srv), 0);
    fx->port = http_server_port(fx->srv);
    assert_true(fx->port > 0);
}

/* A fixture with the default config (callers may change fx->cfg and restart). */
static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof *fx);
    fx->tc = malloc(sizeof *fx->tc);
    uv_loop_init(&fx->loop);
    tc_init(fx->tc, &fx->loop);
    http_server_config_defaults(&fx->cfg);
    /* Small limits so the bad-request table stays small and quick. */
    fx->cfg.max_header_bytes = 2048;
    fx->cfg.max_headers = 20;
    fx->cfg.max_url_bytes = 512;
    fx->cfg.max_body_bytes = 1024;
    make_root(fx);
    *state = fx;
    return 0;
}

static void stop_done(void *arg)
{
    ((struct fx *)arg)->stopped = 1;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    if (fx->srv) {
        http_server_stop(fx->srv, stop_done, fx);
        tc_pump_until(fx->tc, &fx->stopped, 1, 5000);
        assert_int_equal(fx->stopped, 1);
    }
    for (int i = 0; i < fx->n_streams; i++)
        assert_int_equal(fx->streams[i].closes, 1); /* exactly once, whatever happened */
    uv_run(&fx->loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&fx->loop), 0); /* no handle left behind */
    remove_root(fx);
    free(fx->tc);
    free(fx);
    return 0;
}

static struct http_server_stats stats(struct fx *fx)
{
    struct http_server_stats st;
    http_server_get_stats(fx->srv, &st);
    return st;
}

static void request(struct fx *fx, const char *raw, struct test_response *res)
{
    int fd = tc_connect(fx->tc, fx->port);
    assert_true(fd >= 0);
    assert_int_equal(tc_send_str(fx->tc, fd, raw), 0);
    int rc = tc_read_response(fx->tc, fd, res, 5000);
    if (rc == 0 && !res->closed)
        res->closed = tc_wait_closed(fx->tc, fd, 50);
    tc_forget(fx->tc, fd);
    close(fd);
}

/* --- keep-alive, pipelining, basics ---------------------------------------------------- */

static void test_keep_alive(void **state)
{
    struct fx *fx = *state;
    struct test_response res;
    fx_start(fx);
    int fd = tc_connect(fx->tc, fx->port);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tc_send_str(fx->tc, fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
        assert_int_equal(tc_read_response(fx->tc, fd, &res, 3000), 0);
        assert_int_equal(res.status, 200);
        assert_string_equal(res.body, "hello");
        char v[64];
        assert_true(tc_header(&res, "Connection", v, sizeof v));
        assert_string_equal(v, "keep-alive");
        assert_true(tc_header(&res, "Date", v, sizeof v));
    }
    assert_int_equal(stats(fx).connections_total, 1);
    /* HTTP/1.0 without keep-alive: answered, then closed */
    assert_int_equal(tc_send_str(fx->tc, fd, "GET /hello HTTP/1.0\r\n\r\n"), 0);
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 3000), 0);
    assert_int_equal(res.status, 200);
    assert_true(tc_wait_closed(fx->tc, fd, 3000));
    tc_forget(fx->tc, fd);
    close(fd);
}

static void test_pipelined(void **state)
{
    struct fx *fx = *state;
    struct test_response res;
    fx_start(fx);
    int fd = tc_connect(fx->tc, fx->port);
    assert_int_equal(tc_send_str(fx->tc, fd,
                                 "GET /query?race_id=a%20b HTTP/1.1\r\n\r\n"
                                 "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde"
                                 "GET /header HTTP/1.1\r\nX-Test: three\r\n\r\n"
                                 "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 "3\r\nxyz\r\n2\r\n12\r\n0\r\n\r\n"),
                     0);
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 3000), 0);
    assert_string_equal(res.body, "a b");
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 3000), 0);
    assert_string_equal(res.body, "abcde");
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 3000), 0);
    assert_string_equal(res.body, "GET three 127.0.0.1");
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 3000), 0);
    assert_string_equal(res.body, "xyz12");

    /* An answer given later holds back the pipelined request behind it, in order. */
    assert_int_equal(
        tc_send_str(fx->tc, fd, "GET /async HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n"), 0);
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 200), -ETIMEDOUT);
    assert_non_null(fx->async_conn);
    assert_int_equal(http_respond(fx->async_conn, 202, "text/plain", "", "later", 5), 0);
    /* answering twice is a programming error the server refuses */
    assert_true(http_respond(fx->async_conn, 200, "text/plain", "", "", 0) < 0);
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 3000), 0);
    assert_int_equal(res.status, 202);
    assert_string_equal(res.body, "later");
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 3000), 0);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "hello");
    tc_forget(fx->tc, fd);
    close(fd);
}

static void test_expect_continue(void **state)
{
    struct fx *fx = *state;
    struct test_response res;
    fx_start(fx);
    int fd = tc_connect(fx->tc, fx->port);
    assert_int_equal(tc_send_str(fx->tc, fd,
                                 "POST /echo HTTP/1.1\r\nContent-Length: 4\r\n"
                                 "Expect: 100-continue\r\n\r\n"),
                     0);
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 2000), 0);
    assert_int_equal(res.status, 100);
    assert_int_equal(tc_send_str(fx->tc, fd, "ping"), 0);
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 2000), 0);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "ping");
    tc_forget(fx->tc, fd);
    close(fd);
}

static void test_half_close_still_answered(void **state)
{
    struct fx *fx = *state;
    struct test_response res;
    fx_start(fx);
    int fd = tc_connect(fx->tc, fx->port);
    assert_int_equal(
        tc_send_str(fx->tc, fd, "GET /hello HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n"), 0);
    shutdown(fd, SHUT_WR);
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 3000), 0);
    assert_string_equal(res.body, "hello");
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 3000), 0);
    assert_string_equal(res.body, "hello");
    assert_true(tc_wait_closed(fx->tc, fd, 3000));
    tc_forget(fx->tc, fd);
    close(fd);
}

/* --- the bad-request table ------------------------------------------------------------- */

struct bad_case {
    const char *name;
    const char *raw; /* NULL: built by the test (oversized) */
    int status;
    bool must_close;
};

static char *repeat(const char *prefix, const char *unit, int n, const char *suffix)
{
    size_t len = strlen(prefix) + strlen(unit) * (size_t)n + strlen(suffix) + 1;
    char *s = malloc(len);
    strcpy(s, prefix);
    for (int i = 0; i < n; i++)
        strcat(s, unit);
    strcat(s, suffix);
    return s;
}

static void test_bad_requests(void **state)
{
    struct fx *fx = *state;
    fx_start(fx);
    char *big_header = repeat("GET /hello HTTP/1.1\r\nX-Big: ", "a", 3000, "\r\n\r\n");
    char *many_headers = repeat("GET /hello HTTP/1.1\r\n", "X-H: 1\r\n", 30, "\r\n");
    char *long_url = repeat("GET /", "u", 600, " HTTP/1.1\r\n\r\n");
    char *big_chunked =
        repeat("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
               "100\r\n" /* 256 bytes per chunk */
               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
               6, "0\r\n\r\n");
    /* the root's sibling file holds SECRET: aim at it by name */
    const char *root_name = strrchr(fx->root, '/') + 1;
    char sibling[512], enc_sibling[512];
    snprintf(sibling, sizeof sibling, "GET /assets/../../%s.secret HTTP/1.1\r\n\r\n", root_name);
    snprintf(enc_sibling, sizeof enc_sibling, "GET /%%2e%%2e/%s.secret HTTP/1.1\r\n\r\n",
             root_name);
    const struct bad_case cases[] = {
        {"malformed request line", "GARBAGE\r\n\r\n", 400, true},
        {"no version", "GET /hello\r\n\r\n", 400, true},
        {"HTTP/2.0 request line", "GET /hello HTTP/2.0\r\n\r\n", 505, true},
        {"space in URL", "GET /a b c HTTP/1.1\r\n\r\n", 400, true},
        {"bad header line", "GET /hello HTTP/1.1\r\nNo colon here\r\n\r\n", 400, true},
        {"control char in header name", "GET /hello HTTP/1.1\r\nX\001Y: 1\r\n\r\n", 400, true},
        {"bad content-length", "POST /echo HTTP/1.1\r\nContent-Length: 12x\r\n\r\n", 400, true},
        {"two content-lengths",
         "POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400, true},
        {"oversized headers", big_header, 431, true},
        {"too many headers", many_headers, 431, true},
        {"oversized URL", long_url, 414, true},
        {"body too large by Content-Length (body never sent)",
         "POST /echo HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n", 413, true},
        {"body too large chunked", big_chunked, 413, true},
        {"wrong method on static", "DELETE /index.html HTTP/1.1\r\n\r\n", 405, false},
        {"dot-dot traversal", "GET /../etc/passwd HTTP/1.1\r\n\r\n", 404, false},
        {"dot-dot to sibling", sibling, 404, false},
        {"encoded dot-dot to sibling", enc_sibling, 404, false},
        {"encoded dot-dot", "GET /%2e%2e/%2E%2E/etc/passwd HTTP/1.1\r\n\r\n", 404, false},
        {"encoded slash", "GET /assets%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\n\r\n", 404, false},
        {"backslash", "GET /assets\\..\\index.html HTTP/1.1\r\n\r\n", 404, false},
        {"encoded backslash", "GET /assets%5c..%5cindex.html HTTP/1.1\r\n\r\n", 404, false},
        {"encoded NUL", "GET /index.html%00.png HTTP/1.1\r\n\r\n", 404, false},
        {"bad percent encoding", "GET /index%zz.html HTTP/1.1\r\n\r\n", 404, false},
        {"hidden file", "GET /.env HTTP/1.1\r\n\r\n", 404, false},
        {"missing file with extension", "GET /nope.png HTTP/1.1\r\n\r\n", 404, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct test_response res;
        request(fx, cases[i].raw, &res);
        if (res.status != cases[i].status || (cases[i].must_close && !res.closed)) {
            print_error("case '%s': status %d closed %d\n", cases[i].name, res.status, res.closed);
            fail();
        }
        if (strstr(res.body, "\"detail\"") == NULL) {
            print_error("case '%s': body without detail: %s\n", cases[i].name, res.body);
            fail();
        }
        assert_null(strstr(res.body, "SECRET"));
    }
    free(big_header);
    free(many_headers);
    free(long_url);
    free(big_chunked);
    struct http_server_stats st = stats(fx);
    assert_int_equal(st.status_400, 7);
    assert_int_equal(st.status_431, 2);
    assert_int_equal(st.status_414, 1);
    assert_int_equal(st.status_413, 2);
    assert_int_equal(st.status_405, 1);
    assert_int_equal(st.status_404, 11);
    /* and the server is still healthy */
    struct test_response ok;
    request(fx, "GET /hello HTTP/1.1\r\n\r\n", &ok);
    assert_int_equal(ok.status, 200);
}

static void test_limits_just_fit(void **state)
{
    struct fx *fx = *state;
    fx_start(fx);
    /* exactly max_body_bytes is accepted */
    char *body = repeat("", "b", 1024, "");
    char raw[2048];
    snprintf(raw, sizeof raw, "POST /echo HTTP/1.1\r\nContent-Length: 1024\r\n\r\n%s", body);
    struct test_response res;
    request(fx, raw, &res);
    assert_int_equal(res.status, 200);
    assert_int_equal(res.body_len, 1024);
    assert_memory_equal(res.body, body, 1024);
    free(body);
    char *headers = repeat("GET /hello HTTP/1.1\r\n", "X-H: 1\r\n", 20, "\r\n");
    request(fx, headers, &res);
    assert_int_equal(res.status, 200);
    free(headers);
}

/* --- timeouts -------------------------------------------------------------------------- */

static void test_slow_request_408(void **state)
{
    struct fx *fx = *state;
    fx->cfg.request_timeout_ms = 2500;
    fx_start(fx);
    int fd = tc_connect(fx->tc, fx->port);
    const char *req = "GET /hello HTTP/1.1\r\nHost: slow\r\n\r\n";
    bool closed = false;
    /* one byte a second: the whole request would take 35 s */
    for (size_t i = 0; req[i] && !closed; i++) {
        if (tc_send(fx->tc, fd, req + i, 1) < 0)
            break;
        tc_pump(fx->tc, 1000);
        char peek;
        ssize_t n = recv(fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT);
        closed = n > 0;
    }
    struct test_response res;
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 2000), 0);
    assert_int_equal(res.status, 408);
    assert_non_null(strstr(res.body, "detail"));
    assert_true(tc_wait_closed(fx->tc, fd, 3000));
    assert_int_equal(stats(fx).status_408, 1);
    tc_forget(fx->tc, fd);
    close(fd);
}

static void test_idle_timeout(void **state)
{
    struct fx *fx = *state;
    fx->cfg.idle_timeout_ms = 200;
    fx_start(fx);
    int fd = tc_connect(fx->tc, fx->port);
    struct test_response res;
    assert_int_equal(tc_send_str(fx->tc, fd, "GET /hello HTTP/1.1\r\n\r\n"), 0);
    assert_int_equal(tc_read_response(fx->tc, fd, &res, 2000), 0);
    assert_int_equal(stats(fx).connections_open, 1);
    assert_true(tc_wait_closed(fx->tc, fd, 2000));
    tc_pump(fx->tc, 20);
    assert_int_equal(stats(fx).connections_open, 0);
    tc_forget(fx->tc, fd);
    close(fd);
}

/* --- many connections, the cap --------------------------------------------------------- */

static void raise_nofile(void)
{
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    rl.rlim_cur = rl.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

static void test_5000_connections_dropped(void **state)
{
    struct fx *fx = *state;
    enum { N = 5000 };
    raise_nofile();
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    assert_true(rl.rlim_cur >= 2 * N + 64); /* client and server ends live in this process */
    fx_start(fx);
    int *fds = malloc(N * sizeof *fds);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)fx->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < N; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assert_true(fds[i] >= 0);
        int rc = connect(fds[i], (struct sockaddr *)&a, sizeof a);
        assert_true(rc == 0 || errno == EINPROGRESS);
        if (i % 3 == 1) /* some send half a request first */
            send(fds[i], "GET /hel", 8, MSG_NOSIGNAL);
        if (i % 256 == 255)
            uv_run(&fx->loop, UV_RUN_NOWAIT); /* accept as they come, as a live server does */
    }
    tc_pump(fx->tc, 100);
    /* drop them all at once; every second one with a reset instead of a FIN */
    for (int i = 0; i < N; i++) {
        if (i % 2) {
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
        close(fds[i]);
    }
    free(fds);
    for (int i = 0; i < 400 && stats(fx).connections_open > 0; i++)
        tc_pump(fx->tc, 10);
    struct http_server_stats st = stats(fx);
    assert_int_equal(st.connections_open, 0);
    assert_true(st.connections_total >= N - 100); /* a few may still sit in the backlog */
    struct test_response res;
    request(fx, "GET /hello HTTP/1.1\r\n\r\n", &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "hello");
}

static void test_connection_cap_503(void **state)
{
    struct fx *fx = *state;
    fx->cfg.max_connections = 4;
    fx_start(fx);
    int fds[4];
    for (int i = 0; i < 4; i++)
        fds[i] = tc_connect(fx->tc, fx->port);
    tc_pump(fx->tc, 20);
    assert_int_equal(stats(fx).connections_open, 4);
    struct test_response res;
    int extra = tc_connect(fx->tc, fx->port);
    assert_int_equal(tc_read_response(fx->tc, extra, &res, 2000), 0);
    assert_int_equal(res.status, 503);
    assert_non_null(strstr(res.body, "\"detail\""));
    assert_true(tc_wait_closed(fx->tc, extra, 3000));
    tc_forget(fx->tc, extra);
    close(extra);
    struct http_server_stats st = stats(fx);
    assert_int_equal(st.connections_rejected, 1);
    assert_int_equal(st.status_503, 1);
    assert_int_equal(st.connections_open, 4);
    /* the admitted ones still work, and a freed slot admits a new connection */
    assert_int_equal(tc_send_str(fx->tc, fds[0], "GET /hello HTTP/1.1\r\n\r\n"), 0);
    assert_int_equal(tc_read_response(fx->tc, fds[0], &res, 2000), 0);
    assert_int_equal(res.status, 200);
    tc_forget(fx->tc, fds[3]);
    close(fds[3]);
    for (int i = 0; i < 100 && stats(fx).connections_open > 3; i++)
        tc_pump(fx->tc, 5);
    request(fx, "GET /hello HTTP/1.1\r\n\r\n", &res);
    assert_int_equal(res.status, 200);
    for (int i = 0; i < 3; i++) {
        tc_forget(fx->tc, fds[i]);
        close(fds[i]);
    }
}

/* --- CORS ------------------------------------------------------------------------------ */

static void test_cors_default_list(void **state)
{
    struct fx *fx = *state;
    struct test_response res;
    char v[256];
    fx_start(fx);
    request(fx, "GET /hello HTTP/1.1\r\nOrigin: http://localhost:5173\r\n\r\n", &res);
    assert_int_equal(res.status, 200);
    assert_true(tc_header(&res, "Access-Control-Allow-Origin", v, sizeof v));
    assert_string_equal(v, "http://localhost:5173");
    assert_true(tc_header(&res, "Vary", v, sizeof v));
    assert_string_equal(v, "Origin");

    request(fx, "GET /hello HTTP/1.1\r\nOrigin: http://evil.example\r\n\r\n", &res);
    assert_int_equal(res.status, 200);
    assert_false(tc_header(&res, "Access-Control-Allow-Origin", v, sizeof v));
    assert_true(tc_header(&res, "Vary", v, sizeof v));

    request(fx,
            "OPTIONS /api/race/start HTTP/1.1\r\nOrigin: http://127.0.0.1:8001\r\n"
            "Access-Control-Request-Method: POST\r\n"
            "Access-Control-Request-Headers: content-type\r\n\r\n",
            &res);
    assert_int_equal(res.status, 204);
    assert_true(tc_header(&res, "Access-Control-Allow-Origin", v, sizeof v));
    assert_string_equal(v, "http://127.0.0.1:8001");
    assert_true(tc_header(&res, "Access-Control-Allow-Methods", v, sizeof v));
    assert_non_null(strstr(v, "POST"));
    assert_non_null(strstr(v, "GET"));
    assert_true(tc_header(&res, "Access-Control-Allow-Headers", v, sizeof v));
    assert_non_null(strstr(v, "Last-Event-ID"));
    assert_non_null(strstr(v, "Content-Type"));

    /* an early refusal (body too large, answered before the body) carries CORS too */
    request(fx,
            "POST /echo HTTP/1.1\r\nOrigin: http://localhost:5173\r\nContent-Length: 99999\r\n\r\n",
            &res);
    assert_int_equal(res.status, 413);
    assert_true(tc_header(&res, "Access-Control-Allow-Origin", v, sizeof v));

    request(fx,
            "OPTIONS /api/race/start HTTP/1.1\r\nOrigin: http://evil.example\r\n"
            "Access-Control-Request-Method: POST\r\n\r\n",
            &res);
    assert_int_equal(res.status, 204);
    assert_false(tc_header(&res, "Access-Control-Allow-Origin", v, sizeof v));
}

static void test_cors_configured_list(void **state)
{
    struct fx *fx = *state;
    struct test_response res;
    char v[256];
    fx->cfg.n_cors_origins = 1;
    fx->cfg.cors_origins[0] = "https://pitwall.example";
    fx_start(fx);
    request(fx, "GET /hello HTTP/1.1\r\nOrigin: https://pitwall.example\r\n\r\n", &res);
    assert_true(tc_header(&res, "Access-Control-Allow-Origin", v, sizeof v));
    assert_string_equal(v, "https://pitwall.example");
    request(fx, "GET /hello HTTP/1.1\r\nOrigin: http://localhost:5173\r\n\r\n", &res);
    assert_false(tc_header(&res, "Access-Control-Allow-Origin", v, sizeof v));
    /* and on a stream's headers too */
    int fd = tc_connect(fx->tc, fx->port);
    tc_send_str(fx->tc, fd, "GET /stream HTTP/1.1\r\nOrigin: https://pitwall.example\r\n\r\n");
    tc_pump(fx->tc, 50);
    char head[2048];
    ssize_t n = recv(fd, head, sizeof head - 1, MSG_DONTWAIT);
    assert_true(n > 0);
    head[n] = '\0';
    assert_non_null(strstr(head, "Access-Control-Allow-Origin: https://pitwall.example\r\n"));
    close(fd);
    tc_pump_until(fx->tc, &fx->stream_closes, 1, 2000);
}

/* --- static files ---------------------------------------------------------------------- */

static void test_static_files(void **state)
{
    struct fx *fx = *state;
    struct test_response res;
    char v[256];
    fx_start(fx);
    request(fx, "GET / HTTP/1.1\r\n\r\n", &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "<!doctype html><title>pitwall</title>");
    assert_true(tc_header(&res, "Content-Type", v, sizeof v));
    assert_string_equal(v, "text/html; charset=utf-8");
    assert_true(tc_header(&res, "Cache-Control", v, sizeof v));
    assert_string_equal(v, "no-cache");

    request(fx, "GET /assets/app-1a2b3c.js HTTP/1.1\r\n\r\n", &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "console.log('pitwall');");
    assert_true(tc_header(&res, "Content-Type", v, sizeof v));
    assert_string_equal(v, "text/javascript; charset=utf-8");
    assert_true(tc_header(&res, "Cache-Control", v, sizeof v));
    assert_string_equal(v, "public, max-age=31536000, immutable");
    char etag[128];
    assert_true(tc_header(&res, "ETag", etag, sizeof etag));

    char raw[512];
    snprintf(raw, sizeof raw, "GET /assets/app-1a2b3c.js HTTP/1.1\r\nIf-None-Match: %s\r\n\r\n",
             etag);
    request(fx, raw, &res);
    assert_int_equal(res.status, 304);
    assert_int_equal(res.body_len, 0);

    request(fx, "GET /style.css HTTP/1.1\r\n\r\n", &res);
    assert_true(tc_header(&res, "Content-Type", v, sizeof v));
    assert_string_equal(v, "text/css; charset=utf-8");
    request(fx, "GET /site.webmanifest HTTP/1.1\r\n\r\n", &res);
    assert_true(tc_header(&res, "Content-Type", v, sizeof v));
    assert_string_equal(v, "application/manifest+json");

    /* client-side routes get index.html; a query string does not matter */
    request(fx, "GET /race/abc-123?x=1 HTTP/1.1\r\n\r\n", &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "<!doctype html><title>pitwall</title>");
    assert_true(tc_header(&res, "Cache-Control", v, sizeof v));
    assert_string_equal(v, "no-cache");

    /* a changed file is served fresh (the cache checks size and mtime) */
    write_file(fx->root, "style.css", "body{color:blue;margin:0}");
    request(fx, "GET /style.css HTTP/1.1\r\n\r\n", &res);
    assert_string_equal(res.body, "body{color:blue;margin:0}");
}

static void test_static_head(void **state)
{
    struct fx *fx = *state;
    fx_start(fx);
    int fd = tc_connect(fx->tc, fx->port);
    tc_send_str(fx->tc, fd, "HEAD /style.css HTTP/1.1\r\n\r\n");
    tc_pump(fx->tc, 50);
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(buf, "Content-Length: 15\r\n"));
    /* nothing after the blank line */
    const char *end = strstr(buf, "\r\n\r\n");
    assert_non_null(end);
    assert_int_equal(end + 4 - buf, n);
    close(fd);
}

/* --- streams --------------------------------------------------------------------------- */

static int open_stream(struct fx *fx, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)fx->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd, (struct sockaddr *)&a, sizeof a);
    int before = fx->n_streams;
    tc_pump(fx->tc, 10);
    assert_int_equal(tc_send_str(fx->tc, fd, "GET /stream HTTP/1.1\r\n\r\n"), 0);
    for (int i = 0; i < 200 && fx->n_streams == before; i++)
        tc_pump(fx->tc, 5);
    assert_int_equal(fx->n_streams, before + 1);
    return fd;
}

static void test_stream_slow_reader_evicted(void **state)
{
    struct fx *fx = *state;
    fx->cfg.stream_queue_bytes = 64 * 1024;
    fx_start(fx);
    int slow = open_stream(fx, 4096); /* never reads */
    int fast = open_stream(fx, 0);
    struct stream_slot *s_slow = &fx->streams[0], *s_fast = &fx->streams[1];
    assert_int_equal(stats(fx).streams_open, 2);
    char chunk[8192];
    memset(chunk, 'e', sizeof chunk);
    struct pw_buf *buf = pw_buf_new(chunk, sizeof chunk);
    long sent_fast = 0, got_fast = 0;
    int slow_rc = 0;
    /* up to 64 MiB: far past any socket buffer, so the slow one must hit the bound */
    for (int i = 0; i < 8192 && s_slow->open; i++) {
        if (s_slow->open && slow_rc == 0)
            slow_rc = http_stream_write(s_slow->conn, buf);
        assert_int_equal(http_stream_write(s_fast->conn, buf), 0);
        sent_fast += (long)sizeof chunk;
        assert_true(http_conn_queued_bytes(s_fast->conn) <= 64 * 1024);
        long n = tc_drain(fx->tc, fast, 1);
        assert_true(n >= 0);
        got_fast += n;
        if (slow_rc != 0)
            tc_pump(fx->tc, 1);
    }
    assert_int_equal(slow_rc, -ENOBUFS);
    assert_int_equal(s_slow->closes, 1);
    assert_false(s_slow->open);
    assert_true(s_fast->open);
    struct http_server_stats st = stats(fx);
    assert_int_equal(st.streams_evicted, 1);
    assert_int_equal(st.streams_open, 1);
    /* the fast reader gets every byte (after the response head) */
    for (int i = 0; i < 400 && got_fast < sent_fast; i++) {
        long n = tc_drain(fx->tc, fast, 5);
        assert_true(n >= 0);
        got_fast += n;
    }
    assert_true(got_fast > sent_fast);
    assert_true(got_fast - sent_fast < 512); /* just the header block */
    /* the shared buffer is referenced by nobody but us again */
    assert_int_equal(buf->refs, 1);
    pw_buf_unref(buf);
    close(slow);
    close(fast);
    tc_pump_until(fx->tc, &fx->stream_closes, 2, 2000);
    assert_int_equal(s_fast->closes, 1);
}

static void test_stream_peer_close(void **state)
{
    struct fx *fx = *state;
    fx_start(fx);
    int fd = open_stream(fx, 0);
    struct stream_slot *s = &fx->streams[0];
    /* frames written in one loop turn arrive whole and in order */
    struct pw_buf *a = pw_buf_new("id: 1-0\ndata: a\n\n", 17);
    struct pw_buf *b = pw_buf_new("id: 2-0\ndata: b\n\n", 17);
    struct pw_buf *buf = pw_buf_new("data: {}\n\n", 10);
    assert_int_equal(http_stream_write(s->conn, a), 0);
    assert_int_equal(http_stream_write(s->conn, b), 0);
    assert_int_equal(http_stream_write(s->conn, buf), 0);
    assert_int_equal(http_conn_queued_bytes(s->conn), 44); /* staged until the loop turns */
    pw_buf_unref(a);
    pw_buf_unref(b);
    tc_pump(fx->tc, 30);
    char got[4096];
    ssize_t n = recv(fd, got, sizeof got - 1, MSG_DONTWAIT);
    assert_true(n > 44);
    got[n] = '\0';
    const char *body = strstr(got, "\r\n\r\n");
    assert_non_null(body);
    assert_string_equal(body + 4, "id: 1-0\ndata: a\n\nid: 2-0\ndata: b\n\ndata: {}\n\n");
    assert_int_equal(http_conn_queued_bytes(s->conn), 0);
    /* input after the stream request is discarded, not parsed */
    assert_int_equal(tc_send_str(fx->tc, fd, "GARBAGE\r\n\r\n"), 0);
    tc_pump(fx->tc, 20);
    assert_true(s->open);
    close(fd);
    assert_true(tc_pump_until(fx->tc, &fx->stream_closes, 1, 2000));
    assert_int_equal(s->closes, 1);
    assert_int_equal(stats(fx).streams_open, 0);
    assert_int_equal(stats(fx).connections_open, 0);
    pw_buf_unref(buf);
}

static void test_stream_closed_by_server_stop(void **state)
{
    struct fx *fx = *state;
    fx_start(fx);
    int fd = open_stream(fx, 0);
    int fd2 = tc_connect(fx->tc, fx->port); /* an idle keep-alive connection too */
    http_server_stop(fx->srv, stop_done, fx);
    fx->srv = NULL;
    assert_true(tc_pump_until(fx->tc, &fx->stopped, 1, 2000));
    assert_int_equal(fx->streams[0].closes, 1);
    assert_true(tc_wait_closed(fx->tc, fd, 1000));
    assert_true(tc_wait_closed(fx->tc, fd2, 1000));
    close(fd);
    close(fd2);
}

static void test_stream_close_by_handler(void **state)
{
    struct fx *fx = *state;
    fx_start(fx);
    int fd = open_stream(fx, 0);
    struct stream_slot *s = &fx->streams[0];
    tc_drain(fx->tc, fd, 20); /* the response head */
    /* a last frame written right before the close still goes out (the "end" event) */
    struct pw_buf *bye = pw_buf_new("event: end\ndata: {}\n\n", 22);
    assert_int_equal(http_stream_write(s->conn, bye), 0);
    pw_buf_unref(bye);
    http_conn_close(s->conn);
    char got[256];
    ssize_t n = recv(fd, got, sizeof got - 1, MSG_DONTWAIT);
    assert_int_equal(n, 22);
    got[n] = '\0';
    assert_string_equal(got, "event: end\ndata: {}\n\n");
    /* never called from inside http_conn_close: only from the loop */
    assert_int_equal(s->closes, 0);
    struct pw_buf *buf = pw_buf_new("x", 1);
    assert_int_equal(http_stream_write(s->conn, buf), -EPIPE);
    pw_buf_unref(buf);
    assert_true(tc_pump_until(fx->tc, &fx->stream_closes, 1, 2000));
    assert_true(tc_wait_closed(fx->tc, fd, 1000));
    close(fd);
}

/* A repeating timer that writes to streams and then spends 60 ms (a large fan-out): the
 * flush must not push its next run back by those 60 ms. */
#define PROBE_TICKS 12
struct tick_probe {
    struct stream_slot *slot;
    uv_timer_t timer;
    uint64_t at[PROBE_TICKS];
    int n;
    int done;
};

static void probe_tick(uv_timer_t *t)
{
    struct tick_probe *p = t->data;
    p->at[p->n++] = uv_hrtime();
    struct pw_buf *buf = pw_buf_new("data: {}\n\n", 10);
    assert_int_equal(http_stream_write(p->slot->conn, buf), 0);
    pw_buf_unref(buf);
    uint64_t until = uv_hrtime() + 60 * 1000000ull;
    while (uv_hrtime() < until)
        ; /* busy, like a fan-out to thousands of sockets */
    if (p->n == PROBE_TICKS) {
        uv_timer_stop(t);
        p->done = 1;
        uv_stop(t->loop);
    }
}

static void probe_closed(uv_handle_t *h)
{
    free(h->data);
}

static void test_stream_flush_keeps_timer_period(void **state)
{
    struct fx *fx = *state;
    fx_start(fx);
    int fd = open_stream(fx, 0);
    /* on the heap: its close callback may run after a failed assertion left this frame */
    struct tick_probe *p = calloc(1, sizeof *p);
    p->slot = &fx->streams[0];
    uv_timer_init(&fx->loop, &p->timer);
    p->timer.data = p;
    uv_timer_start(&p->timer, probe_tick, 100, 100);
    /* UV_RUN_DEFAULT as the app runs it: the poll timeout is computed before polling */
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    assert_int_equal(p->done, 1);
    /* Period 100 ms. Without the loop-time refresh after the flush, the loop sleeps a whole
     * period after the 60 ms of work, so no period can be shorter than 160 ms. A loaded
     * machine only makes periods longer, now and then: the shortest of eleven is the one
     * the scheduler delayed least, and it must be well under 160 ms. */
    uint64_t shortest = UINT64_MAX;
    for (int i = 1; i < PROBE_TICKS; i++) {
        if (p->at[i] - p->at[i - 1] < shortest)
            shortest = p->at[i] - p->at[i - 1];
    }
    double shortest_ms = (double)shortest / 1e6;
    double mean_ms = (double)(p->at[PROBE_TICKS - 1] - p->at[0]) / (PROBE_TICKS - 1) / 1e6;
    uv_close((uv_handle_t *)&p->timer, probe_closed);
    print_message("timer period under a 60 ms flush: shortest %.1f ms, mean %.1f ms\n", shortest_ms,
                  mean_ms);
    assert_true(shortest_ms < 145.0);
    assert_true(tc_drain(fx->tc, fd, 20) > 0);
    close(fd);
    tc_pump_until(fx->tc, &fx->stream_closes, 1, 2000);
}

/* --- request helpers ------------------------------------------------------------------- */

static void test_query_param(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(http_query_param("a=1&race_id=r%2D1+x&b", "race_id", out, sizeof out), 0);
    assert_string_equal(out, "r-1 x");
    assert_int_equal(http_query_param("a=1&b", "b", out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(http_query_param("a=1", "race_id", out, sizeof out), -ENOENT);
    assert_int_equal(http_query_param("", "a", out, sizeof out), -ENOENT);
    assert_int_equal(http_query_param("a=%zz", "a", out, sizeof out), -EINVAL);
    assert_int_equal(http_query_param("a=%4", "a", out, sizeof out), -EINVAL);
    assert_int_equal(http_query_param("a=0123456789abcdefXYZ", "a", out, sizeof out), -ENOSPC);
    assert_int_equal(http_query_param("r%61ce=1", "race", out, sizeof out), 0);
}

static void test_start_fails_cleanly(void **state)
{
    struct fx *fx = *state;
    fx_start(fx);
    struct http_server_config cfg = fx->cfg;
    cfg.port = fx->port; /* taken */
    struct http_server *other = NULL;
    assert_true(http_server_start(&fx->loop, &cfg, NULL, handler, fx, &other) < 0);
    assert_null(other);
    cfg.host = "not-an-address";
    cfg.port = 0;
    assert_int_equal(http_server_start(&fx->loop, &cfg, NULL, handler, fx, &other), -EINVAL);
    tc_pump(fx->tc, 10);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* as the app does: write errors come back as EPIPE */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipelined, setup, teardown),
        cmocka_unit_test_setup_teardown(test_half_close_still_answered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expect_continue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits_just_fit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_request_408, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_5000_connections_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_cap_503, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cors_default_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cors_configured_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_static_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_static_head, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_slow_reader_evicted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_peer_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_closed_by_server_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_close_by_handler, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_flush_keeps_timer_period, setup, teardown),
        cmocka_unit_test(test_query_param),
        cmocka_unit_test_setup_teardown(test_start_fails_cleanly, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
