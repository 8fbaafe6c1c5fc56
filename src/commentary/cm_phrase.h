/* cm_phrase.h — turns a chosen candidate into a line of at most CM_LINE_MAX_CHARS characters.
 *
 * Each fact has several templates; a template is picked at random (per-race generator, so
 * a race is reproducible from its id) among those whose placeholders the candidate can fill,
 * never the template of the previous line nor the one last used for the same fact. The state
 * is a plain struct owned by value by the caller. */
#ifndef PW_COMMENTARY_CM_PHRASE_H
#define PW_COMMENTARY_CM_PHRASE_H

#include "commentary/cm_candidate.h"

#include <stddef.h>
#include <stdint.h>

#define CM_LINE_MAX_CHARS 100

struct cm_phrase {
    uint64_t rng;
    int last_template;               /* template of the previous line, -1 for none */
    int last_by_fact[CM_FACT_COUNT]; /* -1 for none */
};

void cm_phrase_init(struct cm_phrase *ph, const char *race_id);

/* Writes the line to `out` (NUL-terminated; `len` >= 128; a line with many multi-byte characters
 * that does not fit is cut) and returns the template id used (>= 0), or -EINVAL for an invalid fact
 * or buffer. The line is never longer than CM_LINE_MAX_CHARS characters. */
int cm_phrase_render(struct cm_phrase *ph, const struct cm_candidate *c, char *out, size_t len);

/* Number of templates, and a template's fact (for tests); -1 for a bad id. */
int cm_phrase_template_count(void);
int cm_phrase_template_fact(int id);

/* Characters (UTF-8 code points) in `s`; -1 if `s` is not valid UTF-8. */
int cm_phrase_utf8_chars(const char *s);

#endif
