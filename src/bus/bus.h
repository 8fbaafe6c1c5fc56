/* bus.h — the publish/subscribe interface between race sources, the commentary engine and
 * the hub; what every implementation guarantees is "The bus contract" in
 * docs/ARCHITECTURE.md. Two implementations: in-process (bus_inproc.c, the default) and
 * Kafka (src/bus/kafka/). Everything above the bus is the same code in both modes.
 *
 * Ownership: publish never takes ownership; the bus copies (in-process: delivers
 * synchronously, before publish returns) or serializes (Kafka) what it needs. A subscriber
 * gets borrowed pointers valid only during its callback. */
#ifndef PW_BUS_BUS_H
#define PW_BUS_BUS_H

#include "core/event.h"

#include <stdint.h>

/* Which events a subscriber wants. */
enum pw_bus_topic {
    PW_BUS_RACE = 1u << 0,       /* every event but commentary (positions included) */
    PW_BUS_COMMENTARY = 1u << 1, /* lines and the done marker: pw_event_is_commentary */
    PW_BUS_ALL = PW_BUS_RACE | PW_BUS_COMMENTARY,
};

/* Requests to the race runners: any edge accepts them, a runner carries them out. */
enum pw_control_op {
    PW_CONTROL_START = 1,
    PW_CONTROL_STOP,
    PW_CONTROL_PAUSE,
    PW_CONTROL_RESUME,
    PW_CONTROL_SEEK, /* to seek_ms on the race clock */
};

struct pw_control {
    enum pw_control_op op;
    char race_id[PW_RACE_ID_MAX];
    char driver_number[PW_NUMBER_MAX]; /* START of a simulation: the picked driver */
    char replay[256];                  /* START of a replay: session path under the archive */
    uint64_t seed;                     /* START of a simulation: 0 = derive from race_id */
    int64_t wall_duration_ms;          /* START: 0 = configured default */
    double replay_speed;               /* START of a replay: 0 = configured default */
    int64_t replay_start_ms;           /* START of a replay: race clock offset to start at */
    char circuit[32];                  /* START of a simulation: circuit id, "" = default */
    int podium;                        /* START of a simulation: -1 default, 0 off, 1 on */
    int tick_hz;                       /* START: ticks per second 1..10, 0 = default */
    int laps;                          /* START of a simulation: 0 = circuit's */
    int weather;                       /* START of a simulation: 0 = default, else 1 +
                                          enum race_weather_mode (1 dry, 2 the circuit's
                                          chance, 3 rain) */
    int red_flag;                      /* START of a simulation: 1 = a red flag stops it */
    int penalties;                     /* START of a simulation: 1 = the stewards are on */
    int damage;                        /* START of a simulation: 1 = a puncture and a contact
                                          for sure */
    int64_t seek_ms;                   /* SEEK: race clock target */
    char control_hash[PW_CONTROL_HASH_MAX]; /* START: the race's control token, hashed; the
                                               runner puts it in the race's meta */
    /* STOP, PAUSE, RESUME, SEEK: the token the request presented at the edge, the race's
     * control token or the admin token. The race manager carries the request out only if it
     * hashes to the race's control_hash or to the admin token's hash in its config. */
    char control_token[PW_CONTROL_TOKEN_MAX];
};

typedef void (*pw_bus_event_fn)(void *ctx, const struct pw_event *ev);
typedef void (*pw_bus_control_fn)(void *ctx, const struct pw_control *ctl);

struct pw_bus;

struct pw_bus_ops {
    int (*publish_event)(struct pw_bus *bus, const struct pw_event *ev);
    int (*publish_control)(struct pw_bus *bus, const struct pw_control *ctl);
    /* `topics` is a mask of enum pw_bus_topic. */
    int (*subscribe_events)(struct pw_bus *bus, unsigned topics, pw_bus_event_fn fn, void *ctx);
    int (*subscribe_control)(struct pw_bus *bus, pw_bus_control_fn fn, void *ctx);
    /* Is the transport healthy? In-process: always. Kafka: brokers reachable. Optional. */
    int (*healthy)(const struct pw_bus *bus);
    void (*destroy)(struct pw_bus *bus);
};

struct pw_bus {
    const struct pw_bus_ops *ops;
};

static inline int pw_bus_publish_event(struct pw_bus *bus, const struct pw_event *ev)
{
    return bus->ops->publish_event(bus, ev);
}
static inline int pw_bus_publish_control(struct pw_bus *bus, const struct pw_control *ctl)
{
    return bus->ops->publish_control(bus, ctl);
}
static inline int pw_bus_subscribe_events(struct pw_bus *bus, unsigned topics,
                                          pw_bus_event_fn fn, void *ctx)
{
    return bus->ops->subscribe_events(bus, topics, fn, ctx);
}
static inline int pw_bus_subscribe_control(struct pw_bus *bus, pw_bus_control_fn fn, void *ctx)
{
    return bus->ops->subscribe_control(bus, fn, ctx);
}
static inline void pw_bus_destroy(struct pw_bus *bus)
{
    if (bus)
        bus->ops->destroy(bus);
}

/* The in-process bus: delivery is synchronous, in subscription order. A subscriber may
 * publish from its callback (commentary does); nested deliveries complete before the outer
 * publish returns. */
int bus_inproc_create(struct pw_bus **out);

#endif
