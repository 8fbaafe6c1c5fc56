/* test_client.h — the tests' one HTTP client, for a server on this machine's loopback.
 *
 * A server runs in one of two places, and the client waits accordingly:
 *   - in this process, on a libuv loop the test drives itself (tests/http): every wait
 *     turns that loop (UV_RUN_NOWAIT) while polling the client's socket, so server and
 *     client share one thread with no locks and no sleeps that could race;
 *   - in another process (the pitwall binary: tests/integration, tests/hostile): the loop
 *     is NULL and a wait is a poll of the socket.
 * Two ways to read answers: `struct tc` keeps a read-ahead per socket, so keep-alive and
 * pipelined answers are read one by one (tc_read_response); http_call and http_raw make one
 * request on a connection of their own and read until the server closes it. Event streams
 * are read with test_sse.h, on the same connections. */
#ifndef PW_TESTS_TEST_CLIENT_H
#define PW_TESTS_TEST_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* Monotonic milliseconds. */
int64_t now_ms(void);

/* Turn `loop` (NULL: none) and wait up to max_ms for `fd` (-1: none) to be readable. */
void test_wait(uv_loop_t *loop, int fd, int max_ms);
/* A TCP connection to 127.0.0.1:port with TCP_NODELAY (and SO_RCVBUF `rcvbuf` if > 0, set
 * before connecting). With a loop the socket is non-blocking and the loop turns until the
 * handshake is done; without, it is a blocking socket. fd, or -errno. */
int test_connect(uv_loop_t *loop, int port, int rcvbuf);
/* Send all bytes, turning the loop while the socket is full (10 s at most). 0 or -errno. */
int test_send(uv_loop_t *loop, int fd, const void *data, size_t len);

#define TC_SLOTS 64
struct tc_extra {
    int fd;
    size_t len;
    char data[65536];
};

/* The client side of a test: the server's loop (NULL: the server is another process) and
 * per-fd read-ahead (pipelined answers). */
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

/* test_connect on the client's loop, without read-ahead left from an earlier fd. */
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

struct response {
    int status;
    char headers[8192];
    char *body; /* malloc'd, NUL-terminated */
    size_t body_len;
};

/* A blocking connection (test_connect without a loop), or -1. */
int connect_port(int port);
/* One request on a new connection (Connection: close). `extra_headers` is "" or lines
 * ending in \r\n. Returns 0 or -1 (no response at all). */
int http_call(int port, const char *method, const char *path, const char *extra_headers,
              const char *body, struct response *out);
/* Send raw bytes, read until close or timeout; returns bytes read into out (NUL-terminated). */
long http_raw(int port, const void *req, size_t len, char *out, size_t cap, int timeout_ms);
void response_free(struct response *r);
/* Header value (case-insensitive name) copied into out, or false. */
bool response_header(const struct response *r, const char *name, char *out, size_t len);

#endif
