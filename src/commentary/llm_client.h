/* llm_client.h — an OpenAI-compatible Chat Completions client on the libuv loop.
 *
 * Requests go through the libcurl multi interface driven by the loop (core/curl_loop.h),
 * so a slow or dead endpoint never blocks the loop. The client owns its curl handles and
 * copies of the endpoint and key; the key is only ever put in the Authorization header,
 * never logged.
 *
 * Lifetime: llm_client_destroy cancels every request (their callbacks are not called); it
 * may be called from a request's callback. The loop must run again after destroy, to close
 * the curl_loop's libuv handles. */
#ifndef PW_COMMENTARY_LLM_CLIENT_H
#define PW_COMMENTARY_LLM_CLIENT_H

#include "core/log.h"

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct llm_client_config {
    const char *endpoint;      /* http(s)://host:port/v1/chat/completions */
    const char *api_key;       /* NULL or "": no Authorization header */
    int64_t timeout_ms;        /* whole request */
    size_t max_response_bytes; /* 0: 64 KiB; a longer answer is a bad answer */
};

enum llm_status {
    LLM_STATUS_OK = 0,
    LLM_STATUS_TIMEOUT,
    LLM_STATUS_HTTP_ERROR, /* transport error or a non-2xx status other than 429 */
    LLM_STATUS_429,
    LLM_STATUS_BAD_JSON, /* 2xx but no choices[0].message.content string, or too big */
};

struct llm_result {
    enum llm_status status;
    long http_status; /* 0 if no answer came */
    double latency_ms;
    const char *content; /* LLM_STATUS_OK: the answer text; borrowed for the callback */
};

/* Called once per request unless it was cancelled. May post new requests; must not
 * destroy the client. */
typedef void (*llm_done_fn)(void *ctx, const struct llm_result *res);

struct llm_client;
struct llm_request;

int llm_client_create(uv_loop_t *loop, const struct llm_client_config *cfg,
                      const struct pw_log *log, struct llm_client **out);
/* Posts `body` (a Chat Completions request as JSON; copied). `out` (may be NULL) gets a
 * handle for llm_client_cancel, valid until the callback runs. */
int llm_client_post(struct llm_client *c, const char *body, llm_done_fn fn, void *ctx,
                    struct llm_request **out);
/* Abandons a request; its callback is not called. */
void llm_client_cancel(struct llm_client *c, struct llm_request *req);
void llm_client_destroy(struct llm_client *c);

const char *llm_status_name(enum llm_status s);

#endif
