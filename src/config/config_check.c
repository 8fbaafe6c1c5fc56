/* config_check.c — strict configuration: every key must be one the application knows, and
 * an unknown one is named with its line and the nearest known key (a typo is the usual
 * cause: `portt:` silently ignored would leave the default in force). */
#include "config/config_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_PATH_MAX 256

int config_edit_distance(const char *a, const char *b)
{
    /* Levenshtein distance with two rows; names here are short (cut at 64 bytes). */
    size_t la = strnlen(a, 64), lb = strnlen(b, 64);
    int prev[65], cur[65];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

const char *config_suggest(const char *word, const char *const *candidates, int n)
{
    /* Close enough to be a typo: a third of the word, at least 2 edits. */
    int limit = (int)strlen(word) / 3;
    if (limit < 2)
        limit = 2;
    const char *best = NULL;
    int best_d = limit + 1;
    for (int i = 0; i < n; i++) {
        int d = config_edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

/* Is `full` (key `key` in the map at `prefix`) a known setting (1), a section with known
 * settings below it (2), a key of an open section (3), or unknown (0)? A section wins over
 * the open one around it: kafka.topics is checked although kafka is open. */
static int classify(const char *prefix, const char *full, const char *const *known, int n)
{
    size_t len = strlen(full), pl = strlen(prefix);
    bool section = false, open = false;
    for (int i = 0; i < n; i++) {
        const char *k = known[i];
        size_t kl = strlen(k);
        if (strcmp(k, full) == 0)
            return 1;
        if (kl > len + 1 && strncmp(k, full, len) == 0 && k[len] == '.')
            section = true;
        if (kl == pl + 2 && strncmp(k, prefix, pl) == 0 && strcmp(k + pl, ".*") == 0)
            open = true;
    }
    return section ? 2 : open ? 3 : 0;
}

/* The known names one level below `prefix` ("" for the top), for suggestions. */
static int children(const char *prefix, const char *const *known, int n, char names[][64],
                    int max)
{
    size_t pl = strlen(prefix);
    int count = 0;
    for (int i = 0; i < n && count < max; i++) {
        const char *k = known[i];
        if (pl && (strncmp(k, prefix, pl) != 0 || k[pl] != '.'))
            continue;
        const char *rest = pl ? k + pl + 1 : k;
        size_t cl = strcspn(rest, ".");
        if (cl == 0 || cl >= 64 || (cl == 1 && rest[0] == '*'))
            continue;
        bool dup = false;
        for (int j = 0; j < count && !dup; j++)
            dup = strncmp(names[j], rest, cl) == 0 && names[j][cl] == '\0';
        if (!dup) {
            memcpy(names[count], rest, cl);
            names[count++][cl] = '\0';
        }
    }
    return count;
}

static int unknown_key(const struct pw_config *cfg, const char *prefix, const char *key,
                       const char *full, int line, const char *const *known, int n, char *err,
                       size_t errlen)
{
    enum { MAX_NAMES = 128 };
    static const int max_names = MAX_NAMES;
    char (*names)[64] = calloc(MAX_NAMES, sizeof *names);
    const char *ptrs[MAX_NAMES];
    int count = names ? children(prefix, known, n, names, max_names) : 0;
    for (int i = 0; i < count; i++)
        ptrs[i] = names[i];
    const char *near = config_suggest(key, ptrs, count);
    char hint[CHECK_PATH_MAX + 32] = "";
    if (near) {
        snprintf(hint, sizeof hint, " (did you mean %s%s%s?)", prefix, *prefix ? "." : "", near);
    } else {
        /* Perhaps in another section: the whole known path whose last name is nearest. */
        const char *whole = config_suggest(full, known, n);
        if (whole && !strchr(whole, '*'))
            snprintf(hint, sizeof hint, " (did you mean %s?)", whole);
    }
    free(names);
    config_errorf(err, errlen, cfg->name, line, "unknown setting %s%s", full, hint);
    return -EINVAL;
}

static int check_map(const struct pw_config *cfg, const struct pw_config_node *map,
                     const char *prefix, const char *const *known, int n, char *err,
                     size_t errlen)
{
    for (int i = 0; i < map->n; i++) {
        const char *key = map->keys[i];
        const struct pw_config_node *value = map->items[i];
        char full[CHECK_PATH_MAX];
        if (snprintf(full, sizeof full, "%s%s%s", prefix, *prefix ? "." : "", key) >=
            (int)sizeof full) {
            config_errorf(err, errlen, cfg->name, map->key_lines[i],
                          "unknown setting (name too long)");
            return -EINVAL;
        }
        switch (classify(prefix, full, known, n)) {
        case 1:
        case 3:
            continue;
        case 2:
            if (value->kind == PW_CONFIG_MAP) {
                int rc = check_map(cfg, value, full, known, n, err, errlen);
                if (rc < 0)
                    return rc;
            } else if (!value->is_null) {
                config_errorf(err, errlen, cfg->name, map->key_lines[i],
                              "%s is a section: it holds settings (key: value lines below it)",
                              full);
                return -EINVAL;
            }
            continue;
        default:
            return unknown_key(cfg, prefix, key, full, map->key_lines[i], known, n, err, errlen);
        }
    }
    return 0;
}

int config_check_keys(const struct pw_config *cfg, const char *const *known, int n_known,
                      char *err, size_t errlen)
{
    const struct pw_config_node *root = cfg ? cfg->root : NULL;
    if (!root || root->is_null)
        return 0;
    if (root->kind != PW_CONFIG_MAP) {
        config_errorf(err, errlen, cfg->name, root->line,
                      "the configuration must be a map of settings (key: value)");
        return -EINVAL;
    }
    return check_map(cfg, root, "", known, n_known, err, errlen);
}
