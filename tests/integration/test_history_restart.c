/* Integration test against the real pitwall binary: a finished race answered from the history
 * after a restart (docs/API.md) shows the board it showed live. A simulated race in the rain
 * with penalties and damage forced ends; its classification, its status and the snapshot a
 * new viewer gets are taken live, the server is restarted on the same history, and the same
 * answers are asked of the history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api_json.h"
#include "harness.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What first_frame looks for and what it found. */
struct frame_search {
    const char *event;
    json_t *found;
    bool end;
};

static bool search_frame(void *ctx, const struct sse_frame *f)
{
    struct frame_search *fs = ctx;
    json_t *d = api_parse_json(f->data);
    fs->end = strcmp(f->event, "end") == 0 || strcmp(api_str(d, "type"), "end") == 0;
    if (!fs->found && !fs->end && strcmp(f->event, fs->event) == 0)
        fs->found = json_incref(d);
    json_decref(d);
    return fs->end;
}

/* Open `path` and return the data of its first frame named `event` ("" for the original
 * streams' unnamed frames), reading on to the `end` frame (a finished race's stream ends). */
static json_t *first_frame(int port, const char *path, const char *event)
{
    struct sse s;
    assert_int_equal(sse_open(&s, port, path, NULL), 0);
    assert_int_equal(s.status, 200);
    struct frame_search fs = {.event = event};
    sse_read_frames(&s, (struct sse_read_limits){.within_ms = 30000, .wait_ms = 2000}, search_frame,
                    &fs);
    sse_close(&s);
    assert_true(fs.end);
    assert_non_null(fs.found);
    return fs.found;
}

/* Wait for the race's stream to end, and check it finished. */
static void wait_for_the_flag(int port, const char *race_id)
{
    char path[160];
    snprintf(path, sizeof path, "/api/race/%s/stream", race_id);
    json_t *snap = first_frame(port, path, "snapshot");
    json_decref(snap);
    snprintf(path, sizeof path, "/api/race/%s/status", race_id);
    json_t *st = api_get_json(port, path, 200);
    assert_string_equal(api_str(st, "status"), "finished");
    json_decref(st);
}

/* What says when a positions frame was sent, not what it shows: the tick's number and times
 * (a live race's last tick, the history's end of the race) and the status at that tick. */
static void drop_sending_fields(json_t *data)
{
    json_object_del(data, "seq");
    json_object_del(data, "timestamp");
    json_object_del(data, "server_ms");
    json_object_del(data, "status");
    size_t i;
    json_t *car;
    json_array_foreach(json_object_get(data, "positions"), i, car)
    {
        json_object_del(car, "timestamp");
    }
}

static void assert_same_json(json_t *live, json_t *history, const char *what)
{
    if (json_equal(live, history))
        return;
    char *a = json_dumps(live, JSON_COMPACT | JSON_SORT_KEYS);
    char *b = json_dumps(history, JSON_COMPACT | JSON_SORT_KEYS);
    print_error("%s differs after the restart\nlive:    %s\nhistory: %s\n", what, a, b);
    free(a);
    free(b);
    fail();
}

/* The race's entry in /api/races (a new reference), failing if it is not listed. */
static json_t *listed_race(int port, const char *race_id)
{
    json_t *list = api_get_json(port, "/api/races", 200);
    json_t *found = NULL, *r;
    size_t i;
    json_array_foreach(json_object_get(list, "races"), i, r)
    {
        if (strcmp(api_str(r, "race_id"), race_id) == 0)
            found = json_incref(r);
    }
    json_decref(list);
    if (!found)
        fail_msg("race %s not in /api/races", race_id);
    return found;
}

static void test_final_board_survives_a_restart(void **state)
{
    (void)state;
    struct server srv;
    assert_int_equal(server_start(&srv, NULL, NULL, NULL), 0);
    char race[64], path[200];
    api_start_race(srv.port,
               "{\"driver_name\":\"Lando Norris\",\"duration_s\":8,\"tick_hz\":5,"
               "\"circuit\":\"spa\",\"laps\":12,\"weather\":\"rain\",\"penalties\":true,"
               "\"damage\":true,\"seed\":5}",
               race, sizeof race);
    wait_for_the_flag(srv.port, race);

    snprintf(path, sizeof path, "/api/race/%s/positions", race);
    json_t *live_cls = api_get_json(srv.port, path, 200);
    /* The race has what the test is about: every car carries its penalties and damage, and
     * some car ended with a penalty and some with damage. */
    int penalised = 0, damaged = 0;
    size_t i;
    json_t *car;
    json_array_foreach(json_object_get(live_cls, "positions"), i, car)
    {
        assert_true(json_is_integer(json_object_get(car, "penalty_s")));
        assert_true(json_is_boolean(json_object_get(car, "drive_through")));
        assert_true(json_is_boolean(json_object_get(car, "black_white")));
        assert_true(json_is_integer(json_object_get(car, "deleted_laps")));
        penalised += json_integer_value(json_object_get(car, "penalty_s")) > 0 ||
                     json_integer_value(json_object_get(car, "deleted_laps")) > 0 ||
                     json_is_true(json_object_get(car, "black_white"));
        const char *damage = api_str(car, "damage");
        assert_true(damage[0] != '\0');
        damaged += strcmp(damage, "none") != 0;
    }
    assert_true(penalised >= 1);
    assert_true(damaged >= 1);
    snprintf(path, sizeof path, "/api/race/%s/stream", race);
    json_t *live_snap = first_frame(srv.port, path, "snapshot");
    json_t *live_board = json_incref(json_object_get(live_snap, "positions"));
    assert_true(json_is_object(json_object_get(live_board, "weather")));
    snprintf(path, sizeof path, "/api/race/%s/status", race);
    json_t *live_status = api_get_json(srv.port, path, 200);
    json_t *live_entry = listed_race(srv.port, race);
    assert_true(json_is_object(json_object_get(live_entry, "winner")));

    char dir[256];
    snprintf(dir, sizeof dir, "%s", srv.dir);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    assert_int_equal(server_start(&srv, NULL, NULL, dir), 0);

    /* /positions: the same document, field for field. */
    snprintf(path, sizeof path, "/api/race/%s/positions", race);
    json_t *hist_cls = api_get_json(srv.port, path, 200);
    assert_same_json(live_cls, hist_cls, "/positions");
    /* The snapshot a viewer who reloads gets: the same board (weather, fastest lap, lap,
     * track status and every car), sent from the history instead of the last tick. */
    snprintf(path, sizeof path, "/api/race/%s/stream", race);
    json_t *hist_snap = first_frame(srv.port, path, "snapshot");
    json_t *hist_board = json_object_get(hist_snap, "positions");
    assert_string_equal(api_str(hist_board, "status"), "finished");
    assert_null(json_object_get(hist_board, "seq"));
    drop_sending_fields(live_board);
    drop_sending_fields(hist_board);
    assert_same_json(live_board, hist_board, "the stream's snapshot");
    /* The original positions stream's one frame is that board too. */
    snprintf(path, sizeof path, "/api/positions/stream?race_id=%s", race);
    json_t *legacy = first_frame(srv.port, path, "");
    assert_string_equal(api_str(legacy, "type"), "positions");
    json_t *legacy_board = json_object_get(legacy, "data");
    drop_sending_fields(legacy_board);
    assert_same_json(live_board, legacy_board, "the positions stream's frame");
    /* The status's board figures. */
    snprintf(path, sizeof path, "/api/race/%s/status", race);
    json_t *hist_status = api_get_json(srv.port, path, 200);
    assert_same_json(json_object_get(live_status, "lap"), json_object_get(hist_status, "lap"),
                     "the status's lap");
    assert_string_equal(api_str(hist_status, "track_status"), api_str(live_status, "track_status"));
    /* The races list names the same winner. */
    json_t *hist_entry = listed_race(srv.port, race);
    assert_same_json(json_object_get(live_entry, "winner"), json_object_get(hist_entry, "winner"),
                     "the races list's winner");

    json_decref(live_cls);
    json_decref(live_snap);
    json_decref(live_board);
    json_decref(live_status);
    json_decref(hist_cls);
    json_decref(hist_snap);
    json_decref(legacy);
    json_decref(hist_status);
    json_decref(live_entry);
    json_decref(hist_entry);
    assert_int_equal(server_stop(&srv, SIGTERM), 0);
    server_cleanup(&srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_final_board_survives_a_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
