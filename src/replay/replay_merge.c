#include "replay/replay_merge.h"

#include "replay/replay_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every function below returns a NEW reference to the merged value, or NULL when out of
 * memory or when nothing is to be stored (too deep and no base value). */
static json_t *merge_value(json_t *base, json_t *delta, int depth, struct replay_merge_stats *st);

static bool is_special_key(const char *key)
{
    return key[0] == '_' && (strcmp(key, "_kf") == 0 || strcmp(key, "_deleted") == 0);
}

int replay_merge_is_keyframe(const json_t *delta)
{
    return json_is_object(delta) && json_is_true(json_object_get(delta, "_kf"));
}

/* Array index from an object key: strict decimal, no sign or leading zero. */
static bool key_index(const char *key, size_t *out)
{
    long v;
    if (replay_parse_uint(key, 1000000, &v) < 0)
        return false;
    *out = (size_t)v;
    return true;
}

static void apply_deleted_object(json_t *base, json_t *list, struct replay_merge_stats *st)
{
    size_t i;
    json_t *k;
    json_array_foreach(list, i, k)
    {
        if (!json_is_string(k) || json_object_del(base, json_string_value(k)) < 0)
            st->ignored++;
    }
}

static void apply_deleted_array(json_t *base, json_t *list, struct replay_merge_stats *st)
{
    /* Mark, then rebuild once: removing one by one would be quadratic on hostile input. */
    size_t n = json_array_size(base);
    if (n == 0)
        return;
    bool *gone = calloc(n, sizeof *gone);
    json_t *kept = json_array();
    if (!gone || !kept) {
        st->ignored++;
        goto out;
    }
    size_t i;
    json_t *k;
    json_array_foreach(list, i, k)
    {
        size_t idx;
        const char *s = json_string_value(k);
        bool ok = s ? key_index(s, &idx) : json_is_integer(k) && json_integer_value(k) >= 0;
        if (ok && !s)
            idx = (size_t)json_integer_value(k);
        if (ok && idx < n)
            gone[idx] = true;
        else
            st->ignored++;
    }
    for (i = 0; i < n; i++) {
        if (!gone[i] && json_array_append(kept, json_array_get(base, i)) < 0) {
            st->ignored++;
            goto out;
        }
    }
    json_array_clear(base);
    json_array_extend(base, kept);
out:
    json_decref(kept);
    free(gone);
}

static int set_child(json_t *obj, const char *key, json_t *child, json_t *res)
{
    if (!res)
        return 0;
    if (res == child) { /* merged in place: drop the extra reference, no re-insert */
        json_decref(res);
        return 0;
    }
    return json_object_set_new(obj, key, res) < 0 ? -ENOMEM : 0;
}

/* Object delta onto an object base, in place. */
static int merge_object_into(json_t *base, json_t *delta, int depth, struct replay_merge_stats *st)
{
    json_t *del = json_object_get(delta, "_deleted");
    if (del) {
        if (json_is_array(del))
            apply_deleted_object(base, del, st);
        else
            st->ignored++;
    }
    const char *key;
    json_t *v;
    json_object_foreach(delta, key, v)
    {
        if (is_special_key(key))
            continue;
        json_t *child = json_object_get(base, key);
        json_t *res = merge_value(child, v, depth + 1, st);
        if (!res && depth + 1 <= REPLAY_MERGE_MAX_DEPTH)
            return -ENOMEM;
        if (set_child(base, key, child, res) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* Object delta with decimal keys onto an array base, in place. */
static int merge_array_patch(json_t *base, json_t *delta, int depth, struct replay_merge_stats *st)
{
    json_t *del = json_object_get(delta, "_deleted");
    if (del) {
        if (json_is_array(del))
            apply_deleted_array(base, del, st);
        else
            st->ignored++;
    }
    size_t len0 = json_array_size(base), numeric = 0, applied = 0;
    const char *key;
    json_t *v;
    json_object_foreach(delta, key, v)
    {
        size_t idx;
        if (is_special_key(key))
            continue;
        if (!key_index(key, &idx)) {
            st->ignored++;
            continue;
        }
        numeric++;
        if (idx >= len0)
            continue; /* appends are done below, in index order */
        json_t *child = json_array_get(base, idx);
        json_t *res = merge_value(child, v, depth + 1, st);
        applied++;
        if (!res)
            continue;
        if (res == child)
            json_decref(res);
        else if (json_array_set_new(base, idx, res) < 0)
            return -ENOMEM;
    }
    /* Appends: N == length, then N+1 == new length, ... whatever order the keys came in. */
    for (;;) {
        char k[24];
        snprintf(k, sizeof k, "%zu", json_array_size(base));
        json_t *nv = json_object_get(delta, k);
        if (!nv)
            break;
        json_t *res = merge_value(NULL, nv, depth + 1, st);
        applied++;
        if (!res)
            break;
        if (json_array_append_new(base, res) < 0)
            return -ENOMEM;
    }
    st->ignored += numeric - applied;
    return 0;
}

static json_t *fresh_array(json_t *delta, int depth, struct replay_merge_stats *st)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    size_t i;
    json_t *v;
    json_array_foreach(delta, i, v)
    {
        json_t *res = merge_value(NULL, v, depth + 1, st);
        if (!res)
            continue;
        if (json_array_append_new(arr, res) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *merge_value(json_t *base, json_t *delta, int depth, struct replay_merge_stats *st)
{
    if (depth > REPLAY_MERGE_MAX_DEPTH) {
        st->ignored++;
        return base ? json_incref(base) : NULL;
    }
    if (json_is_object(delta)) {
        bool kf = json_is_true(json_object_get(delta, "_kf"));
        if (!kf && json_is_object(base)) {
            json_incref(base);
            if (merge_object_into(base, delta, depth, st) < 0) {
                json_decref(base);
                return NULL;
            }
            return base;
        }
        if (!kf && json_is_array(base)) {
            json_incref(base);
            if (merge_array_patch(base, delta, depth, st) < 0) {
                json_decref(base);
                return NULL;
            }
            return base;
        }
        /* Keyframe, or nothing to merge onto: build a clean copy without the markers. */
        json_t *obj = json_object();
        if (!obj)
            return NULL;
        if (merge_object_into(obj, delta, depth, st) < 0) {
            json_decref(obj);
            return NULL;
        }
        return obj;
    }
    if (json_is_array(delta))
        return fresh_array(delta, depth, st);
    return json_incref(delta); /* scalars are never modified, so sharing them is safe */
}

int replay_merge_apply(json_t **state, json_t *delta, struct replay_merge_stats *stats)
{
    json_t *res = merge_value(*state, delta, 0, stats);
    if (!res)
        return -ENOMEM;
    if (res != *state)
        json_decref(*state);
    else
        json_decref(res);
    *state = res;
    return 0;
}
