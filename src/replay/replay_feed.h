/* replay_feed.h — the topics of one archive session and their lines on one timeline.
 *
 * A feed holds one replay_stream per known topic (a topic whose file is absent is simply
 * not present) and a timeline: every usable line of every topic, ordered by offset; lines
 * with the same offset keep file order within a topic, and across topics follow the
 * enum order below (drivers before timing, timing before what reacts to it). Files with
 * other names in the session directory are never opened.
 *
 * Ownership: the feed owns its streams and timeline; free with replay_feed_free. */
#ifndef PW_REPLAY_FEED_H
#define PW_REPLAY_FEED_H

#include "replay/replay_stream.h"

#include <stdbool.h>

enum replay_topic {
    REPLAY_TOPIC_SESSION_INFO = 0,
    REPLAY_TOPIC_DRIVER_LIST,
    REPLAY_TOPIC_SESSION_STATUS,
    REPLAY_TOPIC_LAP_COUNT,
    REPLAY_TOPIC_TRACK_STATUS,
    REPLAY_TOPIC_TIMING_APP_DATA,
    REPLAY_TOPIC_TIMING_DATA,
    REPLAY_TOPIC_RACE_CONTROL,
    REPLAY_TOPIC_WEATHER,
    REPLAY_TOPIC_COUNT
};

struct replay_entry {
    int64_t offset_ms;
    uint32_t start;
    uint32_t len;
    uint8_t topic; /* enum replay_topic */
};

struct replay_feed {
    struct replay_stream streams[REPLAY_TOPIC_COUNT];
    bool present[REPLAY_TOPIC_COUNT];
    struct replay_entry *timeline;
    size_t n_entries;
    struct replay_read_stats read_stats; /* summed over topics */
};

/* The topic named by an archive file's stem ("TimingData", ...; exact match); -EINVAL if
 * unknown. */
int replay_topic_parse(const char *name, enum replay_topic *out);

/* Loads every known topic file in `dir`. TimingData.jsonStream is required (without it
 * there is no leaderboard); others may be missing. Returns 0 or a negative code with a
 * message in `err`. */
int replay_feed_open_dir(struct replay_feed *feed, const char *dir, size_t max_line_bytes,
                         const struct pw_log *log, char *err, size_t errlen);

/* Builds a feed from in-memory topic texts: `texts[t]` (`lens[t]` bytes) for topic t,
 * NULL for a missing topic. Used by the fuzz target and tests; no topic is required. */
int replay_feed_open_buffers(struct replay_feed *feed, const char *const texts[REPLAY_TOPIC_COUNT],
                             const size_t lens[REPLAY_TOPIC_COUNT], size_t max_line_bytes,
                             const struct pw_log *log);

/* JSON text of a timeline entry (not NUL-terminated; `e->len` bytes). */
const char *replay_feed_text(const struct replay_feed *feed, const struct replay_entry *e);

void replay_feed_free(struct replay_feed *feed);

#endif
