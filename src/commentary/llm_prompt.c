#include "commentary/llm_prompt.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TOP_N 6

static const char system_prompt[] =
    "You are a Formula 1 TV commentator. Answer with one short line of live commentary "
    "about the event, at most 90 characters, plain text on one line: no quotes, no emoji, "
    "no hashtags, no lists. Use only driver surnames from the message.";

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

void llm_prompt_user(const struct cm_race *race, const struct cm_line *line, char *out,
                     size_t len)
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
    put(&o, "Names you may use:");
    for (int i = 0; i < line->cand.n_who; i++)
        put(&o, "%s %s", i ? "," : "", line->cand.who[i].name);
    if (line->cand.n_who == 0 && st && st->n_cars > 0) {
        char name[CM_SHORT_NAME_MAX];
        cm_rules_short_name(st->cars[0].driver.name, name, sizeof name);
        put(&o, " %s", name);
    }
    put(&o, ".\nWrite the commentary line.");
}

char *llm_prompt_body(const struct cm_race *race, const struct cm_line *line,
                      const char *model)
{
    char user[1536];
    llm_prompt_user(race, line, user, sizeof user);
    json_t *root = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}], s:i, s:f, s:b}", "model",
                             model ? model : "", "messages", "role", "system", "content",
                             system_prompt, "role", "user", "content", user, "max_tokens", 48,
                             "temperature", 0.7, "stream", 0);
    if (!root)
        return NULL;
    char *body = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return body;
}
