/* avro_cache.h — writer schemas by Schema Registry id, ready to decode with.
 *
 * A consumer meets schema ids in the wire header; the first time, it fetches the schema
 * from the registry and keeps it here: the parsed schema, a generic value to read bodies
 * into, and whether pitwall can read it at all (an id the registry does not know, or a
 * schema that is not a LeaderboardUpdate, is remembered as bad so that a stream of poison
 * messages costs one lookup, not one per message). Bounded: the oldest entry makes room.
 *
 * Ownership: the cache owns every Avro C object in it; clear/destroy free them. */
#ifndef PW_BUS_AVRO_CACHE_H
#define PW_BUS_AVRO_CACHE_H

#include "bus/kafka/avro_positions.h"

#include <avro.h>
#include <stdbool.h>
#include <stdint.h>

#define AVRO_CACHE_MAX 32

struct avro_cache_entry {
    int32_t id;
    bool used;
    bool readable;          /* false: unknown to the registry or not a LeaderboardUpdate */
    avro_schema_t schema;
    avro_value_iface_t *iface;
    avro_value_t value;
    struct avro_positions_layout layout;
    avro_reader_t reader; /* memory reader re-pointed at each body */
};

struct avro_cache {
    struct avro_cache_entry e[AVRO_CACHE_MAX];
    int next_victim;
};

/* NULL when `id` has no entry yet. */
struct avro_cache_entry *avro_cache_get(struct avro_cache *c, int32_t id);
/* Parses and keeps the schema text for `id`. A text that does not parse or is not a
 * readable positions record is kept as a bad entry and PW_EUNKNOWN returned. */
int avro_cache_put(struct avro_cache *c, int32_t id, const char *schema_json);
/* Remembers `id` as unreadable (the registry said it does not exist). */
void avro_cache_put_bad(struct avro_cache *c, int32_t id);
void avro_cache_clear(struct avro_cache *c);

#endif
