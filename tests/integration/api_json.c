#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api_json.h"

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

const char *api_str(const json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v ? v : "";
}
