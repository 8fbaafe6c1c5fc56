#include "commentary/cm_rules.h"

#include "commentary/cm_stewards.h"
#include "core/utf8.h"

#include <stdio.h>
#include <string.h>

/* Importance; the pacer says the highest first. */
enum {
    PRIO_FASTEST = 30,
    PRIO_BLACK_WHITE = 35,
    PRIO_PENALTY_SERVED = 45,
    PRIO_PENALTY = 58,
    PRIO_DRIVE_THROUGH = 60,
    PRIO_PENALTY_ADDED = 97, /* stewards_priority */
    PRIO_IMPROVE = 40,
    PRIO_KNOCKED_OUT = 88,
    PRIO_PIT = 50,
    PRIO_FLOOR = 42,
    PRIO_WING = 52,
    PRIO_PUNCTURE = 57,
    PRIO_PIT_LEADER = 55,
    PRIO_RETIRE = 55,
    PRIO_PODIUM_PASS = 60,
    PRIO_PICKED_PASS = 62,
    PRIO_TEAM_ORDERS = 63, /* rare, and the story of two cars of one team */
    PRIO_FINAL_LAP = 65,
    PRIO_RETIRE_TOP = 70,
    PRIO_RESTART = 70,
    PRIO_RAIN = 72,
    PRIO_VSC = 75,
    PRIO_SC = 80,
    PRIO_LEAD = 85,
    PRIO_LIGHTS_OUT = 90,
    PRIO_RED = 90,
    PRIO_PODIUM = 95,
    PRIO_CHEQUERED = 100,
    PRIO_PICKED_BONUS = 10,
};

static void copy_str(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

/* Grid names come from outside (an archive, a broker): control characters and broken
 * UTF-8 become '?', so a line is always valid text. */
static void sanitize_utf8(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        uint32_t cp;
        int len = pw_utf8_decode(p, &cp);
        if (len == 0 || cp < 0x20 || cp == 0x7F) {
            *p++ = '?';
            continue;
        }
        p += len;
    }
}

void cm_rules_short_name(const char *full, char *out, size_t len)
{
    if (len == 0)
        return;
    out[0] = '\0';
    if (!full)
        return;
    while (*full == ' ')
        full++;
    /* the surname is the last word, with the particles before it ("de Vries",
     * "van der Garde"); a single word stands for itself */
    const char *end = full + strlen(full);
    while (end > full && end[-1] == ' ')
        end--;
    const char *pick = end;
    while (pick > full && pick[-1] != ' ')
        pick--;
    for (;;) {
        const char *prev = pick;
        while (prev > full && prev[-1] == ' ')
            prev--;
        if (prev == full)
            break;
        const char *word = prev;
        while (word > full && word[-1] != ' ')
            word--;
        if (!(*word >= 'a' && *word <= 'z') || word == full)
            break;
        pick = word;
    }
    size_t n = (size_t)(end - pick);
    if (n >= len) {
        n = len - 1;
        /* do not cut a multi-byte character in half */
        while (n > 0 && ((unsigned char)pick[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, pick, n);
    out[n] = '\0';
    sanitize_utf8(out);
}

void cm_rules_init(struct cm_rules *r, const char *picked_number)
{
    memset(r, 0, sizeof *r);
    copy_str(r->picked, sizeof r->picked, picked_number);
    r->track = PW_TRACK_GREEN;
}

static bool is_picked(const struct cm_rules *r, const char *number)
{
    return r->picked[0] && number && strcmp(r->picked, number) == 0;
}

/* Fills `who` for car `number` from the state; unknown cars are named by number. */
static void who_fill(struct cm_who *who, const struct pw_race_state *st, const char *number)
{
    memset(who, 0, sizeof *who);
    copy_str(who->number, sizeof who->number, number);
    int i = st && number && number[0] ? pw_state_find_car(st, number) : -1;
    if (i >= 0) {
        cm_rules_short_name(st->cars[i].driver.name, who->name, sizeof who->name);
        who->pos = st->cars[i].position > 0 ? st->cars[i].position : i + 1;
        who->tyre = st->cars[i].tyre;
    }
    /* no name but the number (a session without DriverList: "Car 8"): say "Car 8" */
    if (!who->name[0] || (number && strcmp(who->name, number) == 0))
        snprintf(who->name, sizeof who->name, "Car %s", number && number[0] ? number : "?");
}

static void who_fill_index(struct cm_who *who, const struct pw_race_state *st, int i)
{
    who_fill(who, st, st->cars[i].driver.number);
}

/* One event being fed: the event, when it was heard, and the candidates it has made so far
 * (at most `max`, in `out`). Every rule adds to it through cand_new. */
struct feed {
    const struct pw_event *ev;
    int64_t now_ms;
    struct cm_candidate *out;
    int max, n;
};

/* The next candidate of the feed, filled from its event; NULL when the feed is full. */
static struct cm_candidate *cand_new(struct feed *f, enum cm_fact fact, int prio,
                                     enum pw_commentary_kind kind)
{
    const struct pw_event *ev = f->ev;
    if (f->n >= f->max)
        return NULL;
    struct cm_candidate *c = &f->out[f->n++];
    memset(c, 0, sizeof *c);
    c->fact = fact;
    c->priority = prio;
    c->kind = kind;
    c->born_ms = f->now_ms;
    c->race_ms = ev->race_ms;
    c->lap = ev->lap;
    if (ev->state) {
        copy_str(c->circuit, sizeof c->circuit, ev->state->circuit);
        c->total_laps = ev->state->total_laps;
        if (!c->lap)
            c->lap = ev->state->lap;
        c->session_kind = ev->state->kind;
        c->part = ev->state->session_part;
        c->clock_ms = ev->state->clock_ms;
    }
    return c;
}

static int pit_find(const struct cm_rules *r, const char *number)
{
    for (int i = 0; i < r->n_pits; i++) {
        if (strcmp(r->pits[i].number, number) == 0)
            return i;
    }
    return -1;
}

static int car_pos(const struct pw_race_state *st, const char *number)
{
    int i = st ? pw_state_find_car(st, number) : -1;
    if (i < 0)
        return 0;
    return st->cars[i].position > 0 ? st->cars[i].position : i + 1;
}

/* A team told its car `other` to let the teammate `car` by: worth a line wherever it
 * happens. */
static struct cm_candidate *team_orders_candidate(struct cm_rules *r, struct feed *f,
                                                  bool by_picked, bool on_picked)
{
    const struct pw_event *ev = f->ev;
    enum pw_commentary_kind kind =
        by_picked ? PW_COMMENT_HIGHLIGHT : (on_picked ? PW_COMMENT_WARNING : PW_COMMENT_INFO);
    int prio = ev->position == 1 ? PRIO_LEAD : PRIO_TEAM_ORDERS;
    struct cm_candidate *c = cand_new(
        f, CM_FACT_TEAM_ORDERS, prio + (by_picked || on_picked ? PRIO_PICKED_BONUS : 0), kind);
    if (ev->position == 1)
        copy_str(r->leader, sizeof r->leader, ev->car);
    int i = ev->state ? pw_state_find_car(ev->state, ev->car) : -1;
    if (c && i >= 0)
        copy_str(c->team, sizeof c->team, ev->state->cars[i].driver.team);
    return c;
}

static void rule_overtake(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    bool by_picked = is_picked(r, ev->car), on_picked = is_picked(r, ev->other);
    struct cm_candidate *c = NULL;
    if (strcmp(ev->text, PW_OVERTAKE_TEAM_ORDERS) == 0) {
        c = team_orders_candidate(r, f, by_picked, on_picked);
    } else if (ev->position == 1) {
        c = cand_new(f, CM_FACT_LEAD_PASS, PRIO_LEAD, PW_COMMENT_HIGHLIGHT);
        copy_str(r->leader, sizeof r->leader, ev->car);
    } else if (by_picked) {
        c = cand_new(f, CM_FACT_PICKED_GAINS, PRIO_PICKED_PASS, PW_COMMENT_HIGHLIGHT);
    } else if (on_picked) {
        c = cand_new(f, CM_FACT_PICKED_LOSES, PRIO_PICKED_PASS, PW_COMMENT_WARNING);
    } else if (ev->position >= 2 && ev->position <= 3) {
        c = cand_new(f, CM_FACT_PODIUM_PASS, PRIO_PODIUM_PASS, PW_COMMENT_HIGHLIGHT);
    }
    if (!c)
        return;
    c->n_who = 2;
    who_fill(&c->who[0], ev->state, ev->car);
    who_fill(&c->who[1], ev->state, ev->other);
    c->pos = ev->position > 0 ? ev->position : c->who[0].pos;
    c->who[0].pos = c->pos;
    if (c->pos > 0)
        c->who[1].pos = c->pos + 1;
    c->picked = by_picked || on_picked;
}

static void rule_pit_in(struct cm_rules *r, const struct pw_event *ev)
{
    int pos = car_pos(ev->state, ev->car);
    if (!pos)
        pos = ev->position;
    int i = pit_find(r, ev->car);
    if (i < 0) {
        if (r->n_pits == PW_MAX_CARS)
            return; /* cannot happen with at most PW_MAX_CARS cars; be safe anyway */
        i = r->n_pits++;
    }
    copy_str(r->pits[i].number, sizeof r->pits[i].number, ev->car);
    r->pits[i].from_pos = pos;
}

/* The damage car `number` showed last (NONE for a car not seen yet), to remember it in. */
static enum pw_damage *damage_seen(struct cm_rules *r, const char *number)
{
    for (int i = 0; i < r->n_damage; i++) {
        if (strcmp(r->damage[i].number, number) == 0)
            return &r->damage[i].damage;
    }
    if (r->n_damage == PW_MAX_CARS)
        return NULL;
    struct cm_rules_damage *d = &r->damage[r->n_damage++];
    copy_str(d->number, sizeof d->number, number);
    d->damage = PW_DAMAGE_NONE;
    return &d->damage;
}

/* What a stop at this pit-out repaired: the puncture or the wing the car showed before it,
 * gone from the state now; NONE for an ordinary stop. */
static enum pw_damage pit_repaired(struct cm_rules *r, const struct pw_event *ev)
{
    const enum pw_damage *was = damage_seen(r, ev->car);
    int i = ev->state ? pw_state_find_car(ev->state, ev->car) : -1;
    if (!was || i < 0 || !ev->state->damage_known || ev->state->cars[i].damage == *was)
        return PW_DAMAGE_NONE;
    return *was == PW_DAMAGE_PUNCTURE || *was == PW_DAMAGE_FRONT_WING ? *was : PW_DAMAGE_NONE;
}

static void rule_pit_out(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    int from = 0, i = pit_find(r, ev->car);
    if (i >= 0) {
        from = r->pits[i].from_pos;
        r->pits[i] = r->pits[--r->n_pits];
    }
    int now_pos = car_pos(ev->state, ev->car);
    bool picked = is_picked(r, ev->car);
    bool leader = from ? from <= 3 : (now_pos > 0 && now_pos <= 3);
    /* a stop for damage the commentary told of is always said: it ends that story */
    enum pw_damage repaired = pit_repaired(r, ev);
    if (!picked && !leader && !repaired)
        return;
    int prio = from == 1 ? PRIO_PIT_LEADER : PRIO_PIT;
    if (picked)
        prio += PRIO_PICKED_BONUS;
    struct cm_candidate *c =
        cand_new(f, repaired ? CM_FACT_REPAIR_STOP : CM_FACT_PIT, prio, PW_COMMENT_INFO);
    if (!c)
        return;
    c->n_who = 1;
    who_fill(&c->who[0], ev->state, ev->car);
    c->who[0].from_pos = from;
    if (ev->tyre != PW_TYRE_UNKNOWN)
        c->who[0].tyre = ev->tyre;
    c->picked = picked;
    c->damage = repaired;
}

static void rule_track(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    enum pw_track_status prev = r->track, now = ev->track;
    if (now == prev)
        return;
    r->track = now;
    struct cm_candidate *c = NULL;
    switch (now) {
    case PW_TRACK_SC:
        c = cand_new(f, CM_FACT_SAFETY_CAR, PRIO_SC, PW_COMMENT_WARNING);
        break;
    case PW_TRACK_VSC:
        c = cand_new(f, CM_FACT_VSC, PRIO_VSC, PW_COMMENT_WARNING);
        break;
    case PW_TRACK_RED:
        c = cand_new(f, CM_FACT_RED_FLAG, PRIO_RED, PW_COMMENT_WARNING);
        break;
    case PW_TRACK_GREEN:
        if (prev == PW_TRACK_SC || prev == PW_TRACK_VSC || prev == PW_TRACK_VSC_ENDING ||
            prev == PW_TRACK_RED) {
            c = cand_new(f, CM_FACT_RESTART, PRIO_RESTART, PW_COMMENT_HIGHLIGHT);
            if (c) {
                c->prev_track = prev == PW_TRACK_VSC_ENDING ? PW_TRACK_VSC : prev;
                if (ev->state && ev->state->n_cars > 0) {
                    c->n_who = 1;
                    who_fill_index(&c->who[0], ev->state, 0);
                }
            }
        }
        break;
    case PW_TRACK_YELLOW:
    case PW_TRACK_VSC_ENDING:
        break; /* local yellows and the VSC ending notice are not worth a line */
    }
}

/* Rain begins: said once per shower, from the state any event carries. */
static void rule_weather(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    if (!ev->state || !ev->state->weather_known || !ev->state->started)
        return;
    bool was = r->raining;
    r->raining = ev->state->raining;
    if (r->raining && !was)
        cand_new(f, CM_FACT_RAIN, PRIO_RAIN, PW_COMMENT_WARNING);
}

/* Damage as the state shows it (a simulation's): a car that gets a puncture, front-wing or
 * floor damage is said once when it happens; the stop that repairs it is rule_pit_out's. */
static void rule_damage(struct cm_rules *r, struct feed *f)
{
    const struct pw_race_state *st = f->ev->state;
    if (!st || !st->damage_known || !st->started)
        return;
    for (int i = 0; i < st->n_cars; i++) {
        const struct pw_car *car = &st->cars[i];
        enum pw_damage *seen = damage_seen(r, car->driver.number);
        if (!seen || *seen == car->damage)
            continue;
        enum pw_damage was = *seen;
        *seen = car->damage;
        enum cm_fact fact;
        int prio;
        if (car->retired || car->finished)
            continue;
        if (car->damage == PW_DAMAGE_PUNCTURE) {
            fact = CM_FACT_PUNCTURE;
            prio = PRIO_PUNCTURE;
        } else if (car->damage == PW_DAMAGE_FRONT_WING && was != PW_DAMAGE_PUNCTURE) {
            fact = CM_FACT_WING_DAMAGE;
            prio = PRIO_WING;
        } else if (car->damage == PW_DAMAGE_FLOOR && was == PW_DAMAGE_NONE) {
            fact = CM_FACT_FLOOR_DAMAGE;
            prio = PRIO_FLOOR;
        } else {
            continue; /* repaired, or a lesser damage left after a stop */
        }
        bool picked = is_picked(r, car->driver.number);
        if (car->position > 0 && car->position <= 3)
            prio = PRIO_RETIRE_TOP;
        struct cm_candidate *c =
            cand_new(f, fact, prio + (picked ? PRIO_PICKED_BONUS : 0), PW_COMMENT_WARNING);
        if (!c)
            return;
        c->n_who = 1;
        who_fill(&c->who[0], st, car->driver.number);
        c->damage = car->damage;
        c->picked = picked;
    }
}

/* How important a stewards' note is: a penalty given to a car on the podium is news like a
 * retirement there; time added after the flag goes before the podium line (which ends the
 * talk, and often the stream's grace) only when it can change the podium or the viewer's
 * result, and never before the chequered line. */
static int stewards_priority(const struct cm_steward_note *note, int pos, bool picked)
{
    bool podium = pos > 0 && pos <= 3;
    switch (note->fact) {
    case CM_FACT_PENALTY:
        return (podium ? PRIO_RETIRE_TOP : PRIO_PENALTY) + (picked ? PRIO_PICKED_BONUS : 0);
    case CM_FACT_DRIVE_THROUGH:
        return (podium ? PRIO_RETIRE_TOP : PRIO_DRIVE_THROUGH) + (picked ? PRIO_PICKED_BONUS : 0);
    case CM_FACT_BLACK_WHITE:
        return PRIO_BLACK_WHITE + (picked ? PRIO_PICKED_BONUS : 0);
    case CM_FACT_PENALTY_ADDED:
        return podium || picked ? PRIO_PENALTY_ADDED : PRIO_PENALTY;
    default:
        return PRIO_PENALTY_SERVED + (picked ? PRIO_PICKED_BONUS : 0);
    }
}

/* The stewards' notes (race control's words, read by cm_stewards.h): a penalty given,
 * served or added at the flag, and the black-and-white flag. */
static void rule_stewards(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    struct cm_steward_note note;
    if (cm_stewards_read(ev->text, &note) < 0)
        return;
    bool picked = is_picked(r, note.number);
    bool info = note.fact == CM_FACT_BLACK_WHITE || note.fact == CM_FACT_PENALTY_SERVED;
    struct cm_candidate *c =
        cand_new(f, note.fact, stewards_priority(&note, car_pos(ev->state, note.number), picked),
                 info ? PW_COMMENT_INFO : PW_COMMENT_WARNING);
    if (!c)
        return;
    c->n_who = 1;
    who_fill(&c->who[0], ev->state, note.number);
    /* time added at the flag reorders the finishers: the place before it is no fact */
    if (note.fact == CM_FACT_PENALTY_ADDED)
        c->who[0].pos = 0;
    c->penalty_s = note.seconds;
    c->reason = note.reason;
    c->picked = picked;
}

static void rule_retirement(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    bool picked = is_picked(r, ev->car);
    int from = ev->position > 0 ? ev->position : car_pos(ev->state, ev->car);
    int prio = (from > 0 && from <= 3) ? PRIO_RETIRE_TOP : PRIO_RETIRE;
    if (picked)
        prio = PRIO_RETIRE_TOP + PRIO_PICKED_BONUS;
    struct cm_candidate *c = cand_new(f, CM_FACT_RETIREMENT, prio, PW_COMMENT_WARNING);
    if (!c)
        return;
    c->n_who = 1;
    who_fill(&c->who[0], ev->state, ev->car);
    c->who[0].from_pos = from;
    c->who[0].pos = 0;
    c->engine_failure = strcmp(ev->text, PW_RETIRE_ENGINE_FAILURE) == 0;
    c->damage = strcmp(ev->text, PW_RETIRE_PUNCTURE) == 0 ? PW_DAMAGE_PUNCTURE : PW_DAMAGE_NONE;
    c->picked = picked;
    int i = pit_find(r, ev->car);
    if (i >= 0)
        r->pits[i] = r->pits[--r->n_pits];
}

/* Index of the first car still running (not retired), or -1. */
static int first_running(const struct pw_race_state *st, int from)
{
    for (int i = from; st && i < st->n_cars; i++) {
        if (!st->cars[i].retired)
            return i;
    }
    return -1;
}

static void rule_final_lap(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    if (r->said_final_lap)
        return;
    r->said_final_lap = true;
    struct cm_candidate *c = cand_new(f, CM_FACT_FINAL_LAP, PRIO_FINAL_LAP, PW_COMMENT_HIGHLIGHT);
    if (!c || !ev->state)
        return;
    int a = first_running(ev->state, 0);
    int b = a >= 0 ? first_running(ev->state, a + 1) : -1;
    if (a >= 0)
        who_fill_index(&c->who[c->n_who++], ev->state, a);
    if (b >= 0) {
        who_fill_index(&c->who[c->n_who++], ev->state, b);
        const struct pw_car *cb = &ev->state->cars[b];
        if (b == a + 1 && cb->interval_laps == 0)
            c->gap_ms = cb->interval_ms;
    }
}

static void rule_chequered(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    if (r->said_chequered)
        return;
    r->said_chequered = true;
    struct cm_candidate *c = cand_new(f, CM_FACT_CHEQUERED, PRIO_CHEQUERED, PW_COMMENT_HIGHLIGHT);
    if (!c)
        return;
    const char *winner = ev->car;
    if ((!winner || !winner[0]) && ev->state && ev->state->n_cars > 0)
        winner = ev->state->cars[0].driver.number;
    c->n_who = 1;
    who_fill(&c->who[0], ev->state, winner);
    c->who[0].pos = 1;
    c->picked = is_picked(r, winner);
    /* time still owed is added before the classification: no win said until then */
    int i = ev->state && winner ? pw_state_find_car(ev->state, winner) : -1;
    c->penalty_owed =
        i >= 0 && (ev->state->cars[i].penalty_s > 0 || ev->state->cars[i].drive_through);
}

static void rule_podium(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    if (r->said_podium || !ev->state)
        return;
    const struct pw_race_state *st = ev->state;
    int idx[3], k = 0;
    for (int i = 0; i < st->n_cars && k < 3; i++) {
        if (!st->cars[i].retired)
            idx[k++] = i;
    }
    if (k < 3)
        return; /* fewer than three finishers: the chequered line said it all */
    r->said_podium = true;
    struct cm_candidate *c = cand_new(f, CM_FACT_PODIUM, PRIO_PODIUM, PW_COMMENT_HIGHLIGHT);
    if (!c)
        return;
    for (int i = 0; i < 3; i++) {
        who_fill_index(&c->who[i], st, idx[i]);
        c->who[i].pos = i + 1;
        c->picked = c->picked || is_picked(r, c->who[i].number);
    }
    c->n_who = 3;
    int p = r->picked[0] ? pw_state_find_car(st, r->picked) : -1;
    if (p >= 0 && !c->picked && !st->cars[p].retired) {
        who_fill_index(&c->who[3], st, p);
        c->n_who = 4;
        c->picked = true;
    }
}

static void rule_lights_out(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    if (r->said_lights_out)
        return;
    r->said_lights_out = true;
    struct cm_candidate *c = cand_new(f, CM_FACT_LIGHTS_OUT, PRIO_LIGHTS_OUT, PW_COMMENT_HIGHLIGHT);
    if (c && ev->state && ev->state->n_cars > 0) {
        c->n_who = 1;
        who_fill_index(&c->who[0], ev->state, 0);
    }
}

/* A new leader without a pass for the lead (the leader pitted, retired, or the overtake
 * was not reported) is still news. */
static void rule_leader(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    const struct pw_race_state *st = ev->state;
    if (!st || !st->started || st->finished || st->n_cars == 0)
        return;
    int i = first_running(st, 0);
    if (i < 0)
        return;
    const char *lead = st->cars[i].driver.number;
    if (!lead[0] || strcmp(lead, r->leader) == 0)
        return;
    bool first_sight = r->leader[0] == '\0';
    copy_str(r->leader, sizeof r->leader, lead);
    if (first_sight || ev->type == PW_EV_LIGHTS_OUT)
        return;
    struct cm_candidate *c = cand_new(f, CM_FACT_LEAD_INHERIT, PRIO_LEAD, PW_COMMENT_HIGHLIGHT);
    if (!c)
        return;
    c->n_who = 1;
    who_fill_index(&c->who[0], st, i);
    c->who[0].pos = 1;
    c->pos = 1;
    c->picked = is_picked(r, lead);
}

/* A time set by ev->car (race: the fastest lap; practice and qualifying: the top time). */
static void rule_lap_time(struct cm_rules *r, struct feed *f, enum cm_fact fact, int prio,
                          enum pw_commentary_kind kind)
{
    const struct pw_event *ev = f->ev;
    if (ev->lap_ms <= 0)
        return;
    bool picked = is_picked(r, ev->car);
    struct cm_candidate *c = cand_new(f, fact, prio + (picked ? PRIO_PICKED_BONUS : 0), kind);
    if (!c)
        return;
    c->n_who = 1;
    who_fill(&c->who[0], ev->state, ev->car);
    c->lap_ms = ev->lap_ms;
    c->picked = picked;
}

/* ---- practice and qualifying ---- */

static bool knocked_known(const struct cm_rules *r, const char *number)
{
    for (int i = 0; i < r->n_knocked; i++) {
        if (strcmp(r->knocked[i], number) == 0)
            return true;
    }
    return false;
}

/* Cars newly knocked out (the feed marks them all at once, with the next part). */
static void rule_knocked_out(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    const struct pw_race_state *st = ev->state;
    struct cm_candidate *c = NULL;
    for (int i = 0; st && i < st->n_cars; i++) {
        const struct pw_car *car = &st->cars[i];
        if (!car->knocked_out_part || knocked_known(r, car->driver.number) ||
            r->n_knocked == PW_MAX_CARS)
            continue;
        copy_str(r->knocked[r->n_knocked++], sizeof r->knocked[0], car->driver.number);
        if (!c) {
            c = cand_new(f, CM_FACT_KNOCKED_OUT, PRIO_KNOCKED_OUT, PW_COMMENT_HIGHLIGHT);
            if (!c)
                return;
            c->part = car->knocked_out_part;
        }
        if (c->n_who < CM_WHO_MAX) {
            who_fill_index(&c->who[c->n_who++], st, i);
            c->picked = c->picked || is_picked(r, car->driver.number);
        }
    }
    if (c && c->picked)
        c->priority += PRIO_PICKED_BONUS;
}

/* A personal best: into the top three, or by the picked driver. P1 is the provisional
 * pole line. */
static void rule_improvement(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    int i = ev->state ? pw_state_find_car(ev->state, ev->car) : -1;
    if (i < 0 || ev->lap_ms <= 0)
        return;
    const struct pw_car *car = &ev->state->cars[i];
    bool picked = is_picked(r, ev->car);
    if (car->best_lap_ms != ev->lap_ms || car->position == 1 || (car->position > 3 && !picked))
        return;
    struct cm_candidate *c = cand_new(
        f, CM_FACT_IMPROVEMENT, PRIO_IMPROVE + (picked ? PRIO_PICKED_BONUS : 0), PW_COMMENT_INFO);
    if (!c)
        return;
    c->n_who = 1;
    who_fill_index(&c->who[0], ev->state, i);
    c->lap_ms = ev->lap_ms;
    c->picked = picked;
}

static void rule_session_track(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    enum pw_track_status prev = r->track;
    r->track = ev->track;
    if (ev->track == PW_TRACK_RED && prev != PW_TRACK_RED)
        cand_new(f, CM_FACT_SESSION_RED, PRIO_RED, PW_COMMENT_WARNING);
    else if (ev->track == PW_TRACK_GREEN && prev == PW_TRACK_RED)
        cand_new(f, CM_FACT_SESSION_RESUME, PRIO_RESTART, PW_COMMENT_HIGHLIGHT);
}

/* The flag at the end: pole (qualifying) or fastest (practice), not a win. */
static void rule_session_end(struct cm_rules *r, struct feed *f)
{
    const struct pw_event *ev = f->ev;
    if (r->said_chequered)
        return;
    r->said_chequered = true;
    struct cm_candidate *c = cand_new(f, CM_FACT_SESSION_END, PRIO_CHEQUERED, PW_COMMENT_HIGHLIGHT);
    if (!c || !ev->state || ev->state->n_cars == 0 || ev->state->cars[0].best_lap_ms <= 0)
        return;
    c->n_who = 1;
    who_fill_index(&c->who[0], ev->state, 0);
    c->lap_ms = ev->state->cars[0].best_lap_ms;
    c->picked = is_picked(r, c->who[0].number);
}

static int session_feed(struct cm_rules *r, const struct pw_event *ev, int64_t now_ms,
                        struct cm_candidate *out, int max)
{
    struct feed f = {.ev = ev, .now_ms = now_ms, .out = out, .max = max};
    switch (ev->type) {
    case PW_EV_LIGHTS_OUT:
        if (!r->said_lights_out) {
            r->said_lights_out = true;
            cand_new(&f, CM_FACT_SESSION_START, PRIO_LIGHTS_OUT, PW_COMMENT_HIGHLIGHT);
        }
        break;
    case PW_EV_FASTEST_LAP:
        rule_lap_time(r, &f, CM_FACT_PROVISIONAL_POLE, PRIO_LEAD, PW_COMMENT_HIGHLIGHT);
        break;
    case PW_EV_LAP_COMPLETED:
        rule_improvement(r, &f);
        break;
    case PW_EV_TRACK_STATUS:
        rule_session_track(r, &f);
        break;
    case PW_EV_CHEQUERED:
        rule_session_end(r, &f);
        break;
    default:
        break; /* pit stops and laps are the routine of these sessions */
    }
    if (ev->state && ev->state->started)
        rule_knocked_out(r, &f);
    return f.n;
}

int cm_rules_feed(struct cm_rules *r, const struct pw_event *ev, int64_t now_ms,
                  struct cm_candidate *out, int max)
{
    if (ev->state && pw_session_is_timed(ev->state->kind))
        return session_feed(r, ev, now_ms, out, max);
    struct feed f = {.ev = ev, .now_ms = now_ms, .out = out, .max = max};
    switch (ev->type) {
    case PW_EV_LIGHTS_OUT:
        rule_lights_out(r, &f);
        break;
    case PW_EV_OVERTAKE:
        rule_overtake(r, &f);
        break;
    case PW_EV_PIT_IN:
        rule_pit_in(r, ev);
        break;
    case PW_EV_PIT_OUT:
        rule_pit_out(r, &f);
        break;
    case PW_EV_FASTEST_LAP:
        rule_lap_time(r, &f, CM_FACT_FASTEST_LAP, PRIO_FASTEST,
                      is_picked(r, ev->car) ? PW_COMMENT_HIGHLIGHT : PW_COMMENT_INFO);
        break;
    case PW_EV_TRACK_STATUS:
        rule_track(r, &f);
        break;
    case PW_EV_RETIREMENT:
        rule_retirement(r, &f);
        break;
    case PW_EV_FINAL_LAP:
        rule_final_lap(r, &f);
        break;
    case PW_EV_CHEQUERED:
        rule_chequered(r, &f);
        break;
    case PW_EV_CLASSIFICATION:
        rule_podium(r, &f);
        break;
    case PW_EV_RACE_CONTROL:
        rule_stewards(r, &f);
        break;
    default:
        break; /* positions ticks, laps: context only */
    }
    rule_weather(r, &f);
    rule_damage(r, &f);
    rule_leader(r, &f);
    return f.n;
}
