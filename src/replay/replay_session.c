/* replay_session.c — practice and qualifying in a replay (replay_session.h). */
#include "replay/replay_session.h"

#include "replay/replay_json.h"
#include "replay/replay_parse.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MIN_MS (60LL * 1000)

/* "2021-09-11T12:00:00" as seconds on a day count (only differences are used). */
static bool parse_date(const char *s, int64_t *secs)
{
    int y, mo, d, h, mi, se;
    char tail;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &tail) < 6)
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1900)
        return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = se};
    *secs = (int64_t)timegm(&tm);
    return true;
}

void replay_session_info(struct replay_session *ss, const struct pw_race_state *st,
                         const json_t *si)
{
    static const int64_t quali[PW_QUALI_PARTS] = {18 * MIN_MS, 15 * MIN_MS, 12 * MIN_MS};
    static const int64_t sprint_quali[PW_QUALI_PARTS] = {12 * MIN_MS, 10 * MIN_MS, 8 * MIN_MS};
    memset(ss->part_len_ms, 0, sizeof ss->part_len_ms);
    if (st->kind == PW_SESSION_QUALIFYING) {
        memcpy(ss->part_len_ms, quali, sizeof quali);
    } else if (st->kind == PW_SESSION_SPRINT_QUALIFYING) {
        memcpy(ss->part_len_ms, sprint_quali, sizeof sprint_quali);
    } else if (st->kind == PW_SESSION_PRACTICE) {
        int64_t a, b;
        int64_t len = REPLAY_PRACTICE_DEFAULT_MS;
        /* The scheduled length; anything odd (no dates, over 3 hours) is the usual hour. */
        if (parse_date(replay_json_str(si, "StartDate"), &a) &&
            parse_date(replay_json_str(si, "EndDate"), &b) && b > a && b - a <= 3 * 3600)
            len = (b - a) * 1000;
        ss->part_len_ms[0] = len;
    }
}

static int part_index(const struct pw_race_state *st)
{
    if (st->kind == PW_SESSION_PRACTICE)
        return 0;
    int p = st->session_part > 0 ? st->session_part : 1;
    return p <= PW_QUALI_PARTS ? p - 1 : PW_QUALI_PARTS - 1;
}

static void clock_stop(struct replay_session *ss, int64_t now)
{
    if (ss->since >= 0 && now > ss->since)
        ss->run_ms += now - ss->since;
    ss->since = -1;
}

void replay_session_status(struct replay_session *ss, struct pw_race_state *st, const char *status)
{
    if (!pw_session_is_timed(st->kind) || !status)
        return;
    int64_t now = st->race_ms;
    if (strcmp(status, "Started") == 0) {
        /* Practice runs on one clock from its first start, red flags included. */
        if (ss->since < 0 && !(st->kind == PW_SESSION_PRACTICE && ss->run_ms > 0))
            ss->since = now;
        ss->part_over = false;
    } else if (strcmp(status, "Finished") == 0 || strcmp(status, "Finalised") == 0 ||
               strcmp(status, "Ends") == 0) {
        clock_stop(ss, now);
        ss->part_over = true;
    } else if (st->kind != PW_SESSION_PRACTICE) {
        clock_stop(ss, now); /* "Aborted" (red flag), "Inactive": the clock stops */
    } else if (ss->since >= 0) {
        /* Practice: a red flag does not stop the clock; remember where it runs from. */
        ss->run_ms += now - ss->since;
        ss->since = now;
    }
    replay_session_tick(ss, st);
}

void replay_session_tick(const struct replay_session *ss, struct pw_race_state *st)
{
    if (!pw_session_is_timed(st->kind))
        return;
    int64_t len = ss->part_len_ms[part_index(st)];
    int64_t run = ss->run_ms + (ss->since >= 0 && st->race_ms > ss->since ? st->race_ms - ss->since : 0);
    st->clock_running = ss->since >= 0 && !ss->part_over;
    st->clock_ms = ss->part_over || run >= len ? 0 : len - run;
    if (st->clock_ms == 0)
        st->clock_running = false;
}

int replay_session_timing(struct replay_session *ss, struct pw_race_state *st, const json_t *timing)
{
    int prev = st->session_part;
    if (st->kind != PW_SESSION_QUALIFYING && st->kind != PW_SESSION_SPRINT_QUALIFYING)
        return prev;
    const json_t *entries = json_object_get(timing, "NoEntries");
    for (size_t i = 0; i < PW_QUALI_PARTS; i++) {
        const json_t *v = replay_json_item(entries, i);
        json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
        ss->no_entries[i] = n > 0 && n <= PW_MAX_CARS ? (int)n : 0;
    }
    int part = replay_json_int(timing, "SessionPart", PW_QUALI_PARTS);
    if (part > 0 && part != st->session_part) {
        st->session_part = part;
        /* A new part: a full clock, stopped until its green light. */
        ss->run_ms = 0;
        ss->since = -1;
        ss->part_over = false;
    }
    int p = st->session_part;
    st->cutoff_position = p >= 1 && p < PW_QUALI_PARTS ? ss->no_entries[p] : 0;
    replay_session_tick(ss, st);
    return prev > 0 ? prev : st->session_part;
}

void replay_session_car(const struct pw_race_state *st, int prev_part, struct pw_car *c,
                        const json_t *line)
{
    if (!pw_session_is_timed(st->kind))
        return;
    for (int i = 0; i < 3; i++) {
        if (c->sectors_ms[i] > 0 &&
            (c->best_sectors_ms[i] == 0 || c->sectors_ms[i] < c->best_sectors_ms[i]))
            c->best_sectors_ms[i] = c->sectors_ms[i];
    }
    const char *to_fastest = "TimeDiffToFastest", *to_ahead = "TimeDiffToPositionAhead";
    const json_t *gaps = line;
    if (st->kind != PW_SESSION_PRACTICE) {
        const json_t *best = json_object_get(line, "BestLapTimes");
        for (size_t i = 0; i < PW_QUALI_PARTS; i++)
            c->part_best_ms[i] = replay_json_laptime(replay_json_item(best, i));
        bool out = replay_json_bool(line, "KnockedOut");
        if (!out)
            c->knocked_out_part = 0;
        else if (!c->knocked_out_part)
            c->knocked_out_part = prev_part > 0 ? prev_part : 1;
        int p = c->knocked_out_part ? c->knocked_out_part : st->session_part;
        gaps = replay_json_item(json_object_get(line, "Stats"), (size_t)(p > 0 ? p - 1 : 0));
        to_ahead = "TimeDifftoPositionAhead"; /* sic, in the feed's Stats */
    }
    /* Gaps to the fastest lap, not to a leader on the road. */
    replay_parse_gap(replay_json_str(gaps, to_fastest), &c->gap_ms, &c->gap_laps);
    replay_parse_gap(replay_json_str(gaps, to_ahead), &c->interval_ms, &c->interval_laps);
}

bool replay_session_finish_ends(const struct pw_race_state *st)
{
    if (st->kind != PW_SESSION_QUALIFYING && st->kind != PW_SESSION_SPRINT_QUALIFYING)
        return true;
    return st->session_part >= PW_QUALI_PARTS;
}

bool replay_session_deleted_lap(const char *msg, char *number, size_t len)
{
    unsigned n;
    int used = 0;
    if (!msg || sscanf(msg, "CAR %3u %n", &n, &used) != 1 || used == 0 || n == 0 ||
        !strstr(msg + used, " DELETED"))
        return false;
    snprintf(number, len, "%u", n);
    return true;
}
