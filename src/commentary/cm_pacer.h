/* cm_pacer.h — the pacing policy for one race: which candidate is said, and when.
 *
 * Pure and loop-free: time is passed in (`now_ms`, engine clock). A `struct cm_pacer` owns a
 * bounded queue of candidates by value. Policy:
 *  - at most one line per `min_interval_ms` (counted from the last cm_pacer_mark_sent);
 *    once the race's end is queued (the chequered flag, time added at the flag, the podium)
 *    one per `end_interval_ms`, so the end-of-race lines are said while viewers still listen;
 *  - the most important pending candidate goes first (ties: the oldest);
 *  - a candidate older than `stale_ms` is dropped, except the chequered flag, the podium and
 *    time added at the flag, which stay true until said;
 *  - pit stops and retirements wait `merge_window_ms` for companions and are merged with
 *    every other pending one of their kind ("Norris and Piastri both pit");
 *  - a newer lead change, fastest lap or track status replaces a pending one of its kind,
 *    and the chequered flag a pending final lap;
 *  - once the podium is said, whatever is still pending is dropped (counted as stale), except
 *    time added at the flag: it changes the result, so it is said after the podium;
 *  - a full queue drops its least important candidate.
 * Every drop and merge is counted. */
#ifndef PW_COMMENTARY_CM_PACER_H
#define PW_COMMENTARY_CM_PACER_H

#include "commentary/cm_candidate.h"

#include <stdbool.h>
#include <stdint.h>

#define CM_PACER_MAX_PENDING 32

struct cm_pacer_config {
    int64_t min_interval_ms;
    int64_t stale_ms;
    int64_t merge_window_ms;
    /* Choose a line this long before its slot opens, so that slow phrasing (a language
     * model) is done by then; the caller holds the line until cm_pacer_slot_at. 0: choose
     * when the slot opens. At most the interval in force. */
    int64_t lead_ms;
    /* Between lines once the race's end is queued; 0 or more than min_interval_ms:
     * min_interval_ms. */
    int64_t end_interval_ms;
};

struct cm_pacer_counters {
    uint64_t dropped_stale;
    uint64_t dropped_overflow;
    uint64_t merged;     /* candidates folded into another line */
    uint64_t superseded; /* candidates replaced by a newer one of the same kind */
};

struct cm_pacer {
    struct cm_pacer_config cfg;
    int n;
    struct cm_candidate pending[CM_PACER_MAX_PENDING];
    bool sent_any;
    bool race_ending; /* an end-of-race candidate was queued: end_interval_ms applies */
    int64_t last_sent_ms;
    struct cm_pacer_counters count;
};

void cm_pacer_init(struct cm_pacer *p, const struct cm_pacer_config *cfg);
void cm_pacer_push(struct cm_pacer *p, const struct cm_candidate *c);
/* Drops stale candidates; if a line may be said at `now_ms`, writes the chosen (possibly
 * merged) candidate to `out`, removes it from the queue and returns 1; else returns 0.
 * The caller says the line and then calls cm_pacer_mark_sent. */
int cm_pacer_take(struct cm_pacer *p, int64_t now_ms, struct cm_candidate *out);
void cm_pacer_mark_sent(struct cm_pacer *p, int64_t now_ms);
/* Earliest engine time the next line may be published (INT64_MIN before the first). */
int64_t cm_pacer_slot_at(const struct cm_pacer *p);
/* Earliest engine time at which cm_pacer_take may have something to do (a line may become
 * due or a candidate stale); -1 when the queue is empty. */
int64_t cm_pacer_next_due(const struct cm_pacer *p, int64_t now_ms);
/* Empties the queue; returns how many candidates were dropped. */
int cm_pacer_clear(struct cm_pacer *p);

#endif
