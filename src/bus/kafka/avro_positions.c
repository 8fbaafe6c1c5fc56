#include "bus/kafka/avro_positions.h"

#include "core/error.h"

#include <stdio.h>
#include <string.h>

/* pitwall's fields come after the original four, each with a default: that is what makes
 * this a BACKWARD-compatible new version of the original subject. */
const char avro_positions_schema_json[] =
    "{\"type\":\"record\",\"name\":\"LeaderboardUpdate\",\"namespace\":\"com.f1leaderboard\","
    "\"fields\":["
    "{\"name\":\"driver_name\",\"type\":\"string\"},"
    "{\"name\":\"position\",\"type\":\"int\"},"
    "{\"name\":\"timestamp\",\"type\":\"long\"},"
    "{\"name\":\"race_id\",\"type\":[\"null\",\"string\"],\"default\":null},"
    "{\"name\":\"seq\",\"type\":\"long\",\"default\":0},"
    "{\"name\":\"n_cars\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"number\",\"type\":\"string\",\"default\":\"\"},"
    "{\"name\":\"tla\",\"type\":\"string\",\"default\":\"\"},"
    "{\"name\":\"team\",\"type\":\"string\",\"default\":\"\"},"
    "{\"name\":\"team_color\",\"type\":\"string\",\"default\":\"\"},"
    "{\"name\":\"laps\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"gap_ms\",\"type\":\"long\",\"default\":0},"
    "{\"name\":\"gap_laps\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"interval_ms\",\"type\":\"long\",\"default\":0},"
    "{\"name\":\"interval_laps\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"last_lap_ms\",\"type\":\"long\",\"default\":0},"
    "{\"name\":\"best_lap_ms\",\"type\":\"long\",\"default\":0},"
    "{\"name\":\"best_lap_no\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"sectors_ms\",\"type\":{\"type\":\"array\",\"items\":\"long\"},\"default\":[]},"
    "{\"name\":\"tyre\",\"type\":\"string\",\"default\":\"\"},"
    "{\"name\":\"tyre_age\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"tyre_new\",\"type\":\"boolean\",\"default\":false},"
    "{\"name\":\"pit_stops\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"in_pit\",\"type\":\"boolean\",\"default\":false},"
    "{\"name\":\"retired\",\"type\":\"boolean\",\"default\":false},"
    "{\"name\":\"finished\",\"type\":\"boolean\",\"default\":false},"
    "{\"name\":\"lap\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"total_laps\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"track_status\",\"type\":\"string\",\"default\":\"green\"},"
    "{\"name\":\"race_ms\",\"type\":\"long\",\"default\":0},"
    "{\"name\":\"server_ms\",\"type\":\"long\",\"default\":0},"
    "{\"name\":\"fastest_number\",\"type\":\"string\",\"default\":\"\"},"
    "{\"name\":\"fastest_lap_ms\",\"type\":\"long\",\"default\":0},"
    "{\"name\":\"started\",\"type\":\"boolean\",\"default\":false},"
    "{\"name\":\"race_finished\",\"type\":\"boolean\",\"default\":false},"
    "{\"name\":\"circuit\",\"type\":\"string\",\"default\":\"\"},"
    "{\"name\":\"session\",\"type\":\"string\",\"default\":\"\"},"
    "{\"name\":\"best_sectors_ms\",\"type\":{\"type\":\"array\",\"items\":\"long\"},\"default\":[]},"
    "{\"name\":\"stints\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"part_best_ms\",\"type\":{\"type\":\"array\",\"items\":\"long\"},\"default\":[]},"
    "{\"name\":\"knocked_out_part\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"deleted_laps\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"kind\",\"type\":\"string\",\"default\":\"race\"},"
    "{\"name\":\"clock_ms\",\"type\":\"long\",\"default\":0},"
    "{\"name\":\"clock_running\",\"type\":\"boolean\",\"default\":false},"
    "{\"name\":\"session_part\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"cutoff_position\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"rain_chance\",\"type\":\"int\",\"default\":-1},"
    "{\"name\":\"raining\",\"type\":\"boolean\",\"default\":false},"
    "{\"name\":\"track_wetness\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"penalties_known\",\"type\":\"boolean\",\"default\":false},"
    "{\"name\":\"penalty_s\",\"type\":\"int\",\"default\":0},"
    "{\"name\":\"drive_through\",\"type\":\"boolean\",\"default\":false},"
    "{\"name\":\"black_white\",\"type\":\"boolean\",\"default\":false},"
    "{\"name\":\"damage_known\",\"type\":\"boolean\",\"default\":false},"
    "{\"name\":\"damage\",\"type\":\"string\",\"default\":\"none\"}"
    "]}";

const char avro_positions_original_schema_json[] =
    "{\"type\":\"record\",\"name\":\"LeaderboardUpdate\",\"namespace\":\"com.f1leaderboard\","
    "\"fields\":["
    "{\"name\":\"driver_name\",\"type\":\"string\"},"
    "{\"name\":\"position\",\"type\":\"int\"},"
    "{\"name\":\"timestamp\",\"type\":\"long\"},"
    "{\"name\":\"race_id\",\"type\":[\"null\",\"string\"],\"default\":null}"
    "]}";

int avro_positions_init(struct avro_positions *ap)
{
    memset(ap, 0, sizeof *ap);
    if (avro_schema_from_json_length(avro_positions_schema_json,
                                     sizeof avro_positions_schema_json - 1, &ap->schema))
        return PW_EPARSE;
    ap->iface = avro_generic_class_from_schema(ap->schema);
    if (!ap->iface)
        goto fail;
    if (avro_generic_value_new(ap->iface, &ap->value))
        goto fail;
    ap->writer = avro_writer_memory(NULL, 0);
    if (!ap->writer)
        goto fail;
    return 0;
fail:
    avro_positions_destroy(ap);
    return -ENOMEM;
}

void avro_positions_destroy(struct avro_positions *ap)
{
    if (ap->writer)
        avro_writer_free(ap->writer);
    if (ap->value.self)
        avro_value_decref(&ap->value);
    if (ap->iface)
        avro_value_iface_decref(ap->iface);
    if (ap->schema)
        avro_schema_decref(ap->schema);
    memset(ap, 0, sizeof *ap);
}

/* ---- encoding ---- */

/* The record's field `name` into *f: 0, or -EINVAL when the schema has no such field. */
static int field_of(avro_value_t *rec, const char *name, avro_value_t *f)
{
    return avro_value_get_by_name(rec, name, f, NULL) ? -EINVAL : 0;
}

static int put_long(avro_value_t *rec, const char *name, int64_t v)
{
    avro_value_t f;
    if (field_of(rec, name, &f))
        return -EINVAL;
    return avro_value_get_type(&f) == AVRO_INT32 ? avro_value_set_int(&f, (int32_t)v)
                                               : avro_value_set_long(&f, v);
}

static int put_bool(avro_value_t *rec, const char *name, bool v)
{
    avro_value_t f;
    return field_of(rec, name, &f) ? -EINVAL : avro_value_set_boolean(&f, v);
}

static int put_str(avro_value_t *rec, const char *name, const char *s)
{
    avro_value_t f;
    return field_of(rec, name, &f) ? -EINVAL : avro_value_set_string_len(&f, s, strlen(s) + 1);
}

/* A fixed list of longs; with `empty_if_zero`, written empty when all are 0 (a race's
 * cars: one byte). */
static int put_longs(avro_value_t *rec, const char *name, const int64_t *v, int n,
                     bool empty_if_zero)
{
    avro_value_t f, item;
    bool any = !empty_if_zero;
    for (int i = 0; i < n; i++)
        any = any || v[i] != 0;
    if (field_of(rec, name, &f))
        return -EINVAL;
    for (int i = 0; any && i < n; i++) {
        if (avro_value_append(&f, &item, NULL) || avro_value_set_long(&item, v[i]))
            return -EINVAL;
    }
    return 0;
}

int avro_positions_encode(struct avro_positions *ap, const struct pw_event *ev, int index,
                          char *buf, size_t len)
{
    const struct pw_race_state *st = ev->state;
    if (!st || index < 0 || index >= st->n_cars)
        return -EINVAL;
    const struct pw_car *car = &st->cars[index];
    avro_value_t *r = &ap->value;
    avro_value_t f, branch;
    int err = 0;

    avro_value_reset(r);
    err |= put_str(r, "driver_name", car->driver.name);
    err |= put_long(r, "position", index + 1);
    err |= put_long(r, "timestamp", ev->wall_ms);
    if (field_of(r, "race_id", &f) || avro_value_set_branch(&f, 1, &branch) ||
        avro_value_set_string_len(&branch, ev->race_id, strlen(ev->race_id) + 1))
        return -EINVAL;
    err |= put_long(r, "seq", (int64_t)ev->seq);
    err |= put_long(r, "n_cars", st->n_cars);
    err |= put_str(r, "number", car->driver.number);
    err |= put_str(r, "tla", car->driver.tla);
    err |= put_str(r, "team", car->driver.team);
    err |= put_str(r, "team_color", car->driver.team_color);
    err |= put_long(r, "laps", car->laps);
    err |= put_long(r, "gap_ms", car->gap_ms);
    err |= put_long(r, "gap_laps", car->gap_laps);
    err |= put_long(r, "interval_ms", car->interval_ms);
    err |= put_long(r, "interval_laps", car->interval_laps);
    err |= put_long(r, "last_lap_ms", car->last_lap_ms);
    err |= put_long(r, "best_lap_ms", car->best_lap_ms);
    err |= put_long(r, "best_lap_no", car->best_lap_no);
    err |= put_longs(r, "sectors_ms", car->sectors_ms, 3, false);
    err |= put_str(r, "tyre", pw_tyre_name(car->tyre));
    err |= put_long(r, "tyre_age", car->tyre_age);
    err |= put_bool(r, "tyre_new", car->tyre_new);
    err |= put_long(r, "pit_stops", car->pit_stops);
    err |= put_bool(r, "in_pit", car->in_pit);
    err |= put_bool(r, "retired", car->retired);
    err |= put_bool(r, "finished", car->finished);
    err |= put_long(r, "lap", st->lap);
    err |= put_long(r, "total_laps", st->total_laps);
    err |= put_str(r, "track_status", pw_track_name(st->track));
    err |= put_long(r, "race_ms", st->race_ms);
    err |= put_long(r, "server_ms", ev->wall_ms);
    err |= put_str(r, "fastest_number", st->fastest_number);
    err |= put_long(r, "fastest_lap_ms", st->fastest_lap_ms);
    err |= put_bool(r, "started", st->started);
    err |= put_bool(r, "race_finished", st->finished);
    err |= put_str(r, "circuit", st->circuit);
    err |= put_str(r, "session", st->session);
    err |= put_longs(r, "best_sectors_ms", car->best_sectors_ms, 3, true);
    err |= put_long(r, "stints", car->stints);
    err |= put_longs(r, "part_best_ms", car->part_best_ms, PW_QUALI_PARTS, true);
    err |= put_long(r, "knocked_out_part", car->knocked_out_part);
    err |= put_long(r, "deleted_laps", car->deleted_laps);
    err |= put_str(r, "kind", pw_session_kind_name(st->kind));
    err |= put_long(r, "clock_ms", st->clock_ms);
    err |= put_bool(r, "clock_running", st->clock_running);
    err |= put_long(r, "session_part", st->session_part);
    err |= put_long(r, "cutoff_position", st->cutoff_position);
    err |= put_long(r, "rain_chance", st->weather_known ? st->rain_chance : -1);
    err |= put_bool(r, "raining", st->raining);
    err |= put_long(r, "track_wetness", st->track_wetness);
    err |= put_bool(r, "penalties_known", st->penalties_known);
    err |= put_long(r, "penalty_s", car->penalty_s);
    err |= put_bool(r, "drive_through", car->drive_through);
    err |= put_bool(r, "black_white", car->black_white);
    err |= put_bool(r, "damage_known", st->damage_known);
    err |= put_str(r, "damage", pw_damage_name(car->damage));
    if (err)
        return -EINVAL;

    avro_writer_memory_set_dest(ap->writer, buf, (int64_t)len);
    if (avro_value_write(ap->writer, r))
        return -ENOSPC;
    return (int)avro_writer_tell(ap->writer);
}

void avro_wire_header_put(char *buf, int32_t id)
{
    uint32_t u = (uint32_t)id;
    buf[0] = AVRO_WIRE_MAGIC;
    buf[1] = (char)(u >> 24);
    buf[2] = (char)(u >> 16);
    buf[3] = (char)(u >> 8);
    buf[4] = (char)u;
}

int avro_wire_header_get(const void *buf, size_t len, int32_t *id)
{
    const unsigned char *p = buf;
    if (!p || len < AVRO_WIRE_HEADER || p[0] != AVRO_WIRE_MAGIC)
        return PW_EPARSE;
    *id = (int32_t)(((uint32_t)p[1] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 8) |
                    (uint32_t)p[4]);
    return 0;
}

/* ---- validation: walk the bytes against the writer schema before Avro C reads them ---- */

#define VALIDATE_MAX_DEPTH 32
#define VALIDATE_MAX_ITEMS 4096

struct vcursor {
    const unsigned char *p;
    size_t left;
    long items; /* element budget for arrays and maps */
};

static int v_varint(struct vcursor *c, int64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (c->left == 0)
            return PW_EPARSE;
        unsigned char b = *c->p++;
        c->left--;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
            return 0;
        }
    }
    return PW_EPARSE;
}

static int v_skip(struct vcursor *c, int64_t n)
{
    if (n < 0 || (uint64_t)n > c->left)
        return PW_EPARSE;
    c->p += n;
    c->left -= (size_t)n;
    return 0;
}

static int v_datum(struct vcursor *c, avro_schema_t s, int depth);

static int v_blocks(struct vcursor *c, avro_schema_t items, bool map, int depth)
{
    for (;;) {
        int64_t count, size;
        if (v_varint(c, &count))
            return PW_EPARSE;
        if (count == 0)
            return 0;
        if (count < 0) {
            if (count == INT64_MIN || v_varint(c, &size) || size < 0)
                return PW_EPARSE;
            count = -count;
        }
        if (count > c->items)
            return PW_EPARSE;
        c->items -= (long)count;
        for (int64_t i = 0; i < count; i++) {
            int64_t klen;
            if (map && (v_varint(c, &klen) || v_skip(c, klen)))
                return PW_EPARSE;
            if (v_datum(c, items, depth + 1))
                return PW_EPARSE;
        }
    }
}

static int v_datum(struct vcursor *c, avro_schema_t s, int depth)
{
    int64_t n;
    if (depth > VALIDATE_MAX_DEPTH)
        return PW_EPARSE;
    switch (avro_typeof(s)) {
    case AVRO_NULL:
        return 0;
    case AVRO_BOOLEAN:
        if (c->left == 0 || *c->p > 1)
            return PW_EPARSE;
        return v_skip(c, 1);
    case AVRO_INT32:
        if (v_varint(c, &n) || n < INT32_MIN || n > INT32_MAX)
            return PW_EPARSE;
        return 0;
    case AVRO_INT64:
        return v_varint(c, &n);
    case AVRO_FLOAT:
        return v_skip(c, 4);
    case AVRO_DOUBLE:
        return v_skip(c, 8);
    case AVRO_STRING:
    case AVRO_BYTES:
        if (v_varint(c, &n))
            return PW_EPARSE;
        return v_skip(c, n);
    case AVRO_FIXED:
        return v_skip(c, avro_schema_fixed_size(s));
    case AVRO_ENUM:
        if (v_varint(c, &n) || n < 0 || n >= avro_schema_enum_number_of_symbols(s))
            return PW_EPARSE;
        return 0;
    case AVRO_RECORD: {
        size_t nf = avro_schema_record_size(s);
        for (size_t i = 0; i < nf; i++) {
            if (v_datum(c, avro_schema_record_field_get_by_index(s, (int)i), depth + 1))
                return PW_EPARSE;
        }
        return 0;
    }
    case AVRO_ARRAY:
        return v_blocks(c, avro_schema_array_items(s), false, depth);
    case AVRO_MAP:
        return v_blocks(c, avro_schema_map_values(s), true, depth);
    case AVRO_UNION:
        if (v_varint(c, &n) || n < 0 || (size_t)n >= avro_schema_union_size(s))
            return PW_EPARSE;
        return v_datum(c, avro_schema_union_branch(s, (int)n), depth + 1);
    case AVRO_LINK:
        return v_datum(c, avro_schema_link_target(s), depth + 1);
    }
    return PW_EPARSE;
}

int avro_positions_validate(avro_schema_t schema, const void *buf, size_t len)
{
    struct vcursor c = {buf, len, VALIDATE_MAX_ITEMS};
    if (!buf || len > AVRO_POSITIONS_MAX)
        return PW_EPARSE;
    if (v_datum(&c, schema, 0) || c.left != 0)
        return PW_EPARSE;
    return 0;
}

/* ---- decoding ---- */

static avro_schema_t field_schema(avro_schema_t rec, const char *name)
{
    /* avro_schema_record_field_get() reads garbage for a missing name: look up the index */
    int index = avro_schema_record_field_get_index(rec, name);
    if (index < 0)
        return NULL;
    avro_schema_t f = avro_schema_record_field_get_by_index(rec, index);
    if (f && avro_typeof(f) == AVRO_UNION) {
        /* ["null", T]: what matters is T */
        for (size_t i = 0; i < avro_schema_union_size(f); i++) {
            avro_schema_t b = avro_schema_union_branch(f, (int)i);
            if (avro_typeof(b) != AVRO_NULL)
                return b;
        }
    }
    return f;
}

int avro_positions_check_schema(avro_schema_t schema)
{
    if (!schema || avro_typeof(schema) != AVRO_RECORD)
        return PW_EUNKNOWN;
    avro_schema_t name = field_schema(schema, "driver_name");
    avro_schema_t pos = field_schema(schema, "position");
    avro_schema_t ts = field_schema(schema, "timestamp");
    if (!name || avro_typeof(name) != AVRO_STRING || !pos ||
        (avro_typeof(pos) != AVRO_INT32 && avro_typeof(pos) != AVRO_INT64) || !ts ||
        (avro_typeof(ts) != AVRO_INT32 && avro_typeof(ts) != AVRO_INT64))
        return PW_EUNKNOWN;
    return 0;
}

static const char *const field_names[APF_COUNT] = {
    "driver_name", "position", "timestamp", "race_id", "seq", "n_cars", "number", "tla", "team",
    "team_color", "laps", "gap_ms", "gap_laps", "interval_ms", "interval_laps", "last_lap_ms",
    "best_lap_ms", "best_lap_no", "sectors_ms", "tyre", "tyre_age", "tyre_new", "pit_stops",
    "in_pit", "retired", "finished", "lap", "total_laps", "track_status", "race_ms", "server_ms",
    "fastest_number", "fastest_lap_ms", "started", "race_finished", "circuit", "session",
    "best_sectors_ms", "stints", "part_best_ms", "knocked_out_part", "deleted_laps", "kind",
    "clock_ms", "clock_running", "session_part", "cutoff_position", "rain_chance", "raining",
    "track_wetness", "penalties_known", "penalty_s", "drive_through", "black_white", "damage_known",
    "damage"};

void avro_positions_layout_init(avro_schema_t writer, struct avro_positions_layout *out)
{
    for (int i = 0; i < APF_COUNT; i++)
        out->index[i] = writer && avro_typeof(writer) == AVRO_RECORD
                            ? avro_schema_record_field_get_index(writer, field_names[i])
                            : -1;
}

struct fields {
    avro_value_t *rec;
    const struct avro_positions_layout *layout;
};

/* The field's value, a union unwrapped; -1 when the writer has no such field or wrote null:
 * the caller then uses the reader's default. */
static int get_field(const struct fields *fs, int field, avro_value_t *out)
{
    int index = fs->layout->index[field];
    if (index < 0 || avro_value_get_by_index(fs->rec, (size_t)index, out, NULL))
        return -1;
    if (avro_value_get_type(out) == AVRO_UNION) {
        avro_value_t b;
        if (avro_value_get_current_branch(out, &b))
            return -1;
        *out = b;
    }
    return avro_value_get_type(out) == AVRO_NULL ? -1 : 0;
}

static int64_t get_long(const struct fields *fs, int field, int64_t def)
{
    avro_value_t f;
    int32_t i;
    int64_t l;
    if (get_field(fs, field, &f))
        return def;
    if (avro_value_get_type(&f) == AVRO_INT32 && !avro_value_get_int(&f, &i))
        return i;
    if (avro_value_get_type(&f) == AVRO_INT64 && !avro_value_get_long(&f, &l))
        return l;
    return def;
}

static bool get_bool(const struct fields *fs, int field)
{
    avro_value_t f;
    int b = 0;
    if (get_field(fs, field, &f) || avro_value_get_type(&f) != AVRO_BOOLEAN ||
        avro_value_get_boolean(&f, &b))
        return false;
    return b != 0;
}

/* Copies the string field into dst; a value that does not fit is cut (display text) or,
 * with `strict`, refused. Returns 0 or PW_ERANGE_IN. */
static int get_str(const struct fields *fs, int field, char *dst, size_t cap, const char *def,
                   bool strict)
{
    avro_value_t f;
    const char *s = def;
    size_t size = strlen(def) + 1;
    if (!get_field(fs, field, &f) && avro_value_get_type(&f) == AVRO_STRING) {
        if (avro_value_get_string(&f, &s, &size) || !s || size == 0) {
            s = def;
            size = strlen(def) + 1;
        }
    }
    size_t n = strnlen(s, size - 1);
    if (n >= cap) {
        if (strict)
            return PW_ERANGE_IN;
        n = cap - 1;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

static int64_t clamp_int(int64_t v)
{
    return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
}

/* Reads a list of longs into v (n at most); absent or empty leaves zeroes. */
static void get_longs(const struct fields *fs, int field, int64_t *v, int n)
{
    avro_value_t f;
    size_t size = 0;
    if (get_field(fs, field, &f) || avro_value_get_type(&f) != AVRO_ARRAY ||
        avro_value_get_size(&f, &size))
        return;
    for (size_t i = 0; i < size && i < (size_t)n; i++) {
        avro_value_t item;
        int64_t l;
        int32_t iv;
        if (avro_value_get_by_index(&f, i, &item, NULL))
            break;
        if (avro_value_get_type(&item) == AVRO_INT64 && !avro_value_get_long(&item, &l))
            v[i] = l;
        else if (avro_value_get_type(&item) == AVRO_INT32 && !avro_value_get_int(&item, &iv))
            v[i] = iv;
    }
}

/* A count that must lie in [0, max]: anything else reads as 0. */
static int get_count(const struct fields *fs, int field, int max)
{
    int64_t v = get_long(fs, field, 0);
    return v >= 0 && v <= max ? (int)v : 0;
}

int avro_positions_decode(avro_value_t *value, const void *buf, size_t len,
                          struct avro_positions_record *out)
{
    struct avro_positions_layout layout;
    avro_schema_t schema = avro_value_get_schema(value);
    avro_positions_layout_init(schema, &layout);
    avro_reader_t reader = avro_reader_memory(buf, (int64_t)len);
    if (!reader)
        return -ENOMEM;
    int rc = avro_positions_decode_with(value, &layout, reader, buf, len, out);
    avro_reader_free(reader);
    return rc;
}

int avro_positions_decode_with(avro_value_t *value, const struct avro_positions_layout *layout,
                               avro_reader_t reader, const void *buf, size_t len,
                               struct avro_positions_record *out)
{
    char tyre[16], track[16];
    int rc = 0;
    const struct fields fs = {value, layout};
    const struct fields *F = &fs;
    avro_reader_memory_set_source(reader, buf, (int64_t)len);
    avro_value_reset(value);
    if (avro_value_read(reader, value)) {
        rc = PW_EPARSE;
        goto out;
    }
    memset(out, 0, sizeof *out);
    if (get_str(F, APF_RACE_ID, out->race_id, sizeof out->race_id, "", true) ||
        get_str(F, APF_NUMBER, out->car.driver.number, sizeof out->car.driver.number, "",
                true) ||
        get_str(F, APF_FASTEST_NUMBER, out->fastest_number, sizeof out->fastest_number, "",
                true)) {
        rc = PW_ERANGE_IN;
        goto out;
    }
    int64_t position = get_long(F, APF_POSITION, 0);
    int64_t n_cars = get_long(F, APF_N_CARS, 0);
    int64_t seq = get_long(F, APF_SEQ, 0);
    if (position < 1 || position > PW_MAX_CARS || n_cars < 0 || n_cars > PW_MAX_CARS ||
        (n_cars > 0 && position > n_cars) || seq < 0) {
        rc = PW_ERANGE_IN;
        goto out;
    }
    out->seq = (uint64_t)seq;
    out->n_cars = (int)n_cars;
    out->timestamp = get_long(F, APF_TIMESTAMP, 0);
    struct pw_car *car = &out->car;
    car->position = (int)position;
    get_str(F, APF_DRIVER_NAME, car->driver.name, sizeof car->driver.name, "", false);
    get_str(F, APF_TLA, car->driver.tla, sizeof car->driver.tla, "", false);
    get_str(F, APF_TEAM, car->driver.team, sizeof car->driver.team, "", false);
    get_str(F, APF_TEAM_COLOR, car->driver.team_color, sizeof car->driver.team_color, "",
            false);
    car->laps = (int)clamp_int(get_long(F, APF_LAPS, 0));
    car->gap_ms = get_long(F, APF_GAP_MS, 0);
    car->gap_laps = (int)clamp_int(get_long(F, APF_GAP_LAPS, 0));
    car->interval_ms = get_long(F, APF_INTERVAL_MS, 0);
    car->interval_laps = (int)clamp_int(get_long(F, APF_INTERVAL_LAPS, 0));
    car->last_lap_ms = get_long(F, APF_LAST_LAP_MS, 0);
    car->best_lap_ms = get_long(F, APF_BEST_LAP_MS, 0);
    car->best_lap_no = (int)clamp_int(get_long(F, APF_BEST_LAP_NO, 0));
    get_longs(F, APF_SECTORS_MS, car->sectors_ms, 3);
    get_str(F, APF_TYRE, tyre, sizeof tyre, "", false);
    car->tyre = pw_tyre_parse(tyre);
    car->tyre_age = (int)clamp_int(get_long(F, APF_TYRE_AGE, 0));
    car->tyre_new = get_bool(F, APF_TYRE_NEW);
    car->pit_stops = (int)clamp_int(get_long(F, APF_PIT_STOPS, 0));
    car->in_pit = get_bool(F, APF_IN_PIT);
    car->retired = get_bool(F, APF_RETIRED);
    car->finished = get_bool(F, APF_FINISHED);
    out->lap = (int)clamp_int(get_long(F, APF_LAP, 0));
    out->total_laps = (int)clamp_int(get_long(F, APF_TOTAL_LAPS, 0));
    get_str(F, APF_TRACK_STATUS, track, sizeof track, "green", false);
    if (pw_track_parse(track, &out->track))
        out->track = PW_TRACK_GREEN;
    out->race_ms = get_long(F, APF_RACE_MS, 0);
    out->server_ms = get_long(F, APF_SERVER_MS, out->timestamp);
    out->fastest_lap_ms = get_long(F, APF_FASTEST_LAP_MS, 0);
    out->started = get_bool(F, APF_STARTED);
    out->race_finished = get_bool(F, APF_RACE_FINISHED);
    get_str(F, APF_CIRCUIT, out->circuit, sizeof out->circuit, "", false);
    get_str(F, APF_SESSION, out->session, sizeof out->session, "", false);
    get_longs(F, APF_BEST_SECTORS_MS, car->best_sectors_ms, 3);
    car->stints = get_count(F, APF_STINTS, 1000);
    get_longs(F, APF_PART_BEST_MS, car->part_best_ms, PW_QUALI_PARTS);
    car->knocked_out_part = get_count(F, APF_KNOCKED_OUT_PART, PW_QUALI_PARTS);
    car->deleted_laps = get_count(F, APF_DELETED_LAPS, 10000);
    char kind[24];
    get_str(F, APF_KIND, kind, sizeof kind, "race", false);
    if (pw_session_kind_parse(kind, &out->kind))
        out->kind = PW_SESSION_RACE;
    out->clock_ms = get_long(F, APF_CLOCK_MS, 0);
    out->clock_running = get_bool(F, APF_CLOCK_RUNNING);
    out->session_part = get_count(F, APF_SESSION_PART, PW_QUALI_PARTS);
    out->cutoff_position = get_count(F, APF_CUTOFF_POSITION, PW_MAX_CARS);
    int64_t chance = get_long(F, APF_RAIN_CHANCE, -1);
    out->rain_chance = chance >= 0 && chance <= 100 ? (int)chance : -1;
    out->raining = get_bool(F, APF_RAINING);
    out->track_wetness = get_count(F, APF_TRACK_WETNESS, 100);
    out->penalties_known = get_bool(F, APF_PENALTIES_KNOWN);
    car->penalty_s = get_count(F, APF_PENALTY_S, 100000);
    car->drive_through = get_bool(F, APF_DRIVE_THROUGH);
    car->black_white = get_bool(F, APF_BLACK_WHITE);
    out->damage_known = get_bool(F, APF_DAMAGE_KNOWN);
    char damage[16];
    get_str(F, APF_DAMAGE, damage, sizeof damage, "none", false);
    if (pw_damage_parse(damage, &car->damage))
        car->damage = PW_DAMAGE_NONE;
out:
    return rc;
}
