/* Integration tests of the race lifecycle against the real pitwall binary: a finished
 * race stays finished (also once the hub has let go of it), a start that cannot happen is
 * answered as an error at once. Each test starts its own server on a free port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api_json.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_RACES 20 /* more than the 16 finished races the hub keeps in memory */

static const char *race_status(int port, const char *race_id, char *out, size_t len)
{
    char path[200];
    snprintf(path, sizeof path, "/api/race/%.60s/status", race_id);
    json_t *st = api_get_json(port, path, 200);
    snprintf(out, len, "%s", api_str(st, "status"));
    json_decref(st);
    return out;
}

/* A frame reader that stops at the stream's `end` frame. */
static bool is_end_frame(void *ctx, const struct sse_frame *f)
{
    (void)ctx;
    return strcmp(f->event, "end") == 0;
}

/* Read a combined stream to its end: a snapshot of the finished race, then `end`. */
static void assert_stream_is_finished(int port, const char *race_id)
{
    char path[200];
    snprintf(path, sizeof path, "/api/race/%.60s/stream", race_id);
    struct sse s;
    assert_int_equal(sse_open(&s, port, path, NULL), 0);
    assert_int_equal(s.status, 200);
    struct sse_frame f;
    assert_int_equal(sse_next(&s, &f, 5000), 1);
    assert_string_equal(f.event, "snapshot");
    json_t *snap = api_parse_json(f.data);
    json_t *st = json_object_get(snap, "status");
    assert_string_equal(api_str(st, "status"), "finished");
    assert_string_equal(api_str(st, "race_id"), race_id);
    json_t *cars = json_object_get(json_object_get(snap, "positions"), "positions");
    assert_true(json_array_size(cars) >= 10);
    json_decref(snap);
    sse_frame_free(&f);
    assert_int_equal(sse_next(&s, &f, 5000), 1);
    assert_string_equal(f.event, "end");
    json_t *end = api_parse_json(f.data);
    assert_string_equal(api_str(end, "status"), "finished");
    json_decref(end);
    sse_frame_free(&f);
    sse_close(&s);
}

/* 20 races of 6 s started together all end `finished` with their
 * classification, also the ones the hub has let go of (their late events must not bring
 * back an empty "not_started" record), in status, /positions, /api/races and /stream. */
static void test_many_races_finished_together_stay_finished(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, NULL, NULL, NULL), 0);
    char ids[N_RACES][64], st[32];
    for (int i = 0; i < N_RACES; i++)
        api_start_race(srv.port, "{\"driver_name\":\"Lando Norris\",\"duration_s\":6,\"tick_hz\":5}",
                   ids[i], sizeof ids[i]);
    /* Every race finishes; then the hub keeps 16 and lets the others go. */
    int finished = 0;
    for (int64_t until = now_ms() + 60000; now_ms() < until && finished < N_RACES;) {
        finished = 0;
        for (int i = 0; i < N_RACES; i++)
            finished += strcmp(race_status(srv.port, ids[i], st, sizeof st), "finished") == 0;
        if (finished < N_RACES)
            usleep(500 * 1000);
    }
    assert_int_equal(finished, N_RACES);
    long in_memory = -1;
    for (int64_t until = now_ms() + 30000; now_ms() < until; usleep(250 * 1000)) {
        in_memory = server_metric(srv.port, "pitwall_races_in_memory");
        if (in_memory >= 0 && in_memory <= 16)
            break;
    }
    assert_true(in_memory >= 0 && in_memory <= 16);
    /* Late commentary of the races let go of has had its time to arrive. */
    sleep(6);
    for (int i = 0; i < N_RACES; i++) {
        char path[200];
        snprintf(path, sizeof path, "/api/race/%.60s/status", ids[i]);
        json_t *j = api_get_json(srv.port, path, 200);
        assert_string_equal(api_str(j, "status"), "finished");
        assert_true(json_is_string(json_object_get(j, "start_time")));
        assert_true(json_is_string(json_object_get(j, "end_time")));
        json_decref(j);
        snprintf(path, sizeof path, "/api/race/%.60s/positions", ids[i]);
        j = api_get_json(srv.port, path, 200);
        assert_true(json_array_size(json_object_get(j, "positions")) >= 10);
        json_decref(j);
        assert_stream_is_finished(srv.port, ids[i]);
    }
    json_t *list = api_get_json(srv.port, "/api/races", 200);
    for (int i = 0; i < N_RACES; i++) {
        int seen = 0;
        size_t k;
        json_t *r;
        json_array_foreach(json_object_get(list, "races"), k, r)
        {
            if (strcmp(api_str(r, "race_id"), ids[i]) == 0) {
                seen++;
                assert_string_equal(api_str(r, "status"), "finished");
            }
        }
        assert_int_equal(seen, 1);
    }
    json_decref(list);
    /* Nothing came back to life: still at most 16 in memory. */
    in_memory = server_metric(srv.port, "pitwall_races_in_memory");
    assert_true(in_memory >= 0 && in_memory <= 16);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A replay the runner cannot open is refused with the reason before any
 * "started" goes out, and no race is left behind "not_started". */
static void test_replay_that_cannot_start_is_an_error_at_once(void **state)
{
    (void)state;
    char archive[] = "/tmp/pitwall-archive-XXXXXX", path[400];
    assert_non_null(mkdtemp(archive));
    snprintf(path, sizeof path, "%s/broken", archive);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/broken/TimingData.jsonStream", archive);
    write_file(path, "00:00:01.000{\"Lines\":{}}\n");
    /* A topic file that cannot be read: the runner fails opening the session. */
    snprintf(path, sizeof path, "%s/broken/DriverList.jsonStream", archive);
    assert_int_equal(mkdir(path, 0755), 0);
    struct server srv;
    const char *args[] = {"--archive", archive, NULL};
    assert_int_equal(server_start(&srv, NULL, args, NULL), 0);
    json_t *j = api_get_json(srv.port, "/api/replays", 200);
    assert_int_equal((int)json_array_size(json_object_get(j, "sessions")), 1);
    json_decref(j);
    int64_t t0 = now_ms();
    int status = api_call_json(srv.port, "POST", "/api/replay/start", "",
                               "{\"session\":\"broken\",\"speed\":100}", &j);
    assert_int_equal(status, 422);
    assert_true(now_ms() - t0 < 5000);
    const char *detail = api_str(j, "detail");
    assert_non_null(strstr(detail, "broken"));
    assert_non_null(strstr(detail, "cannot be replayed"));
    json_decref(j);
    j = api_get_json(srv.port, "/api/races", 200);
    assert_int_equal((int)json_array_size(json_object_get(j, "races")), 0);
    json_decref(j);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
    snprintf(path, sizeof path, "rm -rf '%s'", archive);
    assert_int_equal(system(path), 0);
}

/* SIGHUP shuts down cleanly like SIGTERM: the race in progress is
 * recorded as stopped, its stream gets `end`, the exit status is 0. */
static void test_sighup_is_a_clean_shutdown(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, NULL, NULL, NULL), 0);
    char race[64], path[200], st[32];
    api_start_race(srv.port, "{\"driver_name\":\"Oscar Piastri\",\"duration_s\":60}", race,
               sizeof race);
    snprintf(path, sizeof path, "/api/race/%.60s/stream", race);
    struct sse s;
    assert_int_equal(sse_open(&s, srv.port, path, NULL), 0);
    struct sse_frame f;
    assert_int_equal(sse_next(&s, &f, 5000), 1);
    sse_frame_free(&f);
    for (int64_t until = now_ms() + 10000;
         now_ms() < until && strcmp(race_status(srv.port, race, st, sizeof st), "in_progress");)
        usleep(100 * 1000);
    assert_string_equal(st, "in_progress");
    assert_int_equal(kill(srv.pid, SIGHUP), 0);
    /* The frames sent while the test waited for in_progress are still queued ahead of the
     * goodbye (10 to 40 of them here), so read until `end` or the stream stops, not a count. */
    int saw_end = sse_read_frames(
        &s, (struct sse_read_limits){.within_ms = 15000, .wait_ms = 3000, .quiet_ends = true},
        is_end_frame, NULL);
    sse_close(&s);
    assert_int_equal(saw_end, 1);
    char dir[256];
    snprintf(dir, sizeof dir, "%s", srv.dir);
    assert_int_equal(server_stop(&srv, 0), 0); /* already signalled: exits 0 by itself */
    assert_int_equal(server_start(&srv, NULL, NULL, dir), 0);
    assert_string_equal(race_status(srv.port, race, st, sizeof st), "stopped");
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

#define ADMIN "operator-secret-0123456789"

/* POST `path` of race `race` with `headers`; the status. */
static int control(int port, const char *race, const char *action, const char *headers,
                   const char *body)
{
    char path[200];
    snprintf(path, sizeof path, "/api/race/%.60s/%s", race, action);
    json_t *j = NULL;
    int status = api_call_json(port, "POST", path, headers, body ? body : "{}", &j);
    if (status == 403)
        assert_true(strlen(api_str(j, "detail")) > 20); /* says what is missing */
    json_decref(j);
    return status;
}

/* A race is controlled by whoever started it (the start's control token,
 * sent back as X-Race-Token) and by operators (the admin token, which also guards /metrics);
 * anyone else is refused with 403 and reads only. */
static void test_race_control_by_token(void **state)
{
    (void)state;
    struct server srv;
    const char *args[] = {"--archive", PITWALL_ARCHIVE_DIR, NULL};
    assert_int_equal(server_start(&srv, "server:\n  admin_token: \"" ADMIN "\"\n", args, NULL), 0);
    json_t *j = NULL;
    assert_int_equal(api_call_json(srv.port, "POST", "/api/race/start", "",
                                   "{\"driver_name\":\"Lando Norris\",\"duration_s\":60}", &j),
                     200);
    char race[64], token[64], mine[128], wrong[128], st[32];
    snprintf(race, sizeof race, "%s", api_str(j, "race_id"));
    snprintf(token, sizeof token, "%s", api_str(j, "control_token"));
    json_decref(j);
    assert_int_equal((int)strlen(token), 32);
    snprintf(mine, sizeof mine, "X-Race-Token: %s\r\n", token);
    snprintf(wrong, sizeof wrong, "X-Race-Token: %.31s%c\r\n", token, token[31] == '0' ? '1' : '0');

    /* A viewer, or a guess one character off, controls nothing. */
    assert_int_equal(control(srv.port, race, "stop", "", NULL), 403);
    assert_int_equal(control(srv.port, race, "pause", wrong, NULL), 403);
    assert_int_equal(control(srv.port, race, "stop", "X-Race-Token: \r\n", NULL), 403);
    assert_string_not_equal(race_status(srv.port, race, st, sizeof st), "stopped");
    /* The starter does; so does an operator, with either header. */
    assert_int_equal(control(srv.port, race, "pause", mine, NULL), 200);
    assert_int_equal(control(srv.port, race, "resume", "Authorization: Bearer " ADMIN "\r\n", NULL),
                     200);
    assert_int_equal(control(srv.port, race, "pause", "X-Race-Token: " ADMIN "\r\n", NULL), 200);
    /* The token of one race is no key to another. */
    char other[64];
    assert_int_equal(api_call_json(srv.port, "POST", "/api/race/start", "",
                                   "{\"driver_name\":\"Max Verstappen\",\"duration_s\":60}", &j),
                     200);
    snprintf(other, sizeof other, "%s", api_str(j, "race_id"));
    json_decref(j);
    assert_int_equal(control(srv.port, other, "stop", mine, NULL), 403);
    assert_int_equal(control(srv.port, race, "stop", mine, NULL), 200);
    assert_string_equal(race_status(srv.port, race, st, sizeof st), "stopped");
    assert_string_not_equal(race_status(srv.port, other, st, sizeof st), "stopped");

    /* A replay start returns a token too; seek needs it. */
    assert_int_equal(api_call_json(srv.port, "GET", "/api/replays", "", NULL, &j), 200);
    char body[400];
    snprintf(body, sizeof body, "{\"session\":\"%s\",\"speed\":10}",
             api_str(json_array_get(json_object_get(j, "sessions"), 0), "id"));
    json_decref(j);
    assert_int_equal(api_call_json(srv.port, "POST", "/api/replay/start", "", body, &j), 200);
    snprintf(race, sizeof race, "%s", api_str(j, "race_id"));
    snprintf(mine, sizeof mine, "X-Race-Token: %s\r\n", api_str(j, "control_token"));
    json_decref(j);
    assert_int_equal(control(srv.port, race, "seek", "", "{\"race_s\":600}"), 403);
    assert_int_equal(control(srv.port, race, "seek", mine, "{\"race_s\":600}"), 200);

    /* With an admin token set, /metrics is for operators. */
    struct response r;
    assert_int_equal(http_call(srv.port, "GET", "/metrics", "", NULL, &r), 0);
    assert_int_equal(r.status, 403);
    response_free(&r);
    assert_int_equal(
        http_call(srv.port, "GET", "/metrics", "Authorization: Bearer " ADMIN "\r\n", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "pitwall_races_running"));
    response_free(&r);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

#define BUDGET_MB 4
/* The sanitizer build's allocator adds red zones: the same server is bigger in it. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_SCALE 3
#else
#define RSS_SCALE 1
#endif

/* 64 races at once cannot take the event logs past hub.log_budget_mb; the
 * largest running logs give back their oldest frames, and a start while the budget is full
 * is refused with a 503 that says so. */
static void test_event_logs_stay_within_the_memory_budget(void **state)
{
    (void)state;
    struct server srv;
    char yaml[200];
    snprintf(yaml, sizeof yaml,
             "hub:\n  log_budget_mb: %d\nrace:\n  max_races: 100\n  starts_per_minute: 100000\n",
             BUDGET_MB);
    /* ASan keeps freed memory in a 256 MB quarantine by default: resident memory would
     * measure it, not the server. 4 MB still catches a use after free of recent blocks. */
    char opts[512];
    const char *old = getenv("ASAN_OPTIONS");
    snprintf(opts, sizeof opts, "%s%squarantine_size_mb=4", old ? old : "", old && *old ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
    int started_ok = server_start(&srv, yaml, NULL, NULL);
    if (old)
        setenv("ASAN_OPTIONS", old, 1);
    else
        unsetenv("ASAN_OPTIONS");
    assert_int_equal(started_ok, 0);
    const long budget = (long)BUDGET_MB << 20;
    assert_int_equal(server_metric(srv.port, "pitwall_event_log_budget_bytes"), budget);
    long rss_start = server_rss_kb(&srv);
    int started = 0, refused = 0;
    for (int i = 0; i < 64; i++) {
        json_t *j = NULL;
        int status = api_call_json(
            srv.port, "POST", "/api/race/start", "",
            "{\"driver_name\":\"Lando Norris\",\"duration_s\":90,\"tick_hz\":10}", &j);
        assert_true(status == 200 || status == 503);
        started += status == 200;
        refused += status == 503;
        json_decref(j);
    }
    fprintf(stderr, "  started %d races, %d refused as the budget filled\n", started, refused);
    assert_true(started >= 4); /* 1 MiB of room each while it lasts */
    long most = 0;
    for (int64_t until = now_ms() + 15000; now_ms() < until; usleep(250 * 1000)) {
        long held = server_metric(srv.port, "pitwall_event_log_bytes");
        assert_true(held >= 0);
        if (held > most)
            most = held;
        assert_true(held <= budget);
    }
    long rss_end = server_rss_kb(&srv);
    fprintf(stderr, "  logs held at most %ld bytes of %ld; RSS %ld -> %ld KiB\n", most, budget,
            rss_start, rss_end);
    assert_true(most > budget / 2); /* the races did fill it: the bound was exercised */
    assert_true(server_metric(srv.port, "pitwall_event_log_budget_trims_total") > 0);
    json_t *j = NULL;
    assert_int_equal(api_call_json(srv.port, "POST", "/api/race/start", "",
                                   "{\"driver_name\":\"Lando Norris\"}", &j),
                     503);
    assert_non_null(strstr(api_str(j, "detail"), "event-log memory budget is full"));
    json_decref(j);
    /* Frames, JSON and buffers of 64 races beside 4 MiB of logs; unbounded logs grew
     * ~10 MB a second at this rate. */
    assert_true(rss_end - rss_start < 64 * 1024 * RSS_SCALE);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

/* Run the binary with `args` (NULL-terminated, after argv[0]) to its exit, at most
 * `timeout_ms`; its stderr and stdout into `out`. Returns the exit status, or -1 if it had
 * to be killed (it hung). */
static int run_pitwall(const char *const *args, char *out, size_t cap, int timeout_ms)
{
    const char *argv[32] = {PITWALL_BIN};
    int n = 1;
    for (; args[n - 1] && n < 31; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        execv(PITWALL_BIN, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    int64_t until = now_ms() + timeout_ms;
    for (;;) {
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int left = (int)(until - now_ms());
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t r = read(fds[0], out + len, cap - len - 1);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    out[len] = '\0';
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) {
        usleep(200 * 1000);
        if (waitpid(pid, &status, WNOHANG) == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A typo in the configuration is an error naming the file, line
 * and the setting meant; a FIFO or a folder as the configuration is refused at once;
 * `--history` without a value says so; sharing the port outside Kafka mode is refused. */
static void test_strict_configuration_and_options(void **state)
{
    (void)state;
    char dir[] = "/tmp/pitwall-config-XXXXXX", path[300], out[4096];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/pitwall.yaml", dir);
    write_file(path, "server:\n  host: 127.0.0.1\n  portt: 8001\n");
    const char *typo[] = {"--config", path, NULL};
    assert_int_equal(run_pitwall(typo, out, sizeof out, 10000), 2);
    char want[400];
    snprintf(want, sizeof want, "%s:3: unknown setting server.portt (did you mean server.port?)",
             path);
    if (!strstr(out, want))
        fail_msg("wanted \"%s\" in: %s", want, out);

    snprintf(path, sizeof path, "%s/fifo.yaml", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    const char *fifo[] = {"--config", path, NULL};
    assert_int_equal(run_pitwall(fifo, out, sizeof out, 5000), 2); /* -1 would be a hang */
    assert_non_null(strstr(out, "is a FIFO (named pipe), not a regular file"));
    const char *folder[] = {"--config", dir, NULL};
    assert_int_equal(run_pitwall(folder, out, sizeof out, 5000), 2);
    assert_non_null(strstr(out, "is a directory, not a regular file"));

    /* History errors name the file and the real cause. */
    snprintf(path, sizeof path, "%s/garbage.db", dir);
    write_file(path, "this is not a database, just text that is long enough\n");
    const char *garbage[] = {"--port", "0", "--history", path, NULL};
    assert_int_equal(run_pitwall(garbage, out, sizeof out, 10000), 1);
    snprintf(want, sizeof want, "%s is not a SQLite database", path);
    if (!strstr(out, want))
        fail_msg("wanted \"%s\" in: %s", want, out);
    const char *folder_db[] = {"--port", "0", "--history", dir, NULL};
    assert_int_equal(run_pitwall(folder_db, out, sizeof out, 10000), 1);
    assert_non_null(strstr(out, "is a directory, not a history database file"));

    const char *history[] = {"--port", "0", "--history", NULL};
    assert_int_equal(run_pitwall(history, out, sizeof out, 5000), 2);
    assert_non_null(strstr(out, "option --history needs a value"));

    /* Sharing the port is for edges that share races over Kafka; alone it is refused. */
    const char *shared[] = {"--port", "0", "--reuse-port", NULL};
    assert_int_equal(run_pitwall(shared, out, sizeof out, 5000), 2);
    assert_non_null(strstr(out, "server.reuse_port (--reuse-port) needs Kafka mode"));

    /* Every setting docs/CONFIG.md shows is one pitwall knows. */
    FILE *doc = fopen(PITWALL_SOURCE_DIR "/docs/CONFIG.md", "r");
    assert_non_null(doc);
    snprintf(path, sizeof path, "%s/documented.yaml", dir);
    FILE *sample = fopen(path, "w");
    assert_non_null(sample);
    char line[512];
    int state_ = 0, lines = 0; /* 0 before the section, 1 in it, 2 in its yaml block */
    while (fgets(line, sizeof line, doc) && state_ < 3) {
        if (state_ == 0 && strncmp(line, "## pitwall's settings", 21) == 0)
            state_ = 1;
        else if (state_ == 1 && strncmp(line, "```yaml", 7) == 0)
            state_ = 2;
        else if (state_ == 2 && strncmp(line, "```", 3) == 0)
            state_ = 3;
        else if (state_ == 2 && (fputs(line, sample), 1))
            lines++;
    }
    fclose(doc);
    fclose(sample);
    assert_true(lines > 40);
    setenv("KAFKA_BOOTSTRAP", "x", 1);
    setenv("KAFKA_API_KEY", "x", 1);
    setenv("KAFKA_API_SECRET", "x", 1);
    setenv("SCHEMA_REGISTRY_URL", "x", 1);
    setenv("SCHEMA_REGISTRY_API_KEY", "x", 1);
    setenv("SCHEMA_REGISTRY_SECRET", "x", 1);
    const char *documented[] = {"--config", path, "--version", NULL};
    int rc = run_pitwall(documented, out, sizeof out, 5000);
    if (rc != 0)
        fail_msg("the documented settings are refused: %s", out);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
}

/* A history on a read-only file system says so (SQLite alone says "unable
 * to open database file", which pitwall used to pass on as "Permission denied"). Needs a
 * read-only mount: skipped, and reported as skipped, where the test may not mount one. */
static void test_history_on_a_read_only_file_system(void **state)
{
    (void)state;
    char dir[] = "/tmp/pitwall-ro-XXXXXX", cmd[400], out[4096], db[300];
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o ro,size=1m pitwall-test '%s' 2>/dev/null", dir);
    if (system(cmd) != 0) {
        rmdir(dir);
        skip();
    }
    snprintf(db, sizeof db, "%s/data/pitwall.db", dir);
    const char *args[] = {"--port", "0", "--history", db, NULL};
    int rc = run_pitwall(args, out, sizeof out, 10000);
    snprintf(cmd, sizeof cmd, "umount '%s' && rmdir '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(rc, 1);
    char want[400];
    snprintf(want, sizeof want, "%s cannot be created: %s is on a read-only file system", db, dir);
    if (!strstr(out, want))
        fail_msg("wanted \"%s\" in: %s", want, out);
    assert_null(strstr(out, "Permission denied"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_races_finished_together_stay_finished),
        cmocka_unit_test(test_replay_that_cannot_start_is_an_error_at_once),
        cmocka_unit_test(test_strict_configuration_and_options),
        cmocka_unit_test(test_sighup_is_a_clean_shutdown),
        cmocka_unit_test(test_history_on_a_read_only_file_system),
        cmocka_unit_test(test_race_control_by_token),
        cmocka_unit_test(test_event_logs_stay_within_the_memory_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
