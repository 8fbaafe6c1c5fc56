/* fuzz_http.c — fuzz target for the HTTP request path: request line, headers, chunked and
 * sized bodies, pipelining, early answers, streams, static files (docs/HTTP.md).
 *
 * Input: the first byte picks how the rest is cut into writes (1 to 64 bytes at a time, or
 * all at once), so the parser also sees every token split across reads; the rest is what a
 * client sends on one connection, then it half-closes. The real server (src/http) runs on
 * its own loop on a loopback port with small limits, behind a handler that echoes bodies,
 * answers later from a timer, opens and ends streams, serves files and answers errors that
 * quote the path. The target drives the loop until the server closes the connection and
 * traps if:
 *   - the server does not close within 10 s after the client's FIN (it must answer what it
 *     has, or refuse, then close);
 *   - the bytes back are not a sequence of HTTP/1.1 answers (status line, headers ending in
 *     a blank line, the body its Content-Length says, or a stream's body to the end);
 *   - an error body is not valid UTF-8, or a file outside the static root is served.
 *
 * The server and its loop live for the whole run (a static: libFuzzer calls the entry
 * point once per input). Built with the standalone driver (fuzz/standalone.c, a ctest) or
 * with clang -fsanitize=fuzzer (PITWALL_LIBFUZZER, scripts/test.d/70-fuzz.sh). */
#include "core/utf8.h"
#include "http/http_server.h"
#include "standalone.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SECRET "fuzz-secret-bytes-never-served"

struct fuzz_env {
    uv_loop_t loop;
    struct http_server *srv;
    int port;
    char root[64];   /* static root: index.html, static/a.txt */
    uv_timer_t later;  /* answers the request parked by /later */
    struct http_conn *parked;
    uint32_t next_source; /* the next client source address, see LLVMFuzzerTestOneInput */
};

static void on_parked_close(void *owner, struct http_conn *conn)
{
    struct fuzz_env *env = owner;
    (void)conn;
    env->parked = NULL;
}

static void answer_later(uv_timer_t *t)
{
    struct fuzz_env *env = t->data;
    if (env->parked) {
        struct http_conn *conn = env->parked;
        env->parked = NULL;
        http_conn_set_owner(conn, NULL, NULL);
        http_respond(conn, 200, "text/plain", "", "later", 5);
    }
}

static void handler(void *ctx, struct http_conn *conn, const struct http_request *req)
{
    struct fuzz_env *env = ctx;
    char v[64];
    /* The accessors a handler uses, on whatever arrived. */
    http_query_param(req->query, "race_id", v, sizeof v);
    http_query_param(req->query, "last_event_id", v, sizeof v);
    http_request_header(req, "Last-Event-ID");
    http_request_header(req, "Content-Type");
    if (strncmp(req->path, "/stream", 7) == 0) {
        if (http_stream_begin(conn, NULL, "") == 0) {
            struct pw_buf *b = pw_buf_new("data: {}\n\n", 10);
            if (b)
                http_stream_write(conn, b);
            pw_buf_unref(b);
            if (req->path[7] == 'e')
                http_stream_end(conn); /* /streamend: over after one frame */
        }
    } else if (strncmp(req->path, "/static", 7) == 0) {
        http_serve_static(conn, req, env->root);
    } else if (strncmp(req->path, "/error", 6) == 0) {
        http_respond_error(conn, 400, req->path); /* quotes the raw path: any bytes */
    } else if (strncmp(req->path, "/later", 6) == 0 && !env->parked) {
        env->parked = conn;
        http_conn_set_owner(conn, env, on_parked_close);
        uv_timer_start(&env->later, answer_later, 0, 0);
    } else {
        http_respond(conn, 200, "application/octet-stream", "", req->body, req->body_len);
    }
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

static struct fuzz_env *env_get(void)
{
    static struct fuzz_env *env; /* one server for the whole run, see the top comment */
    if (env)
        return env;
    env = calloc(1, sizeof *env);
    char base[] = "/tmp/pitwall-fuzz-http-XXXXXX";
    if (!env || !mkdtemp(base) || uv_loop_init(&env->loop) != 0)
        abort();
    /* root is base/www; the secret lies beside it, where traversal would find it */
    snprintf(env->root, sizeof env->root, "%s/www", base);
    mkdir(env->root, 0755);
    write_file(env->root, "index.html", "<html>index</html>");
    char dir[96];
    snprintf(dir, sizeof dir, "%s/static", env->root);
    mkdir(dir, 0755);
    write_file(dir, "a.txt", "static a");
    write_file(base, "secret.txt", SECRET);
    uv_timer_init(&env->loop, &env->later);
    env->later.data = env;
    struct http_server_config cfg;
    http_server_config_defaults(&cfg);
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    /* Small limits, so inputs of a few KB reach every refusal. */
    cfg.max_url_bytes = 256;
    cfg.max_header_bytes = 1024;
    cfg.max_headers = 16;
    cfg.max_body_bytes = 2048;
    cfg.output_queue_bytes = 16 * 1024;
    cfg.stream_queue_bytes = 8 * 1024;
    if (http_server_start(&env->loop, &cfg, NULL, handler, env, &env->srv) != 0)
        abort();
    env->port = http_server_port(env->srv);
    return env;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what is there into out (up to cap; the rest is read and dropped). 1 on EOF or
 * reset, 0 otherwise. */
static int drain(int fd, char *out, size_t *len, size_t cap)
{
    for (;;) {
        char tmp[16384];
        ssize_t n = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
        if (n == 0)
            return 1;
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : 1;
        size_t take = *len + (size_t)n <= cap ? (size_t)n : cap - *len;
        memcpy(out + *len, tmp, take);
        *len += take;
    }
}

static const char *find(const char *s, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= len; i++) {
        if (memcmp(s + i, needle, nl) == 0)
            return s + i;
    }
    return NULL;
}

/* An error body must be UTF-8 (JSON text). `maybe_head`: the bytes might be the next
 * answer after a HEAD answer rather than this one's body; those are not checked. */
static void check_utf8(const char *s, size_t len, bool maybe_head)
{
    if (maybe_head)
        return;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int k = pw_utf8_decode((const unsigned char *)s + i, &cp);
        if (k == 0 || i + (size_t)k > len || cp == 0)
            __builtin_trap();
        i += (size_t)k;
    }
}

/* Whether s[off..len) is a sequence of well-formed HTTP/1.1 answers. An answer with a
 * Content-Length may be a HEAD answer without its body: when the bytes after its head
 * start another answer, that reading is tried too. */
static bool answers_ok(const char *s, size_t len, size_t off, bool truncated, int depth)
{
    if (off == len)
        return true;
    if (depth > 256)
        return true; /* deep enough: the answers so far were well-formed */
    const char *a = s + off;
    size_t left = len - off;
    const char *end = find(a, left, "\r\n\r\n");
    if (!end)
        return truncated; /* a head cut short only by our own buffer */
    int status = 0;
    if (left < 13 || memcmp(a, "HTTP/1.1 ", 9) != 0 || sscanf(a + 9, "%3d", &status) != 1 ||
        status < 100 || status > 599)
        return false;
    size_t head = (size_t)(end + 4 - a);
    const char *cl = find(a, head, "\r\nContent-Length: ");
    bool next_is_answer = left - head >= 9 && memcmp(a + head, "HTTP/1.1 ", 9) == 0;
    if (!cl) {
        /* 1xx, 204, 304, HEAD of a stream, or a stream, whose body runs to the close */
        if (find(a, head, "text/event-stream") && !next_is_answer)
            return true;
        return answers_ok(s, len, off + head, truncated, depth + 1);
    }
    size_t body = (size_t)strtoul(cl + 18, NULL, 10);
    if (off + head + body <= len) {
        if (status >= 400 && find(a, head, "application/json"))
            check_utf8(a + head, body, next_is_answer);
        if (answers_ok(s, len, off + head + body, truncated, depth + 1))
            return true;
    } else if (truncated) {
        return true;
    }
    /* a HEAD answer: no body, then the next answer or the end */
    return (off + head == len || next_is_answer) &&
           answers_ok(s, len, off + head, truncated, depth + 1);
}

/* Connects the non-blocking way, so libFuzzer's timer signal (SIGALRM, which interrupts a
 * blocking connect with EINTR) only makes the wait start again. 0, or -1 with errno set. */
static int connect_nonblocking(int fd, const struct sockaddr_in *to)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (connect(fd, (const struct sockaddr *)to, sizeof *to) == 0)
        return 0;
    if (errno != EINPROGRESS && errno != EINTR)
        return -1;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int n;
    do
        n = poll(&p, 1, 10000);
    while (n < 0 && errno == EINTR);
    int err = 0;
    socklen_t len = sizeof err;
    if (n <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        errno = n == 0 ? ETIMEDOUT : err ? err : errno;
        return -1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_env *env = env_get();
    if (size < 1)
        return 0;
    size_t piece = data[0] % 8 == 0 ? size : 1 + (size_t)(data[0] % 64);
    data++;
    size--;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    /* The server closes first, so each connection leaves a TIME_WAIT on its side for 60 s,
     * which holds that client port: at ~3,000 inputs a second one source address runs out
     * of its ~28,000 ports within seconds (connect fails with EADDRNOTAVAIL where the kernel
     * does not reuse TIME_WAIT on loopback). Each input comes from the next of 65,536
     * loopback source addresses (127.1.0.0/16), each with its own ports. */
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(0x7F010000u | (env->next_source++ & 0xFFFFu));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)env->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof src) != 0 ||
        connect_nonblocking(fd, &a) != 0) {
        perror("fuzz_http: socket, bind or connect to the server under test");
        abort();
    }
    static char got[1 << 20];
    size_t got_len = 0;
    int closed = 0;
    size_t off = 0;
    int64_t deadline = mono_ms() + 10000;
    /* Send piece by piece, letting the server parse between pieces. */
    while (off < size && !closed) {
        size_t n = size - off < piece ? size - off : piece;
        ssize_t w = send(fd, data + off, n, MSG_NOSIGNAL);
        if (w > 0)
            off += (size_t)w;
        else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            break; /* the server closed after refusing: fine */
        uv_run(&env->loop, UV_RUN_NOWAIT);
        closed = drain(fd, got, &got_len, sizeof got);
        if (mono_ms() > deadline)
            __builtin_trap(); /* the server stopped reading and never closed */
    }
    shutdown(fd, SHUT_WR);
    while (!closed) {
        uv_run(&env->loop, UV_RUN_NOWAIT);
        closed = drain(fd, got, &got_len, sizeof got);
        if (!closed && mono_ms() > deadline)
            __builtin_trap(); /* half-closed and still not closed by the server */
        if (!closed)
            usleep(100);
    }
    close(fd);
    if (getenv("FUZZ_HTTP_SHOW"))
        fprintf(stderr, "---- %zu bytes back:\n%.*s\n", got_len, (int)(got_len < 600 ? got_len : 600), got);
    if (find(got, got_len, SECRET) || !answers_ok(got, got_len, 0, got_len == sizeof got, 0))
        __builtin_trap();
    return 0;
}

#ifndef PITWALL_LIBFUZZER
/* Tokens the standalone driver's mutations insert (fuzz/standalone.c). */
static const char *const tokens[] = {
    "\r\n",
    "\r\n\r\n",
    "\n",
    " ",
    ":",
    "GET ",
    "HEAD ",
    "POST ",
    "OPTIONS ",
    " HTTP/1.1\r\n",
    " HTTP/1.0\r\n",
    " HTTP/2.0\r\n",
    "Content-Length: 5\r\n",
    "Content-Length: 99999999999999999999\r\n",
    "Content-Length: -1\r\n",
    "Transfer-Encoding: chunked\r\n",
    "Transfer-Encoding: gzip, chunked\r\n",
    "Connection: close\r\n",
    "Connection: keep-alive\r\n",
    "Connection: upgrade\r\nUpgrade: websocket\r\n",
    "Expect: 100-continue\r\n",
    "Origin: http://localhost:3000\r\n",
    "0\r\n\r\n",
    "5\r\nhello\r\n",
    "ffffffff\r\n",
    "5;ext=1\r\n",
    "/stream",
    "/streamend",
    "/static/",
    "/static/../../secret.txt",
    "/static/%2e%2e/%2e%2e/secret.txt",
    "/static/a.txt",
    "/error/",
    "/later",
    "?race_id=",
    "%",
    "%00",
    "%c3%a9",
    "\xc3\xa9",
    "\xe2\x82",
    "\xff",
    "\xe0\x80\x80", /* overlong NUL */
    "\xed\xa0\x80", /* a UTF-16 surrogate */
    "",
};

FUZZ_TARGET("fuzz_http", tokens);
#endif
