/* utf8.h — one UTF-8 decoder for the text pitwall takes from outside (grid names, archive
 * names, language-model answers, error details). Strict RFC 3629: overlong forms, UTF-16
 * surrogates and anything past U+10FFFF are refused, so what it accepts is valid UTF-8 for
 * every JSON reader. Reads stop at the first byte that does not fit, so a NUL ends a
 * sequence safely. */
#ifndef PW_CORE_UTF8_H
#define PW_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at `p` into *cp; returns its length in bytes (1..4), 0 if the
 * bytes there are not valid UTF-8. */
int pw_utf8_decode(const unsigned char *p, uint32_t *cp);

/* Length in bytes of the longest prefix of the NUL-terminated `s` that is at most
 * `max_bytes` long and does not end inside a character, for cutting text to a byte limit
 * (error details, log lines). A byte that is not valid UTF-8 counts as one character. */
size_t pw_utf8_prefix(const char *s, size_t max_bytes);

#endif
