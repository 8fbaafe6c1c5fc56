/* The checks a model's answer must pass before it goes on air, and the prompt it is given. */
#include "commentary/llm_check.h"
#include "commentary/llm_prompt.h"
#include "race_script.h"

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

static void test_numbers_must_come_from_the_prompt(void **state)
{
    (void)state;
    const char *prompt = "Race: Monza, lap 12 of 53, track green.\n"
                         "Event: Fastest lap for Leclerc: 1:21.234\nOne line of commentary:";
    assert_int_equal(llm_check_numbers("Leclerc flies: 1:21.234 on lap 12!", prompt), LLM_CHECK_OK);
    assert_int_equal(llm_check_numbers("No numbers at all, Leclerc!", prompt), LLM_CHECK_OK);
    /* a made-up lap time, place or lap */
    assert_int_equal(llm_check_numbers("Leclerc goes 1:20.645!", prompt), LLM_CHECK_NUMBERS);
    assert_int_equal(llm_check_numbers("Leclerc is up to P11", prompt), LLM_CHECK_NUMBERS);
    /* part of a longer number in the prompt is not the number */
    assert_int_equal(llm_check_numbers("Leclerc on lap 5", prompt), LLM_CHECK_NUMBERS);
    assert_int_equal(llm_check_numbers("Leclerc on lap 3", NULL), LLM_CHECK_NUMBERS);
}

static void test_prompt_carries_event_and_context(void **state)
{
    struct fixture *f = *state;
    struct cm_pacer_config pc = {4000, 8000, 1000, 0};
    struct cm_race *race = calloc(1, sizeof *race);
    assert_non_null(race);
    cm_race_init(race, "race-1", &pc);
    f->s.state.started = true;
    f->s.state.lap = 12;
    cm_race_feed(race, script_event(&f->s, PW_EV_POSITIONS), 0);
    cm_race_feed(race, script_overtake(&f->s, "81"), 0);
    struct cm_line line;
    assert_int_equal(cm_race_next(race, 0, &line), 1);
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
        cmocka_unit_test(test_numbers_must_come_from_the_prompt),
        cmocka_unit_test_setup_teardown(test_prompt_carries_event_and_context, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
