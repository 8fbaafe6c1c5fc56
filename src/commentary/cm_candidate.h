/* cm_candidate.h — a candidate commentary line as structured facts, before it is phrased.
 *
 * The rules (cm_rules) turn race events into candidates, the pacer (cm_pacer) picks and
 * merges them, and only then the phrasing (cm_phrase) turns the chosen one into text. Facts
 * stay structured until the last moment so that merging ("Norris and Piastri both pit") and
 * the no-repeat rule work on what is actually said. Plain data, copied by value. */
#ifndef PW_COMMENTARY_CM_CANDIDATE_H
#define PW_COMMENTARY_CM_CANDIDATE_H

#include "core/event.h"
#include "core/timing.h"

#include <stdbool.h>
#include <stdint.h>

/* What a line says. The phrasing has templates for each. */
enum cm_fact {
    CM_FACT_LIGHTS_OUT = 0,
    CM_FACT_LEAD_PASS,    /* who[0] passed who[1] for the lead */
    CM_FACT_LEAD_INHERIT, /* who[0] leads now without a pass (leader pitted or retired) */
    CM_FACT_PODIUM_PASS,  /* who[0] passed who[1] for P2/P3 (`pos`) */
    CM_FACT_PICKED_GAINS, /* the picked driver who[0] passed who[1] for `pos` */
    CM_FACT_PICKED_LOSES, /* who[0] passed the picked driver who[1] for `pos` */
    CM_FACT_TEAM_ORDERS,  /* who[1] let its teammate who[0] by for `pos` (team `team`) */
    CM_FACT_PIT,          /* who[0] pitted from who[0].from_pos, out in .pos on .tyre */
    CM_FACT_PIT_MULTI,    /* who[0..n_who) all pitted */
    CM_FACT_FASTEST_LAP,  /* who[0] set the fastest lap, `lap_ms` */
    CM_FACT_SAFETY_CAR,
    CM_FACT_VSC,
    CM_FACT_RED_FLAG,
    CM_FACT_RESTART,      /* green again after SC / VSC / red (`prev_track`) */
    CM_FACT_RETIREMENT,   /* who[0] retired from .from_pos */
    CM_FACT_RETIRE_MULTI, /* who[0..n_who) all retired */
    CM_FACT_FINAL_LAP,    /* who[0] leads who[1] by `gap_ms` into the last lap */
    CM_FACT_CHEQUERED,    /* who[0] wins */
    CM_FACT_PODIUM,       /* who[0..3) on the podium; who[3] the picked driver if not */
    /* practice and qualifying (`session_kind`, `part`, `clock_ms`): */
    CM_FACT_SESSION_START,    /* the session (qualifying: part `part`) is under way */
    CM_FACT_PROVISIONAL_POLE, /* who[0] goes top with `lap_ms` (practice: goes fastest) */
    CM_FACT_IMPROVEMENT,      /* who[0] improves to who[0].pos with `lap_ms` */
    CM_FACT_KNOCKED_OUT,      /* who[0..n_who) are out in part `part` */
    CM_FACT_SESSION_RED,      /* red flag with `clock_ms` left (in part `part`) */
    CM_FACT_SESSION_RESUME,   /* green again after a red flag */
    CM_FACT_SESSION_END,      /* who[0] on pole / fastest with `lap_ms` */
    /* weather (a simulation's): */
    CM_FACT_RAIN, /* rain starts falling on lap `lap` */
    /* the stewards (race control's notes, cm_stewards.h), about who[0]: */
    CM_FACT_PENALTY,        /* a time penalty of `penalty_s` for `reason` */
    CM_FACT_DRIVE_THROUGH,  /* a drive-through penalty for `reason` */
    CM_FACT_BLACK_WHITE,    /* the black-and-white flag (track limits) */
    CM_FACT_PENALTY_SERVED, /* a time penalty of `penalty_s` served at a stop; 0: the
                               drive-through served */
    CM_FACT_PENALTY_ADDED,  /* `penalty_s` added to the race time at the flag */
    /* damage (a simulation's, from the cars' `damage` in the state), about who[0] in .pos: */
    CM_FACT_PUNCTURE,     /* a slow puncture */
    CM_FACT_WING_DAMAGE,  /* front-wing damage */
    CM_FACT_FLOOR_DAMAGE, /* floor damage, to the end */
    CM_FACT_REPAIR_STOP,  /* pitted from .from_pos for what `damage` says (a new nose, or new
                             tyres after a puncture), out in .pos on .tyre */
    CM_FACT_COUNT
};

/* Why the stewards penalised a car, as far as the note says. */
enum cm_penalty_reason {
    CM_REASON_NONE = 0,
    CM_REASON_COLLISION,
    CM_REASON_TRACK_LIMITS,
    CM_REASON_UNSAFE_RELEASE,
    CM_REASON_BLUE_FLAGS,
};

#define CM_WHO_MAX 6 /* a podium and the picked driver; cars knocked out in one part */
#define CM_SHORT_NAME_MAX 32

struct cm_who {
    char number[PW_NUMBER_MAX];
    char name[CM_SHORT_NAME_MAX]; /* as said on air: the surname from the grid name */
    int pos;                      /* place after the fact (0 if unknown) */
    int from_pos;                 /* place before it (pit in, retirement), 0 if unknown */
    enum pw_tyre tyre;            /* pit stops: the tyre fitted */
};

struct cm_candidate {
    enum cm_fact fact;
    int priority; /* higher goes first */
    enum pw_commentary_kind kind;
    int64_t born_ms; /* engine clock (loop time) when the fact happened */
    int64_t race_ms;
    int lap;
    int n_who;
    struct cm_who who[CM_WHO_MAX];
    int pos;                         /* overtakes: the place fought for */
    int64_t lap_ms;                  /* fastest lap */
    int64_t gap_ms;                  /* final lap: leader's margin, 0 if unknown */
    enum pw_track_status prev_track; /* restart: what ended */
    bool picked;                     /* the picked driver is concerned */
    bool engine_failure;             /* retirement: a fault ended the car's race */
    bool penalty_owed; /* chequered flag: the first car still owes penalty time or a
                          drive-through, so its win is not certain yet */
    enum pw_damage damage; /* damage lines, a repair stop; a retirement a puncture caused */
    int total_laps;
    char circuit[PW_NAME_MAX]; /* from the state, "" if unknown */
    enum pw_session_kind session_kind; /* from the state */
    int part;                          /* qualifying part (1..3), 0 otherwise */
    int64_t clock_ms;                  /* session clock left, for a red flag */
    int penalty_s;                     /* the stewards: the seconds of a time penalty */
    enum cm_penalty_reason reason;     /* the stewards: why */
    char team[PW_TEAM_MAX];            /* team orders: the team of both cars */
};

#endif
