/* http_client.c — see http_client.h. */
#include "http_client.h"

#include "http_head.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One turn: run ready callbacks, then sleep until the loop or `fd` has something. */
static void turn(struct tc *tc, int fd, int max_ms)
{
    uv_run(tc->loop, UV_RUN_NOWAIT);
    struct pollfd p[2] = {{.fd = uv_backend_fd(tc->loop), .events = POLLIN},
                          {.fd = fd, .events = POLLIN}};
    int t = uv_backend_timeout(tc->loop);
    if (t < 0 || t > max_ms)
        t = max_ms;
    poll(p, fd >= 0 ? 2 : 1, t);
    uv_run(tc->loop, UV_RUN_NOWAIT);
}

void tc_pump(struct tc *tc, int ms)
{
    int64_t end = now_ms() + ms;
    while (now_ms() < end)
        turn(tc, -1, (int)(end - now_ms()) > 0 ? (int)(end - now_ms()) : 0);
}

bool tc_pump_until(struct tc *tc, const volatile int *value, int want, int ms)
{
    int64_t end = now_ms() + ms;
    while (*value != want && now_ms() < end)
        turn(tc, -1, 5);
    return *value == want;
}

int tc_connect(struct tc *tc, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
        int e = -errno;
        close(fd);
        return e;
    }
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
        turn(tc, -1, 2);
    }
    uv_run(tc->loop, UV_RUN_NOWAIT);
    tc_forget(tc, fd);
    return fd;
}

int tc_send(struct tc *tc, int fd, const void *data, size_t len)
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
        turn(tc, -1, 2);
    }
    uv_run(tc->loop, UV_RUN_NOWAIT);
    return 0;
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
        turn(tc, fd, 5);
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
        turn(tc, fd, 5);
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
        turn(tc, fd, 2);
    }
    return total;
}

bool tc_header(const struct test_response *res, const char *name, char *out, size_t out_len)
{
    return http_head_value(res->head, name, out, out_len);
}
