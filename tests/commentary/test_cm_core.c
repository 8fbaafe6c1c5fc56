/* Rules, pacing and phrasing over scripted race events, on a scripted clock (no loop). */
#include "commentary/cm_race.h"
#include "commentary/cm_stewards.h"
#include "commentary/commentary.h"
#include "race_script.h"

#include <stdio.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 512

struct harness {
    struct cm_race race;
    struct race_script s;
    int64_t now;
    int n_lines;
    struct cm_line lines[MAX_LINES];
    int64_t sent_at[MAX_LINES];
};

static const struct cm_pacer_config default_pacing = {
    .min_interval_ms = 4000, .stale_ms = 8000, .merge_window_ms = 1000};

static struct harness *harness_new(const char *picked, const struct cm_pacer_config *pc)
{
    struct harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    script_init(&h->s, "race-1", picked, 10);
    cm_race_init(&h->race, "race-1", pc ? pc : &default_pacing);
    return h;
}

static void feed(struct harness *h, const struct pw_event *ev)
{
    assert_non_null(ev);
    cm_race_feed(&h->race, ev, h->now);
}

/* Advances the scripted clock to `until`, taking every line when it becomes due. */
static void run_until(struct harness *h, int64_t until)
{
    for (;;) {
        int64_t due = cm_race_due(&h->race, h->now);
        if (due < 0 || due > until)
            break;
        h->now = due;
        struct cm_line line;
        if (cm_race_next(&h->race, h->now, &line)) {
            assert_true(h->n_lines < MAX_LINES);
            h->sent_at[h->n_lines] = h->now;
            h->lines[h->n_lines++] = line;
            cm_race_mark_sent(&h->race, h->now);
        } else if (cm_race_due(&h->race, h->now) == h->now) {
            fail_msg("pacer due now but gave no line");
        }
    }
    h->now = until;
}

static const struct cm_line *last_line(const struct harness *h)
{
    assert_true(h->n_lines > 0);
    return &h->lines[h->n_lines - 1];
}

static void assert_contains(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

static void start_race(struct harness *h)
{
    h->s.state.started = true;
    h->s.state.lap = 1;
    feed(h, script_event(&h->s, PW_EV_LIGHTS_OUT));
    run_until(h, h->now + 5000);
}

static void test_lights_out(void **st)
{
    (void)st;
    struct harness *h = harness_new("", NULL);
    start_race(h);
    assert_int_equal(h->n_lines, 1);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_LIGHTS_OUT);
    assert_int_equal(last_line(h)->kind, PW_COMMENT_HIGHLIGHT);
    /* said once only, even if the event repeats */
    feed(h, script_event(&h->s, PW_EV_LIGHTS_OUT));
    run_until(h, h->now + 10000);
    assert_int_equal(h->n_lines, 1);
    free(h);
}

static void test_lead_change_by_overtake(void **st)
{
    (void)st;
    struct harness *h = harness_new("", NULL);
    start_race(h);
    h->s.state.lap = 5;
    feed(h, script_overtake(&h->s, "81"));
    run_until(h, h->now + 5000);
    assert_int_equal(h->n_lines, 2);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_LEAD_PASS);
    assert_contains(last_line(h)->text, "Piastri");
    assert_contains(last_line(h)->text, "Norris");
    /* the positions tick that follows shows the same leader: no second line */
    feed(h, script_event(&h->s, PW_EV_POSITIONS));
    run_until(h, h->now + 10000);
    assert_int_equal(h->n_lines, 2);
    free(h);
}

static void test_lead_change_without_overtake(void **st)
{
    (void)st;
    struct harness *h = harness_new("", NULL);
    start_race(h);
    feed(h, script_event(&h->s, PW_EV_POSITIONS));
    script_move(&h->s, "1", 4); /* leader drops to P4, e.g. in the pit lane */
    feed(h, script_event(&h->s, PW_EV_POSITIONS));
    run_until(h, h->now + 5000);
    assert_int_equal(h->n_lines, 2);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_LEAD_INHERIT);
    assert_contains(last_line(h)->text, "Piastri");
    free(h);
}

static void test_podium_and_midfield_overtakes(void **st)
{
    (void)st;
    struct harness *h = harness_new("", NULL);
    start_race(h);
    feed(h, script_overtake(&h->s, "16")); /* Leclerc takes P3 from Verstappen */
    run_until(h, h->now + 5000);
    assert_int_equal(h->n_lines, 2);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_PODIUM_PASS);
    assert_contains(last_line(h)->text, "Leclerc");
    assert_contains(last_line(h)->text, "P3");
    feed(h, script_overtake(&h->s, "23")); /* Albon P10 -> P9: not worth a line */
    run_until(h, h->now + 10000);
    assert_int_equal(h->n_lines, 2);
    free(h);
}

/* Leclerc (P4) lets his teammate Hamilton by on the team's orders: a line names the team and
 * both cars, where an ordinary pass for P4 is not worth one. */
static void test_team_orders_swap(void **st)
{
    (void)st;
    struct harness *h = harness_new("", NULL);
    start_race(h);
    feed(h, script_overtake(&h->s, "44")); /* Hamilton past Leclerc for P4: no line */
    feed(h, script_overtake(&h->s, "16")); /* Leclerc back past him: none either */
    run_until(h, h->now + 10000);
    assert_int_equal(h->n_lines, 1);
    struct pw_event *ev = script_overtake(&h->s, "44");
    snprintf(ev->text, sizeof ev->text, "%s", PW_OVERTAKE_TEAM_ORDERS);
    feed(h, ev);
    run_until(h, h->now + 5000);
    assert_int_equal(h->n_lines, 2);
    const struct cm_line *line = last_line(h);
    assert_int_equal(line->cand.fact, CM_FACT_TEAM_ORDERS);
    assert_int_equal(line->kind, PW_COMMENT_INFO);
    assert_string_equal(line->cand.team, "Ferrari");
    assert_int_equal(line->cand.pos, 4);
    assert_contains(line->text, "Hamilton");
    assert_contains(line->text, "Leclerc");
    free(h);
}

/* Every team-orders line says the team's name or "teammate", both cars, and never a place
 * other than the one given up; the picked driver let by is a highlight. */
static void test_team_orders_lines(void **st)
{
    (void)st;
    struct harness *h = harness_new("81", NULL); /* Piastri, P2 */
    start_race(h);
    for (int i = 0; i < 8; i++) {
        /* Norris lets Piastri by for the lead, then Piastri lets him back, and so on: the
         * phrasing goes round its templates */
        const char *by = i % 2 ? "1" : "81";
        struct pw_event *ev = script_overtake(&h->s, by);
        snprintf(ev->text, sizeof ev->text, "%s", PW_OVERTAKE_TEAM_ORDERS);
        feed(h, ev);
        run_until(h, h->now + 5000);
        const struct cm_line *line = last_line(h);
        assert_int_equal(h->n_lines, i + 2);
        assert_int_equal(line->cand.fact, CM_FACT_TEAM_ORDERS);
        assert_int_equal(line->kind, i % 2 ? PW_COMMENT_WARNING : PW_COMMENT_HIGHLIGHT);
        assert_contains(line->text, "Norris");
        assert_contains(line->text, "Piastri");
        if (!strstr(line->text, "McLaren") && !strstr(line->text, "teammate"))
            fail_msg("\"%s\" names neither the team nor a teammate", line->text);
        if (strstr(line->text, "P2") || strstr(line->text, "P3"))
            fail_msg("\"%s\": the place taken is P1", line->text);
        /* a swap for the lead is a new leader: no second line saying so */
        feed(h, script_event(&h->s, PW_EV_POSITIONS));
        run_until(h, h->now + 5000);
        assert_int_equal(h->n_lines, i + 2);
    }
    free(h);
}

static void test_picked_driver_moves(void **st)
{
    (void)st;
    struct harness *h = harness_new("55", NULL); /* Sainz, P9 */
    start_race(h);
    feed(h, script_overtake(&h->s, "55"));
    run_until(h, h->now + 5000);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_PICKED_GAINS);
    assert_contains(last_line(h)->text, "Sainz");
    assert_contains(last_line(h)->text, "Alonso");
    assert_contains(last_line(h)->text, "P8");
    feed(h, script_overtake(&h->s, "14")); /* Alonso takes it back */
    run_until(h, h->now + 5000);
    assert_int_equal(h->n_lines, 3);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_PICKED_LOSES);
    assert_int_equal(last_line(h)->kind, PW_COMMENT_WARNING);
    assert_contains(last_line(h)->text, "Sainz");
    free(h);
}

static void test_pit_stops_of_leaders_and_picked(void **st)
{
    (void)st;
    struct harness *h = harness_new("23", NULL); /* Albon, P10 */
    start_race(h);
    h->s.state.lap = 20;
    feed(h, script_car_event(&h->s, PW_EV_PIT_IN, "1"));
    script_move(&h->s, "1", 3);
    struct pw_event *ev = script_car_event(&h->s, PW_EV_PIT_OUT, "1");
    ev->tyre = PW_TYRE_HARD;
    feed(h, ev);
    run_until(h, h->now + 5000);
    /* the lead line (Piastri) goes first, the stop after it */
    run_until(h, h->now + 5000);
    int pit = -1;
    for (int i = 0; i < h->n_lines; i++)
        if (h->lines[i].cand.fact == CM_FACT_PIT)
            pit = i;
    assert_true(pit >= 0);
    assert_contains(h->lines[pit].text, "Norris");
    assert_int_equal(h->lines[pit].cand.who[0].from_pos, 1);
    assert_int_equal(h->lines[pit].cand.who[0].tyre, PW_TYRE_HARD);
    int before = h->n_lines;
    /* a midfield stop is not news... */
    feed(h, script_car_event(&h->s, PW_EV_PIT_IN, "44"));
    ev = script_car_event(&h->s, PW_EV_PIT_OUT, "44");
    ev->tyre = PW_TYRE_SOFT;
    feed(h, ev);
    run_until(h, h->now + 10000);
    assert_int_equal(h->n_lines, before);
    /* ...but the picked driver's is */
    feed(h, script_car_event(&h->s, PW_EV_PIT_IN, "23"));
    ev = script_car_event(&h->s, PW_EV_PIT_OUT, "23");
    ev->tyre = PW_TYRE_SOFT;
    feed(h, ev);
    run_until(h, h->now + 10000);
    assert_int_equal(h->n_lines, before + 1);
    assert_contains(last_line(h)->text, "Albon");
    free(h);
}

static void test_pit_line_names_tyre(void **st)
{
    (void)st;
    /* over many races, every phrasing of a stop that names a tyre names the right one */
    int with_tyre = 0;
    for (int r = 0; r < 20; r++) {
        char id[16];
        snprintf(id, sizeof id, "r%d", r);
        struct harness *h = harness_new("", NULL);
        cm_race_init(&h->race, id, &default_pacing);
        h->s.state.started = true;
        feed(h, script_event(&h->s, PW_EV_POSITIONS));
        feed(h, script_car_event(&h->s, PW_EV_PIT_IN, "3"));
        struct pw_event *ev = script_car_event(&h->s, PW_EV_PIT_OUT, "3");
        ev->tyre = PW_TYRE_HARD;
        feed(h, ev);
        run_until(h, h->now + 5000);
        assert_int_equal(h->n_lines, 1);
        assert_contains(last_line(h)->text, "Verstappen");
        if (strstr(last_line(h)->text, "hards"))
            with_tyre++;
        assert_null(strstr(last_line(h)->text, "softs"));
        free(h);
    }
    assert_true(with_tyre > 5);
}

static void test_track_status_and_restart(void **st)
{
    (void)st;
    struct harness *h = harness_new("", NULL);
    start_race(h);
    struct pw_event *ev = script_event(&h->s, PW_EV_TRACK_STATUS);
    ev->track = PW_TRACK_SC;
    h->s.state.track = PW_TRACK_SC;
    feed(h, ev);
    run_until(h, h->now + 5000);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_SAFETY_CAR);
    assert_int_equal(last_line(h)->kind, PW_COMMENT_WARNING);
    ev = script_event(&h->s, PW_EV_TRACK_STATUS);
    ev->track = PW_TRACK_GREEN;
    feed(h, ev);
    run_until(h, h->now + 5000);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_RESTART);
    assert_int_equal(last_line(h)->cand.prev_track, PW_TRACK_SC);
    const enum pw_track_status seq[] = {PW_TRACK_VSC,  PW_TRACK_VSC_ENDING, PW_TRACK_GREEN,
                                        PW_TRACK_RED,  PW_TRACK_GREEN,      PW_TRACK_YELLOW,
                                        PW_TRACK_GREEN};
    const int expect[] = {CM_FACT_VSC, -1, CM_FACT_RESTART, CM_FACT_RED_FLAG, CM_FACT_RESTART,
                          -1,          -1};
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        int before = h->n_lines;
        ev = script_event(&h->s, PW_EV_TRACK_STATUS);
        ev->track = seq[i];
        feed(h, ev);
        run_until(h, h->now + 5000);
        if (expect[i] < 0) {
            assert_int_equal(h->n_lines, before);
        } else {
            assert_int_equal(h->n_lines, before + 1);
            assert_int_equal(last_line(h)->cand.fact, expect[i]);
        }
    }
    free(h);
}

/* Rain starting is said once, as a warning; a state without weather says nothing. */
static void test_rain_line(void **st)
{
    (void)st;
    struct harness *h = harness_new("", NULL);
    start_race(h);
    int before = h->n_lines;
    h->s.state.raining = true; /* no weather known: a replay's state */
    feed(h, script_event(&h->s, PW_EV_RACE_CONTROL));
    run_until(h, h->now + 5000);
    assert_int_equal(h->n_lines, before);
    h->s.state.raining = false;
    h->s.state.weather_known = true;
    h->s.state.rain_chance = 70;
    feed(h, script_event(&h->s, PW_EV_RACE_CONTROL));
    h->s.state.raining = true;
    struct pw_event *ev = script_event(&h->s, PW_EV_RACE_CONTROL);
    snprintf(ev->text, sizeof ev->text, "TRACK SURFACE SLIPPERY IN TRACK SECTOR 4");
    feed(h, ev);
    run_until(h, h->now + 5000);
    assert_int_equal(h->n_lines, before + 1);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_RAIN);
    assert_int_equal(last_line(h)->kind, PW_COMMENT_WARNING);
    feed(h, script_event(&h->s, PW_EV_RACE_CONTROL));
    run_until(h, h->now + 5000);
    assert_int_equal(h->n_lines, before + 1);
    free(h);
}

/* A retirement whose cause is a fault (the simulator's engine failures, shown in the
 * telemetry first) is told as one; a retirement with no cause given never claims one. */
static void test_retirement_by_engine_failure(void **st)
{
    (void)st;
    struct harness *h = harness_new("", NULL);
    start_race(h);
    static const char *const cars[] = {"63", "44", "12", "14", "23", "16"};
    for (int i = 0; i < 6; i++) {
        bool engine = i % 2 == 0;
        assert_true(script_index(&h->s, cars[i]) >= 0);
        h->s.state.cars[script_index(&h->s, cars[i])].retired = true;
        struct pw_event *ev = script_car_event(&h->s, PW_EV_RETIREMENT, cars[i]);
        if (engine)
            snprintf(ev->text, sizeof ev->text, "%s", PW_RETIRE_ENGINE_FAILURE);
        int before = h->n_lines;
        feed(h, ev);
        run_until(h, h->now + 6000);
        assert_int_equal(h->n_lines, before + 1);
        assert_int_equal(last_line(h)->cand.fact, CM_FACT_RETIREMENT);
        assert_int_equal(last_line(h)->cand.engine_failure, engine);
        if (engine)
            assert_true(strstr(last_line(h)->text, "ngine") != NULL);
        else
            assert_null(strstr(last_line(h)->text, "ngine"));
    }
    free(h);
}

static void test_retirement_and_fastest_lap(void **st)
{
    (void)st;
    struct harness *h = harness_new("", NULL);
    start_race(h);
    h->s.state.cars[5].retired = true;
    feed(h, script_car_event(&h->s, PW_EV_RETIREMENT, "63"));
    run_until(h, h->now + 5000);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_RETIREMENT);
    assert_int_equal(last_line(h)->kind, PW_COMMENT_WARNING);
    assert_contains(last_line(h)->text, "Russell");
    struct pw_event *ev = script_car_event(&h->s, PW_EV_FASTEST_LAP, "16");
    ev->lap_ms = 81234;
    feed(h, ev);
    run_until(h, h->now + 5000);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_FASTEST_LAP);
    assert_contains(last_line(h)->text, "Leclerc");
    assert_contains(last_line(h)->text, "1:21.234");
    free(h);
}

static void test_final_lap_chequered_podium(void **st)
{
    (void)st;
    struct harness *h = harness_new("55", NULL);
    start_race(h);
    h->s.state.lap = 53;
    h->s.state.cars[1].interval_ms = 1500;
    feed(h, script_event(&h->s, PW_EV_FINAL_LAP));
    run_until(h, h->now + 5000);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_FINAL_LAP);
    assert_contains(last_line(h)->text, "Norris");
    h->s.state.finished = true;
    feed(h, script_car_event(&h->s, PW_EV_CHEQUERED, "1"));
    feed(h, script_event(&h->s, PW_EV_CLASSIFICATION));
    assert_true(h->race.ended);
    run_until(h, h->now + 20000);
    assert_int_equal(h->n_lines, 4);
    assert_int_equal(h->lines[2].cand.fact, CM_FACT_CHEQUERED);
    assert_contains(h->lines[2].text, "Norris");
    assert_int_equal(h->lines[3].cand.fact, CM_FACT_PODIUM);
    assert_contains(h->lines[3].text, "Norris");
    assert_contains(h->lines[3].text, "Piastri");
    assert_contains(h->lines[3].text, "Verstappen");
    assert_contains(h->lines[3].text, "Sainz"); /* the picked driver, P9 */
    assert_contains(h->lines[3].text, "P9");
    assert_int_equal(cm_race_due(&h->race, h->now), -1);
    free(h);
}

/* Race control's penalty notes, in the live-timing feed's words (the simulator's and a real
 * session's alike: none of these events names its car but in the text), each make one line
 * naming the car and what the stewards did; other notes make none. */
static void test_stewards_lines(void **st)
{
    (void)st;
    static const struct {
        const char *text;
        int fact; /* -1: no line */
        int seconds;
        const char *says;
        enum pw_commentary_kind kind;
    } notes[] = {
        {"FIA STEWARDS: 10 SECOND TIME PENALTY FOR CAR 44 (HAM) - CAUSING A COLLISION",
         CM_FACT_PENALTY, 10, "10-second", PW_COMMENT_WARNING},
        {"FIA STEWARDS: 5 SECOND TIME PENALTY FOR CAR 81 (PIA) - TRACK LIMITS", CM_FACT_PENALTY,
         5, "5-second", PW_COMMENT_WARNING},
        {"FIA STEWARDS: DRIVE THROUGH PENALTY FOR CAR 55 (SAI) - IGNORING BLUE FLAGS",
         CM_FACT_DRIVE_THROUGH, 0, "rive-through", PW_COMMENT_WARNING},
        {"BLACK AND WHITE FLAG FOR CAR 81 (PIA) - TRACK LIMITS", CM_FACT_BLACK_WHITE, 0,
         "track limits", PW_COMMENT_INFO},
        {"FIA STEWARDS: PENALTY SERVED - 5 SECOND TIME PENALTY FOR CAR 81 (PIA)",
         CM_FACT_PENALTY_SERVED, 5, "5", PW_COMMENT_INFO},
        {"FIA STEWARDS: PENALTY SERVED - DRIVE THROUGH PENALTY FOR CAR 55 (SAI)",
         CM_FACT_PENALTY_SERVED, 0, "rive-through", PW_COMMENT_INFO},
        {"CAR 44 (HAM) 10 SECONDS ADDED TO RACE TIME", CM_FACT_PENALTY_ADDED, 10, "10 seconds",
         PW_COMMENT_WARNING},
        {"INCIDENT INVOLVING CAR 44 (HAM) NOTED - CAUSING A COLLISION", -1, 0, NULL, 0},
        {"CAR 81 (PIA) TIME 1:43.395 DELETED - TRACK LIMITS AT TURN 11 LAP 7", -1, 0, NULL, 0},
        {"FIA STEWARDS: PIT LANE INCIDENT INVOLVING CARS 1 (VER) AND 12 (ANT) UNDER "
         "INVESTIGATION - UNSAFE RELEASE",
         -1, 0, NULL, 0},
        {"CAR 44 (HAM) 10 SECONDS ADDED TO RACE TIME - LATER", -1, 0, NULL, 0},
        {"FIA STEWARDS: 0 SECOND TIME PENALTY FOR CAR 44 (HAM)", -1, 0, NULL, 0},
        {"FIA STEWARDS: 5 SECOND TIME PENALTY FOR CAR (HAM)", -1, 0, NULL, 0},
    };
    struct harness *h = harness_new("", NULL);
    start_race(h);
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
        struct pw_event *ev = script_event(&h->s, PW_EV_RACE_CONTROL);
        snprintf(ev->text, sizeof ev->text, "%s", notes[i].text);
        int before = h->n_lines;
        feed(h, ev);
        run_until(h, h->now + 6000);
        if (notes[i].fact < 0) {
            assert_int_equal(h->n_lines, before);
            continue;
        }
        assert_int_equal(h->n_lines, before + 1);
        const struct cm_line *l = last_line(h);
        assert_int_equal(l->cand.fact, notes[i].fact);
        assert_int_equal(l->cand.penalty_s, notes[i].seconds);
        assert_int_equal(l->kind, notes[i].kind);
        assert_int_equal(l->cand.n_who, 1);
        const char *tla = strchr(notes[i].text, '(') + 1;
        const char *name = strncmp(tla, "HAM", 3) == 0   ? "Hamilton"
                           : strncmp(tla, "PIA", 3) == 0 ? "Piastri"
                                                         : "Sainz";
        assert_contains(l->text, name);
        assert_contains(l->text, notes[i].says);
    }
    free(h);
}

/* Reading a note: the car, the seconds and the reason as the note gives them; a reason the
 * lines cannot say, a missing TLA, an overlong number and empty text. */
static void test_stewards_note_reading(void **st)
{
    (void)st;
    struct cm_steward_note n;
    assert_int_equal(
        cm_stewards_read("FIA STEWARDS: 5 SECOND TIME PENALTY FOR CAR 1 (VER) - UNSAFE RELEASE", &n),
        0);
    assert_int_equal(n.fact, CM_FACT_PENALTY);
    assert_string_equal(n.number, "1");
    assert_int_equal(n.seconds, 5);
    assert_int_equal(n.reason, CM_REASON_UNSAFE_RELEASE);
    /* a reason the lines do not know is none, not a guess */
    assert_int_equal(cm_stewards_read("FIA STEWARDS: 10 SECOND TIME PENALTY FOR CAR 23 (ALB) - "
                                      "SAFETY CAR PROCEDURE INFRINGEMENT",
                                      &n),
                     0);
    assert_int_equal(n.reason, CM_REASON_NONE);
    assert_int_equal(n.seconds, 10);
    /* no TLA, and a number too long for a racing number */
    assert_int_equal(cm_stewards_read("BLACK AND WHITE FLAG FOR CAR 7", &n), 0);
    assert_string_equal(n.number, "7");
    assert_int_equal(cm_stewards_read("BLACK AND WHITE FLAG FOR CAR 12345 (XYZ)", &n), -EINVAL);
    assert_int_equal(cm_stewards_read("FIA STEWARDS: 1000 SECOND TIME PENALTY FOR CAR 4", &n),
                     -EINVAL);
    assert_int_equal(cm_stewards_read(NULL, &n), -EINVAL);
    assert_int_equal(cm_stewards_read("", &n), -EINVAL);
}

/* Time added at the flag to the picked driver (or a car on the podium) is said after the
 * chequered flag and before the podium line; to another car it waits behind the podium,
 * which ends the talk about the race. */
static void test_penalty_added_before_podium(void **st)
{
    (void)st;
    struct harness *h = harness_new("44", NULL);
    start_race(h);
    h->s.state.lap = 53;
    h->s.state.finished = true;
    feed(h, script_car_event(&h->s, PW_EV_CHEQUERED, "1"));
    struct pw_event *ev = script_event(&h->s, PW_EV_RACE_CONTROL);
    snprintf(ev->text, sizeof ev->text, "CAR 44 (HAM) 5 SECONDS ADDED TO RACE TIME");
    feed(h, ev);
    feed(h, script_event(&h->s, PW_EV_CLASSIFICATION));
    run_until(h, h->now + 30000);
    assert_int_equal(h->n_lines, 4);
    assert_int_equal(h->lines[1].cand.fact, CM_FACT_CHEQUERED);
    assert_int_equal(h->lines[2].cand.fact, CM_FACT_PENALTY_ADDED);
    assert_contains(h->lines[2].text, "Hamilton");
    assert_int_equal(h->lines[2].cand.who[0].pos, 0); /* its place before the time: no fact */
    assert_int_equal(h->lines[3].cand.fact, CM_FACT_PODIUM);
    free(h);

    h = harness_new("16", NULL);
    start_race(h);
    h->s.state.lap = 53;
    h->s.state.finished = true;
    feed(h, script_car_event(&h->s, PW_EV_CHEQUERED, "1"));
    ev = script_event(&h->s, PW_EV_RACE_CONTROL);
    snprintf(ev->text, sizeof ev->text, "CAR 44 (HAM) 5 SECONDS ADDED TO RACE TIME");
    feed(h, ev);
    feed(h, script_event(&h->s, PW_EV_CLASSIFICATION));
    run_until(h, h->now + 30000);
    /* time added to a midfield car changes the result too: said after the podium */
    assert_int_equal(h->n_lines, 4);
    assert_int_equal(h->lines[1].cand.fact, CM_FACT_CHEQUERED);
    assert_int_equal(h->lines[2].cand.fact, CM_FACT_PODIUM);
    assert_int_equal(h->lines[3].cand.fact, CM_FACT_PENALTY_ADDED);
    assert_contains(h->lines[3].text, "Hamilton");
    free(h);
}

/* The stream of a race ends hub.end_grace_ms (5 s) after its classification when the engine
 * has said everything by then (later, it waits for the engine's done marker). */
#define STREAM_END_GRACE_MS 5000

static void add_time(struct harness *h, const char *note)
{
    struct pw_event *ev = script_event(&h->s, PW_EV_RACE_CONTROL);
    snprintf(ev->text, sizeof ev->text, "%s", note);
    feed(h, ev);
}

/* With the engine's own pacing, a race that ends with time added to a podium car, the picked
 * driver and two midfield cars: the chequered flag, every time added and the podium are all
 * said before the stream's end, the podium after the time that can change it and before the
 * midfield's. */
static void test_race_end_said_within_the_grace(void **st)
{
    (void)st;
    struct commentary_config cfg;
    commentary_config_defaults(&cfg);
    const struct cm_pacer_config pc = {.min_interval_ms = cfg.min_interval_ms,
                                       .end_interval_ms = cfg.end_interval_ms,
                                       .stale_ms = cfg.stale_ms,
                                       .merge_window_ms = cfg.merge_window_ms};
    struct harness *h = harness_new("55", &pc);
    start_race(h);
    h->s.state.lap = 53;
    feed(h, script_event(&h->s, PW_EV_FINAL_LAP));
    run_until(h, h->now + 3000); /* a line 3 s before the flag */
    int before_flag = h->n_lines;
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_FINAL_LAP);
    h->s.state.finished = true;
    feed(h, script_car_event(&h->s, PW_EV_CHEQUERED, "1"));
    run_until(h, h->now + 1500); /* the others cross the line */
    add_time(h, "CAR 3 (VER) 5 SECONDS ADDED TO RACE TIME");
    add_time(h, "CAR 44 (HAM) 5 SECONDS ADDED TO RACE TIME");
    add_time(h, "CAR 55 (SAI) 10 SECONDS ADDED TO RACE TIME");
    add_time(h, "CAR 14 (ALO) 5 SECONDS ADDED TO RACE TIME");
    feed(h, script_event(&h->s, PW_EV_CLASSIFICATION));
    int64_t stream_end = h->now + STREAM_END_GRACE_MS;
    run_until(h, stream_end - 1);
    assert_int_equal(cm_race_due(&h->race, h->now), -1); /* nothing left to say */
    assert_int_equal(h->n_lines - before_flag, 6);
    const struct {
        enum cm_fact fact;
        const char *name;
    } want[] = {{CM_FACT_CHEQUERED, "Norris"},         {CM_FACT_PENALTY_ADDED, "Verstappen"},
                {CM_FACT_PENALTY_ADDED, "Sainz"},      {CM_FACT_PODIUM, "Piastri"},
                {CM_FACT_PENALTY_ADDED, "Hamilton"},   {CM_FACT_PENALTY_ADDED, "Alonso"}};
    for (int i = 0; i < 6; i++) {
        const struct cm_line *l = &h->lines[before_flag + i];
        assert_int_equal(l->cand.fact, want[i].fact);
        assert_contains(l->text, want[i].name);
        assert_true(h->sent_at[before_flag + i] < stream_end);
        if (i > 0)
            assert_true(h->sent_at[before_flag + i] - h->sent_at[before_flag + i - 1] >=
                        cfg.end_interval_ms);
    }
    assert_int_equal(h->race.pacer.count.dropped_stale, 0);
    free(h);
}

/* First across the line owing time or a drive-through: no win is said before the time is
 * added; without a penalty owed the line says the win. */
static void test_chequered_with_penalty_owed(void **st)
{
    (void)st;
    for (int owed = 0; owed < 3; owed++) {
        for (int k = 0; k < 4; k++) {
            char race_id[32];
            snprintf(race_id, sizeof race_id, "race-%d", k); /* another template draw */
            struct harness *h = harness_new("16", NULL);
            cm_race_init(&h->race, race_id, &default_pacing);
            start_race(h);
            h->s.state.cars[0].penalty_s = owed == 1 ? 5 : 0;
            h->s.state.cars[0].drive_through = owed == 2;
            h->s.state.finished = true;
            feed(h, script_car_event(&h->s, PW_EV_CHEQUERED, "1"));
            run_until(h, h->now + 5000);
            const struct cm_line *l = last_line(h);
            assert_int_equal(l->cand.fact, CM_FACT_CHEQUERED);
            assert_int_equal(l->cand.penalty_owed, owed != 0);
            assert_contains(l->text, "Norris");
            bool says_win = strstr(l->text, "win") || strstr(l->text, "Victory");
            assert_int_equal(says_win, owed == 0);
            if (owed)
                assert_contains(l->text, "penalty");
            free(h);
        }
    }
}

/* Damage as the state shows it: each new damage said once with its car, the stop that
 * repairs a puncture or a wing says so with the tyre fitted, the floor is never repaired,
 * a puncture retirement names its cause; a source that knows no damage says nothing. */
static void test_damage_lines(void **st)
{
    (void)st;
    struct harness *h = harness_new("", NULL);
    start_race(h);
    int before = h->n_lines;
    struct pw_car *ham = &h->s.state.cars[script_index(&h->s, "44")];
    ham->damage = PW_DAMAGE_PUNCTURE; /* damage_known false: a replay's state */
    feed(h, script_event(&h->s, PW_EV_POSITIONS));
    run_until(h, h->now + 6000);
    assert_int_equal(h->n_lines, before);

    h->s.state.damage_known = true;
    ham->damage = PW_DAMAGE_NONE;
    feed(h, script_event(&h->s, PW_EV_POSITIONS));
    ham->damage = PW_DAMAGE_PUNCTURE;
    feed(h, script_event(&h->s, PW_EV_POSITIONS));
    feed(h, script_event(&h->s, PW_EV_POSITIONS)); /* still punctured: said once */
    run_until(h, h->now + 10000);
    assert_int_equal(h->n_lines, before + 1);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_PUNCTURE);
    assert_int_equal(last_line(h)->kind, PW_COMMENT_WARNING);
    assert_contains(last_line(h)->text, "Hamilton");
    assert_contains(last_line(h)->text, "puncture");

    /* Hamilton is no leader and not the viewer's driver: the stop is said for the puncture */
    feed(h, script_car_event(&h->s, PW_EV_PIT_IN, "44"));
    ham->damage = PW_DAMAGE_NONE;
    struct pw_event *ev = script_car_event(&h->s, PW_EV_PIT_OUT, "44");
    ev->tyre = PW_TYRE_HARD;
    feed(h, ev);
    run_until(h, h->now + 6000);
    assert_int_equal(h->n_lines, before + 2);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_REPAIR_STOP);
    assert_int_equal(last_line(h)->cand.damage, PW_DAMAGE_PUNCTURE);
    assert_contains(last_line(h)->text, "puncture");
    assert_null(strstr(last_line(h)->text, "nose"));

    struct pw_car *alo = &h->s.state.cars[script_index(&h->s, "14")];
    alo->damage = PW_DAMAGE_FRONT_WING;
    feed(h, script_event(&h->s, PW_EV_POSITIONS));
    run_until(h, h->now + 6000);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_WING_DAMAGE);
    assert_contains(last_line(h)->text, "Alonso");
    assert_contains(last_line(h)->text, "wing");
    feed(h, script_car_event(&h->s, PW_EV_PIT_IN, "14"));
    alo->damage = PW_DAMAGE_NONE;
    ev = script_car_event(&h->s, PW_EV_PIT_OUT, "14");
    ev->tyre = PW_TYRE_MEDIUM;
    feed(h, ev);
    run_until(h, h->now + 6000);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_REPAIR_STOP);
    assert_int_equal(last_line(h)->cand.damage, PW_DAMAGE_FRONT_WING);
    assert_true(strstr(last_line(h)->text, "nose") || strstr(last_line(h)->text, "wing"));
    assert_null(strstr(last_line(h)->text, "puncture"));
    int lines = h->n_lines;

    /* an ordinary stop of the same midfield car is no news */
    feed(h, script_car_event(&h->s, PW_EV_PIT_IN, "14"));
    feed(h, script_car_event(&h->s, PW_EV_PIT_OUT, "14"));
    run_until(h, h->now + 6000);
    assert_int_equal(h->n_lines, lines);

    struct pw_car *ant = &h->s.state.cars[script_index(&h->s, "12")];
    ant->damage = PW_DAMAGE_FLOOR;
    feed(h, script_event(&h->s, PW_EV_POSITIONS));
    run_until(h, h->now + 6000);
    assert_int_equal(h->n_lines, lines + 1);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_FLOOR_DAMAGE);
    assert_contains(last_line(h)->text, "Antonelli");
    assert_contains(last_line(h)->text, "floor");

    ham->retired = true;
    ev = script_car_event(&h->s, PW_EV_RETIREMENT, "44");
    snprintf(ev->text, sizeof ev->text, "%s", PW_RETIRE_PUNCTURE);
    feed(h, ev);
    run_until(h, h->now + 6000);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_RETIREMENT);
    assert_contains(last_line(h)->text, "puncture");
    assert_null(strstr(last_line(h)->text, "ngine"));
    free(h);
}

static void test_burst_of_pit_stops_merged(void **st)
{
    (void)st;
    struct harness *h = harness_new("", NULL);
    start_race(h);
    h->now += 10000;
    /* both McLarens stop within half a second */
    feed(h, script_car_event(&h->s, PW_EV_PIT_IN, "1"));
    feed(h, script_car_event(&h->s, PW_EV_PIT_IN, "81"));
    struct pw_event *ev = script_car_event(&h->s, PW_EV_PIT_OUT, "1");
    ev->tyre = PW_TYRE_HARD;
    feed(h, ev);
    h->now += 500;
    ev = script_car_event(&h->s, PW_EV_PIT_OUT, "81");
    ev->tyre = PW_TYRE_HARD;
    feed(h, ev);
    run_until(h, h->now + 5000);
    assert_int_equal(h->n_lines, 2);
    assert_int_equal(last_line(h)->cand.fact, CM_FACT_PIT_MULTI);
    assert_contains(last_line(h)->text, "Norris and Piastri");
    assert_int_equal(h->race.pacer.count.merged, 1);
    /* the merge waited for the window, not longer */
    assert_true(h->sent_at[1] - (h->now - 5000 - 500) <= 1000 + 500);
    free(h);
}

static void test_stale_candidates_dropped(void **st)
{
    (void)st;
    struct harness *h = harness_new("", NULL);
    start_race(h);
    h->now += 10000;
    /* a burst of ten separate facts at once: at 4 s a line, 8 s staleness, only the first
     * few can be said; the rest must go, counted, and the finish must still be said */
    for (int i = 0; i < 4; i++)
        feed(h, script_overtake(&h->s, h->s.state.cars[i == 0 ? 1 : 2].driver.number));
    struct pw_event *ev = script_car_event(&h->s, PW_EV_RETIREMENT, "23");
    feed(h, ev);
    ev = script_car_event(&h->s, PW_EV_FASTEST_LAP, "44");
    ev->lap_ms = 80000;
    feed(h, ev);
    ev = script_event(&h->s, PW_EV_TRACK_STATUS);
    ev->track = PW_TRACK_VSC;
    feed(h, ev);
    feed(h, script_event(&h->s, PW_EV_FINAL_LAP));
    feed(h, script_car_event(&h->s, PW_EV_CHEQUERED, h->s.state.cars[0].driver.number));
    feed(h, script_event(&h->s, PW_EV_CLASSIFICATION));
    int64_t burst = h->now;
    run_until(h, h->now + 60000);
    assert_true(h->race.pacer.count.dropped_stale > 0);
    bool chequered = false, podium = false;
    for (int i = 1; i < h->n_lines; i++) {
        enum cm_fact f = h->lines[i].cand.fact;
        chequered = chequered || f == CM_FACT_CHEQUERED;
        podium = podium || f == CM_FACT_PODIUM;
        if (f != CM_FACT_CHEQUERED && f != CM_FACT_PODIUM)
            assert_true(h->sent_at[i] - burst <= 8000);
        if (i > 1)
            assert_true(h->sent_at[i] - h->sent_at[i - 1] >= 4000);
    }
    assert_true(chequered && podium);
    /* most important first */
    assert_int_equal(h->lines[1].cand.fact, CM_FACT_CHEQUERED);
    free(h);
}

static void test_min_interval_configurable(void **st)
{
    (void)st;
    const struct cm_pacer_config pc = {
        .min_interval_ms = 1500, .stale_ms = 60000, .merge_window_ms = 0};
    struct harness *h = harness_new("", &pc);
    start_race(h);
    for (int i = 0; i < 6; i++) {
        feed(h, script_overtake(&h->s, h->s.state.cars[2].driver.number));
        h->now += 100;
    }
    run_until(h, h->now + 60000);
    assert_int_equal(h->n_lines, 7);
    for (int i = 2; i < h->n_lines; i++)
        assert_int_equal(h->sent_at[i] - h->sent_at[i - 1], 1500);
    free(h);
}

static void test_lead_chooses_before_the_slot(void **st)
{
    (void)st;
    const struct cm_pacer_config pc = {
        .min_interval_ms = 4000, .stale_ms = 8000, .merge_window_ms = 0, .lead_ms = 3000};
    struct harness *h = harness_new("", &pc);
    assert_true(cm_race_slot_at(&h->race) < 0); /* nothing said yet: open */
    start_race(h);
    assert_int_equal(h->n_lines, 1);
    int64_t first = h->sent_at[0];
    assert_int_equal(cm_race_slot_at(&h->race), first + 4000);
    h->now = first + 10;
    feed(h, script_overtake(&h->s, "16"));
    struct cm_line line;
    /* chosen 3 s ahead of the slot, i.e. 1 s after the last line, not before */
    assert_int_equal(cm_race_due(&h->race, first + 10), first + 1000);
    assert_int_equal(cm_race_next(&h->race, first + 999, &line), 0);
    assert_int_equal(cm_race_next(&h->race, first + 1000, &line), 1);
    assert_int_equal(line.cand.fact, CM_FACT_PODIUM_PASS);
    free(h);
}

static void test_no_template_twice_in_a_row_and_length(void **st)
{
    (void)st;
    struct harness *h = harness_new("12", NULL);
    /* very long grid names push templates over the limit */
    snprintf(h->s.state.cars[2].driver.name, PW_NAME_MAX, "Maximilian Emilian Verstappenhausen");
    snprintf(h->s.state.cars[3].driver.name, PW_NAME_MAX,
             "Charles Marc Hervé Perceval Leclerc-Montecarlo");
    start_race(h);
    for (int i = 0; i < 300; i++) {
        switch (i % 5) {
        case 0:
        case 1:
            feed(h, script_overtake(&h->s, h->s.state.cars[1 + i % 3].driver.number));
            break;
        case 2: {
            const char *car = h->s.state.cars[i % 3].driver.number;
            feed(h, script_car_event(&h->s, PW_EV_PIT_IN, car));
            struct pw_event *ev = script_car_event(&h->s, PW_EV_PIT_OUT, car);
            ev->tyre = (enum pw_tyre)(1 + i % 3);
            feed(h, ev);
            break;
        }
        case 3: {
            struct pw_event *ev =
                script_car_event(&h->s, PW_EV_FASTEST_LAP, h->s.state.cars[i % 4].driver.number);
            ev->lap_ms = 90000 - i;
            feed(h, ev);
            break;
        }
        default:
            feed(h, script_overtake(&h->s, script_index(&h->s, "12") > 0
                                               ? "12"
                                               : h->s.state.cars[1].driver.number));
            break;
        }
        run_until(h, h->now + 2500);
    }
    assert_true(h->n_lines > 100);
    for (int i = 0; i < h->n_lines; i++) {
        int chars = cm_phrase_utf8_chars(h->lines[i].text);
        assert_true(chars > 0 && chars <= CM_LINE_MAX_CHARS);
        if (i > 0 && h->lines[i].template_id == h->lines[i - 1].template_id)
            fail_msg("template %d twice in a row: \"%s\" / \"%s\"", h->lines[i].template_id,
                     h->lines[i - 1].text, h->lines[i].text);
    }
    free(h);
}

static void test_every_fact_has_two_templates(void **st)
{
    (void)st;
    int per_fact[CM_FACT_COUNT] = {0};
    for (int i = 0; i < cm_phrase_template_count(); i++)
        per_fact[cm_phrase_template_fact(i)]++;
    for (int f = 0; f < CM_FACT_COUNT; f++)
        assert_true(per_fact[f] >= 3);
}

static void test_hostile_names_sanitized(void **st)
{
    (void)st;
    char out[32];
    cm_rules_short_name("Lando Norris", out, sizeof out);
    assert_string_equal(out, "Norris");
    cm_rules_short_name("Nyck de Vries", out, sizeof out);
    assert_string_equal(out, "de Vries");
    cm_rules_short_name("Andrea Kimi Antonelli", out, sizeof out);
    assert_string_equal(out, "Antonelli");
    cm_rules_short_name("  Giedo van der Garde ", out, sizeof out);
    assert_string_equal(out, "van der Garde");
    cm_rules_short_name("Zhou", out, sizeof out);
    assert_string_equal(out, "Zhou");
    cm_rules_short_name("Bad \x01\xff\xc3Name\n", out, sizeof out);
    assert_string_equal(out, "??\?Name?");
    cm_rules_short_name("", out, sizeof out);
    assert_string_equal(out, "");
    cm_rules_short_name("Sergio Pérez", out, sizeof out);
    assert_string_equal(out, "Pérez");
    /* cut at a character boundary */
    cm_rules_short_name("A ééééé", out, 6);
    assert_string_equal(out, "éé");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lights_out),
        cmocka_unit_test(test_rain_line),
        cmocka_unit_test(test_lead_change_by_overtake),
        cmocka_unit_test(test_lead_change_without_overtake),
        cmocka_unit_test(test_podium_and_midfield_overtakes),
        cmocka_unit_test(test_team_orders_swap),
        cmocka_unit_test(test_team_orders_lines),
        cmocka_unit_test(test_picked_driver_moves),
        cmocka_unit_test(test_pit_stops_of_leaders_and_picked),
        cmocka_unit_test(test_pit_line_names_tyre),
        cmocka_unit_test(test_track_status_and_restart),
        cmocka_unit_test(test_retirement_and_fastest_lap),
        cmocka_unit_test(test_retirement_by_engine_failure),
        cmocka_unit_test(test_final_lap_chequered_podium),
        cmocka_unit_test(test_stewards_lines),
        cmocka_unit_test(test_stewards_note_reading),
        cmocka_unit_test(test_penalty_added_before_podium),
        cmocka_unit_test(test_race_end_said_within_the_grace),
        cmocka_unit_test(test_chequered_with_penalty_owed),
        cmocka_unit_test(test_damage_lines),
        cmocka_unit_test(test_burst_of_pit_stops_merged),
        cmocka_unit_test(test_stale_candidates_dropped),
        cmocka_unit_test(test_min_interval_configurable),
        cmocka_unit_test(test_lead_chooses_before_the_slot),
        cmocka_unit_test(test_no_template_twice_in_a_row_and_length),
        cmocka_unit_test(test_every_fact_has_two_templates),
        cmocka_unit_test(test_hostile_names_sanitized),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
