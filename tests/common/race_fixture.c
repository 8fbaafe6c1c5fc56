#include "race_fixture.h"

#include "race_script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned next_rand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

struct builder {
    struct fixture_race *r;
    int cap;
    struct pw_race_state st;
    uint64_t race_seq, comment_seq;
    int64_t wall0;
};

static struct pw_event *push(struct builder *b, enum pw_event_type type)
{
    struct fixture_race *r = b->r;
    if (r->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        r->ev = realloc(r->ev, (size_t)b->cap * sizeof *r->ev);
        r->states = realloc(r->states, (size_t)b->cap * sizeof *r->states);
        if (!r->ev || !r->states)
            abort();
    }
    struct pw_event *ev = &r->ev[r->n];
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    snprintf(ev->race_id, sizeof ev->race_id, "%s", r->meta.race_id);
    ev->race_ms = b->st.race_ms;
    ev->wall_ms = b->wall0 + b->st.race_ms / 10;
    ev->lap = b->st.lap;
    if (type == PW_EV_COMMENTARY) {
        ev->seq = ++b->comment_seq;
        r->n_commentary++;
    } else {
        ev->seq = ++b->race_seq;
        r->states[r->n] = b->st; /* ev->state is pointed at it once the arrays stop moving */
        ev->meta = &r->meta;
        r->n_race++;
    }
    r->n++;
    return ev;
}

static void comment(struct builder *b, enum pw_commentary_kind kind, const char *text)
{
    struct pw_event *ev = push(b, PW_EV_COMMENTARY);
    ev->kind = kind;
    snprintf(ev->id, sizeof ev->id, "c-%s-%llu", b->r->meta.race_id, (unsigned long long)ev->seq);
    snprintf(ev->text, sizeof ev->text, "%s", text);
}

static void recompute(struct pw_race_state *st)
{
    for (int i = 0; i < st->n_cars; i++) {
        struct pw_car *c = &st->cars[i];
        c->position = i + 1;
        c->gap_ms = i == 0 ? 0 : st->cars[i - 1].gap_ms + 700 + 37 * i;
        c->interval_ms = i == 0 ? 0 : c->gap_ms - st->cars[i - 1].gap_ms;
    }
}

int fixture_race_make(struct fixture_race *r, const char *race_id, int n_cars, int laps,
                      unsigned seed)
{
    struct builder b = {.r = r, .wall0 = 1732790000000LL};
    char text[128];
    memset(r, 0, sizeof *r);
    struct pw_race_state *st = &b.st;
    memset(st, 0, sizeof *st);
    n_cars = script_grid_fill(st, n_cars);
    const struct pw_driver *picked = &st->cars[0].driver;
    snprintf(r->meta.race_id, sizeof r->meta.race_id, "%s", race_id);
    snprintf(r->meta.source, sizeof r->meta.source, "simulation");
    snprintf(r->meta.title, sizeof r->meta.title, "Monza, %d laps", laps);
    snprintf(r->meta.selected_number, sizeof r->meta.selected_number, "%s", picked->number);
    snprintf(r->meta.selected_name, sizeof r->meta.selected_name, "%s", picked->name);
    snprintf(r->meta.selected_team, sizeof r->meta.selected_team, "%s", picked->team);
    r->meta.created_wall_ms = b.wall0;
    r->meta.wall_duration_ms = 60000;
    r->meta.race_duration_ms = laps * 81000LL;
    r->meta.total_laps = laps;

    st->total_laps = laps;
    st->race_ms = -5000;
    snprintf(st->circuit, sizeof st->circuit, "Monza");
    snprintf(st->session, sizeof st->session, "Race");
    for (int i = 0; i < n_cars; i++) {
        struct pw_car *c = &st->cars[i];
        c->tyre = i % 2 ? PW_TYRE_MEDIUM : PW_TYRE_SOFT;
        c->tyre_new = true;
    }
    recompute(st);
    push(&b, PW_EV_RACE_CREATED);
    st->race_ms = 0;
    st->started = true;
    st->lap = 1;
    push(&b, PW_EV_LIGHTS_OUT);
    comment(&b, PW_COMMENT_HIGHLIGHT, "Lights out and away we go!");
    for (int lap = 1; lap <= laps; lap++) {
        for (int t = 0; t < 3; t++) {
            st->race_ms += 27000;
            for (int i = 0; i < n_cars; i++) {
                st->cars[i].sectors_ms[t] = 26000 + (int64_t)next_rand(&seed) % 2000;
                if (t == 0 && lap > 1)
                    st->cars[i].sectors_ms[1] = st->cars[i].sectors_ms[2] = 0;
            }
            struct pw_event *tick = push(&b, PW_EV_POSITIONS);
            (void)tick;
            if (t == 1 && n_cars > 2) { /* an overtake */
                int i = 1 + (int)(next_rand(&seed) % (unsigned)(n_cars - 1));
                struct pw_car tmp = st->cars[i - 1];
                st->cars[i - 1] = st->cars[i];
                st->cars[i] = tmp;
                recompute(st);
                struct pw_event *ev = push(&b, PW_EV_OVERTAKE);
                snprintf(ev->car, sizeof ev->car, "%s", st->cars[i - 1].driver.number);
                snprintf(ev->other, sizeof ev->other, "%s", st->cars[i].driver.number);
                ev->position = i;
                snprintf(text, sizeof text, "%s passes %s for P%d", st->cars[i - 1].driver.name,
                         st->cars[i].driver.name, i);
                comment(&b, i == 1 ? PW_COMMENT_HIGHLIGHT : PW_COMMENT_INFO, text);
            }
        }
        for (int i = 0; i < n_cars; i++) {
            struct pw_car *c = &st->cars[i];
            c->laps = lap;
            c->last_lap_ms = c->sectors_ms[0] + c->sectors_ms[1] + c->sectors_ms[2];
            if (!c->best_lap_ms || c->last_lap_ms < c->best_lap_ms) {
                c->best_lap_ms = c->last_lap_ms;
                c->best_lap_no = lap;
            }
            c->tyre_age++;
            struct pw_event *ev = push(&b, PW_EV_LAP_COMPLETED);
            snprintf(ev->car, sizeof ev->car, "%s", c->driver.number);
            ev->lap_ms = c->last_lap_ms;
        }
        if (lap == laps / 2 && n_cars > 3) { /* a pit stop and a safety car */
            struct pw_car *c = &st->cars[3];
            c->in_pit = true;
            struct pw_event *ev = push(&b, PW_EV_PIT_IN);
            snprintf(ev->car, sizeof ev->car, "%s", c->driver.number);
            c->in_pit = false;
            c->pit_stops++;
            c->tyre = PW_TYRE_HARD;
            c->tyre_age = 0;
            c->tyre_new = true;
            ev = push(&b, PW_EV_PIT_OUT);
            snprintf(ev->car, sizeof ev->car, "%s", c->driver.number);
            ev->tyre = PW_TYRE_HARD;
            st->track = PW_TRACK_SC;
            ev = push(&b, PW_EV_TRACK_STATUS);
            ev->track = PW_TRACK_SC;
            comment(&b, PW_COMMENT_WARNING, "Safety car deployed");
            ev = push(&b, PW_EV_RACE_CONTROL);
            snprintf(ev->text, sizeof ev->text, "SAFETY CAR DEPLOYED — \"quotes\" \\ ok");
        }
        if (lap == laps / 2 + 1) {
            st->track = PW_TRACK_GREEN;
            struct pw_event *ev = push(&b, PW_EV_TRACK_STATUS);
            ev->track = PW_TRACK_GREEN;
        }
        st->lap = lap < laps ? lap + 1 : lap;
        if (lap == laps - 1)
            push(&b, PW_EV_FINAL_LAP);
    }
    st->finished = true;
    for (int i = 0; i < n_cars; i++)
        st->cars[i].finished = true;
    push(&b, PW_EV_CHEQUERED);
    push(&b, PW_EV_POSITIONS);
    push(&b, PW_EV_CLASSIFICATION);
    comment(&b, PW_COMMENT_HIGHLIGHT, "Chequered flag!");
    for (int i = 0; i < r->n; i++)
        r->ev[i].state = r->ev[i].type == PW_EV_COMMENTARY ? NULL : &r->states[i];
    return 0;
}

void fixture_race_free(struct fixture_race *r)
{
    free(r->ev);
    free(r->states);
    memset(r, 0, sizeof *r);
}

void recorder_init(struct recorder *rec, const char *race_id)
{
    memset(rec, 0, sizeof *rec);
    rec->race_id = race_id;
}

void recorder_free(struct recorder *rec)
{
    free(rec->ev);
    free(rec->states);
    free(rec->has_state);
    free(rec->metas);
    free(rec->has_meta);
    memset(rec, 0, sizeof *rec);
}

void recorder_on_event(void *ctx, const struct pw_event *ev)
{
    struct recorder *rec = ctx;
    if (rec->race_id && strcmp(rec->race_id, ev->race_id))
        return;
    if (rec->n == rec->cap) {
        rec->cap = rec->cap ? rec->cap * 2 : 256;
        rec->ev = realloc(rec->ev, (size_t)rec->cap * sizeof *rec->ev);
        rec->states = realloc(rec->states, (size_t)rec->cap * sizeof *rec->states);
        rec->has_state = realloc(rec->has_state, (size_t)rec->cap * sizeof *rec->has_state);
        rec->metas = realloc(rec->metas, (size_t)rec->cap * sizeof *rec->metas);
        rec->has_meta = realloc(rec->has_meta, (size_t)rec->cap * sizeof *rec->has_meta);
        if (!rec->ev || !rec->states || !rec->has_state || !rec->metas || !rec->has_meta)
            abort();
    }
    rec->ev[rec->n] = *ev;
    rec->ev[rec->n].state = NULL;
    rec->ev[rec->n].meta = NULL;
    rec->has_state[rec->n] = ev->state != NULL;
    if (ev->state)
        rec->states[rec->n] = *ev->state;
    rec->has_meta[rec->n] = ev->meta != NULL;
    if (ev->meta)
        rec->metas[rec->n] = *ev->meta;
    rec->n++;
}

int recorder_count(const struct recorder *rec, enum pw_event_type type)
{
    int n = 0;
    for (int i = 0; i < rec->n; i++)
        n += rec->ev[i].type == type;
    return n;
}

const struct pw_race_state *recorder_last_positions(const struct recorder *rec)
{
    for (int i = rec->n - 1; i >= 0; i--) {
        if (rec->ev[i].type == PW_EV_POSITIONS && rec->has_state[i])
            return &rec->states[i];
    }
    return NULL;
}

static bool car_equal(const struct pw_car *a, const struct pw_car *b)
{
    return !strcmp(a->driver.number, b->driver.number) && !strcmp(a->driver.tla, b->driver.tla) &&
           !strcmp(a->driver.name, b->driver.name) && !strcmp(a->driver.team, b->driver.team) &&
           !strcmp(a->driver.team_color, b->driver.team_color) && a->position == b->position &&
           a->laps == b->laps && a->gap_ms == b->gap_ms && a->gap_laps == b->gap_laps &&
           a->interval_ms == b->interval_ms && a->interval_laps == b->interval_laps &&
           a->last_lap_ms == b->last_lap_ms && a->best_lap_ms == b->best_lap_ms &&
           a->best_lap_no == b->best_lap_no && a->sectors_ms[0] == b->sectors_ms[0] &&
           a->sectors_ms[1] == b->sectors_ms[1] && a->sectors_ms[2] == b->sectors_ms[2] &&
           a->tyre == b->tyre && a->tyre_age == b->tyre_age && a->tyre_new == b->tyre_new &&
           a->pit_stops == b->pit_stops && a->in_pit == b->in_pit && a->retired == b->retired &&
           a->finished == b->finished;
}

bool fixture_state_equal(const struct pw_race_state *a, const struct pw_race_state *b)
{
    if (a->n_cars != b->n_cars || a->lap != b->lap || a->total_laps != b->total_laps ||
        a->track != b->track || strcmp(a->fastest_number, b->fastest_number) ||
        a->fastest_lap_ms != b->fastest_lap_ms || a->race_ms != b->race_ms ||
        a->started != b->started || a->finished != b->finished || strcmp(a->circuit, b->circuit) ||
        strcmp(a->session, b->session))
        return false;
    for (int i = 0; i < a->n_cars; i++) {
        if (!car_equal(&a->cars[i], &b->cars[i]))
            return false;
    }
    return true;
}

bool fixture_event_equal(const struct pw_event *pub, const struct pw_event *got,
                         const struct pw_race_state *got_state, char *why, size_t len)
{
#define DIFF(cond, what)                                                                           \
    if (cond) {                                                                                    \
        snprintf(why, len, "%s #%llu: %s differs", pw_event_type_name(pub->type),                  \
                 (unsigned long long)pub->seq, what);                                              \
        return false;                                                                              \
    }
    DIFF(pub->type != got->type, "type");
    DIFF(strcmp(pub->race_id, got->race_id), "race_id");
    DIFF(pub->seq != got->seq, "seq");
    DIFF(pub->race_ms != got->race_ms, "race_ms");
    DIFF(pub->wall_ms != got->wall_ms, "wall_ms");
    DIFF(pub->lap != got->lap, "lap");
    DIFF(pub->kind != got->kind, "kind");
    DIFF(strcmp(pub->id, got->id), "id");
    DIFF(strcmp(pub->text, got->text), "text");
    if (pub->type != PW_EV_COMMENTARY) {
        DIFF(strcmp(pub->car, got->car), "car");
        DIFF(strcmp(pub->other, got->other), "other");
        DIFF(pub->position != got->position, "position");
        DIFF(pub->tyre != got->tyre, "tyre");
        DIFF(pub->track != got->track, "track");
        DIFF(pub->lap_ms != got->lap_ms, "lap_ms");
        DIFF(!got_state, "state (missing)");
        DIFF(!fixture_state_equal(pub->state, got_state), "state");
    }
#undef DIFF
    return true;
}

bool fixture_check_stream(const struct fixture_race *r, const struct recorder *rec, char *why,
                          size_t len)
{
    int gi_race = 0, gi_comment = 0;
    /* the delivered race events, then commentary, each in their order */
    for (int pass = 0; pass < 2; pass++) {
        int gi = 0;
        for (int pi = 0; pi < r->n; pi++) {
            const struct pw_event *pub = &r->ev[pi];
            if ((pub->type == PW_EV_COMMENTARY) != (pass == 1))
                continue;
            while (gi < rec->n && (rec->ev[gi].type == PW_EV_COMMENTARY) != (pass == 1))
                gi++;
            if (gi >= rec->n) {
                snprintf(why, len, "%s #%llu never delivered (got %d events)",
                         pw_event_type_name(pub->type), (unsigned long long)pub->seq, rec->n);
                return false;
            }
            if (!fixture_event_equal(pub, &rec->ev[gi],
                                     rec->has_state[gi] ? &rec->states[gi] : NULL, why, len))
                return false;
            if (pub->type != PW_EV_COMMENTARY && !rec->has_meta[gi]) {
                snprintf(why, len, "%s #%llu delivered without meta", pw_event_type_name(pub->type),
                         (unsigned long long)pub->seq);
                return false;
            }
            if (pub->type != PW_EV_COMMENTARY &&
                (strcmp(rec->metas[gi].title, r->meta.title) ||
                 rec->metas[gi].total_laps != r->meta.total_laps)) {
                snprintf(why, len, "meta differs");
                return false;
            }
            gi++;
            if (pass == 0)
                gi_race++;
            else
                gi_comment++;
        }
    }
    if (gi_race + gi_comment != rec->n) {
        snprintf(why, len, "%d events delivered, %d expected", rec->n, gi_race + gi_comment);
        return false;
    }
    return true;
}
