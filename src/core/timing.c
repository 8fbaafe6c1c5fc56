#include "core/timing.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

int pw_state_find_car(const struct pw_race_state *state, const char *number)
{
    for (int i = 0; i < state->n_cars; i++) {
        if (strcmp(state->cars[i].driver.number, number) == 0)
            return i;
    }
    return -1;
}

static const char *const tyre_names[] = {"UNKNOWN", "SOFT", "MEDIUM", "HARD", "INTERMEDIATE", "WET"};
static const char *const track_names[] = {"green", "yellow", "sc", "vsc", "vsc_ending", "red"};
static const char *const damage_names[] = {"none", "puncture", "front_wing", "floor"};

const char *pw_damage_name(enum pw_damage damage)
{
    if ((unsigned)damage >= sizeof damage_names / sizeof *damage_names)
        return damage_names[0];
    return damage_names[damage];
}

int pw_damage_parse(const char *name, enum pw_damage *out)
{
    for (unsigned i = 0; name && i < sizeof damage_names / sizeof *damage_names; i++) {
        if (strcasecmp(name, damage_names[i]) == 0) {
            *out = (enum pw_damage)i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *pw_tyre_name(enum pw_tyre tyre)
{
    if ((unsigned)tyre >= sizeof tyre_names / sizeof *tyre_names)
        return tyre_names[0];
    return tyre_names[tyre];
}

enum pw_tyre pw_tyre_parse(const char *name)
{
    for (unsigned i = 1; name && i < sizeof tyre_names / sizeof *tyre_names; i++) {
        if (strcasecmp(name, tyre_names[i]) == 0)
            return (enum pw_tyre)i;
    }
    if (name && strcasecmp(name, "INTER") == 0)
        return PW_TYRE_INTER;
    return PW_TYRE_UNKNOWN;
}

const char *pw_track_name(enum pw_track_status track)
{
    if ((unsigned)track >= sizeof track_names / sizeof *track_names)
        return track_names[0];
    return track_names[track];
}

int pw_track_parse(const char *name, enum pw_track_status *out)
{
    for (unsigned i = 0; name && i < sizeof track_names / sizeof *track_names; i++) {
        if (strcasecmp(name, track_names[i]) == 0) {
            *out = (enum pw_track_status)i;
            return 0;
        }
    }
    return -EINVAL;
}

static const char *const kind_names[] = {"race", "sprint", "practice", "qualifying",
                                         "sprint_qualifying"};

const char *pw_session_kind_name(enum pw_session_kind kind)
{
    if ((unsigned)kind >= sizeof kind_names / sizeof *kind_names)
        return kind_names[0];
    return kind_names[kind];
}

int pw_session_kind_parse(const char *name, enum pw_session_kind *out)
{
    for (unsigned i = 0; name && i < sizeof kind_names / sizeof *kind_names; i++) {
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (enum pw_session_kind)i;
            return 0;
        }
    }
    return -EINVAL;
}

bool pw_session_is_timed(enum pw_session_kind kind)
{
    return kind == PW_SESSION_PRACTICE || kind == PW_SESSION_QUALIFYING ||
           kind == PW_SESSION_SPRINT_QUALIFYING;
}
