/* test_client.c — see test_client.h. */
#include "test_client.h"

#include "http_head.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One turn: run ready callbacks, then sleep until the loop or `fd` has something. */
void test_wait(uv_loop_t *loop, int fd, int max_ms)
{
    struct pollfd p[2];
    int n = 0;
    if (loop) {
        uv_run(loop, UV_RUN_NOWAIT);
        p[n++] = (struct pollfd){.fd = uv_backend_fd(loop), .events = POLLIN};
        int t = uv_backend_timeout(loop);
        if (t >= 0 && t < max_ms)
            max_ms = t;
    }
    if (fd >= 0)
        p[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
    poll(p, (nfds_t)n, max_ms);
    if (loop)
        uv_run(loop, UV_RUN_NOWAIT);
}

int test_connect(uv_loop_t *loop, int port, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (loop ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && !(loop && errno == EINPROGRESS)) {
        int e = -errno;
        close(fd);
        return e;
    }
    if (!loop)
        return fd;
    /* Wait for the handshake while letting the server accept. */
    int64_t end = now_ms() + 5000;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 0) == 1)
            break;
        if (now_ms() > end) {
            close(fd);
            return -ETIMEDOUT;
        }
        test_wait(loop, -1, 2);
    }
    uv_run(loop, UV_RUN_NOWAIT);
    return fd;
}

int test_send(uv_loop_t *loop, int fd, const void *data, size_t len)
{
    const char *p = data;
    int64_t end = now_ms() + 10000;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return -errno;
        if (now_ms() > end)
            return -ETIMEDOUT;
        test_wait(loop, -1, 2);
    }
    if (loop)
        uv_run(loop, UV_RUN_NOWAIT);
    return 0;
}

/* ---- keep-alive client: a read-ahead per socket ---- */

void tc_init(struct tc *tc, uv_loop_t *loop)
{
    memset(tc, 0, sizeof *tc);
    tc->loop = loop;
    for (int i = 0; i < TC_SLOTS; i++)
        tc->slots[i].fd = -1;
}

static struct tc_extra *tc_slot(struct tc *tc, int fd, bool create)
{
    for (int i = 0; i < TC_SLOTS; i++) {
        if (tc->slots[i].fd == fd)
            return &tc->slots[i];
    }
    if (!create)
        return NULL;
    for (int i = 0; i < TC_SLOTS; i++) {
        if (tc->slots[i].fd == -1) {
            tc->slots[i].fd = fd;
            tc->slots[i].len = 0;
            return &tc->slots[i];
        }
    }
    return NULL;
}

void tc_forget(struct tc *tc, int fd)
{
    struct tc_extra *x = tc_slot(tc, fd, false);
    if (x) {
        x->fd = -1;
        x->len = 0;
    }
}

void tc_pump(struct tc *tc, int ms)
{
    int64_t end = now_ms() + ms;
    while (now_ms() < end)
        test_wait(tc->loop, -1, (int)(end - now_ms()) > 0 ? (int)(end - now_ms()) : 0);
}

bool tc_pump_until(struct tc *tc, const volatile int *value, int want, int ms)
{
    int64_t end = now_ms() + ms;
    while (*value != want && now_ms() < end)
        test_wait(tc->loop, -1, 5);
    return *value == want;
}

int tc_connect(struct tc *tc, int port)
{
    int fd = test_connect(tc->loop, port, 0);
    if (fd >= 0)
        tc_forget(tc, fd);
    return fd;
}

int tc_send(struct tc *tc, int fd, const void *data, size_t len)
{
    return test_send(tc->loop, fd, data, len);
}

int tc_send_str(struct tc *tc, int fd, const char *s)
{
    return tc_send(tc, fd, s, strlen(s));
}

/* Parse a complete response out of buf[0..len): returns its total length or 0. */
static size_t parse_response(const char *buf, size_t len, bool eof, struct test_response *res)
{
    size_t head_len = http_head_len(buf, len);
    if (!head_len || head_len >= sizeof res->head)
        return 0;
    const char *end = buf + head_len;
    memcpy(res->head, buf, head_len);
    res->head[head_len] = '\0';
    res->status = http_head_status(res->head);
    if (!res->status)
        return 0;
    char cl[32];
    size_t body = 0;
    bool has_len = tc_header(res, "Content-Length", cl, sizeof cl);
    if (has_len)
        body = (size_t)strtoul(cl, NULL, 10);
    else if (res->status == 204 || res->status == 304 || res->status / 100 == 1)
        has_len = true;
    if (!has_len) {
        if (!eof)
            return 0;
        body = len - head_len;
    }
    if (len - head_len < body)
        return 0;
    size_t copy = body < sizeof res->body - 1 ? body : sizeof res->body - 1;
    memcpy(res->body, end, copy);
    res->body[copy] = '\0';
    res->body_len = body;
    return head_len + body;
}

int tc_read_response(struct tc *tc, int fd, struct test_response *res, int timeout_ms)
{
    struct tc_extra *x = tc_slot(tc, fd, true);
    if (!x)
        return -ENOSPC;
    memset(res, 0, sizeof *res);
    int64_t end = now_ms() + timeout_ms;
    bool eof = false;
    for (;;) {
        size_t used = parse_response(x->data, x->len, eof, res);
        if (used) {
            memmove(x->data, x->data + used, x->len - used);
            x->len -= used;
            if (eof)
                res->closed = true;
            return 0;
        }
        if (eof) {
            res->closed = true;
            return -EIO;
        }
        if (x->len == sizeof x->data)
            return -ENOSPC;
        ssize_t n = recv(fd, x->data + x->len, sizeof x->data - x->len, MSG_DONTWAIT);
        if (n > 0) {
            x->len += (size_t)n;
            continue;
        }
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            eof = true;
            continue;
        }
        if (now_ms() > end)
            return -ETIMEDOUT;
        test_wait(tc->loop, fd, 5);
    }
}

bool tc_wait_closed(struct tc *tc, int fd, int ms)
{
    char b[4096];
    int64_t end = now_ms() + ms;
    for (;;) {
        ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            return true;
        if (n > 0)
            continue;
        if (now_ms() > end)
            return false;
        test_wait(tc->loop, fd, 5);
    }
}

long tc_drain(struct tc *tc, int fd, int ms)
{
    char b[65536];
    long total = 0;
    int64_t end = now_ms() + ms;
    while (now_ms() < end) {
        ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT);
        if (n > 0) {
            total += n;
            continue;
        }
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            return -1;
        test_wait(tc->loop, fd, 2);
    }
    return total;
}

bool tc_header(const struct test_response *res, const char *name, char *out, size_t out_len)
{
    return http_head_value(res->head, name, out, out_len);
}

/* ---- one request a connection, read until the server closes it ---- */

int connect_port(int port)
{
    int fd = test_connect(NULL, port, 0);
    return fd < 0 ? -1 : fd;
}

/* Read into a growing buffer until close or timeout. */
static long read_until_close(int fd, char **buf, size_t *cap, int timeout_ms)
{
    size_t len = 0;
    int64_t until = now_ms() + timeout_ms;
    for (;;) {
        int left = (int)(until - now_ms());
        if (left <= 0)
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, left) <= 0)
            break;
        if (len + 4096 + 1 > *cap) {
            size_t ncap = *cap ? *cap * 2 : 65536;
            char *n = realloc(*buf, ncap);
            if (!n)
                break;
            *buf = n;
            *cap = ncap;
        }
        ssize_t n = recv(fd, *buf + len, *cap - len - 1, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    if (*buf)
        (*buf)[len] = '\0';
    return (long)len;
}

long http_raw(int port, const void *req, size_t len, char *out, size_t cap, int timeout_ms)
{
    int fd = connect_port(port);
    if (fd < 0)
        return -1;
    char *buf = NULL;
    size_t bcap = 0;
    long n = -1;
    if (test_send(NULL, fd, req, len) == 0)
        n = read_until_close(fd, &buf, &bcap, timeout_ms);
    close(fd);
    if (n >= 0 && out && cap) {
        size_t c = (size_t)n < cap - 1 ? (size_t)n : cap - 1;
        memcpy(out, buf, c);
        out[c] = '\0';
    }
    free(buf);
    return n;
}

int http_call(int port, const char *method, const char *path, const char *extra_headers,
              const char *body, struct response *out)
{
    memset(out, 0, sizeof *out);
    int fd = connect_port(port);
    if (fd < 0)
        return -1;
    size_t blen = body ? strlen(body) : 0;
    char head[4096];
    int hn = snprintf(head, sizeof head,
                      "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s"
                      "Content-Length: %zu\r\n\r\n",
                      method, path, extra_headers ? extra_headers : "",
                      body ? "Content-Type: application/json\r\n" : "", blen);
    char *buf = NULL;
    size_t cap = 0;
    int rc = -1;
    if (test_send(NULL, fd, head, (size_t)hn) < 0 || (blen && test_send(NULL, fd, body, blen) < 0))
        goto out;
    long n = read_until_close(fd, &buf, &cap, 10000);
    size_t head_len = n > 0 ? http_head_len(buf, (size_t)n) : 0;
    if (!head_len || !(out->status = http_head_status(buf)))
        goto out;
    size_t hlen = head_len - 4; /* without the blank line */
    if (hlen >= sizeof out->headers)
        hlen = sizeof out->headers - 1;
    memcpy(out->headers, buf, hlen);
    out->headers[hlen] = '\0';
    out->body_len = (size_t)n - head_len;
    out->body = malloc(out->body_len + 1);
    if (!out->body)
        goto out;
    memcpy(out->body, buf + head_len, out->body_len);
    out->body[out->body_len] = '\0';
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}

void response_free(struct response *r)
{
    free(r->body);
    r->body = NULL;
}

bool response_header(const struct response *r, const char *name, char *out, size_t len)
{
    return http_head_value(r->headers, name, out, len);
}
