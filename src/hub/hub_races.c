/* hub_races.c — the hub's race records: finding, creating, freeing and letting go of them
 * (the newest first in hub->races), and how many finished ones stay in memory. */
#include "hub/hub_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hub_race *hub_find_race(const struct hub *hub, const char *race_id)
{
    if (!race_id || !race_id[0])
        return NULL;
    for (struct hub_race *r = hub->races; r; r = r->next) {
        if (strcmp(r->id, race_id) == 0)
            return r;
    }
    return NULL;
}

void hub_race_free(struct hub *hub, struct hub_race *race)
{
    for (int s = 0; s < HUB_STREAM_COUNT; s++)
        close_list(&race->clients[s]);
    hub->stats.log_bytes -= race->log.bytes;
    event_log_free(&race->log);
    json_decref(race->last_positions);
    json_decref(race->recent_comments);
    pw_buf_unref(race->snapshot);
    free(race);
}

/* Keep at most cfg.finished_races_kept finished races in memory; history has the rest.
 * A race let go of is remembered as such, so its late events cannot bring it back. */
void hub_trim_finished(struct hub *hub)
{
    int kept = 0;
    struct hub_race **link = &hub->races;
    while (*link) {
        struct hub_race *race = *link;
        if (race->end_sent && ++kept > hub->cfg.finished_races_kept) {
            hub_race_evict(hub, link);
            continue;
        }
        link = &race->next;
    }
}

void hub_race_evict(struct hub *hub, struct hub_race **link)
{
    struct hub_race *race = *link;
    *link = race->next;
    race_registry_add(&hub->retired, race->id);
    hub_race_free(hub, race);
}

struct hub_race *hub_race_create(struct hub *hub, const char *race_id)
{
    struct hub_race *race = calloc(1, sizeof *race);
    if (!race)
        return NULL;
    race->recent_comments = json_array();
    if (!race->recent_comments) {
        free(race);
        return NULL;
    }
    snprintf(race->id, sizeof race->id, "%s", race_id);
    event_log_init(&race->log, hub->cfg.log_max_bytes);
    race->order = ++hub->next_order;
    race->next = hub->races;
    hub->races = race;
    return race;
}

void hub_expect_race(struct hub *hub, const struct pw_race_meta *meta)
{
    struct hub_race *race = hub_find_race(hub, meta->race_id);
    if (!race)
        race = hub_race_create(hub, meta->race_id);
    if (race && !race->have_meta) {
        race->meta = *meta;
        race->have_meta = true;
        race->expect_due = uv_now(hub->loop) + hub->cfg.start_timeout_ms;
    }
}
