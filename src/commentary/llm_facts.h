/* llm_facts.h — what the model was told, as facts, and the check that a line states nothing
 * else.
 *
 * llm_prompt_facts (llm_prompt.h) fills a `struct llm_facts` from the same race state and
 * line that the prompt is written from: the lap and distance, the places of the drivers the
 * prompt names (the top three, the viewer's driver, the drivers of the event, with their
 * places before and after it), the lap time and gap of the event. llm_check_facts then reads
 * a model's line and holds every claim in it to those facts:
 *
 * - a driver of the race named in the line must be one of the prompt's drivers, and a
 *   capitalised word straight before a driver's name must be a word of that driver's name
 *   ("Ronel Norris" is refused);
 * - a place ("P10", "10th", "tenth place", "position 10", and "leads", "wins", "victory",
 *   "leader" for P1) belongs to the nearest driver named before it in the sentence (else
 *   the nearest after it) and must be one of that driver's places in the facts (before or
 *   after the event; "leads", "wins" and the like: its place now); with no driver in the
 *   sentence, one of any driver's places;
 * - a team of the race named in the line (a word of a driver's team name, compared as the
 *   vocabulary compares it, other than a racing word such as the "Red" of "Red flag" or a
 *   single letter: "Bull" of "Red Bull", "Aston", "McLaren") belongs to the nearest driver
 *   named before it in the sentence (else after it) and must be that driver's team; with no
 *   driver in the sentence, the team of one of the prompt's drivers;
 * - a lap number ("lap 12", "12 laps", "12 to go") must be the lap, the distance or the laps
 *   left (derived: distance - lap, or one more);
 * - a time ("1:21.234", "0.9s", "0.9 seconds") must be a time of the facts, rounded or cut
 *   to the digits given;
 * - any other number, in digits or as a word (one .. twenty), must be one of the facts'
 *   numbers (a place, lap, distance, laps left, or how many drivers the event concerns).
 *
 * Pure functions over plain data. */
#ifndef PW_COMMENTARY_LLM_FACTS_H
#define PW_COMMENTARY_LLM_FACTS_H

#include "commentary/cm_candidate.h"
#include "commentary/llm_check.h"
#include "core/timing.h"

#include <stdbool.h>
#include <stdint.h>

#define LLM_FACT_PLACES 4
#define LLM_FACT_TIMES 4

struct llm_fact_driver {
    char full[PW_NAME_MAX];       /* grid name: "Lando Norris" */
    char name[CM_SHORT_NAME_MAX]; /* as said on air: "Norris" */
    char team[PW_TEAM_MAX];       /* "McLaren", "" when not known */
    bool given;                   /* the prompt names this driver */
    int places[LLM_FACT_PLACES];  /* places this driver holds or held in the facts */
    int n_places;
    int now; /* its place after the event, 0 when not known */
};

struct llm_facts {
    int n; /* every driver of the race */
    struct llm_fact_driver d[PW_MAX_CARS];
    int lap, total_laps;              /* 0 when not given */
    int64_t times_ms[LLM_FACT_TIMES]; /* lap times and gaps given */
    int n_times;
    int n_about; /* how many drivers the event concerns */
};

/* Marks driver `i` as given and adds `place` (ignored when < 1 or already there); `now`:
 * it is the driver's place after the event. */
void llm_facts_give(struct llm_facts *f, int i, int place, bool now);

/* LLM_CHECK_OK, LLM_CHECK_UNKNOWN_NAME for a driver the facts do not give or a wrong first
 * name, LLM_CHECK_WRONG_FACT for a place, team, lap or time that is not the fact's, or
 * LLM_CHECK_NUMBERS for a number that is none of the facts' numbers. */
enum llm_check_result llm_check_facts(const char *line, const struct llm_facts *f);

#endif
