#include "commentary/llm_prompt.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TOP_N 3

/* Short and plain: small local models follow a short prompt and one example better than
 * long instructions, and the example names nobody, so it cannot leak a name. */
static const char system_prompt[] =
    "You are a Formula 1 TV commentator. Reply with one exciting sentence about the event, "
    "under 15 words, plain text. Name only drivers from the message.";
static const char example_user[] =
    "Race: Monza, lap 20 of 53, track sc.\nEvent: Safety car deployed.\n"
    "One line of commentary:";
static const char example_answer[] = "The safety car is out and the field bunches up behind it!";

struct out_buf {
    char *s;
    size_t len, used;
};

__attribute__((format(printf, 2, 3))) static void put(struct out_buf *o, const char *fmt, ...)
{
    if (o->used + 1 >= o->len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->s + o->used, o->len - o->used, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->used += (size_t)n < o->len - o->used ? (size_t)n : o->len - o->used - 1;
}

void llm_prompt_user(const struct cm_race *race, const struct cm_line *line, char *out, size_t len)
{
    struct out_buf o = {out, len, 0};
    out[0] = '\0';
    const struct pw_race_state *st = race->have_state ? &race->state : NULL;
    const char *place = st && st->circuit[0] ? st->circuit : race->meta.title;
    put(&o, "Race: %s", place[0] ? place : "Formula 1");
    if (st && st->lap > 0)
        put(&o, ", lap %d of %d", st->lap, st->total_laps);
    if (st)
        put(&o, ", track %s", pw_track_name(st->track));
    put(&o, ".\n");
    if (st && st->n_cars > 0) {
        put(&o, "Running order:");
        for (int i = 0; i < st->n_cars && i < TOP_N; i++) {
            char name[CM_SHORT_NAME_MAX];
            cm_rules_short_name(st->cars[i].driver.name, name, sizeof name);
            put(&o, "%s P%d %s", i ? "," : "", i + 1, name);
        }
        put(&o, ".\n");
        int p = race->rules.picked[0] ? pw_state_find_car(st, race->rules.picked) : -1;
        if (p >= 0) {
            char name[CM_SHORT_NAME_MAX];
            cm_rules_short_name(st->cars[p].driver.name, name, sizeof name);
            put(&o, "The viewer supports %s, running P%d.\n", name, p + 1);
        }
    }
    put(&o, "Event: %s\n", line->text);
    if (line->cand.n_who > 0) {
        put(&o, "Names you may use:");
        for (int i = 0; i < line->cand.n_who; i++)
            put(&o, "%s %s", i ? "," : "", line->cand.who[i].name);
        put(&o, ".\n");
    }
    put(&o, "One line of commentary:");
}

/* Index of the driver of the facts with this number or, without a state, this name. */
static int facts_find(struct llm_facts *f, const struct pw_race_state *st, const struct cm_who *w)
{
    int i = st ? pw_state_find_car(st, w->number) : -1;
    if (i >= 0)
        return i;
    for (i = 0; i < f->n; i++) {
        if (strcmp(f->d[i].name, w->name) == 0)
            return i;
    }
    if (f->n == PW_MAX_CARS)
        return -1;
    /* not in the state (none yet): the event's own name stands for the driver */
    struct llm_fact_driver *d = &f->d[f->n];
    snprintf(d->full, sizeof d->full, "%s", w->name);
    snprintf(d->name, sizeof d->name, "%s", w->name);
    return f->n++;
}

/* The selected driver's team as the meta gives it, where the state gives none (or there is
 * no state): the viewer's driver's team is a fact whenever that driver is. */
static void facts_selected_team(struct llm_facts *f, const struct cm_race *race)
{
    const struct pw_race_meta *m = &race->meta;
    if (!race->have_meta || !m->selected_team[0])
        return;
    const struct pw_race_state *st = race->have_state ? &race->state : NULL;
    int i = st && m->selected_number[0] ? pw_state_find_car(st, m->selected_number) : -1;
    if (i < 0 && m->selected_name[0]) {
        char name[CM_SHORT_NAME_MAX];
        cm_rules_short_name(m->selected_name, name, sizeof name);
        for (int k = 0; k < f->n && i < 0; k++)
            i = strcmp(f->d[k].name, name) == 0 ? k : -1;
    }
    if (i >= 0 && i < f->n && !f->d[i].team[0])
        snprintf(f->d[i].team, sizeof f->d[i].team, "%s", m->selected_team);
}

void llm_prompt_facts(const struct cm_race *race, const struct cm_line *line, struct llm_facts *f)
{
    const struct pw_race_state *st = race->have_state ? &race->state : NULL;
    const struct cm_candidate *c = &line->cand;
    memset(f, 0, sizeof *f);
    if (st) {
        f->n = st->n_cars < PW_MAX_CARS ? st->n_cars : PW_MAX_CARS;
        for (int i = 0; i < f->n; i++) {
            snprintf(f->d[i].full, sizeof f->d[i].full, "%s", st->cars[i].driver.name);
            cm_rules_short_name(st->cars[i].driver.name, f->d[i].name, sizeof f->d[i].name);
            snprintf(f->d[i].team, sizeof f->d[i].team, "%s", st->cars[i].driver.team);
        }
        f->total_laps = st->total_laps;
        if (st->lap > 0)
            f->lap = st->lap;
        /* what the message says: the top of the order and the viewer's driver */
        for (int i = 0; i < f->n && i < TOP_N; i++)
            llm_facts_give(f, i, i + 1, true);
        int p = race->rules.picked[0] ? pw_state_find_car(st, race->rules.picked) : -1;
        llm_facts_give(f, p, p + 1, true);
    }
    /* the event's drivers: their places after and before it, and where they are now */
    for (int k = 0; k < c->n_who && k < CM_WHO_MAX; k++) {
        int i = facts_find(f, st, &c->who[k]);
        bool in_state = st && i < st->n_cars;
        llm_facts_give(f, i, c->who[k].pos, !in_state);
        llm_facts_give(f, i, c->who[k].from_pos, false);
        if (in_state)
            llm_facts_give(f, i, i + 1, true);
    }
    switch (c->fact) {
    case CM_FACT_LEAD_PASS:
    case CM_FACT_PODIUM_PASS:
    case CM_FACT_PICKED_GAINS:
    case CM_FACT_PICKED_LOSES:
    case CM_FACT_TEAM_ORDERS:
        /* the place fought for (or given up): the passed car held it before, the passer the next */
        if (c->n_who > 1 && c->pos > 0) {
            llm_facts_give(f, facts_find(f, st, &c->who[1]), c->pos, false);
            llm_facts_give(f, facts_find(f, st, &c->who[0]), c->pos + 1, false);
        }
        break;
    case CM_FACT_FINAL_LAP:
        for (int k = 0; k < c->n_who && k < 2; k++)
            llm_facts_give(f, facts_find(f, st, &c->who[k]), k + 1, false);
        break;
    case CM_FACT_CHEQUERED:
        if (c->n_who > 0 && !c->penalty_owed) {
            llm_facts_give(f, facts_find(f, st, &c->who[0]), 1, true);
        } else if (c->n_who > 0) {
            /* first on the road with a penalty to come: P1 stays a fact, the win is none */
            int i = facts_find(f, st, &c->who[0]);
            if (i >= 0)
                f->d[i].now = 0;
        }
        break;
    default:
        break;
    }
    if (c->lap_ms > 0)
        f->times_ms[f->n_times++] = c->lap_ms;
    if (c->gap_ms > 0)
        f->times_ms[f->n_times++] = c->gap_ms;
    /* a penalty's seconds: "a 5-second penalty", "10 seconds added" */
    if (c->penalty_s > 0)
        f->times_ms[f->n_times++] = (int64_t)c->penalty_s * 1000;
    f->n_about = c->n_who;
    facts_selected_team(f, race);
}

char *llm_prompt_body(const struct cm_race *race, const struct cm_line *line, const char *model)
{
    char user[1536];
    llm_prompt_user(race, line, user, sizeof user);
    /* stop at the first newline: the answer must be one line, and a small model that goes
     * on rambling is cut where it would fail the check anyway */
    json_t *root = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}], "
                             "s:i, s:f, s:[s], s:b}",
                             "model", model ? model : "", "messages", "role", "system", "content",
                             system_prompt, "role", "user", "content", example_user, "role",
                             "assistant", "content", example_answer, "role", "user", "content",
                             user, "max_tokens", 40, "temperature", 0.6, "stop", "\n", "stream", 0);
    if (!root)
        return NULL;
    char *body = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return body;
}
