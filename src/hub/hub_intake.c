/* hub_intake.c — events from the bus into the race records: a race is created by its first
 * event, duplicates and late events are dropped and counted, the latest meta and state are
 * kept, and each event becomes its frames (hub_frames.c) and maybe a status change
 * (hub_status_change.c); the commentary engine's done marker lets the race's `end` go. */
#include "hub/encode.h"
#include "hub/hub_internal.h"

#include <stdio.h>

static void remember_comment(struct hub *hub, struct hub_race *race, json_t *data)
{
    json_array_append(race->recent_comments, data);
    while (json_array_size(race->recent_comments) > (size_t)hub->cfg.recent_commentary)
        json_array_remove(race->recent_comments, 0);
}

static bool is_duplicate(struct hub *hub, struct hub_race *race, const struct pw_event *ev)
{
    uint64_t *counter = ev->type == PW_EV_COMMENTARY ? &race->c : &race->r;
    if (ev->seq && ev->seq <= *counter) {
        hub->stats.events_duplicate++;
        return true;
    }
    *counter = ev->seq ? ev->seq : *counter + 1;
    return false;
}

static void handle_event(struct hub *hub, const struct pw_event *ev)
{
    hub->stats.events_received++;
    struct hub_race *race = hub_find_race(hub, ev->race_id);
    if (!race) {
        if (!ev->meta || !ev->race_id[0]) {
            hub->stats.events_unknown_race++;
            return;
        }
        /* A race let go of stays finished (the history has it); and a commentary line
         * never introduces a race: it only ever follows the race's own events. */
        if (race_registry_has(&hub->retired, ev->race_id) || pw_event_is_commentary(ev->type)) {
            hub->stats.events_late++;
            return;
        }
        race = hub_race_create(hub, ev->race_id);
        if (!race) {
            hub->stats.encode_failures++;
            return;
        }
    }
    if (race->end_sent || (hub_race_over(race) && !pw_event_is_commentary(ev->type))) {
        /* Nothing changes a race after its finish but the last commentary lines, and
         * nothing at all after its `end` frame. */
        hub->stats.events_late++;
        return;
    }
    if (ev->type == PW_EV_COMMENTARY_DONE) {
        /* The engine's lines come in its order, the marker after the last (in-process at
         * once; over Kafka on the race's partition of the commentary topic): none is left
         * to wait for. Its seq repeats the last line's, so it moves no counter. */
        race->commentary_done = true;
        return;
    }
    if (is_duplicate(hub, race, ev))
        return;
    race->expect_due = 0; /* the runner has it */
    /* A failure report knows less of the race than the edge that accepted its start. */
    if (ev->meta && (ev->type != PW_EV_RACE_FAILED || !race->have_meta)) {
        race->meta = *ev->meta;
        race->have_meta = true;
    }
    if (ev->state && ev->type != PW_EV_COMMENTARY) {
        race->state = *ev->state;
        race->have_state = true;
    }

    switch (ev->type) {
    case PW_EV_POSITIONS: {
        if (race->state.started)
            hub_race_set_status(hub, race, HUB_RACE_IN_PROGRESS, ev->wall_ms);
        json_t *data = hub_encode_positions_data(ev, hub_status_name(race->status));
        hub_emit_positions(hub, race, data);
        json_decref(race->last_positions);
        race->last_positions = data;
        break;
    }
    case PW_EV_COMMENTARY: {
        json_t *data = hub_encode_commentary_data(ev);
        hub_emit(hub, race, LOG_COMMENTARY, "commentary", data, "commentary", true);
        if (data)
            remember_comment(hub, race, data);
        json_decref(data);
        break;
    }
    case PW_EV_RACE_CREATED:
        hub_emit_status(hub, race);
        break;
    case PW_EV_RACE_FAILED:
        snprintf(race->reason, sizeof race->reason, "%s", ev->text[0] ? ev->text : "failed");
        hub_race_set_status(hub, race, HUB_RACE_FAILED, ev->wall_ms);
        break;
    default: {
        json_t *data = hub_encode_race_event_data(ev);
        hub_emit(hub, race, LOG_RACE, NULL, data, "race", true);
        json_decref(data);
        if (ev->type == PW_EV_LIGHTS_OUT)
            hub_race_set_status(hub, race, HUB_RACE_IN_PROGRESS, ev->wall_ms);
        else if (ev->type == PW_EV_CLASSIFICATION)
            hub_race_set_status(hub, race, HUB_RACE_FINISHED, ev->wall_ms);
        else if (ev->type == PW_EV_RACE_STOPPED)
            hub_race_set_status(hub, race, HUB_RACE_STOPPED, ev->wall_ms);
        break;
    }
    }
}

void hub_on_bus_event(void *ctx, const struct pw_event *ev)
{
    struct hub *hub = ctx;
    handle_event(hub, ev);
    hub_budget_enforce(hub);
}
