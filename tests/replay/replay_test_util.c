#include "replay_test_util.h"

#include "replay/replay.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
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

struct pw_source *replay_test_open(const char *root, const char *id)
{
    char dir[1024], err[512] = "";
    snprintf(dir, sizeof dir, "%s/%s", root, id);
    struct pw_source *src = NULL;
    if (replay_open(dir, NULL, NULL, &src, err, sizeof err) < 0)
        fail_msg("replay_open(%s): %s", dir, err);
    return src;
}

void replay_test_check_order(const struct pw_race_state *s, const char *order)
{
    char want[256];
    snprintf(want, sizeof want, "%s", order);
    int i = 0;
    for (char *save = NULL, *t = strtok_r(want, " ", &save); t; t = strtok_r(NULL, " ", &save), i++) {
        assert_true(i < s->n_cars);
        if (strcmp(s->cars[i].driver.tla, t) != 0)
            fail_msg("P%d is %s, README says %s", i + 1, s->cars[i].driver.tla, t);
        assert_int_equal(s->cars[i].position, i + 1);
    }
    assert_int_equal(i, s->n_cars);
}

int replay_test_run_uneven(struct pw_source *src, struct recorder *rec)
{
    int64_t t = 0, step = 250;
    int rc = 0;
    while (rc == 0) {
        t += step;
        step = step * 3 % 9973 + 1;
        rc = src->ops->advance(src, t, recorder_emit, rec);
    }
    return rc;
}
