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
