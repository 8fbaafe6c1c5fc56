/* llm_prompt.h — the Chat Completions request for one commentary line.
 *
 * The prompt carries the event (the rules' own line, which states the facts plainly) and the
 * race context: circuit, lap, track status, the top of the running order, the viewer's
 * driver, and the names the model may use. */
#ifndef PW_COMMENTARY_LLM_PROMPT_H
#define PW_COMMENTARY_LLM_PROMPT_H

#include "commentary/cm_race.h"
#include "commentary/llm_facts.h"

/* Writes the user message to `out` (truncated to fit `len`). */
void llm_prompt_user(const struct cm_race *race, const struct cm_line *line, char *out, size_t len);

/* The facts the user message gives (llm_facts.h): every driver of the race, with the places
 * of those the message names; the lap, the distance, the event's times. A model's answer is
 * held to these. */
void llm_prompt_facts(const struct cm_race *race, const struct cm_line *line, struct llm_facts *f);

/* The whole request body as JSON (malloc'd, caller frees), or NULL when out of memory. */
char *llm_prompt_body(const struct cm_race *race, const struct cm_line *line, const char *model);

#endif
