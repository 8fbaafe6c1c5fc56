/* avro_registry.h — an asynchronous Confluent Schema Registry client (REST API over
 * libcurl's multi interface, driven by the libuv loop through core/curl_loop.h: nothing
 * here blocks the loop).
 *
 * Two requests are needed by pitwall: register a schema under a subject
 * (POST /subjects/{subject}/versions -> {"id": n}) and fetch a schema by id
 * (GET /schemas/ids/{id} -> {"schema": "..."}). Basic auth (Confluent Cloud API key and
 * secret) when a key is given. Answers are bounded in size and time.
 *
 * Ownership: the registry copies url/key/secret. `done` is called exactly once per request
 * accepted (status 0 or a negative error, with id and schema text borrowed for the call),
 * except that requests still in flight at destroy are dropped without a call. destroy may
 * be called from `done`; the loop must run after it, to close the curl_loop's handles. */
#ifndef PW_BUS_AVRO_REGISTRY_H
#define PW_BUS_AVRO_REGISTRY_H

#include "core/log.h"

#include <stdint.h>
#include <uv.h>

struct avro_registry;

/* status: 0, -ENOENT (the registry answered 404), -EIO (transport), PW_EPARSE (bad answer),
 * -EPROTO (other HTTP status). */
typedef void (*avro_registry_done_fn)(void *ctx, int status, int32_t id, const char *schema);

int avro_registry_create(uv_loop_t *loop, const char *url, const char *key, const char *secret,
                         const struct pw_log *log, struct avro_registry **out);
int avro_registry_register(struct avro_registry *reg, const char *subject, const char *schema,
                           avro_registry_done_fn done, void *ctx);
int avro_registry_fetch(struct avro_registry *reg, int32_t id, avro_registry_done_fn done,
                        void *ctx);
/* Requests started and failed, for metrics. */
void avro_registry_counts(const struct avro_registry *reg, uint64_t *requests, uint64_t *failed);
void avro_registry_destroy(struct avro_registry *reg);

#endif
