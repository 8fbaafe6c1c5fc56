/* hub.h — per-race state, a bounded event log, and Server-Sent Events fan-out
 * (docs/ARCHITECTURE.md: the flow, the stream ids).
 *
 * Owns: one record per race it has heard of (meta, latest state, status, recent commentary,
 * the log of encoded frames) and every SSE client subscribed through it. It subscribes to
 * all events on the bus. Each event is encoded once into shared buffers (one for the
 * original app's streams, one for the combined stream with named events, where a positions
 * tick is a delta against the previous one: delta.h); the same bytes go to every client,
 * and a frame is compressed at most once for every client that asked for it (packer.h).
 * Borrows the loop, the bus and the logger.
 *
 * Frame ids are "R-C": the race-event and commentary sequence numbers after the event. A
 * client reconnecting with Last-Event-ID gets exactly the frames of its stream whose own
 * counter is past the id's, so resuming works on any edge server in Kafka mode too. */
#ifndef PW_HUB_HUB_H
#define PW_HUB_HUB_H

#include "bus/bus.h"
#include "core/event.h"
#include "core/log.h"
#include "hub/hub_sink.h"

#include <jansson.h>
#include <stdbool.h>
#include <uv.h>

struct hub_config {
    size_t log_max_bytes;      /* per race, default 32 MiB: older frames fall out of the window */
    int finished_races_kept;   /* finished races kept in memory (with their log), default 16 */
    uint64_t ping_interval_ms; /* idle streams get a ping after this, default 10 s */
    int recent_commentary;     /* lines kept for the snapshot, default 50 */
    uint64_t end_grace_ms;     /* after the finish, the last commentary lines still stream
                                  for this long before the `end` frame, default 5 s */
    /* After the finish (or a stop) the `end` frame also waits for the commentary engine's
     * done marker (PW_EV_COMMENTARY_DONE), at most this long from the finish, default 30 s;
     * 0 (or at most end_grace_ms): no wait beyond the grace. A failed race never waits. */
    uint64_t commentary_wait_ms;
    uint64_t start_timeout_ms; /* a race expected here (hub_expect_race) that has no event
                                  after this long is marked failed, default 30 s */
    int retired_kept;          /* ids of let-go races remembered, so their late events are
                                  dropped, default 4096 */
    int compress_level;        /* zlib level for compressed streams, 1..9, default 6 */
    size_t log_budget_bytes;   /* all races' event logs together, default 256 MiB; past it
                                  finished races are let go of first (the history has them),
                                  then the oldest frames of the largest running log; 0 = none */
};

void hub_config_defaults(struct hub_config *cfg);

enum hub_stream {
    HUB_STREAM_POSITIONS = 0, /* original: /api/positions/stream */
    HUB_STREAM_COMMENTARY,    /* original: /api/commentary/stream */
    HUB_STREAM_RACE,          /* pitwall: /api/race/{id}/stream, named events */
    HUB_STREAM_COUNT
};

enum hub_race_status {
    HUB_RACE_NOT_STARTED = 0,
    HUB_RACE_IN_PROGRESS,
    HUB_RACE_FINISHED,
    HUB_RACE_STOPPED,
    HUB_RACE_FAILED, /* could not start; the record says why */
};

/* Called once when a race ends (finished or stopped), with its final state, so the app can
 * record it. `state` may be NULL if the race never produced one. Not called for a race
 * that failed to start: it never ran. */
typedef void (*hub_race_end_fn)(void *ctx, const struct pw_race_meta *meta,
                                const struct pw_race_state *state, enum hub_race_status status,
                                int64_t start_wall_ms, int64_t end_wall_ms);

struct hub;

int hub_create(uv_loop_t *loop, struct pw_bus *bus, const struct hub_config *cfg,
               const struct pw_log *log, hub_race_end_fn on_end, void *end_ctx,
               struct hub **out);
void hub_destroy(struct hub *hub);

/* Make a race known before its first event arrives (a start request accepted here in Kafka
 * mode, where the runner is elsewhere): its status reads "not_started" meanwhile, and
 * "failed" if no event of it comes within cfg.start_timeout_ms. */
void hub_expect_race(struct hub *hub, const struct pw_race_meta *meta);

/* Subscribe a client, whose frames go to `sink` (copied; see hub_sink.h), to a stream.
 * `race_id` NULL or "" is allowed for the original streams (every race). `last_event_id`
 * is the Last-Event-ID header or NULL; `accept_encoding` the Accept-Encoding header or NULL
 * (the hub then compresses with gzip or deflate when offered: packer.h).
 * Returns 0 (the sink has begun and belongs to the hub until its closed callback), -ENOENT
 * (unknown race: answer 404), -EINVAL (bad Last-Event-ID: answer 400), 1 (the race is over
 * and the client has seen everything: answer 204 so EventSource stops reconnecting), or
 * the sink's begin error. On anything but 0 the sink was not begun. */
int hub_subscribe(struct hub *hub, const struct hub_sink *sink, enum hub_stream stream,
                  const char *race_id, const char *last_event_id, const char *accept_encoding);

/* Status object of docs/API.md for a race in memory; NULL if unknown. */
json_t *hub_race_status_json(const struct hub *hub, const char *race_id);
/* Final classification {"positions":[...]} of a finished race in memory. Returns 0,
 * -ENOENT (unknown here) or PW_ESTATE (not finished yet). */
int hub_race_classification_json(const struct hub *hub, const char *race_id, json_t **out);
/* Append a summary object per race in memory to `array`, newest first. */
int hub_list_races(const struct hub *hub, json_t *array);
/* Status of a race in memory: 0, or -ENOENT if this hub does not know it. A race the hub
 * has let go of (finished, evicted) is -ENOENT too: the history has it. */
int hub_race_get_status(const struct hub *hub, const char *race_id,
                        enum hub_race_status *out);

/* The hash of a race's control token from its meta ("" if it has none): 0, or -ENOENT. */
int hub_race_control_hash(const struct hub *hub, const char *race_id, char *out, size_t len);

struct hub_stats {
    uint64_t clients[HUB_STREAM_COUNT];
    uint64_t events_received;      /* from the bus */
    uint64_t events_duplicate;     /* dropped: already seen (Kafka redelivery) */
    uint64_t events_late;          /* dropped: arrived after the race's end */
    uint64_t events_unknown_race;  /* dropped: no meta, race never announced */
    uint64_t encode_failures;
    uint64_t frames_sent;          /* frames queued to clients */
    uint64_t clients_compressed;   /* subscriptions answered with gzip or deflate */
    uint64_t clients_write_failed; /* evicted or gone while writing */
    uint64_t resumes;              /* subscriptions with a Last-Event-ID */
    uint64_t resumes_gap;          /* ... whose id was older than the log window */
    uint64_t resumes_snapshot;     /* ... answered with a snapshot, smaller than the deltas */
    uint64_t resumes_catchup;      /* ... answered with the newest tick in full, not deltas */
    int races_running;
    int races_in_memory;
    uint64_t log_bytes;            /* held by every race's event log now */
    uint64_t log_budget_bytes;     /* cfg.log_budget_bytes */
    uint64_t log_budget_evictions; /* finished races let go of to keep within the budget */
    uint64_t log_budget_trims;     /* running races' logs shortened to keep within it */
    uint64_t ends_unmarked;        /* `end` frames sent when cfg.commentary_wait_ms ran out
                                      without the commentary engine's done marker */
};
void hub_get_stats(const struct hub *hub, struct hub_stats *out);

/* Is the event-log budget too full for another race? True when the logs of the races
 * running hold so much of it that a new race would not have HUB_LOG_RESERVE of room
 * (finished races do not count: they are let go of for room). `held` gets those bytes. */
#define HUB_LOG_RESERVE ((size_t)1 << 20)
bool hub_log_budget_full(const struct hub *hub, size_t *held);

/* Shutdown: every client gets a final `end` frame with status "shutdown". */
void hub_say_goodbye(struct hub *hub);

#endif
