/* race_check.h — what the simulator's feature tests (weather, red flags, penalties) share:
 * a car's slot in per-car arrays, driving a source to its end, and the rules every final
 * classification keeps. Each test keeps its own checks beside these. */
#ifndef PW_TESTS_RACE_CHECK_H
#define PW_TESTS_RACE_CHECK_H

#include "core/source.h"

#include <stdint.h>

/* Car numbers are below this; per-car arrays in the tests are this long. */
#define RACE_CHECK_NUMBERS 1000

/* The slot of car `number` ("44") in a RACE_CHECK_NUMBERS array; 0 for anything else. */
int race_check_slot(const char *number);

/* Advances `src` from 0 past its duration (plus 10 minutes for the last cars) in steps of
 * `step_ms`, or in one call when `step_ms` <= 0, handing each event to `emit`. Returns the
 * last advance's result: 1 when the race ended, 0 if it had not, negative on an error. */
int race_check_drive(struct pw_source *src, int64_t step_ms, pw_emit_fn emit, void *ctx);

/* NULL if the classification in `st` is valid (places 1..n in order, every car finished
 * or out, no finisher below a car that is out), else what is wrong. */
const char *race_check_classification(const struct pw_race_state *st);

#endif
