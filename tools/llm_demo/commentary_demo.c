/* commentary_demo — runs one simulated race through the commentary engine, optionally with
 * a language model, and prints a Markdown report: every line said (and where it came from),
 * every model call (outcome, latency, what the model answered), and totals.
 *
 * The race is pitwall's own: a start request on an in-process bus, carried out by the race
 * manager, which runs the race simulator (src/race) through a race runner exactly as the
 * server does; only the engine listens. Used by scripts/llm-demo.sh against a local
 * llama.cpp server. */
#include "bus/bus.h"
#include "commentary/commentary.h"
#include "commentary/llm_check.h"
#include "core/error.h"
#include "race/grid.h"
#include "runner/race_manager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define MAX_REPORTS 512
#define MAX_SAID 512

#define DEMO_RACE_ID "demo-1"

struct report {
    char outcome[24];
    bool used;
    double latency_ms;
    char rules[128];
    char answer[160];
};

struct said {
    int64_t at_ms;
    char kind[12];
    char source[24];
    char text[PW_EVENT_TEXT_MAX];
};

struct demo {
    uv_loop_t loop;
    struct pw_bus *bus;
    struct pw_grid grid;
    struct race_manager *manager;
    struct commentary *engine;
    int laps, n_cars;
    int64_t start_ms;
    bool finished;
    int n_reports;
    struct report reports[MAX_REPORTS];
    int n_said;
    struct said said[MAX_SAID];
    const char *pending_source; /* set by the observer just before its line is published */
};

/* One-line, printable copy of untrusted text for the Markdown report. */
static void clean_copy(char *dst, size_t len, const char *src)
{
    size_t n = 0;
    for (const char *p = src ? src : ""; *p && n + 1 < len; p++) {
        char ch = *p;
        if (ch == '\n' || ch == '\r' || ch == '\t')
            ch = ' ';
        else if (ch == '|')
            ch = '/';
        else if ((unsigned char)ch < 0x20)
            continue;
        dst[n++] = ch;
    }
    dst[n] = '\0';
}

static void on_report(void *ctx, const struct commentary_llm_report *r)
{
    struct demo *d = ctx;
    d->pending_source = r->used ? "model" : "rules";
    if (d->n_reports >= MAX_REPORTS)
        return;
    struct report *k = &d->reports[d->n_reports++];
    snprintf(k->outcome, sizeof k->outcome, "%s", r->outcome);
    k->used = r->used;
    k->latency_ms = r->latency_ms;
    clean_copy(k->rules, sizeof k->rules, r->rules_line);
    clean_copy(k->answer, sizeof k->answer, r->answer);
}

static void on_line(void *ctx, const struct pw_event *ev)
{
    struct demo *d = ctx;
    if (ev->type != PW_EV_COMMENTARY || d->n_said >= MAX_SAID)
        return; /* the race's done marker is no line */
    struct said *s = &d->said[d->n_said++];
    s->at_ms = (int64_t)uv_now(&d->loop) - d->start_ms;
    snprintf(s->kind, sizeof s->kind, "%s", pw_commentary_kind_name(ev->kind));
    snprintf(s->source, sizeof s->source, "%s", d->pending_source ? d->pending_source : "rules");
    clean_copy(s->text, sizeof s->text, ev->text);
    d->pending_source = NULL;
    fprintf(stderr, "[%6.1fs] %-9s %-5s %s\n", (double)s->at_ms / 1000, s->kind, s->source,
            s->text);
}

/* The race's own events: the engine has the race; the demo only waits for its end. */
static void on_race_event(void *ctx, const struct pw_event *ev)
{
    struct demo *d = ctx;
    if (ev->type == PW_EV_CLASSIFICATION || ev->type == PW_EV_RACE_STOPPED)
        d->finished = true;
    if (ev->state)
        d->n_cars = ev->state->n_cars;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void print_report(struct demo *d, const char *model)
{
    struct commentary_stats s;
    commentary_get_stats(d->engine, &s);
    printf("## Run: %d laps, %d cars, %s\n\n", d->laps, d->n_cars, model ? model : "rules only");
    printf("| | |\n|---|---|\n");
    printf("| lines published | %llu |\n", (unsigned long long)s.lines_published);
    printf("| model calls | %llu |\n", (unsigned long long)s.llm_calls);
    printf("| model lines that passed the checks | %llu (%.0f%% of calls) |\n",
           (unsigned long long)s.llm_ok,
           s.llm_calls ? 100.0 * (double)s.llm_ok / (double)s.llm_calls : 0.0);
    printf("| fallback: check failed | %llu |\n", (unsigned long long)s.llm_fallback_check_failed);
    printf("| fallback: timeout | %llu |\n", (unsigned long long)s.llm_fallback_timeout);
    printf("| fallback: HTTP error / 429 / bad JSON | %llu / %llu / %llu |\n",
           (unsigned long long)s.llm_fallback_http_error, (unsigned long long)s.llm_fallback_429,
           (unsigned long long)s.llm_fallback_bad_json);
    printf("| fallback: budget | %llu |\n", (unsigned long long)s.llm_fallback_budget);
    printf("| candidates merged / superseded / dropped stale | %llu / %llu / %llu |\n",
           (unsigned long long)s.candidates_merged, (unsigned long long)s.candidates_superseded,
           (unsigned long long)s.candidates_dropped_stale);
    printf("| failed checks by kind |");
    for (int i = 1; i < LLM_CHECK_COUNT; i++)
        printf(" %s %llu%s", llm_check_name((enum llm_check_result)i),
               (unsigned long long)s.llm_check_failed_by[i], i < LLM_CHECK_COUNT - 1 ? "," : "");
    printf(" |\n");
    if (d->n_reports > 0) {
        double lat[MAX_REPORTS];
        for (int i = 0; i < d->n_reports; i++)
            lat[i] = d->reports[i].latency_ms;
        qsort(lat, (size_t)d->n_reports, sizeof lat[0], cmp_double);
        int n = d->n_reports;
        printf("| latency per call (ms): mean / p50 / p90 / max | %.0f / %.0f / %.0f / %.0f |\n",
               s.llm_latency_ms_sum / (double)s.llm_calls, lat[n / 2], lat[n * 9 / 10], lat[n - 1]);
    }
    printf("\n### Lines as said\n\n| t (s) | type | from | line |\n|---|---|---|---|\n");
    for (int i = 0; i < d->n_said; i++)
        printf("| %.1f | %s | %s | %s |\n", (double)d->said[i].at_ms / 1000, d->said[i].kind,
               d->said[i].source, d->said[i].text);
    if (d->n_reports > 0) {
        printf("\n### Model calls\n\n| outcome | ms | rules line (the event) | model answer |\n"
               "|---|---|---|---|\n");
        for (int i = 0; i < d->n_reports; i++)
            printf("| %s | %.0f | %s | %s |\n", d->reports[i].outcome, d->reports[i].latency_ms,
                   d->reports[i].rules, d->reports[i].answer);
    }
}

static void on_wait(uv_timer_t *t)
{
    struct demo *d = t->data;
    struct commentary_stats s;
    commentary_get_stats(d->engine, &s);
    if (d->finished && s.races_active == 0)
        uv_stop(&d->loop);
}

static const char *arg_value(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

int main(int argc, char **argv)
{
    struct demo *d = calloc(1, sizeof *d);
    if (!d)
        return 1;
    const char *endpoint = arg_value(argc, argv, "--endpoint", NULL);
    const char *model = arg_value(argc, argv, "--model", "smollm2");
    d->laps = atoi(arg_value(argc, argv, "--laps", "15"));
    int ticks_per_lap = atoi(arg_value(argc, argv, "--ticks-per-lap", "12"));
    int tick_ms = atoi(arg_value(argc, argv, "--tick-ms", "1000"));
    uint64_t seed = strtoull(arg_value(argc, argv, "--seed", "20261128"), NULL, 10);
    if (d->laps < 4 || d->laps > 100 || ticks_per_lap < 6 || tick_ms < 100 || tick_ms > 1000) {
        fprintf(stderr,
                "usage: %s [--endpoint URL --model M] [--laps 4..100] "
                "[--ticks-per-lap >=6] [--tick-ms 100..1000] [--seed N] [--interval-ms N] "
                "[--timeout-ms N] [--calls-per-minute N]\n",
                argv[0]);
        free(d);
        return 2;
    }
    struct pw_log log = {.level = PW_LOG_WARN, .out = stderr};
    int rc = race_grid_load_builtin("2026", &d->grid);
    if (rc < 0) {
        fprintf(stderr, "grid: %s\n", pw_strerror(rc));
        free(d);
        return 1;
    }
    uv_loop_init(&d->loop);
    bus_inproc_create(&d->bus);

    struct commentary_config cfg;
    commentary_config_defaults(&cfg);
    cfg.min_interval_ms = atoi(arg_value(argc, argv, "--interval-ms", "4000"));
    cfg.llm_endpoint = endpoint;
    cfg.llm_model = model;
    cfg.llm_api_key_env = getenv("OPENAI_API_KEY") ? "OPENAI_API_KEY" : NULL;
    cfg.llm_timeout_ms = atoi(arg_value(argc, argv, "--timeout-ms", "3000"));
    cfg.llm_calls_per_minute = atoi(arg_value(argc, argv, "--calls-per-minute", "30"));
    cfg.llm_observer = on_report;
    cfg.llm_observer_ctx = d;
    pw_bus_subscribe_events(d->bus, PW_BUS_COMMENTARY, on_line, d);
    pw_bus_subscribe_events(d->bus, PW_BUS_RACE, on_race_event, d);
    rc = commentary_create(&d->loop, &cfg, d->bus, &log, &d->engine);
    if (rc < 0) {
        fprintf(stderr, "commentary_create: %s\n", pw_strerror(rc));
        return 1;
    }
    struct race_manager_config mc;
    race_manager_config_defaults(&mc);
    mc.grid = &d->grid;
    rc = race_manager_create(&d->loop, d->bus, &mc, &log, &d->manager);
    if (rc < 0) {
        fprintf(stderr, "race_manager_create: %s\n", pw_strerror(rc));
        return 1;
    }
    /* The picked driver (Sainz) is on the podium at the end, as in a race started from the
     * web UI; one positions tick per `tick_ms`, `ticks_per_lap` of them a lap. */
    struct pw_control start = {.op = PW_CONTROL_START,
                               .seed = seed,
                               .wall_duration_ms = (int64_t)d->laps * ticks_per_lap * tick_ms,
                               .podium = -1,
                               .tick_hz = 1000 / tick_ms,
                               .laps = d->laps};
    snprintf(start.race_id, sizeof start.race_id, "%s", DEMO_RACE_ID);
    snprintf(start.driver_number, sizeof start.driver_number, "55");
    snprintf(start.circuit, sizeof start.circuit, "monza");
    uv_timer_t wait;
    uv_timer_init(&d->loop, &wait);
    wait.data = d;
    d->start_ms = (int64_t)uv_now(&d->loop);
    rc = pw_bus_publish_control(d->bus, &start);
    if (rc < 0 || race_manager_running(d->manager) != 1) {
        fprintf(stderr, "the race did not start: %s\n", pw_strerror(rc));
        return 1;
    }
    uv_timer_start(&wait, on_wait, 200, 200);
    uv_run(&d->loop, UV_RUN_DEFAULT);
    print_report(d, endpoint ? model : NULL);

    commentary_destroy(d->engine);
    race_manager_destroy(d->manager);
    uv_close((uv_handle_t *)&wait, NULL);
    uv_run(&d->loop, UV_RUN_DEFAULT);
    uv_loop_close(&d->loop);
    pw_bus_destroy(d->bus);
    free(d);
    return 0;
}
