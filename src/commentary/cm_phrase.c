#include "commentary/cm_phrase.h"

#include "core/utf8.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Conditions a template states beyond what its placeholders need. */
enum {
    T_LEAD = 1u << 0,  /* who[0] came from the lead */
    T_TWO = 1u << 1,   /* exactly two drivers */
    T_MANY = 1u << 2,  /* three or more */
    T_EXTRA = 1u << 3, /* podium line that also names the picked driver (who[3]) */
    T_NOEXTRA = 1u << 4,
    T_NOWHO = 1u << 5, /* only when no driver is known (a name is always better) */
    T_QUALI = 1u << 6, /* qualifying or sprint qualifying only */
    T_PRACTICE = 1u << 7, /* practice only */
    T_ONE = 1u << 8,      /* exactly one driver (a line that names only %a) */
    T_FAULT = 1u << 9,    /* a retirement a fault caused (and only such a one has these) */
    T_NOTIME = 1u << 10,  /* no time penalty: a drive-through served */
    T_OWED = 1u << 11,    /* first across the line owing a penalty (and only such a one) */
    T_NOSE = 1u << 11,    /* a repair stop for a new nose (and only such a one has these) */
    T_PUNCT = 1u << 12,   /* a puncture's stop or retirement (and only such a one has these) */
};

struct cm_template {
    enum cm_fact fact;
    unsigned flags;
    const char *fmt;
};

/* Placeholders: %a %b %c %d names of who[0..3]; %A %B %D their places ("P5"); %p the place
 * fought for; %f where who[0] came from; %t tyre fitted ("hards"); %l lap time; %g gap;
 * %C circuit; %n lap; %N total laps; %r what the restart ends; %m all names as a list;
 * %q the qualifying part ("Q2", "SQ1"); %k the session clock left ("7:12"); %S a time
 * penalty ("5-second"); %T the time added ("10 seconds"); %y why the stewards acted
 * ("causing a collision"); %e the team (team orders). */
static const struct cm_template templates[] = {
    {CM_FACT_LIGHTS_OUT, 0, "Lights out and away we go at %C!"},
    {CM_FACT_LIGHTS_OUT, 0, "It's lights out at %C and the race is on!"},
    {CM_FACT_LIGHTS_OUT, 0, "Lights out! %a leads the field away from pole"},
    {CM_FACT_LIGHTS_OUT, 0, "And they're off! %a launches from pole position"},
    {CM_FACT_LIGHTS_OUT, 0, "Five red lights, and away we go!"},
    {CM_FACT_LIGHTS_OUT, 0, "The lights go out and %N laps of racing begin"},

    {CM_FACT_LEAD_PASS, 0, "%a passes %b for the lead!"},
    {CM_FACT_LEAD_PASS, 0, "Lead change! %a is through on %b"},
    {CM_FACT_LEAD_PASS, 0, "%a takes P1 from %b!"},
    {CM_FACT_LEAD_PASS, 0, "%a gets the better of %b and leads the race"},
    {CM_FACT_LEAD_PASS, 0, "What a move! %a snatches the lead from %b on lap %n"},

    {CM_FACT_LEAD_INHERIT, 0, "%a inherits the lead"},
    {CM_FACT_LEAD_INHERIT, 0, "%a now leads the race"},
    {CM_FACT_LEAD_INHERIT, 0, "New leader: %a"},
    {CM_FACT_LEAD_INHERIT, 0, "%a moves up to P1 on lap %n"},

    {CM_FACT_PODIUM_PASS, 0, "%a passes %b for %p"},
    {CM_FACT_PODIUM_PASS, 0, "%a is up to %p, past %b"},
    {CM_FACT_PODIUM_PASS, 0, "Podium fight: %a takes %p from %b"},
    {CM_FACT_PODIUM_PASS, 0, "%a demotes %b to claim %p"},

    {CM_FACT_PICKED_GAINS, 0, "%a makes a move on %b for %p!"},
    {CM_FACT_PICKED_GAINS, 0, "Great move by %a, past %b into %p"},
    {CM_FACT_PICKED_GAINS, 0, "%a gets by %b and climbs to %p"},
    {CM_FACT_PICKED_GAINS, 0, "%a up to %p after passing %b"},

    {CM_FACT_PICKED_LOSES, 0, "%b loses %p to %a"},
    {CM_FACT_PICKED_LOSES, 0, "%a gets past %b for %p"},
    {CM_FACT_PICKED_LOSES, 0, "Setback for %b: %a is through for %p"},
    {CM_FACT_PICKED_LOSES, 0, "%b is passed by %a and falls to %B"},

    {CM_FACT_TEAM_ORDERS, 0, "%e swap their cars: %b lets %a through for %p"},
    {CM_FACT_TEAM_ORDERS, 0, "Team orders at %e: %b moves aside for %a"},
    {CM_FACT_TEAM_ORDERS, 0, "%b lets teammate %a by, and %a takes %p"},
    {CM_FACT_TEAM_ORDERS, 0, "%e swap places: %a is now %p, %b right behind"},

    {CM_FACT_PIT, T_LEAD, "Leader %a pits for %t and rejoins in %A"},
    {CM_FACT_PIT, T_LEAD, "%a stops from the lead, out on %t in %A"},
    {CM_FACT_PIT, T_LEAD, "The leader pits: %a comes in from P1"},
    {CM_FACT_PIT, 0, "%a pits from %f, back out on %t in %A"},
    {CM_FACT_PIT, 0, "Pit stop for %a: %t fitted, rejoins %A"},
    {CM_FACT_PIT, 0, "%a in and out of the pits, now on %t in %A"},
    {CM_FACT_PIT, 0, "%a pits and goes onto %t"},
    {CM_FACT_PIT, 0, "Pit stop for %a, now running %A"},
    {CM_FACT_PIT, 0, "%a makes a pit stop"},
    {CM_FACT_PIT, 0, "In comes %a for a pit stop"},

    {CM_FACT_PIT_MULTI, T_TWO, "%m both pit"},
    {CM_FACT_PIT_MULTI, T_TWO, "Double pit action: %m both stop"},
    {CM_FACT_PIT_MULTI, T_TWO, "%m both come in for fresh tyres"},
    {CM_FACT_PIT_MULTI, T_MANY, "%m all pit"},
    {CM_FACT_PIT_MULTI, T_MANY, "Busy pit lane: %m all stop"},
    {CM_FACT_PIT_MULTI, 0, "Pit stops for %m"},
    {CM_FACT_PIT_MULTI, 0, "Fresh tyres for %m"},

    {CM_FACT_FASTEST_LAP, 0, "Fastest lap for %a: %l"},
    {CM_FACT_FASTEST_LAP, 0, "%a goes purple with a %l"},
    {CM_FACT_FASTEST_LAP, 0, "%a sets the fastest lap of the race, %l"},
    {CM_FACT_FASTEST_LAP, 0, "A %l from %a, the quickest lap so far"},

    {CM_FACT_SAFETY_CAR, 0, "Safety car! The field is neutralised"},
    {CM_FACT_SAFETY_CAR, 0, "The safety car is out on track"},
    {CM_FACT_SAFETY_CAR, 0, "Safety car deployed on lap %n"},
    {CM_FACT_SAFETY_CAR, 0, "Here comes the safety car"},

    {CM_FACT_VSC, 0, "Virtual safety car deployed"},
    {CM_FACT_VSC, 0, "VSC: drivers must slow down"},
    {CM_FACT_VSC, 0, "The virtual safety car is out on lap %n"},

    {CM_FACT_RED_FLAG, 0, "Red flag! The race is stopped"},
    {CM_FACT_RED_FLAG, 0, "Red flag on lap %n: the session is suspended"},
    {CM_FACT_RED_FLAG, 0, "The race is red-flagged"},

    {CM_FACT_RAIN, 0, "Rain is falling on lap %n: who gambles on intermediates?"},
    {CM_FACT_RAIN, 0, "Here comes the rain! The track is getting slippery"},
    {CM_FACT_RAIN, 0, "It's raining now, and slicks won't last long in this"},

    {CM_FACT_PENALTY, 0, "%S time penalty for %a, for %y"},
    {CM_FACT_PENALTY, 0, "%a is handed a %S penalty for %y"},
    {CM_FACT_PENALTY, 0, "The stewards give %a a %S time penalty"},
    {CM_FACT_PENALTY, 0, "%S penalty for %a"},

    {CM_FACT_DRIVE_THROUGH, 0, "Drive-through penalty for %a, for %y"},
    {CM_FACT_DRIVE_THROUGH, 0, "%a is given a drive-through penalty"},
    {CM_FACT_DRIVE_THROUGH, 0, "The stewards hand %a a drive-through for %y"},

    {CM_FACT_BLACK_WHITE, 0, "%a is shown the black-and-white flag for track limits"},
    {CM_FACT_BLACK_WHITE, 0, "Black-and-white flag for %a: the next offence brings a penalty"},
    {CM_FACT_BLACK_WHITE, 0, "A final warning for %a over track limits"},

    {CM_FACT_PENALTY_SERVED, 0, "%a serves the %S penalty at the stop"},
    {CM_FACT_PENALTY_SERVED, 0, "%a's %S penalty is served in the pits"},
    {CM_FACT_PENALTY_SERVED, 0, "Penalty served: %a sits out %T in the pit box"},
    {CM_FACT_PENALTY_SERVED, T_NOTIME, "%a serves the drive-through penalty"},
    {CM_FACT_PENALTY_SERVED, T_NOTIME, "%a takes the drive-through: penalty served"},
    {CM_FACT_PENALTY_SERVED, T_NOTIME, "Down the pit lane goes %a for the drive-through"},

    {CM_FACT_PENALTY_ADDED, 0, "%a has %T added to the race time"},
    {CM_FACT_PENALTY_ADDED, 0, "%T added to %a's race time after the flag"},
    {CM_FACT_PENALTY_ADDED, 0, "The penalty stands: %T on %a's race time"},

    {CM_FACT_PUNCTURE, 0, "%a has a slow puncture and is losing time in %A"},
    {CM_FACT_PUNCTURE, 0, "Trouble for %a: a slow puncture!"},
    {CM_FACT_PUNCTURE, 0, "%a is losing pressure in a tyre, a slow puncture"},

    {CM_FACT_WING_DAMAGE, 0, "%a has damaged the front wing"},
    {CM_FACT_WING_DAMAGE, 0, "Front wing damage for %a in %A"},
    {CM_FACT_WING_DAMAGE, 0, "Contact, and %a's front wing is broken"},

    {CM_FACT_FLOOR_DAMAGE, 0, "%a has floor damage: that will cost pace to the end"},
    {CM_FACT_FLOOR_DAMAGE, 0, "Damage to %a's floor after that contact"},
    {CM_FACT_FLOOR_DAMAGE, 0, "%a is carrying floor damage in %A"},

    {CM_FACT_REPAIR_STOP, T_NOSE, "%a pits for a new nose and rejoins %A on %t"},
    {CM_FACT_REPAIR_STOP, T_NOSE, "New front wing for %a, back out in %A"},
    {CM_FACT_REPAIR_STOP, T_NOSE, "%a comes in for a new nose"},
    {CM_FACT_REPAIR_STOP, T_PUNCT, "%a makes it to the pits with the puncture, out in %A on %t"},
    {CM_FACT_REPAIR_STOP, T_PUNCT, "A new set for %a after the puncture, rejoining %A"},
    {CM_FACT_REPAIR_STOP, T_PUNCT, "%a pits for new tyres after the puncture"},

    {CM_FACT_RESTART, 0, "Green flag: racing resumes!"},
    {CM_FACT_RESTART, 0, "The %r period is over, we're racing again"},
    {CM_FACT_RESTART, 0, "Back to green! %a leads the restart"},
    {CM_FACT_RESTART, 0, "And we're back to racing after the %r"},

    {CM_FACT_RETIREMENT, T_FAULT, "Engine failure for %a! Out of the race from %f"},
    {CM_FACT_RETIREMENT, T_FAULT, "%a's engine gives up: retirement from %f"},
    {CM_FACT_RETIREMENT, T_FAULT, "The engine trouble ends it: %a retires"},
    {CM_FACT_RETIREMENT, T_FAULT, "%a is out with an engine failure"},
    {CM_FACT_RETIREMENT, T_PUNCT, "The puncture ends %a's race"},
    {CM_FACT_RETIREMENT, T_PUNCT, "%a is out: the puncture did too much damage"},
    {CM_FACT_RETIREMENT, T_PUNCT, "Retirement for %a after the puncture, out from %f"},
    {CM_FACT_RETIREMENT, 0, "%a retires from %f"},
    {CM_FACT_RETIREMENT, 0, "%a is out of the race"},
    {CM_FACT_RETIREMENT, 0, "Heartbreak for %a: retirement"},
    {CM_FACT_RETIREMENT, 0, "%a's race is over, out from %f"},
    {CM_FACT_RETIREMENT, 0, "Retirement for %a"},

    {CM_FACT_RETIRE_MULTI, 0, "%m are out of the race"},
    {CM_FACT_RETIRE_MULTI, T_TWO, "Double trouble: %m both retire"},
    {CM_FACT_RETIRE_MULTI, 0, "Retirements for %m"},

    {CM_FACT_FINAL_LAP, 0, "Final lap! %a leads %b by %g"},
    {CM_FACT_FINAL_LAP, 0, "Last lap: %a ahead of %b"},
    {CM_FACT_FINAL_LAP, 0, "%a starts the final lap in the lead"},
    {CM_FACT_FINAL_LAP, 0, "Bell lap! %a leads into the last lap"},
    {CM_FACT_FINAL_LAP, T_NOWHO, "It's the final lap!"},

    {CM_FACT_CHEQUERED, 0, "Chequered flag! %a wins at %C!"},
    {CM_FACT_CHEQUERED, 0, "%a takes the chequered flag to win!"},
    {CM_FACT_CHEQUERED, 0, "Victory for %a!"},
    {CM_FACT_CHEQUERED, 0, "%a wins the race!"},
    {CM_FACT_CHEQUERED, T_NOWHO, "The chequered flag falls!"},
    {CM_FACT_CHEQUERED, T_OWED, "%a crosses the line first, with a penalty still to come"},
    {CM_FACT_CHEQUERED, T_OWED, "Chequered flag! %a is first on the road, but owes a penalty"},
    {CM_FACT_CHEQUERED, T_OWED, "%a takes the flag first; the stewards' penalty will decide"},

    {CM_FACT_PODIUM, T_NOEXTRA, "Podium: %a, %b and %c"},
    {CM_FACT_PODIUM, T_NOEXTRA, "%a wins from %b and %c"},
    {CM_FACT_PODIUM, T_NOEXTRA, "On the podium: %a, %b, %c"},
    {CM_FACT_PODIUM, T_EXTRA, "Podium: %a, %b, %c; %d finishes %D"},
    {CM_FACT_PODIUM, T_EXTRA, "%a wins ahead of %b and %c; %d is %D"},
    {CM_FACT_PODIUM, T_EXTRA, "Top three: %a, %b, %c. %d brings it home in %D"},

    {CM_FACT_SESSION_START, T_QUALI, "%q is under way at %C"},
    {CM_FACT_SESSION_START, T_QUALI, "Green light: %q begins"},
    {CM_FACT_SESSION_START, T_PRACTICE, "The pit exit is open: practice is under way at %C"},
    {CM_FACT_SESSION_START, T_PRACTICE, "Green light for practice"},

    {CM_FACT_PROVISIONAL_POLE, T_QUALI, "Provisional pole for %a: %l"},
    {CM_FACT_PROVISIONAL_POLE, T_QUALI, "%a goes top in %q with a %l"},
    {CM_FACT_PROVISIONAL_POLE, T_QUALI, "%a takes P1 in %q, %l"},
    {CM_FACT_PROVISIONAL_POLE, T_PRACTICE, "%a goes fastest with a %l"},
    {CM_FACT_PROVISIONAL_POLE, T_PRACTICE, "%a tops the times: %l"},

    {CM_FACT_IMPROVEMENT, 0, "%a improves to %A with a %l"},
    {CM_FACT_IMPROVEMENT, 0, "A %l for %a, up to %A"},
    {CM_FACT_IMPROVEMENT, T_QUALI, "%a finds time in %q: %l, %A"},

    {CM_FACT_KNOCKED_OUT, T_MANY, "Out in %q: %m"},
    {CM_FACT_KNOCKED_OUT, T_MANY, "%q is over for %m"},
    {CM_FACT_KNOCKED_OUT, T_TWO, "%m are knocked out in %q"},
    {CM_FACT_KNOCKED_OUT, T_ONE, "%a is knocked out in %q"},
    {CM_FACT_KNOCKED_OUT, T_ONE, "Qualifying ends in %q for %a"},

    {CM_FACT_SESSION_RED, T_QUALI, "Red flag! %q is stopped with %k on the clock"},
    {CM_FACT_SESSION_RED, T_QUALI, "Red flag in %q, %k left"},
    {CM_FACT_SESSION_RED, T_PRACTICE, "Red flag: practice is stopped, the clock runs on"},
    {CM_FACT_SESSION_RED, T_QUALI, "Red flag! %q is stopped"},
    {CM_FACT_SESSION_RED, T_PRACTICE, "Red flag in practice; the session clock keeps running"},

    {CM_FACT_SESSION_RESUME, T_QUALI, "%q resumes with %k to go"},
    {CM_FACT_SESSION_RESUME, 0, "Green light: the session resumes"},
    {CM_FACT_SESSION_RESUME, T_QUALI, "Back to green in %q"},
    {CM_FACT_SESSION_RESUME, T_PRACTICE, "Practice resumes"},

    {CM_FACT_SESSION_END, T_QUALI, "Pole position for %a at %C! %l"},
    {CM_FACT_SESSION_END, T_QUALI, "%a takes pole with a %l"},
    {CM_FACT_SESSION_END, T_PRACTICE, "Chequered flag: %a ends the session fastest, %l"},
    {CM_FACT_SESSION_END, T_PRACTICE, "Practice is over; %a tops the times with a %l"},
    {CM_FACT_SESSION_END, T_NOWHO, "The chequered flag ends the session"},
};

#define N_TEMPLATES ((int)(sizeof templates / sizeof templates[0]))

int cm_phrase_template_count(void)
{
    return N_TEMPLATES;
}

int cm_phrase_template_fact(int id)
{
    return id >= 0 && id < N_TEMPLATES ? (int)templates[id].fact : -1;
}

void cm_phrase_init(struct cm_phrase *ph, const char *race_id)
{
    /* FNV-1a: a race replays the same phrasing */
    uint64_t h = 1469598103934665603ull;
    for (const char *s = race_id ? race_id : ""; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    ph->rng = h ? h : 0x9E3779B97F4A7C15ull;
    ph->last_template = -1;
    for (int i = 0; i < CM_FACT_COUNT; i++)
        ph->last_by_fact[i] = -1;
}

static uint64_t rng_next(struct cm_phrase *ph)
{
    uint64_t x = ph->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    ph->rng = x;
    return x * 2685821657736338717ull;
}

int cm_phrase_utf8_chars(const char *s)
{
    int n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        int len = pw_utf8_decode(p, &cp);
        if (len == 0)
            return -1;
        p += len;
        n++;
    }
    return n;
}

static bool restart_reason(enum pw_track_status t, const char **out)
{
    switch (t) {
    case PW_TRACK_SC:
        *out = "safety car";
        return true;
    case PW_TRACK_VSC:
    case PW_TRACK_VSC_ENDING:
        *out = "virtual safety car";
        return true;
    case PW_TRACK_RED:
        *out = "red flag";
        return true;
    default:
        return false;
    }
}

static const char *reason_text(enum cm_penalty_reason reason)
{
    static const char *const texts[] = {NULL, "causing a collision", "track limits",
                                        "an unsafe release", "ignoring blue flags"};
    return (unsigned)reason < sizeof texts / sizeof texts[0] ? texts[reason] : NULL;
}

static const char *tyre_plural(enum pw_tyre t)
{
    static const char *const names[] = {NULL, "softs", "mediums", "hards", "inters", "wets"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : NULL;
}

/* Can the candidate fill every placeholder of `fmt` and meet `flags`? */
static bool template_fits(const struct cm_template *t, const struct cm_candidate *c)
{
    if ((t->flags & T_LEAD) && (c->n_who < 1 || c->who[0].from_pos != 1))
        return false;
    if ((t->flags & T_TWO) && c->n_who != 2)
        return false;
    if ((t->flags & T_MANY) && c->n_who < 3)
        return false;
    if ((t->flags & T_ONE) && c->n_who != 1)
        return false;
    if ((t->flags & T_EXTRA) && c->n_who != 4)
        return false;
    if ((t->flags & T_NOEXTRA) && c->n_who == 4)
        return false;
    if ((t->flags & T_NOWHO) && c->n_who > 0)
        return false;
    if (c->fact == CM_FACT_RETIREMENT && c->engine_failure != ((t->flags & T_FAULT) != 0))
        return false;
    if ((t->flags & T_NOTIME) && c->penalty_s > 0)
        return false;
    if (c->fact == CM_FACT_CHEQUERED && c->penalty_owed != ((t->flags & T_OWED) != 0))
        return false;
    /* the cause a line names is the one the candidate has, and a line with a cause only
     * for it */
    if (c->fact == CM_FACT_RETIREMENT &&
        (c->damage == PW_DAMAGE_PUNCTURE) != ((t->flags & T_PUNCT) != 0))
        return false;
    if (c->fact == CM_FACT_REPAIR_STOP &&
        (c->damage == PW_DAMAGE_FRONT_WING) != ((t->flags & T_NOSE) != 0))
        return false;
    bool quali = c->session_kind == PW_SESSION_QUALIFYING ||
                 c->session_kind == PW_SESSION_SPRINT_QUALIFYING;
    if ((t->flags & T_QUALI) && !quali)
        return false;
    if ((t->flags & T_PRACTICE) && c->session_kind != PW_SESSION_PRACTICE)
        return false;
    const char *r;
    for (const char *p = t->fmt; *p; p++) {
        if (*p != '%')
            continue;
        bool ok = true;
        switch (*++p) {
        case 'a':
            ok = c->n_who >= 1;
            break;
        case 'b':
            ok = c->n_who >= 2;
            break;
        case 'c':
            ok = c->n_who >= 3;
            break;
        case 'd':
            ok = c->n_who >= 4;
            break;
        case 'A':
            ok = c->n_who >= 1 && c->who[0].pos > 0;
            break;
        case 'B':
            ok = c->n_who >= 2 && c->who[1].pos > 0;
            break;
        case 'D':
            ok = c->n_who >= 4 && c->who[3].pos > 0;
            break;
        case 'p':
            ok = c->pos > 0;
            break;
        case 'f':
            ok = c->n_who >= 1 && c->who[0].from_pos > 0;
            break;
        case 't':
            ok = c->n_who >= 1 && tyre_plural(c->who[0].tyre) != NULL;
            break;
        case 'l':
            ok = c->lap_ms > 0;
            break;
        case 'g':
            ok = c->gap_ms > 0;
            break;
        case 'C':
            ok = c->circuit[0] != '\0';
            break;
        case 'n':
            ok = c->lap > 0;
            break;
        case 'N':
            ok = c->total_laps > 0;
            break;
        case 'r':
            ok = restart_reason(c->prev_track, &r);
            break;
        case 'm':
            ok = c->n_who >= 2;
            break;
        case 'q':
            ok = quali && c->part >= 1 && c->part <= PW_QUALI_PARTS;
            break;
        case 'k':
            ok = c->clock_ms > 0;
            break;
        case 'S':
        case 'T':
            ok = c->penalty_s > 0;
            break;
        case 'y':
            ok = reason_text(c->reason) != NULL;
            break;
        case 'e':
            ok = c->team[0] != '\0';
            break;
        default:
            ok = false;
            break;
        }
        if (!ok)
            return false;
    }
    return true;
}

struct out_buf {
    char *s;
    size_t len, used;
    bool overflow;
};

static void put(struct out_buf *o, const char *s)
{
    size_t n = strlen(s);
    if (o->used + n >= o->len) {
        o->overflow = true;
        return;
    }
    memcpy(o->s + o->used, s, n + 1);
    o->used += n;
}

static void put_place(struct out_buf *o, int pos)
{
    char tmp[16];
    snprintf(tmp, sizeof tmp, "P%d", pos);
    put(o, tmp);
}

static void put_lap_time(struct out_buf *o, int64_t ms)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%d:%02d.%03d", (int)(ms / 60000), (int)(ms / 1000 % 60),
             (int)(ms % 1000));
    put(o, tmp);
}

static void put_list(struct out_buf *o, const struct cm_candidate *c)
{
    for (int i = 0; i < c->n_who; i++) {
        if (i > 0)
            put(o, i == c->n_who - 1 ? " and " : ", ");
        put(o, c->who[i].name);
    }
}

/* Expands `fmt`; returns false if the buffer was too small. */
static bool expand(const char *fmt, const struct cm_candidate *c, char *out, size_t len)
{
    struct out_buf o = {out, len, 0, false};
    out[0] = '\0';
    char tmp[32];
    const char *r = "";
    for (const char *p = fmt; *p && !o.overflow; p++) {
        if (*p != '%') {
            char one[2] = {*p, '\0'};
            put(&o, one);
            continue;
        }
        switch (*++p) {
        case 'a':
            put(&o, c->who[0].name);
            break;
        case 'b':
            put(&o, c->who[1].name);
            break;
        case 'c':
            put(&o, c->who[2].name);
            break;
        case 'd':
            put(&o, c->who[3].name);
            break;
        case 'A':
            put_place(&o, c->who[0].pos);
            break;
        case 'B':
            put_place(&o, c->who[1].pos);
            break;
        case 'D':
            put_place(&o, c->who[3].pos);
            break;
        case 'p':
            put_place(&o, c->pos);
            break;
        case 'f':
            put_place(&o, c->who[0].from_pos);
            break;
        case 't':
            put(&o, tyre_plural(c->who[0].tyre));
            break;
        case 'l':
            put_lap_time(&o, c->lap_ms);
            break;
        case 'g':
            snprintf(tmp, sizeof tmp, "%d.%ds", (int)(c->gap_ms / 1000),
                     (int)(c->gap_ms % 1000 / 100));
            put(&o, tmp);
            break;
        case 'C':
            put(&o, c->circuit);
            break;
        case 'n':
        case 'N':
            snprintf(tmp, sizeof tmp, "%d", *p == 'n' ? c->lap : c->total_laps);
            put(&o, tmp);
            break;
        case 'r':
            restart_reason(c->prev_track, &r);
            put(&o, r);
            break;
        case 'm':
            put_list(&o, c);
            break;
        case 'q':
            snprintf(tmp, sizeof tmp, "%sQ%d",
                     c->session_kind == PW_SESSION_SPRINT_QUALIFYING ? "S" : "", c->part);
            put(&o, tmp);
            break;
        case 'k':
            snprintf(tmp, sizeof tmp, "%d:%02d", (int)(c->clock_ms / 60000),
                     (int)(c->clock_ms / 1000 % 60));
            put(&o, tmp);
            break;
        case 'S':
            snprintf(tmp, sizeof tmp, "%d-second", c->penalty_s);
            put(&o, tmp);
            break;
        case 'T':
            snprintf(tmp, sizeof tmp, "%d seconds", c->penalty_s);
            put(&o, tmp);
            break;
        case 'y':
            put(&o, reason_text(c->reason));
            break;
        case 'e':
            put(&o, c->team);
            break;
        default:
            break;
        }
    }
    return !o.overflow;
}

static bool line_fits(const char *s)
{
    int n = cm_phrase_utf8_chars(s);
    return n > 0 && n <= CM_LINE_MAX_CHARS;
}

/* Last resort: cut at a word boundary (or a character boundary) so the line fits. */
static void truncate_line(char *s)
{
    size_t n = strlen(s);
    int chars = 0;
    size_t cut = 0, last_space = 0;
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (chars == CM_LINE_MAX_CHARS - 3) {
            cut = i;
            break;
        }
        if (s[i] == ' ')
            last_space = i;
        chars++;
    }
    if (!cut)
        return;
    if (last_space > cut / 2)
        cut = last_space;
    memcpy(s + cut, "...", 4);
}

int cm_phrase_render(struct cm_phrase *ph, const struct cm_candidate *c, char *out, size_t len)
{
    if ((unsigned)c->fact >= CM_FACT_COUNT || !out || len < 128)
        return -EINVAL;
    int fits[N_TEMPLATES], n_fits = 0, fallback = -1;
    for (int i = 0; i < N_TEMPLATES; i++) {
        if (templates[i].fact != c->fact || !template_fits(&templates[i], c))
            continue;
        if (fallback < 0)
            fallback = i;
        if (i == ph->last_template || i == ph->last_by_fact[c->fact])
            continue;
        fits[n_fits++] = i;
    }
    int chosen = -1;
    /* try the candidates in random order until one renders within the length limit */
    while (n_fits > 0) {
        int k = (int)(rng_next(ph) % (uint64_t)n_fits);
        int id = fits[k];
        if (expand(templates[id].fmt, c, out, len) && line_fits(out)) {
            chosen = id;
            break;
        }
        fits[k] = fits[--n_fits];
    }
    if (chosen < 0) {
        /* every fresh template was too long (very long names): repeat or cut */
        if (fallback < 0)
            return -EINVAL; /* no template for this fact: a programming mistake upstream */
        chosen = fallback;
        if (!expand(templates[chosen].fmt, c, out, len))
            out[len - 1] = '\0';
        if (!line_fits(out))
            truncate_line(out);
    }
    ph->last_template = chosen;
    ph->last_by_fact[c->fact] = chosen;
    return chosen;
}
