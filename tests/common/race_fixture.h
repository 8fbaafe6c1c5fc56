/* race_fixture.h — a deterministic synthetic race for the Kafka tests and benchmark, on the
 * test grid of race_script.h: what a race runner publishes (race created, lights out,
 * positions ticks, overtakes, pit stops, laps, track status, commentary, chequered flag,
 * classification), numbered the way the runner and the commentary engine number them. Plus a
 * recorder that copies what a bus delivers, and comparisons. The fixture owns its arrays;
 * fixture_race_free frees them. */
#ifndef PW_TESTS_RACE_FIXTURE_H
#define PW_TESTS_RACE_FIXTURE_H

#include "bus/bus.h"

#include <stdbool.h>
#include <stddef.h>

struct fixture_race {
    int n;
    struct pw_event *ev;          /* ev[i].state points into states, .meta to meta */
    struct pw_race_state *states; /* one per event */
    struct pw_race_meta meta;
    int n_race;       /* events with a race seq (all but commentary) */
    int n_commentary; /* commentary lines */
};

int fixture_race_make(struct fixture_race *r, const char *race_id, int n_cars, int laps,
                      unsigned seed);
void fixture_race_free(struct fixture_race *r);

struct recorder {
    int n, cap;
    struct pw_event *ev;
    struct pw_race_state *states; /* copy of ev[i].state when it had one */
    bool *has_state;
    struct pw_race_meta *metas;
    bool *has_meta;
    const char *race_id; /* only record this race; NULL = all */
};

void recorder_init(struct recorder *rec, const char *race_id);
void recorder_free(struct recorder *rec);
/* A pw_bus_event_fn. */
void recorder_on_event(void *ctx, const struct pw_event *ev);
int recorder_count(const struct recorder *rec, enum pw_event_type type);
/* Last positions state recorded, NULL if none. */
const struct pw_race_state *recorder_last_positions(const struct recorder *rec);

bool fixture_state_equal(const struct pw_race_state *a, const struct pw_race_state *b);
/* Compares what was published with what was delivered; fills why on a difference. */
bool fixture_event_equal(const struct pw_event *pub, const struct pw_event *got,
                         const struct pw_race_state *got_state, char *why, size_t len);
/* Checks that rec holds exactly the race's events: race events in seq order, commentary
 * in its own order, each equal. Returns true or fills why. */
bool fixture_check_stream(const struct fixture_race *r, const struct recorder *rec, char *why,
                          size_t len);

#endif
