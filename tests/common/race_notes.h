/* race_notes.h — which race-control notes the simulator's damage brings (contact noted, the
 * black-and-orange flag, debris: docs/RACE_MODEL.md, "Damage"). Damage happens in any
 * simulated race at a low rate, so tests that count the notes of another feature (weather,
 * red flag, penalties) leave these aside; tests/race/test_race_damage.c checks them. */
#ifndef PW_TESTS_RACE_NOTES_H
#define PW_TESTS_RACE_NOTES_H

#include <stdbool.h>

bool race_note_is_damage(const char *text);

#endif
