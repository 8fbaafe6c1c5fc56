/* resume.h — how a combined-stream client returning with Last-Event-ID is brought to the
 * present (docs/API.md, "Resume"). Owns nothing; reads a race's event log.
 *
 * Three ways, the one with the fewest bytes wins (ties go to the first):
 *   HUB_RESUME_REPLAY   every missed frame, deltas included: exactly what it would have read;
 *   HUB_RESUME_CATCHUP  every missed frame but the positions deltas, and the newest positions
 *                   tick in full (where the last missed delta was): the same end state, the
 *                   same race events and commentary, fewer bytes after a long gap;
 *   HUB_RESUME_SNAPSHOT a fresh snapshot — only when its recent commentary holds every line
 *                   missed; the missed race events are not repeated. */
#ifndef PW_HUB_RESUME_H
#define PW_HUB_RESUME_H

#include "core/buf.h"
#include "hub/event_log.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hub_resume_way { HUB_RESUME_REPLAY = 0, HUB_RESUME_CATCHUP, HUB_RESUME_SNAPSHOT };

/* Whether a client whose last id was r-c has not seen entry `e`. */
bool hub_resume_entry_missed(const struct log_entry *e, uint64_t r, uint64_t c);

/* The way for a client at r-c. `snapshot_bytes` is the size of a fresh snapshot (0: none
 * available), `recent_lines` how many commentary lines a snapshot holds. *last_positions is
 * set to the log index of the newest missed positions entry (or the log's count if none). */
enum hub_resume_way hub_resume_choose(const struct event_log *log, uint64_t r, uint64_t c,
                                      size_t snapshot_bytes, int recent_lines,
                                      size_t *last_positions);

/* The combined-stream frame of a positions entry in full ("event: positions", the object
 * the original stream carries), made from its original-stream frame. NULL on OOM. */
struct pw_buf *hub_resume_full_positions(const struct log_entry *e);

#endif
