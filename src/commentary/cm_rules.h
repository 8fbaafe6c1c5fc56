/* cm_rules.h — the rules: race events in, candidate lines (cm_candidate) out.
 *
 * Pure and loop-free: a `struct cm_rules` holds what the rules remember about one race
 * (current leader, track status, where each car pitted from, each car's damage, what was
 * already said once)
 * and is owned by value by its caller. Names come from the grid (`ev->state`).
 *
 * Practice and qualifying (`ev->state->kind`) have rules of their own: the session (or
 * part) under way, provisional pole / fastest, improvements into the top three and by the
 * picked driver, cars knocked out with their part, a red flag with the clock left, pole or
 * fastest at the flag; no race lines (leads, podium, pit stops). */
#ifndef PW_COMMENTARY_CM_RULES_H
#define PW_COMMENTARY_CM_RULES_H

#include "commentary/cm_candidate.h"
#include "core/event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cm_rules_pit {
    char number[PW_NUMBER_MAX];
    int from_pos; /* place when the car entered the pits */
};

struct cm_rules_damage {
    char number[PW_NUMBER_MAX];
    enum pw_damage damage; /* as the state last showed it */
};

struct cm_rules {
    char picked[PW_NUMBER_MAX]; /* the viewer's driver, "" for none */
    char leader[PW_NUMBER_MAX]; /* leader as last seen, "" before the first state */
    enum pw_track_status track;
    bool raining; /* as last seen in the state */
    bool said_lights_out, said_final_lap, said_chequered, said_podium;
    int n_pits;
    struct cm_rules_pit pits[PW_MAX_CARS]; /* cars currently in the pits */
    /* qualifying: cars already said to be knocked out */
    int n_knocked;
    char knocked[PW_MAX_CARS][PW_NUMBER_MAX];
    /* damage: each car's as last seen */
    int n_damage;
    struct cm_rules_damage damage[PW_MAX_CARS];
};

void cm_rules_init(struct cm_rules *r, const char *picked_number);

/* Feeds one race event (with its `state`, which may be NULL) observed at engine time
 * `now_ms`; writes up to `max` candidates to `out` and returns how many. Never fails: an
 * event that names an unknown car is phrased with its number. */
int cm_rules_feed(struct cm_rules *r, const struct pw_event *ev, int64_t now_ms,
                  struct cm_candidate *out, int max);

/* The name said on air for a grid name: the last word with any lowercase particles before
 * it ("Lando Norris" -> "Norris", "Andrea Kimi Antonelli" -> "Antonelli", "Nyck de Vries"
 * -> "de Vries"), cut at a UTF-8 boundary to fit `len`, broken UTF-8 and control characters
 * replaced by '?'. */
void cm_rules_short_name(const char *full, char *out, size_t len);

#endif
