#include "race/text.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int race_text_next_line(const char **cursor, char *line, size_t cap, int *lineno)
{
    const char *p = *cursor;
    if (*p == '\0')
        return 0;
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    *cursor = end ? end + 1 : p + len;
    (*lineno)++;
    if (len > 0 && p[len - 1] == '\r')
        len--;
    if (len >= cap)
        return -E2BIG;
    memcpy(line, p, len);
    line[len] = '\0';
    return 1;
}

int race_text_is_blank(const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    return *line == '\0' || *line == '#';
}

static char *text_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

int race_text_split(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -E2BIG;
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        fields[n++] = text_trim(p);
        if (!comma)
            return n;
        p = comma + 1;
    }
}

int race_text_int(const char *s, long lo, long hi, long *out)
{
    if (!s || !*s || (s[0] == '-' && s[1] == '\0'))
        return -EINVAL;
    for (const char *p = (*s == '-') ? s + 1 : s; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return -EINVAL;
    }
    if (strlen(s) > 12)
        return -EINVAL;
    long v = strtol(s, NULL, 10);
    if (v < lo || v > hi)
        return -EINVAL;
    *out = v;
    return 0;
}
