/* hostile.c — shared helpers of the hostile-client suite (see hostile.h). */
#include "hostile.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

void hostile_start(struct hostile *h, const char *config_yaml)
{
    memset(h, 0, sizeof *h);
#ifdef PITWALL_SANITIZE
    /* ASan keeps freed memory in a quarantine of 256 MB by default: resident memory would
     * measure the quarantine, not the server. 4 MB still catches use after free of
     * anything freed in the last few thousand requests. (Later options win.) */
    char opts[1024];
    const char *old = getenv("ASAN_OPTIONS");
    snprintf(opts, sizeof opts, "%s%squarantine_size_mb=%d", old ? old : "", old && *old ? ":" : "",
             HOSTILE_QUARANTINE_KB / 1024);
    setenv("ASAN_OPTIONS", opts, 1);
#endif
    assert_int_equal(server_start(&h->srv, config_yaml, NULL, NULL), 0);
    /* First answers allocate what every server keeps (grid, caches, pools): the baseline
     * is taken after them, so a case's budget counts only what it costs. */
    for (int i = 0; i < 20; i++) {
        struct response r;
        assert_int_equal(http_call(h->srv.port, "GET", i % 2 ? "/api/drivers" : "/api/health",
                                   "", NULL, &r), 0);
        assert_int_equal(r.status, 200);
        response_free(&r);
    }
    h->rss_base_kb = server_rss_kb(&h->srv);
    assert_true(h->rss_base_kb > 0);
}

long hostile_rss_growth_kb(const struct hostile *h)
{
    return server_rss_kb(&h->srv) - h->rss_base_kb;
}

void hostile_assert_rss(const struct hostile *h, long budget_kb, const char *when)
{
    long grown = hostile_rss_growth_kb(h);
    long budget = budget_kb * HOSTILE_RSS_SCALE;
    fprintf(stderr, "  RSS %s: %ld KiB (+%ld KiB since warm-up, budget %ld KiB)\n", when,
            h->rss_base_kb + grown, grown, budget);
    if (grown > budget)
        server_print_log(&h->srv);
    assert_true(grown <= budget);
}

int64_t hostile_health_ms(int port)
{
    int64_t t0 = now_ms();
    struct response r;
    if (http_call(port, "GET", "/api/health", "", NULL, &r) != 0)
        return -1;
    int64_t ms = now_ms() - t0;
    int status = r.status;
    response_free(&r);
    return status == 200 ? ms : -1;
}

void hostile_assert_health(int port)
{
    int64_t ms = hostile_health_ms(port);
    if (ms < 0 || ms > HOSTILE_HEALTH_MS)
        fprintf(stderr, "  /api/health: %s (%lld ms)\n", ms < 0 ? "no 200" : "slow", (long long)ms);
    assert_true(ms >= 0 && ms <= HOSTILE_HEALTH_MS);
}

void hostile_finish(struct hostile *h, long budget_kb)
{
    hostile_assert_health(h->srv.port);
    hostile_assert_rss(h, budget_kb, "at the end");
    assert_int_equal(server_stop(&h->srv, SIGTERM), 0);
    server_cleanup(&h->srv);
}

long hostile_read(int fd, char *buf, size_t cap, int timeout_ms, bool *closed)
{
    size_t len = 0;
    bool eof = false;
    for (int64_t until = now_ms() + timeout_ms; len + 1 < cap;) {
        int left = (int)(until - now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n <= 0) {
            eof = true;
            break;
        }
        len += (size_t)n;
    }
    buf[len] = '\0';
    if (closed)
        *closed = eof;
    return (long)len;
}

void hostile_reset(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

bool hostile_log_has(const struct server *s, const char *needle)
{
    FILE *f = fopen(s->log_path, "r");
    char line[2048];
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f))
        found = strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return found;
}

