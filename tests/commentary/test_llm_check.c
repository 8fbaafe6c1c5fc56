/* The checks a model's answer must pass before it goes on air, and the prompt it is given. */
#include "commentary/cm_phrase.h"
#include "commentary/llm_check.h"
#include "commentary/llm_facts.h"
#include "commentary/llm_prompt.h"
#include "race_script.h"

#include <stdio.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
    struct race_script s;
    struct llm_vocab vocab;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    script_init(&f->s, "race-1", "55", 10);
    snprintf(f->s.state.session, sizeof f->s.state.session, "Race");
    llm_vocab_build(&f->vocab, &f->s.state, &f->s.meta);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static enum llm_check_result check(void **state, const char *answer, char *out)
{
    struct fixture *f = *state;
    return llm_check_answer(answer, &f->vocab, NULL, 0, out, 256);
}

static void test_answer_must_be_about_the_event(void **state)
{
    struct fixture *f = *state;
    char out[256];
    const char *about[] = {"Piastri", "Norris"};
    assert_int_equal(llm_check_answer("Piastri is flying now!", &f->vocab, about, 2, out, 256),
                     LLM_CHECK_OK);
    assert_int_equal(llm_check_answer("What a drive from Norris.", &f->vocab, about, 2, out, 256),
                     LLM_CHECK_OK);
    /* in the race, but not who the event is about */
    assert_int_equal(
        llm_check_answer("Sainz is back in action today!", &f->vocab, about, 2, out, 256),
        LLM_CHECK_OFF_TOPIC);
    /* a whole word, not a part of one (here the made-up word is also taken for a name) */
    assert_int_not_equal(
        llm_check_answer("The Norrisfans are loud today!", &f->vocab, about, 2, out, 256),
        LLM_CHECK_OK);
}

static void test_good_answers_pass(void **state)
{
    char out[256];
    assert_int_equal(check(state, "Norris dives past Piastri into turn one!", out), LLM_CHECK_OK);
    assert_string_equal(out, "Norris dives past Piastri into turn one!");
    /* whitespace and one pair of enclosing quotes are trimmed */
    assert_int_equal(check(state, "  \"Leclerc takes the lead at Monza!\"\n", out), LLM_CHECK_OK);
    assert_string_equal(out, "Leclerc takes the lead at Monza!");
    assert_int_equal(check(state, "\xE2\x80\x9CMax Verstappen's Red Bull flies!\xE2\x80\x9D", out),
                     LLM_CHECK_OK);
    assert_string_equal(out, "Max Verstappen's Red Bull flies!");
    /* racing words and acronyms in capitals are not names */
    assert_int_equal(check(state, "Under the Safety Car, DRS is off and Russell waits.", out),
                     LLM_CHECK_OK);
    /* any word may open a sentence */
    assert_int_equal(check(state, "Brilliant! Stunning pace from Piastri.", out), LLM_CHECK_OK);
}

static void test_unknown_drivers_rejected(void **state)
{
    char out[256];
    /* a known driver who is not in this race, even opening the sentence */
    assert_int_equal(check(state, "Bottas storms through the field!", out), LLM_CHECK_UNKNOWN_NAME);
    assert_int_equal(check(state, "What a move from Senna on the outside", out),
                     LLM_CHECK_UNKNOWN_NAME);
    /* an unknown capitalised word inside a sentence is taken for a name */
    assert_int_equal(check(state, "Norris holds off Schmidtberger into the chicane", out),
                     LLM_CHECK_UNKNOWN_NAME);
}

static void test_form_rejected(void **state)
{
    char out[256];
    char longer[160];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    memcpy(longer, "Norris ", 7);
    assert_int_equal(check(state, longer, out), LLM_CHECK_TOO_LONG);
    assert_int_equal(check(state, "", out), LLM_CHECK_EMPTY);
    assert_int_equal(check(state, "  Go!  ", out), LLM_CHECK_EMPTY);
    assert_int_equal(check(state, "Norris leads.\nPiastri second.", out), LLM_CHECK_MULTILINE);
    assert_int_equal(check(state, "**Norris** leads the race", out), LLM_CHECK_MARKUP);
    assert_int_equal(check(state, "Norris leads the race #F1", out), LLM_CHECK_MARKUP);
    assert_int_equal(check(state, "Norris leads, see https://f1.example", out), LLM_CHECK_MARKUP);
    assert_int_equal(check(state, "Norris leads the race \xF0\x9F\x8F\x81", out),
                     LLM_CHECK_MARKUP); /* emoji */
    assert_int_equal(check(state, "Norris leads \xC3\x28 the race", out), LLM_CHECK_MARKUP);
    assert_int_equal(check(state, "Norris says \"what a race\" on the radio", out),
                     LLM_CHECK_QUOTES);
    /* exactly 100 characters passes, 101 does not */
    char edge[128];
    memset(edge, 'x', 100);
    memcpy(edge, "Norris ", 7);
    edge[100] = '\0';
    assert_int_equal(check(state, edge, out), LLM_CHECK_OK);
    edge[100] = 'x';
    edge[101] = '\0';
    assert_int_equal(check(state, edge, out), LLM_CHECK_TOO_LONG);
    /* characters, not bytes: 100 two-byte characters pass */
    char wide[256] = "";
    for (int i = 0; i < 100; i++)
        strcat(wide, "\xC3\xA9");
    assert_int_equal(check(state, wide, out), LLM_CHECK_OK);
}

/* A race at lap 12 of 53 whose next line, in *line, is about the event `scene` makes (fed
 * after the first positions); the caller frees the race. */
static struct cm_race *race_after(struct fixture *f, struct pw_event *(*scene)(struct race_script *),
                                  struct cm_line *line)
{
    struct cm_pacer_config pc = {.min_interval_ms = 4000, .stale_ms = 8000, .merge_window_ms = 1000};
    struct cm_race *race = calloc(1, sizeof *race);
    assert_non_null(race);
    cm_race_init(race, "race-1", &pc);
    f->s.state.started = true;
    f->s.state.lap = 12;
    cm_race_feed(race, script_event(&f->s, PW_EV_POSITIONS), 0);
    cm_race_feed(race, scene(&f->s), 0);
    assert_int_equal(cm_race_next(race, 0, line), 1);
    return race;
}

/* The facts the prompt gives for the line race_after says, and the line itself. */
static void facts_after(struct fixture *f, struct pw_event *(*scene)(struct race_script *),
                        struct llm_facts *facts, char *rules_line)
{
    struct cm_line line;
    struct cm_race *race = race_after(f, scene, &line);
    llm_prompt_facts(race, &line, facts);
    strcpy(rules_line, line.text);
    free(race);
}

/* Verstappen (P3) passes Piastri, then Norris for the lead. */
static struct pw_event *scene_lead(struct race_script *s)
{
    script_overtake(s, "3");
    return script_overtake(s, "3");
}

/* Leclerc sets the fastest lap, 1:21.646. */
static struct pw_event *scene_fastest(struct race_script *s)
{
    struct pw_event *ev = script_car_event(s, PW_EV_FASTEST_LAP, "16");
    ev->lap_ms = 81646;
    return ev;
}

/* Sainz (the viewer's driver, P9) climbs to P4, then passes Verstappen for P3. */
static struct pw_event *scene_podium_pass(struct race_script *s)
{
    script_move(s, "55", 4);
    return script_overtake(s, "55");
}

static struct pw_event *scene_classification(struct race_script *s)
{
    s->state.finished = true;
    return script_event(s, PW_EV_CLASSIFICATION);
}

/* The stewards give Hamilton (P5) 10 s for causing a collision: race control's note. */
static struct pw_event *scene_penalty(struct race_script *s)
{
    struct pw_event *ev = script_event(s, PW_EV_RACE_CONTROL);
    snprintf(ev->text, sizeof ev->text,
             "FIA STEWARDS: 10 SECOND TIME PENALTY FOR CAR 44 (HAM) - CAUSING A COLLISION");
    return ev;
}

/* 5 s added to Hamilton's race time at the flag. */
static struct pw_event *scene_penalty_added(struct race_script *s)
{
    struct pw_event *ev = script_event(s, PW_EV_RACE_CONTROL);
    snprintf(ev->text, sizeof ev->text, "CAR 44 (HAM) 5 SECONDS ADDED TO RACE TIME");
    return ev;
}

/* Hamilton (P5) has a slow puncture: the simulator's state shows it. */
static struct pw_event *scene_puncture(struct race_script *s)
{
    s->state.damage_known = true;
    s->state.cars[script_index(s, "44")].damage = PW_DAMAGE_PUNCTURE;
    return script_event(s, PW_EV_POSITIONS);
}

/* Leclerc (P4) lets his teammate Hamilton by on the team's orders. */
static struct pw_event *scene_team_orders(struct race_script *s)
{
    struct pw_event *ev = script_overtake(s, "44");
    snprintf(ev->text, sizeof ev->text, "%s", PW_OVERTAKE_TEAM_ORDERS);
    return ev;
}

/* The scenes the case file's fact sets come from (llm_facts_cases.json, read by this test
 * and by the Flink job's port of the check, tests/flink/test_fact_check.py). */
static const struct {
    const char *name;
    struct pw_event *(*scene)(struct race_script *);
} scenes[] = {{"lead", scene_lead},
              {"fastest", scene_fastest},
              {"podium_pass", scene_podium_pass},
              {"classification", scene_classification},
              {"penalty", scene_penalty},
              {"penalty_added", scene_penalty_added},
              {"puncture", scene_puncture},
              {"team_orders", scene_team_orders}};

static json_t *int_array(const int *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

static json_t *facts_to_json(const struct llm_facts *f)
{
    json_t *drivers = json_array(), *times = json_array();
    for (int i = 0; i < f->n; i++) {
        const struct llm_fact_driver *d = &f->d[i];
        json_array_append_new(drivers,
                              json_pack("{s:s, s:s, s:s, s:b, s:o, s:i}", "full", d->full, "name",
                                        d->name, "team", d->team, "given", d->given, "places",
                                        int_array(d->places, d->n_places), "now", d->now));
    }
    for (int i = 0; i < f->n_times; i++)
        json_array_append_new(times, json_integer(f->times_ms[i]));
    return json_pack("{s:i, s:i, s:o, s:i, s:o}", "lap", f->lap, "total_laps", f->total_laps,
                     "times_ms", times, "n_about", f->n_about, "drivers", drivers);
}

static void facts_from_json(const json_t *j, struct llm_facts *f)
{
    memset(f, 0, sizeof *f);
    const json_t *drivers = json_object_get(j, "drivers"), *times = json_object_get(j, "times_ms");
    f->lap = (int)json_integer_value(json_object_get(j, "lap"));
    f->total_laps = (int)json_integer_value(json_object_get(j, "total_laps"));
    f->n_about = (int)json_integer_value(json_object_get(j, "n_about"));
    assert_true(json_array_size(times) <= LLM_FACT_TIMES);
    assert_true(json_array_size(drivers) <= PW_MAX_CARS);
    for (size_t i = 0; i < json_array_size(times); i++)
        f->times_ms[f->n_times++] = json_integer_value(json_array_get(times, i));
    for (size_t i = 0; i < json_array_size(drivers); i++) {
        const json_t *dj = json_array_get(drivers, i);
        struct llm_fact_driver *d = &f->d[f->n++];
        snprintf(d->full, sizeof d->full, "%s", json_string_value(json_object_get(dj, "full")));
        snprintf(d->name, sizeof d->name, "%s", json_string_value(json_object_get(dj, "name")));
        snprintf(d->team, sizeof d->team, "%s", json_string_value(json_object_get(dj, "team")));
        d->given = json_is_true(json_object_get(dj, "given"));
        d->now = (int)json_integer_value(json_object_get(dj, "now"));
        const json_t *places = json_object_get(dj, "places");
        assert_true(json_array_size(places) <= LLM_FACT_PLACES);
        for (size_t k = 0; k < json_array_size(places); k++)
            d->places[d->n_places++] = (int)json_integer_value(json_array_get(places, k));
    }
}

static json_t *load_cases(void)
{
    json_error_t err;
    json_t *root = json_load_file(LLM_FACTS_CASES, 0, &err);
    if (!root)
        fail_msg("%s:%d: %s", LLM_FACTS_CASES, err.line, err.text);
    return root;
}

/* Each fact set of the case file is what the prompt of its scene gives (so the cases test
 * the facts real prompts carry); a mismatch prints the set to put in the file. */
static void test_case_file_facts_are_the_prompts(void **state)
{
    struct fixture *f = *state;
    json_t *root = load_cases();
    int wrong = 0;
    for (size_t i = 0; i < sizeof scenes / sizeof *scenes; i++) {
        struct llm_facts facts;
        char rules_line[PW_EVENT_TEXT_MAX];
        script_init(&f->s, "race-1", "55", 10);
        facts_after(f, scenes[i].scene, &facts, rules_line);
        json_t *got = facts_to_json(&facts);
        if (!json_equal(got, json_object_get(json_object_get(root, "facts"), scenes[i].name))) {
            char *text = json_dumps(got, JSON_COMPACT);
            print_error("fact set \"%s\" of the prompt: %s\n", scenes[i].name, text);
            free(text);
            wrong++;
        }
        json_decref(got);
    }
    json_decref(root);
    assert_int_equal(wrong, 0);
}

/* Real models' answers and right lines, from the case file, each against its fact set. */
static void test_answers_state_only_the_facts(void **state)
{
    (void)state;
    json_t *root = load_cases();
    const json_t *cases = json_object_get(root, "cases"), *sets = json_object_get(root, "facts");
    int wrong = 0;
    assert_true(json_array_size(cases) >= 30);
    for (size_t i = 0; i < json_array_size(cases); i++) {
        const json_t *c = json_array_get(cases, i);
        const char *answer = json_string_value(json_object_get(c, "answer"));
        const char *want = json_string_value(json_object_get(c, "want"));
        const json_t *set = json_object_get(sets, json_string_value(json_object_get(c, "facts")));
        assert_non_null(answer);
        assert_non_null(want);
        assert_non_null(set);
        struct llm_facts facts;
        facts_from_json(set, &facts);
        const char *got = llm_check_name(llm_check_facts(answer, &facts));
        if (strcmp(got, want) != 0) {
            print_error("case %zu: \"%s\" gave %s, want %s\n", i, answer, got, want);
            wrong++;
        }
    }
    json_decref(root);
    assert_int_equal(wrong, 0);
}

/* Untrusted text: random mixes of digits, names, punctuation and broken UTF-8 never make
 * the reader step outside the line (run under ASan in build-asan) and always get a verdict. */
static void test_facts_hostile_text(void **state)
{
    struct fixture *f = *state;
    static const char *const parts[] = {"1",      ":",    ".",          "P",
                                        "Norris", " ",    "lap",        "th",
                                        "99",     "\xE2", "\xE2\x80",   "\xE2\x80\x99",
                                        "!",      "s",    "Verstappen", "12345678901234567890",
                                        "0.",     "to go"};
    struct llm_facts facts;
    char rules_line[PW_EVENT_TEXT_MAX];
    script_init(&f->s, "race-1", "55", 10);
    facts_after(f, scene_lead, &facts, rules_line);
    uint64_t x = 42;
    for (int i = 0; i < 20000; i++) {
        char line[256] = "";
        int n = 1 + (int)(i % 40);
        for (int k = 0; k < n; k++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            const char *p = parts[(x >> 33) % (sizeof parts / sizeof *parts)];
            if (strlen(line) + strlen(p) < sizeof line)
                strcat(line, p);
        }
        enum llm_check_result r = llm_check_facts(line, &facts);
        assert_true(r == LLM_CHECK_OK || r == LLM_CHECK_UNKNOWN_NAME || r == LLM_CHECK_WRONG_FACT ||
                    r == LLM_CHECK_NUMBERS);
    }
}

/* Norris takes the flag first owing 5 s: a line that he wins or leads is refused, the
 * rules' line (no win said) passes. */
static struct pw_event *scene_chequered_owed(struct race_script *s)
{
    s->state.cars[0].penalty_s = 5;
    s->state.finished = true;
    return script_car_event(s, PW_EV_CHEQUERED, "1");
}

static void test_no_win_while_a_penalty_is_owed(void **state)
{
    struct fixture *f = *state;
    struct llm_facts facts;
    char rules_line[PW_EVENT_TEXT_MAX];
    facts_after(f, scene_chequered_owed, &facts, rules_line);
    assert_int_equal(llm_check_facts(rules_line, &facts), LLM_CHECK_OK);
    assert_int_equal(llm_check_facts("Norris wins the race!", &facts), LLM_CHECK_WRONG_FACT);
    assert_int_equal(llm_check_facts("Victory for Norris at Monza!", &facts),
                     LLM_CHECK_WRONG_FACT);
    assert_int_equal(llm_check_facts("Norris is first across the line in P1", &facts),
                     LLM_CHECK_OK);
}

/* The rules' own line always states the facts right: the model's fallback is never refused. */
static void test_rules_lines_pass_their_own_facts(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof scenes / sizeof *scenes; i++) {
        struct llm_facts facts;
        char rules_line[PW_EVENT_TEXT_MAX];
        script_init(&f->s, "race-1", "55", 10);
        facts_after(f, scenes[i].scene, &facts, rules_line);
        if (llm_check_facts(rules_line, &facts) != LLM_CHECK_OK)
            fail_msg("rules line refused: %s (%s)", rules_line,
                     llm_check_name(llm_check_facts(rules_line, &facts)));
    }
}

/* A team-orders line's facts are the two cars' places before and after the swap: every
 * phrasing of the rules passes them, a model's line that moves a car elsewhere or names a
 * driver the prompt did not give is refused. */
static void test_team_orders_facts(void **state)
{
    struct fixture *f = *state;
    struct llm_facts facts;
    char rules_line[PW_EVENT_TEXT_MAX];
    script_init(&f->s, "race-1", "55", 10);
    facts_after(f, scene_team_orders, &facts, rules_line);
    assert_int_equal(facts.n_about, 2);
    assert_int_equal(llm_check_facts(rules_line, &facts), LLM_CHECK_OK);
    /* the rules' other phrasings, each held to the same facts */
    script_init(&f->s, "race-1", "55", 10);
    struct cm_line line;
    struct cm_race *race = race_after(f, scene_team_orders, &line);
    struct cm_phrase ph;
    cm_phrase_init(&ph, "race-2");
    int said[12], n_said = 0;
    for (int i = 0; i < 12; i++) {
        char text[PW_EVENT_TEXT_MAX];
        int id = cm_phrase_render(&ph, &line.cand, text, sizeof text), k = 0;
        assert_true(id >= 0);
        while (k < n_said && said[k] != id)
            k++;
        if (k == n_said)
            said[n_said++] = id;
        if (llm_check_facts(text, &facts) != LLM_CHECK_OK)
            fail_msg("rules line refused: %s (%s)", text,
                     llm_check_name(llm_check_facts(text, &facts)));
    }
    free(race);
    assert_int_equal(n_said, 4); /* every phrasing of the fact */
    assert_int_equal(llm_check_facts("Leclerc lets Hamilton through for P4 at Ferrari", &facts),
                     LLM_CHECK_OK);
    assert_int_equal(llm_check_facts("Ferrari swap: Hamilton is now P4, Leclerc P5", &facts),
                     LLM_CHECK_OK);
    assert_int_equal(llm_check_facts("Hamilton lets Leclerc through for P3!", &facts),
                     LLM_CHECK_WRONG_FACT);
    assert_int_equal(llm_check_facts("Team orders: Hamilton now leads Ferrari's charge in P2",
                                     &facts),
                     LLM_CHECK_WRONG_FACT);
    assert_int_equal(llm_check_facts("Russell watches Ferrari swap Hamilton and Leclerc", &facts),
                     LLM_CHECK_UNKNOWN_NAME);
    assert_int_equal(llm_check_facts("Leclerc lets Hamilton by, three laps too late", &facts),
                     LLM_CHECK_WRONG_FACT);
}

/* Piastri passes Norris for the lead. */
static struct pw_event *scene_piastri_leads(struct race_script *s)
{
    return script_overtake(s, "81");
}

/* The viewer's driver's team as the meta gives it is a fact when the state names no team for
 * that driver: Sainz (Williams, the viewer's) passes Verstappen for P3. */
static void test_selected_team_from_meta(void **state)
{
    struct fixture *f = *state;
    struct llm_facts facts;
    char rules_line[PW_EVENT_TEXT_MAX];
    script_init(&f->s, "race-1", "55", 10);
    f->s.state.cars[script_index(&f->s, "55")].driver.team[0] = '\0';
    facts_after(f, scene_podium_pass, &facts, rules_line);
    assert_int_equal(llm_check_facts("Sainz takes P3 for Williams!", &facts),
                     LLM_CHECK_WRONG_FACT); /* no team known for Sainz */
    script_init(&f->s, "race-1", "55", 10);
    f->s.state.cars[script_index(&f->s, "55")].driver.team[0] = '\0';
    snprintf(f->s.meta.selected_team, sizeof f->s.meta.selected_team, "Williams");
    facts_after(f, scene_podium_pass, &facts, rules_line);
    assert_int_equal(llm_check_facts("Sainz takes P3 for Williams!", &facts), LLM_CHECK_OK);
    assert_int_equal(llm_check_facts("Verstappen loses P3 to the Williams", &facts),
                     LLM_CHECK_WRONG_FACT);
}

static void test_prompt_carries_event_and_context(void **state)
{
    struct cm_line line;
    struct cm_race *race = race_after(*state, scene_piastri_leads, &line);
    char *body = llm_prompt_body(race, &line, "smollm2");
    assert_non_null(body);
    json_error_t err;
    json_t *root = json_loads(body, 0, &err);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "model")), "smollm2");
    json_t *msgs = json_object_get(root, "messages");
    assert_int_equal(json_array_size(msgs), 4); /* system, one example, the event */
    const char *sys = json_string_value(json_object_get(json_array_get(msgs, 0), "content"));
    const char *user = json_string_value(json_object_get(json_array_get(msgs, 3), "content"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 3), "role")),
                        "user");
    assert_string_equal(json_string_value(json_array_get(json_object_get(root, "stop"), 0)), "\n");
    assert_non_null(strstr(sys, "commentator"));
    assert_non_null(strstr(user, "Monza, lap 12 of 53"));
    assert_non_null(strstr(user, "P1 Piastri, P2 Norris, P3 Verstappen."));
    assert_non_null(strstr(user, "supports Sainz"));
    assert_non_null(strstr(user, line.text)); /* the event, as the rules state it */
    assert_non_null(strstr(user, "Names you may use: Piastri, Norris."));
    json_decref(root);
    free(body);
    free(race);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_answers_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_drivers_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_form_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_must_be_about_the_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_file_facts_are_the_prompts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answers_state_only_the_facts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_lines_pass_their_own_facts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_team_orders_facts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_selected_team_from_meta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_win_while_a_penalty_is_owed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_facts_hostile_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prompt_carries_event_and_context, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
