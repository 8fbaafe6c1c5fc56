#include "commentary/cm_race.h"

#include <stdio.h>
#include <string.h>

void cm_race_init(struct cm_race *r, const char *race_id, const struct cm_pacer_config *pc)
{
    memset(r, 0, sizeof *r);
    snprintf(r->race_id, sizeof r->race_id, "%s", race_id);
    snprintf(r->meta.race_id, sizeof r->meta.race_id, "%s", race_id);
    cm_rules_init(&r->rules, "");
    cm_pacer_init(&r->pacer, pc);
    cm_phrase_init(&r->phrase, race_id);
}

int cm_race_feed(struct cm_race *r, const struct pw_event *ev, int64_t now_ms)
{
    r->last_event_ms = now_ms;
    if (ev->meta && !r->have_meta) {
        r->meta = *ev->meta;
        /* the race id of record is the one events are routed by */
        snprintf(r->meta.race_id, sizeof r->meta.race_id, "%s", r->race_id);
        r->have_meta = true;
        snprintf(r->rules.picked, sizeof r->rules.picked, "%s", r->meta.selected_number);
    }
    if (ev->state) {
        r->state = *ev->state;
        r->have_state = true;
    }
    if (ev->type == PW_EV_CLASSIFICATION)
        r->ended = true;
    struct cm_candidate cands[4];
    int n = cm_rules_feed(&r->rules, ev, now_ms, cands, 4);
    for (int i = 0; i < n; i++)
        cm_pacer_push(&r->pacer, &cands[i]);
    return n;
}

int cm_race_next(struct cm_race *r, int64_t now_ms, struct cm_line *out)
{
    memset(out, 0, sizeof *out);
    if (!cm_pacer_take(&r->pacer, now_ms, &out->cand))
        return 0;
    int id = cm_phrase_render(&r->phrase, &out->cand, out->text, sizeof out->text);
    if (id < 0)
        return 0; /* unreachable: every fact has templates; the pacer counted nothing lost */
    out->template_id = id;
    out->kind = out->cand.kind;
    return 1;
}

void cm_race_mark_sent(struct cm_race *r, int64_t now_ms)
{
    r->seq++;
    cm_pacer_mark_sent(&r->pacer, now_ms);
}

int64_t cm_race_due(const struct cm_race *r, int64_t now_ms)
{
    return cm_pacer_next_due(&r->pacer, now_ms);
}

int64_t cm_race_slot_at(const struct cm_race *r)
{
    return cm_pacer_slot_at(&r->pacer);
}
