/* kafka_stream.h — turns what a consumer reads back into the event stream the runner
 * published: no Kafka here, only bookkeeping, so it is tested on its own.
 *
 * - Positions arrive as one Avro record per car; records of one tick (same race id and
 *   seq, n_cars of them) are reassembled into a pw_race_state and one PW_EV_POSITIONS.
 *   Records written by the original app (no seq) are grouped by timestamp instead.
 * - Positions and the other race events travel on two topics, so a consumer sees them
 *   interleaved in any order; the runner numbers all of them 1, 2, 3... per race, so they
 *   are merged back into seq order per race. An event that arrives ahead of a missing one
 *   is held (bounded). The gap is skipped, and counted, only when the missing seq cannot
 *   come any more: at once when both topics have carried a later seq of the race (each
 *   topic is read in order), else after `hold_ms` and a confirmation from the caller that
 *   it has read all Kafka has (kafka_stream_expire) — a partition slow to come back after
 *   a broker restart is waited for, not skipped. Already-delivered seqs are dropped as
 *   duplicates. When a race already holds KAFKA_STREAM_HOLD events, what would have to
 *   wait too is refused with PW_ELIMIT, untouched: the caller pushes it back (the Kafka bus
 *   pauses that partition and rewinds it) and offers it again once
 *   kafka_stream_has_room() says so. That bounds memory whatever the skew between topics.
 * - Every delivered race event carries the race's meta (from any event that brought it)
 *   and a state: its own when the message had one, else the race's last known state.
 * - Commentary has its own numbering and is delivered as it comes, except that a line for
 *   a race whose meta is not known yet (a late consumer may read the commentary topic
 *   before the race's first event) waits for it: up to KAFKA_STREAM_COMMENTS lines and
 *   the shorter of hold_ms and KAFKA_STREAM_COMMENT_WAIT_MS, then goes on without meta.
 *
 * Ownership: the stream owns its per-race tables; delivered events, their state and meta
 * are borrowed for the duration of the callback. Races are bounded (KAFKA_STREAM_RACES):
 * the least recently active makes room. */
#ifndef PW_BUS_KAFKA_STREAM_H
#define PW_BUS_KAFKA_STREAM_H

#include "bus/kafka/avro_positions.h"
#include "core/log.h"

#include <stdbool.h>
#include <stdint.h>

#define KAFKA_STREAM_RACES 64
#define KAFKA_STREAM_HOLD 256
#define KAFKA_STREAM_LEGACY_FLUSH_MS 250
#define KAFKA_STREAM_COMMENTS 64
#define KAFKA_STREAM_COMMENT_WAIT_MS 5000 /* most a line waits for its race's meta */

struct kafka_stream_stats {
    uint64_t ticks;            /* positions events delivered */
    uint64_t events;           /* events delivered, positions and commentary included */
    uint64_t ticks_incomplete; /* ticks abandoned with records missing */
    uint64_t seq_gaps;         /* missing seqs skipped after waiting */
    uint64_t duplicates;       /* seqs delivered already, dropped */
    uint64_t races_evicted;
    uint64_t refused; /* PW_ELIMIT answers (pushed back to Kafka) */
};

struct kafka_stream;
typedef void (*kafka_stream_deliver_fn)(void *ctx, const struct pw_event *ev);

int kafka_stream_create(int64_t hold_ms, kafka_stream_deliver_fn deliver, void *ctx,
                        const struct pw_log *log, struct kafka_stream **out);
void kafka_stream_destroy(struct kafka_stream *s);

/* One positions record read at wall time `now_ms`. 0, PW_ELIMIT (refused, see above),
 * PW_ERANGE_IN (no race id, position out of range). */
int kafka_stream_add_record(struct kafka_stream *s, const struct avro_positions_record *rec,
                            int64_t now_ms);
/* One race event (not positions) or commentary; `meta`/`state` may be NULL. ev->meta and
 * ev->state are ignored. */
int kafka_stream_add_event(struct kafka_stream *s, const struct pw_event *ev,
                           const struct pw_race_meta *meta, const struct pw_race_state *state,
                           int64_t now_ms);
/* May events of this race be offered again after a PW_ELIMIT? */
bool kafka_stream_has_room(const struct kafka_stream *s, const char *race_id);
/* When (wall ms) the consumer was last confirmed to have read everything Kafka held on the
 * partitions that carry `race_id`; INT64_MIN if never. */
typedef int64_t (*kafka_stream_caught_up_fn)(void *ctx, const char *race_id);
/* Delivers what waited long enough: legacy groups, commentary without meta, and held
 * events past hold_ms, whose missing seqs are given up only if `caught_up` (may be NULL:
 * time alone) says the consumer read all of Kafka at least hold_ms after they began to
 * wait. Call periodically. */
void kafka_stream_expire(struct kafka_stream *s, int64_t now_ms,
                         kafka_stream_caught_up_fn caught_up, void *ctx);
/* Has an event of some race waited hold_ms or more (time to ask Kafka how far it goes)? */
bool kafka_stream_overdue(const struct kafka_stream *s, int64_t now_ms);
/* Restarts the waiting time of everything held (the consumer could not read for a while:
 * a missing seq may simply not have been fetched yet). */
void kafka_stream_restart_clocks(struct kafka_stream *s, int64_t now_ms);
/* Is anything held or being assembled? (For tests and shutdown.) */
bool kafka_stream_pending(const struct kafka_stream *s);
void kafka_stream_get_stats(const struct kafka_stream *s, struct kafka_stream_stats *out);

#endif
