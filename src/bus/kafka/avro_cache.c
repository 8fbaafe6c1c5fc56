#include "bus/kafka/avro_cache.h"

#include "bus/kafka/avro_positions.h"
#include "core/error.h"

#include <string.h>

static void entry_free(struct avro_cache_entry *e)
{
    if (e->reader)
        avro_reader_free(e->reader);
    if (e->value.self)
        avro_value_decref(&e->value);
    if (e->iface)
        avro_value_iface_decref(e->iface);
    if (e->schema)
        avro_schema_decref(e->schema);
    memset(e, 0, sizeof *e);
}

struct avro_cache_entry *avro_cache_get(struct avro_cache *c, int32_t id)
{
    for (int i = 0; i < AVRO_CACHE_MAX; i++) {
        if (c->e[i].used && c->e[i].id == id)
            return &c->e[i];
    }
    return NULL;
}

static struct avro_cache_entry *cache_slot(struct avro_cache *c, int32_t id)
{
    struct avro_cache_entry *e = avro_cache_get(c, id);
    if (!e) {
        for (int i = 0; i < AVRO_CACHE_MAX && !e; i++) {
            if (!c->e[i].used)
                e = &c->e[i];
        }
    }
    if (!e) {
        e = &c->e[c->next_victim];
        c->next_victim = (c->next_victim + 1) % AVRO_CACHE_MAX;
    }
    entry_free(e);
    e->used = true;
    e->id = id;
    return e;
}

void avro_cache_put_bad(struct avro_cache *c, int32_t id)
{
    cache_slot(c, id);
}

int avro_cache_put(struct avro_cache *c, int32_t id, const char *schema_json)
{
    struct avro_cache_entry *e = cache_slot(c, id);
    if (!schema_json || avro_schema_from_json_length(schema_json, strlen(schema_json),
                                                     &e->schema)) {
        e->schema = NULL;
        return PW_EUNKNOWN;
    }
    if (avro_positions_check_schema(e->schema))
        return PW_EUNKNOWN;
    e->iface = avro_generic_class_from_schema(e->schema);
    e->reader = avro_reader_memory(NULL, 0);
    avro_positions_layout_init(e->schema, &e->layout);
    if (!e->iface || !e->reader || avro_generic_value_new(e->iface, &e->value)) {
        entry_free(e);
        e->used = true;
        e->id = id;
        return -ENOMEM;
    }
    e->readable = true;
    return 0;
}

void avro_cache_clear(struct avro_cache *c)
{
    for (int i = 0; i < AVRO_CACHE_MAX; i++)
        entry_free(&c->e[i]);
    c->next_victim = 0;
}
