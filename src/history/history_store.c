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

static bool result_valid(const struct history_result *r)
{
    const struct pw_driver *d = &r->driver;
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

static int put_race(struct history *h, const struct history_race *r)
{
    sqlite3_stmt *st = h->st[HST_RACE_PUT];
    const char *texts[] = {r->race_id,       r->source,        r->title, r->selected_number,
                           r->selected_name, r->selected_team, r->status};
    for (int i = 0; i < 7; i++)
        sqlite3_bind_text(st, i + 1, texts[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, r->created_ms);
    sqlite3_bind_int64(st, 9, r->start_ms);
    sqlite3_bind_int64(st, 10, r->end_ms);
    sqlite3_bind_int(st, 11, r->total_laps);
    sqlite3_bind_int(st, 12, r->laps_completed);
    sqlite3_bind_int64(st, 13, r->wall_duration_ms);
    sqlite3_bind_text(st, 14, r->kind[0] ? r->kind : "race", -1, SQLITE_STATIC);
    return step_done(h, HST_RACE_PUT, "saving a race");
}

static int put_result(struct history *h, const char *race_id, int idx,
                      const struct history_result *r)
{
    sqlite3_stmt *st = h->st[HST_RESULT_PUT];
    const struct pw_driver *d = &r->driver;
    sqlite3_bind_text(st, 1, race_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, idx);
    const char *texts[] = {d->number, d->tla, d->name, d->team, d->team_color};
    for (int i = 0; i < 5; i++)
        sqlite3_bind_text(st, i + 3, texts[i], -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, r->position);
    sqlite3_bind_int(st, 9, r->laps);
    sqlite3_bind_int64(st, 10, r->gap_ms);
    sqlite3_bind_int(st, 11, r->gap_laps);
    sqlite3_bind_int64(st, 12, r->best_lap_ms);
    sqlite3_bind_int(st, 13, r->pit_stops);
    sqlite3_bind_int(st, 14, r->retired);
    sqlite3_bind_int(st, 15, r->finished);
    return step_done(h, HST_RESULT_PUT, "saving a result");
}

int history_save(struct history *h, const struct history_race *race,
                 const struct history_result *results, int n)
{
    if (!h || !race || n < 0 || n > HISTORY_MAX_RESULTS || (n > 0 && !results) ||
        !race_valid(race))
        return -EINVAL;
    for (int i = 0; i < n; i++)
        if (!result_valid(&results[i]))
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
        rc = put_result(h, race->race_id, i, &results[i]);
    if (rc == 0)
        rc = step_done(h, HST_COMMIT, "committing a race");
    if (rc < 0 && !sqlite3_get_autocommit(h->db))
        step_done(h, HST_ROLLBACK, "rolling back");
    return rc;
}

static void read_race(sqlite3_stmt *st, struct history_race *r)
{
    memset(r, 0, sizeof *r);
    column_copy(st, 0, r->race_id, sizeof r->race_id);
    column_copy(st, 1, r->source, sizeof r->source);
    column_copy(st, 2, r->title, sizeof r->title);
    column_copy(st, 3, r->selected_number, sizeof r->selected_number);
    column_copy(st, 4, r->selected_name, sizeof r->selected_name);
    column_copy(st, 5, r->selected_team, sizeof r->selected_team);
    column_copy(st, 6, r->status, sizeof r->status);
    r->created_ms = sqlite3_column_int64(st, 7);
    r->start_ms = sqlite3_column_int64(st, 8);
    r->end_ms = sqlite3_column_int64(st, 9);
    r->total_laps = column_int(st, 10);
    r->laps_completed = column_int(st, 11);
    r->wall_duration_ms = sqlite3_column_int64(st, 12);
    column_copy(st, 13, r->kind, sizeof r->kind);
}

static void read_result(sqlite3_stmt *st, struct history_result *r)
{
    memset(r, 0, sizeof *r);
    column_copy(st, 0, r->driver.number, sizeof r->driver.number);
    column_copy(st, 1, r->driver.tla, sizeof r->driver.tla);
    column_copy(st, 2, r->driver.name, sizeof r->driver.name);
    column_copy(st, 3, r->driver.team, sizeof r->driver.team);
    column_copy(st, 4, r->driver.team_color, sizeof r->driver.team_color);
    r->position = column_int(st, 5);
    r->laps = column_int(st, 6);
    r->gap_ms = sqlite3_column_int64(st, 7);
    r->gap_laps = column_int(st, 8);
    r->best_lap_ms = sqlite3_column_int64(st, 9);
    r->pit_stops = column_int(st, 10);
    r->retired = sqlite3_column_int(st, 11) != 0;
    r->finished = sqlite3_column_int(st, 12) != 0;
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
                struct history_result *results, int max, int *n_out)
{
    if (!h || !race_id || !race || max < 0 || (max > 0 && !results) || !n_out)
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
            read_result(st, &results[n++]);
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
