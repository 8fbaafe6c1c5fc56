/* race_check.c — see race_check.h. */
#include "race_check.h"

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
