/* Positions deltas: what changed between two positions objects, and applying it back. */
#include "hub/delta.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Fields of the positions object that are the delta's own or rebuilt by the client. */
static bool top_field_fixed(const char *key)
{
    return strcmp(key, "positions") == 0 || strcmp(key, "seq") == 0 ||
           strcmp(key, "timestamp") == 0 || strcmp(key, "server_ms") == 0;
}

static const char *car_number(const json_t *car)
{
    return json_string_value(json_object_get(car, "number"));
}

/* The car numbered `number` in `cars`, or NULL. A grid has at most a few dozen cars, so a
 * linear scan costs less than building an index per tick. */
static json_t *find_car(const json_t *cars, const char *number)
{
    size_t i;
    json_t *car;
    json_array_foreach(cars, i, car)
    {
        const char *n = car_number(car);
        if (n && strcmp(n, number) == 0)
            return car;
    }
    return NULL;
}

/* Every car has a string number, unique in the list, and the frame's timestamp. */
static bool cars_well_formed(const json_t *cars, const json_t *timestamp)
{
    size_t i;
    json_t *car;
    if (!json_is_array(cars))
        return false;
    json_array_foreach(cars, i, car)
    {
        const char *n = car_number(car);
        if (!n || find_car(cars, n) != car)
            return false;
        if (timestamp && !json_equal(json_object_get(car, "timestamp"), (json_t *)timestamp))
            return false;
    }
    return true;
}

/* {field: value} of the fields of `car` that differ from `was` (all of them when `was` is
 * NULL), without the per-car timestamp. An empty object when nothing changed. */
static json_t *car_changes(const json_t *was, const json_t *car)
{
    json_t *out = json_object();
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)car, key, value)
    {
        if (!out)
            return NULL;
        if (strcmp(key, "timestamp") == 0)
            continue;
        if (was && json_equal(json_object_get(was, key), value))
            continue;
        if (json_object_set(out, key, value) < 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static bool same_order(const json_t *a, const json_t *b)
{
    if (json_array_size(a) != json_array_size(b))
        return false;
    for (size_t i = 0; i < json_array_size(a); i++) {
        if (strcmp(car_number(json_array_get(a, i)), car_number(json_array_get(b, i))) != 0)
            return false;
    }
    return true;
}

static int add_cars(json_t *delta, const json_t *prev_cars, const json_t *cars)
{
    json_t *changed = json_object();
    if (!changed)
        return -ENOMEM;
    size_t i;
    json_t *car;
    json_array_foreach(cars, i, car)
    {
        const char *n = car_number(car);
        json_t *diff = car_changes(find_car(prev_cars, n), car);
        if (!diff || (json_object_size(diff) && json_object_set(changed, n, diff) < 0)) {
            json_decref(diff);
            json_decref(changed);
            return -ENOMEM;
        }
        json_decref(diff);
    }
    if (!same_order(prev_cars, cars)) {
        json_t *order = json_array();
        json_array_foreach(cars, i, car)
        {
            if (!order || json_array_append_new(order, json_string(car_number(car))) < 0) {
                json_decref(order);
                order = NULL;
                break;
            }
        }
        if (!order || json_object_set_new(delta, "order", order) < 0) {
            json_decref(changed);
            return -ENOMEM;
        }
    }
    if (json_object_size(changed))
        return json_object_set_new(delta, "cars", changed) < 0 ? -ENOMEM : 0;
    json_decref(changed);
    return 0;
}

int hub_delta_positions(const json_t *prev, const json_t *next, json_t **out)
{
    *out = NULL;
    const json_t *prev_cars = json_object_get(prev, "positions");
    const json_t *cars = json_object_get(next, "positions");
    const json_t *ts = json_object_get(next, "timestamp");
    if (!json_is_integer(json_object_get(prev, "seq")) || !json_is_integer(ts) ||
        !cars_well_formed(prev_cars, NULL) || !cars_well_formed(cars, ts))
        return -EINVAL;
    json_t *delta = json_pack("{s:s, s:O, s:O, s:O, s:O}", "type", "delta", "base",
                              json_object_get(prev, "seq"), "seq", json_object_get(next, "seq"),
                              "timestamp", ts, "server_ms", json_object_get(next, "server_ms"));
    if (!delta)
        return -ENOMEM;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)next, key, value)
    {
        if (top_field_fixed(key) || json_equal(json_object_get(prev, key), value))
            continue;
        if (json_object_set(delta, key, value) < 0)
            goto nomem;
    }
    if (add_cars(delta, prev_cars, cars) < 0)
        goto nomem;
    *out = delta;
    return 0;
nomem:
    json_decref(delta);
    return -ENOMEM;
}

/* One car of the new list: the old car (if any) with the delta's fields over it. */
static json_t *rebuild_car(const json_t *prev_cars, const json_t *changes, const char *number,
                           const json_t *timestamp)
{
    const json_t *was = find_car(prev_cars, number);
    const json_t *diff = json_object_get(changes, number);
    if (!was && !diff)
        return NULL;
    json_t *car = was ? json_deep_copy(was) : json_object();
    if (!car || (diff && json_object_update(car, (json_t *)diff) < 0) ||
        json_object_set(car, "timestamp", (json_t *)timestamp) < 0) {
        json_decref(car);
        return NULL;
    }
    return car;
}

int hub_delta_apply(const json_t *prev, const json_t *delta, json_t **out)
{
    *out = NULL;
    const json_t *prev_cars = json_object_get(prev, "positions");
    const json_t *order = json_object_get(delta, "order");
    const json_t *changes = json_object_get(delta, "cars");
    const json_t *ts = json_object_get(delta, "timestamp");
    if (!json_is_array(prev_cars) ||
        !json_equal(json_object_get(prev, "seq"), json_object_get(delta, "base")))
        return -EINVAL;
    json_t *full = json_deep_copy(prev);
    json_t *cars = json_array();
    if (!full || !cars)
        goto fail;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)delta, key, value)
    {
        if (strcmp(key, "type") && strcmp(key, "base") && strcmp(key, "order") &&
            strcmp(key, "cars") && json_object_set(full, key, value) < 0)
            goto fail;
    }
    size_t n = order ? json_array_size(order) : json_array_size(prev_cars);
    for (size_t i = 0; i < n; i++) {
        const char *number = order ? json_string_value(json_array_get(order, i))
                                   : car_number(json_array_get(prev_cars, i));
        json_t *car = number ? rebuild_car(prev_cars, changes, number, ts) : NULL;
        if (!car || json_array_append_new(cars, car) < 0)
            goto fail;
    }
    if (json_object_set_new(full, "positions", cars) < 0) {
        cars = NULL;
        goto fail;
    }
    *out = full;
    return 0;
fail:
    json_decref(cars);
    json_decref(full);
    return -EINVAL;
}
