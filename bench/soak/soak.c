/* soak — churn against a running pitwall for minutes, sampling its memory every second.
 *
 * Races: RACES run at once, each RACE_S long; when one ends another starts. Clients: a
 * fixed population (CLIENTS) that connect, act, leave, think a moment and come back, each
 * with one behaviour:
 *   keeper      a race's combined stream read to its end; checks that R in "id: R-C"
 *               advances by exactly one per race event (commentary keeps R): a gap is a
 *               lost event, a step back a duplicate. Then the next race.
 *   legacy      /api/positions/stream?race_id= read to its end.
 *   staller     a race stream read for 2-5 s, then not read for 20-40 s, then gone.
 *   pipeliner   200 pipelined GETs; half read every answer, half never read and leave
 *               after 10-20 s.
 *   slow        a request sent a byte every 300 ms (the server answers 408).
 *   poller      one GET (health, races, a race's status) and gone.
 * Every second it reads the server's VmRSS from /proc. At the end: RSS per minute, the
 * slope after warm-up, the peak, and the clients' figures. Exit 2 when a target is missed
 * (events lost by keepers, peak over --rss-budget-mb, slope over --max-slope-mb-min). */
#include "proc_rss.h"
#include "sse_parse.h"
#include "start_race.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#define MAX_RACES 64
#define HEAD_MAX 8192

enum behaviour { B_KEEPER, B_LEGACY, B_STALLER, B_PIPELINER, B_SLOW, B_POLLER, B_COUNT };
static const char *const behaviour_names[B_COUNT] = {"keeper",    "legacy", "staller",
                                                     "pipeliner", "slow",   "poller"};
/* Shares of the population, in percent (sum 100). */
static const int behaviour_share[B_COUNT] = {55, 10, 10, 8, 7, 10};

struct soak;

struct client {
    struct soak *s;
    enum behaviour b;
    uv_tcp_t tcp;
    uv_connect_t connect_req;
    uv_write_t write_req;
    uv_timer_t timer;
    bool open;      /* tcp initialised, not closed */
    bool reading;
    bool no_read;   /* pipeliner that never reads */
    char req[512];
    size_t req_len, slow_sent;
    char head[HEAD_MAX];
    size_t head_len;
    bool in_body;
    struct sse_parser parser;
    bool have_r, ended;
    uint64_t last_r;
    unsigned rng;
};

struct race {
    char id[64];
    uint64_t started_ms;
};

struct counts {
    uint64_t sessions[B_COUNT];
    uint64_t events, lost, duplicates, ends, early_closes, connect_failures;
    uint64_t answers, refused_408, races_started, race_start_failures;
};

struct soak {
    uv_loop_t *loop;
    struct sockaddr_in addr;
    int server_pid;
    int clients, races_wanted, race_s, tick_hz, minutes, warmup_s;
    double rss_budget_mb, max_slope_mb_min;
    struct client *c;
    struct race races[MAX_RACES];
    int n_races;
    uint64_t start_ms, end_ms;
    long *rss_kb; /* one sample a second */
    int n_rss, cap_rss;
    uv_timer_t tick;
    struct counts k;
    bool stopping;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static unsigned rnd(struct client *c, unsigned n)
{
    return n ? (unsigned)rand_r(&c->rng) % n : 0;
}

/* --- races -------------------------------------------------------------------------- */

static void keep_races(struct soak *s)
{
    uint64_t now = now_ms();
    /* A race is over RACE_S after its start (plus the end grace); forget it then. */
    for (int i = 0; i < s->n_races;) {
        if (now - s->races[i].started_ms > (uint64_t)s->race_s * 1000 + 6000)
            s->races[i] = s->races[--s->n_races];
        else
            i++;
    }
    while (s->n_races < s->races_wanted && !s->stopping) {
        char body[256], id[64];
        snprintf(body, sizeof body,
                 "{\"driver_name\":\"Lando Norris\",\"duration_s\":%d,\"tick_hz\":%d}", s->race_s,
                 s->tick_hz);
        if (start_race(&s->addr, "127.0.0.1", body, id, sizeof id) != 0) {
            s->k.race_start_failures++;
            return;
        }
        s->k.races_started++;
        snprintf(s->races[s->n_races].id, sizeof s->races[0].id, "%s", id);
        s->races[s->n_races++].started_ms = now_ms();
    }
}

/* A race with at least 5 s left, or any. */
static const char *pick_race(struct client *c)
{
    struct soak *s = c->s;
    if (s->n_races == 0)
        return NULL;
    return s->races[rnd(c, (unsigned)s->n_races)].id;
}

/* --- clients ------------------------------------------------------------------------ */

static void client_start(uv_timer_t *t);

static void client_closed(uv_handle_t *h)
{
    struct client *c = h->data;
    sse_parser_free(&c->parser);
    if (!c->s->stopping)
        uv_timer_start(&c->timer, client_start, 500 + rnd(c, 2500), 0);
}

static void client_close(struct client *c)
{
    if (!c->open)
        return;
    c->open = false;
    c->reading = false;
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->tcp, client_closed);
}

static void on_close_timer(uv_timer_t *t)
{
    client_close(t->data);
}

static void on_event(void *ctx, const struct sse_event *ev)
{
    struct client *c = ctx;
    struct soak *s = c->s;
    if (!ev->has_id || !ev->id_ok) {
        if (strcmp(ev->event, "end") == 0 || strcmp(ev->type, "end") == 0)
            c->ended = true;
        return;
    }
    s->k.events++;
    bool commentary = strcmp(ev->event, "commentary") == 0;
    bool snapshot = strcmp(ev->event, "snapshot") == 0;
    if (c->b == B_KEEPER && c->have_r && !snapshot) {
        uint64_t expect = c->last_r + (commentary ? 0 : 1);
        if (ev->r > expect)
            s->k.lost += ev->r - expect;
        else if (ev->r < expect)
            s->k.duplicates++;
    }
    c->last_r = ev->r;
    c->have_r = true;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    static char slab[256 * 1024]; /* one loop thread: each read is used before the next */
    (void)h;
    (void)suggested;
    *buf = uv_buf_init(slab, sizeof slab);
}

static void count_answers(struct client *c, const char *p, size_t n)
{
    for (size_t i = 0; i + 12 <= n; i++) {
        if (memcmp(p + i, "HTTP/1.1 ", 9) == 0) {
            c->s->k.answers++;
            if (memcmp(p + i + 9, "408", 3) == 0)
                c->s->k.refused_408++;
        }
    }
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    struct client *c = st->data;
    if (nread < 0) {
        if ((c->b == B_KEEPER || c->b == B_LEGACY) && !c->ended && c->in_body)
            c->s->k.early_closes++;
        if (c->ended)
            c->s->k.ends++;
        client_close(c);
        return;
    }
    const char *p = buf->base;
    size_t n = (size_t)nread;
    if (c->b != B_KEEPER && c->b != B_LEGACY && c->b != B_STALLER) {
        count_answers(c, p, n);
        return;
    }
    if (!c->in_body) {
        size_t take = n < HEAD_MAX - 1 - c->head_len ? n : HEAD_MAX - 1 - c->head_len;
        memcpy(c->head + c->head_len, p, take);
        c->head_len += take;
        c->head[c->head_len] = '\0';
        char *end = strstr(c->head, "\r\n\r\n");
        if (!end) {
            if (c->head_len >= HEAD_MAX - 1)
                client_close(c);
            return;
        }
        c->in_body = true;
        if (strncmp(c->head, "HTTP/1.1 200", 12) != 0) {
            client_close(c); /* the race was over (204) or gone (404): next one */
            return;
        }
        size_t head = (size_t)(end + 4 - c->head);
        size_t used = head - (c->head_len - take);
        p += used;
        n -= used;
    }
    if (sse_parser_feed(&c->parser, p, n) < 0)
        client_close(c);
}

static void on_stall(uv_timer_t *t)
{
    struct client *c = t->data;
    /* Stop reading: the server must evict it at its queue bound. Then leave. */
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_timer_start(&c->timer, on_close_timer, 20000 + rnd(c, 20000), 0);
}

static void on_written(uv_write_t *w, int status)
{
    struct client *c = w->data;
    if (status < 0)
        client_close(c);
}

static void send_bytes(struct client *c, const char *p, size_t n)
{
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
    c->write_req.data = c;
    if (uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0)
        client_close(c);
}

static void on_slow_byte(uv_timer_t *t)
{
    struct client *c = t->data;
    if (!c->open)
        return;
    if (c->slow_sent < c->req_len) {
        send_bytes(c, c->req + c->slow_sent, 1);
        c->slow_sent++;
    }
    uv_timer_start(&c->timer, on_slow_byte, 300, 0);
}

static const char pipelined_one[] = "GET /api/drivers HTTP/1.1\r\nHost: soak\r\n\r\n";
static char pipelined[200 * (sizeof pipelined_one - 1)];

static void on_connect(uv_connect_t *req, int status)
{
    struct client *c = req->data;
    struct soak *s = c->s;
    if (status < 0) {
        s->k.connect_failures++;
        client_close(c);
        return;
    }
    s->k.sessions[c->b]++;
    if (!c->no_read) {
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
        c->reading = true;
    }
    switch (c->b) {
    case B_SLOW:
        c->slow_sent = 0;
        uv_timer_start(&c->timer, on_slow_byte, 0, 0);
        /* the server's 408 (after its request timeout) closes it */
        break;
    case B_PIPELINER:
        send_bytes(c, pipelined, sizeof pipelined);
        if (c->no_read)
            uv_timer_start(&c->timer, on_close_timer, 10000 + rnd(c, 10000), 0);
        else
            uv_timer_start(&c->timer, on_close_timer, 30000, 0);
        break;
    case B_STALLER:
        send_bytes(c, c->req, c->req_len);
        uv_timer_start(&c->timer, on_stall, 2000 + rnd(c, 3000), 0);
        break;
    default:
        send_bytes(c, c->req, c->req_len);
        break;
    }
}

static void client_start(uv_timer_t *t)
{
    struct client *c = t->data;
    struct soak *s = c->s;
    if (s->stopping)
        return;
    const char *race = pick_race(c);
    c->head_len = 0;
    c->in_body = false;
    c->have_r = c->ended = false;
    c->no_read = false;
    sse_parser_init(&c->parser, 8 * 1024 * 1024, on_event, c);
    switch (c->b) {
    case B_KEEPER:
    case B_STALLER:
        if (!race)
            goto later;
        c->req_len = (size_t)snprintf(c->req, sizeof c->req,
                                      "GET /api/race/%s/stream HTTP/1.1\r\nHost: soak\r\n"
                                      "Accept: text/event-stream\r\n\r\n", race);
        break;
    case B_LEGACY:
        if (!race)
            goto later;
        c->req_len = (size_t)snprintf(c->req, sizeof c->req,
                                      "GET /api/positions/stream?race_id=%s HTTP/1.1\r\n"
                                      "Host: soak\r\n\r\n", race);
        break;
    case B_PIPELINER:
        c->no_read = rnd(c, 2) == 0;
        break;
    case B_SLOW:
        c->req_len = (size_t)snprintf(c->req, sizeof c->req,
                                      "GET /api/health HTTP/1.1\r\nHost: soak\r\nX-Pad: "
                                      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n");
        break;
    case B_POLLER: {
        unsigned which = rnd(c, 3);
        if (which == 2 && race)
            c->req_len = (size_t)snprintf(c->req, sizeof c->req,
                                          "GET /api/race/%s/status HTTP/1.1\r\nHost: soak\r\n"
                                          "Connection: close\r\n\r\n", race);
        else
            c->req_len = (size_t)snprintf(c->req, sizeof c->req,
                                          "GET %s HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n",
                                          which ? "/api/races" : "/api/health");
        break;
    }
    default:
        break;
    }
    uv_tcp_init(s->loop, &c->tcp);
    c->tcp.data = c;
    c->open = true;
    c->connect_req.data = c;
    if (uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&s->addr, on_connect) < 0) {
        s->k.connect_failures++;
        client_close(c);
    }
    return;
later:
    sse_parser_free(&c->parser);
    uv_timer_start(&c->timer, client_start, 1000, 0);
}

/* --- the run -------------------------------------------------------------------------- */

static void on_tick(uv_timer_t *t)
{
    struct soak *s = t->data;
    long kb = proc_rss_kb(s->server_pid);
    if (kb < 0) {
        fprintf(stderr, "soak: the server (pid %d) is gone\n", s->server_pid);
        exit(1);
    }
    if (s->n_rss == s->cap_rss) {
        s->cap_rss = s->cap_rss ? s->cap_rss * 2 : 1024;
        s->rss_kb = realloc(s->rss_kb, (size_t)s->cap_rss * sizeof *s->rss_kb);
        if (!s->rss_kb)
            exit(1);
    }
    s->rss_kb[s->n_rss++] = kb;
    keep_races(s);
    if (s->n_rss % 60 == 0)
        fprintf(stderr, "soak: %d min, RSS %.1f MB, %d races running, %" PRIu64 " events, %" PRIu64
                " lost\n", s->n_rss / 60, kb / 1024.0, s->n_races, s->k.events, s->k.lost);
    if (now_ms() >= s->end_ms) {
        s->stopping = true;
        uv_timer_stop(t);
        for (int i = 0; i < s->clients; i++) {
            uv_timer_stop(&s->c[i].timer);
            client_close(&s->c[i]);
            uv_close((uv_handle_t *)&s->c[i].timer, NULL);
        }
        uv_close((uv_handle_t *)t, NULL);
    }
}

/* Least-squares slope of samples [from, to) in KB per minute. */
static double slope_kb_min(const long *v, int from, int to)
{
    double n = to - from, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = from; i < to; i++) {
        sx += i;
        sy += (double)v[i];
        sxx += (double)i * i;
        sxy += (double)i * (double)v[i];
    }
    double d = n * sxx - sx * sx;
    return d == 0 ? 0 : (n * sxy - sx * sy) / d * 60.0;
}

static int report(const struct soak *s)
{
    printf("RSS per minute (MB, min / mean / max of the 60 samples):\n");
    long peak = 0;
    for (int m = 0; m * 60 < s->n_rss; m++) {
        long lo = -1, hi = 0;
        double sum = 0;
        int n = 0;
        for (int i = m * 60; i < (m + 1) * 60 && i < s->n_rss; i++, n++) {
            long v = s->rss_kb[i];
            lo = lo < 0 || v < lo ? v : lo;
            hi = v > hi ? v : hi;
            sum += (double)v;
        }
        peak = hi > peak ? hi : peak;
        printf("  minute %2d: %6.1f / %6.1f / %6.1f\n", m + 1, lo / 1024.0, sum / n / 1024.0,
               hi / 1024.0);
    }
    int from = s->warmup_s < s->n_rss ? s->warmup_s : 0;
    double slope = slope_kb_min(s->rss_kb, from, s->n_rss) / 1024.0;
    printf("RSS after the %d s warm-up: slope %+.2f MB/min (target below %.1f); peak %.1f MB "
           "(budget %.0f MB)\n",
           s->warmup_s, slope, s->max_slope_mb_min, peak / 1024.0, s->rss_budget_mb);
    printf("client sessions:");
    for (int b = 0; b < B_COUNT; b++)
        printf(" %s %" PRIu64, behaviour_names[b], s->k.sessions[b]);
    printf("\nraces started %" PRIu64 " (failed starts %" PRIu64 "); stream events %" PRIu64
           ", keepers: lost %" PRIu64 ", duplicates %" PRIu64 ", streams read to their end %" PRIu64
           ", closed early %" PRIu64 "; answers %" PRIu64 " (408: %" PRIu64 "); connect failures %" PRIu64
           "\n",
           s->k.races_started, s->k.race_start_failures, s->k.events, s->k.lost, s->k.duplicates,
           s->k.ends, s->k.early_closes, s->k.answers, s->k.refused_408, s->k.connect_failures);
    int rc = 0;
    if (s->k.lost > 0 || s->k.duplicates > 0) {
        printf("TARGET MISSED: keepers lost %" PRIu64 " events, %" PRIu64 " duplicates\n", s->k.lost,
               s->k.duplicates);
        rc = 2;
    }
    if (peak / 1024.0 > s->rss_budget_mb || slope > s->max_slope_mb_min) {
        printf("TARGET MISSED: RSS peak %.1f MB (budget %.0f), slope %+.2f MB/min (target below %.1f)\n",
               peak / 1024.0, s->rss_budget_mb, slope, s->max_slope_mb_min);
        rc = 2;
    }
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: soak --port P --server-pid PID [--minutes 10] [--clients 1000] "
                    "[--races 6] [--race-s 45] [--tick-hz 5] [--warmup-s 60] "
                    "[--rss-budget-mb 256] [--max-slope-mb-min 1]\n");
}

int main(int argc, char **argv)
{
    struct soak s = {.clients = 1000, .races_wanted = 6, .race_s = 45, .tick_hz = 5, .minutes = 10,
                     .warmup_s = 60, .rss_budget_mb = 256, .max_slope_mb_min = 1};
    int port = 0;
    static const struct option opts[] = {
        {"port", required_argument, 0, 'p'},       {"server-pid", required_argument, 0, 'P'},
        {"minutes", required_argument, 0, 'm'},    {"clients", required_argument, 0, 'c'},
        {"races", required_argument, 0, 'r'},      {"race-s", required_argument, 0, 'd'},
        {"tick-hz", required_argument, 0, 't'},    {"warmup-s", required_argument, 0, 'w'},
        {"rss-budget-mb", required_argument, 0, 'b'}, {"max-slope-mb-min", required_argument, 0, 's'},
        {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'p': port = atoi(optarg); break;
        case 'P': s.server_pid = atoi(optarg); break;
        case 'm': s.minutes = atoi(optarg); break;
        case 'c': s.clients = atoi(optarg); break;
        case 'r': s.races_wanted = atoi(optarg); break;
        case 'd': s.race_s = atoi(optarg); break;
        case 't': s.tick_hz = atoi(optarg); break;
        case 'w': s.warmup_s = atoi(optarg); break;
        case 'b': s.rss_budget_mb = atof(optarg); break;
        case 's': s.max_slope_mb_min = atof(optarg); break;
        default: usage(); return 1;
        }
    }
    if (port <= 0 || s.server_pid <= 0 || s.clients <= 0 || s.minutes <= 0 ||
        s.races_wanted < 1 || s.races_wanted > MAX_RACES) {
        usage();
        return 1;
    }
    for (size_t i = 0; i < 200; i++)
        memcpy(pipelined + i * (sizeof pipelined_one - 1), pipelined_one, sizeof pipelined_one - 1);
    s.addr.sin_family = AF_INET;
    s.addr.sin_port = htons((uint16_t)port);
    s.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s.loop = uv_default_loop();
    s.c = calloc((size_t)s.clients, sizeof *s.c);
    if (!s.c)
        return 1;
    s.start_ms = now_ms();
    s.end_ms = s.start_ms + (uint64_t)s.minutes * 60000;
    keep_races(&s);
    /* The population by share; each starts within the first 10 s. */
    int next = 0;
    for (int b = 0; b < B_COUNT; b++) {
        int n = b == B_COUNT - 1 ? s.clients - next : s.clients * behaviour_share[b] / 100;
        for (int i = 0; i < n && next < s.clients; i++, next++) {
            struct client *c = &s.c[next];
            c->s = &s;
            c->b = (enum behaviour)b;
            c->rng = (unsigned)next * 2654435761u + 1;
            uv_timer_init(s.loop, &c->timer);
            c->timer.data = c;
            uv_timer_start(&c->timer, client_start, rnd(c, 10000), 0);
        }
    }
    uv_timer_init(s.loop, &s.tick);
    s.tick.data = &s;
    uv_timer_start(&s.tick, on_tick, 1000, 1000);
    printf("soak: %d min, %d clients, %d races at once (%d s, %d Hz), server pid %d\n", s.minutes,
           s.clients, s.races_wanted, s.race_s, s.tick_hz, s.server_pid);
    fflush(stdout);
    uv_run(s.loop, UV_RUN_DEFAULT);
    int rc = report(&s);
    free(s.rss_kb);
    free(s.c);
    return rc;
}
