/* race_weather.c — the weather plan, the wetness curve, the tyre rules in the wet and the
 * simulator's weather hooks. */
#include "race/race_weather.h"

#include "race/race_data.h"
#include "race/sim_internal.h"
#include "race/text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WEATHER_SEED_SALT 0x3A1F5EED0DD5B0A7ull
#define WEATHER_DRY_AGAIN 10 /* below this after a shower, DRS comes back */
/* Extra share of a lap per point of wetness, whatever the tyre: grip and spray. */
#define WEATHER_TRACK_SHARE 0.0006
/* A car on the wrong kind of tyre stops with this chance per ms it loses a lap, per lap. */
#define WEATHER_STOP_PER_MS (1.0 / 5000.0)

static const char *const mode_names[] = {"dry", "auto", "rain"};

int race_weather_mode_parse(const char *name, enum race_weather_mode *out)
{
    for (unsigned i = 0; name && i < sizeof mode_names / sizeof *mode_names; i++) {
        if (strcasecmp(name, mode_names[i]) == 0) {
            *out = (enum race_weather_mode)i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *race_weather_mode_name(enum race_weather_mode mode)
{
    if ((unsigned)mode >= sizeof mode_names / sizeof *mode_names)
        return mode_names[0];
    return mode_names[mode];
}

int race_weather_circuit_rain_pct(const char *circuit_id)
{
    char line[RACE_TEXT_LINE_MAX];
    char *f[RACE_TEXT_FIELDS_MAX];
    const char *cur = race_data_weather;
    int lineno = 0, rc;
    while (circuit_id && (rc = race_text_next_line(&cur, line, sizeof line, &lineno)) != 0) {
        if (rc < 0 || race_text_is_blank(line) || strncmp(line, "id,", 3) == 0)
            continue;
        long pct;
        /* The table is ours and checked by a test; a bad line is skipped. */
        if (race_text_split(line, f, RACE_TEXT_FIELDS_MAX) == 2 &&
            strcasecmp(f[0], circuit_id) == 0 && race_text_int(f[1], 0, 100, &pct) == 0)
            return (int)pct;
    }
    return 0;
}

static void weather_add_note(struct race_weather *w, int64_t at, const char *text)
{
    if (w->n_notes == RACE_WEATHER_NOTES || at < 0)
        return;
    struct race_weather_note *n = &w->notes[w->n_notes++];
    n->at_ms = at;
    snprintf(n->text, sizeof n->text, "%s", text);
}

void race_weather_plan(struct race_weather *w, enum race_weather_mode mode, int rain_pct,
                       int64_t race_ms, bool sprint, uint64_t seed)
{
    struct race_rng rng;
    double race = (double)race_ms;
    memset(w, 0, sizeof *w);
    if (mode == RACE_WEATHER_DRY || race_ms <= 0)
        return;
    race_rng_seed(&rng, seed ^ WEATHER_SEED_SALT);
    if (mode == RACE_WEATHER_RAIN) {
        /* A forecast that saw it coming; a shower that soaks the track a fifth to a third
         * of the way in and stops in time for it to dry before the end. */
        w->rain_chance = race_rng_range(&rng, 6, 9) * 10;
        w->shower = true;
        w->start_ms = (int64_t)(race * (0.15 + 0.15 * race_rng_uniform(&rng)));
        w->stop_ms = w->start_ms + (int64_t)(race * (0.2 + 0.1 * race_rng_uniform(&rng)));
        w->rise_per_ms = 100.0 / (race * (0.08 + 0.04 * race_rng_uniform(&rng)));
    } else {
        if (rain_pct <= 0)
            return;
        w->rain_chance = rain_pct;
        w->shower = race_rng_uniform(&rng) * 100.0 < rain_pct;
        if (!w->shower)
            goto announce;
        /* Anything from a passing shower that barely dampens the track to a downpour. */
        w->start_ms = (int64_t)(race * (0.05 + 0.6 * race_rng_uniform(&rng)));
        w->stop_ms = w->start_ms + (int64_t)(race * (0.05 + 0.25 * race_rng_uniform(&rng)));
        w->rise_per_ms = 100.0 / (race * (0.06 + 0.14 * race_rng_uniform(&rng)));
    }
    /* A racing line dries faster than rain soaks it: from soaking to dry in about a
     * quarter of the race. */
    w->dry_per_ms = 100.0 / (race * (0.2 + 0.1 * race_rng_uniform(&rng)));
    char text[RACE_WEATHER_NOTE_MAX];
    int64_t stop = w->stop_ms;
    double peak = race_weather_wetness(w, stop);
    snprintf(text, sizeof text, "TRACK SURFACE SLIPPERY IN TRACK SECTOR %d",
             race_rng_range(&rng, 1, 18));
    weather_add_note(w, w->start_ms, text);
    if (peak >= RACE_WEATHER_DAMP) {
        weather_add_note(w, w->start_ms + (int64_t)(RACE_WEATHER_DAMP / w->rise_per_ms) + 1,
                         "DRS DISABLED");
        weather_add_note(w, stop + (int64_t)((peak - WEATHER_DRY_AGAIN) / w->dry_per_ms) + 1,
                         "DRS ENABLED");
    }
announce:
    /* Race control's forecast comes first, at the start. */
    snprintf(text, sizeof text, "RISK OF RAIN FOR F1 %s IS %d%%", sprint ? "SPRINT" : "RACE",
             w->rain_chance);
    memmove(&w->notes[1], &w->notes[0], sizeof w->notes[0] * (RACE_WEATHER_NOTES - 1));
    w->n_notes = w->n_notes < RACE_WEATHER_NOTES ? w->n_notes + 1 : RACE_WEATHER_NOTES;
    w->notes[0].at_ms = 0;
    snprintf(w->notes[0].text, sizeof w->notes[0].text, "%s", text);
}

double race_weather_wetness(const struct race_weather *w, int64_t t)
{
    if (!w->shower || t <= w->start_ms)
        return 0.0;
    int64_t wet_until = t < w->stop_ms ? t : w->stop_ms;
    double wet = w->rise_per_ms * (double)(wet_until - w->start_ms);
    if (wet > 100.0)
        wet = 100.0;
    if (t > w->stop_ms)
        wet -= w->dry_per_ms * (double)(t - w->stop_ms);
    return wet > 0.0 ? wet : 0.0;
}

bool race_weather_raining(const struct race_weather *w, int64_t t)
{
    return w->shower && t >= w->start_ms && t < w->stop_ms;
}

int64_t race_weather_reaches_ms(const struct race_weather *w, double wet)
{
    if (!w->shower || w->rise_per_ms <= 0.0 || race_weather_wetness(w, w->stop_ms) < wet)
        return INT64_MAX;
    return w->start_ms + (int64_t)ceil(wet / w->rise_per_ms);
}

enum pw_tyre race_weather_kind(enum pw_tyre tyre)
{
    return tyre == PW_TYRE_INTER || tyre == PW_TYRE_WET ? tyre : PW_TYRE_MEDIUM;
}

/* Share of a dry lap each kind loses at wetness `wet` (percent): slicks from a damp track
 * on, intermediates best around 35 and overheating on a dry track, wets best around 80. */
static double weather_tyre_pct(double wet, enum pw_tyre kind)
{
    if (kind == PW_TYRE_INTER)
        return 2.5 + 0.1 * fabs(wet - 35.0) + (wet > 60.0 ? 0.1 * (wet - 60.0) : 0.0);
    if (kind == PW_TYRE_WET)
        return 5.0 + 0.08 * fabs(wet - 80.0);
    return wet > 8.0 ? 0.4 * (wet - 8.0) : 0.0;
}

double race_weather_lap_share(double wet, enum pw_tyre tyre)
{
    return WEATHER_TRACK_SHARE * wet + weather_tyre_pct(wet, race_weather_kind(tyre)) / 100.0;
}

enum pw_tyre race_weather_best_kind(double wet)
{
    static const enum pw_tyre kinds[] = {PW_TYRE_MEDIUM, PW_TYRE_INTER, PW_TYRE_WET};
    enum pw_tyre best = PW_TYRE_MEDIUM;
    for (int i = 1; i < 3; i++) {
        if (weather_tyre_pct(wet, kinds[i]) < weather_tyre_pct(wet, best))
            best = kinds[i];
    }
    return best;
}

int64_t race_weather_next_note_ms(const struct race_weather *w)
{
    return w->next_note < w->n_notes ? w->notes[w->next_note].at_ms : INT64_MAX;
}

void sim_weather_note(struct sim *s)
{
    struct race_weather *w = &s->weather;
    const char *text = w->notes[w->next_note++].text;
    if (s->chequered)
        return;
    sim_emit_race_control(s, text);
}

static bool weather_promised(const struct sim *s, const struct sim_car *c)
{
    return s->podium && c->id == s->selected;
}

/* The tyre a lap planned now is driven on: an out-lap's is the set being fitted. */
static enum pw_tyre weather_lap_tyre(const struct sim_car *c)
{
    return c->out_lap ? c->next_tyre : c->tyre;
}

double sim_weather_lap_ms(struct sim *s, struct sim_car *c)
{
    double wet = race_weather_wetness(&s->weather, s->now);
    enum pw_tyre kind = race_weather_kind(weather_lap_tyre(c));
    double lap = (double)s->circuit.lap_ms;
    double ms = race_weather_lap_share(wet, kind) * lap;
    /* Rain tyres on a dry track overheat: they wear by the lap. */
    if (kind != PW_TYRE_MEDIUM && wet < RACE_WEATHER_DAMP)
        ms += 60.0 * c->stint_laps * (lap / 90000.0);
    /* The wrong tyres go off the road: slicks on a wet track, intermediates in standing
     * water. The draw is made only then, so a dry race draws as it always did. */
    double risk = 0.0;
    if (kind == PW_TYRE_MEDIUM && wet > 18.0)
        risk = 0.005 * (wet - 18.0);
    else if (kind == PW_TYRE_INTER && wet > 75.0)
        risk = 0.004 * (wet - 75.0);
    if (risk > 0.0 && !weather_promised(s, c) && race_rng_chance(&s->rng, risk)) {
        ms += 2000.0 + 6000.0 * race_rng_uniform(&s->rng);
        /* One off in six ends in the barriers. */
        if (c->retire_ms == SIM_NEVER && race_rng_chance(&s->rng, 1.0 / 6.0)) {
            c->retire_ms = s->now + (int64_t)(lap * (0.2 + 0.6 * race_rng_uniform(&s->rng)));
            c->retire_crash = true;
        }
    }
    return ms;
}

/* When the lap planned now ends, `laps` - 1 laps more on: the lap under way at the pace
 * the track status allows (behind the safety car a lap lasts half as long again), the rest
 * at green-flag pace. */
static int64_t weather_lap_end_ms(const struct sim *s, int laps)
{
    double lap = (double)s->circuit.lap_ms;
    if (laps <= 0)
        return s->now;
    return s->now + (int64_t)(lap * sim_track_lap_factor(s) + lap * (laps - 1));
}

/* The wetness a team plans for: a lap ahead (teams watch the radar), counting the lap under
 * way at the pace the track allows, so a shower that passes under a safety car is not read
 * at green-flag lap times; the picked driver's team in podium mode looks further, so it
 * never stops twice where once would do. */
static double weather_forecast(const struct sim *s, const struct sim_car *c, int laps)
{
    if (weather_promised(s, c))
        laps += 2;
    return race_weather_wetness(&s->weather, weather_lap_end_ms(s, laps));
}

/* Slicks on a soaking track, or rain tyres on a dry one: nobody stays out. */
static bool weather_must_stop(double wet, enum pw_tyre kind)
{
    return (kind == PW_TYRE_MEDIUM && wet >= RACE_WEATHER_SOAKED) ||
           (kind != PW_TYRE_MEDIUM && wet < 5.0);
}

bool sim_weather_wants_stop(struct sim *s, struct sim_car *c, int lap_no)
{
    /* The set being fitted on this out-lap was chosen for the conditions a lap ahead. */
    if (c->out_lap)
        return false;
    /* The picked driver's team in podium mode judges the track as it will be when the car
     * reaches the pit lane at the end of this lap, the field as it is now. */
    int64_t judged_ms = weather_promised(s, c) ? weather_lap_end_ms(s, 1) : s->now;
    double wet = race_weather_wetness(&s->weather, judged_ms);
    enum pw_tyre kind = race_weather_kind(weather_lap_tyre(c));
    enum pw_tyre best = race_weather_best_kind(wet);
    if (kind == best)
        return false;
    if (weather_must_stop(wet, kind))
        return true;
    double lap = (double)s->circuit.lap_ms;
    double loss = (weather_tyre_pct(wet, kind) - weather_tyre_pct(wet, best)) / 100.0 * lap;
    int left = s->total_laps - lap_no;
    if (loss * left < (double)s->circuit.pit_loss_ms)
        return false; /* not worth a stop any more */
    /* The picked driver's team makes the call as soon as it pays, unless the tyres on the
     * car are the right ones again by the time new ones would be. Behind the safety car
     * the wrong tyres cost no place and a stop the field does not make costs every place
     * of the bunched queue: there it stops only for a loss every car stops for. */
    if (weather_promised(s, c)) {
        double call_ms = s->track == PW_TRACK_SC ? 1.0 / WEATHER_STOP_PER_MS : 800.0;
        return loss > call_ms && race_weather_best_kind(weather_forecast(s, c, 0)) != kind;
    }
    return race_rng_chance(&s->rng, loss * WEATHER_STOP_PER_MS);
}

void sim_weather_fit_tyres(struct sim *s, struct sim_car *c, int lap_no)
{
    (void)lap_no;
    enum pw_tyre best = race_weather_best_kind(weather_forecast(s, c, 1));
    if (best == PW_TYRE_MEDIUM)
        return; /* the dry strategy's pick stands */
    c->next_tyre = best;
    c->next_stop_lap = 0; /* the conditions call the next stop */
}

void sim_weather_fill_state(const struct sim *s, struct pw_race_state *st)
{
    const struct race_weather *w = &s->weather;
    st->weather_known = w->rain_chance > 0;
    st->rain_chance = w->rain_chance;
    st->raining = s->lights_out && race_weather_raining(w, s->now);
    st->track_wetness = (int)race_weather_wetness(w, s->now);
}
