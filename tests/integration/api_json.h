/* api_json.h — JSON helpers over the harness for tests of pitwall's API: parse a body, GET
 * a document with an expected status, POST and read the answer, start a race. */
#ifndef PW_TEST_API_JSON_H
#define PW_TEST_API_JSON_H

#include "harness.h"

#include <jansson.h>

/* Parse `text` as JSON; fails the test if it is not. */
json_t *api_parse_json(const char *text);
/* GET `path` and parse the answer; fails the test unless it has `want_status`. */
json_t *api_get_json(int port, const char *path, int want_status);
/* A request with `extra_headers` ("" or lines ending in \r\n) and `body` (may be NULL);
 * the answer's status, and its JSON in *out (NULL when the body is not JSON). */
int api_call_json(int port, const char *method, const char *path, const char *extra_headers,
                  const char *body, json_t **out);
/* POST `body` to `path` (/api/race/start, /api/replay/start) and copy the new race's id to
 * race_id; fails the test unless the answer is a 200 with status "started" and an id. */
void api_start(int port, const char *path, const char *body, char *race_id, size_t len);
/* api_start on /api/race/start. */
void api_start_race(int port, const char *body, char *race_id, size_t len);
/* The string member `key` of `obj`, or "" (never NULL, for assert_string_equal). */
const char *api_str(const json_t *obj, const char *key);

#endif
