#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api_json.h"

#include <stdio.h>
#include <string.h>

json_t *api_parse_json(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    if (!j)
        fail_msg("not JSON (%s): %.200s", err.text, text);
    return j;
}

json_t *api_get_json(int port, const char *path, int want_status)
{
    struct response r;
    assert_int_equal(http_call(port, "GET", path, "", NULL, &r), 0);
    if (r.status != want_status)
        fail_msg("GET %s: status %d, wanted %d: %s", path, r.status, want_status, r.body);
    json_t *j = api_parse_json(r.body);
    response_free(&r);
    return j;
}

int api_call_json(int port, const char *method, const char *path, const char *extra_headers,
                  const char *body, json_t **out)
{
    struct response r;
    assert_int_equal(http_call(port, method, path, extra_headers, body, &r), 0);
    *out = json_loads(r.body ? r.body : "", 0, NULL);
    int status = r.status;
    response_free(&r);
    return status;
}

void api_start(int port, const char *path, const char *body, char *race_id, size_t len)
{
    struct response r;
    assert_int_equal(http_call(port, "POST", path, "", body, &r), 0);
    if (r.status != 200)
        fail_msg("start: %d %s", r.status, r.body);
    json_t *j = api_parse_json(r.body);
    assert_string_equal(api_str(j, "status"), "started");
    snprintf(race_id, len, "%s", api_str(j, "race_id"));
    assert_true(strlen(race_id) > 8);
    json_decref(j);
    response_free(&r);
}

void api_start_race(int port, const char *body, char *race_id, size_t len)
{
    api_start(port, "/api/race/start", body, race_id, len);
}

const char *api_str(const json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v ? v : "";
}
