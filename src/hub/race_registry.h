/* race_registry.h — the ids of races the hub has let go of (evicted after their finish),
 * so that a late event of such a race is recognised as late instead of bringing back an
 * empty record of it (a finished race stays finished; its record is in the history).
 *
 * Owns: a fixed ring of ids, the oldest forgotten first once it is full. Pure data: no
 * loop, no I/O, so it is unit-tested on its own. */
#ifndef PW_HUB_RACE_REGISTRY_H
#define PW_HUB_RACE_REGISTRY_H

#include "core/timing.h"

#include <stdbool.h>
#include <stddef.h>

struct race_registry {
    char (*ids)[PW_RACE_ID_MAX]; /* ring of `cap` ids */
    size_t cap, head, count;     /* head: where the next id goes */
};

/* 0 or -ENOMEM; cap 0 is a registry that remembers nothing. */
int race_registry_init(struct race_registry *reg, size_t cap);
/* Remember `race_id` as let go (ids longer than PW_RACE_ID_MAX-1 are never race ids). */
void race_registry_add(struct race_registry *reg, const char *race_id);
bool race_registry_has(const struct race_registry *reg, const char *race_id);
void race_registry_free(struct race_registry *reg);

#endif
