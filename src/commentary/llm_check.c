#include "commentary/llm_check.h"

#include "commentary/cm_phrase.h"
#include "core/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MIN_CHARS 8

/* Formula 1 drivers, present and past, that a model may bring up from its training. */
static const char *const known_drivers[] = {
    "Verstappen", "Perez",      "Pérez",       "Hamilton",   "Russell",    "Leclerc",
    "Sainz",      "Norris",     "Piastri",     "Alonso",     "Stroll",     "Ocon",
    "Gasly",      "Albon",      "Sargeant",    "Tsunoda",    "Ricciardo",  "Lawson",
    "Bottas",     "Zhou",       "Guanyu",      "Magnussen",  "Hulkenberg", "Hülkenberg",
    "Bearman",    "Colapinto",  "Antonelli",   "Doohan",     "Hadjar",     "Bortoleto",
    "Lindblad",   "Vettel",     "Raikkonen",   "Räikkönen",  "Schumacher", "Latifi",
    "Mazepin",    "Giovinazzi", "Kvyat",       "Grosjean",   "Button",     "Massa",
    "Rosberg",    "Senna",      "Prost",       "Lauda",      "Webber",     "Kubica",
    "Vandoorne",  "Ericsson",   "Hartley",     "Wehrlein",   "Nasr",       "Maldonado",
    "Kimi",       "Checo",      "Mansell",     "Villeneuve", "Coulthard",  "Hakkinen",
    "Häkkinen",   "Alesi",      "Barrichello", "Fisichella", "Trulli",     "Montoya",
    "Kovalainen", "Glock",      "Sutil",       "Vries",      "Kobayashi",  "Vergne",
    "Bianchi",    "Chilton",    "Fittipaldi",
};

/* Capitalised words a commentator uses that are not names. */
static const char *const common_words[] = {
    "Grand",         "Prix",         "Formula",   "One",        "Safety",     "Car",
    "Virtual",       "Lap",          "Laps",      "Turn",       "Race",       "Pole",
    "Podium",        "Championship", "World",     "Champion",   "Team",       "Pit",
    "Pits",          "Lane",         "Lights",    "Green",      "Red",        "Flag",
    "Yellow",        "Chequered",    "Checkered", "Final",      "Fastest",    "Hard",
    "Hards",         "Medium",       "Mediums",   "Soft",       "Softs",      "Intermediate",
    "Intermediates", "Inters",       "Wet",       "Wets",       "The",        "What",
    "And",           "But",          "Oh",        "Wow",        "Incredible", "Stewards",
    "Position",      "Leader",       "Sprint",    "Qualifying",
};

const char *llm_check_name(enum llm_check_result r)
{
    static const char *const names[LLM_CHECK_COUNT] = {
        "ok",     "empty",        "too_long",  "multiline", "markup",
        "quotes", "unknown_name", "off_topic", "numbers",   "wrong_fact"};
    return (unsigned)r < LLM_CHECK_COUNT ? names[r] : "unknown";
}

static bool is_letter_byte(unsigned char b)
{
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b >= 0x80;
}

static void vocab_add_words(struct llm_vocab *v, const char *text)
{
    const char *p = text;
    while (p && *p) {
        while (*p && !is_letter_byte((unsigned char)*p))
            p++;
        const char *start = p;
        while (*p && is_letter_byte((unsigned char)*p))
            p++;
        size_t n = (size_t)(p - start);
        if (n == 0 || n >= LLM_WORD_MAX || v->n >= LLM_VOCAB_MAX)
            continue;
        memcpy(v->words[v->n], start, n);
        v->words[v->n][n] = '\0';
        v->n++;
    }
}

void llm_vocab_build(struct llm_vocab *v, const struct pw_race_state *st,
                     const struct pw_race_meta *meta)
{
    v->n = 0;
    if (st) {
        for (int i = 0; i < st->n_cars && i < PW_MAX_CARS; i++) {
            vocab_add_words(v, st->cars[i].driver.name);
            vocab_add_words(v, st->cars[i].driver.team);
            vocab_add_words(v, st->cars[i].driver.tla);
        }
        vocab_add_words(v, st->circuit);
        vocab_add_words(v, st->session);
    }
    if (meta) {
        vocab_add_words(v, meta->title);
        vocab_add_words(v, meta->selected_name);
        vocab_add_words(v, meta->selected_team);
    }
}

static bool vocab_has(const struct llm_vocab *v, const char *word)
{
    for (int i = 0; i < v->n; i++) {
        if (strcmp(v->words[i], word) == 0)
            return true;
    }
    return false;
}

static bool list_has(const char *const *list, size_t n, const char *word, bool nocase)
{
    for (size_t i = 0; i < n; i++) {
        if (nocase ? strcasecmp(list[i], word) == 0 : strcmp(list[i], word) == 0)
            return true;
    }
    return false;
}

bool llm_check_racing_word(const char *word)
{
    return list_has(common_words, sizeof common_words / sizeof *common_words, word, false);
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Trims whitespace and one pair of enclosing quotes into `out`; false if it does not fit. */
static bool normalise(const char *answer, char *out, size_t len)
{
    const char *s = answer, *e = answer + strlen(answer);
    for (int pass = 0; pass < 2; pass++) {
        while (s < e && is_space(*s))
            s++;
        while (e > s && is_space(e[-1]))
            e--;
        if (pass == 1)
            break;
        size_t n = (size_t)(e - s);
        if (n >= 2 && s[0] == '"' && e[-1] == '"') {
            s++;
            e--;
        } else if (n >= 6 && memcmp(s, "\xE2\x80\x9C", 3) == 0 &&
                   memcmp(e - 3, "\xE2\x80\x9D", 3) == 0) {
            s += 3;
            e -= 3;
        }
    }
    size_t n = (size_t)(e - s);
    if (n >= len)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

static enum llm_check_result check_characters(const char *s)
{
    static const char markup[] = "*_#`<>[]{}|~\\";
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        int n = pw_utf8_decode(p, &cp);
        if (n == 0)
            return LLM_CHECK_MARKUP;
        if (cp == '\n' || cp == '\r')
            return LLM_CHECK_MULTILINE;
        if (cp < 0x20 || cp == 0x7F)
            return LLM_CHECK_MARKUP;
        if (cp == '"' || cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0xAB || cp == 0xBB)
            return LLM_CHECK_QUOTES;
        if (cp < 0x80 && strchr(markup, (int)cp))
            return LLM_CHECK_MARKUP;
        if (cp >= 0x2190) /* arrows, symbols, emoji */
            return LLM_CHECK_MARKUP;
        p += n;
    }
    if (strstr(s, "http") || strstr(s, "www."))
        return LLM_CHECK_MARKUP;
    return LLM_CHECK_OK;
}

static enum llm_check_result check_names(const char *s, const struct llm_vocab *v)
{
    bool sentence_start = true;
    const char *p = s;
    while (*p) {
        if (!is_letter_byte((unsigned char)*p)) {
            if (strchr(".!?:;", *p))
                sentence_start = true;
            p++;
            continue;
        }
        const char *start = p;
        while (*p && is_letter_byte((unsigned char)*p))
            p++;
        char word[LLM_WORD_MAX];
        size_t n = (size_t)(p - start);
        bool at_start = sentence_start;
        sentence_start = false;
        if (n >= sizeof word)
            continue; /* no name is that long; a long word is no name */
        memcpy(word, start, n);
        word[n] = '\0';
        if (vocab_has(v, word))
            continue;
        if (list_has(known_drivers, sizeof known_drivers / sizeof *known_drivers, word, true))
            return LLM_CHECK_UNKNOWN_NAME;
        bool capital = word[0] >= 'A' && word[0] <= 'Z';
        bool all_caps = true;
        for (size_t i = 0; i < n; i++)
            all_caps = all_caps && !(word[i] >= 'a' && word[i] <= 'z');
        if (!capital || at_start || all_caps || n < 2)
            continue;
        if (!llm_check_racing_word(word))
            return LLM_CHECK_UNKNOWN_NAME;
    }
    return LLM_CHECK_OK;
}

/* Does `name` (one or more words) appear in `s` as whole words? */
static bool mentions(const char *s, const char *name)
{
    size_t n = strlen(name);
    if (n == 0)
        return false;
    for (const char *p = strstr(s, name); p; p = strstr(p + 1, name)) {
        bool left = p == s || !is_letter_byte((unsigned char)p[-1]);
        bool right = !is_letter_byte((unsigned char)p[n]);
        if (left && right)
            return true;
    }
    return false;
}

enum llm_check_result llm_check_answer(const char *answer, const struct llm_vocab *v,
                                       const char *const *about, int n_about, char *out, size_t len)
{
    char line[1024];
    if (!answer)
        return LLM_CHECK_EMPTY;
    if (!normalise(answer, line, sizeof line))
        return LLM_CHECK_TOO_LONG;
    enum llm_check_result r = check_characters(line);
    if (r != LLM_CHECK_OK)
        return r;
    int chars = cm_phrase_utf8_chars(line);
    if (chars < MIN_CHARS)
        return LLM_CHECK_EMPTY;
    if (chars > CM_LINE_MAX_CHARS)
        return LLM_CHECK_TOO_LONG;
    r = check_names(line, v);
    if (r != LLM_CHECK_OK)
        return r;
    bool on_topic = n_about <= 0;
    for (int i = 0; i < n_about && !on_topic; i++)
        on_topic = about[i] && mentions(line, about[i]);
    if (!on_topic)
        return LLM_CHECK_OFF_TOPIC;
    if (strlen(line) >= len)
        return LLM_CHECK_TOO_LONG;
    memcpy(out, line, strlen(line) + 1);
    return LLM_CHECK_OK;
}
