/* replay_merge.h — the archive's deep-merge rules, applied to jansson values.
 *
 * Each archive line is a delta onto its topic's state:
 *   - an object merges key by key into an object (recursively);
 *   - an object whose keys are decimal strings, merged onto an array, patches element N;
 *     N == length appends; other keys (N > length, "01", "x") are ignored and counted;
 *   - "_kf": true in an object marks a keyframe: that object replaces the value it is
 *     merged onto instead of merging into it (at the top level: the whole topic state);
 *   - "_deleted": ["key", ...] removes those keys (or array indices) from the value being
 *     merged onto, before the rest of the delta is merged;
 *   - any other value (scalar, array, or an object onto a scalar) replaces.
 * "_kf" and "_deleted" never end up in the state. Nesting deeper than
 * REPLAY_MERGE_MAX_DEPTH is ignored and counted, so hostile input cannot exhaust the stack.
 *
 * Ownership: the caller owns `*state` (one reference) and `delta`; the merge takes its own
 * references to whatever parts of `delta` it keeps, so the caller may json_decref(delta)
 * afterwards. */
#ifndef PW_REPLAY_MERGE_H
#define PW_REPLAY_MERGE_H

#include <jansson.h>
#include <stdint.h>

#define REPLAY_MERGE_MAX_DEPTH 64

struct replay_merge_stats {
    uint64_t ignored; /* patches that could not apply: bad index, too deep, bad _deleted */
};

/* Merges `delta` onto `*state` (NULL = empty) and stores the result in `*state`.
 * Returns 0, or -ENOMEM (then `*state` is still a valid, possibly partly merged value). */
int replay_merge_apply(json_t **state, json_t *delta, struct replay_merge_stats *stats);

/* True if `delta` is an object carrying "_kf": true. */
int replay_merge_is_keyframe(const json_t *delta);

#endif
