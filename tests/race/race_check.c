/* race_check.c — see race_check.h. */
#include "race_check.h"

#include "race/grid.h"
#include "race/sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int race_check_slot(const char *number)
{
    int v = atoi(number);
    return v >= 0 && v < RACE_CHECK_NUMBERS ? v : 0;
}

int race_check_drive(struct pw_source *src, int64_t step_ms, pw_emit_fn emit, void *ctx)
{
    int64_t t = 0, end = src->ops->duration_ms(src) + 600000;
    int rc = 0;
    while (rc == 0 && t <= end) {
        t = step_ms > 0 ? t + step_ms : end;
        rc = src->ops->advance(src, t, emit, ctx);
    }
    return rc;
}

bool race_check_slick(enum pw_tyre t)
{
    return t == PW_TYRE_SOFT || t == PW_TYRE_MEDIUM || t == PW_TYRE_HARD;
}

int race_check_grid_load(void **state)
{
    struct pw_grid *grid = malloc(sizeof *grid);
    if (!grid)
        return -ENOMEM;
    int rc = race_grid_load_builtin("2026", grid);
    if (rc != 0) {
        free(grid);
        return rc;
    }
    *state = grid;
    return 0;
}

int race_check_grid_free(void **state)
{
    free(*state);
    *state = NULL;
    return 0;
}

int race_check_race(const struct race_sim_options *opt, int64_t step_ms, pw_emit_fn emit,
                    void *ctx, struct pw_source **out)
{
    struct pw_source *src = NULL;
    int rc = race_sim_create(opt, &src);
    if (rc != 0)
        return rc;
    rc = race_check_drive(src, step_ms, emit, ctx);
    if (out)
        *out = src;
    else
        src->ops->destroy(src);
    return rc;
}

uint64_t race_check_hash(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001B3ull;
    return h;
}

uint64_t race_check_hash_event(uint64_t h, const struct pw_event *ev)
{
    char line[400];
    int len = snprintf(line, sizeof line, "%d %lld %s %s %d %d %s", ev->type,
                       (long long)ev->race_ms, ev->car, ev->other, ev->tyre, ev->track, ev->text);
    return race_check_hash(h, line, len < (int)sizeof line ? (size_t)len : sizeof line - 1);
}

void race_check_fail(struct race_check_failure *f, const char *what, const struct pw_event *ev)
{
    if (f->count++ == 0)
        snprintf(f->why, sizeof f->why, "%s (%s at %lld ms, car %s: %s)", what,
                 pw_event_type_name(ev->type), (long long)ev->race_ms, ev->car, ev->text);
}

const char *race_check_classification(const struct pw_race_state *st)
{
    for (int i = 0; i < st->n_cars; i++) {
        const struct pw_car *c = &st->cars[i];
        if (c->position != i + 1 || c->finished == c->retired)
            return "classification out of order or a car neither finished nor out";
        if (i > 0 && c->finished && st->cars[i - 1].retired)
            return "a finisher below a retired car";
    }
    return NULL;
}
