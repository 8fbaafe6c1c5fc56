#include "commentary/commentary.h"

#include "commentary/cm_race.h"
#include "commentary/llm_check.h"
#include "commentary/llm_client.h"
#include "commentary/llm_prompt.h"
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(LLM_CHECK_COUNT <= 12, "commentary_stats.llm_check_failed_by is too small");

#define MAX_RACES 256
#define RACE_IDLE_MS (10 * 60 * 1000)
#define BUDGET_WINDOW_MS 60000
#define MAX_CALLS_PER_MINUTE 10000

struct commentary_race {
    struct commentary_race *next;
    struct commentary *owner;
    struct llm_request *req; /* the model is phrasing `line`; nothing else goes out */
    struct cm_line line;
    struct llm_facts facts; /* what the model was told, as facts: its answer may state no other */
    bool held;              /* a phrased line waits for its slot (see lead_ms) */
    char held_text[PW_EVENT_TEXT_MAX];
    bool dead; /* freed once the timer's walk over the races is done */
    struct cm_race core;
};

struct commentary {
    uv_loop_t *loop;
    struct pw_bus *bus;
    const struct pw_log *log;
    struct commentary_config cfg;
    char *endpoint, *model; /* owned copies of the config strings */
    uv_timer_t timer;
    bool timer_open;
    struct llm_client *llm;
    struct commentary_race *races;
    int n_races;
    int64_t *budget; /* ring of the loop times of the last calls */
    int budget_len, budget_head;
    int walking; /* > 0 while on_timer walks the race list */
    struct commentary_stats stats;
    /* pacer counters of races already freed, so totals survive them */
    struct cm_pacer_counters done;
};

void commentary_config_defaults(struct commentary_config *c)
{
    memset(c, 0, sizeof *c);
    c->enabled = true;
    c->min_interval_ms = 4000;
    c->end_interval_ms = 1000;
    c->stale_ms = 8000;
    c->merge_window_ms = 1000;
    c->llm_timeout_ms = 3000;
    c->llm_calls_per_minute = 30;
}

static int64_t loop_now(const struct commentary *c)
{
    return (int64_t)uv_now(c->loop);
}

static void schedule(struct commentary *c);
static void say_done(struct commentary *c, const struct commentary_race *r);

/* ---- races ---- */

static struct commentary_race *race_find(struct commentary *c, const char *race_id)
{
    for (struct commentary_race *r = c->races; r; r = r->next) {
        if (!r->dead && strcmp(r->core.race_id, race_id) == 0)
            return r;
    }
    return NULL;
}

static void race_free(struct commentary *c, struct commentary_race *r)
{
    if (r->req)
        llm_client_cancel(c->llm, r->req);
    r->req = NULL;
    if (c->walking) {
        /* a subscriber reacted to our line by ending this race: unlink later */
        r->dead = true;
        cm_pacer_clear(&r->core.pacer);
        return;
    }
    const struct cm_pacer_counters *k = &r->core.pacer.count;
    c->done.dropped_stale += k->dropped_stale;
    c->done.dropped_overflow += k->dropped_overflow;
    c->done.merged += k->merged;
    c->done.superseded += k->superseded;
    for (struct commentary_race **p = &c->races; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            break;
        }
    }
    c->n_races--;
    free(r);
}

/* Frees races that went silent (a source that died without a final event). */
static void races_expire(struct commentary *c, int64_t now)
{
    struct commentary_race *r = c->races;
    while (r) {
        struct commentary_race *next = r->next;
        if (!r->req && now - r->core.last_event_ms > RACE_IDLE_MS) {
            c->stats.candidates_dropped_stale += (uint64_t)cm_pacer_clear(&r->core.pacer);
            c->stats.races_expired++;
            say_done(c, r);
            race_free(c, r);
        }
        r = next;
    }
}

static struct commentary_race *race_get(struct commentary *c, const char *race_id)
{
    struct commentary_race *r = race_find(c, race_id);
    if (r)
        return r;
    if (c->n_races >= MAX_RACES) {
        /* make room: the race that has been silent longest goes */
        struct commentary_race *oldest = NULL;
        for (struct commentary_race *q = c->races; q; q = q->next) {
            if (!q->req && (!oldest || q->core.last_event_ms < oldest->core.last_event_ms))
                oldest = q;
        }
        if (!oldest)
            return NULL;
        c->stats.candidates_dropped_stale += (uint64_t)cm_pacer_clear(&oldest->core.pacer);
        c->stats.races_expired++;
        say_done(c, oldest);
        race_free(c, oldest);
    }
    r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->owner = c;
    /* with a model, choose each line early enough for the model to answer by its slot */
    int64_t lead = 0;
    if (c->llm)
        lead = c->cfg.llm_timeout_ms < c->cfg.min_interval_ms ? c->cfg.llm_timeout_ms
                                                              : c->cfg.min_interval_ms;
    const struct cm_pacer_config pc = {.min_interval_ms = c->cfg.min_interval_ms,
                                       .end_interval_ms = c->cfg.end_interval_ms,
                                       .stale_ms = c->cfg.stale_ms,
                                       .merge_window_ms = c->cfg.merge_window_ms,
                                       .lead_ms = lead};
    cm_race_init(&r->core, race_id, &pc);
    r->next = c->races;
    c->races = r;
    c->n_races++;
    return r;
}

/* ---- publishing ---- */

/* An event of the engine's about race `r`, numbered with its last line's seq, sent now. */
static void race_event_init(struct pw_event *ev, const struct commentary_race *r,
                            enum pw_event_type type)
{
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    snprintf(ev->race_id, sizeof ev->race_id, "%s", r->core.race_id);
    ev->seq = r->core.seq;
    ev->wall_ms = pw_now_ms();
    ev->meta = &r->core.meta;
}

static void publish(struct commentary *c, struct commentary_race *r, const char *text,
                    enum pw_commentary_kind kind)
{
    cm_race_mark_sent(&r->core, loop_now(c));
    struct pw_event ev;
    race_event_init(&ev, r, PW_EV_COMMENTARY);
    if (r->core.have_state) {
        ev.race_ms = r->core.state.race_ms;
        ev.lap = r->core.state.lap;
        ev.state = &r->core.state;
    } else {
        ev.race_ms = r->line.cand.race_ms;
        ev.lap = r->line.cand.lap;
    }
    ev.kind = kind;
    snprintf(ev.id, sizeof ev.id, "c-%s-%llu", r->core.race_id, (unsigned long long)ev.seq);
    snprintf(ev.text, sizeof ev.text, "%s", text);
    c->stats.lines_published++;
    int rc = pw_bus_publish_event(c->bus, &ev);
    if (rc < 0)
        PW_WARN(c->log, "commentary", "race %s: publishing line %llu failed: %s", r->core.race_id,
                (unsigned long long)ev.seq, pw_strerror(rc));
}

/* The race's done marker: nothing more will be said of it (its lines are out, or dropped
 * with the race stopped or its context let go of), so the hub need not hold its `end` frame
 * for more. Its seq is the last line's: it numbers no line. Not sent at the engine's own
 * shutdown: edges then end the race after hub.commentary_wait_s. */
static void say_done(struct commentary *c, const struct commentary_race *r)
{
    struct pw_event ev;
    race_event_init(&ev, r, PW_EV_COMMENTARY_DONE);
    ev.race_ms = r->core.state.race_ms;
    ev.lap = r->core.state.lap;
    ev.kind = PW_COMMENT_INFO;
    snprintf(ev.id, sizeof ev.id, "c-%s-done", r->core.race_id);
    c->stats.races_done++;
    int rc = pw_bus_publish_event(c->bus, &ev);
    if (rc < 0)
        PW_WARN(c->log, "commentary", "race %s: publishing its done marker failed: %s",
                r->core.race_id, pw_strerror(rc));
}

/* Publishes now if the race's slot is open, else holds the line until it opens. */
static void deliver(struct commentary *c, struct commentary_race *r, const char *text)
{
    if (loop_now(c) >= cm_race_slot_at(&r->core)) {
        publish(c, r, text, r->line.kind);
        return;
    }
    r->held = true;
    snprintf(r->held_text, sizeof r->held_text, "%s", text);
}

/* ---- language model ---- */

static bool budget_take(struct commentary *c, int64_t now)
{
    if (c->budget_len <= 0)
        return false;
    int64_t oldest = c->budget[c->budget_head];
    if (oldest != INT64_MIN && now - oldest < BUDGET_WINDOW_MS)
        return false;
    c->budget[c->budget_head] = now;
    c->budget_head = (c->budget_head + 1) % c->budget_len;
    return true;
}

static void observe(struct commentary *c, struct commentary_race *r, const struct llm_result *res,
                    const char *outcome, bool used)
{
    if (!c->cfg.llm_observer)
        return;
    const struct commentary_llm_report rep = {
        .race_id = r->core.race_id,
        .rules_line = r->line.text,
        .answer = res->status == LLM_STATUS_OK ? res->content : NULL,
        .outcome = outcome,
        .latency_ms = res->latency_ms,
        .used = used,
    };
    c->cfg.llm_observer(c->cfg.llm_observer_ctx, &rep);
}

/* The model's answer is untrusted text: only printable ASCII of it reaches the log. */
static void log_rejected(struct commentary *c, const struct commentary_race *r,
                         enum llm_check_result chk, const char *answer)
{
    char safe[121];
    size_t n = 0;
    for (const char *p = answer; p && *p && n < sizeof safe - 1; p++)
        safe[n++] = (*p >= 0x20 && *p < 0x7F) ? *p : '?';
    safe[n] = '\0';
    PW_DEBUG(c->log, "commentary", "race %s: model answer rejected (%s): %s", r->core.race_id,
             llm_check_name(chk), safe);
}

static void on_llm_done(void *ctx, const struct llm_result *res)
{
    struct commentary_race *r = ctx;
    struct commentary *c = r->owner;
    r->req = NULL;
    c->stats.llm_latency_ms_sum += res->latency_ms;
    if (res->latency_ms > c->stats.llm_latency_ms_max)
        c->stats.llm_latency_ms_max = res->latency_ms;
    const char *outcome = llm_status_name(res->status);
    switch (res->status) {
    case LLM_STATUS_OK: {
        struct llm_vocab *vocab = malloc(sizeof *vocab);
        char checked[PW_EVENT_TEXT_MAX];
        enum llm_check_result chk = LLM_CHECK_EMPTY;
        if (vocab) {
            llm_vocab_build(vocab, r->core.have_state ? &r->core.state : NULL, &r->core.meta);
            const char *about[CM_WHO_MAX];
            int n_about = 0;
            for (int i = 0; i < r->line.cand.n_who && i < CM_WHO_MAX; i++)
                about[n_about++] = r->line.cand.who[i].name;
            chk = llm_check_answer(res->content, vocab, about, n_about, checked, sizeof checked);
            if (chk == LLM_CHECK_OK)
                chk = llm_check_facts(checked, &r->facts);
            free(vocab);
        }
        if (chk == LLM_CHECK_OK) {
            c->stats.llm_ok++;
            observe(c, r, res, outcome, true);
            deliver(c, r, checked);
            schedule(c);
            return;
        }
        c->stats.llm_fallback_check_failed++;
        c->stats.llm_check_failed_by[(unsigned)chk < LLM_CHECK_COUNT ? chk : 0]++;
        log_rejected(c, r, chk, res->content);
        outcome = llm_check_name(chk);
        break;
    }
    case LLM_STATUS_TIMEOUT:
        c->stats.llm_fallback_timeout++;
        break;
    case LLM_STATUS_429:
        c->stats.llm_fallback_429++;
        break;
    case LLM_STATUS_BAD_JSON:
        c->stats.llm_fallback_bad_json++;
        break;
    case LLM_STATUS_HTTP_ERROR:
        c->stats.llm_fallback_http_error++;
        break;
    }
    observe(c, r, res, outcome, false);
    deliver(c, r, r->line.text);
    schedule(c);
}

/* Says the line now, or hands it to the model first. */
static void say(struct commentary *c, struct commentary_race *r, int64_t now)
{
    if (!c->llm) {
        deliver(c, r, r->line.text);
        return;
    }
    if (!budget_take(c, now)) {
        c->stats.llm_fallback_budget++;
        deliver(c, r, r->line.text);
        return;
    }
    c->stats.llm_calls++;
    llm_prompt_facts(&r->core, &r->line, &r->facts);
    char *body = llm_prompt_body(&r->core, &r->line, c->model);
    int rc = body ? llm_client_post(c->llm, body, on_llm_done, r, &r->req) : -ENOMEM;
    free(body);
    if (rc < 0) {
        PW_WARN(c->log, "commentary", "race %s: cannot ask the model: %s", r->core.race_id,
                pw_strerror(rc));
        r->req = NULL;
        c->stats.llm_fallback_http_error++;
        deliver(c, r, r->line.text);
    }
}

/* ---- pacing on the loop ---- */

static void on_timer(uv_timer_t *t)
{
    struct commentary *c = t->data;
    int64_t now = loop_now(c);
    c->walking++;
    for (struct commentary_race *r = c->races; r; r = r->next) {
        if (r->dead || r->req)
            continue;
        if (r->held) {
            if (now >= cm_race_slot_at(&r->core)) {
                r->held = false;
                publish(c, r, r->held_text, r->line.kind);
            }
        } else if (cm_race_next(&r->core, now, &r->line)) {
            say(c, r, now);
        }
    }
    c->walking--;
    struct commentary_race *r = c->races;
    while (r) {
        struct commentary_race *next = r->next;
        if (r->dead)
            race_free(c, r);
        r = next;
    }
    schedule(c);
}

/* Frees finished races with nothing left to say and arms the timer for the next due line. */
static void schedule(struct commentary *c)
{
    if (!c->timer_open)
        return;
    int64_t now = loop_now(c), next = -1;
    struct commentary_race *r = c->races;
    while (r) {
        struct commentary_race *following = r->next;
        if (!r->req) {
            int64_t due = r->held ? cm_race_slot_at(&r->core) : cm_race_due(&r->core, now);
            if (due >= 0 && due < now)
                due = now;
            if (due < 0 && r->core.ended) {
                say_done(c, r);
                race_free(c, r);
            } else if (due >= 0 && (next < 0 || due < next))
                next = due;
        }
        r = following;
    }
    if (next < 0)
        uv_timer_stop(&c->timer);
    else
        uv_timer_start(&c->timer, on_timer, (uint64_t)(next - now), 0);
}

static void on_event(void *ctx, const struct pw_event *ev)
{
    struct commentary *c = ctx;
    if (ev->type == PW_EV_COMMENTARY)
        return;
    if (!ev->race_id[0] || !memchr(ev->race_id, '\0', sizeof ev->race_id)) {
        c->stats.events_invalid++;
        return;
    }
    int64_t now = loop_now(c);
    races_expire(c, now);
    struct commentary_race *r = race_get(c, ev->race_id);
    if (!r) {
        c->stats.events_invalid++;
        PW_WARN(c->log, "commentary", "race %s: no room for its context", ev->race_id);
        return;
    }
    if (ev->type == PW_EV_RACE_STOPPED) {
        c->stats.candidates_dropped_stopped += (uint64_t)cm_pacer_clear(&r->core.pacer);
        if (r->req || r->held)
            c->stats.candidates_dropped_stopped++;
        say_done(c, r);
        race_free(c, r);
        schedule(c);
        return;
    }
    if (cm_race_feed(&r->core, ev, now) > 0 || r->core.ended)
        schedule(c);
}

/* ---- life cycle ---- */

static int config_check(const struct commentary_config *cfg, const struct pw_log *log)
{
    const char *why = NULL;
    if (cfg->min_interval_ms < 0 || cfg->min_interval_ms > 600000)
        why = "min_interval_ms must be 0..600000";
    else if (cfg->end_interval_ms < 0 || cfg->end_interval_ms > 600000)
        why = "end_interval_ms must be 0..600000";
    else if (cfg->stale_ms <= 0 || cfg->stale_ms > 600000)
        why = "stale_ms must be 1..600000";
    else if (cfg->merge_window_ms < 0 || cfg->merge_window_ms > 60000)
        why = "merge_window_ms must be 0..60000";
    else if (cfg->llm_endpoint && strncmp(cfg->llm_endpoint, "http://", 7) != 0 &&
             strncmp(cfg->llm_endpoint, "https://", 8) != 0)
        why = "llm_endpoint must be an http:// or https:// URL";
    else if (cfg->llm_endpoint && (!cfg->llm_model || !cfg->llm_model[0]))
        why = "llm_model is required with llm_endpoint";
    else if (cfg->llm_endpoint && (cfg->llm_timeout_ms <= 0 || cfg->llm_timeout_ms > 60000))
        why = "llm_timeout_ms must be 1..60000";
    else if (cfg->llm_calls_per_minute < 0 || cfg->llm_calls_per_minute > MAX_CALLS_PER_MINUTE)
        why = "llm_calls_per_minute must be 0..10000";
    if (why) {
        PW_ERROR(log, "commentary", "invalid configuration: %s", why);
        return -EINVAL;
    }
    return 0;
}

static int llm_start(struct commentary *c, const struct commentary_config *cfg)
{
    const char *key = NULL;
    if (cfg->llm_api_key_env && cfg->llm_api_key_env[0]) {
        key = getenv(cfg->llm_api_key_env);
        if (!key || !key[0])
            PW_WARN(c->log, "commentary", "%s is not set: calling the model without a key",
                    cfg->llm_api_key_env);
    }
    const struct llm_client_config lc = {
        .endpoint = cfg->llm_endpoint, .api_key = key, .timeout_ms = cfg->llm_timeout_ms};
    int rc = llm_client_create(c->loop, &lc, c->log, &c->llm);
    if (rc < 0)
        return rc;
    c->budget_len = cfg->llm_calls_per_minute;
    if (c->budget_len > 0) {
        c->budget = malloc((size_t)c->budget_len * sizeof *c->budget);
        if (!c->budget)
            return -ENOMEM;
        for (int i = 0; i < c->budget_len; i++)
            c->budget[i] = INT64_MIN;
    }
    PW_INFO(c->log, "commentary", "language model %s at %s, %d calls/min", c->model, c->endpoint,
            cfg->llm_calls_per_minute);
    return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
    free(h->data);
}

static void engine_free(struct commentary *c)
{
    while (c->races)
        race_free(c, c->races);
    llm_client_destroy(c->llm);
    c->llm = NULL;
    free(c->budget);
    free(c->endpoint);
    free(c->model);
    c->cfg.llm_endpoint = c->cfg.llm_model = c->cfg.llm_api_key_env = NULL;
    if (c->timer_open) {
        c->timer_open = false;
        uv_timer_stop(&c->timer);
        uv_close((uv_handle_t *)&c->timer, on_timer_closed);
    } else {
        free(c);
    }
}

int commentary_create(uv_loop_t *loop, const struct commentary_config *cfg, struct pw_bus *bus,
                      const struct pw_log *log, struct commentary **out)
{
    int rc = 0;
    if (!loop || !cfg || !bus || !out)
        return -EINVAL;
    rc = config_check(cfg, log);
    if (rc < 0)
        return rc;
    struct commentary *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->loop = loop;
    c->bus = bus;
    c->log = log;
    c->cfg = *cfg;
    c->cfg.llm_api_key_env = NULL; /* not needed after create */
    if (!cfg->enabled) {
        *out = c;
        return 0;
    }
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    c->timer_open = true;
    if (cfg->llm_endpoint) {
        c->endpoint = strdup(cfg->llm_endpoint);
        c->model = strdup(cfg->llm_model);
        if (!c->endpoint || !c->model) {
            rc = -ENOMEM;
            goto out;
        }
        c->cfg.llm_endpoint = c->endpoint;
        c->cfg.llm_model = c->model;
        rc = llm_start(c, cfg);
        if (rc < 0)
            goto out;
    }
    rc = pw_bus_subscribe_events(bus, PW_BUS_RACE, on_event, c);
    if (rc < 0)
        goto out;
    *out = c;
    return 0;
out:
    PW_ERROR(log, "commentary", "cannot start: %s", pw_strerror(rc));
    engine_free(c);
    return rc;
}

void commentary_destroy(struct commentary *c)
{
    if (c)
        engine_free(c);
}

void commentary_get_stats(const struct commentary *c, struct commentary_stats *out)
{
    *out = c->stats;
    struct cm_pacer_counters k = c->done;
    out->races_active = 0;
    for (const struct commentary_race *r = c->races; r; r = r->next) {
        out->races_active += !r->dead;
        k.dropped_stale += r->core.pacer.count.dropped_stale;
        k.dropped_overflow += r->core.pacer.count.dropped_overflow;
        k.merged += r->core.pacer.count.merged;
        k.superseded += r->core.pacer.count.superseded;
    }
    out->candidates_dropped_stale += k.dropped_stale;
    out->candidates_dropped_overflow += k.dropped_overflow;
    out->candidates_merged += k.merged;
    out->candidates_superseded += k.superseded;
}

struct metrics_buf {
    char *s;
    size_t len, used;
    bool full;
};

__attribute__((format(printf, 2, 3))) static void mput(struct metrics_buf *m, const char *fmt, ...)
{
    if (m->full)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(m->s + m->used, m->len - m->used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= m->len - m->used) {
        m->full = true;
        return;
    }
    m->used += (size_t)n;
}

static void counter(struct metrics_buf *m, const char *name, const char *help, uint64_t v)
{
    mput(m,
         "# HELP pitwall_commentary_%s %s\n# TYPE pitwall_commentary_%s counter\n"
         "pitwall_commentary_%s %llu\n",
         name, help, name, name, (unsigned long long)v);
}

int commentary_format_metrics(const struct commentary *c, char *buf, size_t len)
{
    if (!c || !buf || len == 0)
        return -EINVAL;
    struct commentary_stats s;
    commentary_get_stats(c, &s);
    struct metrics_buf m = {buf, len, 0, false};
    buf[0] = '\0';
    counter(&m, "lines_published_total", "Commentary lines published.", s.lines_published);
    counter(&m, "candidates_dropped_stale_total", "Candidate lines dropped as stale.",
            s.candidates_dropped_stale);
    counter(&m, "candidates_merged_total", "Candidate lines merged into another line.",
            s.candidates_merged);
    counter(&m, "candidates_superseded_total",
            "Candidate lines replaced by a newer one of the same kind.", s.candidates_superseded);
    counter(&m, "candidates_dropped_overflow_total",
            "Candidate lines dropped because a race's queue was full.",
            s.candidates_dropped_overflow);
    counter(&m, "candidates_dropped_stopped_total",
            "Candidate lines dropped because their race was stopped.",
            s.candidates_dropped_stopped);
    counter(&m, "events_invalid_total", "Race events ignored (no race id, no room).",
            s.events_invalid);
    counter(&m, "races_expired_total", "Race contexts freed after going silent.", s.races_expired);
    counter(&m, "races_done_total", "Done markers published: races the engine said its last of.",
            s.races_done);
    counter(&m, "llm_calls_total", "Calls made to the language model.", s.llm_calls);
    counter(&m, "llm_ok_total", "Model answers that passed the checks and went out.", s.llm_ok);
    mput(&m, "# HELP pitwall_commentary_llm_fallback_total Rules lines sent instead of the "
             "model's, by reason.\n# TYPE pitwall_commentary_llm_fallback_total counter\n");
    const struct {
        const char *reason;
        uint64_t v;
    } fb[] = {{"timeout", s.llm_fallback_timeout},
              {"http_error", s.llm_fallback_http_error},
              {"429", s.llm_fallback_429},
              {"bad_json", s.llm_fallback_bad_json},
              {"check_failed", s.llm_fallback_check_failed},
              {"budget", s.llm_fallback_budget}};
    for (size_t i = 0; i < sizeof fb / sizeof fb[0]; i++)
        mput(&m, "pitwall_commentary_llm_fallback_total{reason=\"%s\"} %llu\n", fb[i].reason,
             (unsigned long long)fb[i].v);
    mput(&m, "# HELP pitwall_commentary_llm_check_failed_total Model answers rejected, by "
             "check.\n# TYPE pitwall_commentary_llm_check_failed_total counter\n");
    for (int i = 1; i < LLM_CHECK_COUNT; i++)
        mput(&m, "pitwall_commentary_llm_check_failed_total{check=\"%s\"} %llu\n",
             llm_check_name((enum llm_check_result)i),
             (unsigned long long)s.llm_check_failed_by[i]);
    mput(&m,
         "# HELP pitwall_commentary_races_active Race contexts held.\n"
         "# TYPE pitwall_commentary_races_active gauge\npitwall_commentary_races_active %llu\n",
         (unsigned long long)s.races_active);
    mput(&m,
         "# HELP pitwall_commentary_llm_latency_ms_sum Total time waiting for the model.\n"
         "# TYPE pitwall_commentary_llm_latency_ms_sum counter\n"
         "pitwall_commentary_llm_latency_ms_sum %.1f\n",
         s.llm_latency_ms_sum);
    if (m.full)
        return -ENOSPC;
    return (int)m.used;
}
