#include "harness.h"

#include "http_head.h"
#include "proc_rss.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void server_print_log(const struct server *s)
{
    FILE *f = fopen(s->log_path, "r");
    char line[1024];
    fprintf(stderr, "---- pitwall log (%s) ----\n", s->log_path);
    while (f && fgets(line, sizeof line, f))
        fputs(line, stderr);
    if (f)
        fclose(f);
}

static int find_port(const struct server *s)
{
    FILE *f = fopen(s->log_path, "r");
    char line[1024];
    int port = 0;
    while (f && fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "listening on http://");
        if (p) {
            p = strrchr(p, ':');
            if (p)
                port = atoi(p + 1);
        }
    }
    if (f)
        fclose(f);
    return port;
}

int server_start(struct server *s, const char *config_yaml, const char *const *args,
                 const char *reuse_dir)
{
    memset(s, 0, sizeof *s);
    if (reuse_dir) {
        snprintf(s->dir, sizeof s->dir, "%s", reuse_dir);
    } else {
        snprintf(s->dir, sizeof s->dir, "/tmp/pitwall-test-XXXXXX");
        if (!mkdtemp(s->dir))
            return -1;
    }
    snprintf(s->log_path, sizeof s->log_path, "%s/pitwall.log", s->dir);
    snprintf(s->db_path, sizeof s->db_path, "%s/history.db", s->dir);
    char config_path[300] = "";
    if (config_yaml) {
        snprintf(config_path, sizeof config_path, "%s/config.yaml", s->dir);
        FILE *f = fopen(config_path, "w");
        if (!f)
            return -1;
        fputs(config_yaml, f);
        fclose(f);
    }
    const char *argv[64];
    int n = 0;
    argv[n++] = PITWALL_BIN;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--history";
    argv[n++] = s->db_path;
    argv[n++] = "--log-level";
    argv[n++] = "debug";
    if (config_yaml) {
        argv[n++] = "--config";
        argv[n++] = config_path;
    }
    for (int i = 0; args && args[i] && n < 62; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    unlink(s->log_path); /* a restart in the same dir must not find the old port */
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* a test that fails mid-way leaves its servers running: they go with the test */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            dup2(fd, 1);
        }
        execv(PITWALL_BIN, (char *const *)argv);
        _exit(127);
    }
    s->pid = pid;
    for (int64_t until = now_ms() + 20000; now_ms() < until;) {
        s->port = find_port(s);
        if (s->port > 0)
            return 0;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            s->pid = 0;
            server_print_log(s);
            return -1;
        }
        usleep(20000);
    }
    server_print_log(s);
    return -1;
}

int server_stop(struct server *s, int sig)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, sig);
    for (int64_t until = now_ms() + 10000; now_ms() < until;) {
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            if (sig != SIGKILL && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                server_print_log(s);
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        usleep(10000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
    server_print_log(s);
    return -1;
}

long server_rss_kb(const struct server *s)
{
    return proc_rss_kb((int)s->pid);
}

void server_cleanup(struct server *s)
{
    char cmd[400];
    const char *keep = getenv("PITWALL_TEST_KEEP"); /* keep logs and databases to look at */
    if (keep && keep[0] == '1') {
        fprintf(stderr, "kept %s\n", s->dir);
        return;
    }
    if (s->dir[0] && strncmp(s->dir, "/tmp/pitwall-test-", 18) == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", s->dir);
    }
}

int connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
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
    if (write_all(fd, req, len) == 0)
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
    if (write_all(fd, head, (size_t)hn) < 0 || (blen && write_all(fd, body, blen) < 0))
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

static void on_sse_event(void *ctx, const struct sse_event *ev);

int sse_open(struct sse *s, int port, const char *path, const char *last_event_id)
{
    memset(s, 0, sizeof *s);
    s->fd = connect_port(port);
    if (s->fd < 0)
        return -1;
    char req[1024];
    char lei[128] = "";
    if (last_event_id)
        snprintf(lei, sizeof lei, "Last-Event-ID: %s\r\n", last_event_id);
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n%s\r\n",
                     path, lei);
    if (write_all(s->fd, req, (size_t)n) < 0)
        goto fail;
    s->cap = 1 << 16;
    s->buf = malloc(s->cap);
    if (!s->buf)
        goto fail;
    /* Read the response head. */
    for (int64_t until = now_ms() + 10000; now_ms() < until;) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, 200) <= 0)
            continue;
        ssize_t r = recv(s->fd, s->buf + s->len, s->cap - s->len - 1, 0);
        if (r <= 0)
            break;
        s->len += (size_t)r;
        s->buf[s->len] = '\0';
        size_t head = http_head_len(s->buf, s->len);
        if (head) {
            s->status = http_head_status(s->buf);
            s->raw_first_len =
                s->len - head < sizeof s->raw_first ? s->len - head : sizeof s->raw_first;
            memcpy(s->raw_first, s->buf + head, s->raw_first_len);
            sse_parser_init(&s->parser, 1u << 24, on_sse_event, s);
            sse_parser_keep(&s->parser);
            s->parsing = true;
            if (sse_parser_feed(&s->parser, s->buf + head, s->len - head) < 0)
                goto fail;
            s->len = 0;
            return 0;
        }
    }
fail:
    if (s->parsing)
        sse_parser_free(&s->parser);
    s->parsing = false;
    close(s->fd);
    free(s->buf);
    s->buf = NULL;
    s->fd = -1;
    return -1;
}

/* The parser's callback: a frame with data is queued for sse_next (comments and
 * retry-only blocks are not frames). */
static void on_sse_event(void *ctx, const struct sse_event *ev)
{
    struct sse *s = ctx;
    if (!ev->has_data)
        return;
    if (s->n_frames == s->cap_frames) {
        int cap = s->cap_frames ? s->cap_frames * 2 : 16;
        struct sse_frame *n = realloc(s->frames, (size_t)cap * sizeof *n);
        if (!n) {
            s->failed = true;
            return;
        }
        s->frames = n;
        s->cap_frames = cap;
    }
    struct sse_frame *f = &s->frames[s->n_frames];
    memset(f, 0, sizeof *f);
    snprintf(f->id, sizeof f->id, "%s", ev->id);
    snprintf(f->event, sizeof f->event, "%s", ev->event);
    f->data = ev->data ? strdup(ev->data) : NULL;
    if (!f->data) {
        s->failed = true;
        return;
    }
    f->data_len = strlen(f->data);
    s->n_frames++;
}

int sse_next(struct sse *s, struct sse_frame *f, int timeout_ms)
{
    if (s->fd < 0)
        return -1;
    int64_t until = now_ms() + timeout_ms;
    for (;;) {
        if (s->first_frame < s->n_frames) {
            *f = s->frames[s->first_frame++];
            if (s->first_frame == s->n_frames)
                s->first_frame = s->n_frames = 0;
            return 1;
        }
        if (s->failed)
            return -1;
        int left = (int)(until - now_ms());
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, left) <= 0)
            return 0;
        char chunk[65536];
        ssize_t r = recv(s->fd, chunk, sizeof chunk, 0);
        if (r <= 0)
            return -1;
        size_t room = sizeof s->raw_first - s->raw_first_len;
        size_t keep = (size_t)r < room ? (size_t)r : room;
        memcpy(s->raw_first + s->raw_first_len, chunk, keep);
        s->raw_first_len += keep;
        if (sse_parser_feed(&s->parser, chunk, (size_t)r) < 0)
            return -1;
    }
}

void sse_frame_free(struct sse_frame *f)
{
    free(f->data);
    f->data = NULL;
}

void sse_close(struct sse *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    free(s->buf);
    s->buf = NULL;
    for (int i = s->first_frame; i < s->n_frames; i++)
        sse_frame_free(&s->frames[i]);
    free(s->frames);
    s->frames = NULL;
    s->n_frames = s->first_frame = s->cap_frames = 0;
    if (s->parsing)
        sse_parser_free(&s->parser);
    s->parsing = false;
}
