/* Readers over the archive's untrusted JSON (see replay_json.h). */
#include "replay/replay_json.h"

#include "replay/replay_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *replay_json_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int replay_json_int(const json_t *o, const char *key, long max)
{
    json_t *v = json_object_get(o, key);
    long n = 0;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        return i >= 0 && i <= max ? (int)i : 0;
    }
    if (json_is_string(v) && replay_parse_uint(json_string_value(v), max, &n) == 0)
        return (int)n;
    return 0;
}

bool replay_json_bool(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    const char *s = json_string_value(v);
    return json_is_true(v) || (s && strcmp(s, "true") == 0);
}

int64_t replay_json_laptime(const json_t *o)
{
    int64_t ms = 0;
    if (replay_parse_laptime(replay_json_str(o, "Value"), &ms) < 0)
        return 0;
    return ms;
}

json_t *replay_json_item(const json_t *list, size_t i)
{
    if (json_is_array(list))
        return json_array_get(list, i);
    char key[24];
    snprintf(key, sizeof key, "%zu", i);
    return json_object_get(list, key);
}

size_t replay_json_len(const json_t *list)
{
    if (json_is_array(list))
        return json_array_size(list);
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)list, key, v)
    {
        long idx;
        if (replay_parse_uint(key, 1000000, &idx) == 0 && (size_t)idx + 1 > n)
            n = (size_t)idx + 1;
    }
    return n;
}

double replay_json_number(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_number(v))
        return json_number_value(v);
    const char *s = json_string_value(v);
    if (!s)
        return 0;
    char *end;
    double d = strtod(s, &end);
    return end != s && *end == '\0' && d > -1e6 && d < 1e6 ? d : 0;
}
