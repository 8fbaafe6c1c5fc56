#include "runner/tick_clock.h"

void tick_clock_start(struct tick_clock *c, uint64_t now_ms, uint64_t period_ms)
{
    c->period_ms = period_ms;
    c->due_ms = now_ms + period_ms;
    c->skipped = 0;
}

uint64_t tick_clock_next(struct tick_clock *c, uint64_t now_ms)
{
    uint64_t next = c->due_ms + c->period_ms;
    if (next <= now_ms) {
        /* Later than a whole period: the grid points up to now_ms are this tick's. */
        uint64_t passed = (now_ms - next) / c->period_ms + 1;
        c->skipped += passed;
        next += passed * c->period_ms;
    }
    c->due_ms = next;
    return next - now_ms;
}
