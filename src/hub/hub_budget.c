/* hub_budget.c — one memory budget for the event logs of every race (hub.log_budget_mb).
 *
 * Each log is bounded on its own (hub.log_max_mb), but many races times that bound is more
 * than a server has: past the shared budget, finished races are let go of first, oldest
 * first (their status, classification and stream are answered from the history), then the
 * largest running log loses its oldest frames (a resume from before them gets a fresh
 * snapshot, as for any log window). A new race is refused while the running races hold so
 * much that it would not have HUB_LOG_RESERVE of room (hub_log_budget_full). */
#include "hub/hub_internal.h"

/* The oldest finished race whose `end` frame is out (the list is newest first). */
static struct hub_race **oldest_finished(struct hub *hub)
{
    struct hub_race **found = NULL;
    for (struct hub_race **link = &hub->races; *link; link = &(*link)->next) {
        if ((*link)->end_sent)
            found = link;
    }
    return found;
}

static struct hub_race *largest_running(struct hub *hub)
{
    struct hub_race *found = NULL;
    for (struct hub_race *r = hub->races; r; r = r->next) {
        if (!r->end_sent && r->log.count > 1 && (!found || r->log.bytes > found->log.bytes))
            found = r;
    }
    return found;
}

void hub_budget_enforce(struct hub *hub)
{
    size_t budget = hub->cfg.log_budget_bytes;
    if (budget == 0)
        return;
    while (hub->stats.log_bytes > budget) {
        struct hub_race **finished = oldest_finished(hub);
        if (finished) {
            hub_race_evict(hub, finished);
            hub->stats.log_budget_evictions++;
            continue;
        }
        struct hub_race *race = largest_running(hub);
        if (!race)
            break; /* one frame per log left: nothing more to give back */
        size_t excess = hub->stats.log_bytes - budget;
        size_t target = race->log.bytes > excess ? race->log.bytes - excess : 0;
        hub->stats.log_bytes -= event_log_shrink(&race->log, target);
        hub->stats.log_budget_trims++;
    }
}

bool hub_log_budget_full(const struct hub *hub, size_t *held)
{
    size_t running = 0;
    for (const struct hub_race *r = hub->races; r; r = r->next) {
        if (!r->end_sent)
            running += r->log.bytes;
    }
    if (held)
        *held = running;
    size_t budget = hub->cfg.log_budget_bytes;
    return budget != 0 && running + HUB_LOG_RESERVE > budget;
}
