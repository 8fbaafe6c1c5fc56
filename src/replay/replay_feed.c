#include "replay/replay_feed.h"

#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const topic_names[REPLAY_TOPIC_COUNT] = {
    [REPLAY_TOPIC_SESSION_INFO] = "SessionInfo",
    [REPLAY_TOPIC_DRIVER_LIST] = "DriverList",
    [REPLAY_TOPIC_SESSION_STATUS] = "SessionStatus",
    [REPLAY_TOPIC_LAP_COUNT] = "LapCount",
    [REPLAY_TOPIC_TRACK_STATUS] = "TrackStatus",
    [REPLAY_TOPIC_TIMING_APP_DATA] = "TimingAppData",
    [REPLAY_TOPIC_TIMING_DATA] = "TimingData",
    [REPLAY_TOPIC_RACE_CONTROL] = "RaceControlMessages",
    [REPLAY_TOPIC_WEATHER] = "WeatherData",
};

/* What a replay goes without when a topic's file is missing (logged naming the file). */
static const char *const topic_lost[REPLAY_TOPIC_COUNT] = {
    [REPLAY_TOPIC_SESSION_INFO] = "no title, circuit or session kind (shown as a race)",
    [REPLAY_TOPIC_DRIVER_LIST] = "drivers shown by racing number, without names or teams",
    [REPLAY_TOPIC_SESSION_STATUS] = "start and end taken from other topics, no session clock",
    [REPLAY_TOPIC_LAP_COUNT] = "lap counter from the leader's laps",
    [REPLAY_TOPIC_TRACK_STATUS] = "no flags or safety car",
    [REPLAY_TOPIC_TIMING_APP_DATA] = "no tyres or stints",
    [REPLAY_TOPIC_TIMING_DATA] = "no leaderboard",
    [REPLAY_TOPIC_RACE_CONTROL] = "no race control messages",
    [REPLAY_TOPIC_WEATHER] = "no weather",
};

int replay_topic_parse(const char *name, enum replay_topic *out)
{
    for (int t = 0; name && t < REPLAY_TOPIC_COUNT; t++) {
        if (strcmp(name, topic_names[t]) == 0) {
            *out = (enum replay_topic)t;
            return 0;
        }
    }
    return -EINVAL;
}

/* Merges the per-topic line lists (each already in offset order) into one timeline. */
static int feed_build_timeline(struct replay_feed *feed)
{
    size_t total = 0, head[REPLAY_TOPIC_COUNT] = {0};
    for (int t = 0; t < REPLAY_TOPIC_COUNT; t++)
        total += feed->streams[t].n_lines;
    feed->timeline = malloc((total ? total : 1) * sizeof *feed->timeline);
    if (!feed->timeline)
        return -ENOMEM;
    for (size_t i = 0; i < total; i++) {
        int best = -1;
        for (int t = 0; t < REPLAY_TOPIC_COUNT; t++) {
            const struct replay_stream *s = &feed->streams[t];
            if (head[t] < s->n_lines &&
                (best < 0 ||
                 s->lines[head[t]].offset_ms < feed->streams[best].lines[head[best]].offset_ms))
                best = t;
        }
        const struct replay_line *l = &feed->streams[best].lines[head[best]++];
        feed->timeline[i] = (struct replay_entry){
            .offset_ms = l->offset_ms, .start = l->start, .len = l->len, .topic = (uint8_t)best};
    }
    feed->n_entries = total;
    return 0;
}

int replay_feed_open_dir(struct replay_feed *feed, const char *dir, size_t max_line_bytes,
                         const struct pw_log *log, char *err, size_t errlen)
{
    int rc = 0;
    memset(feed, 0, sizeof *feed);
    for (int t = 0; t < REPLAY_TOPIC_COUNT; t++) {
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%s.jsonStream", dir, topic_names[t]);
        if (n < 0 || (size_t)n >= sizeof path) {
            snprintf(err, errlen, "session path too long: %s", dir);
            rc = -ENAMETOOLONG;
            goto out;
        }
        rc = replay_stream_load_file(&feed->streams[t], path, max_line_bytes, &feed->read_stats,
                                     log, err, errlen);
        if (rc == -ENOENT) {
            if (t == REPLAY_TOPIC_TIMING_DATA) {
                snprintf(err, errlen,
                         "%s does not exist: not an archive session (no timing data, so no "
                         "leaderboard)",
                         path);
                goto out;
            }
            PW_INFO(log, "replay", "%s missing: %s", path, topic_lost[t]);
            rc = 0;
            continue;
        }
        if (rc < 0)
            goto out;
        feed->present[t] = true;
    }
    rc = feed_build_timeline(feed);
    if (rc < 0)
        snprintf(err, errlen, "%s", pw_strerror(rc));
out:
    if (rc < 0)
        replay_feed_free(feed);
    return rc;
}

int replay_feed_open_buffers(struct replay_feed *feed, const char *const texts[REPLAY_TOPIC_COUNT],
                             const size_t lens[REPLAY_TOPIC_COUNT], size_t max_line_bytes,
                             const struct pw_log *log)
{
    int rc = 0;
    memset(feed, 0, sizeof *feed);
    for (int t = 0; t < REPLAY_TOPIC_COUNT; t++) {
        if (!texts[t])
            continue;
        rc = replay_stream_load_buffer(&feed->streams[t], texts[t], lens[t], max_line_bytes,
                                       topic_names[t], &feed->read_stats, log);
        if (rc < 0)
            goto out;
        feed->present[t] = true;
    }
    rc = feed_build_timeline(feed);
out:
    if (rc < 0)
        replay_feed_free(feed);
    return rc;
}

const char *replay_feed_text(const struct replay_feed *feed, const struct replay_entry *e)
{
    return feed->streams[e->topic].buf + e->start;
}

void replay_feed_free(struct replay_feed *feed)
{
    for (int t = 0; t < REPLAY_TOPIC_COUNT; t++)
        replay_stream_free(&feed->streams[t]);
    free(feed->timeline);
    memset(feed, 0, sizeof *feed);
}
