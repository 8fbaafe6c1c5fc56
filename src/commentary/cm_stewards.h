/* cm_stewards.h — the stewards' notes read: a race-control message about a penalty, in the
 * live-timing feed's words, as the facts of a commentary line.
 *
 * Owns nothing: a pure reading of one message's text. The simulator writes its notes in the
 * feed's words (src/race/race_penalties.h) and a replay passes the feed's own, so both are
 * read alike:
 *
 *   FIA STEWARDS: 5 SECOND TIME PENALTY FOR CAR 81 (PIA) - TRACK LIMITS      penalty
 *   FIA STEWARDS: DRIVE THROUGH PENALTY FOR CAR 18 (STR) - IGNORING BLUE FLAGS  drive-through
 *   BLACK AND WHITE FLAG FOR CAR 81 (PIA) - TRACK LIMITS                      black and white
 *   FIA STEWARDS: PENALTY SERVED - 5 SECOND TIME PENALTY FOR CAR 81 (PIA)     served
 *   FIA STEWARDS: PENALTY SERVED - DRIVE THROUGH PENALTY FOR CAR 18 (STR)     served
 *   CAR 44 (HAM) 10 SECONDS ADDED TO RACE TIME                                added at the flag
 *
 * Anything else (notes of an incident, investigations, track-limits deletions) is no
 * penalty and reads as none. */
#ifndef PW_COMMENTARY_CM_STEWARDS_H
#define PW_COMMENTARY_CM_STEWARDS_H

#include "commentary/cm_candidate.h"

struct cm_steward_note {
    enum cm_fact fact; /* CM_FACT_PENALTY .. CM_FACT_PENALTY_ADDED */
    char number[PW_NUMBER_MAX];
    int seconds; /* a time penalty's or the time added; 0 for a drive-through */
    enum cm_penalty_reason reason;
};

/* Reads `text` into *out: 0, or -EINVAL when it is not one of the notes above. */
int cm_stewards_read(const char *text, struct cm_steward_note *out);

#endif
