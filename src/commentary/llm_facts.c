/* llm_facts.c — a model's line held to the facts it was given (see llm_facts.h).
 *
 * The line is cut into words, numbers and sentence ends; each claim (a driver named, a
 * place, a lap, a time, any other number) is then looked up in the facts. The reading is
 * deliberately narrow: a line it cannot tie to the facts is refused, and the rules' own
 * line goes out instead, so a misreading costs a livelier line, never a wrong one. */
#include "commentary/llm_facts.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TOKENS 128

enum tok_type { TOK_WORD, TOK_NUM, TOK_END };

struct tok {
    enum tok_type type;
    const char *s;
    size_t n;
    bool joined; /* nothing at all between it and the previous token ("P" "10") */
    bool spaced; /* only spaces between it and the previous token */
    int driver;  /* words: index of the driver named, -1 for none */
    bool team;   /* words: a word of a team's name (team_word) */
    /* numbers */
    long value; /* whole part; for times the time in ms */
    bool is_time;
    int64_t unit_ms;
};

struct reader {
    struct tok t[MAX_TOKENS];
    int n;
};

static bool is_letter(unsigned char b)
{
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b >= 0x80;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool word_is(const struct tok *t, const char *w)
{
    return t->type == TOK_WORD && strlen(w) == t->n && strncasecmp(t->s, w, t->n) == 0;
}

static bool word_in(const struct tok *t, const char *const *list)
{
    for (; *list; list++) {
        if (word_is(t, *list))
            return true;
    }
    return false;
}

/* A typographic apostrophe (U+2019) ends a word: "Norris’s" is "Norris" and "s". */
static bool at_apostrophe(const char *p)
{
    const unsigned char *b = (const unsigned char *)p;
    return b[0] == 0xE2 && b[1] == 0x80 && b[2] == 0x99; /* stops at a NUL */
}

/* Digits with ':' or '.' between digit runs ("1:21.234", "0.9"): a time when it has them. */
static void read_number(struct tok *t, const char *p, const char **end)
{
    const char *s = p;
    long whole = 0, minutes = 0;
    int decimals = -1;
    int64_t frac = 0;
    bool colon = false;
    for (;;) {
        while (is_digit(*p)) {
            if (decimals >= 0) {
                if (decimals < 3)
                    frac = frac * 10 + (*p - '0');
                decimals++;
            } else if (whole < 1000000) {
                whole = whole * 10 + (*p - '0');
            }
            p++;
        }
        if (*p == ':' && is_digit(p[1]) && !colon && decimals < 0) {
            colon = true;
            minutes = whole;
            whole = 0;
            p++;
        } else if (*p == '.' && is_digit(p[1]) && decimals < 0) {
            decimals = 0;
            p++;
        } else {
            break;
        }
    }
    t->s = s;
    t->n = (size_t)(p - s);
    t->is_time = colon || decimals >= 0;
    if (t->is_time) {
        int used = decimals > 3 ? 3 : (decimals < 0 ? 0 : decimals);
        for (int i = used; i < 3; i++)
            frac *= 10;
        t->value = (minutes * 60 + whole) * 1000 + (long)frac;
        t->unit_ms = used == 3 ? 1 : (used == 2 ? 10 : (used == 1 ? 100 : 1000));
    } else {
        t->value = whole;
    }
    *end = p;
}

static void read_tokens(struct reader *r, const char *line)
{
    const char *p = line, *prev_end = line;
    r->n = 0;
    while (*p && r->n < MAX_TOKENS) {
        struct tok *t = &r->t[r->n];
        memset(t, 0, sizeof *t);
        t->driver = -1;
        if (is_digit(*p)) {
            t->type = TOK_NUM;
            read_number(t, p, &p);
        } else if (is_letter((unsigned char)*p) && !at_apostrophe(p)) {
            t->type = TOK_WORD;
            t->s = p;
            while (*p && is_letter((unsigned char)*p) && !at_apostrophe(p))
                p++;
            t->n = (size_t)(p - t->s);
        } else if (strchr(".!?;", *p)) {
            t->type = TOK_END;
            t->s = p++;
            t->n = 1;
        } else {
            p += at_apostrophe(p) ? 3 : 1;
            continue;
        }
        t->joined = t->s == prev_end;
        t->spaced = true;
        for (const char *q = prev_end; q < t->s; q++)
            t->spaced = t->spaced && *q == ' ';
        prev_end = t->s + t->n;
        r->n++;
    }
}

/* The words of `text` (letters only), one at a time. */
static bool next_word(const char **p, const char **w, size_t *n)
{
    const char *s = *p;
    while (*s && !is_letter((unsigned char)*s))
        s++;
    if (!*s)
        return false;
    *w = s;
    while (*s && is_letter((unsigned char)*s))
        s++;
    *n = (size_t)(s - *w);
    *p = s;
    return true;
}

static bool text_has_word(const char *text, const struct tok *t)
{
    const char *p = text, *w;
    size_t n;
    while (next_word(&p, &w, &n)) {
        if (n == t->n && strncmp(w, t->s, n) == 0)
            return true;
    }
    return false;
}

/* The driver whose on-air name ends with this word, else whose first names include it. */
static int find_driver(const struct llm_facts *f, const struct tok *t)
{
    for (int i = 0; i < f->n; i++) {
        const char *last = NULL, *p = f->d[i].name, *w;
        size_t n = 0, last_n = 0;
        while (next_word(&p, &w, &n)) {
            last = w;
            last_n = n;
        }
        if (last && last_n == t->n && strncmp(last, t->s, n) == 0)
            return i;
    }
    for (int i = 0; i < f->n; i++) {
        if (text_has_word(f->d[i].full, t) && !text_has_word(f->d[i].name, t))
            return i;
    }
    return -1;
}

/* A word that names a team of the race: a word of a driver's team name ("McLaren", "Bull"
 * of "Red Bull", "Aston"), compared as the vocabulary compares it, but no racing word ("Red"
 * of a red flag, "Team") and no single letter ("F" of "Haas F1 Team"). */
static bool team_word(const struct llm_facts *f, const struct tok *t)
{
    char w[LLM_WORD_MAX];
    if (t->n < 2 || t->n >= sizeof w)
        return false;
    memcpy(w, t->s, t->n);
    w[t->n] = '\0';
    if (llm_check_racing_word(w))
        return false;
    for (int i = 0; i < f->n; i++) {
        if (text_has_word(f->d[i].team, t))
            return true;
    }
    return false;
}

static bool has_place(const struct llm_fact_driver *d, long place)
{
    for (int i = 0; i < d->n_places; i++) {
        if (d->places[i] == place)
            return true;
    }
    return false;
}

static bool any_place(const struct llm_facts *f, long place)
{
    for (int i = 0; i < f->n; i++) {
        if (f->d[i].given && has_place(&f->d[i], place))
            return true;
    }
    return false;
}

static bool is_lap_fact(const struct llm_facts *f, long v)
{
    if (v < 1)
        return false;
    if (v == f->total_laps)
        return true;
    return f->lap > 0 &&
           (v == f->lap || v == f->total_laps - f->lap || v == f->total_laps - f->lap + 1);
}

/* A time of the facts, rounded or cut to the digits given (`unit_ms`: one unit of the last
 * digit). */
static enum llm_check_result check_time(const struct llm_facts *f, int64_t ms, int64_t unit_ms)
{
    for (int i = 0; i < f->n_times; i++) {
        int64_t t = f->times_ms[i];
        int64_t cut = t - t % unit_ms, rounded = (t + unit_ms / 2) - (t + unit_ms / 2) % unit_ms;
        if (ms == cut || ms == rounded)
            return LLM_CHECK_OK;
    }
    return LLM_CHECK_WRONG_FACT;
}

static const char *const number_words[] = {
    "zero",    "one",       "two",      "three",    "four",   "five",     "six",      "seven",
    "eight",   "nine",      "ten",      "eleven",   "twelve", "thirteen", "fourteen", "fifteen",
    "sixteen", "seventeen", "eighteen", "nineteen", "twenty", NULL};
static const char *const ordinal_words[] = {
    "zeroth",     "first",      "second",     "third",     "fourth",    "fifth",
    "sixth",      "seventh",    "eighth",     "ninth",     "tenth",     "eleventh",
    "twelfth",    "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth", "twentieth",  NULL};
/* Words that say a driver is in front: P1. */
static const char *const lead_words[] = {"lead", "leads",  "leading", "leader",  "win",    "wins",
                                         "won",  "winner", "winning", "victory", "victor", NULL};
/* Words that may stand capitalised before a driver's name without being a name. */
static const char *const before_name_ok[] = {
    "And",    "But",       "The",     "Oh",        "Wow",          "What",  "Now",
    "So",     "Yes",       "Well",    "Then",      "As",           "For",   "Look",
    "Here",   "There",     "Go",      "Watch",     "Brilliant",    "Great", "Incredible",
    "Superb", "Stunning",  "Amazing", "Fantastic", "Unbelievable", "Poor",  "Lucky",
    "It",     "Meanwhile", "Behind",  "Ahead",     "Past",         NULL};

static int word_value(const struct tok *t, const char *const *list)
{
    for (int i = 0; list[i]; i++) {
        if (word_is(t, list[i]))
            return i;
    }
    return -1;
}

/* The nearest driver named before token `k` in its sentence, else after it; -1 if none. */
static int nearest_driver(const struct reader *r, int k)
{
    for (int i = k - 1; i >= 0 && r->t[i].type != TOK_END; i--) {
        if (r->t[i].driver >= 0)
            return r->t[i].driver;
    }
    for (int i = k + 1; i < r->n && r->t[i].type != TOK_END; i++) {
        if (r->t[i].driver >= 0)
            return r->t[i].driver;
    }
    return -1;
}

static enum llm_check_result check_place(const struct llm_facts *f, const struct reader *r, int k,
                                         long place)
{
    int d = nearest_driver(r, k);
    bool ok = d >= 0 ? has_place(&f->d[d], place) : any_place(f, place);
    return ok ? LLM_CHECK_OK : LLM_CHECK_WRONG_FACT;
}

/* A team named: the nearest driver's team (no driver: the team of a driver the prompt
 * gives). Compared by the word, so "Red Bull" is Red Bull's by either of its words. */
static enum llm_check_result check_team(const struct llm_facts *f, const struct reader *r, int k)
{
    const struct tok *t = &r->t[k];
    int d = nearest_driver(r, k);
    if (d >= 0)
        return text_has_word(f->d[d].team, t) ? LLM_CHECK_OK : LLM_CHECK_WRONG_FACT;
    for (int i = 0; i < f->n; i++) {
        if (f->d[i].given && text_has_word(f->d[i].team, t))
            return LLM_CHECK_OK;
    }
    return LLM_CHECK_WRONG_FACT;
}

/* "leads", "wins": the nearest driver is P1 now (no driver: someone is). */
static enum llm_check_result check_leader(const struct llm_facts *f, const struct reader *r, int k)
{
    int d = nearest_driver(r, k);
    return d < 0 || f->d[d].now == 1 ? LLM_CHECK_OK : LLM_CHECK_WRONG_FACT;
}

static const struct tok *tok_at(const struct reader *r, int i)
{
    static const struct tok none = {.type = TOK_END, .driver = -1};
    return i >= 0 && i < r->n ? &r->t[i] : &none;
}

/* What kind of claim the number (or number word) at `k` makes, read from its neighbours. */
enum claim { CLAIM_NUMBER, CLAIM_PLACE, CLAIM_LAP };

static enum claim number_claim(const struct reader *r, int k, int *skip)
{
    const struct tok *prev = tok_at(r, k - 1), *next = tok_at(r, k + 1);
    const struct tok *after = tok_at(r, k + 2);
    *skip = 0;
    if (r->t[k].type == TOK_NUM && next->joined &&
        (word_is(next, "st") || word_is(next, "nd") || word_is(next, "rd") ||
         word_is(next, "th"))) {
        *skip = 1;
        return word_is(after, "lap") ? CLAIM_LAP : CLAIM_PLACE;
    }
    if (word_is(prev, "P") && (prev->spaced || r->t[k].joined))
        return CLAIM_PLACE;
    if (word_is(prev, "position") || word_is(prev, "place") || word_is(prev, "positions"))
        return CLAIM_PLACE;
    if (word_is(prev, "lap") || word_is(prev, "laps") || word_is(next, "lap") ||
        word_is(next, "laps") || (word_is(next, "to") && word_is(after, "go")))
        return CLAIM_LAP;
    return CLAIM_NUMBER;
}

static bool is_fact_number(const struct llm_facts *f, long v)
{
    return any_place(f, v) || is_lap_fact(f, v) || (f->n_about > 0 && v == f->n_about);
}

static enum llm_check_result check_number(const struct llm_facts *f, const struct reader *r, int k,
                                          long v, int *skip)
{
    switch (number_claim(r, k, skip)) {
    case CLAIM_PLACE:
        return check_place(f, r, k, v);
    case CLAIM_LAP:
        return is_lap_fact(f, v) ? LLM_CHECK_OK : LLM_CHECK_WRONG_FACT;
    case CLAIM_NUMBER:
        break;
    }
    return is_fact_number(f, v) ? LLM_CHECK_OK : LLM_CHECK_NUMBERS;
}

static bool is_time_unit(const struct tok *t)
{
    return word_is(t, "s") || word_is(t, "sec") || word_is(t, "secs") || word_is(t, "second") ||
           word_is(t, "seconds");
}

static enum llm_check_result check_names(const struct llm_facts *f, struct reader *r)
{
    for (int i = 0; i < r->n; i++) {
        struct tok *t = &r->t[i];
        if (t->type != TOK_WORD || t->s[0] < 'A' || t->s[0] > 'Z')
            continue;
        t->driver = find_driver(f, t);
        if (t->driver < 0) {
            t->team = team_word(f, t);
            continue;
        }
        if (!f->d[t->driver].given)
            return LLM_CHECK_UNKNOWN_NAME;
        /* "Ronel Norris": a capitalised word before the name must be part of it */
        const struct tok *prev = tok_at(r, i - 1);
        if (i > 0 && prev->type == TOK_WORD && t->spaced && prev->s[0] >= 'A' &&
            prev->s[0] <= 'Z' && !text_has_word(f->d[t->driver].full, prev) &&
            !word_in(prev, before_name_ok))
            return LLM_CHECK_UNKNOWN_NAME;
    }
    return LLM_CHECK_OK;
}

enum llm_check_result llm_check_facts(const char *line, const struct llm_facts *f)
{
    struct reader *r = malloc(sizeof *r);
    if (!r)
        return LLM_CHECK_EMPTY;
    read_tokens(r, line);
    enum llm_check_result res = check_names(f, r);
    for (int k = 0; k < r->n && res == LLM_CHECK_OK; k++) {
        const struct tok *t = &r->t[k];
        int skip = 0;
        if (t->type == TOK_NUM) {
            if (t->is_time || is_time_unit(tok_at(r, k + 1)))
                res = check_time(f, t->is_time ? t->value : t->value * 1000,
                                 t->is_time ? t->unit_ms : 1000);
            else
                res = check_number(f, r, k, t->value, &skip);
        } else if (t->type == TOK_WORD) {
            int v = word_value(t, number_words);
            int o = word_value(t, ordinal_words);
            const struct tok *next = tok_at(r, k + 1), *prev = tok_at(r, k - 1);
            if (v >= 0 && is_time_unit(next))
                res = check_time(f, v * 1000L, 1000);
            else if (v >= 0)
                res = check_number(f, r, k, v, &skip);
            else if (o >= 0 && (word_is(next, "place") || word_is(next, "position") ||
                                word_is(prev, "in") || word_is(prev, "into")))
                res = check_place(f, r, k, o);
            else if (o >= 0 && word_is(next, "lap"))
                res = is_lap_fact(f, o) ? LLM_CHECK_OK : LLM_CHECK_WRONG_FACT;
            else if (word_in(t, lead_words))
                res = check_leader(f, r, k);
            else if (t->team)
                res = check_team(f, r, k);
        }
        k += skip;
    }
    free(r);
    return res;
}

void llm_facts_give(struct llm_facts *f, int i, int place, bool now)
{
    if (i < 0 || i >= f->n)
        return;
    struct llm_fact_driver *d = &f->d[i];
    d->given = true;
    if (now && place > 0)
        d->now = place;
    if (place < 1 || has_place(d, place) || d->n_places == LLM_FACT_PLACES)
        return;
    d->places[d->n_places++] = place;
}
