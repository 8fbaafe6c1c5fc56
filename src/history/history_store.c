/* history_store.c — saving and reading races with the prepared statements of history_open.c. */
#include "history/history_internal.h"
#include "core/error.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#define TERMINATED(field) (strnlen((field), sizeof(field)) < sizeof(field))

static bool race_valid(const struct history_race *r)
{
    return TERMINATED(r->race_id) && r->race_id[0] && TERMINATED(r->source) &&
           TERMINATED(r->title) && TERMINATED(r->selected_number) &&
           TERMINATED(r->selected_name) && TERMINATED(r->selected_team) && TERMINATED(r->kind) &&
           (strcmp(r->status, "finished") == 0 || strcmp(r->status, "stopped") == 0);
}

static bool car_valid(const struct pw_car *c)
{
    const struct pw_driver *d = &c->driver;
    return TERMINATED(d->number) && TERMINATED(d->tla) && TERMINATED(d->name) &&
           TERMINATED(d->team) && TERMINATED(d->team_color);
}

/* Copy a text column into dst, cut at a UTF-8 character boundary if the file holds more
 * than dst takes. */
static void column_copy(sqlite3_stmt *st, int col, char *dst, size_t size)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, t, n);
    dst[n] = '\0';
}

static int column_int(sqlite3_stmt *st, int col)
{
    sqlite3_int64 v = sqlite3_column_int64(st, col);
    return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

/* An integer column cut to lo..hi: what no race can have does not reach the encoders. */
static int column_int_in(sqlite3_stmt *st, int col, int lo, int hi)
{
    int v = column_int(st, col);
    return v < lo ? lo : v > hi ? hi : v;
}

/* A count (laps, stops, seconds owed, ...): 0 and up. */
static int column_count(sqlite3_stmt *st, int col)
{
    return column_int_in(st, col, 0, INT_MAX);
}

/* A time in ms that is never negative (a lap, a sector, a clock). */
static int64_t column_ms(sqlite3_stmt *st, int col)
{
    sqlite3_int64 v = sqlite3_column_int64(st, col);
    return v < 0 ? 0 : v;
}

static void stmt_done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Run a statement that returns no rows. */
static int step_done(struct history *h, enum history_stmt which, const char *what)
{
    sqlite3_stmt *st = h->st[which];
    int rc = sqlite3_step(st);
    stmt_done(st);
    return rc == SQLITE_DONE ? 0 : history_sqlite_error(h, rc, what);
}

static void bind_text(sqlite3_stmt *st, int col, const char *text)
{
    sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
}

/* Bound in the order of RACE_COLS (history_open.c). */
static int put_race(struct history *h, const struct history_race *r)
{
    sqlite3_stmt *st = h->st[HST_RACE_PUT];
    int c = 1;
    const char *texts[] = {r->race_id,       r->source,        r->title, r->selected_number,
                           r->selected_name, r->selected_team, r->status};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        bind_text(st, c++, texts[i]);
    sqlite3_bind_int64(st, c++, r->created_ms);
    sqlite3_bind_int64(st, c++, r->start_ms);
    sqlite3_bind_int64(st, c++, r->end_ms);
    sqlite3_bind_int(st, c++, r->total_laps);
    sqlite3_bind_int(st, c++, r->laps_completed);
    sqlite3_bind_int64(st, c++, r->wall_duration_ms);
    bind_text(st, c++, r->kind[0] ? r->kind : "race");
    sqlite3_bind_int(st, c++, r->lap);
    bind_text(st, c++, pw_track_name(r->track));
    sqlite3_bind_int64(st, c++, r->race_ms);
    bind_text(st, c++, r->fastest_number);
    sqlite3_bind_int64(st, c++, r->fastest_lap_ms);
    sqlite3_bind_int(st, c++, r->weather_known);
    sqlite3_bind_int(st, c++, r->rain_chance);
    sqlite3_bind_int(st, c++, r->raining);
    sqlite3_bind_int(st, c++, r->track_wetness);
    sqlite3_bind_int(st, c++, r->penalties_known);
    sqlite3_bind_int(st, c++, r->damage_known);
    sqlite3_bind_int64(st, c++, r->clock_ms);
    sqlite3_bind_int(st, c++, r->clock_running);
    sqlite3_bind_int(st, c++, r->session_part);
    sqlite3_bind_int(st, c, r->cutoff_position);
    return step_done(h, HST_RACE_PUT, "saving a race");
}

/* Bound in the order of RESULT_COLS (history_open.c), after the race and the place. */
static int put_result(struct history *h, const char *race_id, int idx, const struct pw_car *r)
{
    sqlite3_stmt *st = h->st[HST_RESULT_PUT];
    const struct pw_driver *d = &r->driver;
    int c = 1;
    bind_text(st, c++, race_id);
    sqlite3_bind_int(st, c++, idx);
    const char *texts[] = {d->number, d->tla, d->name, d->team, d->team_color};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        bind_text(st, c++, texts[i]);
    sqlite3_bind_int(st, c++, r->position);
    sqlite3_bind_int(st, c++, r->laps);
    sqlite3_bind_int64(st, c++, r->gap_ms);
    sqlite3_bind_int(st, c++, r->gap_laps);
    sqlite3_bind_int64(st, c++, r->best_lap_ms);
    sqlite3_bind_int(st, c++, r->pit_stops);
    sqlite3_bind_int(st, c++, r->retired);
    sqlite3_bind_int(st, c++, r->finished);
    sqlite3_bind_int64(st, c++, r->interval_ms);
    sqlite3_bind_int(st, c++, r->interval_laps);
    sqlite3_bind_int64(st, c++, r->last_lap_ms);
    sqlite3_bind_int(st, c++, r->best_lap_no);
    for (int i = 0; i < 3; i++)
        sqlite3_bind_int64(st, c++, r->sectors_ms[i]);
    bind_text(st, c++, r->tyre == PW_TYRE_UNKNOWN ? "" : pw_tyre_name(r->tyre));
    sqlite3_bind_int(st, c++, r->tyre_age);
    sqlite3_bind_int(st, c++, r->tyre_new);
    sqlite3_bind_int(st, c++, r->in_pit);
    for (int i = 0; i < 3; i++)
        sqlite3_bind_int64(st, c++, r->best_sectors_ms[i]);
    sqlite3_bind_int(st, c++, r->stints);
    for (int i = 0; i < PW_QUALI_PARTS; i++)
        sqlite3_bind_int64(st, c++, r->part_best_ms[i]);
    sqlite3_bind_int(st, c++, r->knocked_out_part);
    sqlite3_bind_int(st, c++, r->deleted_laps);
    sqlite3_bind_int(st, c++, r->penalty_s);
    sqlite3_bind_int(st, c++, r->drive_through);
    sqlite3_bind_int(st, c++, r->black_white);
    bind_text(st, c, pw_damage_name(r->damage));
    return step_done(h, HST_RESULT_PUT, "saving a result");
}

int history_save(struct history *h, const struct history_race *race, const struct pw_car *cars,
                 int n)
{
    if (!h || !race || n < 0 || n > HISTORY_MAX_RESULTS || (n > 0 && !cars) ||
        !race_valid(race))
        return -EINVAL;
    for (int i = 0; i < n; i++)
        if (!car_valid(&cars[i]))
            return -EINVAL;
    int rc = step_done(h, HST_BEGIN, "starting a transaction");
    if (rc < 0)
        return rc;
    rc = put_race(h, race);
    if (rc == 0) {
        sqlite3_bind_text(h->st[HST_RESULTS_DEL], 1, race->race_id, -1, SQLITE_STATIC);
        rc = step_done(h, HST_RESULTS_DEL, "replacing results");
    }
    for (int i = 0; rc == 0 && i < n; i++)
        rc = put_result(h, race->race_id, i, &cars[i]);
    if (rc == 0)
        rc = step_done(h, HST_COMMIT, "committing a race");
    if (rc < 0 && !sqlite3_get_autocommit(h->db))
        step_done(h, HST_ROLLBACK, "rolling back");
    return rc;
}

/* Read in the order of RACE_READ_COLS (history_open.c). */
static void read_race(sqlite3_stmt *st, struct history_race *r)
{
    memset(r, 0, sizeof *r);
    int c = 0;
    column_copy(st, c++, r->race_id, sizeof r->race_id);
    column_copy(st, c++, r->source, sizeof r->source);
    column_copy(st, c++, r->title, sizeof r->title);
    column_copy(st, c++, r->selected_number, sizeof r->selected_number);
    column_copy(st, c++, r->selected_name, sizeof r->selected_name);
    column_copy(st, c++, r->selected_team, sizeof r->selected_team);
    column_copy(st, c++, r->status, sizeof r->status);
    r->created_ms = sqlite3_column_int64(st, c++);
    r->start_ms = sqlite3_column_int64(st, c++);
    r->end_ms = sqlite3_column_int64(st, c++);
    r->total_laps = column_int(st, c++);
    r->laps_completed = column_int(st, c++);
    r->wall_duration_ms = sqlite3_column_int64(st, c++);
    column_copy(st, c++, r->kind, sizeof r->kind);
    r->lap = column_count(st, c++);
    if (pw_track_parse((const char *)sqlite3_column_text(st, c++), &r->track) < 0)
        r->track = PW_TRACK_GREEN;
    r->race_ms = sqlite3_column_int64(st, c++); /* negative before lights out */
    column_copy(st, c++, r->fastest_number, sizeof r->fastest_number);
    r->fastest_lap_ms = column_ms(st, c++);
    r->weather_known = sqlite3_column_int(st, c++) != 0;
    r->rain_chance = column_int_in(st, c++, 0, 100);
    r->raining = sqlite3_column_int(st, c++) != 0;
    r->track_wetness = column_int_in(st, c++, 0, 100);
    r->penalties_known = sqlite3_column_int(st, c++) != 0;
    r->damage_known = sqlite3_column_int(st, c++) != 0;
    r->clock_ms = column_ms(st, c++);
    r->clock_running = sqlite3_column_int(st, c++) != 0;
    r->session_part = column_int_in(st, c++, 0, PW_QUALI_PARTS);
    r->cutoff_position = column_int_in(st, c++, 0, PW_MAX_CARS);
    column_copy(st, c++, r->first_number, sizeof r->first_number);
    column_copy(st, c, r->first_name, sizeof r->first_name);
}

/* Read in the order of RESULT_COLS (history_open.c). */
static void read_result(sqlite3_stmt *st, struct pw_car *r)
{
    memset(r, 0, sizeof *r);
    int c = 0;
    column_copy(st, c++, r->driver.number, sizeof r->driver.number);
    column_copy(st, c++, r->driver.tla, sizeof r->driver.tla);
    column_copy(st, c++, r->driver.name, sizeof r->driver.name);
    column_copy(st, c++, r->driver.team, sizeof r->driver.team);
    column_copy(st, c++, r->driver.team_color, sizeof r->driver.team_color);
    r->position = column_int(st, c++);
    r->laps = column_count(st, c++);
    r->gap_ms = sqlite3_column_int64(st, c++);
    r->gap_laps = column_count(st, c++);
    r->best_lap_ms = column_ms(st, c++);
    r->pit_stops = column_count(st, c++);
    r->retired = sqlite3_column_int(st, c++) != 0;
    r->finished = sqlite3_column_int(st, c++) != 0;
    r->interval_ms = sqlite3_column_int64(st, c++);
    r->interval_laps = column_count(st, c++);
    r->last_lap_ms = column_ms(st, c++);
    r->best_lap_no = column_count(st, c++);
    for (int i = 0; i < 3; i++)
        r->sectors_ms[i] = column_ms(st, c++);
    r->tyre = pw_tyre_parse((const char *)sqlite3_column_text(st, c++));
    r->tyre_age = column_count(st, c++);
    r->tyre_new = sqlite3_column_int(st, c++) != 0;
    r->in_pit = sqlite3_column_int(st, c++) != 0;
    for (int i = 0; i < 3; i++)
        r->best_sectors_ms[i] = column_ms(st, c++);
    r->stints = column_count(st, c++);
    for (int i = 0; i < PW_QUALI_PARTS; i++)
        r->part_best_ms[i] = column_ms(st, c++);
    r->knocked_out_part = column_int_in(st, c++, 0, PW_QUALI_PARTS);
    r->deleted_laps = column_count(st, c++);
    r->penalty_s = column_count(st, c++);
    r->drive_through = sqlite3_column_int(st, c++) != 0;
    r->black_white = sqlite3_column_int(st, c++) != 0;
    if (pw_damage_parse((const char *)sqlite3_column_text(st, c), &r->damage) < 0)
        r->damage = PW_DAMAGE_NONE;
}

int history_list(struct history *h, int limit, int offset, struct history_race *out, int max,
                 int *n_out)
{
    if (!h || limit < 0 || offset < 0 || max < 0 || (max > 0 && !out) || !n_out)
        return -EINVAL;
    *n_out = 0;
    sqlite3_stmt *st = h->st[HST_LIST];
    sqlite3_bind_int(st, 1, limit < max ? limit : max);
    sqlite3_bind_int(st, 2, offset);
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
        read_race(st, &out[n++]);
    stmt_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return history_sqlite_error(h, rc, "listing races");
    *n_out = n;
    return 0;
}

int history_get(struct history *h, const char *race_id, struct history_race *race,
                struct pw_car *cars, int max, int *n_out)
{
    if (!h || !race_id || !race || max < 0 || (max > 0 && !cars) || !n_out)
        return -EINVAL;
    *n_out = 0;
    if (strnlen(race_id, PW_RACE_ID_MAX) >= PW_RACE_ID_MAX)
        return -ENOENT; /* longer than any id that can be saved */
    /* Both reads in one transaction, so a concurrent replace cannot mix two versions. */
    int rc = step_done(h, HST_BEGIN_READ, "starting a read");
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = h->st[HST_RACE_GET];
    sqlite3_bind_text(st, 1, race_id, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        read_race(st, race);
    stmt_done(st);
    if (src == SQLITE_DONE) {
        rc = -ENOENT;
    } else if (src != SQLITE_ROW) {
        rc = history_sqlite_error(h, src, "reading a race");
    } else {
        st = h->st[HST_RESULTS_GET];
        sqlite3_bind_text(st, 1, race_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, max);
        int n = 0;
        while ((src = sqlite3_step(st)) == SQLITE_ROW && n < max)
            read_result(st, &cars[n++]);
        stmt_done(st);
        if (src != SQLITE_DONE && src != SQLITE_ROW)
            rc = history_sqlite_error(h, src, "reading results");
        else
            *n_out = n;
    }
    int end = step_done(h, HST_COMMIT, "ending a read");
    if (end < 0 && !sqlite3_get_autocommit(h->db))
        step_done(h, HST_ROLLBACK, "rolling back");
    return rc < 0 ? rc : end;
}

int history_count(struct history *h, int *out)
{
    if (!h || !out)
        return -EINVAL;
    sqlite3_stmt *st = h->st[HST_COUNT];
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = column_int(st, 0);
    stmt_done(st);
    return rc == SQLITE_ROW ? 0 : history_sqlite_error(h, rc, "counting races");
}
