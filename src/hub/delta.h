/* delta.h — positions deltas for the combined stream (docs/API.md, "Delta frames").
 *
 * Owns nothing: it compares the data objects of two consecutive positions frames (as
 * encode_positions_data makes them) and builds the object that turns the first into the
 * second, so a combined-stream client receives the whole running order once (snapshot or
 * first positions frame) and then only what changed. The rules, which every client applies
 * (web/src/lib/delta.js, tests/delta/delta_ref.py):
 *
 *   {"type":"delta","base":<seq of the previous positions>,"seq","timestamp","server_ms",
 *    <any other top-level field of the positions object whose value changed>,
 *    "order":[numbers in running order]   only when the order or the set of cars changed,
 *    "cars":{"<number>":{<changed fields>}} only cars with a changed field}
 *
 * A car missing from "order" is gone; a car new to it carries all its fields. Each car's
 * "timestamp" is the frame's "timestamp" and is never sent per car. Values are the same
 * JSON values (integers in the same units) as in the full object. */
#ifndef PW_HUB_DELTA_H
#define PW_HUB_DELTA_H

#include <jansson.h>

/* The delta from `prev` to `next`. Returns 0 with a new reference in *out, -EINVAL when the
 * two cannot be expressed as a delta (cars without a unique number, a car whose timestamp is
 * not the frame's): the caller then sends the full object; -ENOMEM. */
int hub_delta_positions(const json_t *prev, const json_t *next, json_t **out);

/* Apply `delta` to `prev` as a client does: a new full positions object in *out. Returns 0,
 * -EINVAL when the delta does not apply to `prev` (base is not prev's seq, a new car without
 * its fields), -ENOMEM. Used by the hub's self-check in tests and by the benchmarks. */
int hub_delta_apply(const json_t *prev, const json_t *delta, json_t **out);

#endif
