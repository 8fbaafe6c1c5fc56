#include "telemetry/anomalies.h"

#include "hub/encode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PING_MS 10000
#define PING_FRAME "data: {\"type\":\"ping\"}\n\n"

struct car_series {
    char number[PW_NUMBER_MAX];
    struct tel_series m[PW_METRIC_COUNT];
};

struct race_slot {
    char race_id[PW_RACE_ID_MAX];
    uint64_t fed; /* when last fed (frames counter), for eviction */
    int n_cars;
    struct car_series cars[PW_MAX_CARS];
    struct tel_anomaly last[ANOMALIES_PER_RACE]; /* ring */
    int n_last, head;
};

struct client {
    struct anomalies *an;
    struct http_conn *conn;
    char race_id[PW_RACE_ID_MAX];
    uint64_t last_write;
    struct client *prev, *next;
};

struct anomalies {
    uv_loop_t *loop;
    const struct pw_log *log;
    uv_timer_t *ping_timer; /* heap: closed asynchronously */
    struct pw_buf *ping;
    struct race_slot *races[ANOMALIES_MAX_RACES];
    struct tel_anomaly recent[ANOMALIES_RECENT]; /* ring, every race */
    int n_recent, recent_head;
    struct client *clients;
    anomalies_fn listener;
    void *listener_ctx;
    struct anomalies_stats stats;
};

/* --- races and detection ------------------------------------------------------------------ */

static struct race_slot *race_slot(struct anomalies *an, const char *race_id)
{
    int free_at = -1, oldest = 0;
    for (int i = 0; i < ANOMALIES_MAX_RACES; i++) {
        struct race_slot *r = an->races[i];
        if (!r) {
            if (free_at < 0)
                free_at = i;
            continue;
        }
        if (strcmp(r->race_id, race_id) == 0)
            return r;
        if (an->races[oldest] && r->fed < an->races[oldest]->fed)
            oldest = i;
    }
    int at = free_at >= 0 ? free_at : oldest;
    if (!an->races[at]) {
        an->races[at] = malloc(sizeof *an->races[at]);
        if (!an->races[at])
            return NULL;
    }
    struct race_slot *r = an->races[at];
    memset(r, 0, sizeof *r);
    snprintf(r->race_id, sizeof r->race_id, "%s", race_id);
    return r;
}

static struct car_series *car_series(struct race_slot *r, const char *number)
{
    for (int i = 0; i < r->n_cars; i++) {
        if (strcmp(r->cars[i].number, number) == 0)
            return &r->cars[i];
    }
    if (r->n_cars == PW_MAX_CARS)
        return NULL;
    struct car_series *c = &r->cars[r->n_cars++];
    memset(c, 0, sizeof *c);
    snprintf(c->number, sizeof c->number, "%s", number);
    return c;
}

static void client_send(struct client *cl, struct pw_buf *buf)
{
    if (!buf)
        return;
    /* A failed write closes the connection, whose callback unlinks the client. */
    if (http_stream_write(cl->conn, buf) == 0)
        cl->last_write = uv_now(cl->an->loop);
}

static struct pw_buf *anomaly_frame(const struct tel_anomaly *a)
{
    json_t *doc = json_pack("{s:s, s:o}", "type", "anomaly", "data", anomalies_to_json(a));
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(doc);
    if (!text)
        return NULL;
    size_t len = strlen(text) + sizeof "data: \n\n";
    struct pw_buf *buf = pw_buf_new(NULL, len);
    if (buf)
        buf->len = (size_t)snprintf(buf->data, len, "data: %s\n\n", text);
    free(text);
    return buf;
}

static bool client_wants(const struct client *cl, const struct tel_anomaly *a)
{
    return !cl->race_id[0] || strcmp(cl->race_id, a->race_id) == 0;
}

static void found(struct anomalies *an, struct race_slot *r, const struct tel_anomaly *a)
{
    r->last[r->head] = *a;
    r->head = (r->head + 1) % ANOMALIES_PER_RACE;
    if (r->n_last < ANOMALIES_PER_RACE)
        r->n_last++;
    an->recent[an->recent_head] = *a;
    an->recent_head = (an->recent_head + 1) % ANOMALIES_RECENT;
    if (an->n_recent < ANOMALIES_RECENT)
        an->n_recent++;
    an->stats.found[a->v.severity]++;
    struct pw_buf *frame = NULL;
    struct client *next;
    for (struct client *cl = an->clients; cl; cl = next) {
        next = cl->next;
        if (!client_wants(cl, a))
            continue;
        if (!frame && !(frame = anomaly_frame(a)))
            break;
        client_send(cl, frame);
    }
    pw_buf_unref(frame);
    if (an->listener)
        an->listener(an->listener_ctx, a);
}

void anomalies_ingest(void *ctx, const struct pw_telemetry *t)
{
    struct anomalies *an = ctx;
    if (!t->race_id[0])
        return;
    struct race_slot *r = race_slot(an, t->race_id);
    if (!r) {
        PW_WARN(an->log, "anomalies", "race %s: out of memory, telemetry dropped", t->race_id);
        return;
    }
    r->fed = ++an->stats.frames;
    for (int i = 0; i < t->n_cars && i < PW_MAX_CARS; i++) {
        const struct pw_telemetry_car *tc = &t->cars[i];
        struct car_series *cs = car_series(r, tc->driver.number);
        if (!cs)
            continue;
        for (int m = 0; m < PW_METRIC_COUNT; m++) {
            struct tel_anomaly a = {.driver = tc->driver,
                                    .metric = (enum pw_metric)m,
                                    .tenths = tc->tenths[m],
                                    .wall_ms = t->wall_ms,
                                    .race_ms = t->race_ms,
                                    .lap = t->lap};
            an->stats.readings++;
            tel_series_add(&cs->m[m], (enum pw_metric)m, tc->tenths[m], &a.v);
            if (!a.v.is_anomaly)
                continue;
            snprintf(a.race_id, sizeof a.race_id, "%s", t->race_id);
            found(an, r, &a);
        }
    }
}

void anomalies_set_listener(struct anomalies *an, anomalies_fn fn, void *ctx)
{
    an->listener = fn;
    an->listener_ctx = ctx;
}

/* --- JSON --------------------------------------------------------------------------------- */

static double round3(double x)
{
    return (double)(int64_t)(x * 1000.0 + (x < 0 ? -0.5 : 0.5)) / 1000.0;
}

json_t *anomalies_to_json(const struct tel_anomaly *a)
{
    char when[40];
    hub_encode_iso_time(a->wall_ms, when, sizeof when);
    return json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:b, s:s, s:s, s:s, s:i, s:I, s:f}",
                     "team_name", a->driver.team, "driver_name", a->driver.name, "timestamp", when,
                     "metric_name", pw_metric_name(a->metric), "metric_value", a->tenths / 10.0,
                     "confidence_score", round3(a->v.confidence), "is_anomaly", a->v.is_anomaly,
                     "severity", tel_severity_name(a->v.severity), "race_id", a->race_id,
                     "driver_number", a->driver.number, "lap", a->lap, "race_ms",
                     (json_int_t)a->race_ms, "z_score", round3(a->v.z));
}

/* Append ring entries oldest first. */
static void append_ring(json_t *arr, const struct tel_anomaly *ring, int cap, int n, int head,
                        int want)
{
    int skip = n > want ? n - want : 0;
    for (int i = skip; i < n; i++) {
        const struct tel_anomaly *a = &ring[(head - n + i + cap) % cap];
        json_array_append_new(arr, anomalies_to_json(a));
    }
}

json_t *anomalies_latest_json(const struct anomalies *an, const char *race_id)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    if (!race_id || !race_id[0]) {
        append_ring(arr, an->recent, ANOMALIES_RECENT, an->n_recent, an->recent_head,
                    ANOMALIES_RECENT);
    } else {
        for (int i = 0; i < ANOMALIES_MAX_RACES; i++) {
            const struct race_slot *r = an->races[i];
            if (r && strcmp(r->race_id, race_id) == 0)
                append_ring(arr, r->last, ANOMALIES_PER_RACE, r->n_last, r->head,
                            ANOMALIES_PER_RACE);
        }
    }
    return json_pack("{s:o}", "anomalies", arr);
}

/* --- streaming ---------------------------------------------------------------------------- */

static void on_client_close(void *owner, struct http_conn *conn)
{
    struct client *cl = owner;
    struct anomalies *an = cl->an;
    (void)conn;
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        an->clients = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    an->stats.clients--;
    free(cl);
}

int anomalies_subscribe(struct anomalies *an, struct http_conn *conn, const char *race_id)
{
    struct client *cl = calloc(1, sizeof *cl);
    if (!cl)
        return -ENOMEM;
    cl->an = an;
    cl->conn = conn;
    snprintf(cl->race_id, sizeof cl->race_id, "%s", race_id ? race_id : "");
    int rc = http_stream_begin(conn, "text/event-stream; charset=utf-8", "");
    if (rc != 0) {
        free(cl);
        return rc == HTTP_STREAM_HEAD ? 0 : rc; /* HEAD: the headers alone, no stream */
    }
    http_conn_set_owner(conn, cl, on_client_close);
    cl->next = an->clients;
    if (an->clients)
        an->clients->prev = cl;
    an->clients = cl;
    an->stats.clients++;
    /* The last ones first, oldest first, as the original does on connect. */
    const struct tel_anomaly *pick[ANOMALIES_RECENT];
    int n = 0;
    for (int i = 1; i <= an->n_recent && n < ANOMALIES_REPLAYED; i++) {
        const struct tel_anomaly *a =
            &an->recent[(an->recent_head - i + ANOMALIES_RECENT) % ANOMALIES_RECENT];
        if (client_wants(cl, a))
            pick[n++] = a;
    }
    for (int i = n - 1; i >= 0; i--) {
        struct pw_buf *frame = anomaly_frame(pick[i]);
        client_send(cl, frame);
        pw_buf_unref(frame);
    }
    if (n == 0)
        client_send(cl, an->ping);
    return 0;
}

static void on_ping(uv_timer_t *t)
{
    struct anomalies *an = t->data;
    uint64_t now = uv_now(an->loop);
    struct client *next;
    for (struct client *cl = an->clients; cl; cl = next) {
        next = cl->next;
        if (now - cl->last_write >= PING_MS)
            client_send(cl, an->ping);
    }
}

void anomalies_close_clients(struct anomalies *an)
{
    struct client *next;
    for (struct client *cl = an->clients; cl; cl = next) {
        next = cl->next;
        http_conn_close(cl->conn);
    }
}

/* --- lifecycle, stats --------------------------------------------------------------------- */

int anomalies_create(uv_loop_t *loop, const struct pw_log *log, struct anomalies **out)
{
    struct anomalies *an = calloc(1, sizeof *an);
    int rc = -ENOMEM;
    if (!an)
        return rc;
    an->loop = loop;
    an->log = log;
    an->ping = pw_buf_new(PING_FRAME, sizeof PING_FRAME - 1);
    an->ping_timer = calloc(1, sizeof *an->ping_timer);
    if (!an->ping || !an->ping_timer)
        goto fail;
    uv_timer_init(loop, an->ping_timer);
    an->ping_timer->data = an;
    uv_timer_start(an->ping_timer, on_ping, PING_MS / 2, PING_MS / 2);
    *out = an;
    return 0;
fail:
    pw_buf_unref(an->ping);
    free(an->ping_timer);
    free(an);
    return rc;
}

static void free_handle(uv_handle_t *h)
{
    free(h);
}

void anomalies_destroy(struct anomalies *an)
{
    if (!an)
        return;
    /* Clients still linked belong to connections the server closes; detach them. */
    struct client *next;
    for (struct client *cl = an->clients; cl; cl = next) {
        next = cl->next;
        http_conn_set_owner(cl->conn, NULL, NULL);
        free(cl);
    }
    uv_timer_stop(an->ping_timer);
    uv_close((uv_handle_t *)an->ping_timer, free_handle);
    pw_buf_unref(an->ping);
    for (int i = 0; i < ANOMALIES_MAX_RACES; i++)
        free(an->races[i]);
    free(an);
}

void anomalies_get_stats(const struct anomalies *an, struct anomalies_stats *out)
{
    *out = an->stats;
}

int anomalies_format_metrics(const void *ctx, char *buf, size_t len)
{
    const struct anomalies *an = ctx;
    const struct anomalies_stats *s = &an->stats;
    int n = snprintf(buf, len,
                     "# TYPE pitwall_telemetry_readings_total counter\n"
                     "pitwall_telemetry_readings_total %llu\n"
                     "# TYPE pitwall_anomalies_total counter\n",
                     (unsigned long long)s->readings);
    for (int sev = TEL_SEV_LOW; sev <= TEL_SEV_CRITICAL && n >= 0 && (size_t)n < len; sev++)
        n += snprintf(buf + n, len - (size_t)n, "pitwall_anomalies_total{severity=\"%s\"} %llu\n",
                      tel_severity_name((enum tel_severity)sev), (unsigned long long)s->found[sev]);
    if (n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, "pitwall_sse_clients{stream=\"anomalies\"} %llu\n",
                      (unsigned long long)s->clients);
    return n >= 0 && (size_t)n < len ? n : -ENOSPC;
}
