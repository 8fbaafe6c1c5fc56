/* hub.c — the hub as a whole: its configuration defaults, creation (the bus subscription and
 * the timers) and destruction, the pings that keep idle streams open, its statistics, and
 * the goodbye every client gets at shutdown. The work itself is in the files named in
 * hub_internal.h. */
#include "hub/hub.h"

#include "hub/hub_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PING_FRAME "data: {\"type\":\"ping\"}\n\n"

void hub_config_defaults(struct hub_config *cfg)
{
    *cfg = (struct hub_config){
        .log_max_bytes = 32u << 20,
        .finished_races_kept = 16,
        .ping_interval_ms = 10000,
        .recent_commentary = 50,
        .end_grace_ms = 5000,
        .commentary_wait_ms = 30000,
        .start_timeout_ms = 30000,
        .retired_kept = 4096,
        .compress_level = 6,
        .log_budget_bytes = (size_t)256 << 20,
    };
}

static void ping_list(struct hub *hub, struct client_list *list, uint64_t now)
{
    struct hub_client *next;
    for (struct hub_client *cl = list->head; cl; cl = next) {
        next = cl->next;
        if (now - cl->last_write >= hub->cfg.ping_interval_ms)
            client_send(cl, hub->ping);
    }
}

/* Every half ping interval: a start nobody answered fails, idle streams get a ping. */
static void on_ping_timer(uv_timer_t *t)
{
    struct hub *hub = t->data;
    uint64_t now = uv_now(hub->loop);
    hub_fail_unanswered(hub, now);
    for (int s = 0; s < HUB_STREAM_COUNT; s++) {
        ping_list(hub, &hub->all_races[s], now);
        for (struct hub_race *race = hub->races; race; race = race->next)
            ping_list(hub, &race->clients[s], now);
    }
}

void hub_get_stats(const struct hub *hub, struct hub_stats *out)
{
    *out = hub->stats;
    out->races_running = 0;
    out->log_budget_bytes = hub->cfg.log_budget_bytes;
    out->races_in_memory = 0;
    for (const struct hub_race *race = hub->races; race; race = race->next) {
        out->races_in_memory++;
        out->races_running += race->status == HUB_RACE_IN_PROGRESS;
    }
}

void hub_say_goodbye(struct hub *hub)
{
    const char *legacy = "data: {\"type\":\"end\",\"data\":{\"status\":\"shutdown\"}}\n\n";
    const char *combined = "event: end\ndata: {\"type\":\"end\",\"status\":\"shutdown\"}\n\n";
    struct pw_buf *lb = pw_buf_new(legacy, strlen(legacy));
    struct pw_buf *cb = pw_buf_new(combined, strlen(combined));
    for (int s = 0; s < HUB_STREAM_COUNT; s++) {
        struct pw_buf *b = s == HUB_STREAM_RACE ? cb : lb;
        send_last_to_list(&hub->all_races[s], b);
        for (struct hub_race *race = hub->races; race; race = race->next) {
            if (!race->end_sent)
                send_last_to_list(&race->clients[s], b);
        }
    }
    pw_buf_unref(lb);
    pw_buf_unref(cb);
}

int hub_create(uv_loop_t *loop, struct pw_bus *bus, const struct hub_config *cfg,
               const struct pw_log *log, hub_race_end_fn on_end, void *end_ctx,
               struct hub **out)
{
    int rc = -ENOMEM;
    struct hub *hub = calloc(1, sizeof *hub);
    if (!hub)
        goto fail;
    hub->loop = loop;
    hub->bus = bus;
    hub->cfg = *cfg;
    hub->log = log;
    hub->on_end = on_end;
    hub->end_ctx = end_ctx;
    hub->ping = pw_buf_new(PING_FRAME, sizeof PING_FRAME - 1);
    rc = hub_packer_create(cfg->compress_level, &hub->packer);
    if (rc < 0)
        goto fail;
    rc = -ENOMEM;
    hub->ping_timer = calloc(1, sizeof *hub->ping_timer);
    hub->end_timer = calloc(1, sizeof *hub->end_timer);
    if (!hub->ping || !hub->ping_timer || !hub->end_timer ||
        race_registry_init(&hub->retired, cfg->retired_kept > 0 ? (size_t)cfg->retired_kept
                                                                 : 0) < 0)
        goto fail;
    rc = pw_bus_subscribe_events(bus, PW_BUS_ALL, hub_on_bus_event, hub);
    if (rc < 0)
        goto fail;
    uv_timer_init(loop, hub->ping_timer);
    hub->ping_timer->data = hub;
    uv_timer_init(loop, hub->end_timer);
    hub->end_timer->data = hub;
    uint64_t every = cfg->ping_interval_ms / 2 ? cfg->ping_interval_ms / 2 : 1;
    uv_timer_start(hub->ping_timer, on_ping_timer, every, every);
    *out = hub;
    return 0;
fail:
    if (hub) {
        pw_buf_unref(hub->ping);
        hub_packer_destroy(hub->packer);
        free(hub->ping_timer);
        free(hub->end_timer);
        race_registry_free(&hub->retired);
    }
    free(hub);
    return rc;
}

void hub_destroy(struct hub *hub)
{
    if (!hub)
        return;
    uv_timer_stop(hub->ping_timer);
    uv_close((uv_handle_t *)hub->ping_timer, (uv_close_cb)free);
    uv_close((uv_handle_t *)hub->end_timer, (uv_close_cb)free);
    while (hub->races) {
        struct hub_race *race = hub->races;
        hub->races = race->next;
        hub_race_free(hub, race);
    }
    for (int s = 0; s < HUB_STREAM_COUNT; s++)
        close_list(&hub->all_races[s]);
    pw_buf_unref(hub->ping);
    race_registry_free(&hub->retired);
    hub_packer_destroy(hub->packer);
    free(hub);
}
