#include "hub/encode.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void hub_encode_iso_time(int64_t unix_ms, char *out, size_t len)
{
    time_t secs = (time_t)(unix_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, len, "%s.%03dZ", base, (int)(unix_ms % 1000));
}

json_t *hub_encode_car(const struct pw_car *c, const char *race_id, int64_t timestamp_ms)
{
    json_t *sectors = json_pack("[III]", (json_int_t)c->sectors_ms[0],
                                (json_int_t)c->sectors_ms[1], (json_int_t)c->sectors_ms[2]);
    if (!sectors)
        return NULL;
    /* Original fields first; pitwall's additions never rename them. */
    return json_pack("{s:s, s:i, s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:i, s:I, s:i, "
                     "s:I, s:I, s:i, s:o, s:s, s:i, s:b, s:i, s:b, s:b, s:b}",
                     "driver_name", c->driver.name, "position", c->position, "timestamp",
                     (json_int_t)timestamp_ms, "race_id", race_id, "number", c->driver.number,
                     "tla", c->driver.tla, "team", c->driver.team, "team_color",
                     c->driver.team_color, "laps", c->laps, "gap_ms", (json_int_t)c->gap_ms,
                     "gap_laps", c->gap_laps, "interval_ms", (json_int_t)c->interval_ms,
                     "interval_laps", c->interval_laps, "last_lap_ms",
                     (json_int_t)c->last_lap_ms, "best_lap_ms", (json_int_t)c->best_lap_ms,
                     "best_lap_no", c->best_lap_no, "sectors_ms", sectors, "tyre",
                     pw_tyre_name(c->tyre), "tyre_age", c->tyre_age, "tyre_new", c->tyre_new,
                     "pit_stops", c->pit_stops, "in_pit", c->in_pit, "retired", c->retired,
                     "finished", c->finished);
}

/* A practice or qualifying car's own figures, added to hub_encode_car's object (a race's cars
 * stay as they were). */
static json_t *with_session_fields(json_t *o, const struct pw_race_state *st, const struct pw_car *c)
{
    if (!o || !pw_session_is_timed(st->kind))
        return o;
    json_t *best = json_pack("[III]", (json_int_t)c->best_sectors_ms[0],
                             (json_int_t)c->best_sectors_ms[1], (json_int_t)c->best_sectors_ms[2]);
    json_t *parts = json_pack("[III]", (json_int_t)c->part_best_ms[0],
                              (json_int_t)c->part_best_ms[1], (json_int_t)c->part_best_ms[2]);
    if (!best || !parts || json_object_set_new(o, "best_sectors_ms", best) ||
        json_object_set_new(o, "part_best_ms", parts) ||
        json_object_set_new(o, "stints", json_integer(c->stints)) ||
        json_object_set_new(o, "knocked_out_part", json_integer(c->knocked_out_part)) ||
        json_object_set_new(o, "deleted_laps", json_integer(c->deleted_laps))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A car's penalties in a race whose source knows them (a simulation with the stewards on):
 * time owed, a drive-through to serve, the black-and-white flag and the laps deleted for
 * track limits. Always all four in such a race, so a delta can send each when it changes;
 * absent otherwise, and the original app's cars stay as they were. */
static json_t *with_penalty_fields(json_t *o, const struct pw_race_state *st,
                                   const struct pw_car *c)
{
    if (!o || !st->penalties_known)
        return o;
    if (json_object_set_new(o, "penalty_s", json_integer(c->penalty_s)) ||
        json_object_set_new(o, "drive_through", json_boolean(c->drive_through)) ||
        json_object_set_new(o, "black_white", json_boolean(c->black_white)) ||
        json_object_set_new(o, "deleted_laps", json_integer(c->deleted_laps))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A car's damage in a race whose source knows it (a simulation: "none", "puncture",
 * "front_wing", "floor"). Always there in such a race, so a delta can send each change;
 * absent otherwise (a replay). */
static json_t *with_damage_field(json_t *o, const struct pw_race_state *st, const struct pw_car *c)
{
    if (!o || !st->damage_known)
        return o;
    if (json_object_set_new(o, "damage", json_string(pw_damage_name(c->damage)))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *hub_encode_positions_list(const struct pw_race_state *st, const char *race_id,
                              int64_t timestamp_ms)
{
    json_t *list = json_array();
    for (int i = 0; list && i < st->n_cars; i++) {
        const struct pw_car *c = &st->cars[i];
        json_t *car = with_damage_field(
            with_penalty_fields(
                with_session_fields(hub_encode_car(c, race_id, timestamp_ms), st, c), st, c),
            st, c);
        if (json_array_append_new(list, car) < 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

json_t *hub_encode_positions_data(const struct pw_event *ev, const char *status)
{
    const struct pw_race_state *st = ev->state;
    json_t *fastest = st->fastest_number[0]
                          ? json_pack("{s:s, s:I}", "number", st->fastest_number, "lap_ms",
                                      (json_int_t)st->fastest_lap_ms)
                          : json_null();
    json_t *list = hub_encode_positions_list(st, ev->race_id, ev->wall_ms);
    if (!fastest || !list) {
        json_decref(fastest);
        json_decref(list);
        return NULL;
    }
    json_t *o = json_pack("{s:o, s:I, s:s, s:I, s:i, s:i, s:s, s:I, s:I, s:o, s:s}", "positions",
                          list, "timestamp", (json_int_t)ev->wall_ms, "race_id", ev->race_id,
                          "seq", (json_int_t)ev->seq, "lap", st->lap, "total_laps",
                          st->total_laps, "track_status", pw_track_name(st->track), "race_ms",
                          (json_int_t)st->race_ms, "server_ms", (json_int_t)ev->wall_ms,
                          "fastest_lap", fastest, "status", status);
    /* What kind of session, and for one on a clock its clock and qualifying part; absent
     * for a race, whose frames stay as they were. */
    if (o && st->kind != PW_SESSION_RACE) {
        json_t *session = json_pack("{s:s, s:I, s:b, s:i, s:i}", "kind",
                                    pw_session_kind_name(st->kind), "clock_ms",
                                    (json_int_t)st->clock_ms, "clock_running", st->clock_running,
                                    "part", st->session_part, "cutoff_position",
                                    st->cutoff_position);
        if (!session || json_object_set_new(o, "session", session)) {
            json_decref(o);
            return NULL;
        }
    }
    /* The weather, when the source knows it (a simulation with a chance of rain); absent
     * otherwise. */
    if (o && st->weather_known) {
        json_t *weather = json_pack("{s:i, s:b, s:i}", "rain_chance", st->rain_chance, "raining",
                                    st->raining, "wetness", st->track_wetness);
        if (!weather || json_object_set_new(o, "weather", weather)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

json_t *hub_encode_commentary_data(const struct pw_event *ev)
{
    return json_pack("{s:s, s:s, s:I, s:s, s:i, s:s, s:I, s:s}", "id", ev->id, "message",
                     ev->text, "timestamp", (json_int_t)ev->wall_ms, "type",
                     pw_commentary_kind_name(ev->kind), "lap", ev->lap, "race_id", ev->race_id,
                     "race_ms", (json_int_t)ev->race_ms, "driver", ev->car);
}

json_t *hub_encode_race_event_data(const struct pw_event *ev)
{
    json_t *o = json_pack("{s:s, s:s, s:i, s:I, s:I}", "type", pw_event_type_name(ev->type),
                          "race_id", ev->race_id, "lap", ev->lap, "race_ms",
                          (json_int_t)ev->race_ms, "timestamp", (json_int_t)ev->wall_ms);
    if (!o)
        return NULL;
    /* Only the fields that mean something for this event, so clients need no guessing. */
    if (ev->car[0])
        json_object_set_new(o, "car", json_string(ev->car));
    if (ev->other[0])
        json_object_set_new(o, "other", json_string(ev->other));
    if (ev->position)
        json_object_set_new(o, "position", json_integer(ev->position));
    if (ev->type == PW_EV_PIT_OUT)
        json_object_set_new(o, "tyre", json_string(pw_tyre_name(ev->tyre)));
    if (ev->type == PW_EV_TRACK_STATUS)
        json_object_set_new(o, "track", json_string(pw_track_name(ev->track)));
    if (ev->lap_ms)
        json_object_set_new(o, "lap_ms", json_integer(ev->lap_ms));
    if (ev->text[0])
        json_object_set_new(o, "text", json_string(ev->text));
    return o;
}

struct pw_buf *hub_sse_frame(const char *id, const char *event, const char *data, size_t data_len)
{
    char head[160];
    int n = 0;
    /* "id: \n", "event: \n" and "data: " take 19 bytes: refuse what cannot fit before any
     * snprintf could run past the buffer */
    if ((id ? strlen(id) : 0) + (event ? strlen(event) : 0) + 20 > sizeof head)
        return NULL;
    if (id)
        n += snprintf(head + n, sizeof head - (size_t)n, "id: %s\n", id);
    if (event)
        n += snprintf(head + n, sizeof head - (size_t)n, "event: %s\n", event);
    n += snprintf(head + n, sizeof head - (size_t)n, "data: ");
    if (n < 0 || (size_t)n >= sizeof head)
        return NULL;
    struct pw_buf *buf = pw_buf_new(NULL, (size_t)n + data_len + 2);
    if (!buf)
        return NULL;
    memcpy(buf->data, head, (size_t)n);
    memcpy(buf->data + n, data, data_len);
    memcpy(buf->data + n + data_len, "\n\n", 2);
    return buf;
}
