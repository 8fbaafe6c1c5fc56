/* The engine in language-model mode against a FAKE Chat Completions server
 * (fake_chat_server.py, Python standard library, on a free loopback port): the fake stands
 * in for a model, which cannot run in a unit test. Every case must end with a valid line on
 * the commentary stream while a probe timer on the same loop keeps firing on time. */
#include "engine_harness.h"
#include "commentary/cm_phrase.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A loop blocked by a call would be late by the whole call (0.5 s slow answer, 1 s timeout);
 * the margin above the few ms measured absorbs a loaded CI machine. */
#define MAX_LATE_MS 250.0
#define TEST_KEY "sk-test-0123456789"

struct fake_server {
    pid_t pid;
    int port;
    char endpoint[128];
};

static int fake_start(void **state)
{
    struct fake_server *f = calloc(1, sizeof *f);
    int fds[2];
    if (!f || pipe(fds) != 0)
        return -1;
    f->pid = fork();
    if (f->pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execlp("python3", "python3", FAKE_SERVER_PATH, "--expect-key", TEST_KEY, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char buf[64] = {0};
    size_t used = 0;
    while (used < sizeof buf - 1 && !strchr(buf, '\n')) {
        ssize_t n = read(fds[0], buf + used, sizeof buf - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    close(fds[0]);
    if (sscanf(buf, "PORT %d", &f->port) != 1) {
        fprintf(stderr, "fake server did not start: '%s'\n", buf);
        kill(f->pid, SIGTERM);
        waitpid(f->pid, NULL, 0);
        free(f);
        return -1;
    }
    snprintf(f->endpoint, sizeof f->endpoint, "http://127.0.0.1:%d/v1/chat/completions", f->port);
    setenv("PITWALL_TEST_LLM_KEY", TEST_KEY, 1);
    *state = f;
    return 0;
}

static int fake_stop(void **state)
{
    struct fake_server *f = *state;
    kill(f->pid, SIGTERM);
    waitpid(f->pid, NULL, 0);
    free(f);
    return 0;
}

struct llm_case {
    struct engine_harness *h;
    int n_reports;
    char last_outcome[32];
    char last_answer[512];
    bool last_used;
    char *log_text;
    size_t log_len;
    FILE *log_file;
    struct pw_log log;
};

static void on_report(void *ctx, const struct commentary_llm_report *r)
{
    struct llm_case *k = ctx;
    k->n_reports++;
    snprintf(k->last_outcome, sizeof k->last_outcome, "%s", r->outcome);
    snprintf(k->last_answer, sizeof k->last_answer, "%s", r->answer ? r->answer : "");
    k->last_used = r->used;
}

static void case_open_cfg(struct llm_case *k, const struct fake_server *f, const char *model,
                          int calls_per_minute, int64_t timeout_ms, int64_t interval_ms)
{
    memset(k, 0, sizeof *k);
    k->h = harness_open("55");
    assert_non_null(k->h);
    k->log_file = open_memstream(&k->log_text, &k->log_len);
    assert_non_null(k->log_file);
    k->log = (struct pw_log){.level = PW_LOG_DEBUG, .out = k->log_file};
    struct commentary_config cfg;
    commentary_config_defaults(&cfg);
    cfg.min_interval_ms = interval_ms;
    cfg.merge_window_ms = 0;
    cfg.llm_endpoint = f->endpoint;
    cfg.llm_model = model;
    cfg.llm_api_key_env = "PITWALL_TEST_LLM_KEY";
    cfg.llm_timeout_ms = timeout_ms;
    cfg.llm_calls_per_minute = calls_per_minute;
    cfg.llm_observer = on_report;
    cfg.llm_observer_ctx = k;
    assert_int_equal(commentary_create(&k->h->loop, &cfg, k->h->bus, &k->log, &k->h->engine), 0);
    harness_start_probe(k->h);
}

static void case_open_timeout(struct llm_case *k, const struct fake_server *f, const char *model,
                              int calls_per_minute, int64_t timeout_ms)
{
    case_open_cfg(k, f, model, calls_per_minute, timeout_ms, 0);
}

static void case_open(struct llm_case *k, const struct fake_server *f, const char *model,
                      int calls_per_minute)
{
    case_open_timeout(k, f, model, calls_per_minute, 1000);
}

static void case_close(struct llm_case *k)
{
    assert_int_equal(harness_close(k->h), 0);
    fclose(k->log_file);
    /* the key is never logged */
    assert_null(strstr(k->log_text, TEST_KEY));
    free(k->log_text);
}

/* Lights out, one line expected; returns it. */
static const struct got_line *run_one_line(struct llm_case *k)
{
    struct engine_harness *h = k->h;
    h->s.state.started = true;
    h->s.state.lap = 1;
    harness_publish(h, script_event(&h->s, PW_EV_LIGHTS_OUT));
    harness_run(h, 1, 4000);
    /* and no second line comes for the same event */
    uv_timer_start(&h->deadline, harness_on_deadline, 50, 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    assert_int_equal(h->n_lines, 1);
    const struct got_line *g = &h->lines[0];
    int chars = cm_phrase_utf8_chars(g->ev.text);
    assert_true(chars >= 8 && chars <= CM_LINE_MAX_CHARS);
    assert_null(strchr(g->ev.text, '\n'));
    assert_string_equal(g->ev.id, "c-race-1-1");
    assert_int_equal(g->ev.seq, 1);
    assert_string_equal(g->ev.race_id, "race-1");
    assert_true(g->had_meta && g->had_state);
    assert_string_equal(g->meta_selected, "55");
    assert_int_equal(g->ev.kind, PW_COMMENT_HIGHLIGHT);
    if (h->probe_max_late_ms >= MAX_LATE_MS)
        fail_msg("probe timer %.1f ms late", h->probe_max_late_ms);
    assert_true(h->probe_ticks > 0);
    return g;
}

static void expect_fallback(void **state, const char *model, size_t counter_offset,
                            const char *outcome)
{
    struct llm_case k;
    case_open(&k, *state, model, 30);
    const struct got_line *g = run_one_line(&k);
    assert_null(strstr(g->ev.text, "FAKE")); /* the rules line went out */
    struct commentary_stats s;
    commentary_get_stats(k.h->engine, &s);
    assert_int_equal(s.llm_calls, 1);
    assert_int_equal(s.llm_ok, 0);
    assert_int_equal(s.lines_published, 1);
    assert_int_equal(*(const uint64_t *)((const char *)&s + counter_offset), 1);
    uint64_t fallbacks = s.llm_fallback_timeout + s.llm_fallback_http_error + s.llm_fallback_429 +
                         s.llm_fallback_bad_json + s.llm_fallback_check_failed +
                         s.llm_fallback_budget;
    assert_int_equal(fallbacks, 1);
    assert_int_equal(k.n_reports, 1);
    assert_string_equal(k.last_outcome, outcome);
    assert_false(k.last_used);
    print_message("  %-8s -> \"%s\" (probe max late %.1f ms, %llu ticks)\n", model, g->ev.text,
                  k.h->probe_max_late_ms, (unsigned long long)k.h->probe_ticks);
    case_close(&k);
}

static void test_success(void **state)
{
    struct llm_case k;
    case_open(&k, *state, "ok", 30);
    const struct got_line *g = run_one_line(&k);
    /* the model's line, naming the pole sitter it was given */
    assert_string_equal(g->ev.text, "FAKE: what a moment for Norris, the crowd is on its feet!");
    struct commentary_stats s;
    commentary_get_stats(k.h->engine, &s);
    assert_int_equal(s.llm_calls, 1);
    assert_int_equal(s.llm_ok, 1);
    assert_true(s.llm_latency_ms_sum > 0);
    assert_int_equal(k.n_reports, 1);
    assert_string_equal(k.last_outcome, "ok");
    assert_true(k.last_used);
    assert_string_equal(k.last_answer, g->ev.text);
    char metrics[8192];
    int n = commentary_format_metrics(k.h->engine, metrics, sizeof metrics);
    assert_true(n > 0);
    assert_non_null(strstr(metrics, "pitwall_commentary_llm_ok_total 1\n"));
    assert_non_null(strstr(metrics, "# TYPE pitwall_commentary_llm_calls_total counter"));
    case_close(&k);
}

static void test_slow_answer(void **state)
{
    struct llm_case k;
    case_open(&k, *state, "slow", 30);
    const struct got_line *g = run_one_line(&k);
    assert_non_null(strstr(g->ev.text, "FAKE"));
    struct commentary_stats s;
    commentary_get_stats(k.h->engine, &s);
    assert_int_equal(s.llm_ok, 1);
    assert_true(s.llm_latency_ms_sum >= 450); /* it did wait for the slow answer */
    /* the probe kept ticking during the half second of waiting (50 ticks when idle; a
     * blocked loop would give one or two; a loaded machine fewer than 50) */
    assert_true(k.h->probe_ticks >= 10);
    print_message("  slow     -> \"%s\" after %.0f ms (probe max late %.1f ms, %llu ticks)\n",
                  g->ev.text, s.llm_latency_ms_sum, k.h->probe_max_late_ms,
                  (unsigned long long)k.h->probe_ticks);
    case_close(&k);
}

static void test_timeout(void **state)
{
    expect_fallback(state, "hang", offsetof(struct commentary_stats, llm_fallback_timeout),
                    "timeout");
}

static void test_429(void **state)
{
    expect_fallback(state, "429", offsetof(struct commentary_stats, llm_fallback_429), "429");
}

static void test_500(void **state)
{
    expect_fallback(state, "500", offsetof(struct commentary_stats, llm_fallback_http_error),
                    "http_error");
}

static void test_malformed_json(void **state)
{
    expect_fallback(state, "badjson", offsetof(struct commentary_stats, llm_fallback_bad_json),
                    "bad_json");
}

static void test_overlong_answer(void **state)
{
    expect_fallback(state, "long", offsetof(struct commentary_stats, llm_fallback_check_failed),
                    "too_long");
}

static void test_driver_not_in_race(void **state)
{
    expect_fallback(state, "stranger", offsetof(struct commentary_stats, llm_fallback_check_failed),
                    "unknown_name");
}

static void test_markup_answer(void **state)
{
    expect_fallback(state, "markup", offsetof(struct commentary_stats, llm_fallback_check_failed),
                    "markup");
}

static void test_invented_number(void **state)
{
    /* a lap the prompt did not give: a wrong fact (llm_facts.h) */
    expect_fallback(state, "invent", offsetof(struct commentary_stats, llm_fallback_check_failed),
                    "wrong_fact");
}

static void test_connection_refused(void **state)
{
    (void)state;
    /* a port nobody listens on: bind one, note it, close it */
    uv_loop_t l;
    uv_loop_init(&l);
    uv_tcp_t t;
    uv_tcp_init(&l, &t);
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    assert_int_equal(uv_tcp_bind(&t, (const struct sockaddr *)&a, 0), 0);
    int alen = sizeof a;
    uv_tcp_getsockname(&t, (struct sockaddr *)&a, &alen);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&l, UV_RUN_DEFAULT);
    uv_loop_close(&l);
    struct fake_server dead = {0};
    snprintf(dead.endpoint, sizeof dead.endpoint, "http://127.0.0.1:%d/v1/chat/completions",
             ntohs(a.sin_port));
    struct llm_case k;
    case_open(&k, &dead, "ok", 30);
    const struct got_line *g = run_one_line(&k);
    assert_null(strstr(g->ev.text, "FAKE"));
    struct commentary_stats s;
    commentary_get_stats(k.h->engine, &s);
    assert_int_equal(s.llm_fallback_http_error, 1);
    case_close(&k);
}

static void test_budget(void **state)
{
    struct llm_case k;
    case_open(&k, *state, "ok", 2);
    struct engine_harness *h = k.h;
    h->s.state.started = true;
    harness_publish(h, script_event(&h->s, PW_EV_LIGHTS_OUT));
    harness_run(h, 1, 4000);
    /* three podium overtakes, one at a time */
    for (int i = 0; i < 3; i++) {
        harness_publish(h, script_overtake(&h->s, h->s.state.cars[2].driver.number));
        harness_run(h, 2 + i, 4000);
    }
    assert_int_equal(h->n_lines, 4);
    struct commentary_stats s;
    commentary_get_stats(h->engine, &s);
    assert_int_equal(s.llm_calls, 2);
    assert_int_equal(s.llm_ok, 2);
    assert_int_equal(s.llm_fallback_budget, 2);
    assert_non_null(strstr(h->lines[0].ev.text, "FAKE"));
    assert_non_null(strstr(h->lines[1].ev.text, "FAKE"));
    assert_null(strstr(h->lines[2].ev.text, "FAKE"));
    assert_null(strstr(h->lines[3].ev.text, "FAKE"));
    for (int i = 0; i < 4; i++)
        assert_int_equal(h->lines[i].ev.seq, (uint64_t)i + 1);
    if (h->probe_max_late_ms >= MAX_LATE_MS)
        fail_msg("probe timer %.1f ms late", h->probe_max_late_ms);
    case_close(&k);
}

static void test_two_races_in_flight_at_once(void **state)
{
    struct llm_case k;
    case_open_timeout(&k, *state, "slow1s", 30, 3000);
    struct engine_harness *h = k.h;
    struct race_script other;
    script_init(&other, "race-2", "1", 10);
    h->s.state.started = other.state.started = true;
    uint64_t t0 = uv_now(&h->loop);
    harness_publish(h, script_event(&h->s, PW_EV_LIGHTS_OUT));
    harness_publish(h, script_event(&other, PW_EV_LIGHTS_OUT));
    harness_run(h, 2, 4000);
    assert_int_equal(h->n_lines, 2);
    /* each answer takes 1 s; both together take about that, not twice that */
    uint64_t took = uv_now(&h->loop) - t0;
    assert_true(took >= 1000 && took < 1700);
    assert_string_not_equal(h->lines[0].ev.race_id, h->lines[1].ev.race_id);
    assert_int_equal(h->lines[0].ev.seq, 1);
    assert_int_equal(h->lines[1].ev.seq, 1);
    case_close(&k);
}

static void test_model_latency_hidden_by_pacing(void **state)
{
    /* 600 ms between lines, answers take 500 ms: the engine asks the model ahead of each
     * slot and holds the answer, so lines come every 600 ms, not every 1100 ms */
    struct llm_case k;
    case_open_cfg(&k, *state, "slow", 30, 1000, 600);
    struct engine_harness *h = k.h;
    h->s.state.started = true;
    harness_publish(h, script_event(&h->s, PW_EV_LIGHTS_OUT));
    for (int i = 0; i < 3; i++)
        harness_publish(h, script_overtake(&h->s, h->s.state.cars[2].driver.number));
    harness_run(h, 4, 6000);
    assert_int_equal(h->n_lines, 4);
    for (int i = 0; i < 4; i++)
        assert_non_null(strstr(h->lines[i].ev.text, "FAKE"));
    for (int i = 1; i < 4; i++) {
        int64_t gap = h->lines[i].at_ms - h->lines[i - 1].at_ms;
        print_message("  gap %d: %lld ms\n", i, (long long)gap);
        assert_true(gap >= 600);
        assert_true(gap < 900);
    }
    case_close(&k);
}

static void test_destroy_with_request_in_flight(void **state)
{
    struct llm_case k;
    case_open(&k, *state, "hang", 30);
    struct engine_harness *h = k.h;
    h->s.state.started = true;
    harness_publish(h, script_event(&h->s, PW_EV_LIGHTS_OUT));
    harness_run(h, 1, 200); /* the request is now waiting on the fake */
    assert_int_equal(h->n_lines, 0);
    struct commentary_stats s;
    commentary_get_stats(h->engine, &s);
    assert_int_equal(s.llm_calls, 1);
    case_close(&k); /* must close cleanly: loop_close == 0, no leak under ASan */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success),
        cmocka_unit_test(test_slow_answer),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_429),
        cmocka_unit_test(test_500),
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_overlong_answer),
        cmocka_unit_test(test_driver_not_in_race),
        cmocka_unit_test(test_markup_answer),
        cmocka_unit_test(test_invented_number),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_two_races_in_flight_at_once),
        cmocka_unit_test(test_model_latency_hidden_by_pacing),
        cmocka_unit_test(test_destroy_with_request_in_flight),
    };
    return cmocka_run_group_tests(tests, fake_start, fake_stop);
}
