/* sse_load — SSE load generator: N clients on one libuv loop against a pitwall stream.
 *
 * For every positions frame (a "server_ms" in its data) it records the delay from the
 * server's stamp to receipt; it checks that R in "id: R-C" advances by exactly one per
 * race event on each connection (commentary frames keep R) and counts the gaps as lost
 * events; it samples the server's VmRSS/VmHWM. See docs/BENCHMARKS.md.
 *
 * Its connections are its own (uv_tcp clients on its own loop, thousands at once, to any
 * IPv4 host), not the tests' one-at-a-time loopback client (tests/common/test_client.h);
 * what it shares with the tests is how it reads a stream: the SSE parser (sse_parse.h). */
#include "hist.h"
#include "sse_parse.h"
#include "start_race.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>
#include <zlib.h>

#define READ_BUF_BYTES (256 * 1024)
#define HEAD_MAX 16384
#define LINE_MAX_BYTES (8 * 1024 * 1024)

enum client_state { C_IDLE, C_CONNECTING, C_HEAD, C_STREAM, C_CLOSED };

struct bench;

struct client {
    uv_tcp_t tcp;
    uv_connect_t connect_req;
    uv_write_t write_req;
    struct bench *b;
    enum client_state state;
    char *head;
    size_t head_len;
    struct sse_parser parser;
    bool have_r;
    uint64_t last_r;
    bool ended;
    z_stream *z; /* the server answered Content-Encoding: gzip (asked for with --gzip) */
};

struct options {
    const char *url;
    int clients;
    double duration_s;
    int server_pid;
    int ramp_per_sec; /* 0: all at once */
    bool start_race;
    const char *driver;
    int race_duration_s;
    int tick_hz;
    bool json;
    int target_p99_ms; /* exit 2 when missed (0: no check) */
    int target_rss_mb;
    int workers; /* threads, each with its own loop and a share of the clients */
    bool gzip;        /* send Accept-Encoding: gzip; inflate what comes back gzip */
    int source_addrs; /* > 0: bind clients to 127.0.0.2 .. 127.0.0.(1+N), round robin */
};

/* One worker thread: its own loop, clients and counters (merged at the end). */
struct bench {
    uv_loop_t *loop;
    uv_loop_t own_loop;
    pthread_t thread;
    int index;
    int total_clients;
    struct options opt; /* opt.clients and opt.ramp_per_sec: this worker's share */
    struct sockaddr_in addr;
    char host[128];
    char path[1024];
    char request[1536];
    size_t request_len;
    struct client *clients;
    int started;
    int64_t t0_ms;          /* wall clock at start */
    int64_t steady_from_ms; /* wall clock after the ramp (+2 s): steady-state stats */
    int64_t now_ms;         /* wall clock of the read being processed */
    bool stopping;
    uv_timer_t ramp_timer, sample_timer, end_timer, progress_timer;
    /* counts */
    uint64_t connected, failed, disconnected, ended, connect_errors;
    uint64_t status_counts[6];
    uint64_t events, positions, commentary, pings, lost, duplicates, bad_ids, bytes;
    uint64_t parse_errors, compressed, inflate_errors, plain_bytes;
    struct hist *all, *steady;
    /* connected clients x seconds of the steady phase: positions frames a client received a
     * second there (10 at 10 Hz) is steady->n over this; a server that skips ticks when it
     * falls behind shows here, not as lost events */
    double steady_client_s;
    /* server memory */
    long rss_kb_last, rss_kb_max, hwm_kb, rss_samples;
    /* CPU seconds used (user + system), at the start and the end of the run */
    double server_cpu0, server_cpu1, own_cpu0, own_cpu1;
    char read_buf[READ_BUF_BYTES];
    char inflate_buf[READ_BUF_BYTES];
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long proc_status_kb(int pid, const char *key)
{
    char path[64], line[256];
    long v = -1;
    if (pid > 0)
        snprintf(path, sizeof path, "/proc/%d/status", pid);
    else
        snprintf(path, sizeof path, "/proc/self/status");
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            v = strtol(line + klen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

/* utime + stime of a process in seconds (pid 0: this one), or -1. */
static double proc_cpu_s(int pid)
{
    char path[64], buf[1024];
    if (pid > 0)
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
    else
        snprintf(path, sizeof path, "/proc/self/stat");
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void sample_rss(struct bench *b)
{
    if (b->opt.server_pid <= 0)
        return;
    long rss = proc_status_kb(b->opt.server_pid, "VmRSS");
    long hwm = proc_status_kb(b->opt.server_pid, "VmHWM");
    if (rss < 0)
        return;
    b->rss_kb_last = rss;
    if (rss > b->rss_kb_max)
        b->rss_kb_max = rss;
    if (hwm > b->hwm_kb)
        b->hwm_kb = hwm;
    b->rss_samples++;
}

/* --- per-event accounting --------------------------------------------------------------- */

static void on_event(void *ctx, const struct sse_event *ev)
{
    struct client *c = ctx;
    struct bench *b = c->b;
    bool snapshot = strcmp(ev->event, "snapshot") == 0;
    bool end = strcmp(ev->event, "end") == 0 || strcmp(ev->type, "end") == 0;
    bool is_commentary =
        strcmp(ev->event, "commentary") == 0 || strcmp(ev->type, "commentary") == 0;
    bool is_positions = strcmp(ev->event, "positions") == 0 || strcmp(ev->event, "delta") == 0 ||
                        (ev->event[0] == '\0' && strcmp(ev->type, "positions") == 0);
    if (!ev->has_id) {
        if (strcmp(ev->type, "ping") == 0)
            b->pings++;
        return;
    }
    if (!ev->id_ok) {
        b->bad_ids++;
        return;
    }
    b->events++;
    if (end) {
        c->ended = true;
    } else if (snapshot || !c->have_r) {
        /* the first frame sets the baseline */
    } else {
        uint64_t expect = c->last_r + (is_commentary ? 0 : 1);
        if (ev->r > expect)
            b->lost += ev->r - expect;
        else if (ev->r < expect)
            b->duplicates++;
    }
    if (!end) {
        c->last_r = ev->r;
        c->have_r = true;
    }
    if (is_commentary)
        b->commentary++;
    if (is_positions && !snapshot && ev->has_server_ms) {
        b->positions++;
        int64_t d = b->now_ms - ev->server_ms;
        hist_add(b->all, d);
        if (b->steady_from_ms > 0 && b->now_ms >= b->steady_from_ms)
            hist_add(b->steady, d);
    }
}

/* --- client lifecycle ------------------------------------------------------------------- */

static void client_closed(uv_handle_t *h)
{
    struct client *c = h->data;
    sse_parser_free(&c->parser);
    if (c->z) {
        inflateEnd(c->z);
        free(c->z);
        c->z = NULL;
    }
    free(c->head);
    c->head = NULL;
}

static void client_close(struct client *c)
{
    if (c->state == C_CLOSED || c->state == C_IDLE)
        return;
    c->state = C_CLOSED;
    uv_close((uv_handle_t *)&c->tcp, client_closed);
}

static void client_lost(struct client *c, const char *why)
{
    struct bench *b = c->b;
    (void)why;
    if (!b->stopping) {
        if (c->state == C_STREAM) {
            if (c->ended)
                b->ended++;
            else
                b->disconnected++;
        } else {
            b->failed++;
        }
    }
    client_close(c);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct client *c = h->data;
    (void)suggested;
    *buf = uv_buf_init(c->b->read_buf, sizeof c->b->read_buf);
}

static int handle_head(struct client *c, const char *data, size_t len, size_t *used)
{
    struct bench *b = c->b;
    size_t take = len;
    if (!c->head) {
        c->head = malloc(HEAD_MAX);
        if (!c->head)
            return -ENOMEM;
    }
    if (c->head_len + take > HEAD_MAX - 1)
        take = HEAD_MAX - 1 - c->head_len;
    memcpy(c->head + c->head_len, data, take);
    size_t before = c->head_len;
    c->head_len += take;
    c->head[c->head_len] = '\0';
    char *end = strstr(c->head, "\r\n\r\n");
    if (!end) {
        *used = len;
        return c->head_len >= HEAD_MAX - 1 ? -E2BIG : 0;
    }
    size_t head_bytes = (size_t)(end + 4 - c->head);
    *used = head_bytes - before;
    int status = 0;
    if (sscanf(c->head, "HTTP/1.%*d %d", &status) != 1)
        return -EPROTO;
    if (status >= 100 && status < 600)
        b->status_counts[status / 100]++;
    if (status != 200)
        return -EPROTO;
    if (strstr(c->head, "\r\nTransfer-Encoding: chunked") ||
        strstr(c->head, "\r\ntransfer-encoding: chunked"))
        return -EPROTO; /* pitwall streams are not chunked; this parser does not unchunk */
    if (strstr(c->head, "\r\nContent-Encoding: gzip") ||
        strstr(c->head, "\r\ncontent-encoding: gzip")) {
        c->z = calloc(1, sizeof *c->z);
        if (!c->z || inflateInit2(c->z, 16 + 15) != Z_OK)
            return -ENOMEM;
        b->compressed++;
    }
    free(c->head);
    c->head = NULL;
    c->head_len = 0;
    c->state = C_STREAM;
    b->connected++;
    return 0;
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct client *c = s->data;
    struct bench *b = c->b;
    if (nread == 0)
        return;
    if (nread < 0) {
        client_lost(c, uv_strerror((int)nread));
        return;
    }
    b->bytes += (uint64_t)nread;
    b->now_ms = wall_ms();
    const char *p = buf->base;
    size_t len = (size_t)nread;
    if (c->state == C_HEAD) {
        size_t used = 0;
        if (handle_head(c, p, len, &used) < 0) {
            client_lost(c, "bad response head");
            return;
        }
        p += used;
        len -= used;
        if (c->state != C_STREAM)
            return;
    }
    if (c->state != C_STREAM || len == 0)
        return;
    if (!c->z) {
        b->plain_bytes += len;
        if (sse_parser_feed(&c->parser, p, len) < 0) {
            b->parse_errors++;
            client_lost(c, "SSE line too long");
        }
        return;
    }
    c->z->next_in = (unsigned char *)p;
    c->z->avail_in = (uInt)len;
    while (c->z->avail_in > 0) {
        c->z->next_out = (unsigned char *)b->inflate_buf;
        c->z->avail_out = sizeof b->inflate_buf;
        int rc = inflate(c->z, Z_SYNC_FLUSH);
        size_t got = sizeof b->inflate_buf - c->z->avail_out;
        b->plain_bytes += got;
        if (got && sse_parser_feed(&c->parser, b->inflate_buf, got) < 0) {
            b->parse_errors++;
            client_lost(c, "SSE line too long");
            return;
        }
        if (rc == Z_STREAM_END)
            break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            b->inflate_errors++;
            client_lost(c, "bad gzip");
            return;
        }
        if (rc == Z_BUF_ERROR && got == 0)
            break;
    }
}

static void write_cb(uv_write_t *req, int status)
{
    struct client *c = req->data;
    if (status < 0 && c->state != C_CLOSED)
        client_lost(c, uv_strerror(status));
}

static void connect_cb(uv_connect_t *req, int status)
{
    struct client *c = req->data;
    struct bench *b = c->b;
    if (c->state == C_CLOSED)
        return;
    if (status < 0) {
        b->connect_errors++;
        client_lost(c, uv_strerror(status));
        return;
    }
    c->state = C_HEAD;
    uv_buf_t wb = uv_buf_init(b->request, (unsigned)b->request_len);
    c->write_req.data = c;
    if (uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &wb, 1, write_cb) < 0 ||
        uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) < 0)
        client_lost(c, "write/read start");
}

static void client_start(struct bench *b, struct client *c)
{
    c->b = b;
    sse_parser_init(&c->parser, LINE_MAX_BYTES, on_event, c);
    if (uv_tcp_init(b->loop, &c->tcp) < 0) {
        b->failed++;
        return;
    }
    c->tcp.data = c;
    if (b->opt.source_addrs > 0) {
        /* Each source address has its own ephemeral ports: past ~28,000 clients. */
        struct sockaddr_in src;
        char ip[32];
        int k = (int)(c - b->clients) * b->opt.workers + b->index;
        snprintf(ip, sizeof ip, "127.0.0.%d", 2 + k % b->opt.source_addrs);
        uv_ip4_addr(ip, 0, &src);
        if (uv_tcp_bind(&c->tcp, (const struct sockaddr *)&src, 0) < 0) {
            b->connect_errors++;
            c->state = C_CONNECTING;
            client_lost(c, "bind");
            return;
        }
    }
    c->state = C_CONNECTING;
    c->connect_req.data = c;
    if (uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&b->addr, connect_cb) <
        0) {
        b->connect_errors++;
        client_lost(c, "connect");
    }
}

/* --- timers ----------------------------------------------------------------------------- */

static void ramp_tick(uv_timer_t *t)
{
    struct bench *b = t->data;
    int batch = b->opt.ramp_per_sec > 0 ? (b->opt.ramp_per_sec + 99) / 100 : b->opt.clients;
    for (int i = 0; i < batch && b->started < b->opt.clients; i++)
        client_start(b, &b->clients[b->started++]);
    if (b->started >= b->opt.clients) {
        uv_timer_stop(t);
        b->steady_from_ms = wall_ms() + 2000;
    }
}

static void sample_tick(uv_timer_t *t)
{
    sample_rss(t->data);
}

static void print_hist(FILE *out, const char *name, const struct hist *h)
{
    if (h->n == 0) {
        fprintf(out, "delay ms (%s): no samples\n", name);
        return;
    }
    fprintf(out,
            "delay ms (%s): p50 %" PRId64 "  p99 %" PRId64 "  p99.9 %" PRId64 "  max %" PRId64
            "  mean %.1f  (n=%" PRIu64 ")\n",
            name, hist_quantile(h, 0.50), hist_quantile(h, 0.99), hist_quantile(h, 0.999), h->max,
            h->sum / (double)h->n, h->n);
}

static void progress_tick(uv_timer_t *t)
{
    struct bench *b = t->data;
    fprintf(stderr,
            "sse_load: t=%.0fs (worker 0 of %d) started %d connected %" PRIu64 " failed %" PRIu64
            " disconnected %" PRIu64 " positions %" PRIu64 " lost %" PRIu64 " p99 %" PRId64
            " ms server VmRSS %ld kB\n",
            (double)(wall_ms() - b->t0_ms) / 1000.0, b->opt.workers, b->started, b->connected,
            b->failed, b->disconnected, b->positions, b->lost, hist_quantile(b->all, 0.99),
            b->rss_kb_last);
}

static void report(struct bench *b)
{
    FILE *out = stdout;
    long own_hwm = proc_status_kb(0, "VmHWM");
    double secs = (double)(wall_ms() - b->t0_ms) / 1000.0;
    fprintf(out, "sse_load: %s, %d clients in %d worker thread(s), %.1f s\n", b->path,
            b->total_clients, b->opt.workers, secs);
    fprintf(out,
            "clients: connected %" PRIu64 "  failed %" PRIu64 " (connect errors %" PRIu64
            ", non-200 %" PRIu64 ")  disconnected early %" PRIu64 "  ended by server %" PRIu64 "\n",
            b->connected, b->failed, b->connect_errors,
            b->status_counts[1] + b->status_counts[3] + b->status_counts[4] + b->status_counts[5] +
                b->status_counts[2] - b->connected,
            b->disconnected, b->ended);
    fprintf(out,
            "events: %" PRIu64 " with id (positions %" PRIu64 ", commentary %" PRIu64
            ")  pings %" PRIu64 "  lost %" PRIu64 "  duplicates %" PRIu64 "  bad ids %" PRIu64
            "  bytes %" PRIu64 " (%.1f MB/s)\n",
            b->events, b->positions, b->commentary, b->pings, b->lost, b->duplicates, b->bad_ids,
            b->bytes, (double)b->bytes / secs / 1e6);
    if (b->connected)
        fprintf(out,
                "per client: %.0f bytes per minute on the wire (%.0f after inflating), %.2f "
                "positions frames/s; gzip streams %" PRIu64 ", inflate errors %" PRIu64 "\n",
                (double)b->bytes / (double)b->connected / secs * 60.0,
                (double)b->plain_bytes / (double)b->connected / secs * 60.0,
                (double)b->positions / (double)b->connected / secs, b->compressed,
                b->inflate_errors);
    print_hist(out, "all", b->all);
    print_hist(out, "steady, from 2 s after the last connect", b->steady);
    if (b->steady_client_s > 0)
        fprintf(out, "steady: %.2f positions frames/s per client\n",
                (double)b->steady->n / b->steady_client_s);
    if (b->opt.server_pid > 0)
        fprintf(
            out,
            "server pid %d: VmRSS at end %ld kB, max sampled %ld kB (%ld samples), VmHWM %ld kB\n",
            b->opt.server_pid, b->rss_kb_last, b->rss_kb_max, b->rss_samples, b->hwm_kb);
    if (b->opt.server_pid > 0 && b->server_cpu0 >= 0 && b->server_cpu1 >= 0)
        fprintf(out, "server CPU: %.1f s in %.1f s of run (%.0f%% of one core)\n",
                b->server_cpu1 - b->server_cpu0, secs,
                100.0 * (b->server_cpu1 - b->server_cpu0) / secs);
    fprintf(out, "load generator: VmHWM %ld kB, CPU %.1f s (%.0f%% of one core)\n", own_hwm,
            b->own_cpu1 - b->own_cpu0, 100.0 * (b->own_cpu1 - b->own_cpu0) / secs);
    double load[3];
    if (getloadavg(load, 3) == 3)
        fprintf(out, "machine load average at end: %.2f %.2f %.2f (%ld CPUs)\n", load[0], load[1],
                load[2], sysconf(_SC_NPROCESSORS_ONLN));
    if (b->opt.json) {
        const struct hist *h = b->steady->n ? b->steady : b->all;
        fprintf(out,
                "{\"clients\":%d,\"connected\":%" PRIu64 ",\"failed\":%" PRIu64
                ",\"disconnected\":%" PRIu64 ",\"ended\":%" PRIu64 ",\"events\":%" PRIu64
                ",\"positions\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"duplicates\":%" PRIu64
                ",\"p50_ms\":%" PRId64 ",\"p99_ms\":%" PRId64 ",\"max_ms\":%" PRId64
                ",\"server_rss_kb\":%ld,\"server_rss_max_kb\":%ld,\"server_hwm_kb\":%ld}\n",
                b->total_clients, b->connected, b->failed, b->disconnected, b->ended, b->events,
                b->positions, b->lost, b->duplicates, hist_quantile(h, 0.5), hist_quantile(h, 0.99),
                h->max, b->rss_kb_last, b->rss_kb_max, b->hwm_kb);
    }
    fflush(out);
}

static void end_tick(uv_timer_t *t)
{
    struct bench *b = t->data;
    if (b->index == 0) {
        sample_rss(b);
        b->server_cpu1 = b->opt.server_pid > 0 ? proc_cpu_s(b->opt.server_pid) : -1;
        b->own_cpu1 = proc_cpu_s(0); /* the whole process: every worker */
    }
    if (b->steady_from_ms > 0 && wall_ms() > b->steady_from_ms)
        b->steady_client_s =
            (double)(wall_ms() - b->steady_from_ms) / 1000.0 * (double)b->connected;
    b->stopping = true;
    uv_timer_stop(&b->ramp_timer);
    uv_timer_stop(&b->sample_timer);
    uv_timer_stop(&b->progress_timer);
    uv_close((uv_handle_t *)&b->ramp_timer, NULL);
    uv_close((uv_handle_t *)&b->sample_timer, NULL);
    uv_close((uv_handle_t *)&b->progress_timer, NULL);
    uv_close((uv_handle_t *)&b->end_timer, NULL);
    for (int i = 0; i < b->started; i++)
        client_close(&b->clients[i]);
}

/* --- setup ------------------------------------------------------------------------------ */

static int parse_url(struct bench *b, const char *url)
{
    const char *p = url;
    if (strncmp(p, "http://", 7) != 0)
        return -EINVAL;
    p += 7;
    const char *slash = strchr(p, '/');
    size_t hp_len = slash ? (size_t)(slash - p) : strlen(p);
    if (hp_len == 0 || hp_len >= sizeof b->host)
        return -EINVAL;
    memcpy(b->host, p, hp_len);
    b->host[hp_len] = '\0';
    snprintf(b->path, sizeof b->path, "%s", slash ? slash : "/");
    char host[128];
    int port = 80;
    snprintf(host, sizeof host, "%s", b->host);
    char *colon = strrchr(host, ':');
    if (colon) {
        *colon = '\0';
        port = atoi(colon + 1);
    }
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    if (port <= 0 || port > 65535 || uv_ip4_addr(host, port, &b->addr) != 0)
        return -EINVAL;
    return 0;
}

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: sse_load --url http://127.0.0.1:PORT/api/race/ID/stream --clients N --duration S\n"
        "                [--server-pid PID] [--ramp-per-sec R] [--json]\n"
        "                [--start-race [--driver NAME] [--race-duration S] [--tick-hz HZ]]\n"
        "                [--target-p99-ms MS] [--target-rss-mb MB] [--workers W]\n"
        "                [--gzip] [--source-addrs N]\n"
        "With --start-race the race is started first (POST /api/race/start) and \"{id}\" in\n"
        "the URL path (or a path of \"/\") is replaced by its race id. --workers splits the\n"
        "clients over W threads, each with its own event loop (one loop reading 10,000\n"
        "sockets adds its own read time to the delays it measures). --gzip asks for gzip and\n"
        "inflates what comes compressed; --source-addrs N spreads the clients over the\n"
        "source addresses 127.0.0.2.. (each has its own ephemeral ports).\n"
        "Exit 0 ok, 1 setup error, 2 a --target-* was missed.\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"url", required_argument, NULL, 'u'},
        {"clients", required_argument, NULL, 'n'},
        {"duration", required_argument, NULL, 'd'},
        {"server-pid", required_argument, NULL, 'p'},
        {"ramp-per-sec", required_argument, NULL, 'r'},
        {"start-race", no_argument, NULL, 's'},
        {"driver", required_argument, NULL, 'D'},
        {"race-duration", required_argument, NULL, 'R'},
        {"tick-hz", required_argument, NULL, 'T'},
        {"json", no_argument, NULL, 'j'},
        {"target-p99-ms", required_argument, NULL, 'P'},
        {"target-rss-mb", required_argument, NULL, 'M'},
        {"workers", required_argument, NULL, 'W'},
        {"gzip", no_argument, NULL, 'g'},
        {"source-addrs", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->clients = 100;
    o->duration_s = 10;
    o->driver = "Lando Norris";
    o->race_duration_s = 120;
    o->tick_hz = 10;
    o->workers = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'u':
            o->url = optarg;
            break;
        case 'n':
            o->clients = atoi(optarg);
            break;
        case 'd':
            o->duration_s = atof(optarg);
            break;
        case 'p':
            o->server_pid = atoi(optarg);
            break;
        case 'r':
            o->ramp_per_sec = atoi(optarg);
            break;
        case 's':
            o->start_race = true;
            break;
        case 'D':
            o->driver = optarg;
            break;
        case 'R':
            o->race_duration_s = atoi(optarg);
            break;
        case 'T':
            o->tick_hz = atoi(optarg);
            break;
        case 'j':
            o->json = true;
            break;
        case 'P':
            o->target_p99_ms = atoi(optarg);
            break;
        case 'M':
            o->target_rss_mb = atoi(optarg);
            break;
        case 'W':
            o->workers = atoi(optarg);
            break;
        case 'g':
            o->gzip = true;
            break;
        case 'S':
            o->source_addrs = atoi(optarg);
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            return -EINVAL;
        }
    }
    if (!o->url || o->clients <= 0 || o->duration_s <= 0 || o->ramp_per_sec < 0 || o->workers < 1 ||
        o->workers > 64 || o->workers > o->clients || o->source_addrs < 0 ||
        o->source_addrs > 250 || strchr(o->driver, '"') ||
        strchr(o->driver, '\\'))
        return -EINVAL;
    return 0;
}

static void raise_nofile(int clients)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < (rlim_t)clients + 64)
            fprintf(stderr, "sse_load: warning: open-file limit %lu is below %d clients\n",
                    (unsigned long)rl.rlim_cur, clients);
    }
}

static int build_path(struct bench *b, const char *race_id)
{
    char out[1024];
    const char *ph = strstr(b->path, "{id}");
    int n;
    if (ph)
        n = snprintf(out, sizeof out, "%.*s%s%s", (int)(ph - b->path), b->path, race_id, ph + 4);
    else if (strcmp(b->path, "/") == 0)
        n = snprintf(out, sizeof out, "/api/race/%s/stream", race_id);
    else
        return 0; /* the URL names its stream already */
    if (n < 0 || (size_t)n >= sizeof out)
        return -E2BIG;
    memcpy(b->path, out, (size_t)n + 1);
    return 0;
}

static void *worker_main(void *arg)
{
    struct bench *w = arg;
    uv_run(w->loop, UV_RUN_DEFAULT);
    uv_loop_close(w->loop);
    return NULL;
}

static void bench_merge(struct bench *into, const struct bench *w)
{
    into->connected += w->connected;
    into->failed += w->failed;
    into->disconnected += w->disconnected;
    into->ended += w->ended;
    into->connect_errors += w->connect_errors;
    for (int i = 0; i < 6; i++)
        into->status_counts[i] += w->status_counts[i];
    into->events += w->events;
    into->positions += w->positions;
    into->commentary += w->commentary;
    into->pings += w->pings;
    into->lost += w->lost;
    into->duplicates += w->duplicates;
    into->bad_ids += w->bad_ids;
    into->bytes += w->bytes;
    into->parse_errors += w->parse_errors;
    into->compressed += w->compressed;
    into->inflate_errors += w->inflate_errors;
    into->plain_bytes += w->plain_bytes;
    into->started += w->started;
    into->steady_client_s += w->steady_client_s;
    struct hist *const dst[2] = {into->all, into->steady};
    const struct hist *const src[2] = {w->all, w->steady};
    for (int k = 0; k < 2; k++) {
        dst[k]->n += src[k]->n;
        dst[k]->overflow += src[k]->overflow;
        dst[k]->sum += src[k]->sum;
        if (src[k]->max > dst[k]->max)
            dst[k]->max = src[k]->max;
        for (int ms = 0; ms <= HIST_MAX_MS; ms++)
            dst[k]->counts[ms] += src[k]->counts[ms];
    }
}

int main(int argc, char **argv)
{
    int rc = 1;
    int nw = 0;
    struct bench **workers = NULL;
    struct bench *b = calloc(1, sizeof *b);
    if (!b)
        return 1;
    if (parse_args(argc, argv, &b->opt) < 0) {
        usage(stderr);
        goto out;
    }
    if (parse_url(b, b->opt.url) < 0) {
        fprintf(stderr, "sse_load: bad --url (want http://IPv4:PORT/path)\n");
        goto out;
    }
    raise_nofile(b->opt.clients);
    if (b->opt.start_race) {
        char body[512], race_id[128];
        snprintf(body, sizeof body, "{\"driver_name\":\"%s\",\"duration_s\":%d,\"tick_hz\":%d}",
                 b->opt.driver, b->opt.race_duration_s, b->opt.tick_hz);
        int e = start_race(&b->addr, b->host, body, race_id, sizeof race_id);
        if (e < 0) {
            fprintf(stderr, "sse_load: could not start a race: %s\n", strerror(-e));
            goto out;
        }
        if (build_path(b, race_id) < 0)
            goto out;
        fprintf(stderr, "sse_load: started race %s\n", race_id);
    }
    int n = snprintf(b->request, sizeof b->request,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n"
                     "Cache-Control: no-cache\r\n%s\r\n",
                     b->path, b->host, b->opt.gzip ? "Accept-Encoding: gzip\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof b->request)
        goto out;
    b->request_len = (size_t)n;
    b->total_clients = b->opt.clients;
    b->t0_ms = wall_ms();
    b->server_cpu0 = b->opt.server_pid > 0 ? proc_cpu_s(b->opt.server_pid) : -1;
    b->own_cpu0 = proc_cpu_s(0);
    nw = b->opt.workers;
    workers = calloc((size_t)nw, sizeof *workers);
    if (!workers)
        goto out;
    for (int i = 0; i < nw; i++) {
        struct bench *w = calloc(1, sizeof *w);
        if (!w)
            goto out;
        workers[i] = w;
        memcpy(w, b, sizeof *w);
        w->index = i;
        w->opt.clients = b->opt.clients / nw + (i < b->opt.clients % nw ? 1 : 0);
        w->opt.ramp_per_sec = b->opt.ramp_per_sec > 0 ? (b->opt.ramp_per_sec + nw - 1) / nw : 0;
        w->all = calloc(1, sizeof *w->all);
        w->steady = calloc(1, sizeof *w->steady);
        w->clients = calloc((size_t)w->opt.clients, sizeof *w->clients);
        if (!w->all || !w->steady || !w->clients || uv_loop_init(&w->own_loop) != 0)
            goto out;
        w->loop = &w->own_loop;
        uv_timer_t *timers[] = {&w->ramp_timer, &w->sample_timer, &w->end_timer,
                                &w->progress_timer};
        for (size_t t = 0; t < 4; t++) {
            uv_timer_init(w->loop, timers[t]);
            timers[t]->data = w;
        }
        uv_timer_start(&w->ramp_timer, ramp_tick, 0, 10);
        if (i == 0) {
            uv_timer_start(&w->sample_timer, sample_tick, 0, 500);
            uv_timer_start(&w->progress_timer, progress_tick, 5000, 5000);
        }
        uv_timer_start(&w->end_timer, end_tick, (uint64_t)(b->opt.duration_s * 1000), 0);
    }
    for (int i = 0; i < nw; i++) {
        if (pthread_create(&workers[i]->thread, NULL, worker_main, workers[i]) != 0) {
            fprintf(stderr, "sse_load: cannot start worker thread %d\n", i);
            for (int j = 0; j < i; j++) /* they stop at their end timer */
                pthread_join(workers[j]->thread, NULL);
            goto out;
        }
    }
    for (int i = 0; i < nw; i++)
        pthread_join(workers[i]->thread, NULL);
    /* Sum every worker into worker 0's counters (it holds the server samples). */
    struct bench *sum = workers[0];
    for (int i = 1; i < nw; i++)
        bench_merge(sum, workers[i]);
    report(sum);
    rc = 0;
    {
        struct bench *t = sum;
        const struct hist *h = t->steady->n ? t->steady : t->all;
        if (t->opt.target_p99_ms > 0 &&
            (h->n == 0 || hist_quantile(h, 0.99) >= t->opt.target_p99_ms || t->lost > 0 ||
             t->connected < (uint64_t)t->total_clients)) {
            fprintf(stdout,
                    "TARGET MISSED: p99 %" PRId64 " ms (target < %d), lost %" PRIu64
                    ", connected %" PRIu64 "/%d\n",
                    hist_quantile(h, 0.99), t->opt.target_p99_ms, t->lost, t->connected,
                    t->total_clients);
            rc = 2;
        }
        if (t->opt.target_rss_mb > 0 && t->rss_kb_max > (long)t->opt.target_rss_mb * 1024) {
            fprintf(stdout, "TARGET MISSED: server RSS max %ld kB (target < %d MB)\n",
                    t->rss_kb_max, t->opt.target_rss_mb);
            rc = 2;
        }
    }
out:
    for (int i = 0; workers && i < nw; i++) {
        struct bench *w = workers[i];
        if (!w)
            continue;
        for (int c = 0; w->clients && c < w->opt.clients; c++)
            sse_parser_free(&w->clients[c].parser);
        free(w->clients);
        free(w->all);
        free(w->steady);
        free(w);
    }
    free(workers);
    free(b);
    return rc;
}
