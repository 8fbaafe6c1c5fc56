#include "core/event.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static const char *const event_names[PW_EV_TYPE_COUNT] = {
    [PW_EV_NONE] = NULL,
    [PW_EV_LIGHTS_OUT] = "lights_out",
    [PW_EV_POSITIONS] = "positions",
    [PW_EV_LAP_COMPLETED] = "lap_completed",
    [PW_EV_OVERTAKE] = "overtake",
    [PW_EV_PIT_IN] = "pit_in",
    [PW_EV_PIT_OUT] = "pit_out",
    [PW_EV_FASTEST_LAP] = "fastest_lap",
    [PW_EV_TRACK_STATUS] = "track_status",
    [PW_EV_RETIREMENT] = "retirement",
    [PW_EV_FINAL_LAP] = "final_lap",
    [PW_EV_CHEQUERED] = "chequered_flag",
    [PW_EV_CLASSIFICATION] = "classification",
    [PW_EV_RACE_CONTROL] = "race_control",
    [PW_EV_COMMENTARY] = "commentary",
    [PW_EV_RACE_STOPPED] = "race_stopped",
    [PW_EV_RACE_CREATED] = "race_created",
    [PW_EV_RACE_FAILED] = "race_failed",
    [PW_EV_COMMENTARY_DONE] = "commentary_done",
};

const char *pw_event_type_name(enum pw_event_type type)
{
    if ((unsigned)type >= PW_EV_TYPE_COUNT)
        return NULL;
    return event_names[type];
}

enum pw_event_type pw_event_type_parse(const char *name)
{
    for (int i = 1; name && i < PW_EV_TYPE_COUNT; i++) {
        if (event_names[i] && strcmp(name, event_names[i]) == 0)
            return (enum pw_event_type)i;
    }
    return PW_EV_NONE;
}

static const char *const kind_names[] = {"info", "warning", "highlight"};

const char *pw_commentary_kind_name(enum pw_commentary_kind kind)
{
    if ((unsigned)kind > PW_COMMENT_HIGHLIGHT)
        return kind_names[0];
    return kind_names[kind];
}

int pw_commentary_kind_parse(const char *name, enum pw_commentary_kind *out)
{
    for (int i = 0; name && i < 3; i++) {
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (enum pw_commentary_kind)i;
            return 0;
        }
    }
    return -EINVAL;
}

int64_t pw_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
