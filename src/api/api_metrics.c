/* GET /metrics in the Prometheus text exposition format. */
#include "api/api_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define METRICS_MAX_BYTES (64 * 1024)

struct out {
    char *buf;
    size_t len, cap;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    if (o->len >= o->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len = o->len + (size_t)n < o->cap ? o->len + (size_t)n : o->cap;
}

static void metric(struct out *o, const char *name, const char *type, const char *help,
                   uint64_t value)
{
    put(o, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help, name, type, name, value);
}

void api_metrics(struct api *api, struct http_conn *conn)
{
    struct out o = {.buf = malloc(METRICS_MAX_BYTES), .cap = METRICS_MAX_BYTES};
    if (!o.buf) {
        http_respond_error(conn, 500, "out of memory");
        return;
    }
    struct hub_stats hs;
    hub_get_stats(api->d.hub, &hs);
    static const char *const stream_names[] = {"positions", "commentary", "race"};
    put(&o, "# HELP pitwall_sse_clients SSE clients connected, by stream.\n"
            "# TYPE pitwall_sse_clients gauge\n");
    for (int s = 0; s < HUB_STREAM_COUNT; s++)
        put(&o, "pitwall_sse_clients{stream=\"%s\"} %" PRIu64 "\n", stream_names[s],
            hs.clients[s]);
    metric(&o, "pitwall_events_published_total", "counter", "Race and commentary events received by the hub.", hs.events_received);
    metric(&o, "pitwall_events_duplicate_total", "counter", "Events dropped as already seen.", hs.events_duplicate);
    metric(&o, "pitwall_events_late_total", "counter", "Events dropped as arriving after their race ended.", hs.events_late);
    metric(&o, "pitwall_race_ends_unmarked_total", "counter", "Races whose end frame went out when hub.commentary_wait_s ran out, without the commentary engine's done marker.", hs.ends_unmarked);
    metric(&o, "pitwall_events_unknown_race_total", "counter", "Events dropped for a race never announced.", hs.events_unknown_race);
    metric(&o, "pitwall_encode_failures_total", "counter", "Events that could not be encoded.", hs.encode_failures);
    metric(&o, "pitwall_frames_sent_total", "counter", "SSE frames queued to clients.", hs.frames_sent);
    metric(&o, "pitwall_resumes_total", "counter", "Streams resumed with Last-Event-ID.", hs.resumes);
    metric(&o, "pitwall_resumes_gap_total", "counter", "Resumes older than the event log window.", hs.resumes_gap);
    metric(&o, "pitwall_resumes_snapshot_total", "counter", "Resumes answered with a snapshot, smaller than the missed frames.", hs.resumes_snapshot);
    metric(&o, "pitwall_sse_clients_compressed_total", "counter", "Streams answered gzip or deflate.", hs.clients_compressed);
    metric(&o, "pitwall_resumes_catchup_total", "counter", "Resumes answered with the newest positions in full instead of the missed deltas.", hs.resumes_catchup);
    metric(&o, "pitwall_races_running", "gauge", "Races in progress.", (uint64_t)hs.races_running);
    metric(&o, "pitwall_races_in_memory", "gauge", "Races held in memory with their event log.", (uint64_t)hs.races_in_memory);
    metric(&o, "pitwall_event_log_bytes", "gauge", "Bytes held by every race's event log.", hs.log_bytes);
    metric(&o, "pitwall_event_log_budget_bytes", "gauge", "hub.log_budget_mb in bytes (0: none).", (uint64_t)hs.log_budget_bytes);
    metric(&o, "pitwall_event_log_budget_evictions_total", "counter", "Finished races let go of to stay within the budget.", hs.log_budget_evictions);
    metric(&o, "pitwall_event_log_budget_trims_total", "counter", "Running races' logs shortened to stay within the budget.", hs.log_budget_trims);
    if (api->d.server) {
        struct http_server_stats st;
        http_server_get_stats(api->d.server, &st);
        metric(&o, "pitwall_http_connections_open", "gauge", "Open HTTP connections.", st.connections_open);
        metric(&o, "pitwall_http_connections_total", "counter", "HTTP connections accepted.", st.connections_total);
        metric(&o, "pitwall_http_max_connections", "gauge", "The connection cap in force (below the descriptor limit).", (uint64_t)http_server_max_connections(api->d.server));
        metric(&o, "pitwall_http_connections_rejected_total", "counter", "Connections refused over the cap.", st.connections_rejected);
        metric(&o, "pitwall_clients_evicted_total", "counter", "Stream clients disconnected for falling behind.", st.streams_evicted);
        metric(&o, "pitwall_http_reads_paused_total", "counter", "Times a connection's unread answers passed server.output_queue_kb.", st.reads_paused);
        metric(&o, "pitwall_http_send_timeouts_total", "counter", "Connections closed for not reading their answers.", st.send_timeouts);
        metric(&o, "pitwall_http_bytes_sent_total", "counter", "Bytes written to clients.", st.bytes_sent);
        put(&o, "# HELP pitwall_http_responses_total HTTP responses by status.\n"
                "# TYPE pitwall_http_responses_total counter\n");
        for (int c = 1; c <= 5; c++)
            put(&o, "pitwall_http_responses_total{class=\"%dxx\"} %" PRIu64 "\n", c,
                st.responses_by_status[c]);
        const struct {
            int code;
            uint64_t n;
        } codes[] = {{400, st.status_400}, {404, st.status_404}, {405, st.status_405},
                     {408, st.status_408}, {413, st.status_413}, {414, st.status_414},
                     {422, st.status_422}, {429, st.status_429}, {431, st.status_431},
                     {503, st.status_503}};
        for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
            put(&o, "pitwall_http_responses_total{code=\"%d\"} %" PRIu64 "\n", codes[i].code,
                codes[i].n);
    }
    for (int i = 0; i < api->d.n_metrics; i++) {
        int n = api->d.metrics[i].fn(api->d.metrics[i].ctx, o.buf + o.len, o.cap - o.len);
        if (n > 0)
            o.len += (size_t)n;
    }
    http_respond(conn, 200, "text/plain; version=0.0.4; charset=utf-8", "", o.buf, o.len);
    free(o.buf);
}
