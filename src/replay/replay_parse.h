/* replay_parse.h — strict parsers for the small text values of F1's live-timing archive:
 * line offsets, lap and sector times, gaps, racing numbers. Pure functions over caller
 * memory; nothing is allocated. Every input is untrusted: anything not matching the
 * expected shape is rejected with -EINVAL, never half-parsed. */
#ifndef PW_REPLAY_PARSE_H
#define PW_REPLAY_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the offset that starts every archive line: "HH:MM:SS.mmm". */
#define REPLAY_OFFSET_LEN 12

/* "HH:MM:SS.mmm" (exactly REPLAY_OFFSET_LEN bytes at `s`, minutes and seconds < 60) to ms. */
int replay_parse_offset(const char *s, size_t len, int64_t *ms_out);

/* A lap or sector time: "1:23.456", "83.456", "23.4". 0 ms is rejected (no time).
 * Returns -EINVAL for "" and anything else. */
int replay_parse_laptime(const char *s, int64_t *ms_out);

/* A gap or interval as the timing screen prints it:
 *   "+1.234" / "+1:02.345" -> ms, laps 0;   "1 L" / "15L" -> laps behind, ms 0;
 *   "LAP 12" (the leader's own line) and "" -> 0 and 0.
 * Returns -EINVAL (outputs zeroed) for anything else. */
int replay_parse_gap(const char *s, int64_t *ms_out, int *laps_out);

/* A small non-negative decimal integer written as text ("12"), no sign, no leading zeros
 * (except "0"), at most `max`. */
int replay_parse_uint(const char *s, long max, long *out);

/* A racing number as used as a key in the archive: "1".."999", no leading zero. */
bool replay_number_valid(const char *s);

/* Copies `src` into `dst` (size `dstlen` > 0), truncating at a UTF-8 character boundary
 * so the result is always valid, NUL-terminated UTF-8 when `src` is. NULL src gives "". */
void replay_copy_text(char *dst, size_t dstlen, const char *src);

#endif
