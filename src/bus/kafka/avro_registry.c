#include "bus/kafka/avro_registry.h"

#include "core/curl_loop.h"
#include "core/error.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGISTRY_ANSWER_MAX (256 * 1024)
#define REGISTRY_TIMEOUT_MS 10000L

struct registry_req {
    struct registry_req *next;
    struct avro_registry *reg;
    CURL *easy;
    struct curl_slist *headers;
    char *body;   /* request body (POST) */
    char *answer; /* response, NUL-terminated */
    size_t answer_len;
    bool too_big;
    bool is_register;
    int32_t id;
    avro_registry_done_fn done;
    void *ctx;
};

struct avro_registry {
    struct curl_loop *curl;
    char *url, *key, *secret;
    const struct pw_log *log;
    struct registry_req *reqs;
    uint64_t requests, failed;
};

static void req_free(struct registry_req *rq)
{
    if (rq->easy)
        curl_easy_cleanup(rq->easy);
    curl_slist_free_all(rq->headers);
    free(rq->body);
    free(rq->answer);
    free(rq);
}

static void req_unlink(struct avro_registry *reg, struct registry_req *rq)
{
    for (struct registry_req **p = &reg->reqs; *p; p = &(*p)->next) {
        if (*p == rq) {
            *p = rq->next;
            return;
        }
    }
}

static void req_finish(struct registry_req *rq, CURLcode result)
{
    struct avro_registry *reg = rq->reg;
    long code = 0;
    int status = 0;
    int32_t id = rq->id;
    const char *schema = NULL;
    json_t *doc = NULL;

    curl_easy_getinfo(rq->easy, CURLINFO_RESPONSE_CODE, &code);
    if (result != CURLE_OK || rq->too_big) {
        status = -EIO;
        PW_WARN(reg->log, "registry", "%s failed: %s", rq->is_register ? "register" : "fetch",
                rq->too_big ? "answer too large" : curl_easy_strerror(result));
    } else if (code == 404) {
        status = -ENOENT;
    } else if (code < 200 || code >= 300) {
        status = -EPROTO;
        PW_WARN(reg->log, "registry", "%s: HTTP %ld", rq->is_register ? "register" : "fetch",
                code);
    } else {
        doc = json_loadb(rq->answer ? rq->answer : "", rq->answer_len, 0, NULL);
        if (rq->is_register) {
            json_t *jid = json_object_get(doc, "id");
            if (!json_is_integer(jid) || json_integer_value(jid) < 0 ||
                json_integer_value(jid) > INT32_MAX)
                status = PW_EPARSE;
            else
                id = (int32_t)json_integer_value(jid);
        } else {
            schema = json_string_value(json_object_get(doc, "schema"));
            if (!schema)
                status = PW_EPARSE;
        }
    }
    if (status)
        reg->failed++;
    req_unlink(reg, rq); /* the callback may destroy the registry */
    rq->done(rq->ctx, status, id, schema);
    json_decref(doc);
    req_free(rq);
}

/* curl_loop_done_fn */
static void transfer_done(void *owner, CURL *easy, CURLcode result)
{
    struct registry_req *rq = NULL;
    (void)owner;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&rq);
    if (rq)
        req_finish(rq, result);
}

static size_t answer_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct registry_req *rq = userp;
    size_t n = size * nmemb;
    if (rq->answer_len + n > REGISTRY_ANSWER_MAX) {
        rq->too_big = true;
        return 0; /* aborts the transfer */
    }
    char *p = realloc(rq->answer, rq->answer_len + n + 1);
    if (!p)
        return 0;
    memcpy(p + rq->answer_len, data, n);
    rq->answer_len += n;
    p[rq->answer_len] = '\0';
    rq->answer = p;
    return n;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

static void registry_free(struct avro_registry *reg)
{
    free(reg->url);
    free(reg->key);
    free(reg->secret);
    free(reg);
}

int avro_registry_create(uv_loop_t *loop, const char *url, const char *key, const char *secret,
                         const struct pw_log *log, struct avro_registry **out)
{
    if (!loop || !url || !*url || !out)
        return -EINVAL;
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return -EINVAL;
    struct avro_registry *reg = calloc(1, sizeof *reg);
    if (!reg)
        return -ENOMEM;
    reg->log = log;
    reg->url = strdup(url);
    reg->key = dup_or_null(key);
    reg->secret = dup_or_null(secret);
    size_t ul = reg->url ? strlen(reg->url) : 0;
    while (ul > 0 && reg->url[ul - 1] == '/')
        reg->url[--ul] = '\0';
    if (!reg->url || (key && *key && !reg->key) || (secret && *secret && !reg->secret) ||
        curl_loop_create(loop, transfer_done, reg, &reg->curl) < 0) {
        registry_free(reg);
        return -ENOMEM;
    }
    *out = reg;
    return 0;
}

static int registry_start(struct avro_registry *reg, struct registry_req *rq, const char *url)
{
    rq->easy = curl_easy_init();
    if (!rq->easy)
        return -ENOMEM;
    rq->headers = curl_slist_append(NULL, "Accept: application/vnd.schemaregistry.v1+json, "
                                          "application/json");
    if (rq->body)
        rq->headers = curl_slist_append(rq->headers,
                                        "Content-Type: application/vnd.schemaregistry.v1+json");
    if (!rq->headers)
        return -ENOMEM;
    curl_easy_setopt(rq->easy, CURLOPT_URL, url);
    curl_easy_setopt(rq->easy, CURLOPT_HTTPHEADER, rq->headers);
    curl_easy_setopt(rq->easy, CURLOPT_WRITEFUNCTION, answer_write);
    curl_easy_setopt(rq->easy, CURLOPT_WRITEDATA, rq);
    curl_easy_setopt(rq->easy, CURLOPT_PRIVATE, rq);
    curl_easy_setopt(rq->easy, CURLOPT_TIMEOUT_MS, REGISTRY_TIMEOUT_MS);
    curl_easy_setopt(rq->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(rq->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    if (rq->body)
        curl_easy_setopt(rq->easy, CURLOPT_POSTFIELDS, rq->body);
    if (reg->key) {
        curl_easy_setopt(rq->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(rq->easy, CURLOPT_USERNAME, reg->key);
        curl_easy_setopt(rq->easy, CURLOPT_PASSWORD, reg->secret ? reg->secret : "");
    }
    int rc = curl_loop_add(reg->curl, rq->easy);
    if (rc < 0)
        return rc;
    rq->next = reg->reqs;
    reg->reqs = rq;
    reg->requests++;
    return 0;
}

int avro_registry_register(struct avro_registry *reg, const char *subject, const char *schema,
                           avro_registry_done_fn done, void *ctx)
{
    int rc = -ENOMEM;
    char *url = NULL, *esc = NULL;
    json_t *body = NULL;
    if (!reg || !subject || !schema || !done)
        return -EINVAL;
    struct registry_req *rq = calloc(1, sizeof *rq);
    if (!rq)
        return -ENOMEM;
    rq->reg = reg;
    rq->is_register = true;
    rq->id = -1;
    rq->done = done;
    rq->ctx = ctx;
    body = json_pack("{s:s}", "schema", schema);
    rq->body = body ? json_dumps(body, JSON_COMPACT) : NULL;
    esc = curl_easy_escape(NULL, subject, 0);
    if (!rq->body || !esc)
        goto out;
    size_t n = strlen(reg->url) + strlen(esc) + 32;
    url = malloc(n);
    if (!url)
        goto out;
    snprintf(url, n, "%s/subjects/%s/versions", reg->url, esc);
    rc = registry_start(reg, rq, url);
out:
    if (rc)
        req_free(rq); /* never added: registry_start adds last */
    json_decref(body);
    curl_free(esc);
    free(url);
    return rc;
}

int avro_registry_fetch(struct avro_registry *reg, int32_t id, avro_registry_done_fn done,
                        void *ctx)
{
    char url[2048];
    if (!reg || id < 0 || !done)
        return -EINVAL;
    if ((size_t)snprintf(url, sizeof url, "%s/schemas/ids/%d", reg->url, (int)id) >= sizeof url)
        return -ENAMETOOLONG;
    struct registry_req *rq = calloc(1, sizeof *rq);
    if (!rq)
        return -ENOMEM;
    rq->reg = reg;
    rq->id = id;
    rq->done = done;
    rq->ctx = ctx;
    int rc = registry_start(reg, rq, url);
    if (rc)
        req_free(rq); /* never added: registry_start adds last */
    return rc;
}

void avro_registry_counts(const struct avro_registry *reg, uint64_t *requests, uint64_t *failed)
{
    *requests = reg ? reg->requests : 0;
    *failed = reg ? reg->failed : 0;
}

void avro_registry_destroy(struct avro_registry *reg)
{
    if (!reg)
        return;
    while (reg->reqs) {
        struct registry_req *rq = reg->reqs;
        reg->reqs = rq->next;
        curl_loop_remove(reg->curl, rq->easy);
        req_free(rq);
    }
    curl_loop_destroy(reg->curl); /* frees itself once its handles have closed */
    registry_free(reg);
}
