/* llm_check.h — is a language model's answer fit to go on air?
 *
 * Pure functions over plain data. An answer passes when, after trimming whitespace and one
 * pair of enclosing quotes, it is valid UTF-8 of 8..100 characters on one line, without
 * markup (* _ # ` < > [ ] { } | ~ \, links, emoji or other symbols), without quotation marks,
 * names no driver who is not in the race, and, when the event is about drivers, names at
 * least one of them (an answer about someone else is not commentary on the event). A name is
 * recognised two ways: any word of a built-in list of Formula 1 surnames, and any capitalised word
 * inside a sentence that is not in the race's vocabulary (drivers' names, teams, circuit, title,
 * racing terms). */
#ifndef PW_COMMENTARY_LLM_CHECK_H
#define PW_COMMENTARY_LLM_CHECK_H

#include "core/event.h"
#include "core/timing.h"

#include <stdbool.h>
#include <stddef.h>

enum llm_check_result {
    LLM_CHECK_OK = 0,
    LLM_CHECK_EMPTY, /* nothing, or too short to be a line */
    LLM_CHECK_TOO_LONG,
    LLM_CHECK_MULTILINE,
    LLM_CHECK_MARKUP, /* markup, links, emoji, control characters, bad UTF-8 */
    LLM_CHECK_QUOTES,
    LLM_CHECK_UNKNOWN_NAME,
    LLM_CHECK_OFF_TOPIC,  /* names none of the drivers the event is about */
    LLM_CHECK_NUMBERS,    /* states a number that is none of the facts' (llm_facts.h) */
    LLM_CHECK_WRONG_FACT, /* a place, lap or time that contradicts the facts */
    LLM_CHECK_COUNT
};

#define LLM_VOCAB_MAX 400
#define LLM_WORD_MAX 32

struct llm_vocab {
    int n;
    char words[LLM_VOCAB_MAX][LLM_WORD_MAX];
};

/* Words the answer may use capitalised: every word of the drivers' names, TLAs, teams, the
 * circuit, session and title. */
void llm_vocab_build(struct llm_vocab *v, const struct pw_race_state *st,
                     const struct pw_race_meta *meta);

/* Checks `answer`; on LLM_CHECK_OK writes the normalised line to `out` (len >= 256).
 * `about` lists the names (as said on air) of the drivers the event concerns; one of them
 * must appear as a word of the answer. n_about == 0: no such requirement. */
enum llm_check_result llm_check_answer(const char *answer, const struct llm_vocab *v,
                                       const char *const *about, int n_about, char *out,
                                       size_t len);

const char *llm_check_name(enum llm_check_result r);

/* Is `word` one of the capitalised words a commentator uses that are no name ("Red" of a red
 * flag, "Team", "Safety")? The facts check (llm_facts.h) does not take them for a team. */
bool llm_check_racing_word(const char *word);

#endif
