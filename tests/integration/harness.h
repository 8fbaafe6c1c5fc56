/* harness.h — integration-test helpers: run the real pitwall binary on a free port (its
 * temp dir, log and history), to be talked to with the tests' client (test_client.h, with
 * no loop: the server is another process) and read as event streams (test_sse.h). */
#ifndef PW_TEST_HARNESS_H
#define PW_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "test_client.h"
#include "test_sse.h"

struct server {
    pid_t pid;
    int port;
    char dir[256]; /* temp dir: config, history db, log */
    char log_path[300];
    char db_path[300];
};

/* Start pitwall with `config_yaml` (may be NULL) and extra args (NULL-terminated, may be
 * NULL), history in a fresh temp dir unless `reuse_dir` names one. Waits until it listens.
 * Returns 0 or -1 (the log is printed). */
int server_start(struct server *s, const char *config_yaml, const char *const *args,
                 const char *reuse_dir);
/* Send `sig` and wait for exit (up to 10 s). Returns the exit status, or -1. */
int server_stop(struct server *s, int sig);
/* Value of a /metrics line of the server on `port` (full name with labels, e.g.
 * `x_total{code="400"}`), or -1 when there is no answer or no such line. */
long long server_metric(int port, const char *name);
/* VmRSS of the server in KiB, or -1. */
long server_rss_kb(const struct server *s);
/* Copy the server's log to stderr (for a failing test's report). */
void server_print_log(const struct server *s);
/* Remove the temp dir (kept when PITWALL_TEST_KEEP=1). */
void server_cleanup(struct server *s);

#endif
