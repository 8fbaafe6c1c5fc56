/* timing.h — the live-timing state of one race, as every part of pitwall sees it.
 *
 * A race source (simulator or archive replay) owns one `struct pw_race_state` and updates
 * it in place; everyone else receives a const pointer that is valid only for the duration
 * of the callback that delivered it, and copies what it wants to keep. Plain fixed-size
 * data: no pointers inside, so a state can be copied with `=` or memcpy. */
#ifndef PW_CORE_TIMING_H
#define PW_CORE_TIMING_H

#include <stdbool.h>
#include <stdint.h>

#define PW_MAX_CARS 26
#define PW_RACE_ID_MAX 48 /* including the terminating NUL */
#define PW_NUMBER_MAX 4   /* racing number "1".."999" + NUL */
#define PW_TLA_MAX 4
#define PW_NAME_MAX 48
#define PW_TEAM_MAX 40
#define PW_COLOR_MAX 8 /* "#RRGGBB" + NUL */

enum pw_tyre {
    PW_TYRE_UNKNOWN = 0,
    PW_TYRE_SOFT,
    PW_TYRE_MEDIUM,
    PW_TYRE_HARD,
    PW_TYRE_INTER,
    PW_TYRE_WET,
};

/* Damage a car carries (a simulation's; a replay knows none). When a car has more than one,
 * the state shows the one that matters most now: a puncture, then the front wing, then the
 * floor. */
enum pw_damage {
    PW_DAMAGE_NONE = 0,
    PW_DAMAGE_PUNCTURE,   /* a tyre losing pressure: the car loses more each sector until it
                             pits for a new set */
    PW_DAMAGE_FRONT_WING, /* slower until it pits for a new nose */
    PW_DAMAGE_FLOOR,      /* floor or sidepod: slower to the end, no repair */
};

enum pw_track_status {
    PW_TRACK_GREEN = 0,
    PW_TRACK_YELLOW,
    PW_TRACK_SC,
    PW_TRACK_VSC,
    PW_TRACK_VSC_ENDING,
    PW_TRACK_RED,
};

/* What kind of session a race is. A simulation is always a race; a replay takes it from
 * the archive's SessionInfo (Type, Name). Practice and the two qualifying kinds run on a
 * clock, not on laps, and have no winner. */
enum pw_session_kind {
    PW_SESSION_RACE = 0,
    PW_SESSION_SPRINT,
    PW_SESSION_PRACTICE,
    PW_SESSION_QUALIFYING,
    PW_SESSION_SPRINT_QUALIFYING, /* "Sprint Qualifying", 2023's "Sprint Shootout" */
};

#define PW_QUALI_PARTS 3

struct pw_driver {
    char number[PW_NUMBER_MAX]; /* racing number as text: "1", "44" */
    char tla[PW_TLA_MAX];       /* "NOR" */
    char name[PW_NAME_MAX];     /* "Lando Norris" */
    char team[PW_TEAM_MAX];     /* "McLaren" */
    char team_color[PW_COLOR_MAX]; /* "#F47600" */
};

/* One car's live-timing figures. Times are milliseconds; 0 means "no time yet". */
struct pw_car {
    struct pw_driver driver;
    int position;         /* 1-based running order (== index in cars[] + 1) */
    int laps;             /* laps completed */
    int64_t gap_ms;       /* time behind the leader; 0 for the leader */
    int gap_laps;         /* > 0 when lapped: laps behind the leader (gap_ms then unused) */
    int64_t interval_ms;  /* time behind the car ahead; 0 for the leader */
    int interval_laps;    /* > 0 when a lap or more behind the car ahead */
    int64_t last_lap_ms;
    int64_t best_lap_ms;
    int best_lap_no;      /* lap on which best_lap_ms was set */
    int64_t sectors_ms[3]; /* sectors of the lap in progress or, once complete, the last lap */
    enum pw_tyre tyre;
    int tyre_age;         /* laps on this set, including laps done before fitting */
    bool tyre_new;
    int pit_stops;
    bool in_pit;
    bool retired;         /* out of the race (DNF) */
    bool finished;        /* has taken the chequered flag */
    /* Practice and qualifying (0 / false in races): */
    int64_t best_sectors_ms[3]; /* best time in each sector so far */
    int stints;                 /* tyre stints so far (sets used) */
    int64_t part_best_ms[PW_QUALI_PARTS]; /* qualifying: best lap in Q1, Q2, Q3 */
    int knocked_out_part;       /* qualifying: the part the car went out in, 0 = still in */
    int deleted_laps;           /* laps deleted by race control (track limits) */
    /* Penalties (a simulation with the stewards on; 0 / false otherwise): */
    int penalty_s;      /* time penalties owed, seconds (served at a stop or added at the end) */
    bool drive_through; /* a drive-through to serve */
    bool black_white;   /* shown the black-and-white flag (track limits) */
    enum pw_damage damage; /* a simulation's; PW_DAMAGE_NONE otherwise */
};

struct pw_race_state {
    int n_cars;
    struct pw_car cars[PW_MAX_CARS]; /* in running order: cars[0] leads */
    int lap;                         /* leader's current lap (1-based once started) */
    int total_laps;
    enum pw_track_status track;
    char fastest_number[PW_NUMBER_MAX]; /* holder of the fastest lap, "" if none yet */
    int64_t fastest_lap_ms;
    int64_t race_ms;                 /* race clock: ms since lights out (negative before) */
    bool started;                    /* lights out has happened */
    bool finished;                   /* chequered flag has fallen for the leader */
    char circuit[PW_NAME_MAX];       /* "Miami", "Monza" */
    char session[PW_NAME_MAX];       /* "Race", "Sprint" */
    enum pw_session_kind kind;
    /* Sessions on a clock (practice, qualifying): */
    int64_t clock_ms;    /* time remaining in the session (qualifying: in the part); only
                            meaningful when pw_session_is_timed(kind) */
    bool clock_running;  /* false before the start, under a stoppage and between parts */
    int session_part;    /* qualifying part now running (1..3), 0 otherwise */
    int cutoff_position; /* qualifying: the last place that goes through to the next part
                            (cars below it are in the drop zone), 0 if none */
    /* Weather, when the source knows it (a simulation with a chance of rain; a replay
     * leaves it unknown): */
    bool weather_known;
    int rain_chance;   /* forecast chance of rain in the race, percent */
    bool raining;
    int track_wetness; /* 0 dry .. 100 soaking: >= 15 wet enough for intermediates,
                          >= 65 for full wets */
    bool penalties_known; /* the cars' penalty fields mean something (a simulation with the
                             stewards on) */
    bool damage_known;    /* the cars' `damage` means something (a simulation) */
};

/* Index of the car with this racing number in state->cars, or -1. */
int pw_state_find_car(const struct pw_race_state *state, const char *number);

/* "race", "sprint", "practice", "qualifying", "sprint_qualifying"; -EINVAL if unknown. */
const char *pw_session_kind_name(enum pw_session_kind kind);
int pw_session_kind_parse(const char *name, enum pw_session_kind *out);
/* Practice and qualifying run on a clock and have no winner. */
bool pw_session_is_timed(enum pw_session_kind kind);

/* Short names used on the wire: "SOFT", "MEDIUM", ..., and "green", "yellow", "sc", ... */
const char *pw_tyre_name(enum pw_tyre tyre);
const char *pw_track_name(enum pw_track_status track);
/* "none", "puncture", "front_wing", "floor" */
const char *pw_damage_name(enum pw_damage damage);
/* Parse those names (case-insensitive); -EINVAL if unknown. */
int pw_damage_parse(const char *name, enum pw_damage *out);
/* Parse the names above (case-insensitive); unknown text gives PW_TYRE_UNKNOWN / -EINVAL. */
enum pw_tyre pw_tyre_parse(const char *name);
int pw_track_parse(const char *name, enum pw_track_status *out);

#endif
