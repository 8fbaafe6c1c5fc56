/* token.h — secrets that control races: a control token's SHA-256 and comparisons that take
 * the same time whatever the input, so a guess learns nothing from how long the answer took.
 *
 * Owns nothing: pure functions over strings. The edge (src/api) checks a control request
 * with these, and the race manager (src/runner) checks it again before carrying it out, so
 * a control message that reached the bus some other way (forged on the Kafka control topic)
 * changes nothing without the token. Kept out of pw_core so that only those two parts link
 * libcrypto. */
#ifndef PW_CORE_TOKEN_H
#define PW_CORE_TOKEN_H

#include "core/event.h"

#include <stdbool.h>

/* The SHA-256 of `token`, in lower-case hex. */
void pw_token_hash(const char *token, char out[PW_CONTROL_HASH_MAX]);
/* Equal, non-empty strings, in time that depends only on their lengths. */
bool pw_same_secret(const char *a, const char *b);
/* Does `token` open `hash` (its SHA-256 is `hash`)? False for an empty token or hash, and for
 * a token too long to be one (PW_CONTROL_TOKEN_MAX - 1 characters or more). */
bool pw_token_opens(const char *token, const char *hash);

#endif
