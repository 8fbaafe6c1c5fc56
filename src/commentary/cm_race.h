/* cm_race.h — everything the engine keeps about one race, and its pure core: events in,
 * paced lines out, with time passed in. No loop, no I/O: the libuv layer (commentary.c) and
 * the tests drive it alike.
 *
 * A `struct cm_race` is plain data, owned by whoever allocated it (commentary.c keeps one
 * per live race on the heap). It holds copies of the race's meta and latest state. */
#ifndef PW_COMMENTARY_CM_RACE_H
#define PW_COMMENTARY_CM_RACE_H

#include "commentary/cm_candidate.h"
#include "commentary/cm_pacer.h"
#include "commentary/cm_phrase.h"
#include "commentary/cm_rules.h"
#include "core/event.h"

#include <stdbool.h>
#include <stdint.h>

/* A line chosen and phrased by the rules, ready to publish (or to hand to the model). */
struct cm_line {
    struct cm_candidate cand; /* the facts, for the model's prompt */
    enum pw_commentary_kind kind;
    int template_id;
    char text[PW_EVENT_TEXT_MAX];
};

struct cm_race {
    char race_id[PW_RACE_ID_MAX];
    struct pw_race_meta meta; /* copy of the first meta seen (race_id only until then) */
    bool have_meta;
    struct pw_race_state state; /* latest state seen */
    bool have_state;
    struct cm_rules rules;
    struct cm_pacer pacer;
    struct cm_phrase phrase;
    uint64_t seq;          /* lines published so far: the next line is seq + 1 */
    int64_t last_event_ms; /* engine time of the last event */
    bool ended;            /* classification seen: flush what is pending, then free */
};

void cm_race_init(struct cm_race *r, const char *race_id, const struct cm_pacer_config *pc);

/* Takes in one race event at engine time `now_ms` (copies meta and state; queues any
 * candidates). Returns the number of candidates queued. */
int cm_race_feed(struct cm_race *r, const struct pw_event *ev, int64_t now_ms);

/* If a line is due at `now_ms`, phrases it into `out` and returns 1; else 0. The caller
 * publishes it (or asks the model first) and then calls cm_race_mark_sent. */
int cm_race_next(struct cm_race *r, int64_t now_ms, struct cm_line *out);
void cm_race_mark_sent(struct cm_race *r, int64_t now_ms);

/* Earliest engine time the next line may be published (INT64_MIN before the first). */
int64_t cm_race_slot_at(const struct cm_race *r);

/* Engine time at which cm_race_next should next be called, -1 if nothing is pending. */
int64_t cm_race_due(const struct cm_race *r, int64_t now_ms);

#endif
