/* race_check.h — what the simulator's feature tests (weather, red flags, penalties, damage)
 * share: the grid they race, a car's slot in per-car arrays, running a race to its end, a
 * hash of the story it told, the first failure found, and the rules every final
 * classification keeps. Each test keeps its own checks beside these. */
#ifndef PW_TESTS_RACE_CHECK_H
#define PW_TESTS_RACE_CHECK_H

#include "core/source.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct race_sim_options;

/* Car numbers are below this; per-car arrays in the tests are this long. */
#define RACE_CHECK_NUMBERS 1000

/* The slot of car `number` ("44") in a RACE_CHECK_NUMBERS array; 0 for anything else. */
int race_check_slot(const char *number);

/* Advances `src` from 0 past its duration (plus 10 minutes for the last cars) in steps of
 * `step_ms`, or in one call when `step_ms` <= 0, handing each event to `emit`. Returns the
 * last advance's result: 1 when the race ended, 0 if it had not, negative on an error. */
int race_check_drive(struct pw_source *src, int64_t step_ms, pw_emit_fn emit, void *ctx);

/* A dry compound: soft, medium or hard (not an intermediate or a wet). */
bool race_check_slick(enum pw_tyre t);

/* A cmocka group set-up: the 2026 grid, allocated, as the group's state (each test's
 * `*state`); race_check_grid_free is the group's teardown. 0 or a negative error. */
int race_check_grid_load(void **state);
int race_check_grid_free(void **state);

/* Creates the simulator for `opt` and drives it to its end with race_check_drive, handing
 * each event to `emit`. With `out` the source is handed over for the caller to read and
 * destroy; without, it is destroyed here. Returns race_check_drive's result (1: the race
 * ended), or race_sim_create's negative error. */
int race_check_race(const struct race_sim_options *opt, int64_t step_ms, pw_emit_fn emit,
                    void *ctx, struct pw_source **out);

/* A race's hash starts here (FNV-1a's offset basis). */
#define RACE_CHECK_HASH_START 1469598103934665603ull

/* `h` carried over `n` bytes of `s` (FNV-1a): equal hashes, the same bytes. */
uint64_t race_check_hash(uint64_t h, const char *s, size_t n);
/* `h` carried over an event's type, time, cars, tyre, track status and text, as one line:
 * two races whose events hash alike told the same story. */
uint64_t race_check_hash_event(uint64_t h, const struct pw_event *ev);

/* The first thing a race's checks found wrong, and how many they found. */
struct race_check_failure {
    int count;
    char why[512];
};

/* Counts a failure at `ev`; the first is kept in `f->why` with the event it was found at. */
void race_check_fail(struct race_check_failure *f, const char *what, const struct pw_event *ev);

/* NULL if the classification in `st` is valid (places 1..n in order, every car finished
 * or out, no finisher below a car that is out), else what is wrong. */
const char *race_check_classification(const struct pw_race_state *st);

#endif
