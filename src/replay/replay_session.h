/* replay_session.h — what practice and qualifying add to a replay: the session clock, the
 * qualifying part with its cut-off, cars knocked out with their part, best laps per part,
 * best sectors, gaps to the fastest, deleted laps. Owns nothing but its own fields; the
 * replay model (replay_model.c) calls it from the topics it already reads.
 *
 * The clock. These archive sessions have no clock topic, so it is worked out from
 * SessionStatus as the official timing runs it:
 *  - practice: one clock of SessionInfo EndDate − StartDate (60 minutes when that is not
 *    usable), started by the first "Started" and running on through red flags (2021 Monza
 *    FP2: stopped 10 minutes for a red flag, "Finished" exactly 60:00 after the start);
 *  - qualifying: a clock per part, Q1/Q2/Q3 18, 15 and 12 minutes, sprint qualifying 12, 10
 *    and 8, that runs while the status is "Started" and stops at "Aborted" (red flag) and
 *    "Finished"; a new part (TimingData SessionPart) starts a full clock.
 * The cut-off is NoEntries of the next part (Q1 of [20, 15, 10]: P15 is the last place
 * through); a car is knocked out in the part that was running when KnockedOut turned true
 * (the feed sends it with the next part's SessionPart).
 *
 * Gaps in these sessions are to the fastest lap, not to a leader on the road: practice's
 * TimeDiffToFastest / TimeDiffToPositionAhead, qualifying's Stats[part] (the part the car
 * went out in, once knocked out). */
#ifndef PW_REPLAY_SESSION_H
#define PW_REPLAY_SESSION_H

#include "core/timing.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define REPLAY_PRACTICE_DEFAULT_MS (60LL * 60 * 1000)

struct replay_session {
    int64_t part_len_ms[PW_QUALI_PARTS]; /* practice: [0] is the session */
    int64_t run_ms;  /* clock run in this part before `since` */
    int64_t since;   /* race_ms when the clock last started; -1 while stopped */
    bool part_over;  /* "Finished" for this part (the clock shows 0) */
    int no_entries[PW_QUALI_PARTS];
};

/* Clock lengths from SessionInfo (state->kind is already set from it). */
void replay_session_info(struct replay_session *ss, const struct pw_race_state *st,
                         const json_t *session_info);

/* A SessionStatus "Status" at the state's race clock. */
void replay_session_status(struct replay_session *ss, struct pw_race_state *st,
                           const char *status);

/* state->clock_ms and clock_running at state->race_ms. */
void replay_session_tick(const struct replay_session *ss, struct pw_race_state *st);

/* TimingData's top level (merged): SessionPart, NoEntries -> session_part, cutoff_position.
 * Returns the part that ran before this line (the one cars knocked out now went out in). */
int replay_session_timing(struct replay_session *ss, struct pw_race_state *st,
                          const json_t *timing);

/* A car's line (merged TimingData Lines.<n>) after the race fields were read: knocked out,
 * best per part, best sectors, timed gaps. `prev_part` as returned above. */
void replay_session_car(const struct pw_race_state *st, int prev_part, struct pw_car *c,
                        const json_t *line);

/* Whether a SessionStatus "Finished" is the end of the session: always but in qualifying,
 * where it ends a part and only the last part's ends the session. */
bool replay_session_finish_ends(const struct pw_race_state *st);

/* "CAR 44 (HAM) TIME 1:41.829 DELETED - TRACK LIMITS ..." -> "44"; false for any other
 * message. */
bool replay_session_deleted_lap(const char *message, char *number, size_t len);

#endif
