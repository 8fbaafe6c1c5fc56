/* replay_json.h — readers over the archive's JSON, which is untrusted: a value of the wrong
 * type, out of range or badly written reads as absent (NULL, 0, false), never as an error
 * the caller must handle. Pure functions; the returned pointers are borrowed from `o`. */
#ifndef PW_REPLAY_JSON_H
#define PW_REPLAY_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The string at `key`, or NULL. */
const char *replay_json_str(const json_t *o, const char *key);
/* A count or position given as a JSON integer or as decimal text, 0..max; 0 if absent or
 * bad. */
int replay_json_int(const json_t *o, const char *key, long max);
/* true, or the text "true". */
bool replay_json_bool(const json_t *o, const char *key);
/* The lap or sector time in o["Value"] in ms; 0 if absent or bad. */
int64_t replay_json_laptime(const json_t *o);
/* Element `i` of a list the archive sent as an array, or (when nothing was there to patch)
 * as an object keyed "0", "1", ... */
json_t *replay_json_item(const json_t *list, size_t i);
/* Number of elements of such a list (for an object: highest index + 1). */
size_t replay_json_len(const json_t *list);
/* A number given as JSON or as decimal text, within +-1e6; 0 if absent or bad. */
double replay_json_number(const json_t *o, const char *key);

#endif
