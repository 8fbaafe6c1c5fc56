/* Unit tests for src/history against real SQLite files in a fresh temporary directory:
 * round trips, ordering, replacement, restart, kill -9 mid-stream, bad files, migrations of
 * files an older pitwall wrote, and bad values in a file. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "history/history.h"

struct fixture {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/pw_history_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/history.db", f->dir);
    *state = f;
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static void make_race(struct history_race *r, const char *id, int64_t created, int64_t end)
{
    memset(r, 0, sizeof *r);
    snprintf(r->race_id, sizeof r->race_id, "%s", id);
    strcpy(r->source, "simulation");
    snprintf(r->title, sizeof r->title, "Monza, 53 laps (%s)", id);
    strcpy(r->selected_number, "81");
    strcpy(r->selected_name, "Oscar Piastri");
    strcpy(r->selected_team, "McLaren");
    strcpy(r->status, "finished");
    r->created_ms = created;
    r->start_ms = created + 1000;
    r->end_ms = end;
    r->total_laps = 53;
    r->laps_completed = 53;
    r->wall_duration_ms = end - created - 1000;
    r->lap = 53;
    r->track = PW_TRACK_VSC_ENDING;
    r->race_ms = end - created - 1500;
    snprintf(r->fastest_number, sizeof r->fastest_number, "%d", (int)(created % 100));
    r->fastest_lap_ms = 81234;
    r->weather_known = true;
    r->rain_chance = 40;
    r->raining = true;
    r->track_wetness = 72;
    r->penalties_known = true;
    r->damage_known = true;
    r->clock_ms = 12345;
    r->clock_running = true;
    r->session_part = 2;
    r->cutoff_position = 15;
}

static void make_results(struct pw_car *res, int n, int seed)
{
    static const char *const names[] = {"Lando Norris", "Oscar Piastri", "Max Verstappen",
                                        "Charles Leclerc", "Kimi Antonelli"};
    for (int i = 0; i < n; i++) {
        struct pw_car *r = &res[i];
        memset(r, 0, sizeof *r);
        snprintf(r->driver.number, sizeof r->driver.number, "%d", (i * 7 + seed) % 100);
        snprintf(r->driver.tla, sizeof r->driver.tla, "T%02d", i % 100);
        snprintf(r->driver.name, sizeof r->driver.name, "%s", names[i % 5]);
        snprintf(r->driver.team, sizeof r->driver.team, "Team Ü%d", i);
        strcpy(r->driver.team_color, "#F47600");
        r->position = i + 1;
        r->laps = 53 - (i > 3);
        r->gap_ms = i * 1234LL + seed + 5000000000LL * (i == 2);
        r->gap_laps = i > 3;
        r->best_lap_ms = 80000 + i;
        r->pit_stops = i % 3;
        r->retired = i == 4;
        r->finished = i != 4;
        /* Every other figure of the final frame, each different per car and per seed. */
        r->interval_ms = 700 + i + seed;
        r->interval_laps = i > 4;
        r->last_lap_ms = 82000 + i + seed;
        r->best_lap_no = 10 + i;
        for (int k = 0; k < 3; k++) {
            r->sectors_ms[k] = 27000 + 10 * k + i;
            r->best_sectors_ms[k] = 26000 + 10 * k + i + seed;
            r->part_best_ms[k] = 79000 + 100 * k + i;
        }
        r->tyre = (enum pw_tyre)(1 + (i + seed) % 5);
        r->tyre_age = 3 + i;
        r->tyre_new = i % 2;
        r->in_pit = i == 1;
        r->stints = 1 + i % 4;
        r->knocked_out_part = i % 4;
        r->deleted_laps = i % 3;
        r->penalty_s = 5 * (i % 4);
        r->drive_through = i == 3;
        r->black_white = i == 2;
        r->damage = (enum pw_damage)((i + seed) % 4);
    }
}

static void assert_race_equal(const struct history_race *a, const struct history_race *b)
{
    assert_string_equal(a->race_id, b->race_id);
    assert_string_equal(a->source, b->source);
    assert_string_equal(a->title, b->title);
    assert_string_equal(a->selected_number, b->selected_number);
    assert_string_equal(a->selected_name, b->selected_name);
    assert_string_equal(a->selected_team, b->selected_team);
    assert_string_equal(a->status, b->status);
    assert_int_equal(a->created_ms, b->created_ms);
    assert_int_equal(a->start_ms, b->start_ms);
    assert_int_equal(a->end_ms, b->end_ms);
    assert_int_equal(a->total_laps, b->total_laps);
    assert_int_equal(a->laps_completed, b->laps_completed);
    assert_int_equal(a->wall_duration_ms, b->wall_duration_ms);
    assert_int_equal(a->lap, b->lap);
    assert_int_equal(a->track, b->track);
    assert_int_equal(a->race_ms, b->race_ms);
    assert_string_equal(a->fastest_number, b->fastest_number);
    assert_int_equal(a->fastest_lap_ms, b->fastest_lap_ms);
    assert_int_equal(a->weather_known, b->weather_known);
    assert_int_equal(a->rain_chance, b->rain_chance);
    assert_int_equal(a->raining, b->raining);
    assert_int_equal(a->track_wetness, b->track_wetness);
    assert_int_equal(a->penalties_known, b->penalties_known);
    assert_int_equal(a->damage_known, b->damage_known);
    assert_int_equal(a->clock_ms, b->clock_ms);
    assert_int_equal(a->clock_running, b->clock_running);
    assert_int_equal(a->session_part, b->session_part);
    assert_int_equal(a->cutoff_position, b->cutoff_position);
}

static void assert_results_equal(const struct pw_car *a, const struct pw_car *b,
                                 int n)
{
    for (int i = 0; i < n; i++) {
        assert_string_equal(a[i].driver.number, b[i].driver.number);
        assert_string_equal(a[i].driver.tla, b[i].driver.tla);
        assert_string_equal(a[i].driver.name, b[i].driver.name);
        assert_string_equal(a[i].driver.team, b[i].driver.team);
        assert_string_equal(a[i].driver.team_color, b[i].driver.team_color);
        assert_int_equal(a[i].position, b[i].position);
        assert_int_equal(a[i].laps, b[i].laps);
        assert_int_equal(a[i].gap_ms, b[i].gap_ms);
        assert_int_equal(a[i].gap_laps, b[i].gap_laps);
        assert_int_equal(a[i].best_lap_ms, b[i].best_lap_ms);
        assert_int_equal(a[i].pit_stops, b[i].pit_stops);
        assert_int_equal(a[i].retired, b[i].retired);
        assert_int_equal(a[i].finished, b[i].finished);
        assert_int_equal(a[i].interval_ms, b[i].interval_ms);
        assert_int_equal(a[i].interval_laps, b[i].interval_laps);
        assert_int_equal(a[i].last_lap_ms, b[i].last_lap_ms);
        assert_int_equal(a[i].best_lap_no, b[i].best_lap_no);
        for (int k = 0; k < 3; k++) {
            assert_int_equal(a[i].sectors_ms[k], b[i].sectors_ms[k]);
            assert_int_equal(a[i].best_sectors_ms[k], b[i].best_sectors_ms[k]);
            assert_int_equal(a[i].part_best_ms[k], b[i].part_best_ms[k]);
        }
        assert_int_equal(a[i].tyre, b[i].tyre);
        assert_int_equal(a[i].tyre_age, b[i].tyre_age);
        assert_int_equal(a[i].tyre_new, b[i].tyre_new);
        assert_int_equal(a[i].in_pit, b[i].in_pit);
        assert_int_equal(a[i].stints, b[i].stints);
        assert_int_equal(a[i].knocked_out_part, b[i].knocked_out_part);
        assert_int_equal(a[i].deleted_laps, b[i].deleted_laps);
        assert_int_equal(a[i].penalty_s, b[i].penalty_s);
        assert_int_equal(a[i].drive_through, b[i].drive_through);
        assert_int_equal(a[i].black_white, b[i].black_white);
        assert_int_equal(a[i].damage, b[i].damage);
    }
}

static void test_round_trip(void **state)
{
    struct fixture *f = *state;
    struct history *h = NULL;
    assert_int_equal(history_open(f->path, NULL, &h), 0);
    int count = -1;
    assert_int_equal(history_count(h, &count), 0);
    assert_int_equal(count, 0);

    struct history_race race, got;
    struct pw_car res[5], back[PW_MAX_CARS];
    make_race(&race, "race-1", 1700000000000LL, 1700000600000LL);
    make_results(res, 5, 1);
    assert_int_equal(history_save(h, &race, res, 5), 0);
    int n = 0;
    assert_int_equal(history_get(h, "race-1", &got, back, PW_MAX_CARS, &n), 0);
    assert_int_equal(n, 5);
    assert_race_equal(&got, &race);
    assert_results_equal(back, res, 5);
    /* The first car of the classification comes with the race, listed or got. */
    assert_string_equal(got.first_number, res[0].driver.number);
    assert_string_equal(got.first_name, res[0].driver.name);
    struct history_race listed;
    assert_int_equal(history_list(h, 1, 0, &listed, 1, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(listed.first_name, res[0].driver.name);
    /* Fewer slots than results: the first ones, in order. */
    assert_int_equal(history_get(h, "race-1", &got, back, 2, &n), 0);
    assert_int_equal(n, 2);
    assert_results_equal(back, res, 2);
    assert_int_equal(history_get(h, "race-1", &got, NULL, 0, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(history_count(h, &count), 0);
    assert_int_equal(count, 1);

    /* A race with no classification (stopped before any lap) is fine too. */
    make_race(&race, "race-2", 1700000000000LL, 1700000001000LL);
    strcpy(race.status, "stopped");
    race.laps_completed = 0;
    assert_int_equal(history_save(h, &race, NULL, 0), 0);
    assert_int_equal(history_get(h, "race-2", &got, back, PW_MAX_CARS, &n), 0);
    assert_int_equal(n, 0);
    assert_string_equal(got.status, "stopped");
    assert_string_equal(got.first_number, "");
    assert_string_equal(got.first_name, "");

    assert_int_equal(history_get(h, "no-such-race", &got, back, PW_MAX_CARS, &n), -ENOENT);
    char long_id[200];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_int_equal(history_get(h, long_id, &got, back, PW_MAX_CARS, &n), -ENOENT);
    history_close(h);
    history_close(NULL);
}

static void test_list_order_limit_offset(void **state)
{
    struct fixture *f = *state;
    struct history *h = NULL;
    assert_int_equal(history_open(f->path, NULL, &h), 0);
    /* id, created, end — saved in an order unrelated to the expected one. */
    const struct {
        const char *id;
        int64_t created, end;
    } rows[] = {
        {"b", 200, 5000}, {"d", 100, 3000}, {"a", 300, 9000}, {"c", 400, 5000}, {"e", 50, 1000},
    };
    for (int i = 0; i < 5; i++) {
        struct history_race r;
        make_race(&r, rows[i].id, rows[i].created, rows[i].end);
        assert_int_equal(history_save(h, &r, NULL, 0), 0);
    }
    /* end_ms descending; the tie at 5000 goes to the later created ("c" before "b"). */
    const char *want[] = {"a", "c", "b", "d", "e"};
    struct history_race out[8];
    int n = -1;
    assert_int_equal(history_list(h, 10, 0, out, 8, &n), 0);
    assert_int_equal(n, 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(out[i].race_id, want[i]);
    assert_int_equal(out[0].end_ms, 9000);
    assert_string_equal(out[0].title, "Monza, 53 laps (a)");

    assert_int_equal(history_list(h, 2, 1, out, 8, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].race_id, "c");
    assert_string_equal(out[1].race_id, "b");
    /* max bounds the answer below limit. */
    assert_int_equal(history_list(h, 10, 2, out, 2, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].race_id, "b");
    assert_string_equal(out[1].race_id, "d");
    assert_int_equal(history_list(h, 10, 4, out, 8, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].race_id, "e");
    assert_int_equal(history_list(h, 10, 5, out, 8, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(history_list(h, 0, 0, out, 8, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(history_list(h, -1, 0, out, 8, &n), -EINVAL);
    assert_int_equal(history_list(h, 1, -1, out, 8, &n), -EINVAL);
    history_close(h);
}

static void test_replace(void **state)
{
    struct fixture *f = *state;
    struct history *h = NULL;
    assert_int_equal(history_open(f->path, NULL, &h), 0);
    struct history_race race, got;
    struct pw_car res[5], back[PW_MAX_CARS];
    make_race(&race, "same", 1000, 2000);
    make_results(res, 5, 1);
    assert_int_equal(history_save(h, &race, res, 5), 0);
    strcpy(race.title, "replaced");
    strcpy(race.status, "stopped");
    race.end_ms = 3000;
    make_results(res, 3, 9);
    assert_int_equal(history_save(h, &race, res, 3), 0);
    int n = 0, count = 0;
    assert_int_equal(history_get(h, "same", &got, back, PW_MAX_CARS, &n), 0);
    assert_int_equal(n, 3); /* the old 4th and 5th results are gone */
    assert_race_equal(&got, &race);
    assert_results_equal(back, res, 3);
    assert_int_equal(history_count(h, &count), 0);
    assert_int_equal(count, 1);
    history_close(h);
}

static void test_invalid_input(void **state)
{
    struct fixture *f = *state;
    struct history *h = NULL;
    assert_int_equal(history_open(f->path, NULL, &h), 0);
    struct history_race race;
    struct pw_car res[PW_MAX_CARS + 1];
    make_results(res, PW_MAX_CARS + 1, 0);
    make_race(&race, "r", 1, 2);
    strcpy(race.status, "running");
    assert_int_equal(history_save(h, &race, res, 1), -EINVAL);
    make_race(&race, "", 1, 2);
    assert_int_equal(history_save(h, &race, res, 1), -EINVAL);
    make_race(&race, "r", 1, 2);
    memset(race.title, 'x', sizeof race.title); /* no NUL */
    assert_int_equal(history_save(h, &race, res, 1), -EINVAL);
    make_race(&race, "r", 1, 2);
    assert_int_equal(history_save(h, &race, res, PW_MAX_CARS + 1), -EINVAL);
    assert_int_equal(history_save(h, &race, res, -1), -EINVAL);
    assert_int_equal(history_save(h, &race, NULL, 2), -EINVAL);
    memset(res[1].driver.team_color, 'F', sizeof res[1].driver.team_color);
    assert_int_equal(history_save(h, &race, res, 2), -EINVAL);
    /* Nothing of the refused saves was stored. */
    int count = -1;
    assert_int_equal(history_count(h, &count), 0);
    assert_int_equal(count, 0);
    /* A full field of PW_MAX_CARS is accepted. */
    make_results(res, PW_MAX_CARS, 0);
    assert_int_equal(history_save(h, &race, res, PW_MAX_CARS), 0);
    history_close(h);
    assert_int_equal(history_open("", NULL, &h), -EINVAL);
    assert_null(h);
    struct history *h2 = NULL;
    assert_int_equal(history_open(f->path, NULL, &h2), 0);
    assert_int_equal(history_count(h2, &count), 0);
    assert_int_equal(count, 1);
    history_close(h2);
}

static void test_reopen_keeps_data_and_schema(void **state)
{
    struct fixture *f = *state;
    struct history *h = NULL;
    assert_int_equal(history_open(f->path, NULL, &h), 0);
    struct history_race race, got;
    struct pw_car res[3], back[3];
    make_race(&race, "persist", 10, 20);
    make_results(res, 3, 4);
    assert_int_equal(history_save(h, &race, res, 3), 0);
    history_close(h);

    assert_int_equal(history_open(f->path, NULL, &h), 0);
    int n = 0;
    assert_int_equal(history_get(h, "persist", &got, back, 3, &n), 0);
    assert_int_equal(n, 3);
    assert_race_equal(&got, &race);
    assert_results_equal(back, res, 3);
    history_close(h);

    /* What open promises about the file: WAL, versioned schema. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), HISTORY_SCHEMA_VERSION);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A child saves races as fast as it can and reports each committed one on a pipe; the parent
 * SIGKILLs it mid-stream. Every reported race must be there, whole, for a new open. */
static void test_survives_kill_9(void **state)
{
    struct fixture *f = *state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        struct history *h = NULL;
        if (history_open(f->path, NULL, &h) != 0)
            _exit(2);
        for (int i = 0; i < 100000; i++) {
            struct history_race race;
            struct pw_car res[PW_MAX_CARS];
            char id[32];
            snprintf(id, sizeof id, "kill-%d", i);
            make_race(&race, id, i, i + 1);
            make_results(res, PW_MAX_CARS, i);
            if (history_save(h, &race, res, PW_MAX_CARS) != 0)
                _exit(3);
            if (write(fds[1], "s", 1) != 1)
                _exit(4);
        }
        _exit(5); /* never closes the handle: the kill is the only way out */
    }
    close(fds[1]);
    int acked = 0;
    char c;
    while (acked < 25 && read(fds[0], &c, 1) == 1)
        acked++;
    assert_int_equal(acked, 25);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    while (read(fds[0], &c, 1) == 1)
        acked++; /* acks written before the kill landed */
    close(fds[0]);

    struct history *h = NULL;
    assert_int_equal(history_open(f->path, NULL, &h), 0);
    int count = 0;
    assert_int_equal(history_count(h, &count), 0);
    /* One more save may have committed between its last ack and the kill. */
    assert_true(count == acked || count == acked + 1);
    for (int i = 0; i < count; i++) {
        char id[32];
        snprintf(id, sizeof id, "kill-%d", i);
        struct history_race got;
        struct pw_car back[PW_MAX_CARS], want[PW_MAX_CARS];
        int n = 0;
        assert_int_equal(history_get(h, id, &got, back, PW_MAX_CARS, &n), 0);
        assert_int_equal(n, PW_MAX_CARS); /* never half a classification */
        make_results(want, PW_MAX_CARS, i);
        assert_results_equal(back, want, PW_MAX_CARS);
    }
    /* And it is writable again. */
    struct history_race race;
    make_race(&race, "after-kill", 1, 2);
    assert_int_equal(history_save(h, &race, NULL, 0), 0);
    history_close(h);
}

static void write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

/* Open `path`, which must fail with PW_EPARSE and log a line containing `needle`. */
static void open_fails(const char *path, const char *needle)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    struct pw_log log = {.level = PW_LOG_DEBUG, .out = mem};
    struct history *h = (struct history *)1;
    int rc = history_open(path, &log, &h);
    fclose(mem);
    if (rc != PW_EPARSE || !strstr(text, needle))
        print_error("rc %d, log:\n%s\nwanted \"%s\"\n", rc, text, needle);
    assert_int_equal(rc, PW_EPARSE);
    assert_null(h);
    assert_non_null(strstr(text, needle));
    assert_non_null(strstr(text, "is not a usable pitwall history database"));
    free(text);
}

static void test_garbage_files(void **state)
{
    struct fixture *f = *state;
    const char text[] = "this is not a database, it is a shopping list\n";
    write_file(f->path, text, sizeof text - 1);
    open_fails(f->path, "file is not a database");

    unsigned char noise[8192];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (unsigned char)(i * 131 + 7);
    write_file(f->path, noise, sizeof noise);
    open_fails(f->path, "file is not a database");

    /* A real history file whose header is overwritten. */
    unlink(f->path);
    struct history *h = NULL;
    assert_int_equal(history_open(f->path, NULL, &h), 0);
    history_close(h);
    int fd = open(f->path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, noise, 100, 0), 100);
    close(fd);
    open_fails(f->path, "file is not a database");
}

/* A history file as an older pitwall left it: the schema of its `version` (1 or 2, as
 * shipped), one race "old-race" of 53 laps with three cars, and its user_version. */
static void write_old_file(const char *path, int version)
{
    static const char schema_1[] =
        "CREATE TABLE races ("
        " race_id TEXT PRIMARY KEY NOT NULL,"
        " source TEXT NOT NULL, title TEXT NOT NULL,"
        " selected_number TEXT NOT NULL, selected_name TEXT NOT NULL,"
        " selected_team TEXT NOT NULL,"
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
        " PRIMARY KEY (race_id, idx)) WITHOUT ROWID;"
        "INSERT INTO races VALUES ('old-race', 'simulation', 'Monza, 53 laps', '81',"
        " 'Oscar Piastri', 'McLaren', 'finished', 1000, 2000, 602000, 53, 52, 600000);"
        "INSERT INTO results VALUES ('old-race', 0, '81', 'PIA', 'Oscar Piastri', 'McLaren',"
        " '#F47600', 1, 52, 0, 0, 81000, 1, 0, 1);"
        "INSERT INTO results VALUES ('old-race', 1, '4', 'NOR', 'Lando Norris', 'McLaren',"
        " '#F47600', 2, 52, 1234, 0, 80999, 2, 0, 1);"
        "INSERT INTO results VALUES ('old-race', 2, '1', 'VER', 'Max Verstappen',"
        " 'Red Bull Racing', '#3671C6', 3, 30, 0, 22, 81500, 0, 1, 0);";
    static const char schema_2[] =
        "ALTER TABLE races ADD COLUMN kind TEXT NOT NULL DEFAULT 'race';"
        "UPDATE races SET kind = 'sprint';";
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, schema_1, NULL, NULL, NULL), SQLITE_OK);
    if (version >= 2)
        assert_int_equal(sqlite3_exec(db, schema_2, NULL, NULL, NULL), SQLITE_OK);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* The race and cars write_old_file stored, as they must read back after the migration:
 * what the old schema kept, and for the rest what an old race means (lap = the laps it had
 * completed, a green track, nothing known of weather, penalties or damage). */
static void assert_old_race(struct history *h, const char *kind)
{
    struct history_race got;
    struct pw_car back[PW_MAX_CARS];
    int n = 0;
    assert_int_equal(history_get(h, "old-race", &got, back, PW_MAX_CARS, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(got.title, "Monza, 53 laps");
    assert_string_equal(got.status, "finished");
    assert_string_equal(got.kind, kind);
    assert_int_equal(got.end_ms, 602000);
    assert_int_equal(got.total_laps, 53);
    assert_int_equal(got.laps_completed, 52);
    assert_int_equal(got.lap, 52);
    assert_int_equal(got.track, PW_TRACK_GREEN);
    assert_string_equal(got.fastest_number, "");
    assert_false(got.weather_known || got.penalties_known || got.damage_known);
    assert_string_equal(back[1].driver.name, "Lando Norris");
    assert_int_equal(back[1].gap_ms, 1234);
    assert_int_equal(back[1].best_lap_ms, 80999);
    assert_int_equal(back[1].pit_stops, 2);
    assert_string_equal(back[2].driver.team_color, "#3671C6");
    assert_int_equal(back[2].gap_laps, 22);
    assert_true(back[2].retired);
    assert_false(back[2].finished);
    for (int i = 0; i < n; i++) {
        assert_int_equal(back[i].position, i + 1);
        assert_int_equal(back[i].tyre, PW_TYRE_UNKNOWN);
        assert_int_equal(back[i].damage, PW_DAMAGE_NONE);
        assert_int_equal(back[i].penalty_s, 0);
        assert_int_equal(back[i].last_lap_ms, 0);
    }
}

static int schema_version(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* The kind of session is kept; a file from before kinds (schema 1) is migrated and its
 * races read as races. */
static void test_kind_and_migration_from_1(void **state)
{
    struct fixture *f = *state;
    struct history *h = NULL;
    assert_int_equal(history_open(f->path, NULL, &h), 0);
    struct history_race race, got;
    struct pw_car res[3], back[PW_MAX_CARS];
    make_race(&race, "quali-1", 1700000000000LL, 1700000600000LL);
    snprintf(race.kind, sizeof race.kind, "qualifying");
    make_results(res, 3, 1);
    assert_int_equal(history_save(h, &race, res, 3), 0);
    make_race(&race, "race-1", 1700000000000LL, 1700000700000LL);
    assert_int_equal(history_save(h, &race, res, 3), 0); /* kind "" is stored as "race" */
    int n = 0;
    assert_int_equal(history_get(h, "quali-1", &got, back, PW_MAX_CARS, &n), 0);
    assert_string_equal(got.kind, "qualifying");
    assert_int_equal(history_get(h, "race-1", &got, back, PW_MAX_CARS, &n), 0);
    assert_string_equal(got.kind, "race");
    history_close(h);

    unlink(f->path);
    write_old_file(f->path, 1);
    assert_int_equal(history_open(f->path, NULL, &h), 0);
    assert_old_race(h, "race"); /* unknown before the migration: a race */
    history_close(h);
    assert_int_equal(schema_version(f->path), HISTORY_SCHEMA_VERSION);
}

/* A file of schema 2 (before the final frame was kept whole) is migrated at open: its race
 * reads back as it was, a race saved after keeps every field, and the migration happens
 * once. */
static void test_migration_from_2(void **state)
{
    struct fixture *f = *state;
    write_old_file(f->path, 2);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    struct pw_log log = {.level = PW_LOG_DEBUG, .out = mem};
    struct history *h = NULL;
    assert_int_equal(history_open(f->path, &log, &h), 0);
    fflush(mem);
    assert_non_null(strstr(text, "schema migrated to version 3"));
    assert_null(strstr(text, "schema migrated to version 2"));
    assert_old_race(h, "sprint");

    struct history_race race, got;
    struct pw_car res[PW_MAX_CARS], back[PW_MAX_CARS];
    make_race(&race, "new-race", 1700000000000LL, 1700000600000LL);
    make_results(res, PW_MAX_CARS, 7);
    assert_int_equal(history_save(h, &race, res, PW_MAX_CARS), 0);
    history_close(h);
    fclose(mem);
    free(text);
    assert_int_equal(schema_version(f->path), 3);

    text = NULL;
    mem = open_memstream(&text, &len);
    assert_non_null(mem);
    log.out = mem;
    assert_int_equal(history_open(f->path, &log, &h), 0);
    fflush(mem);
    assert_null(strstr(text, "schema migrated")); /* once only */
    int n = 0, count = 0;
    assert_int_equal(history_get(h, "new-race", &got, back, PW_MAX_CARS, &n), 0);
    assert_int_equal(n, PW_MAX_CARS);
    assert_race_equal(&got, &race);
    assert_results_equal(back, res, PW_MAX_CARS);
    assert_old_race(h, "sprint");
    assert_int_equal(history_count(h, &count), 0);
    assert_int_equal(count, 2);
    history_close(h);
    fclose(mem);
    free(text);
}

/* The file is input like any other: figures no race can have, written into it by hand,
 * read back cut to their bounds, and names nothing knows read as none. */
static void test_bad_values_cut_to_bounds(void **state)
{
    struct fixture *f = *state;
    struct history *h = NULL;
    assert_int_equal(history_open(f->path, NULL, &h), 0);
    struct history_race race, got;
    struct pw_car res[2], back[PW_MAX_CARS];
    make_race(&race, "bad", 1000, 2000);
    make_results(res, 2, 1);
    assert_int_equal(history_save(h, &race, res, 2), 0);
    history_close(h);

    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    const char *bad =
        "UPDATE races SET rain_chance = 250, track_wetness = -5, session_part = 9,"
        " cutoff_position = 99, track_status = 'purple', lap = -4, fastest_lap_ms = -1,"
        " clock_ms = -30, fastest_number = '12345678';"
        "UPDATE results SET tyre = 'SLICKS', damage = 'exploded', penalty_s = -10,"
        " deleted_laps = -3, knocked_out_part = 7, tyre_age = -1, last_lap_ms = -100,"
        " sector2_ms = -5, stints = 9999999999, q3_best_ms = -2 WHERE idx = 0;"
        "UPDATE results SET knocked_out_part = -1, tyre = 'soft', damage = 'FLOOR' WHERE idx = 1;";
    assert_int_equal(sqlite3_exec(db, bad, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(history_open(f->path, NULL, &h), 0);
    int n = 0;
    assert_int_equal(history_get(h, "bad", &got, back, PW_MAX_CARS, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(got.rain_chance, 100);
    assert_int_equal(got.track_wetness, 0);
    assert_int_equal(got.session_part, PW_QUALI_PARTS);
    assert_int_equal(got.cutoff_position, PW_MAX_CARS);
    assert_int_equal(got.track, PW_TRACK_GREEN);
    assert_int_equal(got.lap, 0);
    assert_int_equal(got.fastest_lap_ms, 0);
    assert_int_equal(got.clock_ms, 0);
    assert_string_equal(got.fastest_number, "123"); /* cut to the racing number's size */
    assert_int_equal(back[0].tyre, PW_TYRE_UNKNOWN);
    assert_int_equal(back[0].damage, PW_DAMAGE_NONE);
    assert_int_equal(back[0].penalty_s, 0);
    assert_int_equal(back[0].deleted_laps, 0);
    assert_int_equal(back[0].knocked_out_part, PW_QUALI_PARTS);
    assert_int_equal(back[0].tyre_age, 0);
    assert_int_equal(back[0].last_lap_ms, 0);
    assert_int_equal(back[0].sectors_ms[1], 0);
    assert_int_equal(back[0].stints, INT_MAX);
    assert_int_equal(back[0].part_best_ms[2], 0);
    /* What was in bounds is untouched, names in any case. */
    assert_int_equal(back[0].sectors_ms[0], res[0].sectors_ms[0]);
    assert_int_equal(back[1].knocked_out_part, 0);
    assert_int_equal(back[1].tyre, PW_TYRE_SOFT);
    assert_int_equal(back[1].damage, PW_DAMAGE_FLOOR);
    assert_int_equal(back[1].penalty_s, res[1].penalty_s);
    history_close(h);
}

/* A race's final state goes into the record's race-wide figures and comes back as the state
 * the encoders are given. */
static void test_state_to_record_and_back(void **state)
{
    (void)state;
    struct pw_race_state *st = calloc(1, sizeof *st), *back = calloc(1, sizeof *back);
    assert_non_null(st);
    assert_non_null(back);
    st->n_cars = 4;
    make_results(st->cars, 4, 3);
    st->lap = 31;
    st->total_laps = 30;
    st->track = PW_TRACK_SC;
    strcpy(st->fastest_number, "44");
    st->fastest_lap_ms = 90123;
    st->race_ms = 5400000;
    st->kind = PW_SESSION_QUALIFYING;
    st->clock_ms = 0;
    st->session_part = 3;
    st->cutoff_position = 10;
    st->weather_known = true;
    st->rain_chance = 60;
    st->raining = true;
    st->track_wetness = 33;
    st->penalties_known = true;
    st->damage_known = false;
    struct history_race r;
    make_race(&r, "q", 1, 2);
    strcpy(r.kind, "qualifying");
    r.total_laps = 30;
    history_race_take_state(&r, st);
    history_race_state(&r, st->cars, st->n_cars, back);
    assert_int_equal(back->n_cars, 4);
    assert_results_equal(back->cars, st->cars, 4);
    assert_int_equal(back->lap, 31);
    assert_int_equal(back->total_laps, 30);
    assert_int_equal(back->track, PW_TRACK_SC);
    assert_string_equal(back->fastest_number, "44");
    assert_int_equal(back->fastest_lap_ms, 90123);
    assert_int_equal(back->race_ms, 5400000);
    assert_int_equal(back->kind, PW_SESSION_QUALIFYING);
    assert_int_equal(back->session_part, 3);
    assert_int_equal(back->cutoff_position, 10);
    assert_true(back->weather_known && back->raining);
    assert_int_equal(back->rain_chance, 60);
    assert_int_equal(back->track_wetness, 33);
    assert_true(back->penalties_known);
    assert_false(back->damage_known);
    assert_true(back->finished);
    strcpy(r.status, "stopped");
    strcpy(r.kind, "");
    history_race_state(&r, st->cars, PW_MAX_CARS + 5, back); /* more cars than a state holds */
    assert_int_equal(back->n_cars, PW_MAX_CARS);
    assert_false(back->finished);
    assert_int_equal(back->kind, PW_SESSION_RACE);
    free(st);
    free(back);
}

static void test_foreign_databases(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = NULL;
    /* Another program's SQLite file that happens to have a "races" table. */
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE races (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    open_fails(f->path, "table races already exists");
    /* A history file from a newer pitwall. */
    unlink(f->path);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    open_fails(f->path, "has schema version 99; this pitwall knows up to 3");
    /* Our version number, but not our tables. */
    unlink(f->path);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    open_fails(f->path, "no such table");
}

static void test_creates_missing_directories(void **state)
{
    struct fixture *f = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/a/b/c/history.db", f->dir);
    struct history *h = NULL;
    assert_int_equal(history_open(path, NULL, &h), 0);
    struct history_race race;
    make_race(&race, "nested", 1, 2);
    assert_int_equal(history_save(h, &race, NULL, 0), 0);
    history_close(h);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));

    /* A parent that is a file cannot become a directory: a clear error, not a crash. */
    snprintf(path, sizeof path, "%s/a/b/c/history.db/x.db", f->dir);
    assert_int_equal(history_open(path, NULL, &h), -ENOTDIR);
    assert_null(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_order_limit_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_data_and_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_survives_kill_9, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kind_and_migration_from_1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_values_cut_to_bounds, setup, teardown),
        cmocka_unit_test(test_state_to_record_and_back),
        cmocka_unit_test_setup_teardown(test_foreign_databases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_creates_missing_directories, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
