#include "replay/replay_info.h"

#include "core/error.h"
#include "replay/replay_merge.h"
#include "replay/replay_parse.h"

#include <stdio.h>
#include <string.h>

json_t *replay_info_merge_stream(const struct replay_stream *s)
{
    json_t *state = NULL;
    struct replay_merge_stats ms = {0};
    for (size_t i = 0; i < s->n_lines; i++) {
        json_t *d = json_loadb(s->buf + s->lines[i].start, s->lines[i].len, 0, NULL);
        if (json_is_object(d) && replay_merge_apply(&state, d, &ms) < 0) {
            json_decref(d);
            break;
        }
        json_decref(d);
    }
    return state;
}

void replay_info_title(const json_t *si, char *buf, size_t buflen)
{
    const char *date = json_string_value(json_object_get(si, "StartDate"));
    const char *meeting =
        json_string_value(json_object_get(json_object_get(si, "Meeting"), "Name"));
    const char *name = json_string_value(json_object_get(si, "Name"));
    char year[5] = "", m[96], n[96], joined[200];
    if (date && strspn(date, "0123456789") >= 4)
        snprintf(year, sizeof year, "%.4s", date);
    /* Each part is cut on a character boundary first, so the join cannot overflow. */
    replay_copy_text(m, sizeof m, meeting);
    replay_copy_text(n, sizeof n, name);
    snprintf(joined, sizeof joined, "%s%s%s%s%s", year, *year && *m ? " " : "", m,
             (*year || *m) && *n ? " " : "", n);
    replay_copy_text(buf, buflen, joined);
}

enum pw_session_kind replay_info_kind(const json_t *si)
{
    const char *type = json_string_value(json_object_get(si, "Type"));
    const char *name = json_string_value(json_object_get(si, "Name"));
    bool sprint = name && strstr(name, "Sprint");
    if (!type) /* no Type: the usual names */
        type = !name                          ? "Race"
               : strstr(name, "Practice")     ? "Practice"
               : strstr(name, "Qualifying") || strstr(name, "Shootout") ? "Qualifying"
                                              : "Race";
    if (strcmp(type, "Practice") == 0)
        return PW_SESSION_PRACTICE;
    if (strcmp(type, "Qualifying") == 0)
        return sprint ? PW_SESSION_SPRINT_QUALIFYING : PW_SESSION_QUALIFYING;
    return sprint ? PW_SESSION_SPRINT : PW_SESSION_RACE;
}

int replay_info_laps(const json_t *lc)
{
    json_t *v = json_object_get(lc, "TotalLaps");
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
    return n > 0 && n < 10000 ? (int)n : 0;
}

static const char *status_text(const struct replay_feed *feed, const struct replay_entry *e,
                               char *buf, size_t buflen)
{
    json_t *d = json_loadb(replay_feed_text(feed, e), e->len, 0, NULL);
    const char *s = json_string_value(json_object_get(d, "Status"));
    snprintf(buf, buflen, "%s", s ? s : "");
    json_decref(d);
    return buf;
}

int64_t replay_info_lights_out(const struct replay_feed *feed)
{
    char buf[32];
    for (size_t i = 0; i < feed->n_entries; i++) {
        const struct replay_entry *e = &feed->timeline[i];
        if (e->topic == REPLAY_TOPIC_SESSION_STATUS &&
            strcmp(status_text(feed, e, buf, sizeof buf), "Started") == 0)
            return e->offset_ms;
    }
    /* No SessionStatus: the leader's first two line crossings give lap 1's end and a lap
     * length, and lap 1 from a standing start is about one lap long. */
    int64_t t2 = -1, t3 = -1;
    const struct replay_stream *lc = &feed->streams[REPLAY_TOPIC_LAP_COUNT];
    for (size_t i = 0; i < lc->n_lines && t3 < 0; i++) {
        json_t *d = json_loadb(lc->buf + lc->lines[i].start, lc->lines[i].len, 0, NULL);
        json_t *cur = json_object_get(d, "CurrentLap");
        json_int_t lap = json_is_integer(cur) ? json_integer_value(cur) : 0;
        if (lap == 2 && t2 < 0)
            t2 = lc->lines[i].offset_ms;
        else if (lap == 3 && t2 >= 0)
            t3 = lc->lines[i].offset_ms;
        json_decref(d);
    }
    if (t2 >= 0 && t3 > t2 && t2 - (t3 - t2) >= 0)
        return t2 - (t3 - t2);
    return feed->n_entries ? feed->timeline[0].offset_ms : 0;
}

int64_t replay_info_end(const struct replay_feed *feed, int64_t lights_out)
{
    char buf[32];
    int64_t end = feed->n_entries ? feed->timeline[feed->n_entries - 1].offset_ms : 0;
    for (size_t i = 0; i < feed->n_entries; i++) {
        const struct replay_entry *e = &feed->timeline[i];
        if (e->topic == REPLAY_TOPIC_SESSION_STATUS && e->offset_ms >= lights_out &&
            strcmp(status_text(feed, e, buf, sizeof buf), "Finalised") == 0) {
            end = e->offset_ms;
            break;
        }
    }
    return end > lights_out ? end : lights_out;
}

/* A line that places a car: Lines.<racing number>.Position as a number or decimal text. */
static bool line_places_a_car(const json_t *d)
{
    const char *key;
    json_t *car;
    json_object_foreach(json_object_get(d, "Lines"), key, car)
    {
        json_t *pos = json_object_get(car, "Position");
        long n;
        if (!replay_number_valid(key))
            continue;
        if ((json_is_integer(pos) && json_integer_value(pos) > 0) ||
            (json_is_string(pos) && replay_parse_uint(json_string_value(pos), 999, &n) == 0 &&
             n > 0))
            return true;
    }
    return false;
}

int replay_info_check_timing(const struct replay_feed *feed, char *why, size_t whylen)
{
    const struct replay_stream *s = &feed->streams[REPLAY_TOPIC_TIMING_DATA];
    size_t n_objects = 0;
    for (size_t i = 0; i < s->n_lines; i++) {
        json_t *d = json_loadb(s->buf + s->lines[i].start, s->lines[i].len, 0, NULL);
        bool object = json_is_object(d), places = object && line_places_a_car(d);
        json_decref(d);
        if (places)
            return 0;
        n_objects += object;
    }
    /* Only the BOM, blanks and line ends: nothing was sent. */
    size_t start = s->buf_len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    size_t content = 0;
    for (size_t i = start; i < s->buf_len; i++)
        content += s->buf[i] != ' ' && s->buf[i] != '\t' && s->buf[i] != '\r' && s->buf[i] != '\n';
    if (content == 0)
        snprintf(why, whylen, "empty: no timing lines");
    else if (s->n_lines == 0)
        snprintf(why, whylen,
                 "no line in the archive format (HH:MM:SS.mmm then JSON) in %zu bytes",
                 s->buf_len);
    else if (n_objects == 0)
        snprintf(why, whylen, "none of its %zu lines is a JSON object", s->n_lines);
    else
        snprintf(why, whylen,
                 "not timing data: none of its %zu lines gives a car a position "
                 "(Lines.<number>.Position)",
                 s->n_lines);
    return PW_EPARSE;
}
