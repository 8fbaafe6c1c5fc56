/* history_state.c — a race's final state to the record's race-wide figures and back. */
#include "history/history.h"

#include <string.h>

void history_race_take_state(struct history_race *r, const struct pw_race_state *st)
{
    r->lap = st->lap;
    r->track = st->track;
    r->race_ms = st->race_ms;
    memcpy(r->fastest_number, st->fastest_number, sizeof r->fastest_number);
    r->fastest_lap_ms = st->fastest_lap_ms;
    r->weather_known = st->weather_known;
    r->rain_chance = st->rain_chance;
    r->raining = st->raining;
    r->track_wetness = st->track_wetness;
    r->penalties_known = st->penalties_known;
    r->damage_known = st->damage_known;
    r->clock_ms = st->clock_ms;
    r->clock_running = st->clock_running;
    r->session_part = st->session_part;
    r->cutoff_position = st->cutoff_position;
}

void history_race_state(const struct history_race *r, const struct pw_car *cars, int n,
                        struct pw_race_state *st)
{
    memset(st, 0, sizeof *st);
    st->n_cars = n < 0 ? 0 : n > PW_MAX_CARS ? PW_MAX_CARS : n;
    memcpy(st->cars, cars, (size_t)st->n_cars * sizeof *cars);
    st->lap = r->lap;
    st->total_laps = r->total_laps;
    st->track = r->track;
    memcpy(st->fastest_number, r->fastest_number, sizeof st->fastest_number);
    st->fastest_number[sizeof st->fastest_number - 1] = '\0';
    st->fastest_lap_ms = r->fastest_lap_ms;
    st->race_ms = r->race_ms;
    st->started = true;
    st->finished = strcmp(r->status, "finished") == 0;
    if (pw_session_kind_parse(r->kind[0] ? r->kind : "race", &st->kind) < 0)
        st->kind = PW_SESSION_RACE;
    st->clock_ms = r->clock_ms;
    st->clock_running = r->clock_running;
    st->session_part = r->session_part;
    st->cutoff_position = r->cutoff_position;
    st->weather_known = r->weather_known;
    st->rain_chance = r->rain_chance;
    st->raining = r->raining;
    st->track_wetness = r->track_wetness;
    st->penalties_known = r->penalties_known;
    st->damage_known = r->damage_known;
}
