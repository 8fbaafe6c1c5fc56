#include "replay/replay_model.h"

#include "replay/replay_info.h"
#include "replay/replay_json.h"
#include "replay/replay_merge.h"
#include "replay/replay_parse.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- events ---- */

static const struct replay_car_slot *slot_find_const(const struct replay_model *m,
                                                     const char *number)
{
    for (int i = 0; i < m->n_slots; i++) {
        if (strcmp(m->slots[i].car.driver.number, number) == 0)
            return &m->slots[i];
    }
    return NULL;
}

static void emit_event(struct replay_model *m, enum pw_event_type type, const char *car,
                       const char *other, int position, int64_t lap_ms, enum pw_tyre tyre, int lap)
{
    if (!m->emit)
        return;
    struct pw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.race_ms = m->state.race_ms;
    ev.lap = lap;
    replay_copy_text(ev.car, sizeof ev.car, car);
    replay_copy_text(ev.other, sizeof ev.other, other);
    ev.position = position;
    ev.lap_ms = lap_ms;
    /* As the simulator does, a car's event carries the tyre it is on. */
    const struct replay_car_slot *s =
        car && *car && tyre == PW_TYRE_UNKNOWN ? slot_find_const(m, car) : NULL;
    ev.tyre = s ? s->car.tyre : tyre;
    ev.track = m->state.track;
    ev.state = &m->state;
    m->emit(m->emit_ctx, &ev);
}

static void emit_simple(struct replay_model *m, enum pw_event_type type, const char *car)
{
    emit_event(m, type, car, NULL, 0, 0, PW_TYRE_UNKNOWN, m->state.lap);
}

/* ---- cars ---- */

static struct replay_car_slot *slot_find(struct replay_model *m, const char *number)
{
    return (struct replay_car_slot *)slot_find_const(m, number);
}

/* The car for a key under Lines / DriverList, created on first sight; NULL (counted) for a
 * key that is no racing number or when the table is full. */
static struct replay_car_slot *slot_get(struct replay_model *m, const char *number)
{
    if (!replay_number_valid(number)) {
        if (m->count)
            m->stats.unknown_numbers++;
        return NULL;
    }
    struct replay_car_slot *s = slot_find(m, number);
    if (s)
        return s;
    if (m->n_slots == PW_MAX_CARS) {
        if (m->count)
            m->stats.unknown_numbers++;
        return NULL;
    }
    s = &m->slots[m->n_slots++];
    memset(s, 0, sizeof *s);
    s->rank = -1;
    replay_copy_text(s->car.driver.number, sizeof s->car.driver.number, number);
    /* Shown until DriverList names the car. */
    snprintf(s->car.driver.name, sizeof s->car.driver.name, "Car %s", number);
    return s;
}

static int sort_key_position(const struct replay_car_slot *s)
{
    return s->feed_position > 0 ? s->feed_position : INT_MAX;
}

static bool slot_before(const struct replay_car_slot *a, const struct replay_car_slot *b)
{
    int pa = sort_key_position(a), pb = sort_key_position(b);
    if (pa != pb)
        return pa < pb;
    int la = a->line_order > 0 ? a->line_order : INT_MAX;
    int lb = b->line_order > 0 ? b->line_order : INT_MAX;
    if (la != lb)
        return la < lb;
    return atoi(a->car.driver.number) < atoi(b->car.driver.number);
}

/* Rebuilds state.cars in running order from the slots. */
static void model_rebuild(struct replay_model *m)
{
    int order[PW_MAX_CARS];
    for (int i = 0; i < m->n_slots; i++) {
        int j = i;
        while (j > 0 && slot_before(&m->slots[i], &m->slots[order[j - 1]])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    m->state.n_cars = m->n_slots;
    for (int i = 0; i < m->n_slots; i++) {
        struct replay_car_slot *s = &m->slots[order[i]];
        s->rank = i;
        s->car.position = i + 1;
        m->state.cars[i] = s->car;
    }
}

static void update_lap(struct replay_model *m)
{
    /* Practice and qualifying run on a clock: there is no lap of the session. */
    if (!m->state.started || pw_session_is_timed(m->state.kind)) {
        m->state.lap = 0;
        return;
    }
    if (m->current_lap > 0) {
        m->state.lap = m->current_lap;
        return;
    }
    /* No LapCount topic: the leader's lap in progress. */
    int lap = m->state.n_cars > 0 ? m->state.cars[0].laps + 1 : 1;
    if (m->state.total_laps > 0 && lap > m->state.total_laps)
        lap = m->state.total_laps;
    m->state.lap = lap;
}

static void passes_flush(struct replay_model *m, bool all);

static bool new_tyre_known(const struct replay_car_slot *s)
{
    return s->n_stints > s->stints_at_pit_in && s->car.tyre != PW_TYRE_UNKNOWN;
}

static void emit_pit_out(struct replay_model *m, struct replay_car_slot *s)
{
    s->pit_out_pending = false;
    emit_event(m, PW_EV_PIT_OUT, s->car.driver.number, NULL, s->car.position, 0, s->car.tyre,
               m->state.lap);
}

int64_t replay_model_next_due(const struct replay_model *m)
{
    int64_t due = INT64_MAX;
    for (int i = 0; i < m->n_slots; i++) {
        if (m->slots[i].pit_out_pending && m->slots[i].pit_out_deadline < due)
            due = m->slots[i].pit_out_deadline;
    }
    for (int i = 0; i < m->n_passes; i++) {
        if (m->passes[i].due < due)
            due = m->passes[i].due;
    }
    return due;
}

void replay_model_tick(struct replay_model *m, int64_t race_ms, pw_emit_fn emit, void *ctx)
{
    m->emit = emit;
    m->emit_ctx = ctx;
    m->state.race_ms = race_ms;
    bool was_started = m->state.started;
    m->state.started = race_ms >= 0;
    if (was_started != m->state.started)
        update_lap(m);
    replay_session_tick(&m->session, &m->state);
    for (int i = 0; i < m->n_slots; i++) {
        struct replay_car_slot *s = &m->slots[i];
        if (s->pit_out_pending && s->pit_out_deadline <= race_ms)
            emit_pit_out(m, s);
    }
    if (m->n_passes)
        passes_flush(m, false);
}

/* ---- topics ---- */

static void refresh_driver(struct replay_model *m, struct replay_car_slot *s, const json_t *o)
{
    struct pw_driver *d = &s->car.driver;
    const char *tla = replay_json_str(o, "Tla"), *first = replay_json_str(o, "FirstName"),
               *last = replay_json_str(o, "LastName");
    const char *full = replay_json_str(o, "FullName"), *team = replay_json_str(o, "TeamName");
    const char *colour = replay_json_str(o, "TeamColour");
    if (tla)
        replay_copy_text(d->tla, sizeof d->tla, tla);
    if (first && last && *first && *last) {
        char name[2 * PW_NAME_MAX];
        snprintf(name, sizeof name, "%s %s", first, last);
        replay_copy_text(d->name, sizeof d->name, name);
    } else if (full && *full) {
        replay_copy_text(d->name, sizeof d->name, full);
    }
    if (team)
        replay_copy_text(d->team, sizeof d->team, team);
    if (colour) {
        const char *hex = colour[0] == '#' ? colour + 1 : colour;
        bool ok = strlen(hex) == 6;
        for (int i = 0; ok && i < 6; i++)
            ok = strchr("0123456789abcdefABCDEF", hex[i]) != NULL;
        if (ok)
            snprintf(d->team_color, sizeof d->team_color, "#%s", hex);
    }
    int line = replay_json_int(o, "Line", 999);
    if (line > 0)
        s->line_order = line;
    (void)m;
}

static void apply_driver_list(struct replay_model *m, const json_t *delta)
{
    const json_t *st = m->topics[REPLAY_TOPIC_DRIVER_LIST];
    bool all = replay_merge_is_keyframe(delta) || json_object_get(delta, "_deleted");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)(all ? st : delta), key, v)
    {
        if (key[0] == '_')
            continue;
        struct replay_car_slot *s = slot_get(m, key);
        const json_t *o = json_object_get(st, key);
        if (s && json_is_object(o))
            refresh_driver(m, s, o);
    }
    model_rebuild(m);
}

static void refresh_timing(struct replay_car_slot *s, const json_t *o)
{
    struct pw_car *c = &s->car;
    s->feed_position = replay_json_int(o, "Position", 999);
    replay_parse_gap(replay_json_str(o, "GapToLeader"), &c->gap_ms, &c->gap_laps);
    replay_parse_gap(replay_json_str(json_object_get(o, "IntervalToPositionAhead"), "Value"),
                     &c->interval_ms, &c->interval_laps);
    c->laps = replay_json_int(o, "NumberOfLaps", 9999);
    c->pit_stops = replay_json_int(o, "NumberOfPitStops", 999);
    c->in_pit = replay_json_bool(o, "InPit");
    s->on_out_lap = replay_json_bool(o, "PitOut");
    c->retired = replay_json_bool(o, "Retired") || replay_json_bool(o, "Stopped");
    c->last_lap_ms = replay_json_laptime(json_object_get(o, "LastLapTime"));
    const json_t *best = json_object_get(o, "BestLapTime");
    c->best_lap_ms = replay_json_laptime(best);
    c->best_lap_no = c->best_lap_ms ? replay_json_int(best, "Lap", 9999) : 0;
    const json_t *sectors = json_object_get(o, "Sectors");
    for (size_t i = 0; i < 3; i++)
        c->sectors_ms[i] = replay_json_laptime(replay_json_item(sectors, i));
}

static void refresh_stints(struct replay_car_slot *s, const json_t *o)
{
    struct pw_car *c = &s->car;
    const json_t *stints = json_object_get(o, "Stints");
    size_t n = (json_is_array(stints) || json_is_object(stints)) ? replay_json_len(stints) : 0;
    const json_t *last = n ? replay_json_item(stints, n - 1) : NULL;
    s->n_stints = n > 999 ? 999 : (int)n;
    c->stints = s->n_stints;
    c->tyre = pw_tyre_parse(replay_json_str(last, "Compound"));
    c->tyre_age = replay_json_int(last, "TotalLaps", 9999);
    c->tyre_new = replay_json_bool(last, "New");
}

struct touched {
    struct replay_car_slot *slot;
    struct pw_car old;
};

/* Keys under Lines that a delta changes, as slots; all known cars for a keyframe. */
static int collect_touched(struct replay_model *m, const json_t *delta, const json_t *lines,
                           struct touched *t)
{
    const json_t *dlines = json_object_get(delta, "Lines");
    bool all = replay_merge_is_keyframe(delta) || json_object_get(delta, "_deleted") ||
               (dlines && !json_is_object(dlines)) || replay_merge_is_keyframe(dlines) ||
               json_object_get(dlines, "_deleted");
    int n = 0;
    if (all) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)lines, key, v)
        {
            if (key[0] != '_')
                slot_get(m, key);
        }
        for (int i = 0; i < m->n_slots; i++)
            t[n++] = (struct touched){&m->slots[i], m->slots[i].car};
        return n;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)dlines, key, v)
    {
        if (key[0] == '_')
            continue;
        struct replay_car_slot *s = slot_get(m, key);
        if (!s)
            continue;
        bool dup = false;
        for (int i = 0; i < n && !dup; i++)
            dup = t[i].slot == s;
        if (!dup && n < PW_MAX_CARS)
            t[n++] = (struct touched){s, s->car};
    }
    return n;
}

static bool can_fight(const struct replay_car_slot *s)
{
    const struct pw_car *c = &s->car;
    return s->feed_position > 0 && !c->in_pit && !s->on_out_lap && !c->retired && !c->finished;
}

static bool track_neutralised(const struct replay_model *m)
{
    enum pw_track_status t = m->state.track;
    return t == PW_TRACK_SC || t == PW_TRACK_VSC || t == PW_TRACK_VSC_ENDING || t == PW_TRACK_RED;
}

static void pass_remove(struct replay_model *m, int i)
{
    m->passes[i] = m->passes[--m->n_passes];
}

/* A pending pass stands while its car stays ahead and neither car pits or retires. */
static bool pass_holds(const struct replay_model *m, const struct replay_pending_pass *p)
{
    const struct replay_car_slot *A = &m->slots[p->a], *B = &m->slots[p->b];
    return A->rank < B->rank && !A->car.in_pit && !B->car.in_pit && !A->car.retired &&
           !B->car.retired;
}

static void pass_emit(struct replay_model *m, const struct replay_pending_pass *p)
{
    const struct replay_car_slot *A = &m->slots[p->a], *B = &m->slots[p->b];
    emit_event(m, PW_EV_OVERTAKE, A->car.driver.number, B->car.driver.number, A->car.position, 0,
               PW_TYRE_UNKNOWN, m->state.lap);
}

/* Emits due passes (all of them when `all`), drops those that no longer hold. */
static void passes_flush(struct replay_model *m, bool all)
{
    for (int i = 0; i < m->n_passes;) {
        struct replay_pending_pass p = m->passes[i];
        if (!pass_holds(m, &p)) {
            pass_remove(m, i);
        } else if (all || p.due <= m->state.race_ms) {
            pass_remove(m, i);
            pass_emit(m, &p);
        } else {
            i++;
        }
    }
}

/* Counts a place lost by slot b; true when that makes (or keeps) it a slowing car, whose
 * pending passes are then dropped. */
static bool note_loss(struct replay_model *m, int b)
{
    struct replay_car_slot *B = &m->slots[b];
    int64_t now = m->state.race_ms;
    if (B->recent_losses > 0 && now - B->last_loss_ms > REPLAY_SLOWING_WINDOW_MS)
        B->recent_losses = 0;
    B->recent_losses++;
    B->last_loss_ms = now;
    if (B->recent_losses < REPLAY_SLOWING_LOSSES)
        return false;
    for (int i = 0; i < m->n_passes;) {
        if (m->passes[i].b == b)
            pass_remove(m, i);
        else
            i++;
    }
    return true;
}

static void detect_passes(struct replay_model *m, const int *old_rank)
{
    /* A pass undone (b back ahead of a) disappears here; undoing it is no pass either. */
    struct replay_pending_pass before[REPLAY_PENDING_PASSES_MAX];
    int n_before = m->n_passes;
    memcpy(before, m->passes, (size_t)n_before * sizeof *before);
    passes_flush(m, false);
    /* Practice and qualifying order cars by best lap: a new place is no pass on track. */
    if (!m->state.started || track_neutralised(m) || pw_session_is_timed(m->state.kind))
        return;
    for (int a = 0; a < m->n_slots; a++) {
        struct replay_car_slot *A = &m->slots[a];
        if (old_rank[a] < 0 || A->rank >= old_rank[a] || !can_fight(A) ||
            old_rank[a] - A->rank >= REPLAY_RESHUFFLE_GAIN)
            continue;
        for (int b = 0; b < m->n_slots; b++) {
            struct replay_car_slot *B = &m->slots[b];
            if (old_rank[b] < 0 || old_rank[b] >= old_rank[a] || B->rank <= A->rank ||
                !can_fight(B))
                continue;
            bool dup = false;
            for (int i = 0; i < m->n_passes && !dup; i++)
                dup = m->passes[i].a == a && m->passes[i].b == b;
            for (int i = 0; i < n_before && !dup; i++)
                dup = before[i].a == b && before[i].b == a;
            if (dup || note_loss(m, b))
                continue;
            if (m->n_passes == REPLAY_PENDING_PASSES_MAX) /* a mass reshuffle: no passes */
                return;
            m->passes[m->n_passes++] = (struct replay_pending_pass){
                .a = a, .b = b, .due = m->state.race_ms + REPLAY_OVERTAKE_HOLD_MS};
        }
    }
}

static void check_fastest(struct replay_model *m)
{
    const struct replay_car_slot *holder = NULL;
    for (int i = 0; i < m->n_slots; i++) {
        const struct replay_car_slot *s = &m->slots[i];
        /* a car knocked out keeps its time from an earlier part: not this part's fastest */
        if (s->car.best_lap_ms > 0 && !s->car.knocked_out_part &&
            (!holder || s->car.best_lap_ms < holder->car.best_lap_ms))
            holder = s;
    }
    if (!holder) {
        m->state.fastest_number[0] = '\0';
        m->state.fastest_lap_ms = 0;
        return;
    }
    bool improved =
        m->state.fastest_lap_ms == 0 || holder->car.best_lap_ms < m->state.fastest_lap_ms;
    replay_copy_text(m->state.fastest_number, sizeof m->state.fastest_number,
                     holder->car.driver.number);
    m->state.fastest_lap_ms = holder->car.best_lap_ms;
    if (improved && m->state.started)
        emit_event(m, PW_EV_FASTEST_LAP, holder->car.driver.number, NULL, holder->car.position,
                   holder->car.best_lap_ms, PW_TYRE_UNKNOWN,
                   holder->car.best_lap_no > 0 ? holder->car.best_lap_no : m->state.lap);
}

static void do_chequered(struct replay_model *m)
{
    if (m->chequered_done || !m->state.started)
        return;
    m->chequered_done = true;
    m->state.finished = true;
    /* Practice and qualifying: nobody "finishes" first, the order is by best lap. */
    if (m->state.n_cars > 0 && !pw_session_is_timed(m->state.kind)) {
        struct replay_car_slot *leader = slot_find(m, m->state.cars[0].driver.number);
        if (leader && !leader->car.retired) {
            leader->car.finished = true;
            m->state.cars[0].finished = true;
        }
    }
    emit_event(m, PW_EV_CHEQUERED, m->state.n_cars > 0 ? m->state.cars[0].driver.number : "", NULL,
               1, 0, PW_TYRE_UNKNOWN, m->state.lap);
}

static void check_chequered(struct replay_model *m)
{
    if (m->state.n_cars > 0 && m->state.total_laps > 0 &&
        m->state.cars[0].laps >= m->state.total_laps)
        do_chequered(m);
}

static void car_events(struct replay_model *m, struct touched *t)
{
    struct replay_car_slot *s = t->slot;
    const struct pw_car *old = &t->old, *c = &s->car;
    const char *num = c->driver.number;
    if (!m->state.started)
        return;
    if (!old->in_pit && c->in_pit) {
        s->pit_in_seen = true;
        s->stints_at_pit_in = s->n_stints;
        s->pit_out_pending = false;
        emit_event(m, PW_EV_PIT_IN, num, NULL, c->position, 0, PW_TYRE_UNKNOWN, m->state.lap);
    }
    if (old->in_pit && !c->in_pit && !c->retired) {
        if (!s->pit_in_seen || new_tyre_known(s)) {
            emit_pit_out(m, s);
        } else {
            s->pit_out_pending = true;
            s->pit_out_deadline = m->state.race_ms + REPLAY_PIT_OUT_WAIT_MS;
        }
    }
    if (c->laps > old->laps)
        emit_event(m, PW_EV_LAP_COMPLETED, num, NULL, c->position, c->last_lap_ms, PW_TYRE_UNKNOWN,
                   c->laps);
    if (!old->retired && c->retired)
        emit_event(m, PW_EV_RETIREMENT, num, NULL, old->position, 0, PW_TYRE_UNKNOWN, m->state.lap);
}

static void apply_timing_data(struct replay_model *m, const json_t *delta)
{
    const json_t *lines = json_object_get(m->topics[REPLAY_TOPIC_TIMING_DATA], "Lines");
    struct touched t[PW_MAX_CARS];
    int n = collect_touched(m, delta, lines, t);
    if (n == 0)
        return;
    int old_rank[PW_MAX_CARS];
    for (int i = 0; i < m->n_slots; i++)
        old_rank[i] = m->slots[i].rank;
    int prev_part =
        replay_session_timing(&m->session, &m->state, m->topics[REPLAY_TOPIC_TIMING_DATA]);
    for (int i = 0; i < n; i++) {
        struct replay_car_slot *s = t[i].slot;
        const json_t *o = json_object_get(lines, s->car.driver.number);
        refresh_timing(s, json_is_object(o) ? o : NULL);
        replay_session_car(&m->state, prev_part, &s->car, json_is_object(o) ? o : NULL);
        /* After the chequered flag, a car crossing the line has finished. */
        if (m->state.finished && s->car.laps > t[i].old.laps && !s->car.retired &&
            !pw_session_is_timed(m->state.kind))
            s->car.finished = true;
    }
    model_rebuild(m);
    update_lap(m);
    for (int i = 0; i < n; i++)
        car_events(m, &t[i]);
    detect_passes(m, old_rank);
    check_fastest(m);
    check_chequered(m);
}

static void apply_timing_app_data(struct replay_model *m, const json_t *delta)
{
    const json_t *lines = json_object_get(m->topics[REPLAY_TOPIC_TIMING_APP_DATA], "Lines");
    struct touched t[PW_MAX_CARS];
    int n = collect_touched(m, delta, lines, t);
    for (int i = 0; i < n; i++) {
        const json_t *o = json_object_get(lines, t[i].slot->car.driver.number);
        refresh_stints(t[i].slot, json_is_object(o) ? o : NULL);
    }
    if (n == 0)
        return;
    model_rebuild(m);
    for (int i = 0; i < n; i++) {
        struct replay_car_slot *s = t[i].slot;
        if (s->pit_out_pending && new_tyre_known(s))
            emit_pit_out(m, s);
    }
}

static void apply_lap_count(struct replay_model *m)
{
    const json_t *st = m->topics[REPLAY_TOPIC_LAP_COUNT];
    int cur = replay_json_int(st, "CurrentLap", 9999),
        total = replay_json_int(st, "TotalLaps", 9999);
    if (cur > 0)
        m->current_lap = cur;
    if (total > 0)
        m->state.total_laps = total;
    update_lap(m);
    if (m->state.started && !m->final_lap_done && !m->chequered_done && m->state.total_laps > 0 &&
        m->current_lap >= m->state.total_laps) {
        m->final_lap_done = true;
        emit_event(m, PW_EV_FINAL_LAP, m->state.n_cars > 0 ? m->state.cars[0].driver.number : "",
                   NULL, 1, 0, PW_TYRE_UNKNOWN, m->state.lap);
    }
}

static void apply_track_status(struct replay_model *m)
{
    static const struct {
        const char *code;
        enum pw_track_status track;
    } map[] = {{"1", PW_TRACK_GREEN}, {"2", PW_TRACK_YELLOW}, {"4", PW_TRACK_SC},
               {"5", PW_TRACK_RED},   {"6", PW_TRACK_VSC},    {"7", PW_TRACK_VSC_ENDING}};
    const char *code = replay_json_str(m->topics[REPLAY_TOPIC_TRACK_STATUS], "Status");
    for (size_t i = 0; code && i < sizeof map / sizeof *map; i++) {
        if (strcmp(code, map[i].code) == 0) {
            if (m->state.track != map[i].track) {
                m->state.track = map[i].track;
                emit_simple(m, PW_EV_TRACK_STATUS, NULL);
            }
            return;
        }
    }
}

static void apply_session_status(struct replay_model *m)
{
    const char *status = replay_json_str(m->topics[REPLAY_TOPIC_SESSION_STATUS], "Status");
    replay_session_status(&m->session, &m->state, status);
    /* In qualifying, "Finished" ends a part; only the last part's ends the session. */
    if (status && strcmp(status, "Finished") == 0 && replay_session_finish_ends(&m->state))
        do_chequered(m);
}

static void apply_session_info(struct replay_model *m)
{
    const json_t *st = m->topics[REPLAY_TOPIC_SESSION_INFO];
    const json_t *meeting = json_object_get(st, "Meeting");
    const char *circuit = replay_json_str(json_object_get(meeting, "Circuit"), "ShortName");
    if (!circuit)
        circuit = replay_json_str(meeting, "Location");
    if (circuit)
        replay_copy_text(m->state.circuit, sizeof m->state.circuit, circuit);
    const char *name = replay_json_str(st, "Name");
    if (name)
        replay_copy_text(m->state.session, sizeof m->state.session, name);
    m->state.kind = replay_info_kind(st);
    replay_session_info(&m->session, &m->state, st);
}

static void apply_race_control(struct replay_model *m)
{
    const json_t *msgs = json_object_get(m->topics[REPLAY_TOPIC_RACE_CONTROL], "Messages");
    size_t n = (json_is_array(msgs) || json_is_object(msgs)) ? replay_json_len(msgs) : 0;
    if (n < m->rc_seen) /* a keyframe with fewer messages: start over from there */
        m->rc_seen = n;
    for (; m->rc_seen < n; m->rc_seen++) {
        const char *text = replay_json_str(replay_json_item(msgs, m->rc_seen), "Message");
        char deleted[PW_NUMBER_MAX] = "";
        if (replay_session_deleted_lap(text, deleted, sizeof deleted)) {
            struct replay_car_slot *s = slot_find(m, deleted);
            if (s) {
                s->car.deleted_laps++;
                model_rebuild(m);
            }
        }
        if (!text || !m->emit)
            continue;
        struct pw_event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = PW_EV_RACE_CONTROL;
        replay_copy_text(ev.car, sizeof ev.car, deleted); /* the car whose lap was deleted */
        ev.race_ms = m->state.race_ms;
        ev.lap = m->state.lap;
        ev.track = m->state.track;
        replay_copy_text(ev.text, sizeof ev.text, text);
        ev.state = &m->state;
        m->emit(m->emit_ctx, &ev);
    }
}

int replay_model_apply(struct replay_model *m, enum replay_topic topic, const char *text,
                       size_t len, bool count, pw_emit_fn emit, void *ctx)
{
    m->count = count;
    m->emit = emit;
    m->emit_ctx = ctx;
    json_error_t jerr;
    json_t *delta = json_loadb(text, len, 0, &jerr);
    if (!json_is_object(delta)) {
        json_decref(delta);
        if (count)
            m->stats.invalid_json++;
        return 0;
    }
    struct replay_merge_stats ms = {0};
    int rc = replay_merge_apply(&m->topics[topic], delta, &ms);
    if (count)
        m->stats.merge_ignored += ms.ignored;
    if (rc < 0)
        goto out;
    switch (topic) {
    case REPLAY_TOPIC_SESSION_INFO:
        apply_session_info(m);
        break;
    case REPLAY_TOPIC_DRIVER_LIST:
        apply_driver_list(m, delta);
        break;
    case REPLAY_TOPIC_SESSION_STATUS:
        apply_session_status(m);
        break;
    case REPLAY_TOPIC_LAP_COUNT:
        apply_lap_count(m);
        break;
    case REPLAY_TOPIC_TRACK_STATUS:
        apply_track_status(m);
        break;
    case REPLAY_TOPIC_TIMING_APP_DATA:
        apply_timing_app_data(m, delta);
        break;
    case REPLAY_TOPIC_TIMING_DATA:
        apply_timing_data(m, delta);
        break;
    case REPLAY_TOPIC_RACE_CONTROL:
        apply_race_control(m);
        break;
    case REPLAY_TOPIC_WEATHER:
    case REPLAY_TOPIC_COUNT:
        break;
    }
out:
    json_decref(delta);
    return rc;
}

void replay_model_lights_out(struct replay_model *m, pw_emit_fn emit, void *ctx)
{
    m->emit = emit;
    m->emit_ctx = ctx;
    emit_simple(m, PW_EV_LIGHTS_OUT, NULL);
}

void replay_model_finish(struct replay_model *m, pw_emit_fn emit, void *ctx)
{
    m->emit = emit;
    m->emit_ctx = ctx;
    for (int i = 0; i < m->n_slots; i++) {
        if (m->slots[i].pit_out_pending)
            emit_pit_out(m, &m->slots[i]);
    }
    passes_flush(m, true);
    m->state.finished = true;
    model_rebuild(m);
    emit_simple(m, PW_EV_CLASSIFICATION, NULL);
}

void replay_model_weather(const struct replay_model *m, struct replay_weather *out)
{
    const json_t *w = m->topics[REPLAY_TOPIC_WEATHER];
    memset(out, 0, sizeof *out);
    if (!json_is_object(w) || !json_object_get(w, "AirTemp"))
        return;
    out->present = true;
    out->air_temp_c = replay_json_number(w, "AirTemp");
    out->track_temp_c = replay_json_number(w, "TrackTemp");
    out->humidity_pct = replay_json_number(w, "Humidity");
    out->wind_speed_ms = replay_json_number(w, "WindSpeed");
    out->rainfall = replay_json_number(w, "Rainfall") > 0 || replay_json_bool(w, "Rainfall");
}

void replay_model_init(struct replay_model *m)
{
    memset(m, 0, sizeof *m);
    m->session.since = -1;
}

void replay_model_reset(struct replay_model *m)
{
    struct replay_model_stats keep = m->stats;
    replay_model_free(m);
    m->stats = keep;
    m->session.since = -1;
}

void replay_model_free(struct replay_model *m)
{
    for (int t = 0; t < REPLAY_TOPIC_COUNT; t++)
        json_decref(m->topics[t]);
    memset(m, 0, sizeof *m);
}
