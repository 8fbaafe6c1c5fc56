/* http_client.h — raw-socket client helpers for the http tests.
 *
 * The test drives the server's uv loop itself: every wait pumps the loop (UV_RUN_NOWAIT)
 * while polling the client socket, so server and client run in one thread, with no locks
 * and no sleeps that could race. Client sockets are plain non-blocking TCP sockets. */
#ifndef PW_TEST_HTTP_CLIENT_H
#define PW_TEST_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#define TC_SLOTS 64
struct tc_extra {
    int fd;
    size_t len;
    char data[65536];
};

/* The client side of a test: the server's loop and per-fd read-ahead (pipelined answers). */
struct tc {
    uv_loop_t *loop;
    struct tc_extra slots[TC_SLOTS];
};

void tc_init(struct tc *tc, uv_loop_t *loop);

struct test_response {
    int status;       /* 0: no complete status line */
    char head[8192];  /* status line and headers, NUL-terminated */
    char body[65536]; /* body, NUL-terminated (truncated if larger) */
    size_t body_len;
    bool closed; /* the server closed the connection after (or instead of) it */
};

/* Run the loop for up to `ms` milliseconds (returns early never: it is a plain wait). */
void tc_pump(struct tc *tc, int ms);
/* Pump until *flag (read each turn) becomes true or ms pass. Returns *flag. */
bool tc_pump_until(struct tc *tc, const volatile int *value, int want, int ms);

int tc_connect(struct tc *tc, int port);
/* Send all bytes, pumping the loop while the socket is full. 0 or -errno. */
int tc_send(struct tc *tc, int fd, const void *data, size_t len);
int tc_send_str(struct tc *tc, int fd, const char *s);
/* Read one response (headers + Content-Length body, or until close when there is no
 * length). Returns 0 when a status line and full body arrived, -ETIMEDOUT, or -EIO when
 * the connection closed first. Bytes after the response stay in the socket's `extra`. */
int tc_read_response(struct tc *tc, int fd, struct test_response *res, int timeout_ms);
/* Pump until the server closes `fd` (EOF or reset). true if it did within ms. */
bool tc_wait_closed(struct tc *tc, int fd, int ms);
/* Read whatever arrives for `ms`; returns byte count (or -1 if closed). */
long tc_drain(struct tc *tc, int fd, int ms);
/* Header value in a response head (case-insensitive name), copied to out; false if absent. */
bool tc_header(const struct test_response *res, const char *name, char *out, size_t out_len);
/* Drop the read-ahead kept for fd (call before closing it). */
void tc_forget(struct tc *tc, int fd);

#endif
