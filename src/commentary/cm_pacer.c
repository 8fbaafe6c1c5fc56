#include "commentary/cm_pacer.h"

#include <string.h>

/* Facts where only the newest pending one matters. 0: none. */
static int supersede_group(enum cm_fact f)
{
    switch (f) {
    case CM_FACT_LEAD_PASS:
    case CM_FACT_LEAD_INHERIT:
        return 1;
    case CM_FACT_FASTEST_LAP:
    case CM_FACT_PROVISIONAL_POLE:
        return 2;
    case CM_FACT_SESSION_RED:
    case CM_FACT_SESSION_RESUME:
        return 5;
    case CM_FACT_SAFETY_CAR:
    case CM_FACT_VSC:
    case CM_FACT_RED_FLAG:
    case CM_FACT_RESTART:
        return 3;
    case CM_FACT_FINAL_LAP: /* always before the flag: a pending one is old news then */
    case CM_FACT_CHEQUERED:
        return 4;
    default:
        return 0;
    }
}

static bool mergeable(enum cm_fact f)
{
    return f == CM_FACT_PIT || f == CM_FACT_RETIREMENT;
}

/* What is said when a race is over: the viewer must hear it before the stream ends. */
static bool ends_race(enum cm_fact f)
{
    return f == CM_FACT_CHEQUERED || f == CM_FACT_PENALTY_ADDED || f == CM_FACT_PODIUM;
}

static bool never_stale(enum cm_fact f)
{
    return ends_race(f) || f == CM_FACT_SESSION_END || f == CM_FACT_KNOCKED_OUT;
}

void cm_pacer_init(struct cm_pacer *p, const struct cm_pacer_config *cfg)
{
    memset(p, 0, sizeof *p);
    p->cfg = *cfg;
    if (p->cfg.end_interval_ms <= 0 || p->cfg.end_interval_ms > p->cfg.min_interval_ms)
        p->cfg.end_interval_ms = p->cfg.min_interval_ms;
    if (p->cfg.lead_ms < 0)
        p->cfg.lead_ms = 0;
    if (p->cfg.lead_ms > p->cfg.min_interval_ms)
        p->cfg.lead_ms = p->cfg.min_interval_ms;
}

static int64_t interval(const struct cm_pacer *p)
{
    return p->race_ending ? p->cfg.end_interval_ms : p->cfg.min_interval_ms;
}

int64_t cm_pacer_slot_at(const struct cm_pacer *p)
{
    return p->sent_any ? p->last_sent_ms + interval(p) : INT64_MIN;
}

/* When the next line may be chosen. */
static int64_t choose_at(const struct cm_pacer *p)
{
    int64_t lead = p->cfg.lead_ms < interval(p) ? p->cfg.lead_ms : interval(p);
    return p->sent_any ? p->last_sent_ms + interval(p) - lead : INT64_MIN;
}

static void remove_at(struct cm_pacer *p, int i)
{
    memmove(&p->pending[i], &p->pending[i + 1], (size_t)(p->n - i - 1) * sizeof p->pending[0]);
    p->n--;
}

void cm_pacer_push(struct cm_pacer *p, const struct cm_candidate *c)
{
    if (ends_race(c->fact))
        p->race_ending = true;
    int group = supersede_group(c->fact);
    if (group) {
        for (int i = p->n - 1; i >= 0; i--) {
            if (supersede_group(p->pending[i].fact) == group) {
                remove_at(p, i);
                p->count.superseded++;
            }
        }
    }
    if (p->n == CM_PACER_MAX_PENDING) {
        int low = 0;
        for (int i = 1; i < p->n; i++) {
            if (p->pending[i].priority < p->pending[low].priority)
                low = i;
        }
        p->count.dropped_overflow++;
        if (c->priority <= p->pending[low].priority)
            return;
        remove_at(p, low);
    }
    p->pending[p->n++] = *c;
}

static void drop_stale(struct cm_pacer *p, int64_t now_ms)
{
    for (int i = p->n - 1; i >= 0; i--) {
        const struct cm_candidate *c = &p->pending[i];
        if (!never_stale(c->fact) && now_ms - c->born_ms > p->cfg.stale_ms) {
            remove_at(p, i);
            p->count.dropped_stale++;
        }
    }
}

static int64_t eligible_at(const struct cm_pacer *p, const struct cm_candidate *c)
{
    return mergeable(c->fact) ? c->born_ms + p->cfg.merge_window_ms : c->born_ms;
}

int cm_pacer_take(struct cm_pacer *p, int64_t now_ms, struct cm_candidate *out)
{
    drop_stale(p, now_ms);
    if (now_ms < choose_at(p))
        return 0;
    int best = -1;
    for (int i = 0; i < p->n; i++) {
        if (eligible_at(p, &p->pending[i]) > now_ms)
            continue;
        if (best < 0 || p->pending[i].priority > p->pending[best].priority)
            best = i; /* strict '>' keeps the oldest of equals: the queue is in arrival order */
    }
    if (best < 0)
        return 0;
    *out = p->pending[best];
    remove_at(p, best);
    if (out->fact == CM_FACT_PODIUM) {
        /* the podium is the last word on a race: what is still pending is history, but for
         * time added at the flag, which changes the result */
        for (int i = p->n - 1; i >= 0; i--) {
            if (p->pending[i].fact != CM_FACT_PENALTY_ADDED) {
                remove_at(p, i);
                p->count.dropped_stale++;
            }
        }
    }
    if (!mergeable(out->fact))
        return 1;
    int folded = 0;
    for (int i = 0; i < p->n && out->n_who < CM_WHO_MAX;) {
        const struct cm_candidate *c = &p->pending[i];
        if (c->fact != out->fact) {
            i++;
            continue;
        }
        out->who[out->n_who++] = c->who[0];
        if (c->priority > out->priority)
            out->priority = c->priority;
        out->picked = out->picked || c->picked;
        remove_at(p, i);
        folded++;
    }
    if (folded) {
        p->count.merged += (uint64_t)folded;
        out->fact = out->fact == CM_FACT_PIT ? CM_FACT_PIT_MULTI : CM_FACT_RETIRE_MULTI;
    }
    return 1;
}

void cm_pacer_mark_sent(struct cm_pacer *p, int64_t now_ms)
{
    p->sent_any = true;
    p->last_sent_ms = now_ms;
}

int64_t cm_pacer_next_due(const struct cm_pacer *p, int64_t now_ms)
{
    if (p->n == 0)
        return -1;
    int64_t gate = p->sent_any ? choose_at(p) : now_ms;
    int64_t due = INT64_MAX;
    for (int i = 0; i < p->n; i++) {
        const struct cm_candidate *c = &p->pending[i];
        int64_t t = eligible_at(p, c);
        if (t < gate)
            t = gate;
        if (t < due)
            due = t;
        if (!never_stale(c->fact) && c->born_ms + p->cfg.stale_ms + 1 < due)
            due = c->born_ms + p->cfg.stale_ms + 1;
    }
    return due < now_ms ? now_ms : due;
}

int cm_pacer_clear(struct cm_pacer *p)
{
    int n = p->n;
    p->n = 0;
    return n;
}
