/* start_race.h — one blocking HTTP/1.1 POST /api/race/start before the load starts.
 * Not the tests' client (tests/common/test_client.h): that one talks to 127.0.0.1 only,
 * and the load generator may aim at any IPv4 host. */
#ifndef PW_BENCH_START_RACE_H
#define PW_BENCH_START_RACE_H

#include <stddef.h>
#include <netinet/in.h>

/* POSTs `body` (JSON) to /api/race/start at addr and copies the answer's "race_id" into
 * out. 0, or a negative errno (-EPROTO: not a 200 with a race_id; the answer's first
 * line is printed to stderr). */
int start_race(const struct sockaddr_in *addr, const char *host_header, const char *body, char *out,
               size_t out_len);

#endif
