#include "commentary/llm_client.h"

#include "core/curl_loop.h"
#include "core/error.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLM_DEFAULT_MAX_RESPONSE (64 * 1024)

struct llm_request {
    struct llm_client *client;
    struct llm_request *prev, *next;
    CURL *easy;
    char *body;
    char *resp;
    size_t resp_len, resp_cap;
    bool too_big;
    uint64_t start_ns;
    llm_done_fn fn;
    void *ctx;
};

struct llm_client {
    const struct pw_log *log;
    struct curl_loop *curl;
    char *endpoint;
    struct curl_slist *headers; /* holds the Authorization header: never logged */
    int64_t timeout_ms;
    size_t max_response;
    struct llm_request *requests;
};

const char *llm_status_name(enum llm_status s)
{
    switch (s) {
    case LLM_STATUS_OK:
        return "ok";
    case LLM_STATUS_TIMEOUT:
        return "timeout";
    case LLM_STATUS_HTTP_ERROR:
        return "http_error";
    case LLM_STATUS_429:
        return "429";
    case LLM_STATUS_BAD_JSON:
        return "bad_json";
    }
    return "unknown";
}

/* Takes the request out of the client's list (and out of curl if still running). */
static void request_unlink(struct llm_request *r)
{
    struct llm_client *c = r->client;
    if (r->prev)
        r->prev->next = r->next;
    else
        c->requests = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

/* Frees an unlinked request; touches nothing of the client, which may be gone. */
static void request_free(struct llm_request *r)
{
    if (r->easy)
        curl_easy_cleanup(r->easy);
    free(r->body);
    free(r->resp);
    free(r);
}

/* choices[0].message.content of a Chat Completions answer, or NULL. */
static const char *answer_content(json_t *root)
{
    json_t *choices = json_object_get(root, "choices");
    json_t *first = json_is_array(choices) ? json_array_get(choices, 0) : NULL;
    json_t *msg = json_is_object(first) ? json_object_get(first, "message") : NULL;
    json_t *content = json_is_object(msg) ? json_object_get(msg, "content") : NULL;
    return json_is_string(content) ? json_string_value(content) : NULL;
}

static void request_finish(struct llm_request *r, CURLcode rc)
{
    struct llm_client *c = r->client;
    struct llm_result res = {0};
    res.latency_ms = (double)(uv_hrtime() - r->start_ns) / 1e6;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &res.http_status);
    json_t *root = NULL;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        res.status = LLM_STATUS_TIMEOUT;
    } else if (rc == CURLE_WRITE_ERROR && r->too_big) {
        res.status = LLM_STATUS_BAD_JSON;
    } else if (rc != CURLE_OK) {
        res.status = LLM_STATUS_HTTP_ERROR;
        PW_WARN(c->log, "llm", "request failed: %s", curl_easy_strerror(rc));
    } else if (res.http_status == 429) {
        res.status = LLM_STATUS_429;
    } else if (res.http_status < 200 || res.http_status > 299) {
        res.status = LLM_STATUS_HTTP_ERROR;
    } else {
        json_error_t err;
        root = r->resp ? json_loadb(r->resp, r->resp_len, 0, &err) : NULL;
        res.content = root ? answer_content(root) : NULL;
        res.status = res.content ? LLM_STATUS_OK : LLM_STATUS_BAD_JSON;
    }
    PW_DEBUG(c->log, "llm", "answer: %s (HTTP %ld) after %.0f ms", llm_status_name(res.status),
             res.http_status, res.latency_ms);
    /* unlinked first: the callback may post a new request or destroy the client */
    request_unlink(r);
    r->fn(r->ctx, &res);
    json_decref(root);
    request_free(r);
}

/* curl_loop_done_fn */
static void transfer_done(void *owner, CURL *easy, CURLcode result)
{
    struct llm_request *r = NULL;
    (void)owner;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
    if (r)
        request_finish(r, result);
}

static void client_free(struct llm_client *c)
{
    curl_slist_free_all(c->headers);
    free(c->endpoint);
    free(c);
}

int llm_client_create(uv_loop_t *loop, const struct llm_client_config *cfg,
                      const struct pw_log *log, struct llm_client **out)
{
    int rc = 0;
    if (!loop || !cfg || !cfg->endpoint || !out || cfg->timeout_ms <= 0)
        return -EINVAL;
    if (strncmp(cfg->endpoint, "http://", 7) != 0 && strncmp(cfg->endpoint, "https://", 8) != 0)
        return -EINVAL;
    struct llm_client *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->log = log;
    c->timeout_ms = cfg->timeout_ms;
    c->max_response = cfg->max_response_bytes ? cfg->max_response_bytes : LLM_DEFAULT_MAX_RESPONSE;
    c->endpoint = strdup(cfg->endpoint);
    if (!c->endpoint) {
        rc = -ENOMEM;
        goto out;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    /* no "Expect: 100-continue" round trip on larger bodies */
    h = h ? curl_slist_append(h, "Expect:") : NULL;
    if (h && cfg->api_key && cfg->api_key[0]) {
        size_t n = strlen(cfg->api_key) + sizeof "Authorization: Bearer ";
        char *auth = malloc(n);
        if (auth) {
            snprintf(auth, n, "Authorization: Bearer %s", cfg->api_key);
            struct curl_slist *h2 = curl_slist_append(h, auth);
            memset(auth, 0, n);
            free(auth);
            if (!h2) {
                curl_slist_free_all(h);
                h = NULL;
            }
        } else {
            curl_slist_free_all(h);
            h = NULL;
        }
    }
    if (!h) {
        rc = -ENOMEM;
        goto out;
    }
    c->headers = h;
    rc = curl_loop_create(loop, transfer_done, c, &c->curl);
    if (rc < 0)
        goto out;
    *out = c;
    return 0;
out:
    client_free(c);
    return rc;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct llm_request *r = userp;
    size_t n = size * nmemb;
    if (r->resp_len + n > r->client->max_response) {
        r->too_big = true;
        return 0; /* makes curl fail the transfer with CURLE_WRITE_ERROR */
    }
    if (r->resp_len + n + 1 > r->resp_cap) {
        size_t cap = r->resp_cap ? r->resp_cap : 1024;
        while (cap < r->resp_len + n + 1)
            cap *= 2;
        char *p = realloc(r->resp, cap);
        if (!p)
            return 0;
        r->resp = p;
        r->resp_cap = cap;
    }
    memcpy(r->resp + r->resp_len, data, n);
    r->resp_len += n;
    r->resp[r->resp_len] = '\0';
    return n;
}

int llm_client_post(struct llm_client *c, const char *body, llm_done_fn fn, void *ctx,
                    struct llm_request **out)
{
    if (!c || !body || !fn)
        return -EINVAL;
    struct llm_request *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    r->client = c;
    r->fn = fn;
    r->ctx = ctx;
    r->body = strdup(body);
    r->easy = curl_easy_init();
    if (!r->body || !r->easy) {
        request_free(r);
        return -ENOMEM;
    }
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_URL, c->endpoint);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)r);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "pitwall-commentary");
    r->start_ns = uv_hrtime();
    int rc = curl_loop_add(c->curl, e);
    if (rc < 0) {
        request_free(r);
        return rc;
    }
    r->next = c->requests;
    if (c->requests)
        c->requests->prev = r;
    c->requests = r;
    if (out)
        *out = r;
    return 0;
}

void llm_client_cancel(struct llm_client *c, struct llm_request *req)
{
    if (!c || !req)
        return;
    curl_loop_remove(c->curl, req->easy);
    request_unlink(req);
    request_free(req);
}

void llm_client_destroy(struct llm_client *c)
{
    if (!c)
        return;
    while (c->requests)
        llm_client_cancel(c, c->requests);
    curl_loop_destroy(c->curl); /* frees itself once its handles have closed */
    client_free(c);
}
