/* history_open.c — opening the database: directories, pragmas, schema migration, statements. */
#include "history/history_internal.h"
#include "core/error.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HISTORY_BUSY_MS 5000

/* Schema steps: entry i takes user_version i to i + 1. Append only, never edit a step that
 * has shipped: files in the field are at its result. */
static const char *const migrations[HISTORY_SCHEMA_VERSION] = {
    "CREATE TABLE races ("
    " race_id TEXT PRIMARY KEY NOT NULL,"
    " source TEXT NOT NULL, title TEXT NOT NULL,"
    " selected_number TEXT NOT NULL, selected_name TEXT NOT NULL, selected_team TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('finished', 'stopped')),"
    " created_ms INTEGER NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,"
    " total_laps INTEGER NOT NULL, laps_completed INTEGER NOT NULL,"
    " wall_duration_ms INTEGER NOT NULL);"
    "CREATE INDEX races_newest ON races (end_ms DESC, created_ms DESC);"
    "CREATE TABLE results ("
    " race_id TEXT NOT NULL, idx INTEGER NOT NULL,"
    " number TEXT NOT NULL, tla TEXT NOT NULL, name TEXT NOT NULL, team TEXT NOT NULL,"
    " team_color TEXT NOT NULL,"
    " position INTEGER NOT NULL, laps INTEGER NOT NULL, gap_ms INTEGER NOT NULL,"
    " gap_laps INTEGER NOT NULL, best_lap_ms INTEGER NOT NULL, pit_stops INTEGER NOT NULL,"
    " retired INTEGER NOT NULL, finished INTEGER NOT NULL,"
    " PRIMARY KEY (race_id, idx)) WITHOUT ROWID;",
    /* 2: the kind of session (practice and qualifying replays are no races). */
    "ALTER TABLE races ADD COLUMN kind TEXT NOT NULL DEFAULT 'race';",
    /* 3: everything the final positions frame shows, so a race answered from here after a
     * restart looks as it did live: the race's lap, track, fastest lap, weather, what its
     * source knows and its session clock; each car's every figure (intervals, last lap,
     * sectors, tyre, qualifying times, penalties, damage). A race saved before keeps its
     * lap as the laps it had completed. */
    "ALTER TABLE races ADD COLUMN lap INTEGER NOT NULL DEFAULT 0;"
    "UPDATE races SET lap = laps_completed;"
    "ALTER TABLE races ADD COLUMN track_status TEXT NOT NULL DEFAULT 'green';"
    "ALTER TABLE races ADD COLUMN race_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE races ADD COLUMN fastest_number TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE races ADD COLUMN fastest_lap_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE races ADD COLUMN weather_known INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE races ADD COLUMN rain_chance INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE races ADD COLUMN raining INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE races ADD COLUMN track_wetness INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE races ADD COLUMN penalties_known INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE races ADD COLUMN damage_known INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE races ADD COLUMN clock_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE races ADD COLUMN clock_running INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE races ADD COLUMN session_part INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE races ADD COLUMN cutoff_position INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN interval_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN interval_laps INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN last_lap_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN best_lap_no INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN sector1_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN sector2_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN sector3_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN tyre TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE results ADD COLUMN tyre_age INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN tyre_new INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN in_pit INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN best_sector1_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN best_sector2_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN best_sector3_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN stints INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN q1_best_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN q2_best_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN q3_best_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN knocked_out_part INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN deleted_laps INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN penalty_s INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN drive_through INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN black_white INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN damage TEXT NOT NULL DEFAULT 'none';",
};

/* The columns in the order history_store.c binds and reads them. */
#define RACE_COLS                                                                             \
    "race_id, source, title, selected_number, selected_name, selected_team, status,"        \
    " created_ms, start_ms, end_ms, total_laps, laps_completed, wall_duration_ms, kind,"    \
    " lap, track_status, race_ms, fastest_number, fastest_lap_ms, weather_known,"           \
    " rain_chance, raining, track_wetness, penalties_known, damage_known, clock_ms,"         \
    " clock_running, session_part, cutoff_position"
#define RACE_PLACES "?" REPEAT_28(", ?")
/* What reading a race adds: the first car of its classification, for the races list. */
#define RACE_READ_COLS                                                                             \
    RACE_COLS ", (SELECT number FROM results WHERE results.race_id = races.race_id AND idx = 0),"  \
              " (SELECT name FROM results WHERE results.race_id = races.race_id AND idx = 0)"
#define RESULT_COLS                                                                           \
    "number, tla, name, team, team_color, position, laps, gap_ms, gap_laps, best_lap_ms,"   \
    " pit_stops, retired, finished, interval_ms, interval_laps, last_lap_ms, best_lap_no,"   \
    " sector1_ms, sector2_ms, sector3_ms, tyre, tyre_age, tyre_new, in_pit,"                \
    " best_sector1_ms, best_sector2_ms, best_sector3_ms, stints, q1_best_ms, q2_best_ms,"   \
    " q3_best_ms, knocked_out_part, deleted_laps, penalty_s, drive_through, black_white,"   \
    " damage"
#define RESULT_PLACES "?, ?, ?" REPEAT_36(", ?") /* race_id, idx and the 37 above */
#define REPEAT_4(x) x x x x
#define REPEAT_28(x) REPEAT_4(REPEAT_4(x)) REPEAT_4(x x x)
#define REPEAT_36(x) REPEAT_4(REPEAT_4(x) REPEAT_4(x)) REPEAT_4(x)

static const char *const statements[HST_COUNT_ALL] = {
    [HST_BEGIN] = "BEGIN IMMEDIATE",
    [HST_BEGIN_READ] = "BEGIN",
    [HST_COMMIT] = "COMMIT",
    [HST_ROLLBACK] = "ROLLBACK",
    [HST_RACE_PUT] = "INSERT OR REPLACE INTO races (" RACE_COLS ") VALUES (" RACE_PLACES ")",
    [HST_RESULTS_DEL] = "DELETE FROM results WHERE race_id = ?",
    [HST_RESULT_PUT] = "INSERT INTO results (race_id, idx, " RESULT_COLS ")"
                       " VALUES (" RESULT_PLACES ")",
    [HST_LIST] = "SELECT " RACE_READ_COLS " FROM races"
                 " ORDER BY end_ms DESC, created_ms DESC, race_id DESC LIMIT ? OFFSET ?",
    [HST_RACE_GET] = "SELECT " RACE_READ_COLS " FROM races WHERE race_id = ?",
    [HST_RESULTS_GET] = "SELECT " RESULT_COLS " FROM results WHERE race_id = ? ORDER BY idx"
                        " LIMIT ?",
    [HST_COUNT] = "SELECT count(*) FROM races",
};

int history_sqlite_error(const struct history *h, int rc, const char *what)
{
    const char *msg = h && h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc);
    int code;
    switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_SCHEMA:
        code = PW_EPARSE;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = -EBUSY;
        break;
    case SQLITE_NOMEM:
        code = -ENOMEM;
        break;
    case SQLITE_FULL:
        code = -ENOSPC;
        break;
    case SQLITE_READONLY:
        code = -EROFS;
        break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        code = -EACCES;
        break;
    default:
        code = -EIO;
    }
    PW_ERROR(h ? h->log : NULL, "history", "%s: %s", what, msg);
    return code;
}

/* mkdir -p of the directory part of `path`. */
static int make_parent_dirs(const char *path, const struct pw_log *log)
{
    char dir[PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof dir)
        return -ENAMETOOLONG;
    memcpy(dir, path, len + 1);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; ; p++) {
        bool end = *p == '\0';
        if (*p != '/' && !end)
            continue;
        *p = '\0';
        struct stat st;
        int rc = 0;
        if (mkdir(dir, 0755) < 0)
            rc = errno != EEXIST ? -errno : stat(dir, &st) < 0 ? -errno
                                          : S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
        if (rc < 0) {
            PW_ERROR(log, "history", "cannot create directory %s: %s", dir, strerror(-rc));
            return rc;
        }
        if (end)
            break;
        *p = '/';
    }
    return 0;
}

static int exec_sql(struct history *h, const char *sql, const char *what)
{
    int rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : history_sqlite_error(h, rc, what);
}

static int read_int(struct history *h, const char *sql, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : history_sqlite_error(h, rc, sql);
}

/* Bring the schema to HISTORY_SCHEMA_VERSION. The version is read inside the write
 * transaction so two processes opening a new file at once do not both migrate. */
static int migrate(struct history *h, const char *path)
{
    int rc = exec_sql(h, "BEGIN IMMEDIATE", "starting the schema check");
    if (rc < 0)
        return rc;
    int version = 0;
    rc = read_int(h, "PRAGMA user_version", &version);
    if (rc < 0)
        goto out;
    if (version > HISTORY_SCHEMA_VERSION || version < 0) {
        PW_ERROR(h->log, "history", "%s has schema version %d; this pitwall knows up to %d", path,
                 version, HISTORY_SCHEMA_VERSION);
        rc = PW_EPARSE;
        goto out;
    }
    for (int v = version; v < HISTORY_SCHEMA_VERSION; v++) {
        rc = exec_sql(h, migrations[v], "migrating the schema");
        if (rc == -EIO)
            rc = PW_EPARSE; /* our tables clash with what the file holds: not ours */
        if (rc < 0)
            goto out;
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
        rc = exec_sql(h, sql, "migrating the schema");
        if (rc < 0)
            goto out;
        PW_INFO(h->log, "history", "%s: schema migrated to version %d", path, v + 1);
    }
    rc = exec_sql(h, "COMMIT", "committing the schema");
out:
    if (rc < 0)
        sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int set_pragmas(struct history *h)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *mode = (const char *)sqlite3_column_text(st, 0);
        rc = mode && strcmp(mode, "wal") == 0 ? SQLITE_OK : SQLITE_CANTOPEN;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return history_sqlite_error(h, rc, "setting WAL journal mode");
    return exec_sql(h, "PRAGMA synchronous = FULL", "setting synchronous=FULL");
}

int history_open(const char *path, const struct pw_log *log, struct history **out)
{
    *out = NULL;
    if (!path || !*path)
        return -EINVAL;
    int rc = make_parent_dirs(path, log);
    if (rc < 0)
        return rc;
    struct history *h = calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    h->log = log;
    int src = sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (src != SQLITE_OK) {
        rc = history_sqlite_error(h, src, path);
        goto out;
    }
    sqlite3_busy_timeout(h->db, HISTORY_BUSY_MS);
    rc = set_pragmas(h);
    if (rc == 0)
        rc = migrate(h, path);
    for (int i = 0; rc == 0 && i < HST_COUNT_ALL; i++) {
        src = sqlite3_prepare_v3(h->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT, &h->st[i],
                                 NULL);
        if (src != SQLITE_OK) {
            /* A file with our version number but not our tables: someone else's database. */
            history_sqlite_error(h, src, "preparing statements");
            rc = PW_EPARSE;
        }
    }
out:
    if (rc < 0) {
        if (rc == PW_EPARSE)
            PW_ERROR(log, "history",
                     "%s is not a usable pitwall history database; move it away to start a "
                     "new one", path);
        history_close(h);
        return rc;
    }
    *out = h;
    return 0;
}

void history_close(struct history *h)
{
    if (!h)
        return;
    for (int i = 0; i < HST_COUNT_ALL; i++)
        sqlite3_finalize(h->st[i]);
    sqlite3_close(h->db);
    free(h);
}
