#include "replay_test_util.h"

#include <stdlib.h>
#include <string.h>

void recorder_emit(void *ctx, const struct pw_event *ev)
{
    struct recorder *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->ev = realloc(r->ev, r->cap * sizeof *r->ev);
        if (!r->ev)
            abort();
    }
    if (r->n == 0)
        r->positions_ok = 1;
    for (int i = 0; ev->state && i < ev->state->n_cars; i++) {
        if (ev->state->cars[i].position != i + 1)
            r->positions_ok = 0;
    }
    r->ev[r->n] = *ev;
    r->ev[r->n].state = NULL;
    r->n++;
}

void recorder_free(struct recorder *r)
{
    free(r->ev);
    memset(r, 0, sizeof *r);
}

size_t recorder_count(const struct recorder *r, enum pw_event_type type, const char *car)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->ev[i].type == type && (!car || strcmp(r->ev[i].car, car) == 0))
            n++;
    }
    return n;
}

const struct pw_event *recorder_find(const struct recorder *r, enum pw_event_type type,
                                     const char *car)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->ev[i].type == type && (!car || strcmp(r->ev[i].car, car) == 0))
            return &r->ev[i];
    }
    return NULL;
}

const char *state_tla_at(const struct pw_race_state *st, int pos)
{
    return pos >= 1 && pos <= st->n_cars ? st->cars[pos - 1].driver.tla : "";
}

const struct pw_car *state_car(const struct pw_race_state *st, const char *number)
{
    int i = pw_state_find_car(st, number);
    return i < 0 ? NULL : &st->cars[i];
}
