/* sim_internal.h — the simulator's private data, shared by sim*.c only.
 *
 * One `struct sim` per race, allocated once by race_sim_create and freed by its destroy op.
 * Cars are kept in `cars[]` by a fixed id (grid file order); `order[]` holds the ids in
 * running order and `state` is the public view rebuilt from both before each emit. */
#ifndef PW_RACE_SIM_INTERNAL_H
#define PW_RACE_SIM_INTERNAL_H

#include "race/race_damage.h"
#include "race/race_penalties.h"
#include "race/race_red_flag.h"
#include "race/race_team_orders.h"
#include "race/race_weather.h"
#include "race/rng.h"
#include "race/sim_faults.h"
#include "race/sim.h"

#define SIM_LINES (RACE_SIM_MAX_LAPS * 3 + 1)
#define SIM_NEVER INT64_MAX
#define SIM_MAX_INCIDENTS 16

struct sim_car {
    int id;
    struct pw_driver driver;
    double pace_ms;  /* added to every lap: car, driver and the form of the day */
    double noise_ms; /* lap-to-lap deviation */
    int grid_slot;   /* 0-based starting place */
    /* strategy */
    int next_stop_lap;  /* lap at whose end the car pits; 0 = no more stops */
    int compounds_used; /* bit per enum pw_tyre used so far */
    /* live */
    enum pw_tyre tyre;
    int tyre_age;
    int stint_laps; /* laps completed on this set in this race */
    bool tyre_new;
    enum pw_tyre next_tyre;
    int line;           /* timing lines crossed; lap k ends on line 3k */
    int64_t next_ms;    /* when it crosses line + 1; SIM_NEVER when not running */
    double plan_ms[3];  /* this lap's free sector times */
    double pace_lap_ms; /* this lap's time without the random part: what overtaking weighs */
    double tyre_lap_ms; /* the tyres' part of pace_lap_ms (compound, wear, warm-up) */
    int64_t sector_ms[3];
    int64_t last_lap_ms, best_lap_ms;
    int best_lap_no;
    int pit_stops;
    bool in_pit;     /* between pit in and pit out (what timing shows) */
    bool pit_sector; /* the current sector is driven (partly) in the pit lane */
    bool vsc_sector; /* the current sector was planned at the VSC delta */
    bool pitting;    /* this lap is an in-lap */
    bool out_lap;    /* this lap is an out-lap */
    int pit_event;   /* 0 none, 1 pit in due, 2 pit out due */
    int64_t pit_event_ms;
    int64_t retire_ms; /* planned retirement, SIM_NEVER for none */
    bool retire_crash; /* a crash (may bring out the safety car) rather than a failure */
    bool retired, finished;
    int64_t retired_at;
    int pass_lap, passes; /* on-track passes made during lap pass_lap */
    bool parked;          /* in the pit lane under a red flag (race_red_flag.c) */
    int park_line;        /* ... where it parks: the end of the lap the leader is on, less
                             the laps it is down */
    bool parked_in_stop;  /* ... having entered it for a stop of its own */
    bool drive_through;   /* this trip down the pit lane is a drive-through (race_penalties.c) */
};

struct sim {
    struct pw_source base;
    struct pw_grid grid;
    struct race_circuit circuit;
    struct race_rng rng;
    char selected_number[PW_NUMBER_MAX];
    int selected; /* car id of the picked driver, -1 for none */
    bool podium;
    int podium_place; /* podium mode: the place the picked driver's race builds to, 1..3 */
    int n;
    int total_laps;
    struct sim_car cars[PW_MAX_CARS];
    int order[PW_MAX_CARS];
    int64_t cross[PW_MAX_CARS][SIM_LINES]; /* when each car crossed each timing line */
    int64_t now;
    int64_t duration_ms;
    /* track status */
    enum pw_track_status track;
    int64_t track_timer_ms; /* when a timed status (yellow, VSC) moves on; SIM_NEVER */
    int sc_end_line;        /* the SC comes in as the leader crosses this line */
    bool vsc_to_sc;         /* the VSC out now turns into a safety car when its timer runs out */
    int drs_line;           /* DRS is enabled again once the leader crosses this line */
    int64_t incident_ms[SIM_MAX_INCIDENTS];  /* sorted; debris, spins: not retirements */
    bool incident_yellow[SIM_MAX_INCIDENTS]; /* a local yellow only */
    int n_incidents, next_incident;
    int retirements;
    /* race progress */
    bool lights_out, final_lap, chequered, classified;
    int64_t fastest_ms;
    char fastest_number[PW_NUMBER_MAX];
    struct sim_faults faults;            /* sim_faults.c */
    struct race_weather weather;         /* race_weather.c */
    struct race_red_flag red;            /* race_red_flag.c */
    struct race_penalties penalties;     /* race_penalties.c */
    struct race_damage damage;           /* race_damage.c */
    struct race_team_orders team_orders; /* race_team_orders.c */
    /* output */
    struct pw_race_state state;
    bool dirty;
    pw_emit_fn emit;
    void *emit_ctx;
};

/* sim_model.c: pace, tyres, strategy, start */
void sim_model_init_cars(struct sim *s);
void sim_model_plan_lap(struct sim *s, struct sim_car *c, int lap_no);
int64_t sim_model_base_sector_ms(const struct sim *s, int sector);
void sim_model_fit_tyres(struct sim *s, struct sim_car *c, int lap_no);
/* Call `c` in for a stop at the end of lap `lap_no`, with the tyres it will get. */
void sim_model_call_in(struct sim *s, struct sim_car *c, int lap_no);
/* Podium mode: the place the picked driver aims for on lap `lap_no`. */
int sim_model_podium_goal(const struct sim *s, int lap_no);
/* Podium mode: whether the picked driver, at `place` on lap `lap_no`, is further back than
 * RACE_SIM_PODIUM_MAX_PASSES a lap can climb in the laps after this one: it then charges. */
bool sim_model_podium_charge(const struct sim *s, int place, int lap_no);

/* sim_order.c: running order, gaps, the public state */
int sim_order_index(const struct sim *s, int car_id);
int sim_order_before(const struct sim *s, int a, int b);
void sim_order_sink_retired(struct sim *s, int car_id);
void sim_state_refresh(struct sim *s);

/* sim_track.c: incidents, safety car, retirements, traffic */
void sim_track_init(struct sim *s);
void sim_track_incident(struct sim *s, int64_t at, bool crash);
void sim_track_timer(struct sim *s);
void sim_track_scheduled(struct sim *s);
void sim_track_leader_line(struct sim *s, int line);
void sim_track_plan_sector(struct sim *s, struct sim_car *c, int64_t t);
/* A lap started now lasts this many green-flag laps (1 at green; more under SC or VSC). */
double sim_track_lap_factor(const struct sim *s);
/* Change the track status (emitted), with the timer that moves it on (SIM_NEVER: none). */
void sim_track_set(struct sim *s, enum pw_track_status status, int64_t timer_ms);

/* sim.c: emitting */
void sim_emit(struct sim *s, enum pw_event_type type, const struct sim_car *car,
              const struct sim_car *other, int position);
/* The same with `text` (copied; NULL for none). */
void sim_emit_text(struct sim *s, enum pw_event_type type, const struct sim_car *car,
                   const struct sim_car *other, int position, const char *text);
/* "CAR 44 (HAM)", as race control names a car. */
void sim_car_who(const struct sim_car *c, char *out, size_t len);
/* A race-control message in the live-timing feed's words. */
void sim_emit_race_control(struct sim *s, const char *text);
/* ... about one car (the event's `car`). */
void sim_emit_race_control_car(struct sim *s, const struct sim_car *car, const char *text);

#endif
