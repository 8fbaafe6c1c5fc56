/* hub_status_change.c — a race's status moving on: the `status` frame, the app told once of
 * a race's end, the `end` frame after the grace and the commentary engine's done marker, or
 * the bounded wait for it (end timer), and a start that no runner answered marked failed. */
#include "hub/hub_internal.h"

#include <stdio.h>

static void on_end_timer(uv_timer_t *t)
{
    struct hub *hub = t->data;
    uint64_t now = uv_now(hub->loop);
    bool waiting = false, ended = false;
    for (struct hub_race *race = hub->races; race; race = race->next) {
        if (!hub_race_over(race) || race->end_sent)
            continue;
        if (now >= race->end_due && (race->commentary_done || now >= race->end_by)) {
            if (!race->commentary_done && race->end_by > race->end_due)
                hub->stats.ends_unmarked++;
            hub_emit_end(hub, race, hub_status_name(race->status));
            ended = true;
        } else {
            waiting = true;
        }
    }
    if (!waiting)
        uv_timer_stop(t);
    if (ended)
        hub_trim_finished(hub);
    hub_budget_enforce(hub);
}

void hub_race_set_status(struct hub *hub, struct hub_race *race, enum hub_race_status status,
                         int64_t wall_ms)
{
    if (race->status == status || hub_race_over(race))
        return;
    race->status = status;
    if (status == HUB_RACE_IN_PROGRESS && !race->start_wall_ms)
        race->start_wall_ms = wall_ms;
    if (hub_race_over(race)) {
        race->end_wall_ms = wall_ms;
        if (!race->start_wall_ms)
            race->start_wall_ms = wall_ms;
    }
    hub_emit_status(hub, race);
    if (hub_race_over(race)) {
        /* The commentary engine may still be saying the race's last lines (the flag, the
         * podium, a second apart): `end` waits for its done marker, within a bound, so a
         * dead engine holds no viewer for long. A race that failed to start has none. */
        uint64_t now = uv_now(hub->loop);
        race->end_due = now + hub->cfg.end_grace_ms;
        race->end_by = race->end_due;
        if (status != HUB_RACE_FAILED && hub->cfg.commentary_wait_ms > hub->cfg.end_grace_ms)
            race->end_by = now + hub->cfg.commentary_wait_ms;
        if (!uv_is_active((uv_handle_t *)hub->end_timer))
            uv_timer_start(hub->end_timer, on_end_timer, 100, 100);
        if (hub->on_end && status != HUB_RACE_FAILED)
            hub->on_end(hub->end_ctx, &race->meta, race->have_state ? &race->state : NULL,
                        status, race->start_wall_ms, race->end_wall_ms);
    }
}

/* A start accepted here whose runner never answered is not left "not_started" forever. */
void hub_fail_unanswered(struct hub *hub, uint64_t now)
{
    for (struct hub_race *race = hub->races; race; race = race->next) {
        if (!race->expect_due || now < race->expect_due)
            continue;
        race->expect_due = 0;
        if (race->status != HUB_RACE_NOT_STARTED)
            continue;
        snprintf(race->reason, sizeof race->reason,
                 "no race runner took the start request within %llu s",
                 (unsigned long long)(hub->cfg.start_timeout_ms / 1000));
        PW_WARN(hub->log, "hub", "race %s failed: %s", race->id, race->reason);
        hub_race_set_status(hub, race, HUB_RACE_FAILED, pw_now_ms());
    }
}
