/* commentary.h — the commentary engine: race events in, commentary lines out, on the bus.
 *
 * It subscribes to PW_BUS_RACE and publishes PW_EV_COMMENTARY events on the same bus, and
 * once it lets go of a race (its last lines out after the classification, the race stopped,
 * or its context expired) a PW_EV_COMMENTARY_DONE marker, which the hub holds the race's
 * `end` frame for (hub.h: commentary_wait_ms). Lines
 * come from the rules (cm_rules, cm_pacer, cm_phrase: pure, see cm_race.h); with an LLM
 * endpoint configured, each paced line is first offered to the model (llm_client) and the
 * model's answer goes out instead when it passes the checks (llm_check); on timeout, error,
 * 429, a bad answer or an exhausted budget the rules line goes out and a counter says why.
 *
 * Ownership: the engine owns its per-race contexts (copies of meta and latest state), its
 * timer and its LLM client. Strings in the config are copied at create. A published event's
 * `state` and `meta` point into the engine's copies, valid during delivery only.
 * commentary_destroy closes uv handles: the loop must run again afterwards to free them.
 * The bus has no unsubscribe: destroy the engine only when nothing publishes race events
 * on that bus any more. Single-threaded: every call on the loop's thread. */
#ifndef PW_COMMENTARY_COMMENTARY_H
#define PW_COMMENTARY_COMMENTARY_H

#include "bus/bus.h"
#include "core/log.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* What became of one call to the model (for tools and demos; see llm_observer). Every
 * pointer is borrowed for the duration of the call. */
struct commentary_llm_report {
    const char *race_id;
    const char *rules_line; /* what the rules would say (and say when the model fails) */
    const char *answer;     /* the model's raw answer (untrusted text), NULL if none */
    const char *outcome;    /* "ok", "timeout", "http_error", "429", "bad_json",
                               or the failed check: "too_long", "unknown_name", ... */
    double latency_ms;
    bool used; /* the model's line went out */
};
typedef void (*commentary_llm_observer_fn)(void *ctx, const struct commentary_llm_report *r);

struct commentary_config {
    bool enabled;             /* false: pitwall runs no engine (Flink does it) */
    int64_t min_interval_ms;  /* default 4000: at most one line per race per interval */
    int64_t end_interval_ms;  /* default 1000: the interval once the race's end is queued
                                 (chequered flag, time added, podium), so those lines are
                                 said within the stream's end grace; at most min_interval_ms */
    int64_t stale_ms;         /* default 8000: candidates older than this are dropped */
    int64_t merge_window_ms;  /* default 1000: pit stops / retirements wait this long
                                 for companions to merge with */
    const char *llm_endpoint; /* NULL = rules only; e.g.
                                 "http://127.0.0.1:8080/v1/chat/completions" */
    const char *llm_model;
    const char *llm_api_key_env;             /* name of the env var holding the key, e.g.
                                                "OPENAI_API_KEY"; NULL or unset: no key sent */
    int64_t llm_timeout_ms;                  /* default 3000 */
    int llm_calls_per_minute;                /* default 30 */
    commentary_llm_observer_fn llm_observer; /* optional: told about every model call */
    void *llm_observer_ctx;
};

struct commentary;

void commentary_config_defaults(struct commentary_config *c);

/* Validates the config (-EINVAL with a logged reason) and subscribes to the bus. With
 * cfg->enabled false, returns an engine that subscribes to nothing (metrics stay zero). */
int commentary_create(uv_loop_t *loop, const struct commentary_config *cfg, struct pw_bus *bus,
                      const struct pw_log *log, struct commentary **out);
void commentary_destroy(struct commentary *c);

struct commentary_stats {
    uint64_t lines_published, candidates_dropped_stale, candidates_merged, llm_calls, llm_ok,
        llm_fallback_timeout, llm_fallback_http_error, llm_fallback_429, llm_fallback_bad_json,
        llm_fallback_check_failed, llm_fallback_budget;
    double llm_latency_ms_sum;
    /* pitwall additions */
    uint64_t candidates_superseded; /* replaced by a newer fact of the same kind */
    uint64_t candidates_dropped_overflow;
    uint64_t candidates_dropped_stopped; /* pending when the race was stopped */
    uint64_t events_invalid;             /* race events without a race id */
    uint64_t races_expired;              /* contexts freed after 10 min without an event */
    uint64_t races_done;                 /* done markers published (PW_EV_COMMENTARY_DONE) */
    uint64_t llm_check_failed_by[12];    /* by enum llm_check_result (index 0 unused) */
    double llm_latency_ms_max;
    uint64_t races_active; /* gauge: race contexts held now */
};

void commentary_get_stats(const struct commentary *c, struct commentary_stats *out);

/* Appends Prometheus text lines (pitwall_commentary_* counters with HELP/TYPE) to buf;
 * returns bytes written or -ENOSPC. */
int commentary_format_metrics(const struct commentary *c, char *buf, size_t len);

#endif
