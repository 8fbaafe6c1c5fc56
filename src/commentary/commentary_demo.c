/* commentary_demo — runs one simulated race through the commentary engine, optionally with
 * a language model, and prints a Markdown report: every line said (and where it came from),
 * every model call (outcome, latency, what the model answered), and totals.
 *
 * The race is a small seeded simulation made here (a 20-car grid, overtakes weighted to the
 * front, one pit stop per car, a safety car, a VSC, a retirement, final lap, flag, podium),
 * published on an in-process bus on a libuv timer exactly as a race runner would. Used by
 * scripts/llm-demo.sh against a local llama.cpp server. */
#include "bus/bus.h"
#include "commentary/commentary.h"
#include "commentary/llm_check.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define MAX_REPORTS 512
#define MAX_SAID 512

static const char *const demo_grid[][3] = {
    {"1", "Max Verstappen", "Red Bull"},
    {"4", "Lando Norris", "McLaren"},
    {"81", "Oscar Piastri", "McLaren"},
    {"16", "Charles Leclerc", "Ferrari"},
    {"63", "George Russell", "Mercedes"},
    {"44", "Lewis Hamilton", "Ferrari"},
    {"12", "Andrea Kimi Antonelli", "Mercedes"},
    {"14", "Fernando Alonso", "Aston Martin"},
    {"23", "Alexander Albon", "Williams"},
    {"55", "Carlos Sainz", "Williams"},
    {"6", "Isack Hadjar", "Racing Bulls"},
    {"22", "Yuki Tsunoda", "Red Bull"},
    {"10", "Pierre Gasly", "Alpine"},
    {"27", "Nico Hulkenberg", "Sauber"},
    {"31", "Esteban Ocon", "Haas"},
    {"87", "Oliver Bearman", "Haas"},
    {"18", "Lance Stroll", "Aston Martin"},
    {"30", "Liam Lawson", "Racing Bulls"},
    {"5", "Gabriel Bortoleto", "Sauber"},
    {"43", "Franco Colapinto", "Alpine"},
};
#define GRID_N ((int)(sizeof demo_grid / sizeof demo_grid[0]))

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
    uv_timer_t tick;
    struct pw_bus *bus;
    struct commentary *engine;
    struct pw_race_state st;
    struct pw_race_meta meta;
    uint64_t rng;
    int laps, ticks_per_lap, tick_no, pit_tick[GRID_N], pit_out_pending[PW_MAX_CARS];
    int64_t start_ms, tick_ms;
    bool finished;
    int n_reports;
    struct report reports[MAX_REPORTS];
    int n_said;
    struct said said[MAX_SAID];
    const char *pending_source; /* set by the observer just before its line is published */
};

static uint32_t rnd(struct demo *d, uint32_t n)
{
    d->rng ^= d->rng << 13;
    d->rng ^= d->rng >> 7;
    d->rng ^= d->rng << 17;
    return n ? (uint32_t)(d->rng % n) : 0;
}

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
    if (d->n_said >= MAX_SAID)
        return;
    struct said *s = &d->said[d->n_said++];
    s->at_ms = (int64_t)uv_now(&d->loop) - d->start_ms;
    snprintf(s->kind, sizeof s->kind, "%s", pw_commentary_kind_name(ev->kind));
    snprintf(s->source, sizeof s->source, "%s", d->pending_source ? d->pending_source : "rules");
    clean_copy(s->text, sizeof s->text, ev->text);
    d->pending_source = NULL;
    fprintf(stderr, "[%6.1fs] %-9s %-5s %s\n", (double)s->at_ms / 1000, s->kind, s->source,
            s->text);
}

static void publish(struct demo *d, enum pw_event_type type, const char *car, const char *other,
                    int position)
{
    struct pw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    snprintf(ev.race_id, sizeof ev.race_id, "%s", d->meta.race_id);
    ev.race_ms = d->st.race_ms;
    ev.wall_ms = pw_now_ms();
    ev.lap = d->st.lap;
    snprintf(ev.car, sizeof ev.car, "%s", car ? car : "");
    snprintf(ev.other, sizeof ev.other, "%s", other ? other : "");
    ev.position = position;
    ev.track = d->st.track;
    ev.state = &d->st;
    ev.meta = &d->meta;
    if (type == PW_EV_PIT_OUT) {
        int i = pw_state_find_car(&d->st, car);
        ev.tyre = i >= 0 ? d->st.cars[i].tyre : PW_TYRE_UNKNOWN;
    }
    if (type == PW_EV_FASTEST_LAP)
        ev.lap_ms = d->st.fastest_lap_ms;
    pw_bus_publish_event(d->bus, &ev);
}

static void renumber(struct demo *d)
{
    for (int i = 0; i < d->st.n_cars; i++) {
        d->st.cars[i].position = i + 1;
        d->st.cars[i].interval_ms = i ? 400 + (int64_t)rnd(d, 2500) : 0;
    }
}

static void move_car(struct demo *d, int from, int to)
{
    struct pw_car car = d->st.cars[from];
    if (to > from)
        memmove(&d->st.cars[from], &d->st.cars[from + 1], (size_t)(to - from) * sizeof car);
    else
        memmove(&d->st.cars[to + 1], &d->st.cars[to], (size_t)(from - to) * sizeof car);
    d->st.cars[to] = car;
    renumber(d);
}

static int running_cars(const struct demo *d)
{
    int n = 0;
    for (int i = 0; i < d->st.n_cars; i++)
        n += !d->st.cars[i].retired;
    return n;
}

static void maybe_overtake(struct demo *d)
{
    if (d->st.track != PW_TRACK_GREEN || rnd(d, 100) >= 30)
        return;
    int n = running_cars(d);
    int p = rnd(d, 2) ? 1 + (int)rnd(d, 5) : 1 + (int)rnd(d, (uint32_t)(n - 1));
    if (p >= n || d->st.cars[p].in_pit || d->st.cars[p - 1].in_pit)
        return;
    char car[PW_NUMBER_MAX], other[PW_NUMBER_MAX];
    snprintf(car, sizeof car, "%s", d->st.cars[p].driver.number);
    snprintf(other, sizeof other, "%s", d->st.cars[p - 1].driver.number);
    move_car(d, p, p - 1);
    publish(d, PW_EV_OVERTAKE, car, other, p);
}

static void pit_stops(struct demo *d)
{
    for (int g = 0; g < GRID_N; g++) {
        const char *num = demo_grid[g][0];
        int i = pw_state_find_car(&d->st, num);
        if (i < 0 || d->st.cars[i].retired)
            continue;
        if (d->pit_out_pending[g] && d->tick_no >= d->pit_out_pending[g]) {
            d->pit_out_pending[g] = 0;
            d->st.cars[i].in_pit = false;
            d->st.cars[i].tyre = rnd(d, 3) ? PW_TYRE_HARD : PW_TYRE_MEDIUM;
            d->st.cars[i].tyre_age = 0;
            d->st.cars[i].tyre_new = true;
            d->st.cars[i].pit_stops++;
            publish(d, PW_EV_PIT_OUT, num, NULL, i + 1);
        } else if (d->tick_no == d->pit_tick[g]) {
            d->st.cars[i].in_pit = true;
            publish(d, PW_EV_PIT_IN, num, NULL, i + 1);
            int to = i + 4 + (int)rnd(d, 3);
            if (to >= running_cars(d))
                to = running_cars(d) - 1;
            move_car(d, i, to);
            d->pit_out_pending[g] = d->tick_no + 1;
        }
    }
}

static void set_track(struct demo *d, enum pw_track_status t)
{
    d->st.track = t;
    publish(d, PW_EV_TRACK_STATUS, NULL, NULL, 0);
}

static void on_tick(uv_timer_t *t)
{
    struct demo *d = t->data;
    int lap_tick = d->tick_no % d->ticks_per_lap;
    int lap = d->tick_no / d->ticks_per_lap + 1;
    d->st.race_ms = (int64_t)d->tick_no * 90000 / d->ticks_per_lap;
    if (d->tick_no == 0) {
        d->st.started = true;
        d->st.lap = 1;
        publish(d, PW_EV_LIGHTS_OUT, NULL, NULL, 0);
    } else if (lap > d->laps) {
        d->st.finished = true;
        for (int i = 0; i < d->st.n_cars; i++)
            d->st.cars[i].finished = !d->st.cars[i].retired;
        publish(d, PW_EV_CHEQUERED, d->st.cars[0].driver.number, NULL, 1);
        publish(d, PW_EV_CLASSIFICATION, NULL, NULL, 0);
        d->finished = true;
        uv_timer_stop(t);
        return;
    } else {
        if (lap_tick == 0) {
            d->st.lap = lap;
            for (int i = 0; i < d->st.n_cars; i++)
                d->st.cars[i].laps = lap - 1;
            if (lap == d->laps)
                publish(d, PW_EV_FINAL_LAP, NULL, NULL, 0);
            if (lap > 2 && rnd(d, 100) < 40) {
                int i = (int)rnd(d, 8);
                d->st.fastest_lap_ms = d->st.fastest_lap_ms ? d->st.fastest_lap_ms - 1 - rnd(d, 300)
                                                            : 81000 + rnd(d, 2000);
                snprintf(d->st.fastest_number, sizeof d->st.fastest_number, "%s",
                         d->st.cars[i].driver.number);
                publish(d, PW_EV_FASTEST_LAP, d->st.cars[i].driver.number, NULL, i + 1);
            }
        }
        int sc_lap = d->laps / 4 + 1, vsc_lap = d->laps * 2 / 3, dnf_lap = d->laps / 2;
        if (lap == sc_lap && lap_tick == 2)
            set_track(d, PW_TRACK_SC);
        if (lap == sc_lap + 1 && lap_tick == d->ticks_per_lap / 2)
            set_track(d, PW_TRACK_GREEN);
        if (lap == vsc_lap && lap_tick == 1)
            set_track(d, PW_TRACK_VSC);
        if (lap == vsc_lap && lap_tick == 4)
            set_track(d, PW_TRACK_VSC_ENDING);
        if (lap == vsc_lap && lap_tick == 5)
            set_track(d, PW_TRACK_GREEN);
        if (lap == dnf_lap && lap_tick == 3) {
            int i = running_cars(d) / 2;
            char num[PW_NUMBER_MAX];
            snprintf(num, sizeof num, "%s", d->st.cars[i].driver.number);
            d->st.cars[i].retired = true;
            publish(d, PW_EV_RETIREMENT, num, NULL, i + 1);
            move_car(d, i, d->st.n_cars - 1);
        }
        maybe_overtake(d);
        pit_stops(d);
    }
    publish(d, PW_EV_POSITIONS, NULL, NULL, 0);
    d->tick_no++;
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
    printf("## Run: %d laps, %d cars, %s\n\n", d->laps, d->st.n_cars, model ? model : "rules only");
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
    d->ticks_per_lap = atoi(arg_value(argc, argv, "--ticks-per-lap", "12"));
    d->tick_ms = atoi(arg_value(argc, argv, "--tick-ms", "1000"));
    d->rng = strtoull(arg_value(argc, argv, "--seed", "20261128"), NULL, 10) | 1;
    if (d->laps < 4 || d->laps > 100 || d->ticks_per_lap < 6 || d->tick_ms < 1) {
        fprintf(stderr,
                "usage: %s [--endpoint URL --model M] [--laps 4..100] "
                "[--ticks-per-lap >=6] [--tick-ms N] [--seed N] [--interval-ms N] "
                "[--timeout-ms N] [--calls-per-minute N]\n",
                argv[0]);
        free(d);
        return 2;
    }
    struct pw_log log = {.level = PW_LOG_WARN, .out = stderr};
    uv_loop_init(&d->loop);
    bus_inproc_create(&d->bus);
    snprintf(d->meta.race_id, sizeof d->meta.race_id, "demo-1");
    snprintf(d->meta.source, sizeof d->meta.source, "simulation");
    snprintf(d->meta.title, sizeof d->meta.title, "Monza, %d laps", d->laps);
    snprintf(d->meta.selected_number, sizeof d->meta.selected_number, "55");
    snprintf(d->meta.selected_name, sizeof d->meta.selected_name, "Carlos Sainz");
    snprintf(d->meta.selected_team, sizeof d->meta.selected_team, "Williams");
    d->meta.total_laps = d->laps;
    d->st.n_cars = GRID_N;
    d->st.total_laps = d->laps;
    snprintf(d->st.circuit, sizeof d->st.circuit, "Monza");
    snprintf(d->st.session, sizeof d->st.session, "Race");
    for (int i = 0; i < GRID_N; i++) {
        struct pw_car *c = &d->st.cars[i];
        snprintf(c->driver.number, sizeof c->driver.number, "%s", demo_grid[i][0]);
        snprintf(c->driver.name, sizeof c->driver.name, "%s", demo_grid[i][1]);
        snprintf(c->driver.team, sizeof c->driver.team, "%s", demo_grid[i][2]);
        c->tyre = PW_TYRE_MEDIUM;
        /* everyone stops once, in the middle third; team-mates sometimes together */
        int lap = d->laps / 3 + (int)rnd(d, (uint32_t)(d->laps / 3 + 1));
        d->pit_tick[i] = lap * d->ticks_per_lap + 2 + (int)rnd(d, (uint32_t)d->ticks_per_lap - 4);
        if (i % 2 == 1 && rnd(d, 2))
            d->pit_tick[i] = d->pit_tick[i - 1];
    }
    renumber(d);

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
    int rc = commentary_create(&d->loop, &cfg, d->bus, &log, &d->engine);
    if (rc < 0) {
        fprintf(stderr, "commentary_create: %s\n", pw_strerror(rc));
        return 1;
    }
    uv_timer_init(&d->loop, &d->tick);
    d->tick.data = d;
    uv_timer_t wait;
    uv_timer_init(&d->loop, &wait);
    wait.data = d;
    d->start_ms = (int64_t)uv_now(&d->loop);
    uv_timer_start(&d->tick, on_tick, 0, (uint64_t)d->tick_ms);
    uv_timer_start(&wait, on_wait, 200, 200);
    uv_run(&d->loop, UV_RUN_DEFAULT);
    print_report(d, endpoint ? model : NULL);

    commentary_destroy(d->engine);
    uv_close((uv_handle_t *)&d->tick, NULL);
    uv_close((uv_handle_t *)&wait, NULL);
    uv_run(&d->loop, UV_RUN_DEFAULT);
    uv_loop_close(&d->loop);
    pw_bus_destroy(d->bus);
    free(d);
    return 0;
}
