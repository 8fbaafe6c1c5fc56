/* text.h — reading the simulator's small CSV data files (grids, circuits) line by line.
 *
 * Works on a NUL-terminated text the caller owns; lines are copied into a caller buffer
 * and split in place. No allocation. */
#ifndef PW_RACE_TEXT_H
#define PW_RACE_TEXT_H

#include <stddef.h>

#define RACE_TEXT_LINE_MAX 512
#define RACE_TEXT_FIELDS_MAX 16

/* Copy the next line at *cursor into `line` (cap bytes, CR/LF removed) and move *cursor
 * past it; *lineno counts lines from 1. Returns 1 for a line, 0 at the end of the text,
 * -E2BIG for a line longer than cap - 1 (the cursor still moves past it). */
int race_text_next_line(const char **cursor, char *line, size_t cap, int *lineno);
/* True for a line to skip: blank, or a comment starting with '#'. */
int race_text_is_blank(const char *line);
/* Split `line` in place at commas, trimming spaces around each field. Returns the number
 * of fields, or -E2BIG if there are more than `max`. */
int race_text_split(char *line, char **fields, int max);
/* Parse a whole decimal integer in [lo, hi]. Returns 0 or -EINVAL. */
int race_text_int(const char *s, long lo, long hi, long *out);

#endif
