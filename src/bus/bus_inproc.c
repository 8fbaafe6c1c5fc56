#include "bus/bus.h"

#include <errno.h>
#include <stdlib.h>

#define INPROC_MAX_SUBS 32

struct inproc_event_sub {
    unsigned topics;
    pw_bus_event_fn fn;
    void *ctx;
};

struct inproc_control_sub {
    pw_bus_control_fn fn;
    void *ctx;
};

struct bus_inproc {
    struct pw_bus base;
    int n_event_subs;
    struct inproc_event_sub event_subs[INPROC_MAX_SUBS];
    int n_control_subs;
    struct inproc_control_sub control_subs[INPROC_MAX_SUBS];
};

static int inproc_publish_event(struct pw_bus *bus, const struct pw_event *ev)
{
    struct bus_inproc *b = (struct bus_inproc *)bus;
    unsigned topic = pw_event_is_commentary(ev->type) ? PW_BUS_COMMENTARY : PW_BUS_RACE;
    for (int i = 0; i < b->n_event_subs; i++) {
        if (b->event_subs[i].topics & topic)
            b->event_subs[i].fn(b->event_subs[i].ctx, ev);
    }
    return 0;
}

static int inproc_publish_control(struct pw_bus *bus, const struct pw_control *ctl)
{
    struct bus_inproc *b = (struct bus_inproc *)bus;
    if (b->n_control_subs == 0)
        return -ENOTCONN; /* nobody runs races: the caller must say so, not drop it */
    for (int i = 0; i < b->n_control_subs; i++)
        b->control_subs[i].fn(b->control_subs[i].ctx, ctl);
    return 0;
}

static int inproc_subscribe_events(struct pw_bus *bus, unsigned topics, pw_bus_event_fn fn,
                                   void *ctx)
{
    struct bus_inproc *b = (struct bus_inproc *)bus;
    if (!fn || (topics & PW_BUS_ALL) == 0)
        return -EINVAL;
    if (b->n_event_subs == INPROC_MAX_SUBS)
        return -ENOSPC;
    b->event_subs[b->n_event_subs++] = (struct inproc_event_sub){topics, fn, ctx};
    return 0;
}

static int inproc_subscribe_control(struct pw_bus *bus, pw_bus_control_fn fn, void *ctx)
{
    struct bus_inproc *b = (struct bus_inproc *)bus;
    if (!fn)
        return -EINVAL;
    if (b->n_control_subs == INPROC_MAX_SUBS)
        return -ENOSPC;
    b->control_subs[b->n_control_subs++] = (struct inproc_control_sub){fn, ctx};
    return 0;
}

static int inproc_healthy(const struct pw_bus *bus)
{
    (void)bus;
    return 1;
}

static void inproc_destroy(struct pw_bus *bus)
{
    free(bus);
}

static const struct pw_bus_ops inproc_ops = {
    .publish_event = inproc_publish_event,
    .publish_control = inproc_publish_control,
    .subscribe_events = inproc_subscribe_events,
    .subscribe_control = inproc_subscribe_control,
    .healthy = inproc_healthy,
    .destroy = inproc_destroy,
};

int bus_inproc_create(struct pw_bus **out)
{
    struct bus_inproc *b = calloc(1, sizeof *b);
    if (!b)
        return -ENOMEM;
    b->base.ops = &inproc_ops;
    *out = &b->base;
    return 0;
}
