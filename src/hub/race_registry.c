/* A bounded ring of retired race ids; see race_registry.h. */
#include "hub/race_registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int race_registry_init(struct race_registry *reg, size_t cap)
{
    *reg = (struct race_registry){.cap = cap};
    if (cap == 0)
        return 0;
    reg->ids = calloc(cap, sizeof *reg->ids);
    return reg->ids ? 0 : -ENOMEM;
}

void race_registry_add(struct race_registry *reg, const char *race_id)
{
    size_t len = strlen(race_id);
    if (reg->cap == 0 || len == 0 || len >= PW_RACE_ID_MAX || race_registry_has(reg, race_id))
        return;
    memcpy(reg->ids[reg->head], race_id, len + 1);
    reg->head = (reg->head + 1) % reg->cap;
    if (reg->count < reg->cap)
        reg->count++;
}

bool race_registry_has(const struct race_registry *reg, const char *race_id)
{
    /* Newest first: a late event is most likely about a race let go of recently. */
    for (size_t i = 0; i < reg->count; i++) {
        size_t at = (reg->head + reg->cap - 1 - i) % reg->cap;
        if (strcmp(reg->ids[at], race_id) == 0)
            return true;
    }
    return false;
}

void race_registry_free(struct race_registry *reg)
{
    free(reg->ids);
    *reg = (struct race_registry){0};
}
