/* hub_internal.h — the hub's records (struct hub, its races and clients) and what the hub's
 * files ask of each other. Not for use outside src/hub. The files, one job each:
 *   hub.c                creation, destruction, pings, statistics, the shutdown goodbye
 *   hub_races.c          the race records: find, create, free, let go of
 *   hub_intake.c         bus events into the race records
 *   hub_status_change.c  a race's status moving on, its end, an unanswered start
 *   hub_frames.c         a race's frames into its log and out to its clients
 *   hub_subscribe.c      a client joining a stream, new or resuming
 *   hub_clients.c        the client lists and writing to clients
 *   hub_status.c         status, classification and list JSON
 *   hub_budget.c         the memory budget of every race's log together */
#ifndef PW_HUB_INTERNAL_H
#define PW_HUB_INTERNAL_H

#include "hub/event_log.h"
#include "hub/hub.h"
#include "hub/race_registry.h"
#include "hub/packer.h"

struct hub_race;

struct hub_client {
    struct hub *hub;
    struct hub_race *race; /* NULL: an original stream over every race */
    enum hub_stream stream;
    struct hub_sink sink;
    struct hub_client *prev, *next;
    bool linked;
    uint64_t last_write; /* uv_now() of the last frame or ping */
    /* Resumed with an id ahead of this hub (another edge was further along): frames whose
     * own counter is not past it are held back, so the ids it sees never go backwards. */
    bool held;
    uint64_t held_r, held_c;
    /* Compression asked for (identity: none); `finished` once its trailer went out, after
     * which nothing more may be written. */
    struct hub_pack_stream pack;
    bool finished;
};

struct client_list {
    struct hub_client *head;
    uint64_t count;
};

struct hub_race {
    char id[PW_RACE_ID_MAX];
    struct pw_race_meta meta;
    bool have_meta;
    struct pw_race_state state;
    bool have_state;
    enum hub_race_status status;
    int64_t start_wall_ms, end_wall_ms;
    uint64_t r, c; /* highest race-event and commentary sequence numbers seen */
    struct event_log log;
    struct client_list clients[HUB_STREAM_COUNT];
    json_t *last_positions;  /* data object of the newest positions frame, or NULL */
    json_t *recent_comments; /* array of commentary data objects, oldest first */
    struct pw_buf *snapshot; /* cached `snapshot` frame for new combined clients */
    uint64_t order;          /* creation order, for newest-first lists */
    uint64_t end_due;        /* uv_now() from which the `end` frame may go out (race over) */
    uint64_t end_by;         /* uv_now() at which it goes out without the done marker */
    bool commentary_done;    /* the commentary engine's done marker came: no line is to come */
    bool end_sent;           /* after it, nothing more is accepted for this race */
    uint64_t expect_due;     /* uv_now() by which an expected race must have an event, 0 none */
    char reason[PW_EVENT_TEXT_MAX]; /* why it failed */
    struct hub_race *next;
};

struct hub {
    uv_loop_t *loop;
    struct pw_bus *bus;
    struct hub_config cfg;
    const struct pw_log *log;
    hub_race_end_fn on_end;
    void *end_ctx;
    struct hub_race *races;
    struct race_registry retired; /* races let go of: their late events are dropped */
    uint64_t next_order;
    struct client_list all_races[HUB_STREAM_COUNT]; /* original streams without race_id */
    struct pw_buf *ping;
    struct hub_packer *packer; /* compresses each frame once for every compressed stream */
    uv_timer_t *ping_timer;
    uv_timer_t *end_timer;   /* runs while a finished race waits for its `end` frame */
    struct hub_stats stats; /* stats.log_bytes is kept up to date by every log change */
};

/* hub_clients.c: the client lists and writing to clients. A client whose write fails is
 * being closed: its sink's closed callback (on_client_close) unlinks and frees it, maybe
 * at once, so callers walking a list save `next` first and do not touch the client after. */
void client_link(struct hub_client *cl);
void client_unlink(struct hub_client *cl);
void on_client_close(void *owner);
/* Close every client of the list now (shutdown, a race let go of). */
void close_list(struct client_list *list);
/* One frame (its compressed segment for a compressed stream); true when queued. */
bool client_send(struct hub_client *cl, struct pw_buf *buf);
/* The `end` frame, then a compressed stream's trailer: nothing more goes to the client. */
void client_send_last(struct hub_client *cl, struct pw_buf *buf);
void send_last_to_list(struct client_list *list, struct pw_buf *buf);
/* A frame of `kind` made when the race's counters stood at r, c, to every client of the
 * list that takes it (a client resumed ahead of this hub waits: hub_client.held). */
void send_to_list(struct client_list *list, struct pw_buf *buf, enum log_kind kind, uint64_t r,
                  uint64_t c);
/* End a client's stream after the frames written to it. */
void client_end(struct hub_client *cl);
/* After the end frame, every stream of the race is ended once the frame has gone out. */
void end_race_streams(struct hub_race *race);

/* hub_races.c */
struct hub_race *hub_find_race(const struct hub *hub, const char *race_id);
/* A new race record, first in the list; NULL on OOM. */
struct hub_race *hub_race_create(struct hub *hub, const char *race_id);
/* Close the race's clients and free it (it must be out of the list already). */
void hub_race_free(struct hub *hub, struct hub_race *race);
/* Let go of the race at *link (its clients are closed; the history has it), remembered in
 * the registry so its late events are dropped. Not while iterating the race list. */
void hub_race_evict(struct hub *hub, struct hub_race **link);
/* Keep at most cfg.finished_races_kept finished races in memory. */
void hub_trim_finished(struct hub *hub);

/* hub_intake.c: the bus subscriber (ctx is the hub). */
void hub_on_bus_event(void *ctx, const struct pw_event *ev);

/* hub_status_change.c */
/* Move the race to `status` at wall time `wall_ms` (nothing once it is over): the status
 * frame goes out, and a race that is over gets its end timer and the app's callback. */
void hub_race_set_status(struct hub *hub, struct hub_race *race, enum hub_race_status status,
                         int64_t wall_ms);
/* Races expected here (hub_expect_race) whose runner never answered by `now` fail. */
void hub_fail_unanswered(struct hub *hub, uint64_t now);

/* hub_frames.c: each emit encodes once, appends to the race's log and fans out. A NULL
 * `data` (its encoding failed) is counted and dropped. */
/* A frame of `kind`: `type` wraps the original streams' object ({"type":..,"data":..}),
 * `event` names it on the combined stream; with_id false for frames the hub derives. */
void hub_emit(struct hub *hub, struct hub_race *race, enum log_kind kind, const char *type,
              json_t *data, const char *event, bool with_id);
/* A positions tick: in full on the original streams, a delta on the combined one. */
void hub_emit_positions(struct hub *hub, struct hub_race *race, json_t *data);
void hub_emit_status(struct hub *hub, struct hub_race *race);
/* The `end` frame (`why`: the final status), after which the race's streams end. */
void hub_emit_end(struct hub *hub, struct hub_race *race, const char *why);
/* The `snapshot` frame for a new combined-stream client, cached until the next frame;
 * owned by the race, NULL on OOM. */
struct pw_buf *hub_snapshot_frame(struct hub *hub, struct hub_race *race);

/* hub_status.c */
const char *hub_status_name(enum hub_race_status s);
bool hub_race_over(const struct hub_race *race);

/* hub_budget.c: keep every log together within cfg.log_budget_bytes. Called where no race
 * list iteration is under way (after an event, after the end timer's pass). */
void hub_budget_enforce(struct hub *hub);

#endif
