/* event.h — race events: what race sources, the commentary engine, the bus and the hub
 * exchange.
 *
 * An event is plain fixed-size data plus one borrowed pointer, `state`, to the race state
 * right after the event. Whoever delivers an event keeps ownership of it and of `state`;
 * a receiver that wants either after its callback returns copies it. */
#ifndef PW_CORE_EVENT_H
#define PW_CORE_EVENT_H

#include "core/timing.h"

#include <stdbool.h>
#include <stdint.h>

enum pw_event_type {
    PW_EV_NONE = 0,
    PW_EV_LIGHTS_OUT,     /* race started */
    PW_EV_POSITIONS,      /* periodic tick: the whole running order is in `state` */
    PW_EV_LAP_COMPLETED,  /* `car` completed lap `lap` in `lap_ms` */
    PW_EV_OVERTAKE,       /* `car` passed `other` for place `position`; `text`:
                             PW_OVERTAKE_TEAM_ORDERS when `other`, its teammate, let it by */
    PW_EV_PIT_IN,         /* `car` entered the pit lane */
    PW_EV_PIT_OUT,        /* `car` left the pits on `tyre` */
    PW_EV_FASTEST_LAP,    /* `car` set the race's fastest lap, `lap_ms` */
    PW_EV_TRACK_STATUS,   /* track status changed to `track` */
    PW_EV_RETIREMENT,     /* `car` retired, running `position` at the time; `text`: the
                             cause when the source knows it (PW_RETIRE_ENGINE_FAILURE,
                             PW_RETIRE_PUNCTURE) */
    PW_EV_FINAL_LAP,      /* the leader started the last lap */
    PW_EV_CHEQUERED,      /* the leader took the chequered flag */
    PW_EV_CLASSIFICATION, /* final classification: order of `state->cars` */
    PW_EV_RACE_CONTROL,   /* a race control message in `text` */
    PW_EV_COMMENTARY,     /* a commentary line: `text`, `kind`, `id` */
    PW_EV_RACE_STOPPED,   /* the race was stopped before its end (by a user or shutdown) */
    PW_EV_RACE_CREATED,   /* a race was created: `meta` says what it is; nothing ran yet */
    PW_EV_RACE_FAILED,    /* a requested race could not start: `text` says why; the only
                             event such a race ever has */
    /* The commentary engine will say nothing more of the race: `seq` is the number of lines
     * it said (its last line's seq). Travels with the commentary, after the last line
     * (docs/ARCHITECTURE.md, "The bus contract"). */
    PW_EV_COMMENTARY_DONE,
    PW_EV_TYPE_COUNT
};

enum pw_commentary_kind {
    PW_COMMENT_INFO = 0,
    PW_COMMENT_WARNING,
    PW_COMMENT_HIGHLIGHT,
};

#define PW_EVENT_TEXT_MAX 256
#define PW_EVENT_ID_MAX 64
#define PW_TITLE_MAX 96
#define PW_CONTROL_HASH_MAX 65   /* SHA-256 in hex, with the NUL */
#define PW_CONTROL_TOKEN_MAX 256 /* a token a control request presents, with the NUL */

/* What a race is, set once by the race runner when it creates the race and carried by every
 * event it publishes, so that any consumer (an edge that joined late included) knows it. */
struct pw_race_meta {
    char race_id[PW_RACE_ID_MAX];
    char source[16];                /* "simulation" or "replay" */
    char title[PW_TITLE_MAX];       /* "Monza, 53 laps" / "2025 Miami Grand Prix Sprint" */
    char selected_number[PW_NUMBER_MAX]; /* the driver the user picked, "" for none */
    char selected_name[PW_NAME_MAX];
    char selected_team[PW_TEAM_MAX];
    int64_t created_wall_ms;        /* Unix ms when the race was created */
    int64_t wall_duration_ms;       /* how long the race is expected to take on the wall */
    int64_t race_duration_ms;       /* the same on the race clock */
    int total_laps;
    /* SHA-256 (hex) of the race's control token, "" for a race only operators control: the
     * token itself is never stored or sent on (src/api/api_auth.c). */
    char control_hash[PW_CONTROL_HASH_MAX];
    enum pw_session_kind kind;      /* race for a simulation; from SessionInfo for a replay */
};

/* A retirement's cause in `text`: a fault the car's telemetry showed ended its race. */
#define PW_RETIRE_ENGINE_FAILURE "engine failure"
/* ... a puncture that did not make the pits: the flailing tyre damaged the car. */
#define PW_RETIRE_PUNCTURE "puncture"
/* An overtake's `text` when the car passed was told by its team to let its teammate by. */
#define PW_OVERTAKE_TEAM_ORDERS "team orders"

struct pw_event {
    enum pw_event_type type;
    char race_id[PW_RACE_ID_MAX]; /* stamped by the race runner; "" inside a source */
    /* Per-race, per-producer sequence number, from 1: the race runner numbers every race
     * event it publishes (positions included), the commentary engine numbers its own lines.
     * Two counters, because in Kafka mode they come from different processes; the SSE id
     * is "<race seq>-<commentary seq>". 0 inside a source. */
    uint64_t seq;
    int64_t race_ms;              /* race clock when it happened */
    int64_t wall_ms;              /* Unix time in ms when the event was created */
    int lap;                      /* leader's lap when it happened */
    char car[PW_NUMBER_MAX];      /* racing number of the car concerned, "" if none */
    char other[PW_NUMBER_MAX];    /* the other car (overtake: the one passed), "" if none */
    int position;                 /* place concerned (overtake, retirement), 0 if none */
    enum pw_tyre tyre;            /* pit out: the tyre fitted */
    enum pw_track_status track;   /* track status change */
    int64_t lap_ms;               /* lap completed / fastest lap time */
    enum pw_commentary_kind kind; /* commentary only */
    char id[PW_EVENT_ID_MAX];     /* commentary id; "" otherwise */
    char text[PW_EVENT_TEXT_MAX]; /* race control message / commentary line (UTF-8) */
    const struct pw_race_state *state; /* state after the event; may be NULL for commentary */
    const struct pw_race_meta *meta;   /* set on everything the runner publishes; NULL in sources */
};

/* Commentary lines and the commentary-done marker: the commentary engine's counter, the
 * commentary topic, PW_BUS_COMMENTARY. */
static inline bool pw_event_is_commentary(enum pw_event_type type)
{
    return type == PW_EV_COMMENTARY || type == PW_EV_COMMENTARY_DONE;
}

/* How a producer hands events on. The callback must not keep `ev` or `ev->state`. */
typedef void (*pw_emit_fn)(void *ctx, const struct pw_event *ev);

/* Wire name of an event type: "lights_out", "positions", "overtake", ...; NULL if invalid. */
const char *pw_event_type_name(enum pw_event_type type);
/* Inverse of pw_event_type_name; PW_EV_NONE if unknown. */
enum pw_event_type pw_event_type_parse(const char *name);
const char *pw_commentary_kind_name(enum pw_commentary_kind kind);
int pw_commentary_kind_parse(const char *name, enum pw_commentary_kind *out);

/* Current Unix time in milliseconds (CLOCK_REALTIME). */
int64_t pw_now_ms(void);

#endif
