/* replay_test_util.h — helpers shared by the replay tests: an event recorder, opening a
 * session, and checking a final order. The recorder owns copies of the events it receives
 * (state pointers cleared). The helpers that check fail the running cmocka test. */
#ifndef PW_TEST_REPLAY_UTIL_H
#define PW_TEST_REPLAY_UTIL_H

#include "core/event.h"
#include "core/source.h"

#include <stddef.h>

struct recorder {
    struct pw_event *ev;
    size_t n, cap;
    int positions_ok; /* every event's state had cars[i].position == i + 1 */
};

void recorder_emit(void *ctx, const struct pw_event *ev);
void recorder_free(struct recorder *r);
/* Number of recorded events of `type` (and for car `car` unless NULL). */
size_t recorder_count(const struct recorder *r, enum pw_event_type type, const char *car);
/* First recorded event of `type` (and car), NULL if none. */
const struct pw_event *recorder_find(const struct recorder *r, enum pw_event_type type,
                                     const char *car);

/* Opens `root`/`id` as a replay; the test fails (with replay_open's error) if it cannot. */
struct pw_source *replay_test_open(const char *root, const char *id);
/* The running order is `order` (space-separated TLAs, P1 first), every car listed and in
 * its place; the test fails at the first difference. */
void replay_test_check_order(const struct pw_race_state *s, const char *order);
/* Advances to the end in uneven steps, as a runner at changing speed would; returns the
 * last advance's result (1 at the end). */
int replay_test_run_uneven(struct pw_source *src, struct recorder *rec);

/* TLA of the car in running position `pos` (1-based) or "" */
const char *state_tla_at(const struct pw_race_state *st, int pos);
const struct pw_car *state_car(const struct pw_race_state *st, const char *number);

#endif
