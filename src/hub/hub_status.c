/* Status, classification and race-list JSON from the hub's race records. */
#include "core/error.h"
#include "hub/encode.h"
#include "hub/hub_internal.h"

#include <errno.h>
#include <string.h>

const char *hub_status_name(enum hub_race_status s)
{
    static const char *const names[] = {"not_started", "in_progress", "finished", "stopped",
                                        "failed"};
    return (unsigned)s < sizeof names / sizeof *names ? names[s] : names[0];
}

bool hub_race_over(const struct hub_race *race)
{
    return race->status == HUB_RACE_FINISHED || race->status == HUB_RACE_STOPPED ||
           race->status == HUB_RACE_FAILED;
}

static json_t *iso_or_null(int64_t ms)
{
    if (!ms)
        return json_null();
    char text[40];
    hub_encode_iso_time(ms, text, sizeof text);
    return json_string(text);
}

/* A race that failed says why; other races have no `reason`. */
static void add_reason(const struct hub_race *race, json_t *obj)
{
    if (obj && race->status == HUB_RACE_FAILED)
        json_object_set_new(obj, "reason", json_string(race->reason));
}

static double race_progress(const struct hub_race *race)
{
    if (race->status == HUB_RACE_FINISHED)
        return 1.0;
    if (!race->have_state || race->meta.race_duration_ms <= 0)
        return 0.0;
    double p = (double)race->state.race_ms / (double)race->meta.race_duration_ms;
    return p < 0 ? 0 : p > 1 ? 1 : p;
}

json_t *hub_race_status_json(const struct hub *hub, const char *race_id)
{
    const struct hub_race *race = hub_find_race(hub, race_id);
    if (!race)
        return NULL;
    double progress = race_progress(race);
    double duration = (double)race->meta.wall_duration_ms / 1000.0;
    double elapsed = 0;
    if (race->start_wall_ms) {
        int64_t until = race->end_wall_ms ? race->end_wall_ms : pw_now_ms();
        elapsed = (double)(until - race->start_wall_ms) / 1000.0;
    }
    double remaining = hub_race_over(race) ? 0 : duration * (1.0 - progress);
    const struct pw_race_meta *m = &race->meta;
    json_t *status = json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:f, s:f, s:f, s:f, s:o, s:o, s:o, s:i, "
                     "s:i, s:s, s:s, s:s, s:s}",
                     "race_id", race->id, "selected_driver", "name", m->selected_name, "team",
                     m->selected_team, "number", m->selected_number, "status",
                     hub_status_name(race->status), "progress", progress, "elapsed_time",
                     elapsed, "duration", duration, "remaining_time", remaining, "start_time",
                     iso_or_null(race->start_wall_ms), "end_time",
                     iso_or_null(race->end_wall_ms), "created_time",
                     iso_or_null(m->created_wall_ms), "lap", race->have_state ? race->state.lap : 0,
                     "total_laps", race->have_state ? race->state.total_laps : m->total_laps,
                     "track_status", pw_track_name(race->have_state ? race->state.track : 0),
                     "source", m->source, "title", m->title, "kind",
                     pw_session_kind_name(m->kind));
    add_reason(race, status);
    return status;
}

int hub_race_classification_json(const struct hub *hub, const char *race_id, json_t **out)
{
    const struct hub_race *race = hub_find_race(hub, race_id);
    if (!race)
        return -ENOENT;
    if (race->status != HUB_RACE_FINISHED || !race->have_state)
        return PW_ESTATE;
    json_t *list = hub_encode_positions_list(&race->state, race->id, race->end_wall_ms);
    *out = list ? json_pack("{s:o, s:s, s:s}", "positions", list, "race_id", race->id,
                            "status", hub_status_name(race->status))
                : NULL;
    return *out ? 0 : -ENOMEM;
}

static json_t *race_summary(const struct hub_race *race)
{
    const struct pw_race_meta *m = &race->meta;
    json_t *winner = json_null();
    /* Practice and qualifying end in a classification by best lap, not with a winner. */
    if (race->status == HUB_RACE_FINISHED && race->have_state && race->state.n_cars > 0 &&
        !pw_session_is_timed(m->kind))
        winner = json_pack("{s:s, s:s}", "name", race->state.cars[0].driver.name, "number",
                           race->state.cars[0].driver.number);
    json_t *summary = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:o, s:o, s:o, s:i, s:i, s:o}",
                     "race_id", race->id, "status", hub_status_name(race->status), "source",
                     m->source, "title", m->title, "kind", pw_session_kind_name(m->kind), "selected_driver", "name", m->selected_name,
                     "team", m->selected_team, "number", m->selected_number, "created_time",
                     iso_or_null(m->created_wall_ms), "start_time",
                     iso_or_null(race->start_wall_ms), "end_time",
                     iso_or_null(race->end_wall_ms), "lap",
                     race->have_state ? race->state.lap : 0, "total_laps",
                     race->have_state ? race->state.total_laps : m->total_laps, "winner",
                     winner ? winner : json_null());
    add_reason(race, summary);
    return summary;
}

int hub_list_races(const struct hub *hub, json_t *array)
{
    /* The list is kept newest first already: new races are pushed at the head. */
    for (const struct hub_race *race = hub->races; race; race = race->next) {
        if (!race->have_meta)
            continue;
        if (json_array_append_new(array, race_summary(race)) < 0)
            return -ENOMEM;
    }
    return 0;
}

int hub_race_control_hash(const struct hub *hub, const char *race_id, char *out, size_t len)
{
    const struct hub_race *race = hub_find_race(hub, race_id);
    if (!race)
        return -ENOENT;
    snprintf(out, len, "%s", race->meta.control_hash);
    return 0;
}

int hub_race_get_status(const struct hub *hub, const char *race_id,
                        enum hub_race_status *out)
{
    const struct hub_race *race = hub_find_race(hub, race_id);
    if (!race)
        return -ENOENT;
    *out = race->status;
    return 0;
}
