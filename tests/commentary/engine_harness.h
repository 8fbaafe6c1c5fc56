/* engine_harness.h — a libuv loop, an in-process bus, the commentary engine on it, a
 * subscriber that collects the published lines and done markers, and a probe timer that
 * measures how late the loop runs timers while the engine works. Shared by the engine and
 * LLM tests. */
#ifndef PW_TESTS_ENGINE_HARNESS_H
#define PW_TESTS_ENGINE_HARNESS_H

#include "bus/bus.h"
#include "commentary/commentary.h"
#include "race_script.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define HARNESS_MAX_LINES 256
#define PROBE_PERIOD_MS 10

struct got_line {
    struct pw_event ev; /* copy; ev.state / ev.meta are cleared */
    bool had_state, had_meta;
    char meta_selected[PW_NUMBER_MAX];
    int64_t at_ms; /* loop time when received */
};

struct engine_harness {
    uv_loop_t loop;
    struct pw_bus *bus;
    struct commentary *engine;
    struct race_script s;
    int n_lines;
    struct got_line lines[HARNESS_MAX_LINES];
    uv_timer_t probe, deadline;
    uint64_t probe_last_ns;
    double probe_max_late_ms;
    uint64_t probe_ticks;
    int want_lines;       /* stop the loop once this many lines came */
    int n_done;           /* done markers (PW_EV_COMMENTARY_DONE) received */
    struct pw_event done; /* the last of them; state / meta cleared */
    bool done_had_meta;
    int lines_before_done; /* lines received before it */
};

static inline void harness_on_line(void *ctx, const struct pw_event *ev)
{
    struct engine_harness *h = ctx;
    if (ev->type == PW_EV_COMMENTARY_DONE) {
        h->n_done++;
        h->done = *ev;
        h->done_had_meta = ev->meta != NULL;
        h->done.state = NULL;
        h->done.meta = NULL;
        h->lines_before_done = h->n_lines;
        return;
    }
    if (ev->type != PW_EV_COMMENTARY || h->n_lines >= HARNESS_MAX_LINES)
        return;
    struct got_line *g = &h->lines[h->n_lines++];
    g->ev = *ev;
    g->had_state = ev->state != NULL;
    g->had_meta = ev->meta != NULL;
    if (ev->meta)
        snprintf(g->meta_selected, sizeof g->meta_selected, "%s", ev->meta->selected_number);
    g->ev.state = NULL;
    g->ev.meta = NULL;
    g->at_ms = (int64_t)uv_now(&h->loop);
    if (h->want_lines > 0 && h->n_lines >= h->want_lines)
        uv_stop(&h->loop);
}

static inline void harness_on_probe(uv_timer_t *t)
{
    struct engine_harness *h = t->data;
    uint64_t now = uv_hrtime();
    if (h->probe_last_ns) {
        double late = (double)(now - h->probe_last_ns) / 1e6 - PROBE_PERIOD_MS;
        if (late > h->probe_max_late_ms)
            h->probe_max_late_ms = late;
    }
    h->probe_last_ns = now;
    h->probe_ticks++;
}

static inline void harness_on_deadline(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* Sets up everything but the engine (the test picks its config). */
static inline struct engine_harness *harness_open(const char *picked)
{
    struct engine_harness *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    uv_loop_init(&h->loop);
    bus_inproc_create(&h->bus);
    pw_bus_subscribe_events(h->bus, PW_BUS_COMMENTARY, harness_on_line, h);
    script_init(&h->s, "race-1", picked, 10);
    uv_timer_init(&h->loop, &h->probe);
    h->probe.data = h;
    uv_timer_init(&h->loop, &h->deadline);
    h->deadline.data = h;
    return h;
}

static inline void harness_start_probe(struct engine_harness *h)
{
    h->probe_last_ns = 0;
    h->probe_max_late_ms = 0;
    uv_timer_start(&h->probe, harness_on_probe, PROBE_PERIOD_MS, PROBE_PERIOD_MS);
}

/* Runs the loop until `want` lines in total came or `max_ms` passed. */
static inline void harness_run(struct engine_harness *h, int want, uint64_t max_ms)
{
    h->want_lines = want;
    if (h->n_lines >= want && want > 0)
        return;
    uv_timer_start(&h->deadline, harness_on_deadline, max_ms, 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    uv_timer_stop(&h->deadline);
}

static inline void harness_publish(struct engine_harness *h, struct pw_event *ev)
{
    ev->wall_ms = pw_now_ms();
    pw_bus_publish_event(h->bus, ev);
}

/* Destroys the engine, closes every handle and the loop; returns uv_loop_close's result
 * (0 when nothing was left open). */
static inline int harness_close(struct engine_harness *h)
{
    commentary_destroy(h->engine);
    uv_close((uv_handle_t *)&h->probe, NULL);
    uv_close((uv_handle_t *)&h->deadline, NULL);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    int rc = uv_loop_close(&h->loop);
    pw_bus_destroy(h->bus);
    free(h);
    return rc;
}

#endif
