/* race_notes.c — see race_notes.h. */
#include "race_notes.h"

#include <string.h>

bool race_note_is_damage(const char *text)
{
    return strstr(text, "INCIDENT INVOLVING CARS ") != NULL ||
           strncmp(text, "BLACK AND ORANGE FLAG FOR ", 26) == 0 ||
           strncmp(text, "DEBRIS AT TURN ", 15) == 0;
}
