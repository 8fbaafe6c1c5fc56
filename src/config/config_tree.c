/* config_tree.c — read-only access to a loaded tree, and dotted-path lookup. */
#include "config/config_internal.h"

#include <assert.h>
#include <string.h>

/* Paths longer than this cannot name anything a sane config holds; refusing them also
 * bounds the backtracking in lookup(). */
#define CONFIG_PATH_MAX 1024

const struct pw_config_node *config_root(const struct pw_config *cfg)
{
    return cfg ? cfg->root : NULL;
}

enum pw_config_kind config_kind(const struct pw_config_node *n)
{
    assert(n);
    return n->kind;
}

int config_line(const struct pw_config_node *n)
{
    return n ? n->line : 0;
}

const char *config_scalar(const struct pw_config_node *n)
{
    return n && n->kind == PW_CONFIG_SCALAR ? n->text : NULL;
}

int config_size(const struct pw_config_node *n)
{
    return n && n->kind != PW_CONFIG_SCALAR ? n->n : 0;
}

const char *config_key_at(const struct pw_config_node *map, int i)
{
    if (!map || map->kind != PW_CONFIG_MAP || i < 0 || i >= map->n)
        return NULL;
    return map->keys[i];
}

const struct pw_config_node *config_value_at(const struct pw_config_node *n, int i)
{
    if (!n || n->kind == PW_CONFIG_SCALAR || i < 0 || i >= n->n)
        return NULL;
    return n->items[i];
}

static const struct pw_config_node *find_key(const struct pw_config_node *map, const char *key,
                                             size_t len)
{
    for (int i = 0; i < map->n; i++)
        if (strlen(map->keys[i]) == len && memcmp(map->keys[i], key, len) == 0)
            return map->items[i];
    return NULL;
}

/* `path` (len bytes) below `map`: the whole rest as one literal key first, then splits at
 * each dot from the right, so "kafka.bootstrap.servers" finds the key "bootstrap.servers"
 * under "kafka" and "a.b.c" still works as three levels. */
static const struct pw_config_node *lookup(const struct pw_config_node *map, const char *path,
                                           size_t len, int depth)
{
    if (!map || map->kind != PW_CONFIG_MAP || len == 0 || depth > CONFIG_MAX_DEPTH)
        return NULL;
    const struct pw_config_node *hit = find_key(map, path, len);
    if (hit)
        return hit;
    for (size_t cut = len; cut-- > 0;) {
        if (path[cut] != '.')
            continue;
        const struct pw_config_node *child = find_key(map, path, cut);
        if (!child)
            continue;
        hit = lookup(child, path + cut + 1, len - cut - 1, depth + 1);
        if (hit)
            return hit;
    }
    return NULL;
}

const struct pw_config_node *config_get(const struct pw_config_node *map, const char *dotted_path)
{
    if (!dotted_path)
        return NULL;
    size_t len = strnlen(dotted_path, CONFIG_PATH_MAX + 1);
    if (len > CONFIG_PATH_MAX)
        return NULL;
    return lookup(map, dotted_path, len, 0);
}
