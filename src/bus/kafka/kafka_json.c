#include "bus/kafka/kafka_json.h"

#include "core/error.h"

#include <jansson.h>
#include <string.h>

/* ---- encoding ---- */

static json_t *car_to_json(const struct pw_car *c)
{
    return json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:i,s:I,s:i,s:I,s:i,s:I,s:I,s:i,s:[I,I,I],"
                     "s:s,s:i,s:b,s:i,s:b,s:b,s:b}",
                     "driver_name", c->driver.name, "position", c->position, "number",
                     c->driver.number, "tla", c->driver.tla, "team", c->driver.team,
                     "team_color", c->driver.team_color, "laps", c->laps, "gap_ms",
                     (json_int_t)c->gap_ms, "gap_laps", c->gap_laps, "interval_ms",
                     (json_int_t)c->interval_ms, "interval_laps", c->interval_laps,
                     "last_lap_ms", (json_int_t)c->last_lap_ms, "best_lap_ms",
                     (json_int_t)c->best_lap_ms, "best_lap_no", c->best_lap_no, "sectors_ms",
                     (json_int_t)c->sectors_ms[0], (json_int_t)c->sectors_ms[1],
                     (json_int_t)c->sectors_ms[2], "tyre", pw_tyre_name(c->tyre), "tyre_age",
                     c->tyre_age, "tyre_new", c->tyre_new, "pit_stops", c->pit_stops, "in_pit",
                     c->in_pit, "retired", c->retired, "finished", c->finished);
}

static json_t *i64_array(const int64_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        if (json_array_append_new(a, json_integer((json_int_t)v[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static bool any_nonzero(const int64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i])
            return true;
    }
    return false;
}

/* Practice and qualifying figures, only when set: a race's messages stay as they were. */
static json_t *car_with_session(json_t *o, const struct pw_car *c)
{
    int err = 0;
    if (o && any_nonzero(c->best_sectors_ms, 3))
        err |= json_object_set_new(o, "best_sectors_ms", i64_array(c->best_sectors_ms, 3));
    if (o && any_nonzero(c->part_best_ms, PW_QUALI_PARTS))
        err |= json_object_set_new(o, "part_best_ms", i64_array(c->part_best_ms, PW_QUALI_PARTS));
    if (o && c->stints)
        err |= json_object_set_new(o, "stints", json_integer(c->stints));
    if (o && c->knocked_out_part)
        err |= json_object_set_new(o, "knocked_out_part", json_integer(c->knocked_out_part));
    if (o && c->deleted_laps)
        err |= json_object_set_new(o, "deleted_laps", json_integer(c->deleted_laps));
    if (err) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A car's penalties, only in a race whose source knows them (race messages otherwise stay as
 * they were). deleted_laps is car_with_session's. */
static json_t *car_with_penalties(json_t *o, const struct pw_race_state *st,
                                  const struct pw_car *c)
{
    if (o && st->penalties_known &&
        (json_object_set_new(o, "penalty_s", json_integer(c->penalty_s)) ||
         json_object_set_new(o, "drive_through", json_boolean(c->drive_through)) ||
         json_object_set_new(o, "black_white", json_boolean(c->black_white)))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A car's damage, only in a race whose source knows it (a simulation). */
static json_t *car_with_damage(json_t *o, const struct pw_race_state *st, const struct pw_car *c)
{
    if (o && st->damage_known &&
        json_object_set_new(o, "damage", json_string(pw_damage_name(c->damage)))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *state_to_json(const struct pw_race_state *st)
{
    json_t *cars = json_array();
    for (int i = 0; cars && i < st->n_cars && i < PW_MAX_CARS; i++) {
        const struct pw_car *c = &st->cars[i];
        json_t *car =
            car_with_damage(car_with_penalties(car_with_session(car_to_json(c), c), st, c), st, c);
        if (json_array_append_new(cars, car)) {
            json_decref(cars);
            return NULL;
        }
    }
    json_t *o = json_pack("{s:o,s:i,s:i,s:s,s:s,s:I,s:I,s:b,s:b,s:s,s:s}", "cars", cars, "lap",
                          st->lap, "total_laps", st->total_laps, "track",
                          pw_track_name(st->track), "fastest_number", st->fastest_number,
                          "fastest_lap_ms", (json_int_t)st->fastest_lap_ms, "race_ms",
                          (json_int_t)st->race_ms, "started", st->started, "finished",
                          st->finished, "circuit", st->circuit, "session", st->session);
    /* The session's own fields only for a session that is no race (race messages as before). */
    if (o && st->kind != PW_SESSION_RACE &&
        (json_object_set_new(o, "kind", json_string(pw_session_kind_name(st->kind))) ||
         json_object_set_new(o, "clock_ms", json_integer((json_int_t)st->clock_ms)) ||
         json_object_set_new(o, "clock_running", json_boolean(st->clock_running)) ||
         json_object_set_new(o, "session_part", json_integer(st->session_part)) ||
         json_object_set_new(o, "cutoff_position", json_integer(st->cutoff_position)))) {
        json_decref(o);
        return NULL;
    }
    if (o && st->penalties_known &&
        json_object_set_new(o, "penalties_known", json_true())) {
        json_decref(o);
        return NULL;
    }
    if (o && st->damage_known && json_object_set_new(o, "damage_known", json_true())) {
        json_decref(o);
        return NULL;
    }
    /* The weather only when the source knows it. */
    if (o && st->weather_known &&
        (json_object_set_new(o, "rain_chance", json_integer(st->rain_chance)) ||
         json_object_set_new(o, "raining", json_boolean(st->raining)) ||
         json_object_set_new(o, "track_wetness", json_integer(st->track_wetness)))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *meta_to_json(const struct pw_race_meta *m)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:i}", "race_id", m->race_id,
                     "source", m->source, "title", m->title, "selected_number",
                     m->selected_number, "selected_name", m->selected_name, "selected_team",
                     m->selected_team, "created_wall_ms", (json_int_t)m->created_wall_ms,
                     "wall_duration_ms", (json_int_t)m->wall_duration_ms, "race_duration_ms",
                     (json_int_t)m->race_duration_ms, "total_laps", m->total_laps);
    if (o && m->kind != PW_SESSION_RACE &&
        json_object_set_new(o, "kind", json_string(pw_session_kind_name(m->kind)))) {
        json_decref(o);
        return NULL;
    }
    /* Every edge checks control requests against it (src/api/api_auth.c). */
    if (o && m->control_hash[0] &&
        json_object_set_new(o, "control_hash", json_string(m->control_hash))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static char *dump(json_t *obj)
{
    char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    return s;
}

char *kafka_json_encode_event(const struct pw_event *ev)
{
    const char *type = pw_event_type_name(ev->type);
    if (!type)
        return NULL;
    json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:i,s:s,s:s,s:i,s:s,s:s,s:I,s:s,s:s,s:s}",
                          "type", type, "race_id", ev->race_id, "seq", (json_int_t)ev->seq,
                          "race_ms", (json_int_t)ev->race_ms, "wall_ms",
                          (json_int_t)ev->wall_ms, "lap", ev->lap, "car", ev->car, "other",
                          ev->other, "position", ev->position, "tyre", pw_tyre_name(ev->tyre),
                          "track", pw_track_name(ev->track), "lap_ms", (json_int_t)ev->lap_ms,
                          "kind", pw_commentary_kind_name(ev->kind), "id", ev->id, "text",
                          ev->text);
    if (o && ev->meta && json_object_set_new(o, "meta", meta_to_json(ev->meta)))
        goto fail;
    if (o && ev->state && json_object_set_new(o, "state", state_to_json(ev->state)))
        goto fail;
    return dump(o);
fail:
    json_decref(o);
    return NULL;
}

/* The done marker is a record of the same shape with "done": true (absent: a line), so a
 * reader that does not know the field reads it as a line repeating the last one's seq. */
char *kafka_json_encode_commentary(const struct pw_event *ev)
{
    json_t *o = json_pack("{s:s,s:s,s:I,s:s,s:s,s:i,s:I,s:I}", "id", ev->id, "message", ev->text,
                          "timestamp", (json_int_t)ev->wall_ms, "type",
                          pw_commentary_kind_name(ev->kind), "race_id", ev->race_id, "lap",
                          ev->lap, "seq", (json_int_t)ev->seq, "race_ms", (json_int_t)ev->race_ms);
    if (o && ev->type == PW_EV_COMMENTARY_DONE && json_object_set_new(o, "done", json_true())) {
        json_decref(o);
        o = NULL;
    }
    return dump(o);
}

static const char *const control_ops[] = {
    [PW_CONTROL_START] = "start", [PW_CONTROL_STOP] = "stop",   [PW_CONTROL_PAUSE] = "pause",
    [PW_CONTROL_RESUME] = "resume", [PW_CONTROL_SEEK] = "seek",
};
#define N_CONTROL_OPS ((int)(sizeof control_ops / sizeof *control_ops))

/* Every field travels: a pause must reach the runner as a pause (not a stop), a start with
 * its circuit, laps, podium, weather, red flag, penalties, damage, tick rate and control hash, a stop, pause, resume or
 * seek with the token the runner checks it by. */
char *kafka_json_encode_control(const struct pw_control *ctl)
{
    if ((int)ctl->op <= 0 || (int)ctl->op >= N_CONTROL_OPS)
        return NULL;
    return dump(json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:f,s:I,s:s,s:i,s:i,s:i,s:I,s:s,s:s,s:i,s:i,s:i,s:i}",
                          "op",
                          control_ops[ctl->op], "race_id", ctl->race_id, "driver_number",
                          ctl->driver_number, "replay", ctl->replay, "seed",
                          (json_int_t)ctl->seed, "wall_duration_ms",
                          (json_int_t)ctl->wall_duration_ms, "replay_speed", ctl->replay_speed,
                          "replay_start_ms", (json_int_t)ctl->replay_start_ms, "circuit",
                          ctl->circuit, "podium", ctl->podium, "tick_hz", ctl->tick_hz, "laps",
                          ctl->laps, "seek_ms", (json_int_t)ctl->seek_ms, "control_hash",
                          ctl->control_hash, "control_token", ctl->control_token, "weather",
                          ctl->weather, "red_flag", ctl->red_flag, "penalties",
                          ctl->penalties, "damage", ctl->damage));
}

/* ---- decoding: absent fields keep their zero value, present ones must have the right
 * type and fit ---- */

static json_t *load(const void *buf, size_t len)
{
    if (!buf || len == 0 || len > KAFKA_JSON_MAX)
        return NULL;
    json_t *o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
    if (o && !json_is_object(o)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int get_str(json_t *o, const char *key, char *dst, size_t cap)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_string(v))
        return PW_EPARSE;
    size_t n = json_string_length(v);
    if (n >= cap || memchr(json_string_value(v), '\0', n))
        return PW_ERANGE_IN;
    memcpy(dst, json_string_value(v), n + 1);
    return 0;
}

static int get_i64(json_t *o, const char *key, int64_t *dst)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_integer(v))
        return PW_EPARSE;
    *dst = json_integer_value(v);
    return 0;
}

static int get_int(json_t *o, const char *key, int *dst, int lo, int hi)
{
    int64_t v = *dst;
    int rc = get_i64(o, key, &v);
    if (rc)
        return rc;
    if (v < lo || v > hi)
        return PW_ERANGE_IN;
    *dst = (int)v;
    return 0;
}

static int get_bool(json_t *o, const char *key, bool *dst)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return PW_EPARSE;
    *dst = json_is_true(v);
    return 0;
}

static int get_tyre(json_t *o, const char *key, enum pw_tyre *dst)
{
    char name[16] = "";
    int rc = get_str(o, key, name, sizeof name);
    if (!rc)
        *dst = pw_tyre_parse(name);
    return rc;
}

static int get_track(json_t *o, const char *key, enum pw_track_status *dst)
{
    char name[16] = "";
    int rc = get_str(o, key, name, sizeof name);
    if (rc || !json_object_get(o, key))
        return rc;
    return pw_track_parse(name, dst) ? PW_ERANGE_IN : 0;
}

static int get_damage(json_t *o, const char *key, enum pw_damage *dst)
{
    char name[16] = "";
    int rc = get_str(o, key, name, sizeof name);
    if (rc || !json_object_get(o, key))
        return rc;
    return pw_damage_parse(name, dst) ? PW_ERANGE_IN : 0;
}

static int get_kind(json_t *o, const char *key, enum pw_session_kind *dst)
{
    char name[24] = "";
    int rc = get_str(o, key, name, sizeof name);
    if (rc || !json_object_get(o, key))
        return rc;
    return pw_session_kind_parse(name, dst) ? PW_ERANGE_IN : 0;
}

/* A fixed-size list of integers; absent keeps zeroes. */
static int get_i64_array(json_t *o, const char *key, int64_t *dst, size_t n)
{
    json_t *a = json_object_get(o, key);
    if (!a)
        return 0;
    if (!json_is_array(a) || json_array_size(a) > n)
        return PW_EPARSE;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_integer(v))
            return PW_EPARSE;
        dst[i] = json_integer_value(v);
    }
    return 0;
}

#define TRY(expr)                                                                              \
    do {                                                                                       \
        if ((rc = (expr)) != 0)                                                                \
            goto out;                                                                          \
    } while (0)

static int car_from_json(json_t *o, struct pw_car *c)
{
    int rc = 0;
    if (!json_is_object(o))
        return PW_EPARSE;
    TRY(get_str(o, "driver_name", c->driver.name, sizeof c->driver.name));
    TRY(get_str(o, "number", c->driver.number, sizeof c->driver.number));
    TRY(get_str(o, "tla", c->driver.tla, sizeof c->driver.tla));
    TRY(get_str(o, "team", c->driver.team, sizeof c->driver.team));
    TRY(get_str(o, "team_color", c->driver.team_color, sizeof c->driver.team_color));
    TRY(get_int(o, "position", &c->position, 0, PW_MAX_CARS));
    TRY(get_int(o, "laps", &c->laps, 0, 100000));
    TRY(get_i64(o, "gap_ms", &c->gap_ms));
    TRY(get_int(o, "gap_laps", &c->gap_laps, 0, 100000));
    TRY(get_i64(o, "interval_ms", &c->interval_ms));
    TRY(get_int(o, "interval_laps", &c->interval_laps, 0, 100000));
    TRY(get_i64(o, "last_lap_ms", &c->last_lap_ms));
    TRY(get_i64(o, "best_lap_ms", &c->best_lap_ms));
    TRY(get_int(o, "best_lap_no", &c->best_lap_no, 0, 100000));
    json_t *sec = json_object_get(o, "sectors_ms");
    if (sec) {
        if (!json_is_array(sec) || json_array_size(sec) > 3)
            return PW_EPARSE;
        for (size_t i = 0; i < json_array_size(sec); i++) {
            json_t *v = json_array_get(sec, i);
            if (!json_is_integer(v))
                return PW_EPARSE;
            c->sectors_ms[i] = json_integer_value(v);
        }
    }
    TRY(get_tyre(o, "tyre", &c->tyre));
    TRY(get_int(o, "tyre_age", &c->tyre_age, 0, 100000));
    TRY(get_bool(o, "tyre_new", &c->tyre_new));
    TRY(get_int(o, "pit_stops", &c->pit_stops, 0, 100000));
    TRY(get_bool(o, "in_pit", &c->in_pit));
    TRY(get_bool(o, "retired", &c->retired));
    TRY(get_bool(o, "finished", &c->finished));
    TRY(get_i64_array(o, "best_sectors_ms", c->best_sectors_ms, 3));
    TRY(get_i64_array(o, "part_best_ms", c->part_best_ms, PW_QUALI_PARTS));
    TRY(get_int(o, "stints", &c->stints, 0, 1000));
    TRY(get_int(o, "knocked_out_part", &c->knocked_out_part, 0, PW_QUALI_PARTS));
    TRY(get_int(o, "deleted_laps", &c->deleted_laps, 0, 10000));
    TRY(get_int(o, "penalty_s", &c->penalty_s, 0, 100000));
    TRY(get_bool(o, "drive_through", &c->drive_through));
    TRY(get_bool(o, "black_white", &c->black_white));
    TRY(get_damage(o, "damage", &c->damage));
out:
    return rc;
}

static int state_from_json(json_t *o, struct pw_race_state *st)
{
    int rc = 0;
    memset(st, 0, sizeof *st);
    json_t *cars = json_object_get(o, "cars");
    if (!json_is_object(o) || !json_is_array(cars))
        return PW_EPARSE;
    if (json_array_size(cars) > PW_MAX_CARS)
        return PW_ERANGE_IN;
    st->n_cars = (int)json_array_size(cars);
    for (int i = 0; i < st->n_cars; i++)
        TRY(car_from_json(json_array_get(cars, (size_t)i), &st->cars[i]));
    TRY(get_int(o, "lap", &st->lap, 0, 100000));
    TRY(get_int(o, "total_laps", &st->total_laps, 0, 100000));
    TRY(get_track(o, "track", &st->track));
    TRY(get_str(o, "fastest_number", st->fastest_number, sizeof st->fastest_number));
    TRY(get_i64(o, "fastest_lap_ms", &st->fastest_lap_ms));
    TRY(get_i64(o, "race_ms", &st->race_ms));
    TRY(get_bool(o, "started", &st->started));
    TRY(get_bool(o, "finished", &st->finished));
    TRY(get_str(o, "circuit", st->circuit, sizeof st->circuit));
    TRY(get_str(o, "session", st->session, sizeof st->session));
    TRY(get_kind(o, "kind", &st->kind));
    TRY(get_i64(o, "clock_ms", &st->clock_ms));
    TRY(get_bool(o, "clock_running", &st->clock_running));
    TRY(get_int(o, "session_part", &st->session_part, 0, PW_QUALI_PARTS));
    TRY(get_int(o, "cutoff_position", &st->cutoff_position, 0, PW_MAX_CARS));
    st->rain_chance = -1;
    TRY(get_int(o, "rain_chance", &st->rain_chance, -1, 100));
    st->weather_known = st->rain_chance >= 0;
    if (!st->weather_known)
        st->rain_chance = 0;
    TRY(get_bool(o, "raining", &st->raining));
    TRY(get_int(o, "track_wetness", &st->track_wetness, 0, 100));
    TRY(get_bool(o, "penalties_known", &st->penalties_known));
    TRY(get_bool(o, "damage_known", &st->damage_known));
out:
    return rc;
}

static int meta_from_json(json_t *o, struct pw_race_meta *m)
{
    int rc = 0;
    memset(m, 0, sizeof *m);
    if (!json_is_object(o))
        return PW_EPARSE;
    TRY(get_str(o, "race_id", m->race_id, sizeof m->race_id));
    TRY(get_str(o, "source", m->source, sizeof m->source));
    TRY(get_str(o, "title", m->title, sizeof m->title));
    TRY(get_str(o, "selected_number", m->selected_number, sizeof m->selected_number));
    TRY(get_str(o, "selected_name", m->selected_name, sizeof m->selected_name));
    TRY(get_str(o, "selected_team", m->selected_team, sizeof m->selected_team));
    TRY(get_i64(o, "created_wall_ms", &m->created_wall_ms));
    TRY(get_i64(o, "wall_duration_ms", &m->wall_duration_ms));
    TRY(get_i64(o, "race_duration_ms", &m->race_duration_ms));
    TRY(get_int(o, "total_laps", &m->total_laps, 0, 100000));
    TRY(get_kind(o, "kind", &m->kind));
    TRY(get_str(o, "control_hash", m->control_hash, sizeof m->control_hash));
out:
    return rc;
}

static int get_seq(json_t *o, uint64_t *seq)
{
    int64_t v = 0;
    int rc = get_i64(o, "seq", &v);
    if (!rc && v < 0)
        rc = PW_ERANGE_IN;
    *seq = (uint64_t)v;
    return rc;
}

int kafka_json_decode_event(const void *buf, size_t len, struct pw_event *ev,
                            struct pw_race_meta *meta, bool *has_meta,
                            struct pw_race_state *state, bool *has_state)
{
    int rc = 0;
    char type[32] = "", kind[16] = "";
    json_t *o = load(buf, len);
    memset(ev, 0, sizeof *ev);
    *has_meta = *has_state = false;
    if (!o)
        return PW_EPARSE;
    TRY(get_str(o, "type", type, sizeof type));
    ev->type = pw_event_type_parse(type);
    if (ev->type == PW_EV_NONE || ev->type == PW_EV_POSITIONS || pw_event_is_commentary(ev->type)) {
        rc = PW_ERANGE_IN;
        goto out;
    }
    TRY(get_str(o, "race_id", ev->race_id, sizeof ev->race_id));
    if (!ev->race_id[0]) {
        rc = PW_ERANGE_IN;
        goto out;
    }
    TRY(get_seq(o, &ev->seq));
    TRY(get_i64(o, "race_ms", &ev->race_ms));
    TRY(get_i64(o, "wall_ms", &ev->wall_ms));
    TRY(get_int(o, "lap", &ev->lap, 0, 100000));
    TRY(get_str(o, "car", ev->car, sizeof ev->car));
    TRY(get_str(o, "other", ev->other, sizeof ev->other));
    TRY(get_int(o, "position", &ev->position, 0, PW_MAX_CARS));
    TRY(get_tyre(o, "tyre", &ev->tyre));
    TRY(get_track(o, "track", &ev->track));
    TRY(get_i64(o, "lap_ms", &ev->lap_ms));
    TRY(get_str(o, "kind", kind, sizeof kind));
    if (kind[0] && pw_commentary_kind_parse(kind, &ev->kind)) {
        rc = PW_ERANGE_IN;
        goto out;
    }
    TRY(get_str(o, "id", ev->id, sizeof ev->id));
    TRY(get_str(o, "text", ev->text, sizeof ev->text));
    json_t *m = json_object_get(o, "meta");
    if (m) {
        TRY(meta_from_json(m, meta));
        *has_meta = true;
    }
    json_t *s = json_object_get(o, "state");
    if (s) {
        TRY(state_from_json(s, state));
        *has_state = true;
    }
out:
    json_decref(o);
    return rc;
}

int kafka_json_decode_commentary(const void *buf, size_t len, struct pw_event *ev)
{
    int rc = 0;
    char kind[16] = "";
    json_t *o = load(buf, len);
    memset(ev, 0, sizeof *ev);
    if (!o)
        return PW_EPARSE;
    ev->type = PW_EV_COMMENTARY;
    TRY(get_str(o, "id", ev->id, sizeof ev->id));
    TRY(get_str(o, "message", ev->text, sizeof ev->text));
    TRY(get_i64(o, "timestamp", &ev->wall_ms));
    TRY(get_str(o, "type", kind, sizeof kind));
    if (pw_commentary_kind_parse(kind, &ev->kind)) {
        rc = PW_ERANGE_IN;
        goto out;
    }
    TRY(get_str(o, "race_id", ev->race_id, sizeof ev->race_id));
    TRY(get_int(o, "lap", &ev->lap, 0, 100000));
    TRY(get_seq(o, &ev->seq));
    TRY(get_i64(o, "race_ms", &ev->race_ms));
    bool done = false;
    TRY(get_bool(o, "done", &done));
    if (done)
        ev->type = PW_EV_COMMENTARY_DONE;
    if (!json_is_string(json_object_get(o, "message")))
        rc = PW_EPARSE;
out:
    json_decref(o);
    return rc;
}

int kafka_json_decode_control(const void *buf, size_t len, struct pw_control *ctl)
{
    int rc = 0;
    char op[16] = "";
    int64_t seed = 0;
    json_t *o = load(buf, len);
    memset(ctl, 0, sizeof *ctl);
    if (!o)
        return PW_EPARSE;
    TRY(get_str(o, "op", op, sizeof op));
    for (int i = 1; i < N_CONTROL_OPS; i++) {
        if (control_ops[i] && !strcmp(op, control_ops[i]))
            ctl->op = (enum pw_control_op)i;
    }
    if (!ctl->op) {
        rc = PW_ERANGE_IN;
        goto out;
    }
    TRY(get_str(o, "race_id", ctl->race_id, sizeof ctl->race_id));
    TRY(get_str(o, "driver_number", ctl->driver_number, sizeof ctl->driver_number));
    TRY(get_str(o, "replay", ctl->replay, sizeof ctl->replay));
    TRY(get_i64(o, "seed", &seed));
    ctl->seed = (uint64_t)seed;
    TRY(get_i64(o, "wall_duration_ms", &ctl->wall_duration_ms));
    TRY(get_i64(o, "replay_start_ms", &ctl->replay_start_ms));
    TRY(get_str(o, "circuit", ctl->circuit, sizeof ctl->circuit));
    ctl->podium = -1; /* absent (an older writer): the runner's default */
    TRY(get_int(o, "podium", &ctl->podium, -1, 1));
    TRY(get_int(o, "tick_hz", &ctl->tick_hz, 0, 10));
    TRY(get_int(o, "laps", &ctl->laps, 0, 200));
    TRY(get_int(o, "weather", &ctl->weather, 0, 3));
    TRY(get_int(o, "red_flag", &ctl->red_flag, 0, 1));
    TRY(get_int(o, "penalties", &ctl->penalties, 0, 1));
    TRY(get_int(o, "damage", &ctl->damage, 0, 1));
    TRY(get_i64(o, "seek_ms", &ctl->seek_ms));
    TRY(get_str(o, "control_hash", ctl->control_hash, sizeof ctl->control_hash));
    TRY(get_str(o, "control_token", ctl->control_token, sizeof ctl->control_token));
    json_t *sp = json_object_get(o, "replay_speed");
    if (sp) {
        if (!json_is_number(sp)) {
            rc = PW_EPARSE;
            goto out;
        }
        ctl->replay_speed = json_number_value(sp);
    }
    if (!ctl->race_id[0])
        rc = PW_ERANGE_IN;
out:
    json_decref(o);
    return rc;
}
